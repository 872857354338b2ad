#include "mixdocument.h"

#include "mixformat.h"

#include <QFileInfo>

namespace taskline {

MixDocument::MixDocument(QObject* parent)
    : QObject(parent)
{
    connect(&m_undo, &QUndoStack::cleanChanged, this, [this](bool clean) { emit modifiedChanged(!clean); });
    newMix();
}

MixDocument::~MixDocument()
{
    // The stack clears itself as it is destroyed, after this object's own part is gone: no signals back.
    m_undo.disconnect(this);
}

QString MixDocument::displayName() const
{
    if (!m_filePath.isEmpty())
        return QFileInfo(m_filePath).fileName();
    if (!m_presetName.isEmpty())
        return tr("preset %1").arg(m_presetName);
    return tr("Untitled");
}

QString MixDocument::source() const
{
    if (!m_filePath.isEmpty())
        return m_filePath;
    if (!m_presetName.isEmpty())
        return QStringLiteral("preset:") + m_presetName;
    return {};
}

void MixDocument::newMix()
{
    Mix mix;
    mix.name = tr("Untitled mix");
    TaskSpec task;
    task.name = QStringLiteral("page");
    task.count = 4;
    task.steps = { Step::makeFetch(QStringLiteral("lab:/delay?ms=200&bytes=20000")), Step::makeCompute(100) };
    mix.tasks.push_back(task);
    replace(mix, {}, {});
}

bool MixDocument::load(const QString& source, QString* error)
{
    Mix mix;
    MixError e;
    if (!loadMix(source, &mix, &e)) {
        if (error)
            *error = e.toString();
        return false;
    }
    static const QString kPreset = QStringLiteral("preset:");
    if (source.startsWith(kPreset))
        replace(mix, {}, source.mid(kPreset.size()));
    else
        replace(mix, QFileInfo(source).absoluteFilePath(), {});
    return true;
}

bool MixDocument::setMix(const Mix& mix, QString* error)
{
    const MixError e = validateMix(mix);
    if (!e.isEmpty()) {
        if (error)
            *error = e.toString();
        return false;
    }
    replace(mix, {}, {});
    return true;
}

void MixDocument::replace(const Mix& mix, const QString& filePath, const QString& presetName)
{
    emit aboutToReset();
    m_mix = mix;
    m_filePath = filePath;
    m_presetName = presetName;
    m_undo.clear();
    m_undo.setClean();
    emit reset();
    emit infoChanged();
    emit settingsChanged();
    emit sourceChanged();
    emit modifiedChanged(false);
}

bool MixDocument::save(QString* error)
{
    if (m_filePath.isEmpty()) {
        if (error)
            *error = tr("The mix has no file yet; use Save As.");
        return false;
    }
    return saveAs(m_filePath, error);
}

bool MixDocument::saveAs(const QString& file, QString* error)
{
    // The editors keep the mix valid; checking again costs little and keeps a bad file from ever being written.
    const MixError e = validateMix(m_mix);
    if (!e.isEmpty()) {
        if (error)
            *error = tr("The mix cannot be saved: %1").arg(e.toString());
        return false;
    }
    const QString path = QFileInfo(file).absoluteFilePath();
    if (!saveMix(path, m_mix, error))
        return false;
    m_undo.setClean();
    if (path != m_filePath || !m_presetName.isEmpty()) {
        m_filePath = path;
        m_presetName.clear();
        emit sourceChanged();
    }
    return true;
}

MixSettings MixDocument::settingsFor(const MixSettings& current, const RunSettings& run)
{
    const RunSettings defaults;
    MixSettings s = current;
    // Keep what the file sets; write what differs from the defaults. Zero means "the default" for the counts.
    if (s.mode || run.mode != defaults.mode)
        s.mode = run.mode;
    s.workers = run.workers > 0 ? std::optional<int>(run.workers) : std::nullopt;
    if (s.gil || run.gil != defaults.gil)
        s.gil = run.gil;
    if (s.switchIntervalMs || run.switchIntervalMs != defaults.switchIntervalMs)
        s.switchIntervalMs = run.switchIntervalMs;
    if (s.startMethod || run.startMethod != defaults.startMethod)
        s.startMethod = run.startMethod;
    if (s.offload || run.offload != defaults.offload)
        s.offload = run.offload;
    s.limit = run.limit > 0 ? std::optional<int>(run.limit) : std::nullopt;
    s.maxTasksPerChild = run.maxTasksPerChild > 0 ? std::optional<int>(run.maxTasksPerChild) : std::nullopt;
    return s;
}

QString MixDocument::withMixSuffix(const QString& file)
{
    if (file.endsWith(QLatin1String(".json"), Qt::CaseInsensitive))
        return file;
    return file + QLatin1String(kMixSuffix);
}

void MixDocument::setTaskName(int task, const QString& name)
{
    m_mix.tasks[size_t(task)].name = name;
    emit taskChanged(task);
}

void MixDocument::setTaskCount(int task, int count)
{
    m_mix.tasks[size_t(task)].count = count;
    emit taskChanged(task);
}

void MixDocument::insertTask(int index, const TaskSpec& task)
{
    emit taskAboutToBeInserted(index);
    m_mix.tasks.insert(m_mix.tasks.begin() + index, task);
    emit taskInserted(index);
}

TaskSpec MixDocument::takeTask(int index)
{
    emit taskAboutToBeRemoved(index);
    TaskSpec task = std::move(m_mix.tasks[size_t(index)]);
    m_mix.tasks.erase(m_mix.tasks.begin() + index);
    emit taskRemoved(index);
    return task;
}

void MixDocument::moveTask(int from, int to)
{
    if (from == to)
        return;
    emit taskAboutToBeMoved(from, to);
    TaskSpec task = std::move(m_mix.tasks[size_t(from)]);
    m_mix.tasks.erase(m_mix.tasks.begin() + from);
    m_mix.tasks.insert(m_mix.tasks.begin() + to, std::move(task));
    emit taskMoved(from, to);
}

void MixDocument::setStep(int task, int step, const Step& value)
{
    m_mix.tasks[size_t(task)].steps[size_t(step)] = value;
    emit stepChanged(task, step);
    emit taskChanged(task);
}

void MixDocument::insertStep(int task, int index, const Step& value)
{
    emit stepAboutToBeInserted(task, index);
    auto& steps = m_mix.tasks[size_t(task)].steps;
    steps.insert(steps.begin() + index, value);
    emit stepInserted(task, index);
    emit taskChanged(task);
}

Step MixDocument::takeStep(int task, int index)
{
    emit stepAboutToBeRemoved(task, index);
    auto& steps = m_mix.tasks[size_t(task)].steps;
    Step step = steps[size_t(index)];
    steps.erase(steps.begin() + index);
    emit stepRemoved(task, index);
    emit taskChanged(task);
    return step;
}

void MixDocument::moveStep(int task, int from, int to)
{
    if (from == to)
        return;
    emit stepAboutToBeMoved(task, from, to);
    auto& steps = m_mix.tasks[size_t(task)].steps;
    Step step = steps[size_t(from)];
    steps.erase(steps.begin() + from);
    steps.insert(steps.begin() + to, step);
    emit stepMoved(task, from, to);
    emit taskChanged(task);
}

void MixDocument::setInfo(const QString& name, const QString& description)
{
    m_mix.name = name;
    m_mix.description = description;
    emit infoChanged();
}

void MixDocument::setSettings(const MixSettings& settings)
{
    m_mix.settings = settings;
    emit settingsChanged();
}

} // namespace taskline
