// Micro-benchmarks of the engine's hot paths: recording an event, a compute chunk, appending to the trace store,
// and the emulated GIL's handover. Figures in docs/performance.md ("Engine hot paths").

#include "calibration.h"
#include "eventbuffer.h"
#include "gil.h"
#include "kernels.h"
#include "labserver.h"
#include "recorder.h"
#include "stopper.h"
#include "tracestore.h"

#include <atomic>
#include <benchmark/benchmark.h>
#include <thread>

using namespace taskline;

// One state change as a worker records it: CLOCK_MONOTONIC, sched_getcpu, thread CPU time, ring push.
static void BM_RecordStateEvent(benchmark::State& state)
{
    EventBuffer buffer(1 << 16);
    Recorder rec(&buffer, 0, monotonicNs());
    std::vector<Event> sink;
    sink.reserve(1 << 16);
    int i = 0;
    for (auto _ : state) {
        rec.state(0, (i++ & 1) ? TaskState::Running : TaskState::WaitingGil, 0);
        if ((i & 0x3fff) == 0) {
            sink.clear();
            buffer.drainTo(sink);
        }
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordStateEvent);

// One chunk of calibrated work: should take about ComputeWork::kChunkUs (50 µs), the GIL's check granularity.
static void BM_ComputeChunk(benchmark::State& state)
{
    const Kernel kernel = Kernel(state.range(0));
    const QByteArray page = makeLabHtml(20'000, 3);
    ComputeWork work(kernel, page, 1e9, Calibration::instance());
    for (auto _ : state)
        work.runChunk();
    state.SetLabel(kernel == Kernel::Regex ? "regex" : "hash");
    state.SetBytesProcessed(work.doneUnits());
}
BENCHMARK(BM_ComputeChunk)->Arg(int(Kernel::Regex))->Arg(int(Kernel::Hash))->Unit(benchmark::kMicrosecond);

// Folding sorted events into spans: the GUI thread's cost per event while a run streams in.
static void BM_TraceStoreAppend(benchmark::State& state)
{
    constexpr int kTasks = 64;
    std::vector<TaskInstance> tasks(kTasks);
    for (int t = 0; t < kTasks; ++t) {
        tasks[size_t(t)].id = t;
        tasks[size_t(t)].name = QStringLiteral("t%1").arg(t);
    }
    TraceBatch batch;
    batch.workers.push_back(WorkerInfo { 0, QStringLiteral("thread-1"), WorkerKind::Thread, 0 });
    for (int i = 0; i < 10'000; ++i) {
        Event e {};
        e.timeNs = i * 1000;
        e.cpuNs = -1;
        e.task = i % kTasks;
        e.worker = 0;
        e.kind = EventKind::State;
        e.state = (i / kTasks) % 2 ? TaskState::Running : TaskState::WaitingGil;
        batch.events.push_back(e);
    }
    for (auto _ : state) {
        TraceStore store;
        store.reset(tasks);
        store.append(batch);
        benchmark::DoNotOptimize(store.spans().data());
    }
    state.SetItemsProcessed(state.iterations() * int64_t(batch.events.size()));
}
BENCHMARK(BM_TraceStoreAppend)->Unit(benchmark::kMicrosecond);

// Two threads that both want the GIL and compute in 50 µs chunks, switch interval 5 ms (CPython's default):
// how long each holds it (about one interval) and how long a forced handover takes (release → the other thread's
// acquisition: the waiter's condition-variable wake-up), from the GIL events the threads record.
static void BM_GilForcedHandover(benchmark::State& state)
{
    std::vector<double> holdsMs, gapsUs;
    for (auto _ : state) {
        Stopper stop;
        Gil gil(std::chrono::microseconds(state.range(0)), &stop);
        EventBuffer b1(1 << 20), b2(1 << 20);
        const int64_t t0 = monotonicNs();
        std::atomic<bool> done { false };
        auto worker = [&](EventBuffer* buffer, int id) {
            Recorder rec(buffer, id, t0);
            gil.take(rec, id, 0);
            ComputeWork work(Kernel::Regex, makeLabHtml(20'000, 1), 1e9, Calibration::instance());
            while (!done.load(std::memory_order_relaxed)) {
                if (gil.dropRequested())
                    gil.handOver(rec, id, 0);
                work.runChunk();
            }
            gil.drop(rec, id);
        };
        std::thread a(worker, &b1, 0), c(worker, &b2, 1);
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        done = true;
        stop.request();
        a.join();
        c.join();
        std::vector<Event> events;
        b1.drainTo(events);
        b2.drainTo(events);
        std::stable_sort(
            events.begin(), events.end(), [](const Event& x, const Event& y) { return x.timeNs < y.timeNs; });
        int64_t acquired = -1, released = -1;
        for (const Event& e : events) {
            if (e.kind != EventKind::Gil)
                continue;
            if (e.value) {
                if (released >= 0)
                    gapsUs.push_back(double(e.timeNs - released) / 1e3);
                acquired = e.timeNs;
            } else if (acquired >= 0) {
                holdsMs.push_back(double(e.timeNs - acquired) / 1e6);
                released = e.timeNs;
            }
        }
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v.empty() ? 0.0 : v[v.size() / 2];
    };
    auto p99 = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v.empty() ? 0.0 : v[std::min(v.size() - 1, v.size() * 99 / 100)];
    };
    state.counters["hold_ms_p50"] = median(holdsMs);
    state.counters["handover_us_p50"] = median(gapsUs);
    state.counters["handover_us_p99"] = p99(gapsUs);
}
BENCHMARK(BM_GilForcedHandover)->Arg(5000)->Arg(1000)->Iterations(3)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
