#include "traceview.h"

#include "tracestore.h"

#include <QPainter>

// Scaffold only: the real timeline (QAbstractScrollArea lanes, ruler, zoom, LOD, utilization) replaces this.

namespace taskline {

struct TraceView::Private
{
    const TraceStore* store = nullptr;
    LaneMode laneMode = LaneMode::ByWorker;
    Theme theme = Theme::Light;
    bool follow = true;
    int selected = -1;
};

TraceView::TraceView(QWidget* parent)
    : QWidget(parent)
    , d(new Private)
{ }

TraceView::~TraceView()
{
    delete d;
}

void TraceView::setTrace(const TraceStore* store, Mode, const RunSettings&)
{
    d->store = store;
    update();
}

void TraceView::traceAppended()
{
    update();
}
void TraceView::setRunning(bool) { }
void TraceView::setLaneMode(LaneMode mode)
{
    d->laneMode = mode;
    emit laneModeChanged(mode);
}
LaneMode TraceView::laneMode() const
{
    return d->laneMode;
}
void TraceView::setTheme(Theme theme)
{
    d->theme = theme;
}
Theme TraceView::theme() const
{
    return d->theme;
}
void TraceView::setFollowLiveEdge(bool follow)
{
    d->follow = follow;
}
bool TraceView::followsLiveEdge() const
{
    return d->follow;
}
void TraceView::zoomIn() { }
void TraceView::zoomOut() { }
void TraceView::zoomToFit() { }
void TraceView::setSelectedTask(int task)
{
    d->selected = task;
}
int TraceView::selectedTask() const
{
    return d->selected;
}

} // namespace taskline
