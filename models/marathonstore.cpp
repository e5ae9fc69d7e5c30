// SPDX-License-Identifier: MIT
#include "models/marathonstore.h"

#include <QDateTime>

#include <algorithm>

namespace Opsdeck::Models {

namespace {
// Stuck means ten minutes without progress by default, so a tick every five seconds flips the
// flag close enough to the threshold without costing anything noticeable.
constexpr int kStuckTickMs = 5000;

QStringList sorted(const QSet<QString> &keys)
{
    QStringList list(keys.cbegin(), keys.cend());
    list.sort();
    return list;
}

bool isReady(const MarathonTask &task, bool hasHealthChecks)
{
    if (hasHealthChecks)
        return task.health == TaskHealth::Healthy;
    return task.state == QLatin1String("TASK_RUNNING");
}

/// Takes the snapshot @p incoming into @p current by id, marking new and different entries in
/// @p pending; returns the ids it lists.
template<typename T, typename Pending>
QSet<QString> mergeSnapshot(QHash<QString, T> &current, const QList<T> &incoming, Pending &pending)
{
    QSet<QString> seen;
    seen.reserve(incoming.size());
    for (const T &item : incoming) {
        seen.insert(item.id);
        auto it = current.find(item.id);
        if (it == current.end()) {
            current.insert(item.id, item);
            pending.markAdded(item.id);
        } else if (*it != item) {
            *it = item;
            pending.markChanged(item.id);
        }
    }
    return seen;
}

/// The keys of @p current that @p seen does not list.
template<typename T>
QStringList notListed(const QHash<QString, T> &current, const QSet<QString> &seen)
{
    QStringList gone;
    for (auto it = current.cbegin(); it != current.cend(); ++it) {
        if (!seen.contains(it.key()))
            gone << it.key();
    }
    return gone;
}

} // namespace

void MarathonStore::Pending::markAdded(const QString &key)
{
    if (removed.remove(key))
        changed.insert(key); // removed and re-added in one batch: the row stays
    else
        added.insert(key);
}

void MarathonStore::Pending::markChanged(const QString &key)
{
    if (!added.contains(key))
        changed.insert(key);
}

void MarathonStore::Pending::markRemoved(const QString &key)
{
    changed.remove(key);
    if (!added.remove(key))
        removed.insert(key);
}

MarathonStore::MarathonStore(const QString &environment, QObject *parent)
    : QObject(parent)
    , m_environment(environment)
    , m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(0);
    connect(&m_flushTimer, &QTimer::timeout, this, &MarathonStore::flush);
    m_stuckTimer.setInterval(kStuckTickMs);
    connect(&m_stuckTimer, &QTimer::timeout, this, &MarathonStore::reevaluateStuck);
}

void MarathonStore::setClock(std::function<qint64()> clock)
{
    m_clock = std::move(clock);
}

void MarathonStore::setApps(const QList<MarathonApp> &apps, const QList<MarathonTask> &tasks)
{
    const QSet<QString> seen = mergeSnapshot(m_apps, apps, m_pendingApps);
    for (const QString &id : notListed(m_apps, seen)) {
        m_apps.remove(id);
        m_pendingApps.markRemoved(id);
        if (m_tasks.remove(id) > 0)
            m_pendingTasks.insert(id);
    }

    QHash<QString, QList<MarathonTask>> byApp;
    for (const MarathonTask &t : tasks) {
        if (seen.contains(t.appId))
            byApp[t.appId].append(t);
    }
    for (const QString &id : std::as_const(seen)) {
        if (applyTasks(id, byApp.value(id)))
            m_pendingTasks.insert(id);
    }
    updateProgress();
    scheduleFlush();
}

void MarathonStore::setTasks(const QString &appId, const QList<MarathonTask> &tasks)
{
    if (!m_apps.contains(appId))
        return;
    QList<MarathonTask> own;
    for (const MarathonTask &t : tasks) {
        if (t.appId == appId)
            own.append(t);
    }
    if (applyTasks(appId, std::move(own))) {
        m_pendingTasks.insert(appId);
        updateProgress();
        scheduleFlush();
    }
}

bool MarathonStore::applyTasks(const QString &appId, QList<MarathonTask> tasks)
{
    std::sort(tasks.begin(), tasks.end(), [](const MarathonTask &a, const MarathonTask &b) {
        return a.id < b.id;
    });
    auto it = m_tasks.find(appId);
    if (it == m_tasks.end()) {
        if (tasks.isEmpty())
            return false;
        m_tasks.insert(appId, std::move(tasks));
        return true;
    }
    if (*it == tasks)
        return false;
    if (tasks.isEmpty())
        m_tasks.erase(it);
    else
        *it = std::move(tasks);
    return true;
}

