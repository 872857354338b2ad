// Pictures of a real small run, exported headless: PNG size at 1× and 2×, the legend's chips and words, the
// running colour where a running span is and the sleeping colour where a sleep is, light and dark backgrounds, SVG
// with its text as <text> (title and mode) that parses as XML, a saved and reopened run gives the same picture,
// and bad files or sizes are refused with a message naming them.

#include "compareexplain.h"
#include "imageexport.h"
#include "runfile.h"
#include "summary.h"
#include "testutil.h"
#include "timelinepicture.h"
#include "tracestore.h"

#include <QClipboard>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImageReader>
#include <QPainter>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace taskline;
using namespace taskline::test;

namespace {

// Colours equal up to antialiasing noise of ±2 per channel.
bool near(QColor a, QColor b, int tolerance = 2)
{
    return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance
        && std::abs(a.blue() - b.blue()) <= tolerance;
}

// How many pixels of `color` the column x has between y0 and y1 (image pixels).
int countInColumn(const QImage& image, int x, int y0, int y1, QColor color)
{
    int n = 0;
    for (int y = y0; y <= y1; ++y)
        n += near(image.pixelColor(x, y), color);
    return n;
}

} // namespace

class TestImageExport : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void pngSize_data();
    void pngSize();
    void legendChipsAndWords();
    void spanColoursWhereSpansAre_data();
    void spanColoursWhereSpansAre();
    void themeBackground_data();
    void themeBackground();
    void headerNamesMixModeAndSettings();
    void svgKeepsTextAsText();
    void svgRendersLikeThePng();
    void savedRunGivesTheSamePicture();
    void largeFontShrinksToFitManyLanes();
    void badFilesAreRefused_data();
    void badFilesAreRefused();
    void parseSize_data();
    void parseSize();
    void clipboardGetsThePicture();

private:
    QTemporaryDir m_dir;
    Mix m_mix;
    Ran m_ran;
    RunSummary m_summary;
};

void TestImageExport::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // Sequential, so that the main lane holds exactly: 80 ms of computing, then a 60 ms sleep, twice.
    m_mix = mixOf(QStringLiteral("Scan <meta> then nap"),
        { task(QStringLiteral("scan"), 2, { Step::makeCompute(80), Step::makeSleep(60) }) });
    m_ran = runMix(m_mix, settingsFor(Mode::Sequential));
    QVERIFY2(m_ran.result.ok(), qPrintable(m_ran.result.error));
    m_summary = summarize(m_ran.result, m_ran.store);
}

void TestImageExport::pngSize_data()
{
    QTest::addColumn<QSize>("size");
    QTest::addColumn<int>("scale");
    QTest::newRow("slides_1x") << QSize(1600, 900) << 1;
    QTest::newRow("slides_2x") << QSize(1600, 900) << 2;
    QTest::newRow("hd720_1x") << QSize(1280, 720) << 1;
    QTest::newRow("square_2x") << QSize(800, 800) << 2;
}

void TestImageExport::pngSize()
{
    QFETCH(QSize, size);
    QFETCH(int, scale);
    const TimelinePicture picture(m_mix.name, m_summary, &m_ran.store);
    ImageOptions o;
    o.size = size;
    o.scale = scale;
    const QString file
        = m_dir.filePath(QStringLiteral("size-%1x%2@%3.png").arg(size.width()).arg(size.height()).arg(scale));
    QString error;
    QVERIFY2(ImageExport::write(picture, file, o, &error), qPrintable(error));
    QImageReader reader(file);
    QCOMPARE(reader.format(), QByteArray("png"));
    const QImage image = reader.read();
    QCOMPARE(image.size(), size * scale);
    QCOMPARE(image.text(QStringLiteral("Title")), picture.title());
    // At 2× the same layout: the title's first letters sit at twice the coordinates.
    const TimelinePicture::Layout L = picture.layout(size, o.style);
    QVERIFY(L.timeline.bottom() < size.height());
    QVERIFY(L.footer.bottom() < size.height());
    int dark = 0;
    for (int y = L.title.top(); y <= L.title.bottom(); ++y)
        for (int x = L.title.left(); x < L.title.left() + 200; ++x)
            dark += image.pixelColor(x * scale, y * scale).lightness() < 100;
    QVERIFY2(dark > 50, "the title's text is drawn where the layout puts it");
}

