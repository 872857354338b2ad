#include "kernels.h"

#include "calibration.h"

#include <algorithm>
#include <cmath>

namespace taskline {

const QRegularExpression& metaTagRegex()
{
    static const QRegularExpression re = [] {
        QRegularExpression r(QStringLiteral("<meta .*?>"));
        r.optimize(); // JIT-compile once; copies share the compiled pattern
        return r;
    }();
    return re;
}

ComputeWork::ComputeWork(Kernel kernel, const QByteArray& data, double ms, const Calibration& calibration)
    : m_kernel(kernel)
    , m_data(data)
{
    const double rate = calibration.unitsPerMs(kernel);
    m_totalUnits = int64_t(std::llround(std::max(0.0, ms) * rate));
    m_chunkUnits = std::max<int64_t>(64, int64_t(rate * kChunkUs / 1000.0));
    if (m_data.isEmpty() && m_totalUnits > 0)
        m_data = QByteArray(64, 'x');
    if (kernel == Kernel::Regex) {
        m_text = QString::fromLatin1(m_data);
        m_re = metaTagRegex();
    }
}

bool ComputeWork::runChunk()
{
    if (isDone())
        return false;
    const int64_t units = std::min(m_chunkUnits, m_totalUnits - m_doneUnits);
    if (m_kernel == Kernel::Regex)
        regexChunk(units);
    else
        hashChunk(units);
    return true;
}

void ComputeWork::runAll()
{
    while (runChunk()) { }
}

void ComputeWork::regexChunk(int64_t units)
{
    // Scan [m_pos, m_pos + units), extended to the next '>' so that no tag is cut in two; wrap at the end.
    int64_t remaining = units;
    const int64_t size = m_text.size();
    while (remaining > 0) {
        int64_t end = std::min(size, m_pos + remaining);
        if (end < size) {
            const qsizetype gt = m_text.indexOf(QLatin1Char('>'), end);
            end = gt < 0 ? size : std::min<int64_t>(size, gt + 1);
        }
        const QStringView view = QStringView(m_text).mid(m_pos, end - m_pos);
        auto it = m_re.globalMatch(view);
        while (it.hasNext()) {
            it.next();
            ++m_matches;
        }
        const int64_t scanned = std::max<int64_t>(1, end - m_pos);
        remaining -= scanned;
        m_doneUnits += scanned;
        m_pos = end >= size ? 0 : end;
    }
}

void ComputeWork::hashChunk(int64_t units)
{
    int64_t remaining = units;
    const int64_t size = m_data.size();
    while (remaining > 0) {
        const int64_t n = std::min(remaining, size - m_pos);
        m_hash.addData(QByteArrayView(m_data.constData() + m_pos, n));
        remaining -= n;
        m_doneUnits += n;
        m_pos = (m_pos + n) % size;
    }
}

QByteArray ComputeWork::digest()
{
    return m_hash.result();
}

} // namespace taskline
