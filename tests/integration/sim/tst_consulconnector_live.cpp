// SPDX-License-Identifier: MIT
// The Consul connector against the simulated Consul (in-process, 127.0.0.1): the KV subtree as
// set, live changes by blocking queries, the index rules of reference §4.3, ACL tokens, Consul
// down / slow / malformed, health checks, and KV writes with check-and-set.
#include "app/sim/httpserver.h"
#include "app/sim/simconsul.h"
#include "connectors/consul/consulconnector.h"
#include "models/kvstore.h"
#include "tests/support/testsupport.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Opsdeck;
using namespace Opsdeck::Connectors;
using namespace Opsdeck::Models;

namespace {

const char kTokenVar[] = "OPSDECK_TEST_CONSUL_TOKEN";
const QString kPrefix = QStringLiteral("config/shop/");

ConsulTimings fastTimings()
{
    ConsulTimings t;
    t.reconnectInitialMs = 100;
    t.reconnectMaxMs = 400;
    t.rateRefillMs = 200;
    return t;
}

QString statusError(const KvStore &store)
{
    return store.status().error;
}

} // namespace

class tst_ConsulConnectorLive : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void recurseListingEqualsWhatWasSet();
    void changeArrivesThroughBlockingQuery();
    void waitIsHonoured();
    void indexResetAfterTombstonesReaped();
    void aclTokenRefusedThenAccepted();
    void missingTokenVariableSendsNothing();
    void consulDownAndBack();
    void consulSlow();
    void consulMalformed();
    void unknownDatacenter();
    void healthStates();
    void casPutAndDelete();

private:
    ConsulConfig config(qint64 waitMs = 30000) const;
    /// A connector on m_store, started.
    ConsulConnector *startConnector(const ConsulConfig &config);

    std::unique_ptr<Sim::SimConsul> m_consul;
    std::unique_ptr<HttpClient> m_http;
    std::unique_ptr<KvStore> m_store;
    std::unique_ptr<ConsulConnector> m_connector;
};

void tst_ConsulConnectorLive::init()
{
    qunsetenv(kTokenVar);
    m_consul = std::make_unique<Sim::SimConsul>();
    QVERIFY2(m_consul->listen(), qPrintable(m_consul->errorString()));
    m_consul->setKey(QStringLiteral("config/shop/orders/db_pool_size"), "20");
    m_consul->setKey(QStringLiteral("config/shop/orders/feature_flags"), "a,b", 7);
    m_consul->setKey(QStringLiteral("other/secret"), "outside the prefix");
    m_http = std::make_unique<HttpClient>();
    m_store = std::make_unique<KvStore>(QStringLiteral("Staging"), KvKind::Consul, kPrefix);
}

void tst_ConsulConnectorLive::cleanup()
{
    m_connector.reset();
    m_store.reset();
    m_http.reset();
    m_consul.reset();
    qunsetenv(kTokenVar);
}

ConsulConfig tst_ConsulConnectorLive::config(qint64 waitMs) const
{
    ConsulConfig c;
    c.url = m_consul->url().toString();
    c.prefix = kPrefix;
    c.timeoutMs = 2000;
    c.waitMs = waitMs;
    return c;
}

ConsulConnector *tst_ConsulConnectorLive::startConnector(const ConsulConfig &config)
{
    m_connector = std::make_unique<ConsulConnector>(config, m_store.get(), m_http.get());
    m_connector->setTimings(fastTimings());
    m_connector->start();
    return m_connector.get();
}

