// SPDX-License-Identifier: MIT
#include "app/estate.h"

#include "app/alertsources.h"
#include "app/auditlog.h"
#include "app/estateconfig.h"
#include "models/alertboard.h"

#include <QTimer>

namespace Opsdeck::App {

using namespace Opsdeck::Models;
using Connectors::ConsulConnector;
using Connectors::DockerHostConnector;
using Connectors::EtcdConnector;
using Connectors::KafkaConnector;
using Connectors::MarathonConnector;
using Connectors::MesosConnector;
using Connectors::ZooKeeperConnector;

EstateMarathonOperations::EstateMarathonOperations(Estate *estate)
    : MarathonOperations(estate)
    , m_estate(estate)
{}

void EstateMarathonOperations::requestMarathonAction(const MarathonActionRequest &request)
{
    m_estate->requestMarathonAction(request);
}

Estate::Estate(const OpsdeckConfig &config, const QString &only, QObject *parent)
    : ContainerOperations(parent)
    , m_config(config)
    , m_marathonOperations(new EstateMarathonOperations(this))
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
                    finishAction(name, key, action, ok, message);
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
        // Configuration stores: each KV source mirrors its subtree into a KvStore.
        if (env.consul) {
            auto *kv = new KvStore(env.name, KvKind::Consul, env.consul->prefix, this);
            m_kvStores[env.name] << kv;
            m_consul.insert(env.name, new ConsulConnector(*env.consul, kv, &m_http, this));
        }
        if (env.etcd) {
            auto *kv = new KvStore(env.name, KvKind::Etcd, env.etcd->prefix, this);
            m_kvStores[env.name] << kv;
            m_etcd.insert(env.name, new EtcdConnector(*env.etcd, kv, &m_http, this));
        }
        if (env.zookeeper) {
            auto *kv = new KvStore(env.name, KvKind::ZooKeeper, env.zookeeper->path, this);
            m_kvStores[env.name] << kv;
            m_zooKeeper.insert(env.name, new ZooKeeperConnector(*env.zookeeper, kv, this));
        }
        if (env.marathon || env.mesos) {
            auto *marathonStore = new MarathonStore(env.name, this);
            m_marathonStores << marathonStore;
            if (env.marathon) {
                auto *connector =
                    new MarathonConnector(*env.marathon, marathonStore, &m_http, this);
                connect(connector,
                        &MarathonConnector::actionFinished,
                        m_marathonOperations,
                        [this](const MarathonActionRequest &request,
                               bool ok,
                               const QString &message,
                               const QString &deploymentId) {
                            finishMarathonAction(request, ok, message, deploymentId);
                        });
                m_marathon.insert(env.name, connector);
            }
            if (env.mesos)
                m_mesos.insert(env.name,
                               new MesosConnector(*env.mesos, marathonStore, &m_http, this));
        }
    }
    for (const EnvironmentConfig &env : std::as_const(m_config.environments)) {
        if (!env.kafka || !store(env.name))
            continue;
        // Lag history lives in the store, per environment, for as long as the console runs.
        auto *lag = new KafkaLagStore(env.name, *env.kafka, this);
        m_kafkaStores.insert(env.name, lag);
        for (const KafkaClusterConfig &cluster : env.kafka->clusters) {
            auto *connector = new KafkaConnector(env.name, cluster, *env.kafka, this);
            connect(connector, &KafkaConnector::sampleReady, lag, &KafkaLagStore::applySample);
            connect(
                connector, &KafkaConnector::statusChanged, lag, &KafkaLagStore::setClusterStatus);
            m_kafka[env.name] << connector;
        }
    }
    m_configProvider = new EstateConfigProvider(this);
    m_configProvider->watchStores();

    m_alertBoard = new AlertBoard(this);
    m_alertSources = new AlertSources(m_alertBoard, this);
    for (EnvironmentStore *store : std::as_const(m_stores))
        m_alertSources->watchDocker(store);
    for (MarathonStore *store : std::as_const(m_marathonStores))
        m_alertSources->watchMarathon(store);
    for (auto it = m_kvStores.cbegin(); it != m_kvStores.cend(); ++it) {
        for (KvStore *kv : it.value())
            m_alertSources->watchKv(it.key(), kv);
    }
    for (auto it = m_consul.cbegin(); it != m_consul.cend(); ++it) {
        const QString environment = it.key();
        connect(it.value(),
                &ConsulConnector::checksChanged,
                m_alertSources,
                [this, environment](const QList<Connectors::ConsulCheck> &checks) {
                    m_alertSources->setConsulChecks(environment, checks);
                });
    }
    for (auto it = m_kafkaStores.cbegin(); it != m_kafkaStores.cend(); ++it) {
        KafkaLagStore *lag = it.value();
        m_alertSources->watch(it.key() + QStringLiteral("/kafka"),
                              lag,
                              &KafkaLagStore::alertsChanged,
                              [lag] { return lag->alerts(); });
    }
}

