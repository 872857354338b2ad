#include "cli.h"

#include "calibration.h"
#include "chrometrace.h"
#include "executor.h"
#include "httpfetch.h"
#include "labserver.h"
#include "mixformat.h"
#include "run.h"
#include "summary.h"
#include "tracestore.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>
#include <csignal>
#include <cstdio>

namespace taskline {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitRunFailed = 1;
constexpr int kExitBadInput = 2;

QTextStream& out()
{
    static QTextStream s(stdout);
    return s;
}
QTextStream& err()
{
    static QTextStream s(stderr);
    return s;
}

int bad(const QString& message)
{
    err() << "taskline: " << message << Qt::endl;
    return kExitBadInput;
}

const char* kUsage = R"(Usage:
  taskline                              the GUI, with the default preset open
  taskline FILE.taskline.json           the GUI with that mix open
  taskline run MIX [options]            run a mix headless and print its summary
  taskline presets                      list the built-in mixes (MIX may be preset:NAME)
  taskline serve [--port N]             run the lab server alone
  taskline calibrate                    measure the compute kernels again on this machine
  taskline --version | --help

Options of run:
  --mode MODE                 sequential, threads, coroutines, processes, or all
  --workers N                 pool size (threads, and --offload's: min(32, cores+4); processes: cores)
  --gil on|off                threads and --offload: emulate CPython's GIL (on) or free-threaded Python (off)
  --switch-interval-ms X      the GIL's switch interval (default 5, as sys.getswitchinterval())
  --start-method spawn|forkserver   processes mode (default forkserver, as CPython 3.14 on Linux)
  --max-tasks-per-child N     processes mode: replace a worker after N tasks (Pool's maxtasksperchild)
  --offload                   coroutines mode: compute steps go to a thread pool (asyncio.to_thread)
  --limit N                   coroutines mode: at most N tasks in flight (asyncio.Semaphore)
  --summary-json FILE|-       write taskline-summary/1 (or taskline-compare/1 with --mode all)
  --trace FILE                write Chrome Trace Event JSON (Perfetto, chrome://tracing)
  --csv FILE                  write every span as CSV
  --png FILE, --svg FILE      write a picture of the timeline
  --quiet                     do not print the summary table

Exit status: 0 done, 2 bad input, 1 a run failed.
)";

struct RunArgs
{
    QString mix;
    QString mode; // empty: the mix's
    std::optional<int> workers;
    std::optional<bool> gil;
    std::optional<double> switchIntervalMs;
    std::optional<StartMethod> startMethod;
    bool offload = false;
    std::optional<int> limit;
    std::optional<int> maxTasksPerChild;
    QString summaryJson, trace, csv, png, svg;
    bool quiet = false;
};

bool parseInt(const QString& option, const QString& value, int min, int max, int* out, QString* error)
{
    bool ok = false;
    const int v = value.toInt(&ok);
    if (!ok || v < min || v > max) {
        *error = QStringLiteral("%1: expected a whole number from %2 to %3, got \"%4\"")
                     .arg(option)
                     .arg(min)
                     .arg(max)
                     .arg(value);
        return false;
    }
    *out = v;
    return true;
}

bool parseRunArgs(const QStringList& args, RunArgs* r, QString* error)
{
    for (int i = 1; i < args.size(); ++i) {
        const QString a = args[i];
        auto value = [&](QString* v) {
            if (i + 1 >= args.size()) {
                *error = QStringLiteral("%1 needs a value").arg(a);
                return false;
            }
            *v = args[++i];
            return true;
        };
        QString v;
        if (a == QLatin1String("--mode")) {
            if (!value(&v))
                return false;
            Mode m;
            if (v != QLatin1String("all") && !modeFromName(v, &m)) {
                *error = QStringLiteral(
                    "--mode: unknown mode \"%1\" (expected sequential, threads, coroutines, processes or all)")
                             .arg(v);
                return false;
            }
            r->mode = v;
        } else if (a == QLatin1String("--workers")) {
            int n;
            if (!value(&v) || !parseInt(a, v, 1, kMaxWorkers, &n, error))
                return false;
            r->workers = n;
        } else if (a == QLatin1String("--gil")) {
            if (!value(&v))
                return false;
            if (v != QLatin1String("on") && v != QLatin1String("off")) {
                *error = QStringLiteral("--gil: expected on or off, got \"%1\"").arg(v);
                return false;
            }
            r->gil = v == QLatin1String("on");
        } else if (a == QLatin1String("--switch-interval-ms")) {
            if (!value(&v))
                return false;
            bool ok = false;
            const double x = v.toDouble(&ok);
            if (!ok || !(x >= 0.1 && x <= 1000)) {
                *error
                    = QStringLiteral("--switch-interval-ms: expected milliseconds from 0.1 to 1000, got \"%1\"").arg(v);
                return false;
            }
            r->switchIntervalMs = x;
        } else if (a == QLatin1String("--start-method")) {
            if (!value(&v))
                return false;
            StartMethod m;
            if (!startMethodFromName(v, &m)) {
                *error = QStringLiteral("--start-method: expected spawn or forkserver, got \"%1\"").arg(v);
                return false;
            }
            r->startMethod = m;
        } else if (a == QLatin1String("--offload")) {
            r->offload = true;
        } else if (a == QLatin1String("--limit")) {
            int n;
            if (!value(&v) || !parseInt(a, v, 1, kMaxExpandedTasks, &n, error))
                return false;
            r->limit = n;
        } else if (a == QLatin1String("--max-tasks-per-child")) {
            int n;
            if (!value(&v) || !parseInt(a, v, 1, kMaxTasksPerChild, &n, error))
                return false;
            r->maxTasksPerChild = n;
        } else if (a == QLatin1String("--summary-json")) {
            if (!value(&r->summaryJson))
                return false;
        } else if (a == QLatin1String("--trace")) {
            if (!value(&r->trace))
                return false;
        } else if (a == QLatin1String("--csv")) {
            if (!value(&r->csv))
                return false;
        } else if (a == QLatin1String("--png")) {
            if (!value(&r->png))
                return false;
        } else if (a == QLatin1String("--svg")) {
            if (!value(&r->svg))
                return false;
        } else if (a == QLatin1String("--quiet") || a == QLatin1String("-q")) {
            r->quiet = true;
        } else if (a.startsWith(QLatin1Char('-'))) {
            *error = QStringLiteral("run: unknown option %1 (see taskline --help)").arg(a);
            return false;
        } else if (r->mix.isEmpty()) {
            r->mix = a;
        } else {
            *error = QStringLiteral("run: more than one mix given (\"%1\" and \"%2\")").arg(r->mix, a);
            return false;
        }
    }
    if (r->mix.isEmpty()) {
        *error = QStringLiteral("run: no mix given (a .taskline.json file or preset:NAME; see taskline presets)");
        return false;
    }
    return true;
}

// A run stopped by Ctrl+C still prints what it measured.
Run* g_activeRun = nullptr;
void onSigint(int)
{
    if (g_activeRun)
        g_activeRun->requestStop();
}

// Suffix so that per-mode files of --mode all do not overwrite each other: out.json → out.threads.json.
QString perModePath(const QString& path, Mode m, bool many)
{
    if (!many || path.isEmpty() || path == QLatin1String("-"))
        return path;
    const int dot = path.lastIndexOf(QLatin1Char('.'));
    const int slash = path.lastIndexOf(QLatin1Char('/'));
    const QString mode = QLatin1String(modeName(m));
    if (dot > slash + 1)
        return path.left(dot) + QLatin1Char('.') + mode + path.mid(dot);
    return path + QLatin1Char('.') + mode;
}

int cmdRun(const QStringList& args)
{
    RunArgs a;
    QString error;
    if (!parseRunArgs(args, &a, &error))
        return bad(error);
    if (!a.png.isEmpty() || !a.svg.isEmpty())
        return bad(QStringLiteral("--png and --svg are not available yet"));

    Mix mix;
    MixError mixError;
    if (!loadMix(a.mix, &mix, &mixError))
        return bad(mixError.toString());

    RunSettings base = RunSettings::fromMix(mix.settings);
    if (a.workers)
        base.workers = *a.workers;
    if (a.gil)
        base.gil = *a.gil;
    if (a.switchIntervalMs)
        base.switchIntervalMs = *a.switchIntervalMs;
    if (a.startMethod)
        base.startMethod = *a.startMethod;
    if (a.offload)
        base.offload = true;
    if (a.limit)
        base.limit = *a.limit;
    if (a.maxTasksPerChild)
        base.maxTasksPerChild = *a.maxTasksPerChild;

    std::vector<Mode> modes;
    if (a.mode == QLatin1String("all")) {
        for (int m = 0; m < kModeCount; ++m)
            modes.push_back(Mode(m));
    } else {
        Mode m = base.mode;
        if (!a.mode.isEmpty())
            modeFromName(a.mode, &m);
        modes.push_back(m);
    }
    for (Mode m : modes) {
        if (!isModeAvailable(m))
            return bad(QStringLiteral("the %1 mode is not available yet").arg(QLatin1String(modeName(m))));
    }

    QString labBase;
    if (mix.usesLabServer()) {
        labBase = LabServer::sharedBaseUrl(&error);
        if (labBase.isEmpty()) {
            err() << "taskline: the lab server could not start: " << error << Qt::endl;
            return kExitRunFailed;
        }
    }

    // With JSON on stdout, the table goes to stderr so that stdout stays parseable.
    QTextStream& table = a.summaryJson == QLatin1String("-") ? err() : out();
    const bool many = modes.size() > 1;
    QJsonArray runs;
    bool allOk = true;
    std::signal(SIGINT, onSigint);
    for (Mode m : modes) {
        RunSettings settings = base;
        settings.mode = m;
        if (many && m != Mode::Threads && !a.workers && !mix.settings.workers)
            settings.workers = 0; // each mode's own default
        TraceStore store;
        store.reset(expandTasks(mix));
        RunOptions options;
        options.labBaseUrl = labBase;
        options.sink = [&store](TraceBatch&& b) { store.append(b); };
        Run run(mix, settings, options);
        g_activeRun = &run;
        const RunResult result = run.execute();
        g_activeRun = nullptr;
        store.finish(result.wallNs);
        const RunSummary summary = summarize(result, store);
        if (!result.ok())
            allOk = false;
        if (!a.quiet) {
            table << summaryToText(summary);
            if (many)
                table << "\n";
            table.flush();
        }
        runs.append(summaryToJson(summary));
        if (!a.trace.isEmpty() && !writeChromeTrace(perModePath(a.trace, m, many), store, summary, &error))
            return bad(error);
        if (!a.csv.isEmpty() && !writeSpansCsv(perModePath(a.csv, m, many), store, &error))
            return bad(error);
        if (result.stopped)
            break;
    }
    std::signal(SIGINT, SIG_DFL);

    if (!a.summaryJson.isEmpty()) {
        QJsonObject doc;
        if (many) {
            doc.insert(QLatin1String("format"), QLatin1String(kCompareFormat));
            doc.insert(QLatin1String("runs"), runs);
        } else {
            doc = runs.first().toObject();
        }
        const QByteArray json = QJsonDocument(doc).toJson(QJsonDocument::Indented);
        if (a.summaryJson == QLatin1String("-")) {
            out().flush();
            std::fwrite(json.constData(), 1, size_t(json.size()), stdout);
            std::fflush(stdout);
        } else {
            QFile f(a.summaryJson);
            if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(json) != json.size())
                return bad(QStringLiteral("%1: cannot write: %2").arg(a.summaryJson, f.errorString()));
        }
    }
    return allOk ? kExitOk : kExitRunFailed;
}

int cmdPresets()
{
    for (const QString& name : presetNames()) {
        Mix mix;
        MixError e;
        if (loadMix(QStringLiteral("preset:") + name, &mix, &e))
            out() << name.leftJustified(16) << mix.name << (name == QLatin1String(kDefaultPreset) ? "  (default)" : "")
                  << "\n";
        else
            out() << name.leftJustified(16) << "(broken: " << e.toString() << ")\n";
    }
    return kExitOk;
}

int cmdServe(const QStringList& args)
{
    int port = 0;
    QString error;
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--port") && i + 1 < args.size()) {
            if (!parseInt(QStringLiteral("--port"), args[++i], 0, 65535, &port, &error))
                return bad(error);
        } else {
            return bad(QStringLiteral("serve: unknown argument %1 (usage: taskline serve [--port N])").arg(args[i]));
        }
    }
    LabServer server;
    if (!server.start(uint16_t(port), &error)) {
        err() << "taskline: the lab server could not start: " << error << Qt::endl;
        return kExitRunFailed;
    }
    out() << "lab server listening on " << server.baseUrl()
          << "  (GET /delay?ms=M&bytes=B, GET /status/CODE; Ctrl+C stops)" << Qt::endl;
    std::signal(SIGINT, [](int) { QCoreApplication::quit(); });
    std::signal(SIGTERM, [](int) { QCoreApplication::quit(); });
    QCoreApplication::exec();
    server.stop();
    return kExitOk;
}

