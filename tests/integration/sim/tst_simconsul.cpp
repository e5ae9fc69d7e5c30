// SPDX-License-Identifier: MIT
// The simulated Consul against the API reference (§4): KV, blocking queries, health, catalog,
// status and the error answers, spoken to over plain HTTP; then the python-consul client,
// unchanged, against it.
#include "app/sim/simconsul.h"
#include "tests/support/testsupport.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Opsdeck;
using Sim::SimConsul;
using Sim::SimConsulInstance;

namespace {

struct Reply
{
    int status = 0;
    QByteArray body;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QHash<QByteArray, QByteArray> headers; ///< names in lower case
    qint64 elapsedMs = 0;

    quint64 index() const { return headers.value("x-consul-index").toULongLong(); }

    QJsonArray array() const { return QJsonDocument::fromJson(body).array(); }

    QJsonObject object() const { return QJsonDocument::fromJson(body).object(); }
};

/// A request in flight: started now, read later (blocking queries).
class Pending
{
public:
    Pending(QNetworkAccessManager *nam,
            const QUrl &url,
            const QByteArray &method,
            const QByteArray &body)
    {
        QNetworkRequest request(url);
        request.setTransferTimeout(30000);
        if (!body.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader,
                              QByteArrayLiteral("application/octet-stream"));
        m_timer.start();
        m_reply.reset(nam->sendCustomRequest(request, method, body));
        QObject::connect(m_reply.get(), &QNetworkReply::finished, m_reply.get(), [this] {
            m_elapsed = m_timer.elapsed();
        });
    }

    bool isFinished() const { return m_reply->isFinished(); }

    Reply wait(int timeoutMs = 15000)
    {
        if (!m_reply->isFinished()) {
            QSignalSpy spy(m_reply.get(), &QNetworkReply::finished);
            spy.wait(timeoutMs);
        }
        Reply r;
        if (!m_reply->isFinished())
            return r;
        r.status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.error = m_reply->error();
        r.body = m_reply->readAll();
        for (const auto &[name, value] : m_reply->rawHeaderPairs())
            r.headers.insert(name.toLower(), value);
        r.elapsedMs = m_elapsed;
        return r;
    }

private:
    std::unique_ptr<QNetworkReply> m_reply;
    QElapsedTimer m_timer;
    qint64 m_elapsed = 0;
};

SimConsulInstance instance(const QString &node, int port, const QString &id, const QString &status)
{
    SimConsulInstance i;
    i.node = node;
    i.address = QStringLiteral("127.0.0.1");
    i.port = port;
    i.id = id;
    i.status = status;
    i.output = QStringLiteral("HTTP GET /health: %1").arg(status);
    return i;
}

} // namespace

class tst_SimConsul : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void kvRoundTripBase64();
    void kvEmptyValueIsNullAndMissingKeyIs404();
    void kvListingAsTheDocExample();
    void kvCheckAndSet();
    void kvDelete();
    void indexGrowsOnEveryWrite();
    void blockingQueryReturnsOnWrite();
    void blockingQueryOnPrefixIgnoresOtherKeys();
    void blockingQueryTimesOut();
    void blockingQueryWithoutIndexDoesNotBlock();
    void indexGoesBackAfterTombstonesAreReaped();
    void healthAndCatalogShapes();
    void blockingHealthQueryReturnsOnCheckChange();
    void statusAndLeaderLoss();
    void errorAnswers_data();
    void errorAnswers();
    void oddInputNeverCrashes();
    void responseDelay();
    void pythonConsulClient();

private:
    QUrl url(const QString &pathAndQuery) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_consul->port()) + pathAndQuery);
    }

    std::unique_ptr<Pending> start(const QString &pathAndQuery,
                                   const QByteArray &method = "GET",
                                   const QByteArray &body = {})
    {
        return std::make_unique<Pending>(m_nam.get(), url(pathAndQuery), method, body);
    }

    Reply
    call(const QString &pathAndQuery, const QByteArray &method = "GET", const QByteArray &body = {})
    {
        return start(pathAndQuery, method, body)->wait();
    }

    std::unique_ptr<SimConsul> m_consul;
    std::unique_ptr<QNetworkAccessManager> m_nam;
};

void tst_SimConsul::init()
{
    m_consul = std::make_unique<SimConsul>();
    QVERIFY2(m_consul->listen(), qPrintable(m_consul->errorString()));
    m_nam = std::make_unique<QNetworkAccessManager>();
}

void tst_SimConsul::cleanup()
{
    m_nam.reset();
    m_consul.reset();
}

