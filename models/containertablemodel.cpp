// SPDX-License-Identifier: MIT
#include "models/containertablemodel.h"

#include <algorithm>
#include <iterator>

namespace Opsdeck::Models {

namespace {

// In column order; translated in the model's context.
const char *const kColumnTitles[] = {
    QT_TRANSLATE_NOOP("Opsdeck::Models::ContainerTableModel", "Host"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::ContainerTableModel", "Name"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::ContainerTableModel", "Image"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::ContainerTableModel", "State"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::ContainerTableModel", "Attention"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::ContainerTableModel", "Health"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::ContainerTableModel", "Policy"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::ContainerTableModel", "Restarts"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::ContainerTableModel", "Uptime"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::ContainerTableModel", "Ports"),
};
static_assert(std::size(kColumnTitles) == ContainerTableModel::ColumnCount);

} // namespace

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
    : KeyedTableModel(kColumnTitles, parent)
{}

void ContainerTableModel::setStore(EnvironmentStore *store)
{
    if (store == m_store)
        return;
    beginResetModel();
    if (m_store)
        disconnect(m_store, nullptr, this, nullptr);
    m_store = store;
    QStringList keys;
    if (m_store) {
        m_store->flush(); // what is pending now is part of the listing below
        keys = m_store->containerKeys();
        std::sort(keys.begin(), keys.end());
        connect(m_store,
                &EnvironmentStore::containersChanged,
                this,
                &ContainerTableModel::onContainersChanged);
        connect(m_store, &EnvironmentStore::hostChanged, this, &ContainerTableModel::onHostChanged);
    }
    resetKeys(keys);
    endResetModel();
}

bool ContainerTableModel::hasKey(const QString &key) const
{
    return m_store && m_store->container(key);
}

void ContainerTableModel::onContainersChanged(const ContainerChanges &changes)
{
    QStringList added = changes.added;
    std::sort(added.begin(), added.end());
    applyChanges(added, changes.updated, changes.removed);
}

void ContainerTableModel::onHostChanged(const QString &hostId)
{
    // Reachability changes how every row of that host reads (stale or live).
    int first = -1;
    int last = -1;
    for (int row = 0; row < rowCount(); ++row) {
        if (!keyAt(row).startsWith(hostId + QLatin1Char('/')))
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
    if (!idx.isValid() || !m_store || idx.row() >= rowCount())
        return {};
    const Container *c = m_store->container(keyAt(idx.row()));
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

} // namespace Opsdeck::Models
