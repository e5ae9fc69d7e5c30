// SPDX-License-Identifier: MIT
#include "models/keyedtablemodel.h"

#include <QCoreApplication>
#include <QSet>

#include <algorithm>

namespace Opsdeck::Models {

KeyedTableModel::KeyedTableModel(std::span<const char *const> columnTitles, QObject *parent)
    : QAbstractTableModel(parent)
    , m_columnTitles(columnTitles)
{}

int KeyedTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_keys.size());
}

int KeyedTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_columnTitles.size());
}

QVariant KeyedTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0
        || section >= int(m_columnTitles.size()))
        return {};
    // What the subclass's tr() does: its class name is the context.
    return QCoreApplication::translate(metaObject()->className(), m_columnTitles[section]);
}

void KeyedTableModel::resetKeys(const QStringList &keys)
{
    m_keys = keys;
    m_rowOf.clear();
    rebuildIndex(0);
}

void KeyedTableModel::rebuildIndex(int fromRow)
{
    for (int row = fromRow; row < m_keys.size(); ++row)
        m_rowOf.insert(m_keys.at(row), row);
}

void KeyedTableModel::refreshAllRows()
{
    if (!m_keys.isEmpty())
        emit dataChanged(index(0, 0), index(int(m_keys.size()) - 1, columnCount() - 1));
}

void KeyedTableModel::applyChanges(const QStringList &added,
                                   const QStringList &changed,
                                   const QStringList &removed)
{
    const int lastColumn = columnCount() - 1;
    // Removals: highest rows first, contiguous runs in one begin/endRemoveRows each.
    if (!removed.isEmpty()) {
        QList<int> rows;
        for (const QString &key : removed) {
            const int row = m_rowOf.value(key, -1);
            if (row >= 0)
                rows << row;
        }
        std::sort(rows.begin(), rows.end(), std::greater<int>());
        int i = 0;
        while (i < rows.size()) {
            const int last = rows.at(i);
            int first = last;
            while (i + 1 < rows.size() && rows.at(i + 1) == first - 1)
                first = rows.at(++i);
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

    if (!changed.isEmpty() && !m_keys.isEmpty()) {
        // Like qBittorrent's transfer list: past half the rows, one signal for all is cheaper
        // than many small ranges.
        if (changed.size() * 2 > m_keys.size()) {
            refreshAllRows();
        } else {
            QList<int> rows;
            for (const QString &key : changed) {
                const int row = m_rowOf.value(key, -1);
                if (row >= 0)
                    rows << row;
            }
            std::sort(rows.begin(), rows.end());
            int i = 0;
            while (i < rows.size()) {
                const int first = rows.at(i);
                int last = first;
                while (i + 1 < rows.size() && rows.at(i + 1) <= last + 1)
                    last = rows.at(++i);
                ++i;
                emit dataChanged(index(first, 0), index(last, lastColumn));
            }
        }
    }

    QStringList fresh;
    QSet<QString> taken; // a key listed twice is one row
    for (const QString &key : added) {
        if (!m_rowOf.contains(key) && !taken.contains(key) && hasKey(key)) {
            fresh << key;
            taken.insert(key);
        }
    }
    if (!fresh.isEmpty()) {
        const int first = int(m_keys.size());
        beginInsertRows({}, first, first + int(fresh.size()) - 1);
        m_keys.append(fresh);
        rebuildIndex(first);
        endInsertRows();
    }
}

} // namespace Opsdeck::Models
