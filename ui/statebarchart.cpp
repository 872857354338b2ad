#include "statebarchart.h"

#include "theme.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>

namespace taskline {

namespace {

constexpr int kMargin = 6;
constexpr int kGap = 8; // between the label, the bar and the trailing text

QString formatMs(double ms)
{
    if (ms >= 10'000)
        return QStringLiteral("%1 s").arg(ms / 1000, 0, 'f', 1);
    if (ms >= 1000)
        return QStringLiteral("%1 s").arg(ms / 1000, 0, 'f', 2);
    if (ms >= 10)
        return QStringLiteral("%1 ms").arg(ms, 0, 'f', 0);
    return QStringLiteral("%1 ms").arg(ms, 0, 'f', 1);
}

} // namespace

double StateBarRow::total() const
{
    double t = 0;
    for (double v : ms)
        t += v;
    return t;
}

StateBarChart::StateBarChart(QWidget* parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void StateBarChart::setRows(std::vector<StateBarRow> rows)
{
    // A live chart gets the same labels a few times a second: measure them only when they change.
    const bool sameLabels = rows.size() == m_rows.size()
        && (rows.empty() || (rows.front().label == m_rows.front().label && rows.back().label == m_rows.back().label));
    m_rows = std::move(rows);
    m_scale = 0;
    for (const StateBarRow& r : m_rows)
        m_scale = std::max(m_scale, r.total());
    // Measuring every label is linear in rows; a sample keeps 100,000-task runs quick and labels rarely differ.
    if (sameLabels && m_labelWidth > 0) {
        update();
        return;
    }
    const QFontMetrics fm = fontMetrics();
    int label = 0;
    int trailing = 0;
    const size_t step = std::max<size_t>(1, m_rows.size() / 2000);
    for (size_t i = 0; i < m_rows.size(); i += step) {
        label = std::max(label, fm.horizontalAdvance(m_rows[i].label));
        trailing = std::max(trailing, fm.horizontalAdvance(m_rows[i].trailing));
    }
    m_labelWidth = label;
    m_trailingWidth = trailing;
    updateGeometry();
    update();
}

void StateBarChart::setTheme(Theme theme)
{
    m_theme = theme;
    update();
}

void StateBarChart::setSelectedId(int id)
{
    if (id == m_selected)
        return;
    m_selected = id;
    update();
}

int StateBarChart::rowHeight() const
{
    return fontMetrics().height() + 8;
}

int StateBarChart::rowAt(int y) const
{
    const int row = (y - kMargin) / rowHeight();
    return y >= kMargin && row >= 0 && size_t(row) < m_rows.size() ? row : -1;
}

int StateBarChart::labelWidth() const
{
    // Under half the width: the bars are the point. Rows without bars (steps not run yet) have the room.
    if (m_scale <= 0)
        return std::max(60, width() - 2 * kMargin - kGap - trailingWidth());
    return std::min(m_labelWidth, std::max(60, width() * 45 / 100));
}

int StateBarChart::trailingWidth() const
{
    return std::min(m_trailingWidth, std::max(40, width() / 5));
}

QSize StateBarChart::sizeHint() const
{
    return { 420, minimumSizeHint().height() };
}

QSize StateBarChart::minimumSizeHint() const
{
    const int64_t h = int64_t(m_rows.size()) * rowHeight() + 2 * kMargin;
    return { 200, int(std::min<int64_t>(h, 16'000'000)) }; // QWidget's height limit
}

void StateBarChart::paintEvent(QPaintEvent* event)
{
    QPainter p(this);
    const int rh = rowHeight();
    const int lw = labelWidth();
    const int tw = trailingWidth();
    const int barLeft = kMargin + lw + kGap;
    const int barWidth = std::max(10, width() - barLeft - kGap - tw - kMargin);
    const int first = std::max(0, (event->rect().top() - kMargin) / rh);
    const int last = std::min(int(m_rows.size()) - 1, (event->rect().bottom() - kMargin) / rh);
    const QPalette pal = palette();
    for (int i = first; i <= last; ++i) {
        const StateBarRow& row = m_rows[size_t(i)];
        const QRect line(0, kMargin + i * rh, width(), rh);
        if (row.id == m_selected && m_selected >= 0) {
            QColor sel = pal.color(QPalette::Highlight);
            sel.setAlpha(60);
            p.fillRect(line, sel);
        } else if (i % 2 == 1) {
            p.fillRect(line, pal.color(QPalette::AlternateBase));
        }
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QRect(kMargin, line.top(), lw, rh), Qt::AlignLeft | Qt::AlignVCenter,
            fontMetrics().elidedText(row.label, Qt::ElideMiddle, lw));

        const QRect bar(barLeft, line.top() + 4, barWidth, rh - 8);
        if (m_scale > 0 && row.total() > 0) {
            double x = bar.left();
            const double perMs = barWidth / m_scale;
            for (int s = 0; s < kTimedStateCount; ++s) {
                const double w = row.ms[size_t(s)] * perMs;
                if (w <= 0)
                    continue;
                // Whole pixels, at least one, so that a short state is still seen.
                const int left = int(std::round(x));
                const int right = std::max(left + 1, int(std::round(x + w)));
                p.fillRect(QRect(left, bar.top(), right - left, bar.height()), stateColor(TaskState(s), m_theme));
                x += w;
            }
        }
        p.setPen(row.failed ? errorTextColor(m_theme) : pal.color(QPalette::Text));
        p.drawText(QRect(width() - kMargin - tw, line.top(), tw, rh), Qt::AlignRight | Qt::AlignVCenter,
            fontMetrics().elidedText(row.trailing, Qt::ElideRight, tw));
    }
}

void StateBarChart::mousePressEvent(QMouseEvent* event)
{
    const int row = rowAt(int(event->position().y()));
    if (row >= 0 && event->button() == Qt::LeftButton) {
        setSelectedId(m_rows[size_t(row)].id);
        emit rowClicked(m_rows[size_t(row)].id);
    }
    QWidget::mousePressEvent(event);
}

QString StateBarChart::breakdown(const StateBarRow& row) const
{
    const double total = row.total();
    QString html = QStringLiteral("<b>%1</b>").arg(row.label.toHtmlEscaped());
    if (!row.trailing.isEmpty())
        html += QStringLiteral(" · %1").arg(row.trailing.toHtmlEscaped());
    html += QStringLiteral("<table cellspacing=0 cellpadding=1>");
    for (int s = 0; s < kTimedStateCount; ++s) {
        const double v = row.ms[size_t(s)];
        if (v <= 0)
            continue;
        html += QStringLiteral("<tr><td><span style='color:%1'>■</span> %2</td><td align=right>&nbsp;&nbsp;%3</td>"
                               "<td align=right>&nbsp;&nbsp;%4%</td></tr>")
                    .arg(stateColor(TaskState(s), m_theme).name(), stateLabel(TaskState(s)), formatMs(v))
                    .arg(total > 0 ? 100.0 * v / total : 0, 0, 'f', 0);
    }
    html += QStringLiteral("</table>");
    return html;
}

bool StateBarChart::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int row = rowAt(help->pos().y());
        if (row >= 0)
            QToolTip::showText(help->globalPos(), breakdown(m_rows[size_t(row)]), this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

QString StateBarChart::legendHtml(const std::vector<StateBarRow>& rows, Theme theme)
{
    std::array<bool, kTimedStateCount> seen {};
    for (const StateBarRow& r : rows)
        for (int s = 0; s < kTimedStateCount; ++s)
            seen[size_t(s)] = seen[size_t(s)] || r.ms[size_t(s)] > 0;
    QStringList parts;
    for (int s = 0; s < kTimedStateCount; ++s)
        if (seen[size_t(s)])
            parts << QStringLiteral("<span style='color:%1; font-size:large'>■</span>&nbsp;%2")
                         .arg(stateColor(TaskState(s), theme).name(),
                             stateLabel(TaskState(s)).replace(QLatin1Char(' '), QStringLiteral("&nbsp;")));
    return parts.join(QStringLiteral("&nbsp;&nbsp;&nbsp; "));
}

} // namespace taskline
