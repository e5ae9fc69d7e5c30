// SPDX-License-Identifier: MIT
#include "connectors/marathon/marathonparsers.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Opsdeck::Connectors;
using namespace Opsdeck::Models;

namespace {

// Shapes follow shared/reference/apis.md section 2 (Marathon REST API v2, 1.10).

template<typename T>
QString errorOf(const Result<T> &result)
{
    return result.ok() ? QString() : result.error();
}

/// GET /v2/apps?embed=apps.tasks&embed=apps.lastTaskFailure: a Docker app on the 1.5+ layout
/// with health checks, a rolling upgrade in flight and a failed task; an app of the pre-1.5
/// layout (ports under container.docker); a command app without health checks.
const QByteArray kApps = R"({"apps": [
 {"id": "/prod/web", "instances": 4, "cpus": 0.5, "mem": 256, "disk": 0, "gpus": 0,
  "cmd": null, "args": null,
  "container": {"type": "DOCKER", "volumes": [{"containerPath": "/data", "hostPath": "/srv/web", "mode": "RW"}],
                "docker": {"image": "shop/web:1.5", "forcePullImage": false},
                "portMappings": [{"containerPort": 8080, "hostPort": 0, "servicePort": 10000, "protocol": "tcp", "name": "http"}]},
  "env": {"APP_ENV": "prod", "DB_PASSWORD": {"secret": "db-pass"}},
  "labels": {"team": "shop"},
  "healthChecks": [{"protocol": "HTTP", "path": "/health", "portIndex": 0, "gracePeriodSeconds": 300,
                    "intervalSeconds": 60, "timeoutSeconds": 20, "maxConsecutiveFailures": 3}],
  "upgradeStrategy": {"minimumHealthCapacity": 0.5, "maximumOverCapacity": 0.25},
  "version": "2026-03-01T10:00:00.000Z",
  "versionInfo": {"lastScalingAt": "2026-02-01T09:00:00.000Z", "lastConfigChangeAt": "2026-03-01T10:00:00.000Z"},
  "tasksStaged": 1, "tasksRunning": 4, "tasksHealthy": 3, "tasksUnhealthy": 1,
  "deployments": [{"id": "97c136bf-5a1c-4c4b-9c3b-1a2b3c4d5e6f"}],
  "tasks": [
   {"id": "prod_web.instance-aaaa", "appId": "/prod/web", "host": "agent-1.example.internal",
    "ports": [31001], "servicePorts": [10000], "ipAddresses": [{"ipAddress": "127.0.0.1", "protocol": "IPv4"}],
    "slaveId": "S1", "state": "TASK_RUNNING", "stagedAt": "2026-02-01T09:00:01.000Z",
    "startedAt": "2026-02-01T09:00:05.500Z", "version": "2026-02-01T09:00:00.000Z",
    "healthCheckResults": [{"alive": true, "consecutiveFailures": 0, "firstSuccess": "2026-02-01T09:00:10.000Z",
                            "lastSuccess": "2026-03-01T09:59:00.000Z", "lastFailure": null,
                            "lastFailureCause": null, "instanceId": "prod_web.marathon-aaaa"}]},
   {"id": "prod_web.instance-bbbb", "appId": "/prod/web", "host": "agent-2.example.internal",
    "ports": [31002], "slaveId": "S2", "state": "TASK_RUNNING", "stagedAt": "2026-03-01T10:00:01.000Z",
    "startedAt": "2026-03-01T10:00:04.000Z", "version": "2026-03-01T10:00:00.000Z",
    "healthCheckResults": [{"alive": false, "consecutiveFailures": 2, "lastFailureCause": "HTTP 503 on /health"}]},
   {"id": "prod_web.instance-cccc", "appId": "/prod/web", "host": "agent-2.example.internal",
    "ports": [], "slaveId": "S2", "state": "TASK_STAGING", "stagedAt": "2026-03-01T10:00:02.000Z",
    "version": "2026-03-01T10:00:00.000Z"}],
  "lastTaskFailure": {"appId": "/prod/web", "host": "agent-3.example.internal", "message": "Container exited with status 1",
                      "state": "TASK_FAILED", "taskId": "prod_web.instance-dddd", "timestamp": "2026-03-01T10:01:00.000Z",
                      "version": "2026-03-01T10:00:00.000Z", "slaveId": "S3"}},
 {"id": "/legacy/api", "instances": 2,
  "container": {"type": "DOCKER", "docker": {"image": "shop/api:0.9", "network": "BRIDGE",
                "portMappings": [{"containerPort": 9000, "hostPort": 0, "servicePort": 10001, "protocol": "udp"}]}},
  "version": "2015-09-30T09:09:17.614Z",
  "tasksStaged": 0, "tasksRunning": 2, "tasksHealthy": 0, "tasksUnhealthy": 0, "deployments": []},
 {"id": "/batch/report", "cmd": "sleep 3600", "cpus": 0.1, "mem": 32,
  "tasksStaged": 0, "tasksRunning": 1, "tasksHealthy": 0, "tasksUnhealthy": 0, "deployments": [],
  "tasks": [{"id": "batch_report.7d1f", "host": "agent-1.example.internal", "slaveId": "S1",
             "state": "TASK_RUNNING", "version": "2026-01-01T00:00:00.000Z"}]}
]})";

QDateTime utc(const char *iso)
{
    return QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODateWithMs).toUTC();
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QJsonObject object(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

/// Each event as "event|data" for comparisons.
QStringList eventsText(const QList<SseEvent> &events)
{
    QStringList out;
    for (const SseEvent &e : events)
        out << QString::fromUtf8(e.event + '|' + e.data);
    return out;
}

} // namespace

