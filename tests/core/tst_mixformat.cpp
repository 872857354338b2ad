#include "mix.h"
#include "mixformat.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <limits>

using namespace taskline;

Q_DECLARE_METATYPE(taskline::Mix)

namespace {

// Bad rows wrap the one thing that is wrong in an otherwise valid mix, so each row shows only that.
QByteArray withTop(const char* members)
{
    return QByteArray(R"({ "format": "taskline-mix/1", "name": "m", )") + members + " }";
}

QByteArray withTasks(const char* tasks)
{
    return withTop((QByteArray(R"("tasks": [ )") + tasks + " ]").constData());
}

QByteArray withSteps(const char* steps)
{
    return withTasks((QByteArray(R"({ "name": "t", "steps": [ )") + steps + " ] }").constData());
}

QByteArray withSettings(const char* settings)
{
    return withTop(
        (QByteArray(R"("tasks": [ { "name": "t", "steps": [ { "sleep": { "ms": 1 } } ] } ], "settings": )") + settings)
            .constData());
}

const QString kPage = QStringLiteral("lab:/delay?ms=200&bytes=20000");

TaskSpec task(const QString& name, std::vector<Step> steps, int count = 1)
{
    TaskSpec t;
    t.name = name;
    t.count = count;
    t.steps = std::move(steps);
    return t;
}

Mix mix(std::vector<TaskSpec> tasks, MixSettings settings = {})
{
    Mix m;
    m.name = QStringLiteral("m");
    m.tasks = std::move(tasks);
    m.settings = settings;
    return m;
}

MixSettings threads(int workers, std::optional<double> switchIntervalMs = {})
{
    MixSettings s;
    s.mode = Mode::Threads;
    s.workers = workers;
    s.switchIntervalMs = switchIntervalMs;
    return s;
}

// A mix that nothing in the parser would be expected to leave behind, to see that failures leave *out alone.
Mix sentinel()
{
    Mix m = mix({ task(QStringLiteral("untouched"), { Step::makeSleep(7) }, 3) });
    m.description = QStringLiteral("sentinel");
    return m;
}

Mix parsed(const QByteArray& json)
{
    Mix m;
    MixError e;
    if (!parseMix(json, &m, &e))
        qWarning("%s", qPrintable(e.toString()));
    return m;
}

} // namespace

class TestMixFormat : public QObject
{
    Q_OBJECT

private slots:
    void parseGood_data();
    void parseGood();
    void parseBad_data();
    void parseBad();
    void syntaxErrorColumnCountsCharacters();
    void errorToString();
    void loadFileErrors_data();
    void loadFileErrors();
    void presetNamesAreTheBuiltInOnes();
    void presets_data();
    void presets();
    void unknownPreset();
    void roundTrip_data();
    void roundTrip();
    void serializeLayout();
    void numbersAreShortest();
    void saveThenLoad();
    void saveIntoMissingDirectory();
    void saveRefusesInvalidMix();
    void validate_data();
    void validate();
    void expandTasksNaming();
    void describeSteps_data();
    void describeSteps();
    void stepEqualityIgnoresInactiveMembers();
};

void TestMixFormat::parseGood_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<Mix>("expected");

    QTest::newRow("minimal") << withSteps(R"({ "sleep": { "ms": 0 } })")
                             << mix({ task(QStringLiteral("t"), { Step::makeSleep(0) }) });

    Mix full = mix({ task(QStringLiteral("a"),
        { Step::makeCompute(12.5, Kernel::Hash, GilBehaviour::Releases, 4096),
            Step::makeFetch(QStringLiteral("https://example.com/x?y=1"), FetchClient::Blocking),
            Step::makeSleep(600000) },
        100000) });
    full.description = QStringLiteral("every option");
    full.settings = { Mode::Processes, 1024, false, 0.1, StartMethod::Spawn, true, 100000, 1000000 };
    QTest::newRow("full_options") << QByteArray(R"({
        "format": "taskline-mix/1", "name": "m", "description": "every option",
        "tasks": [ { "name": "a", "count": 100000, "steps": [
            { "compute": { "ms": 12.5, "kernel": "hash", "gil": "releases", "payload_bytes": 4096 } },
            { "fetch": { "url": "https://example.com/x?y=1", "client": "blocking" } },
            { "sleep": { "ms": 600000 } } ] } ],
        "settings": { "mode": "processes", "workers": 1024, "gil": false, "switch_interval_ms": 0.1,
                      "start_method": "spawn", "offload": true, "limit": 100000, "max_tasks_per_child": 1000000 } })")
                                  << full;

    QTest::newRow("defaults_spelled_out")
        << withSteps(
               R"({ "compute": { "ms": 1, "kernel": "regex", "gil": "interruptible", "payload_bytes": 0 } },
           { "fetch": { "url": "lab:/status/500", "client": "async" } })")
        << mix({ task(
               QStringLiteral("t"), { Step::makeCompute(1), Step::makeFetch(QStringLiteral("lab:/status/500")) }) });

    QTest::newRow("http_url_with_port") << withSteps(R"({ "fetch": { "url": "http://127.0.0.1:8080/a" } })")
                                        << mix({ task(QStringLiteral("t"),
                                               { Step::makeFetch(QStringLiteral("http://127.0.0.1:8080/a")) }) });

    QTest::newRow("empty_settings") << withSettings("{}") << mix({ task(QStringLiteral("t"), { Step::makeSleep(1) }) });

    QTest::newRow("unicode_names") << QByteArray(R"({ "format": "taskline-mix/1", "name": "Größe \"quoted\" \u2713",
        "tasks": [ { "name": "数据", "steps": [ { "sleep": { "ms": 1 } } ] } ] })")
                                   << [] {
                                          Mix m = mix({ task(QStringLiteral("数据"), { Step::makeSleep(1) }) });
                                          m.name = QStringLiteral("Größe \"quoted\" ✓");
                                          return m;
                                      }();
}

