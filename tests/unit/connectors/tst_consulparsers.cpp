// SPDX-License-Identifier: MIT
// Consul's KV and health answers, the X-Consul-Index rules and the rate limit of a blocking loop.
#include "connectors/consul/consulparsers.h"

#include <QTest>

using namespace Opsdeck::Connectors;
using namespace Opsdeck::Models;

class tst_ConsulParsers : public QObject
{
    Q_OBJECT

private slots:
    void kvEntries();
    void kvMalformed_data();
    void kvMalformed();
    void checks();
    void checksMalformed_data();
    void checksMalformed();
    void index_data();
    void index();
    void nextIndex_data();
    void nextIndex();
    void rateLimiter();
};

void tst_ConsulParsers::kvEntries()
{
    const QByteArray json = R"([
        {"CreateIndex":5,"ModifyIndex":12,"LockIndex":0,"Key":"config/shop/orders/db_pool_size",
         "Flags":42,"Value":"MjA=","Session":""},
        {"CreateIndex":6,"ModifyIndex":13,"Key":"config/shop/empty","Flags":0,"Value":null},
        {"ModifyIndex":14,"Key":"config/shop/bin","Value":"AP8Q"},
        {"ModifyIndex":15,"Key":"config/shop/gr\u00fc\u00dfe","Value":"w6R1w59lcg==","Extra":[1]}
    ])";
    const auto parsed = parseConsulKv(json);
    QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error()));
    const QList<KvEntry> &e = parsed.value();
    QCOMPARE(e.size(), 4);
    QCOMPARE(e.at(0).key, QStringLiteral("config/shop/orders/db_pool_size"));
    QCOMPARE(e.at(0).value, QByteArray("20"));
    QCOMPARE(e.at(0).flags, quint64(42));
    QCOMPARE(e.at(0).version, qint64(12));
    QCOMPARE(e.at(1).value, QByteArray());
    QCOMPARE(e.at(2).value, QByteArray("\x00\xff\x10", 3));
    QCOMPARE(e.at(3).key, QStringLiteral("config/shop/gr\u00fc\u00dfe"));
    QCOMPARE(QString::fromUtf8(e.at(3).value), QStringLiteral("\u00e4u\u00dfer"));
    QVERIFY(parseConsulKv("[]").ok());
}

void tst_ConsulParsers::kvMalformed_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");
    QTest::newRow("empty body") << QByteArray() << QStringLiteral("malformed JSON");
    QTest::newRow("truncated") << QByteArray(R"([{"Key":"a","Value":"YQ==")")
                               << QStringLiteral("malformed JSON at offset");
    QTest::newRow("object, not array")
        << QByteArray(R"({"Key":"a"})") << QStringLiteral("expected a JSON array");
    QTest::newRow("element not object")
        << QByteArray(R"([{"Key":"a"}, 3])") << QStringLiteral("[1]: expected an object");
    QTest::newRow("missing key") << QByteArray(R"([{"Value":"YQ=="}])")
                                 << QStringLiteral("[0].Key: missing");
    QTest::newRow("empty key") << QByteArray(R"([{"Key":""}])")
                               << QStringLiteral("[0].Key: is empty");
    QTest::newRow("key of wrong type")
        << QByteArray(R"([{"Key":7}])") << QStringLiteral("[0].Key: expected a string");
    QTest::newRow("bad base64") << QByteArray(
        R"([{"Key":"a","Value":"YQ=="},{"Key":"b","Value":"!!"}])")
                                << QStringLiteral("[1].Value: not valid base64");
    QTest::newRow("non-ascii base64") << QByteArray(R"([{"Key":"a","Value":"\u00e4\u00e4=="}])")
                                      << QStringLiteral("[0].Value: not valid base64");
    QTest::newRow("value a number") << QByteArray(R"([{"Key":"a","Value":12}])")
                                    << QStringLiteral("[0].Value: expected a string");
    QTest::newRow("negative index") << QByteArray(R"([{"Key":"a","ModifyIndex":-1}])")
                                    << QStringLiteral("[0].ModifyIndex: expected a non-negative");
    QTest::newRow("fractional flags") << QByteArray(R"([{"Key":"a","Flags":1.5}])")
                                      << QStringLiteral("[0].Flags: expected a non-negative");
    QTest::newRow("flags a string") << QByteArray(R"([{"Key":"a","Flags":"1"}])")
                                    << QStringLiteral("[0].Flags: expected a non-negative");
}

void tst_ConsulParsers::kvMalformed()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    const auto parsed = parseConsulKv(json);
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.error().contains(error), qPrintable(parsed.error()));
}

