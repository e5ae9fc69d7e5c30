// SPDX-License-Identifier: MIT
#pragma once

#include "app/sim/httpserver.h"
#include "app/sim/simcluster.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QRandomGenerator>
#include <QSet>
#include <QStringList>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <vector>

namespace Opsdeck::Sim {

class SimDockerHost;

/// A simulated Marathon (REST API v2, API reference §2): one to nine masters sharing one state,
/// apps whose tasks run on simulated agents (and as containers on the agents' simulated Docker
/// hosts), deployments that follow Marathon's rolling-upgrade algorithm (§2.8), the SSE event
/// stream, leader changes and fault knobs. Faithful enough that the published Marathon client
/// (python3-marathon) works against it unchanged. Time runs at setTimeScale() (2.0 = twice as
/// fast). Everything runs on the thread the object lives in.
class SimMarathon : public QObject
{
    Q_OBJECT

public:
    explicit SimMarathon(QObject *parent = nullptr);
    ~SimMarathon() override;

    /// Starts @p masters masters (1 to 9) on free ports of 127.0.0.1; master 0 leads.
    /// With @p firstPort, master i listens on firstPort + i.
    bool listen(int masters = 1, quint16 firstPort = 0);
    QList<quint16> ports() const;
    /// "http://127.0.0.1:PORT" of master @p master.
    QString url(int master) const;

    QString errorString() const { return m_error; }

    /// The leading master, -1 when no leader is known.
    int leader() const { return m_leader; }

    /// Makes @p master the leader (-1: none). The old leader's event streams end; non-leaders
    /// answer API requests as if forwarded and redirect /v2/events to the leader.
    void setLeader(int master);
    /// Master @p master goes away (its socket closes); a leader hands over to the next master up.
    void stopMaster(int master);
    void stop();

    // Fault knobs for connector tests.
    void setResponseDelayMs(int ms) { m_delayMs = std::max(0, ms); }

    /// JSON answers are cut in half (status unchanged), as a broken proxy would.
    void setMalformedJson(bool malformed) { m_malformed = malformed; }

    /// Ends every event stream now, as a network drop would.
    void dropEventStreams();

    void setTimeScale(double scale) { m_timeScale = scale > 0 ? scale : 1.0; }

    /// Ids and uuids come from @p seed: the same calls give the same ids.
    void setSeed(quint32 seed);

    /// The environment this Marathon belongs to (framework name, ZooKeeper path).
    void setEnvironment(const QString &name) { m_environment = name; }

    QString environment() const { return m_environment; }

    void addAgent(const SimAgent &agent);

    QList<SimAgent> agents() const { return m_agents; }

    /// Tasks that have not ended, for the simulated Mesos master.
    QList<SimTask> tasks() const;

    QString frameworkId() const { return m_frameworkId; }

    /// Creates an app as if deployed long ago: instances running (healthy if it has health
    /// checks), no deployment. The definition is what `PUT /v2/apps/{id}` would take.
    void addApp(const QJsonObject &definition);
    /// The app's definition as `GET /v2/apps/{id}` shows it, without embeds; empty if unknown.
    QJsonObject app(const QString &appId) const;

    QStringList appIds() const { return m_apps.keys(); }

    /// Tasks of @p image start but never pass health checks (without health checks: exit soon
    /// after start), so a deployment to it stays stuck until rolled back or forced.
    void setBrokenImage(const QString &image) { m_brokenImages.insert(image); }

