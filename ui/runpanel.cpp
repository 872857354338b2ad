#include "runpanel.h"

#include "executor.h"
#include "mixformat.h"
#include "theme.h"
#include "utilsampler.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QToolButton>
#include <QVBoxLayout>

namespace taskline {

namespace {

QString modeHint(Mode m)
{
    switch (m) {
    case Mode::Sequential:
        return RunPanel::tr("One task after another on the main thread: the baseline the others are measured "
                            "against.");
    case Mode::Threads:
        return RunPanel::tr("A pool of OS threads, like ThreadPoolExecutor. With the GIL only one of them runs "
                            "Python code at a time, but their waits overlap.");
    case Mode::Coroutines:
        return RunPanel::tr("One event loop, like asyncio.gather: tasks take turns only where they wait.");
    case Mode::Processes:
        return RunPanel::tr("A pool of worker processes, like multiprocessing.Pool: each has its own GIL, so "
                            "computing runs in parallel.");
    }
    return {};
}

} // namespace

RunPanel::RunPanel(QWidget* parent)
    : QWidget(parent)
    , m_cores(std::max(1, UtilSampler::coreCount()))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    layout->setSpacing(2);
    auto* row = new QHBoxLayout;
    row->setSpacing(6);
    layout->addLayout(row);
    bool first = true;
    auto add = [&](const QString& label, QWidget* field) {
        if (!first)
            row->addSpacing(10);
        first = false;
        if (!label.isEmpty()) {
            auto* l = new QLabel(label);
            l->setBuddy(field);
            l->setObjectName(field->objectName() + QStringLiteral("Label"));
            row->addWidget(l);
            m_labels.insert(field, l);
        }
        row->addWidget(field);
    };

    m_mode = new QComboBox;
    m_mode->setObjectName(QStringLiteral("mode"));
    auto* modes = qobject_cast<QStandardItemModel*>(m_mode->model());
    for (int i = 0; i < kModeCount; ++i) {
        const Mode m = Mode(i);
        const bool available = isModeAvailable(m);
        m_mode->addItem(available ? modeLabel(m) : tr("%1 (not available yet)").arg(modeLabel(m)), i);
        if (!available && modes) {
            QStandardItem* item = modes->item(i);
            item->setFlags(item->flags() & ~(Qt::ItemIsEnabled | Qt::ItemIsSelectable));
            item->setToolTip(tr("This build of Taskline does not have the %1 mode yet.").arg(modeName(m)));
        }
    }
    m_mode->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    add(tr("&Mode"), m_mode);

    m_workers = new QSpinBox;
    m_workers->setObjectName(QStringLiteral("workers"));
    m_workers->setRange(0, kMaxWorkers);
    m_workers->setAccelerated(true);
    m_workers->setMinimumWidth(m_workers->fontMetrics().horizontalAdvance(QStringLiteral("Default (000)")) + 34);
    add(tr("&Workers"), m_workers);

    m_gil = new QCheckBox(tr("&GIL"));
    m_gil->setObjectName(QStringLiteral("gil"));
    m_gil->setToolTip(tr("Emulate CPython's GIL. Off: free-threaded Python (3.13t, 3.14), where threads run Python "
                         "code in parallel."));
    add(QString(), m_gil);

    m_switchInterval = new QDoubleSpinBox;
    m_switchInterval->setObjectName(QStringLiteral("switchInterval"));
    m_switchInterval->setRange(0.1, 1000);
    m_switchInterval->setDecimals(1);
    m_switchInterval->setSingleStep(0.5);
    m_switchInterval->setSuffix(tr(" ms"));
    m_switchInterval->setToolTip(tr("sys.setswitchinterval(): how long a thread waits for the GIL before it asks "
                                    "the holder to drop it (CPython: 5 ms)."));
    add(tr("S&witch interval"), m_switchInterval);

    m_startMethod = new QComboBox;
    m_startMethod->setObjectName(QStringLiteral("startMethod"));
    m_startMethod->addItem(tr("spawn"));
    m_startMethod->addItem(tr("forkserver"));
    m_startMethod->setToolTip(tr("spawn: each worker starts a fresh interpreter. forkserver: workers are forked "
                                 "from a small server process (Linux's default since Python 3.14)."));
    add(tr("&Start method"), m_startMethod);

    m_maxTasksPerChild = new QSpinBox;
    m_maxTasksPerChild->setObjectName(QStringLiteral("maxTasksPerChild"));
    m_maxTasksPerChild->setRange(0, kMaxTasksPerChild);
    m_maxTasksPerChild->setSpecialValueText(tr("Keep workers"));
    m_maxTasksPerChild->setToolTip(tr("maxtasksperchild: replace a worker process after this many tasks."));
    add(tr("Tasks per &child"), m_maxTasksPerChild);

    m_offload = new QCheckBox(tr("&Offload blocking calls"));
    m_offload->setObjectName(QStringLiteral("offload"));
    m_offload->setToolTip(tr("asyncio.to_thread(): blocking fetches and computing run on threads and leave the "
                             "event loop free."));
    add(QString(), m_offload);

    m_limit = new QSpinBox;
    m_limit->setObjectName(QStringLiteral("limit"));
    m_limit->setRange(0, kMaxExpandedTasks);
    m_limit->setSpecialValueText(tr("No limit"));
    m_limit->setToolTip(tr("asyncio.Semaphore: at most this many tasks in flight at once."));
    add(tr("&Limit"), m_limit);

