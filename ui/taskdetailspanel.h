#pragma once

#include "mix.h"
#include "palette.h"

#include <QWidget>
#include <vector>

class QLabel;
class QScrollArea;

namespace taskline {

class StateBarChart;
class TraceStore;
struct RunSummary;

// The selected task of the last run: its status, worker, when it ran, the error of a failed task, and each of its
// steps with how long it took and the states it went through (from the task's spans, which carry their step
// index). Without a run it lists the steps of the task selected in the mix.
// Thread: GUI only.
class TaskDetailsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit TaskDetailsPanel(QWidget* parent = nullptr);

    // The run whose tasks are shown (not owned; nullptr: no run). `summary` is set once the run has ended.
    void setRun(const TraceStore* store, const std::vector<TaskInstance>* tasks, const RunSummary* summary);
    // A task of the run, by id; -1 shows nothing (or the spec given to showSpec).
    void showTask(int task);
    int task() const { return m_task; }
    // No run task to show: list the steps of a task of the mix instead.
    void showSpec(const TaskSpec& spec);
    // The run grew (new batches) or ended: recompute the shown task.
    void refresh();
    void setTheme(Theme theme);

    StateBarChart* chart() const { return m_chart; }
    QString statusText() const;
    QString errorText() const;

private:
    void showPlaceholder();

    const TraceStore* m_store = nullptr;
    const std::vector<TaskInstance>* m_tasks = nullptr;
    const RunSummary* m_summary = nullptr;
    int m_task = -1;
    Theme m_theme = Theme::Light;

    QLabel* m_name;
    QLabel* m_status;
    QLabel* m_error;
    QLabel* m_hint;
    StateBarChart* m_chart;
    QScrollArea* m_scroll;
};

} // namespace taskline
