// SPDX-License-Identifier: MIT
#include "models/hostlistmodel.h"

#include "models/containertablemodel.h"

namespace Opsdeck::Models {

HostListModel::HostListModel(QObject *parent)
    : QAbstractListModel(parent)
{}

void HostListModel::setStore(EnvironmentStore *store)
{
    beginResetModel();
    if (m_store)
        disconnect(m_store, nullptr, this, nullptr);
    m_store = store;
    m_hosts = store ? store->hosts() : QList<HostStatus>();
    recount();
    if (m_store) {
        connect(m_store, &EnvironmentStore::hostChanged, this, &HostListModel::onHostChanged);
        connect(m_store,
                &EnvironmentStore::containersChanged,
                this,
                &HostListModel::onContainersChanged);
    }
    endResetModel();
}

int HostListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_store ? 0 : int(m_hosts.size()) + 1;
}

void HostListModel::onHostChanged(const QString &hostId)
{
    for (int i = 0; i < m_hosts.size(); ++i) {
        if (m_hosts.at(i).id == hostId) {
            m_hosts[i] = *m_store->host(hostId);
            emit dataChanged(index(i + 1), index(i + 1));
            return;
        }
    }
}

void HostListModel::recount()
{
    m_counts.clear();
    if (!m_store)
        return;
    for (const QString &key : m_store->containerKeys())
        ++m_counts[key.left(key.lastIndexOf(QLatin1Char('/')))];
}

void HostListModel::onContainersChanged(const ContainerChanges &changes)
{
    if (changes.added.isEmpty() && changes.removed.isEmpty())
        return;
    recount();
    emit dataChanged(index(0), index(rowCount() - 1), {Qt::DisplayRole, ContainerCountRole});
}

QVariant HostListModel::data(const QModelIndex &idx, int role) const
{
    if (!idx.isValid() || !m_store)
        return {};
    if (idx.row() == 0) {
        switch (role) {
        case Qt::DisplayRole:
            return tr("All hosts (%1 containers)").arg(m_store->containerCount());
        case HostIdRole:
            return QString();
        case ContainerCountRole:
            return m_store->containerCount();
        default:
            return {};
        }
    }
    const HostStatus &h = m_hosts.at(idx.row() - 1);
    auto countOnHost = [&] { return m_counts.value(h.id); };
    switch (role) {
    case Qt::DisplayRole:
        if (h.state == SourceState::Unreachable)
            return tr("%1 — unreachable").arg(h.displayName);
        if (h.state == SourceState::Connecting)
            return tr("%1 — connecting…").arg(h.displayName);
        return tr("%1 (%2)").arg(h.displayName).arg(countOnHost());
    case Qt::ToolTipRole: {
        QString tip = tr("%1\nState: %2").arg(h.url, nameOf(h.state));
        if (!h.apiVersion.isEmpty())
            tip += tr("\nDocker %1, API %2").arg(h.serverVersion, h.apiVersion);
        if (!h.error.isEmpty())
            tip += tr("\nError: %1").arg(h.error);
        if (h.lastSeen.isValid())
            tip += tr("\nLast seen: %1 (%2 ago)")
                       .arg(h.lastSeen.toLocalTime().toString(Qt::ISODate),
                            formatAge(m_store->now() - h.lastSeen.toMSecsSinceEpoch()));
        return tip;
    }
    case HostIdRole:
        return h.id;
    case SourceStateRole:
        return int(h.state);
    case ContainerCountRole:
        return countOnHost();
    default:
        return {};
    }
}

} // namespace Opsdeck::Models
