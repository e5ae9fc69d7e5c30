// SPDX-License-Identifier: MIT
// The feed protocol end to end: a FeedServer on 127.0.0.1:0 over real stores, QWebSocket clients,
// a raw TCP client that stops reading, and QNetworkAccessManager for the HTTP side.
#include "models/alertboard.h"
#include "models/containeroperations.h"
#include "models/environmentstore.h"
#include "models/kvstore.h"
#include "models/marathonoperations.h"
#include "models/marathonstore.h"
#include "models/secrets.h"
#include "tests/support/testsupport.h"
#include "views/feed/feedserver.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QWebSocket>

#include <memory>

using namespace Opsdeck;
using namespace Opsdeck::Models;
using namespace Opsdeck::Views;

namespace {

const QString kEnv = QStringLiteral("Production");

Container containerOf(const QString &id, ContainerState state, int restarts = 0)
{
    Container c;
    c.hostId = QStringLiteral("host1");
    c.id = id;
    c.name = QStringLiteral("svc-") + id;
    c.image = QStringLiteral("svc:1.0");
    c.state = state;
    c.restartCount = restarts;
    c.inspected = true;
    return c;
}

MarathonApp appOf(const QString &id, int instances)
{
    MarathonApp a;
    a.id = id;
    a.instances = instances;
    a.tasksRunning = instances;
    a.tasksHealthy = instances;
    a.version = QStringLiteral("2026-01-01T00:00:00.000Z");
    a.image = QStringLiteral("orders:1.0");
    return a;
}

class FakeContainerOperations : public ContainerOperations
{
public:
    using ContainerOperations::ContainerOperations;

    void
    requestAction(const QString &environment, const QString &key, ContainerAction action) override
    {
        requests.append(key);
        QTimer::singleShot(0, this, [this, environment, key, action] {
            emit actionFinished(environment, key, action, true, QStringLiteral("restarted"));
        });
    }

    LogFollower *followLogs(const QString &, const QString &, int) override { return nullptr; }

    void requestStats(const QString &, const QString &) override {}

    QStringList requests;
};

class FakeMarathonOperations : public MarathonOperations
{
public:
    using MarathonOperations::MarathonOperations;

    void requestMarathonAction(const MarathonActionRequest &request) override
    {
        requests.append(request);
        QTimer::singleShot(0, this, [this, request] {
            emit marathonActionFinished(request, true, QStringLiteral("ok"), QStringLiteral("d-9"));
        });
    }

    QList<MarathonActionRequest> requests;
};

/// A protocol client that keeps every message and applies snapshots and deltas like a dashboard.
class FeedClient : public QObject
{
public:
    struct StreamState
    {
        qint64 seq = -1;
        QJsonObject data;
        bool waitingForSnapshot = false;
    };

    explicit FeedClient(const QString &origin = QString())
        : socket(origin)
    {
        connect(&socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
            const QJsonObject m = QJsonDocument::fromJson(text.toUtf8()).object();
            messages.append(m);
            apply(m);
        });
    }

    bool open(quint16 port, const QByteArray &token = {}, const QString &query = {})
    {
        QNetworkRequest request(
            QUrl(QStringLiteral("ws://127.0.0.1:%1/ws%2").arg(port).arg(query)));
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token);
        QSignalSpy connected(&socket, &QWebSocket::connected);
        socket.open(request);
        return connected.wait(5000) || socket.state() == QAbstractSocket::ConnectedState;
    }

    void sendJson(const QJsonObject &o)
    {
        socket.sendTextMessage(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)));
    }

    /// Waits for the next message of @p type after index @p from; returns it (empty on timeout).
    QJsonObject waitFor(const QString &type, int from = -1, int timeoutMs = 5000)
    {
        const int start = from < 0 ? m_cursor : from;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            for (int i = start; i < messages.size(); ++i) {
                if (messages.at(i).value(QStringLiteral("type")).toString() == type) {
                    m_cursor = i + 1;
                    return messages.at(i);
                }
            }
            QTest::qWait(5);
        }
        return {};
    }

    void apply(const QJsonObject &m)
    {
        const QString type = m.value(QStringLiteral("type")).toString();
        const QString id = m.value(QStringLiteral("env")).toString() + QLatin1Char('/')
                           + m.value(QStringLiteral("topic")).toString();
        if (type == QLatin1String("snapshot")) {
            StreamState &s = streams[id];
            s.seq = m.value(QStringLiteral("seq")).toInteger();
            s.data = m.value(QStringLiteral("data")).toObject();
            s.waitingForSnapshot = false;
            ++snapshots;
        } else if (type == QLatin1String("delta")) {
            StreamState &s = streams[id];
            if (dropNextDelta) {
                dropNextDelta = false;
                return;
            }
            if (s.waitingForSnapshot)
                return;
            const qint64 seq = m.value(QStringLiteral("seq")).toInteger();
            if (seq != s.seq + 1) {
                ++gaps;
                s.waitingForSnapshot = true;
                sendJson({{QStringLiteral("type"), QStringLiteral("resync")},
                          {QStringLiteral("env"), m.value(QStringLiteral("env"))},
                          {QStringLiteral("topic"), m.value(QStringLiteral("topic"))}});
                return;
            }
            s.seq = seq;
            const QJsonObject changes = m.value(QStringLiteral("changes")).toObject();
            for (auto it = changes.begin(); it != changes.end(); ++it) {
                QJsonObject collection = s.data.value(it.key()).toObject();
                const QJsonObject change = it.value().toObject();
                const QJsonObject upsert = change.value(QStringLiteral("upsert")).toObject();
                for (auto u = upsert.begin(); u != upsert.end(); ++u)
                    collection.insert(u.key(), u.value());
                for (const auto &key : change.value(QStringLiteral("remove")).toArray())
                    collection.remove(key.toString());
                s.data.insert(it.key(), collection);
            }
        }
    }

    QWebSocket socket;
    QList<QJsonObject> messages;
    QHash<QString, StreamState> streams;
    bool dropNextDelta = false;
    int gaps = 0;
    int snapshots = 0;

private:
    int m_cursor = 0;
};

struct AuditEntry
{
    QString environment, action, target, outcome, detail;
};

} // namespace

class tst_FeedServer : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void helloCarriesRoleAndEnvironments();
    void snapshotPlusDeltasEqualTheModel();
    void sequenceGapResyncs();
    void badTokenIsRefused();
    void refusedAnonymousMustAuthenticate();
    void viewerCannotAct();
    void wrongConfirmationIsRefused();
    void operatorActionsReachOperationsAndAreAudited();
    void malformedRequestsGetErrorsAndConnectionSurvives();
    void slowClientStaysBoundedAndGetsASnapshot();
    void metricsParseAndMatchTheModel();
    void healthz();
    void staticFilesStayInsideTheRoot();
    void originAllowList();
    void configTopicMirrorsKvStoresWithSecretsMasked();
    void tlsServesHttpsAndWss();

