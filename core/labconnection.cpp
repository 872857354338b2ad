#include "labconnection.h"

#include "clock.h"
#include "labrouter.h"

#include <QTcpSocket>
#include <QTimer>

namespace taskline {

namespace {

// A request head larger than this is refused (431): the lab's clients send a few hundred bytes.
constexpr qsizetype kMaxHeadBytes = 64 * 1024;
// GET and HEAD do not carry bodies in practice; a small one is skipped, a large one is refused (413).
constexpr int64_t kMaxSkippedBody = 1 << 20;
// Bodies up to this size are copied behind their head when the request is parsed, so that when the answer is due
// it leaves in one send() with nothing to allocate or copy. On a 2-core VM, head and body as two writes cost about
// 20 µs per answer and joining them at answer time 26 µs; joining in advance roughly halved how late the last of a
// thousand answers due within ~15 ms were (bench_labserver). Larger bodies stay shared with the page cache: a few
// 64 MiB answers in flight must not cost a copy each.
constexpr qsizetype kJoinedBodyMax = 256 * 1024;

void atomicMax(std::atomic<int64_t>& target, int64_t value)
{
    int64_t seen = target.load(std::memory_order_relaxed);
    while (value > seen && !target.compare_exchange_weak(seen, value, std::memory_order_relaxed)) { }
}

bool hasToken(const QByteArray& list, const char* token)
{
    for (const QByteArray& part : list.split(','))
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

} // namespace

void LabCounters::recordAnswer(int64_t latenessNs)
{
    answered.fetch_add(1, std::memory_order_relaxed);
    inFlight.fetch_sub(1, std::memory_order_relaxed);
    if (latenessNs >= 0)
        atomicMax(maxLatenessNs, latenessNs);
    else
        atomicMax(maxEarlyNs, -latenessNs);
}

void LabCounters::reset()
{
    answered.store(0, std::memory_order_relaxed);
    maxLatenessNs.store(0, std::memory_order_relaxed);
    maxEarlyNs.store(0, std::memory_order_relaxed);
}

LabConnection::LabConnection(QTcpSocket* socket, LabRouter* router, LabCounters* counters, QObject* parent)
    : QObject(parent)
    , m_socket(socket)
    , m_router(router)
    , m_counters(counters)
{
    m_socket->setParent(this);
    // Answers are written whole; without this a keep-alive client's next small answer could wait for an ACK.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(m_socket, &QTcpSocket::readyRead, this, [this] { readIncoming(); });
    // The client went away (or the server closed after "Connection: close"): pending answers and their timers go
    // with this object.
    connect(m_socket, &QTcpSocket::disconnected, this, [this] { deleteLater(); });
    readIncoming(); // bytes may have arrived before the signal was connected
}

LabConnection::~LabConnection()
{
    // Answers that will never be written no longer count as in flight.
    m_counters->inFlight.fetch_sub(int64_t(m_queue.size()), std::memory_order_relaxed);
    // The socket is deleted after this body (it is a child); it must not call back into a half-destroyed object.
    m_socket->disconnect(this);
}

void LabConnection::readIncoming()
{
    if (m_closing)
        return;
    m_in.append(m_socket->readAll());
    while (!m_closing && parseOne()) { }
}

bool LabConnection::parseOne()
{
    if (m_bodyToSkip > 0) {
        const qsizetype n = qsizetype(std::min<int64_t>(m_bodyToSkip, m_in.size()));
        m_in.remove(0, n);
        m_bodyToSkip -= n;
        if (m_bodyToSkip > 0)
            return false;
    }
    // RFC 9112 2.2: a server should ignore empty lines received before a request-line.
    qsizetype lead = 0;
    while (lead < m_in.size() && (m_in[lead] == '\r' || m_in[lead] == '\n'))
        ++lead;
    if (lead > 0)
        m_in.remove(0, lead);

    const qsizetype end = m_in.indexOf("\r\n\r\n");
    if (end < 0) {
        if (m_in.size() > kMaxHeadBytes)
            reject(431, "request head larger than 64 KiB");
        return false;
    }
    if (end > kMaxHeadBytes) {
        reject(431, "request head larger than 64 KiB");
        return false;
    }
    const QByteArray head = m_in.left(end);
    m_in.remove(0, end + 4);

    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine[1].startsWith('/')) {
        reject(400, "malformed request line");
        return false;
    }
    const QByteArray& method = requestLine[0];
    const QByteArray& target = requestLine[1];
    const QByteArray& version = requestLine[2];
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        reject(505, "only HTTP/1.0 and HTTP/1.1 are served");
        return false;
    }

