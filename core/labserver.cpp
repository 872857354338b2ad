// Why a small hand-written handler on QTcpServer rather than Qt's QHttpServer module:
// - QHttpServer is a separate module (Debian's qt6-httpserver-dev, 6.4.2 in bookworm). It is not pulled in by
//   qt6-base-dev and is not among this project's build dependencies; one embedded test server does not justify a
//   new one.
// - The lab server's whole job is to answer *later*: a thousand requests each waiting 200 ms, without a thread per
//   request. In QHttpServer 6.4 a route handler returns its response (at once) or, "if asynchronous processing is
//   desired", a QFuture<QHttpServerResponse>, which the documentation makes with QtConcurrent::run. For a delay
//   that is a pool thread asleep per pending answer, and the global QThreadPool runs idealThreadCount() of them at
//   once (2 here): a thousand would queue. Answering from a timer would mean hand-building a QPromise per request
//   or keeping the QHttpServerResponder beyond the handler, neither of which the 6.4 documentation describes.
// - We need exact control of timing and bytes: one Qt::PreciseTimer per answer armed when the request is parsed,
//   the lateness of every answer measured where it is written, exact Content-Length, answers in request order for
//   pipelined requests, and no extra headers or encodings we did not choose. HTTP/1.1 for GET/HEAD without bodies
//   is a few hundred lines (labconnection.cpp), and the routes stay testable without sockets (labrouter.cpp).
#include "labserver.h"

#include "labconnection.h"
#include "labrouter.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QTcpServer>
#include <QThread>
#include <mutex>

namespace taskline {

struct LabServer::Private
{
    std::mutex lifecycle; // serialises start() and stop()
    QThread* thread = nullptr; // owned; runs the event loop that every socket and timer of the server lives in
    QObject* context = nullptr; // lives in `thread`; parent of the QTcpServer and, through it, of every connection
    LabRouter router; // used only on the server thread
    LabCounters counters;
    std::atomic<uint16_t> port { 0 };

    void stopLocked();
};

LabServer::LabServer()
    : d(std::make_unique<Private>())
{ }

LabServer::~LabServer()
{
    stop();
}

bool LabServer::start(uint16_t port, QString* error)
{
    std::lock_guard lock(d->lifecycle);
    if (d->thread) {
        if (port == 0 || port == d->port.load())
            return true;
        if (error)
            *error = QStringLiteral("the lab server is already running on port %1").arg(d->port.load());
        return false;
    }
    if (!QCoreApplication::instance()) {
        if (error)
            *error = QStringLiteral("the lab server needs a QCoreApplication");
        return false;
    }

    d->thread = new QThread;
    d->thread->setObjectName(QStringLiteral("lab-server"));
    d->context = new QObject;
    d->context->moveToThread(d->thread);
    d->thread->start();

    Private* p = d.get();
    // The QTcpServer and its sockets must be created on the server thread, so that their notifiers and timers run
    // in its event loop; start() waits here until the port is bound (or not).
    QString listenError;
    QMetaObject::invokeMethod(
        p->context,
        [p, port, &listenError] {
            auto* server = new QTcpServer(p->context);
            // A thousand clients connect within milliseconds; the default backlog (50) would make most of them wait
            // for SYN retries, a second or more. The kernel caps it at net.core.somaxconn.
            server->setListenBacklogSize(4096);
            server->setMaxPendingConnections(4096);
            QObject::connect(server, &QTcpServer::newConnection, server, [p, server] {
                while (QTcpSocket* socket = server->nextPendingConnection())
                    new LabConnection(socket, &p->router, &p->counters, server);
            });
            if (server->listen(QHostAddress::LocalHost, port)) {
                p->port.store(server->serverPort());
            } else {
                listenError = server->errorString();
                if (listenError.isEmpty())
                    listenError = QStringLiteral("unknown error");
            }
        },
        Qt::BlockingQueuedConnection);

    if (!listenError.isEmpty()) {
        d->stopLocked();
        if (error)
            *error = QStringLiteral("the lab server cannot listen on 127.0.0.1:%1: %2").arg(port).arg(listenError);
        return false;
    }
    return true;
}

void LabServer::stop()
{
    std::lock_guard lock(d->lifecycle);
    d->stopLocked();
}

void LabServer::Private::stopLocked()
{
    if (!thread)
        return;
    Q_ASSERT_X(QThread::currentThread() != thread, "LabServer::stop", "called from the server thread");
    QObject* ctx = context;
    // Deleting the QTcpServer deletes every connection, its socket and its pending timers, on their own thread.
    QMetaObject::invokeMethod(
        ctx,
        [ctx] {
            const QObjectList servers = ctx->children(); // a copy: deleting a child edits the list
            qDeleteAll(servers);
            ctx->deleteLater();
        },
        Qt::BlockingQueuedConnection);
    thread->quit(); // the deferred delete of `ctx` runs as the thread finishes
    thread->wait();
    delete thread;
    thread = nullptr;
    context = nullptr;
    port.store(0);
}

bool LabServer::isRunning() const
{
    return d->port.load() != 0;
}

uint16_t LabServer::port() const
{
    return d->port.load();
}

QString LabServer::baseUrl() const
{
    const uint16_t p = d->port.load();
    return p == 0 ? QString() : QStringLiteral("http://127.0.0.1:%1").arg(p);
}

uint64_t LabServer::requestsServed() const
{
    return d->counters.answered.load(std::memory_order_relaxed);
}

LabServerStats LabServer::stats() const
{
    LabServerStats s;
    s.requests = d->counters.answered.load(std::memory_order_relaxed);
    s.inFlight = d->counters.inFlight.load(std::memory_order_relaxed);
    s.maxLatenessUs = d->counters.maxLatenessNs.load(std::memory_order_relaxed) / 1000;
    s.maxEarlyUs = d->counters.maxEarlyNs.load(std::memory_order_relaxed) / 1000;
    return s;
}

void LabServer::resetStats()
{
    d->counters.reset();
}

namespace {

std::mutex g_sharedMutex;
LabServer* g_shared = nullptr; // created on first use, deleted by the QCoreApplication post routine

// Runs in ~QCoreApplication: the server thread's event loop must end before Qt's own globals do.
void stopSharedServer()
{
    std::lock_guard lock(g_sharedMutex);
    delete g_shared;
    g_shared = nullptr;
}

} // namespace

QString LabServer::sharedBaseUrl(QString* error)
{
    std::lock_guard lock(g_sharedMutex);
    if (!g_shared) {
        auto server = std::make_unique<LabServer>();
        if (!server->start(0, error))
            return {};
        g_shared = server.release();
        qAddPostRoutine(stopSharedServer);
    }
    return g_shared->baseUrl();
}

} // namespace taskline