private:
    void startServer(FeedSettings::Anonymous anonymous = FeedSettings::Anonymous::ReadOnly,
                     qint64 maxBacklog = 1024 * 1024);
    QByteArray httpGet(const QString &path, int *status = nullptr, QByteArray *type = nullptr);

    void settle() { QTest::qWait(30); }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EnvironmentStore> m_store;
    std::unique_ptr<MarathonStore> m_marathon;
    std::unique_ptr<KvStore> m_kv;
    std::unique_ptr<AlertBoard> m_board;
    std::unique_ptr<FakeContainerOperations> m_containerOps;
    std::unique_ptr<FakeMarathonOperations> m_marathonOps;
    std::unique_ptr<FeedServer> m_server;
    QList<AuditEntry> m_audit;
    QString m_tlsCert;
    QString m_tlsKey;
};

void tst_FeedServer::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QFile tokens(m_dir->filePath(QStringLiteral("tokens")));
    QVERIFY(tokens.open(QIODevice::WriteOnly));
    tokens.write("# test tokens\nviewer vtok alice\noperator otok bob\n");
    tokens.close();
    QDir(m_dir->path()).mkdir(QStringLiteral("web"));
    QFile index(m_dir->filePath(QStringLiteral("web/index.html")));
    QVERIFY(index.open(QIODevice::WriteOnly));
    index.write("<!doctype html><title>Opsdeck</title>");
    index.close();
    QFile js(m_dir->filePath(QStringLiteral("web/app.js")));
    QVERIFY(js.open(QIODevice::WriteOnly));
    js.write("console.log('opsdeck');");
    js.close();
    QFile secret(m_dir->filePath(QStringLiteral("secret.txt")));
    QVERIFY(secret.open(QIODevice::WriteOnly));
    secret.write("do not serve");
    secret.close();
    QVERIFY(QFile::link(m_dir->filePath(QStringLiteral("secret.txt")),
                        m_dir->filePath(QStringLiteral("web/link.txt"))));

    m_store = std::make_unique<EnvironmentStore>(kEnv);
    HostStatus host;
    host.id = QStringLiteral("host1");
    host.url = QStringLiteral("tcp://127.0.0.1:2375");
    host.state = SourceState::Connected;
    m_store->addHost(host);
    m_store->replaceHostContainers(QStringLiteral("host1"),
                                   {containerOf(QStringLiteral("a"), ContainerState::Running),
                                    containerOf(QStringLiteral("b"), ContainerState::Exited),
                                    containerOf(QStringLiteral("c"), ContainerState::Running)});
    m_marathon = std::make_unique<MarathonStore>(kEnv);
    m_marathon->setApps({appOf(QStringLiteral("/shop/orders"), 2)}, {});
    MarathonDeployment d;
    d.id = QStringLiteral("d-1");
    d.affectedApps = {QStringLiteral("/shop/orders")};
    d.currentStep = 1;
    d.totalSteps = 2;
    m_marathon->setDeployments({d});
    m_kv = std::make_unique<KvStore>(kEnv, KvKind::Consul, QStringLiteral("config/shop/"));
    m_kv->setEntries(
        {KvEntry{QStringLiteral("config/shop/orders/db_pool_size"), "20", 11, 0, {}},
         KvEntry{QStringLiteral("config/shop/orders/db_password"), "hunter2", 12, 0, {}},
         KvEntry{
             QStringLiteral("config/shop/orders/blob"), QByteArray("\x00\xff\x01", 3), 13, 7, {}}});
    HostStatus consul;
    consul.id = QStringLiteral("consul");
    consul.url = QStringLiteral("http://127.0.0.1:8500");
    consul.state = SourceState::Connected;
    m_kv->setStatus(consul);
    m_kv->flush();
    m_board = std::make_unique<AlertBoard>();
    m_board->setClearHoldMs(0);
    m_containerOps = std::make_unique<FakeContainerOperations>();
    m_marathonOps = std::make_unique<FakeMarathonOperations>();
    m_store->flush();
    m_marathon->flush();
    m_audit.clear();
}

void tst_FeedServer::cleanup()
{
    m_server.reset();
    m_marathonOps.reset();
    m_containerOps.reset();
    m_board.reset();
    m_kv.reset();
    m_marathon.reset();
    m_store.reset();
    m_dir.reset();
    m_tlsCert.clear();
    m_tlsKey.clear();
}

void tst_FeedServer::startServer(FeedSettings::Anonymous anonymous, qint64 maxBacklog)
{
    FeedSettings settings;
    settings.address = QHostAddress::LocalHost;
    settings.port = 0;
    settings.tokensFile = m_dir->filePath(QStringLiteral("tokens"));
    settings.anonymous = anonymous;
    settings.allowedOrigins = {QStringLiteral("https://wall.example.internal")};
    settings.webRoot = m_dir->filePath(QStringLiteral("web"));
    settings.maxMessageBytes = 4096;
    settings.maxClientBacklogBytes = maxBacklog;
    settings.tlsCert = m_tlsCert;
    settings.tlsKey = m_tlsKey;
    FeedEnvironment env;
    env.name = kEnv;
    env.colour = QStringLiteral("#c0392b");
    env.production = true;
    env.store = m_store.get();
    env.marathon = m_marathon.get();
    env.kv = {m_kv.get()};
    m_server = std::make_unique<FeedServer>(QList<FeedEnvironment>{env},
                                            m_board.get(),
                                            m_containerOps.get(),
                                            m_marathonOps.get(),
                                            settings);
    m_server->setAuditor([this](const QString &e,
                                const QString &a,
                                const QString &t,
                                const QString &o,
                                const QString &d) {
        m_audit.append({e, a, t, o, d});
    });
    QString error;
    QVERIFY2(m_server->listen(&error), qPrintable(error));
    QVERIFY(m_server->port() != 0);
}

QByteArray tst_FeedServer::httpGet(const QString &path, int *status, QByteArray *type)
{
    QNetworkAccessManager nam;
    QNetworkReply *reply = nam.get(QNetworkRequest(
        QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server->port()).arg(path))));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    finished.wait(5000);
    if (status)
        *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (type)
        *type = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    const QByteArray body = reply->readAll();
    delete reply;
    return body;
}

