#pragma once

#include <cstdint>
#include <ctime>

namespace taskline {

// CLOCK_MONOTONIC is shared by every process on the machine, so worker processes can stamp their own
// events and the collector subtracts the same run start.
// Thread: any.
inline int64_t monotonicNs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// CPU time consumed by the calling thread: tells running-on-a-core apart from runnable-but-preempted.
// Thread: any (measures the caller).
inline int64_t threadCpuNs()
{
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// CPU time of the whole process (all threads).
inline int64_t processCpuNs()
{
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

} // namespace taskline
