#pragma once

#include "event.h"
#include "mix.h"

#include <QJsonObject>
#include <QString>
#include <array>
#include <vector>

namespace taskline {

struct RunResult;
class TraceStore;

struct TaskSummary
{
    int id = 0;
    QString name;
    QString worker; // the worker it ran on first; empty if it never ran
    double startMs = -1; // first running; -1: never ran
    double endMs = -1; // done or failed; -1: not finished
    QString status; // "done", "failed", "stopped" (the run was stopped first)
    QString error;
    std::array<double, kTimedStateCount> stateMs {};
};

// The event loop of a coroutines run: how busy it was, and which coroutine held it longest (a step is what a
// coroutine runs between two awaits).
struct LoopSummary
{
    static constexpr double kSlowStepMs = 100; // asyncio debug mode's loop.slow_callback_duration

    bool present = false; // a coroutines run (the "loop" object of the summary)
    double busyMs = 0; // time some coroutine occupied the loop
    int64_t steps = 0;
    double longestStepMs = 0;
    QString longestStepTask;
    int slowSteps = 0; // steps that held the loop kSlowStepMs or longer (asyncio debug mode warns about each)
    int maxReady = 0; // the highest sample of the ready-coroutines counter
};

// taskline-summary/1 (design.md): what a run measured, per task and in total.
struct RunSummary
{
    QString mix;
    RunSettings settings;
    int workers = 0;
    int cores = 1;
    double wallMs = 0;
    double cpuMs = 0;
    std::vector<double> coreBusy; // mean busy fraction per core over the run
    uint64_t events = 0;
    uint64_t droppedEvents = 0;
    std::array<double, kTimedStateCount> stateMs {};
    std::vector<TaskSummary> tasks;
    LoopSummary loop;
    bool stopped = false;
    QString error;

    double coresUsed() const { return wallMs > 0 ? cpuMs / wallMs : 0; } // average CPU parallelism
};

RunSummary summarize(const RunResult& result, const TraceStore& store);

QJsonObject summaryToJson(const RunSummary& s);
// Parses taskline-summary/1 back (for comparisons and tests). Returns false and sets *error on a bad document.
bool summaryFromJson(const QJsonObject& o, RunSummary* out, QString* error);
// The readable table the command line prints.
QString summaryToText(const RunSummary& s);

inline constexpr const char* kSummaryFormat = "taskline-summary/1";
inline constexpr const char* kCompareFormat = "taskline-compare/1";

} // namespace taskline