void tst_FeedServer::helloCarriesRoleAndEnvironments()
{
    startServer();
    FeedClient viewer;
    QVERIFY(viewer.open(m_server->port(), "vtok"));
    const QJsonObject hello = viewer.waitFor(QStringLiteral("hello"));
    QCOMPARE(hello.value(QStringLiteral("protocol")).toInt(), 1);
    QCOMPARE(hello.value(QStringLiteral("role")).toString(), QStringLiteral("viewer"));
    const QJsonObject env = hello.value(QStringLiteral("environments")).toArray().at(0).toObject();
    QCOMPARE(env.value(QStringLiteral("name")).toString(), kEnv);
    QCOMPARE(env.value(QStringLiteral("production")).toBool(), true);
    QCOMPARE(env.value(QStringLiteral("colour")).toString(), QStringLiteral("#c0392b"));
    QVERIFY(
        !hello.value(QStringLiteral("capabilities")).toArray().contains(QStringLiteral("actions")));
    QTRY_COMPARE(m_server->clientCount(), 1);

    FeedClient anonymous; // read-only by default
    QVERIFY(anonymous.open(m_server->port()));
    QCOMPARE(anonymous.waitFor(QStringLiteral("hello")).value(QStringLiteral("role")).toString(),
             QStringLiteral("viewer"));
    FeedClient op;
    QVERIFY(op.open(m_server->port(), {}, QStringLiteral("?token=otok")));
    const QJsonObject opHello = op.waitFor(QStringLiteral("hello"));
    QCOMPARE(opHello.value(QStringLiteral("role")).toString(), QStringLiteral("operator"));
    QVERIFY(opHello.value(QStringLiteral("capabilities"))
                .toArray()
                .contains(QStringLiteral("actions")));
}

void tst_FeedServer::snapshotPlusDeltasEqualTheModel()
{
    startServer();
    FeedClient client;
    QVERIFY(client.open(m_server->port(), "vtok"));
    client.sendJson({{QStringLiteral("type"), QStringLiteral("subscribe")},
                     {QStringLiteral("env"), kEnv},
                     {QStringLiteral("topics"),
                      QJsonArray{QStringLiteral("hosts"),
                                 QStringLiteral("containers"),
                                 QStringLiteral("marathon"),
                                 QStringLiteral("alerts")}}});
    QTRY_COMPARE(client.snapshots, 4);
    QCOMPARE(client.streams.value(kEnv + QStringLiteral("/containers"))
                 .data.value(QStringLiteral("containers"))
                 .toObject()
                 .size(),
             3);

    // A series of real changes, several per turn and over several turns.
    Container a = containerOf(QStringLiteral("a"), ContainerState::Restarting, 5);
    m_store->upsertContainer(a);
    m_store->removeContainer(QStringLiteral("host1/b"));
    settle();
    m_store->upsertContainer(containerOf(QStringLiteral("d"), ContainerState::Created));
    a.restartCount = 6;
    m_store->upsertContainer(a);
    HostStatus host = *m_store->host(QStringLiteral("host1"));
    host.state = SourceState::Unreachable;
    host.error = QStringLiteral("connection refused");
    m_store->updateHost(host);
    m_marathon->setApps(
        {appOf(QStringLiteral("/shop/orders"), 3), appOf(QStringLiteral("/shop/search"), 1)}, {});
    m_marathon->setDeployments({});
    Alert alert;
    alert.key = QStringLiteral("docker/host1/a/crash-loop");
    alert.environment = kEnv;
    alert.source = QStringLiteral("docker");
    alert.subject = QStringLiteral("svc-a");
    alert.message = QStringLiteral("crash loop");
    alert.severity = Alert::Severity::Critical;
    m_board->publish(QStringLiteral("Production/docker"), {alert});
    settle();
    m_store->replaceHostContainers(QStringLiteral("host1"),
                                   {a,
                                    containerOf(QStringLiteral("c"), ContainerState::Exited, 1),
                                    containerOf(QStringLiteral("e"), ContainerState::Running)});
    settle();
    QVERIFY(!client.waitFor(QStringLiteral("alert"), 0).isEmpty());

    // Every stream reached the server's sequence.
    for (const QString &topic : {QStringLiteral("hosts"),
                                 QStringLiteral("containers"),
                                 QStringLiteral("marathon"),
                                 QStringLiteral("alerts")}) {
        QTRY_COMPARE(client.streams.value(kEnv + QLatin1Char('/') + topic).seq,
                     m_server->sequence(kEnv, topic));
    }
    QVERIFY(m_server->sequence(kEnv, QStringLiteral("containers")) >= 3);
    QCOMPARE(client.gaps, 0);

    // The client's state is the model's.
    const QJsonObject containers = client.streams.value(kEnv + QStringLiteral("/containers"))
                                       .data.value(QStringLiteral("containers"))
                                       .toObject();
    QStringList keys = containers.keys();
    QStringList modelKeys = m_store->containerKeys();
    keys.sort();
    modelKeys.sort();
    QCOMPARE(keys, modelKeys);
    for (const Container &c : m_store->containers()) {
        const QJsonObject o = containers.value(c.key()).toObject();
        QCOMPARE(o.value(QStringLiteral("state")).toString(), nameOf(c.state));
        QCOMPARE(o.value(QStringLiteral("restartCount")).toInt(), c.restartCount);
        QCOMPARE(o.value(QStringLiteral("name")).toString(), c.name);
    }
    const QJsonObject hosts = client.streams.value(kEnv + QStringLiteral("/hosts"))
                                  .data.value(QStringLiteral("hosts"))
                                  .toObject();
    QCOMPARE(
        hosts.value(QStringLiteral("host1")).toObject().value(QStringLiteral("state")).toString(),
        nameOf(SourceState::Unreachable));
    const QJsonObject marathon = client.streams.value(kEnv + QStringLiteral("/marathon")).data;
    QCOMPARE(marathon.value(QStringLiteral("apps")).toObject().keys(), m_marathon->appIds());
    QCOMPARE(marathon.value(QStringLiteral("apps"))
                 .toObject()
                 .value(QStringLiteral("/shop/orders"))
                 .toObject()
                 .value(QStringLiteral("instances"))
                 .toInt(),
             3);
    QVERIFY(marathon.value(QStringLiteral("deployments")).toObject().isEmpty());
    const QJsonObject alerts = client.streams.value(kEnv + QStringLiteral("/alerts"))
                                   .data.value(QStringLiteral("alerts"))
                                   .toObject();
    QCOMPARE(alerts.size(), 1);
    QCOMPARE(alerts.begin().value().toObject().value(QStringLiteral("key")).toString(), alert.key);

    // And equal to what a newcomer's snapshot says.
    FeedClient newcomer;
    QVERIFY(newcomer.open(m_server->port(), "vtok"));
    newcomer.sendJson(
        {{QStringLiteral("type"), QStringLiteral("subscribe")}, {QStringLiteral("env"), kEnv}});
    QTRY_COMPARE(newcomer.snapshots, 6); // hosts, containers, marathon, mesos, config, alerts
    for (const QString &topic : {QStringLiteral("hosts"),
                                 QStringLiteral("containers"),
                                 QStringLiteral("marathon"),
                                 QStringLiteral("alerts")}) {
        const QString id = kEnv + QLatin1Char('/') + topic;
        QCOMPARE(client.streams.value(id).data, newcomer.streams.value(id).data);
    }

    // The alert ends: a delta removes it and an alert event says so.
    m_board->publish(QStringLiteral("Production/docker"), {});
    m_board->expire();
    QTRY_VERIFY(client.streams.value(kEnv + QStringLiteral("/alerts"))
                    .data.value(QStringLiteral("alerts"))
                    .toObject()
                    .isEmpty());
    bool resolvedSeen = false;
    for (const QJsonObject &m : std::as_const(client.messages))
        resolvedSeen |= m.value(QStringLiteral("event")).toString() == QLatin1String("resolved");
    QVERIFY(resolvedSeen);
}

