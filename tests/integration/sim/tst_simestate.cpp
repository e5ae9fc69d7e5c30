// SPDX-License-Identifier: MIT
// The demo estate as a whole: three coherent environments with what was planted in them,
// read over the real APIs with a plain HTTP client (never the connectors' parsers), and the
// environments file it writes read back through Opsdeck's own loader.
#include "app/sim/simconsul.h"
#include "app/sim/simdockerhost.h"
#include "app/sim/simestate.h"
#include "app/sim/simkafka.h"
#include "app/sim/simmarathon.h"
#include "app/sim/simmesos.h"
#include "models/environmentsconfig.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace Opsdeck;

namespace {

QNetworkAccessManager &network()
{
    static QNetworkAccessManager manager;
    return manager;
}

QJsonDocument getJson(const QString &url, int *status = nullptr)
{
    QNetworkRequest request{QUrl(url)};
    request.setRawHeader("Accept", "application/json");
    request.setTransferTimeout(5000);
    QNetworkReply *reply = network().get(request);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    if (status)
        *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QJsonDocument doc = QJsonDocument::fromJson(reply->readAll());
    reply->deleteLater();
    return doc;
}

QString dockerUrl(const Sim::SimDockerHost *host)
{
    return QStringLiteral("http://127.0.0.1:%1").arg(host->port());
}

} // namespace

class tst_SimEstate : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void threeEnvironments();
    void marathonTasksAreContainersAndMesosAddsUp();
    void plantedCrashLoopDeploymentAndLag();
    void configurationDiffersInTellingPlaces();
    void writtenConfigLoads();
    void endpointsJson();
    void shopApiIsReadyForRollingUpdates();

private:
    Sim::SimEstate m_estate;
};

void tst_SimEstate::initTestCase()
{
    Sim::SimEstateOptions options;
    options.seed = 42;
    options.timeScale = 10;
    QVERIFY2(m_estate.start(options), qPrintable(m_estate.errorString()));
}

void tst_SimEstate::cleanupTestCase()
{
    m_estate.stop();
}

void tst_SimEstate::threeEnvironments()
{
    const auto &envs = m_estate.environments();
    QCOMPARE(envs.size(), 3);
    QCOMPARE(envs.at(0).name, QStringLiteral("Integration"));
    QCOMPARE(envs.at(1).name, QStringLiteral("Staging"));
    QCOMPARE(envs.at(2).name, QStringLiteral("Production"));
    QVERIFY(envs.at(2).production);
    int containers = 0;
    for (const auto &env : envs) {
        QVERIFY(env.dockerHosts.size() >= 2);
        QVERIFY(env.marathon && env.mesos && env.consul && env.kafka);
        QCOMPARE(env.marathon->appIds().size(), 12);
        for (const auto *host : env.dockerHosts) {
            const QJsonArray list =
                getJson(dockerUrl(host) + QStringLiteral("/v1.41/containers/json?all=1")).array();
            QVERIFY(!list.isEmpty());
            containers += int(list.size());
        }
    }
    QVERIFY2(containers >= 60, qPrintable(QString::number(containers)));
}

