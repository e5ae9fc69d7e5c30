// SPDX-License-Identifier: MIT
// Kafka lag benchmark on librdkafka's in-process mock cluster (3 brokers): a full refresh of
// 50 groups x 200 partitions and of 10,000 groups x 3 partitions by the connector's reader
// (Metadata, one ListConsumerGroupOffsets per group all in flight, log-end offsets batched per
// leader broker), cold (coordinator lookups) and warm. Against it, measured in the same run on a
// subset and extrapolated, the naive way of apis.md 6.4: a consumer handle per group,
// rd_kafka_committed, then rd_kafka_query_watermark_offsets per partition. Prints refresh time,
// requests sent, offsets evaluated per second and the ratio; asserts nothing. Bounded: each
// scenario stops early if a step runs past its budget.
#include "connectors/kafka/kafkaoffsetreader.h"
#include "tests/integration/kafka/mockkafka.h"

#include <librdkafka/rdkafka.h>

#include <QCoreApplication>
#include <QElapsedTimer>

#include <cstdio>

using namespace Opsdeck;
using namespace Opsdeck::Connectors;
using namespace Opsdeck::Models;
using Opsdeck::Tests::MockKafka;

namespace {

constexpr int kBrokers = 3;
constexpr qint64 kNaiveBudgetMs = 15000;

struct Scenario
{
    const char *name;
    int groups;
    int partitions; ///< per group (each group reads one topic)
    int groupsPerTopic;
    int naiveGroups; ///< the subset the naive peer reads
};

struct Naive
{
    int groups = 0;
    qint64 offsets = 0;
    qint64 requests = 0;
    qint64 ms = 0;
    int errors = 0;
};

QString topicOf(const Scenario &scenario, int group)
{
    return QStringLiteral("topic-%1").arg(group / scenario.groupsPerTopic, 5, 10, QLatin1Char('0'));
}

QString groupName(int group)
{
    return QStringLiteral("group-%1").arg(group, 5, 10, QLatin1Char('0'));
}

void quietLog(const rd_kafka_t *, int, const char *, const char *) {}

/// The naive way, per group: a consumer with group.id (rd_kafka_committed needs one), its
/// committed offsets, then both watermarks of each partition, one call (two ListOffsets) each.
Naive naiveRefresh(const MockKafka &mock, const Scenario &scenario)
{
    Naive naive;
    QElapsedTimer clock;
    clock.start();
    char text[512];
    for (int g = 0; g < scenario.naiveGroups && clock.elapsed() < kNaiveBudgetMs; ++g) {
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        rd_kafka_conf_set_log_cb(conf, quietLog);
        rd_kafka_conf_set(conf,
                          "bootstrap.servers",
                          mock.bootstrapServers().toUtf8().constData(),
                          text,
                          sizeof text);
        rd_kafka_conf_set(conf, "group.id", groupName(g).toUtf8().constData(), text, sizeof text);
        rd_kafka_conf_set(conf, "isolation.level", "read_uncommitted", text, sizeof text);
        rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, text, sizeof text);
        if (!consumer) {
            rd_kafka_conf_destroy(conf);
            ++naive.errors;
            continue;
        }
        const QByteArray topic = topicOf(scenario, g).toUtf8();
        rd_kafka_topic_partition_list_t *list =
            rd_kafka_topic_partition_list_new(scenario.partitions);
        for (int p = 0; p < scenario.partitions; ++p)
            rd_kafka_topic_partition_list_add(list, topic.constData(), p);
        if (rd_kafka_committed(consumer, list, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR)
            ++naive.errors;
        ++naive.requests;
        for (int p = 0; p < scenario.partitions; ++p) {
            int64_t low = 0;
            int64_t high = 0;
            if (rd_kafka_query_watermark_offsets(consumer, topic.constData(), p, &low, &high, 5000)
                != RD_KAFKA_RESP_ERR_NO_ERROR) {
                ++naive.errors;
            }
            naive.requests += 2;
            ++naive.offsets;
        }
        rd_kafka_topic_partition_list_destroy(list);
        rd_kafka_destroy_flags(consumer, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
        ++naive.groups;
    }
    naive.ms = clock.elapsed();
    return naive;
}

void run(const Scenario &scenario)
{
    std::printf("\n== %s: %d groups x %d partitions (%d groups per topic, %d brokers)\n",
                scenario.name,
                scenario.groups,
                scenario.partitions,
                scenario.groupsPerTopic,
                kBrokers);
    QElapsedTimer setup;
    setup.start();
    MockKafka mock(kBrokers);
    if (!mock.isValid()) {
        std::printf("cannot start the mock cluster: %s\n", qPrintable(mock.errorString()));
        return;
    }
    const int topics = (scenario.groups + scenario.groupsPerTopic - 1) / scenario.groupsPerTopic;
    // No messages: producing to hundreds of fresh topics costs the producer a metadata round
    // per topic, and reading an offset costs the same whether the log is empty or not.
    for (int t = 0; t < topics; ++t) {
        if (!mock.createTopic(topicOf(scenario, t * scenario.groupsPerTopic),
                              scenario.partitions)) {
            std::printf("setup failed: %s\n", qPrintable(mock.errorString()));
            return;
        }
    }
    // Every group commits on all but its last partition: one partition per group is read
    // from the log start as well.
    QMap<QString, QMap<QString, QMap<int, qint64>>> commits;
    KafkaClusterConfig cluster;
    cluster.name = QStringLiteral("bench");
    cluster.bootstrapServers = mock.bootstrapServers();
    cluster.discoverGroups = false;
    for (int g = 0; g < scenario.groups; ++g) {
        QMap<int, qint64> offsets;
        for (int p = 0; p + 1 < scenario.partitions; ++p)
            offsets.insert(p, 0);
        commits[groupName(g)][topicOf(scenario, g)] = offsets;
        KafkaGroupConfig group;
        group.name = groupName(g);
        group.topics = {topicOf(scenario, g)};
        cluster.groups << group;
    }
    std::printf("topics: %lld ms\n", qlonglong(setup.elapsed()));
    if (!mock.commitMany(commits))
        std::printf("warning: not every commit succeeded: %s\n", qPrintable(mock.errorString()));
    std::printf("setup (topics, commits): %lld ms\n", qlonglong(setup.elapsed()));

    KafkaConfig settings;
    settings.timeoutMs = 30000;
    KafkaOffsetReader reader(cluster, settings);
    const qint64 evaluated = qint64(scenario.groups) * scenario.partitions;
    double warmMs = 0;
    int warmRequests = 0;
    for (const char *pass : {"cold", "warm", "warm"}) {
        QElapsedTimer clock;
        clock.start();
        const KafkaSample sample = reader.refresh();
        const qint64 ms = std::max<qint64>(1, clock.elapsed());
        qint64 partitions = 0;
        int errors = sample.error.isEmpty() ? 0 : 1;
        for (const KafkaGroupOffsets &group : sample.groups) {
            partitions += group.partitions.size();
            errors += group.error.isEmpty() ? 0 : 1;
            for (const KafkaPartitionOffsets &partition : group.partitions)
                errors += partition.error.isEmpty() && partition.logEnd >= 0 ? 0 : 1;
        }
        std::printf("opsdeck %s refresh: %6lld ms, %6d requests, %7lld offsets (%lld errors) "
                    "-> %9.0f offsets/s%s%s\n",
                    pass,
                    qlonglong(ms),
                    sample.requests,
                    qlonglong(partitions),
                    qlonglong(errors),
                    double(partitions) * 1000.0 / double(ms),
                    sample.error.isEmpty() ? "" : " cluster error: ",
                    qPrintable(sample.error));
        if (std::string_view(pass) == "warm") {
            warmMs = double(ms);
            warmRequests = sample.requests;
        }
    }

    const Naive naive = naiveRefresh(mock, scenario);
    if (naive.groups == 0) {
        std::printf("naive peer: no group read\n");
        return;
    }
    const double scale = double(scenario.groups) / double(naive.groups);
    const double naiveMs = double(naive.ms) * scale;
    std::printf(
        "naive peer (committed + watermarks per partition): %d groups in %lld ms "
        "(%d errors), extrapolated to %d groups: %.0f ms, %.0f requests -> %.0f offsets/s\n",
        naive.groups,
        qlonglong(naive.ms),
        naive.errors,
        scenario.groups,
        naiveMs,
        double(naive.requests) * scale,
        double(evaluated) * 1000.0 / std::max(1.0, naiveMs));
    std::printf("ratio naive / opsdeck (warm): time %.1fx, requests %.1fx\n",
                naiveMs / std::max(1.0, warmMs),
                double(naive.requests) * scale / std::max(1, warmRequests));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // figures appear as they are measured
    std::printf("bench_kafkalag: librdkafka %s, mock cluster in process\n", rd_kafka_version_str());
    run(Scenario{"many partitions", 50, 200, 1, 2});
    run(Scenario{"many groups", 10000, 3, 100, 50});
    return 0;
}
