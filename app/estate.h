// SPDX-License-Identifier: MIT
#pragma once

#include "connectors/consul/consulconnector.h"
#include "connectors/docker/dockerhostconnector.h"
#include "connectors/etcd/etcdconnector.h"
#include "connectors/http/httpclient.h"
#include "connectors/kafka/kafkaconnector.h"
#include "connectors/marathon/marathonconnector.h"
#include "connectors/mesos/mesosconnector.h"
#include "connectors/zookeeper/zookeeperconnector.h"
#include "models/auditrecord.h"
#include "models/configprovider.h"
#include "models/containeroperations.h"
#include "models/environmentsconfig.h"
#include "models/environmentstore.h"
#include "models/kafkalag.h"
#include "models/kvstore.h"
#include "models/marathonoperations.h"
#include "models/marathonstore.h"

#include <QHash>
#include <QJsonObject>
#include <QList>

namespace Opsdeck::Models {
class AlertBoard;
}

namespace Opsdeck::App {

class AlertSources;
class Estate;
class EstateConfigProvider;

/// The Marathon operations of an Estate (a second QObject interface, so a separate object):
/// refuses every action in a read-only environment, hands the others to that environment's
/// Marathon connector.
class EstateMarathonOperations final : public Models::MarathonOperations
{
    Q_OBJECT

public:
    explicit EstateMarathonOperations(Estate *estate);

    void requestMarathonAction(const Models::MarathonActionRequest &request) override;

private:
    Estate *m_estate; ///< owns this
};

/// Everything Opsdeck watches: one store per environment, fed by one connector per Docker
/// host, and where Marathon or Mesos is configured a MarathonStore fed by their connectors; all
/// live at once so that switching environment loses nothing. Implements the container
/// operations the front ends call, and (marathonOperations()) the Marathon ones.
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

    /// The Marathon / Mesos store of @p environment; null when it has neither configured.
    Models::MarathonStore *marathonStore(const QString &environment) const;

    QList<Models::MarathonStore *> marathonStores() const { return m_marathonStores; }

    Connectors::MarathonConnector *marathonConnector(const QString &environment) const;
    Connectors::MesosConnector *mesosConnector(const QString &environment) const;

    Models::MarathonOperations *marathonOperations() const { return m_marathonOperations; }

    /// The KV stores of @p environment (Consul, etcd, ZooKeeper: those configured).
    QList<Models::KvStore *> kvStores(const QString &environment) const
    {
        return m_kvStores.value(environment);
    }

    Connectors::ConsulConnector *consulConnector(const QString &environment) const
    {
        return m_consul.value(environment);
    }

    Connectors::EtcdConnector *etcdConnector(const QString &environment) const
    {
        return m_etcd.value(environment);
    }

    Connectors::ZooKeeperConnector *zooKeeperConnector(const QString &environment) const
    {
        return m_zooKeeper.value(environment);
    }

    /// The consumer-lag store of @p environment; null when it has no `kafka` section.
    Models::KafkaLagStore *kafkaStore(const QString &environment) const
    {
        return m_kafkaStores.value(environment);
    }

    QList<Connectors::KafkaConnector *> kafkaConnectors(const QString &environment) const
    {
        return m_kafka.value(environment);
    }

    /// The configuration of every environment in the four forms (the diff's source). Owned.
    Models::ConfigProvider *configProvider() const;

    /// Every alert the estate's sources raise (AlertSources holds the rules). Owned.
    Models::AlertBoard *alertBoard() const { return m_alertBoard; }

    AlertSources *alertSources() const { return m_alertSources; }

    /// Whether container and Marathon actions write the audit trail (default true): a request
    /// line on disk before anything is sent, an outcome line before the answer is reported. Off
    /// where the caller audits them itself (opsdeck-serve's feed names the token).
    void setAuditActions(bool on) { m_auditActions = on; }

    bool auditActions() const { return m_auditActions; }

    /// Added to the parameters of every audited action, e.g. {"via": "cli"}.
    void setAuditContext(const QJsonObject &context) { m_auditContext = context; }

    void setTimings(const Connectors::DockerTimings &timings);
    void setMarathonTimings(const Connectors::MarathonTimings &timings);
    void setMesosTimings(const Connectors::MesosTimings &timings);
    void start();

    void requestAction(const QString &environment,
                       const QString &key,
                       Models::ContainerAction action) override;
    Models::LogFollower *
    followLogs(const QString &environment, const QString &key, int tail) override;
    void requestStats(const QString &environment, const QString &key) override;

signals:
    /// An outcome line could not be written (the action itself was answered as it ended).
    void auditTrailFailed(const QString &message);

private:
    friend class EstateMarathonOperations;
    void requestMarathonAction(const Models::MarathonActionRequest &request);
    /// Audits the answer of a container action, then reports it (actionFinished).
    void finishAction(const QString &environment,
                      const QString &key,
                      Models::ContainerAction action,
                      bool ok,
                      const QString &message);
    /// Audits the answer of a Marathon action, then reports it (marathonActionFinished).
    void finishMarathonAction(const Models::MarathonActionRequest &request,
                              bool ok,
                              const QString &message,
                              const QString &deploymentId);
    /// The audit line of a Marathon action, in @p environmentName, without its outcome.
    Models::AuditRecord auditRecordOf(const Models::MarathonActionRequest &request,
                                      const QString &environmentName) const;
    /// The audit line of a container action (key in @p environment as configured, shown as
    /// @p environmentName), without its outcome.
    Models::AuditRecord auditRecordOf(const QString &environmentName,
                                      const QString &environment,
                                      const QString &key,
                                      Models::ContainerAction action) const;
    /// "host1/orders-1" for the key "host1/3f9a…" when the container is known.
    QString containerTarget(const QString &environment, const QString &key) const;
    /// Writes an outcome line; when it is not on disk, says so in @p reported and emits
    /// auditTrailFailed.
    void appendOutcome(const Models::AuditRecord &record, QString *reported);

    /// Splits hostId/containerId and finds the host's connector.
    Connectors::DockerHostConnector *
    connectorFor(const QString &environment, const QString &key, QString *containerId) const;

    Models::OpsdeckConfig m_config;
    Connectors::HttpClient m_http;
    QList<Models::EnvironmentStore *> m_stores;
    QHash<QString, QList<Connectors::DockerHostConnector *>> m_connectors; ///< by environment name
    QList<Models::MarathonStore *> m_marathonStores;
    QHash<QString, Connectors::MarathonConnector *> m_marathon;   ///< by environment name
    QHash<QString, Connectors::MesosConnector *> m_mesos;         ///< by environment name
    EstateMarathonOperations *m_marathonOperations;               ///< child
    QHash<QString, QList<Models::KvStore *>> m_kvStores;          ///< by environment name
    QHash<QString, Connectors::ConsulConnector *> m_consul;       ///< by environment name
    QHash<QString, Connectors::EtcdConnector *> m_etcd;           ///< by environment name
    QHash<QString, Connectors::ZooKeeperConnector *> m_zooKeeper; ///< by environment name
    QHash<QString, Models::KafkaLagStore *> m_kafkaStores;        ///< by environment name
    QHash<QString, QList<Connectors::KafkaConnector *>> m_kafka;  ///< by environment name
    EstateConfigProvider *m_configProvider = nullptr;             ///< child
    Models::AlertBoard *m_alertBoard = nullptr;                   ///< child
    AlertSources *m_alertSources = nullptr;                       ///< child
    bool m_auditActions = true;
    QJsonObject m_auditContext;
};

} // namespace Opsdeck::App
