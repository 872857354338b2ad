#pragma once

#include <QString>
#include <cstdint>
#include <mutex>

namespace taskline {

// CPython's forkserver start method (the default on Linux from 3.14): a small server process, started once by
// exec of the taskline binary (`taskline forkserver --fd 3`) and so single-threaded and clean, preloads what
// workers need (libcurl's global init, the JIT-compiled <meta> regex, the lab page vocabulary) and forks a worker
// per request. The app never forks itself: it runs threads (GUI, collector, lab server, fetches), and fork() in a
// threaded process copies locks in whatever state other threads left them.
//
// A request passes two descriptors with SCM_RIGHTS: the worker's socket and the write end of a status pipe. On the
// status pipe the server writes the worker's pid right after the fork, and later its exit report (wait status and
// CPU time from wait4) once it has reaped it, then closes the pipe. The server lives as long as the app (like
// CPython's, it is started on first use and reused by later pools); it exits, killing and reaping any children
// left, when its control socket closes: at shutdown(), at the app's exit, or if the app crashes.
class ForkServer
{
public:
    struct ExitReport
    {
        int waitStatus = 0; // as from waitpid: WIFEXITED / WIFSIGNALED
        int64_t cpuNs = 0; // the worker's user + system CPU time
    };

    // Thread: any. The app's fork server (not started yet).
    static ForkServer& instance();
    ~ForkServer();

    // Thread: any. Starts the server unless it is running and waits until it has preloaded. false + *error if not.
    bool ensureStarted(QString* error);
    // Thread: any. Forks a worker serving socket `workerFd` (the caller keeps and closes its own copy). Returns its
    // pid and, in *statusFd, the read end of its status pipe (close-on-exec, the caller closes it); -1 + *error.
    // Starts the server if needed, and once more if it died.
    int64_t forkWorker(int workerFd, int* statusFd, QString* error);
    // Thread: any. Ends the server (its remaining children are killed and reaped) and waits for it.
    void shutdown();
    bool isRunning() const;
    int64_t pid() const;

    // Reads the exit report from a status pipe whose pid was already read. 1: got it; 0: not yet (non-blocking
    // pipe); -1: the pipe closed without one (the server died).
    static int readExitReport(int statusFd, ExitReport* out);

    // `taskline forkserver --fd N`: called by main() before anything else. Returns the exit status.
    static int main(int argc, char** argv);

private:
    ForkServer() = default;
    bool startLocked(QString* error);
    void shutdownLocked();
    int64_t requestLocked(int workerFd, int* statusFd, QString* error, bool* serverGone);
    static int serve(int fd);

    mutable std::mutex m_mutex;
    int m_fd = -1; // control socket (SOCK_SEQPACKET)
    int64_t m_pid = 0;
};

} // namespace taskline
