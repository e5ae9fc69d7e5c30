// SPDX-License-Identifier: MIT
#pragma once

#include "models/containeroperations.h"
#include "models/environmentsconfig.h"
#include "models/environmentstore.h"
#include "models/marathonoperations.h"
#include "models/marathonstore.h"
#include "models/rolloutoperations.h"
#include "views/desktop/confirmactiondialog.h"

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

class QAction;
class QDockWidget;
class QSystemTrayIcon;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QMenu;
class QSplitter;
class QTabWidget;
class QTableView;
class QToolBar;

namespace Opsdeck::Models {
class AlertBoard;
class AuditTrailModel;
struct AlertRecord;
class ConfigProvider;
class KafkaLagStore;
class ContainerTableModel;
class HostListModel;
} // namespace Opsdeck::Models

namespace Opsdeck::Views {

class AlertsPanel;
class AuditView;
class ConfigDiffView;
class ContainerDetailsWidget;
class ContainerProxyModel;
class MarathonView;
class KafkaView;
class MesosView;
class RolloutsPanel;
class DockerRolloutDialog;

/// The desktop console: environment switcher and banner, then tabs per environment: the
/// containers of every host in one table with hosts, details and guarded actions; Marathon apps,
/// tasks and deployments; Mesos agents.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(const Models::OpsdeckConfig &config,
               const QList<Models::EnvironmentStore *> &stores,
               Models::ContainerOperations *operations,
               QWidget *parent = nullptr);
    ~MainWindow() override;

    enum Tab {
        ContainersTab,
        MarathonTab,
        MesosTab,
        KafkaTab,
    };

    /// Marathon and Mesos per environment, index-aligned with the environments (the stores
    /// given to the constructor); nullptr for an environment without Marathon. Not owned.
    /// Without this call (or with nullptr) both tabs say "not configured".
    void setMarathon(const QList<Models::MarathonStore *> &stores,
                     Models::MarathonOperations *operations);

    /// Consumer-group lag per environment, index-aligned with the environments; nullptr for an
    /// environment without Kafka. Not owned. Without this call the Kafka tab says "not
    /// configured".
    void setKafka(const QList<Models::KafkaLagStore *> &stores);
    /// The estate's alerts (not owned): listed in the Alerts dock (Ctrl+Shift+A), counted in
    /// the status bar and announced once each as a desktop notification where the desktop has a
    /// system tray.
    void setAlertBoard(Models::AlertBoard *board);
    /// Where the config diff viewer (Ctrl+D) reads configuration; not owned. Without it (or
    /// with nullptr) the menu entry is disabled.
    void setConfigProvider(Models::ConfigProvider *provider);
    /// Opens (or raises) the config diff viewer, in a window of its own.
    void showConfigDiff();
    /// Docker rollouts (not owned): the Rollouts dock (Ctrl+Shift+P) and Container → Roll out
    /// service… (Ctrl+Shift+O). Each rollout's end is a desktop notification.
    void setRollouts(Models::RolloutOperations *operations);
    /// Opens the rollout dialog for the current environment, with the selected container's
    /// service and image filled in.
    DockerRolloutDialog *showRolloutDialog();

    RolloutsPanel *rolloutsPanel() const { return m_rolloutsPanel; }

    /// The audit trail (not owned; the app follows @p file into it): View → Audit trail…
    /// (Ctrl+Shift+T). Without it the entry is disabled.
    void setAuditTrail(Models::AuditTrailModel *model, const QString &file);
    /// The audit trail cannot be read (empty: it can again); shown in the viewer.
    void setAuditTrailError(const QString &text);
    /// Opens (or raises) the audit viewer, filtered to the current environment.
    AuditView *showAuditTrail();

    QDockWidget *rolloutsDock() const { return m_rolloutsDock; }

    void switchToEnvironment(int index);
    QString currentEnvironment() const;
    /// Shows a tab (Alt+1 … Alt+4); the environment switch keeps it.
    void showTab(Tab tab);
    Tab currentTab() const;

    // For tests and automation.
    QComboBox *environmentBox() const { return m_envBox; }

    QLineEdit *filterEdit() const { return m_filter; }

    QTableView *containerTable() const { return m_table; }

    QListView *hostList() const { return m_hostList; }

    QLabel *banner() const { return m_banner; }

    ContainerDetailsWidget *details() const { return m_details; }

    QAction *restartAction() const { return m_restart; }

    QAction *stopAction() const { return m_stop; }

    QAction *startAction() const { return m_startAction; }

    ConfirmActionDialog *pendingConfirmation() const { return m_confirm; }

    QTabWidget *tabs() const { return m_tabs; }

    MarathonView *marathonView() const { return m_marathonView; }

    MesosView *mesosView() const { return m_mesosView; }

    KafkaView *kafkaView() const { return m_kafkaView; }

    AlertsPanel *alertsPanel() const { return m_alertsPanel; }

    QDockWidget *alertsDock() const { return m_alertsDock; }

    QLabel *alertStatus() const { return m_alertStatus; }

    /// Desktop notifications shown so far (each alert once, bursts in one); for tests.
    QStringList notificationsShown() const { return m_notificationsShown; }

    QAction *configDiffAction() const { return m_configDiffAction; }

    /// The config diff viewer once opened, else nullptr.
    ConfigDiffView *configDiffView() const;

    /// The key of the selected container, or empty.
    QString selectedKey() const;

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildUi();
    void buildActions();
    void restoreSettings();
    void updateBanner();
    void updateActions();
    void updateStatusBar();
    void updateEnvironmentLabels();
    void updateTabs();
    void applyMarathonStores();
    void applyKafkaStore();
    void onAlertRaised(const Models::AlertRecord &record);
    void showPendingNotifications();
    void onRolloutEnded(const Models::RolloutProgress &progress);
    /// The system tray icon for desktop notifications, where the desktop has a tray.
    void ensureTray();
    void focusFilter();
    void onSelectionChanged();
    void onHostSelected();
    void askAndRun(Models::ContainerAction action);
    void onActionFinished(const QString &environment,
                          const QString &key,
                          Models::ContainerAction action,
                          bool ok,
                          const QString &message);
    Models::EnvironmentStore *currentStore() const;
    const Models::EnvironmentConfig *currentConfig() const;

    Models::OpsdeckConfig m_config;
    QList<Models::EnvironmentStore *> m_stores;              ///< not owned
    QPointer<Models::ContainerOperations> m_operations;      ///< not owned
    QList<QPointer<Models::MarathonStore>> m_marathonStores; ///< not owned, index-aligned
    int m_current = -1;

    Models::ContainerTableModel *m_model = nullptr;
    ContainerProxyModel *m_proxy = nullptr;
    Models::HostListModel *m_hostModel = nullptr;

    QTabWidget *m_tabs = nullptr;
    QWidget *m_containerPage = nullptr;
    MarathonView *m_marathonView = nullptr;
    MesosView *m_mesosView = nullptr;
    KafkaView *m_kafkaView = nullptr;
    QList<QPointer<Models::KafkaLagStore>> m_kafkaStores; ///< not owned, index-aligned
    AlertsPanel *m_alertsPanel = nullptr;
    QDockWidget *m_alertsDock = nullptr;
    QLabel *m_alertStatus = nullptr;
    RolloutsPanel *m_rolloutsPanel = nullptr;
    QDockWidget *m_rolloutsDock = nullptr;
    QPointer<Models::RolloutOperations> m_rolloutOperations; ///< not owned
    QAction *m_rolloutAction = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    QStringList m_pendingNotifications;
    QStringList m_notificationsShown;
    QTimer m_notifyCoalesce;
    QMenu *m_containerMenu = nullptr;
    QMenu *m_marathonMenu = nullptr;
    QToolBar *m_actionsToolbar = nullptr;
    QComboBox *m_envBox = nullptr;
    QLabel *m_banner = nullptr;
    QLineEdit *m_filter = nullptr;
    QCheckBox *m_flaggedOnly = nullptr;
    QListView *m_hostList = nullptr;
    QTableView *m_table = nullptr;
    ContainerDetailsWidget *m_details = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    QSplitter *m_rightSplitter = nullptr;
    QWidget *m_statusHosts = nullptr;
    QLabel *m_statusSummary = nullptr;
    QAction *m_restart = nullptr;
    QAction *m_stop = nullptr;
    QAction *m_startAction = nullptr;
    QPointer<ConfirmActionDialog> m_confirm;
    QPointer<Models::ConfigProvider> m_configProvider; ///< not owned
    QAction *m_configDiffAction = nullptr;
    QPointer<ConfigDiffView> m_configDiff;          ///< a window of its own, child of this
    QPointer<Models::AuditTrailModel> m_auditModel; ///< not owned
    QString m_auditFile;
    QString m_auditError;
    QAction *m_auditAction = nullptr;
    QPointer<AuditView> m_auditView; ///< a window of its own, child of this
    QTimer m_tick;                   ///< repaints ages once a second
    QTimer m_statusCoalesce;
};

} // namespace Opsdeck::Views
