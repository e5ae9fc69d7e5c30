// SPDX-License-Identifier: MIT
#pragma once

#include "models/alert.h"
#include "models/hoststatus.h"
#include "models/kafka.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace Opsdeck::Models {

/// Burrow-style status of a partition or a group, worst last (a group takes its worst partition).
enum class LagStatus {
    Ok,     ///< keeping up, or the lag touched zero within the window (an idle topic)
    Warn,   ///< window complete and the lag at commit points rose throughout it
    Stall,  ///< committed offset not moving while lag > 0 and the log end moved
    Stop,   ///< no commit for longer than the window spans, lag > 0
    Rewind, ///< the committed offset went backwards within the window
};

QString nameOf(LagStatus status); ///< "OK", "WARN", "STALL", "STOP", "REWIND"

/// Where a group stands against its thresholds.
enum class ThresholdLevel {
    None,
    Warning,
    Critical,
};

QString nameOf(ThresholdLevel level); ///< "none", "warning", "critical"

/// One partition of a group, as of the newest sample.
struct KafkaPartitionState
{
    QString topic;
    int partition = 0;
    qint64 committed = -1; ///< -1: nothing committed ("no commit")
    qint64 logEnd = -1;    ///< -1: unknown
    qint64 logStart = -1;  ///< read only for partitions without a commit; -1: not read
    /// logEnd − committed, or the retained log (logEnd − logStart) without a commit; ≥ 0.
    qint64 lag = 0;
    /// Seconds behind the newest message: now − when the log end reached the committed offset.
    double timeLagS = 0;
    /// The log end reached the committed offset before the oldest kept sample: timeLagS is
    /// only "at least" (now − oldest sample).
    bool timeLagIsLowerBound = false;
    LagStatus status = LagStatus::Ok;
    QString error; ///< why it could not be read, in words; empty: fine
    /// When the committed offset was last seen to change (the first sample counts); 0: never.
    qint64 lastCommitChangeMs = 0;

    bool hasCommit() const { return committed >= 0; }

    bool operator==(const KafkaPartitionState &) const = default;
};

/// One point of a group's history (one sample).
struct KafkaLagPoint
{
    qint64 timeMs = 0;
    qint64 lag = 0;         ///< summed over the group's partitions
    double timeLagS = 0;    ///< the group's time lag (max over partitions)
    double produceRate = 0; ///< messages/s into the group's partitions, over the rate window
    double consumeRate = 0; ///< messages/s committed by the group, over the rate window

    bool operator==(const KafkaLagPoint &) const = default;
};

/// One point of a partition's history: what the sample read.
struct KafkaPartitionPoint
{
    qint64 timeMs = 0;
    qint64 committed = -1;
    qint64 logEnd = -1;

    bool operator==(const KafkaPartitionPoint &) const = default;
};

/// One consumer group of one cluster, as of the newest sample.
struct KafkaGroupState
{
    QString cluster;
    QString group;
    qint64 lag = 0;             ///< summed over partitions
    qint64 maxPartitionLag = 0; ///< the largest partition lag
    double timeLagS = 0;        ///< max over partitions
    bool timeLagIsLowerBound = false;
    double produceRate =
        0; ///< messages/s: d(Σ logEnd)/dt over the last min(window, history) samples
    double consumeRate = 0; ///< messages/s: d(Σ committed)/dt over the same samples
    double trend = 0;       ///< lag/s: d(lag)/dt over the same samples; > 0 falls behind
    /// False until two samples of a partition exist: the rates and catch-up are not known yet
    /// (shown as "—", never as 0 or "never").
    bool ratesKnown = false;
    /// Seconds to catch up at the current rates: lag / (consume − produce); 0 when the lag is
    /// 0; nullopt ("never") when the group is not gaining on the log.
    std::optional<double> catchUpS;
    LagStatus status = LagStatus::Ok; ///< worst partition
    ThresholdLevel level = ThresholdLevel::None;
    QString levelReason; ///< "lag 12,345 ≥ critical 10,000"; empty when level is None
    QList<KafkaPartitionState> partitions; ///< sorted by topic, then partition
    QString error;        ///< group-level error in words ("no longer reported", unknown group …)
    qint64 updatedMs = 0; ///< time of the newest sample that listed the group
    /// Commit points in the status window, smallest over partitions with a commit (0 ..
    /// KafkaConfig::windowSamples; equal to windowSamples: the window is complete).
    int windowFill = 0;

    bool operator==(const KafkaGroupState &) const = default;
};

