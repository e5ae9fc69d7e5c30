// SPDX-License-Identifier: MIT
#include "views/desktop/kafkaview.h"

#include "models/kafkalag.h"
#include "models/kafkatablemodels.h"
#include "views/desktop/kafkalagplot.h"
#include "views/desktop/marathonview.h"
#include "views/desktop/sourcetab.h"

#include <QBrush>
#include <QDataStream>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIODevice>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <iterator>

namespace Opsdeck::Views {

using namespace Opsdeck::Models;

namespace {

const QColor kGreen(0x2e, 0x7d, 0x32);
const QColor kAmberText(0xb2, 0x6a, 0x00);
const QColor kOrangeText(0xd8, 0x43, 0x15);
const QColor kRed(0xc6, 0x28, 0x28);
const QColor kPurple(0x6a, 0x1b, 0x9a);
const QColor kStaleText(0x75, 0x75, 0x75);
const QColor kDarkText(0x21, 0x21, 0x21);
const QColor kAmberTint(0xff, 0xf3, 0xe0);
const QColor kRedTint(0xff, 0xeb, 0xee);

QColor statusColour(LagStatus status)
{
    switch (status) {
    case LagStatus::Ok:
        return kGreen;
    case LagStatus::Warn:
        return kAmberText;
    case LagStatus::Stall:
        return kOrangeText;
    case LagStatus::Stop:
        return kRed;
    case LagStatus::Rewind:
        return kPurple;
    }
    return kDarkText;
}

/// The row tint of a partition or group that needs a look: amber while it may still recover
/// (WARN, STALL), red once it stopped or went backwards.
QVariant statusTint(LagStatus status)
{
    switch (status) {
    case LagStatus::Ok:
        return {};
    case LagStatus::Warn:
    case LagStatus::Stall:
        return QBrush(kAmberTint);
    case LagStatus::Stop:
    case LagStatus::Rewind:
        return QBrush(kRedTint);
    }
    return {};
}

QString statusHint(LagStatus status)
{
    switch (status) {
    case LagStatus::Ok:
        return KafkaView::tr("Keeping up, or the lag touched zero within the window.");
    case LagStatus::Warn:
        return KafkaView::tr("The lag rose at every commit throughout the window.");
    case LagStatus::Stall:
        return KafkaView::tr("Committed offset not moving while messages arrive.");
    case LagStatus::Stop:
        return KafkaView::tr("No commit for longer than the window spans, with lag.");
    case LagStatus::Rewind:
        return KafkaView::tr("The committed offset went backwards.");
    }
    return {};
}

/// The groups: status coloured with a dot, threshold level as a tint, stale rows grey, numbers
/// right-aligned; the filter matches every word against cluster, group, status and level.
class GroupProxy : public RoleSortProxy
{
public:
    explicit GroupProxy(QObject *parent)
        : RoleSortProxy(KafkaGroupTableModel::SortRole, parent)
    {}

    void setFilterWords(const QString &text)
    {
        m_words = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        invalidateFilter();
    }

