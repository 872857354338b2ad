// MainWindow: Run → Compare All (the comparison window), File → Export Image… and Edit → Copy Image.

#include "compareview.h"
#include "exportdialog.h"
#include "imageexport.h"
#include "mainwindow.h"
#include "mixdocument.h"
#include "mixformat.h"
#include "runcontroller.h"
#include "rundocument.h"
#include "runpanel.h"
#include "runtabs.h"
#include "timelinepicture.h"

#include <QAction>
#include <QRegularExpression>
#include <QStatusBar>

namespace taskline {

namespace {

// "Fetch pages and scan them for <meta> tags" → "fetch-pages-and-scan-them-for-meta-tags"
QString fileStem(const QString& name)
{
    QString stem = name.toLower();
    stem.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
    stem = stem.left(48);
    while (stem.endsWith(QLatin1Char('-')))
        stem.chop(1);
    while (stem.startsWith(QLatin1Char('-')))
        stem.remove(0, 1);
    return QStringLiteral("taskline-") + (stem.isEmpty() ? QStringLiteral("run") : stem);
}

} // namespace

void MainWindow::createCompareActions()
{
    QAction* a = makeAction(QStringLiteral("compareAll"), tr("&Compare All Modes"));
    a->setShortcuts({ QKeySequence(Qt::Key_F6), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R) });
    a->setToolTip(tr("Run the mix under every mode, one after another, and compare them on one time axis (F6)"));
    connect(a, &QAction::triggered, this, &MainWindow::compareAll);
    a = makeAction(QStringLiteral("compareOpenRuns"), tr("Compare &Open Runs"));
    a->setToolTip(tr("Stack the saved runs open in tabs on one time axis, with their chart and explanations"));
    connect(a, &QAction::triggered, this, &MainWindow::compareOpenRuns);
    a = makeAction(QStringLiteral("exportImage"), tr("&Export Image…"));
    a->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    a->setToolTip(tr("Save the timeline or the comparison as a PNG or SVG picture for slides"));
    connect(a, &QAction::triggered, this, &MainWindow::exportImage);
    a = makeAction(QStringLiteral("copyImage"), tr("Copy &Image"));
    a->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    a->setToolTip(tr("Copy the last run's timeline as a 1600 × 900 picture"));
    connect(a, &QAction::triggered, this, &MainWindow::copyImage);
}

void MainWindow::ensureCompareView()
{
    if (m_compareView)
        return;
    m_compareView = new CompareView(this);
    m_compareView->setWindowFlag(Qt::Window);
    m_compareView->resize(std::max(900, width() * 9 / 10), std::max(640, height() * 9 / 10));
    m_compareView->setTheme(m_theme);
    connect(m_compareView, &CompareView::runningChanged, this, [this] { updateActions(); });
    connect(m_compareView, &CompareView::exportRequested, this, [this] {
        exportImage();
        const int compare = m_exportDialog ? m_exportDialog->property("compareSource").toInt() : -1;
        if (compare >= 0)
            m_exportDialog->setCurrentSource(compare);
    });
    connect(m_compareView, &CompareView::imageCopied, this,
        [this] { statusBar()->showMessage(tr("The comparison is on the clipboard."), 4000); });
}

void MainWindow::compareOpenRuns()
{
    // The saved runs opened in tabs, stacked on one time axis with their chart and explanations, as Compare All.
    std::vector<std::shared_ptr<RunDocument>> runs = m_runTabs->openedRuns();
    if (runs.empty()) {
        showError(tr("Nothing to compare"), tr("Open saved runs (File → Open…) to compare them."));
        return;
    }
    if (isComparing())
        return;
    ensureCompareView();
    m_compareView->clear();
    for (const auto& run : runs)
        m_compareView->addRun(run->mix(), run->result(), run->sharedStore());
    m_compareView->setWindowTitle(tr("Compare — %n saved run(s)", nullptr, int(runs.size())));
    m_compareView->show();
    m_compareView->raise();
    m_compareView->activateWindow();
}

