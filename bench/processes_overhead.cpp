// What processes mode costs, measured through real runs (the same code path as the app), read from their traces:
//   1. pool start-up per start method: from the first start request until every worker said hello
//      (forkserver cold: the fork server is started first, as on a program's first Pool; warm: it is running);
//   2. the round trip of an empty task (compute 0 ms) through one worker, many times in a row;
//   3. copying: the `serializing` time of a task carrying a payload of 1, 8 and 64 MB to its worker, and of a
//      returned page of 1, 8 and 64 MB coming back, per MB beyond an empty task's.
// See docs/performance.md ("Processes mode").
//
//   bench_processes [rounds=7] [tasks=2000]
#include "calibration.h"
#include "forkserver.h"
#include "httpfetch.h"
#include "labserver.h"
#include "mix.h"
#include "run.h"
#include "tracestore.h"
#include "utilsampler.h"
#include "workerprocess.h"

#include <QCoreApplication>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace taskline;

namespace {

Mix mixOf(const std::vector<Step>& steps, int count)
{
    Mix m;
    m.name = QStringLiteral("bench");
    TaskSpec t;
    t.name = QStringLiteral("t");
    t.count = count;
    t.steps = steps;
    m.tasks.push_back(t);
    return m;
}

RunSettings processes(int workers, StartMethod method)
{
    RunSettings s;
    s.mode = Mode::Processes;
    s.workers = workers;
    s.startMethod = method;
    return s;
}

struct Traced
{
    RunResult result;
    TraceStore store;
};

Traced run(const Mix& mix, const RunSettings& settings, const QString& lab)
{
    Traced t;
    t.result = runToStore(mix, settings, lab, &t.store);
    if (!t.result.ok()) {
        std::fprintf(stderr, "run failed: %s %s\n", qPrintable(t.result.error),
            t.result.outcomes.empty() ? "" : qPrintable(t.result.outcomes[0].error));
        std::exit(1);
    }
    return t;
}

// The spans of `task` in `state`, in time order.
std::vector<Span> spans(const TraceStore& store, int task, TaskState state)
{
    std::vector<Span> out;
    for (uint32_t i : store.taskSpans(task))
        if (store.spans()[i].state == state)
            out.push_back(store.spans()[i]);
    return out;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

double minOf(const std::vector<double>& v)
{
    return v.empty() ? 0 : *std::min_element(v.begin(), v.end());
}

// Pool ready: from the first start request (spawning begins) until the last worker's hello (spawning ends).
double poolReadyMs(const TraceStore& store)
{
    int64_t first = INT64_MAX, last = 0;
    for (const Span& s : store.spans())
        if (s.state == TaskState::Spawning) {
            first = std::min(first, s.startNs);
            last = std::max(last, s.endNs);
        }
    return double(last - first) / 1e6;
}

double spanMs(const Span& s)
{
    return double(s.endNs - s.startNs) / 1e6;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    initNetworking();
    const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
    const int roundTrips = argc > 2 ? std::max(10, std::atoi(argv[2])) : 2000;
    if (qEnvironmentVariableIsEmpty("TASKLINE_BINARY"))
        WorkerProcess::setExecutable(QStringLiteral(TASKLINE_BINARY_PATH));
    Calibration::instance();
    const QString lab = LabServer::sharedBaseUrl();
    const int cores = UtilSampler::coreCount();
    std::printf("processes mode overhead: %d cores, worker program %s, %d rounds (medians; min in brackets)\n\n", cores,
        qPrintable(WorkerProcess::executable()), rounds);

    // 1. Pool start-up: `cores` workers (Pool()'s default), each given an empty task.
    const Mix empty = mixOf({ Step::makeCompute(0) }, cores);
    std::vector<double> spawnMs, coldMs, warmMs;
    for (int r = 0; r < rounds; ++r) {
        spawnMs.push_back(poolReadyMs(run(empty, processes(cores, StartMethod::Spawn), lab).store));
        ForkServer::instance().shutdown();
        coldMs.push_back(poolReadyMs(run(empty, processes(cores, StartMethod::Forkserver), lab).store));
        warmMs.push_back(poolReadyMs(run(empty, processes(cores, StartMethod::Forkserver), lab).store));
    }
    std::printf("| pool of %d ready (all said hello) | median | min |\n| --- | --- | --- |\n", cores);
    std::printf("| spawn | %.1f ms | %.1f ms |\n", median(spawnMs), minOf(spawnMs));
    std::printf("| forkserver, first pool (starts the server) | %.1f ms | %.1f ms |\n", median(coldMs), minOf(coldMs));
    std::printf("| forkserver, server running | %.1f ms | %.1f ms |\n\n", median(warmMs), minOf(warmMs));

    // 2. Round trip of an empty task through one worker (start-up excluded: from the first task's send).
    std::vector<double> tripUs, latencyUs;
    for (int r = 0; r < std::min(rounds, 3); ++r) {
        const Traced t = run(mixOf({ Step::makeCompute(0) }, roundTrips), processes(1, StartMethod::Forkserver), lab);
        const int64_t begin = spans(t.store, 0, TaskState::Serializing).front().startNs;
        const int64_t end = t.store.taskEndNs(roundTrips - 1);
        tripUs.push_back(double(end - begin) / 1e3 / roundTrips);
        std::vector<double> each;
        for (int i = 0; i < roundTrips; ++i)
            each.push_back(
                double(t.store.taskEndNs(i) - spans(t.store, i, TaskState::Serializing).front().startNs) / 1e3);
        latencyUs.push_back(median(each));
    }
    std::printf("| empty task through one worker (%d in a row) | median | min |\n| --- | --- | --- |\n", roundTrips);
    std::printf("| tasks per second → µs per task | %.0f µs | %.0f µs |\n", median(tripUs), minOf(tripUs));
    std::printf("| send → done of one task | %.0f µs | %.0f µs |\n\n", median(latencyUs), minOf(latencyUs));

    // 3. Copying. To the worker: a compute 0 ms (hash) step with a payload; back: a fetch that returns the page.
    //    The same worker runs a payload-free task first, so both are measured on a warm worker.
    const Step none = Step::makeCompute(0, Kernel::Hash);
    std::printf("| size | to the worker (serializing) | per MB | back to the app (serializing) | per MB |\n"
                "| --- | --- | --- | --- | --- |\n");
    for (int64_t mb : { 1, 8, 64 }) {
        std::vector<double> send, sendBase, back, backBase;
        for (int r = 0; r < rounds; ++r) {
            Mix m;
            m.name = QStringLiteral("copy");
            TaskSpec base { QStringLiteral("base"), 1,
                { none, Step::makeFetch(QStringLiteral("lab:/delay?ms=0&bytes=1")) } };
            TaskSpec payload { QStringLiteral("payload"), 1,
                { Step::makeCompute(0, Kernel::Hash, GilBehaviour::Interruptible, mb << 20),
                    Step::makeFetch(QStringLiteral("lab:/delay?ms=0&bytes=%1").arg(mb << 20)) } };
            m.tasks = { base, payload };
            const Traced t = run(m, processes(1, StartMethod::Forkserver), lab);
            sendBase.push_back(spanMs(spans(t.store, 0, TaskState::Serializing).front()));
            send.push_back(spanMs(spans(t.store, 1, TaskState::Serializing).front()));
            backBase.push_back(spanMs(spans(t.store, 0, TaskState::Serializing).back()));
            back.push_back(spanMs(spans(t.store, 1, TaskState::Serializing).back()));
        }
        const double s = median(send), sb = median(sendBase), b = median(back), bb = median(backBase);
        std::printf("| %lld MB | %.2f ms | %.2f ms | %.2f ms | %.2f ms |\n", static_cast<long long>(mb), s,
            (s - sb) / double(mb), b, (b - bb) / double(mb));
    }
    ForkServer::instance().shutdown();
    return 0;
}
