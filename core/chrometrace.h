#pragma once

#include <QByteArray>
#include <QString>

namespace taskline {

struct RunSummary;
class TraceStore;

// Chrome Trace Event JSON (opens in Perfetto and chrome://tracing): process "Workers" with a named lane per worker
// and a GIL lane, process "Tasks" with a lane per task, `X` slices per state, and per-core utilization plus
// coroutine counters ("ready coroutines") as `C` counter events. The event loop's lane (coroutines mode) has one
// slice per coroutine step, named after the task, in the state it spent most of the step in.
QByteArray chromeTraceJson(const TraceStore& store, const RunSummary& summary);
bool writeChromeTrace(const QString& file, const TraceStore& store, const RunSummary& summary, QString* error);

// One row per span: task_id,task,worker,state,start_ms,end_ms,duration_ms,core,cpu_ms,step
QByteArray spansCsv(const TraceStore& store);
bool writeSpansCsv(const QString& file, const TraceStore& store, QString* error);

} // namespace taskline
