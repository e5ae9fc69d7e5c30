// SPDX-License-Identifier: MIT
// The Kafka connector against librdkafka's in-process mock cluster (no external server):
// exact committed and log-end offsets per partition, errors in words, outage and recovery,
// and the GUI thread never waiting for librdkafka.
#include "connectors/kafka/kafkaconnector.h"
#include "tests/integration/kafka/mockkafka.h"

#include <librdkafka/rdkafka.h>

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace Opsdeck;
using namespace Opsdeck::Connectors;
using namespace Opsdeck::Models;
using Opsdeck::Tests::MockKafka;

Q_DECLARE_METATYPE(Opsdeck::Models::KafkaSample)
Q_DECLARE_METATYPE(Opsdeck::Models::HostStatus)

namespace {

KafkaGroupConfig group(const QString &name, const QStringList &topics = {})
{
    KafkaGroupConfig config;
    config.name = name;
    config.topics = topics;
    return config;
}

KafkaClusterConfig clusterFor(const MockKafka &mock, const QList<KafkaGroupConfig> &groups)
{
    KafkaClusterConfig cluster;
    cluster.name = QStringLiteral("mock");
    cluster.bootstrapServers = mock.bootstrapServers();
    cluster.groups = groups;
    return cluster;
}

KafkaConfig settings(qint64 refreshMs = 60000, qint64 timeoutMs = 3000)
{
    KafkaConfig config;
    config.refreshMs = refreshMs;
    config.timeoutMs = timeoutMs;
    return config;
}

KafkaPartitionOffsets offsets(const QString &topic,
                              int partition,
                              qint64 committed,
                              qint64 logEnd,
                              qint64 logStart = -1,
                              const QString &error = {})
{
    return KafkaPartitionOffsets{topic, partition, committed, logEnd, logStart, error};
}

const KafkaGroupOffsets *findGroup(const KafkaSample &sample, const QString &name)
{
    for (const KafkaGroupOffsets &group : sample.groups) {
        if (group.group == name)
            return &group;
    }
    return nullptr;
}

/// The next sample the connector delivers (the first one after start, or after refreshNow).
KafkaSample nextSample(KafkaConnector &connector, bool refresh, int timeoutMs = 20000)
{
    QSignalSpy spy(&connector, &KafkaConnector::sampleReady);
    if (refresh)
        connector.refreshNow();
    if (!spy.wait(timeoutMs))
        return KafkaSample{};
    return spy.takeFirst().at(0).value<KafkaSample>();
}

} // namespace

class tst_KafkaConnector : public QObject
{
    Q_OBJECT

private slots:

    void initTestCase()
    {
        qRegisterMetaType<KafkaSample>();
        qRegisterMetaType<HostStatus>();
    }

