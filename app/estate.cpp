// SPDX-License-Identifier: MIT
#include "app/estate.h"

namespace Opsdeck::App {

using namespace Opsdeck::Models;
using Connectors::DockerHostConnector;

Estate::Estate(const OpsdeckConfig &config, const QString &only, QObject *parent)
    : ContainerOperations(parent)
    , m_config(config)
{
    for (const EnvironmentConfig &env : std::as_const(m_config.environments)) {
        if (!only.isEmpty() && env.name.compare(only, Qt::CaseInsensitive) != 0)
            continue;
        auto *store = new EnvironmentStore(env.name, this);
        store->setFlagSettings(m_config.flags);
        m_stores << store;
        QList<DockerHostConnector *> &list = m_connectors[env.name];
        for (const DockerHostConfig &host : env.dockerHosts) {
            HostStatus status;
            status.id = host.name;
            status.displayName = host.name;
            status.url = host.url;
            status.since = QDateTime::currentDateTime();
            store->addHost(status);
            auto *connector = new DockerHostConnector(host, store, &m_http, this);
            connect(
                connector,
                &DockerHostConnector::actionFinished,
                this,
                [this, name = env.name](
                    const QString &key, ContainerAction action, bool ok, const QString &message) {
                    emit actionFinished(name, key, action, ok, message);
                });
            connect(connector,
                    &DockerHostConnector::statsReady,
                    this,
                    [this, name = env.name](const QString &key, const ContainerStats &stats) {
                        emit statsReady(name, key, stats);
                    });
            connect(connector,
                    &DockerHostConnector::statsFailed,
                    this,
                    [this, name = env.name](const QString &key, const QString &message) {
                        emit statsFailed(name, key, message);
                    });
            list << connector;
        }
    }
}

Estate::~Estate()
{
    // Connectors hold replies of m_http: end them before the client goes.
    for (const auto &list : std::as_const(m_connectors))
        qDeleteAll(list);
    m_connectors.clear();
}

EnvironmentStore *Estate::store(const QString &environment) const
{
    for (EnvironmentStore *s : m_stores) {
        if (s->environment().compare(environment, Qt::CaseInsensitive) == 0)
            return s;
    }
    return nullptr;
}

const EnvironmentConfig *Estate::environment(const QString &name) const
{
    return m_config.environment(name);
}

QList<DockerHostConnector *> Estate::connectors(const QString &environment) const
{
    return m_connectors.value(environment);
}

void Estate::setTimings(const Connectors::DockerTimings &timings)
{
    for (const auto &list : std::as_const(m_connectors)) {
        for (DockerHostConnector *c : list)
            c->setTimings(timings);
    }
}

void Estate::start()
{
    for (const auto &list : std::as_const(m_connectors)) {
        for (DockerHostConnector *c : list)
            c->start();
    }
}

DockerHostConnector *
Estate::connectorFor(const QString &environment, const QString &key, QString *containerId) const
{
    const qsizetype slash = key.lastIndexOf(QLatin1Char('/'));
    if (slash <= 0)
        return nullptr;
    const QString hostId = key.left(slash);
    *containerId = key.mid(slash + 1);
    for (DockerHostConnector *c : m_connectors.value(environment)) {
        if (c->hostId() == hostId)
            return c;
    }
    return nullptr;
}

void Estate::requestAction(const QString &environment, const QString &key, ContainerAction action)
{
    const EnvironmentConfig *env = m_config.environment(environment);
    if (env && env->readOnly) {
        // The views disable these actions already; this is the backstop.
        emit actionFinished(
            environment,
            key,
            action,
            false,
            tr("environment %1 is read-only: actions are disabled").arg(environment));
        return;
    }
    QString id;
    DockerHostConnector *connector = connectorFor(environment, key, &id);
    if (!connector) {
        emit actionFinished(environment, key, action, false, tr("no such container: %1").arg(key));
        return;
    }
    connector->requestAction(id, action);
}

LogFollower *Estate::followLogs(const QString &environment, const QString &key, int tail)
{
    QString id;
    DockerHostConnector *connector = connectorFor(environment, key, &id);
    if (!connector)
        return nullptr;
    return connector->followLogs(id, tail, true);
}

void Estate::requestStats(const QString &environment, const QString &key)
{
    QString id;
    if (DockerHostConnector *connector = connectorFor(environment, key, &id))
        connector->requestStats(id);
    else
        emit statsFailed(environment, key, tr("no such container: %1").arg(key));
}

} // namespace Opsdeck::App
