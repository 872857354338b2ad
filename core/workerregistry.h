#pragma once

#include "eventbuffer.h"
#include "recorder.h"
#include "tracebatch.h"

#include <memory>
#include <mutex>
#include <vector>

namespace taskline {

// The workers of one run and their event buffers. Workers register once (under a mutex); afterwards they
// write to their own buffer without locks. Buffers live until the registry dies, so the collector can drain
// a worker that has already finished.
class WorkerRegistry
{
public:
    WorkerRegistry(int64_t runStartNs, size_t dispatcherCapacity);

    // Thread: any. Registers a worker (ids are dense, in registration order) and returns its recorder.
    Recorder addWorker(
        const QString& name, WorkerKind kind, int64_t pid = 0, size_t capacity = EventBuffer::kDefaultCapacity / 4);
    // Thread: the executor's dispatching thread. Events about tasks not (yet) on a worker: worker id -1.
    Recorder dispatcher() const { return m_dispatcher; }
    // Thread: any. Sets a registered worker's pid once it is known (worker processes).
    void setWorkerPid(int worker, int64_t pid);

    // Thread: the collector. Appends every published event of every buffer.
    void drainAll(std::vector<Event>& out);
    // Thread: any.
    std::vector<WorkerInfo> workers() const;
    uint64_t dropped() const;
    int64_t runStartNs() const { return m_runStart; }

private:
    const int64_t m_runStart;
    mutable std::mutex m_mutex;
    std::vector<WorkerInfo> m_workers;
    std::vector<std::unique_ptr<EventBuffer>> m_buffers; // [0] is the dispatcher's
    Recorder m_dispatcher;
};

} // namespace taskline
