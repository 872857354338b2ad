#include "threadexecutor.h"

#include "gil.h"
#include "runcontext.h"
#include "taskrunner.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <pthread.h>
#include <thread>

namespace taskline {

void ThreadExecutor::run(RunContext& ctx)
{
    const int taskCount = int(ctx.tasks.size());
    // ThreadPoolExecutor starts a thread per submit while there is no idle one, up to max_workers.
    const int threads = std::min(ctx.settings.effectiveWorkers(ctx.cores), taskCount);
    std::unique_ptr<Gil> gil;
    if (ctx.settings.gil) {
        gil = std::make_unique<Gil>(std::chrono::nanoseconds(int64_t(ctx.settings.switchIntervalMs * 1e6)), ctx.stop);
    }

    Recorder dispatcher = ctx.registry->dispatcher();
    for (const TaskInstance& t : ctx.tasks)
        dispatcher.state(t.id, TaskState::Queued, -1); // executor.submit() for each task

    std::atomic<int> next { 0 }; // the work queue: tasks in submission order
    std::vector<std::thread> pool;
    pool.reserve(size_t(threads));
    for (int i = 0; i < threads; ++i) {
        Recorder rec = ctx.registry->addWorker(QStringLiteral("thread-%1").arg(i + 1), WorkerKind::Thread);
        pool.emplace_back([&ctx, &next, g = gil.get(), rec, i, taskCount]() mutable {
            const QByteArray name = "tl-thread-" + QByteArray::number(i + 1);
            pthread_setname_np(pthread_self(), name.constData());
            TaskRunner runner(ctx, rec, g);
            for (;;) {
                const int index = next.fetch_add(1, std::memory_order_relaxed);
                if (index >= taskCount || ctx.stop->isRequested())
                    break;
                if (!runner.run(ctx.tasks[size_t(index)]))
                    break;
            }
        });
    }
    for (std::thread& t : pool)
        t.join();
}

} // namespace taskline
