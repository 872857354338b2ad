#include "mainwindow.h"

#include "compareview.h"
#include "executor.h"
#include "helpdialog.h"
#include "icons.h"
#include "labserver.h"
#include "mixdocument.h"
#include "mixformat.h"
#include "runcontroller.h"
#include "runpanel.h"
#include "stepeditor.h"
#include "summarypanel.h"
#include "taskdetailspanel.h"
#include "tasktablemodel.h"
#include "theme.h"
#include "undocommands.h"

#include <QAbstractTextDocumentLayout>
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMimeData>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QTableView>
#include <QTextEdit>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>
#include <cmath>

namespace taskline {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_doc(new MixDocument(this))
    , m_controller(new RunController(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(applicationIcon());
    setAcceptDrops(true);
    setDockNestingEnabled(true);
    // lab: URLs go to the embedded lab server, started on first use.
    m_controller->setLabUrlProvider([](QString* error) { return LabServer::sharedBaseUrl(error); });

    createActions();
    createWidgets();
    createDocks();
    createMenus();
    createToolBar();
    createStatusBar();
    connectDocument();

    connect(m_controller, &RunController::batchesAvailable, this, &MainWindow::onBatchesAvailable);
    connect(m_controller, &RunController::runFinished, this, &MainWindow::onRunFinished);
    m_statusTimer = new QTimer(this);
    m_statusTimer->setInterval(250);
    connect(m_statusTimer, &QTimer::timeout, this, &MainWindow::updateStatus);
    connect(m_statusTimer, &QTimer::timeout, this, &MainWindow::updateLiveSummary);

    m_defaultState = saveState(); // before the saved layout replaces it: View → Panels → Reset Layout
    readSettings();
    m_summaryPanel->showIdle();
    updateTitle();
    updateActions();
    updateStatus();
}

MainWindow::~MainWindow()
{
    // The base destructors close the window and delete its children: a cell editor still open commits, a line edit
    // loses focus and reports it. By then the window's own parts are gone, so nothing may call back into it.
    for (QObject* child : findChildren<QObject*>())
        child->disconnect(this);
    m_doc->undoStack()->disconnect(this); // a member of the document, not a child
    // The controller (a child) stops and joins its run; nothing may still point at our trace store by then.
    if (m_controller->isRunning())
        m_controller->stop();
}

QAction* MainWindow::makeAction(const QString& name, const QString& text, const QString& icon)
{
    auto* a = new QAction(text, this);
    a->setObjectName(name);
    if (!icon.isEmpty())
        a->setProperty("iconName", icon);
    return a;
}

QAction* MainWindow::action(const QString& name) const
{
    return findChild<QAction*>(name);
}

void MainWindow::createActions()
{
    // File
    QAction* a = makeAction(QStringLiteral("new"), tr("&New"), QStringLiteral("new"));
    a->setShortcut(QKeySequence::New);
    a->setToolTip(tr("Start a new mix"));
    connect(a, &QAction::triggered, this, &MainWindow::newMix);
    a = makeAction(QStringLiteral("open"), tr("&Open…"), QStringLiteral("open"));
    a->setShortcut(QKeySequence::Open);
    a->setToolTip(tr("Open a mix file (*.taskline.json)"));
    connect(a, &QAction::triggered, this, &MainWindow::openFile);
    a = makeAction(QStringLiteral("save"), tr("&Save"), QStringLiteral("save"));
    a->setShortcut(QKeySequence::Save);
    connect(a, &QAction::triggered, this, &MainWindow::save);
    a = makeAction(QStringLiteral("saveAs"), tr("Save &As…"));
    a->setShortcut(QKeySequence::SaveAs);
    connect(a, &QAction::triggered, this, &MainWindow::saveAs);
    a = makeAction(QStringLiteral("quit"), tr("&Quit"));
    a->setShortcut(QKeySequence::Quit);
    a->setMenuRole(QAction::QuitRole);
    connect(a, &QAction::triggered, this, &QWidget::close);

    // Edit
    QUndoStack* undo = m_doc->undoStack();
    a = undo->createUndoAction(this, tr("&Undo"));
    a->setObjectName(QStringLiteral("undo"));
    a->setProperty("iconName", QStringLiteral("undo"));
    a->setShortcut(QKeySequence::Undo);
    a->setPriority(QAction::LowPriority);
    a = undo->createRedoAction(this, tr("&Redo"));
    a->setObjectName(QStringLiteral("redo"));
    a->setProperty("iconName", QStringLiteral("redo"));
    a->setShortcut(QKeySequence::Redo);
    a->setPriority(QAction::LowPriority);
    a = makeAction(QStringLiteral("addTask"), tr("&Add Task"), QStringLiteral("add"));
    a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    connect(a, &QAction::triggered, this, &MainWindow::addTask);
    a = makeAction(QStringLiteral("duplicateTask"), tr("&Duplicate Task"), QStringLiteral("duplicate"));
    a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    connect(a, &QAction::triggered, this, &MainWindow::duplicateTask);
    a = makeAction(QStringLiteral("removeTask"), tr("Re&move Task"), QStringLiteral("remove"));
    a->setShortcut(QKeySequence::Delete);
    // Delete removes a task only while the task table has the focus: elsewhere it belongs to text fields and
    // the step list.
    a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(a, &QAction::triggered, this, &MainWindow::removeTask);
    a = makeAction(QStringLiteral("moveTaskUp"), tr("Move Task &Up"), QStringLiteral("up"));
    a->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Up));
    connect(a, &QAction::triggered, this, [this] { moveTask(-1); });
    a = makeAction(QStringLiteral("moveTaskDown"), tr("Move Task Do&wn"), QStringLiteral("down"));
    a->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Down));
    connect(a, &QAction::triggered, this, [this] { moveTask(+1); });
    a = makeAction(QStringLiteral("editMixInfo"), tr("Edit Mix &Description…"));
    connect(a, &QAction::triggered, this, &MainWindow::editMixInfo);

    // Run
    a = makeAction(QStringLiteral("run"), tr("&Run"), QStringLiteral("run"));
    a->setShortcut(QKeySequence(Qt::Key_F5));
    a->setToolTip(tr("Run the mix (F5)"));
    connect(a, &QAction::triggered, this, &MainWindow::runMix);
    a = makeAction(QStringLiteral("stop"), tr("&Stop"), QStringLiteral("stop"));
    a->setShortcut(QKeySequence(Qt::Key_Escape));
    a->setToolTip(tr("Stop the run (Esc); what ran so far stays on screen"));
    connect(a, &QAction::triggered, this, &MainWindow::stopRun);
    m_modeGroup = new QActionGroup(this);
    for (int i = 0; i < kModeCount; ++i) {
        const Mode m = Mode(i);
        const bool available = isModeAvailable(m);
        QAction* mode = makeAction(QStringLiteral("mode-") + QLatin1String(modeName(m)),
            available ? modeLabel(m) : tr("%1 (not available yet)").arg(modeLabel(m)));
        mode->setCheckable(true);
        mode->setEnabled(available);
        mode->setData(i);
        mode->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        m_modeGroup->addAction(mode);
    }
    connect(m_modeGroup, &QActionGroup::triggered, this, [this](QAction* mode) {
        RunSettings s = m_runPanel->settings();
        const Mode to = Mode(mode->data().toInt());
        s.workers = RunSettings::workersAfterModeChange(m_doc->mix().settings, s.workers, s.mode, to);
        s.mode = to;
        m_runPanel->setSettings(s);
        onSettingsEdited(s, tr("Mode"));
    });

    // View
    a = makeAction(QStringLiteral("zoomIn"), tr("Zoom &In"), QStringLiteral("zoom-in"));
    a->setShortcuts({ QKeySequence(Qt::CTRL | Qt::Key_Equal), QKeySequence::ZoomIn });
    a->setPriority(QAction::LowPriority);
    connect(a, &QAction::triggered, this, [this] { m_traceView->zoomIn(); });
    a = makeAction(QStringLiteral("zoomOut"), tr("Zoom &Out"), QStringLiteral("zoom-out"));
    a->setShortcuts({ QKeySequence(Qt::CTRL | Qt::Key_Minus), QKeySequence::ZoomOut });
    a->setPriority(QAction::LowPriority);
    connect(a, &QAction::triggered, this, [this] { m_traceView->zoomOut(); });
    a = makeAction(QStringLiteral("zoomFit"), tr("Zoom to &Fit"), QStringLiteral("zoom-fit"));
    a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    a->setPriority(QAction::LowPriority);
    connect(a, &QAction::triggered, this, [this] { m_traceView->zoomToFit(); });
    a = makeAction(QStringLiteral("followLive"), tr("Follow the &Live Edge"), QStringLiteral("follow"));
    a->setCheckable(true);
    a->setChecked(true);
    a->setPriority(QAction::LowPriority);
    a->setToolTip(tr("Keep the newest events in view while a run goes on"));
    connect(a, &QAction::toggled, this, [this](bool on) {
        if (m_traceView->followsLiveEdge() != on)
            m_traceView->setFollowLiveEdge(on);
    });
    m_laneGroup = new QActionGroup(this);
    a = makeAction(QStringLiteral("lanesByWorker"), tr("Lanes by &Worker"), QStringLiteral("lanes-worker"));
    a->setCheckable(true);
    a->setChecked(true);
    a->setPriority(QAction::LowPriority);
    a->setToolTip(tr("A lane per worker: which thread, loop or process ran what"));
    m_laneGroup->addAction(a);
    a = makeAction(QStringLiteral("lanesByTask"), tr("Lanes by &Task"), QStringLiteral("lanes-task"));
    a->setCheckable(true);
    a->setPriority(QAction::LowPriority);
    a->setToolTip(tr("A lane per task: what each task was doing, and waiting for"));
    m_laneGroup->addAction(a);
    connect(m_laneGroup, &QActionGroup::triggered, this, [this](QAction* lanes) {
        setLaneMode(lanes->objectName() == QLatin1String("lanesByTask") ? LaneMode::ByTask : LaneMode::ByWorker);
    });
    m_themeGroup = new QActionGroup(this);
    a = makeAction(QStringLiteral("themeLight"), tr("&Light Theme"));
    a->setCheckable(true);
    m_themeGroup->addAction(a);
    a = makeAction(QStringLiteral("themeDark"), tr("&Dark Theme"));
    a->setCheckable(true);
    m_themeGroup->addAction(a);
    connect(m_themeGroup, &QActionGroup::triggered, this,
        [this](QAction* t) { setTheme(t->objectName() == QLatin1String("themeDark") ? Theme::Dark : Theme::Light); });
    a = makeAction(QStringLiteral("toggleTheme"), tr("Switch Theme"), QStringLiteral("theme"));
    a->setPriority(QAction::LowPriority);
    a->setToolTip(tr("Switch between the light and the dark theme"));
    connect(a, &QAction::triggered, this, [this] { setTheme(m_theme == Theme::Dark ? Theme::Light : Theme::Dark); });
    a = makeAction(QStringLiteral("fullScreen"), tr("&Full Screen"));
    a->setShortcut(QKeySequence::FullScreen);
    a->setCheckable(true);
    connect(a, &QAction::toggled, this, [this](bool on) { on ? showFullScreen() : showNormal(); });

    // Help
    a = makeAction(QStringLiteral("whichModel"), tr("&Which Model Should I Use?"), QStringLiteral("help"));
    a->setShortcut(QKeySequence::HelpContents);
    a->setPriority(QAction::LowPriority);
    connect(a, &QAction::triggered, this, &MainWindow::showHelp);
    a = makeAction(QStringLiteral("about"), tr("&About Taskline"));
    a->setMenuRole(QAction::AboutRole);
    connect(a, &QAction::triggered, this, &MainWindow::showAbout);
    a = makeAction(QStringLiteral("aboutQt"), tr("About &Qt"));
    a->setMenuRole(QAction::AboutQtRole);
    connect(a, &QAction::triggered, qApp, &QApplication::aboutQt);

    createRunActions();
    createCompareActions();
}

