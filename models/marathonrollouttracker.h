// SPDX-License-Identifier: MIT
#pragma once

#include "models/dockerrollout.h"
#include "models/marathonstore.h"

#include <QHash>
#include <QObject>
#include <QPointer>

namespace Opsdeck::Models {

/// Reports Marathon deployments in the same shape as Docker rollouts (RolloutProgress), so one
/// rollouts panel follows both: per wanted instance of the app, pending → waiting until healthy
/// (a new-version task that is not ready yet) → done (ready at the new version); the step and
/// the counts as a log; the end when Marathon drops the deployment.
class MarathonRolloutTracker : public QObject
{
    Q_OBJECT

public:
    MarathonRolloutTracker(const QString &environment,
                           MarathonStore *store,
                           QObject *parent = nullptr);

    QList<RolloutProgress> rollouts() const { return m_progress.values(); }

signals:
    void progressChanged(const Opsdeck::Models::RolloutProgress &progress);

private:
    void
    onDeployments(const QStringList &added, const QStringList &changed, const QStringList &removed);
    void update(const QString &deploymentId, bool announce);
    void finish(const QString &deploymentId);
    void fill(RolloutProgress &p, const QString &appId) const;

    QString m_environment;
    QPointer<MarathonStore> m_store;
    QHash<QString, RolloutProgress> m_progress; ///< by deployment id
    QHash<QString, QString> m_lastLog;          ///< last step/counts line per deployment
};

} // namespace Opsdeck::Models
