#pragma once

#include "event.h"

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

namespace taskline {

// A single-producer single-consumer ring of events: one per worker (Tracy's per-thread queues). The worker
// pushes without locks; the collector drains in bulk. When the collector falls behind and the ring is full,
// the event is dropped and counted: overflow is reported, never silent.
class EventBuffer
{
public:
    static constexpr size_t kDefaultCapacity = size_t(1) << 16; // 2 MiB of events; ~6 M events/s at 10 ms drains

    explicit EventBuffer(size_t capacity = kDefaultCapacity)
        : m_mask(roundUpPow2(capacity) - 1)
        , m_data(new Event[m_mask + 1])
    { }
    EventBuffer(const EventBuffer&) = delete;
    EventBuffer& operator=(const EventBuffer&) = delete;

    // Thread: the owning worker only, lock-free. Returns false when the ring was full (the event is counted).
    bool push(const Event& e)
    {
        const size_t head = m_head.load(std::memory_order_relaxed);
        if (head - m_tail.load(std::memory_order_acquire) > m_mask) {
            m_dropped.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        m_data[head & m_mask] = e;
        m_head.store(head + 1, std::memory_order_release);
        return true;
    }

    // Thread: the collector only. Appends every published event to `out`; returns how many.
    size_t drainTo(std::vector<Event>& out)
    {
        const size_t tail = m_tail.load(std::memory_order_relaxed);
        const size_t head = m_head.load(std::memory_order_acquire);
        for (size_t i = tail; i != head; ++i)
            out.push_back(m_data[i & m_mask]);
        m_tail.store(head, std::memory_order_release);
        return head - tail;
    }

    // Thread: any.
    uint64_t dropped() const { return m_dropped.load(std::memory_order_relaxed); }
    size_t capacity() const { return m_mask + 1; }

private:
    static size_t roundUpPow2(size_t n)
    {
        size_t p = 2;
        while (p < n)
            p <<= 1;
        return p;
    }

    const size_t m_mask;
    std::unique_ptr<Event[]> m_data;
    alignas(64) std::atomic<size_t> m_head { 0 }; // written by the producer
    alignas(64) std::atomic<size_t> m_tail { 0 }; // written by the consumer
    alignas(64) std::atomic<uint64_t> m_dropped { 0 };
};

} // namespace taskline
