// SPDX-License-Identifier: MIT
#include "views/desktop/configdiffview.h"

#include "views/desktop/configdiffdelegate.h"
#include "views/desktop/configdifftablemodel.h"
#include "views/desktop/confirmactiondialog.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QTableView>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextEdit>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace Opsdeck::Views {

using Models::ConfigDiff;
using Models::ConfigForm;
using Models::DiffRow;
using Models::DiffStatus;
using Models::KvEditRequest;
using Models::KvKind;

namespace {

// configChanged comes in bursts (a connector's batch, then the files): one recompute per burst.
constexpr int kRecomputeDelayMs = 200;

const QColor kInsertBackground(0xe6, 0xff, 0xed);
const QColor kRemoveBackground(0xff, 0xee, 0xf0);
const QColor kHunkForeground(0x05, 0x50, 0xae);

QStringList splitLines(const QString &text)
{
    QStringList lines = text.split(QLatin1Char('\n'));
    if (!lines.isEmpty() && lines.constLast().isEmpty())
        lines.removeLast();
    return lines;
}

bool isBinary(const QByteArray &value)
{
    const QString shown = Models::displayBytes(value);
    return shown.startsWith(QLatin1String("hex:")) || shown.startsWith(QLatin1String("base64:"));
}

/// "consul:config/shop/orders/db_url" → (Consul, "config/shop/orders/db_url").
std::optional<std::pair<KvKind, QString>> kvSource(const QString &provenance)
{
    const qsizetype colon = provenance.indexOf(QLatin1Char(':'));
    if (colon <= 0)
        return std::nullopt;
    const QStringView name = QStringView(provenance).left(colon);
    for (const KvKind kind : {KvKind::Consul, KvKind::Etcd, KvKind::ZooKeeper}) {
        if (name == Models::nameOf(kind))
            return std::pair{kind, provenance.mid(colon + 1)};
    }
    return std::nullopt;
}

} // namespace

ConfigDiffView::ConfigDiffView(Models::ConfigProvider *provider, QWidget *parent)
    : QWidget(parent)
    , m_provider(provider)
{
    setObjectName(QStringLiteral("configDiffView"));
    setWindowFlag(Qt::Window);
    setWindowTitle(tr("Config diff — Opsdeck"));
    buildUi();
    fillEnvironmentBoxes();

    m_coalesce.setSingleShot(true);
    m_coalesce.setInterval(kRecomputeDelayMs);
    connect(&m_coalesce, &QTimer::timeout, this, &ConfigDiffView::recompute);
    if (m_provider) {
        connect(m_provider,
                &Models::ConfigProvider::configChanged,
                this,
                &ConfigDiffView::scheduleRecompute);
        connect(m_provider,
                &Models::ConfigProvider::kvEditFinished,
                this,
                &ConfigDiffView::onKvEditFinished);
        connect(m_provider,
                &Models::ConfigProvider::filesSettled,
                this,
                [this](const QString &environment) {
                    if (!m_filesPending.removeAll(environment) || !m_filesPending.isEmpty())
                        return;
                    m_status->setText(tr("The config files of %1 were read again.")
                                          .arg(environments().join(QLatin1String(", "))));
                });
    }
    recompute();
}

ConfigDiffView::~ConfigDiffView() = default;

