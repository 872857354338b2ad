#include "summary.h"

#include "run.h"
#include "tracestore.h"

#include <QJsonArray>
#include <QTextStream>
#include <cmath>

namespace taskline {

namespace {

double round1(double v)
{
    return std::round(v * 10.0) / 10.0;
}
double round3(double v)
{
    return std::round(v * 1000.0) / 1000.0;
}
double nsToMs(int64_t ns)
{
    return double(ns) / 1e6;
}

QJsonObject stateObject(const std::array<double, kTimedStateCount>& ms)
{
    QJsonObject o;
    for (int i = 0; i < kTimedStateCount; ++i)
        o.insert(QLatin1String(stateName(TaskState(i))), round1(ms[size_t(i)]));
    return o;
}

bool readStates(const QJsonValue& v, std::array<double, kTimedStateCount>* out)
{
    if (!v.isObject())
        return false;
    const QJsonObject o = v.toObject();
    for (int i = 0; i < kTimedStateCount; ++i)
        (*out)[size_t(i)] = o.value(QLatin1String(stateName(TaskState(i)))).toDouble();
    return true;
}

LoopSummary summarizeLoop(const TraceStore& store)
{
    LoopSummary l;
    l.present = true;
    const int64_t end = store.endNs();
    int64_t busy = 0, longest = -1;
    for (const LoopSpan& span : store.loopSpans()) {
        const int64_t d = (span.endNs == TraceStore::kOpen ? end : span.endNs) - span.startNs;
        busy += d;
        ++l.steps;
        if (nsToMs(d) >= LoopSummary::kSlowStepMs)
            ++l.slowSteps;
        if (d > longest && span.task >= 0 && span.task < store.taskCount()) {
            longest = d;
            l.longestStepTask = store.taskName(span.task);
        }
    }
    l.busyMs = round1(nsToMs(busy));
    l.longestStepMs = longest > 0 ? round1(nsToMs(longest)) : 0;
    const auto counter = store.counters().find(0); // ready coroutines
    if (counter != store.counters().end())
        for (const CounterPoint& p : counter->second)
            l.maxReady = std::max(l.maxReady, int(p.value));
    return l;
}

} // namespace

RunSummary summarize(const RunResult& r, const TraceStore& store)
{
    RunSummary s;
    s.mix = r.mixName;
    s.settings = r.settings;
    s.workers = r.workers;
    s.cores = r.cores;
    s.wallMs = nsToMs(r.wallNs);
    s.cpuMs = nsToMs(r.cpuNs);
    s.events = std::max<uint64_t>(r.events, store.eventCount());
    s.droppedEvents = std::max<uint64_t>(r.droppedEvents, store.droppedEvents());
    s.stopped = r.stopped;
    s.error = r.error;

    // Time-weighted mean of the utilization samples.
    const int cores = std::max(store.cores(), 0);
    s.coreBusy.assign(size_t(cores), 0.0);
    double total = 0;
    for (const UtilSample& u : store.utilization()) {
        const double w = double(u.intervalNs);
        total += w;
        for (size_t c = 0; c < u.coreBusy.size() && c < s.coreBusy.size(); ++c)
            s.coreBusy[c] += w * u.coreBusy[c];
    }
    for (double& b : s.coreBusy)
        b = total > 0 ? round3(b / total) : 0;
    // The run's own first-to-last reading is exact; the samples only approximate it (10 ms ticks).
    if (!r.coreBusy.empty()) {
        s.coreBusy.clear();
        for (double b : r.coreBusy)
            s.coreBusy.push_back(round3(b));
    }

    const auto& workers = store.workers();
    for (int t = 0; t < store.taskCount(); ++t) {
        TaskSummary ts;
        ts.id = t;
        ts.name = store.taskName(t);
        const int w = store.taskWorker(t);
        if (w >= 0 && size_t(w) < workers.size())
            ts.worker = workers[size_t(w)].name;
        ts.startMs = store.taskStartNs(t) >= 0 ? round1(nsToMs(store.taskStartNs(t))) : -1;
        ts.endMs = store.taskEndNs(t) >= 0 ? round1(nsToMs(store.taskEndNs(t))) : -1;
        const TaskOutcome* o = size_t(t) < r.outcomes.size() ? &r.outcomes[size_t(t)] : nullptr;
        const TaskState st = store.taskState(t);
        if (st == TaskState::Done) {
            ts.status = QStringLiteral("done");
        } else if (st == TaskState::Failed) {
            ts.status = QStringLiteral("failed");
            ts.error = o ? o->error : QString();
        } else {
            ts.status = QStringLiteral("stopped");
            ts.error = r.error.isEmpty() ? QStringLiteral("the run was stopped before this task finished") : r.error;
        }
        const auto ns = store.taskStateNs(t);
        for (int i = 0; i < kTimedStateCount; ++i) {
            ts.stateMs[size_t(i)] = round1(nsToMs(ns[size_t(i)]));
            s.stateMs[size_t(i)] += nsToMs(ns[size_t(i)]);
        }
        s.tasks.push_back(std::move(ts));
    }
    for (double& v : s.stateMs)
        v = round1(v);
    if (r.settings.mode == Mode::Coroutines)
        s.loop = summarizeLoop(store);
    s.wallMs = round1(s.wallMs);
    s.cpuMs = round1(s.cpuMs);
    return s;
}

QJsonObject summaryToJson(const RunSummary& s)
{
    QJsonObject settings;
    settings.insert(QLatin1String("workers"), s.workers);
    settings.insert(QLatin1String("gil"), s.settings.gil);
    settings.insert(QLatin1String("switch_interval_ms"), s.settings.switchIntervalMs);
    settings.insert(QLatin1String("start_method"),
        s.settings.mode == Mode::Processes ? QJsonValue(QLatin1String(startMethodName(s.settings.startMethod)))
                                           : QJsonValue(QJsonValue::Null));
    settings.insert(QLatin1String("offload"), s.settings.offload);
    if (s.settings.limit > 0)
        settings.insert(QLatin1String("limit"), s.settings.limit);
    if (s.settings.maxTasksPerChild > 0)
        settings.insert(QLatin1String("max_tasks_per_child"), s.settings.maxTasksPerChild);

    QJsonArray busy;
    for (double b : s.coreBusy)
        busy.append(b);
    QJsonArray tasks;
    for (const TaskSummary& t : s.tasks) {
        QJsonObject o;
        o.insert(QLatin1String("id"), t.id);
        o.insert(QLatin1String("name"), t.name);
        o.insert(QLatin1String("worker"), t.worker.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(t.worker));
        o.insert(QLatin1String("start_ms"), t.startMs >= 0 ? QJsonValue(t.startMs) : QJsonValue(QJsonValue::Null));
        o.insert(QLatin1String("end_ms"), t.endMs >= 0 ? QJsonValue(t.endMs) : QJsonValue(QJsonValue::Null));
        o.insert(QLatin1String("status"), t.status);
        o.insert(QLatin1String("error"), t.error.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(t.error));
        o.insert(QLatin1String("state_ms"), stateObject(t.stateMs));
        tasks.append(o);
    }
    QJsonObject o;
    o.insert(QLatin1String("format"), QLatin1String(kSummaryFormat));
    o.insert(QLatin1String("mix"), s.mix);
    o.insert(QLatin1String("mode"), QLatin1String(modeName(s.settings.mode)));
    o.insert(QLatin1String("settings"), settings);
    o.insert(QLatin1String("cores"), s.cores);
    o.insert(QLatin1String("wall_ms"), s.wallMs);
    o.insert(QLatin1String("cpu_ms"), s.cpuMs);
    o.insert(QLatin1String("core_busy"), busy);
    o.insert(QLatin1String("events"), double(s.events));
    o.insert(QLatin1String("dropped_events"), double(s.droppedEvents));
    o.insert(QLatin1String("state_ms"), stateObject(s.stateMs));
    o.insert(QLatin1String("tasks"), tasks);
    if (s.loop.present) {
        QJsonObject loop;
        loop.insert(QLatin1String("busy_ms"), s.loop.busyMs);
        loop.insert(QLatin1String("steps"), double(s.loop.steps));
        loop.insert(QLatin1String("longest_step_ms"), s.loop.longestStepMs);
        loop.insert(QLatin1String("longest_step_task"),
            s.loop.longestStepTask.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s.loop.longestStepTask));
        loop.insert(QLatin1String("slow_steps"), s.loop.slowSteps);
        loop.insert(QLatin1String("max_ready"), s.loop.maxReady);
        o.insert(QLatin1String("loop"), loop);
    }
    if (s.stopped)
        o.insert(QLatin1String("stopped"), true);
    if (!s.error.isEmpty())
        o.insert(QLatin1String("error"), s.error);
    return o;
}

