// SPDX-License-Identifier: MIT
#include "views/desktop/rolloutspanel.h"

#include "views/desktop/progressdelegate.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QUuid>
#include <QVBoxLayout>

namespace Opsdeck::Views {

using namespace Opsdeck::Models;

namespace {

constexpr int kFractionRole = Qt::UserRole + 1;

enum Column {
    EnvironmentColumn,
    ServiceColumn,
    ChangeColumn,
    PhaseColumn,
    ProgressColumn,
    StartedColumn,
    ElapsedColumn,
    EtaColumn,
    ColumnCount,
};

QColor phaseColour(RolloutPhase phase)
{
    switch (phase) {
    case RolloutPhase::Succeeded:
        return QColor(0x2e, 0x7d, 0x32);
    case RolloutPhase::Failed:
        return QColor(0xc6, 0x28, 0x28);
    case RolloutPhase::RolledBack:
    case RolloutPhase::Aborted:
    case RolloutPhase::RollingBack:
        return QColor(0xef, 0x8f, 0x00);
    case RolloutPhase::Paused:
    case RolloutPhase::WaitingGoAhead:
    case RolloutPhase::Soaking:
        return QColor(0x15, 0x65, 0xc0);
    case RolloutPhase::Running:
        break;
    }
    return QColor(0x43, 0xa0, 0x47);
}

QColor stepColour(RolloutStep step)
{
    switch (step) {
    case RolloutStep::Done:
        return QColor(0x2e, 0x7d, 0x32);
    case RolloutStep::Failed:
        return QColor(0xc6, 0x28, 0x28);
    case RolloutStep::RollingBack:
    case RolloutStep::RolledBack:
        return QColor(0xef, 0x8f, 0x00);
    case RolloutStep::Pending:
        return QColor(0x75, 0x75, 0x75);
    default:
        return QColor(0x15, 0x65, 0xc0);
    }
}

QTableWidgetItem *item(QTableWidget *table, int row, int column)
{
    QTableWidgetItem *i = table->item(row, column);
    if (!i) {
        i = new QTableWidgetItem;
        i->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
        table->setItem(row, column, i);
    }
    return i;
}

QString localTimeWithAge(qint64 ms, qint64 now)
{
    if (ms <= 0)
        return {};
    return QCoreApplication::translate("Opsdeck::Views::RolloutsPanel", "%1 (%2 ago)")
        .arg(QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm:ss")),
             formatDuration(now - ms));
}

} // namespace

QString formatDuration(qint64 ms)
{
    const qint64 s = std::max<qint64>(0, ms / 1000);
    if (s < 60)
        return QCoreApplication::translate("Opsdeck::Views::RolloutsPanel", "%1 s").arg(s);
    if (s < 3600)
        return QCoreApplication::translate("Opsdeck::Views::RolloutsPanel", "%1 min %2 s")
            .arg(s / 60)
            .arg(s % 60, 2, 10, QLatin1Char('0'));
    return QCoreApplication::translate("Opsdeck::Views::RolloutsPanel", "%1 h %2 min")
        .arg(s / 3600)
        .arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
}

// ---- the dialog ----

DockerRolloutDialog::DockerRolloutDialog(RolloutOperations *operations,
                                         const EnvironmentConfig &environment,
                                         const QStringList &services,
                                         QWidget *parent)
    : QDialog(parent)
    , m_operations(operations)
    , m_environment(environment)
    , m_token(QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    setWindowTitle(tr("Roll out a service — %1").arg(environment.name));
    auto *layout = new QVBoxLayout(this);
    if (environment.production) {
        auto *banner = new QLabel(tr("PRODUCTION: %1").arg(environment.name), this);
        banner->setStyleSheet(
            QStringLiteral("background:#c62828;color:white;font-weight:bold;padding:6px;"));
        layout->addWidget(banner);
    }
    auto *form = new QFormLayout;
    m_service = new QComboBox(this);
    m_service->setEditable(true);
    m_service->addItems(services);
    form->addRow(tr("&Service:"), m_service);
    m_image = new QLineEdit(this);
    m_image->setPlaceholderText(tr("registry.example.com/shop/api:1.5.0"));
    m_restart = new QCheckBox(tr("Rolling &restart (same image)"), this);
    auto *imageRow = new QHBoxLayout;
    imageRow->addWidget(m_image, 1);
    imageRow->addWidget(m_restart);
    auto *imageLabel = new QLabel(tr("New &image:"), this);
    imageLabel->setBuddy(m_image);
    form->addRow(imageLabel, imageRow);
    m_batch = new QSpinBox(this);
    m_batch->setRange(1, 100);
    m_batch->setToolTip(tr("Instances replaced at once"));
    form->addRow(tr("&Batch size:"), m_batch);
    m_minHealthy = new QSpinBox(this);
    m_minHealthy->setRange(-1, 1000);
    m_minHealthy->setValue(-1);
    m_minHealthy->setSpecialValueText(tr("serving now − batch size"));
    form->addRow(tr("&Minimum healthy:"), m_minHealthy);
    m_tag = new QComboBox(this);
    m_tag->addItem(tr("every Docker host"), QString());
    QStringList tags;
    for (const DockerHostConfig &h : environment.dockerHosts)
        for (const QString &t : h.tags)
            if (!tags.contains(t))
                tags << t;
    for (const QString &t : std::as_const(tags))
        m_tag->addItem(tr("hosts tagged %1").arg(t), t);
    form->addRow(tr("&Hosts:"), m_tag);
    m_canary = new QCheckBox(tr("&Canary: one instance first, then"), this);
    m_soak = new QSpinBox(this);
    m_soak->setRange(0, 24 * 3600);
    m_soak->setSuffix(tr(" s soak"));
    m_soak->setSpecialValueText(tr("wait for my go-ahead"));
    auto *canaryRow = new QHBoxLayout;
    canaryRow->addWidget(m_canary);
    canaryRow->addWidget(m_soak, 1);
    form->addRow(QString(), canaryRow);
    m_probe = new QLineEdit(this);
    m_probe->setPlaceholderText(
        tr("optional: http://{host}:{label:app.port}/health or tcp://{host}:8080"));
    form->addRow(tr("&Probe:"), m_probe);
    m_timeout = new QSpinBox(this);
    m_timeout->setRange(5, 3600);
    m_timeout->setValue(120);
    m_timeout->setSuffix(tr(" s"));
    form->addRow(tr("Healthy &within:"), m_timeout);
    layout->addLayout(form);
    m_planButton = new QPushButton(tr("&Plan (dry run)"), this);
    layout->addWidget(m_planButton, 0, Qt::AlignLeft);
    m_planView = new QPlainTextEdit(this);
    m_planView->setReadOnly(true);
    m_planView->setPlaceholderText(tr("The plan shows here: which containers, in which batches, "
                                      "never below which healthy count."));
    m_planView->setMinimumHeight(160);
    m_planView->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(m_planView, 1);
    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color:#c62828;"));
    m_error->hide();
    layout->addWidget(m_error);
    if (environment.production) {
        m_nameEdit = new QLineEdit(this);
        m_nameEdit->setPlaceholderText(tr("type %1 to confirm").arg(environment.name));
        layout->addWidget(m_nameEdit);
        connect(m_nameEdit, &QLineEdit::textChanged, this, &DockerRolloutDialog::updateStart);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_start = buttons->addButton(tr("&Start rollout"), QDialogButtonBox::AcceptRole);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_start, &QPushButton::clicked, this, &DockerRolloutDialog::start);
    connect(m_planButton, &QPushButton::clicked, this, &DockerRolloutDialog::plan);
    connect(m_restart, &QCheckBox::toggled, m_image, &QWidget::setDisabled);
    auto invalidate = [this] {
        m_planOk = false;
        updateStart();
    };
    connect(m_service, &QComboBox::currentTextChanged, this, invalidate);
    connect(m_image, &QLineEdit::textChanged, this, invalidate);
    connect(m_restart, &QCheckBox::toggled, this, invalidate);
    connect(m_batch, &QSpinBox::valueChanged, this, invalidate);
    connect(m_minHealthy, &QSpinBox::valueChanged, this, invalidate);
    connect(m_tag, &QComboBox::currentIndexChanged, this, invalidate);
    connect(m_canary, &QCheckBox::toggled, this, invalidate);
    connect(m_soak, &QSpinBox::valueChanged, this, invalidate);
    connect(m_probe, &QLineEdit::textChanged, this, invalidate);
    connect(m_timeout, &QSpinBox::valueChanged, this, invalidate);
    if (m_operations)
        connect(m_operations, &RolloutOperations::planned, this, &DockerRolloutDialog::onPlanned);
    updateStart();
    resize(780, 640);
}

DockerRolloutDialog::~DockerRolloutDialog()
{
    if (m_operations && m_startedId.isEmpty())
        m_operations->discardPlan(m_token);
}

void DockerRolloutDialog::setService(const QString &service, const QString &currentImage)
{
    m_service->setCurrentText(service);
    m_image->setText(currentImage);
}

DockerRolloutRequest DockerRolloutDialog::request() const
{
    DockerRolloutRequest r;
    r.environment = m_environment.name;
    r.selector.service = m_service->currentText().trimmed();
    r.selector.label = QStringLiteral("com.example.service");
    r.image = m_restart->isChecked() ? QString() : m_image->text().trimmed();
    r.batchSize = m_batch->value();
    r.minHealthy = m_minHealthy->value();
    r.hostTag = m_tag->currentData().toString();
    r.canary = m_canary->isChecked();
    r.canarySoakMs = qint64(m_soak->value()) * 1000;
    r.healthTimeoutMs = qint64(m_timeout->value()) * 1000;
    r.probe.url = m_probe->text().trimmed();
    return r;
}

void DockerRolloutDialog::plan()
{
    m_planOk = false;
    m_error->hide();
    const DockerRolloutRequest r = request();
    QString problem;
    if (r.selector.service.isEmpty())
        problem = tr("Name the service to roll out.");
    else if (!m_restart->isChecked() && r.image.isEmpty())
        problem = tr("Give the new image, or tick rolling restart.");
    else if (const auto probe = ProbeSpec::parse(r.probe.url); !probe.ok())
        problem = probe.error();
    if (!problem.isEmpty() || !m_operations) {
        m_error->setText(problem.isEmpty() ? tr("Rollouts are not available here.") : problem);
        m_error->show();
        updateStart();
        return;
    }
    m_planView->setPlainText(tr("Planning: listing and inspecting the containers on every host…"));
    m_planButton->setEnabled(false);
    m_operations->planDocker(m_token, r);
}

void DockerRolloutDialog::onPlanned(const QString &token, bool ok, const QString &text)
{
    if (token != m_token)
        return;
    m_planButton->setEnabled(true);
    m_planOk = ok;
    m_planView->setPlainText(ok ? text : QString());
    if (!ok) {
        m_error->setText(text);
        m_error->show();
    }
    updateStart();
}

void DockerRolloutDialog::updateStart()
{
    bool ok = m_planOk;
    if (m_nameEdit)
        ok = ok && m_nameEdit->text() == m_environment.name;
    m_start->setEnabled(ok);
    m_start->setToolTip(m_planOk ? QString() : tr("Plan first: the plan is what starts"));
}

void DockerRolloutDialog::start()
{
    if (!m_start->isEnabled() || !m_operations)
        return;
    QString why;
    const QList<RolloutProgress> before = m_operations->rollouts();
    if (!m_operations->startPlanned(m_token, &why)) {
        m_error->setText(why);
        m_error->show();
        return;
    }
    for (const RolloutProgress &p : m_operations->rollouts()) {
        const bool known =
            std::any_of(before.begin(), before.end(), [&](const auto &b) { return b.id == p.id; });
        if (!known)
            m_startedId = p.id;
    }
    accept();
}

// ---- the panel ----

RolloutsPanel::RolloutsPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *top = new QHBoxLayout;
    m_interrupted = new QLabel(this);
    m_interrupted->setWordWrap(true);
    m_interrupted->setTextFormat(Qt::PlainText);
    m_interrupted->setStyleSheet(QStringLiteral("background:#fff3e0;color:#8a4b00;padding:4px;"));
    m_interrupted->hide();
    m_clearInterrupted = new QPushButton(tr("Checked — clear"), this);
    m_clearInterrupted->hide();
    top->addWidget(m_interrupted, 1);
    top->addWidget(m_clearInterrupted);
    layout->addLayout(top);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    auto *left = new QWidget(splitter);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    m_list = new QTableWidget(0, ColumnCount, left);
    m_list->setObjectName(QStringLiteral("rolloutTable"));
    m_list->setHorizontalHeaderLabels({tr("Environment"),
                                       tr("Service"),
                                       tr("Change"),
                                       tr("Phase"),
                                       tr("Progress"),
                                       tr("Started"),
                                       tr("Elapsed"),
                                       tr("ETA")});
    m_list->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_list->setMinimumHeight(m_list->verticalHeader()->defaultSectionSize() * 3
                             + m_list->horizontalHeader()->sizeHint().height() + 4);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->verticalHeader()->hide();
    m_list->horizontalHeader()->setStretchLastSection(true);
    m_list->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto *bar = new BarDelegate(kFractionRole, m_list);
    bar->setColourFunction([this](const QModelIndex &index, double) {
        const QString id = m_order.value(index.row());
        return phaseColour(m_rollouts.value(id).phase);
    });
    m_list->setItemDelegateForColumn(ProgressColumn, bar);
    m_list->horizontalHeader()->setSectionResizeMode(ProgressColumn, QHeaderView::Fixed);
    m_list->setColumnWidth(ProgressColumn, 150);
    leftLayout->addWidget(m_list, 1);
    auto *buttons = new QHBoxLayout;
    m_new = new QPushButton(tr("&New rollout…"), left);
    m_pause = new QPushButton(tr("&Pause"), left);
    m_resume = new QPushButton(tr("Res&ume"), left);
    m_goAhead = new QPushButton(tr("&Go ahead"), left);
    m_abort = new QPushButton(tr("&Abort and restore"), left);
    m_pause->setToolTip(tr("Finish the batch in progress, then wait"));
    m_goAhead->setToolTip(tr("The canary looks good: roll out the other batches"));
    m_abort->setToolTip(tr("Stop and restore every instance changed so far"));
    for (QPushButton *b : {m_new, m_pause, m_resume, m_goAhead, m_abort})
        buttons->addWidget(b);
    buttons->addStretch(1);
    leftLayout->addLayout(buttons);

