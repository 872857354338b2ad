#include "comparechart.h"

#include "compareexplain.h"
#include "timelinerenderer_p.h"

#include <QFontMetrics>
#include <QPainter>
#include <algorithm>

namespace taskline {

struct CompareChart::Metrics
{
    int lineH = 0;
    int headingH = 0;
    int rowH = 0;
    int wallH = 0; // bar thickness
    int cpuH = 0;
    int labelW = 0; // the mode column
    int speedupW = 0; // the speedup column
    int valueW = 0; // room kept right of the longest bar for its figure
    int barsLeft = 0;
    int barsWidth = 0;
    double maxMs = 0;
};

QColor CompareChart::wallColor(Theme theme)
{
    return theme == Theme::Dark ? QColor(0xb8, 0xbd, 0xc4) : QColor(0x4a, 0x50, 0x58);
}

QColor CompareChart::cpuColor(Theme theme)
{
    return stateColor(TaskState::Running, theme);
}

CompareChart::Metrics CompareChart::metrics(QRect area) const
{
    const QFontMetrics fm(m_font);
    Metrics k;
    k.lineH = fm.height();
    k.headingH = k.lineH + k.lineH / 2;
    k.wallH = std::max(6, k.lineH * 7 / 10);
    k.cpuH = std::max(4, k.lineH * 2 / 5);
    k.rowH = k.wallH + k.cpuH + std::max(5, k.lineH / 3) + 2;
    QFont bold = m_font;
    bold.setBold(true);
    for (const CompareChartRow& r : m_rows) {
        k.labelW = std::max(k.labelW, QFontMetrics(bold).horizontalAdvance(r.label));
        k.maxMs = std::max({ k.maxMs, r.wallMs, r.cpuMs });
    }
    k.labelW += k.lineH / 2;
    k.speedupW = QFontMetrics(bold).horizontalAdvance(QStringLiteral("baseline")) + k.lineH / 2;
    k.valueW = fm.horizontalAdvance(QStringLiteral("CPU 00.00 s")) + k.lineH / 3;
    k.barsLeft = area.left() + k.labelW;
    k.barsWidth = std::max(10, area.width() - k.labelW - k.speedupW - k.valueW);
    return k;
}

int CompareChart::preferredHeight() const
{
    const Metrics k = metrics(QRect(0, 0, 1000, 1000));
    return k.headingH + int(m_rows.size()) * k.rowH;
}

std::vector<CompareChart::Bars> CompareChart::bars(QRect area) const
{
    const Metrics k = metrics(area);
    std::vector<Bars> out;
    int y = area.top() + k.headingH;
    auto length
        = [&k](double ms) { return k.maxMs > 0 ? std::max(1, int(std::lround(ms / k.maxMs * k.barsWidth))) : 1; };
    for (const CompareChartRow& r : m_rows) {
        Bars b;
        b.wall = QRect(k.barsLeft, y, length(r.wallMs), k.wallH);
        b.cpu = QRect(k.barsLeft, y + k.wallH + 2, length(r.cpuMs), k.cpuH);
        b.speedup = QRect(area.right() + 1 - k.speedupW, y, k.speedupW, k.wallH + 2 + k.cpuH);
        out.push_back(b);
        y += k.rowH;
    }
    return out;
}

void CompareChart::paint(QPainter& p, QRect area) const
{
    const Metrics k = metrics(area);
    const ThemeColors& colors = themeColors(m_theme);
    p.save();
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setFont(m_font);
    const QFontMetrics fm(m_font);
    QFont bold = m_font;
    bold.setBold(true);
    const QFontMetrics boldMetrics(bold);

    // Heading: what the bars are, with their colours.
    p.setFont(bold);
    p.setPen(colors.text);
    const QString heading = QStringLiteral("Time per mode");
    const int baseline = area.top() + fm.ascent();
    p.drawText(area.left(), baseline, heading);
    int x = area.left() + boldMetrics.horizontalAdvance(heading) + k.lineH;
    p.setFont(m_font);
    auto key = [&](const QColor& c, int h, const QString& text) {
        p.fillRect(QRect(x, baseline - fm.ascent() / 2 - h / 2, k.lineH, h), c);
        x += k.lineH + k.lineH / 4;
        p.setPen(colors.text);
        p.drawText(x, baseline, text);
        x += fm.horizontalAdvance(text) + k.lineH;
    };
    key(wallColor(m_theme), k.wallH, QStringLiteral("wall"));
    key(cpuColor(m_theme), k.cpuH, QStringLiteral("CPU"));
    p.setPen(colors.mutedText);
    p.drawText(QRect(area.left(), area.top(), area.width(), k.lineH), Qt::AlignRight | Qt::AlignTop,
        QStringLiteral("speedup"));

    const std::vector<Bars> all = bars(area);
    for (size_t i = 0; i < m_rows.size(); ++i) {
        const CompareChartRow& r = m_rows[i];
        const Bars& b = all[i];
        const QRect row(area.left(), b.wall.top(), area.width(), b.cpu.bottom() - b.wall.top() + 1);
        p.setFont(bold);
        p.setPen(colors.text);
        p.drawText(QRect(area.left(), row.top(), k.labelW, row.height()), Qt::AlignLeft | Qt::AlignVCenter, r.label);
        p.setFont(m_font);
        p.fillRect(b.wall, r.live ? blend(wallColor(m_theme), colors.background, 0.5) : wallColor(m_theme));
        p.fillRect(b.cpu, r.live ? blend(cpuColor(m_theme), colors.background, 0.5) : cpuColor(m_theme));
        // The figures right of their bars, the CPU one smaller (it is the second thing to read).
        p.setPen(colors.text);
        p.drawText(b.wall.right() + k.lineH / 4, b.wall.top() + (b.wall.height() + fm.ascent() - fm.descent()) / 2,
            formatMs(r.wallMs) + (r.live ? QStringLiteral(" so far") : QString()));
        QFont smaller = m_font;
        smaller.setPixelSize(std::max(8, m_font.pixelSize() * 4 / 5));
        p.setFont(smaller);
        const QFontMetrics sm(smaller);
        p.setPen(colors.mutedText);
        p.drawText(b.cpu.right() + k.lineH / 4, b.cpu.top() + (b.cpu.height() + sm.ascent() - sm.descent()) / 2 + 1,
            QStringLiteral("CPU ") + formatMs(r.cpuMs));
        p.setFont(bold);
        p.setPen(r.baseline ? colors.mutedText : colors.text);
        QString speed;
        if (r.baseline)
            speed = QStringLiteral("baseline");
        else if (r.speedup > 0 && !r.live)
            speed = QStringLiteral("%1×").arg(QString::number(r.speedup, 'f', 1));
        else
            speed = QStringLiteral("–");
        p.drawText(b.speedup, Qt::AlignRight | Qt::AlignVCenter, speed);
    }
    p.restore();
}

} // namespace taskline
