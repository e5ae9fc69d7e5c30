// SPDX-License-Identifier: MIT
// Opsdeck against real Docker engines started by tests/integration/dockerd.sh.
#include "app/estate.h"
#include "tests/support/testsupport.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Opsdeck;
using namespace Opsdeck::Models;

namespace {

Connectors::DockerTimings fastTimings()
{
    Connectors::DockerTimings t;
    t.reconnectInitialMs = 200;
    t.reconnectMaxMs = 1000;
    t.pingIntervalMs = 1000;
    t.pingTimeoutMs = 1000;
    t.streamHeadersTimeoutMs = 2000;
    t.requestTimeoutMs = 3000;
    return t;
}

const Container *byName(const EnvironmentStore *store, const QString &host, const QString &name)
{
    for (const QString &key : store->containerKeys()) {
        const Container *c = store->container(key);
        if (c->hostId == host && c->name == name)
            return c;
    }
    return nullptr;
}

} // namespace

class tst_DockerHostConnectorLive : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void listsEveryContainerWithStatesAndFlags();
    void restartThroughOpsdeckHappensAndIsNoCrash();
    void eventReachesTheModelWithinASecond();
    void logsAndStats();
    void killedEngineIsUnreachableWhileTheOtherKeepsUpdating();
    void tenDeadHostsDoNotSlowTheLiveOne();
    void tlsWithClientCertificates_data();
    void tlsWithClientCertificates();

private:
    std::unique_ptr<App::Estate> makeEstate(const QList<DockerHostConfig> &hosts,
                                            bool readOnly = false);
    bool waitConnected(EnvironmentStore *store, const QString &host, int timeoutMs = 15000);
    void startAndStopThrice(EnvironmentStore *store, const QString &key, const char *label);

    Tests::DockerdHarness m_harness;
};

std::unique_ptr<App::Estate>
tst_DockerHostConnectorLive::makeEstate(const QList<DockerHostConfig> &hosts, bool readOnly)
{
    OpsdeckConfig config;
    EnvironmentConfig env;
    env.name = QStringLiteral("Integration");
    env.colour = QStringLiteral("#2e7d32");
    env.readOnly = readOnly;
    env.dockerHosts = hosts;
    config.environments << env;
    auto estate = std::make_unique<App::Estate>(config);
    estate->setTimings(fastTimings());
    return estate;
}

bool tst_DockerHostConnectorLive::waitConnected(EnvironmentStore *store,
                                                const QString &host,
                                                int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        const HostStatus *h = store->host(host);
        if (h && h->state == SourceState::Connected)
            return true;
        QTest::qWait(20);
    }
    return false;
}

/// Starts and stops the host1 container @p key three times with the docker CLI; each change
/// must reach the model within a second of the command returning. Prints the latencies.
void tst_DockerHostConnectorLive::startAndStopThrice(EnvironmentStore *store,
                                                     const QString &key,
                                                     const char *label)
{
    QStringList latencies;
    for (int round = 0; round < 3; ++round) {
        for (const bool start : {true, false}) {
            const QStringList args =
                start ? QStringList{QStringLiteral("start"), QStringLiteral("stopped")}
                      : QStringList{QStringLiteral("stop"),
                                    QStringLiteral("-t"),
                                    QStringLiteral("0"),
                                    QStringLiteral("stopped")};
            QVERIFY(!m_harness.docker(1, args).isEmpty());
            QElapsedTimer t;
            t.start();
            QTRY_COMPARE_WITH_TIMEOUT(store->container(key)->state,
                                      start ? ContainerState::Running : ContainerState::Exited,
                                      1000);
            latencies << QString::number(t.elapsed());
        }
    }
    qInfo("%s: %s", label, qPrintable(latencies.join(QLatin1Char(' '))));
}

void tst_DockerHostConnectorLive::initTestCase()
{
    OPSDECK_REQUIRE_SERVER(
        m_harness.isAvailable() && m_harness.hostCount() >= 2,
        QStringLiteral(
            "two dockerd hosts from tests/integration/dockerd.sh (OPSDECK_DOCKERD_STATE)"));
    QString output;
    QVERIFY2(m_harness.run({QStringLiteral("scenario")}, 180000, &output), qPrintable(output));
}

