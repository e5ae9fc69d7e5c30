// SPDX-License-Identifier: MIT
#include "tests/integration/kafka/mockkafka.h"

#include <librdkafka/rdkafka.h>
// rdkafka_mock.h must come after rdkafka.h.
#include <librdkafka/rdkafka_mock.h>

#include <QByteArray>
#include <QElapsedTimer>

namespace Opsdeck::Tests {

namespace {

void quietLog(const rd_kafka_t *, int, const char *, const char *) {}

rd_kafka_t *newHandle(rd_kafka_type_t type,
                      const QList<std::pair<const char *, QByteArray>> &properties,
                      QString *error)
{
    char text[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, quietLog);
    for (const auto &[key, value] : properties) {
        if (rd_kafka_conf_set(conf, key, value.constData(), text, sizeof text)
            != RD_KAFKA_CONF_OK) {
            *error = QString::fromUtf8(text);
            rd_kafka_conf_destroy(conf);
            return nullptr;
        }
    }
    rd_kafka_t *handle = rd_kafka_new(type, conf, text, sizeof text);
    if (!handle) {
        rd_kafka_conf_destroy(conf);
        *error = QString::fromUtf8(text);
    }
    return handle;
}

void destroyHandle(rd_kafka_t *handle)
{
    if (handle)
        rd_kafka_destroy_flags(handle, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

} // namespace

MockKafka::MockKafka(int brokers)
    : m_brokers(std::max(1, brokers))
{
    m_owner = newHandle(RD_KAFKA_PRODUCER, {}, &m_error);
    if (!m_owner)
        return;
    m_cluster = rd_kafka_mock_cluster_new(m_owner, m_brokers);
    if (!m_cluster) {
        m_error = QStringLiteral("cannot start librdkafka's mock cluster");
        return;
    }
    m_bootstraps = QString::fromUtf8(rd_kafka_mock_cluster_bootstraps(m_cluster));
}

MockKafka::~MockKafka()
{
    dropCommitters();
    if (m_producer) {
        rd_kafka_flush(m_producer, 2000);
        destroyHandle(m_producer);
    }
    destroyHandle(m_admin);
    // The cluster before the handle that owns it (apis.md 6.3).
    if (m_cluster)
        rd_kafka_mock_cluster_destroy(m_cluster);
    destroyHandle(m_owner);
}

bool MockKafka::createTopic(const QString &topic, int partitions)
{
    const rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(
        m_cluster, topic.toUtf8().constData(), partitions, std::min(3, m_brokers));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        m_error = QString::fromUtf8(rd_kafka_err2str(err));
    return err == RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_t *MockKafka::producer()
{
    if (!m_producer) {
        m_producer = newHandle(RD_KAFKA_PRODUCER,
                               {{"bootstrap.servers", m_bootstraps.toUtf8()},
                                {"linger.ms", "5"},
                                {"message.timeout.ms", "20000"}},
                               &m_error);
    }
    return m_producer;
}

bool MockKafka::produce(const QString &topic, const QList<int> &counts)
{
    return produceMany({{topic, counts}});
}

bool MockKafka::produceMany(const QMap<QString, QList<int>> &topics)
{
    rd_kafka_t *handle = producer();
    if (!handle)
        return false;
    static const char payload[] = "opsdeck";
    for (auto topic = topics.cbegin(); topic != topics.cend(); ++topic) {
        const QByteArray name = topic.key().toUtf8();
        const QList<int> &counts = topic.value();
        for (int partition = 0; partition < counts.size(); ++partition) {
            for (int i = 0; i < counts.at(partition); ++i) {
                rd_kafka_vu_t vus[4] = {};
                vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
                vus[0].u.cstr = name.constData();
                vus[1].vtype = RD_KAFKA_VTYPE_PARTITION;
                vus[1].u.i32 = int32_t(partition);
                vus[2].vtype = RD_KAFKA_VTYPE_VALUE;
                vus[2].u.mem.ptr = const_cast<char *>(payload);
                vus[2].u.mem.size = sizeof payload - 1;
                vus[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
                vus[3].u.i = RD_KAFKA_MSG_F_COPY;
                for (;;) {
                    rd_kafka_error_t *error = rd_kafka_produceva(handle, vus, 4);
                    if (!error)
                        break;
                    const rd_kafka_resp_err_t err = rd_kafka_error_code(error);
                    rd_kafka_error_destroy(error);
                    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                        m_error = QString::fromUtf8(rd_kafka_err2str(err));
                        return false;
                    }
                    rd_kafka_poll(handle, 10);
                }
            }
        }
    }
    const rd_kafka_resp_err_t err = rd_kafka_flush(handle, 30000);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        m_error = QString::fromUtf8(rd_kafka_err2str(err));
    return err == RD_KAFKA_RESP_ERR_NO_ERROR;
}

bool MockKafka::commit(const QString &group, const QString &topic, const QMap<int, qint64> &offsets)
{
    rd_kafka_t *&handle = m_committers[group];
    if (!handle) {
        handle = newHandle(RD_KAFKA_CONSUMER,
                           {{"bootstrap.servers", m_bootstraps.toUtf8()},
                            {"group.id", group.toUtf8()},
                            {"enable.auto.commit", "false"}},
                           &m_error);
        if (!handle)
            return false;
    }
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(int(offsets.size()));
    const QByteArray name = topic.toUtf8();
    for (auto it = offsets.cbegin(); it != offsets.cend(); ++it)
        rd_kafka_topic_partition_list_add(list, name.constData(), it.key())->offset = it.value();
    const rd_kafka_resp_err_t err = rd_kafka_commit(handle, list, 0 /* synchronous */);
    rd_kafka_topic_partition_list_destroy(list);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        m_error = QString::fromUtf8(rd_kafka_err2str(err));
    return err == RD_KAFKA_RESP_ERR_NO_ERROR;
}

bool MockKafka::commitMany(const QMap<QString, QMap<QString, QMap<int, qint64>>> &groups)
{
    if (!m_admin) {
        m_admin =
            newHandle(RD_KAFKA_PRODUCER, {{"bootstrap.servers", m_bootstraps.toUtf8()}}, &m_error);
        if (!m_admin)
            return false;
    }
    rd_kafka_queue_t *queue = rd_kafka_queue_new(m_admin);
    constexpr int kInFlight = 500;
    int pending = 0;
    int failed = 0;
    const auto collect = [&](int timeoutMs) {
        rd_kafka_event_t *event = rd_kafka_queue_poll(queue, timeoutMs);
        if (!event)
            return false;
        --pending;
        if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            ++failed;
            m_error = QString::fromUtf8(rd_kafka_event_error_string(event));
        } else {
            size_t count = 0;
            const rd_kafka_group_result_t **results =
                rd_kafka_AlterConsumerGroupOffsets_result_groups(
                    rd_kafka_event_AlterConsumerGroupOffsets_result(event), &count);
            for (size_t i = 0; i < count; ++i) {
                if (const rd_kafka_error_t *error = rd_kafka_group_result_error(results[i])) {
                    ++failed;
                    m_error = QString::fromUtf8(rd_kafka_error_string(error));
                }
            }
        }
        rd_kafka_event_destroy(event);
        return true;
    };
    for (auto group = groups.cbegin(); group != groups.cend(); ++group) {
        rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(0);
        for (auto topic = group->cbegin(); topic != group->cend(); ++topic) {
            const QByteArray name = topic.key().toUtf8();
            for (auto it = topic->cbegin(); it != topic->cend(); ++it)
                rd_kafka_topic_partition_list_add(list, name.constData(), it.key())->offset =
                    it.value();
        }
        rd_kafka_AlterConsumerGroupOffsets_t *request =
            rd_kafka_AlterConsumerGroupOffsets_new(group.key().toUtf8().constData(), list);
        rd_kafka_AlterConsumerGroupOffsets(m_admin, &request, 1, nullptr, queue);
        rd_kafka_AlterConsumerGroupOffsets_destroy(request);
        rd_kafka_topic_partition_list_destroy(list);
        ++pending;
        while (pending >= kInFlight) {
            if (!collect(30000))
                break;
        }
    }
    QElapsedTimer clock;
    clock.start();
    while (pending > 0 && clock.elapsed() < 60000)
        collect(1000);
    rd_kafka_queue_destroy(queue);
    return failed == 0 && pending == 0;
}

void MockKafka::dropCommitters()
{
    for (rd_kafka_t *handle : std::as_const(m_committers))
        destroyHandle(handle);
    m_committers.clear();
}

void MockKafka::setAllBrokersDown(bool down)
{
    for (int id = 1; id <= m_brokers; ++id) {
        if (down)
            rd_kafka_mock_broker_set_down(m_cluster, id);
        else
            rd_kafka_mock_broker_set_up(m_cluster, id);
    }
}

void MockKafka::setTopicError(const QString &topic, int err)
{
    rd_kafka_mock_topic_set_error(
        m_cluster, topic.toUtf8().constData(), static_cast<rd_kafka_resp_err_t>(err));
}

void MockKafka::setRtt(int rttMs)
{
    for (int id = 1; id <= m_brokers; ++id)
        rd_kafka_mock_broker_set_rtt(m_cluster, id, rttMs);
}

} // namespace Opsdeck::Tests
