// The timeline view: lanes per worker and per task, span colours checked pixel by pixel, the preempted hatch, the
// level-of-detail fold, tooltips, selection, zoom around the cursor, following the live edge, utilization rows,
// and a real threads run end to end.

#include "httpfetch.h"
#include "mixformat.h"
#include "runcontroller.h"
#include "testutil.h"
#include "timelinerenderer.h"
#include "traceview.h"

#include <QDir>
#include <QPainter>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QToolTip>
#include <QWheelEvent>

using namespace taskline;
using namespace taskline::test;

namespace {

Event stateAt(double ms, int task, TaskState s, int worker, double cpuMs = -1, int step = 0)
{
    Event e {};
    e.timeNs = int64_t(ms * 1e6);
    e.cpuNs = cpuMs < 0 ? -1 : int64_t(cpuMs * 1e6);
    e.task = task;
    e.value = step;
    e.worker = int16_t(worker);
    e.core = 0;
    e.kind = EventKind::State;
    e.state = s;
    return e;
}

Event gilAt(double ms, int task, int worker, bool acquired)
{
    Event e = stateAt(ms, task, TaskState::Running, worker);
    e.kind = EventKind::Gil;
    e.value = acquired ? 1 : 0;
    return e;
}

std::vector<TaskInstance> tasksNamed(std::initializer_list<const char*> names)
{
    std::vector<TaskInstance> tasks;
    for (const char* n : names) {
        TaskInstance t;
        t.id = int(tasks.size());
        t.name = QString::fromLatin1(n);
        tasks.push_back(t);
    }
    return tasks;
}

std::vector<WorkerInfo> twoThreads()
{
    return { WorkerInfo { 0, QStringLiteral("thread-1"), WorkerKind::Thread, 0 },
        WorkerInfo { 1, QStringLiteral("thread-2"), WorkerKind::Thread, 0 } };
}

TraceBatch batchOf(std::vector<Event> events, std::vector<WorkerInfo> workers, std::vector<UtilSample> samples = {})
{
    TraceBatch b;
    b.events = std::move(events);
    b.workers = std::move(workers);
    b.samples = std::move(samples);
    return b;
}

UtilSample sampleAt(double ms, std::vector<float> busy, float processCores)
{
    UtilSample s;
    s.timeNs = int64_t(ms * 1e6);
    s.intervalNs = 10'000'000;
    s.coreBusy = std::move(busy);
    s.processCores = processCores;
    return s;
}

// Two threads, two tasks under the GIL (times in ms):
//   a: queued 0–1, running on thread-1 1–11 (all of it on a core), done at 11; holds the GIL 1–11
//   b: queued 0–2, waiting for the GIL on thread-2 2–11, running 11–21 with 4 ms CPU (40 %: preempted 60 %),
//      done at 21; holds the GIL 11–21
// Core 0 is busy all the time, core 1 idle; the run uses one core.
void fillTwoThreads(TraceStore& store)
{
    store.reset(tasksNamed({ "a", "b" }));
    store.append(batchOf(
        { stateAt(0, 0, TaskState::Queued, -1), stateAt(0, 1, TaskState::Queued, -1), gilAt(1, 0, 0, true),
            stateAt(1, 0, TaskState::Running, 0), stateAt(2, 1, TaskState::WaitingGil, 1),
            stateAt(11, 0, TaskState::Done, 0, 10), gilAt(11, 0, 0, false), gilAt(11, 1, 1, true),
            stateAt(11, 1, TaskState::Running, 1), stateAt(21, 1, TaskState::Done, 1, 4), gilAt(21, 1, 1, false) },
        twoThreads(), { sampleAt(10, { 1.f, 0.f }, 1.f), sampleAt(20, { 1.f, 0.f }, 1.f) }));
    store.finish(21'000'000);
}

RunSettings threadsSettings(bool gil = true)
{
    RunSettings s;
    s.mode = Mode::Threads;
    s.gil = gil;
    return s;
}

QStringList laneLabels(const TraceView& view)
{
    QStringList out;
    for (const TimelineLane& l : view.renderer().layout().lanes)
        out << l.label;
    return out;
}

int laneIndex(const TraceView& view, const QString& label)
{
    return int(laneLabels(view).indexOf(label));
}

// The canvas point at `ms` on lane `label`, relY from the top (0) to the bottom (1) of the lane's bar.
QPoint pointOn(const TraceView& view, const QString& label, double ms, double relY = 0.5)
{
    const TimelineLayout& L = view.renderer().layout();
    const int lane = laneIndex(view, label);
    if (lane < 0)
        return QPoint(-1, -1);
    const QRect bar = L.laneRect(lane, 0).adjusted(0, 2, 0, -2);
    const int x = L.axisLeft + int(std::floor(view.timeScale().timeToX(ms * 1e6)));
    return QPoint(x, bar.top() + int(std::lround(relY * (bar.height() - 1))));
}

QImage grabCanvas(const TraceView& view)
{
    return view.canvas()->grab().toImage().convertToFormat(QImage::Format_RGB32);
}

void showView(TraceView& view)
{
    view.resize(900, 460);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
}

} // namespace

class TestTraceView : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void emptyViewsPaint();
    void lanes_data();
    void lanes();
    void spanColours_data();
    void spanColours();
    void preemptedPartIsHatched();
    void darkThemeBackground();
    void utilizationRows_data();
    void utilizationRows();
    void foldsTinySpansIntoBlocks();
    void toolTips_data();
    void toolTips();
    void clickSelectsTask();
    void loopLaneAndReadyCounter_data();
    void loopLaneAndReadyCounter();
    void failedTaskHasAMark();
    void manyLanesScrollVertically();
    void zoomKeepsTimeUnderCursor_data();
    void zoomKeepsTimeUnderCursor();
    void keysZoomAroundCentreAndFit();
    void followsLiveEdge();
    void followsARealRunLive();
    void realThreadsRun_data();
    void realThreadsRun();
    void snapshots();
};

