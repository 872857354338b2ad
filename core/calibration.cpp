#include "calibration.h"

#include "clock.h"
#include "kernels.h"
#include "labserver.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>
#include <QSysInfo>
#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace taskline {

namespace {

// Bump when a kernel's work per unit changes: old cached rates would then be wrong.
constexpr int kKernelVersion = 1;

std::unique_ptr<Calibration>& slot()
{
    static std::unique_ptr<Calibration> s;
    return s;
}
std::once_flag g_once;

QString cpuModel()
{
    // /proc files report size 0, so read everything rather than loop on atEnd().
    QFile f(QStringLiteral("/proc/cpuinfo"));
    if (f.open(QIODevice::ReadOnly)) {
        for (const QByteArray& line : f.readAll().split('\n')) {
            if (line.startsWith("model name")) {
                const int colon = line.indexOf(':');
                return QString::fromUtf8(line.mid(colon + 1)).trimmed();
            }
        }
    }
    return QSysInfo::currentCpuArchitecture();
}

QString buildFlavour()
{
    QString s;
#if defined(__SANITIZE_ADDRESS__)
    s += QStringLiteral("asan,");
#endif
#if defined(__SANITIZE_THREAD__)
    s += QStringLiteral("tsan,");
#endif
#if defined(__OPTIMIZE__)
    s += QStringLiteral("opt");
#else
    s += QStringLiteral("noopt");
#endif
    return s;
}

// Work units per ms of this thread's CPU, measured over ~cpuMs of work: the median of `trials`.
double measureRate(Kernel kernel, const QByteArray& data, double guess, int trials, double cpuMs)
{
    std::vector<double> rates;
    for (int t = 0; t < trials; ++t) {
        ComputeWork work(kernel, data, 1e9, Calibration::fromRates(guess, guess));
        const int64_t start = threadCpuNs();
        const int64_t limit = int64_t(cpuMs * 1e6);
        int64_t elapsed = 0;
        do {
            for (int i = 0; i < 8; ++i)
                work.runChunk();
            elapsed = threadCpuNs() - start;
        } while (elapsed < limit);
        rates.push_back(double(work.doneUnits()) / (double(elapsed) / 1e6));
    }
    std::sort(rates.begin(), rates.end());
    return rates[rates.size() / 2];
}

} // namespace

Calibration Calibration::fromRates(double regexBytesPerMs, double hashBytesPerMs)
{
    Calibration c;
    c.m_rate = { regexBytesPerMs, hashBytesPerMs };
    c.m_key = currentKey();
    return c;
}

QString Calibration::currentKey()
{
    return QStringLiteral("%1|%2|kernels-v%3|qt-%4")
        .arg(cpuModel(), buildFlavour())
        .arg(kKernelVersion)
        .arg(QLatin1String(qVersion()));
}

QString Calibration::cachePath()
{
    QString base = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    if (base.isEmpty())
        base = QDir::tempPath();
    return base + QStringLiteral("/taskline/calibration.json");
}

Calibration Calibration::measure()
{
    // A page like the fetched ones: the regex rate depends on how dense the tags are.
    const QByteArray page = makeLabHtml(64 * 1024, 1);
    Calibration c;
    c.m_key = currentKey();
    for (Kernel k : { Kernel::Regex, Kernel::Hash }) {
        // First pass finds the rate roughly; the second uses the chunk size real runs will use.
        // The median of several short trials: what a typical single-threaded run achieves on this machine (the
        // best trial would make typical runs overshoot their ms; a noisy neighbour slows only some trials).
        const double rough = measureRate(k, page, 20'000, 2, 20);
        c.m_rate[size_t(k)] = measureRate(k, page, rough, 9, 30);
    }
    c.save(cachePath());
    return c;
}

bool Calibration::load(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    if (o.value(QLatin1String("key")).toString() != currentKey())
        return false;
    const double regex = o.value(QLatin1String("regex_bytes_per_ms")).toDouble();
    const double hash = o.value(QLatin1String("hash_bytes_per_ms")).toDouble();
    if (!(regex > 0) || !(hash > 0))
        return false;
    m_rate = { regex, hash };
    m_key = currentKey();
    m_fromCache = true;
    return true;
}

bool Calibration::save(const QString& path) const
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    QJsonObject o;
    o.insert(QLatin1String("key"), m_key);
    o.insert(QLatin1String("regex_bytes_per_ms"), m_rate[0]);
    o.insert(QLatin1String("hash_bytes_per_ms"), m_rate[1]);
    o.insert(QLatin1String("measured_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    f.write(QJsonDocument(o).toJson());
    return f.commit();
}

const Calibration& Calibration::instance()
{
    std::call_once(g_once, [] {
        auto c = std::make_unique<Calibration>();
        if (!c->load(cachePath()))
            *c = measure();
        slot() = std::move(c);
    });
    return *slot();
}

const Calibration& Calibration::recalibrate()
{
    instance();
    *slot() = measure();
    return *slot();
}

} // namespace taskline