void MainWindow::createWidgets()
{
    m_traceView = new TraceView;
    m_traceView->setObjectName(QStringLiteral("traceView"));
    // The toolbar and the View menu have the lane, zoom and follow controls: no second set above the timeline.
    m_traceView->setControlsVisible(false);
    m_traceView->setStatusTip(tr("Ctrl+wheel or +/− to zoom · drag to pan · click a span to select its task"));
    setCentralWidget(createRunArea()); // the run tabs, the timeline and the replay bar
    connect(m_traceView, &TraceView::followLiveEdgeChanged, this, [this](bool follow) {
        QAction* a = action(QStringLiteral("followLive"));
        if (a->isChecked() != follow)
            a->setChecked(follow); // panning away from the live edge stops following
    });
    connect(m_traceView, &TraceView::taskSelected, this, &MainWindow::showRunTask);
    connect(m_traceView, &TraceView::laneModeChanged, this, [this](LaneMode mode) {
        action(mode == LaneMode::ByTask ? QStringLiteral("lanesByTask") : QStringLiteral("lanesByWorker"))
            ->setChecked(true);
    });

    m_runPanel = new RunPanel;
    m_runPanel->setObjectName(QStringLiteral("runPanel"));
    m_runPanel->setRunActions(action(QStringLiteral("run")), action(QStringLiteral("stop")));
    connect(m_runPanel, &RunPanel::settingsEdited, this, &MainWindow::onSettingsEdited);

    m_summaryPanel = new SummaryPanel;
    m_summaryPanel->setObjectName(QStringLiteral("summaryPanel"));
    connect(m_summaryPanel, &SummaryPanel::taskClicked, this, &MainWindow::showRunTask);
    m_detailsPanel = new TaskDetailsPanel;
    m_detailsPanel->setObjectName(QStringLiteral("detailsPanel"));
}