    auto *right = new QSplitter(Qt::Horizontal, splitter);
    m_instances = new QTableWidget(0, 5, right);
    m_instances->setObjectName(QStringLiteral("rolloutInstances"));
    m_instances->setHorizontalHeaderLabels(
        {tr("Host"), tr("Container"), tr("Step"), tr("Took"), tr("Detail")});
    m_instances->verticalHeader()->hide();
    m_instances->horizontalHeader()->setStretchLastSection(true);
    m_instances->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_instances->setSelectionMode(QAbstractItemView::NoSelection);
    m_log = new QPlainTextEdit(right);
    m_log->setObjectName(QStringLiteral("rolloutLog"));
    m_log->setReadOnly(true);
    m_log->setPlaceholderText(tr("The live log of the selected rollout"));
    m_log->setMaximumBlockCount(5000);
    right->setStretchFactor(0, 1);
    right->setStretchFactor(1, 1);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    layout->addWidget(splitter, 1);

    connect(m_list, &QTableWidget::itemSelectionChanged, this, &RolloutsPanel::refreshDetails);
    connect(m_new, &QPushButton::clicked, this, &RolloutsPanel::newRolloutRequested);
    auto act = [this](void (RolloutOperations::*f)(const QString &)) {
        return [this, f] {
            if (m_operations && !selectedId().isEmpty())
                (m_operations.data()->*f)(selectedId());
        };
    };
    connect(m_pause, &QPushButton::clicked, this, act(&RolloutOperations::pause));
    connect(m_resume, &QPushButton::clicked, this, act(&RolloutOperations::resume));
    connect(m_goAhead, &QPushButton::clicked, this, act(&RolloutOperations::goAhead));
    connect(m_abort, &QPushButton::clicked, this, act(&RolloutOperations::abort));
    connect(m_clearInterrupted, &QPushButton::clicked, this, [this] {
        if (!m_operations)
            return;
        for (const InterruptedRollout &i : m_operations->interrupted())
            m_operations->clearInterrupted(i.environment, i.service);
        refreshInterrupted();
    });
    connect(&m_tick, &QTimer::timeout, this, [this] {
        for (int row = 0; row < m_order.size(); ++row)
            if (!isFinal(m_rollouts.value(m_order.at(row)).phase))
                refreshRow(row);
    });
    m_tick.start(1000);
    refreshButtons();
}

