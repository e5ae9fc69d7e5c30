// SPDX-License-Identifier: MIT
#pragma once

#include <QColor>
#include <QHash>
#include <QList>
#include <QPointF>
#include <QPointer>
#include <QStringList>
#include <QTimer>
#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCustomPlot;

namespace Opsdeck::Models {
class KafkaLagStore;
} // namespace Opsdeck::Models

namespace Opsdeck::Views {

/// Consumer lag over time (QCustomPlot behind this widget): one lag curve per selected group,
/// each in its own colour with a legend entry, the produce and consume rates of the current group
/// on a second value axis, and its lag thresholds (warning, critical) as dashed lines. The time
/// axis is local time; drag pans and the wheel zooms the time axis. "Follow live" keeps the last
/// few minutes in view until the person pans or zooms. Follows the store by appending the new
/// points of each curve; the data is the store's history, point for point.
///
/// Plot keys are seconds since the epoch (QCPAxisTickerDateTime's convention).
class KafkaLagPlot : public QWidget
{
    Q_OBJECT

public:
    explicit KafkaLagPlot(QWidget *parent = nullptr);
    ~KafkaLagPlot() override;

    /// Plots the history of @p store (not owned; nullptr: nothing). Clears the groups.
    void setStore(Models::KafkaLagStore *store);

    Models::KafkaLagStore *store() const;

    /// Overlays the lag of @p keys ("cluster/group"); @p current (one of them, or empty) also
    /// gets its rates and threshold lines.
    void setGroups(const QStringList &keys, const QString &current);

    QStringList groups() const { return m_keys; }

    QString currentGroup() const { return m_current; }

    /// Keeps the last liveSpanMs() in view on every update, until the person pans or zooms.
    void setFollowLive(bool follow);

    bool followLive() const { return m_followLive; }

    void setLiveSpanMs(qint64 spanMs);

    qint64 liveSpanMs() const { return m_liveSpanMs; }

    // For tests and automation.
    int graphCount() const;
    /// (seconds since the epoch, lag) of @p key's curve; empty when not shown.
    QList<QPointF> lagData(const QString &key) const;
    QColor lagColour(const QString &key) const;
    QString legendName(const QString &key) const;
    /// Messages/s of the current group, (seconds, rate).
    QList<QPointF> produceRateData() const;
    QList<QPointF> consumeRateData() const;
    /// The lag value of the dashed lines of the current group; nullopt: not drawn.
    std::optional<double> warningLine() const;
    std::optional<double> criticalLine() const;
    /// The time axis range in seconds since the epoch, and the lag axis range.
    QPointF timeRange() const;
    QPointF lagRange() const;
    bool rateAxisVisible() const;

    /// How often a curve was rebuilt from the whole history instead of appended to.
    int rebuildCount() const { return m_rebuilds; }

    /// The plotting surface, to send it mouse events in tests.
    QWidget *canvas() const;

signals:
    void followLiveChanged(bool follow);

private:
    struct Curve
    {
        QCPGraph *lag = nullptr;
        qint64 lastMs = 0; ///< the newest point appended
    };

    void onGroupsChanged(const QStringList &keys);
    void clearGraphs();
    /// Brings the lag curve up to the store's history of @p key (appends, trims, or rebuilds).
    void syncCurve(const QString &key, Curve &curve);
    void syncRates();
    void updateThresholds();
    void updateRanges();
    void updateLagAxis();
    void scheduleReplot();
    QString displayName(const QString &key) const;

    QPointer<Models::KafkaLagStore> m_store; ///< not owned
    QStringList m_keys;
    QString m_current;
    QHash<QString, Curve> m_curves; ///< by group key, one per entry of m_keys
    Curve m_produce;                ///< of m_current
    Curve m_consume;                ///< of m_current
    QString m_ratesKey;             ///< the group m_produce / m_consume show

    QCustomPlot *m_plot = nullptr; ///< owned (child)
    QCPItemStraightLine *m_warning = nullptr;
    QCPItemStraightLine *m_critical = nullptr;
    QCPItemText *m_warningText = nullptr;
    QCPItemText *m_criticalText = nullptr;
    QCheckBox *m_followBox = nullptr;
    QComboBox *m_spanBox = nullptr;

    bool m_followLive = true;
    qint64 m_liveSpanMs = 15 * 60 * 1000;
    bool m_settingRange = false; ///< a range change of ours, not the person's
    int m_rebuilds = 0;
    QTimer m_replot; ///< coalesces repaints (≤ 25 Hz)
};

} // namespace Opsdeck::Views
