#include "event.h"

namespace taskline {

namespace {
constexpr const char* kStateNames[kTaskStateCount] = {
    "queued",
    "ready",
    "running",
    "waiting_gil",
    "blocked_io",
    "sleeping",
    "spawning",
    "serializing",
    "done",
    "failed",
};
}

const char* stateName(TaskState s)
{
    const int i = int(s);
    return i >= 0 && i < kTaskStateCount ? kStateNames[i] : "unknown";
}

QString stateLabel(TaskState s)
{
    switch (s) {
    case TaskState::Queued:
        return QStringLiteral("Queued");
    case TaskState::Ready:
        return QStringLiteral("Ready");
    case TaskState::Running:
        return QStringLiteral("Running");
    case TaskState::WaitingGil:
        return QStringLiteral("Waiting for GIL");
    case TaskState::BlockedIo:
        return QStringLiteral("Blocked on I/O");
    case TaskState::Sleeping:
        return QStringLiteral("Sleeping");
    case TaskState::Spawning:
        return QStringLiteral("Spawning");
    case TaskState::Serializing:
        return QStringLiteral("Serializing");
    case TaskState::Done:
        return QStringLiteral("Done");
    case TaskState::Failed:
        return QStringLiteral("Failed");
    }
    return QStringLiteral("Unknown");
}

bool stateFromName(QStringView name, TaskState* out)
{
    for (int i = 0; i < kTaskStateCount; ++i) {
        if (name == QLatin1String(kStateNames[i])) {
            *out = TaskState(i);
            return true;
        }
    }
    return false;
}

} // namespace taskline
