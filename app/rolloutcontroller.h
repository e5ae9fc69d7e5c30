// SPDX-License-Identifier: MIT
#pragma once

#include "app/rolloutlock.h"
#include "connectors/docker/dockerrollout.h"
#include "connectors/http/httpclient.h"
#include "models/environmentsconfig.h"
#include "models/rolloutoperations.h"

#include <QHash>
#include <QPointer>

#include <memory>

namespace Opsdeck::App {

/// Runs Docker rollouts for the console and the CLI: one DockerRollout per plan, the lock per
/// service and environment, and the audit trail — a line when a rollout starts and one when it
/// ends, each on disk before the start or the outcome is reported.
class RolloutController final : public Models::RolloutOperations
{
    Q_OBJECT

public:
    RolloutController(const Models::OpsdeckConfig &config,
                      Connectors::HttpClient *http,
                      QObject *parent = nullptr);
    ~RolloutController() override;

    void setTimings(const Connectors::DockerRolloutTimings &timings) { m_timings = timings; }

    void planDocker(const QString &token, const Models::DockerRolloutRequest &request) override;
    bool startPlanned(const QString &token, QString *why) override;
    void discardPlan(const QString &token) override;
    void pause(const QString &rolloutId) override;
    void resume(const QString &rolloutId) override;
    void abort(const QString &rolloutId) override;
    void goAhead(const QString &rolloutId) override;
    QList<Models::RolloutProgress> rollouts() const override;
    QList<Models::InterruptedRollout> interrupted() const override;
    bool clearInterrupted(const QString &environment, const QString &service) override;

    /// The plan of @p token once planned() said ok.
    const Models::DockerRolloutPlan *plan(const QString &token) const;

private:
    struct Running
    {
        QPointer<Connectors::DockerRollout> rollout;
        std::unique_ptr<RolloutLock> lock;
        Models::RolloutProgress last;
    };

    void onFinished(const QString &id, const Models::RolloutProgress &progress);
    /// Audits a person's @p action on a running rollout, then runs it.
    void control(const QString &rolloutId,
                 const QString &action,
                 void (Connectors::DockerRollout::*run)());

    Models::OpsdeckConfig m_config;
    QPointer<Connectors::HttpClient> m_http;
    Connectors::DockerRolloutTimings m_timings;
    QHash<QString, QPointer<Connectors::DockerRollout>> m_planned; ///< by token
    std::map<QString, Running> m_running;                          ///< by rollout id
};

} // namespace Opsdeck::App
