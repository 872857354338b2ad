#pragma once

#include "mix.h"

#include <QByteArray>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace taskline {

class Gil;
class Recorder;
struct RunContext;

// The default executor behind asyncio.to_thread / loop.run_in_executor(None, …): a ThreadPoolExecutor of
// min(32, cores + 4) threads (or --workers), started one by one as jobs arrive while no thread is idle. Each thread
// is a worker "offload-N" of the run. A job is one compute step of a task; with the emulated GIL on, the thread is a
// Python thread like any other: it takes the GIL to compute, hands it over every switch interval (interruptible),
// keeps it (holds) or drops it while it works (releases) — and the event loop thread competes for the same GIL.
// Thread: submit() and shutdown() from the event loop thread; jobs run on the pool's threads.
class OffloadPool
{
public:
    struct Job
    {
        int task = 0;
        int step = 0;
        const ComputeStep* compute = nullptr; // owned by the awaiting coroutine's frame, alive until `done`
        const QByteArray* input = nullptr;
        int64_t* matches = nullptr; // out: <meta> tags found
        // Runs on the pool thread once the task has been recorded ready again (on the loop's lane), before the
        // thread drops the GIL: the future's result is set while holding it, as in CPython. Not called when the run
        // was stopped.
        std::function<void()> done;
    };

    // `loopWorker`: the event loop's worker id, where a finished job's task becomes ready.
    OffloadPool(RunContext& ctx, int maxThreads, Gil* gil, int loopWorker);
    ~OffloadPool(); // shutdown()

    void submit(Job job);
    // Stops taking jobs and joins every thread (a job in progress ends at its next chunk once the run's stop was
    // requested; otherwise it is finished first).
    void shutdown();
    int threadCount() const { return int(m_threads.size()); }
    int maxThreads() const { return m_max; }

private:
    void work(int index);
    void runJob(Recorder& rec, const Job& job);

    RunContext& m_ctx;
    const int m_max;
    Gil* m_gil;
    const int m_loopWorker;
    std::vector<std::thread> m_threads;
    std::mutex m_mutex;
    std::condition_variable m_cond;
    std::deque<Job> m_queue; // guarded by m_mutex
    int m_idle = 0; // threads waiting for a job; guarded by m_mutex
    bool m_shutdown = false; // guarded by m_mutex
};

} // namespace taskline
