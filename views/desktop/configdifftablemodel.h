// SPDX-License-Identifier: MIT
#pragma once

#include "models/configdiff.h"

#include <QAbstractTableModel>

namespace Opsdeck::Views {

/// The rows of a ConfigDiff side by side: Form, Service, Key, one value column per environment,
/// Status. A new diff over the same environments is applied as row removals, inserts and
/// dataChanged (the selection stays); only a change of the environments resets the model.
/// Colours live here, in the desktop layer: differs amber, missing red, expected grey italic.
class ConfigDiffTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Role {
        StatusRole = Qt::UserRole + 1, ///< int(Models::DiffStatus) of the row
        HighlightRole, ///< value cells: QPoint(prefix, suffix) of the differing span, or invalid
        MultiLineRole, ///< bool: the row holds a multi-line value (a file)
    };

    explicit ConfigDiffTableModel(QObject *parent = nullptr);

    /// Column of the first environment; the status column follows the last environment.
    static constexpr int kFirstValueColumn = 3;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant
    headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Shows @p diff: keyed update when the environments are unchanged, else a reset.
    void setDiff(const Models::ConfigDiff &diff);

    const Models::ConfigDiff &diff() const { return m_diff; }

    void setRevealSecrets(bool reveal);

    bool revealSecrets() const { return m_reveal; }

    const Models::DiffRow &row(int row) const { return m_rows.at(row); }

    /// The environment index of @p column, or -1 for Form, Service, Key and Status.
    int environmentOfColumn(int column) const;

    int statusColumn() const { return kFirstValueColumn + int(m_environments.size()); }

    /// The text a value cell shows: one line (a file: its first line and the line count),
    /// "(missing)" where absent, masked unless revealed.
    QString cellText(int row, int environment) const;

    /// Status colours (background; none for Same).
    static QColor statusBackground(Models::DiffStatus status);

private:
    Models::ConfigDiff m_diff;     ///< the whole diff, for exports
    QStringList m_environments;    ///< the columns now shown
    QList<Models::DiffRow> m_rows; ///< the rows now shown (m_diff's, applied step by step)
    bool m_reveal = false;
};

} // namespace Opsdeck::Views
