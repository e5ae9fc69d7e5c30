// SPDX-License-Identifier: MIT
#include "models/environmentsconfig.h"
#include "models/imagetag.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Opsdeck::Models;

class tst_EnvironmentsConfig : public QObject
{
    Q_OBJECT

private slots:
    void parsesAGoodFile();
    void bareUrlsAndDefaults();
    void marathonAndMesosSections();
    void clusterOnlyEnvironment();
    void kvSections();
    void kafkaSection();
    void kafkaDefaults();
    void badKafkaSections_data();
    void badKafkaSections();
    void configDiffSettings();
    void configDiffDefaults();
    void badKvAndDiffSections_data();
    void badKvAndDiffSections();
    void badFiles_data();
    void badFiles();
    void unreadableCertificateNamesThePath();
    void relativeTlsPathsResolveAgainstTheFile();
    void missingFileIsAnError();
    void exampleFileIsValid();
    void exampleFileParsesWithItsCertificates();
    void dockerHostFallback();
    void durations_data();
    void durations();

private:
    static OpsdeckConfig parseOk(const QByteArray &yaml,
                                 const QString &fileName = QStringLiteral("envs.yaml"))
    {
        const auto result = EnvironmentsConfigLoader::parse(yaml, fileName);
        if (const auto *e = std::get_if<ConfigError>(&result))
            qFatal("unexpected error: %s", qPrintable(e->toString()));
        return std::get<OpsdeckConfig>(result);
    }
};

void tst_EnvironmentsConfig::parsesAGoodFile()
{
    const OpsdeckConfig c = parseOk(R"(version: 1
settings:
  crash_loop: {restarts: 4, window: 2m, clear_after: 90s, manual_grace: 5s}
environments:
  - name: Integration
    colour: "#2e7d32"
    docker:
      hosts:
        - url: unix:///run/a.sock
          name: a
          tags: [web, blue]
        - url: tcp://127.0.0.1:2375
  - name: Production
    production: true
    read_only: true
    docker:
      hosts:
        - tcp://[::1]:2375
)");
    QCOMPARE(c.environments.size(), 2);
    QCOMPARE(c.flags.crashRestarts, 4);
    QCOMPARE(c.flags.crashWindowMs, 120000);
    QCOMPARE(c.flags.clearAfterMs, 90000);
    QCOMPARE(c.flags.manualGraceMs, 5000);
    const EnvironmentConfig &integration = c.environments.at(0);
    QCOMPARE(integration.name, QStringLiteral("Integration"));
    QCOMPARE(integration.colour, QStringLiteral("#2e7d32"));
    QVERIFY(!integration.production);
    QCOMPARE(integration.dockerHosts.size(), 2);
    QCOMPARE(integration.dockerHosts.at(0).name, QStringLiteral("a"));
    QCOMPARE(integration.dockerHosts.at(0).tags,
             (QStringList{QStringLiteral("web"), QStringLiteral("blue")}));
    QCOMPARE(integration.dockerHosts.at(1).name, QStringLiteral("127.0.0.1:2375"));
    const EnvironmentConfig *prod = c.environment(QStringLiteral("production"));
    QVERIFY(prod);
    QVERIFY(prod->production);
    QVERIFY(prod->readOnly);
    QCOMPARE(prod->colour, QStringLiteral("#c62828"));
}

void tst_EnvironmentsConfig::bareUrlsAndDefaults()
{
    const OpsdeckConfig c = parseOk("environments:\n  - name: x\n");
    QCOMPARE(c.environments.size(), 1);
    QVERIFY(c.environments.at(0).dockerHosts.isEmpty());
    QCOMPARE(c.flags, FlagSettings{});
}

