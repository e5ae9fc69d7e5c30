// SPDX-License-Identifier: MIT
// The Mesos connector against the simulated Mesos master, through Estate: agents with their
// used and total resources as the simulator's tasks make them, the redirect to the leader,
// and a master that is down, slow or answers garbage shown as Mesos' own error.
#include "app/estate.h"
#include "app/sim/simmesos.h"
#include "tests/support/testsupport.h"

#include <QTest>

#include <memory>

using namespace Opsdeck;
using namespace Opsdeck::Models;
using Connectors::MesosConnector;
using Sim::SimAgent;
using Sim::SimMesos;
using Sim::SimTask;

namespace {

const QString kEnv = QStringLiteral("Staging");

SimAgent agent(const QString &id, double cpus, double mem)
{
    SimAgent a;
    a.id = id;
    a.hostname = id.toLower() + QStringLiteral(".agents.example.internal");
    a.cpus = cpus;
    a.memMb = mem;
    a.diskMb = 100000;
    return a;
}

SimTask
task(const QString &id, const QString &agentId, const QString &state, double cpus, double mem)
{
    SimTask t;
    t.id = id;
    t.appId = QStringLiteral("/shop/web");
    t.agentId = agentId;
    t.state = state;
    t.cpus = cpus;
    t.memMb = mem;
    t.diskMb = 10;
    t.stagedAt = QDateTime::currentDateTimeUtc().addSecs(-30);
    return t;
}

} // namespace

class tst_MesosConnectorLive : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void agentsMatchTheSimulatorsTasks();
    void followsTheRedirectToTheLeader();
    void downSlowOrGarbageIsMesosError();

private:
    /// An estate whose only environment has Mesos at @p urls.
    void startEstate(const QStringList &urls, qint64 timeoutMs = 2000);

    MarathonStore *store() const { return m_estate->marathonStore(kEnv); }

    MesosConnector *connector() const { return m_estate->mesosConnector(kEnv); }

    std::unique_ptr<SimMesos> m_mesos;
    std::unique_ptr<App::Estate> m_estate;
    QList<SimAgent> m_agents;
    QList<SimTask> m_tasks;
};

void tst_MesosConnectorLive::init()
{
    m_agents = {agent(QStringLiteral("S0"), 8, 32768),
                agent(QStringLiteral("S1"), 4, 16384),
                agent(QStringLiteral("S2"), 2, 4096)};
    m_tasks = {
        task(QStringLiteral("web.1"),
             QStringLiteral("S0"),
             QStringLiteral("TASK_RUNNING"),
             0.5,
             256),
        task(QStringLiteral("web.2"),
             QStringLiteral("S0"),
             QStringLiteral("TASK_STAGING"),
             0.5,
             256),
        task(QStringLiteral("web.3"),
             QStringLiteral("S1"),
             QStringLiteral("TASK_KILLING"),
             0.5,
             256),
        task(
            QStringLiteral("db.1"), QStringLiteral("S1"), QStringLiteral("TASK_RUNNING"), 2, 4096)};
    m_mesos = std::make_unique<SimMesos>();
    m_mesos->setSource(
        [this] { return m_agents; }, [this] { return m_tasks; }, QStringLiteral("f2c9e7a4-0001"));
}

void tst_MesosConnectorLive::cleanup()
{
    m_estate.reset();
    m_mesos.reset();
}

void tst_MesosConnectorLive::startEstate(const QStringList &urls, qint64 timeoutMs)
{
    EnvironmentConfig env;
    env.name = kEnv;
    env.mesos = MesosConfig{urls, timeoutMs};
    OpsdeckConfig config;
    config.environments << env;
    m_estate = std::make_unique<App::Estate>(config);
    Connectors::MesosTimings timings;
    timings.pollIntervalMs = 100;
    timings.retryInitialMs = 100;
    timings.retryMaxMs = 200;
    m_estate->setMesosTimings(timings);
    QVERIFY(store());
    QVERIFY(connector());
    QVERIFY(!m_estate->marathonConnector(kEnv)); // only Mesos is configured
    m_estate->start();
}

