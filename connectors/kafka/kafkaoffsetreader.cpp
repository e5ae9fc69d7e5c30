// SPDX-License-Identifier: MIT
#include "connectors/kafka/kafkaoffsetreader.h"

#include <librdkafka/rdkafka.h>

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QLoggingCategory>
#include <QSet>

#include <algorithm>
#include <cstdint>
#include <limits>

Q_LOGGING_CATEGORY(lcKafkaConnector, "opsdeck.kafka", QtInfoMsg)
Q_LOGGING_CATEGORY(lcKafkaRdkafka, "opsdeck.kafka.client", QtWarningMsg)

namespace Opsdeck::Connectors {

using namespace Opsdeck::Models;

namespace {

/// How many ListConsumerGroupOffsets may be in flight at once: enough to keep every
/// coordinator busy, few enough that the last ones queued do not time out waiting for the
/// first (each admin request's timeout starts when it is queued).
constexpr int kMaxGroupRequestsInFlight = 1000;
constexpr int kPollSliceMs = 100;

QString words(rd_kafka_resp_err_t err)
{
    return QString::fromUtf8(rd_kafka_err2str(err));
}

int clampTimeout(qint64 ms)
{
    return int(std::clamp<qint64>(ms, 100, std::numeric_limits<int>::max()));
}

void errorCallback(rd_kafka_t *, int err, const char *reason, void *opaque)
{
    auto *reader = static_cast<KafkaOffsetReader *>(opaque);
    const QString text = QString::fromUtf8(reason);
    reader->noteClientError(text.isEmpty() ? words(rd_kafka_resp_err_t(err)) : text);
}

/// librdkafka logs from its own threads; connection noise stays at debug level.
void logCallback(const rd_kafka_t *, int level, const char *facility, const char *text)
{
    if (level <= 3)
        qCInfo(lcKafkaRdkafka, "%s: %s", facility, text);
    else
        qCDebug(lcKafkaRdkafka, "%s: %s", facility, text);
}

bool cancelled(const std::atomic_bool *cancel)
{
    return cancel && cancel->load();
}

struct PartitionKey
{
    QString topic;
    int partition = 0;

    bool operator==(const PartitionKey &) const = default;
};

size_t qHash(const PartitionKey &key, size_t seed = 0)
{
    return qHashMulti(seed, key.topic, key.partition);
}

QString topicMissing(const QString &topic)
{
    return QStringLiteral("topic '%1' does not exist").arg(topic);
}

/// Log-end (or log-start) offsets of @p keys, one ListOffsets per leader broker: librdkafka's
/// rd_kafka_offsets_for_times groups the partitions by leader and sends one request to each
/// (src/rdkafka.c, "For each leader send a request for its partitions"); with
/// RD_KAFKA_OFFSET_END / _BEGINNING as the "timestamp" the broker answers LATEST / EARLIEST.
void readWatermarks(rd_kafka_t *handle,
                    const QList<PartitionKey> &keys,
                    int64_t which,
                    int timeoutMs,
                    QHash<PartitionKey, qint64> *offsets,
                    QHash<PartitionKey, QString> *errors)
{
    if (keys.isEmpty())
        return;
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(int(keys.size()));
    for (const PartitionKey &key : keys) {
        rd_kafka_topic_partition_list_add(list, key.topic.toUtf8().constData(), key.partition)
            ->offset = which;
    }
    const rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(handle, list, timeoutMs);
    const QString what = which == RD_KAFKA_OFFSET_END ? QStringLiteral("log-end offset")
                                                      : QStringLiteral("log-start offset");
    // The list keeps our order: librdkafka updates its elements in place.
    for (int i = 0; i < list->cnt; ++i) {
        const PartitionKey &key = keys.at(i);
        const rd_kafka_topic_partition_t &elem = list->elems[i];
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
            errors->insert(key, QStringLiteral("cannot read the %1: %2").arg(what, words(err)));
        else if (elem.err != RD_KAFKA_RESP_ERR_NO_ERROR)
            errors->insert(key,
                           QStringLiteral("cannot read the %1: %2").arg(what, words(elem.err)));
        else if (elem.offset >= 0)
            offsets->insert(key, elem.offset);
    }
    rd_kafka_topic_partition_list_destroy(list);
}

} // namespace

struct KafkaOffsetReader::Metadata
{
    struct Topic
    {
        QMap<int, int> leaders; ///< partition → leader broker id (-1: none)
    };

