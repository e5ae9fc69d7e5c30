// SPDX-License-Identifier: MIT
// The etcd connector against a real etcd-server (tests/integration/etcd/etcd.sh, a CTest
// fixture): a paged range with unicode and binary values, watch puts and deletes within a second,
// an authentication error then success, the server stopped (error state, data kept) and started
// again (recovery, resync), a compacted watch revision, member failover and CAS edits.
#include "connectors/etcd/etcdconnector.h"
#include "tests/support/testsupport.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Opsdeck;
using namespace Opsdeck::Connectors;
using namespace Opsdeck::Models;

namespace {

const char kPasswordVar[] = "OPSDECK_TEST_ETCD_PASSWORD";
const QString kRootPassword = QStringLiteral("root-pw-7f3e");

/// The member started by etcd.sh (its etcd.env).
class EtcdHarness
{
public:
    EtcdHarness()
        : m_stateDir(qEnvironmentVariable("OPSDECK_ETCD_STATE"))
        , m_script(qEnvironmentVariable("OPSDECK_ETCD_SCRIPT"))
    {
        QFile file(m_stateDir + QLatin1String("/etcd.env"));
        if (m_stateDir.isEmpty() || !file.open(QIODevice::ReadOnly))
            return;
        while (!file.atEnd()) {
            const QString line = QString::fromUtf8(file.readLine()).trimmed();
            if (line.startsWith(QLatin1String("ETCD_URL=")))
                m_url = line.mid(9);
        }
    }

    bool isAvailable() const { return !m_url.isEmpty() && QFile::exists(m_script); }

    QString url() const { return m_url; }

    /// Runs etcd.sh COMMAND STATE_DIR ARGS…; true on exit 0.
    bool run(const QString &command, const QStringList &args = {}) const
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start(m_script, QStringList{command, m_stateDir} + args);
        if (!p.waitForFinished(60000)) {
            p.kill();
            p.waitForFinished();
            return false;
        }
        return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }

private:
    QString m_stateDir;
    QString m_script;
    QString m_url;
};

} // namespace

class tst_EtcdConnectorLive : public QObject
{
    Q_OBJECT

private:
    /// A POST to the gateway, waited for (tests only); the body, or empty on failure.
    QJsonObject post(const QByteArray &path, const QJsonObject &body, int *status = nullptr)
    {
        HttpEndpoint e;
        e.baseUrl = m_harness.url().toUtf8();
        HttpRequest r;
        r.method = "POST";
        r.path = path;
        r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
        r.contentType = "application/json";
        if (!m_token.isEmpty())
            r.headers << HttpHeader{"Authorization", m_token};
        std::unique_ptr<HttpReply> reply(m_http.send(e, r));
        QSignalSpy done(reply.get(), &HttpReply::finished);
        if (!done.wait(10000))
            return {};
        if (status)
            *status = reply->status();
        return QJsonDocument::fromJson(reply->body()).object();
    }

    static QString b64(const QByteArray &bytes) { return QString::fromLatin1(bytes.toBase64()); }

    qint64 put(const QByteArray &key, const QByteArray &value)
    {
        const QJsonObject answer = post(
            "/v3/kv/put",
            QJsonObject{{QStringLiteral("key"), b64(key)}, {QStringLiteral("value"), b64(value)}});
        return answer.value(QLatin1String("header"))
            .toObject()
            .value(QLatin1String("revision"))
            .toString()
            .toLongLong();
    }

    void remove(const QByteArray &key)
    {
        post("/v3/kv/deleterange", QJsonObject{{QStringLiteral("key"), b64(key)}});
    }

    EtcdConfig config(const QString &prefix) const
    {
        EtcdConfig c;
        c.urls = QStringList{m_harness.url()};
        c.prefix = prefix;
        c.timeoutMs = 3000;
        return c;
    }

    static EtcdTimings fastTimings()
    {
        EtcdTimings t;
        t.probeIntervalMs = 300;
        t.reconnectInitialMs = 100;
        t.reconnectMaxMs = 400;
        t.rangePageSize = 2; // three pages for the range test
        return t;
    }

    EtcdHarness m_harness;
    HttpClient m_http;
    QByteArray m_token;

private slots:

    void initTestCase()
    {
        OPSDECK_REQUIRE_SERVER(m_harness.isAvailable(),
                               QStringLiteral("etcd (tests/integration/etcd/etcd.sh up)"));
    }

