// Paints a synthetic 1,000,000-event threads-mode trace (8 threads, 32 tasks, the GIL changing hands every 5–40 µs)
// into a 1600×900 QImage, as the timeline widget does on every repaint: at fit-all zoom (every span on screen, most
// of them folded into per-column blocks) and in a 10 ms window (binary search to the window, spans drawn one by
// one). Reports milliseconds per frame; also the first frame (summaries built from scratch) and the frame without
// the per-lane summaries. See docs/performance.md, "Timeline painting".

#include "timelinerenderer.h"
#include "tracestore.h"

#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <benchmark/benchmark.h>
#include <memory>

using namespace taskline;

namespace {

constexpr int kWorkers = 8;
constexpr int kTasks = 32;
constexpr int64_t kEvents = 1'000'000;

Event make(
    int64_t t, EventKind kind, int task, int worker, TaskState s = TaskState::Running, int value = 0, int64_t cpu = -1)
{
    Event e {};
    e.timeNs = t;
    e.cpuNs = cpu;
    e.task = task;
    e.value = value;
    e.worker = int16_t(worker);
    e.core = int16_t(worker % 2);
    e.kind = kind;
    e.state = s;
    return e;
}

// A GIL convoy: one holder at a time; at each switch the holder waits again and a pseudo-randomly chosen thread
// runs. Threads pick the next task from a shared queue when theirs has run 400 slices.
std::vector<TaskInstance> syntheticTasks()
{
    std::vector<TaskInstance> tasks(kTasks);
    for (int i = 0; i < kTasks; ++i) {
        tasks[size_t(i)].id = i;
        tasks[size_t(i)].name = QStringLiteral("task#%1").arg(i + 1);
    }
    return tasks;
}

// The whole run as one batch, events in time order.
const TraceBatch& syntheticBatch()
{
    static const TraceBatch batch = [] {
        TraceBatch b;
        for (int w = 0; w < kWorkers; ++w)
            b.workers.push_back({ w, QStringLiteral("thread-%1").arg(w + 1), WorkerKind::Thread, 0 });
        std::vector<Event>& ev = b.events;
        ev.reserve(size_t(kEvents) + 64);
        for (int i = 0; i < kTasks; ++i)
            ev.push_back(make(0, EventKind::State, i, -1, TaskState::Queued));
        std::vector<int> task(kWorkers), slices(kWorkers, 0);
        int nextTask = 0;
        for (int w = 0; w < kWorkers; ++w) {
            task[size_t(w)] = nextTask++;
            ev.push_back(make(1000, EventKind::State, task[size_t(w)], w, TaskState::WaitingGil));
        }
        uint32_t rng = 12345;
        auto random = [&rng] {
            rng = rng * 1664525u + 1013904223u;
            return rng >> 8;
        };
        int64_t t = 2000;
        int holder = 0;
        ev.push_back(make(t, EventKind::Gil, task[0], 0, TaskState::Running, 1));
        ev.push_back(make(t, EventKind::State, task[0], 0, TaskState::Running));
        while (int64_t(ev.size()) < kEvents) {
            const int64_t slice = 5'000 + int64_t(random() % 35'000);
            t += slice;
            const int h = holder;
            const int64_t cpu = slice * int64_t(70 + random() % 31) / 100; // 70–100 % on a core
            if (++slices[size_t(h)] >= 400 && nextTask < kTasks) {
                ev.push_back(make(t, EventKind::State, task[size_t(h)], h, TaskState::Done, 0, cpu));
                slices[size_t(h)] = 0;
                task[size_t(h)] = nextTask++;
                ev.push_back(make(t, EventKind::State, task[size_t(h)], h, TaskState::WaitingGil));
            } else {
                ev.push_back(make(t, EventKind::State, task[size_t(h)], h, TaskState::WaitingGil, 0, cpu));
            }
            ev.push_back(make(t, EventKind::Gil, task[size_t(h)], h, TaskState::Running, 0));
            holder = int(random() % kWorkers);
            ev.push_back(make(t, EventKind::Gil, task[size_t(holder)], holder, TaskState::Running, 1));
            ev.push_back(make(t, EventKind::State, task[size_t(holder)], holder, TaskState::Running));
        }
        for (int64_t u = 10'000'000; u <= t; u += 10'000'000) {
            UtilSample sample;
            sample.timeNs = u;
            sample.intervalNs = 10'000'000;
            sample.processCores = 1.0f;
            sample.coreBusy = { float(random() % 100) / 100.f, float(random() % 100) / 100.f };
            b.samples.push_back(sample);
        }
        b.timeNs = t;
        return b;
    }();
    return batch;
}

const TraceStore& syntheticStore()
{
    static const TraceStore store = [] {
        TraceStore s;
        s.reset(syntheticTasks());
        s.append(syntheticBatch());
        s.finish(syntheticBatch().timeNs);
        return s;
    }();
    return store;
}

enum class Frames
{
    Warm, // the renderer's per-lane summaries are built (every frame after the first)
    Cold, // a new renderer per frame: summaries built from scratch (opening a finished trace, switching lanes)
    NoSummaries, // every span painted one by one (what the summaries save)
};

