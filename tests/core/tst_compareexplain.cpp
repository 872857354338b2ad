// The one-line explanations of a comparison: derived from the measurements (synthetic summaries, one row per shape
// a lesson shows), and checked on real runs of tiny mixes under every mode.

#include "compareexplain.h"
#include "executor.h"
#include "testutil.h"

#include <QRegularExpression>
#include <QTest>

using namespace taskline;
using namespace taskline::test;

namespace {

struct States
{
    double queued = 0, ready = 0, running = 0, gil = 0, io = 0, sleeping = 0, spawning = 0, serializing = 0;
};

// A complete run of `tasks` equal tasks whose states add up to `s` (split evenly over the tasks).
RunSummary summaryOf(Mode mode, double wallMs, double cpuMs, int workers, int tasks, const States& s)
{
    RunSummary r;
    r.mix = QStringLiteral("synthetic");
    r.settings.mode = mode;
    r.workers = workers;
    r.cores = 2;
    r.wallMs = wallMs;
    r.cpuMs = cpuMs;
    const std::array<double, kTimedStateCount> total { s.queued, s.ready, s.running, s.gil, s.io, s.sleeping,
        s.spawning, s.serializing };
    r.stateMs = total;
    for (int i = 0; i < tasks; ++i) {
        TaskSummary t;
        t.id = i;
        t.name = QStringLiteral("page#%1").arg(i + 1);
        t.status = QStringLiteral("done");
        t.startMs = 0;
        t.endMs = wallMs;
        for (int k = 0; k < kTimedStateCount; ++k)
            t.stateMs[size_t(k)] = total[size_t(k)] / tasks;
        r.tasks.push_back(t);
    }
    if (mode == Mode::Coroutines)
        r.loop.present = true;
    return r;
}

RunFacts facts(const RunSummary& s, int peakWaiting = -1, int peakRunning = -1)
{
    RunFacts f;
    f.summary = s;
    f.peakWaiting = peakWaiting;
    f.peakRunning = peakRunning;
    return f;
}

} // namespace

class TestCompareExplain : public QObject
{
    Q_OBJECT
private slots:
    void explain_data();
    void explain();
    void numbersChangeTheWords();
    void explainRunsFindsTheBaseline();
    void formatting_data();
    void formatting();
    void settingsLine();
    void peaksFromTheTrace();
    void realRuns();
};

