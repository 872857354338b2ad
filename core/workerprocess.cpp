#include "workerprocess.h"

#include "calibration.h"
#include "clock.h"
#include "eventbuffer.h"
#include "framereader.h"
#include "httpfetch.h"
#include "runcontext.h"
#include "stopper.h"
#include "taskrunner.h"
#include "workereventstream.h"
#include "workerprotocol.h"

#include <QFileInfo>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <optional>
#include <spawn.h>
#include <unistd.h>

extern char** environ;

namespace taskline {

namespace {

std::mutex g_exeMutex;
QString g_exe;

// A payload is the app's data, copied to the worker: the worker has no business building its own copy.
QString checkPayloads(const wire::TaskMsg& msg)
{
    for (size_t i = 0; i < msg.steps.size(); ++i) {
        const Step& s = msg.steps[i];
        const qsizetype got = i < msg.inputs.size() ? msg.inputs[i].size() : 0;
        if (s.kind == StepKind::Compute && s.compute.payloadBytes > 0 && got != s.compute.payloadBytes)
            return QStringLiteral("task %1, step %2: payload_bytes is %3 but %4 bytes were sent")
                .arg(msg.taskId)
                .arg(i + 1)
                .arg(s.compute.payloadBytes)
                .arg(got);
    }
    return QString();
}

// Runs one task the app sent and sends back its events and its result.
bool runTask(const wire::TaskMsg& msg, WorkerEventStream& stream, EventBuffer& buffer, QString* error)
{
    // Calibration::fromRates reads /proc/cpuinfo for its key: build it once per distinct rates, not per task.
    static std::optional<Calibration> calibration;
    static std::pair<double, double> rates;
    if (!calibration || rates != std::pair(msg.regexBytesPerMs, msg.hashBytesPerMs)) {
        calibration = Calibration::fromRates(msg.regexBytesPerMs, msg.hashBytesPerMs);
        rates = { msg.regexBytesPerMs, msg.hashBytesPerMs };
    }
    Stopper stopper; // never requested: the app stops workers with signals
    RunContext ctx;
    ctx.settings.mode = Mode::Processes;
    ctx.settings.gil = false; // this process's own GIL: nobody else in here wants it
    ctx.calibration = &*calibration;
    ctx.stop = &stopper;
    ctx.outcomes.resize(1);

    // The worker runs the task as local task 0 (its outcome slot); the stream puts the app's id back.
    TaskInstance task;
    task.id = 0;
    task.steps = msg.steps;
    const bool returnsPage = !task.steps.empty() && task.steps.back().kind == StepKind::Fetch;
    Recorder rec(&buffer, msg.workerId, msg.runStartNs);
    TaskRunner runner(ctx, rec, nullptr);
    runner.setStepInputs(msg.inputs); // the payloads the app shipped
    runner.setPageSeed(msg.taskId);
    runner.setKeepLastBody(returnsPage);
    stream.begin(msg.taskId);
    runner.run(task);

    const TaskOutcome& outcome = ctx.outcomes[0];
    wire::ResultMsg result;
    result.taskId = msg.taskId;
    result.ok = outcome.finished && outcome.ok;
    result.error = outcome.error;
    result.metaTags = outcome.metaTags;
    result.bytesFetched = outcome.bytesFetched;
    result.cpuNs = processCpuNs();
    // Pool.map returns what the function returns: for fetch-and-scan style tasks that is the page.
    if (returnsPage && result.ok)
        result.value = runner.lastBody();
    return stream.finish(wire::encodeResult(result), error);
}

} // namespace

QString WorkerProcess::executable(QString* error)
{
    {
        std::lock_guard lock(g_exeMutex);
        if (!g_exe.isEmpty())
            return g_exe;
    }
    // The taskline binary starts copies of itself: /proc/self/exe is exactly this build even if the file on disk
    // was replaced since, so the worker always speaks the app's protocol version.
    char self[4096];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = 0;
        QString name = QFileInfo(QString::fromLocal8Bit(self)).fileName();
        name.remove(QStringLiteral(" (deleted)"));
        if (name == QLatin1String("taskline"))
            return QStringLiteral("/proc/self/exe");
    }
    const QString env = qEnvironmentVariable("TASKLINE_BINARY");
    if (!env.isEmpty()) {
        if (::access(env.toLocal8Bit().constData(), X_OK) != 0) {
            if (error)
                *error = QStringLiteral("TASKLINE_BINARY is %1, which is not an executable file").arg(env);
            return QString();
        }
        return env;
    }
    if (error)
        *error = QStringLiteral("this program is not the taskline binary and TASKLINE_BINARY is not set, so there "
                                "is no program to start worker processes with");
    return QString();
}

