// SPDX-License-Identifier: MIT
// The Kafka tab offscreen, over KafkaLagStores with a controlled clock fed synthetic samples:
// table rows and numeric sort, status colours, the stuck partition on top, the plot's data equal
// to the store's history (appended, not rebuilt), threshold lines, overlays, follow live, store
// switches, the cluster status line.
#include "models/kafkalag.h"
#include "models/kafkatablemodels.h"
#include "views/desktop/kafkalagplot.h"
#include "views/desktop/kafkaview.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTableView>
#include <QTest>
#include <QWheelEvent>

#include <cmath>
#include <memory>

using namespace Opsdeck;
using namespace Opsdeck::Models;

namespace {

const QString kCluster = QStringLiteral("main");
const QString kBilling = QStringLiteral("main/billing");
const QString kSearch = QStringLiteral("main/search");
const QString kOrders = QStringLiteral("main/orders");
const QString kLedger = QStringLiteral("main/ledger");
constexpr qint64 kStepMs = 5000;
// 2026-11-25 14:00:00 UTC.
const qint64 kStartMs = QDateTime(QDate(2026, 11, 25), QTime(14, 0), Qt::UTC).toMSecsSinceEpoch();

KafkaConfig config()
{
    KafkaConfig c;
    KafkaClusterConfig cluster;
    cluster.name = kCluster;
    cluster.bootstrapServers = QStringLiteral("127.0.0.1:9092");
    KafkaGroupConfig billing;
    billing.name = QStringLiteral("billing");
    billing.thresholds.lag.warning = 500;
    billing.thresholds.lag.critical = 1000;
    KafkaGroupConfig search;
    search.name = QStringLiteral("search");
    KafkaGroupConfig orders;
    orders.name = QStringLiteral("orders");
    cluster.groups = {billing, search, orders};
    c.clusters = {cluster};
    c.refreshMs = kStepMs;
    c.windowSamples = 5;
    return c;
}

KafkaPartitionOffsets partition(const QString &topic, int n, qint64 committed, qint64 logEnd)
{
    KafkaPartitionOffsets p;
    p.topic = topic;
    p.partition = n;
    p.committed = committed;
    p.logEnd = logEnd;
    return p;
}

/// Refresh @p i: billing's partitions 0 and 1 keep up (lag 20 and 30), partition 2 is stuck at
/// offset 900 while 100 messages arrive per refresh; search lags a steady 80; orders is idle.
KafkaSample sample(int i)
{
    KafkaSample s;
    s.cluster = kCluster;
    s.timeMs = kStartMs + i * kStepMs;
    const qint64 end = 1000 + 100 * i;
    KafkaGroupOffsets billing;
    billing.group = QStringLiteral("billing");
    billing.partitions = {partition(QStringLiteral("payments"), 0, end - 20, end),
                          partition(QStringLiteral("payments"), 1, end - 30, end),
                          partition(QStringLiteral("payments"), 2, 900, end)};
    KafkaGroupOffsets search;
    search.group = QStringLiteral("search");
    search.partitions = {partition(QStringLiteral("queries"), 0, 420 + 10 * i, 500 + 10 * i)};
    KafkaGroupOffsets orders;
    orders.group = QStringLiteral("orders");
    orders.partitions = {partition(QStringLiteral("orders"), 0, 300, 300),
                         partition(QStringLiteral("orders"), 1, 200, 200)};
    s.groups = {billing, search, orders};
    return s;
}

QList<QPointF> lagHistory(const KafkaLagStore &store, const QString &key)
{
    QList<QPointF> points;
    for (const KafkaLagPoint &p : store.history(key))
        points.append(QPointF(double(p.timeMs) / 1000.0, double(p.lag)));
    return points;
}

QList<QPointF> rateHistory(const KafkaLagStore &store, const QString &key, bool produce)
{
    QList<QPointF> points;
    for (const KafkaLagPoint &p : store.history(key))
        points.append(QPointF(double(p.timeMs) / 1000.0, produce ? p.produceRate : p.consumeRate));
    return points;
}

} // namespace

