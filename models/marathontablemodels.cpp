// SPDX-License-Identifier: MIT
#include "models/marathontablemodels.h"

#include "models/containertablemodel.h"

#include <QCoreApplication>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace Opsdeck::Models {

namespace {

QString trModels(const char *text)
{
    return QCoreApplication::translate("Opsdeck::Models", text);
}

QString localTime(const QDateTime &t)
{
    return t.isValid() ? t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                       : QString();
}

/// "3.5", "8", "0.1": at most one decimal, none when it is whole.
QString amount(double v)
{
    const double rounded = std::round(v * 10) / 10;
    if (rounded == std::floor(rounded))
        return QString::number(qint64(rounded));
    return QString::number(rounded, 'f', 1);
}

/// A deployment action as a verb: "restart", "scale" …
QString actionVerb(const QString &action)
{
    if (action == QLatin1String("StartApplication") || action == QLatin1String("StartPod"))
        return trModels("start");
    if (action == QLatin1String("StopApplication") || action == QLatin1String("StopPod"))
        return trModels("stop");
    if (action == QLatin1String("ScaleApplication") || action == QLatin1String("ScalePod"))
        return trModels("scale");
    if (action == QLatin1String("RestartApplication") || action == QLatin1String("RestartPod"))
        return trModels("restart");
    if (action == QLatin1String("ResolveArtifacts"))
        return trModels("resolve artifacts");
    return action;
}

/// "restarting step 1/2" for the row of @p appId.
QString deploymentText(const MarathonStore &store, const MarathonApp &app)
{
    if (app.deploymentIds.isEmpty())
        return QString();
    for (const QString &id : app.deploymentIds) {
        const MarathonDeployment *d = store.deployment(id);
        if (!d)
            continue;
        QString verb;
        for (const MarathonDeployment::Action &a : d->currentActions) {
            if (a.app != app.id)
                continue;
            if (a.action == QLatin1String("RestartApplication"))
                verb = trModels("restarting");
            else if (a.action == QLatin1String("ScaleApplication"))
                verb = trModels("scaling");
            else if (a.action == QLatin1String("StartApplication"))
                verb = trModels("starting");
            else if (a.action == QLatin1String("StopApplication"))
                verb = trModels("stopping");
            break;
        }
        if (verb.isEmpty())
            verb = trModels("deploying");
        return trModels("%1 step %2/%3").arg(verb).arg(d->currentStep).arg(d->totalSteps);
    }
    return trModels("deploying");
}

// Column titles, in column order; translated in their model's context.
const char *const kAppColumns[] = {
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonAppTableModel", "ID"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonAppTableModel", "Instances"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonAppTableModel", "Running"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonAppTableModel", "Staged"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonAppTableModel", "Healthy"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonAppTableModel", "Unhealthy"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonAppTableModel", "Version"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonAppTableModel", "Image"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonAppTableModel", "Deployment"),
};
static_assert(std::size(kAppColumns) == MarathonAppTableModel::ColumnCount);

const char *const kTaskColumns[] = {
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonTaskTableModel", "Task ID"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonTaskTableModel", "Agent"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonTaskTableModel", "Host"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonTaskTableModel", "Ports"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonTaskTableModel", "State"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonTaskTableModel", "Health"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonTaskTableModel", "Version"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonTaskTableModel", "Started"),
};
static_assert(std::size(kTaskColumns) == MarathonTaskTableModel::ColumnCount);

const char *const kDeploymentColumns[] = {
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonDeploymentTableModel", "ID"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonDeploymentTableModel", "Affected apps"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonDeploymentTableModel", "Current actions"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonDeploymentTableModel", "Step"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MarathonDeploymentTableModel", "Age"),
};
static_assert(std::size(kDeploymentColumns) == MarathonDeploymentTableModel::ColumnCount);

