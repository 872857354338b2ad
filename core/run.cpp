#include "run.h"

#include "calibration.h"
#include "clock.h"
#include "collector.h"
#include "executor.h"
#include "tracestore.h"
#include "utilsampler.h"
#include "workerregistry.h"

#include <algorithm>

namespace taskline {

bool RunResult::ok() const
{
    if (!error.isEmpty() || stopped)
        return false;
    return std::all_of(outcomes.begin(), outcomes.end(), [](const TaskOutcome& o) { return o.finished && o.ok; });
}

int RunResult::failedTasks() const
{
    return int(
        std::count_if(outcomes.begin(), outcomes.end(), [](const TaskOutcome& o) { return o.finished && !o.ok; }));
}

Run::Run(const Mix& mix, const RunSettings& settings, RunOptions options)
    : m_mix(mix)
    , m_settings(settings)
    , m_options(std::move(options))
    , m_tasks(expandTasks(mix))
{ }

RunResult Run::execute()
{
    RunResult result;
    result.mixName = m_mix.name;
    result.settings = m_settings;
    result.cores = UtilSampler::coreCount();
    result.workers = m_settings.effectiveWorkers(result.cores);
    result.tasks = m_tasks;
    result.outcomes.resize(m_tasks.size());

    std::unique_ptr<Executor> executor = makeExecutor(m_settings.mode);
    if (!executor) {
        result.error = QStringLiteral("mode %1 is not available yet").arg(QLatin1String(modeName(m_settings.mode)));
        return result;
    }
    if (m_mix.usesLabServer() && m_options.labBaseUrl.isEmpty()) {
        result.error = QStringLiteral("the mix fetches lab: URLs but the lab server is not running");
        return result;
    }

    RunContext ctx;
    ctx.settings = m_settings;
    ctx.tasks = m_tasks;
    ctx.cores = result.cores;
    ctx.labBaseUrl = m_options.labBaseUrl;
    ctx.calibration = m_options.calibration ? m_options.calibration : &Calibration::instance();
    ctx.stop = &m_stop;
    ctx.outcomes.resize(m_tasks.size());

    const int64_t t0 = monotonicNs();
    // The dispatcher records a queued event per task at once: its ring must hold them all.
    WorkerRegistry registry(t0, std::max<size_t>(EventBuffer::kDefaultCapacity / 4, m_tasks.size() * 2 + 64));
    ctx.registry = &registry;
    executor->prepare(ctx);
    UtilSampler sampler(t0);
    sampler.setExtraCpuSource([&ctx] { return ctx.extraCpuNs ? ctx.extraCpuNs() : 0; });
    Collector collector(
        registry, sampler, m_options.sink ? m_options.sink : [](TraceBatch&&) {},
        [&ctx] { return ctx.tasksFinished.load(std::memory_order_relaxed); });
    collector.start();

    const int64_t cpu0 = processCpuNs();
    executor->run(ctx);
    const int64_t t1 = monotonicNs();
    const int64_t cpu1 = processCpuNs() + (ctx.extraCpuNs ? ctx.extraCpuNs() : 0);
    collector.stop();
    result.coreBusy = sampler.averageBusySinceStart();

    result.wallNs = t1 - t0;
    result.cpuNs = cpu1 - cpu0;
    result.outcomes = std::move(ctx.outcomes);
    result.stopped = m_stop.isRequested();
    result.error = ctx.fatalError;
    result.events = collector.eventsCollected();
    result.droppedEvents = registry.dropped();
    return result;
}

RunResult runToStore(const Mix& mix, const RunSettings& settings, const QString& labBaseUrl, TraceStore* store)
{
    store->reset(expandTasks(mix));
    RunOptions options;
    options.labBaseUrl = labBaseUrl;
    // The collector thread appends; this thread reads only after execute() has joined it.
    options.sink = [store](TraceBatch&& b) { store->append(b); };
    Run run(mix, settings, options);
    RunResult r = run.execute();
    store->finish(r.wallNs);
    return r;
}

} // namespace taskline
