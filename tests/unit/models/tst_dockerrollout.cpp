// SPDX-License-Identifier: MIT
// Planning of Docker rollouts (issue 7): which containers, in which batches, under which
// minimum; and how a container is re-created from its inspect.
#include "models/dockerrollout.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Opsdeck::Models;

namespace {

RolloutInstance instance(const QString &host, const QString &name, bool serving = true)
{
    RolloutInstance i;
    i.host = host;
    i.hostAddress = QStringLiteral("127.0.0.1");
    i.id = name + QStringLiteral("-id");
    i.name = name;
    i.image = QStringLiteral("shop:1");
    i.state = serving ? ContainerState::Running : ContainerState::Exited;
    i.health = serving ? HealthStatus::Healthy : HealthStatus::None;
    return i;
}

DockerRolloutRequest request(int batch, int minHealthy)
{
    DockerRolloutRequest r;
    r.environment = QStringLiteral("Staging");
    r.selector.service = QStringLiteral("shop");
    r.selector.label = QStringLiteral("com.example.service");
    r.image = QStringLiteral("shop:2");
    r.batchSize = batch;
    r.minHealthy = minHealthy;
    return r;
}

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(text).object();
}

} // namespace

class tst_DockerRollout : public QObject
{
    Q_OBJECT

private slots:
    void selectorMatches_data();
    void selectorMatches();
    void badPatternIsAnError();
    void probeResolves();
    void probeRejectsBadSpecs();
    void batchesKeepTheMinimumServing();
    void defaultMinimumIsServingMinusBatch();
    void notServingInstancesGoFirstAndCostNothing();
    void canaryIsAloneInTheFirstBatch();
    void impossibleMinimumIsRefused();
    void nothingFoundIsAnError();
    void dryRunDescribesEveryBatch();
    void recreateKeepsWhatTheContainerWasGiven();
    void recreateLeavesImageDefaultsToTheNewImage();
    void recreateCarriesAnonymousVolumesByName();
    void etaFromFinishedInstances();
};

void tst_DockerRollout::selectorMatches_data()
{
    QTest::addColumn<QString>("label");
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("labelValue");
    QTest::addColumn<bool>("matches");
    const QString l = QStringLiteral("com.example.service");
    QTest::newRow("label") << l << QString() << "x"
                           << "shop" << true;
    QTest::newRow("other label value, name differs") << l << QString() << "x"
                                                     << "cart" << false;
    QTest::newRow("name") << l << QString() << "shop"
                          << "" << true;
    QTest::newRow("name-N") << l << QString() << "shop-3"
                            << "" << true;
    QTest::newRow("name_N") << l << QString() << "shop_12"
                            << "" << true;
    QTest::newRow("longer name") << l << QString() << "shop-api-1"
                                 << "" << false;
    QTest::newRow("kept old is never part") << l << QString() << "shop-1_opsdeck-old_20261204T0300"
                                            << "shop" << false;
    QTest::newRow("kept failed is never part") << l << QString() << "shop-1_opsdeck-failed_x"
                                               << "shop" << false;
    QTest::newRow("pattern group") << QString() << R"((?<service>[a-z]+)-\d+-prod)"
                                   << "shop-1-prod"
                                   << "" << true;
    QTest::newRow("pattern other group") << QString() << R"((?<service>[a-z]+)-\d+-prod)"
                                         << "cart-1-prod"
                                         << "" << false;
    QTest::newRow("pattern anchored") << QString() << R"(shop-\d)"
                                      << "shop-1x"
                                      << "" << false;
}

void tst_DockerRollout::selectorMatches()
{
    QFETCH(QString, label);
    QFETCH(QString, pattern);
    QFETCH(QString, name);
    QFETCH(QString, labelValue);
    QFETCH(bool, matches);
    ServiceSelector s{QStringLiteral("shop"), label, pattern};
    QMap<QString, QString> labels;
    if (!labelValue.isEmpty())
        labels.insert(QStringLiteral("com.example.service"), labelValue);
    QCOMPARE(s.matches(name, labels), matches);
}

void tst_DockerRollout::badPatternIsAnError()
{
    ServiceSelector s{QStringLiteral("shop"), {}, QStringLiteral("(unclosed")};
    QVERIFY(!s.validate().ok());
    QVERIFY(s.validate().error().contains(QStringLiteral("(unclosed")));
    auto r = request(1, 1);
    r.selector = s;
    QVERIFY(!planDockerRollout(r, {instance(QStringLiteral("h"), QStringLiteral("shop-1"))}).ok());
}