void tst_ConsulConnectorLive::recurseListingEqualsWhatWasSet()
{
    const QByteArray binary("\x00\x01\xfe\xff\r\n", 6);
    m_consul->setKey(QStringLiteral("config/shop/blob"), binary);
    m_consul->setKey(QStringLiteral("config/shop/gr\u00fc\u00dfe/\u65e5\u672c"),
                     QStringLiteral("\u00e4\u00f6\u00fc \U0001F600").toUtf8());
    m_consul->setKey(QStringLiteral("config/shop/empty"), QByteArray());
    startConnector(config());
    QTRY_COMPARE(m_store->status().state, SourceState::Connected);
    QCOMPARE(m_store->keys(),
             QStringList({QStringLiteral("config/shop/blob"),
                          QStringLiteral("config/shop/empty"),
                          QStringLiteral("config/shop/gr\u00fc\u00dfe/\u65e5\u672c"),
                          QStringLiteral("config/shop/orders/db_pool_size"),
                          QStringLiteral("config/shop/orders/feature_flags")}));
    QCOMPARE(m_store->entry(QStringLiteral("config/shop/blob"))->value, binary);
    QCOMPARE(m_store->entry(QStringLiteral("config/shop/empty"))->value, QByteArray());
    QCOMPARE(QString::fromUtf8(
                 m_store->entry(QStringLiteral("config/shop/gr\u00fc\u00dfe/\u65e5\u672c"))->value),
             QStringLiteral("\u00e4\u00f6\u00fc \U0001F600"));
    const KvEntry *flags = m_store->entry(QStringLiteral("config/shop/orders/feature_flags"));
    QCOMPARE(flags->flags, quint64(7));
    QVERIFY(flags->version > 0);
    QVERIFY(m_store->status().error.isEmpty());
}

void tst_ConsulConnectorLive::changeArrivesThroughBlockingQuery()
{
    startConnector(config());
    QTRY_COMPARE(m_store->status().state, SourceState::Connected);
    QTRY_VERIFY(m_consul->heldRequests() >= 2); // KV and health loops are blocking now
    QSignalSpy changed(m_store.get(), &KvStore::entriesChanged);
    QElapsedTimer timer;
    timer.start();
    m_consul->setKey(QStringLiteral("config/shop/orders/db_pool_size"), "40");
    QTRY_VERIFY_WITH_TIMEOUT(
        m_store->entry(QStringLiteral("config/shop/orders/db_pool_size"))->value == "40", 1000);
    QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(1).toStringList(),
             QStringList{QStringLiteral("config/shop/orders/db_pool_size")});

    // A key outside the prefix wakes nothing we show; a delete inside is seen.
    m_consul->deleteKey(QStringLiteral("config/shop/orders/feature_flags"));
    QTRY_VERIFY_WITH_TIMEOUT(
        !m_store->keys().contains(QStringLiteral("config/shop/orders/feature_flags")), 1000);

    // A hot key: 30 changes in a row do not make a hot loop (token bucket, burst 2).
    const int heldBefore = m_consul->heldRequests();
    QVERIFY(heldBefore >= 1);
    QSignalSpy synced(m_connector.get(), &ConsulConnector::kvSynced);
    for (int i = 0; i < 30; ++i) {
        m_consul->setKey(QStringLiteral("config/shop/hot"), QByteArray::number(i));
        QTest::qWait(10);
    }
    QTRY_VERIFY_WITH_TIMEOUT(m_store->entry(QStringLiteral("config/shop/hot"))
                                 && m_store->entry(QStringLiteral("config/shop/hot"))->value
                                        == "29",
                             3000);
    // 300 ms of changes with one token per 200 ms: a handful of reads, not 30.
    QVERIFY2(synced.size() <= 6, qPrintable(QString::number(synced.size())));
}

void tst_ConsulConnectorLive::waitIsHonoured()
{
    startConnector(config(1000));
    QTRY_COMPARE(m_store->status().state, SourceState::Connected);
    m_store->flush(); // the first listing's batch
    QSignalSpy synced(m_connector.get(), &ConsulConnector::kvSynced);
    QSignalSpy changed(m_store.get(), &KvStore::entriesChanged);
    QTRY_VERIFY(m_consul->heldRequests() >= 1);
    QTest::qWait(2600);
    // wait=1000ms (+ up to 1/16 jitter): two or three returns without a change, no more.
    QVERIFY2(synced.size() >= 1 && synced.size() <= 3, qPrintable(QString::number(synced.size())));
    QCOMPARE(changed.size(), 0); // a return is no change
    QCOMPARE(m_store->status().state, SourceState::Connected);
}

