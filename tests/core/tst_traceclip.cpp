// A finished run's trace at a moment (TraceClip) and the summary at that moment (summarizeUntil): exact numbers on
// a hand-made trace, then a real run clipped at many moments and checked against clipping its spans directly.

#include "httpfetch.h"
#include "summary.h"
#include "testutil.h"
#include "traceclip.h"

#include <QJsonDocument>
#include <QTest>

using namespace taskline;
using namespace taskline::test;

namespace {

constexpr int64_t kMs = 1'000'000;

Event stateEvent(int64_t ms, int task, TaskState s, int worker, int64_t cpuNs = -1)
{
    Event e {};
    e.timeNs = ms * kMs;
    e.cpuNs = cpuNs;
    e.task = task;
    e.value = 0;
    e.worker = int16_t(worker);
    e.core = 0;
    e.kind = EventKind::State;
    e.state = s;
    return e;
}

UtilSample sample(int64_t endMs, float processCores)
{
    UtilSample u;
    u.timeNs = endMs * kMs;
    u.intervalNs = 10 * kMs;
    u.processCores = processCores;
    u.coreBusy = { processCores, 0.f };
    return u;
}

// Two tasks on two threads: a runs 0–30 ms, sleeps 30–50, runs 50–60, done at 60; b is queued until 20, runs
// 20–40, fails at 40. Samples every 10 ms to 60 ms, the run's CPU 1 core for the first 40 ms, then half a core.
struct HandMade
{
    RunResult result;
    TraceStore store;
};

HandMade handMade()
{
    HandMade h;
    std::vector<TaskInstance> tasks(2);
    tasks[0].id = 0;
    tasks[0].name = QStringLiteral("a");
    tasks[1].id = 1;
    tasks[1].name = QStringLiteral("b");
    h.store.reset(tasks);
    TraceBatch b;
    b.workers = { WorkerInfo { 0, QStringLiteral("thread-1"), WorkerKind::Thread, 0 },
        WorkerInfo { 1, QStringLiteral("thread-2"), WorkerKind::Thread, 0 } };
    b.events = { stateEvent(0, 0, TaskState::Running, 0), stateEvent(0, 1, TaskState::Queued, -1),
        stateEvent(20, 1, TaskState::Running, 1), stateEvent(30, 0, TaskState::Sleeping, 0, 30 * kMs),
        stateEvent(40, 1, TaskState::Failed, 1, 20 * kMs), stateEvent(50, 0, TaskState::Running, 0),
        stateEvent(60, 0, TaskState::Done, 0, 10 * kMs) };
    for (int64_t t = 10; t <= 60; t += 10)
        b.samples.push_back(sample(t, t <= 40 ? 1.f : 0.5f));
    h.store.append(b);
    h.store.finish(60 * kMs);
    h.result.mixName = QStringLiteral("hand-made");
    h.result.settings.mode = Mode::Threads;
    h.result.workers = 2;
    h.result.cores = 2;
    h.result.tasks = tasks;
    h.result.outcomes.resize(2);
    h.result.outcomes[0].finished = h.result.outcomes[0].ok = true;
    h.result.outcomes[1].finished = true;
    h.result.outcomes[1].error = QStringLiteral("boom");
    h.result.wallNs = 60 * kMs;
    h.result.cpuNs = 50 * kMs; // = the samples' 4 × 10 ms × 1 + 2 × 10 ms × 0.5
    h.result.coreBusy = { 0.9, 0.0 };
    h.result.events = h.store.eventCount();
    return h;
}

// Time per state of `task` up to `t`, from the full store's spans clipped at t: the reference computation.
std::array<double, kTimedStateCount> clippedStateMs(const TraceStore& full, int task, int64_t t)
{
    std::array<double, kTimedStateCount> ms {};
    for (uint32_t i : full.taskSpans(task)) {
        const Span& s = full.spans()[i];
        if (s.startNs >= t || int(s.state) >= kTimedStateCount)
            continue;
        ms[size_t(s.state)] += double(std::min(s.endNs, t) - s.startNs) / 1e6;
    }
    return ms;
}

QByteArray json(const RunSummary& s)
{
    return QJsonDocument(summaryToJson(s)).toJson(QJsonDocument::Compact);
}

} // namespace

class TestTraceClip : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void handMade_data();
    void handMade();
    void endIsTheFullSummary();
    void backAndForthEqualsAFreshSeek();
    void realRunMatchesClippedSpans();

private:
    Mix m_mix;
    Ran m_ran;
};

