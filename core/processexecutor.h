#pragma once

#include "executor.h"

#include <memory>

namespace taskline {

class WorkerCpuMeter;

// Processes mode, like multiprocessing.Pool: a pool of worker processes started with `spawn` (exec of a fresh
// taskline worker) or `forkserver` (forked by the fork server; CPython 3.14's default on Linux), each with its own
// interpreter and GIL, so CPU-bound tasks run on every core, at the price of starting processes and copying every
// argument and result between them. See ProcessPool for what the timeline shows.
class ProcessExecutor : public Executor
{
public:
    ProcessExecutor();
    ~ProcessExecutor() override;
    // Thread: the run's thread, before the collector starts: the workers' CPU time joins the run's.
    void prepare(RunContext& ctx) override;
    void run(RunContext& ctx) override;

private:
    std::shared_ptr<WorkerCpuMeter> m_cpu;
};

} // namespace taskline
