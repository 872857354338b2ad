#include "processpool.h"

#include "calibration.h"
#include "clock.h"
#include "forkserver.h"
#include "httpfetch.h"
#include "labserver.h"
#include "processpool_p.h"
#include "runcontext.h"
#include "workercpumeter.h"
#include "workerprocess.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace taskline {

namespace {
constexpr int kPollMs = 10; // how soon a stop request is noticed
constexpr int kSocketBufferBytes = 1 << 20;
} // namespace

ProcessPool::ProcessPool(RunContext& ctx, std::shared_ptr<WorkerCpuMeter> cpu)
    : m_ctx(ctx)
    , m_cpu(std::move(cpu))
    , m_method(ctx.settings.startMethod)
    , m_maxTasksPerChild(ctx.settings.maxTasksPerChild)
{ }

ProcessPool::~ProcessPool()
{
    // run() leaves nothing behind; this only matters if it was left early.
    if (!allReaped())
        endWorkers(false);
}

void ProcessPool::run()
{
    m_dispatcher = m_ctx.registry->dispatcher();
    for (const TaskInstance& t : m_ctx.tasks) {
        m_dispatcher.state(t.id, TaskState::Queued, -1); // Pool.map submits every item at once
        m_queue.push_back(t.id);
    }
    m_target = std::min(m_ctx.settings.effectiveWorkers(m_ctx.cores), int(m_ctx.tasks.size()));
    for (int i = 0; i < m_target && !m_fatal && startWorker(); ++i) { }
    loop();
    endWorkers(!m_ctx.stop->isRequested() && !m_fatal);
}

wire::TaskMsg ProcessPool::buildTask(int task, int workerId) const
{
    const TaskInstance& t = m_ctx.tasks[size_t(task)];
    wire::TaskMsg m;
    m.runStartNs = m_ctx.registry->runStartNs();
    m.taskId = task;
    m.workerId = int16_t(workerId);
    m.regexBytesPerMs = m_ctx.calibration->unitsPerMs(Kernel::Regex);
    m.hashBytesPerMs = m_ctx.calibration->unitsPerMs(Kernel::Hash);
    m.steps = t.steps;
    m.inputs.resize(t.steps.size());
    for (size_t i = 0; i < m.steps.size(); ++i) {
        Step& s = m.steps[i];
        if (s.kind == StepKind::Fetch)
            s.fetch.url = resolveFetchUrl(s.fetch.url, m_ctx.labBaseUrl); // the lab server runs in the app
        else if (s.kind == StepKind::Compute && s.compute.payloadBytes > 0)
            m.inputs[i] = makeLabHtml(s.compute.payloadBytes, uint32_t(task)); // the same data as in other modes
    }
    return m;
}

bool ProcessPool::startWorker()
{
    // A worker is started for a task that waits for it (its start-up shows on that task).
    const int task = takeNextTask();
    if (task < 0)
        return false;
    auto slot = std::make_unique<Slot>();
    Slot& s = *slot;
    m_slots.push_back(std::move(slot));
    s.number = int(m_slots.size());
    s.task = task;
    s.startedNs = monotonicNs();

    int sv[2];
    QString error;
    int64_t pid = -1;
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        error = QStringLiteral("cannot create a socket pair: %1").arg(QString::fromLocal8Bit(strerror(errno)));
    } else {
        // Payloads of megabytes: a larger buffer than the default ~200 KiB means fewer wake-ups per megabyte
        // (capped by net.core.wmem_max).
        for (int fd : sv)
            ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kSocketBufferBytes, sizeof kSocketBufferBytes);
        if (m_method == StartMethod::Spawn)
            pid = WorkerProcess::spawn("worker", sv[1], &error);
        else
            pid = ForkServer::instance().forkWorker(sv[1], &s.statusFd, &error);
        ::close(sv[1]);
        if (pid < 0)
            ::close(sv[0]);
    }
    // The lane is registered with its pid (views take a worker's details when it first appears); its task has
    // been spawning since the request.
    s.rec = m_ctx.registry->addWorker(
        QStringLiteral("process-%1").arg(s.number), WorkerKind::Process, std::max<int64_t>(pid, 0));
    s.id = s.rec.worker();
    {
        Event e {};
        e.timeNs = s.startedNs - m_ctx.registry->runStartNs();
        e.cpuNs = -1;
        e.task = s.task;
        e.value = 0;
        e.worker = int16_t(s.id);
        e.core = -1; // no core of its own yet
        e.kind = EventKind::State;
        e.state = TaskState::Spawning;
        s.rec.raw(e);
    }
    if (pid < 0) {
        s.state = SlotState::Reaped;
        const QString message = QStringLiteral("could not start worker processes (%1): %2")
                                    .arg(QLatin1String(startMethodName(m_method)), error);
        failTask(s.task, s.rec, message);
        s.task = -1;
        fatal(message);
        return false;
    }
    ::fcntl(sv[0], F_SETFL, ::fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    s.fd = sv[0];
    s.pid = pid;
    m_cpu->addLive(pid);
    // Build the first task's message (and its payloads) while the worker starts, as Pool's task handler pickles
    // the items while the workers boot.
    s.pending = buildTask(s.task, s.id);
    s.hasPending = true;
    return true;
}

