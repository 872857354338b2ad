// Saved runs in the window: a real run saved from the window and opened again shows the same summary and the same
// picture without running anything; several runs open in tabs (and compare their speedups); bad files are refused
// with a message naming the file and the problem while nothing else changes; the shown run's data exports as CSV
// and Chrome trace; runs open from drops and the recent list.

#include "comparepicture.h"
#include "compareview.h"
#include "httpfetch.h"
#include "mainwindow.h"
#include "mixdocument.h"
#include "mixformat.h"
#include "palette.h"
#include "runcontroller.h"
#include "rundocument.h"
#include "runfile.h"
#include "runpanel.h"
#include "runtabs.h"
#include "summarypanel.h"
#include "taskdetailspanel.h"
#include "testutil.h"
#include "timelinerenderer.h"
#include "undocommands.h"

#include <QAction>
#include <QApplication>
#include <QDataStream>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMimeData>
#include <QPainter>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabBar>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace taskline;
using namespace taskline::test;

namespace {

constexpr int kRunTimeoutMs = 60'000;

Mix smallMix()
{
    return mixOf(QStringLiteral("saved in the window"),
        { task(QStringLiteral("page"), 3, { Step::makeFetch(labUrl(60, 4000)), Step::makeCompute(20) }),
            task(QStringLiteral("nap"), 1, { Step::makeSleep(40) }) });
}

QByteArray summaryJson(const RunSummary& s)
{
    return QJsonDocument(summaryToJson(s)).toJson(QJsonDocument::Compact);
}

// The timeline of `store` as image export paints it: the whole run across a fixed size.
QImage picture(const TraceStore& store, const RunSettings& settings, LaneMode lanes)
{
    TimelineRenderer r;
    r.setStore(&store);
    TimelineOptions o;
    o.mode = settings.mode;
    o.gil = settings.gil;
    o.laneMode = lanes;
    r.setOptions(o);
    r.setSize(QSize(900, 420));
    r.fitToRun();
    QImage image(r.size(), QImage::Format_RGB32);
    QPainter p(&image);
    r.paint(p);
    return image;
}

int pixelsOf(const QImage& image, const QColor& color)
{
    int n = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            n += image.pixelColor(x, y) == color;
    return n;
}

QString writeBytes(const QString& file, const QByteArray& data)
{
    QFile f(file);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(data) != data.size())
        return {};
    return file;
}

} // namespace

class TestRunTabs : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();

    void saveThenOpenShowsTheSameRun();
    void openingARunRunsNothingAndLoadsItsMix();
    void badFilesAreRefusedAndNothingChanges_data();
    void badFilesAreRefusedAndNothingChanges();
    void severalRunsInTabs();
    void exportsTheShownRunsData();
    void runsOpenFromDropsAndRecentFiles();

private:
    MainWindow* makeWindow();
    void setMix(const Mix& mix, Mode mode, int workers);
    bool runAndWait();
    // A run of smallMix() in `mode`, saved from a window to `name`.
    QString savedRun(const QString& name, Mode mode);

    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_dir;
};

void TestRunTabs::initTestCase()
{
    initNetworking();
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("TasklineTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_runtabs"));
    QVERIFY(m_dir.isValid());
}

void TestRunTabs::init()
{
    QSettings().clear();
}

void TestRunTabs::cleanup()
{
    m_window.reset();
}

MainWindow* TestRunTabs::makeWindow()
{
    m_window = std::make_unique<MainWindow>();
    m_window->setUnsavedPrompt([](const QString&) { return QMessageBox::Discard; });
    m_window->setExportFilePrompt([](const QString&, const QString&, const QString&) { return QString(); });
    m_window->show();
    if (!QTest::qWaitForWindowExposed(m_window.get()))
        qWarning("the window was not exposed");
    return m_window.get();
}

void TestRunTabs::setMix(const Mix& mix, Mode mode, int workers)
{
    QString error;
    QVERIFY2(m_window->document()->setMix(mix, &error), qPrintable(error));
    RunSettings s = m_window->runPanel()->settings();
    s.mode = mode;
    s.workers = workers;
    m_window->runPanel()->setSettings(s);
}

