// SPDX-License-Identifier: MIT
#include "app/sim/simkafka.h"

#include <librdkafka/rdkafka.h>
// rdkafka_mock.h must come after rdkafka.h.
#include <librdkafka/rdkafka_mock.h>

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <numbers>

namespace Opsdeck::Sim {

namespace {

constexpr int kTickMs = 250;
constexpr double kCommitEveryS = 1.0; // consumers commit about once a second, as auto-commit would

bool set(rd_kafka_conf_t *conf, const char *key, const QByteArray &value, QString *error)
{
    char text[512];
    if (rd_kafka_conf_set(conf, key, value.constData(), text, sizeof text) == RD_KAFKA_CONF_OK)
        return true;
    *error = QStringLiteral("%1: %2").arg(QLatin1String(key), QString::fromUtf8(text));
    return false;
}

rd_kafka_t *newHandle(rd_kafka_type_t type, rd_kafka_conf_t *conf, QString *error)
{
    char text[512];
    rd_kafka_t *handle = rd_kafka_new(type, conf, text, sizeof text);
    if (!handle) {
        rd_kafka_conf_destroy(conf); // rd_kafka_new frees it only on success
        *error = QString::fromUtf8(text);
    }
    return handle;
}

void deliveryReport(rd_kafka_t *, const rd_kafka_message_t *message, void *opaque)
{
    auto *self = static_cast<SimKafka *>(opaque);
    self->onDelivered(QString::fromUtf8(rd_kafka_topic_name(message->rkt)),
                      int(message->partition),
                      message->err == RD_KAFKA_RESP_ERR_NO_ERROR);
}

/// Quiet by default: the mock logs every connection at notice level.
void quietLog(const rd_kafka_t *, int level, const char *facility, const char *text)
{
    if (level <= 3)
        qWarning("simulated kafka: %s: %s", facility, text);
}

} // namespace

SimKafka::SimKafka(QObject *parent)
    : QObject(parent)
{
    m_timer.setInterval(kTickMs);
    connect(&m_timer, &QTimer::timeout, this, &SimKafka::tick);
}

SimKafka::~SimKafka()
{
    stop();
}

void SimKafka::addTopic(const Topic &topic)
{
    m_topics << topic;
    m_delivered.insert(topic.name, QList<qint64>(std::max(1, topic.partitions), 0));
}

void SimKafka::addGroup(const Group &group)
{
    GroupState state;
    state.group = group;
    m_groups << state;
}

void SimKafka::setConsumeFactor(const QString &group, double factor)
{
    for (GroupState &state : m_groups) {
        if (state.group.name == group)
            state.group.consumeFactor = factor;
    }
}

QList<SimKafka::Group> SimKafka::groups() const
{
    QList<Group> out;
    for (const GroupState &state : m_groups)
        out << state.group;
    return out;
}

bool SimKafka::start(int brokers)
{
    if (m_cluster)
        return true;
    QString error;
    // The owner handle only carries the mock cluster (its lifetime must enclose the cluster's).
    rd_kafka_conf_t *ownerConf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(ownerConf, quietLog);
    m_owner = newHandle(RD_KAFKA_PRODUCER, ownerConf, &error);
    if (!m_owner) {
        m_error = QStringLiteral("cannot create the Kafka handle: %1").arg(error);
        return false;
    }
    m_cluster = rd_kafka_mock_cluster_new(m_owner, std::max(1, brokers));
    if (!m_cluster) {
        m_error = QStringLiteral("cannot start librdkafka's mock cluster");
        stop();
        return false;
    }
    m_bootstraps = QString::fromUtf8(rd_kafka_mock_cluster_bootstraps(m_cluster));
    for (const Topic &topic : std::as_const(m_topics)) {
        const QByteArray name = topic.name.toUtf8();
        const rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(
            m_cluster, name.constData(), std::max(1, topic.partitions), std::min(3, brokers));
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            m_error = QStringLiteral("cannot create topic %1: %2")
                          .arg(topic.name, QString::fromUtf8(rd_kafka_err2str(err)));
            stop();
            return false;
        }
    }