    bool close = version == "HTTP/1.0"; // 1.0 closes unless the client asks to keep the connection
    int64_t contentLength = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray& line = lines[i];
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            reject(400, "malformed header line");
            return false;
        }
        const QByteArray name = line.left(colon).trimmed();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name.compare("Connection", Qt::CaseInsensitive) == 0) {
            if (hasToken(value, "close"))
                close = true;
            else if (hasToken(value, "keep-alive"))
                close = false;
        } else if (name.compare("Content-Length", Qt::CaseInsensitive) == 0) {
            bool ok = false;
            contentLength = value.toLongLong(&ok);
            if (!ok || contentLength < 0) {
                reject(400, "bad Content-Length");
                return false;
            }
        } else if (name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0) {
            reject(501, "request bodies with Transfer-Encoding are not supported");
            return false;
        }
    }
    if (contentLength > kMaxSkippedBody) {
        reject(413, "request body too large");
        return false;
    }
    m_bodyToSkip = contentLength;

    const bool isHead = method == "HEAD";
    if (method != "GET" && !isHead) {
        enqueue(405, "text/plain; charset=utf-8", "only GET and HEAD are served\n", "Allow: GET, HEAD\r\n", 0, false,
            close);
        return !close;
    }
    const LabResponse r = m_router->route(target);
    QByteArray extra;
    for (const auto& [name, value] : r.headers)
        extra += name + ": " + value + "\r\n";
    if (version == "HTTP/1.0" && !close)
        extra += "Connection: keep-alive\r\n";
    enqueue(r.status, r.contentType, r.body, extra, r.delayMs, isHead, close);
    return !close;
}

void LabConnection::enqueue(int status, const QByteArray& contentType, const QByteArray& body,
    const QByteArray& extraHeaders, int delayMs, bool headOnly, bool close)
{
    const int64_t parsedNs = monotonicNs();
    // 1xx, 204 and 304 answers never carry a body (RFC 9110 6.4.1); 1xx and 204 not even a Content-Length.
    const bool bodyAllowed = status >= 200 && status != 204 && status != 304;
    const bool lengthAllowed = status >= 200 && status != 204;

    Pending p;
    p.head.reserve(160 + extraHeaders.size());
    p.head += "HTTP/1.1 " + QByteArray::number(status) + ' ' + LabRouter::reasonPhrase(status) + "\r\n";
    p.head += "Server: Taskline-lab\r\n";
    if (bodyAllowed)
        p.head += "Content-Type: " + contentType + "\r\n";
    if (lengthAllowed)
        p.head += "Content-Length: " + QByteArray::number(bodyAllowed ? body.size() : 0) + "\r\n";
    p.head += extraHeaders;
    if (close)
        p.head += "Connection: close\r\n";
    p.head += "\r\n";
    if (bodyAllowed && !headOnly) {
        if (body.size() <= kJoinedBodyMax) {
            // Joined now, while the answer waits, so that when it is due it leaves in one send() with no copy.
            p.head.reserve(p.head.size() + body.size());
            p.head.append(body);
        } else {
            p.body = body; // shared with the page cache; sent by a second write
        }
    }
    p.dueNs = parsedNs + int64_t(delayMs) * 1'000'000;
    p.close = close;
    if (close)
        m_closing = true;
    m_counters->inFlight.fetch_add(1, std::memory_order_relaxed);

    if (delayMs > 0) {
        // One precise timer per answer: the default coarse timer may fire up to 5 % late (10 ms at 200 ms).
        auto* timer = new QTimer(this);
        timer->setTimerType(Qt::PreciseTimer);
        timer->setSingleShot(true);
        connect(timer, &QTimer::timeout, this, [this, timer] { onTimer(timer); });
        timer->start(delayMs);
        p.timer = timer;
    }
    m_queue.push_back(std::move(p));
    writeReadyAnswers();
}

void LabConnection::reject(int status, const QByteArray& text)
{
    m_in.clear();
    enqueue(status, "text/plain; charset=utf-8", text + '\n', {}, 0, false, true);
}

void LabConnection::onTimer(QTimer* timer)
{
    for (Pending& p : m_queue) {
        if (p.timer == timer) {
            p.timer = nullptr;
            break;
        }
    }
    timer->deleteLater();
    writeReadyAnswers();
}

void LabConnection::writeReadyAnswers()
{
    // In request order: a later answer that is due waits for an earlier one that is not (HTTP/1.1 pipelining).
    while (!m_queue.empty() && m_queue.front().timer == nullptr) {
        Pending p = std::move(m_queue.front());
        m_queue.pop_front();
        // Counted before the bytes leave: a client that has read its answer must already see it in stats().
        m_counters->recordAnswer(monotonicNs() - p.dueNs);
        m_socket->write(p.head);
        if (!p.body.isEmpty())
            m_socket->write(p.body);
        // Hand the bytes to the kernel now rather than on the next loop iteration: no write-notifier round trip
        // (another poll() over every socket of the server), and the next answer's lateness includes this send.
        m_socket->flush();
        if (p.close) {
            // Flushes what was written, then closes; `disconnected` deletes this connection.
            m_socket->disconnectFromHost();
            return;
        }
    }
}

} // namespace taskline
