#pragma once

#include "compareexplain.h"
#include "picture.h"
#include "timelinerenderer.h"
#include "timescale.h"

#include <QRect>
#include <memory>
#include <vector>

namespace taskline {

class TraceStore;

// One mix run under several modes, as one picture: the timelines stacked on one shared time axis (the longest run
// sets it, so a faster mode's band is visibly shorter), each band titled with its mode, settings, wall time and
// speedup; a bar chart of wall and CPU time per mode; one line per mode that explains its result from the
// measurements (compareexplain.h); and one legend for all bands. A run still going shows as a growing band.
// Bands have the style's lanes, except that a coroutines band of a few tasks that waited has a lane per task: by
// worker it would be a single loop lane, where the overlapping waits do not show.
// Thread: one thread at a time; the stores must not change while painting.
class ComparePicture : public Picture
{
public:
    struct Entry
    {
        RunSummary summary; // a finished run's summary; a live run's has only the mix, settings and workers
        std::shared_ptr<const TraceStore> store;
        RunFacts facts; // finished runs
        bool live = false;
        // The states its spans show, scanned incrementally (spans only grow until the store derives them afresh).
        struct StateScan
        {
            uint64_t generation = ~0ull;
            size_t spans = 0;
            uint32_t onWorkers = 0; // states of spans on a worker (what worker lanes show)
            uint32_t all = 0;
        };
        mutable StateScan scan;
    };

    ComparePicture();
    ~ComparePicture() override;

    void setMixName(const QString& name) { m_mixName = name; }
    const QString& mixName() const { return m_mixName; }
    void clear();
    // A finished run (its band, bar and explanation). Replaces the live band of the same mode.
    void addRun(const RunSummary& summary, std::shared_ptr<const TraceStore> store);
    // A run going on: `store` grows while it runs. `summary` needs mix, settings and workers only.
    void setLiveRun(const RunSummary& summary, std::shared_ptr<const TraceStore> store);
    // Modes still to come, shown as empty bands so that the sequence is visible from the start.
    void setPending(std::vector<Mode> modes) { m_pending = std::move(modes); }
    const std::vector<Entry>& entries() const { return m_entries; }
    bool isEmpty() const { return m_entries.empty(); }

    // The part of the shared time axis on show, [startNs, endNs) (zoomed in the comparison window, and exported as
    // shown); endNs <= startNs shows every run whole. Kept inside the runs' time.
    void setTimeWindow(double startNs, double endNs);
    bool isZoomed() const { return m_windowEnd > m_windowStart; }
    double windowStartNs() const { return m_windowStart; }
    double windowEndNs() const { return m_windowEnd; }
    // Where the shared axis ends when every run shows whole: the longest run (at least 1 ms).
    int64_t axisEndNs() const;

    // One line per finished run (explainRuns), in band order.
    QStringList explanations() const;

    void paint(QPainter& painter, QSize size, const PictureStyle& style) const override;
    QString title() const override;

    struct Band
    {
        Mode mode = Mode::Sequential;
        int entry = -1; // index into entries(); -1: pending
        QRect header; // the title row
        QRect timeline; // where its renderer paints
        int endX = 0; // x of the run's end on the shared axis (picture coordinates)
        int hiddenLanes = 0;
    };
    struct Layout
    {
        int fontPx = 0;
        int bandFontPx = 0; // at most fontPx: smaller when the lanes would not fit otherwise
        int rulerFontPx = 0; // the shared time axis keeps a size that reads from afar, whatever the lanes'
        int tickSpacing = 0; // the ruler's, passed to every band so that their grid lines meet its ticks
        QRect ruler;
        QRect title, subtitle;
        std::vector<Band> bands;
        QRect chart, explanations, legend;
        TimeScale scale; // the shared time axis (axis coordinates: 0 is each band's axisLeft)
        int axisLeft = 0; // picture x of the axis' origin, the same in every band
    };
    Layout layout(QSize size, const PictureStyle& style) const;
    // The renderer of entry `i` as the last layout()/paint() set it up (coordinates relative to its band).
    const TimelineRenderer& renderer(int i) const { return *m_renderers[size_t(i)]; }

private:
    int64_t endNsOf(const Entry& e) const;
    void paintLegend(QPainter& p, QRect area, const PictureStyle& style, int fontPx) const;
    std::vector<std::pair<int, QString>> legendItems(LaneMode lanes) const; // (kind or state, label)

    QString m_mixName;
    std::vector<Entry> m_entries;
    std::vector<std::unique_ptr<TimelineRenderer>> m_renderers; // one per entry
    std::vector<Mode> m_pending;
    double m_windowStart = 0, m_windowEnd = 0; // setTimeWindow
};

} // namespace taskline