void tst_ConsulConnectorLive::indexResetAfterTombstonesReaped()
{
    // The newest change under the prefix is a delete: its tombstone carries the prefix index.
    m_consul->setKey(QStringLiteral("config/shop/old"), "x");
    m_consul->deleteKey(QStringLiteral("config/shop/old"));
    startConnector(config(1000));
    QTRY_COMPARE(m_store->status().state, SourceState::Connected);
    QTRY_VERIFY(m_connector->kvIndex() > 0);
    const quint64 before = m_connector->kvIndex();
    m_consul->reapTombstones(); // the prefix's index goes backwards
    QTRY_VERIFY_WITH_TIMEOUT(m_connector->kvIndexResets() >= 1, 4000);
    QTRY_VERIFY(m_connector->kvIndex() > 0);
    QVERIFY(m_connector->kvIndex() < before);
    // And the loop still follows changes.
    m_consul->setKey(QStringLiteral("config/shop/after_reset"), "yes");
    QTRY_VERIFY_WITH_TIMEOUT(m_store->entry(QStringLiteral("config/shop/after_reset")), 2000);
    QCOMPARE(m_store->status().state, SourceState::Connected);
}

void tst_ConsulConnectorLive::aclTokenRefusedThenAccepted()
{
    const QString token = QStringLiteral("d2f3c1b0-5e6a-4c1e-9a77-0c0ffee0babe");
    m_consul->setAclToken(QStringLiteral("another-token"));

    // No token at all: Consul's anonymous token is denied.
    startConnector(config());
    QTRY_COMPARE(m_store->status().state, SourceState::Unreachable);
    QVERIFY2(statusError(*m_store).contains(QLatin1String("403"))
                 && statusError(*m_store).contains(QLatin1String("Permission denied")),
             qPrintable(statusError(*m_store)));
    m_connector.reset();

    // The configured token is not the one Consul knows.
    qputenv(kTokenVar, token.toUtf8());
    ConsulConfig c = config();
    c.tokenEnv = QString::fromLatin1(kTokenVar);
    QSignalSpy failed(m_store.get(), &KvStore::statusChanged);
    startConnector(c);
    QTRY_VERIFY(statusError(*m_store).contains(QLatin1String("ACL not found")));
    QCOMPARE(m_store->status().state, SourceState::Unreachable);
    QVERIFY(!statusError(*m_store).contains(token));
    QVERIFY(m_store->keys().isEmpty());

    // The token becomes valid: the next retry connects.
    m_consul->setAclToken(token);
    QTRY_COMPARE_WITH_TIMEOUT(m_store->status().state, SourceState::Connected, 3000);
    QVERIFY(m_store->status().error.isEmpty());
    QCOMPARE(m_store->keys().size(), 2);
}

void tst_ConsulConnectorLive::missingTokenVariableSendsNothing()
{
    ConsulConfig c = config();
    c.tokenEnv = QString::fromLatin1(kTokenVar);
    startConnector(c);
    QCOMPARE(m_store->status().state, SourceState::Unreachable);
    QVERIFY2(statusError(*m_store).contains(QString::fromLatin1(kTokenVar)),
             qPrintable(statusError(*m_store)));
    QCOMPARE(m_http->runningCount(), 0);
}

void tst_ConsulConnectorLive::consulDownAndBack()
{
    startConnector(config());
    QTRY_COMPARE(m_store->status().state, SourceState::Connected);
    const quint16 port = m_consul->port();
    m_consul->stop();
    QTRY_COMPARE_WITH_TIMEOUT(m_store->status().state, SourceState::Unreachable, 5000);
    QVERIFY(!statusError(*m_store).isEmpty());
    QCOMPARE(m_store->keys().size(), 2); // the last data stays
    QVERIFY2(m_consul->listen(port), qPrintable(m_consul->errorString()));
    m_consul->setKey(QStringLiteral("config/shop/while_down"), "1");
    QTRY_COMPARE_WITH_TIMEOUT(m_store->status().state, SourceState::Connected, 5000);
    QVERIFY(m_store->entry(QStringLiteral("config/shop/while_down")));
}

