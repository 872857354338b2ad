// The timeline renderer without a widget: per-lane summaries paint what span-by-span painting paints (fed batch by
// batch, and after the store re-derived its spans), and an SVG keeps lane names and labels as text.

#include "timelinerenderer.h"
#include "tracestore.h"

#include <QBuffer>
#include <QPainter>
#include <QSvgGenerator>
#include <QTest>

using namespace taskline;

namespace {

Event make(
    int64_t t, EventKind kind, int task, int worker, TaskState s = TaskState::Running, int value = 0, int64_t cpu = -1)
{
    Event e {};
    e.timeNs = t;
    e.cpuNs = cpu;
    e.task = task;
    e.value = value;
    e.worker = int16_t(worker);
    e.core = 0;
    e.kind = kind;
    e.state = s;
    return e;
}

constexpr int kWorkers = 4;
constexpr int kTasks = 12;

// A GIL convoy like a threads run: slices of 5–400 µs, a pseudo-random next holder, tasks replaced after 60
// slices; task 0 starts with one long 30 ms slice. Returned as batches in time order.
std::vector<TraceBatch> convoyBatches(int batches, int switchesPerBatch)
{
    std::vector<WorkerInfo> workers;
    for (int w = 0; w < kWorkers; ++w)
        workers.push_back({ w, QStringLiteral("thread-%1").arg(w + 1), WorkerKind::Thread, 0 });
    std::vector<TraceBatch> out { size_t(batches) };
    for (TraceBatch& b : out)
        b.workers = workers;
    std::vector<Event>* ev = &out[0].events;
    for (int i = 0; i < kTasks; ++i)
        ev->push_back(make(0, EventKind::State, i, -1, TaskState::Queued));
    std::vector<int> task(kWorkers), slices(kWorkers, 0);
    int next = 0;
    for (int w = 0; w < kWorkers; ++w) {
        task[size_t(w)] = next++;
        ev->push_back(make(1000, EventKind::State, task[size_t(w)], w, TaskState::WaitingGil));
    }
    uint32_t rng = 7;
    auto random = [&rng] {
        rng = rng * 1664525u + 1013904223u;
        return rng >> 8;
    };
    int64_t t = 2000;
    int holder = 0;
    ev->push_back(make(t, EventKind::Gil, task[0], 0, TaskState::Running, 1));
    ev->push_back(make(t, EventKind::State, task[0], 0, TaskState::Running));
    for (int b = 0; b < batches; ++b) {
        ev = &out[size_t(b)].events;
        for (int i = 0; i < switchesPerBatch; ++i) {
            const int64_t slice = t < 10'000 ? 30'000'000 : 5'000 + int64_t(random() % 395'000);
            t += slice;
            const int h = holder;
            const int64_t cpu = slice * int64_t(50 + random() % 51) / 100;
            if (++slices[size_t(h)] >= 60 && next < kTasks) {
                ev->push_back(make(t, EventKind::State, task[size_t(h)], h, TaskState::Done, 0, cpu));
                slices[size_t(h)] = 0;
                task[size_t(h)] = next++;
                ev->push_back(make(t, EventKind::State, task[size_t(h)], h, TaskState::WaitingGil));
            } else {
                ev->push_back(make(t, EventKind::State, task[size_t(h)], h, TaskState::WaitingGil, 0, cpu));
            }
            ev->push_back(make(t, EventKind::Gil, task[size_t(h)], h, TaskState::Running, 0));
            holder = int(random() % kWorkers);
            ev->push_back(make(t, EventKind::Gil, task[size_t(holder)], holder, TaskState::Running, 1));
            ev->push_back(make(t, EventKind::State, task[size_t(holder)], holder, TaskState::Running));
        }
    }
    return out;
}

std::vector<TaskInstance> taskList()
{
    std::vector<TaskInstance> tasks(kTasks);
    for (int i = 0; i < kTasks; ++i) {
        tasks[size_t(i)].id = i;
        tasks[size_t(i)].name = QStringLiteral("t%1").arg(i);
    }
    return tasks;
}

QImage paint(TimelineRenderer& r)
{
    QImage img(r.size(), QImage::Format_RGB32);
    QPainter p(&img);
    r.paint(p);
    return img;
}

// Options showing [startNs, endNs) of `store` on a 1200×600 renderer.
TimelineOptions optionsFor(TimelineRenderer& r, LaneMode lanes, double startNs, double endNs, bool summaries)
{
    TimelineOptions o;
    o.mode = Mode::Threads;
    o.laneMode = lanes;
    o.useSummaries = summaries;
    r.setOptions(o);
    r.setSize(QSize(1200, 600));
    o.scale.setWidth(r.layout().axisWidth);
    o.scale.setWindow(startNs, endNs);
    return o;
}

} // namespace

class TestTimelineRenderer : public QObject
{
    Q_OBJECT
private slots:
    void summariesPaintLikeSpans_data();
    void summariesPaintLikeSpans();
    void svgKeepsTextAsText();
};

void TestTimelineRenderer::summariesPaintLikeSpans_data()
{
    QTest::addColumn<int>("lanes");
    QTest::addColumn<double>("windowFraction"); // of the run, starting 10 % in; 1 = the whole run
    QTest::newRow("workers_fit_all") << int(LaneMode::ByWorker) << 1.0;
    QTest::newRow("tasks_fit_all") << int(LaneMode::ByTask) << 1.0;
    QTest::newRow("workers_tenth") << int(LaneMode::ByWorker) << 0.1;
    QTest::newRow("tasks_fiftieth") << int(LaneMode::ByTask) << 0.02;
}

void TestTimelineRenderer::summariesPaintLikeSpans()
{
    QFETCH(int, lanes);
    QFETCH(double, windowFraction);
    TraceStore store;
    store.reset(taskList());
    TimelineRenderer summarized, spanBySpan;
    summarized.setStore(&store);
    spanBySpan.setStore(&store);
    // Fed batch by batch, painted after each, as while a run goes on: the summaries grow incrementally and the
    // open spans at the end come from the store.
    std::vector<TraceBatch> batches = convoyBatches(6, 400);
    for (size_t b = 0; b < batches.size(); ++b) {
        if (b == 4) {
            // A late event (as when a worker published it after the collector's hold-back): task 0 slept in the
            // middle of its long first slice. The store derives its spans afresh; summaries must follow.
            batches[b].events.push_back(make(15'000'000, EventKind::State, 0, 0, TaskState::Sleeping));
        }
        store.append(batches[b]);
        const double end = double(store.endNs());
        const double start = windowFraction >= 1 ? 0 : 0.1 * end;
        summarized.setOptions(optionsFor(summarized, LaneMode(lanes), start, start + windowFraction * end, true));
        spanBySpan.setOptions(optionsFor(spanBySpan, LaneMode(lanes), start, start + windowFraction * end, false));
        const QImage a = paint(summarized), s = paint(spanBySpan);
        const TimelineLayout& L = summarized.layout();
        // Pixels of the lanes' bars that differ: merged items take their dominant colour over a few pixels, where
        // span-by-span painting decides per pixel column, so a few columns of mixed activity may differ.
        int differ = 0, total = 0;
        for (int lane = 0; lane < int(L.lanes.size()); ++lane) {
            const int y = L.laneRect(lane, 0).center().y();
            for (int x = L.axisLeft; x < L.axisLeft + L.axisWidth; ++x) {
                ++total;
                differ += a.pixel(x, y) != s.pixel(x, y);
            }
        }
        QVERIFY2(differ <= total / 20,
            qPrintable(QStringLiteral("batch %1: %2 of %3 pixels differ").arg(b).arg(differ).arg(total)));
        if (b >= 4 && windowFraction >= 1) {
            // The late sleep (15–32 ms) shows on task 0's worker lane / task lane in both.
            const int lane = lanes == int(LaneMode::ByWorker) ? 1 : 1 + 0; // after the GIL lane
            const QPoint at(
                L.axisLeft + int(summarized.options().scale.timeToX(24e6)), L.laneRect(lane, 0).center().y());
            QCOMPARE(a.pixelColor(at).name(), stateColor(TaskState::Sleeping).name());
            QCOMPARE(s.pixelColor(at).name(), stateColor(TaskState::Sleeping).name());
        }
    }
    QVERIFY(store.eventCount() > 9000);
}

void TestTimelineRenderer::svgKeepsTextAsText()
{
    TraceStore store;
    store.reset(taskList());
    for (const TraceBatch& b : convoyBatches(1, 50))
        store.append(b);
    store.finish(store.lastEventNs());
    TimelineRenderer r;
    r.setStore(&store);
    r.setOptions(optionsFor(r, LaneMode::ByWorker, 0, 1, true));
    r.fitToRun(); // as export does
    const TimelineOptions o = r.options();
    QCOMPARE(r.layout().axisWidth, o.scale.width());
    QCOMPARE(o.scale.startNs(), 0.0);
    QCOMPARE(o.scale.endNs(), double(store.endNs()));
    QBuffer svg;
    svg.open(QIODevice::WriteOnly);
    QSvgGenerator gen;
    gen.setOutputDevice(&svg);
    gen.setSize(r.size());
    gen.setViewBox(QRect(QPoint(0, 0), r.size()));
    {
        QPainter p(&gen);
        r.paint(p);
    }
    const QString text = QString::fromUtf8(svg.data());
    // Lane names, a span label, the legend and the ruler are text elements, searchable and sharp at any size.
    for (const char* label : { ">thread-1<", ">thread-4<", ">GIL<", ">t0<", ">Waiting for GIL<", ">0<" })
        QVERIFY2(text.contains(QLatin1String(label)), label);
    QVERIFY(text.contains(stateColor(TaskState::WaitingGil).name(), Qt::CaseInsensitive));
    // The same renderer paints the same picture into an image.
    const QImage img = paint(r);
    const QPoint at(r.layout().axisLeft + int(o.scale.timeToX(15e6)), r.layout().laneRect(1, 0).center().y());
    QCOMPARE(img.pixelColor(at).name(), stateColor(TaskState::Running).name());
}

QTEST_MAIN(TestTimelineRenderer)
#include "tst_timelinerenderer.moc"
