#include "chrometrace.h"

#include "summary.h"
#include "tracestore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <QSaveFile>
#include <algorithm>
#include <array>

namespace taskline {

namespace {

constexpr int kWorkersPid = 1;
constexpr int kTasksPid = 2;
constexpr int kUtilPid = 3;
constexpr int kGilTid = 100000; // after every worker lane

// Chrome's reserved colour names, so that chrome://tracing colours states consistently.
const char* colourName(TaskState s)
{
    switch (s) {
    case TaskState::Running:
        return "thread_state_running";
    case TaskState::WaitingGil:
    case TaskState::Ready:
        return "thread_state_runnable";
    case TaskState::BlockedIo:
        return "thread_state_iowait";
    case TaskState::Sleeping:
        return "thread_state_sleeping";
    case TaskState::Queued:
        return "thread_state_unknown";
    case TaskState::Spawning:
    case TaskState::Serializing:
        return "generic_work";
    default:
        return "grey";
    }
}

QByteArray jsonString(const QString& s)
{
    // QJsonDocument escapes correctly; strip the array brackets around the single value.
    QByteArray a = QJsonDocument(QJsonArray { s }).toJson(QJsonDocument::Compact);
    return a.mid(1, a.size() - 2);
}

QByteArray us(int64_t ns)
{
    return QByteArray::number(double(ns) / 1000.0, 'f', 3);
}

struct Writer
{
    QByteArray out;
    bool first = true;
    void begin()
    {
        out += first ? "\n" : ",\n";
        first = false;
    }
    void meta(const char* what, int pid, int tid, const QString& name)
    {
        begin();
        out += "{\"name\":\"";
        out += what;
        out += "\",\"ph\":\"M\",\"pid\":" + QByteArray::number(pid) + ",\"tid\":" + QByteArray::number(tid)
            + ",\"args\":{\"name\":" + jsonString(name) + "}}";
    }
    void sortIndex(int pid, int tid, int index)
    {
        begin();
        out += "{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":" + QByteArray::number(pid)
            + ",\"tid\":" + QByteArray::number(tid) + ",\"args\":{\"sort_index\":" + QByteArray::number(index) + "}}";
    }
};

// The state `task` spent most of [s->startNs, s->endNs) in, and the step and core of that state's first span there.
void loopSliceState(const TraceStore& store, int task, Span* s)
{
    const auto& spans = store.spans();
    const auto& index = store.taskSpans(task);
    // The task's spans are sorted by start and do not overlap: the first one that ends after the window starts.
    auto it = std::partition_point(index.begin(), index.end(), [&](uint32_t i) {
        const int64_t e = spans[i].endNs == TraceStore::kOpen ? store.endNs() : spans[i].endNs;
        return e <= s->startNs;
    });
    std::array<int64_t, kTaskStateCount> ns {};
    std::array<const Span*, kTaskStateCount> first {};
    for (; it != index.end() && spans[*it].startNs < s->endNs; ++it) {
        const Span& x = spans[*it];
        const int64_t e = x.endNs == TraceStore::kOpen ? store.endNs() : x.endNs;
        ns[size_t(x.state)] += std::min(e, s->endNs) - std::max(x.startNs, s->startNs);
        if (!first[size_t(x.state)])
            first[size_t(x.state)] = &x;
    }
    const size_t best = size_t(std::max_element(ns.begin(), ns.end()) - ns.begin());
    if (const Span* f = first[best]) {
        s->state = f->state;
        s->step = f->step;
        s->core = f->core;
    }
}

} // namespace

QByteArray chromeTraceJson(const TraceStore& store, const RunSummary& summary)
{
    Writer w;
    w.out.reserve(int(store.spans().size() * 2 * 170 + 4096));
    w.out += "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"mix\":" + jsonString(summary.mix) + ",\"mode\":\""
        + modeName(summary.settings.mode) + "\",\"wall_ms\":" + QByteArray::number(summary.wallMs)
        + "},\"traceEvents\":[";
    const QString mode = modeLabel(summary.settings.mode);
    w.meta("process_name", kWorkersPid, 0, QStringLiteral("Workers (%1)").arg(mode));
    w.meta("process_name", kTasksPid, 0, QStringLiteral("Tasks"));
    w.meta("process_name", kUtilPid, 0, QStringLiteral("CPU utilization"));

    const auto& workers = store.workers();
    for (const WorkerInfo& wi : workers) {
        w.meta("thread_name", kWorkersPid, wi.id + 1, wi.name);
        w.sortIndex(kWorkersPid, wi.id + 1, wi.id + 1);
    }
    if (!store.gilSpans().empty()) {
        w.meta("thread_name", kWorkersPid, kGilTid, QStringLiteral("GIL"));
        w.sortIndex(kWorkersPid, kGilTid, -1);
    }
    for (int t = 0; t < store.taskCount(); ++t) {
        w.meta("thread_name", kTasksPid, t + 1, store.taskName(t));
        w.sortIndex(kTasksPid, t + 1, t + 1);
    }

    const int64_t end = store.endNs();
    auto slice = [&](int pid, int tid, const QString& name, const Span& s) {
        const int64_t stop = s.endNs == TraceStore::kOpen ? end : s.endNs;
        w.begin();
        w.out += "{\"name\":" + jsonString(name) + ",\"cat\":\"" + stateName(s.state) + "\",\"ph\":\"X\",\"ts\":"
            + us(s.startNs) + ",\"dur\":" + us(stop - s.startNs) + ",\"pid\":" + QByteArray::number(pid)
            + ",\"tid\":" + QByteArray::number(tid) + ",\"cname\":\"" + colourName(s.state)
            + "\",\"args\":{\"state\":\"" + stateName(s.state) + "\",\"task\":" + jsonString(store.taskName(s.task))
            + ",\"step\":" + QByteArray::number(s.step + 1) + ",\"core\":" + QByteArray::number(s.core);
        if (s.cpuNs >= 0)
            w.out += ",\"cpu_ms\":" + QByteArray::number(double(s.cpuNs) / 1e6, 'f', 3);
        w.out += "}}";
    };

    // Worker lanes: what each worker was doing. The event loop's lane holds only the coroutine that occupies the
    // loop: one slice per loop span, in the state the coroutine spent most of it in (running; blocked_io for a
    // blocking fetch that stalls the loop).
    std::vector<bool> hasLoopSpans(workers.size(), false);
    for (const LoopSpan& l : store.loopSpans()) {
        if (l.worker < 0 || size_t(l.worker) >= workers.size() || l.task < 0 || l.task >= store.taskCount())
            continue;
        hasLoopSpans[size_t(l.worker)] = true;
        Span s {};
        s.startNs = l.startNs;
        s.endNs = l.endNs == TraceStore::kOpen ? end : l.endNs;
        s.cpuNs = -1;
        s.task = l.task;
        s.worker = l.worker;
        s.core = -1;
        s.step = -1;
        s.state = TaskState::Running;
        loopSliceState(store, l.task, &s);
        slice(kWorkersPid, l.worker + 1, store.taskName(l.task), s);
    }
    for (const WorkerInfo& wi : workers) {
        if (wi.kind == WorkerKind::Loop && hasLoopSpans[size_t(wi.id)])
            continue;
        for (uint32_t i : store.workerSpans(wi.id)) {
            const Span& s = store.spans()[i];
            if (wi.kind == WorkerKind::Loop && s.state != TaskState::Running)
                continue;
            slice(kWorkersPid, wi.id + 1, store.taskName(s.task), s);
        }
    }
    for (const GilSpan& g : store.gilSpans()) {
        const int64_t stop = g.endNs == TraceStore::kOpen ? end : g.endNs;
        const QString holder
            = g.worker >= 0 && size_t(g.worker) < workers.size() ? workers[size_t(g.worker)].name : QStringLiteral("?");
        w.begin();
        w.out += "{\"name\":" + jsonString(holder) + ",\"cat\":\"gil\",\"ph\":\"X\",\"ts\":" + us(g.startNs)
            + ",\"dur\":" + us(stop - g.startNs) + ",\"pid\":" + QByteArray::number(kWorkersPid)
            + ",\"tid\":" + QByteArray::number(kGilTid) + ",\"args\":{\"task\":"
            + (g.task >= 0 && g.task < store.taskCount() ? jsonString(store.taskName(g.task)) : QByteArray("null"))
            + "}}";
    }
    // Task lanes: every state of every task, queued included.
    for (int t = 0; t < store.taskCount(); ++t)
        for (uint32_t i : store.taskSpans(t))
            slice(kTasksPid, t + 1, QString::fromLatin1(stateName(store.spans()[i].state)), store.spans()[i]);

    for (const auto& [id, points] : store.counters()) {
        const QByteArray name = id == 0 ? QByteArray("ready coroutines") : "counter " + QByteArray::number(id);
        for (const CounterPoint& p : points) {
            w.begin();
            w.out += "{\"name\":\"" + name + "\",\"ph\":\"C\",\"ts\":" + us(p.timeNs) + ",\"pid\":"
                + QByteArray::number(kWorkersPid) + ",\"args\":{\"value\":" + QByteArray::number(p.value) + "}}";
        }
    }
    for (const UtilSample& u : store.utilization()) {
        for (size_t c = 0; c < u.coreBusy.size(); ++c) {
            w.begin();
            w.out += "{\"name\":\"cpu" + QByteArray::number(qulonglong(c))
                + " busy %\",\"ph\":\"C\",\"ts\":" + us(u.timeNs) + ",\"pid\":" + QByteArray::number(kUtilPid)
                + ",\"args\":{\"busy\":" + QByteArray::number(double(u.coreBusy[c]) * 100, 'f', 1) + "}}";
        }
        w.begin();
        w.out += "{\"name\":\"taskline CPU (cores)\",\"ph\":\"C\",\"ts\":" + us(u.timeNs)
            + ",\"pid\":" + QByteArray::number(kUtilPid)
            + ",\"args\":{\"cores\":" + QByteArray::number(double(u.processCores), 'f', 2) + "}}";
    }
    w.out += "\n]}\n";
    return w.out;
}

namespace {
bool writeFile(const QString& file, const QByteArray& data, QString* error)
{
    QSaveFile f(file);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size() || !f.commit()) {
        if (error)
            *error = QStringLiteral("%1: cannot write: %2").arg(file, f.errorString());
        return false;
    }
    return true;
}
} // namespace