void TestTraceView::initTestCase()
{
    initNetworking();
}

void TestTraceView::emptyViewsPaint()
{
    TraceView view;
    showView(view);
    const ThemeColors& colors = themeColors(Theme::Light);
    auto inkInLanes = [&] {
        const QImage img = grabCanvas(view);
        const QRect lanes = view.renderer().layout().lanesArea;
        int ink = 0;
        for (int y = lanes.top(); y < lanes.bottom(); y += 2)
            for (int x = lanes.left(); x < lanes.right(); x += 2)
                ink += img.pixel(x, y) != colors.background.rgb();
        return ink;
    };
    // No trace: a hint in the middle, the legend introduces every state.
    QVERIFY(inkInLanes() > 0);
    QVERIFY(view.renderer().layout().legendItems.size() >= size_t(kTimedStateCount));
    QVERIFY(view.toolTipAt(QPoint(200, 100)).isEmpty());
    // A store reset for a run that has not produced events yet; then cleared again.
    TraceStore store;
    store.reset(tasksNamed({ "a" }));
    view.setTrace(&store, Mode::Threads, threadsSettings());
    view.setRunning(true);
    view.traceAppended();
    QCOMPARE(laneLabels(view), QStringList { "GIL" });
    QVERIFY(inkInLanes() > 0);
    view.setTrace(nullptr, Mode::Threads, threadsSettings());
    QVERIFY(laneLabels(view).isEmpty());
    QVERIFY(!grabCanvas(view).isNull());
}

void TestTraceView::lanes_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<bool>("gil");
    QTest::addColumn<int>("laneMode");
    QTest::addColumn<QStringList>("labels");
    const int byWorker = int(LaneMode::ByWorker), byTask = int(LaneMode::ByTask);
    QTest::newRow("threads_gil_on_by_worker")
        << int(Mode::Threads) << true << byWorker << QStringList { "GIL", "thread-1", "thread-2" };
    QTest::newRow("threads_gil_off_has_no_gil_lane")
        << int(Mode::Threads) << false << byWorker << QStringList { "thread-1", "thread-2" };
    QTest::newRow("sequential_has_no_gil_lane")
        << int(Mode::Sequential) << true << byWorker << QStringList { "thread-1", "thread-2" };
    QTest::newRow("threads_by_task") << int(Mode::Threads) << true << byTask << QStringList { "GIL", "a", "b" };
    QTest::newRow("sequential_by_task") << int(Mode::Sequential) << true << byTask << QStringList { "a", "b" };
}

void TestTraceView::lanes()
{
    QFETCH(int, mode);
    QFETCH(bool, gil);
    QFETCH(int, laneMode);
    QFETCH(QStringList, labels);
    TraceStore store;
    fillTwoThreads(store);
    TraceView view;
    QSignalSpy modeChanged(&view, &TraceView::laneModeChanged);
    RunSettings settings = threadsSettings(gil);
    settings.mode = Mode(mode);
    view.setTrace(&store, Mode(mode), settings);
    view.setLaneMode(LaneMode(laneMode));
    QCOMPARE(modeChanged.count(), laneMode == int(LaneMode::ByTask) ? 1 : 0);
    showView(view);
    QCOMPARE(laneLabels(view), labels);
    // The label column really shows the lanes' names: the lane rows are inside the canvas, one after another.
    const TimelineLayout& L = view.renderer().layout();
    for (int i = 1; i < int(L.lanes.size()); ++i)
        QCOMPARE(L.laneRect(i, 0).top(), L.laneRect(i - 1, 0).bottom() + 1);
    QVERIFY(L.laneRect(int(L.lanes.size()) - 1, 0).bottom() < L.lanesArea.bottom());
}

void TestTraceView::spanColours_data()
{
    QTest::addColumn<int>("theme");
    QTest::addColumn<int>("laneMode");
    QTest::addColumn<QString>("lane");
    QTest::addColumn<double>("ms");
    QTest::addColumn<double>("relY");
    QTest::addColumn<int>("state");
    const int light = int(Theme::Light), dark = int(Theme::Dark);
    const int byWorker = int(LaneMode::ByWorker), byTask = int(LaneMode::ByTask);
    const int running = int(TaskState::Running), waiting = int(TaskState::WaitingGil);
    QTest::newRow("running_green_where_thread1_runs") << light << byWorker << "thread-1" << 6.0 << 0.5 << running;
    QTest::newRow("waiting_gil_vermillion_where_thread2_waits")
        << light << byWorker << "thread-2" << 6.0 << 0.5 << waiting;
    QTest::newRow("gil_lane_holder_green") << light << byWorker << "GIL" << 6.0 << 0.5 << running;
    QTest::newRow("preempted_slice_solid_at_bottom") << light << byWorker << "thread-2" << 16.0 << 0.95 << running;
    QTest::newRow("done_mark_at_task_end") << light << byTask << "a" << 10.95 << 0.5 << int(TaskState::Done);
    QTest::newRow("queued_grey_in_task_lane")
        << light << byTask << "b" << 1.7 << 0.5 << int(TaskState::Queued); // past its label
    QTest::newRow("waiting_in_task_lane") << light << byTask << "b" << 6.0 << 0.5 << waiting;
    QTest::newRow("dark_running_green") << dark << byWorker << "thread-1" << 6.0 << 0.5 << running;
    QTest::newRow("dark_queued_grey") << dark << byTask << "a" << 0.5 << 0.5 << int(TaskState::Queued);
    QTest::newRow("dark_done_mark_light") << dark << byTask << "b" << 20.97 << 0.5 << int(TaskState::Done);
}

