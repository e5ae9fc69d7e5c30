// SPDX-License-Identifier: MIT
#include "models/marathonstore.h"

#include <QSignalSpy>
#include <QTest>

using namespace Opsdeck::Models;

namespace {

const QString kV1 = QStringLiteral("2024-01-01T10:00:00.000Z");
const QString kV2 = QStringLiteral("2024-01-02T10:00:00.000Z");

MarathonApp app(const QString &id, int instances = 2, const QString &version = kV1)
{
    MarathonApp a;
    a.id = id;
    a.instances = instances;
    a.version = version;
    a.image = QStringLiteral("registry.example.internal/web:1");
    a.healthCheckCount = 1;
    return a;
}

MarathonTask task(const QString &appId,
                  const QString &id,
                  const QString &version = kV1,
                  TaskHealth health = TaskHealth::Healthy,
                  const QString &state = QStringLiteral("TASK_RUNNING"))
{
    MarathonTask t;
    t.appId = appId;
    t.id = id;
    t.version = version;
    t.health = health;
    t.state = state;
    t.host = QStringLiteral("agent1.example.internal");
    return t;
}

MarathonDeployment deployment(const QString &id,
                              const QString &app,
                              int currentStep = 1,
                              int totalSteps = 1,
                              const QString &action = QStringLiteral("RestartApplication"))
{
    MarathonDeployment d;
    d.id = id;
    d.version = kV2;
    d.affectedApps = {app};
    for (int i = 0; i < totalSteps; ++i)
        d.steps.append({{action, app}});
    d.currentActions = {{action, app}};
    d.currentStep = currentStep;
    d.totalSteps = totalSteps;
    return d;
}

MesosAgent agent(const QString &id, const QString &hostname)
{
    MesosAgent a;
    a.id = id;
    a.hostname = hostname;
    a.total = {8, 16384, 100000, 0};
    return a;
}

QStringList arg(const QSignalSpy &spy, int call, int argument)
{
    return spy.at(call).at(argument).toStringList();
}

} // namespace

class tst_MarathonStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void batchesAreCoalesced();
    void identicalSnapshotIsSilent();
    void diffNamesAddedChangedRemoved();
    void removedAndReaddedInOneTurnIsChanged();
    void tasksAreGroupedSortedAndDiffed();
    void setTasksForOneApp();
    void removedAppDropsItsTasks();
    void versionCountsTellOldFromNew();
    void deploymentsKeepFirstSeenAndOrder();
    void deploymentProgressMovesWithinAStep();
    void stuckWhenNothingMoves();
    void agentsSortedByHostname();
    void statusKeepsSinceAndEmitsOnce();

private:
    MarathonStore *m_store = nullptr;
    qint64 m_now = 1'800'000'000'000;
};

void tst_MarathonStore::init()
{
    m_store = new MarathonStore(QStringLiteral("Staging"));
    m_store->setClock([this] { return m_now; });
}

void tst_MarathonStore::cleanup()
{
    delete m_store;
    m_store = nullptr;
}

void tst_MarathonStore::batchesAreCoalesced()
{
    QSignalSpy apps(m_store, &MarathonStore::appsChanged);
    QSignalSpy tasks(m_store, &MarathonStore::tasksChanged);
    m_store->setApps({app(QStringLiteral("/a"))}, {});
    m_store->setApps({app(QStringLiteral("/a")), app(QStringLiteral("/b"))},
                     {task(QStringLiteral("/b"), QStringLiteral("b.1"))});
    QCOMPARE(apps.count(), 0); // nothing until the event loop turns
    QVERIFY(apps.wait(1000));
    QCOMPARE(apps.count(), 1);
    QCOMPARE(arg(apps, 0, 0), (QStringList{QStringLiteral("/a"), QStringLiteral("/b")}));
    QVERIFY(arg(apps, 0, 1).isEmpty());
    QVERIFY(arg(apps, 0, 2).isEmpty());
    QCOMPARE(tasks.count(), 1);
    QCOMPARE(arg(tasks, 0, 0), QStringList{QStringLiteral("/b")});
    QCOMPARE(m_store->environment(), QStringLiteral("Staging"));
}

