// SPDX-License-Identifier: MIT
// The etcd v3 gateway parsers and request bodies (shared/reference/apis.md section 5): base64
// keys and values, int64 fields as strings, omitted zero fields, watch messages, errors; every
// malformed input names the JSON path of the problem.
#include "connectors/etcd/etcdparsers.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Opsdeck::Connectors;
using namespace Opsdeck::Models;

namespace {

QByteArray b64(const QByteArray &bytes)
{
    return bytes.toBase64();
}

QJsonObject object(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

} // namespace

class tst_EtcdParsers : public QObject
{
    Q_OBJECT

private slots:

    void prefixRangeEnd_data()
    {
        QTest::addColumn<QByteArray>("prefix");
        QTest::addColumn<QByteArray>("end");
        QTest::newRow("slash becomes 0 (reference 5.2)")
            << QByteArray("/opsdeck/prod/") << QByteArray("/opsdeck/prod0");
        QTest::newRow("plain") << QByteArray("abc") << QByteArray("abd");
        QTest::newRow("trailing 0xFF dropped") << QByteArray("a\xff\xff", 3) << QByteArray("b");
        QTest::newRow("all 0xFF: every key from there")
            << QByteArray("\xff\xff", 2) << QByteArray(1, '\0');
    }

    void prefixRangeEnd()
    {
        QFETCH(QByteArray, prefix);
        QFETCH(QByteArray, end);
        QCOMPARE(etcdPrefixRangeEnd(prefix), end);
    }

