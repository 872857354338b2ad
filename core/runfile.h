#pragma once

#include "mix.h"
#include "run.h"
#include "tracestore.h"

#include <QString>

namespace taskline {

// A finished (or stopped) run saved as one file: the mix, the settings, the result, every event and the
// utilization samples, so that it can be opened later — or on another machine — without running anything.
//
// Layout (`taskline-run/1`, suffix .taskline-run): the 8 bytes "TASKLINE", then a QDataStream (Qt 6.4 format,
// big-endian) holding: the format name "taskline-run", a version (quint32), a compact JSON header (mix text,
// settings, result, workers, machine), the events (qCompress'ed, fields written one by one so byte order and
// padding never matter) and the utilization samples; then a SHA-256 of that stream. A file whose version is newer than
// this build knows is refused with a message, never misread.
struct SavedRun
{
    Mix mix;
    RunResult result;
    TraceStore store;
    QString savedAt; // ISO 8601, UTC
    QString savedBy; // "taskline 0.1.0 on <machine>"
};

inline constexpr const char* kRunFileSuffix = ".taskline-run";
inline constexpr quint32 kRunFileVersion = 1;

// Thread: any (no shared state). On failure returns false and sets *error to a message naming the file.
bool saveRun(const QString& file, const Mix& mix, const RunResult& result, const TraceStore& store, QString* error);
bool loadRun(const QString& file, SavedRun* out, QString* error);

// The same, in memory (for tests and the clipboard).
QByteArray encodeRun(const Mix& mix, const RunResult& result, const TraceStore& store);
bool decodeRun(const QByteArray& data, SavedRun* out, QString* error, const QString& fileForMessages = {});

} // namespace taskline
