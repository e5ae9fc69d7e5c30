// SPDX-License-Identifier: MIT
#include "views/desktop/containerproxymodel.h"

#include "models/containertablemodel.h"

#include <QBrush>
#include <QColor>
#include <QFont>

namespace Opsdeck::Views {

using namespace Opsdeck::Models;

ContainerProxyModel::ContainerProxyModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(ContainerTableModel::SortRole);
    setDynamicSortFilter(true);
}

void ContainerProxyModel::setFilterText(const QString &text)
{
    m_text = text;
    rebuildFilter();
}

void ContainerProxyModel::setHostId(const QString &hostId)
{
    m_hostId = hostId;
    rebuildFilter();
}

void ContainerProxyModel::setFlaggedOnly(bool flaggedOnly)
{
    m_flaggedOnly = flaggedOnly;
    rebuildFilter();
}

void ContainerProxyModel::rebuildFilter()
{
    QString text = m_text;
    if (m_flaggedOnly)
        text += QLatin1String(" is:flagged");
    m_filter = ContainerFilter(text);
    m_filter.setHostId(m_hostId);
    invalidateRowsFilter();
}

bool ContainerProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &) const
{
    if (m_filter.isEmpty())
        return true;
    const auto *model = qobject_cast<const ContainerTableModel *>(sourceModel());
    if (!model || !model->store())
        return true;
    const Container *c = model->store()->container(model->keyAt(sourceRow));
    return c && m_filter.matches(*c);
}

QVariant ContainerProxyModel::data(const QModelIndex &index, int role) const
{
    if (role == Qt::BackgroundRole || role == Qt::ForegroundRole || role == Qt::FontRole) {
        const auto severity =
            Severity(QSortFilterProxyModel::data(index, ContainerTableModel::SeverityRole).toInt());
        const bool reachable =
            QSortFilterProxyModel::data(index, ContainerTableModel::HostReachableRole).toBool();
        if (role == Qt::BackgroundRole) {
            if (severity == Severity::Critical)
                return QBrush(QColor(0xff, 0xcd, 0xd2));
            if (severity == Severity::Warning)
                return QBrush(QColor(0xff, 0xec, 0xb3));
            return {};
        }
        if (role == Qt::ForegroundRole) {
            if (!reachable)
                return QBrush(QColor(0x75, 0x75, 0x75));
            if (severity >= Severity::Warning)
                return QBrush(QColor(0x21, 0x21, 0x21)); // stays legible on the tint in dark themes
            if (severity == Severity::Info && index.column() == ContainerTableModel::FlagsColumn)
                return QBrush(QColor(0x15, 0x65, 0xc0));
            return {};
        }
        if (severity == Severity::Critical
            && (index.column() == ContainerTableModel::StateColumn
                || index.column() == ContainerTableModel::FlagsColumn)) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    }
    return QSortFilterProxyModel::data(index, role);
}

} // namespace Opsdeck::Views