bool TestRunTabs::runAndWait()
{
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    m_window->runMix();
    if (!m_window->runController()->isRunning()) {
        qWarning("the run did not start: %s", qPrintable(m_window->lastError()));
        return false;
    }
    return finished.wait(kRunTimeoutMs);
}

QString TestRunTabs::savedRun(const QString& name, Mode mode)
{
    auto window = std::make_unique<MainWindow>();
    std::swap(window, m_window);
    setMix(smallMix(), mode, 3);
    const QString file = m_dir.filePath(name);
    const bool ok = runAndWait() && m_window->saveRun(file);
    std::swap(window, m_window);
    return ok ? file : QString();
}

void TestRunTabs::saveThenOpenShowsTheSameRun()
{
    MainWindow* w = makeWindow();
    setMix(smallMix(), Mode::Threads, 3);
    QVERIFY(!w->action(QStringLiteral("saveRun"))->isEnabled()); // nothing has run yet
    QVERIFY(runAndWait());
    QVERIFY(w->action(QStringLiteral("saveRun"))->isEnabled());

    // Save Run asks for a file, suggesting one named after the mix and the mode.
    QString suggested;
    const QString file = m_dir.filePath(QStringLiteral("roundtrip"));
    w->setExportFilePrompt([&](const QString&, const QString& suggestion, const QString& filter) {
        suggested = suggestion;
        return filter.contains(QLatin1String("taskline-run")) ? file : QString();
    });
    w->action(QStringLiteral("saveRun"))->trigger();
    QVERIFY2(suggested.endsWith(QLatin1String("saved-in-the-window-threads.taskline-run")), qPrintable(suggested));
    const QString saved = file + QLatin1String(kRunFileSuffix); // the suffix is added
    QVERIFY2(QFile::exists(saved), qPrintable(w->lastError()));

    const QByteArray liveSummary = summaryJson(*w->lastSummary());
    const QImage livePicture = picture(w->traceStore(), w->shownRun()->settings(), LaneMode::ByWorker);
    const QImage liveTasks = picture(w->traceStore(), w->shownRun()->settings(), LaneMode::ByTask);
    const quint64 runs = w->runController()->runId();
    // Not an empty picture: running and blocked-on-I/O spans are there.
    QVERIFY(pixelsOf(livePicture, stateColor(TaskState::Running)) > 100);
    QVERIFY(pixelsOf(liveTasks, stateColor(TaskState::BlockedIo)) > 100);

    QVERIFY(w->openSource(saved));
    QCOMPARE(w->runController()->runId(), runs); // nothing ran
    QCOMPARE(w->runTabs()->count(), 2);
    QCOMPARE(w->runTabs()->currentIndex(), 1);
    const std::shared_ptr<RunDocument> opened = w->shownRun();
    QVERIFY(opened && opened->origin() == RunDocument::Origin::File);
    // The same summary, in the file's document and on screen.
    QCOMPARE(summaryJson(opened->summary()), liveSummary);
    QVERIFY(w->summaryPanel()->summary());
    QCOMPARE(summaryJson(*w->summaryPanel()->summary()), liveSummary);
    // The same picture, pixel for pixel, by worker and by task.
    QCOMPARE(picture(opened->store(), opened->settings(), LaneMode::ByWorker), livePicture);
    QCOMPARE(picture(opened->store(), opened->settings(), LaneMode::ByTask), liveTasks);
    QCOMPARE(w->traceView()->renderer().store(), &opened->store());
    // The tab says what it is.
    QCOMPARE(w->runTabs()->tabBar()->tabText(1), QStringLiteral("roundtrip"));
    const QString info = w->runTabs()->infoText();
    QVERIFY2(info.contains(QLatin1String("saved in the window")) && info.contains(QLatin1String("Threads"))
            && info.contains(QLatin1String("roundtrip.taskline-run")),
        qPrintable(info));
    QVERIFY(w->statusText(QStringLiteral("state")).startsWith(QLatin1String("Saved run")));
}

