// The event pipeline without a run: buffers, the store's spans, out-of-order batches, the summary and writers.

#include "chrometrace.h"
#include "eventbuffer.h"
#include "run.h"
#include "summary.h"
#include "tracestore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <thread>

using namespace taskline;

namespace {

Event stateEvent(int64_t ms, int task, TaskState s, int worker, int64_t cpuNs = -1, int step = 0)
{
    Event e {};
    e.timeNs = ms * 1'000'000;
    e.cpuNs = cpuNs;
    e.task = task;
    e.value = step;
    e.worker = int16_t(worker);
    e.core = 0;
    e.kind = EventKind::State;
    e.state = s;
    return e;
}

Event gilEvent(int64_t ms, int task, int worker, bool acquired)
{
    Event e = stateEvent(ms, task, TaskState::Running, worker);
    e.kind = EventKind::Gil;
    e.value = acquired ? 1 : 0;
    return e;
}

std::vector<TaskInstance> twoTasks()
{
    std::vector<TaskInstance> tasks(2);
    tasks[0].id = 0;
    tasks[0].name = QStringLiteral("a");
    tasks[1].id = 1;
    tasks[1].name = QStringLiteral("b");
    return tasks;
}

TraceBatch batchOf(std::vector<Event> events)
{
    TraceBatch b;
    b.events = std::move(events);
    b.workers = { WorkerInfo { 0, QStringLiteral("thread-1"), WorkerKind::Thread, 0 },
        WorkerInfo { 1, QStringLiteral("thread-2"), WorkerKind::Thread, 0 } };
    return b;
}

} // namespace

class TestTraceStore : public QObject
{
    Q_OBJECT
private slots:
    void bufferKeepsOrderAndCountsOverflow();
    void bufferWorksAcrossThreads();
    void spansFollowEvents();
    void outOfOrderBatchIsReordered();
    void finishClosesOpenSpans();
    void summaryCountsStates();
    void chromeTraceIsValidJson();
    void csvHasOneRowPerSpan();
};

void TestTraceStore::bufferKeepsOrderAndCountsOverflow()
{
    EventBuffer buffer(8);
    QCOMPARE(buffer.capacity(), size_t(8));
    for (int i = 0; i < 10; ++i)
        buffer.push(stateEvent(i, 0, TaskState::Running, 0));
    QCOMPARE(buffer.dropped(), uint64_t(2));
    std::vector<Event> out;
    QCOMPARE(buffer.drainTo(out), size_t(8));
    for (int i = 0; i < 8; ++i)
        QCOMPARE(out[size_t(i)].timeNs, int64_t(i) * 1'000'000);
    QVERIFY(buffer.push(stateEvent(11, 0, TaskState::Running, 0)));
}

void TestTraceStore::bufferWorksAcrossThreads()
{
    EventBuffer buffer(1024);
    constexpr int kCount = 200'000;
    std::atomic<bool> done { false };
    std::thread producer([&] {
        for (int i = 0; i < kCount; ++i) {
            while (!buffer.push(stateEvent(i, 0, TaskState::Running, 0)))
                std::this_thread::yield(); // (the drop is counted; the test producer retries)
        }
        done = true;
    });
    std::vector<Event> out;
    while (!done.load() || out.size() < size_t(kCount))
        buffer.drainTo(out);
    producer.join();
    QCOMPARE(out.size(), size_t(kCount));
    for (int i = 0; i < kCount; ++i)
        QCOMPARE(out[size_t(i)].timeNs, int64_t(i) * 1'000'000);
}