void tst_FeedServer::sequenceGapResyncs()
{
    startServer();
    FeedClient client;
    QVERIFY(client.open(m_server->port(), "vtok"));
    client.sendJson({{QStringLiteral("type"), QStringLiteral("subscribe")},
                     {QStringLiteral("env"), kEnv},
                     {QStringLiteral("topics"), QJsonArray{QStringLiteral("containers")}}});
    QTRY_COMPARE(client.snapshots, 1);
    client.dropNextDelta = true; // as if the network lost it
    m_store->upsertContainer(containerOf(QStringLiteral("x"), ContainerState::Running));
    settle();
    QTRY_VERIFY(!client.dropNextDelta);
    m_store->upsertContainer(containerOf(QStringLiteral("y"), ContainerState::Running));
    QTRY_COMPARE(client.gaps, 1);
    QTRY_COMPARE(client.snapshots, 2);
    const FeedClient::StreamState s = client.streams.value(kEnv + QStringLiteral("/containers"));
    QCOMPARE(s.seq, m_server->sequence(kEnv, QStringLiteral("containers")));
    QVERIFY(
        s.data.value(QStringLiteral("containers")).toObject().contains(QStringLiteral("host1/x")));
    QVERIFY(
        s.data.value(QStringLiteral("containers")).toObject().contains(QStringLiteral("host1/y")));
    // Deltas apply again after the snapshot.
    m_store->removeContainer(QStringLiteral("host1/x"));
    m_server->flush(); // the server's sequence moves now, not on a later turn
    QTRY_COMPARE(client.streams.value(kEnv + QStringLiteral("/containers")).seq,
                 m_server->sequence(kEnv, QStringLiteral("containers")));
    QVERIFY(!client.streams.value(kEnv + QStringLiteral("/containers"))
                 .data.value(QStringLiteral("containers"))
                 .toObject()
                 .contains(QStringLiteral("host1/x")));
    QCOMPARE(client.gaps, 1);
}

void tst_FeedServer::badTokenIsRefused()
{
    startServer();
    FeedClient client;
    QSignalSpy disconnected(&client.socket, &QWebSocket::disconnected);
    QVERIFY(client.open(m_server->port(), "wrong"));
    const QJsonObject error = client.waitFor(QStringLiteral("error"));
    QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("unauthorized"));
    QVERIFY(disconnected.wait(5000) || !disconnected.isEmpty());
    QCOMPARE(client.socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    for (const QJsonObject &m : std::as_const(client.messages))
        QVERIFY(m.value(QStringLiteral("type")).toString() != QLatin1String("hello"));
    QCOMPARE(m_server->stats().connectionsRefused, 1);
}

void tst_FeedServer::refusedAnonymousMustAuthenticate()
{
    startServer(FeedSettings::Anonymous::Refuse);
    FeedClient client;
    QVERIFY(client.open(m_server->port()));
    QCOMPARE(client.waitFor(QStringLiteral("hello")).value(QStringLiteral("role")).toString(),
             QStringLiteral("none"));
    client.sendJson(
        {{QStringLiteral("type"), QStringLiteral("subscribe")}, {QStringLiteral("env"), kEnv}});
    QCOMPARE(client.waitFor(QStringLiteral("error")).value(QStringLiteral("code")).toString(),
             QStringLiteral("unauthenticated"));
    client.sendJson({{QStringLiteral("type"), QStringLiteral("auth")},
                     {QStringLiteral("token"), QStringLiteral("vtok")}});
    QCOMPARE(client.waitFor(QStringLiteral("hello")).value(QStringLiteral("role")).toString(),
             QStringLiteral("viewer"));
    client.sendJson(
        {{QStringLiteral("type"), QStringLiteral("subscribe")}, {QStringLiteral("env"), kEnv}});
    QVERIFY(!client.waitFor(QStringLiteral("snapshot")).isEmpty());

    FeedClient liar;
    QSignalSpy disconnected(&liar.socket, &QWebSocket::disconnected);
    QVERIFY(liar.open(m_server->port()));
    liar.sendJson({{QStringLiteral("type"), QStringLiteral("auth")},
                   {QStringLiteral("token"), QStringLiteral("nope")}});
    QCOMPARE(liar.waitFor(QStringLiteral("error")).value(QStringLiteral("code")).toString(),
             QStringLiteral("unauthorized"));
    QVERIFY(disconnected.wait(5000) || !disconnected.isEmpty());
}

void tst_FeedServer::viewerCannotAct()
{
    startServer();
    FeedClient viewer;
    QVERIFY(viewer.open(m_server->port(), "vtok"));
    viewer.sendJson({{QStringLiteral("type"), QStringLiteral("action")},
                     {QStringLiteral("id"), QStringLiteral("a-1")},
                     {QStringLiteral("env"), kEnv},
                     {QStringLiteral("confirm"), kEnv},
                     {QStringLiteral("kind"), QStringLiteral("restart-container")},
                     {QStringLiteral("target"), QStringLiteral("host1/a")}});
    const QJsonObject error = viewer.waitFor(QStringLiteral("error"));
    QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("forbidden"));
    QCOMPARE(error.value(QStringLiteral("ref")).toString(), QStringLiteral("a-1"));
    QVERIFY(m_containerOps->requests.isEmpty());
    QVERIFY(m_audit.isEmpty());
}

void tst_FeedServer::wrongConfirmationIsRefused()
{
    startServer();
    FeedClient op;
    QVERIFY(op.open(m_server->port(), "otok"));
    op.sendJson({{QStringLiteral("type"), QStringLiteral("action")},
                 {QStringLiteral("id"), QStringLiteral("a-2")},
                 {QStringLiteral("env"), kEnv},
                 {QStringLiteral("confirm"), QStringLiteral("production")},
                 {QStringLiteral("kind"), QStringLiteral("restart-container")},
                 {QStringLiteral("target"), QStringLiteral("host1/a")}});
    const QJsonObject error = op.waitFor(QStringLiteral("error"));
    QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("confirm-mismatch"));
    QCOMPARE(error.value(QStringLiteral("ref")).toString(), QStringLiteral("a-2"));
    QVERIFY(m_containerOps->requests.isEmpty());
    QCOMPARE(m_audit.size(), 1);
    QCOMPARE(m_audit.at(0).outcome, QStringLiteral("refused"));
}

