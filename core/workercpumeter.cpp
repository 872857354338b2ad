#include "workercpumeter.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace taskline {

void WorkerCpuMeter::addLive(int64_t pid)
{
    std::lock_guard lock(m_mutex);
    m_live.push_back(pid);
}

void WorkerCpuMeter::exited(int64_t pid, int64_t cpuNs)
{
    std::lock_guard lock(m_mutex);
    auto it = std::find(m_live.begin(), m_live.end(), pid);
    if (it != m_live.end())
        m_live.erase(it);
    m_exitedNs += std::max<int64_t>(0, cpuNs);
}

int64_t WorkerCpuMeter::totalNs() const
{
    std::lock_guard lock(m_mutex);
    int64_t total = m_exitedNs;
    for (int64_t pid : m_live)
        total += std::max<int64_t>(0, procCpuNs(pid));
    return total;
}

int64_t WorkerCpuMeter::procCpuNs(int64_t pid)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%lld/stat", static_cast<long long>(pid));
    FILE* f = std::fopen(path, "re");
    if (!f)
        return -1;
    char buf[1024];
    const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = 0;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields are counted after the last ')'.
    const char* p = std::strrchr(buf, ')');
    if (!p)
        return -1;
    unsigned long long utime = 0, stime = 0;
    // After ") ": state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15)
    if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return -1;
    static const long ticks = sysconf(_SC_CLK_TCK);
    return int64_t((utime + stime) * (1'000'000'000ull / uint64_t(ticks > 0 ? ticks : 100)));
}

} // namespace taskline
