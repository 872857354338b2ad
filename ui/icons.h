#pragma once

#include <QIcon>
#include <QString>

namespace taskline {

// The toolbar and button icons (resources/icons/NAME.svg), drawn in the current application palette's text colour
// so that they read on light and dark themes alike; call again after a theme change. Icons with their own colours
// (run, stop, lanes-worker) keep them.
// Thread: GUI only.
QIcon themedIcon(const QString& name);

// The application icon (resources/icons/taskline.svg).
QIcon applicationIcon();

} // namespace taskline
