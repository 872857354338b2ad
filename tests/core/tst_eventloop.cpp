// The coroutines mode's event loop on its own: asyncio's iteration semantics (ntodo), timers (order, precision,
// cancellation), descriptors, and wake-ups from other threads.

#include "clock.h"
#include "eventloop.h"

#include <QTest>
#include <algorithm>
#include <random>
#include <sys/epoll.h>
#include <thread>
#include <unistd.h>

using namespace taskline;

namespace {

// Records which "tasks" the loop resumed, in order; `onResume` may schedule more.
struct Driver : EventLoop::Driver
{
    std::vector<int> resumed;
    int waits = 0;
    std::function<void(int)> onResume;
    void beforeWait(bool) override { ++waits; }
    void afterWait() override { }
    void resume(const EventLoop::Ready& r) override
    {
        resumed.push_back(r.task);
        if (onResume)
            onResume(r.task);
    }
};

} // namespace

class TestEventLoop : public QObject
{
    Q_OBJECT
private slots:
    void readyRunsFifoAndNewWorkWaitsForTheNextIteration();
    void timersFireInDeadlineOrderNeverEarly();
    void cancelledTimersNeverFire();
    void threadsafeCallbackWakesABlockedLoop();
    void watchedDescriptorCallsBack();
};

void TestEventLoop::readyRunsFifoAndNewWorkWaitsForTheNextIteration()
{
    EventLoop loop;
    QVERIFY2(loop.isValid(), qPrintable(loop.error()));
    Driver d;
    // A coroutine scheduled by one that runs now runs in the next iteration, after the loop looked at I/O again
    // (asyncio's _run_once runs only the callbacks that were ready when it started).
    d.onResume = [&loop](int task) {
        if (task < 10)
            loop.callSoon(std::noop_coroutine(), task + 10);
    };
    for (int t = 0; t < 3; ++t)
        loop.callSoon(std::noop_coroutine(), t);
    loop.runOnce(d);
    QCOMPARE(d.resumed, std::vector<int>({ 0, 1, 2 }));
    QCOMPARE(loop.readyCount(), size_t(3));
    loop.runOnce(d);
    QCOMPARE(d.resumed, std::vector<int>({ 0, 1, 2, 10, 11, 12 }));
    QCOMPARE(d.waits, 2);
}

void TestEventLoop::timersFireInDeadlineOrderNeverEarly()
{
    EventLoop loop;
    Driver d;
    std::mt19937 random(7);
    const int64_t start = monotonicNs();
    std::vector<int64_t> deadlines;
    std::vector<std::pair<int64_t, int64_t>> fired; // (deadline, fired at)
    for (int i = 0; i < 200; ++i) {
        const int64_t deadline = start + 1'000'000 + int64_t(random() % 40'000'000);
        deadlines.push_back(deadline);
        loop.callAt(deadline, [&fired, deadline] { fired.push_back({ deadline, monotonicNs() }); });
    }
    while (fired.size() < deadlines.size() && monotonicNs() - start < 5'000'000'000)
        loop.runOnce(d);
    QCOMPARE(fired.size(), deadlines.size());
    std::vector<double> lateUs;
    for (size_t i = 0; i < fired.size(); ++i) {
        QVERIFY2(fired[i].second >= fired[i].first, "a timer fired early");
        if (i > 0)
            QVERIFY2(fired[i].first >= fired[i - 1].first, "timers fired out of deadline order");
        lateUs.push_back(double(fired[i].second - fired[i].first) / 1e3);
    }
    std::sort(lateUs.begin(), lateUs.end());
    qInfo("timer lateness: median %.0f µs, max %.0f µs", lateUs[lateUs.size() / 2], lateUs.back());
    // timerfd: sub-millisecond, not rounded up to whole milliseconds (a shared machine can add a few ms at worst).
    QVERIFY2(lateUs[lateUs.size() / 2] < 1000, qPrintable(QString::number(lateUs[lateUs.size() / 2])));
    // Nothing left: the next iteration would block, and the loop has nothing it watches.
    QCOMPARE(loop.watchedCount(), size_t(0));
}

void TestEventLoop::cancelledTimersNeverFire()
{
    EventLoop loop;
    Driver d;
    int fired = 0;
    std::vector<EventLoop::TimerId> ids;
    const int64_t deadline = monotonicNs() + 5'000'000;
    for (int i = 0; i < 10000; ++i)
        ids.push_back(loop.callAt(deadline + i, [&fired] { ++fired; }));
    // Cancelling most of them compacts the heap on the way; the survivor still fires.
    for (int i = 0; i < 9999; ++i)
        loop.cancelTimer(ids[size_t(i)]);
    loop.cancelTimer(ids[0]); // twice: ignored
    const int64_t start = monotonicNs();
    while (fired == 0 && monotonicNs() - start < 2'000'000'000)
        loop.runOnce(d);
    QCOMPARE(fired, 1);
}

void TestEventLoop::threadsafeCallbackWakesABlockedLoop()
{
    EventLoop loop;
    Driver d;
    bool ran = false;
    const int64_t start = monotonicNs();
    std::thread poster([&loop, &ran] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        loop.callSoonThreadsafe([&ran] { ran = true; });
    });
    loop.runOnce(d); // nothing ready, no timers: blocks until the eventfd is written
    poster.join();
    QVERIFY(ran);
    QVERIFY(monotonicNs() - start >= 45'000'000);
}

void TestEventLoop::watchedDescriptorCallsBack()
{
    int fds[2];
    QCOMPARE(pipe(fds), 0);
    EventLoop loop;
    Driver d;
    QByteArray got;
    QVERIFY(loop.watch(fds[0], EPOLLIN, [&got](int fd, uint32_t events) {
        QVERIFY(events & EPOLLIN);
        char buf[16];
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0)
            got.append(buf, n);
    }));
    QCOMPARE(loop.watchedCount(), size_t(1));
    std::thread writer([fd = fds[1]] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        [[maybe_unused]] const ssize_t n = write(fd, "hello", 5);
    });
    loop.runOnce(d);
    writer.join();
    QCOMPARE(got, QByteArray("hello"));
    loop.unwatch(fds[0]);
    QCOMPARE(loop.watchedCount(), size_t(0));
    close(fds[0]);
    close(fds[1]);
}

QTEST_GUILESS_MAIN(TestEventLoop)
#include "tst_eventloop.moc"
