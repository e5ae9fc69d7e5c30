// SPDX-License-Identifier: MIT
#include "models/containertablemodel.h"
#include "models/environmentstore.h"
#include "models/hostlistmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Opsdeck::Models;

namespace {

Container
make(const QString &host, const QString &id, ContainerState state = ContainerState::Running)
{
    Container c;
    c.hostId = host;
    c.id = id;
    c.name = QStringLiteral("n-") + id;
    c.image = QStringLiteral("img:1");
    c.state = state;
    c.inspected = true;
    return c;
}

} // namespace

class tst_EnvironmentStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void batchesAreCoalesced();
    void replaceHostContainersRemovesMissingAndKeepsOthers();
    void summaryDoesNotEraseInspectedDetails();
    void modelFollowsWithoutReset();
    void modelHandlesScatteredRemovals();
    void unreachableHostMarksRowsStale();
    void flagsComeFromEventsAndTime();
    void hostListCountsAndStates();

private:
    EnvironmentStore *m_store = nullptr;
    qint64 m_now = 1'800'000'000'000;
};

void tst_EnvironmentStore::init()
{
    m_store = new EnvironmentStore(QStringLiteral("Staging"));
    m_store->setClock([this] { return m_now; });
    for (const char *h : {"h1", "h2"}) {
        HostStatus s;
        s.id = QLatin1String(h);
        s.displayName = QLatin1String(h);
        s.state = SourceState::Connected;
        m_store->addHost(s);
    }
}

void tst_EnvironmentStore::cleanup()
{
    delete m_store;
    m_store = nullptr;
}

void tst_EnvironmentStore::batchesAreCoalesced()
{
    QSignalSpy spy(m_store, &EnvironmentStore::containersChanged);
    m_store->upsertContainer(make(QStringLiteral("h1"), QStringLiteral("a")));
    m_store->upsertContainer(make(QStringLiteral("h1"), QStringLiteral("b")));
    m_store->upsertContainer(
        make(QStringLiteral("h1"), QStringLiteral("a"), ContainerState::Exited));
    QCOMPARE(spy.count(), 0); // nothing until the event loop turns
    QVERIFY(spy.wait(1000));
    QCOMPARE(spy.count(), 1);
    auto changes = spy.at(0).at(0).value<ContainerChanges>();
    changes.added.sort();
    QCOMPARE(changes.added, (QStringList{QStringLiteral("h1/a"), QStringLiteral("h1/b")}));
    QVERIFY(changes.updated.isEmpty()); // updated before anyone saw it: still an add
    QCOMPARE(m_store->container(QStringLiteral("h1/a"))->state, ContainerState::Exited);

    m_store->removeContainer(QStringLiteral("h1/b"));
    m_store->upsertContainer(make(QStringLiteral("h1"), QStringLiteral("b")));
    m_store->flush();
    QCOMPARE(spy.count(), 2);
    changes = spy.at(1).at(0).value<ContainerChanges>();
    QCOMPARE(changes.updated, QStringList{QStringLiteral("h1/b")});
    QVERIFY(changes.added.isEmpty() && changes.removed.isEmpty());
}

void tst_EnvironmentStore::replaceHostContainersRemovesMissingAndKeepsOthers()
{
    m_store->upsertContainer(make(QStringLiteral("h1"), QStringLiteral("a")));
    m_store->upsertContainer(make(QStringLiteral("h1"), QStringLiteral("b")));
    m_store->upsertContainer(make(QStringLiteral("h2"), QStringLiteral("c")));
    m_store->flush();
    QSignalSpy spy(m_store, &EnvironmentStore::containersChanged);
    m_store->replaceHostContainers(QStringLiteral("h1"),
                                   {make(QStringLiteral("h1"), QStringLiteral("b")),
                                    make(QStringLiteral("h1"), QStringLiteral("d"))});
    m_store->flush();
    QCOMPARE(spy.count(), 1);
    const auto changes = spy.at(0).at(0).value<ContainerChanges>();
    QCOMPARE(changes.removed, QStringList{QStringLiteral("h1/a")});
    QCOMPARE(changes.added, QStringList{QStringLiteral("h1/d")});
    QCOMPARE(changes.updated, QStringList{QStringLiteral("h1/b")});
    QVERIFY(m_store->container(QStringLiteral("h2/c")));
    QCOMPARE(m_store->containerCount(), 3);
}