    /// What `PUT /v2/apps/{appId}?force=true` with @p partialUpdate does; the deployment id,
    /// empty when the update is invalid.
    QString startDeployment(const QString &appId, const QJsonObject &partialUpdate);
    QStringList deploymentIds() const;

signals:
    void tasksChanged();
    /// A task ended (@p task.state is the terminal state); it has left tasks() already.
    void taskTerminated(const Opsdeck::Sim::SimTask &task);
    /// A deployment finished successfully (not when cancelled or rolled back).
    void deploymentFinished(const QString &id);
    /// Emitted at every change while an app is being replaced (RestartApplication): old tasks
    /// not yet terminal, new tasks launched or queued, tasks running and considered healthy
    /// (health checks passing, or running without health checks), not being killed.
    void capacitySample(const QString &appId, int oldActive, int newStarted, int healthyTotal);
    /// Every event published on /v2/events, before filtering.
    void eventPublished(const QJsonObject &event);

private:
    enum class Health {
        Unknown,
        Alive,
        Failing
    };

    struct Task
    {
        QString id;
        QString instanceId;
        QString appId;
        QString agentId;
        QString host;
        QString version; ///< the app version it runs
        QString image;
        QString state = QStringLiteral("TASK_STAGING");
        QList<int> ports;
        QList<int> servicePorts;
        double cpus = 0;
        double mem = 0;
        double disk = 0;
        QDateTime stagedAt;
        QDateTime startedAt;
        bool hasHealth = false;
        Health health = Health::Unknown;
        int consecutiveFailures = 0;
        QDateTime firstSuccess;
        QDateTime lastSuccess;
        QDateTime lastFailure;
        bool broken = false;
        bool killing = false;
        bool unhealthyKill = false;
        quint64 serial = 0; ///< changes at every state change: stale timers see it
        QString containerId;
        QPointer<SimDockerHost> docker; ///< not owned
    };

    struct App
    {
        QJsonObject def; ///< normalised definition, with version and versionInfo
        QMap<QString, QJsonObject> versions; ///< by version, the last kMaxVersions
        QJsonObject lastTaskFailure;
        int queued = 0; ///< launches waiting in the launch queue
        QDateTime queuedSince;
        int delayStep = 0; ///< back-off: failures since the last reset
        QDateTime delayUntil;
        bool queueTimer = false;
    };

    struct Deployment
    {
        QString id;
        QString version;
        QString appId;
        QString action; ///< StartApplication, ScaleApplication, RestartApplication, StopApplication
        QJsonObject original; ///< the app before (empty: created by this deployment)
        QJsonObject target;   ///< the app after (empty: deleted by this deployment)
        bool done = false;
        // RestartApplication (TaskReplaceActor, API reference §2.8)
        QStringList toKill;   ///< old tasks still to kill, unhealthy first
        QSet<QString> oldIds; ///< old tasks not yet terminal
        int started = 0;      ///< new tasks launched or queued
        int maxCapacity = 0;
        QSet<QString> readyNew; ///< new tasks that have been healthy and ready
        int lastOld = -1;       ///< the last capacity sample
        int lastNew = -1;
        int lastHealthy = -1;
        // ScaleApplication with named tasks (DELETE …/tasks/{id}?scale=true)
        QStringList killIds;
    };

    struct Master
    {
        std::unique_ptr<HttpServer> server;
        quint16 port = 0;
        bool up = false;
    };

    struct Stream
    {
        QPointer<HttpExchange> exchange;
        int master = 0;
        QSet<QString> types; ///< empty: all
    };

    /// Why a change was refused: status and Marathon's error body.
    struct Failure
    {
        int status = 0;
        QString message;
        QJsonArray details;
        QJsonArray deployments; ///< 409: the deployments holding the lock
    };

    // HTTP
    void dispatch(int master, HttpExchange *exchange);
    void route(int master, HttpExchange *exchange);
    void routeApps(int master, HttpExchange *exchange, const QString &rest);
    void listApps(int master, HttpExchange *exchange, const QString &group);
    void createApp(int master, HttpExchange *exchange);
    void openEventStream(int master, HttpExchange *exchange);
    void reply(int master,
               HttpExchange *exchange,
               int status,
               const QJsonValue &body,
               HttpHeaders headers = {});
    void replyError(int master,
                    HttpExchange *exchange,
                    int status,
                    const QString &message,
                    const QJsonArray &details = {});
    void replyFailure(int master, HttpExchange *exchange, const Failure &failure);
    void replyDeployment(int master,
                         HttpExchange *exchange,
                         int status,
                         const QString &id,
                         HttpHeaders headers = {});
    /// Reads a boolean query parameter; answers 400 and returns false when it is not one.
    bool
    boolParam(int master, HttpExchange *exchange, const QString &name, bool fallback, bool *value);
    HttpHeaders leaderHeaders(int master) const;
    QString leaderHostPort() const;

