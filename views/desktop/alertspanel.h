// SPDX-License-Identifier: MIT
#pragma once

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace Opsdeck::Models {
class AlertBoard;
class AlertTableModel;
} // namespace Opsdeck::Models

namespace Opsdeck::Views {

/// The console's shared alert list: every active alert of every environment (crash loops,
/// unhealthy containers and checks, sources down, stuck deployments, consumer lag), critical
/// first, each with the local time it began and its age. Activating a row asks the window to
/// show where the alert comes from.
class AlertsPanel : public QWidget
{
    Q_OBJECT

public:
    explicit AlertsPanel(QWidget *parent = nullptr);

    /// Shows the alerts of @p board (not owned); nullptr empties the list.
    void setBoard(Models::AlertBoard *board);
    /// The environment "Only this environment" limits the list to.
    void setCurrentEnvironment(const QString &environment);

    // For tests and automation.
    QTableView *table() const { return m_table; }

    QCheckBox *onlyCurrent() const { return m_onlyCurrent; }

    QLabel *summary() const { return m_summary; }

signals:
    /// A row was activated (double click, Enter): its environment and source ("docker", …).
    void alertActivated(const QString &environment, const QString &source, const QString &subject);
    /// The number of active alerts changed (all environments).
    void countsChanged(int critical, int warning);

private:
    void updateSummary();

    QPointer<Models::AlertBoard> m_board;
    Models::AlertTableModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_table = nullptr;
    QCheckBox *m_onlyCurrent = nullptr;
    QLabel *m_summary = nullptr;
    QString m_environment;
};

} // namespace Opsdeck::Views
