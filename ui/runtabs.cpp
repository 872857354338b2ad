#include "runtabs.h"

#include "rundocument.h"
#include "summarypanel.h"
#include "theme.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTabBar>
#include <QVBoxLayout>

namespace taskline {

namespace {

// One line of plain text that ends in "…" when the tab area is narrower than it, rather than being cut off.
class ElidedLabel : public QLabel
{
public:
    void setFullText(const QString& text)
    {
        m_full = text;
        updateText();
    }
    QString fullText() const { return m_full; }

protected:
    void resizeEvent(QResizeEvent* event) override
    {
        QLabel::resizeEvent(event);
        updateText();
    }

private:
    void updateText() { setText(fontMetrics().elidedText(m_full, Qt::ElideRight, std::max(0, width()))); }

    QString m_full;
};

} // namespace

RunTabs::RunTabs(QWidget* parent)
    : QWidget(parent)
    , m_runs { nullptr }
{
    setObjectName(QStringLiteral("runTabs"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 2, 0, 0);
    layout->setSpacing(0);
    m_tabs = new QTabBar;
    m_tabs->setObjectName(QStringLiteral("runTabBar"));
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(false);
    m_tabs->setExpanding(false);
    m_tabs->setDocumentMode(true);
    m_tabs->setElideMode(Qt::ElideMiddle);
    m_tabs->setUsesScrollButtons(true);
    m_tabs->addTab(tr("Live run"));
    m_tabs->setTabToolTip(0, tr("The runs you start in this window"));
    // The live tab stays: no close button on it.
    m_tabs->setTabButton(0, QTabBar::RightSide, nullptr);
    m_tabs->setTabButton(0, QTabBar::LeftSide, nullptr);
    layout->addWidget(m_tabs);

    m_info = new QWidget;
    m_info->setObjectName(QStringLiteral("runInfo"));
    auto* info = new QHBoxLayout(m_info);
    info->setContentsMargins(8, 4, 8, 4);
    auto* caption = new QLabel(tr("Saved run"));
    QFont bold = caption->font();
    bold.setBold(true);
    caption->setFont(bold);
    info->addWidget(caption);
    m_infoText = new ElidedLabel;
    m_infoText->setObjectName(QStringLiteral("runInfoText"));
    m_infoText->setTextFormat(Qt::PlainText);
    m_infoText->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // a long path must not widen the window
    info->addWidget(m_infoText, 1);
    m_loadMix = new QPushButton(tr("Open Its Mix in the Editor"));
    m_loadMix->setObjectName(QStringLiteral("loadRunMix"));
    m_loadMix->setToolTip(tr("Put the mix and settings this run used into the editor, to run it again or change it"));
    info->addWidget(m_loadMix);
    layout->addWidget(m_info);

    connect(m_tabs, &QTabBar::currentChanged, this, [this](int index) {
        updateInfo();
        emit currentChanged(index);
    });
    connect(m_tabs, &QTabBar::tabCloseRequested, this, &RunTabs::closeRequested);
    connect(m_loadMix, &QPushButton::clicked, this, [this] { emit loadMixRequested(currentIndex()); });
    setVisible(false);
    updateInfo();
}

int RunTabs::addRun(std::shared_ptr<RunDocument> run, bool makeCurrent)
{
    m_runs.push_back(std::move(run));
    const int index = int(m_runs.size()) - 1;
    m_tabs->addTab(QString());
    refreshTitle(index);
    setVisible(true);
    if (makeCurrent)
        m_tabs->setCurrentIndex(index);
    else
        m_tabs->setTabEnabled(index, false); // a run goes on in the live tab: the new tab opens after it
    return index;
}

void RunTabs::refreshTitle(int index)
{
    if (index < 1 || index >= int(m_runs.size()))
        return;
    const RunDocument& run = *m_runs[size_t(index)];
    m_tabs->setTabText(index, run.shortTitle());
    QStringList tip { QStringLiteral("<b>%1</b>").arg(run.title().toHtmlEscaped()) };
    tip << SummaryPanel::describeSettings(run.settings(), run.summary().workers).toHtmlEscaped();
    if (run.recordedAt().isValid())
        tip << tr("recorded %1").arg(QLocale().toString(run.recordedAt(), QLocale::ShortFormat));
    if (!run.filePath().isEmpty())
        tip << run.filePath().toHtmlEscaped();
    m_tabs->setTabToolTip(index, tip.join(QStringLiteral("<br>")));
    if (index == currentIndex())
        updateInfo();
}

void RunTabs::removeRun(int index)
{
    if (index < 1 || index >= int(m_runs.size()))
        return;
    m_runs.erase(m_runs.begin() + index);
    m_tabs->removeTab(index);
    setVisible(m_runs.size() > 1);
    updateInfo();
}

std::shared_ptr<RunDocument> RunTabs::run(int index) const
{
    return index >= 0 && index < int(m_runs.size()) ? m_runs[size_t(index)] : nullptr;
}

int RunTabs::indexOf(const RunDocument* run) const
{
    for (size_t i = 1; i < m_runs.size(); ++i)
        if (m_runs[i].get() == run)
            return int(i);
    return -1;
}

int RunTabs::count() const
{
    return int(m_runs.size());
}

int RunTabs::currentIndex() const
{
    return std::max(0, m_tabs->currentIndex());
}

void RunTabs::setCurrentIndex(int index)
{
    m_tabs->setCurrentIndex(index);
}

std::vector<std::shared_ptr<RunDocument>> RunTabs::openedRuns() const
{
    return { m_runs.begin() + 1, m_runs.end() };
}

void RunTabs::setLiveTitle(const QString& title, const QString& toolTip)
{
    m_tabs->setTabText(0, title);
    if (!toolTip.isEmpty())
        m_tabs->setTabToolTip(0, toolTip);
}

void RunTabs::setSwitchingEnabled(bool enabled)
{
    for (int i = 1; i < m_tabs->count(); ++i)
        m_tabs->setTabEnabled(i, enabled);
}

QString RunTabs::infoText() const
{
    return m_info->isVisibleTo(this) ? static_cast<ElidedLabel*>(m_infoText)->fullText() : QString();
}

void RunTabs::updateInfo()
{
    const std::shared_ptr<RunDocument> shown = run(currentIndex());
    m_info->setVisible(shown != nullptr);
    if (!shown)
        return;
    const RunDocument& r = *shown;
    QStringList parts;
    parts << tr("“%1”").arg(r.result().mixName);
    parts << SummaryPanel::describeSettings(r.settings(), r.summary().workers);
    if (r.recordedAt().isValid())
        parts << tr("recorded %1").arg(QLocale().toString(r.recordedAt(), QLocale::ShortFormat));
    QString by = r.savedBy();
    // "taskline on HOST (SYSTEM)": the host is what tells runs apart; the system is in the tooltip.
    if (by.startsWith(QLatin1String("taskline on ")))
        by = by.mid(12);
    if (const qsizetype paren = by.indexOf(QLatin1String(" (")); paren > 0)
        by = by.left(paren);
    if (!by.isEmpty())
        parts << tr("on %1").arg(by);
    if (!r.filePath().isEmpty())
        parts << QFileInfo(r.filePath()).fileName();
    static_cast<ElidedLabel*>(m_infoText)->setFullText(parts.join(QStringLiteral(" · ")));
    QStringList tip;
    if (!r.filePath().isEmpty())
        tip << r.filePath();
    if (!r.savedBy().isEmpty())
        tip << tr("Saved by %1").arg(r.savedBy());
    m_infoText->setToolTip(tip.join(QLatin1Char('\n')));
}

} // namespace taskline
