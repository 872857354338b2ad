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
    for (size_t i = 0; i < busy.size() && i < m_prevBusy.size(); ++i) {
        const uint64_t dt = total[i] - m_prevTotal[i];
        out->coreBusy[i] = dt ? float(double(busy[i] - m_prevBusy[i]) / double(dt)) : 0.f;
    }
    m_prevBusy = std::move(busy);
    m_prevTotal = std::move(total);
    m_prevTime = now;
    m_prevCpu = cpu;
    return true;
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
