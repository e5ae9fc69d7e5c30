// SPDX-License-Identifier: MIT
#pragma once

#include "connectors/http/httpclient.h"
#include "connectors/marathon/marathonparsers.h"
#include "models/environmentsconfig.h"
#include "models/marathonoperations.h"
#include "models/marathonstore.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <optional>

namespace Opsdeck::Connectors {

/// Timings of a Marathon connection; the defaults suit people, tests shorten them. The request
/// timeout itself comes from the configuration.
struct MarathonTimings
{
    int connectTimeoutMs = 3000;
    /// The event stream must begin this soon after connecting.
    int streamHeadersTimeoutMs = 5000;
    /// Events within this window make one re-read (a rolling upgrade sends dozens per second).
    int coalesceMs = 200;
    /// A stream with no byte at all (not even a keep-alive) for this long is dead: reconnect.
    int streamSilenceMs = 60000;
    /// A full re-read this often even when events flow: events are only hints (reference 2.6).
    int safetyResyncMs = 60000;
    int reconnectInitialMs = 500;
    int reconnectMaxMs = 30000;
};

/// Keeps a MarathonStore up to date with one Marathon (one or several masters): finds the
/// leader, follows GET /v2/events (SSE) and re-reads /v2/apps and /v2/deployments, coalesced,
/// whenever an event says something changed. Marathon down, slow or answering garbage shows as
/// Marathon's source status with the reason; the last good data stays. Executes the changes
/// of MarathonOperations, never retrying one.
class MarathonConnector : public QObject
{
    Q_OBJECT

public:
    MarathonConnector(const Models::MarathonConfig &config,
                      Models::MarathonStore *store,
                      HttpClient *http,
                      QObject *parent = nullptr);
    ~MarathonConnector() override;

    void setTimings(const MarathonTimings &timings) { m_timings = timings; }

    void start();
    void stop();

    /// Base URL of the master requests go to (the leader when known); empty before the first.
    QString currentUrl() const { return QString::fromUtf8(m_current); }

    /// Asks for a re-read of apps and deployments (coalesced with what events ask for).
    void refresh();

    /// Executes @p request; answered by actionFinished exactly once (unless the connector is
    /// destroyed first). A changing call is never repeated automatically.
    void requestAction(const Models::MarathonActionRequest &request);

signals:
    void actionFinished(const Opsdeck::Models::MarathonActionRequest &request,
                        bool ok,
                        const QString &message,
                        const QString &deploymentId);
    /// Apps and deployments were read in full after a (re)connect.
    void synced();
    /// Marathon became unreachable; it is retried with backoff.
    void failed(const QString &reason);

private:
    enum Kind {
        AppsKind = 1,
        DeploymentsKind = 2,
    };

    HttpRequest request(const QByteArray &method, const QByteArray &path) const;
    HttpEndpoint endpoint(const QByteArray &base) const;
    int configuredIndexOf(const QString &hostPort) const;

    void connectToMarathon();
    void discoverLeader(int index, int tried, QStringList errors);
    void openEventStream();
    void onEventData(const QByteArray &chunk);
    void noteLeaderHeader(const HttpReply *reply);
    void scheduleRefresh(int kinds);
    void readNow();
    void readApps();
    void readDeployments();
    /// GETs @p path from the leader as the read of @p kind, tracked in @p inFlight; @p land puts
    /// the body into the store, or says why it cannot ("GET /v2/apps: …").
    void read(int kind,
              const QByteArray &path,
              QPointer<HttpReply> &inFlight,
              const std::function<std::optional<QString>(const QByteArray &)> &land);
    void readDone(int kind);
    void fail(const QString &reason);
    void setStatus(Models::SourceState state, const QString &error = {});
    void touchLastSeen();
    void dropRequests();

    void sendAction(const Models::MarathonActionRequest &request,
                    const QByteArray &method,
                    const QByteArray &path,
                    const QByteArray &body);
    void finishAction(const Models::MarathonActionRequest &request,
                      bool ok,
                      const QString &message,
                      const QString &deploymentId = {});

    Models::MarathonConfig m_config;
    QList<QByteArray> m_urls; ///< configured base URLs, credentials and trailing '/' removed
    QString m_configError;
    QByteArray m_authorization;              ///< "Basic …"; never logged, never in a message
    QPointer<Models::MarathonStore> m_store; ///< not owned
    QPointer<HttpClient> m_http;             ///< not owned
    MarathonTimings m_timings;
    int m_requestTimeoutMs = 10000;

    bool m_running = false;
    int m_generation = 0;    ///< bumps on every (re)connect; late answers of older ones are dropped
    int m_currentIndex = -1; ///< index in m_urls of m_current, -1 when it is not configured
    QByteArray m_current;    ///< where requests go
    QString m_serverVersion;
    QPointer<HttpReply> m_events;
    QElapsedTimer m_streamAge;
    SseParser m_sse;
    QList<QPointer<HttpReply>> m_requests; ///< reads and discovery in flight, to abort on failure
    QList<QPointer<HttpReply>> m_actions;  ///< changes in flight: never aborted by a reconnect
    QPointer<HttpReply> m_appsRead;
    QPointer<HttpReply> m_deploymentsRead;
    int m_dirty = 0;       ///< kinds to re-read
    int m_syncPending = 0; ///< kinds still to read after a (re)connect before "connected"
    QTimer m_coalesceTimer;
    QTimer m_reconnectTimer;
    QTimer m_silenceTimer;
    QTimer m_safetyTimer;
    int m_backoffMs = 0;
    int m_quickReconnects = 0; ///< streams ended and replaced at once since one lived long
    qint64 m_lastSeenWrittenMs = 0;
};

} // namespace Opsdeck::Connectors
