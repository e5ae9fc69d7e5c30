// SPDX-License-Identifier: MIT
// The simulated Marathon against the documented API (API reference §2), spoken to over HTTP
// with QNetworkAccessManager and checked on its own terms: no parsing code is shared with the
// connectors it is there to test. Time runs 20 times faster than Marathon's.
#include "app/sim/simdockerhost.h"
#include "app/sim/simmarathon.h"
#include "tests/support/testsupport.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <vector>

using namespace Opsdeck;

namespace {

constexpr double kTimeScale = 20.0;
constexpr int kDeployTimeoutMs = 15000;

const QRegularExpression kIsoMs(QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)"));

struct Reply
{
    int status = 0;
    QByteArray body;
    QMap<QByteArray, QByteArray> headers; ///< names in lower case
    QNetworkReply::NetworkError error = QNetworkReply::NoError;

    QJsonObject object() const { return QJsonDocument::fromJson(body).object(); }

    QJsonArray array() const { return QJsonDocument::fromJson(body).array(); }
};

/// One SSE subscription: frames as they arrive, keep-alive comments counted.
class EventStream : public QObject
{
public:
    EventStream(QNetworkAccessManager *net, const QString &url)
    {
        QNetworkRequest request{QUrl(url)};
        request.setRawHeader("Accept", "text/event-stream");
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                             QNetworkRequest::ManualRedirectPolicy);
        m_reply = net->get(request);
        connect(m_reply, &QNetworkReply::readyRead, this, [this] { read(); });
        connect(m_reply, &QNetworkReply::finished, this, [this] { m_finished = true; });
    }

    ~EventStream() override
    {
        if (m_reply) {
            m_reply->abort();
            m_reply->deleteLater();
        }
    }

    bool finished() const { return m_finished; }

    int comments() const { return m_comments; }

    QList<QJsonObject> events;

    QStringList types() const
    {
        QStringList list;
        for (const QJsonObject &e : events)
            list << e.value(QStringLiteral("eventType")).toString();
        return list;
    }

private:
    void read()
    {
        m_buffer += m_reply->readAll();
        qsizetype end = 0;
        while ((end = m_buffer.indexOf("\n\n")) >= 0) {
            const QByteArray frame = m_buffer.left(end);
            m_buffer.remove(0, end + 2);
            QByteArray type;
            for (const QByteArray &line : frame.split('\n')) {
                if (line.startsWith(':'))
                    ++m_comments;
                else if (line.startsWith("event: "))
                    type = line.mid(7);
                else if (line.startsWith("data: ")) {
                    QJsonObject event = QJsonDocument::fromJson(line.mid(6)).object();
                    if (event.value(QStringLiteral("eventType")).toString().toUtf8() == type)
                        events << event;
                }
            }
        }
    }

    QPointer<QNetworkReply> m_reply;
    QByteArray m_buffer;
    int m_comments = 0;
    bool m_finished = false;
};

struct Sample
{
    int oldActive;
    int newStarted;
    int healthy;
};

QJsonObject webApp(int instances,
                   double minHealth = 1.0,
                   double maxOver = 1.0,
                   const QString &image = QStringLiteral("shop/web:1.0"))
{
    return QJsonObject{
        {QStringLiteral("id"), QStringLiteral("/shop/web")},
        {QStringLiteral("instances"), instances},
        {QStringLiteral("cpus"), 0.5},
        {QStringLiteral("mem"), 256},
        {QStringLiteral("container"),
         QJsonObject{{QStringLiteral("type"), QStringLiteral("DOCKER")},
                     {QStringLiteral("docker"), QJsonObject{{QStringLiteral("image"), image}}}}},
        {QStringLiteral("env"),
         QJsonObject{{QStringLiteral("APP_ENV"), QStringLiteral("staging")},
                     {QStringLiteral("DB_PASSWORD"),
                      QJsonObject{{QStringLiteral("secret"), QStringLiteral("db")}}}}},
        {QStringLiteral("labels"), QJsonObject{{QStringLiteral("team"), QStringLiteral("shop")}}},
        {QStringLiteral("healthChecks"),
         QJsonArray{QJsonObject{{QStringLiteral("protocol"), QStringLiteral("MESOS_HTTP")},
                                {QStringLiteral("path"), QStringLiteral("/health")},
                                {QStringLiteral("portIndex"), 0},
                                {QStringLiteral("intervalSeconds"), 10}}}},
        {QStringLiteral("upgradeStrategy"),
         QJsonObject{{QStringLiteral("minimumHealthCapacity"), minHealth},
                     {QStringLiteral("maximumOverCapacity"), maxOver}}}};
}

QJsonObject workerApp(int instances)
{
    return QJsonObject{
        {QStringLiteral("id"), QStringLiteral("/shop/worker")},
        {QStringLiteral("cmd"), QStringLiteral("./worker --queue orders")},
        {QStringLiteral("instances"), instances},
        {QStringLiteral("cpus"), 0.25},
        {QStringLiteral("mem"), 128},
        {QStringLiteral("container"),
         QJsonObject{{QStringLiteral("docker"),
                      QJsonObject{{QStringLiteral("image"), QStringLiteral("shop/worker:1.0")}}}}}};
}

QJsonObject imageUpdate(const QString &image)
{
    return QJsonObject{
        {QStringLiteral("container"),
         QJsonObject{{QStringLiteral("type"), QStringLiteral("DOCKER")},
                     {QStringLiteral("docker"), QJsonObject{{QStringLiteral("image"), image}}}}}};
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

class tst_SimMarathon : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void appsAndEmbeds();
    void appTasksVersionsAndMisc();
    void createAndDeleteApps();
    void errors_data();
    void errors();
    void lockForceAndDeleteDeployment();
    void workedExampleOfRollingUpgrade();
    void oneAtATime();
    void brokenImageStaysStuckThenRollsBack();
    void brokenImageWithoutHealthChecks();
    void leaderChange();
    void eventStream();
    void faultKnobs();
    void tasksAreContainers();
    void pythonMarathonClient();

private:
    Reply call(const QByteArray &method,
               const QString &path,
               const QByteArray &body = {},
               int master = 0,
               int timeoutMs = 5000,
               const QByteArray &accept = "application/json");
    QString put(const QString &path, const QJsonObject &body);
    bool waitFinished(const QString &deploymentId, int timeoutMs = kDeployTimeoutMs);
    QList<Sim::SimContainer> containersOf(const QString &appId) const;
    QList<QJsonObject> appTasks(const QString &appId);

    QNetworkAccessManager m_net;
    std::unique_ptr<Sim::SimMarathon> m_sim;
    std::vector<std::unique_ptr<Sim::SimDockerHost>> m_hosts;
    std::unique_ptr<QSignalSpy> m_finished;
};

