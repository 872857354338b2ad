#include "stepeditor.h"

#include "icons.h"
#include "mixdocument.h"
#include "mixformat.h"
#include "steplistmodel.h"
#include "theme.h"
#include "undocommands.h"

#include <QAction>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>

namespace taskline {

namespace {

// Numbers as the mix file writes them: "100", "0.5", never "1e+02".
QString formatNumber(double v)
{
    if (v == std::floor(v) && std::abs(v) < 1e15)
        return QString::number(qint64(v));
    return QString::number(v, 'g', 15);
}

// Accepts the user's locale ("2,5") and the file's notation ("2.5").
bool parseNumber(const QString& text, double* out)
{
    bool ok = false;
    const QString t = text.trimmed();
    double v = QLocale().toDouble(t, &ok);
    if (!ok)
        v = QLocale::c().toDouble(t, &ok);
    if (ok)
        *out = v;
    return ok;
}

QLineEdit* numberField(const QString& objectName)
{
    auto* edit = new QLineEdit;
    edit->setObjectName(objectName);
    edit->setAlignment(Qt::AlignRight);
    edit->setMaximumWidth(140);
    return edit;
}

QWidget* withUnit(QLineEdit* edit, const QString& unit)
{
    auto* box = new QWidget;
    auto* row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(edit);
    row->addWidget(new QLabel(unit));
    row->addStretch(1);
    return box;
}

} // namespace

StepEditor::StepEditor(MixDocument* doc, QWidget* parent)
    : QWidget(parent)
    , m_doc(doc)
    , m_model(new StepListModel(doc, this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    m_title = new QLabel;
    m_title->setObjectName(QStringLiteral("stepsTitle"));
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    layout->addWidget(m_title);

    // A one-column table rather than a list: its row header numbers the steps, as the details panel does.
    m_list = new QTableView;
    m_list->setObjectName(QStringLiteral("stepList"));
    m_list->setModel(m_model);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_list->setShowGrid(false);
    m_list->setWordWrap(false);
    m_list->horizontalHeader()->hide();
    m_list->horizontalHeader()->setStretchLastSection(true);
    m_list->verticalHeader()->setDefaultSectionSize(m_list->fontMetrics().height() + 8);
    m_list->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_list->verticalHeader()->setDefaultAlignment(Qt::AlignCenter);
    m_list->setMinimumHeight(m_list->verticalHeader()->defaultSectionSize() * 3);
    layout->addWidget(m_list, 1);

    auto* buttons = new QHBoxLayout;
    buttons->setSpacing(2);
    m_addButton = new QToolButton;
    m_addButton->setObjectName(QStringLiteral("addStep"));
    m_addButton->setText(tr("Add Step"));
    m_addButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_addButton->setPopupMode(QToolButton::InstantPopup);
    m_addButton->setProperty("iconName", QStringLiteral("add"));
    auto* addMenu = new QMenu(m_addButton);
    addMenu->addAction(tr("Compute"), this, [this] { addStep(StepKind::Compute); });
    addMenu->addAction(tr("Fetch"), this, [this] { addStep(StepKind::Fetch); });
    addMenu->addAction(tr("Sleep"), this, [this] { addStep(StepKind::Sleep); });
    m_addButton->setMenu(addMenu);
    buttons->addWidget(m_addButton);

    auto makeAction = [this, buttons](const QString& text, const QString& icon, auto slot) {
        auto* action = new QAction(text, this);
        action->setObjectName(icon + QStringLiteral("Step"));
        action->setProperty("iconName", icon);
        connect(action, &QAction::triggered, this, slot);
        auto* button = new QToolButton;
        button->setDefaultAction(action);
        button->setAutoRaise(true);
        buttons->addWidget(button);
        return action;
    };
    m_duplicateAction = makeAction(tr("Duplicate Step"), QStringLiteral("duplicate"), [this] { duplicateStep(); });
    m_removeAction = makeAction(tr("Remove Step"), QStringLiteral("remove"), [this] { removeStep(); });
    m_upAction = makeAction(tr("Move Step Up"), QStringLiteral("up"), [this] { moveStep(-1); });
    m_downAction = makeAction(tr("Move Step Down"), QStringLiteral("down"), [this] { moveStep(+1); });
    buttons->addStretch(1);
    layout->addLayout(buttons);
    // Delete removes the step while the list has the focus (the window's Delete removes the task elsewhere).
    m_removeAction->setShortcut(QKeySequence::Delete);
    m_removeAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_list->setContextMenuPolicy(Qt::ActionsContextMenu);
    for (QAction* a : addMenu->actions()) {
        a->setText(tr("Add %1 Step").arg(a->text()));
        m_list->addAction(a);
    }
    for (QAction* a : { m_duplicateAction, m_removeAction, m_upAction, m_downAction })
        m_list->addAction(a);

    buildFields();
    layout->addWidget(m_fieldsBox);
    m_placeholder = new QLabel(tr("Select a task to edit its steps."));
    m_placeholder->setWordWrap(true);
    setMutedText(m_placeholder);
    layout->addWidget(m_placeholder);

    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] {
        refreshFields();
        updateActions();
    });
    connect(doc, &MixDocument::stepChanged, this, [this](int task, int step) {
        if (task == m_task && step == currentStep())
            refreshFields();
    });
    connect(doc, &MixDocument::taskChanged, this, [this](int task) {
        if (task == m_task)
            setTask(task); // the title and the step count
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] { updateActions(); });
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, [this] { updateActions(); });
    connect(m_model, &QAbstractItemModel::rowsMoved, this, [this] { updateActions(); });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_task = m_model->task();
        setTask(m_task);
    });
    setTask(m_model->task());
    setTheme(Theme::Light);
}

