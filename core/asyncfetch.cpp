#include "asyncfetch.h"

#include "clock.h"
#include "easytransfer.h"
#include "eventloop.h"

#include <sys/epoll.h>
#include <unordered_map>
#include <unordered_set>

namespace taskline {

struct AsyncFetcher::Private
{
    struct Transfer
    {
        std::unique_ptr<EasyTransfer> easy;
        Done done;
    };

    EventLoop& loop;
    FetchOptions options;
    CURLM* multi = nullptr;
    std::unordered_map<CURL*, Transfer> transfers;
    std::unordered_set<int> sockets; // descriptors libcurl asked the loop to watch
    EventLoop::TimerId timer = 0;

    Private(EventLoop& l, const FetchOptions& o)
        : loop(l)
        , options(o)
        , multi(curl_multi_init())
    {
        if (!multi)
            return;
        curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Private::onSocket);
        curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
        curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Private::onTimer);
        curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    }

    // libcurl: watch `s` for `what` (CURL_POLL_IN/OUT/INOUT) or stop watching it (CURL_POLL_REMOVE). Called from
    // within curl_multi_* calls, so it only changes the loop's watch list.
    static int onSocket(CURL*, curl_socket_t s, int what, void* userp, void*)
    {
        auto* self = static_cast<Private*>(userp);
        if (what == CURL_POLL_REMOVE) {
            self->loop.unwatch(s);
            self->sockets.erase(s);
            return 0;
        }
        uint32_t events = 0;
        if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
            events |= EPOLLIN;
        if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
            events |= EPOLLOUT;
        if (!self->loop.watch(s, events, [self](int fd, uint32_t ev) { self->onIo(fd, ev); }))
            return -1; // libcurl fails the transfers on this socket
        self->sockets.insert(s);
        return 0;
    }

    // libcurl: call curl_multi_socket_action(CURL_SOCKET_TIMEOUT) in `timeoutMs` (0: as soon as possible, but not
    // from inside this callback), or never (-1).
    static int onTimer(CURLM*, long timeoutMs, void* userp)
    {
        auto* self = static_cast<Private*>(userp);
        self->loop.cancelTimer(self->timer);
        self->timer = 0;
        if (timeoutMs >= 0) {
            self->timer = self->loop.callAt(monotonicNs() + int64_t(timeoutMs) * 1'000'000, [self] {
                self->timer = 0;
                self->act(CURL_SOCKET_TIMEOUT, 0);
            });
        }
        return 0;
    }

    void onIo(int fd, uint32_t ev)
    {
        int flags = 0;
        if (ev & EPOLLIN)
            flags |= CURL_CSELECT_IN;
        if (ev & EPOLLOUT)
            flags |= CURL_CSELECT_OUT;
        if (ev & (EPOLLERR | EPOLLHUP))
            flags |= CURL_CSELECT_ERR;
        act(fd, flags);
    }

    void act(curl_socket_t s, int flags)
    {
        int running = 0;
        curl_multi_socket_action(multi, s, flags, &running);
        finishDone();
    }

    // Hands every finished transfer its result. Done callbacks run after libcurl is through with the handle.
    void finishDone()
    {
        int queued = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            CURL* easy = msg->easy_handle;
            const CURLcode code = msg->data.result; // msg is invalid once the handle is removed
            curl_multi_remove_handle(multi, easy);
            auto it = transfers.find(easy);
            if (it == transfers.end())
                continue;
            Transfer t = std::move(it->second);
            transfers.erase(it);
            FetchResult r = t.easy->finish(code);
            t.easy.reset();
            t.done(std::move(r));
        }
    }

    void cancelAll()
    {
        for (auto& [easy, t] : transfers)
            curl_multi_remove_handle(multi, easy);
        transfers.clear(); // curl_easy_cleanup via ~EasyTransfer
    }
};

AsyncFetcher::AsyncFetcher(EventLoop& loop, const FetchOptions& options)
    : d(std::make_unique<Private>(loop, options))
{ }

AsyncFetcher::~AsyncFetcher()
{
    d->cancelAll();
    if (d->multi)
        curl_multi_cleanup(d->multi); // closes the kept-alive connections (telling onSocket to unwatch them)
    // Whatever libcurl closed without a CURL_POLL_REMOVE is no longer in epoll (closing removed it); forget it.
    for (int s : std::unordered_set<int>(d->sockets))
        d->loop.unwatch(s);
    d->loop.cancelTimer(d->timer);
}

void AsyncFetcher::start(const QString& url, Done done)
{
    // A transfer that cannot even start reports on the loop's next iteration, never from within start().
    auto failLater = [this, &done](FetchResult r) {
        d->loop.callAt(0, [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
    };
    auto easy = std::make_unique<EasyTransfer>(url, d->options);
    if (!d->multi || !easy->isValid()) {
        failLater(easy->allocationFailure());
        return;
    }
    CURL* h = easy->handle();
    const CURLMcode mcode = curl_multi_add_handle(d->multi, h);
    if (mcode != CURLM_OK) {
        failLater(easy->finish(CURLE_OK, mcode));
        return;
    }
    d->transfers.emplace(h, Private::Transfer { std::move(easy), std::move(done) });
}

void AsyncFetcher::cancelAll()
{
    d->cancelAll();
}

int AsyncFetcher::inFlight() const
{
    return int(d->transfers.size());
}

} // namespace taskline
