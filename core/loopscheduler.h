#pragma once

#include "asyncsemaphore.h"
#include "cotask.h"
#include "eventloop.h"
#include "httpfetch.h"
#include "mix.h"
#include "recorder.h"

#include <QByteArray>
#include <QString>
#include <atomic>
#include <coroutine>
#include <memory>
#include <vector>

namespace taskline {

class AsyncFetcher;
class Gil;
class OffloadPool;
struct RunContext;

// What asyncio's Task machinery does on top of the event loop, with every state change recorded: it runs the task
// coroutines one at a time on the loop thread (the loop lane: Recorder::loop), keeps their states (ready while they
// wait for the loop, running while they hold it, blocked_io / sleeping / queued while they await), samples the number
// of ready coroutines (counter 0), and provides what the coroutines await: sleep (a timer), fetch (AsyncFetcher),
// offload (OffloadPool, asyncio.to_thread) and a slot of the --limit semaphore. Compute steps without --offload and
// blocking fetches run inline and hold the loop.
//
// The GIL. Without --offload the loop is the only Python thread and the GIL never changes hands, so none is emulated
// (as in sequential mode). With --offload and the GIL on, the loop thread is one Python thread among the pool's: it
// drops the GIL whenever it waits in epoll_wait and takes it back as soon as the wait returns (CPython's select does
// both, even with a zero timeout), before any callback runs (in asyncio, handling I/O and timers is Python code too);
// between coroutines it honours drop requests (the eval breaker), and a blocking fetch drops it around its socket
// I/O. So a loop that competes with CPU-bound offload threads waits up to a switch interval at every wake-up, as
// asyncio does next to to_thread work.
// Thread: the event loop's only.
class LoopScheduler : public EventLoop::Driver
{
public:
    static constexpr int kReadyCounter = 0; // the Chrome trace calls counter 0 "ready coroutines"
    // The ready counter is recorded on change, but at most once per this interval (ten thousand tasks starting or
    // waking at once would otherwise add ten thousand samples); a coalesced change is written when the interval is
    // over (a loop timer), and at once before a coroutine holds the loop in a long step or the loop waits for the GIL.
    // The highest value of a coalesced interval is written as well, so peaks are never hidden.
    static constexpr int64_t kCounterGapNs = 100'000;

    // `gil` and `pool` may be null (no emulated GIL, no --offload); `limit` 0 means no semaphore.
    LoopScheduler(
        RunContext& ctx, EventLoop& loop, Recorder& rec, AsyncFetcher& fetcher, Gil* gil, OffloadPool* pool, int limit);
    ~LoopScheduler() override; // shutdown()

    // asyncio.create_task: the coroutine becomes ready and runs in the loop's next iteration.
    void spawn(int task, CoTask coroutine);
    int unfinished() const { return m_unfinished; }
    // Ends the run on the loop's side: closes the loop lane, drops the GIL, cancels transfers in flight, joins the
    // offload pool and destroys every coroutine frame still suspended.
    void shutdown();

    // EventLoop::Driver
    void beforeWait(bool blocking) override;
    void afterWait() override;
    void resume(const EventLoop::Ready& ready) override;

    // --- For task coroutines (called from inside the running coroutine) ---
    bool isStopping() const;
    bool offloads() const { return m_pool != nullptr; }
    bool hasLimit() const { return m_semaphore != nullptr; }
    void setStep(int task, int step) { m_step[size_t(task)] = step; }
    // A compute step that runs inline: the coroutine keeps the loop until it is done. False when stopped.
    bool computeInline(int task, const ComputeStep& step, const QByteArray& input, int64_t* matches);
    // A fetch through a blocking client (urllib) on the loop thread: every other coroutine waits meanwhile.
    FetchResult blockingFetch(int task, const QString& url);
    // The task ends: records done/failed, fills its outcome, gives its semaphore slot to the next waiter.
    void finishTask(int task, const QString& error, int step);

    struct SleepAwaiter
    {
        LoopScheduler& s;
        int task;
        double ms;
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<> h) { s.startSleep(task, ms, h); }
        void await_resume() const noexcept { }
    };
    struct FetchAwaiter
    {
        LoopScheduler& s;
        int task;
        QString url;
        FetchResult result;
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<> h) { s.startFetch(task, url, &result, h); }
        FetchResult await_resume() { return std::move(result); }
    };
    struct OffloadAwaiter
    {
        LoopScheduler& s;
        int task;
        const ComputeStep* compute;
        const QByteArray* input;
        int64_t matches = 0;
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<> h) { s.startOffload(task, compute, input, &matches, h); }
        int64_t await_resume() const noexcept { return matches; }
    };
    struct SlotAwaiter
    {
        LoopScheduler& s;
        int task;
        bool await_ready() { return s.m_semaphore->tryAcquire(); }
        void await_suspend(std::coroutine_handle<> h) { s.waitForSlot(task, h); }
        void await_resume() const noexcept { }
    };

    SleepAwaiter sleep(int task, double ms) { return { *this, task, ms }; }
    FetchAwaiter fetch(int task, const QString& url) { return { *this, task, url, {} }; }
    // The awaiter points at `compute` and `input`: both must live until the coroutine resumes.
    OffloadAwaiter offload(int task, const ComputeStep& compute, const QByteArray& input)
    {
        return { *this, task, &compute, &input };
    }
    SlotAwaiter acquireSlot(int task) { return { *this, task }; }

private:
    void startSleep(int task, double ms, std::coroutine_handle<> h);
    void startFetch(int task, const QString& url, FetchResult* result, std::coroutine_handle<> h);
    void startOffload(
        int task, const ComputeStep* compute, const QByteArray* input, int64_t* matches, std::coroutine_handle<> h);
    void waitForSlot(int task, std::coroutine_handle<> h);
    // Records `task` ready (at its current step) and schedules it (call_soon).
    void makeReady(std::coroutine_handle<> h, int task);
    void noteReadyCount(bool force);
    void closeLoopSpan();
    void dropGil();
    void taskEnded(int task);

    RunContext& m_ctx;
    EventLoop& m_loop;
    Recorder& m_rec;
    AsyncFetcher& m_fetcher;
    Gil* m_gil;
    OffloadPool* m_pool;
    std::unique_ptr<AsyncSemaphore> m_semaphore;

    std::vector<CoTask> m_tasks; // by task id; reset once done
    std::vector<int> m_step; // by task id: the step the task is at, for the events the loop records about it
    int m_unfinished = 0;
    // Coroutines ready to run: in the loop's queue, plus offloaded jobs that finished and are on their way there
    // (a pool thread counts those in).
    std::atomic<int> m_ready { 0 };
    int m_counterValue = -1; // the last value recorded
    int m_counterPeak = 0; // the highest value since then
    int64_t m_counterNs = 0; // when it was recorded, ns since run start
    EventLoop::TimerId m_counterTimer = 0; // writes a coalesced change
    int m_occupant = -1; // the coroutine occupying the loop (its loop-lane span is open), -1 for none
    bool m_holdingGil = false;
    int m_gilTask = -1; // the task for which the loop took the GIL
    bool m_shutDown = false;
};

} // namespace taskline
