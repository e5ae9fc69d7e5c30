// SPDX-License-Identifier: MIT
#include "app/sim/simestate.h"

#include "app/sim/simconsul.h"
#include "app/sim/simdockerhost.h"
#include "app/sim/simkafka.h"
#include "app/sim/simmarathon.h"
#include "app/sim/simmesos.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTimer>

namespace Opsdeck::Sim {

namespace {

const QString kRegistry = QStringLiteral("registry.example.internal/shop/");
// Where the shop's configuration lives in each environment's Consul.
const char kConsulPrefix[] = "config/shop/";

// The service the rolling updates are shown on: three instances per environment, and the
// images a rollout can move them to (good, never healthy, crashing).
const QString kShopApiRepo = QStringLiteral("registry.example.com/shop/shop-api");
const QString kShopApiVersion = QStringLiteral("1.4.2");
constexpr int kShopApiInstances = 3;
constexpr qint64 kSecondNs = 1'000'000'000;

/// The configuration hash a per-environment image carries, e.g. nginx-edge:1.25-prod-3f9a1c2e.
QString configHash(const QString &seed)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(seed.toUtf8(), QCryptographicHash::Sha1).toHex().left(8));
}

struct EnvSpec
{
    const char *name;
    const char *shortName;
    const char *colour;
    bool production;
    int hosts;
    int kafkaBrokers;
    int marathonMasters;
    int scale; ///< instances per app, in units of the app's base count
};

constexpr EnvSpec kEnvironments[] = {
    {"Integration", "int", "#2e7d32", false, 2, 1, 1, 1},
    {"Staging", "stg", "#f9a825", false, 3, 1, 2, 1},
    {"Production", "prod", "#c62828", true, 4, 3, 3, 2},
};

/// The shop's Marathon apps: id, image version per environment (int, stg, prod), base
/// instances, cpus, mem, health checked, minimumHealthCapacity, maximumOverCapacity.
struct AppSpec
{
    const char *id;
    const char *versions[3];
    int instances;
    double cpus;
    int memMb;
    bool health;
    double minHealth;
    double overCapacity;
};

constexpr AppSpec kApps[] = {
    {"/shop/web-frontend", {"3.8.0", "3.8.0", "3.7.2"}, 2, 0.5, 512, true, 0.5, 0.5},
    {"/shop/api-gateway", {"1.12.1", "1.12.1", "1.12.1"}, 2, 1.0, 1024, true, 1.0, 0.0},
    {"/shop/orders", {"1.5.0", "1.4.2", "1.4.2"}, 2, 1.0, 1024, true, 0.5, 0.25},
    {"/shop/payments", {"2.1.0", "2.1.0", "2.0.3"}, 2, 0.5, 768, true, 1.0, 0.0},
    {"/shop/inventory", {"4.0.1", "4.0.1", "4.0.1"}, 1, 0.5, 512, true, 0.5, 0.5},
    {"/shop/search", {"2.2.0", "2.2.0", "2.1.9"}, 1, 1.0, 2048, true, 1.0, 1.0},
    {"/shop/catalog", {"5.3.0", "5.3.0", "5.3.0"}, 1, 0.25, 512, true, 0.5, 0.5},
    {"/shop/auth", {"1.9.4", "1.9.4", "1.9.4"}, 2, 0.25, 256, true, 1.0, 0.0},
    {"/shop/checkout", {"0.9.0", "0.9.0", "0.8.7"}, 1, 0.5, 512, true, 0.5, 0.5},
    {"/shop/notifications", {"1.1.0", "1.1.0", "1.1.0"}, 1, 0.25, 256, false, 1.0, 1.0},
    {"/shop/recommendations", {"0.4.2", "0.4.1", "0.4.1"}, 1, 2.0, 4096, true, 0.0, 0.0},
    {"/ops/grafana", {"10.1.5", "10.1.5", "10.1.5"}, 1, 0.5, 512, false, 1.0, 1.0},
};