void tst_ConsulConnectorLive::consulSlow()
{
    m_consul->setResponseDelayMs(3000);
    ConsulConfig c = config();
    c.timeoutMs = 500;
    startConnector(c);
    QTRY_COMPARE_WITH_TIMEOUT(m_store->status().state, SourceState::Unreachable, 3000);
    QVERIFY2(statusError(*m_store).contains(QLatin1String("/v1/kv/config/shop/")),
             qPrintable(statusError(*m_store)));
    m_consul->setResponseDelayMs(0);
    QTRY_COMPARE_WITH_TIMEOUT(m_store->status().state, SourceState::Connected, 5000);
}

void tst_ConsulConnectorLive::consulMalformed()
{
    Sim::HttpServer server;
    QByteArray answer =
        R"([{"Key":"config/shop/a","Value":"YQ=="},{"Key":"config/shop/b","Value":"!!"}])";
    server.setHandler([&answer](Sim::HttpExchange *exchange) {
        exchange->respond(200, answer, "application/json", {{"X-Consul-Index", "5"}});
    });
    QVERIFY2(server.listen(), qPrintable(server.errorString()));
    ConsulConfig c = config();
    c.url = QStringLiteral("http://127.0.0.1:%1").arg(server.port());
    startConnector(c);
    QTRY_COMPARE(m_store->status().state, SourceState::Unreachable);
    QVERIFY2(statusError(*m_store).contains(QLatin1String("[1].Value: not valid base64")),
             qPrintable(statusError(*m_store)));
    QVERIFY(m_store->keys().isEmpty()); // nothing half-read
    answer = R"([{"Key":"config/shop/a","Value":"YQ=="}])";
    QTRY_COMPARE_WITH_TIMEOUT(m_store->status().state, SourceState::Connected, 3000);
    QCOMPARE(m_store->keys(), QStringList{QStringLiteral("config/shop/a")});
    answer = "<html>busy</html>";
    QTRY_VERIFY_WITH_TIMEOUT(statusError(*m_store).contains(QLatin1String("malformed JSON")), 3000);
    QCOMPARE(m_store->keys(), QStringList{QStringLiteral("config/shop/a")}); // kept
    m_connector.reset();
}

void tst_ConsulConnectorLive::unknownDatacenter()
{
    ConsulConfig c = config();
    c.datacenter = QStringLiteral("eu-west");
    startConnector(c);
    QTRY_COMPARE(m_store->status().state, SourceState::Unreachable);
    QVERIFY2(statusError(*m_store).contains(QLatin1String("No path to datacenter")),
             qPrintable(statusError(*m_store)));
    m_connector.reset();
    c.datacenter = m_consul->datacenter();
    startConnector(c);
    QTRY_COMPARE(m_store->status().state, SourceState::Connected);
}

void tst_ConsulConnectorLive::healthStates()
{
    Sim::SimConsulInstance orders1{QStringLiteral("agent-1"),
                                   QStringLiteral("127.0.0.1"),
                                   8081,
                                   QStringLiteral("orders-1"),
                                   QStringLiteral("passing"),
                                   QStringLiteral("HTTP GET: 200 OK")};
    Sim::SimConsulInstance orders2 = orders1;
    orders2.node = QStringLiteral("agent-2");
    orders2.id = QStringLiteral("orders-2");
    orders2.status = QStringLiteral("critical");
    orders2.output = QStringLiteral("HTTP GET: 503 Service Unavailable");
    m_consul->registerService(QStringLiteral("orders"), {}, {orders1, orders2});
    QSignalSpy changed(m_store.get(), &KvStore::statusChanged);
    startConnector(config());
    QSignalSpy checks(m_connector.get(), &ConsulConnector::checksChanged);
    QTRY_VERIFY(checks.size() >= 1);
    QList<ConsulCheck> alerts = m_connector->alerts();
    QCOMPARE(alerts.size(), 1);
    QCOMPARE(alerts.at(0).serviceName, QStringLiteral("orders"));
    QCOMPARE(alerts.at(0).serviceId, QStringLiteral("orders-2"));
    QCOMPARE(alerts.at(0).status, QStringLiteral("critical"));
    QVERIFY(alerts.at(0).output.contains(QLatin1String("503")));
    bool sawPassing = false;
    for (const ConsulCheck &check : m_connector->checks())
        sawPassing |= check.serviceId == QLatin1String("orders-1")
                      && check.status == QLatin1String("passing");
    QVERIFY(sawPassing);

    QTRY_VERIFY(m_consul->heldRequests() >= 2);
    m_consul->setCheckStatus(
        QStringLiteral("orders-1"), QStringLiteral("warning"), QStringLiteral("slow"));
    QTRY_COMPARE_WITH_TIMEOUT(m_connector->alerts().size(), 2, 1000);
    m_consul->setCheckStatus(QStringLiteral("orders-2"), QStringLiteral("passing"), QString());
    m_consul->setCheckStatus(QStringLiteral("orders-1"), QStringLiteral("passing"), QString());
    QTRY_COMPARE_WITH_TIMEOUT(m_connector->alerts().size(), 0, 2000);
}

