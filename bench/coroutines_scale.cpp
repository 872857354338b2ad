// End-to-end scale runs of the coroutines mode (see docs/performance.md, "Coroutines at scale"): a whole Run with
// its collector and trace store, as the command line does it.
//
//   bench_coroutines sleeps  [N=10000] [ms=100] [rounds=1]   N tasks, each one asyncio.sleep(ms)
//   bench_coroutines fetches [N=1000]  [ms=200] [rounds=1]   N tasks, each one async fetch of lab:/delay?ms=ms
//
// Prints, per round: wall time, events recorded, events dropped, tasks done, the ready counter's highest sample,
// and the process's peak RSS so far (run it under `/usr/bin/time -v` as well). Exit status 1 if a round failed.
#include "calibration.h"
#include "httpfetch.h"
#include "labserver.h"
#include "mix.h"
#include "run.h"
#include "tracestore.h"

#include <QCoreApplication>
#include <cstdio>
#include <cstring>
#include <sys/resource.h>

using namespace taskline;

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    initNetworking();
    const bool fetches = argc > 1 && std::strcmp(argv[1], "fetches") == 0;
    if (argc < 2 || (!fetches && std::strcmp(argv[1], "sleeps") != 0)) {
        std::fprintf(stderr, "usage: bench_coroutines sleeps|fetches [N] [ms] [rounds]\n");
        return 2;
    }
    const int count = argc > 2 ? std::atoi(argv[2]) : (fetches ? 1000 : 10000);
    const int ms = argc > 3 ? std::atoi(argv[3]) : (fetches ? 200 : 100);
    const int rounds = argc > 4 ? std::atoi(argv[4]) : 1;
    if (count < 1 || ms < 0 || rounds < 1) {
        std::fprintf(stderr, "bench_coroutines: N and rounds must be at least 1, ms at least 0\n");
        return 2;
    }

    Mix mix;
    mix.name = fetches ? QStringLiteral("fetches") : QStringLiteral("sleeps");
    TaskSpec spec;
    spec.name = fetches ? QStringLiteral("page") : QStringLiteral("nap");
    spec.count = count;
    spec.steps
        = { fetches ? Step::makeFetch(QStringLiteral("lab:/delay?ms=%1&bytes=20000").arg(ms)) : Step::makeSleep(ms) };
    mix.tasks = { spec };
    RunSettings settings;
    settings.mode = Mode::Coroutines;

    QString labBase;
    if (fetches) {
        QString error;
        labBase = LabServer::sharedBaseUrl(&error);
        if (labBase.isEmpty()) {
            std::fprintf(stderr, "bench_coroutines: the lab server did not start: %s\n", qPrintable(error));
            return 1;
        }
    }
    Calibration::instance(); // not needed by these mixes, but a run would load it on first use

    std::printf("%d × %s %d ms, coroutines mode\n", count, fetches ? "fetch" : "sleep", ms);
    bool ok = true;
    for (int round = 0; round < rounds; ++round) {
        TraceStore store;
        const RunResult r = runToStore(mix, settings, labBase, &store);
        int maxReady = 0;
        const auto counter = store.counters().find(0);
        if (counter != store.counters().end())
            for (const CounterPoint& p : counter->second)
                maxReady = std::max(maxReady, int(p.value));
        rusage usage {};
        getrusage(RUSAGE_SELF, &usage);
        const int done = store.tasksFinished() - r.failedTasks();
        std::printf("  round %d: wall %7.1f ms   events %7llu   dropped %llu   done %d/%d   max ready %d   "
                    "peak RSS %ld MiB\n",
            round + 1, double(r.wallNs) / 1e6, static_cast<unsigned long long>(store.eventCount()),
            static_cast<unsigned long long>(r.droppedEvents), done, count, maxReady, usage.ru_maxrss / 1024);
        if (!r.ok()) {
            ok = false;
            for (const TaskOutcome& o : r.outcomes)
                if (!o.ok) {
                    std::printf("  first failure: %s\n", qPrintable(o.error.isEmpty() ? r.error : o.error));
                    break;
                }
        }
    }
    return ok ? 0 : 1;
}
