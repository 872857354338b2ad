#pragma once

#include <QString>
#include <cstdint>

namespace taskline {

// A worker process of processes mode: the program side. It runs as `taskline worker --fd N` (start method spawn:
// a fresh exec of the taskline binary, which pays a real start-up: loading the binary and its libraries, libcurl's
// global init) or in a child forked by the fork server (start method forkserver: all of that is already done).
// Either way it serves one socket: says hello, then runs the tasks it is sent one at a time with a TaskRunner on
// its main thread, without an emulated GIL (each process has its own, uncontended), streams its own events back
// (stamped with CLOCK_MONOTONIC relative to the app's run start, so the trace is one picture across processes)
// and returns each task's result. It exits on shutdown, on end of file, or on a frame it cannot accept.
class WorkerProcess
{
public:
    // Exit statuses of a worker process.
    static constexpr int kExitOk = 0;
    static constexpr int kExitUsage = 2; // bad command line
    static constexpr int kExitProtocol = 3; // refused a frame (other protocol version, malformed message)
    static constexpr int kExitOrphaned = 4; // the app went away during a task

    // The program started for spawn workers and for the fork server. Unless set explicitly: /proc/self/exe when
    // this process is the taskline binary (the GUI and the command line), else $TASKLINE_BINARY (tests and
    // benchmarks are other executables; taskline_add_test sets it to the built binary). Returns "" and sets
    // *error when neither applies.
    // Thread: any.
    static QString executable(QString* error = nullptr);
    static void setExecutable(const QString& path);

    // Starts `executable() SUBCOMMAND --fd 3` with posix_spawn (never fork: the app runs threads), with `fd` as its
    // descriptor 3 and no other descriptor but 0-2, and SIGINT ignored (the app ends its workers itself, a
    // terminal's Ctrl+C goes to the app). Returns the pid, or -1 with *error set.
    // Thread: any.
    static int64_t spawn(const char* subcommand, int fd, QString* error);

    // `taskline worker --fd N`: called by main() before anything else. Returns the exit status.
    static int main(int argc, char** argv);
    // Serves the app on the connected socket `fd` until shutdown. `startedNs`: CLOCK_MONOTONIC when this process
    // began (its hello reports how long its initialization took). Returns the exit status.
    static int serve(int fd, int64_t startedNs);
};

// Parses "--fd N" for the hidden subcommands; -1 if missing or bad.
int parseFdArgument(int argc, char** argv);

} // namespace taskline
