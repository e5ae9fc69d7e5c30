// SPDX-License-Identifier: MIT
#include "models/kvstore.h"

#include <QSignalSpy>
#include <QTest>

using namespace Opsdeck::Models;

namespace {

KvEntry entry(const QString &key, const QByteArray &value, qint64 version = 1)
{
    KvEntry e;
    e.key = key;
    e.value = value;
    e.version = version;
    return e;
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

} // namespace

class tst_KvStore : public QObject
{
    Q_OBJECT

private slots:
    void snapshotAnnouncesOneBatch();
    void secondSnapshotAnnouncesOnlyWhatChanged();
    void putsWithinOneTurnCoalesce();
    void unchangedPutIsSilent();
    void addedAndRemovedWithinOneBatchIsSilent();
    void removedAndBackIsAChange();
    void relativeKeys_data();
    void relativeKeys();
    void statusKeepsItsSince();
};

void tst_KvStore::snapshotAnnouncesOneBatch()
{
    KvStore store(QStringLiteral("Staging"), KvKind::Consul, QStringLiteral("config/shop/"));
    QSignalSpy spy(&store, &KvStore::entriesChanged);
    store.setEntries(
        {entry(QStringLiteral("config/shop/b"), "2"), entry(QStringLiteral("config/shop/a"), "1")});
    QCOMPARE(spy.size(), 0); // coalesced to the next event-loop turn
    QVERIFY(spy.wait(1000));
    QCOMPARE(spy.size(), 1);
    QCOMPARE(sorted(spy.at(0).at(0).toStringList()),
             (QStringList{QStringLiteral("config/shop/a"), QStringLiteral("config/shop/b")}));
    QVERIFY(spy.at(0).at(1).toStringList().isEmpty());
    QVERIFY(spy.at(0).at(2).toStringList().isEmpty());
    QCOMPARE(store.keys(),
             (QStringList{QStringLiteral("config/shop/a"), QStringLiteral("config/shop/b")}));
    QCOMPARE(store.entry(QStringLiteral("config/shop/a"))->value, QByteArray("1"));
    QVERIFY(!store.entry(QStringLiteral("config/shop/c")));
}

void tst_KvStore::secondSnapshotAnnouncesOnlyWhatChanged()
{
    KvStore store(QStringLiteral("Staging"), KvKind::Etcd, QStringLiteral("/config/"));
    store.setEntries({entry(QStringLiteral("/config/a"), "1"),
                      entry(QStringLiteral("/config/b"), "2"),
                      entry(QStringLiteral("/config/c"), "3"),
                      entry(QStringLiteral("/config/d"), "4")});
    store.flush();
    QSignalSpy spy(&store, &KvStore::entriesChanged);
    // b changes, c and d go, e arrives, a stays as it was.
    store.setEntries({entry(QStringLiteral("/config/a"), "1"),
                      entry(QStringLiteral("/config/b"), "20", 2),
                      entry(QStringLiteral("/config/e"), "5")});
    store.flush();
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(0).toStringList(), QStringList{QStringLiteral("/config/e")});
    QCOMPARE(spy.at(0).at(1).toStringList(), QStringList{QStringLiteral("/config/b")});
    QCOMPARE(sorted(spy.at(0).at(2).toStringList()),
             (QStringList{QStringLiteral("/config/c"), QStringLiteral("/config/d")}));
    QCOMPARE(store.keys(),
             (QStringList{QStringLiteral("/config/a"),
                          QStringLiteral("/config/b"),
                          QStringLiteral("/config/e")}));
    QCOMPARE(store.entry(QStringLiteral("/config/b"))->version, 2);
}

void tst_KvStore::putsWithinOneTurnCoalesce()
{
    KvStore store(QStringLiteral("Production"), KvKind::ZooKeeper, QStringLiteral("/config"));
    QSignalSpy spy(&store, &KvStore::entriesChanged);
    for (int i = 0; i < 100; ++i)
        store.put(entry(QStringLiteral("/config/k%1").arg(i, 3, 10, QLatin1Char('0')), "v"));
    store.put(entry(QStringLiteral("/config/k000"), "w", 2)); // added then changed: still added
    QVERIFY(spy.wait(1000));
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(0).toStringList().size(), 100);
    QVERIFY(spy.at(0).at(1).toStringList().isEmpty());
    QCOMPARE(store.entry(QStringLiteral("/config/k000"))->value, QByteArray("w"));
    QTest::qWait(20);
    QCOMPARE(spy.size(), 1);
}

