// MainWindow: finished runs as documents: saving and opening runs, the run tabs over the timeline, exporting a
// run's data (CSV, Chrome trace) and replaying a run with a play head.

#include "icons.h"
#include "mainwindow.h"
#include "mixdocument.h"
#include "mixformat.h"
#include "replaybar.h"
#include "replaycontroller.h"
#include "runcontroller.h"
#include "rundocument.h"
#include "runfile.h"
#include "runpanel.h"
#include "runtabs.h"
#include "summarypanel.h"
#include "taskdetailspanel.h"
#include "theme.h"
#include "traceclip.h"

#include <QAction>
#include <QActionGroup>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QSettings>
#include <QSlider>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>
#include <QVBoxLayout>

namespace taskline {

namespace {

// Above this many spans a playing replay refreshes its summary ten times a second rather than every frame: the
// summary sums every span up to the play head.
constexpr size_t kSummaryEveryFrameSpans = 50'000;
constexpr int kSummaryIntervalMs = 100;

QString exportDirectory()
{
    const QString dir = QSettings().value(QStringLiteral("files/lastDirectory")).toString();
    if (!dir.isEmpty() && QFileInfo(dir).isDir())
        return dir;
    return QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
}

QString withSuffix(QString file, const QString& suffix)
{
    if (!file.endsWith(suffix, Qt::CaseInsensitive))
        file += suffix;
    return file;
}

QString baseName(const RunDocument& run)
{
    QString name = run.suggestedFileName();
    name.chop(int(qstrlen(kRunFileSuffix)));
    return name;
}

} // namespace

bool MainWindow::isRunFile(const QString& file)
{
    QFile f(file);
    if (f.open(QIODevice::ReadOnly) && f.read(8) == QByteArrayLiteral("TASKLINE"))
        return true;
    // Named like a run but not one: loadRun says what is wrong with it.
    return file.endsWith(QLatin1String(kRunFileSuffix), Qt::CaseInsensitive);
}

QWidget* MainWindow::createRunArea()
{
    auto* area = new QWidget;
    area->setObjectName(QStringLiteral("runArea"));
    auto* layout = new QVBoxLayout(area);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_runTabs = new RunTabs;
    layout->addWidget(m_runTabs);
    layout->addWidget(m_traceView, 1);
    m_replay = new ReplayController(this);
    m_replay->setSpeed(QSettings().value(QStringLiteral("replay/speed"), 0.25).toDouble());
    m_replayBar = new ReplayBar(m_replay);
    m_replayBar->setVisible(false);
    layout->addWidget(m_replayBar);
    // The replay keys (Space, ←, →, Home, End) work where the replay is: on the timeline and the bar. Using the
    // replay gives the timeline the focus, so that the keys go on working after a click on the bar or the menu.
    area->addActions(m_replayBar->replayActions());
    for (QAction* a : m_replayBar->replayActions())
        connect(a, &QAction::triggered, this, [this] { m_traceView->setFocus(Qt::OtherFocusReason); });
    connect(
        m_replayBar->slider(), &QSlider::sliderPressed, this, [this] { m_traceView->setFocus(Qt::OtherFocusReason); });

    connect(m_runTabs, &RunTabs::currentChanged, this, &MainWindow::showRunTab);
    connect(m_runTabs, &RunTabs::closeRequested, this, &MainWindow::closeRunTab);
    connect(m_runTabs, &RunTabs::loadMixRequested, this, [this](int index) {
        if (const auto run = m_runTabs->run(index))
            loadRunMix(*run, true);
    });
    connect(m_replay, &ReplayController::positionChanged, this, &MainWindow::onReplayPositionChanged);
    connect(m_replayBar->speedBox(), &QComboBox::currentIndexChanged, this,
        [this] { QSettings().setValue(QStringLiteral("replay/speed"), m_replay->speed()); });
    return area;
}

void MainWindow::createRunActions()
{
    QAction* a = makeAction(QStringLiteral("saveRun"), tr("Save &Run…"));
    a->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_S));
    a->setToolTip(tr("Save the run on screen (its mix, settings, events, utilization and summary) as one file, to "
                     "open later or on another machine without running anything"));
    connect(a, &QAction::triggered, this, [this] { saveRun(); });
    a = makeAction(QStringLiteral("exportCsv"), tr("Export Spans as &CSV…"));
    a->setToolTip(tr("Every state interval of the run on screen: task, worker, state, start, end, core"));
    connect(a, &QAction::triggered, this, [this] { exportSpansCsv(); });
    a = makeAction(QStringLiteral("exportTrace"), tr("Export Chrome &Trace…"));
    a->setToolTip(tr("The run on screen as Chrome Trace Event JSON, for Perfetto or chrome://tracing"));
    connect(a, &QAction::triggered, this, [this] { exportChromeTrace(); });
    a = makeAction(QStringLiteral("closeRunTab"), tr("Close Saved Run"));
    a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_W));
    a->setToolTip(tr("Close the tab of the saved run on screen"));
    connect(a, &QAction::triggered, this, [this] { closeRunTab(m_runTabs->currentIndex()); });
}