class tst_MarathonParsers : public QObject
{
    Q_OBJECT

private slots:
    void appsListing();
    void appWithoutOptionalFields();
    void singleApp();
    void malformedApps_data();
    void malformedApps();
    void tasks();
    void deployments();
    void malformedDeployments_data();
    void malformedDeployments();
    void leader_data();
    void leader();
    void events_data();
    void events();
    void eventTypesAreSubscribedToAndRefreshSomething();
    void imageUpdateKeepsTheWholeContainer();
    void imageUpdateRefusals_data();
    void imageUpdateRefusals();
    void deploymentId();
    void errorsInWords_data();
    void errorsInWords();
    void sseFraming_data();
    void sseFraming();
    void sseEverySplitGivesTheSameEvents();
    void sseOversizedEventIsDropped();
};

void tst_MarathonParsers::appsListing()
{
    const auto parsed = parseMarathonApps(kApps);
    QVERIFY2(parsed.ok(), qPrintable(errorOf(parsed)));
    const MarathonAppsSnapshot &s = parsed.value();
    QCOMPARE(s.apps.size(), 3);

    const MarathonApp &web = s.apps.at(0);
    QCOMPARE(web.id, QStringLiteral("/prod/web"));
    QCOMPARE(web.instances, 4);
    QCOMPARE(web.cpus, 0.5);
    QCOMPARE(web.memMb, 256.0);
    QCOMPARE(web.containerType, QStringLiteral("DOCKER"));
    QCOMPARE(web.image, QStringLiteral("shop/web:1.5"));
    QVERIFY(web.cmd.isEmpty()); // null
    QCOMPARE(web.env.value(QStringLiteral("APP_ENV")), QStringLiteral("prod"));
    // A secret reference is named, never resolved.
    QCOMPARE(web.env.value(QStringLiteral("DB_PASSWORD")), QStringLiteral("<secret:db-pass>"));
    QCOMPARE(web.labels.value(QStringLiteral("team")), QStringLiteral("shop"));
    QCOMPARE(web.healthCheckCount, 1);
    QCOMPARE(web.upgradeStrategy.minimumHealthCapacity, 0.5);
    QCOMPARE(web.upgradeStrategy.maximumOverCapacity, 0.25);
    QCOMPARE(web.version, QStringLiteral("2026-03-01T10:00:00.000Z"));
    QCOMPARE(web.lastConfigChangeAt, utc("2026-03-01T10:00:00.000Z"));
    QCOMPARE(web.lastScalingAt, utc("2026-02-01T09:00:00.000Z"));
    QCOMPARE(web.tasksStaged, 1);
    QCOMPARE(web.tasksRunning, 4);
    QCOMPARE(web.tasksHealthy, 3);
    QCOMPARE(web.tasksUnhealthy, 1);
    QCOMPARE(web.deploymentIds,
             QStringList{QStringLiteral("97c136bf-5a1c-4c4b-9c3b-1a2b3c4d5e6f")});
    QVERIFY(web.lastTaskFailure.has_value());
    QCOMPARE(web.lastTaskFailure->taskId, QStringLiteral("prod_web.instance-dddd"));
    QCOMPARE(web.lastTaskFailure->state, QStringLiteral("TASK_FAILED"));
    QCOMPARE(web.lastTaskFailure->message, QStringLiteral("Container exited with status 1"));
    QCOMPARE(web.lastTaskFailure->host, QStringLiteral("agent-3.example.internal"));
    QCOMPARE(web.lastTaskFailure->timestamp, utc("2026-03-01T10:01:00.000Z"));
    QCOMPARE(s.portMappings.value(web.id),
             (QList<MarathonPortMapping>{
                 {8080, 0, 10000, QStringLiteral("tcp"), QStringLiteral("http")}}));

    // Before 1.5: ports under container.docker; no upgradeStrategy means 1 / 1.
    const MarathonApp &legacy = s.apps.at(1);
    QCOMPARE(legacy.image, QStringLiteral("shop/api:0.9"));
    QCOMPARE(legacy.upgradeStrategy, UpgradeStrategy{});
    QCOMPARE(legacy.upgradeStrategy.minimumHealthCapacity, 1.0);
    QCOMPARE(legacy.upgradeStrategy.maximumOverCapacity, 1.0);
    QCOMPARE(legacy.healthCheckCount, 0);
    QVERIFY(legacy.deploymentIds.isEmpty());
    QVERIFY(!legacy.lastTaskFailure.has_value());
    QCOMPARE(s.portMappings.value(legacy.id),
             (QList<MarathonPortMapping>{{9000, 0, 10001, QStringLiteral("udp"), QString()}}));

    // A command app: no container, instances default to 1.
    const MarathonApp &batch = s.apps.at(2);
    QCOMPARE(batch.cmd, QStringLiteral("sleep 3600"));
    QVERIFY(batch.containerType.isEmpty());
    QVERIFY(batch.image.isEmpty());
    QCOMPARE(batch.instances, 1);
    QVERIFY(!s.portMappings.contains(batch.id));

    // Tasks of every app, health from healthCheckResults.
    QCOMPARE(s.tasks.size(), 4);
    const MarathonTask &healthy = s.tasks.at(0);
    QCOMPARE(healthy.id, QStringLiteral("prod_web.instance-aaaa"));
    QCOMPARE(healthy.appId, QStringLiteral("/prod/web"));
    QCOMPARE(healthy.host, QStringLiteral("agent-1.example.internal"));
    QCOMPARE(healthy.agentId, QStringLiteral("S1"));
    QCOMPARE(healthy.ports, QList<int>{31001});
    QCOMPARE(healthy.state, QStringLiteral("TASK_RUNNING"));
    QCOMPARE(healthy.stagedAt, utc("2026-02-01T09:00:01.000Z"));
    QCOMPARE(healthy.startedAt, utc("2026-02-01T09:00:05.500Z"));
    QCOMPARE(healthy.version, QStringLiteral("2026-02-01T09:00:00.000Z"));
    QCOMPARE(healthy.health, TaskHealth::Healthy);
    QVERIFY(healthy.healthMessage.isEmpty());
    const MarathonTask &failing = s.tasks.at(1);
    QCOMPARE(failing.health, TaskHealth::Unhealthy);
    QCOMPARE(failing.healthMessage, QStringLiteral("HTTP 503 on /health"));
    const MarathonTask &staging = s.tasks.at(2);
    QCOMPARE(staging.health, TaskHealth::None);
    QVERIFY(!staging.startedAt.isValid());
    QVERIFY(staging.ports.isEmpty());
    // A task without appId belongs to the app that embeds it.
    QCOMPARE(s.tasks.at(3).appId, QStringLiteral("/batch/report"));
    QCOMPARE(s.tasks.at(3).health, TaskHealth::None);
}

