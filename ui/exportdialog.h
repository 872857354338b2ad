#pragma once

#include "imageexport.h"

#include <QDialog>
#include <functional>
#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTimer;

namespace taskline {

// File → Export Image…: what to export (the timeline of the last run, or the comparison of the modes), the size
// (slide presets or custom), 1× or 2× pixels, light or dark, lanes by worker or by task, and the file (PNG or SVG by
// its suffix), with a small live preview. Save writes the file; Copy puts the picture on the clipboard.
// Thread: GUI only.
class ExportDialog : public QDialog
{
    Q_OBJECT
public:
    struct Source
    {
        QString label; // "Timeline of the last run (threads)"
        QString fileStem; // suggested file name without suffix: "taskline-fetch-and-scan-threads"
        std::function<std::unique_ptr<Picture>()> make;
    };

    explicit ExportDialog(QWidget* parent = nullptr);
    ~ExportDialog() override;

    void setSources(std::vector<Source> sources, int current = 0);
    int currentSource() const;
    void setCurrentSource(int index);
    void setOptions(const ImageOptions& options);
    ImageOptions options() const; // as the controls say (the size may be invalid: see validate())
    void setFilePath(const QString& path);
    QString filePath() const;

    // Writes the file now; false with *error (also shown in the dialog).
    bool save(QString* error = nullptr);
    void copyToClipboard();
    // The preview as last rendered (the picture at its size, scaled down).
    QImage preview() const { return m_previewImage; }
    QString errorText() const;

public slots:
    void accept() override; // Save: writes, and closes only when that worked

private:
    void schedulePreview();
    void renderPreview();
    void browse();
    void onSizeChoice();
    void showError(const QString& text);
    void rememberChoices() const;

    std::vector<Source> m_sources;
    QComboBox* m_source;
    QComboBox* m_size;
    QSpinBox* m_width;
    QSpinBox* m_height;
    QComboBox* m_scale;
    QComboBox* m_theme;
    QComboBox* m_lanes;
    QLineEdit* m_file;
    QLabel* m_preview;
    QLabel* m_error;
    QTimer* m_previewTimer;
    QImage m_previewImage;
    bool m_userNamedFile = false; // a typed or browsed file name is kept when the source changes
};

} // namespace taskline
