// SPDX-License-Identifier: MIT
// Rolling updates and restarts (issue 7) against three real Docker engines started by
// tests/integration/dockerd.sh: a service of one busybox httpd per engine (host network, its
// own port on 127.0.0.1, a Docker health check), probed over HTTP throughout every rollout.
#include "app/rolloutcontroller.h"
#include "app/rolloutlock.h"
#include "tests/support/testsupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Opsdeck;
using namespace Opsdeck::Models;

namespace {

/// Counts, every 100 ms, the instances that answer over HTTP, and which image version answers.
class ServiceSampler : public QObject
{
public:
    ServiceSampler(QList<int> ports, QObject *parent = nullptr)
        : QObject(parent)
        , m_ports(std::move(ports))
    {
        connect(&m_timer, &QTimer::timeout, this, &ServiceSampler::sample);
        m_timer.start(100);
    }

    int samples = 0;
    int fewest = INT_MAX;
    QMap<int, QByteArray> lastAnswer; ///< by port: the image version served

private:
    void sample()
    {
        if (m_pending > 0)
            return;
        m_pending = int(m_ports.size());
        auto serving = std::make_shared<int>(0);
        for (int port : m_ports) {
            Connectors::HttpEndpoint e;
            e.baseUrl = "http://127.0.0.1:" + QByteArray::number(port);
            Connectors::HttpRequest r;
            r.path = "/etc/opsdeck-image-version";
            r.timeoutMs = 1000;
            r.connectTimeoutMs = 500;
            Connectors::HttpReply *reply = m_http.send(e, r);
            connect(reply, &Connectors::HttpReply::finished, this, [this, reply, port, serving] {
                reply->deleteLater();
                if (reply->ok()) {
                    ++*serving;
                    lastAnswer[port] = reply->body().trimmed();
                }
                if (--m_pending == 0) {
                    ++samples;
                    fewest = std::min(fewest, *serving);
                }
            });
        }
    }

    QList<int> m_ports;
    Connectors::HttpClient m_http;
    QTimer m_timer;
    int m_pending = 0;
};

QList<QJsonObject> auditLines(const QString &path)
{
    QList<QJsonObject> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (!line.trimmed().isEmpty())
            out << QJsonDocument::fromJson(line).object();
    return out;
}

} // namespace

class tst_DockerRolloutLive : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void goodRolloutNeverBelowMinimumHealthy();
    void rollingRestartKeepsTheImage();
    void dryRunChangesNothing();
    void imageThatExitsIsRolledBack();
    void imageNeverHealthyIsRolledBack();
    void abortMidwayRestoresEverything();
    void engineKilledMidRolloutLosesNothing();
    void oneRolloutPerServiceAndEnvironment();
    void probeCanaryGoAheadPauseResume();
    void cliRolloutAndInterruptedReport();

private:
    OpsdeckConfig config() const;
    /// Creates the service: one container per engine, healthy, serving its own port.
    void createService(const QString &image = QStringLiteral("opsdeck-test/busybox:1"),
                       bool healthCheck = true);
    QString inspect(int host, const QString &name, const QString &format) const;
    bool waitServing(int timeoutMs = 20000);
    RolloutProgress run(App::RolloutController &controller,
                        const DockerRolloutRequest &request,
                        const std::function<void(const RolloutProgress &)> &onProgress = {},
                        int timeoutMs = 120000);
    DockerRolloutRequest request(const QString &image) const;
    void importVariant(const QString &tag, const QString &change, bool dropVersionFile);

    Tests::DockerdHarness m_harness;
    QTemporaryDir m_state;
    QString m_service;
    QList<int> m_ports;
    QStringList m_oldIds;
    int m_round = 0;
};

void tst_DockerRolloutLive::initTestCase()
{
    OPSDECK_REQUIRE_SERVER(m_harness.isAvailable() && m_harness.hostCount() >= 3,
                           QStringLiteral("three Docker engines (tests/integration/dockerd.sh)"));
    QVERIFY(m_state.isValid());
    qputenv("OPSDECK_STATE_DIR", m_state.filePath(QStringLiteral("state")).toUtf8());
    qputenv("OPSDECK_AUDIT_LOG", m_state.filePath(QStringLiteral("audit.log")).toUtf8());
    // Bad images, made from the good one: one whose process exits at once, one whose health
    // check never passes (the file it fetches is not there).
    importVariant(QStringLiteral("opsdeck-test/busybox:exits"),
                  QStringLiteral("ENTRYPOINT [\"false\"]"),
                  false);
    importVariant(
        QStringLiteral("opsdeck-test/busybox:unhealthy"), QStringLiteral("CMD [\"sh\"]"), true);
}

