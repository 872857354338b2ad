#pragma once

#include <QByteArray>
#include <QString>
#include <atomic>
#include <cstdint>
#include <functional>

namespace taskline {

struct FetchResult
{
    bool ok = false;
    long httpStatus = 0; // 0 when no response arrived
    QByteArray body;
    QString error; // "HTTP 404 from http://…", "could not connect to …: Connection refused", "stopped"
};

struct FetchOptions
{
    long connectTimeoutMs = 10'000;
    long totalTimeoutMs = 60'000;
    long maxRedirects = 5;
    int64_t maxBodyBytes = int64_t(64) << 20; // a larger body fails the fetch ("response larger than 64 MiB …")
    // Called on the fetching thread, from inside the transfer, each time urllib would come back from socket calls
    // (`calls` of them), as strace shows for urlopen(...).read(): getaddrinfo, connect and sendall (3, before the
    // request leaves), the recv that brings the response head (1), one recv per 8 KiB of body after that, and the
    // close (1). In CPython each of them drops the GIL and must take it back before Python code goes on, so the
    // threads mode uses this to make a fetch beside a CPU-bound thread wait for the GIL at each one, as urllib does.
    // Empty: no calls.
    std::function<void(int calls)> onSocketCalls;
};

// Turns "lab:/delay?ms=1" into labBase + "/delay?ms=1"; http(s) URLs are returned as they are.
// Thread: any.
QString resolveFetchUrl(const QString& url, const QString& labBase);

// A real HTTP GET through libcurl's easy interface (protocols limited to http and https, redirects capped,
// timeouts). Blocks the calling thread; returns promptly (error "stopped", within about 20 ms) once *stop becomes
// true. ok is false for transport errors and for HTTP status >= 400 (status and body are kept then). Every error
// but "stopped" names the URL.
// Thread: any; curl_global_init must have run (see initNetworking()).
FetchResult fetchBlocking(const QString& url, const std::atomic<bool>* stop = nullptr, const FetchOptions& = {});

// Once per process, before any thread starts: curl_global_init, and raise RLIMIT_NOFILE to its hard limit
// (a thousand fetches in flight need two thousand descriptors with the lab server in the same process).
void initNetworking();

} // namespace taskline