void tst_ConsulConnectorLive::casPutAndDelete()
{
    ConsulConfig c = config();
    startConnector(c);
    QTRY_COMPARE(m_store->status().state, SourceState::Connected);
    const QString key = QStringLiteral("config/shop/orders/db_pool_size");

    // Editing is off unless configured.
    QSignalSpy written(m_connector.get(), &ConsulConnector::writeFinished);
    m_connector->putKey(key, "99", std::nullopt);
    QTRY_COMPARE(written.size(), 1);
    QCOMPARE(written.at(0).at(1).toBool(), false);
    QVERIFY(written.at(0).at(2).toString().contains(QLatin1String("not enabled")));
    written.clear();

    c.allowEdit = true;
    m_connector.reset();
    startConnector(c);
    QTRY_COMPARE(m_store->status().state, SourceState::Connected);
    QSignalSpy written2(m_connector.get(), &ConsulConnector::writeFinished);
    const quint64 version = quint64(m_store->entry(key)->version);

    // Somebody else wrote in between: our CAS on the old index fails, nothing is written.
    m_consul->setKey(key, "25");
    m_connector->putKey(key, "30", version);
    QTRY_COMPARE(written2.size(), 1);
    QCOMPARE(written2.at(0).at(1).toBool(), false);
    QVERIFY2(written2.at(0).at(2).toString().contains(QLatin1String("check-and-set")),
             qPrintable(written2.at(0).at(2).toString()));
    QTRY_COMPARE(m_store->entry(key)->value, QByteArray("25"));

    // With the current index it goes through, and the blocking query brings it back.
    const quint64 current = quint64(m_store->entry(key)->version);
    m_connector->putKey(key, "30", current);
    QTRY_COMPARE(written2.size(), 2);
    QVERIFY2(written2.at(1).at(1).toBool(), qPrintable(written2.at(1).at(2).toString()));
    QTRY_COMPARE(m_store->entry(key)->value, QByteArray("30"));

    // cas=0 creates only if absent.
    m_connector->putKey(key, "31", quint64(0));
    QTRY_COMPARE(written2.size(), 3);
    QCOMPARE(written2.at(2).at(1).toBool(), false);

    // Delete with a stale index fails; with the current one it removes the key.
    m_connector->deleteKey(key, current);
    QTRY_COMPARE(written2.size(), 4);
    QCOMPARE(written2.at(3).at(1).toBool(), false);
    m_connector->deleteKey(key, quint64(m_store->entry(key)->version));
    QTRY_COMPARE(written2.size(), 5);
    QVERIFY(written2.at(4).at(1).toBool());
    QTRY_VERIFY(!m_store->entry(key));

    // A key that would leave /v1/kv is refused before anything is sent.
    m_connector->putKey(QStringLiteral("config/../../agent/self"), "x", std::nullopt);
    QTRY_COMPARE(written2.size(), 6);
    QCOMPARE(written2.at(5).at(1).toBool(), false);
}

QTEST_GUILESS_MAIN(tst_ConsulConnectorLive)
#include "tst_consulconnector_live.moc"
