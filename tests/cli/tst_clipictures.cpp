// Pictures from the command line with no display at all (no DISPLAY, WAYLAND_DISPLAY or QT_QPA_PLATFORM in the
// child's environment): --png and --svg of one mode and of --mode all, --size, --scale, --theme, the compare JSON
// with its four runs in order and their explanations, and bad picture options refused before anything runs.

#include <QDir>
#include <QFile>
#include <QImage>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

class TestCliPictures : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void helpNamesThePictureOptions();
    void oneModeTimelinePng();
    void compareAllModesPngSvgAndJson();
    void badPictureOptions_data();
    void badPictureOptions();
    void unwritablePictureIsReported();

private:
    struct Result
    {
        int code = -1;
        QByteArray out, err;
    };
    Result taskline(const QStringList& args, int timeoutMs = 180'000);
    QString writeMix(const QString& name, const QByteArray& json);

    QString m_binary;
    QTemporaryDir m_dir;
    QString m_mix;
};

void TestCliPictures::initTestCase()
{
    m_binary = qEnvironmentVariable("TASKLINE_BINARY");
    QVERIFY2(QFile::exists(m_binary), "TASKLINE_BINARY must point at the taskline executable");
    QVERIFY(m_dir.isValid());
    // Two fetches and a computation: every mode has something to show, in well under a second each.
    m_mix = writeMix(QStringLiteral("tiny.taskline.json"), R"({"format":"taskline-mix/1","name":"Tiny <meta> mix",
        "tasks":[{"name":"page","count":2,"steps":[{"fetch":{"url":"lab:/delay?ms=60&bytes=2000"}},
                                                  {"compute":{"ms":20}}]}],
        "settings":{"mode":"threads","workers":2}})");
    QVERIFY(!m_mix.isEmpty());
}

TestCliPictures::Result TestCliPictures::taskline(const QStringList& args, int timeoutMs)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* name : { "DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM" })
        env.remove(QLatin1String(name));
    p.setProcessEnvironment(env);
    p.start(m_binary, args);
    Result r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString TestCliPictures::writeMix(const QString& name, const QByteArray& json)
{
    const QString path = m_dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(json);
    return path;
}

void TestCliPictures::helpNamesThePictureOptions()
{
    const Result r = taskline({ "--help" });
    QCOMPARE(r.code, 0);
    for (const char* option : { "--png FILE", "--svg FILE", "--size WxH", "--scale 1|2", "--theme light|dark" })
        QVERIFY2(r.out.contains(option), option);
}

void TestCliPictures::oneModeTimelinePng()
{
    const QString png = m_dir.filePath(QStringLiteral("threads.png"));
    const Result r = taskline(
        { "run", m_mix, "--mode", "threads", "--png", png, "--size", "1280x720", "--scale", "2", "--theme", "dark" });
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.out.contains("picture: " + png.toUtf8()), r.out.constData());
    QVERIFY2(!r.err.contains("XDG_RUNTIME_DIR"), r.err.constData()); // no noise from the offscreen platform
    QImageReader reader(png);
    QCOMPARE(reader.format(), QByteArray("png"));
    const QImage image = reader.read();
    QCOMPARE(image.size(), QSize(2560, 1440));
    QCOMPARE(image.text(QStringLiteral("Title")), QStringLiteral("Tiny <meta> mix — threads"));
    QVERIFY(image.pixelColor(4, 4).lightness() < 60); // dark
    // Glyphs were drawn (fonts work without a display): the title row has light pixels on the dark background.
    int light = 0;
    for (int y = 20; y < 90; ++y)
        for (int x = 30; x < 600; ++x)
            light += image.pixelColor(x, y).lightness() > 180;
    QVERIFY2(light > 500, qPrintable(QString::number(light)));
}

