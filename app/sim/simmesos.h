// SPDX-License-Identifier: MIT
#pragma once

#include "app/sim/httpserver.h"
#include "app/sim/simcluster.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QUrl>

#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

namespace Opsdeck::Sim {

/// A simulated Mesos master (1.x HTTP endpoints, API reference §3), one or several of them
/// with one leader: `/master/state` and its aliases, `/metrics/snapshot`, `/master/redirect`.
/// It owns no cluster of its own: agents and tasks come from a source (the simulated
/// Marathon), read at every request, so what it serves is always that source's present.
class SimMesos : public QObject
{
    Q_OBJECT

public:
    using AgentSource = std::function<QList<SimAgent>()>;
    using TaskSource = std::function<QList<SimTask>()>;

    explicit SimMesos(QObject *parent = nullptr);
    ~SimMesos() override;

    /// Where agents and tasks come from; the framework is registered under @p frameworkId.
    void setSource(AgentSource agents,
                   TaskSource tasks,
                   const QString &frameworkId,
                   const QString &frameworkName = QStringLiteral("marathon"));

    /// Starts @p masters masters (1 to 9) on free ports of 127.0.0.1; master 0 leads.
    /// With @p firstPort, master i listens on firstPort + i.
    bool listen(int masters = 1, quint16 firstPort = 0);
    void stop();

    QString errorString() const { return m_error; }

    int masterCount() const { return int(m_masters.size()); }

    /// The leading master's index, -1 when no leader is known.
    int leader() const { return m_leader; }

    /// -1: no leader (a master then redirects to itself and answers state with 503).
    void setLeader(int master);

    QUrl url(int master = 0) const;
    QList<quint16> ports() const;

    // Fault knobs: every answer this late; state and metrics bodies cut short.
    void setResponseDelayMs(int ms) { m_delayMs = std::max(0, ms); }

    void setMalformedJson(bool malformed) { m_malformed = malformed; }

    /// Counts @p count tasks that ended in @p state (TASK_FINISHED, TASK_FAILED, …) in the
    /// terminal counters of /metrics/snapshot, for ends the source never showed.
    void countTerminal(const QString &state, int count = 1);

public slots:
    /// Looks at the source now: tasks gone since the last look end as killed (or in the
    /// terminal state last seen) and are counted. Connect the source's tasksChanged() here;
    /// every request also looks.
    void refresh();

private:
    struct Master
    {
        std::unique_ptr<HttpServer> server;
        QString id;
        QDateTime startTime;
        QDateTime electedTime;
    };

    /// What the master remembers of a task between looks.
    struct Seen
    {
        SimTask task;                         ///< as last seen; state is the end state once ended
        QMap<QString, QDateTime> firstSeenIn; ///< state → when first seen in it
        bool ended = false;                   ///< counted and listed in completed_tasks
    };

    void handle(int master, HttpExchange *exchange);
    void reply(HttpExchange *exchange,
               int status,
               const QByteArray &body,
               const QByteArray &contentType,
               const HttpHeaders &headers = {});
    QByteArray jsonBody(const QJsonObject &object) const;

    /// Tasks in the source that have not ended, by id.
    QList<const Seen *> liveTasks() const;
    QJsonObject stateJson(int master) const;
    QJsonObject
    agentJson(const SimAgent &agent, int ordinal, const QList<const Seen *> &tasksOnAgent) const;
    QJsonObject frameworkJson(const QList<const Seen *> &live) const;
    QJsonObject taskJson(const Seen &seen) const;
    QJsonObject metricsJson(int master) const;
    QString pid(int master) const;

    AgentSource m_agents;
    TaskSource m_tasks;
    QString m_frameworkId;
    QString m_frameworkName;
    QDateTime m_frameworkRegistered;

    std::vector<Master> m_masters;
    int m_leader = 0;
    QString m_error;
    int m_delayMs = 0;
    bool m_malformed = false;

    QMap<QString, Seen> m_seen;             ///< tasks in the source at the last look, by id
    QList<Seen> m_completed;                ///< ended tasks, oldest first, bounded
    QMap<QString, double> m_terminalCounts; ///< "master/tasks_killed" → count
};

} // namespace Opsdeck::Sim
