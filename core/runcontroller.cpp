#include "runcontroller.h"

#include "clock.h"
#include "executor.h"

namespace taskline {

RunController::RunController(QObject* parent)
    : QObject(parent)
{ }

RunController::~RunController()
{
    if (m_run)
        m_run->requestStop();
    join();
}

void RunController::join()
{
    if (m_thread.joinable())
        m_thread.join();
}

quint64 RunController::start(const Mix& mix, const RunSettings& settings, QString* error)
{
    auto fail = [error](const QString& message) -> quint64 {
        if (error)
            *error = message;
        return 0;
    };
    if (m_running)
        return fail(tr("A run is going on; stop it first."));
    if (!isModeAvailable(settings.mode))
        return fail(tr("The %1 mode is not available yet.").arg(modeLabel(settings.mode)));
    RunOptions options;
    if (mix.usesLabServer()) {
        QString labError;
        options.labBaseUrl = m_labUrl ? m_labUrl(&labError) : QString();
        if (options.labBaseUrl.isEmpty())
            return fail(tr("The lab server could not start: %1")
                            .arg(labError.isEmpty() ? tr("no lab server is configured") : labError));
    }
    join(); // the previous run's thread has finished (runFinished was delivered) but may not be joined yet

    const quint64 id = ++m_runId;
    {
        std::lock_guard lock(m_mutex);
        m_batches.clear();
        m_notifyPending = false;
        m_lastNotifyNs = 0;
    }
    options.sink = [this, id](TraceBatch&& batch) {
        bool notify = false;
        {
            std::lock_guard lock(m_mutex);
            m_batches.push_back(std::move(batch));
            const int64_t now = monotonicNs();
            // Throttled where produced: one notification per kNotifyMs, and none while one is unanswered.
            if (!m_notifyPending && now - m_lastNotifyNs >= kNotifyMs * 1'000'000) {
                m_notifyPending = true;
                m_lastNotifyNs = now;
                notify = true;
            }
        }
        if (notify)
            QMetaObject::invokeMethod(
                this, [this, id] { emit batchesAvailable(id); }, Qt::QueuedConnection);
    };
    m_run = std::make_unique<Run>(mix, settings, std::move(options));
    m_tasks = m_run->tasks();
    m_running = true;
    Run* run = m_run.get();
    m_thread = std::thread([this, run, id] {
        RunResult result = run->execute();
        {
            std::lock_guard lock(m_mutex);
            m_pendingResult = std::move(result);
        }
        QMetaObject::invokeMethod(
            this, [this, id] { onThreadFinished(id); }, Qt::QueuedConnection);
    });
    emit started(id);
    return id;
}

void RunController::stop()
{
    if (m_running && m_run)
        m_run->requestStop();
}

std::vector<TraceBatch> RunController::takeBatches()
{
    std::lock_guard lock(m_mutex);
    m_notifyPending = false;
    std::vector<TraceBatch> out;
    out.swap(m_batches);
    return out;
}

void RunController::onThreadFinished(quint64 runId)
{
    if (runId != m_runId)
        return;
    join();
    {
        std::lock_guard lock(m_mutex);
        m_result = std::move(m_pendingResult);
    }
    m_running = false;
    emit batchesAvailable(runId); // the final batch
    emit runFinished(runId);
}

} // namespace taskline