void MainWindow::addRunMenuItems(QMenu* file, QMenu* run)
{
    // File: after Save As, before Quit.
    QAction* quit = action(QStringLiteral("quit"));
    file->insertSeparator(quit);
    for (const char* name : { "saveRun", "exportCsv", "exportTrace", "closeRunTab" })
        file->insertAction(quit, action(QLatin1String(name)));
    file->insertSeparator(quit);
    // Run: the replay, with its keys shown.
    run->addSection(tr("Replay"));
    run->addActions(m_replayBar->replayActions());
}

std::shared_ptr<RunDocument> MainWindow::shownRun() const
{
    if (!m_runTabs)
        return nullptr;
    const int index = m_runTabs->currentIndex();
    return index == 0 ? m_liveRun : m_runTabs->run(index);
}

const std::vector<TaskInstance>& MainWindow::shownRunTasks() const
{
    if (m_runTabs && m_runTabs->currentIndex() > 0)
        if (const auto run = m_runTabs->run(m_runTabs->currentIndex()))
            return run->tasks();
    return m_runTasks;
}

std::vector<QString> MainWindow::shownSpecNames() const
{
    if (m_runTabs && m_runTabs->currentIndex() > 0)
        if (const auto run = m_runTabs->run(m_runTabs->currentIndex()))
            return run->specNames();
    return m_runSpecNames;
}

void MainWindow::updateRunActions()
{
    if (!m_runTabs)
        return;
    const bool liveTab = m_runTabs->currentIndex() == 0;
    const bool have = shownRun() != nullptr && !(liveTab && m_controller->isRunning());
    for (const char* name : { "saveRun", "exportCsv", "exportTrace" }) {
        QAction* a = action(QLatin1String(name));
        a->setEnabled(have);
        a->setStatusTip(have ? QString() : tr("Run the mix, or open a saved run, first"));
    }
    action(QStringLiteral("closeRunTab"))->setEnabled(!liveTab);
}

void MainWindow::showRunTab(int index)
{
    m_replay->setRun(nullptr);
    m_replaying = false;
    const std::shared_ptr<RunDocument> run = m_runTabs->run(index);
    if (!run) {
        // The live tab: the window's own trace, running or not.
        m_traceView->setTrace(&m_store, m_runSettings.mode, m_runSettings);
        m_traceView->setRunning(m_controller->isRunning());
        if (m_lastSummary) {
            m_summaryPanel->showSummary(
                *m_lastSummary, m_liveRun ? sequentialWallMsFor(*m_liveRun) : std::optional<double>());
        } else if (m_controller->isRunning()) {
            m_summaryPanel->showRunning(SummaryPanel::describeSettings(m_runSettings, m_runSettings.workers));
        } else {
            m_summaryPanel->showIdle();
        }
        m_detailsPanel->setRun(
            m_store.taskCount() > 0 ? &m_store : nullptr, &m_runTasks, m_lastSummary ? &*m_lastSummary : nullptr);
        if (m_liveRun && !m_controller->isRunning())
            m_replay->setRun(&m_liveRun->store());
    } else {
        m_traceView->setTrace(&run->store(), run->settings().mode, run->settings());
        m_traceView->setRunning(false);
        m_summaryPanel->showSummary(run->summary(), sequentialWallMsFor(*run));
        m_detailsPanel->setRun(&run->store(), &run->tasks(), &run->summary());
        m_replay->setRun(&run->store());
        // The replay keys work at once (after the window is shown, when the run is opened at start-up).
        QTimer::singleShot(0, m_traceView, [this] { m_traceView->setFocus(Qt::OtherFocusReason); });
    }
    m_replayBar->setVisible(m_replay->run() != nullptr);
    // The selected row of the mix now means the tasks of this run (when it has them).
    const int row = currentTaskRow();
    if (row >= 0)
        onTaskRowChanged(row);
    updateActions();
    updateStatus();
}

