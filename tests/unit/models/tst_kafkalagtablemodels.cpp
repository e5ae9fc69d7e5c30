// SPDX-License-Identifier: MIT
#include "models/kafkatablemodels.h"
#include "tests/unit/models/kafkalagtestdata.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <limits>

using namespace Opsdeck::Models;
using Opsdeck::Models::Testing::configWith;
using Opsdeck::Models::Testing::ScriptedGroup;

class tst_KafkaLagTableModels : public QObject
{
    Q_OBJECT

private slots:
    void groupRowsFollowTheStoreWithoutResets();
    void groupSortRolesAreNumeric();
    void partitionRowsOfOneGroup();
};

void tst_KafkaLagTableModels::groupRowsFollowTheStoreWithoutResets()
{
    qint64 now = 1'000'000;
    KafkaLagStore store(QStringLiteral("Production"), configWith({}, 10, 5000, 60'000));
    store.setClock([&now] { return now; });
    KafkaGroupTableModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), int(KafkaGroupTableModel::ColumnCount));
    QCOMPARE(model.headerData(KafkaGroupTableModel::CatchUpColumn, Qt::Horizontal).toString(),
             QStringLiteral("Catch-up"));

    ScriptedGroup billing;
    ScriptedGroup audit(QStringLiteral("main"), QStringLiteral("audit"));
    billing.set(0, 0, 12345);
    audit.set(0, 10, 10);
    KafkaSample both = billing.sample(now);
    both.groups << audit.offsets();
    store.applySample(both);
    store.flush();
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 2);
    const int row = model.rowOf(billing.key());
    QVERIFY(row >= 0);
    QCOMPARE(model.index(row, KafkaGroupTableModel::ClusterColumn).data().toString(),
             QStringLiteral("main"));
    QCOMPARE(model.index(row, KafkaGroupTableModel::GroupColumn).data().toString(),
             QStringLiteral("billing"));
    QCOMPARE(model.index(row, KafkaGroupTableModel::LagColumn).data().toString(),
             QStringLiteral("12,345"));
    QCOMPARE(model.index(row, KafkaGroupTableModel::StatusColumn).data().toString(),
             QStringLiteral("OK"));
    // The first sample has no rates: unknown, not 0/s and "never".
    QCOMPARE(model.index(row, KafkaGroupTableModel::CatchUpColumn).data().toString(),
             QStringLiteral("—"));
    QCOMPARE(model.index(row, KafkaGroupTableModel::ConsumeRateColumn).data().toString(),
             QStringLiteral("—"));
    QCOMPARE(model.index(row, 0).data(KafkaGroupTableModel::GroupKeyRole).toString(),
             billing.key());
    QVERIFY(model.index(row, 0).data(KafkaGroupTableModel::ReachableRole).toBool());

    // Refresh: the rows change in place.
    now += 5000;
    billing.set(0, 10000, 22345);
    audit.set(0, 20, 20);
    both = billing.sample(now);
    both.groups << audit.offsets();
    store.applySample(both);
    store.flush();
    QVERIFY(changed.count() >= 1);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.index(row, KafkaGroupTableModel::ProduceRateColumn).data().toString(),
             QStringLiteral("2000/s"));
    QCOMPARE(model.index(row, KafkaGroupTableModel::TrendColumn).data().toString(),
             QStringLiteral("0/s"));
    QCOMPARE(model.index(row, KafkaGroupTableModel::CatchUpColumn).data().toString(),
             QStringLiteral("never"));

    // The cluster goes down: its rows are marked stale, not removed.
    const int changesBefore = int(changed.count());
    now += 5000;
    KafkaSample down;
    down.cluster = QStringLiteral("main");
    down.timeMs = now;
    down.error = QStringLiteral("Local: All broker connections are down");
    store.applySample(down);
    store.flush();
    QVERIFY(changed.count() > changesBefore);
    QVERIFY(!model.index(row, 0).data(KafkaGroupTableModel::ReachableRole).toBool());
    QVERIFY(model.index(row, 0)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("unreachable")));

    // audit is no longer reported, then expires: one row removed.
    now += 5000;
    store.applySample(billing.sample(now));
    store.flush();
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(model.rowOf(audit.key()), 0).data(KafkaGroupTableModel::ErrorRole),
             QVariant(QStringLiteral("no longer reported")));
    now += 70'000;
    store.applySample(billing.sample(now));
    store.flush();
    QCOMPARE(removed.count(), 1);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.keyAt(0), billing.key());
    QCOMPARE(resets.count(), 0);

    // Another environment's store: one reset.
    KafkaLagStore other(QStringLiteral("Staging"), configWith());
    model.setStore(&other);
    QCOMPARE(resets.count(), 1);
    QCOMPARE(model.rowCount(), 0);
}