void tst_MarathonStore::identicalSnapshotIsSilent()
{
    const QList<MarathonApp> apps{app(QStringLiteral("/a"))};
    const QList<MarathonTask> tasks{task(QStringLiteral("/a"), QStringLiteral("a.1"))};
    m_store->setApps(apps, tasks);
    m_store->setAgents({agent(QStringLiteral("s1"), QStringLiteral("b.example.internal"))});
    m_store->flush();
    QSignalSpy appsSpy(m_store, &MarathonStore::appsChanged);
    QSignalSpy tasksSpy(m_store, &MarathonStore::tasksChanged);
    QSignalSpy agentsSpy(m_store, &MarathonStore::agentsChanged);
    m_store->setApps(apps, tasks);
    m_store->setAgents({agent(QStringLiteral("s1"), QStringLiteral("b.example.internal"))});
    m_store->flush();
    QCOMPARE(appsSpy.count(), 0);
    QCOMPARE(tasksSpy.count(), 0);
    QCOMPARE(agentsSpy.count(), 0);
}

void tst_MarathonStore::diffNamesAddedChangedRemoved()
{
    m_store->setApps({app(QStringLiteral("/a")), app(QStringLiteral("/b"))}, {});
    m_store->flush();
    QSignalSpy spy(m_store, &MarathonStore::appsChanged);
    MarathonApp b = app(QStringLiteral("/b"));
    b.tasksRunning = 2;
    m_store->setApps({b, app(QStringLiteral("/c"))}, {});
    m_store->flush();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(arg(spy, 0, 0), QStringList{QStringLiteral("/c")});
    QCOMPARE(arg(spy, 0, 1), QStringList{QStringLiteral("/b")});
    QCOMPARE(arg(spy, 0, 2), QStringList{QStringLiteral("/a")});
    QCOMPARE(m_store->appIds(), (QStringList{QStringLiteral("/b"), QStringLiteral("/c")}));
    QCOMPARE(m_store->app(QStringLiteral("/b"))->tasksRunning, 2);
    QVERIFY(!m_store->app(QStringLiteral("/a")));
}

void tst_MarathonStore::removedAndReaddedInOneTurnIsChanged()
{
    m_store->setApps({app(QStringLiteral("/a"))}, {});
    m_store->flush();
    QSignalSpy spy(m_store, &MarathonStore::appsChanged);
    m_store->setApps({}, {});
    m_store->setApps({app(QStringLiteral("/a"), 3)}, {});
    m_store->flush();
    QCOMPARE(spy.count(), 1);
    QVERIFY(arg(spy, 0, 0).isEmpty());
    QCOMPARE(arg(spy, 0, 1), QStringList{QStringLiteral("/a")});
    QVERIFY(arg(spy, 0, 2).isEmpty());

    // Added and removed again within one turn: nothing to say.
    spy.clear();
    m_store->setApps({app(QStringLiteral("/a"), 3), app(QStringLiteral("/x"))}, {});
    m_store->setApps({app(QStringLiteral("/a"), 3)}, {});
    m_store->flush();
    QCOMPARE(spy.count(), 0);
}

void tst_MarathonStore::tasksAreGroupedSortedAndDiffed()
{
    const QString a = QStringLiteral("/a");
    const QString b = QStringLiteral("/b");
    m_store->setApps({app(a), app(b)},
                     {task(a, QStringLiteral("a.2")),
                      task(b, QStringLiteral("b.1")),
                      task(a, QStringLiteral("a.1")),
                      task(QStringLiteral("/unknown"), QStringLiteral("u.1"))});
    m_store->flush();
    const QList<MarathonTask> ts = m_store->tasks(a);
    QCOMPARE(ts.size(), 2);
    QCOMPARE(ts.at(0).id, QStringLiteral("a.1"));
    QCOMPARE(ts.at(1).id, QStringLiteral("a.2"));
    QVERIFY(m_store->tasks(QStringLiteral("/unknown")).isEmpty());
    QVERIFY(m_store->task(a, QStringLiteral("a.2")));
    QVERIFY(!m_store->task(a, QStringLiteral("a.3")));
    QVERIFY(!m_store->task(b, QStringLiteral("a.1")));

    QSignalSpy spy(m_store, &MarathonStore::tasksChanged);
    QSignalSpy appsSpy(m_store, &MarathonStore::appsChanged);
    // Only /b's task changes (health): only /b is named; the apps themselves are unchanged.
    m_store->setApps({app(a), app(b)},
                     {task(a, QStringLiteral("a.1")),
                      task(a, QStringLiteral("a.2")),
                      task(b, QStringLiteral("b.1"), kV1, TaskHealth::Unhealthy)});
    m_store->flush();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(arg(spy, 0, 0), QStringList{b});
    QCOMPARE(appsSpy.count(), 0);
}

