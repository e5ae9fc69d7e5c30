// SPDX-License-Identifier: MIT
// EstateConfigProvider against the demo estate: config files read out of containers through
// Docker's archive API, and a refresh that replaces one still in flight.
#include "app/estate.h"
#include "app/estateconfig.h"
#include "app/sim/simestate.h"
#include "models/configmodel.h"
#include "models/environmentsconfig.h"
#include "models/environmentstore.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Opsdeck;

class tst_EstateConfig : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void readsTheMountedFiles();
    void aSecondRefreshReplacesTheFirst();

private:
    int fileItems(const QString &environment) const;

    Sim::SimEstate *m_sim = nullptr;
    App::Estate *m_estate = nullptr;
    App::EstateConfigProvider *m_provider = nullptr;
    const QString m_env = QStringLiteral("Production");
};

void tst_EstateConfig::initTestCase()
{
    m_sim = new Sim::SimEstate(this);
    Sim::SimEstateOptions options;
    options.kafka = false;
    QVERIFY2(m_sim->start(options), qPrintable(m_sim->errorString()));
    const auto parsed = Models::EnvironmentsConfigLoader::parse(m_sim->environmentsYaml(),
                                                                QStringLiteral("demo.yaml"));
    QVERIFY(std::holds_alternative<Models::OpsdeckConfig>(parsed));
    m_estate = new App::Estate(std::get<Models::OpsdeckConfig>(parsed), m_env, this);
    m_provider = static_cast<App::EstateConfigProvider *>(m_estate->configProvider());
    m_estate->start();
    // Every Docker host of the environment answered its first full read.
    QTRY_VERIFY_WITH_TIMEOUT(
        [this] {
            for (Models::EnvironmentStore *store : m_estate->stores()) {
                for (const Models::HostStatus &h : store->hosts()) {
                    if (h.state != Models::SourceState::Connected)
                        return false;
                }
                if (store->containerCount() == 0)
                    return false;
            }
            return true;
        }(),
        20000);
    for (Models::EnvironmentStore *store : m_estate->stores())
        store->flush();
}

void tst_EstateConfig::cleanupTestCase()
{
    delete m_estate;
    m_estate = nullptr;
    m_sim->stop();
}

int tst_EstateConfig::fileItems(const QString &environment) const
{
    int n = 0;
    for (const Models::ConfigItem &item : m_provider->configItems(environment))
        n += item.form == Models::ConfigForm::File ? 1 : 0;
    return n;
}

void tst_EstateConfig::readsTheMountedFiles()
{
    QSignalSpy settled(m_provider, &App::EstateConfigProvider::filesSettled);
    m_provider->refreshConfigFiles(m_env);
    QTRY_COMPARE_WITH_TIMEOUT(settled.size(), 1, 15000);
    QCOMPARE(settled.at(0).at(0).toString(), m_env);
    QCOMPARE(m_provider->pendingFileReads(), 0);
    // The demo mounts nginx's default.conf and fluent-bit.conf into Production's containers.
    QVERIFY2(m_provider->filesRead(m_env) >= 2,
             qPrintable(QString::number(m_provider->filesRead(m_env))));
    QVERIFY(fileItems(m_env) > 0);
}

void tst_EstateConfig::aSecondRefreshReplacesTheFirst()
{
    QSignalSpy settled(m_provider, &App::EstateConfigProvider::filesSettled);
    m_provider->refreshConfigFiles(m_env);
    QTRY_COMPARE_WITH_TIMEOUT(settled.size(), 1, 15000);
    const int once = m_provider->filesRead(m_env);
    const int items = fileItems(m_env);
    QVERIFY(once >= 2);

    // Two refreshes in one turn: the first batch's reads are still in flight when the second
    // starts. Each of Docker's answers must count once, for the newer batch only.
    settled.clear();
    m_provider->refreshConfigFiles(m_env);
    m_provider->refreshConfigFiles(m_env);
    QTRY_VERIFY_WITH_TIMEOUT(settled.size() >= 1, 15000);
    QTest::qWait(500); // late answers of the replaced batch would arrive now
    QCOMPARE(settled.size(), 1);
    QCOMPARE(m_provider->pendingFileReads(), 0);
    QCOMPARE(m_provider->filesRead(m_env), once);
    QCOMPARE(fileItems(m_env), items);
}

QTEST_GUILESS_MAIN(tst_EstateConfig)
#include "tst_estateconfig.moc"
