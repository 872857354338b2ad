#pragma once

#include <coroutine>
#include <exception>
#include <utility>

namespace taskline {

// The coroutine type of a task in coroutines mode: what `async def` returns. It starts suspended (the executor
// schedules it, as asyncio.create_task does with call_soon), stays suspended at the end until its owner looks at
// it, and owns its frame: destroying a CoTask destroys the frame with every local in it (a stopped run destroys
// the frames of coroutines still suspended in an await).
// Thread: the event loop's.
class CoTask
{
public:
    struct promise_type
    {
        std::exception_ptr exception;

        CoTask get_return_object() { return CoTask(std::coroutine_handle<promise_type>::from_promise(*this)); }
        std::suspend_always initial_suspend() noexcept { return {}; }
        std::suspend_always final_suspend() noexcept { return {}; }
        void return_void() { }
        void unhandled_exception() { exception = std::current_exception(); }
    };

    CoTask() = default;
    CoTask(CoTask&& o) noexcept
        : m_handle(std::exchange(o.m_handle, {}))
    { }
    CoTask& operator=(CoTask&& o) noexcept
    {
        if (this != &o) {
            reset();
            m_handle = std::exchange(o.m_handle, {});
        }
        return *this;
    }
    CoTask(const CoTask&) = delete;
    CoTask& operator=(const CoTask&) = delete;
    ~CoTask() { reset(); }

    bool isValid() const { return bool(m_handle); }
    bool isDone() const { return m_handle && m_handle.done(); }
    std::coroutine_handle<> handle() const { return m_handle; }
    std::exception_ptr exception() const { return m_handle ? m_handle.promise().exception : nullptr; }
    // Destroys the frame (wherever it is suspended).
    void reset()
    {
        if (m_handle)
            m_handle.destroy();
        m_handle = {};
    }

private:
    explicit CoTask(std::coroutine_handle<promise_type> h)
        : m_handle(h)
    { }
    std::coroutine_handle<promise_type> m_handle;
};

} // namespace taskline
