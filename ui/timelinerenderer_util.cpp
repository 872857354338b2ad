// The per-core utilization rows under the lanes, on the same time axis.

#include "timelinerenderer.h"
#include "timelinerenderer_p.h"
#include "tracestore.h"

#include <algorithm>

namespace taskline {

namespace {

// value(sample) averaged per pixel column over the samples' intervals; weight 0 where no sample covers a column.
template <typename Value>
void averagePerColumn(const std::vector<UtilSample>& samples, size_t first, double startNs, double endNs,
    double pxPerNs, int width, std::vector<float>& sum, std::vector<float>& weight, Value value)
{
    sum.assign(size_t(width), 0.f);
    weight.assign(size_t(width), 0.f);
    for (size_t i = first; i < samples.size(); ++i) {
        const UtilSample& s = samples[i];
        const double t0 = double(s.timeNs - s.intervalNs);
        if (t0 > endNs)
            break;
        const double x0 = (t0 - startNs) * pxPerNs, x1 = (double(s.timeNs) - startNs) * pxPerNs;
        const int c0 = std::max(0, int(std::floor(x0)));
        const int c1 = std::min(width - 1, std::max(c0, int(std::ceil(x1)) - 1));
        const float v = value(s);
        for (int c = c0; c <= c1; ++c) {
            const float cover = float(std::max(std::min(x1, c + 1.0) - std::max(x0, double(c)), 1e-3));
            sum[size_t(c)] += v * cover;
            weight[size_t(c)] += cover;
        }
    }
}

} // namespace

void TimelineRenderer::paintUtilization(QPainter& p, const PaintContext& c) const
{
    const TimelineLayout& L = c.L;
    if (L.utilization.isEmpty() || !m_store)
        return;
    const std::vector<UtilSample>& samples = m_store->utilization();
    const int cores = std::max(1, m_store->cores());
    const int width = L.axisWidth;
    const int left = L.axisLeft;
    p.save();
    p.setClipRect(L.utilization);
    p.fillRect(QRect(0, L.utilization.top() + 3, L.size.width(), 1), c.theme.grid);
    const size_t first = size_t(std::partition_point(samples.begin(), samples.end(), [&](const UtilSample& s) {
        return double(s.timeNs) <= c.startNs;
    }) - samples.begin());
    const double endNs = m_options.scale.endNs();
    std::vector<float>& sum = m_cache->columnSum;
    std::vector<float>& weight = m_cache->columnWeight;
    const QFontMetrics& fm = c.fm;
    const int rowH = L.utilRows.empty() ? 0 : L.utilRows.front().rect.height();
    // With many cores the rows get thin: label every n-th one.
    const int labelEvery = std::max(1, (fm.height() + rowH - 1) / std::max(1, rowH));

    for (size_t r = 0; r < L.utilRows.size(); ++r) {
        const TimelineUtilRow& row = L.utilRows[r];
        const QRect area(left, row.rect.top() + 1, width, row.rect.height() - 2);
        p.fillRect(area, c.theme.laneAlternate);
        if (row.core >= 0) {
            averagePerColumn(samples, first, c.startNs, endNs, c.pxPerNs, width, sum, weight,
                [core = size_t(row.core)](const UtilSample& s) {
                    return core < s.coreBusy.size() ? std::clamp(s.coreBusy[core], 0.f, 1.f) : 0.f;
                });
            // Runs of columns with the same bar height become one rect.
            int runStart = 0, runHeight = -1;
            for (int col = 0; col <= width; ++col) {
                int hh = -1;
                if (col < width && weight[size_t(col)] > 0)
                    hh = int(std::lround(sum[size_t(col)] / weight[size_t(col)] * float(area.height())));
                if (col < width && hh == runHeight)
                    continue;
                if (runHeight > 0)
                    p.fillRect(QRect(left + runStart, area.bottom() + 1 - runHeight, col - runStart, runHeight),
                        c.theme.utilization);
                runStart = col;
                runHeight = hh;
            }
            if (int(r) % labelEvery == 0 && row.rect.height() >= 5) {
                p.setPen(c.theme.mutedText);
                p.drawText(8, row.rect.top() + (row.rect.height() + fm.ascent() - fm.descent()) / 2, row.label);
            }
        } else {
            // The run's CPU in cores, over the full scale of all cores; faint lines mark each whole core.
            for (int k = 1; k < cores; ++k) {
                const int y = area.bottom() - int(std::lround(double(k) / cores * area.height()));
                for (int x = 0; x < width; x += 6)
                    p.fillRect(QRect(left + x, y, 3, 1), c.theme.grid);
            }
            averagePerColumn(samples, first, c.startNs, endNs, c.pxPerNs, width, sum, weight,
                [cores](const UtilSample& s) { return std::clamp(s.processCores / float(cores), 0.f, 1.f); });
            QPolygon& line = m_cache->polyline;
            auto drawLine = [&] {
                if (line.size() > 1) {
                    p.setPen(QPen(c.theme.processUtilization, 2));
                    p.drawPolyline(line);
                }
                line.clear();
            };
            line.clear();
            for (int col = 0; col < width; ++col) {
                if (weight[size_t(col)] <= 0) {
                    drawLine();
                    continue;
                }
                const int y = area.bottom() - int(std::lround(sum[size_t(col)] / weight[size_t(col)] * area.height()));
                line.append(QPoint(left + col, y));
            }
            drawLine();
            p.setPen(c.theme.text);
            p.drawText(8, row.rect.top() + fm.ascent() + 1, row.label);
            p.setPen(c.theme.mutedText);
            p.drawText(8, row.rect.top() + fm.height() + fm.ascent() + 1, QStringLiteral("0–%1 cores").arg(cores));
        }
    }
    p.restore();
}

} // namespace taskline