void MainWindow::createDocks()
{
    // The mix: name, description, the task table with its buttons, and the step editor under it.
    auto* mixPanel = new QWidget;
    auto* mixLayout = new QVBoxLayout(mixPanel);
    mixLayout->setContentsMargins(8, 6, 8, 6);
    auto* nameRow = new QHBoxLayout;
    m_mixName = new QLineEdit;
    m_mixName->setObjectName(QStringLiteral("mixName"));
    m_mixName->setPlaceholderText(tr("Name of the mix"));
    QFont nameFont = m_mixName->font();
    nameFont.setBold(true);
    m_mixName->setFont(nameFont);
    nameRow->addWidget(m_mixName, 1);
    auto* presets = new QToolButton;
    presets->setObjectName(QStringLiteral("presetsButton"));
    presets->setText(tr("Presets"));
    presets->setToolTip(tr("Open a built-in mix"));
    presets->setPopupMode(QToolButton::InstantPopup);
    auto* presetMenu = new QMenu(presets);
    rebuildPresetMenu(presetMenu);
    presets->setMenu(presetMenu);
    nameRow->addWidget(presets);
    mixLayout->addLayout(nameRow);
    // The description can be a paragraph: up to four lines show, a longer one scrolls, so that the editor below
    // keeps its room on small screens.
    m_mixDescription = new QTextEdit;
    m_mixDescription->setObjectName(QStringLiteral("mixDescription"));
    m_mixDescription->setReadOnly(true);
    m_mixDescription->setFrameShape(QFrame::NoFrame);
    m_mixDescription->viewport()->setAutoFillBackground(false);
    m_mixDescription->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_mixDescription->document()->setDocumentMargin(0);
    m_mixDescription->setToolTip(tr("Edit → Edit Mix Description…"));
    setMutedText(m_mixDescription);
    connect(m_mixDescription->document()->documentLayout(), &QAbstractTextDocumentLayout::documentSizeChanged, this,
        [this](const QSizeF& size) {
            const int fourLines = m_mixDescription->fontMetrics().lineSpacing() * 4;
            m_mixDescription->setFixedHeight(std::min(int(std::ceil(size.height())), fourLines) + 2);
        });
    mixLayout->addWidget(m_mixDescription);

    auto* split = new QSplitter(Qt::Vertical);
    split->setObjectName(QStringLiteral("mixSplitter"));
    split->setChildrenCollapsible(false);
    auto* tasks = new QWidget;
    auto* tasksLayout = new QVBoxLayout(tasks);
    tasksLayout->setContentsMargins(0, 0, 0, 0);
    m_taskModel = new TaskTableModel(m_doc, this);
    m_taskView = new QTableView;
    m_taskView->setObjectName(QStringLiteral("taskTable"));
    m_taskView->setModel(m_taskModel);
    m_taskView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_taskView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_taskView->setAlternatingRowColors(true);
    m_taskView->setWordWrap(false);
    m_taskView->setTextElideMode(Qt::ElideRight);
    m_taskView->verticalHeader()->hide();
    m_taskView->verticalHeader()->setDefaultSectionSize(m_taskView->fontMetrics().height() + 10);
    m_taskView->horizontalHeader()->setHighlightSections(false);
    m_taskView->horizontalHeader()->setSectionResizeMode(TaskTableModel::NameColumn, QHeaderView::Interactive);
    m_taskView->horizontalHeader()->setSectionResizeMode(TaskTableModel::CountColumn, QHeaderView::ResizeToContents);
    m_taskView->horizontalHeader()->setSectionResizeMode(TaskTableModel::StepsColumn, QHeaderView::Stretch);
    m_taskView->setColumnWidth(TaskTableModel::NameColumn, 110);
    m_taskView->setEditTriggers(
        QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed | QAbstractItemView::AnyKeyPressed);
    // Right-click offers the table's commands; Delete (removeTask's shortcut) works while the table has the focus.
    m_taskView->setContextMenuPolicy(Qt::ActionsContextMenu);
    for (const char* name : { "addTask", "duplicateTask", "removeTask", "moveTaskUp", "moveTaskDown" })
        m_taskView->addAction(action(QLatin1String(name)));
    m_taskView->setMinimumHeight(m_taskView->verticalHeader()->defaultSectionSize() * 3);
    tasksLayout->addWidget(m_taskView, 1);
    auto* taskButtons = new QHBoxLayout;
    taskButtons->setSpacing(2);
    for (const char* name : { "addTask", "duplicateTask", "removeTask", "moveTaskUp", "moveTaskDown" }) {
        auto* b = new QToolButton;
        b->setDefaultAction(action(QLatin1String(name)));
        b->setAutoRaise(true);
        if (QLatin1String(name) == QLatin1String("addTask"))
            b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        taskButtons->addWidget(b);
    }
    taskButtons->addStretch(1);
    tasksLayout->addLayout(taskButtons);
    m_taskMessage = new QLabel;
    m_taskMessage->setObjectName(QStringLiteral("taskMessage"));
    m_taskMessage->setWordWrap(true);
    m_taskMessage->hide();
    tasksLayout->addWidget(m_taskMessage);
    split->addWidget(tasks);

    m_stepEditor = new StepEditor(m_doc);
    m_stepEditor->setObjectName(QStringLiteral("stepEditor"));
    split->addWidget(m_stepEditor);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    mixLayout->addWidget(split, 1);

    connect(m_taskModel, &TaskTableModel::editRefused, this, [this](int, int, const QString& reason) {
        m_taskMessage->setText(QStringLiteral("⚠ ") + reason);
        m_taskMessage->show();
        statusBar()->showMessage(reason, 6000);
    });
    // Name and count edit in place; the steps are edited below, so a double click on them goes there.
    connect(m_taskView, &QAbstractItemView::doubleClicked, this, [this](const QModelIndex& index) {
        if (index.column() == TaskTableModel::StepsColumn)
            m_stepEditor->stepView()->setFocus(Qt::OtherFocusReason);
    });
    connect(m_taskView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) { onTaskRowChanged(current.isValid() ? current.row() : -1); });

    auto dock = [this](const QString& name, const QString& title, QWidget* content) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(content);
        d->setFeatures(
            QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable | QDockWidget::DockWidgetClosable);
        return d;
    };
    // On a small screen the left column scrolls rather than pushing the window past the screen's bottom.
    auto scrollable = [](QWidget* content) {
        auto* area = new QScrollArea;
        area->setWidget(content);
        area->setWidgetResizable(true);
        area->setFrameShape(QFrame::NoFrame);
        area->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        return area;
    };
    m_runDock = dock(QStringLiteral("runDock"), tr("Run"), m_runPanel);
    // A strip above (or below) the timeline: the controls sit next to what they change.
    m_runDock->setAllowedAreas(Qt::TopDockWidgetArea | Qt::BottomDockWidgetArea);
    m_mixDock = dock(QStringLiteral("mixDock"), tr("Mix"), scrollable(mixPanel));
    m_summaryDock = dock(QStringLiteral("summaryDock"), tr("Summary"), m_summaryPanel);
    m_detailsDock = dock(QStringLiteral("detailsDock"), tr("Selected Task"), m_detailsPanel);
    // The left column runs the whole height; the summary and details share the bottom under the timeline.
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::TopLeftCorner, Qt::LeftDockWidgetArea);
    addDockWidget(Qt::TopDockWidgetArea, m_runDock);
    addDockWidget(Qt::LeftDockWidgetArea, m_mixDock);
    addDockWidget(Qt::BottomDockWidgetArea, m_summaryDock);
    splitDockWidget(m_summaryDock, m_detailsDock, Qt::Horizontal);
    // First-start proportions for the screen at hand; restoreState() replaces them later.
    const QRect screen = QGuiApplication::primaryScreen() ? QGuiApplication::primaryScreen()->availableGeometry()
                                                          : QRect(0, 0, 1600, 1000);
    const int left = std::clamp(screen.width() * 28 / 100, 360, 460);
    const int bottom = std::clamp(screen.height() * 30 / 100, 220, 300);
    resizeDocks({ m_mixDock }, { left }, Qt::Horizontal);
    resizeDocks({ m_summaryDock, m_detailsDock },
        { (screen.width() - left) * 6 / 10, (screen.width() - left) * 4 / 10 }, Qt::Horizontal);
    resizeDocks({ m_summaryDock }, { bottom }, Qt::Vertical);
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(action(QStringLiteral("new")));
    file->addAction(action(QStringLiteral("open")));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    QMenu* presets = file->addMenu(tr("Open &Preset"));
    rebuildPresetMenu(presets);
    file->addSeparator();
    file->addAction(action(QStringLiteral("save")));
    file->addAction(action(QStringLiteral("saveAs")));
    file->addSeparator();
    file->addAction(action(QStringLiteral("exportImage")));
    file->addSeparator();
    file->addAction(action(QStringLiteral("quit")));

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(action(QStringLiteral("undo")));
    edit->addAction(action(QStringLiteral("redo")));
    edit->addSeparator();
    edit->addAction(action(QStringLiteral("copyImage")));
    edit->addSeparator();
    for (const char* name : { "addTask", "duplicateTask", "removeTask", "moveTaskUp", "moveTaskDown" })
        edit->addAction(action(QLatin1String(name)));
    edit->addSeparator();
    edit->addAction(action(QStringLiteral("editMixInfo")));

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(action(QStringLiteral("run")));
    run->addAction(action(QStringLiteral("stop")));
    run->addAction(action(QStringLiteral("compareAll")));
    run->addAction(action(QStringLiteral("compareOpenRuns")));
    run->addSeparator();
    run->addSection(tr("Mode"));
    run->addActions(m_modeGroup->actions());
    addRunMenuItems(file, run);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(action(QStringLiteral("zoomIn")));
    view->addAction(action(QStringLiteral("zoomOut")));
    view->addAction(action(QStringLiteral("zoomFit")));
    view->addAction(action(QStringLiteral("followLive")));
    view->addSeparator();
    view->addActions(m_laneGroup->actions());
    view->addSeparator();
    view->addActions(m_themeGroup->actions());
    view->addSeparator();
    QMenu* panels = view->addMenu(tr("&Panels"));
    for (QDockWidget* d : { m_runDock, m_mixDock, m_summaryDock, m_detailsDock })
        panels->addAction(d->toggleViewAction());
    panels->addSeparator();
    QAction* reset = panels->addAction(tr("&Reset Layout"));
    reset->setObjectName(QStringLiteral("resetLayout"));
    connect(reset, &QAction::triggered, this, [this] { restoreState(m_defaultState); });
    view->addAction(action(QStringLiteral("fullScreen")));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(action(QStringLiteral("whichModel")));
    help->addSeparator();
    help->addAction(action(QStringLiteral("about")));
    help->addAction(action(QStringLiteral("aboutQt")));
}