void MainWindow::closeRunTab(int index)
{
    if (index < 1 || index >= m_runTabs->count())
        return;
    const std::shared_ptr<RunDocument> closing = m_runTabs->run(index); // alive until the views let go of it
    const bool current = index == m_runTabs->currentIndex();
    if (current) {
        // The views let go of the run before it goes.
        m_replay->setRun(nullptr);
        m_replaying = false;
    }
    m_runTabs->removeRun(index); // the tab bar moves to a neighbour, which shows itself
    updateActions();
}

void MainWindow::showWholeRun()
{
    const std::shared_ptr<RunDocument> run = shownRun();
    m_replaying = false;
    m_traceView->clearPlayHead();
    updateStatus();
    if (!run)
        return;
    const bool live = run == m_liveRun && m_runTabs->currentIndex() == 0;
    const RunSummary& summary = live && m_lastSummary ? *m_lastSummary : run->summary();
    m_summaryPanel->showSummary(summary, sequentialWallMsFor(*run));
    if (live)
        m_detailsPanel->setRun(&m_store, &m_runTasks, &summary);
    else
        m_detailsPanel->setRun(&run->store(), &run->tasks(), &summary);
    if (m_detailsPanel->task() >= 0)
        m_summaryPanel->setSelectedTask(m_detailsPanel->task());
}

void MainWindow::onReplayPositionChanged()
{
    const std::shared_ptr<RunDocument> run = shownRun();
    if (!run || m_replay->run() != &run->store())
        return;
    if (m_replay->isAtEnd()) {
        if (m_replaying)
            showWholeRun();
        return;
    }
    const TraceStore& clipped = m_replay->clip().store();
    const bool starting = !m_replaying;
    m_replaying = true;
    m_traceView->setPlayHead(&clipped, &run->store(), m_replay->position());
    const bool big = run->store().spans().size() > kSummaryEveryFrameSpans;
    if (starting || !m_replay->isPlaying() || !big || !m_replaySummaryClock.isValid()
        || m_replaySummaryClock.elapsed() >= kSummaryIntervalMs) {
        m_replaySummary = summarizeUntil(run->result(), m_replay->clip());
        m_summaryPanel->showReplay(m_replaySummary, run->summary().wallMs);
        if (starting)
            m_detailsPanel->setRun(&clipped, &run->tasks(), &m_replaySummary);
        else
            m_detailsPanel->refresh();
        if (m_detailsPanel->task() >= 0)
            m_summaryPanel->setSelectedTask(m_detailsPanel->task());
        m_replaySummaryClock.start();
    }
    updateReplayStatus();
}

void MainWindow::updateReplayStatus()
{
    if (!m_replaying || !m_statusTasks)
        return;
    const TraceStore& clipped = m_replay->clip().store();
    m_statusTasks->setText(
        tr("%1 / %2 tasks done at the play head").arg(clipped.tasksFinished()).arg(clipped.taskCount()));
}

