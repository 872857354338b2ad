#pragma once

#include "mix.h"
#include "palette.h"
#include "summary.h"
#include "tracestore.h"
#include "traceview.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMainWindow>
#include <QMessageBox>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QAction;
class QActionGroup;
class QDockWidget;
class QLabel;
class QLineEdit;
class QMenu;
class QTableView;
class QTextEdit;
class QTimer;

namespace taskline {

class CompareView;
class ExportDialog;
class HelpDialog;
class MixDocument;
class ReplayBar;
class ReplayController;
class RunDocument;
class RunTabs;
class Picture;
class RunController;
class RunPanel;
class StepEditor;
class SummaryPanel;
class TaskDetailsPanel;
class TaskTableModel;

// The desktop window: the mix editor (tasks and steps) and run panel on the left, the live timeline in the
// middle, the run summary and the selected task's details below. Menus and a toolbar for files, editing, running
// and the view; a status bar with the run state, events per second and dropped events. Remembers its layout,
// theme, lane mode, recent files and the last mix with QSettings; opens mixes dropped on it.
//
// Runs go through a RunController: the GUI thread only takes the batches it announces (at most 60 times a
// second), appends them to the window's TraceStore and repaints once per batch group.
// Thread: GUI only.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens `file` if given (the command line), else the last mix, else the default preset. Reports a file that
    // cannot be read and falls back to the default preset.
    void openInitial(const QString& file = {});
    // Opens a file or "preset:NAME" after asking about unsaved changes. Returns false when cancelled or failed.
    bool openSource(const QString& source);

    // Answers "save the unsaved changes?" (Save, Discard or Cancel). Replaceable so that tests need no modal
    // dialog; the default asks with a QMessageBox.
    using UnsavedPrompt = std::function<QMessageBox::StandardButton(const QString& documentName)>;
    void setUnsavedPrompt(UnsavedPrompt prompt) { m_unsavedPrompt = std::move(prompt); }
    // Picks the file for Save As ("" = cancelled); the default shows a file dialog.
    using SaveFilePrompt = std::function<QString(const QString& suggestion)>;
    void setSaveFilePrompt(SaveFilePrompt prompt) { m_saveFilePrompt = std::move(prompt); }
    // Picks a file to write for Save Run and the data exports ("" = cancelled); the default shows a file dialog.
    using ExportFilePrompt
        = std::function<QString(const QString& title, const QString& suggestion, const QString& filter)>;
    void setExportFilePrompt(ExportFilePrompt prompt) { m_exportFilePrompt = std::move(prompt); }
    // True when the caller may go on (the changes were saved or discarded, or there were none).
    bool maybeSave();
    bool save();
    bool saveAs();

    void setTheme(Theme theme);
    Theme theme() const { return m_theme; }
    void setLaneMode(LaneMode mode);

    // For tests and the lead's integration: the parts of the window.
    MixDocument* document() const { return m_doc; }
    TaskTableModel* taskModel() const { return m_taskModel; }
    QTableView* taskView() const { return m_taskView; }
    StepEditor* stepEditor() const { return m_stepEditor; }
    RunPanel* runPanel() const { return m_runPanel; }
    TraceView* traceView() const { return m_traceView; }
    SummaryPanel* summaryPanel() const { return m_summaryPanel; }
    TaskDetailsPanel* detailsPanel() const { return m_detailsPanel; }
    RunController* runController() const { return m_controller; }
    // The comparison window (Run → Compare All); nullptr until first used.
    CompareView* compareView() const { return m_compareView; }
    // The last run's timeline as a picture for export (nullptr: no finished run yet).
    std::unique_ptr<Picture> timelinePicture() const;
    const TraceStore& traceStore() const { return m_store; }
    const std::optional<RunSummary>& lastSummary() const { return m_lastSummary; }
    QStringList recentFiles() const { return m_recent; }
    // Saved runs and replay (mainwindow_runs.cpp).
    RunTabs* runTabs() const { return m_runTabs; }
    ReplayController* replay() const { return m_replay; }
    ReplayBar* replayBar() const { return m_replayBar; }
    // The run the tabs show, once it has ended: the live run's or an opened one; nullptr before any run ends.
    std::shared_ptr<RunDocument> shownRun() const;
    // Opens a .taskline-run file in a new tab (a file already open gets its tab back). A bad file is refused with
    // a message naming it and the problem, and nothing else changes.
    bool openRun(const QString& file);
    // Writes the shown run to `file` (saveRun); with no file, asks for one.
    bool saveRun(const QString& file = {});
    // Every span of the shown run as CSV, or its Chrome Trace Event JSON; with no file, asks for one.
    bool exportSpansCsv(const QString& file = {});
    bool exportChromeTrace(const QString& file = {});
    // A file that holds a saved run (by its first bytes, else its suffix), rather than a mix.
    static bool isRunFile(const QString& file);
    QString lastError() const { return m_lastError; }
    // Actions by object name: "run", "stop", "undo", "redo", "addTask", "duplicateTask", "removeTask", …
    QAction* action(const QString& name) const;
    // The status bar fields: "state", "rate", "dropped", "tasks".
    QString statusText(const QString& field) const;

public slots:
    void runMix();
    void stopRun();
    void showHelp();
    // mainwindow_compare.cpp: Run → Compare All, File → Export Image…, Edit → Copy Image
    void compareAll();
    void compareOpenRuns();
    void exportImage();
    void copyImage();

signals:
    void runFinished(); // the summary is shown

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    // mainwindow.cpp: layout, actions, theme, settings
    void createWidgets();
    void createDocks();
    void createActions();
    void createMenus();
    void createToolBar();
    void createStatusBar();
    void connectDocument();
    QAction* makeAction(const QString& name, const QString& text, const QString& icon = {});
    void refreshIcons();
    void readSettings();
    void writeSettings();
    void updateTitle();
    void updateActions();
    void showError(const QString& title, const QString& text);
    void showAbout();
    void editMixInfo();

