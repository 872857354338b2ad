// The lanes region: worker and task lanes with level-of-detail folding, the GIL lane and counter rows.

#include "lanesummary.h"
#include "timelinerenderer.h"
#include "timelinerenderer_p.h"
#include "tracestore.h"

#include <algorithm>

namespace taskline {

namespace {

const std::vector<uint32_t> kNoSpans;

constexpr int kHatchSpacing = 4;
constexpr int kEndMarkWidth = 3;

// The first of a lane's spans (sorted by start) that can reach into [startNs, …): binary search to the first span
// starting at or after startNs, then step back to the previous span this lane shows, which may still be open
// there. A lane's shown spans do not overlap each other, so one step back is enough.
template <typename Shows>
size_t firstVisible(const std::vector<uint32_t>& list, const Span* spans, double startNs, Shows shows)
{
    size_t i = size_t(std::partition_point(list.begin(), list.end(), [&](uint32_t k) {
        return double(spans[k].startNs) < startNs;
    }) - list.begin());
    while (i > 0) {
        --i;
        if (shows(spans[list[i]]))
            break;
    }
    return i;
}

// What one lane's paint keeps between spans: the folder for narrow ones, the end marks (drawn last, so that no
// folded block covers them) and the previous wide block (a 1 px gap where one task or holder hands over).
struct LaneStroke
{
    ColumnFolder folder;
    std::vector<std::pair<int, int>>& marks; // (axis x, colour key)
    int prevOwner = -1;
    int prevRight = INT_MIN;

