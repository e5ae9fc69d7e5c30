// SPDX-License-Identifier: MIT
#pragma once

#include "models/dockerrollout.h"

#include <QList>
#include <QObject>
#include <QString>

namespace Opsdeck::Models {

/// A rollout that was running when its Opsdeck process ended (crash, kill, power cut).
struct InterruptedRollout
{
    QString environment;
    QString service;
    QString description; ///< in words, with where its kept containers may be
};

/// What the front ends may ask of Docker rollouts. The app implements it over the connectors
/// (lock, audit trail); the rollouts panel only sees this.
class RolloutOperations : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    /// Finds the service's containers and plans; answered by planned() with the same @p token.
    virtual void planDocker(const QString &token, const DockerRolloutRequest &request) = 0;
    /// Runs the plan planned under @p token; false (and why) when the lock or the audit trail
    /// refuses. Confirmation is the caller's.
    virtual bool startPlanned(const QString &token, QString *why) = 0;
    /// Forgets a plan that will not be run.
    virtual void discardPlan(const QString &token) = 0;
    virtual void pause(const QString &rolloutId) = 0;
    virtual void resume(const QString &rolloutId) = 0;
    virtual void abort(const QString &rolloutId) = 0;
    virtual void goAhead(const QString &rolloutId) = 0;
    virtual QList<RolloutProgress> rollouts() const = 0;
    virtual QList<InterruptedRollout> interrupted() const = 0;
    virtual bool clearInterrupted(const QString &environment, const QString &service) = 0;

signals:
    /// @p text: the dry run (ok) or what is wrong.
    void planned(const QString &token, bool ok, const QString &text);
    void progressChanged(const Opsdeck::Models::RolloutProgress &progress);
    /// Emitted after the outcome is on disk in the audit trail.
    void finished(const Opsdeck::Models::RolloutProgress &progress);
    void interruptedChanged();
};

} // namespace Opsdeck::Models
