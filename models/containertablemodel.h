// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentstore.h"
#include "models/keyedtablemodel.h"

#include <QPointer>

namespace Opsdeck::Models {

/// The containers of one environment, one row per container across all its hosts. Follows the
/// store with row inserts, removals and dataChanged ranges; never resets on refresh.
class ContainerTableModel : public KeyedTableModel
{
    Q_OBJECT

public:
    enum Column {
        HostColumn,
        NameColumn,
        ImageColumn,
        StateColumn,
        FlagsColumn,
        HealthColumn,
        PolicyColumn,
        RestartsColumn,
        UptimeColumn,
        PortsColumn,
        ColumnCount,
    };

    enum Role {
        KeyRole = Qt::UserRole + 1, ///< QString hostId/containerId
        SeverityRole,               ///< int(Severity) of the worst flag
        FlagsRole,                  ///< unsigned ContainerFlag bits
        FlagTextRole,               ///< the flags explained, one per line
        SortRole,                   ///< a value that sorts naturally for the column
        HostReachableRole, ///< false while the container's host is unreachable (row is stale)
        StateRole,         ///< int(ContainerState)
    };

    explicit ContainerTableModel(QObject *parent = nullptr);

    /// Shows @p store (not owned); nullptr shows nothing. Switching is one reset, not a refresh.
    void setStore(EnvironmentStore *store);

    EnvironmentStore *store() const { return m_store; }

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

protected:
    bool hasKey(const QString &key) const override;

private:
    void onContainersChanged(const ContainerChanges &changes);
    void onHostChanged(const QString &hostId);

    QPointer<EnvironmentStore> m_store;
};

/// "3d 4h", "5m 10s": a compact age for tables.
QString formatAge(qint64 ms);

} // namespace Opsdeck::Models