class tst_KafkaView : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void groupTableSortsNumerically();
    void statusAndLevelColoured();
    void filter();
    void stuckPartitionOnTop();
    void plotEqualsHistory();
    void plotAppendsWithoutRebuild();
    void overlayOfTwoGroups();
    void followLiveUntilZoom();
    void clusterStatusLine();
    void storeSwitch();
    void screenshot();

private:
    void feed(int count);
    int rowOf(const QString &key) const;
    QString groupText(const QString &key, int column) const;

    qint64 m_now = kStartMs;
    int m_next = 0;
    std::unique_ptr<KafkaLagStore> m_store;
    std::unique_ptr<Views::KafkaView> m_view;
};

void tst_KafkaView::init()
{
    m_now = kStartMs;
    m_next = 0;
    m_store = std::make_unique<KafkaLagStore>(QStringLiteral("Production"), config());
    m_store->setClock([this] { return m_now; });
    feed(8);
    m_view = std::make_unique<Views::KafkaView>();
    m_view->resize(1400, 900);
    m_view->setStore(m_store.get());
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
}

void tst_KafkaView::cleanup()
{
    m_view.reset();
    m_store.reset();
}

void tst_KafkaView::feed(int count)
{
    for (int n = 0; n < count; ++n, ++m_next) {
        m_now = kStartMs + m_next * kStepMs;
        m_store->applySample(sample(m_next));
    }
    m_store->flush();
}

int tst_KafkaView::rowOf(const QString &key) const
{
    const QAbstractItemModel *model = m_view->groupTable()->model();
    for (int row = 0; row < model->rowCount(); ++row)
        if (model->index(row, 0).data(KafkaGroupTableModel::GroupKeyRole).toString() == key)
            return row;
    return -1;
}

QString tst_KafkaView::groupText(const QString &key, int column) const
{
    const QAbstractItemModel *model = m_view->groupTable()->model();
    return model->index(rowOf(key), column).data().toString();
}

void tst_KafkaView::groupTableSortsNumerically()
{
    QAbstractItemModel *model = m_view->groupTable()->model();
    QCOMPARE(model->rowCount(), 3);
    // Default: by lag, largest first. 850 > 80 > 0 (as text "80" would come first).
    QCOMPARE(m_store->group(kBilling)->lag, 850);
    QCOMPARE(model->index(0, 0).data(KafkaGroupTableModel::GroupKeyRole).toString(), kBilling);
    QCOMPARE(model->index(1, 0).data(KafkaGroupTableModel::GroupKeyRole).toString(), kSearch);
    QCOMPARE(model->index(2, 0).data(KafkaGroupTableModel::GroupKeyRole).toString(), kOrders);
    QCOMPARE(groupText(kBilling, KafkaGroupTableModel::LagColumn), formatKafkaCount(850));

    // By trend, rising last in ascending order: billing gains 20 messages/s on its consumer.
    m_view->groupTable()->sortByColumn(KafkaGroupTableModel::TrendColumn, Qt::AscendingOrder);
    double previous = -1e300;
    for (int row = 0; row < model->rowCount(); ++row) {
        const double trend = model->index(row, KafkaGroupTableModel::TrendColumn)
                                 .data(KafkaGroupTableModel::SortRole)
                                 .toDouble();
        QVERIFY2(trend >= previous, qPrintable(QString::number(row)));
        previous = trend;
    }
    QCOMPARE(model->index(2, 0).data(KafkaGroupTableModel::GroupKeyRole).toString(), kBilling);
    QVERIFY(std::abs(m_store->group(kBilling)->trend - 20.0) < 1e-6);

    m_view->groupTable()->sortByColumn(KafkaGroupTableModel::LagColumn, Qt::AscendingOrder);
    QCOMPARE(model->index(0, 0).data(KafkaGroupTableModel::GroupKeyRole).toString(), kOrders);
    QCOMPARE(model->index(2, 0).data(KafkaGroupTableModel::GroupKeyRole).toString(), kBilling);
}

