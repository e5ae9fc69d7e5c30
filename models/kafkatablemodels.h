// SPDX-License-Identifier: MIT
#pragma once

#include "models/kafkalag.h"
#include "models/keyedtablemodel.h"

#include <QHash>
#include <QPointer>
#include <QStringList>

namespace Opsdeck::Models {

/// The consumer groups of one KafkaLagStore (one environment), one row per "cluster/group".
/// Follows the store with row inserts, removals and dataChanged; switching stores is one reset.
class KafkaGroupTableModel : public KeyedTableModel
{
    Q_OBJECT

public:
    enum Column {
        ClusterColumn,
        GroupColumn,
        StatusColumn,      ///< "OK", "WARN", "STALL", "STOP", "REWIND"
        LagColumn,         ///< messages, "12,345"
        TimeLagColumn,     ///< "1m 30s", "≥ 1h" for a lower bound
        TrendColumn,       ///< lag/s, signed: "+12.5/s"
        ProduceRateColumn, ///< messages/s
        ConsumeRateColumn, ///< messages/s
        CatchUpColumn,     ///< "4m 10s", "never", "0s"
        LevelColumn,       ///< "", "warning", "critical"
        ColumnCount,
    };

    enum Role {
        GroupKeyRole = Qt::UserRole + 1, ///< QString "cluster/group"
        SortRole,       ///< numeric for numeric columns (catch-up "never" sorts last), else text
        StatusRole,     ///< int(LagStatus)
        LevelRole,      ///< int(ThresholdLevel)
        ReasonRole,     ///< QString: levelReason, or the group's error
        ErrorRole,      ///< QString: the group's error ("no longer reported" …), or empty
        ReachableRole,  ///< bool: false while the group's cluster is unreachable (row is stale)
        LowerBoundRole, ///< bool: the time lag is only a lower bound
    };

    explicit KafkaGroupTableModel(KafkaLagStore *store = nullptr, QObject *parent = nullptr);

    /// Shows @p store (not owned); nullptr shows nothing.
    void setStore(KafkaLagStore *store);

    KafkaLagStore *store() const { return m_store; }

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

protected:
    bool hasKey(const QString &key) const override;

private:
    void onGroupsChanged(const QStringList &keys);
    void onClusterStatusChanged(const QString &cluster);

    QPointer<KafkaLagStore> m_store; ///< not owned
};

/// The partitions of one group (setGroup), one row per "topic/partition", to spot the one stuck
/// partition. Follows the store without resets; switching groups or stores is one reset.
class KafkaPartitionTableModel : public KeyedTableModel
{
    Q_OBJECT

public:
    enum Column {
        TopicColumn,
        PartitionColumn,
        StatusColumn,
        CommittedColumn, ///< "no commit" when nothing is committed
        LogEndColumn,
        LagColumn,
        TimeLagColumn,
        LastCommitColumn, ///< age of the last change of the committed offset, "12s ago"
        ColumnCount,
    };

    enum Role {
        PartitionKeyRole = Qt::UserRole + 1, ///< QString "topic/partition"
        SortRole,                            ///< numeric for numeric columns, else text
        StatusRole,                          ///< int(LagStatus)
        HasCommitRole,                       ///< bool
        ErrorRole,                           ///< QString, the partition's error or empty
        LowerBoundRole,                      ///< bool: the time lag is only a lower bound
        LastCommitMsRole, ///< qint64 ms since the epoch of the last commit change; 0: never
    };

    explicit KafkaPartitionTableModel(KafkaLagStore *store = nullptr, QObject *parent = nullptr);

    /// Shows @p store (not owned); nullptr shows nothing. Keeps the group key.
    void setStore(KafkaLagStore *store);

    KafkaLagStore *store() const { return m_store; }

    /// Shows the partitions of @p groupKey ("cluster/group"; empty: none).
    void setGroup(const QString &groupKey);

    QString groupKey() const { return m_groupKey; }

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

protected:
    bool hasKey(const QString &key) const override;

private:
    /// The shown group's partitions now, by "topic/partition".
    QHash<QString, KafkaPartitionState> currentPartitions() const;
    void onGroupsChanged(const QStringList &keys);

    QPointer<KafkaLagStore> m_store; ///< not owned
    QString m_groupKey;
    /// A copy of the shown group's partitions as of the last groupsChanged, by "topic/partition".
    QHash<QString, KafkaPartitionState> m_partitions;
};

} // namespace Opsdeck::Models
