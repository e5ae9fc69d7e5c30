// SPDX-License-Identifier: MIT
#include "models/configmodel.h"
#include "models/container.h"
#include "models/environmentstore.h"
#include "models/imagetag.h"
#include "models/kvstore.h"
#include "models/marathon.h"
#include "models/marathonstore.h"

#include <QTest>

using namespace Opsdeck::Models;

namespace {

Container container(const QString &host,
                    const QString &id,
                    const QString &name,
                    const QString &image,
                    const QStringList &env,
                    const QMap<QString, QString> &labels = {})
{
    Container c;
    c.hostId = host;
    c.id = id;
    c.name = name;
    c.image = image;
    c.env = env;
    c.labels = labels;
    c.inspected = true;
    return c;
}

QList<ConfigItem> itemsOf(const QList<ConfigItem> &items, const QString &service, ConfigForm form)
{
    QList<ConfigItem> out;
    for (const ConfigItem &i : items) {
        if (i.service == service && i.form == form)
            out << i;
    }
    return out;
}

const ConfigItem *find(const QList<ConfigItem> &items, const QString &service, const QString &key)
{
    for (const ConfigItem &i : items) {
        if (i.service == service && i.key == key)
            return &i;
    }
    return nullptr;
}

} // namespace

class tst_ConfigModel : public QObject
{
    Q_OBJECT

private slots:
    void imageTag_data();
    void imageTag();
    void customImagePattern();
    void formNames();
    void containersGiveEnvImageAndMounts();
    void instancesDeduplicateAndDriftIsMarked();
    void marathonAppsAndTheirTasks();
    void kvStoreItems();
    void kvSegmentRule();
    void serviceRules_data();
    void serviceRules();
    void filesHandedIn();
    void configuredHostFiles();
};

void tst_ConfigModel::imageTag_data()
{
    QTest::addColumn<QString>("image");
    QTest::addColumn<bool>("matches");
    QTest::addColumn<QString>("service");
    QTest::addColumn<QString>("version");
    QTest::addColumn<QString>("env");
    QTest::addColumn<QString>("confighash");
    QTest::newRow("registry path")
        << QStringLiteral("registry.example.internal/shop/orders:1.4.2-prod-3f9a1c2e") << true
        << QStringLiteral("orders") << QStringLiteral("1.4.2") << QStringLiteral("prod")
        << QStringLiteral("3f9a1c2e");
    QTest::newRow("registry port")
        << QStringLiteral("registry.example.internal:5000/nginx-edge:1.25-stg-16ba001") << true
        << QStringLiteral("nginx-edge") << QStringLiteral("1.25") << QStringLiteral("stg")
        << QStringLiteral("16ba001");
    QTest::newRow("no registry") << QStringLiteral("app:1.0-int-0123456789abcdef") << true
                                 << QStringLiteral("app") << QStringLiteral("1.0")
                                 << QStringLiteral("int") << QStringLiteral("0123456789abcdef");
    QTest::newRow("pre-release version")
        << QStringLiteral("shop/search:2.2.0-rc1-prod-abcdef12") << true << QStringLiteral("search")
        << QStringLiteral("2.2.0-rc1") << QStringLiteral("prod") << QStringLiteral("abcdef12");
    QTest::newRow("plain tag") << QStringLiteral("postgres:15.4") << false << QString() << QString()
                               << QString() << QString();
    QTest::newRow("no tag") << QStringLiteral("registry.example.internal/shop/orders") << false
                            << QString() << QString() << QString() << QString();
    QTest::newRow("hash too short") << QStringLiteral("orders:1.4.2-prod-3f9a") << false
                                    << QString() << QString() << QString() << QString();
    QTest::newRow("digest") << QStringLiteral("orders@sha256:3f9a1c2e3f9a1c2e") << false
                            << QString() << QString() << QString() << QString();
}

void tst_ConfigModel::imageTag()
{
    QFETCH(QString, image);
    QFETCH(bool, matches);
    const std::optional<ImageTag> tag = ImageTagPattern().parse(image);
    QCOMPARE(bool(tag), matches);
    if (!tag)
        return;
    QTEST(tag->service, "service");
    QTEST(tag->version, "version");
    QTEST(tag->env, "env");
    QTEST(tag->confighash, "confighash");
}

