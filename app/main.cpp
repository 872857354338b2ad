#include "mainwindow.h"

#include <QApplication>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    taskline::MainWindow window;
    window.show();
    return app.exec();
}
