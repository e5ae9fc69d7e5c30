// SPDX-License-Identifier: MIT
#pragma once

#include "connectors/http/httpclient.h"
#include "connectors/mesos/mesosparsers.h"
#include "models/environmentsconfig.h"
#include "models/marathonstore.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace Opsdeck::Connectors {

/// Timings of the Mesos poll; the request timeout comes from the configuration.
struct MesosTimings
{
    int connectTimeoutMs = 3000;
    /// Mesos has no event stream Opsdeck uses: /master/state is read this often.
    int pollIntervalMs = 5000;
    int retryInitialMs = 1000;
    int retryMaxMs = 30000;
};

/// Keeps the Mesos agents of a MarathonStore up to date by polling GET /master/state on the
/// leading master (a non-leader redirects there, with a protocol-relative Location; reference
/// 3.1). When no master answers, Mesos' source status says why for each, the last agents stay.
class MesosConnector : public QObject
{
    Q_OBJECT

public:
    MesosConnector(const Models::MesosConfig &config,
                   Models::MarathonStore *store,
                   HttpClient *http,
                   QObject *parent = nullptr);
    ~MesosConnector() override;

    void setTimings(const MesosTimings &timings) { m_timings = timings; }

    void start();
    void stop();
    /// Polls now unless a poll is in flight.
    void pollNow();

    /// Base URL of the master that answered last (the leader), empty before.
    QString leaderUrl() const { return QString::fromUtf8(m_leader); }

signals:
    /// One poll is over: the agents were read (@p ok), or no master answered.
    void polled(bool ok);

private:
    void tryMaster(const QList<QByteArray> &candidates, int index, const QStringList &errors);
    void schedule(int ms);
    void setStatus(Models::SourceState state, const QString &error = {});

    QList<QByteArray> m_urls; ///< configured base URLs
    QString m_configError;
    QPointer<Models::MarathonStore> m_store; ///< not owned
    QPointer<HttpClient> m_http;             ///< not owned
    MesosTimings m_timings;
    int m_requestTimeoutMs = 10000;

    bool m_running = false;
    int m_generation = 0;
    QByteArray m_leader;
    QString m_serverVersion;
    QPointer<HttpReply> m_inFlight;
    QTimer m_pollTimer;
    int m_backoffMs = 0;
};

} // namespace Opsdeck::Connectors