void tst_DockerHostConnectorLive::listsEveryContainerWithStatesAndFlags()
{
    auto estate = makeEstate({{QStringLiteral("host1"), m_harness.unixUrl(1), {}, {}},
                              {QStringLiteral("host2"), m_harness.tcpUrl(2), {}, {}}});
    EnvironmentStore *store = estate->stores().first();
    int resyncs = 0;
    for (auto *c : estate->connectors(QStringLiteral("Integration")))
        connect(c, &Connectors::DockerHostConnector::resyncFinished, this, [&resyncs](bool ok) {
            resyncs += ok ? 1 : 0;
        });
    estate->start();
    QTRY_COMPARE_WITH_TIMEOUT(resyncs, 2, 15000);

    QCOMPARE(store->host(QStringLiteral("host1"))->apiVersion, QStringLiteral("1.41"));
    QCOMPARE(store->host(QStringLiteral("host2"))->state, SourceState::Connected);

    const Container *web = byName(store, QStringLiteral("host1"), QStringLiteral("web"));
    QVERIFY(web);
    QCOMPARE(web->state, ContainerState::Running);
    QCOMPARE(web->health, HealthStatus::Healthy);
    QCOMPARE(nameOf(web->restartPolicy), QStringLiteral("on-failure:5"));
    QVERIFY(web->env.contains(QStringLiteral("DB_PASSWORD=hunter2")));
    QCOMPARE(web->labels.value(QStringLiteral("opsdeck.test")), QStringLiteral("1"));
    QCOMPARE(web->mounts.size(), 1);
    QCOMPARE(web->mounts.first().type, QStringLiteral("bind"));
    QCOMPARE(web->mounts.first().destination, QStringLiteral("/data"));
    QCOMPARE(web->flags, 0u);

    const Container *failing = byName(store, QStringLiteral("host1"), QStringLiteral("failing"));
    QVERIFY(failing);
    QCOMPARE(failing->state, ContainerState::Exited);
    QCOMPARE(failing->exitCode, 3);
    QCOMPARE(failing->restartCount, 5);
    QVERIFY(failing->hasFlag(ContainerFlag::GaveUp));
    QVERIFY(!failing->hasFlag(ContainerFlag::CrashLoop));

    const Container *loop = byName(store, QStringLiteral("host1"), QStringLiteral("crashloop"));
    QVERIFY(loop);
    QVERIFY2(loop->state != ContainerState::Running || loop->hasFlag(ContainerFlag::CrashLoop),
             "a crash-looping container is never plainly running");
    QVERIFY(loop->hasFlag(ContainerFlag::CrashLoop));
    QVERIFY(loop->hasFlag(ContainerFlag::DangerousPolicy));
    QCOMPARE(severityOf(*loop), Severity::Critical);

    const Container *stopped = byName(store, QStringLiteral("host1"), QStringLiteral("stopped"));
    QVERIFY(stopped);
    QCOMPARE(stopped->state, ContainerState::Exited);
    QCOMPARE(stopped->flags, 0u);

    const Container *cache = byName(store, QStringLiteral("host1"), QStringLiteral("cache"));
    QVERIFY(cache);
    QVERIFY(cache->hasFlag(ContainerFlag::AnonymousVolume));
    QCOMPARE(severityOf(*cache), Severity::Info);

    const Container *web2 = byName(store, QStringLiteral("host2"), QStringLiteral("web2"));
    QVERIFY(web2);
    QCOMPARE(web2->health, HealthStatus::Healthy);
    QCOMPARE(nameOf(web2->restartPolicy), QStringLiteral("unless-stopped"));

    // Every container the engines know, nothing more.
    const QStringList ids1 =
        m_harness
            .docker(1, {QStringLiteral("ps"), QStringLiteral("-aq"), QStringLiteral("--no-trunc")})
            .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    int onHost1 = 0;
    for (const QString &key : store->containerKeys())
        onHost1 += key.startsWith(QStringLiteral("host1/")) ? 1 : 0;
    QCOMPARE(onHost1, ids1.size());
}

