// SPDX-License-Identifier: MIT
#include "views/desktop/marathonview.h"

#include "models/marathontablemodels.h"
#include "models/rolloutplan.h"
#include "views/desktop/confirmactiondialog.h"
#include "views/desktop/progressdelegate.h"
#include "views/desktop/rolloutdialog.h"
#include "views/desktop/sourcetab.h"

#include <QAction>
#include <QDataStream>
#include <QDialogButtonBox>
#include <QFont>
#include <QFormLayout>
#include <QHash>
#include <QHeaderView>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <cmath>

namespace Opsdeck::Views {

using namespace Opsdeck::Models;

namespace {

const QColor kRedTint(0xff, 0xcd, 0xd2);
const QColor kAmberTint(0xff, 0xec, 0xb3);
const QColor kStaleText(0x75, 0x75, 0x75);
const QColor kDarkText(0x21, 0x21, 0x21);
const QColor kGreen(0x2e, 0x7d, 0x32);
const QColor kAmber(0xf9, 0xa8, 0x25);
const QColor kRed(0xc6, 0x28, 0x28);
const QColor kOrangeText(0xe6, 0x51, 0x00);

QString bannerStyle(const QColor &background, const QColor &foreground)
{
    return QStringLiteral("QLabel { background: %1; color: %2; padding: 6px; }")
        .arg(background.name(), foreground.name());
}

qint64 nowOf(const QAbstractItemModel *model)
{
    const auto *keyed = qobject_cast<const MarathonKeyedTableModel *>(model);
    return keyed && keyed->store() ? keyed->store()->now() : QDateTime::currentMSecsSinceEpoch();
}

/// Instances that count as healthy now: health checks passing, or running without checks.
int healthyNow(const MarathonApp &app)
{
    return app.healthCheckCount > 0 ? app.tasksHealthy : app.tasksRunning;
}

std::optional<RolloutPlan> planFor(const MarathonApp &app)
{
    RolloutInput input;
    input.instances = app.instances;
    input.minimumHealthCapacity = app.upgradeStrategy.minimumHealthCapacity;
    input.maximumOverCapacity = app.upgradeStrategy.maximumOverCapacity;
    input.healthyOld = healthyNow(app);
    input.hasHealthChecks = app.healthCheckCount > 0;
    Result<RolloutPlan> plan = planRollout(input);
    if (!plan.ok())
        return std::nullopt;
    return plan.value();
}

/// Apps: the filter box (words and is:unhealthy / is:deploying), health colours, stale rows
/// greyed, and the version time with its age.
class AppProxy : public RoleSortProxy
{
public:
    explicit AppProxy(QObject *parent)
        : RoleSortProxy(MarathonAppTableModel::SortRole, parent)
    {}

    void setFilterText(const QString &text)
    {
        m_words = text.toLower().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        invalidateRowsFilter();
    }

    QVariant data(const QModelIndex &index, int role) const override
    {
        const QModelIndex source = mapToSource(index);
        const QAbstractItemModel *model = sourceModel();
        if (!source.isValid() || !model)
            return {};
        const auto at = [&](int column, int r) {
            return model->index(source.row(), column).data(r);
        };
        const bool reachable = at(0, MarathonAppTableModel::ReachableRole).toBool();
        const bool unhealthy =
            at(MarathonAppTableModel::UnhealthyColumn, MarathonAppTableModel::SortRole).toInt() > 0;
        const bool deploying = at(0, MarathonAppTableModel::DeployingRole).toBool();
        switch (role) {
        case Qt::DisplayRole:
            if (index.column() == MarathonAppTableModel::VersionColumn) {
                const QDateTime t = at(0, MarathonAppTableModel::VersionTimeRole).toDateTime();
                if (t.isValid())
                    return timeWithAge(t, nowOf(model));
            }
            break;
        case Qt::BackgroundRole:
            if (unhealthy)
                return QBrush(kRedTint);
            if (deploying)
                return QBrush(kAmberTint);
            return {};
        case Qt::ForegroundRole:
            if (!reachable)
                return QBrush(kStaleText);
            if (unhealthy || deploying)
                return QBrush(kDarkText); // stays legible on the tint in dark themes
            return {};
        case Qt::FontRole:
            if (unhealthy
                && (index.column() == MarathonAppTableModel::IdColumn
                    || index.column() == MarathonAppTableModel::UnhealthyColumn))
                return boldFont();
            return {};
        case Qt::DecorationRole:
            if (index.column() != MarathonAppTableModel::IdColumn)
                return {};
            return dot(dotColour(reachable, unhealthy, deploying, source));
        case Qt::ToolTipRole:
            if (index.column() == MarathonAppTableModel::IdColumn) {
                QStringList lines;
                lines << healthWords(source, unhealthy, deploying);
                const QString more = QSortFilterProxyModel::data(index, role).toString();
                if (!more.isEmpty())
                    lines << more;
                return lines.join(QLatin1Char('\n'));
            }
            break;
        default:
            break;
        }
        return QSortFilterProxyModel::data(index, role);
    }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &) const override
    {
        if (m_words.isEmpty())
            return true;
        const QAbstractItemModel *model = sourceModel();
        const auto text = [&](int column) {
            return model->index(sourceRow, column).data().toString().toLower();
        };
        for (const QString &word : m_words) {
            if (word == QLatin1String("is:unhealthy")) {
                if (model->index(sourceRow, MarathonAppTableModel::UnhealthyColumn)
                        .data(MarathonAppTableModel::SortRole)
                        .toInt()
                    <= 0)
                    return false;
            } else if (word == QLatin1String("is:deploying")) {
                if (!model->index(sourceRow, 0).data(MarathonAppTableModel::DeployingRole).toBool())
                    return false;
            } else if (!text(MarathonAppTableModel::IdColumn).contains(word)
                       && !text(MarathonAppTableModel::ImageColumn).contains(word)
                       && !text(MarathonAppTableModel::DeploymentColumn).contains(word)) {
                return false;
            }
        }
        return true;
    }

private:
    QColor
    dotColour(bool reachable, bool unhealthy, bool deploying, const QModelIndex &source) const
    {
        if (!reachable)
            return QColor(0x9e, 0x9e, 0x9e);
        if (unhealthy)
            return kRed;
        const double ratio =
            source.siblingAtColumn(0).data(MarathonAppTableModel::HealthRatioRole).toDouble();
        if (deploying || ratio < 1.0)
            return kAmber;
        return kGreen;
    }

