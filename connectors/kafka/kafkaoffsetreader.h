// SPDX-License-Identifier: MIT
#pragma once

#include "models/kafka.h"

#include <QMap>
#include <QString>

#include <atomic>
#include <mutex>

struct rd_kafka_s;

namespace Opsdeck::Connectors {

/// One refresh of a Kafka cluster's consumer-group offsets, synchronously, with one long-lived
/// librdkafka handle. Not thread-safe and not a QObject: KafkaConnector owns one on its worker
/// thread, and creates, uses and destroys it there (the benchmark drives one directly).
///
/// Per refresh (apis.md 6.1, 6.2): one Metadata request (all topics: partitions and leaders);
/// where the broker lists groups, one ListConsumerGroups; one ListConsumerGroupOffsets per group,
/// all in flight at once on one queue; the log-end offsets of every partition seen, batched by
/// rd_kafka_offsets_for_times (one ListOffsets per leader broker); the same for the log start
/// of partitions the group never committed.
class KafkaOffsetReader
{
public:
    KafkaOffsetReader(const Models::KafkaClusterConfig &cluster,
                      const Models::KafkaConfig &settings);
    /// Destroys the handle: call on the thread that used it. May block (apis.md 6.5).
    ~KafkaOffsetReader();

    KafkaOffsetReader(const KafkaOffsetReader &) = delete;
    KafkaOffsetReader &operator=(const KafkaOffsetReader &) = delete;

    /// Reads every watched group once. @p cancel, when set, ends a long refresh early (the
    /// sample is then incomplete and carries an error).
    Models::KafkaSample refresh(const std::atomic_bool *cancel = nullptr);

    /// The broker answered that it cannot list groups; discovery is not tried again.
    bool groupListingUnsupported() const { return m_listingUnsupported; }

    /// For librdkafka's error callback (any thread).
    void noteClientError(const QString &error);

private:
    struct Metadata;

    bool open(QString *error);
    QString takeClientError();
    QStringList discoverGroups(const Metadata &metadata, int *requests);

    Models::KafkaClusterConfig m_cluster;
    Models::KafkaConfig m_settings;
    rd_kafka_s *m_handle = nullptr; ///< owned; created on the first refresh
    QString m_openError;            ///< a configuration error: the handle cannot be made
    bool m_listingUnsupported = false;
    /// Per group, the partitions of each topic it reported last time: a topic that vanishes
    /// from the cluster is then still shown, with an error, instead of silently dropping.
    QMap<QString, QMap<QString, QList<int>>> m_known;

    std::mutex m_clientErrorMutex;
    QString m_clientError; ///< guarded by m_clientErrorMutex: librdkafka's last error words
};

} // namespace Opsdeck::Connectors
