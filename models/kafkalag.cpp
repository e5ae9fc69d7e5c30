// SPDX-License-Identifier: MIT
#include "models/kafkalag.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLoggingCategory>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

Q_LOGGING_CATEGORY(lcKafkaLag, "opsdeck.kafka.lag")

namespace Opsdeck::Models {

namespace {

QString trLag(const char *text)
{
    return QCoreApplication::translate("Opsdeck::Models::KafkaLagStore", text);
}

/// One sample in which the committed offset was seen to change (or the first one): the points
/// the Burrow-style status is evaluated over.
struct CommitPoint
{
    qint64 timeMs = 0;
    qint64 committed = 0;
    qint64 logEnd = 0;
    qint64 lag = 0;
};

/// Drops the front of @p points past @p capacity and older than @p oldestMs.
template<typename T>
void trim(std::deque<T> &points, std::size_t capacity, qint64 oldestMs)
{
    while (points.size() > capacity)
        points.pop_front();
    while (points.size() > 1 && points.front().timeMs < oldestMs)
        points.pop_front();
}

qint64 partitionLag(qint64 committed, qint64 logEnd, qint64 logStart)
{
    if (logEnd < 0)
        return 0;
    // apis.md §6.2: without a commit the retained log is the lag; clamped at 0 because after
    // retention the committed offset can sit below the log start.
    const qint64 from = committed >= 0 ? committed : std::max<qint64>(logStart, 0);
    return std::max<qint64>(0, logEnd - from);
}

/// The level @p value stands at against @p threshold, given the level it stood at: raised on
/// reaching a level, held until the value falls below level × (1 − hysteresis).
ThresholdLevel
levelFor(double value, const KafkaThreshold &threshold, ThresholdLevel current, double hysteresis)
{
    const auto reaches = [&](const std::optional<double> &level, ThresholdLevel held) {
        if (!level)
            return false;
        if (value >= *level)
            return true;
        return current >= held && value >= *level * (1 - hysteresis);
    };
    if (reaches(threshold.critical, ThresholdLevel::Critical))
        return ThresholdLevel::Critical;
    if (reaches(threshold.warning, ThresholdLevel::Warning))
        return ThresholdLevel::Warning;
    return ThresholdLevel::None;
}

/// Burrow-style status of one partition over its commit points (issue 5's shared design).
LagStatus partitionStatus(const std::deque<CommitPoint> &commits,
                          const KafkaPartitionState &st,
                          int sameCommitted,
                          qint64 nowMs,
                          int windowSamples)
{
    // Without a commit there is no window to judge: shown as "no commit", never STOP/STALL.
    if (commits.empty())
        return LagStatus::Ok;
    for (std::size_t i = 1; i < commits.size(); ++i) {
        if (commits[i].committed < commits[i - 1].committed)
            return LagStatus::Rewind;
    }
    // A window in which the lag touched zero is OK: an idle topic never alarms.
    if (st.lag == 0)
        return LagStatus::Ok;
    for (const CommitPoint &c : commits) {
        if (c.lag == 0)
            return LagStatus::Ok;
    }
    const bool complete = int(commits.size()) >= windowSamples;
    const CommitPoint &oldest = commits.front();
    const CommitPoint &newest = commits.back();
    if (complete && nowMs - newest.timeMs > newest.timeMs - oldest.timeMs)
        return LagStatus::Stop;
    // Not moving: unchanged over the last two samples or more, and (once the consumer's own
    // commit cadence is known) for at least its longest gap between commits in the window, so
    // a consumer that commits every third refresh is not STALL between its commits.
    qint64 cadenceMs = 0;
    for (std::size_t i = 1; i < commits.size(); ++i)
        cadenceMs = std::max(cadenceMs, commits[i].timeMs - commits[i - 1].timeMs);
    if (sameCommitted >= 2 && nowMs - newest.timeMs >= cadenceMs && st.logEnd > newest.logEnd)
        return LagStatus::Stall;
    if (complete) {
        // Only lag at commit points counts: lag read between two commits grows by design.
        bool neverDecreases = true;
        for (std::size_t i = 1; i < commits.size() && neverDecreases; ++i)
            neverDecreases = commits[i].lag >= commits[i - 1].lag;
        if (neverDecreases && newest.lag > oldest.lag)
            return LagStatus::Warn;
    }
    return LagStatus::Ok;
}

/// now − the time the log end reached the consumer's position, interpolated linearly in the
/// partition's (time, logEnd) history; a lower bound when that is older than the history.
void computeTimeLag(const std::deque<KafkaPartitionPoint> &history,
                    KafkaPartitionState &st,
                    qint64 nowMs)
{
    st.timeLagS = 0;
    st.timeLagIsLowerBound = false;
    if (st.lag == 0 || history.empty())
        return;
    const qint64 position = st.committed >= 0 ? st.committed : std::max<qint64>(st.logStart, 0);
    // The log end only grows (a recreated topic aside), so the first point at or past the
    // position is found by bisection.
    const auto it = std::partition_point(
        history.cbegin(), history.cend(), [position](const KafkaPartitionPoint &p) {
            return p.logEnd < position;
        });
    if (it == history.cend())
        return; // the log end never reached it (committed past the end): no lag in time
    double reachedMs = double(it->timeMs);
    if (it == history.cbegin()) {
        if (it->logEnd > position)
            st.timeLagIsLowerBound = true;
    } else {
        const KafkaPartitionPoint &before = *(it - 1);
        const double share = double(position - before.logEnd) / double(it->logEnd - before.logEnd);
        reachedMs = double(before.timeMs) + share * double(it->timeMs - before.timeMs);
    }
    st.timeLagS = std::max(0.0, (double(nowMs) - reachedMs) / 1000.0);
}

QString secondsText(double seconds)
{
    return formatKafkaDuration(seconds);
}

} // namespace

QString nameOf(LagStatus status)
{
    switch (status) {
    case LagStatus::Ok:
        return QStringLiteral("OK");
    case LagStatus::Warn:
        return QStringLiteral("WARN");
    case LagStatus::Stall:
        return QStringLiteral("STALL");
    case LagStatus::Stop:
        return QStringLiteral("STOP");
    case LagStatus::Rewind:
        return QStringLiteral("REWIND");
    }
    return QString();
}

QString nameOf(ThresholdLevel level)
{
    switch (level) {
    case ThresholdLevel::None:
        return QStringLiteral("none");
    case ThresholdLevel::Warning:
        return QStringLiteral("warning");
    case ThresholdLevel::Critical:
        return QStringLiteral("critical");
    }
    return QString();
}

QString formatKafkaCount(qint64 count)
{
    const bool negative = count < 0;
    QString digits = QString::number(negative ? -count : count);
    for (qsizetype i = digits.size() - 3; i > 0; i -= 3)
        digits.insert(i, QLatin1Char(','));
    return negative ? QLatin1Char('-') + digits : digits;
}

QString formatKafkaDuration(double seconds)
{
    if (std::isinf(seconds) || std::isnan(seconds))
        return trLag("never");
    if (seconds < 0)
        seconds = 0;
    if (seconds < 10) {
        const double tenths = std::round(seconds * 10) / 10;
        if (tenths == std::floor(tenths))
            return QStringLiteral("%1s").arg(qint64(tenths));
        return QStringLiteral("%1s").arg(tenths, 0, 'f', 1);
    }
    const qint64 s = std::llround(seconds);
    if (s < 60)
        return QStringLiteral("%1s").arg(s);
    if (s < 3600)
        return s % 60 ? QStringLiteral("%1m %2s").arg(s / 60).arg(s % 60)
                      : QStringLiteral("%1m").arg(s / 60);
    if (s < 86400) {
        const qint64 m = (s % 3600) / 60;
        return m ? QStringLiteral("%1h %2m").arg(s / 3600).arg(m)
                 : QStringLiteral("%1h").arg(s / 3600);
    }
    const qint64 h = (s % 86400) / 3600;
    return h ? QStringLiteral("%1d %2h").arg(s / 86400).arg(h)
             : QStringLiteral("%1d").arg(s / 86400);
}

struct KafkaLagStore::GroupData
{
    struct Partition
    {
        std::deque<KafkaPartitionPoint> history; ///< points with a known log end, oldest first
        std::deque<CommitPoint> commits;         ///< the status window, oldest first
        qint64 lastCommitted = -1;               ///< committed offset of the previous sample
        int sameCommitted = 0; ///< consecutive samples (this one included) with that offset
        qint64 lastCommitChangeMs = 0;
        qint64 lastSeenMs = 0;
        KafkaPartitionState state;
    };

