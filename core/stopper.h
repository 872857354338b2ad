#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace taskline {

// The run's stop request: an atomic flag that loops poll, plus a condition variable so that sleeping
// workers wake at once instead of finishing their sleep.
class Stopper
{
public:
    // Thread: any.
    void request()
    {
        {
            std::lock_guard lock(m_mutex);
            m_flag.store(true, std::memory_order_release);
        }
        m_cond.notify_all();
    }
    // Thread: any, lock-free.
    bool isRequested() const { return m_flag.load(std::memory_order_acquire); }
    const std::atomic<bool>& flag() const { return m_flag; }

    // Thread: any. Sleeps until `deadline` (steady clock) or a stop request. Returns false when stopped.
    bool sleepUntil(std::chrono::steady_clock::time_point deadline)
    {
        std::unique_lock lock(m_mutex);
        return !m_cond.wait_until(lock, deadline, [this] { return m_flag.load(std::memory_order_acquire); });
    }
    bool sleepFor(std::chrono::nanoseconds d) { return sleepUntil(std::chrono::steady_clock::now() + d); }

private:
    std::atomic<bool> m_flag { false };
    std::mutex m_mutex;
    std::condition_variable m_cond;
};

} // namespace taskline
