#pragma once

#include <QMainWindow>

namespace taskline {

// Thread: GUI only.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
};

} // namespace taskline