void TestMixFormat::parseGood()
{
    QFETCH(QByteArray, json);
    QFETCH(Mix, expected);
    Mix m = sentinel();
    MixError e;
    e.message = QStringLiteral("stale");
    QVERIFY2(parseMix(json, &m, &e), qPrintable(e.toString()));
    QVERIFY(e.isEmpty());
    QCOMPARE(m, expected);
    QVERIFY2(validateMix(m).isEmpty(), qPrintable(validateMix(m).toString()));
}

void TestMixFormat::parseBad_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("phrase");

    // The document.
    QTest::newRow("empty_document") << QByteArray() << ""
                                    << "empty";
    QTest::newRow("not_an_object") << QByteArray("[1, 2]") << ""
                                   << "expected a JSON object at the top level, got an array";
    QTest::newRow("syntax_error_has_line_and_column")
        << QByteArray("{\n  \"format\": \"taskline-mix/1\",\n  \"name\" \"x\"\n}") << ""
        << "invalid JSON at line 3, column";
    QTest::newRow("trailing_garbage") << withSteps(R"({ "sleep": { "ms": 1 } })") + " x"
                                      << ""
                                      << "garbage at the end of the document";
    QTest::newRow("number_beyond_double") << withSteps(R"({ "sleep": { "ms": 1e400 } })") << ""
                                          << "illegal number";

    // Top level.
    QTest::newRow("missing_format") << QByteArray(R"({ "name": "m", "tasks": [] })") << "format"
                                    << "is required";
    QTest::newRow("wrong_format_version") << QByteArray(R"({ "format": "taskline-mix/2" })") << "format"
                                          << R"(unsupported format "taskline-mix/2"; expected "taskline-mix/1")";
    QTest::newRow("format_not_a_string") << QByteArray(R"({ "format": 1 })") << "format"
                                         << "expected a string, got a number";
    QTest::newRow("unknown_top_level_key")
        << withTop(R"("colour": "red", "tasks": [])") << "colour"
        << R"(unknown key "colour"; allowed keys: format, name, description, tasks, settings)";
    QTest::newRow("missing_name") << QByteArray(R"({ "format": "taskline-mix/1", "tasks": [] })") << "name"
                                  << "is required";
    QTest::newRow("blank_name") << QByteArray(R"({ "format": "taskline-mix/1", "name": "  ", "tasks": [] })") << "name"
                                << "must not be empty";
    QTest::newRow("description_not_a_string") << withTop(R"("description": ["a"], "tasks": [])") << "description"
                                              << "expected a string, got an array";
    QTest::newRow("missing_tasks") << withTop(R"("settings": {})") << "tasks"
                                   << "is required";
    QTest::newRow("empty_tasks") << withTop(R"("tasks": [])") << "tasks"
                                 << "must not be empty";
    QTest::newRow("tasks_not_an_array") << withTop(R"("tasks": {})") << "tasks"
                                        << "expected an array, got an object";

    // Tasks.
    QTest::newRow("task_not_an_object") << withTasks("1") << "tasks[0]"
                                        << "expected an object, got a number";
    QTest::newRow("unknown_task_key") << withTasks(R"({ "name": "t", "repeat": 2, "steps": [] })") << "tasks[0].repeat"
                                      << R"(unknown key "repeat"; allowed keys: name, count, steps)";
    QTest::newRow("task_without_name") << withTasks(R"({ "steps": [ { "sleep": { "ms": 1 } } ] })") << "tasks[0].name"
                                       << "is required";
    QTest::newRow("count_zero") << withTasks(R"({ "name": "t", "count": 0, "steps": [] })") << "tasks[0].count"
                                << "must be at least 1 (got 0)";
    QTest::newRow("count_fraction") << withTasks(R"({ "name": "t", "count": 2.5, "steps": [] })") << "tasks[0].count"
                                    << "must be a whole number (got 2.5)";
    QTest::newRow("count_string") << withTasks(R"({ "name": "t", "count": "8", "steps": [] })") << "tasks[0].count"
                                  << "expected a number, got a string";
    QTest::newRow("count_absurd") << withTasks(R"({ "name": "t", "count": 1e9, "steps": [] })") << "tasks[0].count"
                                  << "must be at most 100000 (got 1000000000)";
    QTest::newRow("missing_steps") << withTasks(R"({ "name": "t" })") << "tasks[0].steps"
                                   << "is required";
    QTest::newRow("empty_steps") << withTasks(R"({ "name": "t", "steps": [] })") << "tasks[0].steps"
                                 << "must not be empty";
    QTest::newRow("too_many_tasks") << withTasks(
        R"({ "name": "a", "count": 60000, "steps": [ { "sleep": { "ms": 1 } } ] },
                        { "name": "b", "count": 60000, "steps": [ { "sleep": { "ms": 1 } } ] })")
                                    << "tasks"
                                    << "the counts add up to 120000 tasks; at most 100000 are allowed";

    // Steps.
    QTest::newRow("step_not_an_object") << withSteps(R"("compute")") << "tasks[0].steps[0]"
                                        << "expected an object, got a string";
    QTest::newRow("unknown_step_key") << withSteps(R"({ "run": { "ms": 1 } })") << "tasks[0].steps[0].run"
                                      << R"(unknown key "run"; allowed keys: compute, fetch, sleep)";
    QTest::newRow("two_keys_in_one_step")
        << withSteps(R"({ "compute": { "ms": 1 }, "sleep": { "ms": 1 } })") << "tasks[0].steps[0]"
        << "a step must have exactly one key, compute, fetch or sleep (got compute, sleep)";
    QTest::newRow("empty_step") << withSteps("{}") << "tasks[0].steps[0]"
                                << "exactly one key, compute, fetch or sleep (got none)";
    QTest::newRow("step_body_not_an_object") << withSteps(R"({ "compute": 100 })") << "tasks[0].steps[0].compute"
                                             << "expected an object, got a number";
    QTest::newRow("error_in_a_later_step") << withTasks(R"({ "name": "a", "steps": [ { "sleep": { "ms": 1 } } ] },
                        { "name": "b", "steps": [ { "sleep": { "ms": 1 } }, { "sleep": { "ms": 2 } },
                                             { "sleep": { "ms": -1 } } ] })")
                                           << "tasks[1].steps[2].sleep.ms"
                                           << "must be at least 0 (got -1)";

    // Compute.
    QTest::newRow("compute_without_ms") << withSteps(R"({ "compute": { "kernel": "hash" } })")
                                        << "tasks[0].steps[0].compute.ms"
                                        << "is required";
    QTest::newRow("ms_wrong_type") << withSteps(R"({ "compute": { "ms": "100" } })") << "tasks[0].steps[0].compute.ms"
                                   << "expected a number, got a string";
    QTest::newRow("ms_null") << withSteps(R"({ "compute": { "ms": null } })") << "tasks[0].steps[0].compute.ms"
                             << "expected a number, got null";
    QTest::newRow("negative_ms") << withSteps(R"({ "compute": { "ms": -5 } })") << "tasks[0].steps[0].compute.ms"
                                 << "must be at least 0 (got -5)";
    QTest::newRow("absurd_ms") << withSteps(R"({ "compute": { "ms": 1e12 } })") << "tasks[0].steps[0].compute.ms"
                               << "must be at most 600000 (got 1000000000000)";
    QTest::newRow("unknown_kernel") << withSteps(R"({ "compute": { "ms": 1, "kernel": "sha" } })")
                                    << "tasks[0].steps[0].compute.kernel"
                                    << R"(must be one of "regex", "hash" (got "sha"))";
    QTest::newRow("unknown_gil") << withSteps(R"({ "compute": { "ms": 1, "gil": "drops" } })")
                                 << "tasks[0].steps[0].compute.gil"
                                 << R"(must be one of "interruptible", "holds", "releases" (got "drops"))";
    QTest::newRow("gil_as_boolean") << withSteps(R"({ "compute": { "ms": 1, "gil": true } })")
                                    << "tasks[0].steps[0].compute.gil"
                                    << "expected a string, got a boolean";
    QTest::newRow("payload_fraction") << withSteps(R"({ "compute": { "ms": 1, "payload_bytes": 1.5 } })")
                                      << "tasks[0].steps[0].compute.payload_bytes"
                                      << "must be a whole number";
    QTest::newRow("payload_too_big") << withSteps(R"({ "compute": { "ms": 1, "payload_bytes": 1e10 } })")
                                     << "tasks[0].steps[0].compute.payload_bytes"
                                     << "must be at most 268435456";
    QTest::newRow("unknown_compute_key") << withSteps(R"({ "compute": { "ms": 1, "threads": 2 } })")
                                         << "tasks[0].steps[0].compute.threads"
                                         << "allowed keys: ms, kernel, gil, payload_bytes";

    // Fetch.
    QTest::newRow("ftp_url") << withSteps(R"({ "fetch": { "url": "ftp://example.com/x" } })")
                             << "tasks[0].steps[0].fetch.url"
                             << R"(must be a lab:/PATH, http:// or https:// URL (got "ftp://example.com/x"))";
    QTest::newRow("url_without_scheme") << withSteps(R"({ "fetch": { "url": "example.com/x" } })")
                                        << "tasks[0].steps[0].fetch.url"
                                        << R"(URL (got "example.com/x"))";
    QTest::newRow("url_without_host") << withSteps(R"({ "fetch": { "url": "http:///x" } })")
                                      << "tasks[0].steps[0].fetch.url"
                                      << "an http URL needs a host";
    QTest::newRow("url_with_space_in_host")
        << withSteps(R"({ "fetch": { "url": "https://exa mple.com/" } })") << "tasks[0].steps[0].fetch.url"
        << "invalid URL";
    QTest::newRow("lab_url_without_slash")
        << withSteps(R"({ "fetch": { "url": "lab:delay?ms=1" } })") << "tasks[0].steps[0].fetch.url"
        << R"(a lab URL must start with "lab:/" (got "lab:delay?ms=1"))";
    QTest::newRow("empty_url") << withSteps(R"({ "fetch": { "url": "" } })") << "tasks[0].steps[0].fetch.url"
                               << R"(got ""))";
    QTest::newRow("fetch_without_url") << withSteps(R"({ "fetch": { "client": "async" } })")
                                       << "tasks[0].steps[0].fetch.url"
                                       << "is required";
    QTest::newRow("unknown_client") << withSteps(R"({ "fetch": { "url": "lab:/x", "client": "sync" } })")
                                    << "tasks[0].steps[0].fetch.client"
                                    << R"(must be one of "async", "blocking" (got "sync"))";

    // Sleep.
    QTest::newRow("sleep_negative") << withSteps(R"({ "sleep": { "ms": -1 } })") << "tasks[0].steps[0].sleep.ms"
                                    << "must be at least 0";
    QTest::newRow("sleep_in_seconds") << withSteps(R"({ "sleep": { "seconds": 1 } })")
                                      << "tasks[0].steps[0].sleep.seconds"
                                      << R"(unknown key "seconds"; allowed keys: ms)";

    // Settings.
    QTest::newRow("settings_not_an_object") << withSettings("[]") << "settings"
                                            << "expected an object, got an array";
    QTest::newRow("unknown_settings_key") << withSettings(R"({ "threads": 4 })") << "settings.threads"
                                          << "allowed keys: mode, workers, gil, switch_interval_ms, start_method, "
                                             "offload, limit, max_tasks_per_child";
    QTest::newRow("bad_mode") << withSettings(R"({ "mode": "fibres" })") << "settings.mode"
                              << R"(must be one of "sequential", "threads", "coroutines", "processes" (got "fibres"))";
    QTest::newRow("workers_zero") << withSettings(R"({ "workers": 0 })") << "settings.workers"
                                  << "must be at least 1 (got 0)";
    QTest::newRow("workers_absurd") << withSettings(R"({ "workers": 5000 })") << "settings.workers"
                                    << "must be at most 1024 (got 5000)";
    QTest::newRow("gil_not_a_boolean") << withSettings(R"({ "gil": "on" })") << "settings.gil"
                                       << "expected a boolean (true or false), got a string";
    QTest::newRow("switch_interval_zero")
        << withSettings(R"({ "switch_interval_ms": 0 })") << "settings.switch_interval_ms"
        << "must be at least 0.1 (got 0)";
    QTest::newRow("switch_interval_absurd")
        << withSettings(R"({ "switch_interval_ms": 5000 })") << "settings.switch_interval_ms"
        << "must be at most 1000 (got 5000)";
    QTest::newRow("bad_start_method") << withSettings(R"({ "start_method": "fork" })") << "settings.start_method"
                                      << R"(must be one of "spawn", "forkserver" (got "fork"))";
    QTest::newRow("offload_not_a_boolean") << withSettings(R"({ "offload": 1 })") << "settings.offload"
                                           << "expected a boolean (true or false), got a number";
    QTest::newRow("limit_zero") << withSettings(R"({ "limit": 0 })") << "settings.limit"
                                << "must be at least 1";
    QTest::newRow("max_tasks_per_child_fraction")
        << withSettings(R"({ "max_tasks_per_child": 0.5 })") << "settings.max_tasks_per_child"
        << "must be a whole number";
}

void TestMixFormat::parseBad()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, path);
    QFETCH(QString, phrase);
    const Mix before = sentinel();
    Mix m = before;
    MixError e;
    QVERIFY(!parseMix(json, &m, &e, QStringLiteral("bad.taskline.json")));
    QCOMPARE(m, before); // never half-loaded
    QCOMPARE(e.file, QStringLiteral("bad.taskline.json"));
    QCOMPARE(e.path, path);
    QVERIFY2(e.message.contains(phrase), qPrintable(e.message));
    QVERIFY(e.toString().startsWith(QStringLiteral("bad.taskline.json: ")));
}

