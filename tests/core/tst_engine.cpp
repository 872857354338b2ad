// The shapes of python-concurrency.md, reproduced by the sequential and threads modes, with margins: these
// machines are shared, 2-core and noisy, so the tests check ratios, orderings and counts, not exact times.

#include "calibration.h"
#include "httpfetch.h"
#include "testutil.h"
#include "utilsampler.h"

#include <QTest>

using namespace taskline;
using namespace taskline::test;

class TestEngine : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cpuBoundThreads_data();
    void cpuBoundThreads();
    void gilHandsOverAboutEverySwitchInterval();
    void holdsComputeIsNeverInterrupted();
    void sleepAndFetchReleaseTheGil_data();
    void sleepAndFetchReleaseTheGil();
    void convoyStretchesShortSleeps_data();
    void convoyStretchesShortSleeps();
    void releasesComputeRunsInParallel();
    void fetchTakesTheGilBackAtEverySocketCall();
    void fetchesOverlapUnderThreads();
    void fetchReturnsRequestedBytesAfterDelay();
    void failedFetchFailsOnlyItsTask();
    void everyTaskIsQueuedThenRunsThenEnds();
    void runningSlicesCarryThreadCpuTime();
    void stopEndsARunPromptly();
};

void TestEngine::initTestCase()
{
    initNetworking();
    const Calibration& c = Calibration::instance();
    qInfo("calibration: regex %.0f bytes/ms, hash %.0f bytes/ms (%s)", c.unitsPerMs(Kernel::Regex),
        c.unitsPerMs(Kernel::Hash), c.wasLoadedFromCache() ? "cached" : "measured now");
}

void TestEngine::cpuBoundThreads_data()
{
    QTest::addColumn<bool>("gil");
    QTest::addColumn<double>("minRatio");
    QTest::addColumn<double>("maxRatio");
    // GIL on: no speedup (CPython: 8 CPU threads take 1618 ms vs 1511 ms sequential).
    QTest::newRow("gil_on_no_speedup") << true << 0.85 << 10.0;
    // GIL off (free-threaded): two cores share the work.
    QTest::newRow("gil_off_parallel") << false << 0.0 << 0.7;
}

void TestEngine::cpuBoundThreads()
{
    TASKLINE_SKIP_TIMING_UNDER_SANITIZER();
    QFETCH(bool, gil);
    QFETCH(double, minRatio);
    QFETCH(double, maxRatio);
    if (!gil && UtilSampler::coreCount() < 2)
        QSKIP("needs at least 2 cores");
    const Mix mix = mixOf("cpu", { task("crunch", 4, { Step::makeCompute(200) }) });
    // A shared machine can slow either run; a second pair (interleaved) gives noise a second chance, while a
    // wrong model (no parallelism: ratio near 1; no GIL: ratio near 0.5) fails both.
    double ratio = 0;
    Ran thr;
    for (int attempt = 0; attempt < 2; ++attempt) {
        const Ran seq = runMix(mix, settingsFor(Mode::Sequential));
        thr = runMix(mix, settingsFor(Mode::Threads, 4, gil));
        QVERIFY2(seq.result.ok() && thr.result.ok(), qPrintable(thr.result.error));
        ratio = thr.wallMs() / seq.wallMs();
        qInfo("sequential %.0f ms, threads (GIL %s) %.0f ms, ratio %.2f", seq.wallMs(), gil ? "on" : "off",
            thr.wallMs(), ratio);
        if (ratio >= minRatio && ratio <= maxRatio)
            break;
    }
    QVERIFY2(ratio >= minRatio && ratio <= maxRatio, qPrintable(QString::number(ratio)));

    if (gil) {
        // Interleaved, not one after another: every task has many running slices, and all finish near the end.
        int slices = 0, between3and10 = 0;
        for (int t = 0; t < 4; ++t) {
            const auto running = spansOf(thr.store, t, TaskState::Running);
            QVERIFY2(
                running.size() >= 5, qPrintable(QStringLiteral("task %1 ran in %2 slices").arg(t).arg(running.size())));
            for (const Span& s : running) {
                const double d = ms(s.endNs - s.startNs);
                ++slices;
                if (d >= 3 && d <= 10)
                    ++between3and10;
            }
            QVERIFY(!spansOf(thr.store, t, TaskState::WaitingGil).empty());
        }
        // The first task to finish ends late, not after a quarter of the run.
        int64_t firstEnd = INT64_MAX;
        for (int t = 0; t < 4; ++t)
            firstEnd = std::min(firstEnd, thr.store.taskEndNs(t));
        QVERIFY2(double(firstEnd) > 0.6 * double(thr.result.wallNs), "tasks did not progress together");
        qInfo("%d of %d running slices between 3 and 10 ms", between3and10, slices);
        QVERIFY2(between3and10 * 2 > slices, "most contended slices should last about one switch interval");
    }
}

