// SPDX-License-Identifier: MIT
#include "views/desktop/mesosview.h"

#include "models/marathontablemodels.h"
#include "views/desktop/marathonview.h"
#include "views/desktop/progressdelegate.h"
#include "views/desktop/sourcetab.h"

#include <QBrush>
#include <QHeaderView>
#include <QLabel>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace Opsdeck::Views {

using namespace Opsdeck::Models;

namespace {

/// CPU with its unit ("3.5 / 8 cpus (44 %)"), inactive agents and stale rows greyed.
class AgentProxy : public RoleSortProxy
{
public:
    explicit AgentProxy(QObject *parent)
        : RoleSortProxy(MesosAgentTableModel::SortRole, parent)
    {}

    QVariant data(const QModelIndex &index, int role) const override
    {
        const QModelIndex source = mapToSource(index);
        if (!source.isValid())
            return {};
        const bool active = source.data(MesosAgentTableModel::ActiveRole).toBool();
        switch (role) {
        case Qt::DisplayRole:
            if (index.column() == MesosAgentTableModel::CpuColumn)
                return formatUsage(source.data(MesosAgentTableModel::UsedRole).toDouble(),
                                   source.data(MesosAgentTableModel::TotalRole).toDouble(),
                                   MesosView::tr("cpus"));
            break;
        case Qt::ForegroundRole:
            if (!source.data(MesosAgentTableModel::ReachableRole).toBool())
                return QBrush(QColor(0x75, 0x75, 0x75));
            if (!active && index.column() == MesosAgentTableModel::ActiveColumn)
                return QBrush(QColor(0xc6, 0x28, 0x28));
            if (!active) // offers nothing to the cluster
                return QBrush(QColor(0x75, 0x75, 0x75));
            return {};
        case Qt::FontRole:
            if (!active && index.column() == MesosAgentTableModel::ActiveColumn)
                return boldFont();
            return {};
        case Qt::TextAlignmentRole:
            if (index.column() == MesosAgentTableModel::TasksColumn)
                return QVariant(Qt::AlignRight | Qt::AlignVCenter);
            break;
        default:
            break;
        }
        return QSortFilterProxyModel::data(index, role);
    }
};

} // namespace

MesosView::MesosView(QWidget *parent)
    : QWidget(parent)
{
    const SourcePages pages = makeSourcePages(this, QStringLiteral("mesos"));
    m_stack = pages.stack;
    m_notConfigured = pages.notConfigured;
    QWidget *page = pages.page;
    QVBoxLayout *layout = pages.layout;
    m_status = makeStatusBanner(QStringLiteral("mesosStatus"), page);
    layout->addWidget(m_status);
    m_total = new QLabel(page);
    m_total->setObjectName(QStringLiteral("mesosTotal"));
    m_total->setContentsMargins(2, 4, 2, 4);
    m_total->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_total);

    m_model = new MesosAgentTableModel(nullptr, this);
    m_proxy = new AgentProxy(this);
    m_proxy->setSourceModel(m_model);
    m_table = new QTableView(page);
    m_table->setObjectName(QStringLiteral("mesosAgentTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(MesosAgentTableModel::HostnameColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 10);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionsMovable(true);
    auto *usage = new BarDelegate(MesosAgentTableModel::UsageFractionRole, this);
    for (int column : {int(MesosAgentTableModel::CpuColumn),
                       int(MesosAgentTableModel::MemoryColumn),
                       int(MesosAgentTableModel::DiskColumn)})
        m_table->setItemDelegateForColumn(column, usage);
    const int widths[] = {240, 70, 60, 230, 230};
    for (int c = 0; c < int(std::size(widths)); ++c)
        m_table->setColumnWidth(c, widths[c]);
    layout->addWidget(m_table, 1);

    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        if (isVisible() && m_store && m_store->mesosStatus().state == SourceState::Unreachable)
            updateStatus();
    });
    m_tick.start();

    setStore(QString(), nullptr);
}

MesosView::~MesosView() = default;

void MesosView::setStore(const QString &environment, MarathonStore *store)
{
    if (store != m_store) {
        if (m_store)
            disconnect(m_store, nullptr, this, nullptr);
        m_store = store;
        m_model->setStore(store);
        if (m_store) {
            connect(m_store, &MarathonStore::agentsChanged, this, &MesosView::updateTotal);
            connect(m_store, &MarathonStore::statusChanged, this, &MesosView::updateStatus);
        }
    }
    m_notConfigured->setText(
        tr("Mesos is not configured for environment %1.\nAdd a mesos section for it to the "
           "environments file to see its agents here.")
            .arg(environment.isEmpty() ? tr("(none)") : environment));
    m_stack->setCurrentIndex(m_store ? 1 : 0);
    updateStatus();
    updateTotal();
}

void MesosView::updateStatus()
{
    if (!m_store) {
        m_status->hide();
        return;
    }
    showSourceStatus(m_status, tr("Mesos"), m_store->mesosStatus(), m_store->now());
}

void MesosView::updateTotal()
{
    if (!m_store) {
        m_total->clear();
        return;
    }
    const QList<MesosAgent> agents = m_store->agents();
    MesosResources used;
    MesosResources total;
    int active = 0;
    int tasks = 0;
    for (const MesosAgent &a : agents) {
        tasks += a.taskCount;
        if (!a.active)
            continue; // an inactive agent offers nothing: its resources are not the cluster's
        ++active;
        used.cpus += a.used.cpus;
        used.memMb += a.used.memMb;
        used.diskMb += a.used.diskMb;
        total.cpus += a.total.cpus;
        total.memMb += a.total.memMb;
        total.diskMb += a.total.diskMb;
    }
    if (agents.isEmpty()) {
        m_total->setText(tr("Cluster: no agents known yet"));
        return;
    }
    m_total->setText(tr("<b>Cluster:</b> %1 agents (%2 active) · CPU %3 · memory %4 · disk %5 · "
                        "%6 tasks")
                         .arg(agents.size())
                         .arg(active)
                         .arg(formatUsage(used.cpus, total.cpus, tr("cpus")),
                              formatMegabytesUsage(used.memMb, total.memMb),
                              formatMegabytesUsage(used.diskMb, total.diskMb))
                         .arg(tasks));
}

QByteArray MesosView::saveState() const
{
    return m_table->horizontalHeader()->saveState();
}

void MesosView::restoreState(const QByteArray &state)
{
    m_table->horizontalHeader()->restoreState(state);
}

} // namespace Opsdeck::Views
