#include "mix.h"

#include <QHash>
#include <QLocale>
#include <QUrlQuery>
#include <algorithm>
#include <cmath>

namespace taskline {

namespace {

QString formatMs(double ms)
{
    if (ms >= 1000 && std::fmod(ms, 100) == 0)
        return QString::number(ms / 1000, 'g', 4) + QStringLiteral(" s");
    return QString::number(ms, 'g', 6) + QStringLiteral(" ms");
}

template <typename E, size_t N> bool fromName(QStringView name, const char* const (&names)[N], E* out)
{
    for (size_t i = 0; i < N; ++i) {
        if (name == QLatin1String(names[i])) {
            *out = E(i);
            return true;
        }
    }
    return false;
}

constexpr const char* kModeNames[] = { "sequential", "threads", "coroutines", "processes" };
constexpr const char* kKernelNames[] = { "regex", "hash" };
constexpr const char* kGilNames[] = { "interruptible", "holds", "releases" };
constexpr const char* kClientNames[] = { "async", "blocking" };
constexpr const char* kStartMethodNames[] = { "spawn", "forkserver" };

} // namespace

Step Step::makeCompute(double ms, Kernel kernel, GilBehaviour gil, int64_t payloadBytes)
{
    Step s;
    s.kind = StepKind::Compute;
    s.compute = { ms, kernel, gil, payloadBytes };
    return s;
}

Step Step::makeFetch(const QString& url, FetchClient client)
{
    Step s;
    s.kind = StepKind::Fetch;
    s.fetch = { url, client };
    return s;
}

Step Step::makeSleep(double ms)
{
    Step s;
    s.kind = StepKind::Sleep;
    s.sleep = { ms };
    return s;
}

bool Step::operator==(const Step& o) const
{
    if (kind != o.kind)
        return false;
    switch (kind) {
    case StepKind::Compute:
        return compute == o.compute;
    case StepKind::Fetch:
        return fetch == o.fetch;
    case StepKind::Sleep:
        return sleep == o.sleep;
    }
    return true;
}

QString Step::describe() const
{
    switch (kind) {
    case StepKind::Compute: {
        QString text = QLatin1String(kernelName(compute.kernel)) + QLatin1Char(' ') + formatMs(compute.ms);
        if (compute.gil == GilBehaviour::Holds)
            text += QStringLiteral(" (holds GIL)");
        else if (compute.gil == GilBehaviour::Releases)
            text += QStringLiteral(" (releases GIL)");
        return text;
    }
    case StepKind::Fetch: {
        // Lab URLs say how long they take; show that rather than the URL.
        QString text = QStringLiteral("fetch");
        if (fetch.url.startsWith(QLatin1String("lab:/delay"))) {
            // The ms parameter itself, not any "ms=" inside another one ("items=3").
            const qsizetype query = fetch.url.indexOf(QLatin1Char('?'));
            bool ok = false;
            const double ms = query < 0
                ? 0
                : QUrlQuery(fetch.url.mid(query + 1)).queryItemValue(QStringLiteral("ms")).toDouble(&ok);
            if (ok)
                text += QLatin1Char(' ') + formatMs(ms);
        } else {
            text += QLatin1Char(' ') + fetch.url;
        }
        if (fetch.client == FetchClient::Blocking)
            text += QStringLiteral(" (blocking)");
        return text;
    }
    case StepKind::Sleep:
        return QStringLiteral("sleep ") + formatMs(sleep.ms);
    }
    return {};
}

QString TaskSpec::describeSteps() const
{
    QStringList parts;
    // Long repetitive step lists (the convoy's 200 sleeps) read better folded: "sleep 1 ms ×200".
    for (size_t i = 0; i < steps.size();) {
        size_t j = i + 1;
        while (j < steps.size() && steps[j] == steps[i])
            ++j;
        const QString one = steps[i].describe();
        parts << (j - i > 1 ? one + QStringLiteral(" ×") + QString::number(j - i) : one);
        i = j;
    }
    return parts.join(QStringLiteral(" → "));
}

int Mix::expandedTaskCount() const
{
    int64_t n = 0;
    for (const TaskSpec& t : tasks)
        n += std::max(0, t.count);
    return int(std::min<int64_t>(n, INT32_MAX));
}

bool Mix::usesLabServer() const
{
    for (const TaskSpec& t : tasks)
        for (const Step& s : t.steps)
            if (s.kind == StepKind::Fetch && s.fetch.url.startsWith(QLatin1String("lab:")))
                return true;
    return false;
}

std::vector<TaskInstance> expandTasks(const Mix& mix)
{
    QHash<QString, int> total;
    for (const TaskSpec& t : mix.tasks)
        total[t.name] += std::max(0, t.count);
    QHash<QString, int> seen;
    std::vector<TaskInstance> out;
    out.reserve(size_t(mix.expandedTaskCount()));
    for (int si = 0; si < int(mix.tasks.size()); ++si) {
        const TaskSpec& spec = mix.tasks[size_t(si)];
        for (int k = 0; k < spec.count; ++k) {
            TaskInstance t;
            t.id = int(out.size());
            t.specIndex = si;
            const int n = ++seen[spec.name];
            t.name = total.value(spec.name) > 1 ? spec.name + QLatin1Char('#') + QString::number(n) : spec.name;
            t.steps = spec.steps;
            out.push_back(std::move(t));
        }
    }
    return out;
}

RunSettings RunSettings::fromMix(const MixSettings& s)
{
    RunSettings r;
    if (s.mode)
        r.mode = *s.mode;
    if (s.workers)
        r.workers = *s.workers;
    if (s.gil)
        r.gil = *s.gil;
    if (s.switchIntervalMs)
        r.switchIntervalMs = *s.switchIntervalMs;
    if (s.startMethod)
        r.startMethod = *s.startMethod;
    if (s.offload)
        r.offload = *s.offload;
    if (s.limit)
        r.limit = *s.limit;
    if (s.maxTasksPerChild)
        r.maxTasksPerChild = *s.maxTasksPerChild;
    return r;
}

int RunSettings::effectiveWorkers(int cores) const
{
    // Coroutines: one event loop; with --offload, `workers` sizes asyncio's default executor (the offload pool).
    if (mode == Mode::Coroutines && !offload)
        return 1;
    if (workers > 0)
        return workers;
    switch (mode) {
    case Mode::Sequential:
        return 1;
    case Mode::Coroutines:
    case Mode::Threads:
        return std::min(32, cores + 4); // ThreadPoolExecutor's default since Python 3.8
    case Mode::Processes:
        return std::max(1, cores); // multiprocessing.Pool(): os.cpu_count()
    }
    return 1;
}

const char* modeName(Mode m)
{
    return kModeNames[int(m)];
}

QString modeLabel(Mode m)
{
    QString s = QLatin1String(modeName(m));
    s[0] = s[0].toUpper();
    return s;
}

bool modeFromName(QStringView name, Mode* out)
{
    return fromName(name, kModeNames, out);
}
const char* kernelName(Kernel k)
{
    return kKernelNames[int(k)];
}
bool kernelFromName(QStringView name, Kernel* out)
{
    return fromName(name, kKernelNames, out);
}
const char* gilBehaviourName(GilBehaviour g)
{
    return kGilNames[int(g)];
}
bool gilBehaviourFromName(QStringView name, GilBehaviour* out)
{
    return fromName(name, kGilNames, out);
}
const char* fetchClientName(FetchClient c)
{
    return kClientNames[int(c)];
}
bool fetchClientFromName(QStringView name, FetchClient* out)
{
    return fromName(name, kClientNames, out);
}
const char* startMethodName(StartMethod m)
{
    return kStartMethodNames[int(m)];
}
bool startMethodFromName(QStringView name, StartMethod* out)
{
    return fromName(name, kStartMethodNames, out);
}

} // namespace taskline
