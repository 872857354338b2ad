#include "timelinearea.h"

#include "collector.h"
#include "tracestore.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>
#include <cmath>

namespace taskline {

TimelineArea::TimelineArea(QWidget* parent)
    : QAbstractScrollArea(parent)
{
    setFrameShape(QFrame::NoFrame);
    setFocusPolicy(Qt::StrongFocus);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    viewport()->setMouseTracking(false);
    viewport()->setCursor(Qt::OpenHandCursor);
    setMinimumSize(320, 200);
    connect(horizontalScrollBar(), &QScrollBar::valueChanged, this, &TimelineArea::onHorizontalScroll);
    relayout();
}

void TimelineArea::setTrace(const TraceStore* store, Mode mode, const RunSettings& settings)
{
    m_store = store;
    m_renderer.setStore(store);
    m_options.mode = mode;
    m_options.gil = settings.gil;
    m_options.selectedTask = -1;
    m_fitted = true;
    verticalScrollBar()->setValue(0);
    relayout();
    viewport()->update();
}

void TimelineArea::traceAppended()
{
    relayout(); // new workers or cores may have changed the layout; the live edge moved
    viewport()->update();
}

void TimelineArea::setRunning(bool running)
{
    if (running && !m_running)
        m_fitted = true; // a new run starts with the whole of it in view, growing
    m_running = running;
    relayout();
    viewport()->update();
}

int64_t TimelineArea::liveEdgeNs() const
{
    if (!m_store)
        return 0;
    if (!m_running || m_store->isFinished())
        return m_store->endNs();
    // Every event up to (latest sample − hold-back) has been delivered; a span still open then is open now.
    int64_t edge = m_store->lastEventNs();
    if (!m_store->utilization().empty())
        edge = std::max(edge, m_store->utilization().back().timeNs - Collector::kHoldBackNs);
    return edge;
}

void TimelineArea::setLaneMode(LaneMode mode)
{
    if (mode == m_options.laneMode)
        return;
    m_options.laneMode = mode;
    verticalScrollBar()->setValue(0);
    relayout();
    viewport()->update();
}

void TimelineArea::setTheme(Theme theme)
{
    m_options.theme = theme;
    syncOptions();
    viewport()->update();
}

void TimelineArea::setFollowLiveEdge(bool follow)
{
    setFollowInternal(follow);
    relayout();
    viewport()->update();
}

void TimelineArea::setFollowInternal(bool follow)
{
    if (follow == m_follow)
        return;
    m_follow = follow;
    emit followLiveEdgeChanged(follow);
}

void TimelineArea::setSelectedTask(int task)
{
    m_options.selectedTask = task;
    syncOptions();
    viewport()->update();
}

double TimelineArea::zoomAnchor() const
{
    const QPoint cursor = viewport()->mapFromGlobal(QCursor::pos());
    if (viewport()->rect().contains(cursor) && cursor.x() >= m_renderer.layout().axisLeft)
        return cursor.x();
    return m_renderer.layout().axisLeft + m_scale.width() / 2.0;
}

void TimelineArea::zoomIn()
{
    zoomAt(kZoomStep, zoomAnchor());
}

void TimelineArea::zoomOut()
{
    zoomAt(1 / kZoomStep, zoomAnchor());
}

void TimelineArea::zoomToFit()
{
    m_fitted = true;
    if (m_running)
        setFollowInternal(true);
    relayout();
    viewport()->update();
}

void TimelineArea::zoomAt(double factor, double anchorX)
{
    double axisX = anchorX - m_renderer.layout().axisLeft;
    if (m_running && m_follow)
        axisX = m_scale.timeToX(double(liveEdgeNs()));
    m_scale.zoom(factor, axisX);
    m_fitted = m_scale.isFitted();
    afterUserMove();
}

void TimelineArea::panBy(double dx)
{
    m_scale.pan(dx);
    m_fitted = m_scale.isFitted();
    // Panning back in time leaves the live edge; panning up to it again resumes following.
    if (m_running)
        setFollowInternal(m_scale.endNs() >= double(liveEdgeNs()) - 2 * m_scale.nsPerPixel());
    afterUserMove();
}

void TimelineArea::afterUserMove()
{
    syncOptions();
    updateScrollBars();
    viewport()->update();
}

void TimelineArea::relayout()
{
    m_renderer.setSize(viewport()->size());
    syncOptions();
    const TimelineLayout& L = m_renderer.layout();
    m_scale.setWidth(L.axisWidth);
    applyFollow();
    syncOptions();
    updateScrollBars();
}

void TimelineArea::applyFollow()
{
    const int64_t edge = liveEdgeNs();
    m_scale.setBounds(0, std::max(edge, kMinRangeNs));
    if (m_fitted) {
        m_scale.fit(0, std::max(edge, kMinRangeNs));
    } else if (m_running && m_follow) {
        const double duration = m_scale.durationNs();
        m_scale.setWindow(double(edge) - duration, double(edge));
    }
}

void TimelineArea::syncOptions()
{
    m_options.font = font(); // the user's font size (larger for projection) sizes lanes and labels
    m_options.scale = m_scale;
    m_options.liveEdgeNs = m_store && m_running ? liveEdgeNs() : -1;
    m_options.live = m_running && m_store && !m_store->isFinished();
    m_options.scrollY = verticalScrollBar()->value();
    m_renderer.setOptions(m_options);
}

void TimelineArea::updateScrollBars()
{
    m_syncingScrollBars = true;
    const TimelineLayout& L = m_renderer.layout();
    QScrollBar* v = verticalScrollBar();
    v->setRange(0, std::max(0, L.contentHeight - L.lanesArea.height()));
    v->setPageStep(std::max(1, L.lanesArea.height()));
    v->setSingleStep(std::max(1, L.laneHeight));

    // The horizontal bar maps the bounded range in units fine enough for dragging yet within int.
    QScrollBar* h = horizontalScrollBar();
    const double span = double(m_scale.boundEndNs() - m_scale.boundBeginNs());
    if (m_fitted || span <= 0) {
        h->setRange(0, 0);
    } else {
        m_hScrollUnitNs = std::max(1.0, span / 1e6);
        h->setRange(0, int(std::lround((span - m_scale.durationNs()) / m_hScrollUnitNs)));
        h->setPageStep(std::max(1, int(std::lround(m_scale.durationNs() / m_hScrollUnitNs))));
        h->setSingleStep(std::max(1, int(std::lround(m_scale.durationNs() / 20 / m_hScrollUnitNs))));
        h->setValue(int(std::lround((m_scale.startNs() - double(m_scale.boundBeginNs())) / m_hScrollUnitNs)));
    }
    m_syncingScrollBars = false;
    syncOptions();
}

void TimelineArea::onHorizontalScroll(int value)
{
    if (m_syncingScrollBars)
        return;
    const double start = double(m_scale.boundBeginNs()) + value * m_hScrollUnitNs;
    panBy((m_scale.startNs() - start) / m_scale.nsPerPixel());
}

void TimelineArea::scrollContentsBy(int, int)
{
    syncOptions();
    viewport()->update();
}

void TimelineArea::changeEvent(QEvent* event)
{
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::FontChange) {
        relayout(); // lane heights and the label column follow the font
        viewport()->update();
    }
}

