#pragma once

#include "picture.h"
#include "summary.h"
#include "timelinerenderer.h"

#include <QRect>
#include <memory>

namespace taskline {

class TraceStore;

// The timeline of one run as a picture that stands on its own on a slide: a title (the mix and the mode), the
// settings (workers, GIL and switch interval, start method, offload and limit), the wall time large with the CPU
// time and cores used beside it, the timeline itself (TimelineRenderer: lanes, time axis with units, per-core
// utilization, legend) over the whole run, and a footer with the mean busy share of each core.
// Thread: one thread at a time; the store must not change while painting.
class TimelinePicture : public Picture
{
public:
    // `store` is not owned and must outlive the picture; `summary` is what summarize() made of the same run.
    TimelinePicture(const QString& mixName, const RunSummary& summary, const TraceStore* store);
    ~TimelinePicture() override;

    void paint(QPainter& painter, QSize size, const PictureStyle& style) const override;
    QString title() const override;

    // Where the parts go for a size and style (what paint() draws; tests look at it).
    struct Layout
    {
        int fontPx = 0; // body text
        int timelineFontPx = 0; // may be smaller than the body text so that every lane fits
        QRect title, settings, wall, cpu; // text boxes of the header
        QRect timeline; // where the renderer paints (its own layout is in renderer coordinates)
        QRect footer;
        int hiddenLanes = 0; // lanes that did not fit even at the smallest text
    };
    Layout layout(QSize size, const PictureStyle& style) const;
    // The renderer as the last layout()/paint() set it up: its layout() gives lanes, rows and legend items,
    // relative to Layout::timeline's top left.
    const TimelineRenderer& renderer() const { return *m_renderer; }

private:
    QString m_mixName;
    RunSummary m_summary;
    const TraceStore* m_store;
    std::unique_ptr<TimelineRenderer> m_renderer;
};

} // namespace taskline
