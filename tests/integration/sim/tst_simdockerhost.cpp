// SPDX-License-Identifier: MIT
// A simulated Docker engine, checked two ways: Opsdeck's connector sees what it would see on a
// real engine, and the docker CLI works against it unchanged.
#include "app/estate.h"
#include "app/sim/simdockerhost.h"
#include "tests/support/testsupport.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
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

constexpr qint64 kSecondNs = 1'000'000'000;
const QString kApiImage = QStringLiteral("registry.example.com/shop/api:2.0");
const QString kSickImage = QStringLiteral("registry.example.com/shop/api:2.1-unhealthy");
const QString kCrashImage = QStringLiteral("registry.example.com/shop/api:2.1-crash");

/// An image whose config containers inherit; its health check probes every second (engine
/// time), three failures make it unhealthy.
Sim::SimImage apiImage(const QString &name, Sim::SimBehaviour behaviour)
{
    Sim::SimImage image;
    image.name = name;
    image.env = {
        QStringLiteral("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
        QStringLiteral("LANG=C.UTF-8"),
        QStringLiteral("MODE=image")};
    image.cmd = {QStringLiteral("/usr/local/bin/api"), QStringLiteral("--serve")};
    image.labels = {{QStringLiteral("org.opencontainers.image.version"), QStringLiteral("2.0")},
                    {QStringLiteral("maintainer"), QStringLiteral("shop-team")}};
    image.healthcheck = QJsonObject{
        {QStringLiteral("Test"),
         QJsonArray{QStringLiteral("CMD-SHELL"),
                    QStringLiteral("curl -fsS http://localhost:8080/health || exit 1")}},
        {QStringLiteral("Interval"), kSecondNs},
        {QStringLiteral("Timeout"), kSecondNs},
        {QStringLiteral("Retries"), 3}};
    image.exposedPorts = QJsonObject{{QStringLiteral("8080/tcp"), QJsonObject()}};
    image.behaviour = behaviour;
    return image;
}

QStringList actionsOf(const QSignalSpy &events, const QString &id)
{
    QStringList actions;
    for (const auto &e : events) {
        const QJsonObject event = e.at(0).toJsonObject();
        if (event.value(QStringLiteral("id")).toString() == id)
            actions << event.value(QStringLiteral("Action")).toString();
    }
    return actions;
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
    void createMergesTheImageConfig();
    void createWithOwnCommandAndHealthcheck();
    void createRefusesConflictsAndUnknownImages();
    void renameEmitsEventAndRefusesConflicts();
    void removeRefusesARunningContainerWithoutForce();
    void updateChangesTheRestartPolicy();
    void imagesListAndInspect();
    void healthTurnsHealthyAfterTheFirstInterval();
    void neverHealthyImageTurnsUnhealthyAfterRetries();
    void startPeriodFailuresDoNotCount();
    void crashImageExitsAndItsPolicyApplies();
    void dockerCliCreatesRenamesAndRemoves();
    void eventStreamHonoursFilters();

private:
    QString docker(const QStringList &args, int *exitCode = nullptr);
    /// One call to the engine's API; the answer's JSON (null when empty) and status.
    QJsonDocument
    api(const QByteArray &method, const QString &path, int *status, const QJsonObject &body = {});
    QString createApi(const QString &name, const QJsonObject &body);
    QJsonObject inspect(const QString &idOrName);

    QNetworkAccessManager m_network;

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
    m_host->addImage(apiImage(kApiImage, Sim::SimBehaviour::Normal));
    m_host->addImage(apiImage(kSickImage, Sim::SimBehaviour::NeverHealthy));
    m_host->addImage(apiImage(kCrashImage, Sim::SimBehaviour::Crash));
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

QJsonDocument tst_SimDockerHost::api(const QByteArray &method,
                                     const QString &path,
                                     int *status,
                                     const QJsonObject &body)
{
    QNetworkRequest request(
        QUrl(QStringLiteral("http://127.0.0.1:%1/v1.41%2").arg(m_host->port()).arg(path)));
    request.setTransferTimeout(5000);
    const QByteArray payload =
        body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
    if (!payload.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    QNetworkReply *reply = m_network.sendCustomRequest(request, method, payload);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        finished.wait(5000);
    *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QJsonDocument doc = QJsonDocument::fromJson(reply->readAll());
    reply->deleteLater();
    return doc;
}

QString tst_SimDockerHost::createApi(const QString &name, const QJsonObject &body)
{
    int status = 0;
    const QJsonObject answer =
        api("POST", QStringLiteral("/containers/create?name=") + name, &status, body).object();
    if (status != 201)
        qWarning() << "create" << name << status << answer;
    return status == 201 ? answer.value(QStringLiteral("Id")).toString() : QString();
}

QJsonObject tst_SimDockerHost::inspect(const QString &idOrName)
{
    int status = 0;
    const QJsonObject o =
        api("GET", QStringLiteral("/containers/%1/json").arg(idOrName), &status).object();
    return status == 200 ? o : QJsonObject();
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

void tst_SimDockerHost::createMergesTheImageConfig()
{
    QSignalSpy events(m_host.get(), &Sim::SimDockerHost::eventEmitted);
    const QJsonObject body{
        {QStringLiteral("Image"), kApiImage},
        {QStringLiteral("Env"), QJsonArray{QStringLiteral("MODE=body"), QStringLiteral("EXTRA=1")}},
        {QStringLiteral("Labels"),
         QJsonObject{{QStringLiteral("com.example.service"), QStringLiteral("api")},
                     {QStringLiteral("maintainer"), QStringLiteral("ops")}}},
        {QStringLiteral("User"), QStringLiteral("app")},
        {QStringLiteral("HostConfig"),
         QJsonObject{{QStringLiteral("RestartPolicy"),
                      QJsonObject{{QStringLiteral("Name"), QStringLiteral("on-failure")},
                                  {QStringLiteral("MaximumRetryCount"), 5}}},
                     {QStringLiteral("Binds"),
                      QJsonArray{QStringLiteral("/srv/api/application.yaml:/etc/api/"
                                                "application.yaml:ro"),
                                 QStringLiteral("api-data:/var/lib/api")}},
                     {QStringLiteral("PortBindings"),
                      QJsonObject{{QStringLiteral("8080/tcp"),
                                   QJsonArray{QJsonObject{
                                       {QStringLiteral("HostIp"), QString()},
                                       {QStringLiteral("HostPort"), QStringLiteral("18080")}}}}}},
                     {QStringLiteral("NetworkMode"), QStringLiteral("shop-net")}}},
        {QStringLiteral("NetworkingConfig"),
         QJsonObject{{QStringLiteral("EndpointsConfig"),
                      QJsonObject{{QStringLiteral("shop-net"),
                                   QJsonObject{{QStringLiteral("Aliases"),
                                                QJsonArray{QStringLiteral("api")}}}}}}}}};
    int status = 0;
    const QJsonObject created =
        api("POST", QStringLiteral("/containers/create?name=api-1"), &status, body).object();
    QCOMPARE(status, 201);
    const QString id = created.value(QStringLiteral("Id")).toString();
    QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{64}$")).match(id).hasMatch());
    QCOMPARE(created.value(QStringLiteral("Warnings")).toArray(), QJsonArray());
    QCOMPARE(actionsOf(events, id), QStringList{QStringLiteral("create")});
    const QJsonObject attributes = events.last()
                                       .at(0)
                                       .toJsonObject()
                                       .value(QStringLiteral("Actor"))
                                       .toObject()
                                       .value(QStringLiteral("Attributes"))
                                       .toObject();
    QCOMPARE(attributes.value(QStringLiteral("name")).toString(), QStringLiteral("api-1"));
    QCOMPARE(attributes.value(QStringLiteral("image")).toString(), kApiImage);

    const QJsonObject o = inspect(QStringLiteral("api-1"));
    QCOMPARE(o.value(QStringLiteral("Id")).toString(), id);
    QCOMPARE(o.value(QStringLiteral("Name")).toString(), QStringLiteral("/api-1"));
    QCOMPARE(o.value(QStringLiteral("Image")).toString(), m_host->image(kApiImage)->id);
    QCOMPARE(o.value(QStringLiteral("State")).toObject().value(QStringLiteral("Status")),
             QStringLiteral("created"));
    QVERIFY(!o.value(QStringLiteral("State")).toObject().contains(QStringLiteral("Health")));
    const QJsonObject config = o.value(QStringLiteral("Config")).toObject();
    QCOMPARE(config.value(QStringLiteral("Image")).toString(), kApiImage);
    // The body's variables first, then the image's that the body does not set (moby merge()).
    QCOMPARE(config.value(QStringLiteral("Env")).toArray(),
             (QJsonArray{QStringLiteral("MODE=body"),
                         QStringLiteral("EXTRA=1"),
                         QStringLiteral("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
                                        "/sbin:/bin"),
                         QStringLiteral("LANG=C.UTF-8")}));
    QCOMPARE(config.value(QStringLiteral("Cmd")).toArray(),
             (QJsonArray{QStringLiteral("/usr/local/bin/api"), QStringLiteral("--serve")}));
    QVERIFY(config.value(QStringLiteral("Entrypoint")).isNull());
    QCOMPARE(
        config.value(QStringLiteral("Labels")).toObject(),
        (QJsonObject{{QStringLiteral("com.example.service"), QStringLiteral("api")},
                     {QStringLiteral("maintainer"), QStringLiteral("ops")},
                     {QStringLiteral("org.opencontainers.image.version"), QStringLiteral("2.0")}}));
    QCOMPARE(config.value(QStringLiteral("Healthcheck")).toObject(),
             m_host->image(kApiImage)->healthcheck);
    QVERIFY(config.value(QStringLiteral("ExposedPorts")).toObject().contains(u"8080/tcp"));
    QCOMPARE(config.value(QStringLiteral("Hostname")).toString(), id.left(12));
    QCOMPARE(config.value(QStringLiteral("User")).toString(), QStringLiteral("app"));
    QCOMPARE(config.value(QStringLiteral("Tty")).toBool(), false);

    const QJsonObject hostConfig = o.value(QStringLiteral("HostConfig")).toObject();
    QCOMPARE(hostConfig.value(QStringLiteral("RestartPolicy")).toObject(),
             (QJsonObject{{QStringLiteral("Name"), QStringLiteral("on-failure")},
                          {QStringLiteral("MaximumRetryCount"), 5}}));
    QCOMPARE(hostConfig.value(QStringLiteral("Binds")),
             body.value(QStringLiteral("HostConfig")).toObject().value(QStringLiteral("Binds")));
    QCOMPARE(
        hostConfig.value(QStringLiteral("PortBindings")),
        body.value(QStringLiteral("HostConfig")).toObject().value(QStringLiteral("PortBindings")));
    QCOMPARE(hostConfig.value(QStringLiteral("NetworkMode")).toString(),
             QStringLiteral("shop-net"));

    const QJsonArray mounts = o.value(QStringLiteral("Mounts")).toArray();
    QCOMPARE(mounts.size(), 2);
    const QJsonObject bind = mounts.at(0).toObject();
    QCOMPARE(bind.value(QStringLiteral("Type")).toString(), QStringLiteral("bind"));
    QCOMPARE(bind.value(QStringLiteral("Source")).toString(),
             QStringLiteral("/srv/api/application.yaml"));
    QCOMPARE(bind.value(QStringLiteral("Destination")).toString(),
             QStringLiteral("/etc/api/application.yaml"));
    QCOMPARE(bind.value(QStringLiteral("RW")).toBool(), false);
    const QJsonObject volume = mounts.at(1).toObject();
    QCOMPARE(volume.value(QStringLiteral("Type")).toString(), QStringLiteral("volume"));
    QCOMPARE(volume.value(QStringLiteral("Name")).toString(), QStringLiteral("api-data"));
    QCOMPARE(volume.value(QStringLiteral("Destination")).toString(),
             QStringLiteral("/var/lib/api"));
    QCOMPARE(volume.value(QStringLiteral("RW")).toBool(), true);

    const QJsonObject networks = o.value(QStringLiteral("NetworkSettings"))
                                     .toObject()
                                     .value(QStringLiteral("Networks"))
                                     .toObject();
    QCOMPARE(networks.keys(), QStringList{QStringLiteral("shop-net")});
    QCOMPARE(networks.value(QStringLiteral("shop-net"))
                 .toObject()
                 .value(QStringLiteral("Aliases"))
                 .toArray(),
             (QJsonArray{QStringLiteral("api"), id.left(12)}));

    // The bind-mounted file is the host's.
    m_host->setHostFile(QStringLiteral("/srv/api/application.yaml"), "port: 8080\n");
    api("GET", QStringLiteral("/containers/api-1/archive?path=/etc/api/application.yaml"), &status);
    QCOMPARE(status, 200);
    api("GET", QStringLiteral("/containers/api-1/archive?path=/etc/api/other.yaml"), &status);
    QCOMPARE(status, 404);

    // It starts like any other container, with the image's health check.
    QCOMPARE(api("POST", QStringLiteral("/containers/api-1/start"), &status).isNull(), true);
    QCOMPARE(status, 204);
    QCOMPARE(m_host->container(id)->state, QStringLiteral("running"));
    QCOMPARE(m_host->container(id)->health, QStringLiteral("starting"));
}

void tst_SimDockerHost::createWithOwnCommandAndHealthcheck()
{
    const QJsonObject check{
        {QStringLiteral("Test"),
         QJsonArray{QStringLiteral("CMD"), QStringLiteral("/bin/check"), QStringLiteral("-q")}},
        {QStringLiteral("Interval"), 2 * kSecondNs}};
    const QString id =
        createApi(QStringLiteral("api-own"),
                  {{QStringLiteral("Image"), kApiImage},
                   {QStringLiteral("Entrypoint"),
                    QJsonArray{QStringLiteral("/bin/tini"), QStringLiteral("--")}},
                   {QStringLiteral("Cmd"),
                    QJsonArray{QStringLiteral("/usr/local/bin/api"), QStringLiteral("--debug")}},
                   {QStringLiteral("Healthcheck"), check},
                   {QStringLiteral("Hostname"), QStringLiteral("api-own.example")},
                   {QStringLiteral("Tty"), true}});
    QVERIFY(!id.isEmpty());
    const QJsonObject config = inspect(id).value(QStringLiteral("Config")).toObject();
    QCOMPARE(config.value(QStringLiteral("Entrypoint")).toArray(),
             (QJsonArray{QStringLiteral("/bin/tini"), QStringLiteral("--")}));
    QCOMPARE(config.value(QStringLiteral("Cmd")).toArray(),
             (QJsonArray{QStringLiteral("/usr/local/bin/api"), QStringLiteral("--debug")}));
    // What the body's Healthcheck leaves at zero comes from the image's.
    const QJsonObject health = config.value(QStringLiteral("Healthcheck")).toObject();
    QCOMPARE(health.value(QStringLiteral("Test")), check.value(QStringLiteral("Test")));
    QCOMPARE(health.value(QStringLiteral("Interval")).toInteger(), 2 * kSecondNs);
    QCOMPARE(health.value(QStringLiteral("Retries")).toInt(), 3);
    QCOMPARE(health.value(QStringLiteral("Timeout")).toInteger(), kSecondNs);
    QCOMPARE(config.value(QStringLiteral("Hostname")).toString(),
             QStringLiteral("api-own.example"));
    QCOMPARE(config.value(QStringLiteral("Tty")).toBool(), true);
    // No RestartPolicy, no NetworkMode: what the engine stores then.
    const QJsonObject hostConfig = inspect(id).value(QStringLiteral("HostConfig")).toObject();
    QCOMPARE(hostConfig.value(QStringLiteral("NetworkMode")).toString(), QStringLiteral("default"));
    QVERIFY(inspect(id)
                .value(QStringLiteral("NetworkSettings"))
                .toObject()
                .value(QStringLiteral("Networks"))
                .toObject()
                .contains(u"bridge"));

    // An image without a command needs one in the body.
    Sim::SimImage bare;
    bare.name = QStringLiteral("scratch-tool");
    m_host->addImage(bare);
    int status = 0;
    const QJsonObject refused = api("POST",
                                    QStringLiteral("/containers/create?name=bare"),
                                    &status,
                                    {{QStringLiteral("Image"), QStringLiteral("scratch-tool")}})
                                    .object();
    QCOMPARE(status, 400);
    QCOMPARE(refused.value(QStringLiteral("message")).toString(),
             QStringLiteral("No command specified"));
    QVERIFY(!m_host->container(QStringLiteral("bare")));
    // "scratch-tool" is "scratch-tool:latest".
    QVERIFY(!createApi(QStringLiteral("bare"),
                       {{QStringLiteral("Image"), QStringLiteral("scratch-tool:latest")},
                        {QStringLiteral("Cmd"), QJsonArray{QStringLiteral("/tool")}}})
                 .isEmpty());
}

void tst_SimDockerHost::createRefusesConflictsAndUnknownImages()
{
    QSignalSpy events(m_host.get(), &Sim::SimDockerHost::eventEmitted);
    const int before = int(m_host->containers().size());
    int status = 0;
    const QString webId = m_host->container(QStringLiteral("web"))->id;
    QJsonObject answer = api("POST",
                             QStringLiteral("/containers/create?name=web"),
                             &status,
                             {{QStringLiteral("Image"), kApiImage}})
                             .object();
    QCOMPARE(status, 409);
    QCOMPARE(answer.value(QStringLiteral("message")).toString(),
             QStringLiteral("Conflict. The container name \"/web\" is already in use by container "
                            "\"%1\". You have to remove (or rename) that container to be able to "
                            "reuse that name.")
                 .arg(webId));

    answer = api("POST",
                 QStringLiteral("/containers/create?name=api-9"),
                 &status,
                 {{QStringLiteral("Image"), QStringLiteral("registry.example.com/shop/api:9.9")}})
                 .object();
    QCOMPARE(status, 404);
    QCOMPARE(answer.value(QStringLiteral("message")).toString(),
             QStringLiteral("No such image: registry.example.com/shop/api:9.9"));
    answer = api("POST",
                 QStringLiteral("/containers/create?name=api-9"),
                 &status,
                 {{QStringLiteral("Image"), QStringLiteral("registry.example.com/shop/api")}})
                 .object();
    QCOMPARE(status, 404);
    QCOMPARE(answer.value(QStringLiteral("message")).toString(),
             QStringLiteral("No such image: registry.example.com/shop/api:latest"));

    answer = api("POST",
                 QStringLiteral("/containers/create?name=-bad"),
                 &status,
                 {{QStringLiteral("Image"), kApiImage}})
                 .object();
    QCOMPARE(status, 400);
    QVERIFY(
        answer.value(QStringLiteral("message")).toString().startsWith(u"Invalid container name"));

    QCOMPARE(int(m_host->containers().size()), before);
    QCOMPARE(events.size(), 0);

    // Without a name, the engine makes one up.
    const QString unnamed = createApi(QString(), {{QStringLiteral("Image"), kApiImage}});
    QVERIFY(!unnamed.isEmpty());
    QVERIFY(!m_host->container(unnamed)->name.isEmpty());
}

void tst_SimDockerHost::renameEmitsEventAndRefusesConflicts()
{
    QSignalSpy events(m_host.get(), &Sim::SimDockerHost::eventEmitted);
    const QString id = m_host->container(QStringLiteral("web"))->id;
    int status = 0;
    api("POST", QStringLiteral("/containers/web/rename?name=web-old"), &status);
    QCOMPARE(status, 204);
    QVERIFY(!m_host->container(QStringLiteral("web")));
    QCOMPARE(m_host->container(QStringLiteral("web-old"))->id, id);
    QCOMPARE(inspect(id).value(QStringLiteral("Name")).toString(), QStringLiteral("/web-old"));
    QCOMPARE(actionsOf(events, id), QStringList{QStringLiteral("rename")});
    const QJsonObject event = events.last().at(0).toJsonObject();
    const QJsonObject attributes = event.value(QStringLiteral("Actor"))
                                       .toObject()
                                       .value(QStringLiteral("Attributes"))
                                       .toObject();
    QCOMPARE(attributes.value(QStringLiteral("name")).toString(), QStringLiteral("web-old"));
    QCOMPARE(attributes.value(QStringLiteral("oldName")).toString(), QStringLiteral("/web"));
    QCOMPARE(attributes.value(QStringLiteral("com.example.service")).toString(),
             QStringLiteral("web"));

    // The old name is free again; a name in use is not.
    QJsonObject answer =
        api("POST", QStringLiteral("/containers/stopped/rename?name=web-old"), &status).object();
    QCOMPARE(status, 409);
    QVERIFY2(answer.value(QStringLiteral("message"))
                 .toString()
                 .contains(QStringLiteral("The container name \"/web-old\" is already in use by "
                                          "container \"%1\"")
                               .arg(id)),
             qPrintable(answer.value(QStringLiteral("message")).toString()));
    QCOMPARE(m_host->container(QStringLiteral("stopped"))->name, QStringLiteral("stopped"));
    api("POST", QStringLiteral("/containers/stopped/rename?name=web"), &status);
    QCOMPARE(status, 204);
    answer = api("POST", QStringLiteral("/containers/nope/rename?name=x1"), &status).object();
    QCOMPARE(status, 404);
    QCOMPARE(answer.value(QStringLiteral("message")).toString(),
             QStringLiteral("No such container: nope"));
    api("POST", QStringLiteral("/containers/web/rename?name=web"), &status);
    QCOMPARE(status, 400);
}

void tst_SimDockerHost::removeRefusesARunningContainerWithoutForce()
{
    QSignalSpy events(m_host.get(), &Sim::SimDockerHost::eventEmitted);
    const QString webId = m_host->container(QStringLiteral("web"))->id;
    const QString stoppedId = m_host->container(QStringLiteral("stopped"))->id;
    int status = 0;
    const QJsonObject refused =
        api("DELETE", QStringLiteral("/containers/web?v=0"), &status).object();
    QCOMPARE(status, 409);
    QCOMPARE(refused.value(QStringLiteral("message")).toString(),
             QStringLiteral("You cannot remove a running container %1. Stop the container before "
                            "attempting removal or force remove")
                 .arg(webId));
    QCOMPARE(m_host->container(webId)->state, QStringLiteral("running"));

    api("DELETE", QStringLiteral("/containers/stopped"), &status);
    QCOMPARE(status, 204);
    QVERIFY(!m_host->container(stoppedId));
    QCOMPARE(actionsOf(events, stoppedId), QStringList{QStringLiteral("destroy")});

    api("DELETE", QStringLiteral("/containers/web?force=1&v=0"), &status);
    QCOMPARE(status, 204);
    QVERIFY(!m_host->container(webId));
    QStringList actions = actionsOf(events, webId);
    actions.removeIf([](const QString &a) { return a.startsWith(u"health_status"); });
    QCOMPARE(
        actions,
        (QStringList{QStringLiteral("kill"), QStringLiteral("die"), QStringLiteral("destroy")}));
    api("DELETE", QStringLiteral("/containers/web"), &status);
    QCOMPARE(status, 404);
}

void tst_SimDockerHost::updateChangesTheRestartPolicy()
{
    int status = 0;
    const QJsonObject answer = api("POST",
                                   QStringLiteral("/containers/web/update"),
                                   &status,
                                   {{QStringLiteral("RestartPolicy"),
                                     QJsonObject{{QStringLiteral("Name"), QStringLiteral("no")},
                                                 {QStringLiteral("MaximumRetryCount"), 0}}}})
                                   .object();
    QCOMPARE(status, 200);
    QCOMPARE(answer.value(QStringLiteral("Warnings")).toArray(), QJsonArray());
    QCOMPARE(inspect(QStringLiteral("web"))
                 .value(QStringLiteral("HostConfig"))
                 .toObject()
                 .value(QStringLiteral("RestartPolicy"))
                 .toObject()
                 .value(QStringLiteral("Name"))
                 .toString(),
             QStringLiteral("no"));
    // Now a crash stays a crash.
    QVERIFY(m_host->exitContainer(QStringLiteral("web"), 1));
    QTest::qWait(100);
    QCOMPARE(m_host->container(QStringLiteral("web"))->state, QStringLiteral("exited"));
    QCOMPARE(m_host->container(QStringLiteral("web"))->restartCount, 0);
}

void tst_SimDockerHost::imagesListAndInspect()
{
    int status = 0;
    const QJsonArray list = api("GET", QStringLiteral("/images/json"), &status).array();
    QCOMPARE(status, 200);
    QStringList tags;
    for (const auto &v : list)
        tags << v.toObject().value(QStringLiteral("RepoTags")).toArray().at(0).toString();
    // The images of the containers added before come with them.
    QCOMPARE(tags,
             (QStringList{QStringLiteral("shop/web:1.0"),
                          QStringLiteral("shop/crashloop:1.0"),
                          QStringLiteral("shop/failing:1.0"),
                          QStringLiteral("shop/stopped:1.0"),
                          kApiImage,
                          kSickImage,
                          kCrashImage}));
    const QString id = list.at(4).toObject().value(QStringLiteral("Id")).toString();
    QVERIFY(QRegularExpression(QStringLiteral("^sha256:[0-9a-f]{64}$")).match(id).hasMatch());
    QVERIFY(id != list.at(5).toObject().value(QStringLiteral("Id")).toString());
    QCOMPARE(inspect(QStringLiteral("web")).value(QStringLiteral("Image")).toString(),
             list.at(0).toObject().value(QStringLiteral("Id")).toString());

    // By name (slashes and all, or percent-encoded as clients send it), by id, by short id.
    for (const QString &ref :
         {kApiImage, QString::fromLatin1(QUrl::toPercentEncoding(kApiImage)), id, id.mid(7, 12)}) {
        const QJsonObject o =
            api("GET", QStringLiteral("/images/%1/json").arg(ref), &status).object();
        QCOMPARE(status, 200);
        QCOMPARE(o.value(QStringLiteral("Id")).toString(), id);
        QCOMPARE(o.value(QStringLiteral("RepoTags")).toArray(), QJsonArray{kApiImage});
        const QJsonObject config = o.value(QStringLiteral("Config")).toObject();
        QCOMPARE(config.value(QStringLiteral("Env")).toArray().size(), 3);
        QCOMPARE(config.value(QStringLiteral("Cmd")).toArray(),
                 (QJsonArray{QStringLiteral("/usr/local/bin/api"), QStringLiteral("--serve")}));
        QVERIFY(config.value(QStringLiteral("Entrypoint")).isNull());
        QCOMPARE(config.value(QStringLiteral("Labels"))
                     .toObject()
                     .value(QStringLiteral("org.opencontainers.image.version"))
                     .toString(),
                 QStringLiteral("2.0"));
        QCOMPARE(config.value(QStringLiteral("Healthcheck"))
                     .toObject()
                     .value(QStringLiteral("Retries"))
                     .toInt(),
                 3);
    }
    const QJsonObject missing =
        api("GET", QStringLiteral("/images/registry.example.com/shop/api:9.9/json"), &status)
            .object();
    QCOMPARE(status, 404);
    QCOMPARE(missing.value(QStringLiteral("message")).toString(),
             QStringLiteral("No such image: registry.example.com/shop/api:9.9"));

    // A container created from it reports the image's id, and the image counts it.
    const QString container =
        createApi(QStringLiteral("api-1"), {{QStringLiteral("Image"), kApiImage}});
    QCOMPARE(inspect(container).value(QStringLiteral("Image")).toString(), id);
    const QJsonArray after = api("GET", QStringLiteral("/images/json"), &status).array();
    QCOMPARE(after.at(4).toObject().value(QStringLiteral("Containers")).toInt(), 1);
    QCOMPARE(after.at(5).toObject().value(QStringLiteral("Containers")).toInt(), 0);
}

void tst_SimDockerHost::healthTurnsHealthyAfterTheFirstInterval()
{
    // One second of engine time is 50 ms here.
    QSignalSpy events(m_host.get(), &Sim::SimDockerHost::eventEmitted);
    const QString id = createApi(QStringLiteral("api-1"), {{QStringLiteral("Image"), kApiImage}});
    QVERIFY(!id.isEmpty());
    QElapsedTimer clock;
    clock.start();
    QVERIFY(m_host->start(id));
    QJsonObject health = inspect(id)
                             .value(QStringLiteral("State"))
                             .toObject()
                             .value(QStringLiteral("Health"))
                             .toObject();
    QCOMPARE(health.value(QStringLiteral("Status")).toString(), QStringLiteral("starting"));
    QCOMPARE(health.value(QStringLiteral("FailingStreak")).toInt(), 0);
    QCOMPARE(health.value(QStringLiteral("Log")).toArray().size(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(m_host->container(id)->health, QStringLiteral("healthy"), 3000);
    // Not before the first interval.
    QVERIFY2(clock.elapsed() >= 45, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(actionsOf(events, id),
             (QStringList{QStringLiteral("create"),
                          QStringLiteral("start"),
                          QStringLiteral("health_status: healthy")}));
    health = inspect(id)
                 .value(QStringLiteral("State"))
                 .toObject()
                 .value(QStringLiteral("Health"))
                 .toObject();
    QCOMPARE(health.value(QStringLiteral("Status")).toString(), QStringLiteral("healthy"));
    QCOMPARE(health.value(QStringLiteral("FailingStreak")).toInt(), 0);
    const QJsonArray log = health.value(QStringLiteral("Log")).toArray();
    QVERIFY(!log.isEmpty());
    QCOMPARE(log.last().toObject().value(QStringLiteral("ExitCode")).toInt(), 0);
    QVERIFY(!log.last().toObject().value(QStringLiteral("Start")).toString().isEmpty());

    // It keeps probing (five results kept), and says nothing while nothing changes.
    QTRY_COMPARE_WITH_TIMEOUT(m_host->container(id)->healthLog.size(), 5, 3000);
    QTest::qWait(120);
    QCOMPARE(m_host->container(id)->healthLog.size(), 5);
    QCOMPARE(actionsOf(events, id).size(), 3);

    // Stopped, the monitor stops and reports unhealthy; started again, "starting".
    QVERIFY(m_host->stopContainer(id, 1));
    QCOMPARE(m_host->container(id)->health, QStringLiteral("unhealthy"));
    QVERIFY(m_host->start(id));
    QCOMPARE(m_host->container(id)->health, QStringLiteral("starting"));
    QTRY_COMPARE_WITH_TIMEOUT(m_host->container(id)->health, QStringLiteral("healthy"), 3000);
}

void tst_SimDockerHost::neverHealthyImageTurnsUnhealthyAfterRetries()
{
    QSignalSpy events(m_host.get(), &Sim::SimDockerHost::eventEmitted);
    const QString id =
        createApi(QStringLiteral("api-sick"),
                  {{QStringLiteral("Image"), kSickImage},
                   {QStringLiteral("HostConfig"),
                    QJsonObject{{QStringLiteral("RestartPolicy"),
                                 QJsonObject{{QStringLiteral("Name"), QStringLiteral("on-failure")},
                                             {QStringLiteral("MaximumRetryCount"), 5}}}}}});
    QVERIFY(!id.isEmpty());
    QVERIFY(m_host->start(id));
    // Watch every state it passes through: "starting" while the streak is below Retries (3).
    QSet<QString> seen;
    QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired()) {
        const Sim::SimContainer *c = m_host->container(id);
        seen.insert(QStringLiteral("%1/%2").arg(c->health).arg(c->failingStreak));
        if (c->health == QLatin1String("unhealthy"))
            break;
        QTest::qWait(5);
    }
    QVERIFY2(seen.contains(QStringLiteral("starting/1"))
                 && seen.contains(QStringLiteral("starting/2"))
                 && seen.contains(QStringLiteral("unhealthy/3")),
             qPrintable(QStringList(seen.begin(), seen.end()).join(u' ')));
    QVERIFY2(!seen.contains(QStringLiteral("unhealthy/1"))
                 && !seen.contains(QStringLiteral("unhealthy/2")),
             qPrintable(QStringList(seen.begin(), seen.end()).join(u' ')));
    for (const QString &s : std::as_const(seen))
        QVERIFY2(!s.startsWith(u"healthy"), qPrintable(s));

    const QJsonObject state = inspect(id).value(QStringLiteral("State")).toObject();
    // An unhealthy container keeps running: Docker restarts on exit, not on health.
    QCOMPARE(state.value(QStringLiteral("Status")).toString(), QStringLiteral("running"));
    const QJsonObject health = state.value(QStringLiteral("Health")).toObject();
    QCOMPARE(health.value(QStringLiteral("Status")).toString(), QStringLiteral("unhealthy"));
    QVERIFY(health.value(QStringLiteral("FailingStreak")).toInt() >= 3);
    const QJsonObject last = health.value(QStringLiteral("Log")).toArray().last().toObject();
    QCOMPARE(last.value(QStringLiteral("ExitCode")).toInt(), 1);
    QVERIFY2(last.value(QStringLiteral("Output")).toString().contains(u"503"),
             qPrintable(last.value(QStringLiteral("Output")).toString()));
    QTest::qWait(150);
    QCOMPARE(actionsOf(events, id),
             (QStringList{QStringLiteral("create"),
                          QStringLiteral("start"),
                          QStringLiteral("health_status: unhealthy")}));
    QCOMPARE(inspect(id).value(QStringLiteral("RestartCount")).toInt(), 0);
}

void tst_SimDockerHost::startPeriodFailuresDoNotCount()
{
    // A start period of 20 s (one second here) with probes every second (50 ms).
    QJsonObject check = m_host->image(kSickImage)->healthcheck;
    check.insert(QStringLiteral("StartPeriod"), 20 * kSecondNs);
    const QString id =
        createApi(QStringLiteral("api-slow"),
                  {{QStringLiteral("Image"), kSickImage}, {QStringLiteral("Healthcheck"), check}});
    QVERIFY(m_host->start(id));
    QTRY_VERIFY_WITH_TIMEOUT(m_host->container(id)->healthLog.size() >= 4, 3000);
    QCOMPARE(m_host->container(id)->failingStreak, 0);
    QCOMPARE(m_host->container(id)->health, QStringLiteral("starting"));
    QTRY_COMPARE_WITH_TIMEOUT(m_host->container(id)->health, QStringLiteral("unhealthy"), 5000);
}

void tst_SimDockerHost::crashImageExitsAndItsPolicyApplies()
{
    QSignalSpy events(m_host.get(), &Sim::SimDockerHost::eventEmitted);
    const QString id =
        createApi(QStringLiteral("api-crash"),
                  {{QStringLiteral("Image"), kCrashImage},
                   {QStringLiteral("HostConfig"),
                    QJsonObject{{QStringLiteral("RestartPolicy"),
                                 QJsonObject{{QStringLiteral("Name"), QStringLiteral("on-failure")},
                                             {QStringLiteral("MaximumRetryCount"), 2}}}}}});
    QVERIFY(!id.isEmpty());
    QVERIFY(m_host->start(id));
    // Two restarts, then the policy gives up: exited with code 1.
    QTRY_VERIFY_WITH_TIMEOUT(m_host->container(id)->restartCount == 2
                                 && m_host->container(id)->state == QLatin1String("exited"),
                             5000);
    QTest::qWait(150);
    const QJsonObject o = inspect(id);
    QCOMPARE(o.value(QStringLiteral("RestartCount")).toInt(), 2);
    const QJsonObject state = o.value(QStringLiteral("State")).toObject();
    QCOMPARE(state.value(QStringLiteral("Status")).toString(), QStringLiteral("exited"));
    QCOMPARE(state.value(QStringLiteral("ExitCode")).toInt(), 1);
    QCOMPARE(
        state.value(QStringLiteral("Health")).toObject().value(QStringLiteral("Status")).toString(),
        QStringLiteral("unhealthy"));
    QStringList actions = actionsOf(events, id);
    actions.removeIf([](const QString &a) { return a.startsWith(u"health_status"); });
    QCOMPARE(actions,
             (QStringList{QStringLiteral("create"),
                          QStringLiteral("start"),
                          QStringLiteral("die"),
                          QStringLiteral("start"),
                          QStringLiteral("die"),
                          QStringLiteral("start"),
                          QStringLiteral("die")}));
    // It never passed a health check.
    QVERIFY(!actionsOf(events, id).contains(QStringLiteral("health_status: healthy")));
}

void tst_SimDockerHost::dockerCliCreatesRenamesAndRemoves()
{
    OPSDECK_REQUIRE_SERVER(
        QFileInfo::exists(QStringLiteral("/usr/bin/docker")),
        QStringLiteral("the docker CLI (Debian's docker.io) at /usr/bin/docker"));
    int rc = -1;
    const QString id = docker({QStringLiteral("create"),
                               QStringLiteral("--pull"),
                               QStringLiteral("never"),
                               QStringLiteral("--name"),
                               QStringLiteral("api-1"),
                               QStringLiteral("-e"),
                               QStringLiteral("MODE=cli"),
                               QStringLiteral("--restart"),
                               QStringLiteral("on-failure:3"),
                               QStringLiteral("-v"),
                               QStringLiteral("/srv/api:/etc/api:ro"),
                               QStringLiteral("-l"),
                               QStringLiteral("com.example.service=api"),
                               kApiImage},
                              &rc);
    QCOMPARE(rc, 0);
    QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f]{64}$")).match(id).hasMatch(),
             qPrintable(id));
    const QString env = docker({QStringLiteral("inspect"),
                                QStringLiteral("-f"),
                                QStringLiteral("{{json .Config.Env}} {{.HostConfig.RestartPolicy."
                                               "Name}}:{{.HostConfig.RestartPolicy."
                                               "MaximumRetryCount}} {{json .HostConfig.Binds}} "
                                               "{{index .Config.Labels \"maintainer\"}}"),
                                QStringLiteral("api-1")},
                               &rc);
    QCOMPARE(rc, 0);
    QVERIFY2(env.startsWith(QStringLiteral("[\"MODE=cli\",\"PATH=")), qPrintable(env));
    QVERIFY2(env.endsWith(QStringLiteral("on-failure:3 [\"/srv/api:/etc/api:ro\"] shop-team")),
             qPrintable(env));

    QString out = docker({QStringLiteral("create"),
                          QStringLiteral("--pull"),
                          QStringLiteral("never"),
                          QStringLiteral("--name"),
                          QStringLiteral("api-1"),
                          kApiImage},
                         &rc);
    QCOMPARE(rc, 1);
    QVERIFY2(out.contains(QStringLiteral("is already in use")), qPrintable(out));
    out = docker({QStringLiteral("create"),
                  QStringLiteral("--pull"),
                  QStringLiteral("never"),
                  QStringLiteral("registry.example.com/shop/api:9.9")},
                 &rc);
    QCOMPARE(rc, 1);
    QVERIFY2(out.contains(QStringLiteral("No such image")), qPrintable(out));

    docker({QStringLiteral("start"), QStringLiteral("api-1")}, &rc);
    QCOMPARE(rc, 0);
    docker({QStringLiteral("rename"), QStringLiteral("api-1"), QStringLiteral("api-1-old")}, &rc);
    QCOMPARE(rc, 0);
    QCOMPARE(m_host->container(id)->name, QStringLiteral("api-1-old"));
    out =
        docker({QStringLiteral("rename"), QStringLiteral("api-1-old"), QStringLiteral("web")}, &rc);
    QCOMPARE(rc, 1);
    QVERIFY2(out.contains(QStringLiteral("is already in use")), qPrintable(out));
    out = docker({QStringLiteral("rm"), QStringLiteral("api-1-old")}, &rc);
    QCOMPARE(rc, 1);
    QVERIFY2(out.contains(QStringLiteral("You cannot remove a running container")),
             qPrintable(out));
    QVERIFY(m_host->container(id));
    docker({QStringLiteral("rm"), QStringLiteral("-f"), QStringLiteral("api-1-old")}, &rc);
    QCOMPARE(rc, 0);
    QVERIFY(!m_host->container(id));

    out = docker({QStringLiteral("image"),
                  QStringLiteral("inspect"),
                  QStringLiteral("-f"),
                  QStringLiteral("{{.Id}} {{json .Config.Cmd}}"),
                  kApiImage},
                 &rc);
    QCOMPARE(rc, 0);
    QCOMPARE(out,
             m_host->image(kApiImage)->id
                 + QStringLiteral(" [\"/usr/local/bin/api\",\"--serve\"]"));
    out = docker({QStringLiteral("images"),
                  QStringLiteral("--format"),
                  QStringLiteral("{{.Repository}}:{{.Tag}}")},
                 &rc);
    QCOMPARE(rc, 0);
    QStringList listed = out.split(u'\n');
    listed.sort();
    QCOMPARE(listed,
             (QStringList{kApiImage,
                          kCrashImage,
                          kSickImage,
                          QStringLiteral("shop/crashloop:1.0"),
                          QStringLiteral("shop/failing:1.0"),
                          QStringLiteral("shop/stopped:1.0"),
                          QStringLiteral("shop/web:1.0")}));
    out =
        docker({QStringLiteral("image"), QStringLiteral("inspect"), QStringLiteral("nope:1")}, &rc);
    QCOMPARE(rc, 1);
    QVERIFY2(out.contains(QStringLiteral("No such image")), qPrintable(out));
}

void tst_SimDockerHost::eventStreamHonoursFilters()
{
    // As moby filters: the container by name, "health_status" without a colon matching
    // "health_status: healthy", and nothing about the other container or other actions.
    const QString filters = QStringLiteral(
        R"({"type":["container"],"container":["api-1"],"event":["start","health_status"]})");
    QUrl url(QStringLiteral("http://127.0.0.1:%1/v1.41/events").arg(m_host->port()));
    url.setQuery(QStringLiteral("filters=")
                 + QString::fromLatin1(QUrl::toPercentEncoding(filters)));
    QNetworkReply *stream = m_network.get(QNetworkRequest(url));
    QByteArray received;
    connect(stream, &QNetworkReply::readyRead, this, [&] { received += stream->readAll(); });
    QTRY_VERIFY_WITH_TIMEOUT(
        stream->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200, 3000);

    const QString one = createApi(QStringLiteral("api-1"), {{QStringLiteral("Image"), kApiImage}});
    const QString two = createApi(QStringLiteral("api-2"), {{QStringLiteral("Image"), kApiImage}});
    QVERIFY(!one.isEmpty() && !two.isEmpty());
    QVERIFY(m_host->start(one));
    QVERIFY(m_host->start(two));
    QTRY_COMPARE_WITH_TIMEOUT(m_host->container(two)->health, QStringLiteral("healthy"), 3000);
    QTRY_VERIFY_WITH_TIMEOUT(received.count('\n') >= 2, 3000);
    QTest::qWait(100);
    QStringList seen;
    for (const QByteArray &line : received.split('\n')) {
        if (line.isEmpty())
            continue;
        const QJsonObject event = QJsonDocument::fromJson(line).object();
        seen << event.value(QStringLiteral("id")).toString().left(12) + QLatin1Char(' ')
                    + event.value(QStringLiteral("Action")).toString();
    }
    QCOMPARE(seen,
             (QStringList{one.left(12) + QStringLiteral(" start"),
                          one.left(12) + QStringLiteral(" health_status: healthy")}));
    stream->abort();
    stream->deleteLater();

    // A filter that is no JSON is refused, as the engine does.
    int status = 0;
    api("GET", QStringLiteral("/events?filters=%7Bnope"), &status);
    QCOMPARE(status, 400);
}

QTEST_GUILESS_MAIN(tst_SimDockerHost)
#include "tst_simdockerhost.moc"
