#pragma once

// Internals shared by the timeline renderer's files (painting lanes, utilization, hit testing).

#include "lanesummary.h"
#include "timelinerenderer.h"

#include <QColor>
#include <QFontMetrics>
#include <QLine>
#include <QPainter>
#include <QVarLengthArray>
#include <array>
#include <climits>
#include <cmath>
#include <map>

namespace taskline {

// Colour keys of the column folder: a state, a dimmed state (another task is selected), the GIL lane's two tones.
inline constexpr int kDimKey = 10;
inline constexpr int kGilKey = 20; // + (worker id & 1); + 2 when dimmed
inline constexpr int kFoldKeys = 24;

inline QColor blend(const QColor& a, const QColor& b, double t) // t = 0: a, t = 1: b
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t),
        float(a.greenF() + (b.greenF() - a.greenF()) * t), float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

struct TimelineRenderer::Cache
{
    // The layout and what it was computed from.
    bool layoutValid = false;
    TimelineLayout layout;
    size_t shapeWorkers = 0;
    int shapeTasks = -1;
    size_t shapeCounters = 0;
    int shapeCores = -1;
    uint32_t shapeStates = 0;
    uint32_t shapeWorkerStates = 0;

    // States that occur, scanned incrementally (spans only grow until the store is reset).
    const TraceStore* scannedStore = nullptr;
    size_t scannedSpans = 0;
    uint64_t scannedEvents = 0;
    uint32_t stateMask = 0; // bit per TaskState; Done/Failed from the tasks' terminal states
    uint32_t workerStateMask = 0; // states of spans on a worker (what worker lanes can show)
    bool anyPreempted = false;
    std::map<int, std::pair<size_t, int>> counterMax; // counter id -> (points scanned, max value)

    // Label widths for the current font.
    QFont font;
    std::vector<int> taskLabelWidth; // -1: not measured yet
    std::array<int, kTaskStateCount> stateLabelWidth {};

    // Level-of-detail summaries per lane, valid for one store generation.
    uint64_t generation = 0;
    std::vector<LaneSummary> workerLod, taskLod;
    LaneSummary gilLod;

    // Scratch buffers reused across paints (no allocation per span or per frame once warm).
    std::vector<float> columnSum, columnWeight;
    QPolygon polyline;
    std::vector<std::pair<int, int>> marks;
};

struct TimelineRenderer::PaintContext
{
    const TimelineLayout& L;
    const ThemeColors& theme;
    QFontMetrics fm;
    std::array<QColor, kFoldKeys> fill;
    std::array<QColor, kTaskStateCount> text;
    QColor hatchBack; // the light part of a preempted running span
    QColor hatchBackDim;
    double startNs = 0;
    double pxPerNs = 0;
    int64_t liveEdge = 0;
    int selected = -1;
    int scrollY = 0;
    double tickSpacing = 80; // pixels between major ticks: the ruler's labels fit, the grid follows the ruler

    double x(double ns) const { return (ns - startNs) * pxPerNs; } // axis coordinates
    int baseline(QRect r) const { return r.top() + (r.height() + fm.ascent() - fm.descent()) / 2; }
};

// Folds runs of spans narrower than TimelineRenderer::kFoldPx into one block per pixel column, coloured by the key
// that covers most of the column (Tracy's approach); neighbouring columns of one colour become one fillRect. Spans
// must come in start order (a lane's order); a span that starts left of the open column is added to it.
class ColumnFolder
{
public:
    ColumnFolder(QPainter& p, const std::array<QColor, kFoldKeys>& colors, int left, int top, int height)
        : m_p(p)
        , m_colors(colors)
        , m_left(left)
        , m_top(top)
        , m_height(height)
    { }
    ~ColumnFolder() { flush(); }

    // [x0, x1) in axis coordinates. `weight` > 1 makes a key win its columns (the selected task's spans).
    void add(double x0, double x1, int key, float weight = 1)
    {
        int c0 = int(std::floor(x0));
        const int c1 = std::max(c0, int(std::ceil(x1)) - 1);
        if (c0 < m_col)
            c0 = m_col;
        for (int c = c0; c <= std::max(c0, c1); ++c) {
            if (c != m_col) {
                closeColumn();
                m_col = c;
            }
            const double cover = std::min(x1, double(c) + 1) - std::max(x0, double(c));
            m_weight[size_t(key)] += weight * float(std::max(cover, 0.01)); // an instant still counts
        }
    }
    void flush()
    {
        closeColumn();
        drawRun();
        m_col = INT_MIN;
    }

private:
    void closeColumn()
    {
        if (m_col == INT_MIN)
            return;
        int best = -1;
        float bestWeight = 0;
        for (int k = 0; k < kFoldKeys; ++k) {
            if (m_weight[size_t(k)] > bestWeight) {
                best = k;
                bestWeight = m_weight[size_t(k)];
            }
        }
        m_weight.fill(0);
        if (best < 0)
            return;
        if (best == m_runKey && m_col == m_runEnd) {
            ++m_runEnd;
            return;
        }
        drawRun();
        m_runKey = best;
        m_runStart = m_col;
        m_runEnd = m_col + 1;
    }
    void drawRun()
    {
        if (m_runKey >= 0)
            m_p.fillRect(m_left + m_runStart, m_top, m_runEnd - m_runStart, m_height, m_colors[size_t(m_runKey)]);
        m_runKey = -1;
    }

    QPainter& m_p;
    const std::array<QColor, kFoldKeys>& m_colors;
    int m_left, m_top, m_height;
    int m_col = INT_MIN;
    std::array<float, kFoldKeys> m_weight {};
    int m_runKey = -1;
    int m_runStart = 0, m_runEnd = 0;
};

// 45° hatch lines ("/") over `r`, anchored to device coordinates so that neighbouring spans line up. Drawn as
// lines rather than a pattern brush, which QSvgGenerator would drop.
inline void drawHatch(QPainter& p, QRect r, const QColor& color, int spacing)
{
    if (r.isEmpty())
        return;
    QVarLengthArray<QLine, 256> lines;
    const int L = r.left(), R = r.right(), T = r.top(), B = r.bottom();
    // Lines x + y = k·spacing; the segment inside the rect runs from x = max(L, k - B) to x = min(R, k - T).
    int k = ((L + T) / spacing) * spacing;
    if (k < L + T)
        k += spacing;
    for (; k <= R + B; k += spacing) {
        const int xa = std::max(L, k - B), xb = std::min(R, k - T);
        if (xa <= xb)
            lines.append(QLine(xa, k - xa, xb, k - xb));
    }
    p.setPen(QPen(color, 1));
    p.drawLines(lines.constData(), int(lines.size()));
}

} // namespace taskline
