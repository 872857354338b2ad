#pragma once

#include "palette.h"

#include <QFont>
#include <QRect>
#include <QString>
#include <vector>

class QPainter;

namespace taskline {

// One mode's row of the chart.
struct CompareChartRow
{
    QString label; // "Threads"
    double wallMs = 0;
    double cpuMs = 0;
    double speedup = 0; // against sequential; 0: none (the baseline itself, or no baseline)
    bool baseline = false; // the sequential run the others are measured against
    bool live = false; // still running: the figures so far
};

// Wall time and CPU time per mode as horizontal bars on one scale, with the speedup against sequential at the end
// of each row: wall shorter than sequential's is faster; CPU longer than wall is work on several cores at once.
// Paints onto any QPainter (the compare view and its exported picture).
// Thread: one thread at a time.
class CompareChart
{
public:
    void setRows(std::vector<CompareChartRow> rows) { m_rows = std::move(rows); }
    const std::vector<CompareChartRow>& rows() const { return m_rows; }
    void setFont(const QFont& font) { m_font = font; }
    void setTheme(Theme theme) { m_theme = theme; }

    // The height that shows the heading and every row at this font.
    int preferredHeight() const;

    struct Bars
    {
        QRect wall;
        QRect cpu;
        QRect speedup; // the speedup's text box
    };
    // Where each row's bars go in `area` (row order).
    std::vector<Bars> bars(QRect area) const;
    void paint(QPainter& painter, QRect area) const;

    // The colours of the two bars (the CPU bar uses the running state's colour: time on a core).
    static QColor wallColor(Theme theme);
    static QColor cpuColor(Theme theme);

private:
    struct Metrics;
    Metrics metrics(QRect area) const;

    std::vector<CompareChartRow> m_rows;
    QFont m_font;
    Theme m_theme = Theme::Light;
};

} // namespace taskline
