#include "theme.h"

#include <QApplication>
#include <QStyle>
#include <QWidget>

namespace taskline {

namespace {

Theme g_theme = Theme::Light;

void applyMuted(QWidget* w)
{
    QPalette p = w->palette();
    p.setColor(QPalette::WindowText, themeColors(g_theme).mutedText);
    p.setColor(QPalette::Text, themeColors(g_theme).mutedText);
    w->setPalette(p);
}

} // namespace

QColor errorTextColor(Theme theme)
{
    return theme == Theme::Dark ? QColor(0xff, 0x8f, 0x5a) : QColor(0xa8, 0x3f, 0x00);
}

Theme currentTheme()
{
    return g_theme;
}

void setMutedText(QWidget* widget)
{
    widget->setProperty("tasklineMuted", true);
    applyMuted(widget);
}

QPalette widgetPalette(Theme theme)
{
    if (theme == Theme::Light) {
        QPalette p = QApplication::style()->standardPalette();
        const ThemeColors& c = themeColors(Theme::Light);
        p.setColor(QPalette::AlternateBase, c.laneAlternate);
        return p;
    }
    const ThemeColors& c = themeColors(Theme::Dark);
    // Fields (Base) darker than the panels (Window), buttons lighter: Fusion draws thin frames, so the surfaces
    // themselves must tell fields, buttons and panels apart.
    const QColor window(0x30, 0x32, 0x37);
    const QColor button(0x3c, 0x3f, 0x45);
    const QColor disabledText(0x7d, 0x82, 0x8a);
    QPalette p;
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, c.text);
    p.setColor(QPalette::Base, c.background);
    p.setColor(QPalette::AlternateBase, c.laneAlternate);
    p.setColor(QPalette::Text, c.text);
    p.setColor(QPalette::Button, button);
    p.setColor(QPalette::ButtonText, c.text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x5f, 0xb3));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3d, 0x42));
    p.setColor(QPalette::ToolTipText, c.text);
    p.setColor(QPalette::PlaceholderText, c.mutedText);
    p.setColor(QPalette::Link, c.selection);
    p.setColor(QPalette::LinkVisited, c.selection);
    // Fusion draws frames and bevels from these.
    p.setColor(QPalette::Light, QColor(0x55, 0x59, 0x60));
    p.setColor(QPalette::Midlight, QColor(0x48, 0x4b, 0x52));
    p.setColor(QPalette::Mid, QColor(0x22, 0x24, 0x27));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Shadow, Qt::black);
    for (auto role : { QPalette::WindowText, QPalette::Text, QPalette::ButtonText })
        p.setColor(QPalette::Disabled, role, disabledText);
    p.setColor(QPalette::Disabled, QPalette::Base, window);
    p.setColor(QPalette::Disabled, QPalette::Button, window);
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x45, 0x48, 0x4e));
    return p;
}

void applyWidgetTheme(Theme theme)
{
    g_theme = theme;
    QApplication::setPalette(widgetPalette(theme));
    for (QWidget* w : QApplication::allWidgets()) {
        if (w->property("tasklineMuted").toBool()) {
            w->setPalette(QPalette()); // drop the old theme's colours, take the application's
            applyMuted(w);
        }
    }
}

bool systemPrefersDark()
{
    const QPalette p = QApplication::palette();
    return p.color(QPalette::Window).lightness() < p.color(QPalette::WindowText).lightness();
}

const char* themeName(Theme theme)
{
    return theme == Theme::Dark ? "dark" : "light";
}

Theme themeFromName(const QString& name, Theme fallback)
{
    if (name == QLatin1String("dark"))
        return Theme::Dark;
    if (name == QLatin1String("light"))
        return Theme::Light;
    return fallback;
}

} // namespace taskline
