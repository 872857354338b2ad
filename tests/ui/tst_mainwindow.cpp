// The main window end to end, under the offscreen platform: it opens the default preset on first start and files
// from the command line or a drop, runs small real mixes (lab server fetches, computes, sleeps) through its run
// controller, fills the trace store with a lane per worker, shows the summary and the selected task's steps, keeps
// the window responsive while a run goes on, stops a run promptly with its partial timeline kept, and remembers
// its theme and lane mode.

#include "executor.h"
#include "helpdialog.h"
#include "httpfetch.h"
#include "mainwindow.h"
#include "mixdocument.h"
#include "mixformat.h"
#include "runcontroller.h"
#include "runpanel.h"
#include "statebarchart.h"
#include "summarypanel.h"
#include "taskdetailspanel.h"
#include "tasktablemodel.h"
#include "testutil.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <memory>
#include <set>

using namespace taskline;
using namespace taskline::test;

namespace {

constexpr int kRunTimeoutMs = 60'000;

// Fetches from the lab server, computing and sleeping: every kind of step, a few hundred ms in all.
Mix smallMix()
{
    return mixOf(QStringLiteral("small"),
        { task(QStringLiteral("page"), 3, { Step::makeFetch(labUrl(80, 4000)), Step::makeCompute(30) }),
            task(QStringLiteral("nap"), 1, { Step::makeSleep(50) }) });
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();

    void opensTheDefaultPresetOnFirstStart();
    void opensAFileFromTheCommandLine();
    void reportsAFileThatCannotBeRead();
    void runShowsALanePerWorkerAndTheSummary();
    void speedupIsMeasuredAgainstTheSequentialRun();
    void stopEndsTheRunPromptlyAndKeepsTheTimeline();
    void failedTaskShowsItsError();
    void droppedFileIsOpened();
    void helpOpensThePresetsItTalksAbout();
    void unavailableModesAreMarked();
    void themeAndLanesAreRemembered();

private:
    MainWindow* makeWindow();
    void setMix(const Mix& mix, Mode mode, int workers);
    bool runAndWait();

    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_dir;
};

void TestMainWindow::initTestCase()
{
    initNetworking();
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("TasklineTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
    QVERIFY2(QSettings().fileName().contains(QLatin1String("qttest")), qPrintable(QSettings().fileName()));
    QVERIFY(m_dir.isValid());
}

void TestMainWindow::init()
{
    QSettings().clear();
}

void TestMainWindow::cleanup()
{
    m_window.reset();
}

MainWindow* TestMainWindow::makeWindow()
{
    m_window = std::make_unique<MainWindow>();
    m_window->setUnsavedPrompt([](const QString&) { return QMessageBox::Discard; });
    m_window->show();
    m_window->activateWindow();
    if (!QTest::qWaitForWindowActive(m_window.get()))
        qWarning("the window did not become active");
    return m_window.get();
}

void TestMainWindow::setMix(const Mix& mix, Mode mode, int workers)
{
    QString error;
    QVERIFY2(m_window->document()->setMix(mix, &error), qPrintable(error));
    RunSettings s = m_window->runPanel()->settings();
    s.mode = mode;
    s.workers = workers;
    m_window->runPanel()->setSettings(s);
}

bool TestMainWindow::runAndWait()
{
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    m_window->runMix();
    if (!m_window->runController()->isRunning()) {
        qWarning("the run did not start: %s", qPrintable(m_window->lastError()));
        return false;
    }
    return finished.wait(kRunTimeoutMs);
}

void TestMainWindow::opensTheDefaultPresetOnFirstStart()
{
    MainWindow* w = makeWindow();
    w->openInitial();
    QCOMPARE(w->document()->source(), QStringLiteral("preset:") + QLatin1String(kDefaultPreset));
    QVERIFY(!w->document()->isModified());
    QVERIFY(w->taskModel()->rowCount() > 0);
    QVERIFY(w->windowTitle().contains(QLatin1String(kDefaultPreset)));
    QVERIFY(!w->windowIcon().isNull());
    QCOMPARE(w->statusText(QStringLiteral("state")), QStringLiteral("Ready"));
    QVERIFY(w->action(QStringLiteral("run"))->isEnabled());
    QVERIFY(!w->action(QStringLiteral("stop"))->isEnabled());
}

void TestMainWindow::opensAFileFromTheCommandLine()
{
    const QString file = m_dir.filePath(QStringLiteral("argv.taskline.json"));
    QString error;
    QVERIFY2(saveMix(file, smallMix(), &error), qPrintable(error));
    MainWindow* w = makeWindow();
    w->openInitial(file);
    QCOMPARE(w->document()->filePath(), QFileInfo(file).absoluteFilePath());
    QCOMPARE(w->document()->mix(), smallMix());
    QCOMPARE(w->recentFiles().value(0), QFileInfo(file).absoluteFilePath());
    QVERIFY(w->lastError().isEmpty());
}

void TestMainWindow::reportsAFileThatCannotBeRead()
{
    const QString bad = m_dir.filePath(QStringLiteral("bad.taskline.json"));
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(
        R"({ "format": "taskline-mix/1", "name": "x", "tasks": [ { "name": "t", "steps": [ { "sleep": { "ms": -4 } } ] } ] })");
    f.close();
    MainWindow* w = makeWindow();
    w->openInitial(bad);
    // The reason names the file, the field and the problem; the default preset is shown behind it.
    QVERIFY2(w->lastError().contains(QLatin1String("bad.taskline.json")), qPrintable(w->lastError()));
    QVERIFY2(w->lastError().contains(QLatin1String("tasks[0].steps[0].sleep.ms")), qPrintable(w->lastError()));
    QVERIFY2(w->lastError().contains(QLatin1String("must be at least 0")), qPrintable(w->lastError()));
    QCOMPARE(w->document()->source(), QStringLiteral("preset:") + QLatin1String(kDefaultPreset));
    QVERIFY(!w->openSource(m_dir.filePath(QStringLiteral("missing.taskline.json"))));
    QVERIFY(w->lastError().contains(QLatin1String("no such file")));
}

void TestMainWindow::runShowsALanePerWorkerAndTheSummary()
{
    MainWindow* w = makeWindow();
    setMix(smallMix(), Mode::Threads, 4);
    QAbstractItemModelTester tester(w->taskModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy batches(w->runController(), &RunController::batchesAvailable);

    // The GUI thread must stay free while the run goes on: a timer measures the longest pause of the event loop.
    QElapsedTimer clock;
    qint64 lastTick = 0;
    qint64 longestPause = 0;
    QTimer ticker;
    ticker.setInterval(5);
    connect(&ticker, &QTimer::timeout, this, [&] {
        const qint64 now = clock.elapsed();
        longestPause = std::max(longestPause, now - lastTick);
        lastTick = now;
    });

    QSignalSpy finished(w, &MainWindow::runFinished);
    clock.start();
    ticker.start();
    w->runMix();
    QVERIFY2(w->runController()->isRunning(), qPrintable(w->lastError()));
    // While it runs: Run is disabled and a second run does not start; Stop is enabled.
    QVERIFY(!w->action(QStringLiteral("run"))->isEnabled());
    QVERIFY(w->action(QStringLiteral("stop"))->isEnabled());
    const quint64 id = w->runController()->runId();
    w->runMix();
    QCOMPARE(w->runController()->runId(), id);
    QVERIFY(w->statusText(QStringLiteral("state")).contains(QLatin1String("Running")));

    QVERIFY(finished.wait(kRunTimeoutMs));
    const double runSeconds = double(clock.elapsed()) / 1000.0;
    ticker.stop();
    qInfo("run took %.2f s; %lld batch notifications; longest event-loop pause %lld ms", runSeconds,
        qlonglong(batches.count()), qlonglong(longestPause));
    // At most 60 notifications a second (with room for the final one and timer slack).
    QVERIFY2(batches.count() <= int(runSeconds * 60 * 1.25) + 3, qPrintable(QString::number(batches.count())));
    QVERIFY2(longestPause < 500, qPrintable(QString::number(longestPause)));

    const TraceStore& store = w->traceStore();
    QCOMPARE(store.taskCount(), 4);
    QVERIFY(store.isFinished());
    // A lane per worker: every worker of the run is a pool thread, and every one of them has spans.
    QVERIFY(!store.workers().empty());
    QVERIFY(store.workers().size() <= 4);
    for (const WorkerInfo& worker : store.workers()) {
        QCOMPARE(worker.kind, WorkerKind::Thread);
        QVERIFY2(!store.workerSpans(worker.id).empty(), qPrintable(worker.name));
    }
    std::set<int> used;
    for (int t = 0; t < store.taskCount(); ++t) {
        QCOMPARE(store.taskState(t), TaskState::Done);
        QVERIFY(!store.taskSpans(t).empty());
        used.insert(store.taskWorker(t));
    }
    QVERIFY(used.size() >= 2); // the tasks were spread over the pool

    // The summary: figures and a bar per task.
    QVERIFY(w->lastSummary().has_value());
    const RunSummary& s = *w->lastSummary();
    QVERIFY(s.wallMs > 50);
    SummaryPanel* panel = w->summaryPanel();
    QCOMPARE(panel->figure(QStringLiteral("wall")), SummaryPanel::formatDuration(s.wallMs));
    QCOMPARE(panel->figure(QStringLiteral("cpu")), SummaryPanel::formatDuration(s.cpuMs));
    QVERIFY(panel->figure(QStringLiteral("cores")).endsWith(QStringLiteral("of %1").arg(s.cores)));
    QCOMPARE(int(panel->chart()->rows().size()), 4);
    QVERIFY(w->statusText(QStringLiteral("state")).startsWith(QLatin1String("Finished in")));
    QCOMPARE(w->statusText(QStringLiteral("tasks")), QStringLiteral("4 / 4 tasks done"));
    QCOMPARE(w->statusText(QStringLiteral("dropped")), QStringLiteral("0 dropped"));
    QVERIFY(w->action(QStringLiteral("run"))->isEnabled());
    QVERIFY(!w->action(QStringLiteral("stop"))->isEnabled());

    // Clicking a task's bar shows its steps with their durations; the fetch step spent its time blocked on I/O.
    emit panel->chart()->rowClicked(1);
    TaskDetailsPanel* details = w->detailsPanel();
    QCOMPARE(details->task(), 1);
    const auto& rows = details->chart()->rows();
    QVERIFY(rows.size() >= 3); // the whole task, then its two steps
    const StateBarRow& fetch = rows[rows.size() - 2];
    QVERIFY(fetch.label.contains(QLatin1String("fetch 80 ms")));
    QVERIFY2(fetch.ms[size_t(TaskState::BlockedIo)] >= 60, qPrintable(QString::number(fetch.ms[4])));
    QVERIFY(details->statusText().startsWith(QLatin1String("Done")));
    // The mix row of that task is selected too, and the timeline selects the task.
    QCOMPARE(w->taskView()->currentIndex().row(), 0);
    QCOMPARE(w->traceView()->selectedTask(), 1);
    // Choosing the row in the mix shows its three tasks together (the mean of each step), with no one task
    // singled out in the timeline.
    w->taskView()->setCurrentIndex(w->taskModel()->index(1, 0));
    w->taskView()->setCurrentIndex(w->taskModel()->index(0, 0));
    QCOMPARE(details->task(), -1);
    QCOMPARE(w->traceView()->selectedTask(), -1);
    QVERIFY2(details->statusText().startsWith(QStringLiteral("3 tasks in the run · 3 done")),
        qPrintable(details->statusText()));
    QVERIFY(details->chart()->rows().front().label.contains(QLatin1String("mean")));
}

void TestMainWindow::speedupIsMeasuredAgainstTheSequentialRun()
{
    MainWindow* w = makeWindow();
    setMix(smallMix(), Mode::Sequential, 0);
    QVERIFY(runAndWait());
    QVERIFY(w->summaryPanel()->figure(QStringLiteral("speedup")).contains(QLatin1String("baseline")));
    const double sequentialMs = w->lastSummary()->wallMs;

    RunSettings s = w->runPanel()->settings();
    s.mode = Mode::Threads;
    s.workers = 4;
    w->runPanel()->setSettings(s);
    QVERIFY(runAndWait());
    const QString speedup = w->summaryPanel()->figure(QStringLiteral("speedup"));
    QVERIFY2(speedup.contains(QStringLiteral("× vs sequential")), qPrintable(speedup));
    const double expected = sequentialMs / w->lastSummary()->wallMs;
    QCOMPARE(speedup, QStringLiteral("%1× vs sequential").arg(QLocale().toString(expected, 'f', 2)));

    // A different mix has no baseline.
    QVERIFY(w->taskModel()->setData(w->taskModel()->index(1, TaskTableModel::CountColumn), QStringLiteral("2")));
    QVERIFY(runAndWait());
    QVERIFY(!w->summaryPanel()->figure(QStringLiteral("speedup")).contains(QStringLiteral("×")));
}

void TestMainWindow::stopEndsTheRunPromptlyAndKeepsTheTimeline()
{
    MainWindow* w = makeWindow();
    const Mix mix = mixOf(QStringLiteral("long"),
        { task(QStringLiteral("sleeper"), 4, { Step::makeSleep(20'000) }),
            task(QStringLiteral("worker"), 1, { Step::makeCompute(20'000) }) });
    setMix(mix, Mode::Threads, 5);
    QSignalSpy finished(w, &MainWindow::runFinished);
    w->runMix();
    QVERIFY2(w->runController()->isRunning(), qPrintable(w->lastError()));
    // Wait until every task is on the timeline (sleeping or computing).
    QTRY_VERIFY_WITH_TIMEOUT(w->traceStore().spans().size() >= 10, 20'000);

    // Edits during the run change the mix, not the run.
    QVERIFY(w->taskModel()->setData(w->taskModel()->index(0, TaskTableModel::CountColumn), QStringLiteral("9")));
    QCOMPARE(w->traceStore().taskCount(), 5);
    QCOMPARE(int(w->runController()->tasks().size()), 5);

    QElapsedTimer stopClock;
    stopClock.start();
    QTest::keyClick(w, Qt::Key_Escape); // Stop's shortcut
    QCOMPARE(w->statusText(QStringLiteral("state")), QStringLiteral("Stopping…"));
    QVERIFY(!w->action(QStringLiteral("stop"))->isEnabled());
    QVERIFY(finished.wait(10'000));
    const qint64 stopMs = stopClock.elapsed();
    qInfo("stopped in %lld ms", qlonglong(stopMs));
    QVERIFY2(stopMs < 3000, qPrintable(QString::number(stopMs)));

    // The partial timeline stays: spans of every task, ending where the run ended.
    const TraceStore& store = w->traceStore();
    QVERIFY(store.isFinished());
    QCOMPARE(store.taskCount(), 5);
    for (int t = 0; t < store.taskCount(); ++t)
        QVERIFY(!store.taskSpans(t).empty());
    QVERIFY(!spansOf(store, 0, TaskState::Sleeping).empty());
    QVERIFY(!spansOf(store, 4, TaskState::Running).empty());
    QVERIFY(store.endNs() < 15'000'000'000);
    QVERIFY(w->lastSummary()->stopped);
    QVERIFY(w->statusText(QStringLiteral("state")).startsWith(QLatin1String("Stopped after")));
    auto* warnings = w->summaryPanel()->findChild<QLabel*>(QStringLiteral("warnings"));
    QVERIFY(warnings->text().contains(QLatin1String("Stopped before every task finished")));
    QVERIFY(w->action(QStringLiteral("run"))->isEnabled());
}

void TestMainWindow::failedTaskShowsItsError()
{
    MainWindow* w = makeWindow();
    const Mix mix = mixOf(QStringLiteral("failing"),
        { task(QStringLiteral("missing"), 1, { Step::makeFetch(QStringLiteral("lab:/status/404")) }),
            task(QStringLiteral("fine"), 1, { Step::makeSleep(10) }) });
    setMix(mix, Mode::Threads, 2);
    QVERIFY(runAndWait());
    QCOMPARE(w->traceStore().taskState(0), TaskState::Failed);
    // Selecting the task's row in the mix shows its tasks in the run, with the reason one failed.
    w->taskView()->setCurrentIndex(w->taskModel()->index(1, 0));
    w->taskView()->setCurrentIndex(w->taskModel()->index(0, 0));
    TaskDetailsPanel* details = w->detailsPanel();
    QCOMPARE(details->task(), -1);
    QVERIFY2(details->errorText().startsWith(QLatin1String("missing: ")), qPrintable(details->errorText()));
    QVERIFY2(details->errorText().contains(QLatin1String("404")), qPrintable(details->errorText()));
    QVERIFY(details->statusText().contains(QLatin1String("1 failed")));
    // Clicking the task's bar in the summary shows that one task.
    emit w->summaryPanel()->chart()->rowClicked(0);
    QCOMPARE(details->task(), 0);
    QCOMPARE(w->traceView()->selectedTask(), 0);
    QVERIFY2(details->errorText().contains(QLatin1String("404")), qPrintable(details->errorText()));
    QVERIFY(
        w->summaryPanel()->findChild<QLabel*>(QStringLiteral("warnings"))->text().contains(QLatin1String("failed")));
    QVERIFY(w->summaryPanel()->chart()->rows()[0].failed);
}

void TestMainWindow::droppedFileIsOpened()
{
    const QString file = m_dir.filePath(QStringLiteral("dropped.taskline.json"));
    QString error;
    QVERIFY2(saveMix(file, smallMix(), &error), qPrintable(error));
    MainWindow* w = makeWindow();
    w->openInitial();
    QMimeData data;
    data.setUrls({ QUrl::fromLocalFile(file) });
    const QPoint at = w->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(w, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(w, &drop);
    QTRY_COMPARE(w->document()->filePath(), QFileInfo(file).absoluteFilePath());
    QCOMPARE(w->document()->mix(), smallMix());
}

void TestMainWindow::helpOpensThePresetsItTalksAbout()
{
    MainWindow* w = makeWindow();
    w->openInitial();
    w->showHelp();
    auto* help = w->findChild<HelpDialog*>();
    QVERIFY(help && help->isVisible());
    const QStringList presets = presetNames();
    for (const char* name : { "cpu-bound", "io-bound", "mixed", "fetch-and-scan", "convoy", "long-c-call",
             "releases-gil", "many-sleeps", "blocking-client", "offload" }) {
        const QString preset = QLatin1String(name);
        // Offered exactly when this build has it.
        QCOMPARE(help->offeredPresets().contains(preset), presets.contains(preset));
    }
    for (const QString& preset : help->offeredPresets()) {
        auto* button = help->findChild<QPushButton*>(QStringLiteral("open-") + preset);
        QVERIFY2(button, qPrintable(preset));
        button->click();
        QCOMPARE(w->document()->source(), QStringLiteral("preset:") + preset);
    }
}

void TestMainWindow::unavailableModesAreMarked()
{
    MainWindow* w = makeWindow();
    auto* combo = w->runPanel()->findChild<QComboBox*>(QStringLiteral("mode"));
    auto* model = qobject_cast<QStandardItemModel*>(combo->model());
    QVERIFY(model);
    QCOMPARE(combo->count(), kModeCount);
    for (int i = 0; i < kModeCount; ++i) {
        const Mode m = Mode(i);
        const bool available = isModeAvailable(m);
        QCOMPARE(model->item(i)->isEnabled(), available);
        QCOMPARE(combo->itemText(i).contains(QLatin1String("not available yet")), !available);
        QCOMPARE(w->action(QStringLiteral("mode-") + QLatin1String(modeName(m)))->isEnabled(), available);
    }
    // A mix whose settings ask for a mode this build lacks cannot run, and says why.
    for (int i = 0; i < kModeCount; ++i) {
        if (isModeAvailable(Mode(i)))
            continue;
        setMix(smallMix(), Mode(i), 0);
        w->runMix();
        QVERIFY(!w->runController()->isRunning());
        QVERIFY(
            !w->action(QStringLiteral("run"))->isEnabled() || w->lastError().contains(QLatin1String("not available")));
    }
}

void TestMainWindow::themeAndLanesAreRemembered()
{
    {
        MainWindow* w = makeWindow();
        w->action(QStringLiteral("themeDark"))->trigger();
        QCOMPARE(w->theme(), Theme::Dark);
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 100);
        w->action(QStringLiteral("lanesByTask"))->trigger();
        QCOMPARE(w->traceView()->laneMode(), LaneMode::ByTask);
        QCOMPARE(w->traceView()->theme(), Theme::Dark);
        w->close();
        m_window.reset();
    }
    MainWindow* w = makeWindow();
    QCOMPARE(w->theme(), Theme::Dark);
    QCOMPARE(w->traceView()->laneMode(), LaneMode::ByTask);
    QVERIFY(w->action(QStringLiteral("lanesByTask"))->isChecked());
    w->action(QStringLiteral("toggleTheme"))->trigger();
    QCOMPARE(w->theme(), Theme::Light);
    QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 150);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
