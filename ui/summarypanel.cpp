#include "summarypanel.h"

#include "statebarchart.h"
#include "theme.h"
#include "tracestore.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <cmath>

namespace taskline {

SummaryPanel::SummaryPanel(QWidget* parent)
    : QWidget(parent)
{
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    m_pages = new QStackedWidget;
    outer->addWidget(m_pages);

    m_message = new QLabel;
    m_message->setObjectName(QStringLiteral("summaryMessage"));
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    setMutedText(m_message);
    m_pages->addWidget(m_message);

    auto* content = new QWidget;
    auto* row = new QHBoxLayout(content);
    row->setContentsMargins(8, 6, 8, 6);
    row->setSpacing(18);
    m_pages->addWidget(content);

    // The figures, left.
    auto* figures = new QWidget;
    auto* grid = new QGridLayout(figures);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setVerticalSpacing(4);
    grid->setHorizontalSpacing(12);
    m_title = new QLabel;
    m_title->setObjectName(QStringLiteral("summaryTitle"));
    m_title->setWordWrap(true);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    grid->addWidget(m_title, 0, 0, 1, 2);
    QFont big = font();
    big.setPointSizeF(big.pointSizeF() * 1.35);
    big.setBold(true);
    int r = 1;
    auto figure = [&](const QString& name, const QString& label, const QString& tip) {
        auto* caption = new QLabel(label);
        caption->setToolTip(tip);
        auto* value = new QLabel;
        value->setObjectName(name);
        value->setFont(big);
        value->setToolTip(tip);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        grid->addWidget(caption, r, 0, Qt::AlignLeft | Qt::AlignVCenter);
        grid->addWidget(value, r, 1, Qt::AlignLeft | Qt::AlignVCenter);
        ++r;
        return value;
    };
    m_wall
        = figure(QStringLiteral("wall"), tr("Wall time"), tr("From the start of the run until its last task ended."));
    m_cpu = figure(QStringLiteral("cpu"), tr("CPU time"), tr("CPU time of the run's threads and processes."));
    m_cores = figure(
        QStringLiteral("cores"), tr("Cores used"), tr("CPU time ÷ wall time: how many cores were busy on average."));
    m_speedup = figure(QStringLiteral("speedup"), tr("Speedup"),
        tr("Wall time of the last sequential run of the same tasks in this window ÷ this run's wall time."));
    m_events = new QLabel;
    m_events->setObjectName(QStringLiteral("events"));
    setMutedText(m_events);
    grid->addWidget(m_events, r++, 0, 1, 2);
    m_warnings = new QLabel;
    m_warnings->setObjectName(QStringLiteral("warnings"));
    m_warnings->setWordWrap(true);
    m_warnings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    grid->addWidget(m_warnings, r++, 0, 1, 2);
    grid->setRowStretch(r, 1);
    figures->setMinimumWidth(250);
    figures->setMaximumWidth(340);
    row->addWidget(figures);

    // The bars, right.
    auto* bars = new QVBoxLayout;
    bars->setSpacing(4);
    auto* heading = new QLabel(tr("Time per task, by state"));
    heading->setFont(titleFont);
    bars->addWidget(heading);
    m_legend = new QLabel;
    m_legend->setObjectName(QStringLiteral("legend"));
    m_legend->setWordWrap(true);
    bars->addWidget(m_legend);
    m_chart = new StateBarChart;
    m_chart->setObjectName(QStringLiteral("summaryChart"));
    m_scroll = new QScrollArea;
    m_scroll->setWidget(m_chart);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    bars->addWidget(m_scroll, 1);
    row->addLayout(bars, 1);

    connect(m_chart, &StateBarChart::rowClicked, this, &SummaryPanel::taskClicked);
    showIdle();
}

QString SummaryPanel::formatDuration(double ms)
{
    static const QLocale l; // called for every row of a live chart: one locale, not one per call
    if (ms >= 60'000)
        return tr("%1 min %2 s").arg(int(ms / 60'000)).arg(l.toString(std::fmod(ms, 60'000) / 1000, 'f', 0));
    if (ms >= 1000)
        return tr("%1 s").arg(l.toString(ms / 1000, 'f', ms >= 10'000 ? 1 : 2));
    return tr("%1 ms").arg(l.toString(ms, 'f', ms >= 10 ? 0 : 1));
}

QString SummaryPanel::describeSettings(const RunSettings& s, int workers)
{
    QStringList parts { modeLabel(s.mode) };
    switch (s.mode) {
    case Mode::Sequential:
        break;
    case Mode::Threads:
        parts << (workers == 1 ? tr("1 thread") : tr("%1 threads").arg(workers));
        parts << (s.gil ? tr("GIL on, switch every %1 ms").arg(s.switchIntervalMs) : tr("GIL off"));
        break;
    case Mode::Coroutines:
        if (s.limit > 0)
            parts << tr("at most %1 in flight").arg(s.limit);
        if (s.offload)
            parts << tr("blocking calls offloaded");
        break;
    case Mode::Processes:
        parts << (workers == 1 ? tr("1 process") : tr("%1 processes").arg(workers))
              << QLatin1String(startMethodName(s.startMethod));
        break;
    }
    return parts.join(QStringLiteral(" · "));
}

void SummaryPanel::showIdle()
{
    m_summary.reset();
    m_message->setText(tr("Press Run (F5) to run the mix.\nWhat it measured appears here when it ends."));
    m_pages->setCurrentIndex(0);
}

void SummaryPanel::showRunning(const QString& what)
{
    m_summary.reset();
    m_message->setText(
        tr("Running: %1\nThe summary appears here when the run ends; Stop (Esc) ends it early.").arg(what));
    m_pages->setCurrentIndex(0);
}

void SummaryPanel::showLive(const TraceStore& store, const QString& what, double elapsedMs)
{
    m_summary.reset();
    const QLocale l;
    m_title->setText(tr("Running: %1").arg(what));
    m_wall->setText(tr("%1 so far").arg(formatDuration(elapsedMs)));
    // The utilization samples measure the run's CPU as it goes: CPU time and cores in use so far.
    double cpuNs = 0;
    double sampledNs = 0;
    for (const UtilSample& u : store.utilization()) {
        cpuNs += double(u.processCores) * double(u.intervalNs);
        sampledNs += double(u.intervalNs);
    }
    m_cpu->setText(formatDuration(cpuNs / 1e6));
    m_cores->setText(
        sampledNs > 0 ? tr("%1 of %2").arg(l.toString(cpuNs / sampledNs, 'f', 2)).arg(store.cores()) : tr("—"));
    m_speedup->setText(QStringLiteral("<span style='font-weight:normal; font-size:small; color:%1'>%2</span>")
                           .arg(themeColors(m_theme).mutedText.name(), tr("when the run ends")));
    m_events->setText(tr("%1 events so far").arg(l.toString(qulonglong(store.eventCount()))));
    QStringList warnings;
    if (store.droppedEvents() > 0)
        warnings << tr("%1 events were dropped (the recorder's buffers overflowed): the timeline has gaps.")
                        .arg(l.toString(qulonglong(store.droppedEvents())));
    showWarnings(warnings);

    std::vector<StateBarRow> rows;
    rows.reserve(size_t(store.taskCount()));
    for (int t = 0; t < store.taskCount(); ++t) {
        StateBarRow row;
        row.label = store.taskName(t);
        row.id = t;
        const auto ns = store.taskStateNs(t);
        for (int i = 0; i < kTimedStateCount; ++i)
            row.ms[size_t(i)] = double(ns[size_t(i)]) / 1e6;
        const TaskState state = store.taskState(t);
        row.failed = state == TaskState::Failed;
        row.trailing = row.failed ? tr("failed") : formatDuration(row.total());
        rows.push_back(std::move(row));
    }
    m_legend->setText(StateBarChart::legendHtml(rows, m_theme));
    m_chart->setRows(std::move(rows));
    m_pages->setCurrentIndex(1);
}

void SummaryPanel::showWarnings(const QStringList& warnings)
{
    const QString warn = errorTextColor(m_theme).name();
    m_warnings->setText(warnings.isEmpty()
            ? QString()
            : QStringLiteral("<span style='color:%1'>⚠ %2</span>").arg(warn, warnings.join(QStringLiteral("<br>⚠ "))));
    m_warnings->setVisible(!warnings.isEmpty());
}

void SummaryPanel::showSummary(const RunSummary& summary, std::optional<double> sequentialWallMs)
{
    m_summary = summary;
    m_sequentialMs = sequentialWallMs;
    rebuild();
    m_pages->setCurrentIndex(1);
}

void SummaryPanel::setTheme(Theme theme)
{
    m_theme = theme;
    m_chart->setTheme(theme);
    if (m_summary)
        rebuild();
}

void SummaryPanel::setSelectedTask(int task)
{
    m_chart->setSelectedId(task);
    if (task < 0 || !m_summary)
        return;
    // Bring the selected task's row into view.
    for (size_t i = 0; i < m_chart->rows().size(); ++i) {
        if (m_chart->rows()[i].id == task) {
            const int y = 6 + int(i) * m_chart->rowHeight();
            m_scroll->ensureVisible(0, y + m_chart->rowHeight() / 2, 0, m_chart->rowHeight());
            break;
        }
    }
}

QString SummaryPanel::figure(const QString& name) const
{
    if (const auto* label = findChild<QLabel*>(name))
        return label->text();
    return {};
}

void SummaryPanel::rebuild()
{
    const RunSummary& s = *m_summary;
    const QLocale l;
    m_title->setText(describeSettings(s.settings, s.workers));
    m_wall->setText(formatDuration(s.wallMs));
    m_cpu->setText(formatDuration(s.cpuMs));
    m_cores->setText(tr("%1 of %2").arg(l.toString(s.coresUsed(), 'f', 2)).arg(s.cores));

    if (s.settings.mode == Mode::Sequential) {
        m_speedup->setText(tr("1× (the baseline)"));
    } else if (m_sequentialMs && s.wallMs > 0) {
        m_speedup->setText(tr("%1× vs sequential").arg(l.toString(*m_sequentialMs / s.wallMs, 'f', 2)));
        m_speedup->setToolTip(
            tr("Sequential: %1; this run: %2").arg(formatDuration(*m_sequentialMs), formatDuration(s.wallMs)));
    } else {
        // Without a baseline there is no figure: say how to get one, in the caption's size and colour.
        m_speedup->setText(QStringLiteral("<span style='font-weight:normal; font-size:small; color:%1'>%2</span>")
                               .arg(themeColors(m_theme).mutedText.name(), tr("run it sequentially to compare")));
        m_speedup->setToolTip(tr("Run the same mix in sequential mode to compare against it."));
    }
    m_events->setText(tr("%1 events recorded").arg(l.toString(qulonglong(s.events))));

    QStringList warnings;
    if (!s.error.isEmpty())
        warnings << tr("The run could not run: %1").arg(s.error.toHtmlEscaped());
    if (s.stopped)
        warnings << tr("Stopped before every task finished; the figures cover the part that ran.");
    int failed = 0;
    for (const TaskSummary& t : s.tasks)
        failed += t.status == QLatin1String("failed");
    if (failed > 0)
        warnings << (failed == 1 ? tr("1 task failed; select it to see why.")
                                 : tr("%1 tasks failed; select one to see why.").arg(failed));
    if (s.droppedEvents > 0)
        warnings << tr("%1 events were dropped (the recorder's buffers overflowed): the timeline has gaps.")
                        .arg(l.toString(qulonglong(s.droppedEvents)));
    showWarnings(warnings);

    std::vector<StateBarRow> rows;
    rows.reserve(s.tasks.size());
    for (const TaskSummary& t : s.tasks) {
        StateBarRow row;
        row.label = t.name;
        row.id = t.id;
        row.ms = t.stateMs;
        if (t.status == QLatin1String("failed")) {
            row.trailing = tr("failed");
            row.failed = true;
        } else if (t.status == QLatin1String("stopped")) {
            row.trailing = tr("stopped");
        } else {
            row.trailing = formatDuration(row.total());
        }
        rows.push_back(std::move(row));
    }
    m_legend->setText(StateBarChart::legendHtml(rows, m_theme));
    m_chart->setRows(std::move(rows));
}

} // namespace taskline
