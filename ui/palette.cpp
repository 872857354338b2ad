#include "palette.h"

namespace taskline {

namespace {

// Okabe & Ito (2008), "Color Universal Design".
constexpr QRgb kOrange = 0xE69F00;
constexpr QRgb kSkyBlue = 0x56B4E9;
constexpr QRgb kBluishGreen = 0x009E73;
constexpr QRgb kYellow = 0xF0E442;
constexpr QRgb kBlue = 0x0072B2;
constexpr QRgb kVermillion = 0xD55E00;
constexpr QRgb kReddishPurple = 0xCC79A7;

} // namespace

QColor stateColor(TaskState s, Theme theme)
{
    const bool dark = theme == Theme::Dark;
    switch (s) {
    case TaskState::Queued:
        return dark ? QColor(0x5a, 0x5a, 0x5a) : QColor(0xc8, 0xc8, 0xc8);
    case TaskState::Ready:
        return QColor::fromRgb(kOrange);
    case TaskState::Running:
        return QColor::fromRgb(kBluishGreen);
    case TaskState::WaitingGil:
        return QColor::fromRgb(kVermillion);
    case TaskState::BlockedIo:
        return dark ? QColor(0x2b, 0x8c, 0xd0) : QColor::fromRgb(kBlue); // a touch lighter on black
    case TaskState::Sleeping:
        return QColor::fromRgb(kSkyBlue);
    case TaskState::Spawning:
        return QColor::fromRgb(kReddishPurple);
    case TaskState::Serializing:
        return QColor::fromRgb(kYellow);
    case TaskState::Done:
        return dark ? QColor(0xee, 0xee, 0xee) : QColor(0x10, 0x10, 0x10);
    case TaskState::Failed:
        return QColor::fromRgb(kVermillion);
    }
    return Qt::magenta;
}

QColor stateTextColor(TaskState s, Theme theme)
{
    switch (s) {
    case TaskState::Queued:
        return theme == Theme::Dark ? Qt::white : Qt::black;
    case TaskState::Ready:
    case TaskState::Sleeping:
    case TaskState::Serializing:
    case TaskState::Spawning:
        return Qt::black;
    case TaskState::Done:
        return theme == Theme::Dark ? Qt::black : Qt::white;
    default:
        return Qt::white;
    }
}

const ThemeColors& themeColors(Theme theme)
{
    static const ThemeColors light { QColor(0xff, 0xff, 0xff), QColor(0xf4, 0xf5, 0xf7), QColor(0x1d, 0x1f, 0x22),
        QColor(0x6a, 0x6f, 0x76), QColor(0xdd, 0xe0, 0xe4), QColor(0xee, 0xee, 0xee), QColor(0x11, 0x55, 0xcc),
        QColor(0x56, 0xb4, 0xe9), QColor(0x10, 0x10, 0x10) };
    static const ThemeColors dark { QColor(0x1e, 0x1f, 0x22), QColor(0x26, 0x28, 0x2c), QColor(0xe8, 0xea, 0xed),
        QColor(0x9a, 0xa0, 0xa6), QColor(0x3a, 0x3d, 0x42), QColor(0x30, 0x32, 0x36), QColor(0x8a, 0xb4, 0xf8),
        QColor(0x56, 0xb4, 0xe9), QColor(0xf0, 0xf0, 0xf0) };
    return theme == Theme::Dark ? dark : light;
}

} // namespace taskline
