#pragma once

#include "mix.h"

#include <QUndoCommand>
#include <QVariant>

namespace taskline {

class MixDocument;

// Every change to a MixDocument is one of these commands, pushed onto its undo stack. Values are checked by the
// editors before a command is made; commands only apply them. Consecutive edits of the same field (typing a
// number digit by digit) merge into one step of history.

enum class TaskField
{
    Name,
    Count,
};

class EditTaskFieldCommand : public QUndoCommand
{
public:
    EditTaskFieldCommand(MixDocument* doc, int task, TaskField field, const QVariant& value);
    void undo() override;
    void redo() override;
    int id() const override { return 1; }
    bool mergeWith(const QUndoCommand* other) override;

private:
    void apply(const QVariant& value);

    MixDocument* m_doc;
    int m_task;
    TaskField m_field;
    QVariant m_old;
    QVariant m_new;
};

// Adds a task at `index` (add and duplicate).
class InsertTaskCommand : public QUndoCommand
{
public:
    InsertTaskCommand(MixDocument* doc, int index, const TaskSpec& task, const QString& text);
    void undo() override;
    void redo() override;

private:
    MixDocument* m_doc;
    int m_index;
    TaskSpec m_task;
};

class RemoveTaskCommand : public QUndoCommand
{
public:
    RemoveTaskCommand(MixDocument* doc, int index);
    void undo() override;
    void redo() override;

private:
    MixDocument* m_doc;
    int m_index;
    TaskSpec m_task;
};

class MoveTaskCommand : public QUndoCommand
{
public:
    MoveTaskCommand(MixDocument* doc, int from, int to);
    void undo() override;
    void redo() override;

private:
    MixDocument* m_doc;
    int m_from;
    int m_to;
};

// Replaces one step. `field` names what changed ("duration", "URL", …); edits of the same field of the same step
// merge.
class EditStepCommand : public QUndoCommand
{
public:
    EditStepCommand(MixDocument* doc, int task, int step, const Step& value, const QString& field);
    void undo() override;
    void redo() override;
    int id() const override { return 2; }
    bool mergeWith(const QUndoCommand* other) override;

private:
    MixDocument* m_doc;
    int m_task;
    int m_step;
    QString m_field;
    Step m_old;
    Step m_new;
};

class InsertStepCommand : public QUndoCommand
{
public:
    InsertStepCommand(MixDocument* doc, int task, int index, const Step& step, const QString& text);
    void undo() override;
    void redo() override;

private:
    MixDocument* m_doc;
    int m_task;
    int m_index;
    Step m_step;
};

class RemoveStepCommand : public QUndoCommand
{
public:
    RemoveStepCommand(MixDocument* doc, int task, int index);
    void undo() override;
    void redo() override;

private:
    MixDocument* m_doc;
    int m_task;
    int m_index;
    Step m_step;
};

class MoveStepCommand : public QUndoCommand
{
public:
    MoveStepCommand(MixDocument* doc, int task, int from, int to);
    void undo() override;
    void redo() override;

private:
    MixDocument* m_doc;
    int m_task;
    int m_from;
    int m_to;
};

// The mix's name and description.
class EditInfoCommand : public QUndoCommand
{
public:
    EditInfoCommand(MixDocument* doc, const QString& name, const QString& description);
    void undo() override;
    void redo() override;
    int id() const override { return 3; }
    bool mergeWith(const QUndoCommand* other) override;

private:
    MixDocument* m_doc;
    QString m_oldName, m_oldDescription;
    QString m_newName, m_newDescription;
};

} // namespace taskline