bool summaryFromJson(const QJsonObject& o, RunSummary* out, QString* error)
{
    auto fail = [error](const QString& m) {
        if (error)
            *error = m;
        return false;
    };
    if (o.value(QLatin1String("format")).toString() != QLatin1String(kSummaryFormat))
        return fail(QStringLiteral("format: expected \"%1\"").arg(QLatin1String(kSummaryFormat)));
    RunSummary s;
    s.mix = o.value(QLatin1String("mix")).toString();
    Mode mode;
    if (!modeFromName(o.value(QLatin1String("mode")).toString(), &mode))
        return fail(QStringLiteral("mode: unknown mode \"%1\"").arg(o.value(QLatin1String("mode")).toString()));
    s.settings.mode = mode;
    const QJsonObject set = o.value(QLatin1String("settings")).toObject();
    s.workers = set.value(QLatin1String("workers")).toInt();
    s.settings.workers = s.workers;
    s.settings.gil = set.value(QLatin1String("gil")).toBool(true);
    s.settings.switchIntervalMs = set.value(QLatin1String("switch_interval_ms")).toDouble(5);
    StartMethod sm;
    if (startMethodFromName(set.value(QLatin1String("start_method")).toString(), &sm))
        s.settings.startMethod = sm;
    s.settings.offload = set.value(QLatin1String("offload")).toBool();
    s.settings.limit = set.value(QLatin1String("limit")).toInt();
    s.cores = o.value(QLatin1String("cores")).toInt(1);
    s.wallMs = o.value(QLatin1String("wall_ms")).toDouble();
    s.cpuMs = o.value(QLatin1String("cpu_ms")).toDouble();
    for (const QJsonValue& v : o.value(QLatin1String("core_busy")).toArray())
        s.coreBusy.push_back(v.toDouble());
    s.events = uint64_t(o.value(QLatin1String("events")).toDouble());
    s.droppedEvents = uint64_t(o.value(QLatin1String("dropped_events")).toDouble());
    readStates(o.value(QLatin1String("state_ms")), &s.stateMs);
    const QJsonArray tasks = o.value(QLatin1String("tasks")).toArray();
    for (int i = 0; i < tasks.size(); ++i) {
        const QJsonObject t = tasks[i].toObject();
        TaskSummary ts;
        ts.id = t.value(QLatin1String("id")).toInt(i);
        ts.name = t.value(QLatin1String("name")).toString();
        ts.worker = t.value(QLatin1String("worker")).toString();
        ts.startMs = t.value(QLatin1String("start_ms")).toDouble(-1);
        ts.endMs = t.value(QLatin1String("end_ms")).toDouble(-1);
        ts.status = t.value(QLatin1String("status")).toString();
        ts.error = t.value(QLatin1String("error")).toString();
        readStates(t.value(QLatin1String("state_ms")), &ts.stateMs);
        s.tasks.push_back(std::move(ts));
    }
    if (o.value(QLatin1String("loop")).isObject()) {
        const QJsonObject loop = o.value(QLatin1String("loop")).toObject();
        s.loop.present = true;
        s.loop.busyMs = loop.value(QLatin1String("busy_ms")).toDouble();
        s.loop.steps = int64_t(loop.value(QLatin1String("steps")).toDouble());
        s.loop.longestStepMs = loop.value(QLatin1String("longest_step_ms")).toDouble();
        s.loop.longestStepTask = loop.value(QLatin1String("longest_step_task")).toString();
        s.loop.slowSteps = loop.value(QLatin1String("slow_steps")).toInt();
        s.loop.maxReady = loop.value(QLatin1String("max_ready")).toInt();
    }
    s.stopped = o.value(QLatin1String("stopped")).toBool();
    s.error = o.value(QLatin1String("error")).toString();
    *out = std::move(s);
    return true;
}

