#pragma once

#include "comparepicture.h"
#include "mix.h"
#include "palette.h"
#include "run.h"

#include <QWidget>
#include <memory>

class QLabel;
class QProgressBar;
class QPushButton;

namespace taskline {

class CompareRunner;
class TraceStore;

// The comparison of the modes on screen: while "Compare All" runs, which mode is running and its timeline growing
// in its band; then every mode's band stacked on one time axis, the wall/CPU chart and one line per mode that
// explains its result. It paints the same ComparePicture that File → Export Image writes, at the window's size.
// Runs come from its own CompareRunner (startCompare) or from outside (addRun, e.g. saved runs).
// Thread: GUI only.
class CompareView : public QWidget
{
    Q_OBJECT
public:
    explicit CompareView(QWidget* parent = nullptr);
    ~CompareView() override;

    void clear();
    // A finished run of `mix` (its band, bar and explanation line), after the runs already shown.
    void addRun(const Mix& mix, const RunResult& result, std::shared_ptr<const TraceStore> store);
    void setTheme(Theme theme);
    Theme theme() const { return m_style.theme; }
    void setLaneMode(LaneMode mode);

    // Runs `mix` under every available mode, one after another. False with *error if it cannot start.
    bool startCompare(const Mix& mix, const RunSettings& settings, QString* error = nullptr);
    void stop();
    bool isRunning() const;
    CompareRunner* runner() const { return m_runner; }

    // The shared time axis, as on the main timeline: Ctrl+wheel or +/− zoom (around the cursor), a drag, the
    // wheel or ←/→ pan, 0 or a double-click shows every run whole. `x` is in the canvas' coordinates.
    void zoomAt(double factor, double x);
    void zoomIn();
    void zoomOut();
    void zoomToFit();
    void panBy(double dx); // dx > 0 shows earlier time
    void panByPage(double pages); // in axis widths; > 0 shows earlier time
    bool isZoomed() const { return m_picture.isZoomed(); }
    TimeScale timeScale() const; // the shared axis as the canvas shows it (axis coordinates)

    const ComparePicture& picture() const { return m_picture; }
    // The painting canvas and the style it paints with (coordinates of picture().layout() are in its space).
    QWidget* canvas() const;
    PictureStyle canvasStyle() const;
    QString statusText() const;

protected:
    void closeEvent(QCloseEvent* event) override; // closing the window ends a comparison going on

signals:
    void runningChanged(bool running);
    void exportRequested(); // the Export Image… button
    void imageCopied();

private:
    class Canvas;
    void onModeStarted(int index);
    void onModeFinished(int index, const RunResult& result, std::shared_ptr<const TraceStore> store);
    void onFinished();
    void updateControls();
    void copyImage();
    // Moves the shared axis (bounded by the runs' time) with `move`, from one layout; every run whole when it
    // then shows all.
    void moveAxis(const std::function<void(TimeScale&, const ComparePicture::Layout&)>& move);

    CompareRunner* m_runner;
    ComparePicture m_picture;
    PictureStyle m_style;
    Canvas* m_canvas;
    QLabel* m_status;
    QProgressBar* m_progress;
    QPushButton* m_stop;
    QPushButton* m_export;
    QPushButton* m_copy;
};

} // namespace taskline