void ProcessPool::dispatch(Slot& s, int task)
{
    wire::TaskMsg msg;
    if (s.hasPending && s.pending.taskId == task) {
        msg = std::move(s.pending);
        s.hasPending = false;
        s.pending = {};
    } else {
        msg = buildTask(task, s.id); // the payload is the app's data: built while the task still waits in the queue
    }
    s.rec.state(task, TaskState::Serializing, 0);
    s.task = task;
    s.state = SlotState::Busy;
    s.workerSpoke = false;
    s.lastState = TaskState::Serializing;
    s.lastStep = 0;
    wire::OutFrame frame = wire::encodeTask(msg);
    for (QByteArray& c : frame.chunks)
        s.out.push_back(std::move(c));
    flushOut(s);
}

void ProcessPool::dispatchNext(Slot& s)
{
    if (s.state != SlotState::Idle || m_ctx.stop->isRequested())
        return;
    const int task = takeNextTask();
    if (task >= 0)
        dispatch(s, task);
}

int ProcessPool::takeNextTask()
{
    while (!m_queue.empty()) {
        const int task = m_queue.front();
        m_queue.pop_front();
        // Checked before its payloads are built: one frame carries a task and all of its payloads.
        int64_t bytes = 0;
        for (const Step& step : m_ctx.tasks[size_t(task)].steps)
            bytes += step.kind == StepKind::Compute ? step.compute.payloadBytes : 0;
        if (bytes <= int64_t(wire::kMaxFrameBytes) - (int64_t(1) << 20))
            return task;
        failTask(task, m_dispatcher,
            QStringLiteral("its payloads (%1 bytes) are more than one message to a worker may carry (%2 bytes)")
                .arg(bytes)
                .arg(wire::kMaxFrameBytes));
    }
    return -1;
}

void ProcessPool::flushOut(Slot& s)
{
    while (!s.out.empty() && s.fd >= 0) {
        const QByteArray& chunk = s.out.front();
        const size_t left = size_t(chunk.size()) - s.outOffset;
        const ssize_t n = left ? ::send(s.fd, chunk.constData() + s.outOffset, left, MSG_NOSIGNAL | MSG_DONTWAIT) : 0;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return; // the worker reads on; poll() says when there is room
            s.out.clear(); // it is gone: end of file follows on the read side
            s.outOffset = 0;
            return;
        }
        s.outOffset += size_t(n);
        if (s.outOffset == size_t(chunk.size())) {
            s.out.pop_front();
            s.outOffset = 0;
        }
    }
}

void ProcessPool::readFrom(Slot& s, bool discard)
{
    while (s.fd >= 0) {
        switch (s.reader.readFrom(s.fd)) {
        case wire::FrameReader::Status::Frame:
            if (!discard)
                onFrame(s);
            break;
        case wire::FrameReader::Status::NeedMore:
            return;
        case wire::FrameReader::Status::Eof:
            onEof(s);
            return;
        case wire::FrameReader::Status::Error:
            onBadFrame(s, s.reader.error());
            return;
        }
    }
}

void ProcessPool::onFrame(Slot& s)
{
    QString error;
    switch (s.reader.type()) {
    case wire::MsgType::Hello: {
        wire::HelloMsg hello;
        if (!wire::decodeHello(s.reader.body(), &hello, &error))
            return onBadFrame(s, error);
        if (s.state != SlotState::Starting)
            return onBadFrame(s, QStringLiteral("it said hello twice"));
        s.ready = true;
        s.state = SlotState::Idle;
        m_startFailures = 0;
        if (s.task >= 0)
            dispatch(s, s.task);
        else
            dispatchNext(s);
        return;
    }
    case wire::MsgType::Events: {
        m_scratch.clear();
        if (!wire::decodeEvents(s.reader.body(), &m_scratch, &error))
            return onBadFrame(s, error);
        for (Event& e : m_scratch) {
            e.worker = int16_t(s.id); // its lane, whatever it believes
            if (e.kind == EventKind::State && e.task == s.task) {
                s.workerSpoke = true;
                s.lastState = e.state;
                s.lastStep = e.value;
            }
            s.rec.raw(e);
        }
        return;
    }
    case wire::MsgType::Result: {
        wire::ResultMsg result;
        if (!wire::decodeResult(s.reader.body(), &result, &error))
            return onBadFrame(s, error);
        if (s.state != SlotState::Busy || result.taskId != s.task)
            return onBadFrame(
                s, QStringLiteral("it returned a result for task %1, not for its task").arg(result.taskId));
        return onResult(s, result);
    }
    case wire::MsgType::Error: {
        QString message;
        if (!wire::decodeError(s.reader.body(), &message, &error))
            return onBadFrame(s, error);
        s.refusal = message; // it exits next; its task fails with this reason
        return;
    }
    case wire::MsgType::Task:
    case wire::MsgType::Shutdown:
        return onBadFrame(s,
            QStringLiteral("it sent a %1 message, which only the app sends")
                .arg(QLatin1String(wire::msgTypeName(s.reader.type()))));
    }
}

