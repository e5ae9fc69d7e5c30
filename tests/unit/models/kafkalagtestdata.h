// SPDX-License-Identifier: MIT
#pragma once

#include "models/kafkalag.h"

#include <QMap>

#include <utility>

namespace Opsdeck::Models::Testing {

/// A scripted consumer group on one cluster: set log ends and committed offsets per partition,
/// then take a sample at a controlled time and feed it to the store.
class ScriptedGroup
{
public:
    explicit ScriptedGroup(QString cluster = QStringLiteral("main"),
                           QString group = QStringLiteral("billing"))
        : m_cluster(std::move(cluster))
        , m_group(std::move(group))
    {}

    void set(const QString &topic, int partition, qint64 committed, qint64 logEnd)
    {
        Offsets &o = m_partitions[{topic, partition}];
        o.committed = committed;
        o.logEnd = logEnd;
    }

    void set(int partition, qint64 committed, qint64 logEnd)
    {
        set(QStringLiteral("orders"), partition, committed, logEnd);
    }

    void setLogStart(const QString &topic, int partition, qint64 logStart)
    {
        m_partitions[{topic, partition}].logStart = logStart;
    }

    void remove(const QString &topic, int partition) { m_partitions.remove({topic, partition}); }

    KafkaGroupOffsets offsets() const
    {
        KafkaGroupOffsets g;
        g.group = m_group;
        for (auto it = m_partitions.cbegin(); it != m_partitions.cend(); ++it) {
            KafkaPartitionOffsets p;
            p.topic = it.key().first;
            p.partition = it.key().second;
            p.committed = it->committed;
            p.logEnd = it->logEnd;
            p.logStart = it->committed < 0 ? it->logStart : -1;
            g.partitions << p;
        }
        return g;
    }

    KafkaSample sample(qint64 timeMs) const
    {
        KafkaSample s;
        s.cluster = m_cluster;
        s.timeMs = timeMs;
        s.groups << offsets();
        return s;
    }

    QString key() const { return KafkaLagStore::groupKey(m_cluster, m_group); }

private:
    struct Offsets
    {
        qint64 committed = -1;
        qint64 logEnd = -1;
        qint64 logStart = -1;
    };

    QString m_cluster;
    QString m_group;
    QMap<std::pair<QString, int>, Offsets> m_partitions;
};

/// A configuration with one cluster "main" and one group "billing" with @p thresholds.
inline KafkaConfig configWith(const KafkaThresholds &thresholds = {},
                              int window = 10,
                              qint64 refreshMs = 5000,
                              qint64 retentionMs = 3600000)
{
    KafkaConfig config;
    config.refreshMs = refreshMs;
    config.retentionMs = retentionMs;
    config.windowSamples = window;
    KafkaClusterConfig cluster;
    cluster.name = QStringLiteral("main");
    cluster.bootstrapServers = QStringLiteral("127.0.0.1:9092");
    KafkaGroupConfig group;
    group.name = QStringLiteral("billing");
    group.thresholds = thresholds;
    cluster.groups << group;
    config.clusters << cluster;
    return config;
}

} // namespace Opsdeck::Models::Testing