void TestTraceStore::spansFollowEvents()
{
    TraceStore store;
    store.reset(twoTasks());
    store.append(batchOf({ stateEvent(0, 0, TaskState::Queued, -1), stateEvent(0, 1, TaskState::Queued, -1),
        stateEvent(1, 0, TaskState::Running, 0), gilEvent(1, 0, 0, true), stateEvent(2, 1, TaskState::WaitingGil, 1),
        gilEvent(6, 0, 0, false), stateEvent(6, 0, TaskState::WaitingGil, 0, 4'000'000), gilEvent(6, 1, 1, true),
        stateEvent(6, 1, TaskState::Running, 1), stateEvent(9, 1, TaskState::Done, 1, 3'000'000) }));
    QCOMPARE(store.taskSpans(0).size(), size_t(3)); // queued, running, waiting_gil (open)
    QCOMPARE(store.taskSpans(1).size(), size_t(3)); // queued, waiting_gil, running
    const Span& run0 = store.spans()[store.taskSpans(0)[1]];
    QCOMPARE(run0.state, TaskState::Running);
    QCOMPARE(run0.endNs, int64_t(6'000'000));
    QCOMPARE(run0.cpuNs, int64_t(4'000'000));
    QCOMPARE(store.spans()[store.taskSpans(0)[2]].endNs, TraceStore::kOpen);
    QCOMPARE(store.taskState(1), TaskState::Done);
    QCOMPARE(store.taskEndNs(1), int64_t(9'000'000));
    QCOMPARE(store.taskStartNs(1), int64_t(6'000'000));
    QCOMPARE(store.tasksFinished(), 1);
    QCOMPARE(store.workerSpans(0).size(), size_t(2));
    QCOMPARE(store.gilSpans().size(), size_t(2));
    QCOMPARE(store.gilSpans()[0].endNs, int64_t(6'000'000));
    const auto states = store.taskStateNs(1);
    QCOMPARE(states[size_t(TaskState::Queued)], int64_t(2'000'000));
    QCOMPARE(states[size_t(TaskState::WaitingGil)], int64_t(4'000'000));
    QCOMPARE(states[size_t(TaskState::Running)], int64_t(3'000'000));
}

void TestTraceStore::outOfOrderBatchIsReordered()
{
    TraceStore inOrder, late;
    inOrder.reset(twoTasks());
    late.reset(twoTasks());
    const std::vector<Event> all = { stateEvent(0, 0, TaskState::Queued, -1), stateEvent(1, 0, TaskState::Running, 0),
        stateEvent(3, 0, TaskState::Sleeping, 0), stateEvent(5, 0, TaskState::Running, 0),
        stateEvent(7, 0, TaskState::Done, 0) };
    inOrder.append(batchOf(all));
    // The queued event arrives a batch late.
    late.append(batchOf({ all[1], all[2], all[3] }));
    const uint64_t generation = late.generation();
    late.append(batchOf({ all[0], all[4] }));
    QVERIFY(late.generation() != generation); // span indices changed: views must drop what they cached
    QCOMPARE(late.spans().size(), inOrder.spans().size());
    for (size_t i = 0; i < late.spans().size(); ++i) {
        QCOMPARE(late.spans()[i].startNs, inOrder.spans()[i].startNs);
        QCOMPARE(late.spans()[i].endNs, inOrder.spans()[i].endNs);
        QCOMPARE(late.spans()[i].state, inOrder.spans()[i].state);
    }
    QCOMPARE(late.tasksFinished(), 1);
}

void TestTraceStore::finishClosesOpenSpans()
{
    TraceStore store;
    store.reset(twoTasks());
    store.append(batchOf({ stateEvent(0, 0, TaskState::Running, 0), gilEvent(0, 0, 0, true) }));
    store.finish(50'000'000);
    QCOMPARE(store.spans()[0].endNs, int64_t(50'000'000));
    QCOMPARE(store.gilSpans()[0].endNs, int64_t(50'000'000));
    QVERIFY(store.isFinished());
    QCOMPARE(store.endNs(), int64_t(50'000'000));
}