void ConfigDiffView::buildUi()
{
    auto *layout = new QVBoxLayout(this);

    auto *choose = new QHBoxLayout;
    choose->addWidget(new QLabel(tr("Compare"), this));
    for (int i = 0; i < 3; ++i) {
        m_envBoxes[i] = new QComboBox(this);
        m_envBoxes[i]->setObjectName(QStringLiteral("configDiffEnv%1").arg(i));
        m_envBoxes[i]->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        if (i > 0)
            choose->addWidget(new QLabel(i == 1 ? tr("with") : tr("and"), this));
        choose->addWidget(m_envBoxes[i]);
        connect(m_envBoxes[i], &QComboBox::currentIndexChanged, this, [this] {
            if (m_filling)
                return;
            onRevealToggled(false); // other environments: mask again until asked
            recompute();
        });
    }
    choose->addSpacing(16);
    choose->addWidget(new QLabel(tr("Service"), this));
    m_service = new QComboBox(this);
    m_service->setObjectName(QStringLiteral("configDiffService"));
    m_service->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_service->addItem(tr("All services"), QString());
    choose->addWidget(m_service);
    connect(m_service, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_filling)
            recompute();
    });
    m_prefix = new QLineEdit(this);
    m_prefix->setObjectName(QStringLiteral("configDiffPrefix"));
    m_prefix->setPlaceholderText(tr("Key prefix"));
    m_prefix->setClearButtonEnabled(true);
    choose->addWidget(m_prefix, 1);
    connect(m_prefix, &QLineEdit::textChanged, this, &ConfigDiffView::recompute);
    layout->addLayout(choose);

    auto *options = new QHBoxLayout;
    const std::pair<ConfigForm, QString> forms[] = {
        {ConfigForm::Env, tr("&Env vars")},
        {ConfigForm::Image, tr("&Image")},
        {ConfigForm::Kv, tr("&KV")},
        {ConfigForm::File, tr("F&iles")},
    };
    for (const auto &[form, text] : forms) {
        auto *box = new QCheckBox(text, this);
        box->setObjectName(QLatin1String("configDiffForm_") + Models::nameOf(form));
        box->setChecked(true);
        m_forms.insert(int(form), box);
        options->addWidget(box);
        connect(box, &QCheckBox::toggled, this, &ConfigDiffView::recompute);
    }
    options->addSpacing(16);
    m_onlyDifferences = new QCheckBox(tr("&Only differences"), this);
    m_onlyDifferences->setObjectName(QStringLiteral("configDiffOnlyDifferences"));
    options->addWidget(m_onlyDifferences);
    connect(m_onlyDifferences, &QCheckBox::toggled, this, &ConfigDiffView::recompute);
    m_expected = new QCheckBox(tr("Apply e&xpected differences"), this);
    m_expected->setObjectName(QStringLiteral("configDiffExpected"));
    m_expected->setToolTip(
        tr("Rewrites and ignored keys from the environments file (settings.config_diff)."));
    m_expected->setChecked(true);
    options->addWidget(m_expected);
    connect(m_expected, &QCheckBox::toggled, this, &ConfigDiffView::recompute);
    m_reveal = new QCheckBox(tr("&Reveal secrets"), this);
    m_reveal->setObjectName(QStringLiteral("configDiffReveal"));
    options->addWidget(m_reveal);
    connect(m_reveal, &QCheckBox::toggled, this, &ConfigDiffView::onRevealToggled);
    options->addStretch(1);

    m_edit = new QAction(tr("&Edit value…"), this);
    m_edit->setObjectName(QStringLiteral("configDiffEdit"));
    m_edit->setShortcut(QKeySequence(Qt::Key_F2));
    m_edit->setEnabled(false);
    connect(m_edit, &QAction::triggered, this, &ConfigDiffView::editCurrentValue);
    auto *closeWindow = new QAction(tr("Close"), this);
    closeWindow->setShortcuts(QKeySequence::Close);
    connect(closeWindow, &QAction::triggered, this, &QWidget::close);
    addAction(closeWindow);
    auto *editButton = new QToolButton(this);
    editButton->setDefaultAction(m_edit);
    options->addWidget(editButton);
    m_refreshFiles = new QPushButton(tr("Refresh &files"), this);
    m_refreshFiles->setObjectName(QStringLiteral("configDiffRefreshFiles"));
    options->addWidget(m_refreshFiles);
    connect(m_refreshFiles, &QPushButton::clicked, this, &ConfigDiffView::refreshFiles);
    m_exportJson = new QPushButton(tr("Export &JSON…"), this);
    options->addWidget(m_exportJson);
    connect(m_exportJson, &QPushButton::clicked, this, [this] { chooseExportFile(true); });
    m_exportDiff = new QPushButton(tr("Export &unified diff…"), this);
    options->addWidget(m_exportDiff);
    connect(m_exportDiff, &QPushButton::clicked, this, [this] { chooseExportFile(false); });
    layout->addLayout(options);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_model = new ConfigDiffTableModel(this);
    m_table = new QTableView(splitter);
    m_table->setObjectName(QStringLiteral("configDiffTable"));
    m_table->setModel(m_model);
    m_table->setItemDelegate(new ConfigDiffDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectItems);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_table->addAction(m_edit);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] {
        updateLineDiff();
        updateEditAction();
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        auto *header = m_table->horizontalHeader();
        header->resizeSection(0, 60);
        header->resizeSection(1, 110);
        header->resizeSection(2, 190);
        header->resizeSection(m_model->statusColumn(), 90);
        // The values share what is left; the names keep their width.
        for (int c = ConfigDiffTableModel::kFirstValueColumn; c < m_model->statusColumn(); ++c)
            header->setSectionResizeMode(c, QHeaderView::Stretch);
    });
    m_lineDiff = new QTextEdit(splitter);
    m_lineDiff->setObjectName(QStringLiteral("configDiffLineDiff"));
    m_lineDiff->setReadOnly(true);
    m_lineDiff->setLineWrapMode(QTextEdit::NoWrap);
    m_lineDiff->setPlaceholderText(tr("Select a config file (or any multi-line value) to see "
                                      "its line diff here."));
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    m_lineDiff->setFont(mono);
    splitter->setStretchFactor(0, 5);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("configDiffSummary"));
    layout->addWidget(m_summary);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("configDiffStatus"));
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
}

