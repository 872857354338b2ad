#pragma once

#include "mix.h"
#include "stopper.h"
#include "workerregistry.h"

#include <QString>
#include <atomic>
#include <functional>
#include <vector>

namespace taskline {

class Calibration;

// How one task ended.
struct TaskOutcome
{
    bool finished = false; // done or failed (false: never ran, or the run was stopped first)
    bool ok = false;
    QString error; // why it failed: "HTTP 404 from …", "worker 2 exited on signal 9 during compute"
    int64_t metaTags = 0; // regex steps: <meta> tags found (proof of real work)
    int64_t bytesFetched = 0;
};

// Everything an executor needs for one run. Created by Run; executors fill `outcomes`.
struct RunContext
{
    RunSettings settings;
    std::vector<TaskInstance> tasks;
    int cores = 1;
    QString labBaseUrl; // "http://127.0.0.1:PORT" when the mix uses lab: URLs
    const Calibration* calibration = nullptr;
    Stopper* stop = nullptr;
    WorkerRegistry* registry = nullptr;
    // One per task; each is written only by the thread that runs the task, read after the executor returns.
    std::vector<TaskOutcome> outcomes;
    std::atomic<int> tasksFinished { 0 };
    // Extra CPU time (ns) of helper processes, for summaries and utilization (processes mode sets it).
    std::function<int64_t()> extraCpuNs;
    // A message for the whole run when it could not run at all ("could not start worker processes: …").
    QString fatalError;
};

} // namespace taskline