void tst_KafkaView::statusAndLevelColoured()
{
    const KafkaGroupState *billing = m_store->group(kBilling);
    QVERIFY(billing);
    QCOMPARE(billing->status, LagStatus::Stall);
    QCOMPARE(billing->level, ThresholdLevel::Warning);
    QCOMPARE(m_store->group(kOrders)->status, LagStatus::Ok);

    const QAbstractItemModel *model = m_view->groupTable()->model();
    const QModelIndex status = model->index(rowOf(kBilling), KafkaGroupTableModel::StatusColumn);
    QCOMPARE(status.data().toString(), nameOf(LagStatus::Stall));
    const auto stallColour = status.data(Qt::ForegroundRole).value<QBrush>().color();
    const auto okColour = model->index(rowOf(kOrders), KafkaGroupTableModel::StatusColumn)
                              .data(Qt::ForegroundRole)
                              .value<QBrush>()
                              .color();
    QVERIFY(stallColour.isValid() && okColour.isValid());
    QVERIFY(stallColour != okColour);
    QVERIFY(status.data(Qt::FontRole).value<QFont>().bold());
    QVERIFY(!status.data(Qt::DecorationRole).isNull());
    // The warning level tints the row; the idle group stays plain.
    const QModelIndex level = model->index(rowOf(kBilling), KafkaGroupTableModel::LevelColumn);
    QCOMPARE(level.data().toString(), nameOf(ThresholdLevel::Warning));
    QVERIFY(level.data(Qt::BackgroundRole).canConvert<QBrush>());
    QVERIFY(model->index(rowOf(kOrders), KafkaGroupTableModel::LevelColumn)
                .data(Qt::BackgroundRole)
                .isNull());

    // Over critical (1000): 3 more refreshes make 1150.
    feed(3);
    QCOMPARE(m_store->group(kBilling)->level, ThresholdLevel::Critical);
    QCOMPARE(model->index(rowOf(kBilling), KafkaGroupTableModel::LevelColumn).data().toString(),
             nameOf(ThresholdLevel::Critical));
    QVERIFY(m_view->summaryLabel()->text().contains(QStringLiteral("1 critical")));
}

void tst_KafkaView::filter()
{
    QTest::keyClicks(m_view->filterEdit(), QStringLiteral("sea"));
    const QAbstractItemModel *model = m_view->groupTable()->model();
    QCOMPARE(model->rowCount(), 1);
    QCOMPARE(model->index(0, 0).data(KafkaGroupTableModel::GroupKeyRole).toString(), kSearch);
    QVERIFY(m_view->summaryLabel()->text().contains(QStringLiteral("(1 shown)")));
    // Words narrow together and match status too.
    m_view->filterEdit()->setText(QStringLiteral("main stall"));
    QCOMPARE(model->rowCount(), 1);
    QCOMPARE(model->index(0, 0).data(KafkaGroupTableModel::GroupKeyRole).toString(), kBilling);
    // Selecting a hidden group clears the filter.
    QVERIFY(m_view->selectGroups({kOrders}));
    QVERIFY(m_view->filterEdit()->text().isEmpty());
    QCOMPARE(model->rowCount(), 3);
}

void tst_KafkaView::stuckPartitionOnTop()
{
    QCOMPARE(m_view->currentGroup(), kBilling); // the largest lag is selected first
    const QAbstractItemModel *model = m_view->partitionTable()->model();
    QCOMPARE(model->rowCount(), 3);
    const QModelIndex top = model->index(0, KafkaPartitionTableModel::PartitionColumn);
    QCOMPARE(top.data().toString(), QStringLiteral("2"));
    QCOMPARE(model->index(0, KafkaPartitionTableModel::LagColumn)
                 .data(KafkaPartitionTableModel::SortRole)
                 .toLongLong(),
             800);
    QCOMPARE(model->index(0, KafkaPartitionTableModel::StatusColumn).data().toString(),
             nameOf(LagStatus::Stall));
    // Only the stuck one stands out.
    QVERIFY(
        !model->index(0, KafkaPartitionTableModel::TopicColumn).data(Qt::BackgroundRole).isNull());
    QVERIFY(
        model->index(1, KafkaPartitionTableModel::TopicColumn).data(Qt::BackgroundRole).isNull());
    QVERIFY(
        model->index(2, KafkaPartitionTableModel::TopicColumn).data(Qt::BackgroundRole).isNull());
    // Its last commit (the first sample) in local time with its age.
    const QString lastCommit =
        model->index(0, KafkaPartitionTableModel::LastCommitColumn).data().toString();
    const QString clock =
        QDateTime::fromMSecsSinceEpoch(kStartMs).toLocalTime().toString(QStringLiteral("HH:mm:ss"));
    QVERIFY2(lastCommit.startsWith(clock) && lastCommit.contains(QStringLiteral("35 s ago")),
             qPrintable(lastCommit));
    QVERIFY(m_view->partitionsTitle()->text().contains(QStringLiteral("billing")));

    QVERIFY(m_view->selectGroups({kSearch}));
    QCOMPARE(model->rowCount(), 1);
    QCOMPARE(model->index(0, KafkaPartitionTableModel::TopicColumn).data().toString(),
             QStringLiteral("queries"));
}

