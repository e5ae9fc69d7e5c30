// SPDX-License-Identifier: MIT
// Alerts sent out (issue 6): webhook bodies, headers, retry with backoff, cooldown per alert
// key (controlled clock), minimum severity, order per key, secrets kept out of errors.
#include "connectors/http/httpclient.h"
#include "connectors/webhook/webhookmessage.h"
#include "connectors/webhook/webhooknotifier.h"
#include "models/alertboard.h"
#include "tests/integration/serve/webhookreceiver.h"
#include "tests/support/testsupport.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace Opsdeck;
using namespace Opsdeck::Connectors;
using Models::Alert;
using Models::AlertRecord;
using Models::WebhookConfig;

Q_DECLARE_METATYPE(Opsdeck::Connectors::WebhookEvent)

namespace {

constexpr qint64 kMinute = 60 * 1000;
const QString kKey = QStringLiteral("docker/host1/ledger-sync/crash-loop");

AlertRecord record(const QString &key = kKey,
                   Alert::Severity severity = Alert::Severity::Critical,
                   bool ended = false)
{
    AlertRecord r;
    r.id = 7;
    r.alert.key = key;
    r.alert.environment = QStringLiteral("Production");
    r.alert.source = QStringLiteral("docker");
    r.alert.subject = QStringLiteral("ledger-sync");
    r.alert.message = QStringLiteral("crash loop: 5 restarts in 10 min");
    r.alert.severity = severity;
    r.start = QDateTime(QDate(2026, 11, 25), QTime(18, 0, 0), Qt::UTC);
    if (ended)
        r.end = r.start.addSecs(754);
    return r;
}

WebhookConfig hook(const QString &url,
                   qint64 cooldownMs = 0,
                   WebhookConfig::Format format = WebhookConfig::Format::Json)
{
    WebhookConfig w;
    w.name = QStringLiteral("ops");
    w.url = url;
    w.format = format;
    w.cooldownMs = cooldownMs;
    w.timeoutMs = 3000;
    return w;
}

WebhookRetryPolicy fastRetry(int attempts = 4)
{
    WebhookRetryPolicy p;
    p.maxAttempts = attempts;
    p.initialBackoffMs = 10;
    p.maxBackoffMs = 40;
    return p;
}

QStringList statuses(const Tests::WebhookReceiver &receiver)
{
    QStringList out;
    for (const auto &r : receiver.requests())
        out << r.json().value(QLatin1String("status")).toString();
    return out;
}

} // namespace

class tst_ServeWebhooks : public QObject
{
    Q_OBJECT

private slots:

    void initTestCase() { qRegisterMetaType<WebhookEvent>(); }

    void jsonBody();
    void slackBody_data();
    void slackBody();
    void headers_data();
    void headers();
    void target_data();
    void target();
    void backoffIsCapped();

    void postsWithHeadersAndContentType();
    void retriesServerErrorsThenSucceeds();
    void retriesNetworkErrors();
    void neverRetriesClientErrors();
    void givesUpAfterBoundedAttempts();
    void messagesOfOneKeyStayInOrder();
    void errorsNeverShowTheUrlPath();
    void missingVariablesAreConfigurationErrors();

    void cooldownHoldsTheResolveAndSwallowsAFlap();
    void resolveAfterTheCooldownIsSentAtOnce();
    void minimumSeverity();
    void followsAnAlertBoard();
};

