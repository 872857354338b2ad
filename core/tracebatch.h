#pragma once

#include "event.h"

#include <QString>
#include <cstdint>
#include <vector>

namespace taskline {

enum class WorkerKind : uint8_t
{
    Main, // sequential mode: the main thread
    Thread, // a pool thread
    Loop, // the event loop thread (coroutines)
    Process, // a worker process
};

struct WorkerInfo
{
    int id = 0;
    QString name; // "main", "thread-1", "loop", "process-2"
    WorkerKind kind = WorkerKind::Thread;
    int64_t pid = 0; // worker processes: their pid
};

// Per-core busy fraction over [previous sample, timeNs), read from /proc/stat.
struct UtilSample
{
    int64_t timeNs = 0; // ns since run start, end of the interval
    int64_t intervalNs = 0;
    float processCores = 0; // this run's processes: CPU time / wall time over the interval (1.7 = 1.7 cores)
    std::vector<float> coreBusy; // 0..1 per core
};

// What the collector hands over in one go: events sorted by time, utilization samples, and workers seen so far.
struct TraceBatch
{
    std::vector<Event> events;
    std::vector<UtilSample> samples;
    std::vector<WorkerInfo> workers; // every worker known when the batch was made (workers only ever get added)
    uint64_t droppedTotal = 0; // events lost so far in this run (ring overflow)
    int tasksFinished = 0; // tasks done or failed so far
    int64_t timeNs = 0; // when the batch was cut, ns since run start
};

} // namespace taskline