void tst_EnvironmentsConfig::marathonAndMesosSections()
{
    const OpsdeckConfig c = parseOk(R"(environments:
  - name: Staging
    docker:
      hosts: [unix:///run/a.sock]
    marathon:
      urls: [http://127.0.0.1:8080/, 'https://[::1]:8443']
      username: ops
      password_env: MARATHON_PASSWORD
      timeout: 5s
    mesos:
      urls:
        - http://mesos-1.example.internal:5050
  - name: Integration
)");
    const EnvironmentConfig &staging = c.environments.at(0);
    QVERIFY(staging.marathon);
    QCOMPARE(staging.marathon->urls,
             (QStringList{QStringLiteral("http://127.0.0.1:8080"),
                          QStringLiteral("https://[::1]:8443")}));
    QCOMPARE(staging.marathon->username, QStringLiteral("ops"));
    QCOMPARE(staging.marathon->passwordEnv, QStringLiteral("MARATHON_PASSWORD"));
    QCOMPARE(staging.marathon->timeoutMs, 5000);
    QVERIFY(staging.mesos);
    QCOMPARE(staging.mesos->urls,
             QStringList{QStringLiteral("http://mesos-1.example.internal:5050")});
    QCOMPARE(staging.mesos->timeoutMs, 10000); // the default
    QCOMPARE(staging.dockerHosts.size(), 1);
    // Sections left out stay absent.
    QVERIFY(!c.environments.at(1).marathon);
    QVERIFY(!c.environments.at(1).mesos);
}

void tst_EnvironmentsConfig::clusterOnlyEnvironment()
{
    // No Docker hosts at all: Marathon and Mesos are enough.
    const OpsdeckConfig c = parseOk(
        "environments:\n  - name: mesos-only\n    marathon: {urls: [http://127.0.0.1:8080]}\n");
    QVERIFY(c.environments.at(0).dockerHosts.isEmpty());
    QVERIFY(c.environments.at(0).marathon);
    QCOMPARE(c.environments.at(0).marathon->username, QString());
    QCOMPARE(c.environments.at(0).marathon->timeoutMs, 10000);
}

void tst_EnvironmentsConfig::kvSections()
{
    const OpsdeckConfig c = parseOk(R"(environments:
  - name: Staging
    consul:
      url: http://127.0.0.1:8500/
      prefix: config/shop/
      token_env: CONSUL_TOKEN
      datacenter: dc2
      timeout: 5s
      wait: 2m
      allow_edit: true
    etcd:
      urls: [http://127.0.0.1:2379, "http://[::1]:2379"]
      prefix: /config/shop/
      username: opsdeck
      password_env: ETCD_PASSWORD
    zookeeper:
      hosts: [127.0.0.1:2181, "zk-2.example.internal:2181"]
      path: /config/shop/
      digest_env: ZK_DIGEST
      session_timeout: 15s
  - name: Production
    consul: {url: http://127.0.0.1:8501}
    zookeeper: {hosts: "127.0.0.1:2181,127.0.0.1:2182", path: /}
)");
    const EnvironmentConfig &stg = c.environments.at(0);
    QVERIFY(stg.dockerHosts.isEmpty());
    QVERIFY(stg.consul);
    QCOMPARE(stg.consul->url, QStringLiteral("http://127.0.0.1:8500"));
    QCOMPARE(stg.consul->prefix, QStringLiteral("config/shop/"));
    QCOMPARE(stg.consul->tokenEnv, QStringLiteral("CONSUL_TOKEN"));
    QCOMPARE(stg.consul->datacenter, QStringLiteral("dc2"));
    QCOMPARE(stg.consul->timeoutMs, 5000);
    QCOMPARE(stg.consul->waitMs, 120000);
    QVERIFY(stg.consul->allowEdit);
    QVERIFY(stg.etcd);
    QCOMPARE(stg.etcd->urls,
             (QStringList{QStringLiteral("http://127.0.0.1:2379"),
                          QStringLiteral("http://[::1]:2379")}));
    QCOMPARE(stg.etcd->prefix, QStringLiteral("/config/shop/"));
    QCOMPARE(stg.etcd->username, QStringLiteral("opsdeck"));
    QCOMPARE(stg.etcd->passwordEnv, QStringLiteral("ETCD_PASSWORD"));
    QVERIFY(!stg.etcd->allowEdit);
    QVERIFY(stg.zookeeper);
    QCOMPARE(stg.zookeeper->hosts, QStringLiteral("127.0.0.1:2181,zk-2.example.internal:2181"));
    QCOMPARE(stg.zookeeper->path, QStringLiteral("/config/shop"));
    QCOMPARE(stg.zookeeper->digestEnv, QStringLiteral("ZK_DIGEST"));
    QCOMPARE(stg.zookeeper->sessionTimeoutMs, 15000);

    const EnvironmentConfig &prod = c.environments.at(1);
    QCOMPARE(prod.consul->prefix, QString());
    QCOMPARE(prod.consul->waitMs, 300000);
    QCOMPARE(prod.consul->timeoutMs, 10000);
    QVERIFY(!prod.consul->allowEdit);
    QVERIFY(!prod.etcd);
    QCOMPARE(prod.zookeeper->hosts, QStringLiteral("127.0.0.1:2181,127.0.0.1:2182"));
    QCOMPARE(prod.zookeeper->path, QStringLiteral("/"));
    QCOMPARE(prod.zookeeper->sessionTimeoutMs, 10000);
}

void tst_EnvironmentsConfig::kafkaSection()
{
    const OpsdeckConfig c = parseOk(R"(environments:
  - name: Production
    kafka:
      refresh: 10s
      retention: 2h
      window: 12
      timeout: 3s
      clusters:
        - name: main
          bootstrap_servers: [127.0.0.1:9092, "kafka-2.example.internal:9093", "[::1]:9094"]
          properties:
            security.protocol: SASL_SSL
            sasl.mechanism: PLAIN
            sasl.username: opsdeck
          secret_properties: {sasl.password: KAFKA_PASSWORD}
          discover_groups: false
          groups:
            - billing
            - name: search-indexer
              topics: [orders, payments]
              thresholds:
                lag: {warning: 10000, critical: 100000}
                time_lag: {warning: 90s, critical: 10m}
                catch_up: {critical: 1h}
                hysteresis: 0.2
        - name: audit
          bootstrap_servers: "127.0.0.1:9192,127.0.0.1:9193"
)");
    const EnvironmentConfig &env = c.environments.at(0);
    QVERIFY(env.kafka);
    const KafkaConfig &k = *env.kafka;
    QCOMPARE(k.refreshMs, 10000);
    QCOMPARE(k.retentionMs, 7200000);
    QCOMPARE(k.windowSamples, 12);
    QCOMPARE(k.timeoutMs, 3000);
    QCOMPARE(k.clusters.size(), 2);
    const KafkaClusterConfig &main = k.clusters.at(0);
    QCOMPARE(main.name, QStringLiteral("main"));
    QCOMPARE(main.bootstrapServers,
             QStringLiteral("127.0.0.1:9092,kafka-2.example.internal:9093,[::1]:9094"));
    QCOMPARE(main.properties.size(), 3);
    QCOMPARE(main.properties.value(QStringLiteral("sasl.mechanism")), QStringLiteral("PLAIN"));
    QCOMPARE(main.secretProperties.value(QStringLiteral("sasl.password")),
             QStringLiteral("KAFKA_PASSWORD"));
    QVERIFY(!main.discoverGroups);
    QCOMPARE(main.groups.size(), 2);
    QCOMPARE(main.groups.at(0).name, QStringLiteral("billing"));
    QVERIFY(main.groups.at(0).topics.isEmpty());
    QVERIFY(!main.groups.at(0).thresholds.lag.isSet());
    const KafkaGroupConfig &indexer = main.groups.at(1);
    QCOMPARE(indexer.topics, (QStringList{QStringLiteral("orders"), QStringLiteral("payments")}));
    QCOMPARE(indexer.thresholds.lag.warning, 10000.0);
    QCOMPARE(indexer.thresholds.lag.critical, 100000.0);
    QCOMPARE(indexer.thresholds.timeLagS.warning, 90.0);
    QCOMPARE(indexer.thresholds.timeLagS.critical, 600.0);
    QVERIFY(!indexer.thresholds.catchUpS.warning);
    QCOMPARE(indexer.thresholds.catchUpS.critical, 3600.0);
    QCOMPARE(indexer.thresholds.hysteresis, 0.2);
    const KafkaClusterConfig &audit = k.clusters.at(1);
    QCOMPARE(audit.bootstrapServers, QStringLiteral("127.0.0.1:9192,127.0.0.1:9193"));
    QVERIFY(audit.discoverGroups);
    QVERIFY(audit.groups.isEmpty());
}

void tst_EnvironmentsConfig::kafkaDefaults()
{
    const OpsdeckConfig c = parseOk("environments:\n  - name: x\n    kafka:\n      clusters:\n"
                                    "        - {name: main, bootstrap_servers: 127.0.0.1:9092}\n");
    const KafkaConfig &k = *c.environments.at(0).kafka;
    QCOMPARE(k.refreshMs, 5000);
    QCOMPARE(k.retentionMs, 3600000);
    QCOMPARE(k.windowSamples, 10);
    QCOMPARE(k.timeoutMs, 10000);
    QCOMPARE(k.clusters.at(0).bootstrapServers, QStringLiteral("127.0.0.1:9092"));
    QVERIFY(k.clusters.at(0).discoverGroups);
    QVERIFY(!c.environments.at(0).kafka->clusters.at(0).groups.size());
    QVERIFY(!parseOk("environments:\n  - name: x\n").environments.at(0).kafka);
}

void tst_EnvironmentsConfig::badKafkaSections_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("message");

    const QByteArray head = "environments:\n  - name: x\n    kafka:\n      clusters:\n";
    const QByteArray main = "        - name: main\n          bootstrap_servers: 127.0.0.1:9092\n";
    const QByteArray group = main + "          groups:\n            - name: billing\n";

    QTest::newRow("no clusters")
        << QByteArray("environments:\n  - name: x\n    kafka: {refresh: 5s}\n")
        << QStringLiteral("envs.yaml:3:12: environments[0].kafka.clusters: required key "
                          "'clusters' is missing");
    QTest::newRow("empty clusters")
        << QByteArray("environments:\n  - name: x\n    kafka: {clusters: []}\n")
        << QStringLiteral("envs.yaml:3:23: environments[0].kafka.clusters: expected a non-empty "
                          "list of clusters");
    QTest::newRow("cluster without bootstrap servers")
        << QByteArray(head + "        - name: main\n")
        << QStringLiteral("envs.yaml:5:11: environments[0].kafka.clusters[0].bootstrap_servers: "
                          "required key 'bootstrap_servers' is missing");
    QTest::newRow("bootstrap server without port")
        << QByteArray(head + "        - {name: main, bootstrap_servers: [127.0.0.1:9092, kafka]}\n")
        << QStringLiteral("envs.yaml:5:60: environments[0].kafka.clusters[0].bootstrap_servers: "
                          "expected host:port, e.g. kafka-1.example.internal:9092, found 'kafka'");
    QTest::newRow("bootstrap server port out of range")
        << QByteArray(head + "        - {name: main, bootstrap_servers: \"127.0.0.1:99999\"}\n")
        << QStringLiteral("envs.yaml:5:43: environments[0].kafka.clusters[0].bootstrap_servers: "
                          "expected host:port, e.g. kafka-1.example.internal:9092, found "
                          "'127.0.0.1:99999'");
    QTest::newRow("duplicate cluster")
        << QByteArray(head + main + main)
        << QStringLiteral("envs.yaml:7:17: environments[0].kafka.clusters[1].name: cluster name "
                          "'main' is used twice in this environment");
    QTest::newRow("slash in cluster name")
        << QByteArray(head + "        - {name: a/b, bootstrap_servers: 127.0.0.1:9092}\n")
        << QStringLiteral("envs.yaml:5:18: environments[0].kafka.clusters[0].name: a cluster "
                          "name has no '/'");
    QTest::newRow("duplicate group")
        << QByteArray(head + group + "            - billing\n")
        << QStringLiteral("envs.yaml:9:15: environments[0].kafka.clusters[0].groups[1]: group "
                          "'billing' is listed twice in this cluster");
    QTest::newRow("sasl.password in properties")
        << QByteArray(head + main + "          properties: {sasl.password: hunter2}\n")
        << QStringLiteral("envs.yaml:7:24: environments[0].kafka.clusters[0].properties."
                          "sasl.password: 'sasl.password' is a secret: put it in an environment "
                          "variable and name that variable under secret_properties "
                          "(sasl.password: KAFKA_PASSWORD)");
    QTest::newRow("ssl.key.password in properties")
        << QByteArray(head + main + "          properties:\n            ssl.key.password: x\n")
        << QStringLiteral("envs.yaml:8:13: environments[0].kafka.clusters[0].properties."
                          "ssl.key.password: 'ssl.key.password' is a secret: put it in an "
                          "environment variable and name that variable under secret_properties "
                          "(ssl.key.password: KAFKA_PASSWORD)");
    QTest::newRow("a secret in properties")
        << QByteArray(head + main + "          properties: {sasl.oauthbearer.client.secret: s3}\n")
        << QStringLiteral("envs.yaml:7:24: environments[0].kafka.clusters[0].properties."
                          "sasl.oauthbearer.client.secret: 'sasl.oauthbearer.client.secret' is a "
                          "secret: put it in an environment variable and name that variable "
                          "under secret_properties (sasl.oauthbearer.client.secret: "
                          "KAFKA_PASSWORD)");
    QTest::newRow("bootstrap.servers in properties")
        << QByteArray(head + main + "          properties: {bootstrap.servers: a:1}\n")
        << QStringLiteral("envs.yaml:7:24: environments[0].kafka.clusters[0].properties."
                          "bootstrap.servers: 'bootstrap.servers' is set by Opsdeck (use "
                          "bootstrap_servers and groups)");
    QTest::newRow("secret property not a variable name")
        << QByteArray(head + main + "          secret_properties: {sasl.password: hunter 2}\n")
        << QStringLiteral("envs.yaml:7:46: environments[0].kafka.clusters[0].secret_properties."
                          "sasl.password: expected the name of an environment variable, like "
                          "KAFKA_PASSWORD, found 'hunter 2'");
    QTest::newRow("critical below warning")
        << QByteArray(head + group
                      + "              thresholds: {lag: {warning: 1000, critical: 500}}\n")
        << QStringLiteral("envs.yaml:9:59: environments[0].kafka.clusters[0].groups[0]."
                          "thresholds.lag.critical: critical (500) is below warning (1000)");
    QTest::newRow("time lag critical below warning")
        << QByteArray(head + group
                      + "              thresholds: {time_lag: {warning: 5m, critical: 90s}}\n")
        << QStringLiteral("envs.yaml:9:62: environments[0].kafka.clusters[0].groups[0]."
                          "thresholds.time_lag.critical: critical (90s) is below warning (5m)");
    QTest::newRow("negative lag")
        << QByteArray(head + group + "              thresholds: {lag: {warning: -5}}\n")
        << QStringLiteral("envs.yaml:9:43: environments[0].kafka.clusters[0].groups[0]."
                          "thresholds.lag.warning: must not be negative");
    QTest::newRow("negative duration")
        << QByteArray(head + group + "              thresholds: {catch_up: {critical: -1m}}\n")
        << QStringLiteral("envs.yaml:9:49: environments[0].kafka.clusters[0].groups[0]."
                          "thresholds.catch_up.critical: must not be negative");
    QTest::newRow("lag not a number")
        << QByteArray(head + group + "              thresholds: {lag: {warning: lots}}\n")
        << QStringLiteral("envs.yaml:9:43: environments[0].kafka.clusters[0].groups[0]."
                          "thresholds.lag.warning: expected a number of messages, found 'lots'");
    QTest::newRow("hysteresis of 1")
        << QByteArray(head + group + "              thresholds: {hysteresis: 1}\n")
        << QStringLiteral("envs.yaml:9:40: environments[0].kafka.clusters[0].groups[0]."
                          "thresholds.hysteresis: expected a share from 0 up to (not including) "
                          "1, e.g. 0.1, found '1'");
    QTest::newRow("negative hysteresis")
        << QByteArray(head + group + "              thresholds: {hysteresis: -0.1}\n")
        << QStringLiteral("envs.yaml:9:40: environments[0].kafka.clusters[0].groups[0]."
                          "thresholds.hysteresis: expected a share from 0 up to (not including) "
                          "1, e.g. 0.1, found '-0.1'");
    QTest::newRow("unknown threshold")
        << QByteArray(head + group + "              thresholds: {lagg: {warning: 1}}\n")
        << QStringLiteral("envs.yaml:9:28: environments[0].kafka.clusters[0].groups[0]."
                          "thresholds.lagg: unknown key 'lagg' (expected one of: lag, time_lag, "
                          "catch_up, hysteresis)");
    QTest::newRow("window of 1")
        << QByteArray(head + main + "      window: 1\n")
        << QStringLiteral("envs.yaml:7:15: environments[0].kafka.window: the status window "
                          "needs at least 2 samples");
    QTest::newRow("retention shorter than refresh")
        << QByteArray(head + main + "      refresh: 1m\n      retention: 30s\n")
        << QStringLiteral("envs.yaml:8:18: environments[0].kafka.retention: shorter than the "
                          "refresh interval: no history would be kept");
    QTest::newRow("nothing to watch")
        << QByteArray(head + main + "          discover_groups: false\n")
        << QStringLiteral("envs.yaml:5:11: environments[0].kafka.clusters[0]: nothing to watch: "
                          "list groups, or leave discover_groups on");
}

void tst_EnvironmentsConfig::badKafkaSections()
{
    badFiles();
}

void tst_EnvironmentsConfig::configDiffSettings()
{
    const OpsdeckConfig c = parseOk(R"(settings:
  config_diff:
    image_pattern: '^(?<service>[a-z-]+)-(?<version>[0-9.]+)-(?<env>[a-z]+)-(?<confighash>[0-9a-f]+)$'
    service_rule: {name_pattern: '^shop-(?<service>[a-z]+)'}
    expected:
      - rewrite: {integration: int, Staging: stg, Production: prod}
      - ignore: ["*/build_id", "auth/*"]
      - ignore: LOG_LEVEL
    files:
      - {environment: staging, host: docker-1.example.internal, path: /etc/shop/orders.yaml, service: orders}
environments:
  - name: Integration
  - name: Staging
  - name: Production
)");
    const ConfigDiffSettings &d = c.configDiff;
    QVERIFY(d.imagePattern.startsWith(QLatin1String("^(?<service>")));
    QCOMPARE(d.serviceRule.kind, ServiceRule::Kind::NamePattern);
    QCOMPARE(d.serviceRule.namePattern, QStringLiteral("^shop-(?<service>[a-z]+)"));
    QCOMPARE(d.rewrites.size(), 1);
    // Environment names are written as the environments list spells them.
    const QMap<QString, QString> rewrite{{QStringLiteral("Integration"), QStringLiteral("int")},
                                         {QStringLiteral("Staging"), QStringLiteral("stg")},
                                         {QStringLiteral("Production"), QStringLiteral("prod")}};
    QCOMPARE(d.rewrites.at(0), rewrite);
    QCOMPARE(d.ignore,
             (QStringList{QStringLiteral("*/build_id"),
                          QStringLiteral("auth/*"),
                          QStringLiteral("LOG_LEVEL")}));
    QCOMPARE(d.files.size(), 1);
    QCOMPARE(d.files.at(0),
             (ConfigFileSource{QStringLiteral("Staging"),
                               QStringLiteral("docker-1.example.internal"),
                               QStringLiteral("/etc/shop/orders.yaml"),
                               QStringLiteral("orders")}));

    const OpsdeckConfig labelRule = parseOk(
        "settings: {config_diff: {service_rule: {label: app}}}\nenvironments: [{name: x}]\n");
    QCOMPARE(labelRule.configDiff.serviceRule.kind, ServiceRule::Kind::Label);
    QCOMPARE(labelRule.configDiff.serviceRule.label, QStringLiteral("app"));
    const OpsdeckConfig segmentRule = parseOk(
        "settings: {config_diff: {service_rule: {kv_segment: 1}}}\nenvironments: [{name: x}]\n");
    QCOMPARE(segmentRule.configDiff.serviceRule.kind, ServiceRule::Kind::KvSegment);
    QCOMPARE(segmentRule.configDiff.serviceRule.kvSegment, 1);
}

void tst_EnvironmentsConfig::configDiffDefaults()
{
    const OpsdeckConfig c = parseOk("environments: [{name: x}]\n");
    QCOMPARE(c.configDiff, ConfigDiffSettings());
    QVERIFY(c.configDiff.imagePattern.isEmpty());
    QCOMPARE(c.configDiff.serviceRule.kind, ServiceRule::Kind::Default);
    QCOMPARE(c.configDiff.serviceRule.label, QStringLiteral("com.example.service"));
    QCOMPARE(c.configDiff.serviceRule.kvSegment, 0);
}

void tst_EnvironmentsConfig::badKvAndDiffSections_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("message");

    QTest::newRow("consul literal token")
        << QByteArray("environments:\n  - name: x\n    consul:\n      url: http://127.0.0.1:8500\n"
                      "      token: abc\n")
        << QStringLiteral(
               "envs.yaml:5:14: environments[0].consul.token: secrets are not written in "
               "this file: put it in an environment variable and name that variable in "
               "token_env");
    QTest::newRow("consul without url")
        << QByteArray("environments:\n  - name: x\n    consul: {prefix: a/}\n")
        << QStringLiteral("envs.yaml:3:13: environments[0].consul.url: required key 'url' is "
                          "missing");
    QTest::newRow("consul unknown key")
        << QByteArray(
               "environments:\n  - name: x\n    consul: {url: http://127.0.0.1:8500, acl: y}\n")
        << QStringLiteral("envs.yaml:3:42: environments[0].consul.acl: unknown key 'acl' (expected "
                          "one of: url, prefix, token_env, datacenter, timeout, wait, allow_edit)");
    QTest::newRow("consul wait too long")
        << QByteArray(
               "environments:\n  - name: x\n    consul: {url: http://127.0.0.1:8500, wait: 11m}\n")
        << QStringLiteral(
               "envs.yaml:3:48: environments[0].consul.wait: Consul waits at most 10m in "
               "a blocking query");
    QTest::newRow("consul prefix with slash")
        << QByteArray("environments:\n  - name: x\n    consul: {url: http://127.0.0.1:8500, "
                      "prefix: /a/}\n")
        << QStringLiteral(
               "envs.yaml:3:50: environments[0].consul.prefix: Consul keys have no leading "
               "'/': write 'a/'");
    QTest::newRow("consul token_env not a name")
        << QByteArray(
               "environments:\n  - name: x\n    consul: {url: http://127.0.0.1:8500, token_env: "
               "\"s3cr3t!\"}\n")
        << QStringLiteral(
               "envs.yaml:3:53: environments[0].consul.token_env: expected the name of an "
               "environment variable, like OPSDECK_SECRET, found 's3cr3t!'");
    QTest::newRow("etcd literal password")
        << QByteArray(
               "environments:\n  - name: x\n    etcd: {urls: [http://127.0.0.1:2379], password: "
               "p}\n")
        << QStringLiteral(
               "envs.yaml:3:53: environments[0].etcd.password: secrets are not written in "
               "this file: put it in an environment variable and name that variable in "
               "password_env");
    QTest::newRow("etcd urls missing")
        << QByteArray("environments:\n  - name: x\n    etcd: {prefix: /a}\n")
        << QStringLiteral(
               "envs.yaml:3:11: environments[0].etcd.urls: required key 'urls' is missing");
    QTest::newRow("etcd password without user")
        << QByteArray("environments:\n  - name: x\n    etcd: {urls: [http://127.0.0.1:2379], "
                      "password_env: P}\n")
        << QStringLiteral("envs.yaml:3:57: environments[0].etcd.password_env: a password needs a "
                          "username");
    QTest::newRow("zookeeper bad host")
        << QByteArray("environments:\n  - name: x\n    zookeeper: {hosts: [127.0.0.1], path: /a}\n")
        << QStringLiteral("envs.yaml:3:24: environments[0].zookeeper.hosts: expected host:port "
                          "entries, e.g. zk-1.example.internal:2181, found '127.0.0.1'");
    QTest::newRow("zookeeper relative path")
        << QByteArray(
               "environments:\n  - name: x\n    zookeeper: {hosts: 127.0.0.1:2181, path: a}\n")
        << QStringLiteral("envs.yaml:3:46: environments[0].zookeeper.path: a ZooKeeper path starts "
                          "with '/', found 'a'");
    QTest::newRow("zookeeper literal digest")
        << QByteArray("environments:\n  - name: x\n    zookeeper: {hosts: 127.0.0.1:2181, path: /, "
                      "digest: u:p}\n")
        << QStringLiteral(
               "envs.yaml:3:57: environments[0].zookeeper.digest: secrets are not written "
               "in this file: put it in an environment variable and name that variable in "
               "digest_env");
    QTest::newRow("image pattern invalid")
        << QByteArray("settings: {config_diff: {image_pattern: '(?<version>'}}\nenvironments: "
                      "[{name: x}]\n")
        << QStringLiteral("envs.yaml:1:41: settings.config_diff.image_pattern: not a valid regular "
                          "expression: missing closing parenthesis at offset 11");
    QTest::newRow("image pattern without groups")
        << QByteArray("settings: {config_diff: {image_pattern: '.*'}}\nenvironments: [{name: x}]\n")
        << QStringLiteral("envs.yaml:1:41: settings.config_diff.image_pattern: needs at least one "
                          "named group: service, version, env, confighash");
    QTest::newRow("image pattern unknown group")
        << QByteArray("settings: {config_diff: {image_pattern: '(?<tag>.*)'}}\nenvironments: "
                      "[{name: x}]\n")
        << QStringLiteral(
               "envs.yaml:1:41: settings.config_diff.image_pattern: unknown group (?<tag>): "
               "use service, version, env, confighash");
    QTest::newRow("two service rules")
        << QByteArray("settings: {config_diff: {service_rule: {label: a, kv_segment: 1}}}\n"
                      "environments: [{name: x}]\n")
        << QStringLiteral("envs.yaml:1:40: settings.config_diff.service_rule: expected exactly one "
                          "of label, name_pattern, kv_segment");
    QTest::newRow("name pattern without service group")
        << QByteArray("settings: {config_diff: {service_rule: {name_pattern: '^shop-'}}}\n"
                      "environments: [{name: x}]\n")
        << QStringLiteral(
               "envs.yaml:1:55: settings.config_diff.service_rule.name_pattern: needs the "
               "named group (?<service>…)");
    QTest::newRow("negative kv segment")
        << QByteArray("settings: {config_diff: {service_rule: {kv_segment: -1}}}\n"
                      "environments: [{name: x}]\n")
        << QStringLiteral(
               "envs.yaml:1:53: settings.config_diff.service_rule.kv_segment: expected a "
               "segment number from 0 (the first after the prefix), found '-1'");
    QTest::newRow("rewrite of an unknown environment")
        << QByteArray("settings: {config_diff: {expected: [{rewrite: {x: a, qa: b}}]}}\n"
                      "environments: [{name: x}]\n")
        << QStringLiteral("envs.yaml:1:54: settings.config_diff.expected[0].rewrite.qa: no "
                          "environment is called 'qa'");
    QTest::newRow("rewrite of one environment")
        << QByteArray("settings: {config_diff: {expected: [{rewrite: {x: a}}]}}\n"
                      "environments: [{name: x}]\n")
        << QStringLiteral("envs.yaml:1:47: settings.config_diff.expected[0].rewrite: expected "
                          "environment: token pairs for at least two environments, e.g. {Staging: "
                          "stg, Production: prod}");
    QTest::newRow("unknown expected rule")
        << QByteArray("settings: {config_diff: {expected: [{drop: [a]}]}}\n"
                      "environments: [{name: x}]\n")
        << QStringLiteral(
               "envs.yaml:1:38: settings.config_diff.expected[0].drop: unknown key 'drop' "
               "(expected one of: rewrite, ignore)");
    QTest::newRow("file of an unknown environment")
        << QByteArray(
               "settings: {config_diff: {files: [{environment: qa, host: h, path: /a, service: "
               "s}]}}\nenvironments: [{name: x}]\n")
        << QStringLiteral(
               "envs.yaml:1:48: settings.config_diff.files[0].environment: no environment "
               "is called 'qa'");
    QTest::newRow("file with a relative path")
        << QByteArray(
               "settings: {config_diff: {files: [{environment: x, host: h, path: a, service: "
               "s}]}}\nenvironments: [{name: x}]\n")
        << QStringLiteral(
               "envs.yaml:1:66: settings.config_diff.files[0].path: expected an absolute "
               "path on the host, found 'a'");
    QTest::newRow("unknown config_diff key")
        << QByteArray("settings: {config_diff: {rules: []}}\nenvironments: [{name: x}]\n")
        << QStringLiteral(
               "envs.yaml:1:26: settings.config_diff.rules: unknown key 'rules' (expected "
               "one of: image_pattern, service_rule, expected, files)");
}

void tst_EnvironmentsConfig::badKvAndDiffSections()
{
    badFiles();
}

void tst_EnvironmentsConfig::badFiles_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("message");

    QTest::newRow("yaml syntax")
        << QByteArray("environments:\n  - name: [x\n")
        << QStringLiteral("envs.yaml:3:1: YAML syntax error: end of sequence flow not found");
    QTest::newRow("empty file") << QByteArray("") << QStringLiteral("envs.yaml: the file is empty");
    QTest::newRow("unknown top-level key")
        << QByteArray("environments:\n  - name: x\nenvironmnets: []\n")
        << QStringLiteral("envs.yaml:3:1: environmnets: unknown key 'environmnets' (expected one "
                          "of: version, settings, environments)");
    QTest::newRow("unknown key in host")
        << QByteArray("environments:\n  - name: x\n    docker:\n      hosts:\n        - url: "
                      "unix:///a\n          nmae: y\n")
        << QStringLiteral("envs.yaml:6:11: environments[0].docker.hosts[0].nmae: unknown key "
                          "'nmae' (expected one of: url, name, tls, tags)");
    QTest::newRow("kafka with brokers instead of clusters")
        << QByteArray("environments:\n  - name: x\n    kafka: {brokers: [127.0.0.1:9092]}\n")
        << QStringLiteral("envs.yaml:3:13: environments[0].kafka.brokers: unknown key 'brokers' "
                          "(expected one of: clusters, refresh, retention, window, timeout)");
    QTest::newRow("marathon password")
        << QByteArray("environments:\n  - name: x\n    marathon:\n      urls: "
                      "[http://127.0.0.1:8080]\n      username: ops\n      password: hunter2\n")
        << QStringLiteral("envs.yaml:6:17: environments[0].marathon.password: passwords are not "
                          "written in this file: put it in an environment variable and name that "
                          "variable in password_env");
    QTest::newRow("marathon url singular")
        << QByteArray("environments:\n  - name: x\n    marathon: {url: http://127.0.0.1:8080}\n")
        << QStringLiteral("envs.yaml:3:16: environments[0].marathon.url: unknown key 'url' "
                          "(expected one of: urls, username, password_env, timeout)");
    QTest::newRow("marathon urls missing")
        << QByteArray("environments:\n  - name: x\n    marathon:\n      username: ops\n")
        << QStringLiteral("envs.yaml:4:7: environments[0].marathon.urls: required key 'urls' is "
                          "missing");
    QTest::newRow("marathon urls empty")
        << QByteArray("environments:\n  - name: x\n    marathon: {urls: []}\n")
        << QStringLiteral("envs.yaml:3:22: environments[0].marathon.urls: expected a non-empty "
                          "list of URLs, e.g. [http://marathon-1.example.internal:8080]");
    QTest::newRow("marathon urls not a list")
        << QByteArray("environments:\n  - name: x\n    marathon: {urls: http://127.0.0.1:8080}\n")
        << QStringLiteral("envs.yaml:3:22: environments[0].marathon.urls: expected a non-empty "
                          "list of URLs, e.g. [http://marathon-1.example.internal:8080]");
    QTest::newRow("marathon bad scheme")
        << QByteArray("environments:\n  - name: x\n    marathon:\n      urls:\n        - "
                      "http://127.0.0.1:8080\n        - tcp://127.0.0.1:8081\n")
        << QStringLiteral("envs.yaml:6:11: environments[0].marathon.urls[1]: "
                          "'tcp://127.0.0.1:8081' is not an http:// or https:// URL");
    QTest::newRow("mesos no host")
        << QByteArray("environments:\n  - name: x\n    mesos: {urls: ['http://:5050']}\n")
        << QStringLiteral("envs.yaml:3:20: environments[0].mesos.urls[0]: 'http://:5050' has no "
                          "host");
    QTest::newRow("credentials in url")
        << QByteArray("environments:\n  - name: x\n    marathon: {urls: "
                      "['http://ops:pw@127.0.0.1:8080']}\n")
        << QStringLiteral("envs.yaml:3:23: environments[0].marathon.urls[0]: no user or password "
                          "in the URL: use username and password_env");
    QTest::newRow("duplicate url")
        << QByteArray("environments:\n  - name: x\n    mesos: {urls: [http://127.0.0.1:5050, "
                      "'http://127.0.0.1:5050/']}\n")
        << QStringLiteral("envs.yaml:3:43: environments[0].mesos.urls[1]: "
                          "'http://127.0.0.1:5050' is listed twice");
    QTest::newRow("password_env not a variable name")
        << QByteArray("environments:\n  - name: x\n    marathon:\n      urls: "
                      "[http://127.0.0.1:8080]\n      username: ops\n      password_env: "
                      "'$MARATHON_PASSWORD'\n")
        << QStringLiteral("envs.yaml:6:21: environments[0].marathon.password_env: expected the "
                          "name of an environment variable, like MARATHON_PASSWORD, found "
                          "'$MARATHON_PASSWORD'");
    QTest::newRow("password_env without username")
        << QByteArray("environments:\n  - name: x\n    marathon:\n      urls: "
                      "[http://127.0.0.1:8080]\n      password_env: MARATHON_PASSWORD\n")
        << QStringLiteral("envs.yaml:5:21: environments[0].marathon.password_env: a password "
                          "needs a username");
    QTest::newRow("mesos bad timeout")
        << QByteArray("environments:\n  - name: x\n    mesos: {urls: [http://127.0.0.1:5050], "
                      "timeout: 0s}\n")
        << QStringLiteral(
               "envs.yaml:3:53: environments[0].mesos.timeout: must be longer than zero");
    QTest::newRow("mesos unknown key")
        << QByteArray("environments:\n  - name: x\n    mesos: {urls: [http://127.0.0.1:5050], "
                      "username: ops}\n")
        << QStringLiteral("envs.yaml:3:44: environments[0].mesos.username: unknown key "
                          "'username' (expected one of: urls, timeout)");
    QTest::newRow("wrong type bool")
        << QByteArray("environments:\n  - name: x\n    production: yes please\n")
        << QStringLiteral("envs.yaml:3:17: environments[0].production: expected true or false, "
                          "found 'yes please'");
    QTest::newRow("wrong type list")
        << QByteArray("environments:\n  name: x\n")
        << QStringLiteral("envs.yaml:2:3: environments: expected a non-empty list of environments");
    QTest::newRow("missing name")
        << QByteArray("environments:\n  - colour: \"#ffffff\"\n")
        << QStringLiteral("envs.yaml:2:5: environments[0].name: required key 'name' is missing");
    QTest::newRow("missing environments")
        << QByteArray("version: 1\n")
        << QStringLiteral("envs.yaml:1:1: environments: required key 'environments' is missing");
    QTest::newRow("missing url")
        << QByteArray("environments:\n  - name: x\n    docker:\n      hosts:\n        - name: a\n")
        << QStringLiteral("envs.yaml:5:11: environments[0].docker.hosts[0].url: required key 'url' "
                          "is missing");
    QTest::newRow("duplicate environment")
        << QByteArray("environments:\n  - name: Staging\n  - name: staging\n")
        << QStringLiteral(
               "envs.yaml:3:11: environments[1].name: environment name 'staging' is used twice");
    QTest::newRow("duplicate host")
        << QByteArray(
               "environments:\n  - name: x\n    docker:\n      hosts: [unix:///a, unix:///a]\n")
        << QStringLiteral("envs.yaml:4:26: environments[0].docker.hosts[1]: host name '/a' is used "
                          "twice in this environment");
    QTest::newRow("duplicate key")
        << QByteArray("environments:\n  - name: x\n    name: y\n")
        << QStringLiteral("envs.yaml:3:5: environments[0].name: key appears twice");
    QTest::newRow("bad url scheme")
        << QByteArray("environments:\n  - name: x\n    docker:\n      hosts: [http://a:2375]\n")
        << QStringLiteral("envs.yaml:4:15: environments[0].docker.hosts[0]: 'http://a:2375' is not "
                          "a Docker host URL: use unix:///path or tcp://host:port");
    QTest::newRow("tls on unix")
        << QByteArray("environments:\n  - name: x\n    docker:\n      hosts:\n        - url: "
                      "unix:///a\n          tls: {verify: false, ca_file: /dev/null}\n")
        << QStringLiteral("envs.yaml:5:16: environments[0].docker.hosts[0].url: TLS settings apply "
                          "to tcp:// hosts only");
    QTest::newRow("bad colour") << QByteArray("environments:\n  - name: x\n    colour: red\n")
                                << QStringLiteral(
                                       "envs.yaml:3:13: environments[0].colour: expected a colour "
                                       "like \"#c62828\", found 'red'");
    QTest::newRow("bad duration")
        << QByteArray("settings:\n  crash_loop:\n    window: soon\nenvironments:\n  - name: x\n")
        << QStringLiteral("envs.yaml:3:13: settings.crash_loop.window: expected a duration like "
                          "30s, 5m, 1h or 250ms, found 'soon'");
    QTest::newRow("bad count") << QByteArray(
        "settings:\n  crash_loop:\n    restarts: 0\nenvironments:\n  - name: x\n")
                               << QStringLiteral("envs.yaml:3:15: settings.crash_loop.restarts: "
                                                 "expected a whole number above 0, found '0'");
    QTest::newRow("wrong version")
        << QByteArray("version: 2\nenvironments:\n  - name: x\n")
        << QStringLiteral("envs.yaml:1:10: version: this Opsdeck reads version 1 files, found '2'");
}

void tst_EnvironmentsConfig::badFiles()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, message);
    const auto result = EnvironmentsConfigLoader::parse(yaml, QStringLiteral("envs.yaml"));
    QVERIFY2(std::holds_alternative<ConfigError>(result), "a bad file must not load");
    QCOMPARE(std::get<ConfigError>(result).toString(), message);
}