    // mainwindow_file.cpp: files, presets, recent files
    void newMix();
    void openFile();
    void addRecent(const QString& source);
    void rebuildRecentMenu();
    void rebuildPresetMenu(QMenu* menu);
    QString suggestedSavePath() const;
    void storeRunSettings();

    // mainwindow_runs.cpp: saved runs, the run tabs, data export, replay
    QWidget* createRunArea();
    void createRunActions();
    void addRunMenuItems(QMenu* file, QMenu* run);
    void updateRunActions();
    void showRunTab(int index);
    void closeRunTab(int index);
    void showWholeRun(); // the shown tab's run, whole (no play head)
    void loadRunMix(const RunDocument& run, bool askFirst);
    void onReplayPositionChanged();
    void updateReplayStatus(); // the status bar's task count at the play head
    void onLiveRunFinished(const RunResult& result);
    void updateSavedRunStatus(const RunDocument& run);
    std::optional<double> sequentialWallMsFor(const RunDocument& run) const;
    QString askExportFile(const QString& title, const QString& suggestion, const QString& filter);
    const std::vector<TaskInstance>& shownRunTasks() const;
    std::vector<QString> shownSpecNames() const;

    // mainwindow_edit.cpp: the task table and selection
    void addTask();
    void duplicateTask();
    void removeTask();
    void moveTask(int delta);
    int currentTaskRow() const;
    void selectTaskRow(int row);
    void onTaskRowChanged(int row);
    void onSettingsEdited(const RunSettings& settings, const QString& what);
    void showRunTask(int task); // a task of the run, chosen in the timeline or summary

    // mainwindow_compare.cpp
    void createCompareActions();
    void ensureCompareView();
    bool isComparing() const;

    // mainwindow_run.cpp: running
    void onRunStarted();
    void onBatchesAvailable(quint64 runId);
    void onRunFinished(quint64 runId);
    void updateStatus();
    void updateLiveSummary();
    static QByteArray fingerprint(const Mix& mix);

    MixDocument* m_doc;
    TaskTableModel* m_taskModel = nullptr;
    RunController* m_controller;

    // Widgets
    QLineEdit* m_mixName = nullptr;
    QTextEdit* m_mixDescription = nullptr;
    QTableView* m_taskView = nullptr;
    QLabel* m_taskMessage = nullptr;
    StepEditor* m_stepEditor = nullptr;
    RunPanel* m_runPanel = nullptr;
    TraceView* m_traceView = nullptr;
    SummaryPanel* m_summaryPanel = nullptr;
    TaskDetailsPanel* m_detailsPanel = nullptr;
    HelpDialog* m_helpDialog = nullptr;
    CompareView* m_compareView = nullptr;
    ExportDialog* m_exportDialog = nullptr;
    QDockWidget* m_mixDock = nullptr;
    QDockWidget* m_runDock = nullptr;
    QDockWidget* m_summaryDock = nullptr;
    QDockWidget* m_detailsDock = nullptr;
    QLabel* m_statusState = nullptr;
    QLabel* m_statusTasks = nullptr;
    QLabel* m_statusRate = nullptr;
    QLabel* m_statusDropped = nullptr;
    QMenu* m_recentMenu = nullptr;
    QActionGroup* m_modeGroup = nullptr;
    QActionGroup* m_laneGroup = nullptr;
    QActionGroup* m_themeGroup = nullptr;
    QTimer* m_statusTimer = nullptr;

    // The run on screen (the last one started): its trace, tasks and settings, apart from the mix being edited.
    TraceStore m_store;
    std::vector<TaskInstance> m_runTasks;
    std::vector<QString> m_runSpecNames; // the names of the mix's tasks when the run started (to map rows)
    RunSettings m_runSettings;
    QByteArray m_runFingerprint;
    Mix m_runMix; // the mix as it was when the run started (saved with the run)
    std::shared_ptr<RunDocument> m_liveRun; // the live tab's run once it ended
    RunTabs* m_runTabs = nullptr;
    ReplayController* m_replay = nullptr;
    ReplayBar* m_replayBar = nullptr;
    RunSummary m_replaySummary; // the summary at the play head (the details panel points at it)
    QElapsedTimer m_replaySummaryClock;
    bool m_replaying = false; // the views show the run up to the play head
    std::optional<RunSummary> m_lastSummary;
    QHash<QByteArray, double> m_sequentialWallMs; // by mix fingerprint: the last complete sequential run
    QElapsedTimer m_runClock;
    QElapsedTimer m_liveClock; // the live summary's last refresh
    std::deque<std::pair<int64_t, uint64_t>> m_rateWindow; // (run time ns, events so far) over the last second
    bool m_stopping = false;
    bool m_selecting = false; // selection sync in progress: don't echo it back

    QByteArray m_defaultState; // the docks' first-start layout
    Theme m_theme = Theme::Light;
    QStringList m_recent;
    QString m_lastError;
    UnsavedPrompt m_unsavedPrompt;
    SaveFilePrompt m_saveFilePrompt;
    ExportFilePrompt m_exportFilePrompt;
};

} // namespace taskline
