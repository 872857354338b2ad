#include "replaybar.h"

#include "icons.h"
#include "replaycontroller.h"
#include "timescale.h"

#include <QAction>
#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSlider>
#include <QToolButton>

namespace taskline {

namespace {

QString speedText(double speed)
{
    return QLocale().toString(speed, 'g', 3) + QStringLiteral("×");
}

} // namespace

ReplayBar::ReplayBar(ReplayController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller)
{
    setObjectName(QStringLiteral("replayBar"));
    auto action = [this](const QString& name, const QString& text, const QString& icon, const QKeySequence& key,
                      const QString& tip) {
        auto* a = new QAction(text, this);
        a->setObjectName(name);
        a->setProperty("iconName", icon);
        a->setIcon(themedIcon(icon));
        a->setShortcut(key);
        // Only where the replay is: elsewhere these keys belong to text fields, tables and lists.
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        a->setToolTip(QStringLiteral("%1 (%2)").arg(tip, key.toString(QKeySequence::NativeText)));
        return a;
    };
    m_start = action(QStringLiteral("replayToStart"), tr("Replay: To the &Start"), QStringLiteral("to-start"),
        QKeySequence(Qt::Key_Home), tr("To the start of the run"));
    m_back = action(QStringLiteral("replayStepBack"), tr("Replay: Step &Back"), QStringLiteral("step-back"),
        QKeySequence(Qt::Key_Left), tr("One step back"));
    m_play = action(QStringLiteral("replayPlay"), tr("Replay: &Play"), QStringLiteral("play"),
        QKeySequence(Qt::Key_Space), tr("Play the run back at the chosen speed"));
    m_forward = action(QStringLiteral("replayStepForward"), tr("Replay: Step &Forward"), QStringLiteral("step-forward"),
        QKeySequence(Qt::Key_Right), tr("One step forward"));
    m_end = action(QStringLiteral("replayToEnd"), tr("Replay: To the &End"), QStringLiteral("to-end"),
        QKeySequence(Qt::Key_End), tr("To the end: the whole run"));
    connect(m_start, &QAction::triggered, controller, &ReplayController::toStart);
    connect(m_back, &QAction::triggered, controller, &ReplayController::stepBack);
    connect(m_play, &QAction::triggered, controller, &ReplayController::togglePlay);
    connect(m_forward, &QAction::triggered, controller, &ReplayController::stepForward);
    connect(m_end, &QAction::triggered, controller, &ReplayController::toEnd);
    addActions(replayActions());

    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(6, 3, 8, 3);
    row->setSpacing(2);
    auto* caption = new QLabel(tr("Replay"));
    QFont bold = caption->font();
    bold.setBold(true);
    caption->setFont(bold);
    row->addWidget(caption);
    row->addSpacing(6);
    for (QAction* a : { m_start, m_back, m_play, m_forward, m_end }) {
        auto* b = new QToolButton;
        b->setDefaultAction(a);
        b->setAutoRaise(true);
        b->setIconSize(QSize(20, 20));
        b->setObjectName(a->objectName() + QStringLiteral("Button"));
        b->setFocusPolicy(Qt::NoFocus); // the keys stay with the timeline
        row->addWidget(b);
    }
    row->addSpacing(8);

    m_slider = new QSlider(Qt::Horizontal);
    m_slider->setObjectName(QStringLiteral("replaySlider"));
    m_slider->setRange(0, kSliderSteps);
    m_slider->setSingleStep(10);
    m_slider->setPageStep(kSliderSteps / 20);
    m_slider->setToolTip(tr("Drag to move the play head through the run"));
    m_slider->setFocusPolicy(Qt::NoFocus); // the keys step the replay; the slider is for the mouse
    row->addWidget(m_slider, 1);
    row->addSpacing(10);

    m_time = new QLabel;
    m_time->setObjectName(QStringLiteral("replayTime"));
    // Digits of one width: the label does not jitter while the play head moves.
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(font().pointSizeF());
    m_time->setFont(mono);
    m_time->setToolTip(tr("The play head's time, of the run's wall time"));
    row->addWidget(m_time);
    row->addSpacing(14);

    auto* speedLabel = new QLabel(tr("Speed"));
    row->addWidget(speedLabel);
    row->addSpacing(4);
    m_speed = new QComboBox;
    m_speed->setObjectName(QStringLiteral("replaySpeed"));
    m_speed->setFocusPolicy(Qt::NoFocus);
    m_speed->setToolTip(tr("How fast the run plays back: 0.05× makes 1 ms of the run last 20 ms"));
    for (double s : ReplayController::kSpeeds)
        m_speed->addItem(speedText(s), s);
    speedLabel->setBuddy(m_speed);
    row->addWidget(m_speed);
    row->addSpacing(10);
    auto* stepLabel = new QLabel(tr("Step"));
    row->addWidget(stepLabel);
    row->addSpacing(4);
    m_step = new QComboBox;
    m_step->setObjectName(QStringLiteral("replayStep"));
    m_step->setFocusPolicy(Qt::NoFocus);
    m_step->setToolTip(tr("How far Step Back and Step Forward (← →) move the play head"));
    m_step->addItem(tr("1 ms"), int(ReplayController::StepSize::OneMs));
    m_step->addItem(tr("10 ms"), int(ReplayController::StepSize::TenMs));
    m_step->addItem(tr("one event"), int(ReplayController::StepSize::OneEvent));
    stepLabel->setBuddy(m_step);
    row->addWidget(m_step);

    connect(m_speed, &QComboBox::currentIndexChanged, this,
        [this](int i) { m_controller->setSpeed(m_speed->itemData(i).toDouble()); });
    connect(m_step, &QComboBox::currentIndexChanged, this,
        [this](int i) { m_controller->setStepSize(ReplayController::StepSize(m_step->itemData(i).toInt())); });
    // Dragging pauses; letting go goes on playing if it played before.
    connect(m_slider, &QSlider::sliderPressed, this, [this] {
        m_resumeAfterDrag = m_controller->isPlaying();
        m_controller->pause();
    });
    connect(m_slider, &QSlider::sliderReleased, this, [this] {
        if (m_resumeAfterDrag && !m_controller->isAtEnd())
            m_controller->play();
        m_resumeAfterDrag = false;
    });
    connect(m_slider, &QSlider::valueChanged, this,
        [this](int value) { m_controller->seek(int64_t(double(m_controller->endNs()) * value / kSliderSteps)); });
    connect(controller, &ReplayController::positionChanged, this, &ReplayBar::updatePosition);
    connect(controller, &ReplayController::playingChanged, this, &ReplayBar::updatePlaying);

    const int speedIndex = m_speed->findData(controller->speed());
    m_speed->setCurrentIndex(speedIndex >= 0 ? speedIndex : 2);
    m_step->setCurrentIndex(m_step->findData(int(controller->stepSize())));
    updatePlaying(controller->isPlaying());
    updatePosition();
}

QList<QAction*> ReplayBar::replayActions() const
{
    return { m_start, m_back, m_play, m_forward, m_end };
}

QString ReplayBar::timeText() const
{
    return m_time->text();
}

void ReplayBar::updatePosition()
{
    const int64_t end = m_controller->endNs();
    const int64_t at = m_controller->position();
    const bool any = m_controller->run() != nullptr;
    {
        const QSignalBlocker block(m_slider);
        m_slider->setValue(end > 0 ? int(std::llround(double(at) / double(end) * kSliderSteps)) : kSliderSteps);
    }
    m_slider->setEnabled(any);
    m_time->setText(any
            ? QStringLiteral("%1 / %2").arg(TimeScale::formatTime(double(at)), TimeScale::formatTime(double(end)))
            : QString());
    m_start->setEnabled(any && at > 0);
    m_back->setEnabled(any && at > 0);
    m_forward->setEnabled(any && at < end);
    m_end->setEnabled(any && at < end);
    m_play->setEnabled(any);
}

void ReplayBar::updatePlaying(bool playing)
{
    const QString icon = playing ? QStringLiteral("pause") : QStringLiteral("play");
    m_play->setProperty("iconName", icon);
    m_play->setIcon(themedIcon(icon));
    m_play->setText(playing ? tr("Replay: &Pause") : tr("Replay: &Play"));
    m_play->setToolTip(playing ? tr("Pause (Space)") : tr("Play the run back at the chosen speed (Space)"));
}

} // namespace taskline