void tst_DockerRollout::probeResolves()
{
    const auto p = ProbeSpec::parse(QStringLiteral("http://{host}:{label:shop.port}/health"));
    QVERIFY(p.ok());
    const auto url = p.value().resolve(QStringLiteral("127.0.0.5"),
                                       {{QStringLiteral("shop.port"), QStringLiteral("8081")}});
    QVERIFY(url.ok());
    QCOMPARE(url.value(), QStringLiteral("http://127.0.0.5:8081/health"));
    QCOMPARE(
        p.value()
            .resolve(QStringLiteral("::1"), {{QStringLiteral("shop.port"), QStringLiteral("1")}})
            .value(),
        QStringLiteral("http://[::1]:1/health"));
    const auto missing = p.value().resolve(QStringLiteral("h"), {});
    QVERIFY(!missing.ok());
    QVERIFY(missing.error().contains(QStringLiteral("shop.port")));
    QVERIFY(ProbeSpec::parse(QStringLiteral("tcp://{host}:8080")).ok());
    QVERIFY(ProbeSpec::parse(QString()).ok());
}

void tst_DockerRollout::probeRejectsBadSpecs()
{
    QVERIFY(!ProbeSpec::parse(QStringLiteral("ftp://{host}:21")).ok());
    QVERIFY(!ProbeSpec::parse(QStringLiteral("tcp://{host}")).ok());
    QVERIFY(!ProbeSpec::parse(QStringLiteral("8080")).ok());
}

void tst_DockerRollout::batchesKeepTheMinimumServing()
{
    QList<RolloutInstance> found;
    for (int i = 1; i <= 5; ++i)
        found << instance(QStringLiteral("h%1").arg(i), QStringLiteral("shop-%1").arg(i));
    // Batches of 3 would leave 2 serving; the minimum is 3: batches of 2 only.
    const auto plan = planDockerRollout(request(3, 3), found);
    QVERIFY(plan.ok());
    QCOMPARE(plan.value().batches, (QList<QList<int>>{{0, 1}, {2, 3}, {4}}));
    QCOMPARE(plan.value().fewestServing, 3);
    QCOMPARE(plan.value().minHealthy, 3);
}

void tst_DockerRollout::defaultMinimumIsServingMinusBatch()
{
    QList<RolloutInstance> found{instance(QStringLiteral("a"), QStringLiteral("shop-1")),
                                 instance(QStringLiteral("b"), QStringLiteral("shop-2")),
                                 instance(QStringLiteral("c"), QStringLiteral("shop-3"))};
    const auto plan = planDockerRollout(request(1, -1), found);
    QVERIFY(plan.ok());
    QCOMPARE(plan.value().minHealthy, 2);
    QCOMPARE(plan.value().batches.size(), 3);
    // One instance alone: it is down while replaced, and the plan says so.
    const auto single =
        planDockerRollout(request(1, -1), {instance(QStringLiteral("a"), QStringLiteral("shop"))});
    QVERIFY(single.ok());
    QCOMPARE(single.value().minHealthy, 0);
    QVERIFY(single.value().warnings.join(QLatin1Char(' ')).contains(QStringLiteral("0")));
}

void tst_DockerRollout::notServingInstancesGoFirstAndCostNothing()
{
    QList<RolloutInstance> found{instance(QStringLiteral("a"), QStringLiteral("shop-1")),
                                 instance(QStringLiteral("b"), QStringLiteral("shop-2")),
                                 instance(QStringLiteral("c"), QStringLiteral("shop-3")),
                                 instance(QStringLiteral("d"), QStringLiteral("shop-4"), false)};
    const auto plan = planDockerRollout(request(2, 2), found);
    QVERIFY(plan.ok());
    QCOMPARE(plan.value().instances.first().name, QStringLiteral("shop-4"));
    QCOMPARE(plan.value().servingNow, 3);
    // The broken one costs no capacity; of the others, one at a time: never below 2.
    QCOMPARE(plan.value().batches, (QList<QList<int>>{{0, 1}, {2}, {3}}));
    QCOMPARE(plan.value().fewestServing, 2);
    QVERIFY(!plan.value().warnings.isEmpty());
    // Two serving and a minimum of two: none of them may go down.
    found.removeLast();
    found.removeLast();
    QVERIFY(!planDockerRollout(request(1, 2), found).ok());
}

void tst_DockerRollout::canaryIsAloneInTheFirstBatch()
{
    QList<RolloutInstance> found;
    for (int i = 1; i <= 5; ++i)
        found << instance(QStringLiteral("h"), QStringLiteral("shop-%1").arg(i));
    auto r = request(2, 3);
    r.canary = true;
    r.canarySoakMs = 60000;
    const auto plan = planDockerRollout(r, found);
    QVERIFY(plan.ok());
    QCOMPARE(plan.value().batches, (QList<QList<int>>{{0}, {1, 2}, {3, 4}}));
    QVERIFY(plan.value().describe().contains(QStringLiteral("soak of 60 s")));
}