void tst_DockerRolloutLive::importVariant(const QString &tag,
                                          const QString &change,
                                          bool dropVersionFile)
{
    QString tar = m_harness.stateDir() + QStringLiteral("/busybox-rootfs-2.tar");
    if (dropVersionFile) {
        const QString copy = m_state.filePath(QStringLiteral("unhealthy.tar"));
        QFile::remove(copy);
        QVERIFY(QFile::copy(tar, copy));
        QProcess tarProcess;
        tarProcess.start(QStringLiteral("tar"),
                         {QStringLiteral("--delete"),
                          QStringLiteral("-f"),
                          copy,
                          QStringLiteral("./etc/opsdeck-image-version")});
        QVERIFY(tarProcess.waitForFinished(30000));
        QCOMPARE(tarProcess.exitCode(), 0);
        tar = copy;
    }
    for (int k = 1; k <= 3; ++k) {
        m_harness.docker(k, {QStringLiteral("rmi"), QStringLiteral("-f"), tag});
        QVERIFY2(
            !m_harness
                 .docker(k,
                         {QStringLiteral("import"), QStringLiteral("--change"), change, tar, tag})
                 .isEmpty(),
            qPrintable(QStringLiteral("import %1 on host%2").arg(tag).arg(k)));
    }
}

OpsdeckConfig tst_DockerRolloutLive::config() const
{
    OpsdeckConfig c;
    EnvironmentConfig env;
    env.name = QStringLiteral("Staging");
    for (int k = 1; k <= 3; ++k) {
        DockerHostConfig h;
        h.name = QStringLiteral("host%1").arg(k);
        h.url = m_harness.unixUrl(k);
        if (k == 1)
            h.tags << QStringLiteral("canary");
        env.dockerHosts << h;
    }
    c.environments << env;
    return c;
}

void tst_DockerRolloutLive::init()
{
    ++m_round;
    m_service = QStringLiteral("ro%1").arg(m_round);
    m_ports.clear();
    m_oldIds.clear();
}

void tst_DockerRolloutLive::cleanup()
{
    // Every container of this round, whatever name the rollout left it under.
    for (int k = 1; k <= 3; ++k) {
        const QString ids =
            m_harness.docker(k,
                             {QStringLiteral("ps"),
                              QStringLiteral("-aq"),
                              QStringLiteral("--filter"),
                              QStringLiteral("label=com.example.service=%1").arg(m_service)});
        if (!ids.isEmpty())
            m_harness.docker(k,
                             QStringList{QStringLiteral("rm"), QStringLiteral("-f")}
                                 + ids.split(QLatin1Char('\n')));
    }
}

void tst_DockerRolloutLive::createService(const QString &image, bool healthCheck)
{
    for (int k = 1; k <= 3; ++k) {
        const int port = Tests::freeTcpPort();
        QVERIFY(port > 0);
        m_ports << port;
        const QString url =
            QStringLiteral("http://127.0.0.1:%1/etc/opsdeck-image-version").arg(port);
        QStringList args{QStringLiteral("run"),
                         QStringLiteral("-d"),
                         QStringLiteral("--name"),
                         QStringLiteral("%1-%2").arg(m_service).arg(k),
                         QStringLiteral("--network"),
                         QStringLiteral("host"),
                         QStringLiteral("--label"),
                         QStringLiteral("com.example.service=%1").arg(m_service),
                         QStringLiteral("--label"),
                         QStringLiteral("test.port=%1").arg(port),
                         QStringLiteral("--restart"),
                         QStringLiteral("on-failure:3"),
                         QStringLiteral("--stop-timeout"),
                         QStringLiteral("1"),
                         QStringLiteral("-e"),
                         QStringLiteral("PORT=%1").arg(port),
                         QStringLiteral("-v"),
                         m_state.path() + QStringLiteral(":/host-data:ro")};
        if (healthCheck)
            args << QStringLiteral("--health-cmd")
                 << QStringLiteral("wget -q -O /dev/null %1 || exit 1").arg(url)
                 << QStringLiteral("--health-interval") << QStringLiteral("500ms")
                 << QStringLiteral("--health-retries") << QStringLiteral("2");
        args << image << QStringLiteral("httpd") << QStringLiteral("-f") << QStringLiteral("-p")
             << QStringLiteral("127.0.0.1:%1").arg(port) << QStringLiteral("-h")
             << QStringLiteral("/");
        const QString id = m_harness.docker(k, args);
        QVERIFY2(!id.isEmpty(), "docker run");
        m_oldIds << id;
    }
    QVERIFY2(waitServing(healthCheck ? 20000 : 0), "the service did not become healthy");
}

