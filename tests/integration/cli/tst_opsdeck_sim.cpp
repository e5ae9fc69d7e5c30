// SPDX-License-Identifier: MIT
// opsdeck-sim and `opsdeck --demo` as a person or a script runs them: the endpoints line, the
// files it writes, the standard docker client against a simulated host, a clean SIGTERM, and
// usage errors. Also `opsdeck status` on the estate, which must see the planted crash loop.
#include "tests/support/testsupport.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace {

QProcessEnvironment headless()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    env.remove(QStringLiteral("DOCKER_HOST"));
    return env;
}

} // namespace

class tst_OpsdeckSim : public QObject
{
    Q_OBJECT

private slots:
    void servesPrintsAndStopsOnSigterm();
    void usageErrors_data();
    void usageErrors();
#ifdef OPSDECK_BINARY // the desktop binary exists only when the GUI is built
    void demoWithoutDisplayFallsBackToStatus();
#endif
};

void tst_OpsdeckSim::servesPrintsAndStopsOnSigterm()
{
    QTemporaryDir dir;
    const QString endpointsFile = dir.filePath(QStringLiteral("endpoints.json"));
    const QString configFile = dir.filePath(QStringLiteral("environments.yaml"));
    QProcess sim;
    sim.setProcessEnvironment(headless());
    sim.start(QStringLiteral(OPSDECK_SIM_BINARY),
              {QStringLiteral("--seed"),
               QStringLiteral("7"),
               QStringLiteral("--time-scale"),
               QStringLiteral("5"),
               QStringLiteral("--endpoints-file"),
               endpointsFile,
               QStringLiteral("--write-config"),
               configFile});
    QVERIFY(sim.waitForStarted(5000));
    QDeadlineTimer deadline(30000);
    while (!sim.canReadLine() && !deadline.hasExpired() && sim.state() == QProcess::Running)
        sim.waitForReadyRead(500);
    QVERIFY2(sim.canReadLine(), sim.readAllStandardError().constData());
    const QByteArray line = sim.readLine().trimmed();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(line, &parseError);
    QVERIFY2(doc.isObject(), qPrintable(parseError.errorString()));
    const QJsonArray envs = doc.object().value(QStringLiteral("environments")).toArray();
    QCOMPARE(envs.size(), 3);

    QFile endpoints(endpointsFile);
    QVERIFY(endpoints.open(QIODevice::ReadOnly));
    QCOMPARE(endpoints.readAll().trimmed(), line);
    QFile config(configFile);
    QVERIFY(config.open(QIODevice::ReadOnly));
    const QByteArray yaml = config.readAll();
    QVERIFY(yaml.contains("name: Production"));
    QVERIFY(yaml.contains("production: true"));

    // The standard docker client lists the containers of a simulated host.
    const QString firstHost = envs.at(2)
                                  .toObject()
                                  .value(QStringLiteral("docker"))
                                  .toArray()
                                  .first()
                                  .toObject()
                                  .value(QStringLiteral("url"))
                                  .toString();
    if (QFile::exists(QStringLiteral("/usr/bin/docker"))) {
        QProcess docker;
        QProcessEnvironment env = headless();
        env.insert(QStringLiteral("DOCKER_HOST"), firstHost);
        env.insert(QStringLiteral("DOCKER_CONFIG"), dir.filePath(QStringLiteral("docker-config")));
        docker.setProcessEnvironment(env);
        docker.start(
            QStringLiteral("/usr/bin/docker"),
            {QStringLiteral("ps"), QStringLiteral("--format"), QStringLiteral("{{.Names}}")});
        QVERIFY(docker.waitForFinished(20000));
        QCOMPARE(docker.exitCode(), 0);
        const QString names = QString::fromUtf8(docker.readAllStandardOutput());
        QVERIFY2(names.contains(QLatin1String("postgres-orders")), qPrintable(names));
        QVERIFY2(names.contains(QLatin1String("mesos-")), qPrintable(names));
    } else {
        OPSDECK_REQUIRE_SERVER(false,
                               QStringLiteral("the docker client (/usr/bin/docker, docker.io)"));
    }

#ifdef OPSDECK_BINARY
    // opsdeck status on the written file sees the crash loop in Production: exit 1.
    QProcess status;
    status.setProcessEnvironment(headless());
    status.start(QStringLiteral(OPSDECK_BINARY),
                 {QStringLiteral("status"),
                  QStringLiteral("--config"),
                  configFile,
                  QStringLiteral("--env"),
                  QStringLiteral("Production")});
    QVERIFY(status.waitForFinished(60000));
    const QString out = QString::fromUtf8(status.readAllStandardOutput());
    QCOMPARE(status.exitCode(), 1);
    QVERIFY2(out.contains(QLatin1String("ledger-sync")), qPrintable(out));

    // Staging as JSON: Marathon's apps and the deployment that does not finish, Mesos agents.
    QProcess json;
    json.setProcessEnvironment(headless());
    json.start(QStringLiteral(OPSDECK_BINARY),
               {QStringLiteral("status"),
                QStringLiteral("--json"),
                QStringLiteral("--config"),
                configFile,
                QStringLiteral("--env"),
                QStringLiteral("Staging")});
    QVERIFY(json.waitForFinished(60000));
    const QJsonObject staging = QJsonDocument::fromJson(json.readAllStandardOutput())
                                    .object()
                                    .value(QStringLiteral("environments"))
                                    .toArray()
                                    .first()
                                    .toObject();
    const QJsonObject marathon = staging.value(QStringLiteral("marathon")).toObject();
    QCOMPARE(marathon.value(QStringLiteral("state")).toString(), QStringLiteral("connected"));
    QCOMPARE(marathon.value(QStringLiteral("apps")).toArray().size(), 12);
    const QJsonArray deployments = marathon.value(QStringLiteral("deployments")).toArray();
    QCOMPARE(deployments.size(), 1);
    QCOMPARE(deployments.first()
                 .toObject()
                 .value(QStringLiteral("affectedApps"))
                 .toArray()
                 .first()
                 .toString(),
             QStringLiteral("/shop/orders"));
    const QJsonObject mesos = staging.value(QStringLiteral("mesos")).toObject();
    QCOMPARE(mesos.value(QStringLiteral("agents")).toArray().size(), 3);
#endif

    ::kill(pid_t(sim.processId()), SIGTERM);
    QVERIFY(sim.waitForFinished(15000));
    QCOMPARE(sim.exitStatus(), QProcess::NormalExit);
    QCOMPARE(sim.exitCode(), 0);
    QVERIFY(sim.readAllStandardError().contains("stopped"));
}

