#pragma once

#include "mix.h"
#include "tracebatch.h"

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <vector>

namespace taskline {

// One stretch of time a task spent in one state, on one worker.
struct Span
{
    int64_t startNs; // ns since run start
    int64_t endNs; // TraceStore::kOpen while the task is still in this state
    int64_t cpuNs; // running spans: thread CPU ns the OS gave it (< duration: runnable but preempted); else -1
    int32_t task;
    int16_t worker; // -1: not on a worker (queued in the executor)
    int16_t core; // core when the span began, -1 unknown
    int16_t step; // step index, -1 before the first step
    TaskState state;
};
static_assert(std::is_trivially_copyable_v<Span>);

// Who held the emulated GIL, and when.
struct GilSpan
{
    int64_t startNs;
    int64_t endNs;
    int32_t task;
    int16_t worker;
};

// Which coroutine occupied the event loop, and when (coroutines mode), from the loop worker's Loop events: from the
// moment the loop resumed it until it gave the loop back at an await or ended (or the loop's next Loop event). It
// covers everything the coroutine did meanwhile: running, and blocked_io in a blocking fetch.
struct LoopSpan
{
    int64_t startNs;
    int64_t endNs; // TraceStore::kOpen while open
    int32_t task;
    int16_t worker;
};

struct CounterPoint
{
    int64_t timeNs;
    int32_t value;
};

// The events of one run and what views need from them: spans per task and per worker, the GIL lane, counters
// and utilization. Grows batch by batch while the run goes on. Not thread-safe: one owner (the GUI thread, or
// the command line after the run) appends and reads.
class TraceStore
{
public:
    static constexpr int64_t kOpen = std::numeric_limits<int64_t>::max();

    void reset(const std::vector<TaskInstance>& tasks);
    void append(const TraceBatch& batch);
    // The run ended at `endNs`: spans still open (a stopped run) end there.
    void finish(int64_t endNs);

    int taskCount() const { return int(m_taskNames.size()); }
    const QString& taskName(int task) const { return m_taskNames[size_t(task)]; }
    const std::vector<WorkerInfo>& workers() const { return m_workers; }

    const std::vector<Event>& events() const { return m_events; }
    const std::vector<Span>& spans() const { return m_spans; }
    // Indices into spans(), sorted by start. A worker's list holds the spans of the tasks that ran on it.
    const std::vector<uint32_t>& taskSpans(int task) const { return m_taskSpans[size_t(task)]; }
    const std::vector<uint32_t>& workerSpans(int worker) const;
    const std::vector<GilSpan>& gilSpans() const { return m_gil; }
    // Sorted by start; never overlapping on one loop worker.
    const std::vector<LoopSpan>& loopSpans() const { return m_loop; }
    const std::map<int, std::vector<CounterPoint>>& counters() const { return m_counters; }
    const std::vector<UtilSample>& utilization() const { return m_util; }

    // Terminal state of a task (Done, Failed) or its current state; Queued before any event.
    TaskState taskState(int task) const { return m_taskState[size_t(task)]; }
    int64_t taskStartNs(int task) const { return m_taskStart[size_t(task)]; } // first running, -1 if never
    int64_t taskEndNs(int task) const { return m_taskEnd[size_t(task)]; } // done/failed time, -1 if not yet
    int taskWorker(int task) const { return m_taskWorker[size_t(task)]; } // first worker it ran on, -1 if none
    int tasksFinished() const { return m_finished; }

    int64_t lastEventNs() const { return m_lastNs; }
    int64_t endNs() const { return m_endNs > 0 ? m_endNs : m_lastNs; } // the run's end once finished
    bool isFinished() const { return m_endNs > 0; }
    uint64_t droppedEvents() const { return m_dropped; }
    // Changes whenever spans are derived afresh (reset, or a late event reordered the trace): indices into
    // spans() taken before are stale. Views that cache per-span data check it.
    uint64_t generation() const { return m_generation; }
    uint64_t eventCount() const { return m_events.size(); }
    int cores() const { return m_cores; }

    // Time in each timed state, summed over a task's spans (open spans count up to endNs()).
    std::array<int64_t, kTimedStateCount> taskStateNs(int task) const;

private:
    void apply(const Event& e);
    void rebuild();

    std::vector<QString> m_taskNames;
    std::vector<WorkerInfo> m_workers;
    std::vector<Event> m_events;
    std::vector<Span> m_spans;
    std::vector<std::vector<uint32_t>> m_taskSpans;
    std::vector<std::vector<uint32_t>> m_workerSpans;
    std::vector<int32_t> m_openSpan; // per task: index of its open span, -1
    std::vector<TaskState> m_taskState;
    std::vector<int64_t> m_taskStart, m_taskEnd;
    std::vector<int> m_taskWorker;
    std::vector<GilSpan> m_gil;
    std::vector<int32_t> m_gilOpen; // per worker: index of its open GIL span
    std::vector<LoopSpan> m_loop;
    std::vector<int32_t> m_loopOpen; // per worker: index of its open loop span
    std::map<int, std::vector<CounterPoint>> m_counters;
    std::vector<UtilSample> m_util;
    int m_finished = 0;
    int64_t m_lastNs = 0;
    int64_t m_endNs = 0;
    uint64_t m_dropped = 0;
    int m_cores = 0;
    uint64_t m_generation = 0;
};

} // namespace taskline