QString tst_DockerRolloutLive::inspect(int host, const QString &name, const QString &format) const
{
    return m_harness.docker(host, {QStringLiteral("inspect"), QStringLiteral("-f"), format, name});
}

bool tst_DockerRolloutLive::waitServing(int timeoutMs)
{
    if (timeoutMs == 0) { // no health check: every instance answers
        QTest::qWait(500);
        for (int port : std::as_const(m_ports)) {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, quint16(port));
            if (!socket.waitForConnected(2000))
                return false;
        }
        return true;
    }
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        int healthy = 0;
        for (int k = 1; k <= 3; ++k)
            healthy += inspect(k,
                               QStringLiteral("%1-%2").arg(m_service).arg(k),
                               QStringLiteral("{{.State.Health.Status}}"))
                       == QLatin1String("healthy");
        if (healthy == 3)
            return true;
        QTest::qWait(200);
    }
    return false;
}

DockerRolloutRequest tst_DockerRolloutLive::request(const QString &image) const
{
    DockerRolloutRequest r;
    r.environment = QStringLiteral("Staging");
    r.selector.service = m_service;
    r.selector.label = QStringLiteral("com.example.service");
    r.image = image;
    r.batchSize = 1;
    r.minHealthy = 2;
    r.healthTimeoutMs = 15000;
    return r;
}

RolloutProgress
tst_DockerRolloutLive::run(App::RolloutController &controller,
                           const DockerRolloutRequest &request,
                           const std::function<void(const RolloutProgress &)> &onProgress,
                           int timeoutMs)
{
    QSignalSpy planned(&controller, &App::RolloutController::planned);
    controller.planDocker(QStringLiteral("t"), request);
    if (!planned.wait(20000) || !planned.first().at(1).toBool()) {
        qWarning() << "plan failed:"
                   << (planned.isEmpty() ? QString() : planned.first().at(2).toString());
        return {};
    }
    RolloutProgress last;
    bool done = false;
    QMetaObject::Connection c1 = connect(
        &controller, &App::RolloutController::progressChanged, this, [&](const RolloutProgress &p) {
            last = p;
            if (onProgress)
                onProgress(p);
        });
    QMetaObject::Connection c2 = connect(
        &controller, &App::RolloutController::finished, this, [&](const RolloutProgress &p) {
            last = p;
            done = true;
        });
    QString why;
    if (!controller.startPlanned(QStringLiteral("t"), &why)) {
        qWarning() << "start refused:" << why;
        disconnect(c1);
        disconnect(c2);
        return {};
    }
    QElapsedTimer t;
    t.start();
    while (!done && t.elapsed() < timeoutMs)
        QTest::qWait(50);
    disconnect(c1);
    disconnect(c2);
    if (!done)
        qWarning() << "rollout did not finish in time";
    return last;
}