void tst_FeedServer::operatorActionsReachOperationsAndAreAudited()
{
    startServer();
    FeedClient op;
    QVERIFY(op.open(m_server->port(), "otok"));
    op.sendJson({{QStringLiteral("type"), QStringLiteral("action")},
                 {QStringLiteral("id"), QStringLiteral("a-3")},
                 {QStringLiteral("env"), kEnv},
                 {QStringLiteral("confirm"), kEnv},
                 {QStringLiteral("kind"), QStringLiteral("restart-container")},
                 {QStringLiteral("target"), QStringLiteral("host1/a")},
                 {QStringLiteral("params"), QJsonObject{}}});
    const QJsonObject result = op.waitFor(QStringLiteral("action-result"));
    QCOMPARE(result.value(QStringLiteral("id")).toString(), QStringLiteral("a-3"));
    QCOMPARE(result.value(QStringLiteral("ok")).toBool(), true);
    QCOMPARE(result.value(QStringLiteral("message")).toString(), QStringLiteral("restarted"));
    QCOMPARE(m_containerOps->requests, QStringList{QStringLiteral("host1/a")});
    QCOMPARE(m_audit.size(), 2);
    QCOMPARE(m_audit.at(0).outcome, QStringLiteral("request"));
    QCOMPARE(m_audit.at(0).action, QStringLiteral("restart-container"));
    QCOMPARE(m_audit.at(0).target, QStringLiteral("host1/a"));
    QVERIFY(m_audit.at(0).detail.contains(QStringLiteral("bob")));
    QVERIFY(!m_audit.at(0).detail.contains(QStringLiteral("otok"))); // never the token
    QCOMPARE(m_audit.at(1).outcome, QStringLiteral("ok"));

    op.sendJson({{QStringLiteral("type"), QStringLiteral("action")},
                 {QStringLiteral("id"), QStringLiteral("a-4")},
                 {QStringLiteral("env"), kEnv},
                 {QStringLiteral("confirm"), kEnv},
                 {QStringLiteral("kind"), QStringLiteral("rollout")},
                 {QStringLiteral("target"), QStringLiteral("/shop/orders")},
                 {QStringLiteral("params"),
                  QJsonObject{{QStringLiteral("image"), QStringLiteral("orders:2.0")}}}});
    const QJsonObject rollout = op.waitFor(QStringLiteral("action-result"));
    QCOMPARE(rollout.value(QStringLiteral("id")).toString(), QStringLiteral("a-4"));
    QCOMPARE(rollout.value(QStringLiteral("deploymentId")).toString(), QStringLiteral("d-9"));
    QCOMPARE(m_marathonOps->requests.size(), 1);
    QCOMPARE(m_marathonOps->requests.at(0).action, MarathonAction::UpdateImage);
    QCOMPARE(m_marathonOps->requests.at(0).image, QStringLiteral("orders:2.0"));
    QCOMPARE(m_audit.size(), 4);

    op.sendJson({{QStringLiteral("type"), QStringLiteral("action")},
                 {QStringLiteral("id"), QStringLiteral("a-5")},
                 {QStringLiteral("env"), kEnv},
                 {QStringLiteral("confirm"), kEnv},
                 {QStringLiteral("kind"), QStringLiteral("restart-container")},
                 {QStringLiteral("target"), QStringLiteral("host1/nope")}});
    QCOMPARE(op.waitFor(QStringLiteral("error")).value(QStringLiteral("code")).toString(),
             QStringLiteral("unknown-target"));
}

void tst_FeedServer::malformedRequestsGetErrorsAndConnectionSurvives()
{
    startServer();
    FeedClient client;
    QVERIFY(client.open(m_server->port(), "vtok"));
    QVERIFY(!client.waitFor(QStringLiteral("hello")).isEmpty());

    struct Case
    {
        QString frame;
        QString code;
        QString mentions;
    };

    const QList<Case> cases{
        {QStringLiteral("{not json"), QStringLiteral("bad-json"), QStringLiteral("offset")},
        {QStringLiteral("[1,2]"), QStringLiteral("bad-json"), QStringLiteral("object")},
        {QStringLiteral("{\"no\":\"type\"}"),
         QStringLiteral("bad-request"),
         QStringLiteral("type")},
        {QStringLiteral("{\"type\":\"weather\"}"),
         QStringLiteral("unknown-type"),
         QStringLiteral("weather")},
        {QStringLiteral("{\"type\":\"subscribe\"}"),
         QStringLiteral("bad-request"),
         QStringLiteral("env")},
        {QStringLiteral("{\"type\":\"subscribe\",\"env\":\"Mars\"}"),
         QStringLiteral("unknown-env"),
         QStringLiteral("Mars")},
        {QStringLiteral("{\"type\":\"subscribe\",\"env\":\"Production\",\"topics\":[\"weather\"]}"),
         QStringLiteral("unknown-topic"),
         QStringLiteral("weather")},
        {QStringLiteral("{\"type\":\"resync\",\"env\":\"Production\",\"topic\":\"hosts\"}"),
         QStringLiteral("not-subscribed"),
         QStringLiteral("hosts")},
        {QStringLiteral("{\"type\":\"ping\",\"pad\":\"") + QString(5000, QLatin1Char('x'))
             + QStringLiteral("\"}"),
         QStringLiteral("too-large"),
         QStringLiteral("4096")},
    };
    for (const Case &c : cases) {
        client.socket.sendTextMessage(c.frame);
        const QJsonObject error = client.waitFor(QStringLiteral("error"));
        QCOMPARE(error.value(QStringLiteral("code")).toString(), c.code);
        QVERIFY2(error.value(QStringLiteral("message")).toString().contains(c.mentions),
                 qPrintable(error.value(QStringLiteral("message")).toString()));
    }
    client.socket.sendBinaryMessage(QByteArray("\x01\x02", 2));
    QCOMPARE(client.waitFor(QStringLiteral("error")).value(QStringLiteral("code")).toString(),
             QStringLiteral("bad-request"));
    client.sendJson({{QStringLiteral("type"), QStringLiteral("ping")},
                     {QStringLiteral("id"), QStringLiteral("p-1")}});
    const QJsonObject pong = client.waitFor(QStringLiteral("pong"));
    QCOMPARE(pong.value(QStringLiteral("id")).toString(), QStringLiteral("p-1"));
    QCOMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
}