void TestTraceView::spanColours()
{
    QFETCH(int, theme);
    QFETCH(int, laneMode);
    QFETCH(QString, lane);
    QFETCH(double, ms);
    QFETCH(double, relY);
    QFETCH(int, state);
    TraceStore store;
    fillTwoThreads(store);
    TraceView view;
    view.setTrace(&store, Mode::Threads, threadsSettings());
    view.setTheme(Theme(theme));
    view.setLaneMode(LaneMode(laneMode));
    showView(view);
    const QPoint p = pointOn(view, lane, ms, relY);
    QVERIFY2(p.x() >= 0, qPrintable(lane));
    const QColor seen = grabCanvas(view).pixelColor(p);
    const QColor expected = stateColor(TaskState(state), Theme(theme));
    QVERIFY2(seen.rgb() == expected.rgb(),
        qPrintable(
            QStringLiteral("at (%1,%2): %3, expected %4").arg(p.x()).arg(p.y()).arg(seen.name(), expected.name())));
}

void TestTraceView::preemptedPartIsHatched()
{
    TraceStore store;
    fillTwoThreads(store);
    TraceView view;
    view.setTrace(&store, Mode::Threads, threadsSettings());
    showView(view);
    const QImage img = grabCanvas(view);
    const QRgb green = stateColor(TaskState::Running).rgb();
    const QRgb background = themeColors(Theme::Light).background.rgb();
    // b ran 11–21 ms with 40 % CPU: the top 60 % of its bar is hatched (light green with green lines), the bottom
    // 40 % solid. a's slice (100 % CPU) is solid all the way up.
    int hatchGreen = 0, hatchLight = 0, hatchOther = 0, solidTop = 0;
    for (double ms = 13; ms <= 19; ms += 0.25) {
        for (double relY = 0.05; relY <= 0.5; relY += 0.05) {
            const QRgb c = img.pixel(pointOn(view, QStringLiteral("thread-2"), ms, relY));
            if (c == green)
                ++hatchGreen;
            else if (c == background)
                ++hatchOther;
            else
                ++hatchLight;
        }
        solidTop += img.pixel(pointOn(view, QStringLiteral("thread-1"), ms - 10, 0.05)) == green;
    }
    QVERIFY2(
        hatchGreen > 0 && hatchLight > hatchGreen, qPrintable(QStringLiteral("%1 %2").arg(hatchGreen).arg(hatchLight)));
    QCOMPARE(hatchOther, 0);
    QCOMPARE(solidTop, 25);
}

void TestTraceView::darkThemeBackground()
{
    TraceStore store;
    fillTwoThreads(store);
    TraceView view;
    view.setTrace(&store, Mode::Threads, threadsSettings());
    view.setTheme(Theme::Dark);
    QCOMPARE(view.theme(), Theme::Dark);
    showView(view);
    const TimelineLayout& L = view.renderer().layout();
    const QImage img = grabCanvas(view);
    // Below the last lane, the lanes region is empty: the theme's background, across the axis and the gutter.
    const int y = L.laneRect(int(L.lanes.size()) - 1, 0).bottom() + 20;
    QVERIFY(y < L.lanesArea.bottom());
    for (int x : { 5, L.axisLeft + 100, L.axisLeft + L.axisWidth - 50 })
        QCOMPARE(QColor(img.pixel(x, y)).name(), themeColors(Theme::Dark).background.name());
    QCOMPARE(QColor(img.pixel(L.axisLeft + L.axisWidth / 2, L.ruler.top() + 2)).name(),
        themeColors(Theme::Dark).background.name());
}

void TestTraceView::utilizationRows_data()
{
    QTest::addColumn<int>("row");
    QTest::addColumn<double>("relY");
    QTest::addColumn<QString>("expect");
    QTest::newRow("busy_core_filled") << 0 << 0.5 << "utilization";
    QTest::newRow("busy_core_filled_to_top") << 0 << 0.1 << "utilization";
    QTest::newRow("idle_core_empty") << 1 << 0.5 << "laneAlternate";
}

void TestTraceView::utilizationRows()
{
    QFETCH(int, row);
    QFETCH(double, relY);
    QFETCH(QString, expect);
    TraceStore store;
    fillTwoThreads(store);
    TraceView view;
    view.setTrace(&store, Mode::Threads, threadsSettings());
    showView(view);
    const TimelineLayout& L = view.renderer().layout();
    QCOMPARE(int(L.utilRows.size()), 3); // two cores and the run's own CPU
    QCOMPARE(L.utilRows[2].core, -1);
    const QRect r = L.utilRows[size_t(row)].rect.adjusted(0, 1, 0, -1);
    const QPoint p(L.axisLeft + int(view.timeScale().timeToX(5e6)), r.top() + int(relY * (r.height() - 1)));
    const ThemeColors& colors = themeColors(Theme::Light);
    const QColor want = expect == QLatin1String("utilization") ? colors.utilization : colors.laneAlternate;
    QCOMPARE(grabCanvas(view).pixelColor(p).name(), want.name());

    // The run's CPU line: one core of two sits half-way up its row.
    const QRect process = L.utilRows[2].rect.adjusted(0, 1, 0, -1);
    const int x = L.axisLeft + int(view.timeScale().timeToX(15e6));
    const QImage img = grabCanvas(view);
    int lineY = -1;
    for (int y = process.top(); y <= process.bottom(); ++y)
        if (img.pixelColor(x, y) == colors.processUtilization)
            lineY = y;
    QVERIFY(lineY >= 0);
    QVERIFY2(std::abs(lineY - (process.top() + process.height() / 2)) <= 2, qPrintable(QString::number(lineY)));
}