void tst_SimMarathon::init()
{
    m_sim = std::make_unique<Sim::SimMarathon>();
    m_sim->setTimeScale(kTimeScale);
    m_sim->setSeed(42);
    m_sim->setEnvironment(QStringLiteral("staging"));
    QVERIFY2(m_sim->listen(), qPrintable(m_sim->errorString()));
    m_hosts.clear();
    for (int i = 0; i < 2; ++i) {
        m_hosts.push_back(
            std::make_unique<Sim::SimDockerHost>(QStringLiteral("agent-%1").arg(i + 1)));
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
    m_finished = std::make_unique<QSignalSpy>(m_sim.get(), &Sim::SimMarathon::deploymentFinished);
}

void tst_SimMarathon::cleanup()
{
    m_finished.reset();
    m_sim.reset();
    m_hosts.clear();
}

Reply tst_SimMarathon::call(const QByteArray &method,
                            const QString &path,
                            const QByteArray &body,
                            int master,
                            int timeoutMs,
                            const QByteArray &accept)
{
    QNetworkRequest request{QUrl(m_sim->url(master) + path)};
    request.setRawHeader("Accept", accept);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(timeoutMs);
    QNetworkReply *reply = m_net.sendCustomRequest(request, method, body);
    QSignalSpy done(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        done.wait(timeoutMs + 2000);
    Reply r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->isOpen())
        r.body = reply->readAll();
    r.error = reply->error();
    for (const auto &[name, value] : reply->rawHeaderPairs())
        r.headers.insert(name.toLower(), value);
    reply->deleteLater();
    return r;
}

/// PUT with a body; the deployment id, or an empty string (the test then fails).
QString tst_SimMarathon::put(const QString &path, const QJsonObject &body)
{
    const Reply r = call("PUT", path, json(body));
    if (r.status != 200 && r.status != 201) {
        qWarning() << "PUT" << path << r.status << r.body;
        return QString();
    }
    return r.object().value(QStringLiteral("deploymentId")).toString();
}

bool tst_SimMarathon::waitFinished(const QString &deploymentId, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs) {
        for (const QList<QVariant> &args : std::as_const(*m_finished)) {
            if (args.at(0).toString() == deploymentId)
                return true;
        }
        m_finished->wait(50);
    }
    return false;
}

QList<Sim::SimContainer> tst_SimMarathon::containersOf(const QString &appId) const
{
    QList<Sim::SimContainer> list;
    for (const auto &host : m_hosts) {
        for (const Sim::SimContainer &c : host->containers()) {
            if (c.labels.value(QStringLiteral("MARATHON_APP_ID")) == appId)
                list << c;
        }
    }
    return list;
}

QList<QJsonObject> tst_SimMarathon::appTasks(const QString &appId)
{
    QList<QJsonObject> list;
    for (const auto &t : call("GET", QStringLiteral("/v2/apps") + appId + QStringLiteral("/tasks"))
                             .object()
                             .value(QStringLiteral("tasks"))
                             .toArray())
        list << t.toObject();
    return list;
}

