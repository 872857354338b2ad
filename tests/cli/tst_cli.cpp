// The command line end to end: the real taskline binary, its exit codes, messages and files.

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class TestCli : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void help();
    void presetsAreListed();
    void badInput_data();
    void badInput();
    void summaryJsonOnStdout();
    void summaryJsonFileTraceAndCsv();
    void failedTaskExitsWithOne();
    void modeOverrideAndTable();
    void coroutinesOptionsReachTheRun();
    void processesModeRunsInWorkerProcesses();
    void internalCommandsNeedTheirSocket();

private:
    struct Result
    {
        int code = -1;
        QByteArray out, err;
    };
    Result taskline(const QStringList& args, int timeoutMs = 120'000);
    QString writeMix(const QString& name, const QByteArray& json);

    QString m_binary;
    QTemporaryDir m_dir;
};

void TestCli::initTestCase()
{
    m_binary = qEnvironmentVariable("TASKLINE_BINARY");
    QVERIFY2(QFile::exists(m_binary), "TASKLINE_BINARY must point at the taskline executable");
    QVERIFY(m_dir.isValid());
}

TestCli::Result TestCli::taskline(const QStringList& args, int timeoutMs)
{
    QProcess p;
    p.start(m_binary, args);
    Result r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString TestCli::writeMix(const QString& name, const QByteArray& json)
{
    const QString path = m_dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(json);
    return path;
}

void TestCli::help()
{
    const Result r = taskline({ "--help" });
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("taskline run MIX"));
    QVERIFY(r.out.contains("--summary-json"));
}

void TestCli::presetsAreListed()
{
    const Result r = taskline({ "presets" });
    QCOMPARE(r.code, 0);
    for (const char* name :
        { "io-bound", "cpu-bound", "mixed", "fetch-and-scan", "convoy", "long-c-call", "releases-gil" })
        QVERIFY2(r.out.contains(name), name);
    QVERIFY(r.out.contains("(default)"));
}

void TestCli::badInput_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("fileContent");
    QTest::addColumn<QStringList>("expected"); // phrases the message must contain
    const QByteArray good
        = R"({"format":"taskline-mix/1","name":"n","tasks":[{"name":"t","steps":[{"sleep":{"ms":1}}]}]})";
    QTest::newRow("negative_ms_names_file_and_path")
        << QStringList { "run", "@FILE" }
        << QByteArray(
               R"({"format":"taskline-mix/1","name":"n","tasks":[{"name":"t","steps":[{"compute":{"ms":-5}}]}]})")
        << QStringList { "bad.taskline.json", "tasks[0].steps[0].compute.ms" };
    QTest::newRow("syntax_error_names_line") << QStringList { "run", "@FILE" } << QByteArray("{\n  \"format\": ,\n}")
                                             << QStringList { "bad.taskline.json", "line 2" };
    QTest::newRow("missing_file") << QStringList { "run", "/nonexistent/x.taskline.json" } << QByteArray()
                                  << QStringList { "/nonexistent/x.taskline.json" };
    QTest::newRow("unknown_preset") << QStringList { "run", "preset:nope" } << QByteArray()
                                    << QStringList { "nope", "fetch-and-scan" };
    QTest::newRow("unknown_option") << QStringList { "run", "@FILE", "--frobnicate" } << good
                                    << QStringList { "--frobnicate" };
    QTest::newRow("bad_mode") << QStringList { "run", "@FILE", "--mode", "fibers" } << good
                              << QStringList { "--mode", "fibers" };
    QTest::newRow("workers_zero") << QStringList { "run", "@FILE", "--workers", "0" } << good
                                  << QStringList { "--workers", "\"0\"" };
    QTest::newRow("gil_maybe") << QStringList { "run", "@FILE", "--gil", "maybe" } << good << QStringList { "--gil" };
    QTest::newRow("switch_interval_negative") << QStringList { "run", "@FILE", "--switch-interval-ms", "-1" } << good
                                              << QStringList { "--switch-interval-ms" };
    QTest::newRow("no_mix") << QStringList { "run" } << QByteArray() << QStringList { "no mix" };
    QTest::newRow("max_tasks_per_child_zero") << QStringList { "run", "@FILE", "--max-tasks-per-child", "0" } << good
                                              << QStringList { "--max-tasks-per-child", "\"0\"" };
    QTest::newRow("start_method_fork") << QStringList { "run", "@FILE", "--start-method", "fork" } << good
                                       << QStringList { "--start-method", "spawn or forkserver" };
    QTest::newRow("option_without_value")
        << QStringList { "run", "@FILE", "--workers" } << good << QStringList { "--workers needs a value" };
}