void ConfigDiffView::fillEnvironmentBoxes()
{
    const QStringList names = m_provider ? m_provider->configEnvironments() : QStringList();
    m_filling = true;
    for (int i = 0; i < 3; ++i) {
        m_envBoxes[i]->clear();
        if (i == 2)
            m_envBoxes[i]->addItem(tr("(none)"), QString());
        for (const QString &name : names)
            m_envBoxes[i]->addItem(name, name);
    }
    if (names.size() > 1)
        m_envBoxes[1]->setCurrentIndex(1);
    m_filling = false;
}

void ConfigDiffView::setProductionEnvironments(const QSet<QString> &environments)
{
    m_production = environments;
}

void ConfigDiffView::setCurrentEnvironment(const QString &environment)
{
    const QStringList names = m_provider ? m_provider->configEnvironments() : QStringList();
    const qsizetype at = names.indexOf(environment);
    if (at < 0 || names.size() < 2)
        return;
    // The neighbour before it (Production → Staging), else after it (Integration → Staging).
    const QString other = at > 0 ? names.at(at - 1) : names.at(at + 1);
    setEnvironments({environment, other});
}

void ConfigDiffView::setEnvironments(const QStringList &environments)
{
    m_filling = true;
    for (int i = 0; i < 3; ++i) {
        const QString name = environments.value(i);
        const int index = m_envBoxes[i]->findData(name);
        if (index >= 0)
            m_envBoxes[i]->setCurrentIndex(index);
        else if (i == 2)
            m_envBoxes[i]->setCurrentIndex(0);
    }
    m_filling = false;
    onRevealToggled(false);
    recompute();
}

QStringList ConfigDiffView::environments() const
{
    QStringList out;
    for (QComboBox *box : m_envBoxes) {
        const QString name = box->currentData().toString();
        if (!name.isEmpty() && !out.contains(name))
            out << name;
    }
    return out;
}

QCheckBox *ConfigDiffView::formBox(ConfigForm form) const
{
    return m_forms.value(int(form));
}

Models::DiffFilter ConfigDiffView::filter() const
{
    Models::DiffFilter f;
    f.service = m_service->currentData().toString();
    f.keyPrefix = m_prefix->text();
    f.onlyDifferences = m_onlyDifferences->isChecked();
    bool all = true;
    for (auto it = m_forms.cbegin(); it != m_forms.cend(); ++it) {
        if (it.value()->isChecked())
            f.forms.insert(ConfigForm(it.key()));
        else
            all = false;
    }
    if (all)
        f.forms.clear(); // every form, including any the view does not know yet
    return f;
}

Models::DiffRules ConfigDiffView::rules() const
{
    if (!m_provider || !m_expected->isChecked())
        return {};
    return m_provider->diffRules();
}

const ConfigDiff &ConfigDiffView::diff() const
{
    return m_model->diff();
}

bool ConfigDiffView::secretsRevealed() const
{
    return m_model->revealSecrets();
}

void ConfigDiffView::scheduleRecompute(const QString &environment)
{
    if (!environments().contains(environment))
        return;
    if (!m_coalesce.isActive())
        m_coalesce.start();
}

