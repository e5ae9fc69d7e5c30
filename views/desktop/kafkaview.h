// SPDX-License-Identifier: MIT
#pragma once

#include <QHash>
#include <QPointer>
#include <QStringList>
#include <QTimer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QSplitter;
class QStackedWidget;
class QTableView;

namespace Opsdeck::Models {
class KafkaGroupTableModel;
class KafkaLagStore;
class KafkaPartitionTableModel;
} // namespace Opsdeck::Models

namespace Opsdeck::Views {

class KafkaLagPlot;

/// The Kafka tab of one environment: a status line per cluster, the consumer groups (filterable,
/// sortable by lag and trend, status and threshold level in colour), the partitions of the
/// current group with the ones that are not OK highlighted, and a plot of the lag of the
/// selected groups over time with the current group's rates and thresholds. Read-only.
class KafkaView : public QWidget
{
    Q_OBJECT

public:
    explicit KafkaView(QWidget *parent = nullptr);
    ~KafkaView() override;

    /// Shows @p store (not owned); nullptr shows a "not configured" note. May be called again on
    /// every environment switch; the selected groups are remembered per environment.
    void setStore(Models::KafkaLagStore *store);

    Models::KafkaLagStore *store() const;

    void focusFilter();

    QByteArray saveState() const;
    void restoreState(const QByteArray &state);

    /// The selected groups ("cluster/group"), in table order, and the current one.
    QStringList selectedGroups() const;
    QString currentGroup() const;
    /// Selects these groups (clears the filter when it hides one); the first becomes current.
    bool selectGroups(const QStringList &keys);

    // For tests and automation.
    QLineEdit *filterEdit() const { return m_filter; }

    QTableView *groupTable() const { return m_groupTable; }

    QTableView *partitionTable() const { return m_partitionTable; }

    KafkaLagPlot *plot() const { return m_plot; }

    QLabel *statusLabel() const { return m_status; }

    QLabel *summaryLabel() const { return m_summary; }

    QLabel *partitionsTitle() const { return m_partitionsTitle; }

    QLabel *notConfiguredLabel() const { return m_notConfigured; }

private:
    void onSelectionChanged();
    void onGroupsChanged(const QStringList &keys);
    void updateStatus();
    void updateSummary();
    void updatePartitionsTitle();
    void selectDefault();

    QPointer<Models::KafkaLagStore> m_store; ///< not owned
    /// Selected groups per environment, so switching back shows the same plot.
    QHash<QString, QStringList> m_selectionByEnvironment;

    Models::KafkaGroupTableModel *m_groupModel = nullptr;
    Models::KafkaPartitionTableModel *m_partitionModel = nullptr;
    QSortFilterProxyModel *m_groupProxy = nullptr;
    QSortFilterProxyModel *m_partitionProxy = nullptr;

    QStackedWidget *m_stack = nullptr;
    QLabel *m_notConfigured = nullptr;
    QLabel *m_status = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_summary = nullptr;
    QSplitter *m_splitter = nullptr;
    QSplitter *m_lowerSplitter = nullptr;
    QTableView *m_groupTable = nullptr;
    QLabel *m_partitionsTitle = nullptr;
    QTableView *m_partitionTable = nullptr;
    KafkaLagPlot *m_plot = nullptr;
    bool m_restoring = false; ///< selection set by setStore, not by the person
    QTimer m_tick;            ///< repaints ages once a second
};

} // namespace Opsdeck::Views
