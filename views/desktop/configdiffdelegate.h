// SPDX-License-Identifier: MIT
#pragma once

#include <QStyledItemDelegate>

namespace Opsdeck::Views {

/// Paints a value cell of the config diff with its differing middle part marked: the span after
/// the common prefix and before the common suffix (ConfigDiffTableModel::HighlightRole). When the
/// value is wider than the cell, the common prefix is shortened to "…" and its last characters
/// so the difference stays in sight ("…-prod-[3f9a1c2e]").
class ConfigDiffDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter,
               const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;

    /// The background of the marked span.
    static QColor highlightColour();
};

} // namespace Opsdeck::Views
