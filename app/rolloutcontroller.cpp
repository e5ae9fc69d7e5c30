// SPDX-License-Identifier: MIT
#include "app/rolloutcontroller.h"

#include "app/auditlog.h"

#include <QDateTime>
#include <QJsonObject>

namespace Opsdeck::App {

using namespace Opsdeck::Models;

namespace {

QJsonObject parametersOf(const DockerRolloutRequest &r, const DockerRolloutPlan *plan)
{
    QJsonObject p{{QStringLiteral("image"), r.image},
                  {QStringLiteral("batch"), r.batchSize},
                  {QStringLiteral("minHealthy"), plan ? plan->minHealthy : r.minHealthy},
                  {QStringLiteral("selector"), r.selector.describe()}};
    if (!r.hostTag.isEmpty())
        p.insert(QStringLiteral("hostTag"), r.hostTag);
    if (r.canary)
        p.insert(QStringLiteral("canarySoakMs"), r.canarySoakMs);
    if (!r.probe.url.isEmpty())
        p.insert(QStringLiteral("probe"), r.probe.url);
    if (plan)
        p.insert(QStringLiteral("instances"), int(plan->instances.size()));
    return p;
}

QString actionOf(const DockerRolloutRequest &r)
{
    return r.isRestart() ? QStringLiteral("docker.rolling-restart")
                         : QStringLiteral("docker.rollout");
}

} // namespace

RolloutController::RolloutController(const OpsdeckConfig &config,
                                     Connectors::HttpClient *http,
                                     QObject *parent)
    : RolloutOperations(parent)
    , m_config(config)
    , m_http(http)
{
    qRegisterMetaType<Models::RolloutProgress>();
}

RolloutController::~RolloutController()
{
    for (auto &[id, running] : m_running) {
        // Still running when the console closes: the lock's record stays, so the next start
        // reports the rollout as interrupted. The audit trail says so too.
        if (running.rollout && !isFinal(running.last.phase))
            AuditLog::append(running.last.environment,
                             running.last.image.isEmpty() ? QStringLiteral("docker.rolling-restart")
                                                          : QStringLiteral("docker.rollout"),
                             running.last.service,
                             QStringLiteral("interrupted"),
                             tr("Opsdeck ended during the rollout %1").arg(id));
    }
}

void RolloutController::planDocker(const QString &token, const DockerRolloutRequest &request)
{
    discardPlan(token);
    const EnvironmentConfig *env = m_config.environment(request.environment);
    if (!env) {
        emit planned(token, false, tr("no environment named '%1'").arg(request.environment));
        return;
    }
    if (env->readOnly) {
        emit planned(
            token,
            false,
            tr("%1 is read-only (read_only: true in the environments file)").arg(env->name));
        return;
    }
    auto *rollout = new Connectors::DockerRollout(*env, request, m_http, this);
    rollout->setTimings(m_timings);
    m_planned.insert(token, rollout);
    connect(rollout,
            &Connectors::DockerRollout::planned,
            this,
            [this, token, rollout](bool ok, const QString &error) {
                if (m_planned.value(token) != rollout)
                    return;
                emit planned(token, ok, ok ? rollout->plan()->describe() : error);
            });
    rollout->discover();
}

const DockerRolloutPlan *RolloutController::plan(const QString &token) const
{
    const auto rollout = m_planned.value(token);
    return rollout && rollout->plan() ? &*rollout->plan() : nullptr;
}

bool RolloutController::startPlanned(const QString &token, QString *why)
{
    const QPointer<Connectors::DockerRollout> rollout = m_planned.value(token);
    if (!rollout || !rollout->plan()) {
        if (why)
            *why = tr("nothing planned to start");
        return false;
    }
    const DockerRolloutPlan &plan = *rollout->plan();
    const DockerRolloutRequest &request = plan.request;
    auto lock = std::make_unique<RolloutLock>(request.environment, request.selector.service);
    const QJsonObject parameters = parametersOf(request, &plan);
    const auto locked = lock->acquire(QJsonObject{
        {QStringLiteral("id"), rollout->id()},
        {QStringLiteral("user"), qEnvironmentVariable("USER")},
        {QStringLiteral("image"), request.image},
        {QStringLiteral("started"), QDateTime::currentDateTime().toString(Qt::ISODateWithMs)},
        {QStringLiteral("parameters"), parameters}});
    if (!locked.ok()) {
        AuditLog::append(request.environment,
                         actionOf(request),
                         request.selector.service,
                         parameters,
                         QStringLiteral("refused"),
                         locked.error());
        if (why)
            *why = locked.error();
        return false;
    }
    // On disk before anything changes: no audit trail, no rollout.
    QJsonObject started = parameters;
    started.insert(QStringLiteral("rollout"), rollout->id());
    if (!AuditLog::append(request.environment,
                          actionOf(request),
                          request.selector.service,
                          started,
                          QStringLiteral("started"))) {
        lock->release();
        if (why)
            *why = tr("the audit trail %1 cannot be written: nothing was changed")
                       .arg(AuditLog::path());
        return false;
    }
    m_planned.remove(token);
    const QString id = rollout->id();
    Running &running = m_running[id];
    running.rollout = rollout;
    running.lock = std::move(lock);
    connect(rollout,
            &Connectors::DockerRollout::progressChanged,
            this,
            [this, id](const RolloutProgress &p) {
                const auto it = m_running.find(id);
                if (it == m_running.end())
                    return;
                it->second.last = p;
                if (!isFinal(p.phase))
                    emit progressChanged(p);
            });
    connect(rollout,
            &Connectors::DockerRollout::finished,
            this,
            [this, id](const RolloutProgress &p) { onFinished(id, p); });
    rollout->start();
    return true;
}

void RolloutController::onFinished(const QString &id, const RolloutProgress &progress)
{
    const auto it = m_running.find(id);
    if (it == m_running.end())
        return;
    Running &running = it->second;
    running.last = progress;
    const QString outcome = progress.phase == RolloutPhase::Succeeded ? QStringLiteral("ok")
                            : progress.phase == RolloutPhase::Aborted ? QStringLiteral("aborted")
                            : progress.phase == RolloutPhase::RolledBack
                                ? QStringLiteral("rolled-back")
                                : QStringLiteral("failed");
    const bool written =
        AuditLog::append(progress.environment,
                         progress.image.isEmpty() ? QStringLiteral("docker.rolling-restart")
                                                  : QStringLiteral("docker.rollout"),
                         progress.service,
                         QJsonObject{{QStringLiteral("rollout"), id},
                                     {QStringLiteral("image"), progress.image},
                                     {QStringLiteral("replaced"), progress.doneCount()},
                                     {QStringLiteral("instances"), int(progress.instances.size())}},
                         outcome,
                         progress.summary);
    RolloutProgress reported = progress;
    if (!written)
        reported.summary += tr(" (the audit trail %1 could not be written)").arg(AuditLog::path());
    running.last = reported;
    running.lock->release();
    emit progressChanged(reported);
    emit finished(reported);
    if (running.rollout)
        running.rollout->deleteLater();
}

void RolloutController::discardPlan(const QString &token)
{
    if (const auto rollout = m_planned.take(token))
        rollout->deleteLater();
}

void RolloutController::control(const QString &rolloutId,
                                const QString &action,
                                void (Connectors::DockerRollout::*run)())
{
    const auto it = m_running.find(rolloutId);
    if (it == m_running.end() || !it->second.rollout || isFinal(it->second.last.phase))
        return;
    AuditLog::append(it->second.last.environment,
                     action,
                     it->second.last.service,
                     QStringLiteral("requested"),
                     rolloutId);
    (it->second.rollout.data()->*run)();
}

void RolloutController::pause(const QString &rolloutId)
{
    control(rolloutId, QStringLiteral("docker.rollout.pause"), &Connectors::DockerRollout::pause);
}

void RolloutController::resume(const QString &rolloutId)
{
    control(rolloutId, QStringLiteral("docker.rollout.resume"), &Connectors::DockerRollout::resume);
}

void RolloutController::abort(const QString &rolloutId)
{
    control(rolloutId, QStringLiteral("docker.rollout.abort"), &Connectors::DockerRollout::abort);
}

void RolloutController::goAhead(const QString &rolloutId)
{
    control(
        rolloutId, QStringLiteral("docker.rollout.go-ahead"), &Connectors::DockerRollout::goAhead);
}

QList<RolloutProgress> RolloutController::rollouts() const
{
    QList<RolloutProgress> out;
    for (const auto &[id, running] : m_running)
        out << running.last;
    return out;
}

QList<InterruptedRollout> RolloutController::interrupted() const
{
    QList<InterruptedRollout> out;
    for (const RolloutLock::Interrupted &i : RolloutLock::interrupted())
        out << InterruptedRollout{i.environment, i.service, i.describe()};
    return out;
}

bool RolloutController::clearInterrupted(const QString &environment, const QString &service)
{
    const bool ok = RolloutLock::clearInterrupted(environment, service);
    if (ok) {
        AuditLog::append(environment,
                         QStringLiteral("docker.rollout.clear-interrupted"),
                         service,
                         QStringLiteral("ok"));
        emit interruptedChanged();
    }
    return ok;
}

} // namespace Opsdeck::App