void tst_SimMarathon::appsAndEmbeds()
{
    m_sim->addApp(webApp(2));
    m_sim->addApp(workerApp(1));

    // Without embeds: counts and deployments always, tasks never.
    Reply r = call("GET", QStringLiteral("/v2/apps"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.headers.value("content-type"), QByteArray("application/json; charset=utf-8"));
    QJsonArray apps = r.object().value(QStringLiteral("apps")).toArray();
    QCOMPARE(apps.size(), 2);
    for (const auto &value : apps) {
        const QJsonObject app = value.toObject();
        for (const char *count : {"tasksStaged", "tasksRunning", "tasksHealthy", "tasksUnhealthy"})
            QVERIFY2(app.value(QLatin1String(count)).isDouble(), count);
        QVERIFY(app.value(QStringLiteral("deployments")).isArray());
        QVERIFY(!app.contains(QStringLiteral("tasks")));
        QVERIFY(kIsoMs.match(app.value(QStringLiteral("version")).toString()).hasMatch());
        const QJsonObject info = app.value(QStringLiteral("versionInfo")).toObject();
        QVERIFY(
            kIsoMs.match(info.value(QStringLiteral("lastConfigChangeAt")).toString()).hasMatch());
        QVERIFY(kIsoMs.match(info.value(QStringLiteral("lastScalingAt")).toString()).hasMatch());
        QVERIFY(
            app.value(QStringLiteral("upgradeStrategy"))[QStringLiteral("minimumHealthCapacity")]
                .isDouble());
        QVERIFY(app.value(QStringLiteral(
            "container"))[QStringLiteral("docker")][QStringLiteral("image")]
                    .isString());
    }
    const QJsonObject web = apps.at(0).toObject();
    const QJsonObject worker = apps.at(1).toObject();
    QCOMPARE(web.value(QStringLiteral("id")).toString(), QStringLiteral("/shop/web"));
    QCOMPARE(web.value(QStringLiteral("tasksRunning")).toInt(), 2);
    QCOMPARE(web.value(QStringLiteral("tasksHealthy")).toInt(), 2);
    QCOMPARE(
        web.value(QStringLiteral("healthChecks"))[0][QStringLiteral("gracePeriodSeconds")].toInt(),
        300); // defaults filled in, as Marathon shows them
    // An app without health checks reports tasksHealthy = 0 (API reference §2.2).
    QCOMPARE(worker.value(QStringLiteral("tasksRunning")).toInt(), 1);
    QCOMPARE(worker.value(QStringLiteral("tasksHealthy")).toInt(), 0);

    // With embeds, in each accepted prefix form.
    for (const QString &prefix : {QStringLiteral("apps."), QStringLiteral("app."), QString()}) {
        r = call("GET",
                 QStringLiteral("/v2/apps?embed=%1tasks&embed=%1lastTaskFailure&embed=%1taskStats"
                                "&embed=%1nonsense")
                     .arg(prefix));
        QCOMPARE(r.status, 200);
        apps = r.object().value(QStringLiteral("apps")).toArray();
        QCOMPARE(apps.size(), 2);
        QCOMPARE(apps.at(0)[QStringLiteral("tasks")].toArray().size(), 2);
        QVERIFY(
            apps.at(0)[QStringLiteral("tasksStats")][QStringLiteral("totalSummary")]
                      [QStringLiteral("stats")][QStringLiteral("counts")][QStringLiteral("running")]
                          .isDouble());
        QVERIFY(!apps.at(0).toObject().contains(QStringLiteral("lastTaskFailure"))); // none yet
    }
    const QJsonObject task = apps.at(0)[QStringLiteral("tasks")][0].toObject();
    // Deployed long ago: the older task id style.
    QVERIFY2(QRegularExpression(QStringLiteral("^shop_web\\.[0-9a-f-]{36}$"))
                 .match(task.value(QStringLiteral("id")).toString())
                 .hasMatch(),
             qPrintable(task.value(QStringLiteral("id")).toString()));
    QCOMPARE(task.value(QStringLiteral("appId")).toString(), QStringLiteral("/shop/web"));
    QCOMPARE(task.value(QStringLiteral("state")).toString(), QStringLiteral("TASK_RUNNING"));
    QCOMPARE(task.value(QStringLiteral("version")), web.value(QStringLiteral("version")));
    QVERIFY(
        task.value(QStringLiteral("host")).toString().endsWith(QLatin1String(".example.internal")));
    QVERIFY(task.value(QStringLiteral("slaveId")).toString().endsWith(QLatin1String("-S0"))
            || task.value(QStringLiteral("slaveId")).toString().endsWith(QLatin1String("-S1")));
    QCOMPARE(task.value(QStringLiteral("ports")).toArray().size(), 1);
    QVERIFY(task.value(QStringLiteral("ports"))[0].toInt() >= 31000);
    QVERIFY(task.value(QStringLiteral("servicePorts"))[0].toInt() >= 10000);
    QCOMPARE(task.value(QStringLiteral("ipAddresses"))[0][QStringLiteral("ipAddress")].toString(),
             QStringLiteral("127.0.0.1"));
    QVERIFY(kIsoMs.match(task.value(QStringLiteral("stagedAt")).toString()).hasMatch());
    QVERIFY(kIsoMs.match(task.value(QStringLiteral("startedAt")).toString()).hasMatch());
    const QJsonObject health = task.value(QStringLiteral("healthCheckResults"))[0].toObject();
    QCOMPARE(health.value(QStringLiteral("alive")).toBool(), true);
    QCOMPARE(health.value(QStringLiteral("consecutiveFailures")).toInt(), 0);
    QVERIFY(health.value(QStringLiteral("lastSuccess")).isString());
    QVERIFY(apps.at(1)[QStringLiteral("tasks")][0][QStringLiteral("healthCheckResults")]
                .toArray()
                .isEmpty());

    // Filters.
    r = call("GET", QStringLiteral("/v2/apps?id=WORK"));
    QCOMPARE(r.object().value(QStringLiteral("apps")).toArray().size(), 1);
    r = call("GET", QStringLiteral("/v2/apps?label=team==shop"));
    QCOMPARE(r.object().value(QStringLiteral("apps")).toArray().size(), 1);
    r = call("GET", QStringLiteral("/v2/apps?label=team%20notin%20(shop,ops)"));
    QCOMPARE(r.object().value(QStringLiteral("apps")).toArray().size(), 1);
    r = call("GET", QStringLiteral("/v2/apps/shop/*"));
    QCOMPARE(r.object().value(QStringLiteral("apps")).toArray().size(), 2);
}

void tst_SimMarathon::appTasksVersionsAndMisc()
{
    m_sim->addApp(webApp(2));
    // One app: counts, tasks, lastTaskFailure and deployments embedded by default.
    Reply r = call("GET", QStringLiteral("/v2/apps/shop/web"));
    QCOMPARE(r.status, 200);
    const QJsonObject app = r.object().value(QStringLiteral("app")).toObject();
    QCOMPARE(app.value(QStringLiteral("tasks")).toArray().size(), 2);
    QCOMPARE(app.value(QStringLiteral("deployments")).toArray().size(), 0);
    QCOMPARE(app.value(QStringLiteral("tasksHealthy")).toInt(), 2);

    r = call("GET", QStringLiteral("/v2/apps/shop/web/tasks"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.headers.value("content-type"), QByteArray("application/json; charset=utf-8"));
    QCOMPARE(r.object().value(QStringLiteral("tasks")).toArray().size(), 2);

    r = call("GET", QStringLiteral("/v2/apps/shop/web/versions"));
    QCOMPARE(r.object().value(QStringLiteral("versions")).toArray(),
             QJsonArray{app.value(QStringLiteral("version"))});
    r = call("GET",
             QStringLiteral("/v2/apps/shop/web/versions/")
                 + app.value(QStringLiteral("version")).toString());
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(QStringLiteral("instances")).toInt(), 2);

    r = call("GET", QStringLiteral("/ping"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("pong"));
    r = call("GET", QStringLiteral("/v2/info"));
    QCOMPARE(r.object().value(QStringLiteral("name")).toString(), QStringLiteral("marathon"));
    QCOMPARE(r.object().value(QStringLiteral("frameworkId")).toString(), m_sim->frameworkId());
    QCOMPARE(r.object().value(QStringLiteral("elected")).toBool(), true);
    QVERIFY(r.object()
                .value(QStringLiteral("marathon_config"))[QStringLiteral("framework_name")]
                .toString()
                .contains(QLatin1String("staging")));
    r = call("GET", QStringLiteral("/v2/leader"));
    QCOMPARE(r.object().value(QStringLiteral("leader")).toString(),
             QStringLiteral("127.0.0.1:%1").arg(m_sim->ports().at(0)));
    QCOMPARE(r.headers.value("x-marathon-leader"), m_sim->url(0).toUtf8());
    r = call("GET", QStringLiteral("/v2/queue"));
    QCOMPARE(r.object().value(QStringLiteral("queue")).toArray().size(), 0);
    r = call("GET", QStringLiteral("/v2/deployments"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.array().size(), 0);

    // The same seed gives the same ids.
    Sim::SimMarathon twin;
    twin.setSeed(42);
    QCOMPARE(twin.frameworkId(), m_sim->frameworkId());
}

void tst_SimMarathon::createAndDeleteApps()
{
    // PUT creates a missing app: 201 with Location, a StartApplication deployment.
    QJsonObject worker = workerApp(2);
    worker.remove(QStringLiteral("id"));
    Reply r = call("PUT", QStringLiteral("/v2/apps/shop/worker"), json(worker));
    QCOMPARE(r.status, 201);
    QCOMPARE(r.headers.value("location"),
             (m_sim->url(0) + QStringLiteral("/v2/apps/shop/worker")).toUtf8());
    const QString started = r.object().value(QStringLiteral("deploymentId")).toString();
    QCOMPARE(r.headers.value("marathon-deployment-id"), started.toUtf8());
    const QJsonArray deployments = call("GET", QStringLiteral("/v2/deployments")).array();
    QCOMPARE(deployments.size(), 1);
    QCOMPARE(
        deployments.at(0)[QStringLiteral("currentActions")][0][QStringLiteral("action")].toString(),
        QStringLiteral("StartApplication"));
    QVERIFY(waitFinished(started));
    const QList<QJsonObject> tasks = appTasks(QStringLiteral("/shop/worker"));
    QCOMPARE(tasks.size(), 2);
    for (const QJsonObject &t : tasks) {
        QCOMPARE(t.value(QStringLiteral("state")).toString(), QStringLiteral("TASK_RUNNING"));
        QVERIFY(t.value(QStringLiteral("id"))
                    .toString()
                    .startsWith(QLatin1String("shop.worker.instance-")));
    }

    // POST /v2/apps creates too, and refuses an id that exists.
    r = call("POST", QStringLiteral("/v2/apps"), json(workerApp(1)));
    QCOMPARE(r.status, 409);
    QVERIFY(r.object()
                .value(QStringLiteral("message"))
                .toString()
                .contains(QLatin1String("already exists")));
    QJsonObject other = workerApp(1);
    other.insert(QStringLiteral("id"), QStringLiteral("/shop/other"));
    r = call("POST", QStringLiteral("/v2/apps"), json(other));
    QCOMPARE(r.status, 201);
    QCOMPARE(r.object().value(QStringLiteral("id")).toString(), QStringLiteral("/shop/other"));
    const QString created = QString::fromUtf8(r.headers.value("marathon-deployment-id"));
    QCOMPARE(r.object().value(QStringLiteral("deployments"))[0][QStringLiteral("id")].toString(),
             created);
    QVERIFY(waitFinished(created));

    // DELETE: gone from /v2/apps at once, its tasks killed by a StopApplication deployment.
    r = call("DELETE", QStringLiteral("/v2/apps/shop/other"));
    QCOMPARE(r.status, 200);
    QCOMPARE(call("GET", QStringLiteral("/v2/apps/shop/other")).status, 404);
    QVERIFY(waitFinished(r.object().value(QStringLiteral("deploymentId")).toString()));
    QCOMPARE(m_sim->tasks().size(), 2);
    QCOMPARE(m_sim->appIds(), QStringList{QStringLiteral("/shop/worker")});
}

void tst_SimMarathon::errors_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("detailPath");

    QTest::newRow("unknown app") << QByteArray("GET") << QStringLiteral("/v2/apps/nope")
                                 << QByteArray() << 404
                                 << QStringLiteral("App '/nope' does not exist") << QString();
    QTest::newRow("unknown app's tasks")
        << QByteArray("GET") << QStringLiteral("/v2/apps/nope/tasks") << QByteArray() << 404
        << QStringLiteral("App '/nope' does not exist") << QString();
    QTest::newRow("restart of an unknown app")
        << QByteArray("POST") << QStringLiteral("/v2/apps/nope/restart") << QByteArray() << 404
        << QStringLiteral("App '/nope' does not exist") << QString();
    QTest::newRow("unknown route")
        << QByteArray("GET") << QStringLiteral("/v2/nothing") << QByteArray() << 404
        << QStringLiteral("HTTP 404 Not Found") << QString();
    QTest::newRow("invalid JSON") << QByteArray("PUT") << QStringLiteral("/v2/apps/shop/web")
                                  << QByteArray("{\"instances\": ") << 400
                                  << QStringLiteral("Invalid JSON") << QStringLiteral("/");
    QTest::newRow("minimumHealthCapacity above 1")
        << QByteArray("PUT") << QStringLiteral("/v2/apps/shop/web")
        << QByteArray(R"({"upgradeStrategy":{"minimumHealthCapacity":1.5}})") << 422
        << QStringLiteral("Object is not valid")
        << QStringLiteral("/upgradeStrategy/minimumHealthCapacity");
    QTest::newRow("negative instances")
        << QByteArray("PUT") << QStringLiteral("/v2/apps/shop/web")
        << QByteArray(R"({"instances":-1})") << 422 << QStringLiteral("Object is not valid")
        << QStringLiteral("/instances");
    QTest::newRow("instances not a number")
        << QByteArray("PUT") << QStringLiteral("/v2/apps/shop/web")
        << QByteArray(R"({"instances":"three"})") << 422 << QStringLiteral("Object is not valid")
        << QStringLiteral("/instances");
    QTest::newRow("new app without cmd or container")
        << QByteArray("PUT") << QStringLiteral("/v2/apps/shop/empty") << QByteArray("{}") << 422
        << QStringLiteral("Object is not valid") << QStringLiteral("/");
    QTest::newRow("force=maybe") << QByteArray("POST")
                                 << QStringLiteral("/v2/apps/shop/web/restart?force=maybe")
                                 << QByteArray() << 400 << QStringLiteral("force") << QString();
    QTest::newRow("partialUpdate=perhaps")
        << QByteArray("PUT") << QStringLiteral("/v2/apps/shop/web?partialUpdate=perhaps")
        << QByteArray("{}") << 400 << QStringLiteral("partialUpdate") << QString();
    QTest::newRow("unknown deployment")
        << QByteArray("DELETE") << QStringLiteral("/v2/deployments/97c136bf-nope") << QByteArray()
        << 404 << QStringLiteral("DeploymentPlan 97c136bf-nope does not exist") << QString();
    QTest::newRow("unknown task") << QByteArray("DELETE")
                                  << QStringLiteral("/v2/apps/shop/web/tasks/shop_web.nope")
                                  << QByteArray() << 404
                                  << QStringLiteral("Task 'shop_web.nope' does not exist")
                                  << QString();
    QTest::newRow("events without Accept: text/event-stream")
        << QByteArray("GET") << QStringLiteral("/v2/events") << QByteArray() << 405
        << QStringLiteral("Method Not Allowed") << QString();
}

void tst_SimMarathon::errors()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, message);
    QFETCH(QString, detailPath);
    m_sim->addApp(webApp(1));
    const QString versionBefore =
        m_sim->app(QStringLiteral("/shop/web")).value(QStringLiteral("version")).toString();

    const Reply r = call(method, path, body);
    QCOMPARE(r.status, status);
    QCOMPARE(r.headers.value("content-type"), QByteArray("application/json; charset=utf-8"));
    const QJsonObject error = r.object();
    QVERIFY2(error.value(QStringLiteral("message")).toString().contains(message),
             r.body.constData());
    if (!detailPath.isEmpty()) {
        const QJsonObject detail = error.value(QStringLiteral("details"))[0].toObject();
        QCOMPARE(detail.value(QStringLiteral("path")).toString(), detailPath);
        QVERIFY(!detail.value(QStringLiteral("errors")).toArray().isEmpty());
    }
    // A refused change changes nothing.
    QCOMPARE(m_sim->deploymentIds(), QStringList());
    QCOMPARE(m_sim->app(QStringLiteral("/shop/web")).value(QStringLiteral("version")).toString(),
             versionBefore);
}