void ConfigDiffView::recompute()
{
    m_coalesce.stop();
    const QStringList envs = environments();
    // No form ticked shows nothing (an empty DiffFilter::forms would mean every form).
    const bool noForm = std::none_of(
        m_forms.cbegin(), m_forms.cend(), [](const QCheckBox *b) { return b->isChecked(); });
    m_items.clear();
    QList<ConfigDiff::Side> sides;
    QStringList services;
    if (m_provider && envs.size() >= 2) {
        for (const QString &env : envs) {
            QList<Models::ConfigItem> items = m_provider->configItems(env);
            for (const Models::ConfigItem &item : std::as_const(items)) {
                if (!item.service.isEmpty() && !services.contains(item.service))
                    services << item.service;
            }
            m_items.insert(env, items);
            sides << ConfigDiff::Side{env, noForm ? QList<Models::ConfigItem>() : items};
        }
    }
    std::sort(services.begin(), services.end());
    fillServices(services);
    m_model->setDiff(envs.size() >= 2 ? ConfigDiff::compute(sides, rules(), filter())
                                      : ConfigDiff());
    updateSummary();
    updateLineDiff();
    updateEditAction();
}

void ConfigDiffView::fillServices(const QStringList &services)
{
    const QString current = m_service->currentData().toString();
    QStringList present;
    for (int i = 1; i < m_service->count(); ++i)
        present << m_service->itemData(i).toString();
    // The chosen service stays listed while it is chosen, even if it disappeared meanwhile.
    QStringList wanted = services;
    if (!current.isEmpty() && !wanted.contains(current)) {
        wanted << current;
        std::sort(wanted.begin(), wanted.end());
    }
    if (present == wanted)
        return;
    m_filling = true;
    while (m_service->count() > 1)
        m_service->removeItem(1);
    for (const QString &s : std::as_const(wanted))
        m_service->addItem(s, s);
    m_service->setCurrentIndex(std::max(0, m_service->findData(current)));
    m_filling = false;
}

void ConfigDiffView::updateSummary()
{
    const QStringList envs = environments();
    if (envs.size() < 2) {
        m_summary->setText(tr("Choose two or three different environments."));
        return;
    }
    int counts[4] = {};
    int drift = 0;
    for (const DiffRow &row : m_model->diff().rows()) {
        ++counts[int(row.status)];
        drift += row.drift ? 1 : 0;
    }
    const int differs = counts[int(DiffStatus::Differs)];
    QString text = differs == 1 ? tr("1 key differs") : tr("%1 keys differ").arg(differs);
    text += tr(", %1 missing, %2 expected")
                .arg(counts[int(DiffStatus::Missing)])
                .arg(counts[int(DiffStatus::Expected)]);
    if (m_onlyDifferences->isChecked())
        text += tr(" (same and expected hidden)");
    else
        text += tr(", %1 same").arg(counts[int(DiffStatus::Same)]);
    if (drift > 0)
        text += tr("; %1 where the instances inside one environment disagree").arg(drift);
    m_summary->setText(text);
}

void ConfigDiffView::updateLineDiff()
{
    m_lineDiff->clear();
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid() || !current.data(ConfigDiffTableModel::MultiLineRole).toBool())
        return;
    const DiffRow &row = m_model->row(current.row());
    const QStringList envs = m_model->diff().environments();
    if (row.secret && !secretsRevealed()) {
        m_lineDiff->setPlainText(tr("%1 looks secret: its content is masked until you reveal "
                                    "secrets.")
                                     .arg(row.key));
        return;
    }
    const auto lines = [&](int env) {
        const Models::DiffCell &cell = row.cells.at(env);
        return cell.value ? splitLines(QString::fromUtf8(*cell.value)) : QStringList();
    };
    const auto label = [&](int env) {
        return row.cells.at(env).value ? Models::diffLabel(envs.at(env), row)
                                       : QStringLiteral("/dev/null");
    };
    QString text;
    for (int other = 1; other < envs.size(); ++other) {
        const Models::DiffCell &a = row.cells.at(0);
        const Models::DiffCell &b = row.cells.at(other);
        if (a.value == b.value) {
            text += tr("%1 and %2: identical\n").arg(envs.at(0), envs.at(other));
            continue;
        }
        if ((a.value && isBinary(*a.value)) || (b.value && isBinary(*b.value))) {
            text += tr("Binary values %1 and %2 differ\n").arg(label(0), label(other));
            continue;
        }
        text += Models::unifiedDiff(lines(0), lines(other), label(0), label(other));
    }
    if (row.status == DiffStatus::Same && row.cells.at(0).value)
        text += QLatin1Char('\n') + QString::fromUtf8(*row.cells.at(0).value);

    // One block per line, coloured like `git diff`: removed red, added green, hunks blue.
    QTextCursor cursor(m_lineDiff->document());
    const QStringList out = splitLines(text);
    for (qsizetype i = 0; i < out.size(); ++i) {
        const QString &line = out.at(i);
        QTextBlockFormat block;
        QTextCharFormat chars;
        if (line.startsWith(QLatin1String("+++")) || line.startsWith(QLatin1String("---"))) {
            chars.setFontWeight(QFont::Bold);
        } else if (line.startsWith(QLatin1Char('+'))) {
            block.setBackground(kInsertBackground);
        } else if (line.startsWith(QLatin1Char('-'))) {
            block.setBackground(kRemoveBackground);
        } else if (line.startsWith(QLatin1String("@@"))) {
            chars.setForeground(kHunkForeground);
        }
        if (i == 0)
            cursor.setBlockFormat(block);
        else
            cursor.insertBlock(block);
        cursor.insertText(line, chars);
    }
}