void MainWindow::createToolBar()
{
    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->setIconSize(QSize(20, 20));
    bar->setMovable(false);
    for (const char* name : { "new", "open", "save" })
        bar->addAction(action(QLatin1String(name)));
    auto* presets = new QToolButton;
    presets->setText(tr("Presets"));
    presets->setToolTip(tr("Open a built-in mix"));
    presets->setPopupMode(QToolButton::InstantPopup);
    presets->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto* menu = new QMenu(presets);
    rebuildPresetMenu(menu);
    presets->setMenu(menu);
    bar->addWidget(presets);
    bar->addSeparator();
    for (const char* name : { "undo", "redo" })
        bar->addAction(action(QLatin1String(name)));
    bar->addSeparator();
    for (const char* name : { "run", "stop" })
        bar->addAction(action(QLatin1String(name)));
    bar->addSeparator();
    for (const char* name : { "zoomIn", "zoomOut", "zoomFit", "followLive", "lanesByWorker", "lanesByTask" })
        bar->addAction(action(QLatin1String(name)));
    auto* spacer = new QWidget;
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    bar->addWidget(spacer);
    bar->addAction(action(QStringLiteral("toggleTheme")));
    bar->addAction(action(QStringLiteral("whichModel")));
}

void MainWindow::createStatusBar()
{
    auto field = [this](const QString& name, const QString& tip) {
        auto* label = new QLabel;
        label->setObjectName(QStringLiteral("status-") + name);
        label->setToolTip(tip);
        label->setContentsMargins(8, 0, 8, 0);
        statusBar()->addPermanentWidget(label);
        return label;
    };
    m_statusState = field(QStringLiteral("state"), tr("The run's state"));
    m_statusTasks = field(QStringLiteral("tasks"), tr("Tasks done or failed, of all the run's tasks"));
    m_statusRate = field(QStringLiteral("rate"), tr("State changes recorded per second over the last second"));
    m_statusDropped = field(QStringLiteral("dropped"),
        tr("Events lost because a worker's buffer was full; the timeline has gaps where they were"));
}

