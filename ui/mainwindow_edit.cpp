// MainWindow: the task table's commands and keeping the table, the timeline, the summary and the details panel
// on the same task.

#include "mainwindow.h"
#include "mixdocument.h"
#include "runpanel.h"
#include "stepeditor.h"
#include "summarypanel.h"
#include "taskdetailspanel.h"
#include "tasktablemodel.h"
#include "undocommands.h"

#include <QAction>
#include <QActionGroup>
#include <QTableView>
#include <QUndoStack>

namespace taskline {

int MainWindow::currentTaskRow() const
{
    if (!m_taskView)
        return -1;
    const QModelIndex index = m_taskView->currentIndex();
    return index.isValid() ? index.row() : -1;
}

void MainWindow::selectTaskRow(int row)
{
    if (row < 0 || row >= m_taskModel->rowCount()) {
        m_taskView->setCurrentIndex({});
        onTaskRowChanged(-1);
        return;
    }
    const QModelIndex index = m_taskModel->index(row, currentTaskRow() >= 0 ? m_taskView->currentIndex().column() : 0);
    if (index == m_taskView->currentIndex()) {
        onTaskRowChanged(row); // the row's content may have changed under the same index
    } else {
        m_taskView->setCurrentIndex(index);
    }
    m_taskView->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_taskView->scrollTo(index);
}

void MainWindow::onTaskRowChanged(int row)
{
    m_stepEditor->setTask(row);
    updateActions();
    if (m_selecting)
        return;
    const auto& tasks = m_doc->mix().tasks;
    if (row < 0 || size_t(row) >= tasks.size()) {
        m_traceView->setSelectedTask(-1);
        m_summaryPanel->setSelectedTask(-1);
        m_detailsPanel->showTask(-1);
        return;
    }
    // A row is a task of the mix, not one task of the run: the timeline keeps every task in view (no selection),
    // and the details show the row's tasks in the run together, if the run on screen still has them (it may come
    // from an older version of the mix).
    m_traceView->setSelectedTask(-1);
    m_summaryPanel->setSelectedTask(-1);
    std::vector<int> instances;
    if (size_t(row) < m_runSpecNames.size() && m_runSpecNames[size_t(row)] == tasks[size_t(row)].name) {
        for (const TaskInstance& t : m_runTasks)
            if (t.specIndex == row)
                instances.push_back(t.id);
    }
    if (instances.empty()) {
        m_detailsPanel->showSpec(tasks[size_t(row)]);
        return;
    }
    TaskSpec ran = tasks[size_t(row)];
    ran.steps = m_runTasks[size_t(instances.front())].steps; // the steps as they ran, whatever was edited since
    m_detailsPanel->showSpecInRun(ran, std::move(instances));
}

void MainWindow::showRunTask(int task)
{
    m_traceView->setSelectedTask(task);
    m_summaryPanel->setSelectedTask(task);
    m_detailsPanel->showTask(task);
    if (task < 0 || size_t(task) >= m_runTasks.size())
        return;
    const int row = m_runTasks[size_t(task)].specIndex;
    const auto& tasks = m_doc->mix().tasks;
    if (size_t(row) < m_runSpecNames.size() && size_t(row) < tasks.size()
        && m_runSpecNames[size_t(row)] == tasks[size_t(row)].name) {
        m_selecting = true;
        selectTaskRow(row);
        m_selecting = false;
    }
}

void MainWindow::addTask()
{
    const int at = currentTaskRow() < 0 ? m_taskModel->rowCount() : currentTaskRow() + 1;
    TaskSpec task;
    // A name not yet in the mix: "task 2", "task 3", …
    for (int n = m_taskModel->rowCount() + 1;; ++n) {
        task.name = tr("task %1").arg(n);
        bool taken = false;
        for (const TaskSpec& t : m_doc->mix().tasks)
            taken = taken || t.name == task.name;
        if (!taken)
            break;
    }
    task.steps = { Step::makeCompute(100) };
    m_doc->undoStack()->push(new InsertTaskCommand(m_doc, at, task, tr("Add Task")));
    selectTaskRow(at);
    m_taskView->edit(m_taskModel->index(at, TaskTableModel::NameColumn));
}

void MainWindow::duplicateTask()
{
    const int row = currentTaskRow();
    if (row < 0)
        return;
    TaskSpec copy = m_doc->mix().tasks[size_t(row)];
    copy.name = tr("%1 copy").arg(copy.name);
    m_doc->undoStack()->push(new InsertTaskCommand(m_doc, row + 1, copy, tr("Duplicate Task “%1”").arg(copy.name)));
    selectTaskRow(row + 1);
}

void MainWindow::removeTask()
{
    const int row = currentTaskRow();
    if (row < 0 || m_taskModel->rowCount() <= 1)
        return;
    m_doc->undoStack()->push(new RemoveTaskCommand(m_doc, row));
}

void MainWindow::moveTask(int delta)
{
    const int from = currentTaskRow();
    const int to = from + delta;
    if (from < 0 || to < 0 || to >= m_taskModel->rowCount())
        return;
    m_doc->undoStack()->push(new MoveTaskCommand(m_doc, from, to));
    selectTaskRow(to);
}

void MainWindow::onSettingsEdited(const RunSettings& settings, const QString&)
{
    // The run settings override the mix's defaults (design.md): trying another mode is not an edit of the mix, so
    // it neither enters the undo history nor asks to be saved. Saving the mix stores them as its defaults.
    m_modeGroup->actions().at(int(settings.mode))->setChecked(true);
    updateActions();
}

} // namespace taskline