void tst_DockerRollout::impossibleMinimumIsRefused()
{
    QList<RolloutInstance> found{instance(QStringLiteral("a"), QStringLiteral("shop-1")),
                                 instance(QStringLiteral("b"), QStringLiteral("shop-2"))};
    const auto plan = planDockerRollout(request(1, 2), found);
    QVERIFY(!plan.ok());
    QVERIFY2(plan.error().contains(QStringLiteral("minimum healthy count 2")),
             qPrintable(plan.error()));
    QVERIFY(!planDockerRollout(request(1, 3), found).ok());
    QVERIFY(!planDockerRollout(request(0, 1), found).ok());
    // Fewer serve now than the minimum: nothing is safe to take down.
    found[0].health = HealthStatus::Unhealthy;
    QVERIFY(planDockerRollout(request(1, 2), found).error().contains(QStringLiteral("serve now")));
}

void tst_DockerRollout::nothingFoundIsAnError()
{
    auto r = request(1, 1);
    r.hostTag = QStringLiteral("blue");
    const auto plan = planDockerRollout(r, {});
    QVERIFY(!plan.ok());
    QVERIFY(plan.error().contains(QStringLiteral("shop")));
    QVERIFY(plan.error().contains(QStringLiteral("blue")));
}

void tst_DockerRollout::dryRunDescribesEveryBatch()
{
    QList<RolloutInstance> found{instance(QStringLiteral("a"), QStringLiteral("shop-1")),
                                 instance(QStringLiteral("b"), QStringLiteral("shop-2"))};
    const QString text = planDockerRollout(request(1, 1), found).value().describe();
    QVERIFY(text.contains(QStringLiteral("Rolling update of shop in Staging to shop:2")));
    QVERIFY(text.contains(QStringLiteral("batch 2:")));
    QVERIFY(text.contains(QStringLiteral("shop-2 on b")));
    QVERIFY(text.contains(QStringLiteral("never fewer than 1 serving")));
}

void tst_DockerRollout::recreateKeepsWhatTheContainerWasGiven()
{
    const QJsonObject old = json(R"({
        "Id": "0123456789abcdef0123",
        "Name": "/shop-1",
        "Config": {"Hostname": "0123456789ab", "Image": "shop:1", "Env": ["PORT=8081", "PATH=/bin"],
                   "Cmd": ["httpd", "-f"], "Labels": {"com.example.service": "shop", "vendor": "acme"},
                   "Healthcheck": {"Test": ["CMD-SHELL", "wget -q localhost:8081"], "Interval": 1000000000},
                   "ExposedPorts": {"8081/tcp": {}}, "StopTimeout": 1},
        "HostConfig": {"RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 5},
                       "Binds": ["/srv/shop:/data:ro"], "NetworkMode": "shopnet",
                       "PortBindings": {"8081/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8081"}]}},
        "Mounts": [{"Type": "bind", "Source": "/srv/shop", "Destination": "/data", "RW": false}],
        "NetworkSettings": {"Networks": {"shopnet": {"Aliases": ["0123456789ab", "shop"], "IPAMConfig": null}}}
    })");
    const QJsonObject image =
        json(R"({"Config": {"Env": ["PATH=/bin"], "Cmd": ["sh"], "Labels": {"vendor": "acme"}}})");
    const QJsonObject body = recreateContainerBody(old, image, QStringLiteral("shop:2"));
    QCOMPARE(body.value(QStringLiteral("Image")).toString(), QStringLiteral("shop:2"));
    QCOMPARE(body.value(QStringLiteral("Env")).toArray(), QJsonArray{QStringLiteral("PORT=8081")});
    QCOMPARE(body.value(QStringLiteral("Cmd")).toArray(),
             (QJsonArray{QStringLiteral("httpd"), QStringLiteral("-f")}));
    QCOMPARE(body.value(QStringLiteral("Labels")).toObject(),
             (QJsonObject{{QStringLiteral("com.example.service"), QStringLiteral("shop")}}));
    QVERIFY(body.value(QStringLiteral("Healthcheck")).toObject().contains(QStringLiteral("Test")));
    QVERIFY(!body.contains(QStringLiteral("Hostname"))); // Docker's default: the old short id
    QCOMPARE(body.value(QStringLiteral("StopTimeout")).toInt(), 1);
    const QJsonObject host = body.value(QStringLiteral("HostConfig")).toObject();
    QCOMPARE(host.value(QStringLiteral("RestartPolicy"))
                 .toObject()
                 .value(QStringLiteral("Name"))
                 .toString(),
             QStringLiteral("on-failure"));
    QCOMPARE(host.value(QStringLiteral("Binds")).toArray(),
             QJsonArray{QStringLiteral("/srv/shop:/data:ro")});
    QVERIFY(!host.contains(QStringLiteral("Mounts"))); // the bind is in Binds already
    QVERIFY(
        host.value(QStringLiteral("PortBindings")).toObject().contains(QStringLiteral("8081/tcp")));
    const QJsonObject endpoint = body.value(QStringLiteral("NetworkingConfig"))
                                     .toObject()
                                     .value(QStringLiteral("EndpointsConfig"))
                                     .toObject()
                                     .value(QStringLiteral("shopnet"))
                                     .toObject();
    QCOMPARE(endpoint.value(QStringLiteral("Aliases")).toArray(),
             QJsonArray{QStringLiteral("shop")});
}

