#include "collector.h"

#include "clock.h"
#include "utilsampler.h"
#include "workerregistry.h"

#include <algorithm>
#include <pthread.h>

namespace taskline {

Collector::Collector(WorkerRegistry& registry, UtilSampler& sampler, Sink sink, std::function<int()> tasksFinished)
    : m_registry(registry)
    , m_sampler(sampler)
    , m_sink(std::move(sink))
    , m_tasksFinished(std::move(tasksFinished))
{ }

Collector::~Collector()
{
    if (m_thread.joinable())
        stop();
}

void Collector::start()
{
    m_thread = std::thread([this] {
        pthread_setname_np(pthread_self(), "tl-collector");
        loop();
    });
}

void Collector::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_cond.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void Collector::loop()
{
    auto next = std::chrono::steady_clock::now();
    for (;;) {
        next += std::chrono::nanoseconds(kPeriodNs);
        {
            std::unique_lock lock(m_mutex);
            if (m_cond.wait_until(lock, next, [this] { return m_stopping; }))
                break;
        }
        collect(false);
        const auto now = std::chrono::steady_clock::now();
        if (next < now - std::chrono::milliseconds(100))
            next = now; // fell far behind (machine overloaded): don't burst to catch up
    }
    collect(true);
}

void Collector::collect(bool final)
{
    TraceBatch batch;
    const size_t before = m_pending.size();
    m_registry.drainAll(m_pending);
    m_events.fetch_add(m_pending.size() - before, std::memory_order_relaxed);
    // Stable: events of one worker with equal stamps keep their order.
    std::stable_sort(
        m_pending.begin(), m_pending.end(), [](const Event& a, const Event& b) { return a.timeNs < b.timeNs; });
    const int64_t now = monotonicNs() - m_registry.runStartNs();
    if (final) {
        batch.events.swap(m_pending);
    } else {
        const int64_t cutoff = now - kHoldBackNs;
        auto split = std::partition_point(
            m_pending.begin(), m_pending.end(), [cutoff](const Event& e) { return e.timeNs <= cutoff; });
        batch.events.assign(m_pending.begin(), split);
        m_pending.erase(m_pending.begin(), split);
    }
    UtilSample sample;
    if (m_sampler.sample(&sample))
        batch.samples.push_back(std::move(sample));
    batch.workers = m_registry.workers();
    batch.droppedTotal = m_registry.dropped();
    batch.tasksFinished = m_tasksFinished ? m_tasksFinished() : 0;
    batch.timeNs = now;
    m_sink(std::move(batch));
}

} // namespace taskline