    static QString healthWords(const QModelIndex &source, bool unhealthy, bool deploying)
    {
        const QAbstractItemModel *model = source.model();
        const int row = source.row();
        const int wanted = model->index(row, MarathonAppTableModel::InstancesColumn).data().toInt();
        const bool checks =
            model->index(row, 0).data(MarathonAppTableModel::HasHealthChecksRole).toBool();
        const int ready =
            checks ? model->index(row, MarathonAppTableModel::HealthyColumn).data().toInt()
                   : model->index(row, MarathonAppTableModel::RunningColumn).data().toInt();
        QString words =
            checks ? MarathonView::tr("%1 of %2 wanted instances healthy").arg(ready).arg(wanted)
                   : MarathonView::tr("%1 of %2 wanted instances running (no "
                                      "health checks)")
                         .arg(ready)
                         .arg(wanted);
        if (unhealthy)
            words += MarathonView::tr("; some instances fail their health checks");
        if (deploying)
            words += MarathonView::tr("; a deployment is in progress");
        return words;
    }

    QIcon dot(const QColor &colour) const
    {
        auto it = m_dots.constFind(colour.rgb());
        if (it != m_dots.cend())
            return *it;
        const QIcon icon = statusDot(colour);
        m_dots.insert(colour.rgb(), icon);
        return icon;
    }

    QStringList m_words;
    mutable QHash<QRgb, QIcon> m_dots;
};

/// Tasks: started time with its age, health and old versions in colour, stale rows greyed.
class TaskProxy : public RoleSortProxy
{
public:
    explicit TaskProxy(QObject *parent)
        : RoleSortProxy(MarathonTaskTableModel::SortRole, parent)
    {}

    QVariant data(const QModelIndex &index, int role) const override
    {
        const QModelIndex source = mapToSource(index);
        if (!source.isValid())
            return {};
        const auto at = [&](int r) { return source.siblingAtColumn(0).data(r); };
        switch (role) {
        case Qt::DisplayRole:
            if (index.column() == MarathonTaskTableModel::StartedColumn) {
                const QDateTime t = at(MarathonTaskTableModel::StartedAtRole).toDateTime();
                return t.isValid() ? timeWithAge(t, nowOf(sourceModel()))
                                   : MarathonView::tr("not yet");
            }
            break;
        case Qt::ForegroundRole:
            if (!at(MarathonTaskTableModel::ReachableRole).toBool())
                return QBrush(kStaleText);
            if (index.column() == MarathonTaskTableModel::HealthColumn) {
                const auto health = TaskHealth(at(MarathonTaskTableModel::HealthRole).toInt());
                if (health == TaskHealth::Unhealthy)
                    return QBrush(kRed);
                if (health == TaskHealth::Healthy)
                    return QBrush(kGreen);
            }
            if (index.column() == MarathonTaskTableModel::VersionColumn
                && !at(MarathonTaskTableModel::IsNewVersionRole).toBool())
                return QBrush(kOrangeText);
            return {};
        case Qt::FontRole:
            if ((index.column() == MarathonTaskTableModel::HealthColumn
                 && TaskHealth(at(MarathonTaskTableModel::HealthRole).toInt())
                        == TaskHealth::Unhealthy)
                || (index.column() == MarathonTaskTableModel::VersionColumn
                    && !at(MarathonTaskTableModel::IsNewVersionRole).toBool()))
                return boldFont();
            return {};
        default:
            break;
        }
        return QSortFilterProxyModel::data(index, role);
    }
};

/// Deployments: "step 1/2 · 40 %" for the bar, the stuck marker, stale rows greyed.
class DeploymentProxy : public RoleSortProxy
{
public:
    explicit DeploymentProxy(QObject *parent)
        : RoleSortProxy(MarathonDeploymentTableModel::SortRole, parent)
    {}