void tst_MesosConnectorLive::agentsMatchTheSimulatorsTasks()
{
    QVERIFY2(m_mesos->listen(1), qPrintable(m_mesos->errorString()));
    startEstate({m_mesos->url(0).toString()});
    QTRY_COMPARE_WITH_TIMEOUT(store()->mesosStatus().state, SourceState::Connected, 5000);
    QCOMPARE(store()->mesosStatus().id, QStringLiteral("mesos"));
    QVERIFY(store()->mesosStatus().error.isEmpty());
    QVERIFY(!store()->mesosStatus().serverVersion.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(store()->agentIds().size(), 3, 5000);

    // Used resources are the sum of the non-terminal tasks on each agent, as is the count.
    auto check = [this] {
        for (const SimAgent &a : std::as_const(m_agents)) {
            const MesosAgent *seen = store()->agent(a.id);
            if (!seen)
                return QStringLiteral("agent %1 missing").arg(a.id);
            MesosResources used;
            int count = 0;
            for (const SimTask &t : std::as_const(m_tasks)) {
                if (t.agentId != a.id || isTerminalTaskState(t.state))
                    continue;
                used.cpus += t.cpus;
                used.memMb += t.memMb;
                used.diskMb += t.diskMb;
                ++count;
            }
            const MesosResources total{a.cpus, a.memMb, a.diskMb, 0};
            if (seen->hostname != a.hostname || seen->total != total || seen->used != used
                || seen->taskCount != count || !seen->active)
                return QStringLiteral("agent %1: %2 tasks, used cpus %3 mem %4, total cpus %5 "
                                      "(expected %6 tasks, used cpus %7 mem %8, total cpus %9)")
                    .arg(a.id)
                    .arg(seen->taskCount)
                    .arg(seen->used.cpus)
                    .arg(seen->used.memMb)
                    .arg(seen->total.cpus)
                    .arg(count)
                    .arg(used.cpus)
                    .arg(used.memMb)
                    .arg(total.cpus);
        }
        return QString();
    };
    QTRY_COMPARE_WITH_TIMEOUT(check(), QString(), 5000);
    QCOMPARE(store()->agent(QStringLiteral("S0"))->taskCount, 2);
    QCOMPARE(store()->agent(QStringLiteral("S2"))->taskCount, 0);

    // The simulator's tasks move; the next polls follow.
    m_tasks << task(
        QStringLiteral("web.4"), QStringLiteral("S2"), QStringLiteral("TASK_RUNNING"), 1, 512);
    m_tasks[0].state = QStringLiteral("TASK_FINISHED");
    QTRY_COMPARE_WITH_TIMEOUT(check(), QString(), 5000);
    QCOMPARE(store()->agent(QStringLiteral("S2"))->taskCount, 1);
    QCOMPARE(store()->agent(QStringLiteral("S0"))->taskCount, 1);
}

void tst_MesosConnectorLive::followsTheRedirectToTheLeader()
{
    QVERIFY2(m_mesos->listen(3), qPrintable(m_mesos->errorString()));
    m_mesos->setLeader(2);
    // Only a standby is configured: its 307 (protocol-relative Location) leads to the leader.
    startEstate({m_mesos->url(0).toString()});
    QTRY_COMPARE_WITH_TIMEOUT(store()->mesosStatus().state, SourceState::Connected, 5000);
    QCOMPARE(connector()->leaderUrl(), m_mesos->url(2).toString());
    QCOMPARE(store()->agentIds().size(), 3);

    // The leader changes: the old one redirects, and the connector follows.
    m_mesos->setLeader(1);
    QTRY_COMPARE_WITH_TIMEOUT(connector()->leaderUrl(), m_mesos->url(1).toString(), 5000);
    QCOMPARE(store()->mesosStatus().state, SourceState::Connected);

    // No leader at all: the masters say so (503), and the status says which and why.
    m_mesos->setLeader(-1);
    QTRY_COMPARE_WITH_TIMEOUT(store()->mesosStatus().state, SourceState::Unreachable, 5000);
    QVERIFY2(store()->mesosStatus().error.contains(QLatin1String("No leader elected")),
             qPrintable(store()->mesosStatus().error));
    QCOMPARE(store()->agentIds().size(), 3); // the last agents stay
    m_mesos->setLeader(0);
    QTRY_COMPARE_WITH_TIMEOUT(store()->mesosStatus().state, SourceState::Connected, 5000);
    QCOMPARE(connector()->leaderUrl(), m_mesos->url(0).toString());
}

void tst_MesosConnectorLive::downSlowOrGarbageIsMesosError()
{
    QVERIFY2(m_mesos->listen(1), qPrintable(m_mesos->errorString()));
    const QString url = m_mesos->url(0).toString();
    startEstate({url}, 500);
    QTRY_COMPARE_WITH_TIMEOUT(store()->mesosStatus().state, SourceState::Connected, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(store()->agentIds().size(), 3, 5000);

    // Garbage: where in the JSON, and from which master.
    m_mesos->setMalformedJson(true);
    QTRY_COMPARE_WITH_TIMEOUT(store()->mesosStatus().state, SourceState::Unreachable, 5000);
    QString error = store()->mesosStatus().error;
    QVERIFY2(
        error.startsWith(url + QStringLiteral(": GET /master/state: malformed JSON at offset ")),
        qPrintable(error));
    QCOMPARE(store()->agentIds().size(), 3);
    m_mesos->setMalformedJson(false);
    QTRY_COMPARE_WITH_TIMEOUT(store()->mesosStatus().state, SourceState::Connected, 5000);

    // Slow: the request timeout (500 ms) ends it.
    m_mesos->setResponseDelayMs(1500);
    QTRY_COMPARE_WITH_TIMEOUT(store()->mesosStatus().state, SourceState::Unreachable, 5000);
    error = store()->mesosStatus().error;
    QVERIFY2(error.contains(QLatin1String("timed out")) && error.contains(url), qPrintable(error));
    m_mesos->setResponseDelayMs(0);
    QTRY_COMPARE_WITH_TIMEOUT(store()->mesosStatus().state, SourceState::Connected, 5000);

    // Down.
    m_mesos->stop();
    QTRY_COMPARE_WITH_TIMEOUT(store()->mesosStatus().state, SourceState::Unreachable, 5000);
    error = store()->mesosStatus().error;
    QVERIFY2(error.contains(url), qPrintable(error));
    QCOMPARE(store()->agentIds().size(), 3);
}

QTEST_GUILESS_MAIN(tst_MesosConnectorLive)
#include "tst_mesosconnector_live.moc"
