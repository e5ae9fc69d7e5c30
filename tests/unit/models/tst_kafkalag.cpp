// SPDX-License-Identifier: MIT
#include "models/kafkalag.h"
#include "tests/unit/models/kafkalagtestdata.h"

#include <QSignalSpy>
#include <QTest>

#include <limits>

using namespace Opsdeck::Models;
using Opsdeck::Models::Testing::configWith;
using Opsdeck::Models::Testing::ScriptedGroup;

class tst_KafkaLag : public QObject
{
    Q_OBJECT

private slots:
    void exactLagPerPartition();
    void ratesAndCatchUp();
    void firstCommitInsideTheWindowCountsAsConsumption();
    void timeLagInterpolated();
    void statuses_data();
    void statuses();
    void groupStatusIsTheWorstPartition();
    void thresholdHysteresis();
    void timeLagAndCatchUpThresholds();
    void statusAlertNeedsTwoSamples();
    void oneOddSampleRaisesNoStatusAlert();
    void clusterErrorAndRecovery();
    void groupNoLongerReported();
    void retentionBoundsHistory();
    void changesAreCoalesced();
    void formatting();

private:
    static const Alert *findAlert(const QList<Alert> &alerts, const QString &key)
    {
        for (const Alert &a : alerts) {
            if (a.key == key)
                return &a;
        }
        return nullptr;
    }
};

void tst_KafkaLag::exactLagPerPartition()
{
    // apis.md §6.4: p0 committed 4 of 10, p1 10 of 10, p2 nothing committed (10 retained).
    KafkaLagStore store(QStringLiteral("Production"), configWith());
    ScriptedGroup g;
    g.set(0, 4, 10);
    g.set(1, 10, 10);
    g.set(2, -1, 10);
    g.setLogStart(QStringLiteral("orders"), 2, 0);
    g.set(QStringLiteral("payments"), 0, 12, 10); // committed past the end: clamped to 0
    g.set(QStringLiteral("payments"), 1, -1, 40); // log start unknown: the whole log end
    g.set(QStringLiteral("refunds"), 0, -1, 50);
    g.setLogStart(QStringLiteral("refunds"), 0, 30); // retention moved the log start
    store.applySample(g.sample(1'000'000));

    const KafkaGroupState *s = store.group(g.key());
    QVERIFY(s);
    QCOMPARE(s->cluster, QStringLiteral("main"));
    QCOMPARE(s->group, QStringLiteral("billing"));
    QCOMPARE(s->partitions.size(), 6);
    const QList<qint64> lags = {6, 0, 10, 0, 40, 20};
    for (int i = 0; i < lags.size(); ++i)
        QCOMPARE(s->partitions.at(i).lag, lags.at(i));
    QCOMPARE(s->partitions.at(0).topic, QStringLiteral("orders"));
    QCOMPARE(s->partitions.at(4).topic, QStringLiteral("payments"));
    QVERIFY(s->partitions.at(0).hasCommit());
    QVERIFY(!s->partitions.at(2).hasCommit());
    QCOMPARE(s->partitions.at(2).status, LagStatus::Ok); // no commit is not STOP/STALL
    QCOMPARE(s->lag, 76);
    QCOMPARE(s->maxPartitionLag, 40);
    QCOMPARE(s->updatedMs, 1'000'000);
    QCOMPARE(store.groupKeys(), QStringList{QStringLiteral("main/billing")});
    QCOMPARE(store.clusterStatus(QStringLiteral("main")).state, SourceState::Connected);

    // A never-committed partition keeps counting its retained log and stays "no commit".
    g.set(2, -1, 25);
    store.applySample(g.sample(1'005'000));
    s = store.group(g.key());
    QCOMPARE(s->partitions.at(2).lag, 25);
    QCOMPARE(s->partitions.at(2).status, LagStatus::Ok);
    QCOMPARE(s->partitions.at(2).lastCommitChangeMs, 0);
    QCOMPARE(s->status, LagStatus::Ok);
}