void tst_SimConsul::kvRoundTripBase64()
{
    Reply put = call(QStringLiteral("/v1/kv/app/config?flags=42"), "PUT", "hello");
    QCOMPARE(put.status, 200);
    QCOMPARE(put.body, QByteArray("true"));

    const Reply got = call(QStringLiteral("/v1/kv/app/config"));
    QCOMPARE(got.status, 200);
    QVERIFY(got.index() >= 1);
    QCOMPARE(got.headers.value("x-consul-knownleader"), QByteArray("true"));
    QCOMPARE(got.headers.value("x-consul-lastcontact"), QByteArray("0"));
    const QJsonArray entries = got.array();
    QCOMPARE(entries.size(), 1);
    const QJsonObject e = entries.at(0).toObject();
    for (const char *field : {"CreateIndex", "ModifyIndex", "LockIndex", "Key", "Flags", "Value"})
        QVERIFY2(e.contains(QLatin1String(field)), field);
    QCOMPARE(e.value(QStringLiteral("Key")).toString(), QStringLiteral("app/config"));
    QCOMPARE(e.value(QStringLiteral("Value")).toString(), QStringLiteral("aGVsbG8="));
    QCOMPARE(e.value(QStringLiteral("Flags")).toInteger(), 42);
    QCOMPARE(e.value(QStringLiteral("LockIndex")).toInteger(), 0);
    QCOMPARE(e.value(QStringLiteral("CreateIndex")).toInteger(),
             e.value(QStringLiteral("ModifyIndex")).toInteger());

    const Reply raw = call(QStringLiteral("/v1/kv/app/config?raw"));
    QCOMPARE(raw.status, 200);
    QCOMPARE(raw.body, QByteArray("hello"));

    // Binary values survive, and a uint64 flag keeps every digit.
    QByteArray binary;
    for (int b = 0; b < 256; ++b)
        binary.append(char(b));
    QCOMPARE(call(QStringLiteral("/v1/kv/bin?flags=18446744073709551615"), "PUT", binary).body,
             QByteArray("true"));
    const Reply bin = call(QStringLiteral("/v1/kv/bin"));
    QCOMPARE(QByteArray::fromBase64(
                 bin.array().at(0).toObject().value(QStringLiteral("Value")).toString().toLatin1()),
             binary);
    QVERIFY2(bin.body.contains("\"Flags\":18446744073709551615"), bin.body.constData());

    // An update keeps CreateIndex and moves ModifyIndex.
    call(QStringLiteral("/v1/kv/app/config"), "PUT", "again");
    const QJsonObject updated = call(QStringLiteral("/v1/kv/app/config")).array().at(0).toObject();
    QCOMPARE(updated.value(QStringLiteral("CreateIndex")).toInteger(),
             e.value(QStringLiteral("CreateIndex")).toInteger());
    QVERIFY(updated.value(QStringLiteral("ModifyIndex")).toInteger()
            > e.value(QStringLiteral("ModifyIndex")).toInteger());
    QCOMPARE(updated.value(QStringLiteral("Flags")).toInteger(), 0);
}

void tst_SimConsul::kvEmptyValueIsNullAndMissingKeyIs404()
{
    QCOMPARE(call(QStringLiteral("/v1/kv/empty"), "PUT").body, QByteArray("true"));
    const Reply got = call(QStringLiteral("/v1/kv/empty"));
    QCOMPARE(got.status, 200);
    QVERIFY(got.array().at(0).toObject().value(QStringLiteral("Value")).isNull());
    const Reply raw = call(QStringLiteral("/v1/kv/empty?raw"));
    QCOMPARE(raw.status, 200);
    QVERIFY(raw.body.isEmpty());

    const Reply missing = call(QStringLiteral("/v1/kv/nope"));
    QCOMPARE(missing.status, 404);
    QVERIFY(missing.body.isEmpty());
    QVERIFY(missing.headers.contains("x-consul-index"));
    QVERIFY(missing.index() >= 1); // never 0, or a blocking client would spin
    QCOMPARE(call(QStringLiteral("/v1/kv/nope/?recurse")).status, 404);
    QCOMPARE(call(QStringLiteral("/v1/kv/nope/?keys")).status, 404);
}

void tst_SimConsul::kvListingAsTheDocExample()
{
    m_consul->setKey(QStringLiteral("/web/bar"), "1");
    m_consul->setKey(QStringLiteral("/web/foo"), "2");
    m_consul->setKey(QStringLiteral("/web/subdir/x"), "3");
    m_consul->setKey(QStringLiteral("/web/subdir/y"), "4");
    m_consul->setKey(QStringLiteral("/webby"), "5");
    m_consul->setKey(QStringLiteral("other"), "6");

    const Reply keys = call(QStringLiteral("/v1/kv//web/?keys&separator=/"));
    QCOMPARE(keys.status, 200);
    QCOMPARE(keys.body, QByteArray(R"(["/web/bar","/web/foo","/web/subdir/"])"));

    const Reply all = call(QStringLiteral("/v1/kv//web/?keys"));
    QCOMPARE(all.body, QByteArray(R"(["/web/bar","/web/foo","/web/subdir/x","/web/subdir/y"])"));

    const Reply recurse = call(QStringLiteral("/v1/kv//web/?recurse"));
    QCOMPARE(recurse.status, 200);
    const QJsonArray entries = recurse.array();
    QCOMPARE(entries.size(), 4);
    qint64 highest = 0;
    for (const auto &e : entries)
        highest = std::max(highest, e.toObject().value(QStringLiteral("ModifyIndex")).toInteger());
    QCOMPARE(recurse.index(), quint64(highest)); // the prefix's newest change

    // The root lists everything; an empty store answers [] there, not 404.
    QCOMPARE(call(QStringLiteral("/v1/kv/?keys&separator=/")).body, QByteArray(R"(["/","other"])"));
    SimConsul fresh;
    QVERIFY(fresh.listen());
    QNetworkAccessManager nam;
    Reply empty = Pending(&nam,
                          QUrl(QStringLiteral("http://127.0.0.1:%1/v1/kv/?keys").arg(fresh.port())),
                          "GET",
                          {})
                      .wait();
    QCOMPARE(empty.status, 200);
    QCOMPARE(empty.body, QByteArray("[]"));
}

