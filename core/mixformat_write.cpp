#include "mixformat.h"
#include "mixformat_p.h"

#include <QSaveFile>
#include <cmath>

namespace taskline {

using namespace mixrules;

namespace {

QString jsonString(const QString& s)
{
    QString out;
    out.reserve(s.size() + 2);
    out += QLatin1Char('"');
    for (qsizetype i = 0; i < s.size(); ++i) {
        const char16_t c = s.at(i).unicode();
        switch (c) {
        case u'"':
            out += QLatin1String("\\\"");
            break;
        case u'\\':
            out += QLatin1String("\\\\");
            break;
        case u'\b':
            out += QLatin1String("\\b");
            break;
        case u'\f':
            out += QLatin1String("\\f");
            break;
        case u'\n':
            out += QLatin1String("\\n");
            break;
        case u'\r':
            out += QLatin1String("\\r");
            break;
        case u'\t':
            out += QLatin1String("\\t");
            break;
        default:
            if (QChar::isHighSurrogate(c) && i + 1 < s.size() && s.at(i + 1).isLowSurrogate()) {
                out += s.at(i);
                out += s.at(++i);
            } else if (c < 0x20 || QChar::isSurrogate(c)) {
                // A lone surrogate has no UTF-8 form; the escape keeps it so that the mix reads back equal.
                out += QStringLiteral("\\u%1").arg(uint(c), 4, 16, QLatin1Char('0'));
            } else {
                out += QChar(c);
            }
        }
    }
    out += QLatin1Char('"');
    return out;
}

QString jsonNumber(double v)
{
    // JSON has no inf or nan; validateMix refuses such mixes, so only a caller that skipped it sees null.
    return std::isfinite(v) ? formatNumber(v) : QStringLiteral("null");
}

QString member(const char* key, const QString& value)
{
    return jsonString(QLatin1String(key)) + QStringLiteral(": ") + value;
}

QString stepLine(const Step& step)
{
    QStringList fields;
    const char* kind = "compute";
    switch (step.kind) {
    case StepKind::Compute: {
        const ComputeStep& c = step.compute;
        fields << member("ms", jsonNumber(c.ms));
        if (c.kernel != ComputeStep {}.kernel)
            fields << member("kernel", jsonString(QLatin1String(kernelName(c.kernel))));
        if (c.gil != ComputeStep {}.gil)
            fields << member("gil", jsonString(QLatin1String(gilBehaviourName(c.gil))));
        if (c.payloadBytes != ComputeStep {}.payloadBytes)
            fields << member("payload_bytes", QString::number(c.payloadBytes));
        break;
    }
    case StepKind::Fetch:
        kind = "fetch";
        fields << member("url", jsonString(step.fetch.url));
        if (step.fetch.client != FetchStep {}.client)
            fields << member("client", jsonString(QLatin1String(fetchClientName(step.fetch.client))));
        break;
    case StepKind::Sleep:
        kind = "sleep";
        fields << member("ms", jsonNumber(step.sleep.ms));
        break;
    }
    return QStringLiteral("{ %1: { %2 } }").arg(jsonString(QLatin1String(kind)), fields.join(QStringLiteral(", ")));
}

// Lines of an indented JSON object or array; `close` is "}" or "]".
QString block(const QStringList& items, const QString& indent, QChar open, QChar close)
{
    if (items.isEmpty())
        return QString(open) + close;
    const QString inner = indent + QStringLiteral("  ");
    return open + QLatin1Char('\n') + inner + items.join(QLatin1String(",\n") + inner) + QLatin1Char('\n') + indent
        + close;
}

QStringList settingsMembers(const MixSettings& s)
{
    QStringList out;
    const auto boolean = [](bool b) { return b ? QStringLiteral("true") : QStringLiteral("false"); };
    if (s.mode)
        out << member("mode", jsonString(QLatin1String(modeName(*s.mode))));
    if (s.workers)
        out << member("workers", QString::number(*s.workers));
    if (s.gil)
        out << member("gil", boolean(*s.gil));
    if (s.switchIntervalMs)
        out << member("switch_interval_ms", jsonNumber(*s.switchIntervalMs));
    if (s.startMethod)
        out << member("start_method", jsonString(QLatin1String(startMethodName(*s.startMethod))));
    if (s.offload)
        out << member("offload", boolean(*s.offload));
    if (s.limit)
        out << member("limit", QString::number(*s.limit));
    if (s.maxTasksPerChild)
        out << member("max_tasks_per_child", QString::number(*s.maxTasksPerChild));
    return out;
}

} // namespace

QByteArray serializeMix(const Mix& mix)
{
    QStringList tasks;
    for (const TaskSpec& task : mix.tasks) {
        QStringList members { member("name", jsonString(task.name)) };
        if (task.count != 1)
            members << member("count", QString::number(task.count));
        QStringList steps;
        for (const Step& step : task.steps)
            steps << stepLine(step);
        members << member("steps", block(steps, QStringLiteral("      "), u'[', u']'));
        tasks << block(members, QStringLiteral("    "), u'{', u'}');
    }

    QStringList top { member("format", jsonString(QLatin1String(kMixFormat))), member("name", jsonString(mix.name)) };
    if (!mix.description.isEmpty())
        top << member("description", jsonString(mix.description));
    top << member("tasks", block(tasks, QStringLiteral("  "), u'[', u']'));
    const QStringList settings = settingsMembers(mix.settings);
    if (!settings.isEmpty())
        top << member("settings", block(settings, QStringLiteral("  "), u'{', u'}'));
    return (block(top, QString(), u'{', u'}') + QLatin1Char('\n')).toUtf8();
}

bool saveMix(const QString& file, const Mix& mix, QString* error)
{
    const auto failed = [&](const QString& why) {
        if (error)
            *error = QStringLiteral("cannot save %1: %2").arg(file, why);
        return false;
    };
    // A file that loadMix would refuse is no use to anyone; say why now rather than on the next load.
    const MixError invalid = validateMix(mix);
    if (!invalid.isEmpty())
        return failed(invalid.toString());
    QSaveFile f(file);
    if (!f.open(QIODevice::WriteOnly))
        return failed(f.errorString());
    const QByteArray bytes = serializeMix(mix);
    if (f.write(bytes) != bytes.size())
        return failed(f.errorString());
    if (!f.commit())
        return failed(f.errorString());
    if (error)
        error->clear();
    return true;
}

} // namespace taskline