Estate::~Estate()
{
    // Connectors hold replies of m_http: end them before the client goes.
    for (const auto &list : std::as_const(m_connectors))
        qDeleteAll(list);
    m_connectors.clear();
    qDeleteAll(m_marathon);
    m_marathon.clear();
    qDeleteAll(m_mesos);
    m_mesos.clear();
    for (const auto &list : std::as_const(m_kafka))
        qDeleteAll(list);
    m_kafka.clear();
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

MarathonStore *Estate::marathonStore(const QString &environment) const
{
    for (MarathonStore *s : m_marathonStores) {
        if (s->environment().compare(environment, Qt::CaseInsensitive) == 0)
            return s;
    }
    return nullptr;
}

MarathonConnector *Estate::marathonConnector(const QString &environment) const
{
    const EnvironmentConfig *env = m_config.environment(environment);
    return env ? m_marathon.value(env->name) : nullptr;
}

MesosConnector *Estate::mesosConnector(const QString &environment) const
{
    const EnvironmentConfig *env = m_config.environment(environment);
    return env ? m_mesos.value(env->name) : nullptr;
}

void Estate::setMarathonTimings(const Connectors::MarathonTimings &timings)
{
    for (MarathonConnector *c : std::as_const(m_marathon))
        c->setTimings(timings);
}

void Estate::setMesosTimings(const Connectors::MesosTimings &timings)
{
    for (MesosConnector *c : std::as_const(m_mesos))
        c->setTimings(timings);
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
    for (MarathonConnector *c : std::as_const(m_marathon))
        c->start();
    for (MesosConnector *c : std::as_const(m_mesos))
        c->start();
    for (ConsulConnector *c : std::as_const(m_consul))
        c->start();
    for (EtcdConnector *c : std::as_const(m_etcd))
        c->start();
    for (ZooKeeperConnector *c : std::as_const(m_zooKeeper))
        c->start();
    for (const auto &list : std::as_const(m_kafka)) {
        for (KafkaConnector *c : list)
            c->start();
    }
}

Models::ConfigProvider *Estate::configProvider() const
{
    return m_configProvider;
}

namespace {

QString auditActionOf(const MarathonActionRequest &request)
{
    switch (request.action) {
    case MarathonAction::RestartApp:
        return QStringLiteral("marathon.restart-app");
    case MarathonAction::ScaleApp:
        return QStringLiteral("marathon.scale-app");
    case MarathonAction::UpdateImage:
        return QStringLiteral("marathon.update-image");
    case MarathonAction::RollbackDeployment:
        return QStringLiteral("marathon.rollback-deployment");
    case MarathonAction::ForceCancelDeployment:
        return QStringLiteral("marathon.force-cancel-deployment");
    }
    return QStringLiteral("marathon");
}

QString auditTargetOf(const MarathonActionRequest &request)
{
    const bool deployment = request.action == MarathonAction::RollbackDeployment
                            || request.action == MarathonAction::ForceCancelDeployment;
    return deployment ? request.deploymentId : request.appId;
}

QJsonObject auditParametersOf(const MarathonActionRequest &request)
{
    QJsonObject p;
    if (!request.appId.isEmpty())
        p.insert(QStringLiteral("app"), request.appId);
    if (!request.deploymentId.isEmpty())
        p.insert(QStringLiteral("deployment"), request.deploymentId);
    if (request.action == MarathonAction::ScaleApp)
        p.insert(QStringLiteral("instances"), request.instances);
    if (request.action == MarathonAction::UpdateImage)
        p.insert(QStringLiteral("image"), request.image);
    if (request.force)
        p.insert(QStringLiteral("force"), true);
    return p;
}

QString auditActionOf(ContainerAction action)
{
    return QStringLiteral("container.") + nameOf(action);
}

} // namespace

void Estate::requestMarathonAction(const MarathonActionRequest &request)
{
    const EnvironmentConfig *env = m_config.environment(request.environment);
    QString refusal;
    if (!env)
        refusal = tr("no environment %1").arg(request.environment);
    else if (env->readOnly)
        // The views disable these actions already; this is the backstop.
        refusal = tr("environment %1 is read-only: actions are disabled").arg(env->name);
    else if (!m_marathon.value(env->name))
        refusal = tr("environment %1 has no Marathon").arg(env->name);
    if (m_auditActions) {
        QString error;
        AuditRecord record = auditRecordOf(request, env ? env->name : request.environment);
        record.outcome =
            refusal.isEmpty() ? QStringLiteral("requested") : QStringLiteral("refused");
        record.detail = refusal;
        // On disk before anything is sent: no audit trail, no action.
        if (!AuditLog::append(record, &error) && refusal.isEmpty())
            refusal = tr("%1: nothing was done").arg(error);
    }
    if (refusal.isEmpty()) {
        m_marathon.value(env->name)->requestAction(request);
        return;
    }
    // Answered on the next turn, as every answer is (MarathonOperations is asynchronous).
    QTimer::singleShot(0, m_marathonOperations, [this, request, refusal] {
        emit m_marathonOperations->marathonActionFinished(request, false, refusal, QString());
    });
}

void Estate::finishMarathonAction(const MarathonActionRequest &request,
                                  bool ok,
                                  const QString &message,
                                  const QString &deploymentId)
{
    QString reported = message;
    if (m_auditActions) {
        AuditRecord record = auditRecordOf(request, request.environment);
        if (!deploymentId.isEmpty())
            record.parameters.insert(QStringLiteral("startedDeployment"), deploymentId);
        record.outcome = ok ? QStringLiteral("ok") : QStringLiteral("failed");
        record.detail = message;
        appendOutcome(record, &reported);
    }
    emit m_marathonOperations->marathonActionFinished(request, ok, reported, deploymentId);
}

void Estate::appendOutcome(const AuditRecord &record, QString *reported)
{
    QString error;
    if (AuditLog::append(record, &error))
        return;
    *reported += tr(" (%1)").arg(error);
    emit auditTrailFailed(error);
}

AuditRecord Estate::auditRecordOf(const MarathonActionRequest &request,
                                  const QString &environmentName) const
{
    AuditRecord record;
    record.environment = environmentName;
    record.action = auditActionOf(request);
    record.target = auditTargetOf(request);
    record.parameters = auditParametersOf(request);
    for (auto it = m_auditContext.constBegin(); it != m_auditContext.constEnd(); ++it)
        record.parameters.insert(it.key(), it.value());
    return record;
}

AuditRecord Estate::auditRecordOf(const QString &environmentName,
                                  const QString &environment,
                                  const QString &key,
                                  ContainerAction action) const
{
    AuditRecord record;
    record.environment = environmentName;
    record.action = auditActionOf(action);
    record.target = containerTarget(environment, key);
    record.parameters = m_auditContext;
    record.parameters.insert(QStringLiteral("key"), key);
    return record;
}

QString Estate::containerTarget(const QString &environment, const QString &key) const
{
    const EnvironmentStore *s = store(environment);
    const Container *c = s ? s->container(key) : nullptr;
    return c && !c->name.isEmpty() ? c->hostId + QLatin1Char('/') + c->name : key;
}

void Estate::finishAction(const QString &environment,
                          const QString &key,
                          ContainerAction action,
                          bool ok,
                          const QString &message)
{
    QString reported = message;
    if (m_auditActions) {
        AuditRecord record = auditRecordOf(environment, environment, key, action);
        record.outcome = ok ? QStringLiteral("ok") : QStringLiteral("failed");
        record.detail = message;
        appendOutcome(record, &reported);
    }
    emit actionFinished(environment, key, action, ok, reported);
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
    QString refusal;
    QString id;
    DockerHostConnector *connector = nullptr;
    if (env && env->readOnly) {
        // The views disable these actions already; this is the backstop.
        refusal = tr("environment %1 is read-only: actions are disabled").arg(environment);
    } else {
        connector = connectorFor(environment, key, &id);
        if (!connector)
            refusal = tr("no such container: %1").arg(key);
    }
    if (m_auditActions) {
        AuditRecord record = auditRecordOf(env ? env->name : environment, environment, key, action);
        record.outcome =
            refusal.isEmpty() ? QStringLiteral("requested") : QStringLiteral("refused");
        record.detail = refusal;
        QString error;
        // On disk before anything is sent: no audit trail, no action.
        if (!AuditLog::append(record, &error) && refusal.isEmpty())
            refusal = tr("%1: nothing was done").arg(error);
    }
    if (!refusal.isEmpty()) {
        emit actionFinished(environment, key, action, false, refusal);
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
