#include "runfile.h"

#include "mixformat.h"

#include <QCryptographicHash>
#include <QDataStream>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSysInfo>

namespace taskline {

namespace {

constexpr char kMagic[8] = { 'T', 'A', 'S', 'K', 'L', 'I', 'N', 'E' };
constexpr qint64 kMaxRunFileBytes = 2ll * 1024 * 1024 * 1024;
constexpr QCryptographicHash::Algorithm kChecksum = QCryptographicHash::Sha256;

QJsonObject settingsToJson(const RunSettings& s)
{
    QJsonObject o;
    o.insert(QLatin1String("mode"), QLatin1String(modeName(s.mode)));
    o.insert(QLatin1String("workers"), s.workers);
    o.insert(QLatin1String("gil"), s.gil);
    o.insert(QLatin1String("switch_interval_ms"), s.switchIntervalMs);
    o.insert(QLatin1String("start_method"), QLatin1String(startMethodName(s.startMethod)));
    o.insert(QLatin1String("offload"), s.offload);
    o.insert(QLatin1String("limit"), s.limit);
    o.insert(QLatin1String("max_tasks_per_child"), s.maxTasksPerChild);
    return o;
}

RunSettings settingsFromJson(const QJsonObject& o)
{
    RunSettings s;
    modeFromName(o.value(QLatin1String("mode")).toString(), &s.mode);
    s.workers = o.value(QLatin1String("workers")).toInt();
    s.gil = o.value(QLatin1String("gil")).toBool(true);
    s.switchIntervalMs = o.value(QLatin1String("switch_interval_ms")).toDouble(5);
    startMethodFromName(o.value(QLatin1String("start_method")).toString(), &s.startMethod);
    s.offload = o.value(QLatin1String("offload")).toBool();
    s.limit = o.value(QLatin1String("limit")).toInt();
    s.maxTasksPerChild = o.value(QLatin1String("max_tasks_per_child")).toInt();
    return s;
}

QByteArray encodeEvents(const std::vector<Event>& events)
{
    QByteArray raw;
    QDataStream out(&raw, QIODevice::WriteOnly);
    out.setVersion(QDataStream::Qt_6_4);
    out << quint64(events.size());
    for (const Event& e : events) {
        out << qint64(e.timeNs) << qint64(e.cpuNs) << qint32(e.task) << qint32(e.value) << qint16(e.worker)
            << qint16(e.core) << quint8(e.kind) << quint8(e.state);
    }
    return qCompress(raw, 6);
}

bool decodeEvents(const QByteArray& compressed, std::vector<Event>* events)
{
    const QByteArray raw = qUncompress(compressed);
    if (raw.isEmpty() && !compressed.isEmpty())
        return false;
    QDataStream in(raw);
    in.setVersion(QDataStream::Qt_6_4);
    quint64 n = 0;
    in >> n;
    constexpr quint64 kEncodedSize = 8 + 8 + 4 + 4 + 2 + 2 + 1 + 1;
    if (n > quint64(raw.size()) / kEncodedSize)
        return false;
    events->resize(size_t(n));
    for (Event& e : *events) {
        qint64 t, cpu;
        qint32 task, value;
        qint16 worker, core;
        quint8 kind, state;
        in >> t >> cpu >> task >> value >> worker >> core >> kind >> state;
        if (kind > quint8(EventKind::Loop) || state >= kTaskStateCount)
            return false;
        e = Event {};
        e.timeNs = t;
        e.cpuNs = cpu;
        e.task = task;
        e.value = value;
        e.worker = worker;
        e.core = core;
        e.kind = EventKind(kind);
        e.state = TaskState(state);
    }
    return in.status() == QDataStream::Ok;
}

} // namespace

QByteArray encodeRun(const Mix& mix, const RunResult& result, const TraceStore& store)
{
    QJsonObject header;
    header.insert(QLatin1String("format"), QStringLiteral("taskline-run/%1").arg(kRunFileVersion));
    header.insert(QLatin1String("mix"), QString::fromUtf8(serializeMix(mix)));
    header.insert(QLatin1String("settings"), settingsToJson(result.settings));
    QJsonObject r;
    r.insert(QLatin1String("mix_name"), result.mixName);
    r.insert(QLatin1String("cores"), result.cores);
    r.insert(QLatin1String("workers"), result.workers);
    r.insert(QLatin1String("wall_ns"), double(result.wallNs));
    r.insert(QLatin1String("cpu_ns"), double(result.cpuNs));
    r.insert(QLatin1String("stopped"), result.stopped);
    r.insert(QLatin1String("error"), result.error);
    r.insert(QLatin1String("events"), double(result.events));
    r.insert(QLatin1String("dropped_events"), double(result.droppedEvents));
    QJsonArray busy;
    for (double b : result.coreBusy)
        busy.append(b);
    r.insert(QLatin1String("core_busy"), busy);
    QJsonArray outcomes;
    for (const TaskOutcome& o : result.outcomes) {
        QJsonObject t;
        t.insert(QLatin1String("finished"), o.finished);
        t.insert(QLatin1String("ok"), o.ok);
        if (!o.error.isEmpty())
            t.insert(QLatin1String("error"), o.error);
        t.insert(QLatin1String("meta_tags"), double(o.metaTags));
        t.insert(QLatin1String("bytes_fetched"), double(o.bytesFetched));
        outcomes.append(t);
    }
    r.insert(QLatin1String("outcomes"), outcomes);
    header.insert(QLatin1String("result"), r);
    QJsonArray workers;
    for (const WorkerInfo& w : store.workers()) {
        QJsonObject o;
        o.insert(QLatin1String("name"), w.name);
        o.insert(QLatin1String("kind"), int(w.kind));
        o.insert(QLatin1String("pid"), double(w.pid));
        workers.append(o);
    }
    header.insert(QLatin1String("workers"), workers);
    header.insert(QLatin1String("saved_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    header.insert(QLatin1String("saved_by"),
        QStringLiteral("taskline on %1 (%2)").arg(QSysInfo::machineHostName(), QSysInfo::prettyProductName()));

    QByteArray body;
    QDataStream out(&body, QIODevice::WriteOnly);
    out.setVersion(QDataStream::Qt_6_4);
    out << QByteArray("taskline-run") << quint32(kRunFileVersion)
        << QJsonDocument(header).toJson(QJsonDocument::Compact) << encodeEvents(store.events());
    const auto& util = store.utilization();
    out << quint64(util.size());
    for (const UtilSample& u : util) {
        out << qint64(u.timeNs) << qint64(u.intervalNs) << float(u.processCores) << quint32(u.coreBusy.size());
        for (float b : u.coreBusy)
            out << b;
    }
    // A damaged byte anywhere (a float of the utilization included) is caught, not shown as data.
    return QByteArray(kMagic, sizeof kMagic) + body + QCryptographicHash::hash(body, kChecksum);
}

bool decodeRun(const QByteArray& data, SavedRun* out, QString* error, const QString& file)
{
    const QString where = file.isEmpty() ? QStringLiteral("run data") : file;
    auto fail = [&](const QString& message) {
        if (error)
            *error = where + QStringLiteral(": ") + message;
        return false;
    };
    if (data.size() < qsizetype(sizeof kMagic) || std::memcmp(data.constData(), kMagic, sizeof kMagic) != 0)
        return fail(QStringLiteral("not a Taskline run file (it does not start with \"TASKLINE\")"));
    QDataStream in(data.mid(sizeof kMagic));
    in.setVersion(QDataStream::Qt_6_4);
    QByteArray name;
    quint32 version = 0;
    in >> name >> version;
    // The version is read before the checksum is checked, so that a newer layout is named as such.
    if (in.status() != QDataStream::Ok || name != "taskline-run")
        return fail(
            QStringLiteral("not a Taskline run file (unknown format \"%1\")").arg(QString::fromLatin1(name.left(40))));
    if (version > kRunFileVersion)
        return fail(QStringLiteral("written by a newer Taskline (format taskline-run/%1); this version reads "
                                   "taskline-run/%2 and older. Update Taskline to open it.")
                        .arg(version)
                        .arg(kRunFileVersion));
    if (version == 0)
        return fail(QStringLiteral("damaged file (format version 0)"));
    const int sumSize = QCryptographicHash::hashLength(kChecksum);
    const QByteArray body = data.mid(sizeof kMagic, data.size() - qsizetype(sizeof kMagic) - sumSize);
    if (data.size() < qsizetype(sizeof kMagic) + sumSize
        || QCryptographicHash::hash(body, kChecksum) != data.right(sumSize))
        return fail(QStringLiteral("damaged file (checksum mismatch: truncated or altered)"));
    QByteArray headerJson, events;
    in >> headerJson >> events;
    if (in.status() != QDataStream::Ok)
        return fail(QStringLiteral("damaged file (truncated header or events)"));
    QJsonParseError pe;
    const QJsonObject header = QJsonDocument::fromJson(headerJson, &pe).object();
    if (pe.error != QJsonParseError::NoError)
        return fail(QStringLiteral("damaged header: %1").arg(pe.errorString()));

    SavedRun run;
    MixError mixError;
    if (!parseMix(header.value(QLatin1String("mix")).toString().toUtf8(), &run.mix, &mixError, where))
        return fail(QStringLiteral("its mix cannot be read: %1").arg(mixError.toString()));
    RunResult& r = run.result;
    const QJsonObject rj = header.value(QLatin1String("result")).toObject();
    r.settings = settingsFromJson(header.value(QLatin1String("settings")).toObject());
    r.mixName = rj.value(QLatin1String("mix_name")).toString(run.mix.name);
    r.cores = rj.value(QLatin1String("cores")).toInt(1);
    r.workers = rj.value(QLatin1String("workers")).toInt();
    r.wallNs = int64_t(rj.value(QLatin1String("wall_ns")).toDouble());
    r.cpuNs = int64_t(rj.value(QLatin1String("cpu_ns")).toDouble());
    r.stopped = rj.value(QLatin1String("stopped")).toBool();
    r.error = rj.value(QLatin1String("error")).toString();
    r.events = uint64_t(rj.value(QLatin1String("events")).toDouble());
    r.droppedEvents = uint64_t(rj.value(QLatin1String("dropped_events")).toDouble());
    for (const QJsonValue& v : rj.value(QLatin1String("core_busy")).toArray())
        r.coreBusy.push_back(v.toDouble());
    r.tasks = expandTasks(run.mix);
    const QJsonArray outcomes = rj.value(QLatin1String("outcomes")).toArray();
    if (size_t(outcomes.size()) != r.tasks.size())
        return fail(
            QStringLiteral("damaged file (%1 task results for %2 tasks)").arg(outcomes.size()).arg(r.tasks.size()));
    for (const QJsonValue& v : outcomes) {
        const QJsonObject o = v.toObject();
        TaskOutcome t;
        t.finished = o.value(QLatin1String("finished")).toBool();
        t.ok = o.value(QLatin1String("ok")).toBool();
        t.error = o.value(QLatin1String("error")).toString();
        t.metaTags = int64_t(o.value(QLatin1String("meta_tags")).toDouble());
        t.bytesFetched = int64_t(o.value(QLatin1String("bytes_fetched")).toDouble());
        r.outcomes.push_back(t);
    }

    TraceBatch batch;
    if (!decodeEvents(events, &batch.events))
        return fail(QStringLiteral("damaged file (the events cannot be decoded)"));
    const QJsonArray workers = header.value(QLatin1String("workers")).toArray();
    for (int i = 0; i < workers.size(); ++i) {
        const QJsonObject o = workers[i].toObject();
        WorkerInfo w;
        w.id = i;
        w.name = o.value(QLatin1String("name")).toString();
        w.kind = WorkerKind(std::clamp(o.value(QLatin1String("kind")).toInt(), 0, int(WorkerKind::Process)));
        w.pid = int64_t(o.value(QLatin1String("pid")).toDouble());
        batch.workers.push_back(w);
    }
    quint64 samples = 0;
    in >> samples;
    if (in.status() != QDataStream::Ok || samples > quint64(data.size()))
        return fail(QStringLiteral("damaged file (utilization)"));
    for (quint64 i = 0; i < samples; ++i) {
        UtilSample u;
        qint64 t, interval;
        float process;
        quint32 cores;
        in >> t >> interval >> process >> cores;
        if (in.status() != QDataStream::Ok || cores > 4096)
            return fail(QStringLiteral("damaged file (utilization sample %1)").arg(i));
        u.timeNs = t;
        u.intervalNs = interval;
        u.processCores = process;
        u.coreBusy.resize(cores);
        for (float& b : u.coreBusy)
            in >> b;
        batch.samples.push_back(std::move(u));
    }
    if (in.status() != QDataStream::Ok)
        return fail(QStringLiteral("damaged file (truncated)"));
    for (const Event& e : batch.events) {
        if (e.kind == EventKind::State && (e.task < 0 || size_t(e.task) >= r.tasks.size()))
            return fail(QStringLiteral("damaged file (an event names task %1 of %2)").arg(e.task).arg(r.tasks.size()));
    }
    batch.droppedTotal = r.droppedEvents;
    run.store.reset(r.tasks);
    run.store.append(batch);
    run.store.finish(r.wallNs);
    run.savedAt = header.value(QLatin1String("saved_at")).toString();
    run.savedBy = header.value(QLatin1String("saved_by")).toString();
    *out = std::move(run);
    return true;
}

bool saveRun(const QString& file, const Mix& mix, const RunResult& result, const TraceStore& store, QString* error)
{
    const QByteArray data = encodeRun(mix, result, store);
    QSaveFile f(file);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size() || !f.commit()) {
        if (error)
            *error = QStringLiteral("%1: cannot write: %2").arg(file, f.errorString());
        return false;
    }
    return true;
}

bool loadRun(const QString& file, SavedRun* out, QString* error)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: cannot open: %2").arg(file, f.errorString());
        return false;
    }
    if (f.size() > kMaxRunFileBytes) {
        if (error)
            *error = QStringLiteral("%1: too large for a run file (%2 bytes)").arg(file).arg(f.size());
        return false;
    }
    return decodeRun(f.readAll(), out, error, file);
}

} // namespace taskline
