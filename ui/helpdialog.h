#pragma once

#include <QDialog>
#include <QStringList>

namespace taskline {

// Help → "Which model should I use?": when threads, coroutines or processes win, in a few short points, each with
// buttons that open the built-in mix showing it. Presets this build does not have are left out.
// Thread: GUI only.
class HelpDialog : public QDialog
{
    Q_OBJECT
public:
    explicit HelpDialog(QWidget* parent = nullptr);

    // The presets offered by the buttons, in order.
    QStringList offeredPresets() const { return m_offered; }

signals:
    void presetRequested(const QString& name);

private:
    QStringList m_offered;
};

} // namespace taskline