    // JSON views
    QJsonObject appJson(const App &app, const QSet<QString> &embeds) const;
    QJsonObject taskJson(const Task &task) const;
    QJsonObject deploymentJson(const Deployment &d) const;
    QJsonObject planJson(const Deployment &d) const;
    QJsonObject queueJson() const;
    QJsonObject infoJson(int master) const;

    // Apps and deployments
    QJsonObject normalise(QJsonObject def, const QJsonObject &previous);
    QJsonArray validate(const QJsonObject &def) const;
    /// PUT /v2/apps/{id}: the deployment id, or empty with @p failure filled in.
    QString update(const QString &appId,
                   QJsonObject body,
                   bool partial,
                   bool force,
                   bool *created,
                   Failure *failure);
    /// False (409) when a deployment holds the app and @p force is false; with force it is
    /// cancelled.
    bool checkLock(const QString &appId, bool force, Failure *failure);
    QString createDeployment(const QString &appId,
                             const QJsonObject &original,
                             const QJsonObject &target,
                             const QString &action,
                             const QStringList &killIds = {});
    /// Ends a deployment without finishing it; @p settle: the app then keeps its instance count.
    void cancelDeployment(const QString &id, const QString &reason, bool settle);
    QString rollback(const QString &id);
    void runDeployment(Deployment &d);
    void killNextOld(const QString &deploymentId);
    void replaceLaunch(const QString &deploymentId);
    void onTaskReady(const QString &taskId);
    /// Finishes what is done, emits capacity samples; call after every change.
    void progress();
    void finishDeployment(const QString &id);
    Deployment *deployment(const QString &id);
    Deployment *deploymentFor(const QString &appId);
    QString newVersion();
    void storeVersion(App &app);

    // Tasks
    void reconcile(const QString &appId);
    void processQueue(const QString &appId);
    /// Places one task of the app on an agent with room; false when none has room.
    bool launch(const QString &appId, bool seeded);
    void startContainer(Task &task);
    void advance(const QString &taskId, quint64 serial, const QString &state);
    void healthResult(const QString &taskId, quint64 serial, Health result);
    void kill(const QString &taskId, bool unhealthy = false);
    void terminate(const QString &taskId, const QString &state, const QString &message);
    void setState(Task &task, const QString &state, const QString &message = {});
    bool consideredHealthy(const Task &task) const;
    bool ready(const Task &task) const;
    /// The app's tasks, oldest first.
    QList<const Task *> appTasks(const QString &appId) const;

    int scaled(int ms) const { return std::max(1, int(ms / m_timeScale)); }

    QString uuid();
    void publish(QJsonObject event);
    void keepAlive();

    std::vector<Master> m_masters;
    int m_leader = 0;
    QString m_error;
    int m_delayMs = 0;
    bool m_malformed = false;
    double m_timeScale = 1.0;
    QRandomGenerator m_random;
    QString m_environment = QStringLiteral("default");
    QString m_frameworkId;
    QString m_lastVersion;

    QList<SimAgent> m_agents;
    QMap<QString, App> m_apps;   ///< by app id
    QMap<QString, Task> m_tasks; ///< tasks that have not ended, by task id
    QList<Deployment> m_deployments;
    QSet<QString> m_brokenImages;
    QList<Stream> m_streams;
    QTimer m_keepAlive;
    int m_nextServicePort = 10000;
    int m_busy = 0; ///< inside runDeployment(): progress() waits
};

} // namespace Opsdeck::Sim