    void rangeUnicodeAndBinary()
    {
        const QByteArray binary("\x00\x01\xfe\xff\x80", 5);
        put("/range/a", "1");
        put("/range/b", "two");
        put(QStringLiteral("/range/größe").toUtf8(), QStringLiteral("Grüße ✓ 配置").toUtf8());
        put("/range/bin", binary);
        put("/range/deep/x", "");
        put("/range0", "outside"); // the range end itself is excluded
        put("/rang", "outside");

        KvStore store(QStringLiteral("Test"), KvKind::Etcd, QStringLiteral("/range/"));
        EtcdConnector connector(config(QStringLiteral("/range/")), &store, &m_http);
        connector.setTimings(fastTimings());
        QSignalSpy synced(&connector, &EtcdConnector::synced);
        connector.start();
        QVERIFY(synced.wait(10000));
        store.flush();
        QCOMPARE(store.keys(),
                 (QStringList{QStringLiteral("/range/a"),
                              QStringLiteral("/range/b"),
                              QStringLiteral("/range/bin"),
                              QStringLiteral("/range/deep/x"),
                              QStringLiteral("/range/größe")}));
        QCOMPARE(store.entry(QStringLiteral("/range/größe"))->value,
                 QStringLiteral("Grüße ✓ 配置").toUtf8());
        QCOMPARE(store.entry(QStringLiteral("/range/bin"))->value, binary);
        QCOMPARE(store.entry(QStringLiteral("/range/deep/x"))->value, QByteArray());
        QVERIFY(store.entry(QStringLiteral("/range/a"))->version > 0);
        QCOMPARE(store.status().state, SourceState::Connected);
        QCOMPARE(store.relativeKey(QStringLiteral("/range/deep/x")), QStringLiteral("deep/x"));
    }

    void watchPutAndDelete()
    {
        put("/watch/keep", "k");
        KvStore store(QStringLiteral("Test"), KvKind::Etcd, QStringLiteral("/watch/"));
        EtcdConnector connector(config(QStringLiteral("/watch/")), &store, &m_http);
        connector.setTimings(fastTimings());
        QSignalSpy synced(&connector, &EtcdConnector::synced);
        connector.start();
        QVERIFY(synced.wait(10000));

        const qint64 rev = put("/watch/new", "fresh");
        QTRY_VERIFY_WITH_TIMEOUT(store.entry(QStringLiteral("/watch/new")), 1000);
        QCOMPARE(store.entry(QStringLiteral("/watch/new"))->value, QByteArray("fresh"));
        QCOMPARE(store.entry(QStringLiteral("/watch/new"))->version, rev);
        put("/watch/new", "changed");
        QTRY_COMPARE_WITH_TIMEOUT(
            store.entry(QStringLiteral("/watch/new"))->value, QByteArray("changed"), 1000);
        remove("/watch/new");
        QTRY_VERIFY_WITH_TIMEOUT(!store.entry(QStringLiteral("/watch/new")), 1000);
        put("/watchers/other", "x"); // outside the prefix
        QTest::qWait(300);
        QCOMPARE(store.keys(), QStringList{QStringLiteral("/watch/keep")});
    }

    void authErrorThenSuccess()
    {
        QVERIFY(m_harness.run(QStringLiteral("auth"), {kRootPassword}));
        // Auth off again whatever happens below, so the other tests keep working.
        auto guard = qScopeGuard([this] {
            m_token.clear();
            m_harness.run(QStringLiteral("noauth"), {kRootPassword});
        });
        const QByteArray wrong = "wrong-password-123";
        qputenv(kPasswordVar, wrong);
        EtcdConfig c = config(QStringLiteral("/auth/"));
        c.username = QStringLiteral("root");
        c.passwordEnv = QString::fromLatin1(kPasswordVar);
        KvStore store(QStringLiteral("Test"), KvKind::Etcd, c.prefix);
        EtcdConnector connector(c, &store, &m_http);
        connector.setTimings(fastTimings());
        QSignalSpy failed(&connector, &EtcdConnector::failed);
        QSignalSpy synced(&connector, &EtcdConnector::synced);
        connector.start();
        QVERIFY(failed.wait(10000));
        QCOMPARE(store.status().state, SourceState::Unreachable);
        QVERIFY2(store.status().error.contains(QLatin1String("authentication as 'root' failed")),
                 qPrintable(store.status().error));
        QVERIFY2(store.status().error.contains(QLatin1String("invalid user ID or password")),
                 qPrintable(store.status().error));
        QVERIFY(!store.status().error.contains(QString::fromLatin1(wrong)));

        // The right password (read at the next attempt): connected, and the watch carries data.
        qputenv(kPasswordVar, kRootPassword.toUtf8());
        QVERIFY(synced.wait(10000));
        QCOMPARE(store.status().state, SourceState::Connected);
        const QJsonObject auth = post("/v3/auth/authenticate",
                                      QJsonObject{{QStringLiteral("name"), QStringLiteral("root")},
                                                  {QStringLiteral("password"), kRootPassword}});
        m_token = auth.value(QLatin1String("token")).toString().toUtf8();
        QVERIFY(!m_token.isEmpty());
        put("/auth/k", "v");
        QTRY_VERIFY_WITH_TIMEOUT(store.entry(QStringLiteral("/auth/k")), 1000);
        qunsetenv(kPasswordVar);
    }

