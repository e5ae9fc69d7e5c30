// SPDX-License-Identifier: MIT
#pragma once

#include "connectors/docker/dockerparsers.h"
#include "connectors/http/httpclient.h"
#include "models/containeroperations.h"
#include "models/environmentsconfig.h"
#include "models/environmentstore.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

namespace Opsdeck::Connectors {

/// Timings of a host connection; the defaults suit people, tests shorten them.
struct DockerTimings
{
    int requestTimeoutMs = 10000;
    int connectTimeoutMs = 3000;
    /// A host that accepted the connection must start answering the event stream this soon.
    int streamHeadersTimeoutMs = 5000;
    /// Liveness probe while connected: /_ping every pingIntervalMs, failing after pingTimeoutMs.
    int pingIntervalMs = 10000;
    int pingTimeoutMs = 3000;
    int reconnectInitialMs = 500;
    int reconnectMaxMs = 30000;
    /// Events for one container are coalesced into one inspect after this delay.
    int inspectCoalesceMs = 50;
    int maxInspectsInFlight = 8;
};

/// Keeps one environment store up to date with one Docker host: a full listing on connect,
/// then live changes from GET /events (no polling), each event confirmed by an inspect.
/// A dead or hung host shows as unreachable with the reason, and is retried with backoff;
/// nothing it does delays any other host.
class DockerHostConnector : public QObject
{
    Q_OBJECT

public:
    DockerHostConnector(const Models::DockerHostConfig &config,
                        Models::EnvironmentStore *store,
                        HttpClient *http,
                        QObject *parent = nullptr);
    ~DockerHostConnector() override;

    static Models::Result<HttpEndpoint> endpointFor(const Models::DockerHostConfig &config);

    QString hostId() const { return m_config.name; }

    void setTimings(const DockerTimings &timings) { m_timings = timings; }

    void start();
    void stop();

    void requestAction(const QString &containerId,
                       Models::ContainerAction action,
                       int stopTimeoutSeconds = 10);
    /// Caller owns the follower; deleting it closes the stream.
    Models::LogFollower *followLogs(const QString &containerId, int tail, bool follow = true);
    void requestStats(const QString &containerId);

    /// Reads one file out of a container through GET /containers/{id}/archive?path= (a tar,
    /// Docker API 1.41); answered by fileRead or fileReadFailed.
    void readFile(const QString &containerId, const QString &path);

    /// One-off full listing of the host (list + inspect of every container), for `status`
    /// and the benchmark; emits resyncFinished when every inspect has answered.
    void resync();

signals:
    void actionFinished(const QString &key,
                        Opsdeck::Models::ContainerAction action,
                        bool ok,
                        const QString &message);
    void statsReady(const QString &key, const Opsdeck::Models::ContainerStats &stats);
    void statsFailed(const QString &key, const QString &message);
    /// @p content of the file at @p path in the container (key: "host/containerId").
    void fileRead(const QString &key, const QString &path, const QByteArray &content);
    void fileReadFailed(const QString &key, const QString &path, const QString &message);
    /// A full listing and all its inspects are done (or the host failed meanwhile).
    void resyncFinished(bool ok);
    /// The host became unreachable; it is retried with backoff.
    void failed(const QString &reason);

private:
    QByteArray apiPath(const QByteArray &path) const;
    HttpRequest request(const QByteArray &method, const QByteArray &path) const;
    void connectToHost();
    void openEventStream();
    void onEventData(const QByteArray &chunk);
    void handleEvent(const DockerEvent &event);
    void scheduleInspect(const QString &containerId);
    void pumpInspects();
    void finishResyncIfDone();
    void ping();
    void fail(const QString &reason);
    void setState(Models::SourceState state, const QString &error = {});
    void touchLastSeen();
    void dropRequests();

    Models::DockerHostConfig m_config;
    Models::Result<HttpEndpoint> m_endpoint;
    QPointer<Models::EnvironmentStore> m_store; ///< not owned
    QPointer<HttpClient> m_http;                ///< not owned
    DockerTimings m_timings;
    QByteArray m_apiVersion = "1.41";
    QString m_serverVersion;

    bool m_running = false;
    int m_generation = 0; ///< bumps on every (re)connect; late answers of older ones are dropped
    QPointer<HttpReply> m_events;
    JsonLineSplitter m_eventSplitter;
    QList<QPointer<HttpReply>> m_requests; ///< everything in flight, to abort on failure
    QTimer m_reconnectTimer;
    QTimer m_pingTimer;
    QTimer m_inspectTimer;
    int m_backoffMs = 0;
    QStringList m_inspectQueue;
    QSet<QString> m_inspectQueued;
    /// Events seen per container id: an inspect answer is stale when an event came after it
    /// was asked for (an answer must never undo a newer event).
    QHash<QString, quint64> m_eventCount;
    int m_inspectsInFlight = 0;
    bool m_resyncing = false;
    qint64 m_lastSeenWrittenMs = 0;
    QHash<QString, DockerStatsSample> m_lastStats;
};

} // namespace Opsdeck::Connectors