void tst_DockerRolloutLive::goodRolloutNeverBelowMinimumHealthy()
{
    createService();
    Connectors::HttpClient http;
    App::RolloutController controller(config(), &http);
    // Inspecting only every minute: each new instance's health is known from the engine's
    // health_status event, or the rollout would not finish within the 15 s health timeout.
    Connectors::DockerRolloutTimings timings;
    timings.pollMs = 60000;
    timings.eventFallbackMs = 60000;
    controller.setTimings(timings);
    ServiceSampler sampler(m_ports);
    const RolloutProgress p = run(controller, request(QStringLiteral("opsdeck-test/busybox:2")));
    QCOMPARE(nameOf(p.phase), nameOf(RolloutPhase::Succeeded));
    QCOMPARE(p.doneCount(), 3);
    QTest::qWait(300);
    QVERIFY2(sampler.samples > 50, qPrintable(QString::number(sampler.samples)));
    QVERIFY2(sampler.fewest >= 2,
             qPrintable(QStringLiteral("fewest serving: %1").arg(sampler.fewest)));
    for (int k = 1; k <= 3; ++k) {
        const QString name = QStringLiteral("%1-%2").arg(m_service).arg(k);
        QCOMPARE(inspect(k, name, QStringLiteral("{{.Config.Image}}")),
                 QStringLiteral("opsdeck-test/busybox:2"));
        // The same configuration: env, labels, mounts, restart policy, health check, network.
        QVERIFY(inspect(k, name, QStringLiteral("{{json .Config.Env}}"))
                    .contains(QStringLiteral("PORT=%1").arg(m_ports.at(k - 1))));
        QCOMPARE(inspect(k, name, QStringLiteral("{{index .Config.Labels \"test.port\"}}")),
                 QString::number(m_ports.at(k - 1)));
        QCOMPARE(inspect(k,
                         name,
                         QStringLiteral("{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig."
                                        "RestartPolicy.MaximumRetryCount}}")),
                 QStringLiteral("on-failure:3"));
        QCOMPARE(inspect(k, name, QStringLiteral("{{.HostConfig.NetworkMode}}")),
                 QStringLiteral("host"));
        QVERIFY(inspect(k, name, QStringLiteral("{{json .Config.Healthcheck.Test}}"))
                    .contains(QStringLiteral("wget")));
        QVERIFY(inspect(k, name, QStringLiteral("{{range .Mounts}}{{.Destination}} {{end}}"))
                    .contains(QStringLiteral("/host-data")));
        QCOMPARE(sampler.lastAnswer.value(m_ports.at(k - 1)), QByteArray("2"));
        // Old containers are removed once every instance is healthy; nothing else is left.
        QCOMPARE(m_harness
                     .docker(k,
                             {QStringLiteral("ps"),
                              QStringLiteral("-aq"),
                              QStringLiteral("--filter"),
                              QStringLiteral("label=com.example.service=%1").arg(m_service)})
                     .split(QLatin1Char('\n'))
                     .size(),
                 1);
        QVERIFY(m_harness.docker(k, {QStringLiteral("inspect"), m_oldIds.at(k - 1)}).isEmpty());
    }
    const auto audit = auditLines(qEnvironmentVariable("OPSDECK_AUDIT_LOG"));
    QVERIFY(audit.size() >= 2);
    QCOMPARE(audit.at(audit.size() - 2).value(QStringLiteral("outcome")).toString(),
             QStringLiteral("started"));
    QCOMPARE(audit.last().value(QStringLiteral("outcome")).toString(), QStringLiteral("ok"));
    QCOMPARE(audit.last().value(QStringLiteral("target")).toString(), m_service);
    QCOMPARE(audit.last().value(QStringLiteral("action")).toString(),
             QStringLiteral("docker.rollout"));
    QVERIFY(App::RolloutLock::interrupted().isEmpty());
}

void tst_DockerRolloutLive::rollingRestartKeepsTheImage()
{
    createService();
    Connectors::HttpClient http;
    App::RolloutController controller(config(), &http);
    DockerRolloutRequest r = request({});
    r.batchSize = 2;
    r.hostTag = QStringLiteral("canary"); // only host1 carries the tag
    // One instance on the tagged hosts: a minimum of 1 cannot hold, and the plan says so.
    r.minHealthy = 1;
    QSignalSpy refused(&controller, &App::RolloutController::planned);
    controller.planDocker(QStringLiteral("r"), r);
    QVERIFY(refused.wait(20000));
    QVERIFY(!refused.first().at(1).toBool());
    QVERIFY(refused.first().at(2).toString().contains(QStringLiteral("minimum healthy count 1")));
    r.minHealthy = 0;
    const RolloutProgress p = run(controller, r);
    QCOMPARE(nameOf(p.phase), nameOf(RolloutPhase::Succeeded));
    QCOMPARE(p.instances.size(), 1);
    QCOMPARE(p.instances.first().host, QStringLiteral("host1"));
    const QString name1 = QStringLiteral("%1-1").arg(m_service);
    QCOMPARE(inspect(1, name1, QStringLiteral("{{.Config.Image}}")),
             QStringLiteral("opsdeck-test/busybox:1"));
    QVERIFY(inspect(1, name1, QStringLiteral("{{.Id}}")) != m_oldIds.at(0));
    // host2 and host3 were not targeted: untouched.
    QCOMPARE(inspect(2, QStringLiteral("%1-2").arg(m_service), QStringLiteral("{{.Id}}")),
             m_oldIds.at(1));
    QCOMPARE(auditLines(qEnvironmentVariable("OPSDECK_AUDIT_LOG"))
                 .last()
                 .value(QStringLiteral("action"))
                 .toString(),
             QStringLiteral("docker.rolling-restart"));
}

