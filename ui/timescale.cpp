#include "timescale.h"

#include <algorithm>
#include <cmath>

namespace taskline {

TimeScale::TimeScale(double startNs, double nsPerPixel, int width)
    : m_start(startNs)
    , m_nsPerPixel(nsPerPixel)
    , m_width(std::max(1, width))
{
    clamp();
}

void TimeScale::setWidth(int width)
{
    m_width = std::max(1, width);
    clamp();
}

void TimeScale::setWindow(double startNs, double endNs)
{
    m_start = startNs;
    m_nsPerPixel = std::max(endNs - startNs, 1.0) / m_width;
    clamp();
}

void TimeScale::zoom(double factor, double anchorX)
{
    if (!(factor > 0))
        return;
    const double anchorNs = xToTime(anchorX);
    m_nsPerPixel = std::clamp(m_nsPerPixel / factor, kMinNsPerPixel, std::max(kMinNsPerPixel, fitNsPerPixel()));
    m_start = anchorNs - anchorX * m_nsPerPixel;
    clamp();
}

void TimeScale::pan(double dx)
{
    m_start -= dx * m_nsPerPixel;
    clamp();
}

void TimeScale::fit(int64_t beginNs, int64_t endNs, int width)
{
    if (width > 0)
        m_width = width;
    setWindow(double(beginNs), double(std::max(endNs, beginNs + 1)));
}

void TimeScale::setBounds(int64_t beginNs, int64_t endNs)
{
    m_boundBegin = beginNs;
    m_boundEnd = endNs;
    clamp();
}

double TimeScale::fitNsPerPixel() const
{
    if (!hasBounds())
        return kMinNsPerPixel;
    return std::max(kMinNsPerPixel, double(m_boundEnd - m_boundBegin) / m_width);
}

bool TimeScale::isFitted() const
{
    return hasBounds() && m_nsPerPixel >= fitNsPerPixel() * (1 - 1e-9);
}

void TimeScale::clamp()
{
    if (!(m_nsPerPixel >= kMinNsPerPixel)) // also catches NaN
        m_nsPerPixel = kMinNsPerPixel;
    if (!hasBounds())
        return;
    m_nsPerPixel = std::min(m_nsPerPixel, fitNsPerPixel());
    const double maxStart = double(m_boundEnd) - durationNs();
    // A window wider than the bounds (a very short run at the deepest zoom) starts at the beginning.
    m_start
        = maxStart <= double(m_boundBegin) ? double(m_boundBegin) : std::clamp(m_start, double(m_boundBegin), maxStart);
}

int64_t TimeScale::majorStep(double minSpacingPx) const
{
    const double target = std::max(1.0, minSpacingPx * m_nsPerPixel);
    for (int64_t power = 1; power <= INT64_MAX / 10; power *= 10) {
        for (int64_t mantissa : { 1, 2, 5 }) {
            if (double(mantissa * power) >= target)
                return mantissa * power;
        }
    }
    return INT64_MAX / 10;
}

std::vector<TimeScale::Tick> TimeScale::ticks(double minSpacingPx) const
{
    std::vector<Tick> out;
    const int64_t step = majorStep(minSpacingPx);
    int64_t power = 1;
    while (power * 10 <= step)
        power *= 10;
    const int64_t parts = step / power == 2 ? 4 : 5;
    const int64_t minor = step % parts == 0 ? step / parts : step;
    const double last = endNs();
    // Integer multiples of the step, so that labels never drift ("0.30000001 ms").
    for (int64_t k = int64_t(std::ceil(m_start / double(minor))); double(k) * double(minor) <= last; ++k) {
        const int64_t ns = k * minor;
        out.push_back({ ns, timeToX(double(ns)), ns % step == 0 });
        if (out.size() > 100'000)
            break; // a degenerate spacing; never hang a paint
    }
    return out;
}

QString TimeScale::tickLabel(int64_t ns, int64_t step)
{
    if (ns == 0)
        return QStringLiteral("0");
    int64_t unit = 1'000;
    QString name = QStringLiteral("µs");
    if (step >= 1'000'000'000) {
        unit = 1'000'000'000;
        name = QStringLiteral("s");
    } else if (step >= 10'000) {
        unit = 1'000'000;
        name = QStringLiteral("ms");
    }
    int decimals = 0;
    for (int64_t scaled = step; decimals < 9 && scaled % unit != 0; scaled *= 10)
        ++decimals;
    return QString::number(double(ns) / double(unit), 'f', decimals) + QLatin1Char(' ') + name;
}

QString TimeScale::formatDuration(double ns)
{
    const double a = std::abs(ns);
    if (a < 999.5)
        return QString::number(std::llround(ns)) + QStringLiteral(" ns");
    double unit = 1e3;
    QString name = QStringLiteral("µs");
    if (a >= 999.5e6) {
        unit = 1e9;
        name = QStringLiteral("s");
    } else if (a >= 999.5e3) {
        unit = 1e6;
        name = QStringLiteral("ms");
    }
    const double v = ns / unit;
    const double av = std::abs(v);
    const int decimals = av < 9.995 ? 2 : av < 99.95 ? 1 : 0;
    return QString::number(v, 'f', decimals) + QLatin1Char(' ') + name;
}

QString TimeScale::formatTime(double ns)
{
    return QString::number(ns / 1e6, 'f', 3) + QStringLiteral(" ms");
}

} // namespace taskline
