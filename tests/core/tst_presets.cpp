// The built-in presets, the lesson's material: each one loads, says what it shows, and runs to the end in its own
// mode (shortened, so that the whole set takes seconds: fewer tasks, steps of at most 20 ms). The two presets whose
// point is their size run whole.

#include "httpfetch.h"
#include "mixformat.h"
#include "testutil.h"

#include <QRegularExpression>
#include <QTest>
#include <QUrlQuery>

using namespace taskline;
using namespace taskline::test;

namespace {

constexpr double kMaxStepMsInTests = 20;

Step shortened(Step s)
{
    switch (s.kind) {
    case StepKind::Compute:
        s.compute.ms = std::min(s.compute.ms, kMaxStepMsInTests);
        s.compute.payloadBytes = std::min<int64_t>(s.compute.payloadBytes, 4 << 20);
        break;
    case StepKind::Sleep:
        s.sleep.ms = std::min(s.sleep.ms, kMaxStepMsInTests);
        break;
    case StepKind::Fetch:
        if (s.fetch.url.startsWith(QLatin1String("lab:/delay?"))) {
            QUrlQuery q(s.fetch.url.mid(int(qstrlen("lab:/delay?"))));
            const double ms = q.queryItemValue(QStringLiteral("ms")).toDouble();
            q.removeQueryItem(QStringLiteral("ms"));
            q.addQueryItem(QStringLiteral("ms"), QString::number(std::min(ms, kMaxStepMsInTests)));
            s.fetch.url = QStringLiteral("lab:/delay?") + q.toString();
        }
        break;
    }
    return s;
}

Mix shortened(Mix m)
{
    for (TaskSpec& t : m.tasks) {
        t.count = std::min(t.count, 6);
        if (t.steps.size() > 12)
            t.steps.resize(12);
        for (Step& s : t.steps)
            s = shortened(s);
    }
    if (m.settings.workers)
        m.settings.workers = std::min(*m.settings.workers, 8);
    return m;
}

} // namespace

class TestPresets : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void everyPresetRuns_data();
    void everyPresetRuns();
    void sizeIsThePoint_data();
    void sizeIsThePoint();
};

void TestPresets::initTestCase()
{
    initNetworking();
    QVERIFY(presetNames().size() >= 15);
}

void TestPresets::everyPresetRuns_data()
{
    QTest::addColumn<QString>("preset");
    for (const QString& name : presetNames())
        QTest::newRow(qPrintable(name)) << name;
}

void TestPresets::everyPresetRuns()
{
    QFETCH(QString, preset);
    Mix mix;
    MixError error;
    QVERIFY2(loadMix(QStringLiteral("preset:") + preset, &mix, &error), qPrintable(error.toString()));
    QVERIFY(!mix.name.trimmed().isEmpty());
    // A paragraph for the person in front of it: what to run and what to look for.
    QVERIFY2(mix.description.size() >= 120, qPrintable(mix.description));
    QVERIFY2(mix.settings.mode.has_value(), "a preset says which mode it is about");

    const Mix small = shortened(mix);
    QVERIFY2(validateMix(small).isEmpty(), qPrintable(validateMix(small).toString()));
    const RunSettings settings = RunSettings::fromMix(small.settings);
    const Ran ran = runMix(small, settings);
    QVERIFY2(ran.result.ok(), qPrintable(ran.result.error));
    QCOMPARE(ran.store.tasksFinished(), ran.store.taskCount());
    QCOMPARE(ran.result.settings.mode, *mix.settings.mode);
    QCOMPARE(ran.store.droppedEvents(), uint64_t(0));
}

void TestPresets::sizeIsThePoint_data()
{
    QTest::addColumn<QString>("preset");
    QTest::addColumn<int>("tasks");
    QTest::newRow("many-sleeps") << "many-sleeps" << 10'000;
    QTest::newRow("thousand-threads") << "thousand-threads" << 1'000;
}

void TestPresets::sizeIsThePoint()
{
    QFETCH(QString, preset);
    QFETCH(int, tasks);
    Mix mix;
    MixError error;
    QVERIFY2(loadMix(QStringLiteral("preset:") + preset, &mix, &error), qPrintable(error.toString()));
    const Ran ran = runMix(mix, RunSettings::fromMix(mix.settings));
    QVERIFY2(ran.result.ok(), qPrintable(ran.result.error));
    QCOMPARE(ran.store.taskCount(), tasks);
    QCOMPARE(ran.store.tasksFinished(), tasks);
    // Every task sleeps 100 ms, all at once: the run takes a little more than one sleep, far less than two.
    QVERIFY2(ran.wallMs() >= 100 && ran.wallMs() < 5000, qPrintable(QString::number(ran.wallMs())));
}

QTEST_GUILESS_MAIN(TestPresets)
#include "tst_presets.moc"
