// SPDX-License-Identifier: MIT
#include "app/sim/simestate.h"

#include "app/sim/simdockerhost.h"
#include "app/sim/simkafka.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QRandomGenerator>

namespace Opsdeck::Sim {

namespace {

const QString kRegistry = QStringLiteral("registry.example.internal/shop/");

struct EnvSpec
{
    const char *name;
    const char *shortName;
    const char *colour;
    bool production;
    int hosts;
    int kafkaBrokers;
};

constexpr EnvSpec kEnvironments[] = {
    {"Integration", "int", "#2e7d32", false, 2, 1},
    {"Staging", "stg", "#f9a825", false, 3, 1},
    {"Production", "prod", "#c62828", true, 4, 3},
};

/// The configuration hash a per-environment image carries, e.g. nginx-edge:1.25-prod-3f9a1c2e.
QString configHash(const QString &seed)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(seed.toUtf8(), QCryptographicHash::Sha1).toHex().left(8));
}

QJsonObject mount(const QString &type,
                  const QString &name,
                  const QString &source,
                  const QString &destination,
                  bool readWrite)
{
    QJsonObject m{{QStringLiteral("Type"), type},
                  {QStringLiteral("Source"), source},
                  {QStringLiteral("Destination"), destination},
                  {QStringLiteral("Mode"), readWrite ? QString() : QStringLiteral("ro")},
                  {QStringLiteral("RW"), readWrite},
                  {QStringLiteral("Propagation"),
                   type == QLatin1String("bind") ? QStringLiteral("rprivate") : QString()}};
    if (!name.isEmpty()) {
        m.insert(QStringLiteral("Name"), name);
        m.insert(QStringLiteral("Driver"), QStringLiteral("local"));
    }
    return m;
}

SimContainer
container(const QString &name, const QString &image, const QString &policy, int maxRetries = 0)
{
    SimContainer c;
    c.name = name;
    c.image = image;
    c.cmd = {QStringLiteral("/usr/local/bin/") + name.section(QLatin1Char('-'), 0, 0)};
    c.restartPolicy = policy;
    c.maximumRetryCount = maxRetries;
    c.labels = {{QStringLiteral("com.example.team"), QStringLiteral("platform")},
                {QStringLiteral("com.example.service"), name}};
    c.log = {QStringLiteral("starting %1").arg(name), QStringLiteral("ready")};
    return c;
}

} // namespace

SimEstate::SimEstate(QObject *parent)
    : QObject(parent)
{}

SimEstate::~SimEstate()
{
    stop();
}

quint16 SimEstate::nextPort()
{
    if (m_options.portBase == 0)
        return 0;
    return m_nextPort++;
}

bool SimEstate::start(const SimEstateOptions &options)
{
    stop();
    m_options = options;
    m_nextPort = options.portBase;
    m_error.clear();
    for (int i = 0; i < int(std::size(kEnvironments)); ++i) {
        if (!buildEnvironment(i)) {
            stop();
            return false;
        }
    }
    return true;
}

void SimEstate::stop()
{
    for (auto it = m_owned.rbegin(); it != m_owned.rend(); ++it) {
        if (auto *host = qobject_cast<SimDockerHost *>(*it))
            host->stop();
        else if (auto *kafka = qobject_cast<SimKafka *>(*it))
            kafka->stop();
        delete *it;
    }
    m_owned.clear();
    m_environments.clear();
}

const SimEstate::Environment *SimEstate::environment(const QString &name) const
{
    for (const Environment &env : m_environments) {
        if (env.name.compare(name, Qt::CaseInsensitive) == 0)
            return &env;
    }
    return nullptr;
}