    QVariant data(const QModelIndex &index, int role) const override
    {
        const QModelIndex source = mapToSource(index);
        if (!source.isValid())
            return {};
        const bool stuck = source.data(MarathonDeploymentTableModel::StuckRole).toBool();
        switch (role) {
        case Qt::DisplayRole:
            if (index.column() == MarathonDeploymentTableModel::StepColumn) {
                const double progress =
                    source.data(MarathonDeploymentTableModel::ProgressRole).toDouble();
                return MarathonView::tr("step %1 · %2 %")
                    .arg(source.data().toString())
                    .arg(qRound(progress * 100));
            }
            if (index.column() == MarathonDeploymentTableModel::AgeColumn && stuck)
                return MarathonView::tr("%1 · STUCK").arg(source.data().toString());
            break;
        case Qt::BackgroundRole:
            return stuck ? QVariant(QBrush(kRedTint)) : QVariant();
        case Qt::ForegroundRole:
            if (!source.data(MarathonDeploymentTableModel::ReachableRole).toBool())
                return QBrush(kStaleText);
            return stuck ? QVariant(QBrush(kDarkText)) : QVariant();
        case Qt::FontRole:
            if (stuck && index.column() == MarathonDeploymentTableModel::AgeColumn)
                return boldFont();
            return {};
        default:
            break;
        }
        return QSortFilterProxyModel::data(index, role);
    }
};

QTableView *makeTable(const QString &name, QWidget *parent)
{
    auto *table = new QTableView(parent);
    table->setObjectName(name);
    table->setSortingEnabled(true);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setAlternatingRowColors(true);
    table->setWordWrap(false);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setSectionsMovable(true);
    table->setContextMenuPolicy(Qt::CustomContextMenu);
    return table;
}

QLabel *makeTitle(QWidget *parent)
{
    auto *label = new QLabel(parent);
    QFont bold = label->font();
    bold.setBold(true);
    label->setFont(bold);
    label->setContentsMargins(2, 6, 2, 2);
    return label;
}

QString actionTitle(MarathonAction action)
{
    switch (action) {
    case MarathonAction::RestartApp:
        return MarathonView::tr("Restart");
    case MarathonAction::ScaleApp:
        return MarathonView::tr("Scale");
    case MarathonAction::UpdateImage:
        return MarathonView::tr("Roll out");
    case MarathonAction::RollbackDeployment:
        return MarathonView::tr("Roll back");
    case MarathonAction::ForceCancelDeployment:
        return MarathonView::tr("Force-cancel");
    }
    return QString();
}

QString requestTarget(const MarathonActionRequest &request)
{
    switch (request.action) {
    case MarathonAction::RestartApp:
        return request.appId;
    case MarathonAction::ScaleApp:
        return MarathonView::tr("%1 to %2 instances").arg(request.appId).arg(request.instances);
    case MarathonAction::UpdateImage:
        return MarathonView::tr("%1 to %2").arg(request.appId, request.image);
    case MarathonAction::RollbackDeployment:
    case MarathonAction::ForceCancelDeployment:
        return MarathonView::tr("deployment %1").arg(request.deploymentId);
    }
    return QString();
}

constexpr int kOkMessageMs = 8000;
constexpr int kFailureMessageMs = 30000;

} // namespace

QString ageInWords(qint64 ms)
{
    const qint64 s = std::max<qint64>(0, ms / 1000);
    if (s < 60)
        return MarathonView::tr("%1 s ago").arg(s);
    if (s < 3600)
        return MarathonView::tr("%1 min ago").arg(s / 60);
    if (s < 48 * 3600)
        return MarathonView::tr("%1 h ago").arg(s / 3600);
    return MarathonView::tr("%1 d ago").arg(s / 86400);
}

QString timeWithAge(const QDateTime &time, qint64 nowMs)
{
    if (!time.isValid())
        return QString();
    const QDateTime local = time.toLocalTime();
    const bool today = local.date() == QDateTime::fromMSecsSinceEpoch(nowMs).toLocalTime().date();
    const QString clock =
        local.toString(today ? QStringLiteral("HH:mm:ss") : QStringLiteral("yyyy-MM-dd HH:mm"));
    return MarathonView::tr("%1 (%2)").arg(clock, ageInWords(nowMs - time.toMSecsSinceEpoch()));
}

QString sourceStatusText(const QString &source, const HostStatus &status, qint64 nowMs)
{
    switch (status.state) {
    case SourceState::Connected:
        return QString();
    case SourceState::Connecting:
        if (status.error.isEmpty())
            return MarathonView::tr("Connecting to %1…").arg(source);
        return MarathonView::tr("Reconnecting to %1; last error: %2").arg(source, status.error);
    case SourceState::Unreachable: {
        const QString since =
            status.since.isValid()
                ? MarathonView::tr(" since %1").arg(timeWithAge(status.since, nowMs))
                : QString();
        return MarathonView::tr("%1 is UNREACHABLE%2: %3. The tables show the last known state "
                                "(greyed).")
            .arg(source,
                 since,
                 status.error.isEmpty() ? MarathonView::tr("no answer") : status.error);
    }
    }
    return QString();
}

