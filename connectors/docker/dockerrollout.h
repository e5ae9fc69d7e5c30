// SPDX-License-Identifier: MIT
#pragma once

#include "connectors/http/httpclient.h"
#include "models/dockerrollout.h"
#include "models/environmentsconfig.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace Opsdeck::Connectors {

struct DockerRolloutTimings
{
    int requestTimeoutMs = 15000;
    int connectTimeoutMs = 3000;
    int pollMs = 500; ///< inspect of a container waiting to become healthy, without events
    /// …and while its events arrive: they call for an inspect at once; this only covers
    /// what no event announces (the health timeout) and a stream that stalls.
    int eventFallbackMs = 2000;
    int probeTimeoutMs = 2000;
};

/// Runs one rolling update (or restart) of a service across an environment's Docker hosts:
/// discover() finds the service's containers and plans; start() replaces them batch by batch —
/// rename the old one, stop it, create the new one with the same configuration, start it, wait
/// until healthy — and restores every changed instance when one fails or a person aborts. Old
/// containers are removed only once every instance is healthy. Nothing here blocks: every step is
/// an asynchronous Engine API request with a timeout.
class DockerRollout : public QObject
{
    Q_OBJECT

public:
    DockerRollout(const Models::EnvironmentConfig &environment,
                  const Models::DockerRolloutRequest &request,
                  HttpClient *http,
                  QObject *parent = nullptr);
    ~DockerRollout() override;

    void setTimings(const DockerRolloutTimings &timings) { m_timings = timings; }

    /// Unique per rollout; part of the names kept containers get.
    QString id() const { return m_id; }

    /// Lists and inspects the service's containers on every target host; answered by planned().
    void discover();

    const std::optional<Models::DockerRolloutPlan> &plan() const { return m_plan; }

    /// Runs the plan; progressChanged() on every step, finished() once at the end.
    void start();
    /// Finishes the batch in progress, then waits for resume().
    void pause();
    void resume();
    /// Stops at the next step and restores every instance changed so far.
    void abort();
    /// The canary is good: go on with the other batches.
    void goAhead();

    const Models::RolloutProgress &progress() const { return m_progress; }

signals:
    void planned(bool ok, const QString &error);
    void progressChanged(const Opsdeck::Models::RolloutProgress &progress);
    void finished(const Opsdeck::Models::RolloutProgress &progress);

private:
    struct Host
    {
        Models::DockerHostConfig config;
        HttpEndpoint endpoint;
        QString address; ///< for probes
    };

    struct Slot
    {
        bool renamed = false;
        bool policyCleared = false; ///< the old container's restart policy is "no" for now
        bool stopped = false;
        bool created = false;
        QString newId;
        qint64 waitStartedMs = 0;
    };

    using Done = std::function<void(bool ok, const QString &message)>;

    void call(int host,
              const QByteArray &method,
              const QByteArray &path,
              const QByteArray &body,
              int timeoutMs,
              std::function<void(HttpReply *)> then);
    void discoverAgain();
    void discoverHost(int host);
    void discoveryStepDone();

    void runBatch();
    void batchEnded();
    void afterCanary();
    void checkCanaryThenContinue();
    void replace(int index, Done done);
    void waitHealthy(int index, const QString &containerId, bool restoring, Done done);
    void probe(int index, const QString &url, std::function<void(bool ok, QString why)> then);
    void restoreNext();
    void restore(int index, Done done);
    void removeOldContainers();
    void finish(Models::RolloutPhase phase, const QString &summary);

    void setStep(int index, Models::RolloutStep step, const QString &message = {});
    void log(const QString &text);
    void setPhase(Models::RolloutPhase phase);
    void changed();
    int hostIndex(const QString &name) const;
    int stopSeconds(const QJsonObject &inspect) const;
    QByteArray stopQuery(const QJsonObject &inspect) const;
    QString where(int index) const;

    Models::EnvironmentConfig m_environment;
    Models::DockerRolloutRequest m_request;
    QPointer<HttpClient> m_http;
    DockerRolloutTimings m_timings;
    QString m_id;
    QList<Host> m_hosts;
    QList<QPointer<HttpReply>> m_requests;

    // discovery
    int m_discoveryPending = 0;
    qint64 m_discoveryStartedMs = 0;
    QStringList m_discoveryErrors;
    QList<Models::RolloutInstance> m_found;
    std::optional<Models::DockerRolloutPlan> m_plan;

    // execution
    Models::RolloutProgress m_progress;
    QList<Slot> m_slots;
    int m_batch = -1;
    int m_batchOpen = 0;
    bool m_batchFailed = false;
    QString m_failure;
    bool m_pauseRequested = false;
    bool m_abortRequested = false;
    bool m_started = false;
    bool m_ended = false;
    QTimer m_soakTimer;
    QList<int> m_restoreQueue;

    /// A container being waited for until healthy (waitHealthy).
    struct HealthWait
    {
        QTimer timer; ///< the next inspect
        QPointer<HttpReply> events;
        bool streaming = false;      ///< its events arrive
        bool inFlight = false;       ///< an inspect is running
        bool wokenMeanwhile = false; ///< an event came during it
        bool ended = false;
    };

    void wake(const std::shared_ptr<HealthWait> &wait);
    QList<std::shared_ptr<HealthWait>> m_waits;
    bool m_restoreFailed = false;
};

} // namespace Opsdeck::Connectors
