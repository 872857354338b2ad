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

class HelpDialog;
class MixDocument;
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
    const TraceStore& traceStore() const { return m_store; }
    const std::optional<RunSummary>& lastSummary() const { return m_lastSummary; }
    QStringList recentFiles() const { return m_recent; }
    QString lastError() const { return m_lastError; }
    // Actions by object name: "run", "stop", "undo", "redo", "addTask", "duplicateTask", "removeTask", …
    QAction* action(const QString& name) const;
    // The status bar fields: "state", "rate", "dropped", "tasks".
    QString statusText(const QString& field) const;

public slots:
    void runMix();
    void stopRun();
    void showHelp();

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
};

} // namespace taskline