MarathonView::MarathonView(QWidget *parent)
    : QWidget(parent)
{
    const SourcePages pages = makeSourcePages(this, QStringLiteral("marathon"));
    m_stack = pages.stack;
    m_notConfigured = pages.notConfigured;
    QWidget *page = pages.page;
    QVBoxLayout *layout = pages.layout;
    m_filter = new QLineEdit(page);
    m_filter->setObjectName(QStringLiteral("marathonFilter"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setPlaceholderText(
        tr("Filter apps (Ctrl+F): id, image, deployment; is:unhealthy, is:deploying"));
    layout->addWidget(m_filter);
    m_status = makeStatusBanner(QStringLiteral("marathonStatus"), page);
    layout->addWidget(m_status);
    m_result = new QLabel(page);
    m_result->setObjectName(QStringLiteral("marathonResult"));
    m_result->setWordWrap(true);
    m_result->setStyleSheet(bannerStyle(kRedTint, kDarkText));
    m_result->hide();
    layout->addWidget(m_result);

    m_splitter = new QSplitter(Qt::Vertical, page);
    m_splitter->setObjectName(QStringLiteral("marathonSplitter"));
    m_splitter->setChildrenCollapsible(false);

    m_appModel = new MarathonAppTableModel(nullptr, this);
    auto *appProxy = new AppProxy(this);
    m_appProxy = appProxy;
    m_appProxy->setSourceModel(m_appModel);
    m_appTable = makeTable(QStringLiteral("marathonAppTable"), m_splitter);
    m_appTable->setModel(m_appProxy);
    m_appTable->sortByColumn(MarathonAppTableModel::IdColumn, Qt::AscendingOrder);
    const int appWidths[] = {200, 75, 70, 60, 70, 80, 205, 300};
    for (int c = 0; c < int(std::size(appWidths)); ++c)
        m_appTable->setColumnWidth(c, appWidths[c]);

    auto *tasksPanel = new QWidget(m_splitter);
    auto *tasksLayout = new QVBoxLayout(tasksPanel);
    tasksLayout->setContentsMargins(0, 0, 0, 0);
    tasksLayout->setSpacing(2);
    m_tasksTitle = makeTitle(tasksPanel);
    m_lastFailure = new QLabel(tasksPanel);
    m_lastFailure->setObjectName(QStringLiteral("lastTaskFailure"));
    m_lastFailure->setWordWrap(true);
    m_lastFailure->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_lastFailure->setStyleSheet(bannerStyle(QColor(0xff, 0xf3, 0xe0), kDarkText));
    m_lastFailure->hide();
    m_taskModel = new MarathonTaskTableModel(nullptr, this);
    m_taskProxy = new TaskProxy(this);
    m_taskProxy->setSourceModel(m_taskModel);
    m_taskTable = makeTable(QStringLiteral("marathonTaskTable"), tasksPanel);
    m_taskTable->setModel(m_taskProxy);
    m_taskTable->setContextMenuPolicy(Qt::DefaultContextMenu);
    m_taskTable->sortByColumn(MarathonTaskTableModel::TaskIdColumn, Qt::AscendingOrder);
    const int taskWidths[] = {290, 190, 190, 80, 75, 95, 65};
    for (int c = 0; c < int(std::size(taskWidths)); ++c)
        m_taskTable->setColumnWidth(c, taskWidths[c]);
    tasksLayout->addWidget(m_tasksTitle);
    tasksLayout->addWidget(m_lastFailure);
    tasksLayout->addWidget(m_taskTable, 1);

    auto *deploymentsPanel = new QWidget(m_splitter);
    auto *deploymentsLayout = new QVBoxLayout(deploymentsPanel);
    deploymentsLayout->setContentsMargins(0, 0, 0, 0);
    deploymentsLayout->setSpacing(2);
    m_deploymentsTitle = makeTitle(deploymentsPanel);
    m_deploymentModel = new MarathonDeploymentTableModel(nullptr, this);
    m_deploymentProxy = new DeploymentProxy(this);
    m_deploymentProxy->setSourceModel(m_deploymentModel);
    m_deploymentTable = makeTable(QStringLiteral("marathonDeploymentTable"), deploymentsPanel);
    m_deploymentTable->setModel(m_deploymentProxy);
    m_deploymentTable->sortByColumn(MarathonDeploymentTableModel::AgeColumn, Qt::DescendingOrder);
    auto *progress = new BarDelegate(MarathonDeploymentTableModel::ProgressRole, this);
    progress->setColourFunction([](const QModelIndex &index, double) {
        return index.data(MarathonDeploymentTableModel::StuckRole).toBool()
                   ? QColor(0xef, 0x9a, 0x9a)
                   : QColor(0x90, 0xca, 0xf9);
    });
    m_deploymentTable->setItemDelegateForColumn(MarathonDeploymentTableModel::StepColumn, progress);
    const int deploymentWidths[] = {290, 170, 260, 220};
    for (int c = 0; c < int(std::size(deploymentWidths)); ++c)
        m_deploymentTable->setColumnWidth(c, deploymentWidths[c]);
    deploymentsLayout->addWidget(m_deploymentsTitle);
    deploymentsLayout->addWidget(m_deploymentTable, 1);

    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setStretchFactor(2, 1);
    layout->addWidget(m_splitter, 1);

    connect(m_filter, &QLineEdit::textChanged, this, [appProxy](const QString &text) {
        appProxy->setFilterText(text);
    });
    auto *clear = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    clear->setContext(Qt::WidgetWithChildrenShortcut);
    connect(clear, &QShortcut::activated, m_filter, &QLineEdit::clear);
    connect(m_appTable->selectionModel(),
            &QItemSelectionModel::currentRowChanged,
            this,
            &MarathonView::onAppSelected);
    connect(m_appProxy, &QAbstractItemModel::modelReset, this, &MarathonView::onAppSelected);
    connect(m_deploymentTable->selectionModel(),
            &QItemSelectionModel::currentRowChanged,
            this,
            &MarathonView::updateActions);
    connect(m_deploymentProxy, &QAbstractItemModel::modelReset, this, &MarathonView::updateActions);
    connect(m_appTable, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        showContextMenu(m_appTable, pos);
    });
    connect(m_deploymentTable,
            &QWidget::customContextMenuRequested,
            this,
            [this](const QPoint &pos) { showContextMenu(m_deploymentTable, pos); });

    buildActions();

    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        if (!isVisible())
            return;
        m_appTable->viewport()->update();
        m_taskTable->viewport()->update();
        m_deploymentTable->viewport()->update();
        updateStatus();
    });
    m_tick.start();

    setEnvironment(m_config, nullptr);
}

