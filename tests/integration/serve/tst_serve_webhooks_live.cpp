// SPDX-License-Identifier: MIT
// Alerts out, end to end: opsdeck-serve watches a real Docker engine (the dockerd fixture), a
// container falls into a crash loop under `restart: always` and then recovers, and a webhook
// receiver in this test sees exactly one firing and one resolved message for it, in the generic
// JSON body and in the Slack-compatible one.
#include "tests/integration/serve/serveprocess.h"
#include "tests/integration/serve/webhookreceiver.h"
#include "tests/support/testsupport.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace Opsdeck::Tests;

class tst_ServeWebhooksLive : public QObject
{
    Q_OBJECT

private slots:
    void crashLoopFiresOnceAndResolvesOnce();
};

void tst_ServeWebhooksLive::crashLoopFiresOnceAndResolvesOnce()
{
    DockerdHarness dockerd;
    OPSDECK_REQUIRE_SERVER(dockerd.isAvailable(), QStringLiteral("dockerd fixture (hosts.env)"));
    WebhookReceiver receiver;
    QVERIFY(receiver.isListening());

    QTemporaryDir dir;
    const QString config = dir.filePath(QStringLiteral("environments.yaml"));
    QFile yaml(config);
    QVERIFY(yaml.open(QIODevice::WriteOnly));
    // A crash loop is 3 unrequested exits within a minute; it clears once the container stayed
    // up 4 s; the board holds an end for 1 s in case it comes back; the JSON hook has a cooldown
    // of 2 s (the resolve waits for it), the Slack one none.
    yaml.write(QStringLiteral("version: 1\n"
                              "settings:\n"
                              "  crash_loop: {restarts: 3, window: 1m, clear_after: 4s}\n"
                              "  alerts:\n"
                              "    clear_hold: 1s\n"
                              "    webhooks:\n"
                              "      - {name: ops, url: \"%1\", format: json, cooldown: 2s, "
                              "min_severity: critical}\n"
                              "      - {name: chat, url: \"%2\", format: slack, cooldown: 0s}\n"
                              "environments:\n"
                              "  - name: Live\n"
                              "    docker:\n"
                              "      hosts: [\"%3\"]\n")
                   .arg(receiver.url(QStringLiteral("/json")),
                        receiver.url(QStringLiteral("/slack")),
                        dockerd.unixUrl(1))
                   .toUtf8());
    yaml.close();

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_STATE_HOME"), dir.path());
    ServeProcess serve;
    serve.start(QStringLiteral(OPSDECK_SERVE_BINARY),
                {QStringLiteral("--config"),
                 config,
                 QStringLiteral("--listen"),
                 QStringLiteral("127.0.0.1:0")},
                env);
    ServeLogLine listening;
    QVERIFY2(serve.waitForMessage(QStringLiteral("listening"), &listening),
             qPrintable(serve.lines().join(QLatin1Char('\n'))));
    QCOMPARE(listening.fields.value(QStringLiteral("webhooks")), QStringLiteral("ops,chat"));
    QTest::qWait(1500); // connected and listed before the container exists

    // Exits 1 four times (Docker restarts it after 0.1, 0.2, 0.4, 0.8 s), then stays up: the
    // count lives in the container's own filesystem, which survives its restarts.
    const QString name = QStringLiteral("crashy-%1").arg(QCoreApplication::applicationPid());
    dockerd.docker(1, {QStringLiteral("rm"), QStringLiteral("-f"), name});
    const QString id = dockerd.docker(
        1,
        {QStringLiteral("run"),
         QStringLiteral("-d"),
         QStringLiteral("--name"),
         name,
         QStringLiteral("--network"),
         QStringLiteral("none"),
         QStringLiteral("--restart"),
         QStringLiteral("always"),
         QStringLiteral("opsdeck-test/busybox:1"),
         QStringLiteral("sh"),
         QStringLiteral("-c"),
         QStringLiteral("n=$(cat /count 2>/dev/null || echo 0); n=$((n+1)); echo $n > /count; "
                        "[ $n -ge 5 ] && exec sleep 3600; exit 1")});
    QVERIFY2(!id.isEmpty(), "docker run failed");

    const auto ofContainer = [&](const QByteArray &path) {
        QList<WebhookReceiver::Request> out;
        for (const WebhookReceiver::Request &r : receiver.requests()) {
            if (r.path == path && r.body.contains(name.toUtf8()))
                out << r;
        }
        return out;
    };
    const auto statuses = [&](const QByteArray &path) {
        QStringList out;
        for (const WebhookReceiver::Request &r : ofContainer(path))
            out << r.json().value(QStringLiteral("status")).toString();
        return out;
    };
    QTRY_COMPARE_WITH_TIMEOUT(statuses("/json"), QStringList{QStringLiteral("firing")}, 30000);
    const QJsonObject firing = ofContainer("/json").first().json();
    const QJsonObject alert = firing.value(QStringLiteral("alert")).toObject();
    QCOMPARE(alert.value(QStringLiteral("environment")).toString(), QStringLiteral("Live"));
    QCOMPARE(alert.value(QStringLiteral("severity")).toString(), QStringLiteral("critical"));
    QVERIFY2(alert.value(QStringLiteral("key"))
                 .toString()
                 .startsWith(QLatin1String("docker/crash-loop/")),
             qPrintable(alert.value(QStringLiteral("key")).toString()));
    QVERIFY(alert.value(QStringLiteral("subject")).toString().startsWith(name));
    QCOMPARE(ofContainer("/json").first().headers.value("content-type"),
             QByteArray("application/json"));

    // It recovers: stays up 4 s, the flag clears, the end is held 1 s, then sent once.
    QTRY_COMPARE_WITH_TIMEOUT(statuses("/json"),
                              QStringList({QStringLiteral("firing"), QStringLiteral("resolved")}),
                              40000);
    QTRY_COMPARE_WITH_TIMEOUT(statuses("/slack").size(), 2, 10000);
    const QJsonObject resolved = ofContainer("/json").last().json();
    QVERIFY(
        !resolved.value(QStringLiteral("alert")).toObject().value(QStringLiteral("end")).isNull());
    const QJsonObject slackFiring = ofContainer("/slack").first().json();
    QVERIFY2(slackFiring.contains(QStringLiteral("attachments"))
                 || slackFiring.contains(QStringLiteral("text")),
             ofContainer("/slack").first().body.constData());

    // Nothing more follows: no flapping while it keeps running.
    QTest::qWait(6000);
    QCOMPARE(statuses("/json"),
             QStringList({QStringLiteral("firing"), QStringLiteral("resolved")}));
    QCOMPARE(ofContainer("/slack").size(), 2);

    dockerd.docker(1, {QStringLiteral("rm"), QStringLiteral("-f"), name});
    QCOMPARE(serve.terminate(), 0);
    const QString log = serve.lines().join(QLatin1Char('\n'));
    QVERIFY2(log.contains(QLatin1String("msg=\"webhook sent\"")), qPrintable(log));
    QVERIFY2(log.contains(QLatin1String("msg=\"alert raised\"")), qPrintable(log));
}

QTEST_GUILESS_MAIN(tst_ServeWebhooksLive)
#include "tst_serve_webhooks_live.moc"
