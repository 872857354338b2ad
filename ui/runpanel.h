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

// How to run the mix, as one strip above the timeline: the mode (every mode is listed; one the engine does not
// have yet is disabled and says so), workers (0 = the mode's default, with what it resolves to on this machine), the
// emulated GIL and its switch interval, and the options of the process and coroutine modes, shown only for the
// modes they apply to; then Run and Stop (the window's actions). A line under it says what the mode is.
// Thread: GUI only.
class RunPanel : public QWidget
{
    Q_OBJECT
public:
    explicit RunPanel(QWidget* parent = nullptr);

    // Shows `settings` without emitting settingsEdited.
    void setSettings(const RunSettings& settings);
    RunSettings settings() const;
    // The buttons at the end trigger these actions (the window's Run and Stop).
    void setRunActions(QAction* run, QAction* stop);
    // "Default: 6 threads, cores + 4, as ThreadPoolExecutor picks." for the shown settings.
    QString workersExplanation() const;

signals:
    // The user changed `what` ("Mode", "Workers", …); `settings` is the whole new set.
    void settingsEdited(const RunSettings& settings, const QString& what);

private:
    void updateVisibility();
    void edited(const QString& what);

    QComboBox* m_mode;
    QSpinBox* m_workers;
    QCheckBox* m_gil;
    QDoubleSpinBox* m_switchInterval;
    QComboBox* m_startMethod;
    QSpinBox* m_maxTasksPerChild;
    QCheckBox* m_offload;
    QSpinBox* m_limit;
    QLabel* m_hint;
    QWidget* m_buttons;
    QHash<QWidget*, QLabel*> m_labels; // a field's label, shown and hidden with it
    bool m_updating = false;
    int m_cores = 1;
};

} // namespace taskline
