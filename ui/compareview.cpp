#include "compareview.h"

#include "comparerunner.h"
#include "imageexport.h"
#include "summary.h"
#include "tracestore.h"
#include "utilsampler.h"

#include <QHBoxLayout>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <cmath>
#include <functional>

namespace taskline {

// Paints the picture at its own size; tooltips come from the band renderers (the same as on the main timeline).
class CompareView::Canvas : public QWidget
{
public:
    explicit Canvas(CompareView* view)
        : QWidget(view)
        , m_view(view)
    {
        setMinimumSize(480, 320);
        setAttribute(Qt::WA_OpaquePaintEvent);
        setFocusPolicy(Qt::StrongFocus); // the zoom keys
    }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter p(this);
        m_view->m_picture.paint(p, size(), m_view->canvasStyle());
    }
    bool event(QEvent* e) override
    {
        if (e->type() != QEvent::ToolTip)
            return QWidget::event(e);
        const QPoint pos = static_cast<QHelpEvent*>(e)->pos();
        const ComparePicture::Layout L = m_view->m_picture.layout(size(), m_view->canvasStyle());
        QString tip;
        for (const ComparePicture::Band& band : L.bands) {
            if (band.entry >= 0 && band.timeline.contains(pos)) {
                tip = m_view->m_picture.renderer(band.entry).toolTipAt(pos - band.timeline.topLeft());
                break;
            }
        }
        if (tip.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(static_cast<QHelpEvent*>(e)->globalPos(), tip, this);
        return true;
    }

    void wheelEvent(QWheelEvent* event) override
    {
        const QPoint angle = event->angleDelta();
        if (event->modifiers() & Qt::ControlModifier) {
            if (angle.y() != 0)
                m_view->zoomAt(std::pow(1.2, angle.y() / 120.0), event->position().x());
        } else {
            // Nothing here scrolls up and down: every wheel moves in time.
            const int steps = angle.x() != 0 ? angle.x() : angle.y();
            m_view->panByPage(steps / 120.0 / 10.0);
        }
        event->accept();
    }
    void mousePressEvent(QMouseEvent* event) override
    {
        if (event->button() != Qt::LeftButton)
            return QWidget::mousePressEvent(event);
        m_dragFrom = event->position().x();
        m_dragging = true;
        setCursor(Qt::ClosedHandCursor);
    }
    void mouseMoveEvent(QMouseEvent* event) override
    {
        if (!m_dragging)
            return;
        const double x = event->position().x();
        m_view->panBy(x - m_dragFrom);
        m_dragFrom = x;
    }
    void mouseReleaseEvent(QMouseEvent* event) override
    {
        if (event->button() != Qt::LeftButton)
            return QWidget::mouseReleaseEvent(event);
        m_dragging = false;
        unsetCursor();
    }
    void mouseDoubleClickEvent(QMouseEvent*) override { m_view->zoomToFit(); }
    void keyPressEvent(QKeyEvent* event) override
    {
        const int key = event->key();
        const bool ctrl = event->modifiers() & Qt::ControlModifier;
        if (event->matches(QKeySequence::ZoomIn) || key == Qt::Key_Plus || key == Qt::Key_Equal)
            m_view->zoomIn();
        else if (event->matches(QKeySequence::ZoomOut) || key == Qt::Key_Minus)
            m_view->zoomOut();
        else if (key == Qt::Key_0 && (ctrl || event->modifiers() == Qt::NoModifier))
            m_view->zoomToFit();
        else if (key == Qt::Key_Left || key == Qt::Key_Right)
            m_view->panByPage(key == Qt::Key_Left ? 0.1 : -0.1);
        else if (key == Qt::Key_Home || key == Qt::Key_End)
            m_view->panByPage(key == Qt::Key_Home ? 1e6 : -1e6); // clamped to the start or the end
        else
            return QWidget::keyPressEvent(event);
        event->accept();
    }

private:
    CompareView* m_view;
    double m_dragFrom = 0;
    bool m_dragging = false;
};

CompareView::CompareView(QWidget* parent)
    : QWidget(parent)
    , m_runner(new CompareRunner(this))
{
    setObjectName(QStringLiteral("compareView"));
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("compareStatus"));
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("compareProgress"));
    m_progress->setTextVisible(false);
    m_progress->setMaximumWidth(160);
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setObjectName(QStringLiteral("compareStop"));
    m_stop->setToolTip(tr("End the running mode and skip the rest (Esc)"));
    m_stop->setShortcut(QKeySequence(Qt::Key_Escape));
    m_export = new QPushButton(tr("Export Image…"));
    m_export->setObjectName(QStringLiteral("compareExport"));
    m_copy = new QPushButton(tr("Copy Image"));
    m_copy->setObjectName(QStringLiteral("compareCopy"));
    m_copy->setToolTip(tr("Copy the comparison as a 1600 × 900 picture"));
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(8, 6, 8, 2);
    bar->addWidget(m_status, 1);
    bar->addWidget(m_progress);
    bar->addWidget(m_stop);
    bar->addWidget(m_export);
    bar->addWidget(m_copy);
    m_canvas = new Canvas(this);
    m_canvas->setObjectName(QStringLiteral("compareCanvas"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(m_canvas, 1);

    connect(m_stop, &QPushButton::clicked, this, &CompareView::stop);
    connect(m_export, &QPushButton::clicked, this, &CompareView::exportRequested);
    connect(m_copy, &QPushButton::clicked, this, &CompareView::copyImage);
    connect(m_runner, &CompareRunner::modeStarted, this, &CompareView::onModeStarted);
    connect(m_runner, &CompareRunner::traceAppended, m_canvas, qOverload<>(&QWidget::update));
    connect(m_runner, &CompareRunner::modeFinished, this, &CompareView::onModeFinished);
    connect(m_runner, &CompareRunner::finished, this, &CompareView::onFinished);
    updateControls();
}

CompareView::~CompareView()
{
    m_runner->disconnect(this);
}

QWidget* CompareView::canvas() const
{
    return m_canvas;
}

PictureStyle CompareView::canvasStyle() const
{
    PictureStyle s = m_style;
    // On screen the text follows the user's font (larger for projection), as the main window's timeline does.
    const QFontInfo info(font());
    s.fontPx = std::max(11, info.pixelSize() * 6 / 5);
    return s;
}

TimeScale CompareView::timeScale() const
{
    return m_picture.layout(m_canvas->size(), canvasStyle()).scale;
}

void CompareView::moveAxis(const std::function<void(TimeScale&, const ComparePicture::Layout&)>& move)
{
    // One layout per action: it measures text and sets up every band's renderer.
    const ComparePicture::Layout L = m_picture.layout(m_canvas->size(), canvasStyle());
    TimeScale scale = L.scale;
    scale.setBounds(0, m_picture.axisEndNs());
    move(scale, L);
    if (scale.isFitted())
        m_picture.setTimeWindow(0, 0);
    else
        m_picture.setTimeWindow(scale.startNs(), scale.endNs());
    updateControls();
    m_canvas->update();
}

void CompareView::zoomAt(double factor, double x)
{
    if (m_picture.isEmpty())
        return;
    moveAxis([&](TimeScale& scale, const ComparePicture::Layout& L) {
        scale.zoom(factor, std::clamp(x - L.axisLeft, 0.0, double(scale.width())));
    });
}

void CompareView::zoomIn()
{
    if (!m_picture.isEmpty())
        moveAxis([](TimeScale& scale, const ComparePicture::Layout&) { scale.zoom(2.0, scale.width() / 2.0); });
}

void CompareView::zoomOut()
{
    if (!m_picture.isEmpty())
        moveAxis([](TimeScale& scale, const ComparePicture::Layout&) { scale.zoom(0.5, scale.width() / 2.0); });
}

void CompareView::zoomToFit()
{
    m_picture.setTimeWindow(0, 0);
    updateControls();
    m_canvas->update();
}

void CompareView::panBy(double dx)
{
    if (m_picture.isZoomed()) // every run whole: nothing to move to
        moveAxis([dx](TimeScale& scale, const ComparePicture::Layout&) { scale.pan(dx); });
}

void CompareView::panByPage(double pages)
{
    if (m_picture.isZoomed())
        moveAxis([pages](TimeScale& scale, const ComparePicture::Layout&) { scale.pan(pages * scale.width()); });
}

void CompareView::clear()
{
    m_picture.clear();
    updateControls();
    m_canvas->update();
}

void CompareView::addRun(const Mix& mix, const RunResult& result, std::shared_ptr<const TraceStore> store)
{
    m_picture.setMixName(mix.name);
    const RunSummary summary = summarize(result, *store); // before the store is moved away
    m_picture.addRun(summary, std::move(store));
    updateControls();
    m_canvas->update();
}

void CompareView::setTheme(Theme theme)
{
    m_style.theme = theme;
    m_canvas->update();
}

void CompareView::setLaneMode(LaneMode mode)
{
    m_style.laneMode = mode;
    m_canvas->update();
}

bool CompareView::startCompare(const Mix& mix, const RunSettings& settings, QString* error)
{
    if (!m_runner->start(mix, settings, error))
        return false;
    emit runningChanged(true);
    return true;
}

void CompareView::stop()
{
    m_runner->stop();
    updateControls();
}

bool CompareView::isRunning() const
{
    return m_runner->isRunning();
}

void CompareView::closeEvent(QCloseEvent* event)
{
    stop();
    QWidget::closeEvent(event);
}

void CompareView::onModeStarted(int index)
{
    if (index == 0) {
        m_picture.clear();
        m_picture.setMixName(m_runner->mix().name);
    }
    const std::vector<Mode>& modes = m_runner->modes();
    RunSummary live;
    live.mix = m_runner->mix().name;
    live.settings = m_runner->currentSettings();
    live.cores = UtilSampler::coreCount();
    live.workers = live.settings.effectiveWorkers(live.cores);
    m_picture.setLiveRun(live, m_runner->currentStore());
    m_picture.setPending(std::vector<Mode>(modes.begin() + index + 1, modes.end()));
    updateControls();
    m_canvas->update();
}

void CompareView::onModeFinished(int, const RunResult& result, std::shared_ptr<const TraceStore> store)
{
    const RunSummary summary = summarize(result, *store); // before the store is moved away
    m_picture.addRun(summary, std::move(store));
    updateControls();
    m_canvas->update();
}

void CompareView::onFinished()
{
    m_picture.setPending({});
    updateControls();
    m_canvas->update();
    emit runningChanged(false);
}

QString CompareView::statusText() const
{
    return m_status->text();
}

void CompareView::updateControls()
{
    const bool running = m_runner->isRunning();
    const std::vector<Mode>& modes = m_runner->modes();
    const int index = m_runner->currentIndex();
    if (running && index >= 0 && index < int(modes.size())) {
        m_status->setText(tr("Comparing “%1”: running %2 (%3 of %4)…")
                              .arg(m_runner->mix().name, modeLabel(modes[size_t(index)]))
                              .arg(index + 1)
                              .arg(modes.size()));
        m_progress->setRange(0, int(modes.size()));
        m_progress->setValue(index);
    } else if (m_picture.isEmpty()) {
        m_status->setText(tr("Run → Compare All runs the mix under every mode, one after another."));
    } else if (m_runner->wasStopped()) {
        m_status->setText(tr("Stopped: %1 of %2 modes ran.").arg(m_picture.entries().size()).arg(modes.size()));
    } else {
        m_status->setText(m_picture.isZoomed()
                ? tr("“%1” under %2 modes, zoomed in: drag or scroll to move in time, 0 or a double-click shows "
                     "every run whole.")
                      .arg(m_picture.mixName())
                      .arg(m_picture.entries().size())
                : tr("“%1” under %2 modes: the shorter the band, the faster the mode. Ctrl+wheel zooms.")
                      .arg(m_picture.mixName())
                      .arg(m_picture.entries().size()));
    }
    m_progress->setVisible(running);
    m_stop->setEnabled(running);
    m_export->setEnabled(!running && !m_picture.isEmpty());
    m_copy->setEnabled(!running && !m_picture.isEmpty());
}

void CompareView::copyImage()
{
    ImageOptions o;
    o.style = m_style;
    ImageExport::copyToClipboard(m_picture, o);
    emit imageCopied();
}

} // namespace taskline