void tst_SimMarathon::lockForceAndDeleteDeployment()
{
    m_sim->addApp(webApp(2));
    Reply r = call("PUT",
                   QStringLiteral("/v2/apps/shop/web"),
                   json(imageUpdate(QStringLiteral("shop/web:2.0"))));
    QCOMPARE(r.status, 200);
    const QString first = r.object().value(QStringLiteral("deploymentId")).toString();
    QCOMPARE(r.headers.value("marathon-deployment-id"), first.toUtf8());
    QVERIFY(kIsoMs.match(r.object().value(QStringLiteral("version")).toString()).hasMatch());

    r = call("GET", QStringLiteral("/v2/deployments"));
    QCOMPARE(r.array().size(), 1);
    const QJsonObject d = r.array().at(0).toObject();
    QCOMPARE(d.value(QStringLiteral("id")).toString(), first);
    QCOMPARE(d.value(QStringLiteral("affectedApps")).toArray(),
             QJsonArray{QStringLiteral("/shop/web")});
    QVERIFY(d.value(QStringLiteral("affectedPods")).isArray());
    QCOMPARE(d.value(QStringLiteral("currentStep")).toInt(), 1);
    QCOMPARE(d.value(QStringLiteral("totalSteps")).toInt(), 1);
    QCOMPARE(
        d.value(QStringLiteral("steps"))[0][QStringLiteral("actions")][0][QStringLiteral("action")]
            .toString(),
        QStringLiteral("RestartApplication"));
    QVERIFY(d.value(QStringLiteral("currentActions"))[0][QStringLiteral("readinessCheckResults")]
                .isArray());
    QVERIFY(kIsoMs.match(d.value(QStringLiteral("version")).toString()).hasMatch());
    QCOMPARE(
        call("GET", QStringLiteral("/v2/apps/shop/web"))
            .object()[QStringLiteral("app")][QStringLiteral("deployments")][0][QStringLiteral("id")]
            .toString(),
        first);

    // Locked: every other change is refused with the documented message.
    const QString locked =
        QStringLiteral("App is locked by one or more deployments. Override with the "
                       "option '?force=true'. View details at '/v2/deployments/%1'.")
            .arg(first);
    for (const auto &[method, path, body] :
         {std::tuple{QByteArray("PUT"),
                     QStringLiteral("/v2/apps/shop/web"),
                     QByteArray(R"({"instances":3})")},
          std::tuple{QByteArray("POST"), QStringLiteral("/v2/apps/shop/web/restart"), QByteArray()},
          std::tuple{QByteArray("DELETE"),
                     QStringLiteral("/v2/apps/shop/web?force=false"),
                     QByteArray()}}) {
        r = call(method, path, body);
        QCOMPARE(r.status, 409);
        QCOMPARE(r.object().value(QStringLiteral("message")).toString(), locked);
        QCOMPARE(
            r.object().value(QStringLiteral("deployments"))[0][QStringLiteral("id")].toString(),
            first);
    }

    // force=true takes over: the first deployment is gone, a new one runs.
    r = call(
        "PUT", QStringLiteral("/v2/apps/shop/web?force=true"), QByteArray(R"({"instances":3})"));
    QCOMPARE(r.status, 200);
    const QString forced = r.object().value(QStringLiteral("deploymentId")).toString();
    QVERIFY(forced != first);
    QCOMPARE(m_sim->deploymentIds(), QStringList{forced});

    // DELETE ?force=true: cancelled, 202 without a body, nothing rolled back.
    r = call("DELETE", QStringLiteral("/v2/deployments/") + forced + QStringLiteral("?force=true"));
    QCOMPARE(r.status, 202);
    QVERIFY(r.body.isEmpty());
    QCOMPARE(call("GET", QStringLiteral("/v2/deployments")).array().size(), 0);
    QCOMPARE(m_sim->app(QStringLiteral("/shop/web")).value(QStringLiteral("instances")).toInt(), 3);
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->tasks().size(), 3, 5000); // the app keeps its count

    // DELETE without force: a rollback deployment to what was there before.
    const QString beforeImage = QStringLiteral("shop/web:2.0");
    const QString update =
        put(QStringLiteral("/v2/apps/shop/web"), imageUpdate(QStringLiteral("shop/web:3.0")));
    QVERIFY(!update.isEmpty());
    r = call("DELETE", QStringLiteral("/v2/deployments/") + update);
    QCOMPARE(r.status, 200);
    const QString rollback = r.object().value(QStringLiteral("deploymentId")).toString();
    QVERIFY(!rollback.isEmpty() && rollback != update);
    QCOMPARE(r.headers.value("marathon-deployment-id"), rollback.toUtf8());
    QCOMPARE(m_sim->deploymentIds(), QStringList{rollback});
    QVERIFY(waitFinished(rollback));
    QCOMPARE(call("GET", QStringLiteral("/v2/deployments")).array().size(), 0);
    const QJsonObject app = m_sim->app(QStringLiteral("/shop/web"));
    QCOMPARE(app[QStringLiteral("container")][QStringLiteral("docker")][QStringLiteral("image")]
                 .toString(),
             beforeImage);
    const QList<QJsonObject> tasks = appTasks(QStringLiteral("/shop/web"));
    QCOMPARE(tasks.size(), 3);
    for (const QJsonObject &t : tasks)
        QCOMPARE(t.value(QStringLiteral("version")), app.value(QStringLiteral("version")));
    for (const Sim::SimContainer &c : containersOf(QStringLiteral("/shop/web")))
        QCOMPARE(c.image, beforeImage);
}