namespace {

/// Reads whole server frames (unmasked, maybe fragmented) out of @p buffer.
QList<QJsonObject> takeFrames(QByteArray &buffer, QByteArray &partial)
{
    QList<QJsonObject> out;
    for (;;) {
        if (buffer.size() < 2)
            return out;
        const auto b0 = quint8(buffer.at(0));
        const auto b1 = quint8(buffer.at(1));
        qint64 len = b1 & 0x7f;
        int header = 2;
        if (len == 126) {
            if (buffer.size() < 4)
                return out;
            len = (quint8(buffer.at(2)) << 8) | quint8(buffer.at(3));
            header = 4;
        } else if (len == 127) {
            if (buffer.size() < 10)
                return out;
            len = 0;
            for (int i = 0; i < 8; ++i)
                len = (len << 8) | quint8(buffer.at(2 + i));
            header = 10;
        }
        if (buffer.size() < header + len)
            return out;
        partial += buffer.mid(header, len);
        buffer.remove(0, header + len);
        const int opcode = b0 & 0x0f;
        if ((b0 & 0x80) && opcode != 0x8 && opcode != 0x9 && opcode != 0xA) {
            out.append(QJsonDocument::fromJson(partial).object());
            partial.clear();
        } else if (opcode >= 0x8) {
            partial.clear();
        }
    }
}

QByteArray maskedTextFrame(const QByteArray &payload)
{
    QByteArray frame;
    frame.append(char(0x81));
    if (payload.size() < 126) {
        frame.append(char(0x80 | payload.size()));
    } else {
        frame.append(char(0x80 | 126));
        frame.append(char((payload.size() >> 8) & 0xff));
        frame.append(char(payload.size() & 0xff));
    }
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    frame.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload.at(i) ^ mask[i % 4]));
    return frame;
}

} // namespace

void tst_FeedServer::slowClientStaysBoundedAndGetsASnapshot()
{
    const qint64 maxBacklog = 256 * 1024;
    startServer(FeedSettings::Anonymous::ReadOnly, maxBacklog);
    // Many containers with long status texts: every turn changes all of them.
    const QString filler(2000, QLatin1Char('z'));
    QList<Container> containers;
    for (int i = 0; i < 100; ++i) {
        Container c = containerOf(QStringLiteral("s%1").arg(i), ContainerState::Running);
        c.statusText = filler;
        containers.append(c);
    }
    m_store->replaceHostContainers(QStringLiteral("host1"), containers);
    m_server->flush();

    // A raw client that performs the handshake, subscribes, and then stops reading.
    QTcpSocket raw;
    raw.setReadBufferSize(16 * 1024); // Qt stops pulling from the kernel once this is full
    raw.connectToHost(QHostAddress::LocalHost, m_server->port());
    QVERIFY(raw.waitForConnected(5000));
    raw.write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    QByteArray response;
    QTRY_VERIFY((response += raw.readAll()).contains("\r\n\r\n"));
    QVERIFY2(response.startsWith("HTTP/1.1 101"), response.constData());
    QByteArray buffer = response.mid(response.indexOf("\r\n\r\n") + 4);
    raw.write(maskedTextFrame(
        "{\"type\":\"subscribe\",\"env\":\"Production\",\"topics\":[\"containers\"]}"));
    QTRY_COMPARE(m_server->clientCount(), 1);
    QTest::qWait(100);

    // Stream changes while it does not read.
    for (int turn = 0; turn < 80; ++turn) {
        for (Container &c : containers)
            c.restartCount = turn + 1;
        m_store->replaceHostContainers(QStringLiteral("host1"), containers);
        m_server->flush();
        QTest::qWait(5);
    }
    const FeedStats stats = m_server->stats();
    QVERIFY2(stats.deltasDropped > 0, "the slow client should have been skipped");
    // One delta is ~220 KB here: the backlog never exceeds the limit by more than one frame.
    QVERIFY2(stats.peakClientBacklog < maxBacklog + 600 * 1024,
             qPrintable(QString::number(stats.peakClientBacklog)));

    // It reads again: it catches up with a fresh snapshot at the current sequence.
    raw.setReadBufferSize(0);
    QByteArray partial;
    QJsonObject lastSnapshot;
    qint64 lastSeq = -1;
    const qint64 want = m_server->sequence(kEnv, QStringLiteral("containers"));
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 20000 && lastSeq != want) {
        raw.waitForReadyRead(50);
        buffer += raw.readAll();
        for (const QJsonObject &m : takeFrames(buffer, partial)) {
            const QString type = m.value(QStringLiteral("type")).toString();
            if (type == QLatin1String("snapshot")) {
                lastSnapshot = m;
                lastSeq = m.value(QStringLiteral("seq")).toInteger();
            } else if (type == QLatin1String("delta")) {
                lastSeq = m.value(QStringLiteral("seq")).toInteger();
            }
        }
        QCoreApplication::processEvents();
    }
    QCOMPARE(lastSeq, want);
    QVERIFY(!lastSnapshot.isEmpty());
    QVERIFY(m_server->stats().catchUpSnapshots >= 1);
    QCOMPARE(lastSnapshot.value(QStringLiteral("seq")).toInteger(), want);
    const QJsonObject snapshotContainers = lastSnapshot.value(QStringLiteral("data"))
                                               .toObject()
                                               .value(QStringLiteral("containers"))
                                               .toObject();
    QCOMPARE(snapshotContainers.size(), 100);
    QCOMPARE(snapshotContainers.value(QStringLiteral("host1/s7"))
                 .toObject()
                 .value(QStringLiteral("restartCount"))
                 .toInt(),
             80);
}

void tst_FeedServer::metricsParseAndMatchTheModel()
{
    Container looping = containerOf(QStringLiteral("a"), ContainerState::Restarting, 9);
    looping.flags = unsigned(ContainerFlag::CrashLoop);
    m_store->upsertContainer(looping);
    m_store->flush();
    startServer();
    FeedClient client;
    QVERIFY(client.open(m_server->port(), "vtok"));
    QTRY_COMPARE(m_server->clientCount(), 1);
    int status = 0;
    QByteArray type;
    const QByteArray body = httpGet(QStringLiteral("/metrics"), &status, &type);
    QCOMPARE(status, 200);
    QVERIFY(type.startsWith("text/plain"));
    static const QRegularExpression line(
        QStringLiteral("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (-?[0-9.eE+]+|NaN)$"));
    QHash<QString, double> values;
    for (const QString &l : QString::fromUtf8(body).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        if (l.startsWith(QLatin1Char('#'))) {
            QVERIFY2(l.startsWith(QLatin1String("# HELP "))
                         || l.startsWith(QLatin1String("# TYPE ")),
                     qPrintable(l));
            continue;
        }
        const QRegularExpressionMatch m = line.match(l);
        QVERIFY2(m.hasMatch(), qPrintable(l));
        bool ok = false;
        values.insert(m.captured(1) + m.captured(2), m.captured(3).toDouble(&ok));
        QVERIFY(ok);
    }
    // The flag evaluator may recompute flags; count what the store holds.
    int running = 0, exited = 0, restarting = 0, loops = 0;
    for (const Container &c : m_store->containers()) {
        running += c.state == ContainerState::Running;
        exited += c.state == ContainerState::Exited;
        restarting += c.state == ContainerState::Restarting;
        loops += c.hasFlag(ContainerFlag::CrashLoop);
    }
    QCOMPARE(
        values.value(
            QStringLiteral("opsdeck_containers{environment=\"Production\",state=\"running\"}"), -1),
        double(running));
    QCOMPARE(
        values.value(
            QStringLiteral("opsdeck_containers{environment=\"Production\",state=\"exited\"}"), -1),
        double(exited));
    QCOMPARE(
        values.value(
            QStringLiteral("opsdeck_containers{environment=\"Production\",state=\"restarting\"}"),
            -1),
        double(restarting));
    QCOMPARE(values.value(QStringLiteral("opsdeck_crash_loops{environment=\"Production\"}"), -1),
             double(loops));
    QCOMPARE(
        values.value(
            QStringLiteral("opsdeck_marathon_deployments_in_progress{environment=\"Production\"}"),
            -1),
        1.0);
    QCOMPARE(
        values.value(QStringLiteral("opsdeck_marathon_unhealthy_tasks{environment=\"Production\"}"),
                     -1),
        0.0);
    QCOMPARE(
        values.value(
            QStringLiteral(
                "opsdeck_source_up{environment=\"Production\",kind=\"docker\",source=\"host1\"}"),
            -1),
        1.0);
    QCOMPARE(values.value(QStringLiteral("opsdeck_feed_clients"), -1), 1.0);
    QCOMPARE(values.value(
                 QStringLiteral("opsdeck_build_info{version=\"0.1.0\",qt=\"%1\",protocol=\"1\"}")
                     .arg(QString::fromLatin1(qVersion())),
                 -1),
             1.0);
}

