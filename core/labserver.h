#pragma once

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <memory>

namespace taskline {

// The embedded loopback HTTP/1.1 "lab server" of design.md:
//   GET /delay?ms=M&bytes=B   answers after M ms with exactly B bytes of HTML holding <meta ...> tags
//   GET /status/CODE          answers with that status
// It runs on its own thread with its own event loop and never blocks a thread per request.
// Lives in the taskline_lab library (Qt6::Network), apart from the engine library taskline_core.
class LabServer
{
public:
    LabServer();
    ~LabServer(); // stops the server
    LabServer(const LabServer&) = delete;
    LabServer& operator=(const LabServer&) = delete;

    // Thread: any. Listens on 127.0.0.1:port (0 = a free port). Returns false and sets *error if it cannot.
    bool start(uint16_t port = 0, QString* error = nullptr);
    // Thread: any. Closes every connection and ends the server thread; pending delayed answers are dropped.
    void stop();
    bool isRunning() const;
    uint16_t port() const;
    QString baseUrl() const; // "http://127.0.0.1:PORT"
    uint64_t requestsServed() const;

    // A process-wide server started on first use (for runs whose mix has lab: URLs).
    // Thread: any. Returns the base URL, or an empty string with *error set.
    static QString sharedBaseUrl(QString* error = nullptr);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

// Deterministic HTML page of exactly `bytes` bytes with <meta ...> tags spread through it (also used by compute
// steps when they have no fetched page to work on). Links only QtCore: lives in taskline_core.
QByteArray makeLabHtml(int64_t bytes, uint32_t seed = 0);

} // namespace taskline
