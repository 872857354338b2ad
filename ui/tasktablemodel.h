#pragma once

#include <QAbstractTableModel>

namespace taskline {

class MixDocument;

// The mix's tasks as a table: name, count, and the steps as a compact sentence ("fetch 200 ms → regex 100 ms").
// Name and count are editable; an edit becomes an undo command, and a value the mix format refuses is refused here
// with the reason (editRefused) and never stored.
// Thread: GUI only.
class TaskTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        NameColumn,
        CountColumn,
        StepsColumn,
        ColumnCount,
    };

    explicit TaskTableModel(MixDocument* doc, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

    // Why `text` cannot be the name / count of `task`, or an empty string when it can.
    QString nameProblem(int task, const QString& text) const;
    QString countProblem(int task, const QString& text, int* count = nullptr) const;

signals:
    // An edit was refused: `reason` is a sentence for the user ("Count must be at least 1 (got 0).").
    void editRefused(int row, int column, const QString& reason);

private:
    // Quiet, unlike checkIndex(): views and the model tester ask about invalid indexes on purpose.
    bool isValid(const QModelIndex& index) const
    {
        return index.isValid() && index.model() == this && index.row() < rowCount() && index.column() < ColumnCount;
    }

    MixDocument* m_doc;
};

} // namespace taskline