void tst_ConfigModel::customImagePattern()
{
    const auto pattern = ImageTagPattern::create(QStringLiteral(
        "^(?<service>[a-z]+)-(?<version>[0-9.]+)-(?<env>[a-z]+)-(?<confighash>[0-9a-f]+)$"));
    QVERIFY(pattern.ok());
    const auto tag = pattern.value().parse(QStringLiteral("app-1.0-prod-16ba001"));
    QVERIFY(tag);
    QCOMPARE(*tag,
             (ImageTag{QStringLiteral("app"),
                       QStringLiteral("1.0"),
                       QStringLiteral("prod"),
                       QStringLiteral("16ba001")}));
    // Only some groups: the others stay empty.
    const auto versionOnly = ImageTagPattern::create(QStringLiteral(":(?<version>.+)$"));
    QVERIFY(versionOnly.ok());
    QCOMPARE(versionOnly.value().parse(QStringLiteral("postgres:15.4"))->version,
             QStringLiteral("15.4"));
    QVERIFY(versionOnly.value().parse(QStringLiteral("postgres:15.4"))->env.isEmpty());
    QVERIFY(!ImageTagPattern::create(QStringLiteral("(")).ok());
    QVERIFY(!ImageTagPattern::create(QStringLiteral("x")).ok());
    QCOMPARE(ImageTagPattern::create(QStringLiteral("(?<tag>x)")).error(),
             QStringLiteral("unknown group (?<tag>): use service, version, env, confighash"));
}

void tst_ConfigModel::formNames()
{
    for (const ConfigForm f :
         {ConfigForm::Env, ConfigForm::Image, ConfigForm::Kv, ConfigForm::File})
        QCOMPARE(configFormFromString(nameOf(f)), f);
    QCOMPARE(configFormFromString(u"files"), ConfigForm::File);
    QVERIFY(!configFormFromString(u"all"));
}

void tst_ConfigModel::containersGiveEnvImageAndMounts()
{
    EnvironmentStore store(QStringLiteral("Production"));
    Container edge =
        container(QStringLiteral("docker-1"),
                  QStringLiteral("c1"),
                  QStringLiteral("nginx-edge"),
                  QStringLiteral("registry.example.internal/nginx-edge:1.25-prod-3f9a1c2e"),
                  {QStringLiteral("UPSTREAM=api.prod.example.internal:8080"),
                   QStringLiteral("EMPTY="),
                   QStringLiteral("FLAG")},
                  {{QStringLiteral("com.example.service"), QStringLiteral("edge")},
                   {QStringLiteral("com.example.team"), QStringLiteral("platform")}});
    edge.mounts << Mount{QStringLiteral("bind"),
                         QString(),
                         QStringLiteral("/srv/edge/nginx.conf"),
                         QStringLiteral("/etc/nginx/nginx.conf"),
                         QStringLiteral("ro"),
                         false};
    edge.mounts << Mount{QStringLiteral("volume"),
                         QStringLiteral("cache"),
                         QStringLiteral("/var/lib/docker/volumes/cache"),
                         QStringLiteral("/cache"),
                         QString(),
                         true};
    store.upsertContainer(edge);
    store.upsertContainer(container(QStringLiteral("docker-1"),
                                    QStringLiteral("c2"),
                                    QStringLiteral("postgres-orders"),
                                    QStringLiteral("postgres:15.4"),
                                    {QStringLiteral("POSTGRES_DB=orders")}));
    ConfigCollector collector(QStringLiteral("Production"));
    collector.addEnvironmentStore(store);
    const QList<ConfigItem> items = collector.items();

    const QList<ConfigItem> env = itemsOf(items, QStringLiteral("edge"), ConfigForm::Env);
    QCOMPARE(env.size(), 3);
    QCOMPARE(env.at(0).key, QStringLiteral("EMPTY"));
    QCOMPARE(env.at(0).value, QByteArray());
    QCOMPARE(env.at(1).key, QStringLiteral("FLAG"));
    QCOMPARE(env.at(2).value, QByteArray("api.prod.example.internal:8080"));
    QCOMPARE(env.at(2).provenance, QStringLiteral("container nginx-edge on docker-1 env"));
    QCOMPARE(env.at(2).environment, QStringLiteral("Production"));

    QCOMPARE(find(items, QStringLiteral("edge"), QStringLiteral("version"))->value,
             QByteArray("1.25"));
    QCOMPARE(find(items, QStringLiteral("edge"), QStringLiteral("env"))->value, QByteArray("prod"));
    QCOMPARE(find(items, QStringLiteral("edge"), QStringLiteral("confighash"))->value,
             QByteArray("3f9a1c2e"));
    QCOMPARE(find(items, QStringLiteral("edge"), QStringLiteral("label:com.example.team"))->value,
             QByteArray("platform"));
    QVERIFY(!find(items, QStringLiteral("edge"), QStringLiteral("image")));
    // No per-environment tag: the whole reference is compared; the name gives the service.
    QCOMPARE(find(items, QStringLiteral("postgres-orders"), QStringLiteral("image"))->value,
             QByteArray("postgres:15.4"));

    const QList<ConfigFileRequest> files = collector.fileRequests();
    QCOMPARE(files.size(), 1);
    QCOMPARE(files.at(0),
             (ConfigFileRequest{QStringLiteral("Production"),
                                QStringLiteral("edge"),
                                QStringLiteral("docker-1"),
                                QStringLiteral("c1"),
                                QStringLiteral("/etc/nginx/nginx.conf"),
                                QStringLiteral("/srv/edge/nginx.conf")}));
}