void TestMixFormat::syntaxErrorColumnCountsCharacters()
{
    // Columns are characters, not UTF-8 bytes: an accented name before the error must not move it.
    const QByteArray ascii = "{ \"name\": \"e\" \"x\" }";
    const QByteArray accented = "{ \"name\": \"\xc3\xa9\" \"x\" }";
    MixError a;
    MixError b;
    QVERIFY(!parseMix(ascii, nullptr, &a));
    QVERIFY(!parseMix(accented, nullptr, &b));
    QVERIFY2(a.message.contains(QRegularExpression(QStringLiteral("line 1, column \\d+: "))), qPrintable(a.message));
    QCOMPARE(b.message, a.message);
}

void TestMixFormat::errorToString()
{
    const QByteArray json = withTasks(R"({ "name": "a", "steps": [ { "sleep": { "ms": 1 } } ] },
        { "name": "b", "steps": [ { "sleep": { "ms": 1 } } ] },
        { "name": "c", "steps": [ { "compute": { "ms": -5 } } ] })");
    MixError e;
    QVERIFY(!parseMix(json, nullptr, &e, QStringLiteral("broken.taskline.json")));
    QCOMPARE(e.toString(),
        QStringLiteral("broken.taskline.json: tasks[2].steps[0].compute.ms: must be at least 0 (got -5)"));
    QCOMPARE((MixError { {}, {}, QStringLiteral("m") }).toString(), QStringLiteral("m"));
    QCOMPARE((MixError { QStringLiteral("f"), {}, QStringLiteral("m") }).toString(), QStringLiteral("f: m"));
    QCOMPARE((MixError { {}, QStringLiteral("name"), QStringLiteral("m") }).toString(), QStringLiteral("name: m"));
}

