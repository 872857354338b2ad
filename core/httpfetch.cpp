#include "httpfetch.h"

#include <curl/curl.h>
#include <memory>
#include <mutex>
#include <sys/resource.h>

namespace taskline {

namespace {

// curl_multi_poll's timeout: the longest a fetch keeps running after *stop became true. libcurl's progress callback
// would be simpler but fires only about once a second while a transfer is idle (a slow server).
constexpr int kStopPollMs = 15;

struct EasyDeleter
{
    void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct MultiDeleter
{
    void operator()(CURLM* h) const { curl_multi_cleanup(h); }
};

struct BodySink
{
    QByteArray* body;
    int64_t cap;
    bool tooLarge = false;
};

size_t appendBody(char* data, size_t size, size_t count, void* user)
{
    auto* sink = static_cast<BodySink*>(user);
    const size_t n = size * count;
    if (int64_t(sink->body->size()) + int64_t(n) > sink->cap) {
        sink->tooLarge = true;
        return 0; // makes libcurl fail the transfer with CURLE_WRITE_ERROR
    }
    sink->body->append(data, qsizetype(n));
    return n;
}

QString sizeText(int64_t bytes)
{
    if (bytes >= (1 << 20) && bytes % (1 << 20) == 0)
        return QStringLiteral("%1 MiB").arg(bytes >> 20);
    return QStringLiteral("%1 bytes").arg(bytes);
}

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
    FetchResult result;
    const auto stopRequested = [stop] { return stop && stop->load(std::memory_order_relaxed); };
    if (stopRequested()) {
        result.error = QStringLiteral("stopped");
        return result;
    }

    std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
    std::unique_ptr<CURLM, MultiDeleter> multi(curl_multi_init());
    if (!easy || !multi) {
        result.error = QStringLiteral("could not start a fetch of %1: libcurl could not allocate a handle").arg(url);
        return result;
    }

    const QByteArray urlBytes = url.toUtf8();
    char errorBuffer[CURL_ERROR_SIZE] = {};
    BodySink sink { &result.body, options.maxBodyBytes };
    CURL* h = easy.get();
    curl_easy_setopt(h, CURLOPT_URL, urlBytes.constData());
    // Fetch steps come from mix files, which anyone can write: never file://, ftp://, smb:// … nor a redirect there.
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, options.maxRedirects);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeoutMs);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, options.totalTimeoutMs);
    // Fetches run on many threads at once; without this libcurl may use SIGALRM for DNS timeouts.
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "Taskline/" TASKLINE_VERSION);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errorBuffer);
    // Refuses early when the server announces a larger Content-Length; appendBody catches the rest.
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(options.maxBodyBytes));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, appendBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);

    // One easy handle driven through a private multi handle: curl_multi_poll returns every kStopPollMs, so the stop
    // flag is seen promptly even while the server says nothing.
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
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.httpStatus);
    char* effective = nullptr;
    curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective);
    const QString effectiveUrl = effective ? QString::fromUtf8(effective) : url;
    curl_multi_remove_handle(multi.get(), h);

    const QString where = effectiveUrl == url ? url : QStringLiteral("%1 (redirected to %2)").arg(url, effectiveUrl);
    const QString detail = QString::fromUtf8(errorBuffer[0] ? errorBuffer : curl_easy_strerror(code)).trimmed();

    if (stopped) {
        result.body.clear();
        result.error = QStringLiteral("stopped");
    } else if (mcode != CURLM_OK) {
        result.error = QStringLiteral("fetch of %1 failed: %2").arg(url, QString::fromUtf8(curl_multi_strerror(mcode)));
    } else if (sink.tooLarge || code == CURLE_FILESIZE_EXCEEDED) {
        result.body.clear();
        result.error = QStringLiteral("response larger than %1 from %2").arg(sizeText(options.maxBodyBytes), where);
    } else if (code != CURLE_OK) {
        switch (code) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
            result.error = QStringLiteral("could not connect to %1: %2").arg(where, detail);
            break;
        case CURLE_OPERATION_TIMEDOUT:
            result.error = QStringLiteral("timed out fetching %1: %2").arg(where, detail);
            break;
        case CURLE_TOO_MANY_REDIRECTS:
            result.error
                = QStringLiteral("too many redirects (more than %1) from %2").arg(options.maxRedirects).arg(url);
            break;
        case CURLE_UNSUPPORTED_PROTOCOL:
            result.error
                = QStringLiteral("refused to fetch %1: only http and https are allowed (%2)").arg(where, detail);
            break;
        case CURLE_URL_MALFORMAT:
            result.error = QStringLiteral("bad URL '%1': %2").arg(url, detail);
            break;
        default:
            result.error = QStringLiteral("fetch of %1 failed: %2").arg(where, detail);
            break;
        }
    } else if (result.httpStatus >= 400) {
        result.error = QStringLiteral("HTTP %1 from %2").arg(result.httpStatus).arg(where);
    } else {
        result.ok = true;
    }
    return result;
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