void StepEditor::buildFields()
{
    // One form for every kind (rows of the other kinds hidden), so that all labels line up in one column.
    m_fieldsBox = new QWidget;
    m_form = new QFormLayout(m_fieldsBox);
    m_form->setContentsMargins(0, 6, 0, 0);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    m_kind = new QComboBox;
    m_kind->setObjectName(QStringLiteral("kind"));
    m_kind->addItem(tr("Compute: burn CPU on real data"));
    m_kind->addItem(tr("Fetch: an HTTP request"));
    m_kind->addItem(tr("Sleep: wait without using the CPU"));
    connect(m_kind, &QComboBox::activated, this, [this](int i) { onKindChosen(i); });
    m_form->addRow(tr("Kind"), m_kind);

    auto row = [this](StepKind kind, const QString& label, QWidget* field) {
        if (label.isEmpty())
            m_form->addRow(field);
        else
            m_form->addRow(label, field);
        m_kindRows.append({ field, kind });
    };
    auto errorRow = [this](StepKind kind, QLineEdit* field) {
        auto* label = new QLabel;
        label->setObjectName(field->objectName() + QStringLiteral("Error"));
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_errors.insert(field, label);
        m_form->addRow(label);
        m_kindRows.append({ label, kind });
    };

    // Compute
    m_computeMs = numberField(QStringLiteral("computeMs"));
    m_computeMs->setProperty(
        "plainToolTip", tr("As much work as takes this long on one core of this machine (calibrated once)."));
    row(StepKind::Compute, tr("Duration"), withUnit(m_computeMs, tr("ms of CPU")));
    errorRow(StepKind::Compute, m_computeMs);
    m_kernel = new QComboBox;
    m_kernel->setObjectName(QStringLiteral("kernel"));
    m_kernel->addItem(tr("regex: find <meta> tags in HTML"));
    m_kernel->addItem(tr("hash: SHA-256 over bytes"));
    row(StepKind::Compute, tr("Kernel"), m_kernel);
    m_gil = new QComboBox;
    m_gil->setObjectName(QStringLiteral("gil"));
    m_gil->addItem(tr("interruptible (pure Python)"));
    m_gil->addItem(tr("holds it (one long C call)"));
    m_gil->addItem(tr("releases it (hashlib, numpy)"));
    m_gil->setToolTip(tr("How this step treats the GIL in threads mode."));
    row(StepKind::Compute, tr("GIL"), m_gil);
    m_payload = numberField(QStringLiteral("payload"));
    m_payload->setProperty("plainToolTip",
        tr("The data the step works on, which processes mode copies to its worker.\n"
           "0: the page the previous fetch returned (or a default page)."));
    row(StepKind::Compute, tr("Payload"), withUnit(m_payload, tr("bytes (0: the page fetched before)")));
    errorRow(StepKind::Compute, m_payload);

    // Fetch
    m_url = new QLineEdit;
    m_url->setObjectName(QStringLiteral("url"));
    m_url->setPlaceholderText(QStringLiteral("lab:/delay?ms=200&bytes=20000"));
    m_url->setClearButtonEnabled(true);
    row(StepKind::Fetch, tr("URL"), m_url);
    errorRow(StepKind::Fetch, m_url);
    m_client = new QComboBox;
    m_client->setObjectName(QStringLiteral("client"));
    m_client->addItem(tr("async (like aiohttp)"));
    m_client->addItem(tr("blocking (like urllib)"));
    m_client->setToolTip(tr("A blocking client stalls the whole event loop in coroutines mode."));
    row(StepKind::Fetch, tr("Client"), m_client);
    auto* hint = new QLabel(tr("<i>lab:/delay?ms=M&amp;bytes=B</i> asks the built-in lab server for B bytes of "
                               "HTML after M ms; <i>lab:/status/404</i> fails. Any http:// or https:// URL works "
                               "when online."));
    hint->setWordWrap(true);
    setMutedText(hint);
    row(StepKind::Fetch, QString(), hint);

    // Sleep
    m_sleepMs = numberField(QStringLiteral("sleepMs"));
    row(StepKind::Sleep, tr("Duration"), withUnit(m_sleepMs, tr("ms")));
    errorRow(StepKind::Sleep, m_sleepMs);

    for (QLineEdit* edit : { m_computeMs, m_payload, m_sleepMs })
        connect(edit, &QLineEdit::textEdited, this, [this, edit] { onNumberEdited(edit); });
    connect(m_url, &QLineEdit::textEdited, this, [this] { onUrlEdited(); });
    for (QComboBox* combo : { m_kernel, m_gil, m_client })
        connect(combo, &QComboBox::activated, this, [this, combo] { onChoice(combo); });
    showKindRows(StepKind::Compute);
}

