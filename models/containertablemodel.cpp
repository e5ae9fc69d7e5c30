// SPDX-License-Identifier: MIT
#include "models/containertablemodel.h"

#include <algorithm>

namespace Opsdeck::Models {

QString formatAge(qint64 ms)
{
    if (ms < 0)
        ms = 0;
    const qint64 s = ms / 1000;
    if (s < 60)
        return QStringLiteral("%1s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1m %2s").arg(s / 60).arg(s % 60);
    if (s < 86400)
        return QStringLiteral("%1h %2m").arg(s / 3600).arg((s % 3600) / 60);
    return QStringLiteral("%1d %2h").arg(s / 86400).arg((s % 86400) / 3600);
}

ContainerTableModel::ContainerTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void ContainerTableModel::setStore(EnvironmentStore *store)
{
    if (store == m_store)
        return;
    beginResetModel();
    if (m_store)
        disconnect(m_store, nullptr, this, nullptr);
    m_store = store;
    m_keys.clear();
    m_rowOf.clear();
    if (m_store) {
        m_store->flush(); // what is pending now is part of the listing below
        m_keys = m_store->containerKeys();
        std::sort(m_keys.begin(), m_keys.end());
        rebuildIndex(0);
        connect(m_store,
                &EnvironmentStore::containersChanged,
                this,
                &ContainerTableModel::onContainersChanged);
        connect(m_store, &EnvironmentStore::hostChanged, this, &ContainerTableModel::onHostChanged);
    }
    endResetModel();
}

void ContainerTableModel::rebuildIndex(int fromRow)
{
    for (int row = fromRow; row < m_keys.size(); ++row)
        m_rowOf.insert(m_keys.at(row), row);
}

int ContainerTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_keys.size());
}

int ContainerTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

void ContainerTableModel::onContainersChanged(const ContainerChanges &changes)
{
    // Removals: highest rows first, contiguous runs in one begin/endRemoveRows each.
    if (!changes.removed.isEmpty()) {
        QList<int> rows;
        for (const QString &key : changes.removed) {
            const int row = m_rowOf.value(key, -1);
            if (row >= 0)
                rows << row;
        }
        std::sort(rows.begin(), rows.end(), std::greater<int>());
        int i = 0;
        while (i < rows.size()) {
            int last = rows.at(i);
            int first = last;
            while (i + 1 < rows.size() && rows.at(i + 1) == first - 1) {
                ++i;
                first = rows.at(i);
            }
            ++i;
            beginRemoveRows({}, first, last);
            for (int r = first; r <= last; ++r)
                m_rowOf.remove(m_keys.at(r));
            m_keys.remove(first, last - first + 1);
            endRemoveRows();
        }
        if (!rows.isEmpty())
            rebuildIndex(rows.last());
    }

    if (!changes.updated.isEmpty()) {
        // Like qBittorrent's transfer list: past half the rows, one signal for all is cheaper.
        if (changes.updated.size() * 2 > m_keys.size()) {
            if (!m_keys.isEmpty())
                emit dataChanged(index(0, 0), index(int(m_keys.size()) - 1, ColumnCount - 1));
        } else {
            QList<int> rows;
            for (const QString &key : changes.updated) {
                const int row = m_rowOf.value(key, -1);
                if (row >= 0)
                    rows << row;
            }
            std::sort(rows.begin(), rows.end());
            int i = 0;
            while (i < rows.size()) {
                const int first = rows.at(i);
                int last = first;
                while (i + 1 < rows.size() && rows.at(i + 1) == last + 1)
                    last = rows.at(++i);
                ++i;
                emit dataChanged(index(first, 0), index(last, ColumnCount - 1));
            }
        }
    }

    if (!changes.added.isEmpty()) {
        QStringList added;
        for (const QString &key : changes.added) {
            if (!m_rowOf.contains(key) && m_store && m_store->container(key))
                added << key;
        }
        if (!added.isEmpty()) {
            std::sort(added.begin(), added.end());
            const int first = int(m_keys.size());
            beginInsertRows({}, first, first + int(added.size()) - 1);
            m_keys.append(added);
            rebuildIndex(first);
            endInsertRows();
        }
    }
}

