// SPDX-License-Identifier: MIT
#include "views/desktop/configdiffdelegate.h"

#include "views/desktop/configdifftablemodel.h"

#include <QApplication>
#include <QPainter>
#include <QPoint>

namespace Opsdeck::Views {

namespace {

constexpr int kTextMargin = 4;
// How much of a long common prefix stays visible before the marked span.
constexpr qsizetype kPrefixContext = 10;

} // namespace

QColor ConfigDiffDelegate::highlightColour()
{
    return QColor(0xff, 0xa7, 0x26); // a stronger amber than the row's
}

void ConfigDiffDelegate::paint(QPainter *painter,
                               const QStyleOptionViewItem &option,
                               const QModelIndex &index) const
{
    const QVariant highlight = index.data(ConfigDiffTableModel::HighlightRole);
    if (!highlight.isValid()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    QString text = opt.text;
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const QPoint span = highlight.toPoint();
    qsizetype prefix = span.x();
    const qsizetype suffix = span.y();
    const QRect area = option.rect.adjusted(kTextMargin, 0, -kTextMargin, 0);
    const QFontMetrics metrics(opt.font);
    if (metrics.horizontalAdvance(text) > area.width() && prefix > kPrefixContext + 1) {
        const qsizetype cut = prefix - kPrefixContext;
        text = QChar(0x2026) + text.mid(cut);
        prefix = kPrefixContext + 1;
    }
    const QString head = text.left(prefix);
    const QString middle = text.mid(prefix, text.size() - prefix - suffix);
    const QString tail = text.right(suffix);

    painter->save();
    painter->setFont(opt.font);
    const bool selected = opt.state & QStyle::State_Selected;
    const QColor textColour =
        opt.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    int x = area.left();
    const int right = area.right();
    const auto drawPiece = [&](const QString &piece, bool marked) {
        if (piece.isEmpty() || x >= right)
            return;
        const QString shown = metrics.elidedText(piece, Qt::ElideRight, right - x);
        const int width = metrics.horizontalAdvance(shown);
        const QRect box(x, area.top(), width, area.height());
        if (marked) {
            painter->fillRect(box.adjusted(0, 2, 0, -2), highlightColour());
            painter->setPen(QColor(0x21, 0x21, 0x21));
        } else {
            painter->setPen(textColour);
        }
        painter->drawText(box, Qt::AlignVCenter | Qt::AlignLeft, shown);
        x += width;
    };
    drawPiece(head, false);
    drawPiece(middle, true);
    drawPiece(tail, false);
    painter->restore();
}

} // namespace Opsdeck::Views