void TestCli::badInput()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, fileContent);
    QFETCH(QStringList, expected);
    if (!fileContent.isEmpty()) {
        const QString path = writeMix("bad.taskline.json", fileContent);
        args.replaceInStrings("@FILE", path);
    }
    const Result r = taskline(args);
    QCOMPARE(r.code, 2);
    for (const QString& phrase : expected)
        QVERIFY2(r.err.contains(phrase.toUtf8()), r.err.constData());
}

void TestCli::summaryJsonOnStdout()
{
    const QString path = writeMix("small.taskline.json", R"({"format":"taskline-mix/1","name":"small","tasks":[
        {"name":"cpu","count":2,"steps":[{"compute":{"ms":20}}]},
        {"name":"nap","steps":[{"sleep":{"ms":30}}]},
        {"name":"page","steps":[{"fetch":{"url":"lab:/delay?ms=40&bytes=1000"}}]}],
        "settings":{"mode":"threads","workers":4}})");
    const Result r = taskline({ "run", path, "--summary-json", "-" });
    QCOMPARE(r.code, 0);
    QJsonParseError pe;
    const QJsonObject o = QJsonDocument::fromJson(r.out, &pe).object();
    QVERIFY2(pe.error == QJsonParseError::NoError, r.out.constData());
    QCOMPARE(o.value("format").toString(), QStringLiteral("taskline-summary/1"));
    QCOMPARE(o.value("mix").toString(), QStringLiteral("small"));
    QCOMPARE(o.value("mode").toString(), QStringLiteral("threads"));
    QCOMPARE(o.value("settings").toObject().value("workers").toInt(), 4);
    QCOMPARE(o.value("settings").toObject().value("gil").toBool(), true);
    QCOMPARE(o.value("settings").toObject().value("switch_interval_ms").toDouble(), 5.0);
    QVERIFY(o.value("wall_ms").toDouble() >= 40);
    QVERIFY(o.value("cores").toInt() >= 1);
    QCOMPARE(o.value("core_busy").toArray().size(), o.value("cores").toInt());
    QVERIFY(o.value("events").toInt() > 10);
    QCOMPARE(o.value("dropped_events").toInt(), 0);
    const QJsonArray tasks = o.value("tasks").toArray();
    QCOMPARE(tasks.size(), 4);
    QCOMPARE(tasks[0].toObject().value("name").toString(), QStringLiteral("cpu#1"));
    for (const QJsonValue& v : tasks) {
        const QJsonObject t = v.toObject();
        QCOMPARE(t.value("status").toString(), QStringLiteral("done"));
        QVERIFY(t.value("error").isNull());
        QVERIFY(t.value("worker").toString().startsWith("thread-"));
        QVERIFY(t.value("end_ms").toDouble() > t.value("start_ms").toDouble());
    }
    QVERIFY(tasks[3].toObject().value("state_ms").toObject().value("blocked_io").toDouble() >= 39);
    // The readable table went to stderr so that stdout stays JSON.
    QVERIFY(r.err.contains("wall"));
}

void TestCli::summaryJsonFileTraceAndCsv()
{
    const QString json = m_dir.filePath("s.json"), trace = m_dir.filePath("t.json"), csv = m_dir.filePath("s.csv");
    const Result r = taskline({ "run", "preset:cpu-bound", "--workers", "2", "--summary-json", json, "--trace", trace,
        "--csv", csv, "--quiet" });
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.isEmpty());
    QFile sf(json), tf(trace), cf(csv);
    QVERIFY(sf.open(QIODevice::ReadOnly) && tf.open(QIODevice::ReadOnly) && cf.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(sf.readAll()).object().value("tasks").toArray().size(), 8);
    const QJsonObject t = QJsonDocument::fromJson(tf.readAll()).object();
    const QJsonArray events = t.value("traceEvents").toArray();
    QVERIFY(events.size() > 50);
    bool gilLane = false, counter = false;
    for (const QJsonValue& v : events) {
        const QJsonObject e = v.toObject();
        gilLane |= e.value("name") == QLatin1String("thread_name")
            && e.value("args").toObject().value("name") == QLatin1String("GIL");
        counter |= e.value("ph") == QLatin1String("C");
    }
    QVERIFY(gilLane);
    QVERIFY(counter);
    QVERIFY(cf.readLine().startsWith("task_id,task,worker,state"));
}