void MarathonStore::setDeployments(const QList<MarathonDeployment> &deployments)
{
    QSet<QString> seen;
    seen.reserve(deployments.size());
    for (const MarathonDeployment &incoming : deployments) {
        if (seen.contains(incoming.id))
            continue; // a duplicate id in one answer: the first one counts
        seen.insert(incoming.id);
        MarathonDeployment d = incoming;
        auto it = m_deployments.find(d.id);
        if (it == m_deployments.end()) {
            if (!d.firstSeen.isValid())
                d.firstSeen = QDateTime::fromMSecsSinceEpoch(now(), Qt::UTC);
            m_deployments.insert(d.id, d);
            m_deploymentOrder.append(d.id);
            m_pendingDeployments.markAdded(d.id);
        } else {
            d.firstSeen = it->firstSeen;
            if (*it != d) {
                *it = d;
                m_pendingDeployments.markChanged(d.id);
            }
        }
    }
    for (auto it = m_deploymentOrder.begin(); it != m_deploymentOrder.end();) {
        if (seen.contains(*it)) {
            ++it;
            continue;
        }
        m_deployments.remove(*it);
        m_progress.remove(*it);
        m_pendingDeployments.markRemoved(*it);
        it = m_deploymentOrder.erase(it);
    }
    updateProgress();
    if (m_deployments.isEmpty())
        m_stuckTimer.stop();
    else if (!m_stuckTimer.isActive())
        m_stuckTimer.start();
    scheduleFlush();
}

void MarathonStore::setAgents(const QList<MesosAgent> &agents)
{
    const QSet<QString> seen = mergeSnapshot(m_agents, agents, m_pendingAgents);
    for (const QString &id : notListed(m_agents, seen)) {
        m_agents.remove(id);
        m_pendingAgents.markRemoved(id);
    }
    scheduleFlush();
}

void MarathonStore::updateStatus(HostStatus &current, const HostStatus &incoming)
{
    HostStatus next = incoming;
    if (next.state != current.state || !current.since.isValid())
        next.since = QDateTime::fromMSecsSinceEpoch(now(), Qt::UTC);
    else
        next.since = current.since;
    if (next == current)
        return;
    current = next;
    m_pendingStatus = true;
    scheduleFlush();
}

void MarathonStore::setMarathonStatus(const HostStatus &status)
{
    updateStatus(m_marathonStatus, status);
    reevaluateStuck();
}

void MarathonStore::setMesosStatus(const HostStatus &status)
{
    updateStatus(m_mesosStatus, status);
}

QStringList MarathonStore::appIds() const
{
    QStringList ids = m_apps.keys();
    ids.sort();
    return ids;
}

const MarathonApp *MarathonStore::app(const QString &id) const
{
    const auto it = m_apps.constFind(id);
    return it == m_apps.cend() ? nullptr : &*it;
}

QList<MarathonTask> MarathonStore::tasks(const QString &appId) const
{
    return m_tasks.value(appId);
}

const MarathonTask *MarathonStore::task(const QString &appId, const QString &taskId) const
{
    const auto it = m_tasks.constFind(appId);
    if (it == m_tasks.cend())
        return nullptr;
    // Sorted by id (applyTasks).
    const auto t = std::lower_bound(
        it->cbegin(), it->cend(), taskId, [](const MarathonTask &a, const QString &id) {
            return a.id < id;
        });
    return t != it->cend() && t->id == taskId ? &*t : nullptr;
}

QList<MarathonDeployment> MarathonStore::deployments() const
{
    QList<MarathonDeployment> list;
    list.reserve(m_deploymentOrder.size());
    for (const QString &id : m_deploymentOrder)
        list.append(m_deployments.value(id));
    return list;
}

QStringList MarathonStore::deploymentIds() const
{
    return m_deploymentOrder;
}

const MarathonDeployment *MarathonStore::deployment(const QString &id) const
{
    const auto it = m_deployments.constFind(id);
    return it == m_deployments.cend() ? nullptr : &*it;
}

QStringList MarathonStore::agentIds() const
{
    QStringList ids = m_agents.keys();
    std::sort(ids.begin(), ids.end(), [this](const QString &a, const QString &b) {
        const QString &ha = m_agents.value(a).hostname;
        const QString &hb = m_agents.value(b).hostname;
        return ha != hb ? ha < hb : a < b;
    });
    return ids;
}

QList<MesosAgent> MarathonStore::agents() const
{
    QList<MesosAgent> list;
    const QStringList ids = agentIds();
    list.reserve(ids.size());
    for (const QString &id : ids)
        list.append(m_agents.value(id));
    return list;
}

const MesosAgent *MarathonStore::agent(const QString &id) const
{
    const auto it = m_agents.constFind(id);
    return it == m_agents.cend() ? nullptr : &*it;
}

AppVersionCounts MarathonStore::versionCounts(const QString &appId) const
{
    AppVersionCounts counts;
    const MarathonApp *a = app(appId);
    if (!a)
        return counts;
    const bool checks = a->healthCheckCount > 0;
    for (const MarathonTask &t : m_tasks.value(appId)) {
        if (isTerminalTaskState(t.state))
            continue;
        const bool ready = isReady(t, checks);
        if (t.version == a->version) {
            ++counts.newTasks;
            counts.newReady += ready ? 1 : 0;
        } else {
            ++counts.oldTasks;
            counts.oldReady += ready ? 1 : 0;
        }
    }
    return counts;
}

