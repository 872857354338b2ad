#include "imageexport.h"

#include <QBuffer>
#include <QClipboard>
#include <QFileInfo>
#include <QGuiApplication>
#include <QPainter>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSvgGenerator>

namespace taskline {

const std::vector<ImageExport::SizePreset>& ImageExport::sizePresets()
{
    static const std::vector<SizePreset> presets {
        { QStringLiteral("1280 × 720 (slides, 16:9)"), QSize(1280, 720) },
        { QStringLiteral("1600 × 900 (slides, 16:9)"), QSize(1600, 900) },
        { QStringLiteral("1920 × 1080 (full HD, 16:9)"), QSize(1920, 1080) },
        { QStringLiteral("1024 × 768 (slides, 4:3)"), QSize(1024, 768) },
    };
    return presets;
}

QImage ImageExport::renderImage(const Picture& picture, const ImageOptions& options)
{
    const int scale = std::clamp(options.scale, 1, kMaxScale);
    QImage image(options.size * scale, QImage::Format_ARGB32_Premultiplied);
    // The painter draws in logical pixels; the device pixel ratio doubles every line and glyph, not the layout.
    image.setDevicePixelRatio(scale);
    image.fill(themeColors(options.style.theme).background);
    {
        QPainter p(&image);
        picture.paint(p, options.size, options.style);
    }
    image.setText(QStringLiteral("Title"), picture.title());
    image.setText(QStringLiteral("Software"), QStringLiteral("Taskline"));
    return image;
}

QByteArray ImageExport::renderSvg(const Picture& picture, const ImageOptions& options)
{
    QByteArray data;
    QBuffer buffer(&data);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator svg;
    svg.setOutputDevice(&buffer);
    svg.setSize(options.size);
    svg.setViewBox(QRect(QPoint(0, 0), options.size));
    svg.setResolution(96); // the width and height attributes then say 1600 px for 1600 logical pixels
    // QSvgGenerator writes the title and description verbatim: "<meta>" in a mix name would break the XML.
    svg.setTitle(picture.title().toHtmlEscaped());
    svg.setDescription(QStringLiteral("Made with Taskline from a real run"));
    {
        QPainter p(&svg);
        picture.paint(p, options.size, options.style);
    }
    // QSvgGenerator gives the size in millimetres, which viewers turn back into pixels at differing resolutions (Qt
    // at 90 dpi, browsers at 96): say pixels, so that every viewer opens the picture at the size chosen.
    static const QRegularExpression mm(QStringLiteral("<svg width=\"[0-9.]+mm\" height=\"[0-9.]+mm\""));
    const qsizetype end = data.indexOf('>', data.indexOf("<svg")); // the start tag: ASCII only
    if (end < 0)
        return data;
    QString head = QString::fromLatin1(data.left(end));
    head.replace(
        mm, QStringLiteral("<svg width=\"%1\" height=\"%2\"").arg(options.size.width()).arg(options.size.height()));
    return head.toLatin1() + data.mid(end);
}

bool ImageExport::formatFor(const QString& file, Format* out, QString* error)
{
    const QString suffix = QFileInfo(file).suffix().toLower();
    if (suffix == QLatin1String("png")) {
        *out = Format::Png;
        return true;
    }
    if (suffix == QLatin1String("svg")) {
        *out = Format::Svg;
        return true;
    }
    if (error)
        *error = suffix.isEmpty()
            ? QStringLiteral("%1: no file suffix: name it .png or .svg").arg(file)
            : QStringLiteral("%1: cannot write .%2 pictures: name it .png or .svg").arg(file, suffix);
    return false;
}

bool ImageExport::validate(const ImageOptions& options, QString* error)
{
    const QSize s = options.size;
    if (s.width() < kMinSide || s.height() < kMinSide || s.width() > kMaxSide || s.height() > kMaxSide) {
        if (error)
            *error = QStringLiteral("picture size %1×%2: each side must be from %3 to %4 pixels")
                         .arg(s.width())
                         .arg(s.height())
                         .arg(kMinSide)
                         .arg(kMaxSide);
        return false;
    }
    if (options.scale < 1 || options.scale > kMaxScale) {
        if (error)
            *error = QStringLiteral("scale %1: expected 1 or 2").arg(options.scale);
        return false;
    }
    if (std::max(s.width(), s.height()) * options.scale > kMaxSide) {
        if (error)
            *error = QStringLiteral("picture size %1×%2 at %3×: %4×%5 pixels; at most %6 pixels a side")
                         .arg(s.width())
                         .arg(s.height())
                         .arg(options.scale)
                         .arg(s.width() * options.scale)
                         .arg(s.height() * options.scale)
                         .arg(kMaxSide);
        return false;
    }
    return true;
}

bool ImageExport::write(const Picture& picture, const QString& file, const ImageOptions& options, QString* error)
{
    Format format;
    if (!formatFor(file, &format, error))
        return false;
    if (!validate(options, error)) {
        if (error)
            *error = file + QStringLiteral(": ") + *error;
        return false;
    }
    // Written aside and renamed at the end: a failed export never leaves half a picture behind.
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly)) {
        if (error)
            *error = QStringLiteral("%1: cannot write: %2").arg(file, out.errorString());
        return false;
    }
    bool ok;
    if (format == Format::Svg) {
        const QByteArray svg = renderSvg(picture, options);
        ok = out.write(svg) == svg.size();
    } else {
        ok = renderImage(picture, options).save(&out, "PNG");
    }
    if (!ok || !out.commit()) {
        if (error)
            *error = QStringLiteral("%1: cannot write: %2")
                         .arg(file,
                             out.errorString().isEmpty() ? QStringLiteral("the picture could not be encoded")
                                                         : out.errorString());
        return false;
    }
    return true;
}

void ImageExport::copyToClipboard(const Picture& picture, const ImageOptions& options)
{
    if (QClipboard* clipboard = QGuiApplication::clipboard())
        clipboard->setImage(renderImage(picture, options));
}

bool ImageExport::parseSize(const QString& text, QSize* out, QString* error)
{
    static const QRegularExpression re(QStringLiteral("^\\s*(\\d{1,5})\\s*[xX×]\\s*(\\d{1,5})\\s*$"));
    const QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch()) {
        if (error)
            *error = QStringLiteral("expected WIDTHxHEIGHT in pixels, like 1600x900, got \"%1\"").arg(text);
        return false;
    }
    ImageOptions o;
    o.size = QSize(m.captured(1).toInt(), m.captured(2).toInt());
    if (!validate(o, error))
        return false;
    *out = o.size;
    return true;
}

} // namespace taskline
