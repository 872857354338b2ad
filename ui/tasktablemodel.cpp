#include "tasktablemodel.h"

#include "mixdocument.h"
#include "mixformat.h"
#include "undocommands.h"

#include <QLocale>

namespace taskline {

TaskTableModel::TaskTableModel(MixDocument* doc, QObject* parent)
    : QAbstractTableModel(parent)
    , m_doc(doc)
{
    connect(doc, &MixDocument::aboutToReset, this, [this] { beginResetModel(); });
    connect(doc, &MixDocument::reset, this, [this] { endResetModel(); });
    connect(doc, &MixDocument::taskAboutToBeInserted, this, [this](int i) { beginInsertRows({}, i, i); });
    connect(doc, &MixDocument::taskInserted, this, [this] { endInsertRows(); });
    connect(doc, &MixDocument::taskAboutToBeRemoved, this, [this](int i) { beginRemoveRows({}, i, i); });
    connect(doc, &MixDocument::taskRemoved, this, [this] { endRemoveRows(); });
    connect(doc, &MixDocument::taskAboutToBeMoved, this, [this](int from, int to) {
        // Qt wants the row the moved one lands before, counted before the move.
        beginMoveRows({}, from, from, {}, to > from ? to + 1 : to);
    });
    connect(doc, &MixDocument::taskMoved, this, [this] { endMoveRows(); });
    connect(doc, &MixDocument::taskChanged, this,
        [this](int row) { emit dataChanged(index(row, 0), index(row, ColumnCount - 1)); });
}

int TaskTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_doc->mix().tasks.size());
}

int TaskTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TaskTableModel::data(const QModelIndex& index, int role) const
{
    if (!isValid(index))
        return {};
    const TaskSpec& task = m_doc->mix().tasks[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return task.name;
        case CountColumn:
            return QLocale().toString(task.count);
        case StepsColumn:
            return task.describeSteps();
        }
        break;
    case Qt::EditRole:
        switch (index.column()) {
        case NameColumn:
            return task.name;
        case CountColumn:
            // A string, so that the editor is a line edit: any text can be typed and a bad one is refused with
            // the reason, instead of a spin box that silently clamps.
            return QString::number(task.count);
        case StepsColumn:
            return task.describeSteps();
        }
        break;
    case Qt::ToolTipRole: {
        QStringList lines;
        for (size_t i = 0; i < task.steps.size(); ++i)
            lines << QStringLiteral("%1. %2").arg(i + 1).arg(task.steps[i].describe().toHtmlEscaped());
        const QString steps = lines.join(QStringLiteral("<br>"));
        return tr("<b>%1</b> ×%2<br>%3").arg(task.name.toHtmlEscaped()).arg(task.count).arg(steps);
    }
    case Qt::TextAlignmentRole:
        if (index.column() == CountColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    }
    return {};
}

QVariant TaskTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Task");
    case CountColumn:
        return tr("Count");
    case StepsColumn:
        return tr("Steps");
    }
    return {};
}

Qt::ItemFlags TaskTableModel::flags(const QModelIndex& index) const
{
    if (!isValid(index))
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
    if (index.column() == NameColumn || index.column() == CountColumn)
        f |= Qt::ItemIsEditable;
    return f;
}

QString TaskTableModel::nameProblem(int task, const QString& text) const
{
    Mix candidate = m_doc->mix();
    candidate.tasks[size_t(task)].name = text;
    const MixError e = validateMix(candidate);
    return e.isEmpty() ? QString() : tr("Task name %1.").arg(e.message);
}

QString TaskTableModel::countProblem(int task, const QString& text, int* count) const
{
    bool ok = false;
    const QString trimmed = text.trimmed();
    double value = QLocale().toDouble(trimmed, &ok);
    if (!ok)
        value = trimmed.toDouble(&ok);
    if (!ok)
        return tr("Count must be a whole number (got “%1”).").arg(text);
    if (value < 1 || value > kMaxCount || value != double(qint64(value)))
        return tr("Count must be a whole number from 1 to %1 (got %2).").arg(kMaxCount).arg(trimmed);
    Mix candidate = m_doc->mix();
    candidate.tasks[size_t(task)].count = int(value);
    const MixError e = validateMix(candidate);
    if (!e.isEmpty())
        return tr("Count refused: %1.").arg(e.message);
    if (count)
        *count = int(value);
    return {};
}

bool TaskTableModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (role != Qt::EditRole || !isValid(index))
        return false;
    const int row = index.row();
    const TaskSpec& task = m_doc->mix().tasks[size_t(row)];
    if (index.column() == NameColumn) {
        const QString name = value.toString();
        if (name == task.name)
            return true;
        const QString problem = nameProblem(row, name);
        if (!problem.isEmpty()) {
            emit editRefused(row, NameColumn, problem);
            return false;
        }
        m_doc->undoStack()->push(new EditTaskFieldCommand(m_doc, row, TaskField::Name, name));
        return true;
    }
    if (index.column() == CountColumn) {
        int count = 0;
        const QString problem = countProblem(row, value.toString(), &count);
        if (!problem.isEmpty()) {
            emit editRefused(row, CountColumn, problem);
            return false;
        }
        if (count != task.count)
            m_doc->undoStack()->push(new EditTaskFieldCommand(m_doc, row, TaskField::Count, count));
        return true;
    }
    return false;
}

} // namespace taskline