void TestCompareExplain::explain_data()
{
    QTest::addColumn<RunFacts>("run");
    QTest::addColumn<double>("baselineWallMs"); // 0: no baseline
    QTest::addColumn<QStringList>("expected"); // phrases, in order
    QTest::addColumn<QStringList>("absent");

    // Eight CPU-bound tasks of 200 ms: 1.6 s of computing however they run.
    QTest::newRow("sequential_cpu_bound_is_the_baseline")
        << facts(summaryOf(Mode::Sequential, 1610, 1605, 1, 8, { .queued = 5600, .running = 1600 })) << 0.0
        << QStringList { "sequential: 1.61 s, the baseline: one task at a time", "100 % of it computing" }
        << QStringList { "×" };
    QTest::newRow("sequential_io_bound_waits")
        << facts(summaryOf(Mode::Sequential, 1614, 20, 1, 8, { .queued = 5600, .running = 14, .io = 1600 })) << 0.0
        << QStringList { "the baseline", "99 % of it waiting on I/O" } << QStringList {};
    QTest::newRow("sequential_mixed_names_both")
        << facts(summaryOf(Mode::Sequential, 1000, 400, 1, 4, { .running = 400, .io = 300, .sleeping = 300 })) << 0.0
        << QStringList { "60 % waiting on I/O or sleeping, 40 % computing" } << QStringList {};
    QTest::newRow("threads_gil_cpu_bound_no_faster")
        << facts(summaryOf(Mode::Threads, 1618, 1630, 8, 8, { .running = 1610, .gil = 10'150 }), 0, 1) << 1610.0
        << QStringList { "threads: 1.0× (no faster): ", "the GIL let one thread compute at a time",
               "tasks waited for it 86 % of their time" }
        << QStringList { "overlapped" };
    QTest::newRow("threads_gil_fetch_and_scan_overlaps_waits_then_queues_on_the_gil")
        << facts(summaryOf(Mode::Threads, 1190, 820, 8, 8, { .running = 800, .gil = 2800, .io = 1600 }), 8, 1) << 2578.0
        << QStringList { "threads: 2.2× faster: ", "up to 8 waits overlapped, but the GIL let one thread compute",
               "54 %" }
        << QStringList {};
    QTest::newRow("threads_gil_off_parallel") <<
        [] {
            RunSummary s = summaryOf(Mode::Threads, 820, 1560, 8, 8, { .running = 1580, .io = 0 });
            s.settings.gil = false;
            return facts(s, 0, 2);
        }() << 1610.0 << QStringList { "2.0× faster", "without the GIL, the threads computed in parallel (1.9 cores" }
                                              << QStringList { "waited for it" };
    QTest::newRow("threads_io_bound_overlap")
        << facts(summaryOf(Mode::Threads, 206, 15, 8, 8, { .running = 12, .io = 1600 }), 8, 1) << 1614.0
        << QStringList { "threads: 7.8× faster: up to 8 waits overlapped on 8 threads" } << QStringList { "GIL" };
    QTest::newRow("threads_io_bound_few_workers_queue")
        << facts(summaryOf(Mode::Threads, 820, 15, 2, 8, { .queued = 2400, .running = 12, .io = 1600 }), 2, 1) << 1614.0
        << QStringList { "2.0× faster", "up to 2 waits overlapped on 2 threads",
               "tasks queued for a free thread 60 % of their time" }
        << QStringList {};
    QTest::newRow("threads_average_overlap_without_a_trace")
        << facts(summaryOf(Mode::Threads, 206, 15, 8, 8, { .running = 12, .io = 1600 })) << 1614.0
        << QStringList { "7.8 waits overlapped on average" } << QStringList { "up to" };
    QTest::newRow("coroutines_io_bound_one_loop")
        << facts(summaryOf(Mode::Coroutines, 205, 12, 0, 8, { .running = 10, .io = 1600 }), 8, 1) << 1614.0
        << QStringList { "coroutines: 7.9× faster: up to 8 waits overlapped on one event loop" }
        << QStringList { "held the loop" };
    QTest::newRow("coroutines_cpu_bound_loop_busy")
        <<
        [] {
            RunSummary s = summaryOf(Mode::Coroutines, 1521, 1515, 0, 8, { .ready = 5300, .running = 1510 });
            s.loop.busyMs = 1500;
            s.loop.slowSteps = 8;
            s.loop.longestStepTask = QStringLiteral("crunch#1");
            s.loop.longestStepMs = 200;
            return facts(s, 0, 1);
        }()
        << 1511.0
        << QStringList { "coroutines: 1.0× (no faster): ", "computing never awaits, so one coroutine ran at a time",
               "the loop was busy 99 % of the run", "tasks sat ready 78 % of their time" }
        << QStringList { "without an await" };
    QTest::newRow("coroutines_blocking_client_stalls_the_loop")
        <<
        [] {
            RunSummary s = summaryOf(Mode::Coroutines, 1620, 20, 0, 8, { .ready = 5600, .running = 10, .io = 1600 });
            s.loop.busyMs = 1615;
            s.loop.slowSteps = 8;
            s.loop.longestStepTask = QStringLiteral("page#3");
            s.loop.longestStepMs = 203.4;
            return facts(s, 1, 1);
        }()
        << 1614.0
        << QStringList { "coroutines: 1.0× (no faster): the waits never overlapped on one event loop",
               "page#3 held the loop for 203 ms without an await" }
        << QStringList {};
    QTest::newRow("coroutines_fetch_and_scan_waits_overlap_computing_holds_the_loop")
        <<
        [] {
            RunSummary s = summaryOf(Mode::Coroutines, 1000, 820, 0, 8, { .ready = 3600, .running = 800, .io = 1600 });
            s.loop.busyMs = 810;
            s.loop.slowSteps = 8;
            s.loop.longestStepTask = QStringLiteral("page#1");
            s.loop.longestStepMs = 101;
            return facts(s, 8, 1);
        }()
        << 2578.0
        << QStringList { "coroutines: 2.6× faster: up to 8 waits overlapped, but computing held the loop 81 % of the "
                         "run",
               "tasks sat ready 60 % of their time" }
        << QStringList { "without an await" };
    QTest::newRow("processes_more_than_cores_compute_on_the_cores")
        << facts(summaryOf(Mode::Processes, 1020, 1870, 8, 8, { .running = 12'000 }), 0, 8) << 1850.0
        << QStringList { "1.8× faster: computed on 2 cores at once (1.8 busy on average)" }
        << QStringList { "8 cores" };
    QTest::newRow("coroutines_offload_under_the_gil")
        <<
        [] {
            RunSummary s = summaryOf(Mode::Coroutines, 1600, 1610, 6, 8, { .running = 1600, .gil = 6000 });
            s.settings.offload = true;
            return facts(s, 0, 1);
        }()
        << 1610.0
        << QStringList { "the computing went to a pool of 6 threads, where the GIL let one compute at a time", "79 %" }
        << QStringList {};
    QTest::newRow("processes_cpu_bound_two_cores")
        << facts(summaryOf(Mode::Processes, 810, 1540, 2, 8,
                     { .queued = 4800, .running = 1520, .spawning = 0, .serializing = 3.2 }),
               0, 2)
        << 1610.0 << QStringList { "processes: 2.0× faster: computed on 2 cores at once (1.9 busy on average)" }
        << QStringList { "start-up" };
    QTest::newRow("processes_io_bound_pool_of_two")
        << facts(summaryOf(Mode::Processes, 830, 40, 2, 8, { .queued = 2500, .running = 14, .io = 1600 }), 2, 1)
        << 1614.0
        << QStringList { "1.9× faster", "up to 2 waits overlapped, one per worker process (2 processes)",
               "tasks queued for a free process 61 % of their time" }
        << QStringList {};
    QTest::newRow("processes_start_up_makes_it_slower") <<
        [] {
            RunSummary s = summaryOf(Mode::Processes, 150, 120, 2, 2, { .running = 100, .serializing = 1 });
            s.tasks[0].stateMs[size_t(TaskState::Spawning)] = 96;
            s.tasks[1].stateMs[size_t(TaskState::Spawning)] = 102;
            s.stateMs[size_t(TaskState::Spawning)] = 198;
            return facts(s, 0, 2);
        }() << 100.0 << QStringList { "processes: 0.7× (1.5× slower)", "start-up 102 ms, copying 1.0 ms" }
                                                        << QStringList {};
    QTest::newRow("no_baseline_gives_the_wall_time")
        << facts(summaryOf(Mode::Threads, 206, 15, 8, 8, { .running = 12, .io = 1600 }), 8, 1) << 0.0
        << QStringList { "threads: 206 ms: up to 8 waits" } << QStringList { "×" };
    QTest::newRow("stopped_run_is_not_compared") <<
        [] {
            RunSummary s = summaryOf(Mode::Threads, 400, 400, 8, 8, { .running = 400 });
            s.stopped = true;
            return facts(s);
        }() << 1610.0 << QStringList { "threads: stopped after 400 ms, so not compared" }
                                                 << QStringList { "×" };
    QTest::newRow("run_that_could_not_start_says_why") <<
        [] {
            RunSummary s = summaryOf(Mode::Processes, 0, 0, 0, 0, {});
            s.error = QStringLiteral("could not start worker processes (spawn): no such file");
            return facts(s);
        }() << 1610.0 << QStringList { "processes: did not run: could not start worker processes" }
                                                       << QStringList {};
    QTest::newRow("failed_tasks_are_counted") <<
        [] {
            RunSummary s = summaryOf(Mode::Threads, 206, 15, 8, 8, { .running = 12, .io = 1600 });
            s.tasks[2].status = s.tasks[5].status = QStringLiteral("failed");
            return facts(s, 8, 1);
        }() << 1614.0 << QStringList { "7.8× faster", "2 of 8 tasks failed" }
                                              << QStringList {};
}

void TestCompareExplain::explain()
{
    QFETCH(RunFacts, run);
    QFETCH(double, baselineWallMs);
    QFETCH(QStringList, expected);
    QFETCH(QStringList, absent);
    RunFacts baseline = facts(summaryOf(Mode::Sequential, baselineWallMs, baselineWallMs, 1, 8, { .running = 1 }));
    const QString line = explainRun(run, baselineWallMs > 0 ? &baseline : nullptr);
    qsizetype from = 0;
    for (const QString& phrase : expected) {
        const qsizetype at = line.indexOf(phrase, from);
        QVERIFY2(at >= 0, qPrintable(QStringLiteral("\"%1\" not in \"%2\"").arg(phrase, line)));
        from = at + phrase.size();
    }
    for (const QString& phrase : absent)
        QVERIFY2(!line.contains(phrase), qPrintable(line));
    QVERIFY(!line.contains(QLatin1String("%"))
        || line.contains(QRegularExpression(QStringLiteral("\\d %")))); // no unfilled placeholder
    QVERIFY2(!line.contains(QRegularExpression(QStringLiteral("%\\d"))), qPrintable(line));
}

void TestCompareExplain::numbersChangeTheWords()
{
    // The same mode with other measurements says other things: the text follows the numbers.
    RunFacts baseline = facts(summaryOf(Mode::Sequential, 1600, 1600, 1, 8, { .running = 1600 }));
    const QString gil = explainRun(
        facts(summaryOf(Mode::Threads, 1620, 1630, 8, 8, { .running = 1600, .gil = 11'000 }), 0, 1), &baseline);
    const QString lessGil = explainRun(
        facts(summaryOf(Mode::Threads, 1620, 1630, 8, 8, { .running = 1600, .gil = 3000 }), 0, 1), &baseline);
    QVERIFY(gil.contains(QLatin1String("87 %")));
    QVERIFY(lessGil.contains(QLatin1String("65 %")));
    RunSummary free = summaryOf(Mode::Threads, 850, 1620, 8, 8, { .running = 1600 });
    free.settings.gil = false;
    const QString parallel = explainRun(facts(free, 0, 2), &baseline);
    QVERIFY2(parallel.contains(QStringLiteral("1.9× faster")), qPrintable(parallel));
    QVERIFY2(!parallel.contains(QLatin1String("GIL let")), qPrintable(parallel));
}

void TestCompareExplain::explainRunsFindsTheBaseline()
{
    std::vector<RunFacts> runs;
    runs.push_back(facts(summaryOf(Mode::Sequential, 1614, 20, 1, 8, { .queued = 5600, .running = 14, .io = 1600 })));
    runs.push_back(facts(summaryOf(Mode::Threads, 206, 15, 8, 8, { .running = 12, .io = 1600 }), 8, 1));
    runs.push_back(facts(summaryOf(Mode::Coroutines, 205, 12, 0, 8, { .running = 10, .io = 1600 }), 8, 1));
    runs.push_back(
        facts(summaryOf(Mode::Processes, 830, 40, 2, 8, { .queued = 2500, .running = 14, .io = 1600 }), 2, 1));
    const QStringList lines = explainRuns(runs);
    QCOMPARE(lines.size(), 4);
    QVERIFY(lines[0].startsWith(QLatin1String("sequential: 1.61 s, the baseline")));
    QVERIFY(lines[1].startsWith(QStringLiteral("threads: 7.8× faster")));
    QVERIFY(lines[2].startsWith(QStringLiteral("coroutines: 7.9× faster")));
    QVERIFY(lines[3].startsWith(QStringLiteral("processes: 1.9× faster")));
    // Without a complete sequential run there is nothing to divide by.
    runs[0].summary.stopped = true;
    const QStringList noBaseline = explainRuns(runs);
    QVERIFY(noBaseline[1].startsWith(QLatin1String("threads: 206 ms:")));
}

void TestCompareExplain::formatting_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<bool>("isSpeedup");
    QTest::addColumn<QString>("expected");
    QTest::newRow("speedup_faster") << 1.94 << true << QStringLiteral("1.9× faster");
    QTest::newRow("speedup_same") << 1.02 << true << QStringLiteral("1.0× (no faster)");
    QTest::newRow("speedup_slower") << 0.5 << true << QStringLiteral("0.5× (2.0× slower)");
    QTest::newRow("speedup_none") << 0.0 << true << QStringLiteral("no comparison");
    QTest::newRow("ms_microseconds") << 0.85 << false << QStringLiteral("850 µs");
    QTest::newRow("ms_small") << 4.21 << false << QStringLiteral("4.2 ms");
    QTest::newRow("ms_whole") << 21.4 << false << QStringLiteral("21 ms");
    QTest::newRow("ms_seconds") << 1618.2 << false << QStringLiteral("1.62 s");
    QTest::newRow("ms_long") << 12'345.0 << false << QStringLiteral("12.3 s");
}

void TestCompareExplain::formatting()
{
    QFETCH(double, value);
    QFETCH(bool, isSpeedup);
    QFETCH(QString, expected);
    QCOMPARE(isSpeedup ? describeSpeedup(value) : formatMs(value), expected);
}

void TestCompareExplain::settingsLine()
{
    RunSummary s = summaryOf(Mode::Threads, 1, 1, 8, 1, {});
    QCOMPARE(describeRunSettings(s), QStringLiteral("8 threads · GIL on, switch interval 5 ms"));
    s.settings.gil = false;
    QCOMPARE(describeRunSettings(s), QStringLiteral("8 threads · GIL off (free-threaded)"));
    s.settings.mode = Mode::Processes;
    s.workers = 2;
    s.settings.startMethod = StartMethod::Spawn;
    QCOMPARE(describeRunSettings(s), QStringLiteral("2 processes · start method spawn"));
    s.settings.mode = Mode::Coroutines;
    s.settings.offload = true;
    s.settings.gil = true;
    s.settings.limit = 4;
    s.workers = 6;
    QCOMPARE(describeRunSettings(s),
        QStringLiteral("one event loop · compute offloaded to 6 threads, GIL on · at most 4 tasks in flight"));
}

void TestCompareExplain::peaksFromTheTrace()
{
    // Three tasks: two sleeps that overlap, one that starts exactly when the first ends (no overlap there).
    TraceStore store;
    Mix mix = mixOf(QStringLiteral("m"), { task(QStringLiteral("t"), 3, { Step::makeSleep(1) }) });
    store.reset(expandTasks(mix));
    TraceBatch b;
    b.workers = { { 0, QStringLiteral("thread-1"), WorkerKind::Thread, 0 },
        { 1, QStringLiteral("thread-2"), WorkerKind::Thread, 0 } };
    auto ev = [](int64_t t, int task, int worker, TaskState s) {
        Event e {};
        e.timeNs = t;
        e.cpuNs = -1;
        e.task = task;
        e.worker = int16_t(worker);
        e.core = 0;
        e.kind = EventKind::State;
        e.state = s;
        return e;
    };
    b.events = { ev(0, 0, 0, TaskState::Running), ev(0, 1, 1, TaskState::Running), ev(10, 0, 0, TaskState::Sleeping),
        ev(12, 1, 1, TaskState::Sleeping), ev(100, 0, 0, TaskState::Done), ev(100, 2, 0, TaskState::Sleeping),
        ev(150, 1, 1, TaskState::Done), ev(180, 2, 0, TaskState::Done) };
    b.timeNs = 180;
    store.append(b);
    store.finish(200);
    const RunFacts f = runFacts(RunSummary {}, &store);
    QCOMPARE(f.peakWaiting, 2);
    QCOMPARE(f.peakRunning, 2);
    QCOMPARE(runFacts(RunSummary {}).peakWaiting, -1);
}

void TestCompareExplain::realRuns()
{
    // Four CPU-bound tasks and four fetches, each mix under every mode: the lines must name what happened.
    const Mix cpu = mixOf(QStringLiteral("cpu"), { task(QStringLiteral("crunch"), 4, { Step::makeCompute(60) }) });
    const Mix io = mixOf(QStringLiteral("io"), { task(QStringLiteral("page"), 4, { Step::makeFetch(labUrl(150)) }) });
    for (const Mix* mix : { &cpu, &io }) {
        std::vector<RunFacts> runs;
        for (int m = 0; m < kModeCount; ++m) {
            if (!isModeAvailable(Mode(m)))
                continue;
            RunSettings settings = settingsFor(Mode(m), m == int(Mode::Threads) ? 4 : 0);
            Ran ran = runMix(*mix, settings);
            QVERIFY2(ran.result.ok(), qPrintable(ran.result.error));
            runs.push_back(runFacts(summarize(ran.result, ran.store), &ran.store));
        }
        const QStringList lines = explainRuns(runs);
        QCOMPARE(lines.size(), qsizetype(runs.size()));
        for (qsizetype i = 0; i < lines.size(); ++i) {
            qInfo("%s", qPrintable(lines[i]));
            QVERIFY(lines[i].startsWith(QLatin1String(modeName(runs[size_t(i)].summary.settings.mode))));
        }
        QVERIFY(lines[0].contains(QLatin1String("the baseline")));
        if (mix == &cpu) {
            QVERIFY2(
                lines[1].contains(QLatin1String("the GIL let one thread compute at a time")), qPrintable(lines[1]));
            QVERIFY2(lines[2].contains(QLatin1String("one coroutine ran at a time")), qPrintable(lines[2]));
            if (lines.size() > 3)
                QVERIFY2(lines[3].contains(QLatin1String("start-up")), qPrintable(lines[3]));
        } else {
            QVERIFY2(lines[1].contains(QLatin1String("up to 4 waits overlapped on 4 threads")), qPrintable(lines[1]));
            QVERIFY2(
                lines[2].contains(QLatin1String("up to 4 waits overlapped on one event loop")), qPrintable(lines[2]));
            QVERIFY2(lines[2].contains(QLatin1String("faster")), qPrintable(lines[2]));
            if (lines.size() > 3)
                QVERIFY2(lines[3].contains(QLatin1String("one per worker process")), qPrintable(lines[3]));
        }
    }
}

QTEST_GUILESS_MAIN(TestCompareExplain)
#include "tst_compareexplain.moc"
