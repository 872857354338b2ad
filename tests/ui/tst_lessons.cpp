// The lesson's presets in the window: each one opens with its paragraph shown under the mix's name, the preset
// menus show it as a tooltip, and the help window offers the presets of python-concurrency.md's points.

#include "helpdialog.h"
#include "mainwindow.h"
#include "mixdocument.h"
#include "mixformat.h"
#include "runpanel.h"

#include <QAction>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>
#include <QTextEdit>
#include <QToolButton>
#include <memory>

using namespace taskline;

class TestLessons : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void eachPresetShowsItsDescription_data();
    void eachPresetShowsItsDescription();
    void helpOffersTheLessonsPresets();

private:
    std::unique_ptr<MainWindow> m_window;
};

void TestLessons::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("TasklineTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_lessons"));
    QSettings().clear();
    m_window = std::make_unique<MainWindow>();
    m_window->setUnsavedPrompt([](const QString&) { return QMessageBox::Discard; });
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestLessons::eachPresetShowsItsDescription_data()
{
    QTest::addColumn<QString>("preset");
    for (const QString& name : presetNames())
        QTest::newRow(qPrintable(name)) << name;
}

void TestLessons::eachPresetShowsItsDescription()
{
    QFETCH(QString, preset);
    Mix mix;
    MixError error;
    QVERIFY2(loadMix(QStringLiteral("preset:") + preset, &mix, &error), qPrintable(error.toString()));
    QVERIFY(!mix.description.isEmpty());

    // In the menus: name and a tooltip with the whole paragraph (menus show tooltips only when told to).
    QAction* item = m_window->findChild<QAction*>(QStringLiteral("preset-") + preset);
    QVERIFY(item);
    QVERIFY(item->text().contains(mix.name));
    QVERIFY(item->toolTip().contains(mix.description.toHtmlEscaped()));
    for (QMenu* menu : m_window->findChildren<QMenu*>()) {
        if (menu->actions().contains(item))
            QVERIFY(menu->toolTipsVisible());
    }

    // Opened: the paragraph under the mix's name, and the preset's mode in the run panel.
    item->trigger();
    QCOMPARE(m_window->document()->source(), QStringLiteral("preset:") + preset);
    auto* description = m_window->findChild<QTextEdit*>(QStringLiteral("mixDescription"));
    QVERIFY(description);
    QCOMPARE(description->toPlainText(), mix.description);
    QCOMPARE(m_window->runPanel()->settings().mode, *mix.settings.mode);
}

void TestLessons::helpOffersTheLessonsPresets()
{
    m_window->showHelp();
    auto* help = m_window->findChild<HelpDialog*>();
    QVERIFY(help);
    // Every preset answers a point of the help, and has its button there.
    for (const QString& preset : presetNames())
        QVERIFY2(help->offeredPresets().contains(preset), qPrintable(preset));
    auto* button = help->findChild<QPushButton*>(QStringLiteral("open-free-threaded"));
    QVERIFY(button);
    button->click();
    QCOMPARE(m_window->document()->source(), QStringLiteral("preset:free-threaded"));
    QVERIFY(!m_window->runPanel()->settings().gil);
    help->close();
}

QTEST_MAIN(TestLessons)
#include "tst_lessons.moc"