    QHash<QString, Topic> topics; ///< only topics the cluster reports without error
    int brokers = 0;
};

KafkaOffsetReader::KafkaOffsetReader(const KafkaClusterConfig &cluster, const KafkaConfig &settings)
    : m_cluster(cluster)
    , m_settings(settings)
{}

KafkaOffsetReader::~KafkaOffsetReader()
{
    if (m_handle) {
        // Never subscribed and without group.id: no consumer close to wait for.
        rd_kafka_destroy_flags(m_handle, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
        m_handle = nullptr;
    }
}

void KafkaOffsetReader::noteClientError(const QString &error)
{
    const std::lock_guard lock(m_clientErrorMutex);
    m_clientError = error;
}

QString KafkaOffsetReader::takeClientError()
{
    const std::lock_guard lock(m_clientErrorMutex);
    return std::exchange(m_clientError, QString());
}

bool KafkaOffsetReader::open(QString *error)
{
    if (m_handle)
        return true;
    if (!m_openError.isEmpty()) {
        *error = m_openError; // a configuration error does not fix itself
        return false;
    }
    char text[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const auto set = [&](const QString &key, const QByteArray &value, bool secret) {
        if (rd_kafka_conf_set(conf, key.toUtf8().constData(), value.constData(), text, sizeof text)
            == RD_KAFKA_CONF_OK) {
            return true;
        }
        QString why = QString::fromUtf8(text);
        if (secret && !value.isEmpty())
            why.replace(QString::fromUtf8(value), QStringLiteral("***"));
        m_openError =
            QStringLiteral("cluster '%1': property '%2': %3").arg(m_cluster.name, key, why);
        return false;
    };
    const QByteArray bootstraps = m_cluster.bootstrapServers.toUtf8();
    bool ok = set(QStringLiteral("bootstrap.servers"), bootstraps, false)
              // Come back quickly after an outage; the user may override it.
              && set(QStringLiteral("reconnect.backoff.max.ms"), "2000", false);
    for (auto it = m_cluster.properties.cbegin(); ok && it != m_cluster.properties.cend(); ++it)
        ok = set(it.key(), it.value().toUtf8(), false);
    for (auto it = m_cluster.secretProperties.cbegin();
         ok && it != m_cluster.secretProperties.cend();
         ++it) {
        const QByteArray variable = it.value().toLocal8Bit();
        if (variable.isEmpty() || !qEnvironmentVariableIsSet(variable.constData())) {
            m_openError = QStringLiteral("cluster '%1': property '%2': the environment variable "
                                         "'%3' is not set")
                              .arg(m_cluster.name, it.key(), it.value());
            ok = false;
        } else {
            ok = set(it.key(), qgetenv(variable.constData()), true);
        }
    }
    // Lag against the log end, as kafka-consumer-groups.sh and Burrow measure it: librdkafka's
    // default read_committed would answer the last stable offset instead (apis.md 6.2).
    ok = ok && set(QStringLiteral("isolation.level"), "read_uncommitted", false);
    if (!ok) {
        rd_kafka_conf_destroy(conf);
        *error = m_openError;
        return false;
    }
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_error_cb(conf, errorCallback);
    rd_kafka_conf_set_log_cb(conf, logCallback);
    // A consumer handle (for isolation.level) that never joins or subscribes: no group.id.
    m_handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, text, sizeof text);
    if (!m_handle) {
        rd_kafka_conf_destroy(conf); // rd_kafka_new frees it only on success
        m_openError =
            QStringLiteral("cluster '%1': %2").arg(m_cluster.name, QString::fromUtf8(text));
        *error = m_openError;
        return false;
    }
    return true;
}

QStringList KafkaOffsetReader::discoverGroups(const Metadata &metadata, int *requests)
{
    QStringList found;
    char text[512];
    rd_kafka_queue_t *queue = rd_kafka_queue_new(m_handle);
    rd_kafka_AdminOptions_t *options =
        rd_kafka_AdminOptions_new(m_handle, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
    const int timeoutMs = clampTimeout(m_settings.timeoutMs);
    rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, text, sizeof text);
    rd_kafka_ListConsumerGroups(m_handle, options, queue);
    *requests += std::max(1, metadata.brokers); // it asks every broker
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue, timeoutMs + 1000);
    if (event && rd_kafka_event_type(event) == RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT) {
        if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            qCInfo(lcKafkaConnector,
                   "cluster '%s': cannot list groups: %s",
                   qUtf8Printable(m_cluster.name),
                   rd_kafka_event_error_string(event));
        } else {
            const rd_kafka_ListConsumerGroups_result_t *result =
                rd_kafka_event_ListConsumerGroups_result(event);
            size_t validCount = 0;
            const rd_kafka_ConsumerGroupListing_t **valid =
                rd_kafka_ListConsumerGroups_result_valid(result, &validCount);
            for (size_t i = 0; i < validCount; ++i)
                found << QString::fromUtf8(rd_kafka_ConsumerGroupListing_group_id(valid[i]));
            size_t errorCount = 0;
            const rd_kafka_error_t **errors =
                rd_kafka_ListConsumerGroups_result_errors(result, &errorCount);
            size_t unsupported = 0;
            for (size_t i = 0; i < errorCount; ++i) {
                const rd_kafka_resp_err_t code = rd_kafka_error_code(errors[i]);
                if (code == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE
                    || code == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION) {
                    ++unsupported;
                } else {
                    qCInfo(lcKafkaConnector,
                           "cluster '%s': listing groups: %s",
                           qUtf8Printable(m_cluster.name),
                           rd_kafka_error_string(errors[i]));
                }
            }
            // Brokers that cannot list groups (librdkafka's mock among them) are not an
            // error: the configured groups are read all the same, and we stop asking.
            if (validCount == 0 && errorCount > 0 && unsupported == errorCount) {
                m_listingUnsupported = true;
                qCInfo(lcKafkaConnector,
                       "cluster '%s' cannot list consumer groups; only configured groups are read",
                       qUtf8Printable(m_cluster.name));
            }
        }
    }
    if (event)
        rd_kafka_event_destroy(event);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_queue_destroy(queue);
    found.sort();
    return found;
}

