// SPDX-License-Identifier: MIT
// The ZooKeeper connector against a real ZooKeeper started by tests/integration/zookeeper/
// zookeeper.sh (CTest fixture zookeeper_up / zookeeper_down).
#include "connectors/zookeeper/zookeeperconnector.h"
#include "models/kvstore.h"
#include "tests/support/testsupport.h"

#include <QDateTime>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>
#include <QUuid>

#include <memory>
#include <zookeeper/zookeeper.h>

using namespace Opsdeck;
using namespace Opsdeck::Models;

namespace {

constexpr char kDigestEnv[] = "OPSDECK_TEST_ZK_DIGEST";
constexpr char kDigest[] = "opsdeck:zk-s3cret-4711";

QString stateDir()
{
    return qEnvironmentVariable("OPSDECK_ZOOKEEPER_STATE");
}

QString serverHosts()
{
    QFile file(stateDir() + QLatin1String("/port"));
    if (stateDir().isEmpty() || !file.open(QIODevice::ReadOnly))
        return {};
    const int port = QString::fromUtf8(file.readAll()).trimmed().toInt();
    return port > 0 ? QStringLiteral("127.0.0.1:%1").arg(port) : QString();
}

bool harness(const QString &verb)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p.start(qEnvironmentVariable("OPSDECK_ZOOKEEPER_SCRIPT"), {verb, stateDir()});
    return p.waitForFinished(90000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

void quietClient(const char *) {}

/// The test's own writer: the C client's synchronous API (fine in a test).
class Admin
{
public:
    explicit Admin(const QString &hosts, const QByteArray &digest = {})
    {
        m_zh = zookeeper_init2(
            hosts.toUtf8().constData(), nullptr, 10000, nullptr, nullptr, 0, &quietClient);
        for (int i = 0; m_zh && i < 200 && zoo_state(m_zh) != ZOO_CONNECTED_STATE; ++i)
            QTest::qWait(50);
        if (m_zh && !digest.isEmpty())
            zoo_add_auth(m_zh, "digest", digest.constData(), int(digest.size()), nullptr, nullptr);
    }

    ~Admin()
    {
        if (m_zh)
            zookeeper_close(m_zh);
    }

    Admin(const Admin &) = delete;
    Admin &operator=(const Admin &) = delete;

    bool connected() const { return m_zh && zoo_state(m_zh) == ZOO_CONNECTED_STATE; }

    int create(const QString &path, const QByteArray &value = {}, bool creatorOnly = false)
    {
        return zoo_create(m_zh,
                          path.toUtf8().constData(),
                          value.isNull() ? nullptr : value.constData(),
                          value.isNull() ? -1 : int(value.size()),
                          creatorOnly ? &ZOO_CREATOR_ALL_ACL : &ZOO_OPEN_ACL_UNSAFE,
                          0,
                          nullptr,
                          0);
    }

    int set(const QString &path, const QByteArray &value)
    {
        return zoo_set(m_zh, path.toUtf8().constData(), value.constData(), int(value.size()), -1);
    }

    int remove(const QString &path) { return zoo_delete(m_zh, path.toUtf8().constData(), -1); }

private:
    zhandle_t *m_zh = nullptr;
};

} // namespace

class tst_ZooKeeperConnectorLive : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void readsTheSubtreeWithDataVersionAndMtime();
    void watchesDeliverChangesWithinASecond();
    void digestAuthErrorThenSuccess();
    void unreadableNodeAddedLaterIsAnErrorUntilItGoes();
    void serverStoppedIsUnreachableThenRecoversAndReReads();
    void expiredSessionIsReplacedAndReRead();

private:
    /// A fresh subtree for one test: "/opsdeck-test-<uuid>".
    QString freshRoot(Admin &admin);
    std::unique_ptr<Connectors::ZooKeeperConnector> connector(KvStore *store,
                                                              const QString &root,
                                                              const QString &digestEnv = {},
                                                              qint64 sessionTimeoutMs = 10000);

