#pragma once

#include "event.h"
#include "lanemode.h"
#include "mix.h"
#include "palette.h"
#include "timescale.h"

#include <QFont>
#include <QRect>
#include <QSize>
#include <QString>
#include <array>
#include <cstdint>
#include <vector>

class QPainter;

namespace taskline {

class TraceStore;
class LaneSummary;
struct Span;

// What to draw and how; the visible time window is `scale`, whose width should be the layout's axisWidth.
struct TimelineOptions
{
    LaneMode laneMode = LaneMode::ByWorker;
    Theme theme = Theme::Light;
    Mode mode = Mode::Threads;
    bool gil = true; // RunSettings::gil: the GIL lane shows in threads mode with the GIL on
    TimeScale scale;
    int64_t liveEdgeNs = -1; // open spans end here (the live edge while running); -1: the store's endNs()
    bool live = false; // draw the live-edge marker
    int selectedTask = -1; // its spans are outlined, everything else is dimmed
    int scrollY = 0; // the lanes are scrolled up by this many pixels
    bool showUtilization = true;
    bool showLegend = true;
    QFont font; // the renderer uses a 12 px sans-serif when this is the default QFont()
    // Zoomed out, paint closed spans from per-lane summaries (O(pixels)); off paints every span (tests, benchmarks).
    bool useSummaries = true;
};

// One row of the lanes region.
struct TimelineLane
{
    enum class Kind : uint8_t
    {
        Gil, // who holds the emulated GIL
        Counter, // a sampled counter (store.counters(), id 0 = ready coroutines)
        Worker, // a worker's spans (a Loop worker: only its running spans)
        Task, // every span of one task
    };
    Kind kind = Kind::Worker;
    int id = -1; // worker id, task id or counter id; -1 for the GIL
    QString label;
    int top = 0; // in lane-content coordinates: 0 is the top of the first lane before scrolling
    int height = 0;
};

struct TimelineUtilRow
{
    int core = -1; // -1: the run's own CPU (in cores, over all cores)
    QRect rect; // full width, gutter included
    QString label;
};

struct TimelineLegendItem
{
    enum class Kind : uint8_t
    {
        State, // `state`'s colour
        Preempted, // the hatch: running, but preempted by the OS
        EndMark, // done or failed mark (`state`)
        GilHolder, // a block on the GIL lane
        Utilization, // per-core busy fill
        ProcessCpu, // the run's CPU line
    };
    Kind kind = Kind::State;
    TaskState state = TaskState::Running;
    QString label;
    QRect rect; // chip and text
};

// Where everything goes for one size and set of options. Rects are in widget/device coordinates.
struct TimelineLayout
{
    QSize size;
    QRect ruler; // the time ruler, full width
    QRect lanesArea; // the visible (scrolling) lanes region, full width
    QRect utilization; // the per-core rows under the lanes, full width (empty when hidden)
    QRect legend; // empty when hidden
    int axisLeft = 0; // x of the time axis' origin (the right edge of the lane labels)
    int axisWidth = 1;
    int contentHeight = 0; // all lanes stacked
    int laneHeight = 0; // a worker/task lane
    std::vector<TimelineLane> lanes;
    std::vector<TimelineUtilRow> utilRows;
    std::vector<TimelineLegendItem> legendItems;