    QString key;
    KafkaGroupState state;
    std::deque<KafkaLagPoint> history;
    std::map<std::pair<QString, int>, Partition> partitions;
    bool gone = false; ///< the newest sample of the cluster did not list the group

    ThresholdLevel lagLevel = ThresholdLevel::None;
    ThresholdLevel timeLagLevel = ThresholdLevel::None;
    ThresholdLevel catchUpLevel = ThresholdLevel::None;
    qint64 levelSinceMs = 0;

    // Status alert: starts after kStatusAlertSamples non-OK samples, ends after as many OK ones.
    int nonOkRun = 0;
    int okRun = 0;
    qint64 nonOkSinceMs = 0;
    bool statusAlert = false;
    qint64 statusAlertSinceMs = 0;
    LagStatus alertStatus = LagStatus::Ok;
    QString alertDetail;
    qint64 errorSinceMs = 0;
};

KafkaLagStore::KafkaLagStore(const QString &environment, const KafkaConfig &config, QObject *parent)
    : QObject(parent)
    , m_environment(environment)
    , m_config(config)
    , m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    if (m_config.windowSamples < 2)
        m_config.windowSamples = 2;
    const qint64 refresh = std::max<qint64>(m_config.refreshMs, 1);
    // One point per refresh for the retention, plus one so the oldest point still covers it.
    m_capacity = int(std::clamp<qint64>(m_config.retentionMs / refresh + 1, 2, 1000000));
    for (const KafkaClusterConfig &cluster : std::as_const(m_config.clusters)) {
        HostStatus status;
        status.id = cluster.name;
        status.displayName = cluster.name;
        status.url = cluster.bootstrapServers;
        m_clusterStatus.insert(cluster.name, status);
        for (const KafkaGroupConfig &group : cluster.groups)
            m_thresholds.insert(groupKey(cluster.name, group.name), group.thresholds);
    }
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(0);
    connect(&m_flushTimer, &QTimer::timeout, this, &KafkaLagStore::flush);
}

