// The comparison of the modes: a tiny real mix run under every mode through the compare view's own runner; the
// bands stacked in mode order on one shared axis (the faster mode's band ends further left, with nothing drawn after
// its end); the chart's bars proportional to the times; one explanation per mode; the screen painting the same
// pixels as the export; Stop ending the sequence; runs added from outside; and the main window's Run → Compare All,
// File → Export Image… and Edit → Copy Image.

#include "comparechart.h"
#include "comparerunner.h"
#include "compareview.h"
#include "exportdialog.h"
#include "httpfetch.h"
#include "imageexport.h"
#include "mainwindow.h"
#include "mixdocument.h"
#include "runcontroller.h"
#include "runpanel.h"
#include "summary.h"
#include "testutil.h"
#include "tracestore.h"

#include <QAction>
#include <QClipboard>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QImageReader>
#include <QPainter>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>

using namespace taskline;
using namespace taskline::test;

namespace {

constexpr int kCompareTimeoutMs = 90'000;

// Four fetches of 150 ms: one after another 600 ms, overlapped about 150 ms.
Mix fetches()
{
    return mixOf(
        QStringLiteral("Four fetches"), { task(QStringLiteral("page"), 4, { Step::makeFetch(labUrl(150, 2000)) }) });
}

bool near(QColor a, QColor b, int tolerance = 2)
{
    return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance
        && std::abs(a.blue() - b.blue()) <= tolerance;
}

int countColor(const QImage& image, QRect area, QColor color)
{
    int n = 0;
    area &= image.rect();
    for (int y = area.top(); y <= area.bottom(); ++y)
        for (int x = area.left(); x <= area.right(); ++x)
            n += near(image.pixelColor(x, y), color);
    return n;
}

} // namespace

class TestCompareView : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void everyModeOnOneAxis();
    void chartBarsAreProportional_data();
    void chartBarsAreProportional();
    void runsAddedFromOutside();
    void zoomAndPanTheSharedAxis();
    void stopEndsTheSequence();
    void mainWindowComparesAndExports();

private:
    QTemporaryDir m_dir;
};

void TestCompareView::initTestCase()
{
    initNetworking();
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("TasklineTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_compareview"));
    QVERIFY(m_dir.isValid());
}

void TestCompareView::init()
{
    QSettings().clear();
}

