// TimeScale: the time ↔ pixel mapping of the timeline, its zoom and pan with bounds, and the ruler's ticks.

#include "timescale.h"

#include <QTest>

using namespace taskline;

class TestTimeScale : public QObject
{
    Q_OBJECT
private slots:
    void mapsTimeToX_data();
    void mapsTimeToX();
    void zoomKeepsTimeUnderAnchor_data();
    void zoomKeepsTimeUnderAnchor();
    void zoomAndPanStayInBounds_data();
    void zoomAndPanStayInBounds();
    void fitShowsTheRange_data();
    void fitShowsTheRange();
    void majorStepIsNice_data();
    void majorStepIsNice();
    void ticksAreMultiplesOfTheStep_data();
    void ticksAreMultiplesOfTheStep();
    void tickLabels_data();
    void tickLabels();
    void formatsDurations_data();
    void formatsDurations();
};

void TestTimeScale::mapsTimeToX_data()
{
    QTest::addColumn<double>("start");
    QTest::addColumn<double>("nsPerPixel");
    QTest::addColumn<double>("ns");
    QTest::addColumn<double>("x");
    QTest::newRow("origin_at_zero") << 0.0 << 1e6 << 0.0 << 0.0;
    QTest::newRow("one_ms_per_px") << 0.0 << 1e6 << 250e6 << 250.0;
    QTest::newRow("shifted_window") << 100e6 << 1e6 << 150e6 << 50.0;
    QTest::newRow("before_window_is_negative") << 100e6 << 1e6 << 90e6 << -10.0;
    QTest::newRow("after_window_is_past_width") << 0.0 << 1e6 << 2000e6 << 2000.0;
    QTest::newRow("microseconds") << 1e6 << 10.0 << 1e6 + 2500 << 250.0;
    QTest::newRow("seconds_far_into_a_run") << 3600e9 << 1e7 << 3600e9 + 1e9 << 100.0;
}

void TestTimeScale::mapsTimeToX()
{
    QFETCH(double, start);
    QFETCH(double, nsPerPixel);
    QFETCH(double, ns);
    QFETCH(double, x);
    const TimeScale s(start, nsPerPixel, 1000);
    QCOMPARE(s.timeToX(ns), x);
    QCOMPARE(s.xToTime(x), ns);
    QCOMPARE(s.endNs(), start + 1000 * nsPerPixel);
}

void TestTimeScale::zoomKeepsTimeUnderAnchor_data()
{
    QTest::addColumn<double>("factor");
    QTest::addColumn<double>("anchorX");
    QTest::newRow("in_at_left") << 2.0 << 0.0;
    QTest::newRow("in_at_quarter") << 2.0 << 250.0;
    QTest::newRow("in_at_centre") << 1.5 << 500.0;
    QTest::newRow("in_at_right") << 4.0 << 1000.0;
    QTest::newRow("out_at_centre") << 0.5 << 500.0;
    QTest::newRow("out_at_third") << 0.8 << 333.0;
}

void TestTimeScale::zoomKeepsTimeUnderAnchor()
{
    QFETCH(double, factor);
    QFETCH(double, anchorX);
    // A 10 s run, zoomed to 100 ms around 5 s: room to zoom both ways without touching the bounds.
    TimeScale s;
    s.setWidth(1000);
    s.setBounds(0, 10'000'000'000);
    s.setWindow(4.95e9, 5.05e9);
    const double before = s.xToTime(anchorX);
    const double nsPerPixel = s.nsPerPixel();
    s.zoom(factor, anchorX);
    QVERIFY2(std::abs(s.xToTime(anchorX) - before) < 1e-3, qPrintable(QString::number(s.xToTime(anchorX) - before)));
    QCOMPARE(s.nsPerPixel(), nsPerPixel / factor);
}

void TestTimeScale::zoomAndPanStayInBounds_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<double>("amount");
    QTest::addColumn<double>("expectStart");
    QTest::addColumn<double>("expectNsPerPixel");
    // Bounds 0..1 s, width 1000 (fit: 1 ms/px), window 400..500 ms (0.1 ms/px).
    QTest::newRow("zoom_out_stops_at_fit") << "zoom" << 0.001 << 0.0 << 1e6;
    QTest::newRow("zoom_in_stops_at_min")
        << "zoom" << 1e9 << 450e6 - 500 * TimeScale::kMinNsPerPixel << TimeScale::kMinNsPerPixel;
    QTest::newRow("pan_right_stops_at_start") << "pan" << 1e6 << 0.0 << 1e5;
    QTest::newRow("pan_left_stops_at_end") << "pan" << -1e6 << 900e6 << 1e5;
    QTest::newRow("pan_within") << "pan" << 100.0 << 390e6 << 1e5;
}

