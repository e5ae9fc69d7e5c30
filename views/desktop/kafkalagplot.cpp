// SPDX-License-Identifier: MIT
#include "views/desktop/kafkalagplot.h"

#include "models/kafkalag.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <cmath>

namespace Opsdeck::Views {

using namespace Opsdeck::Models;

namespace {

/// Distinct on white and for the common colour blindnesses, in the order groups get them.
const std::array<QColor, 8> kLagColours = {QColor(0x15, 0x65, 0xc0),
                                           QColor(0xe6, 0x51, 0x00),
                                           QColor(0x6a, 0x1b, 0x9a),
                                           QColor(0x00, 0x83, 0x8f),
                                           QColor(0xad, 0x14, 0x57),
                                           QColor(0x55, 0x8b, 0x2f),
                                           QColor(0x4e, 0x34, 0x2e),
                                           QColor(0x28, 0x35, 0x93)};
const QColor kProduceColour(0x61, 0x61, 0x61);
const QColor kConsumeColour(0x2e, 0x7d, 0x32);
const QColor kWarningColour(0xf9, 0xa8, 0x25);
const QColor kCriticalColour(0xc6, 0x28, 0x28);

/// Repaints at most 25 times a second (STYLE §4).
constexpr int kReplotDelayMs = 40;

double keyOf(qint64 ms)
{
    return double(ms) / 1000.0;
}

QList<QPointF> pointsOf(const QCPGraph *graph)
{
    QList<QPointF> points;
    if (!graph)
        return points;
    const auto data = graph->data();
    points.reserve(data->size());
    for (auto it = data->constBegin(); it != data->constEnd(); ++it)
        points.append(QPointF(it->key, it->value));
    return points;
}

double lagOf(const KafkaLagPoint &p)
{
    return double(p.lag);
}

double produceOf(const KafkaLagPoint &p)
{
    return p.produceRate;
}

double consumeOf(const KafkaLagPoint &p)
{
    return p.consumeRate;
}

/// Brings @p graph up to @p history: appends the points newer than @p lastMs and trims the ones
/// the ring buffer dropped. Returns true when it had to rebuild the whole curve instead (the
/// history does not continue it: a new store, points replaced).
bool syncGraph(QCPGraph *graph,
               qint64 &lastMs,
               const QList<KafkaLagPoint> &history,
               double (*value)(const KafkaLagPoint &))
{
    const auto data = graph->data();
    if (history.isEmpty()) {
        data->clear();
        lastMs = 0;
        return false;
    }
    if (history.last().timeMs >= lastMs) {
        // The new points are at the end: scan back to the newest one already plotted.
        qsizetype first = history.size();
        while (first > 0 && history.at(first - 1).timeMs > lastMs)
            --first;
        QVector<double> keys;
        QVector<double> values;
        keys.reserve(history.size() - first);
        values.reserve(history.size() - first);
        for (qsizetype i = first; i < history.size(); ++i) {
            keys.append(keyOf(history.at(i).timeMs));
            values.append(value(history.at(i)));
        }
        graph->addData(keys, values, true);
        data->removeBefore(keyOf(history.first().timeMs));
        lastMs = history.last().timeMs;
        if (data->size() == history.size())
            return false;
    }
    QVector<double> keys;
    QVector<double> values;
    keys.reserve(history.size());
    values.reserve(history.size());
    for (const KafkaLagPoint &p : history) {
        keys.append(keyOf(p.timeMs));
        values.append(value(p));
    }
    graph->setData(keys, values, true);
    lastMs = history.last().timeMs;
    return true;
}

QCPItemStraightLine *makeThresholdLine(QCustomPlot *plot, const QColor &colour)
{
    auto *line = new QCPItemStraightLine(plot);
    line->setPen(QPen(colour, 1.5, Qt::DashLine));
    line->setSelectable(false);
    line->setVisible(false);
    line->setLayer(QStringLiteral("grid")); // under the curves
    return line;
}

QCPItemText *makeThresholdText(QCustomPlot *plot, const QColor &colour)
{
    auto *text = new QCPItemText(plot);
    text->setColor(colour.darker(130));
    text->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    text->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    text->position->setTypeY(QCPItemPosition::ptPlotCoords);
    text->setClipToAxisRect(true);
    text->setSelectable(false);
    text->setVisible(false);
    return text;
}

void placeThreshold(QCPItemStraightLine *line,
                    QCPItemText *text,
                    std::optional<double> value,
                    const QString &label)
{
    line->setVisible(value.has_value());
    text->setVisible(value.has_value());
    if (!value)
        return;
    line->point1->setCoords(0, *value);
    line->point2->setCoords(1, *value);
    text->position->setCoords(0.995, *value);
    text->setText(label);
}

} // namespace

KafkaLagPlot::KafkaLagPlot(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("kafkaLagPlot"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(2, 0, 2, 0);
    m_followBox = new QCheckBox(tr("Follow live"), this);
    m_followBox->setObjectName(QStringLiteral("kafkaFollowLive"));
    m_followBox->setToolTip(tr("Keep the newest minutes in view. Dragging or zooming the plot "
                               "stops following; a double click follows again."));
    m_followBox->setChecked(m_followLive);
    bar->addWidget(m_followBox);
    m_spanBox = new QComboBox(this);
    m_spanBox->setObjectName(QStringLiteral("kafkaLiveSpan"));
    for (int minutes : {5, 15, 60})
        m_spanBox->addItem(tr("last %n min", nullptr, minutes), qint64(minutes) * 60 * 1000);
    m_spanBox->setCurrentIndex(1);
    bar->addWidget(m_spanBox);
    bar->addStretch(1);
    auto *hint = new QLabel(tr("drag: pan · wheel: zoom time"), this);
    hint->setStyleSheet(QStringLiteral("QLabel { color: #757575; }"));
    bar->addWidget(hint);
    layout->addLayout(bar);

    m_plot = new QCustomPlot(this);
    m_plot->setObjectName(QStringLiteral("kafkaLagCanvas"));
    m_plot->setMinimumHeight(180);
    layout->addWidget(m_plot, 1);

    auto ticker = QSharedPointer<QCPAxisTickerDateTime>::create();
    ticker->setDateTimeSpec(Qt::LocalTime);
    ticker->setDateTimeFormat(QStringLiteral("HH:mm:ss"));
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setLabel(tr("local time"));
    m_plot->yAxis->setLabel(tr("lag (messages)"));
    m_plot->yAxis2->setLabel(tr("rate (messages/s)"));
    m_plot->yAxis2->setTickLabels(true);
    m_plot->yAxis2->setVisible(false);
    m_plot->yAxis->setRangeLower(0);

    // Only the time axis pans and zooms; the value axes follow what is in view.
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    m_plot->axisRect()->setRangeDragAxes(m_plot->xAxis, m_plot->yAxis);
    m_plot->axisRect()->setRangeZoomAxes(m_plot->xAxis, m_plot->yAxis);

    // The legend goes below the plot, in rows, so it never covers a curve.
    m_plot->legend->setVisible(true);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setWrap(4);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setBrush(Qt::NoBrush);
    m_plot->plotLayout()->addElement(1, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(1, 0.001);
    m_plot->plotLayout()->setRowSpacing(0);

    m_warning = makeThresholdLine(m_plot, kWarningColour);
    m_critical = makeThresholdLine(m_plot, kCriticalColour);
    m_warningText = makeThresholdText(m_plot, kWarningColour);
    m_criticalText = makeThresholdText(m_plot, kCriticalColour);

    connect(m_plot->xAxis,
            qOverload<const QCPRange &>(&QCPAxis::rangeChanged),
            this,
            [this](const QCPRange &) {
                if (!m_settingRange)
                    setFollowLive(false); // the person panned or zoomed
                updateLagAxis();
            });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent *) {
        setFollowLive(true);
    });
    connect(m_followBox, &QCheckBox::toggled, this, &KafkaLagPlot::setFollowLive);
    connect(m_spanBox, &QComboBox::currentIndexChanged, this, [this](int index) {
        setLiveSpanMs(m_spanBox->itemData(index).toLongLong());
    });

    m_replot.setSingleShot(true);
    m_replot.setInterval(kReplotDelayMs);
    connect(
        &m_replot, &QTimer::timeout, this, [this] { m_plot->replot(QCustomPlot::rpQueuedReplot); });
    updateRanges();
}

KafkaLagPlot::~KafkaLagPlot() = default;

KafkaLagStore *KafkaLagPlot::store() const
{
    return m_store;
}

void KafkaLagPlot::setStore(KafkaLagStore *store)
{
    if (m_store)
        disconnect(m_store, nullptr, this, nullptr);
    m_store = store;
    if (m_store)
        connect(m_store, &KafkaLagStore::groupsChanged, this, &KafkaLagPlot::onGroupsChanged);
    m_keys.clear();
    m_current.clear();
    clearGraphs();
    updateThresholds();
    updateRanges();
    scheduleReplot();
}

void KafkaLagPlot::setGroups(const QStringList &keys, const QString &current)
{
    QStringList wanted = m_store ? keys : QStringList();
    wanted.removeDuplicates();
    const QString wantedCurrent = wanted.contains(current) ? current : wanted.value(0);
    if (wanted == m_keys && wantedCurrent == m_current)
        return;
    if (wanted != m_keys) {
        // Curves of groups that stay keep their data; the colours follow the order.
        for (auto it = m_curves.begin(); it != m_curves.end();) {
            if (!wanted.contains(it.key())) {
                m_plot->removeGraph(it->lag);
                it = m_curves.erase(it);
            } else {
                ++it;
            }
        }
        m_keys = wanted;
        for (int i = 0; i < m_keys.size(); ++i) {
            const QString &key = m_keys.at(i);
            Curve &curve = m_curves[key];
            if (!curve.lag) {
                curve.lag = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis);
                curve.lag->setLineStyle(QCPGraph::lsLine);
                syncCurve(key, curve);
            }
            curve.lag->setPen(QPen(kLagColours.at(size_t(i) % kLagColours.size()), 2));
            curve.lag->setName(legendName(key));
        }
    }
    m_current = wantedCurrent;
    syncRates();
    updateThresholds();
    updateRanges();
    scheduleReplot();
}