void tst_KafkaLag::firstCommitInsideTheWindowCountsAsConsumption()
{
    // The group's first commit arrives with the second sample (as when the console starts
    // together with a consumer): consumption is measured from that commit on, not reported 0.
    KafkaLagStore store(QStringLiteral("Production"), configWith());
    ScriptedGroup g;
    g.set(0, -1, 100);
    store.applySample(g.sample(0));
    for (int t = 5; t <= 15; t += 5) {
        g.set(0, 100 + 20 * (t - 5), 100 + 20 * t);
        store.applySample(g.sample(t * 1000));
    }
    const KafkaGroupState *s = store.group(g.key());
    QCOMPARE(s->produceRate, 20.0);
    QCOMPARE(s->consumeRate, 20.0); // 100 → 300 between t = 5 s and t = 15 s
}

void tst_KafkaLag::ratesAndCatchUp()
{
    KafkaLagStore store(QStringLiteral("Production"), configWith());
    ScriptedGroup g;
    // p0: 100 msg/s produced, 150 msg/s consumed; p1 idle and caught up.
    for (int t = 0; t <= 10; t += 5) {
        g.set(0, 150 * t, 1000 + 100 * t);
        g.set(1, 500, 500);
        store.applySample(g.sample(t * 1000));
        // One sample has no rates: not known, rather than 0 and "never".
        QCOMPARE(store.group(g.key())->ratesKnown, t > 0);
    }
    const KafkaGroupState *s = store.group(g.key());
    QCOMPARE(s->lag, 500);
    QCOMPARE(s->produceRate, 100.0);
    QCOMPARE(s->consumeRate, 150.0);
    QCOMPARE(s->trend, -50.0); // 1000 → 500 in 10 s
    QVERIFY(s->catchUpS);
    QCOMPARE(*s->catchUpS, 10.0);                // 500 / (150 − 100)
    QCOMPARE(s->partitions.at(0).timeLagS, 5.0); // the log end was 1500 at t = 5 s
    QVERIFY(!s->partitions.at(0).timeLagIsLowerBound);

    const QList<KafkaLagPoint> history = store.history(g.key());
    QCOMPARE(history.size(), 3);
    QCOMPARE(history.first().timeMs, 0);
    QCOMPARE(history.first().lag, 1000);
    QCOMPARE(history.last().lag, 500);
    QCOMPARE(history.last().produceRate, 100.0);
    QCOMPARE(history.last().consumeRate, 150.0);
    QCOMPARE(store.partitionHistory(g.key(), QStringLiteral("orders"), 0).size(), 3);

    // Falling behind: the consumer slows to 50 msg/s, never catches up.
    for (int t = 15; t <= 20; t += 5) {
        g.set(0, 1500 + 10 * (t - 10), 1000 + 100 * t);
        store.applySample(g.sample(t * 1000));
    }
    s = store.group(g.key());
    QVERIFY(!s->catchUpS);
    QVERIFY(s->trend > 0);

    // Caught up: time to catch up is 0.
    g.set(0, 3100, 3100);
    store.applySample(g.sample(25'000));
    s = store.group(g.key());
    QCOMPARE(s->lag, 0);
    QVERIFY(s->catchUpS);
    QCOMPARE(*s->catchUpS, 0.0);
    QCOMPARE(s->timeLagS, 0.0);
}

void tst_KafkaLag::timeLagInterpolated()
{
    KafkaLagStore store(QStringLiteral("Production"), configWith());
    ScriptedGroup g;
    const QList<qint64> logEnds = {1000, 1500, 2000};
    for (int i = 0; i < 3; ++i) {
        g.set(0, 100, logEnds.at(i));
        g.set(1, 900, logEnds.at(i));
        g.set(2, 100, logEnds.at(i));
        if (i == 2) {
            g.set(0, 1250, 2000); // halfway between the log ends at 0 s and 5 s
            g.set(2, 2000, 2000); // caught up
        }
        store.applySample(g.sample(100'000 + i * 5000));
    }
    const KafkaGroupState *s = store.group(g.key());
    QCOMPARE(s->partitions.at(0).timeLagS, 7.5); // reached 1250 at 2.5 s, now 10 s
    QVERIFY(!s->partitions.at(0).timeLagIsLowerBound);
    // 900 was passed before the oldest point: at least the whole history (10 s).
    QCOMPARE(s->partitions.at(1).timeLagS, 10.0);
    QVERIFY(s->partitions.at(1).timeLagIsLowerBound);
    QCOMPARE(s->partitions.at(2).timeLagS, 0.0);
    QCOMPARE(s->timeLagS, 10.0);
    QVERIFY(s->timeLagIsLowerBound);
}

void tst_KafkaLag::statuses_data()
{
    QTest::addColumn<QList<qint64>>("committed");
    QTest::addColumn<QList<qint64>>("logEnd");
    QTest::addColumn<QStringList>("expected"); // status after each sample (window of 4)

    const auto list = [](const char *text) {
        return QString::fromLatin1(text).split(QLatin1Char(' '));
    };
    QTest::newRow("steady lag is OK")
        << QList<qint64>{90, 190, 290, 390, 490, 590} << QList<qint64>{100, 200, 300, 400, 500, 600}
        << list("OK OK OK OK OK OK");
    QTest::newRow("lag rising at every commit: WARN once the window is full")
        << QList<qint64>{90, 180, 270, 360, 450} << QList<qint64>{100, 200, 300, 400, 500}
        << list("OK OK OK WARN WARN");
    QTest::newRow("committed not moving while the log grows: STALL, then OK on commit")
        << QList<qint64>{50, 50, 50, 115} << QList<qint64>{100, 110, 120, 130}
        << list("OK STALL STALL OK");
    QTest::newRow("no commit for longer than the window spans: STOP")
        << QList<qint64>{10, 20, 30, 40, 40, 40, 40, 40}
        << QList<qint64>{100, 110, 120, 130, 130, 130, 130, 130}
        << list("OK OK OK OK OK OK OK STOP");
    QTest::newRow("committed offset went backwards: REWIND")
        << QList<qint64>{50, 60, 40} << QList<qint64>{100, 100, 100} << list("OK OK REWIND");
    QTest::newRow("idle topic never alarms")
        << QList<qint64>{100, 100, 100, 100, 100, 100}
        << QList<qint64>{100, 100, 100, 100, 100, 100} << list("OK OK OK OK OK OK");
    QTest::newRow("idle, then a burst not yet consumed: lag touched zero in the window")
        << QList<qint64>{100, 100, 100, 100, 100} << QList<qint64>{100, 100, 100, 150, 160}
        << list("OK OK OK OK OK");
    // A consumer committing every third refresh: between commits the lag grows, at commits it
    // is the same. Before its cadence is known (one commit point) it looks stalled.
    QTest::newRow("lag frozen between commits is not growth")
        << QList<qint64>{0, 0, 0, 300, 300, 300, 600, 600, 600, 900, 900, 900}
        << QList<qint64>{100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200}
        << list("OK STALL STALL OK OK OK OK OK OK OK OK OK");
    QTest::newRow("never committed")
        << QList<qint64>{-1, -1, -1} << QList<qint64>{100, 200, 300} << list("OK OK OK");
}

void tst_KafkaLag::statuses()
{
    QFETCH(QList<qint64>, committed);
    QFETCH(QList<qint64>, logEnd);
    QFETCH(QStringList, expected);
    QCOMPARE(committed.size(), expected.size());
    KafkaLagStore store(QStringLiteral("Production"), configWith({}, 4));
    ScriptedGroup g;
    QStringList seen;
    for (int i = 0; i < committed.size(); ++i) {
        g.set(0, committed.at(i), logEnd.at(i));
        store.applySample(g.sample(i * 5000));
        seen << nameOf(store.group(g.key())->status);
    }
    QCOMPARE(seen, expected);
    QCOMPARE(store.group(g.key())->partitions.at(0).status,
             store.group(g.key())->status); // one partition: the group is that partition
}

void tst_KafkaLag::groupStatusIsTheWorstPartition()
{
    KafkaLagStore store(QStringLiteral("Production"), configWith({}, 4));
    ScriptedGroup g;
    // p0 keeps up, p1 stalls, p2 rewinds.
    const QList<qint64> p2 = {50, 60, 40};
    for (int i = 0; i < 3; ++i) {
        g.set(0, 100 * i + 95, 100 * i + 100);
        g.set(1, 10, 100 + 10 * i);
        g.set(2, p2.at(i), 100);
        store.applySample(g.sample(1'000'000 + i * 5000));
    }
    const KafkaGroupState *s = store.group(g.key());
    QCOMPARE(s->partitions.at(0).status, LagStatus::Ok);
    QCOMPARE(s->partitions.at(1).status, LagStatus::Stall);
    QCOMPARE(s->partitions.at(2).status, LagStatus::Rewind);
    QCOMPARE(s->status, LagStatus::Rewind);
    QCOMPARE(s->windowFill, 1); // p1 has one commit point (the first sample)
    QCOMPARE(s->partitions.at(1).lastCommitChangeMs, 1'000'000);
    QCOMPARE(s->partitions.at(0).lastCommitChangeMs, 1'010'000);
}

void tst_KafkaLag::thresholdHysteresis()
{
    KafkaThresholds th;
    th.lag.warning = 100;
    th.lag.critical = 200;
    th.hysteresis = 0.1;
    KafkaLagStore store(QStringLiteral("Production"), configWith(th));
    QCOMPARE(store.thresholds(QStringLiteral("main/billing")), th);
    QVERIFY(!store.thresholds(QStringLiteral("main/other")).lag.isSet());
    ScriptedGroup g;
    // The lag hovers at the lines: raised on reaching a level, cleared only below 90 / 180.
    const QList<qint64> lags = {50, 100, 99, 100, 95, 91, 89, 200, 185, 199, 179, 150, 50};
    const QStringList levels = {QStringLiteral("none"),
                                QStringLiteral("warning"),
                                QStringLiteral("warning"),
                                QStringLiteral("warning"),
                                QStringLiteral("warning"),
                                QStringLiteral("warning"),
                                QStringLiteral("none"),
                                QStringLiteral("critical"),
                                QStringLiteral("critical"),
                                QStringLiteral("critical"),
                                QStringLiteral("warning"),
                                QStringLiteral("warning"),
                                QStringLiteral("none")};
    const QString key = QStringLiteral("kafka/main/billing/threshold");
    QStringList seen;
    QList<QDateTime> since;
    for (int i = 0; i < lags.size(); ++i) {
        g.set(0, 1000 * i, 1000 * i + lags.at(i));
        store.applySample(g.sample(1'000'000 + i * 5000));
        seen << nameOf(store.group(g.key())->level);
        const Alert *a = findAlert(store.alerts(), key);
        QCOMPARE(a != nullptr, store.group(g.key())->level != ThresholdLevel::None);
        if (a)
            since << a->since;
        if (i == 1)
            QCOMPARE(store.group(g.key())->levelReason, QStringLiteral("lag 100 ≥ warning 100"));
        if (i == 2)
            QCOMPARE(store.group(g.key())->levelReason,
                     QStringLiteral("lag 99 (warning 100 until below 90)"));
        if (i == 7) {
            QCOMPARE(a->severity, Alert::Severity::Critical);
            QCOMPARE(a->message,
                     QStringLiteral("Consumer group billing on main: lag 200 ≥ critical 200"));
            QCOMPARE(a->environment, QStringLiteral("Production"));
            QCOMPARE(a->source, QStringLiteral("kafka"));
            QCOMPARE(a->subject, QStringLiteral("main/billing"));
        }
    }
    QCOMPARE(seen, levels);
    // One alert from 100 to 91, one from 200 to 150; each kept its start while it lasted.
    QCOMPARE(since.size(), 10);
    QCOMPARE(since.at(0), QDateTime::fromMSecsSinceEpoch(1'005'000, Qt::UTC));
    QCOMPARE(since.at(4), since.at(0));
    QCOMPARE(since.at(5), QDateTime::fromMSecsSinceEpoch(1'035'000, Qt::UTC));
    QCOMPARE(since.at(9), since.at(5));
}

void tst_KafkaLag::timeLagAndCatchUpThresholds()
{
    KafkaThresholds th;
    th.timeLagS.warning = 8;
    th.catchUpS.critical = 600;
    KafkaLagStore store(QStringLiteral("Production"), configWith(th));
    ScriptedGroup g;
    // Produced 100/s, consumed 50/s: never catches up; time lag grows.
    for (int t = 0; t <= 10; t += 5) {
        g.set(0, 50 * t, 500 + 100 * t);
        store.applySample(g.sample(t * 1000));
        if (t == 0) // no rates yet: the catch-up level waits for a second sample
            QCOMPARE(store.group(g.key())->level, ThresholdLevel::None);
    }
    const KafkaGroupState *s = store.group(g.key());
    QVERIFY(!s->catchUpS);
    QCOMPARE(s->level, ThresholdLevel::Critical);
    QCOMPARE(s->levelReason, QStringLiteral("catch-up never ≥ critical 10m"));
    QVERIFY(s->timeLagS >= 8);
    const Alert *a = findAlert(store.alerts(), QStringLiteral("kafka/main/billing/threshold"));
    QVERIFY(a);
    QCOMPARE(a->severity, Alert::Severity::Critical);
}

void tst_KafkaLag::statusAlertNeedsTwoSamples()
{
    KafkaLagStore store(QStringLiteral("Production"), configWith({}, 4));
    ScriptedGroup g;
    const QString key = QStringLiteral("kafka/main/billing/status");
    const QList<qint64> committed = {50, 50, 50, 115, 130, 140};
    const QList<qint64> logEnd = {100, 110, 120, 130, 140, 150};
    QList<bool> raised;
    for (int i = 0; i < committed.size(); ++i) {
        g.set(0, committed.at(i), logEnd.at(i));
        store.applySample(g.sample(1'000'000 + i * 5000));
        const Alert *a = findAlert(store.alerts(), key);
        raised << (a != nullptr);
        if (i == 2) {
            QCOMPARE(a->severity, Alert::Severity::Critical);
            QCOMPARE(a->since, QDateTime::fromMSecsSinceEpoch(1'005'000, Qt::UTC));
            QCOMPARE(a->message,
                     QStringLiteral("Consumer group billing on main is STALL: orders/0 at lag 70"));
        }
    }
    // STALL at samples 2 and 3 starts it; OK at 4 and 5 ends it (not at 4 alone).
    QCOMPARE(raised, (QList<bool>{false, false, true, true, false, false}));
}

void tst_KafkaLag::oneOddSampleRaisesNoStatusAlert()
{
    KafkaLagStore store(QStringLiteral("Production"), configWith({}, 4));
    ScriptedGroup g;
    // Commits every other refresh, keeping up at commits: one STALL before the cadence is
    // known, never two in a row.
    const QList<qint64> committed = {50, 50, 70, 70, 90, 90, 110, 110, 130};
    int nonOk = 0;
    for (int i = 0; i < committed.size(); ++i) {
        g.set(0, committed.at(i), 100 + 10 * i);
        store.applySample(g.sample(i * 5000));
        nonOk += store.group(g.key())->status != LagStatus::Ok;
        QVERIFY(!findAlert(store.alerts(), QStringLiteral("kafka/main/billing/status")));
    }
    QCOMPARE(nonOk, 1);
}

void tst_KafkaLag::clusterErrorAndRecovery()
{
    qint64 now = 1'000'000;
    KafkaLagStore store(QStringLiteral("Production"), configWith());
    store.setClock([&now] { return now; });
    QCOMPARE(store.clusters(), QStringList{QStringLiteral("main")});
    QCOMPARE(store.clusterStatus(QStringLiteral("main")).state, SourceState::Connecting);
    QSignalSpy statusSpy(&store, &KafkaLagStore::clusterStatusChanged);
    QSignalSpy alertSpy(&store, &KafkaLagStore::alertsChanged);
    ScriptedGroup g;
    g.set(0, 5, 10);
    store.applySample(g.sample(now));
    store.flush();
    QCOMPARE(statusSpy.count(), 1);
    QCOMPARE(store.clusterStatus(QStringLiteral("main")).state, SourceState::Connected);
    QVERIFY(store.alerts().isEmpty());

    now += 5000;
    KafkaSample down;
    down.cluster = QStringLiteral("main");
    down.timeMs = now;
    down.error = QStringLiteral("Local: Broker transport failure");
    store.applySample(down);
    store.flush();
    const HostStatus status = store.clusterStatus(QStringLiteral("main"));
    QCOMPARE(status.state, SourceState::Unreachable);
    QCOMPARE(status.error, QStringLiteral("Local: Broker transport failure"));
    QCOMPARE(status.since, QDateTime::fromMSecsSinceEpoch(now, Qt::UTC));
    QCOMPARE(statusSpy.count(), 2);
    QCOMPARE(alertSpy.count(), 1);
    const Alert *a = findAlert(store.alerts(), QStringLiteral("kafka/main"));
    QVERIFY(a);
    QCOMPARE(a->severity, Alert::Severity::Critical);
    QCOMPARE(a->message,
             QStringLiteral("Kafka cluster main unreachable: Local: Broker transport failure"));
    // The groups keep their last state; no history point while down.
    QCOMPARE(store.group(g.key())->lag, 5);
    QCOMPARE(store.history(g.key()).size(), 1);

    // Still down: no new signal.
    now += 5000;
    down.timeMs = now;
    store.applySample(down);
    store.flush();
    QCOMPARE(statusSpy.count(), 2);
    QCOMPARE(alertSpy.count(), 1);

    now += 5000;
    g.set(0, 10, 12);
    store.applySample(g.sample(now));
    store.flush();
    QCOMPARE(store.clusterStatus(QStringLiteral("main")).state, SourceState::Connected);
    QVERIFY(store.clusterStatus(QStringLiteral("main")).error.isEmpty());
    QCOMPARE(statusSpy.count(), 3);
    QCOMPARE(alertSpy.count(), 2);
    QVERIFY(store.alerts().isEmpty());
    QCOMPARE(store.group(g.key())->lag, 2);
    QCOMPARE(store.history(g.key()).size(), 2);
}

void tst_KafkaLag::groupNoLongerReported()
{
    qint64 now = 1'000'000;
    KafkaConfig config = configWith({}, 10, 5000, 60'000);
    KafkaLagStore store(QStringLiteral("Production"), config);
    store.setClock([&now] { return now; });
    QSignalSpy spy(&store, &KafkaLagStore::groupsChanged);
    ScriptedGroup billing;
    ScriptedGroup audit(QStringLiteral("main"), QStringLiteral("audit"));
    billing.set(0, 5, 10);
    audit.set(0, 1, 10);
    KafkaSample both = billing.sample(now);
    both.groups << audit.offsets();
    store.applySample(both);
    store.flush();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.takeFirst().at(0).toStringList(),
             (QStringList{QStringLiteral("main/audit"), QStringLiteral("main/billing")}));

    now += 5000;
    store.applySample(billing.sample(now));
    store.flush();
    const KafkaGroupState *gone = store.group(audit.key());
    QVERIFY(gone);
    QCOMPARE(gone->error, QStringLiteral("no longer reported"));
    QCOMPARE(store.history(audit.key()).size(), 1);
    QVERIFY(spy.takeFirst().at(0).toStringList().contains(audit.key()));

    // Kept until the retention (60 s) has passed since it was last reported.
    now += 55'000;
    store.applySample(billing.sample(now));
    QVERIFY(store.group(audit.key()));
    now += 10'000;
    store.applySample(billing.sample(now));
    QVERIFY(!store.group(audit.key()));
    QCOMPARE(store.groupKeys(), QStringList{billing.key()});
    store.flush();
    QVERIFY(spy.last().at(0).toStringList().contains(audit.key()));
}

void tst_KafkaLag::retentionBoundsHistory()
{
    KafkaLagStore store(QStringLiteral("Production"), configWith({}, 10, 1000, 10'000));
    QCOMPARE(store.historyCapacity(), 11);
    ScriptedGroup g;
    for (int i = 0; i < 500; ++i) {
        g.set(0, i * 10, i * 10 + 5);
        g.set(1, i * 10, i * 12);
        store.applySample(g.sample(i * 1000));
    }
    const QList<KafkaLagPoint> history = store.history(g.key());
    QCOMPARE(history.size(), 11);
    QCOMPARE(history.first().timeMs, 489'000);
    QCOMPARE(history.last().timeMs, 499'000);
    const QList<KafkaPartitionPoint> p1 =
        store.partitionHistory(g.key(), QStringLiteral("orders"), 1);
    QCOMPARE(p1.size(), 11);
    QCOMPARE(p1.last(), (KafkaPartitionPoint{499'000, 4990, 5988}));
    // The time lag of p1 is older than the history: a lower bound of 10 s.
    QCOMPARE(store.group(g.key())->partitions.at(1).timeLagS, 10.0);
    QVERIFY(store.group(g.key())->partitions.at(1).timeLagIsLowerBound);
    // A sample that is not newer adds nothing.
    store.applySample(g.sample(499'000));
    QCOMPARE(store.history(g.key()).size(), 11);
}

void tst_KafkaLag::changesAreCoalesced()
{
    KafkaLagStore store(QStringLiteral("Production"), configWith());
    QSignalSpy spy(&store, &KafkaLagStore::groupsChanged);
    ScriptedGroup g;
    for (int i = 0; i < 3; ++i) {
        g.set(0, i, 10);
        store.applySample(g.sample(1000 + i * 5000));
    }
    QCOMPARE(spy.count(), 0);
    QVERIFY(spy.wait(1000));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toStringList(), QStringList{g.key()});
    QTest::qWait(20);
    QCOMPARE(spy.count(), 1);
}

void tst_KafkaLag::formatting()
{
    QCOMPARE(formatKafkaCount(0), QStringLiteral("0"));
    QCOMPARE(formatKafkaCount(999), QStringLiteral("999"));
    QCOMPARE(formatKafkaCount(12345), QStringLiteral("12,345"));
    QCOMPARE(formatKafkaCount(-1234567), QStringLiteral("-1,234,567"));
    QCOMPARE(formatKafkaDuration(0.5), QStringLiteral("0.5s"));
    QCOMPARE(formatKafkaDuration(42), QStringLiteral("42s"));
    QCOMPARE(formatKafkaDuration(90), QStringLiteral("1m 30s"));
    QCOMPARE(formatKafkaDuration(600), QStringLiteral("10m"));
    QCOMPARE(formatKafkaDuration(3720), QStringLiteral("1h 2m"));
    QCOMPARE(formatKafkaDuration(std::numeric_limits<double>::infinity()), QStringLiteral("never"));
    QCOMPARE(nameOf(LagStatus::Rewind), QStringLiteral("REWIND"));
    QCOMPARE(nameOf(ThresholdLevel::Critical), QStringLiteral("critical"));
}

QTEST_GUILESS_MAIN(tst_KafkaLag)
#include "tst_kafkalag.moc"