void tst_ConfigModel::instancesDeduplicateAndDriftIsMarked()
{
    QList<Container> containers;
    for (int i = 1; i <= 3; ++i) {
        containers << container(
            QStringLiteral("docker-%1").arg(i),
            QStringLiteral("c%1").arg(i),
            QStringLiteral("worker-%1").arg(i),
            QStringLiteral("worker:2.0"),
            {QStringLiteral("POOL=%1").arg(i == 3 ? 12 : 10), QStringLiteral("MODE=fast")});
    }
    ConfigCollector collector(QStringLiteral("Staging"));
    collector.addContainers(containers);
    const QList<ConfigItem> env =
        itemsOf(collector.items(), QStringLiteral("worker"), ConfigForm::Env);
    QCOMPARE(env.size(), 3);
    QCOMPARE(env.at(0).key, QStringLiteral("MODE"));
    QVERIFY(!env.at(0).drift);
    QCOMPARE(env.at(1).key, QStringLiteral("POOL"));
    QCOMPARE(env.at(1).value, QByteArray("10"));
    QVERIFY(env.at(1).drift);
    QCOMPARE(env.at(2).value, QByteArray("12"));
    QVERIFY(env.at(2).drift);
    QCOMPARE(env.at(2).provenance, QStringLiteral("container worker-3 on docker-3 env"));
    QCOMPARE(itemsOf(collector.items(), QStringLiteral("worker"), ConfigForm::Image).size(), 1);
}

