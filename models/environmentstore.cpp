// SPDX-License-Identifier: MIT
#include "models/environmentstore.h"

#include <QDateTime>

#include <algorithm>

namespace Opsdeck::Models {

namespace {
// Time-based flags (a crash loop that ends after five quiet minutes) need a tick; every
// five seconds is well inside any window a person would configure.
constexpr int kFlagTickMs = 5000;
} // namespace

QString nameOf(SourceState state)
{
    switch (state) {
    case SourceState::Connecting:
        return QStringLiteral("connecting");
    case SourceState::Connected:
        return QStringLiteral("connected");
    case SourceState::Unreachable:
        return QStringLiteral("unreachable");
    }
    return QString();
}

EnvironmentStore::EnvironmentStore(const QString &environment, QObject *parent)
    : QObject(parent)
    , m_environment(environment)
    , m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(0);
    connect(&m_flushTimer, &QTimer::timeout, this, &EnvironmentStore::flush);
    m_flagTimer.setInterval(kFlagTickMs);
    connect(&m_flagTimer, &QTimer::timeout, this, &EnvironmentStore::reevaluateFlags);
    m_flagTimer.start();
}

void EnvironmentStore::setFlagSettings(const FlagSettings &settings)
{
    m_flags.setSettings(settings);
    reevaluateFlags();
}

void EnvironmentStore::setClock(std::function<qint64()> clock)
{
    m_clock = std::move(clock);
}

void EnvironmentStore::addHost(const HostStatus &status)
{
    m_hosts.append(status);
    emit hostAdded(status.id);
}

void EnvironmentStore::updateHost(const HostStatus &status)
{
    for (HostStatus &h : m_hosts) {
        if (h.id != status.id)
            continue;
        if (h == status)
            return;
        HostStatus next = status;
        if (next.state != h.state)
            next.since = QDateTime::fromMSecsSinceEpoch(now());
        else
            next.since = h.since;
        h = next;
        emit hostChanged(status.id);
        return;
    }
}

QList<HostStatus> EnvironmentStore::hosts() const
{
    return m_hosts;
}

const HostStatus *EnvironmentStore::host(const QString &hostId) const
{
    for (const HostStatus &h : m_hosts) {
        if (h.id == hostId)
            return &h;
    }
    return nullptr;
}

void EnvironmentStore::mergeInto(Container &existing, const Container &incoming) const
{
    if (incoming.inspected || !existing.inspected) {
        const unsigned flags = existing.flags;
        existing = incoming;
        existing.flags = flags;
        return;
    }
    // A list summary carries fewer fields than inspect: take only what it knows.
    existing.name = incoming.name;
    existing.image = incoming.image;
    existing.imageId = incoming.imageId;
    existing.command = incoming.command;
    existing.state = incoming.state;
    existing.statusText = incoming.statusText;
    existing.labels = incoming.labels;
    existing.ports = incoming.ports;
    if (incoming.health != HealthStatus::None)
        existing.health = incoming.health;
}

void EnvironmentStore::upsertContainer(const Container &container)
{
    const QString key = container.key();
    auto it = m_containers.find(key);
    const bool isNew = it == m_containers.end();
    if (isNew) {
        it = m_containers.insert(key, container);
        markAdded(key);
    } else {
        mergeInto(*it, container);
        markUpdated(key);
    }
    it->flags = m_flags.evaluate(*it, now());
}

void EnvironmentStore::replaceHostContainers(const QString &hostId, const QList<Container> &list)
{
    QSet<QString> seen;
    seen.reserve(list.size());
    for (const Container &c : list) {
        seen.insert(c.key());
        upsertContainer(c);
    }
    QStringList gone;
    for (auto it = m_containers.cbegin(); it != m_containers.cend(); ++it) {
        if (it->hostId == hostId && !seen.contains(it.key()))
            gone << it.key();
    }
    for (const QString &key : std::as_const(gone))
        removeContainer(key);
}

void EnvironmentStore::removeContainer(const QString &key)
{
    if (m_containers.remove(key) == 0)
        return;
    m_flags.forget(key);
    markRemoved(key);
}

void EnvironmentStore::noteEvent(const QString &key, ContainerEventKind kind, qint64 timeMs)
{
    m_flags.noteEvent(key, kind, timeMs);
}

const Container *EnvironmentStore::container(const QString &key) const
{
    const auto it = m_containers.constFind(key);
    return it == m_containers.cend() ? nullptr : &*it;
}

QStringList EnvironmentStore::containerKeys() const
{
    return m_containers.keys();
}

QList<Container> EnvironmentStore::containers() const
{
    return m_containers.values();
}

int EnvironmentStore::recentCrashes(const QString &key) const
{
    return m_flags.recentCrashes(key, now());
}

void EnvironmentStore::markAdded(const QString &key)
{
    if (m_pendingRemoved.remove(key))
        m_pendingUpdated.insert(key); // removed and re-added in one batch: the row stays
    else
        m_pendingAdded.insert(key);
    scheduleFlush();
}

void EnvironmentStore::markUpdated(const QString &key)
{
    if (!m_pendingAdded.contains(key))
        m_pendingUpdated.insert(key);
    scheduleFlush();
}

void EnvironmentStore::markRemoved(const QString &key)
{
    m_pendingUpdated.remove(key);
    if (!m_pendingAdded.remove(key))
        m_pendingRemoved.insert(key);
    scheduleFlush();
}

void EnvironmentStore::scheduleFlush()
{
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void EnvironmentStore::flush()
{
    m_flushTimer.stop();
    ContainerChanges changes;
    changes.added = QStringList(m_pendingAdded.cbegin(), m_pendingAdded.cend());
    changes.updated = QStringList(m_pendingUpdated.cbegin(), m_pendingUpdated.cend());
    changes.removed = QStringList(m_pendingRemoved.cbegin(), m_pendingRemoved.cend());
    m_pendingAdded.clear();
    m_pendingUpdated.clear();
    m_pendingRemoved.clear();
    if (!changes.isEmpty())
        emit containersChanged(changes);
}

void EnvironmentStore::reevaluateFlags()
{
    const qint64 t = now();
    for (auto it = m_containers.begin(); it != m_containers.end(); ++it) {
        const unsigned flags = m_flags.evaluate(*it, t);
        if (flags != it->flags) {
            it->flags = flags;
            markUpdated(it.key());
        }
    }
}

} // namespace Opsdeck::Models
