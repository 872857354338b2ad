#include "mainwindow.h"

#include <QLabel>

namespace taskline {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
{
    setWindowTitle(QStringLiteral("Taskline"));
    auto* label = new QLabel(tr("Taskline: the desktop window is being built. Use `taskline run MIX` meanwhile."));
    label->setAlignment(Qt::AlignCenter);
    setCentralWidget(label);
    resize(1200, 800);
}

} // namespace taskline
