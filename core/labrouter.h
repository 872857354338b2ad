#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QPair>
#include <cstdint>

namespace taskline {

// What the lab server answers to one request, before it is framed as HTTP/1.1 by LabConnection.
struct LabResponse
{
    int status = 200;
    QByteArray contentType = "text/plain; charset=utf-8";
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers; // extra headers, e.g. Location
    int delayMs = 0; // answer this long after the request was parsed (a precise timer, never a blocked thread)
};

// The routes of the lab server (design.md, "Lab server"), independent of sockets:
//   GET /delay?ms=M&bytes=B      after M ms (0..600000, default 0), exactly B bytes (0..64 MiB, default 20000)
//                                of makeLabHtml
//   GET /status/CODE             that status (100..599) with a short text body (none for 1xx, 204, 304; a 1xx is
//                                interim in HTTP, so a client keeps waiting for a final answer that never comes)
//   GET /redirect?n=N&to=PATH    N (1..50) chained 302 redirects ending at PATH (a path on this server); used to
//                                test that clients follow redirects and cap them
//   GET /                        a short text index of the routes
// Thread: the server thread only (the page cache is not locked).
class LabRouter
{
public:
    static constexpr int kMaxDelayMs = 600'000;
    static constexpr int64_t kMaxBytes = int64_t(64) << 20;

    // `target` is the origin-form request-target of a GET or HEAD, e.g. "/delay?ms=5" (other methods are refused
    // by the caller; for HEAD the caller drops the body). Unknown paths give 404, bad values 400 naming the
    // parameter.
    LabResponse route(const QByteArray& target);

    static QByteArray reasonPhrase(int status);

private:
    LabResponse delay(const QByteArray& query);
    LabResponse status(const QByteArray& code);
    LabResponse redirect(const QByteArray& query);
    // Pages are immutable and implicitly shared, so a thousand answers of one size share one buffer, and a page is
    // generated once per size (a 64 MiB one takes ~0.1 s on the server thread, during which other answers wait).
    // When a new page would pass kCacheBudget bytes, the cache is emptied first.
    QByteArray page(int64_t bytes);

    static constexpr int64_t kCacheBudget = int64_t(128) << 20;
    QHash<int64_t, QByteArray> m_pages;
    int64_t m_cachedBytes = 0;
};

} // namespace taskline
