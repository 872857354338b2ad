#pragma once

#include <coroutine>
#include <deque>

namespace taskline {

// asyncio.Semaphore for --limit N: at most N tasks past acquire() at once; the others wait in FIFO order and are
// handed a released slot directly, so that a task arriving later cannot take the slot of one that waits (asyncio's
// Semaphore is FIFO and fair in the same way in current Python versions).
// Thread: the event loop's only.
class AsyncSemaphore
{
public:
    struct Waiter
    {
        std::coroutine_handle<> handle;
        int task;
    };

    explicit AsyncSemaphore(int value)
        : m_value(value)
    { }

    // Takes a slot if one is free and nobody waits for one.
    bool tryAcquire()
    {
        if (m_value <= 0 || !m_waiters.empty())
            return false;
        --m_value;
        return true;
    }
    void wait(std::coroutine_handle<> handle, int task) { m_waiters.push_back({ handle, task }); }
    // Gives the slot back. Returns true and sets *woken when a waiter takes it over (the caller schedules it).
    bool release(Waiter* woken)
    {
        if (m_waiters.empty()) {
            ++m_value;
            return false;
        }
        *woken = m_waiters.front();
        m_waiters.pop_front();
        return true;
    }
    int waiting() const { return int(m_waiters.size()); }

private:
    int m_value;
    std::deque<Waiter> m_waiters;
};

} // namespace taskline
