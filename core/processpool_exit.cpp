// ProcessPool: workers that end — noticing it, reaping them, failing their task with the reason, and ending the
// whole pool (shutdown, then SIGTERM, then SIGKILL) with every process reaped and every descriptor closed.

#include "clock.h"
#include "forkserver.h"
#include "processpool.h"
#include "processpool_p.h"
#include "runcontext.h"
#include "workercpumeter.h"
#include "workerprocess.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace taskline {

namespace {

int64_t timevalNs(const timeval& t)
{
    return int64_t(t.tv_sec) * 1'000'000'000 + int64_t(t.tv_usec) * 1000;
}

// "exited on signal 9 (SIGKILL)", "exited with status 3".
QString describeExit(int waitStatus)
{
    if (waitStatus == -1)
        return QStringLiteral("exited (its exit status is unknown)");
    if (WIFSIGNALED(waitStatus)) {
        const int sig = WTERMSIG(waitStatus);
        const char* abbrev = sigabbrev_np(sig);
        return abbrev ? QStringLiteral("exited on signal %1 (SIG%2)").arg(sig).arg(QLatin1String(abbrev))
                      : QStringLiteral("exited on signal %1").arg(sig);
    }
    if (WIFEXITED(waitStatus)) {
        const int code = WEXITSTATUS(waitStatus);
        if (code == WorkerProcess::kExitProtocol)
            return QStringLiteral("exited with status %1 (it refused a message)").arg(code);
        return QStringLiteral("exited with status %1").arg(code);
    }
    return QStringLiteral("ended (wait status %1)").arg(waitStatus);
}

const char* stepKindName(StepKind k)
{
    switch (k) {
    case StepKind::Compute:
        return "compute";
    case StepKind::Fetch:
        return "fetch";
    case StepKind::Sleep:
        return "sleep";
    }
    return "step";
}

} // namespace

QString ProcessPool::whereWasIt(const Slot& s, int* step) const
{
    *step = -1;
    if (!s.ready)
        return QStringLiteral("before it was ready");
    if (!s.workerSpoke)
        return QStringLiteral("while its task was being sent to it");
    if (s.lastState == TaskState::Serializing)
        return QStringLiteral("while returning its result");
    const std::vector<Step>& steps = m_ctx.tasks[size_t(s.task)].steps;
    if (s.lastStep < 0 || size_t(s.lastStep) >= steps.size())
        return QStringLiteral("during its task");
    *step = s.lastStep;
    return QStringLiteral("during %1").arg(QLatin1String(stepKindName(steps[size_t(s.lastStep)].kind)));
}

void ProcessPool::onEof(Slot& s)
{
    if (s.fd >= 0)
        ::close(s.fd);
    s.fd = -1;
    s.out.clear();
    s.outOffset = 0;
    s.closedNs = monotonicNs();
    s.state = SlotState::Exited; // its exit status follows (wait4, or the fork server's report)
}

void ProcessPool::collectExits(bool stopping)
{
    const int64_t now = monotonicNs();
    for (size_t i = 0; i < m_slots.size(); ++i) {
        Slot& s = *m_slots[i]; // onExited may start a replacement: index, not iterator
        if (s.state != SlotState::Exited)
            continue;
        if (m_method == StartMethod::Spawn) {
            int status = 0;
            rusage ru {};
            pid_t r;
            do
                r = ::wait4(pid_t(s.pid), &status, WNOHANG, &ru);
            while (r < 0 && errno == EINTR);
            if (r == pid_t(s.pid))
                onExited(s, status, timevalNs(ru.ru_utime) + timevalNs(ru.ru_stime), stopping);
            else if (r < 0) // not our child any more (someone else reaped it): nothing to wait for
                onExited(s, -1, 0, stopping);
        } else {
            ForkServer::ExitReport report;
            const int got = s.statusFd >= 0 ? ForkServer::readExitReport(s.statusFd, &report) : -1;
            if (got == 1)
                onExited(s, report.waitStatus, report.cpuNs, stopping);
            else if (got < 0)
                onExited(s, -1, 0, stopping);
        }
        // Closed its socket but lingers (stuck in exit, or stopped): it has had 2 s.
        if (s.state == SlotState::Exited && !s.killed && now - s.closedNs > 2'000'000'000) {
            ::kill(pid_t(s.pid), SIGKILL);
            s.killed = true;
        }
    }
}

