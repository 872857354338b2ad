#include "undocommands.h"

#include "mixdocument.h"

#include <QCoreApplication>

namespace taskline {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("taskline::UndoCommands", text);
}

} // namespace

// --- tasks -------------------------------------------------------------------------------------------------------

EditTaskFieldCommand::EditTaskFieldCommand(MixDocument* doc, int task, TaskField field, const QVariant& value)
    : m_doc(doc)
    , m_task(task)
    , m_field(field)
    , m_new(value)
{
    const TaskSpec& spec = doc->mix().tasks[size_t(task)];
    if (field == TaskField::Name) {
        m_old = spec.name;
        setText(tr("Rename Task “%1”").arg(spec.name));
    } else {
        m_old = spec.count;
        setText(tr("Change Count of “%1”").arg(spec.name));
    }
}

void EditTaskFieldCommand::apply(const QVariant& value)
{
    if (m_field == TaskField::Name)
        m_doc->setTaskName(m_task, value.toString());
    else
        m_doc->setTaskCount(m_task, value.toInt());
    m_doc->requestFocus(m_task);
}

void EditTaskFieldCommand::undo()
{
    apply(m_old);
}

void EditTaskFieldCommand::redo()
{
    apply(m_new);
}

bool EditTaskFieldCommand::mergeWith(const QUndoCommand* other)
{
    const auto* o = static_cast<const EditTaskFieldCommand*>(other);
    if (o->m_doc != m_doc || o->m_task != m_task || o->m_field != m_field)
        return false;
    m_new = o->m_new;
    setObsolete(m_new == m_old);
    return true;
}

InsertTaskCommand::InsertTaskCommand(MixDocument* doc, int index, const TaskSpec& task, const QString& text)
    : m_doc(doc)
    , m_index(index)
    , m_task(task)
{
    setText(text);
}

void InsertTaskCommand::undo()
{
    m_doc->takeTask(m_index);
    m_doc->requestFocus(std::min(m_index, int(m_doc->mix().tasks.size()) - 1));
}

void InsertTaskCommand::redo()
{
    m_doc->insertTask(m_index, m_task);
    m_doc->requestFocus(m_index);
}

RemoveTaskCommand::RemoveTaskCommand(MixDocument* doc, int index)
    : m_doc(doc)
    , m_index(index)
    , m_task(doc->mix().tasks[size_t(index)])
{
    setText(tr("Remove Task “%1”").arg(m_task.name));
}

void RemoveTaskCommand::undo()
{
    m_doc->insertTask(m_index, m_task);
    m_doc->requestFocus(m_index);
}

void RemoveTaskCommand::redo()
{
    m_doc->takeTask(m_index);
    m_doc->requestFocus(std::min(m_index, int(m_doc->mix().tasks.size()) - 1));
}

MoveTaskCommand::MoveTaskCommand(MixDocument* doc, int from, int to)
    : m_doc(doc)
    , m_from(from)
    , m_to(to)
{
    setText(tr("Move Task “%1” %2").arg(doc->mix().tasks[size_t(from)].name, to < from ? tr("Up") : tr("Down")));
}

void MoveTaskCommand::undo()
{
    m_doc->moveTask(m_to, m_from);
    m_doc->requestFocus(m_from);
}

void MoveTaskCommand::redo()
{
    m_doc->moveTask(m_from, m_to);
    m_doc->requestFocus(m_to);
}

// --- steps -------------------------------------------------------------------------------------------------------

EditStepCommand::EditStepCommand(MixDocument* doc, int task, int step, const Step& value, const QString& field)
    : m_doc(doc)
    , m_task(task)
    , m_step(step)
    , m_field(field)
    , m_old(doc->mix().tasks[size_t(task)].steps[size_t(step)])
    , m_new(value)
{
    setText(tr("Change %1 of Step %2 of “%3”").arg(field).arg(step + 1).arg(doc->mix().tasks[size_t(task)].name));
}