    QVariant data(const QModelIndex &index, int role) const override
    {
        const QModelIndex source = mapToSource(index);
        if (!source.isValid())
            return {};
        auto at = [&](int r) { return source.data(r); };
        const auto status = LagStatus(at(KafkaGroupTableModel::StatusRole).toInt());
        const auto level = ThresholdLevel(at(KafkaGroupTableModel::LevelRole).toInt());
        const bool reachable = at(KafkaGroupTableModel::ReachableRole).toBool();
        const bool hasError = !at(KafkaGroupTableModel::ErrorRole).toString().isEmpty();
        const int column = index.column();
        switch (role) {
        case Qt::ForegroundRole:
            if (!reachable || hasError)
                return QBrush(kStaleText);
            if (column == KafkaGroupTableModel::StatusColumn)
                return QBrush(statusColour(status));
            if (column == KafkaGroupTableModel::LevelColumn && level == ThresholdLevel::Critical)
                return QBrush(kRed);
            if (column == KafkaGroupTableModel::LevelColumn && level == ThresholdLevel::Warning)
                return QBrush(kAmberText);
            if (column == KafkaGroupTableModel::TrendColumn
                && at(KafkaGroupTableModel::SortRole).toDouble() > 0)
                return QBrush(kOrangeText); // falling behind
            if (level != ThresholdLevel::None)
                return QBrush(kDarkText); // stays legible on the tint in dark themes
            return {};
        case Qt::BackgroundRole:
            if (level == ThresholdLevel::Critical)
                return QBrush(kRedTint);
            if (level == ThresholdLevel::Warning)
                return QBrush(kAmberTint);
            return {};
        case Qt::FontRole:
            if ((column == KafkaGroupTableModel::StatusColumn && status != LagStatus::Ok)
                || (column == KafkaGroupTableModel::LevelColumn && level != ThresholdLevel::None)
                || (column == KafkaGroupTableModel::GroupColumn
                    && level == ThresholdLevel::Critical))
                return boldFont();
            return {};
        case Qt::DecorationRole:
            if (column == KafkaGroupTableModel::StatusColumn)
                return statusDot(reachable ? statusColour(status) : kStaleText);
            return {};
        case Qt::ToolTipRole: {
            QStringList lines;
            if (!reachable)
                lines << KafkaView::tr("The cluster is unreachable: these figures are stale.");
            const QString reason = at(KafkaGroupTableModel::ReasonRole).toString();
            if (!reason.isEmpty())
                lines << reason;
            if (column == KafkaGroupTableModel::StatusColumn)
                lines << statusHint(status);
            if (column == KafkaGroupTableModel::TimeLagColumn
                && at(KafkaGroupTableModel::LowerBoundRole).toBool())
                lines << KafkaView::tr("At least this much: the newest message the group read is "
                                       "older than the history kept.");
            if (!lines.isEmpty())
                return lines.join(QLatin1Char('\n'));
            break;
        }
        case Qt::TextAlignmentRole:
            if (column >= KafkaGroupTableModel::LagColumn
                && column <= KafkaGroupTableModel::CatchUpColumn)
                return QVariant(Qt::AlignRight | Qt::AlignVCenter);
            break;
        default:
            break;
        }
        return QSortFilterProxyModel::data(index, role);
    }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override
    {
        if (m_words.isEmpty())
            return true;
        QStringList fields;
        for (int column : {int(KafkaGroupTableModel::ClusterColumn),
                           int(KafkaGroupTableModel::GroupColumn),
                           int(KafkaGroupTableModel::StatusColumn),
                           int(KafkaGroupTableModel::LevelColumn)})
            fields << sourceModel()->index(sourceRow, column, sourceParent).data().toString();
        return std::all_of(m_words.cbegin(), m_words.cend(), [&](const QString &word) {
            return std::any_of(fields.cbegin(), fields.cend(), [&](const QString &field) {
                return field.contains(word, Qt::CaseInsensitive);
            });
        });
    }

private:
    QStringList m_words;
};

/// The partitions of one group: rows that are not OK tinted, "no commit" in grey, the last
/// commit in local time with its age.
class PartitionProxy : public RoleSortProxy
{
public:
    explicit PartitionProxy(QObject *parent)
        : RoleSortProxy(KafkaPartitionTableModel::SortRole, parent)
    {}

