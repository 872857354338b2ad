#pragma once

#include "mix.h"
#include "runcontext.h"
#include "stopper.h"
#include "tracebatch.h"

#include <QString>
#include <functional>
#include <vector>

namespace taskline {

class Calibration;
class TraceStore;

// The outcome of one run, besides its trace.
struct RunResult
{
    QString mixName;
    RunSettings settings;
    int cores = 1;
    int workers = 0; // workers the mode used (effective)
    std::vector<TaskInstance> tasks;
    std::vector<TaskOutcome> outcomes;
    int64_t wallNs = 0; // from the start of the executor until it returned
    int64_t cpuNs = 0; // CPU time of the run's processes over the run
    std::vector<double> coreBusy; // mean busy fraction per core over the run (/proc/stat, first to last reading)
    bool stopped = false;
    QString error; // the run could not run at all (mode not available, lab server down, …)
    uint64_t events = 0;
    uint64_t droppedEvents = 0;

    bool ok() const; // ran, not stopped, every task done
    int failedTasks() const;
};

struct RunOptions
{
    QString labBaseUrl; // required when the mix has lab: URLs
    const Calibration* calibration = nullptr; // default: Calibration::instance()
    // Receives the collector's batches, on the collector thread.
    std::function<void(TraceBatch&&)> sink;
};

// Executes one mix in one mode: expands the tasks, starts the collector (and its utilization sampling), runs the
// mode's executor and gathers the result.
class Run
{
public:
    Run(const Mix& mix, const RunSettings& settings, RunOptions options);

    // Thread: the caller; blocks until the run is over.
    RunResult execute();
    // Thread: any. Ends the run promptly; tasks not finished are reported as stopped.
    void requestStop() { m_stop.request(); }
    const std::vector<TaskInstance>& tasks() const { return m_tasks; }

private:
    Mix m_mix;
    RunSettings m_settings;
    RunOptions m_options;
    std::vector<TaskInstance> m_tasks;
    Stopper m_stop;
};

// Runs a mix and collects its whole trace into `store` (reset first). For the command line and tests.
RunResult runToStore(const Mix& mix, const RunSettings& settings, const QString& labBaseUrl, TraceStore* store);

} // namespace taskline
