// SPDX-License-Identifier: MIT
#include "models/marathonrollouttracker.h"

#include <QDateTime>

namespace Opsdeck::Models {

MarathonRolloutTracker::MarathonRolloutTracker(const QString &environment,
                                               MarathonStore *store,
                                               QObject *parent)
    : QObject(parent)
    , m_environment(environment)
    , m_store(store)
{
    if (!store)
        return;
    connect(
        store, &MarathonStore::deploymentsChanged, this, &MarathonRolloutTracker::onDeployments);
    // Task changes move the counts of a deployment's app between deployment events.
    connect(store, &MarathonStore::tasksChanged, this, [this](const QStringList &apps) {
        for (auto it = m_progress.begin(); it != m_progress.end(); ++it)
            if (!isFinal(it->phase) && apps.contains(it->service))
                update(it.key(), true);
    });
    for (const QString &id : store->deploymentIds())
        update(id, true);
}

void MarathonRolloutTracker::onDeployments(const QStringList &added,
                                           const QStringList &changed,
                                           const QStringList &removed)
{
    for (const QString &id : added + changed)
        update(id, true);
    for (const QString &id : removed)
        finish(id);
}

void MarathonRolloutTracker::fill(RolloutProgress &p, const QString &appId) const
{
    const MarathonApp *app = m_store->app(appId);
    const AppVersionCounts counts = m_store->versionCounts(appId);
    const int wanted = app ? app->instances : 0;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<InstanceProgress> instances;
    for (int i = 0; i < wanted; ++i) {
        InstanceProgress ip = i < p.instances.size() ? p.instances.at(i) : InstanceProgress{};
        ip.host = tr("instance %1").arg(i + 1);
        ip.name = appId;
        RolloutStep step = RolloutStep::Pending;
        if (i < counts.newReady)
            step = RolloutStep::Done;
        else if (i < counts.newTasks)
            step = RolloutStep::WaitingHealthy;
        if (step != RolloutStep::Pending && ip.startedMs == 0)
            ip.startedMs = now;
        if (step == RolloutStep::Done && ip.endedMs == 0)
            ip.endedMs = now;
        ip.step = step;
        instances << ip;
    }
    p.instances = instances;
    p.batchSize = 1;
}

void MarathonRolloutTracker::update(const QString &deploymentId, bool announce)
{
    if (!m_store)
        return;
    const MarathonDeployment *d = m_store->deployment(deploymentId);
    if (!d)
        return;
    const bool isNew = !m_progress.contains(deploymentId);
    RolloutProgress &p = m_progress[deploymentId];
    const QString appId = d->affectedApps.value(0);
    if (isNew) {
        p.id = QStringLiteral("marathon:") + deploymentId;
        p.kind = QStringLiteral("marathon");
        p.environment = m_environment;
        p.service = appId;
        p.startedMs = d->firstSeen.isValid() ? d->firstSeen.toMSecsSinceEpoch()
                                             : QDateTime::currentMSecsSinceEpoch();
        p.log << RolloutLogLine{p.startedMs,
                                tr("Marathon deployment %1 of %2 (%3 steps)")
                                    .arg(deploymentId, d->affectedApps.join(QStringLiteral(", ")))
                                    .arg(d->totalSteps)};
    }
    if (const MarathonApp *app = m_store->app(appId))
        p.image = app->image;
    fill(p, appId);
    const AppVersionCounts counts = m_store->versionCounts(appId);
    QStringList actions;
    for (const auto &a : d->currentActions)
        actions << a.action;
    const QString line = tr("step %1 of %2 (%3): %4 new ready of %5, %6 old left")
                             .arg(d->currentStep)
                             .arg(d->totalSteps)
                             .arg(actions.join(QStringLiteral(", ")))
                             .arg(counts.newReady)
                             .arg(p.instances.size())
                             .arg(counts.oldTasks);
    if (m_lastLog.value(deploymentId) != line) {
        m_lastLog.insert(deploymentId, line);
        p.log << RolloutLogLine{QDateTime::currentMSecsSinceEpoch(), line};
    }
    const bool stuck = m_store->isStuck(deploymentId);
    p.phase = RolloutPhase::Running;
    p.summary = stuck ? tr("no progress for %1 s: stuck?").arg(m_store->stuckThreshold() / 1000)
                      : QString();
    if (announce)
        emit progressChanged(p);
}

void MarathonRolloutTracker::finish(const QString &deploymentId)
{
    const auto it = m_progress.find(deploymentId);
    if (it == m_progress.end() || isFinal(it->phase))
        return;
    RolloutProgress &p = *it;
    fill(p, p.service);
    const bool allNew =
        p.doneCount() == p.instances.size() && m_store->versionCounts(p.service).oldTasks == 0;
    // Marathon drops a deployment when it is done, and when it is cancelled or replaced.
    p.phase = allNew ? RolloutPhase::Succeeded : RolloutPhase::Aborted;
    p.summary =
        allNew ? tr("%1 instances of %2 at the new version").arg(p.instances.size()).arg(p.service)
               : tr("the deployment ended before every instance was at the new version "
                    "(cancelled, or replaced by another deployment)");
    p.endedMs = QDateTime::currentMSecsSinceEpoch();
    p.log << RolloutLogLine{p.endedMs, p.summary};
    emit progressChanged(p);
}

} // namespace Opsdeck::Models