void tst_SimConsul::kvCheckAndSet()
{
    // cas=0 creates only if absent.
    QCOMPARE(call(QStringLiteral("/v1/kv/lock?cas=0"), "PUT", "a").body, QByteArray("true"));
    QCOMPARE(call(QStringLiteral("/v1/kv/lock?cas=0"), "PUT", "b").body, QByteArray("false"));
    const qint64 modify = call(QStringLiteral("/v1/kv/lock"))
                              .array()
                              .at(0)
                              .toObject()
                              .value(QStringLiteral("ModifyIndex"))
                              .toInteger();
    // A failed CAS answers 200 false and changes nothing.
    const Reply wrong = call(QStringLiteral("/v1/kv/lock?cas=%1").arg(modify + 100), "PUT", "c");
    QCOMPARE(wrong.status, 200);
    QCOMPARE(wrong.body, QByteArray("false"));
    QCOMPARE(call(QStringLiteral("/v1/kv/lock?raw")).body, QByteArray("a"));
    // The right index wins, once.
    QCOMPARE(call(QStringLiteral("/v1/kv/lock?cas=%1").arg(modify), "PUT", "d").body,
             QByteArray("true"));
    QCOMPARE(call(QStringLiteral("/v1/kv/lock?cas=%1").arg(modify), "PUT", "e").body,
             QByteArray("false"));
    QCOMPARE(call(QStringLiteral("/v1/kv/lock?raw")).body, QByteArray("d"));
    // Non-zero CAS on a missing key fails.
    QCOMPARE(call(QStringLiteral("/v1/kv/absent?cas=5"), "PUT", "x").body, QByteArray("false"));
    QCOMPARE(call(QStringLiteral("/v1/kv/absent")).status, 404);
}

void tst_SimConsul::kvDelete()
{
    for (const char *k : {"svc/a", "svc/b", "svc/c/d", "keep"})
        m_consul->setKey(QLatin1String(k), "v");
    const qint64 modify = call(QStringLiteral("/v1/kv/svc/a"))
                              .array()
                              .at(0)
                              .toObject()
                              .value(QStringLiteral("ModifyIndex"))
                              .toInteger();
    // cas=0 never deletes; a wrong index neither; the right one does.
    QCOMPARE(call(QStringLiteral("/v1/kv/svc/a?cas=0"), "DELETE").body, QByteArray("false"));
    QCOMPARE(call(QStringLiteral("/v1/kv/svc/a?cas=%1").arg(modify + 1), "DELETE").body,
             QByteArray("false"));
    QCOMPARE(call(QStringLiteral("/v1/kv/svc/a")).status, 200);
    QCOMPARE(call(QStringLiteral("/v1/kv/svc/a?cas=%1").arg(modify), "DELETE").body,
             QByteArray("true"));
    QCOMPARE(call(QStringLiteral("/v1/kv/svc/a")).status, 404);
    // Plain delete of a missing key is still true.
    QCOMPARE(call(QStringLiteral("/v1/kv/svc/zzz"), "DELETE").body, QByteArray("true"));
    // recurse takes the prefix and nothing else.
    QCOMPARE(call(QStringLiteral("/v1/kv/svc/?recurse"), "DELETE").body, QByteArray("true"));
    QCOMPARE(call(QStringLiteral("/v1/kv/svc/?recurse")).status, 404);
    QCOMPARE(call(QStringLiteral("/v1/kv/keep?raw")).body, QByteArray("v"));
    QVERIFY(m_consul->deleteKey(QStringLiteral("keep")));
    QVERIFY(!m_consul->deleteKey(QStringLiteral("keep")));
}

void tst_SimConsul::indexGrowsOnEveryWrite()
{
    quint64 last = m_consul->index();
    auto grew = [&] {
        const bool ok = m_consul->index() > last;
        last = m_consul->index();
        return ok;
    };
    call(QStringLiteral("/v1/kv/a"), "PUT", "1");
    QVERIFY(grew());
    call(QStringLiteral("/v1/kv/a?cas=999"), "PUT", "1"); // failed CAS: still a Raft apply
    QVERIFY(grew());
    call(QStringLiteral("/v1/kv/a"), "DELETE");
    QVERIFY(grew());
    m_consul->setKey(QStringLiteral("b"), "2");
    QVERIFY(grew());
    m_consul->registerService(QStringLiteral("web"),
                              {},
                              {instance(QStringLiteral("n1"), 1, {}, QStringLiteral("passing"))});
    QVERIFY(grew());
    QVERIFY(m_consul->setCheckStatus(QStringLiteral("web"), QStringLiteral("critical"), {}));
    QVERIFY(grew());
    // Reads do not write.
    call(QStringLiteral("/v1/kv/b"));
    call(QStringLiteral("/v1/health/state/any"));
    QCOMPARE(m_consul->index(), last);
}