bool SimEstate::buildEnvironment(int index)
{
    const EnvSpec &spec = kEnvironments[index];
    Environment env;
    env.name = QString::fromLatin1(spec.name);
    env.colour = QString::fromLatin1(spec.colour);
    env.production = spec.production;
    const QString shortName = QString::fromLatin1(spec.shortName);
    QRandomGenerator random(m_options.seed * 7919u + quint32(index));

    // Docker hosts and the containers that run outside Marathon: infrastructure and state.
    for (int h = 1; h <= spec.hosts; ++h) {
        auto *host = new SimDockerHost(QStringLiteral("%1-docker-%2").arg(shortName).arg(h));
        m_owned << host;
        host->setTimeScale(m_options.timeScale);
        if (!host->listen(nextPort())) {
            m_error = QStringLiteral("%1: %2").arg(host->name(), host->errorString());
            return false;
        }
        env.dockerHosts << host;

        SimContainer exporter = container(QStringLiteral("node-exporter"),
                                          QStringLiteral("quay.example.internal/prometheus/"
                                                         "node-exporter:v1.6.1"),
                                          QStringLiteral("unless-stopped"));
        exporter.mounts = {mount(QStringLiteral("bind"),
                                 {},
                                 QStringLiteral("/proc"),
                                 QStringLiteral("/host/proc"),
                                 false)};
        host->addContainer(exporter, true);

        SimContainer shipper =
            container(QStringLiteral("log-shipper"),
                      kRegistry
                          + QStringLiteral("fluent-bit:2.1-%1-%2")
                                .arg(shortName, configHash(shortName + QStringLiteral("fluent"))),
                      QStringLiteral("on-failure"),
                      5);
        shipper.env = {
            QStringLiteral("FLUENT_OUTPUT=logs.%1.example.internal:24224").arg(shortName),
            QStringLiteral("LOG_LEVEL=%1")
                .arg(spec.production ? QStringLiteral("warn") : QStringLiteral("info"))};
        shipper.mounts = {mount(QStringLiteral("bind"),
                                {},
                                QStringLiteral("/var/log"),
                                QStringLiteral("/var/log/host"),
                                false),
                          mount(QStringLiteral("bind"),
                                {},
                                QStringLiteral("/srv/fluent-bit/%1/fluent-bit.conf").arg(shortName),
                                QStringLiteral("/fluent-bit/etc/fluent-bit.conf"),
                                false)};
        host->addContainer(shipper, true);
    }

    SimDockerHost *first = env.dockerHosts.first();
    SimContainer postgres =
        container(QStringLiteral("postgres-orders"),
                  QStringLiteral("docker.example.internal/library/postgres:15.4"),
                  QStringLiteral("unless-stopped"));
    postgres.health = QStringLiteral("starting");
    postgres.env = {
        QStringLiteral("POSTGRES_DB=orders"),
        QStringLiteral("POSTGRES_USER=orders"),
        QStringLiteral("POSTGRES_PASSWORD=%1").arg(QString::number(random.generate64(), 36))};
    postgres.mounts = {mount(QStringLiteral("volume"),
                             QStringLiteral("orders-pgdata"),
                             QStringLiteral("/var/lib/docker/volumes/orders-pgdata/_data"),
                             QStringLiteral("/var/lib/postgresql/data"),
                             true)};
    first->addContainer(postgres, true);

    // A cache whose data sits in an anonymous volume: gone with the next `docker rm -v`.
    SimContainer redis = container(QStringLiteral("redis-sessions"),
                                   QStringLiteral("docker.example.internal/library/redis:7.2"),
                                   QStringLiteral("always"));
    const QString anonymous =
        QString::fromLatin1(QCryptographicHash::hash(QByteArray::number(random.generate64()),
                                                     QCryptographicHash::Sha256)
                                .toHex());
    redis.mounts = {mount(QStringLiteral("volume"),
                          anonymous,
                          QStringLiteral("/var/lib/docker/volumes/%1/_data").arg(anonymous),
                          QStringLiteral("/data"),
                          true)};
    first->addContainer(redis, true);

    SimDockerHost *second = env.dockerHosts.value(1, first);
    SimContainer edge =
        container(QStringLiteral("nginx-edge"),
                  kRegistry
                      + QStringLiteral("nginx-edge:1.25-%1-%2")
                            .arg(shortName, configHash(shortName + QStringLiteral("edge"))),
                  QStringLiteral("on-failure"),
                  5);
    edge.env = {QStringLiteral("UPSTREAM=api-gateway.%1.example.internal:8080").arg(shortName),
                QStringLiteral("WORKER_PROCESSES=%1").arg(spec.production ? 8 : 2)};
    edge.mounts = {mount(QStringLiteral("bind"),
                         {},
                         QStringLiteral("/srv/nginx/%1/conf.d").arg(shortName),
                         QStringLiteral("/etc/nginx/conf.d"),
                         false)};
    edge.health = QStringLiteral("starting");
    second->addContainer(edge, true);

    SimContainer cron = container(QStringLiteral("nightly-export"),
                                  kRegistry + QStringLiteral("exporter:3.2.0"),
                                  QStringLiteral("no"));
    cron.exitCode = 0;
    second->addContainer(cron, false);

    if (spec.production) {
        // The crash loop that `restart: always` hides: up for three seconds, then dies.
        SimContainer ledger = container(QStringLiteral("ledger-sync"),
                                        kRegistry + QStringLiteral("ledger-sync:2.3.1"),
                                        QStringLiteral("always"));
        ledger.crashAfterMs = 3000;
        ledger.crashExitCode = 1;
        ledger.env = {
            QStringLiteral("LEDGER_DB=ledger.prod.example.internal:5432"),
            QStringLiteral("LEDGER_DB_PASSWORD=%1").arg(QString::number(random.generate64(), 36))};
        ledger.log = {QStringLiteral("ledger-sync 2.3.1 starting"),
                      QStringLiteral("connecting to ledger.prod.example.internal:5432"),
                      QStringLiteral("FATAL: password authentication failed for user \"ledger\"")};
        env.dockerHosts.value(2, second)->addContainer(ledger, true);
    }
    if (shortName == QLatin1String("stg")) {
        // A restart policy that gave up: on-failure:3, crashed three times, now exited.
        SimContainer reports = container(QStringLiteral("report-builder"),
                                         kRegistry + QStringLiteral("report-builder:0.9.0"),
                                         QStringLiteral("on-failure"),
                                         3);
        reports.crashAfterMs = 800;
        reports.crashExitCode = 137;
        reports.log = {QStringLiteral("report-builder 0.9.0"),
                       QStringLiteral("loading 2.1 GB of fixtures"),
                       QStringLiteral("Killed")};
        env.dockerHosts.value(2, second)->addContainer(reports, true);
    }

    // Kafka: orders flow, payments, inventory events; billing falls behind in Production.
    if (m_options.kafka) {
        auto *kafka = new SimKafka;
        m_owned << kafka;
        kafka->setTimeScale(m_options.timeScale);
        kafka->addTopic({QStringLiteral("orders"), 6, spec.production ? 40.0 : 8.0});
        kafka->addTopic({QStringLiteral("payments"), 3, spec.production ? 15.0 : 3.0});
        kafka->addTopic({QStringLiteral("inventory-events"), 3, spec.production ? 25.0 : 5.0});
        kafka->addGroup(
            {QStringLiteral("order-fulfilment"), QStringLiteral("orders"), 1.5, 0.0, 120});
        kafka->addGroup({QStringLiteral("billing"),
                         QStringLiteral("payments"),
                         spec.production ? 0.75 : 1.5,
                         spec.production ? 0.4 : 0.0,
                         180});
        kafka->addGroup(
            {QStringLiteral("search-indexer"), QStringLiteral("inventory-events"), 1.5, 0.0, 120});
        if (!kafka->start(spec.kafkaBrokers)) {
            m_error = QStringLiteral("%1 Kafka: %2").arg(env.name, kafka->errorString());
            return false;
        }
        env.kafka = kafka;
        for (const SimKafka::Group &g : kafka->groups())
            env.kafkaGroups << g.name;
    }

    m_environments << env;
    return true;
}

