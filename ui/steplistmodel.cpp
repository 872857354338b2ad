#include "steplistmodel.h"

#include "mixdocument.h"

#include <QPainter>
#include <QPixmap>

namespace taskline {

namespace {

TaskState stateOfStep(StepKind kind)
{
    switch (kind) {
    case StepKind::Compute:
        return TaskState::Running;
    case StepKind::Fetch:
        return TaskState::BlockedIo;
    case StepKind::Sleep:
        return TaskState::Sleeping;
    }
    return TaskState::Running;
}

} // namespace

StepListModel::StepListModel(MixDocument* doc, QObject* parent)
    : QAbstractListModel(parent)
    , m_doc(doc)
{
    connect(doc, &MixDocument::aboutToReset, this, [this] { beginResetModel(); });
    connect(doc, &MixDocument::reset, this, [this] {
        m_task = m_doc->mix().tasks.empty() ? -1 : 0;
        endResetModel();
    });
    // Tasks come and go around the shown one: follow it, or show nothing when it is removed.
    connect(doc, &MixDocument::taskInserted, this, [this](int i) {
        if (m_task >= i)
            ++m_task;
    });
    connect(doc, &MixDocument::taskAboutToBeRemoved, this, [this](int i) {
        if (i == m_task)
            setTask(-1);
        else if (m_task > i)
            --m_task;
    });
    connect(doc, &MixDocument::taskMoved, this, [this](int from, int to) {
        if (m_task == from)
            m_task = to;
        else if (from < m_task && to >= m_task)
            --m_task;
        else if (from > m_task && to <= m_task)
            ++m_task;
    });
    connect(doc, &MixDocument::stepAboutToBeInserted, this, [this](int task, int i) {
        if (task == m_task)
            beginInsertRows({}, i, i);
    });
    connect(doc, &MixDocument::stepInserted, this, [this](int task) {
        if (task == m_task)
            endInsertRows();
    });
    connect(doc, &MixDocument::stepAboutToBeRemoved, this, [this](int task, int i) {
        if (task == m_task)
            beginRemoveRows({}, i, i);
    });
    connect(doc, &MixDocument::stepRemoved, this, [this](int task) {
        if (task == m_task)
            endRemoveRows();
    });
    connect(doc, &MixDocument::stepAboutToBeMoved, this, [this](int task, int from, int to) {
        if (task == m_task)
            beginMoveRows({}, from, from, {}, to > from ? to + 1 : to);
    });
    connect(doc, &MixDocument::stepMoved, this, [this](int task) {
        if (task == m_task)
            endMoveRows();
    });
    connect(doc, &MixDocument::stepChanged, this, [this](int task, int step) {
        if (task == m_task)
            emit dataChanged(index(step), index(step));
    });
    m_task = doc->mix().tasks.empty() ? -1 : 0;
}

void StepListModel::setTask(int task)
{
    if (task == m_task)
        return;
    beginResetModel();
    m_task = task;
    endResetModel();
}

void StepListModel::setTheme(Theme theme)
{
    m_theme = theme;
    if (rowCount() > 0)
        emit dataChanged(index(0), index(rowCount() - 1), { Qt::DecorationRole });
}

int StepListModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() || m_task < 0 || size_t(m_task) >= m_doc->mix().tasks.size())
        return 0;
    return int(m_doc->mix().tasks[size_t(m_task)].steps.size());
}

QVariant StepListModel::data(const QModelIndex& index, int role) const
{
    if (!isValid(index))
        return {};
    const Step& step = m_doc->mix().tasks[size_t(m_task)].steps[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return step.describe(); // the number is the view's row header: it changes when rows move, the step not
    case Qt::ToolTipRole:
        switch (step.kind) {
        case StepKind::Compute:
            return tr("Computes (running on a core) for about %1 ms").arg(step.compute.ms);
        case StepKind::Fetch:
            return tr("Fetches %1 (blocked on I/O until the answer arrives)").arg(step.fetch.url);
        case StepKind::Sleep:
            return tr("Sleeps %1 ms").arg(step.sleep.ms);
        }
        break;
    case Qt::DecorationRole: {
        QPixmap swatch(12, 12);
        swatch.fill(Qt::transparent);
        QPainter p(&swatch);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(Qt::NoPen);
        p.setBrush(stateColor(stateOfStep(step.kind), m_theme));
        p.drawRoundedRect(QRectF(1, 1, 10, 10), 2, 2);
        return swatch;
    }
    }
    return {};
}

Qt::ItemFlags StepListModel::flags(const QModelIndex& index) const
{
    if (!isValid(index))
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

} // namespace taskline