void StepEditor::showKindRows(StepKind kind)
{
    m_shownKind = kind;
    for (const auto& [widget, rowKind] : std::as_const(m_kindRows)) {
        bool visible = rowKind == kind;
        // An error row only while it has something to say.
        if (auto* label = qobject_cast<QLabel*>(widget); label && m_errors.key(label))
            visible = visible && !label->text().isEmpty();
        m_form->setRowVisible(widget, visible);
    }
}

void StepEditor::setTheme(Theme theme)
{
    m_model->setTheme(theme);
    m_errorColor = stateColor(TaskState::Failed, theme);
    for (QLabel* label : std::as_const(m_errors))
        label->setStyleSheet(QStringLiteral("color: %1;").arg(errorTextColor(theme).name()));
    m_addButton->setIcon(themedIcon(QStringLiteral("add")));
    for (QAction* a : { m_duplicateAction, m_removeAction, m_upAction, m_downAction })
        a->setIcon(themedIcon(a->property("iconName").toString()));
    // Re-mark invalid fields in the new theme's colour.
    for (auto it = m_errors.begin(); it != m_errors.end(); ++it)
        if (!it.value()->isHidden())
            showProblem(it.key(), it.value()->text());
}

void StepEditor::setTask(int task)
{
    const int keep = task == m_task ? currentStep() : 0;
    m_task = task;
    m_model->setTask(task);
    const bool valid = task >= 0 && size_t(task) < m_doc->mix().tasks.size();
    if (valid) {
        const TaskSpec& spec = m_doc->mix().tasks[size_t(task)];
        m_title->setText(spec.count > 1 ? tr("Steps of “%1” (×%2)").arg(spec.name).arg(spec.count)
                                        : tr("Steps of “%1”").arg(spec.name));
        if (currentStep() < 0)
            setCurrentStep(std::clamp(keep, 0, int(spec.steps.size()) - 1));
    } else {
        m_title->setText(tr("Steps"));
    }
    m_placeholder->setVisible(!valid);
    refreshFields();
    updateActions();
}

void StepEditor::setCurrentStep(int step)
{
    if (step < 0 || step >= m_model->rowCount()) {
        m_list->setCurrentIndex({});
        return;
    }
    const QModelIndex index = m_model->index(step);
    m_list->setCurrentIndex(index);
    m_list->scrollTo(index);
}