void tst_KvStore::unchangedPutIsSilent()
{
    KvStore store(QStringLiteral("Staging"), KvKind::Consul, QStringLiteral("config/"));
    store.put(entry(QStringLiteral("config/a"), "1"));
    store.flush();
    QSignalSpy spy(&store, &KvStore::entriesChanged);
    store.put(entry(QStringLiteral("config/a"), "1"));
    store.remove(QStringLiteral("config/nothing"));
    store.flush();
    QCOMPARE(spy.size(), 0);
}

void tst_KvStore::addedAndRemovedWithinOneBatchIsSilent()
{
    KvStore store(QStringLiteral("Staging"), KvKind::Consul, QStringLiteral("config/"));
    QSignalSpy spy(&store, &KvStore::entriesChanged);
    store.put(entry(QStringLiteral("config/a"), "1"));
    store.remove(QStringLiteral("config/a"));
    store.flush();
    QCOMPARE(spy.size(), 0);
    QVERIFY(store.keys().isEmpty());
}

void tst_KvStore::removedAndBackIsAChange()
{
    KvStore store(QStringLiteral("Staging"), KvKind::Consul, QStringLiteral("config/"));
    store.put(entry(QStringLiteral("config/a"), "1"));
    store.put(entry(QStringLiteral("config/b"), "1"));
    store.flush();
    QSignalSpy spy(&store, &KvStore::entriesChanged);
    store.remove(QStringLiteral("config/a"));
    store.put(entry(QStringLiteral("config/a"), "2", 5));
    store.put(entry(QStringLiteral("config/b"), "2", 6));
    store.remove(QStringLiteral("config/b")); // changed then gone: removed
    store.flush();
    QCOMPARE(spy.size(), 1);
    QVERIFY(spy.at(0).at(0).toStringList().isEmpty());
    QCOMPARE(spy.at(0).at(1).toStringList(), QStringList{QStringLiteral("config/a")});
    QCOMPARE(spy.at(0).at(2).toStringList(), QStringList{QStringLiteral("config/b")});
}

void tst_KvStore::relativeKeys_data()
{
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("relative");
    QTest::newRow("consul") << QStringLiteral("config/shop/")
                            << QStringLiteral("config/shop/orders/db_url")
                            << QStringLiteral("orders/db_url");
    QTest::newRow("zookeeper path without slash")
        << QStringLiteral("/config/shop") << QStringLiteral("/config/shop/orders/db_url")
        << QStringLiteral("orders/db_url");
    QTest::newRow("outside the prefix")
        << QStringLiteral("config/shop/") << QStringLiteral("other/x") << QStringLiteral("other/x");
    QTest::newRow("unicode") << QStringLiteral("/konfig/") << QStringLiteral("/konfig/größe/ü")
                             << QStringLiteral("größe/ü");
}

void tst_KvStore::relativeKeys()
{
    QFETCH(QString, prefix);
    QFETCH(QString, key);
    QFETCH(QString, relative);
    KvStore store(QStringLiteral("x"), KvKind::Etcd, prefix);
    QCOMPARE(store.relativeKey(key), relative);
}

void tst_KvStore::statusKeepsItsSince()
{
    KvStore store(QStringLiteral("x"), KvKind::Consul, QStringLiteral("c/"));
    QSignalSpy spy(&store, &KvStore::statusChanged);
    HostStatus connected;
    connected.id = QStringLiteral("consul");
    connected.state = SourceState::Connected;
    store.setStatus(connected);
    QCOMPARE(spy.size(), 1);
    const QDateTime since = store.status().since;
    QVERIFY(since.isValid());
    store.setStatus(connected); // same state, same everything: nothing to say
    QCOMPARE(spy.size(), 1);
    QCOMPARE(store.status().since, since);
    HostStatus down = connected;
    down.state = SourceState::Unreachable;
    down.error = QStringLiteral("connection refused");
    store.setStatus(down);
    QCOMPARE(spy.size(), 2);
    QCOMPARE(store.status().error, QStringLiteral("connection refused"));
}

QTEST_GUILESS_MAIN(tst_KvStore)
#include "tst_kvstore.moc"
