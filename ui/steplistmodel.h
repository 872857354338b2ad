#pragma once

#include "palette.h"

#include <QAbstractListModel>

namespace taskline {

class MixDocument;

// The steps of one task of the mix ("1. fetch 200 ms"), with a swatch in the colour of the state the step puts
// its task in (compute: running, fetch: blocked on I/O, sleep: sleeping). Read-only: the step editor changes steps
// through undo commands.
// Thread: GUI only.
class StepListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    explicit StepListModel(MixDocument* doc, QObject* parent = nullptr);

    void setTask(int task); // -1: none
    int task() const { return m_task; }
    void setTheme(Theme theme);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

private:
    bool isValid(const QModelIndex& index) const
    {
        return index.isValid() && index.model() == this && index.row() < rowCount() && index.column() == 0;
    }

    MixDocument* m_doc;
    int m_task = -1;
    Theme m_theme = Theme::Light;
};

} // namespace taskline