void tst_ServeWebhooks::jsonBody()
{
    const QJsonObject firing =
        QJsonDocument::fromJson(
            webhookJsonBody(record(), WebhookEvent::Firing, QStringLiteral("1.2.3")))
            .object();
    QCOMPARE(firing.value(QLatin1String("status")).toString(), QStringLiteral("firing"));
    const QJsonObject a = firing.value(QLatin1String("alert")).toObject();
    QCOMPARE(a.value(QLatin1String("key")).toString(),
             QStringLiteral("docker/host1/ledger-sync/crash-loop"));
    QCOMPARE(a.value(QLatin1String("environment")).toString(), QStringLiteral("Production"));
    QCOMPARE(a.value(QLatin1String("source")).toString(), QStringLiteral("docker"));
    QCOMPARE(a.value(QLatin1String("subject")).toString(), QStringLiteral("ledger-sync"));
    QCOMPARE(a.value(QLatin1String("message")).toString(),
             QStringLiteral("crash loop: 5 restarts in 10 min"));
    QCOMPARE(a.value(QLatin1String("severity")).toString(), QStringLiteral("critical"));
    QCOMPARE(a.value(QLatin1String("start")).toString(),
             QStringLiteral("2026-11-25T18:00:00.000Z"));
    QVERIFY(a.value(QLatin1String("end")).isNull());
    QCOMPARE(firing.value(QLatin1String("opsdeck")).toObject().value(QLatin1String("version")),
             QJsonValue(QStringLiteral("1.2.3")));
    QCOMPARE(a.keys().size(), 8);
    QCOMPARE(firing.keys().size(), 3);

    const QJsonObject resolved =
        QJsonDocument::fromJson(webhookJsonBody(record(kKey, Alert::Severity::Warning, true),
                                                WebhookEvent::Resolved,
                                                {}))
            .object();
    QCOMPARE(resolved.value(QLatin1String("status")).toString(), QStringLiteral("resolved"));
    const QJsonObject b = resolved.value(QLatin1String("alert")).toObject();
    QCOMPARE(b.value(QLatin1String("severity")).toString(), QStringLiteral("warning"));
    QCOMPARE(b.value(QLatin1String("end")).toString(), QStringLiteral("2026-11-25T18:12:34.000Z"));
}

void tst_ServeWebhooks::slackBody_data()
{
    QTest::addColumn<int>("severity");
    QTest::addColumn<bool>("resolved");
    QTest::addColumn<QString>("colour");
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("fields");
    QTest::addColumn<qint64>("ts");
    const qint64 start = record().start.toSecsSinceEpoch();
    QTest::newRow("critical firing")
        << int(Alert::Severity::Critical) << false << QStringLiteral("danger")
        << QStringLiteral("[FIRING] Production: ledger-sync") << 4 << start;
    QTest::newRow("warning firing")
        << int(Alert::Severity::Warning) << false << QStringLiteral("warning")
        << QStringLiteral("[FIRING] Production: ledger-sync") << 4 << start;
    QTest::newRow("resolved, with how long it lasted")
        << int(Alert::Severity::Critical) << true << QStringLiteral("good")
        << QStringLiteral("[RESOLVED] Production: ledger-sync") << 5 << start + 754;
}

void tst_ServeWebhooks::slackBody()
{
    QFETCH(int, severity);
    QFETCH(bool, resolved);
    const AlertRecord r = record(kKey, Alert::Severity(severity), resolved);
    const QJsonObject body = QJsonDocument::fromJson(webhookBody(WebhookConfig::Format::Slack,
                                                                 r,
                                                                 resolved ? WebhookEvent::Resolved
                                                                          : WebhookEvent::Firing,
                                                                 QStringLiteral("1.2.3")))
                                 .object();
    QTEST(body.value(QLatin1String("text")).toString(), "text");
    const QJsonArray attachments = body.value(QLatin1String("attachments")).toArray();
    QCOMPARE(attachments.size(), 1);
    const QJsonObject a = attachments.first().toObject();
    QTEST(a.value(QLatin1String("color")).toString(), "colour");
    QCOMPARE(a.value(QLatin1String("text")).toString(), r.alert.message);
    QVERIFY(a.value(QLatin1String("title")).toString().contains(r.alert.key));
    QTEST(int(a.value(QLatin1String("fields")).toArray().size()), "fields");
    QTEST(qint64(a.value(QLatin1String("ts")).toInteger()), "ts");
    for (const auto &f : a.value(QLatin1String("fields")).toArray()) {
        QVERIFY(!f.toObject().value(QLatin1String("title")).toString().isEmpty());
        QVERIFY(f.toObject().value(QLatin1String("value")).isString());
    }
    if (resolved)
        QCOMPARE(a.value(QLatin1String("fields"))
                     .toArray()
                     .last()
                     .toObject()
                     .value(QLatin1String("value")),
                 QJsonValue(QStringLiteral("12m 34s")));
}