void TestEngine::gilHandsOverAboutEverySwitchInterval()
{
    TASKLINE_SKIP_TIMING_UNDER_SANITIZER();
    const Mix mix = mixOf("cpu", { task("crunch", 2, { Step::makeCompute(300) }) });
    const Ran thr = runMix(mix, settingsFor(Mode::Threads, 2, true, 5.0));
    QVERIFY(thr.result.ok());
    std::vector<double> held;
    for (const GilSpan& g : thr.store.gilSpans())
        held.push_back(ms(g.endNs - g.startNs));
    const double med = median(held);
    qInfo("%zu GIL holds, median %.2f ms", held.size(), med);
    QVERIFY2(held.size() >= 40, "the GIL should change hands many times in 600 ms");
    QVERIFY2(med >= 3.5 && med <= 9, qPrintable(QString::number(med)));
}

void TestEngine::holdsComputeIsNeverInterrupted()
{
    // One long C call (gil: holds) beside short interruptible tasks: nobody else runs until it ends.
    const Mix mix = mixOf("c call",
        { task("c-call", 1, { Step::makeCompute(300, Kernel::Regex, GilBehaviour::Holds) }),
            task("short", 3, { Step::makeCompute(30) }) });
    const Ran thr = runMix(mix, settingsFor(Mode::Threads, 4));
    QVERIFY(thr.result.ok());
    const auto running = spansOf(thr.store, 0, TaskState::Running);
    QCOMPARE(spansOf(thr.store, 0, TaskState::WaitingGil).size() <= 1, true); // at most its initial wait
    // Its compute is one running slice: all of its running time ...
    const Span* longest = nullptr;
    int64_t total = 0;
    for (const Span& s : running) {
        total += s.endNs - s.startNs;
        if (!longest || s.endNs - s.startNs > longest->endNs - longest->startNs)
            longest = &s;
    }
    QVERIFY(longest);
    QVERIFY2(
        double(longest->endNs - longest->startNs) > 0.95 * double(total), "the holding compute was cut into slices");
    // ... while the short tasks wanted the GIL all along (they did wait for it).
    for (int t = 1; t < 4; ++t)
        QVERIFY(!spansOf(thr.store, t, TaskState::WaitingGil).empty());
    // ... during which no other task runs.
    for (int t = 1; t < 4; ++t) {
        for (const Span& s : spansOf(thr.store, t, TaskState::Running)) {
            const bool overlaps = s.startNs < longest->endNs - 100'000 && s.endNs > longest->startNs + 100'000;
            QVERIFY2(!overlaps, qPrintable(QStringLiteral("task %1 ran during the C call").arg(t)));
        }
    }
}

void TestEngine::sleepAndFetchReleaseTheGil_data()
{
    QTest::addColumn<bool>("fetch");
    QTest::newRow("sleep_releases_gil") << false;
    QTest::newRow("fetch_releases_gil") << true;
}

