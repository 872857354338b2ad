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
