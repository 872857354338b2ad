#pragma once

#include "mix.h"

#include <QHash>
#include <QWidget>

class QAction;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace taskline {

// How to run the mix: the mode (every mode is listed; one the engine does not have yet is disabled and says so),
// workers (0 = the mode's default, with what it resolves to on this machine), the emulated GIL and its switch
// interval, and the options of the process and coroutine modes, shown only for their modes. Run and Stop buttons
// show the window's actions.
// Thread: GUI only.
class RunPanel : public QWidget
{
    Q_OBJECT
public:
    explicit RunPanel(QWidget* parent = nullptr);

    // Shows `settings` without emitting settingsEdited.
    void setSettings(const RunSettings& settings);
    RunSettings settings() const;
    // The buttons under the settings trigger these actions (the window's Run and Stop).
    void setRunActions(QAction* run, QAction* stop);
    // "6 threads: cores + 4, as ThreadPoolExecutor picks" for the shown settings.
    QString workersExplanation() const;

signals:
    // The user changed `what` ("Mode", "Workers", …); `settings` is the whole new set.
    void settingsEdited(const RunSettings& settings, const QString& what);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void updateVisibility();
    void fitHints();
    void edited(const QString& what);

    QComboBox* m_mode;
    QSpinBox* m_workers;
    QLabel* m_workersHint;
    QCheckBox* m_gil;
    QDoubleSpinBox* m_switchInterval;
    QComboBox* m_startMethod;
    QSpinBox* m_maxTasksPerChild;
    QCheckBox* m_offload;
    QSpinBox* m_limit;
    QLabel* m_modeHint;
    QWidget* m_buttons;
    QHash<QWidget*, QLabel*> m_rowLabels; // a field's label, hidden with it
    bool m_updating = false;
    int m_cores = 1;
};

} // namespace taskline