    QString m_hosts;
};

void tst_ZooKeeperConnectorLive::initTestCase()
{
    m_hosts = serverHosts();
    OPSDECK_REQUIRE_SERVER(!m_hosts.isEmpty(),
                           QStringLiteral("ZooKeeper (run via ctest: fixture zookeeper_up)"));
    Admin admin(m_hosts);
    QVERIFY2(admin.connected(), "the harness's ZooKeeper does not accept a session");
}

QString tst_ZooKeeperConnectorLive::freshRoot(Admin &admin)
{
    const QString root = QStringLiteral("/opsdeck-test-")
                         + QUuid::createUuid().toString(QUuid::WithoutBraces).left(8);
    if (admin.create(root) != ZOK)
        return {};
    return root;
}

std::unique_ptr<Connectors::ZooKeeperConnector> tst_ZooKeeperConnectorLive::connector(
    KvStore *store, const QString &root, const QString &digestEnv, qint64 sessionTimeoutMs)
{
    ZooKeeperConfig config;
    config.hosts = m_hosts;
    config.path = root;
    config.digestEnv = digestEnv;
    config.sessionTimeoutMs = sessionTimeoutMs;
    auto c = std::make_unique<Connectors::ZooKeeperConnector>(config, store);
    Connectors::ZooKeeperTimings t;
    t.connectTimeoutMs = 1500;
    t.retryInitialMs = 200;
    t.retryMaxMs = 1000;
    c->setTimings(t);
    return c;
}

void tst_ZooKeeperConnectorLive::readsTheSubtreeWithDataVersionAndMtime()
{
    Admin admin(m_hosts);
    const QString root = freshRoot(admin);
    QVERIFY(!root.isEmpty());
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    QCOMPARE(admin.create(root + QLatin1String("/orders")), ZOK);
    QCOMPARE(admin.create(root + QLatin1String("/orders/db_pool_size"), "10"), ZOK);
    QCOMPARE(admin.set(root + QLatin1String("/orders/db_pool_size"), "20"), ZOK);
    QCOMPARE(admin.set(root + QLatin1String("/orders/db_pool_size"), "40"), ZOK);
    QCOMPARE(admin.create(root + QLatin1String("/orders/url"),
                          "jdbc:postgresql://db.example.internal/orders"),
             ZOK);
    QCOMPARE(admin.create(root + QLatin1String("/search")), ZOK);
    QCOMPARE(admin.create(root + QLatin1String("/search/replicas"), "3"), ZOK);
    QCOMPARE(
        admin.create(root + QLatin1String("/search/emoji"), QByteArray("\xf0\x9f\x94\x8d\x00x", 6)),
        ZOK);
    QCOMPARE(admin.create(root + QLatin1String("/empty-leaf")), ZOK);

    KvStore store(QStringLiteral("Staging"), KvKind::ZooKeeper, root);
    auto zk = connector(&store, root);
    QSignalSpy synced(zk.get(), &Connectors::ZooKeeperConnector::synced);
    zk->start();
    QTRY_COMPARE_WITH_TIMEOUT(store.status().state, SourceState::Connected, 15000);
    QCOMPARE(synced.count(), 1);
    QCOMPARE(store.status().error, QString());
    QCOMPARE(store.status().url, m_hosts);

    // Inner nodes without data are folders, not keys; a leaf without data is a key.
    QCOMPARE(store.keys(),
             (QStringList{root + QLatin1String("/empty-leaf"),
                          root + QLatin1String("/orders/db_pool_size"),
                          root + QLatin1String("/orders/url"),
                          root + QLatin1String("/search/emoji"),
                          root + QLatin1String("/search/replicas")}));
    const KvEntry *pool = store.entry(root + QLatin1String("/orders/db_pool_size"));
    QVERIFY(pool);
    QCOMPARE(pool->value, QByteArray("40"));
    QCOMPARE(pool->version, 2);
    QCOMPARE(pool->flags, 0u);
    QVERIFY(pool->modified.isValid());
    QVERIFY(pool->modified.toMSecsSinceEpoch() >= before - 5000);
    QVERIFY(pool->modified.toMSecsSinceEpoch() <= QDateTime::currentMSecsSinceEpoch() + 5000);
    QCOMPARE(store.entry(root + QLatin1String("/search/replicas"))->version, 0);
    QCOMPARE(store.entry(root + QLatin1String("/search/emoji"))->value,
             QByteArray("\xf0\x9f\x94\x8d\x00x", 6));
    QCOMPARE(store.entry(root + QLatin1String("/empty-leaf"))->value, QByteArray());
    QCOMPARE(store.relativeKey(root + QLatin1String("/orders/url")), QStringLiteral("orders/url"));
}