void TestMixFormat::loadFileErrors_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("file_missing") << "missing"
                                  << "no such file";
    QTest::newRow("directory") << "directory"
                               << "is a directory";
    QTest::newRow("empty_file") << "empty"
                                << "the file is empty";
    QTest::newRow("larger_than_64_mib") << "huge"
                                        << "at most 64 MiB";
}

void TestMixFormat::loadFileErrors()
{
    QFETCH(QString, kind);
    QFETCH(QString, phrase);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QString file = dir.filePath(QStringLiteral("x.taskline.json"));
    if (kind == QLatin1String("directory")) {
        QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("x.taskline.json")));
    } else if (kind != QLatin1String("missing")) {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        if (kind == QLatin1String("huge"))
            QVERIFY(f.resize(kMaxMixFileBytes + 1)); // sparse: costs no disk
    }
    const Mix before = sentinel();
    Mix m = before;
    MixError e;
    QVERIFY(!loadMix(file, &m, &e));
    QCOMPARE(m, before);
    QCOMPARE(e.file, file);
    QVERIFY2(e.message.contains(phrase), qPrintable(e.message));
    QVERIFY(e.toString().startsWith(file + QStringLiteral(": ")));
}

void TestMixFormat::presetNamesAreTheBuiltInOnes()
{
    // Fails when the resources did not reach the static library's consumers.
    const QStringList expected { "blocking-client", "convoy", "cpu-bound", "fetch-and-scan", "io-bound", "long-c-call",
        "many-sleeps", "mixed", "offload", "releases-gil" };
    QCOMPARE(presetNames(), expected);
    QVERIFY(presetNames().contains(QLatin1String(kDefaultPreset)));
}