void tst_SimConsul::blockingQueryReturnsOnWrite()
{
    m_consul->setKey(QStringLiteral("feature/flag"), "off");
    const Reply first = call(QStringLiteral("/v1/kv/feature/flag"));
    const quint64 index = first.index();
    QVERIFY(index >= 1);

    auto held = start(QStringLiteral("/v1/kv/feature/flag?index=%1&wait=10s").arg(index));
    QTest::qWait(300);
    QVERIFY(!held->isFinished());
    QCOMPARE(m_consul->heldRequests(), 1);

    QElapsedTimer sinceWrite;
    sinceWrite.start();
    m_consul->setKey(QStringLiteral("feature/flag"), "on");
    const Reply woke = held->wait(5000);
    QCOMPARE(woke.status, 200);
    QVERIFY2(sinceWrite.elapsed() < 2000, "a write ends the block at once");
    QVERIFY(woke.index() > index);
    QCOMPARE(woke.array().at(0).toObject().value(QStringLiteral("Value")).toString(),
             QString::fromLatin1(QByteArray("on").toBase64()));
    QCOMPARE(m_consul->heldRequests(), 0);

    // A write through HTTP wakes it too, and so does a delete (404 with a higher index).
    held = start(QStringLiteral("/v1/kv/feature/flag?index=%1&wait=10s").arg(woke.index()));
    QTest::qWait(100);
    QVERIFY(!held->isFinished());
    call(QStringLiteral("/v1/kv/feature/flag"), "DELETE");
    const Reply deleted = held->wait(5000);
    QCOMPARE(deleted.status, 404);
    QVERIFY(deleted.index() > woke.index());
}

void tst_SimConsul::blockingQueryOnPrefixIgnoresOtherKeys()
{
    m_consul->setKey(QStringLiteral("cfg/a"), "1");
    m_consul->setKey(QStringLiteral("unrelated"), "1");
    const quint64 index = call(QStringLiteral("/v1/kv/cfg/?recurse")).index();
    auto held = start(QStringLiteral("/v1/kv/cfg/?recurse&index=%1&wait=10s").arg(index));
    QTest::qWait(100);
    m_consul->setKey(QStringLiteral("unrelated"), "2");
    QTest::qWait(300);
    QVERIFY2(!held->isFinished(), "a write outside the prefix does not end the block");
    m_consul->setKey(QStringLiteral("cfg/b"), "2");
    const Reply woke = held->wait(5000);
    QCOMPARE(woke.status, 200);
    QCOMPARE(woke.array().size(), 2);
    QCOMPARE(woke.index(), m_consul->index());
}

void tst_SimConsul::blockingQueryTimesOut()
{
    m_consul->setKey(QStringLiteral("slow"), "1");
    const quint64 index = call(QStringLiteral("/v1/kv/slow")).index();
    const Reply r = call(QStringLiteral("/v1/kv/slow?index=%1&wait=200ms").arg(index));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.index(), index); // nothing changed: same index, same data
    // Held the whole wait, plus at most wait/16 of jitter (and a loaded machine's slack).
    QVERIFY2(r.elapsedMs >= 195, qPrintable(QString::number(r.elapsedMs)));
    QVERIFY2(r.elapsedMs < 2000, qPrintable(QString::number(r.elapsedMs)));
    QCOMPARE(m_consul->heldRequests(), 0);
}

void tst_SimConsul::blockingQueryWithoutIndexDoesNotBlock()
{
    m_consul->setKey(QStringLiteral("k"), "1");
    const quint64 index = call(QStringLiteral("/v1/kv/k")).index();
    // index=0 and an index already passed answer at once.
    QVERIFY(call(QStringLiteral("/v1/kv/k?index=0&wait=5s")).elapsedMs < 1000);
    QVERIFY(call(QStringLiteral("/v1/kv/k?index=%1&wait=5s").arg(index - 1)).elapsedMs < 1000);
}

void tst_SimConsul::indexGoesBackAfterTombstonesAreReaped()
{
    m_consul->setKey(QStringLiteral("app/a"), "1");
    m_consul->setKey(QStringLiteral("app/b"), "2");
    const quint64 aIndex = call(QStringLiteral("/v1/kv/app/a"))
                               .array()
                               .at(0)
                               .toObject()
                               .value(QStringLiteral("ModifyIndex"))
                               .toInteger();
    m_consul->deleteKey(QStringLiteral("app/b"));
    m_consul->setKey(QStringLiteral("elsewhere"), "3");
    // The newest key was deleted: its tombstone keeps the prefix's index up...
    const quint64 withTombstone = call(QStringLiteral("/v1/kv/app/?recurse")).index();
    QVERIFY(withTombstone > aIndex);
    QCOMPARE(call(QStringLiteral("/v1/kv/app/?keys")).index(), withTombstone);
    // ...until the tombstones are reaped; a client blocked on the old index sees a lower one
    // when its wait ends and must reset to 0 (API reference §4.3).
    auto held = start(QStringLiteral("/v1/kv/app/?recurse&index=%1&wait=300ms").arg(withTombstone));
    QTest::qWait(50);
    m_consul->reapTombstones();
    const Reply after = held->wait(5000);
    QCOMPARE(after.status, 200);
    QVERIFY2(after.elapsedMs >= 250, "a reap wakes nobody, as on Consul");
    QCOMPARE(after.index(), aIndex);
    QVERIFY(after.index() < withTombstone);
    // Index 0 after the reset answers at once with the current data.
    const Reply reset = call(QStringLiteral("/v1/kv/app/?recurse&index=0"));
    QCOMPARE(reset.index(), aIndex);
    QCOMPARE(reset.array().size(), 1);
}