    QVariant data(const QModelIndex &index, int role) const override
    {
        const QModelIndex source = mapToSource(index);
        if (!source.isValid())
            return {};
        auto at = [&](int r) { return source.data(r); };
        const auto status = LagStatus(at(KafkaPartitionTableModel::StatusRole).toInt());
        const bool hasCommit = at(KafkaPartitionTableModel::HasCommitRole).toBool();
        const QString error = at(KafkaPartitionTableModel::ErrorRole).toString();
        const int column = index.column();
        switch (role) {
        case Qt::DisplayRole:
            if (column == KafkaPartitionTableModel::LastCommitColumn) {
                const qint64 ms = at(KafkaPartitionTableModel::LastCommitMsRole).toLongLong();
                const auto *model = qobject_cast<const KafkaPartitionTableModel *>(sourceModel());
                if (ms > 0 && model && model->store())
                    return timeWithAge(QDateTime::fromMSecsSinceEpoch(ms), model->store()->now());
            }
            break;
        case Qt::BackgroundRole:
            return statusTint(status);
        case Qt::ForegroundRole:
            if (!error.isEmpty())
                return QBrush(kRed);
            if (column == KafkaPartitionTableModel::StatusColumn)
                return QBrush(statusColour(status));
            if (column == KafkaPartitionTableModel::CommittedColumn && !hasCommit)
                return QBrush(kStaleText);
            if (status != LagStatus::Ok)
                return QBrush(kDarkText);
            return {};
        case Qt::FontRole:
            if (status != LagStatus::Ok
                && (column == KafkaPartitionTableModel::StatusColumn
                    || column == KafkaPartitionTableModel::LagColumn))
                return boldFont();
            if (column == KafkaPartitionTableModel::CommittedColumn && !hasCommit) {
                QFont italic;
                italic.setItalic(true);
                return italic;
            }
            return {};
        case Qt::DecorationRole:
            if (column == KafkaPartitionTableModel::StatusColumn)
                return statusDot(statusColour(status));
            return {};
        case Qt::ToolTipRole: {
            QStringList lines;
            if (!error.isEmpty())
                lines << error;
            if (column == KafkaPartitionTableModel::StatusColumn)
                lines << statusHint(status);
            if (!hasCommit)
                lines << KafkaView::tr("Nothing committed: the lag counts the retained log.");
            if (!lines.isEmpty())
                return lines.join(QLatin1Char('\n'));
            break;
        }
        case Qt::TextAlignmentRole:
            if (column >= KafkaPartitionTableModel::PartitionColumn
                && column != KafkaPartitionTableModel::StatusColumn
                && column != KafkaPartitionTableModel::LastCommitColumn)
                return QVariant(Qt::AlignRight | Qt::AlignVCenter);
            break;
        default:
            break;
        }
        return QSortFilterProxyModel::data(index, role);
    }
};

QTableView *makeTable(const QString &objectName, QAbstractItemModel *model, QWidget *parent)
{
    auto *table = new QTableView(parent);
    table->setObjectName(objectName);
    table->setModel(model);
    table->setSortingEnabled(true);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setWordWrap(false);
    table->setAlternatingRowColors(false);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setSectionsMovable(true);
    return table;
}

/// What the state of one cluster looks like on the status line.
QString clusterLine(const QString &cluster, const HostStatus &status, qint64 nowMs)
{
    const QString name = cluster.toHtmlEscaped();
    auto dot = [](const QColor &c) {
        return QStringLiteral("<span style=\"color:%1\">●</span> ").arg(c.name());
    };
    switch (status.state) {
    case SourceState::Connected: {
        const QString read = status.lastSeen.isValid()
                                 ? KafkaView::tr(" · read %1")
                                       .arg(timeWithAge(status.lastSeen, nowMs).toHtmlEscaped())
                                 : QString();
        return dot(kGreen) + KafkaView::tr("Kafka cluster <b>%1</b>: connected%2").arg(name, read);
    }
    case SourceState::Connecting:
    case SourceState::Unreachable:
        break;
    }
    const QString source = KafkaView::tr("Kafka cluster %1").arg(cluster);
    return dot(status.state == SourceState::Unreachable ? kRed : kStaleText)
           + sourceStatusText(source, status, nowMs).toHtmlEscaped();
}

} // namespace

KafkaView::KafkaView(QWidget *parent)
    : QWidget(parent)
{
    const SourcePages pages = makeSourcePages(this, QStringLiteral("kafka"));
    m_stack = pages.stack;
    m_notConfigured = pages.notConfigured;
    m_notConfigured->setText(
        tr("Kafka is not configured for this environment.\nAdd a kafka section to it in the "
           "environments file to watch consumer lag here."));
    QWidget *page = pages.page;
    QVBoxLayout *layout = pages.layout;

    m_status = new QLabel(page);
    m_status->setObjectName(QStringLiteral("kafkaStatus"));
    m_status->setTextFormat(Qt::RichText);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    auto *filterRow = new QHBoxLayout;
    m_filter = new QLineEdit(page);
    m_filter->setObjectName(QStringLiteral("kafkaFilter"));
    m_filter->setPlaceholderText(tr("Filter groups: words match cluster, group, status, level"));
    m_filter->setClearButtonEnabled(true);
    filterRow->addWidget(m_filter, 2);
    m_summary = new QLabel(page);
    m_summary->setObjectName(QStringLiteral("kafkaSummary"));
    filterRow->addWidget(m_summary, 1);
    layout->addLayout(filterRow);

    m_groupModel = new KafkaGroupTableModel(nullptr, this);
    auto *groupProxy = new GroupProxy(this);
    m_groupProxy = groupProxy;
    m_groupProxy->setSourceModel(m_groupModel);
    m_partitionModel = new KafkaPartitionTableModel(nullptr, this);
    m_partitionProxy = new PartitionProxy(this);
    m_partitionProxy->setSourceModel(m_partitionModel);

    m_splitter = new QSplitter(Qt::Vertical, page);
    m_splitter->setObjectName(QStringLiteral("kafkaSplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_groupTable = makeTable(QStringLiteral("kafkaGroupTable"), m_groupProxy, m_splitter);
    // Several groups can be selected: the plot overlays them.
    m_groupTable->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_groupTable->sortByColumn(KafkaGroupTableModel::LagColumn, Qt::DescendingOrder);
    const int groupWidths[] = {90, 150, 90, 90, 80, 80, 90, 90, 90, 80};
    for (int c = 0; c < int(std::size(groupWidths)); ++c)
        m_groupTable->setColumnWidth(c, groupWidths[c]);
    m_splitter->addWidget(m_groupTable);

    m_lowerSplitter = new QSplitter(Qt::Horizontal, m_splitter);
    m_lowerSplitter->setObjectName(QStringLiteral("kafkaLowerSplitter"));
    m_lowerSplitter->setChildrenCollapsible(false);
    auto *partitionsPane = new QWidget(m_lowerSplitter);
    auto *partitionsLayout = new QVBoxLayout(partitionsPane);
    partitionsLayout->setContentsMargins(0, 0, 0, 0);
    partitionsLayout->setSpacing(2);
    m_partitionsTitle = new QLabel(partitionsPane);
    m_partitionsTitle->setObjectName(QStringLiteral("kafkaPartitionsTitle"));
    m_partitionsTitle->setTextFormat(Qt::RichText);
    m_partitionsTitle->setContentsMargins(2, 2, 2, 2);
    partitionsLayout->addWidget(m_partitionsTitle);
    m_partitionTable =
        makeTable(QStringLiteral("kafkaPartitionTable"), m_partitionProxy, partitionsPane);
    m_partitionTable->setSelectionMode(QAbstractItemView::SingleSelection);
    // The stuck partition on top.
    m_partitionTable->sortByColumn(KafkaPartitionTableModel::LagColumn, Qt::DescendingOrder);
    const int partitionWidths[] = {90, 66, 90, 80, 80, 70, 76, 120};
    for (int c = 0; c < int(std::size(partitionWidths)); ++c)
        m_partitionTable->setColumnWidth(c, partitionWidths[c]);
    partitionsLayout->addWidget(m_partitionTable, 1);
    m_lowerSplitter->addWidget(partitionsPane);
    m_plot = new KafkaLagPlot(m_lowerSplitter);
    m_lowerSplitter->addWidget(m_plot);
    m_lowerSplitter->setStretchFactor(0, 1);
    m_lowerSplitter->setStretchFactor(1, 1);
    m_lowerSplitter->setSizes({700, 700});
    m_splitter->addWidget(m_lowerSplitter);
    // A few groups usually; most of the height goes to the partitions and the plot.
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 3);
    m_splitter->setSizes({220, 660});
    layout->addWidget(m_splitter, 1);

    connect(m_filter, &QLineEdit::textChanged, this, [this, groupProxy](const QString &text) {
        groupProxy->setFilterWords(text);
        updateSummary();
    });
    connect(m_groupTable->selectionModel(),
            &QItemSelectionModel::selectionChanged,
            this,
            &KafkaView::onSelectionChanged);
    connect(m_groupTable->selectionModel(),
            &QItemSelectionModel::currentRowChanged,
            this,
            &KafkaView::onSelectionChanged);

    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        if (!isVisible() || !m_store)
            return;
        updateStatus();
        updatePartitionsTitle();
        m_partitionTable->viewport()->update(); // ages of the last commits
    });
    m_tick.start();