void tst_DockerRolloutLive::dryRunChangesNothing()
{
    createService();
    Connectors::HttpClient http;
    App::RolloutController controller(config(), &http);
    QSignalSpy planned(&controller, &App::RolloutController::planned);
    DockerRolloutRequest r = request(QStringLiteral("opsdeck-test/busybox:2"));
    r.batchSize = 2; // would leave 1 serving, below the minimum of 2
    controller.planDocker(QStringLiteral("x"), r);
    QVERIFY(planned.wait(20000));
    QVERIFY(planned.first().at(2).toString().contains(QStringLiteral("batch 1")));
    // The plan keeps the minimum by itself: batches of one serving instance only.
    QCOMPARE(controller.plan(QStringLiteral("x"))->batches.size(), 3);
    planned.clear();
    controller.planDocker(QStringLiteral("y"),
                          request(QStringLiteral("opsdeck-test/busybox:nope")));
    QVERIFY(planned.wait(20000));
    QVERIFY(!planned.first().at(1).toBool());
    QVERIFY2(planned.first().at(2).toString().contains(QStringLiteral("is not there")),
             qPrintable(planned.first().at(2).toString()));
    for (int k = 1; k <= 3; ++k)
        QCOMPARE(
            inspect(k, QStringLiteral("%1-%2").arg(m_service).arg(k), QStringLiteral("{{.Id}}")),
            m_oldIds.at(k - 1));
}

void tst_DockerRolloutLive::imageThatExitsIsRolledBack()
{
    createService();
    Connectors::HttpClient http;
    App::RolloutController controller(config(), &http);
    ServiceSampler sampler(m_ports);
    const RolloutProgress p =
        run(controller, request(QStringLiteral("opsdeck-test/busybox:exits")));
    QCOMPARE(nameOf(p.phase), nameOf(RolloutPhase::RolledBack));
    QVERIFY2(p.summary.contains(QStringLiteral("exited"))
                 || p.summary.contains(QStringLiteral("restarted")),
             qPrintable(p.summary));
    QTest::qWait(300);
    QVERIFY2(sampler.fewest >= 2,
             qPrintable(QStringLiteral("fewest serving: %1").arg(sampler.fewest)));
    for (int k = 1; k <= 3; ++k) {
        const QString name = QStringLiteral("%1-%2").arg(m_service).arg(k);
        QCOMPARE(inspect(k, name, QStringLiteral("{{.Id}}")), m_oldIds.at(k - 1));
        QCOMPARE(inspect(k, name, QStringLiteral("{{.State.Status}}")), QStringLiteral("running"));
    }
    QVERIFY(waitServing());
    // Each old container has its own restart policy back (it was "no" while kept stopped).
    for (int k = 1; k <= 3; ++k)
        QCOMPARE(inspect(k,
                         m_oldIds.at(k - 1),
                         QStringLiteral("{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig."
                                        "RestartPolicy.MaximumRetryCount}}")),
                 QStringLiteral("on-failure:3"));
    // The failed replacement is kept, stopped, for its logs.
    QVERIFY(!inspect(1,
                     keptFailedName(QStringLiteral("%1-1").arg(m_service), p.id),
                     QStringLiteral("{{.Id}}"))
                 .isEmpty());
    QCOMPARE(auditLines(qEnvironmentVariable("OPSDECK_AUDIT_LOG"))
                 .last()
                 .value(QStringLiteral("outcome"))
                 .toString(),
             QStringLiteral("rolled-back"));
}

void tst_DockerRolloutLive::imageNeverHealthyIsRolledBack()
{
    createService();
    Connectors::HttpClient http;
    App::RolloutController controller(config(), &http);
    ServiceSampler sampler(m_ports);
    DockerRolloutRequest r = request(QStringLiteral("opsdeck-test/busybox:unhealthy"));
    r.healthTimeoutMs = 20000;
    const RolloutProgress p = run(controller, r);
    QCOMPARE(nameOf(p.phase), nameOf(RolloutPhase::RolledBack));
    QVERIFY2(p.summary.contains(QStringLiteral("health")), qPrintable(p.summary));
    QTest::qWait(300);
    QVERIFY2(sampler.fewest >= 2,
             qPrintable(QStringLiteral("fewest serving: %1").arg(sampler.fewest)));
    for (int k = 1; k <= 3; ++k)
        QCOMPARE(
            inspect(k, QStringLiteral("%1-%2").arg(m_service).arg(k), QStringLiteral("{{.Id}}")),
            m_oldIds.at(k - 1));
    QVERIFY(waitServing());
    for (int port : m_ports)
        QCOMPARE(sampler.lastAnswer.value(port), QByteArray("1"));
}