const char *const kAgentColumns[] = {
    QT_TRANSLATE_NOOP("Opsdeck::Models::MesosAgentTableModel", "Hostname"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MesosAgentTableModel", "Active"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MesosAgentTableModel", "Tasks"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MesosAgentTableModel", "CPU"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MesosAgentTableModel", "Memory"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::MesosAgentTableModel", "Disk"),
};
static_assert(std::size(kAgentColumns) == MesosAgentTableModel::ColumnCount);

QString taskStateText(const QString &state)
{
    if (state.startsWith(QLatin1String("TASK_")))
        return state.mid(5).toLower().replace(QLatin1Char('_'), QLatin1Char(' '));
    return state.toLower();
}

} // namespace

QString formatUsage(double used, double total, const QString &unit)
{
    const QString totalText =
        unit.isEmpty() ? amount(total) : trModels("%1 %2").arg(amount(total), unit);
    if (total <= 0)
        return trModels("%1 / %2").arg(amount(used), totalText);
    return trModels("%1 / %2 (%3 %)").arg(amount(used), totalText).arg(qRound(used / total * 100));
}

QString formatMegabytesUsage(double usedMb, double totalMb)
{
    // Mesos counts memory and disk in MB of 1024 × 1024 bytes.
    if (totalMb >= 1024.0 * 1024.0)
        return formatUsage(
            usedMb / (1024.0 * 1024.0), totalMb / (1024.0 * 1024.0), QStringLiteral("TiB"));
    if (totalMb >= 1024.0)
        return formatUsage(usedMb / 1024.0, totalMb / 1024.0, QStringLiteral("GiB"));
    return formatUsage(usedMb, totalMb, QStringLiteral("MiB"));
}

// MarathonKeyedTableModel

void MarathonKeyedTableModel::setStore(MarathonStore *store)
{
    beginResetModel();
    if (m_store)
        disconnect(m_store, nullptr, this, nullptr);
    m_store = store;
    if (m_store) {
        m_store->flush(); // what is pending now is part of the listing below
        connectStore();
        // Reachability greys every row (or not).
        connect(
            m_store, &MarathonStore::statusChanged, this, &MarathonKeyedTableModel::refreshAllRows);
    }
    resetKeys(initialKeys());
    endResetModel();
}

bool MarathonKeyedTableModel::marathonReachable() const
{
    return !m_store || m_store->marathonStatus().state != SourceState::Unreachable;
}

bool MarathonKeyedTableModel::mesosReachable() const
{
    return !m_store || m_store->mesosStatus().state != SourceState::Unreachable;
}

QString MarathonKeyedTableModel::marathonStaleText()
{
    return tr("Marathon is unreachable: this row shows the last known state.");
}

// MarathonAppTableModel

MarathonAppTableModel::MarathonAppTableModel(MarathonStore *store, QObject *parent)
    : MarathonKeyedTableModel(kAppColumns, parent)
{
    setStore(store);
}

QStringList MarathonAppTableModel::initialKeys()
{
    return m_store ? m_store->appIds() : QStringList();
}

void MarathonAppTableModel::connectStore()
{
    connect(m_store, &MarathonStore::appsChanged, this, &MarathonAppTableModel::applyChanges);
    // Old-task counts follow the tasks; the deployment text follows the deployments.
    connect(m_store, &MarathonStore::tasksChanged, this, [this](const QStringList &appIds) {
        applyChanges({}, appIds, {});
    });
    connect(m_store,
            &MarathonStore::deploymentsChanged,
            this,
            &MarathonAppTableModel::onDeploymentsChanged);
}

bool MarathonAppTableModel::hasKey(const QString &key) const
{
    return m_store && m_store->app(key);
}

void MarathonAppTableModel::onDeploymentsChanged()
{
    // A step or action changed: only the Deployment column reads deployments.
    if (rowCount() > 0)
        emit dataChanged(index(0, DeploymentColumn), index(rowCount() - 1, DeploymentColumn));
}