    row->addStretch(1);
    m_buttons = new QWidget;
    row->addWidget(m_buttons);

    setToolTip(tr("These settings override the mix's defaults for the next run; saving the mix stores them as "
                  "its defaults."));
    m_hint = new QLabel;
    m_hint->setObjectName(QStringLiteral("modeHint"));
    m_hint->setWordWrap(true);
    setMutedText(m_hint);
    layout->addWidget(m_hint);

    connect(m_mode, &QComboBox::activated, this, [this] {
        updateVisibility();
        edited(tr("Mode"));
    });
    connect(m_workers, &QSpinBox::valueChanged, this, [this] {
        updateVisibility();
        edited(tr("Workers"));
    });
    connect(m_gil, &QCheckBox::toggled, this, [this] {
        updateVisibility();
        edited(tr("GIL"));
    });
    connect(m_switchInterval, &QDoubleSpinBox::valueChanged, this, [this] { edited(tr("Switch Interval")); });
    connect(m_startMethod, &QComboBox::activated, this, [this] { edited(tr("Start Method")); });
    connect(m_maxTasksPerChild, &QSpinBox::valueChanged, this, [this] { edited(tr("Tasks per Child")); });
    connect(m_offload, &QCheckBox::toggled, this, [this] {
        updateVisibility();
        edited(tr("Offload"));
    });
    connect(m_limit, &QSpinBox::valueChanged, this, [this] { edited(tr("Limit")); });

    setSettings(RunSettings());
}

void RunPanel::setRunActions(QAction* run, QAction* stop)
{
    auto* row = new QHBoxLayout(m_buttons);
    row->setContentsMargins(8, 0, 0, 0);
    for (QAction* a : { run, stop }) {
        auto* button = new QToolButton;
        button->setDefaultAction(a);
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        button->setIconSize(QSize(18, 18));
        button->setMinimumSize(84, 30);
        row->addWidget(button);
    }
}

void RunPanel::setSettings(const RunSettings& s)
{
    m_updating = true;
    m_mode->setCurrentIndex(int(s.mode));
    m_workers->setValue(s.workers);
    m_gil->setChecked(s.gil);
    m_switchInterval->setValue(s.switchIntervalMs);
    m_startMethod->setCurrentIndex(int(s.startMethod));
    m_maxTasksPerChild->setValue(s.maxTasksPerChild);
    m_offload->setChecked(s.offload);
    m_limit->setValue(s.limit);
    m_updating = false;
    updateVisibility();
}

RunSettings RunPanel::settings() const
{
    RunSettings s;
    s.mode = Mode(std::clamp(m_mode->currentIndex(), 0, kModeCount - 1));
    s.workers = m_workers->value();
    s.gil = m_gil->isChecked();
    s.switchIntervalMs = m_switchInterval->value();
    s.startMethod = StartMethod(m_startMethod->currentIndex());
    s.maxTasksPerChild = m_maxTasksPerChild->value();
    s.offload = m_offload->isChecked();
    s.limit = m_limit->value();
    return s;
}

QString RunPanel::workersExplanation() const
{
    const RunSettings s = settings();
    const int n = s.effectiveWorkers(m_cores);
    switch (s.mode) {
    case Mode::Sequential:
        return tr("Always one worker: the main thread.");
    case Mode::Coroutines:
        return tr("One event loop thread runs every task.");
    case Mode::Threads:
        return s.workers > 0 ? (n == 1 ? tr("One pool thread.") : tr("%1 pool threads.").arg(n))
                             : tr("Default: %1 threads, cores + 4, as ThreadPoolExecutor picks.").arg(n);
    case Mode::Processes:
        return s.workers > 0 ? (n == 1 ? tr("One worker process.") : tr("%1 worker processes.").arg(n))
                             : tr("Default: %1 processes, one per core, as Pool() picks.").arg(n);
    }
    return {};
}

void RunPanel::updateVisibility()
{
    const RunSettings s = settings();
    m_workers->setSpecialValueText(tr("Default (%1)").arg(s.effectiveWorkers(m_cores)));
    m_hint->setText(modeHint(s.mode) + QLatin1Char(' ') + workersExplanation());
    // Only what applies to the mode is shown: the strip stays one line.
    const bool pool = s.mode == Mode::Threads || s.mode == Mode::Processes;
    const bool threads = s.mode == Mode::Threads || (s.mode == Mode::Coroutines && s.offload);
    auto show = [this](QWidget* field, bool visible) {
        field->setVisible(visible);
        if (QLabel* label = m_labels.value(field))
            label->setVisible(visible);
    };
    show(m_workers, pool);
    show(m_gil, threads);
    show(m_switchInterval, threads);
    m_switchInterval->setEnabled(s.gil);
    show(m_startMethod, s.mode == Mode::Processes);
    show(m_maxTasksPerChild, s.mode == Mode::Processes);
    show(m_offload, s.mode == Mode::Coroutines);
    show(m_limit, s.mode == Mode::Coroutines);
}

void RunPanel::edited(const QString& what)
{
    if (!m_updating)
        emit settingsEdited(settings(), what);
}

} // namespace taskline
