// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace Opsdeck::Models {

// ---------------------------------------------------------------------------------------------
// Configuration: the `kafka` section of an environment in the environments file.
// ---------------------------------------------------------------------------------------------

/// A warning and a critical level for one measure. Raised when the value reaches `critical`
/// (or `warning`); cleared only when it falls below level × (1 − hysteresis), so a value that
/// hovers at the line does not flap.
struct KafkaThreshold
{
    std::optional<double> warning;
    std::optional<double> critical;

    bool isSet() const { return warning.has_value() || critical.has_value(); }

    bool operator==(const KafkaThreshold &) const = default;
};

/// Per watched group: thresholds on its total lag (messages), its time lag (seconds behind the
/// newest message) and its estimated time to catch up (seconds).
struct KafkaThresholds
{
    KafkaThreshold lag;      ///< messages, summed over all partitions of the group
    KafkaThreshold timeLagS; ///< seconds
    KafkaThreshold catchUpS; ///< seconds; a group that is not catching up at all counts as ∞
    double hysteresis = 0.1; ///< share of the level a value must fall below to clear

    bool operator==(const KafkaThresholds &) const = default;
};

struct KafkaGroupConfig
{
    QString name;
    /// Topics to watch even before the group has committed anything on them; empty: the
    /// topics the group has committed offsets for.
    QStringList topics;
    KafkaThresholds thresholds;

    bool operator==(const KafkaGroupConfig &) const = default;
};

/// One Kafka cluster of an environment.
struct KafkaClusterConfig
{
    QString name;             ///< display name and id within the environment
    QString bootstrapServers; ///< "127.0.0.1:9092,127.0.0.1:9093"
    /// librdkafka properties passed through as-is (security.protocol, sasl.mechanism,
    /// ssl.ca.location …). Never a secret: secrets go in `secretProperties`.
    QMap<QString, QString> properties;
    /// librdkafka property → the NAME of the environment variable holding its value
    /// (sasl.password: KAFKA_PROD_PASSWORD). Resolved by the connector, never logged.
    QMap<QString, QString> secretProperties;
    QList<KafkaGroupConfig> groups; ///< watched groups (the broker may not support listing)
    bool discoverGroups = true;     ///< also list the broker's groups where it can

    bool operator==(const KafkaClusterConfig &) const = default;
};

struct KafkaConfig
{
    QList<KafkaClusterConfig> clusters;
    qint64 refreshMs = 5000;      ///< how often offsets are read
    qint64 retentionMs = 3600000; ///< how much history is kept per group (ring buffer)
    int windowSamples = 10;       ///< the status window: this many samples (Burrow's "intervals")
    qint64 timeoutMs = 10000;     ///< per refresh

    bool operator==(const KafkaConfig &) const = default;
};

// ---------------------------------------------------------------------------------------------
// What the connector reads: one sample per cluster per refresh.
// ---------------------------------------------------------------------------------------------

struct KafkaPartitionOffsets
{
    QString topic;
    int partition = 0;
    qint64 committed = -1; ///< the group's committed offset; -1: none committed
    qint64 logEnd = -1;    ///< high watermark (log-end offset); -1: unknown
    /// Low watermark (log start), read only for partitions without a committed offset, whose
    /// lag counts the retained log (logEnd - logStart); -1: not read.
    qint64 logStart = -1;
    QString error; ///< why this partition could not be read, in words; empty: fine

    bool operator==(const KafkaPartitionOffsets &) const = default;
};

struct KafkaGroupOffsets
{
    QString group;
    QList<KafkaPartitionOffsets> partitions; ///< sorted by topic, then partition
    QString error; ///< e.g. unknown group, coordinator not available, in words; empty: fine

    bool operator==(const KafkaGroupOffsets &) const = default;
};

/// One refresh of one cluster: every watched (and discovered) group's committed offsets and
/// the log-end offsets of their partitions, read at `timeMs`.
struct KafkaSample
{
    QString cluster;
    qint64 timeMs = 0; ///< ms since the epoch when the log-end offsets were read
    QList<KafkaGroupOffsets> groups;
    QString error; ///< the whole cluster could not be read (unreachable, auth …); groups empty

    // For the benchmark and the status line.
    int requests = 0;      ///< protocol requests this refresh sent
    qint64 durationMs = 0; ///< how long the refresh took

    bool operator==(const KafkaSample &) const = default;
};

} // namespace Opsdeck::Models