QVariant MarathonAppTableModel::data(const QModelIndex &idx, int role) const
{
    if (!idx.isValid() || !m_store || idx.row() >= rowCount())
        return {};
    const MarathonApp *a = m_store->app(keyAt(idx.row()));
    if (!a)
        return {};
    const bool checks = a->healthCheckCount > 0;
    const bool reachable = marathonReachable();

    switch (role) {
    case AppIdRole:
        return a->id;
    case DeployingRole:
        return !a->deploymentIds.isEmpty();
    case HealthRatioRole: {
        if (a->instances <= 0)
            return 1.0;
        const int ready = checks ? a->tasksHealthy : a->tasksRunning;
        return std::min(1.0, double(ready) / a->instances);
    }
    case VersionTimeRole:
        return versionTime(a->version);
    case HasHealthChecksRole:
        return checks;
    case ReachableRole:
        return reachable;
    case OldTasksRole:
        return m_store->versionCounts(a->id).oldTasks;
    case LastFailureRole:
        if (!a->lastTaskFailure)
            return QString();
        return tr("%1 on %2 at %3: %4")
            .arg(taskStateText(a->lastTaskFailure->state),
                 a->lastTaskFailure->host,
                 localTime(a->lastTaskFailure->timestamp),
                 a->lastTaskFailure->message);
    case Qt::ToolTipRole: {
        QStringList lines;
        if (!reachable)
            lines << marathonStaleText();
        if (!checks && (idx.column() == HealthyColumn || idx.column() == UnhealthyColumn))
            lines << tr("The app has no health checks.");
        if (idx.column() == VersionColumn && !a->version.isEmpty())
            lines << a->version;
        if (a->lastTaskFailure)
            lines << tr("Last task failure: %1").arg(data(idx, LastFailureRole).toString());
        return lines.isEmpty() ? QVariant() : QVariant(lines.join(QLatin1Char('\n')));
    }
    case SortRole:
        switch (idx.column()) {
        case InstancesColumn:
            return a->instances;
        case RunningColumn:
            return a->tasksRunning;
        case StagedColumn:
            return a->tasksStaged;
        case HealthyColumn:
            return checks ? a->tasksHealthy : -1;
        case UnhealthyColumn:
            return checks ? a->tasksUnhealthy : -1;
        case VersionColumn: {
            const QDateTime t = versionTime(a->version);
            return t.isValid() ? t.toMSecsSinceEpoch() : qint64(-1);
        }
        default:
            return data(idx, Qt::DisplayRole).toString().toLower();
        }
    case Qt::DisplayRole:
        switch (idx.column()) {
        case IdColumn:
            return a->id;
        case InstancesColumn:
            return a->instances;
        case RunningColumn:
            return a->tasksRunning;
        case StagedColumn:
            return a->tasksStaged;
        case HealthyColumn:
            // Marathon reports 0 healthy for an app without health checks: not a number to show.
            return checks ? QVariant(a->tasksHealthy) : QVariant(QString());
        case UnhealthyColumn:
            return checks ? QVariant(a->tasksUnhealthy) : QVariant(QString());
        case VersionColumn: {
            const QDateTime t = versionTime(a->version);
            return t.isValid() ? localTime(t) : a->version;
        }
        case ImageColumn:
            return a->image;
        case DeploymentColumn:
            return deploymentText(*m_store, *a);
        default:
            return {};
        }
    default:
        return {};
    }
}

// MarathonTaskTableModel

MarathonTaskTableModel::MarathonTaskTableModel(MarathonStore *store, QObject *parent)
    : MarathonKeyedTableModel(kTaskColumns, parent)
{
    setStore(store);
}

void MarathonTaskTableModel::setAppId(const QString &appId)
{
    if (appId == m_appId)
        return;
    m_appId = appId;
    setStore(m_store); // one reset onto the other app's tasks
}

void MarathonTaskTableModel::reloadTasks()
{
    m_tasks.clear();
    if (!m_store || m_appId.isEmpty())
        return;
    for (const MarathonTask &t : m_store->tasks(m_appId))
        m_tasks.insert(t.id, t);
}

QStringList MarathonTaskTableModel::initialKeys()
{
    reloadTasks();
    QStringList keys = m_tasks.keys();
    keys.sort();
    return keys;
}