KafkaLagStore::~KafkaLagStore() = default;

void KafkaLagStore::setClock(std::function<qint64()> clock)
{
    m_clock = std::move(clock);
}

QString KafkaLagStore::groupKey(const QString &cluster, const QString &group)
{
    return cluster + QLatin1Char('/') + group;
}

void KafkaLagStore::setClusterStatus(const HostStatus &status)
{
    const HostStatus previous = m_clusterStatus.value(status.id);
    HostStatus next = status;
    if (next.url.isEmpty())
        next.url = previous.url;
    if (next.displayName.isEmpty())
        next.displayName = previous.displayName.isEmpty() ? status.id : previous.displayName;
    if (next.state != previous.state || !previous.since.isValid())
        next.since = QDateTime::fromMSecsSinceEpoch(now(), Qt::UTC);
    else
        next.since = previous.since;
    if (!next.lastSeen.isValid())
        next.lastSeen = previous.lastSeen;
    if (m_clusterStatus.contains(status.id) && next == previous)
        return;
    m_clusterStatus.insert(status.id, next);
    m_pendingClusters.insert(status.id);
    refreshAlerts();
    scheduleFlush();
}

void KafkaLagStore::updateClusterStatus(const QString &cluster,
                                        SourceState state,
                                        const QString &error,
                                        qint64 timeMs)
{
    HostStatus status = m_clusterStatus.value(cluster);
    status.id = cluster;
    if (status.displayName.isEmpty())
        status.displayName = cluster;
    status.state = state;
    status.error = error;
    if (state == SourceState::Connected)
        status.lastSeen = QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC);
    setClusterStatus(status);
}