QString MainWindow::statusText(const QString& field) const
{
    if (const auto* label = findChild<QLabel*>(QStringLiteral("status-") + field))
        return label->text();
    return {};
}

void MainWindow::connectDocument()
{
    connect(m_doc, &MixDocument::modifiedChanged, this, [this] { updateTitle(); });
    connect(m_doc, &MixDocument::sourceChanged, this, [this] { updateTitle(); });
    connect(m_doc, &MixDocument::infoChanged, this, [this] {
        const Mix& mix = m_doc->mix();
        if (m_mixName->text() != mix.name) {
            m_mixName->setText(mix.name);
            if (!m_mixName->hasFocus())
                m_mixName->setCursorPosition(0); // show the start of a long name, not its end
        }
        m_mixDescription->setPlainText(mix.description.isEmpty() ? tr("No description.") : mix.description);
        m_mixName->setStyleSheet({});
        m_mixName->setToolTip({});
    });
    connect(m_mixName, &QLineEdit::textEdited, this, [this](const QString& text) {
        if (text.trimmed().isEmpty()) {
            // Refused in place: the mix keeps its name until this one is valid.
            m_mixName->setStyleSheet(QStringLiteral("QLineEdit { border: 2px solid %1; border-radius: 3px; }")
                                         .arg(stateColor(TaskState::Failed, m_theme).name()));
            m_mixName->setToolTip(tr("The mix needs a name."));
            statusBar()->showMessage(tr("The mix needs a name."), 4000);
            return;
        }
        m_mixName->setStyleSheet({});
        m_mixName->setToolTip({});
        m_doc->undoStack()->push(new EditInfoCommand(m_doc, text, m_doc->mix().description));
    });
    connect(m_mixName, &QLineEdit::editingFinished, this, [this] {
        if (m_mixName->text().trimmed().isEmpty())
            m_mixName->setText(m_doc->mix().name);
        m_mixName->setStyleSheet({});
    });
    connect(m_doc, &MixDocument::settingsChanged, this, [this] {
        const RunSettings s = RunSettings::fromMix(m_doc->mix().settings);
        m_runPanel->setMixSettings(m_doc->mix().settings);
        m_runPanel->setSettings(s);
        m_modeGroup->actions().at(int(s.mode))->setChecked(true);
    });
    connect(m_doc, &MixDocument::reset, this, [this] {
        m_taskMessage->hide();
        selectTaskRow(0);
    });
    connect(m_doc, &MixDocument::focusRequested, this, [this](int task, int step) {
        selectTaskRow(task);
        if (step >= 0)
            m_stepEditor->setCurrentStep(step);
    });
    auto changed = [this] {
        m_taskMessage->hide();
        updateActions();
    };
    connect(m_doc->undoStack(), &QUndoStack::indexChanged, this, changed);
    // The document was built before the window connected to it: show what it holds.
    emit m_doc->infoChanged();
    emit m_doc->settingsChanged();
}