void TestRunTabs::openingARunRunsNothingAndLoadsItsMix()
{
    const QString file = savedRun(QStringLiteral("coroutines.taskline-run"), Mode::Coroutines);
    QVERIFY(!file.isEmpty());
    MainWindow* w = makeWindow();
    w->openInitial(file); // as from the command line
    QVERIFY2(w->lastError().isEmpty(), qPrintable(w->lastError()));
    QCOMPARE(w->runController()->runId(), quint64(0));
    QVERIFY(!w->runController()->isRunning());
    QCOMPARE(w->runTabs()->currentIndex(), 1);
    const std::shared_ptr<RunDocument> run = w->shownRun();
    QVERIFY(run);
    QVERIFY(run->recordedAt().isValid());
    // Its mix is in the editor, with the run's settings, ready to run again.
    QCOMPARE(w->document()->mix().tasks, smallMix().tasks);
    QVERIFY(!w->document()->isModified());
    QCOMPARE(w->runPanel()->settings().mode, Mode::Coroutines);
    // The timeline, the summary and a task's details come from the file.
    QCOMPARE(w->traceView()->renderer().store(), &run->store());
    QVERIFY(!w->traceView()->renderer().layout().lanes.empty());
    QCOMPARE(summaryJson(*w->summaryPanel()->summary()), summaryJson(run->summary()));
    emit w->summaryPanel()->taskClicked(1);
    QCOMPARE(w->detailsPanel()->task(), 1);
    QVERIFY2(
        w->detailsPanel()->statusText().contains(QLatin1String("Done")), qPrintable(w->detailsPanel()->statusText()));
    QCOMPARE(w->traceView()->selectedTask(), 1);
    QCOMPARE(w->recentFiles().value(0), QFileInfo(file).absoluteFilePath());

    // Unsaved changes in the editor are never replaced by opening a run...
    w->document()->undoStack()->push(new RemoveTaskCommand(w->document(), 1));
    QVERIFY(w->document()->isModified());
    const Mix edited = w->document()->mix();
    QVERIFY(w->openRun(savedRun(QStringLiteral("threads.taskline-run"), Mode::Threads)));
    QCOMPARE(w->document()->mix(), edited);
    QVERIFY(w->document()->isModified());
    // ...only when asked to, after the question about them (answered Discard here).
    auto* load = w->runTabs()->findChild<QPushButton*>(QStringLiteral("loadRunMix"));
    QVERIFY(load && load->isVisible());
    load->click();
    QCOMPARE(w->document()->mix().tasks, smallMix().tasks);
    QVERIFY(!w->document()->isModified());
    QCOMPARE(w->runPanel()->settings().mode, Mode::Threads);
}

void TestRunTabs::badFilesAreRefusedAndNothingChanges_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("phrase");

    const QString good = savedRun(QStringLiteral("good.taskline-run"), Mode::Threads);
    QVERIFY(!good.isEmpty());
    QFile f(good);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();

    QTest::newRow("a_mix_named_like_a_run")
        << writeBytes(m_dir.filePath("mix.taskline-run"), serializeMix(smallMix())) << "not a Taskline run file";
    QTest::newRow("empty") << writeBytes(m_dir.filePath("empty.taskline-run"), QByteArray())
                           << "not a Taskline run file";
    QTest::newRow("truncated") << writeBytes(m_dir.filePath("truncated.taskline-run"), bytes.left(bytes.size() / 2))
                               << "damaged";
    QByteArray flipped = bytes;
    flipped[flipped.size() / 2] = char(flipped[flipped.size() / 2] ^ 0x5a);
    QTest::newRow("corrupted") << writeBytes(m_dir.filePath("corrupted.taskline-run"), flipped) << "damaged";
    QByteArray newer("TASKLINE");
    {
        QDataStream out(&newer, QIODevice::Append);
        out.setVersion(QDataStream::Qt_6_4);
        out << QByteArray("taskline-run") << quint32(kRunFileVersion + 1) << QByteArray("{}");
    }
    // A newer run file is recognised by its first bytes whatever its name, and refused as newer.
    QTest::newRow("newer_version") << writeBytes(m_dir.filePath("newer.json"), newer)
                                   << "written by a newer Taskline (format taskline-run/2)";
    QTest::newRow("missing") << m_dir.filePath("missing.taskline-run") << "cannot open";
}