void tst_EnvironmentStore::summaryDoesNotEraseInspectedDetails()
{
    Container full = make(QStringLiteral("h1"), QStringLiteral("a"));
    full.restartCount = 7;
    full.env = {QStringLiteral("A=1")};
    full.restartPolicy = {RestartPolicyKind::OnFailure, 3};
    m_store->upsertContainer(full);
    Container summary = make(QStringLiteral("h1"), QStringLiteral("a"), ContainerState::Restarting);
    summary.inspected = false;
    summary.statusText = QStringLiteral("Restarting (1) 2 seconds ago");
    m_store->upsertContainer(summary);
    const Container *c = m_store->container(QStringLiteral("h1/a"));
    QCOMPARE(c->state, ContainerState::Restarting);
    QCOMPARE(c->restartCount, 7);
    QCOMPARE(c->env, QStringList{QStringLiteral("A=1")});
    QVERIFY(c->inspected);
}

void tst_EnvironmentStore::modelFollowsWithoutReset()
{
    ContainerTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int i = 0; i < 5; ++i)
        m_store->upsertContainer(make(QStringLiteral("h1"), QString::number(i)));
    m_store->flush();
    model.setStore(m_store);
    QCOMPARE(model.rowCount(), 5);

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    m_store->upsertContainer(
        make(QStringLiteral("h1"), QStringLiteral("2"), ContainerState::Restarting));
    m_store->flush();
    QCOMPARE(changed.count(), 1);
    const int row = model.rowOf(QStringLiteral("h1/2"));
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), row);
    QCOMPARE(model.index(row, ContainerTableModel::StateColumn).data().toString(),
             QStringLiteral("restarting"));

    m_store->upsertContainer(make(QStringLiteral("h2"), QStringLiteral("x")));
    m_store->removeContainer(QStringLiteral("h1/0"));
    m_store->flush();
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.rowOf(QStringLiteral("h1/0")), -1);
    QVERIFY(model.rowOf(QStringLiteral("h2/x")) >= 0);
    for (int r = 0; r < model.rowCount(); ++r)
        QCOMPARE(model.rowOf(model.keyAt(r)), r);

    // A full re-listing of a host is a batch of dataChanged, never a reset.
    QList<Container> relist;
    for (int i = 1; i < 5; ++i)
        relist << make(QStringLiteral("h1"), QString::number(i));
    m_store->replaceHostContainers(QStringLiteral("h1"), relist);
    m_store->flush();
    QCOMPARE(resets.count(), 0);
}

void tst_EnvironmentStore::modelHandlesScatteredRemovals()
{
    ContainerTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setStore(m_store);
    for (int i = 0; i < 20; ++i)
        m_store->upsertContainer(
            make(QStringLiteral("h1"), QStringLiteral("%1").arg(i, 2, 10, QLatin1Char('0'))));
    m_store->flush();
    QCOMPARE(model.rowCount(), 20);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    for (int i : {1, 2, 3, 7, 12, 13, 19})
        m_store->removeContainer(QStringLiteral("h1/%1").arg(i, 2, 10, QLatin1Char('0')));
    m_store->flush();
    QCOMPARE(model.rowCount(), 13);
    QCOMPARE(removed.count(), 4); // runs: 1-3, 7, 12-13, 19
    for (int r = 0; r < model.rowCount(); ++r) {
        QCOMPARE(model.rowOf(model.keyAt(r)), r);
        QVERIFY(m_store->container(model.keyAt(r)));
    }
}

