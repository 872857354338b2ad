#pragma once

#include "lanemode.h"
#include "mix.h"
#include "palette.h"

#include <QWidget>

namespace taskline {

class TraceStore;
class TimelineRenderer;
class TimeScale;
struct TimelineHit;

// The live timeline with the per-core utilization under it, on one time axis. Shows a TraceStore that the
// caller owns and appends to; call traceAppended() once per drained batch group (one repaint).
// Thread: GUI only.
class TraceView : public QWidget
{
    Q_OBJECT
public:
    explicit TraceView(QWidget* parent = nullptr);
    ~TraceView() override;

    // The trace to show (not owned; nullptr clears). `mode` decides lanes such as the GIL lane.
    void setTrace(const TraceStore* store, Mode mode, const RunSettings& settings);
    // New batches were appended to the store: repaint once; follow the live edge if enabled.
    void traceAppended();
    // While running the time axis extends to the live edge.
    void setRunning(bool running);

    void setLaneMode(LaneMode mode);
    LaneMode laneMode() const;
    void setTheme(Theme theme);
    Theme theme() const;
    void setFollowLiveEdge(bool follow);
    bool followsLiveEdge() const;

    void zoomIn();
    void zoomOut();
    void zoomToFit();

    void setSelectedTask(int task); // -1: none
    int selectedTask() const;

    // The small strip above the timeline (lane mode, fit, follow); hide it when the window has its own controls.
    void setControlsVisible(bool visible);
    // The painting canvas (the scroll area's viewport): coordinates below are in its space.
    QWidget* canvas() const;
    // The painter behind the canvas: its layout (lanes, rows, legend) and the options it paints with. Export can
    // use a TimelineRenderer of its own with the same options.
    const TimelineRenderer& renderer() const;
    const TimeScale& timeScale() const;
    // What lies under a canvas point, and its tooltip text.
    TimelineHit spanAt(QPoint canvasPos) const;
    QString toolTipAt(QPoint canvasPos) const;

signals:
    void taskSelected(int task); // by a click on a span; -1 when the click hit nothing
    void laneModeChanged(LaneMode mode);
    void followLiveEdgeChanged(bool follow);

private:
    struct Private;
    Private* d;
};

} // namespace taskline