void tst_MarathonParsers::appWithoutOptionalFields()
{
    const auto parsed = parseMarathonApps(R"({"apps": [{"id": "/a"}]})");
    QVERIFY2(parsed.ok(), qPrintable(errorOf(parsed)));
    const MarathonApp &a = parsed.value().apps.first();
    QCOMPARE(a.instances, 1);
    QCOMPARE(a.upgradeStrategy, UpgradeStrategy{});
    QVERIFY(a.env.isEmpty());
    QVERIFY(!a.lastConfigChangeAt.isValid());
    QVERIFY(parsed.value().tasks.isEmpty());

    const auto empty = parseMarathonApps(R"({"apps": []})");
    QVERIFY(empty.ok());
    QVERIFY(empty.value().apps.isEmpty());
}

void tst_MarathonParsers::singleApp()
{
    // GET /v2/apps/{id} answers {"app": …} with tasks embedded by default.
    QJsonObject app =
        QJsonDocument::fromJson(kApps).object()[QStringLiteral("apps")].toArray().at(0).toObject();
    QJsonObject root;
    root.insert(QStringLiteral("app"), app);
    const auto parsed = parseMarathonApp(compact(root));
    QVERIFY2(parsed.ok(), qPrintable(errorOf(parsed)));
    QCOMPARE(parsed.value().apps.size(), 1);
    QCOMPARE(parsed.value().apps.first().id, QStringLiteral("/prod/web"));
    QCOMPARE(parsed.value().tasks.size(), 3);

    QCOMPARE(errorOf(parseMarathonApp(R"({"apps": []})")),
             QStringLiteral("app: expected an object, got nothing"));
    QCOMPARE(errorOf(parseMarathonApp(R"({"app": {"id": 5}})")),
             QStringLiteral("app.id: expected a string, got a number"));
}

void tst_MarathonParsers::malformedApps_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");

    QTest::newRow("not JSON") << QByteArray(R"({"apps": [{"id": "/a", )")
                              << QStringLiteral("malformed JSON at offset 23: ");
    QTest::newRow("empty body") << QByteArray() << QStringLiteral("malformed JSON at offset 0: ");
    QTest::newRow("an array at the top")
        << QByteArray("[]") << QStringLiteral("expected a JSON object");
    QTest::newRow("no apps") << QByteArray(R"({"message": "ok"})")
                             << QStringLiteral("apps: missing");
    QTest::newRow("apps not a list") << QByteArray(R"({"apps": {"id": "/a"}})")
                                     << QStringLiteral("apps: expected an array, got an object");
    QTest::newRow("an app that is no object")
        << QByteArray(R"({"apps": [{"id": "/a"}, 7]})")
        << QStringLiteral("apps[1]: expected an object, got a number");
    QTest::newRow("no id") << QByteArray(R"({"apps": [{"instances": 1}]})")
                           << QStringLiteral("apps[0].id: missing");
    QTest::newRow("empty id") << QByteArray(R"({"apps": [{"id": ""}]})")
                              << QStringLiteral("apps[0].id: is empty");
    QTest::newRow("instances as text") << QByteArray(
        R"({"apps": [{"id": "/a"}, {"id": "/b"}, {"id": "/c"}, {"id": "/d", "instances": "3"}]})")
                                       << QStringLiteral(
                                              "apps[3].instances: expected a number, got a string");
    QTest::newRow("instances not whole")
        << QByteArray(R"({"apps": [{"id": "/a", "instances": 1.5}]})")
        << QStringLiteral("apps[0].instances: expected a whole number, got 1.5");
    QTest::newRow("instances beyond int")
        << QByteArray(R"({"apps": [{"id": "/a", "instances": 1e12}]})")
        << QStringLiteral("apps[0].instances: expected a whole number, got 1e+12");
    QTest::newRow("cpus as text") << QByteArray(R"({"apps": [{"id": "/a", "cpus": "0.5"}]})")
                                  << QStringLiteral(
                                         "apps[0].cpus: expected a number, got a string");
    QTest::newRow("env value a number")
        << QByteArray(R"({"apps": [{"id": "/a", "env": {"PORT": 80}}]})")
        << QStringLiteral(
               "apps[0].env.PORT: expected a string or {\"secret\": name}, got a number");
    QTest::newRow("env secret without name")
        << QByteArray(R"({"apps": [{"id": "/a", "env": {"PW": {"file": "x"}}}]})")
        << QStringLiteral("apps[0].env.PW.secret: missing");
    QTest::newRow("label value a boolean")
        << QByteArray(R"({"apps": [{"id": "/a", "labels": {"canary": true}}]})")
        << QStringLiteral("apps[0].labels.canary: expected a string, got a boolean");
    QTest::newRow("container a string")
        << QByteArray(R"({"apps": [{"id": "/a", "container": "DOCKER"}]})")
        << QStringLiteral("apps[0].container: expected an object, got a string");
    QTest::newRow("image a number")
        << QByteArray(R"({"apps": [{"id": "/a", "container": {"docker": {"image": 1}}}]})")
        << QStringLiteral("apps[0].container.docker.image: expected a string, got a number");
    QTest::newRow("port mapping port as text") << QByteArray(
        R"({"apps": [{"id": "/a", "container": {"portMappings": [{"containerPort": "80"}]}}]})")
                                               << QStringLiteral("apps[0].container.portMappings[0]"
                                                                 ".containerPort: expected a "
                                                                 "number, got a string");
    QTest::newRow("old port mapping not an object")
        << QByteArray(
               R"({"apps": [{"id": "/a", "container": {"docker": {"portMappings": [80]}}}]})")
        << QStringLiteral(
               "apps[0].container.docker.portMappings[0]: expected an object, got a number");
    QTest::newRow("health checks an object")
        << QByteArray(R"({"apps": [{"id": "/a", "healthChecks": {}}]})")
        << QStringLiteral("apps[0].healthChecks: expected an array, got an object");
    QTest::newRow("capacity as text")
        << QByteArray(
               R"({"apps": [{"id": "/a", "upgradeStrategy": {"minimumHealthCapacity": "1"}}]})")
        << QStringLiteral(
               "apps[0].upgradeStrategy.minimumHealthCapacity: expected a number, got a string");
    QTest::newRow("deployment without id")
        << QByteArray(R"({"apps": [{"id": "/a", "deployments": [{}]}]})")
        << QStringLiteral("apps[0].deployments[0].id: missing");
    QTest::newRow("bad version time")
        << QByteArray(R"({"apps": [{"id": "/a", "versionInfo": {"lastScalingAt": "yesterday"}}]})")
        << QStringLiteral(
               "apps[0].versionInfo.lastScalingAt: expected an ISO-8601 time, got 'yesterday'");
    QTest::newRow("task without id") << QByteArray(
        R"({"apps": [{"id": "/a", "tasks": [{"id": "t1"}, {"state": "TASK_RUNNING"}]}]})")
                                     << QStringLiteral("apps[0].tasks[1].id: missing");
    QTest::newRow("task port out of range")
        << QByteArray(R"({"apps": [{"id": "/a", "tasks": [{"id": "t1", "ports": [70000]}]}]})")
        << QStringLiteral("apps[0].tasks[0].ports[0]: expected a port number");
    QTest::newRow("health result alive as text") << QByteArray(
        R"({"apps": [{"id": "/a", "tasks": [{"id": "t1", "healthCheckResults": [{"alive": "yes"}]}]}]})")
                                                 << QStringLiteral(
                                                        "apps[0].tasks[0].healthCheckResults[0]."
                                                        "alive: expected true or false, got a "
                                                        "string");
    QTest::newRow("last failure a list")
        << QByteArray(R"({"apps": [{"id": "/a", "lastTaskFailure": []}]})")
        << QStringLiteral("apps[0].lastTaskFailure: expected an object, got an array");
}

