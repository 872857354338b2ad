#pragma once

#include <QWidget>
#include <memory>
#include <vector>

class QLabel;
class QPushButton;
class QTabBar;

namespace taskline {

class RunDocument;

// The tabs over the timeline: the window's live run first (always there, never closed), then each saved run that
// was opened, closable. Under them, for an opened run, a line that says what it is (mix, mode, when and where it
// was recorded, its file) with a button that puts its mix into the editor. Hidden while only the live run exists,
// so that a window without saved runs looks as before.
// Thread: GUI only.
class RunTabs : public QWidget
{
    Q_OBJECT
public:
    explicit RunTabs(QWidget* parent = nullptr);

    // Adds an opened run after the others and makes it current (unless told not to). Returns its index.
    int addRun(std::shared_ptr<RunDocument> run, bool makeCurrent = true);
    void removeRun(int index); // index >= 1
    // The run of tab `index`; nullptr for the live tab (index 0).
    std::shared_ptr<RunDocument> run(int index) const;
    int indexOf(const RunDocument* run) const; // -1 if not open
    int count() const;
    int currentIndex() const;
    void setCurrentIndex(int index);
    // Every opened run, in tab order (the live tab not included).
    std::vector<std::shared_ptr<RunDocument>> openedRuns() const;

    void setLiveTitle(const QString& title, const QString& toolTip = {});
    // While a run goes on, only the live tab can be chosen.
    void setSwitchingEnabled(bool enabled);
    // The tab of an opened run was renamed (saved under another file).
    void refreshTitle(int index);

    QTabBar* tabBar() const { return m_tabs; }
    QString infoText() const;

signals:
    void currentChanged(int index);
    void closeRequested(int index);
    void loadMixRequested(int index);

private:
    void updateInfo();

    QTabBar* m_tabs;
    QWidget* m_info;
    QLabel* m_infoText;
    QPushButton* m_loadMix;
    std::vector<std::shared_ptr<RunDocument>> m_runs; // [0] is nullptr: the live tab
};

} // namespace taskline