void tst_SimEstate::marathonTasksAreContainersAndMesosAddsUp()
{
    const auto *prod = m_estate.environment(QStringLiteral("Production"));
    QVERIFY(prod);
    // Let the tasks settle (time runs ten times faster).
    QTRY_VERIFY_WITH_TIMEOUT(!prod->marathon->tasks().isEmpty(), 10000);
    QTest::qWait(1500);

    // Every running task is a container on its agent's Docker host, labelled with the task.
    const QJsonArray apps = getJson(prod->marathon->url(prod->marathon->leader())
                                    + QStringLiteral("/v2/apps?embed=apps.tasks"))
                                .object()
                                .value(QStringLiteral("apps"))
                                .toArray();
    QCOMPARE(apps.size(), 12);
    QSet<QString> taskIds;
    for (const QJsonValue &app : apps) {
        for (const QJsonValue &task : app.toObject().value(QStringLiteral("tasks")).toArray()) {
            if (task.toObject().value(QStringLiteral("state")).toString()
                == QLatin1String("TASK_RUNNING"))
                taskIds.insert(task.toObject().value(QStringLiteral("id")).toString());
        }
    }
    QVERIFY(taskIds.size() >= 20);
    QSet<QString> containerTasks;
    for (const auto *host : prod->dockerHosts) {
        for (const QJsonValue &c :
             getJson(dockerUrl(host) + QStringLiteral("/v1.41/containers/json")).array()) {
            const QString task = c.toObject()
                                     .value(QStringLiteral("Labels"))
                                     .toObject()
                                     .value(QStringLiteral("MESOS_TASK_ID"))
                                     .toString();
            if (!task.isEmpty())
                containerTasks.insert(task);
        }
    }
    for (const QString &id : std::as_const(taskIds))
        QVERIFY2(containerTasks.contains(id), qPrintable(id));

    // A Mesos agent's used resources are the sum of its tasks.
    const QJsonObject state =
        getJson(prod->mesos->url(0).toString() + QStringLiteral("/master/state")).object();
    QHash<QString, double> cpusByAgent;
    for (const QJsonValue &fw : state.value(QStringLiteral("frameworks")).toArray()) {
        for (const QJsonValue &t : fw.toObject().value(QStringLiteral("tasks")).toArray()) {
            const QJsonObject task = t.toObject();
            cpusByAgent[task.value(QStringLiteral("slave_id")).toString()] +=
                task.value(QStringLiteral("resources"))
                    .toObject()
                    .value(QStringLiteral("cpus"))
                    .toDouble();
        }
    }
    const QJsonArray slaves = state.value(QStringLiteral("slaves")).toArray();
    QCOMPARE(slaves.size(), prod->dockerHosts.size());
    double used = 0;
    for (const QJsonValue &s : slaves) {
        const QJsonObject agent = s.toObject();
        const double cpus = agent.value(QStringLiteral("used_resources"))
                                .toObject()
                                .value(QStringLiteral("cpus"))
                                .toDouble();
        QVERIFY(std::abs(cpus - cpusByAgent.value(agent.value(QStringLiteral("id")).toString()))
                < 1e-6);
        used += cpus;
    }
    QVERIFY(used > 0);
}

void tst_SimEstate::plantedCrashLoopDeploymentAndLag()
{
    // Production: ledger-sync restarts again and again under `restart: always`.
    const auto *prod = m_estate.environment(QStringLiteral("Production"));
    const Sim::SimContainer *ledger = nullptr;
    for (const auto *host : prod->dockerHosts) {
        if (const auto *c = host->container(QStringLiteral("ledger-sync")))
            ledger = c;
    }
    QVERIFY(ledger);
    QCOMPARE(ledger->restartPolicy, QStringLiteral("always"));
    QTRY_VERIFY_WITH_TIMEOUT(ledger->restartCount >= 2, 10000);

    // Staging: a deployment of orders that does not finish.
    const auto *stg = m_estate.environment(QStringLiteral("Staging"));
    QTest::qWait(2000);
    const QJsonArray deployments =
        getJson(stg->marathon->url(stg->marathon->leader()) + QStringLiteral("/v2/deployments"))
            .array();
    QCOMPARE(deployments.size(), 1);
    QCOMPARE(deployments.first()
                 .toObject()
                 .value(QStringLiteral("affectedApps"))
                 .toArray()
                 .first()
                 .toString(),
             QStringLiteral("/shop/orders"));

    // Production: billing falls behind; the others keep up.
    QTRY_VERIFY_WITH_TIMEOUT(prod->kafka->delivered(QStringLiteral("payments"), 0) > 50, 10000);
    qint64 billingLag = 0;
    qint64 fulfilmentLag = 0;
    for (int p = 0; p < 3; ++p)
        billingLag +=
            prod->kafka->delivered(QStringLiteral("payments"), p)
            - std::max<qint64>(
                0,
                prod->kafka->committed(QStringLiteral("billing"), QStringLiteral("payments"), p));
    for (int p = 0; p < 6; ++p)
        fulfilmentLag += prod->kafka->delivered(QStringLiteral("orders"), p)
                         - std::max<qint64>(
                             0,
                             prod->kafka->committed(
                                 QStringLiteral("order-fulfilment"), QStringLiteral("orders"), p));
    QVERIFY2(billingLag > 0, qPrintable(QString::number(billingLag)));
    QVERIFY(prod->kafkaGroups.contains(QStringLiteral("billing")));
    Q_UNUSED(fulfilmentLag);
}