void tst_DockerRolloutLive::abortMidwayRestoresEverything()
{
    createService();
    Connectors::HttpClient http;
    App::RolloutController controller(config(), &http);
    bool aborted = false;
    const RolloutProgress p =
        run(controller,
            request(QStringLiteral("opsdeck-test/busybox:2")),
            [&](const RolloutProgress &progress) {
                // The first instance is done, the second is on its way: abort.
                if (!aborted && progress.doneCount() == 1
                    && progress.instances.at(1).step == RolloutStep::WaitingHealthy) {
                    aborted = true;
                    controller.abort(progress.id);
                }
            });
    QVERIFY(aborted);
    QCOMPARE(nameOf(p.phase), nameOf(RolloutPhase::Aborted));
    for (int k = 1; k <= 3; ++k) {
        const QString name = QStringLiteral("%1-%2").arg(m_service).arg(k);
        QCOMPARE(inspect(k, name, QStringLiteral("{{.Id}}")), m_oldIds.at(k - 1));
        QCOMPARE(inspect(k, name, QStringLiteral("{{.Config.Image}}")),
                 QStringLiteral("opsdeck-test/busybox:1"));
    }
    QCOMPARE(p.instances.at(2).step, RolloutStep::Pending); // never touched
    QVERIFY(waitServing());
    const auto audit = auditLines(qEnvironmentVariable("OPSDECK_AUDIT_LOG"));
    QCOMPARE(audit.last().value(QStringLiteral("outcome")).toString(), QStringLiteral("aborted"));
    QCOMPARE(audit.at(audit.size() - 2).value(QStringLiteral("action")).toString(),
             QStringLiteral("docker.rollout.abort"));
}

void tst_DockerRolloutLive::engineKilledMidRolloutLosesNothing()
{
    createService();
    Connectors::HttpClient http;
    App::RolloutController controller(config(), &http);
    Connectors::DockerRolloutTimings timings;
    timings.requestTimeoutMs = 3000;
    timings.connectTimeoutMs = 1000;
    controller.setTimings(timings);
    bool killed = false;
    const RolloutProgress p =
        run(controller,
            request(QStringLiteral("opsdeck-test/busybox:2")),
            [&](const RolloutProgress &progress) {
                if (!killed && progress.instances.at(1).step == RolloutStep::WaitingHealthy) {
                    killed = true;
                    QVERIFY(m_harness.run({QStringLiteral("kill"), QStringLiteral("2")}));
                }
            });
    QVERIFY(killed);
    QCOMPARE(nameOf(p.phase), nameOf(RolloutPhase::Failed));
    // host1: restored; host2: could not be restored, and says what is where; host3: untouched.
    QCOMPARE(p.instances.at(0).step, RolloutStep::RolledBack);
    QCOMPARE(p.instances.at(1).step, RolloutStep::Failed);
    QVERIFY2(p.instances.at(1).message.contains(
                 keptOldName(QStringLiteral("%1-2").arg(m_service), p.id)),
             qPrintable(p.instances.at(1).message));
    QCOMPARE(p.instances.at(2).step, RolloutStep::Pending);
    QCOMPARE(inspect(1, QStringLiteral("%1-1").arg(m_service), QStringLiteral("{{.Id}}")),
             m_oldIds.at(0));
    QCOMPARE(inspect(3, QStringLiteral("%1-3").arg(m_service), QStringLiteral("{{.Id}}")),
             m_oldIds.at(2));
    // The engine comes back: the old container is there, under its kept name, and so is the new.
    QVERIFY(m_harness.run({QStringLiteral("start"), QStringLiteral("2")}));
    QCOMPARE(inspect(2, m_oldIds.at(1), QStringLiteral("{{.Name}}")),
             QLatin1Char('/') + keptOldName(QStringLiteral("%1-2").arg(m_service), p.id));
    // Kept stopped with restart policy "no": the engine's restart did not start it again.
    QCOMPARE(inspect(2,
                     m_oldIds.at(1),
                     QStringLiteral("{{.HostConfig.RestartPolicy.Name}} {{.State.Status}}")),
             QStringLiteral("no exited"));
    QCOMPARE(inspect(2, QStringLiteral("%1-2").arg(m_service), QStringLiteral("{{.Id}}")),
             p.instances.at(1).newId);
    QCOMPARE(auditLines(qEnvironmentVariable("OPSDECK_AUDIT_LOG"))
                 .last()
                 .value(QStringLiteral("outcome"))
                 .toString(),
             QStringLiteral("failed"));
}

