// SPDX-License-Identifier: MIT
// The opsdeck executable as a person or a script runs it: exit codes, messages, JSON.
#include "tests/support/testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using Opsdeck::Tests::writeFile;

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run runOpsdeck(const QStringList &args, bool withDisplay = false)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    env.remove(QStringLiteral("DOCKER_HOST"));
    if (withDisplay)
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(OPSDECK_BINARY), args);
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

} // namespace

class tst_OpsdeckCli : public QObject
{
    Q_OBJECT

private slots:
    void versionAndHelp();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();
    void badConfigNamesThePlaceAndExitsTwo();
    void noDisplaySaysSoAndFallsBackToStatus();
    void statusOnRealEngines();
};

void tst_OpsdeckCli::versionAndHelp()
{
    const Run v = runOpsdeck({QStringLiteral("--version")});
    QCOMPARE(v.exitCode, 0);
    QCOMPARE(v.out.trimmed(), QStringLiteral("opsdeck " OPSDECK_VERSION));
    const Run h = runOpsdeck({QStringLiteral("--help")});
    QCOMPARE(h.exitCode, 0);
    QVERIFY(h.out.contains(QStringLiteral("status")));
    QVERIFY(h.out.contains(QStringLiteral("--config")));
}

void tst_OpsdeckCli::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown command")
        << QStringList{QStringLiteral("stauts")}
        << QStringLiteral("opsdeck: unknown command 'stauts' (try --help)");
    QTest::newRow("unknown option")
        << QStringList{QStringLiteral("status"), QStringLiteral("--jsno")}
        << QStringLiteral("opsdeck: Unknown option 'jsno'.");
    QTest::newRow("missing config file")
        << QStringList{QStringLiteral("status"),
                       QStringLiteral("--config"),
                       QStringLiteral("/nonexistent/e.yaml")}
        << QStringLiteral("opsdeck: /nonexistent/e.yaml: cannot read the environments file: No "
                          "such file or directory");
}

void tst_OpsdeckCli::usageErrorsExitTwo()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Run r = runOpsdeck(args);
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(r.err.trimmed(), message);
    QVERIFY(r.out.isEmpty());
}

void tst_OpsdeckCli::badConfigNamesThePlaceAndExitsTwo()
{
    QTemporaryDir dir;
    const QString path = writeFile(
        dir, QStringLiteral("e.yaml"), "environments:\n  - name: x\n    producton: true\n");
    for (bool display : {false, true}) {
        const Run r = runOpsdeck({QStringLiteral("--config"), path}, display);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(
            r.err.contains(
                path + QStringLiteral(":3:5: environments[0].producton: unknown key 'producton'")),
            qPrintable(r.err));
    }
    const Run unknownEnv =
        runOpsdeck({QStringLiteral("status"),
                    QStringLiteral("--config"),
                    writeFile(dir, QStringLiteral("ok.yaml"), "environments:\n  - name: x\n"),
                    QStringLiteral("--env"),
                    QStringLiteral("nope")});
    QCOMPARE(unknownEnv.exitCode, 2);
    QVERIFY(unknownEnv.err.contains(QStringLiteral("no environment named 'nope' (known: x)")));
}

void tst_OpsdeckCli::noDisplaySaysSoAndFallsBackToStatus()
{
    QTemporaryDir dir;
    const QString path =
        writeFile(dir,
                  QStringLiteral("e.yaml"),
                  QStringLiteral("environments:\n  - name: Lab\n    docker:\n      hosts:\n        "
                                 "- url: tcp://127.0.0.1:%1\n          name: nobody\n")
                      .arg(Opsdeck::Tests::freeTcpPort())
                      .toUtf8());
    const Run r = runOpsdeck({QStringLiteral("--config"), path});
    const QStringList errLines = r.err.trimmed().split(QLatin1Char('\n'));
    QVERIFY2(errLines.first().startsWith(QStringLiteral("opsdeck: no display")), qPrintable(r.err));
    QVERIFY(errLines.first().contains(QStringLiteral("opsdeck status")));
    QVERIFY2(r.out.contains(QStringLiteral("nobody"))
                 && r.out.contains(QStringLiteral("unreachable")),
             qPrintable(r.out));
    QCOMPARE(r.exitCode, 1); // a host is unreachable
}

void tst_OpsdeckCli::statusOnRealEngines()
{
    Opsdeck::Tests::DockerdHarness harness;
    OPSDECK_REQUIRE_SERVER(harness.isAvailable(),
                           QStringLiteral("dockerd hosts from tests/integration/dockerd.sh"));
    // The scenario's containers (web2 on host2, the crash loop on host1), made here when this
    // test runs alone and not after tst_dockerhostconnector_live.
    if (harness
            .docker(2,
                    {QStringLiteral("ps"),
                     QStringLiteral("-q"),
                     QStringLiteral("--filter"),
                     QStringLiteral("name=^/web2$")})
            .isEmpty()) {
        QString output;
        QVERIFY2(harness.run({QStringLiteral("scenario")}, 180000, &output), qPrintable(output));
    }
    QTemporaryDir dir;
    const QString path = writeFile(
        dir,
        QStringLiteral("e.yaml"),
        QStringLiteral(
            "environments:\n"
            "  - name: Staging\n    docker:\n      hosts:\n        - url: %1\n          name: s1\n"
            "  - name: Production\n    production: true\n    docker:\n      hosts:\n        - url: "
            "%2\n          name: p1\n")
            .arg(harness.tcpUrl(2), harness.unixUrl(1))
            .toUtf8());
    // Staging holds one healthy service: all fine.
    const Run staging = runOpsdeck({QStringLiteral("status"),
                                    QStringLiteral("--config"),
                                    path,
                                    QStringLiteral("--env"),
                                    QStringLiteral("Staging")});
    QCOMPARE(staging.exitCode, 0);
    QVERIFY(staging.out.contains(QStringLiteral("web2")));

    // Production holds the crash loop: exit 1, and the JSON says why.
    const Run prod = runOpsdeck(
        {QStringLiteral("status"), QStringLiteral("--config"), path, QStringLiteral("--json")});
    QCOMPARE(prod.exitCode, 1);
    const QJsonDocument doc = QJsonDocument::fromJson(prod.out.toUtf8());
    QVERIFY2(doc.isObject(), qPrintable(prod.out.left(300)));
    const QJsonArray envs = doc.object().value(QStringLiteral("environments")).toArray();
    QCOMPARE(envs.size(), 2);
    const QJsonObject production = envs.at(1).toObject();
    QCOMPARE(production.value(QStringLiteral("production")).toBool(), true);
    QCOMPARE(production.value(QStringLiteral("hosts"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("state"))
                 .toString(),
             QStringLiteral("connected"));
    bool sawCrashLoop = false;
    for (const auto &v : production.value(QStringLiteral("containers")).toArray()) {
        const QJsonObject c = v.toObject();
        QVERIFY2(!QJsonDocument(c).toJson().contains("hunter2"), "secrets never reach the output");
        if (c.value(QStringLiteral("name")).toString() != QLatin1String("crashloop"))
            continue;
        for (const auto &f : c.value(QStringLiteral("flags")).toArray())
            sawCrashLoop |= f.toObject().value(QStringLiteral("flag")).toString()
                            == QLatin1String("crash-loop");
    }
    QVERIFY(sawCrashLoop);
    QCOMPARE(doc.object()
                 .value(QStringLiteral("summary"))
                 .toObject()
                 .value(QStringLiteral("unreachableHosts"))
                 .toInt(),
             0);
}

QTEST_GUILESS_MAIN(tst_OpsdeckCli)
#include "tst_opsdeck_cli.moc"