void tst_DockerRollout::recreateLeavesImageDefaultsToTheNewImage()
{
    const QJsonObject old =
        json(R"({"Id": "abc", "Config": {"Image": "shop:1", "Cmd": ["sh"], "Entrypoint": null,
        "Env": ["VERSION=1"], "WorkingDir": "/app", "Hostname": "web"}, "HostConfig": {"NetworkMode": "host"}})");
    const QJsonObject image = json(
        R"({"Config": {"Cmd": ["sh"], "Entrypoint": null, "Env": ["VERSION=1"], "WorkingDir": "/app"}})");
    const QJsonObject body = recreateContainerBody(old, image, {});
    QCOMPARE(body.value(QStringLiteral("Image")).toString(), QStringLiteral("shop:1")); // a restart
    QVERIFY(!body.contains(QStringLiteral("Cmd")));
    QVERIFY(!body.contains(QStringLiteral("Entrypoint")));
    QVERIFY(!body.contains(QStringLiteral("WorkingDir")));
    QCOMPARE(body.value(QStringLiteral("Env")).toArray(), QJsonArray());
    QCOMPARE(body.value(QStringLiteral("Hostname")).toString(),
             QStringLiteral("web")); // set by a person
    QVERIFY(!body.contains(QStringLiteral("NetworkingConfig")));
}

void tst_DockerRollout::recreateCarriesAnonymousVolumesByName()
{
    const QString anon(64, QLatin1Char('a'));
    const QJsonObject old = json(
        QStringLiteral(R"({"Id": "abc", "Config": {"Image": "db:1", "Volumes": {"/var/lib/db": {}}},
        "HostConfig": {"Binds": ["named:/named"]},
        "Mounts": [{"Type": "volume", "Name": "%1", "Destination": "/var/lib/db", "RW": true},
                   {"Type": "volume", "Name": "named", "Destination": "/named", "RW": true}]})")
            .arg(anon)
            .toUtf8()
            .constData());
    const QJsonObject body = recreateContainerBody(old, {}, QStringLiteral("db:2"));
    QVERIFY(!body.contains(QStringLiteral("Volumes")));
    const QJsonArray mounts = body.value(QStringLiteral("HostConfig"))
                                  .toObject()
                                  .value(QStringLiteral("Mounts"))
                                  .toArray();
    QCOMPARE(mounts.size(), 1); // the named one is in Binds already
    QCOMPARE(mounts.first().toObject().value(QStringLiteral("Source")).toString(), anon);
    QCOMPARE(mounts.first().toObject().value(QStringLiteral("Target")).toString(),
             QStringLiteral("/var/lib/db"));
    QCOMPARE(mounts.first().toObject().value(QStringLiteral("ReadOnly")).toBool(), false);
}

void tst_DockerRollout::etaFromFinishedInstances()
{
    RolloutProgress p;
    p.batchSize = 1;
    p.startedMs = 1000;
    p.instances.resize(4);
    QVERIFY(!p.etaMs(2000).has_value()); // nothing finished yet
    p.instances[0].step = RolloutStep::Done;
    p.instances[0].startedMs = 1000;
    p.instances[0].endedMs = 11000; // 10 s
    p.instances[1].step = RolloutStep::WaitingHealthy;
    p.instances[1].startedMs = 11000;
    // now 15 s: 6 s left on #2, then #3 and #4 at 10 s each.
    QCOMPARE(p.etaMs(15000).value(), 26000);
    QCOMPARE(p.elapsedMs(15000), 14000);
    QCOMPARE(p.doneCount(), 1);
    p.phase = RolloutPhase::Succeeded;
    QVERIFY(!p.etaMs(15000).has_value());
}

QTEST_GUILESS_MAIN(tst_DockerRollout)
#include "tst_dockerrollout.moc"
