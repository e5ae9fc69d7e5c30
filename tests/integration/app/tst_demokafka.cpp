// SPDX-License-Identifier: MIT
// Kafka lag end to end on the demo estate: librdkafka's mock cluster, the KafkaConnector, the
// KafkaLagStore, the alert rules and `opsdeck status --json`. Production's billing group is
// behind from the start and keeps falling behind: it must show a rising lag and a threshold
// alert; the groups that keep up must not.
#include "app/alertsources.h"
#include "app/estate.h"
#include "app/sim/simestate.h"
#include "app/statuscommand.h"
#include "models/alertboard.h"
#include "models/environmentsconfig.h"
#include "models/kafkalag.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace Opsdeck;
using Models::KafkaGroupState;

class tst_DemoKafka : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void billingFallsBehindWithAnAlert();
    void statusJsonCarriesTheLag();

private:
    const KafkaGroupState *group(const QString &environment, const QString &name) const
    {
        Models::KafkaLagStore *store = m_estate->kafkaStore(environment);
        return store ? store->group(Models::KafkaLagStore::groupKey(QStringLiteral("main"), name))
                     : nullptr;
    }

    Sim::SimEstate *m_sim = nullptr;
    App::Estate *m_estate = nullptr;
};

void tst_DemoKafka::initTestCase()
{
    m_sim = new Sim::SimEstate(this);
    Sim::SimEstateOptions options;
    options.timeScale = 4; // the consumers fall behind four times as fast
    QVERIFY2(m_sim->start(options), qPrintable(m_sim->errorString()));
    const auto parsed = Models::EnvironmentsConfigLoader::parse(m_sim->environmentsYaml(),
                                                                QStringLiteral("demo.yaml"));
    if (const auto *error = std::get_if<Models::ConfigError>(&parsed))
        QFAIL(qPrintable(error->toString()));
    Models::OpsdeckConfig config = std::get<Models::OpsdeckConfig>(parsed);
    for (Models::EnvironmentConfig &env : config.environments) {
        QVERIFY2(env.kafka, qPrintable(env.name + QStringLiteral(" has no kafka section")));
        env.kafka->refreshMs = 1000;
    }
    m_estate = new App::Estate(config, {}, this);
    m_estate->start();
}

void tst_DemoKafka::cleanupTestCase()
{
    delete m_estate;
    m_estate = nullptr;
    m_sim->stop();
}

void tst_DemoKafka::billingFallsBehindWithAnAlert()
{
    const QString prod = QStringLiteral("Production");
    QTRY_VERIFY_WITH_TIMEOUT(group(prod, QStringLiteral("billing")), 20000);
    // Several samples, then the lag has risen and the warning level (500) is breached.
    QTRY_VERIFY_WITH_TIMEOUT(m_estate->kafkaStore(prod)
                                     ->history(Models::KafkaLagStore::groupKey(
                                         QStringLiteral("main"), QStringLiteral("billing")))
                                     .size()
                                 >= 6,
                             30000);
    const QList<Models::KafkaLagPoint> history = m_estate->kafkaStore(prod)->history(
        Models::KafkaLagStore::groupKey(QStringLiteral("main"), QStringLiteral("billing")));
    QVERIFY2(
        history.last().lag > history.first().lag,
        qPrintable(QStringLiteral("%1 -> %2").arg(history.first().lag).arg(history.last().lag)));
    const KafkaGroupState *billing = group(prod, QStringLiteral("billing"));
    QVERIFY(billing->lag >= 500);
    QVERIFY(billing->level != Models::ThresholdLevel::None);
    QVERIFY(billing->produceRate > billing->consumeRate);
    QVERIFY(!billing->catchUpS); // not catching up at these rates
    QCOMPARE(billing->partitions.size(), 3);
    QVERIFY(billing->error.isEmpty());

    // The threshold alert is on the board, once.
    m_estate->alertSources()->flush();
    const Models::AlertRecord *alert =
        m_estate->alertBoard()->record(prod, QStringLiteral("kafka/main/billing/threshold"));
    QVERIFY(alert);
    QCOMPARE(alert->alert.source, QStringLiteral("kafka"));
    QVERIFY2(alert->alert.message.contains(QStringLiteral("lag")),
             qPrintable(alert->alert.message));

    // The groups that keep up are fine, everywhere.
    for (const QString &env : {QStringLiteral("Integration"), QStringLiteral("Staging"), prod}) {
        const KafkaGroupState *orders = group(env, QStringLiteral("order-fulfilment"));
        QVERIFY2(orders, qPrintable(env));
        QCOMPARE(orders->level, Models::ThresholdLevel::None);
        QVERIFY2(!m_estate->alertBoard()->record(
                     env, QStringLiteral("kafka/main/order-fulfilment/threshold")),
                 qPrintable(env));
        QCOMPARE(m_estate->kafkaStore(env)->clusterStatus(QStringLiteral("main")).state,
                 Models::SourceState::Connected);
    }
}

void tst_DemoKafka::statusJsonCarriesTheLag()
{
    const QJsonObject status = App::statusJson(*m_estate);
    QJsonObject billing;
    for (const QJsonValue &env : status.value(QStringLiteral("environments")).toArray()) {
        if (env[QStringLiteral("name")].toString() != QLatin1String("Production"))
            continue;
        for (const QJsonValue &g :
             env[QStringLiteral("kafka")][QStringLiteral("groups")].toArray()) {
            if (g[QStringLiteral("group")].toString() == QLatin1String("billing"))
                billing = g.toObject();
        }
    }
    QVERIFY(!billing.isEmpty());
    const QJsonArray topics = billing.value(QStringLiteral("topics")).toArray();
    QCOMPARE(topics.size(), 1);
    QCOMPARE(topics.at(0)[QStringLiteral("topic")].toString(), QStringLiteral("payments"));
    qint64 sum = 0;
    for (const QJsonValue &p : topics.at(0)[QStringLiteral("partitions")].toArray()) {
        QCOMPARE(p[QStringLiteral("lag")].toInteger(),
                 p[QStringLiteral("logEnd")].toInteger()
                     - p[QStringLiteral("committed")].toInteger());
        sum += p[QStringLiteral("lag")].toInteger();
    }
    QCOMPARE(sum, billing.value(QStringLiteral("lag")).toInteger());
    QVERIFY(billing.value(QStringLiteral("catchUpS")).isNull()); // never, at these rates
    QVERIFY(billing.value(QStringLiteral("produceRate")).toDouble() > 0);
    QVERIFY(billing.value(QStringLiteral("threshold")).toString() != QLatin1String("none"));
    QVERIFY(status[QStringLiteral("summary")][QStringLiteral("kafkaGroupsOverThreshold")].toInt()
            >= 1);
    QCOMPARE(App::statusExitCode(*m_estate), 1); // a breached threshold is a raised flag
}

QTEST_GUILESS_MAIN(tst_DemoKafka)
#include "tst_demokafka.moc"
