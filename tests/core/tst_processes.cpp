// Processes mode: a real pool of worker processes (spawn and forkserver), the worker protocol, faults and Stop.
// Worker processes are the built taskline binary ($TASKLINE_BINARY, set by taskline_add_test). Timing on these
// shared 2-core machines is noisy: shapes with margins, and one retry for the speed-up ratio.

#include "calibration.h"
#include "clock.h"
#include "forkserver.h"
#include "framereader.h"
#include "httpfetch.h"
#include "testutil.h"
#include "utilsampler.h"
#include "workercpumeter.h"
#include "workerprocess.h"
#include "workerprotocol.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <atomic>
#include <csignal>
#include <dirent.h>
#include <set>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace taskline;
using namespace taskline::test;

namespace {

// Processes whose parent is `parent` (zombies included: they are children until reaped).
std::vector<int64_t> childrenOf(int64_t parent)
{
    std::vector<int64_t> out;
    DIR* d = opendir("/proc");
    if (!d)
        return out;
    while (dirent* e = readdir(d)) {
        char* end = nullptr;
        const long pid = std::strtol(e->d_name, &end, 10);
        if (!end || *end || pid <= 0)
            continue;
        QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray stat = f.readAll();
        const int close = stat.lastIndexOf(')');
        const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
        if (fields.size() > 1 && fields[1].toLongLong() == parent)
            out.push_back(pid);
    }
    closedir(d);
    return out;
}

int openFdCount()
{
    return int(QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::NoDotAndDotDot | QDir::System).size());
}

bool processExists(int64_t pid)
{
    return ::kill(pid_t(pid), 0) == 0 || errno != ESRCH;
}

RunSettings processSettings(int workers, StartMethod method, int maxTasksPerChild = 0)
{
    RunSettings s = settingsFor(Mode::Processes, workers);
    s.startMethod = method;
    s.maxTasksPerChild = maxTasksPerChild;
    return s;
}

void addStartMethodRows()
{
    QTest::addColumn<StartMethod>("method");
    QTest::newRow("spawn") << StartMethod::Spawn;
    QTest::newRow("forkserver") << StartMethod::Forkserver;
}

// The largest number of tasks in `state` at the same moment.
int maxConcurrent(const TraceStore& store, TaskState state)
{
    std::vector<std::pair<int64_t, int>> edges;
    for (const Span& s : store.spans())
        if (s.state == state) {
            edges.push_back({ s.startNs, 1 });
            edges.push_back({ s.endNs, -1 });
        }
    std::sort(edges.begin(), edges.end());
    int now = 0, most = 0;
    for (const auto& e : edges)
        most = std::max(most, now += e.second);
    return most;
}

// Runs `mix` on a thread; `watch` sees every batch on the collector thread.
struct WatchedRun
{
    TraceStore store;
    RunResult result;
    std::unique_ptr<Run> run;
    std::thread thread;
    std::atomic<bool> done { false };

    void start(const Mix& mix, const RunSettings& settings, std::function<void(const TraceBatch&)> watch)
    {
        store.reset(expandTasks(mix));
        RunOptions options;
        if (mix.usesLabServer())
            options.labBaseUrl = LabServer::sharedBaseUrl();
        options.sink = [this, watch](TraceBatch&& b) {
            if (watch)
                watch(b);
            store.append(b); // the run's thread reads only after execute() returned
        };
        run = std::make_unique<Run>(mix, settings, options);
        thread = std::thread([this] {
            result = run->execute();
            done = true;
        });
    }
    void join()
    {
        thread.join();
        store.finish(result.wallNs);
    }
};

} // namespace

Q_DECLARE_METATYPE(taskline::StartMethod)

