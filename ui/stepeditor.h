#pragma once

#include "mix.h"
#include "palette.h"

#include <QColor>
#include <QHash>
#include <QList>
#include <QPair>
#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QFormLayout;
class QToolButton;

namespace taskline {

class MixDocument;
class StepListModel;

// The steps of the selected task: a list, buttons to add, duplicate, remove and reorder them, and the fields of
// the selected step (kind; compute: duration, kernel, GIL behaviour, payload; fetch: URL, client; sleep:
// duration). Every accepted change is an undo command. A value the mix format refuses (a negative duration, an
// ftp:// URL) stays in its field, marked, with the reason next to it, and is never stored.
// Thread: GUI only.
class StepEditor : public QWidget
{
    Q_OBJECT
public:
    explicit StepEditor(MixDocument* doc, QWidget* parent = nullptr);

    void setTask(int task); // index into the mix's tasks, -1 for none
    int task() const { return m_task; }
    void setCurrentStep(int step);
    int currentStep() const;
    void setTheme(Theme theme);

    StepListModel* model() const { return m_model; }
    QTableView* stepView() const { return m_list; }
    // The reason the field named `objectName` refuses its text ("computeMs", "payload", "url", "sleepMs"), or "".
    QString problemShown(const QString& objectName) const;

private:
    void buildFields();
    void showKindRows(StepKind kind);
    void refreshFields();
    void updateActions();
    void onNumberEdited(QLineEdit* edit);
    void onUrlEdited();
    void onKindChosen(int kind);
    void onChoice(QComboBox* combo);
    // Stores `value` as the current step if the mix format accepts it; else shows the reason next to `field`.
    bool commit(const Step& value, const QString& fieldName, QLineEdit* field);
    void showProblem(QLineEdit* field, const QString& problem);
    void addStep(StepKind kind);
    void duplicateStep();
    void removeStep();
    void moveStep(int delta);
    const Step* currentStepValue() const;

    MixDocument* m_doc;
    StepListModel* m_model;
    int m_task = -1;

    QLabel* m_title;
    QTableView* m_list;
    QToolButton* m_addButton;
    QAction* m_duplicateAction;
    QAction* m_removeAction;
    QAction* m_upAction;
    QAction* m_downAction;

    QWidget* m_fieldsBox;
    QComboBox* m_kind;
    QFormLayout* m_form;
    QList<QPair<QWidget*, StepKind>> m_kindRows; // the form's rows of each kind (by their field)
    StepKind m_shownKind = StepKind::Compute;
    QLineEdit* m_computeMs;
    QComboBox* m_kernel;
    QComboBox* m_gil;
    QLineEdit* m_payload;
    QLineEdit* m_url;
    QComboBox* m_client;
    QLineEdit* m_sleepMs;
    QLabel* m_placeholder;
    QColor m_errorColor;
    QHash<QLineEdit*, QLabel*> m_errors; // the reason shown under each field that can refuse its text
};

} // namespace taskline
