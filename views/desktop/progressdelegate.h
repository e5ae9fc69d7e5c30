// SPDX-License-Identifier: MIT
#pragma once

#include <QColor>
#include <QStyledItemDelegate>

#include <functional>

namespace Opsdeck::Views {

/// Paints a cell as a horizontal bar (a fraction 0..1 from a model role) with the cell's display
/// text over it: deployment progress, Mesos resource usage. A negative or missing fraction paints
/// the text alone. The colour comes from a function of the index and the fraction, so one
/// delegate serves "amber above 80 %" as well as "red when stuck".
class BarDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using ColourFunction = std::function<QColor(const QModelIndex &index, double fraction)>;

    /// @p fractionRole: the role holding a double 0..1.
    explicit BarDelegate(int fractionRole, QObject *parent = nullptr);

    void setColourFunction(ColourFunction colour) { m_colour = std::move(colour); }

    void paint(QPainter *painter,
               const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    /// Green below 80 %, amber above, red above 95 %: resource usage.
    static QColor usageColour(double fraction);

private:
    int m_fractionRole;
    ColourFunction m_colour;
};

} // namespace Opsdeck::Views
