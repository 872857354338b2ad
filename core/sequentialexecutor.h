#pragma once

#include "executor.h"

namespace taskline {

// The crude baseline: every task on the main thread, one after another (a plain for loop).
class SequentialExecutor : public Executor
{
public:
    void run(RunContext& ctx) override;
};

} // namespace taskline
