#pragma once

#include "recorder.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace taskline {

class Stopper;

// The emulated GIL: CPython's mechanism (Python/ceval_gil.c, 3.2+), not a plain mutex.
// - take(): if the GIL is held, wait on a condition variable for up to the switch interval; if it timed out and
//   no switch happened meanwhile, set the drop request. Repeat until free.
// - The holder polls dropRequested() between chunks of work (CPython: the eval breaker, between bytecodes) and
//   then calls handOver().
// - drop() with a pending drop request (FORCE_SWITCHING): wait until another thread has taken the GIL, so the
//   dropping thread cannot grab it straight back.
// Handover is not round-robin: whichever waiter the condition variable wakes wins.
// Records waiting_gil / running state changes and the GIL lane through the caller's Recorder.
// Thread: any worker thread; each call names the calling worker's recorder.
class Gil
{
public:
    Gil(std::chrono::nanoseconds switchInterval, const Stopper* stop);

    // Takes the GIL for `task` at `step`: records waiting_gil if it must wait, then the GIL lane and running.
    // Returns false (without the GIL) if the run was stopped while waiting.
    bool take(Recorder& rec, int task, int step, bool alreadyWaiting = false)
    {
        return acquire(rec, task, step, alreadyWaiting, true);
    }
    // Takes the GIL for the worker itself, not for a task: the event loop thread after epoll_wait, before it runs
    // any callback (CPython's select re-acquires the GIL on return). Records the GIL lane (task -1) only.
    bool takeForWorker(Recorder& rec) { return acquire(rec, -1, -1, false, false); }
    // Drops the GIL; with a pending drop request, waits until another thread has taken it.
    void drop(Recorder& rec, int task);
    // Thread: the holder, lock-free. Another thread waited a whole switch interval and asks for the GIL.
    bool dropRequested() const { return m_dropRequest.load(std::memory_order_relaxed); }
    // The holder at a chunk boundary after dropRequested(): records waiting_gil, drops, takes back.
    bool handOver(Recorder& rec, int task, int step);

    uint64_t switches() const { return m_switches.load(std::memory_order_relaxed); }
    uint64_t dropRequests() const { return m_requests.load(std::memory_order_relaxed); }
    std::chrono::nanoseconds switchInterval() const { return m_interval; }

private:
    // `states`: record the task's waiting_gil and running (take), or only the GIL lane (takeForWorker).
    bool acquire(Recorder& rec, int task, int step, bool alreadyWaiting, bool states);

    const std::chrono::nanoseconds m_interval;
    const Stopper* m_stop;

    std::mutex m_mutex; // guards m_locked, m_switchNumber (gil->mutex)
    std::condition_variable m_cond; // signalled on drop (gil->cond)
    bool m_locked = false;
    uint64_t m_switchNumber = 0;

    std::mutex m_switchMutex; // guards m_lastHolder (gil->switch_mutex)
    std::condition_variable m_switchCond; // signalled when a thread took the GIL (gil->switch_cond)
    int m_lastHolder = -2;

    std::atomic<bool> m_dropRequest { false };
    std::atomic<int> m_waiters { 0 };
    std::atomic<uint64_t> m_switches { 0 };
    std::atomic<uint64_t> m_requests { 0 };
};

} // namespace taskline