void RolloutsPanel::setOperations(RolloutOperations *operations)
{
    if (m_operations)
        disconnect(m_operations, nullptr, this, nullptr);
    m_operations = operations;
    m_new->setEnabled(operations != nullptr);
    if (operations) {
        connect(
            operations, &RolloutOperations::progressChanged, this, &RolloutsPanel::showProgress);
        connect(operations,
                &RolloutOperations::interruptedChanged,
                this,
                &RolloutsPanel::refreshInterrupted);
        for (const RolloutProgress &p : operations->rollouts())
            upsert(p);
    }
    refreshInterrupted();
    refreshButtons();
}

void RolloutsPanel::showProgress(const RolloutProgress &progress)
{
    const bool wasFinal =
        m_rollouts.contains(progress.id) && isFinal(m_rollouts.value(progress.id).phase);
    const bool isNew = !m_rollouts.contains(progress.id);
    upsert(progress);
    if (isNew && selectedId().isEmpty())
        select(progress.id);
    if (!wasFinal && isFinal(progress.phase))
        emit rolloutEnded(progress);
}

void RolloutsPanel::upsert(const RolloutProgress &progress)
{
    int row = int(m_order.indexOf(progress.id));
    if (row < 0) {
        row = int(m_order.size());
        m_order << progress.id;
        m_list->insertRow(row);
    }
    m_rollouts.insert(progress.id, progress);
    refreshRow(row);
    if (progress.id == m_shownId)
        refreshDetails();
    refreshButtons();
}

