#include "workerregistry.h"

namespace taskline {

WorkerRegistry::WorkerRegistry(int64_t runStartNs, size_t dispatcherCapacity)
    : m_runStart(runStartNs)
{
    m_buffers.push_back(std::make_unique<EventBuffer>(dispatcherCapacity));
    m_dispatcher = Recorder(m_buffers.front().get(), -1, runStartNs);
}

Recorder WorkerRegistry::addWorker(const QString& name, WorkerKind kind, int64_t pid, size_t capacity)
{
    std::lock_guard lock(m_mutex);
    WorkerInfo info;
    info.id = int(m_workers.size());
    info.name = name;
    info.kind = kind;
    info.pid = pid;
    m_workers.push_back(info);
    m_buffers.push_back(std::make_unique<EventBuffer>(capacity));
    return Recorder(m_buffers.back().get(), info.id, m_runStart);
}

void WorkerRegistry::setWorkerPid(int worker, int64_t pid)
{
    std::lock_guard lock(m_mutex);
    if (worker >= 0 && worker < int(m_workers.size()))
        m_workers[size_t(worker)].pid = pid;
}

void WorkerRegistry::drainAll(std::vector<Event>& out)
{
    std::vector<EventBuffer*> buffers;
    {
        std::lock_guard lock(m_mutex);
        buffers.reserve(m_buffers.size());
        for (auto& b : m_buffers)
            buffers.push_back(b.get());
    }
    for (EventBuffer* b : buffers)
        b->drainTo(out);
}

std::vector<WorkerInfo> WorkerRegistry::workers() const
{
    std::lock_guard lock(m_mutex);
    return m_workers;
}

uint64_t WorkerRegistry::dropped() const
{
    std::lock_guard lock(m_mutex);
    uint64_t n = 0;
    for (auto& b : m_buffers)
        n += b->dropped();
    return n;
}

} // namespace taskline