void KafkaLagStore::applySample(const KafkaSample &sample)
{
    // The connector's read time is the time base of history, rates and status (tests script
    // it); now() only ages groups that are no longer reported.
    const qint64 timeMs = sample.timeMs;
    if (!sample.error.isEmpty()) {
        // The cluster could not be read: its groups keep their last state, no history point.
        updateClusterStatus(sample.cluster, SourceState::Unreachable, sample.error, timeMs);
        expireGroups(now());
        scheduleFlush();
        return;
    }
    QSet<QString> seen;
    for (const KafkaGroupOffsets &offsets : sample.groups) {
        seen.insert(groupKey(sample.cluster, offsets.group));
        applyGroup(sample.cluster, offsets, timeMs);
    }
    // Groups the cluster no longer lists keep their history until the retention passes.
    const QString prefix = sample.cluster + QLatin1Char('/');
    for (auto &[key, data] : m_groups) {
        if (!key.startsWith(prefix) || seen.contains(key) || data->gone)
            continue;
        data->gone = true;
        data->state.error = trLag("no longer reported");
        m_pendingGroups.insert(key);
    }
    updateClusterStatus(sample.cluster, SourceState::Connected, QString(), timeMs);
    expireGroups(now());
    refreshAlerts();
    scheduleFlush();
}

void KafkaLagStore::expireGroups(qint64 nowMs)
{
    for (auto it = m_groups.begin(); it != m_groups.end();) {
        if (it->second->gone && it->second->state.updatedMs + m_config.retentionMs < nowMs) {
            m_pendingGroups.insert(it->first);
            it = m_groups.erase(it);
        } else {
            ++it;
        }
    }
}

void KafkaLagStore::applyGroup(const QString &cluster,
                               const KafkaGroupOffsets &offsets,
                               qint64 timeMs)
{
    const QString key = groupKey(cluster, offsets.group);
    auto found = m_groups.find(key);
    if (found == m_groups.end()) {
        auto data = std::make_unique<GroupData>();
        data->key = key;
        data->state.cluster = cluster;
        data->state.group = offsets.group;
        found = m_groups.emplace(key, std::move(data)).first;
    }
    GroupData &g = *found->second;
    g.gone = false;
    m_pendingGroups.insert(key);
    if (!g.history.empty() && timeMs <= g.history.back().timeMs) {
        qCDebug(lcKafkaLag) << "sample of" << key << "not newer than the last one; skipped";
        return;
    }
    if (g.state.error.isEmpty() && !offsets.error.isEmpty())
        g.errorSinceMs = timeMs;
    g.state.error = offsets.error;
    if (!offsets.error.isEmpty() && offsets.partitions.isEmpty())
        return; // nothing read: keep the last partitions, no history point

    const std::size_t capacity = std::size_t(m_capacity);
    const qint64 oldestMs = timeMs - m_config.retentionMs;
    const std::size_t window = std::size_t(m_config.windowSamples);
    for (const KafkaPartitionOffsets &po : offsets.partitions) {
        GroupData::Partition &p = g.partitions[{po.topic, po.partition}];
        p.lastSeenMs = timeMs;
        KafkaPartitionState &st = p.state;
        st.topic = po.topic;
        st.partition = po.partition;
        st.error = po.error;
        if (po.logEnd < 0) {
            // Unknown log end: the lag cannot be told; keep the last values, add no point.
            if (st.error.isEmpty())
                st.error = trLag("log-end offset unknown");
            continue;
        }
        st.committed = po.committed;
        st.logEnd = po.logEnd;
        st.logStart = po.logStart;
        st.lag = partitionLag(po.committed, po.logEnd, po.logStart);
        p.history.push_back({timeMs, po.committed, po.logEnd});
        trim(p.history, capacity, oldestMs);

        if (po.committed >= 0) {
            if (p.commits.empty() || po.committed != p.lastCommitted) {
                p.commits.push_back({timeMs, po.committed, po.logEnd, st.lag});
                while (p.commits.size() > window)
                    p.commits.pop_front();
                p.lastCommitChangeMs = timeMs;
                p.sameCommitted = 1;
            } else {
                ++p.sameCommitted;
            }
        } else {
            // Nothing committed (or the commit expired): no window to judge.
            p.commits.clear();
            p.sameCommitted = 0;
        }
        p.lastCommitted = po.committed;
        st.lastCommitChangeMs = p.lastCommitChangeMs;
        st.status = partitionStatus(p.commits, st, p.sameCommitted, timeMs, m_config.windowSamples);
        computeTimeLag(p.history, st, timeMs);
    }
    // Partitions no longer listed (a topic that vanished) leave the group's rows; their
    // history goes once the retention passes.
    for (auto it = g.partitions.begin(); it != g.partitions.end();) {
        if (it->second.lastSeenMs < oldestMs)
            it = g.partitions.erase(it);
        else
            ++it;
    }
    evaluate(g, timeMs);
}

