#pragma once

#include <QString>
#include <cstdint>
#include <vector>

namespace taskline {

// Maps time (ns since run start) to x (pixels from the left end of the time axis) and back, for a time axis
// `width` pixels wide. A value type: the timeline widget, its renderer and image export each hold one.
//
// Bounds (the run's extent) are optional; when set, zoom and pan keep the visible window inside them: no zooming
// out past "the whole run" and no panning before its start or after its end.
// Thread: any (a plain value, no shared state).
class TimeScale
{
public:
    // The deepest zoom: 10 ns per pixel (1 µs = 100 px). Event stamps are ns, but recording one costs ~100 ns.
    static constexpr double kMinNsPerPixel = 10.0;

    TimeScale() = default;
    TimeScale(double startNs, double nsPerPixel, int width);

    double timeToX(double ns) const { return (ns - m_start) / m_nsPerPixel; }
    double xToTime(double x) const { return m_start + x * m_nsPerPixel; }

    double startNs() const { return m_start; }
    double endNs() const { return m_start + m_width * m_nsPerPixel; }
    double durationNs() const { return m_width * m_nsPerPixel; }
    double nsPerPixel() const { return m_nsPerPixel; }
    int width() const { return m_width; }

    // Keeps the start and the zoom: a wider axis shows more time on the right.
    void setWidth(int width);
    // Shows exactly [startNs, endNs) across the width (then clamps to the bounds).
    void setWindow(double startNs, double endNs);
    // factor > 1 zooms in. The time under `anchorX` stays under it (unless the bounds push the window).
    void zoom(double factor, double anchorX);
    // Moves the content by dx pixels: a drag to the right (dx > 0) shows earlier time.
    void pan(double dx);
    // Shows [beginNs, endNs) across `width` pixels (width <= 0 keeps the current one).
    void fit(int64_t beginNs, int64_t endNs, int width = 0);

    // The window is kept inside [beginNs, endNs]; beginNs >= endNs removes the bounds.
    void setBounds(int64_t beginNs, int64_t endNs);
    bool hasBounds() const { return m_boundEnd > m_boundBegin; }
    int64_t boundBeginNs() const { return m_boundBegin; }
    int64_t boundEndNs() const { return m_boundEnd; }
    // The zoom that shows the whole bounded range (kMinNsPerPixel without bounds).
    double fitNsPerPixel() const;
    bool isFitted() const; // the whole bounded range is visible

    struct Tick
    {
        int64_t ns;
        double x;
        bool major; // majors carry a label and a grid line
    };
    // The step between major ticks: the smallest 1-2-5 × 10^k ns that leaves at least `minSpacingPx` between them.
    int64_t majorStep(double minSpacingPx) const;
    // Major and minor ticks inside the window, in time order. Minor ticks subdivide a major step into 5 (steps
    // 1 and 5) or 4 (step 2) parts.
    std::vector<Tick> ticks(double minSpacingPx) const;
    // The label of a tick at `ns` for major step `step`: the unit follows the step (≥ 1 s: s, ≥ 10 µs: ms, else
    // µs; the summary speaks ms, so ms covers most zooms) with as many decimals as the step needs: "0", "250 ms",
    // "1234.56 ms", "3 s", "2.5 µs".
    static QString tickLabel(int64_t ns, int64_t step);
    // A duration for people: three significant digits, unit chosen by size ("850 ns", "12.3 µs", "4.51 ms", "1.23 s").
    static QString formatDuration(double ns);
    // A point in time for tooltips: ms with µs resolution ("1234.567 ms").
    static QString formatTime(double ns);

    bool operator==(const TimeScale&) const = default;

private:
    void clamp();

    double m_start = 0; // ns at x = 0
    double m_nsPerPixel = 1'000'000; // 1 ms per pixel until fitted
    int m_width = 1;
    int64_t m_boundBegin = 0;
    int64_t m_boundEnd = 0;
};

} // namespace taskline
