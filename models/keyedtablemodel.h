// SPDX-License-Identifier: MIT
#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QStringList>

#include <span>

namespace Opsdeck::Models {

/// A table with one row per key (container key, app id, task id …) that follows its source with
/// row inserts, removals and dataChanged ranges; never a reset on refresh. Subclasses own the
/// source and its signals, and reset the keys only when they switch sources.
class KeyedTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    /// The horizontal title of @p section, translated in the subclass's context like its tr().
    QVariant
    headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    QString keyAt(int row) const { return m_keys.value(row); }

    int rowOf(const QString &key) const { return m_rowOf.value(key, -1); }

protected:
    /// @p columnTitles: one untranslated title per column (QT_TR_NOOP in the subclass); it must
    /// outlive the model (a static array).
    KeyedTableModel(std::span<const char *const> columnTitles, QObject *parent);

    /// Whether @p key still has data behind it (an added key without data is skipped).
    virtual bool hasKey(const QString &key) const = 0;

    /// Replaces all rows; call between beginResetModel and endResetModel.
    void resetKeys(const QStringList &keys);
    /// Row-level update: removals (contiguous runs), dataChanged ranges, then appends in the
    /// given order.
    void
    applyChanges(const QStringList &added, const QStringList &changed, const QStringList &removed);
    /// dataChanged over every row (reachability changed, the app version changed …).
    void refreshAllRows();

private:
    void rebuildIndex(int fromRow);

    std::span<const char *const> m_columnTitles;
    QStringList m_keys;
    QHash<QString, int> m_rowOf;
};

} // namespace Opsdeck::Models
