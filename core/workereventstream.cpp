#include "workereventstream.h"

#include "workerprocess.h"

#include <poll.h>
#include <pthread.h>
#include <unistd.h>

namespace taskline {

WorkerEventStream::WorkerEventStream(int fd, EventBuffer* buffer)
    : m_fd(fd)
    , m_buffer(buffer)
{
    m_thread = std::thread([this] {
        pthread_setname_np(pthread_self(), "tl-events");
        loop();
    });
}

WorkerEventStream::~WorkerEventStream()
{
    {
        std::lock_guard lock(m_mutex);
        m_quit = true;
    }
    m_cond.notify_all();
    m_thread.join();
}

void WorkerEventStream::begin(int taskId)
{
    {
        std::lock_guard write(m_writeMutex);
        m_taskId = taskId;
    }
    {
        std::lock_guard lock(m_mutex);
        m_active = true;
    }
    m_cond.notify_all();
}

bool WorkerEventStream::finish(const wire::OutFrame& result, QString* error)
{
    {
        std::lock_guard lock(m_mutex);
        m_active = false;
    }
    std::lock_guard write(m_writeMutex);
    // The events first, so that the app has the whole story of the task before its result.
    return flushLocked(error) && wire::sendFrame(m_fd, result, error);
}

bool WorkerEventStream::send(const wire::OutFrame& frame, QString* error)
{
    std::lock_guard write(m_writeMutex);
    return wire::sendFrame(m_fd, frame, error);
}

bool WorkerEventStream::flushLocked(QString* error)
{
    m_scratch.clear();
    m_buffer->drainTo(m_scratch);
    if (m_scratch.empty())
        return true;
    for (Event& e : m_scratch) {
        if (e.kind != EventKind::State && e.kind != EventKind::Gil)
            continue;
        e.task = m_taskId;
        if (e.kind == EventKind::State && (e.state == TaskState::Done || e.state == TaskState::Failed))
            e.state = TaskState::Serializing;
    }
    return wire::sendFrame(m_fd, wire::encodeEvents(m_scratch.data(), m_scratch.size()), error);
}

bool WorkerEventStream::appWentAway() const
{
    pollfd p { m_fd, POLLRDHUP, 0 };
    return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

void WorkerEventStream::loop()
{
    int ticks = 0;
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_cond.wait(lock, [this] { return m_active || m_quit; });
        if (m_quit)
            return;
        m_cond.wait_for(lock, std::chrono::milliseconds(kPeriodMs), [this] { return !m_active || m_quit; });
        if (!m_active || m_quit)
            continue;
        lock.unlock();
        bool ok;
        {
            std::lock_guard write(m_writeMutex);
            ok = flushLocked(nullptr);
        }
        // A hang-up check costs a syscall: every 25 periods (50 ms) is prompt enough for an orphan.
        if (!ok || (++ticks % 25 == 0 && appWentAway()))
            ::_exit(WorkerProcess::kExitOrphaned);
        lock.lock();
    }
}

} // namespace taskline