void TestEngine::sleepAndFetchReleaseTheGil()
{
    QFETCH(bool, fetch);
    const Step wait = fetch ? Step::makeFetch(labUrl(200)) : Step::makeSleep(200);
    const Mix mix = mixOf("release", { task("waiter", 1, { wait }), task("cpu", 1, { Step::makeCompute(400) }) });
    const Ran thr = runMix(mix, settingsFor(Mode::Threads, 2));
    QVERIFY2(thr.result.ok(), qPrintable(thr.result.outcomes[0].error));
    const TaskState waitState = fetch ? TaskState::BlockedIo : TaskState::Sleeping;
    // A sleep is one wait; a fetch is several (urllib's socket calls), the longest being the server's 200 ms.
    const auto waits = spansOf(thr.store, 0, waitState);
    QCOMPARE(waits.size(), size_t(fetch ? 8 : 1));
    const Span w = *std::max_element(waits.begin(), waits.end(),
        [](const Span& a, const Span& b) { return a.endNs - a.startNs < b.endNs - b.startNs; });
    QVERIFY(ms(w.endNs - w.startNs) >= 190);
    // While the waiter waits, the CPU task runs (it got the GIL) for most of that time.
    int64_t overlap = 0;
    for (const Span& s : spansOf(thr.store, 1, TaskState::Running))
        overlap += std::max<int64_t>(0, std::min(s.endNs, w.endNs) - std::max(s.startNs, w.startNs));
    QVERIFY2(double(overlap) > 0.8 * double(w.endNs - w.startNs), qPrintable(QString::number(ms(overlap))));
    // The GIL lane agrees: the CPU task's worker held the GIL during the wait.
    int64_t held = 0;
    const int cpuWorker = thr.store.taskWorker(1);
    for (const GilSpan& g : thr.store.gilSpans())
        if (g.worker == cpuWorker)
            held += std::max<int64_t>(0, std::min(g.endNs, w.endNs) - std::max(g.startNs, w.startNs));
    QVERIFY(double(held) > 0.8 * double(w.endNs - w.startNs));
}

void TestEngine::convoyStretchesShortSleeps_data()
{
    QTest::addColumn<double>("switchMs");
    QTest::addColumn<double>("minIteration");
    QTest::addColumn<double>("maxIteration");
    // CPython: a 1 ms sleep beside a busy thread takes about 1 + 5 ms.
    QTest::newRow("switch_5ms_stretches_to_6ms") << 5.0 << 4.0 << 10.0;
    // A shorter switch interval shortens the stretch.
    QTest::newRow("switch_1ms_stretches_to_2ms") << 1.0 << 1.2 << 4.0;
}

void TestEngine::convoyStretchesShortSleeps()
{
    TASKLINE_SKIP_TIMING_UNDER_SANITIZER();
    QFETCH(double, switchMs);
    QFETCH(double, minIteration);
    QFETCH(double, maxIteration);
    std::vector<Step> sleeps(100, Step::makeSleep(1));
    const Mix mix = mixOf("convoy", { task("sleeper", 1, sleeps), task("cpu", 1, { Step::makeCompute(1500) }) });
    const Ran thr = runMix(mix, settingsFor(Mode::Threads, 2, true, switchMs));
    QVERIFY(thr.result.ok());
    const double sleeperMs = ms(thr.store.taskEndNs(0) - thr.store.taskStartNs(0));
    const double perIteration = sleeperMs / 100;
    qInfo("switch interval %.1f ms: 100 sleeps of 1 ms took %.0f ms (%.2f ms each)", switchMs, sleeperMs, perIteration);
    QVERIFY2(perIteration >= minIteration && perIteration <= maxIteration, qPrintable(QString::number(perIteration)));
    // The stretch is time spent waiting for the GIL, not sleeping.
    const auto waits = spansOf(thr.store, 0, TaskState::WaitingGil);
    QVERIFY(waits.size() >= 90);
    // Without a competing CPU thread the sleeps are not stretched.
    const Mix alone = mixOf("alone", { task("sleeper", 1, sleeps) });
    const Ran solo = runMix(alone, settingsFor(Mode::Threads, 1, true, switchMs));
    const double soloEach = ms(solo.store.taskEndNs(0) - solo.store.taskStartNs(0)) / 100;
    qInfo("alone: %.2f ms each", soloEach);
    QVERIFY(soloEach < minIteration);
}