void tst_MarathonParsers::malformedApps()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    const auto parsed = parseMarathonApps(json);
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.error().startsWith(error), qPrintable(parsed.error()));
}

void tst_MarathonParsers::tasks()
{
    const auto parsed = parseMarathonTasks(R"({"tasks": [
        {"id": "web.instance-1", "appId": "/web", "host": "agent-1.example.internal", "ports": [31000, 31001],
         "slaveId": "S0", "state": "TASK_KILLING", "stagedAt": "2026-03-01T10:00:00Z",
         "startedAt": "2026-03-01T10:00:02.25Z", "version": "2026-03-01T09:00:00.000Z",
         "healthCheckResults": [{"alive": true}, {"alive": false, "lastFailureCause": "connection refused"}]},
        {"id": "web.instance-2", "appId": "/web", "state": "TASK_RUNNING",
         "healthCheckResults": [{"alive": true}, {"alive": true}]}]})");
    QVERIFY2(parsed.ok(), qPrintable(errorOf(parsed)));
    QCOMPARE(parsed.value().size(), 2);
    const MarathonTask &t = parsed.value().first();
    QCOMPARE(t.ports, (QList<int>{31000, 31001}));
    QCOMPARE(t.state, QStringLiteral("TASK_KILLING"));
    QCOMPARE(t.startedAt, utc("2026-03-01T10:00:02.250Z"));
    // One failing result makes the task unhealthy (reference 2.2).
    QCOMPARE(t.health, TaskHealth::Unhealthy);
    QCOMPARE(t.healthMessage, QStringLiteral("connection refused"));
    QCOMPARE(parsed.value().at(1).health, TaskHealth::Healthy);

    QCOMPARE(errorOf(parseMarathonTasks(R"({"tasks": [{"id": "x", "slaveId": 3}]})")),
             QStringLiteral("tasks[0].slaveId: expected a string, got a number"));
    QCOMPARE(errorOf(parseMarathonTasks("web.instance-1 TASK_RUNNING")).left(27),
             QStringLiteral("malformed JSON at offset 1:"));
}

void tst_MarathonParsers::deployments()
{
    // The example of reference 2.5, and a two-step deployment in its second step.
    const auto parsed = parseMarathonDeployments(R"([
        {"id": "97c136bf-5a1c-4c4b-9c3b-1a2b3c4d5e6f", "version": "2015-09-30T09:09:17.614Z",
         "affectedApps": ["/foo"], "affectedPods": [],
         "steps": [{"actions": [{"action": "RestartApplication", "app": "/foo"}]}],
         "currentActions": [{"action": "RestartApplication", "app": "/foo", "readinessCheckResults": []}],
         "currentStep": 1, "totalSteps": 1},
        {"id": "d2", "version": "2026-03-01T10:00:00.000Z", "affectedApps": ["/db", "/web"],
         "steps": [{"actions": [{"action": "StartApplication", "app": "/db"}]},
                   {"actions": [{"action": "ScaleApplication", "app": "/db"}, {"action": "StartPod", "pod": "/pod"}]}],
         "currentActions": [{"action": "ScaleApplication", "app": "/db"}],
         "currentStep": 2, "totalSteps": 2}])");
    QVERIFY2(parsed.ok(), qPrintable(errorOf(parsed)));
    QCOMPARE(parsed.value().size(), 2);
    const MarathonDeployment &d = parsed.value().first();
    QCOMPARE(d.id, QStringLiteral("97c136bf-5a1c-4c4b-9c3b-1a2b3c4d5e6f"));
    QCOMPARE(d.version, QStringLiteral("2015-09-30T09:09:17.614Z"));
    QCOMPARE(d.affectedApps, QStringList{QStringLiteral("/foo")});
    using Action = MarathonDeployment::Action;
    const Action restart{QStringLiteral("RestartApplication"), QStringLiteral("/foo")};
    QCOMPARE(d.steps, QList<QList<Action>>{{restart}});
    QCOMPARE(d.currentActions, QList<Action>{restart});
    QCOMPARE(d.currentStep, 1);
    QCOMPARE(d.totalSteps, 1);
    QVERIFY(!d.firstSeen.isValid()); // the store decides when it was first seen

    const MarathonDeployment &two = parsed.value().at(1);
    QCOMPARE(two.steps.size(), 2);
    QCOMPARE(two.steps.at(1).at(1), (Action{QStringLiteral("StartPod"), QStringLiteral("/pod")}));
    QCOMPARE(two.currentStep, 2);

    QVERIFY(parseMarathonDeployments("[]").ok());
}

