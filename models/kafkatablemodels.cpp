// SPDX-License-Identifier: MIT
#include "models/kafkatablemodels.h"

#include <QCoreApplication>
#include <QSet>

#include <cmath>
#include <iterator>
#include <limits>

namespace Opsdeck::Models {

namespace {

const char *const kGroupColumns[] = {
    QT_TRANSLATE_NOOP("Opsdeck::Models::KafkaGroupTableModel", "Cluster"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::KafkaGroupTableModel", "Group"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::KafkaGroupTableModel", "Status"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::KafkaGroupTableModel", "Lag"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::KafkaGroupTableModel", "Time lag"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::KafkaGroupTableModel", "Trend"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::KafkaGroupTableModel", "Produce"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::KafkaGroupTableModel", "Consume"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::KafkaGroupTableModel", "Catch-up"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::KafkaGroupTableModel", "Level"),
};
static_assert(std::size(kGroupColumns) == KafkaGroupTableModel::ColumnCount);

const char *const kPartitionColumns[] = {
    QT_TRANSLATE_NOOP("Opsdeck::Models::KafkaPartitionTableModel", "Topic"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::KafkaPartitionTableModel", "Partition"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::KafkaPartitionTableModel", "Status"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::KafkaPartitionTableModel", "Committed"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::KafkaPartitionTableModel", "Log end"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::KafkaPartitionTableModel", "Lag"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::KafkaPartitionTableModel", "Time lag"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::KafkaPartitionTableModel", "Last commit"),
};
static_assert(std::size(kPartitionColumns) == KafkaPartitionTableModel::ColumnCount);

QString rateText(double perSecond, bool signedText = false)
{
    const double rounded = std::round(perSecond * 10) / 10;
    QString number = rounded == std::floor(rounded) ? QString::number(qint64(rounded))
                                                    : QString::number(rounded, 'f', 1);
    if (signedText && rounded > 0)
        number.prepend(QLatin1Char('+'));
    return number + QStringLiteral("/s");
}

QString timeLagText(double seconds, bool lowerBound)
{
    const QString text = formatKafkaDuration(seconds);
    return lowerBound ? QStringLiteral("≥ ") + text : text;
}

QString partitionKey(const KafkaPartitionState &p)
{
    return p.topic + QLatin1Char('/') + QString::number(p.partition);
}

} // namespace

// KafkaGroupTableModel

KafkaGroupTableModel::KafkaGroupTableModel(KafkaLagStore *store, QObject *parent)
    : KeyedTableModel(kGroupColumns, parent)
{
    setStore(store);
}

void KafkaGroupTableModel::setStore(KafkaLagStore *store)
{
    beginResetModel();
    if (m_store)
        disconnect(m_store, nullptr, this, nullptr);
    m_store = store;
    QStringList keys;
    if (m_store) {
        m_store->flush(); // what is pending now is part of the listing below
        connect(
            m_store, &KafkaLagStore::groupsChanged, this, &KafkaGroupTableModel::onGroupsChanged);
        connect(m_store,
                &KafkaLagStore::clusterStatusChanged,
                this,
                &KafkaGroupTableModel::onClusterStatusChanged);
        keys = m_store->groupKeys();
    }
    resetKeys(keys);
    endResetModel();
}

bool KafkaGroupTableModel::hasKey(const QString &key) const
{
    return m_store && m_store->group(key);
}

void KafkaGroupTableModel::onGroupsChanged(const QStringList &keys)
{
    QStringList added;
    QStringList changed;
    QStringList removed;
    for (const QString &key : keys) {
        const bool shown = rowOf(key) >= 0;
        const bool present = hasKey(key);
        if (shown && present)
            changed << key;
        else if (shown)
            removed << key;
        else if (present)
            added << key;
    }
    applyChanges(added, changed, removed);
}

void KafkaGroupTableModel::onClusterStatusChanged(const QString &cluster)
{
    // Reachability greys the cluster's rows (or not).
    const QString prefix = cluster + QLatin1Char('/');
    QStringList rows;
    for (int row = 0; row < rowCount(); ++row) {
        if (keyAt(row).startsWith(prefix))
            rows << keyAt(row);
    }
    applyChanges({}, rows, {});
}

QVariant KafkaGroupTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !m_store || index.row() >= rowCount())
        return {};
    const QString key = keyAt(index.row());
    const KafkaGroupState *g = m_store->group(key);
    if (!g)
        return {};
    const double never = std::numeric_limits<double>::max();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case ClusterColumn:
            return g->cluster;
        case GroupColumn:
            return g->group;
        case StatusColumn:
            return nameOf(g->status);
        case LagColumn:
            return formatKafkaCount(g->lag);
        case TimeLagColumn:
            return timeLagText(g->timeLagS, g->timeLagIsLowerBound);
        case TrendColumn:
            return g->ratesKnown ? rateText(g->trend, true) : QStringLiteral("—");
        case ProduceRateColumn:
            return g->ratesKnown ? rateText(g->produceRate) : QStringLiteral("—");
        case ConsumeRateColumn:
            return g->ratesKnown ? rateText(g->consumeRate) : QStringLiteral("—");
        case CatchUpColumn:
            if (!g->ratesKnown && g->lag != 0)
                return QStringLiteral("—"); // one sample: no rates yet
            return g->catchUpS ? formatKafkaDuration(*g->catchUpS) : tr("never");
        case LevelColumn:
            return g->level == ThresholdLevel::None ? QString() : nameOf(g->level);
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() >= LagColumn && index.column() <= CatchUpColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole:
        if (!data(index, ReachableRole).toBool())
            return tr("The cluster is unreachable: this row shows the last known state.");
        if (!g->error.isEmpty())
            return g->error;
        if (!g->levelReason.isEmpty())
            return g->levelReason;
        return {};
    case GroupKeyRole:
        return key;
    case SortRole:
        switch (index.column()) {
        case StatusColumn:
            return int(g->status);
        case LagColumn:
            return g->lag;
        case TimeLagColumn:
            return g->timeLagS;
        case TrendColumn:
            return g->trend;
        case ProduceRateColumn:
            return g->produceRate;
        case ConsumeRateColumn:
            return g->consumeRate;
        case CatchUpColumn:
            return g->catchUpS ? *g->catchUpS : never;
        case LevelColumn:
            return int(g->level);
        default:
            return data(index, Qt::DisplayRole);
        }
    case StatusRole:
        return int(g->status);
    case LevelRole:
        return int(g->level);
    case ReasonRole:
        return g->levelReason.isEmpty() ? g->error : g->levelReason;
    case ErrorRole:
        return g->error;
    case ReachableRole:
        return m_store->clusterStatus(g->cluster).state != SourceState::Unreachable;
    case LowerBoundRole:
        return g->timeLagIsLowerBound;
    }
    return {};
}

