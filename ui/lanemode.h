#pragma once

namespace taskline {

enum class LaneMode
{
    ByWorker, // a lane per worker (main, thread-1 …, loop, process-1 …), plus the GIL lane in threads mode
    ByTask, // a lane per task
};

} // namespace taskline
