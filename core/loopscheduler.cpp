#include "loopscheduler.h"

#include "asyncfetch.h"
#include "clock.h"
#include "gil.h"
#include "kernels.h"
#include "offloadpool.h"
#include "runcontext.h"

#include <cmath>

namespace taskline {

LoopScheduler::LoopScheduler(
    RunContext& ctx, EventLoop& loop, Recorder& rec, AsyncFetcher& fetcher, Gil* gil, OffloadPool* pool, int limit)
    : m_ctx(ctx)
    , m_loop(loop)
    , m_rec(rec)
    , m_fetcher(fetcher)
    , m_gil(gil)
    , m_pool(pool)
    , m_tasks(ctx.tasks.size())
    , m_step(ctx.tasks.size(), 0)
{
    if (limit > 0)
        m_semaphore = std::make_unique<AsyncSemaphore>(limit);
    noteReadyCount(true); // the counter lane starts at 0
}

LoopScheduler::~LoopScheduler()
{
    shutdown();
}

bool LoopScheduler::isStopping() const
{
    return m_ctx.stop->isRequested();
}

void LoopScheduler::spawn(int task, CoTask coroutine)
{
    const std::coroutine_handle<> h = coroutine.handle();
    m_tasks[size_t(task)] = std::move(coroutine);
    ++m_unfinished;
    makeReady(h, task);
}

void LoopScheduler::makeReady(std::coroutine_handle<> h, int task)
{
    m_rec.state(task, TaskState::Ready, m_step[size_t(task)]);
    m_ready.fetch_add(1, std::memory_order_relaxed);
    noteReadyCount(false);
    m_loop.callSoon(h, task);
}

void LoopScheduler::noteReadyCount(bool force)
{
    const int value = m_ready.load(std::memory_order_relaxed);
    m_counterPeak = std::max(m_counterPeak, value);
    if (value == m_counterValue && m_counterPeak <= value)
        return;
    const int64_t now = m_rec.now();
    if (!force && now - m_counterNs < kCounterGapNs) {
        // Coalesced: a timer writes the value once the interval is over, even if the loop goes to sleep first.
        if (!m_counterTimer) {
            m_counterTimer = m_loop.callAt(m_rec.runStartNs() + m_counterNs + kCounterGapNs, [this] {
                m_counterTimer = 0;
                noteReadyCount(false);
            });
        }
        return;
    }
    // A peak inside the coalesced interval is written too, so the counter never hides how many were ready at once.
    if (m_counterPeak > value && m_counterPeak > m_counterValue)
        m_rec.counter(kReadyCounter, m_counterPeak);
    m_rec.counter(kReadyCounter, value);
    m_counterValue = value;
    m_counterPeak = value;
    m_counterNs = now;
}

void LoopScheduler::closeLoopSpan()
{
    if (m_occupant < 0)
        return;
    m_rec.loop(m_occupant, false);
    m_occupant = -1;
}

void LoopScheduler::dropGil()
{
    if (!m_holdingGil)
        return;
    m_holdingGil = false;
    m_gil->drop(m_rec, m_gilTask);
}

void LoopScheduler::beforeWait(bool)
{
    dropGil(); // select() releases the GIL, whatever its timeout
    noteReadyCount(false);
}

void LoopScheduler::afterWait()
{
    if (m_gil && !m_holdingGil && !isStopping()) {
        m_holdingGil = m_gil->takeForWorker(m_rec);
        m_gilTask = -1; // held by the loop itself, whichever coroutines it runs under it
    }
}

void LoopScheduler::resume(const EventLoop::Ready& ready)
{
    m_ready.fetch_sub(1, std::memory_order_relaxed);
    if (isStopping())
        return; // the frame is destroyed by shutdown()
    const int task = ready.task;
    const int step = m_step[size_t(task)];
    if (m_gil && (!m_holdingGil || m_gil->dropRequested())) {
        // An offload thread asked for the GIL (the eval breaker between coroutines), or the loop lost it in a
        // blocking fetch: the coroutine about to run shows waiting_gil meanwhile, and the loop lane nobody.
        noteReadyCount(true);
        m_holdingGil = m_holdingGil ? m_gil->handOver(m_rec, task, step) : m_gil->take(m_rec, task, step);
        if (!m_holdingGil)
            return; // stopped while waiting
        m_gilTask = task;
        // The loop lane: the coroutine occupies the loop from here until it gives it back at an await (or ends).
        m_rec.loop(task, true);
    } else {
        noteReadyCount(false);
        m_rec.loop(task, true); // first, so that the running span lies inside the loop span
        m_rec.state(task, TaskState::Running, step);
    }
    m_occupant = task;
    ready.handle.resume();
    closeLoopSpan();
    taskEnded(task);
}

void LoopScheduler::taskEnded(int task)
{
    CoTask& co = m_tasks[size_t(task)];
    if (!co.isDone())
        return;
    if (co.exception() && !m_ctx.outcomes[size_t(task)].finished) {
        // Not expected (task bodies do not throw), but a task must never vanish without an end.
        QString what = QStringLiteral("unknown exception");
        try {
            std::rethrow_exception(co.exception());
        } catch (const std::exception& e) {
            what = QString::fromLocal8Bit(e.what());
        } catch (...) { }
        finishTask(task, QStringLiteral("internal error: %1").arg(what), m_step[size_t(task)]);
    }
    co.reset();
    --m_unfinished;
}

bool LoopScheduler::computeInline(int task, const ComputeStep& step, const QByteArray& input, int64_t* matches)
{
    // No await inside: the loop is held for the whole step, like a CPU-bound coroutine. (Without --offload there
    // is no emulated GIL, so nothing to hand over between chunks.)
    noteReadyCount(true);
    m_rec.state(task, TaskState::Running, m_step[size_t(task)]); // a new running span per step
    ComputeWork work(step.kernel, input, step.ms, *m_ctx.calibration);
    while (!work.isDone()) {
        if (isStopping())
            return false;
        work.runChunk();
    }
    *matches = work.matches();
    return true;
}

FetchResult LoopScheduler::blockingFetch(int task, const QString& url)
{
    const int step = m_step[size_t(task)];
    noteReadyCount(true);
    m_rec.state(task, TaskState::BlockedIo, step);
    // The coroutine keeps the loop (its lane span stays open) while the socket I/O releases the GIL.
    dropGil();
    FetchResult r = fetchBlocking(url, &m_ctx.stop->flag());
    if (isStopping())
        return r;
    if (m_gil) {
        m_holdingGil = m_gil->take(m_rec, task, step);
        m_gilTask = task;
    } else {
        m_rec.state(task, TaskState::Running, step);
    }
    return r;
}

void LoopScheduler::startSleep(int task, double ms, std::coroutine_handle<> h)
{
    if (ms <= 0) {
        makeReady(h, task); // asyncio.sleep(0): just yields to the other ready coroutines
        return;
    }
    const int64_t deadline = monotonicNs() + int64_t(std::llround(ms * 1e6));
    m_loop.callAt(deadline, [this, h, task] { makeReady(h, task); });
    m_rec.state(task, TaskState::Sleeping, m_step[size_t(task)]);
}

void LoopScheduler::startFetch(int task, const QString& url, FetchResult* result, std::coroutine_handle<> h)
{
    // Setting the transfer up is the coroutine's own work (running); it is blocked from the moment it suspends.
    m_fetcher.start(url, [this, h, task, result](FetchResult&& r) {
        *result = std::move(r);
        makeReady(h, task);
    });
    m_rec.state(task, TaskState::BlockedIo, m_step[size_t(task)]);
}

void LoopScheduler::startOffload(
    int task, const ComputeStep* compute, const QByteArray* input, int64_t* matches, std::coroutine_handle<> h)
{
    const int step = m_step[size_t(task)];
    // In the pool's work queue until one of its threads takes the job (then running on that thread). Recorded
    // before submitting: the job may start on a pool thread at once.
    m_rec.state(task, TaskState::Queued, step);
    OffloadPool::Job job;
    job.task = task;
    job.step = step;
    job.compute = compute;
    job.input = input;
    job.matches = matches;
    job.done = [this, h, task] {
        // On the pool thread, which recorded the task ready: count it, and wake the loop to schedule it.
        m_ready.fetch_add(1, std::memory_order_relaxed);
        m_loop.callSoonThreadsafe([this, h, task] {
            m_loop.callSoon(h, task);
            noteReadyCount(false);
        });
    };
    m_pool->submit(std::move(job));
}

void LoopScheduler::waitForSlot(int task, std::coroutine_handle<> h)
{
    // Waiting for the semaphore is not waiting for the loop: the task has not started its work and cannot run, so
    // it is shown queued (like a task in a pool's queue), not ready; the ready counter stays truthful.
    m_rec.state(task, TaskState::Queued, -1);
    m_semaphore->wait(h, task);
}

void LoopScheduler::finishTask(int task, const QString& error, int step)
{
    TaskOutcome& outcome = m_ctx.outcomes[size_t(task)];
    outcome.finished = true;
    outcome.ok = error.isEmpty();
    outcome.error = error;
    m_rec.state(task, outcome.ok ? TaskState::Done : TaskState::Failed, step);
    AsyncSemaphore::Waiter next;
    if (m_semaphore && m_semaphore->release(&next))
        makeReady(next.handle, next.task);
    m_ctx.tasksFinished.fetch_add(1, std::memory_order_relaxed);
}

void LoopScheduler::shutdown()
{
    if (m_shutDown)
        return;
    m_shutDown = true;
    closeLoopSpan();
    dropGil();
    m_fetcher.cancelAll();
    if (m_pool)
        m_pool->shutdown(); // before the frames go: a job in progress points into one
    m_tasks.clear();
    m_loop.cancelTimer(m_counterTimer);
    m_counterTimer = 0;
    m_ready.store(0, std::memory_order_relaxed);
    noteReadyCount(true);
}

} // namespace taskline
