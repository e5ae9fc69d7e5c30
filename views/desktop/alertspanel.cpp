// SPDX-License-Identifier: MIT
#include "views/desktop/alertspanel.h"

#include "models/alertboard.h"
#include "views/desktop/sourcetab.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace Opsdeck::Views {

using Models::AlertTableModel;

namespace {

/// Sorts by the model's numeric sort keys, filters to one environment when asked, and colours
/// the severity column (the model stays free of widgets and colours).
class AlertProxy : public QSortFilterProxyModel
{
public:
    explicit AlertProxy(QObject *parent)
        : QSortFilterProxyModel(parent)
    {
        setSortRole(Qt::UserRole);
        setDynamicSortFilter(true);
    }

    void setEnvironment(const QString &environment)
    {
        m_environment = environment;
        invalidateFilter();
    }

    QVariant data(const QModelIndex &index, int role) const override
    {
        const bool critical =
            QSortFilterProxyModel::data(index, AlertTableModel::SeverityRole).toString()
            == QLatin1String("critical");
        if (index.column() == AlertTableModel::SeverityColumn) {
            if (role == Qt::DecorationRole)
                return statusDot(critical ? QColor(0xc6, 0x28, 0x28) : QColor(0xef, 0x8f, 0x00));
            if (role == Qt::FontRole && critical)
                return boldFont();
        }
        if (role == Qt::ForegroundRole && critical
            && index.column() == AlertTableModel::MessageColumn)
            return QColor(0xb7, 0x1c, 0x1c);
        return QSortFilterProxyModel::data(index, role);
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override
    {
        if (m_environment.isEmpty())
            return true;
        return sourceModel()
                   ->index(row, AlertTableModel::EnvironmentColumn, parent)
                   .data()
                   .toString()
               == m_environment;
    }

    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override
    {
        // Severity, then the oldest first within it, whatever column the person sorts by.
        if (left.column() == AlertTableModel::SeverityColumn) {
            const int a = left.data(Qt::UserRole).toInt();
            const int b = right.data(Qt::UserRole).toInt();
            if (a != b)
                return a < b;
            const qint64 sa =
                left.siblingAtColumn(AlertTableModel::SinceColumn).data(Qt::UserRole).toLongLong();
            const qint64 sb =
                right.siblingAtColumn(AlertTableModel::SinceColumn).data(Qt::UserRole).toLongLong();
            return sa > sb; // descending sort: older rows end up first
        }
        return QSortFilterProxyModel::lessThan(left, right);
    }

private:
    QString m_environment;
};

} // namespace

AlertsPanel::AlertsPanel(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("alertsPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *top = new QHBoxLayout;
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("alertSummary"));
    m_onlyCurrent = new QCheckBox(tr("Only this environment"), this);
    m_onlyCurrent->setObjectName(QStringLiteral("alertsOnlyCurrent"));
    top->addWidget(m_summary, 1);
    top->addWidget(m_onlyCurrent);
    layout->addLayout(top);

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("alertTable"));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSortingEnabled(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(false);
    layout->addWidget(m_table, 1);

    connect(m_onlyCurrent, &QCheckBox::toggled, this, [this](bool only) {
        if (auto *proxy = static_cast<AlertProxy *>(m_proxy))
            proxy->setEnvironment(only ? m_environment : QString());
        updateSummary();
    });
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex &index) {
        const QModelIndex row = index.siblingAtColumn(0);
        emit alertActivated(
            row.siblingAtColumn(AlertTableModel::EnvironmentColumn).data().toString(),
            row.siblingAtColumn(AlertTableModel::SourceColumn).data().toString(),
            row.siblingAtColumn(AlertTableModel::SubjectColumn).data().toString());
    });
    // Ages move on by themselves.
    auto *tick = new QTimer(this);
    tick->setInterval(1000);
    connect(tick, &QTimer::timeout, this, [this] {
        if (m_proxy && m_proxy->rowCount() > 0 && isVisible())
            emit m_proxy->dataChanged(
                m_proxy->index(0, AlertTableModel::SinceColumn),
                m_proxy->index(m_proxy->rowCount() - 1, AlertTableModel::SinceColumn));
    });
    tick->start();
    updateSummary();
}

void AlertsPanel::setBoard(Models::AlertBoard *board)
{
    if (m_board == board)
        return;
    if (m_board)
        disconnect(m_board, nullptr, this, nullptr);
    m_board = board;
    m_table->setModel(nullptr);
    delete m_proxy;
    m_proxy = nullptr;
    delete m_model;
    m_model = nullptr;
    if (board) {
        m_model = new AlertTableModel(board, this);
        auto *proxy = new AlertProxy(this);
        proxy->setEnvironment(m_onlyCurrent->isChecked() ? m_environment : QString());
        proxy->setSourceModel(m_model);
        m_proxy = proxy;
        m_table->setModel(m_proxy);
        m_table->sortByColumn(AlertTableModel::SeverityColumn, Qt::DescendingOrder);
        auto *header = m_table->horizontalHeader();
        header->setSectionResizeMode(QHeaderView::Interactive);
        header->setSectionResizeMode(AlertTableModel::MessageColumn, QHeaderView::Stretch);
        m_table->setColumnWidth(AlertTableModel::SeverityColumn, 90);
        m_table->setColumnWidth(AlertTableModel::EnvironmentColumn, 100);
        m_table->setColumnWidth(AlertTableModel::SourceColumn, 80);
        m_table->setColumnWidth(AlertTableModel::SubjectColumn, 220);
        m_table->setColumnWidth(AlertTableModel::SinceColumn, 240);
        for (auto signal : {&Models::AlertBoard::raised,
                            &Models::AlertBoard::resolved,
                            &Models::AlertBoard::updated})
            connect(board, signal, this, &AlertsPanel::updateSummary);
    }
    updateSummary();
}

void AlertsPanel::setCurrentEnvironment(const QString &environment)
{
    m_environment = environment;
    if (m_onlyCurrent->isChecked() && m_proxy)
        static_cast<AlertProxy *>(m_proxy)->setEnvironment(environment);
    updateSummary();
}

void AlertsPanel::updateSummary()
{
    int critical = 0;
    int warning = 0;
    if (m_board) {
        for (const Models::AlertRecord &r : m_board->active())
            (r.alert.severity == Models::Alert::Severity::Critical ? critical : warning) += 1;
    }
    if (critical == 0 && warning == 0)
        m_summary->setText(tr("No alerts."));
    else
        m_summary->setText(
            tr("%1 critical, %2 warning across all environments").arg(critical).arg(warning));
    emit countsChanged(critical, warning);
}

} // namespace Opsdeck::Views
