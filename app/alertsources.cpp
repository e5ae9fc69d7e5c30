// SPDX-License-Identifier: MIT
#include "app/alertsources.h"

#include "connectors/consul/consulparsers.h"
#include "models/alertboard.h"
#include "models/environmentstore.h"
#include "models/kvstore.h"
#include "models/marathonstore.h"

#include <QCoreApplication>

namespace Opsdeck::App {

using Models::Alert;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::App::AlertSources", text);
}

Alert make(const QString &environment,
           const QString &source,
           const QString &key,
           Alert::Severity severity,
           const QString &subject,
           const QString &message,
           const QDateTime &since = {})
{
    Alert a;
    a.environment = environment;
    a.source = source;
    a.key = key;
    a.severity = severity;
    a.subject = subject;
    a.message = message;
    a.since = since;
    return a;
}

Alert sourceDown(const QString &environment,
                 const QString &source,
                 const QString &key,
                 const QString &what,
                 const Models::HostStatus &status)
{
    return make(environment,
                source,
                key,
                Alert::Severity::Critical,
                what,
                status.error.isEmpty() ? tr("%1 cannot be reached").arg(what)
                                       : tr("%1 cannot be reached: %2").arg(what, status.error),
                status.since);
}

} // namespace

QList<Alert> dockerAlerts(const Models::EnvironmentStore &store)
{
    using Models::ContainerFlag;
    const QString env = store.environment();
    QList<Alert> out;
    for (const Models::HostStatus &host : store.hosts()) {
        if (host.state == Models::SourceState::Unreachable)
            out << sourceDown(env,
                              QStringLiteral("docker"),
                              QStringLiteral("docker/host/") + host.id,
                              tr("Docker host %1").arg(host.displayName),
                              host);
    }
    for (const Models::Container &c : store.containers()) {
        if (c.flags == 0)
            continue;
        const QString subject = tr("%1 on %2").arg(c.name, c.hostId);

        const struct
        {
            ContainerFlag flag;
            const char *key;
            Alert::Severity severity;
        } rules[] = {
            {ContainerFlag::CrashLoop, "crash-loop", Alert::Severity::Critical},
            {ContainerFlag::GaveUp, "gave-up", Alert::Severity::Critical},
            {ContainerFlag::Unhealthy, "unhealthy", Alert::Severity::Warning},
        };

        for (const auto &rule : rules) {
            if (c.hasFlag(rule.flag))
                out << make(env,
                            QStringLiteral("docker"),
                            QStringLiteral("docker/%1/%2").arg(QLatin1String(rule.key), c.key()),
                            rule.severity,
                            subject,
                            Models::flagDescription(rule.flag, c));
        }
    }
    return out;
}

QList<Alert> marathonAlerts(const Models::MarathonStore &store)
{
    const QString env = store.environment();
    QList<Alert> out;
    if (store.marathonStatus().state == Models::SourceState::Unreachable)
        out << sourceDown(env,
                          QStringLiteral("marathon"),
                          QStringLiteral("marathon/source"),
                          tr("Marathon"),
                          store.marathonStatus());
    if (store.mesosStatus().state == Models::SourceState::Unreachable)
        out << sourceDown(env,
                          QStringLiteral("mesos"),
                          QStringLiteral("mesos/source"),
                          tr("Mesos"),
                          store.mesosStatus());
    for (const Models::MarathonDeployment &d : store.deployments()) {
        if (!store.isStuck(d.id))
            continue;
        out << make(env,
                    QStringLiteral("marathon"),
                    QStringLiteral("marathon/stuck/") + d.id,
                    Alert::Severity::Warning,
                    d.affectedApps.join(QStringLiteral(", ")),
                    tr("Deployment %1 of %2 makes no progress (step %3 of %4); a new version "
                       "that never turns healthy keeps it open until it is rolled back")
                        .arg(d.id, d.affectedApps.join(QStringLiteral(", ")))
                        .arg(d.currentStep)
                        .arg(d.totalSteps),
                    d.firstSeen);
    }
    return out;
}