/// The configuration keys of each environment: most agree, a few differ in telling ways.
struct KeySpec
{
    const char *key;
    const char *values[3]; ///< nullptr: the key is missing in that environment
};

constexpr KeySpec kKeys[] = {
    {"config/shop/orders/db_pool_size", {"10", "20", "50"}},
    {"config/shop/orders/db_url",
     {"postgres://orders@postgres-orders.int.example.internal:5432/orders",
      "postgres://orders@postgres-orders.stg.example.internal:5432/orders",
      "postgres://orders@postgres-orders.prod.example.internal:5432/orders"}},
    {"config/shop/payments/provider_url",
     {"https://sandbox.payments.example.internal",
      "https://sandbox.payments.example.internal",
      "https://api.payments.example.internal"}},
    // Left at 30 s in Staging while someone chased a timeout.
    {"config/shop/payments/timeout_ms", {"3000", "30000", "3000"}},
    {"config/shop/features/new_checkout", {"true", "true", "false"}},
    {"config/shop/search/reindex_batch", {"500", "500", nullptr}},
    {"config/shop/checkout/currency_default", {"EUR", "EUR", "EUR"}},
    {"config/shop/auth/session_ttl_s", {"3600", "3600", "3600"}},
    {"config/shop/auth/jwt_signing_key", {"int-3c1d9f0e7a", "stg-5b2e8a1c4d", "prod-9f7e6d5c4b"}},
    {"config/shop/notifications/smtp_host",
     {"mailhog.int.example.internal",
      "mailhog.stg.example.internal",
      "smtp.prod.example.internal"}},
    {"config/shop/recommendations/model",
     {"reco-2026-11-20", "reco-2026-11-20", "reco-2026-10-02"}},
};

QString imageOf(const AppSpec &app, int envIndex, const QString &shortName)
{
    const QString name = QString::fromLatin1(app.id).section(QLatin1Char('/'), -1);
    return kRegistry
           + QStringLiteral("%1:%2-%3-%4")
                 .arg(name,
                      QString::fromLatin1(app.versions[envIndex]),
                      shortName,
                      configHash(shortName + QLatin1String(app.id)));
}

