// SPDX-License-Identifier: MIT
#pragma once

#include "models/containeroperations.h"
#include "models/environmentstore.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QTabWidget;
class QTableWidget;
class QTextBrowser;

namespace Opsdeck::Views {

/// Everything about one container: inspect summary with its flags explained, mounts, env vars
/// (secret-looking values masked until revealed), a following log tail, and CPU / memory.
/// Stats and logs are fetched only while their tab is on screen.
class ContainerDetailsWidget : public QWidget
{
    Q_OBJECT

public:
    explicit ContainerDetailsWidget(Models::ContainerOperations *operations,
                                    QWidget *parent = nullptr);

    /// Shows @p key of @p store (not owned); an empty key clears the pane.
    void showContainer(Models::EnvironmentStore *store, const QString &key);

    QString currentKey() const { return m_key; }

    void showLogsTab();

    QTextBrowser *summaryView() const { return m_summary; }

    QTableWidget *envTable() const { return m_env; }

    QCheckBox *revealSecrets() const { return m_reveal; }

    QPlainTextEdit *logView() const { return m_logs; }

private:
    void refresh();
    void refreshSummary(const Models::Container &c);
    void refreshMounts(const Models::Container &c);
    void refreshEnv(const Models::Container &c);
    void onTabChanged();
    void restartLogs();
    void requestStats();

    QPointer<Models::ContainerOperations> m_operations; ///< not owned
    QPointer<Models::EnvironmentStore> m_store;         ///< not owned
    QString m_key;
    QTabWidget *m_tabs = nullptr;
    QTextBrowser *m_summary = nullptr;
    QTableWidget *m_mounts = nullptr;
    QTableWidget *m_env = nullptr;
    QCheckBox *m_reveal = nullptr;
    QPlainTextEdit *m_logs = nullptr;
    QCheckBox *m_follow = nullptr;
    QLabel *m_stats = nullptr;
    QTimer m_statsTimer;
    QPointer<Models::LogFollower> m_follower; ///< owned
    QString m_lastSummaryHtml;
};

} // namespace Opsdeck::Views