QString summaryToText(const RunSummary& s)
{
    QString text;
    QTextStream out(&text);
    QString settings = QStringLiteral("%1 worker%2").arg(s.workers).arg(s.workers == 1 ? "" : "s");
    if (s.settings.mode == Mode::Coroutines) {
        // One event loop; `workers` is the size of the offload pool there.
        settings = QStringLiteral("one event loop");
        if (s.settings.offload)
            settings += QStringLiteral(", compute offloaded to up to %1 threads, GIL %2")
                            .arg(s.workers)
                            .arg(s.settings.gil ? "on" : "off");
        if (s.settings.limit > 0)
            settings += QStringLiteral(", at most %1 tasks at once").arg(s.settings.limit);
    } else if (s.settings.mode == Mode::Threads) {
        settings += s.settings.gil ? QStringLiteral(", GIL on, switch interval %1 ms").arg(s.settings.switchIntervalMs)
                                   : QStringLiteral(", GIL off (free-threaded)");
    } else if (s.settings.mode == Mode::Processes) {
        settings += QStringLiteral(", start method %1").arg(QLatin1String(startMethodName(s.settings.startMethod)));
    }
    out << s.mix << " — " << modeName(s.settings.mode) << " (" << settings << ")\n";

    // Columns: the task, where it ran, when, and the states it spent time in (those with any time at all).
    std::vector<int> states;
    for (int i = 0; i < kTimedStateCount; ++i)
        if (s.stateMs[size_t(i)] > 0.05)
            states.push_back(i);
    int nameWidth = 4;
    int workerWidth = 6;
    for (const TaskSummary& t : s.tasks) {
        nameWidth = std::max(nameWidth, int(t.name.size()));
        workerWidth = std::max(workerWidth, int(t.worker.size()));
    }
    nameWidth = std::min(nameWidth, 28);
    auto num = [](double v, int width) {
        return v < 0 ? QStringLiteral("-").rightJustified(width) : QString::number(v, 'f', 1).rightJustified(width);
    };
    out << "\n  " << QStringLiteral("task").leftJustified(nameWidth) << "  "
        << QStringLiteral("worker").leftJustified(workerWidth) << "  " << QStringLiteral("start ms").rightJustified(9)
        << "  " << QStringLiteral("end ms").rightJustified(9);
    for (int st : states)
        out << "  " << QString::fromLatin1(stateName(TaskState(st))).rightJustified(11);
    out << "  status\n";
    for (const TaskSummary& t : s.tasks) {
        out << "  " << t.name.left(nameWidth).leftJustified(nameWidth) << "  " << t.worker.leftJustified(workerWidth)
            << "  " << num(t.startMs, 9) << "  " << num(t.endMs, 9);
        for (int st : states)
            out << "  " << num(t.stateMs[size_t(st)], 11);
        out << "  " << t.status;
        if (!t.error.isEmpty() && t.status != QLatin1String("stopped"))
            out << ": " << t.error;
        out << "\n";
    }
    out << "  " << QStringLiteral("total").leftJustified(nameWidth + workerWidth + 26);
    for (int st : states)
        out << "  " << num(s.stateMs[size_t(st)], 11);
    out << "\n\n";
    out << "  wall " << QString::number(s.wallMs, 'f', 1) << " ms, CPU " << QString::number(s.cpuMs, 'f', 1) << " ms ("
        << QString::number(s.coresUsed(), 'f', 2) << " cores used on average)\n";
    out << "  core busy:";
    for (size_t c = 0; c < s.coreBusy.size(); ++c)
        out << " cpu" << c << " " << QString::number(s.coreBusy[c] * 100, 'f', 0) << "%";
    out << "\n";
    if (s.loop.present) {
        out << "  event loop: busy " << QString::number(s.loop.busyMs, 'f', 1) << " ms";
        if (s.wallMs > 0)
            out << " (" << QString::number(100 * s.loop.busyMs / s.wallMs, 'f', 0) << "% of the run)";
        out << ", " << s.loop.steps << " coroutine steps, at most " << s.loop.maxReady << " ready at once\n";
        if (!s.loop.longestStepTask.isEmpty()) {
            out << "  longest step: " << s.loop.longestStepTask << " held the loop for "
                << QString::number(s.loop.longestStepMs, 'f', 1) << " ms";
            if (s.loop.slowSteps > 0)
                out << "; " << s.loop.slowSteps << " step" << (s.loop.slowSteps == 1 ? "" : "s") << " of "
                    << LoopSummary::kSlowStepMs << " ms or more stalled every other coroutine";
            out << "\n";
        }
    }
    out << "  " << s.events << " events";
    if (s.droppedEvents)
        out << ", " << s.droppedEvents << " DROPPED (event buffers overflowed; the timeline has gaps)";
    out << "\n";
    int done = 0, failed = 0, stopped = 0;
    for (const TaskSummary& t : s.tasks)
        (t.status == QLatin1String("done") ? done : t.status == QLatin1String("failed") ? failed : stopped)++;
    out << "  " << done << " done";
    if (failed)
        out << ", " << failed << " failed";
    if (stopped)
        out << ", " << stopped << " not finished (stopped)";
    out << "\n";
    if (!s.error.isEmpty())
        out << "  error: " << s.error << "\n";
    return text;
}

} // namespace taskline