MarathonView::~MarathonView() = default;

void MarathonView::buildActions()
{
    m_restart = new QAction(tr("Restart &app"), this);
    m_restart->setObjectName(QStringLiteral("marathonRestart"));
    m_restart->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    m_scale = new QAction(tr("S&cale…"), this);
    m_scale->setObjectName(QStringLiteral("marathonScale"));
    m_scale->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_I));
    m_rollout = new QAction(tr("Roll out new &image…"), this);
    m_rollout->setObjectName(QStringLiteral("marathonRollout"));
    m_rollout->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_U));
    m_rollback = new QAction(tr("Roll &back deployment"), this);
    m_rollback->setObjectName(QStringLiteral("marathonRollback"));
    m_rollback->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B));
    m_forceCancel = new QAction(tr("&Force-cancel deployment"), this);
    m_forceCancel->setObjectName(QStringLiteral("marathonForceCancel"));
    m_forceCancel->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    connect(m_restart, &QAction::triggered, this, &MarathonView::askRestart);
    connect(m_scale, &QAction::triggered, this, &MarathonView::askScale);
    connect(m_rollout, &QAction::triggered, this, &MarathonView::askRollout);
    connect(m_rollback, &QAction::triggered, this, &MarathonView::askRollback);
    connect(m_forceCancel, &QAction::triggered, this, &MarathonView::askForceCancel);
    // Reachable from the tables even when the window has not added them to a menu.
    addActions(marathonActions());
}

QList<QAction *> MarathonView::marathonActions() const
{
    return {m_restart, m_scale, m_rollout, m_rollback, m_forceCancel};
}

void MarathonView::focusFilter()
{
    m_filter->setFocus();
    m_filter->selectAll();
}

void MarathonView::setOperations(MarathonOperations *operations)
{
    if (m_operations)
        disconnect(m_operations, nullptr, this, nullptr);
    m_operations = operations;
    if (m_operations)
        connect(m_operations,
                &MarathonOperations::marathonActionFinished,
                this,
                &MarathonView::onActionFinished);
    updateActions();
}

void MarathonView::setEnvironment(const EnvironmentConfig &config, MarathonStore *store)
{
    const bool sameStore = store == m_store && config.name == m_config.name;
    m_config = config;
    if (!sameStore) {
        if (m_store)
            disconnect(m_store, nullptr, this, nullptr);
        m_store = store;
        m_result->hide();
        m_appModel->setStore(store);
        m_taskModel->setAppId(QString());
        m_taskModel->setStore(store);
        m_deploymentModel->setStore(store);
        if (m_store)
            connectStore();
    }
    m_notConfigured->setText(
        tr("Marathon is not configured for environment %1.\nAdd a marathon section for it to the "
           "environments file to see its apps, tasks and deployments here.")
            .arg(config.name.isEmpty() ? tr("(none)") : config.name));
    m_stack->setCurrentIndex(m_store ? 1 : 0);
    updateStatus();
    onAppSelected();
    updateDeploymentsTitle();
}

void MarathonView::connectStore()
{
    connect(m_store, &MarathonStore::statusChanged, this, [this] {
        updateStatus();
        updateActions();
    });
    // After the table models (connected in setStore), so counts read the new rows.
    connect(m_store, &MarathonStore::appsChanged, this, &MarathonView::updateAppDetails);
    connect(m_store, &MarathonStore::tasksChanged, this, &MarathonView::updateAppDetails);
    connect(m_store, &MarathonStore::deploymentsChanged, this, [this] {
        updateDeploymentsTitle();
        updateActions();
    });
}

QString MarathonView::selectedAppId() const
{
    const QModelIndex current = m_appTable->selectionModel()->currentIndex();
    return current.isValid() ? current.data(MarathonAppTableModel::AppIdRole).toString()
                             : QString();
}

QString MarathonView::targetDeploymentId() const
{
    if (!m_store)
        return QString();
    const QModelIndex current = m_deploymentTable->selectionModel()->currentIndex();
    if (current.isValid()) {
        const QString id = current.data(MarathonDeploymentTableModel::DeploymentIdRole).toString();
        if (m_store->deployment(id))
            return id;
    }
    if (const MarathonApp *app = m_store->app(selectedAppId())) {
        for (const QString &id : app->deploymentIds) {
            if (m_store->deployment(id))
                return id;
        }
    }
    return QString();
}

