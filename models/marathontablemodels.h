// SPDX-License-Identifier: MIT
#pragma once

#include "models/keyedtablemodel.h"
#include "models/marathonstore.h"

#include <QHash>
#include <QPointer>
#include <QStringList>

namespace Opsdeck::Models {

/// Common ground of the Marathon / Mesos tables: one row per key (app id, task id …) of a
/// MarathonStore. Switching stores (another environment) is one reset.
class MarathonKeyedTableModel : public KeyedTableModel
{
    Q_OBJECT

public:
    /// Shows @p store (not owned); nullptr shows nothing.
    void setStore(MarathonStore *store);

    MarathonStore *store() const { return m_store; }

protected:
    using KeyedTableModel::KeyedTableModel;

    /// The keys to show right after setStore, in row order.
    virtual QStringList initialKeys() = 0;
    /// Connects the store's signals this model follows besides statusChanged (called by setStore).
    virtual void connectStore() = 0;

    /// Whether the source behind these rows is not unreachable.
    bool marathonReachable() const;
    bool mesosReachable() const;
    /// The tooltip of a row shown while Marathon is unreachable.
    static QString marathonStaleText();

    QPointer<MarathonStore> m_store; ///< not owned
};

/// The Marathon apps of one environment.
class MarathonAppTableModel : public MarathonKeyedTableModel
{
    Q_OBJECT

public:
    enum Column {
        IdColumn,
        InstancesColumn,
        RunningColumn,
        StagedColumn,
        HealthyColumn,
        UnhealthyColumn,
        VersionColumn, ///< local time; VersionTimeRole gives the QDateTime for an age beside it
        ImageColumn,
        DeploymentColumn, ///< "restarting step 1/1", or empty
        ColumnCount,
    };

    enum Role {
        AppIdRole = Qt::UserRole + 1, ///< QString
        SortRole,                     ///< a value that sorts naturally for the column
        DeployingRole,                ///< bool: a deployment touches the app
        HealthRatioRole, ///< double 0..1: healthy (or running, without health checks) / wanted; 1 when 0 wanted
        VersionTimeRole,     ///< QDateTime of app.version (UTC)
        HasHealthChecksRole, ///< bool
        ReachableRole,       ///< bool: false while Marathon is unreachable (row is stale)
        OldTasksRole,        ///< int: tasks not yet at the app's version
        LastFailureRole,     ///< QString: the last task failure in words, or empty
    };

    explicit MarathonAppTableModel(MarathonStore *store = nullptr, QObject *parent = nullptr);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

protected:
    QStringList initialKeys() override;
    void connectStore() override;
    bool hasKey(const QString &key) const override;

private:
    void onDeploymentsChanged();
};

/// The tasks of one app (setAppId); rows follow the store without resets.
class MarathonTaskTableModel : public MarathonKeyedTableModel
{
    Q_OBJECT

public:
    enum Column {
        TaskIdColumn,
        AgentColumn, ///< the agent's hostname when Mesos knows it, else its id
        HostColumn,
        PortsColumn,
        StateColumn,
        HealthColumn,
        VersionColumn, ///< "new" / "old" against the app's version
        StartedColumn, ///< local time
        ColumnCount,
    };

    enum Role {
        TaskIdRole = Qt::UserRole + 1, ///< QString
        SortRole,
        IsNewVersionRole, ///< bool: task.version == app.version
        HealthRole,       ///< int(TaskHealth)
        StateRole,        ///< QString, the Mesos state as given (TASK_RUNNING …)
        StartedAtRole,    ///< QDateTime (invalid while staging)
        AgentIdRole,      ///< QString
        ReachableRole,    ///< bool: false while Marathon is unreachable
    };

    explicit MarathonTaskTableModel(MarathonStore *store = nullptr, QObject *parent = nullptr);

    /// Shows the tasks of @p appId (empty: none). Switching apps is one reset.
    void setAppId(const QString &appId);

    QString appId() const { return m_appId; }

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

protected:
    QStringList initialKeys() override;
    void connectStore() override;
    bool hasKey(const QString &key) const override;

private:
    void reloadTasks();
    void onTasksChanged(const QStringList &appIds);
    void
    onAppsChanged(const QStringList &added, const QStringList &changed, const QStringList &removed);

    QString m_appId;
    QHash<QString, MarathonTask> m_tasks; ///< a copy of the shown app's tasks, by task id
};

/// The Marathon deployments in progress.
class MarathonDeploymentTableModel : public MarathonKeyedTableModel
{
    Q_OBJECT

public:
    enum Column {
        IdColumn,
        AffectedAppsColumn,
        CurrentActionsColumn, ///< "restart /prod/web"
        StepColumn,           ///< "1/2"
        AgeColumn,            ///< since Opsdeck first saw it (Marathon has no start time)
        ColumnCount,
    };

    enum Role {
        DeploymentIdRole = Qt::UserRole + 1, ///< QString
        SortRole,
        ProgressRole,     ///< double 0..1, see MarathonStore::deploymentProgress
        StuckRole,        ///< bool: no progress for MarathonStore::stuckThreshold()
        FirstSeenRole,    ///< QDateTime
        AgeMsRole,        ///< qint64
        AffectedAppsRole, ///< QStringList
        ReachableRole,    ///< bool: false while Marathon is unreachable
    };

    explicit MarathonDeploymentTableModel(MarathonStore *store = nullptr,
                                          QObject *parent = nullptr);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

protected:
    QStringList initialKeys() override;
    void connectStore() override;
    bool hasKey(const QString &key) const override;

private:
    void onAppsOrTasksChanged(const QStringList &appIds);
};

/// The Mesos agents of one environment, with used/total roles for usage bars.
class MesosAgentTableModel : public MarathonKeyedTableModel
{
    Q_OBJECT

public:
    enum Column {
        HostnameColumn,
        ActiveColumn,
        TasksColumn,
        CpuColumn,    ///< "3.5 / 8 (44 %)"
        MemoryColumn, ///< "1.5 / 15 GiB (10 %)"
        DiskColumn,
        ColumnCount,
    };

    enum Role {
        AgentIdRole = Qt::UserRole + 1, ///< QString
        SortRole,
        UsedRole,          ///< double, resource columns (mem, disk in MB)
        TotalRole,         ///< double, resource columns
        UsageFractionRole, ///< double 0..1 for resource columns; -1 when the total is 0
        ActiveRole,        ///< bool
        ReachableRole,     ///< bool: false while Mesos is unreachable
    };

    explicit MesosAgentTableModel(MarathonStore *store = nullptr, QObject *parent = nullptr);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

protected:
    QStringList initialKeys() override;
    void connectStore() override;
    bool hasKey(const QString &key) const override;
};

/// "3.5 / 8 (44 %)": used and total with a share; @p unit is appended to the total when given.
QString formatUsage(double used, double total, const QString &unit = QString());
/// A MB amount as "512 MiB" / "1.5 GiB" / "2 TiB" pieces: {used, total, unit} for formatUsage.
QString formatMegabytesUsage(double usedMb, double totalMb);

} // namespace Opsdeck::Models
