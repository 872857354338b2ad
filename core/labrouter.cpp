#include "labrouter.h"

#include "labserver.h"

#include <QUrl>
#include <QUrlQuery>

namespace taskline {

namespace {

LabResponse textResponse(int status, const QByteArray& text)
{
    LabResponse r;
    r.status = status;
    r.body = text + '\n';
    return r;
}

// Reads an optional integer query parameter. Returns false (and fills *bad with a 400 that names the parameter) when
// the value is present but not an integer in [lo, hi].
bool intParam(const QUrlQuery& q, const char* name, int64_t lo, int64_t hi, int64_t* value, LabResponse* bad)
{
    const QString key = QString::fromLatin1(name);
    if (!q.hasQueryItem(key))
        return true;
    const QString raw = q.queryItemValue(key, QUrl::FullyDecoded);
    bool ok = false;
    const qlonglong v = raw.toLongLong(&ok);
    if (ok && v >= lo && v <= hi) {
        *value = v;
        return true;
    }
    *bad = textResponse(400,
        QByteArray("bad query parameter '") + name + "': expected an integer from " + QByteArray::number(lo) + " to "
            + QByteArray::number(hi) + ", got '" + raw.left(64).toUtf8() + "'");
    return false;
}

} // namespace

LabResponse LabRouter::route(const QByteArray& target)
{
    const qsizetype q = target.indexOf('?');
    const QByteArray path = q < 0 ? target : target.left(q);
    const QByteArray query = q < 0 ? QByteArray() : target.mid(q + 1);

    if (path == "/delay")
        return delay(query);
    if (path.startsWith("/status/"))
        return status(path.mid(8));
    if (path == "/redirect")
        return redirect(query);
    if (path == "/")
        return textResponse(200,
            "Taskline lab server\n"
            "GET /delay?ms=M&bytes=B    HTML with <meta> tags, B bytes (default 20000) after M ms (default 0)\n"
            "GET /status/CODE           answers with that status\n"
            "GET /redirect?n=N&to=PATH  N chained redirects, then PATH");
    return textResponse(404, "no such path: " + path.left(200));
}

LabResponse LabRouter::delay(const QByteArray& query)
{
    const QUrlQuery q(QString::fromUtf8(query));
    int64_t ms = 0;
    int64_t bytes = 20'000;
    LabResponse bad;
    if (!intParam(q, "ms", 0, kMaxDelayMs, &ms, &bad) || !intParam(q, "bytes", 0, kMaxBytes, &bytes, &bad))
        return bad;
    LabResponse r;
    r.contentType = "text/html; charset=utf-8";
    r.body = page(bytes);
    r.delayMs = int(ms);
    return r;
}

LabResponse LabRouter::status(const QByteArray& code)
{
    bool ok = false;
    const int c = code.toInt(&ok);
    if (!ok || c < 100 || c > 599)
        return textResponse(400, "bad status code '" + code.left(64) + "': expected an integer from 100 to 599");
    LabResponse r = textResponse(c, QByteArray::number(c) + ' ' + reasonPhrase(c));
    return r;
}

LabResponse LabRouter::redirect(const QByteArray& query)
{
    const QUrlQuery q(QString::fromUtf8(query));
    int64_t n = 1;
    LabResponse bad;
    if (!intParam(q, "n", 1, 50, &n, &bad))
        return bad;
    const QString to = q.queryItemValue(QStringLiteral("to"), QUrl::FullyDecoded);
    // Only paths on this server: the lab server must never send a client elsewhere.
    if (!to.startsWith(QLatin1Char('/')) || to.startsWith(QLatin1String("//")))
        return textResponse(400, "bad query parameter 'to': expected a path starting with '/'");

    QByteArray location;
    if (n == 1) {
        location = to.toUtf8();
    } else {
        location = "/redirect?n=" + QByteArray::number(n - 1) + "&to=" + QUrl::toPercentEncoding(to);
    }
    LabResponse r = textResponse(302, "redirecting to " + location);
    r.headers.append({ "Location", location });
    return r;
}

QByteArray LabRouter::page(int64_t bytes)
{
    auto it = m_pages.constFind(bytes);
    if (it != m_pages.constEnd())
        return *it;
    if (m_cachedBytes + bytes > kCacheBudget) {
        m_pages.clear();
        m_cachedBytes = 0;
    }
    QByteArray p = makeLabHtml(bytes);
    m_pages.insert(bytes, p);
    m_cachedBytes += bytes;
    return p;
}

QByteArray LabRouter::reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 413:
        return "Content Too Large";
    case 418:
        return "I'm a teapot";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Status " + QByteArray::number(status);
    }
}

} // namespace taskline