std::optional<KvEditRequest> ConfigDiffView::editableRequest() const
{
    const QModelIndex current = m_table->currentIndex();
    if (!m_provider || !current.isValid())
        return std::nullopt;
    const int env = m_model->environmentOfColumn(current.column());
    if (env < 0)
        return std::nullopt;
    const DiffRow &row = m_model->row(current.row());
    const Models::DiffCell &cell = row.cells.at(env);
    if (row.form != ConfigForm::Kv || !cell.value)
        return std::nullopt;
    const auto source = kvSource(cell.provenance);
    const QString environment = m_model->diff().environments().at(env);
    if (!source || !m_provider->canEditKv(environment, source->first))
        return std::nullopt;
    KvEditRequest request;
    request.environment = environment;
    request.kind = source->first;
    request.key = source->second;
    request.value = *cell.value;
    // The version the viewer saw: the compare-and-set guard.
    const QList<Models::ConfigItem> items = m_items.value(environment);
    const auto it = std::find_if(items.cbegin(), items.cend(), [&](const Models::ConfigItem &i) {
        return i.form == ConfigForm::Kv && i.service == row.service && i.key == row.key
               && i.value == *cell.value;
    });
    if (it == items.cend() || it->version < 0)
        return std::nullopt;
    request.version = it->version;
    return request;
}

void ConfigDiffView::updateEditAction()
{
    const bool editable = editableRequest().has_value();
    m_edit->setEnabled(editable && !m_confirm && !m_editDialog);
    m_edit->setToolTip(editable ? tr("Change this KV value (compare-and-set)")
                                : tr("Select a KV value in an environment where editing is "
                                     "enabled"));
}

void ConfigDiffView::editCurrentValue()
{
    const std::optional<KvEditRequest> found = editableRequest();
    if (!found || m_confirm || m_editDialog)
        return;
    const KvEditRequest request = *found;
    const DiffRow &row = m_model->row(m_table->currentIndex().row());
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("configDiffEditDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Edit %1").arg(request.key));
    auto *layout = new QVBoxLayout(dialog);
    auto *question =
        new QLabel(tr("New value of <b>%1</b> in <b>%2</b> (version %3):")
                       .arg(request.key.toHtmlEscaped(), request.environment.toHtmlEscaped())
                       .arg(request.version),
                   dialog);
    question->setWordWrap(true);
    layout->addWidget(question);
    auto *editor = new QPlainTextEdit(dialog);
    editor->setObjectName(QStringLiteral("configDiffEditValue"));
    // A masked secret is not shown here either: the new value is typed from scratch.
    if (!row.secret || secretsRevealed())
        editor->setPlainText(QString::fromUtf8(request.value));
    layout->addWidget(editor);
    auto *remove = new QCheckBox(tr("Delete the key instead"), dialog);
    remove->setObjectName(QStringLiteral("configDiffEditDelete"));
    layout->addWidget(remove);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Continue…"));
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);
    connect(dialog, &QDialog::accepted, this, [this, request, editor, remove] {
        KvEditRequest r = request;
        r.remove = remove->isChecked();
        r.value = r.remove ? QByteArray() : editor->toPlainText().toUtf8();
        // Deferred: the edit dialog closes first, then the confirmation opens.
        QTimer::singleShot(0, this, [this, r] {
            confirmAndSend(r, tr("KV key %1 (version %2)").arg(r.key).arg(r.version));
        });
    });
    // finished comes before accepted: the next dialog may open from there.
    connect(dialog, &QDialog::finished, this, [this] {
        m_editDialog.clear();
        updateEditAction();
    });
    m_editDialog = dialog;
    updateEditAction();
    dialog->open();
}

