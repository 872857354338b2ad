// What lies under a point, and the tooltip that explains it.

#include "timelinerenderer.h"
#include "timelinerenderer_p.h"
#include "tracestore.h"

#include <QStringList>
#include <algorithm>

namespace taskline {

namespace {

QString workerName(const TraceStore& store, int worker)
{
    if (worker < 0)
        return QStringLiteral("the executor's queue");
    if (size_t(worker) < store.workers().size())
        return store.workers()[size_t(worker)].name;
    return QStringLiteral("worker %1").arg(worker);
}

QString percent(double share)
{
    return QString::number(std::lround(share * 100)) + QStringLiteral(" %");
}

// One sentence per state for the legend's tooltips (design.md's definitions).
QString explainState(TaskState s)
{
    switch (s) {
    case TaskState::Queued:
        return QStringLiteral("Waiting in the executor's queue for a free worker.");
    case TaskState::Ready:
        return QStringLiteral("Could run, but the event loop is busy with another task.");
    case TaskState::Running:
        return QStringLiteral("Executing on a CPU core.");
    case TaskState::WaitingGil:
        return QStringLiteral("Asked for the GIL and waits while another thread holds it.");
    case TaskState::BlockedIo:
        return QStringLiteral("A fetch is in flight: waiting for the network.");
    case TaskState::Sleeping:
        return QStringLiteral("Sleeping (time.sleep / asyncio.sleep).");
    case TaskState::Spawning:
        return QStringLiteral("A worker process is being started for it.");
    case TaskState::Serializing:
        return QStringLiteral("Its arguments or result are copied between processes (pickle).");
    case TaskState::Done:
        return QStringLiteral("The task finished.");
    case TaskState::Failed:
        return QStringLiteral("The task failed (the tooltip of its last span and the summary say why).");
    }
    return {};
}

} // namespace

TimelineHit TimelineRenderer::hitTest(QPoint pos) const
{
    const TimelineLayout& L = layout();
    TimelineHit hit;
    if (L.legend.contains(pos)) {
        for (size_t i = 0; i < L.legendItems.size(); ++i) {
            if (L.legendItems[i].rect.contains(pos)) {
                hit.kind = TimelineHit::Kind::Legend;
                hit.legendItem = int(i);
            }
        }
        return hit;
    }
    if (!m_store)
        return hit;
    const TimeScale& scale = m_options.scale;
    if (L.lanesArea.contains(pos)) {
        const int lane = L.laneAt(pos.y(), m_options.scrollY);
        if (lane < 0)
            return hit;
        if (pos.x() < L.axisLeft) {
            hit.kind = TimelineHit::Kind::LaneLabel;
            hit.lane = lane;
            hit.task = L.lanes[size_t(lane)].kind == TimelineLane::Kind::Task ? L.lanes[size_t(lane)].id : -1;
            return hit;
        }
        return hitLane(L.lanes[size_t(lane)], lane, pos.x() - L.axisLeft);
    }
    if (L.utilization.contains(pos) && pos.x() >= L.axisLeft) {
        for (const TimelineUtilRow& row : L.utilRows) {
            if (!row.rect.contains(pos))
                continue;
            const double t = scale.xToTime(pos.x() - L.axisLeft + 0.5);
            const std::vector<UtilSample>& samples = m_store->utilization();
            auto it = std::partition_point(
                samples.begin(), samples.end(), [t](const UtilSample& s) { return double(s.timeNs) <= t; });
            if (it == samples.end() || double(it->timeNs - it->intervalNs) > t)
                return hit;
            hit.kind = TimelineHit::Kind::Utilization;
            hit.core = row.core;
            hit.sample = int(it - samples.begin());
            hit.startNs = it->timeNs - it->intervalNs;
            hit.endNs = it->timeNs;
            return hit;
        }
    }
    return hit;
}

TimelineHit TimelineRenderer::hitLane(const TimelineLane& lane, int laneIndex, double x) const
{
    const TraceStore& store = *m_store;
    const TimeScale& scale = m_options.scale;
    const int64_t live = liveEdgeNs();
    const double column = std::floor(x);
    const double t0 = scale.xToTime(column), t1 = scale.xToTime(column + 1);
    TimelineHit hit;
    hit.lane = laneIndex;

    // Everything overlapping the pixel column under the cursor: a span wide enough to be drawn on its own wins;
    // otherwise the column is a folded block of `count` spans.
    auto consider = [&](int index, int64_t start, int64_t end, int task, TaskState state, bool gil) {
        const double x0 = scale.timeToX(double(start)), x1 = scale.timeToX(double(end));
        if (x1 - x0 >= kFoldPx && x >= x0 && x < x1) {
            hit.kind = gil ? TimelineHit::Kind::Gil : TimelineHit::Kind::Span;
            hit.span = index;
            hit.task = task;
            hit.startNs = start;
            hit.endNs = end;
            hit.count = 1;
            return true;
        }
        if (hit.count == 0) {
            hit.startNs = start;
            hit.task = task;
            hit.span = index;
        } else if (hit.task != task) {
            hit.task = -1;
        }
        hit.endNs = std::max(hit.endNs, end);
        ++hit.count;
        if (int(state) < kTimedStateCount)
            hit.stateNs[size_t(state)] += end - start;
        return false;
    };
    auto finish = [&](bool gil) {
        if (hit.kind != TimelineHit::Kind::None)
            return;
        if (hit.count == 1)
            hit.kind = gil ? TimelineHit::Kind::Gil : TimelineHit::Kind::Span;
        else if (hit.count > 1)
            hit.kind = TimelineHit::Kind::Folded;
    };

    switch (lane.kind) {
    case TimelineLane::Kind::Gil: {
        const std::vector<GilSpan>& gil = store.gilSpans();
        size_t i = size_t(std::partition_point(gil.begin(), gil.end(), [&](const GilSpan& g) {
            return double(g.startNs) < t0;
        }) - gil.begin());
        if (i > 0)
            --i;
        for (; i < gil.size() && double(gil[i].startNs) < t1; ++i) {
            const GilSpan& g = gil[i];
            const int64_t end = g.endNs == TraceStore::kOpen ? std::max(live, g.startNs) : g.endNs;
            if (double(end) < t0)
                continue;
            if (consider(int(i), g.startNs, end, g.task, TaskState::Running, true))
                return hit;
        }
        finish(true);
        return hit;
    }
    case TimelineLane::Kind::Counter: {
        const auto found = store.counters().find(lane.id);
        if (found == store.counters().end())
            return hit;
        const double t = scale.xToTime(x);
        const std::vector<CounterPoint>& points = found->second;
        auto it = std::partition_point(
            points.begin(), points.end(), [t](const CounterPoint& q) { return double(q.timeNs) <= t; });
        if (it == points.begin())
            return hit;
        --it;
        hit.kind = TimelineHit::Kind::Counter;
        hit.startNs = it->timeNs;
        hit.value = it->value;
        hit.core = lane.id;
        return hit;
    }
    case TimelineLane::Kind::Worker:
    case TimelineLane::Kind::Task: {
        const std::vector<uint32_t>& list = laneSpans(lane);
        const Span* spans = store.spans().data();
        size_t i = size_t(std::partition_point(list.begin(), list.end(), [&](uint32_t k) {
            return double(spans[k].startNs) < t0;
        }) - list.begin());
        while (i > 0) {
            --i;
            if (laneShows(lane, spans[list[i]].state))
                break;
        }
        for (; i < list.size() && double(spans[list[i]].startNs) < t1; ++i) {
            const Span& s = spans[list[i]];
            if (!laneShows(lane, s.state))
                continue;
            const int64_t end = s.endNs == TraceStore::kOpen ? std::max(live, s.startNs) : s.endNs;
            if (double(end) < t0)
                continue;
            if (consider(int(list[i]), s.startNs, end, s.task, s.state, false))
                return hit;
        }
        finish(false);
        return hit;
    }
    }
    return hit;
}

QString TimelineRenderer::toolTip(const TimelineHit& hit) const
{
    using K = TimelineHit::Kind;
    if (hit.kind == K::Legend) {
        const TimelineLegendItem& item = layout().legendItems[size_t(hit.legendItem)];
        switch (item.kind) {
        case TimelineLegendItem::Kind::State:
        case TimelineLegendItem::Kind::EndMark:
            return stateLabel(item.state) + QStringLiteral(": ") + explainState(item.state);
        case TimelineLegendItem::Kind::Preempted:
            return QStringLiteral("A running slice's solid part is the share of its time the thread had a CPU core; "
                                  "the hatched rest is time it was runnable but the OS ran something else "
                                  "(more runnable threads than cores).");
        case TimelineLegendItem::Kind::GilHolder:
            return QStringLiteral("The GIL lane: which thread holds the emulated GIL. Only the holder runs Python "
                                  "code; the others wait (vermillion on their lanes).");
        case TimelineLegendItem::Kind::Utilization:
            return QStringLiteral("How busy each CPU core was (all processes on the machine), from /proc/stat.");
        case TimelineLegendItem::Kind::ProcessCpu:
            return QStringLiteral("CPU time used by this run's processes, in cores (2.0 = two cores busy).");
        }
        return {};
    }
    if (!m_store || hit.kind == K::None)
        return {};
    const TraceStore& store = *m_store;
    const TimelineLayout& L = layout();
    const QString range
        = TimeScale::formatTime(double(hit.startNs)) + QStringLiteral(" – ") + TimeScale::formatTime(double(hit.endNs));
    switch (hit.kind) {
    case K::Span: {
        const Span& s = store.spans()[size_t(hit.span)];
        QStringList lines;
        lines << store.taskName(s.task) + QStringLiteral(" — ") + stateLabel(s.state);
        lines << QStringLiteral("start %1 · duration %2")
                     .arg(TimeScale::formatTime(double(hit.startNs)),
                         TimeScale::formatDuration(double(hit.endNs - hit.startNs)));
        QString where = QStringLiteral("on ") + workerName(store, s.worker);
        if (s.core >= 0)
            where += QStringLiteral(" · core %1").arg(s.core);
        if (s.step >= 0)
            where += QStringLiteral(" · step %1").arg(s.step + 1);
        lines << where;
        if (s.state == TaskState::Running) {
            if (s.cpuNs >= 0 && hit.endNs > hit.startNs) {
                const double share = std::clamp(double(s.cpuNs) / double(hit.endNs - hit.startNs), 0.0, 1.0);
                lines << percent(share) + QStringLiteral(" on CPU, ") + percent(1 - share)
                        + QStringLiteral(" preempted");
            } else if (s.endNs == TraceStore::kOpen) {
                lines << QStringLiteral("still running (its CPU share is known when the slice ends)");
            }
        }
        if (s.endNs == TraceStore::kOpen)
            lines << QStringLiteral("(still in this state)");
        return lines.join(QLatin1Char('\n'));
    }
    case K::Folded: {
        QStringList lines;
        lines << QStringLiteral("%1 spans too narrow to draw one by one (zoom in to see them)").arg(hit.count);
        if (hit.task >= 0)
            lines << QStringLiteral("all of ") + store.taskName(hit.task);
        lines << range;
        int64_t total = 0;
        for (int64_t ns : hit.stateNs)
            total += ns;
        std::array<int, kTimedStateCount> order {};
        for (int i = 0; i < kTimedStateCount; ++i)
            order[size_t(i)] = i;
        std::stable_sort(
            order.begin(), order.end(), [&](int a, int b) { return hit.stateNs[size_t(a)] > hit.stateNs[size_t(b)]; });
        QStringList parts;
        for (int i : order) {
            if (hit.stateNs[size_t(i)] > 0 && total > 0)
                parts << stateLabel(TaskState(i)) + QLatin1Char(' ')
                        + percent(double(hit.stateNs[size_t(i)]) / double(total));
        }
        if (!parts.isEmpty())
            lines << parts.join(QStringLiteral(", "));
        return lines.join(QLatin1Char('\n'));
    }
    case K::Gil: {
        const GilSpan& g = store.gilSpans()[size_t(hit.span)];
        QString text = QStringLiteral("GIL held by ") + workerName(store, g.worker);
        if (g.task >= 0 && g.task < store.taskCount())
            text += QStringLiteral(" (running ") + store.taskName(g.task) + QLatin1Char(')');
        return text
            + QStringLiteral("\nstart %1 · duration %2")
                  .arg(TimeScale::formatTime(double(hit.startNs)),
                      TimeScale::formatDuration(double(hit.endNs - hit.startNs)));
    }
    case K::Counter:
        return QStringLiteral("%1: %2 at %3")
            .arg(L.lanes[size_t(hit.lane)].label)
            .arg(hit.value)
            .arg(TimeScale::formatTime(double(hit.startNs)));
    case K::Utilization: {
        const UtilSample& s = store.utilization()[size_t(hit.sample)];
        if (hit.core >= 0) {
            const double busy = size_t(hit.core) < s.coreBusy.size() ? s.coreBusy[size_t(hit.core)] : 0.0;
            return QStringLiteral("core %1: %2 busy\n%3").arg(hit.core).arg(percent(busy), range);
        }
        return QStringLiteral("this run's CPU: %1 of %2 cores\n%3")
            .arg(QString::number(s.processCores, 'f', 2))
            .arg(std::max(1, store.cores()))
            .arg(range);
    }
    case K::LaneLabel: {
        const TimelineLane& lane = L.lanes[size_t(hit.lane)];
        switch (lane.kind) {
        case TimelineLane::Kind::Gil:
            return QStringLiteral("Who holds the emulated GIL. Only the holder runs Python code; it changes hands "
                                  "about every switch interval when threads compete.");
        case TimelineLane::Kind::Counter:
            return lane.id == 0 ? QStringLiteral("Coroutines ready to run, waiting for the event loop.") : lane.label;
        case TimelineLane::Kind::Worker: {
            const WorkerInfo& w = store.workers()[size_t(lane.id)];
            switch (w.kind) {
            case WorkerKind::Main:
                return w.name + QStringLiteral(": the main thread runs every task, one after another.");
            case WorkerKind::Thread:
                return w.name + QStringLiteral(": a pool thread; its lane shows the tasks it ran and their states.");
            case WorkerKind::Loop:
                return w.name + QStringLiteral(": the event loop; its lane shows which coroutine runs.");
            case WorkerKind::Process:
                return w.name + QStringLiteral(": a worker process (pid %1).").arg(w.pid);
            }
            return w.name;
        }
        case TimelineLane::Kind::Task: {
            const int t = lane.id;
            QString text = store.taskName(t) + QStringLiteral(": ") + stateLabel(store.taskState(t));
            if (store.taskEndNs(t) >= 0)
                text += QStringLiteral(" at ") + TimeScale::formatTime(double(store.taskEndNs(t)));
            if (store.taskWorker(t) >= 0)
                text += QStringLiteral("\nran on ") + workerName(store, store.taskWorker(t));
            return text;
        }
        }
        return {};
    }
    default:
        return {};
    }
}

} // namespace taskline