void TestCli::failedTaskExitsWithOne()
{
    const QString path = writeMix("fail.taskline.json", R"({"format":"taskline-mix/1","name":"fail","tasks":[
        {"name":"bad","steps":[{"fetch":{"url":"lab:/status/500"}}]},
        {"name":"good","steps":[{"sleep":{"ms":1}}]}]})");
    const Result r = taskline({ "run", path, "--mode", "sequential", "--summary-json", "-" });
    QCOMPARE(r.code, 1);
    const QJsonArray tasks = QJsonDocument::fromJson(r.out).object().value("tasks").toArray();
    QCOMPARE(tasks[0].toObject().value("status").toString(), QStringLiteral("failed"));
    QVERIFY(tasks[0].toObject().value("error").toString().contains("500"));
    QCOMPARE(tasks[1].toObject().value("status").toString(), QStringLiteral("done"));
}

void TestCli::modeOverrideAndTable()
{
    const Result r = taskline({ "run", "preset:io-bound", "--mode", "sequential" });
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("sequential"));
    QVERIFY(r.out.contains("page#8"));
    QVERIFY(r.out.contains("blocked_io"));
    QVERIFY(r.out.contains("8 done"));
}

void TestCli::coroutinesOptionsReachTheRun()
{
    // --mode coroutines --offload --limit N reach the executor, the summary and the trace's loop lane.
    const QString trace = m_dir.filePath("coro.json");
    const Result r = taskline({ "run", "preset:mixed", "--mode", "coroutines", "--offload", "--limit", "3",
        "--summary-json", "-", "--trace", trace });
    QCOMPARE(r.code, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value("mode").toString(), QStringLiteral("coroutines"));
    QCOMPARE(o.value("settings").toObject().value("offload").toBool(), true);
    QCOMPARE(o.value("settings").toObject().value("limit").toInt(), 3);
    const QJsonObject loop = o.value("loop").toObject();
    QVERIFY(loop.value("steps").toInt() >= 16);
    QVERIFY(loop.value("max_ready").toInt() >= 1);
    QVERIFY(r.err.contains("event loop: busy"));
    QFile tf(trace);
    QVERIFY(tf.open(QIODevice::ReadOnly));
    bool loopLane = false, offloadLane = false, readyCounter = false;
    for (const QJsonValue& v : QJsonDocument::fromJson(tf.readAll()).object().value("traceEvents").toArray()) {
        const QJsonObject e = v.toObject();
        const QString lane = e.value("args").toObject().value("name").toString();
        loopLane |= e.value("name") == QLatin1String("thread_name") && lane == QLatin1String("loop");
        offloadLane |= e.value("name") == QLatin1String("thread_name") && lane.startsWith("offload-");
        readyCounter |= e.value("ph") == QLatin1String("C") && e.value("name") == QLatin1String("ready coroutines");
    }
    QVERIFY(loopLane);
    QVERIFY(offloadLane);
    QVERIFY(readyCounter);
}

void TestCli::processesModeRunsInWorkerProcesses()
{
    // Pool.map(fetch_and_scan) in worker processes: every task on a process lane, start-up and copying shown.
    for (const QString method : { "spawn", "forkserver" }) {
        const Result r = taskline({ "run", "preset:fetch-and-scan", "--mode", "processes", "--workers", "2",
            "--start-method", method, "--max-tasks-per-child", "3", "--summary-json", "-" });
        QCOMPARE(r.code, 0);
        const QJsonObject doc = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(doc.value("mode").toString(), QStringLiteral("processes"));
        const QJsonObject settings = doc.value("settings").toObject();
        QCOMPARE(settings.value("start_method").toString(), method);
        QCOMPARE(settings.value("max_tasks_per_child").toInt(), 3);
        const QJsonObject states = doc.value("state_ms").toObject();
        QVERIFY(states.value("spawning").toDouble() > 0);
        QVERIFY(states.value("serializing").toDouble() > 0);
        QVERIFY(states.value("running").toDouble() > 0);
        QVERIFY(doc.value("cpu_ms").toDouble() > 0);
        for (const QJsonValue& t : doc.value("tasks").toArray()) {
            QCOMPARE(t["status"].toString(), QStringLiteral("done"));
            QVERIFY2(t["worker"].toString().startsWith("process-"), qPrintable(t["worker"].toString()));
        }
        QVERIFY(r.err.contains("process-")); // the table went to stderr
    }
}

void TestCli::internalCommandsNeedTheirSocket()
{
    // `worker` and `forkserver` are started by taskline itself; run by hand they say what they are.
    for (const QString cmd : { "worker", "forkserver" }) {
        const Result r = taskline({ cmd });
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("internal command of processes mode") && r.err.contains("--fd"), r.err.constData());
    }
    const Result help = taskline({ "--help" });
    QVERIFY(!help.out.contains("forkserver --fd"));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
