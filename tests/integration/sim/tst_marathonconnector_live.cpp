// SPDX-License-Identifier: MIT
// The Marathon connector against the simulated Marathon, through Estate (stores, operations):
// the listing with embeds, a rolling upgrade followed step by step, a stuck deployment rolled
// back, a locked app, a dropped event stream, leader changes, and Marathon down / slow / broken
// while the Docker host of the same environment keeps updating. Time runs faster (setTimeScale).
#include "app/estate.h"
#include "app/sim/simdockerhost.h"
#include "app/sim/simmarathon.h"
#include "tests/support/testsupport.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <vector>

using namespace Opsdeck;
using namespace Opsdeck::Models;
using Connectors::MarathonConnector;

namespace {

const QString kEnv = QStringLiteral("Staging");
const QString kWeb = QStringLiteral("/shop/web");

QJsonObject webApp(int instances, double minHealth = 1.0, double maxOver = 1.0)
{
    return QJsonObject{
        {QStringLiteral("id"), kWeb},
        {QStringLiteral("instances"), instances},
        {QStringLiteral("cpus"), 0.25},
        {QStringLiteral("mem"), 128},
        {QStringLiteral("container"),
         QJsonObject{
             {QStringLiteral("type"), QStringLiteral("DOCKER")},
             {QStringLiteral("docker"),
              QJsonObject{{QStringLiteral("image"), QStringLiteral("shop/web:1.0")}}},
             {QStringLiteral("portMappings"),
              QJsonArray{QJsonObject{{QStringLiteral("containerPort"), 8080},
                                     {QStringLiteral("hostPort"), 0},
                                     {QStringLiteral("protocol"), QStringLiteral("tcp")}}}},
             {QStringLiteral("volumes"),
              QJsonArray{QJsonObject{{QStringLiteral("containerPath"), QStringLiteral("/cache")},
                                     {QStringLiteral("hostPath"), QStringLiteral("/srv/cache")},
                                     {QStringLiteral("mode"), QStringLiteral("RW")}}}}}},
        {QStringLiteral("env"),
         QJsonObject{{QStringLiteral("APP_ENV"), QStringLiteral("staging")},
                     {QStringLiteral("DB_PASSWORD"),
                      QJsonObject{{QStringLiteral("secret"), QStringLiteral("db")}}}}},
        {QStringLiteral("healthChecks"),
         QJsonArray{QJsonObject{{QStringLiteral("protocol"), QStringLiteral("MESOS_HTTP")},
                                {QStringLiteral("path"), QStringLiteral("/health")},
                                {QStringLiteral("portIndex"), 0}}}},
        {QStringLiteral("upgradeStrategy"),
         QJsonObject{{QStringLiteral("minimumHealthCapacity"), minHealth},
                     {QStringLiteral("maximumOverCapacity"), maxOver}}}};
}

QJsonObject workerApp(int instances)
{
    return QJsonObject{{QStringLiteral("id"), QStringLiteral("/shop/worker")},
                       {QStringLiteral("cmd"), QStringLiteral("./worker --queue orders")},
                       {QStringLiteral("instances"), instances},
                       {QStringLiteral("cpus"), 0.25},
                       {QStringLiteral("mem"), 64}};
}

/// One answer of MarathonOperations.
struct Answer
{
    bool ok = false;
    QString message;
    QString deploymentId;
};

bool isHealthyRunning(const MarathonTask &t)
{
    return t.state == QLatin1String("TASK_RUNNING") && t.health == TaskHealth::Healthy;
}

} // namespace

class tst_MarathonConnectorLive : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void listingWithEmbeds();
    void rollingUpgradeStepByStep();
    void stuckDeploymentRolledBackAndLocks();
    void readOnlyEnvironmentRefusesEverything();
    void droppedStreamLosesNothing();
    void silentStreamIsReconnected();
    void leaderChange();
    void onlyAStandbyConfigured();
    void downSlowOrBrokenWhileDockerKeepsUpdating();
    void passwordFromTheEnvironmentOnly();

