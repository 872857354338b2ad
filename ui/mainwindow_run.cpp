// MainWindow: starting and stopping runs, draining their batches into the trace store, the status bar and the
// summary at the end.

#include "mainwindow.h"
#include "mixdocument.h"
#include "mixformat.h"
#include "runcontroller.h"
#include "runpanel.h"
#include "summarypanel.h"
#include "taskdetailspanel.h"
#include "theme.h"
#include "utilsampler.h"

#include <QAction>
#include <QLabel>
#include <QLocale>
#include <QStatusBar>
#include <QTimer>

namespace taskline {

QByteArray MainWindow::fingerprint(const Mix& mix)
{
    // "The same mix" for speedups: the same tasks, whatever the name, description and settings.
    Mix tasksOnly;
    tasksOnly.name = QStringLiteral("-");
    tasksOnly.tasks = mix.tasks;
    return serializeMix(tasksOnly);
}

void MainWindow::runMix()
{
    if (m_controller->isRunning())
        return;
    const Mix& mix = m_doc->mix();
    const MixError invalid = validateMix(mix);
    if (!invalid.isEmpty()) {
        showError(tr("Cannot run the mix"), invalid.toString());
        return;
    }
    const RunSettings settings = m_runPanel->settings();
    QString error;
    // The controller copies the mix: edits made while it runs change the next run, not this one.
    if (m_controller->start(mix, settings, &error) == 0) {
        showError(tr("Cannot run the mix"), error);
        return;
    }
    m_runTasks = m_controller->tasks();
    m_runSpecNames.clear();
    for (const TaskSpec& t : mix.tasks)
        m_runSpecNames.push_back(t.name);
    m_runSettings = settings;
    m_runFingerprint = fingerprint(mix);
    m_lastSummary.reset();
    m_store.reset(m_runTasks);
    m_stopping = false;
    m_rateWindow.clear();
    m_runClock.start();
    m_liveClock.invalidate();
    onRunStarted();
}

void MainWindow::onRunStarted()
{
    m_traceView->setTrace(&m_store, m_runSettings.mode, m_runSettings);
    m_traceView->setRunning(true);
    m_detailsPanel->setRun(&m_store, &m_runTasks, nullptr);
    // Keep the selected row's task selected in the new run.
    const int row = currentTaskRow();
    if (row >= 0)
        onTaskRowChanged(row);
    const int workers = m_runSettings.effectiveWorkers(UtilSampler::coreCount());
    m_summaryPanel->showRunning(SummaryPanel::describeSettings(m_runSettings, workers));
    m_statusTimer->start();
    updateActions();
    updateStatus();
}

void MainWindow::stopRun()
{
    if (!m_controller->isRunning() || m_stopping)
        return;
    m_stopping = true;
    m_controller->stop();
    updateActions();
    updateStatus();
}

void MainWindow::onBatchesAvailable(quint64 runId)
{
    if (runId != m_controller->runId())
        return; // a batch of an older run, announced before it ended
    std::vector<TraceBatch> batches = m_controller->takeBatches();
    if (batches.empty())
        return;
    for (const TraceBatch& b : batches) {
        m_store.append(b);
        m_rateWindow.emplace_back(b.timeNs, m_store.eventCount());
    }
    // Events per second over the last second of run time.
    while (m_rateWindow.size() > 2 && m_rateWindow.back().first - m_rateWindow[1].first >= 1'000'000'000)
        m_rateWindow.pop_front();
    m_traceView->traceAppended();
    if (m_detailsPanel->task() >= 0)
        m_detailsPanel->refresh(); // one task of the run: cheap, so with every batch
    updateStatus();
}

void MainWindow::onRunFinished(quint64 runId)
{
    if (runId != m_controller->runId())
        return;
    const RunResult& result = m_controller->lastResult();
    m_store.finish(result.wallNs);
    m_statusTimer->stop();
    m_stopping = false;

    RunSummary summary = summarize(result, m_store);
    const bool complete = result.error.isEmpty() && !result.stopped; // failed tasks still make a baseline
    std::optional<double> sequential;
    if (result.settings.mode == Mode::Sequential) {
        if (complete)
            m_sequentialWallMs.insert(m_runFingerprint, summary.wallMs);
    } else if (m_sequentialWallMs.contains(m_runFingerprint) && !result.stopped) {
        sequential = m_sequentialWallMs.value(m_runFingerprint);
    }
    m_lastSummary = std::move(summary);
    m_summaryPanel->showSummary(*m_lastSummary, sequential);
    m_traceView->setRunning(false);
    m_traceView->traceAppended();
    m_detailsPanel->setRun(&m_store, &m_runTasks, &*m_lastSummary);
    if (m_detailsPanel->task() >= 0)
        m_summaryPanel->setSelectedTask(m_detailsPanel->task());
    updateActions();
    updateStatus();
    if (!result.error.isEmpty())
        showError(tr("The run failed"), result.error);
    emit runFinished();
}

void MainWindow::updateLiveSummary()
{
    // A few times a second, not per batch: the bars sum every span of every task, so a run of thousands of tasks
    // refreshes them once a second.
    if (!m_controller->isRunning() || m_store.eventCount() == 0)
        return;
    const qint64 interval = m_store.taskCount() > 1000 || m_store.spans().size() > 100'000 ? 1000 : 250;
    if (m_liveClock.isValid() && m_liveClock.elapsed() < interval - 50)
        return;
    m_liveClock.start();
    const int workers = m_runSettings.effectiveWorkers(UtilSampler::coreCount());
    m_summaryPanel->showLive(
        m_store, SummaryPanel::describeSettings(m_runSettings, workers), double(m_runClock.elapsed()));
    if (m_detailsPanel->task() >= 0)
        m_summaryPanel->setSelectedTask(m_detailsPanel->task());
    else
        m_detailsPanel->refresh(); // a task of the mix: the mean over its tasks, at this slower pace too
}

void MainWindow::updateStatus()
{
    if (!m_statusState)
        return;
    const QLocale l;
    const bool running = m_controller->isRunning();
    const int total = m_store.taskCount();
    if (running) {
        const double seconds = double(m_runClock.elapsed()) / 1000.0;
        m_statusState->setText(m_stopping
                ? tr("Stopping…")
                : tr("● Running %1 · %2 s").arg(modeLabel(m_runSettings.mode)).arg(l.toString(seconds, 'f', 1)));
    } else if (m_lastSummary) {
        const RunSummary& s = *m_lastSummary;
        if (!s.error.isEmpty())
            m_statusState->setText(tr("Failed to run"));
        else if (s.stopped)
            m_statusState->setText(tr("Stopped after %1").arg(SummaryPanel::formatDuration(s.wallMs)));
        else
            m_statusState->setText(tr("Finished in %1").arg(SummaryPanel::formatDuration(s.wallMs)));
    } else {
        m_statusState->setText(tr("Ready"));
    }
    m_statusTasks->setText(total > 0 ? tr("%1 / %2 tasks done").arg(m_store.tasksFinished()).arg(total) : QString());
    m_statusTasks->setVisible(total > 0);

    double rate = 0;
    if (m_rateWindow.size() >= 2) {
        const auto& [t0, n0] = m_rateWindow.front();
        const auto& [t1, n1] = m_rateWindow.back();
        if (t1 > t0)
            rate = double(n1 - n0) * 1e9 / double(t1 - t0);
    }
    m_statusRate->setText(running ? tr("%1 events/s").arg(l.toString(rate, 'f', 0))
                                  : tr("%1 events").arg(l.toString(qulonglong(m_store.eventCount()))));
    const uint64_t dropped = m_store.droppedEvents();
    m_statusDropped->setText(tr("%1 dropped").arg(l.toString(qulonglong(dropped))));
    m_statusDropped->setStyleSheet(
        dropped > 0 ? QStringLiteral("color: %1; font-weight: bold;").arg(errorTextColor(m_theme).name()) : QString());
}

} // namespace taskline