    // Lane `i`'s rect (full width) when the lanes are scrolled by scrollY.
    QRect laneRect(int i, int scrollY) const;
    // The lane under y (widget coordinates), or -1.
    int laneAt(int y, int scrollY) const;
};

// What lies under a point of the timeline.
struct TimelineHit
{
    enum class Kind : uint8_t
    {
        None,
        Span, // `span` indexes store.spans()
        Folded, // several spans narrower than a pixel or two, drawn as one block
        Gil, // `span` indexes store.gilSpans()
        Counter, // `value` at time startNs
        Utilization, // `core` (-1: the run), `sample` indexes store.utilization()
        LaneLabel,
        Legend, // `legendItem` indexes layout().legendItems
    };
    Kind kind = Kind::None;
    int lane = -1; // index into layout().lanes
    int span = -1;
    int task = -1; // Span; Gil (the holder's task); Folded when every folded span is one task's
    int count = 0; // Folded: how many spans
    int64_t startNs = 0; // Span/Gil: the span; Folded: the folded spans' extent
    int64_t endNs = 0;
    std::array<int64_t, kTimedStateCount> stateNs {}; // Folded: time per state
    int core = -1;
    int sample = -1;
    int value = 0;
    int legendItem = -1;
};

// Paints the timeline (ruler, GIL lane, counter row, worker or task lanes, per-core utilization rows, legend) of a
// TraceStore onto any QPainter: the widget's viewport, a QImage, a QSvgGenerator (text stays text). QPainter only:
// no widgets, no events. Level of detail: each lane binary-searches to the visible window and folds spans narrower
// than kFoldPx into one block per pixel column (Tracy), so a million events paint in a few milliseconds.
// Thread: one thread at a time (the GUI thread for the widget; any thread for export with its own renderer).
class TimelineRenderer
{
public:
    static constexpr double kFoldPx = 3.0; // narrower spans fold into per-column blocks

    TimelineRenderer();
    ~TimelineRenderer();
    TimelineRenderer(const TimelineRenderer&) = delete;
    TimelineRenderer& operator=(const TimelineRenderer&) = delete;

    // The store to draw (not owned; nullptr draws an empty timeline). Call again after the store was reset.
    void setStore(const TraceStore* store);
    const TraceStore* store() const { return m_store; }
    void setOptions(const TimelineOptions& options);
    const TimelineOptions& options() const { return m_options; }
    void setSize(QSize size);
    QSize size() const { return m_size; }

    // Recomputed when the size, the options or the store's shape (workers, cores, states seen) changed.
    const TimelineLayout& layout() const;
    // The height that shows every lane without scrolling (for export), at the current width.
    int preferredHeight() const;
    // Where open spans end: options().liveEdgeNs, or the store's end.
    int64_t liveEdgeNs() const;
    // Sets the options' scale to show the whole run (0 to liveEdgeNs()) across the current layout's time axis:
    // what image export wants after setStore(), setOptions() and setSize().
    void fitToRun();

    void paint(QPainter& painter) const;

    TimelineHit hitTest(QPoint pos) const;
    QString toolTip(const TimelineHit& hit) const;
    QString toolTipAt(QPoint pos) const { return toolTip(hitTest(pos)); }

private:
    struct Cache;
    struct PaintContext;

    void updateCache() const;
    void buildLayout(TimelineLayout& out) const;
    QFont effectiveFont() const;

    void paintRuler(QPainter& p, const PaintContext& c) const;
    void paintGrid(QPainter& p, const PaintContext& c, QRect area) const;
    void paintLanes(QPainter& p, const PaintContext& c) const;
    void paintSpanLane(QPainter& p, const PaintContext& c, const TimelineLane& lane, QRect bar) const;
    // stroke: the lane's LaneStroke (timelinerenderer_lanes.cpp)
    void paintWideSpan(QPainter& p, const PaintContext& c, const Span& s, int64_t end, double x0, double x1, QRect bar,
        bool taskLane, void* stroke) const;
    void paintGilLane(QPainter& p, const PaintContext& c, QRect bar) const;
    void paintCounterLane(QPainter& p, const PaintContext& c, const TimelineLane& lane, QRect bar) const;
    void paintUtilization(QPainter& p, const PaintContext& c) const;
    void paintLegend(QPainter& p, const PaintContext& c) const;
    void paintGutterLabel(QPainter& p, const PaintContext& c, QRect row, const QString& text, bool strong) const;

    TimelineHit hitLane(const TimelineLane& lane, int laneIndex, double x) const;
    const std::vector<uint32_t>& laneSpans(const TimelineLane& lane) const;
    // The lane's level-of-detail summary, brought up to date with the store's closed spans.
    LaneSummary* summaryFor(const TimelineLane& lane) const;
    bool laneShows(const TimelineLane& lane, TaskState state) const;

    const TraceStore* m_store = nullptr;
    TimelineOptions m_options;
    QSize m_size { 800, 400 };
    Cache* m_cache;
};

} // namespace taskline