class TestProcesses : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void protocolRoundTrip();
    void protocolRefusesOtherVersion();
    void workerRefusesOtherVersion();
    void cpuBoundUsesEveryCore_data() { addStartMethodRows(); }
    void cpuBoundUsesEveryCore();
    void fetchesRunTwoAtATime();
    void eventsFromEveryWorkerInTimeOrder_data() { addStartMethodRows(); }
    void eventsFromEveryWorkerInTimeOrder();
    void payloadsAndResultsAreCopied();
    void maxTasksPerChildReplacesWorkers();
    void taskTooBigToSendFailsAlone();
    void killedWorkerFailsOnlyItsTask_data() { addStartMethodRows(); }
    void killedWorkerFailsOnlyItsTask();
    void stopEndsEveryWorkerEvenAHungOne_data() { addStartMethodRows(); }
    void stopEndsEveryWorkerEvenAHungOne();
    void commandLineReportsAKilledWorker();
    void forkServerShutdownLeavesNoProcess();
    // Last: under ThreadSanitizer, a posix_spawn that fails leaves the runtime refusing new threads afterwards.
    void missingWorkerProgramFailsTheRunClearly();
};

void TestProcesses::initTestCase()
{
    initNetworking();
    QString error;
    const QString exe = WorkerProcess::executable(&error);
    QVERIFY2(!exe.isEmpty(), qPrintable(error));
    qInfo("worker program: %s", qPrintable(exe));
    Calibration::instance();
    QVERIFY(!LabServer::sharedBaseUrl().isEmpty());
}

void TestProcesses::cleanupTestCase()
{
    ForkServer::instance().shutdown();
}

