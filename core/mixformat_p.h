#pragma once

// Private to the mix format's .cpp files. The value rules live here once so that a bad value gets the
// same path and message whether it comes from a file (parseMix) or from the editor (validateMix).

#include "mix.h"

#include <QString>
#include <QStringList>
#include <cstdint>

namespace taskline::mixrules {

// CPython takes any positive switch interval; the format keeps it to 0.1 ms..1 s: below that the emulated
// GIL would spend its time handing itself over, above it the threads mode stops meaning anything.
inline constexpr double kMinSwitchIntervalMs = 0.1;
inline constexpr double kMaxSwitchIntervalMs = 1000;

inline constexpr int kKernelCount = 2;
inline constexpr int kGilBehaviourCount = 3;
inline constexpr int kFetchClientCount = 2;
inline constexpr int kStartMethodCount = 2;

// Shortest text that parses back to exactly `v`; whole numbers without a fraction or exponent.
QString formatNumber(double v);
QString quoted(const QString& s);
// "tasks[0]" + "name" -> "tasks[0].name"; "" + "format" -> "format".
QString childPath(const QString& parent, const QString& key);
QString indexPath(const QString& parent, qsizetype i);

// Each returns an empty string when the value is acceptable, else the message.
QString numberProblem(double v, double lo, double hi, bool whole);
QString nameProblem(const QString& s);
QString urlProblem(const QString& url);
QString tooManyTasksProblem(int64_t expandedTasks);

template <typename E> QStringList enumNames(int count, const char* (*nameOf)(E))
{
    QStringList names;
    for (int i = 0; i < count; ++i)
        names << QLatin1String(nameOf(E(i)));
    return names;
}

template <typename E> QString choiceProblem(const QString& got, int count, const char* (*nameOf)(E))
{
    QStringList names = enumNames(count, nameOf);
    for (QString& n : names)
        n = quoted(n);
    return QStringLiteral("must be one of %1 (got %2)").arg(names.join(QStringLiteral(", ")), quoted(got));
}

// Enum values in memory can only be out of range after a bad cast; the parser never produces them.
template <typename E> QString enumValueProblem(E value, int count)
{
    return int(value) >= 0 && int(value) < count ? QString()
                                                 : QStringLiteral("has an invalid value (%1)").arg(int(value));
}

} // namespace taskline::mixrules
