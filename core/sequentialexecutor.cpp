#include "sequentialexecutor.h"

#include "runcontext.h"
#include "taskrunner.h"

namespace taskline {

void SequentialExecutor::run(RunContext& ctx)
{
    // Every task waits its turn from the start: shown as queued, like the rest of a for loop's list.
    Recorder dispatcher = ctx.registry->dispatcher();
    for (const TaskInstance& t : ctx.tasks)
        dispatcher.state(t.id, TaskState::Queued, -1);
    // One thread, no contention: the GIL would never change hands, so none is emulated.
    Recorder rec = ctx.registry->addWorker(QStringLiteral("main"), WorkerKind::Main);
    TaskRunner runner(ctx, rec, nullptr);
    for (const TaskInstance& t : ctx.tasks) {
        if (ctx.stop->isRequested() || !runner.run(t))
            break;
    }
}

} // namespace taskline
