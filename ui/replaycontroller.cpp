#include "replaycontroller.h"

#include "tracestore.h"

#include <QTimer>
#include <algorithm>

namespace taskline {

ReplayController::ReplayController(QObject* parent)
    : QObject(parent)
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(kFrameMs);
    m_timer->setTimerType(Qt::PreciseTimer);
    connect(m_timer, &QTimer::timeout, this, &ReplayController::tick);
}

void ReplayController::setRun(const TraceStore* full)
{
    pause();
    m_clip.setSource(full);
    if (full)
        m_clip.seek(full->endNs());
    emit positionChanged(position());
}

int64_t ReplayController::endNs() const
{
    return run() ? run()->endNs() : 0;
}

void ReplayController::setSpeed(double speed)
{
    speed = std::clamp(speed, kSpeeds.front(), kSpeeds.back());
    if (m_playing) {
        // Go on from where the play head is, at the new pace.
        m_anchorNs = position();
        m_wall.start();
    }
    m_speed = speed;
}

void ReplayController::play()
{
    if (!run() || m_playing)
        return;
    if (isAtEnd())
        moveTo(0);
    m_playing = true;
    m_anchorNs = position();
    m_wall.start();
    m_timer->start();
    emit playingChanged(true);
}

void ReplayController::pause()
{
    if (!m_playing)
        return;
    m_playing = false;
    m_timer->stop();
    emit playingChanged(false);
}

void ReplayController::togglePlay()
{
    m_playing ? pause() : play();
}

void ReplayController::tick()
{
    if (!m_playing)
        return;
    const int64_t target = m_anchorNs + int64_t(double(m_wall.nsecsElapsed()) * m_speed);
    moveTo(std::min(target, endNs()));
    if (isAtEnd())
        pause();
}

void ReplayController::moveTo(int64_t ns)
{
    ns = std::clamp<int64_t>(ns, 0, endNs());
    if (ns == position())
        return;
    m_clip.seek(ns);
    emit positionChanged(position());
}

void ReplayController::seek(int64_t ns)
{
    moveTo(ns);
    if (m_playing) {
        m_anchorNs = position();
        m_wall.start();
        if (isAtEnd())
            pause();
    }
}

int64_t ReplayController::stepTarget(int direction) const
{
    const int64_t at = position();
    switch (m_step) {
    case StepSize::OneMs:
        return at + direction * 1'000'000;
    case StepSize::TenMs:
        return at + direction * 10'000'000;
    case StepSize::OneEvent:
        break;
    }
    // The next (previous) time an event happened: ties at one moment are one step.
    const std::vector<Event>& events = run()->events();
    if (direction > 0) {
        const auto next = std::upper_bound(
            events.begin(), events.end(), at, [](int64_t t, const Event& e) { return t < e.timeNs; });
        return next == events.end() ? endNs() : next->timeNs;
    }
    const auto first
        = std::lower_bound(events.begin(), events.end(), at, [](const Event& e, int64_t t) { return e.timeNs < t; });
    return first == events.begin() ? 0 : std::prev(first)->timeNs;
}

void ReplayController::stepForward()
{
    if (!run())
        return;
    pause();
    moveTo(stepTarget(+1));
}

void ReplayController::stepBack()
{
    if (!run())
        return;
    pause();
    moveTo(stepTarget(-1));
}

void ReplayController::toStart()
{
    seek(0);
}

void ReplayController::toEnd()
{
    pause();
    moveTo(endNs());
}

} // namespace taskline