void ProcessPool::onExited(Slot& s, int waitStatus, int64_t cpuNs, bool stopping)
{
    m_cpu->exited(s.pid, cpuNs);
    if (s.statusFd >= 0)
        ::close(s.statusFd);
    s.statusFd = -1;
    s.state = SlotState::Reaped;
    if (s.task < 0 || stopping)
        return;
    // It died with a task: that task fails with the reason, the others go on.
    int step = -1;
    const QString where = whereWasIt(s, &step);
    const QString detail
        = step >= 0 ? QStringLiteral("step %1, pid %2").arg(step + 1).arg(s.pid) : QStringLiteral("pid %1").arg(s.pid);
    QString message = QStringLiteral("worker %1 %2 %3 (%4)").arg(s.number).arg(describeExit(waitStatus), where, detail);
    if (!s.refusal.isEmpty())
        message += QStringLiteral(": ") + s.refusal;
    failTask(s.task, s.rec, message);
    s.task = -1;
    if (!s.ready && ++m_startFailures >= kMaxStartFailures) {
        fatal(QStringLiteral("worker processes exit before they are ready (%1 in a row); the last: %2")
                  .arg(m_startFailures)
                  .arg(message));
        return;
    }
    maintain(); // a new worker takes its place while tasks wait
}

void ProcessPool::signalAll(int sig)
{
    for (auto& slot : m_slots) {
        Slot& s = *slot;
        if (s.state != SlotState::Reaped && s.pid > 0) {
            ::kill(pid_t(s.pid), sig);
            if (sig == SIGKILL)
                s.killed = true;
        }
    }
}

void ProcessPool::waitForExits(int timeoutMs)
{
    const int64_t deadline = monotonicNs() + int64_t(timeoutMs) * 1'000'000;
    std::vector<pollfd> fds;
    std::vector<Slot*> owners;
    while (!allReaped() && monotonicNs() < deadline) {
        fds.clear();
        owners.clear();
        for (auto& slot : m_slots) {
            Slot& s = *slot;
            if (s.fd >= 0) {
                fds.push_back({ s.fd, short(POLLIN | (s.out.empty() ? 0 : POLLOUT)), 0 });
                owners.push_back(&s);
            }
            if (s.statusFd >= 0) {
                fds.push_back({ s.statusFd, POLLIN, 0 });
                owners.push_back(nullptr);
            }
        }
        ::poll(fds.data(), nfds_t(fds.size()), 2);
        for (size_t i = 0; i < fds.size(); ++i) {
            Slot* s = owners[i];
            if (!s || !fds[i].revents || s->fd != fds[i].fd)
                continue;
            if (fds[i].revents & POLLOUT)
                flushOut(*s);
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
                readFrom(*s, true); // the run is over: late events and results are dropped, as Pool.terminate does
        }
        collectExits(true);
    }
}

void ProcessPool::endWorkers(bool graceful)
{
    if (graceful) {
        // Like Pool.close() + join(): every worker is asked to exit and given a moment.
        for (auto& slot : m_slots) {
            Slot& s = *slot;
            if (s.fd >= 0 && s.state != SlotState::Retiring && s.state != SlotState::Exited) {
                for (QByteArray& c : wire::encodeShutdown().chunks)
                    s.out.push_back(std::move(c));
                s.state = SlotState::Retiring;
                flushOut(s);
            }
        }
        waitForExits(kShutdownGraceMs);
    }
    // Like Pool.terminate(): SIGTERM, then SIGKILL for any that does not go (hung, stopped, ignoring SIGTERM).
    if (!allReaped()) {
        signalAll(SIGTERM);
        waitForExits(kTermGraceMs);
    }
    if (!allReaped()) {
        signalAll(SIGKILL);
        waitForExits(5000);
    }
    // Whatever is left (a fork server that never reported) still gets its descriptors closed.
    for (auto& slot : m_slots) {
        Slot& s = *slot;
        if (s.fd >= 0)
            ::close(s.fd);
        if (s.statusFd >= 0)
            ::close(s.statusFd);
        s.fd = s.statusFd = -1;
        if (s.state != SlotState::Reaped)
            m_cpu->exited(s.pid, 0);
        s.state = SlotState::Reaped;
    }
}

} // namespace taskline