bool MarathonView::selectApp(const QString &appId)
{
    int row = m_appModel->rowOf(appId);
    if (row < 0)
        return false;
    QModelIndex index = m_appProxy->mapFromSource(m_appModel->index(row, 0));
    if (!index.isValid()) {
        m_filter->clear();
        index = m_appProxy->mapFromSource(m_appModel->index(row, 0));
    }
    m_appTable->setCurrentIndex(index);
    m_appTable->scrollTo(index);
    return index.isValid();
}

bool MarathonView::selectDeployment(const QString &deploymentId)
{
    const int row = m_deploymentModel->rowOf(deploymentId);
    if (row < 0)
        return false;
    const QModelIndex index = m_deploymentProxy->mapFromSource(m_deploymentModel->index(row, 0));
    m_deploymentTable->setCurrentIndex(index);
    return index.isValid();
}

void MarathonView::onAppSelected()
{
    m_taskModel->setAppId(selectedAppId());
    updateAppDetails();
}

void MarathonView::updateAppDetails()
{
    const QString id = selectedAppId();
    const MarathonApp *app = m_store ? m_store->app(id) : nullptr;
    if (!app) {
        m_tasksTitle->setText(tr("Tasks: select an app to see its tasks"));
        m_lastFailure->hide();
    } else {
        const AppVersionCounts counts = m_store->versionCounts(id);
        QString title = tr("Tasks of %1: %2").arg(id).arg(m_taskModel->rowCount());
        if (counts.oldTasks > 0)
            title += tr(" (%1 new, %2 old: an upgrade is under way)")
                         .arg(counts.newTasks)
                         .arg(counts.oldTasks);
        m_tasksTitle->setText(title);
        const int row = m_appModel->rowOf(id);
        const QString failure =
            m_appModel->index(row, 0).data(MarathonAppTableModel::LastFailureRole).toString();
        m_lastFailure->setText(tr("Last task failure: %1").arg(failure));
        m_lastFailure->setVisible(!failure.isEmpty());
    }
    updateActions();
}

void MarathonView::updateDeploymentsTitle()
{
    const int count = m_deploymentModel->rowCount();
    int stuck = 0;
    for (int row = 0; row < count; ++row)
        stuck +=
            m_deploymentModel->index(row, 0).data(MarathonDeploymentTableModel::StuckRole).toBool()
                ? 1
                : 0;
    QString title = count == 0 ? tr("Deployments: none in progress")
                               : tr("Deployments in progress: %1").arg(count);
    if (stuck > 0)
        title += tr(" (%1 stuck: roll back, or force-cancel)").arg(stuck);
    m_deploymentsTitle->setText(title);
}

void MarathonView::updateStatus()
{
    if (!m_store) {
        m_status->hide();
        return;
    }
    showSourceStatus(m_status, tr("Marathon"), m_store->marathonStatus(), m_store->now());
}

void MarathonView::updateActions()
{
    QString reason;
    if (!m_store)
        reason = tr("Marathon is not configured for %1.").arg(m_config.name);
    else if (m_config.readOnly)
        reason = tr("Environment %1 is read-only (read_only: true in the environments file).")
                     .arg(m_config.name);
    else if (!m_operations)
        reason = tr("Marathon actions are not available.");
    else if (m_store->marathonStatus().state == SourceState::Unreachable)
        reason = tr("Marathon is unreachable: %1").arg(m_store->marathonStatus().error);

    const MarathonApp *app = m_store ? m_store->app(selectedAppId()) : nullptr;
    const QString noApp = tr("Select an app first.");
    const QString deployment = targetDeploymentId();
    const QString noDeployment = tr("Select a deployment, or an app being deployed, first.");

    const struct
    {
        QAction *action;
        bool applicable;
        QString why;
        QString tip;
    } rows[] = {
        {m_restart,
         app != nullptr,
         noApp,
         tr("Replace the selected app's tasks following its upgrade strategy (Ctrl+Shift+R)")},
        {m_scale,
         app != nullptr,
         noApp,
         tr("Change the number of instances of the selected app (Ctrl+Shift+I)")},
        {m_rollout,
         app && !app->image.isEmpty(),
         app ? tr("The app runs a command, not a container image.") : noApp,
         tr("Roll the selected app out with a new image, with the plan shown first "
            "(Ctrl+Shift+U)")},
        {m_rollback,
         !deployment.isEmpty(),
         noDeployment,
         tr("Cancel the deployment and let Marathon revert its changes (Ctrl+Shift+B)")},
        {m_forceCancel,
         !deployment.isEmpty(),
         noDeployment,
         tr("Stop the deployment where it is, without a rollback: leaves mixed versions "
            "(Ctrl+Shift+K)")},
    };

    for (const auto &row : rows) {
        const bool enabled = reason.isEmpty() && row.applicable;
        const QString tip = !reason.isEmpty() ? reason : row.applicable ? row.tip : row.why;
        row.action->setEnabled(enabled);
        row.action->setToolTip(tip);
        row.action->setStatusTip(tip);
    }
}