void TestMixFormat::presets_data()
{
    QTest::addColumn<QString>("preset");
    QTest::addColumn<Mix>("expected"); // tasks and settings; name and description are checked loosely

    QTest::newRow("io-bound") << "io-bound"
                              << mix({ task(QStringLiteral("page"), { Step::makeFetch(kPage) }, 8) }, threads(8));
    QTest::newRow("cpu-bound") << "cpu-bound"
                               << mix({ task(QStringLiteral("crunch"), { Step::makeCompute(200) }, 8) }, threads(8));
    std::vector<TaskSpec> alternating;
    for (int i = 0; i < 4; ++i) {
        alternating.push_back(task(QStringLiteral("fetch"), { Step::makeFetch(kPage) }));
        alternating.push_back(task(QStringLiteral("compute"), { Step::makeCompute(200) }));
    }
    QTest::newRow("mixed") << "mixed" << mix(alternating, threads(8));
    QTest::newRow("fetch-and-scan")
        << "fetch-and-scan"
        << mix({ task(QStringLiteral("page"), { Step::makeFetch(kPage), Step::makeCompute(100) }, 8) }, threads(8));
    QTest::newRow("convoy") << "convoy"
                            << mix({ task(QStringLiteral("sleeper"), std::vector<Step>(200, Step::makeSleep(1))),
                                       task(QStringLiteral("cpu"), { Step::makeCompute(1500) }) },
                                   threads(2, 5));
    std::vector<Step> ticker;
    for (int i = 0; i < 10; ++i) {
        ticker.push_back(Step::makeSleep(10));
        ticker.push_back(Step::makeCompute(2));
    }
    QTest::newRow("long-c-call") << "long-c-call"
                                 << mix({ task(QStringLiteral("c-call"),
                                              { Step::makeCompute(500, Kernel::Regex, GilBehaviour::Holds) }),
                                            task(QStringLiteral("ticker"), ticker, 3) },
                                        threads(4));
    MixSettings asyncio;
    asyncio.mode = Mode::Coroutines;
    QTest::newRow("blocking-client") << "blocking-client"
                                     << mix({ task(QStringLiteral("urllib"),
                                                  { Step::makeFetch(kPage, FetchClient::Blocking) }, 4),
                                                task(QStringLiteral("aiohttp"), { Step::makeFetch(kPage) }, 4) },
                                            asyncio);
    QTest::newRow("many-sleeps") << "many-sleeps"
                                 << mix({ task(QStringLiteral("nap"), { Step::makeSleep(100) }, 10000) }, asyncio);
    MixSettings offload = asyncio;
    offload.offload = true;
    QTest::newRow("offload") << "offload" << mix(alternating, offload);
    QTest::newRow("releases-gil") << "releases-gil"
                                  << mix({ task(QStringLiteral("hash"),
                                             { Step::makeCompute(200, Kernel::Hash, GilBehaviour::Releases, 1048576) },
                                             4) },
                                         threads(4));
}

