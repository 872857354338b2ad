#pragma once

#include <QString>
#include <coroutine>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace taskline {

// A single-threaded event loop in the shape of asyncio's BaseEventLoop on Linux (selectors.EpollSelector):
// a FIFO of ready coroutines (call_soon), a heap of timers (call_at), file descriptors watched with epoll, and a
// thread-safe queue (call_soon_threadsafe) whose eventfd wakes the loop. Each runOnce() is one `_run_once`: wait for
// I/O (not at all when a coroutine is ready, else until the next timer), run the I/O and timer callbacks, then resume
// the coroutines that were ready at that point, one after another. Whatever they schedule runs next iteration.
//
// Why epoll, timerfd and eventfd rather than Qt's event dispatcher:
// - Cost per iteration: Qt 6.4's UNIX dispatcher poll()s every registered socket notifier on every iteration
//   (profiling the lab server put two thirds of its CPU there); epoll_wait costs only what is ready, which is what
//   lets a thousand transfers and ten thousand sleeping coroutines stay cheap.
// - Timers: a timerfd armed at the heap's earliest deadline fires with nanosecond resolution; QTimer rounds to
//   milliseconds and needs a QObject (and a registration in the dispatcher's timer list) per timer.
// - libcurl's socket interface (CURLMOPT_SOCKETFUNCTION) maps one to one onto epoll_ctl; Qt would need a
//   QSocketNotifier object per socket and direction, created and deleted as libcurl changes its mind.
// - The loop runs on the thread that calls the executor, which has no QCoreApplication event loop of its own (the
//   command line, tests and the GUI's run thread), and "one coroutine holds the loop" must be literally true: no
//   Qt event processing may run in between.
// Thread: the loop's thread only, unless a function says otherwise.
class EventLoop
{
public:
    using Callback = std::function<void()>;
    using IoCallback = std::function<void(int fd, uint32_t epollEvents)>;
    using TimerId = uint64_t; // 0 is never a valid id

    // A coroutine scheduled to run, and the task it belongs to.
    struct Ready
    {
        std::coroutine_handle<> handle;
        int task;
    };

    // What the loop hands control to: it resumes coroutines (recording who runs) and learns when the loop waits
    // for I/O (around which CPython's select() releases and re-acquires the GIL).
    class Driver
    {
    public:
        virtual ~Driver() = default;
        // The loop is about to wait for I/O; `blocking`: it may sleep (nothing is ready).
        virtual void beforeWait(bool blocking) = 0;
        // The wait is over; I/O, timer and thread-safe callbacks run next, then the ready coroutines.
        virtual void afterWait() = 0;
        virtual void resume(const Ready& ready) = 0;
    };

    EventLoop();
    ~EventLoop(); // closes the epoll, timer and wake-up descriptors
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // False when a descriptor could not be created; error() says which and why.
    bool isValid() const { return m_epoll >= 0 && m_timerFd >= 0 && m_wakeFd >= 0; }
    const QString& error() const { return m_error; }

    // asyncio's call_soon: FIFO.
    void callSoon(std::coroutine_handle<> handle, int task) { m_ready.push_back({ handle, task }); }
    size_t readyCount() const { return m_ready.size(); }
    // asyncio's call_at: `fn` runs in the first iteration at or after `deadlineNs` (CLOCK_MONOTONIC, monotonicNs()).
    TimerId callAt(int64_t deadlineNs, Callback fn);
    // A timer that has not fired yet is dropped; an unknown or fired id is ignored.
    void cancelTimer(TimerId id);
    // Watches `fd` for `epollEvents` (EPOLLIN, EPOLLOUT), replacing an earlier watch of it. Returns false (errno
    // set) if epoll refuses the descriptor.
    bool watch(int fd, uint32_t epollEvents, IoCallback fn);
    void unwatch(int fd);
    size_t watchedCount() const { return m_watches.size(); }

    // Thread: any. asyncio's call_soon_threadsafe: `fn` runs on the loop thread in its next iteration.
    void callSoonThreadsafe(Callback fn);
    // Thread: any, async-signal-safe. Ends a blocking wait at once (a stop request, new work from another thread).
    void wakeup();

    // One iteration of asyncio's _run_once (see above).
    void runOnce(Driver& driver);

private:
    struct TimerEntry
    {
        int64_t when;
        TimerId id;
        bool operator>(const TimerEntry& o) const { return when != o.when ? when > o.when : id > o.id; }
    };

    void armTimer();
    void runDueTimers();
    void drain(int fd);

    int m_epoll = -1;
    int m_timerFd = -1; // CLOCK_MONOTONIC, armed at the earliest live deadline
    int m_wakeFd = -1; // eventfd written by wakeup()
    QString m_error;

    std::deque<Ready> m_ready;
    std::vector<TimerEntry> m_heap; // min-heap by (when, id); cancelled entries stay until they surface
    std::unordered_map<TimerId, Callback> m_timers; // live timers
    TimerId m_nextTimer = 0;
    int64_t m_armedNs = 0; // deadline the timerfd is armed for, 0 = disarmed
    std::unordered_map<int, IoCallback> m_watches;
    std::vector<int> m_eventFds; // scratch: the descriptors epoll reported in this iteration
    std::vector<uint32_t> m_eventMasks;

    std::mutex m_postMutex;
    std::vector<Callback> m_posted; // guarded by m_postMutex
};

} // namespace taskline
