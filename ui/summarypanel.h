#pragma once

#include "palette.h"
#include "summary.h"

#include <QWidget>
#include <optional>

class QLabel;
class QScrollArea;
class QStackedWidget;

namespace taskline {

class StateBarChart;
class TraceStore;

// What a run measured, once it is over: wall time, CPU time, cores used on average, the speedup against the last
// sequential run of the same mix in this window, warnings (stopped, failed tasks, dropped events), and a stacked
// bar per task of the time it spent in each state.
// Thread: GUI only.
class SummaryPanel : public QWidget
{
    Q_OBJECT
public:
    explicit SummaryPanel(QWidget* parent = nullptr);

    void showIdle(); // no run yet
    void showRunning(const QString& what); // "Threads · 6 workers · GIL on"
    // While a run goes on: the time so far, the CPU the samples saw, and each task's bar as it grows.
    void showLive(const TraceStore& store, const QString& what, double elapsedMs);
    // `sequentialWallMs`: the last sequential run of the same mix, if any.
    void showSummary(const RunSummary& summary, std::optional<double> sequentialWallMs);
    void setTheme(Theme theme);
    void setSelectedTask(int task);

    bool hasSummary() const { return m_summary.has_value(); }
    const RunSummary* summary() const { return m_summary ? &*m_summary : nullptr; }
    StateBarChart* chart() const { return m_chart; }
    // The text of a figure: "wall", "cpu", "cores", "speedup", "events".
    QString figure(const QString& name) const;

    // "Threads · 6 workers · GIL on · switch 5 ms"
    static QString describeSettings(const RunSettings& settings, int workers);
    static QString formatDuration(double ms);

signals:
    void taskClicked(int task);

private:
    void rebuild();
    void showWarnings(const QStringList& warnings);

    std::optional<RunSummary> m_summary;
    std::optional<double> m_sequentialMs;
    Theme m_theme = Theme::Light;

    QStackedWidget* m_pages;
    QLabel* m_message;
    QLabel* m_title;
    QLabel* m_wall;
    QLabel* m_cpu;
    QLabel* m_cores;
    QLabel* m_speedup;
    QLabel* m_events;
    QLabel* m_warnings;
    QLabel* m_legend;
    QScrollArea* m_scroll;
    StateBarChart* m_chart;
};

} // namespace taskline