int StepEditor::currentStep() const
{
    const QModelIndex index = m_list->currentIndex();
    return index.isValid() ? index.row() : -1;
}

const Step* StepEditor::currentStepValue() const
{
    const int step = currentStep();
    if (m_task < 0 || size_t(m_task) >= m_doc->mix().tasks.size() || step < 0)
        return nullptr;
    const TaskSpec& spec = m_doc->mix().tasks[size_t(m_task)];
    return size_t(step) < spec.steps.size() ? &spec.steps[size_t(step)] : nullptr;
}

QString StepEditor::problemShown(const QString& objectName) const
{
    for (auto it = m_errors.begin(); it != m_errors.end(); ++it)
        if (it.key()->objectName() == objectName)
            return it.value()->isHidden() ? QString() : it.value()->text();
    return {};
}

void StepEditor::updateActions()
{
    const int rows = m_model->rowCount();
    const int step = currentStep();
    m_addButton->setEnabled(m_task >= 0);
    m_duplicateAction->setEnabled(step >= 0);
    // A task needs at least one step (the format refuses an empty list).
    m_removeAction->setEnabled(step >= 0 && rows > 1);
    m_upAction->setEnabled(step > 0);
    m_downAction->setEnabled(step >= 0 && step < rows - 1);
}

void StepEditor::refreshFields()
{
    const Step* step = currentStepValue();
    m_fieldsBox->setVisible(step != nullptr);
    if (!step)
        return;
    m_kind->setCurrentIndex(int(step->kind));
    showKindRows(step->kind);
    // A field whose text already means the stored value keeps its text and cursor (it is being typed in).
    auto setNumber = [this](QLineEdit* edit, double value) {
        double shown = 0;
        if (!parseNumber(edit->text(), &shown) || shown != value || !m_errors.value(edit)->isHidden())
            edit->setText(formatNumber(value));
        showProblem(edit, {});
    };
    switch (step->kind) {
    case StepKind::Compute:
        setNumber(m_computeMs, step->compute.ms);
        setNumber(m_payload, double(step->compute.payloadBytes));
        m_kernel->setCurrentIndex(int(step->compute.kernel));
        m_gil->setCurrentIndex(int(step->compute.gil));
        break;
    case StepKind::Fetch:
        if (m_url->text() != step->fetch.url)
            m_url->setText(step->fetch.url);
        showProblem(m_url, {});
        m_client->setCurrentIndex(int(step->fetch.client));
        break;
    case StepKind::Sleep:
        setNumber(m_sleepMs, step->sleep.ms);
        break;
    }
}

void StepEditor::showProblem(QLineEdit* field, const QString& problem)
{
    QLabel* label = m_errors.value(field);
    if (!label)
        return;
    label->setText(problem);
    showKindRows(m_shownKind);
    field->setStyleSheet(problem.isEmpty()
            ? QString()
            : QStringLiteral("QLineEdit { border: 2px solid %1; border-radius: 3px; padding: 1px 3px; }")
                  .arg(m_errorColor.name()));
    field->setToolTip(problem.isEmpty() ? field->property("plainToolTip").toString() : problem);
}

bool StepEditor::commit(const Step& value, const QString& fieldName, QLineEdit* field)
{
    const Step* current = currentStepValue();
    if (!current)
        return false;
    Mix candidate = m_doc->mix();
    candidate.tasks[size_t(m_task)].steps[size_t(currentStep())] = value;
    const MixError e = validateMix(candidate);
    if (!e.isEmpty()) {
        if (field)
            showProblem(field, tr("%1 %2.").arg(fieldName, e.message));
        return false;
    }
    if (field)
        showProblem(field, {});
    if (value == *current && value.kind == current->kind)
        return true;
    m_doc->undoStack()->push(new EditStepCommand(m_doc, m_task, currentStep(), value, fieldName.toLower()));
    return true;
}