QJsonObject SimEstate::endpointsJson() const
{
    QJsonArray environments;
    for (const Environment &env : m_environments) {
        QJsonArray hosts;
        for (const SimDockerHost *host : env.dockerHosts)
            hosts.append(QJsonObject{
                {QStringLiteral("name"), host->name()},
                {QStringLiteral("url"), QStringLiteral("tcp://127.0.0.1:%1").arg(host->port())}});
        QJsonObject e{{QStringLiteral("name"), env.name},
                      {QStringLiteral("colour"), env.colour},
                      {QStringLiteral("production"), env.production},
                      {QStringLiteral("docker"), hosts}};
        if (env.kafka) {
            e.insert(QStringLiteral("kafka"),
                     QJsonObject{
                         {QStringLiteral("bootstrap_servers"), env.kafka->bootstrapServers()},
                         {QStringLiteral("groups"), QJsonArray::fromStringList(env.kafkaGroups)}});
        }
        environments.append(e);
    }
    return QJsonObject{{QStringLiteral("opsdeck_sim"), 1},
                       {QStringLiteral("environments"), environments}};
}

QByteArray SimEstate::environmentsYaml() const
{
    QByteArray out = "# Written by opsdeck-sim: the demo estate. Ports change on every start.\n"
                     "version: 1\n"
                     "environments:\n";
    for (const Environment &env : m_environments) {
        out += "  - name: " + env.name.toUtf8() + "\n";
        out += "    colour: \"" + env.colour.toUtf8() + "\"\n";
        if (env.production)
            out += "    production: true\n";
        out += "    docker:\n      hosts:\n";
        for (const SimDockerHost *host : env.dockerHosts) {
            out += "        - url: tcp://127.0.0.1:" + QByteArray::number(host->port()) + "\n";
            out += "          name: " + host->name().toUtf8() + "\n";
        }
    }
    return out;
}

} // namespace Opsdeck::Sim
