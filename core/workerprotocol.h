#pragma once

#include "event.h"
#include "mix.h"

#include <QByteArray>
#include <QString>
#include <cstdint>
#include <vector>

namespace taskline {

// The framed, versioned binary protocol between the app and its worker processes (processes mode), over one
// AF_UNIX stream socket per worker. Both ends are the same taskline build on the same machine, so integers are in
// host byte order; the version still guards against an old worker binary left running (or a test pointing
// TASKLINE_BINARY at another build): a frame of another version is refused with a message that says so.
//
// A frame: a 12-byte header (magic "TLWP", u16 version, u16 type, u32 body length) and the body.
//   app → worker:  Task, Shutdown
//   worker → app:  Hello (once, when ready), Events (the worker's own trace, streamed while a task runs),
//                  Result (the task's return value), Error (the worker refuses what it got and exits)
namespace wire {

inline constexpr uint32_t kMagic = 0x50574C54; // "TLWP" in memory on little-endian machines
inline constexpr uint16_t kVersion = 1;
inline constexpr size_t kHeaderBytes = 12;
// One frame at most: a task's payloads (payload_bytes ≤ 256 MiB per step) or a returned page (≤ 64 MiB).
inline constexpr uint32_t kMaxFrameBytes = uint32_t(1) << 30;

enum class MsgType : uint16_t
{
    Hello = 1,
    Task = 2,
    Events = 3,
    Result = 4,
    Shutdown = 5,
    Error = 6,
};
const char* msgTypeName(MsgType t);

struct HelloMsg
{
    uint32_t version = kVersion;
    int64_t pid = 0;
    int64_t initNs = 0; // from the worker's main() to ready: its own initialization
};

// One task to run. The app resolves lab: URLs (the lab server runs in the app) and ships every compute payload:
// `input` holds the bytes a compute step works on (payload_bytes > 0), else it is empty and the worker uses the
// last fetched page or its default page, as TaskRunner does.
struct TaskMsg
{
    int64_t runStartNs = 0; // the app's run start (CLOCK_MONOTONIC): workers stamp events relative to it
    int32_t taskId = 0;
    int16_t workerId = 0; // the worker's id in the app's registry (its lane)
    double regexBytesPerMs = 1; // the app's calibration, so that `ms` means the same work in every process
    double hashBytesPerMs = 1;
    std::vector<Step> steps;
    std::vector<QByteArray> inputs; // one per step; compute payloads (may be empty)
    QByteArray storage; // decoded: the frame body that `inputs` point into
};

struct ResultMsg
{
    int32_t taskId = 0;
    bool ok = false;
    QString error;
    int64_t metaTags = 0;
    int64_t bytesFetched = 0;
    int64_t cpuNs = 0; // the worker process's CPU time so far (CLOCK_PROCESS_CPUTIME_ID)
    QByteArray value; // the function's return value: the fetched page when the last step is a fetch
    QByteArray storage; // decoded: the frame body that `value` points into
};

// A frame to send, as chunks that share the caller's data: a 64 MiB payload is not copied into a frame buffer.
struct OutFrame
{
    std::vector<QByteArray> chunks; // chunks[0] starts with the header
    size_t size() const;
};

OutFrame encodeHello(const HelloMsg& m);
OutFrame encodeTask(const TaskMsg& m);
OutFrame encodeEvents(const Event* events, size_t count);
OutFrame encodeResult(const ResultMsg& m);
OutFrame encodeShutdown();
OutFrame encodeError(const QString& message);
// A header with any fields (tests of the version check).
QByteArray encodeHeader(uint32_t magic, uint16_t version, uint16_t type, uint32_t length);

// Decoders check every length against the body: a short or malformed body is an error, never a crash.
bool decodeHello(const QByteArray& body, HelloMsg* out, QString* error);
bool decodeTask(const QByteArray& body, TaskMsg* out, QString* error);
bool decodeEvents(const QByteArray& body, std::vector<Event>* out, QString* error);
bool decodeResult(const QByteArray& body, ResultMsg* out, QString* error);
bool decodeError(const QByteArray& body, QString* message, QString* error);

// Writes every chunk of `frame` to a blocking socket (MSG_NOSIGNAL: a closed peer is an error, not SIGPIPE).
bool sendFrame(int fd, const OutFrame& frame, QString* error);

} // namespace wire

} // namespace taskline