void TestImageExport::legendChipsAndWords()
{
    const TimelinePicture picture(m_mix.name, m_summary, &m_ran.store);
    ImageOptions o;
    const QImage image = ImageExport::renderImage(picture, o);
    const TimelinePicture::Layout L = picture.layout(o.size, o.style);
    const TimelineLayout& tl = picture.renderer().layout();
    QVERIFY(!tl.legendItems.empty());
    QStringList labels;
    const ThemeColors& colors = themeColors(o.style.theme);
    for (const TimelineLegendItem& item : tl.legendItems) {
        labels << item.label;
        const QRect r = item.rect.translated(L.timeline.topLeft());
        QVERIFY2(L.timeline.contains(r), qPrintable(item.label));
        if (item.kind == TimelineLegendItem::Kind::State) {
            // The chip, at the item's left: the state's colour.
            QVERIFY2(near(image.pixelColor(r.left() + 4, r.center().y()), stateColor(item.state, o.style.theme)),
                qPrintable(QStringLiteral("chip of %1").arg(item.label)));
        }
        // The words: text-coloured pixels right of the chip.
        int text = 0;
        for (int y = r.top(); y <= r.bottom(); ++y)
            for (int x = r.left() + r.width() / 3; x <= r.right(); ++x)
                text += near(image.pixelColor(x, y), colors.text, 40);
        QVERIFY2(text > 10, qPrintable(QStringLiteral("words of %1").arg(item.label)));
    }
    QVERIFY(labels.contains(QStringLiteral("Running")));
    QVERIFY(labels.contains(QStringLiteral("Sleeping")));
    QVERIFY(labels.contains(QStringLiteral("Done")));
    QVERIFY(labels.contains(QStringLiteral("Core busy")));
}

void TestImageExport::spanColoursWhereSpansAre_data()
{
    QTest::addColumn<int>("state");
    QTest::newRow("running_green_over_the_compute") << int(TaskState::Running);
    QTest::newRow("sky_blue_over_the_sleep") << int(TaskState::Sleeping);
}

void TestImageExport::spanColoursWhereSpansAre()
{
    QFETCH(int, state);
    const TaskState wanted = TaskState(state);
    const TaskState other = wanted == TaskState::Running ? TaskState::Sleeping : TaskState::Running;
    const TimelinePicture picture(m_mix.name, m_summary, &m_ran.store);
    ImageOptions o;
    o.scale = 2; // the same places at twice the pixels
    const QImage image = ImageExport::renderImage(picture, o);
    const TimelinePicture::Layout L = picture.layout(o.size, o.style);
    const TimelineRenderer& r = picture.renderer();
    const TimelineLayout& tl = r.layout();
    int lane = -1;
    for (size_t i = 0; i < tl.lanes.size(); ++i)
        if (tl.lanes[i].kind == TimelineLane::Kind::Worker)
            lane = int(i);
    QVERIFY(lane >= 0);
    // The longest span of that state on the main thread's lane.
    const Span* longest = nullptr;
    for (uint32_t k : m_ran.store.workerSpans(tl.lanes[size_t(lane)].id)) {
        const Span& s = m_ran.store.spans()[k];
        if (s.state == wanted && (!longest || s.endNs - s.startNs > longest->endNs - longest->startNs))
            longest = &s;
    }
    QVERIFY(longest);
    const QRect row = tl.laneRect(lane, 0).translated(L.timeline.topLeft());
    const double mid = (double(longest->startNs) + double(longest->endNs)) / 2;
    const int x = 2 * (L.timeline.left() + tl.axisLeft + int(r.options().scale.timeToX(mid)));
    const int y0 = 2 * (row.top() + 4), y1 = 2 * (row.bottom() - 4);
    const int hits = countInColumn(image, x, y0, y1, stateColor(wanted, o.style.theme));
    QVERIFY2(hits > 0, qPrintable(QStringLiteral("no %1 at x=%2").arg(stateLabel(wanted)).arg(x)));
    if (wanted == TaskState::Sleeping)
        QVERIFY(hits > (y1 - y0) / 2); // solid, unlike a preempted running span's hatch
    QCOMPARE(countInColumn(image, x, y0, y1, stateColor(other, o.style.theme)), 0);
}

void TestImageExport::themeBackground_data()
{
    QTest::addColumn<int>("theme");
    QTest::newRow("light_is_white") << int(Theme::Light);
    QTest::newRow("dark_is_dark") << int(Theme::Dark);
}

void TestImageExport::themeBackground()
{
    QFETCH(int, theme);
    const TimelinePicture picture(m_mix.name, m_summary, &m_ran.store);
    ImageOptions o;
    o.style.theme = Theme(theme);
    const QImage image = ImageExport::renderImage(picture, o);
    const QColor background = themeColors(o.style.theme).background;
    for (const QPoint p : { QPoint(1, 1), QPoint(1598, 1), QPoint(1, 898), QPoint(1598, 898) })
        QVERIFY(near(image.pixelColor(p), background));
    if (o.style.theme == Theme::Dark)
        QVERIFY(background.lightness() < 60);
    else
        QCOMPARE(background, QColor(Qt::white));
}

