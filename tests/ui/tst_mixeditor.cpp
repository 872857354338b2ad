// The mix editor of the main window, driven the way a person drives it (typing into fields, the table's editors,
// the window's actions), without running anything: every edit kind is undoable and redoable, invalid values are
// refused in place with the reason and never stored, unsaved changes are asked about, files round-trip, and every
// item model passes QAbstractItemModelTester.

#include "mainwindow.h"
#include "mixdocument.h"
#include "mixformat.h"
#include "runpanel.h"
#include "stepeditor.h"
#include "steplistmodel.h"
#include "tasktablemodel.h"
#include "testutil.h"
#include "undocommands.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QUndoStack>
#include <functional>
#include <memory>

using namespace taskline;
using namespace taskline::test;

namespace {

Mix twoTaskMix()
{
    return mixOf(QStringLiteral("two tasks"),
        { task(QStringLiteral("page"), 3, { Step::makeFetch(labUrl(200)), Step::makeCompute(100) }),
            task(QStringLiteral("nap"), 1, { Step::makeSleep(50), Step::makeCompute(20, Kernel::Hash) }) });
}

// Types `text` into `edit` as a person would: select all, then keys (so that textEdited fires).
void typeInto(QLineEdit* edit, const QString& text)
{
    edit->setFocus();
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

// Pastes `text` over the field's content (one edit, as a paste is): no intermediate values on the way.
void pasteInto(QLineEdit* edit, const QString& text)
{
    edit->setFocus();
    edit->selectAll();
    if (text.isEmpty())
        edit->del();
    else
        edit->insert(text);
}

QAction* stepAction(StepEditor* editor, const char* name)
{
    return editor->findChild<QAction*>(QLatin1String(name));
}

} // namespace

class TestMixEditor : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();

    void modelsPassTheModelTester();
    void everyEditIsUndoable_data();
    void everyEditIsUndoable();
    void typingANumberIsOneUndoStep();
    void invalidStepValuesAreRefusedInPlace_data();
    void invalidStepValuesAreRefusedInPlace();
    void invalidTableValuesAreRefused_data();
    void invalidTableValuesAreRefused();
    void lastTaskAndLastStepCannotBeRemoved();
    void unsavedChangesAreAskedAbout_data();
    void unsavedChangesAreAskedAbout();
    void saveAndLoadRoundTrip();
    void runSettingsAreOverridesSavedWithTheMix();
    void recentFilesKeepTheTenNewest();
    void presetsAreOneClickAway();

private:
    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_dir;
};

void TestMixEditor::initTestCase()
{
    // Settings and caches go to a test location, never to the user's.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("TasklineTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_mixeditor"));
    QVERIFY2(QSettings().fileName().contains(QLatin1String("qttest")), qPrintable(QSettings().fileName()));
    QVERIFY(m_dir.isValid());
}