void TestEngine::releasesComputeRunsInParallel()
{
    TASKLINE_SKIP_TIMING_UNDER_SANITIZER();
    if (UtilSampler::coreCount() < 2)
        QSKIP("needs at least 2 cores");
    // hashlib on big buffers drops the GIL: two such threads use two cores even with the GIL on.
    const Mix mix
        = mixOf("hash", { task("hash", 2, { Step::makeCompute(300, Kernel::Hash, GilBehaviour::Releases, 1 << 20) }) });
    double ratio = 1;
    for (int attempt = 0; attempt < 2 && ratio >= 0.8; ++attempt) { // one retry: the second core may be busy
        const Ran seq = runMix(mix, settingsFor(Mode::Sequential));
        const Ran thr = runMix(mix, settingsFor(Mode::Threads, 2, true));
        QVERIFY(thr.result.ok());
        ratio = thr.wallMs() / seq.wallMs();
        qInfo("releases: sequential %.0f ms, threads %.0f ms (%.2f)", seq.wallMs(), thr.wallMs(), ratio);
    }
    QVERIFY2(ratio < 0.8, qPrintable(QString::number(ratio)));
}

void TestEngine::fetchTakesTheGilBackAtEverySocketCall()
{
    // urllib drops and re-takes the GIL around each socket call: beside a busy thread, a 20 kB fetch waits for the
    // GIL before its request leaves (3 calls), when the response arrives (1), for each further 8 KiB (2) and after
    // closing the socket (1).
    const Mix mix = mixOf("fetch beside cpu",
        { task("cpu", 1, { Step::makeCompute(600) }), task("page", 1, { Step::makeFetch(labUrl(100, 20000)) }) });
    const Ran thr = runMix(mix, settingsFor(Mode::Threads, 2, true));
    QVERIFY2(thr.result.ok(), qPrintable(thr.result.outcomes[1].error));
    const auto io = spansOf(thr.store, 1, TaskState::BlockedIo);
    const auto waits = spansOf(thr.store, 1, TaskState::WaitingGil);
    qInfo("fetch: %zu blocked_io spans, %zu waits for the GIL, %.0f ms in all", io.size(), waits.size(),
        ms(thr.store.taskEndNs(1) - thr.store.taskStartNs(1)));
    QCOMPARE(io.size(), size_t(1 + 3 + 1 + 2 + 1));
    QVERIFY(waits.size() >= 4); // the first take and most of the 7 socket calls found the GIL held by the CPU thread
    // Sequentially (no other thread wants the GIL) the fetch is one wait on the network.
    const Ran seq = runMix(mix, settingsFor(Mode::Sequential));
    QCOMPARE(spansOf(seq.store, 1, TaskState::BlockedIo).size(), size_t(1));
}

void TestEngine::fetchesOverlapUnderThreads()
{
    const Mix mix = mixOf("io", { task("page", 8, { Step::makeFetch(labUrl(200)) }) });
    const Ran one
        = runMix(mixOf("one", { task("page", 1, { Step::makeFetch(labUrl(200)) }) }), settingsFor(Mode::Threads, 1));
    const Ran thr = runMix(mix, settingsFor(Mode::Threads, 8));
    QVERIFY2(thr.result.ok(), qPrintable(thr.result.outcomes[0].error));
    qInfo("one fetch %.0f ms; 8 fetches on 8 threads %.0f ms", one.wallMs(), thr.wallMs());
    QVERIFY(thr.wallMs() < 2 * one.wallMs());
    // Sequentially they queue up: about 8 times one.
    const Ran seq = runMix(mix, settingsFor(Mode::Sequential));
    QVERIFY(seq.wallMs() > 6 * one.wallMs() * 0.9);
}

void TestEngine::fetchReturnsRequestedBytesAfterDelay()
{
    const Mix mix = mixOf("fetch", { task("page", 1, { Step::makeFetch(labUrl(150, 12345)), Step::makeCompute(20) }) });
    const Ran r = runMix(mix, settingsFor(Mode::Sequential));
    QVERIFY(r.result.ok());
    QCOMPARE(r.result.outcomes[0].bytesFetched, int64_t(12345));
    QVERIFY2(r.result.outcomes[0].metaTags > 0, "the regex should find <meta> tags in the fetched page");
    const auto io = spansOf(r.store, 0, TaskState::BlockedIo);
    QCOMPARE(io.size(), size_t(1));
    QVERIFY(ms(io[0].endNs - io[0].startNs) >= 149);
}

