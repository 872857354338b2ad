#include "icons.h"

#include <QApplication>
#include <QFile>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QSvgRenderer>

namespace taskline {

namespace {

// The colour the icon files are drawn in; replaced by the palette's.
constexpr char kInk[] = "#1d1f22";

QPixmap render(const QByteArray& svg, int size, qreal dpr)
{
    QSvgRenderer renderer(svg);
    QPixmap pixmap(QSize(size, size) * dpr);
    pixmap.fill(Qt::transparent);
    pixmap.setDevicePixelRatio(dpr);
    QPainter painter(&pixmap);
    renderer.render(&painter, QRectF(0, 0, size, size));
    return pixmap;
}

} // namespace

QIcon themedIcon(const QString& name)
{
    QFile file(QStringLiteral(":/icons/%1.svg").arg(name));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray svg = file.readAll();
    const QPalette palette = QApplication::palette();
    const QByteArray normal = QByteArray(svg).replace(kInk, palette.color(QPalette::WindowText).name().toLatin1());
    const QByteArray disabled
        = QByteArray(svg).replace(kInk, palette.color(QPalette::Disabled, QPalette::WindowText).name().toLatin1());
    const qreal dpr = qApp ? qApp->devicePixelRatio() : 1.0;
    QIcon icon;
    for (int size : { 16, 20, 24, 32 }) {
        icon.addPixmap(render(normal, size, dpr), QIcon::Normal);
        QPixmap off = render(disabled, size, dpr);
        if (!svg.contains(kInk)) { // coloured icons fade when disabled
            QPixmap faded(off.size());
            faded.setDevicePixelRatio(dpr);
            faded.fill(Qt::transparent);
            QPainter p(&faded);
            p.setOpacity(0.35);
            p.drawPixmap(0, 0, off);
            p.end();
            off = faded;
        }
        icon.addPixmap(off, QIcon::Disabled);
    }
    return icon;
}

QIcon applicationIcon()
{
    QIcon icon;
    for (int size : { 16, 24, 32, 48, 64, 128, 256 }) {
        QFile file(QStringLiteral(":/icons/taskline.svg"));
        if (!file.open(QIODevice::ReadOnly))
            return {};
        icon.addPixmap(render(file.readAll(), size, 1.0));
    }
    return icon;
}

} // namespace taskline
