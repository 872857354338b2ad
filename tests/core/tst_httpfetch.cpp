#include "clock.h"
#include "httpfetch.h"
#include "labserver.h"

#include <QTest>
#include <thread>

using namespace taskline;

class TestHttpFetch : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        initNetworking();
        QString error;
        QVERIFY2(m_server.start(0, &error), qPrintable(error));
        m_base = m_server.baseUrl();
    }

    void resolveFetchUrl_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("base");
        QTest::addColumn<QString>("expected");
        QTest::newRow("lab_path") << "lab:/delay?ms=1"
                                  << "http://127.0.0.1:5"
                                  << "http://127.0.0.1:5/delay?ms=1";
        QTest::newRow("lab_base_with_trailing_slash") << "lab:/x"
                                                      << "http://127.0.0.1:5/"
                                                      << "http://127.0.0.1:5/x";
        QTest::newRow("lab_without_slash") << "lab:x"
                                           << "http://127.0.0.1:5"
                                           << "http://127.0.0.1:5/x";
        QTest::newRow("http_untouched") << "http://example.org/a"
                                        << "http://127.0.0.1:5"
                                        << "http://example.org/a";
        QTest::newRow("https_untouched") << "https://example.org/"
                                         << "http://127.0.0.1:5"
                                         << "https://example.org/";
    }
    void resolveFetchUrl()
    {
        QFETCH(QString, url);
        QFETCH(QString, base);
        QFETCH(QString, expected);
        QCOMPARE(taskline::resolveFetchUrl(url, base), expected);
    }

    void fetchesAPage()
    {
        const FetchResult r = fetchBlocking(m_base + QStringLiteral("/delay?bytes=5000"));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.httpStatus, 200L);
        QCOMPARE(r.body, makeLabHtml(5000));
        QVERIFY(r.error.isEmpty());
    }

    void httpErrorKeepsStatusAndBody()
    {
        const QString url = m_base + QStringLiteral("/status/404");
        const FetchResult r = fetchBlocking(url);
        QVERIFY(!r.ok);
        QCOMPARE(r.httpStatus, 404L);
        QCOMPARE(r.error, QStringLiteral("HTTP 404 from ") + url);
        QCOMPARE(r.body, QByteArray("404 Not Found\n"));
    }

    void stopEndsASlowFetchPromptly()
    {
        m_server.resetStats();
        std::atomic<bool> stop { false };
        FetchResult r;
        std::thread fetcher([&] { r = fetchBlocking(m_base + QStringLiteral("/delay?ms=10000"), &stop); });
        // The request has reached the server and waits for its 10 s answer.
        QTRY_COMPARE(m_server.stats().inFlight, int64_t(1));
        const int64_t t0 = monotonicNs();
        stop = true;
        fetcher.join();
        const int64_t stoppedAfterMs = (monotonicNs() - t0) / 1'000'000;
        QVERIFY2(stoppedAfterMs < 200, qPrintable(QString::number(stoppedAfterMs)));
        QVERIFY(!r.ok);
        QCOMPARE(r.error, QStringLiteral("stopped"));
        // The abandoned connection is closed, so the server drops the pending answer.
        QTRY_COMPARE(m_server.stats().inFlight, int64_t(0));
    }

    void stopAlreadySetDoesNotFetch()
    {
        const std::atomic<bool> stop { true };
        const uint64_t before = m_server.requestsServed();
        const FetchResult r = fetchBlocking(m_base + QStringLiteral("/status/200"), &stop);
        QCOMPARE(r.error, QStringLiteral("stopped"));
        QCOMPARE(r.httpStatus, 0L);
        QCOMPARE(m_server.requestsServed(), before);
    }

    void unreachableServerGivesAClearError()
    {
        // A port that was just free: nobody listens there now.
        LabServer gone;
        QVERIFY(gone.start());
        const QString url = gone.baseUrl() + QStringLiteral("/");
        gone.stop();
        const FetchResult r = fetchBlocking(url);
        QVERIFY(!r.ok);
        QCOMPARE(r.httpStatus, 0L);
        QVERIFY2(r.error.startsWith(QStringLiteral("could not connect to %1: ").arg(url)), qPrintable(r.error));
    }

    void onlyHttpAndHttpsAreFetched_data()
    {
        QTest::addColumn<QString>("url");
        QTest::newRow("ftp") << QStringLiteral("ftp://127.0.0.1:%1/file").arg(m_server.port());
        QTest::newRow("file") << QStringLiteral("file:///etc/hostname");
        QTest::newRow("dict") << QStringLiteral("dict://127.0.0.1:%1/d:word").arg(m_server.port());
    }
    void onlyHttpAndHttpsAreFetched()
    {
        QFETCH(QString, url);
        const uint64_t before = m_server.requestsServed();
        const FetchResult r = fetchBlocking(url);
        QVERIFY(!r.ok);
        QCOMPARE(r.httpStatus, 0L);
        QVERIFY(r.body.isEmpty());
        QVERIFY2(r.error.startsWith(QStringLiteral("refused to fetch ") + url), qPrintable(r.error));
        QVERIFY2(r.error.contains(QStringLiteral("only http and https")), qPrintable(r.error));
        QCOMPARE(m_server.requestsServed(), before);
    }

    void redirectsAreFollowedAndCapped_data()
    {
        QTest::addColumn<int>("hops");
        QTest::addColumn<int>("maxRedirects");
        QTest::addColumn<bool>("ok");
        QTest::newRow("one_hop") << 1 << 5 << true;
        QTest::newRow("three_hops") << 3 << 5 << true;
        QTest::newRow("exactly_the_cap") << 5 << 5 << true;
        QTest::newRow("one_past_the_cap") << 6 << 5 << false;
        QTest::newRow("none_allowed") << 1 << 0 << false;
    }
    void redirectsAreFollowedAndCapped()
    {
        QFETCH(int, hops);
        QFETCH(int, maxRedirects);
        QFETCH(bool, ok);
        const QString url
            = m_base + QStringLiteral("/redirect?n=%1&to=%2").arg(hops).arg(QStringLiteral("%2Fdelay%3Fbytes%3D100"));
        const FetchResult r = fetchBlocking(url, nullptr, { .maxRedirects = maxRedirects, .onSocketCalls = {} });
        QCOMPARE(r.ok, ok);
        if (ok) {
            QCOMPARE(r.httpStatus, 200L);
            QCOMPARE(r.body, makeLabHtml(100));
        } else {
            QCOMPARE(r.error, QStringLiteral("too many redirects (more than %1) from %2").arg(maxRedirects).arg(url));
        }
    }

    void errorAfterRedirectNamesBothUrls()
    {
        const QString url = m_base + QStringLiteral("/redirect?n=2&to=%2Fstatus%2F503");
        const FetchResult r = fetchBlocking(url);
        QCOMPARE(r.httpStatus, 503L);
        QCOMPARE(r.error, QStringLiteral("HTTP 503 from %1 (redirected to %2/status/503)").arg(url, m_base));
    }

    void totalTimeout()
    {
        const int64_t t0 = monotonicNs();
        const FetchResult r
            = fetchBlocking(m_base + QStringLiteral("/delay?ms=10000"), nullptr, { .totalTimeoutMs = 300, .onSocketCalls = {} });
        const int64_t elapsedMs = (monotonicNs() - t0) / 1'000'000;
        QVERIFY(!r.ok);
        QVERIFY2(r.error.startsWith(QStringLiteral("timed out fetching ") + m_base), qPrintable(r.error));
        // libcurl rounds its own timers to the millisecond: 299 ms happens.
        QVERIFY2(elapsedMs >= 250 && elapsedMs < 2000, qPrintable(QString::number(elapsedMs)));
    }

    void bodyCap_data()
    {
        QTest::addColumn<qint64>("cap");
        QTest::addColumn<qint64>("bytes");
        QTest::addColumn<QString>("error");
        QTest::newRow("at_the_cap") << qint64(1000) << qint64(1000) << QString();
        QTest::newRow("one_byte_past") << qint64(1000) << qint64(1001)
                                       << QStringLiteral("response larger than 1000 bytes");
        QTest::newRow("one_mib_cap") << qint64(1 << 20) << qint64((1 << 20) + 1)
                                     << QStringLiteral("response larger than 1 MiB");
    }
    void bodyCap()
    {
        QFETCH(qint64, cap);
        QFETCH(qint64, bytes);
        QFETCH(QString, error);
        const QString url = m_base + QStringLiteral("/delay?bytes=%1").arg(bytes);
        const FetchResult r = fetchBlocking(url, nullptr, { .maxBodyBytes = cap, .onSocketCalls = {} });
        if (error.isEmpty()) {
            QVERIFY2(r.ok, qPrintable(r.error));
            QCOMPARE(r.body.size(), bytes);
        } else {
            QVERIFY(!r.ok);
            QVERIFY(r.body.isEmpty());
            QCOMPARE(r.error, error + QStringLiteral(" from ") + url);
        }
    }

    void malformedUrl()
    {
        const FetchResult r = fetchBlocking(QStringLiteral("http://[not a host/"));
        QVERIFY(!r.ok);
        QVERIFY2(r.error.startsWith(QStringLiteral("bad URL 'http://[not a host/'")), qPrintable(r.error));
    }

private:
    LabServer m_server;
    QString m_base;
};

QTEST_GUILESS_MAIN(TestHttpFetch)
#include "tst_httpfetch.moc"