void TestImageExport::headerNamesMixModeAndSettings()
{
    const TimelinePicture picture(m_mix.name, m_summary, &m_ran.store);
    QCOMPARE(picture.title(), QStringLiteral("Scan <meta> then nap — sequential"));
    // Threads: the settings line says GIL and switch interval (checked in the SVG's text).
    Ran threads = runMix(m_mix, settingsFor(Mode::Threads, 2, true, 2.5));
    QVERIFY(threads.result.ok());
    const RunSummary s = summarize(threads.result, threads.store);
    const TimelinePicture p2(m_mix.name, s, &threads.store);
    const QByteArray svg = ImageExport::renderSvg(p2, ImageOptions {});
    QVERIFY2(svg.contains("2 threads · GIL on, switch interval 2.5 ms"), svg.left(3000).constData());
    QVERIFY(svg.contains(">GIL</text>"));
}

void TestImageExport::svgKeepsTextAsText()
{
    const TimelinePicture picture(m_mix.name, m_summary, &m_ran.store);
    ImageOptions o;
    const QByteArray svg = ImageExport::renderSvg(picture, o);
    QXmlStreamReader xml(svg);
    QStringList texts;
    QString title;
    QSize size;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (xml.name() == QLatin1String("svg"))
            size = QSize(xml.attributes().value(QLatin1String("viewBox")).split(u' ').value(2).toInt(),
                xml.attributes().value(QLatin1String("viewBox")).split(u' ').value(3).toInt());
        else if (xml.name() == QLatin1String("title"))
            title = xml.readElementText();
        else if (xml.name() == QLatin1String("text"))
            texts << xml.readElementText();
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QCOMPARE(size, o.size);
    QCOMPARE(title, picture.title());
    QVERIFY2(texts.contains(picture.title()), qPrintable(texts.join(QLatin1Char('|'))));
    QVERIFY(texts.contains(QStringLiteral("main"))); // the lane label
    QVERIFY(texts.contains(QStringLiteral("Running"))); // the legend
    QVERIFY(std::any_of(texts.begin(), texts.end(), [](const QString& t) { return t.endsWith(QLatin1String(" ms")); }));
    QVERIFY(texts.contains(formatMs(m_summary.wallMs))); // the wall time, large
    // Written to a file, the same.
    const QString file = m_dir.filePath(QStringLiteral("timeline.svg"));
    QString error;
    QVERIFY2(ImageExport::write(picture, file, o, &error), qPrintable(error));
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), svg);
}

void TestImageExport::svgRendersLikeThePng()
{
    const TimelinePicture picture(m_mix.name, m_summary, &m_ran.store);
    ImageOptions o;
    o.size = QSize(1280, 720);
    QSvgRenderer renderer(ImageExport::renderSvg(picture, o));
    QVERIFY(renderer.isValid());
    QCOMPARE(renderer.defaultSize(), o.size);
    QImage fromSvg(o.size, QImage::Format_ARGB32_Premultiplied);
    fromSvg.fill(Qt::transparent);
    {
        QPainter p(&fromSvg);
        renderer.render(&p);
    }
    const QImage png = ImageExport::renderImage(picture, o);
    // The spans are the same rectangles: compare a horizontal line through the lane's middle.
    const TimelinePicture::Layout L = picture.layout(o.size, o.style);
    const TimelineLayout& tl = picture.renderer().layout();
    const int y = L.timeline.top() + tl.laneRect(0, 0).center().y();
    int same = 0, total = 0;
    for (int x = L.timeline.left() + tl.axisLeft + 2; x < L.timeline.right() - 10; ++x, ++total)
        same += near(fromSvg.pixelColor(x, y), png.pixelColor(x, y), 12);
    QVERIFY2(same > total * 9 / 10, qPrintable(QStringLiteral("%1 of %2").arg(same).arg(total)));
}

void TestImageExport::savedRunGivesTheSamePicture()
{
    // Save the run, open it again: the picture of the reopened run is pixel for pixel the original's.
    SavedRun reopened;
    QString error;
    QVERIFY2(decodeRun(encodeRun(m_mix, m_ran.result, m_ran.store), &reopened, &error), qPrintable(error));
    const RunSummary again = summarize(reopened.result, reopened.store);
    const TimelinePicture original(m_mix.name, m_summary, &m_ran.store);
    const TimelinePicture copy(reopened.mix.name, again, &reopened.store);
    ImageOptions o;
    QCOMPARE(ImageExport::renderImage(copy, o), ImageExport::renderImage(original, o));
    QCOMPARE(ImageExport::renderSvg(copy, o), ImageExport::renderSvg(original, o));
}