void tst_ConfigModel::marathonAppsAndTheirTasks()
{
    MarathonApp app;
    app.id = QStringLiteral("/shop/orders");
    app.image = QStringLiteral("registry.example.internal/shop/orders:1.4.2-stg-3f9a1c2e");
    app.env = {{QStringLiteral("LOG_LEVEL"), QStringLiteral("info")},
               {QStringLiteral("DB_PASSWORD"), QStringLiteral("<secret:db-password>")}};
    app.labels = {{QStringLiteral("team"), QStringLiteral("shop")}};
    app.instances = 2;
    MarathonStore marathon(QStringLiteral("Staging"));
    marathon.setApps({app}, {});
    // The task's container carries per-task noise; only its mounts count.
    Container task =
        container(QStringLiteral("agent-1"),
                  QStringLiteral("t1"),
                  QStringLiteral("mesos-1f2e"),
                  app.image,
                  {QStringLiteral("LOG_LEVEL=info"),
                   QStringLiteral("MESOS_TASK_ID=shop_orders.abc"),
                   QStringLiteral("PORT0=31000")},
                  {{QStringLiteral("MARATHON_APP_ID"), app.id},
                   {QStringLiteral("MESOS_TASK_ID"), QStringLiteral("shop_orders.abc")}});
    task.mounts << Mount{QStringLiteral("bind"),
                         QString(),
                         QStringLiteral("/srv/orders.yaml"),
                         QStringLiteral("/etc/orders.yaml"),
                         QStringLiteral("ro"),
                         false};
    ConfigCollector collector(QStringLiteral("Staging"));
    collector.addMarathonStore(marathon);
    collector.addContainers({task});
    const QList<ConfigItem> items = collector.items();
    const QList<ConfigItem> env = itemsOf(items, QStringLiteral("orders"), ConfigForm::Env);
    QCOMPARE(env.size(), 2);
    QCOMPARE(env.at(0).key, QStringLiteral("DB_PASSWORD"));
    QCOMPARE(env.at(1).provenance, QStringLiteral("marathon /shop/orders env"));
    QCOMPARE(find(items, QStringLiteral("orders"), QStringLiteral("version"))->value,
             QByteArray("1.4.2"));
    QCOMPARE(find(items, QStringLiteral("orders"), QStringLiteral("label:team"))->value,
             QByteArray("shop"));
    QVERIFY(!find(items, QStringLiteral("orders"), QStringLiteral("PORT0")));
    QVERIFY(!find(items, QStringLiteral("orders"), QStringLiteral("label:MESOS_TASK_ID")));
    QCOMPARE(collector.fileRequests().size(), 1);
    QCOMPARE(collector.fileRequests().at(0).service, QStringLiteral("orders"));
}

void tst_ConfigModel::kvStoreItems()
{
    KvStore store(QStringLiteral("Staging"), KvKind::Consul, QStringLiteral("config/shop/"));
    KvEntry pool{QStringLiteral("config/shop/orders/db_pool_size"), "20", 42, 0, {}};
    KvEntry top{QStringLiteral("config/shop/maintenance"), "off", 7, 0, {}};
    KvEntry binary{QStringLiteral("config/shop/orders/cert"), QByteArray("\x00\x01", 2), 8, 0, {}};
    store.setEntries({pool, top, binary});
    ConfigCollector collector(QStringLiteral("Staging"));
    collector.addKvStore(store);
    const QList<ConfigItem> items = collector.items();
    QCOMPARE(items.size(), 3);
    const ConfigItem *p =
        find(items, QStringLiteral("orders"), QStringLiteral("orders/db_pool_size"));
    QVERIFY(p);
    QCOMPARE(p->form, ConfigForm::Kv);
    QCOMPARE(p->value, QByteArray("20"));
    QCOMPARE(p->version, 42);
    QCOMPARE(p->provenance, QStringLiteral("consul:config/shop/orders/db_pool_size"));
    QCOMPARE(find(items, QStringLiteral("orders"), QStringLiteral("orders/cert"))->value,
             QByteArray("\x00\x01", 2));
    // A key right under the prefix belongs to no one service.
    QCOMPARE(find(items, QString(), QStringLiteral("maintenance"))->value, QByteArray("off"));
}

void tst_ConfigModel::kvSegmentRule()
{
    ConfigDiffSettings settings;
    settings.serviceRule.kind = ServiceRule::Kind::KvSegment;
    settings.serviceRule.kvSegment = 1;
    ConfigCollector collector(QStringLiteral("x"), settings);
    QCOMPARE(collector.serviceOfKey(QStringLiteral("eu/orders/db_url")), QStringLiteral("orders"));
    QCOMPARE(collector.serviceOfKey(QStringLiteral("eu/orders")), QString());
    KvStore store(QStringLiteral("x"), KvKind::ZooKeeper, QStringLiteral("/config"));
    store.setEntries({KvEntry{QStringLiteral("/config/eu/payments/timeout_ms"), "3000", 1, 0, {}}});
    collector.addKvStore(store);
    QCOMPARE(collector.items().at(0).service, QStringLiteral("payments"));
    QCOMPARE(collector.items().at(0).key, QStringLiteral("eu/payments/timeout_ms"));
    QCOMPARE(collector.items().at(0).provenance,
             QStringLiteral("zookeeper:/config/eu/payments/timeout_ms"));
}