void TestTraceStore::summaryCountsStates()
{
    TraceStore store;
    store.reset(twoTasks());
    TraceBatch b = batchOf({ stateEvent(0, 0, TaskState::Queued, -1), stateEvent(0, 1, TaskState::Queued, -1),
        stateEvent(1, 0, TaskState::Running, 0), stateEvent(11, 0, TaskState::Done, 0, 9'000'000),
        stateEvent(2, 1, TaskState::BlockedIo, 1), stateEvent(12, 1, TaskState::Failed, 1) });
    std::stable_sort(
        b.events.begin(), b.events.end(), [](const Event& x, const Event& y) { return x.timeNs < y.timeNs; });
    UtilSample u;
    u.timeNs = 12'000'000;
    u.intervalNs = 12'000'000;
    u.coreBusy = { 0.5f, 0.25f };
    b.samples.push_back(u);
    store.append(b);
    store.finish(12'000'000);
    RunResult r;
    r.mixName = QStringLiteral("m");
    r.settings.mode = Mode::Threads;
    r.workers = 2;
    r.cores = 2;
    r.wallNs = 12'000'000;
    r.cpuNs = 10'000'000;
    r.outcomes.resize(2);
    r.outcomes[1].finished = true;
    r.outcomes[1].error = QStringLiteral("HTTP 404 from x");
    const RunSummary s = summarize(r, store);
    QCOMPARE(s.tasks.size(), size_t(2));
    QCOMPARE(s.tasks[0].status, QStringLiteral("done"));
    QCOMPARE(s.tasks[0].worker, QStringLiteral("thread-1"));
    QCOMPARE(s.tasks[0].startMs, 1.0);
    QCOMPARE(s.tasks[0].endMs, 11.0);
    QCOMPARE(s.tasks[0].stateMs[size_t(TaskState::Running)], 10.0);
    QCOMPARE(s.tasks[1].status, QStringLiteral("failed"));
    QCOMPARE(s.tasks[1].error, QStringLiteral("HTTP 404 from x"));
    QCOMPARE(s.tasks[1].startMs, -1.0);
    QCOMPARE(s.stateMs[size_t(TaskState::Queued)], 3.0);
    QCOMPARE(s.coreBusy.size(), size_t(2));
    QCOMPARE(s.coreBusy[0], 0.5);

    const QJsonObject o = summaryToJson(s);
    QCOMPARE(o.value("format").toString(), QStringLiteral("taskline-summary/1"));
    QCOMPARE(o.value("mode").toString(), QStringLiteral("threads"));
    QVERIFY(o.value("tasks").toArray()[1].toObject().value("start_ms").isNull());
    QCOMPARE(o.value("settings").toObject().value("workers").toInt(), 2);
    QVERIFY(o.value("settings").toObject().value("start_method").isNull());
    for (const char* key :
        { "queued", "ready", "running", "waiting_gil", "blocked_io", "sleeping", "spawning", "serializing" })
        QVERIFY2(o.value("state_ms").toObject().contains(key), key);
    RunSummary back;
    QString error;
    QVERIFY2(summaryFromJson(o, &back, &error), qPrintable(error));
    QCOMPARE(back.tasks.size(), size_t(2));
    QCOMPARE(back.tasks[1].error, s.tasks[1].error);
    QCOMPARE(back.wallMs, s.wallMs);
    QVERIFY(summaryToText(s).contains(QStringLiteral("1 failed")));
}

void TestTraceStore::chromeTraceIsValidJson()
{
    TraceStore store;
    store.reset(twoTasks());
    store.append(batchOf({ stateEvent(0, 0, TaskState::Queued, -1), stateEvent(1, 0, TaskState::Running, 0),
        gilEvent(1, 0, 0, true), gilEvent(5, 0, 0, false), stateEvent(5, 0, TaskState::Done, 0, 3'000'000) }));
    store.finish(5'000'000);
    RunSummary s;
    s.mix = QStringLiteral("a \"quoted\" mix");
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(chromeTraceJson(store, s), &pe);
    QVERIFY2(pe.error == QJsonParseError::NoError, qPrintable(pe.errorString()));
    const QJsonArray events = doc.object().value("traceEvents").toArray();
    int slices = 0, gil = 0, names = 0;
    for (const QJsonValue& v : events) {
        const QJsonObject e = v.toObject();
        if (e.value("ph") == QLatin1String("X"))
            ++slices;
        if (e.value("cat") == QLatin1String("gil"))
            ++gil;
        if (e.value("name") == QLatin1String("thread_name"))
            ++names;
    }
    QCOMPARE(gil, 1);
    QCOMPARE(slices, 1 /*worker lane*/ + 1 /*gil*/ + 2 /*task lane: queued, running*/);
    QVERIFY(names >= 2 + 2 + 1);
}

void TestTraceStore::csvHasOneRowPerSpan()
{
    TraceStore store;
    store.reset(twoTasks());
    store.append(batchOf({ stateEvent(0, 0, TaskState::Queued, -1), stateEvent(1, 0, TaskState::Running, 0),
        stateEvent(5, 0, TaskState::Done, 0, 3'000'000) }));
    store.finish(5'000'000);
    const QList<QByteArray> lines = spansCsv(store).trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines[0].startsWith("task_id,task,worker,state"));
    QCOMPARE(lines[2], QByteArray("0,a,thread-1,running,1.0000,5.0000,4.0000,0,3.0000,1"));
}

QTEST_GUILESS_MAIN(TestTraceStore)
#include "tst_tracestore.moc"