void tst_KafkaLagTableModels::groupSortRolesAreNumeric()
{
    KafkaThresholds th;
    th.lag.warning = 100;
    KafkaLagStore store(QStringLiteral("Production"), configWith(th));
    KafkaGroupTableModel model(&store);
    ScriptedGroup billing;
    ScriptedGroup audit(QStringLiteral("main"), QStringLiteral("audit"));
    for (int i = 0; i < 2; ++i) {
        billing.set(0, 100 * i, 1000 + 200 * i); // falling behind
        audit.set(0, 100 * i + 5, 100 * i + 10); // keeping up
        KafkaSample s = billing.sample(5000 * i);
        s.groups << audit.offsets();
        store.applySample(s);
    }
    store.flush();
    const int b = model.rowOf(billing.key());
    const int a = model.rowOf(audit.key());
    const auto sortValue = [&](int row, int column) {
        return model.index(row, column).data(KafkaGroupTableModel::SortRole);
    };
    QCOMPARE(sortValue(b, KafkaGroupTableModel::LagColumn).typeId(), QMetaType::LongLong);
    QCOMPARE(sortValue(b, KafkaGroupTableModel::LagColumn).toLongLong(), 1100);
    QCOMPARE(sortValue(a, KafkaGroupTableModel::LagColumn).toLongLong(), 5);
    QCOMPARE(sortValue(b, KafkaGroupTableModel::TrendColumn).toDouble(), 20.0);
    QCOMPARE(sortValue(a, KafkaGroupTableModel::TrendColumn).toDouble(), 0.0);
    // "never" sorts after every finite time.
    QCOMPARE(sortValue(b, KafkaGroupTableModel::CatchUpColumn).toDouble(),
             std::numeric_limits<double>::max());
    QCOMPARE(sortValue(b, KafkaGroupTableModel::LevelColumn).toInt(), int(ThresholdLevel::Warning));
    QCOMPARE(model.index(b, KafkaGroupTableModel::LevelColumn).data().toString(),
             QStringLiteral("warning"));
    QCOMPARE(model.index(b, 0).data(KafkaGroupTableModel::ReasonRole).toString(),
             QStringLiteral("lag 1,100 ≥ warning 100"));
    QCOMPARE(model.index(a, KafkaGroupTableModel::LevelColumn).data().toString(), QString());
    QCOMPARE(model.index(b, KafkaGroupTableModel::TrendColumn).data().toString(),
             QStringLiteral("+20/s"));
}

void tst_KafkaLagTableModels::partitionRowsOfOneGroup()
{
    qint64 now = 1'000'000;
    KafkaLagStore store(QStringLiteral("Production"), configWith({}, 4));
    store.setClock([&now] { return now; });
    KafkaPartitionTableModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ScriptedGroup g;
    g.set(0, 90, 100);
    g.set(1, 50, 100);
    g.set(2, -1, 30);
    store.applySample(g.sample(now));
    store.flush();
    QCOMPARE(model.rowCount(), 0); // no group chosen yet

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.setGroup(g.key());
    QCOMPARE(resets.count(), 1);
    QCOMPARE(model.rowCount(), 3);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    const auto text = [&](const QString &key, int column) {
        return model.index(model.rowOf(key), column).data().toString();
    };
    const QString p1 = QStringLiteral("orders/1");
    const QString p2 = QStringLiteral("orders/2");
    QCOMPARE(text(p2, KafkaPartitionTableModel::CommittedColumn), QStringLiteral("no commit"));
    QCOMPARE(text(p2, KafkaPartitionTableModel::StatusColumn), QStringLiteral("no commit"));
    QCOMPARE(text(p2, KafkaPartitionTableModel::LagColumn), QStringLiteral("30"));
    QVERIFY(
        !model.index(model.rowOf(p2), 0).data(KafkaPartitionTableModel::HasCommitRole).toBool());

    // p1 stalls, p0 moves on, a partition appears, orders/2 vanishes.
    now += 5000;
    g.set(0, 195, 200);
    g.set(1, 50, 110);
    g.remove(QStringLiteral("orders"), 2);
    g.set(QStringLiteral("payments"), 0, 7, 9);
    store.applySample(g.sample(now));
    store.flush();
    QCOMPARE(removed.count(), 1);
    QCOMPARE(inserted.count(), 1);
    QVERIFY(changed.count() >= 1);
    QCOMPARE(resets.count(), 1);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.rowOf(p2), -1);
    QCOMPARE(text(p1, KafkaPartitionTableModel::StatusColumn), QStringLiteral("STALL"));
    QCOMPARE(model.index(model.rowOf(p1), KafkaPartitionTableModel::StatusColumn)
                 .data(KafkaPartitionTableModel::StatusRole)
                 .toInt(),
             int(LagStatus::Stall));
    QCOMPARE(text(p1, KafkaPartitionTableModel::LagColumn), QStringLiteral("60"));
    QCOMPARE(text(p1, KafkaPartitionTableModel::LastCommitColumn), QStringLiteral("5s ago"));
    QCOMPARE(text(QStringLiteral("payments/0"), KafkaPartitionTableModel::LagColumn),
             QStringLiteral("2"));
    QCOMPARE(model.index(model.rowOf(p1), KafkaPartitionTableModel::LagColumn)
                 .data(KafkaPartitionTableModel::SortRole)
                 .toLongLong(),
             60);

    // Another group's sample does not touch these rows.
    const int changes = int(changed.count());
    ScriptedGroup other(QStringLiteral("main"), QStringLiteral("audit"));
    other.set(0, 1, 2);
    KafkaSample s = g.sample(now + 5000);
    s.groups << other.offsets();
    store.applySample(s);
    store.flush();
    QCOMPARE(resets.count(), 1);
    QVERIFY(changed.count() >= changes); // billing changed (its time), rows stay

    model.setGroup(QString());
    QCOMPARE(resets.count(), 2);
    QCOMPARE(model.rowCount(), 0);
}

QTEST_GUILESS_MAIN(tst_KafkaLagTableModels)
#include "tst_kafkalagtablemodels.moc"
