// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QMap>
#include <QString>

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace Opsdeck::Tests {

/// librdkafka's in-process mock cluster for tests and the benchmark (apis.md 6.3): topics,
/// messages produced to exact partitions, offsets committed for a group without joining it,
/// brokers taken down and up. Everything here blocks; test code only.
class MockKafka
{
public:
    explicit MockKafka(int brokers = 3);
    ~MockKafka();

    MockKafka(const MockKafka &) = delete;
    MockKafka &operator=(const MockKafka &) = delete;

    bool isValid() const { return m_cluster != nullptr; }

    QString errorString() const { return m_error; }

    QString bootstrapServers() const { return m_bootstraps; }

    int brokerCount() const { return m_brokers; }

    rd_kafka_mock_cluster_s *cluster() const { return m_cluster; }

    bool createTopic(const QString &topic, int partitions);
    /// Produces @p counts[i] messages to partition i of @p topic and waits until delivered.
    bool produce(const QString &topic, const QList<int> &counts);
    /// The same for many topics, flushed once (the producer learns each new topic's metadata
    /// on a one-second timer: a flush per new topic costs a second).
    bool produceMany(const QMap<QString, QList<int>> &topics);
    /// Commits synchronously from a consumer handle with group.id = @p group that never joins
    /// (the mock accepts that while nobody joined the group).
    bool commit(const QString &group, const QString &topic, const QMap<int, qint64> &offsets);
    /// Commits for many groups at once through AlterConsumerGroupOffsets (one handle, many
    /// requests in flight): for the benchmark's thousands of groups.
    bool commitMany(const QMap<QString, QMap<QString, QMap<int, qint64>>> &groups);
    /// Destroys the per-group committer handles (before an outage: a group consumer's destroy
    /// may hang after brokers went down and came back, apis.md 6.5).
    void dropCommitters();

    /// Takes every broker down (or brings them back up).
    void setAllBrokersDown(bool down);
    /// Makes the topic answer @p err (e.g. UNKNOWN_TOPIC_OR_PART) in metadata, as if deleted.
    void setTopicError(const QString &topic, int err);
    /// Adds @p rttMs of latency to every broker.
    void setRtt(int rttMs);

private:
    rd_kafka_s *producer();

    int m_brokers = 0;
    rd_kafka_s *m_owner = nullptr;
    rd_kafka_mock_cluster_s *m_cluster = nullptr;
    rd_kafka_s *m_producer = nullptr;
    rd_kafka_s *m_admin = nullptr;
    QMap<QString, rd_kafka_s *> m_committers;
    QString m_bootstraps;
    QString m_error;
};

} // namespace Opsdeck::Tests
