#include "comparerunner.h"

#include "executor.h"
#include "labserver.h"
#include "runcontroller.h"
#include "tracestore.h"

#include <QTimer>

namespace taskline {

CompareRunner::CompareRunner(QObject* parent)
    : QObject(parent)
    , m_controller(new RunController(this))
{
    m_controller->setLabUrlProvider([](QString* error) { return LabServer::sharedBaseUrl(error); });
    connect(m_controller, &RunController::batchesAvailable, this, &CompareRunner::onBatches);
    connect(m_controller, &RunController::runFinished, this, &CompareRunner::onRunFinished);
}

CompareRunner::~CompareRunner()
{
    // The controller (a child) stops and joins its run when it is destroyed; nothing may call back into us.
    m_controller->disconnect(this);
    if (m_controller->isRunning())
        m_controller->stop();
}

std::vector<Mode> CompareRunner::availableModes()
{
    std::vector<Mode> modes;
    for (int m = 0; m < kModeCount; ++m)
        if (isModeAvailable(Mode(m)))
            modes.push_back(Mode(m));
    return modes;
}

bool CompareRunner::start(const Mix& mix, const RunSettings& settings, QString* error)
{
    if (m_running || m_controller->isRunning()) {
        if (error)
            *error = tr("A comparison is going on; stop it first.");
        return false;
    }
    m_mix = mix;
    m_base = settings;
    m_modes = availableModes();
    m_index = -1;
    m_stopped = false;
    m_running = true;
    startNext();
    return true;
}

void CompareRunner::stop()
{
    if (!m_running)
        return;
    m_stopped = true;
    if (m_controller->isRunning())
        m_controller->stop(); // onRunFinished ends the sequence
}

void CompareRunner::startNext()
{
    ++m_index;
    if (m_stopped || m_index >= int(m_modes.size())) {
        finish();
        return;
    }
    m_current = m_base;
    m_current.mode = m_modes[size_t(m_index)];
    // A pool size at the mix's default for the panel's mode follows each mode's own default (8 threads do not make
    // 8 processes on 2 cores); one the user chose applies to every mode.
    m_current.workers
        = RunSettings::workersAfterModeChange(m_mix.settings, m_base.workers, m_base.mode, m_current.mode);
    m_store = std::make_shared<TraceStore>();
    QString error;
    if (m_controller->start(m_mix, m_current, &error) == 0) {
        // This mode cannot run (the lab server did not start, …): say so in its place and go on with the next.
        m_store->reset(expandTasks(m_mix));
        RunResult failed;
        failed.mixName = m_mix.name;
        failed.settings = m_current;
        failed.error = error;
        emit modeStarted(m_index);
        emit modeFinished(m_index, failed, m_store);
        QTimer::singleShot(0, this, &CompareRunner::startNext);
        return;
    }
    m_store->reset(m_controller->tasks());
    emit modeStarted(m_index);
}

void CompareRunner::onBatches(quint64 runId)
{
    if (runId != m_controller->runId() || !m_store)
        return;
    const std::vector<TraceBatch> batches = m_controller->takeBatches();
    if (batches.empty())
        return;
    for (const TraceBatch& b : batches)
        m_store->append(b);
    emit traceAppended();
}

void CompareRunner::onRunFinished(quint64 runId)
{
    if (runId != m_controller->runId() || !m_store)
        return;
    const RunResult result = m_controller->lastResult();
    m_store->finish(result.wallNs);
    emit modeFinished(m_index, result, m_store);
    if (result.stopped)
        m_stopped = true;
    // The next run starts once this signal's receivers are done, from the event loop.
    QTimer::singleShot(0, this, &CompareRunner::startNext);
}

void CompareRunner::finish()
{
    m_running = false;
    emit finished();
}

} // namespace taskline
