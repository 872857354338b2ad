#include "eventloop.h"

#include "clock.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

namespace taskline {

namespace {

// Descriptors reported per epoll_wait; more ready ones are picked up by the next iteration (level-triggered).
constexpr int kMaxEvents = 1024;

QString systemError(const char* what)
{
    return QStringLiteral("%1 failed: %2").arg(QLatin1String(what), QString::fromLocal8Bit(strerror(errno)));
}

} // namespace

EventLoop::EventLoop()
{
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    if (m_epoll < 0) {
        m_error = systemError("epoll_create1");
        return;
    }
    m_timerFd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (m_timerFd < 0) {
        m_error = systemError("timerfd_create");
        return;
    }
    m_wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_wakeFd < 0) {
        m_error = systemError("eventfd");
        return;
    }
    for (int fd : { m_timerFd, m_wakeFd }) {
        epoll_event ev {};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev) != 0) {
            m_error = systemError("epoll_ctl");
            close(m_wakeFd);
            m_wakeFd = -1;
            return;
        }
    }
}

EventLoop::~EventLoop()
{
    for (int fd : { m_wakeFd, m_timerFd, m_epoll })
        if (fd >= 0)
            close(fd);
}

EventLoop::TimerId EventLoop::callAt(int64_t deadlineNs, Callback fn)
{
    const TimerId id = ++m_nextTimer;
    m_timers.emplace(id, std::move(fn));
    m_heap.push_back({ deadlineNs, id });
    std::push_heap(m_heap.begin(), m_heap.end(), std::greater<> {});
    return id;
}

void EventLoop::cancelTimer(TimerId id)
{
    if (m_timers.erase(id) == 0)
        return;
    // Like asyncio, cancelled entries stay in the heap; rebuild it when they outnumber the live ones (libcurl
    // re-arms its timer on almost every call, mostly with far deadlines that would otherwise pile up).
    if (m_heap.size() > 2 * m_timers.size() + 256) {
        std::erase_if(m_heap, [this](const TimerEntry& e) { return !m_timers.contains(e.id); });
        std::make_heap(m_heap.begin(), m_heap.end(), std::greater<> {});
    }
}

bool EventLoop::watch(int fd, uint32_t epollEvents, IoCallback fn)
{
    epoll_event ev {};
    ev.events = epollEvents;
    ev.data.fd = fd;
    auto it = m_watches.find(fd);
    if (it != m_watches.end()) {
        if (epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev) != 0)
            return false;
        it->second = std::move(fn);
        return true;
    }
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev) != 0)
        return false;
    m_watches.emplace(fd, std::move(fn));
    return true;
}

void EventLoop::unwatch(int fd)
{
    if (m_watches.erase(fd) == 0)
        return;
    // Fails harmlessly (EBADF) when the owner closed the descriptor first: closing already removed it from epoll.
    epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::callSoonThreadsafe(Callback fn)
{
    {
        std::lock_guard lock(m_postMutex);
        m_posted.push_back(std::move(fn));
    }
    wakeup();
}

void EventLoop::wakeup()
{
    const uint64_t one = 1;
    // A full counter (never in practice) still leaves the descriptor readable, which is all a wake-up needs.
    [[maybe_unused]] const ssize_t n = write(m_wakeFd, &one, sizeof one);
}

void EventLoop::drain(int fd)
{
    uint64_t value;
    while (read(fd, &value, sizeof value) > 0) { }
}

void EventLoop::armTimer()
{
    // Drop cancelled entries from the top, so the timerfd never wakes the loop for nothing.
    while (!m_heap.empty() && !m_timers.contains(m_heap.front().id)) {
        std::pop_heap(m_heap.begin(), m_heap.end(), std::greater<> {});
        m_heap.pop_back();
    }
    // 0 would disarm the timerfd: a deadline in the distant past (time 0) is clamped to 1 ns, which fires at once.
    const int64_t next = m_heap.empty() ? 0 : std::max<int64_t>(1, m_heap.front().when);
    if (next == m_armedNs)
        return;
    itimerspec spec {};
    spec.it_value.tv_sec = time_t(next / 1'000'000'000);
    spec.it_value.tv_nsec = long(next % 1'000'000'000);
    timerfd_settime(m_timerFd, TFD_TIMER_ABSTIME, &spec, nullptr);
    m_armedNs = next;
}

void EventLoop::runDueTimers()
{
    // Collect first: a timer callback may add timers (libcurl asks for "0 ms" ones), which run next iteration.
    const int64_t now = monotonicNs();
    std::vector<Callback> due;
    while (!m_heap.empty() && m_heap.front().when <= now) {
        const TimerId id = m_heap.front().id;
        std::pop_heap(m_heap.begin(), m_heap.end(), std::greater<> {});
        m_heap.pop_back();
        auto it = m_timers.find(id);
        if (it == m_timers.end())
            continue; // cancelled
        due.push_back(std::move(it->second));
        m_timers.erase(it);
    }
    for (Callback& fn : due)
        fn();
}

void EventLoop::runOnce(Driver& driver)
{
    // asyncio: timeout = 0 when a callback is ready, else until the next timer (the timerfd), else forever.
    const bool blocking = m_ready.empty();
    driver.beforeWait(blocking);
    armTimer();
    epoll_event events[kMaxEvents];
    int n = epoll_wait(m_epoll, events, kMaxEvents, blocking ? -1 : 0);
    if (n < 0)
        n = 0; // EINTR: a signal; the next iteration waits again
    driver.afterWait();

    // I/O callbacks. A callback may unwatch another descriptor reported in the same batch (libcurl closing a
    // connection): look each one up at dispatch time, so a dropped watch is skipped.
    m_eventFds.clear();
    m_eventMasks.clear();
    for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == m_wakeFd || fd == m_timerFd) {
            drain(fd);
            if (fd == m_timerFd)
                m_armedNs = 0; // fired: re-arm for whatever is next
            continue;
        }
        m_eventFds.push_back(fd);
        m_eventMasks.push_back(events[i].events);
    }
    for (size_t i = 0; i < m_eventFds.size(); ++i) {
        auto it = m_watches.find(m_eventFds[i]);
        if (it == m_watches.end())
            continue;
        IoCallback fn = it->second; // the callback may replace or drop its own watch
        fn(m_eventFds[i], m_eventMasks[i]);
    }

    std::vector<Callback> posted;
    {
        std::lock_guard lock(m_postMutex);
        posted.swap(m_posted);
    }
    for (Callback& fn : posted)
        fn();

    runDueTimers();

    // Only what is ready now runs in this iteration (asyncio's ntodo): a coroutine scheduled by one that runs now
    // waits for the next iteration, after the loop has looked at I/O again.
    const size_t ntodo = m_ready.size();
    for (size_t i = 0; i < ntodo; ++i) {
        const Ready r = m_ready.front();
        m_ready.pop_front();
        driver.resume(r);
    }
}

} // namespace taskline
