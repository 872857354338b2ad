#pragma once

#include "mix.h"
#include "run.h"
#include "summary.h"
#include "tracestore.h"

#include <QDateTime>
#include <QString>
#include <memory>

namespace taskline {

// One finished run that the window can show, save, export, replay and compare: the window's own last run once it
// ended, or a saved run opened from a file (runfile.h). Holds the mix as it ran, the result, the whole trace and its
// summary; nothing in it changes after it was made, so views and the compare view may share its store.
// Thread: GUI only.
class RunDocument
{
public:
    enum class Origin
    {
        Live, // run in this window
        File, // opened from a .taskline-run file
    };

    // The window's run that just ended (the store is copied: the window reuses its own for the next run).
    static std::shared_ptr<RunDocument> fromLiveRun(const Mix& mix, const RunResult& result, const TraceStore& store);
    // Reads a run file. On failure returns nullptr and sets *error to loadRun's message (names the file).
    static std::shared_ptr<RunDocument> open(const QString& file, QString* error);

    Origin origin() const { return m_origin; }
    const Mix& mix() const { return m_mix; }
    const RunResult& result() const { return m_result; }
    const RunSettings& settings() const { return m_result.settings; }
    const std::vector<TaskInstance>& tasks() const { return m_result.tasks; }
    const TraceStore& store() const { return *m_store; }
    std::shared_ptr<const TraceStore> sharedStore() const { return m_store; }
    const RunSummary& summary() const { return m_summary; }
    // The names of the mix's tasks, by row (to find a row's tasks in the run).
    std::vector<QString> specNames() const;

    // The file it was opened from or last saved to; empty for a live run not saved yet.
    QString filePath() const { return m_filePath; }
    // When and where it was recorded: the file's "saved at" for an opened run, else when it ended here.
    QDateTime recordedAt() const { return m_recordedAt; }
    QString savedBy() const { return m_savedBy; }

    // "The convoy effect · Threads"
    QString title() const;
    // For a tab: the file's name, or the title.
    QString shortTitle() const;
    // "the-convoy-effect-threads.taskline-run"
    QString suggestedFileName() const;

    // saveRun(); on success the document's file becomes `file`.
    bool save(const QString& file, QString* error);
    // Every span as CSV (writeSpansCsv) and the Chrome Trace Event JSON (writeChromeTrace).
    bool exportCsv(const QString& file, QString* error) const;
    bool exportChromeTrace(const QString& file, QString* error) const;

private:
    RunDocument() = default;

    Origin m_origin = Origin::Live;
    Mix m_mix;
    RunResult m_result;
    std::shared_ptr<const TraceStore> m_store;
    RunSummary m_summary;
    QString m_filePath;
    QDateTime m_recordedAt;
    QString m_savedBy;
};

} // namespace taskline