    const QByteArray bootstraps = m_bootstraps.toUtf8();
    rd_kafka_conf_t *producerConf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(producerConf, quietLog);
    rd_kafka_conf_set_dr_msg_cb(producerConf, deliveryReport);
    rd_kafka_conf_set_opaque(producerConf, this);
    if (!set(producerConf, "bootstrap.servers", bootstraps, &error)
        || !set(producerConf, "linger.ms", "20", &error)
        || !set(producerConf, "message.timeout.ms", "10000", &error)) {
        rd_kafka_conf_destroy(producerConf);
        m_error = error;
        stop();
        return false;
    }
    m_producer = newHandle(RD_KAFKA_PRODUCER, producerConf, &error);
    if (!m_producer) {
        m_error = QStringLiteral("cannot create the producer: %1").arg(error);
        stop();
        return false;
    }

    // Each group commits from its own consumer handle that never joins the group: the mock
    // accepts commits from a non-member while nobody has joined (see the API reference, 6.3).
    for (GroupState &state : m_groups) {
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        rd_kafka_conf_set_log_cb(conf, quietLog);
        if (!set(conf, "bootstrap.servers", bootstraps, &error)
            || !set(conf, "group.id", state.group.name.toUtf8(), &error)
            || !set(conf, "enable.auto.commit", "false", &error)) {
            rd_kafka_conf_destroy(conf);
            m_error = error;
            stop();
            return false;
        }
        state.committer = newHandle(RD_KAFKA_CONSUMER, conf, &error);
        if (!state.committer) {
            m_error = QStringLiteral("cannot create the consumer of group %1: %2")
                          .arg(state.group.name, error);
            stop();
            return false;
        }
        const int partitions = int(m_delivered.value(state.group.topic).size());
        state.consumed = QList<double>(partitions, 0.0);
        state.committed = QList<qint64>(partitions, -1);
    }
    // The backlog is in the log before anyone reads it: produced and delivered now.
    bool backlog = false;
    for (const Topic &topic : std::as_const(m_topics)) {
        m_produceCarry[topic.name] += std::max(0, topic.backlog);
        backlog = backlog || topic.backlog > 0;
    }
    if (backlog) {
        produce(0);
        rd_kafka_flush(m_producer, 5000); // serves the delivery reports
    }
    m_clock.start();
    m_lastTickMs = 0;
    m_timer.start();
    return true;
}

void SimKafka::stop()
{
    m_timer.stop();
    for (GroupState &state : m_groups) {
        if (state.committer) {
            rd_kafka_destroy(state.committer);
            state.committer = nullptr;
        }
    }
    if (m_producer) {
        rd_kafka_flush(m_producer, 2000);
        rd_kafka_destroy(m_producer);
        m_producer = nullptr;
    }
    if (m_cluster) {
        rd_kafka_mock_cluster_destroy(m_cluster);
        m_cluster = nullptr;
    }
    if (m_owner) {
        rd_kafka_destroy(m_owner);
        m_owner = nullptr;
    }
}

qint64 SimKafka::delivered(const QString &topic, int partition) const
{
    const QList<qint64> counts = m_delivered.value(topic);
    return partition >= 0 && partition < counts.size() ? counts.at(partition) : 0;
}

qint64 SimKafka::committed(const QString &group, const QString &topic, int partition) const
{
    for (const GroupState &state : m_groups) {
        if (state.group.name == group && state.group.topic == topic && partition >= 0
            && partition < state.committed.size())
            return state.committed.at(partition);
    }
    return -1;
}

void SimKafka::onDelivered(const QString &topic, int partition, bool ok)
{
    auto it = m_delivered.find(topic);
    if (ok && it != m_delivered.end() && partition >= 0 && partition < it->size())
        ++(*it)[partition];
}

