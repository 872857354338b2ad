#pragma once

#include "httpfetch.h"

#include <QString>
#include <functional>
#include <memory>

namespace taskline {

class EventLoop;

// Non-blocking HTTP GETs on an EventLoop, the way aiohttp runs on asyncio: one libcurl multi handle driven by
// curl_multi_socket_action, with libcurl's sockets watched by the loop's epoll (CURLMOPT_SOCKETFUNCTION) and its
// timeouts on the loop's timer heap (CURLMOPT_TIMERFUNCTION). Every transfer is set up like fetchBlocking's
// (EasyTransfer: http/https only, redirects capped, timeouts, body cap) and reports the same errors.
// start() only hands the transfer to libcurl, which asks for a 0 ms timer: the connection is opened on the loop's
// next iteration, so a coroutine that computes after starting a fetch delays its sending, as in asyncio.
// Connections are kept alive and reused between transfers (a connection pool, like aiohttp's ClientSession's).
// Thread: the event loop's only.
class AsyncFetcher
{
public:
    using Done = std::function<void(FetchResult&&)>;

    // The loop must outlive this object.
    explicit AsyncFetcher(EventLoop& loop, const FetchOptions& options = {});
    ~AsyncFetcher(); // cancels every transfer in flight (their Done is not called) and closes every connection

    // Starts fetching `url`; `done` runs on the loop thread (from an I/O or timer callback, never from within start())
    // when it ends, ok or not.
    void start(const QString& url, Done done);
    // Ends every transfer in flight without calling its Done: removes its easy handle and cleans it up.
    void cancelAll();
    int inFlight() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace taskline