void EditStepCommand::undo()
{
    m_doc->setStep(m_task, m_step, m_old);
    m_doc->requestFocus(m_task, m_step);
}

void EditStepCommand::redo()
{
    m_doc->setStep(m_task, m_step, m_new);
    m_doc->requestFocus(m_task, m_step);
}

bool EditStepCommand::mergeWith(const QUndoCommand* other)
{
    const auto* o = static_cast<const EditStepCommand*>(other);
    if (o->m_doc != m_doc || o->m_task != m_task || o->m_step != m_step || o->m_field != m_field)
        return false;
    m_new = o->m_new;
    // Step::operator== ignores the members of other kinds; a kind change is never "back to the same".
    setObsolete(m_new == m_old && m_new.kind == m_old.kind);
    return true;
}

InsertStepCommand::InsertStepCommand(MixDocument* doc, int task, int index, const Step& step, const QString& text)
    : m_doc(doc)
    , m_task(task)
    , m_index(index)
    , m_step(step)
{
    setText(text);
}

void InsertStepCommand::undo()
{
    m_doc->takeStep(m_task, m_index);
    m_doc->requestFocus(m_task, std::min(m_index, int(m_doc->mix().tasks[size_t(m_task)].steps.size()) - 1));
}

void InsertStepCommand::redo()
{
    m_doc->insertStep(m_task, m_index, m_step);
    m_doc->requestFocus(m_task, m_index);
}

RemoveStepCommand::RemoveStepCommand(MixDocument* doc, int task, int index)
    : m_doc(doc)
    , m_task(task)
    , m_index(index)
    , m_step(doc->mix().tasks[size_t(task)].steps[size_t(index)])
{
    setText(tr("Remove Step %1 of “%2”").arg(index + 1).arg(doc->mix().tasks[size_t(task)].name));
}

void RemoveStepCommand::undo()
{
    m_doc->insertStep(m_task, m_index, m_step);
    m_doc->requestFocus(m_task, m_index);
}

void RemoveStepCommand::redo()
{
    m_doc->takeStep(m_task, m_index);
    m_doc->requestFocus(m_task, std::min(m_index, int(m_doc->mix().tasks[size_t(m_task)].steps.size()) - 1));
}

MoveStepCommand::MoveStepCommand(MixDocument* doc, int task, int from, int to)
    : m_doc(doc)
    , m_task(task)
    , m_from(from)
    , m_to(to)
{
    setText(tr("Move Step %1 of “%2” %3")
                .arg(from + 1)
                .arg(doc->mix().tasks[size_t(task)].name, to < from ? tr("Up") : tr("Down")));
}

void MoveStepCommand::undo()
{
    m_doc->moveStep(m_task, m_to, m_from);
    m_doc->requestFocus(m_task, m_from);
}

void MoveStepCommand::redo()
{
    m_doc->moveStep(m_task, m_from, m_to);
    m_doc->requestFocus(m_task, m_to);
}

// --- the mix itself ----------------------------------------------------------------------------------------------

EditInfoCommand::EditInfoCommand(MixDocument* doc, const QString& name, const QString& description)
    : m_doc(doc)
    , m_oldName(doc->mix().name)
    , m_oldDescription(doc->mix().description)
    , m_newName(name)
    , m_newDescription(description)
{
    setText(name != m_oldName ? tr("Rename Mix") : tr("Change Mix Description"));
}

void EditInfoCommand::undo()
{
    m_doc->setInfo(m_oldName, m_oldDescription);
}

void EditInfoCommand::redo()
{
    m_doc->setInfo(m_newName, m_newDescription);
}

bool EditInfoCommand::mergeWith(const QUndoCommand* other)
{
    const auto* o = static_cast<const EditInfoCommand*>(other);
    if (o->m_doc != m_doc || o->text() != text())
        return false;
    m_newName = o->m_newName;
    m_newDescription = o->m_newDescription;
    setObsolete(m_newName == m_oldName && m_newDescription == m_oldDescription);
    return true;
}

} // namespace taskline
