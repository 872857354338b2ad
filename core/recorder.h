#pragma once

#include "clock.h"
#include "eventbuffer.h"

#include <sched.h>

namespace taskline {

// A worker's handle for writing its events: stamps time (CLOCK_MONOTONIC, ns since run start) and CPU core,
// and measures the thread CPU time of every running slice. Cheap to copy; one per worker thread.
// Thread: the owning worker only, lock-free.
class Recorder
{
public:
    Recorder() = default;
    Recorder(EventBuffer* buffer, int worker, int64_t runStartNs)
        : m_buffer(buffer)
        , m_worker(int16_t(worker))
        , m_runStart(runStartNs)
    { }

    bool isValid() const { return m_buffer != nullptr; }
    int worker() const { return m_worker; }
    int64_t runStartNs() const { return m_runStart; }
    int64_t now() const { return monotonicNs() - m_runStart; }

    // The task enters `s` at step `step`. Leaving `running` attaches the thread CPU time of that slice, so that
    // the timeline can tell running on a core from runnable-but-preempted.
    void state(int task, TaskState s, int step) { stateOn(m_worker, task, s, step); }

    // Like state(), but the event places the task on `worker`: a pool thread that finished a task's offloaded
    // compute ends its own running slice and hands the task back to the event loop, where it is ready.
    void stateOn(int worker, int task, TaskState s, int step)
    {
        Event e = make(EventKind::State, task, step);
        e.worker = int16_t(worker);
        e.state = s;
        if (m_runningTask == task) {
            // This event ends the task's running slice (a Running event for it starts a new one, per step).
            const int64_t cpu = threadCpuNs();
            e.cpuNs = cpu - m_runningCpuStart;
            m_runningCpuStart = cpu;
            if (s != TaskState::Running)
                m_runningTask = -1;
        } else if (s == TaskState::Running) {
            // Executors record the outgoing task's change first, so nothing else is running on this thread.
            m_runningTask = task;
            m_runningCpuStart = threadCpuNs();
        }
        m_buffer->push(e);
    }

    // The GIL lane: this worker took (true) or dropped (false) the emulated GIL while running `task`.
    void gil(int task, bool acquired)
    {
        Event e = make(EventKind::Gil, task, acquired ? 1 : 0);
        m_buffer->push(e);
    }

    // A sampled counter (e.g. ready coroutines); `id` names the counter.
    void counter(int id, int value)
    {
        Event e = make(EventKind::Counter, id, value);
        m_buffer->push(e);
    }

    // The event-loop lane: `task` starts (true) or stops (false) occupying the loop.
    void loop(int task, bool occupied)
    {
        Event e = make(EventKind::Loop, task, occupied ? 1 : 0);
        m_buffer->push(e);
    }

    // An event stamped elsewhere (a worker process's stream); written as is.
    void raw(const Event& e) { m_buffer->push(e); }

private:
    Event make(EventKind kind, int task, int value) const
    {
        Event e {};
        e.timeNs = monotonicNs() - m_runStart;
        e.cpuNs = -1;
        e.task = task;
        e.value = value;
        e.worker = m_worker;
        e.core = int16_t(sched_getcpu());
        e.kind = kind;
        e.state = TaskState::Running;
        return e;
    }

    EventBuffer* m_buffer = nullptr;
    int16_t m_worker = -1;
    int64_t m_runStart = 0;
    int m_runningTask = -1; // the task whose running slice is open on this thread
    int64_t m_runningCpuStart = 0;
};

} // namespace taskline
