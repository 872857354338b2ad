#pragma once

#include "event.h"
#include "palette.h"

#include <QString>
#include <QWidget>
#include <array>
#include <vector>

namespace taskline {

// One horizontal bar: time per state, stacked in state order.
struct StateBarRow
{
    QString label; // left of the bar
    std::array<double, kTimedStateCount> ms {};
    QString trailing; // right of the bar ("1.62 s", "failed")
    int id = -1; // reported by rowClicked (a task id, a step index)
    bool failed = false; // the trailing text is drawn in the failed colour
    double total() const;
};

// Stacked horizontal bars of time per state, one row each, on a common scale (the longest row), in the palette's
// state colours. Paints only the rows in view, so it stays quick in a scroll area with thousands of rows. Hovering
// a row shows its breakdown; clicking it reports its id.
// Thread: GUI only.
class StateBarChart : public QWidget
{
    Q_OBJECT
public:
    explicit StateBarChart(QWidget* parent = nullptr);

    void setRows(std::vector<StateBarRow> rows);
    const std::vector<StateBarRow>& rows() const { return m_rows; }
    void setTheme(Theme theme);
    void setSelectedId(int id); // -1: none
    int selectedId() const { return m_selected; }
    int rowHeight() const;
    int rowAt(int y) const; // -1 outside the rows

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

    // "■ Running ■ Blocked on I/O …" for the states that occur in `rows`, as rich text for a QLabel.
    static QString legendHtml(const std::vector<StateBarRow>& rows, Theme theme);

signals:
    void rowClicked(int id);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;

private:
    int labelWidth() const;
    int trailingWidth() const;
    QString breakdown(const StateBarRow& row) const;

    std::vector<StateBarRow> m_rows;
    Theme m_theme = Theme::Light;
    int m_selected = -1;
    double m_scale = 0; // ms of the longest row
    int m_labelWidth = 0;
    int m_trailingWidth = 0;
};

} // namespace taskline
