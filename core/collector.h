#pragma once

#include "tracebatch.h"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace taskline {

class UtilSampler;
class WorkerRegistry;

// Drains every worker's buffer in bulk (every kPeriod), orders the events by time, samples utilization, and hands
// batches to a sink. Events younger than kHoldBack stay back one round: a worker may stamp an event just before
// the collector drains its buffer and publish it just after, and holding back keeps batches in time order across
// workers. stop() releases everything.
class Collector
{
public:
    using Sink = std::function<void(TraceBatch&&)>; // called on the collector thread
    static constexpr int64_t kPeriodNs = 10'000'000; // also the utilization sampling period (design: <= 20 ms)
    static constexpr int64_t kHoldBackNs = 20'000'000;

    Collector(WorkerRegistry& registry, UtilSampler& sampler, Sink sink, std::function<int()> tasksFinished);
    ~Collector();

    // Thread: the run's thread.
    void start();
    // Thread: the run's thread. Drains what is left, emits the last batch and joins.
    void stop();
    uint64_t eventsCollected() const { return m_events.load(std::memory_order_relaxed); }

private:
    void loop();
    void collect(bool final);

    WorkerRegistry& m_registry;
    UtilSampler& m_sampler;
    Sink m_sink;
    std::function<int()> m_tasksFinished;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_cond;
    bool m_stopping = false;
    std::vector<Event> m_pending; // drained but held back
    std::atomic<uint64_t> m_events { 0 };
};

} // namespace taskline