void StepEditor::onNumberEdited(QLineEdit* edit)
{
    const Step* current = currentStepValue();
    if (!current)
        return;
    const QString name = edit == m_payload ? tr("Payload") : tr("Duration");
    double v = 0;
    if (!parseNumber(edit->text(), &v)) {
        showProblem(edit,
            edit->text().trimmed().isEmpty() ? tr("%1 is required.").arg(name)
                                             : tr("%1 must be a number (got “%2”).").arg(name, edit->text()));
        return;
    }
    Step value = *current;
    if (edit == m_computeMs) {
        value.compute.ms = v;
    } else if (edit == m_sleepMs) {
        value.sleep.ms = v;
    } else {
        // The step holds whole bytes: refuse a fraction here, before the conversion would hide it.
        if (v != std::floor(v) || !std::isfinite(v)) {
            showProblem(edit, tr("%1 must be a whole number of bytes (got %2).").arg(name, edit->text().trimmed()));
            return;
        }
        if (std::abs(v) >= 9e18) { // beyond int64: the conversion would be undefined
            showProblem(edit, tr("%1 must be at most %2 (got %3).").arg(name).arg(kMaxPayloadBytes).arg(edit->text()));
            return;
        }
        value.compute.payloadBytes = int64_t(v);
    }
    commit(value, name, edit);
}

void StepEditor::onUrlEdited()
{
    const Step* current = currentStepValue();
    if (!current)
        return;
    Step value = *current;
    value.fetch.url = m_url->text().trimmed();
    commit(value, tr("URL"), m_url);
}

void StepEditor::onChoice(QComboBox* combo)
{
    const Step* current = currentStepValue();
    if (!current)
        return;
    Step value = *current;
    QString name;
    if (combo == m_kernel) {
        value.compute.kernel = Kernel(combo->currentIndex());
        name = tr("Kernel");
    } else if (combo == m_gil) {
        value.compute.gil = GilBehaviour(combo->currentIndex());
        name = tr("GIL Behaviour");
    } else {
        value.fetch.client = FetchClient(combo->currentIndex());
        name = tr("Client");
    }
    commit(value, name, nullptr);
}

void StepEditor::onKindChosen(int kind)
{
    const Step* current = currentStepValue();
    if (!current || int(current->kind) == kind)
        return;
    Step value = *current;
    value.kind = StepKind(kind);
    // The members of the other kinds may hold leftovers or nothing yet: give them useful, valid values.
    if (value.kind == StepKind::Fetch && !value.fetch.url.startsWith(QLatin1String("lab:/"))
        && !value.fetch.url.startsWith(QLatin1String("http")))
        value.fetch.url = QStringLiteral("lab:/delay?ms=200&bytes=20000");
    if (value.kind == StepKind::Sleep && value.sleep.ms <= 0)
        value.sleep.ms = 100;
    if (!commit(value, tr("Kind"), nullptr))
        m_kind->setCurrentIndex(int(current->kind));
}

void StepEditor::addStep(StepKind kind)
{
    if (m_task < 0)
        return;
    Step step;
    QString text;
    switch (kind) {
    case StepKind::Compute:
        step = Step::makeCompute(100);
        text = tr("Add Compute Step");
        break;
    case StepKind::Fetch:
        step = Step::makeFetch(QStringLiteral("lab:/delay?ms=200&bytes=20000"));
        text = tr("Add Fetch Step");
        break;
    case StepKind::Sleep:
        step = Step::makeSleep(100);
        text = tr("Add Sleep Step");
        break;
    }
    const int at = currentStep() < 0 ? m_model->rowCount() : currentStep() + 1;
    m_doc->undoStack()->push(new InsertStepCommand(m_doc, m_task, at, step, text));
    setCurrentStep(at);
}

void StepEditor::duplicateStep()
{
    const Step* current = currentStepValue();
    if (!current)
        return;
    const int at = currentStep() + 1;
    m_doc->undoStack()->push(new InsertStepCommand(m_doc, m_task, at, *current, tr("Duplicate Step")));
    setCurrentStep(at);
}

void StepEditor::removeStep()
{
    if (!currentStepValue() || m_model->rowCount() <= 1)
        return;
    m_doc->undoStack()->push(new RemoveStepCommand(m_doc, m_task, currentStep()));
}

void StepEditor::moveStep(int delta)
{
    const int from = currentStep();
    const int to = from + delta;
    if (from < 0 || to < 0 || to >= m_model->rowCount())
        return;
    m_doc->undoStack()->push(new MoveStepCommand(m_doc, m_task, from, to));
    setCurrentStep(to);
}

} // namespace taskline