void TestRunTabs::badFilesAreRefusedAndNothingChanges()
{
    QFETCH(QString, file);
    QFETCH(QString, phrase);
    QVERIFY(!file.isEmpty());
    MainWindow* w = makeWindow();
    w->openInitial();
    QVERIFY(w->openRun(m_dir.filePath("good.taskline-run")));
    const Mix mix = w->document()->mix();
    const QString source = w->document()->source();
    const int tabs = w->runTabs()->count();
    const int current = w->runTabs()->currentIndex();
    const QStringList recent = w->recentFiles();
    const RunDocument* shown = w->shownRun().get();

    QVERIFY(!w->openSource(file));
    // The message names the file and says what is wrong, in a message box.
    QVERIFY2(w->lastError().startsWith(QFileInfo(file).absoluteFilePath()), qPrintable(w->lastError()));
    QVERIFY2(w->lastError().contains(phrase), qPrintable(w->lastError()));
    auto* box = w->findChild<QMessageBox*>(QStringLiteral("errorBox"));
    QVERIFY(box);
    QVERIFY(box->text().contains(phrase));
    QCOMPARE(box->windowTitle(), QStringLiteral("Cannot open the run"));
    // Nothing else changed.
    QCOMPARE(w->runTabs()->count(), tabs);
    QCOMPARE(w->runTabs()->currentIndex(), current);
    QCOMPARE(w->shownRun().get(), shown);
    QCOMPARE(w->document()->mix(), mix);
    QCOMPARE(w->document()->source(), source);
    QCOMPARE(w->recentFiles(), recent);
    QCOMPARE(w->traceView()->renderer().store(), &shown->store());
}

void TestRunTabs::severalRunsInTabs()
{
    const QString sequential = savedRun(QStringLiteral("tabs-sequential.taskline-run"), Mode::Sequential);
    const QString threads = savedRun(QStringLiteral("tabs-threads.taskline-run"), Mode::Threads);
    QVERIFY(!sequential.isEmpty() && !threads.isEmpty());
    MainWindow* w = makeWindow();
    w->openInitial();
    QVERIFY(!w->runTabs()->isVisible()); // no saved run: the window as before
    QVERIFY(w->openRun(sequential));
    QVERIFY(w->openRun(threads));
    QVERIFY(w->runTabs()->isVisible());
    QCOMPARE(w->runTabs()->count(), 3);
    QCOMPARE(w->runTabs()->currentIndex(), 2);

    // Each tab shows its own run; the threads run's speedup is measured against the opened sequential run.
    QCOMPARE(w->shownRun()->settings().mode, Mode::Threads);
    QVERIFY2(w->summaryPanel()->figure(QStringLiteral("speedup")).contains(QLatin1String("vs sequential")),
        qPrintable(w->summaryPanel()->figure(QStringLiteral("speedup"))));
    w->runTabs()->setCurrentIndex(1);
    QCOMPARE(w->shownRun()->settings().mode, Mode::Sequential);
    QCOMPARE(w->summaryPanel()->summary()->settings.mode, Mode::Sequential);
    QCOMPARE(w->traceView()->renderer().store(), &w->shownRun()->store());
    QVERIFY(w->summaryPanel()->figure(QStringLiteral("speedup")).contains(QLatin1String("baseline")));

    // Run → Compare Open Runs stacks the opened runs in the comparison window, in tab order.
    w->action(QStringLiteral("compareOpenRuns"))->trigger();
    QVERIFY(w->compareView() && w->compareView()->isVisible());
    QCOMPARE(w->compareView()->picture().entries().size(), size_t(2));
    w->compareView()->close();

    // Opening a file that is open already shows its tab.
    QVERIFY(w->openRun(threads));
    QCOMPARE(w->runTabs()->count(), 3);
    QCOMPARE(w->runTabs()->currentIndex(), 2);

    // The live tab is the window's own (empty) run; saved runs close, the live tab does not.
    w->runTabs()->setCurrentIndex(0);
    QVERIFY(!w->shownRun());
    QCOMPARE(w->traceView()->renderer().store(), &w->traceStore());
    QVERIFY(!w->action(QStringLiteral("closeRunTab"))->isEnabled());
    QVERIFY(!w->action(QStringLiteral("saveRun"))->isEnabled());
    w->runTabs()->setCurrentIndex(1);
    w->action(QStringLiteral("closeRunTab"))->trigger();
    QCOMPARE(w->runTabs()->count(), 2);
    QCOMPARE(w->shownRun()->settings().mode, Mode::Threads);
    QCOMPARE(w->traceView()->renderer().store(), &w->shownRun()->store());

    // A new run goes to the live tab; the saved ones wait until it ends.
    setMix(smallMix(), Mode::Threads, 3);
    QSignalSpy finished(w, &MainWindow::runFinished);
    w->runMix();
    QCOMPARE(w->runTabs()->currentIndex(), 0);
    QVERIFY(!w->runTabs()->tabBar()->isTabEnabled(1));
    QVERIFY(finished.wait(kRunTimeoutMs));
    QVERIFY(w->runTabs()->tabBar()->isTabEnabled(1));
    QVERIFY(w->shownRun() && w->shownRun()->origin() == RunDocument::Origin::Live);
    QVERIFY(w->action(QStringLiteral("saveRun"))->isEnabled());
}