KafkaSample KafkaOffsetReader::refresh(const std::atomic_bool *cancel)
{
    QElapsedTimer clock;
    clock.start();
    KafkaSample sample;
    sample.cluster = m_cluster.name;
    const auto finish = [&](KafkaSample &&done) {
        done.durationMs = clock.elapsed();
        if (done.timeMs == 0)
            done.timeMs = QDateTime::currentMSecsSinceEpoch();
        return std::move(done);
    };

    QString error;
    if (!open(&error)) {
        sample.error = error;
        return finish(std::move(sample));
    }
    rd_kafka_poll(m_handle, 0); // serve the error callback
    takeClientError();          // only what this refresh runs into counts
    const int timeoutMs = clampTimeout(m_settings.timeoutMs);

    // 1. Metadata of all topics: partitions and their leaders. It also tells whether the
    //    cluster can be reached at all.
    const rd_kafka_metadata_t *raw = nullptr;
    const rd_kafka_resp_err_t metadataErr =
        rd_kafka_metadata(m_handle, 1, nullptr, &raw, timeoutMs);
    ++sample.requests;
    if (metadataErr != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_poll(m_handle, 0);
        const QString client = takeClientError();
        sample.error = QStringLiteral("cannot reach cluster '%1' (%2): %3")
                           .arg(m_cluster.name, m_cluster.bootstrapServers, words(metadataErr));
        if (!client.isEmpty())
            sample.error += QStringLiteral(" (%1)").arg(client);
        return finish(std::move(sample));
    }
    Metadata metadata;
    metadata.brokers = raw->broker_cnt;
    for (int t = 0; t < raw->topic_cnt; ++t) {
        const rd_kafka_metadata_topic_t &topic = raw->topics[t];
        if (topic.err != RD_KAFKA_RESP_ERR_NO_ERROR)
            continue; // e.g. unknown topic or partition: it does not exist for us
        Metadata::Topic &entry = metadata.topics[QString::fromUtf8(topic.topic)];
        for (int p = 0; p < topic.partition_cnt; ++p)
            entry.leaders.insert(topic.partitions[p].id, topic.partitions[p].leader);
    }
    rd_kafka_metadata_destroy(raw);

    // 2. Which groups: the configured ones, then whatever the broker lists.
    struct GroupWork
    {
        QString name;
        QStringList topics;
        QStringList missingTopics; ///< configured, never seen
        rd_kafka_topic_partition_list_t *request = nullptr;
        KafkaGroupOffsets result;
        QHash<PartitionKey, qint64> committed;
        bool answered = false;
    };

    QList<GroupWork> work;
    QSet<QString> names;
    for (const KafkaGroupConfig &group : std::as_const(m_cluster.groups)) {
        if (group.name.isEmpty() || names.contains(group.name))
            continue;
        names.insert(group.name);
        GroupWork item;
        item.name = group.name;
        item.topics = group.topics;
        work << item;
    }
    if (m_cluster.discoverGroups && !m_listingUnsupported && !cancelled(cancel)) {
        for (const QString &name : discoverGroups(metadata, &sample.requests)) {
            if (names.contains(name))
                continue;
            names.insert(name);
            GroupWork item;
            item.name = name;
            work << item;
        }
    }

    // 3. Committed offsets: one ListConsumerGroupOffsets per group, many in flight on one
    //    queue. Explicit partitions from metadata for configured topics (the mock answers only
    //    listed partitions); NULL, "all the group committed", otherwise.
    for (GroupWork &item : work) {
        const QMap<QString, QList<int>> known = m_known.value(item.name);
        QList<PartitionKey> explicitKeys;
        for (const QString &topic : std::as_const(item.topics)) {
            const auto found = metadata.topics.constFind(topic);
            if (found != metadata.topics.cend()) {
                for (auto it = found->leaders.cbegin(); it != found->leaders.cend(); ++it)
                    explicitKeys << PartitionKey{topic, it.key()};
            } else if (known.contains(topic)) {
                // Vanished since the last refresh: still asked, and shown with an error.
                for (int partition : known.value(topic))
                    explicitKeys << PartitionKey{topic, partition};
            } else {
                item.missingTopics << topic;
            }
        }
        if (!item.topics.isEmpty()) {
            item.request = rd_kafka_topic_partition_list_new(int(explicitKeys.size()));
            for (const PartitionKey &key : std::as_const(explicitKeys))
                rd_kafka_topic_partition_list_add(
                    item.request, key.topic.toUtf8().constData(), key.partition);
        }
    }

    char text[512];
    rd_kafka_queue_t *queue = rd_kafka_queue_new(m_handle);
    rd_kafka_AdminOptions_t *options =
        rd_kafka_AdminOptions_new(m_handle, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
    rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, text, sizeof text);
    qsizetype next = 0;
    int pending = 0;
    QElapsedTimer sinceProgress;
    sinceProgress.start();
    while ((next < work.size() || pending > 0) && !cancelled(cancel)) {
        while (next < work.size() && pending < kMaxGroupRequestsInFlight) {
            GroupWork &item = work[next];
            // An empty explicit list (every configured topic missing) asks nothing.
            if (item.request && item.request->cnt == 0) {
                item.answered = true;
                ++next;
                continue;
            }
            rd_kafka_AdminOptions_set_opaque(options, reinterpret_cast<void *>(intptr_t(next)));
            rd_kafka_ListConsumerGroupOffsets_t *request =
                rd_kafka_ListConsumerGroupOffsets_new(item.name.toUtf8().constData(), item.request);
            rd_kafka_ListConsumerGroupOffsets(m_handle, &request, 1, options, queue);
            rd_kafka_ListConsumerGroupOffsets_destroy(request);
            ++sample.requests;
            ++pending;
            ++next;
        }
        if (pending == 0)
            continue;
        rd_kafka_event_t *event = rd_kafka_queue_poll(queue, kPollSliceMs);
        if (!event) {
            // Each request times out by itself; this only guards against a lost answer.
            if (sinceProgress.elapsed() > qint64(timeoutMs) + 5000)
                break;
            continue;
        }
        sinceProgress.restart();
        if (rd_kafka_event_type(event) != RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT) {
            rd_kafka_event_destroy(event);
            continue;
        }
        --pending;
        const auto index = qsizetype(reinterpret_cast<intptr_t>(rd_kafka_event_opaque(event)));
        GroupWork &item = work[index];
        item.answered = true;
        if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            item.result.error = QString::fromUtf8(rd_kafka_event_error_string(event));
        } else {
            size_t count = 0;
            const rd_kafka_group_result_t **groups =
                rd_kafka_ListConsumerGroupOffsets_result_groups(
                    rd_kafka_event_ListConsumerGroupOffsets_result(event), &count);
            for (size_t g = 0; g < count; ++g) {
                if (const rd_kafka_error_t *groupError = rd_kafka_group_result_error(groups[g])) {
                    item.result.error = QString::fromUtf8(rd_kafka_error_string(groupError));
                    continue;
                }
                const rd_kafka_topic_partition_list_t *parts =
                    rd_kafka_group_result_partitions(groups[g]);
                for (int i = 0; parts && i < parts->cnt; ++i) {
                    const rd_kafka_topic_partition_t &elem = parts->elems[i];
                    KafkaPartitionOffsets partition;
                    partition.topic = QString::fromUtf8(elem.topic);
                    partition.partition = int(elem.partition);
                    partition.committed = elem.offset >= 0 ? elem.offset : -1;
                    if (elem.err != RD_KAFKA_RESP_ERR_NO_ERROR)
                        partition.error = QStringLiteral("cannot read the committed offset: %1")
                                              .arg(words(elem.err));
                    item.result.partitions << partition;
                }
            }
        }
        rd_kafka_event_destroy(event);
    }
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_queue_destroy(queue); // answers still under way hold their own reference

    if (cancelled(cancel)) {
        for (GroupWork &item : work) {
            if (item.request)
                rd_kafka_topic_partition_list_destroy(item.request);
        }
        sample.error = QStringLiteral("refresh of cluster '%1' cancelled").arg(m_cluster.name);
        return finish(std::move(sample));
    }

    // 4. Which partitions need offsets: those that exist, once each, however many groups
    //    read them; the log start only where some group never committed.
    QList<PartitionKey> logEndKeys;
    QList<PartitionKey> logStartKeys;
    QSet<PartitionKey> seenEnd;
    QSet<PartitionKey> seenStart;
    QSet<int> endLeaders;
    QSet<int> startLeaders;
    for (GroupWork &item : work) {
        if (item.request) {
            rd_kafka_topic_partition_list_destroy(item.request);
            item.request = nullptr;
        }
        item.result.group = item.name;
        if (!item.answered && item.result.error.isEmpty())
            item.result.error = QStringLiteral("no answer within %1 ms").arg(timeoutMs);
        for (KafkaPartitionOffsets &partition : item.result.partitions) {
            const auto topic = metadata.topics.constFind(partition.topic);
            if (topic == metadata.topics.cend()) {
                if (partition.error.isEmpty())
                    partition.error = topicMissing(partition.topic);
                continue;
            }
            const auto leader = topic->leaders.constFind(partition.partition);
            if (leader == topic->leaders.cend()) {
                if (partition.error.isEmpty())
                    partition.error = QStringLiteral("partition %1 of topic '%2' does not exist")
                                          .arg(partition.partition)
                                          .arg(partition.topic);
                continue;
            }
            if (*leader < 0) {
                if (partition.error.isEmpty())
                    partition.error = QStringLiteral("partition %1 of topic '%2' has no leader")
                                          .arg(partition.partition)
                                          .arg(partition.topic);
                continue;
            }
            const PartitionKey key{partition.topic, partition.partition};
            if (!seenEnd.contains(key)) {
                seenEnd.insert(key);
                logEndKeys << key;
                endLeaders.insert(*leader);
            }
            if (partition.committed < 0 && !seenStart.contains(key)) {
                seenStart.insert(key);
                logStartKeys << key;
                startLeaders.insert(*leader);
            }
        }
    }

    QHash<PartitionKey, qint64> logEnd;
    QHash<PartitionKey, qint64> logStart;
    QHash<PartitionKey, QString> offsetErrors;
    readWatermarks(m_handle, logEndKeys, RD_KAFKA_OFFSET_END, timeoutMs, &logEnd, &offsetErrors);
    sample.requests += int(endLeaders.size());
    sample.timeMs = QDateTime::currentMSecsSinceEpoch();
    if (!cancelled(cancel)) {
        QHash<PartitionKey, QString> startErrors; // the log end matters more; keep its words
        readWatermarks(
            m_handle, logStartKeys, RD_KAFKA_OFFSET_BEGINNING, timeoutMs, &logStart, &startErrors);
        sample.requests += int(startLeaders.size());
        for (auto it = startErrors.cbegin(); it != startErrors.cend(); ++it) {
            if (!offsetErrors.contains(it.key()))
                offsetErrors.insert(it.key(), it.value());
        }
    }

    // 5. The sample, and what to remember for next time.
    for (GroupWork &item : work) {
        QMap<QString, QList<int>> known;
        for (KafkaPartitionOffsets &partition : item.result.partitions) {
            const PartitionKey key{partition.topic, partition.partition};
            partition.logEnd = logEnd.value(key, -1);
            if (partition.committed < 0)
                partition.logStart = logStart.value(key, -1);
            if (partition.error.isEmpty())
                partition.error = offsetErrors.value(key);
            known[partition.topic] << partition.partition;
        }
        std::sort(item.result.partitions.begin(),
                  item.result.partitions.end(),
                  [](const KafkaPartitionOffsets &a, const KafkaPartitionOffsets &b) {
                      return a.topic != b.topic ? a.topic < b.topic : a.partition < b.partition;
                  });
        QStringList problems;
        if (!item.result.error.isEmpty())
            problems << item.result.error;
        for (const QString &topic : std::as_const(item.missingTopics))
            problems << topicMissing(topic);
        if (problems.isEmpty() && item.topics.isEmpty() && item.result.partitions.isEmpty()) {
            problems << QStringLiteral("group '%1' has no committed offsets on cluster '%2'")
                            .arg(item.name, m_cluster.name);
        }
        item.result.error = problems.join(QStringLiteral("; "));
        if (!known.isEmpty() || item.result.error.isEmpty())
            m_known.insert(item.name, known);
        sample.groups << item.result;
    }
    rd_kafka_poll(m_handle, 0);
    qCDebug(lcKafkaConnector,
            "cluster '%s': %lld groups, %lld partitions, %d requests in %lld ms",
            qUtf8Printable(m_cluster.name),
            qlonglong(sample.groups.size()),
            qlonglong(logEndKeys.size()),
            sample.requests,
            qlonglong(clock.elapsed()));
    return finish(std::move(sample));
}

} // namespace Opsdeck::Connectors