void tst_EnvironmentsConfig::unreadableCertificateNamesThePath()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("envs.yaml"));
    const QByteArray yaml = "environments:\n  - name: x\n    docker:\n      hosts:\n        - url: "
                            "tcp://127.0.0.1:2376\n"
                            "          tls:\n            ca_file: missing-ca.pem\n";
    const auto result = EnvironmentsConfigLoader::parse(yaml, path);
    QVERIFY(std::holds_alternative<ConfigError>(result));
    const ConfigError e = std::get<ConfigError>(result);
    QCOMPARE(e.line, 7);
    QCOMPARE(e.column, 22);
    QCOMPARE(e.keyPath, QStringLiteral("environments[0].docker.hosts[0].tls.ca_file"));
    QVERIFY2(
        e.message.startsWith(
            QStringLiteral("cannot read '%1'").arg(dir.filePath(QStringLiteral("missing-ca.pem")))),
        qPrintable(e.message));
}

void tst_EnvironmentsConfig::relativeTlsPathsResolveAgainstTheFile()
{
    QTemporaryDir dir;
    for (const char *name : {"ca.pem", "cert.pem", "key.pem"}) {
        QFile f(dir.filePath(QLatin1String(name)));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("x");
    }
    const QByteArray yaml =
        "environments:\n  - name: x\n    docker:\n      hosts:\n        - url: "
        "tcp://127.0.0.1:2376\n"
        "          tls: {ca_file: ca.pem, cert_file: cert.pem, key_file: key.pem}\n";
    const auto result =
        EnvironmentsConfigLoader::parse(yaml, dir.filePath(QStringLiteral("envs.yaml")));
    QVERIFY(std::holds_alternative<OpsdeckConfig>(result));
    const TlsFiles tls = std::get<OpsdeckConfig>(result).environments.at(0).dockerHosts.at(0).tls;
    QCOMPARE(tls.caFile, dir.filePath(QStringLiteral("ca.pem")));
    QCOMPARE(tls.keyFile, dir.filePath(QStringLiteral("key.pem")));
    QVERIFY(tls.verify);
}

