#include "taskrunner.h"

#include "calibration.h"
#include "gil.h"
#include "httpfetch.h"
#include "kernels.h"
#include "labserver.h"

#include <chrono>

namespace taskline {

QByteArray TaskRunner::computeInput(const ComputeStep& step, const QByteArray& lastBody, int taskId)
{
    if (step.payloadBytes > 0)
        return makeLabHtml(step.payloadBytes, uint32_t(taskId));
    if (!lastBody.isEmpty())
        return lastBody;
    return makeLabHtml(kDefaultComputeBytes, uint32_t(taskId));
}

bool TaskRunner::acquire(int task, int step)
{
    if (m_gil) {
        m_holding = m_gil->take(m_rec, task, step);
        return m_holding;
    }
    m_rec.state(task, TaskState::Running, step);
    return true;
}

void TaskRunner::release(int task)
{
    if (m_gil && m_holding) {
        m_holding = false;
        m_gil->drop(m_rec, task);
    }
}

bool TaskRunner::compute(
    const TaskInstance& task, int step, const ComputeStep& c, const QByteArray& input, TaskOutcome& outcome)
{
    ComputeWork work(c.kernel, input, c.ms, *m_ctx.calibration);
    const Stopper& stop = *m_ctx.stop;
    const bool releases = m_gil && c.gil == GilBehaviour::Releases;
    const bool interruptible = m_gil && c.gil == GilBehaviour::Interruptible;
    if (releases)
        release(task.id); // the C code drops the GIL around its work; the task keeps running on its core
    while (!work.isDone()) {
        if (stop.isRequested())
            break;
        // The eval breaker: between "bytecodes", hand the GIL over if a waiter asked for it.
        if (interruptible && m_gil->dropRequested() && !(m_holding = m_gil->handOver(m_rec, task.id, step)))
            return false;
        work.runChunk();
    }
    outcome.metaTags += work.matches();
    if (releases && !acquire(task.id, step))
        return false;
    return !stop.isRequested();
}

bool TaskRunner::run(const TaskInstance& task)
{
    TaskOutcome& outcome = m_ctx.outcomes[size_t(task.id)];
    m_lastBody.clear();
    Stopper& stop = *m_ctx.stop;
    if (!acquire(task.id, 0))
        return false;
    QByteArray lastBody;
    int step = 0;
    QString error;
    for (; step < int(task.steps.size()) && error.isEmpty(); ++step) {
        if (stop.isRequested()) {
            release(task.id);
            return false;
        }
        const Step& s = task.steps[size_t(step)];
        switch (s.kind) {
        case StepKind::Compute: {
            m_rec.state(task.id, TaskState::Running, step);
            const QByteArray input = size_t(step) < m_inputs.size() && !m_inputs[size_t(step)].isEmpty()
                ? m_inputs[size_t(step)]
                : computeInput(s.compute, lastBody, m_pageSeed >= 0 ? m_pageSeed : task.id);
            if (!compute(task, step, s.compute, input, outcome)) {
                release(task.id);
                return false;
            }
            break;
        }
        case StepKind::Fetch: {
            m_rec.state(task.id, TaskState::BlockedIo, step);
            release(task.id); // socket I/O releases the GIL
            const QString url = resolveFetchUrl(s.fetch.url, m_ctx.labBaseUrl);
            FetchOptions options;
            if (m_gil) {
                // urllib's socket calls each drop the GIL and take it back before Python code goes on: beside a
                // CPU-bound thread every one of them can wait up to a switch interval.
                options.onSocketCalls = [this, &task, &stop, step](int calls) {
                    for (int i = 0; i < calls && !stop.isRequested(); ++i) {
                        if (!acquire(task.id, step))
                            return;
                        m_rec.state(task.id, TaskState::BlockedIo, step);
                        release(task.id);
                    }
                };
            }
            FetchResult r = fetchBlocking(url, &stop.flag(), options);
            if (!acquire(task.id, step) || stop.isRequested()) {
                release(task.id);
                return false;
            }
            if (!r.ok)
                error = QStringLiteral("step %1 (fetch): %2").arg(step + 1).arg(r.error);
            outcome.bytesFetched += r.body.size();
            lastBody = std::move(r.body);
            break;
        }
        case StepKind::Sleep: {
            m_rec.state(task.id, TaskState::Sleeping, step);
            release(task.id); // time.sleep releases the GIL
            const bool slept = stop.sleepFor(std::chrono::nanoseconds(int64_t(s.sleep.ms * 1e6)));
            if (!slept || !acquire(task.id, step)) {
                release(task.id);
                return false;
            }
            break;
        }
        }
    }
    if (m_keepLastBody)
        m_lastBody = std::move(lastBody);
    outcome.finished = true;
    outcome.ok = error.isEmpty();
    outcome.error = error;
    m_rec.state(task.id, outcome.ok ? TaskState::Done : TaskState::Failed, std::max(0, step - 1));
    release(task.id);
    m_ctx.tasksFinished.fetch_add(1, std::memory_order_relaxed);
    return true;
}

} // namespace taskline