void RolloutsPanel::refreshRow(int row)
{
    const RolloutProgress &p = m_rollouts[m_order.at(row)];
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    item(m_list, row, EnvironmentColumn)->setText(p.environment);
    item(m_list, row, ServiceColumn)->setText(p.service);
    item(m_list, row, ChangeColumn)
        ->setText(p.image.isEmpty() ? tr("restart") : tr("→ %1").arg(p.image));
    auto *phase = item(m_list, row, PhaseColumn);
    phase->setText(nameOf(p.phase));
    phase->setForeground(phaseColour(p.phase));
    phase->setToolTip(p.summary);
    auto *progress = item(m_list, row, ProgressColumn);
    progress->setData(kFractionRole, p.fraction());
    progress->setText(tr("%1 of %2").arg(p.doneCount()).arg(p.instances.size()));
    item(m_list, row, StartedColumn)->setText(localTimeWithAge(p.startedMs, now));
    item(m_list, row, StartedColumn)
        ->setToolTip(QDateTime::fromMSecsSinceEpoch(p.startedMs).toString(Qt::ISODate));
    item(m_list, row, ElapsedColumn)->setText(formatDuration(p.elapsedMs(now)));
    const auto eta = p.etaMs(now);
    item(m_list, row, EtaColumn)
        ->setText(isFinal(p.phase) ? QString()
                  : eta            ? tr("about %1").arg(formatDuration(*eta))
                                   : tr("after the first instance"));
}