void tst_FeedServer::healthz()
{
    startServer();
    int status = 0;
    const QByteArray body = httpGet(QStringLiteral("/healthz"), &status);
    QCOMPARE(status, 200);
    const QJsonObject health = QJsonDocument::fromJson(body).object();
    QCOMPARE(health.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    const QJsonObject env = health.value(QStringLiteral("environments")).toArray().at(0).toObject();
    QCOMPARE(env.value(QStringLiteral("name")).toString(), kEnv);
    const QJsonArray sources = env.value(QStringLiteral("sources")).toArray();
    QCOMPARE(sources.at(0).toObject().value(QStringLiteral("id")).toString(),
             QStringLiteral("host1"));
    QCOMPARE(sources.at(0).toObject().value(QStringLiteral("state")).toString(),
             nameOf(SourceState::Connected));
}

void tst_FeedServer::staticFilesStayInsideTheRoot()
{
    startServer();
    int status = 0;
    QByteArray type;
    QByteArray body = httpGet(QStringLiteral("/"), &status, &type);
    QCOMPARE(status, 200);
    QVERIFY(type.startsWith("text/html"));
    QVERIFY(body.contains("<title>Opsdeck</title>"));
    body = httpGet(QStringLiteral("/app.js"), &status, &type);
    QCOMPARE(status, 200);
    QVERIFY(type.startsWith("text/javascript"));
    httpGet(QStringLiteral("/missing.css"), &status);
    QCOMPARE(status, 404);
    httpGet(QStringLiteral("/link.txt"), &status); // a symlink out of the root
    QCOMPARE(status, 404);

    // Raw requests, so no client normalizes the path first.
    for (const QByteArray &path : {QByteArray("/../secret.txt"),
                                   QByteArray("/%2e%2e/secret.txt"),
                                   QByteArray("/..%2fsecret.txt")}) {
        QTcpSocket raw;
        raw.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(raw.waitForConnected(5000));
        raw.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        QByteArray answer;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 5000 && !answer.contains("\r\n\r\n")) {
            raw.waitForReadyRead(50);
            answer += raw.readAll();
        }
        QTest::qWait(20);
        answer += raw.readAll();
        QVERIFY2(!answer.startsWith("HTTP/1.1 200"), path.constData());
        QVERIFY2(!answer.contains("do not serve"), path.constData());
    }
}