void tst_ServeWebhooks::headers_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("count");
    QTest::addColumn<QString>("error");
    QTest::newRow("one") << QStringLiteral("Authorization: Bearer s3cret") << 1 << QString();
    QTest::newRow("comments, blanks, CRLF")
        << QStringLiteral("# for the pager\r\n\r\nAuthorization: Bearer s3cret\r\nX-Team: ops\n")
        << 2 << QString();
    QTest::newRow("empty") << QString() << 0 << QString();
    QTest::newRow("no colon names the line")
        << QStringLiteral("X-Ok: 1\nAuthorization Bearer s3cret") << 0 << QStringLiteral("line 2");
    QTest::newRow("bad name") << QStringLiteral("X Team: ops") << 0 << QStringLiteral("line 1");
}

void tst_ServeWebhooks::headers()
{
    QFETCH(QString, text);
    QFETCH(int, count);
    QFETCH(QString, error);
    const auto parsed = parseWebhookHeaders(text);
    if (!error.isEmpty()) {
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().contains(error), qPrintable(parsed.error()));
        QVERIFY(!parsed.error().contains(QLatin1String("s3cret")));
        return;
    }
    QVERIFY(parsed.ok());
    QCOMPARE(parsed.value().size(), count);
    if (count > 0) {
        const HttpHeader &auth = parsed.value().first().first == "Authorization"
                                     ? parsed.value().first()
                                     : parsed.value().last();
        QCOMPARE(auth.second, QByteArray("Bearer s3cret"));
    }
}

void tst_ServeWebhooks::target_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QByteArray>("base");
    QTest::addColumn<QByteArray>("path");
    QTest::newRow("path and query")
        << QStringLiteral("https://hooks.example.internal/services/T1/B2/x?channel=ops")
        << QByteArray("https://hooks.example.internal")
        << QByteArray("/services/T1/B2/x?channel=ops");
    QTest::newRow("port, no path") << QStringLiteral("http://127.0.0.1:9000")
                                   << QByteArray("http://127.0.0.1:9000") << QByteArray("/");
    QTest::newRow("not http") << QStringLiteral("ftp://hooks.example.internal/x") << QByteArray()
                              << QByteArray();
}

void tst_ServeWebhooks::target()
{
    QFETCH(QString, url);
    const WebhookTarget t = webhookTarget(url);
    QTEST(t.endpoint.baseUrl, "base");
    QTEST(t.path, "path");
}

void tst_ServeWebhooks::backoffIsCapped()
{
    WebhookRetryPolicy p;
    p.initialBackoffMs = 100;
    p.maxBackoffMs = 1000;
    QList<qint64> delays;
    for (int n = 1; n <= 7; ++n)
        delays << p.backoffMs(n);
    QCOMPARE(delays, (QList<qint64>{100, 200, 400, 800, 1000, 1000, 1000}));
    QCOMPARE(p.backoffMs(1000), 1000); // no overflow on a long outage
}

void tst_ServeWebhooks::postsWithHeadersAndContentType()
{
    Tests::WebhookReceiver receiver;
    QVERIFY(receiver.isListening());
    qputenv("OPSDECK_TEST_WEBHOOK_HEADERS", "Authorization: Bearer s3cret\nX-Team: ops");
    WebhookConfig w = hook(receiver.url(QStringLiteral("/hooks/a?x=1")));
    w.headersEnv = QStringLiteral("OPSDECK_TEST_WEBHOOK_HEADERS");
    HttpClient http;
    WebhookNotifier notifier({w}, &http);
    QVERIFY(notifier.configurationErrors().isEmpty());
    QSignalSpy sent(&notifier, &WebhookNotifier::sent);
    notifier.alertRaised(record());
    QTRY_COMPARE(sent.size(), 1);
    QCOMPARE(receiver.count(), 1);
    const auto r = receiver.requests().first();
    QCOMPARE(r.method, QByteArray("POST"));
    QCOMPARE(r.path, QByteArray("/hooks/a?x=1"));
    QCOMPARE(r.headers.value("content-type"), QByteArray("application/json"));
    QCOMPARE(r.headers.value("authorization"), QByteArray("Bearer s3cret"));
    QCOMPARE(r.headers.value("x-team"), QByteArray("ops"));
    QCOMPARE(r.json().value(QLatin1String("status")).toString(), QStringLiteral("firing"));
    QCOMPARE(sent.first().at(0).toString(), QStringLiteral("ops"));
    QCOMPARE(sent.first().at(4).toInt(), 1);
    QCOMPARE(notifier.pendingCount(), 0);
    qunsetenv("OPSDECK_TEST_WEBHOOK_HEADERS");
}

