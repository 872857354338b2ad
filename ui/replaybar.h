#pragma once

#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QSlider;

namespace taskline {

class ReplayController;

// The strip under the timeline that plays a finished run back: to the start, a step back, play/pause, a step
// forward, to the end; a slider over the run's time, the play head's time, the speed (0.05× to 1×) and the step (1
// ms, 10 ms, one event). Its actions carry the keys (Space, Left, Right, Home, End); the window adds them where they
// apply (the timeline and this bar) and to its Run menu. Nothing on the bar takes the keyboard focus, so that after
// a click the keys still go to the timeline.
// Thread: GUI only.
class ReplayBar : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kSliderSteps = 10'000;

    explicit ReplayBar(ReplayController* controller, QWidget* parent = nullptr);

    // "replayPlay", "replayStepBack", "replayStepForward", "replayToStart", "replayToEnd"
    QList<QAction*> replayActions() const;
    QSlider* slider() const { return m_slider; }
    QComboBox* speedBox() const { return m_speed; }
    QComboBox* stepBox() const { return m_step; }
    QString timeText() const;

private:
    void updatePosition();
    void updatePlaying(bool playing);

    ReplayController* m_controller;
    QAction* m_play;
    QAction* m_back;
    QAction* m_forward;
    QAction* m_start;
    QAction* m_end;
    QSlider* m_slider;
    QLabel* m_time;
    QComboBox* m_speed;
    QComboBox* m_step;
    bool m_resumeAfterDrag = false;
};

} // namespace taskline
