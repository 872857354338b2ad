#pragma once

#include "traceclip.h"

#include <QElapsedTimer>
#include <QObject>
#include <array>
#include <cstdint>

class QTimer;

namespace taskline {

class TraceStore;

// Plays a finished run back: a play head that moves through the run's time at a chosen fraction of real time
// (0.05× makes 1 ms of the run last 20 ms), can be paused, stepped and dragged, and the run's trace as it stood at
// the play head (TraceClip) for the views. A QTimer at ≤ 60 Hz moves the play head by the wall time since play
// began × the speed (no drift from late frames). At the run's end the play head rests and the whole run shows.
// Never changes the run's store.
// Thread: GUI only.
class ReplayController : public QObject
{
    Q_OBJECT
public:
    static constexpr int kFrameMs = 17; // ≤ 60 Hz (59)
    static constexpr std::array<double, 5> kSpeeds { 0.05, 0.1, 0.25, 0.5, 1.0 };
    enum class StepSize
    {
        OneMs,
        TenMs,
        OneEvent, // to the next (previous) moment something changed
    };

    explicit ReplayController(QObject* parent = nullptr);

    // The run to play (not owned; nullptr: none). The play head starts at the end: the whole run shows.
    void setRun(const TraceStore* full);
    const TraceStore* run() const { return m_clip.source(); }
    int64_t endNs() const;
    int64_t position() const { return m_clip.position(); }
    bool isAtEnd() const { return !run() || position() >= endNs(); }
    bool isPlaying() const { return m_playing; }
    // The run up to the play head.
    const TraceClip& clip() const { return m_clip; }

    double speed() const { return m_speed; }
    void setSpeed(double speed); // clamped to [0.05, 1]
    StepSize stepSize() const { return m_step; }
    void setStepSize(StepSize step) { m_step = step; }

    // Playing from the end starts again at 0.
    void play();
    void pause();
    void togglePlay();
    void seek(int64_t ns);
    void stepForward();
    void stepBack();
    void toStart();
    void toEnd();

signals:
    void positionChanged(qint64 ns);
    void playingChanged(bool playing);

private:
    void tick();
    void moveTo(int64_t ns);
    int64_t stepTarget(int direction) const;

    TraceClip m_clip;
    QTimer* m_timer;
    QElapsedTimer m_wall; // since m_anchorNs
    int64_t m_anchorNs = 0; // the play head when play (or the last speed change) began
    double m_speed = 0.25;
    StepSize m_step = StepSize::OneMs;
    bool m_playing = false;
};

} // namespace taskline