void tst_ServeWebhooks::retriesServerErrorsThenSucceeds()
{
    Tests::WebhookReceiver receiver;
    receiver.script({503, 502, 200});
    HttpClient http;
    WebhookNotifier notifier({hook(receiver.url())}, &http);
    notifier.setRetryPolicy(fastRetry());
    QSignalSpy sent(&notifier, &WebhookNotifier::sent);
    QSignalSpy retrying(&notifier, &WebhookNotifier::retrying);
    QSignalSpy failed(&notifier, &WebhookNotifier::failed);
    notifier.alertRaised(record());
    QTRY_COMPARE(sent.size(), 1);
    QCOMPARE(sent.first().at(4).toInt(), 3);
    QCOMPARE(receiver.count(), 3);
    QCOMPARE(retrying.size(), 2);
    QCOMPARE(retrying.at(0).at(3).toLongLong(), 10); // backoff doubles
    QCOMPARE(retrying.at(1).at(3).toLongLong(), 20);
    QCOMPARE(failed.size(), 0);
}

void tst_ServeWebhooks::retriesNetworkErrors()
{
    Tests::WebhookReceiver receiver;
    receiver.script({0, 200}); // the first connection closes without an answer
    HttpClient http;
    WebhookNotifier notifier({hook(receiver.url())}, &http);
    notifier.setRetryPolicy(fastRetry());
    QSignalSpy sent(&notifier, &WebhookNotifier::sent);
    notifier.alertRaised(record());
    QTRY_COMPARE(sent.size(), 1);
    QCOMPARE(sent.first().at(4).toInt(), 2);
    QCOMPARE(receiver.count(), 2);
}

void tst_ServeWebhooks::neverRetriesClientErrors()
{
    Tests::WebhookReceiver receiver;
    receiver.script({400, 200});
    HttpClient http;
    WebhookNotifier notifier({hook(receiver.url())}, &http);
    notifier.setRetryPolicy(fastRetry());
    QSignalSpy failed(&notifier, &WebhookNotifier::failed);
    notifier.alertRaised(record());
    QTRY_COMPARE(failed.size(), 1);
    QCOMPARE(failed.first().at(4).toInt(), 1);
    QCOMPARE(failed.first().at(5).toString(), QStringLiteral("HTTP 400"));
    QTest::qWait(150); // several backoffs' worth: nothing more arrives
    QCOMPARE(receiver.count(), 1);
    QCOMPARE(notifier.pendingCount(), 0);
}

void tst_ServeWebhooks::givesUpAfterBoundedAttempts()
{
    Tests::WebhookReceiver receiver;
    receiver.script({500, 500, 500, 500, 500, 500});
    HttpClient http;
    WebhookNotifier notifier({hook(receiver.url())}, &http);
    notifier.setRetryPolicy(fastRetry(3));
    QSignalSpy failed(&notifier, &WebhookNotifier::failed);
    notifier.alertRaised(record());
    QTRY_COMPARE(failed.size(), 1);
    QCOMPARE(failed.first().at(4).toInt(), 3);
    QTest::qWait(150);
    QCOMPARE(receiver.count(), 3);
    QCOMPARE(notifier.pendingCount(), 0);
}

void tst_ServeWebhooks::messagesOfOneKeyStayInOrder()
{
    Tests::WebhookReceiver receiver;
    receiver.script({503, 200, 200, 200});
    HttpClient http;
    WebhookNotifier notifier({hook(receiver.url())}, &http);
    notifier.setRetryPolicy(fastRetry());
    QSignalSpy sent(&notifier, &WebhookNotifier::sent);
    notifier.alertRaised(record());
    notifier.alertResolved(record(kKey, Alert::Severity::Critical, true));
    QCOMPARE(notifier.pendingCount(), 2);
    QTRY_COMPARE(sent.size(), 2);
    // The resolve waited for its firing's retry.
    QCOMPARE(statuses(receiver),
             (QStringList{
                 QStringLiteral("firing"), QStringLiteral("firing"), QStringLiteral("resolved")}));
}

