#pragma once

#include <QByteArray>
#include <QString>
#include <cstdint>
#include <memory>

namespace taskline {

// Figures the lab server measures itself, cheaply (a few relaxed atomics per answer).
struct LabServerStats
{
    uint64_t requests = 0; // answers written (any status)
    int64_t inFlight = 0; // requests parsed whose answer is not written yet (waiting for its delay)
    // Over all answers: (time the answer is written to its socket) - (time its request was parsed + the requested
    // delay). Counted just before the send, so a client that holds its answer already sees it here.
    int64_t maxLatenessUs = 0; // the latest answer
    int64_t maxEarlyUs = 0; // the most premature answer (0 unless a timer fired early)
};

// The embedded loopback HTTP/1.1 "lab server" of design.md:
//   GET /delay?ms=M&bytes=B   answers after M ms with exactly B bytes of HTML holding <meta ...> tags
//   GET /status/CODE          answers with that status
//   GET /redirect?n=N&to=PATH N chained redirects ending at PATH (for testing clients' redirect caps)
// (details and limits in labrouter.h). HTTP/1.1 keep-alive and pipelining; GET and HEAD only (others 405).
// It runs on its own thread with its own event loop and never blocks a thread per request.
// Lives in the taskline_lab library (Qt6::Network), apart from the engine library taskline_core.
class LabServer
{
public:
    LabServer();
    ~LabServer(); // stops the server
    LabServer(const LabServer&) = delete;
    LabServer& operator=(const LabServer&) = delete;

    // Thread: any but the server's own; a QCoreApplication must exist (the server thread runs a Qt event loop).
    // Listens on 127.0.0.1:port (0 = a free port) and returns once listening. Returns false and sets *error if it
    // cannot. Calling it again while running returns true if `port` is 0 or the port in use.
    bool start(uint16_t port = 0, QString* error = nullptr);
    // Thread: any but the server's own. Closes every connection and ends the server thread; pending delayed
    // answers are dropped.
    void stop();
    // Thread: any, lock-free.
    bool isRunning() const;
    uint16_t port() const; // 0 when not running
    QString baseUrl() const; // "http://127.0.0.1:PORT"; empty when not running
    uint64_t requestsServed() const;
    // Thread: any, lock-free.
    LabServerStats stats() const;
    // Thread: any. Zeroes requests and the lateness maxima (inFlight is a level, not a total: it is kept).
    void resetStats();

    // A process-wide server started on first use on a free port (for runs whose mix has lab: URLs). It is stopped
    // when the QCoreApplication is destroyed, and started again by a later call.
    // Thread: any (serialised by a mutex). Returns the base URL, or an empty string with *error set.
    static QString sharedBaseUrl(QString* error = nullptr);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

// Deterministic HTML page of exactly `bytes` bytes with <meta ...> tags spread through it (also used by compute
// steps when they have no fetched page to work on): a head with a few <meta> tags, then paragraphs with one
// <meta name="…" content="…"> every 150–400 bytes, closed by "</body></html>\n"; no tag is ever cut in half, the
// last bytes are padded with words. Pages shorter than the head are the head cut to size. Same seed, same page.
// Links only QtCore: lives in taskline_core. Thread: any.
QByteArray makeLabHtml(int64_t bytes, uint32_t seed = 0);

} // namespace taskline