void tst_KafkaView::plotEqualsHistory()
{
    Views::KafkaLagPlot *plot = m_view->plot();
    QCOMPARE(plot->groups(), QStringList{kBilling});
    QCOMPARE(plot->currentGroup(), kBilling);
    QCOMPARE(plot->graphCount(), 3); // lag, produced/s, consumed/s
    QCOMPARE(m_store->history(kBilling).size(), 8);
    QCOMPARE(plot->lagData(kBilling), lagHistory(*m_store, kBilling));
    QCOMPARE(plot->lagData(kBilling).last(), QPointF(double(kStartMs + 7 * kStepMs) / 1000.0, 850));
    QCOMPARE(plot->produceRateData(), rateHistory(*m_store, kBilling, true));
    QCOMPARE(plot->consumeRateData(), rateHistory(*m_store, kBilling, false));
    QVERIFY(plot->rateAxisVisible());
    // 300 messages/s produced over three partitions, 200/s consumed (the stuck one reads none).
    QVERIFY(std::abs(plot->produceRateData().last().y() - 60.0) < 1e-6);
    QVERIFY(std::abs(plot->consumeRateData().last().y() - 40.0) < 1e-6);
    QCOMPARE(plot->warningLine(), std::optional<double>(500));
    QCOMPARE(plot->criticalLine(), std::optional<double>(1000));
    // The lag axis shows the lines and the data.
    QVERIFY(plot->lagRange().x() == 0 && plot->lagRange().y() >= 1000);
    QCOMPARE(plot->legendName(kBilling), QStringLiteral("billing lag"));

    // A group without thresholds draws none.
    QVERIFY(m_view->selectGroups({kSearch}));
    QCOMPARE(plot->groups(), QStringList{kSearch});
    QCOMPARE(plot->warningLine(), std::nullopt);
    QCOMPARE(plot->criticalLine(), std::nullopt);
    QCOMPARE(plot->lagData(kSearch), lagHistory(*m_store, kSearch));
    QCOMPARE(plot->produceRateData(), rateHistory(*m_store, kSearch, true));
    QCOMPARE(plot->lagData(kBilling), QList<QPointF>());
}

void tst_KafkaView::plotAppendsWithoutRebuild()
{
    Views::KafkaLagPlot *plot = m_view->plot();
    const int rebuilds = plot->rebuildCount();
    // More than the ring holds (one hour at 5 s = 720): the oldest points fall off.
    const int capacity = m_store->historyCapacity();
    feed(capacity + 5);
    QCOMPARE(m_store->history(kBilling).size(), capacity);
    QCOMPARE(plot->lagData(kBilling), lagHistory(*m_store, kBilling));
    QCOMPARE(plot->produceRateData(), rateHistory(*m_store, kBilling, true));
    QCOMPARE(plot->consumeRateData(), rateHistory(*m_store, kBilling, false));
    QCOMPARE(plot->rebuildCount(), rebuilds);
}