void MarathonView::showContextMenu(QTableView *table, const QPoint &pos)
{
    const QModelIndex index = table->indexAt(pos);
    if (index.isValid())
        table->setCurrentIndex(index);
    auto *menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    if (table == m_appTable) {
        menu->addAction(m_restart);
        menu->addAction(m_scale);
        menu->addAction(m_rollout);
        menu->addSeparator();
    }
    menu->addAction(m_rollback);
    menu->addAction(m_forceCancel);
    menu->popup(table->viewport()->mapToGlobal(pos)); // no nested event loop
}

ConfirmActionDialog *MarathonView::pendingConfirmation() const
{
    return m_confirm;
}

QDialog *MarathonView::pendingScale() const
{
    return m_scaleDialog;
}

RolloutDialog *MarathonView::pendingRollout() const
{
    return m_rolloutDialog;
}

bool MarathonView::busy() const
{
    return m_confirm || m_scaleDialog || m_rolloutDialog;
}

void MarathonView::askRestart()
{
    const MarathonApp *app = m_store ? m_store->app(selectedAppId()) : nullptr;
    if (!app || busy() || !m_restart->isEnabled())
        return;
    const std::optional<RolloutPlan> plan = planFor(*app);
    QString target = tr("Marathon app %1 (%2 instances)").arg(app->id).arg(app->instances);
    QStringList warnings;
    if (plan) {
        target = tr("Marathon app %1 (%2 instances: %3)")
                     .arg(app->id)
                     .arg(app->instances)
                     .arg(plan->summary());
        warnings = plan->warnings;
    }
    if (!app->deploymentIds.isEmpty())
        warnings << tr("A deployment already touches this app: Marathon refuses the restart "
                       "(409) until it finishes or is rolled back.");
    MarathonActionRequest request;
    request.action = MarathonAction::RestartApp;
    request.environment = m_config.name;
    request.appId = app->id;
    confirmAndSend(
        tr("Restart"), target, warnings.join(QLatin1Char('\n')), plan && plan->downtime, request);
}

void MarathonView::askScale()
{
    const MarathonApp *app = m_store ? m_store->app(selectedAppId()) : nullptr;
    if (!app || busy() || !m_scale->isEnabled())
        return;
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("scaleDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Scale %1 in %2").arg(app->id, m_config.name));
    auto *layout = new QVBoxLayout(dialog);
    auto *form = new QFormLayout;
    auto *spin = new QSpinBox(dialog);
    spin->setObjectName(QStringLiteral("scaleInstances"));
    // Far above any sane app; Marathon itself accepts any non-negative count.
    spin->setRange(0, 10000);
    spin->setValue(app->instances);
    form->addRow(tr("App:"), new QLabel(app->id, dialog));
    form->addRow(
        tr("Now:"),
        new QLabel(tr("%1 instances (%2 running)").arg(app->instances).arg(app->tasksRunning),
                   dialog));
    form->addRow(tr("&Instances:"), spin);
    layout->addLayout(form);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Continue…"));
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);
    const auto updateOk = [buttons, spin, current = app->instances] {
        buttons->button(QDialogButtonBox::Ok)->setEnabled(spin->value() != current);
    };
    connect(spin, &QSpinBox::valueChanged, dialog, updateOk);
    updateOk();

    const QString appId = app->id;
    const int current = app->instances;
    connect(dialog, &QDialog::accepted, this, [this, spin, appId, current] {
        const int instances = spin->value();
        m_scaleDialog = nullptr; // closing; the confirmation comes next
        if (instances == current)
            return;
        MarathonActionRequest request;
        request.action = MarathonAction::ScaleApp;
        request.environment = m_config.name;
        request.appId = appId;
        request.instances = instances;
        QString warning;
        if (instances == 0)
            warning = tr("Scaling to 0 stops every instance of %1.").arg(appId);
        else if (instances < current)
            warning = tr("%1 running instances will be killed.").arg(current - instances);
        confirmAndSend(
            tr("Scale"),
            tr("Marathon app %1 from %2 to %3 instances").arg(appId).arg(current).arg(instances),
            warning,
            instances == 0,
            request);
    });
    m_scaleDialog = dialog;
    dialog->open(); // window-modal, no nested event loop
}

void MarathonView::askRollout()
{
    const MarathonApp *app = m_store ? m_store->app(selectedAppId()) : nullptr;
    if (!app || busy() || !m_rollout->isEnabled())
        return;
    auto *dialog =
        new RolloutDialog(*app, healthyNow(*app), m_config.name, m_config.production, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_rolloutDialog = nullptr; // closing; the confirmation comes next
        MarathonActionRequest request;
        request.action = MarathonAction::UpdateImage;
        request.environment = m_config.name;
        request.appId = dialog->appId();
        request.image = dialog->newImage();
        const std::optional<RolloutPlan> &plan = dialog->plan();
        QString target = tr("image %1 to Marathon app %2 (now %3)")
                             .arg(request.image, request.appId, dialog->currentImage());
        if (plan)
            target += tr("; %1").arg(plan->summary());
        confirmAndSend(tr("Roll out"),
                       target,
                       plan ? plan->warnings.join(QLatin1Char('\n')) : QString(),
                       plan && plan->downtime,
                       request);
    });
    m_rolloutDialog = dialog;
    dialog->open();
}