bool MainWindow::isComparing() const
{
    return m_compareView && m_compareView->isRunning();
}

void MainWindow::compareAll()
{
    if (m_controller->isRunning() || isComparing())
        return;
    const Mix& mix = m_doc->mix();
    const MixError invalid = validateMix(mix);
    if (!invalid.isEmpty()) {
        showError(tr("Cannot compare the mix"), invalid.toString());
        return;
    }
    ensureCompareView();
    m_compareView->setWindowTitle(tr("Compare — %1").arg(mix.name));
    QString error;
    if (!m_compareView->startCompare(mix, m_runPanel->settings(), &error)) {
        showError(tr("Cannot compare the mix"), error);
        return;
    }
    m_compareView->show();
    m_compareView->raise();
    m_compareView->activateWindow();
    updateActions();
}

std::unique_ptr<Picture> MainWindow::timelinePicture() const
{
    if (!m_lastSummary)
        return nullptr;
    return std::make_unique<TimelinePicture>(m_lastSummary->mix, *m_lastSummary, &m_store);
}

void MainWindow::exportImage()
{
    std::vector<ExportDialog::Source> sources;
    if (m_lastSummary) {
        sources.push_back({ tr("Timeline of the last run (%1)").arg(modeLabel(m_lastSummary->settings.mode)),
            fileStem(m_lastSummary->mix) + QLatin1Char('-') + QLatin1String(modeName(m_lastSummary->settings.mode)),
            [this] { return timelinePicture(); } });
    }
    int compareSource = -1;
    if (m_compareView && !m_compareView->picture().isEmpty() && !m_compareView->isRunning()) {
        compareSource = int(sources.size());
        const ComparePicture* picture = &m_compareView->picture();
        sources.push_back({ tr("Comparison of the modes"), fileStem(picture->mixName()) + QStringLiteral("-compare"),
            // A copy, so that the dialog's picture stays valid whatever the compare window does next.
            [picture] {
                auto copy = std::make_unique<ComparePicture>();
                copy->setMixName(picture->mixName());
                for (const ComparePicture::Entry& e : picture->entries())
                    if (!e.live)
                        copy->addRun(e.summary, e.store);
                copy->setTimeWindow(picture->windowStartNs(), picture->windowEndNs()); // as zoomed on screen
                return std::unique_ptr<Picture>(std::move(copy));
            } });
    }
    if (sources.empty()) {
        showError(tr("Nothing to export yet"), tr("Run the mix (F5) or compare all modes (F6) first."));
        return;
    }
    if (!m_exportDialog) {
        m_exportDialog = new ExportDialog(this);
        connect(m_exportDialog, &QDialog::accepted, this,
            [this] { statusBar()->showMessage(tr("Saved %1").arg(m_exportDialog->filePath()), 6000); });
    }
    ImageOptions o = m_exportDialog->options();
    o.style.laneMode = m_traceView->laneMode();
    m_exportDialog->setOptions(o);
    m_exportDialog->setProperty("compareSource", compareSource);
    // The comparison when it is the newer thing on screen (the compare window is in front), else the timeline.
    const bool compareFirst = compareSource >= 0 && m_compareView->isActiveWindow();
    m_exportDialog->setSources(std::move(sources), compareFirst ? compareSource : 0);
    m_exportDialog->open();
}

void MainWindow::copyImage()
{
    const std::unique_ptr<Picture> picture = timelinePicture();
    if (!picture) {
        statusBar()->showMessage(tr("Nothing to copy yet: run the mix first."), 4000);
        return;
    }
    ImageOptions o;
    o.style.theme = m_theme;
    o.style.laneMode = m_traceView->laneMode();
    ImageExport::copyToClipboard(*picture, o);
    statusBar()->showMessage(tr("The timeline is on the clipboard (1600 × 900)."), 4000);
}

} // namespace taskline