void ConfigDiffView::confirmAndSend(const KvEditRequest &request, const QString &target)
{
    if (m_confirm)
        return;
    const QString actionText = request.remove ? tr("Delete") : tr("Set");
    m_confirm = new ConfirmActionDialog(
        actionText, target, request.environment, m_production.contains(request.environment), this);
    m_confirm->setAttribute(Qt::WA_DeleteOnClose);
    m_confirm->setWarning(
        tr("Compare-and-set: refused if the key changed after version %1.").arg(request.version),
        false);
    connect(m_confirm, &QDialog::accepted, this, [this, request, actionText] {
        m_status->setText(
            tr("%1 %2 in %3: requested…").arg(actionText, request.key, request.environment));
        if (m_provider)
            m_provider->requestKvEdit(request);
    });
    connect(m_confirm, &QDialog::finished, this, [this] {
        m_confirm.clear(); // deleted on close, later
        updateEditAction();
    });
    updateEditAction();
    m_confirm->open();
}

void ConfigDiffView::onKvEditFinished(const KvEditRequest &request, bool ok, const QString &message)
{
    const QString action = request.remove ? tr("Delete") : tr("Set");
    if (ok)
        m_status->setText(
            tr("%1 %2 in %3: %4").arg(action, request.key, request.environment, message));
    else
        m_status->setText(
            tr("%1 %2 in %3 FAILED: %4").arg(action, request.key, request.environment, message));
    scheduleRecompute(request.environment);
}

void ConfigDiffView::onRevealToggled(bool on)
{
    if (!on || secretsRevealed() == on) {
        m_model->setRevealSecrets(on);
        const QSignalBlocker blocker(m_reveal);
        m_reveal->setChecked(on);
        updateLineDiff();
        return;
    }
    QString production;
    for (const QString &env : environments()) {
        if (m_production.contains(env)) {
            production = env;
            break;
        }
    }
    if (production.isEmpty()) {
        m_model->setRevealSecrets(true);
        updateLineDiff();
        return;
    }
    // Like an action in production: the name typed first. The box stays unchecked until then.
    {
        const QSignalBlocker blocker(m_reveal);
        m_reveal->setChecked(false);
    }
    if (m_confirm)
        return;
    m_confirm = new ConfirmActionDialog(
        tr("Reveal secrets"), tr("of the compared environments on screen"), production, true, this);
    m_confirm->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_confirm, &QDialog::accepted, this, [this] {
        m_model->setRevealSecrets(true);
        const QSignalBlocker blocker(m_reveal);
        m_reveal->setChecked(true);
        updateLineDiff();
    });
    connect(m_confirm, &QDialog::finished, this, [this] {
        m_confirm.clear(); // deleted on close, later
        updateEditAction();
    });
    m_confirm->open();
}

bool ConfigDiffView::exportJson(const QString &path, QString *error) const
{
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly)) {
        const Models::DiffOutputOptions options{secretsRevealed()};
        file.write(diff().toJson(options).toJson(QJsonDocument::Indented));
        if (file.commit())
            return true;
    }
    if (error)
        *error = file.errorString();
    return false;
}

bool ConfigDiffView::exportUnifiedDiff(const QString &path, QString *error) const
{
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly)) {
        const Models::DiffOutputOptions options{secretsRevealed()};
        file.write(diff().toUnifiedDiff(options).toUtf8());
        if (file.commit())
            return true;
    }
    if (error)
        *error = file.errorString();
    return false;
}

void ConfigDiffView::chooseExportFile(bool json)
{
    const QString name =
        json ? QStringLiteral("config-diff.json") : QStringLiteral("config-diff.diff");
    const QString path = QFileDialog::getSaveFileName(
        this,
        json ? tr("Export the diff as JSON") : tr("Export the diff as a unified diff"),
        name,
        json ? tr("JSON (*.json)") : tr("Unified diff (*.diff *.patch)"));
    if (path.isEmpty())
        return;
    QString error;
    const bool ok = json ? exportJson(path, &error) : exportUnifiedDiff(path, &error);
    m_status->setText(ok ? tr("Exported to %1").arg(path)
                         : tr("Export to %1 FAILED: %2").arg(path, error));
}

void ConfigDiffView::refreshFiles()
{
    if (!m_provider)
        return;
    const QStringList envs = environments();
    m_filesPending = envs;
    m_status->setText(
        tr("Reading the config files of %1 again…").arg(envs.join(QLatin1String(", "))));
    for (const QString &env : envs)
        m_provider->refreshConfigFiles(env);
}

} // namespace Opsdeck::Views