void tst_ZooKeeperConnectorLive::watchesDeliverChangesWithinASecond()
{
    Admin admin(m_hosts);
    const QString root = freshRoot(admin);
    QVERIFY(!root.isEmpty());
    const QString pool = root + QLatin1String("/orders/db_pool_size");
    QCOMPARE(admin.create(root + QLatin1String("/orders")), ZOK);
    QCOMPARE(admin.create(pool, "20"), ZOK);

    KvStore store(QStringLiteral("Production"), KvKind::ZooKeeper, root);
    auto zk = connector(&store, root);
    zk->start();
    QTRY_COMPARE_WITH_TIMEOUT(store.status().state, SourceState::Connected, 15000);
    QSignalSpy changes(&store, &KvStore::entriesChanged);

    // Data changed.
    QCOMPARE(admin.set(pool, "64"), ZOK);
    QTRY_COMPARE_WITH_TIMEOUT(store.entry(pool)->value, QByteArray("64"), 1000);
    QCOMPARE(store.entry(pool)->version, 1);
    QCOMPARE(changes.last().at(1).toStringList(), QStringList{pool});

    // Child created, also one level deeper in a new folder.
    const QString timeout = root + QLatin1String("/orders/timeout");
    QCOMPARE(admin.create(timeout, "30s"), ZOK);
    QTRY_VERIFY_WITH_TIMEOUT(store.entry(timeout), 1000);
    QCOMPARE(store.entry(timeout)->value, QByteArray("30s"));
    const QString deep = root + QLatin1String("/billing/kafka/topic");
    QCOMPARE(admin.create(root + QLatin1String("/billing")), ZOK);
    QCOMPARE(admin.create(root + QLatin1String("/billing/kafka")), ZOK);
    QCOMPARE(admin.create(deep, "invoices"), ZOK);
    QTRY_VERIFY_WITH_TIMEOUT(store.entry(deep), 1000);
    QCOMPARE(store.entry(deep)->value, QByteArray("invoices"));

    // Deleted.
    QCOMPARE(admin.remove(timeout), ZOK);
    QTRY_VERIFY_WITH_TIMEOUT(!store.entry(timeout), 1000);
    QCOMPARE(changes.last().at(2).toStringList(), QStringList{timeout});
    QCOMPARE(admin.remove(deep), ZOK);
    QCOMPARE(admin.remove(root + QLatin1String("/billing/kafka")), ZOK);
    QTRY_VERIFY_WITH_TIMEOUT(!store.entry(deep), 1000);
    // The emptied folder became a leaf without data: a key of its own.
    QTRY_VERIFY_WITH_TIMEOUT(store.entry(root + QLatin1String("/billing")), 1000);
    QCOMPARE(store.status().state, SourceState::Connected);
}