// KafkaPartitionTableModel

KafkaPartitionTableModel::KafkaPartitionTableModel(KafkaLagStore *store, QObject *parent)
    : KeyedTableModel(kPartitionColumns, parent)
{
    setStore(store);
}

void KafkaPartitionTableModel::setStore(KafkaLagStore *store)
{
    beginResetModel();
    if (m_store)
        disconnect(m_store, nullptr, this, nullptr);
    m_store = store;
    if (m_store) {
        m_store->flush();
        connect(m_store,
                &KafkaLagStore::groupsChanged,
                this,
                &KafkaPartitionTableModel::onGroupsChanged);
    }
    m_partitions = currentPartitions();
    QStringList keys;
    if (m_store && !m_groupKey.isEmpty()) {
        if (const KafkaGroupState *g = m_store->group(m_groupKey)) {
            for (const KafkaPartitionState &p : g->partitions)
                keys << partitionKey(p);
        }
    }
    resetKeys(keys);
    endResetModel();
}

void KafkaPartitionTableModel::setGroup(const QString &groupKey)
{
    if (groupKey == m_groupKey)
        return;
    m_groupKey = groupKey;
    setStore(m_store); // one reset onto the other group's partitions
}

QHash<QString, KafkaPartitionState> KafkaPartitionTableModel::currentPartitions() const
{
    QHash<QString, KafkaPartitionState> partitions;
    if (!m_store || m_groupKey.isEmpty())
        return partitions;
    if (const KafkaGroupState *g = m_store->group(m_groupKey)) {
        for (const KafkaPartitionState &p : g->partitions)
            partitions.insert(partitionKey(p), p);
    }
    return partitions;
}

