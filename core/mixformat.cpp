#include "mixformat.h"

#include "mixformat_p.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <algorithm>
#include <initializer_list>

namespace taskline {

using namespace mixrules;

namespace {

const QString kPresetPrefix = QStringLiteral("preset:");
const QString kPresetDir = QStringLiteral(":/presets");

QString typeName(const QJsonValue& v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

// Reads one JSON document into a Mix. Every method returns false after recording the first error;
// the caller copies the Mix out only when the whole document was accepted.
class Parser
{
public:
    const MixError& error() const { return m_error; }

    bool parseRoot(const QJsonObject& root, Mix* mix)
    {
        // The format comes first: a file from a newer Taskline should say so, not complain about its keys.
        const QJsonValue format = root.value(QLatin1String("format"));
        if (format.isUndefined())
            return fail(QStringLiteral("format"),
                QStringLiteral("is required; a Taskline mix starts with \"format\": \"%1\"")
                    .arg(QLatin1String(kMixFormat)));
        QString formatText;
        if (!readString(format, QStringLiteral("format"), &formatText))
            return false;
        if (formatText != QLatin1String(kMixFormat))
            return fail(QStringLiteral("format"),
                QStringLiteral("unsupported format %1; expected \"%2\"")
                    .arg(quoted(formatText), QLatin1String(kMixFormat)));

        if (!checkKeys(root, {}, { "format", "name", "description", "tasks", "settings" }))
            return false;
        if (!readName(root, {}, &mix->name))
            return false;
        if (root.contains(QLatin1String("description"))
            && !readString(root.value(QLatin1String("description")), QStringLiteral("description"), &mix->description))
            return false;

        const QJsonArray tasks = requiredArray(root, {}, QStringLiteral("tasks"));
        if (!m_error.isEmpty())
            return false;
        int64_t expanded = 0;
        for (qsizetype i = 0; i < tasks.size(); ++i) {
            TaskSpec task;
            if (!parseTask(tasks.at(i), indexPath(QStringLiteral("tasks"), i), &task))
                return false;
            expanded += task.count;
            mix->tasks.push_back(std::move(task));
        }
        if (expanded > kMaxExpandedTasks)
            return fail(QStringLiteral("tasks"), tooManyTasksProblem(expanded));

        if (root.contains(QLatin1String("settings")))
            return parseSettings(root.value(QLatin1String("settings")), QStringLiteral("settings"), &mix->settings);
        return true;
    }

private:
    bool fail(const QString& path, const QString& message)
    {
        m_error.path = path;
        m_error.message = message;
        return false;
    }

    bool typeError(const QJsonValue& v, const QString& path, const char* expected)
    {
        return fail(path, QStringLiteral("expected %1, got %2").arg(QLatin1String(expected), typeName(v)));
    }

    bool checkKeys(const QJsonObject& o, const QString& path, std::initializer_list<const char*> allowed)
    {
        for (auto it = o.begin(); it != o.end(); ++it) {
            bool known = false;
            for (const char* a : allowed)
                known = known || it.key() == QLatin1String(a);
            if (known)
                continue;
            QStringList names;
            for (const char* a : allowed)
                names << QLatin1String(a);
            return fail(childPath(path, it.key()),
                QStringLiteral("unknown key %1; allowed keys: %2")
                    .arg(quoted(it.key()), names.join(QStringLiteral(", "))));
        }
        return true;
    }

    bool readObject(const QJsonValue& v, const QString& path, QJsonObject* out)
    {
        if (!v.isObject())
            return typeError(v, path, "an object");
        *out = v.toObject();
        return true;
    }

    bool readString(const QJsonValue& v, const QString& path, QString* out)
    {
        if (!v.isString())
            return typeError(v, path, "a string");
        *out = v.toString();
        return true;
    }

    bool readBool(const QJsonValue& v, const QString& path, bool* out)
    {
        if (!v.isBool())
            return typeError(v, path, "a boolean (true or false)");
        *out = v.toBool();
        return true;
    }

    bool readNumber(const QJsonValue& v, const QString& path, double lo, double hi, bool whole, double* out)
    {
        if (!v.isDouble())
            return typeError(v, path, "a number");
        const double d = v.toDouble();
        const QString problem = numberProblem(d, lo, hi, whole);
        if (!problem.isEmpty())
            return fail(path, problem);
        *out = d;
        return true;
    }

    template <typename I> bool readInteger(const QJsonValue& v, const QString& path, I lo, I hi, I* out)
    {
        double d = 0;
        if (!readNumber(v, path, double(lo), double(hi), true, &d))
            return false;
        *out = I(d);
        return true;
    }

    template <typename E>
    bool readChoice(const QJsonValue& v, const QString& path, int count, const char* (*nameOf)(E),
        bool (*fromName)(QStringView, E*), E* out)
    {
        QString text;
        if (!readString(v, path, &text))
            return false;
        if (!fromName(text, out))
            return fail(path, choiceProblem(text, count, nameOf));
        return true;
    }

    bool readName(const QJsonObject& o, const QString& parent, QString* out)
    {
        const QString path = childPath(parent, QStringLiteral("name"));
        if (!o.contains(QLatin1String("name")))
            return fail(path, QStringLiteral("is required"));
        if (!readString(o.value(QLatin1String("name")), path, out))
            return false;
        const QString problem = nameProblem(*out);
        return problem.isEmpty() || fail(path, problem);
    }

    // A required, non-empty array; on failure returns an empty array with the error recorded.
    QJsonArray requiredArray(const QJsonObject& o, const QString& parent, const QString& key)
    {
        const QString path = childPath(parent, key);
        if (!o.contains(key)) {
            fail(path, QStringLiteral("is required"));
            return {};
        }
        const QJsonValue v = o.value(key);
        if (!v.isArray()) {
            typeError(v, path, "an array");
            return {};
        }
        const QJsonArray a = v.toArray();
        if (a.isEmpty())
            fail(path, QStringLiteral("must not be empty"));
        return a;
    }

    bool parseTask(const QJsonValue& v, const QString& path, TaskSpec* task)
    {
        QJsonObject o;
        if (!readObject(v, path, &o) || !checkKeys(o, path, { "name", "count", "steps" })
            || !readName(o, path, &task->name))
            return false;
        if (o.contains(QLatin1String("count"))
            && !readInteger(
                o.value(QLatin1String("count")), childPath(path, QStringLiteral("count")), 1, kMaxCount, &task->count))
            return false;
        const QString stepsPath = childPath(path, QStringLiteral("steps"));
        const QJsonArray steps = requiredArray(o, path, QStringLiteral("steps"));
        if (!m_error.isEmpty())
            return false;
        for (qsizetype i = 0; i < steps.size(); ++i) {
            Step step;
            if (!parseStep(steps.at(i), indexPath(stepsPath, i), &step))
                return false;
            task->steps.push_back(std::move(step));
        }
        return true;
    }

    bool parseStep(const QJsonValue& v, const QString& path, Step* step)
    {
        QJsonObject o;
        if (!readObject(v, path, &o) || !checkKeys(o, path, { "compute", "fetch", "sleep" }))
            return false;
        if (o.size() != 1) {
            return fail(path,
                QStringLiteral("a step must have exactly one key, compute, fetch or sleep (got %1)")
                    .arg(o.isEmpty() ? QStringLiteral("none") : o.keys().join(QStringLiteral(", "))));
        }
        const QString kind = o.begin().key();
        const QString bodyPath = childPath(path, kind);
        QJsonObject body;
        if (!readObject(o.begin().value(), bodyPath, &body))
            return false;
        const QString msPath = childPath(bodyPath, QStringLiteral("ms"));

        if (kind == QLatin1String("compute")) {
            step->kind = StepKind::Compute;
            ComputeStep& c = step->compute;
            if (!checkKeys(body, bodyPath, { "ms", "kernel", "gil", "payload_bytes" }) || !requireKey(body, msPath)
                || !readNumber(body.value(QLatin1String("ms")), msPath, 0, kMaxStepMs, false, &c.ms))
                return false;
            if (body.contains(QLatin1String("kernel"))
                && !readChoice(body.value(QLatin1String("kernel")), childPath(bodyPath, QStringLiteral("kernel")),
                    kKernelCount, kernelName, kernelFromName, &c.kernel))
                return false;
            if (body.contains(QLatin1String("gil"))
                && !readChoice(body.value(QLatin1String("gil")), childPath(bodyPath, QStringLiteral("gil")),
                    kGilBehaviourCount, gilBehaviourName, gilBehaviourFromName, &c.gil))
                return false;
            if (body.contains(QLatin1String("payload_bytes"))
                && !readInteger<int64_t>(body.value(QLatin1String("payload_bytes")),
                    childPath(bodyPath, QStringLiteral("payload_bytes")), 0, kMaxPayloadBytes, &c.payloadBytes))
                return false;
            return true;
        }
        if (kind == QLatin1String("fetch")) {
            step->kind = StepKind::Fetch;
            FetchStep& f = step->fetch;
            const QString urlPath = childPath(bodyPath, QStringLiteral("url"));
            if (!checkKeys(body, bodyPath, { "url", "client" }) || !requireKey(body, urlPath)
                || !readString(body.value(QLatin1String("url")), urlPath, &f.url))
                return false;
            const QString problem = urlProblem(f.url);
            if (!problem.isEmpty())
                return fail(urlPath, problem);
            if (body.contains(QLatin1String("client"))
                && !readChoice(body.value(QLatin1String("client")), childPath(bodyPath, QStringLiteral("client")),
                    kFetchClientCount, fetchClientName, fetchClientFromName, &f.client))
                return false;
            return true;
        }
        step->kind = StepKind::Sleep;
        return checkKeys(body, bodyPath, { "ms" }) && requireKey(body, msPath)
            && readNumber(body.value(QLatin1String("ms")), msPath, 0, kMaxStepMs, false, &step->sleep.ms);
    }

    // `path` ends with the key.
    bool requireKey(const QJsonObject& o, const QString& path)
    {
        const QString key = path.mid(path.lastIndexOf(QLatin1Char('.')) + 1);
        return o.contains(key) || fail(path, QStringLiteral("is required"));
    }

    template <typename T, typename Read>
    bool optional(const QJsonObject& o, const QString& parent, const char* key, std::optional<T>* out, Read read)
    {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.isUndefined())
            return true;
        T value {};
        if (!read(v, childPath(parent, QLatin1String(key)), &value))
            return false;
        *out = value;
        return true;
    }

    bool parseSettings(const QJsonValue& v, const QString& path, MixSettings* s)
    {
        QJsonObject o;
        if (!readObject(v, path, &o)
            || !checkKeys(o, path,
                { "mode", "workers", "gil", "switch_interval_ms", "start_method", "offload", "limit",
                    "max_tasks_per_child" }))
            return false;
        auto boolean = [this](const QJsonValue& v, const QString& p, bool* out) { return readBool(v, p, out); };
        auto integer = [this](int lo, int hi) {
            return [this, lo, hi](
                       const QJsonValue& v, const QString& p, int* out) { return readInteger(v, p, lo, hi, out); };
        };
        return optional(o, path, "mode", &s->mode,
                   [this](const QJsonValue& v, const QString& p, Mode* out) {
                       return readChoice(v, p, kModeCount, modeName, modeFromName, out);
                   })
            && optional(o, path, "workers", &s->workers, integer(1, kMaxWorkers))
            && optional(o, path, "gil", &s->gil, boolean)
            && optional(o, path, "switch_interval_ms", &s->switchIntervalMs,
                [this](const QJsonValue& v, const QString& p, double* out) {
                    return readNumber(v, p, kMinSwitchIntervalMs, kMaxSwitchIntervalMs, false, out);
                })
            && optional(o, path, "start_method", &s->startMethod,
                [this](const QJsonValue& v, const QString& p, StartMethod* out) {
                    return readChoice(v, p, kStartMethodCount, startMethodName, startMethodFromName, out);
                })
            && optional(o, path, "offload", &s->offload, boolean)
            && optional(o, path, "limit", &s->limit, integer(1, kMaxExpandedTasks))
            && optional(o, path, "max_tasks_per_child", &s->maxTasksPerChild, integer(1, kMaxTasksPerChild));
    }

    MixError m_error;
};

// 1-based line and column (in characters, not bytes) of a byte offset into UTF-8 text.
void lineAndColumn(const QByteArray& text, qsizetype offset, int* line, int* column)
{
    offset = std::clamp<qsizetype>(offset, 0, text.size());
    *line = 1;
    *column = 1;
    for (qsizetype i = 0; i < offset; ++i) {
        const auto c = uchar(text.at(i));
        if (c == '\n') {
            ++*line;
            *column = 1;
        } else if ((c & 0xC0) != 0x80) { // UTF-8 continuation bytes belong to the previous character
            ++*column;
        }
    }
}

bool failWith(MixError* error, const QString& file, const QString& path, const QString& message)
{
    if (error)
        *error = MixError { file, path, message };
    return false;
}

} // namespace

QString MixError::toString() const
{
    QStringList parts;
    for (const QString& p : { file, path, message })
        if (!p.isEmpty())
            parts << p;
    return parts.join(QStringLiteral(": "));
}

bool parseMix(const QByteArray& json, Mix* out, MixError* error, const QString& fileForMessages)
{
    if (json.isEmpty())
        return failWith(error, fileForMessages, {}, QStringLiteral("the file is empty"));
    if (json.size() > kMaxMixFileBytes)
        return failWith(error, fileForMessages, {},
            QStringLiteral("the mix is %1 bytes; a mix is at most %2 MiB")
                .arg(json.size())
                .arg(kMaxMixFileBytes / (1024 * 1024)));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        int line = 0;
        int column = 0;
        lineAndColumn(json, parseError.offset, &line, &column);
        return failWith(error, fileForMessages, {},
            QStringLiteral("invalid JSON at line %1, column %2: %3")
                .arg(line)
                .arg(column)
                .arg(parseError.errorString()));
    }
    if (!doc.isObject())
        return failWith(error, fileForMessages, {},
            QStringLiteral("expected a JSON object at the top level, got %1")
                .arg(doc.isArray() ? QStringLiteral("an array") : QStringLiteral("something else")));

