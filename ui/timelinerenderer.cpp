#include "timelinerenderer.h"

#include "timelinerenderer_p.h"
#include "tracestore.h"

#include <QPainter>
#include <algorithm>

namespace taskline {

namespace {

constexpr int kGutterMin = 72;
constexpr int kGutterMax = 220;
constexpr int kRightMargin = 8;
constexpr int kLegendChip = 14;
constexpr double kMaxLaneGrowth = 2.5;

bool showsGilLane(const TimelineOptions& o)
{
    return o.mode == Mode::Threads && o.gil;
}

QString counterLabel(int id)
{
    return id == 0 ? QStringLiteral("ready coroutines") : QStringLiteral("counter %1").arg(id);
}

} // namespace

QRect TimelineLayout::laneRect(int i, int scrollY) const
{
    const TimelineLane& l = lanes[size_t(i)];
    return QRect(0, lanesArea.top() + l.top - scrollY, size.width(), l.height);
}

int TimelineLayout::laneAt(int y, int scrollY) const
{
    if (!lanesArea.contains(QPoint(lanesArea.left(), y)))
        return -1;
    const int contentY = y - lanesArea.top() + scrollY;
    auto it = std::partition_point(
        lanes.begin(), lanes.end(), [contentY](const TimelineLane& l) { return l.top + l.height <= contentY; });
    return it != lanes.end() && it->top <= contentY ? int(it - lanes.begin()) : -1;
}

TimelineRenderer::TimelineRenderer()
    : m_cache(new Cache)
{ }

TimelineRenderer::~TimelineRenderer()
{
    delete m_cache;
}

void TimelineRenderer::setStore(const TraceStore* store)
{
    m_store = store;
    // Everything derived from the previous store (or the store before its reset) is stale.
    Cache* fresh = new Cache;
    std::swap(fresh->columnSum, m_cache->columnSum);
    std::swap(fresh->columnWeight, m_cache->columnWeight);
    delete m_cache;
    m_cache = fresh;
}

void TimelineRenderer::setOptions(const TimelineOptions& options)
{
    const bool shape = options.laneMode != m_options.laneMode || options.mode != m_options.mode
        || options.gil != m_options.gil || options.showUtilization != m_options.showUtilization
        || options.showLegend != m_options.showLegend || options.font != m_options.font;
    m_options = options;
    if (shape)
        m_cache->layoutValid = false;
}

void TimelineRenderer::setSize(QSize size)
{
    if (size == m_size)
        return;
    m_size = size;
    m_cache->layoutValid = false;
}

QFont TimelineRenderer::effectiveFont() const
{
    if (m_options.font != QFont())
        return m_options.font;
    QFont f;
    f.setPixelSize(12);
    return f;
}

int64_t TimelineRenderer::liveEdgeNs() const
{
    if (m_options.liveEdgeNs >= 0)
        return m_options.liveEdgeNs;
    return m_store ? m_store->endNs() : 0;
}

void TimelineRenderer::fitToRun()
{
    TimelineOptions o = m_options;
    o.scale.setWidth(layout().axisWidth);
    o.scale.setBounds(0, std::max<int64_t>(liveEdgeNs(), 1));
    o.scale.fit(0, std::max<int64_t>(liveEdgeNs(), 1));
    setOptions(o);
}

void TimelineRenderer::updateCache() const
{
    Cache& c = *m_cache;
    if (!m_store) {
        c.stateMask = 0;
        return;
    }
    const TraceStore& s = *m_store;
    if (c.scannedStore != m_store || c.generation != s.generation() || s.spans().size() < c.scannedSpans
        || s.eventCount() < c.scannedEvents) {
        // A new store, or spans derived afresh: indices and summaries taken before are stale.
        c.scannedStore = m_store;
        c.generation = s.generation();
        c.workerLod.clear();
        c.taskLod.clear();
        c.gilLod = LaneSummary();
        c.scannedSpans = 0;
        c.stateMask = 0;
        c.workerStateMask = 0;
        c.counterMax.clear();
        c.taskLabelWidth.clear();
    }
    // A span's state never changes once it exists, so only the new ones need a look.
    uint32_t mask = c.stateMask & ~((1u << int(TaskState::Done)) | (1u << int(TaskState::Failed)));
    uint32_t workerMask = c.workerStateMask;
    const std::vector<Span>& spans = s.spans();
    for (size_t i = c.scannedSpans; i < spans.size(); ++i) {
        mask |= 1u << int(spans[i].state);
        if (spans[i].worker >= 0)
            workerMask |= 1u << int(spans[i].state);
    }
    c.workerStateMask = workerMask;
    c.scannedSpans = spans.size();
    c.scannedEvents = s.eventCount();
    if (s.tasksFinished() > 0) {
        for (int t = 0; t < s.taskCount(); ++t) {
            const TaskState st = s.taskState(t);
            if (st == TaskState::Done || st == TaskState::Failed)
                mask |= 1u << int(st);
        }
    }
    c.stateMask = mask;
    for (const auto& [id, points] : s.counters()) {
        auto& [scanned, max] = c.counterMax[id];
        for (size_t i = scanned; i < points.size(); ++i)
            max = std::max(max, points[i].value);
        scanned = points.size();
    }
    if (c.font != effectiveFont()) {
        c.font = effectiveFont();
        c.taskLabelWidth.clear();
        const QFontMetrics fm(c.font);
        for (int i = 0; i < kTaskStateCount; ++i)
            c.stateLabelWidth[size_t(i)] = fm.horizontalAdvance(stateLabel(TaskState(i)));
        c.layoutValid = false;
    }
    if (c.taskLabelWidth.size() != size_t(s.taskCount()))
        c.taskLabelWidth.assign(size_t(s.taskCount()), -1);
    if (c.shapeWorkers != s.workers().size() || c.shapeTasks != s.taskCount() || c.shapeCounters != s.counters().size()
        || c.shapeCores != s.cores() || c.shapeStates != c.stateMask || c.shapeWorkerStates != c.workerStateMask) {
        c.shapeWorkerStates = c.workerStateMask;
        c.shapeWorkers = s.workers().size();
        c.shapeTasks = s.taskCount();
        c.shapeCounters = s.counters().size();
        c.shapeCores = s.cores();
        c.shapeStates = c.stateMask;
        c.layoutValid = false;
    }
}

const TimelineLayout& TimelineRenderer::layout() const
{
    updateCache();
    if (!m_cache->layoutValid) {
        buildLayout(m_cache->layout);
        m_cache->layoutValid = true;
    }
    return m_cache->layout;
}

void TimelineRenderer::buildLayout(TimelineLayout& L) const
{
    const QFont font = effectiveFont();
    const QFontMetrics fm(font);
    const int lineH = fm.height();
    const int width = m_size.width();
    const int height = m_size.height();
    L = TimelineLayout();
    L.size = m_size;
    L.laneHeight = lineH + 8;

    int y = 0;
    int labelWidth = fm.horizontalAdvance(QStringLiteral("window 999 ms")); // the ruler's caption
    auto addLane = [&](TimelineLane::Kind kind, int id, const QString& label, int h) {
        L.lanes.push_back({ kind, id, label, y, h });
        y += h;
    };
    if (showsGilLane(m_options) && m_store)
        addLane(TimelineLane::Kind::Gil, -1, QStringLiteral("GIL"), L.laneHeight);
    if (m_store) {
        for (const auto& [id, points] : m_store->counters()) {
            addLane(TimelineLane::Kind::Counter, id, counterLabel(id), 2 * lineH + 6);
            labelWidth = std::max(labelWidth, fm.horizontalAdvance(counterLabel(id)));
        }
        if (m_options.laneMode == LaneMode::ByWorker) {
            for (const WorkerInfo& w : m_store->workers()) {
                addLane(TimelineLane::Kind::Worker, w.id, w.name, L.laneHeight);
                labelWidth = std::max(labelWidth, fm.horizontalAdvance(w.name));
            }
        } else {
            for (int t = 0; t < m_store->taskCount(); ++t) {
                addLane(TimelineLane::Kind::Task, t, m_store->taskName(t), L.laneHeight);
                labelWidth = std::max(labelWidth, fm.horizontalAdvance(m_store->taskName(t)));
            }
        }
    }
    L.contentHeight = y;
    L.axisLeft = std::clamp(labelWidth + 20, kGutterMin, kGutterMax);
    L.axisWidth = std::max(1, width - L.axisLeft - kRightMargin);

    const int rulerHeight = lineH + 12;
    L.ruler = QRect(0, 0, width, rulerHeight);

    // Utilization rows: one per core (thinner with many cores, so that 64 cores still fit), then the run's CPU.
    int utilHeight = 0;
    const int cores = m_store ? m_store->cores() : 0;
    if (m_options.showUtilization && cores > 0) {
        const int rowH = std::clamp(160 / cores, 5, lineH + 4);
        const int processH = 2 * lineH + 4;
        const int gap = 8;
        utilHeight = gap + cores * rowH + processH;
        L.utilRows.reserve(size_t(cores) + 1);
        for (int core = 0; core < cores; ++core)
            L.utilRows.push_back({ core, QRect(0, 0, width, rowH), QStringLiteral("core %1").arg(core) });
        L.utilRows.push_back({ -1, QRect(0, 0, width, processH), QStringLiteral("this run's CPU") });
    }

    // The legend: chips in reading order, wrapped over as many lines as needed.
    int legendHeight = 0;
    if (m_options.showLegend) {
        using K = TimelineLegendItem::Kind;
        // The states the lanes can show: worker lanes never show time in the executor's queue.
        constexpr uint32_t kTerminal = (1u << int(TaskState::Done)) | (1u << int(TaskState::Failed));
        uint32_t mask = m_options.laneMode == LaneMode::ByTask
            ? m_cache->stateMask
            : (m_cache->workerStateMask | (m_cache->stateMask & kTerminal));
        if ((mask & ((1u << kTimedStateCount) - 1)) == 0)
            mask = (1u << kTimedStateCount) - 1; // nothing ran yet: introduce every state
        auto add = [&](K kind, TaskState s, const QString& label) { L.legendItems.push_back({ kind, s, label, {} }); };
        for (int i = 0; i < kTimedStateCount; ++i) {
            const TaskState s = TaskState(i);
            if (!(mask & (1u << i)))
                continue;
            add(K::State, s, stateLabel(s));
            if (s == TaskState::Running)
                add(K::Preempted, s, QStringLiteral("Running, but preempted by the OS"));
        }
        if (mask & (1u << int(TaskState::Done)))
            add(K::EndMark, TaskState::Done, QStringLiteral("Done"));
        if (mask & (1u << int(TaskState::Failed)))
            add(K::EndMark, TaskState::Failed, QStringLiteral("Failed"));
        if (showsGilLane(m_options))
            add(K::GilHolder, TaskState::Running, QStringLiteral("GIL held (by the named thread)"));
        if (!L.utilRows.empty()) {
            add(K::Utilization, TaskState::Running, QStringLiteral("Core busy"));
            add(K::ProcessCpu, TaskState::Running, QStringLiteral("This run's CPU (cores)"));
        }
        const int rowH = lineH + 6;
        int x = 8, line = 0;
        for (TimelineLegendItem& item : L.legendItems) {
            const int w = kLegendChip + 5 + fm.horizontalAdvance(item.label);
            if (x > 8 && x + w > width - 8) {
                x = 8;
                ++line;
            }
            item.rect = QRect(x, line * rowH, w, rowH);
            x += w + 18;
        }
        legendHeight = L.legendItems.empty() ? 0 : (line + 1) * rowH + 6;
    }

    const int lanesHeight = std::max(0, height - rulerHeight - utilHeight - legendHeight);
    // Few lanes in a tall view: let them grow (up to kMaxLaneGrowth times), so that a projected timeline stays
    // legible. Every lane grows by the same factor.
    if (L.contentHeight > 0 && L.contentHeight < lanesHeight) {
        const double grow = std::min(kMaxLaneGrowth, double(lanesHeight) / L.contentHeight);
        int top = 0;
        for (TimelineLane& lane : L.lanes) {
            lane.top = top;
            lane.height = int(lane.height * grow);
            top += lane.height;
        }
        L.contentHeight = top;
        L.laneHeight = int(L.laneHeight * grow);
    }
    L.lanesArea = QRect(0, rulerHeight, width, lanesHeight);
    int uy = L.lanesArea.bottom() + 1;
    if (utilHeight > 0) {
        L.utilization = QRect(0, uy, width, utilHeight);
        uy += 8;
        for (TimelineUtilRow& row : L.utilRows) {
            row.rect.moveTop(uy);
            uy += row.rect.height();
        }
    }
    if (legendHeight > 0) {
        L.legend = QRect(0, height - legendHeight, width, legendHeight);
        for (TimelineLegendItem& item : L.legendItems)
            item.rect.translate(0, L.legend.top() + 3);
    }
}

int TimelineRenderer::preferredHeight() const
{
    const TimelineLayout& L = layout();
    return L.ruler.height() + L.contentHeight + L.utilization.height() + L.legend.height();
}

void TimelineRenderer::paint(QPainter& p) const
{
    const TimelineLayout& L = layout();
    const ThemeColors& theme = themeColors(m_options.theme);
    const QFont font = effectiveFont();
    PaintContext c { L, theme, QFontMetrics(font), {}, {}, {}, {} };
    for (int i = 0; i < kTaskStateCount; ++i) {
        const TaskState s = TaskState(i);
        c.fill[size_t(i)] = stateColor(s, m_options.theme);
        c.fill[size_t(kDimKey + i)] = blend(c.fill[size_t(i)], theme.background, 0.7);
        c.text[size_t(i)] = stateTextColor(s, m_options.theme);
    }
    const QColor running = c.fill[size_t(TaskState::Running)];
    c.fill[kGilKey] = running;
    c.fill[kGilKey + 1] = blend(running, m_options.theme == Theme::Dark ? Qt::white : Qt::black, 0.3);
    c.fill[kGilKey + 2] = blend(c.fill[kGilKey], theme.background, 0.7);
    c.fill[kGilKey + 3] = blend(c.fill[kGilKey + 1], theme.background, 0.7);
    // The preempted part: the running colour faded towards the background (less so on dark, where a strong fade
    // would read as a hole), with running-coloured hatch lines over it.
    const double fade = m_options.theme == Theme::Dark ? 0.5 : 0.72;
    c.hatchBack = blend(running, theme.background, fade);
    c.hatchBackDim = blend(running, theme.background, 0.9);
    c.startNs = m_options.scale.startNs();
    c.pxPerNs = 1.0 / m_options.scale.nsPerPixel();
    c.liveEdge = liveEdgeNs();
    c.selected = m_options.selectedTask;
    c.scrollY = m_options.scrollY;
    {
        // Ruler labels never overlap: the spacing grows until the widest label (at the window's end) fits.
        const TimeScale& scale = m_options.scale;
        c.tickSpacing = c.fm.horizontalAdvance(QStringLiteral("000.0 ms")) + 16;
        const int64_t step = scale.majorStep(c.tickSpacing);
        const int64_t last = int64_t(scale.endNs()) / step * step;
        const int widest = std::max(c.fm.horizontalAdvance(TimeScale::tickLabel(last, step)),
            c.fm.horizontalAdvance(TimeScale::tickLabel(last - step, step)));
        if (widest + 14 > c.tickSpacing)
            c.tickSpacing = widest + 14;
    }

    p.save();
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    p.setFont(font);
    p.fillRect(QRect(QPoint(0, 0), m_size), theme.background);
    paintLanes(p, c);
    paintUtilization(p, c);
    paintRuler(p, c);
    if (m_store && m_options.live) {
        // Following the run, the edge sits exactly at the axis' end (give or take rounding): keep it inside.
        const double x = L.axisLeft + c.x(double(c.liveEdge));
        if (x >= L.axisLeft - 1 && x <= L.axisLeft + L.axisWidth + 1) {
            const int bottom = L.utilization.isEmpty() ? L.lanesArea.bottom() : L.utilization.bottom();
            const int left = std::clamp(int(x) - 1, L.axisLeft, L.axisLeft + L.axisWidth - 2);
            p.fillRect(QRect(left, L.ruler.top() + 2, 2, bottom - L.ruler.top() - 2), theme.selection);
        }
    }
    paintLegend(p, c);
    if (!m_store || (m_store->eventCount() == 0 && L.contentHeight == 0)) {
        p.setPen(theme.mutedText);
        p.drawText(L.lanesArea, Qt::AlignCenter,
            m_store ? QStringLiteral("Waiting for the first events…") : QStringLiteral("No run yet: press Run"));
    }
    p.restore();
}

void TimelineRenderer::paintGrid(QPainter& p, const PaintContext& c, QRect area) const
{
    const int64_t step = m_options.scale.majorStep(c.tickSpacing);
    const double first = std::ceil(c.startNs / double(step)) * double(step);
    for (double t = first; t <= m_options.scale.endNs(); t += double(step)) {
        const int x = c.L.axisLeft + int(std::floor(c.x(t)));
        p.fillRect(QRect(x, area.top(), 1, area.height()), c.theme.grid);
    }
}

void TimelineRenderer::paintRuler(QPainter& p, const PaintContext& c) const
{
    const TimelineLayout& L = c.L;
    const QRect r = L.ruler;
    p.fillRect(r, c.theme.background);
    p.fillRect(QRect(r.left(), r.bottom(), r.width(), 1), c.theme.grid);
    const std::vector<TimeScale::Tick> ticks = m_options.scale.ticks(c.tickSpacing);
    const int64_t step = m_options.scale.majorStep(c.tickSpacing);
    const int baseline = r.top() + 3 + c.fm.ascent();
    for (const TimeScale::Tick& t : ticks) {
        const int x = L.axisLeft + int(std::floor(t.x));
        if (x < L.axisLeft || x > L.axisLeft + L.axisWidth)
            continue;
        if (t.major) {
            p.fillRect(QRect(x, r.bottom() - 7, 1, 7), c.theme.mutedText);
            const QString label = TimeScale::tickLabel(t.ns, step);
            if (x + 3 + c.fm.horizontalAdvance(label) <= L.axisLeft + L.axisWidth + kRightMargin) {
                p.setPen(c.theme.text);
                p.drawText(x + 3, baseline, label);
            }
        } else {
            p.fillRect(QRect(x, r.bottom() - 3, 1, 3), c.theme.mutedText);
        }
    }
    // The caption tells the zoom level at a glance.
    p.setPen(c.theme.mutedText);
    p.drawText(8, baseline,
        c.fm.elidedText(QStringLiteral("window ") + TimeScale::formatDuration(m_options.scale.durationNs()),
            Qt::ElideRight, L.axisLeft - 12));
}

void TimelineRenderer::paintGutterLabel(
    QPainter& p, const PaintContext& c, QRect row, const QString& text, bool strong) const
{
    const int width = c.L.axisLeft - 14;
    if (strong) {
        p.fillRect(QRect(0, row.top(), 3, row.height()), c.theme.selection);
        QFont bold = p.font();
        bold.setBold(true);
        p.setFont(bold);
        p.setPen(c.theme.text);
        p.drawText(8, c.baseline(row), QFontMetrics(bold).elidedText(text, Qt::ElideRight, width));
        p.setFont(effectiveFont());
        return;
    }
    p.setPen(c.theme.text);
    p.drawText(8, c.baseline(row), c.fm.elidedText(text, Qt::ElideRight, width));
}

void TimelineRenderer::paintLegend(QPainter& p, const PaintContext& c) const
{
    const TimelineLayout& L = c.L;
    if (L.legend.isEmpty())
        return;
    p.fillRect(QRect(0, L.legend.top(), L.size.width(), 1), c.theme.grid);
    using K = TimelineLegendItem::Kind;
    for (const TimelineLegendItem& item : L.legendItems) {
        const QRect chip(item.rect.left(), item.rect.top() + (item.rect.height() - 10) / 2, kLegendChip, 10);
        const QColor color = c.fill[size_t(item.state)];
        switch (item.kind) {
        case K::State:
            p.fillRect(chip, color);
            break;
        case K::Preempted: {
            const QRect top(chip.left(), chip.top(), chip.width(), 6);
            p.fillRect(top, c.hatchBack);
            drawHatch(p, top, color, 4);
            p.fillRect(QRect(chip.left(), chip.top() + 6, chip.width(), 4), color);
            break;
        }
        case K::EndMark:
            p.fillRect(QRect(chip.left() + 5, chip.top() - 2, 3, chip.height() + 4), color);
            break;
        case K::GilHolder:
            p.fillRect(QRect(chip.left(), chip.top(), chip.width() / 2, chip.height()), c.fill[kGilKey]);
            p.fillRect(
                QRect(chip.left() + chip.width() / 2, chip.top(), chip.width() - chip.width() / 2, chip.height()),
                c.fill[kGilKey + 1]);
            break;
        case K::Utilization:
            p.fillRect(chip, c.theme.utilization);
            break;
        case K::ProcessCpu:
            p.fillRect(QRect(chip.left(), chip.center().y() - 1, chip.width(), 2), c.theme.processUtilization);
            break;
        }
        p.setPen(c.theme.text);
        p.drawText(chip.right() + 6, c.baseline(item.rect), item.label);
    }
}

} // namespace taskline