void tst_MarathonStore::setTasksForOneApp()
{
    const QString a = QStringLiteral("/a");
    m_store->setApps({app(a)}, {task(a, QStringLiteral("a.1"))});
    m_store->flush();
    QSignalSpy spy(m_store, &MarathonStore::tasksChanged);
    m_store->setTasks(a, {task(a, QStringLiteral("a.1")), task(a, QStringLiteral("a.2"))});
    m_store->setTasks(QStringLiteral("/nope"),
                      {task(QStringLiteral("/nope"), QStringLiteral("n"))});
    m_store->flush();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(arg(spy, 0, 0), QStringList{a});
    QCOMPARE(m_store->tasks(a).size(), 2);
    m_store->setTasks(a, {task(a, QStringLiteral("a.1")), task(a, QStringLiteral("a.2"))});
    m_store->flush();
    QCOMPARE(spy.count(), 1); // the same again: silent
}

void tst_MarathonStore::removedAppDropsItsTasks()
{
    const QString a = QStringLiteral("/a");
    m_store->setApps({app(a)}, {task(a, QStringLiteral("a.1"))});
    m_store->flush();
    QSignalSpy spy(m_store, &MarathonStore::tasksChanged);
    m_store->setApps({}, {});
    m_store->flush();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(arg(spy, 0, 0), QStringList{a});
    QVERIFY(m_store->tasks(a).isEmpty());
}

void tst_MarathonStore::versionCountsTellOldFromNew()
{
    const QString a = QStringLiteral("/a");
    m_store->setApps(
        {app(a, 3, kV2)},
        {task(a, QStringLiteral("1"), kV1),
         task(a, QStringLiteral("2"), kV1, TaskHealth::Unhealthy),
         task(a, QStringLiteral("3"), kV2),
         task(a, QStringLiteral("4"), kV2, TaskHealth::None),
         task(a, QStringLiteral("5"), kV1, TaskHealth::None, QStringLiteral("TASK_KILLED"))});
    const AppVersionCounts c = m_store->versionCounts(a);
    QCOMPARE(c.newTasks, 2);
    QCOMPARE(c.newReady, 1);
    QCOMPARE(c.oldTasks, 2); // the killed one no longer counts
    QCOMPARE(c.oldReady, 1);

    // Without health checks, running is ready.
    MarathonApp plain = app(a, 3, kV2);
    plain.healthCheckCount = 0;
    m_store->setApps(
        {plain},
        {task(a, QStringLiteral("3"), kV2, TaskHealth::None),
         task(a, QStringLiteral("4"), kV2, TaskHealth::None, QStringLiteral("TASK_STAGING"))});
    const AppVersionCounts p = m_store->versionCounts(a);
    QCOMPARE(p.newTasks, 2);
    QCOMPARE(p.newReady, 1);
    QCOMPARE(m_store->versionCounts(QStringLiteral("/none")), AppVersionCounts());
}