void TestRunTabs::exportsTheShownRunsData()
{
    MainWindow* w = makeWindow();
    setMix(smallMix(), Mode::Threads, 3);
    QVERIFY(runAndWait());
    const QString csv = m_dir.filePath(QStringLiteral("live.csv"));
    QString asked;
    w->setExportFilePrompt([&](const QString& title, const QString&, const QString&) {
        asked = title;
        return csv;
    });
    w->action(QStringLiteral("exportCsv"))->trigger();
    QCOMPARE(asked, QStringLiteral("Export Spans as CSV"));
    QFile f(csv);
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(w->lastError()));
    const QByteArray liveCsv = f.readAll();
    f.close();
    const QList<QByteArray> lines = liveCsv.trimmed().split('\n');
    QVERIFY2(lines.first().startsWith("task_id,task,worker,state,start_ms,end_ms"), lines.first().constData());
    QCOMPARE(size_t(lines.size() - 1), w->traceStore().spans().size());

    const QString trace = m_dir.filePath(QStringLiteral("live.trace.json"));
    QVERIFY(w->exportChromeTrace(trace));
    QFile t(trace);
    QVERIFY(t.open(QIODevice::ReadOnly));
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(t.readAll(), &pe);
    QCOMPARE(pe.error, QJsonParseError::NoError);
    QVERIFY(doc.object().value(QLatin1String("traceEvents")).toArray().size() > int(w->traceStore().spans().size()));

    // A saved run exports the same spans as the run it was saved from.
    const QString saved = m_dir.filePath(QStringLiteral("export.taskline-run"));
    QVERIFY(w->saveRun(saved));
    QVERIFY(w->openRun(saved));
    const QString openedCsv = m_dir.filePath(QStringLiteral("opened.csv"));
    QVERIFY(w->exportSpansCsv(openedCsv));
    QFile o(openedCsv);
    QVERIFY(o.open(QIODevice::ReadOnly));
    QCOMPARE(o.readAll(), liveCsv);

    // A file that cannot be written is reported, naming it.
    QVERIFY(!w->exportSpansCsv(m_dir.filePath(QStringLiteral("no/such/dir/x.csv"))));
    QVERIFY2(w->lastError().contains(QLatin1String("x.csv")), qPrintable(w->lastError()));
}

void TestRunTabs::runsOpenFromDropsAndRecentFiles()
{
    const QString a = savedRun(QStringLiteral("drop-a.taskline-run"), Mode::Sequential);
    const QString b = savedRun(QStringLiteral("drop-b.taskline-run"), Mode::Coroutines);
    QVERIFY(!a.isEmpty() && !b.isEmpty());
    MainWindow* w = makeWindow();
    w->openInitial();
    QMimeData data;
    data.setUrls({ QUrl::fromLocalFile(a), QUrl::fromLocalFile(b) });
    const QPoint at = w->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(w, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(w, &drop);
    QTRY_COMPARE(w->runTabs()->count(), 3); // both dropped runs, one tab each
    QVERIFY(w->recentFiles().contains(QFileInfo(a).absoluteFilePath()));
    QVERIFY(w->recentFiles().contains(QFileInfo(b).absoluteFilePath()));

    // From the recent list in a new window.
    cleanup();
    w = makeWindow();
    w->openInitial();
    QVERIFY(w->recentFiles().contains(QFileInfo(b).absoluteFilePath()));
    QVERIFY(w->openSource(QFileInfo(b).absoluteFilePath()));
    QCOMPARE(w->shownRun()->settings().mode, Mode::Coroutines);
}

QTEST_MAIN(TestRunTabs)
#include "tst_runtabs.moc"
