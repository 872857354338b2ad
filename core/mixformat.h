#pragma once

#include "mix.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace taskline {

// Where and why a mix could not be read. toString(): "FILE: tasks[2].steps[0].compute.ms: must be at least 0 (got -5)".
struct MixError
{
    QString file; // path, "preset:NAME", or empty for in-memory text
    QString path; // JSON path of the offending value, e.g. "tasks[2].steps[0].compute.ms"; empty for the document
    QString message;
    QString toString() const;
    bool isEmpty() const { return message.isEmpty(); }
};

inline constexpr const char* kMixFormat = "taskline-mix/1";
inline constexpr const char* kMixSuffix = ".taskline.json";

// Parses taskline-mix/1. Never half-loads: on failure *out is untouched and *error says what and where.
bool parseMix(const QByteArray& json, Mix* out, MixError* error, const QString& fileForMessages = {});
// Loads a file, or a built-in preset when `source` is "preset:NAME".
bool loadMix(const QString& source, Mix* out, MixError* error);
// Checks a mix built in memory (the GUI's editor) with the same rules as the parser.
MixError validateMix(const Mix& mix);
// Writes taskline-mix/1, indented; only values that differ from the defaults are written for steps.
QByteArray serializeMix(const Mix& mix);
// Saves atomically (QSaveFile). On failure returns false and sets *error to a readable message naming the file.
bool saveMix(const QString& file, const Mix& mix, QString* error);

// Built-in presets (resources/presets/NAME.taskline.json), sorted by name.
QStringList presetNames();
inline constexpr const char* kDefaultPreset = "fetch-and-scan";

// Limits the format enforces ("absurd values").
inline constexpr double kMaxStepMs = 600'000; // 10 minutes
inline constexpr int kMaxCount = 100'000;
inline constexpr int kMaxExpandedTasks = 100'000;
inline constexpr int64_t kMaxPayloadBytes = 256ll * 1024 * 1024;
inline constexpr int kMaxWorkers = 1024;
inline constexpr int kMaxTasksPerChild = 1'000'000;
inline constexpr int64_t kMaxMixFileBytes = 64ll * 1024 * 1024; // loadMix refuses larger files unread

} // namespace taskline