void tst_ZooKeeperConnectorLive::digestAuthErrorThenSuccess()
{
    const QString root = [this] {
        Admin admin(m_hosts);
        return freshRoot(admin);
    }();
    QVERIFY(!root.isEmpty());
    {
        Admin owner(m_hosts, kDigest);
        QCOMPARE(owner.create(root + QLatin1String("/payments")), ZOK);
        QCOMPARE(
            owner.create(root + QLatin1String("/payments/api_key_ref"), "vault:payments", true),
            ZOK);
    }

    // Without the digest: the node cannot be read, and the store says so.
    {
        KvStore store(QStringLiteral("Production"), KvKind::ZooKeeper, root);
        auto zk = connector(&store, root);
        QSignalSpy failed(zk.get(), &Connectors::ZooKeeperConnector::failed);
        zk->start();
        QTRY_COMPARE_WITH_TIMEOUT(store.status().state, SourceState::Unreachable, 15000);
        const QString error = store.status().error;
        QVERIFY2(error.contains(QLatin1String("not authorised")), qPrintable(error));
        QVERIFY2(error.contains(root + QLatin1String("/payments/api_key_ref")), qPrintable(error));
        QVERIFY(failed.count() >= 1);
        QVERIFY(store.keys().isEmpty());
    }

    // The named variable missing: said by name, nothing sent.
    {
        qunsetenv(kDigestEnv);
        KvStore store(QStringLiteral("Production"), KvKind::ZooKeeper, root);
        auto zk = connector(&store, root, QString::fromLatin1(kDigestEnv));
        zk->start();
        QCOMPARE(store.status().state, SourceState::Unreachable);
        QVERIFY(store.status().error.contains(QLatin1String(kDigestEnv)));
    }

    // With it: read, and the secret never shows.
    qputenv(kDigestEnv, kDigest);
    KvStore store(QStringLiteral("Production"), KvKind::ZooKeeper, root);
    auto zk = connector(&store, root, QString::fromLatin1(kDigestEnv));
    zk->start();
    QTRY_COMPARE_WITH_TIMEOUT(store.status().state, SourceState::Connected, 15000);
    QCOMPARE(store.entry(root + QLatin1String("/payments/api_key_ref"))->value,
             QByteArray("vault:payments"));
    QVERIFY(!store.status().error.contains(QLatin1String("s3cret")));
    qunsetenv(kDigestEnv);
}

void tst_ZooKeeperConnectorLive::unreadableNodeAddedLaterIsAnErrorUntilItGoes()
{
    Admin admin(m_hosts);
    const QString root = freshRoot(admin);
    QVERIFY(!root.isEmpty());
    QCOMPARE(admin.create(root + QLatin1String("/visible"), "yes"), ZOK);
    KvStore store(QStringLiteral("Staging"), KvKind::ZooKeeper, root);
    auto zk = connector(&store, root);
    zk->start();
    QTRY_COMPARE_WITH_TIMEOUT(store.status().state, SourceState::Connected, 15000);

    // A node the connector may not read appears: the mirror is incomplete, and says so.
    const QString locked = root + QLatin1String("/locked");
    {
        Admin owner(m_hosts, kDigest);
        QCOMPARE(owner.create(locked, "secret-ish", true), ZOK);
    }
    QTRY_COMPARE_WITH_TIMEOUT(store.status().state, SourceState::Unreachable, 5000);
    QVERIFY2(store.status().error.contains(locked), qPrintable(store.status().error));
    QCOMPARE(store.entry(root + QLatin1String("/visible"))->value, QByteArray("yes"));

    // Gone again: the retried full read succeeds.
    {
        Admin owner(m_hosts, kDigest);
        QCOMPARE(owner.remove(locked), ZOK);
    }
    QTRY_COMPARE_WITH_TIMEOUT(store.status().state, SourceState::Connected, 10000);
    QCOMPARE(store.keys(), QStringList{root + QLatin1String("/visible")});
}

