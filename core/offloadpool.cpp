#include "offloadpool.h"

#include "calibration.h"
#include "gil.h"
#include "kernels.h"
#include "recorder.h"
#include "runcontext.h"

#include <pthread.h>

namespace taskline {

OffloadPool::OffloadPool(RunContext& ctx, int maxThreads, Gil* gil, int loopWorker)
    : m_ctx(ctx)
    , m_max(std::max(1, maxThreads))
    , m_gil(gil)
    , m_loopWorker(loopWorker)
{ }

OffloadPool::~OffloadPool()
{
    shutdown();
}

void OffloadPool::submit(Job job)
{
    bool startThread = false;
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(std::move(job));
        // ThreadPoolExecutor._adjust_thread_count: a new thread only when none is idle, up to max_workers.
        startThread = m_idle == 0 && int(m_threads.size()) < m_max;
        if (startThread)
            m_threads.emplace_back(&OffloadPool::work, this, int(m_threads.size()));
    }
    m_cond.notify_one();
}

void OffloadPool::shutdown()
{
    {
        std::lock_guard lock(m_mutex);
        m_shutdown = true;
    }
    m_cond.notify_all();
    for (std::thread& t : m_threads)
        if (t.joinable())
            t.join();
}

void OffloadPool::work(int index)
{
    const QByteArray name = "tl-offload-" + QByteArray::number(index + 1);
    pthread_setname_np(pthread_self(), name.constData());
    Recorder rec = m_ctx.registry->addWorker(QStringLiteral("offload-%1").arg(index + 1), WorkerKind::Thread);
    for (;;) {
        Job job;
        {
            std::unique_lock lock(m_mutex);
            ++m_idle;
            m_cond.wait(lock, [this] { return m_shutdown || !m_queue.empty(); });
            --m_idle;
            if (m_queue.empty())
                return; // shut down with nothing left to do
            job = std::move(m_queue.front());
            m_queue.pop_front();
        }
        if (m_ctx.stop->isRequested())
            continue; // drain without working: the coroutines waiting for these jobs are destroyed
        runJob(rec, job);
    }
}

void OffloadPool::runJob(Recorder& rec, const Job& job)
{
    const Stopper& stop = *m_ctx.stop;
    const int task = job.task;
    const int step = job.step;
    bool holding = false;
    auto take = [&] {
        if (m_gil)
            return holding = m_gil->take(rec, task, step);
        rec.state(task, TaskState::Running, step);
        return true;
    };
    auto drop = [&] {
        if (holding) {
            holding = false;
            m_gil->drop(rec, task);
        }
    };

    if (!take())
        return;
    ComputeWork work(job.compute->kernel, *job.input, job.compute->ms, *m_ctx.calibration);
    const bool releases = m_gil && job.compute->gil == GilBehaviour::Releases;
    const bool interruptible = m_gil && job.compute->gil == GilBehaviour::Interruptible;
    if (releases)
        drop(); // the C code drops the GIL around its work
    while (!work.isDone() && !stop.isRequested()) {
        // The eval breaker: between "bytecodes", hand the GIL over when a waiter (the loop, too) asked for it.
        if (interruptible && m_gil->dropRequested() && !(holding = m_gil->handOver(rec, task, step)))
            return;
        work.runChunk();
    }
    if (stop.isRequested() || (releases && !take())) {
        drop();
        return;
    }
    *job.matches = work.matches();
    // The future is done: the task may continue, but it waits for the event loop (ready, on the loop's lane).
    rec.stateOn(m_loopWorker, task, TaskState::Ready, step);
    job.done();
    drop();
}

} // namespace taskline
