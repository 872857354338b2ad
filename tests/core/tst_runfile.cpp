// Saved runs: a real run survives save → open with the same summary and trace; bad files are refused clearly.

#include "httpfetch.h"
#include "runfile.h"
#include "summary.h"
#include "testutil.h"

#include <QDataStream>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace taskline;
using namespace taskline::test;

class TestRunFile : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void roundTripKeepsSummaryAndSpans();
    void badFiles_data();
    void badFiles();
    void missingFile();

private:
    Mix m_mix;
    Ran m_ran;
    QTemporaryDir m_dir;
};

void TestRunFile::initTestCase()
{
    initNetworking();
    m_mix = mixOf("saved",
        { task("page", 2, { Step::makeFetch(labUrl(30)), Step::makeCompute(10) }),
            task("cpu", 2, { Step::makeCompute(20) }) });
    m_ran = runMix(m_mix, settingsFor(Mode::Threads, 3));
    QVERIFY(m_ran.result.ok());
}

void TestRunFile::roundTripKeepsSummaryAndSpans()
{
    const QString file = m_dir.filePath("a.taskline-run");
    QString error;
    QVERIFY2(saveRun(file, m_mix, m_ran.result, m_ran.store, &error), qPrintable(error));
    SavedRun back;
    QVERIFY2(loadRun(file, &back, &error), qPrintable(error));
    QCOMPARE(back.mix, m_mix);
    QCOMPARE(back.result.settings.mode, Mode::Threads);
    QCOMPARE(back.result.settings.workers, 3);
    QCOMPARE(back.store.events().size(), m_ran.store.events().size());
    QCOMPARE(back.store.spans().size(), m_ran.store.spans().size());
    QCOMPARE(back.store.gilSpans().size(), m_ran.store.gilSpans().size());
    QCOMPARE(back.store.utilization().size(), m_ran.store.utilization().size());
    QCOMPARE(back.store.workers().size(), m_ran.store.workers().size());
    for (size_t i = 0; i < back.store.spans().size(); ++i) {
        QCOMPARE(back.store.spans()[i].startNs, m_ran.store.spans()[i].startNs);
        QCOMPARE(back.store.spans()[i].endNs, m_ran.store.spans()[i].endNs);
        QCOMPARE(back.store.spans()[i].cpuNs, m_ran.store.spans()[i].cpuNs);
    }
    const QByteArray before = QJsonDocument(summaryToJson(summarize(m_ran.result, m_ran.store))).toJson();
    const QByteArray after = QJsonDocument(summaryToJson(summarize(back.result, back.store))).toJson();
    QCOMPARE(after, before);
    QVERIFY(!back.savedAt.isEmpty());
}

void TestRunFile::badFiles_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("phrase");
    const QByteArray good = encodeRun(m_mix, m_ran.result, m_ran.store);
    QTest::newRow("not_a_run_file") << QByteArray("{\"format\": \"taskline-mix/1\"}") << "not a Taskline run file";
    QTest::newRow("empty") << QByteArray() << "not a Taskline run file";
    QTest::newRow("truncated") << good.left(good.size() / 2) << "damaged";
    {
        // The same layout with a version from the future.
        QByteArray newer("TASKLINE");
        QDataStream out(&newer, QIODevice::Append);
        out.setVersion(QDataStream::Qt_6_4);
        out << QByteArray("taskline-run") << quint32(kRunFileVersion + 1) << QByteArray("{}");
        QTest::newRow("newer_version_refused") << newer << "newer Taskline (format taskline-run/2)";
    }
    QByteArray flipped = good;
    flipped[flipped.size() / 2] = char(flipped[flipped.size() / 2] ^ 0x5a);
    QTest::newRow("corrupted_events") << flipped << "damaged";
}

void TestRunFile::badFiles()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, phrase);
    SavedRun out;
    QString error;
    QVERIFY(!decodeRun(data, &out, &error, QStringLiteral("x.taskline-run")));
    QVERIFY2(error.startsWith(QStringLiteral("x.taskline-run: ")), qPrintable(error));
    QVERIFY2(error.contains(phrase), qPrintable(error));
}

void TestRunFile::missingFile()
{
    SavedRun out;
    QString error;
    QVERIFY(!loadRun(m_dir.filePath("nope.taskline-run"), &out, &error));
    QVERIFY(error.contains(QStringLiteral("nope.taskline-run")));
}

QTEST_GUILESS_MAIN(TestRunFile)
#include "tst_runfile.moc"
