// Replay of a finished run in the window: the play head moves at the chosen speed, pause and steps move exactly
// (buttons and keys), nothing right of the play head is painted, the summary and the task details follow the play
// head (against summarizeUntil), End shows the whole run again pixel for pixel, and the run's store never changes.

#include "httpfetch.h"
#include "mainwindow.h"
#include "mixdocument.h"
#include "palette.h"
#include "replaybar.h"
#include "replaycontroller.h"
#include "runcontroller.h"
#include "rundocument.h"
#include "runpanel.h"
#include "runtabs.h"
#include "summarypanel.h"
#include "taskdetailspanel.h"
#include "testutil.h"
#include "timelinerenderer.h"
#include "traceclip.h"

#include <QAction>
#include <QComboBox>
#include <QElapsedTimer>
#include <QImage>
#include <QJsonDocument>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace taskline;
using namespace taskline::test;

namespace {

constexpr int kRunTimeoutMs = 60'000;
constexpr int64_t kMs = 1'000'000;

QByteArray summaryJson(const RunSummary& s)
{
    return QJsonDocument(summaryToJson(s)).toJson(QJsonDocument::Compact);
}

bool isStateColour(const QColor& c)
{
    for (int s = 0; s < kTaskStateCount; ++s)
        if (c == stateColor(TaskState(s)))
            return true;
    return false;
}

} // namespace

class TestReplay : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void replayBarShowsForAFinishedRun();
    void playAdvancesAtTheChosenSpeed_data();
    void playAdvancesAtTheChosenSpeed();
    void pauseAndStepsMoveExactly();
    void keysStepThePlayHead();
    void keysStayWithTextFields();
    void nothingIsPaintedRightOfThePlayHead();
    void summaryAndDetailsFollowThePlayHead();
    void endShowsTheWholeRunAgain();
    void replayOfAnOpenedRun();

private:
    ReplayController* replay() const { return m_window->replay(); }
    const RunDocument& run() const { return *m_window->shownRun(); }
    QImage canvas() const { return m_window->traceView()->canvas()->grab().toImage(); }
    double playHeadX() const;

    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_dir;
    uint64_t m_generation = 0;
    size_t m_spans = 0;
};

void TestReplay::initTestCase()
{
    initNetworking();
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("TasklineTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_replay"));
    QSettings().clear();
    m_window = std::make_unique<MainWindow>();
    m_window->setUnsavedPrompt([](const QString&) { return QMessageBox::Discard; });
    m_window->resize(1400, 900);
    m_window->show();
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    // Fetches, computing under the GIL and a sleep: a few hundred ms with many state changes.
    const Mix mix = mixOf(QStringLiteral("replayed"),
        { task(QStringLiteral("page"), 3, { Step::makeFetch(labUrl(120, 4000)), Step::makeCompute(40) }),
            task(QStringLiteral("nap"), 1, { Step::makeSleep(150) }) });
    QString error;
    QVERIFY2(m_window->document()->setMix(mix, &error), qPrintable(error));
    RunSettings s = m_window->runPanel()->settings();
    s.mode = Mode::Threads;
    s.workers = 3;
    m_window->runPanel()->setSettings(s);
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    m_window->runMix();
    QVERIFY2(m_window->runController()->isRunning(), qPrintable(m_window->lastError()));
    QVERIFY(finished.wait(kRunTimeoutMs));
    QVERIFY(m_window->shownRun());
    QVERIFY(run().store().endNs() > 200 * kMs);
    m_generation = m_window->traceStore().generation();
    m_spans = m_window->traceStore().spans().size();
}

void TestReplay::cleanupTestCase()
{
    // Replay only ever read the run.
    QCOMPARE(m_window->traceStore().generation(), m_generation);
    QCOMPARE(m_window->traceStore().spans().size(), m_spans);
    m_window.reset();
}

void TestReplay::init()
{
    replay()->toEnd();
    replay()->setStepSize(ReplayController::StepSize::OneMs);
    m_window->traceView()->setFocus();
}

double TestReplay::playHeadX() const
{
    const TimelineRenderer& r = m_window->traceView()->renderer();
    return r.layout().axisLeft + r.options().scale.timeToX(double(replay()->position()));
}

void TestReplay::replayBarShowsForAFinishedRun()
{
    QVERIFY(m_window->replayBar()->isVisible());
    QCOMPARE(replay()->run(), &run().store());
    QVERIFY(replay()->isAtEnd());
    QCOMPARE(m_window->traceView()->playHeadNs(), int64_t(-1)); // the whole run, no play head
    QVERIFY(m_window->replayBar()->timeText().contains(QLatin1String(" / ")));
    for (double speed : { 0.05, 0.1, 0.25, 0.5, 1.0 })
        QVERIFY(m_window->replayBar()->speedBox()->findData(speed) >= 0);
    // The keys are in the Run menu too.
    QVERIFY(m_window->action(QStringLiteral("replayPlay")));
    QCOMPARE(m_window->action(QStringLiteral("replayPlay"))->shortcut(), QKeySequence(Qt::Key_Space));
}

