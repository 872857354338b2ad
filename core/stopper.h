#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

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
        std::lock_guard lock(m_callbackMutex);
        for (auto& [id, fn] : m_callbacks)
            fn();
    }

    // Thread: any. For waits a condition variable cannot reach (an event loop blocked in epoll_wait): `fn` runs on
    // the requesting thread when a stop is requested, or at once if one already was. It must be quick, idempotent (a
    // request racing with the registration may call it twice) and must not call back into this Stopper. Returns an id
    // for removeCallback(); after that returns, `fn` is never called.
    int addCallback(std::function<void()> fn)
    {
        std::lock_guard lock(m_callbackMutex);
        if (isRequested())
            fn();
        m_callbacks.emplace_back(++m_lastCallbackId, std::move(fn));
        return m_lastCallbackId;
    }
    void removeCallback(int id)
    {
        std::lock_guard lock(m_callbackMutex);
        std::erase_if(m_callbacks, [id](const auto& c) { return c.first == id; });
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
    std::mutex m_callbackMutex; // held while callbacks run, so removeCallback() waits for a running one
    std::vector<std::pair<int, std::function<void()>>> m_callbacks;
    int m_lastCallbackId = 0;
};

} // namespace taskline
