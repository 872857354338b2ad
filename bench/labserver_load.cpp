// End-to-end load run of the lab server: N concurrent GET /delay?ms=M&bytes=B through one libcurl multi handle
// (the client runs on the main thread, the server on its own thread, as in the app). Prints how late the answers
// arrive as the client sees them and as the server measured them. See docs/performance.md.
//
//   bench_labserver [N=1000] [M=200] [B=20000] [rounds=1]
//
// Run it under `/usr/bin/time -v` for the peak RSS (it also prints its own ru_maxrss).
#include "clock.h"
#include "httpfetch.h"
#include "labserver.h"

#include <QCoreApplication>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <curl/curl.h>
#include <sys/resource.h>
#include <vector>

using namespace taskline;

namespace {

struct Transfer
{
    CURL* easy = nullptr;
    int64_t bytes = 0;
    int64_t doneNs = 0;
};

size_t countBytes(char*, size_t size, size_t n, void* user)
{
    static_cast<Transfer*>(user)->bytes += int64_t(size * n);
    return size * n;
}

double percentile(const std::vector<int64_t>& sorted, double p)
{
    if (sorted.empty())
        return 0;
    const size_t i = std::min(sorted.size() - 1, size_t(p * double(sorted.size() - 1) + 0.5));
    return double(sorted[i]);
}

void printRow(const char* what, std::vector<int64_t> us)
{
    std::sort(us.begin(), us.end());
    std::printf("  %-34s p50 %8.1f ms   p99 %8.1f ms   max %8.1f ms\n", what, percentile(us, 0.5) / 1e3,
        percentile(us, 0.99) / 1e3, us.empty() ? 0.0 : double(us.back()) / 1e3);
}

// One round: all requests are added at once, then driven to completion. Returns the number of failures.
int runRound(const QByteArray& url, int count, int64_t delayUs, int64_t bytes, LabServer& server)
{
    server.resetStats();
    std::vector<Transfer> transfers(static_cast<size_t>(count));
    CURLM* multi = curl_multi_init();
    for (Transfer& t : transfers) {
        t.easy = curl_easy_init();
        curl_easy_setopt(t.easy, CURLOPT_URL, url.constData());
        curl_easy_setopt(t.easy, CURLOPT_WRITEFUNCTION, countBytes);
        curl_easy_setopt(t.easy, CURLOPT_WRITEDATA, &t);
        curl_easy_setopt(t.easy, CURLOPT_PRIVATE, &t);
        curl_easy_setopt(t.easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(t.easy, CURLOPT_TIMEOUT_MS, 60'000L);
        curl_multi_add_handle(multi, t.easy);
    }

    const int64_t t0 = monotonicNs();
    int running = count;
    int failures = 0;
    std::vector<int64_t> lateUs; // curl's TOTAL_TIME minus the requested delay
    std::vector<int64_t> connectUs;
    std::vector<int64_t> afterSendUs; // from the request being sent (curl's PRETRANSFER) to done, minus the delay
    std::vector<int64_t> sinceStartUs; // from the moment all requests were issued, minus the delay
    while (running > 0) {
        curl_multi_perform(multi, &running);
        int queued = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            Transfer* t = nullptr;
            long status = 0;
            curl_off_t totalUs = 0;
            curl_off_t connUs = 0;
            curl_off_t pretransferUs = 0;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            curl_easy_getinfo(msg->easy_handle, CURLINFO_TOTAL_TIME_T, &totalUs);
            curl_easy_getinfo(msg->easy_handle, CURLINFO_CONNECT_TIME_T, &connUs);
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRETRANSFER_TIME_T, &pretransferUs);
            t->doneNs = monotonicNs();
            if (msg->data.result != CURLE_OK || status != 200 || t->bytes != bytes) {
                if (failures++ < 5)
                    std::fprintf(stderr, "failed: %s, HTTP %ld, %lld bytes\n", curl_easy_strerror(msg->data.result),
                        status, static_cast<long long>(t->bytes));
                continue;
            }
            lateUs.push_back(int64_t(totalUs) - delayUs);
            connectUs.push_back(int64_t(connUs));
            afterSendUs.push_back(int64_t(totalUs - pretransferUs) - delayUs);
            sinceStartUs.push_back((t->doneNs - t0) / 1000 - delayUs);
        }
        if (running > 0)
            curl_multi_poll(multi, nullptr, 0, 100, nullptr);
    }
    const int64_t wallNs = monotonicNs() - t0;
    for (Transfer& t : transfers) {
        curl_multi_remove_handle(multi, t.easy);
        curl_easy_cleanup(t.easy);
    }
    curl_multi_cleanup(multi);

    const LabServerStats s = server.stats();
    std::printf("%d requests, %d failed, wall %.1f ms\n", count, failures, double(wallNs) / 1e6);
    printRow("client total time - delay:", lateUs);
    printRow("since issued - delay:", sinceStartUs);
    printRow("after request sent - delay:", afterSendUs);
    printRow("client connect time:", connectUs);
    std::printf("  server: %llu answers, max lateness %.2f ms, max early %.2f ms\n",
        static_cast<unsigned long long>(s.requests), double(s.maxLatenessUs) / 1e3, double(s.maxEarlyUs) / 1e3);
    return failures;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    initNetworking();
    const int count = argc > 1 ? std::atoi(argv[1]) : 1000;
    const int delayMs = argc > 2 ? std::atoi(argv[2]) : 200;
    const int64_t bytes = argc > 3 ? std::atoll(argv[3]) : 20000;
    const int rounds = argc > 4 ? std::atoi(argv[4]) : 1;

    LabServer server;
    QString error;
    if (!server.start(0, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    const QByteArray url
        = QStringLiteral("%1/delay?ms=%2&bytes=%3").arg(server.baseUrl()).arg(delayMs).arg(bytes).toUtf8();
    std::printf("bench_labserver: %d concurrent GET %s\n", count, url.constData());

    int failures = 0;
    for (int r = 0; r < rounds; ++r)
        failures += runRound(url, count, int64_t(delayMs) * 1000, bytes, server);

    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("peak RSS %.1f MiB, CPU user %.2f s, system %.2f s\n", double(usage.ru_maxrss) / 1024.0,
        double(usage.ru_utime.tv_sec) + double(usage.ru_utime.tv_usec) / 1e6,
        double(usage.ru_stime.tv_sec) + double(usage.ru_stime.tv_usec) / 1e6);
    server.stop();
    return failures == 0 ? 0 : 1;
}