void TestMixEditor::init()
{
    QSettings().clear();
    m_window = std::make_unique<MainWindow>();
    // A failing test must not leave a modal question behind.
    m_window->setUnsavedPrompt([](const QString&) { return QMessageBox::Discard; });
    QString error;
    QVERIFY2(m_window->document()->setMix(twoTaskMix(), &error), qPrintable(error));
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestMixEditor::cleanup()
{
    m_window.reset();
}

void TestMixEditor::modelsPassTheModelTester()
{
    MixDocument* doc = m_window->document();
    // Fatal: the tester aborts the test at the first broken model contract.
    QAbstractItemModelTester tableTester(m_window->taskModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester stepTester(
        m_window->stepEditor()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    StepListModel other(doc);
    other.setTask(1);
    QAbstractItemModelTester otherTester(&other, QAbstractItemModelTester::FailureReportingMode::QtTest);

    // Every structural change, then all of them undone and redone, then a reset by loading a preset.
    QUndoStack* undo = doc->undoStack();
    m_window->action(QStringLiteral("addTask"))->trigger();
    m_window->action(QStringLiteral("duplicateTask"))->trigger();
    m_window->action(QStringLiteral("moveTaskUp"))->trigger();
    m_window->action(QStringLiteral("moveTaskDown"))->trigger();
    undo->push(new InsertStepCommand(doc, 1, 0, Step::makeSleep(5), QStringLiteral("add")));
    undo->push(new MoveStepCommand(doc, 1, 0, 1));
    undo->push(new EditStepCommand(doc, 1, 1, Step::makeSleep(7), QStringLiteral("duration")));
    undo->push(new RemoveStepCommand(doc, 1, 1));
    m_window->taskView()->setCurrentIndex(m_window->taskModel()->index(0, 0));
    m_window->action(QStringLiteral("removeTask"))->trigger();
    QVERIFY(undo->count() >= 8);
    while (undo->canUndo())
        undo->undo();
    QCOMPARE(doc->mix(), twoTaskMix());
    while (undo->canRedo())
        undo->redo();
    QVERIFY(m_window->openSource(QStringLiteral("preset:convoy")));
    QCOMPARE(m_window->taskModel()->rowCount(), int(doc->mix().tasks.size()));
}

void TestMixEditor::everyEditIsUndoable_data()
{
    QTest::addColumn<QString>("edit");
    for (const char* row : { "rename_task", "change_count", "add_task", "duplicate_task", "remove_task", "move_task",
             "step_duration", "step_kernel", "step_gil", "step_payload", "step_url", "step_client", "step_kind",
             "add_step", "duplicate_step", "remove_step", "move_step", "mix_name" })
        QTest::newRow(row) << QString::fromLatin1(row);
}

void TestMixEditor::everyEditIsUndoable()
{
    QFETCH(QString, edit);
    MixDocument* doc = m_window->document();
    TaskTableModel* table = m_window->taskModel();
    StepEditor* steps = m_window->stepEditor();
    auto field = [this](const char* name) { return m_window->findChild<QLineEdit*>(QLatin1String(name)); };
    auto combo
        = [this](const char* name) { return m_window->stepEditor()->findChild<QComboBox*>(QLatin1String(name)); };
    // Chooses an entry as a person would (activated, not just currentIndex).
    auto choose = [](QComboBox* c, int index) {
        c->setCurrentIndex(index);
        emit c->activated(index);
    };
    auto selectStep = [&](int task, int step) {
        m_window->taskView()->setCurrentIndex(table->index(task, 0));
        steps->setCurrentStep(step);
        QCOMPARE(steps->task(), task);
        QCOMPARE(steps->currentStep(), step);
    };

    const Mix before = doc->mix();
    QVERIFY(!doc->isModified());
    const std::map<QString, std::function<void()>> edits = {
        { "rename_task", [&] { QVERIFY(table->setData(table->index(0, 0), QStringLiteral("fetcher"))); } },
        { "change_count", [&] { QVERIFY(table->setData(table->index(1, 1), QStringLiteral("12"))); } },
        { "add_task", [&] { m_window->action(QStringLiteral("addTask"))->trigger(); } },
        { "duplicate_task",
            [&] {
                m_window->taskView()->setCurrentIndex(table->index(1, 0));
                m_window->action(QStringLiteral("duplicateTask"))->trigger();
            } },
        { "remove_task",
            [&] {
                m_window->taskView()->setCurrentIndex(table->index(0, 0));
                m_window->action(QStringLiteral("removeTask"))->trigger();
            } },
        { "move_task",
            [&] {
                m_window->taskView()->setCurrentIndex(table->index(1, 0));
                m_window->action(QStringLiteral("moveTaskUp"))->trigger();
            } },
        { "step_duration",
            [&] {
                selectStep(0, 1);
                typeInto(field("computeMs"), QStringLiteral("250"));
            } },
        { "step_kernel",
            [&] {
                selectStep(0, 1);
                choose(combo("kernel"), int(Kernel::Hash));
            } },
        { "step_gil",
            [&] {
                selectStep(0, 1);
                choose(combo("gil"), int(GilBehaviour::Holds));
            } },
        { "step_payload",
            [&] {
                selectStep(0, 1);
                typeInto(field("payload"), QStringLiteral("4096"));
            } },
        { "step_url",
            [&] {
                selectStep(0, 0);
                typeInto(field("url"), QStringLiteral("https://example.com/"));
            } },
        { "step_client",
            [&] {
                selectStep(0, 0);
                choose(combo("client"), int(FetchClient::Blocking));
            } },
        { "step_kind",
            [&] {
                selectStep(1, 0);
                choose(combo("kind"), int(StepKind::Compute));
            } },
        { "add_step",
            [&] {
                selectStep(1, 0);
                steps->findChild<QToolButton*>(QStringLiteral("addStep"))->menu()->actions().at(1)->trigger(); // Fetch
            } },
        { "duplicate_step",
            [&] {
                selectStep(1, 1);
                stepAction(steps, "duplicateStep")->trigger();
            } },
        { "remove_step",
            [&] {
                selectStep(1, 0);
                stepAction(steps, "removeStep")->trigger();
            } },
        { "move_step",
            [&] {
                selectStep(0, 0);
                stepAction(steps, "downStep")->trigger();
            } },
        { "mix_name", [&] { typeInto(field("mixName"), QStringLiteral("Renamed")); } },
    };
    edits.at(edit)();

    const Mix after = doc->mix();
    QVERIFY2(after != before, "the edit changed nothing");
    QVERIFY(validateMix(after).isEmpty());
    QVERIFY(doc->isModified());
    QVERIFY(m_window->isWindowModified());
    QCOMPARE(doc->undoStack()->count(), 1);

    m_window->action(QStringLiteral("undo"))->trigger();
    QCOMPARE(doc->mix(), before);
    QVERIFY(!doc->isModified());
    m_window->action(QStringLiteral("redo"))->trigger();
    QCOMPARE(doc->mix(), after);
    // The views follow: the table shows the document, and the run panel the settings.
    QCOMPARE(m_window->taskModel()->rowCount(), int(after.tasks.size()));
    for (int r = 0; r < int(after.tasks.size()); ++r)
        QCOMPARE(
            table->index(r, TaskTableModel::StepsColumn).data().toString(), after.tasks[size_t(r)].describeSteps());
    QCOMPARE(m_window->runPanel()->settings().mode, RunSettings::fromMix(after.settings).mode);
}

void TestMixEditor::typingANumberIsOneUndoStep()
{
    MixDocument* doc = m_window->document();
    m_window->taskView()->setCurrentIndex(m_window->taskModel()->index(0, 0));
    m_window->stepEditor()->setCurrentStep(1);
    auto* ms = m_window->findChild<QLineEdit*>(QStringLiteral("computeMs"));
    typeInto(ms, QStringLiteral("1234.5"));
    QCOMPARE(doc->mix().tasks[0].steps[1].compute.ms, 1234.5);
    QCOMPARE(doc->undoStack()->count(), 1); // "1", "12", "123", "1234", "1234.", "1234.5" merged
    // Typing back the original value makes the edit a no-op: nothing left to undo, nothing unsaved.
    typeInto(ms, QStringLiteral("100"));
    QCOMPARE(doc->undoStack()->count(), 0);
    QVERIFY(!doc->isModified());
}

void TestMixEditor::invalidStepValuesAreRefusedInPlace_data()
{
    QTest::addColumn<int>("task");
    QTest::addColumn<int>("step");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("reason");
    QTest::newRow("negative_compute_ms") << 0 << 1 << "computeMs"
                                         << "-5"
                                         << "must be at least 0 (got -5)";
    QTest::newRow("compute_ms_not_a_number") << 0 << 1 << "computeMs"
                                             << "fast"
                                             << "must be a number";
    QTest::newRow("compute_ms_too_long") << 0 << 1 << "computeMs"
                                         << "9999999"
                                         << "must be at most 600000";
    QTest::newRow("negative_sleep_ms") << 1 << 0 << "sleepMs"
                                       << "-1"
                                       << "must be at least 0 (got -1)";
    QTest::newRow("empty_sleep_ms") << 1 << 0 << "sleepMs"
                                    << ""
                                    << "is required";
    QTest::newRow("fractional_payload") << 0 << 1 << "payload"
                                        << "1.5"
                                        << "whole number";
    QTest::newRow("huge_payload") << 0 << 1 << "payload"
                                  << "999999999999"
                                  << "must be at most 268435456";
    QTest::newRow("ftp_url") << 0 << 0 << "url"
                             << "ftp://example.com/x"
                             << "must be a lab:/PATH, http:// or https://";
    QTest::newRow("url_without_host") << 0 << 0 << "url"
                                      << "http://"
                                      << "needs a host";
    QTest::newRow("lab_url_without_slash") << 0 << 0 << "url"
                                           << "lab:delay"
                                           << "must start with \"lab:/\"";
}

void TestMixEditor::invalidStepValuesAreRefusedInPlace()
{
    QFETCH(int, task);
    QFETCH(int, step);
    QFETCH(QString, field);
    QFETCH(QString, text);
    QFETCH(QString, reason);
    MixDocument* doc = m_window->document();
    m_window->taskView()->setCurrentIndex(m_window->taskModel()->index(task, 0));
    m_window->stepEditor()->setCurrentStep(step);
    auto* edit = m_window->stepEditor()->findChild<QLineEdit*>(field);
    QVERIFY(edit);
    QVERIFY(edit->isVisible());
    const Mix before = doc->mix();

    pasteInto(edit, text);
    // Refused: the mix and its history are unchanged, the text stays in the field, and the reason is next to it.
    QCOMPARE(doc->mix(), before);
    QCOMPARE(doc->undoStack()->count(), 0);
    QCOMPARE(edit->text(), text);
    const QString shown = m_window->stepEditor()->problemShown(field);
    QVERIFY2(shown.contains(reason), qPrintable(shown));
    auto* label = m_window->stepEditor()->findChild<QLabel*>(field + QStringLiteral("Error"));
    QVERIFY(label && label->isVisible());

    // A valid value clears the message and is stored.
    const QString good = field == QLatin1String("url") ? QStringLiteral("lab:/delay?ms=10") : QStringLiteral("42");
    typeInto(edit, good);
    QVERIFY(m_window->stepEditor()->problemShown(field).isEmpty());
    QVERIFY(!label->isVisible());
    QCOMPARE(doc->undoStack()->count(), 1);
}

void TestMixEditor::invalidTableValuesAreRefused_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("reason");
    QTest::newRow("empty_name") << int(TaskTableModel::NameColumn) << "  "
                                << "must not be empty";
    QTest::newRow("zero_count") << int(TaskTableModel::CountColumn) << "0"
                                << "from 1 to 100000 (got 0)";
    QTest::newRow("fractional_count") << int(TaskTableModel::CountColumn) << "2.5"
                                      << "whole number";
    QTest::newRow("text_count") << int(TaskTableModel::CountColumn) << "many"
                                << "whole number";
    QTest::newRow("too_many_tasks") << int(TaskTableModel::CountColumn) << "99999"
                                    << "add up to 100002 tasks";
}

void TestMixEditor::invalidTableValuesAreRefused()
{
    QFETCH(int, column);
    QFETCH(QString, text);
    QFETCH(QString, reason);
    MixDocument* doc = m_window->document();
    TaskTableModel* table = m_window->taskModel();
    // Make the count of the other task large, so that the counts together exceed the limit in one row.
    QVERIFY(table->setData(table->index(1, 1), QStringLiteral("3")));
    doc->undoStack()->clear();
    const Mix before = doc->mix();
    QSignalSpy refused(table, &TaskTableModel::editRefused);

    // Through the view's own editor, as a person edits a cell.
    QTableView* view = m_window->taskView();
    const QModelIndex index = table->index(0, column);
    view->setCurrentIndex(index);
    view->edit(index);
    auto* editor = view->viewport()->findChild<QLineEdit*>();
    QVERIFY(editor);
    editor->setText(text);
    QTest::keyClick(editor, Qt::Key_Return);

    QTRY_COMPARE(refused.count(), 1); // the delegate commits from the event loop
    const QString shown = refused.at(0).at(2).toString();
    QVERIFY2(shown.contains(reason), qPrintable(shown));
    QCOMPARE(doc->mix(), before);
    QCOMPARE(doc->undoStack()->count(), 0);
    auto* message = m_window->findChild<QLabel*>(QStringLiteral("taskMessage"));
    QVERIFY(message->isVisible());
    QVERIFY(message->text().contains(reason));
}

void TestMixEditor::lastTaskAndLastStepCannotBeRemoved()
{
    MixDocument* doc = m_window->document();
    m_window->taskView()->setCurrentIndex(m_window->taskModel()->index(0, 0));
    m_window->action(QStringLiteral("removeTask"))->trigger();
    QCOMPARE(doc->mix().tasks.size(), size_t(1));
    QVERIFY(!m_window->action(QStringLiteral("removeTask"))->isEnabled());
    m_window->action(QStringLiteral("removeTask"))->trigger(); // a shortcut would still get here
    QCOMPARE(doc->mix().tasks.size(), size_t(1));

    QAction* removeStep = stepAction(m_window->stepEditor(), "removeStep");
    QVERIFY(removeStep);
    m_window->stepEditor()->setCurrentStep(0);
    removeStep->trigger();
    QCOMPARE(doc->mix().tasks[0].steps.size(), size_t(1));
    QVERIFY(!removeStep->isEnabled());
    QVERIFY(validateMix(doc->mix()).isEmpty());
}

void TestMixEditor::unsavedChangesAreAskedAbout_data()
{
    QTest::addColumn<int>("answer");
    QTest::addColumn<bool>("opened");
    QTest::addColumn<bool>("saved");
    QTest::newRow("cancel_keeps_the_edits") << int(QMessageBox::Cancel) << false << false;
    QTest::newRow("discard_opens") << int(QMessageBox::Discard) << true << false;
    QTest::newRow("save_writes_then_opens") << int(QMessageBox::Save) << true << true;
}

void TestMixEditor::unsavedChangesAreAskedAbout()
{
    QFETCH(int, answer);
    QFETCH(bool, opened);
    QFETCH(bool, saved);
    MixDocument* doc = m_window->document();
    QStringList asked;
    m_window->setUnsavedPrompt([&](const QString& name) {
        asked << name;
        return QMessageBox::StandardButton(answer);
    });
    const QString target = m_dir.filePath(QStringLiteral("asked-%1.taskline.json").arg(answer));
    QFile::remove(target);
    m_window->setSaveFilePrompt([&](const QString&) { return target; });

    // Unmodified: no question.
    QVERIFY(m_window->maybeSave());
    QVERIFY(asked.isEmpty());

    QVERIFY(m_window->taskModel()->setData(m_window->taskModel()->index(0, 0), QStringLiteral("edited")));
    const Mix edited = doc->mix();
    QCOMPARE(m_window->openSource(QStringLiteral("preset:cpu-bound")), opened);
    QCOMPARE(asked.size(), 1);
    if (opened)
        QCOMPARE(doc->source(), QStringLiteral("preset:cpu-bound"));
    else
        QCOMPARE(doc->mix(), edited);
    QCOMPARE(QFile::exists(target), saved);
    if (saved) {
        Mix back;
        MixError e;
        QVERIFY2(loadMix(target, &back, &e), qPrintable(e.toString()));
        QCOMPARE(back, edited);
    }
    // Closing the window asks the same question.
    if (!opened) {
        QCloseEvent close;
        QApplication::sendEvent(m_window.get(), &close);
        QVERIFY(!close.isAccepted());
        QCOMPARE(asked.size(), 2);
    }
}

void TestMixEditor::saveAndLoadRoundTrip()
{
    MixDocument* doc = m_window->document();
    m_window->taskView()->setCurrentIndex(m_window->taskModel()->index(0, 0));
    m_window->stepEditor()->setCurrentStep(1);
    typeInto(m_window->findChild<QLineEdit*>(QStringLiteral("computeMs")), QStringLiteral("75.25"));
    m_window->runPanel()->findChild<QSpinBox*>(QStringLiteral("workers"))->setValue(5);
    const QString file = m_dir.filePath(QStringLiteral("roundtrip")); // the suffix is added
    m_window->setSaveFilePrompt([&](const QString&) { return file; });
    QVERIFY(m_window->saveAs());
    QCOMPARE(doc->filePath(), file + QLatin1String(kMixSuffix));
    QVERIFY(!doc->isModified());
    QVERIFY(!m_window->isWindowModified());
    QVERIFY(m_window->windowTitle().contains(QLatin1String("roundtrip.taskline.json")));
    QCOMPARE(m_window->recentFiles().value(0), doc->filePath());

    const Mix saved = doc->mix();
    MixDocument other;
    QString error;
    QVERIFY2(other.load(doc->filePath(), &error), qPrintable(error));
    QCOMPARE(other.mix(), saved);
    QCOMPARE(other.mix().tasks[0].steps[1].compute.ms, 75.25);
    QCOMPARE(other.mix().settings.workers.value_or(0), 5);

    // Save (not As) writes to the same file without asking.
    m_window->setSaveFilePrompt([](const QString&) -> QString {
        qWarning("Save asked for a file name");
        return {};
    });
    QVERIFY(m_window->taskModel()->setData(m_window->taskModel()->index(1, 1), QStringLiteral("2")));
    QVERIFY(m_window->save());
    QVERIFY(other.load(doc->filePath(), &error));
    QCOMPARE(other.mix().tasks[1].count, 2);
}

void TestMixEditor::runSettingsAreOverridesSavedWithTheMix()
{
    // A preset read and written back unchanged stays the same: no settings are invented.
    for (const QString& name : presetNames()) {
        Mix mix;
        QVERIFY(loadMix(QStringLiteral("preset:") + name, &mix, nullptr));
        QCOMPARE(MixDocument::settingsFor(mix.settings, RunSettings::fromMix(mix.settings)), mix.settings);
    }
    MixDocument* doc = m_window->document();
    QVERIFY(m_window->openSource(QStringLiteral("preset:convoy")));
    RunPanel* panel = m_window->runPanel();
    auto* interval = panel->findChild<QDoubleSpinBox*>(QStringLiteral("switchInterval"));
    auto* workers = panel->findChild<QSpinBox*>(QStringLiteral("workers"));
    QCOMPARE(workers->value(), 2);
    QCOMPARE(interval->value(), 5.0);

    // Trying other settings is not an edit of the mix: nothing to undo, nothing unsaved.
    interval->setValue(1.0);
    workers->setValue(0);
    QCOMPARE(panel->settings().switchIntervalMs, 1.0);
    QVERIFY(!doc->isModified());
    QCOMPARE(doc->undoStack()->count(), 0);
    QCOMPARE(doc->mix().settings.switchIntervalMs.value_or(0), 5.0);
    // Workers 0 means "the mode's default", shown with what it resolves to.
    QVERIFY(workers->specialValueText().startsWith(QLatin1String("Default (")));
    QVERIFY(panel->workersExplanation().contains(QLatin1String("ThreadPoolExecutor")));

    // Saving stores them as the mix's defaults: 0 workers is written as no workers at all.
    const QString file = m_dir.filePath(QStringLiteral("settings.taskline.json"));
    m_window->setSaveFilePrompt([&](const QString&) { return file; });
    QVERIFY(m_window->saveAs());
    Mix back;
    QVERIFY(loadMix(file, &back, nullptr));
    QCOMPARE(back.settings.switchIntervalMs.value_or(0), 1.0);
    QVERIFY(!back.settings.workers);
    QCOMPARE(back.settings.mode.value_or(Mode::Sequential), Mode::Threads);

    // Opening a mix shows its own settings again.
    QVERIFY(m_window->openSource(QStringLiteral("preset:convoy")));
    QCOMPARE(interval->value(), 5.0);
    QCOMPARE(workers->value(), 2);
}

void TestMixEditor::recentFilesKeepTheTenNewest()
{
    const Mix mix = twoTaskMix();
    QStringList files;
    for (int i = 0; i < 12; ++i) {
        const QString f = m_dir.filePath(QStringLiteral("recent-%1.taskline.json").arg(i));
        QString error;
        QVERIFY2(saveMix(f, mix, &error), qPrintable(error));
        QVERIFY(m_window->openSource(f));
        files.prepend(QFileInfo(f).absoluteFilePath());
    }
    QCOMPARE(m_window->recentFiles(), files.mid(0, 10));
    // Remembered for the next window, with the last file.
    m_window->close();
    QCOMPARE(QSettings().value(QStringLiteral("files/last")).toString(), files.first());
    MainWindow next;
    QCOMPARE(next.recentFiles(), files.mid(0, 10));
    next.openInitial();
    QCOMPARE(next.document()->filePath(), files.first());
}

void TestMixEditor::presetsAreOneClickAway()
{
    // Every preset has an action in the window; triggering it opens the preset.
    for (const QString& name : presetNames()) {
        QAction* a = m_window->action(QStringLiteral("preset-") + name);
        QVERIFY2(a, qPrintable(name));
        a->trigger();
        QCOMPARE(m_window->document()->source(), QStringLiteral("preset:") + name);
        QCOMPARE(m_window->taskModel()->rowCount(), int(m_window->document()->mix().tasks.size()));
        QVERIFY(!m_window->document()->isModified());
    }
}

QTEST_MAIN(TestMixEditor)
#include "tst_mixeditor.moc"
