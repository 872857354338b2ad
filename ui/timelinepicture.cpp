#include "timelinepicture.h"

#include "compareexplain.h"
#include "theme.h"
#include "tracestore.h"

#include <QCoreApplication>
#include <QFontMetrics>
#include <QPainter>

namespace taskline {

namespace {

// The renderer paints its lane labels 8 px in from its left edge: shifted left by that, they line up with the title.
constexpr int kRendererInset = 8;

int margin(int fontPx)
{
    return std::max(8, fontPx * 4 / 5);
}

} // namespace

TimelinePicture::TimelinePicture(const QString& mixName, const RunSummary& summary, const TraceStore* store)
    : m_mixName(mixName)
    , m_summary(summary)
    , m_store(store)
    , m_renderer(std::make_unique<TimelineRenderer>())
{
    m_renderer->setStore(store);
}

TimelinePicture::~TimelinePicture() = default;

QString TimelinePicture::title() const
{
    return QStringLiteral("%1 — %2").arg(m_mixName, QLatin1String(modeName(m_summary.settings.mode)));
}

TimelinePicture::Layout TimelinePicture::layout(QSize size, const PictureStyle& style) const
{
    Layout L;
    const int b = style.fontPx > 0 ? style.fontPx : fontPxFor(size);
    L.fontPx = b;
    const int m = margin(b);
    const QFontMetrics title(font(b * 3 / 2, true));
    const QFontMetrics body(font(b));
    const QFontMetrics small(font(std::max(9, b * 17 / 20)));
    const int width = size.width();

    // Header: the title and the settings on the left, the wall time (large) and the CPU time on the right.
    const QString wall = formatMs(m_summary.wallMs);
    const QString cpu = QStringLiteral("wall time · CPU %1 · %2 cores used")
                            .arg(formatMs(m_summary.cpuMs), QString::number(m_summary.coresUsed(), 'f', 1));
    const int rightWidth = std::max(title.horizontalAdvance(wall), body.horizontalAdvance(cpu));
    int y = m;
    L.wall = QRect(width - m - rightWidth, y, rightWidth, title.height());
    L.title = QRect(m, y, std::max(1, width - 2 * m - rightWidth - b), title.height());
    y += title.height() + b / 5;
    L.cpu = QRect(L.wall.left(), y, rightWidth, body.height());
    L.settings = QRect(m, y, std::max(1, L.cpu.left() - b - m), body.height());
    y += body.height() + b * 3 / 4;

    // Footer, then the timeline in between: the largest text up to the body size at which every lane fits.
    L.footer = QRect(m, size.height() - m - small.height(), width - 2 * m, small.height());
    const int available = std::max(1, L.footer.top() - b / 2 - y);
    const QRect area(m - kRendererInset, y, width - 2 * (m - kRendererInset), available);
    TimelineOptions o = m_renderer->options();
    o.theme = style.theme;
    o.laneMode = style.laneMode;
    o.mode = m_summary.settings.mode;
    o.gil = m_summary.settings.gil;
    o.live = false;
    o.liveEdgeNs = -1;
    o.selectedTask = -1;
    o.scrollY = 0;
    o.showLegend = true;
    o.showUtilization = true;
    const int smallest = 8; // many lanes: small labels, but every lane in the picture
    // The height at a text size before the renderer lets few lanes grow into the room left.
    auto natural = [&](int px) {
        o.font = font(px);
        m_renderer->setOptions(o);
        m_renderer->setSize(QSize(area.width(), 1));
        return m_renderer->preferredHeight();
    };
    int px = b;
    if (natural(b) <= available) {
        // Few lanes: larger text (up to 1.3 ×) reads better from the back of the room, as long as the lanes keep
        // room to grow.
        while (px < b * 13 / 10 && natural(px + 1) <= available * 11 / 20)
            ++px;
    } else {
        while (px > smallest && natural(px) > available)
            --px;
    }
    o.font = font(px);
    m_renderer->setOptions(o);
    m_renderer->setSize(area.size());
    L.timelineFontPx = px;
    // No taller than it needs, centred in the room between the header and the footer.
    const int height = std::min(available, m_renderer->preferredHeight());
    m_renderer->setSize(QSize(area.width(), height));
    m_renderer->fitToRun();
    L.timeline = QRect(QPoint(area.left(), area.top() + (available - height) / 2), QSize(area.width(), height));
    const TimelineLayout& tl = m_renderer->layout();
    for (const TimelineLane& lane : tl.lanes)
        L.hiddenLanes += lane.top + lane.height > tl.lanesArea.height();
    return L;
}

void TimelinePicture::paint(QPainter& p, QSize size, const PictureStyle& style) const
{
    const Layout L = layout(size, style);
    const ThemeColors& colors = themeColors(style.theme);
    const int b = L.fontPx;
    p.save();
    p.fillRect(QRect(QPoint(0, 0), size), colors.background);
    p.setRenderHint(QPainter::TextAntialiasing, true);

    p.setFont(font(b * 3 / 2, true));
    p.setPen(colors.text);
    const QFontMetrics titleMetrics(p.font());
    p.drawText(
        L.title, Qt::AlignLeft | Qt::AlignVCenter, titleMetrics.elidedText(title(), Qt::ElideRight, L.title.width()));
    p.drawText(L.wall, Qt::AlignRight | Qt::AlignVCenter, formatMs(m_summary.wallMs));

    p.setFont(font(b));
    const QFontMetrics body(p.font());
    p.setPen(colors.mutedText);
    QString settings = describeRunSettings(m_summary);
    const int tasks = int(m_summary.tasks.size());
    settings += QStringLiteral(" · %1 task%2 · %3 core%4 on this machine")
                    .arg(tasks)
                    .arg(tasks == 1 ? "" : "s")
                    .arg(m_summary.cores)
                    .arg(m_summary.cores == 1 ? "" : "s");
    p.drawText(
        L.settings, Qt::AlignLeft | Qt::AlignVCenter, body.elidedText(settings, Qt::ElideRight, L.settings.width()));
    p.drawText(L.cpu, Qt::AlignRight | Qt::AlignVCenter,
        QStringLiteral("wall time · CPU %1 · %2 cores used")
            .arg(formatMs(m_summary.cpuMs), QString::number(m_summary.coresUsed(), 'f', 1)));

    p.save();
    p.translate(L.timeline.topLeft());
    p.setClipRect(QRect(QPoint(0, 0), L.timeline.size()));
    m_renderer->paint(p);
    p.restore();

    // Footer: how busy each core was on average (the whole machine, as /proc/stat counts it), and what to beware of.
    p.setFont(font(std::max(9, b * 17 / 20)));
    const QFontMetrics small(p.font());
    QStringList facts;
    if (!m_summary.coreBusy.empty()) {
        QStringList cores;
        for (size_t c = 0; c < m_summary.coreBusy.size() && c < 16; ++c)
            cores << QStringLiteral("core %1 %2 %").arg(c).arg(std::lround(m_summary.coreBusy[c] * 100));
        facts << QStringLiteral("cores busy on average (whole machine): ") + cores.join(QStringLiteral(", "));
    }
    if (L.hiddenLanes > 0)
        facts << QStringLiteral("%1 more lane%2 not shown").arg(L.hiddenLanes).arg(L.hiddenLanes == 1 ? "" : "s");
    QStringList warnings;
    int failed = 0;
    for (const TaskSummary& t : m_summary.tasks)
        failed += t.status == QLatin1String("failed");
    if (failed > 0)
        warnings << QStringLiteral("%1 task%2 failed").arg(failed).arg(failed == 1 ? "" : "s");
    if (m_summary.stopped)
        warnings << QStringLiteral("stopped before the end");
    if (m_summary.droppedEvents > 0)
        warnings << QStringLiteral("%1 events dropped").arg(m_summary.droppedEvents);
    const QString brand = QStringLiteral("Taskline %1").arg(QCoreApplication::applicationVersion()).trimmed();
    const int brandWidth = small.horizontalAdvance(brand);
    QString left = facts.join(QStringLiteral(" · "));
    p.setPen(colors.mutedText);
    p.drawText(L.footer, Qt::AlignRight | Qt::AlignVCenter, brand);
    int x = L.footer.left();
    const int room = L.footer.width() - brandWidth - b;
    if (!warnings.isEmpty()) {
        const QString w = warnings.join(QStringLiteral(" · ")) + QStringLiteral(" · ");
        p.setPen(errorTextColor(style.theme));
        p.drawText(QRect(x, L.footer.top(), room, L.footer.height()), Qt::AlignLeft | Qt::AlignVCenter, w);
        x += small.horizontalAdvance(w);
    }
    p.setPen(colors.mutedText);
    p.drawText(QRect(x, L.footer.top(), std::max(0, room - (x - L.footer.left())), L.footer.height()),
        Qt::AlignLeft | Qt::AlignVCenter,
        small.elidedText(left, Qt::ElideRight, std::max(0, room - (x - L.footer.left()))));
    p.restore();
}

} // namespace taskline