void tst_SimEstate::configurationDiffersInTellingPlaces()
{
    auto value = [](const Sim::SimEstate::Environment *env, const QString &key) {
        int status = 0;
        // Production's Consul wants its ACL token (the demo's planted ACL).
        const QString token = Sim::SimEstate::consulTokenFor(env->name);
        const QJsonArray entries =
            getJson(env->consul->url().toString() + QStringLiteral("/v1/kv/") + key
                        + (token.isEmpty() ? QString() : QStringLiteral("?token=") + token),
                    &status)
                .array();
        return status == 200 ? QByteArray::fromBase64(
                   entries.first().toObject().value(QStringLiteral("Value")).toString().toLatin1())
                             : QByteArray("<missing>");
    };
    const auto *intg = m_estate.environment(QStringLiteral("Integration"));
    const auto *stg = m_estate.environment(QStringLiteral("Staging"));
    const auto *prod = m_estate.environment(QStringLiteral("Production"));
    const QString timeout = QStringLiteral("config/shop/payments/timeout_ms");
    int denied = 0;
    getJson(prod->consul->url().toString() + QStringLiteral("/v1/kv/") + timeout, &denied);
    QCOMPARE(denied, 403);
    QCOMPARE(value(intg, timeout), QByteArray("3000"));
    QCOMPARE(value(stg, timeout), QByteArray("30000"));
    QCOMPARE(value(prod, timeout), QByteArray("3000"));
    QCOMPARE(value(prod, QStringLiteral("config/shop/search/reindex_batch")),
             QByteArray("<missing>"));
    QCOMPARE(value(stg, QStringLiteral("config/shop/features/new_checkout")), QByteArray("true"));
    QCOMPARE(value(prod, QStringLiteral("config/shop/features/new_checkout")), QByteArray("false"));

    // Per-environment image layers: app-version-env-confighash.
    const QString image = intg->marathon->app(QStringLiteral("/shop/payments"))
                              .value(QStringLiteral("container"))
                              .toObject()
                              .value(QStringLiteral("docker"))
                              .toObject()
                              .value(QStringLiteral("image"))
                              .toString();
    QVERIFY2(QRegularExpression(QStringLiteral(R"(/payments:2\.1\.0-int-[0-9a-f]{8}$)"))
                 .match(image)
                 .hasMatch(),
             qPrintable(image));
}

void tst_SimEstate::writtenConfigLoads()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("environments.yaml"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(m_estate.environmentsYaml());
    file.close();
    const auto loaded = Models::EnvironmentsConfigLoader::load(path);
    const auto *error = std::get_if<Models::ConfigError>(&loaded);
    QVERIFY2(!error, error ? qPrintable(error->toString()) : "");
    const auto &config = std::get<Models::OpsdeckConfig>(loaded);
    QCOMPARE(config.environments.size(), 3);
    QVERIFY(config.environments.at(2).production);
    QCOMPARE(config.environments.at(2).dockerHosts.size(),
             m_estate.environments().at(2).dockerHosts.size());
    QVERIFY(config.environments.at(2).marathon.has_value());
    QCOMPARE(config.environments.at(2).marathon->urls.size(), 3);
    QVERIFY(config.environments.at(2).mesos.has_value());
}

void tst_SimEstate::endpointsJson()
{
    const QJsonObject json = m_estate.endpointsJson();
    const QJsonArray envs = json.value(QStringLiteral("environments")).toArray();
    QCOMPARE(envs.size(), 3);
    for (const QJsonValue &v : envs) {
        const QJsonObject env = v.toObject();
        QVERIFY(!env.value(QStringLiteral("name")).toString().isEmpty());
        for (const QJsonValue &h : env.value(QStringLiteral("docker")).toArray())
            QVERIFY(h.toObject()
                        .value(QStringLiteral("url"))
                        .toString()
                        .startsWith(QLatin1String("tcp://127.0.0.1:")));
        QVERIFY(!env.value(QStringLiteral("marathon")).toArray().isEmpty());
        QVERIFY(!env.value(QStringLiteral("mesos")).toArray().isEmpty());
        QVERIFY(env.value(QStringLiteral("consul"))
                    .toString()
                    .startsWith(QLatin1String("http://127.0.0.1:")));
        QVERIFY(env.value(QStringLiteral("kafka"))
                    .toObject()
                    .value(QStringLiteral("bootstrap_servers"))
                    .toString()
                    .startsWith(QLatin1String("127.0.0.1:")));
    }
}