void TestMixFormat::presets()
{
    QFETCH(QString, preset);
    QFETCH(Mix, expected);
    Mix m;
    MixError e;
    QVERIFY2(loadMix(QStringLiteral("preset:") + preset, &m, &e), qPrintable(e.toString()));
    QCOMPARE(m.tasks, expected.tasks);
    QCOMPARE(m.settings, expected.settings);
    QVERIFY2(validateMix(m).isEmpty(), qPrintable(validateMix(m).toString()));

    QVERIFY(!m.name.trimmed().isEmpty());
    const qsizetype sentences = m.description.count(QRegularExpression(QStringLiteral("[.!?](\\s|$)")));
    QVERIFY2(sentences >= 1 && sentences <= 3, qPrintable(m.description));
    if (preset == QLatin1String("fetch-and-scan"))
        QCOMPARE(m.name, QStringLiteral("Fetch pages and scan them for <meta> tags"));

    // Round trip and stability; the files are kept in the serializer's own layout, so saving a preset
    // from the GUI gives back the same bytes.
    const QByteArray text = serializeMix(m);
    QCOMPARE(serializeMix(m), text);
    QCOMPARE(parsed(text), m);
    QFile f(QStringLiteral(":/presets/%1.taskline.json").arg(preset));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(f.readAll()), QString::fromUtf8(text));
}

void TestMixFormat::unknownPreset()
{
    Mix m = sentinel();
    MixError e;
    QVERIFY(!loadMix(QStringLiteral("preset:nope"), &m, &e));
    QCOMPARE(m, sentinel());
    QCOMPARE(e.file, QStringLiteral("preset:nope"));
    QVERIFY2(e.message.contains(QLatin1String("unknown preset \"nope\"")), qPrintable(e.message));
    QVERIFY2(e.message.contains(presetNames().join(QStringLiteral(", "))), qPrintable(e.message));
    // Not a way into the resource tree.
    QVERIFY(!loadMix(QStringLiteral("preset:../presets/convoy"), &m, &e));
}

void TestMixFormat::roundTrip_data()
{
    QTest::addColumn<Mix>("m");

    QTest::newRow("minimal") << mix({ task(QStringLiteral("t"), { Step::makeSleep(0) }) });

    Mix escapes = mix({ task(QStringLiteral("tab\there \"q\" back\\slash"),
        { Step::makeFetch(QStringLiteral("https://example.com/a?q=%22x%22")) }) });
    escapes.name = QStringLiteral("ctrl \x01\x1f del \x7f nul ") + QChar(0) + QStringLiteral(" end");
    escapes.description = QStringLiteral("line one\nline two\r\n\b\f / Größe – 数据 🚀 ");
    escapes.description += QChar(0xD800); // a lone surrogate survives as \ud800
    QTest::newRow("escapes_and_unicode") << escapes;

    QTest::newRow("fractional_numbers") << mix(
        { task(QStringLiteral("t"),
            { Step::makeCompute(0.1), Step::makeCompute(1.0 / 3), Step::makeSleep(1e-7), Step::makeSleep(599999.9999),
                Step::makeSleep(kMaxStepMs) }) },
        threads(3, 0.1));

    Mix every = mix({ task(QStringLiteral("a"),
        { Step::makeCompute(5, Kernel::Hash, GilBehaviour::Holds, 1),
            Step::makeFetch(QStringLiteral("lab:/delay?ms=1"), FetchClient::Blocking) },
        kMaxCount) });
    every.settings = { Mode::Coroutines, 1, false, 1000, StartMethod::Forkserver, false, 7, 1 };
    QTest::newRow("every_option_false_written") << every;

    QTest::newRow("repeated_names") << mix(
        { task(QStringLiteral("a"), { Step::makeSleep(1) }, 2), task(QStringLiteral("a"), { Step::makeSleep(2) }) });
}

void TestMixFormat::roundTrip()
{
    QFETCH(Mix, m);
    QVERIFY2(validateMix(m).isEmpty(), qPrintable(validateMix(m).toString()));
    const QByteArray text = serializeMix(m);
    QCOMPARE(serializeMix(m), text);
    Mix back;
    MixError e;
    QVERIFY2(parseMix(text, &back, &e), qPrintable(e.toString() + QLatin1Char('\n') + QString::fromUtf8(text)));
    QCOMPARE(back, m);
    QCOMPARE(serializeMix(back), text);
}

void TestMixFormat::serializeLayout()
{
    Mix m
        = mix({ task(QStringLiteral("page"),
                    { Step::makeFetch(kPage), Step::makeCompute(100, Kernel::Hash, GilBehaviour::Interruptible, 20000),
                        Step::makeSleep(50) },
                    8),
            task(QStringLiteral("one"), { Step::makeFetch(QStringLiteral("lab:/x"), FetchClient::Blocking) }) });
    m.settings.mode = Mode::Threads;
    m.settings.gil = true;
    const QByteArray expected = R"({
  "format": "taskline-mix/1",
  "name": "m",
  "tasks": [
    {
      "name": "page",
      "count": 8,
      "steps": [
        { "fetch": { "url": "lab:/delay?ms=200&bytes=20000" } },
        { "compute": { "ms": 100, "kernel": "hash", "payload_bytes": 20000 } },
        { "sleep": { "ms": 50 } }
      ]
    },
    {
      "name": "one",
      "steps": [
        { "fetch": { "url": "lab:/x", "client": "blocking" } }
      ]
    }
  ],
  "settings": {
    "mode": "threads",
    "gil": true
  }
}
)";
    QCOMPARE(QString::fromUtf8(serializeMix(m)), QString::fromUtf8(expected));
}