void TestTraceClip::initTestCase()
{
    initNetworking();
    m_mix = mixOf(QStringLiteral("clip"),
        { task(QStringLiteral("page"), 3, { Step::makeFetch(labUrl(40, 4000)), Step::makeCompute(15) }),
            task(QStringLiteral("nap"), 2, { Step::makeSleep(20), Step::makeCompute(10), Step::makeSleep(10) }) });
    m_ran = runMix(m_mix, settingsFor(Mode::Threads, 3));
    QVERIFY2(m_ran.result.ok(), qPrintable(m_ran.result.error));
}

void TestTraceClip::handMade_data()
{
    QTest::addColumn<int>("atMs");
    QTest::addColumn<QString>("statusA");
    QTest::addColumn<QString>("statusB");
    QTest::addColumn<double>("runningA");
    QTest::addColumn<double>("sleepingA");
    QTest::addColumn<double>("queuedB");
    QTest::addColumn<double>("runningB");
    QTest::addColumn<double>("cpuMs");
    QTest::addColumn<int>("events");

    QTest::newRow("start") << 0 << "unfinished"
                           << "unfinished" << 0.0 << 0.0 << 0.0 << 0.0 << 0.0 << 2;
    QTest::newRow("open_spans_reach_the_play_head") << 15 << "unfinished"
                                                    << "unfinished" << 15.0 << 0.0 << 15.0 << 0.0 << 10.0 << 2;
    QTest::newRow("an_event_exactly_at_the_play_head_counts")
        << 20 << "unfinished"
        << "unfinished" << 20.0 << 0.0 << 20.0 << 0.0 << 20.0 << 3;
    QTest::newRow("b_failed_a_asleep") << 45 << "unfinished"
                                       << "failed" << 30.0 << 15.0 << 20.0 << 20.0 << 40.0 << 5;
    QTest::newRow("just_before_the_end") << 59 << "unfinished"
                                         << "failed" << 39.0 << 20.0 << 20.0 << 20.0 << 45.0 << 6;
}

void TestTraceClip::handMade()
{
    QFETCH(int, atMs);
    const HandMade h = ::handMade();
    TraceClip clip;
    clip.setSource(&h.store);
    clip.seek(atMs * kMs);
    QCOMPARE(clip.position(), atMs * kMs);
    QCOMPARE(clip.store().workers().size(), size_t(2)); // every lane from the start
    QFETCH(int, events);
    QCOMPARE(int(clip.store().eventCount()), events);
    const RunSummary s = summarizeUntil(h.result, clip);
    QCOMPARE(s.wallMs, double(atMs));
    QTEST(s.tasks[0].status, "statusA");
    QTEST(s.tasks[1].status, "statusB");
    QTEST(s.tasks[0].stateMs[size_t(TaskState::Running)], "runningA");
    QTEST(s.tasks[0].stateMs[size_t(TaskState::Sleeping)], "sleepingA");
    QTEST(s.tasks[1].stateMs[size_t(TaskState::Queued)], "queuedB");
    QTEST(s.tasks[1].stateMs[size_t(TaskState::Running)], "runningB");
    QTEST(s.cpuMs, "cpuMs");
    QCOMPARE(int(s.events), events);
    QVERIFY(s.tasks[0].error.isEmpty());
    if (s.tasks[1].status == QLatin1String("failed")) {
        QCOMPARE(s.tasks[1].error, QStringLiteral("boom"));
        QCOMPARE(s.tasks[1].endMs, 40.0);
    } else {
        QCOMPARE(s.tasks[1].endMs, -1.0);
    }
    QCOMPARE(s.tasks[1].startMs, atMs >= 20 ? 20.0 : -1.0);
    QCOMPARE(s.tasks[1].worker, atMs >= 20 ? QStringLiteral("thread-2") : QString());
    QVERIFY(!s.stopped);
    // The samples that ended by then: their mean, not the run's overall figure.
    const int samples = atMs / 10;
    QCOMPARE(int(clip.store().utilization().size()), samples);
    if (samples > 0)
        QCOMPARE(s.coreBusy.at(0),
            std::round((std::min(samples, 4) + 0.5 * std::max(0, samples - 4)) / samples * 1000) / 1000);
}

