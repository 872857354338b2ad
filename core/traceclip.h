#pragma once

#include "tracestore.h"

#include <cstdint>

namespace taskline {

// A finished run's trace as it stood at one moment (a replay's play head): a TraceStore holding the events up to
// that moment, whose spans still open then reach it, and the utilization samples complete by then. What a live
// view showed at that moment, rebuilt from the saved events; the full store is only read, never changed.
//
// Moving forward appends just the events in between (as a live run does, batch by batch); moving back rebuilds
// from the start, which costs one pass over the events before the new position.
// Thread: one thread at a time (the GUI thread); the source must outlive this object or be replaced first.
class TraceClip
{
public:
    // The run to clip (nullptr: none); starts at 0.
    void setSource(const TraceStore* full);
    const TraceStore* source() const { return m_full; }

    // Moves to `ns` (ns since run start; clamped to [0, the run's end]).
    void seek(int64_t ns);
    int64_t position() const { return m_position; }
    // The run up to position(): events with timeNs <= position(), samples that ended by then.
    const TraceStore& store() const { return m_store; }

private:
    void rebuild();

    const TraceStore* m_full = nullptr;
    TraceStore m_store;
    int64_t m_position = 0;
    size_t m_nextEvent = 0; // index into the full store's events: the first not yet in m_store
    size_t m_nextSample = 0;
};

} // namespace taskline
