// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>

namespace Opsdeck::Sim {

class SimConsul;
class SimDockerHost;
class SimKafka;
class SimMarathon;
class SimMesos;

struct SimEstateOptions
{
    quint32 seed = 1;
    double timeScale = 1.0;
    /// First port to listen on; each server takes the next one. 0: free ports the system picks.
    quint16 portBase = 0;
    bool kafka = true;
};

/// The demo estate: three environments of a small online shop — Integration, Staging and
/// Production — each with Docker hosts, a Marathon on Mesos whose tasks are containers on those
/// hosts, a Consul, and a Kafka cluster. Planted on purpose: configuration that differs across
/// environments in a few telling places, a crash-looping container hidden by `restart: always`,
/// a deployment that will not finish, and a consumer group falling behind.
class SimEstate : public QObject
{
    Q_OBJECT

public:
    struct DockerHostEndpoint
    {
        QString name;
        QString url; ///< tcp://127.0.0.1:PORT
    };

    struct Environment
    {
        QString name;
        QString colour;
        bool production = false;
        QList<SimDockerHost *> dockerHosts;
        SimMarathon *marathon = nullptr;
        SimMesos *mesos = nullptr;
        SimConsul *consul = nullptr;
        SimKafka *kafka = nullptr;
        QStringList kafkaGroups;
    };

    explicit SimEstate(QObject *parent = nullptr);
    ~SimEstate() override;

    /// Builds and starts everything. False with errorString() if a server cannot listen.
    bool start(const SimEstateOptions &options);
    void stop();

    QString errorString() const { return m_error; }

    const QList<Environment> &environments() const { return m_environments; }

    const Environment *environment(const QString &name) const;

    /// The ACL token the demo's Consul of @p environment requires; empty: no ACLs (only
    /// Production has one). start() puts it into consulTokenEnv() of this process, and the
    /// environments file names that variable, so the console on the demo finds it.
    static QString consulTokenFor(const QString &environment);
    /// "OPSDECK_DEMO_CONSUL_TOKEN".
    static QString consulTokenEnv();

    /// Every endpoint per environment, as `opsdeck-sim` prints it.
    QJsonObject endpointsJson() const;
    /// An environments file (YAML) that points Opsdeck at this estate.
    QByteArray environmentsYaml() const;

private:
    bool buildEnvironment(int index);
    quint16 nextPort();

    SimEstateOptions m_options;
    QList<Environment> m_environments;
    QList<QObject *> m_owned; ///< everything started, stopped in reverse order
    QString m_error;
    quint16 m_nextPort = 0;
};

} // namespace Opsdeck::Sim
