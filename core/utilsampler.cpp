#include "utilsampler.h"

#include "clock.h"

#include <cstdio>
#include <cstring>
#include <thread>

namespace taskline {

UtilSampler::UtilSampler(int64_t runStartNs)
    : m_runStart(runStartNs)
{
    read(&m_prevBusy, &m_prevTotal);
    m_startBusy = m_prevBusy;
    m_startTotal = m_prevTotal;
    m_lastBusy = m_prevBusy;
    m_lastTotal = m_prevTotal;
    m_lastFraction.assign(m_prevBusy.size(), 0.f);
    m_prevTime = monotonicNs();
    m_prevCpu = processCpuNs();
}

bool UtilSampler::read(std::vector<uint64_t>* busy, std::vector<uint64_t>* total) const
{
    FILE* f = std::fopen("/proc/stat", "re");
    if (!f)
        return false;
    busy->clear();
    total->clear();
    char line[512];
    while (std::fgets(line, sizeof line, f)) {
        // "cpuN user nice system idle iowait irq softirq steal guest guest_nice"; the aggregate "cpu " is skipped.
        if (std::strncmp(line, "cpu", 3) != 0 || line[3] < '0' || line[3] > '9')
            continue;
        unsigned long long v[8] = {};
        int cpu = 0;
        const int n = std::sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0], &v[1], &v[2],
            &v[3], &v[4], &v[5], &v[6], &v[7]);
        if (n < 5)
            continue;
        const uint64_t idle = v[3] + v[4]; // idle + iowait
        uint64_t sum = 0;
        for (unsigned long long x : v)
            sum += x;
        busy->push_back(sum - idle);
        total->push_back(sum);
    }
    std::fclose(f);
    return !busy->empty();
}

bool UtilSampler::sample(UtilSample* out)
{
    std::vector<uint64_t> busy, total;
    if (!read(&busy, &total))
        return false;
    const int64_t now = monotonicNs();
    const int64_t cpu = processCpuNs() + (m_extraCpu ? m_extraCpu() : 0);
    out->timeNs = now - m_runStart;
    out->intervalNs = now - m_prevTime;
    out->processCores = out->intervalNs > 0 ? float(double(cpu - m_prevCpu) / double(out->intervalNs)) : 0.f;
    out->coreBusy.assign(busy.size(), 0.f);
    m_lastFraction.resize(busy.size(), 0.f);
    m_prevBusy.resize(busy.size(), 0);
    m_prevTotal.resize(busy.size(), 0);
    for (size_t i = 0; i < busy.size(); ++i) {
        const uint64_t dt = total[i] - m_prevTotal[i];
        if (dt == 0) {
            // /proc/stat counts 10 ms ticks: a 10 ms interval may see none. Show the last value and let the next
            // sample cover both intervals, rather than report an idle core that was not measured.
            out->coreBusy[i] = m_lastFraction[i];
            continue;
        }
        out->coreBusy[i] = m_lastFraction[i] = float(double(busy[i] - m_prevBusy[i]) / double(dt));
        m_prevBusy[i] = busy[i];
        m_prevTotal[i] = total[i];
    }
    m_lastBusy = std::move(busy);
    m_lastTotal = std::move(total);
    m_prevTime = now;
    m_prevCpu = cpu;
    return true;
}

std::vector<double> UtilSampler::averageBusySinceStart() const
{
    std::vector<double> out(m_lastBusy.size(), 0.0);
    for (size_t i = 0; i < out.size() && i < m_startBusy.size(); ++i) {
        const uint64_t dt = m_lastTotal[i] - m_startTotal[i];
        out[i] = dt ? double(m_lastBusy[i] - m_startBusy[i]) / double(dt) : 0.0;
    }
    return out;
}

int UtilSampler::coreCount()
{
    static const int n = [] {
        UtilSampler s(0);
        return s.cores() > 0 ? s.cores() : int(std::max(1u, std::thread::hardware_concurrency()));
    }();
    return n;
}

} // namespace taskline