void tst_MarathonParsers::malformedDeployments_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");
    QTest::newRow("an object") << QByteArray(R"({"deployments": []})")
                               << QStringLiteral("expected a JSON array");
    QTest::newRow("cut short") << QByteArray(R"([{"id": "d1", "steps": [)")
                               << QStringLiteral("malformed JSON at offset");
    QTest::newRow("no id") << QByteArray(R"([{"id": "d1"}, {"version": "x"}])")
                           << QStringLiteral("[1].id: missing");
    QTest::newRow("step as text")
        << QByteArray(R"([{"id": "d1", "steps": ["RestartApplication"]}])")
        << QStringLiteral("[0].steps[0]: expected an object, got a string");
    QTest::newRow("action app a number")
        << QByteArray(R"([{"id": "d1", "currentActions": [{"action": "X", "app": 1}]}])")
        << QStringLiteral("[0].currentActions[0].app: expected a string, got a number");
    QTest::newRow("currentStep as text")
        << QByteArray(R"([{"id": "d1", "currentStep": "1"}])")
        << QStringLiteral("[0].currentStep: expected a number, got a string");
    QTest::newRow("affected apps not strings")
        << QByteArray(R"([{"id": "d1", "affectedApps": [1]}])")
        << QStringLiteral("[0].affectedApps[0]: expected a string, got a number");
}

void tst_MarathonParsers::malformedDeployments()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    const auto parsed = parseMarathonDeployments(json);
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.error().startsWith(error), qPrintable(parsed.error()));
}

void tst_MarathonParsers::leader_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("leader");
    QTest::addColumn<QString>("version");
    QTest::addColumn<QString>("error");
    QTest::newRow("/v2/leader") << QByteArray(R"({"leader": "master-2.example.internal:8080"})")
                                << QStringLiteral("master-2.example.internal:8080") << QString()
                                << QString();
    QTest::newRow("/v2/info") << QByteArray(
        R"({"name": "marathon", "version": "1.10.17", "buildref": "x",
        "elected": true, "leader": "127.0.0.1:8080", "frameworkId": "f-1",
        "marathon_config": {"master": "zk://zk.example.internal:2181/mesos"}, "zookeeper_config": {}, "http_config": {}})")
                              << QStringLiteral("127.0.0.1:8080") << QStringLiteral("1.10.17")
                              << QString();
    QTest::newRow("no leader (404 body)")
        << QByteArray(R"({"message": "There is no leader"})") << QString() << QString()
        << QStringLiteral("there is no leader");
    QTest::newRow("info without a leader")
        << QByteArray(R"({"version": "1.10.17", "leader": null})") << QString() << QString()
        << QStringLiteral("there is no leader");
    QTest::newRow("leader a number") << QByteArray(R"({"leader": 8080})") << QString() << QString()
                                     << QStringLiteral("leader: expected a string, got a number");
    QTest::newRow("pong") << QByteArray("pong") << QString() << QString()
                          << QStringLiteral("malformed JSON at offset 1: illegal value");
}

void tst_MarathonParsers::leader()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, leader);
    QFETCH(QString, version);
    QFETCH(QString, error);
    const auto parsed = parseMarathonLeader(json);
    QCOMPARE(errorOf(parsed), error);
    if (parsed.ok()) {
        QCOMPARE(parsed.value().leader, leader);
        QCOMPARE(parsed.value().version, version);
    }
}

