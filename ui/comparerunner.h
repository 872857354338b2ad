#pragma once

#include "mix.h"
#include "run.h"

#include <QObject>
#include <memory>
#include <vector>

namespace taskline {

class RunController;
class TraceStore;

// Runs one mix under every available mode, one after another (sequential, threads, coroutines, processes), through
// a RunController of its own, and collects each run's trace into a store of its own. Each mode gets the same
// settings but its own mode (workers 0 means each mode's default). Stop ends the current run and the sequence.
// Thread: GUI only.
class CompareRunner : public QObject
{
    Q_OBJECT
public:
    explicit CompareRunner(QObject* parent = nullptr);
    ~CompareRunner() override;

    // The modes a comparison runs, in order: those available in this build.
    static std::vector<Mode> availableModes();

    // Starts the sequence. Returns false with *error when it cannot (already running).
    bool start(const Mix& mix, const RunSettings& settings, QString* error = nullptr);
    void stop();
    bool isRunning() const { return m_running; }
    bool wasStopped() const { return m_stopped; }

    const Mix& mix() const { return m_mix; }
    const std::vector<Mode>& modes() const { return m_modes; }
    int currentIndex() const { return m_index; } // into modes(); -1 before the first
    // The current (or last) run's settings and trace; the store grows while it runs.
    const RunSettings& currentSettings() const { return m_current; }
    std::shared_ptr<const TraceStore> currentStore() const { return m_store; }
    RunController* controller() const { return m_controller; }

signals:
    void modeStarted(int index);
    void traceAppended(); // the current store grew (at most 60 times a second)
    // A run ended (also a stopped one, or one that could not start: result.error says why).
    void modeFinished(int index, const RunResult& result, std::shared_ptr<const TraceStore> store);
    void finished(); // the whole sequence is over (wasStopped() tells whether Stop ended it)

private:
    void startNext();
    void onBatches(quint64 runId);
    void onRunFinished(quint64 runId);
    void finish();

    RunController* m_controller;
    Mix m_mix;
    RunSettings m_base;
    RunSettings m_current;
    std::vector<Mode> m_modes;
    int m_index = -1;
    bool m_running = false;
    bool m_stopped = false;
    std::shared_ptr<TraceStore> m_store;
};

} // namespace taskline