void tst_SimConsul::healthAndCatalogShapes()
{
    m_consul->registerService(
        QStringLiteral("web"),
        {QStringLiteral("prod"), QStringLiteral("v2")},
        {instance(
             QStringLiteral("agent-1"), 31001, QStringLiteral("web-1"), QStringLiteral("passing")),
         instance(
             QStringLiteral("agent-2"), 31002, QStringLiteral("web-2"), QStringLiteral("warning")),
         instance(QStringLiteral("agent-3"),
                  31003,
                  QStringLiteral("web-3"),
                  QStringLiteral("critical"))});
    m_consul->registerService(
        QStringLiteral("redis"),
        {},
        {instance(QStringLiteral("agent-1"), 6379, QString(), QStringLiteral("passing"))});

    const Reply service = call(QStringLiteral("/v1/health/service/web"));
    QCOMPARE(service.status, 200);
    QVERIFY(service.index() >= 1);
    const QJsonArray instances = service.array();
    QCOMPARE(instances.size(), 3);
    const QJsonObject first = instances.at(0).toObject();
    const QJsonObject node = first.value(QStringLiteral("Node")).toObject();
    for (const char *f : {"ID", "Node", "Address", "Datacenter", "TaggedAddresses", "Meta"})
        QVERIFY2(node.contains(QLatin1String(f)), f);
    QCOMPARE(node.value(QStringLiteral("Datacenter")).toString(), QStringLiteral("dc1"));
    const QJsonObject svc = first.value(QStringLiteral("Service")).toObject();
    for (const char *f : {"ID", "Service", "Tags", "Address", "Port", "Meta", "Weights"})
        QVERIFY2(svc.contains(QLatin1String(f)), f);
    QCOMPARE(svc.value(QStringLiteral("ID")).toString(), QStringLiteral("web-1"));
    QCOMPARE(svc.value(QStringLiteral("Port")).toInt(), 31001);
    QCOMPARE(svc.value(QStringLiteral("Tags")).toArray(),
             (QJsonArray{QStringLiteral("prod"), QStringLiteral("v2")}));
    const QJsonArray checks = first.value(QStringLiteral("Checks")).toArray();
    QCOMPARE(checks.size(), 2); // the node's serfHealth and the service's own
    QCOMPARE(checks.at(0).toObject().value(QStringLiteral("CheckID")).toString(),
             QStringLiteral("serfHealth"));
    QCOMPARE(checks.at(1).toObject().value(QStringLiteral("ServiceID")).toString(),
             QStringLiteral("web-1"));

    // ?passing keeps instances whose checks all pass; warning does not.
    const QJsonArray passing = call(QStringLiteral("/v1/health/service/web?passing")).array();
    QCOMPARE(passing.size(), 1);
    QCOMPARE(passing.at(0)
                 .toObject()
                 .value(QStringLiteral("Service"))
                 .toObject()
                 .value(QStringLiteral("ID"))
                 .toString(),
             QStringLiteral("web-1"));
    QCOMPARE(call(QStringLiteral("/v1/health/service/web?passing=false")).array().size(), 3);
    QCOMPARE(call(QStringLiteral("/v1/health/service/nope")).array().size(), 0);

    const QJsonArray serviceChecks = call(QStringLiteral("/v1/health/checks/web")).array();
    QCOMPARE(serviceChecks.size(), 3);
    for (const char *f : {"Node",
                          "CheckID",
                          "Name",
                          "Status",
                          "Notes",
                          "Output",
                          "ServiceID",
                          "ServiceName",
                          "ServiceTags"})
        QVERIFY2(serviceChecks.at(2).toObject().contains(QLatin1String(f)), f);

    const QJsonArray critical = call(QStringLiteral("/v1/health/state/critical")).array();
    QCOMPARE(critical.size(), 1);
    QCOMPARE(critical.at(0).toObject().value(QStringLiteral("ServiceID")).toString(),
             QStringLiteral("web-3"));
    QCOMPARE(critical.at(0).toObject().value(QStringLiteral("Output")).toString(),
             QStringLiteral("HTTP GET /health: critical"));
    QCOMPARE(call(QStringLiteral("/v1/health/state/warning")).array().size(), 1);
    // any: every check, the nodes' serfHealth included (3 agents + the server's node).
    const QJsonArray any = call(QStringLiteral("/v1/health/state/any")).array();
    QCOMPARE(any.size(), 4 + 4);
    QCOMPARE(call(QStringLiteral("/v1/health/state/passing")).array().size(), 4 + 2);

    const Reply services = call(QStringLiteral("/v1/catalog/services"));
    QCOMPARE(services.object(),
             (QJsonObject{{QStringLiteral("consul"), QJsonArray()},
                          {QStringLiteral("redis"), QJsonArray()},
                          {QStringLiteral("web"),
                           QJsonArray{QStringLiteral("prod"), QStringLiteral("v2")}}}));

    const QJsonArray catalog = call(QStringLiteral("/v1/catalog/service/web")).array();
    QCOMPARE(catalog.size(), 3);
    const QJsonObject entry = catalog.at(1).toObject();
    for (const char *f : {"ServiceID",
                          "ServiceName",
                          "ServiceAddress",
                          "ServicePort",
                          "ServiceTags",
                          "ServiceMeta",
                          "CreateIndex",
                          "ModifyIndex",
                          "Node",
                          "Address"})
        QVERIFY2(entry.contains(QLatin1String(f)), f);
    QCOMPARE(entry.value(QStringLiteral("ServiceID")).toString(), QStringLiteral("web-2"));
    QCOMPARE(entry.value(QStringLiteral("ServicePort")).toInt(), 31002);
    QCOMPARE(call(QStringLiteral("/v1/catalog/service/web?tag=prod")).array().size(), 3);
    QCOMPARE(call(QStringLiteral("/v1/catalog/service/web?tag=v1")).array().size(), 0);
    // An instance registered without an id takes the service's name.
    QCOMPARE(call(QStringLiteral("/v1/catalog/service/redis"))
                 .array()
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("ServiceID"))
                 .toString(),
             QStringLiteral("redis"));

    // Check changes show; a deregistered service goes.
    QVERIFY(m_consul->setCheckStatus(
        QStringLiteral("web-3"), QStringLiteral("passing"), QStringLiteral("ok")));
    QVERIFY(!m_consul->setCheckStatus(QStringLiteral("nope"), QStringLiteral("passing"), {}));
    QCOMPARE(call(QStringLiteral("/v1/health/state/critical")).array().size(), 0);
    QCOMPARE(call(QStringLiteral("/v1/health/service/web?passing")).array().size(), 2);
    QVERIFY(m_consul->deregisterService(QStringLiteral("redis")));
    QVERIFY(
        !call(QStringLiteral("/v1/catalog/services")).object().contains(QStringLiteral("redis")));
}

