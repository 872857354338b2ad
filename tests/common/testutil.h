#pragma once

// Helpers shared by the engine tests: build small mixes in code and run them into a TraceStore.

#include "labserver.h"
#include "mix.h"
#include "run.h"
#include "tracestore.h"

#include <QString>
#include <algorithm>
#include <vector>

namespace taskline::test {

// Sanitizer builds run 2–15× slower and unevenly: timing shapes (ratios, 5 ms handovers) mean nothing there, so
// tests that assert them skip under a sanitizer and keep their behaviour checks.
constexpr bool underSanitizer()
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    return true;
#else
    return false;
#endif
}
#define TASKLINE_SKIP_TIMING_UNDER_SANITIZER()                                                                         \
    do {                                                                                                               \
        if (taskline::test::underSanitizer())                                                                          \
            QSKIP("timing shapes are not meaningful in a sanitizer build");                                            \
    } while (false)

inline TaskSpec task(const QString& name, int count, std::vector<Step> steps)
{
    TaskSpec t;
    t.name = name;
    t.count = count;
    t.steps = std::move(steps);
    return t;
}

inline Mix mixOf(const QString& name, std::vector<TaskSpec> tasks)
{
    Mix m;
    m.name = name;
    m.tasks = std::move(tasks);
    return m;
}

inline RunSettings settingsFor(Mode mode, int workers = 0, bool gil = true, double switchMs = 5.0)
{
    RunSettings s;
    s.mode = mode;
    s.workers = workers;
    s.gil = gil;
    s.switchIntervalMs = switchMs;
    return s;
}

inline QString labUrl(int delayMs, int bytes = 20000)
{
    return QStringLiteral("lab:/delay?ms=%1&bytes=%2").arg(delayMs).arg(bytes);
}

struct Ran
{
    RunResult result;
    TraceStore store;
    double wallMs() const { return double(result.wallNs) / 1e6; }
};

inline Ran runMix(const Mix& mix, const RunSettings& settings)
{
    Ran r;
    QString labBase;
    if (mix.usesLabServer())
        labBase = LabServer::sharedBaseUrl();
    r.result = runToStore(mix, settings, labBase, &r.store);
    return r;
}

// The spans of `task` in `state`.
inline std::vector<Span> spansOf(const TraceStore& store, int task, TaskState state)
{
    std::vector<Span> out;
    for (uint32_t i : store.taskSpans(task))
        if (store.spans()[i].state == state)
            out.push_back(store.spans()[i]);
    return out;
}

inline double ms(int64_t ns)
{
    return double(ns) / 1e6;
}

inline double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace taskline::test
