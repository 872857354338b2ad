#include "httpfetch.h"

#include "easytransfer.h"

#include <curl/curl.h>
#include <memory>
#include <mutex>
#include <sys/resource.h>

namespace taskline {

namespace {

// curl_multi_poll's timeout: the longest a fetch keeps running after *stop became true. libcurl's progress callback
// would be simpler but fires only about once a second while a transfer is idle (a slow server).
constexpr int kStopPollMs = 15;

struct MultiDeleter
{
    void operator()(CURLM* h) const { curl_multi_cleanup(h); }
};

} // namespace

QString resolveFetchUrl(const QString& url, const QString& labBase)
{
    if (!url.startsWith(QLatin1String("lab:")))
        return url;
    QString base = labBase;
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    const QString rest = url.mid(4);
    if (rest.startsWith(QLatin1Char('/')))
        return base + rest;
    return base + QLatin1Char('/') + rest;
}

FetchResult fetchBlocking(const QString& url, const std::atomic<bool>* stop, const FetchOptions& options)
{
    const auto stopRequested = [stop] { return stop && stop->load(std::memory_order_relaxed); };
    if (stopRequested()) {
        FetchResult result;
        result.error = QStringLiteral("stopped");
        return result;
    }

    EasyTransfer transfer(url, options);
    std::unique_ptr<CURLM, MultiDeleter> multi(curl_multi_init());
    if (!transfer.isValid() || !multi)
        return transfer.allocationFailure();

    // One easy handle driven through a private multi handle: curl_multi_poll returns every kStopPollMs, so the stop
    // flag is seen promptly even while the server says nothing.
    CURL* h = transfer.handle();
    curl_multi_add_handle(multi.get(), h);
    CURLMcode mcode = CURLM_OK;
    bool stopped = false;
    while (true) {
        int running = 0;
        mcode = curl_multi_perform(multi.get(), &running);
        if (mcode != CURLM_OK || running == 0)
            break;
        if (stopRequested()) {
            stopped = true;
            break;
        }
        mcode = curl_multi_poll(multi.get(), nullptr, 0, kStopPollMs, nullptr);
        if (mcode != CURLM_OK)
            break;
    }

    CURLcode code = CURLE_OK;
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi.get(), &queued)) {
        if (msg->msg == CURLMSG_DONE)
            code = msg->data.result;
    }
    curl_multi_remove_handle(multi.get(), h);
    if (options.onSocketCalls && !stopped && code == CURLE_OK)
        options.onSocketCalls(1); // urllib closes the socket
    return transfer.finish(code, mcode, stopped);
}

void initNetworking()
{
    static std::once_flag once;
    std::call_once(once, [] {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        // Each fetch in flight holds a socket, and so does the lab server's end of it when it runs in this process.
        rlimit limit {};
        if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
            limit.rlim_cur = limit.rlim_max;
            if (setrlimit(RLIMIT_NOFILE, &limit) != 0 && limit.rlim_max == RLIM_INFINITY) {
                // Linux refuses "unlimited" (the cap is fs.nr_open); ask for a large finite number instead.
                limit.rlim_cur = 1 << 20;
                setrlimit(RLIMIT_NOFILE, &limit);
            }
        }
    });
}

} // namespace taskline