void TestMixFormat::numbersAreShortest()
{
    const Mix m = mix({ task(QStringLiteral("t"),
        { Step::makeSleep(0.1), Step::makeSleep(200), Step::makeSleep(1e-7), Step::makeSleep(-0.0),
            Step::makeCompute(1, Kernel::Regex, GilBehaviour::Interruptible, 1048576) }) });
    const QString text = QString::fromUtf8(serializeMix(m));
    QVERIFY2(text.contains(QLatin1String(R"({ "sleep": { "ms": 0.1 } })")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String(R"({ "sleep": { "ms": 200 } })")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String(R"({ "sleep": { "ms": 1e-07 } })")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String(R"({ "sleep": { "ms": 0 } })")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String(R"("payload_bytes": 1048576 })")), qPrintable(text));
    QVERIFY(!text.contains(QLatin1String(".0 ")));
}

void TestMixFormat::saveThenLoad()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Mix m;
    MixError e;
    QVERIFY(loadMix(QStringLiteral("preset:long-c-call"), &m, &e));
    m.name += QStringLiteral(" (copy ✓)");
    const QString file = dir.filePath(QStringLiteral("copy.taskline.json"));
    QString error = QStringLiteral("stale");
    QVERIFY2(saveMix(file, m, &error), qPrintable(error));
    QVERIFY(error.isEmpty());
    Mix back;
    QVERIFY2(loadMix(file, &back, &e), qPrintable(e.toString()));
    QCOMPARE(back, m);
}

void TestMixFormat::saveIntoMissingDirectory()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("missing/x.taskline.json"));
    QString error;
    QVERIFY(!saveMix(file, mix({ task(QStringLiteral("t"), { Step::makeSleep(1) }) }), &error));
    QVERIFY2(error.contains(file), qPrintable(error));
    QVERIFY(!QFile::exists(file));
}

void TestMixFormat::saveRefusesInvalidMix()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("x.taskline.json"));
    Mix m = mix({ task(QStringLiteral("t"), { Step::makeSleep(-1) }) });
    QString error;
    QVERIFY(!saveMix(file, m, &error));
    QVERIFY2(error.contains(file), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("tasks[0].steps[0].sleep.ms: must be at least 0")), qPrintable(error));
    QVERIFY(!QFile::exists(file));
}

void TestMixFormat::validate_data()
{
    QTest::addColumn<Mix>("m");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("phrase");
    QTest::addColumn<bool>("writable"); // JSON can carry the value, so the parser must say the same thing

    const auto one = [](Step s) { return mix({ task(QStringLiteral("t"), { std::move(s) }) }); };
    const auto withSettings = [](auto set) {
        Mix m = mix({ task(QStringLiteral("t"), { Step::makeSleep(1) }) });
        set(m.settings);
        return m;
    };
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();

    Mix m = one(Step::makeSleep(1));
    m.name = QStringLiteral(" ");
    QTest::newRow("blank_name") << m << "name"
                                << "must not be empty" << true;
    QTest::newRow("no_tasks") << mix({}) << "tasks"
                              << "must not be empty" << true;
    QTest::newRow("blank_task_name") << mix({ task(QString(), { Step::makeSleep(1) }) }) << "tasks[0].name"
                                     << "must not be empty" << true;
    QTest::newRow("count_zero") << mix({ task(QStringLiteral("t"), { Step::makeSleep(1) }, 0) }) << "tasks[0].count"
                                << "must be at least 1 (got 0)" << true;
    QTest::newRow("count_too_big") << mix({ task(QStringLiteral("t"), { Step::makeSleep(1) }, kMaxCount + 1) })
                                   << "tasks[0].count"
                                   << "must be at most 100000" << true;
    QTest::newRow("no_steps") << mix({ task(QStringLiteral("t"), {}) }) << "tasks[0].steps"
                              << "must not be empty" << true;
    QTest::newRow("negative_compute_ms") << one(Step::makeCompute(-5)) << "tasks[0].steps[0].compute.ms"
                                         << "must be at least 0 (got -5)" << true;
    QTest::newRow("nan_ms") << one(Step::makeCompute(nan)) << "tasks[0].steps[0].compute.ms"
                            << "must be a finite number" << false;
    QTest::newRow("infinite_sleep") << one(Step::makeSleep(inf)) << "tasks[0].steps[0].sleep.ms"
                                    << "must be a finite number" << false;
    QTest::newRow("bad_kernel_value") << one(Step::makeCompute(1, Kernel(7))) << "tasks[0].steps[0].compute.kernel"
                                      << "invalid value (7)" << false;
    QTest::newRow("negative_payload") << one(Step::makeCompute(1, Kernel::Regex, GilBehaviour::Holds, -1))
                                      << "tasks[0].steps[0].compute.payload_bytes"
                                      << "must be at least 0" << true;
    QTest::newRow("ftp_url") << one(Step::makeFetch(QStringLiteral("ftp://h/x"))) << "tasks[0].steps[0].fetch.url"
                             << "must be a lab:/PATH, http:// or https:// URL" << true;
    QTest::newRow("lab_url_without_slash")
        << one(Step::makeFetch(QStringLiteral("lab:x"))) << "tasks[0].steps[0].fetch.url"
        << "must start with \"lab:/\"" << true;
    QTest::newRow("absurd_sleep") << one(Step::makeSleep(kMaxStepMs + 1)) << "tasks[0].steps[0].sleep.ms"
                                  << "must be at most 600000 (got 600001)" << true;
    QTest::newRow("too_many_tasks") << mix({ task(QStringLiteral("a"), { Step::makeSleep(1) }, kMaxCount),
        task(QStringLiteral("b"), { Step::makeSleep(1) }, 1) })
                                    << "tasks"
                                    << "add up to 100001" << true;
    QTest::newRow("workers_zero") << withSettings([](MixSettings& s) { s.workers = 0; }) << "settings.workers"
                                  << "must be at least 1 (got 0)" << true;
    QTest::newRow("switch_interval_too_small")
        << withSettings([](MixSettings& s) { s.switchIntervalMs = 0.05; }) << "settings.switch_interval_ms"
        << "must be at least 0.1 (got 0.05)" << true;
    QTest::newRow("limit_too_big") << withSettings([](MixSettings& s) { s.limit = kMaxExpandedTasks + 1; })
                                   << "settings.limit"
                                   << "must be at most 100000" << true;
    QTest::newRow("max_tasks_per_child_zero")
        << withSettings([](MixSettings& s) { s.maxTasksPerChild = 0; }) << "settings.max_tasks_per_child"
        << "must be at least 1" << true;
}