void WorkerProcess::setExecutable(const QString& path)
{
    std::lock_guard lock(g_exeMutex);
    g_exe = path;
}

int64_t WorkerProcess::spawn(const char* subcommand, int fd, QString* error)
{
    const QString exe = executable(error);
    if (exe.isEmpty())
        return -1;
    const QByteArray path = exe.toLocal8Bit();
    // argv[0] names the real file, so that ps and top show "taskline worker", not "/proc/self/exe worker".
    QByteArray name = path;
    if (path == "/proc/self/exe") {
        char self[4096];
        const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
        if (n > 0)
            name = QByteArray(self, n);
    }
    // dup2 onto itself would keep close-on-exec: move a descriptor that already is 3 out of the way first.
    const int src = fd == 3 ? ::fcntl(fd, F_DUPFD_CLOEXEC, 10) : fd;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, src, 3);
    // Descriptors of other workers, the lab server's sockets, fetches in flight: none of them is the worker's.
    posix_spawn_file_actions_addclosefrom_np(&actions, 4);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int sig : { SIGPIPE, SIGTERM, SIGCHLD, SIGHUP, SIGQUIT })
        sigaddset(&defaults, sig);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    char fdArg[] = "3";
    char fdFlag[] = "--fd";
    char* argv[] = { const_cast<char*>(name.constData()), const_cast<char*>(subcommand), fdFlag, fdArg, nullptr };
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, path.constData(), &actions, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (src != fd)
        ::close(src);
    if (rc != 0) {
        if (error)
            *error = QStringLiteral("cannot start %1 %2: %3")
                         .arg(exe, QLatin1String(subcommand), QString::fromLocal8Bit(strerror(rc)));
        return -1;
    }
    return pid;
}

int parseFdArgument(int argc, char** argv)
{
    for (int i = 2; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], "--fd") == 0) {
            char* end = nullptr;
            const long fd = std::strtol(argv[i + 1], &end, 10);
            if (end && *end == 0 && fd >= 0 && fd < 1 << 20 && ::fcntl(int(fd), F_GETFD) != -1)
                return int(fd);
        }
    }
    return -1;
}

int WorkerProcess::main(int argc, char** argv)
{
    const int64_t started = monotonicNs();
    const int fd = parseFdArgument(argc, argv);
    if (fd < 0) {
        std::fprintf(stderr,
            "taskline worker: internal command of processes mode, started by taskline itself; "
            "needs --fd N (an open socket to the app)\n");
        return kExitUsage;
    }
    return serve(fd, started);
}

int WorkerProcess::serve(int fd, int64_t startedNs)
{
    // A write to an app that went away must be an error, not a signal; Ctrl+C in a terminal is the app's to
    // handle (it stops the run and ends its workers).
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGINT, SIG_IGN);
    // What a fresh taskline needs before it can run tasks (a forked worker inherited all of it).
    initNetworking();

    EventBuffer buffer(size_t(1) << 14);
    WorkerEventStream stream(fd, &buffer);
    QString error;
    wire::HelloMsg hello;
    hello.pid = ::getpid();
    hello.initNs = monotonicNs() - startedNs;
    if (!stream.send(wire::encodeHello(hello), &error))
        return kExitOrphaned;

    wire::FrameReader reader;
    for (;;) {
        const auto status = reader.readFrom(fd);
        if (status == wire::FrameReader::Status::Eof)
            return kExitOk; // the app closed the pool
        if (status == wire::FrameReader::Status::Error) {
            std::fprintf(stderr, "taskline worker %d: %s\n", int(::getpid()), qPrintable(reader.error()));
            stream.send(wire::encodeError(reader.error()), nullptr);
            return kExitProtocol;
        }
        if (status != wire::FrameReader::Status::Frame)
            continue;
        if (reader.type() == wire::MsgType::Shutdown)
            return kExitOk;
        wire::TaskMsg msg;
        if (reader.type() != wire::MsgType::Task) {
            error = QStringLiteral("a worker does not accept %1 messages")
                        .arg(QLatin1String(wire::msgTypeName(reader.type())));
        } else {
            if (wire::decodeTask(reader.takeBody(), &msg, &error))
                error = checkPayloads(msg);
        }
        if (!error.isEmpty()) {
            std::fprintf(stderr, "taskline worker %d: %s\n", int(::getpid()), qPrintable(error));
            stream.send(wire::encodeError(error), nullptr);
            return kExitProtocol;
        }
        if (!runTask(msg, stream, buffer, &error))
            return kExitOrphaned;
    }
}

} // namespace taskline