void tst_DockerRolloutLive::oneRolloutPerServiceAndEnvironment()
{
    createService();
    Connectors::HttpClient http;
    App::RolloutController controller(config(), &http);
    {
        App::RolloutLock other(QStringLiteral("Staging"), m_service);
        QVERIFY(other
                    .acquire({{QStringLiteral("id"), QStringLiteral("other")},
                              {QStringLiteral("user"), QStringLiteral("alice")}})
                    .ok());
        QSignalSpy planned(&controller, &App::RolloutController::planned);
        controller.planDocker(QStringLiteral("t"),
                              request(QStringLiteral("opsdeck-test/busybox:2")));
        QVERIFY(planned.wait(20000));
        QString why;
        QVERIFY(!controller.startPlanned(QStringLiteral("t"), &why));
        QVERIFY2(why.contains(QStringLiteral("already running"))
                     && why.contains(QStringLiteral("alice")),
                 qPrintable(why));
        QCOMPARE(auditLines(qEnvironmentVariable("OPSDECK_AUDIT_LOG"))
                     .last()
                     .value(QStringLiteral("outcome"))
                     .toString(),
                 QStringLiteral("refused"));
        // The holder goes away without releasing (as a crashed process would): interrupted.
    }
    const auto interrupted = controller.interrupted();
    QCOMPARE(interrupted.size(), 1);
    QCOMPARE(interrupted.first().service, m_service);
    QVERIFY(interrupted.first().description.contains(QStringLiteral("alice")));
    QSignalSpy planned(&controller, &App::RolloutController::planned);
    controller.planDocker(QStringLiteral("u"), request(QStringLiteral("opsdeck-test/busybox:2")));
    QVERIFY(planned.wait(20000));
    QString why;
    QVERIFY(!controller.startPlanned(QStringLiteral("u"), &why));
    QVERIFY2(why.contains(QStringLiteral("interrupted")), qPrintable(why));
    QVERIFY(controller.clearInterrupted(QStringLiteral("Staging"), m_service));
    QVERIFY(controller.interrupted().isEmpty());
    // Another service is not held up by this one.
    for (int k = 1; k <= 3; ++k)
        QCOMPARE(
            inspect(k, QStringLiteral("%1-%2").arg(m_service).arg(k), QStringLiteral("{{.Id}}")),
            m_oldIds.at(k - 1));
}

void tst_DockerRolloutLive::cliRolloutAndInterruptedReport()
{
    createService();
    QTemporaryDir dir;
    const QString configPath = dir.filePath(QStringLiteral("environments.yaml"));
    QFile file(configPath);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QStringLiteral("environments:\n"
                              "  - name: Production\n"
                              "    production: true\n"
                              "    docker:\n"
                              "      hosts:\n"
                              "        - {name: host1, url: \"%1\"}\n"
                              "        - {name: host2, url: \"%2\"}\n"
                              "        - {name: host3, url: \"%3\"}\n")
                   .arg(m_harness.unixUrl(1), m_harness.unixUrl(2), m_harness.unixUrl(3))
                   .toUtf8());
    file.close();
    const QStringList base{QStringLiteral("rollout"),
                           QStringLiteral("Production"),
                           m_service,
                           QStringLiteral("--config"),
                           configPath,
                           QStringLiteral("--image"),
                           QStringLiteral("opsdeck-test/busybox:2"),
                           QStringLiteral("--min-healthy"),
                           QStringLiteral("2"),
                           QStringLiteral("--health-timeout"),
                           QStringLiteral("15s")};

    // Dry run: the plan, nothing changed.
    QProcess dry;
    dry.start(QStringLiteral(OPSDECK_BINARY), base + QStringList{QStringLiteral("--dry-run")});
    QVERIFY(dry.waitForFinished(30000));
    QCOMPARE(dry.exitCode(), 0);
    QVERIFY(dry.readAllStandardOutput().contains("batch 3"));

    // Production without the typed name: refused, nothing changed.
    QProcess refused;
    refused.start(QStringLiteral(OPSDECK_BINARY), base);
    refused.closeWriteChannel();
    QVERIFY(refused.waitForFinished(30000));
    QCOMPARE(refused.exitCode(), 3);
    for (int k = 1; k <= 3; ++k)
        QCOMPARE(
            inspect(k, QStringLiteral("%1-%2").arg(m_service).arg(k), QStringLiteral("{{.Id}}")),
            m_oldIds.at(k - 1));

    // The console is killed mid-rollout: the next rollout reports it as interrupted.
    QProcess victim;
    victim.start(QStringLiteral(OPSDECK_BINARY), base);
    victim.write("Production\n");
    victim.closeWriteChannel();
    QElapsedTimer t;
    t.start();
    QByteArray out;
    while (!out.contains("batch 2 of 3") && t.elapsed() < 60000) {
        victim.waitForReadyRead(200);
        out += victim.readAllStandardOutput();
    }
    QVERIFY2(out.contains("batch 2 of 3"), out.constData());
    victim.kill();
    QVERIFY(victim.waitForFinished(10000));
    QProcess next;
    next.start(QStringLiteral(OPSDECK_BINARY),
               base + QStringList{QStringLiteral("--yes-i-mean-Production")});
    QVERIFY(next.waitForFinished(30000));
    QCOMPARE(next.exitCode(), 3);
    const QByteArray err = next.readAllStandardError();
    QVERIFY2(err.contains("interrupted"), err.constData());

    // Nothing of the interrupted rollout was deleted: every original container is still there.
    for (int k = 1; k <= 3; ++k)
        QVERIFY(!inspect(k, m_oldIds.at(k - 1), QStringLiteral("{{.Id}}")).isEmpty());
    // Cleared after a look, the next rollout runs to the end (over what the interrupted one left).
    QProcess clear;
    clear.start(QStringLiteral(OPSDECK_BINARY),
                {QStringLiteral("rollout"),
                 QStringLiteral("Production"),
                 m_service,
                 QStringLiteral("--config"),
                 configPath,
                 QStringLiteral("--clear-interrupted")});
    QVERIFY(clear.waitForFinished(30000));
    QCOMPARE(clear.exitCode(), 0);
    QProcess good;
    // What the killed rollout left may serve one fewer (an instance kept under its old name):
    // a minimum of 1 lets the rest go on, one at a time.
    QStringList goodArgs = base;
    goodArgs[goodArgs.indexOf(QStringLiteral("--min-healthy")) + 1] = QStringLiteral("1");
    good.start(QStringLiteral(OPSDECK_BINARY),
               goodArgs + QStringList{QStringLiteral("--yes-i-mean-Production")});
    QVERIFY(good.waitForFinished(120000));
    const QByteArray goodOut = good.readAllStandardOutput() + good.readAllStandardError();
    QVERIFY2(good.exitCode() == 0, goodOut.constData());
    QVERIFY2(goodOut.contains("succeeded"), goodOut.constData());
    // Containers the interrupted rollout kept are left for a person: still there.
    QVERIFY(!inspect(1, m_oldIds.at(0), QStringLiteral("{{.Id}}")).isEmpty());
}

