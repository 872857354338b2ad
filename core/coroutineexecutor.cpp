#include "coroutineexecutor.h"

#include "asyncfetch.h"
#include "eventloop.h"
#include "gil.h"
#include "loopscheduler.h"
#include "offloadpool.h"
#include "runcontext.h"
#include "taskrunner.h"

#include <algorithm>

namespace taskline {

namespace {

// One task as an `async def`: its steps in order; only the awaits give the loop back.
CoTask taskBody(LoopScheduler& s, RunContext& ctx, const TaskInstance& task)
{
    const int id = task.id;
    // async with semaphore: (--limit)
    if (s.hasLimit())
        co_await s.acquireSlot(id);
    TaskOutcome& outcome = ctx.outcomes[size_t(id)];
    QByteArray lastBody;
    QString error;
    int step = 0;
    for (; step < int(task.steps.size()) && error.isEmpty(); ++step) {
        s.setStep(id, step);
        const Step& st = task.steps[size_t(step)];
        switch (st.kind) {
        case StepKind::Compute: {
            const QByteArray input = TaskRunner::computeInput(st.compute, lastBody, id);
            int64_t matches = 0;
            if (s.offloads())
                matches = co_await s.offload(id, st.compute, input); // await asyncio.to_thread(compute)
            else if (!s.computeInline(id, st.compute, input, &matches))
                co_return; // stopped
            outcome.metaTags += matches;
            break;
        }
        case StepKind::Fetch: {
            const QString url = resolveFetchUrl(st.fetch.url, ctx.labBaseUrl);
            FetchResult r;
            if (st.fetch.client == FetchClient::Async)
                r = co_await s.fetch(id, url); // aiohttp: await session.get(url)
            else
                r = s.blockingFetch(id, url); // urllib.request.urlopen(url) inside a coroutine
            if (s.isStopping())
                co_return;
            if (!r.ok)
                error = QStringLiteral("step %1 (fetch): %2").arg(step + 1).arg(r.error);
            outcome.bytesFetched += r.body.size();
            lastBody = std::move(r.body);
            break;
        }
        case StepKind::Sleep:
            co_await s.sleep(id, st.sleep.ms); // await asyncio.sleep(ms / 1000)
            break;
        }
    }
    s.finishTask(id, error, std::max(0, step - 1));
}

// Removes the stop callback on every way out of run(), before the loop it wakes is destroyed.
class StopWakeup
{
public:
    StopWakeup(Stopper& stop, EventLoop& loop)
        : m_stop(stop)
        , m_id(stop.addCallback([&loop] { loop.wakeup(); }))
    { }
    ~StopWakeup() { m_stop.removeCallback(m_id); }
    StopWakeup(const StopWakeup&) = delete;
    StopWakeup& operator=(const StopWakeup&) = delete;

private:
    Stopper& m_stop;
    int m_id;
};

} // namespace

size_t CoroutineExecutor::loopBufferEvents(size_t tasks)
{
    return std::clamp(tasks * 16, EventBuffer::kDefaultCapacity, size_t(1) << 20);
}

void CoroutineExecutor::run(RunContext& ctx)
{
    initNetworking();
    Recorder rec
        = ctx.registry->addWorker(QStringLiteral("loop"), WorkerKind::Loop, 0, loopBufferEvents(ctx.tasks.size()));
    // Destroyed in reverse order: the scheduler (frames), the fetcher (needs the loop), the pool, the GIL, the loop.
    EventLoop loop;
    if (!loop.isValid()) {
        ctx.fatalError = QStringLiteral("could not start the event loop: %1").arg(loop.error());
        return;
    }
    std::unique_ptr<Gil> gil;
    std::unique_ptr<OffloadPool> pool;
    if (ctx.settings.offload) {
        // The loop and the pool's threads are Python threads sharing one GIL; alone, the loop needs none.
        if (ctx.settings.gil) {
            gil = std::make_unique<Gil>(
                std::chrono::nanoseconds(int64_t(ctx.settings.switchIntervalMs * 1e6)), ctx.stop);
        }
        // asyncio's default executor: ThreadPoolExecutor(), min(32, cores + 4) threads; --workers sets max_workers.
        pool = std::make_unique<OffloadPool>(ctx, ctx.settings.effectiveWorkers(ctx.cores), gil.get(), rec.worker());
    }
    AsyncFetcher fetcher(loop);
    LoopScheduler scheduler(ctx, loop, rec, fetcher, gil.get(), pool.get(), ctx.settings.limit);
    const StopWakeup wakeOnStop(*ctx.stop, loop);

    // asyncio.gather(*tasks) wraps every coroutine in a task at once: all are queued at t0, then scheduled.
    Recorder dispatcher = ctx.registry->dispatcher();
    for (const TaskInstance& t : ctx.tasks)
        dispatcher.state(t.id, TaskState::Queued, -1);
    for (const TaskInstance& t : ctx.tasks)
        scheduler.spawn(t.id, taskBody(scheduler, ctx, t));
    while (scheduler.unfinished() > 0 && !ctx.stop->isRequested())
        loop.runOnce(scheduler);
    scheduler.shutdown();
}

} // namespace taskline
