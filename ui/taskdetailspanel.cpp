#include "taskdetailspanel.h"

#include "statebarchart.h"
#include "summary.h"
#include "summarypanel.h"
#include "theme.h"
#include "tracestore.h"

#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QVBoxLayout>
#include <array>
#include <map>

namespace taskline {

TaskDetailsPanel::TaskDetailsPanel(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 6);
    layout->setSpacing(4);
    m_name = new QLabel;
    m_name->setObjectName(QStringLiteral("taskName"));
    QFont f = m_name->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.2);
    m_name->setFont(f);
    m_name->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_name);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("taskStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);
    m_error = new QLabel;
    m_error->setObjectName(QStringLiteral("taskError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_error);
    m_chart = new StateBarChart;
    m_chart->setObjectName(QStringLiteral("stepChart"));
    m_scroll = new QScrollArea;
    m_scroll->setWidget(m_chart);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    layout->addWidget(m_scroll, 1);
    m_hint = new QLabel;
    m_hint->setWordWrap(true);
    setMutedText(m_hint);
    layout->addWidget(m_hint);
    showTask(-1);
}

void TaskDetailsPanel::setRun(
    const TraceStore* store, const std::vector<TaskInstance>* tasks, const RunSummary* summary)
{
    m_store = store;
    m_tasks = tasks;
    m_summary = summary;
    if (!m_store || !m_tasks || m_task >= int(m_tasks->size()))
        m_task = -1;
    if (m_task < 0 && m_group.empty())
        showPlaceholder();
    else
        refresh();
}

void TaskDetailsPanel::showTask(int task)
{
    m_task = task;
    m_group.clear();
    if (task < 0)
        showPlaceholder();
    else
        refresh();
}

void TaskDetailsPanel::showPlaceholder()
{
    m_name->setText(tr("No task selected"));
    m_status->setText(tr("Click a task in the timeline, the summary or the mix to see its steps here."));
    m_error->hide();
    m_chart->setRows({});
    m_hint->hide();
}

void TaskDetailsPanel::setTheme(Theme theme)
{
    m_theme = theme;
    m_chart->setTheme(theme);
    m_error->setStyleSheet(QStringLiteral("color: %1;").arg(errorTextColor(theme).name()));
}

QString TaskDetailsPanel::statusText() const
{
    return m_status->text();
}

QString TaskDetailsPanel::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

void TaskDetailsPanel::showSpec(const TaskSpec& spec)
{
    m_task = -1;
    m_group.clear();
    m_name->setText(spec.name);
    m_status->setText(
        (spec.count == 1 ? tr("Not run yet.") : tr("Not run yet: %1 copies in the mix.").arg(spec.count)));
    m_error->hide();
    std::vector<StateBarRow> rows;
    for (size_t i = 0; i < spec.steps.size(); ++i) {
        StateBarRow row;
        row.label = QStringLiteral("%1. %2").arg(i + 1).arg(spec.steps[i].describe());
        row.id = int(i);
        rows.push_back(std::move(row));
    }
    m_chart->setRows(std::move(rows));
    m_hint->setText(tr("Run the mix to see how long each step took and what it waited for."));
    m_hint->show();
}

std::map<int, std::array<double, kTimedStateCount>> TaskDetailsPanel::stepStateMs(int task) const
{
    // Per step: the time of the task's spans, by state (spans carry their step index; -1 before the first step).
    // Open spans of a running task count up to the newest event.
    const TraceStore& store = *m_store;
    const int64_t openEnd = store.isFinished() ? store.endNs() : store.lastEventNs();
    std::map<int, std::array<double, kTimedStateCount>> bySteps;
    for (uint32_t i : store.taskSpans(task)) {
        const Span& sp = store.spans()[i];
        if (int(sp.state) >= kTimedStateCount)
            continue;
        const int64_t end = sp.endNs == TraceStore::kOpen ? openEnd : sp.endNs;
        bySteps[sp.step][size_t(sp.state)] += double(std::max<int64_t>(0, end - sp.startNs)) / 1e6;
    }
    return bySteps;
}

std::vector<StateBarRow> TaskDetailsPanel::stepRows(
    const std::vector<Step>& steps, const std::map<int, std::array<double, kTimedStateCount>>& bySteps, bool mean)
{
    StateBarRow whole;
    whole.label = mean ? tr("Whole task (mean)") : tr("Whole task");
    whole.id = -2;
    for (const auto& [step, ms] : bySteps)
        for (int s = 0; s < kTimedStateCount; ++s)
            whole.ms[size_t(s)] += ms[size_t(s)];
    whole.trailing = SummaryPanel::formatDuration(whole.total());
    std::vector<StateBarRow> rows { whole };
    if (auto it = bySteps.find(-1); it != bySteps.end()) {
        StateBarRow row;
        row.ms = it->second;
        if (row.total() > 0) {
            row.label = tr("Before step 1");
            row.id = -1;
            row.trailing = SummaryPanel::formatDuration(row.total());
            rows.push_back(row);
        }
    }
    for (size_t i = 0; i < steps.size(); ++i) {
        StateBarRow row;
        if (auto it = bySteps.find(int(i)); it != bySteps.end())
            row.ms = it->second;
        row.label = QStringLiteral("%1. %2").arg(i + 1).arg(steps[i].describe());
        row.id = int(i);
        row.trailing = row.total() > 0 ? SummaryPanel::formatDuration(row.total()) : tr("not reached");
        rows.push_back(std::move(row));
    }
    return rows;
}

void TaskDetailsPanel::showSpecInRun(const TaskSpec& spec, std::vector<int> tasks)
{
    m_task = -1;
    m_spec = spec;
    m_group = std::move(tasks);
    refresh();
}

void TaskDetailsPanel::refreshGroup()
{
    const TraceStore& store = *m_store;
    std::map<int, std::array<double, kTimedStateCount>> sum;
    int done = 0;
    int failed = 0;
    double fastest = -1;
    double slowest = -1;
    QString firstError;
    for (int t : m_group) {
        if (t < 0 || t >= store.taskCount())
            continue;
        for (const auto& [step, ms] : stepStateMs(t))
            for (int s = 0; s < kTimedStateCount; ++s)
                sum[step][size_t(s)] += ms[size_t(s)];
        const TaskState state = store.taskState(t);
        done += state == TaskState::Done;
        failed += state == TaskState::Failed;
        if (state == TaskState::Done || state == TaskState::Failed) {
            const auto ns = store.taskStateNs(t);
            double total = 0;
            for (int64_t v : ns)
                total += double(v) / 1e6;
            fastest = fastest < 0 ? total : std::min(fastest, total);
            slowest = std::max(slowest, total);
        }
        if (state == TaskState::Failed && firstError.isEmpty() && m_summary && size_t(t) < m_summary->tasks.size())
            firstError = (*m_tasks)[size_t(t)].name + QStringLiteral(": ") + m_summary->tasks[size_t(t)].error;
    }
    const int n = int(m_group.size());
    for (auto& [step, ms] : sum)
        for (double& v : ms)
            v /= std::max(1, n);

    m_name->setText(m_spec.name);
    QStringList status;
    status << (n == 1 ? tr("1 task in the run") : tr("%1 tasks in the run").arg(n));
    status << tr("%1 done").arg(done);
    if (failed > 0)
        status << tr("%1 failed").arg(failed);
    if (fastest >= 0 && n > 1)
        status << tr("fastest %1, slowest %2")
                      .arg(SummaryPanel::formatDuration(fastest), SummaryPanel::formatDuration(slowest));
    m_status->setText(status.join(QStringLiteral(" · ")));
    m_error->setText(failed > 1 ? tr("%1 (and %2 more)").arg(firstError).arg(failed - 1) : firstError);
    m_error->setVisible(!firstError.isEmpty());
    m_chart->setRows(stepRows(m_spec.steps, sum, n > 1));
    m_hint->setText(n > 1 ? tr("The mean of its %1 tasks. Click one in the timeline or the summary for its own "
                               "steps.")
                                .arg(n)
                          : tr("Hover a bar for its breakdown by state."));
    m_hint->show();
}

void TaskDetailsPanel::refresh()
{
    if (m_task < 0) {
        if (!m_group.empty() && m_store && m_tasks)
            refreshGroup();
        return; // else nothing, or a task of the mix (showSpec), is shown
    }
    if (!m_store || !m_tasks || m_task >= int(m_tasks->size()) || m_task >= m_store->taskCount()) {
        showPlaceholder();
        return;
    }
    const TaskInstance& task = (*m_tasks)[size_t(m_task)];
    const TraceStore& store = *m_store;
    m_name->setText(task.name);

    // Status line: state, worker, when it ran.
    const TaskState state = store.taskState(m_task);
    QString status;
    const TaskSummary* ts
        = m_summary && size_t(m_task) < m_summary->tasks.size() ? &m_summary->tasks[size_t(m_task)] : nullptr;
    if (ts && ts->status == QLatin1String("stopped"))
        status = tr("Stopped (the run ended first)");
    else
        status = stateLabel(state);
    const int worker = store.taskWorker(m_task);
    if (worker >= 0 && size_t(worker) < store.workers().size())
        status += tr(" · on %1").arg(store.workers()[size_t(worker)].name);
    if (store.taskStartNs(m_task) >= 0) {
        const double start = double(store.taskStartNs(m_task)) / 1e6;
        status += tr(" · started at %1").arg(SummaryPanel::formatDuration(start));
        if (store.taskEndNs(m_task) >= 0) {
            const double end = double(store.taskEndNs(m_task)) / 1e6;
            status += tr(", ended at %1").arg(SummaryPanel::formatDuration(end));
        }
    }
    m_status->setText(status);
    const QString error = ts ? ts->error : QString();
    const bool showError = !error.isEmpty() && (state == TaskState::Failed || ts->status == QLatin1String("stopped"));
    m_error->setText(error);
    m_error->setVisible(showError);

    m_chart->setRows(stepRows(task.steps, stepStateMs(m_task), false));
    m_hint->setText(tr("Hover a bar for its breakdown by state."));
    m_hint->show();
}

} // namespace taskline
