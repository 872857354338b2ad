#pragma once

#include "lanemode.h"
#include "palette.h"

#include <QFont>
#include <QSize>
#include <QString>
#include <algorithm>

class QPainter;

namespace taskline {

// How a picture is drawn: the same choices for the screen, PNG, SVG and the clipboard.
struct PictureStyle
{
    Theme theme = Theme::Light;
    LaneMode laneMode = LaneMode::ByWorker;
    // The body text's pixel size; 0 picks one from the picture's size, large enough to read on a projected slide
    // (about 21 px at 1600 × 900).
    int fontPx = 0;
};

// Something that paints itself as one self-standing picture (title, settings, timeline, legend, figures) into a
// rectangle of any size: the timeline of a run, or the comparison of the modes. The screen and every export use
// the same paint().
// Thread: GUI thread or any one thread at a time (no shared state besides the trace it reads).
class Picture
{
public:
    virtual ~Picture() = default;
    // Paints the whole picture into (0, 0, size) in logical pixels, background included.
    virtual void paint(QPainter& painter, QSize size, const PictureStyle& style) const = 0;
    // "Fetch pages and scan them for <meta> tags — threads": an SVG's <title>, a window title.
    virtual QString title() const = 0;

    // The body text size for `size` when the style leaves it open.
    static int fontPxFor(QSize size)
    {
        const int px = std::min(size.height() * 10 / 425, size.width() * 10 / 760); // 21 px at 1600 × 900
        return std::clamp(px, 11, 48);
    }
    // The sans-serif face pictures use (DejaVu Sans on Debian: every machine renders the same glyphs).
    static QFont font(int pixelSize, bool bold = false)
    {
        QFont f;
        f.setFamilies(
            { QStringLiteral("DejaVu Sans"), QStringLiteral("Noto Sans"), QStringLiteral("Liberation Sans") });
        f.setStyleHint(QFont::SansSerif);
        f.setPixelSize(std::max(1, pixelSize));
        f.setBold(bold);
        return f;
    }
};

} // namespace taskline