    setStore(nullptr);
}

KafkaView::~KafkaView() = default;

KafkaLagStore *KafkaView::store() const
{
    return m_store;
}

void KafkaView::setStore(KafkaLagStore *store)
{
    if (m_store)
        disconnect(m_store, nullptr, this, nullptr);
    m_store = store;
    m_restoring = true;
    m_partitionModel->setGroup(QString());
    m_groupModel->setStore(store);
    m_partitionModel->setStore(store);
    m_plot->setStore(store);
    if (m_store) {
        connect(m_store, &KafkaLagStore::groupsChanged, this, &KafkaView::onGroupsChanged);
        connect(m_store, &KafkaLagStore::clusterStatusChanged, this, &KafkaView::updateStatus);
        // An environment that goes away while shown: the tab turns "not configured".
        connect(m_store, &QObject::destroyed, this, [this] { setStore(nullptr); });
        const QStringList remembered = m_selectionByEnvironment.value(m_store->environment());
        if (remembered.isEmpty() || !selectGroups(remembered))
            selectDefault();
    } else {
        m_groupTable->selectionModel()->clear();
    }
    m_restoring = false;
    onSelectionChanged();
    m_stack->setCurrentIndex(m_store ? 1 : 0);
    updateStatus();
    updateSummary();
}