int cmdCalibrate()
{
    out() << "measuring the compute kernels (single-threaded CPU time) ..." << Qt::endl;
    const Calibration& c = Calibration::recalibrate();
    out() << "  regex: " << QString::number(c.unitsPerMs(Kernel::Regex) / 1000.0, 'f', 1)
          << " MB/s of HTML scanned for <meta> tags\n"
          << "  hash:  " << QString::number(c.unitsPerMs(Kernel::Hash) / 1000.0, 'f', 1) << " MB/s of SHA-256\n"
          << "saved to " << Calibration::cachePath() << Qt::endl;
    return kExitOk;
}

} // namespace

bool isCliCommand(const QStringList& args)
{
    if (args.size() < 2)
        return false;
    static const QStringList commands
        = { QStringLiteral("run"), QStringLiteral("presets"), QStringLiteral("serve"), QStringLiteral("calibrate"),
              QStringLiteral("help"), QStringLiteral("--help"), QStringLiteral("-h"), QStringLiteral("--version") };
    return commands.contains(args[1]);
}

int runCli(const QStringList& argv)
{
    initNetworking();
    const QStringList args = argv.mid(1);
    const QString cmd = args.value(0);
    if (cmd == QLatin1String("run"))
        return cmdRun(args);
    if (cmd == QLatin1String("presets"))
        return cmdPresets();
    if (cmd == QLatin1String("serve"))
        return cmdServe(args);
    if (cmd == QLatin1String("calibrate"))
        return cmdCalibrate();
    if (cmd == QLatin1String("--version")) {
        out() << "taskline " << QCoreApplication::applicationVersion() << Qt::endl;
        return kExitOk;
    }
    out() << kUsage;
    out().flush();
    return kExitOk;
}

} // namespace taskline
