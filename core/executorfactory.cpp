#include "coroutineexecutor.h"
#include "executor.h"
#include "processexecutor.h"
#include "sequentialexecutor.h"
#include "threadexecutor.h"

namespace taskline {

std::unique_ptr<Executor> makeExecutor(Mode mode)
{
    switch (mode) {
    case Mode::Sequential:
        return std::make_unique<SequentialExecutor>();
    case Mode::Threads:
        return std::make_unique<ThreadExecutor>();
    case Mode::Coroutines:
        return std::make_unique<CoroutineExecutor>();
    case Mode::Processes:
        return std::make_unique<ProcessExecutor>();
    }
    return nullptr;
}

bool isModeAvailable(Mode mode)
{
    return makeExecutor(mode) != nullptr;
}

} // namespace taskline
