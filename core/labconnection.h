#pragma once

#include <QByteArray>
#include <QObject>
#include <atomic>
#include <cstdint>
#include <deque>

class QTcpSocket;
class QTimer;

namespace taskline {

class LabRouter;

// Counters shared by every connection of one lab server and read by any thread (LabServer::stats()).
// Thread: written on the server thread, read anywhere; relaxed atomics, a few per answer.
struct LabCounters
{
    std::atomic<uint64_t> answered { 0 };
    std::atomic<int64_t> inFlight { 0 }; // requests parsed whose answer has not been written yet
    std::atomic<int64_t> maxLatenessNs { 0 };
    std::atomic<int64_t> maxEarlyNs { 0 };

    // latenessNs = (time the answer is handed to the socket) - (time the request was parsed + its requested delay).
    // Called before the bytes are sent, so that a client holding its answer sees it counted.
    void recordAnswer(int64_t latenessNs);
    void reset();
};

// One accepted HTTP/1.1 connection of the lab server: parses requests as bytes arrive, answers them in order
// (pipelining), each after its own precise timer, and honours keep-alive and "Connection: close". Owns its socket
// and timers: when the client goes away, deleting the connection drops every pending answer with it.
// Thread: the server thread only (the socket's thread).
class LabConnection : public QObject
{
public:
    LabConnection(QTcpSocket* socket, LabRouter* router, LabCounters* counters, QObject* parent);
    ~LabConnection() override;

private:
    struct Pending
    {
        QByteArray head; // status line and headers, followed by the body when it is small (kJoinedBodyMax)
        QByteArray body; // a large body, implicitly shared with the router's page cache; otherwise empty
        int64_t dueNs = 0; // monotonicNs() at which the answer is due
        QTimer* timer = nullptr; // null once due
        bool close = false; // close the connection after this answer
    };

    void readIncoming();
    // Parses one request from m_in if a whole one is there; returns false when more bytes are needed or the
    // connection is closing.
    bool parseOne();
    void enqueue(int status, const QByteArray& contentType, const QByteArray& body, const QByteArray& extraHeaders,
        int delayMs, bool headOnly, bool close);
    void reject(int status, const QByteArray& text); // answers now and closes: the stream cannot be trusted further
    void onTimer(QTimer* timer);
    void writeReadyAnswers();

    QTcpSocket* m_socket;
    LabRouter* m_router;
    LabCounters* m_counters;
    QByteArray m_in;
    int64_t m_bodyToSkip = 0; // bytes of a request body still to be discarded (GET/HEAD carry none in practice)
    std::deque<Pending> m_queue; // answers in request order; only the ready front ones are written
    bool m_closing = false; // a "close" answer was queued: read nothing more
};

} // namespace taskline
