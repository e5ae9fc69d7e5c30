// SPDX-License-Identifier: MIT
#include "models/kvstore.h"

#include <QTimer>

namespace Opsdeck::Models {

QString nameOf(KvKind kind)
{
    switch (kind) {
    case KvKind::Consul:
        return QStringLiteral("consul");
    case KvKind::Etcd:
        return QStringLiteral("etcd");
    case KvKind::ZooKeeper:
        return QStringLiteral("zookeeper");
    }
    return QStringLiteral("unknown");
}

KvStore::KvStore(const QString &environment, KvKind kind, const QString &prefix, QObject *parent)
    : QObject(parent)
    , m_environment(environment)
    , m_kind(kind)
    , m_prefix(prefix)
{}

const KvEntry *KvStore::entry(const QString &key) const
{
    const auto it = m_entries.constFind(key);
    return it == m_entries.cend() ? nullptr : &*it;
}

QString KvStore::relativeKey(const QString &key) const
{
    QString rel = key.startsWith(m_prefix) ? key.mid(m_prefix.size()) : key;
    while (rel.startsWith(QLatin1Char('/')))
        rel.remove(0, 1);
    return rel;
}

void KvStore::setEntries(const QList<KvEntry> &entries)
{
    QMap<QString, KvEntry> next;
    for (const KvEntry &e : entries)
        next.insert(e.key, e);
    // Collect first: remove() erases from m_entries, which would invalidate the iterator.
    QStringList gone;
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
        if (!next.contains(it.key()))
            gone << it.key();
    }
    for (const QString &key : std::as_const(gone))
        remove(key);
    for (const KvEntry &e : std::as_const(next))
        put(e);
}

void KvStore::put(const KvEntry &entry)
{
    const auto it = m_entries.find(entry.key);
    if (it == m_entries.end()) {
        m_entries.insert(entry.key, entry);
        if (m_removed.removeOne(entry.key))
            m_changed << entry.key; // removed and back within one batch: a change
        else
            m_added << entry.key;
    } else {
        if (*it == entry)
            return;
        *it = entry;
        if (!m_added.contains(entry.key) && !m_changed.contains(entry.key))
            m_changed << entry.key;
    }
    schedule();
}

void KvStore::remove(const QString &key)
{
    if (!m_entries.remove(key))
        return;
    if (!m_added.removeOne(key)) { // added and gone within one batch: nothing to say
        m_changed.removeOne(key);
        m_removed << key;
    }
    schedule();
}

void KvStore::setStatus(const HostStatus &status)
{
    HostStatus next = status;
    if (next.state == m_status.state && m_status.since.isValid())
        next.since = m_status.since;
    else if (!next.since.isValid())
        next.since = QDateTime::currentDateTimeUtc();
    if (next == m_status)
        return;
    m_status = next;
    emit statusChanged();
}

void KvStore::schedule()
{
    if (m_scheduled)
        return;
    m_scheduled = true;
    QTimer::singleShot(0, this, &KvStore::flush);
}

void KvStore::flush()
{
    m_scheduled = false;
    if (m_added.isEmpty() && m_changed.isEmpty() && m_removed.isEmpty())
        return;
    const QStringList added = std::exchange(m_added, {});
    const QStringList changed = std::exchange(m_changed, {});
    const QStringList removed = std::exchange(m_removed, {});
    emit entriesChanged(added, changed, removed);
}

} // namespace Opsdeck::Models
