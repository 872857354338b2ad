// How long a picture for slides takes: the timelines of real runs (eight CPU-bound threads with a 0.1 ms switch
// interval; 10,000 coroutines sleeping) and the comparison of a real mix under every mode, written as PNG (1×, 2×) and
// SVG at 1600×900, as `taskline run --png/--svg` and File → Export Image do. Reports the median of five exports in ms
// and the file sizes. A plain main; see docs/performance.md, "Pictures for slides".

#include "comparepicture.h"
#include "executor.h"
#include "imageexport.h"
#include "labserver.h"
#include "mixformat.h"
#include "run.h"
#include "summary.h"
#include "timelinepicture.h"
#include "tracestore.h"
#include "workerprocess.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QPainter>
#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>

using namespace taskline;

namespace {

struct Ran
{
    RunSummary summary;
    std::shared_ptr<TraceStore> store = std::make_shared<TraceStore>();
};

Ran run(const Mix& mix, RunSettings settings, const QString& lab)
{
    Ran r;
    const RunResult result = runToStore(mix, settings, lab, r.store.get());
    r.summary = summarize(result, *r.store);
    return r;
}

// Median wall time of `n` calls, in ms.
double medianMs(int n, const std::function<void()>& f)
{
    std::vector<double> ms;
    for (int i = 0; i < n; ++i) {
        QElapsedTimer t;
        t.start();
        f();
        ms.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

void measure(const char* what, const Picture& picture)
{
    ImageOptions o;
    QByteArray png1, png2, svg;
    auto encode = [&](int scale, QByteArray* out) {
        ImageOptions s = o;
        s.scale = scale;
        out->clear();
        QBuffer b(out);
        b.open(QIODevice::WriteOnly);
        ImageExport::renderImage(picture, s).save(&b, "PNG");
    };
    const double p1 = medianMs(5, [&] { encode(1, &png1); });
    const double p2 = medianMs(5, [&] { encode(2, &png2); });
    const double sv = medianMs(5, [&] { svg = ImageExport::renderSvg(picture, o); });
    const double paint = medianMs(5, [&] {
        QImage image(o.size, QImage::Format_ARGB32_Premultiplied);
        QPainter p(&image);
        picture.paint(p, o.size, o.style);
    });
    std::printf("%-44s paint %6.1f ms | PNG 1x %6.1f ms %5lld KB | PNG 2x %6.1f ms %5lld KB | SVG %6.1f ms %5lld KB\n",
        what, paint, p1, qlonglong(png1.size() / 1024), p2, qlonglong(png2.size() / 1024), sv,
        qlonglong(svg.size() / 1024));
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    if (qEnvironmentVariableIsEmpty("TASKLINE_BINARY"))
        WorkerProcess::setExecutable(QStringLiteral(TASKLINE_BINARY_PATH));
    QString error;
    const QString lab = LabServer::sharedBaseUrl(&error);
    if (lab.isEmpty()) {
        std::fprintf(stderr, "lab server: %s\n", qPrintable(error));
        return 1;
    }

    Mix cpu;
    MixError mixError;
    if (!loadMix(QStringLiteral("preset:cpu-bound"), &cpu, &mixError)) {
        std::fprintf(stderr, "%s\n", qPrintable(mixError.toString()));
        return 1;
    }
    RunSettings threads = RunSettings::fromMix(cpu.settings);
    threads.mode = Mode::Threads;
    threads.switchIntervalMs = 0.1;
    const Ran busy = run(cpu, threads, lab);
    std::printf("cpu-bound, threads, switch interval 0.1 ms: %llu events, %zu spans, wall %.0f ms\n",
        qulonglong(busy.store->eventCount()), busy.store->spans().size(), busy.summary.wallMs);
    const TimelinePicture timeline(cpu.name, busy.summary, busy.store.get());
    measure("timeline (9 lanes by worker)", timeline);

    Mix sleeps;
    if (!loadMix(QStringLiteral("preset:many-sleeps"), &sleeps, &mixError))
        return 1;
    const Ran many = run(sleeps, RunSettings::fromMix(sleeps.settings), lab);
    std::printf("many-sleeps, coroutines: %llu events, %zu spans, %d tasks\n", qulonglong(many.store->eventCount()),
        many.store->spans().size(), many.store->taskCount());
    const TimelinePicture manyTimeline(sleeps.name, many.summary, many.store.get());
    measure("timeline (loop lane and ready row)", manyTimeline);

    Mix fetch;
    if (!loadMix(QStringLiteral("preset:fetch-and-scan"), &fetch, &mixError))
        return 1;
    ComparePicture compare;
    compare.setMixName(fetch.name);
    uint64_t events = 0;
    for (int m = 0; m < kModeCount; ++m) {
        if (!isModeAvailable(Mode(m)))
            continue;
        RunSettings s = RunSettings::fromMix(fetch.settings);
        s.mode = Mode(m);
        const Ran r = run(fetch, s, lab);
        events += r.store->eventCount();
        compare.addRun(r.summary, r.store);
    }
    std::printf("fetch-and-scan under every mode: %llu events in all\n", qulonglong(events));
    measure("comparison (4 bands, chart, explanations)", compare);
    return 0;
}