void MarathonView::askRollback()
{
    const QString id = targetDeploymentId();
    const MarathonDeployment *d = m_store ? m_store->deployment(id) : nullptr;
    if (!d || busy() || !m_rollback->isEnabled())
        return;
    MarathonActionRequest request;
    request.action = MarathonAction::RollbackDeployment;
    request.environment = m_config.name;
    request.deploymentId = id;
    confirmAndSend(tr("Roll back"),
                   tr("deployment %1 (%2, step %3/%4)")
                       .arg(id, d->affectedApps.join(QLatin1String(", ")))
                       .arg(d->currentStep)
                       .arg(d->totalSteps),
                   tr("Marathon cancels this deployment and starts a new one that reverts its "
                      "changes: %1 go back to their previous definition.")
                       .arg(d->affectedApps.join(QLatin1String(", "))),
                   false,
                   request);
}

void MarathonView::askForceCancel()
{
    const QString id = targetDeploymentId();
    const MarathonDeployment *d = m_store ? m_store->deployment(id) : nullptr;
    if (!d || busy() || !m_forceCancel->isEnabled())
        return;
    int oldTasks = 0;
    int newTasks = 0;
    for (const QString &app : d->affectedApps) {
        const AppVersionCounts counts = m_store->versionCounts(app);
        oldTasks += counts.oldTasks;
        newTasks += counts.newTasks;
    }
    MarathonActionRequest request;
    request.action = MarathonAction::ForceCancelDeployment;
    request.environment = m_config.name;
    request.deploymentId = id;
    confirmAndSend(
        tr("Force-cancel"),
        tr("deployment %1 (%2, step %3/%4)")
            .arg(id, d->affectedApps.join(QLatin1String(", ")))
            .arg(d->currentStep)
            .arg(d->totalSteps),
        tr("NO ROLLBACK. The deployment stops where it is and %1 keep a MIX OF OLD AND NEW "
           "VERSIONS (now %2 new, %3 old tasks) until the next deployment. Prefer Roll back; "
           "force-cancel only when the rollback itself cannot finish.")
            .arg(d->affectedApps.join(QLatin1String(", ")))
            .arg(newTasks)
            .arg(oldTasks),
        true,
        request);
}

void MarathonView::confirmAndSend(const QString &actionText,
                                  const QString &targetText,
                                  const QString &warning,
                                  bool strongWarning,
                                  const MarathonActionRequest &request)
{
    if (busy() || m_config.readOnly)
        return;
    m_confirm =
        new ConfirmActionDialog(actionText, targetText, m_config.name, m_config.production, this);
    m_confirm->setAttribute(Qt::WA_DeleteOnClose);
    if (!warning.isEmpty())
        m_confirm->setWarning(warning, strongWarning);
    connect(m_confirm, &QDialog::accepted, this, [this, request, actionText] {
        emit statusMessage(tr("%1 %2 in %3: requested…")
                               .arg(actionText, requestTarget(request), request.environment),
                           kOkMessageMs);
        m_result->hide();
        if (m_operations)
            m_operations->requestMarathonAction(request);
    });
    m_confirm->open(); // window-modal, no nested event loop
}

void MarathonView::onActionFinished(const MarathonActionRequest &request,
                                    bool ok,
                                    const QString &message,
                                    const QString &deploymentId)
{
    const QString what =
        tr("%1 %2 in %3")
            .arg(actionTitle(request.action), requestTarget(request), request.environment);
    if (ok) {
        QString text = tr("%1: done").arg(what);
        if (!deploymentId.isEmpty())
            text += tr(", deployment %1 started").arg(deploymentId);
        if (!message.isEmpty())
            text += tr(" (%1)").arg(message);
        emit statusMessage(text, kOkMessageMs);
        if (request.environment == m_config.name)
            m_result->hide();
        return;
    }
    QString text = tr("%1 FAILED: %2").arg(what, message);
    // Marathon answers 409 while a deployment holds the app (apis.md §2.4).
    if (message.contains(QLatin1String("locked"), Qt::CaseInsensitive)
        || message.contains(QLatin1String("409"))) {
        text += tr(". A deployment in progress locks the app: wait for it to finish, roll it back "
                   "(Ctrl+Shift+B), or force-cancel it (Ctrl+Shift+K, leaves mixed versions).");
    }
    emit statusMessage(text, kFailureMessageMs);
    if (request.environment == m_config.name) {
        m_result->setText(text);
        m_result->show();
    }
}

QByteArray MarathonView::saveState() const
{
    QByteArray state;
    QDataStream out(&state, QIODevice::WriteOnly);
    out << quint8(1) << m_splitter->saveState() << m_appTable->horizontalHeader()->saveState()
        << m_taskTable->horizontalHeader()->saveState()
        << m_deploymentTable->horizontalHeader()->saveState();
    return state;
}

void MarathonView::restoreState(const QByteArray &state)
{
    QDataStream in(state);
    quint8 version = 0;
    QByteArray splitter;
    QByteArray apps;
    QByteArray tasks;
    QByteArray deployments;
    in >> version >> splitter >> apps >> tasks >> deployments;
    if (in.status() != QDataStream::Ok || version != 1)
        return;
    m_splitter->restoreState(splitter);
    m_appTable->horizontalHeader()->restoreState(apps);
    m_taskTable->horizontalHeader()->restoreState(tasks);
    m_deploymentTable->horizontalHeader()->restoreState(deployments);
}

} // namespace Opsdeck::Views
