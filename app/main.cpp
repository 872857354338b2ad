#include "cli.h"
#include "forkserver.h"
#include "httpfetch.h"
#include "mainwindow.h"
#include "workerprocess.h"

#include <QApplication>
#include <QCoreApplication>
#include <QGuiApplication>
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
        if (taskline::cliNeedsGui(args)) {
            // Pictures need fonts and QPainter, not a window: the offscreen platform draws the same pixels with no
            // display at all (and never trips over a stale DISPLAY), unless QT_QPA_PLATFORM asks for another one.
            if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
                qputenv("QT_QPA_PLATFORM", "offscreen");
            // The platform asks for a runtime folder it does not need here; without a desktop session that is
            // normal, and not worth a warning in front of the summary.
            static const QtMessageHandler previous = qInstallMessageHandler(nullptr);
            qInstallMessageHandler([](QtMsgType type, const QMessageLogContext& context, const QString& message) {
                if (message.startsWith(QLatin1String("QStandardPaths: XDG_RUNTIME_DIR not set")))
                    return;
                if (previous)
                    previous(type, context, message);
                else
                    std::fprintf(stderr, "%s\n", qPrintable(qFormatLogMessage(type, context, message)));
            });
            QGuiApplication app(argc, argv);
            return taskline::runCli(args);
        }
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

    // `taskline FILE...`: open that mix, or those saved runs (QApplication has taken its own options out of the
    // arguments by now).
    QStringList files;
    const QStringList rest = QCoreApplication::arguments().mid(1);
    for (const QString& a : rest) {
        if (!a.startsWith(QLatin1Char('-')))
            files << a;
    }
    taskline::MainWindow window;
    window.openInitial(files.value(0));
    for (qsizetype i = 1; i < files.size(); ++i)
        if (taskline::MainWindow::isRunFile(files[i]))
            window.openRun(files[i]);
    window.show();
    return app.exec();
}
