// SPDX-License-Identifier: MIT
#pragma once

#include "models/containerfilter.h"

#include <QSortFilterProxyModel>

namespace Opsdeck::Views {

/// Filters the container table with Models::ContainerFilter, sorts by each column's natural
/// value, and paints flagged rows: critical red, warning amber, stale rows greyed out.
class ContainerProxyModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit ContainerProxyModel(QObject *parent = nullptr);

    void setFilterText(const QString &text);
    void setHostId(const QString &hostId);
    void setFlaggedOnly(bool flaggedOnly);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    void rebuildFilter();

    QString m_text;
    QString m_hostId;
    bool m_flaggedOnly = false;
    Models::ContainerFilter m_filter;
};

} // namespace Opsdeck::Views