void TestReplay::playAdvancesAtTheChosenSpeed_data()
{
    QTest::addColumn<double>("speed");
    QTest::addColumn<int>("targetMs"); // of run time: at least 200 ms of wall time at this speed
    QTest::newRow("one_twentieth") << 0.05 << 10;
    QTest::newRow("a_quarter") << 0.25 << 50;
    QTest::newRow("real_time") << 1.0 << 200;
}

void TestReplay::playAdvancesAtTheChosenSpeed()
{
    QFETCH(double, speed);
    QFETCH(int, targetMs);
    QComboBox* box = m_window->replayBar()->speedBox();
    box->setCurrentIndex(box->findData(speed));
    QCOMPARE(replay()->speed(), speed);
    // Timing on a shared machine is noisy: one retry.
    double rate = 0;
    for (int attempt = 0; attempt < 2; ++attempt) {
        replay()->toEnd();
        QSignalSpy moved(replay(), &ReplayController::positionChanged);
        m_window->action(QStringLiteral("replayPlay"))->trigger(); // from the end: again from the start
        QElapsedTimer wall;
        wall.start();
        QVERIFY(replay()->isPlaying());
        QVERIFY(replay()->position() < 2 * kMs);
        QTRY_VERIFY_WITH_TIMEOUT(replay()->position() >= targetMs * kMs, 20'000);
        const double elapsedMs = double(wall.nsecsElapsed()) / 1e6;
        rate = double(replay()->position()) / 1e6 / elapsedMs;
        const double frames = moved.count();
        m_window->action(QStringLiteral("replayPlay"))->trigger();
        QVERIFY(!replay()->isPlaying());
        qInfo("speed %.2f: %.1f ms of the run in %.1f ms (%.3f×), %g frames", speed, double(replay()->position()) / 1e6,
            elapsedMs, rate, frames);
        // At most 60 frames a second (with slack for timer coalescing).
        QVERIFY2(frames <= elapsedMs / 1000 * 60 * 1.2 + 3, qPrintable(QString::number(frames)));
        if (rate > speed * 0.6 && rate < speed * 1.1)
            break;
    }
    QVERIFY2(rate > speed * 0.6 && rate < speed * 1.1, qPrintable(QString::number(rate)));
    // Paused, it stays.
    const int64_t at = replay()->position();
    QSignalSpy moved(replay(), &ReplayController::positionChanged);
    QVERIFY(!moved.wait(150));
    QCOMPARE(replay()->position(), at);
}

void TestReplay::pauseAndStepsMoveExactly()
{
    replay()->seek(50 * kMs);
    QCOMPARE(replay()->position(), 50 * kMs);
    QAction* forward = m_window->action(QStringLiteral("replayStepForward"));
    QAction* back = m_window->action(QStringLiteral("replayStepBack"));
    forward->trigger();
    QCOMPARE(replay()->position(), 51 * kMs);
    QComboBox* step = m_window->replayBar()->stepBox();
    step->setCurrentIndex(step->findData(int(ReplayController::StepSize::TenMs)));
    forward->trigger();
    QCOMPARE(replay()->position(), 61 * kMs);
    back->trigger();
    QCOMPARE(replay()->position(), 51 * kMs);

    // One event: to the next moment something happened, and back to the one before.
    step->setCurrentIndex(step->findData(int(ReplayController::StepSize::OneEvent)));
    const std::vector<Event>& events = run().store().events();
    const auto next = std::upper_bound(
        events.begin(), events.end(), 51 * kMs, [](int64_t t, const Event& e) { return t < e.timeNs; });
    QVERIFY(next != events.end());
    forward->trigger();
    QCOMPARE(replay()->position(), next->timeNs);
    const int64_t at = replay()->position();
    const auto before = std::prev(
        std::lower_bound(events.begin(), events.end(), at, [](const Event& e, int64_t t) { return e.timeNs < t; }));
    back->trigger();
    QCOMPARE(replay()->position(), before->timeNs);

    // Stepping pauses a playing replay.
    m_window->action(QStringLiteral("replayPlay"))->trigger();
    QVERIFY(replay()->isPlaying());
    forward->trigger();
    QVERIFY(!replay()->isPlaying());

    // The ends: Home goes to 0, End to the whole run; steps stop there.
    m_window->action(QStringLiteral("replayToStart"))->trigger();
    QCOMPARE(replay()->position(), int64_t(0));
    QVERIFY(!back->isEnabled());
    m_window->action(QStringLiteral("replayToEnd"))->trigger();
    QVERIFY(replay()->isAtEnd());
    QVERIFY(!forward->isEnabled());
}

void TestReplay::keysStepThePlayHead()
{
    QWidget* canvas = m_window->traceView()->canvas();
    canvas->setFocus();
    QTRY_VERIFY(canvas->hasFocus());
    replay()->seek(80 * kMs);
    QTest::keyClick(canvas, Qt::Key_Right);
    QCOMPARE(replay()->position(), 81 * kMs);
    QTest::keyClick(canvas, Qt::Key_Left);
    QTest::keyClick(canvas, Qt::Key_Left);
    QCOMPARE(replay()->position(), 79 * kMs);
    QTest::keyClick(canvas, Qt::Key_Space);
    QVERIFY(replay()->isPlaying());
    QTest::keyClick(canvas, Qt::Key_Space);
    QVERIFY(!replay()->isPlaying());
    QTest::keyClick(canvas, Qt::Key_Home);
    QCOMPARE(replay()->position(), int64_t(0));
    QTest::keyClick(canvas, Qt::Key_End);
    QVERIFY(replay()->isAtEnd());
}

void TestReplay::keysStayWithTextFields()
{
    auto* name = m_window->findChild<QLineEdit*>(QStringLiteral("mixName"));
    QVERIFY(name);
    replay()->seek(30 * kMs);
    name->setFocus();
    QTRY_VERIFY(name->hasFocus());
    name->setCursorPosition(0);
    QTest::keyClick(name, Qt::Key_Right);
    QTest::keyClick(name, Qt::Key_Space);
    QCOMPARE(replay()->position(), 30 * kMs);
    QVERIFY(!replay()->isPlaying());
    QCOMPARE(name->cursorPosition(), 2); // the field got both keys
    QVERIFY(m_window->document()->undoStack()->canUndo());
    m_window->document()->undoStack()->undo();
}

void TestReplay::nothingIsPaintedRightOfThePlayHead()
{
    const TimelineRenderer& r = m_window->traceView()->renderer();
    const size_t lanes = r.layout().lanes.size();
    const QImage whole = canvas();
    replay()->seek(run().store().endNs() * 2 / 5);
    QCOMPARE(m_window->traceView()->playHeadNs(), replay()->position());
    const QImage image = canvas();
    const TimelineLayout& L = r.layout();
    QCOMPARE(L.lanes.size(), lanes); // the lanes stay put while the play head moves
    QCOMPARE(r.options().shapeStore, &run().store());
    QCOMPARE(r.store(), &replay()->clip().store());
    const int x = int(std::floor(playHeadX()));
    QVERIFY(x > L.axisLeft + 20 && x < L.axisLeft + L.axisWidth - 20);
    const ThemeColors& theme = themeColors(m_window->traceView()->theme());
    int leftPainted = 0, wholeRightPainted = 0;
    for (int i = 0; i < int(L.lanes.size()); ++i) {
        const QRect row = L.laneRect(i, 0);
        if (!L.lanesArea.contains(row.center()))
            continue;
        const int y = row.center().y();
        for (int px = x + 3; px < L.axisLeft + L.axisWidth; ++px) {
            const QColor c = image.pixelColor(px, y);
            if (isStateColour(c) || c == theme.utilization)
                QFAIL(qPrintable(QStringLiteral("lane %1 is painted at x %2, right of the play head at %3")
                                     .arg(L.lanes[size_t(i)].label)
                                     .arg(px)
                                     .arg(x)));
            wholeRightPainted += isStateColour(whole.pixelColor(px, y));
        }
        for (int px = L.axisLeft; px < x - 2; ++px)
            leftPainted += isStateColour(image.pixelColor(px, y));
        // The play head itself, in the text colour.
        QCOMPARE(image.pixelColor(x, y), theme.text);
    }
    QVERIFY(leftPainted > 50);
    QVERIFY(wholeRightPainted > 50); // the whole run does have spans there
    // The utilization rows end at the play head too.
    for (const TimelineUtilRow& row : L.utilRows) {
        for (int px = x + 3; px < L.axisLeft + L.axisWidth; ++px) {
            const QColor c = image.pixelColor(px, row.rect.bottom() - 2);
            QVERIFY2(c != theme.utilization, qPrintable(QStringLiteral("%1 at x %2").arg(row.label).arg(px)));
        }
    }
}

void TestReplay::summaryAndDetailsFollowThePlayHead()
{
    const int64_t t = run().store().endNs() / 3;
    replay()->seek(t);
    SummaryPanel* summary = m_window->summaryPanel();
    QVERIFY(summary->isReplay());
    QCOMPARE(summaryJson(*summary->summary()), summaryJson(summarizeUntil(run().result(), run().store(), t)));
    QVERIFY2(summary->figure(QStringLiteral("wall")).contains(QLatin1String(" of ")),
        qPrintable(summary->figure(QStringLiteral("wall"))));
    // A task's details as of the play head.
    emit summary->taskClicked(0);
    QCOMPARE(m_window->detailsPanel()->task(), 0);
    const TraceStore& clip = replay()->clip().store();
    QVERIFY2(m_window->detailsPanel()->statusText().startsWith(stateLabel(clip.taskState(0))),
        qPrintable(m_window->detailsPanel()->statusText()));
    QVERIFY(clip.taskState(0) != TaskState::Done); // a third of the way in, the first page is not done yet
    // The status bar counts the tasks done by then, also after a change of theme.
    const QString done
        = QStringLiteral("%1 / %2 tasks done at the play head").arg(clip.tasksFinished()).arg(clip.taskCount());
    QCOMPARE(m_window->statusText(QStringLiteral("tasks")), done);
    const Theme theme = m_window->theme();
    m_window->setTheme(theme == Theme::Dark ? Theme::Light : Theme::Dark);
    QCOMPARE(m_window->statusText(QStringLiteral("tasks")), done);
    m_window->setTheme(theme);
    // Moving on updates both.
    replay()->seek(t * 2);
    QCOMPARE(summaryJson(*summary->summary()), summaryJson(summarizeUntil(run().result(), run().store(), t * 2)));
    QVERIFY(m_window->detailsPanel()->statusText().startsWith(stateLabel(replay()->clip().store().taskState(0))));
    emit summary->taskClicked(-1);
}

void TestReplay::endShowsTheWholeRunAgain()
{
    const QImage before = canvas();
    const QByteArray full = summaryJson(*m_window->lastSummary());
    replay()->seek(run().store().endNs() / 2);
    QVERIFY(canvas() != before);
    m_window->action(QStringLiteral("replayToEnd"))->trigger();
    QCOMPARE(m_window->traceView()->playHeadNs(), int64_t(-1));
    QCOMPARE(m_window->traceView()->renderer().store(), &m_window->traceStore());
    QVERIFY(!m_window->summaryPanel()->isReplay());
    QCOMPARE(summaryJson(*m_window->summaryPanel()->summary()), full);
    QCOMPARE(canvas(), before);
    // Playing to the end gets there too, and rests.
    QComboBox* box = m_window->replayBar()->speedBox();
    box->setCurrentIndex(box->findData(1.0));
    replay()->seek(run().store().endNs() - 30 * kMs);
    m_window->action(QStringLiteral("replayPlay"))->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(!replay()->isPlaying(), 10'000);
    QVERIFY(replay()->isAtEnd());
    QCOMPARE(m_window->traceView()->playHeadNs(), int64_t(-1));
    QCOMPARE(canvas(), before);
}

void TestReplay::replayOfAnOpenedRun()
{
    const QString file = m_dir.filePath(QStringLiteral("replayed.taskline-run"));
    QVERIFY(m_window->saveRun(file));
    QVERIFY(m_window->openRun(file));
    const RunDocument& opened = run();
    QCOMPARE(opened.origin(), RunDocument::Origin::File);
    QCOMPARE(replay()->run(), &opened.store());
    const uint64_t generation = opened.store().generation();
    const QImage before = canvas();
    QComboBox* box = m_window->replayBar()->speedBox();
    box->setCurrentIndex(box->findData(0.5));
    m_window->action(QStringLiteral("replayPlay"))->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(replay()->position() >= 40 * kMs, 10'000);
    m_window->action(QStringLiteral("replayPlay"))->trigger();
    QCOMPARE(m_window->traceView()->renderer().store(), &replay()->clip().store());
    QCOMPARE(summaryJson(*m_window->summaryPanel()->summary()),
        summaryJson(summarizeUntil(opened.result(), opened.store(), replay()->position())));
    m_window->action(QStringLiteral("replayToEnd"))->trigger();
    QCOMPARE(canvas(), before);
    QCOMPARE(opened.store().generation(), generation);
    // Back to the live tab: its own run, whole.
    m_window->runTabs()->setCurrentIndex(0);
    QCOMPARE(replay()->run(), &m_window->shownRun()->store());
    QVERIFY(replay()->isAtEnd());
}

QTEST_MAIN(TestReplay)
#include "tst_replay.moc"