void TestCliPictures::compareAllModesPngSvgAndJson()
{
    const QString png = m_dir.filePath(QStringLiteral("all.png"));
    const QString svg = m_dir.filePath(QStringLiteral("all.svg"));
    const QString json = m_dir.filePath(QStringLiteral("all.json"));
    const Result r = taskline({ "run", m_mix, "--mode", "all", "--png", png, "--svg", svg, "--summary-json", json });
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.out.contains("Compared (speedup"), r.out.constData());

    QFile jf(json);
    QVERIFY(jf.open(QIODevice::ReadOnly));
    const QJsonObject doc = QJsonDocument::fromJson(jf.readAll()).object();
    QCOMPARE(doc.value("format").toString(), QStringLiteral("taskline-compare/1"));
    const QJsonArray runs = doc.value("runs").toArray();
    const QStringList order { "sequential", "threads", "coroutines", "processes" };
    QCOMPARE(runs.size(), 4);
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(runs[i].toObject().value("format").toString(), QStringLiteral("taskline-summary/1"));
        QCOMPARE(runs[i].toObject().value("mode").toString(), order[i]);
    }
    const QJsonArray explanations = doc.value("explanations").toArray();
    QCOMPARE(explanations.size(), 4);
    for (int i = 0; i < 4; ++i) {
        const QString line = explanations[i].toString();
        QVERIFY2(line.startsWith(order[i] + QLatin1Char(':')), qPrintable(line));
        QVERIFY2(r.out.contains(line.toUtf8()), qPrintable(line)); // printed as well
    }

    const QImage image(png);
    QCOMPARE(image.size(), QSize(1600, 900));
    QCOMPARE(image.pixelColor(2, 2), QColor(Qt::white));
    QFile sf(svg);
    QVERIFY(sf.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&sf);
    QStringList texts;
    while (!xml.atEnd())
        if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QLatin1String("text"))
            texts << xml.readElementText();
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(texts.contains(QStringLiteral("Tiny <meta> mix — every mode compared")));
    for (const char* band : { "Sequential", "Threads", "Coroutines", "Processes" })
        QVERIFY2(texts.contains(QLatin1String(band)), band);
    QVERIFY(texts.contains(QStringLiteral("baseline")));
    QVERIFY(!texts.contains(QStringLiteral("No run yet: press Run"))); // an SVG does not clip text: none hidden
    QCOMPARE(texts.filter(QStringLiteral("Tiny <meta> mix")).size(), 1);
}

void TestCliPictures::badPictureOptions_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("bmp") << QStringList { "--png", "x.bmp" } << QStringList { "--png", "x.bmp", ".png or .svg" };
    QTest::newRow("svg_named_png") << QStringList { "--svg", "x.png" } << QStringList { "--svg x.png", "end in .svg" };
    QTest::newRow("no_suffix") << QStringList { "--png", "picture" } << QStringList { "picture", "no file suffix" };
    QTest::newRow("size_words") << QStringList { "--size", "large" } << QStringList { "--size", "1600x900" };
    QTest::newRow("size_tiny") << QStringList { "--size", "20x20" } << QStringList { "--size", "from 200 to 8000" };
    QTest::newRow("scale_three") << QStringList { "--scale", "3" } << QStringList { "--scale", "\"3\"" };
    QTest::newRow("theme_blue") << QStringList { "--theme", "blue" } << QStringList { "--theme", "light or dark" };
    QTest::newRow("lanes_core") << QStringList { "--lanes", "core" } << QStringList { "--lanes", "worker or task" };
}

void TestCliPictures::badPictureOptions()
{
    QFETCH(QStringList, args);
    QFETCH(QStringList, expected);
    const Result r = taskline(QStringList { "run", m_mix } + args);
    QCOMPARE(r.code, 2);
    for (const QString& phrase : expected)
        QVERIFY2(r.err.contains(phrase.toUtf8()), r.err.constData());
    QVERIFY(r.out.isEmpty()); // refused before running anything
}

void TestCliPictures::unwritablePictureIsReported()
{
    const Result r = taskline({ "run", m_mix, "--mode", "sequential", "--png", "/nonexistent-folder/x.png", "-q" });
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("/nonexistent-folder/x.png: cannot write"), r.err.constData());
}

QTEST_GUILESS_MAIN(TestCliPictures)
#include "tst_clipictures.moc"
