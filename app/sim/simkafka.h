// SPDX-License-Identifier: MIT
#pragma once

#include <QElapsedTimer>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QTimer>

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace Opsdeck::Sim {

/// A Kafka cluster for the simulated estate: librdkafka's own mock cluster (it speaks the real
/// protocol on 127.0.0.1), a producer writing to its topics at a steady rate, and consumer
/// groups that commit offsets as a real consumer would, some keeping up and some falling behind,
/// so the lag a client computes from committed offsets and watermarks moves.
///
/// The mock handles no ListGroups, so a client learns the group names from configuration.
class SimKafka : public QObject
{
    Q_OBJECT

public:
    struct Topic
    {
        QString name;
        int partitions = 3;
        double messagesPerSecond = 20; ///< over all partitions
        /// Messages already waiting when the simulation starts (produced on its first tick), so
        /// that a group which falls behind is behind from the start.
        int backlog = 0;
    };

    struct Group
    {
        QString name;
        QString topic;
        /// What the group can consume, as a share of the produce rate: above 1 keeps up (it
        /// consumes whatever is there), below 1 falls behind.
        double consumeFactor = 1.0;
        /// The share swings by this much (±) over `swingPeriodS`, so a lag rises and falls.
        double swing = 0.0;
        double swingPeriodS = 120;
    };

    explicit SimKafka(QObject *parent = nullptr);
    ~SimKafka() override;

    void setTimeScale(double scale) { m_timeScale = scale > 0 ? scale : 1.0; }

    void addTopic(const Topic &topic);
    void addGroup(const Group &group);
    void setConsumeFactor(const QString &group, double factor);

    /// Starts the mock cluster with @p brokers brokers, creates the topics, starts producing
    /// and committing. False with errorString() on failure.
    bool start(int brokers = 3);
    void stop();

    QString bootstrapServers() const { return m_bootstraps; }

    QString errorString() const { return m_error; }

    QList<Topic> topics() const { return m_topics; }

    QList<Group> groups() const;

    /// Messages delivered to @p partition (its high watermark, as the simulation knows it).
    qint64 delivered(const QString &topic, int partition) const;
    /// The offset @p group last committed on @p partition (-1 before the first commit).
    qint64 committed(const QString &group, const QString &topic, int partition) const;

    /// Called by librdkafka's delivery report callback (on our thread, from rd_kafka_poll).
    void onDelivered(const QString &topic, int partition, bool ok);

private:
    struct GroupState
    {
        Group group;
        rd_kafka_s *committer = nullptr;
        QList<double> consumed; ///< per partition, fractional progress
        QList<qint64> committed;
        double lastCommitAt = 0; ///< simulated seconds
    };

    void tick();
    void produce(double seconds);
    void commit(GroupState &state, double seconds, double now);

    double m_timeScale = 1.0;
    QList<Topic> m_topics;
    QMap<QString, QList<qint64>> m_delivered; ///< topic → per partition
    QMap<QString, double> m_produceCarry;     ///< fractional messages not yet produced
    QList<GroupState> m_groups;
    rd_kafka_s *m_owner = nullptr;
    rd_kafka_mock_cluster_s *m_cluster = nullptr;
    rd_kafka_s *m_producer = nullptr;
    QString m_bootstraps;
    QString m_error;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastTickMs = 0;
    quint64 m_sequence = 0;
};

} // namespace Opsdeck::Sim