void tst_DockerHostConnectorLive::restartThroughOpsdeckHappensAndIsNoCrash()
{
    auto estate = makeEstate({{QStringLiteral("host1"), m_harness.unixUrl(1), {}, {}}});
    EnvironmentStore *store = estate->stores().first();
    estate->start();
    QVERIFY(waitConnected(store, QStringLiteral("host1")));
    QTRY_VERIFY_WITH_TIMEOUT(
        byName(store, QStringLiteral("host1"), QStringLiteral("web"))
            && byName(store, QStringLiteral("host1"), QStringLiteral("web"))->inspected,
        10000);
    const Container before = *byName(store, QStringLiteral("host1"), QStringLiteral("web"));
    QSignalSpy finished(estate.get(), &ContainerOperations::actionFinished);
    estate->requestAction(QStringLiteral("Integration"), before.key(), ContainerAction::Restart);
    QVERIFY(finished.wait(30000));
    QVERIFY2(finished.at(0).at(3).toBool(), qPrintable(finished.at(0).at(4).toString()));
    QTRY_VERIFY_WITH_TIMEOUT(store->container(before.key())->startedAt > before.startedAt, 5000);
    const Container *after = store->container(before.key());
    QCOMPARE(after->state, ContainerState::Running);
    QVERIFY2(!after->hasFlag(ContainerFlag::CrashLoop), "a restart by a person is not a crash");
    QCOMPARE(store->recentCrashes(before.key()), 0);
    // The engine agrees, once the inspect that confirms the start event has answered (the
    // event's own time comes a few ms after State.StartedAt).
    const QString started = m_harness.docker(1,
                                             {QStringLiteral("inspect"),
                                              QStringLiteral("-f"),
                                              QStringLiteral("{{.State.StartedAt}}"),
                                              QStringLiteral("web")});
    QVERIFY(!started.isEmpty());
    const qint64 engineStartedMs =
        QDateTime::fromString(started.left(23) + QLatin1Char('Z'), Qt::ISODateWithMs)
            .toMSecsSinceEpoch();
    QTRY_COMPARE_WITH_TIMEOUT(
        store->container(before.key())->startedAt.toMSecsSinceEpoch(), engineStartedMs, 2000);

    // Read-only environments refuse, whatever the caller.
    auto readOnly = makeEstate({{QStringLiteral("host1"), m_harness.unixUrl(1), {}, {}}}, true);
    QSignalSpy refused(readOnly.get(), &ContainerOperations::actionFinished);
    readOnly->requestAction(QStringLiteral("Integration"), before.key(), ContainerAction::Stop);
    QCOMPARE(refused.count(), 1);
    QCOMPARE(refused.at(0).at(3).toBool(), false);
}

void tst_DockerHostConnectorLive::eventReachesTheModelWithinASecond()
{
    auto estate = makeEstate({{QStringLiteral("host1"), m_harness.unixUrl(1), {}, {}}});
    EnvironmentStore *store = estate->stores().first();
    estate->start();
    QVERIFY(waitConnected(store, QStringLiteral("host1")));
    QTRY_VERIFY_WITH_TIMEOUT(byName(store, QStringLiteral("host1"), QStringLiteral("stopped")),
                             10000);
    const QString key = byName(store, QStringLiteral("host1"), QStringLiteral("stopped"))->key();

    startAndStopThrice(store, key, "event-to-model latency after the CLI returned (ms)");
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(!store->container(key)->hasFlag(ContainerFlag::CrashLoop),
             "stops by a person are not crashes");
}

