#include "traceview.h"

#include "timelinearea.h"
#include "tracestore.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

namespace taskline {

struct TraceView::Private
{
    TimelineArea* area = nullptr;
    QWidget* controls = nullptr;
    QToolButton* byWorker = nullptr;
    QToolButton* byTask = nullptr;
    QToolButton* follow = nullptr;
};

TraceView::TraceView(QWidget* parent)
    : QWidget(parent)
    , d(new Private)
{
    d->area = new TimelineArea(this);
    d->controls = new QWidget(this);
    auto* strip = new QHBoxLayout(d->controls);
    strip->setContentsMargins(4, 2, 4, 2);
    strip->addWidget(new QLabel(tr("Lanes:"), d->controls));
    auto makeButton = [this](const QString& text, const QString& tip) {
        auto* b = new QToolButton(d->controls);
        b->setText(text);
        b->setToolTip(tip);
        b->setAutoRaise(true);
        return b;
    };
    d->byWorker = makeButton(tr("Workers"), tr("A lane per worker: main thread, pool threads, event loop, processes"));
    d->byTask = makeButton(tr("Tasks"), tr("A lane per task, with every state it went through"));
    for (QToolButton* b : { d->byWorker, d->byTask })
        b->setCheckable(true);
    auto* group = new QButtonGroup(this);
    group->setExclusive(true);
    group->addButton(d->byWorker);
    group->addButton(d->byTask);
    d->byWorker->setChecked(true);
    strip->addWidget(d->byWorker);
    strip->addWidget(d->byTask);
    strip->addSpacing(12);
    QToolButton* fit = makeButton(tr("Fit"), tr("Show the whole run (Ctrl+0)"));
    strip->addWidget(fit);
    d->follow = makeButton(tr("Follow live"), tr("Keep the newest events in view while the run goes on"));
    d->follow->setCheckable(true);
    d->follow->setChecked(d->area->followsLiveEdge());
    strip->addWidget(d->follow);
    strip->addStretch(1);
    auto* hint
        = new QLabel(tr("Ctrl+wheel or +/− to zoom · drag to pan · click a span to select its task"), d->controls);
    hint->setForegroundRole(QPalette::PlaceholderText);
    strip->addWidget(hint);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(d->controls);
    layout->addWidget(d->area, 1);
    setFocusProxy(d->area);

    connect(d->byWorker, &QToolButton::clicked, this, [this] { setLaneMode(LaneMode::ByWorker); });
    connect(d->byTask, &QToolButton::clicked, this, [this] { setLaneMode(LaneMode::ByTask); });
    connect(fit, &QToolButton::clicked, this, &TraceView::zoomToFit);
    connect(d->follow, &QToolButton::toggled, this, &TraceView::setFollowLiveEdge);
    connect(d->area, &TimelineArea::taskSelected, this, &TraceView::taskSelected);
    connect(d->area, &TimelineArea::followLiveEdgeChanged, this, [this](bool follow) {
        d->follow->setChecked(follow);
        emit followLiveEdgeChanged(follow);
    });
}

TraceView::~TraceView()
{
    delete d;
}

void TraceView::setTrace(const TraceStore* store, Mode mode, const RunSettings& settings)
{
    d->area->setTrace(store, mode, settings);
}

void TraceView::traceAppended()
{
    d->area->traceAppended();
}

void TraceView::setRunning(bool running)
{
    d->area->setRunning(running);
}

void TraceView::setLaneMode(LaneMode mode)
{
    (mode == LaneMode::ByWorker ? d->byWorker : d->byTask)->setChecked(true);
    if (mode == d->area->laneMode())
        return;
    d->area->setLaneMode(mode);
    emit laneModeChanged(mode);
}

LaneMode TraceView::laneMode() const
{
    return d->area->laneMode();
}

void TraceView::setTheme(Theme theme)
{
    d->area->setTheme(theme);
}

Theme TraceView::theme() const
{
    return d->area->theme();
}

void TraceView::setFollowLiveEdge(bool follow)
{
    d->area->setFollowLiveEdge(follow);
}

bool TraceView::followsLiveEdge() const
{
    return d->area->followsLiveEdge();
}

void TraceView::zoomIn()
{
    d->area->zoomIn();
}

void TraceView::zoomOut()
{
    d->area->zoomOut();
}

void TraceView::zoomToFit()
{
    d->area->zoomToFit();
}

void TraceView::setSelectedTask(int task)
{
    d->area->setSelectedTask(task);
}

int TraceView::selectedTask() const
{
    return d->area->selectedTask();
}

void TraceView::setControlsVisible(bool visible)
{
    d->controls->setVisible(visible);
}

QWidget* TraceView::canvas() const
{
    return d->area->viewport();
}

const TimelineRenderer& TraceView::renderer() const
{
    return d->area->renderer();
}

const TimeScale& TraceView::timeScale() const
{
    return d->area->timeScale();
}

TimelineHit TraceView::spanAt(QPoint canvasPos) const
{
    return d->area->renderer().hitTest(canvasPos);
}

QString TraceView::toolTipAt(QPoint canvasPos) const
{
    return d->area->renderer().toolTipAt(canvasPos);
}

} // namespace taskline
