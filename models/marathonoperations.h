// SPDX-License-Identifier: MIT
#pragma once

#include <QMetaType>
#include <QObject>
#include <QString>

namespace Opsdeck::Models {

enum class MarathonAction {
    RestartApp,            ///< POST /v2/apps/{id}/restart
    ScaleApp,              ///< PUT /v2/apps/{id} {"instances": n}
    UpdateImage,           ///< PUT /v2/apps/{id} with the whole container object, new image
    RollbackDeployment,    ///< DELETE /v2/deployments/{id} (Marathon starts a reverting deployment)
    ForceCancelDeployment, ///< DELETE /v2/deployments/{id}?force=true (no rollback: mixed versions)
};

QString nameOf(MarathonAction action);

struct MarathonActionRequest
{
    MarathonAction action = MarathonAction::RestartApp;
    QString environment;
    QString appId;        ///< app actions
    QString deploymentId; ///< deployment actions
    int instances = 0;    ///< ScaleApp
    QString image;        ///< UpdateImage
    bool force = false;   ///< app actions: override a deployment lock (Marathon's force=true)

    bool operator==(const MarathonActionRequest &) const = default;
};

/// What the front ends may ask of Marathon. The app implements it over the connectors, so views
/// never depend on a wire protocol. Callers confirm with the user first.
class MarathonOperations : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    /// Asynchronous; answered by actionFinished exactly once per request.
    virtual void requestMarathonAction(const Opsdeck::Models::MarathonActionRequest &request) = 0;

signals:
    /// @p deploymentId is the deployment Marathon started (empty when none, e.g. force-cancel).
    /// A refused request (409 locked, 404, 422, timeout) has ok == false and says why.
    void marathonActionFinished(const Opsdeck::Models::MarathonActionRequest &request,
                                bool ok,
                                const QString &message,
                                const QString &deploymentId);
};

} // namespace Opsdeck::Models

Q_DECLARE_METATYPE(Opsdeck::Models::MarathonActionRequest)