void tst_KafkaView::overlayOfTwoGroups()
{
    QVERIFY(m_view->selectGroups({kBilling, kSearch}));
    QCOMPARE(m_view->selectedGroups(), (QStringList{kBilling, kSearch}));
    QCOMPARE(m_view->currentGroup(), kBilling);
    Views::KafkaLagPlot *plot = m_view->plot();
    QCOMPARE(plot->groups(), (QStringList{kBilling, kSearch}));
    QCOMPARE(plot->graphCount(), 4); // two lag curves, the current group's two rates
    QCOMPARE(plot->lagData(kBilling), lagHistory(*m_store, kBilling));
    QCOMPARE(plot->lagData(kSearch), lagHistory(*m_store, kSearch));
    QVERIFY(plot->lagColour(kBilling).isValid());
    QVERIFY(plot->lagColour(kBilling) != plot->lagColour(kSearch));
    QCOMPARE(plot->warningLine(), std::optional<double>(500)); // of the current group
    feed(2);
    QCOMPARE(plot->lagData(kSearch), lagHistory(*m_store, kSearch));
    QCOMPARE(plot->lagData(kBilling), lagHistory(*m_store, kBilling));

    // Three at once: each its own colour.
    QVERIFY(m_view->selectGroups({kSearch, kOrders, kBilling}));
    QCOMPARE(m_view->currentGroup(), kSearch);
    QCOMPARE(plot->graphCount(), 5);
    QCOMPARE(plot->lagData(kOrders), lagHistory(*m_store, kOrders));
    QVERIFY(plot->lagColour(kOrders) != plot->lagColour(kSearch));
    QVERIFY(plot->lagColour(kOrders) != plot->lagColour(kBilling));
    QCOMPARE(plot->warningLine(), std::nullopt);
}

/// What "follow live" shows: the last span up to now, but no wider than the history (plus a
/// margin) while the history is shorter, so that young curves fill the width.
static QPointF liveRange(qint64 nowMs, qint64 oldestMs, qint64 spanMs)
{
    const double upper = double(nowMs) / 1000.0;
    const double oldest = double(oldestMs) / 1000.0;
    const double pad = std::max(10.0, (upper - oldest) * 0.05);
    return {std::max(upper - double(spanMs) / 1000.0, std::min(oldest - pad, upper - 60.0)), upper};
}

void tst_KafkaView::followLiveUntilZoom()
{
    Views::KafkaLagPlot *plot = m_view->plot();
    QVERIFY(plot->followLive());
    const double span = double(plot->liveSpanMs()) / 1000.0;
    // 35 s of history in a 15 min span: the curves fill the width.
    QCOMPARE(plot->timeRange(), liveRange(m_now, kStartMs, plot->liveSpanMs()));
    QVERIFY(plot->timeRange().y() - plot->timeRange().x() < span);
    feed(1);
    QCOMPARE(plot->timeRange().y(), double(m_now) / 1000.0);

    // The person zooms the time axis with the wheel: the view stays where they put it.
    QTest::qWait(60); // laid out by a replot
    QSignalSpy followSpy(plot, &Views::KafkaLagPlot::followLiveChanged);
    QWidget *canvas = plot->canvas();
    const QPointF centre(canvas->width() / 2.0, canvas->height() / 3.0);
    QWheelEvent wheel(centre,
                      canvas->mapToGlobal(centre),
                      QPoint(),
                      QPoint(0, 120),
                      Qt::NoButton,
                      Qt::NoModifier,
                      Qt::NoScrollPhase,
                      false);
    QApplication::sendEvent(canvas, &wheel);
    QVERIFY(!plot->followLive());
    QCOMPARE(followSpy.count(), 1);
    const QPointF zoomed = plot->timeRange();
    QVERIFY(zoomed.y() - zoomed.x() < span);
    feed(2);
    QCOMPARE(plot->timeRange(), zoomed);
    QCOMPARE(plot->lagData(kBilling), lagHistory(*m_store, kBilling));

    plot->setFollowLive(true);
    QCOMPARE(plot->timeRange(), liveRange(m_now, kStartMs, plot->liveSpanMs()));
    // A history longer than the span: exactly the last span.
    plot->setLiveSpanMs(10 * 1000);
    QCOMPARE(plot->timeRange(), QPointF(double(m_now) / 1000.0 - 10, double(m_now) / 1000.0));
}