void tst_OpsdeckSim::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("port base text")
        << QStringList{QStringLiteral("--port-base"), QStringLiteral("abc")}
        << QStringLiteral("--port-base: expected a port");
    QTest::newRow("port base low")
        << QStringList{QStringLiteral("--port-base"), QStringLiteral("80")}
        << QStringLiteral("--port-base: expected a port");
    QTest::newRow("time scale zero")
        << QStringList{QStringLiteral("--time-scale"), QStringLiteral("0")}
        << QStringLiteral("--time-scale: expected a number");
    QTest::newRow("seed negative") << QStringList{QStringLiteral("--seed"), QStringLiteral("-3")}
                                   << QStringLiteral("--seed: expected");
    QTest::newRow("extra argument")
        << QStringList{QStringLiteral("serve")} << QStringLiteral("unexpected arguments: serve");
}

void tst_OpsdeckSim::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QProcess sim;
    sim.setProcessEnvironment(headless());
    sim.start(QStringLiteral(OPSDECK_SIM_BINARY), args);
    QVERIFY(sim.waitForFinished(10000));
    QCOMPARE(sim.exitCode(), 2);
    const QString err = QString::fromUtf8(sim.readAllStandardError());
    QVERIFY2(err.contains(message), qPrintable(err));
    QVERIFY(sim.readAllStandardOutput().isEmpty());
}

#ifdef OPSDECK_BINARY
void tst_OpsdeckSim::demoWithoutDisplayFallsBackToStatus()
{
    QProcess demo;
    demo.setProcessEnvironment(headless());
    demo.start(QStringLiteral(OPSDECK_BINARY), {QStringLiteral("--demo")});
    QVERIFY(demo.waitForFinished(90000));
    const QString err = QString::fromUtf8(demo.readAllStandardError());
    const QString out = QString::fromUtf8(demo.readAllStandardOutput());
    QVERIFY2(err.contains(QLatin1String("no display")), qPrintable(err));
    // Status of all three environments; the crash loop makes it exit 1.
    QVERIFY2(out.contains(QLatin1String("Integration")) && out.contains(QLatin1String("Staging"))
                 && out.contains(QLatin1String("Production")),
             qPrintable(out));
    QVERIFY2(out.contains(QLatin1String("Marathon")) && out.contains(QLatin1String("/shop/orders"))
                 && out.contains(QLatin1String("Mesos")),
             qPrintable(out));
    QCOMPARE(demo.exitCode(), 1);
}
#endif

QTEST_GUILESS_MAIN(tst_OpsdeckSim)
#include "tst_opsdeck_sim.moc"
