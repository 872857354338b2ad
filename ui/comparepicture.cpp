#include "comparepicture.h"

#include "collector.h"
#include "comparechart.h"
#include "timelinerenderer_p.h"
#include "tracestore.h"

#include <QFontMetrics>
#include <QPainter>

namespace taskline {

namespace {

// The renderer paints its lane labels 8 px in from its left edge: shifted left by that, they line up with the title.
constexpr int kRendererInset = 8;
constexpr double kMaxGrowth = 2.5; // as the renderer's own: few lanes in a tall picture grow, but not without end

int margin(int fontPx)
{
    return std::max(8, fontPx * 4 / 5);
}

int smallFontPx(int fontPx)
{
    return std::max(10, fontPx * 9 / 10);
}

// Legend entries beyond the task states (the renderer's legend uses the same kinds).
enum LegendKind
{
    kPreempted = 100,
    kDone,
    kFailed,
    kGilHeld,
};

// The spacing the renderer picks for its ruler at this font (timelinerenderer.cpp, paint()).
int rulerSpacing(const QFontMetrics& fm, const TimeScale& scale)
{
    double spacing = fm.horizontalAdvance(QStringLiteral("000.0 ms")) + 16;
    const int64_t step = scale.majorStep(spacing);
    const int64_t last = int64_t(scale.endNs()) / step * step;
    const int widest = std::max(fm.horizontalAdvance(TimeScale::tickLabel(last, step)),
        fm.horizontalAdvance(TimeScale::tickLabel(last - step, step)));
    if (widest + 14 > spacing)
        spacing = widest + 14;
    return int(std::ceil(spacing));
}

// By worker, a coroutines run is one loop lane that shows only who runs: its waits, the point of the lesson, would
// not show at all. A comparison of a few tasks gives that band a lane per task instead.
constexpr int kTaskLanesUpTo = 16;

LaneMode bandLanes(const ComparePicture::Entry& e, LaneMode chosen)
{
    if (chosen != LaneMode::ByWorker || e.summary.settings.mode != Mode::Coroutines || !e.store
        || e.store->taskCount() > kTaskLanesUpTo)
        return chosen;
    // Only when there are waits to see: computing coroutines show on the loop lane and the ready row. From the
    // store, so that a band keeps its lanes from the live run to the finished one.
    int64_t total = 0, waits = 0;
    for (int t = 0; t < e.store->taskCount(); ++t) {
        const auto ns = e.store->taskStateNs(t);
        for (int64_t v : ns)
            total += v;
        waits += ns[size_t(TaskState::BlockedIo)] + ns[size_t(TaskState::Sleeping)];
    }
    return total > 0 && waits >= total / 5 ? LaneMode::ByTask : chosen;
}

QSize chipSize(int fontPx)
{
    const double scale = fontPx > 12 ? fontPx / 12.0 : 1.0;
    return QSize(int(std::lround(14 * scale)), int(std::lround(10 * scale)));
}

} // namespace

ComparePicture::ComparePicture() = default;
ComparePicture::~ComparePicture() = default;

void ComparePicture::clear()
{
    m_entries.clear();
    m_renderers.clear();
    m_pending.clear();
    m_windowStart = m_windowEnd = 0;
}

void ComparePicture::addRun(const RunSummary& summary, std::shared_ptr<const TraceStore> store)
{
    Entry e;
    e.summary = summary;
    e.facts = runFacts(summary, store.get());
    e.store = std::move(store);
    if (!m_entries.empty() && m_entries.back().live
        && m_entries.back().summary.settings.mode == summary.settings.mode) {
        m_entries.back() = std::move(e);
        m_renderers.back()->setStore(m_entries.back().store.get());
        return;
    }
    m_entries.push_back(std::move(e));
    m_renderers.push_back(std::make_unique<TimelineRenderer>());
    m_renderers.back()->setStore(m_entries.back().store.get());
}

void ComparePicture::setLiveRun(const RunSummary& summary, std::shared_ptr<const TraceStore> store)
{
    Entry e;
    e.summary = summary;
    e.store = std::move(store);
    e.live = true;
    if (!m_entries.empty() && m_entries.back().live) {
        m_entries.back() = std::move(e);
    } else {
        m_entries.push_back(std::move(e));
        m_renderers.push_back(std::make_unique<TimelineRenderer>());
    }
    m_renderers.back()->setStore(m_entries.back().store.get());
}

void ComparePicture::setTimeWindow(double startNs, double endNs)
{
    m_windowStart = startNs;
    m_windowEnd = endNs;
}

int64_t ComparePicture::axisEndNs() const
{
    int64_t longest = 1'000'000;
    for (const Entry& e : m_entries)
        longest = std::max(longest, endNsOf(e));
    return longest;
}

QStringList ComparePicture::explanations() const
{
    std::vector<RunFacts> finished;
    for (const Entry& e : m_entries)
        if (!e.live)
            finished.push_back(e.facts);
    return explainRuns(finished);
}

QString ComparePicture::title() const
{
    return QStringLiteral("%1 — every mode compared").arg(m_mixName);
}

int64_t ComparePicture::endNsOf(const Entry& e) const
{
    if (!e.store)
        return int64_t(e.summary.wallMs * 1e6);
    if (!e.live)
        return std::max<int64_t>(e.store->endNs(), int64_t(e.summary.wallMs * 1e6));
    // As the live timeline's edge: every event up to the latest sample (less the hold-back) has arrived, so a span
    // still open then is open now.
    int64_t edge = e.store->lastEventNs();
    if (!e.store->utilization().empty())
        edge = std::max(edge, e.store->utilization().back().timeNs - Collector::kHoldBackNs);
    return edge;
}

std::vector<std::pair<int, QString>> ComparePicture::legendItems(LaneMode lanes) const
{
    uint32_t mask = 0;
    bool gil = false;
    for (const Entry& e : m_entries) {
        if (!e.store)
            continue;
        // Worker lanes never show the time a task waited in the executor's queue; task lanes do.
        const bool byTask = bandLanes(e, lanes) == LaneMode::ByTask;
        Entry::StateScan& scan = e.scan;
        const std::vector<Span>& spans = e.store->spans();
        if (scan.generation != e.store->generation() || scan.spans > spans.size())
            scan = Entry::StateScan { e.store->generation(), 0, 0, 0 };
        for (; scan.spans < spans.size(); ++scan.spans) {
            const Span& s = spans[scan.spans];
            scan.all |= 1u << int(s.state);
            if (s.worker >= 0)
                scan.onWorkers |= 1u << int(s.state);
        }
        mask |= byTask ? scan.all : scan.onWorkers;
        for (int t = 0; t < e.store->taskCount(); ++t) {
            const TaskState st = e.store->taskState(t);
            if (st == TaskState::Done || st == TaskState::Failed)
                mask |= 1u << int(st);
        }
        gil = gil || (e.summary.settings.mode == Mode::Threads && e.summary.settings.gil);
        if (!e.store->counters().empty())
            mask |= 1u << int(TaskState::Ready); // the ready-coroutines row is drawn in the ready colour
    }
    std::vector<std::pair<int, QString>> items;
    for (int i = 0; i < kTimedStateCount; ++i) {
        if (!(mask & (1u << i)))
            continue;
        items.emplace_back(i, stateLabel(TaskState(i)));
        if (TaskState(i) == TaskState::Running)
            items.emplace_back(kPreempted, QStringLiteral("Running, but preempted by the OS"));
    }
    if (mask & (1u << int(TaskState::Done)))
        items.emplace_back(kDone, QStringLiteral("Done"));
    if (mask & (1u << int(TaskState::Failed)))
        items.emplace_back(kFailed, QStringLiteral("Failed"));
    if (gil)
        items.emplace_back(kGilHeld, QStringLiteral("GIL held (by the named thread)"));
    return items;
}

ComparePicture::Layout ComparePicture::layout(QSize size, const PictureStyle& style) const
{
    Layout L;
    const int b = style.fontPx > 0 ? style.fontPx : fontPxFor(size);
    L.fontPx = b;
    const int m = margin(b);
    const int width = size.width();
    const QFontMetrics titleMetrics(font(b * 3 / 2, true));
    const QFontMetrics body(font(b));
    const int sb = smallFontPx(b);
    const QFontMetrics small(font(sb));
    const QFontMetrics smallBold(font(sb, true));

    int y = m;
    L.title = QRect(m, y, width - 2 * m, titleMetrics.height());
    y += titleMetrics.height() + b / 5;
    L.subtitle = QRect(m, y, width - 2 * m, body.height());
    y += body.height() + b / 2;

    // From the bottom up: the legend, then the chart beside the explanations.
    {
        const std::vector<std::pair<int, QString>> items = legendItems(style.laneMode);
        const int chip = chipSize(sb).width();
        int x = 0, lines = items.empty() ? 0 : 1;
        for (const auto& [kind, label] : items) {
            const int w = chip + 5 + small.horizontalAdvance(label);
            if (x > 0 && x + w > width - 2 * m) {
                x = 0;
                ++lines;
            }
            x += w + sb;
        }
        const int h = lines * (small.height() + 6);
        L.legend = QRect(m, size.height() - m - h, width - 2 * m, h);
    }
    int bottom = L.legend.top() - (L.legend.height() > 0 ? b / 2 : 0);
    const QStringList lines = explanations();
    if (!m_entries.empty()) {
        CompareChart chart;
        chart.setFont(font(sb));
        std::vector<CompareChartRow> rows(m_entries.size());
        chart.setRows(rows);
        const int chartWidth = (width - 2 * m) * 2 / 5;
        const int gap = b * 3 / 2;
        int modeWidth = 0;
        for (const QString& line : lines)
            modeWidth = std::max(modeWidth, smallBold.horizontalAdvance(line.section(QLatin1Char(':'), 0, 0)));
        const int textWidth = std::max(50, width - 2 * m - chartWidth - gap - modeWidth - sb / 2);
        int textHeight = 0;
        for (const QString& line : lines)
            textHeight += small
                              .boundingRect(QRect(0, 0, textWidth, 100'000), Qt::TextWordWrap,
                                  line.section(QLatin1Char(':'), 1).trimmed())
                              .height()
                + sb / 3;
        const int blockHeight = std::max(chart.preferredHeight(), textHeight);
        const int top = bottom - blockHeight;
        L.chart = QRect(m, top, chartWidth, chart.preferredHeight());
        L.explanations = QRect(m + chartWidth + gap, top, width - 2 * m - chartWidth - gap, textHeight);
        bottom = top - b * 2 / 3;
    }

    // The bands: a ruler on top, then each band's title row and lanes, at the largest text that fits.
    const int headerHeight = body.height() + 4;
    const int bands = int(m_entries.size() + m_pending.size());
    const int rulerTop = y;
    const int available = std::max(1, bottom - rulerTop);
    const int areaWidth = width - 2 * (m - kRendererInset);
    // Lane labels may get small; the band titles, the axis, the chart and the explanations keep their size.
    const int smallest = 7;
    std::vector<int> content(m_entries.size(), 0);
    L.rulerFontPx = sb;
    const int rulerHeight = small.height() + 12; // the renderer's ruler
    int px = b, gutter = 0;
    for (;; --px) {
        gutter = 0;
        int total = rulerHeight + bands * headerHeight;
        for (size_t i = 0; i < m_entries.size(); ++i) {
            TimelineRenderer& r = *m_renderers[i];
            TimelineOptions o = r.options();
            o.font = font(px);
            o.theme = style.theme;
            o.laneMode = bandLanes(m_entries[i], style.laneMode);
            o.mode = m_entries[i].summary.settings.mode;
            o.gil = m_entries[i].summary.settings.gil;
            o.showLegend = false;
            o.showUtilization = false;
            o.showRuler = false;
            o.gutterWidth = 0;
            o.lanePadding = std::max(3, px / 3); // thinner lanes than on screen: a picture holds every mode's
            o.live = false;
            o.selectedTask = -1;
            o.scrollY = 0;
            r.setOptions(o);
            r.setSize(QSize(areaWidth, 1)); // no room to grow: the lanes' own height
            content[i] = r.preferredHeight();
            gutter = std::max(gutter, r.layout().axisLeft);
            total += content[i];
        }
        if (total <= available || px <= smallest)
            break;
    }
    L.bandFontPx = px;
    // The ruler's caption ("window 1.62 s") sits in the label column, at the ruler's larger text.
    gutter = std::max(gutter, small.horizontalAdvance(QStringLiteral("window 99.9 s")) + 20);
    const int fixed = rulerHeight + bands * headerHeight;
    int sum = 0;
    for (int c : content)
        sum += c;
    const double grow = sum > 0 ? std::min(kMaxGrowth, double(available - fixed) / sum) : 1.0;

    // The shared axis: the longest run sets it; a time window zooms into it.
    const int64_t longest = axisEndNs();
    const int axisWidth = std::max(1, areaWidth - gutter - 8);
    L.scale = TimeScale(0, double(longest) / axisWidth, axisWidth);
    if (isZoomed()) {
        TimeScale zoomed = L.scale;
        zoomed.setBounds(0, longest);
        zoomed.setWindow(m_windowStart, m_windowEnd);
        L.scale = TimeScale(zoomed.startNs(), zoomed.nsPerPixel(), axisWidth); // the renderers get no bounds
    }
    L.axisLeft = m - kRendererInset + gutter;
    L.tickSpacing = rulerSpacing(small, L.scale);
    L.ruler = QRect(m - kRendererInset, rulerTop, areaWidth, rulerHeight);

    y = rulerTop + rulerHeight;
    size_t entry = 0;
    for (int i = 0; i < bands; ++i) {
        Band band;
        band.header = QRect(m, y, width - 2 * m, headerHeight);
        y += headerHeight;
        if (entry < m_entries.size()) {
            band.entry = int(entry);
            band.mode = m_entries[entry].summary.settings.mode;
            const int height = std::max(1, int(std::floor(content[entry] * grow)));
            TimelineRenderer& r = *m_renderers[entry];
            TimelineOptions o = r.options();
            o.gutterWidth = gutter;
            o.scale = L.scale;
            o.tickSpacing = L.tickSpacing;
            const Entry& e = m_entries[entry];
            o.liveEdgeNs = e.live ? endNsOf(e) : -1;
            o.live = e.live;
            r.setOptions(o);
            r.setSize(QSize(areaWidth, height));
            band.timeline = QRect(m - kRendererInset, y, areaWidth, height);
            band.endX = L.axisLeft + int(std::lround(L.scale.timeToX(double(endNsOf(e)))));
            const TimelineLayout& tl = r.layout();
            for (const TimelineLane& lane : tl.lanes)
                band.hiddenLanes += lane.top + lane.height > tl.lanesArea.height();
            y += height;
            ++entry;
        } else {
            band.mode = m_pending[size_t(i) - m_entries.size()];
        }
        L.bands.push_back(band);
    }
    return L;
}

void ComparePicture::paint(QPainter& p, QSize size, const PictureStyle& style) const
{
    const Layout L = layout(size, style);
    const ThemeColors& colors = themeColors(style.theme);
    const int b = L.fontPx;
    p.save();
    p.fillRect(QRect(QPoint(0, 0), size), colors.background);
    p.setRenderHint(QPainter::TextAntialiasing, true);

    p.setFont(font(b * 3 / 2, true));
    p.setPen(colors.text);
    p.drawText(L.title, Qt::AlignLeft | Qt::AlignVCenter,
        QFontMetrics(p.font()).elidedText(title(), Qt::ElideRight, L.title.width()));
    p.setFont(font(b));
    const QFontMetrics body(p.font());
    p.setPen(colors.mutedText);
    int tasks = 0, cores = 0;
    for (const Entry& e : m_entries) {
        tasks = std::max(tasks, e.store ? e.store->taskCount() : int(e.summary.tasks.size()));
        cores = std::max(cores, e.summary.cores);
    }
    QString subtitle = QStringLiteral("The same %1 task%2 under each mode, one after another, on one time axis: "
                                      "a shorter band is a faster mode")
                           .arg(tasks)
                           .arg(tasks == 1 ? "" : "s");
    if (cores > 0)
        subtitle += QStringLiteral(" · %1 core%2").arg(cores).arg(cores == 1 ? "" : "s");
    if (isZoomed())
        subtitle += QStringLiteral(" · zoomed to %1–%2")
                        .arg(formatMs(L.scale.startNs() / 1e6), formatMs(L.scale.endNs() / 1e6));
    p.drawText(
        L.subtitle, Qt::AlignLeft | Qt::AlignVCenter, body.elidedText(subtitle, Qt::ElideRight, L.subtitle.width()));

    // The shared time axis: a renderer whose lanes get no height paints just the ruler. It is given a store with
    // events, or it would write "No run yet" under the ruler (clipped in a PNG, but an SVG does not clip text).
    const TraceStore* anyStore = nullptr;
    for (const Entry& e : m_entries)
        if (e.store && e.store->eventCount() > 0)
            anyStore = e.store.get();
    if (!L.bands.empty() && anyStore) {
        TimelineRenderer ruler;
        ruler.setStore(anyStore);
        TimelineOptions o;
        o.theme = style.theme;
        o.font = font(L.rulerFontPx);
        o.scale = L.scale;
        o.gutterWidth = L.axisLeft - L.ruler.left();
        o.tickSpacing = L.tickSpacing;
        o.showLegend = false;
        o.showUtilization = false;
        ruler.setOptions(o);
        ruler.setSize(L.ruler.size());
        p.save();
        p.translate(L.ruler.topLeft());
        p.setClipRect(QRect(QPoint(0, 0), L.ruler.size()));
        ruler.paint(p);
        p.restore();
    }

    std::vector<double> speedups(m_entries.size(), 0);
    const Entry* baseline = nullptr;
    for (const Entry& e : m_entries)
        if (!e.live && e.summary.settings.mode == Mode::Sequential && !e.summary.stopped && e.summary.error.isEmpty()) {
            baseline = &e;
            break;
        }
    for (size_t i = 0; i < m_entries.size(); ++i)
        if (baseline && !m_entries[i].live && &m_entries[i] != baseline)
            speedups[i] = speedupOf(m_entries[i].summary, baseline->summary);

    QFont bold = font(b, true);
    const QFontMetrics boldMetrics(bold);
    for (const Band& band : L.bands) {
        p.fillRect(QRect(band.header.left() - kRendererInset, band.header.top(),
                       size.width() - 2 * (band.header.left() - kRendererInset), 1),
            colors.grid);
        const QRect text = band.header.adjusted(0, 2, 0, 0);
        p.setFont(bold);
        p.setPen(band.entry >= 0 ? colors.text : colors.mutedText);
        const QString label = modeLabel(band.mode);
        p.drawText(text, Qt::AlignLeft | Qt::AlignVCenter, label);
        int x = text.left() + boldMetrics.horizontalAdvance(label) + b / 2;
        p.setFont(font(b));
        p.setPen(colors.mutedText);
        QString settings;
        QString figure;
        if (band.entry < 0) {
            settings = QStringLiteral("waiting to run");
        } else {
            const Entry& e = m_entries[size_t(band.entry)];
            settings = describeRunSettings(e.summary);
            if (bandLanes(e, style.laneMode) != style.laneMode)
                settings += QStringLiteral(" · a lane per task");
            if (band.hiddenLanes > 0)
                settings += QStringLiteral(" · %1 more lane%2 not shown")
                                .arg(band.hiddenLanes)
                                .arg(band.hiddenLanes == 1 ? "" : "s");
            if (e.live)
                figure = QStringLiteral("running… %1").arg(formatMs(double(endNsOf(e)) / 1e6));
            else if (!e.summary.error.isEmpty())
                figure = QStringLiteral("did not run");
            else if (e.summary.stopped)
                figure = QStringLiteral("stopped at %1").arg(formatMs(e.summary.wallMs));
            else if (speedups[size_t(band.entry)] > 0)
                figure = QStringLiteral("%1 · %2×")
                             .arg(formatMs(e.summary.wallMs), QString::number(speedups[size_t(band.entry)], 'f', 1));
            else
                figure = formatMs(e.summary.wallMs);
        }
        // The wall time sits where the band ends on the shared axis; where the settings are in the way, after them.
        const int figureWidth = boldMetrics.horizontalAdvance(figure);
        // Zoomed so that the end is off the axis: the figure stays at the axis' edge.
        const int axisRight = L.axisLeft + L.scale.width();
        int figureLeft = std::clamp(band.endX, L.axisLeft + figureWidth, std::max(L.axisLeft + figureWidth, axisRight))
            - figureWidth;
        const int settingsRoom
            = std::max(0, (figure.isEmpty() ? text.right() : std::max(figureLeft, text.right() - figureWidth)) - x - b);
        const QString shownSettings = body.elidedText(settings, Qt::ElideRight, settingsRoom);
        p.drawText(QRect(x, text.top(), settingsRoom, text.height()), Qt::AlignLeft | Qt::AlignVCenter, shownSettings);
        if (!figure.isEmpty()) {
            const int settingsRight = x + body.horizontalAdvance(shownSettings);
            if (figureLeft < settingsRight + b)
                figureLeft = std::min(settingsRight + b, text.right() - figureWidth);
            p.setFont(bold);
            p.setPen(colors.text);
            p.drawText(QRect(figureLeft, text.top(), figureWidth + 2, text.height()), Qt::AlignLeft | Qt::AlignVCenter,
                figure);
        }
        if (band.entry < 0)
            continue;
        const TimelineRenderer& r = *m_renderers[size_t(band.entry)];
        p.save();
        p.translate(band.timeline.topLeft());
        p.setClipRect(QRect(QPoint(0, 0), band.timeline.size()));
        r.paint(p);
        p.restore();
        // Where the run ended, across its band: the ends line up against each other on the shared axis.
        if (!m_entries[size_t(band.entry)].live && band.endX >= L.axisLeft && band.endX <= axisRight + 1)
            p.fillRect(QRect(band.endX - 1, band.header.bottom() - b / 4, 2,
                           band.timeline.bottom() - band.header.bottom() + b / 4),
                colors.text);
    }

    // The chart and the explanations.
    const int sb = smallFontPx(b);
    if (!m_entries.empty()) {
        CompareChart chart;
        chart.setFont(font(sb));
        chart.setTheme(style.theme);
        std::vector<CompareChartRow> rows;
        for (size_t i = 0; i < m_entries.size(); ++i) {
            const Entry& e = m_entries[i];
            CompareChartRow row;
            row.label = modeLabel(e.summary.settings.mode);
            row.live = e.live;
            if (e.live) {
                row.wallMs = double(endNsOf(e)) / 1e6;
                double cpuNs = 0;
                for (const UtilSample& u : e.store->utilization())
                    cpuNs += double(u.processCores) * double(u.intervalNs);
                row.cpuMs = cpuNs / 1e6;
            } else {
                row.wallMs = e.summary.wallMs;
                row.cpuMs = e.summary.cpuMs;
            }
            row.baseline = &e == baseline;
            row.speedup = speedups[i];
            rows.push_back(row);
        }
        chart.setRows(rows);
        chart.paint(p, L.chart);

        const QFont smallFont = font(sb);
        const QFont smallBold = font(sb, true);
        const QFontMetrics sm(smallFont);
        int modeWidth = 0;
        const QStringList lines = explanations();
        for (const QString& line : lines)
            modeWidth
                = std::max(modeWidth, QFontMetrics(smallBold).horizontalAdvance(line.section(QLatin1Char(':'), 0, 0)));
        modeWidth += sb / 2;
        int y = L.explanations.top();
        for (const QString& line : lines) {
            const QString mode = line.section(QLatin1Char(':'), 0, 0);
            const QString rest = line.section(QLatin1Char(':'), 1).trimmed();
            const QRect textRect(L.explanations.left() + modeWidth, y, L.explanations.width() - modeWidth, 100'000);
            const QRect used = sm.boundingRect(textRect, Qt::TextWordWrap, rest);
            p.setFont(smallBold);
            p.setPen(colors.text);
            p.drawText(QRect(L.explanations.left(), y, modeWidth, sm.height()), Qt::AlignLeft | Qt::AlignTop, mode);
            p.setFont(smallFont);
            p.drawText(QRect(textRect.left(), y, textRect.width(), used.height()),
                Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, rest);
            y += used.height() + sb / 3;
        }
    }
    paintLegend(p, L.legend, style, sb);
    p.restore();
}

void ComparePicture::paintLegend(QPainter& p, QRect area, const PictureStyle& style, int fontPx) const
{
    if (area.height() <= 0)
        return;
    const ThemeColors& colors = themeColors(style.theme);
    const QFont f = font(fontPx);
    const QFontMetrics fm(f);
    p.setFont(f);
    const QSize chip = chipSize(fontPx);
    const int rowH = fm.height() + 6;
    const QColor running = stateColor(TaskState::Running, style.theme);
    const QColor gilOther = blend(running, style.theme == Theme::Dark ? Qt::white : Qt::black, 0.3);
    int x = area.left(), y = area.top();
    for (const auto& [kind, label] : legendItems(style.laneMode)) {
        const int w = chip.width() + 5 + fm.horizontalAdvance(label);
        if (x > area.left() && x + w > area.right()) {
            x = area.left();
            y += rowH;
        }
        const QRect c(x, y + (rowH - chip.height()) / 2, chip.width(), chip.height());
        switch (kind) {
        case kPreempted: {
            const int hatched = c.height() * 6 / 10;
            const QRect top(c.left(), c.top(), c.width(), hatched);
            p.fillRect(top, blend(running, colors.background, style.theme == Theme::Dark ? 0.5 : 0.72));
            drawHatch(p, top, running, 4);
            p.fillRect(QRect(c.left(), c.top() + hatched, c.width(), c.height() - hatched), running);
            break;
        }
        case kDone:
        case kFailed:
            p.fillRect(QRect(c.left() + c.width() / 2 - 2, c.top() - 2, 3, c.height() + 4),
                stateColor(kind == kDone ? TaskState::Done : TaskState::Failed, style.theme));
            break;
        case kGilHeld:
            p.fillRect(QRect(c.left(), c.top(), c.width() / 2, c.height()), running);
            p.fillRect(QRect(c.left() + c.width() / 2, c.top(), c.width() - c.width() / 2, c.height()), gilOther);
            break;
        default:
            p.fillRect(c, stateColor(TaskState(kind), style.theme));
            break;
        }
        p.setPen(colors.text);
        p.drawText(c.right() + 6, y + (rowH + fm.ascent() - fm.descent()) / 2, label);
        x += w + fontPx;
    }
}

} // namespace taskline
