#pragma once

#include <QStringList>

namespace taskline {

// True when argv names a command-line command (run, presets, serve, calibrate, help, --version, …).
bool isCliCommand(const QStringList& args);
// True when the command draws pictures (run with --png or --svg): it needs a QGuiApplication (fonts), though no
// display.
bool cliNeedsGui(const QStringList& args);
// Runs a command. Exit status: 0 done, 2 bad input, 1 a run failed. Needs a QCoreApplication (or GUI app).
int runCli(const QStringList& args);

} // namespace taskline