void KafkaLagPlot::setFollowLive(bool follow)
{
    if (follow == m_followLive)
        return;
    m_followLive = follow;
    {
        const QSignalBlocker blocker(m_followBox);
        m_followBox->setChecked(follow);
    }
    if (follow) {
        updateRanges();
        scheduleReplot();
    }
    emit followLiveChanged(follow);
}

void KafkaLagPlot::setLiveSpanMs(qint64 spanMs)
{
    m_liveSpanMs = std::max<qint64>(spanMs, 10'000);
    const int index = m_spanBox->findData(m_liveSpanMs);
    if (index >= 0) {
        const QSignalBlocker blocker(m_spanBox);
        m_spanBox->setCurrentIndex(index);
    }
    if (m_followLive) {
        updateRanges();
        scheduleReplot();
    } else {
        setFollowLive(true); // choosing a span means "show me the last N minutes"
    }
}

int KafkaLagPlot::graphCount() const
{
    return m_plot->graphCount();
}

QList<QPointF> KafkaLagPlot::lagData(const QString &key) const
{
    const auto it = m_curves.constFind(key);
    return it == m_curves.constEnd() ? QList<QPointF>() : pointsOf(it->lag);
}

QColor KafkaLagPlot::lagColour(const QString &key) const
{
    const auto it = m_curves.constFind(key);
    return it == m_curves.constEnd() ? QColor() : it->lag->pen().color();
}

QString KafkaLagPlot::legendName(const QString &key) const
{
    return tr("%1 lag").arg(displayName(key));
}

QList<QPointF> KafkaLagPlot::produceRateData() const
{
    return pointsOf(m_produce.lag);
}

QList<QPointF> KafkaLagPlot::consumeRateData() const
{
    return pointsOf(m_consume.lag);
}

std::optional<double> KafkaLagPlot::warningLine() const
{
    if (!m_warning->visible())
        return std::nullopt;
    return m_warning->point1->value();
}

std::optional<double> KafkaLagPlot::criticalLine() const
{
    if (!m_critical->visible())
        return std::nullopt;
    return m_critical->point1->value();
}

QPointF KafkaLagPlot::timeRange() const
{
    const QCPRange range = m_plot->xAxis->range();
    return QPointF(range.lower, range.upper);
}

QPointF KafkaLagPlot::lagRange() const
{
    const QCPRange range = m_plot->yAxis->range();
    return QPointF(range.lower, range.upper);
}

bool KafkaLagPlot::rateAxisVisible() const
{
    return m_plot->yAxis2->visible();
}

QWidget *KafkaLagPlot::canvas() const
{
    return m_plot;
}

void KafkaLagPlot::onGroupsChanged(const QStringList &keys)
{
    bool touched = false;
    for (const QString &key : keys) {
        auto it = m_curves.find(key);
        if (it == m_curves.end())
            continue;
        syncCurve(key, *it);
        touched = true;
    }
    if (!m_current.isEmpty() && keys.contains(m_current)) {
        syncRates();
        updateThresholds();
    }
    if (touched) {
        updateRanges();
        scheduleReplot();
    }
}

void KafkaLagPlot::clearGraphs()
{
    m_plot->clearGraphs();
    m_curves.clear();
    m_produce = {};
    m_consume = {};
    m_ratesKey.clear();
    m_plot->yAxis2->setVisible(false);
}

void KafkaLagPlot::syncCurve(const QString &key, Curve &curve)
{
    const QList<KafkaLagPoint> history = m_store ? m_store->history(key) : QList<KafkaLagPoint>();
    if (syncGraph(curve.lag, curve.lastMs, history, lagOf))
        ++m_rebuilds;
}

void KafkaLagPlot::syncRates()
{
    if (m_current.isEmpty()) {
        if (m_produce.lag)
            m_plot->removeGraph(m_produce.lag);
        if (m_consume.lag)
            m_plot->removeGraph(m_consume.lag);
        m_produce = {};
        m_consume = {};
        m_ratesKey.clear();
        m_plot->yAxis2->setVisible(false);
        return;
    }
    if (!m_produce.lag) {
        m_produce.lag = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
        m_produce.lag->setPen(QPen(kProduceColour, 1.2, Qt::DotLine));
        m_consume.lag = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
        m_consume.lag->setPen(QPen(kConsumeColour, 1.2, Qt::DotLine));
    }
    if (m_ratesKey != m_current) {
        m_produce.lag->data()->clear();
        m_consume.lag->data()->clear();
        m_produce.lastMs = 0;
        m_consume.lastMs = 0;
        m_ratesKey = m_current;
    }
    m_produce.lag->setName(tr("%1 produced/s").arg(displayName(m_current)));
    m_consume.lag->setName(tr("%1 consumed/s").arg(displayName(m_current)));
    const QList<KafkaLagPoint> history =
        m_store ? m_store->history(m_current) : QList<KafkaLagPoint>();
    if (syncGraph(m_produce.lag, m_produce.lastMs, history, produceOf))
        ++m_rebuilds;
    if (syncGraph(m_consume.lag, m_consume.lastMs, history, consumeOf))
        ++m_rebuilds;
    m_plot->yAxis2->setVisible(true);
}

void KafkaLagPlot::updateThresholds()
{
    KafkaThreshold lag;
    if (m_store && !m_current.isEmpty())
        lag = m_store->thresholds(m_current).lag;
    placeThreshold(m_warning,
                   m_warningText,
                   lag.warning,
                   lag.warning ? tr("warning %1").arg(formatKafkaCount(qint64(*lag.warning)))
                               : QString());
    placeThreshold(m_critical,
                   m_criticalText,
                   lag.critical,
                   lag.critical ? tr("critical %1").arg(formatKafkaCount(qint64(*lag.critical)))
                                : QString());
}

void KafkaLagPlot::updateRanges()
{
    if (m_followLive) {
        qint64 newest = 0;
        for (const Curve &c : std::as_const(m_curves))
            newest = std::max(newest, c.lastMs);
        if (m_store)
            newest = std::max(newest, m_store->now());
        if (newest == 0)
            newest = QDateTime::currentMSecsSinceEpoch();
        // While the history is shorter than the span, the curves fill the width instead of
        // huddling at the right edge (as in the first minutes after start).
        double lower = keyOf(newest - m_liveSpanMs);
        double oldest = keyOf(newest);
        for (const Curve &c : std::as_const(m_curves)) {
            if (!c.lag->data()->isEmpty())
                oldest = std::min(oldest, c.lag->data()->constBegin()->key);
        }
        const double upper = keyOf(newest);
        const double pad = std::max(10.0, (upper - oldest) * 0.05);
        lower = std::max(lower, std::min(oldest - pad, upper - 60.0));
        m_settingRange = true;
        m_plot->xAxis->setRange(lower, upper);
        m_settingRange = false;
    }
    updateLagAxis();
}

void KafkaLagPlot::updateLagAxis()
{
    // The value axes fit what is in view on the time axis; the lag axis starts at 0 and always
    // shows the threshold lines, so the distance to them reads at a glance.
    const QCPRange inView = m_plot->xAxis->range();
    double top = 0;
    for (const Curve &c : std::as_const(m_curves)) {
        bool found = false;
        const QCPRange r = c.lag->getValueRange(found, QCP::sdBoth, inView);
        if (found)
            top = std::max(top, r.upper);
    }
    if (m_warning->visible())
        top = std::max(top, m_warning->point1->value());
    if (m_critical->visible())
        top = std::max(top, m_critical->point1->value());
    m_plot->yAxis->setRange(0, top > 0 ? top * 1.1 : 10);

    if (m_produce.lag) {
        double rateTop = 0;
        for (const QCPGraph *g : {m_produce.lag, m_consume.lag}) {
            bool found = false;
            const QCPRange r = g->getValueRange(found, QCP::sdBoth, inView);
            if (found)
                rateTop = std::max(rateTop, r.upper);
        }
        m_plot->yAxis2->setRange(0, rateTop > 0 ? rateTop * 1.1 : 1);
    }
}

void KafkaLagPlot::scheduleReplot()
{
    if (!m_replot.isActive())
        m_replot.start();
}

QString KafkaLagPlot::displayName(const QString &key) const
{
    // One cluster: the group name is enough; several: "cluster/group".
    if (m_store && m_store->clusters().size() <= 1)
        return key.section(QLatin1Char('/'), 1);
    return key;
}

} // namespace Opsdeck::Views