void ProcessPool::onResult(Slot& s, const wire::ResultMsg& r)
{
    const int task = s.task;
    TaskOutcome& o = m_ctx.outcomes[size_t(task)];
    o.finished = true;
    o.ok = r.ok;
    o.error = r.error;
    o.metaTags = r.metaTags;
    o.bytesFetched = r.bytesFetched;
    // The result has been copied and decoded (r.value, the returned page, is dropped: nothing uses it here).
    s.rec.state(task, r.ok ? TaskState::Done : TaskState::Failed, s.lastStep);
    ++m_finished;
    m_ctx.tasksFinished.fetch_add(1, std::memory_order_relaxed);
    s.task = -1;
    ++s.tasksDone;
    if (m_maxTasksPerChild > 0 && s.tasksDone >= m_maxTasksPerChild) {
        // maxtasksperchild: this worker is done; a fresh one takes over if tasks are waiting.
        for (QByteArray& c : wire::encodeShutdown().chunks)
            s.out.push_back(std::move(c));
        s.state = SlotState::Retiring;
        flushOut(s);
        maintain();
        return;
    }
    s.state = SlotState::Idle;
    dispatchNext(s);
}

void ProcessPool::onBadFrame(Slot& s, const QString& why)
{
    // A worker that breaks the protocol cannot be trusted with more work.
    s.refusal = why;
    if (s.pid > 0 && !s.killed) {
        ::kill(pid_t(s.pid), SIGKILL);
        s.killed = true;
    }
    onEof(s);
}

void ProcessPool::failTask(int task, Recorder& rec, const QString& error)
{
    TaskOutcome& o = m_ctx.outcomes[size_t(task)];
    o.finished = true;
    o.ok = false;
    o.error = error;
    rec.state(task, TaskState::Failed, 0);
    ++m_finished;
    m_ctx.tasksFinished.fetch_add(1, std::memory_order_relaxed);
}

void ProcessPool::fatal(const QString& error)
{
    if (m_ctx.fatalError.isEmpty())
        m_ctx.fatalError = error;
    m_fatal = true;
    // Nothing will run the tasks still waiting: they fail with the reason.
    while (!m_queue.empty()) {
        failTask(m_queue.front(), m_dispatcher, error);
        m_queue.pop_front();
    }
}

void ProcessPool::maintain()
{
    while (!m_fatal && !m_queue.empty() && liveCount() < m_target && !m_ctx.stop->isRequested())
        startWorker();
}

int ProcessPool::liveCount() const
{
    int n = 0;
    for (const auto& s : m_slots)
        n += s->state == SlotState::Starting || s->state == SlotState::Idle || s->state == SlotState::Busy;
    return n;
}

bool ProcessPool::allReaped() const
{
    return std::all_of(m_slots.begin(), m_slots.end(), [](const auto& s) { return s->state == SlotState::Reaped; });
}

void ProcessPool::checkTimeouts()
{
    const int64_t now = monotonicNs();
    for (auto& slot : m_slots) {
        Slot& s = *slot;
        if (s.state == SlotState::Starting && now - s.startedNs > int64_t(kHelloTimeoutMs) * 1'000'000) {
            s.refusal = QStringLiteral("it did not get ready within %1 s").arg(kHelloTimeoutMs / 1000);
            ::kill(pid_t(s.pid), SIGKILL);
            s.killed = true;
            onEof(s);
        }
    }
}

void ProcessPool::loop()
{
    const int total = int(m_ctx.tasks.size());
    std::vector<pollfd> fds;
    std::vector<Slot*> owners;
    while (!m_fatal && m_finished < total && !m_ctx.stop->isRequested()) {
        fds.clear();
        owners.clear();
        bool reaping = false;
        for (auto& slot : m_slots) {
            Slot& s = *slot;
            if (s.fd >= 0) {
                fds.push_back({ s.fd, short(POLLIN | (s.out.empty() ? 0 : POLLOUT)), 0 });
                owners.push_back(&s);
            }
            if (s.state == SlotState::Exited) {
                reaping = true;
                if (s.statusFd >= 0) {
                    fds.push_back({ s.statusFd, POLLIN, 0 });
                    owners.push_back(nullptr);
                }
            }
        }
        // Spawned workers are our children: their exit is polled with wait4 every 2 ms until reaped.
        const int rc = ::poll(fds.data(), nfds_t(fds.size()), reaping ? 2 : kPollMs);
        if (rc < 0 && errno != EINTR)
            break;
        for (size_t i = 0; rc > 0 && i < fds.size(); ++i) {
            Slot* s = owners[i];
            if (!s || !fds[i].revents || s->fd != fds[i].fd)
                continue;
            if (fds[i].revents & POLLOUT)
                flushOut(*s);
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
                readFrom(*s, false);
        }
        collectExits(false);
        checkTimeouts();
    }
}

} // namespace taskline