void TestTraceClip::endIsTheFullSummary()
{
    const HandMade h = ::handMade();
    QCOMPARE(json(summarizeUntil(h.result, h.store, 60 * kMs)), json(summarize(h.result, h.store)));
    QCOMPARE(json(summarizeUntil(h.result, h.store, 1000 * kMs)), json(summarize(h.result, h.store)));
    QCOMPARE(json(summarizeUntil(m_ran.result, m_ran.store, m_ran.store.endNs())),
        json(summarize(m_ran.result, m_ran.store)));
}

void TestTraceClip::backAndForthEqualsAFreshSeek()
{
    const TraceStore& full = m_ran.store;
    const uint64_t generation = full.generation();
    const size_t spans = full.spans().size();
    const int64_t end = full.endNs();
    TraceClip moved;
    moved.setSource(&full);
    // Forward in small steps, back, forward again: the same trace as one seek to the same moment.
    for (int64_t t = 0; t <= end * 3 / 4; t += end / 37)
        moved.seek(t);
    moved.seek(end / 5);
    moved.seek(end / 2);
    TraceClip fresh;
    fresh.setSource(&full);
    fresh.seek(end / 2);
    const TraceStore& a = moved.store();
    const TraceStore& b = fresh.store();
    QCOMPARE(a.eventCount(), b.eventCount());
    QCOMPARE(a.spans().size(), b.spans().size());
    for (size_t i = 0; i < a.spans().size(); ++i) {
        QCOMPARE(a.spans()[i].startNs, b.spans()[i].startNs);
        QCOMPARE(a.spans()[i].endNs, b.spans()[i].endNs);
        QCOMPARE(a.spans()[i].state, b.spans()[i].state);
    }
    QCOMPARE(a.utilization().size(), b.utilization().size());
    QCOMPARE(json(summarizeUntil(m_ran.result, moved)), json(summarizeUntil(m_ran.result, fresh)));
    // Replay never changes the run.
    QCOMPARE(full.generation(), generation);
    QCOMPARE(full.spans().size(), spans);
    QVERIFY(full.isFinished());
}

void TestTraceClip::realRunMatchesClippedSpans()
{
    const TraceStore& full = m_ran.store;
    const int64_t end = full.endNs();
    QVERIFY(end > 40 * kMs);
    TraceClip clip;
    clip.setSource(&full);
    for (int i = 0; i <= 20; ++i) {
        const int64_t t = end * i / 20;
        clip.seek(t);
        const TraceStore& c = clip.store();
        // Exactly the events up to t.
        size_t expectedEvents = 0;
        for (const Event& e : full.events())
            expectedEvents += e.timeNs <= t;
        QCOMPARE(c.eventCount(), expectedEvents);
        // Each clipped span is a span of the run, cut at t if it went on past it.
        QVERIFY(c.spans().size() <= full.spans().size());
        for (size_t k = 0; k < c.spans().size(); ++k) {
            const Span& s = c.spans()[k];
            const Span& f = full.spans()[k];
            QCOMPARE(s.startNs, f.startNs);
            QCOMPARE(s.state, f.state);
            QVERIFY(s.startNs <= t);
            if (f.endNs <= t)
                QCOMPARE(s.endNs, f.endNs);
            else
                QCOMPARE(s.endNs, TraceStore::kOpen);
        }
        for (const UtilSample& u : c.utilization())
            QVERIFY(u.timeNs <= t);
        // The summary at t against the spans clipped by hand.
        const RunSummary s = summarizeUntil(m_ran.result, clip);
        QCOMPARE(s.wallMs, std::round(double(t) / 1e5) / 10);
        for (int task = 0; task < full.taskCount(); ++task) {
            const auto expected = clippedStateMs(full, task, t);
            for (int st = 0; st < kTimedStateCount; ++st) {
                const double got = s.tasks[size_t(task)].stateMs[size_t(st)];
                if (std::abs(got - expected[size_t(st)]) > 0.051)
                    QFAIL(qPrintable(QStringLiteral("task %1 %2 at %3 ms: %4, expected %5")
                                         .arg(task)
                                         .arg(QLatin1String(stateName(TaskState(st))))
                                         .arg(double(t) / 1e6)
                                         .arg(got)
                                         .arg(expected[size_t(st)])));
            }
            const bool ended = full.taskEndNs(task) >= 0 && full.taskEndNs(task) <= t;
            QCOMPARE(s.tasks[size_t(task)].status, ended ? QStringLiteral("done") : QStringLiteral("unfinished"));
        }
        QVERIFY(s.cpuMs <= double(m_ran.result.cpuNs) / 1e6 + 0.1);
    }
}

QTEST_GUILESS_MAIN(TestTraceClip)
#include "tst_traceclip.moc"