void TestImageExport::largeFontShrinksToFitManyLanes()
{
    // 24 tasks in lanes by task do not fit at the body size: the timeline's text gets smaller, none is cut.
    const Mix many = mixOf(QStringLiteral("many"), { task(QStringLiteral("nap"), 24, { Step::makeSleep(5) }) });
    Ran ran = runMix(many, settingsFor(Mode::Threads, 8));
    QVERIFY(ran.result.ok());
    const TimelinePicture picture(many.name, summarize(ran.result, ran.store), &ran.store);
    PictureStyle style;
    style.laneMode = LaneMode::ByTask;
    const TimelinePicture::Layout L = picture.layout(QSize(1600, 900), style);
    QVERIFY(L.timelineFontPx < L.fontPx);
    QCOMPARE(L.hiddenLanes, 0);
    const auto& lanes = picture.renderer().layout().lanes;
    QCOMPARE(std::count_if(
                 lanes.begin(), lanes.end(), [](const TimelineLane& l) { return l.kind == TimelineLane::Kind::Task; }),
        24);
    // In 1280 × 400 even the smallest text cannot hold 24 lanes: the footer says how many are missing.
    const TimelinePicture::Layout small = picture.layout(QSize(1280, 400), style);
    QVERIFY(small.hiddenLanes > 0);
}

void TestImageExport::badFilesAreRefused_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QSize>("size");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("bmp_suffix") << QStringLiteral("@/x.bmp") << QSize(1600, 900)
                                << QStringList { "x.bmp", "cannot write .bmp", ".png or .svg" };
    QTest::newRow("no_suffix") << QStringLiteral("@/picture") << QSize(1600, 900)
                               << QStringList { "picture", "no file suffix" };
    QTest::newRow("missing_folder") << QStringLiteral("/nonexistent-folder/x.png") << QSize(1600, 900)
                                    << QStringList { "/nonexistent-folder/x.png", "cannot write" };
    QTest::newRow("too_small") << QStringLiteral("@/small.png") << QSize(100, 900)
                               << QStringList { "small.png", "100×900", "from 200 to 8000" };
    QTest::newRow("too_large") << QStringLiteral("@/large.svg") << QSize(9000, 900)
                               << QStringList { "large.svg", "9000×900" };
    QTest::newRow("too_many_pixels_at_2x") << QStringLiteral("@/huge.png") << QSize(5000, 900)
                                           << QStringList { "huge.png", "at 2×", "at most 8000 pixels a side" };
}

void TestImageExport::badFilesAreRefused()
{
    QFETCH(QString, file);
    QFETCH(QSize, size);
    QFETCH(QStringList, expected);
    file.replace(QLatin1Char('@'), m_dir.path());
    const TimelinePicture picture(m_mix.name, m_summary, &m_ran.store);
    ImageOptions o;
    o.size = size;
    o.scale = QString::fromLatin1(QTest::currentDataTag()).endsWith(QLatin1String("2x")) ? 2 : 1;
    QString error;
    QVERIFY(!ImageExport::write(picture, file, o, &error));
    for (const QString& phrase : expected)
        QVERIFY2(error.contains(phrase), qPrintable(error));
    QVERIFY(!QFileInfo::exists(file));
}

void TestImageExport::parseSize_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QSize>("expected"); // invalid: refused
    QTest::newRow("x") << QStringLiteral("1600x900") << QSize(1600, 900);
    QTest::newRow("times_sign") << QStringLiteral("1920×1080") << QSize(1920, 1080);
    QTest::newRow("spaces_and_capital") << QStringLiteral(" 1280 X 720 ") << QSize(1280, 720);
    QTest::newRow("too_small") << QStringLiteral("16x9") << QSize();
    QTest::newRow("words") << QStringLiteral("big") << QSize();
    QTest::newRow("one_number") << QStringLiteral("1600") << QSize();
}

void TestImageExport::parseSize()
{
    QFETCH(QString, text);
    QFETCH(QSize, expected);
    QSize size;
    QString error;
    QCOMPARE(ImageExport::parseSize(text, &size, &error), expected.isValid());
    if (expected.isValid())
        QCOMPARE(size, expected);
    else
        QVERIFY(!error.isEmpty());
}

void TestImageExport::clipboardGetsThePicture()
{
    const TimelinePicture picture(m_mix.name, m_summary, &m_ran.store);
    ImageOptions o;
    o.size = QSize(1280, 720);
    ImageExport::copyToClipboard(picture, o);
    const QImage copied = QGuiApplication::clipboard()->image();
    QCOMPARE(copied.size(), o.size);
    QCOMPARE(copied.convertToFormat(QImage::Format_ARGB32_Premultiplied),
        ImageExport::renderImage(picture, o).convertToFormat(QImage::Format_ARGB32_Premultiplied));
}

QTEST_MAIN(TestImageExport)
#include "tst_imageexport.moc"