void MainWindow::updateTitle()
{
    setWindowTitle(QStringLiteral("%1[*]").arg(m_doc->displayName()));
    setWindowModified(m_doc->isModified());
    action(QStringLiteral("save"))
        ->setToolTip(m_doc->filePath().isEmpty() ? tr("Save the mix to a file")
                                                 : tr("Save the mix to %1").arg(m_doc->filePath()));
}

void MainWindow::updateActions()
{
    const bool running = m_controller->isRunning() || isComparing(); // one run at a time on the machine
    const int row = currentTaskRow();
    const int rows = m_taskModel ? m_taskModel->rowCount() : 0;
    const bool modeOk = isModeAvailable(m_runPanel->settings().mode);
    action(QStringLiteral("run"))->setEnabled(!running && modeOk);
    action(QStringLiteral("run"))
        ->setToolTip(modeOk ? tr("Run the mix (F5)")
                            : tr("The %1 mode is not available yet; pick another mode.")
                                  .arg(modeName(m_runPanel->settings().mode)));
    action(QStringLiteral("stop"))->setEnabled(m_controller->isRunning() && !m_stopping);
    action(QStringLiteral("compareAll"))->setEnabled(!running);
    action(QStringLiteral("compareOpenRuns"))->setEnabled(!running);
    action(QStringLiteral("duplicateTask"))->setEnabled(row >= 0);
    // A mix needs at least one task.
    action(QStringLiteral("removeTask"))->setEnabled(row >= 0 && rows > 1);
    action(QStringLiteral("moveTaskUp"))->setEnabled(row > 0);
    action(QStringLiteral("moveTaskDown"))->setEnabled(row >= 0 && row < rows - 1);
    updateRunActions();
}

