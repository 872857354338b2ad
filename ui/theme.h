#pragma once

#include "palette.h"

#include <QPalette>

namespace taskline {

// The widget palette of each theme: light is the style's own; dark is built on the timeline's dark colours
// (palette.h) so that the panels and the timeline look like one surface.
QPalette widgetPalette(Theme theme);
// Sets the application palette (every widget follows). Thread: GUI only.
void applyWidgetTheme(Theme theme);
// Text that reports a problem (a refused value, a failed task): the failed state's hue, darker on the light
// theme and lighter on the dark one so that small text stays readable (contrast above 4.5:1).
QColor errorTextColor(Theme theme);

// The current theme (as last applied).
Theme currentTheme();
// Draws a label's text in the theme's muted colour (hints, captions), now and after theme changes. Disabled text
// would be too faint to read on the light palette.
void setMutedText(QWidget* widget);
// Whether the desktop's palette is dark (the default theme follows it on first start).
bool systemPrefersDark();

const char* themeName(Theme theme); // "light", "dark"
Theme themeFromName(const QString& name, Theme fallback);

} // namespace taskline
