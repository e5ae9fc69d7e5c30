// SPDX-License-Identifier: MIT
#include "views/desktop/sourcetab.h"

#include "views/desktop/marathonview.h"

#include <QLabel>
#include <QPainter>
#include <QPixmap>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace Opsdeck::Views {

RoleSortProxy::RoleSortProxy(int sortRole, QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(sortRole);
    setDynamicSortFilter(true);
}

QFont boldFont()
{
    QFont bold;
    bold.setBold(true);
    return bold;
}

QIcon statusDot(const QColor &colour)
{
    QPixmap pm(12, 12);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(colour);
    p.setPen(colour.darker(140));
    p.drawEllipse(1, 1, 10, 10);
    p.end();
    return QIcon(pm);
}

SourcePages makeSourcePages(QWidget *view, const QString &name)
{
    SourcePages pages;
    view->setObjectName(name + QLatin1String("View"));
    auto *outer = new QVBoxLayout(view);
    outer->setContentsMargins(0, 0, 0, 0);
    pages.stack = new QStackedWidget(view);
    outer->addWidget(pages.stack);

    pages.notConfigured = new QLabel(pages.stack);
    pages.notConfigured->setObjectName(name + QLatin1String("NotConfigured"));
    pages.notConfigured->setAlignment(Qt::AlignCenter);
    pages.notConfigured->setWordWrap(true);
    pages.notConfigured->setStyleSheet(QStringLiteral("QLabel { color: #616161; padding: 24px; }"));
    pages.stack->addWidget(pages.notConfigured);

    pages.page = new QWidget(pages.stack);
    pages.layout = new QVBoxLayout(pages.page);
    pages.layout->setContentsMargins(4, 4, 4, 4);
    pages.stack->addWidget(pages.page);
    return pages;
}

QLabel *makeStatusBanner(const QString &objectName, QWidget *parent)
{
    auto *banner = new QLabel(parent);
    banner->setObjectName(objectName);
    banner->setWordWrap(true);
    banner->hide();
    return banner;
}

void showSourceStatus(QLabel *banner,
                      const QString &source,
                      const Models::HostStatus &status,
                      qint64 nowMs)
{
    const QString text = sourceStatusText(source, status, nowMs);
    banner->setText(text);
    banner->setVisible(!text.isEmpty());
    banner->setStyleSheet(
        status.state == Models::SourceState::Unreachable
            ? QStringLiteral("QLabel { background: #c62828; color: white; padding: 6px; "
                             "font-weight: bold; }")
            : QStringLiteral("QLabel { background: #eeeeee; color: #212121; padding: 6px; }"));
}

} // namespace Opsdeck::Views
