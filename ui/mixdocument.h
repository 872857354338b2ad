#pragma once

#include "mix.h"

#include <QObject>
#include <QUndoStack>

namespace taskline {

// The mix being edited: the Mix, where it came from (a file, a preset, or nothing yet), its undo history and
// whether it has unsaved changes. Views change it only by pushing undo commands (undocommands.h); the commands
// call the primitive mutators below, which tell the views through the about-to/done signal pairs that item models
// need. Invariant: mix() always passes validateMix(): editors refuse invalid values before they get here.
// Thread: GUI only.
class MixDocument : public QObject
{
    Q_OBJECT
public:
    explicit MixDocument(QObject* parent = nullptr);
    ~MixDocument() override;

    const Mix& mix() const { return m_mix; }
    QUndoStack* undoStack() { return &m_undo; }

    QString filePath() const { return m_filePath; } // empty when untitled or opened from a preset
    QString presetName() const { return m_presetName; } // the preset it was opened from, else empty
    // "convoy.taskline.json", "preset convoy", "Untitled"
    QString displayName() const;
    // What to reopen next time: the file path, "preset:NAME", or empty for an untitled mix.
    QString source() const;
    bool isModified() const { return !m_undo.isClean(); }

    // A fresh mix with one small task. Clears the history.
    void newMix();
    // A file path or "preset:NAME". On failure the document is unchanged and *error names the file, field and
    // problem.
    bool load(const QString& source, QString* error);
    // Replaces the mix with one built elsewhere (tests, "open a copy"); it must pass validateMix().
    bool setMix(const Mix& mix, QString* error);
    // Writes to filePath() (which must be set). Marks the history clean.
    bool save(QString* error);
    // Writes to `file` and makes it the document's file.
    bool saveAs(const QString& file, QString* error);

    // The mix settings that describe `run`, keeping every field the mix already sets and adding only fields that
    // differ from the defaults, so that a file read and written back without changes stays the same.
    static MixSettings settingsFor(const MixSettings& current, const RunSettings& run);
    // "a.taskline.json" for "a", "a.json" kept, for Save As.
    static QString withMixSuffix(const QString& file);

    // Primitive mutators: for undo commands only (they neither validate nor record history).
    void setTaskName(int task, const QString& name);
    void setTaskCount(int task, int count);
    void insertTask(int index, const TaskSpec& task);
    TaskSpec takeTask(int index);
    void moveTask(int from, int to); // `to` is the index the task ends up at
    void setStep(int task, int step, const Step& value);
    void insertStep(int task, int index, const Step& value);
    Step takeStep(int task, int index);
    void moveStep(int task, int from, int to);
    void setInfo(const QString& name, const QString& description);
    // Also called directly (no undo command) when a save stores the run panel's settings as the mix's defaults.
    void setSettings(const MixSettings& settings);
    // Asks the views to show this task (and step, -1 for none): after an undo or redo, the change is in sight.
    void requestFocus(int task, int step = -1) { emit focusRequested(task, step); }

signals:
    void aboutToReset();
    void reset(); // a new mix was loaded: everything changed
    void taskAboutToBeInserted(int index);
    void taskInserted(int index);
    void taskAboutToBeRemoved(int index);
    void taskRemoved(int index);
    void taskAboutToBeMoved(int from, int to);
    void taskMoved(int from, int to);
    void taskChanged(int task); // name, count or steps: its row in the task table
    void stepAboutToBeInserted(int task, int index);
    void stepInserted(int task, int index);
    void stepAboutToBeRemoved(int task, int index);
    void stepRemoved(int task, int index);
    void stepAboutToBeMoved(int task, int from, int to);
    void stepMoved(int task, int from, int to);
    void stepChanged(int task, int step);
    void infoChanged();
    void settingsChanged();
    void sourceChanged(); // file path, preset or display name
    void modifiedChanged(bool modified);
    void focusRequested(int task, int step);

private:
    void replace(const Mix& mix, const QString& filePath, const QString& presetName);

    Mix m_mix;
    QString m_filePath;
    QString m_presetName;
    QUndoStack m_undo;
};

} // namespace taskline