std::optional<double> MainWindow::sequentialWallMsFor(const RunDocument& run) const
{
    // A speedup needs the same tasks run sequentially to the end: in this window, or among the opened runs.
    if (run.settings().mode == Mode::Sequential || run.result().stopped)
        return std::nullopt;
    const QByteArray fp = fingerprint(run.mix());
    if (m_sequentialWallMs.contains(fp))
        return m_sequentialWallMs.value(fp);
    for (const auto& other : m_runTabs->openedRuns()) {
        if (other->settings().mode == Mode::Sequential && !other->result().stopped && other->result().error.isEmpty()
            && fingerprint(other->mix()) == fp)
            return other->summary().wallMs;
    }
    return std::nullopt;
}

void MainWindow::onLiveRunFinished(const RunResult& result)
{
    m_liveRun = RunDocument::fromLiveRun(m_runMix, result, m_store);
    m_runTabs->setSwitchingEnabled(true);
    m_runTabs->setLiveTitle(tr("Live run · %1").arg(modeLabel(result.settings.mode)),
        tr("The last run in this window: %1").arg(m_liveRun->title()));
    if (m_runTabs->currentIndex() == 0 && result.error.isEmpty()) {
        m_replay->setRun(&m_liveRun->store());
        m_replayBar->setVisible(true);
    }
    updateRunActions();
}

void MainWindow::updateSavedRunStatus(const RunDocument& run)
{
    const QLocale l;
    const RunSummary& s = run.summary();
    const QString when
        = run.recordedAt().isValid() ? QLocale().toString(run.recordedAt(), QLocale::ShortFormat) : QString();
    QString state = s.stopped ? tr("Saved run · stopped after %1").arg(SummaryPanel::formatDuration(s.wallMs))
                              : tr("Saved run · finished in %1").arg(SummaryPanel::formatDuration(s.wallMs));
    if (!when.isEmpty())
        state += tr(" · recorded %1").arg(when);
    m_statusState->setText(state);
    const TraceStore& store = run.store();
    m_statusTasks->setText(tr("%1 / %2 tasks done").arg(store.tasksFinished()).arg(store.taskCount()));
    m_statusTasks->setVisible(true);
    m_statusRate->setText(tr("%1 events").arg(l.toString(qulonglong(store.eventCount()))));
    const uint64_t dropped = store.droppedEvents();
    m_statusDropped->setText(tr("%1 dropped").arg(l.toString(qulonglong(dropped))));
    m_statusDropped->setStyleSheet(
        dropped > 0 ? QStringLiteral("color: %1; font-weight: bold;").arg(errorTextColor(m_theme).name()) : QString());
}

bool MainWindow::openRun(const QString& file)
{
    const QString path = QFileInfo(file).absoluteFilePath();
    for (int i = 1; i < m_runTabs->count(); ++i) {
        if (m_runTabs->run(i)->filePath() == path) {
            if (!m_controller->isRunning())
                m_runTabs->setCurrentIndex(i);
            addRecent(path);
            return true;
        }
    }
    QString error;
    const std::shared_ptr<RunDocument> run = RunDocument::open(path, &error);
    if (!run) {
        if (!QFileInfo::exists(path)) {
            m_recent.removeAll(file);
            m_recent.removeAll(path);
            QSettings().setValue(QStringLiteral("files/recent"), m_recent);
            rebuildRecentMenu();
        }
        showError(tr("Cannot open the run"), error);
        return false;
    }
    addRecent(path);
    // Its mix goes into the editor, to run it again, unless the editor holds unsaved changes.
    if (!m_controller->isRunning())
        loadRunMix(*run, false);
    m_runTabs->addRun(run, !m_controller->isRunning());
    statusBar()->showMessage(tr("Opened the saved run %1").arg(QFileInfo(path).fileName()), 6000);
    return true;
}

