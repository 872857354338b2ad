#pragma once

#include "eventbuffer.h"
#include "workerprotocol.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace taskline {

// In a worker process: streams the events that its TaskRunner records into a local buffer to the app while the
// task runs (every kPeriod, so that the app's collector gets them within its hold-back and the timeline stays
// live), and serializes every write to the socket. The task runs on the main thread; this small thread only
// drains and writes. Two rewrites make the worker's view the app's: the task id (the worker runs its task as
// local task 0), and done/failed become `serializing`: the function has returned, its result is being copied to
// the app, which records done or failed when the result has arrived.
// It also watches the socket while a task runs: if the app went away (hang-up), the worker exits at once instead
// of finishing a long compute as an orphan.
class WorkerEventStream
{
public:
    static constexpr int kPeriodMs = 2;

    WorkerEventStream(int fd, EventBuffer* buffer);
    ~WorkerEventStream();
    WorkerEventStream(const WorkerEventStream&) = delete;
    WorkerEventStream& operator=(const WorkerEventStream&) = delete;

    // Thread: the worker's main thread. Task `taskId` (the app's id) starts: stream its events.
    void begin(int taskId);
    // Thread: the worker's main thread. The task returned: sends its remaining events, then `result`.
    bool finish(const wire::OutFrame& result, QString* error);
    // Thread: any. Sends one frame (hello, error).
    bool send(const wire::OutFrame& frame, QString* error);

private:
    void loop();
    bool flushLocked(QString* error); // m_writeMutex held
    bool appWentAway() const;

    const int m_fd;
    EventBuffer* m_buffer;
    std::mutex m_writeMutex; // one writer on the socket at a time; also the buffer's single consumer
    std::vector<Event> m_scratch;
    int m_taskId = -1;

    std::mutex m_mutex; // guards m_active, m_quit
    std::condition_variable m_cond;
    bool m_active = false;
    bool m_quit = false;
    std::thread m_thread;
};

} // namespace taskline
