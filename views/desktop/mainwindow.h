// SPDX-License-Identifier: MIT
#pragma once

#include "models/containeroperations.h"
#include "models/environmentsconfig.h"
#include "models/environmentstore.h"
#include "views/desktop/confirmactiondialog.h"

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QSplitter;
class QTableView;

namespace Opsdeck::Models {
class ContainerTableModel;
class HostListModel;
} // namespace Opsdeck::Models

namespace Opsdeck::Views {

class ContainerDetailsWidget;
class ContainerProxyModel;

/// The desktop console: environment switcher and banner, hosts, the containers of every host
/// of the environment in one table, details, and guarded actions.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(const Models::OpsdeckConfig &config,
               const QList<Models::EnvironmentStore *> &stores,
               Models::ContainerOperations *operations,
               QWidget *parent = nullptr);
    ~MainWindow() override;

    void switchToEnvironment(int index);
    QString currentEnvironment() const;

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
    QList<Models::EnvironmentStore *> m_stores;         ///< not owned
    QPointer<Models::ContainerOperations> m_operations; ///< not owned
    int m_current = -1;

    Models::ContainerTableModel *m_model = nullptr;
    ContainerProxyModel *m_proxy = nullptr;
    Models::HostListModel *m_hostModel = nullptr;

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
    QTimer m_tick; ///< repaints ages once a second
    QTimer m_statusCoalesce;
};

} // namespace Opsdeck::Views
