// SPDX-License-Identifier: MIT
// The simulated Kafka cluster, checked with plain librdkafka as any lag tool would read it:
// committed offsets of each group and the partitions' watermarks, over the real protocol.
#include "app/sim/simkafka.h"

#include <librdkafka/rdkafka.h>

#include <QElapsedTimer>
#include <QTest>

#include <memory>

using Opsdeck::Sim::SimKafka;

namespace {

struct HandleDeleter
{
    void operator()(rd_kafka_t *h) const { rd_kafka_destroy(h); }
};

using Handle = std::unique_ptr<rd_kafka_t, HandleDeleter>;

/// A consumer handle for group @p group that never joins it: it only reads offsets.
Handle lagReader(const QString &bootstraps, const QString &group)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char error[512];
    rd_kafka_conf_set(conf, "bootstrap.servers", qPrintable(bootstraps), error, sizeof error);
    rd_kafka_conf_set(conf, "group.id", qPrintable(group), error, sizeof error);
    rd_kafka_conf_set(conf, "isolation.level", "read_uncommitted", error, sizeof error);
    rd_kafka_t *handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
    if (!handle)
        rd_kafka_conf_destroy(conf);
    return Handle(handle);
}

struct PartitionLag
{
    qint64 committed = -1;
    qint64 high = 0;
    qint64 lag = 0;
};

QList<PartitionLag> lagOf(rd_kafka_t *handle, const char *topic, int partitions)
{
    QList<PartitionLag> out;
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p)
        rd_kafka_topic_partition_list_add(parts, topic, p);
    if (rd_kafka_committed(handle, parts, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_topic_partition_list_destroy(parts);
        return out;
    }
    for (int i = 0; i < parts->cnt; ++i) {
        int64_t low = 0;
        int64_t high = 0;
        rd_kafka_query_watermark_offsets(
            handle, topic, parts->elems[i].partition, &low, &high, 5000);
        PartitionLag lag;
        lag.committed = parts->elems[i].offset;
        lag.high = high;
        lag.lag = std::max<qint64>(0, lag.committed >= 0 ? high - lag.committed : high - low);
        out << lag;
    }
    rd_kafka_topic_partition_list_destroy(parts);
    return out;
}

qint64 total(const QList<PartitionLag> &lags)
{
    qint64 sum = 0;
    for (const PartitionLag &l : lags)
        sum += l.lag;
    return sum;
}

} // namespace

class tst_SimKafka : public QObject
{
    Q_OBJECT

private slots:
    void lagMovesAsProducedAndCommitted();
    void startFailsCleanlyWithoutTopics();
};

void tst_SimKafka::lagMovesAsProducedAndCommitted()
{
    SimKafka kafka;
    kafka.setTimeScale(4.0);
    kafka.addTopic({QStringLiteral("orders"), 3, 60});
    kafka.addGroup({QStringLiteral("billing"), QStringLiteral("orders"), 1.5, 0.0, 120});
    kafka.addGroup({QStringLiteral("audit"), QStringLiteral("orders"), 0.25, 0.0, 120});
    QVERIFY2(kafka.start(3), qPrintable(kafka.errorString()));
    QVERIFY(kafka.bootstrapServers().startsWith(QLatin1String("127.0.0.1:")));
    QCOMPARE(kafka.bootstrapServers().count(QLatin1Char(',')), 2);

    Handle billing = lagReader(kafka.bootstrapServers(), QStringLiteral("billing"));
    Handle audit = lagReader(kafka.bootstrapServers(), QStringLiteral("audit"));
    QVERIFY(billing && audit);

    // Messages arrive on every partition and both groups commit.
    QTRY_VERIFY_WITH_TIMEOUT(kafka.delivered(QStringLiteral("orders"), 2) > 20, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(
        kafka.committed(QStringLiteral("audit"), QStringLiteral("orders"), 2) > 0, 10000);
    QTest::qWait(1500); // let the async commits land on the mock
    const QList<PartitionLag> first = lagOf(audit.get(), "orders", 3);
    QCOMPARE(first.size(), 3);
    for (int p = 0; p < 3; ++p) {
        // What the broker holds is what the simulation delivered (the producer may be a
        // linger ahead of the count).
        QVERIFY(first[p].high >= kafka.delivered(QStringLiteral("orders"), p) - 5);
        QVERIFY(first[p].committed >= 0);
        QVERIFY(first[p].committed <= first[p].high);
    }

    // The slow group falls behind and keeps falling; the fast one stays close.
    QTest::qWait(2500);
    const QList<PartitionLag> later = lagOf(audit.get(), "orders", 3);
    const QList<PartitionLag> billingLag = lagOf(billing.get(), "orders", 3);
    QCOMPARE(later.size(), 3);
    QCOMPARE(billingLag.size(), 3);
    QVERIFY2(
        total(later) > total(first),
        qPrintable(QStringLiteral("audit lag %1 then %2").arg(total(first)).arg(total(later))));
    QVERIFY2(
        total(later) > 3 * total(billingLag) + 10,
        qPrintable(QStringLiteral("audit %1 billing %2").arg(total(later)).arg(total(billingLag))));

    // A group that speeds up catches up: lag falls.
    kafka.setConsumeFactor(QStringLiteral("audit"), 3.0);
    // Latched: QTRY evaluates its condition again after the loop, and lag that fell may have
    // risen by a fresh batch in between (it failed that way once, "30500 ms would have been
    // sufficient" in a 9 s run). A bound, not a speed: under load catching up takes longer.
    bool fell = false;
    QTRY_VERIFY_WITH_TIMEOUT(
        fell || (fell = total(lagOf(audit.get(), "orders", 3)) < total(later) / 2), 30000);

    billing.reset();
    audit.reset();
    QElapsedTimer stopping;
    stopping.start();
    kafka.stop();
    QVERIFY(stopping.elapsed() < 5000);
}

void tst_SimKafka::startFailsCleanlyWithoutTopics()
{
    SimKafka kafka;
    QVERIFY(kafka.start(1)); // a cluster without topics is fine
    QVERIFY(!kafka.bootstrapServers().isEmpty());
    kafka.stop();
    kafka.stop(); // idempotent
}

QTEST_GUILESS_MAIN(tst_SimKafka)
#include "tst_simkafka.moc"
