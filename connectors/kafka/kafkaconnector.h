// SPDX-License-Identifier: MIT
#pragma once

#include "models/hoststatus.h"
#include "models/kafka.h"

#include <QObject>
#include <QString>

#include <memory>
#include <vector>

namespace Opsdeck::Connectors {

class KafkaWorker;

/// Reads consumer-group lag of one Kafka cluster with librdkafka: per refresh the committed
/// offsets of every watched (and, where the broker lists them, discovered) group and the
/// log-end offsets of their partitions, batched (one ListConsumerGroupOffsets per group, one
/// ListOffsets per leader broker). Every librdkafka call runs on a worker thread; samples and
/// status changes arrive as queued signals on this object's thread. Secret properties are read
/// from the environment variables the config names and are never logged.
class KafkaConnector : public QObject
{
    Q_OBJECT

public:
    KafkaConnector(const QString &environment,
                   const Models::KafkaClusterConfig &cluster,
                   const Models::KafkaConfig &settings,
                   QObject *parent = nullptr);
    /// Stops the worker; waits for it only a bounded time (rd_kafka_destroy may hang, apis.md 6.5).
    ~KafkaConnector() override;

    /// Creates the client on the worker thread and refreshes at once, then every refreshMs.
    void start();
    /// Stops refreshing and destroys the client on the worker thread; returns at once.
    void stop();
    /// An extra refresh now (ignored while one is running: refreshes never overlap).
    void refreshNow();

    Models::HostStatus status() const { return m_status; }

    QString environment() const { return m_environment; }

    QString clusterName() const { return m_cluster.name; }

signals:
    void sampleReady(const Opsdeck::Models::KafkaSample &sample);
    void statusChanged(const Opsdeck::Models::HostStatus &status);

private:
    void onSample(const Models::KafkaSample &sample);
    void setState(Models::SourceState state, const QString &error);

    QString m_environment;
    Models::KafkaClusterConfig m_cluster;
    Models::KafkaConfig m_settings;
    Models::HostStatus m_status;
    /// The running worker, shared with its thread (which may outlive us if librdkafka hangs
    /// in rd_kafka_destroy: it then finishes and frees it by itself).
    std::shared_ptr<KafkaWorker> m_worker;
    /// Stopped workers still closing their handle; the destructor waits for them, bounded.
    std::vector<std::shared_ptr<KafkaWorker>> m_retired;
};

} // namespace Opsdeck::Connectors