    void mark(int x, int key)
    {
        if (marks.empty() || marks.back().first != x)
            marks.emplace_back(x, key);
    }
};

} // namespace

const std::vector<uint32_t>& TimelineRenderer::laneSpans(const TimelineLane& lane) const
{
    if (!m_store)
        return kNoSpans;
    if (lane.kind == TimelineLane::Kind::Worker)
        return m_store->workerSpans(lane.id);
    if (lane.kind == TimelineLane::Kind::Task && lane.id >= 0 && lane.id < m_store->taskCount())
        return m_store->taskSpans(lane.id);
    return kNoSpans;
}

bool TimelineRenderer::laneShows(const TimelineLane& lane, TaskState state) const
{
    // The event loop runs one coroutine at a time: its lane shows which one runs. The coroutines' other states
    // (ready, blocked on I/O, …) overlap each other and belong to the task lanes.
    if (lane.kind == TimelineLane::Kind::Worker && m_store && size_t(lane.id) < m_store->workers().size()
        && m_store->workers()[size_t(lane.id)].kind == WorkerKind::Loop)
        return state == TaskState::Running;
    return true;
}

LaneSummary* TimelineRenderer::summaryFor(const TimelineLane& lane) const
{
    Cache& cache = *m_cache;
    const TraceStore& store = *m_store;
    if (lane.kind == TimelineLane::Kind::Gil) {
        LaneSummary& lod = cache.gilLod;
        const std::vector<GilSpan>& gil = store.gilSpans();
        // One holder at a time: GIL spans close in order.
        for (; lod.consumed < gil.size() && gil[lod.consumed].endNs != TraceStore::kOpen; ++lod.consumed) {
            const GilSpan& g = gil[lod.consumed];
            lod.add(g.startNs, g.endNs, int(lod.consumed), g.task, kGilKey + (g.worker & 1), 0);
        }
        return &lod;
    }
    std::vector<LaneSummary>& lods = lane.kind == TimelineLane::Kind::Worker ? cache.workerLod : cache.taskLod;
    if (lane.id < 0)
        return nullptr;
    if (lods.size() <= size_t(lane.id))
        lods.resize(size_t(lane.id) + 1);
    LaneSummary& lod = lods[size_t(lane.id)];
    const std::vector<uint32_t>& list = laneSpans(lane);
    const Span* spans = store.spans().data();
    const bool taskLane = lane.kind == TimelineLane::Kind::Task;
    while (lod.consumed < list.size()) {
        // The lane's spans are scattered over the store (lanes interleave): fetch ahead of use.
        if (lod.consumed + 16 < list.size())
            __builtin_prefetch(&spans[list[lod.consumed + 16]]);
        const Span& s = spans[list[lod.consumed]];
        if (!laneShows(lane, s.state)) {
            ++lod.consumed;
            continue;
        }
        if (s.endNs == TraceStore::kOpen)
            break; // it (and what follows) is drawn from the store until it closes
        int mark = 0;
        if (!taskLane && s.endNs == store.taskEndNs(s.task)) {
            const TaskState st = store.taskState(s.task);
            if (st == TaskState::Done || st == TaskState::Failed)
                mark = int(st);
        }
        lod.add(s.startNs, s.endNs, int(list[lod.consumed]), s.task, int(s.state), mark);
        ++lod.consumed;
    }
    return &lod;
}

void TimelineRenderer::paintLanes(QPainter& p, const PaintContext& c) const
{
    const TimelineLayout& L = c.L;
    if (L.lanesArea.isEmpty())
        return;
    p.save();
    p.setClipRect(L.lanesArea);
    const int first = std::max(0, L.laneAt(L.lanesArea.top(), c.scrollY));
    int last = first;
    for (int i = first; i < int(L.lanes.size()); ++i) {
        const QRect row = L.laneRect(i, c.scrollY);
        if (row.top() > L.lanesArea.bottom())
            break;
        last = i;
        if (i % 2)
            p.fillRect(row, c.theme.laneAlternate);
    }
    paintGrid(p, c, L.lanesArea);
    for (int i = first; i <= last && i < int(L.lanes.size()); ++i) {
        const TimelineLane& lane = L.lanes[size_t(i)];
        const QRect row = L.laneRect(i, c.scrollY);
        const QRect bar(L.axisLeft, row.top() + 2, L.axisWidth, row.height() - 4);
        switch (lane.kind) {
        case TimelineLane::Kind::Gil:
            paintGilLane(p, c, bar);
            break;
        case TimelineLane::Kind::Counter:
            paintCounterLane(p, c, lane, bar);
            break;
        case TimelineLane::Kind::Worker:
        case TimelineLane::Kind::Task:
            paintSpanLane(p, c, lane, bar);
            break;
        }
    }
    // The label column, drawn last so that nothing slides under it.
    for (int i = first; i <= last && i < int(L.lanes.size()); ++i) {
        const TimelineLane& lane = L.lanes[size_t(i)];
        const QRect row = L.laneRect(i, c.scrollY);
        p.fillRect(QRect(0, row.top(), L.axisLeft, row.height()), i % 2 ? c.theme.laneAlternate : c.theme.background);
        const bool strong = lane.kind == TimelineLane::Kind::Task && lane.id == c.selected;
        paintGutterLabel(p, c,
            lane.kind == TimelineLane::Kind::Counter ? row.adjusted(0, 0, 0, -row.height() / 2) : row, lane.label,
            strong);
        if (lane.kind == TimelineLane::Kind::Counter) {
            const auto it = m_cache->counterMax.find(lane.id);
            p.setPen(c.theme.mutedText);
            p.drawText(8, c.baseline(row.adjusted(0, row.height() / 2, 0, 0)),
                QStringLiteral("max %1").arg(it == m_cache->counterMax.end() ? 0 : it->second.second));
        }
    }
    p.fillRect(QRect(L.axisLeft - 1, L.lanesArea.top(), 1, L.lanesArea.height()), c.theme.grid);
    p.restore();
}

void TimelineRenderer::paintWideSpan(QPainter& p, const PaintContext& c, const Span& s, int64_t end, double x0,
    double x1, QRect bar, bool taskLane, void* strokePtr) const
{
    LaneStroke& stroke = *static_cast<LaneStroke*>(strokePtr);
    const int left = c.L.axisLeft;
    const int h = bar.height();
    const bool selected = s.task == c.selected;
    const bool dim = c.selected >= 0 && !selected;
    const int key = int(s.state) + (dim ? kDimKey : 0);
    const int l = int(std::floor(std::max(x0, -1.0)));
    const int r = int(std::floor(std::min(x1, c.L.axisWidth + 1.0)));
    const QRect rect(left + l, bar.top(), r - l, h);
    const QColor& color = c.fill[size_t(key)];
    bool lightText = false; // the label sits on the hatch's light background
    double share = 1;
    if (s.state == TaskState::Running && s.cpuNs >= 0 && end > s.startNs)
        share = std::clamp(double(s.cpuNs) / double(end - s.startNs), 0.0, 1.0);
    // Less than 2 px of hatch reads as noise, not as preemption (the tooltip still gives the exact share).
    const int hatchedHeight = int(std::lround((1 - share) * h));
    const int solid = hatchedHeight < 2 ? h : h - hatchedHeight;
    if (solid < h) {
        // Preempted: the thread was runnable but the OS gave it no core for (1 - share) of the slice. The solid
        // part's height is the share it ran on a core; the hatched rest is the preempted part.
        const QRect hatched(rect.left(), rect.top(), rect.width(), h - solid);
        p.fillRect(hatched, dim ? c.hatchBackDim : c.hatchBack);
        drawHatch(p, hatched, color, kHatchSpacing);
        if (solid > 0)
            p.fillRect(QRect(rect.left(), rect.top() + h - solid, rect.width(), solid), color);
        lightText = solid < h / 2;
    } else {
        p.fillRect(rect, color);
    }
    if (s.task != stroke.prevOwner && stroke.prevOwner >= 0 && l <= stroke.prevRight)
        p.fillRect(QRect(rect.left(), rect.top(), 1, h), c.theme.background); // where one task hands over
    stroke.prevOwner = s.task;
    stroke.prevRight = r;

    // A label where it fits, kept at the visible start of the span.
    const TraceStore& store = *m_store;
    const int visibleLeft = std::max(rect.left(), left);
    const int visibleWidth = std::min(rect.right(), left + c.L.axisWidth) - visibleLeft;
    int textWidth;
    if (taskLane) {
        textWidth = m_cache->stateLabelWidth[size_t(s.state)];
    } else {
        int& w = m_cache->taskLabelWidth[size_t(s.task)];
        if (w < 0)
            w = c.fm.horizontalAdvance(store.taskName(s.task));
        textWidth = w;
    }
    if (visibleWidth >= textWidth + 6) {
        p.setPen(dim ? c.theme.mutedText : lightText ? c.theme.text : c.text[size_t(s.state)]);
        p.drawText(visibleLeft + 3, c.baseline(rect), taskLane ? stateLabel(s.state) : store.taskName(s.task));
    }
    if (selected) {
        // Bars along the top and bottom edges: side edges would paint narrow slices in the selection colour.
        p.fillRect(QRect(rect.left(), rect.top(), rect.width(), 2), c.theme.selection);
        p.fillRect(QRect(rect.left(), rect.bottom() - 1, rect.width(), 2), c.theme.selection);
    }
}

void TimelineRenderer::paintSpanLane(QPainter& p, const PaintContext& c, const TimelineLane& lane, QRect bar) const
{
    const std::vector<uint32_t>& list = laneSpans(lane);
    if (list.empty())
        return;
    const TraceStore& store = *m_store;
    const Span* spans = store.spans().data();
    const bool taskLane = lane.kind == TimelineLane::Kind::Task;
    const bool loopLane = !taskLane && !laneShows(lane, TaskState::Ready);
    const double endNs = m_options.scale.endNs();
    const double axisWidth = c.L.axisWidth;
    const int left = c.L.axisLeft;
    const int h = bar.height();
    m_cache->marks.clear();
    LaneStroke stroke { ColumnFolder(p, c.fill, left, bar.top(), h), m_cache->marks };

    size_t rawFrom = firstVisible(
        list, spans, c.startNs, [loopLane](const Span& s) { return !loopLane || s.state == TaskState::Running; });
    // Zoomed out: the summary level whose merged items are at most a pixel wide replaces the closed spans, so that
    // each pixel column still gets the colour of its own dominant state.
    const int level = m_options.useSummaries ? LaneSummary::levelFor(1 / c.pxPerNs) : -1;
    if (level >= 0) {
        const LaneSummary* lod = summaryFor(lane);
        auto item = [&](const LaneSummary::Item& it) {
            const double x0 = c.x(double(it.startNs)), x1 = c.x(double(it.endNs));
            if (x1 < 0)
                return;
            if (it.ref >= 0 && x1 - x0 >= kFoldPx) {
                stroke.folder.flush();
                paintWideSpan(p, c, spans[it.ref], it.endNs, x0, x1, bar, taskLane, &stroke);
            } else {
                const bool selected = c.selected >= 0 && it.task == c.selected;
                const bool dim = c.selected >= 0 && !selected;
                stroke.folder.add(std::max(x0, -1.0), x1, it.key + (dim ? kDimKey : 0), selected ? 1000.f : 1.f);
            }
            if (it.mark && !taskLane && x1 <= axisWidth)
                stroke.mark(int(x1), it.mark + (c.selected >= 0 && it.task != c.selected ? kDimKey : 0));
        };
        const std::vector<LaneSummary::Item>& items = lod->items(level);
        auto it = std::partition_point(
            items.begin(), items.end(), [&](const LaneSummary::Item& i) { return double(i.endNs) <= c.startNs; });
        for (; it != items.end() && double(it->startNs) <= endNs; ++it)
            item(*it);
        LaneSummary::Item pending;
        if (lod->pending(level, &pending) && double(pending.startNs) <= endNs)
            item(pending);
        rawFrom = std::max(rawFrom, lod->consumed);
    }

    // Spans one by one: the whole window when zoomed in, else the spans the summary does not hold yet.
    for (size_t k = rawFrom; k < list.size(); ++k) {
        const Span& s = spans[list[k]];
        if (double(s.startNs) > endNs)
            break;
        if (loopLane && s.state != TaskState::Running)
            continue;
        const int64_t end = s.endNs == TraceStore::kOpen ? std::max(c.liveEdge, s.startNs) : s.endNs;
        const double x0 = c.x(double(s.startNs));
        const double x1 = c.x(double(end));
        if (x1 < 0)
            continue;
        const bool selected = s.task == c.selected;
        const bool dim = c.selected >= 0 && !selected;
        // A task's end on a worker lane: a mark at the end of its last span, wide or folded, one per pixel column
        // (hotspot's rule for instants).
        if (!taskLane && s.endNs != TraceStore::kOpen && s.endNs == store.taskEndNs(s.task) && x1 <= axisWidth) {
            const TaskState st = store.taskState(s.task);
            if (st == TaskState::Done || st == TaskState::Failed)
                stroke.mark(int(x1), int(st) + (dim ? kDimKey : 0));
        }
        if (x1 - x0 < kFoldPx) {
            stroke.folder.add(std::max(x0, -1.0), x1, int(s.state) + (dim ? kDimKey : 0), selected ? 1000.f : 1.f);
            continue;
        }
        stroke.folder.flush();
        paintWideSpan(p, c, s, end, x0, x1, bar, taskLane, &stroke);
    }
    stroke.folder.flush();
    for (const auto& [x, key] : m_cache->marks)
        p.fillRect(QRect(left + x - kEndMarkWidth + 1, bar.top() - 2, kEndMarkWidth, h + 4), c.fill[size_t(key)]);
    if (taskLane) {
        const TaskState st = store.taskState(lane.id);
        const int64_t endAt = store.taskEndNs(lane.id);
        if ((st == TaskState::Done || st == TaskState::Failed) && endAt >= 0) {
            const double x = c.x(double(endAt));
            if (x >= 0 && x <= axisWidth) {
                const bool dim = c.selected >= 0 && c.selected != lane.id;
                p.fillRect(QRect(left + int(std::floor(x)) - kEndMarkWidth + 1, bar.top() - 2, kEndMarkWidth, h + 4),
                    c.fill[size_t(st) + (dim ? kDimKey : 0)]);
            }
        }
    }
}

void TimelineRenderer::paintGilLane(QPainter& p, const PaintContext& c, QRect bar) const
{
    if (!m_store)
        return;
    const TraceStore& store = *m_store;
    const int left = c.L.axisLeft;
    const double axisWidth = c.L.axisWidth;
    // The GIL's idle colour over the run so far: a gap in the holders is a moment nobody held it.
    {
        const double x0 = std::max(0.0, c.x(0)), x1 = std::min(axisWidth, c.x(double(c.liveEdge)));
        if (x1 > x0)
            p.fillRect(QRect(left + int(x0), bar.top(), int(x1) - int(x0), bar.height()), c.theme.gil);
    }
    const std::vector<GilSpan>& gil = store.gilSpans();
    if (gil.empty())
        return;
    const double endNs = m_options.scale.endNs();
    m_cache->marks.clear();
    LaneStroke stroke { ColumnFolder(p, c.fill, left, bar.top(), bar.height()), m_cache->marks };
    auto wide = [&](const GilSpan& g, double x0, double x1, int key) {
        stroke.folder.flush();
        const int l = int(std::floor(std::max(x0, -1.0)));
        const int r = int(std::floor(std::min(x1, axisWidth + 1)));
        const QRect rect(left + l, bar.top(), r - l, bar.height());
        p.fillRect(rect, c.fill[size_t(key)]);
        if (g.worker != stroke.prevOwner && stroke.prevOwner >= 0 && l <= stroke.prevRight)
            p.fillRect(QRect(rect.left(), rect.top(), 1, rect.height()), c.theme.background);
        stroke.prevOwner = g.worker;
        stroke.prevRight = r;
        if (g.worker >= 0 && size_t(g.worker) < store.workers().size()) {
            const QString& name = store.workers()[size_t(g.worker)].name;
            const int visibleLeft = std::max(rect.left(), left);
            const int visibleWidth = std::min(rect.right(), left + c.L.axisWidth) - visibleLeft;
            // "thread-3", or just "3" where the name does not fit (the lane's tooltip says whose number it is).
            QStringView text = name;
            if (visibleWidth < c.fm.horizontalAdvance(name) + 6) {
                qsizetype digits = name.size();
                while (digits > 0 && name.at(digits - 1).isDigit())
                    --digits;
                text = QStringView(name).mid(digits);
            }
            if (!text.isEmpty() && visibleWidth >= c.fm.horizontalAdvance(text.toString()) + 6) {
                p.setPen(key >= kGilKey + 2 ? c.theme.mutedText : c.text[size_t(TaskState::Running)]);
                p.drawText(visibleLeft + 3, c.baseline(rect), text.toString());
            }
        }
    };
    auto keyOf = [&](const GilSpan& g) {
        return kGilKey + (g.worker & 1) + (c.selected >= 0 && g.task != c.selected ? 2 : 0);
    };

    size_t rawFrom = size_t(std::partition_point(gil.begin(), gil.end(), [&](const GilSpan& g) {
        return double(g.startNs) < c.startNs;
    }) - gil.begin());
    if (rawFrom > 0)
        --rawFrom;
    const int level = m_options.useSummaries ? LaneSummary::levelFor(1 / c.pxPerNs) : -1;
    if (level >= 0) {
        const TimelineLane gilLane { TimelineLane::Kind::Gil, -1, {}, 0, 0 };
        const LaneSummary* lod = summaryFor(gilLane);
        auto item = [&](const LaneSummary::Item& it) {
            const double x0 = c.x(double(it.startNs)), x1 = c.x(double(it.endNs));
            if (x1 < 0)
                return;
            if (it.ref >= 0 && x1 - x0 >= kFoldPx) {
                wide(gil[size_t(it.ref)], x0, x1, keyOf(gil[size_t(it.ref)]));
                return;
            }
            const bool dim = c.selected >= 0 && it.task != c.selected;
            stroke.folder.add(std::max(x0, -1.0), x1, it.key + (dim ? 2 : 0), dim ? 1.f : 1000.f);
        };
        const std::vector<LaneSummary::Item>& items = lod->items(level);
        auto it = std::partition_point(
            items.begin(), items.end(), [&](const LaneSummary::Item& i) { return double(i.endNs) <= c.startNs; });
        for (; it != items.end() && double(it->startNs) <= endNs; ++it)
            item(*it);
        LaneSummary::Item pending;
        if (lod->pending(level, &pending) && double(pending.startNs) <= endNs)
            item(pending);
        rawFrom = std::max(rawFrom, lod->consumed);
    }
    for (size_t i = rawFrom; i < gil.size(); ++i) {
        const GilSpan& g = gil[i];
        if (double(g.startNs) > endNs)
            break;
        const int64_t end = g.endNs == TraceStore::kOpen ? std::max(c.liveEdge, g.startNs) : g.endNs;
        const double x0 = c.x(double(g.startNs)), x1 = c.x(double(end));
        if (x1 < 0)
            continue;
        const int key = keyOf(g);
        if (x1 - x0 < kFoldPx)
            stroke.folder.add(std::max(x0, -1.0), x1, key, key >= kGilKey + 2 ? 1.f : 1000.f);
        else
            wide(g, x0, x1, key);
    }
    stroke.folder.flush();
}

void TimelineRenderer::paintCounterLane(QPainter& p, const PaintContext& c, const TimelineLane& lane, QRect bar) const
{
    const auto found = m_store->counters().find(lane.id);
    if (found == m_store->counters().end() || found->second.empty())
        return;
    const std::vector<CounterPoint>& points = found->second;
    const auto max = m_cache->counterMax.find(lane.id);
    const int maxValue = std::max(1, max == m_cache->counterMax.end() ? 1 : max->second.second);
    const int width = c.L.axisWidth;
    // The maximum per pixel column of a step function (a value holds until the next sample).
    std::vector<float>& column = m_cache->columnSum;
    column.assign(size_t(width), -1.f);
    size_t i = size_t(std::partition_point(points.begin(), points.end(), [&](const CounterPoint& q) {
        return double(q.timeNs) < c.startNs;
    }) - points.begin());
    if (i > 0)
        --i;
    const double endNs = m_options.scale.endNs();
    for (; i < points.size() && double(points[i].timeNs) <= endNs; ++i) {
        const int64_t next = i + 1 < points.size() ? points[i + 1].timeNs : std::max(points[i].timeNs, c.liveEdge);
        const int c0 = std::max(0, int(std::floor(c.x(double(points[i].timeNs)))));
        const int c1 = std::min(width - 1, std::max(c0, int(std::ceil(c.x(double(next)))) - 1));
        for (int col = c0; col <= c1; ++col)
            column[size_t(col)] = std::max(column[size_t(col)], float(points[i].value));
    }
    const QColor color = c.fill[size_t(TaskState::Ready)];
    int runStart = 0;
    for (int col = 1; col <= width; ++col) {
        if (col < width && column[size_t(col)] == column[size_t(runStart)])
            continue;
        const float v = column[size_t(runStart)];
        if (v > 0) {
            const int hh = std::max(1, int(std::lround(v / float(maxValue) * float(bar.height()))));
            p.fillRect(QRect(c.L.axisLeft + runStart, bar.bottom() + 1 - hh, col - runStart, hh), color);
        }
        runStart = col;
    }
}

} // namespace taskline