void tst_SimMarathon::workedExampleOfRollingUpgrade()
{
    // API reference §2.8: N = 4, minimumHealthCapacity 0.5, maximumOverCapacity 0.25.
    m_sim->addApp(webApp(4, 0.5, 0.25));
    EventStream events(&m_net, m_sim->url(0) + QStringLiteral("/v2/events"));
    QTRY_VERIFY_WITH_TIMEOUT(!events.events.isEmpty(), 5000);
    QList<Sample> samples;
    connect(m_sim.get(),
            &Sim::SimMarathon::capacitySample,
            this,
            [&samples](const QString &, int oldActive, int newStarted, int healthy) {
                samples << Sample{oldActive, newStarted, healthy};
            });
    QSignalSpy published(m_sim.get(), &Sim::SimMarathon::eventPublished);

    const QString id =
        put(QStringLiteral("/v2/apps/shop/web"), imageUpdate(QStringLiteral("shop/web:2.0")));
    QVERIFY(!id.isEmpty());
    // At once: two old tasks killed, one new one started (capacity 5 − 4 − 0 = 1).
    QStringList first;
    for (const auto &args : std::as_const(published)) {
        const QJsonObject e = args.at(0).toJsonObject();
        if (e.value(QStringLiteral("eventType")).toString() == QLatin1String("status_update_event"))
            first << e.value(QStringLiteral("taskStatus")).toString();
    }
    QCOMPARE(first.mid(0, 3),
             (QStringList{QStringLiteral("TASK_KILLING"),
                          QStringLiteral("TASK_KILLING"),
                          QStringLiteral("TASK_STAGING")}));
    QVERIFY(waitFinished(id));

    QVERIFY(!samples.isEmpty());
    QCOMPARE(samples.first().oldActive, 4);
    QCOMPARE(samples.first().newStarted, 1);
    int maxTotal = 0;
    for (const Sample &s : std::as_const(samples)) {
        QVERIFY2(s.oldActive + s.newStarted <= 5,
                 qPrintable(QStringLiteral("%1 old + %2 new").arg(s.oldActive).arg(s.newStarted)));
        QVERIFY2(s.healthy >= 2, qPrintable(QStringLiteral("%1 healthy").arg(s.healthy)));
        maxTotal = std::max(maxTotal, s.oldActive + s.newStarted);
    }
    QCOMPARE(maxTotal, 5);
    // The table's moments, in order: (old active, new started).
    const QList<QPair<int, int>> moments{{4, 1}, {3, 2}, {2, 3}, {1, 4}, {0, 4}};
    qsizetype at = 0;
    for (const Sample &s : std::as_const(samples)) {
        if (at < moments.size() && s.oldActive == moments.at(at).first
            && s.newStarted == moments.at(at).second)
            ++at;
    }
    QCOMPARE(at, moments.size());
    QCOMPARE(samples.last().healthy, 4);

    QCOMPARE(call("GET", QStringLiteral("/v2/deployments")).array().size(), 0);
    const QJsonObject app = m_sim->app(QStringLiteral("/shop/web"));
    const QList<QJsonObject> tasks = appTasks(QStringLiteral("/shop/web"));
    QCOMPARE(tasks.size(), 4);
    for (const QJsonObject &t : tasks) {
        QCOMPARE(t.value(QStringLiteral("version")), app.value(QStringLiteral("version")));
        QVERIFY(
            QRegularExpression(QStringLiteral("^shop\\.web\\.instance-[0-9a-f-]{36}\\._app\\.1$"))
                .match(t.value(QStringLiteral("id")).toString())
                .hasMatch());
    }
    // The event stream saw the deployment from start to end.
    QTRY_VERIFY_WITH_TIMEOUT(events.types().contains(QStringLiteral("deployment_success")), 5000);
    const QStringList types = events.types();
    QCOMPARE(types.first(), QStringLiteral("event_stream_attached"));
    QVERIFY(types.indexOf(QStringLiteral("api_post_event"))
            < types.indexOf(QStringLiteral("deployment_info")));
    QVERIFY(types.indexOf(QStringLiteral("deployment_info"))
            < types.indexOf(QStringLiteral("status_update_event")));
    QVERIFY(types.indexOf(QStringLiteral("deployment_step_success"))
            < types.indexOf(QStringLiteral("deployment_success")));
    QCOMPARE(types.count(QStringLiteral("instance_health_changed_event")), 4);
    int killed = 0;
    for (const QJsonObject &e : std::as_const(events.events)) {
        if (e.value(QStringLiteral("taskStatus")).toString() == QLatin1String("TASK_KILLED"))
            ++killed;
        QVERIFY(kIsoMs.match(e.value(QStringLiteral("timestamp")).toString()).hasMatch());
    }
    QCOMPARE(killed, 4);
    const QJsonObject success =
        events.events.at(types.indexOf(QStringLiteral("deployment_success")));
    QCOMPARE(success.value(QStringLiteral("id")).toString(), id);
}

void tst_SimMarathon::oneAtATime()
{
    // minHC 1, maxOC 0: minHealthy = maxCapacity = 3, so the capacity becomes 4.
    m_sim->addApp(webApp(3, 1.0, 0.0));
    QList<Sample> samples;
    connect(m_sim.get(),
            &Sim::SimMarathon::capacitySample,
            this,
            [&samples](const QString &, int oldActive, int newStarted, int healthy) {
                samples << Sample{oldActive, newStarted, healthy};
            });
    const QString id = m_sim->startDeployment(QStringLiteral("/shop/web"),
                                              imageUpdate(QStringLiteral("shop/web:2.0")));
    QVERIFY(!id.isEmpty());
    QVERIFY(waitFinished(id));
    QCOMPARE(samples.first().oldActive, 3);
    QCOMPARE(samples.first().newStarted, 1);
    for (const Sample &s : std::as_const(samples)) {
        QVERIFY(s.oldActive + s.newStarted <= 4);
        QVERIFY2(s.healthy >= 3, qPrintable(QStringLiteral("%1 healthy").arg(s.healthy)));
        // One at a time: never more than one new task beyond the old ones it replaces.
        QVERIFY(s.newStarted <= 3 - s.oldActive + 1);
    }
    QCOMPARE(samples.last().oldActive, 0);
    QCOMPARE(samples.last().healthy, 3);
}

