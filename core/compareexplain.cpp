#include "compareexplain.h"

#include "tracestore.h"

#include <algorithm>
#include <cmath>

namespace taskline {

namespace {

// Below this share a state is not worth a clause; above it, it is what held the tasks up.
constexpr double kNotable = 0.15;
// Cores busy on average above which work ran in parallel (1.0 is one core; scheduling noise stays below this).
constexpr double kParallelCores = 1.3;

// Time the tasks spent in each state, summed over tasks, and the shares a sentence needs.
struct TaskTime
{
    explicit TaskTime(const RunSummary& s)
    {
        auto at = [&s](TaskState st) { return std::max(0.0, s.stateMs[size_t(st)]); };
        queued = at(TaskState::Queued);
        ready = at(TaskState::Ready);
        running = at(TaskState::Running);
        gil = at(TaskState::WaitingGil);
        io = at(TaskState::BlockedIo);
        sleeping = at(TaskState::Sleeping);
        spawning = at(TaskState::Spawning);
        serializing = at(TaskState::Serializing);
        for (double v : s.stateMs)
            total += std::max(0.0, v);
        for (const TaskSummary& t : s.tasks)
            firstSpawnMs = std::max(firstSpawnMs, t.stateMs[size_t(TaskState::Spawning)]);
    }
    double share(double ms) const { return total > 0 ? ms / total : 0; }
    double waiting() const { return io + sleeping; }
    // Of the work itself (computing and waiting on the world), how much was waiting.
    double waitFraction() const { return running + waiting() > 0 ? waiting() / (running + waiting()) : 0; }
    bool computeHeavy() const { return running + waiting() > 0 && waitFraction() < 0.5; }

