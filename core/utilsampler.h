#pragma once

#include "tracebatch.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace taskline {

// Per-core utilization from /proc/stat plus the run's own CPU time (this process, and extra sources such as
// worker processes). /proc/stat counts in USER_HZ ticks (10 ms), so short intervals are coarse; the timeline
// shows them as they are and summaries average over the run.
// Thread: one thread at a time (the collector).
class UtilSampler
{
public:
    explicit UtilSampler(int64_t runStartNs);

    // Extra CPU ns to add to this process's own (e.g. the CPU time of worker processes), read at each sample.
    void setExtraCpuSource(std::function<int64_t()> source) { m_extraCpu = std::move(source); }

    // Takes a sample covering the time since the previous one. Returns false if /proc/stat is unreadable.
    bool sample(UtilSample* out);
    int cores() const { return int(m_prevBusy.size()); }
    // Mean busy fraction per core from construction to the last sample: exact over long runs, where single
    // samples are quantized to /proc/stat's 10 ms ticks.
    std::vector<double> averageBusySinceStart() const;

    // Number of CPUs listed in /proc/stat (falls back to std::thread::hardware_concurrency()).
    static int coreCount();

private:
    bool read(std::vector<uint64_t>* busy, std::vector<uint64_t>* total) const;

    int64_t m_runStart;
    int64_t m_prevTime = 0; // monotonic ns
    int64_t m_prevCpu = 0; // ns
    std::vector<uint64_t> m_prevBusy, m_prevTotal; // ticks per core at the last sample that saw a tick
    std::vector<uint64_t> m_startBusy, m_startTotal, m_lastBusy, m_lastTotal;
    std::vector<float> m_lastFraction;
    std::function<int64_t()> m_extraCpu;
};

} // namespace taskline