void TestTimeScale::zoomAndPanStayInBounds()
{
    QFETCH(QString, action);
    QFETCH(double, amount);
    QFETCH(double, expectStart);
    QFETCH(double, expectNsPerPixel);
    TimeScale s;
    s.setWidth(1000);
    s.setBounds(0, 1'000'000'000);
    s.setWindow(400e6, 500e6);
    if (action == QLatin1String("zoom"))
        s.zoom(amount, 500);
    else
        s.pan(amount);
    QCOMPARE(s.nsPerPixel(), expectNsPerPixel);
    QCOMPARE(s.startNs(), expectStart);
    QVERIFY(s.startNs() >= 0);
    QVERIFY(s.endNs() <= 1e9 + 1e-3);
}

void TestTimeScale::fitShowsTheRange_data()
{
    QTest::addColumn<qint64>("begin");
    QTest::addColumn<qint64>("end");
    QTest::addColumn<int>("width");
    QTest::addColumn<double>("nsPerPixel");
    QTest::newRow("one_second_on_1000_px") << qint64(0) << qint64(1'000'000'000) << 1000 << 1e6;
    QTest::newRow("run_of_1618_ms_on_1450_px") << qint64(0) << qint64(1'618'000'000) << 1450 << 1'618e6 / 1450;
    QTest::newRow("tiny_range_clamps_to_min_zoom") << qint64(0) << qint64(1000) << 1000 << TimeScale::kMinNsPerPixel;
}

void TestTimeScale::fitShowsTheRange()
{
    QFETCH(qint64, begin);
    QFETCH(qint64, end);
    QFETCH(int, width);
    QFETCH(double, nsPerPixel);
    TimeScale s;
    s.setBounds(begin, end);
    s.fit(begin, end, width);
    QCOMPARE(s.width(), width);
    QCOMPARE(s.nsPerPixel(), nsPerPixel);
    QCOMPARE(s.startNs(), double(begin));
    QVERIFY(s.isFitted());
}

void TestTimeScale::majorStepIsNice_data()
{
    QTest::addColumn<double>("nsPerPixel");
    QTest::addColumn<double>("minSpacing");
    QTest::addColumn<qint64>("step");
    QTest::newRow("1ms_per_px_80px_gives_100ms") << 1e6 << 80.0 << qint64(100'000'000);
    QTest::newRow("exact_200ms") << 2.5e6 << 80.0 << qint64(200'000'000);
    QTest::newRow("240ms_rounds_up_to_500ms") << 3e6 << 80.0 << qint64(500'000'000);
    QTest::newRow("deepest_zoom_gives_1us") << 10.0 << 80.0 << qint64(1'000);
    QTest::newRow("long_run_gives_seconds") << 50e6 << 80.0 << qint64(5'000'000'000);
    QTest::newRow("microsecond_zoom_gives_20us") << 150.0 << 100.0 << qint64(20'000);
}

void TestTimeScale::majorStepIsNice()
{
    QFETCH(double, nsPerPixel);
    QFETCH(double, minSpacing);
    QFETCH(qint64, step);
    const TimeScale s(0, nsPerPixel, 1000);
    QCOMPARE(s.majorStep(minSpacing), step);
}

void TestTimeScale::ticksAreMultiplesOfTheStep_data()
{
    QTest::addColumn<double>("start");
    QTest::addColumn<double>("nsPerPixel");
    QTest::addColumn<int>("majors");
    QTest::addColumn<int>("all");
    // 0..1 s on 1000 px, step 100 ms, minor 20 ms: 0, 20, …, 1000 ms.
    QTest::newRow("whole_second") << 0.0 << 1e6 << 11 << 51;
    // 250..350 ms: step 10 ms (minor 2 ms): 250, 252, …, 350 ms; majors 250, 260, …, 350.
    QTest::newRow("window_inside_a_run") << 250e6 << 1e5 << 11 << 51;
    // step 200 µs splits into quarters of 50 µs.
    QTest::newRow("two_step_quarters") << 0.0 << 2e3 << 11 << 41;
}

void TestTimeScale::ticksAreMultiplesOfTheStep()
{
    QFETCH(double, start);
    QFETCH(double, nsPerPixel);
    QFETCH(int, majors);
    QFETCH(int, all);
    const TimeScale s(start, nsPerPixel, 1000);
    const double spacing = 80;
    const int64_t step = s.majorStep(spacing);
    const auto ticks = s.ticks(spacing);
    QCOMPARE(int(ticks.size()), all);
    int seenMajors = 0;
    double previous = -1e300;
    for (const TimeScale::Tick& t : ticks) {
        QVERIFY(t.ns >= start && t.ns <= s.endNs());
        QVERIFY(t.x > previous);
        QCOMPARE(t.x, s.timeToX(double(t.ns)));
        QCOMPARE(t.major, t.ns % step == 0);
        seenMajors += t.major;
        previous = t.x;
    }
    QCOMPARE(seenMajors, majors);
}

void TestTimeScale::tickLabels_data()
{
    QTest::addColumn<qint64>("ns");
    QTest::addColumn<qint64>("step");
    QTest::addColumn<QString>("label");
    QTest::newRow("zero") << qint64(0) << qint64(100'000'000) << "0";
    QTest::newRow("ms_for_sub_second_steps") << qint64(200'000'000) << qint64(100'000'000) << "200 ms";
    QTest::newRow("ms_with_half_step") << qint64(1'500'000) << qint64(500'000) << "1.5 ms";
    QTest::newRow("ms_hundredths_for_10us_steps") << qint64(1'234'560'000) << qint64(10'000) << "1234.56 ms";
    QTest::newRow("seconds_for_second_steps") << qint64(3'000'000'000) << qint64(1'000'000'000) << "3 s";
    QTest::newRow("seconds_two_step") << qint64(4'000'000'000) << qint64(2'000'000'000) << "4 s";
    QTest::newRow("us_for_small_steps") << qint64(2'500) << qint64(500) << "2.5 µs";
    QTest::newRow("us_whole") << qint64(7'000) << qint64(1'000) << "7 µs";
    QTest::newRow("us_tenths") << qint64(300) << qint64(100) << "0.3 µs";
}

void TestTimeScale::tickLabels()
{
    QFETCH(qint64, ns);
    QFETCH(qint64, step);
    QFETCH(QString, label);
    QCOMPARE(TimeScale::tickLabel(ns, step), label);
}

void TestTimeScale::formatsDurations_data()
{
    QTest::addColumn<double>("ns");
    QTest::addColumn<QString>("text");
    QTest::newRow("ns") << 850.0 << "850 ns";
    QTest::newRow("us") << 12'345.0 << "12.3 µs";
    QTest::newRow("ms_two_decimals") << 4'512'000.0 << "4.51 ms";
    QTest::newRow("ms_no_decimals") << 250'000'000.0 << "250 ms";
    QTest::newRow("s") << 1'234'000'000.0 << "1.23 s";
    QTest::newRow("rounds_into_next_unit") << 999'999.0 << "1.00 ms";
}

void TestTimeScale::formatsDurations()
{
    QFETCH(double, ns);
    QFETCH(QString, text);
    QCOMPARE(TimeScale::formatDuration(ns), text);
}

QTEST_GUILESS_MAIN(TestTimeScale)
#include "tst_timescale.moc"