private:
    /// The simulated Marathon with @p masters masters and two agents, each a Docker host.
    void startSim(int masters = 1, double timeScale = 20.0);
    /// An estate: environment Staging has agent 1's Docker host and Marathon at @p urls
    /// (default: every master); Production (read-only) the same Marathon when asked.
    void startEstate(QStringList urls = {}, qint64 timeoutMs = 2000, bool withProduction = false);

    MarathonStore *store() const { return m_estate->marathonStore(kEnv); }

    MarathonConnector *connector() const { return m_estate->marathonConnector(kEnv); }

    Answer act(const MarathonActionRequest &request);
    MarathonActionRequest request(MarathonAction action) const;
    /// Waits until the app has no deployment and @p count tasks, all running and healthy.
    bool settled(const QString &appId, int count, int timeoutMs = 10000);

    std::unique_ptr<Sim::SimMarathon> m_sim;
    std::vector<std::unique_ptr<Sim::SimDockerHost>> m_hosts;
    std::unique_ptr<App::Estate> m_estate;
    QString m_username;
    QString m_passwordEnv;
};

void tst_MarathonConnectorLive::init()
{
    m_username.clear();
    m_passwordEnv.clear();
    m_estate.reset();
    m_sim.reset();
    m_hosts.clear();
}

void tst_MarathonConnectorLive::cleanup()
{
    m_estate.reset();
    m_sim.reset();
    m_hosts.clear();
}

void tst_MarathonConnectorLive::startSim(int masters, double timeScale)
{
    m_sim = std::make_unique<Sim::SimMarathon>();
    m_sim->setTimeScale(timeScale);
    m_sim->setSeed(7);
    m_sim->setEnvironment(QStringLiteral("staging"));
    QVERIFY2(m_sim->listen(masters), qPrintable(m_sim->errorString()));
    for (int i = 0; i < 2; ++i) {
        m_hosts.push_back(
            std::make_unique<Sim::SimDockerHost>(QStringLiteral("agent-%1").arg(i + 1)));
        m_hosts.back()->setTimeScale(timeScale);
        QVERIFY2(m_hosts.back()->listen(), qPrintable(m_hosts.back()->errorString()));
        Sim::SimAgent agent;
        agent.id = QStringLiteral("a1b2c3d4-0000-4000-8000-00000000000%1-S%1").arg(i);
        agent.hostname = QStringLiteral("agent-%1.example.internal").arg(i + 1);
        agent.cpus = 4;
        agent.memMb = 8192;
        agent.portsBegin = 31000 + 1000 * i;
        agent.portsEnd = 31999 + 1000 * i;
        agent.docker = m_hosts.back().get();
        m_sim->addAgent(agent);
    }
}

void tst_MarathonConnectorLive::startEstate(QStringList urls, qint64 timeoutMs, bool withProduction)
{
    if (urls.isEmpty()) {
        for (int i = 0; i < int(m_sim->ports().size()); ++i)
            urls << m_sim->url(i);
    }
    EnvironmentConfig env;
    env.name = kEnv;
    env.dockerHosts = {
        DockerHostConfig{m_hosts.front()->name(),
                         QStringLiteral("tcp://127.0.0.1:%1").arg(m_hosts.front()->port()),
                         {},
                         {}}};
    env.marathon = MarathonConfig{urls, m_username, m_passwordEnv, timeoutMs};
    OpsdeckConfig config;
    config.environments << env;
    if (withProduction) {
        EnvironmentConfig production;
        production.name = QStringLiteral("Production");
        production.production = true;
        production.readOnly = true;
        production.marathon = env.marathon;
        config.environments << production;
    }
    m_estate = std::make_unique<App::Estate>(config);
    Connectors::MarathonTimings timings;
    timings.coalesceMs = 20;
    timings.streamHeadersTimeoutMs = 2000;
    timings.reconnectInitialMs = 100;
    timings.reconnectMaxMs = 400;
    m_estate->setMarathonTimings(timings);
    QVERIFY(store());
    QVERIFY(connector());
    m_estate->start();
}

MarathonActionRequest tst_MarathonConnectorLive::request(MarathonAction action) const
{
    MarathonActionRequest r;
    r.action = action;
    r.environment = kEnv;
    r.appId = kWeb;
    return r;
}

