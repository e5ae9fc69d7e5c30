// SPDX-License-Identifier: MIT
// A simulated Docker engine, checked two ways: Opsdeck's connector sees what it would see on a
// real engine, and the docker CLI works against it unchanged.
#include "app/estate.h"
#include "app/sim/simdockerhost.h"
#include "tests/support/testsupport.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Opsdeck;
using namespace Opsdeck::Models;

namespace {

Sim::SimContainer make(const QString &name, const QString &policy, int maxRetries = 0)
{
    Sim::SimContainer c;
    c.name = name;
    c.image = QStringLiteral("shop/") + name + QStringLiteral(":1.0");
    c.cmd = {QStringLiteral("/bin/app"), QStringLiteral("--serve")};
    c.restartPolicy = policy;
    c.maximumRetryCount = maxRetries;
    c.env = {QStringLiteral("APP_ENV=staging")};
    c.labels = {{QStringLiteral("com.example.service"), name}};
    return c;
}

/// One environment, "Staging", whose only Docker host is @p host.
OpsdeckConfig configFor(const Sim::SimDockerHost &host)
{
    EnvironmentConfig env;
    env.name = QStringLiteral("Staging");
    env.dockerHosts = {DockerHostConfig{
        host.name(), QStringLiteral("tcp://127.0.0.1:%1").arg(host.port()), {}, {}}};
    OpsdeckConfig config;
    config.environments << env;
    return config;
}

const Container *byName(const EnvironmentStore *store, const QString &name)
{
    for (const QString &key : store->containerKeys()) {
        if (store->container(key)->name == name)
            return store->container(key);
    }
    return nullptr;
}

} // namespace

class tst_SimDockerHost : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void connectorSeesStatesAndFlags();
    void restartThroughTheConnector();
    void dockerCliWorksUnchanged();

private:
    QString docker(const QStringList &args, int *exitCode = nullptr);

    std::unique_ptr<Sim::SimDockerHost> m_host;
};

void tst_SimDockerHost::init()
{
    m_host = std::make_unique<Sim::SimDockerHost>(QStringLiteral("sim-1"));
    m_host->setTimeScale(20.0);
    QVERIFY2(m_host->listen(), qPrintable(m_host->errorString()));
    Sim::SimContainer web = make(QStringLiteral("web"), QStringLiteral("on-failure"), 5);
    web.health = QStringLiteral("starting");
    m_host->addContainer(web, true);
    Sim::SimContainer loop = make(QStringLiteral("crashloop"), QStringLiteral("always"));
    loop.crashAfterMs = 2000;
    m_host->addContainer(loop, true);
    Sim::SimContainer failing = make(QStringLiteral("failing"), QStringLiteral("on-failure"), 3);
    failing.crashAfterMs = 400;
    failing.crashExitCode = 3;
    m_host->addContainer(failing, true);
    m_host->addContainer(make(QStringLiteral("stopped"), QStringLiteral("no")), false);
}

void tst_SimDockerHost::cleanup()
{
    m_host.reset();
}

QString tst_SimDockerHost::docker(const QStringList &args, int *exitCode)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOCKER_HOST"),
               QStringLiteral("tcp://127.0.0.1:%1").arg(m_host->port()));
    env.insert(QStringLiteral("DOCKER_CONFIG"),
               QDir::tempPath() + QStringLiteral("/opsdeck-sim-docker-config"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral("/usr/bin/docker"), args);
    // The CLI talks to a server on this very event loop: keep the loop turning while it runs.
    QDeadlineTimer deadline(20000);
    while (p.state() != QProcess::NotRunning && !deadline.hasExpired())
        QTest::qWait(10);
    if (p.state() != QProcess::NotRunning) {
        p.kill();
        p.waitForFinished();
    }
    if (exitCode)
        *exitCode = p.exitCode();
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed()
           + QString::fromUtf8(p.readAllStandardError()).trimmed();
}

void tst_SimDockerHost::connectorSeesStatesAndFlags()
{
    App::Estate estate(configFor(*m_host));
    EnvironmentStore *store = estate.stores().first();
    estate.start();
    QTRY_COMPARE_WITH_TIMEOUT(
        store->host(QStringLiteral("sim-1"))->state, SourceState::Connected, 5000);
    QCOMPARE(store->host(QStringLiteral("sim-1"))->apiVersion, QStringLiteral("1.41"));
    QTRY_COMPARE_WITH_TIMEOUT(store->containerCount(), 4, 5000);

    // The on-failure:3 container gives up; the always one keeps restarting.
    QTRY_VERIFY_WITH_TIMEOUT(
        byName(store, QStringLiteral("failing"))->hasFlag(ContainerFlag::GaveUp), 10000);
    QCOMPARE(byName(store, QStringLiteral("failing"))->restartCount, 3);
    QCOMPARE(byName(store, QStringLiteral("failing"))->exitCode, 3);
    QTRY_VERIFY_WITH_TIMEOUT(
        byName(store, QStringLiteral("crashloop"))->hasFlag(ContainerFlag::CrashLoop), 10000);
    QVERIFY(byName(store, QStringLiteral("crashloop"))->hasFlag(ContainerFlag::DangerousPolicy));
    QTRY_COMPARE_WITH_TIMEOUT(
        byName(store, QStringLiteral("web"))->health, HealthStatus::Healthy, 5000);
    QCOMPARE(byName(store, QStringLiteral("web"))->flags, 0u);
    QCOMPARE(byName(store, QStringLiteral("stopped"))->state, ContainerState::Created);
    QCOMPARE(byName(store, QStringLiteral("web"))->env,
             QStringList{QStringLiteral("APP_ENV=staging")});
}