    void missingPasswordVariable()
    {
        qunsetenv(kPasswordVar);
        EtcdConfig c = config(QStringLiteral("/auth/"));
        c.username = QStringLiteral("root");
        c.passwordEnv = QString::fromLatin1(kPasswordVar);
        KvStore store(QStringLiteral("Test"), KvKind::Etcd, c.prefix);
        EtcdConnector connector(c, &store, &m_http);
        QSignalSpy failed(&connector, &EtcdConnector::failed);
        connector.start();
        QVERIFY(failed.wait(5000));
        QVERIFY2(store.status().error.contains(QString::fromLatin1(kPasswordVar)),
                 qPrintable(store.status().error));
    }

    void serverStoppedAndRestarted()
    {
        put("/restart/a", "1");
        KvStore store(QStringLiteral("Test"), KvKind::Etcd, QStringLiteral("/restart/"));
        EtcdConnector connector(config(QStringLiteral("/restart/")), &store, &m_http);
        connector.setTimings(fastTimings());
        QSignalSpy synced(&connector, &EtcdConnector::synced);
        connector.start();
        QVERIFY(synced.wait(10000));

        QVERIFY(m_harness.run(QStringLiteral("stop")));
        auto guard = qScopeGuard([this] { m_harness.run(QStringLiteral("start")); });
        QTRY_COMPARE_WITH_TIMEOUT(store.status().state, SourceState::Unreachable, 5000);
        QVERIFY(!store.status().error.isEmpty());
        QVERIFY2(store.status().error.contains(m_harness.url().mid(7)),
                 qPrintable(store.status().error));         // names the member
        QVERIFY(store.entry(QStringLiteral("/restart/a"))); // last data kept

        QVERIFY(m_harness.run(QStringLiteral("start")));
        put("/restart/b", "2"); // written while the connector is still backing off
        remove("/restart/a");
        QTRY_COMPARE_WITH_TIMEOUT(store.status().state, SourceState::Connected, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(store.entry(QStringLiteral("/restart/b")), 1000);
        QTRY_VERIFY_WITH_TIMEOUT(!store.entry(QStringLiteral("/restart/a")), 1000);
        put("/restart/c", "3"); // and the watch runs again
        QTRY_VERIFY_WITH_TIMEOUT(store.entry(QStringLiteral("/restart/c")), 1000);
    }

    void compactedRevisionReread()
    {
        put("/compact/gone", "1");
        KvStore store(QStringLiteral("Test"), KvKind::Etcd, QStringLiteral("/compact/"));
        EtcdConnector connector(config(QStringLiteral("/compact/")), &store, &m_http);
        connector.setTimings(fastTimings());
        QSignalSpy synced(&connector, &EtcdConnector::synced);
        connector.start();
        QVERIFY(synced.wait(10000));
        const qint64 seen = connector.revision();

        // Changes while stopped, then compaction past them: the resumed watch is cancelled
        // with compact_revision and the connector reads everything again.
        connector.stop();
        remove("/compact/gone");
        const qint64 rev = put("/compact/new", "2");
        QVERIFY(rev > seen + 1);
        post("/v3/kv/compaction", QJsonObject{{QStringLiteral("revision"), QString::number(rev)}});
        connector.start();
        QVERIFY(synced.wait(10000));
        QTRY_VERIFY_WITH_TIMEOUT(store.entry(QStringLiteral("/compact/new")), 1000);
        QVERIFY(!store.entry(QStringLiteral("/compact/gone")));
        QVERIFY(connector.revision() >= rev);
        put("/compact/later", "3");
        QTRY_VERIFY_WITH_TIMEOUT(store.entry(QStringLiteral("/compact/later")), 1000);
    }

    void resumeAfterStopWithoutCompaction()
    {
        KvStore store(QStringLiteral("Test"), KvKind::Etcd, QStringLiteral("/resume/"));
        EtcdConnector connector(config(QStringLiteral("/resume/")), &store, &m_http);
        connector.setTimings(fastTimings());
        QSignalSpy synced(&connector, &EtcdConnector::synced);
        connector.start();
        QVERIFY(synced.wait(10000));
        connector.stop();
        put("/resume/while-stopped", "x");
        connector.start();
        QTRY_VERIFY_WITH_TIMEOUT(store.entry(QStringLiteral("/resume/while-stopped")), 2000);
    }

    void deadMemberSkipped()
    {
        EtcdConfig c = config(QStringLiteral("/members/"));
        c.urls.prepend(QStringLiteral("http://127.0.0.1:%1").arg(Tests::freeTcpPort()));
        put("/members/k", "v");
        KvStore store(QStringLiteral("Test"), KvKind::Etcd, c.prefix);
        EtcdConnector connector(c, &store, &m_http);
        connector.setTimings(fastTimings());
        QSignalSpy synced(&connector, &EtcdConnector::synced);
        connector.start();
        QVERIFY(synced.wait(10000));
        QCOMPARE(connector.currentUrl(), m_harness.url());
        QVERIFY(store.entry(QStringLiteral("/members/k")));
    }

    void casEdits()
    {
        EtcdConfig c = config(QStringLiteral("/edit/"));
        put("/edit/k", "v1");
        KvStore store(QStringLiteral("Test"), KvKind::Etcd, c.prefix);
        {
            EtcdConnector readOnly(c, &store, &m_http);
            QSignalSpy answered(&readOnly, &EtcdConnector::editFinished);
            readOnly.putKey(QStringLiteral("/edit/k"), "x", -1);
            QVERIFY(answered.wait(2000));
            QCOMPARE(answered.at(0).at(1).toBool(), false);
            QVERIFY(answered.at(0).at(2).toString().contains(QLatin1String("not enabled")));
        }
        c.allowEdit = true;
        EtcdConnector connector(c, &store, &m_http);
        connector.setTimings(fastTimings());
        QSignalSpy synced(&connector, &EtcdConnector::synced);
        QSignalSpy answered(&connector, &EtcdConnector::editFinished);
        connector.start();
        QVERIFY(synced.wait(10000));
        const qint64 v1 = store.entry(QStringLiteral("/edit/k"))->version;

        connector.putKey(QStringLiteral("/edit/k"), "v2", v1);
        QVERIFY(answered.wait(5000));
        QVERIFY2(answered.last().at(1).toBool(), qPrintable(answered.last().at(2).toString()));
        QTRY_COMPARE_WITH_TIMEOUT(
            store.entry(QStringLiteral("/edit/k"))->value, QByteArray("v2"), 1000);

        connector.putKey(QStringLiteral("/edit/k"), "stale", v1); // v1 is no longer current
        QVERIFY(answered.wait(5000));
        QCOMPARE(answered.last().at(1).toBool(), false);
        QVERIFY2(answered.last().at(2).toString().contains(QLatin1String("changed meanwhile")),
                 qPrintable(answered.last().at(2).toString()));
        QCOMPARE(store.entry(QStringLiteral("/edit/k"))->value, QByteArray("v2"));

        connector.putKey(QStringLiteral("/edit/k"), "x", 0); // create-only, but it exists
        QVERIFY(answered.wait(5000));
        QCOMPARE(answered.last().at(1).toBool(), false);

        connector.deleteKey(QStringLiteral("/edit/k"),
                            store.entry(QStringLiteral("/edit/k"))->version);
        QVERIFY(answered.wait(5000));
        QVERIFY(answered.last().at(1).toBool());
        QTRY_VERIFY_WITH_TIMEOUT(!store.entry(QStringLiteral("/edit/k")), 1000);

        connector.putKey(QStringLiteral("/other/k"), "x", -1);
        QVERIFY(answered.wait(2000));
        QCOMPARE(answered.last().at(1).toBool(), false);
    }
};

QTEST_GUILESS_MAIN(tst_EtcdConnectorLive)
#include "tst_etcdconnector_live.moc"