void TestCompareView::everyModeOnOneAxis()
{
    CompareView view;
    view.resize(1400, 900);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy started(view.runner(), &CompareRunner::modeStarted);
    QSignalSpy running(&view, &CompareView::runningChanged);
    QString error;
    QVERIFY2(view.startCompare(fetches(), settingsFor(Mode::Threads, 4), &error), qPrintable(error));
    QVERIFY(view.isRunning());
    QVERIFY(view.statusText().contains(QLatin1String("running Sequential (1 of")));
    QVERIFY(!view.startCompare(fetches(), settingsFor(Mode::Threads, 4), &error)); // one at a time
    QTRY_VERIFY_WITH_TIMEOUT(!view.isRunning(), kCompareTimeoutMs);
    QCOMPARE(running.count(), 2);

    const std::vector<Mode> modes = CompareRunner::availableModes();
    QCOMPARE(started.count(), int(modes.size()));
    const ComparePicture& picture = view.picture();
    QCOMPARE(picture.entries().size(), modes.size());
    for (size_t i = 0; i < modes.size(); ++i) {
        QCOMPARE(picture.entries()[i].summary.settings.mode, modes[i]);
        QVERIFY(!picture.entries()[i].live);
        QVERIFY2(picture.entries()[i].summary.error.isEmpty(), qPrintable(picture.entries()[i].summary.error));
    }

    // Bands in mode order, top to bottom, all on one axis.
    const QImage screen = view.canvas()->grab().toImage();
    const ComparePicture::Layout L = picture.layout(view.canvas()->size(), view.canvasStyle());
    QCOMPARE(L.bands.size(), modes.size());
    for (size_t i = 1; i < L.bands.size(); ++i) {
        QCOMPARE(L.bands[i].mode, modes[i]);
        QVERIFY(L.bands[i].header.top() > L.bands[i - 1].timeline.bottom() - 1);
    }
    for (size_t i = 0; i < L.bands.size(); ++i)
        QCOMPARE(picture.renderer(int(i)).layout().axisLeft + L.bands[i].timeline.left(), L.axisLeft);
    // The sequential run is the longest: it reaches the axis' end; threads and coroutines end at about a quarter.
    const ComparePicture::Band& sequential = L.bands[0];
    const ComparePicture::Band& threads = L.bands[1];
    QVERIFY2(threads.endX < L.axisLeft + (sequential.endX - L.axisLeft) * 2 / 3,
        qPrintable(QStringLiteral("threads end at %1, sequential at %2").arg(threads.endX).arg(sequential.endX)));
    QVERIFY(sequential.endX >= L.axisLeft + L.scale.width() - 3);
    // Blocked-on-I/O blue in the sequential band past the threads band's end, and none in the threads band there.
    const QColor blue = stateColor(TaskState::BlockedIo, view.theme());
    const QRect past(threads.endX + 10, 0, sequential.endX - threads.endX - 20, 1);
    QVERIFY(past.width() > 20);
    QVERIFY(countColor(
                screen, QRect(past.left(), sequential.timeline.top(), past.width(), sequential.timeline.height()), blue)
        > past.width());
    QCOMPARE(
        countColor(screen, QRect(past.left(), threads.timeline.top(), past.width(), threads.timeline.height()), blue),
        0);
    QVERIFY(countColor(screen,
                QRect(L.axisLeft, threads.timeline.top(), threads.endX - L.axisLeft, threads.timeline.height()), blue)
        > 100);

    // One explanation per mode, in order, drawn under the bands.
    const QStringList lines = picture.explanations();
    QCOMPARE(lines.size(), qsizetype(modes.size()));
    for (size_t i = 0; i < modes.size(); ++i)
        QVERIFY2(lines[qsizetype(i)].startsWith(QLatin1String(modeName(modes[i]))), qPrintable(lines[qsizetype(i)]));
    QVERIFY(lines[1].contains(QLatin1String("waits overlapped")));
    QVERIFY(L.explanations.top() > L.bands.back().timeline.bottom());
    QVERIFY(countColor(screen, L.explanations, themeColors(view.theme()).text) > 200);

    // The screen paints what the export writes: the same picture at the canvas' size.
    ImageOptions o;
    o.size = view.canvas()->size();
    o.style = view.canvasStyle();
    QCOMPARE(screen.convertToFormat(QImage::Format_RGB32),
        ImageExport::renderImage(picture, o).convertToFormat(QImage::Format_RGB32));
    QVERIFY(view.statusText().contains(QLatin1String("faster")));
}

void TestCompareView::chartBarsAreProportional_data()
{
    QTest::addColumn<QList<double>>("wall");
    QTest::addColumn<QList<double>>("cpu");
    QTest::newRow("io_bound") << QList<double> { 1614, 206, 205, 820 } << QList<double> { 26, 11, 6, 36 };
    QTest::newRow("cpu_bound_processes_use_more_cpu_than_wall")
        << QList<double> { 1511, 1618, 1521, 736 } << QList<double> { 1500, 1630, 1510, 1460 };
}