qint64 MarathonStore::deploymentAgeMs(const QString &id) const
{
    const MarathonDeployment *d = deployment(id);
    if (!d || !d->firstSeen.isValid())
        return -1;
    return std::max<qint64>(0, now() - d->firstSeen.toMSecsSinceEpoch());
}

qint64 MarathonStore::lastProgressMs(const QString &id) const
{
    const auto it = m_progress.constFind(id);
    return it == m_progress.cend() ? -1 : it->lastProgressMs;
}

bool MarathonStore::isStuck(const QString &id, qint64 thresholdMs) const
{
    // While Marathon cannot be asked, "no progress seen" says nothing about the deployment.
    if (m_marathonStatus.state == SourceState::Unreachable)
        return false;
    const auto it = m_progress.constFind(id);
    return it != m_progress.cend() && now() - it->lastProgressMs > thresholdMs;
}

void MarathonStore::setStuckThreshold(qint64 ms)
{
    m_stuckThresholdMs = ms;
    reevaluateStuck();
}

double MarathonStore::deploymentProgress(const QString &id) const
{
    const MarathonDeployment *d = deployment(id);
    if (!d)
        return 0;
    const int total = std::max(1, d->totalSteps);
    const int step = std::clamp(d->currentStep, 1, total);
    // Within the step: the share of wanted instances ready at the new version, for the actions
    // that bring up tasks (a restart or new image is a RestartApplication, §2.5). Without it a
    // one-step deployment would sit at 0 % until it vanishes.
    double within = 0;
    int counted = 0;
    for (const MarathonDeployment::Action &action : d->currentActions) {
        if (action.action != QLatin1String("RestartApplication")
            && action.action != QLatin1String("StartApplication")
            && action.action != QLatin1String("ScaleApplication"))
            continue;
        const MarathonApp *a = app(action.app);
        if (!a || a->instances <= 0)
            continue;
        const AppVersionCounts counts = versionCounts(action.app);
        within += double(std::min(counts.newReady, a->instances)) / a->instances;
        ++counted;
    }
    if (counted > 0)
        within /= counted;
    return std::clamp((step - 1 + within) / total, 0.0, 1.0);
}

QList<int> MarathonStore::countsFingerprint(const MarathonDeployment &deployment) const
{
    QList<int> print{deployment.currentStep};
    for (const QString &appId : deployment.affectedApps) {
        const MarathonApp *a = app(appId);
        if (!a) {
            print << -1;
            continue;
        }
        const AppVersionCounts v = versionCounts(appId);
        print << a->instances << a->tasksStaged << a->tasksRunning << a->tasksHealthy
              << a->tasksUnhealthy << v.newTasks << v.newReady << v.oldTasks << v.oldReady;
    }
    return print;
}

void MarathonStore::updateProgress()
{
    const qint64 t = now();
    for (const QString &id : std::as_const(m_deploymentOrder)) {
        const MarathonDeployment &d = m_deployments[id];
        const QList<int> print = countsFingerprint(d);
        auto it = m_progress.find(id);
        if (it == m_progress.end()) {
            Progress p;
            p.step = d.currentStep;
            p.counts = print;
            p.lastProgressMs = d.firstSeen.isValid() ? d.firstSeen.toMSecsSinceEpoch() : t;
            it = m_progress.insert(id, p);
        } else if (it->step != d.currentStep || it->counts != print) {
            it->step = d.currentStep;
            it->counts = print;
            it->lastProgressMs = t;
        }
    }
    reevaluateStuck();
}

void MarathonStore::reevaluateStuck()
{
    for (auto it = m_progress.begin(); it != m_progress.end(); ++it) {
        const bool stuck = isStuck(it.key());
        if (stuck != it->stuck) {
            it->stuck = stuck;
            m_pendingDeployments.markChanged(it.key());
            scheduleFlush();
        }
    }
}

void MarathonStore::scheduleFlush()
{
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void MarathonStore::flush()
{
    m_flushTimer.stop();
    // Taken out first: a slot that writes back into the store starts a new batch.
    const Pending apps = std::exchange(m_pendingApps, {});
    const QSet<QString> tasks = std::exchange(m_pendingTasks, {});
    const Pending deployments = std::exchange(m_pendingDeployments, {});
    const Pending agents = std::exchange(m_pendingAgents, {});
    const bool status = std::exchange(m_pendingStatus, false);
    if (!apps.isEmpty())
        emit appsChanged(sorted(apps.added), sorted(apps.changed), sorted(apps.removed));
    if (!tasks.isEmpty())
        emit tasksChanged(sorted(tasks));
    if (!deployments.isEmpty()) {
        // New deployments in the order they appeared (oldest first), like deploymentIds().
        QStringList added;
        for (const QString &id : std::as_const(m_deploymentOrder)) {
            if (deployments.added.contains(id))
                added << id;
        }
        emit deploymentsChanged(added, sorted(deployments.changed), sorted(deployments.removed));
    }
    if (!agents.isEmpty())
        emit agentsChanged(sorted(agents.added), sorted(agents.changed), sorted(agents.removed));
    if (status)
        emit statusChanged();
}

} // namespace Opsdeck::Models