bool KafkaPartitionTableModel::hasKey(const QString &key) const
{
    return m_partitions.contains(key);
}

void KafkaPartitionTableModel::onGroupsChanged(const QStringList &keys)
{
    if (m_groupKey.isEmpty() || !keys.contains(m_groupKey))
        return;
    QHash<QString, KafkaPartitionState> next = currentPartitions();
    QStringList added;
    QStringList changed;
    QStringList removed;
    for (int row = 0; row < rowCount(); ++row) {
        const QString key = keyAt(row);
        const auto it = next.constFind(key);
        if (it == next.cend())
            removed << key;
        else if (*it != m_partitions.value(key))
            changed << key;
    }
    // New partitions in the group's order (topic, then partition).
    if (const KafkaGroupState *g = m_store->group(m_groupKey)) {
        for (const KafkaPartitionState &p : g->partitions) {
            const QString key = partitionKey(p);
            if (rowOf(key) < 0)
                added << key;
        }
    }
    m_partitions = std::move(next);
    applyChanges(added, changed, removed);
}

QVariant KafkaPartitionTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const QString key = keyAt(index.row());
    const auto it = m_partitions.constFind(key);
    if (it == m_partitions.cend())
        return {};
    const KafkaPartitionState &p = *it;
    const qint64 nowMs = m_store ? m_store->now() : 0;
    const qint64 sinceCommitMs = p.lastCommitChangeMs > 0 ? nowMs - p.lastCommitChangeMs : -1;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TopicColumn:
            return p.topic;
        case PartitionColumn:
            return p.partition;
        case StatusColumn:
            return p.hasCommit() ? nameOf(p.status) : tr("no commit");
        case CommittedColumn:
            return p.hasCommit() ? formatKafkaCount(p.committed) : tr("no commit");
        case LogEndColumn:
            return p.logEnd >= 0 ? formatKafkaCount(p.logEnd) : tr("unknown");
        case LagColumn:
            return formatKafkaCount(p.lag);
        case TimeLagColumn:
            return timeLagText(p.timeLagS, p.timeLagIsLowerBound);
        case LastCommitColumn:
            if (sinceCommitMs < 0)
                return tr("never");
            return tr("%1 ago").arg(formatKafkaDuration(double(sinceCommitMs) / 1000.0));
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() >= CommittedColumn && index.column() <= TimeLagColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole:
        return p.error.isEmpty() ? QVariant() : QVariant(p.error);
    case PartitionKeyRole:
        return key;
    case SortRole:
        switch (index.column()) {
        case PartitionColumn:
            return p.partition;
        case StatusColumn:
            return int(p.status);
        case CommittedColumn:
            return p.committed;
        case LogEndColumn:
            return p.logEnd;
        case LagColumn:
            return p.lag;
        case TimeLagColumn:
            return p.timeLagS;
        case LastCommitColumn:
            return sinceCommitMs < 0 ? std::numeric_limits<qint64>::max() : sinceCommitMs;
        default:
            return data(index, Qt::DisplayRole);
        }
    case StatusRole:
        return int(p.status);
    case HasCommitRole:
        return p.hasCommit();
    case ErrorRole:
        return p.error;
    case LowerBoundRole:
        return p.timeLagIsLowerBound;
    case LastCommitMsRole:
        return p.lastCommitChangeMs;
    }
    return {};
}

} // namespace Opsdeck::Models
