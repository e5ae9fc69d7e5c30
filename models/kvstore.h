// SPDX-License-Identifier: MIT
#pragma once

#include "models/hoststatus.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>

namespace Opsdeck::Models {

/// Which key-value store a KvStore mirrors.
enum class KvKind {
    Consul,
    Etcd,
    ZooKeeper,
};

QString nameOf(KvKind kind);

/// One key of a KV store, as the store reported it.
struct KvEntry
{
    QString key;         ///< full path as the store names it ("config/shop/orders/db_pool_size",
                         ///< "/config/shop/orders/db_pool_size" for etcd and ZooKeeper)
    QByteArray value;    ///< raw bytes (Consul's base64 and etcd's base64 already decoded)
    qint64 version = -1; ///< Consul ModifyIndex, etcd mod_revision, ZooKeeper stat.version
    quint64 flags = 0;   ///< Consul Flags; 0 elsewhere
    QDateTime modified;  ///< when known (ZooKeeper mtime); invalid otherwise

    bool operator==(const KvEntry &) const = default;
};

/// The mirror of one KV store's subtree (one prefix) for one environment: fed by a connector
/// (Consul blocking queries, etcd watch, ZooKeeper watches), read by the config model and the
/// diff. Changes are coalesced: several calls within one event-loop turn give one batch.
class KvStore : public QObject
{
    Q_OBJECT

public:
    KvStore(const QString &environment,
            KvKind kind,
            const QString &prefix,
            QObject *parent = nullptr);

    QString environment() const { return m_environment; }

    KvKind kind() const { return m_kind; }

    /// The configured prefix or path ("config/shop/", "/config/shop").
    QString prefix() const { return m_prefix; }

    /// A whole snapshot of the subtree: replaces everything, announces only what changed.
    void setEntries(const QList<KvEntry> &entries);
    /// One key changed or appeared (a watch event).
    void put(const KvEntry &entry);
    /// One key went away.
    void remove(const QString &key);
    void setStatus(const HostStatus &status);

    QStringList keys() const { return m_entries.keys(); } ///< sorted

    const KvEntry *entry(const QString &key) const;

    QList<KvEntry> entries() const { return m_entries.values(); }

    HostStatus status() const { return m_status; }

    /// The key relative to prefix(): "orders/db_pool_size".
    QString relativeKey(const QString &key) const;

    /// Announces pending changes now (tests; normally the next event-loop turn).
    void flush();

signals:
    void entriesChanged(const QStringList &added,
                        const QStringList &changed,
                        const QStringList &removed);
    void statusChanged();

private:
    void schedule();

    QString m_environment;
    KvKind m_kind;
    QString m_prefix;
    QMap<QString, KvEntry> m_entries;
    HostStatus m_status;
    QStringList m_added;
    QStringList m_changed;
    QStringList m_removed;
    bool m_scheduled = false;
};

} // namespace Opsdeck::Models