void tst_MarathonParsers::events_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("eventType");
    QTest::addColumn<QString>("appId");
    QTest::addColumn<QString>("taskId");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("deploymentId");
    QTest::addColumn<int>("refresh");
    QTest::addColumn<QString>("error");

    const int apps = int(MarathonRefresh::Apps);
    const int both = int(MarathonRefresh::Both);
    const int none = int(MarathonRefresh::None);
    QTest::newRow("status_update_event") << QByteArray(
        R"({"eventType": "status_update_event", "timestamp": "2026-03-01T10:00:00.000Z",
            "slaveId": "S1", "taskId": "web.instance-1", "taskStatus": "TASK_RUNNING", "message": "",
            "appId": "/web", "host": "agent-1.example.internal", "ipAddresses": [], "ports": [31000],
            "version": "2026-03-01T09:00:00.000Z"})")
                                         << "status_update_event"
                                         << "/web"
                                         << "web.instance-1"
                                         << "TASK_RUNNING"
                                         << "" << apps << "";
    QTest::newRow("instance_changed_event") << QByteArray(
        R"({"eventType": "instance_changed_event", "timestamp": "2026-03-01T10:00:00.000Z",
            "instanceId": "web.marathon-1", "condition": "Running", "runSpecId": "/web", "agentId": "S1",
            "host": "agent-1.example.internal", "runSpecVersion": "2026-03-01T09:00:00.000Z"})")
                                            << "instance_changed_event"
                                            << "/web"
                                            << "web.marathon-1"
                                            << "Running"
                                            << "" << apps << "";
    QTest::newRow("instance_health_changed_event") << QByteArray(
        R"({"eventType": "instance_health_changed_event", "timestamp": "2026-03-01T10:00:00.000Z",
            "instanceId": "web.marathon-1", "runSpecId": "/web", "runSpecVersion": "v", "healthy": null})")
                                                   << "instance_health_changed_event"
                                                   << "/web"
                                                   << "web.marathon-1"
                                                   << ""
                                                   << "" << apps << "";
    QTest::newRow("health_status_changed_event") << QByteArray(
        R"({"eventType": "health_status_changed_event", "timestamp": "2026-03-01T10:00:00.000Z",
            "appId": "/web", "instanceId": "web.marathon-1", "version": "v", "alive": false})")
                                                 << "health_status_changed_event"
                                                 << "/web"
                                                 << "web.marathon-1"
                                                 << ""
                                                 << "" << apps << "";
    QTest::newRow("deployment_info (1.10 plan)")
        << QByteArray(R"({"eventType": "deployment_info", "timestamp": "2026-03-01T10:00:00.000Z",
            "plan": {"id": "d-1", "steps": [{"actions": [{"action": "RestartApplication", "app": "/web"}]}],
                     "version": "2026-03-01T10:00:00.000Z"},
            "currentStep": {"actions": [{"action": "RestartApplication", "app": "/web"}]}})")
        << "deployment_info"
        << ""
        << ""
        << ""
        << "d-1" << both << "";
    QTest::newRow("deployment_info (old plan body)")
        << QByteArray(R"({"eventType": "deployment_info", "timestamp": "2016-01-01T10:00:00.000Z",
            "plan": {"id": "d-0", "original": {"id": "/", "apps": []}, "target": {"id": "/", "apps": []},
                     "steps": [], "version": "2016-01-01T10:00:00.000Z"}, "currentStep": {"actions": []}})")
        << "deployment_info"
        << ""
        << ""
        << ""
        << "d-0" << both << "";
    QTest::newRow("deployment_step_success") << QByteArray(
        R"({"eventType": "deployment_step_success", "timestamp": "2026-03-01T10:00:00.000Z",
            "plan": {"id": "d-1"}, "currentStep": {"actions": []}})")
                                             << "deployment_step_success"
                                             << ""
                                             << ""
                                             << ""
                                             << "d-1" << both << "";
    QTest::newRow("deployment_success") << QByteArray(
        R"({"eventType": "deployment_success", "timestamp": "2026-03-01T10:00:00.000Z",
            "id": "d-1", "plan": {"id": "d-1"}})")
                                        << "deployment_success"
                                        << ""
                                        << ""
                                        << ""
                                        << "d-1" << both << "";
    QTest::newRow("deployment_failed")
        << QByteArray(R"({"eventType": "deployment_failed", "timestamp": "2026-03-01T10:00:00.000Z",
            "id": "d-2", "reason": "cancelled"})")
        << "deployment_failed"
        << ""
        << ""
        << ""
        << "d-2" << both << "";
    QTest::newRow("group_change_success") << QByteArray(
        R"({"eventType": "group_change_success", "timestamp": "2026-03-01T10:00:00.000Z",
            "groupId": "/", "version": "v"})")
                                          << "group_change_success"
                                          << ""
                                          << ""
                                          << ""
                                          << "" << both << "";
    QTest::newRow("app_terminated_event") << QByteArray(
        R"({"eventType": "app_terminated_event", "timestamp": "2026-03-01T10:00:00.000Z", "appId": "/old"})")
                                          << "app_terminated_event"
                                          << "/old"
                                          << ""
                                          << ""
                                          << "" << apps << "";
    QTest::newRow("event_stream_attached") << QByteArray(
        R"({"eventType": "event_stream_attached", "timestamp": "2026-03-01T10:00:00.000Z",
            "remoteAddress": "127.0.0.1"})")
                                           << "event_stream_attached"
                                           << ""
                                           << ""
                                           << ""
                                           << "" << none << "";
    QTest::newRow("no eventType") << QByteArray(R"({"timestamp": "2026-03-01T10:00:00.000Z"})")
                                  << ""
                                  << ""
                                  << ""
                                  << ""
                                  << "" << none << "eventType: missing";
    QTest::newRow("appId a number")
        << QByteArray(R"({"eventType": "status_update_event", "appId": 1})") << ""
        << ""
        << ""
        << ""
        << "" << none << "appId: expected a string, got a number";
    QTest::newRow("cut short") << QByteArray(R"({"eventType": "status_upd)") << ""
                               << ""
                               << ""
                               << ""
                               << "" << none << "malformed JSON at offset 26: unterminated string";
}

void tst_MarathonParsers::events()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, eventType);
    QFETCH(QString, appId);
    QFETCH(QString, taskId);
    QFETCH(QString, status);
    QFETCH(QString, deploymentId);
    QFETCH(int, refresh);
    QFETCH(QString, error);
    const auto parsed = parseMarathonEvent(json);
    QCOMPARE(errorOf(parsed), error);
    if (!parsed.ok())
        return;
    const MarathonEvent &e = parsed.value();
    QCOMPARE(e.eventType, eventType);
    QCOMPARE(e.appId, appId);
    QCOMPARE(e.taskId, taskId);
    QCOMPARE(e.status, status);
    QCOMPARE(e.deploymentId, deploymentId);
    QVERIFY(e.timestamp.isValid());
    QCOMPARE(int(marathonRefreshFor(e.eventType)), refresh);
}

void tst_MarathonParsers::eventTypesAreSubscribedToAndRefreshSomething()
{
    const QStringList types = marathonEventTypes();
    QVERIFY(types.contains(QStringLiteral("status_update_event")));
    QVERIFY(types.contains(QStringLiteral("deployment_success")));
    for (const QString &t : types)
        QVERIFY2(marathonRefreshFor(t) != MarathonRefresh::None, qPrintable(t));
}