void tst_SimDockerHost::restartThroughTheConnector()
{
    App::Estate estate(configFor(*m_host));
    EnvironmentStore *store = estate.stores().first();
    estate.start();
    QTRY_VERIFY_WITH_TIMEOUT(byName(store, QStringLiteral("web"))
                                 && byName(store, QStringLiteral("web"))->inspected,
                             5000);
    const Container before = *byName(store, QStringLiteral("web"));
    QSignalSpy events(m_host.get(), &Sim::SimDockerHost::eventEmitted);
    QSignalSpy finished(&estate, &ContainerOperations::actionFinished);
    QTest::qWait(20); // so the new start time differs
    estate.requestAction(QStringLiteral("Staging"), before.key(), ContainerAction::Restart);
    QVERIFY(finished.wait(5000));
    QVERIFY(finished.at(0).at(3).toBool());
    QStringList actions;
    for (const auto &e : events) {
        const QJsonObject event = e.at(0).toJsonObject();
        const QString action = event.value(QStringLiteral("Action")).toString();
        // Other containers live on, and health probes report whenever they like.
        if (event.value(QStringLiteral("id")).toString() == before.id
            && !action.startsWith(QLatin1String("health_status")))
            actions << action;
    }
    QCOMPARE(actions.mid(0, 5),
             (QStringList{QStringLiteral("kill"),
                          QStringLiteral("die"),
                          QStringLiteral("stop"),
                          QStringLiteral("start"),
                          QStringLiteral("restart")}));
    QTRY_VERIFY_WITH_TIMEOUT(store->container(before.key())->startedAt > before.startedAt, 5000);
    QVERIFY(!store->container(before.key())->hasFlag(ContainerFlag::CrashLoop));
}

void tst_SimDockerHost::dockerCliWorksUnchanged()
{
    OPSDECK_REQUIRE_SERVER(
        QFileInfo::exists(QStringLiteral("/usr/bin/docker")),
        QStringLiteral("the docker CLI (Debian's docker.io) at /usr/bin/docker"));
    int rc = -1;
    const QString ps = docker({QStringLiteral("ps"),
                               QStringLiteral("-a"),
                               QStringLiteral("--format"),
                               QStringLiteral("{{.Names}} {{.Image}}")},
                              &rc);
    QCOMPARE(rc, 0);
    for (const char *name : {"web shop/web:1.0",
                             "crashloop shop/crashloop:1.0",
                             "failing shop/failing:1.0",
                             "stopped shop/stopped:1.0"})
        QVERIFY2(ps.contains(QLatin1String(name)), qPrintable(ps));

    const QString policy =
        docker({QStringLiteral("inspect"),
                QStringLiteral("-f"),
                QStringLiteral("{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy."
                               "MaximumRetryCount}} {{.State.Status}}"),
                QStringLiteral("web")},
               &rc);
    QCOMPARE(rc, 0);
    QCOMPARE(policy, QStringLiteral("on-failure:5 running"));

    const QString unknown = docker({QStringLiteral("inspect"), QStringLiteral("nope")}, &rc);
    QCOMPARE(rc, 1);
    QVERIFY2(unknown.contains(QStringLiteral("No such")), qPrintable(unknown));

    const QString startedBefore =
        m_host->container(QStringLiteral("web"))->startedAt.toString(Qt::ISODateWithMs);
    QTest::qWait(20);
    docker({QStringLiteral("restart"), QStringLiteral("web")}, &rc);
    QCOMPARE(rc, 0);
    QVERIFY(m_host->container(QStringLiteral("web"))->startedAt.toString(Qt::ISODateWithMs)
            != startedBefore);

    m_host->appendLog(QStringLiteral("web"), QStringLiteral("GET /health 200"));
    const QString logs = docker({QStringLiteral("logs"), QStringLiteral("web")}, &rc);
    QCOMPARE(rc, 0);
    QVERIFY2(logs.contains(QStringLiteral("GET /health 200"))
                 && logs.contains(QStringLiteral("web: started")),
             qPrintable(logs));
}

QTEST_GUILESS_MAIN(tst_SimDockerHost)
#include "tst_simdockerhost.moc"