void MarathonTaskTableModel::connectStore()
{
    connect(m_store, &MarathonStore::tasksChanged, this, &MarathonTaskTableModel::onTasksChanged);
    connect(m_store, &MarathonStore::appsChanged, this, &MarathonTaskTableModel::onAppsChanged);
    // The Agent column shows the agent's hostname when Mesos knows it.
    connect(m_store, &MarathonStore::agentsChanged, this, &MarathonTaskTableModel::refreshAllRows);
}

bool MarathonTaskTableModel::hasKey(const QString &key) const
{
    return m_tasks.contains(key);
}

void MarathonTaskTableModel::onTasksChanged(const QStringList &appIds)
{
    if (m_appId.isEmpty() || !appIds.contains(m_appId))
        return;
    QHash<QString, MarathonTask> next;
    for (const MarathonTask &t : m_store->tasks(m_appId))
        next.insert(t.id, t);
    QStringList added;
    QStringList changed;
    QStringList removed;
    for (auto it = next.cbegin(); it != next.cend(); ++it) {
        const auto old = m_tasks.constFind(it.key());
        if (old == m_tasks.cend())
            added << it.key();
        else if (*old != *it)
            changed << it.key();
    }
    for (auto it = m_tasks.cbegin(); it != m_tasks.cend(); ++it) {
        if (!next.contains(it.key()))
            removed << it.key();
    }
    added.sort();
    // Rows being removed have no data any more; the remaining rows read the new copy.
    m_tasks = std::move(next);
    applyChanges(added, changed, removed);
}

void MarathonTaskTableModel::onAppsChanged(const QStringList &added,
                                           const QStringList &changed,
                                           const QStringList &)
{
    // The app's version decides "new" / "old" and whether health is checked at all.
    if (added.contains(m_appId) || changed.contains(m_appId))
        refreshAllRows();
}

QVariant MarathonTaskTableModel::data(const QModelIndex &idx, int role) const
{
    if (!idx.isValid() || !m_store || idx.row() >= rowCount())
        return {};
    const auto it = m_tasks.constFind(keyAt(idx.row()));
    if (it == m_tasks.cend())
        return {};
    const MarathonTask &t = *it;
    const MarathonApp *a = m_store->app(m_appId);
    const bool isNew = a && t.version == a->version;
    const bool checks = a && a->healthCheckCount > 0;
    const MesosAgent *agent = m_store->agent(t.agentId);

    switch (role) {
    case TaskIdRole:
        return t.id;
    case IsNewVersionRole:
        return isNew;
    case HealthRole:
        return int(t.health);
    case StateRole:
        return t.state;
    case StartedAtRole:
        return t.startedAt;
    case AgentIdRole:
        return t.agentId;
    case ReachableRole:
        return marathonReachable();
    case Qt::ToolTipRole:
        switch (idx.column()) {
        case HealthColumn:
            return t.healthMessage.isEmpty() ? QVariant() : QVariant(t.healthMessage);
        case VersionColumn:
            return t.version.isEmpty() ? QVariant() : QVariant(t.version);
        case AgentColumn:
            return t.agentId.isEmpty() ? QVariant() : QVariant(t.agentId);
        default:
            return marathonReachable() ? QVariant() : QVariant(marathonStaleText());
        }
    case SortRole:
        switch (idx.column()) {
        case StartedColumn:
            return t.startedAt.isValid() ? t.startedAt.toMSecsSinceEpoch() : qint64(-1);
        case HealthColumn:
            return int(t.health);
        case VersionColumn:
            return isNew ? 1 : 0;
        case PortsColumn:
            return t.ports.isEmpty() ? -1 : t.ports.first();
        default:
            return data(idx, Qt::DisplayRole).toString().toLower();
        }
    case Qt::DisplayRole:
        switch (idx.column()) {
        case TaskIdColumn:
            return t.id;
        case AgentColumn:
            return agent && !agent->hostname.isEmpty() ? agent->hostname : t.agentId;
        case HostColumn:
            return t.host;
        case PortsColumn: {
            QStringList ports;
            for (int p : t.ports)
                ports << QString::number(p);
            return ports.join(QLatin1String(", "));
        }
        case StateColumn:
            return taskStateText(t.state);
        case HealthColumn:
            if (!checks)
                return QString();
            switch (t.health) {
            case TaskHealth::Healthy:
                return tr("healthy");
            case TaskHealth::Unhealthy:
                return tr("unhealthy");
            case TaskHealth::None:
                return tr("no result yet");
            }
            return QString();
        case VersionColumn:
            if (!a)
                return QString();
            return isNew ? tr("new") : tr("old");
        case StartedColumn:
            return localTime(t.startedAt);
        default:
            return {};
        }
    default:
        return {};
    }
}