void tst_SimEstate::shopApiIsReadyForRollingUpdates()
{
    const QString repo = QStringLiteral("registry.example.com/shop/shop-api");
    for (const auto &env : m_estate.environments()) {
        const QString shortName = env.dockerHosts.first()->name().section(QLatin1Char('-'), 0, 0);
        QStringList placed;
        for (int h = 0; h < env.dockerHosts.size(); ++h) {
            const Sim::SimDockerHost *host = env.dockerHosts.at(h);
            // Every host has the images a rollout may move shop-api to.
            for (const QString &tag : {QStringLiteral("1.4.2"),
                                       QStringLiteral("1.5.0"),
                                       QStringLiteral("1.5.0-unhealthy"),
                                       QStringLiteral("1.5.0-crash")}) {
                int status = 0;
                const QJsonObject image =
                    getJson(dockerUrl(host) + QStringLiteral("/v1.41/images/") + repo
                                + QLatin1Char(':') + tag + QStringLiteral("/json"),
                            &status)
                        .object();
                QCOMPARE(status, 200);
                QVERIFY(image.value(QStringLiteral("Config"))
                            .toObject()
                            .contains(QStringLiteral("Healthcheck")));
            }
            for (const Sim::SimContainer &c : host->containers()) {
                if (c.labels.value(QStringLiteral("com.example.service")) == u"shop-api")
                    placed << QStringLiteral("%1@%2").arg(c.name).arg(h);
            }
        }
        placed.sort();
        const QStringList expected = env.dockerHosts.size() >= 3
                                         ? QStringList{QStringLiteral("shop-api-1@0"),
                                                       QStringLiteral("shop-api-2@1"),
                                                       QStringLiteral("shop-api-3@2")}
                                         : QStringList{QStringLiteral("shop-api-1@0"),
                                                       QStringLiteral("shop-api-2@1"),
                                                       QStringLiteral("shop-api-3@0")};
        QCOMPARE(placed, expected);

        for (int n = 1; n <= 3; ++n) {
            const Sim::SimDockerHost *host = env.dockerHosts.at((n - 1) % env.dockerHosts.size());
            const QString name = QStringLiteral("shop-api-%1").arg(n);
            const QJsonObject o =
                getJson(dockerUrl(host) + QStringLiteral("/v1.41/containers/%1/json").arg(name))
                    .object();
            const QJsonObject config = o.value(QStringLiteral("Config")).toObject();
            QCOMPARE(config.value(QStringLiteral("Image")).toString(),
                     repo + QStringLiteral(":1.4.2"));
            QCOMPARE(config.value(QStringLiteral("Labels"))
                         .toObject()
                         .value(QStringLiteral("com.example.service"))
                         .toString(),
                     QStringLiteral("shop-api"));
            const QJsonArray vars = config.value(QStringLiteral("Env")).toArray();
            QVERIFY(vars.contains(QString(QStringLiteral("SHOP_ENV=") + shortName)));
            QVERIFY(vars.contains(QStringLiteral("SHOP_API_VERSION=1.4.2"))); // from the image
            // The demo's health check settles within seconds at the demo's pace.
            const QJsonObject check = config.value(QStringLiteral("Healthcheck")).toObject();
            QVERIFY(check.value(QStringLiteral("Interval")).toInteger() <= 2'000'000'000);
            QVERIFY(check.value(QStringLiteral("Interval")).toInteger()
                        * check.value(QStringLiteral("Retries")).toInt()
                    <= 6'000'000'000);
            const QJsonObject hostConfig = o.value(QStringLiteral("HostConfig")).toObject();
            QCOMPARE(hostConfig.value(QStringLiteral("RestartPolicy")).toObject(),
                     (QJsonObject{{QStringLiteral("Name"), QStringLiteral("on-failure")},
                                  {QStringLiteral("MaximumRetryCount"), 5}}));
            QCOMPARE(hostConfig.value(QStringLiteral("Binds")).toArray().size(), 1);
            QCOMPARE(o.value(QStringLiteral("Image")).toString(),
                     host->image(repo + QStringLiteral(":1.4.2"))->id);
            QTRY_COMPARE_WITH_TIMEOUT(
                host->container(name)->health, QStringLiteral("healthy"), 5000);
            QCOMPARE(host->container(name)->state, QStringLiteral("running"));
            QCOMPARE(host->container(name)->restartCount, 0);
        }
        // The bind-mounted configuration is readable through the archive endpoint.
        int status = 0;
        QNetworkRequest request{QUrl(dockerUrl(env.dockerHosts.first())
                                     + QStringLiteral("/v1.41/containers/shop-api-1/archive?path="
                                                      "/etc/shop-api/application.yaml"))};
        QNetworkReply *reply = network().get(request);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        QVERIFY(reply->isFinished() || finished.wait(5000));
        status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        QVERIFY2(reply->readAll().contains(
                     QStringLiteral("postgres-shop.%1.example.internal").arg(shortName).toUtf8()),
                 qPrintable(shortName));
        reply->deleteLater();
        QCOMPARE(status, 200);
    }
}

QTEST_GUILESS_MAIN(tst_SimEstate)
#include "tst_simestate.moc"
