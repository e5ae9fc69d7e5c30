// SPDX-License-Identifier: MIT
#pragma once

#include "models/marathonstore.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>

class QLabel;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;

namespace Opsdeck::Models {
class MesosAgentTableModel;
} // namespace Opsdeck::Models

namespace Opsdeck::Views {

/// The Mesos agents of one environment: a table with CPU / memory / disk usage bars ("3.5 / 8
/// cpus (44 %)", amber above 80 %, red above 95 %), task counts and activity, and a cluster
/// total line. Read-only: Opsdeck never changes Mesos.
class MesosView : public QWidget
{
    Q_OBJECT

public:
    explicit MesosView(QWidget *parent = nullptr);
    ~MesosView() override;

    /// Shows the agents of @p store (not owned); nullptr shows a "not configured" note.
    void setStore(const QString &environment, Models::MarathonStore *store);

    Models::MarathonStore *store() const { return m_store; }

    QByteArray saveState() const;
    void restoreState(const QByteArray &state);

    // For tests and automation.
    QTableView *agentTable() const { return m_table; }

    QLabel *totalLabel() const { return m_total; }

    QLabel *statusLabel() const { return m_status; }

    QLabel *notConfiguredLabel() const { return m_notConfigured; }

private:
    void updateStatus();
    void updateTotal();

    QPointer<Models::MarathonStore> m_store; ///< not owned
    Models::MesosAgentTableModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_notConfigured = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_total = nullptr;
    QTableView *m_table = nullptr;
    QTimer m_tick; ///< refreshes the "since" of an unreachable master
};

} // namespace Opsdeck::Views