QJsonObject appDefinition(const AppSpec &app, int envIndex, const QString &shortName, int scale)
{
    QJsonObject docker{{QStringLiteral("image"), imageOf(app, envIndex, shortName)},
                       {QStringLiteral("forcePullImage"), false}};
    QJsonObject container{
        {QStringLiteral("type"), QStringLiteral("DOCKER")},
        {QStringLiteral("docker"), docker},
        {QStringLiteral("portMappings"),
         QJsonArray{QJsonObject{{QStringLiteral("containerPort"), 8080},
                                {QStringLiteral("hostPort"), 0},
                                {QStringLiteral("protocol"), QStringLiteral("tcp")},
                                {QStringLiteral("name"), QStringLiteral("http")}}}},
        {QStringLiteral("volumes"), QJsonArray{}}};
    const char *levels[] = {"debug", "info", "warn"};
    QJsonObject env{{QStringLiteral("LOG_LEVEL"), QLatin1String(levels[envIndex])},
                    {QStringLiteral("SHOP_ENV"), shortName},
                    {QStringLiteral("CONSUL_PREFIX"), QStringLiteral("config/shop")},
                    {QStringLiteral("DB_PASSWORD"),
                     QJsonObject{{QStringLiteral("secret"), QStringLiteral("db-password")}}}};
    QJsonObject definition{
        {QStringLiteral("id"), QLatin1String(app.id)},
        {QStringLiteral("instances"), app.instances * scale},
        {QStringLiteral("cpus"), app.cpus},
        {QStringLiteral("mem"), app.memMb},
        {QStringLiteral("disk"), app.memMb * 2},
        {QStringLiteral("container"), container},
        {QStringLiteral("env"), env},
        {QStringLiteral("labels"),
         QJsonObject{
             {QStringLiteral("team"), QString::fromLatin1(app.id).section(QLatin1Char('/'), 1, 1)},
             {QStringLiteral("HAPROXY_GROUP"), QStringLiteral("external")}}},
        {QStringLiteral("upgradeStrategy"),
         QJsonObject{{QStringLiteral("minimumHealthCapacity"), app.minHealth},
                     {QStringLiteral("maximumOverCapacity"), app.overCapacity}}},
        {QStringLiteral("secrets"),
         QJsonObject{
             {QStringLiteral("db-password"),
              QJsonObject{{QStringLiteral("source"), QStringLiteral("shop/db-password")}}}}}};
    if (app.health) {
        definition.insert(
            QStringLiteral("healthChecks"),
            QJsonArray{QJsonObject{{QStringLiteral("protocol"), QStringLiteral("MESOS_HTTP")},
                                   {QStringLiteral("path"), QStringLiteral("/health")},
                                   {QStringLiteral("portIndex"), 0},
                                   {QStringLiteral("gracePeriodSeconds"), 30},
                                   {QStringLiteral("intervalSeconds"), 10},
                                   {QStringLiteral("timeoutSeconds"), 5},
                                   {QStringLiteral("maxConsecutiveFailures"), 3}}});
    }
    return definition;
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

/// shop-api's images. Their health check probes every 2 s and gives up after three failures,
/// so at the demo's pace an instance is healthy 2 s after start, or unhealthy after 6 s.
QList<SimImage> shopApiImages()
{
    auto image = [](const QString &tag, const QString &version, SimBehaviour behaviour) {
        SimImage i;
        i.name = kShopApiRepo + QLatin1Char(':') + tag;
        i.env = {
            QStringLiteral("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
            QStringLiteral("JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=75"),
            QStringLiteral("SHOP_API_PORT=8080"),
            QStringLiteral("SHOP_API_VERSION=") + version};
        i.cmd = {QStringLiteral("/usr/local/bin/shop-api"),
                 QStringLiteral("--config"),
                 QStringLiteral("/etc/shop-api/application.yaml")};
        i.labels = {{QStringLiteral("org.opencontainers.image.version"), version},
                    {QStringLiteral("org.opencontainers.image.source"),
                     QStringLiteral("https://git.example.com/shop/shop-api")}};
        i.healthcheck = QJsonObject{
            {QStringLiteral("Test"),
             QJsonArray{QStringLiteral("CMD-SHELL"),
                        QStringLiteral("curl -fsS http://localhost:8080/health || exit 1")}},
            {QStringLiteral("Interval"), 2 * kSecondNs},
            {QStringLiteral("Timeout"), kSecondNs},
            {QStringLiteral("Retries"), 3}};
        i.exposedPorts = QJsonObject{{QStringLiteral("8080/tcp"), QJsonObject()}};
        i.behaviour = behaviour;
        i.crashAfterMs = 800;
        return i;
    };
    const QString next = QStringLiteral("1.5.0");
    return {image(kShopApiVersion, kShopApiVersion, SimBehaviour::Normal),
            image(next, next, SimBehaviour::Normal),
            image(next + QStringLiteral("-unhealthy"), next, SimBehaviour::NeverHealthy),
            image(next + QStringLiteral("-crash"), next, SimBehaviour::Crash)};
}

/// What `docker run` would send to create shop-api instance @p n (1-based) of an environment.
QJsonObject shopApiCreateBody(const QString &shortName, int n, const QString &dbPassword)
{
    const QString config = QStringLiteral("/srv/shop-api/%1/application.yaml").arg(shortName);
    return QJsonObject{
        {QStringLiteral("Image"), QString(kShopApiRepo + QLatin1Char(':') + kShopApiVersion)},
        {QStringLiteral("Env"),
         QJsonArray{QString(QStringLiteral("SHOP_ENV=") + shortName),
                    QStringLiteral("SHOP_DB_URL=postgres://shop@postgres-shop.%1.example.internal:"
                                   "5432/shop")
                        .arg(shortName),
                    QString(QStringLiteral("SHOP_DB_PASSWORD=") + dbPassword)}},
        {QStringLiteral("Labels"),
         QJsonObject{{QStringLiteral("com.example.service"), QStringLiteral("shop-api")},
                     {QStringLiteral("com.example.team"), QStringLiteral("shop")}}},
        {QStringLiteral("HostConfig"),
         QJsonObject{
             {QStringLiteral("RestartPolicy"),
              QJsonObject{{QStringLiteral("Name"), QStringLiteral("on-failure")},
                          {QStringLiteral("MaximumRetryCount"), 5}}},
             {QStringLiteral("Binds"),
              QJsonArray{QString(config + QStringLiteral(":/etc/shop-api/application.yaml:ro"))}},
             {QStringLiteral("PortBindings"),
              QJsonObject{{QStringLiteral("8080/tcp"),
                           QJsonArray{QJsonObject{
                               {QStringLiteral("HostIp"), QString()},
                               {QStringLiteral("HostPort"), QString::number(18080 + n)}}}}}},
             {QStringLiteral("NetworkMode"), QStringLiteral("shop")}}},
        {QStringLiteral("NetworkingConfig"),
         QJsonObject{{QStringLiteral("EndpointsConfig"),
                      QJsonObject{{QStringLiteral("shop"),
                                   QJsonObject{{QStringLiteral("Aliases"),
                                                QJsonArray{QStringLiteral("shop-api")}}}}}}}}};
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
        else if (auto *marathon = qobject_cast<SimMarathon *>(*it))
            marathon->stop();
        else if (auto *mesos = qobject_cast<SimMesos *>(*it))
            mesos->stop();
        else if (auto *consul = qobject_cast<SimConsul *>(*it))
            consul->stop();
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
        // The file behind that bind mount: two telling lines differ per environment.
        shipper.files.insert(
            QStringLiteral("/fluent-bit/etc/fluent-bit.conf"),
            QStringLiteral("[SERVICE]\n"
                           "    Flush        5\n"
                           "    Log_Level    %1\n"
                           "\n"
                           "[INPUT]\n"
                           "    Name         tail\n"
                           "    Path         /var/log/host/*.log\n"
                           "\n"
                           "[OUTPUT]\n"
                           "    Name         forward\n"
                           "    Match        *\n"
                           "    Host         logs.%2.example.internal\n"
                           "    Port         24224\n")
                .arg(spec.production ? QStringLiteral("warn") : QStringLiteral("info"), shortName)
                .toUtf8());
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

        for (const SimImage &image : shopApiImages())
            host->addImage(image);
        // shop-api's configuration file, bind-mounted into its instances.
        host->setHostFile(QStringLiteral("/srv/shop-api/%1/application.yaml").arg(shortName),
                          QStringLiteral("server:\n"
                                         "  port: 8080\n"
                                         "database:\n"
                                         "  url: postgres://postgres-shop.%1.example.internal:5432/"
                                         "shop\n"
                                         "  pool: 10\n")
                              .arg(shortName)
                              .toUtf8());
    }

    // shop-api: one instance per host where there are three hosts or more, else spread over
    // them; created through the engine's own create call, as `docker run` would.
    const QString shopDbPassword = QString::number(random.generate64(), 36);
    for (int n = 1; n <= kShopApiInstances; ++n) {
        SimDockerHost *host = env.dockerHosts.at((n - 1) % env.dockerHosts.size());
        const QString name = QStringLiteral("shop-api-%1").arg(n);
        const SimApiResult created =
            host->createContainer(name, shopApiCreateBody(shortName, n, shopDbPassword));
        if (!created.ok()) {
            m_error = QStringLiteral("%1: %2: %3").arg(host->name(), name, created.message);
            return false;
        }
        host->appendLog(created.id,
                        QStringLiteral("shop-api %1 listening on :8080").arg(kShopApiVersion));
        host->start(created.id);
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
                         QStringLiteral("/srv/nginx/%1/conf.d/default.conf").arg(shortName),
                         QStringLiteral("/etc/nginx/conf.d/default.conf"),
                         false)};
    // The mounted conf.d: Production waits longer for its upstream.
    edge.files.insert(
        QStringLiteral("/etc/nginx/conf.d/default.conf"),
        QStringLiteral("upstream api {\n"
                       "    server api-gateway.%1.example.internal:8080;\n"
                       "}\n"
                       "\n"
                       "server {\n"
                       "    listen 80;\n"
                       "    location / {\n"
                       "        proxy_pass http://api;\n"
                       "        proxy_read_timeout %2;\n"
                       "    }\n"
                       "}\n")
            .arg(shortName, spec.production ? QStringLiteral("60s") : QStringLiteral("30s"))
            .toUtf8());
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
        // It has been at it for a while: six restarts behind it, back-off growing, and it has
        // just died again, so the engine holds it in "restarting".
        ledger.restartCount = 6;
        SimDockerHost *ledgerHost = env.dockerHosts.value(2, second);
        ledgerHost->exitContainer(ledgerHost->addContainer(ledger, true), 1);
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
        reports.restartCount = 3;
        SimDockerHost *reportsHost = env.dockerHosts.value(2, second);
        reportsHost->exitContainer(reportsHost->addContainer(reports, true), 137);
    }

    // Marathon on Mesos: every Docker host is also a Mesos agent, so a task is a container there.
    auto *marathon = new SimMarathon;
    m_owned << marathon;
    marathon->setTimeScale(m_options.timeScale);
    marathon->setSeed(m_options.seed * 31u + quint32(index));
    marathon->setEnvironment(env.name);
    for (int h = 0; h < env.dockerHosts.size(); ++h) {
        SimAgent agent;
        agent.id =
            QStringLiteral("%1-S%2").arg(configHash(env.name + QStringLiteral("agents"))).arg(h);
        agent.hostname = env.dockerHosts.at(h)->name();
        agent.cpus = 16;
        agent.memMb = 65536;
        agent.diskMb = 480000;
        agent.docker = env.dockerHosts.at(h);
        marathon->addAgent(agent);
    }
    const quint16 marathonPort = m_options.portBase == 0 ? 0 : m_nextPort;
    m_nextPort = quint16(m_nextPort + (m_options.portBase == 0 ? 0 : spec.marathonMasters));
    if (!marathon->listen(spec.marathonMasters, marathonPort)) {
        m_error = QStringLiteral("%1 Marathon: %2").arg(env.name, marathon->errorString());
        return false;
    }
    for (const AppSpec &app : kApps)
        marathon->addApp(appDefinition(app, index, shortName, spec.scale));
    env.marathon = marathon;

    auto *mesos = new SimMesos;
    m_owned << mesos;
    mesos->setSource([marathon] { return marathon->agents(); },
                     [marathon] { return marathon->tasks(); },
                     marathon->frameworkId());
    connect(marathon, &SimMarathon::tasksChanged, mesos, &SimMesos::refresh);
    const quint16 mesosPort = nextPort();
    if (!mesos->listen(1, mesosPort)) {
        m_error = QStringLiteral("%1 Mesos: %2").arg(env.name, mesos->errorString());
        return false;
    }
    env.mesos = mesos;

    if (shortName == QLatin1String("stg")) {
        // A release candidate of orders that never turns healthy: the deployment stays stuck
        // until someone rolls it back or force-cancels it.
        const QString rc = kRegistry
                           + QStringLiteral("orders:1.5.0-rc1-stg-%1")
                                 .arg(configHash(QStringLiteral("stg-orders-rc1")));
        marathon->setBrokenImage(rc);
        QJsonObject definition = marathon->app(QStringLiteral("/shop/orders"));
        QJsonObject container = definition.value(QStringLiteral("container")).toObject();
        QJsonObject docker = container.value(QStringLiteral("docker")).toObject();
        docker.insert(QStringLiteral("image"), rc);
        container.insert(QStringLiteral("docker"), docker);
        marathon->startDeployment(QStringLiteral("/shop/orders"),
                                  QJsonObject{{QStringLiteral("container"), container}});
    }
    if (shortName == QLatin1String("int")) {
        // Continuous delivery into Integration: a new build of search every few minutes.
        auto *builds = new QTimer(marathon);
        builds->setInterval(std::max(1000, int(180000 / m_options.timeScale)));
        connect(builds, &QTimer::timeout, marathon, [marathon, shortName] {
            const QString appId = QStringLiteral("/shop/search");
            QJsonObject vars = marathon->app(appId).value(QStringLiteral("env")).toObject();
            vars.insert(
                QStringLiteral("BUILD"),
                QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd.HHmmss")));
            marathon->startDeployment(appId, QJsonObject{{QStringLiteral("env"), vars}});
        });
        builds->start();
    }

    // Consul: the shop's configuration keys and the services Marathon runs.
    auto *consul = new SimConsul;
    m_owned << consul;
    consul->setDatacenter(shortName);
    consul->setAclToken(consulTokenFor(env.name));
    if (!consul->aclToken().isEmpty())
        qputenv(consulTokenEnv().toLatin1().constData(), consul->aclToken().toUtf8());
    if (!consul->listen(nextPort())) {
        m_error = QStringLiteral("%1 Consul: %2").arg(env.name, consul->errorString());
        return false;
    }
    for (const KeySpec &key : kKeys) {
        if (key.values[index])
            consul->setKey(QLatin1String(key.key), QByteArray(key.values[index]));
    }
    for (const AppSpec &app : kApps) {
        const QString name = QString::fromLatin1(app.id).section(QLatin1Char('/'), -1);
        QList<SimConsulInstance> instances;
        for (int i = 0; i < app.instances * spec.scale; ++i) {
            SimConsulInstance instance;
            instance.node = env.dockerHosts.at(i % env.dockerHosts.size())->name();
            instance.address = QStringLiteral("127.0.0.1");
            instance.port = 31000 + int(random.bounded(1000));
            instance.id = QStringLiteral("%1-%2").arg(name).arg(i + 1);
            instance.output = QStringLiteral("HTTP GET http://%1:%2/health: 200 OK")
                                  .arg(instance.node)
                                  .arg(instance.port);
            instances << instance;
        }
        consul->registerService(name, {shortName, QStringLiteral("http")}, instances);
    }
    if (shortName == QLatin1String("stg"))
        consul->setCheckStatus(QStringLiteral("search-1"),
                               QStringLiteral("warning"),
                               QStringLiteral("HTTP GET /health: 429 Too Many Requests"));
    if (spec.production) {
        consul->registerService(
            QStringLiteral("ledger-sync"),
            {shortName},
            {SimConsulInstance{env.dockerHosts.value(2)->name(),
                               QStringLiteral("127.0.0.1"),
                               9400,
                               QStringLiteral("ledger-sync-1"),
                               QStringLiteral("critical"),
                               QStringLiteral("dial tcp 127.0.0.1:9400: connect: connection "
                                              "refused")}});
    }
    env.consul = consul;

    // Kafka: orders flow, payments, inventory events; billing falls behind in Production.
    if (m_options.kafka) {
        auto *kafka = new SimKafka;
        m_owned << kafka;
        kafka->setTimeScale(m_options.timeScale);
        kafka->addTopic({QStringLiteral("orders"), 6, spec.production ? 40.0 : 8.0});
        // Production's billing is already 2,000 payments behind when the demo starts.
        kafka->addTopic({QStringLiteral("payments"),
                         3,
                         spec.production ? 15.0 : 3.0,
                         spec.production ? 2000 : 0});
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

QString SimEstate::consulTokenFor(const QString &environment)
{
    // A demo token, not a secret: the demo's Production shows what an ACL-protected Consul
    // looks like.
    if (environment == QLatin1String("Production"))
        return QStringLiteral("6f1c0e52-demo-4a7e-9b1d-production00");
    return {};
}

QString SimEstate::consulTokenEnv()
{
    return QStringLiteral("OPSDECK_DEMO_CONSUL_TOKEN");
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
        QJsonArray marathon;
        for (int m = 0; env.marathon && m < env.marathon->ports().size(); ++m)
            marathon.append(env.marathon->url(m));
        QJsonArray mesos;
        for (int m = 0; env.mesos && m < env.mesos->masterCount(); ++m)
            mesos.append(env.mesos->url(m).toString());
        e.insert(QStringLiteral("marathon"), marathon);
        e.insert(QStringLiteral("mesos"), mesos);
        if (env.consul) {
            e.insert(QStringLiteral("consul"), env.consul->url().toString());
            e.insert(QStringLiteral("consul_prefix"), QLatin1String(kConsulPrefix));
            if (!env.consul->aclToken().isEmpty()) {
                e.insert(QStringLiteral("consul_token"), env.consul->aclToken());
                e.insert(QStringLiteral("consul_token_env"), consulTokenEnv());
            }
        }
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
    QByteArray out =
        "# Written by opsdeck-sim: the demo estate. Ports change on every start.\n"
        "version: 1\n"
        "settings:\n"
        "  config_diff:\n"
        "    expected:\n"
        "      # Each environment's name inside values (db.stg… vs db.prod…) is expected.\n"
        "      - rewrite: {Integration: int, Staging: stg, Production: prod}\n"
        "      # The config hash follows the configuration; keys and passwords differ by design;\n"
        "      # BUILD is stamped by Integration's continuous deploys.\n"
        "      - ignore: [\"confighash\", \"*signing_key*\", \"*PASSWORD*\", \"BUILD\"]\n"
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
        if (env.marathon) {
            out += "    marathon:\n      urls:\n";
            for (int m = 0; m < env.marathon->ports().size(); ++m)
                out += "        - " + env.marathon->url(m).toUtf8() + "\n";
        }
        if (env.mesos) {
            out += "    mesos:\n      urls:\n";
            for (int m = 0; m < env.mesos->masterCount(); ++m)
                out += "        - " + env.mesos->url(m).toString().toUtf8() + "\n";
        }
        if (env.consul) {
            out += "    consul:\n      url: " + env.consul->url().toString().toUtf8() + "\n";
            out += "      prefix: " + QByteArray(kConsulPrefix) + "\n";
            out += "      datacenter: " + env.consul->datacenter().toUtf8() + "\n";
            if (!env.consul->aclToken().isEmpty())
                out += "      token_env: " + consulTokenEnv().toUtf8() + "\n";
        }
        if (env.kafka) {
            // The mock cluster lists no groups: they are watched by name, with their topics
            // (the mock answers committed offsets only for partitions asked for by name).
            out += "    kafka:\n      refresh: 5s\n      clusters:\n        - name: main\n";
            out +=
                "          bootstrap_servers: [" + env.kafka->bootstrapServers().toUtf8() + "]\n";
            out += "          discover_groups: false\n          groups:\n";
            for (const SimKafka::Group &g : env.kafka->groups()) {
                out += "            - name: " + g.name.toUtf8() + "\n";
                out += "              topics: [" + g.topic.toUtf8() + "]\n";
                // billing falls behind in Production: these levels make it an alert there.
                out += "              thresholds:\n"
                       "                lag: {warning: 500, critical: 5000}\n"
                       "                time_lag: {warning: 60s, critical: 10m}\n";
            }
        }
    }
    return out;
}

} // namespace Opsdeck::Sim