void tst_MarathonParsers::imageUpdateKeepsTheWholeContainer()
{
    const QByteArray app = R"({"app": {"id": "/prod/web", "instances": 4,
        "container": {"type": "DOCKER", "volumes": [{"containerPath": "/data", "hostPath": "/srv", "mode": "RW"}],
                      "docker": {"image": "shop/web:1.5", "forcePullImage": true, "parameters": [{"key": "log-driver", "value": "none"}]},
                      "portMappings": [{"containerPort": 8080, "hostPort": 0, "protocol": "tcp"}]},
        "env": {"A": "1"}, "tasks": [], "deployments": []}})";
    const auto body = marathonImageUpdateBody(app, QStringLiteral("shop/web:1.6"));
    QVERIFY2(body.ok(), qPrintable(errorOf(body)));
    // Only "container" is sent (a PUT replaces each top-level field it sends), and all of it.
    QJsonObject expectedContainer =
        object(app)[QStringLiteral("app")].toObject()[QStringLiteral("container")].toObject();
    QJsonObject docker = expectedContainer[QStringLiteral("docker")].toObject();
    docker[QStringLiteral("image")] = QStringLiteral("shop/web:1.6");
    expectedContainer[QStringLiteral("docker")] = docker;
    QJsonObject expected;
    expected.insert(QStringLiteral("container"), expectedContainer);
    QCOMPARE(object(body.value()), expected);

    // A Mesos container with a Docker image keeps it at container.docker.image too.
    const auto mesos = marathonImageUpdateBody(
        R"({"app": {"id": "/m", "container": {"type": "MESOS", "docker": {"image": "a:1"}, "volumes": []}}})",
        QStringLiteral("a:2"));
    QVERIFY2(mesos.ok(), qPrintable(errorOf(mesos)));
    QCOMPARE(
        object(mesos.value()),
        object(R"({"container": {"type": "MESOS", "docker": {"image": "a:2"}, "volumes": []}})"));
}

void tst_MarathonParsers::imageUpdateRefusals_data()
{
    QTest::addColumn<QByteArray>("app");
    QTest::addColumn<QString>("image");
    QTest::addColumn<QString>("error");
    const QByteArray docker =
        R"({"app": {"id": "/a", "container": {"type": "DOCKER", "docker": {"image": "a:1"}}}})";
    QTest::newRow("command app") << QByteArray(R"({"app": {"id": "/a", "cmd": "sleep 1"}})")
                                 << "a:2"
                                 << "the app has no container: it runs a command";
    QTest::newRow("container without image")
        << QByteArray(R"({"app": {"id": "/a", "container": {"type": "MESOS", "volumes": []}}})")
        << "a:2"
        << "the app's container has no image to replace";
    QTest::newRow("empty image") << docker << ""
                                 << "'' is not an image reference";
    QTest::newRow("image with a space") << docker << "a:2 --privileged"
                                        << "'a:2 --privileged' is not an image reference";
    QTest::newRow("container a string")
        << QByteArray(R"({"app": {"id": "/a", "container": "x"}})") << "a:2"
        << "app.container: expected an object, got a string";
    QTest::newRow("cut short") << QByteArray(R"({"app": {"id": "/a", "container": {)") << "a:2"
                               << "malformed JSON at offset 35: unterminated object";
}

void tst_MarathonParsers::imageUpdateRefusals()
{
    QFETCH(QByteArray, app);
    QFETCH(QString, image);
    QFETCH(QString, error);
    QCOMPARE(errorOf(marathonImageUpdateBody(app, image)), error);
}

void tst_MarathonParsers::deploymentId()
{
    const auto id = parseMarathonDeploymentId(
        R"({"deploymentId": "5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43", "version": "2026-03-01T10:00:00.000Z"})");
    QCOMPARE(errorOf(id), QString());
    QCOMPARE(id.value(), QStringLiteral("5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43"));
    QCOMPARE(errorOf(parseMarathonDeploymentId("{}")), QStringLiteral("deploymentId: missing"));
}

void tst_MarathonParsers::errorsInWords_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("words");
    QTest::newRow("409 locked")
        << 409
        << QByteArray(
               R"({"message": "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.", "deployments": [{"id": "97c1"}]})")
        << "locked by deployment 97c1: wait for it, roll it back, or force the change";
    QTest::newRow("409 two deployments")
        << 409 << QByteArray(R"({"message": "x", "deployments": [{"id": "a"}, {"id": "b"}]})")
        << "locked by deployment a, b: wait for it, roll it back, or force the change";
    QTest::newRow("409 without ids")
        << 409 << QByteArray(R"({"message": "conflict on /a"})") << "conflict on /a";
    QTest::newRow("404 app") << 404 << QByteArray(R"({"message": "App '/nope' does not exist"})")
                             << "App '/nope' does not exist";
    QTest::newRow("404 deployment")
        << 404 << QByteArray(R"({"message": "DeploymentPlan d-9 does not exist"})")
        << "DeploymentPlan d-9 does not exist";
    QTest::newRow("404 without body") << 404 << QByteArray() << "not found (HTTP 404)";
    QTest::newRow("422 details")
        << 422 << QByteArray(R"({"message": "Object is not valid", "details": [
                                        {"path": "/upgradeStrategy/minimumHealthCapacity", "errors": ["is greater than 1"]},
                                        {"path": "/instances", "errors": ["must be >= 0", "is odd"]}]})")
        << "Object is not valid (/upgradeStrategy/minimumHealthCapacity: is greater than 1; "
           "/instances: must be >= 0, is odd)";
    QTest::newRow("400 invalid JSON")
        << 400 << QByteArray(R"({"message": "Invalid JSON"})") << "Invalid JSON";
    QTest::newRow("401") << 401 << QByteArray("<html>Unauthorized</html>")
                         << "not authorised (HTTP 401): check the Marathon username and password";
    QTest::newRow("503 text") << 503 << QByteArray("service unavailable\n")
                              << "HTTP 503: service unavailable";
    QTest::newRow("502 no leader")
        << 502 << QByteArray(R"({"message": "Could not determine the current leader"})")
        << "HTTP 502: Could not determine the current leader";
}

void tst_MarathonParsers::errorsInWords()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QString, words);
    QCOMPARE(describeMarathonError(status, body), words);
}