void TestProcesses::protocolRoundTrip()
{
    int sv[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    wire::TaskMsg task;
    task.runStartNs = 123456789;
    task.taskId = 42;
    task.workerId = 3;
    task.regexBytesPerMs = 1234.5;
    task.hashBytesPerMs = 6789.5;
    task.steps = { Step::makeFetch("http://127.0.0.1:1/delay?ms=5"),
        Step::makeCompute(7, Kernel::Hash, GilBehaviour::Releases, 3000), Step::makeSleep(2.5) };
    task.inputs = { QByteArray(), makeLabHtml(3000, 9), QByteArray() };
    wire::ResultMsg result;
    result.taskId = 42;
    result.ok = false;
    result.error = QStringLiteral("step 1 (fetch): HTTP 404 from … ünïcode");
    result.metaTags = 17;
    result.bytesFetched = 20000;
    result.cpuNs = 99;
    result.value = QByteArray(70'000, 'v'); // more than a socket buffer: arrives in pieces
    Event events[3] {};
    for (int i = 0; i < 3; ++i) {
        events[i].timeNs = 1000 * i;
        events[i].task = 42;
        events[i].state = TaskState::Running;
    }
    // A writer thread, so that the big frame can be read while it is written.
    std::thread writer([&] {
        QVERIFY(wire::sendFrame(sv[0], wire::encodeTask(task), nullptr));
        QVERIFY(wire::sendFrame(sv[0], wire::encodeEvents(events, 3), nullptr));
        QVERIFY(wire::sendFrame(sv[0], wire::encodeResult(result), nullptr));
        QVERIFY(wire::sendFrame(sv[0], wire::encodeShutdown(), nullptr));
        ::close(sv[0]);
    });
    wire::FrameReader reader;
    QString error;
    QCOMPARE(reader.readFrom(sv[1]), wire::FrameReader::Status::Frame);
    QCOMPARE(reader.type(), wire::MsgType::Task);
    wire::TaskMsg gotTask;
    QVERIFY2(wire::decodeTask(reader.body(), &gotTask, &error), qPrintable(error));
    QCOMPARE(gotTask.runStartNs, task.runStartNs);
    QCOMPARE(gotTask.taskId, 42);
    QCOMPARE(gotTask.workerId, int16_t(3));
    QCOMPARE(gotTask.regexBytesPerMs, 1234.5);
    QVERIFY(gotTask.steps == task.steps);
    QCOMPARE(gotTask.inputs.size(), size_t(3));
    QCOMPARE(gotTask.inputs[1], task.inputs[1]);
    QVERIFY(gotTask.inputs[0].isEmpty());

    QCOMPARE(reader.readFrom(sv[1]), wire::FrameReader::Status::Frame);
    QCOMPARE(reader.type(), wire::MsgType::Events);
    std::vector<Event> gotEvents;
    QVERIFY(wire::decodeEvents(reader.body(), &gotEvents, &error));
    QCOMPARE(gotEvents.size(), size_t(3));
    QCOMPARE(gotEvents[2].timeNs, int64_t(2000));

    QCOMPARE(reader.readFrom(sv[1]), wire::FrameReader::Status::Frame);
    QCOMPARE(reader.type(), wire::MsgType::Result);
    wire::ResultMsg gotResult;
    QVERIFY2(wire::decodeResult(reader.body(), &gotResult, &error), qPrintable(error));
    QCOMPARE(gotResult.error, result.error);
    QCOMPARE(gotResult.value, result.value);
    QCOMPARE(gotResult.metaTags, int64_t(17));
    QVERIFY(!gotResult.ok);

    QCOMPARE(reader.readFrom(sv[1]), wire::FrameReader::Status::Frame);
    QCOMPARE(reader.type(), wire::MsgType::Shutdown);
    QCOMPARE(reader.readFrom(sv[1]), wire::FrameReader::Status::Eof);
    QVERIFY(!reader.partial());
    writer.join();
    ::close(sv[1]);

    // A body cut short is an error naming the message, never a crash.
    const wire::OutFrame full = wire::encodeResult(result);
    const QByteArray body = full.chunks[0].mid(int(wire::kHeaderBytes)) + full.chunks[1];
    QVERIFY(!wire::decodeResult(body.left(body.size() - 10), &gotResult, &error));
    QVERIFY2(error.contains("malformed result message") && error.contains("truncated"), qPrintable(error));
}

void TestProcesses::protocolRefusesOtherVersion()
{
    wire::MsgType type;
    QString error;
    const QByteArray v2 = wire::encodeHeader(wire::kMagic, 2, uint16_t(wire::MsgType::Task), 0);
    QCOMPARE(wire::FrameReader::checkHeader(v2.constData(), &type, &error), int64_t(-1));
    qInfo("%s", qPrintable(error));
    QVERIFY2(error.contains("version 2 refused") && error.contains("speaks version 1"), qPrintable(error));

    const QByteArray badMagic = wire::encodeHeader(0x12345678, wire::kVersion, 1, 0);
    QCOMPARE(wire::FrameReader::checkHeader(badMagic.constData(), &type, &error), int64_t(-1));
    QVERIFY2(error.contains("not a taskline worker frame"), qPrintable(error));

    const QByteArray huge = wire::encodeHeader(wire::kMagic, wire::kVersion, 2, wire::kMaxFrameBytes + 1);
    QCOMPARE(wire::FrameReader::checkHeader(huge.constData(), &type, &error), int64_t(-1));
    QVERIFY2(error.contains("larger than the limit"), qPrintable(error));

    const QByteArray ok = wire::encodeHeader(wire::kMagic, wire::kVersion, uint16_t(wire::MsgType::Events), 64);
    QCOMPARE(wire::FrameReader::checkHeader(ok.constData(), &type, &error), int64_t(64));
    QCOMPARE(type, wire::MsgType::Events);
}

void TestProcesses::workerRefusesOtherVersion()
{
    // A real worker process gets a task frame of protocol version 2: it answers with an error frame that says
    // why, and exits with its protocol status.
    int sv[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    QString error;
    const int64_t pid = WorkerProcess::spawn("worker", sv[1], &error);
    ::close(sv[1]);
    QVERIFY2(pid > 0, qPrintable(error));
    wire::FrameReader reader;
    QCOMPARE(reader.readFrom(sv[0]), wire::FrameReader::Status::Frame);
    QCOMPARE(reader.type(), wire::MsgType::Hello);
    wire::HelloMsg hello;
    QVERIFY(wire::decodeHello(reader.body(), &hello, &error));
    QCOMPARE(hello.pid, pid);
    QCOMPARE(hello.version, uint32_t(wire::kVersion));
    qInfo("worker %lld ready after %.1f ms of its own initialization", static_cast<long long>(pid), ms(hello.initNs));

    const QByteArray frame = wire::encodeHeader(wire::kMagic, 2, uint16_t(wire::MsgType::Task), 4) + "abcd";
    QCOMPARE(::send(sv[0], frame.constData(), size_t(frame.size()), MSG_NOSIGNAL), ssize_t(frame.size()));
    QCOMPARE(reader.readFrom(sv[0]), wire::FrameReader::Status::Frame);
    QCOMPARE(reader.type(), wire::MsgType::Error);
    QString message;
    QVERIFY(wire::decodeError(reader.body(), &message, &error));
    qInfo("worker said: %s", qPrintable(message));
    QVERIFY2(message.contains("version 2 refused"), qPrintable(message));
    QCOMPARE(reader.readFrom(sv[0]), wire::FrameReader::Status::Eof);
    int status = 0;
    QCOMPARE(::waitpid(pid_t(pid), &status, 0), pid_t(pid));
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), WorkerProcess::kExitProtocol);
    ::close(sv[0]);
}

void TestProcesses::cpuBoundUsesEveryCore()
{
    QFETCH(StartMethod, method);
    if (UtilSampler::coreCount() < 2)
        QSKIP("needs at least 2 cores");
    const Mix mix = mixOf("cpu", { task("crunch", 8, { Step::makeCompute(200) }) });
    // Item 6 of the issue: at most 0.65 × sequential with 2 workers. Further pairs give noise more chances (on a
    // shared 2-core machine a neighbour on one core slows the pool, not the sequential run: 0.68 seen twice in a
    // row); a pool that does not run in parallel (ratio near 1) fails every pair.
    double ratio = 0;
    Ran proc;
    for (int attempt = 0; attempt < 3; ++attempt) {
        const Ran seq = runMix(mix, settingsFor(Mode::Sequential));
        proc = runMix(mix, processSettings(2, method));
        QVERIFY2(seq.result.ok() && proc.result.ok(), qPrintable(proc.result.error));
        ratio = proc.wallMs() / seq.wallMs();
        qInfo("sequential %.0f ms, processes (%s) %.0f ms, ratio %.2f; cpu %.0f ms", seq.wallMs(),
            startMethodName(method), proc.wallMs(), ratio, ms(proc.result.cpuNs));
        if (ratio <= 0.65)
            break;
    }
    QVERIFY2(ratio <= 0.65, qPrintable(QString::number(ratio)));
    // At most two tasks run at a time, on two worker lanes, and the workers' CPU time is in the run's.
    QCOMPARE(maxConcurrent(proc.store, TaskState::Running), 2);
    QCOMPARE(int(proc.store.workers().size()), 2);
    QVERIFY2(ms(proc.result.cpuNs) > 0.8 * 8 * 200, qPrintable(QString::number(ms(proc.result.cpuNs))));
    // Both cores were busy for most of the run (the machine's, from /proc/stat).
    double busy0 = 0, busy1 = 0, total = 0;
    for (const UtilSample& u : proc.store.utilization()) {
        if (u.coreBusy.size() < 2)
            continue;
        busy0 += u.coreBusy[0] * double(u.intervalNs);
        busy1 += u.coreBusy[1] * double(u.intervalNs);
        total += double(u.intervalNs);
    }
    QVERIFY(total > 0);
    busy0 /= total;
    busy1 /= total;
    qInfo("core busy %.2f %.2f", busy0, busy1);
    // More than one core's worth in all, and each core busy at least half the time (the start-up and the last
    // task, alone on one core, are in the average too).
    QVERIFY2(
        busy0 + busy1 > 1.3 && busy0 > 0.5 && busy1 > 0.5, qPrintable(QStringLiteral("%1 %2").arg(busy0).arg(busy1)));
    int tags = 0;
    for (const TaskOutcome& o : proc.result.outcomes)
        tags += o.metaTags > 0;
    QCOMPARE(tags, 8); // the regex really ran in the workers
}

void TestProcesses::fetchesRunTwoAtATime()
{
    // CPython: Pool(2) over 8 fetches of 200 ms takes 820 ms: two at a time, four rounds.
    const Mix mix = mixOf("io", { task("page", 8, { Step::makeFetch(labUrl(200)) }) });
    const Ran r = runMix(mix, processSettings(2, StartMethod::Forkserver));
    QVERIFY2(r.result.ok(), qPrintable(r.result.outcomes[0].error + r.result.error));
    QCOMPARE(maxConcurrent(r.store, TaskState::BlockedIo), 2);
    std::vector<int64_t> starts;
    for (int t = 0; t < 8; ++t) {
        const auto io = spansOf(r.store, t, TaskState::BlockedIo);
        QCOMPARE(io.size(), size_t(1));
        starts.push_back(io[0].startNs);
        QCOMPARE(r.result.outcomes[size_t(t)].bytesFetched, int64_t(20000));
    }
    std::sort(starts.begin(), starts.end());
    // Four rounds: the fetches of round k start about k × 200 ms after the first round.
    for (int k = 1; k < 4; ++k) {
        const double gap = ms(starts[size_t(2 * k)] - starts[0]);
        qInfo("round %d starts %.0f ms after the first", k + 1, gap);
        QVERIFY2(gap >= k * 195 && gap <= k * 200 + 150 * k, qPrintable(QString::number(gap)));
    }
    const double firstFetch = ms(starts[0]);
    qInfo("wall %.0f ms, first fetch at %.0f ms (pool start-up)", r.wallMs(), firstFetch);
    QVERIFY(r.wallMs() >= 800 && r.wallMs() < firstFetch + 800 + 400);
}

void TestProcesses::eventsFromEveryWorkerInTimeOrder()
{
    QFETCH(StartMethod, method);
    const Mix mix = mixOf("mixed",
        { task("fetch", 2, { Step::makeFetch(labUrl(60)), Step::makeCompute(20) }),
            task("cpu", 2, { Step::makeCompute(40) }), task("nap", 2, { Step::makeSleep(30) }) });
    const Ran r = runMix(mix, processSettings(3, method));
    QVERIFY2(r.result.ok(), qPrintable(r.result.error));
    QCOMPARE(r.store.droppedEvents(), uint64_t(0));
    // One picture across processes: the trace is in time order, and every worker's own events are in it.
    const auto& events = r.store.events();
    for (size_t i = 1; i < events.size(); ++i)
        QVERIFY(events[i - 1].timeNs <= events[i].timeNs);
    const auto& workers = r.store.workers();
    QCOMPARE(int(workers.size()), 3);
    std::set<int64_t> pids;
    for (const WorkerInfo& w : workers) {
        QCOMPARE(w.kind, WorkerKind::Process);
        QVERIFY(w.pid > 0 && w.pid != ::getpid());
        pids.insert(w.pid);
        QVERIFY(w.name.startsWith("process-"));
        bool running = false;
        for (uint32_t i : r.store.workerSpans(w.id))
            running |= r.store.spans()[i].state == TaskState::Running;
        QVERIFY2(running, qPrintable(w.name + " has no running span of its own"));
    }
    QCOMPARE(pids.size(), size_t(3));
    int spawning = 0;
    for (int t = 0; t < 6; ++t) {
        const auto& idx = r.store.taskSpans(t);
        QCOMPARE(r.store.spans()[idx.front()].state, TaskState::Queued);
        QCOMPARE(r.store.taskState(t), TaskState::Done);
        for (size_t i = 1; i < idx.size(); ++i)
            QCOMPARE(r.store.spans()[idx[i]].startNs, r.store.spans()[idx[i - 1]].endNs);
        spawning += !spansOf(r.store, t, TaskState::Spawning).empty();
        // Sent to the worker, and its result sent back: serializing at both ends, on the worker's lane.
        const auto ser = spansOf(r.store, t, TaskState::Serializing);
        QVERIFY2(ser.size() >= 2, qPrintable(QString::number(ser.size())));
        QVERIFY(ser.front().worker >= 0);
        QVERIFY(ser.back().endNs == r.store.taskEndNs(t));
    }
    QCOMPARE(spawning, 3); // the first task of each of the three workers waited for it to start
    qInfo("%zu events from %zu processes", events.size(), pids.size());
}

void TestProcesses::payloadsAndResultsAreCopied()
{
    // An 8 MB payload is copied to the worker (a worker refuses a task whose payload did not come with it), and it
    // finds the same <meta> tags as a thread does in the same data.
    const int64_t bytes = 8 << 20;
    const Mix mix = mixOf("payload",
        { task("big", 1, { Step::makeCompute(5, Kernel::Regex, GilBehaviour::Interruptible, bytes) }),
            task("small", 1, { Step::makeCompute(5) }),
            task("page", 1, { Step::makeCompute(5), Step::makeFetch(labUrl(10, 4'000'000)) }) });
    const Ran proc = runMix(mix, processSettings(1, StartMethod::Forkserver));
    QVERIFY2(proc.result.ok(), qPrintable(proc.result.error));
    const Ran thr = runMix(mix, settingsFor(Mode::Threads, 1));
    QVERIFY(thr.result.ok());
    QCOMPARE(proc.result.outcomes[0].metaTags, thr.result.outcomes[0].metaTags);
    QVERIFY(proc.result.outcomes[0].metaTags > 0);
    // Copying 8 MB takes time, whatever the load (it can only take longer on a busy machine): more than a
    // memcpy at 20 GB/s would.
    const Span bigSend = spansOf(proc.store, 0, TaskState::Serializing).front();
    const Span smallSend = spansOf(proc.store, 1, TaskState::Serializing).front();
    qInfo("sending 8 MB: %.2f ms; sending a task without payload: %.3f ms", ms(bigSend.endNs - bigSend.startNs),
        ms(smallSend.endNs - smallSend.startNs));
    QVERIFY(ms(bigSend.endNs - bigSend.startNs) > 0.4);
    // A task whose last step is a fetch returns the page: 4 MB come back.
    QCOMPARE(proc.result.outcomes[2].bytesFetched, int64_t(4'000'000));
    const Span pageBack = spansOf(proc.store, 2, TaskState::Serializing).back();
    const Span countBack = spansOf(proc.store, 1, TaskState::Serializing).back();
    qInfo("returning a 4 MB page: %.2f ms; returning a tag count: %.3f ms", ms(pageBack.endNs - pageBack.startNs),
        ms(countBack.endNs - countBack.startNs));
    QVERIFY(ms(pageBack.endNs - pageBack.startNs) > 0.2);
    // Both ends of the task are on the worker's lane, and the last one ends the task.
    QCOMPARE(pageBack.worker, proc.store.taskWorker(2));
    QCOMPARE(pageBack.endNs, proc.store.taskEndNs(2));
}

void TestProcesses::maxTasksPerChildReplacesWorkers()
{
    const Mix mix = mixOf("churn", { task("t", 6, { Step::makeCompute(10) }) });
    const Ran r = runMix(mix, processSettings(2, StartMethod::Forkserver, 2));
    QVERIFY2(r.result.ok(), qPrintable(r.result.error));
    const auto& workers = r.store.workers();
    qInfo("%zu workers for 6 tasks, at most 2 each", workers.size());
    QVERIFY(workers.size() >= 3);
    std::set<int64_t> pids;
    for (const WorkerInfo& w : workers) {
        std::set<int> tasks;
        for (uint32_t i : r.store.workerSpans(w.id))
            tasks.insert(r.store.spans()[i].task);
        QVERIFY2(tasks.size() <= 2, qPrintable(w.name));
        pids.insert(w.pid);
        QVERIFY(!processExists(w.pid) || w.pid == 0);
    }
    QCOMPARE(pids.size(), workers.size()); // each a new process
}

void TestProcesses::taskTooBigToSendFailsAlone()
{
    // Five payloads of 256 MiB do not fit in one message (1 GiB): that task fails before anything is built.
    const Step huge = Step::makeCompute(1, Kernel::Hash, GilBehaviour::Interruptible, int64_t(256) << 20);
    const Mix mix = mixOf(
        "huge", { task("huge", 1, { huge, huge, huge, huge, huge }), task("small", 1, { Step::makeCompute(5) }) });
    const Ran r = runMix(mix, processSettings(1, StartMethod::Forkserver));
    QVERIFY(r.result.error.isEmpty());
    QCOMPARE(r.result.failedTasks(), 1);
    qInfo("%s", qPrintable(r.result.outcomes[0].error));
    QVERIFY(r.result.outcomes[0].error.contains("more than one message to a worker may carry"));
    QVERIFY(r.result.outcomes[1].ok);
    QCOMPARE(r.store.taskState(0), TaskState::Failed);
}

void TestProcesses::killedWorkerFailsOnlyItsTask()
{
    QFETCH(StartMethod, method);
    const Mix mix = mixOf("crash", { task("crunch", 4, { Step::makeSleep(20), Step::makeCompute(500) }) });
    // Kill the worker that runs task 1 once its compute has begun (seen by the collector, 20 ms later).
    std::atomic<int64_t> killed { 0 };
    WatchedRun w;
    w.start(mix, processSettings(2, method), [&killed](const TraceBatch& b) {
        if (killed)
            return;
        for (const Event& e : b.events) {
            if (e.kind == EventKind::State && e.task == 1 && e.state == TaskState::Running && e.value == 1
                && e.worker >= 0 && size_t(e.worker) < b.workers.size()) {
                const int64_t pid = b.workers[size_t(e.worker)].pid;
                ::kill(pid_t(pid), SIGKILL);
                killed = pid;
                return;
            }
        }
    });
    w.join();
    QVERIFY(killed > 0);
    const RunResult& r = w.result;
    QVERIFY(!r.stopped);
    QVERIFY(r.error.isEmpty());
    QVERIFY(!r.ok()); // the command line exits with status 1
    QCOMPARE(r.failedTasks(), 1);
    const QString error = r.outcomes[1].error;
    qInfo("%s", qPrintable(error));
    QVERIFY2(error.contains("exited on signal 9 (SIGKILL) during compute (step 2, pid "), qPrintable(error));
    QVERIFY2(error.startsWith("worker "), qPrintable(error));
    QCOMPARE(w.store.taskState(1), TaskState::Failed);
    for (int t : { 0, 2, 3 }) {
        QCOMPARE(w.store.taskState(t), TaskState::Done);
        QVERIFY(r.outcomes[size_t(t)].ok);
    }
    // A new worker took its place: a third lane, whose first task waited for it to start.
    const auto& workers = w.store.workers();
    QCOMPARE(int(workers.size()), 3);
    bool spawned = false;
    for (uint32_t i : w.store.workerSpans(2))
        spawned |= w.store.spans()[i].state == TaskState::Spawning;
    QVERIFY(spawned);
    QVERIFY(!processExists(killed));
    for (int64_t child : childrenOf(::getpid()))
        QCOMPARE(child, ForkServer::instance().pid()); // no worker left behind
}

void TestProcesses::stopEndsEveryWorkerEvenAHungOne()
{
    QFETCH(StartMethod, method);
    if (method == StartMethod::Forkserver) {
        QString error;
        QVERIFY2(ForkServer::instance().ensureStarted(&error), qPrintable(error)); // it belongs to the baseline
    }
    const std::vector<int64_t> childrenBefore = childrenOf(::getpid());
    const int fdsBefore = openFdCount();
    const Mix mix = mixOf("long", { task("crunch", 4, { Step::makeCompute(5000) }) });
    std::atomic<int> running { 0 };
    WatchedRun w;
    w.start(mix, processSettings(2, method), [&running](const TraceBatch& b) {
        for (const Event& e : b.events)
            running += e.kind == EventKind::State && e.state == TaskState::Running && e.worker >= 0;
    });
    QTRY_VERIFY_WITH_TIMEOUT(running >= 2 || w.done, 20000);
    QVERIFY(!w.done);
    // Hang one worker: a stopped process ignores SIGTERM until it is continued; only SIGKILL ends it.
    const int64_t t0 = monotonicNs();
    const std::vector<int64_t> kids
        = method == StartMethod::Spawn ? childrenOf(::getpid()) : childrenOf(ForkServer::instance().pid());
    std::vector<int64_t> workerPids;
    for (int64_t k : kids)
        if (std::find(childrenBefore.begin(), childrenBefore.end(), k) == childrenBefore.end())
            workerPids.push_back(k);
    QCOMPARE(workerPids.size(), size_t(2));
    ::kill(pid_t(workerPids[0]), SIGSTOP);
    w.run->requestStop();
    w.join();
    const double stopMs = ms(monotonicNs() - t0);
    qInfo("stopped in %.0f ms with one worker hung", stopMs);
    QVERIFY(w.result.stopped);
    QVERIFY2(stopMs < 1500, "Stop should end the run within a fraction of a second");
    // No zombie (they would still be our children), no orphan (the pids are gone), no descriptor left open.
    QCOMPARE(childrenOf(::getpid()), childrenBefore);
    if (method == StartMethod::Forkserver)
        QVERIFY(childrenOf(ForkServer::instance().pid()).empty());
    for (int64_t pid : workerPids)
        QVERIFY2(!processExists(pid), qPrintable(QString::number(pid)));
    QCOMPARE(openFdCount(), fdsBefore);
}

void TestProcesses::missingWorkerProgramFailsTheRunClearly()
{
    WorkerProcess::setExecutable(QStringLiteral("/nonexistent/taskline"));
    const Mix mix = mixOf("cpu", { task("crunch", 3, { Step::makeCompute(10) }) });
    const int fdsBefore = openFdCount();
    const Ran r = runMix(mix, processSettings(2, StartMethod::Spawn));
    WorkerProcess::setExecutable(QString());
    qInfo("%s", qPrintable(r.result.error));
    QVERIFY(!r.result.ok());
    QVERIFY2(r.result.error.contains("could not start worker processes (spawn)")
            && r.result.error.contains("/nonexistent/taskline"),
        qPrintable(r.result.error));
    QCOMPARE(r.result.failedTasks(), 3);
    for (const TaskOutcome& o : r.result.outcomes)
        QCOMPARE(o.error, r.result.error);
    QCOMPARE(openFdCount(), fdsBefore);
    for (int64_t child : childrenOf(::getpid()))
        QCOMPARE(child, ForkServer::instance().pid());
}

void TestProcesses::commandLineReportsAKilledWorker()
{
    // End to end: `taskline run` with a worker killed from outside exits with status 1 and names the reason.
    QTemporaryDir dir;
    const QString mixPath = dir.filePath("crash.taskline.json");
    const QString summaryPath = dir.filePath("summary.json");
    QFile f(mixPath);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({ "format": "taskline-mix/1", "name": "crash",
                 "tasks": [ { "name": "crunch", "count": 3, "steps": [ { "compute": { "ms": 1000 } } ] } ] })");
    f.close();
    QProcess p;
    p.start(qEnvironmentVariable("TASKLINE_BINARY"),
        { "run", mixPath, "--mode", "processes", "--workers", "2", "--start-method", "spawn", "--summary-json",
            summaryPath, "--quiet" });
    QVERIFY(p.waitForStarted());
    // Its worker is computing once it has used some CPU beyond its start-up.
    int64_t victim = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (int64_t k : childrenOf(p.processId()))
                if (WorkerCpuMeter::procCpuNs(k) > 150'000'000)
                    victim = k;
            return victim > 0;
        }(),
        20000);
    ::kill(pid_t(victim), SIGKILL);
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 1);
    QFile s(summaryPath);
    QVERIFY(s.open(QIODevice::ReadOnly));
    const QJsonArray tasks = QJsonDocument::fromJson(s.readAll()).object().value("tasks").toArray();
    QCOMPARE(tasks.size(), 3);
    int failed = 0;
    for (const QJsonValue& t : tasks) {
        if (t["status"].toString() == "failed") {
            ++failed;
            qInfo("%s", qPrintable(t["error"].toString()));
            QVERIFY(t["error"].toString().contains("exited on signal 9 (SIGKILL) during compute"));
            QVERIFY(t["error"].toString().contains(QStringLiteral("pid %1").arg(victim)));
        } else {
            QCOMPARE(t["status"].toString(), QStringLiteral("done"));
        }
    }
    QCOMPARE(failed, 1);
}

void TestProcesses::forkServerShutdownLeavesNoProcess()
{
    QString error;
    QVERIFY2(ForkServer::instance().ensureStarted(&error), qPrintable(error));
    const int64_t server = ForkServer::instance().pid();
    QVERIFY(server > 0);
    const std::vector<int64_t> kids = childrenOf(::getpid());
    QVERIFY(std::find(kids.begin(), kids.end(), server) != kids.end());
    ForkServer::instance().shutdown();
    QVERIFY(!ForkServer::instance().isRunning());
    QVERIFY(!processExists(server));
    QVERIFY(childrenOf(::getpid()).empty());
    // Started again on demand.
    const Mix mix = mixOf("cpu", { task("crunch", 2, { Step::makeCompute(5) }) });
    const Ran r = runMix(mix, processSettings(2, StartMethod::Forkserver));
    QVERIFY2(r.result.ok(), qPrintable(r.result.error));
    QVERIFY(ForkServer::instance().pid() != server);
}

QTEST_GUILESS_MAIN(TestProcesses)
#include "tst_processes.moc"
