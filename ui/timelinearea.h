#pragma once

#include "lanemode.h"
#include "mix.h"
#include "palette.h"
#include "timelinerenderer.h"
#include "timescale.h"

#include <QAbstractScrollArea>

namespace taskline {

class TraceStore;

// The scrolling, zooming timeline canvas inside TraceView: the renderer paints the viewport; this class owns the
// time scale and the interactions (zoom around the cursor, drag to pan, follow the live edge, tooltips, clicks).
// The lanes scroll vertically; the ruler, the utilization rows and the legend stay put.
// Thread: GUI only.
class TimelineArea : public QAbstractScrollArea
{
    Q_OBJECT
public:
    static constexpr double kZoomStep = 1.5; // one key press or zoomIn()
    static constexpr int64_t kMinRangeNs = 1'000'000; // the axis shows at least 1 ms, even before the first event

    explicit TimelineArea(QWidget* parent = nullptr);

    void setTrace(const TraceStore* store, Mode mode, const RunSettings& settings);
    void traceAppended();
    void setRunning(bool running);
    bool isRunning() const { return m_running; }

    void setLaneMode(LaneMode mode);
    LaneMode laneMode() const { return m_options.laneMode; }
    void setTheme(Theme theme);
    Theme theme() const { return m_options.theme; }
    void setFollowLiveEdge(bool follow);
    bool followsLiveEdge() const { return m_follow; }
    void setSelectedTask(int task);
    int selectedTask() const { return m_options.selectedTask; }

    // Zoom around the cursor when it is over the timeline, else around the centre; while following a live run,
    // around the live edge, so that the newest events stay in view.
    void zoomIn();
    void zoomOut();
    void zoomToFit();
    // factor > 1 zooms in; anchorX in viewport coordinates.
    void zoomAt(double factor, double anchorX);
    // Moves the content by dx pixels (drag to the right: earlier time).
    void panBy(double dx);

    const TimeScale& timeScale() const { return m_scale; }
    const TimelineRenderer& renderer() const { return m_renderer; }
    // Where the axis ends: the live edge while running, else the run's end.
    int64_t liveEdgeNs() const;

signals:
    void taskSelected(int task);
    void followLiveEdgeChanged(bool follow);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool viewportEvent(QEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    void changeEvent(QEvent* event) override;

private:
    void relayout();
    void applyFollow();
    void afterUserMove();
    void syncOptions();
    void updateScrollBars();
    void onHorizontalScroll(int value);
    double zoomAnchor() const;
    void setFollowInternal(bool follow);

    const TraceStore* m_store = nullptr;
    TimelineRenderer m_renderer;
    TimelineOptions m_options;
    TimeScale m_scale;
    bool m_fitted = true; // the whole run is in view; it stays so as the run grows
    bool m_follow = true;
    bool m_running = false;
    bool m_syncingScrollBars = false;
    double m_hScrollUnitNs = 1;
    // Mouse: a press that moves more than a few pixels is a drag (pan), otherwise a click (select).
    bool m_pressed = false;
    bool m_dragging = false;
    QPoint m_pressPos;
    QPoint m_lastDragPos;
};

} // namespace taskline