void tst_ConfigModel::serviceRules_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("labelValue");
    QTest::addColumn<QString>("service");
    const int def = int(ServiceRule::Kind::Default);
    const int label = int(ServiceRule::Kind::Label);
    const int pattern = int(ServiceRule::Kind::NamePattern);
    QTest::newRow("default: label") << def << QStringLiteral("whatever-1")
                                    << QStringLiteral("billing") << QStringLiteral("billing");
    QTest::newRow("default: name without -N")
        << def << QStringLiteral("ledger-sync-2") << QString() << QStringLiteral("ledger-sync");
    QTest::newRow("default: swarm task")
        << def << QStringLiteral("web.1.x3k9a0ffz2q7abc") << QString() << QStringLiteral("web");
    QTest::newRow("default: plain name")
        << def << QStringLiteral("redis") << QString() << QStringLiteral("redis");
    QTest::newRow("label rule") << label << QStringLiteral("x-1") << QStringLiteral("api")
                                << QStringLiteral("api");
    QTest::newRow("label rule, no label")
        << label << QStringLiteral("x-1") << QString() << QStringLiteral("x");
    QTest::newRow("name pattern") << pattern << QStringLiteral("shop-orders-blue") << QString()
                                  << QStringLiteral("orders");
    QTest::newRow("name pattern, no match")
        << pattern << QStringLiteral("grafana-1") << QString() << QStringLiteral("grafana");
}

void tst_ConfigModel::serviceRules()
{
    QFETCH(int, kind);
    QFETCH(QString, name);
    QFETCH(QString, labelValue);
    ConfigDiffSettings settings;
    settings.serviceRule.kind = ServiceRule::Kind(kind);
    settings.serviceRule.namePattern = QStringLiteral("^shop-(?<service>[a-z]+)");
    if (settings.serviceRule.kind == ServiceRule::Kind::Label)
        settings.serviceRule.label = QStringLiteral("app");
    QMap<QString, QString> labels;
    if (!labelValue.isEmpty())
        labels.insert(settings.serviceRule.label, labelValue);
    const ConfigCollector collector(QStringLiteral("x"), settings);
    QTEST(collector.serviceOf(container(
              QStringLiteral("h"), QStringLiteral("c"), name, QStringLiteral("i"), {}, labels)),
          "service");
}

void tst_ConfigModel::filesHandedIn()
{
    ConfigCollector collector(QStringLiteral("Integration"));
    collector.addFile(QStringLiteral("edge"),
                      QStringLiteral("/etc/nginx/nginx.conf"),
                      "worker_processes 2;\n",
                      QStringLiteral("docker-1:c1:/etc/nginx/nginx.conf"));
    const QList<ConfigItem> items = collector.items();
    QCOMPARE(items.size(), 1);
    QCOMPARE(items.at(0).form, ConfigForm::File);
    QCOMPARE(items.at(0).key, QStringLiteral("/etc/nginx/nginx.conf"));
    QCOMPARE(items.at(0).value, QByteArray("worker_processes 2;\n"));
    QCOMPARE(items.at(0).environment, QStringLiteral("Integration"));
}

void tst_ConfigModel::configuredHostFiles()
{
    ConfigDiffSettings settings;
    settings.files << ConfigFileSource{QStringLiteral("Staging"),
                                       QStringLiteral("docker-2.example.internal"),
                                       QStringLiteral("/etc/shop/orders.yaml"),
                                       QStringLiteral("orders")}
                   << ConfigFileSource{QStringLiteral("Production"),
                                       QStringLiteral("h"),
                                       QStringLiteral("/etc/x"),
                                       QStringLiteral("x")};
    const ConfigCollector collector(QStringLiteral("staging"), settings);
    QCOMPARE(collector.fileRequests().size(), 1);
    QCOMPARE(collector.fileRequests().at(0).hostId, QStringLiteral("docker-2.example.internal"));
    QVERIFY(collector.fileRequests().at(0).containerId.isEmpty());
    QCOMPARE(collector.fileRequests().at(0).path, QStringLiteral("/etc/shop/orders.yaml"));
}

QTEST_GUILESS_MAIN(tst_ConfigModel)
#include "tst_configmodel.moc"