    double queued = 0, ready = 0, running = 0, gil = 0, io = 0, sleeping = 0, spawning = 0, serializing = 0;
    double total = 0;
    double firstSpawnMs = 0; // the longest a task waited for its worker process to start
};

QString percent(double share)
{
    return QStringLiteral("%1 %").arg(std::lround(std::clamp(share, 0.0, 1.0) * 100));
}

QString number1(double v)
{
    return QString::number(v, 'f', 1);
}

QString plural(int n, const char* one, const char* many)
{
    return QStringLiteral("%1 %2").arg(n).arg(QLatin1String(n == 1 ? one : many));
}

// "waiting on I/O", "sleeping" or "waiting on I/O or sleeping", by what the waits were.
QString waitWords(const TaskTime& t)
{
    if (t.sleeping <= 0.1 * t.waiting())
        return QStringLiteral("waiting on I/O");
    if (t.io <= 0.1 * t.waiting())
        return QStringLiteral("sleeping");
    return QStringLiteral("waiting on I/O or sleeping");
}

// How far the waits overlapped: the trace's peak if known, else the average number in flight.
QString overlapWords(const RunFacts& f, const TaskTime& t)
{
    if (f.peakWaiting > 1)
        return QStringLiteral("up to %1 waits overlapped").arg(f.peakWaiting);
    if (f.peakWaiting == 1)
        return QStringLiteral("the waits never overlapped");
    const double average = f.summary.wallMs > 0 ? t.waiting() / f.summary.wallMs : 0;
    if (average >= 1.5)
        return QStringLiteral("%1 waits overlapped on average").arg(number1(average));
    return QStringLiteral("the waits hardly overlapped");
}

bool waitsOverlapped(const RunFacts& f, const TaskTime& t)
{
    if (f.peakWaiting >= 0)
        return f.peakWaiting > 1;
    return f.summary.wallMs > 0 && t.waiting() / f.summary.wallMs >= 1.5;
}

QString gilWords(const TaskTime& t)
{
    return QStringLiteral("the GIL let one thread compute at a time; tasks waited for it %1 of their time")
        .arg(percent(t.share(t.gil)));
}

QStringList sequentialReasons(const TaskTime& t)
{
    if (t.running + t.waiting() <= 0)
        return { QStringLiteral("one task at a time") };
    const double wait = t.waitFraction();
    if (wait < 0.1)
        return { QStringLiteral("one task at a time, %1 of it computing").arg(percent(1 - wait)) };
    if (wait > 0.9)
        return { QStringLiteral("one task at a time, %1 of it %2").arg(percent(wait), waitWords(t)) };
    return {
        QStringLiteral("one task at a time: %1 %2, %3 computing").arg(percent(wait), waitWords(t), percent(1 - wait))
    };
}

QStringList threadReasons(const RunFacts& f, const TaskTime& t)
{
    const RunSummary& s = f.summary;
    QStringList out;
    const double cores = s.coresUsed();
    if (s.settings.gil && t.share(t.gil) >= kNotable) {
        if (t.waitFraction() >= 0.2 && waitsOverlapped(f, t))
            out << overlapWords(f, t) + QStringLiteral(", but ") + gilWords(t);
        else
            out << gilWords(t);
    } else if (cores >= kParallelCores && !t.computeHeavy() && waitsOverlapped(f, t)) {
        out << overlapWords(f, t) + QStringLiteral(" and the computing ran on %1 cores at once").arg(number1(cores));
    } else if (cores >= kParallelCores) {
        out << QStringLiteral("%1 threads computed in parallel (%2 cores busy on average)")
                   .arg(s.settings.gil ? QStringLiteral("the") : QStringLiteral("without the GIL, the"))
                   .arg(number1(cores));
    } else if (!t.computeHeavy()) {
        out << overlapWords(f, t) + QStringLiteral(" on %1").arg(plural(s.workers, "thread", "threads"));
    } else {
        out << QStringLiteral("%1, %2 cores busy on average")
                   .arg(plural(s.workers, "thread", "threads"))
                   .arg(number1(cores));
    }
    if (t.share(t.queued) >= kNotable)
        out << QStringLiteral("tasks queued for a free thread %1 of their time").arg(percent(t.share(t.queued)));
    return out;
}

QStringList coroutineReasons(const RunFacts& f, const TaskTime& t)
{
    const RunSummary& s = f.summary;
    QStringList out;
    const double loopBusy = s.wallMs > 0 ? std::min(1.0, s.loop.busyMs / s.wallMs) : 0;
    const double cores = s.coresUsed();
    const bool waited = t.waitFraction() >= 0.2;
    // Computing on the loop: a coroutine computes without awaiting, so it holds the loop meanwhile.
    const bool computed = t.running + t.waiting() > 0 && t.running / (t.running + t.waiting()) >= 0.2;
    if (s.settings.offload && t.running > 0) {
        QString offloaded
            = QStringLiteral("the computing went to a pool of %1").arg(plural(s.workers, "thread", "threads"));
        if (s.settings.gil && t.share(t.gil) >= kNotable)
            offloaded += QStringLiteral(", where the GIL let one compute at a time (tasks waited for it %1 of "
                                        "their time)")
                             .arg(percent(t.share(t.gil)));
        else if (cores >= kParallelCores)
            offloaded += QStringLiteral(" and ran on %1 cores at once").arg(number1(cores));
        if (waited)
            out << overlapWords(f, t) + QStringLiteral(" on one event loop");
        out << offloaded;
    } else if (computed && waited && waitsOverlapped(f, t)) {
        out << overlapWords(f, t)
                + QStringLiteral(", but computing held the loop %1 of the run").arg(percent(loopBusy));
    } else if (computed && t.computeHeavy()) {
        out << QStringLiteral("computing never awaits, so one coroutine ran at a time: the loop was busy %1 of "
                              "the run")
                   .arg(percent(loopBusy));
    } else {
        out << overlapWords(f, t) + QStringLiteral(" on one event loop");
        // Nothing computed for long, yet the loop was held: a step that blocked it (a blocking client's wait).
        if (s.loop.present && s.loop.slowSteps > 0 && !s.loop.longestStepTask.isEmpty())
            out << QStringLiteral("%1 held the loop for %2 without an await, stalling the rest")
                       .arg(s.loop.longestStepTask, formatMs(s.loop.longestStepMs));
    }
    if (t.share(t.ready) >= kNotable)
        out << QStringLiteral("tasks sat ready %1 of their time").arg(percent(t.share(t.ready)));
    if (s.settings.limit > 0 && t.share(t.queued) >= kNotable)
        out << QStringLiteral("at most %1 in flight: tasks queued %2 of their time")
                   .arg(s.settings.limit)
                   .arg(percent(t.share(t.queued)));
    return out;
}

QStringList processReasons(const RunFacts& f, const TaskTime& t)
{
    const RunSummary& s = f.summary;
    QStringList out;
    const double cores = s.coresUsed();
    if (t.computeHeavy() && cores >= kParallelCores) {
        // More processes than cores run by turns: at once means on as many cores as there are.
        const int atOnce = std::min(f.peakRunning > 1 ? f.peakRunning : int(std::lround(cores)), std::max(1, s.cores));
        out << QStringLiteral("computed on %1 cores at once (%2 busy on average)").arg(atOnce).arg(number1(cores));
    } else if (t.computeHeavy()) {
        out << QStringLiteral("%1, but only %2 cores busy on average")
                   .arg(plural(s.workers, "process", "processes"))
                   .arg(number1(cores));
    } else {
        out << overlapWords(f, t)
                + QStringLiteral(", one per worker process (%1)").arg(plural(s.workers, "process", "processes"));
    }
    if (t.share(t.queued) >= kNotable)
        out << QStringLiteral("tasks queued for a free process %1 of their time").arg(percent(t.share(t.queued)));
    QStringList costs;
    if (t.firstSpawnMs >= 0.5)
        costs << QStringLiteral("start-up %1").arg(formatMs(t.firstSpawnMs));
    if (t.serializing >= 0.5)
        costs << QStringLiteral("copying %1").arg(formatMs(t.serializing));
    if (!costs.isEmpty())
        out << costs.join(QStringLiteral(", "));
    return out;
}

bool complete(const RunSummary& s)
{
    return s.error.isEmpty() && !s.stopped && s.wallMs > 0;
}

} // namespace

RunFacts runFacts(const RunSummary& summary, const TraceStore* store)
{
    RunFacts f;
    f.summary = summary;
    if (!store)
        return f;
    // Sweep the spans' starts and ends in time order; at equal times ends come first (a hand-over is no overlap).
    std::vector<std::pair<int64_t, int>> waits, runs;
    const int64_t end = store->endNs();
    for (const Span& span : store->spans()) {
        const int64_t spanEnd = span.endNs == TraceStore::kOpen ? end : span.endNs;
        if (spanEnd <= span.startNs)
            continue;
        auto* list = span.state == TaskState::Running                                 ? &runs
            : span.state == TaskState::BlockedIo || span.state == TaskState::Sleeping ? &waits
                                                                                      : nullptr;
        if (!list)
            continue;
        list->emplace_back(span.startNs, +1);
        list->emplace_back(spanEnd, -1);
    }
    auto peak = [](std::vector<std::pair<int64_t, int>>& points) {
        std::sort(points.begin(), points.end());
        int now = 0, most = 0;
        for (const auto& [time, delta] : points) {
            now += delta;
            most = std::max(most, now);
        }
        return most;
    };
    f.peakWaiting = peak(waits);
    f.peakRunning = peak(runs);
    return f;
}

double speedupOf(const RunSummary& run, const RunSummary& baseline)
{
    if (!complete(run) || !complete(baseline))
        return 0;
    return baseline.wallMs / run.wallMs;
}

QString describeSpeedup(double speedup)
{
    if (speedup <= 0)
        return QStringLiteral("no comparison");
    const QString x = QStringLiteral("%1×").arg(number1(speedup));
    if (speedup >= 1.1)
        return x + QStringLiteral(" faster");
    if (speedup > 0.9)
        return x + QStringLiteral(" (no faster)");
    return x + QStringLiteral(" (%1× slower)").arg(number1(1 / speedup));
}

QString formatMs(double ms)
{
    if (ms < 1)
        return QStringLiteral("%1 µs").arg(std::lround(ms * 1000));
    if (ms < 10)
        return QStringLiteral("%1 ms").arg(number1(ms));
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(std::lround(ms));
    return QStringLiteral("%1 s").arg(QString::number(ms / 1000, 'f', ms >= 10'000 ? 1 : 2));
}

QString describeRunSettings(const RunSummary& s)
{
    const RunSettings& r = s.settings;
    QStringList parts;
    switch (r.mode) {
    case Mode::Sequential:
        parts << QStringLiteral("one task after another on the main thread");
        break;
    case Mode::Threads:
        parts << plural(s.workers, "thread", "threads");
        parts << (r.gil ? QStringLiteral("GIL on, switch interval %1 ms").arg(r.switchIntervalMs)
                        : QStringLiteral("GIL off (free-threaded)"));
        break;
    case Mode::Coroutines:
        parts << QStringLiteral("one event loop");
        if (r.offload)
            parts << QStringLiteral("compute offloaded to %1, GIL %2")
                         .arg(plural(s.workers, "thread", "threads"),
                             r.gil ? QStringLiteral("on") : QStringLiteral("off"));
        if (r.limit > 0)
            parts << QStringLiteral("at most %1 tasks in flight").arg(r.limit);
        break;
    case Mode::Processes:
        parts << plural(s.workers, "process", "processes");
        parts << QStringLiteral("start method %1").arg(QLatin1String(startMethodName(r.startMethod)));
        if (r.maxTasksPerChild > 0)
            parts << QStringLiteral("%1 per worker").arg(plural(r.maxTasksPerChild, "task", "tasks"));
        break;
    }
    return parts.join(QStringLiteral(" · "));
}

QString explainRun(const RunFacts& f, const RunFacts* baseline)
{
    const RunSummary& s = f.summary;
    const QString mode = QLatin1String(modeName(s.settings.mode));
    if (!s.error.isEmpty())
        return QStringLiteral("%1: did not run: %2").arg(mode, s.error);
    if (s.stopped)
        return QStringLiteral("%1: stopped after %2, so not compared").arg(mode, formatMs(s.wallMs));

    const TaskTime t(s);
    QString head;
    QStringList reasons;
    switch (s.settings.mode) {
    case Mode::Sequential:
        head = QStringLiteral("%1, the baseline").arg(formatMs(s.wallMs));
        reasons = sequentialReasons(t);
        break;
    case Mode::Threads:
        reasons = threadReasons(f, t);
        break;
    case Mode::Coroutines:
        reasons = coroutineReasons(f, t);
        break;
    case Mode::Processes:
        reasons = processReasons(f, t);
        break;
    }
    if (head.isEmpty()) {
        const double speedup = baseline ? speedupOf(s, baseline->summary) : 0;
        head = speedup > 0 ? describeSpeedup(speedup) : formatMs(s.wallMs);
    }
    int failed = 0;
    for (const TaskSummary& task : s.tasks)
        failed += task.status == QLatin1String("failed");
    if (failed > 0)
        reasons << QStringLiteral("%1 of %2 tasks failed").arg(failed).arg(s.tasks.size());
    return QStringLiteral("%1: %2: %3").arg(mode, head, reasons.join(QStringLiteral("; ")));
}

QStringList explainRuns(const std::vector<RunFacts>& runs)
{
    const RunFacts* baseline = nullptr;
    for (const RunFacts& f : runs) {
        if (f.summary.settings.mode == Mode::Sequential && complete(f.summary)) {
            baseline = &f;
            break;
        }
    }
    QStringList out;
    for (const RunFacts& f : runs)
        out << explainRun(f, baseline);
    return out;
}

} // namespace taskline
