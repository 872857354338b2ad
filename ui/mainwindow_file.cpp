// MainWindow: new, open, save, presets and recent files.

#include "mainwindow.h"
#include "mixdocument.h"
#include "mixformat.h"
#include "runcontroller.h"
#include "runpanel.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>

namespace taskline {

namespace {

constexpr int kMaxRecent = 10;
const QString kPresetPrefix = QStringLiteral("preset:");

QString lastDirectory()
{
    const QString dir = QSettings().value(QStringLiteral("files/lastDirectory")).toString();
    if (!dir.isEmpty() && QFileInfo(dir).isDir())
        return dir;
    return QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
}

void rememberDirectory(const QString& file)
{
    QSettings().setValue(QStringLiteral("files/lastDirectory"), QFileInfo(file).absolutePath());
}

} // namespace

void MainWindow::openInitial(const QString& file)
{
    if (!file.isEmpty()) {
        QString error;
        if (m_doc->load(file, &error)) {
            addRecent(m_doc->source());
            return;
        }
        // Show the default preset behind the message, so that the window is never empty.
        m_doc->load(QStringLiteral("preset:") + QLatin1String(kDefaultPreset), nullptr);
        showError(tr("Cannot open the mix"), error);
        return;
    }
    const QString last = QSettings().value(QStringLiteral("files/last")).toString();
    if (!last.isEmpty() && m_doc->load(last, nullptr))
        return;
    // First start (or the last file is gone): the default preset.
    m_doc->load(QStringLiteral("preset:") + QLatin1String(kDefaultPreset), nullptr);
}

bool MainWindow::openSource(const QString& source)
{
    if (!maybeSave())
        return false;
    QString error;
    if (!m_doc->load(source, &error)) {
        if (!source.startsWith(kPresetPrefix) && !QFileInfo::exists(source)) {
            m_recent.removeAll(source);
            rebuildRecentMenu();
        }
        showError(tr("Cannot open the mix"), error);
        return false;
    }
    addRecent(m_doc->source());
    statusBar()->showMessage(tr("Opened %1").arg(m_doc->displayName()), 4000);
    return true;
}

void MainWindow::newMix()
{
    if (!maybeSave())
        return;
    m_doc->newMix();
}

void MainWindow::openFile()
{
    const QString file = QFileDialog::getOpenFileName(this, tr("Open Mix"), lastDirectory(),
        tr("Taskline mixes (*.taskline.json);;JSON files (*.json);;All files (*)"));
    if (file.isEmpty())
        return;
    rememberDirectory(file);
    openSource(file);
}

bool MainWindow::maybeSave()
{
    if (!m_doc->isModified())
        return true;
    const QString name = m_doc->displayName();
    QMessageBox::StandardButton answer = QMessageBox::Cancel;
    if (m_unsavedPrompt) {
        answer = m_unsavedPrompt(name);
    } else {
        answer = QMessageBox::warning(this, tr("Unsaved Changes"),
            tr("The mix “%1” has changes that are not saved.\nSave them first?").arg(name),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    }
    switch (answer) {
    case QMessageBox::Save:
        return save();
    case QMessageBox::Discard:
        return true;
    default:
        return false;
    }
}

void MainWindow::storeRunSettings()
{
    // What the run panel shows becomes the mix's defaults in the file (not an undoable edit: see onSettingsEdited).
    const MixSettings settings = MixDocument::settingsFor(m_doc->mix().settings, m_runPanel->settings());
    if (settings != m_doc->mix().settings)
        m_doc->setSettings(settings);
}

bool MainWindow::save()
{
    if (m_doc->filePath().isEmpty())
        return saveAs();
    storeRunSettings();
    QString error;
    if (!m_doc->save(&error)) {
        showError(tr("Cannot save the mix"), error);
        return false;
    }
    statusBar()->showMessage(tr("Saved %1").arg(m_doc->filePath()), 4000);
    return true;
}

QString MainWindow::suggestedSavePath() const
{
    if (!m_doc->filePath().isEmpty())
        return m_doc->filePath();
    const QString base = m_doc->presetName().isEmpty() ? QStringLiteral("mix") : m_doc->presetName();
    return QDir(lastDirectory()).filePath(base + QLatin1String(kMixSuffix));
}

bool MainWindow::saveAs()
{
    QString file;
    if (m_saveFilePrompt) {
        file = m_saveFilePrompt(suggestedSavePath());
    } else {
        file = QFileDialog::getSaveFileName(
            this, tr("Save Mix As"), suggestedSavePath(), tr("Taskline mixes (*.taskline.json)"));
    }
    if (file.isEmpty())
        return false;
    file = MixDocument::withMixSuffix(file);
    rememberDirectory(file);
    storeRunSettings();
    QString error;
    if (!m_doc->saveAs(file, &error)) {
        showError(tr("Cannot save the mix"), error);
        return false;
    }
    addRecent(m_doc->source());
    statusBar()->showMessage(tr("Saved %1").arg(m_doc->filePath()), 4000);
    return true;
}

void MainWindow::addRecent(const QString& source)
{
    // Presets are one click away in their own menu; the recent list is for files.
    if (source.isEmpty() || source.startsWith(kPresetPrefix))
        return;
    m_recent.removeAll(source);
    m_recent.prepend(source);
    while (m_recent.size() > kMaxRecent)
        m_recent.removeLast();
    QSettings().setValue(QStringLiteral("files/recent"), m_recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    for (int i = 0; i < m_recent.size(); ++i) {
        const QString file = m_recent[i];
        // &1 … &9, then 1&0: keyboard mnemonics in the menu.
        const QString number = i < 9 ? QStringLiteral("&%1").arg(i + 1) : QStringLiteral("1&0");
        QAction* a = m_recentMenu->addAction(QStringLiteral("%1  %2").arg(number, QFileInfo(file).fileName()));
        a->setToolTip(file);
        a->setStatusTip(file);
        connect(a, &QAction::triggered, this, [this, file] { openSource(file); });
    }
    if (m_recent.isEmpty()) {
        m_recentMenu->addAction(tr("No recent files"))->setEnabled(false);
        return;
    }
    m_recentMenu->addSeparator();
    m_recentMenu->addAction(tr("&Clear Menu"), this, [this] {
        m_recent.clear();
        QSettings().setValue(QStringLiteral("files/recent"), m_recent);
        rebuildRecentMenu();
    });
}

void MainWindow::rebuildPresetMenu(QMenu* menu)
{
    menu->clear();
    for (const QString& name : presetNames()) {
        Mix mix;
        const bool ok = loadMix(kPresetPrefix + name, &mix, nullptr);
        QAction* a = menu->addAction(ok ? QStringLiteral("%1 — %2").arg(name, mix.name) : name);
        a->setObjectName(QStringLiteral("preset-") + name);
        if (ok)
            a->setStatusTip(mix.description);
        connect(a, &QAction::triggered, this, [this, name] { openSource(kPresetPrefix + name); });
    }
}

} // namespace taskline
