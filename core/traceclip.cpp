#include "traceclip.h"

#include <algorithm>

namespace taskline {

void TraceClip::setSource(const TraceStore* full)
{
    m_full = full;
    m_position = 0;
    rebuild();
}

void TraceClip::rebuild()
{
    std::vector<TaskInstance> tasks;
    if (m_full) {
        tasks.resize(size_t(m_full->taskCount()));
        for (int t = 0; t < m_full->taskCount(); ++t) {
            tasks[size_t(t)].id = t;
            tasks[size_t(t)].name = m_full->taskName(t);
        }
    }
    m_store.reset(tasks);
    m_nextEvent = 0;
    m_nextSample = 0;
    if (!m_full)
        return;
    // Every worker from the start: a replay's lanes stay where they are while the play head moves (a live run
    // adds a worker's lane when it first reports).
    TraceBatch first;
    first.workers = m_full->workers();
    first.droppedTotal = m_full->droppedEvents(); // a property of the recording, shown from the start
    m_store.append(first);
    const int64_t target = m_position;
    m_position = 0;
    seek(target);
}

void TraceClip::seek(int64_t ns)
{
    if (!m_full)
        return;
    ns = std::clamp<int64_t>(ns, 0, m_full->endNs());
    if (ns < m_position) {
        m_position = ns;
        rebuild();
        return;
    }
    m_position = ns;
    const std::vector<Event>& events = m_full->events();
    const std::vector<UtilSample>& samples = m_full->utilization();
    TraceBatch batch;
    const auto lastEvent = std::upper_bound(events.begin() + std::ptrdiff_t(m_nextEvent), events.end(), ns,
        [](int64_t t, const Event& e) { return t < e.timeNs; });
    batch.events.assign(events.begin() + std::ptrdiff_t(m_nextEvent), lastEvent);
    m_nextEvent = size_t(lastEvent - events.begin());
    // A sample covers the interval before its time: it is complete only once the play head has passed its end.
    while (m_nextSample < samples.size() && samples[m_nextSample].timeNs <= ns)
        batch.samples.push_back(samples[m_nextSample++]);
    batch.droppedTotal = m_full->droppedEvents();
    batch.timeNs = ns;
    if (!batch.events.empty() || !batch.samples.empty())
        m_store.append(batch);
    m_store.advanceTo(ns);
}

} // namespace taskline
