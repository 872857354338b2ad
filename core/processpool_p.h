#pragma once

// ProcessPool's per-worker record, shared by processpool.cpp (start, dispatch, frames) and processpool_exit.cpp
// (deaths, reaping, ending the pool).

#include "processpool.h"

#include <QByteArray>
#include <cstdint>
#include <deque>

namespace taskline {

struct ProcessPool::Slot
{
    int id = -1; // the worker's id in the registry: its lane
    int number = 0; // "process-N", in start order over the run
    Recorder rec; // its lane; written only by the pool's thread
    int64_t pid = 0;
    int fd = -1; // the app's end of its socket (non-blocking); -1 once closed
    int statusFd = -1; // forkserver: the pipe its exit report comes on
    SlotState state = SlotState::Starting;
    bool ready = false; // it said hello
    int task = -1; // the task sent to it, or waiting for it to start; -1 none
    bool workerSpoke = false; // the worker's own events for `task` arrived
    TaskState lastState = TaskState::Serializing; // of `task`, as last reported
    int lastStep = 0;
    int tasksDone = 0;
    int64_t startedNs = 0; // monotonic: start requested
    int64_t closedNs = 0; // monotonic: its socket closed
    bool killed = false; // we sent SIGKILL (a hung or misbehaving worker)
    QString refusal; // what it (or we) said was wrong, for the failure message
    wire::FrameReader reader;
    std::deque<QByteArray> out; // frame chunks still to write
    size_t outOffset = 0; // into out.front()
    bool hasPending = false; // `pending` is the task message prepared while it starts
    wire::TaskMsg pending;
};

} // namespace taskline
