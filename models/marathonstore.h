// SPDX-License-Identifier: MIT
#pragma once

#include "models/hoststatus.h"
#include "models/marathon.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>

#include <functional>

namespace Opsdeck::Models {

/// Old and new tasks of one app, by task.version against app.version (an upgrade in flight).
struct AppVersionCounts
{
    int newTasks = 0; ///< tasks of the app's current version, any non-terminal state
    int oldTasks = 0; ///< tasks of an older version
    int newReady = 0; ///< new tasks healthy, or running when the app has no health checks
    int oldReady = 0; ///< old tasks healthy, or running when the app has no health checks

    bool operator==(const AppVersionCounts &) const = default;
};

/// The Marathon apps, tasks and deployments and the Mesos agents of one environment. The
/// connectors feed it whole snapshots; it diffs them and announces only what changed, once per
/// event-loop turn (several set… calls in one turn make one batch per signal).
class MarathonStore : public QObject
{
    Q_OBJECT

public:
    /// A deployment that shows no progress for this long counts as stuck: a new task that never
    /// becomes healthy keeps a Marathon deployment open for ever (apis.md §2.8).
    static constexpr qint64 kDefaultStuckThresholdMs = 10 * 60 * 1000;

    explicit MarathonStore(const QString &environment, QObject *parent = nullptr);

    QString environment() const { return m_environment; }

    /// Replaces the clock (milliseconds since the epoch); for tests.
    void setClock(std::function<qint64()> clock);

    qint64 now() const { return m_clock(); }

    // Writes: whole snapshots.
    /// Every app, and every task of those apps (the tasks embed). Tasks of apps not in @p apps
    /// are ignored.
    void setApps(const QList<MarathonApp> &apps, const QList<MarathonTask> &tasks);
    /// The tasks of one known app (GET /v2/apps/{id}/tasks); ignored for an unknown app.
    void setTasks(const QString &appId, const QList<MarathonTask> &tasks);
    /// Every deployment in progress. Keeps firstSeen of known ids; a new id takes its firstSeen
    /// when valid, else now.
    void setDeployments(const QList<MarathonDeployment> &deployments);
    void setAgents(const QList<MesosAgent> &agents);
    /// Marathon's and Mesos' connection state ("source status"); `since` is kept by the store.
    void setMarathonStatus(const HostStatus &status);
    void setMesosStatus(const HostStatus &status);

    // Reads
    QStringList appIds() const; ///< sorted
    const MarathonApp *app(const QString &id) const;
    QList<MarathonTask> tasks(const QString &appId) const; ///< sorted by task id
    const MarathonTask *task(const QString &appId, const QString &taskId) const;
    QList<MarathonDeployment> deployments() const; ///< oldest first
    QStringList deploymentIds() const;             ///< oldest first
    const MarathonDeployment *deployment(const QString &id) const;
    QList<MesosAgent> agents() const; ///< sorted by hostname
    QStringList agentIds() const;     ///< sorted by hostname
    const MesosAgent *agent(const QString &id) const;

    HostStatus marathonStatus() const { return m_marathonStatus; }

    HostStatus mesosStatus() const { return m_mesosStatus; }

    // Derived facts
    /// Old vs new tasks of @p appId; all zero for an unknown app.
    AppVersionCounts versionCounts(const QString &appId) const;
    /// now − firstSeen; -1 for an unknown deployment.
    qint64 deploymentAgeMs(const QString &id) const;
    /// When the deployment last moved (step or task counts of its apps); -1 when unknown.
    qint64 lastProgressMs(const QString &id) const;
    /// No progress (same currentStep, same counts of its apps) for longer than @p thresholdMs;
    /// never while Marathon is unreachable.
    bool isStuck(const QString &id, qint64 thresholdMs) const;

    /// isStuck with stuckThreshold(); a flip is announced as a deploymentsChanged "changed".
    bool isStuck(const QString &id) const { return isStuck(id, m_stuckThresholdMs); }

    void setStuckThreshold(qint64 ms);

    qint64 stuckThreshold() const { return m_stuckThresholdMs; }

    /// 0..1: finished steps, plus, within a step that starts, restarts or scales up apps, the
    /// share of wanted instances already ready at the new version. 0 for an unknown id.
    double deploymentProgress(const QString &id) const;

    /// Emits the pending batches now instead of on the next event-loop turn.
    void flush();
    /// Re-checks which deployments became stuck (runs on a timer; public for tests).
    void reevaluateStuck();

signals:
    void
    appsChanged(const QStringList &added, const QStringList &changed, const QStringList &removed);
    /// The task lists of these apps changed (tasks added, removed or updated).
    void tasksChanged(const QStringList &appIds);
    void deploymentsChanged(const QStringList &added,
                            const QStringList &changed,
                            const QStringList &removed);
    void
    agentsChanged(const QStringList &added, const QStringList &changed, const QStringList &removed);
    /// Marathon's or Mesos' status changed.
    void statusChanged();

private:
    /// Pending added/changed/removed keys of one kind; a key is in at most one set.
    struct Pending
    {
        QSet<QString> added;
        QSet<QString> changed;
        QSet<QString> removed;

        void markAdded(const QString &key);
        void markChanged(const QString &key);
        void markRemoved(const QString &key);

        bool isEmpty() const { return added.isEmpty() && changed.isEmpty() && removed.isEmpty(); }
    };

    struct Progress
    {
        int step = 0;
        QList<int> counts; ///< a fingerprint of the affected apps' task counts
        qint64 lastProgressMs = 0;
        bool stuck = false;
    };

    bool applyTasks(const QString &appId, QList<MarathonTask> tasks);
    QList<int> countsFingerprint(const MarathonDeployment &deployment) const;
    void updateProgress();
    void updateStatus(HostStatus &current, const HostStatus &incoming);
    void scheduleFlush();

    QString m_environment;
    std::function<qint64()> m_clock;
    qint64 m_stuckThresholdMs = kDefaultStuckThresholdMs;

    QHash<QString, MarathonApp> m_apps;
    QHash<QString, QList<MarathonTask>> m_tasks; ///< by app id, each sorted by task id
    QHash<QString, MarathonDeployment> m_deployments;
    QStringList m_deploymentOrder; ///< oldest first
    QHash<QString, Progress> m_progress;
    QHash<QString, MesosAgent> m_agents;
    HostStatus m_marathonStatus;
    HostStatus m_mesosStatus;

    Pending m_pendingApps;
    QSet<QString> m_pendingTasks;
    Pending m_pendingDeployments;
    Pending m_pendingAgents;
    bool m_pendingStatus = false;
    QTimer m_flushTimer;
    QTimer m_stuckTimer;
};

} // namespace Opsdeck::Models
