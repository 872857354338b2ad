#pragma once

#include "mix.h"
#include "recorder.h"
#include "runcontext.h"

#include <QByteArray>
#include <vector>

namespace taskline {

class Gil;

// Runs the steps of one task on the calling thread, as a Python thread (or the main thread, or a worker
// process) would: compute in chunks, fetch through blocking libcurl, sleep. With a GIL, the task holds it while
// it runs Python code and drops it around I/O, sleeps and `releases` computes, exactly as CPython does.
// Thread: the worker running the task.
class TaskRunner
{
public:
    TaskRunner(RunContext& ctx, Recorder& rec, Gil* gil)
        : m_ctx(ctx)
        , m_rec(rec)
        , m_gil(gil)
    { }

    // Runs `task` from queued to done/failed and fills its outcome. With a GIL the caller does not hold it before
    // or after. Returns false if the run was stopped while it ran.
    bool run(const TaskInstance& task);

    // Data a compute step works on: its payload, else the last fetched body, else a default page.
    static QByteArray computeInput(const ComputeStep& step, const QByteArray& lastBody, int taskId);

    // Processes mode: the inputs of the compute steps, one per step, as the app shipped them (an empty one means
    // computeInput() as usual). A worker process works on the copy it received instead of building its own.
    void setStepInputs(std::vector<QByteArray> inputs) { m_inputs = std::move(inputs); }
    // Processes mode: a worker runs the app's task `seed` under a local id; its default pages use the app's id, so
    // that every mode works on the same data.
    void setPageSeed(int seed) { m_pageSeed = seed; }
    // Keep the body of each task's last fetch for lastBody() (processes mode returns it to the app).
    void setKeepLastBody(bool keep) { m_keepLastBody = keep; }
    const QByteArray& lastBody() const { return m_lastBody; }

private:
    bool acquire(int task, int step);
    void release(int task);
    bool compute(
        const TaskInstance& task, int step, const ComputeStep& c, const QByteArray& input, TaskOutcome& outcome);

    RunContext& m_ctx;
    Recorder& m_rec;
    Gil* m_gil;
    bool m_holding = false; // this thread holds the GIL
    std::vector<QByteArray> m_inputs;
    int m_pageSeed = -1; // -1: the task's id
    bool m_keepLastBody = false;
    QByteArray m_lastBody;
};

} // namespace taskline
