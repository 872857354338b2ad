#pragma once

#include "event.h"
#include "mix.h"
#include "palette.h"
#include "statebarchart.h"

#include <QWidget>
#include <array>
#include <map>
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
    // A task of the mix and its tasks in the run (its `count` instances): the mean time of each step, how many
    // finished, the fastest and the slowest, and the first error.
    void showSpecInRun(const TaskSpec& spec, std::vector<int> tasks);
    // The run grew (new batches) or ended: recompute the shown task.
    void refresh();
    void setTheme(Theme theme);

    StateBarChart* chart() const { return m_chart; }
    QString statusText() const;
    QString errorText() const;

private:
    void showPlaceholder();
    void refreshGroup();
    std::map<int, std::array<double, kTimedStateCount>> stepStateMs(int task) const;
    static std::vector<StateBarRow> stepRows(
        const std::vector<Step>& steps, const std::map<int, std::array<double, kTimedStateCount>>& bySteps, bool mean);

    const TraceStore* m_store = nullptr;
    const std::vector<TaskInstance>* m_tasks = nullptr;
    const RunSummary* m_summary = nullptr;
    int m_task = -1;
    TaskSpec m_spec; // with m_group: the task of the mix shown
    std::vector<int> m_group; // its tasks in the run
    Theme m_theme = Theme::Light;

    QLabel* m_name;
    QLabel* m_status;
    QLabel* m_error;
    QLabel* m_hint;
    StateBarChart* m_chart;
    QScrollArea* m_scroll;
};

} // namespace taskline