void tst_KafkaView::clusterStatusLine()
{
    QLabel *status = m_view->statusLabel();
    QVERIFY(status->text().contains(QStringLiteral("connected")));
    QVERIFY(status->text().contains(kCluster));

    KafkaSample down;
    down.cluster = kCluster;
    m_now += kStepMs;
    down.timeMs = m_now;
    down.error = QStringLiteral("all brokers are down (connection refused)");
    m_store->applySample(down);
    m_store->flush();
    QVERIFY2(status->text().contains(QStringLiteral("connection refused")),
             qPrintable(status->text()));
    QVERIFY(!status->text().contains(QStringLiteral(": connected")));
    // The rows stay, marked stale.
    const QAbstractItemModel *model = m_view->groupTable()->model();
    QCOMPARE(model->rowCount(), 3);
    QVERIFY(!model->index(rowOf(kBilling), 0).data(KafkaGroupTableModel::ReachableRole).toBool());

    m_next = int((m_now - kStartMs) / kStepMs) + 1;
    feed(1);
    QVERIFY(status->text().contains(QStringLiteral(": connected")));
}

void tst_KafkaView::storeSwitch()
{
    QVERIFY(m_view->selectGroups({kBilling, kSearch}));

    KafkaConfig stagingConfig = config();
    stagingConfig.clusters.first().groups.clear();
    auto staging = std::make_unique<KafkaLagStore>(QStringLiteral("Staging"), stagingConfig);
    staging->setClock([this] { return m_now; });
    KafkaSample s;
    s.cluster = kCluster;
    s.timeMs = m_now;
    KafkaGroupOffsets ledger;
    ledger.group = QStringLiteral("ledger");
    ledger.partitions = {partition(QStringLiteral("entries"), 0, 40, 45)};
    s.groups = {ledger};
    staging->applySample(s);
    staging->flush();

    m_view->setStore(staging.get());
    QCOMPARE(m_view->store(), staging.get());
    QCOMPARE(m_view->groupTable()->model()->rowCount(), 1);
    QCOMPARE(m_view->selectedGroups(), QStringList{kLedger});
    Views::KafkaLagPlot *plot = m_view->plot();
    QCOMPARE(plot->groups(), QStringList{kLedger});
    QCOMPARE(plot->lagData(kLedger), lagHistory(*staging, kLedger));
    QCOMPARE(plot->lagData(kBilling), QList<QPointF>());
    QCOMPARE(plot->warningLine(), std::nullopt);
    QCOMPARE(m_view->partitionTable()->model()->rowCount(), 1);
    // Production's samples no longer reach the view.
    feed(1);
    QCOMPARE(plot->groups(), QStringList{kLedger});

    // Back: the same selection, the history kept by the store.
    m_view->setStore(m_store.get());
    QCOMPARE(m_view->selectedGroups(), (QStringList{kBilling, kSearch}));
    QCOMPARE(plot->groups(), (QStringList{kBilling, kSearch}));
    QCOMPARE(plot->lagData(kBilling), lagHistory(*m_store, kBilling));
    QCOMPARE(plot->warningLine(), std::optional<double>(500));

    // A store that goes away while shown leaves no dangling pointer.
    m_view->setStore(staging.get());
    staging.reset();
    QCOMPARE(m_view->store(), nullptr);
    QCOMPARE(plot->store(), nullptr);
    m_view->setStore(nullptr);
    QCOMPARE(plot->graphCount(), 0);
    QCOMPARE(m_view->groupTable()->model()->rowCount(), 0);
    auto *stack = m_view->findChild<QStackedWidget *>();
    QVERIFY(stack);
    QCOMPARE(stack->currentWidget(), m_view->notConfiguredLabel());
    m_view->setStore(m_store.get());
    QCOMPARE(plot->groups(), (QStringList{kBilling, kSearch}));
}

void tst_KafkaView::screenshot()
{
    // Ten minutes of history; billing over its warning line, search overlaid.
    feed(112);
    QVERIFY(m_view->selectGroups({kBilling, kSearch}));
    QTest::qWait(100);
    const QPixmap shot = m_view->grab();
    QVERIFY(!shot.isNull());
    const QString dir = qEnvironmentVariable("OPSDECK_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        QVERIFY(shot.save(dir + QStringLiteral("/kafka-view.png")));
}

QTEST_MAIN(tst_KafkaView)
#include "tst_kafkaview.moc"