void TestEngine::failedFetchFailsOnlyItsTask()
{
    const Mix mix = mixOf("fail",
        { task("bad", 1, { Step::makeFetch("lab:/status/404"), Step::makeCompute(10) }),
            task("good", 1, { Step::makeCompute(10) }) });
    const Ran r = runMix(mix, settingsFor(Mode::Threads, 2));
    QVERIFY(!r.result.ok());
    QCOMPARE(r.result.failedTasks(), 1);
    QCOMPARE(r.store.taskState(0), TaskState::Failed);
    QCOMPARE(r.store.taskState(1), TaskState::Done);
    QVERIFY2(r.result.outcomes[0].error.contains("404"), qPrintable(r.result.outcomes[0].error));
}

void TestEngine::everyTaskIsQueuedThenRunsThenEnds()
{
    const Mix mix = mixOf("mixed",
        { task("fetch", 2, { Step::makeFetch(labUrl(50)) }), task("cpu", 2, { Step::makeCompute(30) }),
            task("nap", 2, { Step::makeSleep(20) }) });
    for (Mode mode : { Mode::Sequential, Mode::Threads }) {
        const Ran r = runMix(mix, settingsFor(mode, 3));
        QVERIFY(r.result.ok());
        QCOMPARE(r.store.tasksFinished(), 6);
        QCOMPARE(r.store.droppedEvents(), uint64_t(0));
        for (int t = 0; t < 6; ++t) {
            const auto& idx = r.store.taskSpans(t);
            QVERIFY(!idx.empty());
            QCOMPARE(r.store.spans()[idx.front()].state, TaskState::Queued);
            QCOMPARE(r.store.taskState(t), TaskState::Done);
            // Spans of a task follow each other without gaps.
            for (size_t i = 1; i < idx.size(); ++i)
                QCOMPARE(r.store.spans()[idx[i]].startNs, r.store.spans()[idx[i - 1]].endNs);
        }
        // Sequential: one worker; threads: three.
        QCOMPARE(int(r.store.workers().size()), mode == Mode::Sequential ? 1 : 3);
    }
}

void TestEngine::runningSlicesCarryThreadCpuTime()
{
    TASKLINE_SKIP_TIMING_UNDER_SANITIZER();
    const Mix mix
        = mixOf("cpu", { task("crunch", 1, { Step::makeCompute(100) }), task("nap", 1, { Step::makeSleep(100) }) });
    const Ran r = runMix(mix, settingsFor(Mode::Threads, 2, false));
    QVERIFY(r.result.ok());
    int64_t wall = 0, cpu = 0;
    for (const Span& s : spansOf(r.store, 0, TaskState::Running)) {
        QVERIFY(s.cpuNs >= 0);
        wall += s.endNs - s.startNs;
        cpu += s.cpuNs;
    }
    // A compute burns CPU for (nearly) all of its running time; CPU can't exceed wall.
    QVERIFY2(cpu <= wall + 2'000'000, qPrintable(QStringLiteral("%1 > %2").arg(cpu).arg(wall)));
    QVERIFY2(double(cpu) > 0.5 * double(wall), qPrintable(QStringLiteral("%1 vs %2").arg(cpu).arg(wall)));
    // Utilization was sampled at least every 20 ms.
    QVERIFY(r.store.utilization().size() >= 4);
    for (const UtilSample& u : r.store.utilization())
        QVERIFY(u.intervalNs < 60'000'000);
}

void TestEngine::stopEndsARunPromptly()
{
    const Mix mix = mixOf("long",
        { task("cpu", 2, { Step::makeCompute(5000) }), task("nap", 2, { Step::makeSleep(5000) }),
            task("fetch", 2, { Step::makeFetch(labUrl(5000)) }) });
    TraceStore store;
    store.reset(expandTasks(mix));
    RunOptions options;
    options.labBaseUrl = LabServer::sharedBaseUrl();
    Run run(mix, settingsFor(Mode::Threads, 6), options);
    std::thread stopper([&run] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        run.requestStop();
    });
    const RunResult r = run.execute();
    stopper.join();
    QVERIFY(r.stopped);
    qInfo("stopped after %.0f ms", ms(r.wallNs));
    QVERIFY2(ms(r.wallNs) < 1500, "stop should end the run within a fraction of a second");
    QVERIFY(!r.ok());
}

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