// MarathonDeploymentTableModel

MarathonDeploymentTableModel::MarathonDeploymentTableModel(MarathonStore *store, QObject *parent)
    : MarathonKeyedTableModel(kDeploymentColumns, parent)
{
    setStore(store);
}

QStringList MarathonDeploymentTableModel::initialKeys()
{
    return m_store ? m_store->deploymentIds() : QStringList();
}

void MarathonDeploymentTableModel::connectStore()
{
    connect(m_store,
            &MarathonStore::deploymentsChanged,
            this,
            &MarathonDeploymentTableModel::applyChanges);
    // Progress within a step follows the affected apps' tasks.
    connect(
        m_store,
        &MarathonStore::appsChanged,
        this,
        [this](const QStringList &added, const QStringList &changed, const QStringList &removed) {
            onAppsOrTasksChanged(added + changed + removed);
        });
    connect(m_store,
            &MarathonStore::tasksChanged,
            this,
            &MarathonDeploymentTableModel::onAppsOrTasksChanged);
}

bool MarathonDeploymentTableModel::hasKey(const QString &key) const
{
    return m_store && m_store->deployment(key);
}

void MarathonDeploymentTableModel::onAppsOrTasksChanged(const QStringList &appIdList)
{
    const QSet<QString> appIds(appIdList.cbegin(), appIdList.cend());
    QStringList touched;
    for (int row = 0; row < rowCount(); ++row) {
        const MarathonDeployment *d = m_store->deployment(keyAt(row));
        if (!d)
            continue;
        for (const QString &app : d->affectedApps) {
            if (appIds.contains(app)) {
                touched << d->id;
                break;
            }
        }
    }
    if (!touched.isEmpty())
        applyChanges({}, touched, {});
}

QVariant MarathonDeploymentTableModel::data(const QModelIndex &idx, int role) const
{
    if (!idx.isValid() || !m_store || idx.row() >= rowCount())
        return {};
    const MarathonDeployment *d = m_store->deployment(keyAt(idx.row()));
    if (!d)
        return {};

    switch (role) {
    case DeploymentIdRole:
        return d->id;
    case ProgressRole:
        return m_store->deploymentProgress(d->id);
    case StuckRole:
        return m_store->isStuck(d->id);
    case FirstSeenRole:
        return d->firstSeen;
    case AgeMsRole:
        return m_store->deploymentAgeMs(d->id);
    case AffectedAppsRole:
        return d->affectedApps;
    case ReachableRole:
        return marathonReachable();
    case Qt::ToolTipRole: {
        QStringList lines;
        if (!marathonReachable())
            lines << marathonStaleText();
        if (m_store->isStuck(d->id)) {
            const qint64 last = m_store->lastProgressMs(d->id);
            lines << tr("No progress for %1: a new task may never become healthy. Roll back, or "
                        "force-cancel to leave tasks as they are.")
                         .arg(formatAge(m_store->now() - last));
        }
        return lines.isEmpty() ? QVariant() : QVariant(lines.join(QLatin1Char('\n')));
    }
    case SortRole:
        switch (idx.column()) {
        case StepColumn:
            return m_store->deploymentProgress(d->id);
        case AgeColumn:
            return m_store->deploymentAgeMs(d->id);
        default:
            return data(idx, Qt::DisplayRole).toString().toLower();
        }
    case Qt::DisplayRole:
        switch (idx.column()) {
        case IdColumn:
            return d->id;
        case AffectedAppsColumn:
            return d->affectedApps.join(QLatin1String(", "));
        case CurrentActionsColumn: {
            QStringList actions;
            for (const MarathonDeployment::Action &a : d->currentActions)
                actions << tr("%1 %2").arg(actionVerb(a.action), a.app);
            return actions.join(QLatin1String(", "));
        }
        case StepColumn:
            return tr("%1/%2").arg(d->currentStep).arg(d->totalSteps);
        case AgeColumn: {
            const qint64 age = m_store->deploymentAgeMs(d->id);
            return age < 0 ? QString() : formatAge(age);
        }
        default:
            return {};
        }
    default:
        return {};
    }
}

