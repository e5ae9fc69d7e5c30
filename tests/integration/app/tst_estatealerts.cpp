// SPDX-License-Identifier: MIT
// The estate's alert rules against the demo estate: what it plants shows up on the AlertBoard
// once each, a source that goes away raises "cannot be reached" and it ends when it is back.
#include "app/alertsources.h"
#include "app/estate.h"
#include "app/sim/simconsul.h"
#include "app/sim/simestate.h"
#include "models/alertboard.h"
#include "models/environmentsconfig.h"

#include <QSignalSpy>
#include <QTest>

using namespace Opsdeck;
using Models::Alert;
using Models::AlertRecord;

class tst_EstateAlerts : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void plantedConditionsRaiseOnce();
    void consulDownAndBack();

private:
    const AlertRecord *find(const QString &environment, const QString &keyPrefix) const;

    bool stuckIn(const QString &environment) const
    {
        m_estate->marathonStore(environment)->reevaluateStuck();
        return find(environment, QStringLiteral("marathon/stuck/")) != nullptr;
    }

    Sim::SimEstate *m_sim = nullptr;
    App::Estate *m_estate = nullptr;
    QSignalSpy *m_raised = nullptr;
};

void tst_EstateAlerts::initTestCase()
{
    m_sim = new Sim::SimEstate(this);
    Sim::SimEstateOptions options;
    options.kafka = false;
    QVERIFY2(m_sim->start(options), qPrintable(m_sim->errorString()));
    const auto parsed = Models::EnvironmentsConfigLoader::parse(m_sim->environmentsYaml(),
                                                                QStringLiteral("demo.yaml"));
    QVERIFY(std::holds_alternative<Models::OpsdeckConfig>(parsed));
    m_estate = new App::Estate(std::get<Models::OpsdeckConfig>(parsed), {}, this);
    m_estate->alertBoard()->setClearHoldMs(1000);
    // The demo's stuck deployment is minutes old at most: count it stuck after 2 s here.
    for (Models::MarathonStore *store : m_estate->marathonStores())
        store->setStuckThreshold(2000);
    m_raised = new QSignalSpy(m_estate->alertBoard(), &Models::AlertBoard::raised);
    m_estate->start();
}

void tst_EstateAlerts::cleanupTestCase()
{
    delete m_raised;
    delete m_estate;
    m_estate = nullptr;
    m_sim->stop();
}

const AlertRecord *tst_EstateAlerts::find(const QString &environment,
                                          const QString &keyPrefix) const
{
    for (const AlertRecord &r : m_estate->alertBoard()->active()) {
        if (r.alert.environment == environment && r.alert.key.startsWith(keyPrefix))
            return m_estate->alertBoard()->record(environment, r.alert.key);
    }
    return nullptr;
}

void tst_EstateAlerts::plantedConditionsRaiseOnce()
{
    const QString prod = QStringLiteral("Production");
    const QString stg = QStringLiteral("Staging");
    // Consul: ledger-sync's check is critical in Production, search-1's a warning in Staging.
    QTRY_VERIFY_WITH_TIMEOUT(find(prod, QStringLiteral("consul/check/")), 20000);
    const AlertRecord *ledger = find(prod, QStringLiteral("consul/check/"));
    QCOMPARE(ledger->alert.severity, Alert::Severity::Critical);
    QCOMPARE(ledger->alert.source, QStringLiteral("consul"));
    QVERIFY2(ledger->alert.subject.contains(QStringLiteral("ledger-sync")),
             qPrintable(ledger->alert.subject));
    QVERIFY(ledger->alert.message.contains(QStringLiteral("connection refused")));
    QTRY_VERIFY_WITH_TIMEOUT(find(stg, QStringLiteral("consul/check/")), 20000);
    const AlertRecord *search = find(stg, QStringLiteral("consul/check/"));
    QCOMPARE(search->alert.severity, Alert::Severity::Warning);
    QVERIFY(search->alert.message.contains(QStringLiteral("429")));
    // Docker: the crash loop under restart: always in Production, the policy that gave up in
    // Staging. Marathon: the stuck orders deployment in Staging.
    QTRY_VERIFY_WITH_TIMEOUT(find(prod, QStringLiteral("docker/crash-loop/")), 30000);
    QVERIFY(find(prod, QStringLiteral("docker/crash-loop/"))
                ->alert.subject.contains(QStringLiteral("ledger-sync")));
    QTRY_VERIFY_WITH_TIMEOUT(find(stg, QStringLiteral("docker/gave-up/")), 20000);
    // The store re-checks stuck deployments every half minute; do it now instead of waiting.
    // A relaunch of the broken task counts as progress: the gaps grow with its back-off.
    QTRY_VERIFY_WITH_TIMEOUT(stuckIn(stg), 90000);
    QVERIFY(find(stg, QStringLiteral("marathon/stuck/"))
                ->alert.subject.contains(QStringLiteral("orders")));
    // Nothing planted in Integration is critical, and no source is down.
    QCOMPARE(
        m_estate->alertBoard()->count(QStringLiteral("Integration"), Alert::Severity::Critical), 0);
    for (const AlertRecord &r : m_estate->alertBoard()->active())
        QVERIFY2(!r.alert.key.endsWith(QStringLiteral("/source"))
                     && !r.alert.key.startsWith(QStringLiteral("docker/host/")),
                 qPrintable(r.alert.key + QLatin1Char(' ') + r.alert.message));

    // Each raised once: a few more seconds of live updates add no second record of any key.
    QTest::qWait(3000);
    QSet<QString> seen;
    for (const QList<QVariant> &args : std::as_const(*m_raised)) {
        const auto r = args.at(0).value<AlertRecord>();
        const QString id = r.alert.environment + QLatin1Char('/') + r.alert.key;
        QVERIFY2(!seen.contains(id), qPrintable(QStringLiteral("raised twice: ") + id));
        seen.insert(id);
    }
}

void tst_EstateAlerts::consulDownAndBack()
{
    const QString stg = QStringLiteral("Staging");
    Sim::SimConsul *consul = m_sim->environment(stg)->consul;
    const quint16 port = consul->port();
    QSignalSpy resolved(m_estate->alertBoard(), &Models::AlertBoard::resolved);
    consul->stop();
    QTRY_VERIFY_WITH_TIMEOUT(find(stg, QStringLiteral("consul/source")), 30000);
    const AlertRecord *down = find(stg, QStringLiteral("consul/source"));
    QCOMPARE(down->alert.severity, Alert::Severity::Critical);
    QVERIFY2(down->alert.message.contains(QStringLiteral("cannot be reached")),
             qPrintable(down->alert.message));
    QVERIFY(consul->listen(port));
    QTRY_VERIFY_WITH_TIMEOUT(!find(stg, QStringLiteral("consul/source")), 60000);
    bool sawEnd = false;
    for (const QList<QVariant> &args : std::as_const(resolved))
        sawEnd =
            sawEnd || args.at(0).value<AlertRecord>().alert.key == QLatin1String("consul/source");
    QVERIFY(sawEnd);
}

QTEST_GUILESS_MAIN(tst_EstateAlerts)
#include "tst_estatealerts.moc"