void tst_SimMarathon::brokenImageStaysStuckThenRollsBack()
{
    m_sim->addApp(webApp(3));
    m_sim->setBrokenImage(QStringLiteral("shop/web:broken"));
    const QString original =
        m_sim->app(QStringLiteral("/shop/web")).value(QStringLiteral("version")).toString();
    QSignalSpy published(m_sim.get(), &Sim::SimMarathon::eventPublished);
    const auto count = [&published](const QString &type) {
        int n = 0;
        for (const auto &args : std::as_const(published))
            n += args.at(0).toJsonObject().value(QStringLiteral("eventType")).toString() == type
                     ? 1
                     : 0;
        return n;
    };
    const QString stuck =
        put(QStringLiteral("/v2/apps/shop/web"), imageUpdate(QStringLiteral("shop/web:broken")));
    QVERIFY(!stuck.isEmpty());

    // New tasks start, never pass their health checks, are killed and launched again.
    QTRY_VERIFY_WITH_TIMEOUT(count(QStringLiteral("unhealthy_instance_kill_event")) >= 4, 10000);
    QCOMPARE(m_sim->deploymentIds(), QStringList{stuck});
    QJsonObject app = call("GET", QStringLiteral("/v2/apps/shop/web"))
                          .object()
                          .value(QStringLiteral("app"))
                          .toObject();
    QCOMPARE(app.value(QStringLiteral("deployments"))[0][QStringLiteral("id")].toString(), stuck);
    int oldHealthy = 0;
    for (const auto &t : app.value(QStringLiteral("tasks")).toArray()) {
        if (t[QStringLiteral("version")].toString() == original
            && t[QStringLiteral("healthCheckResults")][0][QStringLiteral("alive")].toBool())
            ++oldHealthy;
    }
    QCOMPARE(oldHealthy, 3); // minimumHealthCapacity 1: the old ones all stay
    // The launch queue shows the back-off.
    QTRY_VERIFY_WITH_TIMEOUT(!call("GET", QStringLiteral("/v2/queue"))
                                  .object()
                                  .value(QStringLiteral("queue"))
                                  .toArray()
                                  .isEmpty(),
                             5000);
    const QJsonObject entry =
        call("GET", QStringLiteral("/v2/queue")).object()[QStringLiteral("queue")][0].toObject();
    QCOMPARE(entry[QStringLiteral("app")][QStringLiteral("id")].toString(),
             QStringLiteral("/shop/web"));
    QVERIFY(entry[QStringLiteral("count")].isDouble());
    QVERIFY(entry[QStringLiteral("delay")][QStringLiteral("timeLeftSeconds")].isDouble());
    QVERIFY(entry[QStringLiteral("delay")][QStringLiteral("overdue")].isBool());
    QVERIFY(kIsoMs.match(entry[QStringLiteral("since")].toString()).hasMatch());

    // Roll back: a new deployment to the previous definition; the stuck one is gone.
    const Reply r = call("DELETE", QStringLiteral("/v2/deployments/") + stuck);
    QCOMPARE(r.status, 200);
    const QString rollback = r.object().value(QStringLiteral("deploymentId")).toString();
    QVERIFY(rollback != stuck);
    QVERIFY(!m_sim->deploymentIds().contains(stuck));
    QCOMPARE(count(QStringLiteral("deployment_failed")), 1);
    QVERIFY(waitFinished(rollback));
    QCOMPARE(call("GET", QStringLiteral("/v2/deployments")).array().size(), 0);
    app = call("GET", QStringLiteral("/v2/apps/shop/web"))
              .object()
              .value(QStringLiteral("app"))
              .toObject();
    QCOMPARE(app[QStringLiteral("container")][QStringLiteral("docker")][QStringLiteral("image")]
                 .toString(),
             QStringLiteral("shop/web:1.0"));
    QCOMPARE(app.value(QStringLiteral("tasksHealthy")).toInt(), 3);
    QCOMPARE(app.value(QStringLiteral("tasks")).toArray().size(), 3);
    for (const auto &t : app.value(QStringLiteral("tasks")).toArray())
        QCOMPARE(t[QStringLiteral("version")], app.value(QStringLiteral("version")));
    const QList<Sim::SimContainer> containers = containersOf(QStringLiteral("/shop/web"));
    QCOMPARE(containers.size(), 3);
    for (const Sim::SimContainer &c : containers)
        QCOMPARE(c.image, QStringLiteral("shop/web:1.0"));
    // Every version is kept: the original, the broken one and the rollback.
    QCOMPARE(call("GET", QStringLiteral("/v2/apps/shop/web/versions"))
                 .object()
                 .value(QStringLiteral("versions"))
                 .toArray()
                 .size(),
             3);
    QTRY_VERIFY_WITH_TIMEOUT(call("GET", QStringLiteral("/v2/queue"))
                                 .object()
                                 .value(QStringLiteral("queue"))
                                 .toArray()
                                 .isEmpty(),
                             5000);
}

void tst_SimMarathon::brokenImageWithoutHealthChecks()
{
    m_sim->addApp(workerApp(2));
    m_sim->setBrokenImage(QStringLiteral("shop/worker:broken"));
    const QString stuck =
        put(QStringLiteral("/v2/apps/shop/worker"),
            QJsonObject{{QStringLiteral("container"),
                         QJsonObject{{QStringLiteral("docker"),
                                      QJsonObject{{QStringLiteral("image"),
                                                   QStringLiteral("shop/worker:broken")}}}}}});
    QVERIFY(!stuck.isEmpty());
    // They exit soon after starting: TASK_FAILED, the last failure recorded.
    QJsonObject failure;
    QTRY_VERIFY_WITH_TIMEOUT(
        !(failure = call("GET", QStringLiteral("/v2/apps/shop/worker"))
                        .object()[QStringLiteral("app")][QStringLiteral("lastTaskFailure")]
                        .toObject())
             .isEmpty(),
        5000);
    QCOMPARE(failure.value(QStringLiteral("state")).toString(), QStringLiteral("TASK_FAILED"));
    QCOMPARE(failure.value(QStringLiteral("appId")).toString(), QStringLiteral("/shop/worker"));
    QCOMPARE(
        failure.value(QStringLiteral("version")).toString(),
        m_sim->app(QStringLiteral("/shop/worker")).value(QStringLiteral("version")).toString());
    for (const char *field : {"host", "message", "taskId", "timestamp", "slaveId"})
        QVERIFY2(failure.value(QLatin1String(field)).isString(), field);
    QTest::qWait(1000);
    QCOMPARE(m_sim->deploymentIds(), QStringList{stuck}); // stuck

    // Forced cancel: no rollback, the old tasks simply stay.
    QCOMPARE(
        call("DELETE", QStringLiteral("/v2/deployments/") + stuck + QStringLiteral("?force=true"))
            .status,
        202);
    QCOMPARE(m_sim->deploymentIds(), QStringList());
    QCOMPARE(m_sim
                 ->app(QStringLiteral("/shop/worker"))[QStringLiteral("container")][QStringLiteral(
                     "docker")][QStringLiteral("image")]
                 .toString(),
             QStringLiteral("shop/worker:broken"));
    int running = 0;
    for (const Sim::SimTask &t : m_sim->tasks())
        running += t.state == QLatin1String("TASK_RUNNING") ? 1 : 0;
    QVERIFY(running >= 2);
}

