#include "mixformat.h"
#include "mixformat_p.h"

#include <QLocale>
#include <QUrl>
#include <cmath>

namespace taskline {

namespace mixrules {

// The presets read "ms": 200, not 2e+02: whole numbers (exact in a double below 1e15) are written as integers.
QString formatNumber(double v)
{
    if (std::isfinite(v) && v == std::floor(v) && std::abs(v) < 1e15)
        return QString::number(qint64(v));
    return QString::number(v, 'g', QLocale::FloatingPointShortest);
}

QString quoted(const QString& s)
{
    return QLatin1Char('"') + s + QLatin1Char('"');
}

QString childPath(const QString& parent, const QString& key)
{
    return parent.isEmpty() ? key : parent + QLatin1Char('.') + key;
}

QString indexPath(const QString& parent, qsizetype i)
{
    return parent + QStringLiteral("[%1]").arg(i);
}

QString numberProblem(double v, double lo, double hi, bool whole)
{
    if (!std::isfinite(v))
        return QStringLiteral("must be a finite number");
    if (whole && v != std::floor(v))
        return QStringLiteral("must be a whole number (got %1)").arg(formatNumber(v));
    if (v < lo)
        return QStringLiteral("must be at least %1 (got %2)").arg(formatNumber(lo), formatNumber(v));
    if (v > hi)
        return QStringLiteral("must be at most %1 (got %2)").arg(formatNumber(hi), formatNumber(v));
    return {};
}

QString nameProblem(const QString& s)
{
    return s.trimmed().isEmpty() ? QStringLiteral("must not be empty") : QString();
}

QString urlProblem(const QString& url)
{
    if (url.startsWith(QLatin1String("lab:"))) {
        if (!url.startsWith(QLatin1String("lab:/")))
            return QStringLiteral("a lab URL must start with \"lab:/\" (got %1)").arg(quoted(url));
        // The engine turns lab:/PATH into http://127.0.0.1:PORT/PATH; refuse what that could not carry.
        const QUrl asHttp(QStringLiteral("http://127.0.0.1") + url.mid(4), QUrl::StrictMode);
        if (!asHttp.isValid())
            return QStringLiteral("invalid lab URL %1").arg(quoted(url));
        return {};
    }
    const QUrl u(url, QUrl::StrictMode);
    const QString scheme = u.scheme(); // QUrl lowercases it, and curl accepts HTTP:// as well
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        return QStringLiteral("must be a lab:/PATH, http:// or https:// URL (got %1)").arg(quoted(url));
    if (!u.isValid())
        return QStringLiteral("invalid URL %1").arg(quoted(url));
    if (u.host().isEmpty())
        return QStringLiteral("an %1 URL needs a host, as in %1://example.com/ (got %2)").arg(scheme, quoted(url));
    return {};
}

QString tooManyTasksProblem(int64_t expandedTasks)
{
    return QStringLiteral("the counts add up to %1 tasks; at most %2 are allowed")
        .arg(expandedTasks)
        .arg(kMaxExpandedTasks);
}

} // namespace mixrules

using namespace mixrules;

MixError validateMix(const Mix& mix)
{
    MixError e;
    const auto fail = [&e](const QString& path, const QString& message) {
        e.path = path;
        e.message = message;
        return e;
    };
    QString problem;
    if (!(problem = nameProblem(mix.name)).isEmpty())
        return fail(QStringLiteral("name"), problem);
    if (mix.tasks.empty())
        return fail(QStringLiteral("tasks"), QStringLiteral("must not be empty"));
    int64_t expanded = 0;
    for (size_t ti = 0; ti < mix.tasks.size(); ++ti) {
        const TaskSpec& task = mix.tasks[ti];
        const QString tp = indexPath(QStringLiteral("tasks"), qsizetype(ti));
        if (!(problem = nameProblem(task.name)).isEmpty())
            return fail(tp + QStringLiteral(".name"), problem);
        if (!(problem = numberProblem(task.count, 1, kMaxCount, true)).isEmpty())
            return fail(tp + QStringLiteral(".count"), problem);
        expanded += task.count;
        if (task.steps.empty())
            return fail(tp + QStringLiteral(".steps"), QStringLiteral("must not be empty"));
        for (size_t si = 0; si < task.steps.size(); ++si) {
            const Step& step = task.steps[si];
            const QString sp = indexPath(tp + QStringLiteral(".steps"), qsizetype(si));
            switch (step.kind) {
            case StepKind::Compute: {
                const ComputeStep& c = step.compute;
                const QString p = sp + QStringLiteral(".compute.");
                if (!(problem = numberProblem(c.ms, 0, kMaxStepMs, false)).isEmpty())
                    return fail(p + QStringLiteral("ms"), problem);
                if (!(problem = enumValueProblem(c.kernel, kKernelCount)).isEmpty())
                    return fail(p + QStringLiteral("kernel"), problem);
                if (!(problem = enumValueProblem(c.gil, kGilBehaviourCount)).isEmpty())
                    return fail(p + QStringLiteral("gil"), problem);
                if (!(problem = numberProblem(double(c.payloadBytes), 0, double(kMaxPayloadBytes), true)).isEmpty())
                    return fail(p + QStringLiteral("payload_bytes"), problem);
                break;
            }
            case StepKind::Fetch:
                if (!(problem = urlProblem(step.fetch.url)).isEmpty())
                    return fail(sp + QStringLiteral(".fetch.url"), problem);
                if (!(problem = enumValueProblem(step.fetch.client, kFetchClientCount)).isEmpty())
                    return fail(sp + QStringLiteral(".fetch.client"), problem);
                break;
            case StepKind::Sleep:
                if (!(problem = numberProblem(step.sleep.ms, 0, kMaxStepMs, false)).isEmpty())
                    return fail(sp + QStringLiteral(".sleep.ms"), problem);
                break;
            default:
                return fail(sp, QStringLiteral("has an invalid step kind (%1)").arg(int(step.kind)));
            }
        }
    }
    if (expanded > kMaxExpandedTasks)
        return fail(QStringLiteral("tasks"), tooManyTasksProblem(expanded));

    const MixSettings& s = mix.settings;
    const QString sp = QStringLiteral("settings.");
    if (s.mode && !(problem = enumValueProblem(*s.mode, kModeCount)).isEmpty())
        return fail(sp + QStringLiteral("mode"), problem);
    if (s.workers && !(problem = numberProblem(*s.workers, 1, kMaxWorkers, true)).isEmpty())
        return fail(sp + QStringLiteral("workers"), problem);
    if (s.switchIntervalMs
        && !(problem = numberProblem(*s.switchIntervalMs, kMinSwitchIntervalMs, kMaxSwitchIntervalMs, false)).isEmpty())
        return fail(sp + QStringLiteral("switch_interval_ms"), problem);
    if (s.startMethod && !(problem = enumValueProblem(*s.startMethod, kStartMethodCount)).isEmpty())
        return fail(sp + QStringLiteral("start_method"), problem);
    if (s.limit && !(problem = numberProblem(*s.limit, 1, kMaxExpandedTasks, true)).isEmpty())
        return fail(sp + QStringLiteral("limit"), problem);
    if (s.maxTasksPerChild && !(problem = numberProblem(*s.maxTasksPerChild, 1, kMaxTasksPerChild, true)).isEmpty())
        return fail(sp + QStringLiteral("max_tasks_per_child"), problem);
    return {};
}

} // namespace taskline
