// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentsconfig.h"
#include "models/marathonoperations.h"
#include "models/marathonstore.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>

class QAction;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QSplitter;
class QStackedWidget;
class QTableView;

namespace Opsdeck::Models {
class MarathonAppTableModel;
class MarathonDeploymentTableModel;
class MarathonTaskTableModel;
} // namespace Opsdeck::Models

namespace Opsdeck::Views {

class ConfirmActionDialog;
class RolloutDialog;

/// "3 min ago", "40 s ago", "2 d ago": how long ago, in the largest whole unit.
QString ageInWords(qint64 ms);
/// "14:03:12 (3 min ago)": local time of @p time, with the date when it is not today, and its
/// age against @p nowMs (milliseconds since the epoch). Empty for an invalid time.
QString timeWithAge(const QDateTime &time, qint64 nowMs);
/// A source's trouble in one line for the banner above its tables, or empty when connected.
QString sourceStatusText(const QString &source, const Models::HostStatus &status, qint64 nowMs);

/// The Marathon tab of one environment: apps (filterable, sortable, coloured by health), the
/// tasks and last task failure of the selected app, the deployments in progress with a
/// step-by-step progress bar, and the guarded actions (restart, scale, roll out a new image, roll
/// back or force-cancel a deployment). Every action asks first, naming environment and target;
/// in production the person types the environment's name. Requests go to
/// Models::MarathonOperations and the answers come back as statusMessage.
class MarathonView : public QWidget
{
    Q_OBJECT

public:
    explicit MarathonView(QWidget *parent = nullptr);
    ~MarathonView() override;

    /// Where actions go (not owned); nullptr disables them.
    void setOperations(Models::MarathonOperations *operations);
    /// Shows @p store (not owned) under the rules of @p config (production, read_only); nullptr
    /// shows a "not configured" note. Switching stores is one reset of each table.
    void setEnvironment(const Models::EnvironmentConfig &config, Models::MarathonStore *store);

    Models::MarathonStore *store() const { return m_store; }

    /// Restart, Scale…, Roll out…, Roll back, Force-cancel: for the window's toolbar and menu.
    QList<QAction *> marathonActions() const;
    void focusFilter();

    QByteArray saveState() const;
    void restoreState(const QByteArray &state);

    // For tests and automation.
    QLineEdit *filterEdit() const { return m_filter; }

    QTableView *appTable() const { return m_appTable; }

    QTableView *taskTable() const { return m_taskTable; }

    QTableView *deploymentTable() const { return m_deploymentTable; }

    QLabel *statusLabel() const { return m_status; }

    QLabel *notConfiguredLabel() const { return m_notConfigured; }

    QLabel *lastFailureLabel() const { return m_lastFailure; }

    QLabel *resultLabel() const { return m_result; }

    QAction *restartAction() const { return m_restart; }

    QAction *scaleAction() const { return m_scale; }

    QAction *rolloutAction() const { return m_rollout; }

    QAction *rollbackAction() const { return m_rollback; }

    QAction *forceCancelAction() const { return m_forceCancel; }

    /// The confirmation on screen, if any.
    ConfirmActionDialog *pendingConfirmation() const;
    /// The scale dialog on screen (its QSpinBox is named "scaleInstances"), if any.
    QDialog *pendingScale() const;
    RolloutDialog *pendingRollout() const;

    QString selectedAppId() const;
    /// The deployment an action would act on: the selected row of the deployments table, else
    /// the deployment of the selected app.
    QString targetDeploymentId() const;
    /// Selects the app's row (clears the filter when it hides the row).
    bool selectApp(const QString &appId);
    bool selectDeployment(const QString &deploymentId);

signals:
    /// A line for the window's status bar.
    void statusMessage(const QString &text, int timeoutMs);

private:
    void buildActions();
    void connectStore();
    void onAppSelected();
    void updateActions();
    void updateStatus();
    void updateAppDetails();
    void updateDeploymentsTitle();
    void showContextMenu(QTableView *table, const QPoint &pos);

    void askRestart();
    void askScale();
    void askRollout();
    void askRollback();
    void askForceCancel();
    /// The confirmation shared by every action, then the request.
    void confirmAndSend(const QString &actionText,
                        const QString &targetText,
                        const QString &warning,
                        bool strongWarning,
                        const Models::MarathonActionRequest &request);
    bool busy() const;
    void onActionFinished(const Models::MarathonActionRequest &request,
                          bool ok,
                          const QString &message,
                          const QString &deploymentId);

    Models::EnvironmentConfig m_config;
    QPointer<Models::MarathonStore> m_store;           ///< not owned
    QPointer<Models::MarathonOperations> m_operations; ///< not owned

    Models::MarathonAppTableModel *m_appModel = nullptr;
    Models::MarathonTaskTableModel *m_taskModel = nullptr;
    Models::MarathonDeploymentTableModel *m_deploymentModel = nullptr;
    QSortFilterProxyModel *m_appProxy = nullptr;
    QSortFilterProxyModel *m_taskProxy = nullptr;
    QSortFilterProxyModel *m_deploymentProxy = nullptr;

    QStackedWidget *m_stack = nullptr;
    QLabel *m_notConfigured = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_result = nullptr;
    QSplitter *m_splitter = nullptr;
    QTableView *m_appTable = nullptr;
    QLabel *m_tasksTitle = nullptr;
    QLabel *m_lastFailure = nullptr;
    QTableView *m_taskTable = nullptr;
    QLabel *m_deploymentsTitle = nullptr;
    QTableView *m_deploymentTable = nullptr;

    QAction *m_restart = nullptr;
    QAction *m_scale = nullptr;
    QAction *m_rollout = nullptr;
    QAction *m_rollback = nullptr;
    QAction *m_forceCancel = nullptr;

    QPointer<ConfirmActionDialog> m_confirm;
    QPointer<QDialog> m_scaleDialog;
    QPointer<RolloutDialog> m_rolloutDialog;
    QTimer m_tick; ///< repaints ages once a second
};

} // namespace Opsdeck::Views