void tst_ServeWebhooks::errorsNeverShowTheUrlPath()
{
    // Nothing listens there: a transport error whose text would name the request.
    const int port = Tests::freeTcpPort();
    HttpClient http;
    WebhookNotifier notifier(
        {hook(QStringLiteral("http://127.0.0.1:%1/services/T0/B0/s3cretpath?token=s3cretquery")
                  .arg(port))},
        &http);
    notifier.setRetryPolicy(fastRetry(2));
    QSignalSpy failed(&notifier, &WebhookNotifier::failed);
    notifier.alertRaised(record());
    QTRY_COMPARE(failed.size(), 1);
    const QString error = failed.first().at(5).toString();
    QVERIFY(!error.isEmpty());
    QVERIFY2(!error.contains(QLatin1String("s3cret")), qPrintable(error));
}

void tst_ServeWebhooks::missingVariablesAreConfigurationErrors()
{
    qunsetenv("OPSDECK_TEST_UNSET_URL");
    qputenv("OPSDECK_TEST_BAD_HEADERS", "Authorization Bearer s3cret");
    WebhookConfig a = hook({});
    a.urlEnv = QStringLiteral("OPSDECK_TEST_UNSET_URL");
    WebhookConfig b = hook(QStringLiteral("http://127.0.0.1:1/x"));
    b.name = QStringLiteral("second");
    b.headersEnv = QStringLiteral("OPSDECK_TEST_BAD_HEADERS");
    WebhookConfig c = hook(QStringLiteral("http://127.0.0.1:1/x"));
    c.name = QStringLiteral("third");
    HttpClient http;
    WebhookNotifier notifier({a, b, c}, &http);
    const QStringList errors = notifier.configurationErrors();
    QCOMPARE(errors.size(), 2);
    QVERIFY2(errors.at(0).startsWith(QLatin1String("settings.alerts.webhooks[0].url_env: ")),
             qPrintable(errors.at(0)));
    QVERIFY(errors.at(0).contains(QLatin1String("OPSDECK_TEST_UNSET_URL")));
    QVERIFY2(errors.at(1).startsWith(QLatin1String("settings.alerts.webhooks[1].headers_env: ")),
             qPrintable(errors.at(1)));
    QVERIFY(!errors.at(1).contains(QLatin1String("s3cret")));
    QCOMPARE(notifier.webhookNames(), QStringList{QStringLiteral("third")});
    qunsetenv("OPSDECK_TEST_BAD_HEADERS");
}

void tst_ServeWebhooks::cooldownHoldsTheResolveAndSwallowsAFlap()
{
    Tests::WebhookReceiver receiver;
    HttpClient http;
    WebhookNotifier notifier({hook(receiver.url(), 10 * kMinute)}, &http);
    qint64 now = 0;
    notifier.setClock([&now] { return now; });
    QSignalSpy sent(&notifier, &WebhookNotifier::sent);
    QSignalSpy suppressed(&notifier, &WebhookNotifier::suppressed);

    notifier.alertRaised(record());
    QTRY_COMPARE(sent.size(), 1);

    now = 1 * kMinute; // ends within the cooldown: held back
    notifier.alertResolved(record(kKey, Alert::Severity::Critical, true));
    QCOMPARE(notifier.heldCount(), 1);
    QCOMPARE(notifier.pendingCount(), 0);

    now = 2 * kMinute; // comes back (a new board record): neither message goes out
    notifier.alertRaised(record());
    QCOMPARE(suppressed.size(), 1);
    QCOMPARE(notifier.heldCount(), 0);
    QCOMPARE(notifier.pendingCount(), 0);

    now = 3 * kMinute; // ends again, still within the cooldown of the one firing sent
    notifier.alertResolved(record(kKey, Alert::Severity::Critical, true));
    notifier.releaseHeld();
    QCOMPARE(notifier.heldCount(), 1);

    now = 10 * kMinute; // the cooldown is over: the resolve goes out
    notifier.releaseHeld();
    QCOMPARE(notifier.heldCount(), 0);
    QTRY_COMPARE(sent.size(), 2);

    now = 10 * kMinute + 5000; // a new start after that is a new firing
    notifier.alertRaised(record());
    QTRY_COMPARE(sent.size(), 3);
    QCOMPARE(statuses(receiver),
             (QStringList{
                 QStringLiteral("firing"), QStringLiteral("resolved"), QStringLiteral("firing")}));
}