Answer tst_MarathonConnectorLive::act(const MarathonActionRequest &request)
{
    QSignalSpy spy(m_estate->marathonOperations(), &MarathonOperations::marathonActionFinished);
    m_estate->marathonOperations()->requestMarathonAction(request);
    if (spy.isEmpty() && !spy.wait(10000))
        return Answer{false, QStringLiteral("no answer"), {}};
    if (spy.size() != 1)
        return Answer{false, QStringLiteral("answered %1 times").arg(spy.size()), {}};
    const QList<QVariant> args = spy.first();
    if (args.at(0).value<MarathonActionRequest>() != request)
        return Answer{false, QStringLiteral("answered another request"), {}};
    return Answer{args.at(1).toBool(), args.at(2).toString(), args.at(3).toString()};
}

bool tst_MarathonConnectorLive::settled(const QString &appId, int count, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        const MarathonApp *app = store()->app(appId);
        const QList<MarathonTask> tasks = store()->tasks(appId);
        bool done = app && app->deploymentIds.isEmpty() && tasks.size() == count;
        for (const MarathonTask &t : tasks)
            done = done && isHealthyRunning(t);
        if (done)
            return true;
        QTest::qWait(20);
    }
    if (const MarathonApp *app = store()->app(appId)) {
        qWarning("app %s version %s instances %d deployments %s",
                 qPrintable(appId),
                 qPrintable(app->version),
                 app->instances,
                 qPrintable(app->deploymentIds.join(QLatin1Char(','))));
        for (const MarathonTask &t : store()->tasks(appId))
            qWarning("  task %s %s %s health %d",
                     qPrintable(t.id),
                     qPrintable(t.state),
                     qPrintable(t.version),
                     int(t.health));
    }
    return false;
}

void tst_MarathonConnectorLive::listingWithEmbeds()
{
    startSim();
    m_sim->addApp(webApp(3));
    m_sim->addApp(workerApp(2));
    startEstate();
    QSignalSpy synced(connector(), &MarathonConnector::synced);
    QTRY_COMPARE_WITH_TIMEOUT(store()->marathonStatus().state, SourceState::Connected, 5000);
    QCOMPARE(synced.size(), 1);
    const HostStatus status = store()->marathonStatus();
    QCOMPARE(status.id, QStringLiteral("marathon"));
    QCOMPARE(status.url, m_sim->url(0));
    QCOMPARE(status.serverVersion, QStringLiteral("1.10.26"));
    QVERIFY(status.error.isEmpty());
    QCOMPARE(connector()->currentUrl(), m_sim->url(0));

    QCOMPARE(store()->appIds(),
             (QStringList{QStringLiteral("/shop/web"), QStringLiteral("/shop/worker")}));
    const MarathonApp *web = store()->app(kWeb);
    QCOMPARE(web->instances, 3);
    QCOMPARE(web->containerType, QStringLiteral("DOCKER"));
    QCOMPARE(web->image, QStringLiteral("shop/web:1.0"));
    QCOMPARE(web->env.value(QStringLiteral("DB_PASSWORD")), QStringLiteral("<secret:db>"));
    QCOMPARE(web->healthCheckCount, 1);
    QCOMPARE(web->upgradeStrategy, UpgradeStrategy{});
    QVERIFY(!web->version.isEmpty());
    // The tasks embed, with health (the sim's tasks pass their checks after a moment).
    QVERIFY(settled(kWeb, 3));
    QCOMPARE(store()->app(kWeb)->tasksHealthy, 3);
    for (const MarathonTask &t : store()->tasks(kWeb)) {
        QCOMPARE(t.appId, kWeb);
        QVERIFY(t.host.endsWith(QLatin1String(".example.internal")));
        QVERIFY(!t.agentId.isEmpty());
        QCOMPARE(t.ports.size(), 1);
        QVERIFY(t.startedAt.isValid());
    }
    const MarathonApp *worker = store()->app(QStringLiteral("/shop/worker"));
    QCOMPARE(worker->cmd, QStringLiteral("./worker --queue orders"));
    QTRY_COMPARE_WITH_TIMEOUT(store()->tasks(QStringLiteral("/shop/worker")).size(), 2, 5000);
    // Without health checks: no health, and Marathon reports tasksHealthy 0.
    for (const MarathonTask &t : store()->tasks(QStringLiteral("/shop/worker")))
        QCOMPARE(t.health, TaskHealth::None);
    QCOMPARE(store()->app(QStringLiteral("/shop/worker"))->tasksHealthy, 0);
    QVERIFY(store()->deployments().isEmpty());
}

