// SPDX-License-Identifier: MIT
#pragma once

#include "models/container.h"
#include "models/containerflagevaluator.h"
#include "models/hoststatus.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>

#include <functional>

namespace Opsdeck::Models {

/// One batch of container changes, by key (hostId/containerId). A key is in at most one list.
struct ContainerChanges
{
    QStringList added;
    QStringList updated;
    QStringList removed;

    bool isEmpty() const { return added.isEmpty() && updated.isEmpty() && removed.isEmpty(); }
};

/// The live state of one environment: its Docker hosts and their containers. Connectors write
/// into it; views, the CLI and (later) the feed read from it. Changes are applied at once and
/// announced in coalesced batches (containersChanged), so a burst of events costs one repaint.
class EnvironmentStore : public QObject
{
    Q_OBJECT

public:
    explicit EnvironmentStore(const QString &environment, QObject *parent = nullptr);

    QString environment() const { return m_environment; }

    void setFlagSettings(const FlagSettings &settings);
    /// Replaces the clock (milliseconds since the epoch); for tests.
    void setClock(std::function<qint64()> clock);

    qint64 now() const { return m_clock(); }

    // Hosts
    void addHost(const HostStatus &status);
    void updateHost(const HostStatus &status);
    QList<HostStatus> hosts() const;
    const HostStatus *host(const QString &hostId) const;

    // Containers
    /// A full listing of one host: upserts every container in @p containers and removes the
    /// host's containers that are not in it. Summaries (inspected == false) keep the details
    /// already known for that container.
    void replaceHostContainers(const QString &hostId, const QList<Container> &containers);
    /// Inserts or replaces one container (an inspect result, or a summary merged as above).
    void upsertContainer(const Container &container);
    void removeContainer(const QString &key);
    void noteEvent(const QString &key, ContainerEventKind kind, qint64 timeMs);

    const Container *container(const QString &key) const;
    QStringList containerKeys() const;
    QList<Container> containers() const;

    int containerCount() const { return int(m_containers.size()); }

    int recentCrashes(const QString &key) const;

    /// Emits the pending batch now instead of on the next event-loop turn.
    void flush();
    /// Re-computes every container's flags (time-based flags clear themselves this way).
    void reevaluateFlags();

signals:
    void hostAdded(const QString &hostId);
    void hostChanged(const QString &hostId);
    void containersChanged(const Opsdeck::Models::ContainerChanges &changes);

private:
    void mergeInto(Container &existing, const Container &incoming) const;
    void markAdded(const QString &key);
    void markUpdated(const QString &key);
    void markRemoved(const QString &key);
    void scheduleFlush();

    QString m_environment;
    std::function<qint64()> m_clock;
    ContainerFlagEvaluator m_flags;
    QList<HostStatus> m_hosts;
    QHash<QString, Container> m_containers;
    QSet<QString> m_pendingAdded;
    QSet<QString> m_pendingUpdated;
    QSet<QString> m_pendingRemoved;
    QTimer m_flushTimer;
    QTimer m_flagTimer;
};

} // namespace Opsdeck::Models

Q_DECLARE_METATYPE(Opsdeck::Models::ContainerChanges)