void tst_SimConsul::blockingHealthQueryReturnsOnCheckChange()
{
    m_consul->registerService(
        QStringLiteral("api"),
        {},
        {instance(
            QStringLiteral("agent-1"), 8080, QStringLiteral("api-1"), QStringLiteral("passing"))});
    m_consul->registerService(QStringLiteral("other"),
                              {},
                              {instance(QStringLiteral("agent-2"),
                                        8081,
                                        QStringLiteral("other-1"),
                                        QStringLiteral("passing"))});
    const quint64 index = call(QStringLiteral("/v1/health/service/api")).index();
    const quint64 catalogIndex = call(QStringLiteral("/v1/catalog/services")).index();
    auto held =
        start(QStringLiteral("/v1/health/service/api?passing&index=%1&wait=10s").arg(index));
    auto catalog =
        start(QStringLiteral("/v1/catalog/services?index=%1&wait=10s").arg(catalogIndex));
    QTest::qWait(100);
    // Another service's check does not concern it.
    m_consul->setCheckStatus(QStringLiteral("other-1"), QStringLiteral("critical"), {});
    QTest::qWait(300);
    QVERIFY(!held->isFinished());
    m_consul->setCheckStatus(QStringLiteral("api-1"), QStringLiteral("critical"), {});
    const Reply woke = held->wait(5000);
    QCOMPARE(woke.status, 200);
    QVERIFY(woke.index() > index);
    QCOMPARE(woke.array().size(), 0); // no passing instance left
    // Check changes leave the catalog's service list alone; a registration moves it.
    QVERIFY(!catalog->isFinished());
    m_consul->registerService(QStringLiteral("new"), {QStringLiteral("t")}, {});
    const Reply services = catalog->wait(5000);
    QVERIFY(services.object().contains(QStringLiteral("new")));
    QVERIFY(services.index() > catalogIndex);
}