bool writeChromeTrace(const QString& file, const TraceStore& store, const RunSummary& summary, QString* error)
{
    return writeFile(file, chromeTraceJson(store, summary), error);
}

QByteArray spansCsv(const TraceStore& store)
{
    QByteArray out = "task_id,task,worker,state,start_ms,end_ms,duration_ms,core,cpu_ms,step\n";
    const auto& workers = store.workers();
    const int64_t end = store.endNs();
    auto quote = [](const QString& s) {
        QByteArray b = s.toUtf8();
        if (b.contains(',') || b.contains('"') || b.contains('\n'))
            b = '"' + b.replace("\"", "\"\"") + '"';
        return b;
    };
    for (int t = 0; t < store.taskCount(); ++t) {
        for (uint32_t i : store.taskSpans(t)) {
            const Span& s = store.spans()[i];
            const int64_t stop = s.endNs == TraceStore::kOpen ? end : s.endNs;
            const QString worker
                = s.worker >= 0 && size_t(s.worker) < workers.size() ? workers[size_t(s.worker)].name : QString();
            out += QByteArray::number(t) + ',' + quote(store.taskName(t)) + ',' + quote(worker) + ','
                + stateName(s.state) + ',' + QByteArray::number(double(s.startNs) / 1e6, 'f', 4) + ','
                + QByteArray::number(double(stop) / 1e6, 'f', 4) + ','
                + QByteArray::number(double(stop - s.startNs) / 1e6, 'f', 4) + ',' + QByteArray::number(s.core) + ','
                + (s.cpuNs >= 0 ? QByteArray::number(double(s.cpuNs) / 1e6, 'f', 4) : QByteArray()) + ','
                + QByteArray::number(s.step + 1) + '\n';
        }
    }
    return out;
}

bool writeSpansCsv(const QString& file, const TraceStore& store, QString* error)
{
    return writeFile(file, spansCsv(store), error);
}

} // namespace taskline
