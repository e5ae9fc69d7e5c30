// SPDX-License-Identifier: MIT
// opsdeck-serve as it is run: the demo estate served over HTTP and WebSocket, the structured log,
// SIGTERM, and the exit codes of bad configuration, bad usage and a port already taken.
#include "tests/integration/serve/serveprocess.h"
#include "tests/support/testsupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

using namespace Opsdeck::Tests;

namespace {

struct HttpAnswer
{
    int status = 0;
    QByteArray type;
    QByteArray body;
};

HttpAnswer httpGet(quint16 port, const QString &path)
{
    QNetworkAccessManager nam;
    QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(path)));
    request.setTransferTimeout(10000);
    QNetworkReply *reply = nam.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    finished.wait(15000);
    HttpAnswer answer{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                      reply->header(QNetworkRequest::ContentTypeHeader).toByteArray(),
                      reply->readAll()};
    delete reply;
    return answer;
}

/// A feed client that applies snapshots and deltas (docs/protocol.md) to its own copy.
class Client
{
public:
    Client()
    {
        QObject::connect(
            &socket, &QWebSocket::textMessageReceived, &socket, [this](const QString &t) {
                const QJsonObject m = QJsonDocument::fromJson(t.toUtf8()).object();
                messages << m;
                const QString type = m.value(QStringLiteral("type")).toString();
                const QString id = m.value(QStringLiteral("env")).toString() + QLatin1Char('/')
                                   + m.value(QStringLiteral("topic")).toString();
                if (type == QLatin1String("snapshot")) {
                    data[id] = m.value(QStringLiteral("data")).toObject();
                    seq[id] = m.value(QStringLiteral("seq")).toInteger();
                } else if (type == QLatin1String("delta")) {
                    const qint64 s = m.value(QStringLiteral("seq")).toInteger();
                    if (s != seq.value(id) + 1)
                        ++gaps;
                    seq[id] = s;
                    const QJsonObject changes = m.value(QStringLiteral("changes")).toObject();
                    QJsonObject &d = data[id];
                    for (auto it = changes.begin(); it != changes.end(); ++it) {
                        QJsonObject collection = d.value(it.key()).toObject();
                        const QJsonObject upsert =
                            it.value().toObject().value(QStringLiteral("upsert")).toObject();
                        for (auto u = upsert.begin(); u != upsert.end(); ++u)
                            collection.insert(u.key(), u.value());
                        for (const auto &k :
                             it.value().toObject().value(QStringLiteral("remove")).toArray())
                            collection.remove(k.toString());
                        d.insert(it.key(), collection);
                    }
                }
            });
    }

    bool open(quint16 port, const QByteArray &token = {})
    {
        QNetworkRequest request(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(port)));
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token);
        QSignalSpy connected(&socket, &QWebSocket::connected);
        socket.open(request);
        return connected.wait(10000) || socket.state() == QAbstractSocket::ConnectedState;
    }

    void send(const QJsonObject &o)
    {
        socket.sendTextMessage(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)));
    }

    QJsonObject first(const QString &type) const
    {
        for (const QJsonObject &m : messages) {
            if (m.value(QStringLiteral("type")).toString() == type)
                return m;
        }
        return {};
    }

    QWebSocket socket;
    QList<QJsonObject> messages;
    QHash<QString, QJsonObject> data;
    QHash<QString, qint64> seq;
    int gaps = 0;
};

QProcessEnvironment serveEnvironment(const QString &stateDir)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_STATE_HOME"), stateDir); // the audit log
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    return env;
}

} // namespace

class tst_OpsdeckServe : public QObject
{
    Q_OBJECT

private slots:
    void demoServesLiveStateAndStopsOnSigterm();
    void badConfigurationExitsTwoNamingThePlace();
    void usageErrorsExitTwoNamingTheOption_data();
    void usageErrorsExitTwoNamingTheOption();
    void portInUseExitsOne();
    void tokensNeverReachTheLog();
    void opsdeckServeRunsTheServer();
};