void MainWindow::refreshIcons()
{
    for (QAction* a : findChildren<QAction*>()) {
        const QString name = a->property("iconName").toString();
        if (!name.isEmpty())
            a->setIcon(themedIcon(name));
    }
    m_stepEditor->setTheme(m_theme);
}

void MainWindow::setTheme(Theme theme)
{
    m_theme = theme;
    applyWidgetTheme(theme);
    action(theme == Theme::Dark ? QStringLiteral("themeDark") : QStringLiteral("themeLight"))->setChecked(true);
    m_traceView->setTheme(theme);
    m_summaryPanel->setTheme(theme);
    m_detailsPanel->setTheme(theme);
    if (m_compareView)
        m_compareView->setTheme(theme);
    m_taskMessage->setStyleSheet(QStringLiteral("color: %1;").arg(errorTextColor(theme).name()));
    refreshIcons();
    updateStatus();
}

void MainWindow::setLaneMode(LaneMode mode)
{
    if (m_traceView->laneMode() != mode)
        m_traceView->setLaneMode(mode);
    action(mode == LaneMode::ByTask ? QStringLiteral("lanesByTask") : QStringLiteral("lanesByWorker"))
        ->setChecked(true);
}

void MainWindow::readSettings()
{
    QSettings s;
    setTheme(themeFromName(
        s.value(QStringLiteral("view/theme")).toString(), systemPrefersDark() ? Theme::Dark : Theme::Light));
    setLaneMode(s.value(QStringLiteral("view/lanes")).toString() == QLatin1String("task") ? LaneMode::ByTask
                                                                                          : LaneMode::ByWorker);
    m_recent = s.value(QStringLiteral("files/recent")).toStringList();
    rebuildRecentMenu();
    if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray())) {
        // First start: most of the screen, centred; the timeline wants the room.
        const QRect screen = QGuiApplication::primaryScreen() ? QGuiApplication::primaryScreen()->availableGeometry()
                                                              : QRect(0, 0, 1600, 1000);
        const QSize size(std::min(1600, screen.width() * 95 / 100), std::min(1000, screen.height() * 95 / 100));
        setGeometry(QStyle::alignedRect(Qt::LeftToRight, Qt::AlignCenter, size, screen));
    }
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::writeSettings()
{
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("view/theme"), QLatin1String(themeName(m_theme)));
    s.setValue(QStringLiteral("view/lanes"),
        m_traceView->laneMode() == LaneMode::ByTask ? QStringLiteral("task") : QStringLiteral("worker"));
    s.setValue(QStringLiteral("files/recent"), m_recent);
    s.setValue(QStringLiteral("files/last"), m_doc->source());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    writeSettings();
    if (m_controller->isRunning())
        m_controller->stop(); // the controller joins the run when it is destroyed with the window
    if (m_helpDialog)
        m_helpDialog->close();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile())
        return;
    event->acceptProposedAction();
    // Saved runs open in tabs, as many as were dropped; of mixes, the first.
    QStringList files;
    bool mix = false;
    for (const QUrl& url : urls) {
        if (!url.isLocalFile())
            continue;
        const QString file = url.toLocalFile();
        if (isRunFile(file) || !mix) {
            mix = mix || !isRunFile(file);
            files << file;
        }
    }
    // Open after the drop has returned: a question about unsaved changes must not block the drag source.
    QTimer::singleShot(0, this, [this, files] {
        for (const QString& file : files)
            openSource(file);
    });
}