void TestTraceView::foldsTinySpansIntoBlocks()
{
    // One task alternating 6 µs running / 4 µs sleeping 20,000 times (200 ms): at fit-all zoom a pixel column holds
    // about 25 of each, far narrower than a pixel. They fold into blocks of the dominant state, not into nothing.
    TraceStore store;
    store.reset(tasksNamed({ "tiny" }));
    std::vector<Event> events;
    for (int k = 0; k < 20'000; ++k) {
        events.push_back(stateAt(k * 0.01, 0, TaskState::Running, 0, 0.006));
        events.push_back(stateAt(k * 0.01 + 0.006, 0, TaskState::Sleeping, 0));
    }
    events.push_back(stateAt(200, 0, TaskState::Done, 0));
    store.append(batchOf(std::move(events), { WorkerInfo { 0, QStringLiteral("main"), WorkerKind::Main, 0 } }));
    store.finish(200'000'000);
    TraceView view;
    RunSettings settings;
    settings.mode = Mode::Sequential;
    view.setTrace(&store, Mode::Sequential, settings);
    showView(view);
    QVERIFY(view.timeScale().nsPerPixel() > 100'000); // fit-all: a pixel is > 100 µs
    const QImage img = grabCanvas(view);
    const QRgb green = stateColor(TaskState::Running).rgb();
    int painted = 0;
    for (double ms = 5; ms < 195; ms += 5)
        painted += img.pixel(pointOn(view, QStringLiteral("main"), ms)) == green;
    QCOMPARE(painted, 38);
    const TimelineHit hit = view.spanAt(pointOn(view, QStringLiteral("main"), 100));
    QCOMPARE(hit.kind, TimelineHit::Kind::Folded);
    QVERIFY2(hit.count > 20, qPrintable(QString::number(hit.count)));
    QCOMPARE(hit.task, 0);
    const QString tip = view.toolTipAt(pointOn(view, QStringLiteral("main"), 100));
    // 6 of every 10 µs run; the column's edge spans count whole, so allow a point either way.
    QVERIFY2(tip.contains(QStringLiteral("spans too narrow"))
            && tip.contains(QRegularExpression(QStringLiteral("Running (59|60|61) %, Sleeping"))),
        qPrintable(tip));
}

void TestTraceView::toolTips_data()
{
    QTest::addColumn<QString>("lane");
    QTest::addColumn<double>("ms");
    QTest::addColumn<QStringList>("contains");
    QTest::newRow("preempted_running_span") << "thread-2" << 16.0
                                            << QStringList { "b — Running", "start 11.000 ms · duration 10.0 ms",
                                                   "on thread-2 · core 0 · step 1", "40 % on CPU, 60 % preempted" };
    QTest::newRow("running_on_a_core") << "thread-1" << 6.0
                                       << QStringList { "a — Running", "100 % on CPU, 0 % preempted" };
    QTest::newRow("waiting_for_the_gil") << "thread-2" << 6.0
                                         << QStringList { "b — Waiting for GIL", "duration 9.00 ms" };
    QTest::newRow("gil_holder") << "GIL" << 16.0 << QStringList { "GIL held by thread-2 (running b)" };
    QTest::newRow("lane_label") << "thread-1" << -1.0 << QStringList { "thread-1: a pool thread" };
}

void TestTraceView::toolTips()
{
    QFETCH(QString, lane);
    QFETCH(double, ms);
    QFETCH(QStringList, contains);
    TraceStore store;
    fillTwoThreads(store);
    TraceView view;
    view.setTrace(&store, Mode::Threads, threadsSettings());
    showView(view);
    QPoint p = pointOn(view, lane, std::max(ms, 0.0));
    if (ms < 0)
        p.setX(10); // the label column
    const QString tip = view.toolTipAt(p);
    for (const QString& part : contains)
        QVERIFY2(tip.contains(part), qPrintable(QStringLiteral("'%1' not in:\n%2").arg(part, tip)));
    // The real tooltip event shows the same text.
    QHelpEvent help(QEvent::ToolTip, p, view.canvas()->mapToGlobal(p));
    QApplication::sendEvent(view.canvas(), &help);
    QTRY_COMPARE(QToolTip::text(), tip);
    QToolTip::hideText();
}

void TestTraceView::clickSelectsTask()
{
    TraceStore store;
    fillTwoThreads(store);
    TraceView view;
    view.setTrace(&store, Mode::Threads, threadsSettings());
    showView(view);
    QSignalSpy selected(&view, &TraceView::taskSelected);
    QTest::mouseClick(view.canvas(), Qt::LeftButton, {}, pointOn(view, QStringLiteral("thread-1"), 6));
    QCOMPARE(selected.count(), 1);
    QCOMPARE(selected.takeFirst().at(0).toInt(), 0);
    QCOMPARE(view.selectedTask(), 0);
    // a's spans keep their colours; everything else is dimmed.
    const QImage img = grabCanvas(view);
    QCOMPARE(
        img.pixelColor(pointOn(view, QStringLiteral("thread-1"), 6)).name(), stateColor(TaskState::Running).name());
    QVERIFY(img.pixelColor(pointOn(view, QStringLiteral("thread-2"), 6)) != stateColor(TaskState::WaitingGil));
    QVERIFY(img.pixelColor(pointOn(view, QStringLiteral("thread-2"), 6)) != themeColors(Theme::Light).background);
    // The GIL lane's blocks belong to tasks too: clicking b's GIL block selects b.
    QTest::mouseClick(view.canvas(), Qt::LeftButton, {}, pointOn(view, QStringLiteral("GIL"), 16));
    QCOMPARE(selected.takeFirst().at(0).toInt(), 1);
    // A click on nothing clears the selection.
    const TimelineLayout& L = view.renderer().layout();
    QTest::mouseClick(view.canvas(), Qt::LeftButton, {}, QPoint(L.axisLeft + 50, L.lanesArea.bottom() - 5));
    QCOMPARE(selected.takeFirst().at(0).toInt(), -1);
    QCOMPARE(view.selectedTask(), -1);
}

void TestTraceView::loopLaneAndReadyCounter_data()
{
    QTest::addColumn<QString>("lane");
    QTest::addColumn<double>("ms");
    QTest::addColumn<double>("relY");
    QTest::addColumn<QString>("expect"); // a state name, or "background"
    // c0 runs 1–5, c1 runs 5–9 on the loop; both are blocked on I/O or ready around that. The loop lane shows
    // only who runs: never the overlapping blocked/ready time.
    QTest::newRow("loop_shows_the_running_coroutine") << "loop" << 3.0 << 0.5 << "running";
    QTest::newRow("loop_idle_while_all_wait") << "loop" << 11.0 << 0.5 << "background";
    QTest::newRow("task_lane_shows_blocked") << "c0" << 11.0 << 0.5 << "blocked_io";
    QTest::newRow("task_lane_shows_ready") << "c1" << 3.0 << 0.5 << "ready";
    // Ready coroutines: 2 at 1–5 ms (the maximum) fills the row, 1 at 5–9 half of it, 0 after.
    QTest::newRow("counter_full_at_max") << "ready coroutines" << 3.0 << 0.05 << "ready";
    QTest::newRow("counter_half_filled") << "ready coroutines" << 7.0 << 0.75 << "ready";
    QTest::newRow("counter_half_empty_on_top") << "ready coroutines" << 7.0 << 0.2 << "background";
    QTest::newRow("counter_zero_is_empty") << "ready coroutines" << 11.0 << 0.9 << "background";
}

void TestTraceView::loopLaneAndReadyCounter()
{
    QFETCH(QString, lane);
    QFETCH(double, ms);
    QFETCH(double, relY);
    QFETCH(QString, expect);
    TraceStore store;
    store.reset(tasksNamed({ "c0", "c1", "c2" }));
    auto counter = [](double at, int value) {
        Event e = stateAt(at, 0, TaskState::Running, 0);
        e.kind = EventKind::Counter;
        e.value = value;
        return e;
    };
    store.append(batchOf(
        { stateAt(0, 0, TaskState::Ready, 0), stateAt(0, 1, TaskState::Ready, 0), stateAt(0, 2, TaskState::Ready, 0),
            counter(1, 2), stateAt(1, 0, TaskState::Running, 0), stateAt(5, 0, TaskState::BlockedIo, 0, 4),
            counter(5, 1), stateAt(5, 1, TaskState::Running, 0), stateAt(9, 1, TaskState::BlockedIo, 0, 4),
            stateAt(9, 2, TaskState::BlockedIo, 0), counter(9, 0), stateAt(20, 0, TaskState::Done, 0) },
        { WorkerInfo { 0, QStringLiteral("loop"), WorkerKind::Loop, 0 } }));
    store.finish(20'000'000);
    TraceView view;
    RunSettings settings;
    settings.mode = Mode::Coroutines;
    view.setTrace(&store, Mode::Coroutines, settings);
    if (lane.startsWith(QLatin1Char('c')))
        view.setLaneMode(LaneMode::ByTask);
    showView(view);
    QVERIFY(!laneLabels(view).contains(QStringLiteral("GIL")));
    QCOMPARE(laneLabels(view).first(), QStringLiteral("ready coroutines"));
    const QPoint p = pointOn(view, lane, ms, relY);
    QVERIFY2(p.x() >= 0, qPrintable(laneLabels(view).join(QLatin1Char(','))));
    const QColor seen = grabCanvas(view).pixelColor(p);
    QColor want;
    if (expect == QLatin1String("background")) {
        const int index = laneIndex(view, lane);
        want = index % 2 ? themeColors(Theme::Light).laneAlternate : themeColors(Theme::Light).background;
    } else {
        TaskState s;
        QVERIFY(stateFromName(expect, &s));
        want = stateColor(s);
    }
    QCOMPARE(seen.name(), want.name());
    if (lane == QLatin1String("ready coroutines"))
        QVERIFY(view.toolTipAt(p).contains(QStringLiteral("ready coroutines: ")));
}

void TestTraceView::failedTaskHasAMark()
{
    TraceStore store;
    store.reset(tasksNamed({ "ok", "bad" }));
    store.append(batchOf({ stateAt(0, 0, TaskState::Running, 0), stateAt(0, 1, TaskState::BlockedIo, 1),
                             stateAt(10, 0, TaskState::Done, 0, 10), stateAt(12, 1, TaskState::Failed, 1) },
        twoThreads()));
    store.finish(20'000'000);
    TraceView view;
    view.setTrace(&store, Mode::Threads, threadsSettings(false));
    showView(view);
    const QImage img = grabCanvas(view);
    // The end mark is drawn into the last pixels of the task's last span, on its worker's lane.
    QCOMPARE(
        img.pixelColor(pointOn(view, QStringLiteral("thread-2"), 11.97)).name(), stateColor(TaskState::Failed).name());
    QCOMPARE(
        img.pixelColor(pointOn(view, QStringLiteral("thread-1"), 9.97)).name(), stateColor(TaskState::Done).name());
    QStringList legend;
    for (const TimelineLegendItem& item : view.renderer().layout().legendItems)
        legend << item.label;
    QVERIFY2(legend.contains(QStringLiteral("Failed")) && legend.contains(QStringLiteral("Done")),
        qPrintable(legend.join(QLatin1Char(','))));
    QVERIFY(!legend.contains(QStringLiteral("Queued"))); // no queued time, and worker lanes never show it
}

void TestTraceView::manyLanesScrollVertically()
{
    TraceStore store;
    std::vector<QByteArray> storage;
    for (int i = 0; i < 60; ++i)
        storage.push_back("t" + QByteArray::number(i));
    std::vector<TaskInstance> tasks;
    std::vector<Event> events;
    for (int i = 0; i < 60; ++i) {
        TaskInstance t;
        t.id = i;
        t.name = QString::fromLatin1(storage[size_t(i)]);
        tasks.push_back(t);
        events.push_back(stateAt(i * 0.1, i, TaskState::Running, 0));
    }
    store.reset(tasks);
    store.append(batchOf(std::move(events), twoThreads()));
    store.finish(10'000'000);
    TraceView view;
    view.setTrace(&store, Mode::Threads, threadsSettings());
    view.setLaneMode(LaneMode::ByTask);
    showView(view);
    const TimelineLayout& L = view.renderer().layout();
    QCOMPARE(int(L.lanes.size()), 61);
    QVERIFY(L.contentHeight > L.lanesArea.height());
    QCOMPARE(L.laneAt(L.lanesArea.top() + 1, 0), 0);
    // A plain wheel scrolls the lanes (they overflow); the ruler and the utilization rows stay.
    const QPointF pos(L.axisLeft + 100, L.lanesArea.center().y());
    QWheelEvent wheel(pos, view.canvas()->mapToGlobal(pos), QPoint(), QPoint(0, -360), Qt::NoButton, Qt::NoModifier,
        Qt::NoScrollPhase, false);
    QApplication::sendEvent(view.canvas(), &wheel);
    const int scrollY = view.renderer().options().scrollY;
    QVERIFY(scrollY > 0);
    QVERIFY(L.laneAt(L.lanesArea.top() + 1, scrollY) > 0);
    QCOMPARE(view.timeScale().startNs(), 0.0); // not panned in time
    // Hit tests follow the scroll: the lane under the top of the lanes region is a later task now.
    const int lane = L.laneAt(L.lanesArea.top() + 5, scrollY);
    const TimelineHit hit = view.spanAt(QPoint(5, L.lanesArea.top() + 5));
    QCOMPARE(hit.kind, TimelineHit::Kind::LaneLabel);
    QCOMPARE(hit.task, L.lanes[size_t(lane)].id);
}

void TestTraceView::zoomKeepsTimeUnderCursor_data()
{
    QTest::addColumn<double>("anchor"); // fraction of the axis width
    QTest::addColumn<int>("delta"); // wheel angle delta; 120 = one notch in
    QTest::newRow("in_at_left_quarter") << 0.25 << 120;
    QTest::newRow("in_at_centre_two_notches") << 0.5 << 240;
    QTest::newRow("in_near_right_end") << 0.9 << 120;
    QTest::newRow("out_at_third") << 0.33 << -120;
}

void TestTraceView::zoomKeepsTimeUnderCursor()
{
    QFETCH(double, anchor);
    QFETCH(int, delta);
    TraceStore store;
    fillTwoThreads(store);
    TraceView view;
    view.setTrace(&store, Mode::Threads, threadsSettings());
    showView(view);
    const TimelineLayout& L = view.renderer().layout();
    auto ctrlWheel = [&](double x, int angle) {
        const QPointF pos(x, L.lanesArea.top() + 10);
        QWheelEvent e(pos, view.canvas()->mapToGlobal(pos), QPoint(), QPoint(0, angle), Qt::NoButton,
            Qt::ControlModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(view.canvas(), &e);
    };
    // Zoom in around the middle first, so that zooming out has room inside the run.
    ctrlWheel(L.axisLeft + L.axisWidth / 2.0, 480);
    const double nsPerPixel = view.timeScale().nsPerPixel();
    QVERIFY(nsPerPixel < store.endNs() / double(L.axisWidth) / 2);
    const double x = L.axisLeft + anchor * L.axisWidth;
    const double before = view.timeScale().xToTime(x - L.axisLeft);
    ctrlWheel(x, delta);
    QCOMPARE(view.timeScale().nsPerPixel(), nsPerPixel / std::pow(1.2, delta / 120.0));
    QVERIFY2(std::abs(view.timeScale().xToTime(x - L.axisLeft) - before) < 1,
        qPrintable(QString::number(view.timeScale().xToTime(x - L.axisLeft) - before)));
}

void TestTraceView::keysZoomAroundCentreAndFit()
{
    TraceStore store;
    fillTwoThreads(store);
    TraceView view;
    view.setTrace(&store, Mode::Threads, threadsSettings());
    showView(view);
    QCursor::setPos(view.mapToGlobal(QPoint(-100, -100))); // not over the canvas: zoom around the centre
    QWidget* area = view.canvas()->parentWidget();
    const TimeScale fitted = view.timeScale();
    const double centre = fitted.xToTime(fitted.width() / 2.0);
    QTest::keyClick(area, Qt::Key_Equal, Qt::ControlModifier);
    QCOMPARE(view.timeScale().nsPerPixel(), fitted.nsPerPixel() / 1.5);
    QVERIFY(std::abs(view.timeScale().xToTime(fitted.width() / 2.0) - centre) < 1);
    QTest::keyClick(area, Qt::Key_Plus);
    QCOMPARE(view.timeScale().nsPerPixel(), fitted.nsPerPixel() / 2.25);
    QTest::keyClick(area, Qt::Key_Minus, Qt::ControlModifier);
    QCOMPARE(view.timeScale().nsPerPixel(), fitted.nsPerPixel() / 1.5);
    // Drag to the right pans back in time.
    const double start = view.timeScale().startNs();
    const QPoint from = pointOn(view, QStringLiteral("thread-1"), 10);
    QTest::mousePress(view.canvas(), Qt::LeftButton, {}, from);
    QMouseEvent move(QEvent::MouseMove, QPointF(from + QPoint(60, 0)),
        view.canvas()->mapToGlobal(QPointF(from + QPoint(60, 0))), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view.canvas(), &move);
    QTest::mouseRelease(view.canvas(), Qt::LeftButton, {}, from + QPoint(60, 0));
    QCOMPARE(view.timeScale().startNs(), std::max(0.0, start - 60 * view.timeScale().nsPerPixel()));
    QTest::keyClick(area, Qt::Key_0, Qt::ControlModifier);
    QCOMPARE(view.timeScale(), fitted);
}

void TestTraceView::followsLiveEdge()
{
    TraceStore store;
    store.reset(tasksNamed({ "a", "b" }));
    TraceView view;
    view.setTrace(&store, Mode::Threads, threadsSettings());
    view.setRunning(true);
    QVERIFY(view.followsLiveEdge());
    showView(view);
    QSignalSpy followChanged(&view, &TraceView::followLiveEdgeChanged);
    QCursor::setPos(view.mapToGlobal(QPoint(-100, -100)));

    // Running: the axis ends at the live edge and grows with it; open spans reach it.
    store.append(batchOf({ stateAt(0, 0, TaskState::Queued, -1), stateAt(0, 1, TaskState::Queued, -1),
                             gilAt(1, 0, 0, true), stateAt(1, 0, TaskState::Running, 0),
                             stateAt(2, 1, TaskState::WaitingGil, 1), stateAt(20, 0, TaskState::Running, 0, 19, 1) },
        twoThreads()));
    view.traceAppended();
    QCOMPARE(view.timeScale().endNs(), 20e6);
    // Zooming in while following keeps the live edge in place (the newest events stay in view).
    view.zoomIn();
    QCOMPARE(view.timeScale().endNs(), 20e6);
    const double nsPerPixel = view.timeScale().nsPerPixel();
    QVERIFY(nsPerPixel < 20e6 / view.timeScale().width());
    store.append(batchOf({ stateAt(30, 0, TaskState::Running, 0, 10, 2) }, twoThreads()));
    view.traceAppended();
    QCOMPARE(view.timeScale().endNs(), 30e6);
    QCOMPARE(view.timeScale().nsPerPixel(), nsPerPixel);
    // The open waiting span of b reaches the live edge.
    QCOMPARE(grabCanvas(view).pixelColor(pointOn(view, QStringLiteral("thread-2"), 29.5)).name(),
        stateColor(TaskState::WaitingGil).name());
    QCOMPARE(followChanged.count(), 0);

    // Dragging back in time stops following; new batches no longer move the window.
    const QPoint from = pointOn(view, QStringLiteral("thread-1"), 25);
    QTest::mousePress(view.canvas(), Qt::LeftButton, {}, from);
    QMouseEvent move(QEvent::MouseMove, QPointF(from + QPoint(100, 0)),
        view.canvas()->mapToGlobal(QPointF(from + QPoint(100, 0))), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view.canvas(), &move);
    QTest::mouseRelease(view.canvas(), Qt::LeftButton, {}, from + QPoint(100, 0));
    QVERIFY(!view.followsLiveEdge());
    QCOMPARE(followChanged.count(), 1);
    QCOMPARE(followChanged.takeFirst().at(0).toBool(), false);
    const TimeScale paused = view.timeScale();
    QVERIFY(paused.endNs() < 30e6);
    store.append(batchOf({ stateAt(40, 0, TaskState::Running, 0, 10, 3) }, twoThreads()));
    view.traceAppended();
    QCOMPARE(view.timeScale().startNs(), paused.startNs());
    QCOMPARE(view.timeScale().endNs(), paused.endNs());
    // Turning it on again jumps to the live edge.
    view.setFollowLiveEdge(true);
    QCOMPARE(view.timeScale().endNs(), 40e6);
    QCOMPARE(followChanged.count(), 1);
    // The run ends: the axis ends at the run's end.
    store.append(batchOf({ stateAt(45, 0, TaskState::Done, 0, 5, 3) }, twoThreads()));
    store.finish(45'000'000);
    view.setRunning(false);
    view.zoomToFit();
    QCOMPARE(view.timeScale().endNs(), 45e6);
    QCOMPARE(view.timeScale().startNs(), 0.0);
}

// As the main window drives it: RunController batches go into the store, one traceAppended() per notification.
void TestTraceView::followsARealRunLive()
{
    RunController controller;
    TraceStore store;
    TraceView view;
    showView(view);
    const Mix mix = mixOf(QStringLiteral("live"), { task(QStringLiteral("crunch"), 4, { Step::makeCompute(80) }) });
    const RunSettings settings = settingsFor(Mode::Threads, 4);
    std::vector<double> ends;
    QImage midRun;
    connect(&controller, &RunController::batchesAvailable, &view, [&](quint64) {
        for (const TraceBatch& b : controller.takeBatches())
            store.append(b);
        view.traceAppended();
        ends.push_back(view.timeScale().endNs());
        if (ends.size() == 8)
            midRun = grabCanvas(view);
    });
    QSignalSpy finished(&controller, &RunController::runFinished);
    QString error;
    QVERIFY2(controller.start(mix, settings, &error) != 0, qPrintable(error));
    store.reset(controller.tasks());
    view.setTrace(&store, Mode::Threads, settings);
    view.setRunning(true);
    QVERIFY(finished.wait(20'000));
    store.finish(controller.lastResult().wallNs);
    view.setRunning(false);
    // The axis grew with the run, batch by batch, and ends at the run's end.
    QVERIFY2(ends.size() >= 8, qPrintable(QString::number(ends.size())));
    QVERIFY(std::is_sorted(ends.begin(), ends.end()));
    QVERIFY(ends.back() > ends.front());
    QCOMPARE(view.timeScale().endNs(), double(store.endNs()));
    QCOMPARE(laneLabels(view), (QStringList { "GIL", "thread-1", "thread-2", "thread-3", "thread-4" }));
    // Mid-run, the open spans reached the live edge: the live marker (selection colour) is inside the axis.
    const QRgb marker = themeColors(Theme::Light).selection.rgb();
    const TimelineLayout& L = view.renderer().layout();
    int markerPixels = 0;
    for (int x = L.axisLeft; x < L.axisLeft + L.axisWidth; ++x)
        markerPixels += midRun.pixel(x, L.ruler.bottom() + 4) == marker;
    QVERIFY(markerPixels >= 1);
    const QString dir = qEnvironmentVariable("TASKLINE_SNAPSHOT_DIR");
    if (!dir.isEmpty()) {
        midRun.save(dir + QStringLiteral("/live-mid-run.png"));
        view.grab().save(dir + QStringLiteral("/live-widget-finished.png"));
    }
}

void TestTraceView::realThreadsRun_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<QStringList>("labels");
    QTest::newRow("threads_two_workers_and_gil") << int(Mode::Threads) << QStringList { "GIL", "thread-1", "thread-2" };
    QTest::newRow("sequential_main_only") << int(Mode::Sequential) << QStringList { "main" };
}

void TestTraceView::realThreadsRun()
{
    QFETCH(int, mode);
    QFETCH(QStringList, labels);
    const Mix mix = mixOf(QStringLiteral("tiny"), { task(QStringLiteral("crunch"), 3, { Step::makeCompute(15) }) });
    const RunSettings settings = settingsFor(Mode(mode), 2);
    const Ran ran = runMix(mix, settings);
    QVERIFY2(ran.result.ok(), qPrintable(ran.result.error));
    TraceView view;
    view.setTrace(&ran.store, Mode(mode), settings);
    showView(view);
    QCOMPARE(laneLabels(view), labels);
    // Every worker lane shows running time somewhere, and so does the GIL lane.
    const QImage img = grabCanvas(view);
    const TimelineLayout& L = view.renderer().layout();
    for (int lane = 0; lane < int(L.lanes.size()); ++lane) {
        const int y = L.laneRect(lane, 0).center().y();
        int green = 0;
        for (int x = L.axisLeft; x < L.axisLeft + L.axisWidth; ++x)
            green += img.pixel(x, y) == stateColor(TaskState::Running).rgb();
        QVERIFY2(green > 10, qPrintable(L.lanes[size_t(lane)].label));
    }
    const QStringList tasks { "crunch#1", "crunch#2", "crunch#3" };
    view.setLaneMode(LaneMode::ByTask);
    QCOMPARE(laneLabels(view), mode == int(Mode::Threads) ? QStringList { "GIL" } + tasks : tasks);
}

// Not a check: renders real runs into PNG and SVG for people to look at (docs/timeline-*.png). Runs only when
// TASKLINE_SNAPSHOT_DIR names a directory.
void TestTraceView::snapshots()
{
    const QString dir = qEnvironmentVariable("TASKLINE_SNAPSHOT_DIR");
    if (dir.isEmpty())
        QSKIP("set TASKLINE_SNAPSHOT_DIR to write timeline snapshots");
    QDir().mkpath(dir);
    struct Shot
    {
        const char* preset;
        Mode mode;
        bool gil;
        LaneMode lanes;
    };
    const Shot shots[] = { { "fetch-and-scan", Mode::Threads, true, LaneMode::ByWorker },
        { "cpu-bound", Mode::Threads, true, LaneMode::ByWorker },
        { "cpu-bound", Mode::Threads, false, LaneMode::ByWorker },
        { "fetch-and-scan", Mode::Threads, true, LaneMode::ByTask },
        { "mixed", Mode::Sequential, true, LaneMode::ByTask } };
    for (const Shot& shot : shots) {
        Mix mix;
        MixError error;
        QVERIFY(loadMix(QStringLiteral("preset:") + QLatin1String(shot.preset), &mix, &error));
        RunSettings settings = RunSettings::fromMix(mix.settings);
        settings.mode = shot.mode;
        settings.gil = shot.gil;
        const Ran ran = runMix(mix, settings);
        QVERIFY2(ran.result.ok(), qPrintable(ran.result.error));
        for (Theme theme : { Theme::Light, Theme::Dark }) {
            TimelineRenderer r;
            r.setStore(&ran.store);
            TimelineOptions o;
            o.mode = shot.mode;
            o.gil = shot.gil;
            o.laneMode = shot.lanes;
            o.theme = theme;
            r.setOptions(o);
            r.setSize(QSize(1600, 900));
            r.fitToRun();
            o = r.options();
            QCOMPARE(o.scale.endNs(), double(ran.store.endNs()));
            QImage img(r.size(), QImage::Format_RGB32);
            QPainter p(&img);
            r.paint(p);
            p.end();
            const QString name
                = QStringLiteral("%1/%2-%3%4-%5-%6.png")
                      .arg(dir, QLatin1String(shot.preset), QLatin1String(modeName(shot.mode)),
                          shot.gil ? QString() : QStringLiteral("-nogil"),
                          shot.lanes == LaneMode::ByWorker ? QStringLiteral("workers") : QStringLiteral("tasks"),
                          theme == Theme::Dark ? QStringLiteral("dark") : QStringLiteral("light"));
            QVERIFY(img.save(name));
            qInfo("wrote %s (%.0f ms run)", qPrintable(name), ran.wallMs());
            if (theme == Theme::Light && shot.lanes == LaneMode::ByWorker) {
                // A selected task: its spans outlined, the rest dimmed.
                o.selectedTask = 2;
                r.setOptions(o);
                {
                    QPainter sp(&img);
                    r.paint(sp);
                }
                QVERIFY(img.save(QString(name).replace(QStringLiteral(".png"), QStringLiteral("-selected.png"))));
                o.selectedTask = -1;
                // Zoomed in: 5 ms and 40 µs windows in the middle of the run, for the ruler and the labels.
                for (double window : { 5e6, 40e3 }) {
                    o.scale.setWindow(ran.store.endNs() / 2.0, ran.store.endNs() / 2.0 + window);
                    r.setOptions(o);
                    QPainter zp(&img);
                    r.paint(zp);
                    zp.end();
                    QVERIFY(img.save(QString(name).replace(
                        QStringLiteral(".png"), QStringLiteral("-zoom%1us.png").arg(window / 1e3))));
                }
            }
        }
    }
}

QTEST_MAIN(TestTraceView)
#include "tst_traceview.moc"