    Parser parser;
    Mix mix;
    if (!parser.parseRoot(doc.object(), &mix))
        return failWith(error, fileForMessages, parser.error().path, parser.error().message);
    if (out)
        *out = std::move(mix);
    if (error)
        *error = {};
    return true;
}

bool loadMix(const QString& source, Mix* out, MixError* error)
{
    QString file = source;
    if (source.startsWith(kPresetPrefix)) {
        const QString name = source.mid(kPresetPrefix.size());
        const QStringList names = presetNames();
        if (!names.contains(name))
            return failWith(error, source, {},
                QStringLiteral("unknown preset %1; available: %2").arg(quoted(name), names.join(QStringLiteral(", "))));
        file = kPresetDir + QLatin1Char('/') + name + QLatin1String(kMixSuffix);
    }

    const QFileInfo info(file);
    if (!info.exists())
        return failWith(error, source, {}, QStringLiteral("no such file"));
    if (info.isDir())
        return failWith(error, source, {}, QStringLiteral("is a directory, not a mix file"));
    if (!info.isFile())
        return failWith(error, source, {}, QStringLiteral("not a regular file"));
    if (info.size() > kMaxMixFileBytes)
        return failWith(error, source, {},
            QStringLiteral("the file is %1 bytes; a mix is at most %2 MiB")
                .arg(info.size())
                .arg(kMaxMixFileBytes / (1024 * 1024)));
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return failWith(error, source, {}, QStringLiteral("cannot read: %1").arg(f.errorString()));
    // One byte more than the limit, so that a file that grew after the size check is still refused.
    const QByteArray bytes = f.read(kMaxMixFileBytes + 1);
    if (f.error() != QFileDevice::NoError)
        return failWith(error, source, {}, QStringLiteral("cannot read: %1").arg(f.errorString()));
    return parseMix(bytes, out, error, source);
}

QStringList presetNames()
{
    const QString suffix = QLatin1String(kMixSuffix);
    QStringList names = QDir(kPresetDir).entryList({ QLatin1Char('*') + suffix }, QDir::Files, QDir::Name);
    for (QString& n : names)
        n.chop(suffix.size());
    return names;
}

} // namespace taskline
