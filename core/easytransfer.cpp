#include "easytransfer.h"

namespace taskline {

namespace {

QString sizeText(int64_t bytes)
{
    if (bytes >= (1 << 20) && bytes % (1 << 20) == 0)
        return QStringLiteral("%1 MiB").arg(bytes >> 20);
    return QStringLiteral("%1 bytes").arg(bytes);
}

} // namespace

EasyTransfer::EasyTransfer(const QString& url, const FetchOptions& options)
    : m_url(url)
    , m_urlBytes(url.toUtf8())
    , m_options(options)
    , m_sink { &m_body, options.maxBodyBytes }
    , m_easy(curl_easy_init())
{
    if (!m_easy)
        return;
    CURL* h = m_easy;
    curl_easy_setopt(h, CURLOPT_URL, m_urlBytes.constData());
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
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, m_errorBuffer);
    // Refuses early when the server announces a larger Content-Length; appendBody catches the rest.
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(options.maxBodyBytes));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, appendBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &m_sink);
    if (m_options.onSocketCalls) {
        m_sink.onSocketCalls = &m_options.onSocketCalls;
        // After the connection is made, before the request is sent (libcurl 7.80+).
        curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, onConnected);
        curl_easy_setopt(h, CURLOPT_PREREQDATA, &m_sink);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, onHeader);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, &m_sink);
    }
}

int EasyTransfer::onConnected(void* user, char*, char*, int, int)
{
    // getaddrinfo, connect, sendall: the request does not leave before the thread has had the GIL back each time.
    auto* sink = static_cast<BodySink*>(user);
    (*sink->onSocketCalls)(3);
    return CURL_PREREQFUNC_OK;
}

size_t EasyTransfer::onHeader(char*, size_t size, size_t count, void* user)
{
    auto* sink = static_cast<BodySink*>(user);
    if (!sink->headSeen) { // the recv that brought the status line and the headers (read from its buffer after)
        sink->headSeen = true;
        sink->recvBytes = 0;
        (*sink->onSocketCalls)(1);
    }
    return size * count;
}

EasyTransfer::~EasyTransfer()
{
    if (m_easy)
        curl_easy_cleanup(m_easy);
}

size_t EasyTransfer::appendBody(char* data, size_t size, size_t count, void* user)
{
    auto* sink = static_cast<BodySink*>(user);
    const size_t n = size * count;
    if (int64_t(sink->body->size()) + int64_t(n) > sink->cap) {
        sink->tooLarge = true;
        return 0; // makes libcurl fail the transfer with CURLE_WRITE_ERROR
    }
    sink->body->append(data, qsizetype(n));
    if (sink->onSocketCalls) {
        // http.client reads the body through an 8 KiB buffer: one recv per 8 KiB (the first came with the head).
        constexpr int64_t kRecvBytes = 8192;
        const int64_t total = sink->body->size();
        const int calls
            = int((total - 1) / kRecvBytes - (sink->recvBytes > 0 ? (sink->recvBytes - 1) / kRecvBytes : 0));
        sink->recvBytes = total;
        if (calls > 0)
            (*sink->onSocketCalls)(calls);
    }
    return n;
}

FetchResult EasyTransfer::allocationFailure() const
{
    FetchResult result;
    result.error = QStringLiteral("could not start a fetch of %1: libcurl could not allocate a handle").arg(m_url);
    return result;
}

FetchResult EasyTransfer::finish(CURLcode code, CURLMcode mcode, bool stopped)
{
    FetchResult result;
    if (!m_easy)
        return allocationFailure();
    const QString& url = m_url;
    curl_easy_getinfo(m_easy, CURLINFO_RESPONSE_CODE, &result.httpStatus);
    char* effective = nullptr;
    curl_easy_getinfo(m_easy, CURLINFO_EFFECTIVE_URL, &effective);
    const QString effectiveUrl = effective ? QString::fromUtf8(effective) : url;
    const QString where = effectiveUrl == url ? url : QStringLiteral("%1 (redirected to %2)").arg(url, effectiveUrl);
    const QString detail = QString::fromUtf8(m_errorBuffer[0] ? m_errorBuffer : curl_easy_strerror(code)).trimmed();
    result.body = std::move(m_body);
    m_body.clear();

    if (stopped) {
        result.body.clear();
        result.error = QStringLiteral("stopped");
    } else if (mcode != CURLM_OK) {
        result.error = QStringLiteral("fetch of %1 failed: %2").arg(url, QString::fromUtf8(curl_multi_strerror(mcode)));
    } else if (m_sink.tooLarge || code == CURLE_FILESIZE_EXCEEDED) {
        result.body.clear();
        result.error = QStringLiteral("response larger than %1 from %2").arg(sizeText(m_options.maxBodyBytes), where);
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
                = QStringLiteral("too many redirects (more than %1) from %2").arg(m_options.maxRedirects).arg(url);
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

} // namespace taskline
