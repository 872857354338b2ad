#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

namespace taskline {

// CPU time of a run's worker processes, for the summary's cpu_ms and the utilization lane's process cores.
// Live workers are read from /proc/PID/stat (utime + stime, in clock ticks: 10 ms steps, fine for sampling);
// a worker that has exited counts with the exact figure from its rusage (wait4), so the total at the end of a
// run, when every worker has been reaped, is exact.
// Thread: any (the pool adds and retires workers, the collector and the run read the total).
class WorkerCpuMeter
{
public:
    void addLive(int64_t pid);
    // The worker has exited and was reaped: its final CPU time replaces the /proc reading.
    void exited(int64_t pid, int64_t cpuNs);
    int64_t totalNs() const;

    // user + system CPU ns of a live process from /proc/PID/stat; -1 if it is gone.
    static int64_t procCpuNs(int64_t pid);

private:
    mutable std::mutex m_mutex;
    std::vector<int64_t> m_live;
    int64_t m_exitedNs = 0;
};

} // namespace taskline
