// End-to-end: how responsive the main window stays while a run streams its events in. Runs mixes through the
// real MainWindow (offscreen unless a display is given), with a 5 ms timer on the GUI thread whose lateness is
// what a person would feel as a stutter. Prints, per mix: events recorded, run wall time, batch notifications per
// second (the controller throttles them to 60), and the GUI thread's pauses (the gaps between timer ticks beyond
// the 5 ms period). See docs/performance.md.
//
//   bench_window [tasks-scale=1]
#include "httpfetch.h"
#include "mainwindow.h"
#include "mixdocument.h"
#include "mixformat.h"
#include "runcontroller.h"
#include "runpanel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <vector>

using namespace taskline;

namespace {

struct Case
{
    const char* name;
    Mix mix;
    RunSettings settings;
};

Mix sleepers(int tasks, int steps, double ms)
{
    Mix mix;
    mix.name = QStringLiteral("sleepers");
    TaskSpec t;
    t.name = QStringLiteral("s");
    t.count = tasks;
    for (int i = 0; i < steps; ++i)
        t.steps.push_back(Step::makeSleep(ms));
    mix.tasks.push_back(t);
    return mix;
}

RunSettings threads(int workers)
{
    RunSettings s;
    s.mode = Mode::Threads;
    s.workers = workers;
    return s;
}

} // namespace

int main(int argc, char** argv)
{
    initNetworking();
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QStandardPaths::setTestModeEnabled(true); // leave the user's settings alone
    QApplication app(argc, argv);
    const int scale = argc > 1 ? std::max(1, std::atoi(argv[1])) : 1;

    std::vector<Case> cases;
    {
        Mix preset;
        loadMix(QStringLiteral("preset:fetch-and-scan"), &preset, nullptr);
        cases.push_back({ "fetch-and-scan, 8 threads", preset, threads(8) });
    }
    cases.push_back({ "2,000 tasks x 10 sleeps of 2 ms, 32 threads", sleepers(2000 * scale, 10, 2), threads(32) });
    cases.push_back({ "10,000 tasks x 20 sleeps of 1 ms, 64 threads", sleepers(10000 * scale, 20, 1), threads(64) });

    MainWindow window;
    window.setUnsavedPrompt([](const QString&) { return QMessageBox::Discard; });
    window.resize(1600, 1000);
    window.show();

    std::printf("| mix | events | run wall | events/s | notifications/s | GUI pause p50 / p99 / max |\n");
    std::printf("| --- | --- | --- | --- | --- | --- |\n");
    for (const Case& c : cases) {
        QString error;
        window.document()->setMix(c.mix, &error);
        window.runPanel()->setSettings(c.settings);

        std::vector<qint64> gaps;
        QElapsedTimer clock;
        qint64 last = 0;
        QTimer ticker;
        ticker.setTimerType(Qt::PreciseTimer);
        ticker.setInterval(5);
        QObject::connect(&ticker, &QTimer::timeout, [&] {
            const qint64 now = clock.nsecsElapsed();
            gaps.push_back(now - last);
            last = now;
        });
        QSignalSpy notifications(window.runController(), &RunController::batchesAvailable);
        QSignalSpy finished(&window, &MainWindow::runFinished);
        clock.start();
        ticker.start();
        window.runMix();
        if (!finished.wait(600'000)) {
            std::fprintf(stderr, "%s: the run did not finish\n", c.name);
            return 1;
        }
        ticker.stop();
        const double seconds = double(clock.nsecsElapsed()) / 1e9;
        const RunSummary& s = *window.lastSummary();
        std::sort(gaps.begin(), gaps.end());
        auto pct
            = [&](double p) { return gaps.empty() ? 0.0 : double(gaps[size_t(p * double(gaps.size() - 1))]) / 1e6; };
        std::printf("| %s | %llu | %.2f s | %.0f | %.0f | %.1f / %.1f / %.1f ms |\n", c.name,
            static_cast<unsigned long long>(s.events), s.wallMs / 1000.0, double(s.events) / (s.wallMs / 1000.0),
            double(notifications.count()) / seconds, pct(0.5), pct(0.99), pct(1.0));
        std::fflush(stdout);
    }
    return 0;
}