void ContainerTableModel::onHostChanged(const QString &hostId)
{
    // Reachability changes how every row of that host reads (stale or live).
    int first = -1;
    int last = -1;
    for (int row = 0; row < m_keys.size(); ++row) {
        if (!m_keys.at(row).startsWith(hostId + QLatin1Char('/')))
            continue;
        if (first < 0)
            first = row;
        last = row;
    }
    if (first >= 0)
        emit dataChanged(index(first, 0), index(last, ColumnCount - 1));
}

QVariant ContainerTableModel::data(const QModelIndex &idx, int role) const
{
    if (!idx.isValid() || !m_store || idx.row() >= m_keys.size())
        return {};
    const Container *c = m_store->container(m_keys.at(idx.row()));
    if (!c)
        return {};
    const HostStatus *host = m_store->host(c->hostId);
    const bool reachable = !host || host->state != SourceState::Unreachable;
    const qint64 now = m_store->now();

    switch (role) {
    case KeyRole:
        return c->key();
    case SeverityRole:
        return int(severityOf(*c));
    case FlagsRole:
        return c->flags;
    case StateRole:
        return int(c->state);
    case HostReachableRole:
        return reachable;
    case FlagTextRole:
    case Qt::ToolTipRole: {
        QStringList lines;
        if (!reachable)
            lines << tr("Host %1 is unreachable: this row shows the last known state.")
                         .arg(c->hostId);
        for (ContainerFlag f : flagList(c->flags))
            lines << flagDescription(f, *c);
        if (role == Qt::ToolTipRole && lines.isEmpty())
            return {};
        return lines.join(QLatin1Char('\n'));
    }
    case SortRole:
        switch (idx.column()) {
        case RestartsColumn:
            return c->restartCount;
        case UptimeColumn:
            return c->state == ContainerState::Running && c->startedAt.isValid()
                       ? now - c->startedAt.toMSecsSinceEpoch()
                       : qint64(-1);
        case FlagsColumn:
            return int(severityOf(*c)) * 1000 + int(flagList(c->flags).size());
        case StateColumn:
            // Worst first when sorted descending: flagged rows float to the top.
            return int(severityOf(*c)) * 100 + int(c->state);
        default:
            return data(idx, Qt::DisplayRole).toString().toLower();
        }
    case Qt::DisplayRole:
        switch (idx.column()) {
        case HostColumn:
            return c->hostId;
        case NameColumn:
            return c->name;
        case ImageColumn:
            return c->image;
        case StateColumn:
            return reachable ? displayState(*c) : tr("%1 (stale)").arg(displayState(*c));
        case FlagsColumn: {
            QStringList names;
            for (ContainerFlag f : flagList(c->flags))
                names << flagName(f);
            return names.join(QLatin1String(", "));
        }
        case HealthColumn:
            return nameOf(c->health);
        case PolicyColumn:
            return c->inspected ? nameOf(c->restartPolicy) : QString();
        case RestartsColumn:
            return c->inspected ? QVariant(c->restartCount) : QVariant();
        case UptimeColumn:
            if (c->state == ContainerState::Running && c->startedAt.isValid())
                return formatAge(now - c->startedAt.toMSecsSinceEpoch());
            return QString();
        case PortsColumn:
            return formatPorts(c->ports);
        default:
            return {};
        }
    default:
        return {};
    }
}

QVariant ContainerTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case HostColumn:
        return tr("Host");
    case NameColumn:
        return tr("Name");
    case ImageColumn:
        return tr("Image");
    case StateColumn:
        return tr("State");
    case FlagsColumn:
        return tr("Attention");
    case HealthColumn:
        return tr("Health");
    case PolicyColumn:
        return tr("Policy");
    case RestartsColumn:
        return tr("Restarts");
    case UptimeColumn:
        return tr("Uptime");
    case PortsColumn:
        return tr("Ports");
    default:
        return {};
    }
}

} // namespace Opsdeck::Models
