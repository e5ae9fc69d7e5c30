// SPDX-License-Identifier: MIT
#pragma once

#include "models/hoststatus.h"

#include <QFont>
#include <QIcon>
#include <QSortFilterProxyModel>

class QLabel;
class QStackedWidget;
class QVBoxLayout;

namespace Opsdeck::Views {

// What the Marathon and Mesos tabs (and the main window) share: a "not configured" page, a
// status banner for their source, proxies that sort by the model's sort role, status dots.

/// A sorting proxy over a keyed table model: sorts by @p sortRole and follows changes.
class RoleSortProxy : public QSortFilterProxyModel
{
public:
    RoleSortProxy(int sortRole, QObject *parent);
};

/// The bold variant of the default font, for cells that need attention.
QFont boldFont();

/// A 12 px dot in @p colour with a darker rim: a state at a glance (hosts, apps).
QIcon statusDot(const QColor &colour);

/// The pages of a source's tab, all owned by the view.
struct SourcePages
{
    QStackedWidget *stack = nullptr; ///< page 0: notConfigured, page 1: page
    QLabel *notConfigured = nullptr;
    QWidget *page = nullptr;
    QVBoxLayout *layout = nullptr; ///< of page
};

/// Lays out @p view (object name "<name>View") as a stack of a "not configured" note
/// ("<name>NotConfigured") and an empty page to fill.
SourcePages makeSourcePages(QWidget *view, const QString &name);

/// A hidden, word-wrapped label for showSourceStatus.
QLabel *makeStatusBanner(const QString &objectName, QWidget *parent);

/// Shows @p status of @p source ("Marathon", "Mesos") in @p banner: hidden while connected, red
/// and bold while unreachable, grey otherwise.
void showSourceStatus(QLabel *banner,
                      const QString &source,
                      const Models::HostStatus &status,
                      qint64 nowMs);

} // namespace Opsdeck::Views