void tst_SimConsul::statusAndLeaderLoss()
{
    Reply leader = call(QStringLiteral("/v1/status/leader"));
    QCOMPARE(leader.status, 200);
    QCOMPARE(leader.body, QByteArray("\"127.0.0.1:8300\""));
    QCOMPARE(call(QStringLiteral("/v1/status/peers")).array(),
             QJsonArray{QStringLiteral("127.0.0.1:8300")});
    const QJsonObject self = call(QStringLiteral("/v1/agent/self")).object();
    QCOMPARE(self.value(QStringLiteral("Config"))
                 .toObject()
                 .value(QStringLiteral("Datacenter"))
                 .toString(),
             QStringLiteral("dc1"));

    m_consul->setKey(QStringLiteral("k"), "v");
    m_consul->setLeader(false);
    leader = call(QStringLiteral("/v1/status/leader"));
    QCOMPARE(leader.body, QByteArray("\"\""));
    // Without a leader: default reads and writes fail as on Consul; ?stale still answers.
    const Reply read = call(QStringLiteral("/v1/kv/k"));
    QCOMPARE(read.status, 500);
    QCOMPARE(read.body, QByteArray("No cluster leader"));
    QCOMPARE(call(QStringLiteral("/v1/kv/k"), "PUT", "x").status, 500);
    QTest::qWait(20);
    const Reply stale = call(QStringLiteral("/v1/kv/k?stale"));
    QCOMPARE(stale.status, 200);
    QCOMPARE(stale.headers.value("x-consul-knownleader"), QByteArray("false"));
    QCOMPARE(stale.headers.value("x-consul-effective-consistency"), QByteArray("stale"));
    QVERIFY(stale.headers.value("x-consul-lastcontact").toLongLong() >= 10);

    m_consul->setLeader(true);
    QCOMPARE(call(QStringLiteral("/v1/kv/k?raw")).body, QByteArray("v"));

    m_consul->setDatacenter(QStringLiteral("eu-west"));
    QCOMPARE(call(QStringLiteral("/v1/kv/k?raw&dc=eu-west")).status, 200);
    QCOMPARE(call(QStringLiteral("/v1/kv/k?raw&dc=dc1")).status, 500);
}

void tst_SimConsul::errorAnswers_data()
{
    QTest::addColumn<QString>("request");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body"); // prefix of the answer; empty: an empty body

    QTest::newRow("wait without unit") << "/v1/kv/k?index=1&wait=10" << QByteArray("GET") << 400
                                       << QByteArray("Invalid wait time");
    QTest::newRow("wait bad unit") << "/v1/kv/k?index=1&wait=5x" << QByteArray("GET") << 400
                                   << QByteArray("Invalid wait time");
    QTest::newRow("wait garbage") << "/v1/health/state/any?wait=soon" << QByteArray("GET") << 400
                                  << QByteArray("Invalid wait time");
    QTest::newRow("index text") << "/v1/kv/k?index=abc" << QByteArray("GET") << 400
                                << QByteArray("Invalid index");
    QTest::newRow("index negative") << "/v1/catalog/services?index=-1" << QByteArray("GET") << 400
                                    << QByteArray("Invalid index");
    QTest::newRow("index overflow") << "/v1/kv/k?index=18446744073709551616" << QByteArray("GET")
                                    << 400 << QByteArray("Invalid index");
    QTest::newRow("unknown dc") << "/v1/kv/k?dc=mars" << QByteArray("GET") << 500
                                << QByteArray("No path to datacenter");
    QTest::newRow("unknown dc on health") << "/v1/health/service/web?dc=mars" << QByteArray("GET")
                                          << 500 << QByteArray("No path to datacenter");
    QTest::newRow("stale and consistent") << "/v1/kv/k?stale&consistent" << QByteArray("GET") << 400
                                          << QByteArray("Cannot specify ?stale");
    QTest::newRow("missing state")
        << "/v1/health/state/" << QByteArray("GET") << 400 << QByteArray("Missing check state");
    // Consul does not validate the state name: an unknown one matches no check.
    QTest::newRow("unknown state")
        << "/v1/health/state/bogus" << QByteArray("GET") << 200 << QByteArray("[]");
    QTest::newRow("missing service")
        << "/v1/health/service/" << QByteArray("GET") << 400 << QByteArray("Missing service name");
    QTest::newRow("bad passing") << "/v1/health/service/web?passing=maybe" << QByteArray("GET")
                                 << 400 << QByteArray("Invalid value for ?passing");
    QTest::newRow("missing key") << "/v1/kv/" << QByteArray("GET") << 400
                                 << QByteArray("Missing key name");
    QTest::newRow("put without key")
        << "/v1/kv/" << QByteArray("PUT") << 400 << QByteArray("Missing key name");
    QTest::newRow("bad flags") << "/v1/kv/k?flags=abc" << QByteArray("PUT") << 500
                               << QByteArray("strconv.ParseUint: parsing \"abc\": invalid syntax");
    QTest::newRow("cas and acquire") << "/v1/kv/k?cas=1&acquire=x" << QByteArray("PUT") << 400
                                     << QByteArray("Conflicting flags");
    QTest::newRow("no sessions") << "/v1/kv/k?acquire=abc" << QByteArray("PUT") << 500
                                 << QByteArray("invalid session \"abc\"");
    QTest::newRow("delete recurse and cas") << "/v1/kv/k?recurse&cas=1" << QByteArray("DELETE")
                                            << 400 << QByteArray("Conflicting flags");
    QTest::newRow("method on kv") << "/v1/kv/k" << QByteArray("POST") << 405
                                  << QByteArray("method POST not allowed");
    QTest::newRow("method on health") << "/v1/health/state/any" << QByteArray("PUT") << 405
                                      << QByteArray("method PUT not allowed");
    QTest::newRow("unknown endpoint") << "/v1/nope" << QByteArray("GET") << 404 << QByteArray();
    QTest::newRow("unknown path") << "/nope" << QByteArray("GET") << 404 << QByteArray();
}