void MainWindow::loadRunMix(const RunDocument& run, bool askFirst)
{
    Mix mix = run.mix();
    mix.settings = MixDocument::settingsFor(mix.settings, run.settings());
    const bool sameTasks = fingerprint(m_doc->mix()) == fingerprint(mix);
    if (!sameTasks) {
        if (m_doc->isModified()) {
            if (!askFirst) {
                statusBar()->showMessage(tr("The run's mix was not put into the editor, which has unsaved changes: "
                                            "use “Open Its Mix in the Editor” above the timeline."),
                    10000);
                return;
            }
            if (!maybeSave())
                return;
        }
        QString error;
        if (!m_doc->setMix(mix, &error)) {
            showError(tr("Cannot open the run's mix"), error);
            return;
        }
    }
    // The same tasks stay in their file or preset; the run's settings come along either way, so that Run runs
    // it again as it was.
    m_runPanel->setSettings(run.settings());
    m_modeGroup->actions().at(int(run.settings().mode))->setChecked(true);
    updateActions();
}

QString MainWindow::askExportFile(const QString& title, const QString& suggestion, const QString& filter)
{
    QString file = m_exportFilePrompt ? m_exportFilePrompt(title, suggestion, filter)
                                      : QFileDialog::getSaveFileName(this, title, suggestion, filter);
    if (!file.isEmpty())
        QSettings().setValue(QStringLiteral("files/lastDirectory"), QFileInfo(file).absolutePath());
    return file;
}

bool MainWindow::saveRun(const QString& file)
{
    const std::shared_ptr<RunDocument> run = shownRun();
    if (!run || (m_runTabs->currentIndex() == 0 && m_controller->isRunning())) {
        showError(tr("Cannot save the run"), tr("There is no finished run on screen: run the mix, or open a run."));
        return false;
    }
    QString path = file;
    if (path.isEmpty()) {
        const QString suggestion
            = run->filePath().isEmpty() ? QDir(exportDirectory()).filePath(run->suggestedFileName()) : run->filePath();
        path = askExportFile(tr("Save Run"), suggestion, tr("Taskline runs (*%1)").arg(QLatin1String(kRunFileSuffix)));
        if (path.isEmpty())
            return false;
    }
    path = withSuffix(path, QLatin1String(kRunFileSuffix));
    QString error;
    if (!run->save(path, &error)) {
        showError(tr("Cannot save the run"), error);
        return false;
    }
    addRecent(QFileInfo(path).absoluteFilePath());
    m_runTabs->refreshTitle(m_runTabs->indexOf(run.get()));
    statusBar()->showMessage(tr("Saved the run to %1").arg(path), 6000);
    return true;
}

bool MainWindow::exportSpansCsv(const QString& file)
{
    const std::shared_ptr<RunDocument> run = shownRun();
    if (!run) {
        showError(tr("Cannot export the run"), tr("There is no finished run on screen: run the mix, or open a run."));
        return false;
    }
    QString path = file;
    if (path.isEmpty()) {
        path = askExportFile(tr("Export Spans as CSV"), QDir(exportDirectory()).filePath(baseName(*run) + ".csv"),
            tr("CSV files (*.csv)"));
        if (path.isEmpty())
            return false;
    }
    QString error;
    if (!run->exportCsv(path, &error)) {
        showError(tr("Cannot export the run"), error);
        return false;
    }
    statusBar()->showMessage(
        tr("Wrote %1 spans to %2").arg(QLocale().toString(qulonglong(run->store().spans().size())), path), 6000);
    return true;
}

bool MainWindow::exportChromeTrace(const QString& file)
{
    const std::shared_ptr<RunDocument> run = shownRun();
    if (!run) {
        showError(tr("Cannot export the run"), tr("There is no finished run on screen: run the mix, or open a run."));
        return false;
    }
    QString path = file;
    if (path.isEmpty()) {
        path = askExportFile(tr("Export Chrome Trace"),
            QDir(exportDirectory()).filePath(baseName(*run) + ".trace.json"), tr("Chrome Trace Event JSON (*.json)"));
        if (path.isEmpty())
            return false;
    }
    QString error;
    if (!run->exportChromeTrace(path, &error)) {
        showError(tr("Cannot export the run"), error);
        return false;
    }
    statusBar()->showMessage(tr("Wrote the trace to %1 (open it in Perfetto or chrome://tracing)").arg(path), 6000);
    return true;
}

} // namespace taskline