void tst_OpsdeckServe::demoServesLiveStateAndStopsOnSigterm()
{
    QTemporaryDir state;
    ServeProcess serve;
    serve.start(
        QStringLiteral(OPSDECK_SERVE_BINARY),
        {QStringLiteral("--demo"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")},
        serveEnvironment(state.path()));
    ServeLogLine listening;
    QVERIFY2(serve.waitForMessage(QStringLiteral("listening"), &listening),
             qPrintable(serve.lines().join(QLatin1Char('\n'))));
    const QString addr = listening.fields.value(QStringLiteral("addr"));
    QVERIFY2(addr.startsWith(QLatin1String("127.0.0.1:")), qPrintable(addr));
    const quint16 port = quint16(addr.section(QLatin1Char(':'), 1).toUInt());
    QVERIFY(port != 0);
    QCOMPARE(listening.fields.value(QStringLiteral("environments")), QStringLiteral("3"));
    qInfo("opsdeck-serve --demo (this build) listening after %s ms",
          qPrintable(listening.fields.value(QStringLiteral("startup_ms"))));

    const HttpAnswer health = httpGet(port, QStringLiteral("/healthz"));
    QCOMPARE(health.status, 200);
    const QJsonObject healthJson = QJsonDocument::fromJson(health.body).object();
    QCOMPARE(healthJson.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(healthJson.value(QStringLiteral("environments")).toArray().size(), 3);
    const HttpAnswer page = httpGet(port, QStringLiteral("/"));
    QCOMPARE(page.status, 200);
    QVERIFY2(page.type.startsWith("text/html"), page.type.constData());
    QVERIFY(page.body.contains("app.js"));

    Client client;
    QVERIFY(client.open(port));
    QTRY_VERIFY_WITH_TIMEOUT(!client.first(QStringLiteral("hello")).isEmpty(), 10000);
    QStringList names;
    for (const auto &e :
         client.first(QStringLiteral("hello")).value(QStringLiteral("environments")).toArray()) {
        names << e.toObject().value(QStringLiteral("name")).toString();
        const QJsonArray topics = e.toObject().value(QStringLiteral("topics")).toArray();
        for (const char *topic :
             {"hosts", "containers", "marathon", "mesos", "config", "kafka", "alerts"})
            QVERIFY2(topics.contains(QLatin1String(topic)), topic);
    }
    QCOMPARE(names,
             QStringList({QStringLiteral("Integration"),
                          QStringLiteral("Staging"),
                          QStringLiteral("Production")}));
    client.send(
        {{QStringLiteral("type"), QStringLiteral("subscribe")},
         {QStringLiteral("env"), QStringLiteral("Production")},
         {QStringLiteral("topics"),
          QJsonArray{
              QStringLiteral("containers"), QStringLiteral("config"), QStringLiteral("kafka")}}});
    // Live content: the planted crash loop flagged, Consul's keys, the lagging group.
    const auto crashLoopShown = [&] {
        const QJsonObject containers = client.data.value(QStringLiteral("Production/containers"))
                                           .value(QStringLiteral("containers"))
                                           .toObject();
        for (const auto &c : containers) {
            if (!c.toObject()
                     .value(QStringLiteral("name"))
                     .toString()
                     .contains(QLatin1String("ledger-sync")))
                continue;
            for (const auto &f : c.toObject().value(QStringLiteral("flags")).toArray()) {
                if (f.toObject().value(QStringLiteral("flag")).toString()
                    == QLatin1String("crash-loop"))
                    return true;
            }
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(crashLoopShown(), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(!client.data.value(QStringLiteral("Production/config"))
                                  .value(QStringLiteral("kv"))
                                  .toObject()
                                  .isEmpty(),
                             30000);
    const qint64 kafkaSeq = client.seq.value(QStringLiteral("Production/kafka"));
    QTRY_VERIFY_WITH_TIMEOUT(client.seq.value(QStringLiteral("Production/kafka")) > kafkaSeq + 1,
                             30000);
    QCOMPARE(client.gaps, 0);

    const HttpAnswer metrics = httpGet(port, QStringLiteral("/metrics"));
    QCOMPARE(metrics.status, 200);
    QVERIFY(metrics.type.startsWith("text/plain"));
    QVERIFY2(metrics.body.contains("opsdeck_crash_loops{environment=\"Production\"} "),
             metrics.body.left(2000).constData());
    QVERIFY(metrics.body.contains("opsdeck_feed_clients 1"));

    QCOMPARE(serve.terminate(), 0);
    ServeLogLine stopping;
    QVERIFY(serve.waitForMessage(QStringLiteral("stopping"), &stopping, 0));
    QCOMPARE(stopping.fields.value(QStringLiteral("signal")), QStringLiteral("SIGTERM"));
    ServeLogLine stopped;
    QVERIFY(serve.waitForMessage(QStringLiteral("stopped"), &stopped, 0));
    // Every line on stderr is one structured log line.
    for (const QString &raw : serve.lines()) {
        ServeLogLine line;
        QVERIFY2(ServeLogLine::parse(raw, &line), qPrintable(raw));
        QVERIFY2(QStringList({QStringLiteral("info"), QStringLiteral("warn")}).contains(line.level),
                 qPrintable(raw));
    }
}

void tst_OpsdeckServe::badConfigurationExitsTwoNamingThePlace()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("environments.yaml"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("version: 1\n"
               "environments:\n"
               "  - name: Production\n"
               "    docker:\n"
               "      hosts: [unix:///nonexistent/docker.sock]\n"
               "settings:\n"
               "  serve:\n"
               "    anonymous: sometimes\n");
    file.close();
    ServeProcess serve;
    serve.start(QStringLiteral(OPSDECK_SERVE_BINARY),
                {QStringLiteral("--config"),
                 path,
                 QStringLiteral("--listen"),
                 QStringLiteral("127.0.0.1:0")},
                serveEnvironment(dir.path()));
    QCOMPARE(serve.waitForExit(), 2);
    ServeLogLine line;
    QVERIFY2(serve.waitForMessage(QStringLiteral("configuration"), &line, 0),
             qPrintable(serve.lines().join(QLatin1Char('\n'))));
    QCOMPARE(line.level, QStringLiteral("error"));
    const QString error = line.fields.value(QStringLiteral("error"));
    QVERIFY2(error.startsWith(path + QStringLiteral(":8:")), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("settings.serve.anonymous")), qPrintable(error));
}

void tst_OpsdeckServe::usageErrorsExitTwoNamingTheOption_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("named");
    QTest::newRow("listen") << QStringList{QStringLiteral("--demo"),
                                           QStringLiteral("--listen"),
                                           QStringLiteral("nowhere")}
                            << QStringLiteral("--listen");
    QTest::newRow("anonymous") << QStringList{QStringLiteral("--demo"),
                                              QStringLiteral("--anonymous"),
                                              QStringLiteral("maybe")}
                               << QStringLiteral("--anonymous");
    QTest::newRow("tokens") << QStringList{QStringLiteral("--demo"),
                                           QStringLiteral("--tokens"),
                                           QStringLiteral("/nonexistent/tokens")}
                            << QStringLiteral("--tokens");
    QTest::newRow("unknown") << QStringList{QStringLiteral("--bogus")} << QStringLiteral("bogus");
}

void tst_OpsdeckServe::usageErrorsExitTwoNamingTheOption()
{
    QFETCH(QStringList, args);
    QFETCH(QString, named);
    QTemporaryDir dir;
    ServeProcess serve;
    serve.start(QStringLiteral(OPSDECK_SERVE_BINARY), args, serveEnvironment(dir.path()));
    QCOMPARE(serve.waitForExit(), 2);
    const QString err = serve.lines().join(QLatin1Char('\n'));
    QVERIFY2(err.contains(named), qPrintable(err));
}

void tst_OpsdeckServe::portInUseExitsOne()
{
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("environments.yaml"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("version: 1\nenvironments:\n  - name: Local\n    docker:\n"
               "      hosts: [unix:///nonexistent/docker.sock]\n");
    file.close();
    ServeProcess serve;
    serve.start(QStringLiteral(OPSDECK_SERVE_BINARY),
                {QStringLiteral("--config"),
                 path,
                 QStringLiteral("--listen"),
                 QStringLiteral("127.0.0.1:%1").arg(taken.serverPort())},
                serveEnvironment(dir.path()));
    QCOMPARE(serve.waitForExit(), 1);
    ServeLogLine line;
    QVERIFY2(serve.waitForMessage(QStringLiteral("cannot listen"), &line, 0),
             qPrintable(serve.lines().join(QLatin1Char('\n'))));
    QVERIFY(
        line.fields.value(QStringLiteral("addr")).endsWith(QString::number(taken.serverPort())));
}

void tst_OpsdeckServe::tokensNeverReachTheLog()
{
    QTemporaryDir dir;
    const QString tokens = dir.filePath(QStringLiteral("tokens"));
    QFile file(tokens);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("viewer viewer-secret-5b1e wall\noperator operator-secret-9c2d alice\n");
    file.close();
    const QString config = dir.filePath(QStringLiteral("environments.yaml"));
    QFile yaml(config);
    QVERIFY(yaml.open(QIODevice::WriteOnly));
    yaml.write("version: 1\nenvironments:\n  - name: Local\n    docker:\n"
               "      hosts: [unix:///nonexistent/docker.sock]\n");
    yaml.close();
    ServeProcess serve;
    serve.start(QStringLiteral(OPSDECK_SERVE_BINARY),
                {QStringLiteral("--config"),
                 config,
                 QStringLiteral("--listen"),
                 QStringLiteral("127.0.0.1:0"),
                 QStringLiteral("--tokens"),
                 tokens,
                 QStringLiteral("--anonymous"),
                 QStringLiteral("refuse")},
                serveEnvironment(dir.path()));
    ServeLogLine listening;
    QVERIFY2(serve.waitForMessage(QStringLiteral("listening"), &listening),
             qPrintable(serve.lines().join(QLatin1Char('\n'))));
    const quint16 port = quint16(
        listening.fields.value(QStringLiteral("addr")).section(QLatin1Char(':'), 1).toUInt());

    Client anonymous; // refused anonymous: role none until it authenticates
    QVERIFY(anonymous.open(port));
    QTRY_VERIFY_WITH_TIMEOUT(!anonymous.first(QStringLiteral("hello")).isEmpty(), 10000);
    QCOMPARE(anonymous.first(QStringLiteral("hello")).value(QStringLiteral("role")).toString(),
             QStringLiteral("none"));
    Client wrong;
    QSignalSpy closed(&wrong.socket, &QWebSocket::disconnected);
    QVERIFY(wrong.open(port, "operator-secret-9c2e"));
    QVERIFY(closed.wait(10000) || !closed.isEmpty());
    Client op;
    QVERIFY(op.open(port, "operator-secret-9c2d"));
    QTRY_VERIFY_WITH_TIMEOUT(!op.first(QStringLiteral("hello")).isEmpty(), 10000);
    QCOMPARE(op.first(QStringLiteral("hello")).value(QStringLiteral("role")).toString(),
             QStringLiteral("operator"));
    // The missing Docker socket is that source's error, not the server's.
    const HttpAnswer metrics = httpGet(port, QStringLiteral("/metrics"));
    QVERIFY(metrics.body.contains("opsdeck_source_up{environment=\"Local\",kind=\"docker\""));

    QCOMPARE(serve.terminate(), 0);
    const QString log = serve.lines().join(QLatin1Char('\n'));
    QVERIFY2(log.contains(QLatin1String("client connected")), qPrintable(log));
    QVERIFY2(!log.contains(QLatin1String("secret-9c2"))
                 && !log.contains(QLatin1String("secret-5b1e")),
             qPrintable(log));
}

void tst_OpsdeckServe::opsdeckServeRunsTheServer()
{
#ifdef OPSDECK_BINARY
    QProcess p;
    p.start(QStringLiteral(OPSDECK_BINARY), {QStringLiteral("serve"), QStringLiteral("--version")});
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY2(p.readAllStandardOutput().startsWith("opsdeck-serve "), "not opsdeck-serve's version");
    QProcess help;
    help.start(QStringLiteral(OPSDECK_BINARY), {QStringLiteral("--help")});
    QVERIFY(help.waitForFinished(30000));
    QVERIFY(help.readAllStandardOutput().contains("serve "));
#else
    qInfo("headless build: no opsdeck binary to check");
#endif
}

QTEST_GUILESS_MAIN(tst_OpsdeckServe)
#include "tst_opsdeck_serve.moc"
