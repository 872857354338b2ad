#include "rundocument.h"

#include "chrometrace.h"
#include "runfile.h"

#include <QFileInfo>
#include <QRegularExpression>

namespace taskline {

std::shared_ptr<RunDocument> RunDocument::fromLiveRun(const Mix& mix, const RunResult& result, const TraceStore& store)
{
    std::shared_ptr<RunDocument> d(new RunDocument);
    d->m_origin = Origin::Live;
    d->m_mix = mix;
    d->m_result = result;
    d->m_store = std::make_shared<const TraceStore>(store);
    d->m_summary = summarize(d->m_result, *d->m_store);
    d->m_recordedAt = QDateTime::currentDateTime();
    return d;
}

std::shared_ptr<RunDocument> RunDocument::open(const QString& file, QString* error)
{
    auto saved = std::make_unique<SavedRun>();
    if (!loadRun(file, saved.get(), error))
        return nullptr;
    std::shared_ptr<RunDocument> d(new RunDocument);
    d->m_origin = Origin::File;
    d->m_mix = std::move(saved->mix);
    d->m_result = std::move(saved->result);
    d->m_store = std::make_shared<const TraceStore>(std::move(saved->store));
    d->m_summary = summarize(d->m_result, *d->m_store);
    d->m_filePath = QFileInfo(file).absoluteFilePath();
    d->m_recordedAt = QDateTime::fromString(saved->savedAt, Qt::ISODate).toLocalTime();
    d->m_savedBy = saved->savedBy;
    return d;
}

std::vector<QString> RunDocument::specNames() const
{
    std::vector<QString> names;
    names.reserve(m_mix.tasks.size());
    for (const TaskSpec& t : m_mix.tasks)
        names.push_back(t.name);
    return names;
}

QString RunDocument::title() const
{
    return QStringLiteral("%1 · %2").arg(
        m_result.mixName.isEmpty() ? m_mix.name : m_result.mixName, modeLabel(m_result.settings.mode));
}

QString RunDocument::shortTitle() const
{
    if (!m_filePath.isEmpty()) {
        QString name = QFileInfo(m_filePath).fileName();
        if (name.endsWith(QLatin1String(kRunFileSuffix)))
            name.chop(int(qstrlen(kRunFileSuffix)));
        return name;
    }
    return title();
}

QString RunDocument::suggestedFileName() const
{
    // Lower-case words joined by dashes: "The convoy effect" in threads mode → "the-convoy-effect-threads".
    QString base = (m_result.mixName.isEmpty() ? m_mix.name : m_result.mixName).toLower();
    base.replace(QRegularExpression(QStringLiteral("[^\\w]+"), QRegularExpression::UseUnicodePropertiesOption),
        QStringLiteral("-"));
    base.remove(QRegularExpression(QStringLiteral("^-+|-+$")));
    if (base.size() > 60)
        base = base.left(60);
    if (base.isEmpty())
        base = QStringLiteral("run");
    return base + QLatin1Char('-') + QLatin1String(modeName(m_result.settings.mode)) + QLatin1String(kRunFileSuffix);
}

bool RunDocument::save(const QString& file, QString* error)
{
    if (!saveRun(file, m_mix, m_result, *m_store, error))
        return false;
    m_filePath = QFileInfo(file).absoluteFilePath();
    return true;
}

bool RunDocument::exportCsv(const QString& file, QString* error) const
{
    return writeSpansCsv(file, *m_store, error);
}

bool RunDocument::exportChromeTrace(const QString& file, QString* error) const
{
    return writeChromeTrace(file, *m_store, m_summary, error);
}

} // namespace taskline