void tst_MarathonConnectorLive::rollingUpgradeStepByStep()
{
    // API reference 2.8, worked example: N = 4, minHC 0.5, maxOC 0.25: never fewer than 2
    // healthy, never more than 5 tasks. Slower time, so that the connector sees each step.
    startSim(1, 8.0);
    m_sim->addApp(webApp(4, 0.5, 0.25));
    startEstate();
    QTRY_COMPARE_WITH_TIMEOUT(store()->marathonStatus().state, SourceState::Connected, 5000);
    QVERIFY(settled(kWeb, 4));
    const QString oldVersion = store()->app(kWeb)->version;

    int minHealthy = 4;
    int maxTasks = 4;
    QSet<QPair<int, int>> moments; // (old, new) tasks seen in one snapshot
    QSet<QString> deploymentsSeen;
    connect(store(), &MarathonStore::tasksChanged, this, [&](const QStringList &appIds) {
        if (!appIds.contains(kWeb))
            return;
        int healthy = 0;
        int total = 0;
        int older = 0;
        for (const MarathonTask &t : store()->tasks(kWeb)) {
            if (isTerminalTaskState(t.state))
                continue;
            ++total;
            older += t.version == oldVersion ? 1 : 0;
            healthy += isHealthyRunning(t) ? 1 : 0;
        }
        minHealthy = std::min(minHealthy, healthy);
        maxTasks = std::max(maxTasks, total);
        moments.insert({older, total - older});
    });
    connect(store(), &MarathonStore::deploymentsChanged, this, [&](const QStringList &added) {
        for (const QString &id : added)
            deploymentsSeen.insert(id);
    });

    MarathonActionRequest upgrade = request(MarathonAction::UpdateImage);
    upgrade.image = QStringLiteral("shop/web:2.0");
    const Answer answer = act(upgrade);
    QVERIFY2(answer.ok, qPrintable(answer.message));
    QVERIFY(!answer.deploymentId.isEmpty());
    QVERIFY2(answer.message.contains(answer.deploymentId), qPrintable(answer.message));

    // The deployment shows (it lasts seconds at this time scale), then ends.
    QTRY_VERIFY_WITH_TIMEOUT(deploymentsSeen.contains(answer.deploymentId), 5000);
    QVERIFY(settled(kWeb, 4, 20000));
    QTRY_VERIFY_WITH_TIMEOUT(store()->deployments().isEmpty(), 5000);
    for (const MarathonTask &t : store()->tasks(kWeb))
        QCOMPARE(t.version, store()->app(kWeb)->version);
    QCOMPARE(store()->app(kWeb)->image, QStringLiteral("shop/web:2.0"));
    QVERIFY(store()->app(kWeb)->version != oldVersion);
    QVERIFY2(minHealthy >= 2,
             qPrintable(QStringLiteral("%1 healthy at one moment").arg(minHealthy)));
    QVERIFY2(maxTasks <= 5, qPrintable(QStringLiteral("%1 tasks at one moment").arg(maxTasks)));
    // Step by step: several moments with old and new tasks side by side.
    int mixed = 0;
    for (const auto &m : std::as_const(moments))
        mixed += m.first > 0 && m.second > 0 ? 1 : 0;
    QVERIFY2(mixed >= 2, qPrintable(QStringLiteral("%1 mixed moments seen").arg(mixed)));

    // The PUT carried the whole container: type, ports and volumes are still there.
    const QJsonObject container = m_sim->app(kWeb).value(QStringLiteral("container")).toObject();
    QCOMPARE(container.value(QStringLiteral("type")).toString(), QStringLiteral("DOCKER"));
    QCOMPARE(container.value(QStringLiteral("docker"))[QStringLiteral("image")].toString(),
             QStringLiteral("shop/web:2.0"));
    QCOMPARE(container.value(QStringLiteral("portMappings")).toArray().size(), 1);
    QCOMPARE(container.value(QStringLiteral("volumes")).toArray().size(), 1);
}