void tst_SimConsul::errorAnswers()
{
    QFETCH(QString, request);
    QFETCH(QByteArray, method);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    const Reply r = call(request, method);
    QCOMPARE(r.status, status);
    if (body.isEmpty())
        QVERIFY2(r.body.isEmpty(), r.body.constData());
    else
        QVERIFY2(r.body.startsWith(body), r.body.constData());
}

void tst_SimConsul::oddInputNeverCrashes()
{
    // Over 512 KB: 413, as Consul's kv_max_value_size.
    const Reply big = call(QStringLiteral("/v1/kv/big"), "PUT", QByteArray(512 * 1024 + 1, 'x'));
    QCOMPARE(big.status, 413);
    QVERIFY(big.body.contains("too large"));
    QCOMPARE(call(QStringLiteral("/v1/kv/big"), "PUT", QByteArray(512 * 1024, 'x')).status, 200);

    const QStringList odd{
        QStringLiteral("/v1/kv/%00"),
        QStringLiteral("/v1/kv/a?wait=9999999999999999h&index=1"),
        QStringLiteral("/v1/kv/a?wait=-5s&index=0"),
        QStringLiteral("/v1/kv/a?wait=.&index=1"),
        QStringLiteral("/v1/kv/a?wait=1.5.5s&index=1"),
        QStringLiteral("/v1/kv/?recurse&keys&separator="),
        QStringLiteral("/v1/kv/%E2%82%AC?keys&separator=%E2%82%AC"),
        QStringLiteral("/v1/health/service/%2F%2F?tag=&tag=x"),
        QStringLiteral("/v1/health/state/%FF"),
        QStringLiteral("/v1/catalog/service/a?passing=1&index="),
        QStringLiteral("/v1/status/leader?dc="),
        QStringLiteral("/v1//kv"),
        QStringLiteral("/v1/kv/a?pretty"),
    };
    for (const QString &path : odd) {
        const Reply r = call(path);
        QVERIFY2(r.status >= 200 && r.status < 600, qPrintable(path));
    }
    QCOMPARE(call(QStringLiteral("/v1/kv/x%E2%82%AC"), "PUT", "euro").status, 200);
    QCOMPARE(call(QStringLiteral("/v1/kv/x%E2%82%AC?raw")).body, QByteArray("euro"));
    QCOMPARE(call(QStringLiteral("/v1/kv/a?cas=99999999999999999999"), "PUT", "x").status, 500);
    QCOMPARE(call(QStringLiteral("/v1/status/leader")).status, 200); // still serving
}

void tst_SimConsul::responseDelay()
{
    m_consul->setResponseDelayMs(300);
    const Reply r = call(QStringLiteral("/v1/status/leader"));
    QCOMPARE(r.status, 200);
    QVERIFY2(r.elapsedMs >= 290, qPrintable(QString::number(r.elapsedMs)));
    m_consul->setResponseDelayMs(0);
    QVERIFY(call(QStringLiteral("/v1/status/leader")).elapsedMs < 290);
}

void tst_SimConsul::pythonConsulClient()
{
    // Debian's python3-consul lives in the system interpreter, not in a pyenv one.
    const QString python = QFileInfo::exists(QStringLiteral("/usr/bin/python3"))
                               ? QStringLiteral("/usr/bin/python3")
                               : QStringLiteral("python3");
    const int probe =
        QProcess::execute(python, {QStringLiteral("-c"), QStringLiteral("import consul")});
    OPSDECK_REQUIRE_SERVER(probe == 0,
                           QStringLiteral("the python-consul client (Debian's python3-consul)"));
    m_consul->registerService(
        QStringLiteral("web"),
        {QStringLiteral("prod")},
        {instance(
             QStringLiteral("agent-1"), 31001, QStringLiteral("web-1"), QStringLiteral("passing")),
         instance(QStringLiteral("agent-2"),
                  31002,
                  QStringLiteral("web-2"),
                  QStringLiteral("critical"))});
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *var : {"http_proxy",
                            "https_proxy",
                            "HTTP_PROXY",
                            "HTTPS_PROXY",
                            "all_proxy",
                            "ALL_PROXY",
                            "CONSUL_HTTP_ADDR",
                            "CONSUL_HTTP_TOKEN",
                            "CONSUL_HTTP_SSL"})
        env.remove(QLatin1String(var));
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(python,
            {QStringLiteral(OPSDECK_SOURCE_DIR "/tests/integration/sim/consul_client.py"),
             QString::number(m_consul->port())});
    // The client talks to a server on this very event loop: keep the loop turning.
    QDeadlineTimer deadline(20000);
    while (p.state() != QProcess::NotRunning && !deadline.hasExpired())
        QTest::qWait(10);
    if (p.state() != QProcess::NotRunning) {
        p.kill();
        p.waitForFinished();
        QFAIL("consul_client.py did not finish in 20 s");
    }
    const QByteArray output = p.readAll();
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, output.constData());
    QVERIFY2(output.contains("python-consul contract: ok"), output.constData());
}

QTEST_GUILESS_MAIN(tst_SimConsul)
#include "tst_simconsul.moc"