void TestMixFormat::validate()
{
    QFETCH(Mix, m);
    QFETCH(QString, path);
    QFETCH(QString, phrase);
    QFETCH(bool, writable);
    const MixError e = validateMix(m);
    QCOMPARE(e.path, path);
    QVERIFY2(e.message.contains(phrase), qPrintable(e.message));
    QVERIFY(e.file.isEmpty());
    if (writable) {
        MixError fromParser;
        QVERIFY(!parseMix(serializeMix(m), nullptr, &fromParser));
        QCOMPARE(fromParser.path, e.path);
        QCOMPARE(fromParser.message, e.message);
    }
}

void TestMixFormat::expandTasksNaming()
{
    const auto names = [](const Mix& m) {
        QStringList out;
        for (const TaskInstance& t : expandTasks(m))
            out << t.name;
        return out;
    };
    const Mix ab = mix(
        { task(QStringLiteral("a"), { Step::makeSleep(1) }, 2), task(QStringLiteral("b"), { Step::makeSleep(2) }) });
    QCOMPARE(names(ab), QStringList({ "a#1", "a#2", "b" }));
    const std::vector<TaskInstance> instances = expandTasks(ab);
    QCOMPARE(instances.size(), size_t(3));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(instances[size_t(i)].id, i);
    QCOMPARE(instances[1].specIndex, 0);
    QCOMPARE(instances[2].specIndex, 1);
    QCOMPARE(instances[2].steps, ab.tasks[1].steps);

    Mix mixed;
    MixError e;
    QVERIFY(loadMix(QStringLiteral("preset:mixed"), &mixed, &e));
    QCOMPARE(names(mixed),
        QStringList(
            { "fetch#1", "compute#1", "fetch#2", "compute#2", "fetch#3", "compute#3", "fetch#4", "compute#4" }));

    Mix longCall;
    QVERIFY(loadMix(QStringLiteral("preset:long-c-call"), &longCall, &e));
    QCOMPARE(names(longCall), QStringList({ "c-call", "ticker#1", "ticker#2", "ticker#3" }));
}

void TestMixFormat::describeSteps_data()
{
    QTest::addColumn<QString>("preset");
    QTest::addColumn<int>("task");
    QTest::addColumn<QString>("expected");
    QTest::newRow("fetch_and_scan") << "fetch-and-scan" << 0 << QStringLiteral("fetch 200 ms → regex 100 ms");
    QTest::newRow("convoy_sleeper_folds") << "convoy" << 0 << QStringLiteral("sleep 1 ms ×200");
    QTest::newRow("convoy_cpu_in_seconds") << "convoy" << 1 << QStringLiteral("regex 1.5 s");
    QTest::newRow("holds_gil") << "long-c-call" << 0 << QStringLiteral("regex 500 ms (holds GIL)");
    QTest::newRow("releases_gil") << "releases-gil" << 0 << QStringLiteral("hash 200 ms (releases GIL)");
}

void TestMixFormat::describeSteps()
{
    QFETCH(QString, preset);
    QFETCH(int, task);
    QFETCH(QString, expected);
    Mix m;
    MixError e;
    QVERIFY2(loadMix(QStringLiteral("preset:") + preset, &m, &e), qPrintable(e.toString()));
    QCOMPARE(m.tasks.at(size_t(task)).describeSteps(), expected);

    // The lab delay is read from the ms parameter itself, not from an "ms=" inside another one.
    QCOMPARE(Step::makeFetch(QStringLiteral("lab:/delay?items=3&ms=50")).describe(), QStringLiteral("fetch 50 ms"));
}

void TestMixFormat::stepEqualityIgnoresInactiveMembers()
{
    // The editor may keep a URL around after switching a step to compute; it is not saved, so it must
    // not make the mix differ from what it reads back.
    Step a = Step::makeCompute(100);
    Step b = a;
    b.fetch.url = QStringLiteral("lab:/leftover");
    b.sleep.ms = 3;
    QCOMPARE(a, b);
    QVERIFY(!(a == Step::makeSleep(100)));
    QVERIFY(!(a == Step::makeCompute(101)));
    const Mix m = mix({ task(QStringLiteral("t"), { b }) });
    QCOMPARE(parsed(serializeMix(m)), m);
}

QTEST_GUILESS_MAIN(TestMixFormat)
#include "tst_mixformat.moc"