void MainWindow::showError(const QString& title, const QString& text)
{
    m_lastError = text;
    statusBar()->showMessage(text, 8000);
    // Not modal: the window stays usable, and tests are not blocked.
    auto* box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(QStringLiteral("errorBox"));
    box->open();
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Taskline"),
        tr("<h3>Taskline %1</h3>"
           "<p>A desktop lab that makes concurrency visible: build a mix of real tasks (fetches, regex and hash "
           "computing, sleeps), run it sequentially, with threads under an emulated CPython GIL, with coroutines "
           "or with processes, and watch every task's state on a live timeline.</p>"
           "<p>The work is real: real HTTP requests through libcurl, real CPU work on real data, real threads and "
           "processes. Only the GIL is emulated, so that threads behave like CPython's, and can be switched off "
           "to show free-threaded Python.</p>"
           "<p>State colours: the Okabe–Ito palette, readable with common colour-vision deficiencies.</p>")
            .arg(QCoreApplication::applicationVersion()));
}

void MainWindow::showHelp()
{
    if (!m_helpDialog) {
        m_helpDialog = new HelpDialog(this);
        connect(m_helpDialog, &HelpDialog::presetRequested, this,
            [this](const QString& name) { openSource(QStringLiteral("preset:") + name); });
    }
    m_helpDialog->show();
    m_helpDialog->raise();
    m_helpDialog->activateWindow();
}

void MainWindow::editMixInfo()
{
    const Mix& mix = m_doc->mix();
    bool ok = false;
    const QString description = QInputDialog::getMultiLineText(
        this, tr("Mix Description"), tr("What the mix shows (for the people you show it to):"), mix.description, &ok);
    if (ok && description != mix.description)
        m_doc->undoStack()->push(new EditInfoCommand(m_doc, mix.name, description));
    m_mixName->setFocus();
    m_mixName->selectAll();
}

} // namespace taskline