void tst_FeedServer::originAllowList()
{
    startServer();
    FeedClient evil(QStringLiteral("https://evil.example.internal"));
    QSignalSpy disconnected(&evil.socket, &QWebSocket::disconnected);
    QVERIFY(evil.open(m_server->port(), "vtok"));
    QCOMPARE(evil.waitFor(QStringLiteral("error")).value(QStringLiteral("code")).toString(),
             QStringLiteral("forbidden-origin"));
    QVERIFY(disconnected.wait(5000) || !disconnected.isEmpty());
    QCOMPARE(evil.socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    for (const QJsonObject &m : std::as_const(evil.messages))
        QVERIFY(m.value(QStringLiteral("type")).toString() != QLatin1String("hello"));

    FeedClient wall(QStringLiteral("https://wall.example.internal"));
    QVERIFY(wall.open(m_server->port(), "vtok"));
    QVERIFY(!wall.waitFor(QStringLiteral("hello")).isEmpty());
    FeedClient local(QStringLiteral("http://127.0.0.1:9999"));
    QVERIFY(local.open(m_server->port(), "vtok"));
    QVERIFY(!local.waitFor(QStringLiteral("hello")).isEmpty());
}

void tst_FeedServer::configTopicMirrorsKvStoresWithSecretsMasked()
{
    startServer();
    FeedClient client;
    QVERIFY(client.open(m_server->port(), "vtok"));
    const QJsonArray topics = client.waitFor(QStringLiteral("hello"))
                                  .value(QStringLiteral("environments"))
                                  .toArray()
                                  .at(0)
                                  .toObject()
                                  .value(QStringLiteral("topics"))
                                  .toArray();
    QVERIFY(topics.contains(QStringLiteral("config")));
    client.sendJson({{QStringLiteral("type"), QStringLiteral("subscribe")},
                     {QStringLiteral("env"), kEnv},
                     {QStringLiteral("topics"), QJsonArray{QStringLiteral("config")}}});
    QTRY_COMPARE(client.snapshots, 1);
    const QString id = kEnv + QStringLiteral("/config");
    auto kv = [&](const QString &key) {
        return client.streams.value(id)
            .data.value(QStringLiteral("kv"))
            .toObject()
            .value(QStringLiteral("consul:") + key)
            .toObject();
    };
    auto store = [&] {
        return client.streams.value(id)
            .data.value(QStringLiteral("stores"))
            .toObject()
            .value(QStringLiteral("consul:config/shop/"))
            .toObject();
    };
    QCOMPARE(client.streams.value(id).data.value(QStringLiteral("kv")).toObject().size(), 3);
    const QJsonObject pool = kv(QStringLiteral("config/shop/orders/db_pool_size"));
    QCOMPARE(pool.value(QStringLiteral("value")).toString(), QStringLiteral("20"));
    QCOMPARE(pool.value(QStringLiteral("relativeKey")).toString(),
             QStringLiteral("orders/db_pool_size"));
    QCOMPARE(pool.value(QStringLiteral("version")).toInteger(), 11);
    QCOMPARE(pool.value(QStringLiteral("secret")).toBool(), false);
    const QJsonObject password = kv(QStringLiteral("config/shop/orders/db_password"));
    QCOMPARE(password.value(QStringLiteral("secret")).toBool(), true);
    QCOMPARE(password.value(QStringLiteral("value")).toString(), maskedValue());
    const QJsonObject blob = kv(QStringLiteral("config/shop/orders/blob"));
    QCOMPARE(blob.value(QStringLiteral("binary")).toBool(), true);
    QCOMPARE(blob.value(QStringLiteral("value")).toString(), QStringLiteral("hex:00ff01"));
    QCOMPARE(blob.value(QStringLiteral("flags")).toInteger(), 7);
    QCOMPARE(store().value(QStringLiteral("state")).toString(), QStringLiteral("connected"));
    QCOMPARE(store().value(QStringLiteral("keys")).toInt(), 3);

    // Changes arrive as deltas: a watch event, a long value, a removal, a secret, the source down.
    m_kv->put(KvEntry{QStringLiteral("config/shop/orders/db_pool_size"), "40", 21, 0, {}});
    m_kv->put(
        KvEntry{QStringLiteral("config/shop/orders/rules"), QByteArray(5000, 'x'), 22, 0, {}});
    m_kv->remove(QStringLiteral("config/shop/orders/blob"));
    m_kv->put(KvEntry{QStringLiteral("config/shop/orders/api_token"), "s3cr3t-tok", 23, 0, {}});
    QTRY_COMPARE(kv(QStringLiteral("config/shop/orders/db_pool_size"))
                     .value(QStringLiteral("value"))
                     .toString(),
                 QStringLiteral("40"));
    QTRY_VERIFY(kv(QStringLiteral("config/shop/orders/blob")).isEmpty());
    const QJsonObject rules = kv(QStringLiteral("config/shop/orders/rules"));
    QCOMPARE(rules.value(QStringLiteral("truncated")).toBool(), true);
    QCOMPARE(rules.value(QStringLiteral("value")).toString().size(), 4096);
    QCOMPARE(rules.value(QStringLiteral("size")).toInt(), 5000);
    QCOMPARE(kv(QStringLiteral("config/shop/orders/api_token"))
                 .value(QStringLiteral("value"))
                 .toString(),
             maskedValue());
    QCOMPARE(store().value(QStringLiteral("keys")).toInt(), 4);
    HostStatus down = m_kv->status();
    down.state = SourceState::Unreachable;
    down.error = QStringLiteral("connection refused");
    m_kv->setStatus(down);
    QTRY_COMPARE(store().value(QStringLiteral("state")).toString(), QStringLiteral("unreachable"));
    QCOMPARE(store().value(QStringLiteral("error")).toString(),
             QStringLiteral("connection refused"));
    QCOMPARE(client.gaps, 0);

    // The client's copy equals a fresh snapshot, and no message ever carried a secret.
    FeedClient fresh;
    QVERIFY(fresh.open(m_server->port(), "vtok"));
    fresh.sendJson({{QStringLiteral("type"), QStringLiteral("subscribe")},
                    {QStringLiteral("env"), kEnv},
                    {QStringLiteral("topics"), QJsonArray{QStringLiteral("config")}}});
    QTRY_COMPARE(fresh.snapshots, 1);
    QCOMPARE(client.streams.value(id).data, fresh.streams.value(id).data);
    for (const QJsonObject &m : std::as_const(client.messages)) {
        const QByteArray text = QJsonDocument(m).toJson(QJsonDocument::Compact);
        QVERIFY2(!text.contains("hunter2") && !text.contains("s3cr3t-tok"), text.constData());
    }

    // /healthz and /metrics know the store, and that it is down.
    const QByteArray metrics = httpGet(QStringLiteral("/metrics"));
    QVERIFY2(metrics.contains("opsdeck_source_up{environment=\"Production\",kind=\"consul\","
                              "source=\"consul:config/shop/\"} 0"),
             metrics.constData());
}

void tst_FeedServer::tlsServesHttpsAndWss()
{
    // A self-signed certificate for 127.0.0.1, made with openssl for this test only.
    m_tlsCert = m_dir->filePath(QStringLiteral("cert.pem"));
    m_tlsKey = m_dir->filePath(QStringLiteral("key.pem"));
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"),
                   QStringLiteral("-x509"),
                   QStringLiteral("-newkey"),
                   QStringLiteral("rsa:2048"),
                   QStringLiteral("-nodes"),
                   QStringLiteral("-keyout"),
                   m_tlsKey,
                   QStringLiteral("-out"),
                   m_tlsCert,
                   QStringLiteral("-days"),
                   QStringLiteral("1"),
                   QStringLiteral("-subj"),
                   QStringLiteral("/CN=127.0.0.1"),
                   QStringLiteral("-addext"),
                   QStringLiteral("subjectAltName=IP:127.0.0.1")});
    QVERIFY2(openssl.waitForFinished(30000) && openssl.exitCode() == 0,
             openssl.readAllStandardError().constData());
    startServer();
    QFile certFile(m_tlsCert);
    QVERIFY(certFile.open(QIODevice::ReadOnly));
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setCaCertificates({QSslCertificate(&certFile, QSsl::Pem)});

    // wss:// with the server's certificate trusted: the feed works as over ws://.
    FeedClient secure;
    secure.socket.setSslConfiguration(ssl);
    QSignalSpy connected(&secure.socket, &QWebSocket::connected);
    QNetworkRequest wss(QUrl(QStringLiteral("wss://127.0.0.1:%1/ws").arg(m_server->port())));
    wss.setRawHeader("Authorization", "Bearer vtok");
    secure.socket.open(wss);
    QVERIFY(connected.wait(10000));
    QCOMPARE(secure.waitFor(QStringLiteral("hello")).value(QStringLiteral("role")).toString(),
             QStringLiteral("viewer"));

    // https:// for the HTTP side.
    QNetworkAccessManager nam;
    QNetworkRequest request(
        QUrl(QStringLiteral("https://127.0.0.1:%1/healthz").arg(m_server->port())));
    request.setSslConfiguration(ssl);
    QNetworkReply *reply = nam.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(10000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(QJsonDocument::fromJson(reply->readAll()).object().value(QStringLiteral("status")),
             QJsonValue(QStringLiteral("ok")));
    delete reply;

    // A client that does not trust the certificate is refused by its own TLS check, and plain
    // ws:// on the TLS port never sees hello.
    FeedClient untrusting;
    QSignalSpy sslErrors(&untrusting.socket, &QWebSocket::sslErrors);
    untrusting.socket.open(wss);
    QVERIFY(sslErrors.wait(10000) || !sslErrors.isEmpty());
    FeedClient plain;
    plain.open(m_server->port(), "vtok");
    QVERIFY(plain.waitFor(QStringLiteral("hello"), -1, 2000).isEmpty());
}

QTEST_GUILESS_MAIN(tst_FeedServer)
#include "tst_feedserver.moc"