void tst_DockerRolloutLive::probeCanaryGoAheadPauseResume()
{
    // No Docker health check: the HTTP probe decides, per instance, on its own port.
    createService(QStringLiteral("opsdeck-test/busybox:1"), false);
    Connectors::HttpClient http;
    App::RolloutController controller(config(), &http);
    DockerRolloutRequest r = request(QStringLiteral("opsdeck-test/busybox:2"));
    r.probe = ProbeSpec::parse(
                  QStringLiteral("http://{host}:{label:test.port}/etc/opsdeck-image-version"))
                  .value();
    r.canary = true; // and no soak: a person's go-ahead
    bool wentAhead = false;
    bool paused = false;
    bool resumed = false;
    int doneWhileWaiting = -1;
    const RolloutProgress p = run(controller, r, [&](const RolloutProgress &progress) {
        if (progress.phase == RolloutPhase::WaitingGoAhead && !wentAhead) {
            wentAhead = true;
            doneWhileWaiting = progress.doneCount();
            QTimer::singleShot(
                700, &controller, [&controller, id = progress.id] { controller.goAhead(id); });
        }
        if (wentAhead && !paused && progress.doneCount() == 2) {
            paused = true;
            controller.pause(progress.id);
        }
        if (progress.phase == RolloutPhase::Paused && !resumed) {
            resumed = true;
            QCOMPARE(progress.instances.at(2).step, RolloutStep::Pending);
            QTimer::singleShot(
                700, &controller, [&controller, id = progress.id] { controller.resume(id); });
        }
    });
    QVERIFY(wentAhead);
    QCOMPARE(doneWhileWaiting, 1); // the canary alone
    QVERIFY(resumed);
    QCOMPARE(nameOf(p.phase), nameOf(RolloutPhase::Succeeded));
    QVERIFY2(p.instances.at(0).message.contains(QStringLiteral("probe")),
             qPrintable(p.instances.at(0).message));
    for (int k = 1; k <= 3; ++k)
        QCOMPARE(inspect(k,
                         QStringLiteral("%1-%2").arg(m_service).arg(k),
                         QStringLiteral("{{.Config.Image}}")),
                 QStringLiteral("opsdeck-test/busybox:2"));
}

QTEST_GUILESS_MAIN(tst_DockerRolloutLive)
#include "tst_dockerrollout_live.moc"
