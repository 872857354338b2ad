#pragma once

#include "executor.h"

namespace taskline {

// asyncio: one thread runs an event loop (EventLoop, epoll) and every task is a coroutine (CoTask) started at once,
// as by asyncio.gather, that gives the loop back only where it awaits: a sleep, an async fetch (libcurl's multi
// interface on the loop), an offloaded compute (--offload: asyncio.to_thread), a --limit semaphore slot. Compute
// steps and blocking fetches run inline and stall every other coroutine. One worker "loop" (WorkerKind::Loop), plus
// "offload-N" pool threads with --offload.
class CoroutineExecutor : public Executor
{
public:
    // The loop's event buffer: every task starts (and records) at once, and the collector drains only every 10 ms,
    // so it holds 16 events per task, up to 2^20 (32 MiB; touching the pages of that much costs about 10 ms, so
    // small runs get the usual 2^16).
    static size_t loopBufferEvents(size_t tasks);

    void run(RunContext& ctx) override;
};

} // namespace taskline