void KafkaLagStore::evaluate(GroupData &g, qint64 timeMs)
{
    KafkaGroupState &s = g.state;
    const std::size_t window = std::size_t(m_config.windowSamples);
    s.partitions.clear();
    s.lag = 0;
    s.maxPartitionLag = 0;
    s.timeLagS = 0;
    s.timeLagIsLowerBound = false;
    s.status = LagStatus::Ok;
    double produce = 0;
    double consume = 0;
    bool ratesKnown = false;
    int fill = -1;
    const KafkaPartitionState *worst = nullptr;
    for (const auto &[id, p] : g.partitions) {
        if (p.lastSeenMs != timeMs)
            continue;
        const KafkaPartitionState &st = p.state;
        s.partitions.append(st);
        s.lag += st.lag;
        s.maxPartitionLag = std::max(s.maxPartitionLag, st.lag);
        if (st.timeLagS > s.timeLagS) {
            s.timeLagS = st.timeLagS;
            s.timeLagIsLowerBound = st.timeLagIsLowerBound;
        }
        if (!worst || st.status > worst->status)
            worst = &st;
        if (!p.commits.empty())
            fill = fill < 0 ? int(p.commits.size()) : std::min(fill, int(p.commits.size()));
        // Rates over the last min(window, history) samples of this partition.
        const std::size_t k = std::min(window, p.history.size());
        if (k < 2 || p.history.back().timeMs != timeMs)
            continue;
        const KafkaPartitionPoint &from = p.history[p.history.size() - k];
        const KafkaPartitionPoint &to = p.history.back();
        const double dt = double(to.timeMs - from.timeMs) / 1000.0;
        if (dt <= 0)
            continue;
        ratesKnown = true;
        produce += double(to.logEnd - from.logEnd) / dt;
        // Consumption from the first point in the window with a commit: a group that made its
        // first commit inside the window is consuming, not standing still.
        for (std::size_t i = p.history.size() - k; i + 1 < p.history.size(); ++i) {
            const KafkaPartitionPoint &first = p.history[i];
            if (first.committed < 0 || to.committed < 0)
                continue;
            const double span = double(to.timeMs - first.timeMs) / 1000.0;
            if (span > 0)
                consume += double(to.committed - first.committed) / span;
            break;
        }
    }
    if (worst)
        s.status = worst->status;
    s.windowFill = std::max(fill, 0);
    s.produceRate = produce;
    s.consumeRate = consume;
    s.ratesKnown = ratesKnown;
    s.trend = 0;
    const std::size_t k = std::min(window, g.history.size() + 1);
    if (k >= 2) {
        const KafkaLagPoint &from = g.history[g.history.size() - (k - 1)];
        const double dt = double(timeMs - from.timeMs) / 1000.0;
        if (dt > 0)
            s.trend = double(s.lag - from.lag) / dt;
    }
    if (s.lag == 0)
        s.catchUpS = 0.0;
    else if (ratesKnown && consume > produce)
        s.catchUpS = double(s.lag) / (consume - produce);
    else
        s.catchUpS.reset();
    s.updatedMs = timeMs;

    // Threshold levels, each measure with its own hysteresis state.
    const KafkaThresholds th = thresholds(g.key);
    const double h = th.hysteresis;
    const ThresholdLevel before = s.level;
    g.lagLevel = levelFor(double(s.lag), th.lag, g.lagLevel, h);
    g.timeLagLevel = levelFor(s.timeLagS, th.timeLagS, g.timeLagLevel, h);
    // Before two samples there are no rates: the catch-up level stays as it was.
    if (ratesKnown || s.lag == 0) {
        const double catchUp = s.catchUpS ? *s.catchUpS : std::numeric_limits<double>::infinity();
        g.catchUpLevel = levelFor(catchUp, th.catchUpS, g.catchUpLevel, h);
    }
    s.level = std::max({g.lagLevel, g.timeLagLevel, g.catchUpLevel});
    s.levelReason.clear();
    if (s.level != ThresholdLevel::None) {
        const auto reason = [&](const QString &measure,
                                double value,
                                const KafkaThreshold &t,
                                const std::function<QString(double)> &text) {
            const double line = s.level == ThresholdLevel::Critical ? *t.critical : *t.warning;
            const QString levelName = nameOf(s.level);
            if (value >= line)
                return trLag("%1 %2 ≥ %3 %4").arg(measure, text(value), levelName, text(line));
            return trLag("%1 %2 (%3 %4 until below %5)")
                .arg(measure, text(value), levelName, text(line), text(line * (1 - h)));
        };
        const auto count = [](double v) { return formatKafkaCount(qint64(std::llround(v))); };
        if (g.lagLevel == s.level)
            s.levelReason = reason(trLag("lag"), double(s.lag), th.lag, count);
        else if (g.timeLagLevel == s.level)
            s.levelReason = reason(trLag("time lag"), s.timeLagS, th.timeLagS, secondsText);
        else
            s.levelReason =
                reason(trLag("catch-up"),
                       s.catchUpS ? *s.catchUpS : std::numeric_limits<double>::infinity(),
                       th.catchUpS,
                       secondsText);
        if (before == ThresholdLevel::None)
            g.levelSinceMs = timeMs;
    }

    // The status alert: no flapping when a partition wobbles between two samples.
    if (s.status != LagStatus::Ok) {
        g.okRun = 0;
        if (g.nonOkRun++ == 0)
            g.nonOkSinceMs = timeMs;
        if (!g.statusAlert && g.nonOkRun >= kStatusAlertSamples) {
            g.statusAlert = true;
            g.statusAlertSinceMs = g.nonOkSinceMs;
        }
        if (g.statusAlert && worst) {
            g.alertStatus = s.status;
            g.alertDetail = trLag("%1/%2 at lag %3")
                                .arg(worst->topic)
                                .arg(worst->partition)
                                .arg(formatKafkaCount(worst->lag));
        }
    } else {
        g.nonOkRun = 0;
        ++g.okRun;
        if (g.statusAlert && g.okRun >= kStatusAlertSamples)
            g.statusAlert = false;
    }

    g.history.push_back({timeMs, s.lag, s.timeLagS, produce, consume});
    trim(g.history, std::size_t(m_capacity), timeMs - m_config.retentionMs);
}

