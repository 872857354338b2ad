#pragma once

#include "picture.h"

#include <QByteArray>
#include <QImage>
#include <QSize>
#include <QString>
#include <vector>

namespace taskline {

// What an exported picture looks like: its size in logical pixels, the PNG's scale and the picture's style.
struct ImageOptions
{
    QSize size { 1600, 900 };
    int scale = 1; // PNG and clipboard: 2 doubles the pixels (sharp on a high-density screen), not the layout
    PictureStyle style;
};

// Writes pictures as PNG (QImage) and SVG (QSvgGenerator: text stays <text>, so it can be edited and searched),
// and hands them to the clipboard. Needs a QGuiApplication (fonts), not a display: the offscreen platform will do.
// Thread: the GUI thread (fonts and QPainter on QImage are fine on one other thread at a time, too).
class ImageExport
{
public:
    static constexpr int kMinSide = 200;
    static constexpr int kMaxSide = 8000;
    static constexpr int kMaxScale = 2;

    enum class Format
    {
        Png,
        Svg,
    };
    struct SizePreset
    {
        QString name; // "1600 × 900 (slides, 16:9)"
        QSize size;
    };
    // The sizes a lecture needs: 16:9 slides at three resolutions and 4:3.
    static const std::vector<SizePreset>& sizePresets();

    static QImage renderImage(const Picture& picture, const ImageOptions& options);
    static QByteArray renderSvg(const Picture& picture, const ImageOptions& options);
    // The format from the file's suffix (.png, .svg, case-insensitive). False with *error naming the file otherwise.
    static bool formatFor(const QString& file, Format* out, QString* error);
    // Writes the picture as the file's suffix says. On failure returns false with *error naming the file.
    static bool write(const Picture& picture, const QString& file, const ImageOptions& options, QString* error);
    // Puts the picture on the clipboard as an image. Thread: GUI only.
    static void copyToClipboard(const Picture& picture, const ImageOptions& options);

    // "1600x900" (or 1600×900, 1600X900) within kMinSide..kMaxSide; false with *error saying what is wrong.
    static bool parseSize(const QString& text, QSize* out, QString* error);
    // Checks size and scale; false with *error.
    static bool validate(const ImageOptions& options, QString* error);
};

} // namespace taskline