    void requestBodies()
    {
        const QJsonObject range = object(etcdRangeBody("/p/", 2, "/p/b\0", 7));
        QCOMPARE(range.value(QLatin1String("key")).toString(), QString::fromLatin1(b64("/p/b\0")));
        QCOMPARE(range.value(QLatin1String("range_end")).toString(),
                 QString::fromLatin1(b64("/p0")));
        QCOMPARE(range.value(QLatin1String("limit")).toString(), QStringLiteral("2"));
        QCOMPARE(range.value(QLatin1String("revision")).toString(), QStringLiteral("7"));

        const QJsonObject watch =
            object(etcdWatchBody("/p/", 42)).value(QLatin1String("create_request")).toObject();
        QCOMPARE(watch.value(QLatin1String("start_revision")).toString(), QStringLiteral("42"));
        QCOMPARE(watch.value(QLatin1String("progress_notify")).toBool(), true);

        const QJsonObject cas = object(etcdCasBody("/p/k", QByteArray("v"), 5));
        const QJsonObject compare = cas.value(QLatin1String("compare")).toArray().at(0).toObject();
        QCOMPARE(compare.value(QLatin1String("target")).toString(), QStringLiteral("MOD"));
        QCOMPARE(compare.value(QLatin1String("mod_revision")).toString(), QStringLiteral("5"));
        const QJsonObject create = object(etcdCasBody("/p/k", QByteArray("v"), 0));
        QCOMPARE(create.value(QLatin1String("compare"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QLatin1String("version"))
                     .toString(),
                 QStringLiteral("0"));
        const QJsonObject del = object(etcdCasBody("/p/k", std::nullopt, -1));
        QVERIFY(del.value(QLatin1String("compare")).toArray().isEmpty());
        QVERIFY(del.value(QLatin1String("success"))
                    .toArray()
                    .at(0)
                    .toObject()
                    .contains(QLatin1String("request_delete_range")));
    }

    void range()
    {
        // The live 3.4.23 answer of reference 5.2, plus a binary value.
        QByteArray json = R"({"header":{"cluster_id":"6328709751833505057","revision":"5"},
            "kvs":[{"key":"L29wc2RlY2svcHJvZC9h","create_revision":"2","mod_revision":"2","version":"1","value":"MQ=="},
                   {"key":"BIN_KEY","mod_revision":"4","version":"3","value":"BIN_VALUE"}],
            "count":"3","more":true})";
        json.replace("BIN_KEY", b64("/opsdeck/prod/bin"));
        json.replace("BIN_VALUE", b64(QByteArray("\x00\xff\x01", 3)));
        const auto parsed = parseEtcdRange(json);
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error()));
        QCOMPARE(parsed.value().revision, 5);
        QCOMPARE(parsed.value().count, 3);
        QVERIFY(parsed.value().more);
        QCOMPARE(parsed.value().kvs.size(), 2);
        QCOMPARE(parsed.value().kvs.at(0).key, QByteArray("/opsdeck/prod/a"));
        QCOMPARE(parsed.value().kvs.at(0).value, QByteArray("1"));
        const KvEntry entry = parsed.value().kvs.at(1).toEntry();
        QCOMPARE(entry.key, QStringLiteral("/opsdeck/prod/bin"));
        QCOMPARE(entry.value, QByteArray("\x00\xff\x01", 3));
        QCOMPARE(entry.version, 4);

        // Nothing matches: no kvs, no count (zero fields are omitted, reference 5.1).
        const auto empty = parseEtcdRange(R"({"header":{"revision":"9"}})");
        QVERIFY(empty.ok());
        QVERIFY(empty.value().kvs.isEmpty());
        QCOMPARE(empty.value().count, 0);
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("error");
        QTest::newRow("not JSON") << QByteArray("{\"header\":") << QStringLiteral("malformed JSON");
        QTest::newRow("not an object")
            << QByteArray("[]") << QStringLiteral("expected a JSON object");
        QTest::newRow("no revision")
            << QByteArray(R"({"header":{}})") << QStringLiteral("header.revision: missing");
        QTest::newRow("revision not a number")
            << QByteArray(R"({"header":{"revision":"five"}})")
            << QStringLiteral("header.revision: expected an integer");
        QTest::newRow("kvs not an array") << QByteArray(R"({"header":{"revision":"1"},"kvs":{}})")
                                          << QStringLiteral("kvs: expected an array");
        QTest::newRow("bad base64 value") << QByteArray(
            R"({"header":{"revision":"1"},"kvs":[{"key":"YQ=="},{"key":"Yg==","value":"!!"}]})")
                                          << QStringLiteral("kvs[1].value: invalid base64");
        QTest::newRow("key missing")
            << QByteArray(R"({"header":{"revision":"1"},"kvs":[{"value":"YQ=="}]})")
            << QStringLiteral("kvs[0].key: missing");
        QTest::newRow("mod_revision a bool")
            << QByteArray(
                   R"({"header":{"revision":"1"},"kvs":[{"key":"YQ==","mod_revision":true}]})")
            << QStringLiteral("kvs[0].mod_revision: expected an integer");
        QTest::newRow("more a string") << QByteArray(R"({"header":{"revision":"1"},"more":"yes"})")
                                       << QStringLiteral("more: expected true or false");
    }

    void malformed()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, error);
        const auto parsed = parseEtcdRange(json);
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().contains(error), qPrintable(parsed.error()));
    }

    void watchMessages()
    {
        const auto created =
            parseEtcdWatchResponse(R"({"result":{"header":{"revision":"5"},"created":true}})");
        QVERIFY(created.ok());
        QVERIFY(created.value().created);
        QCOMPARE(created.value().revision, 5);

        const auto put = parseEtcdWatchResponse(
            R"({"result":{"header":{"revision":"6"},"events":[{"kv":{"key":"L3AvYQ==","create_revision":"6","mod_revision":"6","version":"1","value":"bmV3"}}]}})");
        QVERIFY(put.ok());
        QCOMPARE(put.value().events.size(), 1);
        QVERIFY(!put.value().events.at(0).deleted);
        QCOMPARE(put.value().events.at(0).kv.key, QByteArray("/p/a"));
        QCOMPARE(put.value().events.at(0).kv.value, QByteArray("new"));

        const auto del = parseEtcdWatchResponse(
            R"({"result":{"header":{"revision":"7"},"events":[{"type":"DELETE","kv":{"key":"L3AvYQ==","mod_revision":"7"}}]}})");
        QVERIFY(del.ok());
        QVERIFY(del.value().events.at(0).deleted);
        QCOMPARE(del.value().events.at(0).kv.modRevision, 7);

        const auto compacted = parseEtcdWatchResponse(
            R"({"result":{"header":{"revision":"9"},"canceled":true,"compact_revision":"6"}})");
        QVERIFY(compacted.ok());
        QVERIFY(compacted.value().canceled);
        QCOMPARE(compacted.value().compactRevision, 6);

        const auto streamError = parseEtcdWatchResponse(
            R"({"error":{"grpc_code":16,"http_code":401,"message":"etcdserver: invalid auth token","http_status":"Unauthorized"}})");
        QVERIFY(streamError.ok());
        QVERIFY(streamError.value().error);
        QVERIFY(streamError.value().error->invalidToken());
    }

    void watchMalformed_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("error");
        QTest::newRow("truncated")
            << QByteArray(R"({"result":{"header")") << QStringLiteral("malformed JSON");
        QTest::newRow("no result") << QByteArray(R"({"x":1})") << QStringLiteral("result: missing");
        QTest::newRow("unknown type") << QByteArray(
            R"({"result":{"header":{"revision":"1"},"events":[{"type":"MOVE","kv":{"key":"YQ=="}}]}})")
                                      << QStringLiteral(
                                             "result.events[0].type: unknown event type MOVE");
        QTest::newRow("event without kv") << QByteArray(
            R"({"result":{"header":{"revision":"1"},"events":[{"kv":{"key":"YQ=="}},{}]}})")
                                          << QStringLiteral("result.events[1].kv: missing");
        QTest::newRow("bad key") << QByteArray(
            R"({"result":{"header":{"revision":"1"},"events":[{"kv":{"key":"%%"}}]}})")
                                 << QStringLiteral("result.events[0].kv.key: invalid base64");
        QTest::newRow("compact_revision a list") << QByteArray(
            R"({"result":{"header":{"revision":"1"},"canceled":true,"compact_revision":[]}})")
                                                 << QStringLiteral("result.compact_revision: "
                                                                   "expected an integer");
    }

    void watchMalformed()
    {
        QFETCH(QByteArray, line);
        QFETCH(QString, error);
        const auto parsed = parseEtcdWatchResponse(line);
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().contains(error), qPrintable(parsed.error()));
    }

    void tokenTxnAndErrors()
    {
        QCOMPARE(parseEtcdToken(R"({"header":{},"token":"VqAc.17"})").value(),
                 QStringLiteral("VqAc.17"));
        QVERIFY(
            parseEtcdToken(R"({"header":{}})").error().contains(QLatin1String("token: missing")));

        const auto ok = parseEtcdTxn(
            R"({"header":{"revision":"8"},"succeeded":true,"responses":[{"response_put":{"header":{"revision":"8"}}}]})");
        QVERIFY(ok.ok());
        QVERIFY(ok.value().succeeded);
        QCOMPARE(ok.value().revision, 8);
        // A failed compare: no `succeeded`, the failure branch's range (reference 5.2).
        const auto refused = parseEtcdTxn(
            R"({"header":{"revision":"9"},"responses":[{"response_range":{"header":{"revision":"9"},"kvs":[{"key":"L3AvYQ==","mod_revision":"9","value":"eA=="}],"count":"1"}}]})");
        QVERIFY(refused.ok());
        QVERIFY(!refused.value().succeeded);
        QVERIFY(refused.value().current);
        QCOMPARE(refused.value().current->modRevision, 9);

        const EtcdError compacted = parseEtcdError(
            400,
            R"({"error":"mvcc: required revision has been compacted","code":11,"message":"mvcc: required revision has been compacted"})");
        QVERIFY(compacted.compacted());
        QCOMPARE(compacted.message, QStringLiteral("mvcc: required revision has been compacted"));
        QVERIFY(parseEtcdError(401, R"({"error":"x","code":16})").invalidToken());
        QCOMPARE(parseEtcdError(502, "Bad Gateway").message, QStringLiteral("Bad Gateway"));
    }

    void lineSplitter()
    {
        EtcdLineSplitter s;
        QCOMPARE(s.feed("{\"a\":"), QList<QByteArray>());
        QCOMPARE(s.feed("1}\r\n\n{\"b\""), QList<QByteArray>{"{\"a\":1}"});
        QCOMPARE(s.feed(":2}\n"), QList<QByteArray>{"{\"b\":2}"});
        QVERIFY(!s.overflowed());
    }
};

QTEST_GUILESS_MAIN(tst_EtcdParsers)
#include "tst_etcdparsers.moc"
