// SPDX-License-Identifier: MIT
#pragma once

#include "connectors/docker/dockerhostconnector.h"
#include "connectors/http/httpclient.h"
#include "models/containeroperations.h"
#include "models/environmentsconfig.h"
#include "models/environmentstore.h"

#include <QHash>
#include <QList>

namespace Opsdeck::App {

/// Everything Opsdeck watches: one store per environment, fed by one connector per Docker
/// host, all live at once so that switching environment loses nothing. Implements the
/// container operations the front ends call.
class Estate : public Models::ContainerOperations
{
    Q_OBJECT

public:
    /// Watches the environments of @p config; @p only limits it to one (empty: all).
    explicit Estate(const Models::OpsdeckConfig &config,
                    const QString &only = {},
                    QObject *parent = nullptr);
    ~Estate() override;

    const Models::OpsdeckConfig &config() const { return m_config; }

    QList<Models::EnvironmentStore *> stores() const { return m_stores; }

    Models::EnvironmentStore *store(const QString &environment) const;
    const Models::EnvironmentConfig *environment(const QString &name) const;
    QList<Connectors::DockerHostConnector *> connectors(const QString &environment) const;

    void setTimings(const Connectors::DockerTimings &timings);
    void start();

    void requestAction(const QString &environment,
                       const QString &key,
                       Models::ContainerAction action) override;
    Models::LogFollower *
    followLogs(const QString &environment, const QString &key, int tail) override;
    void requestStats(const QString &environment, const QString &key) override;

private:
    /// Splits hostId/containerId and finds the host's connector.
    Connectors::DockerHostConnector *
    connectorFor(const QString &environment, const QString &key, QString *containerId) const;

    Models::OpsdeckConfig m_config;
    Connectors::HttpClient m_http;
    QList<Models::EnvironmentStore *> m_stores;
    QHash<QString, QList<Connectors::DockerHostConnector *>> m_connectors; ///< by environment name
};

} // namespace Opsdeck::App
