// Replay of a large finished run: a synthetic threads-mode trace of 1,000,000 events (8 threads, 32 tasks, the GIL
// changing hands every 5–40 µs for about 5.6 s), played back as the window does it: each frame moves the play head
// (TraceClip::seek appends the events in between), computes the summary at the play head (summarizeUntil) and
// paints the run up to it into a 1600×900 QImage with the whole run's lanes (TimelineOptions::shapeStore) and the
// play head. Also a jump back (the clip is rebuilt) and the first frame after it. See docs/performance.md, "Replay".

#include "run.h"
#include "summary.h"
#include "timelinerenderer.h"
#include "traceclip.h"
#include "tracestore.h"

#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <benchmark/benchmark.h>

using namespace taskline;

namespace {

constexpr int kWorkers = 8;
constexpr int kTasks = 32;
constexpr int64_t kEvents = 1'000'000;
constexpr int64_t kFrameAtOneX = 16'666'667; // run time per 60 Hz frame at 1×

Event make(int64_t t, EventKind kind, int task, int worker, TaskState s, int value = 0, int64_t cpu = -1)
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

struct Synthetic
{
    RunResult result;
    TraceStore store;
};

// A GIL convoy: one holder at a time; at each switch the holder waits again and a pseudo-randomly chosen thread
// runs; a thread takes the next task after 400 slices of its own.
const Synthetic& synthetic()
{
    static const Synthetic s = [] {
        Synthetic out;
        std::vector<TaskInstance> tasks(kTasks);
        for (int i = 0; i < kTasks; ++i) {
            tasks[size_t(i)].id = i;
            tasks[size_t(i)].name = QStringLiteral("task#%1").arg(i + 1);
        }
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
            const int64_t cpu = slice * int64_t(70 + random() % 31) / 100;
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
        out.store.reset(tasks);
        out.store.append(b);
        out.store.finish(t);
        out.result.mixName = QStringLiteral("synthetic");
        out.result.settings.mode = Mode::Threads;
        out.result.workers = kWorkers;
        out.result.cores = 2;
        out.result.tasks = tasks;
        out.result.outcomes.resize(size_t(kTasks));
        out.result.wallNs = t;
        out.result.cpuNs = t;
        return out;
    }();
    return s;
}

TimelineOptions replayOptions(const TimelineRenderer& r, const TraceStore& full, int64_t playHead)
{
    TimelineOptions o = r.options();
    o.mode = Mode::Threads;
    o.shapeStore = &full;
    o.playHeadNs = playHead;
    o.scale.setWidth(r.layout().axisWidth);
    o.scale.setBounds(0, full.endNs());
    o.scale.fit(0, full.endNs());
    return o;
}

// One frame of a replay at `speed`: move the play head, the summary at it, paint.
void replayFrames(benchmark::State& state, double speed, bool summary)
{
    const Synthetic& s = synthetic();
    const int64_t end = s.store.endNs();
    TraceClip clip;
    clip.setSource(&s.store);
    clip.seek(end / 10);
    TimelineRenderer r;
    r.setStore(&clip.store());
    r.setSize(QSize(1600, 900));
    r.setOptions(replayOptions(r, s.store, clip.position()));
    QImage image(r.size(), QImage::Format_RGB32);
    {
        QPainter p(&image);
        r.paint(p); // the first frame builds the summaries of the part played so far
    }
    const int64_t step = int64_t(double(kFrameAtOneX) * speed);
    for (auto _ : state) {
        if (clip.position() + step > end * 9 / 10) {
            state.PauseTiming();
            clip.seek(end / 10);
            QPainter p(&image);
            r.paint(p);
            state.ResumeTiming();
        }
        clip.seek(clip.position() + step);
        if (summary)
            benchmark::DoNotOptimize(summarizeUntil(s.result, clip).wallMs);
        TimelineOptions o = r.options();
        o.playHeadNs = clip.position();
        r.setOptions(o);
        QPainter p(&image);
        r.paint(p);
        p.end();
        benchmark::DoNotOptimize(image.constBits());
    }
    state.counters["events"] = double(s.store.eventCount());
}

void BM_ReplayFrame_1x(benchmark::State& s)
{
    replayFrames(s, 1.0, true);
}
void BM_ReplayFrame_0_05x(benchmark::State& s)
{
    replayFrames(s, 0.05, true);
}
void BM_ReplayFrame_1x_PaintOnly(benchmark::State& s)
{
    replayFrames(s, 1.0, false);
}

// Dragging the slider back to the middle: the clip is rebuilt from the start.
void BM_SeekBackToMiddle(benchmark::State& state)
{
    const Synthetic& s = synthetic();
    TraceClip clip;
    clip.setSource(&s.store);
    for (auto _ : state) {
        state.PauseTiming();
        clip.seek(s.store.endNs());
        state.ResumeTiming();
        clip.seek(s.store.endNs() / 2);
        benchmark::DoNotOptimize(clip.store().spans().size());
    }
}

// The first frame after a jump back: the renderer's summaries of the clip are built from scratch.
void BM_FirstFrameAfterSeekBack(benchmark::State& state)
{
    const Synthetic& s = synthetic();
    TraceClip clip;
    clip.setSource(&s.store);
    clip.seek(s.store.endNs() / 2);
    TimelineRenderer r;
    r.setStore(&clip.store());
    r.setSize(QSize(1600, 900));
    r.setOptions(replayOptions(r, s.store, clip.position()));
    QImage image(r.size(), QImage::Format_RGB32);
    for (auto _ : state) {
        state.PauseTiming();
        r.setStore(&clip.store()); // as after a rebuild: nothing cached
        state.ResumeTiming();
        QPainter p(&image);
        r.paint(p);
        p.end();
        benchmark::DoNotOptimize(image.constBits());
    }
}

void BM_SummarizeUntilMiddle(benchmark::State& state)
{
    const Synthetic& s = synthetic();
    TraceClip clip;
    clip.setSource(&s.store);
    clip.seek(s.store.endNs() / 2);
    for (auto _ : state)
        benchmark::DoNotOptimize(summarizeUntil(s.result, clip).cpuMs);
}

} // namespace

BENCHMARK(BM_ReplayFrame_1x)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReplayFrame_0_05x)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReplayFrame_1x_PaintOnly)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SeekBackToMiddle)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FirstFrameAfterSeekBack)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SummarizeUntilMiddle)->Unit(benchmark::kMillisecond);

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
