#include "exportdialog.h"

#include "theme.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>

namespace taskline {

namespace {

constexpr int kPreviewWidth = 480;
constexpr int kPreviewHeight = 300;

} // namespace

ExportDialog::ExportDialog(QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("exportDialog"));
    setWindowTitle(tr("Export Image"));

    m_source = new QComboBox;
    m_source->setObjectName(QStringLiteral("exportSource"));
    m_size = new QComboBox;
    m_size->setObjectName(QStringLiteral("exportSize"));
    for (const ImageExport::SizePreset& p : ImageExport::sizePresets())
        m_size->addItem(p.name, p.size);
    m_size->addItem(tr("Custom"), QSize());
    m_width = new QSpinBox;
    m_width->setObjectName(QStringLiteral("exportWidth"));
    m_height = new QSpinBox;
    m_height->setObjectName(QStringLiteral("exportHeight"));
    for (QSpinBox* s : { m_width, m_height }) {
        s->setRange(ImageExport::kMinSide, ImageExport::kMaxSide);
        s->setSuffix(tr(" px"));
    }
    auto* custom = new QHBoxLayout;
    custom->addWidget(m_width);
    custom->addWidget(new QLabel(QStringLiteral("×")));
    custom->addWidget(m_height);
    custom->addStretch(1);
    m_scale = new QComboBox;
    m_scale->setObjectName(QStringLiteral("exportScale"));
    m_scale->addItem(tr("1× (the size above)"), 1);
    m_scale->addItem(tr("2× (twice the pixels, for sharp high-density screens)"), 2);
    m_scale->setToolTip(tr("PNG only: an SVG is sharp at any size"));
    m_theme = new QComboBox;
    m_theme->setObjectName(QStringLiteral("exportTheme"));
    m_theme->addItem(tr("Light (white background, best for projectors)"), int(Theme::Light));
    m_theme->addItem(tr("Dark"), int(Theme::Dark));
    m_lanes = new QComboBox;
    m_lanes->setObjectName(QStringLiteral("exportLanes"));
    m_lanes->addItem(tr("A lane per worker"), int(LaneMode::ByWorker));
    m_lanes->addItem(tr("A lane per task"), int(LaneMode::ByTask));
    m_file = new QLineEdit;
    m_file->setObjectName(QStringLiteral("exportFile"));
    m_file->setToolTip(tr("The suffix decides the format: .png or .svg (SVG keeps text as text)"));
    auto* browse = new QPushButton(tr("Browse…"));
    auto* fileRow = new QHBoxLayout;
    fileRow->addWidget(m_file, 1);
    fileRow->addWidget(browse);

    auto* form = new QFormLayout;
    form->addRow(tr("Picture:"), m_source);
    form->addRow(tr("Size:"), m_size);
    form->addRow(QString(), custom);
    form->addRow(tr("Pixels:"), m_scale);
    form->addRow(tr("Colours:"), m_theme);
    form->addRow(tr("Lanes:"), m_lanes);
    form->addRow(tr("File:"), fileRow);

    m_preview = new QLabel;
    m_preview->setObjectName(QStringLiteral("exportPreview"));
    m_preview->setFixedSize(kPreviewWidth, kPreviewHeight);
    m_preview->setAlignment(Qt::AlignCenter);
    m_preview->setFrameShape(QFrame::StyledPanel);

