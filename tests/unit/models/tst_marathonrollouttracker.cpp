// SPDX-License-Identifier: MIT
// Marathon deployments reported as rollouts (issue 7): the same progress as Docker rollouts.
#include "models/marathonrollouttracker.h"

#include <QSignalSpy>
#include <QTest>

using namespace Opsdeck::Models;

namespace {

MarathonApp app(const QString &version)
{
    MarathonApp a;
    a.id = QStringLiteral("/shop/web");
    a.instances = 3;
    a.image = QStringLiteral("shop/web:2");
    a.version = version;
    a.healthCheckCount = 1;
    return a;
}

MarathonTask task(int n, const QString &version, bool healthy)
{
    MarathonTask t;
    t.id = QStringLiteral("shop_web.%1").arg(n);
    t.appId = QStringLiteral("/shop/web");
    t.state = QStringLiteral("TASK_RUNNING");
    t.version = version;
    t.health = healthy ? TaskHealth::Healthy : TaskHealth::None;
    return t;
}

MarathonDeployment deployment(int step)
{
    MarathonDeployment d;
    d.id = QStringLiteral("d1");
    d.affectedApps << QStringLiteral("/shop/web");
    d.currentStep = step;
    d.totalSteps = 1;
    d.currentActions << MarathonDeployment::Action{QStringLiteral("RestartApplication"),
                                                   QStringLiteral("/shop/web")};
    return d;
}

} // namespace

class tst_MarathonRolloutTracker : public QObject
{
    Q_OBJECT

private slots:
    void followsADeploymentToItsEnd();
    void aDeploymentThatEndsEarlyIsNotASuccess();
};

void tst_MarathonRolloutTracker::followsADeploymentToItsEnd()
{
    MarathonStore store(QStringLiteral("Staging"));
    MarathonRolloutTracker tracker(QStringLiteral("Staging"), &store);
    QSignalSpy spy(&tracker, &MarathonRolloutTracker::progressChanged);
    const QString v1 = QStringLiteral("2026-12-01T10:00:00.000Z");
    const QString v2 = QStringLiteral("2026-12-04T10:00:00.000Z");
    store.setApps({app(v2)}, {task(1, v1, true), task(2, v1, true), task(3, v1, true)});
    store.setDeployments({deployment(1)});
    store.flush();
    QVERIFY(!spy.isEmpty());
    RolloutProgress p = spy.last().first().value<RolloutProgress>();
    QCOMPARE(p.kind, QStringLiteral("marathon"));
    QCOMPARE(p.environment, QStringLiteral("Staging"));
    QCOMPARE(p.service, QStringLiteral("/shop/web"));
    QCOMPARE(p.instances.size(), 3);
    QCOMPARE(p.doneCount(), 0);
    QCOMPARE(p.phase, RolloutPhase::Running);

    // One new task healthy, one starting, two old left.
    store.setApps({app(v2)},
                  {task(2, v1, true), task(3, v1, true), task(4, v2, true), task(5, v2, false)});
    store.flush();
    p = spy.last().first().value<RolloutProgress>();
    QCOMPARE(p.doneCount(), 1);
    QCOMPARE(p.instances.at(1).step, RolloutStep::WaitingHealthy);
    QCOMPARE(p.instances.at(2).step, RolloutStep::Pending);
    QVERIFY(p.log.last().text.contains(QStringLiteral("1 new ready of 3")));

    store.setApps({app(v2)}, {task(4, v2, true), task(5, v2, true), task(6, v2, true)});
    store.setDeployments({});
    store.flush();
    p = spy.last().first().value<RolloutProgress>();
    QCOMPARE(p.phase, RolloutPhase::Succeeded);
    QCOMPARE(p.doneCount(), 3);
    QVERIFY(p.endedMs >= p.startedMs);
}

void tst_MarathonRolloutTracker::aDeploymentThatEndsEarlyIsNotASuccess()
{
    MarathonStore store(QStringLiteral("Staging"));
    MarathonRolloutTracker tracker(QStringLiteral("Staging"), &store);
    QSignalSpy spy(&tracker, &MarathonRolloutTracker::progressChanged);
    const QString v1 = QStringLiteral("2026-12-01T10:00:00.000Z");
    const QString v2 = QStringLiteral("2026-12-04T10:00:00.000Z");
    store.setApps({app(v2)}, {task(1, v1, true), task(2, v1, true), task(3, v2, true)});
    store.setDeployments({deployment(1)});
    store.flush();
    store.setDeployments({}); // cancelled
    store.flush();
    const RolloutProgress p = spy.last().first().value<RolloutProgress>();
    QCOMPARE(p.phase, RolloutPhase::Aborted);
    QVERIFY(p.summary.contains(QStringLiteral("cancelled")));
}

QTEST_GUILESS_MAIN(tst_MarathonRolloutTracker)
#include "tst_marathonrollouttracker.moc"
