// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentstore.h"

#include <QAbstractListModel>
#include <QHash>
#include <QPointer>

namespace Opsdeck::Models {

/// The Docker hosts of one environment, with an "All hosts" row first.
class HostListModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        HostIdRole = Qt::UserRole + 1, ///< empty for the "All hosts" row
        SourceStateRole,               ///< int(SourceState)
        ContainerCountRole,
    };

    explicit HostListModel(QObject *parent = nullptr);

    void setStore(EnvironmentStore *store);
    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    void onHostChanged(const QString &hostId);
    void onContainersChanged(const ContainerChanges &changes);
    void recount();

    QPointer<EnvironmentStore> m_store;
    QList<HostStatus> m_hosts;    ///< a copy, refreshed on hostChanged
    QHash<QString, int> m_counts; ///< containers per host id, recounted on adds and removals
};

} // namespace Opsdeck::Models