void tst_ZooKeeperConnectorLive::serverStoppedIsUnreachableThenRecoversAndReReads()
{
    QString root;
    const QString pool = QLatin1String("/orders/db_pool_size");
    {
        Admin admin(m_hosts);
        root = freshRoot(admin);
        QVERIFY(!root.isEmpty());
        QCOMPARE(admin.create(root + QLatin1String("/orders")), ZOK);
        QCOMPARE(admin.create(root + pool, "20"), ZOK);
    }
    KvStore store(QStringLiteral("Integration"), KvKind::ZooKeeper, root);
    auto zk = connector(&store, root);
    QSignalSpy synced(zk.get(), &Connectors::ZooKeeperConnector::synced);
    zk->start();
    QTRY_COMPARE_WITH_TIMEOUT(store.status().state, SourceState::Connected, 15000);
    QCOMPARE(synced.count(), 1);

    QVERIFY(harness(QStringLiteral("stop")));
    QTRY_COMPARE_WITH_TIMEOUT(store.status().state, SourceState::Unreachable, 10000);
    const QString error = store.status().error;
    QVERIFY2(error.contains(m_hosts), qPrintable(error));
    // The reason, as the client saw it.
    QTRY_VERIFY2_WITH_TIMEOUT(store.status().error.contains(QLatin1String("Connection refused")),
                              qPrintable(store.status().error),
                              5000);
    // The last data stays while the source is down.
    QCOMPARE(store.entry(root + pool)->value, QByteArray("20"));

    QVERIFY(harness(QStringLiteral("start")));
    QTRY_COMPARE_WITH_TIMEOUT(store.status().state, SourceState::Connected, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(synced.count(), 2, 5000); // read again after the reconnect
    QCOMPARE(store.status().error, QString());

    // And the watches work again.
    Admin admin(m_hosts);
    QVERIFY(admin.connected());
    QCOMPARE(admin.set(root + pool, "80"), ZOK);
    QTRY_COMPARE_WITH_TIMEOUT(store.entry(root + pool)->value, QByteArray("80"), 1000);
}

void tst_ZooKeeperConnectorLive::expiredSessionIsReplacedAndReRead()
{
    QString root;
    const QString pool = QLatin1String("/orders/db_pool_size");
    {
        Admin admin(m_hosts);
        root = freshRoot(admin);
        QVERIFY(!root.isEmpty());
        QCOMPARE(admin.create(root + QLatin1String("/orders")), ZOK);
        QCOMPARE(admin.create(root + pool, "20"), ZOK);
    }
    KvStore store(QStringLiteral("Integration"), KvKind::ZooKeeper, root);
    QStringList errors;
    connect(&store, &KvStore::statusChanged, this, [&] { errors << store.status().error; });
    // The server's minimum; a hang longer than this expires the session on the server.
    auto zk = connector(&store, root, {}, 1000);
    QSignalSpy synced(zk.get(), &Connectors::ZooKeeperConnector::synced);
    zk->start();
    QTRY_COMPARE_WITH_TIMEOUT(store.status().state, SourceState::Connected, 15000);

    QVERIFY(harness(QStringLiteral("pause")));
    QTRY_COMPARE_WITH_TIMEOUT(store.status().state, SourceState::Unreachable, 10000);
    QTest::qWait(3000); // the outage: three session timeouts
    QVERIFY(harness(QStringLiteral("resume")));
    QTRY_COMPARE_WITH_TIMEOUT(store.status().state, SourceState::Connected, 30000);
    QVERIFY2(errors.filter(QLatin1String("session expired")).size() == 1,
             qPrintable(errors.join(QLatin1String(" | "))));
    QVERIFY(synced.count() >= 2);

    // The new session watches again.
    Admin admin(m_hosts);
    QVERIFY(admin.connected());
    QCOMPARE(admin.set(root + pool, "81"), ZOK);
    QTRY_COMPARE_WITH_TIMEOUT(store.entry(root + pool)->value, QByteArray("81"), 1000);
}

QTEST_GUILESS_MAIN(tst_ZooKeeperConnectorLive)
#include "tst_zookeeperconnector_live.moc"
