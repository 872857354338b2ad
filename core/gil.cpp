#include "gil.h"

#include "stopper.h"

namespace taskline {

Gil::Gil(std::chrono::nanoseconds switchInterval, const Stopper* stop)
    : m_interval(std::max(switchInterval, std::chrono::nanoseconds(1000)))
    , m_stop(stop)
{ }

bool Gil::acquire(Recorder& rec, int task, int step, bool alreadyWaiting, bool states)
{
    const int me = rec.worker();
    std::unique_lock lock(m_mutex);
    if (m_locked) {
        if (states && !alreadyWaiting)
            rec.state(task, TaskState::WaitingGil, step);
        m_waiters.fetch_add(1, std::memory_order_relaxed);
        while (m_locked) {
            if (m_stop && m_stop->isRequested()) {
                m_waiters.fetch_sub(1, std::memory_order_relaxed);
                return false;
            }
            const uint64_t saved = m_switchNumber;
            const bool timedOut = m_cond.wait_for(lock, m_interval) == std::cv_status::timeout;
            // Timed out and nobody switched meanwhile: ask the holder to drop it.
            if (timedOut && m_locked && m_switchNumber == saved) {
                m_dropRequest.store(true, std::memory_order_relaxed);
                m_requests.fetch_add(1, std::memory_order_relaxed);
            }
        }
        m_waiters.fetch_sub(1, std::memory_order_relaxed);
    }
    {
        std::lock_guard switchLock(m_switchMutex);
        m_locked = true;
        if (m_lastHolder != me) {
            m_lastHolder = me;
            ++m_switchNumber;
            m_switches.fetch_add(1, std::memory_order_relaxed);
        }
    }
    m_switchCond.notify_all();
    // The request (if any) was ours or is served by this switch.
    m_dropRequest.store(false, std::memory_order_relaxed);
    lock.unlock();
    rec.gil(task, true);
    if (states)
        rec.state(task, TaskState::Running, step);
    return true;
}

void Gil::drop(Recorder& rec, int task)
{
    const int me = rec.worker();
    rec.gil(task, false);
    {
        std::lock_guard lock(m_mutex);
        m_locked = false;
    }
    m_cond.notify_one();
    if (m_dropRequest.load(std::memory_order_relaxed)) {
        // FORCE_SWITCHING: not switched yet => wait, so that a waiter really gets it.
        std::unique_lock switchLock(m_switchMutex);
        if (m_lastHolder == me) {
            m_dropRequest.store(false, std::memory_order_relaxed);
            while (m_lastHolder == me && m_waiters.load(std::memory_order_relaxed) > 0
                && !(m_stop && m_stop->isRequested()))
                m_switchCond.wait_for(switchLock, m_interval);
        }
    }
}

bool Gil::handOver(Recorder& rec, int task, int step)
{
    rec.state(task, TaskState::WaitingGil, step);
    drop(rec, task);
    return take(rec, task, step, true);
}

} // namespace taskline