void RolloutsPanel::select(const QString &id)
{
    const int row = int(m_order.indexOf(id));
    if (row >= 0)
        m_list->selectRow(row);
}

QString RolloutsPanel::selectedId() const
{
    const auto rows = m_list->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : m_order.value(rows.first().row());
}

void RolloutsPanel::refreshDetails()
{
    const QString id = selectedId();
    if (id != m_shownId) {
        m_shownId = id;
        m_shownLogLines = 0;
        m_log->clear();
    }
    const RolloutProgress p = m_rollouts.value(id);
    m_instances->setRowCount(int(p.instances.size()));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int row = 0; row < p.instances.size(); ++row) {
        const InstanceProgress &i = p.instances.at(row);
        item(m_instances, row, 0)->setText(i.host);
        item(m_instances, row, 1)->setText(i.name);
        auto *step = item(m_instances, row, 2);
        step->setText(nameOf(i.step));
        step->setForeground(stepColour(i.step));
        item(m_instances, row, 3)
            ->setText(i.startedMs > 0
                          ? formatDuration((i.endedMs > 0 ? i.endedMs : now) - i.startedMs)
                          : QString());
        item(m_instances, row, 4)->setText(i.message);
        item(m_instances, row, 4)->setToolTip(i.message);
    }
    // The log only grows: append what is new, keep the reader's scroll position unless at the end.
    QScrollBar *scroll = m_log->verticalScrollBar();
    const bool atEnd = scroll->value() == scroll->maximum();
    for (; m_shownLogLines < p.log.size(); ++m_shownLogLines) {
        const RolloutLogLine &l = p.log.at(m_shownLogLines);
        m_log->appendPlainText(QStringLiteral("%1  %2").arg(
            QDateTime::fromMSecsSinceEpoch(l.timeMs).toString(QStringLiteral("HH:mm:ss")), l.text));
    }
    if (atEnd)
        scroll->setValue(scroll->maximum());
    refreshButtons();
}

void RolloutsPanel::refreshInterrupted()
{
    const QList<InterruptedRollout> list =
        m_operations ? m_operations->interrupted() : QList<InterruptedRollout>();
    QStringList lines;
    for (const InterruptedRollout &i : list)
        lines << tr("Interrupted rollout: %1").arg(i.description);
    m_interrupted->setText(lines.join(QLatin1Char('\n')));
    m_interrupted->setVisible(!list.isEmpty());
    m_clearInterrupted->setVisible(!list.isEmpty());
}

void RolloutsPanel::refreshButtons()
{
    const RolloutProgress p = m_rollouts.value(selectedId());
    const bool docker = m_operations && p.kind == QLatin1String("docker");
    m_pause->setEnabled(docker && p.phase == RolloutPhase::Running);
    m_resume->setEnabled(docker && p.phase == RolloutPhase::Paused);
    m_goAhead->setEnabled(docker && p.phase == RolloutPhase::WaitingGoAhead);
    m_abort->setEnabled(docker && !isFinal(p.phase) && p.phase != RolloutPhase::RollingBack
                        && !p.id.isEmpty());
}

} // namespace Opsdeck::Views
