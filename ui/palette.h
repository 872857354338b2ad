#pragma once

#include "event.h"

#include <QColor>
#include <QString>

namespace taskline {

enum class Theme
{
    Light,
    Dark,
};

// One colour per task state, the same in every view, legend and export. Okabe–Ito, a palette that stays
// distinguishable with the common colour-vision deficiencies:
//   running green, waiting_gil vermillion (the GIL is in the way), ready orange (the loop is busy), blocked_io blue,
//   sleeping sky blue, spawning reddish purple, serializing yellow, queued grey; done black, failed vermillion.
QColor stateColor(TaskState s, Theme theme = Theme::Light);
// Text drawn on top of a state's colour.
QColor stateTextColor(TaskState s, Theme theme = Theme::Light);

struct ThemeColors
{
    QColor background;
    QColor laneAlternate; // every other lane
    QColor text;
    QColor mutedText;
    QColor grid;
    QColor gil; // the GIL lane's holder blocks use the holder's running colour; this is its idle colour
    QColor selection;
    QColor utilization; // per-core busy fill
    QColor processUtilization; // the run's own CPU line
};
const ThemeColors& themeColors(Theme theme);

} // namespace taskline