void TestCompareView::chartBarsAreProportional()
{
    QFETCH(QList<double>, wall);
    QFETCH(QList<double>, cpu);
    CompareChart chart;
    chart.setFont(Picture::font(18));
    std::vector<CompareChartRow> rows;
    for (qsizetype i = 0; i < wall.size(); ++i) {
        CompareChartRow r;
        r.label = modeLabel(Mode(i));
        r.wallMs = wall[i];
        r.cpuMs = cpu[i];
        r.baseline = i == 0;
        r.speedup = i == 0 ? 0 : wall[0] / wall[i];
        rows.push_back(r);
    }
    chart.setRows(rows);
    const QRect area(0, 0, 700, chart.preferredHeight());
    const std::vector<CompareChart::Bars> bars = chart.bars(area);
    QCOMPARE(bars.size(), rows.size());
    double longest = 0;
    int widest = 0;
    for (qsizetype i = 0; i < wall.size(); ++i) {
        longest = std::max({ longest, wall[i], cpu[i] });
        widest = std::max({ widest, bars[size_t(i)].wall.width(), bars[size_t(i)].cpu.width() });
    }
    QVERIFY(widest > 300);
    // Every bar on one scale: pixels per millisecond are the same for every wall and CPU bar (to a pixel).
    const double pxPerMs = widest / longest;
    for (size_t i = 0; i < bars.size(); ++i) {
        const qsizetype k = qsizetype(i);
        QVERIFY2(std::abs(bars[i].wall.width() - std::max(1.0, wall[k] * pxPerMs)) <= 1.5,
            qPrintable(QStringLiteral("wall of row %1: %2 px").arg(i).arg(bars[i].wall.width())));
        QVERIFY2(std::abs(bars[i].cpu.width() - std::max(1.0, cpu[k] * pxPerMs)) <= 1.5,
            qPrintable(QStringLiteral("CPU of row %1: %2 px").arg(i).arg(bars[i].cpu.width())));
        QCOMPARE(bars[i].wall.left(), bars[0].wall.left()); // one baseline for all
        QVERIFY(area.contains(bars[i].wall) && area.contains(bars[i].speedup));
        if (i > 0)
            QVERIFY(bars[i].wall.top() > bars[i - 1].cpu.bottom());
    }
    // Painted: the wall bar's colour fills its rect.
    QImage image(area.size(), QImage::Format_RGB32);
    image.fill(Qt::white);
    {
        QPainter p(&image);
        chart.paint(p, area);
    }
    for (const CompareChart::Bars& b : bars) {
        QCOMPARE(image.pixelColor(b.wall.center()), CompareChart::wallColor(Theme::Light));
        if (b.cpu.width() > 2)
            QCOMPARE(image.pixelColor(b.cpu.center()), CompareChart::cpuColor(Theme::Light));
    }
}

void TestCompareView::runsAddedFromOutside()
{
    // Saved runs (or any runs) can be laid side by side without the runner.
    const Mix mix = mixOf(QStringLiteral("naps"), { task(QStringLiteral("nap"), 3, { Step::makeSleep(60) }) });
    CompareView view;
    view.resize(1200, 800);
    for (Mode m : { Mode::Sequential, Mode::Threads }) {
        auto ran = std::make_shared<Ran>(runMix(mix, settingsFor(m, 3)));
        QVERIFY(ran->result.ok());
        view.addRun(mix, ran->result, std::shared_ptr<const TraceStore>(ran, &ran->store));
    }
    QCOMPARE(view.picture().entries().size(), size_t(2));
    const QStringList lines = view.picture().explanations();
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines[0].startsWith(QLatin1String("sequential: ")), qPrintable(lines[0]));
    QVERIFY2(lines[1].contains(QStringLiteral("× faster")), qPrintable(lines[1]));
    QVERIFY(view.statusText().contains(QLatin1String("naps")));
    const ComparePicture::Layout L = view.picture().layout(QSize(1600, 900), PictureStyle {});
    QCOMPARE(L.bands.size(), size_t(2));
    QVERIFY(L.bands[1].endX < L.bands[0].endX);
    view.clear();
    QVERIFY(view.picture().isEmpty());
}

