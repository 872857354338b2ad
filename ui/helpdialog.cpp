#include "helpdialog.h"

#include "mixformat.h"

#include <QDialogButtonBox>
#include <QFrame>
#include <QGridLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace taskline {

namespace {

struct Point
{
    const char* title;
    const char* text;
    QStringList presets;
};

} // namespace

HelpDialog::HelpDialog(QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Which model should I use?"));
    setObjectName(QStringLiteral("helpDialog"));
    resize(720, 760);

    const std::vector<Point> points = {
        { QT_TR_NOOP("First ask: do your tasks wait, or work?"),
            QT_TR_NOOP("A task that <b>waits</b> (for a web page, a disk, a timer) leaves the CPU idle; a task that "
                       "<b>works</b> (parses, hashes, searches) keeps a core busy. Concurrency lets waits overlap; "
                       "only parallelism, on several cores at once, speeds up work. Watch the per-core "
                       "utilization under the timeline to tell which you have."),
            {} },
        { QT_TR_NOOP("Waiting: threads or coroutines"),
            QT_TR_NOOP("While a thread waits for I/O it gives up the GIL, and while a coroutine waits at "
                       "<tt>await</tt> the event loop runs another one, so eight 200 ms fetches take about 200 ms "
                       "instead of 1.6 s. Processes work too, but only as many at a time as the pool has workers."),
            { QStringLiteral("io-bound") } },
        { QT_TR_NOOP("Thousands of waits: coroutines"),
            QT_TR_NOOP("A thread costs a stack and a start-up; a coroutine is a small object on one event loop, so "
                       "ten thousand waiting tasks are cheap and finish in the time of one wait."),
            { QStringLiteral("many-sleeps") } },
        { QT_TR_NOOP("A coroutine must never block"),
            QT_TR_NOOP("Coroutines take turns only at <tt>await</tt>. One that computes, or that calls a blocking "
                       "client (urllib instead of aiohttp), stalls every other one until it returns: their fetches "
                       "are not even sent. <tt>asyncio.to_thread</tt> (“Offload” in the run panel) moves such work "
                       "to threads and frees the loop."),
            { QStringLiteral("blocking-client"), QStringLiteral("offload"), QStringLiteral("fetch-and-scan") } },
        { QT_TR_NOOP("Working: processes"),
            QT_TR_NOOP("In CPython only the thread holding the GIL runs Python code, so eight computing threads "
                       "take as long as one loop. Worker processes each have their own interpreter and GIL and "
                       "use every core. They cost something: starting the workers (reuse the pool) and copying "
                       "every argument and result to and from them."),
            { QStringLiteral("cpu-bound") } },
        { QT_TR_NOOP("Both: fetch, then compute"),
            QT_TR_NOOP("Threads overlap the fetches but the computing still takes turns on the GIL; processes do "
                       "both in parallel, up to the number of workers. Compare the modes on these mixes."),
            { QStringLiteral("mixed"), QStringLiteral("fetch-and-scan") } },
        { QT_TR_NOOP("The GIL's surprises"),
            QT_TR_NOOP("A thread that wakes up must wait for the GIL, up to one switch interval (5 ms), behind a "
                       "busy thread: short waits stretch (the convoy effect). One long C call that keeps the GIL "
                       "cannot be interrupted at all. C code that releases it (hashlib on large data, numpy) runs "
                       "in parallel even in threads."),
            { QStringLiteral("convoy"), QStringLiteral("long-c-call"), QStringLiteral("releases-gil") } },
        { QT_TR_NOOP("Free-threaded Python"),
            QT_TR_NOOP("CPython 3.13t and 3.14 can run without the GIL: then threads run Python code on every core, "
                       "like processes but without the copying. Untick “Emulate CPython's GIL” in the run panel "
                       "and run a CPU-bound mix again."),
            { QStringLiteral("cpu-bound") } },
    };

    const QStringList available = presetNames();
    auto* content = new QWidget;
    auto* column = new QVBoxLayout(content);
    column->setSpacing(6);
    auto* intro = new QLabel(tr("The rule of thumb: <b>long CPU-bound work → processes; waiting on the outside "
                                "world → threads or coroutines; thousands of waits → coroutines.</b> Each point "
                                "below opens a mix that shows it; press Run and look."));
    intro->setWordWrap(true);
    column->addWidget(intro);
    for (const Point& point : points) {
        auto* line = new QFrame;
        line->setFrameShape(QFrame::HLine);
        line->setFrameShadow(QFrame::Sunken);
        column->addWidget(line);
        auto* title = new QLabel(QStringLiteral("<b>%1</b>").arg(tr(point.title)));
        column->addWidget(title);
        auto* text = new QLabel(tr(point.text));
        text->setWordWrap(true);
        text->setTextFormat(Qt::RichText);
        column->addWidget(text);
        // Two buttons a row: the text wraps to the dialog's width, never wider.
        auto* buttons = new QGridLayout;
        buttons->setHorizontalSpacing(8);
        int added = 0;
        for (const QString& preset : point.presets) {
            if (!available.contains(preset))
                continue; // a later build's preset: leave the point without its button
            Mix mix;
            MixError error;
            const QString label = loadMix(QStringLiteral("preset:") + preset, &mix, &error) ? mix.name : preset;
            // Two buttons must fit side by side in the dialog: a long mix name is shortened, in full in the tooltip.
            const QString text = tr("Open “%1”").arg(label);
            auto* button = new QPushButton;
            button->setText(button->fontMetrics().elidedText(text, Qt::ElideMiddle, 290));
            button->setObjectName(QStringLiteral("open-") + preset);
            button->setToolTip(
                QStringLiteral("<b>%1</b><br>%2").arg(mix.name.toHtmlEscaped(), mix.description.toHtmlEscaped()));
            connect(button, &QPushButton::clicked, this, [this, preset] { emit presetRequested(preset); });
            buttons->addWidget(button, added / 2, added % 2);
            if (!m_offered.contains(preset))
                m_offered << preset;
            ++added;
        }
        if (added > 0) {
            buttons->setColumnStretch(2, 1);
            column->addLayout(buttons);
        } else {
            delete buttons; // never given to a parent layout
        }
    }
    column->addStretch(1);

    auto* scroll = new QScrollArea;
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(scroll, 1);
    auto* box = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(box, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(box);
}

} // namespace taskline