void tst_EnvironmentsConfig::missingFileIsAnError()
{
    const auto result = EnvironmentsConfigLoader::load(QStringLiteral("/nonexistent/envs.yaml"));
    QVERIFY(std::holds_alternative<ConfigError>(result));
    QVERIFY(std::get<ConfigError>(result).toString().startsWith(
        QStringLiteral("/nonexistent/envs.yaml: cannot read the environments file")));
}

void tst_EnvironmentsConfig::exampleFileIsValid()
{
    // The example references TLS files that do not exist here; check everything up to them.
    QFile f(QStringLiteral(OPSDECK_SOURCE_DIR "/resources/environments.example.yaml"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto result =
        EnvironmentsConfigLoader::parse(f.readAll(), QStringLiteral("/nonexistent/example.yaml"));
    QVERIFY(std::holds_alternative<ConfigError>(result));
    QCOMPARE(std::get<ConfigError>(result).keyPath,
             QStringLiteral("environments[1].docker.hosts[0].tls.ca_file"));
}

void tst_EnvironmentsConfig::exampleFileParsesWithItsCertificates()
{
    // Next to the TLS files it names, the example must load as a whole.
    QFile f(QStringLiteral(OPSDECK_SOURCE_DIR "/resources/environments.example.yaml"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("certs/staging")));
    for (const char *name : {"ca.pem", "cert.pem", "key.pem"}) {
        QFile pem(dir.filePath(QStringLiteral("certs/staging/") + QLatin1String(name)));
        QVERIFY(pem.open(QIODevice::WriteOnly));
        pem.write("x");
    }
    const OpsdeckConfig c = parseOk(f.readAll(), dir.filePath(QStringLiteral("example.yaml")));
    QCOMPARE(c.environments.size(), 3);
    const EnvironmentConfig *staging = c.environment(QStringLiteral("Staging"));
    QVERIFY(staging);
    QVERIFY(staging->marathon);
    QCOMPARE(staging->marathon->urls.size(), 2);
    QCOMPARE(staging->marathon->passwordEnv, QStringLiteral("MARATHON_PASSWORD"));
    QVERIFY(staging->mesos);
    for (const EnvironmentConfig &env : c.environments) {
        for (const QString &url : (env.marathon ? env.marathon->urls : QStringList())
                                      + (env.mesos ? env.mesos->urls : QStringList()))
            QVERIFY2(url.startsWith(QLatin1String("http")), qPrintable(url));
    }
    QCOMPARE(c.environments.at(0).consul->prefix, QStringLiteral("config/shop/"));
    QCOMPARE(c.environments.at(2).etcd->passwordEnv, QStringLiteral("ETCD_PASSWORD"));
    QCOMPARE(c.environments.at(2).zookeeper->path, QStringLiteral("/config/shop"));
    QVERIFY(c.environments.at(2).kafka);
    QCOMPARE(c.environments.at(2).kafka->clusters.at(0).groups.size(), 2);
    QCOMPARE(c.environments.at(2).kafka->clusters.at(0).secretProperties.value(
                 QStringLiteral("sasl.password")),
             QStringLiteral("KAFKA_PASSWORD"));
    // The documented default pattern is the built-in one.
    QCOMPARE(c.configDiff.imagePattern, ImageTagPattern::defaultPattern());
    QCOMPARE(c.configDiff.serviceRule.kind, ServiceRule::Kind::Label);
    QCOMPARE(c.configDiff.rewrites.size(), 1);
    QCOMPARE(c.configDiff.ignore.size(), 2);
    QCOMPARE(c.configDiff.files.size(), 1);
}

void tst_EnvironmentsConfig::dockerHostFallback()
{
    const OpsdeckConfig c = EnvironmentsConfigLoader::fromDockerHost(QString());
    QCOMPARE(c.environments.size(), 1);
    QCOMPARE(c.environments.at(0).name, QStringLiteral("local"));
    QCOMPARE(c.environments.at(0).dockerHosts.at(0).url,
             QStringLiteral("unix:///var/run/docker.sock"));
    const OpsdeckConfig t =
        EnvironmentsConfigLoader::fromDockerHost(QStringLiteral("tcp://127.0.0.1:2375"));
    QCOMPARE(t.environments.at(0).dockerHosts.at(0).url, QStringLiteral("tcp://127.0.0.1:2375"));
}

void tst_EnvironmentsConfig::durations_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("ms");
    QTest::newRow("seconds") << QStringLiteral("30s") << qint64(30000);
    QTest::newRow("bare") << QStringLiteral("2") << qint64(2000);
    QTest::newRow("minutes") << QStringLiteral("5m") << qint64(300000);
    QTest::newRow("hours") << QStringLiteral("1h") << qint64(3600000);
    QTest::newRow("millis") << QStringLiteral("250ms") << qint64(250);
    QTest::newRow("fraction") << QStringLiteral("1.5s") << qint64(1500);
    QTest::newRow("junk") << QStringLiteral("5 minutes") << qint64(-1);
    QTest::newRow("negative") << QStringLiteral("-5s") << qint64(-1);
    QTest::newRow("too long") << QStringLiteral("9000h") << qint64(-1);
}

void tst_EnvironmentsConfig::durations()
{
    QFETCH(QString, text);
    QFETCH(qint64, ms);
    const Result<qint64> r = parseDuration(text);
    if (ms < 0) {
        QVERIFY(!r.ok());
    } else {
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error()));
        QCOMPARE(r.value(), ms);
    }
}

QTEST_GUILESS_MAIN(tst_EnvironmentsConfig)
#include "tst_environmentsconfig.moc"