// MesosAgentTableModel

MesosAgentTableModel::MesosAgentTableModel(MarathonStore *store, QObject *parent)
    : MarathonKeyedTableModel(kAgentColumns, parent)
{
    setStore(store);
}

QStringList MesosAgentTableModel::initialKeys()
{
    return m_store ? m_store->agentIds() : QStringList();
}

void MesosAgentTableModel::connectStore()
{
    connect(
        m_store,
        &MarathonStore::agentsChanged,
        this,
        [this](const QStringList &added, const QStringList &changed, const QStringList &removed) {
            // New rows in hostname order, like the first listing.
            QStringList ordered = added;
            std::sort(ordered.begin(), ordered.end(), [this](const QString &x, const QString &y) {
                const MesosAgent *ax = m_store->agent(x);
                const MesosAgent *ay = m_store->agent(y);
                const QString hx = ax ? ax->hostname : QString();
                const QString hy = ay ? ay->hostname : QString();
                return hx != hy ? hx < hy : x < y;
            });
            applyChanges(ordered, changed, removed);
        });
}

bool MesosAgentTableModel::hasKey(const QString &key) const
{
    return m_store && m_store->agent(key);
}

QVariant MesosAgentTableModel::data(const QModelIndex &idx, int role) const
{
    if (!idx.isValid() || !m_store || idx.row() >= rowCount())
        return {};
    const MesosAgent *a = m_store->agent(keyAt(idx.row()));
    if (!a)
        return {};

    double used = 0;
    double total = 0;
    bool resource = true;
    switch (idx.column()) {
    case CpuColumn:
        used = a->used.cpus;
        total = a->total.cpus;
        break;
    case MemoryColumn:
        used = a->used.memMb;
        total = a->total.memMb;
        break;
    case DiskColumn:
        used = a->used.diskMb;
        total = a->total.diskMb;
        break;
    default:
        resource = false;
        break;
    }
    const double fraction = total > 0 ? std::clamp(used / total, 0.0, 1.0) : -1.0;

    switch (role) {
    case AgentIdRole:
        return a->id;
    case ActiveRole:
        return a->active;
    case ReachableRole:
        return mesosReachable();
    case UsedRole:
        return resource ? QVariant(used) : QVariant();
    case TotalRole:
        return resource ? QVariant(total) : QVariant();
    case UsageFractionRole:
        return resource ? QVariant(fraction) : QVariant();
    case Qt::ToolTipRole:
        if (!mesosReachable())
            return tr("Mesos is unreachable: this row shows the last known state.");
        if (idx.column() == HostnameColumn)
            return a->id;
        return {};
    case SortRole:
        switch (idx.column()) {
        case ActiveColumn:
            return a->active ? 1 : 0;
        case TasksColumn:
            return a->taskCount;
        case CpuColumn:
        case MemoryColumn:
        case DiskColumn:
            return fraction;
        default:
            return data(idx, Qt::DisplayRole).toString().toLower();
        }
    case Qt::DisplayRole:
        switch (idx.column()) {
        case HostnameColumn:
            return a->hostname.isEmpty() ? a->id : a->hostname;
        case ActiveColumn:
            return a->active ? tr("active") : tr("inactive");
        case TasksColumn:
            return a->taskCount;
        case CpuColumn:
            return formatUsage(used, total);
        case MemoryColumn:
        case DiskColumn:
            return formatMegabytesUsage(used, total);
        default:
            return {};
        }
    default:
        return {};
    }
}

} // namespace Opsdeck::Models