void SimKafka::tick()
{
    const qint64 nowMs = m_clock.elapsed();
    const double seconds = double(nowMs - m_lastTickMs) / 1000.0 * m_timeScale;
    m_lastTickMs = nowMs;
    produce(seconds);
    rd_kafka_poll(m_producer, 0); // delivery reports
    const double now = double(nowMs) / 1000.0 * m_timeScale;
    for (GroupState &state : m_groups) {
        rd_kafka_poll(state.committer, 0);
        if (now - state.lastCommitAt >= kCommitEveryS) {
            commit(state, now - state.lastCommitAt, now);
            state.lastCommitAt = now;
        }
    }
}

void SimKafka::produce(double seconds)
{
    for (const Topic &topic : std::as_const(m_topics)) {
        double &carry = m_produceCarry[topic.name];
        carry += topic.messagesPerSecond * seconds;
        const QByteArray name = topic.name.toUtf8();
        const int partitions = std::max(1, topic.partitions);
        for (; carry >= 1.0; carry -= 1.0) {
            const quint64 sequence = ++m_sequence;
            const QByteArray value =
                QJsonDocument(QJsonObject{{QStringLiteral("seq"), double(sequence)},
                                          {QStringLiteral("topic"), topic.name}})
                    .toJson(QJsonDocument::Compact);
            rd_kafka_vu_t vus[4] = {};
            vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
            vus[0].u.cstr = name.constData();
            vus[1].vtype = RD_KAFKA_VTYPE_PARTITION;
            vus[1].u.i32 = int32_t(sequence % quint64(partitions));
            vus[2].vtype = RD_KAFKA_VTYPE_VALUE;
            vus[2].u.mem.ptr = const_cast<char *>(value.constData());
            vus[2].u.mem.size = size_t(value.size());
            vus[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
            vus[3].u.i = RD_KAFKA_MSG_F_COPY;
            if (rd_kafka_error_t *error = rd_kafka_produceva(m_producer, vus, 4)) {
                rd_kafka_error_destroy(error);
                break; // queue full: try again next tick
            }
        }
    }
}

void SimKafka::commit(GroupState &state, double seconds, double now)
{
    const Topic *topic = nullptr;
    for (const Topic &t : std::as_const(m_topics)) {
        if (t.name == state.group.topic)
            topic = &t;
    }
    if (!topic || state.consumed.isEmpty())
        return;
    double factor = state.group.consumeFactor;
    if (state.group.swing != 0.0 && state.group.swingPeriodS > 0)
        factor +=
            // Minus: the swing begins with the slow half, so a group set to fall behind does so
            // from the start.
            -state.group.swing * std::sin(2.0 * std::numbers::pi * now / state.group.swingPeriodS);
    factor = std::max(0.0, factor);
    const double perPartition = topic->messagesPerSecond / double(state.consumed.size());
    const QByteArray name = topic->name.toUtf8();
    rd_kafka_topic_partition_list_t *offsets =
        rd_kafka_topic_partition_list_new(int(state.consumed.size()));
    bool any = false;
    for (int p = 0; p < state.consumed.size(); ++p) {
        const double available = double(delivered(topic->name, p));
        state.consumed[p] =
            std::min(available, state.consumed[p] + perPartition * factor * seconds);
        const qint64 offset = qint64(state.consumed[p]);
        if (offset == state.committed[p])
            continue;
        rd_kafka_topic_partition_list_add(offsets, name.constData(), p)->offset = offset;
        state.committed[p] = offset;
        any = true;
    }
    // Asynchronous: the answer is served by rd_kafka_poll on the next tick.
    if (any)
        rd_kafka_commit(state.committer, offsets, 1);
    rd_kafka_topic_partition_list_destroy(offsets);
}

} // namespace Opsdeck::Sim
