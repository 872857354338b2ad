#pragma once

#include "framereader.h"
#include "mix.h"
#include "recorder.h"
#include "workerprotocol.h"

#include <QString>
#include <deque>
#include <memory>
#include <vector>

namespace taskline {

struct RunContext;
class WorkerCpuMeter;

// The app's side of a multiprocessing.Pool: `workers` worker processes (min(workers, tasks)), reused across tasks;
// tasks wait `queued` in one FIFO queue and go to whichever worker is idle, one at a time, so at most `workers`
// tasks are in flight. One thread (the run's) drives everything with one poll() loop: starting workers, writing
// tasks (non-blocking, so that a 64 MiB payload to one worker does not hold up the others' events), reading
// frames, noticing deaths, reaping, replacing. It is the only writer of its workers' event buffers.
//
// What the timeline shows, on the worker's lane:
//   spawning     the task a new worker will run first, from the start request until the worker said hello (a
//                worker is only started for a task waiting for it, so its start-up cost lands on that task);
//   serializing  the app building the task frame and copying it into the worker (until the worker's first own
//                event), and, at the end, the worker copying its result back until the app has decoded it;
//   running, blocked_io, sleeping   the worker's own events, stamped in the worker and streamed back.
// A compute step's payload (payload_bytes) is built by the app, like the arguments of Pool.map, while the task is
// still queued (or while its worker starts), and shipped; a fetch happens in the worker, which returns the page
// when the task's last step is a fetch (Pool.map returns what the function returns).
//
// Faults: a worker that dies (crash, SIGKILL) fails its task with the reason ("worker 2 exited on signal 9
// (SIGKILL) during compute (step 1, pid …)"), and a new worker replaces it while tasks wait. A worker that dies
// before it is ready fails its task too; three such in a row end the run with a fatal error.
// Stop: SIGTERM to every worker (like Pool.terminate), SIGKILL to any left after kTermGraceMs, then every one is
// reaped and every descriptor closed before run() returns.
class ProcessPool
{
public:
    static constexpr int kTermGraceMs = 200;
    static constexpr int kShutdownGraceMs = 1000; // a shutdown message, then SIGTERM
    static constexpr int kHelloTimeoutMs = 30'000;
    static constexpr int kMaxStartFailures = 3;

    ProcessPool(RunContext& ctx, std::shared_ptr<WorkerCpuMeter> cpu);
    ~ProcessPool();
    ProcessPool(const ProcessPool&) = delete;
    ProcessPool& operator=(const ProcessPool&) = delete;

    // Thread: the run's thread. Runs every task to done or failed, or until the run is stopped; returns with every
    // worker process reaped.
    void run();

private:
    enum class SlotState
    {
        Starting, // requested, no hello yet
        Idle,
        Busy, // a task was sent to it
        Retiring, // sent shutdown (max tasks per child, or the end of the run)
        Exited, // its socket closed; waiting for its exit status
        Reaped,
    };
    struct Slot;

    bool startWorker();
    wire::TaskMsg buildTask(int task, int workerId) const;
    void dispatch(Slot& s, int task);
    void dispatchNext(Slot& s);
    int takeNextTask(); // the queue's head, failing tasks too big to send on the way; -1 when empty
    void flushOut(Slot& s);
    void readFrom(Slot& s, bool discard);
    void onFrame(Slot& s);
    void onResult(Slot& s, const wire::ResultMsg& r);
    void onBadFrame(Slot& s, const QString& why);
    void onEof(Slot& s);
    void collectExits(bool stopping);
    void onExited(Slot& s, int waitStatus, int64_t cpuNs, bool stopping);
    void failTask(int task, Recorder& rec, const QString& error);
    void fatal(const QString& error);
    void maintain();
    void checkTimeouts();
    void loop();
    void endWorkers(bool graceful);
    void waitForExits(int timeoutMs);
    void signalAll(int sig);
    int liveCount() const;
    bool allReaped() const;
    QString whereWasIt(const Slot& s, int* step) const; // "during compute", step index or -1

    RunContext& m_ctx;
    std::shared_ptr<WorkerCpuMeter> m_cpu;
    StartMethod m_method;
    int m_target = 0; // pool size
    int m_maxTasksPerChild = 0;
    Recorder m_dispatcher;
    std::vector<std::unique_ptr<Slot>> m_slots; // every worker of the run, dead ones too (their lanes stay)
    std::deque<int> m_queue; // task ids waiting for a worker, FIFO
    int m_finished = 0;
    int m_startFailures = 0; // workers in a row that died before their hello
    bool m_fatal = false;
    std::vector<Event> m_scratch;
};

} // namespace taskline
