#pragma once

#include "mix.h"
#include "run.h"
#include "tracebatch.h"

#include <QObject>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace taskline {

// The one facade through which the GUI drives the engine (hotspot's model): start/stop commands, and signals
// when batches of events are ready, on progress and when the run finished. The run executes on its own thread;
// the collector hands batches over under a short lock; this object notifies the GUI at most every kNotifyMs and
// only when the previous batches were taken. Stale runs are told apart by run id.
// Thread: GUI only (the thread this object lives in), unless a function says otherwise.
class RunController : public QObject
{
    Q_OBJECT
public:
    static constexpr int kNotifyMs = 16; // ≤ 60 Hz

    explicit RunController(QObject* parent = nullptr);
    ~RunController() override; // stops a run still going and waits for it

    // Returns the lab server's base URL, starting it if needed, or "" with *error set.
    using LabUrlProvider = std::function<QString(QString* error)>;
    void setLabUrlProvider(LabUrlProvider provider) { m_labUrl = std::move(provider); }

    // Starts a run of `mix` with `settings`. Returns 0 and sets *error if it cannot start (a run is going on,
    // the mode is not available, the lab server cannot start); else the new run id.
    quint64 start(const Mix& mix, const RunSettings& settings, QString* error = nullptr);
    // Asks the run to end promptly; runFinished follows.
    void stop();
    bool isRunning() const { return m_running; }
    quint64 runId() const { return m_runId; }
    const std::vector<TaskInstance>& tasks() const { return m_tasks; }

    // The batches collected since the last call, for the current run.
    std::vector<TraceBatch> takeBatches();
    // The last finished run's result.
    const RunResult& lastResult() const { return m_result; }

signals:
    void started(quint64 runId);
    void batchesAvailable(quint64 runId);
    void runFinished(quint64 runId);

private:
    void onThreadFinished(quint64 runId);
    void join();

    LabUrlProvider m_labUrl;
    std::unique_ptr<Run> m_run;
    std::thread m_thread;
    bool m_running = false;
    quint64 m_runId = 0;
    std::vector<TaskInstance> m_tasks;
    RunResult m_result;

    std::mutex m_mutex; // guards the fields below (collector thread ↔ GUI thread)
    std::vector<TraceBatch> m_batches;
    bool m_notifyPending = false;
    int64_t m_lastNotifyNs = 0;
    RunResult m_pendingResult;
};

} // namespace taskline