void TestCompareView::zoomAndPanTheSharedAxis()
{
    // Ctrl+wheel zooms around the cursor, a drag moves in time, 0 shows every run whole; an export shows the same
    // window, and a band whose end is off the axis keeps its wall time in sight.
    const Mix mix = mixOf(QStringLiteral("naps"), { task(QStringLiteral("nap"), 3, { Step::makeSleep(60) }) });
    CompareView view;
    view.resize(1200, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    for (Mode m : { Mode::Sequential, Mode::Threads }) {
        auto ran = std::make_shared<Ran>(runMix(mix, settingsFor(m, 3)));
        QVERIFY(ran->result.ok());
        view.addRun(mix, ran->result, std::shared_ptr<const TraceStore>(ran, &ran->store));
    }
    QWidget* canvas = view.canvas();
    const ComparePicture::Layout whole = view.picture().layout(canvas->size(), view.canvasStyle());
    QVERIFY(!view.isZoomed());
    QCOMPARE(whole.scale.startNs(), 0.0);
    QVERIFY(std::abs(whole.scale.endNs() - double(view.picture().axisEndNs())) < whole.scale.nsPerPixel());

    // Three notches of Ctrl+wheel a third of the way along the axis: 1.2³ times closer, that time still there.
    const double x = whole.axisLeft + whole.scale.width() / 3.0;
    const double anchorNs = whole.scale.xToTime(x - whole.axisLeft);
    const QPointF at(x, whole.bands[0].timeline.center().y());
    QWheelEvent wheel(at, canvas->mapToGlobal(at), QPoint(), QPoint(0, 360), Qt::NoButton, Qt::ControlModifier,
        Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(canvas, &wheel);
    QVERIFY(view.isZoomed());
    const TimeScale zoomed = view.timeScale();
    QVERIFY2(std::abs(zoomed.durationNs() * 1.728 / whole.scale.durationNs() - 1) < 0.01,
        qPrintable(QString::number(zoomed.durationNs())));
    QVERIFY(std::abs(zoomed.xToTime(x - whole.axisLeft) - anchorNs) < 2 * zoomed.nsPerPixel());
    QVERIFY(view.statusText().contains(QLatin1String("zoomed")));

    // The sequential run ends beyond the window: its end mark is gone, its figure stays inside the band's header.
    const ComparePicture::Layout L = view.picture().layout(canvas->size(), view.canvasStyle());
    QVERIFY2(L.bands[0].endX > L.axisLeft + L.scale.width(), qPrintable(QString::number(L.bands[0].endX)));

    // A drag of 100 px to the right shows earlier time; the drag cannot go before the start.
    const QPoint from = at.toPoint();
    QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, from);
    QTest::mouseMove(canvas, from + QPoint(50, 0));
    QTest::mouseMove(canvas, from + QPoint(100, 0));
    QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, from + QPoint(100, 0));
    const TimeScale dragged = view.timeScale();
    const double expected = std::max(0.0, zoomed.startNs() - 100 * zoomed.nsPerPixel());
    QVERIFY2(std::abs(dragged.startNs() - expected) < 2 * zoomed.nsPerPixel(),
        qPrintable(QStringLiteral("%1 vs %2").arg(dragged.startNs()).arg(expected)));
    QTest::keyClick(canvas, Qt::Key_Home);
    QCOMPARE(view.timeScale().startNs(), 0.0);
    QTest::keyClick(canvas, Qt::Key_End);
    QVERIFY(std::abs(view.timeScale().endNs() - double(view.picture().axisEndNs())) < 2 * zoomed.nsPerPixel());

    // An export at another size shows the same window of time.
    const TimeScale shown = view.timeScale();
    const ComparePicture::Layout exported = view.picture().layout(QSize(1600, 900), PictureStyle {});
    QVERIFY(std::abs(exported.scale.startNs() - shown.startNs()) < shown.nsPerPixel());
    QVERIFY(std::abs(exported.scale.endNs() - shown.endNs()) < 2 * shown.nsPerPixel());

    // 0 shows every run whole again; zooming out past the whole does too.
    QTest::keyClick(canvas, Qt::Key_0);
    QVERIFY(!view.isZoomed());
    view.zoomIn();
    QVERIFY(view.isZoomed());
    view.zoomOut();
    view.zoomOut();
    QVERIFY(!view.isZoomed());
    QCOMPARE(view.timeScale().startNs(), 0.0);
}

