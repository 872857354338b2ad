#pragma once

#include "httpfetch.h"

#include <QByteArray>
#include <QString>
#include <curl/curl.h>
#include <functional>

namespace taskline {

// One HTTP GET as a libcurl easy handle, set up the way every Taskline fetch is (protocols limited to http and
// https, redirects capped, connect and total timeouts, body capped), and the classification of how it ended into a
// FetchResult. Shared by the blocking client (fetchBlocking: a private multi handle polled on the calling thread)
// and the event loop's client (AsyncFetcher: one multi handle driven by curl_multi_socket_action), so that both
// refuse, time out and word their errors identically.
// Internal to core (its header includes libcurl's). Thread: one at a time.
class EasyTransfer
{
public:
    EasyTransfer(const QString& url, const FetchOptions& options);
    ~EasyTransfer(); // curl_easy_cleanup; the handle must not be in a multi handle any more
    EasyTransfer(const EasyTransfer&) = delete;
    EasyTransfer& operator=(const EasyTransfer&) = delete;

    bool isValid() const { return m_easy != nullptr; } // false: libcurl could not allocate a handle
    CURL* handle() const { return m_easy; }
    const QString& url() const { return m_url; }

    // The transfer ended with `code` (from CURLMSG_DONE); `mcode` is a multi-interface error that broke it off, and
    // `stopped` says the run's stop request ended it. Moves the body into the result.
    FetchResult finish(CURLcode code, CURLMcode mcode = CURLM_OK, bool stopped = false);
    // The result of a transfer that could not start (no handle): names the URL.
    FetchResult allocationFailure() const;

private:
    struct BodySink
    {
        QByteArray* body;
        int64_t cap;
        bool tooLarge = false;
        const std::function<void(int)>* onSocketCalls = nullptr; // FetchOptions::onSocketCalls, when set
        bool headSeen = false;
        int64_t recvBytes = 0; // body bytes urllib's 8 KiB recv calls have covered so far
    };
    static size_t appendBody(char* data, size_t size, size_t count, void* user);
    static size_t onHeader(char* data, size_t size, size_t count, void* user);
    static int onConnected(void* user, char* remoteIp, char* localIp, int remotePort, int localPort);

    QString m_url;
    QByteArray m_urlBytes; // libcurl keeps a copy, but the error buffer and sink must outlive the handle's use
    FetchOptions m_options;
    QByteArray m_body;
    BodySink m_sink;
    char m_errorBuffer[CURL_ERROR_SIZE] = {};
    CURL* m_easy = nullptr;
};

} // namespace taskline
