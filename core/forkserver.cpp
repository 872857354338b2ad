#include "forkserver.h"

#include "clock.h"
#include "httpfetch.h"
#include "kernels.h"
#include "labserver.h"
#include "workerprocess.h"

#include <QString>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace taskline {

namespace {

constexpr uint32_t kMagic = 0x53464C54; // "TLFS"
constexpr uint16_t kVersion = 1;
constexpr uint16_t kOpReady = 0; // server → app, once preloaded
constexpr uint16_t kOpFork = 1; // app → server, with two descriptors
constexpr int kReadyTimeoutMs = 30'000; // a sanitizer build loads slowly
constexpr int kPidTimeoutMs = 10'000;

struct ControlMsg
{
    uint32_t magic = kMagic;
    uint16_t version = kVersion;
    uint16_t op = kOpFork;
    int64_t pid = 0; // ready: the server's pid
    int64_t initNs = 0; // ready: how long its preload took
};

struct ExitMsg
{
    int32_t waitStatus;
    int32_t reserved;
    int64_t cpuNs;
};
static_assert(sizeof(ExitMsg) == 16); // < PIPE_BUF: written and read in one piece

int64_t timevalNs(const timeval& t)
{
    return int64_t(t.tv_sec) * 1'000'000'000 + int64_t(t.tv_usec) * 1000;
}

QString errnoText(int e)
{
    return QString::fromLocal8Bit(strerror(e));
}

// Server side: reaps every child that has exited and sends its exit report on its status pipe.
void reapChildren(std::map<pid_t, int>& children, bool block)
{
    while (!children.empty()) {
        int status = 0;
        rusage ru {};
        const pid_t pid = ::wait4(-1, &status, block ? 0 : WNOHANG, &ru);
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid <= 0)
            return;
        auto it = children.find(pid);
        if (it == children.end())
            continue;
        const ExitMsg report { status, 0, timevalNs(ru.ru_utime) + timevalNs(ru.ru_stime) };
        [[maybe_unused]] const ssize_t n = ::write(it->second, &report, sizeof report);
        ::close(it->second);
        children.erase(it);
    }
}

// Server side: warms what every worker would otherwise do on its first task. Forked children inherit it.
void preload()
{
    initNetworking();
    const QString page = QString::fromLatin1(makeLabHtml(8192, 1));
    auto it = metaTagRegex().globalMatch(page); // JIT-compiles the pattern
    while (it.hasNext())
        it.next();
}

} // namespace

ForkServer& ForkServer::instance()
{
    static ForkServer server;
    return server;
}

ForkServer::~ForkServer()
{
    shutdown();
}

bool ForkServer::isRunning() const
{
    std::lock_guard lock(m_mutex);
    return m_fd >= 0;
}

int64_t ForkServer::pid() const
{
    std::lock_guard lock(m_mutex);
    return m_pid;
}

bool ForkServer::ensureStarted(QString* error)
{
    std::lock_guard lock(m_mutex);
    return m_fd >= 0 || startLocked(error);
}

bool ForkServer::startLocked(QString* error)
{
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        *error = QStringLiteral("cannot create the fork server's socket: %1").arg(errnoText(errno));
        return false;
    }
    const int64_t pid = WorkerProcess::spawn("forkserver", sv[1], error);
    ::close(sv[1]);
    if (pid < 0) {
        ::close(sv[0]);
        return false;
    }
    m_fd = sv[0];
    m_pid = pid;
    pollfd p { m_fd, POLLIN, 0 };
    int rc;
    do
        rc = ::poll(&p, 1, kReadyTimeoutMs);
    while (rc < 0 && errno == EINTR);
    ControlMsg ready;
    const ssize_t n = rc > 0 ? ::recv(m_fd, &ready, sizeof ready, 0) : -1;
    if (n != ssize_t(sizeof ready) || ready.magic != kMagic || ready.version != kVersion || ready.op != kOpReady) {
        *error = rc == 0 ? QStringLiteral("the fork server (pid %1) did not get ready within %2 s")
                               .arg(pid)
                               .arg(kReadyTimeoutMs / 1000)
            : n == 0 ? QStringLiteral("the fork server (pid %1) exited while starting").arg(pid)
                     : QStringLiteral("the fork server (pid %1) is of another taskline build").arg(pid);
        shutdownLocked();
        return false;
    }
    return true;
}

int64_t ForkServer::forkWorker(int workerFd, int* statusFd, QString* error)
{
    std::lock_guard lock(m_mutex);
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (m_fd < 0 && !startLocked(error))
            return -1;
        bool gone = false;
        const int64_t pid = requestLocked(workerFd, statusFd, error, &gone);
        if (pid > 0 || !gone)
            return pid;
        shutdownLocked(); // it died (killed from outside?): reap it and start a new one
    }
    return -1;
}