void tst_MarathonParsers::sseFraming_data()
{
    QTest::addColumn<QByteArrayList>("chunks");
    QTest::addColumn<QStringList>("events");

    QTest::newRow("one frame") << QByteArrayList{"event: status_update_event\ndata: {\"a\":1}\n\n"}
                               << QStringList{QStringLiteral("status_update_event|{\"a\":1}")};
    QTest::newRow("no event field means message")
        << QByteArrayList{"data: x\n\n"} << QStringList{QStringLiteral("message|x")};
    QTest::newRow("split inside the field name")
        << QByteArrayList{"ev", "ent: deployment_info\nda", "ta: {}\n", "\n"}
        << QStringList{QStringLiteral("deployment_info|{}")};
    QTest::newRow("CRLF")
        << QByteArrayList{"event: e\r\ndata: 1\r\n\r\nevent: f\r\ndata: 2\r\n\r\n"}
        << QStringList{QStringLiteral("e|1"), QStringLiteral("f|2")};
    QTest::newRow("CRLF split between CR and LF")
        << QByteArrayList{"event: e\r", "\ndata: 1\r", "\n\r", "\n"}
        << QStringList{QStringLiteral("e|1")};
    QTest::newRow("CR alone") << QByteArrayList{"event: e\rdata: 1\r\r"}
                              << QStringList{QStringLiteral("e|1")};
    QTest::newRow("comments and keep-alives")
        << QByteArrayList{":ok\n\n", ": keep-alive\n", "\n", "event: e\n: in between\ndata: 1\n\n"}
        << QStringList{QStringLiteral("e|1")};
    QTest::newRow("multi-line data") << QByteArrayList{"data: {\"a\":\ndata:  1}\ndata\n\n"}
                                     << QStringList{QStringLiteral("message|{\"a\":\n 1}\n")};
    QTest::newRow("blank lines alone dispatch nothing")
        << QByteArrayList{"\n\n\r\n"} << QStringList{};
    QTest::newRow("event without data is dropped") << QByteArrayList{"event: lonely\n\ndata: 2\n\n"}
                                                   << QStringList{QStringLiteral("message|2")};
    QTest::newRow("no blank line yet") << QByteArrayList{"event: e\ndata: 1\n"} << QStringList{};
    QTest::newRow("space after colon is optional, one is dropped")
        << QByteArrayList{"event:e\ndata:  two\n\n"} << QStringList{QStringLiteral("e| two")};
    QTest::newRow("unknown fields ignored")
        << QByteArrayList{"foo: bar\nid: 7\nretry: 100\ndata: x\n\n"}
        << QStringList{QStringLiteral("message|x")};
    QTest::newRow("BOM at the start") << QByteArrayList{"\xEF\xBB",
                                                        "\xBF"
                                                        "data: x\n\n"}
                                      << QStringList{QStringLiteral("message|x")};
    QTest::newRow("UTF-8 split") << QByteArrayList{"data: gr\xC3", "\xBC\xC3\x9F\n\n"}
                                 << QStringList{QString::fromUtf8("message|gr\xC3\xBC\xC3\x9F")};
    QTest::newRow("event type reset after dispatch")
        << QByteArrayList{"event: a\ndata: 1\n\ndata: 2\n\n"}
        << QStringList{QStringLiteral("a|1"), QStringLiteral("message|2")};
}

void tst_MarathonParsers::sseFraming()
{
    QFETCH(QByteArrayList, chunks);
    QFETCH(QStringList, events);
    SseParser parser;
    QList<SseEvent> got;
    for (const QByteArray &c : chunks)
        got += parser.feed(c);
    QCOMPARE(eventsText(got), events);
}

void tst_MarathonParsers::sseEverySplitGivesTheSameEvents()
{
    const QByteArray stream =
        ": hello\r\nevent: event_stream_attached\r\ndata: "
        "{\"eventType\":\"event_stream_attached\"}\r\n\r\n"
        "event: status_update_event\ndata: {\"eventType\":\"status_update_event\",\ndata: "
        "\"appId\":\"/web\"}\n\n"
        "event: x\rdata: 1\r\r";
    SseParser whole;
    const QList<SseEvent> expected = whole.feed(stream);
    QCOMPARE(expected.size(), 3);
    QCOMPARE(expected.at(1).data,
             QByteArray("{\"eventType\":\"status_update_event\",\n\"appId\":\"/web\"}"));
    QVERIFY(parseMarathonEvent(expected.at(0).data).ok());
    for (qsizetype a = 0; a <= stream.size(); ++a) {
        for (qsizetype b = a; b <= stream.size(); b += 7) {
            SseParser parser;
            QList<SseEvent> got = parser.feed(stream.left(a));
            got += parser.feed(stream.mid(a, b - a));
            got += parser.feed(stream.mid(b));
            if (got != expected)
                QFAIL(qPrintable(QStringLiteral("split at %1 and %2").arg(a).arg(b)));
        }
    }
}

void tst_MarathonParsers::sseOversizedEventIsDropped()
{
    SseParser parser;
    const QByteArray big(SseParser::kMaxEventBytes / 4, 'x');
    QList<SseEvent> got = parser.feed("event: huge\n");
    // Five data lines of a quarter each: over the limit, so the whole event goes.
    for (int i = 0; i < 5; ++i)
        got += parser.feed("data: " + big + '\n');
    got += parser.feed("\nevent: small\ndata: ok\n\n");
    QCOMPARE(eventsText(got), QStringList{QStringLiteral("small|ok")});

    // One line over the limit, fed in pieces, is dropped too; the parser goes on after it.
    SseParser lines;
    QList<SseEvent> more = lines.feed("data: ");
    for (int i = 0; i < 5; ++i)
        more += lines.feed(big);
    more += lines.feed("\ndata: tail\n\ndata: next\n\n");
    QCOMPARE(eventsText(more), QStringList{QStringLiteral("message|next")});
}

QTEST_GUILESS_MAIN(tst_MarathonParsers)
#include "tst_marathonparsers.moc"