void tst_ConsulParsers::checks()
{
    const QByteArray json = R"([
        {"Node":"agent-1","CheckID":"serfHealth","Name":"Serf Health Status","Status":"passing",
         "Notes":"","Output":"Agent alive","ServiceID":"","ServiceName":"","ServiceTags":[]},
        {"Node":"agent-2","CheckID":"service:orders-1","Name":"Service 'orders' check",
         "Status":"critical","Output":"HTTP GET: 503","ServiceID":"orders-1",
         "ServiceName":"orders","ServiceTags":["v1"]},
        {"Node":"agent-2","CheckID":"service:cart-1","Status":"warning","ServiceName":"cart"}
    ])";
    const auto parsed = parseConsulChecks(json);
    QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error()));
    QCOMPARE(parsed.value().size(), 3);
    const ConsulCheck &orders = parsed.value().at(1);
    QCOMPARE(orders.serviceName, QStringLiteral("orders"));
    QCOMPARE(orders.serviceId, QStringLiteral("orders-1"));
    QCOMPARE(orders.status, QStringLiteral("critical"));
    QCOMPARE(orders.output, QStringLiteral("HTTP GET: 503"));
    QVERIFY(orders.isAlert());
    QVERIFY(parsed.value().at(2).isAlert());
    QVERIFY(!parsed.value().at(0).isAlert());
    QVERIFY(parsed.value().at(0).serviceName.isEmpty());
}

void tst_ConsulParsers::checksMalformed_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");
    QTest::newRow("garbage") << QByteArray("<html>") << QStringLiteral("malformed JSON");
    QTest::newRow("no status") << QByteArray(R"([{"Node":"n","CheckID":"c"}])")
                               << QStringLiteral("[0].Status: missing");
    QTest::newRow("unknown status")
        << QByteArray(R"([{"Node":"n","CheckID":"c","Status":"maintenance"}])")
        << QStringLiteral("[0].Status: unknown check status 'maintenance'");
    QTest::newRow("no node") << QByteArray(R"([{"CheckID":"c","Status":"passing"}])")
                             << QStringLiteral("[0].Node: missing");
    QTest::newRow("output a number")
        << QByteArray(R"([{"Node":"n","CheckID":"c","Status":"passing","Output":3}])")
        << QStringLiteral("[0].Output: expected a string");
}

void tst_ConsulParsers::checksMalformed()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    const auto parsed = parseConsulChecks(json);
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.error().contains(error), qPrintable(parsed.error()));
}

void tst_ConsulParsers::index_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<quint64>("value");
    QTest::newRow("plain") << QByteArray("42") << true << quint64(42);
    QTest::newRow("spaces") << QByteArray(" 7 ") << true << quint64(7);
    QTest::newRow("max uint64") << QByteArray("18446744073709551615") << true
                                << quint64(18446744073709551615ULL);
    QTest::newRow("absent") << QByteArray() << false << quint64(0);
    QTest::newRow("negative") << QByteArray("-3") << false << quint64(0);
    QTest::newRow("overflow") << QByteArray("18446744073709551616") << false << quint64(0);
    QTest::newRow("text") << QByteArray("abc") << false << quint64(0);
}

void tst_ConsulParsers::index()
{
    QFETCH(QByteArray, header);
    QFETCH(bool, valid);
    QFETCH(quint64, value);
    const auto parsed = parseConsulIndex(header);
    QCOMPARE(parsed.has_value(), valid);
    if (valid)
        QCOMPARE(*parsed, value);
}

void tst_ConsulParsers::nextIndex_data()
{
    QTest::addColumn<quint64>("previous");
    QTest::addColumn<int>("returned"); // -1: no header
    QTest::addColumn<quint64>("next");
    QTest::newRow("first call") << quint64(0) << 10 << quint64(10);
    QTest::newRow("advanced") << quint64(10) << 12 << quint64(12);
    QTest::newRow("unchanged (wait expired)") << quint64(12) << 12 << quint64(12);
    QTest::newRow("went backwards: reset") << quint64(12) << 9 << quint64(0);
    QTest::newRow("zero on first call: block on 1") << quint64(0) << 0 << quint64(1);
    QTest::newRow("no header keeps the index") << quint64(12) << -1 << quint64(12);
    QTest::newRow("no header on first call: 1") << quint64(0) << -1 << quint64(1);
}

void tst_ConsulParsers::nextIndex()
{
    QFETCH(quint64, previous);
    QFETCH(int, returned);
    QFETCH(quint64, next);
    const std::optional<quint64> r =
        returned < 0 ? std::nullopt : std::optional<quint64>(quint64(returned));
    QCOMPARE(nextConsulIndex(previous, r), next);
}

void tst_ConsulParsers::rateLimiter()
{
    ConsulRateLimiter limiter(2, 1000);
    QCOMPARE(limiter.take(0), qint64(0)); // burst of two
    QCOMPARE(limiter.take(0), qint64(0));
    QCOMPARE(limiter.take(0), qint64(1000)); // then one per second
    QCOMPARE(limiter.take(400), qint64(600));
    QCOMPARE(limiter.take(1000), qint64(0));
    QCOMPARE(limiter.take(1000), qint64(1000));
    // A quiet loop refills to the burst, never beyond.
    QCOMPARE(limiter.take(60000), qint64(0));
    QCOMPARE(limiter.take(60000), qint64(0));
    QVERIFY(limiter.take(60000) > 0);
}

QTEST_GUILESS_MAIN(tst_ConsulParsers)
#include "tst_consulparsers.moc"