    void exactOffsetsPerPartition()
    {
        MockKafka mock(3);
        QVERIFY2(mock.isValid(), qPrintable(mock.errorString()));
        QVERIFY(mock.createTopic(QStringLiteral("orders"), 3));
        QVERIFY(mock.createTopic(QStringLiteral("payments"), 2));
        QVERIFY2(mock.produce(QStringLiteral("orders"), {7, 12, 5}),
                 qPrintable(mock.errorString()));
        QVERIFY(mock.produce(QStringLiteral("payments"), {3, 0}));
        // billing: p0 4 of 7, p1 all 12, p2 nothing committed (its lag is the retained log).
        QVERIFY2(
            mock.commit(QStringLiteral("billing"), QStringLiteral("orders"), {{0, 4}, {1, 12}}),
            qPrintable(mock.errorString()));
        QVERIFY(mock.commit(QStringLiteral("billing"), QStringLiteral("payments"), {{0, 1}}));

        KafkaConnector connector(
            QStringLiteral("Staging"),
            clusterFor(mock,
                       {group(QStringLiteral("billing"),
                              {QStringLiteral("orders"), QStringLiteral("payments")}),
                        group(QStringLiteral("audit"), {QStringLiteral("payments")})}),
            settings());
        QSignalSpy status(&connector, &KafkaConnector::statusChanged);
        connector.start();
        QCOMPARE(connector.status().state, SourceState::Connecting);
        const KafkaSample sample = nextSample(connector, false);
        QVERIFY2(sample.error.isEmpty(), qPrintable(sample.error));
        QCOMPARE(sample.cluster, QStringLiteral("mock"));
        QVERIFY(sample.timeMs > 0);
        QCOMPARE(connector.status().state, SourceState::Connected);
        QCOMPARE(status.last().at(0).value<HostStatus>().state, SourceState::Connected);

        QCOMPARE(sample.groups.size(), 2);
        const KafkaGroupOffsets *billing = findGroup(sample, QStringLiteral("billing"));
        QVERIFY(billing);
        QVERIFY2(billing->error.isEmpty(), qPrintable(billing->error));
        const QList<KafkaPartitionOffsets> expected{
            offsets(QStringLiteral("orders"), 0, 4, 7),
            offsets(QStringLiteral("orders"), 1, 12, 12),
            offsets(QStringLiteral("orders"), 2, -1, 5, 0),
            offsets(QStringLiteral("payments"), 0, 1, 3),
            offsets(QStringLiteral("payments"), 1, -1, 0, 0),
        };
        QCOMPARE(billing->partitions, expected);

        // A group that never committed: every partition without a commit, no error.
        const KafkaGroupOffsets *audit = findGroup(sample, QStringLiteral("audit"));
        QVERIFY(audit);
        QVERIFY2(audit->error.isEmpty(), qPrintable(audit->error));
        QCOMPARE(audit->partitions,
                 (QList<KafkaPartitionOffsets>{offsets(QStringLiteral("payments"), 0, -1, 3, 0),
                                               offsets(QStringLiteral("payments"), 1, -1, 0, 0)}));

        // Requests: 1 Metadata + 2 OffsetFetch + at most one ListOffsets per broker for the
        // log end and for the log start, + group listing (one per broker) the first time only.
        qInfo("first refresh: %d requests in %lld ms", sample.requests, sample.durationMs);
        QVERIFY(sample.requests >= 1 + 2 + 1 + 1);
        QVERIFY(sample.requests <= 1 + 2 + 3 + 3 + 3);

        // More messages and a new commit show up in the next refresh; the mock cannot list
        // groups, so the second refresh does not ask again.
        QVERIFY(mock.produce(QStringLiteral("orders"), {3, 0, 1}));
        QVERIFY(mock.commit(QStringLiteral("billing"), QStringLiteral("orders"), {{2, 2}}));
        const KafkaSample second = nextSample(connector, true);
        QVERIFY2(second.error.isEmpty(), qPrintable(second.error));
        billing = findGroup(second, QStringLiteral("billing"));
        QVERIFY(billing);
        QCOMPARE(billing->partitions.at(0), offsets(QStringLiteral("orders"), 0, 4, 10));
        QCOMPARE(billing->partitions.at(2), offsets(QStringLiteral("orders"), 2, 2, 6));
        QVERIFY(second.requests <= 1 + 2 + 3 + 3);
        QVERIFY(second.timeMs >= sample.timeMs);
    }

    void requestsGrowWithGroupsNotPartitions()
    {
        MockKafka mock(3);
        QVERIFY(mock.isValid());
        QVERIFY(mock.createTopic(QStringLiteral("narrow"), 3));
        QVERIFY(mock.createTopic(QStringLiteral("wide"), 90));
        QVERIFY(
            mock.commit(QStringLiteral("n"), QStringLiteral("narrow"), {{0, 0}, {1, 0}, {2, 0}}));
        QMap<int, qint64> all;
        for (int p = 0; p < 90; ++p)
            all.insert(p, 0);
        QVERIFY(mock.commit(QStringLiteral("w"), QStringLiteral("wide"), all));

        auto cluster = clusterFor(mock, {group(QStringLiteral("n"), {QStringLiteral("narrow")})});
        cluster.discoverGroups = false;
        KafkaConnector narrow(QStringLiteral("Staging"), cluster, settings());
        cluster.groups = {group(QStringLiteral("w"), {QStringLiteral("wide")})};
        KafkaConnector wide(QStringLiteral("Staging"), cluster, settings());
        QSignalSpy narrowSpy(&narrow, &KafkaConnector::sampleReady);
        QSignalSpy wideSpy(&wide, &KafkaConnector::sampleReady);
        narrow.start();
        wide.start();
        QTRY_VERIFY_WITH_TIMEOUT(narrowSpy.size() == 1 && wideSpy.size() == 1, 20000);
        const auto a = narrowSpy.at(0).at(0).value<KafkaSample>();
        const auto b = wideSpy.at(0).at(0).value<KafkaSample>();
        QVERIFY2(a.error.isEmpty() && b.error.isEmpty(), qPrintable(a.error + b.error));
        QCOMPARE(a.groups.at(0).partitions.size(), 3);
        QCOMPARE(b.groups.at(0).partitions.size(), 90);
        // Metadata + one OffsetFetch + one ListOffsets per leader broker (at most 3; the mock
        // may put two of the three narrow partitions on one broker), nothing per partition.
        QCOMPARE(b.requests, 1 + 1 + 3);
        QVERIFY(a.requests >= 1 + 1 + 1 && a.requests <= b.requests);
    }

