#include "tracestore.h"

#include <algorithm>

namespace taskline {

namespace {
const std::vector<uint32_t> kNoSpans;
}

void TraceStore::reset(const std::vector<TaskInstance>& tasks)
{
    const uint64_t generation = m_generation;
    *this = TraceStore();
    m_generation = generation + 1;
    m_taskNames.reserve(tasks.size());
    for (const TaskInstance& t : tasks)
        m_taskNames.push_back(t.name);
    const size_t n = tasks.size();
    m_taskSpans.assign(n, {});
    m_openSpan.assign(n, -1);
    m_taskState.assign(n, TaskState::Queued);
    m_taskStart.assign(n, -1);
    m_taskEnd.assign(n, -1);
    m_taskWorker.assign(n, -1);
}

const std::vector<uint32_t>& TraceStore::workerSpans(int worker) const
{
    return worker >= 0 && size_t(worker) < m_workerSpans.size() ? m_workerSpans[size_t(worker)] : kNoSpans;
}

void TraceStore::append(const TraceBatch& batch)
{
    if (batch.workers.size() > m_workers.size()) {
        m_workers = batch.workers;
        m_workerSpans.resize(m_workers.size());
        m_gilOpen.resize(m_workers.size(), -1);
        m_loopOpen.resize(m_workers.size(), -1);
    }
    m_dropped = std::max(m_dropped, batch.droppedTotal);
    for (const UtilSample& s : batch.samples) {
        m_util.push_back(s);
        m_cores = std::max(m_cores, int(s.coreBusy.size()));
    }
    bool outOfOrder = false;
    for (const Event& e : batch.events) {
        if (e.timeNs >= m_lastNs || m_events.empty()) {
            m_events.push_back(e);
            m_lastNs = e.timeNs;
            if (!outOfOrder)
                apply(e);
        } else {
            // Rare (a worker published an event more than the collector's hold-back late): keep the event list
            // ordered and derive everything again.
            auto at = std::upper_bound(
                m_events.begin(), m_events.end(), e.timeNs, [](int64_t t, const Event& x) { return t < x.timeNs; });
            m_events.insert(at, e);
            outOfOrder = true;
        }
    }
    if (outOfOrder)
        rebuild();
}

void TraceStore::rebuild()
{
    const std::vector<Event> events = std::move(m_events);
    const std::vector<UtilSample> util = std::move(m_util);
    const std::vector<WorkerInfo> workers = m_workers;
    const uint64_t dropped = m_dropped;
    const int64_t endNs = m_endNs;
    const int cores = m_cores;
    std::vector<TaskInstance> tasks(m_taskNames.size());
    for (size_t i = 0; i < tasks.size(); ++i)
        tasks[i].name = m_taskNames[i];
    reset(tasks);
    m_workers = workers;
    m_workerSpans.resize(m_workers.size());
    m_gilOpen.resize(m_workers.size(), -1);
    m_loopOpen.resize(m_workers.size(), -1);
    m_util = util;
    m_dropped = dropped;
    m_cores = cores;
    m_events = events;
    for (const Event& e : m_events)
        apply(e);
    if (!m_events.empty())
        m_lastNs = m_events.back().timeNs;
    if (endNs > 0)
        finish(endNs);
}

void TraceStore::apply(const Event& e)
{
    const size_t w = e.worker >= 0 ? size_t(e.worker) : SIZE_MAX;
    if (w != SIZE_MAX && w >= m_workerSpans.size()) {
        m_workerSpans.resize(w + 1);
        m_gilOpen.resize(w + 1, -1);
        m_loopOpen.resize(w + 1, -1);
    }
    switch (e.kind) {
    case EventKind::State: {
        if (e.task < 0 || size_t(e.task) >= m_taskNames.size())
            return;
        const size_t t = size_t(e.task);
        if (m_openSpan[t] >= 0) {
            Span& open = m_spans[size_t(m_openSpan[t])];
            open.endNs = e.timeNs;
            if (open.state == TaskState::Running && e.cpuNs >= 0)
                open.cpuNs = e.cpuNs;
            m_openSpan[t] = -1;
        }
        if (m_taskState[t] == TaskState::Done || m_taskState[t] == TaskState::Failed)
            --m_finished; // a task ended twice would be an executor bug; keep the count honest anyway
        m_taskState[t] = e.state;
        if (e.state == TaskState::Done || e.state == TaskState::Failed) {
            m_taskEnd[t] = e.timeNs;
            ++m_finished;
            return;
        }
        if (e.state == TaskState::Running && m_taskStart[t] < 0)
            m_taskStart[t] = e.timeNs;
        if (e.worker >= 0 && m_taskWorker[t] < 0 && e.state != TaskState::Queued)
            m_taskWorker[t] = e.worker;
        Span s {};
        s.startNs = e.timeNs;
        s.endNs = kOpen;
        s.cpuNs = -1;
        s.task = e.task;
        s.worker = e.worker;
        s.core = e.core;
        s.step = int16_t(std::clamp(e.value, -1, int(INT16_MAX)));
        s.state = e.state;
        const uint32_t index = uint32_t(m_spans.size());
        m_spans.push_back(s);
        m_openSpan[t] = int32_t(index);
        m_taskSpans[t].push_back(index);
        if (w != SIZE_MAX)
            m_workerSpans[w].push_back(index);
        return;
    }
    case EventKind::Gil: {
        if (w == SIZE_MAX)
            return;
        if (e.value) {
            m_gilOpen[w] = int32_t(m_gil.size());
            m_gil.push_back({ e.timeNs, kOpen, e.task, e.worker });
        } else if (m_gilOpen[w] >= 0) {
            m_gil[size_t(m_gilOpen[w])].endNs = e.timeNs;
            m_gilOpen[w] = -1;
        }
        return;
    }
    case EventKind::Counter:
        m_counters[e.task].push_back({ e.timeNs, e.value });
        return;
    case EventKind::Loop: {
        if (w == SIZE_MAX)
            return;
        if (m_loopOpen[w] >= 0) {
            m_loop[size_t(m_loopOpen[w])].endNs = e.timeNs;
            m_loopOpen[w] = -1;
        }
        if (e.value) {
            m_loopOpen[w] = int32_t(m_loop.size());
            m_loop.push_back({ e.timeNs, kOpen, e.task, e.worker });
        }
        return;
    }
    }
}

void TraceStore::finish(int64_t endNs)
{
    m_endNs = std::max(endNs, m_lastNs);
    for (int32_t& open : m_openSpan) {
        if (open >= 0) {
            m_spans[size_t(open)].endNs = m_endNs;
            open = -1;
        }
    }
    for (int32_t& open : m_gilOpen) {
        if (open >= 0) {
            m_gil[size_t(open)].endNs = m_endNs;
            open = -1;
        }
    }
    for (int32_t& open : m_loopOpen) {
        if (open >= 0) {
            m_loop[size_t(open)].endNs = m_endNs;
            open = -1;
        }
    }
}

std::array<int64_t, kTimedStateCount> TraceStore::taskStateNs(int task) const
{
    std::array<int64_t, kTimedStateCount> out {};
    const int64_t end = endNs();
    for (uint32_t i : m_taskSpans[size_t(task)]) {
        const Span& s = m_spans[i];
        if (int(s.state) < kTimedStateCount)
            out[size_t(s.state)] += (s.endNs == kOpen ? end : s.endNs) - s.startNs;
    }
    return out;
}

} // namespace taskline
