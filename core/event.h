#pragma once

#include <QString>
#include <cstdint>
#include <type_traits>

namespace taskline {

// The states of design.md. The order is the index used by state_ms arrays and palettes.
enum class TaskState : uint8_t
{
    Queued,
    Ready,
    Running,
    WaitingGil,
    BlockedIo,
    Sleeping,
    Spawning,
    Serializing,
    Done,
    Failed,
};
inline constexpr int kTaskStateCount = 10;
// States that take time (a task is in one of them until its next event); Done and Failed are terminal.
inline constexpr int kTimedStateCount = 8;

// "queued", "waiting_gil", ... as in the summary format.
const char* stateName(TaskState s);
// Human label for legends: "Queued", "Waiting for GIL", ...
QString stateLabel(TaskState s);
bool stateFromName(QStringView name, TaskState* out);

enum class EventKind : uint8_t
{
    State, // task entered `state`; value = step index (-1 before the first step)
    Gil, // worker took (value 1) or dropped (value 0) the emulated GIL; task = the task it runs or -1
    Counter, // value = a counter sample (e.g. ready coroutines on the event loop); task = counter id
    Loop, // event loop lane: task starts (value 1) or stops (value 0) occupying the loop
};

// One state change of one task. Small and trivially copyable: workers write these into their own
// buffers without locks; the collector copies them in bulk.
struct Event
{
    int64_t timeNs; // ns since run start (CLOCK_MONOTONIC)
    int64_t cpuNs; // State events that end a running slice: thread CPU ns used in that slice; else -1
    int32_t task; // task id (index into the run's task list), -1 for none
    int32_t value; // see EventKind
    int16_t worker; // worker id (index into the run's worker list), -1 for the dispatcher
    int16_t core; // CPU core from sched_getcpu(), -1 if unknown
    EventKind kind;
    TaskState state;
    uint16_t reserved = 0;
};
static_assert(std::is_trivially_copyable_v<Event>);
static_assert(sizeof(Event) == 32);

} // namespace taskline
