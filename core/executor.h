#pragma once

#include "mix.h"

#include <QString>
#include <memory>

namespace taskline {

struct RunContext;

// Executes the tasks of a run in one mode. run() blocks until every task is done or failed, or the run's stopper
// fired; it records every state change through the registry's recorders.
class Executor
{
public:
    virtual ~Executor() = default;
    // Thread: the run's thread, before the collector starts (so it may set ctx.extraCpuNs, which the collector
    // reads). Optional.
    virtual void prepare(RunContext& ctx) { (void)ctx; }
    // Thread: the run's thread.
    virtual void run(RunContext& ctx) = 0;
};

// nullptr when the mode is not built (yet).
std::unique_ptr<Executor> makeExecutor(Mode mode);
bool isModeAvailable(Mode mode);

} // namespace taskline