int64_t ForkServer::requestLocked(int workerFd, int* statusFd, QString* error, bool* serverGone)
{
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
        *error = QStringLiteral("cannot create a status pipe: %1").arg(errnoText(errno));
        return -1;
    }
    ControlMsg req;
    iovec iov { &req, sizeof req };
    alignas(cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))] = {};
    msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(2 * sizeof(int));
    const int fds[2] = { workerFd, pipeFds[1] };
    std::memcpy(CMSG_DATA(c), fds, sizeof fds);
    ssize_t sent;
    do
        sent = ::sendmsg(m_fd, &msg, MSG_NOSIGNAL);
    while (sent < 0 && errno == EINTR);
    const int sendError = errno;
    ::close(pipeFds[1]);
    if (sent != ssize_t(sizeof req)) {
        *serverGone = true;
        ::close(pipeFds[0]);
        *error = QStringLiteral("the fork server (pid %1) is gone: %2").arg(m_pid).arg(errnoText(sendError));
        return -1;
    }
    pollfd p { pipeFds[0], POLLIN, 0 };
    int rc;
    do
        rc = ::poll(&p, 1, kPidTimeoutMs);
    while (rc < 0 && errno == EINTR);
    int64_t pid = 0;
    const ssize_t n = rc > 0 ? ::read(pipeFds[0], &pid, sizeof pid) : -1;
    if (n != ssize_t(sizeof pid) || pid <= 0) {
        ::close(pipeFds[0]);
        *serverGone = n == 0;
        if (n == ssize_t(sizeof pid))
            *error = QStringLiteral("the fork server could not fork: %1").arg(errnoText(int(-pid)));
        else
            *error = QStringLiteral("the fork server (pid %1) did not answer a fork request").arg(m_pid);
        return -1;
    }
    ::fcntl(pipeFds[0], F_SETFL, O_NONBLOCK);
    *statusFd = pipeFds[0];
    return pid;
}

int ForkServer::readExitReport(int statusFd, ExitReport* out)
{
    ExitMsg m {};
    ssize_t n;
    do
        n = ::read(statusFd, &m, sizeof m);
    while (n < 0 && errno == EINTR);
    if (n == ssize_t(sizeof m)) {
        out->waitStatus = m.waitStatus;
        out->cpuNs = m.cpuNs;
        return 1;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    return -1;
}

void ForkServer::shutdown()
{
    std::lock_guard lock(m_mutex);
    shutdownLocked();
}

void ForkServer::shutdownLocked()
{
    if (m_fd >= 0)
        ::close(m_fd); // the server sees end of file: it kills and reaps its children, then exits
    m_fd = -1;
    if (m_pid > 0) {
        // It has children to reap first: give it a moment, then insist.
        for (int i = 0; i < 300; ++i) {
            const pid_t r = ::waitpid(pid_t(m_pid), nullptr, WNOHANG);
            if (r == pid_t(m_pid) || (r < 0 && errno == ECHILD)) {
                m_pid = 0;
                return;
            }
            ::usleep(10'000);
        }
        ::kill(pid_t(m_pid), SIGKILL);
        while (::waitpid(pid_t(m_pid), nullptr, 0) < 0 && errno == EINTR) { }
    }
    m_pid = 0;
}

int ForkServer::main(int argc, char** argv)
{
    const int fd = parseFdArgument(argc, argv);
    if (fd < 0) {
        std::fprintf(stderr,
            "taskline forkserver: internal command of processes mode, started by taskline itself; "
            "needs --fd N (a socket to the app)\n");
        return WorkerProcess::kExitUsage;
    }
    return serve(fd);
}

int ForkServer::serve(int ctl)
{
    const int64_t started = monotonicNs();
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGINT, SIG_IGN); // the app ends the server (Ctrl+C in a terminal goes to the app)
    preload();

    // SIGCHLD through a descriptor, so that one poll() waits for requests and for children alike.
    sigset_t chld, previous;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &previous);
    const int sfd = ::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    const pid_t self = ::getpid();

    ControlMsg ready;
    ready.op = kOpReady;
    ready.pid = self;
    ready.initNs = monotonicNs() - started;
    if (::send(ctl, &ready, sizeof ready, MSG_NOSIGNAL) != ssize_t(sizeof ready))
        return WorkerProcess::kExitOrphaned;

    std::map<pid_t, int> children; // pid → its status pipe
    for (;;) {
        pollfd p[2] = { { ctl, POLLIN, 0 }, { sfd, POLLIN, 0 } };
        if (::poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents) {
            signalfd_siginfo info;
            while (::read(sfd, &info, sizeof info) == ssize_t(sizeof info)) { }
            reapChildren(children, false);
        }
        if (!p[0].revents)
            continue;
        ControlMsg req;
        iovec iov { &req, sizeof req };
        alignas(cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))] = {};
        msghdr msg {};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(ctl, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            break; // the app closed the pool for good (or died)
        int fds[2] = { -1, -1 };
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof fds))
            std::memcpy(fds, CMSG_DATA(c), sizeof fds);
        if (n != ssize_t(sizeof req) || req.magic != kMagic || req.version != kVersion || req.op != kOpFork
            || fds[0] < 0 || fds[1] < 0) {
            // Closing the status pipe without a pid tells the app its request was refused.
            std::fprintf(stderr, "taskline forkserver: refused a malformed request (version %u)\n", req.version);
            for (int f : fds)
                if (f >= 0)
                    ::close(f);
            continue;
        }
        const int workerFd = fds[0], statusFd = fds[1];
        const pid_t pid = ::fork();
        if (pid == 0) {
            // The worker: keep only its socket; die with the server (which is single-threaded, so the parent-death
            // signal is tied to the right thread).
            ::close(ctl);
            ::close(sfd);
            ::close(statusFd);
            for (const auto& child : children)
                ::close(child.second);
            sigprocmask(SIG_SETMASK, &previous, nullptr);
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != self)
                ::_exit(WorkerProcess::kExitOrphaned);
            ::_exit(WorkerProcess::serve(workerFd, monotonicNs()));
        }
        const int64_t answer = pid > 0 ? int64_t(pid) : -int64_t(errno);
        [[maybe_unused]] const ssize_t w = ::write(statusFd, &answer, sizeof answer);
        ::close(workerFd);
        if (pid > 0)
            children[pid] = statusFd;
        else
            ::close(statusFd);
    }
    // No orphans: whatever still runs goes with the server.
    for (const auto& child : children)
        ::kill(child.first, SIGKILL);
    reapChildren(children, true);
    return WorkerProcess::kExitOk;
}

} // namespace taskline
