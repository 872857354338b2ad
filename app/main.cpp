#include "cli.h"
#include "forkserver.h"
#include "httpfetch.h"
#include "mainwindow.h"
#include "workerprocess.h"

#include <QApplication>
#include <QCoreApplication>
#include <QStyleFactory>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv)
{
    // Internal commands of processes mode (not in --help): a worker process and the fork server. First of all, so
    // that they set up only what they need (no QCoreApplication, no lab server).
    if (argc >= 2 && std::strcmp(argv[1], "worker") == 0)
        return taskline::WorkerProcess::main(argc, argv);
    if (argc >= 2 && std::strcmp(argv[1], "forkserver") == 0)
        return taskline::ForkServer::main(argc, argv);

    // Before any thread starts: libcurl's global state and enough descriptors for a thousand fetches.
    taskline::initNetworking();
    QCoreApplication::setOrganizationName(QStringLiteral("Taskline"));
    QCoreApplication::setApplicationName(QStringLiteral("taskline"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TASKLINE_VERSION));

    QStringList args;
    for (int i = 0; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    if (taskline::isCliCommand(args)) {
        QCoreApplication app(argc, argv);
        return taskline::runCli(args);
    }

    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
        && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        std::fprintf(stderr,
            "taskline: no display (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window cannot open.\n"
            "Run a mix headless instead: taskline run preset:fetch-and-scan   (taskline --help for more)\n");
        return 2;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationDisplayName(QStringLiteral("Taskline"));
    QApplication::setDesktopFileName(QStringLiteral("taskline"));
    // One look for both themes: Fusion draws the light and the dark palette equally well.
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));

    // `taskline FILE`: open that mix (QApplication has taken its own options out of the arguments by now).
    QString file;
    const QStringList rest = QCoreApplication::arguments().mid(1);
    for (const QString& a : rest) {
        if (!a.startsWith(QLatin1Char('-'))) {
            file = a;
            break;
        }
    }
    taskline::MainWindow window;
    window.openInitial(file);
    window.show();
    return app.exec();
}