void tst_EnvironmentStore::unreachableHostMarksRowsStale()
{
    ContainerTableModel model;
    model.setStore(m_store);
    m_store->upsertContainer(make(QStringLiteral("h1"), QStringLiteral("a")));
    m_store->upsertContainer(make(QStringLiteral("h2"), QStringLiteral("b")));
    m_store->flush();
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    HostStatus down = *m_store->host(QStringLiteral("h2"));
    down.state = SourceState::Unreachable;
    down.error = QStringLiteral("connection refused");
    m_store->updateHost(down);
    QCOMPARE(changed.count(), 1);
    const int rowB = model.rowOf(QStringLiteral("h2/b"));
    const int rowA = model.rowOf(QStringLiteral("h1/a"));
    QCOMPARE(model.index(rowB, 0).data(ContainerTableModel::HostReachableRole).toBool(), false);
    QCOMPARE(model.index(rowA, 0).data(ContainerTableModel::HostReachableRole).toBool(), true);
    QCOMPARE(model.index(rowB, ContainerTableModel::StateColumn).data().toString(),
             QStringLiteral("running (stale)"));
    QCOMPARE(m_store->host(QStringLiteral("h2"))->since.toMSecsSinceEpoch(), m_now);
}

void tst_EnvironmentStore::flagsComeFromEventsAndTime()
{
    FlagSettings s;
    s.clearAfterMs = 60'000;
    m_store->setFlagSettings(s);
    ContainerTableModel model;
    model.setStore(m_store);
    Container c = make(QStringLiteral("h1"), QStringLiteral("a"), ContainerState::Restarting);
    c.restartPolicy = {RestartPolicyKind::Always, 0};
    m_store->upsertContainer(c);
    m_store->flush();
    const int row = model.rowOf(QStringLiteral("h1/a"));
    QCOMPARE(Severity(model.index(row, 0).data(ContainerTableModel::SeverityRole).toInt()),
             Severity::Critical);
    QVERIFY(model.index(row, 0)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("Crash loop")));

    c.state = ContainerState::Running;
    c.startedAt = QDateTime::fromMSecsSinceEpoch(m_now);
    m_store->upsertContainer(c);
    m_store->flush();
    QVERIFY(m_store->container(c.key())->hasFlag(ContainerFlag::CrashLoop));
    m_now += 61'000;
    QSignalSpy spy(m_store, &EnvironmentStore::containersChanged);
    m_store->reevaluateFlags();
    m_store->flush();
    QCOMPARE(spy.count(), 1);
    QVERIFY(!m_store->container(c.key())->hasFlag(ContainerFlag::CrashLoop));
    QCOMPARE(Severity(model.index(row, 0).data(ContainerTableModel::SeverityRole).toInt()),
             Severity::None);
    // Nothing changed since: re-evaluating announces nothing.
    m_store->reevaluateFlags();
    m_store->flush();
    QCOMPARE(spy.count(), 1);
}

void tst_EnvironmentStore::hostListCountsAndStates()
{
    HostListModel hosts;
    QAbstractItemModelTester tester(&hosts, QAbstractItemModelTester::FailureReportingMode::QtTest);
    hosts.setStore(m_store);
    QCOMPARE(hosts.rowCount(), 3);
    m_store->upsertContainer(make(QStringLiteral("h1"), QStringLiteral("a")));
    m_store->upsertContainer(make(QStringLiteral("h1"), QStringLiteral("b")));
    m_store->upsertContainer(make(QStringLiteral("h2"), QStringLiteral("c")));
    m_store->flush();
    QCOMPARE(hosts.index(1).data(HostListModel::ContainerCountRole).toInt(), 2);
    QCOMPARE(hosts.index(0).data(HostListModel::ContainerCountRole).toInt(), 3);
    HostStatus down = *m_store->host(QStringLiteral("h2"));
    down.state = SourceState::Unreachable;
    down.error = QStringLiteral("timed out");
    m_store->updateHost(down);
    QCOMPARE(SourceState(hosts.index(2).data(HostListModel::SourceStateRole).toInt()),
             SourceState::Unreachable);
    QVERIFY(hosts.index(2).data(Qt::ToolTipRole).toString().contains(QStringLiteral("timed out")));
}

QTEST_GUILESS_MAIN(tst_EnvironmentStore)
#include "tst_environmentstore.moc"