void TimelineArea::paintEvent(QPaintEvent*)
{
    QPainter p(viewport());
    m_renderer.paint(p);
}

void TimelineArea::resizeEvent(QResizeEvent* event)
{
    QAbstractScrollArea::resizeEvent(event);
    relayout();
}

void TimelineArea::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    m_pressed = true;
    m_dragging = false;
    m_pressPos = m_lastDragPos = event->position().toPoint();
}

void TimelineArea::mouseMoveEvent(QMouseEvent* event)
{
    if (!m_pressed)
        return;
    const QPoint pos = event->position().toPoint();
    if (!m_dragging && (pos - m_pressPos).manhattanLength() > 3) {
        m_dragging = true;
        viewport()->setCursor(Qt::ClosedHandCursor);
    }
    if (m_dragging) {
        const QPoint delta = pos - m_lastDragPos;
        m_lastDragPos = pos;
        if (delta.y() != 0)
            verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
        if (delta.x() != 0)
            panBy(delta.x());
    }
}

void TimelineArea::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton || !m_pressed) {
        QAbstractScrollArea::mouseReleaseEvent(event);
        return;
    }
    m_pressed = false;
    if (m_dragging) {
        m_dragging = false;
        viewport()->setCursor(Qt::OpenHandCursor);
        return;
    }
    const TimelineHit hit = m_renderer.hitTest(event->position().toPoint());
    int task = -1;
    switch (hit.kind) {
    case TimelineHit::Kind::Span:
    case TimelineHit::Kind::Gil:
    case TimelineHit::Kind::Folded:
    case TimelineHit::Kind::LaneLabel:
        task = hit.task;
        break;
    default:
        break;
    }
    setSelectedTask(task);
    emit taskSelected(task);
}