void KafkaView::focusFilter()
{
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

QByteArray KafkaView::saveState() const
{
    QByteArray state;
    QDataStream out(&state, QIODevice::WriteOnly);
    out << quint8(1) << m_splitter->saveState() << m_lowerSplitter->saveState()
        << m_groupTable->horizontalHeader()->saveState()
        << m_partitionTable->horizontalHeader()->saveState() << m_plot->liveSpanMs();
    return state;
}

void KafkaView::restoreState(const QByteArray &state)
{
    QDataStream in(state);
    quint8 version = 0;
    QByteArray splitter;
    QByteArray lower;
    QByteArray groups;
    QByteArray partitions;
    qint64 spanMs = 0;
    in >> version >> splitter >> lower >> groups >> partitions >> spanMs;
    if (version != 1 || in.status() != QDataStream::Ok)
        return;
    m_splitter->restoreState(splitter);
    m_lowerSplitter->restoreState(lower);
    m_groupTable->horizontalHeader()->restoreState(groups);
    m_partitionTable->horizontalHeader()->restoreState(partitions);
    m_plot->setLiveSpanMs(spanMs);
}

QStringList KafkaView::selectedGroups() const
{
    QModelIndexList rows = m_groupTable->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) {
        return a.row() < b.row();
    });
    QStringList keys;
    for (const QModelIndex &row : std::as_const(rows))
        keys << row.data(KafkaGroupTableModel::GroupKeyRole).toString();
    return keys;
}

QString KafkaView::currentGroup() const
{
    const QStringList keys = selectedGroups();
    const QModelIndex current = m_groupTable->selectionModel()->currentIndex();
    const QString key = current.data(KafkaGroupTableModel::GroupKeyRole).toString();
    return keys.contains(key) ? key : keys.value(0);
}

bool KafkaView::selectGroups(const QStringList &keys)
{
    auto proxyIndexOf = [this](const QString &key) {
        const int row = m_groupModel->rowOf(key);
        return row < 0 ? QModelIndex() : m_groupProxy->mapFromSource(m_groupModel->index(row, 0));
    };
    QList<QModelIndex> found;
    for (const QString &key : keys) {
        if (m_groupModel->rowOf(key) < 0)
            continue;
        QModelIndex index = proxyIndexOf(key);
        if (!index.isValid()) { // hidden by the filter
            m_filter->clear();
            index = proxyIndexOf(key);
        }
        if (index.isValid())
            found << index;
    }
    if (found.isEmpty())
        return false;
    // Indexes from before a filter change are stale: map again.
    QItemSelection selection;
    QModelIndex first;
    for (const QString &key : keys) {
        const QModelIndex index = proxyIndexOf(key);
        if (!index.isValid())
            continue;
        if (!first.isValid())
            first = index;
        selection.select(index, index);
    }
    QItemSelectionModel *model = m_groupTable->selectionModel();
    model->setCurrentIndex(first, QItemSelectionModel::NoUpdate);
    model->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_groupTable->scrollTo(first);
    return true;
}