/// Consumer-group lag of one environment: takes a KafkaSample per cluster per refresh from the
/// connector, keeps bounded history per group and partition, derives rates, time lag, time to
/// catch up, Burrow-style status and threshold levels, and publishes the alerts true right now.
/// Group keys are "cluster/group" (cluster names contain no '/'). Changes are announced once per
/// event-loop turn.
class KafkaLagStore : public QObject
{
    Q_OBJECT

public:
    /// A status alert needs the status to hold for this many samples to start, and OK for this
    /// many to end, so a partition that wobbles between two samples does not flap.
    static constexpr int kStatusAlertSamples = 2;

    KafkaLagStore(const QString &environment, const KafkaConfig &config, QObject *parent = nullptr);
    ~KafkaLagStore() override;

    QString environment() const { return m_environment; }

    const KafkaConfig &config() const { return m_config; }

    /// Replaces the clock (milliseconds since the epoch); for tests.
    void setClock(std::function<qint64()> clock);

    qint64 now() const { return m_clock(); }

    /// "cluster/group".
    static QString groupKey(const QString &cluster, const QString &group);

    // Writes
    /// One refresh of one cluster from a connector. A sample with `error` set means the cluster
    /// could not be read: its status turns Unreachable, its groups keep their last state.
    void applySample(const KafkaSample &sample);
    /// The cluster's connection state as the connector knows it before a sample (Connecting …).
    void setClusterStatus(const HostStatus &status);

    // Reads
    QStringList clusters() const; ///< configured clusters, in configuration order
    /// The connection state of @p cluster; id = the cluster name.
    HostStatus clusterStatus(const QString &cluster) const;
    QStringList groupKeys() const; ///< "cluster/group", sorted
    /// nullptr for an unknown key; valid until the next applySample.
    const KafkaGroupState *group(const QString &key) const;
    /// The group's history, oldest first, bounded by the retention (retention / refresh points).
    QList<KafkaLagPoint> history(const QString &key) const;
    /// The history of one partition of the group, oldest first (same bound).
    QList<KafkaPartitionPoint>
    partitionHistory(const QString &key, const QString &topic, int partition) const;
    /// The configured thresholds of the group; none set for a discovered group.
    KafkaThresholds thresholds(const QString &key) const;
    /// What is true right now: threshold levels, statuses other than OK (after
    /// kStatusAlertSamples samples), unreachable clusters. Keys "kafka/CLUSTER" (source down),
    /// "kafka/CLUSTER/GROUP/threshold", "kafka/CLUSTER/GROUP/status"; `since` = when it began.
    QList<Alert> alerts() const;

    /// Ring-buffer capacity per group and partition: retention / refresh, at least 2.
    int historyCapacity() const { return m_capacity; }

    /// Emits the pending batch now instead of on the next event-loop turn.
    void flush();

signals:
    /// These groups were added, changed or removed (group(key) == nullptr: removed). Coalesced:
    /// once per event-loop turn.
    void groupsChanged(const QStringList &keys);
    void clusterStatusChanged(const QString &cluster);
    /// alerts() changed.
    void alertsChanged();

private:
    struct GroupData;

    void scheduleFlush();
    void updateClusterStatus(const QString &cluster,
                             SourceState state,
                             const QString &error,
                             qint64 timeMs);
    void applyGroup(const QString &cluster, const KafkaGroupOffsets &offsets, qint64 timeMs);
    /// Group figures, levels and the status-alert run after the partitions took a sample.
    void evaluate(GroupData &g, qint64 timeMs);
    /// Drops groups no longer reported for longer than the retention.
    void expireGroups(qint64 nowMs);
    /// Recomputes alerts(); marks alertsChanged pending when they differ.
    void refreshAlerts();

    QString m_environment;
    KafkaConfig m_config;
    int m_capacity = 2;
    std::function<qint64()> m_clock;

    QHash<QString, HostStatus> m_clusterStatus;             ///< by cluster name
    std::map<QString, std::unique_ptr<GroupData>> m_groups; ///< by group key, sorted
    QHash<QString, KafkaThresholds> m_thresholds;           ///< configured, by group key

    QList<Alert> m_alerts;

    QSet<QString> m_pendingGroups;
    QSet<QString> m_pendingClusters;
    bool m_pendingAlerts = false;
    QTimer m_flushTimer;
};

/// "1h 2m", "3m 10s", "42s", "0.5s": a duration in seconds, two units at most; "never" for ∞.
QString formatKafkaDuration(double seconds);
/// "12,345": a message count with group separators.
QString formatKafkaCount(qint64 count);

} // namespace Opsdeck::Models