    m_error = new QLabel;
    m_error->setObjectName(QStringLiteral("exportError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    QPushButton* copy = buttons->addButton(tr("Copy to Clipboard"), QDialogButtonBox::ActionRole);
    copy->setObjectName(QStringLiteral("exportCopy"));

    auto* top = new QHBoxLayout;
    top->addLayout(form, 1);
    top->addWidget(m_preview, 0, Qt::AlignTop);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_error);
    layout->addWidget(buttons);

    m_previewTimer = new QTimer(this);
    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(120); // typing a width repaints once, not per digit
    connect(m_previewTimer, &QTimer::timeout, this, &ExportDialog::renderPreview);

    connect(buttons, &QDialogButtonBox::accepted, this, &ExportDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ExportDialog::reject);
    connect(copy, &QPushButton::clicked, this, &ExportDialog::copyToClipboard);
    connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(m_size, &QComboBox::currentIndexChanged, this, &ExportDialog::onSizeChoice);
    connect(m_source, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (!m_userNamedFile && index >= 0 && size_t(index) < m_sources.size()) {
            const QFileInfo current(m_file->text());
            const QString suffix = current.suffix().isEmpty() ? QStringLiteral("png") : current.suffix();
            m_file->setText(QDir(current.absolutePath()).filePath(m_sources[size_t(index)].fileStem + '.' + suffix));
        }
        schedulePreview();
    });
    for (QSpinBox* s : { m_width, m_height })
        connect(s, &QSpinBox::valueChanged, this, &ExportDialog::schedulePreview);
    for (QComboBox* c : { m_scale, m_theme, m_lanes })
        connect(c, &QComboBox::currentIndexChanged, this, &ExportDialog::schedulePreview);
    connect(m_file, &QLineEdit::textEdited, this, [this] {
        m_userNamedFile = true;
        m_error->hide();
    });

    // The last choices (a lecture's pictures share one look), else 1600 × 900, 1×, light.
    QSettings settings;
    ImageOptions o;
    o.size = settings.value(QStringLiteral("export/size"), QSize(1600, 900)).toSize();
    o.scale = settings.value(QStringLiteral("export/scale"), 1).toInt();
    o.style.theme = themeFromName(settings.value(QStringLiteral("export/theme")).toString(), Theme::Light);
    o.style.laneMode = settings.value(QStringLiteral("export/lanes")).toString() == QLatin1String("task")
        ? LaneMode::ByTask
        : LaneMode::ByWorker;
    setOptions(o);
    QString dir = settings.value(QStringLiteral("export/dir")).toString();
    if (dir.isEmpty() || !QFileInfo(dir).isDir())
        dir = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    if (dir.isEmpty() || !QFileInfo(dir).isDir())
        dir = QDir::homePath();
    m_file->setText(QDir(dir).filePath(QStringLiteral("taskline.png")));
}

ExportDialog::~ExportDialog() = default;

void ExportDialog::setSources(std::vector<Source> sources, int current)
{
    m_sources = std::move(sources);
    QSignalBlocker block(m_source);
    m_source->clear();
    for (const Source& s : m_sources)
        m_source->addItem(s.label);
    m_source->setCurrentIndex(-1);
    block.unblock();
    m_source->setCurrentIndex(std::clamp(current, 0, int(m_sources.size()) - 1));
}

int ExportDialog::currentSource() const
{
    return m_source->currentIndex();
}

void ExportDialog::setCurrentSource(int index)
{
    m_source->setCurrentIndex(index);
}

void ExportDialog::setOptions(const ImageOptions& o)
{
    int preset = m_size->count() - 1; // Custom
    for (int i = 0; i < m_size->count() - 1; ++i)
        if (m_size->itemData(i).toSize() == o.size)
            preset = i;
    m_width->setValue(o.size.width());
    m_height->setValue(o.size.height());
    m_size->setCurrentIndex(preset);
    onSizeChoice();
    m_scale->setCurrentIndex(o.scale >= 2 ? 1 : 0);
    m_theme->setCurrentIndex(o.style.theme == Theme::Dark ? 1 : 0);
    m_lanes->setCurrentIndex(o.style.laneMode == LaneMode::ByTask ? 1 : 0);
    schedulePreview();
}

ImageOptions ExportDialog::options() const
{
    ImageOptions o;
    o.size = QSize(m_width->value(), m_height->value());
    o.scale = m_scale->currentData().toInt();
    o.style.theme = Theme(m_theme->currentData().toInt());
    o.style.laneMode = LaneMode(m_lanes->currentData().toInt());
    return o;
}

void ExportDialog::setFilePath(const QString& path)
{
    m_file->setText(path);
    m_userNamedFile = true;
}

QString ExportDialog::filePath() const
{
    return m_file->text().trimmed();
}

QString ExportDialog::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

void ExportDialog::onSizeChoice()
{
    const QSize preset = m_size->currentData().toSize();
    const bool custom = !preset.isValid();
    if (!custom) {
        m_width->setValue(preset.width());
        m_height->setValue(preset.height());
    }
    m_width->setEnabled(custom);
    m_height->setEnabled(custom);
    schedulePreview();
}