QList<Alert> consulCheckAlerts(const QString &environment,
                               const QList<Connectors::ConsulCheck> &checks)
{
    QList<Alert> out;
    for (const Connectors::ConsulCheck &check : checks) {
        if (!check.isAlert())
            continue;
        const bool critical = check.status == QLatin1String("critical");
        const QString subject = check.serviceName.isEmpty()
                                    ? tr("node %1").arg(check.node)
                                    : tr("%1 on %2").arg(check.serviceName, check.node);
        const QString output = check.output.trimmed().left(300);
        out << make(environment,
                    QStringLiteral("consul"),
                    QStringLiteral("consul/check/%1/%2").arg(check.node, check.checkId),
                    critical ? Alert::Severity::Critical : Alert::Severity::Warning,
                    subject,
                    output.isEmpty()
                        ? tr("Consul check '%1' is %2").arg(check.name, check.status)
                        : tr("Consul check '%1' is %2: %3").arg(check.name, check.status, output));
    }
    return out;
}

QList<Alert> kvSourceAlerts(const QString &environment, const Models::KvStore &store)
{
    if (store.status().state != Models::SourceState::Unreachable)
        return {};
    const QString kind = Models::nameOf(store.kind());
    return {sourceDown(environment, kind, kind + QStringLiteral("/source"), kind, store.status())};
}

AlertSources::AlertSources(Models::AlertBoard *board, QObject *parent)
    : QObject(parent)
    , m_board(board)
{
    m_coalesce.setSingleShot(true);
    m_coalesce.setInterval(200);
    connect(&m_coalesce, &QTimer::timeout, this, &AlertSources::flush);
}

void AlertSources::watchDocker(Models::EnvironmentStore *store)
{
    const QString publisher = store->environment() + QStringLiteral("/docker");
    auto compute = [store] { return dockerAlerts(*store); };
    watch(publisher, store, &Models::EnvironmentStore::containersChanged, compute);
    connect(store, &Models::EnvironmentStore::hostChanged, this, [this, publisher] {
        markDirty(publisher);
    });
    connect(store, &Models::EnvironmentStore::hostAdded, this, [this, publisher] {
        markDirty(publisher);
    });
}

void AlertSources::watchMarathon(Models::MarathonStore *store)
{
    const QString publisher = store->environment() + QStringLiteral("/marathon");
    watch(publisher, store, &Models::MarathonStore::statusChanged, [store] {
        return marathonAlerts(*store);
    });
    connect(store, &Models::MarathonStore::deploymentsChanged, this, [this, publisher] {
        markDirty(publisher);
    });
}

void AlertSources::watchKv(const QString &environment, Models::KvStore *store)
{
    const QString publisher = environment + QLatin1Char('/') + Models::nameOf(store->kind());
    watch(publisher, store, &Models::KvStore::statusChanged, [environment, store] {
        return kvSourceAlerts(environment, *store);
    });
}

void AlertSources::setConsulChecks(const QString &environment,
                                   const QList<Connectors::ConsulCheck> &checks)
{
    const QString publisher = environment + QStringLiteral("/consul-checks");
    const QList<Alert> alerts = consulCheckAlerts(environment, checks);
    m_compute.insert(publisher, [alerts] { return alerts; });
    markDirty(publisher);
}

void AlertSources::markDirty(const QString &publisher)
{
    m_dirty.insert(publisher);
    if (!m_coalesce.isActive())
        m_coalesce.start();
}

void AlertSources::flush()
{
    m_coalesce.stop();
    const QSet<QString> dirty = std::exchange(m_dirty, {});
    for (const QString &publisher : dirty) {
        const auto it = m_compute.constFind(publisher);
        if (it != m_compute.cend())
            publishNow(publisher, (*it)());
    }
}

void AlertSources::publishNow(const QString &publisher, const QList<Alert> &alerts)
{
    if (m_board)
        m_board->publish(publisher, alerts);
}

} // namespace Opsdeck::App
