// SPDX-License-Identifier: MIT
#include "views/desktop/progressdelegate.h"

#include <QApplication>
#include <QPainter>

#include <algorithm>

namespace Opsdeck::Views {

namespace {

// Light fills keep the dark text legible on every bar colour.
const QColor kTrack(0xee, 0xee, 0xee);
const QColor kTrackBorder(0xbd, 0xbd, 0xbd);
const QColor kText(0x21, 0x21, 0x21);
constexpr int kMargin = 2;

} // namespace

BarDelegate::BarDelegate(int fractionRole, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_fractionRole(fractionRole)
    , m_colour([](const QModelIndex &, double fraction) { return usageColour(fraction); })
{}

QColor BarDelegate::usageColour(double fraction)
{
    // The thresholds people read usage bars by: past 80 % look, past 95 % act.
    if (fraction > 0.95)
        return QColor(0xef, 0x9a, 0x9a);
    if (fraction > 0.80)
        return QColor(0xff, 0xd5, 0x4f);
    return QColor(0xa5, 0xd6, 0xa7);
}

void BarDelegate::paint(QPainter *painter,
                        const QStyleOptionViewItem &option,
                        const QModelIndex &index) const
{
    const QVariant value = index.data(m_fractionRole);
    bool ok = false;
    const double fraction = value.toDouble(&ok);
    if (!value.isValid() || !ok || fraction < 0) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }

    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    // Background and selection as the style paints them, without the text.
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    painter->save();
    const QRect track = option.rect.adjusted(kMargin, kMargin, -kMargin - 1, -kMargin - 1);
    painter->setPen(kTrackBorder);
    painter->setBrush(kTrack);
    painter->drawRect(track);
    const double clamped = std::clamp(fraction, 0.0, 1.0);
    const int width = int((track.width() - 1) * clamped + 0.5);
    if (width > 0) {
        const QColor colour = m_colour ? m_colour(index, fraction) : usageColour(fraction);
        painter->fillRect(QRect(track.left() + 1, track.top() + 1, width, track.height() - 1),
                          colour);
    }
    const QVariant foreground = index.data(Qt::ForegroundRole);
    painter->setPen(foreground.canConvert<QBrush>()
                            && foreground.value<QBrush>().style() != Qt::NoBrush
                        ? foreground.value<QBrush>().color()
                        : kText);
    painter->setFont(opt.font);
    const QString shown =
        painter->fontMetrics().elidedText(text, Qt::ElideRight, track.width() - 2 * (kMargin + 2));
    painter->drawText(track, Qt::AlignCenter, shown);
    painter->restore();
}

QSize BarDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.rwidth() += 4 * kMargin + 8; // room for the track around the text
    return size;
}

} // namespace Opsdeck::Views
