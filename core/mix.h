#pragma once

#include <QString>
#include <QStringList>
#include <cstdint>
#include <optional>
#include <vector>

namespace taskline {

enum class StepKind : uint8_t
{
    Compute,
    Fetch,
    Sleep,
};

enum class Kernel : uint8_t
{
    Regex, // find every <meta .*?> tag in HTML (QRegularExpression / PCRE2)
    Hash, // SHA-256 over a buffer
};

// How a compute step treats the emulated GIL (threads mode).
enum class GilBehaviour : uint8_t
{
    Interruptible, // pure Python: the GIL may change hands between chunks
    Holds, // one long C call that keeps the GIL: nobody else runs until it ends
    Releases, // C code that drops the GIL while it works (hashlib on big buffers, numpy)
};

enum class FetchClient : uint8_t
{
    Async, // event-loop friendly (aiohttp)
    Blocking, // urllib: in coroutines mode it blocks the whole loop
};

enum class Mode : uint8_t
{
    Sequential,
    Threads,
    Coroutines,
    Processes,
};
inline constexpr int kModeCount = 4;

enum class StartMethod : uint8_t
{
    Spawn,
    Forkserver,
};

struct ComputeStep
{
    double ms = 100; // calibrated: as much work as takes this long single-threaded on this machine
    Kernel kernel = Kernel::Regex;
    GilBehaviour gil = GilBehaviour::Interruptible;
    int64_t payloadBytes = 0; // data the step works on; 0 = the body of the previous fetch, else a default page
    bool operator==(const ComputeStep&) const = default;
};

struct FetchStep
{
    QString url; // lab:/PATH, http://… or https://…
    FetchClient client = FetchClient::Async;
    bool operator==(const FetchStep&) const = default;
};

struct SleepStep
{
    double ms = 0;
    bool operator==(const SleepStep&) const = default;
};

struct Step
{
    StepKind kind = StepKind::Compute;
    ComputeStep compute; // valid when kind == Compute
    FetchStep fetch; // valid when kind == Fetch
    SleepStep sleep; // valid when kind == Sleep
    // Compares the kind and its own member only: an editor that switches a step from fetch to compute may
    // keep the old URL around, and that leftover is not written to a file, so it must not make steps differ.
    bool operator==(const Step&) const;

    static Step makeCompute(double ms, Kernel kernel = Kernel::Regex, GilBehaviour gil = GilBehaviour::Interruptible,
        int64_t payloadBytes = 0);
    static Step makeFetch(const QString& url, FetchClient client = FetchClient::Async);
    static Step makeSleep(double ms);
    // Compact text for tables: "fetch 200 ms", "regex 100 ms", "sleep 50 ms", "hash 20 ms (releases GIL)".
    QString describe() const;
};

struct TaskSpec
{
    QString name;
    int count = 1;
    std::vector<Step> steps;
    bool operator==(const TaskSpec&) const = default;
    // "fetch 200 ms → regex 100 ms"
    QString describeSteps() const;
};

// Defaults stored in the mix; the GUI or the command line may override them.
struct MixSettings
{
    std::optional<Mode> mode;
    std::optional<int> workers;
    std::optional<bool> gil;
    std::optional<double> switchIntervalMs;
    std::optional<StartMethod> startMethod;
    std::optional<bool> offload;
    std::optional<int> limit; // coroutines: at most this many tasks in flight (asyncio.Semaphore)
    std::optional<int> maxTasksPerChild; // processes: replace a worker after this many tasks
    bool operator==(const MixSettings&) const = default;
};

struct Mix
{
    QString name;
    QString description;
    std::vector<TaskSpec> tasks;
    MixSettings settings;
    bool operator==(const Mix&) const = default;

    int expandedTaskCount() const;
    bool usesLabServer() const;
};

// A task of a run: a TaskSpec repeated `count` times becomes `count` instances.
struct TaskInstance
{
    int id = 0; // index in the run's task list
    int specIndex = 0; // index into Mix::tasks
    QString name; // "page#3" when the spec's name occurs more than once, else the name
    std::vector<Step> steps;
};
// Expands counts in mix order: [a×2, b] → a#1, a#2, b.  Names repeat across specs are numbered too.
std::vector<TaskInstance> expandTasks(const Mix& mix);

// Settings of one run, fully resolved (mix settings, then overrides).
struct RunSettings
{
    Mode mode = Mode::Threads;
    int workers = 0; // 0 = the mode's default (threads, coroutines' offload pool: min(32, cores + 4); processes: cores)
    bool gil = true;
    double switchIntervalMs = 5.0;
    StartMethod startMethod = StartMethod::Forkserver; // CPython 3.14's default on Linux
    bool offload = false;
    int limit = 0; // 0 = no limit
    int maxTasksPerChild = 0; // 0 = workers live for the whole run

    static RunSettings fromMix(const MixSettings& s);
    int effectiveWorkers(int cores) const;
};

const char* modeName(Mode m); // "sequential", ...
QString modeLabel(Mode m); // "Sequential", "Threads", ...
bool modeFromName(QStringView name, Mode* out);
const char* kernelName(Kernel k);
bool kernelFromName(QStringView name, Kernel* out);
const char* gilBehaviourName(GilBehaviour g);
bool gilBehaviourFromName(QStringView name, GilBehaviour* out);
const char* fetchClientName(FetchClient c);
bool fetchClientFromName(QStringView name, FetchClient* out);
const char* startMethodName(StartMethod m);
bool startMethodFromName(QStringView name, StartMethod* out);

} // namespace taskline