void tst_ServeWebhooks::resolveAfterTheCooldownIsSentAtOnce()
{
    Tests::WebhookReceiver receiver;
    HttpClient http;
    WebhookNotifier notifier({hook(receiver.url(), 10 * kMinute)}, &http);
    qint64 now = 5 * kMinute;
    notifier.setClock([&now] { return now; });
    QSignalSpy sent(&notifier, &WebhookNotifier::sent);
    notifier.alertRaised(record());
    // Another key is independent of this one's cooldown.
    notifier.alertRaised(record(QStringLiteral("docker/host1/web/unhealthy")));
    QTRY_COMPARE(sent.size(), 2);
    now += 11 * kMinute;
    notifier.alertResolved(record(kKey, Alert::Severity::Critical, true));
    QCOMPARE(notifier.heldCount(), 0);
    QTRY_COMPARE(sent.size(), 3);
    QCOMPARE(sent.last().at(3).value<WebhookEvent>(), WebhookEvent::Resolved);
}

void tst_ServeWebhooks::minimumSeverity()
{
    Tests::WebhookReceiver receiver;
    HttpClient http;
    WebhookConfig pager = hook(receiver.url(QStringLiteral("/pager")));
    pager.name = QStringLiteral("pager");
    pager.minSeverity = Alert::Severity::Critical;
    WebhookConfig chat =
        hook(receiver.url(QStringLiteral("/chat")), 0, WebhookConfig::Format::Slack);
    chat.name = QStringLiteral("chat");
    WebhookNotifier notifier({pager, chat}, &http);
    QSignalSpy sent(&notifier, &WebhookNotifier::sent);

    notifier.alertRaised(record(kKey, Alert::Severity::Warning));
    QTRY_COMPARE(sent.size(), 1);
    QCOMPARE(sent.last().at(0).toString(), QStringLiteral("chat"));
    // It turns critical: now the pager hears of it too, the chat not again.
    notifier.alertUpdated(record(kKey, Alert::Severity::Critical));
    QTRY_COMPARE(sent.size(), 2);
    QCOMPARE(sent.last().at(0).toString(), QStringLiteral("pager"));
    notifier.alertResolved(record(kKey, Alert::Severity::Critical, true));
    QTRY_COMPARE(sent.size(), 4);
    QStringList paths;
    for (const auto &r : receiver.requests())
        paths << QString::fromLatin1(r.path);
    QCOMPARE(paths.count(QStringLiteral("/pager")), 2);
    QCOMPARE(paths.count(QStringLiteral("/chat")), 2);
    // A warning that ends without ever turning critical never reaches the pager.
    notifier.alertRaised(record(QStringLiteral("other"), Alert::Severity::Warning));
    notifier.alertResolved(record(QStringLiteral("other"), Alert::Severity::Warning, true));
    QTRY_COMPARE(sent.size(), 6);
    QCOMPARE(sent.at(4).at(0).toString(), QStringLiteral("chat"));
    QCOMPARE(sent.at(5).at(0).toString(), QStringLiteral("chat"));
}

void tst_ServeWebhooks::followsAnAlertBoard()
{
    Tests::WebhookReceiver receiver;
    HttpClient http;
    Models::AlertBoard board;
    qint64 now = 1'000'000;
    board.setClock([&now] { return now; });
    board.setClearHoldMs(1000);
    WebhookNotifier notifier({hook(receiver.url())}, &http);
    notifier.attach(&board);
    QSignalSpy sent(&notifier, &WebhookNotifier::sent);
    Alert a = record().alert;
    board.publish(QStringLiteral("Production/docker"), {a});
    a.message = QStringLiteral("crash loop: 6 restarts in 10 min");
    board.publish(QStringLiteral("Production/docker"), {a}); // updated: no new message
    now += 500;
    board.publish(QStringLiteral("Production/docker"), {});
    board.expire(); // within the clear hold: still one record
    now += 1000;
    board.expire();
    QTRY_COMPARE(sent.size(), 2);
    QTest::qWait(50);
    QCOMPARE(statuses(receiver),
             (QStringList{QStringLiteral("firing"), QStringLiteral("resolved")}));
    const QJsonObject resolved = receiver.requests().last().json();
    QVERIFY(
        !resolved.value(QLatin1String("alert")).toObject().value(QLatin1String("end")).isNull());
}

QTEST_GUILESS_MAIN(tst_ServeWebhooks)
#include "tst_servewebhooks.moc"