    void unknownGroup()
    {
        MockKafka mock(1);
        QVERIFY(mock.isValid());
        QVERIFY(mock.createTopic(QStringLiteral("orders"), 1));
        KafkaConnector connector(QStringLiteral("Staging"),
                                 clusterFor(mock, {group(QStringLiteral("ghost"))}),
                                 settings());
        connector.start();
        const KafkaSample sample = nextSample(connector, false);
        QVERIFY2(sample.error.isEmpty(), qPrintable(sample.error));
        QCOMPARE(sample.groups.size(), 1);
        QCOMPARE(sample.groups.at(0).error,
                 QStringLiteral("group 'ghost' has no committed offsets on cluster 'mock'"));
        QVERIFY(sample.groups.at(0).partitions.isEmpty());
        QCOMPARE(connector.status().state,
                 SourceState::Connected); // a group error is not the cluster's
    }

    void unknownAndVanishedTopics()
    {
        MockKafka mock(2);
        QVERIFY(mock.isValid());
        QVERIFY(mock.createTopic(QStringLiteral("orders"), 2));
        QVERIFY(mock.createTopic(QStringLiteral("refunds"), 1));
        QVERIFY(mock.produce(QStringLiteral("orders"), {5, 5}));
        QVERIFY(mock.produce(QStringLiteral("refunds"), {2}));
        QVERIFY(mock.commit(QStringLiteral("billing"), QStringLiteral("orders"), {{0, 3}, {1, 5}}));
        QVERIFY(mock.commit(QStringLiteral("billing"), QStringLiteral("refunds"), {{0, 1}}));

        KafkaConnector connector(QStringLiteral("Staging"),
                                 clusterFor(mock,
                                            {group(QStringLiteral("billing"),
                                                   {QStringLiteral("orders"),
                                                    QStringLiteral("refunds"),
                                                    QStringLiteral("nosuch")})}),
                                 settings());
        connector.start();
        KafkaSample sample = nextSample(connector, false);
        QVERIFY2(sample.error.isEmpty(), qPrintable(sample.error));
        const KafkaGroupOffsets *billing = findGroup(sample, QStringLiteral("billing"));
        QVERIFY(billing);
        // A configured topic the cluster never had: named, and the rest still read.
        QCOMPARE(billing->error, QStringLiteral("topic 'nosuch' does not exist"));
        QCOMPARE(billing->partitions,
                 (QList<KafkaPartitionOffsets>{offsets(QStringLiteral("orders"), 0, 3, 5),
                                               offsets(QStringLiteral("orders"), 1, 5, 5),
                                               offsets(QStringLiteral("refunds"), 0, 1, 2)}));

        // "refunds" vanishes (the mock answers UNKNOWN_TOPIC_OR_PART for it): its partition
        // stays in the sample with the committed offset and the reason, not silently dropped.
        mock.setTopicError(QStringLiteral("refunds"), RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
        sample = nextSample(connector, true);
        QVERIFY2(sample.error.isEmpty(), qPrintable(sample.error));
        billing = findGroup(sample, QStringLiteral("billing"));
        QVERIFY(billing);
        QCOMPARE(billing->partitions.size(), 3);
        QCOMPARE(billing->partitions.at(0), offsets(QStringLiteral("orders"), 0, 3, 5));
        QCOMPARE(billing->partitions.at(2),
                 offsets(QStringLiteral("refunds"),
                         0,
                         1,
                         -1,
                         -1,
                         QStringLiteral("topic 'refunds' does not exist")));
    }

    void badConfiguration_data()
    {
        QTest::addColumn<QString>("property");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("secretVariable");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("neverShown");

        QTest::newRow("unknown property")
            << QStringLiteral("no.such.property") << QStringLiteral("1") << QString()
            << QStringLiteral("cluster 'mock': property 'no.such.property': No such configuration "
                              "property: \"no.such.property\"")
            << QString();
        QTest::newRow("invalid value")
            << QStringLiteral("security.protocol") << QStringLiteral("carrier-pigeon") << QString()
            << QStringLiteral("cluster 'mock': property 'security.protocol': Invalid value "
                              "\"carrier-pigeon\" for configuration property \"security.protocol\"")
            << QString();
        QTest::newRow("secret variable not set")
            << QStringLiteral("sasl.password") << QString()
            << QStringLiteral("OPSDECK_TEST_KAFKA_UNSET")
            << QStringLiteral("cluster 'mock': property 'sasl.password': the environment variable "
                              "'OPSDECK_TEST_KAFKA_UNSET' is not set")
            << QString();
        QTest::newRow("rejected secret is masked")
            << QStringLiteral("security.protocol") << QStringLiteral("hunter2-secret")
            << QStringLiteral("OPSDECK_TEST_KAFKA_SECRET")
            << QStringLiteral("cluster 'mock': property 'security.protocol': Invalid value \"***\" "
                              "for configuration property \"security.protocol\"")
            << QStringLiteral("hunter2");
    }

    void badConfiguration()
    {
        QFETCH(QString, property);
        QFETCH(QString, value);
        QFETCH(QString, secretVariable);
        QFETCH(QString, expected);
        QFETCH(QString, neverShown);

        MockKafka mock(1);
        QVERIFY(mock.isValid());
        KafkaClusterConfig cluster = clusterFor(mock, {group(QStringLiteral("billing"))});
        qunsetenv("OPSDECK_TEST_KAFKA_UNSET");
        if (secretVariable.isEmpty()) {
            cluster.properties.insert(property, value);
        } else {
            cluster.secretProperties.insert(property, secretVariable);
            if (!value.isEmpty())
                qputenv(secretVariable.toLocal8Bit().constData(), value.toUtf8());
        }
        KafkaConnector connector(QStringLiteral("Staging"), cluster, settings());
        QSignalSpy status(&connector, &KafkaConnector::statusChanged);
        connector.start();
        const KafkaSample sample = nextSample(connector, false);
        qunsetenv("OPSDECK_TEST_KAFKA_SECRET");
        qInfo("%s", qPrintable(sample.error));
        QVERIFY(sample.groups.isEmpty());
        QCOMPARE(connector.status().state, SourceState::Unreachable);
        QCOMPARE(connector.status().error, sample.error);
        QCOMPARE(sample.error, expected);
        QVERIFY(sample.error.contains(property));
        if (!neverShown.isEmpty())
            QVERIFY2(!sample.error.contains(neverShown), qPrintable(sample.error));
    }

    void wrongSecuritySettings()
    {
        MockKafka mock(1);
        QVERIFY(mock.isValid());
        KafkaClusterConfig cluster = clusterFor(mock, {group(QStringLiteral("billing"))});
        // The mock speaks plaintext; a client that insists on TLS + SASL cannot get through.
        cluster.properties.insert(QStringLiteral("security.protocol"), QStringLiteral("sasl_ssl"));
        cluster.properties.insert(QStringLiteral("sasl.mechanism"), QStringLiteral("PLAIN"));
        cluster.properties.insert(QStringLiteral("sasl.username"), QStringLiteral("opsdeck"));
        cluster.secretProperties.insert(QStringLiteral("sasl.password"),
                                        QStringLiteral("OPSDECK_TEST_KAFKA_PASSWORD"));
        qputenv("OPSDECK_TEST_KAFKA_PASSWORD", "s3cret-pass");
        KafkaConnector connector(QStringLiteral("Staging"), cluster, settings(60000, 2000));
        connector.start();
        const KafkaSample sample = nextSample(connector, false);
        qunsetenv("OPSDECK_TEST_KAFKA_PASSWORD");
        qInfo("%s", qPrintable(sample.error));
        QVERIFY(!sample.error.isEmpty());
        QVERIFY2(sample.error.startsWith(QStringLiteral("cannot reach cluster 'mock' (")),
                 qPrintable(sample.error));
        QVERIFY(!sample.error.contains(QLatin1String("s3cret-pass")));
        QCOMPARE(connector.status().state, SourceState::Unreachable);
    }

    void clusterDownAndRecovery()
    {
        MockKafka mock(3);
        QVERIFY(mock.isValid());
        QVERIFY(mock.createTopic(QStringLiteral("orders"), 3));
        QVERIFY(mock.produce(QStringLiteral("orders"), {4, 4, 4}));
        QVERIFY(mock.commit(
            QStringLiteral("billing"), QStringLiteral("orders"), {{0, 1}, {1, 2}, {2, 3}}));
        mock.dropCommitters();

        KafkaConnector connector(
            QStringLiteral("Staging"),
            clusterFor(mock, {group(QStringLiteral("billing"), {QStringLiteral("orders")})}),
            settings(500, 1500));
        QSignalSpy status(&connector, &KafkaConnector::statusChanged);
        connector.start();
        QTRY_COMPARE_WITH_TIMEOUT(connector.status().state, SourceState::Connected, 15000);

        mock.setAllBrokersDown(true);
        QTRY_COMPARE_WITH_TIMEOUT(connector.status().state, SourceState::Unreachable, 20000);
        const HostStatus down = connector.status();
        qInfo("down: %s", qPrintable(down.error));
        QVERIFY(down.error.startsWith(QStringLiteral("cannot reach cluster 'mock'")));
        QVERIFY(down.lastSeen.isValid());

        mock.setAllBrokersDown(false);
        QTRY_COMPARE_WITH_TIMEOUT(connector.status().state, SourceState::Connected, 30000);
        QVERIFY(connector.status().error.isEmpty());
        KafkaSample sample = nextSample(connector, true);
        QVERIFY2(sample.error.isEmpty(), qPrintable(sample.error));
        QCOMPARE(sample.groups.at(0).partitions,
                 (QList<KafkaPartitionOffsets>{offsets(QStringLiteral("orders"), 0, 1, 4),
                                               offsets(QStringLiteral("orders"), 1, 2, 4),
                                               offsets(QStringLiteral("orders"), 2, 3, 4)}));
        // (Connecting from the start) → Connected → Unreachable → Connected, each once.
        QList<SourceState> states;
        for (const QList<QVariant> &args : std::as_const(status))
            states << args.at(0).value<HostStatus>().state;
        QCOMPARE(states,
                 (QList<SourceState>{
                     SourceState::Connected, SourceState::Unreachable, SourceState::Connected}));
    }

    void callerThreadNeverBlocked()
    {
        MockKafka mock(3);
        QVERIFY(mock.isValid());
        QVERIFY(mock.createTopic(QStringLiteral("orders"), 6));
        QVERIFY(mock.commit(QStringLiteral("billing"), QStringLiteral("orders"), {{0, 0}}));
        mock.setRtt(250); // every request now takes a quarter of a second

        QList<KafkaGroupConfig> groups;
        for (int i = 0; i < 20; ++i)
            groups << group(QStringLiteral("g%1").arg(i), {QStringLiteral("orders")});
        auto connector = std::make_unique<KafkaConnector>(
            QStringLiteral("Staging"), clusterFor(mock, groups), settings(60000, 5000));

        QElapsedTimer clock;
        clock.start();
        qint64 lastTick = 0;
        qint64 longestGap = 0;
        int ticks = 0;
        QTimer timer;
        timer.setInterval(10);
        QObject::connect(&timer, &QTimer::timeout, &timer, [&] {
            const qint64 now = clock.elapsed();
            longestGap = std::max(longestGap, now - lastTick);
            lastTick = now;
            ++ticks;
        });
        timer.start();
        QElapsedTimer call;
        call.start();
        connector->start();
        QVERIFY(call.elapsed() < 100);
        const KafkaSample sample = nextSample(*connector, false);
        QVERIFY2(sample.error.isEmpty(), qPrintable(sample.error));
        QCOMPARE(sample.groups.size(), 20);
        qInfo("refresh took %lld ms; %d ticks, longest gap %lld ms",
              sample.durationMs,
              ticks,
              longestGap);
        QVERIFY(sample.durationMs >= 500);
        QVERIFY(ticks >= 20);
        QVERIFY2(longestGap < 300, qPrintable(QString::number(longestGap)));

        // stop() in the middle of a refresh returns at once; the worker finishes by itself.
        connector->refreshNow();
        QTest::qWait(100);
        call.restart();
        connector->stop();
        QVERIFY2(call.elapsed() < 50, qPrintable(QString::number(call.elapsed())));
        QSignalSpy late(connector.get(), &KafkaConnector::sampleReady);
        QTest::qWait(300);
        QCOMPARE(late.size(), 0); // nothing arrives after stop()
        call.restart();
        connector.reset(); // waits, bounded, for the handle to close on its thread
        QVERIFY(call.elapsed() < 4000);
    }
};

QTEST_GUILESS_MAIN(tst_KafkaConnector)
#include "tst_kafkaconnector.moc"