void TestCompareView::stopEndsTheSequence()
{
    const Mix slow = mixOf(QStringLiteral("slow"), { task(QStringLiteral("nap"), 2, { Step::makeSleep(4000) }) });
    CompareView view;
    view.resize(1000, 700);
    view.show();
    QSignalSpy appended(view.runner(), &CompareRunner::traceAppended);
    QVERIFY(view.startCompare(slow, settingsFor(Mode::Threads, 2)));
    QVERIFY(appended.wait(10'000));
    QElapsedTimer clock;
    clock.start();
    view.stop();
    QTRY_VERIFY_WITH_TIMEOUT(!view.isRunning(), 10'000);
    QVERIFY2(clock.elapsed() < 3000, "Stop ends the running sleep, not after it");
    QVERIFY(view.runner()->wasStopped());
    QCOMPARE(view.picture().entries().size(), size_t(1)); // the other modes never ran
    QVERIFY(view.picture().entries()[0].summary.stopped);
    QVERIFY(view.statusText().startsWith(QLatin1String("Stopped")));
    QVERIFY(view.picture().explanations().first().contains(QLatin1String("stopped after")));
}

void TestCompareView::mainWindowComparesAndExports()
{
    MainWindow window;
    window.setUnsavedPrompt([](const QString&) { return QMessageBox::Discard; });
    window.show();
    QString error;
    QVERIFY2(window.document()->setMix(fetches(), &error), qPrintable(error));
    RunSettings s = window.runPanel()->settings();
    s.mode = Mode::Threads;
    s.workers = 4;
    window.runPanel()->setSettings(s);

    QVERIFY(window.action(QStringLiteral("compareAll"))->isEnabled());
    window.action(QStringLiteral("compareAll"))->trigger();
    QVERIFY(window.compareView());
    QVERIFY(window.compareView()->isRunning());
    QVERIFY(window.compareView()->isVisible());
    // One run at a time on the machine: Run and Compare All wait for the comparison.
    QVERIFY(!window.action(QStringLiteral("run"))->isEnabled());
    QVERIFY(!window.action(QStringLiteral("compareAll"))->isEnabled());
    window.runMix();
    QVERIFY(!window.runController()->isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(!window.compareView()->isRunning(), kCompareTimeoutMs);
    QVERIFY(window.action(QStringLiteral("run"))->isEnabled());
    QCOMPARE(window.compareView()->picture().entries().size(), CompareRunner::availableModes().size());

    // Export: only the comparison exists so far, zoomed as on screen.
    window.compareView()->zoomIn();
    QVERIFY(window.compareView()->isZoomed());
    window.action(QStringLiteral("exportImage"))->trigger();
    auto* dialog = window.findChild<ExportDialog*>();
    QVERIFY(dialog);
    QTRY_VERIFY(!dialog->preview().isNull());
    QCOMPARE(dialog->currentSource(), 0);
    const QString svg = m_dir.filePath(QStringLiteral("compare.svg"));
    dialog->setFilePath(svg);
    QVERIFY2(dialog->save(&error), qPrintable(error));
    QFile f(svg);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray text = f.readAll();
    QVERIFY(text.contains("Four fetches — every mode compared"));
    QVERIFY(text.contains(">Sequential</text>") && text.contains(">Threads</text>"));
    QVERIFY(text.contains("zoomed to"));
    dialog->setFilePath(m_dir.filePath(QStringLiteral("compare.gif")));
    QVERIFY(!dialog->save(&error));
    QVERIFY2(dialog->errorText().contains(QLatin1String("compare.gif")), qPrintable(dialog->errorText()));
    dialog->close();

    // After a run of its own, the timeline is the first choice; Copy Image puts it on the clipboard.
    QSignalSpy finished(&window, &MainWindow::runFinished);
    window.runMix();
    QVERIFY(finished.wait(kCompareTimeoutMs));
    window.action(QStringLiteral("copyImage"))->trigger();
    QCOMPARE(QGuiApplication::clipboard()->image().size(), QSize(1600, 900));
    window.action(QStringLiteral("exportImage"))->trigger();
    QCOMPARE(dialog->currentSource(), 0);
    const QString png = m_dir.filePath(QStringLiteral("timeline.png"));
    dialog->setFilePath(png);
    ImageOptions o = dialog->options();
    o.size = QSize(1280, 720);
    o.scale = 2;
    dialog->setOptions(o);
    QVERIFY2(dialog->save(&error), qPrintable(error));
    QCOMPARE(QImageReader(png).size(), QSize(2560, 1440));
    dialog->setCurrentSource(1); // the comparison is still there
    QVERIFY(dialog->save(&error));
    QCOMPARE(
        QImageReader(png).read().text(QStringLiteral("Title")), QStringLiteral("Four fetches — every mode compared"));
}

QTEST_MAIN(TestCompareView)
#include "tst_compareview.moc"