void tst_SimMarathon::leaderChange()
{
    m_sim = std::make_unique<Sim::SimMarathon>();
    m_sim->setTimeScale(kTimeScale);
    QVERIFY(m_sim->listen(3));
    QCOMPARE(m_sim->ports().size(), 3);
    QCOMPARE(m_sim->leader(), 0);
    m_sim->addApp(workerApp(0));

    // A non-leader answers as if it forwarded the request.
    Reply r = call("GET", QStringLiteral("/v2/apps"), {}, 1);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(QStringLiteral("apps")).toArray().size(), 1);
    QCOMPARE(r.headers.value("x-marathon-leader"), m_sim->url(0).toUtf8());
    QVERIFY(r.headers.contains("x-marathon-via"));
    QCOMPARE(call("GET", QStringLiteral("/v2/info"), {}, 1)
                 .object()
                 .value(QStringLiteral("elected"))
                 .toBool(),
             false);

    m_sim->setLeader(1);
    r = call("GET", QStringLiteral("/v2/leader"), {}, 2);
    QCOMPARE(r.object().value(QStringLiteral("leader")).toString(),
             QStringLiteral("127.0.0.1:%1").arg(m_sim->ports().at(1)));
    // Events only from the leader: the others redirect.
    r = call("GET",
             QStringLiteral("/v2/events?event_type=deployment_info"),
             {},
             0,
             5000,
             "text/event-stream");
    QCOMPARE(r.status, 307);
    QCOMPARE(r.headers.value("location"),
             (m_sim->url(1) + QStringLiteral("/v2/events?event_type=deployment_info")).toUtf8());

    EventStream stream(&m_net, m_sim->url(1) + QStringLiteral("/v2/events"));
    QTRY_COMPARE_WITH_TIMEOUT(
        stream.types(), QStringList{QStringLiteral("event_stream_attached")}, 5000);
    m_sim->setLeader(2); // the old leader's streams end
    QTRY_VERIFY_WITH_TIMEOUT(stream.finished(), 5000);
    r = call("GET", QStringLiteral("/v2/events"), {}, 1, 5000, "text/event-stream");
    QCOMPARE(r.status, 307);
    QVERIFY(r.headers.value("location").startsWith(m_sim->url(2).toUtf8()));

    // The leader goes away: the next master up takes over; its socket is closed.
    m_sim->stopMaster(2);
    QCOMPARE(m_sim->leader(), 0);
    r = call("GET", QStringLiteral("/ping"), {}, 2, 2000);
    QCOMPARE(r.error, QNetworkReply::ConnectionRefusedError);
    QCOMPARE(call("GET", QStringLiteral("/v2/leader"), {}, 1)
                 .object()
                 .value(QStringLiteral("leader"))
                 .toString(),
             QStringLiteral("127.0.0.1:%1").arg(m_sim->ports().at(0)));

    m_sim->setLeader(-1); // nobody leads
    QCOMPARE(call("GET", QStringLiteral("/v2/leader")).status, 404);
    QCOMPARE(call("GET", QStringLiteral("/v2/apps")).status, 502);
    QCOMPARE(call("GET", QStringLiteral("/ping")).status, 200);
}

void tst_SimMarathon::eventStream()
{
    m_sim->addApp(webApp(1));
    EventStream all(&m_net, m_sim->url(0) + QStringLiteral("/v2/events"));
    EventStream filtered(
        &m_net,
        m_sim->url(0)
            + QStringLiteral(
                "/v2/events?event_type=deployment_info&event_type=deployment_success"));
    QTRY_VERIFY_WITH_TIMEOUT(!all.events.isEmpty() && !filtered.events.isEmpty(), 5000);
    const QString id =
        put(QStringLiteral("/v2/apps/shop/web"), QJsonObject{{QStringLiteral("instances"), 2}});
    QVERIFY(waitFinished(id));
    QTRY_VERIFY_WITH_TIMEOUT(filtered.types().contains(QStringLiteral("deployment_success")), 5000);
    QCOMPARE(filtered.types(),
             (QStringList{QStringLiteral("event_stream_attached"),
                          QStringLiteral("deployment_info"),
                          QStringLiteral("deployment_success")}));
    const QJsonObject info = filtered.events.at(1);
    QCOMPARE(info[QStringLiteral("plan")][QStringLiteral("id")].toString(), id);
    QCOMPARE(
        info[QStringLiteral("currentStep")][QStringLiteral("actions")][0][QStringLiteral("action")]
            .toString(),
        QStringLiteral("ScaleApplication"));
    QTRY_VERIFY_WITH_TIMEOUT(all.types().contains(QStringLiteral("deployment_success")), 5000);
    for (const char *type : {"api_post_event",
                             "group_change_success",
                             "status_update_event",
                             "instance_changed_event",
                             "health_status_changed_event",
                             "instance_health_changed_event",
                             "deployment_step_success"})
        QVERIFY2(all.types().contains(QLatin1String(type)), type);
    for (const QJsonObject &e : std::as_const(all.events)) {
        if (e.value(QStringLiteral("eventType")).toString()
            == QLatin1String("status_update_event")) {
            for (const char *field :
                 {"slaveId", "taskId", "taskStatus", "appId", "host", "version"})
                QVERIFY2(e.value(QLatin1String(field)).isString(), field);
            QVERIFY(e.value(QStringLiteral("ports")).isArray());
            QVERIFY(e.value(QStringLiteral("ipAddresses")).isArray());
        }
    }
    // Keep-alive comments every 15 s (scaled: 0.75 s), and a drop ends every stream.
    QTRY_VERIFY_WITH_TIMEOUT(all.comments() >= 1, 5000);
    m_sim->dropEventStreams();
    QTRY_VERIFY_WITH_TIMEOUT(all.finished() && filtered.finished(), 5000);
    // Deleting the app ends with app_terminated_event.
    EventStream again(&m_net, m_sim->url(0) + QStringLiteral("/v2/events"));
    QTRY_VERIFY_WITH_TIMEOUT(!again.events.isEmpty(), 5000);
    const Reply r = call("DELETE", QStringLiteral("/v2/apps/shop/web"));
    QCOMPARE(r.status, 200);
    QVERIFY(waitFinished(r.object().value(QStringLiteral("deploymentId")).toString()));
    QCOMPARE(call("GET", QStringLiteral("/v2/apps/shop/web")).status, 404);
    QTRY_VERIFY_WITH_TIMEOUT(again.types().contains(QStringLiteral("app_terminated_event")), 5000);
    QVERIFY(m_sim->tasks().isEmpty());
    QVERIFY(containersOf(QStringLiteral("/shop/web")).isEmpty());
}

void tst_SimMarathon::faultKnobs()
{
    m_sim->addApp(webApp(1));
    m_sim->setResponseDelayMs(600);
    QElapsedTimer clock;
    clock.start();
    Reply r = call("GET", QStringLiteral("/v2/apps"), {}, 0, 200);
    QCOMPARE(r.error, QNetworkReply::OperationCanceledError); // the client's timeout
    r = call("GET", QStringLiteral("/v2/apps"), {}, 0, 5000);
    QCOMPARE(r.status, 200);
    QVERIFY(clock.elapsed() >= 550);
    m_sim->setResponseDelayMs(0);

    m_sim->setMalformedJson(true);
    r = call("GET", QStringLiteral("/v2/apps"));
    QCOMPARE(r.status, 200);
    QJsonParseError error;
    QJsonDocument::fromJson(r.body, &error);
    QVERIFY(error.error != QJsonParseError::NoError);
    m_sim->setMalformedJson(false);
    QCOMPARE(call("GET", QStringLiteral("/v2/apps"))
                 .object()
                 .value(QStringLiteral("apps"))
                 .toArray()
                 .size(),
             1);
}