void KafkaView::onSelectionChanged()
{
    const QStringList keys = selectedGroups();
    const QString current = currentGroup();
    if (m_partitionModel->groupKey() != current)
        m_partitionModel->setGroup(current);
    m_plot->setGroups(keys, current);
    updatePartitionsTitle();
    if (!m_restoring && m_store)
        m_selectionByEnvironment.insert(m_store->environment(), keys);
}

void KafkaView::onGroupsChanged(const QStringList &keys)
{
    if (m_groupTable->selectionModel()->selectedRows().isEmpty()) {
        const QStringList remembered =
            m_store ? m_selectionByEnvironment.value(m_store->environment()) : QStringList();
        m_restoring = true;
        if (remembered.isEmpty() || !selectGroups(remembered))
            selectDefault();
        m_restoring = false;
        onSelectionChanged();
    } else if (keys.contains(currentGroup())) {
        updatePartitionsTitle();
    }
    updateSummary();
}

void KafkaView::updateStatus()
{
    if (!m_store) {
        m_status->clear();
        return;
    }
    const qint64 now = m_store->now();
    QStringList lines;
    bool down = false;
    for (const QString &cluster : m_store->clusters()) {
        const HostStatus status = m_store->clusterStatus(cluster);
        down = down || status.state == SourceState::Unreachable;
        lines << clusterLine(cluster, status, now);
    }
    if (lines.isEmpty())
        lines << tr("No Kafka cluster configured.");
    m_status->setText(lines.join(QStringLiteral("<br>")));
    m_status->setStyleSheet(down ? QStringLiteral("QLabel { background: #ffebee; color: #212121; "
                                                  "padding: 4px; border-left: 4px solid #c62828; }")
                                 : QStringLiteral("QLabel { padding: 4px; }"));
}

void KafkaView::updateSummary()
{
    if (!m_store) {
        m_summary->clear();
        return;
    }
    int notOk = 0;
    int warning = 0;
    int critical = 0;
    const QStringList keys = m_store->groupKeys();
    for (const QString &key : keys) {
        const KafkaGroupState *g = m_store->group(key);
        if (!g)
            continue;
        notOk += g->status != LagStatus::Ok ? 1 : 0;
        warning += g->level == ThresholdLevel::Warning ? 1 : 0;
        critical += g->level == ThresholdLevel::Critical ? 1 : 0;
    }
    QString text = tr("%n group(s)", nullptr, int(keys.size()));
    if (m_groupProxy->rowCount() != keys.size())
        text += tr(" (%1 shown)").arg(m_groupProxy->rowCount());
    text += tr(" · %1 not OK · %2 critical · %3 warning").arg(notOk).arg(critical).arg(warning);
    m_summary->setText(text);
}

void KafkaView::updatePartitionsTitle()
{
    const QString key = m_partitionModel->groupKey();
    const KafkaGroupState *g = m_store && !key.isEmpty() ? m_store->group(key) : nullptr;
    if (!g) {
        m_partitionsTitle->setText(tr("Select a group to see its partitions."));
        return;
    }
    const QString updated =
        g->updatedMs > 0
            ? tr(" · updated %1")
                  .arg(timeWithAge(QDateTime::fromMSecsSinceEpoch(g->updatedMs), m_store->now()))
            : QString();
    m_partitionsTitle->setText(
        tr("Partitions of <b>%1</b> (%2) · <span style=\"color:%3\"><b>%4</b></span>%5")
            .arg(g->group.toHtmlEscaped(),
                 g->cluster.toHtmlEscaped(),
                 statusColour(g->status).name(),
                 nameOf(g->status),
                 updated.toHtmlEscaped()));
}

void KafkaView::selectDefault()
{
    // The group with the largest lag (the table's first row in its default order).
    if (m_groupProxy->rowCount() == 0)
        return;
    const QModelIndex first = m_groupProxy->index(0, 0);
    selectGroups({first.data(KafkaGroupTableModel::GroupKeyRole).toString()});
}

} // namespace Opsdeck::Views
