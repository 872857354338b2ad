#include "processexecutor.h"

#include "processpool.h"
#include "runcontext.h"
#include "workercpumeter.h"

namespace taskline {

ProcessExecutor::ProcessExecutor()
    : m_cpu(std::make_shared<WorkerCpuMeter>())
{ }

ProcessExecutor::~ProcessExecutor() = default;

void ProcessExecutor::prepare(RunContext& ctx)
{
    // The meter outlives the pool: the collector samples it until it stops, and Run reads it once more after
    // run() has returned (then every worker has been reaped and the figure is exact).
    ctx.extraCpuNs = [cpu = m_cpu] { return cpu->totalNs(); };
}

void ProcessExecutor::run(RunContext& ctx)
{
    ProcessPool pool(ctx, m_cpu);
    pool.run();
}

} // namespace taskline
