#pragma once

#include "mix.h"

#include <QString>
#include <array>

namespace taskline {

// How much work of each kernel takes one millisecond of CPU on this machine, single-threaded, measured once and
// cached under the user's cache directory ($XDG_CACHE_HOME/taskline/calibration.json), keyed by CPU model and
// build flavour (a sanitizer build is several times slower). `compute {ms: 100}` then does 100 ms of work.
class Calibration
{
public:
    // Thread: any. The machine's calibration: loaded from the cache or measured on first use (about 1 s).
    static const Calibration& instance();
    // Measures now (the median of several trials of thread CPU time) and rewrites the cache.
    static Calibration measure();
    // Thread: not concurrently with instance()'s first call. Measures again and replaces the instance.
    static const Calibration& recalibrate();
    static QString cachePath();

    double unitsPerMs(Kernel k) const { return m_rate[size_t(k)]; } // bytes per ms of CPU
    bool wasLoadedFromCache() const { return m_fromCache; }
    QString machineKey() const { return m_key; }

    static Calibration fromRates(double regexBytesPerMs, double hashBytesPerMs); // tests

private:
    bool load(const QString& path);
    bool save(const QString& path) const;
    static QString currentKey();

    std::array<double, 2> m_rate { 1, 1 };
    bool m_fromCache = false;
    QString m_key;
};

} // namespace taskline