void tst_MarathonStore::deploymentsKeepFirstSeenAndOrder()
{
    QSignalSpy spy(m_store, &MarathonStore::deploymentsChanged);
    m_store->setDeployments({deployment(QStringLiteral("d2"), QStringLiteral("/a"))});
    m_store->flush();
    QCOMPARE(m_store->deployment(QStringLiteral("d2"))->firstSeen.toMSecsSinceEpoch(), m_now);
    QCOMPARE(m_store->deploymentAgeMs(QStringLiteral("d2")), 0);

    m_now += 60'000;
    MarathonDeployment d2 = deployment(QStringLiteral("d2"), QStringLiteral("/a"), 1, 2);
    d2.firstSeen = QDateTime::fromMSecsSinceEpoch(m_now); // a connector's own stamp is ignored
    MarathonDeployment d1 = deployment(QStringLiteral("d1"), QStringLiteral("/b"));
    m_store->setDeployments({d1, d2});
    m_store->flush();
    QCOMPARE(m_store->deployment(QStringLiteral("d2"))->firstSeen.toMSecsSinceEpoch(),
             m_now - 60'000);
    QCOMPARE(m_store->deploymentAgeMs(QStringLiteral("d2")), 60'000);
    QCOMPARE(m_store->deploymentAgeMs(QStringLiteral("d1")), 0);
    QCOMPARE(m_store->deploymentIds(), (QStringList{QStringLiteral("d2"), QStringLiteral("d1")}));
    QCOMPARE(m_store->deployments().at(1).id, QStringLiteral("d1"));
    QCOMPARE(spy.count(), 2);
    QCOMPARE(arg(spy, 1, 0), QStringList{QStringLiteral("d1")});
    QCOMPARE(arg(spy, 1, 1), QStringList{QStringLiteral("d2")});

    // Same again: silent. Finished ones disappear.
    m_store->setDeployments({d1, d2});
    m_store->flush();
    QCOMPARE(spy.count(), 2);
    m_store->setDeployments({d1});
    m_store->flush();
    QCOMPARE(spy.count(), 3);
    QCOMPARE(arg(spy, 2, 2), QStringList{QStringLiteral("d2")});
    QVERIFY(!m_store->deployment(QStringLiteral("d2")));
    QCOMPARE(m_store->deploymentAgeMs(QStringLiteral("d2")), -1);
}

void tst_MarathonStore::deploymentProgressMovesWithinAStep()
{
    const QString a = QStringLiteral("/a");
    m_store->setApps({app(a, 4, kV2)},
                     {task(a, QStringLiteral("1"), kV1),
                      task(a, QStringLiteral("2"), kV1),
                      task(a, QStringLiteral("3"), kV2),
                      task(a, QStringLiteral("4"), kV2, TaskHealth::None)});
    m_store->setDeployments({deployment(QStringLiteral("d"), a)});
    QCOMPARE(m_store->deploymentProgress(QStringLiteral("d")), 0.25);
    m_store->setTasks(a,
                      {task(a, QStringLiteral("1"), kV1),
                       task(a, QStringLiteral("3"), kV2),
                       task(a, QStringLiteral("4"), kV2)});
    QCOMPARE(m_store->deploymentProgress(QStringLiteral("d")), 0.5);

    // Two steps: the first is done, the second (a stop) has no task fraction.
    m_store->setDeployments(
        {deployment(QStringLiteral("d"), a, 2, 2, QStringLiteral("StopApplication"))});
    QCOMPARE(m_store->deploymentProgress(QStringLiteral("d")), 0.5);
    QCOMPARE(m_store->deploymentProgress(QStringLiteral("unknown")), 0.0);
}

void tst_MarathonStore::stuckWhenNothingMoves()
{
    const QString a = QStringLiteral("/a");
    m_store->setApps({app(a, 2, kV2)}, {task(a, QStringLiteral("1"), kV1)});
    m_store->setDeployments({deployment(QStringLiteral("d"), a)});
    m_store->flush();
    QSignalSpy spy(m_store, &MarathonStore::deploymentsChanged);
    QCOMPARE(m_store->lastProgressMs(QStringLiteral("d")), m_now);

    m_now += MarathonStore::kDefaultStuckThresholdMs; // not longer than the threshold yet
    m_store->reevaluateStuck();
    QVERIFY(!m_store->isStuck(QStringLiteral("d")));
    m_now += 1;
    QVERIFY(m_store->isStuck(QStringLiteral("d")));
    QVERIFY(!m_store->isStuck(QStringLiteral("d"), MarathonStore::kDefaultStuckThresholdMs * 2));
    m_store->reevaluateStuck();
    m_store->flush();
    QCOMPARE(spy.count(), 1); // the flip is announced as a change
    QCOMPARE(arg(spy, 0, 1), QStringList{QStringLiteral("d")});

    // The same snapshot again is no progress.
    m_store->setApps({app(a, 2, kV2)}, {task(a, QStringLiteral("1"), kV1)});
    QVERIFY(m_store->isStuck(QStringLiteral("d")));

    // A new task appears: progress, no longer stuck, and that flip is announced too.
    m_store->setApps(
        {app(a, 2, kV2)},
        {task(a, QStringLiteral("1"), kV1), task(a, QStringLiteral("2"), kV2, TaskHealth::None)});
    QVERIFY(!m_store->isStuck(QStringLiteral("d")));
    QCOMPARE(m_store->lastProgressMs(QStringLiteral("d")), m_now);
    m_store->flush();
    QCOMPARE(spy.count(), 2);

    // While Marathon cannot be asked, nothing counts as stuck.
    m_now += MarathonStore::kDefaultStuckThresholdMs + 1;
    QVERIFY(m_store->isStuck(QStringLiteral("d")));
    HostStatus down;
    down.id = QStringLiteral("marathon");
    down.state = SourceState::Unreachable;
    m_store->setMarathonStatus(down);
    QVERIFY(!m_store->isStuck(QStringLiteral("d")));
    down.state = SourceState::Connected;
    m_store->setMarathonStatus(down);
    QVERIFY(m_store->isStuck(QStringLiteral("d")));
    m_store->setApps({app(a, 2, kV2)},
                     {task(a, QStringLiteral("1"), kV1),
                      task(a, QStringLiteral("2"), kV2, TaskHealth::Healthy)});
    QVERIFY(!m_store->isStuck(QStringLiteral("d")));

    // A step forward is progress as well; a smaller threshold applies at once.
    m_now += 5'000;
    m_store->setStuckThreshold(1'000);
    QVERIFY(m_store->isStuck(QStringLiteral("d")));
    MarathonDeployment next = deployment(QStringLiteral("d"), a, 2, 2);
    m_store->setDeployments({next});
    QVERIFY(!m_store->isStuck(QStringLiteral("d")));
}

void tst_MarathonStore::agentsSortedByHostname()
{
    QSignalSpy spy(m_store, &MarathonStore::agentsChanged);
    m_store->setAgents({agent(QStringLiteral("s1"), QStringLiteral("c.example.internal")),
                        agent(QStringLiteral("s2"), QStringLiteral("a.example.internal"))});
    m_store->flush();
    QCOMPARE(m_store->agentIds(), (QStringList{QStringLiteral("s2"), QStringLiteral("s1")}));
    QCOMPARE(m_store->agents().at(0).hostname, QStringLiteral("a.example.internal"));
    MesosAgent changed = agent(QStringLiteral("s1"), QStringLiteral("c.example.internal"));
    changed.active = false;
    m_store->setAgents({changed});
    m_store->flush();
    QCOMPARE(spy.count(), 2);
    QCOMPARE(arg(spy, 1, 1), QStringList{QStringLiteral("s1")});
    QCOMPARE(arg(spy, 1, 2), QStringList{QStringLiteral("s2")});
    QVERIFY(!m_store->agent(QStringLiteral("s1"))->active);
}

void tst_MarathonStore::statusKeepsSinceAndEmitsOnce()
{
    QSignalSpy spy(m_store, &MarathonStore::statusChanged);
    HostStatus s;
    s.id = QStringLiteral("marathon");
    s.url = QStringLiteral("http://127.0.0.1:8080");
    s.state = SourceState::Connected;
    m_store->setMarathonStatus(s);
    HostStatus mesos = s;
    mesos.id = QStringLiteral("mesos");
    m_store->setMesosStatus(mesos);
    QVERIFY(spy.wait(1000));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(m_store->marathonStatus().since.toMSecsSinceEpoch(), m_now);
    QCOMPARE(m_store->mesosStatus().id, QStringLiteral("mesos"));

    m_now += 1000;
    s.lastSeen = QDateTime::fromMSecsSinceEpoch(m_now);
    m_store->setMarathonStatus(s); // same state: since stays
    m_store->flush();
    QCOMPARE(spy.count(), 2);
    QCOMPARE(m_store->marathonStatus().since.toMSecsSinceEpoch(), m_now - 1000);
    m_store->setMarathonStatus(s);
    m_store->flush();
    QCOMPARE(spy.count(), 2);

    s.state = SourceState::Unreachable;
    s.error = QStringLiteral("connection refused");
    m_store->setMarathonStatus(s);
    m_store->flush();
    QCOMPARE(spy.count(), 3);
    QCOMPARE(m_store->marathonStatus().since.toMSecsSinceEpoch(), m_now);
}

QTEST_GUILESS_MAIN(tst_MarathonStore)
#include "tst_marathonstore.moc"