void ExportDialog::schedulePreview()
{
    m_previewTimer->start();
}

void ExportDialog::renderPreview()
{
    const int index = currentSource();
    if (index < 0 || size_t(index) >= m_sources.size()) {
        m_preview->setText(tr("Nothing to export yet: run the mix first."));
        m_previewImage = QImage();
        return;
    }
    ImageOptions o = options();
    o.scale = 1;
    const std::unique_ptr<Picture> picture = m_sources[size_t(index)].make();
    if (!picture)
        return;
    // A very large picture is previewed from a smaller one with proportionally smaller text: the same layout
    // without rendering tens of megapixels on every change.
    constexpr double kMaxPreviewPixels = 2.5e6;
    const double area = double(o.size.width()) * o.size.height();
    if (area > kMaxPreviewPixels) {
        const double f = std::sqrt(kMaxPreviewPixels / area);
        o.style.fontPx = std::max(1, int(std::lround(Picture::fontPxFor(o.size) * f)));
        o.size = QSize(std::max(1, int(o.size.width() * f)), std::max(1, int(o.size.height() * f)));
    }
    // The picture at its real size, scaled down: what the file will look like, text size included.
    m_previewImage
        = ImageExport::renderImage(*picture, o)
              .scaled(QSize(kPreviewWidth - 4, kPreviewHeight - 4), Qt::KeepAspectRatio, Qt::SmoothTransformation);
    m_previewImage.setDevicePixelRatio(1);
    m_preview->setPixmap(QPixmap::fromImage(m_previewImage));
}

void ExportDialog::browse()
{
    const QString chosen = QFileDialog::getSaveFileName(
        this, tr("Export Image"), filePath(), tr("PNG image (*.png);;SVG image, text stays text (*.svg)"));
    if (chosen.isEmpty())
        return;
    setFilePath(QFileInfo(chosen).suffix().isEmpty() ? chosen + QStringLiteral(".png") : chosen);
    m_error->hide();
}

void ExportDialog::showError(const QString& text)
{
    m_error->setText(text);
    m_error->setStyleSheet(QStringLiteral("color: %1;").arg(errorTextColor(currentTheme()).name()));
    m_error->show();
}

bool ExportDialog::save(QString* error)
{
    QString message;
    const int index = currentSource();
    std::unique_ptr<Picture> picture;
    if (index >= 0 && size_t(index) < m_sources.size())
        picture = m_sources[size_t(index)].make();
    if (!picture)
        message = tr("Nothing to export yet: run the mix first.");
    else if (filePath().isEmpty())
        message = tr("Choose a file name ending in .png or .svg.");
    else if (ImageExport::write(*picture, filePath(), options(), &message))
        message.clear();
    if (!message.isEmpty()) {
        showError(message);
        if (error)
            *error = message;
        return false;
    }
    m_error->hide();
    rememberChoices();
    return true;
}

void ExportDialog::copyToClipboard()
{
    const int index = currentSource();
    if (index < 0 || size_t(index) >= m_sources.size())
        return;
    QString error;
    const ImageOptions o = options();
    if (!ImageExport::validate(o, &error)) {
        showError(error);
        return;
    }
    if (const std::unique_ptr<Picture> picture = m_sources[size_t(index)].make())
        ImageExport::copyToClipboard(*picture, o);
    rememberChoices();
}

void ExportDialog::rememberChoices() const
{
    QSettings settings;
    const ImageOptions o = options();
    settings.setValue(QStringLiteral("export/size"), o.size);
    settings.setValue(QStringLiteral("export/scale"), o.scale);
    settings.setValue(QStringLiteral("export/theme"), QLatin1String(themeName(o.style.theme)));
    settings.setValue(QStringLiteral("export/lanes"),
        o.style.laneMode == LaneMode::ByTask ? QStringLiteral("task") : QStringLiteral("worker"));
    if (!filePath().isEmpty())
        settings.setValue(QStringLiteral("export/dir"), QFileInfo(filePath()).absolutePath());
}

void ExportDialog::accept()
{
    if (save())
        QDialog::accept();
}

} // namespace taskline