void paintFrames(benchmark::State& state, LaneMode lanes, int64_t windowNs, Frames frames = Frames::Warm)
{
    const TraceStore& store = syntheticStore();
    auto renderer = std::make_unique<TimelineRenderer>();
    TimelineRenderer& r = *renderer;
    r.setStore(&store);
    TimelineOptions o;
    o.mode = Mode::Threads;
    o.laneMode = lanes;
    o.useSummaries = frames != Frames::NoSummaries;
    r.setOptions(o);
    r.setSize(QSize(1600, 900));
    o.scale.setWidth(r.layout().axisWidth);
    o.scale.setBounds(0, store.endNs());
    if (windowNs > 0) {
        const int64_t middle = store.endNs() / 2;
        o.scale.setWindow(double(middle), double(middle + windowNs));
    } else {
        o.scale.fit(0, store.endNs());
    }
    r.setOptions(o);
    QImage image(r.size(), QImage::Format_RGB32);
    for (auto _ : state) {
        if (frames == Frames::Cold) {
            renderer = std::make_unique<TimelineRenderer>();
            renderer->setStore(&store);
            renderer->setSize(QSize(1600, 900));
            renderer->setOptions(o);
        }
        QPainter p(&image);
        renderer->paint(p);
        p.end();
        benchmark::DoNotOptimize(image.constBits());
    }
    state.counters["events"] = double(store.eventCount());
    state.counters["spans"] = double(store.spans().size());
    state.counters["lanes"] = double(renderer->layout().lanes.size());
}

void BM_FitAll_Workers(benchmark::State& s)
{
    paintFrames(s, LaneMode::ByWorker, 0);
}
void BM_FitAll_Tasks(benchmark::State& s)
{
    paintFrames(s, LaneMode::ByTask, 0);
}
void BM_Window10ms_Workers(benchmark::State& s)
{
    paintFrames(s, LaneMode::ByWorker, 10'000'000);
}
void BM_Window10ms_Tasks(benchmark::State& s)
{
    paintFrames(s, LaneMode::ByTask, 10'000'000);
}

void BM_FitAll_Workers_Cold(benchmark::State& s)
{
    paintFrames(s, LaneMode::ByWorker, 0, Frames::Cold);
}
void BM_FitAll_Workers_NoSummaries(benchmark::State& s)
{
    paintFrames(s, LaneMode::ByWorker, 0, Frames::NoSummaries);
}
void BM_FitAll_Tasks_NoSummaries(benchmark::State& s)
{
    paintFrames(s, LaneMode::ByTask, 0, Frames::NoSummaries);
}

// A live frame: the store grows by one 10,000-event batch (600,000 events/s at 60 Hz, more than any run here
// produces) and the whole run so far is repainted at fit-all zoom, its summaries brought up to date first.
void BM_LiveFrame_10kEventBatch(benchmark::State& state)
{
    const TraceBatch& all = syntheticBatch();
    constexpr size_t kBatch = 10'000;
    TraceStore store;
    store.reset(syntheticTasks());
    TimelineRenderer r;
    r.setStore(&store);
    r.setSize(QSize(1600, 900));
    TimelineOptions o;
    o.mode = Mode::Threads;
    QImage image(r.size(), QImage::Format_RGB32);
    size_t next = 0, nextSample = 0;
    for (auto _ : state) {
        TraceBatch b;
        b.workers = all.workers;
        b.events.assign(all.events.begin() + long(next), all.events.begin() + long(next + kBatch));
        next += kBatch;
        const int64_t edge = b.events.back().timeNs;
        while (nextSample < all.samples.size() && all.samples[nextSample].timeNs <= edge)
            b.samples.push_back(all.samples[nextSample++]);
        store.append(b);
        o.liveEdgeNs = edge;
        o.live = true;
        r.setOptions(o);
        o.scale.setWidth(r.layout().axisWidth);
        o.scale.fit(0, edge);
        r.setOptions(o);
        QPainter p(&image);
        r.paint(p);
        p.end();
        benchmark::DoNotOptimize(image.constBits());
    }
    state.counters["events"] = double(store.eventCount());
}

// Hover: what the tooltip asks for at every mouse move, at fit-all zoom.
void BM_HitTest_FitAll(benchmark::State& state)
{
    const TraceStore& store = syntheticStore();
    TimelineRenderer r;
    r.setStore(&store);
    TimelineOptions o;
    r.setSize(QSize(1600, 900));
    o.scale.setWidth(r.layout().axisWidth);
    o.scale.fit(0, store.endNs());
    r.setOptions(o);
    const TimelineLayout& L = r.layout();
    int x = 0;
    for (auto _ : state) {
        const QPoint pos(L.axisLeft + (x++ % L.axisWidth), L.laneRect(3, 0).center().y());
        benchmark::DoNotOptimize(r.toolTipAt(pos));
    }
}

BENCHMARK(BM_FitAll_Workers)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FitAll_Tasks)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Window10ms_Workers)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Window10ms_Tasks)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FitAll_Workers_Cold)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FitAll_Workers_NoSummaries)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FitAll_Tasks_NoSummaries)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LiveFrame_10kEventBatch)->Unit(benchmark::kMillisecond)->Iterations(99);
BENCHMARK(BM_HitTest_FitAll)->Unit(benchmark::kMicrosecond);

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv); // fonts for the labels
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
