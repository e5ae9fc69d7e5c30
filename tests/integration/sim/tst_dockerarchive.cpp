// SPDX-License-Identifier: MIT
// Config files read out of containers through Docker's archive API (GET/HEAD
// /containers/{id}/archive?path=, API 1.41): the simulated engine's answers, and the connector
// reading them with libarchive.
#include "app/sim/simdockerhost.h"
#include "connectors/docker/dockerhostconnector.h"
#include "models/environmentstore.h"
#include "tests/support/testsupport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Opsdeck;
using namespace Opsdeck::Connectors;
using namespace Opsdeck::Models;

namespace {

const QString kConf = QStringLiteral("/etc/nginx/conf.d/default.conf");
const QByteArray kContent = "server {\n    listen 80;\n    proxy_read_timeout 30s;\n}\n";

} // namespace

class tst_DockerArchive : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void headAndGetAnswerAsDocker();
    void connectorReadsPlantedFile();
    void missingPathAndContainer();
    void tarParserMalformed_data();
    void tarParserMalformed();

private:
    HttpReply *send(const QByteArray &method, const QByteArray &path);

    std::unique_ptr<Sim::SimDockerHost> m_host;
    std::unique_ptr<HttpClient> m_http;
    std::unique_ptr<EnvironmentStore> m_store;
    std::unique_ptr<DockerHostConnector> m_connector;
    QString m_id;
};

void tst_DockerArchive::init()
{
    m_host = std::make_unique<Sim::SimDockerHost>(QStringLiteral("sim-1"));
    QVERIFY2(m_host->listen(), qPrintable(m_host->errorString()));
    Sim::SimContainer c;
    c.name = QStringLiteral("nginx-edge");
    c.image = QStringLiteral("nginx:1.25");
    c.files.insert(kConf, kContent);
    c.files.insert(QStringLiteral("/etc/empty.conf"), QByteArray());
    m_id = m_host->addContainer(c, true);
    m_http = std::make_unique<HttpClient>();
    m_store = std::make_unique<EnvironmentStore>(QStringLiteral("Staging"));
    DockerHostConfig host;
    host.name = m_host->name();
    host.url = QStringLiteral("tcp://127.0.0.1:%1").arg(m_host->port());
    m_connector = std::make_unique<DockerHostConnector>(host, m_store.get(), m_http.get());
}

void tst_DockerArchive::cleanup()
{
    m_connector.reset();
    m_store.reset();
    m_http.reset();
    m_host.reset();
}

HttpReply *tst_DockerArchive::send(const QByteArray &method, const QByteArray &path)
{
    HttpEndpoint e;
    e.baseUrl = "http://127.0.0.1:" + QByteArray::number(m_host->port());
    HttpRequest r;
    r.method = method;
    r.path = path;
    HttpReply *reply = m_http->send(e, r);
    QSignalSpy done(reply, &HttpReply::finished);
    if (!reply->isFinished())
        done.wait(5000);
    return reply;
}

void tst_DockerArchive::headAndGetAnswerAsDocker()
{
    const QByteArray path =
        "/v1.41/containers/" + m_id.toLatin1() + "/archive?path=" + QUrl::toPercentEncoding(kConf);
    std::unique_ptr<HttpReply> head(send("HEAD", path));
    QCOMPARE(head->status(), 200);
    QVERIFY(head->body().isEmpty());
    const QJsonObject stat =
        QJsonDocument::fromJson(
            QByteArray::fromBase64(head->header("X-Docker-Container-Path-Stat")))
            .object();
    QCOMPARE(stat.value(QStringLiteral("name")).toString(), QStringLiteral("default.conf"));
    QCOMPARE(stat.value(QStringLiteral("size")).toInteger(), kContent.size());
    QCOMPARE(stat.value(QStringLiteral("mode")).toInt(), 0644);
    QVERIFY(!stat.value(QStringLiteral("mtime")).toString().isEmpty());

    std::unique_ptr<HttpReply> get(send("GET", path));
    QCOMPARE(get->status(), 200);
    QCOMPARE(get->header("Content-Type"), QByteArray("application/x-tar"));
    QVERIFY(!get->header("X-Docker-Container-Path-Stat").isEmpty());
    QCOMPARE(get->body().size() % 512, 0);
    const auto content = fileFromTar(get->body());
    QVERIFY2(content.ok(), qPrintable(content.ok() ? QString() : content.error()));
    QCOMPARE(content.value(), kContent);

    std::unique_ptr<HttpReply> noPath(
        send("GET", "/v1.41/containers/" + m_id.toLatin1() + "/archive"));
    QCOMPARE(noPath->status(), 400);
    QVERIFY(noPath->errorString().contains(QLatin1String("Path cannot be empty")));
}

void tst_DockerArchive::connectorReadsPlantedFile()
{
    QSignalSpy read(m_connector.get(), &DockerHostConnector::fileRead);
    QSignalSpy failed(m_connector.get(), &DockerHostConnector::fileReadFailed);
    m_connector->readFile(m_id, kConf);
    QTRY_COMPARE(read.size() + failed.size(), 1);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(2).toString()));
    QCOMPARE(read.at(0).at(0).toString(), QStringLiteral("sim-1/") + m_id);
    QCOMPARE(read.at(0).at(1).toString(), kConf);
    QCOMPARE(read.at(0).at(2).toByteArray(), kContent);

    m_connector->readFile(m_id, QStringLiteral("/etc/empty.conf"));
    QTRY_COMPARE(read.size(), 2);
    QCOMPARE(read.at(1).at(2).toByteArray(), QByteArray());
}

void tst_DockerArchive::missingPathAndContainer()
{
    QSignalSpy read(m_connector.get(), &DockerHostConnector::fileRead);
    QSignalSpy failed(m_connector.get(), &DockerHostConnector::fileReadFailed);
    m_connector->readFile(m_id, QStringLiteral("/etc/nginx/nginx.conf"));
    QTRY_COMPARE(failed.size(), 1);
    const QString error = failed.at(0).at(2).toString();
    QVERIFY2(error.contains(QLatin1String("404"))
                 && error.contains(QLatin1String("Could not find the file /etc/nginx/nginx.conf")),
             qPrintable(error));
    m_connector->readFile(QStringLiteral("nope"), kConf);
    QTRY_COMPARE(failed.size(), 2);
    QVERIFY2(failed.at(1).at(2).toString().contains(QLatin1String("No such container")),
             qPrintable(failed.at(1).at(2).toString()));
    QCOMPARE(read.size(), 0);
}

void tst_DockerArchive::tarParserMalformed_data()
{
    QTest::addColumn<QByteArray>("tar");
    QTest::addColumn<QString>("error");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("empty");
    QTest::newRow("json error body")
        << QByteArray(R"({"message":"oops"})") << QStringLiteral("not a tar archive");
    QTest::newRow("only zero blocks") << QByteArray(1024, '\0') << QStringLiteral("holds no file");
    QByteArray garbage(512, 'x');
    QTest::newRow("garbage header") << garbage << QStringLiteral("not a tar archive");
}

void tst_DockerArchive::tarParserMalformed()
{
    QFETCH(QByteArray, tar);
    QFETCH(QString, error);
    const auto parsed = fileFromTar(tar);
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.error().contains(error), qPrintable(parsed.error()));
}

QTEST_GUILESS_MAIN(tst_DockerArchive)
#include "tst_dockerarchive.moc"