void tst_MarathonConnectorLive::stuckDeploymentRolledBackAndLocks()
{
    startSim();
    m_sim->addApp(webApp(3));
    m_sim->setBrokenImage(QStringLiteral("shop/web:broken"));
    startEstate();
    QTRY_COMPARE_WITH_TIMEOUT(store()->marathonStatus().state, SourceState::Connected, 5000);
    QVERIFY(settled(kWeb, 3));
    const QString original = store()->app(kWeb)->version;

    MarathonActionRequest broken = request(MarathonAction::UpdateImage);
    broken.image = QStringLiteral("shop/web:broken");
    Answer answer = act(broken);
    QVERIFY2(answer.ok, qPrintable(answer.message));
    const QString stuck = answer.deploymentId;
    QTRY_VERIFY_WITH_TIMEOUT(store()->deployment(stuck), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(store()->app(kWeb)->deploymentIds, QStringList{stuck}, 5000);

    // While it runs, another change is refused with the deployment that holds the lock.
    MarathonActionRequest scale = request(MarathonAction::ScaleApp);
    scale.instances = 5;
    answer = act(scale);
    QVERIFY(!answer.ok);
    QVERIFY2(answer.message.contains(QStringLiteral("locked by deployment %1").arg(stuck)),
             qPrintable(answer.message));
    QCOMPARE(m_sim->deploymentIds(), QStringList{stuck}); // and nothing was retried

    // The new tasks never become healthy: the deployment stays.
    QTest::qWait(500);
    QVERIFY(store()->deployment(stuck));

    // Unknown ids: Marathon's words.
    MarathonActionRequest nothing = request(MarathonAction::RollbackDeployment);
    nothing.deploymentId = QStringLiteral("no-such-deployment");
    answer = act(nothing);
    QVERIFY(!answer.ok);
    QCOMPARE(answer.message, QStringLiteral("DeploymentPlan no-such-deployment does not exist"));
    MarathonActionRequest restartUnknown = request(MarathonAction::RestartApp);
    restartUnknown.appId = QStringLiteral("/shop/nope");
    answer = act(restartUnknown);
    QVERIFY(!answer.ok);
    QVERIFY2(answer.message.contains(QLatin1String("/shop/nope")), qPrintable(answer.message));

    // Roll back: Marathon starts a reverting deployment, and the app returns to its old image.
    MarathonActionRequest rollback = request(MarathonAction::RollbackDeployment);
    rollback.deploymentId = stuck;
    answer = act(rollback);
    QVERIFY2(answer.ok, qPrintable(answer.message));
    QVERIFY(!answer.deploymentId.isEmpty());
    QVERIFY(answer.deploymentId != stuck);
    QTRY_VERIFY_WITH_TIMEOUT(!store()->deployment(stuck), 5000);
    QVERIFY(settled(kWeb, 3, 15000));
    QCOMPARE(store()->app(kWeb)->image, QStringLiteral("shop/web:1.0"));
    QTRY_VERIFY_WITH_TIMEOUT(store()->deployments().isEmpty(), 5000);
    for (const MarathonTask &t : store()->tasks(kWeb))
        QVERIFY(t.version != original); // replaced by the reverting deployment

    // A forced cancel: 202, no rollback, no deployment id.
    answer = act(broken);
    QVERIFY2(answer.ok, qPrintable(answer.message));
    const QString second = answer.deploymentId;
    QTRY_VERIFY_WITH_TIMEOUT(store()->deployment(second), 5000);
    MarathonActionRequest cancel = request(MarathonAction::ForceCancelDeployment);
    cancel.deploymentId = second;
    answer = act(cancel);
    QVERIFY2(answer.ok, qPrintable(answer.message));
    QVERIFY(answer.deploymentId.isEmpty());
    QVERIFY2(answer.message.contains(QLatin1String("without rollback")),
             qPrintable(answer.message));
    QTRY_VERIFY_WITH_TIMEOUT(store()->deployments().isEmpty(), 5000);
    QVERIFY(m_sim->deploymentIds().isEmpty());

    // force=true overrides a lock (and cancels what held it).
    answer = act(broken);
    QVERIFY2(answer.ok, qPrintable(answer.message));
    scale.force = true;
    answer = act(scale);
    QVERIFY2(answer.ok, qPrintable(answer.message));
    QVERIFY2(answer.message.contains(QLatin1String("scaling /shop/web to 5 instances")),
             qPrintable(answer.message));
}

void tst_MarathonConnectorLive::readOnlyEnvironmentRefusesEverything()
{
    startSim();
    m_sim->addApp(webApp(1));
    startEstate({}, 2000, true);
    QTRY_COMPARE_WITH_TIMEOUT(store()->marathonStatus().state, SourceState::Connected, 5000);
    MarathonStore *production = m_estate->marathonStore(QStringLiteral("Production"));
    QVERIFY(production);
    QTRY_COMPARE_WITH_TIMEOUT(production->marathonStatus().state, SourceState::Connected, 5000);
    for (MarathonAction action : {MarathonAction::RestartApp,
                                  MarathonAction::ScaleApp,
                                  MarathonAction::UpdateImage,
                                  MarathonAction::RollbackDeployment,
                                  MarathonAction::ForceCancelDeployment}) {
        MarathonActionRequest r = request(action);
        r.environment = QStringLiteral("Production");
        r.instances = 2;
        r.image = QStringLiteral("shop/web:2.0");
        r.deploymentId = QStringLiteral("d-1");
        const Answer answer = act(r);
        QVERIFY(!answer.ok);
        QCOMPARE(answer.message,
                 QStringLiteral("environment Production is read-only: actions are disabled"));
    }
    QVERIFY(m_sim->deploymentIds().isEmpty());
    QCOMPARE(m_sim->app(kWeb).value(QStringLiteral("instances")).toInt(), 1);

    MarathonActionRequest elsewhere = request(MarathonAction::RestartApp);
    elsewhere.environment = QStringLiteral("Nowhere");
    QCOMPARE(act(elsewhere).message, QStringLiteral("no environment Nowhere"));
}

void tst_MarathonConnectorLive::droppedStreamLosesNothing()
{
    startSim();
    m_sim->addApp(webApp(1));
    startEstate();
    QTRY_COMPARE_WITH_TIMEOUT(store()->marathonStatus().state, SourceState::Connected, 5000);
    QVERIFY(settled(kWeb, 1));
    QSignalSpy synced(connector(), &MarathonConnector::synced);
    QSignalSpy failed(connector(), &MarathonConnector::failed);

    // The stream drops, and in the same instant (before any reconnect) the app changes: its
    // events go nowhere. The resync after the reconnect still brings the change.
    m_sim->dropEventStreams();
    QVERIFY(!m_sim->startDeployment(kWeb, QJsonObject{{QStringLiteral("instances"), 3}}).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(synced.size() >= 1, 5000);
    QVERIFY(settled(kWeb, 3));
    QCOMPARE(store()->app(kWeb)->instances, 3);
    // A drop after a healthy stream is no outage: the source never showed as unreachable.
    QCOMPARE(failed.size(), 0);
    QCOMPARE(store()->marathonStatus().state, SourceState::Connected);

    // And live events keep flowing on the new stream.
    QVERIFY(!m_sim->startDeployment(kWeb, QJsonObject{{QStringLiteral("instances"), 2}}).isEmpty());
    QVERIFY(settled(kWeb, 2));
}

void tst_MarathonConnectorLive::silentStreamIsReconnected()
{
    startSim(1, 20.0); // keep-alive comments every 15 s / 20 = 0.75 s
    m_sim->addApp(workerApp(1));
    startEstate();
    Connectors::MarathonTimings timings;
    timings.coalesceMs = 20;
    timings.reconnectInitialMs = 100;
    timings.streamSilenceMs = 3000; // 3 keep-alive intervals: comments keep it alive
    connector()->setTimings(timings);
    QTRY_COMPARE_WITH_TIMEOUT(store()->marathonStatus().state, SourceState::Connected, 5000);
    QSignalSpy failed(connector(), &MarathonConnector::failed);
    QTest::qWait(2500);
    QCOMPARE(failed.size(), 0);

    // Shorter than the keep-alive interval: the stream counts as dead, and is reconnected.
    timings.streamSilenceMs = 300;
    connector()->setTimings(timings);
    m_sim->dropEventStreams(); // the new stream runs with the new watchdog
    QVERIFY(failed.wait(5000));
    QVERIFY2(failed.first().at(0).toString().contains(QLatin1String("event stream was silent")),
             qPrintable(failed.first().at(0).toString()));
    QCOMPARE(store()->marathonStatus().state, SourceState::Unreachable);
    timings.streamSilenceMs = 60000;
    connector()->setTimings(timings);
    QTRY_COMPARE_WITH_TIMEOUT(store()->marathonStatus().state, SourceState::Connected, 5000);
}

void tst_MarathonConnectorLive::leaderChange()
{
    startSim(3);
    m_sim->addApp(webApp(1));
    startEstate();
    QTRY_COMPARE_WITH_TIMEOUT(store()->marathonStatus().state, SourceState::Connected, 5000);
    QCOMPARE(connector()->currentUrl(), m_sim->url(0));
    QSignalSpy failed(connector(), &MarathonConnector::failed);

    // The leader hands over: its streams end, the connector asks and follows.
    m_sim->setLeader(2);
    QTRY_COMPARE_WITH_TIMEOUT(connector()->currentUrl(), m_sim->url(2), 5000);
    QVERIFY(!m_sim->startDeployment(kWeb, QJsonObject{{QStringLiteral("instances"), 2}}).isEmpty());
    QVERIFY(settled(kWeb, 2));

    // The leader dies: the next master up leads (0), and the connector finds it.
    m_sim->stopMaster(2);
    QTRY_COMPARE_WITH_TIMEOUT(connector()->currentUrl(), m_sim->url(0), 5000);
    QVERIFY(!m_sim->startDeployment(kWeb, QJsonObject{{QStringLiteral("instances"), 3}}).isEmpty());
    QVERIFY(settled(kWeb, 3));
    QCOMPARE(failed.size(), 0);
    QCOMPARE(store()->marathonStatus().state, SourceState::Connected);
    QCOMPARE(store()->marathonStatus().url, m_sim->url(0));

    // Nobody leads: Marathon's own words (502 / "no leader"), the data stays.
    m_sim->setLeader(-1);
    QTRY_COMPARE_WITH_TIMEOUT(store()->marathonStatus().state, SourceState::Unreachable, 5000);
    QVERIFY2(store()->marathonStatus().error.contains(QLatin1String("no leader")),
             qPrintable(store()->marathonStatus().error));
    QCOMPARE(store()->tasks(kWeb).size(), 3);
    m_sim->setLeader(1);
    QTRY_COMPARE_WITH_TIMEOUT(store()->marathonStatus().state, SourceState::Connected, 5000);
    QCOMPARE(connector()->currentUrl(), m_sim->url(1));
}

void tst_MarathonConnectorLive::onlyAStandbyConfigured()
{
    // Only master 1 is configured; master 0 leads. Reads are forwarded by the standby, the
    // event stream follows its 307 to the leader.
    startSim(2);
    m_sim->addApp(webApp(1));
    startEstate({m_sim->url(1)});
    QTRY_COMPARE_WITH_TIMEOUT(store()->marathonStatus().state, SourceState::Connected, 5000);
    QCOMPARE(connector()->currentUrl(), m_sim->url(1));
    QVERIFY(settled(kWeb, 1));
    QVERIFY(!m_sim->startDeployment(kWeb, QJsonObject{{QStringLiteral("instances"), 2}}).isEmpty());
    QVERIFY(settled(kWeb, 2)); // seen through the redirected stream (safety resync is 60 s)
}

void tst_MarathonConnectorLive::downSlowOrBrokenWhileDockerKeepsUpdating()
{
    startSim();
    m_sim->addApp(webApp(2));
    startEstate({}, 500);
    EnvironmentStore *docker = m_estate->store(kEnv);
    const QString hostId = m_hosts.front()->name();
    QTRY_COMPARE_WITH_TIMEOUT(store()->marathonStatus().state, SourceState::Connected, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(docker->host(hostId)->state, SourceState::Connected, 5000);
    QVERIFY(settled(kWeb, 2));
    const QString url = m_sim->url(0);
    int sidecars = 0;
    // A container started on the Docker host, seen by the environment's Docker store.
    auto dockerMoves = [&]() {
        Sim::SimContainer c;
        c.name = QStringLiteral("sidecar-%1").arg(++sidecars);
        c.image = QStringLiteral("busybox:latest");
        m_hosts.front()->addContainer(c, true);
        QDeadlineTimer deadline(5000);
        while (!deadline.hasExpired()) {
            for (const QString &key : docker->containerKeys()) {
                if (docker->container(key)->name == c.name)
                    return true;
            }
            QTest::qWait(20);
        }
        return false;
    };

    // Malformed JSON: which URL, which request, where in the JSON.
    m_sim->setMalformedJson(true);
    connector()->refresh();
    QTRY_COMPARE_WITH_TIMEOUT(store()->marathonStatus().state, SourceState::Unreachable, 5000);
    QString error = store()->marathonStatus().error;
    QVERIFY2(error.contains(url) && error.contains(QLatin1String("malformed JSON at offset")),
             qPrintable(error));
    QVERIFY(dockerMoves());
    QCOMPARE(store()->tasks(kWeb).size(), 2); // the last good data stays
    QCOMPARE(docker->host(hostId)->state, SourceState::Connected);
    m_sim->setMalformedJson(false);
    QTRY_COMPARE_WITH_TIMEOUT(store()->marathonStatus().state, SourceState::Connected, 5000);

    // Slow: every request ends at the configured 500 ms.
    m_sim->setResponseDelayMs(1500);
    m_sim->dropEventStreams();
    // (A stream younger than a second that ends counts as a failure at once; the attempts
    // after it time out.)
    QTRY_VERIFY_WITH_TIMEOUT(store()->marathonStatus().error.contains(QLatin1String("timed out")),
                             5000);
    error = store()->marathonStatus().error;
    QCOMPARE(store()->marathonStatus().state, SourceState::Unreachable);
    QVERIFY2(error.contains(url), qPrintable(error));
    QVERIFY(dockerMoves());
    m_sim->setResponseDelayMs(0);
    QTRY_COMPARE_WITH_TIMEOUT(store()->marathonStatus().state, SourceState::Connected, 5000);

    // Down.
    m_sim->stop();
    QTRY_COMPARE_WITH_TIMEOUT(store()->marathonStatus().state, SourceState::Unreachable, 5000);
    error = store()->marathonStatus().error;
    QVERIFY2(error.contains(url), qPrintable(error));
    QVERIFY(dockerMoves());
    QCOMPARE(store()->tasks(kWeb).size(), 2);
    QCOMPARE(store()->appIds(), QStringList{kWeb});
}

void tst_MarathonConnectorLive::passwordFromTheEnvironmentOnly()
{
    const char *variable = "OPSDECK_TEST_MARATHON_PASSWORD";
    const QByteArray password = "s3cret-Pw";
    qunsetenv(variable);
    startSim();
    m_sim->addApp(workerApp(1));
    m_username = QStringLiteral("ops");
    m_passwordEnv = QString::fromLatin1(variable);

    // The variable is missing: said at once, by name, and nothing is tried.
    startEstate();
    QCOMPARE(store()->marathonStatus().state, SourceState::Unreachable);
    QCOMPARE(store()->marathonStatus().error,
             QStringLiteral("the environment variable OPSDECK_TEST_MARATHON_PASSWORD (the "
                            "Marathon password) is not set"));
    MarathonActionRequest restart = request(MarathonAction::RestartApp);
    QCOMPARE(act(restart).message, store()->marathonStatus().error);
    QVERIFY(m_sim->deploymentIds().isEmpty());

    // Set: it connects (HTTP Basic), and no error ever shows the password.
    qputenv(variable, password);
    startEstate();
    QTRY_COMPARE_WITH_TIMEOUT(store()->marathonStatus().state, SourceState::Connected, 5000);
    restart.appId = QStringLiteral("/shop/nope");
    const Answer refused = act(restart);
    m_sim->stop();
    QTRY_COMPARE_WITH_TIMEOUT(store()->marathonStatus().state, SourceState::Unreachable, 5000);
    const QString basic = QString::fromLatin1(QByteArray("ops:" + password).toBase64());
    for (const QString &text : {store()->marathonStatus().error, refused.message}) {
        QVERIFY2(!text.contains(QString::fromLatin1(password)) && !text.contains(basic),
                 qPrintable(text));
    }
    qunsetenv(variable);
}

QTEST_GUILESS_MAIN(tst_MarathonConnectorLive)
#include "tst_marathonconnector_live.moc"
