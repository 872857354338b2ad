#pragma once

#include "executor.h"

namespace taskline {

// A pool like concurrent.futures.ThreadPoolExecutor: `workers` real OS threads (default min(32, cores + 4)),
// created as tasks are submitted, taking tasks from one queue in order. With the GIL on (default) only the
// holder computes; with it off (free-threaded Python) threads compute in parallel.
class ThreadExecutor : public Executor
{
public:
    void run(RunContext& ctx) override;
};

} // namespace taskline