void TimelineArea::wheelEvent(QWheelEvent* event)
{
    const QPoint angle = event->angleDelta();
    if (event->modifiers() & Qt::ControlModifier) {
        if (angle.y() != 0)
            zoomAt(std::pow(1.2, angle.y() / 120.0), event->position().x());
        event->accept();
        return;
    }
    // Shift+wheel and horizontal wheels move in time; a plain wheel scrolls the lanes when they overflow.
    int steps = angle.x();
    if (event->modifiers() & Qt::ShiftModifier)
        steps = angle.x() != 0 ? angle.x() : angle.y();
    else if (angle.x() == 0 && verticalScrollBar()->maximum() == 0)
        steps = angle.y();
    if (steps != 0) {
        panBy(steps / 120.0 * m_scale.width() / 10.0);
        event->accept();
        return;
    }
    QAbstractScrollArea::wheelEvent(event);
}

void TimelineArea::keyPressEvent(QKeyEvent* event)
{
    const int key = event->key();
    const bool ctrl = event->modifiers() & Qt::ControlModifier;
    if (event->matches(QKeySequence::ZoomIn) || key == Qt::Key_Plus || key == Qt::Key_Equal) {
        zoomIn();
    } else if (event->matches(QKeySequence::ZoomOut) || key == Qt::Key_Minus) {
        zoomOut();
    } else if (key == Qt::Key_0 && (ctrl || event->modifiers() == Qt::NoModifier)) {
        zoomToFit();
    } else if (key == Qt::Key_Left || key == Qt::Key_Right) {
        panBy((key == Qt::Key_Left ? 1 : -1) * m_scale.width() / 10.0);
    } else if (key == Qt::Key_Home) {
        panBy(m_scale.timeToX(double(m_scale.boundBeginNs())) * -1);
    } else if (key == Qt::Key_End) {
        panBy(m_scale.width() - m_scale.timeToX(double(m_scale.boundEndNs())));
    } else if (key == Qt::Key_Escape) {
        setSelectedTask(-1);
        emit taskSelected(-1);
    } else {
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    event->accept();
}

bool TimelineArea::viewportEvent(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QString text = m_renderer.toolTipAt(help->pos());
        if (text.isEmpty()) {
            QToolTip::hideText();
            event->ignore();
        } else {
            // Moving off this pixel column re-asks, so the tooltip follows the spans under the cursor.
            QToolTip::showText(help->globalPos(), text, viewport(), QRect(help->pos() - QPoint(1, 4), QSize(3, 9)));
        }
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

} // namespace taskline