void tst_DockerHostConnectorLive::logsAndStats()
{
    auto estate = makeEstate({{QStringLiteral("host1"), m_harness.unixUrl(1), {}, {}}});
    EnvironmentStore *store = estate->stores().first();
    estate->start();
    QVERIFY(waitConnected(store, QStringLiteral("host1")));
    QTRY_VERIFY_WITH_TIMEOUT(byName(store, QStringLiteral("host1"), QStringLiteral("web")), 10000);
    const QString key = byName(store, QStringLiteral("host1"), QStringLiteral("web"))->key();

    // A container that prints on stdout and stderr, then keeps printing: the tail follows.
    m_harness.docker(1, {QStringLiteral("rm"), QStringLiteral("-f"), QStringLiteral("talker")});
    QVERIFY(!m_harness
                 .docker(1,
                         {QStringLiteral("run"),
                          QStringLiteral("-d"),
                          QStringLiteral("--name"),
                          QStringLiteral("talker"),
                          QStringLiteral("--network"),
                          QStringLiteral("none"),
                          QStringLiteral("--label"),
                          QStringLiteral("opsdeck.test=1"),
                          QStringLiteral("opsdeck-test/busybox:1"),
                          QStringLiteral("sh"),
                          QStringLiteral("-c"),
                          QStringLiteral("echo first-out; echo first-err >&2; i=0; while true; do "
                                         "i=$((i+1)); echo tick-$i; sleep 0.2; done")})
                 .isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(byName(store, QStringLiteral("host1"), QStringLiteral("talker")),
                             3000);
    const QString talker = byName(store, QStringLiteral("host1"), QStringLiteral("talker"))->key();
    QTest::qWait(300);
    std::unique_ptr<LogFollower> follower(
        estate->followLogs(QStringLiteral("Integration"), talker, 100));
    QVERIFY(follower);
    QStringList lines;
    connect(follower.get(), &LogFollower::linesReceived, this, [&lines](const QStringList &l) {
        lines << l;
    });
    QTRY_VERIFY_WITH_TIMEOUT(lines.contains(QStringLiteral("first-err"))
                                 && lines.contains(QStringLiteral("first-out")),
                             5000);
    const qsizetype seen = lines.size();
    QTRY_VERIFY_WITH_TIMEOUT(lines.size() > seen + 2, 5000); // it follows
    QVERIFY(lines.last().startsWith(QStringLiteral("tick-")));
    follower.reset();
    m_harness.docker(1, {QStringLiteral("rm"), QStringLiteral("-f"), QStringLiteral("talker")});

    // A container with a TTY writes its output raw, without frames, with \r\n line ends.
    m_harness.docker(1, {QStringLiteral("rm"), QStringLiteral("-f"), QStringLiteral("tty-talker")});
    QVERIFY(!m_harness
                 .docker(1,
                         {QStringLiteral("run"),
                          QStringLiteral("-d"),
                          QStringLiteral("-t"),
                          QStringLiteral("--name"),
                          QStringLiteral("tty-talker"),
                          QStringLiteral("--network"),
                          QStringLiteral("none"),
                          QStringLiteral("opsdeck-test/busybox:1"),
                          QStringLiteral("sh"),
                          QStringLiteral("-c"),
                          QStringLiteral("echo tty-line-1; echo tty-line-2; sleep 100000")})
                 .isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(
        byName(store, QStringLiteral("host1"), QStringLiteral("tty-talker"))
            && byName(store, QStringLiteral("host1"), QStringLiteral("tty-talker"))->inspected,
        3000);
    QVERIFY(byName(store, QStringLiteral("host1"), QStringLiteral("tty-talker"))->tty);
    QTest::qWait(300);
    std::unique_ptr<LogFollower> ttyFollower(estate->followLogs(
        QStringLiteral("Integration"),
        byName(store, QStringLiteral("host1"), QStringLiteral("tty-talker"))->key(),
        10));
    QStringList ttyLines;
    connect(ttyFollower.get(),
            &LogFollower::linesReceived,
            this,
            [&ttyLines](const QStringList &l) { ttyLines << l; });
    QTRY_COMPARE_WITH_TIMEOUT(
        ttyLines, (QStringList{QStringLiteral("tty-line-1"), QStringLiteral("tty-line-2")}), 5000);
    ttyFollower.reset();
    m_harness.docker(1, {QStringLiteral("rm"), QStringLiteral("-f"), QStringLiteral("tty-talker")});

    QSignalSpy stats(estate.get(), &ContainerOperations::statsReady);
    estate->requestStats(QStringLiteral("Integration"), key);
    QVERIFY(stats.wait(5000));
    auto first = stats.at(0).at(2).value<ContainerStats>();
    QVERIFY(!first.cpuKnown); // one sample is not a rate
    QVERIFY(first.memoryUsed > 0);
    QTest::qWait(500);
    estate->requestStats(QStringLiteral("Integration"), key);
    QVERIFY(stats.wait(5000));
    auto second = stats.at(1).at(2).value<ContainerStats>();
    QVERIFY(second.cpuKnown);
    QVERIFY(second.cpuPercent >= 0.0 && second.cpuPercent < 200.0);
    QVERIFY(second.pids >= 1);
}

void tst_DockerHostConnectorLive::killedEngineIsUnreachableWhileTheOtherKeepsUpdating()
{
    auto estate = makeEstate({{QStringLiteral("host1"), m_harness.unixUrl(1), {}, {}},
                              {QStringLiteral("host2"), m_harness.unixUrl(2), {}, {}}});
    EnvironmentStore *store = estate->stores().first();
    estate->start();
    QVERIFY(waitConnected(store, QStringLiteral("host1")));
    QVERIFY(waitConnected(store, QStringLiteral("host2")));
    QTRY_VERIFY_WITH_TIMEOUT(byName(store, QStringLiteral("host1"), QStringLiteral("stopped"))
                                 && byName(store, QStringLiteral("host2"), QStringLiteral("web2")),
                             10000);

    QVERIFY(m_harness.run({QStringLiteral("kill"), QStringLiteral("2")}));
    QTRY_COMPARE_WITH_TIMEOUT(
        store->host(QStringLiteral("host2"))->state, SourceState::Unreachable, 5000);
    QVERIFY(!store->host(QStringLiteral("host2"))->error.isEmpty());
    qInfo("host2 error: %s", qPrintable(store->host(QStringLiteral("host2"))->error));
    // Its containers stay, marked by the host's state, not silently dropped.
    QVERIFY(byName(store, QStringLiteral("host2"), QStringLiteral("web2")));

    const QString key = byName(store, QStringLiteral("host1"), QStringLiteral("stopped"))->key();
    QVERIFY(!m_harness.docker(1, {QStringLiteral("start"), QStringLiteral("stopped")}).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(store->container(key)->state, ContainerState::Running, 1000);
    QVERIFY(!m_harness
                 .docker(1,
                         {QStringLiteral("stop"),
                          QStringLiteral("-t"),
                          QStringLiteral("0"),
                          QStringLiteral("stopped")})
                 .isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(store->container(key)->state, ContainerState::Exited, 1000);
    QCOMPARE(store->host(QStringLiteral("host1"))->state, SourceState::Connected);

    // The engine comes back: Opsdeck reconnects and re-lists by itself.
    QVERIFY(m_harness.run({QStringLiteral("start"), QStringLiteral("2")}));
    QVERIFY(waitConnected(store, QStringLiteral("host2"), 20000));
    QTRY_VERIFY_WITH_TIMEOUT(
        byName(store, QStringLiteral("host2"), QStringLiteral("web2"))
            && byName(store, QStringLiteral("host2"), QStringLiteral("web2"))->state
                   == ContainerState::Running,
        20000);
}

void tst_DockerHostConnectorLive::tenDeadHostsDoNotSlowTheLiveOne()
{
    // One that accepts connections and never answers, and nine with nothing behind them.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    QList<QTcpSocket *> held;
    connect(&silent, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *s = silent.nextPendingConnection())
            held << s; // read nothing, answer nothing
    });
    QList<DockerHostConfig> hosts{{QStringLiteral("live"), m_harness.unixUrl(1), {}, {}}};
    hosts << DockerHostConfig{QStringLiteral("silent"),
                              QStringLiteral("tcp://127.0.0.1:%1").arg(silent.serverPort()),
                              {},
                              {}};
    hosts << DockerHostConfig{
        QStringLiteral("nosocket"), QStringLiteral("unix:///nonexistent/docker.sock"), {}, {}};
    for (int i = 0; i < 8; ++i)
        hosts << DockerHostConfig{QStringLiteral("dead%1").arg(i),
                                  QStringLiteral("tcp://127.0.0.1:%1").arg(Tests::freeTcpPort()),
                                  {},
                                  {}};
    auto estate = makeEstate(hosts);
    EnvironmentStore *store = estate->stores().first();
    estate->start();
    QVERIFY(waitConnected(store, QStringLiteral("live")));
    QTRY_VERIFY_WITH_TIMEOUT(byName(store, QStringLiteral("live"), QStringLiteral("stopped")),
                             5000);
    const QString key = byName(store, QStringLiteral("live"), QStringLiteral("stopped"))->key();

    startAndStopThrice(store, key, "live host latency beside 10 dead ones (ms)");
    if (QTest::currentTestFailed())
        return;
    for (int i = 0; i < 8; ++i)
        QCOMPARE(store->host(QStringLiteral("dead%1").arg(i))->state, SourceState::Unreachable);
    QCOMPARE(store->host(QStringLiteral("nosocket"))->state, SourceState::Unreachable);
    QTRY_COMPARE_WITH_TIMEOUT(
        store->host(QStringLiteral("silent"))->state, SourceState::Unreachable, 5000);
    QVERIFY2(store->host(QStringLiteral("silent"))->error.contains(QStringLiteral("timed out")),
             qPrintable(store->host(QStringLiteral("silent"))->error));
    qDeleteAll(held);
}

void tst_DockerHostConnectorLive::tlsWithClientCertificates_data()
{
    QTest::addColumn<QString>("ca");
    QTest::addColumn<QString>("cert");
    QTest::addColumn<QString>("key");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("our CA, our client certificate")
        << QStringLiteral("ca.pem") << QStringLiteral("cert.pem") << QStringLiteral("key.pem")
        << true;
    QTest::newRow("client certificate from another CA")
        << QStringLiteral("ca.pem") << QStringLiteral("rogue-cert.pem")
        << QStringLiteral("rogue-key.pem") << false;
    QTest::newRow("no client certificate")
        << QStringLiteral("ca.pem") << QString() << QString() << false;
    QTest::newRow("server not signed by the CA we trust")
        << QStringLiteral("rogue-ca.pem") << QStringLiteral("cert.pem") << QStringLiteral("key.pem")
        << false;
}

void tst_DockerHostConnectorLive::tlsWithClientCertificates()
{
    QFETCH(QString, ca);
    QFETCH(QString, cert);
    QFETCH(QString, key);
    QFETCH(bool, accepted);
    const QString dir = m_harness.tlsDir(3);
    OPSDECK_REQUIRE_SERVER(!dir.isEmpty(),
                           QStringLiteral("host3 with TLS (dockerd.sh up DIR 3 --tls 3)"));
    auto path = [&dir](const QString &name) {
        return name.isEmpty() ? QString() : dir + QLatin1Char('/') + name;
    };
    DockerHostConfig host{
        QStringLiteral("secure"), m_harness.tcpUrl(3), {path(ca), path(cert), path(key), true}, {}};
    auto estate = makeEstate({host});
    EnvironmentStore *store = estate->stores().first();
    estate->start();
    if (!accepted) {
        QTRY_COMPARE_WITH_TIMEOUT(
            store->host(QStringLiteral("secure"))->state, SourceState::Unreachable, 10000);
        qInfo("refused as expected: %s", qPrintable(store->host(QStringLiteral("secure"))->error));
        QVERIFY(!store->host(QStringLiteral("secure"))->error.isEmpty());
        QCOMPARE(store->containerCount(), 0);
        return;
    }
    QVERIFY(waitConnected(store, QStringLiteral("secure")));
    m_harness.docker(3, {QStringLiteral("rm"), QStringLiteral("-f"), QStringLiteral("tls-probe")});
    QVERIFY(!m_harness
                 .docker(3,
                         {QStringLiteral("run"),
                          QStringLiteral("-d"),
                          QStringLiteral("--name"),
                          QStringLiteral("tls-probe"),
                          QStringLiteral("--network"),
                          QStringLiteral("none"),
                          QStringLiteral("opsdeck-test/busybox:1"),
                          QStringLiteral("sleep"),
                          QStringLiteral("100000")})
                 .isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(
        byName(store, QStringLiteral("secure"), QStringLiteral("tls-probe"))
            && byName(store, QStringLiteral("secure"), QStringLiteral("tls-probe"))->state
                   == ContainerState::Running,
        5000);
    m_harness.docker(3, {QStringLiteral("rm"), QStringLiteral("-f"), QStringLiteral("tls-probe")});
}

QTEST_GUILESS_MAIN(tst_DockerHostConnectorLive)
#include "tst_dockerhostconnector_live.moc"