void tst_SimMarathon::tasksAreContainers()
{
    QSignalSpy changed(m_sim.get(), &Sim::SimMarathon::tasksChanged);
    m_sim->addApp(webApp(3));
    QVERIFY(!changed.isEmpty());
    const auto coherent = [this](int expected) {
        const QList<Sim::SimTask> tasks = m_sim->tasks();
        const QList<Sim::SimContainer> containers = containersOf(QStringLiteral("/shop/web"));
        if (tasks.size() != expected || containers.size() != expected)
            return false;
        QSet<QString> ids;
        for (const Sim::SimTask &t : tasks)
            ids.insert(t.id);
        for (const Sim::SimContainer &c : containers) {
            if (!ids.contains(c.labels.value(QStringLiteral("MESOS_TASK_ID")))
                || c.state != QLatin1String("running"))
                return false;
        }
        return true;
    };
    QVERIFY(coherent(3));
    QSet<QString> agentIds;
    for (const Sim::SimAgent &a : m_sim->agents())
        agentIds.insert(a.id);
    for (const Sim::SimTask &t : m_sim->tasks()) {
        QVERIFY(agentIds.contains(t.agentId));
        QCOMPARE(t.appId, QStringLiteral("/shop/web"));
        QCOMPARE(t.state, QStringLiteral("TASK_RUNNING"));
        QVERIFY(t.hasHealth && t.healthy);
        QCOMPARE(t.cpus, 0.5);
        QCOMPARE(t.memMb, 256.0);
        QCOMPARE(t.ports.size(), 1);
    }
    const Sim::SimContainer c = containersOf(QStringLiteral("/shop/web")).first();
    QVERIFY(c.name.startsWith(QLatin1String("mesos-")));
    QCOMPARE(c.image, QStringLiteral("shop/web:1.0"));
    QVERIFY(c.env.contains(QStringLiteral("APP_ENV=staging")));
    QVERIFY(c.env.contains(QStringLiteral("MARATHON_APP_ID=/shop/web")));
    for (const QString &e : c.env)
        QVERIFY2(!e.startsWith(QLatin1String("DB_PASSWORD")), qPrintable(e)); // a secret reference
    // Tasks spread over the agents.
    QCOMPARE(m_hosts.at(0)->containers().size() + m_hosts.at(1)->containers().size(), 3);
    QVERIFY(!m_hosts.at(0)->containers().isEmpty() && !m_hosts.at(1)->containers().isEmpty());

    // Scale up: more tasks, more containers.
    QString id =
        put(QStringLiteral("/v2/apps/shop/web"), QJsonObject{{QStringLiteral("instances"), 5}});
    QVERIFY(waitFinished(id));
    QVERIFY(coherent(5));

    // Kill one task and scale down: its container goes (destroy).
    QSignalSpy engine0(m_hosts.at(0).get(), &Sim::SimDockerHost::eventEmitted);
    QSignalSpy engine1(m_hosts.at(1).get(), &Sim::SimDockerHost::eventEmitted);
    const QString victim = m_sim->tasks().first().id;
    Reply r =
        call("DELETE",
             QStringLiteral("/v2/apps/shop/web/tasks/") + victim + QStringLiteral("?scale=true"));
    QCOMPARE(r.status, 200);
    QVERIFY(waitFinished(r.object().value(QStringLiteral("deploymentId")).toString()));
    QVERIFY(coherent(4));
    QCOMPARE(m_sim->app(QStringLiteral("/shop/web")).value(QStringLiteral("instances")).toInt(), 4);
    QStringList actions;
    for (const QSignalSpy *spy : {&engine0, &engine1}) {
        for (const auto &args : *spy) {
            const QJsonObject e = args.at(0).toJsonObject();
            if (e[QStringLiteral("Actor")][QStringLiteral("Attributes")]
                 [QStringLiteral("MESOS_TASK_ID")]
                     .toString()
                == victim)
                actions << e.value(QStringLiteral("Action")).toString();
        }
    }
    QCOMPARE(actions,
             (QStringList{QStringLiteral("kill"),
                          QStringLiteral("die"),
                          QStringLiteral("stop"),
                          QStringLiteral("destroy")}));

    // Without scale: the task is killed and replaced, the app keeps its count.
    const QString other = m_sim->tasks().first().id;
    r = call("DELETE", QStringLiteral("/v2/apps/shop/web/tasks/") + other);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object()[QStringLiteral("task")][QStringLiteral("id")].toString(), other);
    const auto replaced = [this, &other] {
        const QList<Sim::SimTask> tasks = m_sim->tasks();
        return std::none_of(tasks.cbegin(), tasks.cend(), [&other](const Sim::SimTask &t) {
            return t.id == other || t.state != QLatin1String("TASK_RUNNING");
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT(replaced() && coherent(4), 5000);

    // A new image: every container is replaced by one of the new image.
    id = put(QStringLiteral("/v2/apps/shop/web"), imageUpdate(QStringLiteral("shop/web:2.0")));
    QVERIFY(waitFinished(id));
    QVERIFY(coherent(4));
    for (const Sim::SimContainer &container : containersOf(QStringLiteral("/shop/web")))
        QCOMPARE(container.image, QStringLiteral("shop/web:2.0"));
}

void tst_SimMarathon::pythonMarathonClient()
{
    // Debian's python3-marathon lives in the system Python, whatever else is on the PATH.
    const QString python = QStringLiteral("/usr/bin/python3");
    QProcess probe;
    probe.start(python, {QStringLiteral("-c"), QStringLiteral("import marathon")});
    const bool available = probe.waitForFinished(20000)
                           && probe.exitStatus() == QProcess::NormalExit && probe.exitCode() == 0;
    OPSDECK_REQUIRE_SERVER(available, QStringLiteral("python3-marathon for /usr/bin/python3"));

    m_sim->setTimeScale(5.0); // slow enough that the client sees each deployment running
    m_sim->addApp(webApp(2));
    m_sim->setBrokenImage(QStringLiteral("shop/web:broken"));
    QProcess client;
    client.start(python,
                 {QStringLiteral(OPSDECK_SOURCE_DIR "/tests/integration/sim/marathon_client.py"),
                  m_sim->url(0)});
    // The client talks to a server on this very event loop: keep the loop turning while it runs.
    QElapsedTimer clock;
    clock.start();
    while (client.state() != QProcess::NotRunning && clock.elapsed() < 40000)
        QTest::qWait(20);
    if (client.state() != QProcess::NotRunning) {
        client.kill();
        client.waitForFinished();
        QFAIL("marathon_client.py did not finish within 40 s");
    }
    const QByteArray out = client.readAllStandardOutput();
    const QByteArray err = client.readAllStandardError();
    QVERIFY2(client.exitStatus() == QProcess::NormalExit && client.exitCode() == 0,
             err.constData());
    const QJsonObject result = QJsonDocument::fromJson(out).object();
    QCOMPARE(result[QStringLiteral("update_app")][QStringLiteral("image")].toString(),
             QStringLiteral("shop/web:2.0"));
    QCOMPARE(result[QStringLiteral("delete_deployment")][QStringLiteral("image")].toString(),
             QStringLiteral("shop/web:2.0"));
    QCOMPARE(result[QStringLiteral("scale_app")][QStringLiteral("instances")].toInt(), 3);
    QVERIFY(result[QStringLiteral("locked")].toString().startsWith(QLatin1String("App is locked")));
    QCOMPARE(result[QStringLiteral("not_found")].toString(),
             QStringLiteral("App '/no/such/app' does not exist"));
}

QTEST_GUILESS_MAIN(tst_SimMarathon)
#include "tst_simmarathon.moc"