void KafkaLagStore::refreshAlerts()
{
    QList<Alert> next;
    const auto at = [](qint64 ms) {
        return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC) : QDateTime();
    };
    for (const QString &cluster : clusters()) {
        const HostStatus status = m_clusterStatus.value(cluster);
        if (status.state != SourceState::Unreachable)
            continue;
        Alert a;
        a.key = QStringLiteral("kafka/") + cluster;
        a.environment = m_environment;
        a.source = QStringLiteral("kafka");
        a.subject = cluster;
        a.message = trLag("Kafka cluster %1 unreachable: %2").arg(cluster, status.error);
        a.severity = Alert::Severity::Critical;
        a.since = status.since;
        next.append(a);
    }
    for (const auto &[key, g] : m_groups) {
        if (g->gone)
            continue;
        const KafkaGroupState &s = g->state;
        Alert a;
        a.environment = m_environment;
        a.source = QStringLiteral("kafka");
        a.subject = key;
        if (s.level != ThresholdLevel::None) {
            a.key = QStringLiteral("kafka/") + key + QStringLiteral("/threshold");
            a.message = trLag("Consumer group %1 on %2: %3").arg(s.group, s.cluster, s.levelReason);
            a.severity = s.level == ThresholdLevel::Critical ? Alert::Severity::Critical
                                                             : Alert::Severity::Warning;
            a.since = at(g->levelSinceMs);
            next.append(a);
        }
        if (g->statusAlert) {
            a.key = QStringLiteral("kafka/") + key + QStringLiteral("/status");
            a.message = trLag("Consumer group %1 on %2 is %3: %4")
                            .arg(s.group, s.cluster, nameOf(g->alertStatus), g->alertDetail);
            a.severity = g->alertStatus == LagStatus::Warn ? Alert::Severity::Warning
                                                           : Alert::Severity::Critical;
            a.since = at(g->statusAlertSinceMs);
            next.append(a);
        }
        if (!s.error.isEmpty()) {
            a.key = QStringLiteral("kafka/") + key + QStringLiteral("/error");
            a.message = trLag("Consumer group %1 on %2: %3").arg(s.group, s.cluster, s.error);
            a.severity = Alert::Severity::Warning;
            a.since = at(g->errorSinceMs);
            next.append(a);
        }
    }
    if (next != m_alerts) {
        m_alerts = std::move(next);
        m_pendingAlerts = true;
    }
}

QStringList KafkaLagStore::clusters() const
{
    QStringList names;
    for (const KafkaClusterConfig &c : m_config.clusters)
        names.append(c.name);
    QStringList others;
    for (auto it = m_clusterStatus.cbegin(); it != m_clusterStatus.cend(); ++it) {
        if (!names.contains(it.key()))
            others.append(it.key());
    }
    others.sort();
    return names + others;
}

HostStatus KafkaLagStore::clusterStatus(const QString &cluster) const
{
    return m_clusterStatus.value(cluster);
}

QStringList KafkaLagStore::groupKeys() const
{
    QStringList keys;
    keys.reserve(qsizetype(m_groups.size()));
    for (const auto &entry : m_groups)
        keys.append(entry.first);
    return keys;
}

const KafkaGroupState *KafkaLagStore::group(const QString &key) const
{
    const auto it = m_groups.find(key);
    return it == m_groups.end() ? nullptr : &it->second->state;
}

QList<KafkaLagPoint> KafkaLagStore::history(const QString &key) const
{
    const auto it = m_groups.find(key);
    if (it == m_groups.end())
        return {};
    return QList<KafkaLagPoint>(it->second->history.cbegin(), it->second->history.cend());
}

QList<KafkaPartitionPoint>
KafkaLagStore::partitionHistory(const QString &key, const QString &topic, int partition) const
{
    const auto it = m_groups.find(key);
    if (it == m_groups.end())
        return {};
    const auto p = it->second->partitions.find({topic, partition});
    if (p == it->second->partitions.end())
        return {};
    return QList<KafkaPartitionPoint>(p->second.history.cbegin(), p->second.history.cend());
}

KafkaThresholds KafkaLagStore::thresholds(const QString &key) const
{
    return m_thresholds.value(key);
}

QList<Alert> KafkaLagStore::alerts() const
{
    return m_alerts;
}

void KafkaLagStore::scheduleFlush()
{
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void KafkaLagStore::flush()
{
    m_flushTimer.stop();
    // Taken out first: a slot that writes back into the store starts a new batch.
    const QSet<QString> clustersPending = std::exchange(m_pendingClusters, {});
    const QSet<QString> groupsPending = std::exchange(m_pendingGroups, {});
    const bool alertsPending = std::exchange(m_pendingAlerts, false);
    QStringList clusterNames(clustersPending.cbegin(), clustersPending.cend());
    clusterNames.sort();
    for (const QString &cluster : std::as_const(clusterNames))
        emit clusterStatusChanged(cluster);
    if (!groupsPending.isEmpty()) {
        QStringList keys(groupsPending.cbegin(), groupsPending.cend());
        keys.sort();
        emit groupsChanged(keys);
    }
    if (alertsPending)
        emit alertsChanged();
}

} // namespace Opsdeck::Models
