// SPDX-License-Identifier: MIT
// opsdeck-serve's command line, listen addresses, settings precedence and its log lines.
#include "app/servelog.h"
#include "app/serveoptions.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Opsdeck;
using namespace Opsdeck::App;

class tst_ServeOptions : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void defaults();
    void everyOption();
    void usageErrorsNameTheOption_data();
    void usageErrorsNameTheOption();
    void listenAddresses_data();
    void listenAddresses();
    void commandLineOverridesTheFile();
    void logLines();
    void logQuoting_data();
    void logQuoting();

private:
    QStringList args(const QStringList &rest) const
    {
        return QStringList{QStringLiteral("opsdeck-serve")} + rest;
    }

    QTemporaryDir m_dir;
    QString m_file;
};

void tst_ServeOptions::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_file = m_dir.filePath(QStringLiteral("tokens"));
    QFile f(m_file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("viewer abc wall\n");
}

void tst_ServeOptions::defaults()
{
    const ServeOptions o = parseServeOptions(args({}));
    QVERIFY2(o.error.isEmpty(), qPrintable(o.error));
    QVERIFY(!o.demo);
    const Models::ServeSettings s = effectiveServeSettings(o, {});
    QCOMPARE(s.listen, QStringLiteral("127.0.0.1:8765"));
    QCOMPARE(s.anonymous, QStringLiteral("read"));
    QVERIFY(s.tokensFile.isEmpty());
    QVERIFY(parseServeOptions(args({QStringLiteral("--help")})).help);
    QVERIFY(o.helpText.contains(QLatin1String("--listen")));
}

void tst_ServeOptions::everyOption()
{
    const ServeOptions o = parseServeOptions(args({QStringLiteral("--demo"),
                                                   QStringLiteral("--listen"),
                                                   QStringLiteral("[::1]:9000"),
                                                   QStringLiteral("--tokens"),
                                                   m_file,
                                                   QStringLiteral("--anonymous"),
                                                   QStringLiteral("refuse"),
                                                   QStringLiteral("--origin"),
                                                   QStringLiteral("https://wall.example.internal"),
                                                   QStringLiteral("--origin"),
                                                   QStringLiteral("http://127.0.0.1:3000"),
                                                   QStringLiteral("--tls-cert"),
                                                   m_file,
                                                   QStringLiteral("--tls-key"),
                                                   m_file,
                                                   QStringLiteral("--web-root"),
                                                   m_dir.path()}));
    QVERIFY2(o.error.isEmpty(), qPrintable(o.error));
    QVERIFY(o.demo);
    QCOMPARE(o.listen, QStringLiteral("[::1]:9000"));
    QCOMPARE(o.tokensFile, m_file);
    QCOMPARE(o.anonymous, QStringLiteral("refuse"));
    QCOMPARE(o.origins.size(), 2);
    QCOMPARE(o.tlsCertFile, m_file);
    QCOMPARE(o.tlsKeyFile, m_file);
    QCOMPARE(o.webRoot, m_dir.path());
}

void tst_ServeOptions::usageErrorsNameTheOption_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("named");
    QTest::newRow("unknown option")
        << QStringList{QStringLiteral("--frobnicate")} << QStringLiteral("frobnicate");
    QTest::newRow("missing value")
        << QStringList{QStringLiteral("--listen")} << QStringLiteral("listen");
    QTest::newRow("bad listen") << QStringList{QStringLiteral("--listen"), QStringLiteral("8765")}
                                << QStringLiteral("--listen");
    QTest::newRow("listen host not an address")
        << QStringList{QStringLiteral("--listen"), QStringLiteral("wall.example.internal:80")}
        << QStringLiteral("--listen");
    QTest::newRow("listen port out of range")
        << QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:70000")}
        << QStringLiteral("--listen");
    QTest::newRow("anonymous") << QStringList{QStringLiteral("--anonymous"),
                                              QStringLiteral("maybe")}
                               << QStringLiteral("--anonymous");
    QTest::newRow("unreadable tokens")
        << QStringList{QStringLiteral("--tokens"), QStringLiteral("/nonexistent/tokens")}
        << QStringLiteral("--tokens");
    QTest::newRow("cert without key")
        << QStringList{QStringLiteral("--tls-cert"), QStringLiteral("/etc/hostname")}
        << QStringLiteral("--tls-key");
    QTest::newRow("bad origin") << QStringList{QStringLiteral("--origin"),
                                               QStringLiteral("wall.example.internal")}
                                << QStringLiteral("--origin");
    QTest::newRow("origin with a path")
        << QStringList{QStringLiteral("--origin"), QStringLiteral("https://a.example.internal/x")}
        << QStringLiteral("--origin");
    QTest::newRow("web root not a dir")
        << QStringList{QStringLiteral("--web-root"), QStringLiteral("/nonexistent")}
        << QStringLiteral("--web-root");
    QTest::newRow("demo and config") << QStringList{QStringLiteral("--demo"),
                                                    QStringLiteral("--config"),
                                                    QStringLiteral("x.yaml")}
                                     << QStringLiteral("--config");
    QTest::newRow("positional") << QStringList{QStringLiteral("status")}
                                << QStringLiteral("status");
}

void tst_ServeOptions::usageErrorsNameTheOption()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, named);
    const ServeOptions o = parseServeOptions(args(arguments));
    QVERIFY(!o.error.isEmpty());
    QVERIFY2(o.error.contains(named), qPrintable(o.error));
}

void tst_ServeOptions::listenAddresses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("address");
    QTest::addColumn<int>("port");
    QTest::newRow("ipv4") << QStringLiteral("127.0.0.1:8765") << true << QStringLiteral("127.0.0.1")
                          << 8765;
    QTest::newRow("ipv6") << QStringLiteral("[::1]:80") << true << QStringLiteral("::1") << 80;
    QTest::newRow("localhost") << QStringLiteral("localhost:0") << true
                               << QStringLiteral("127.0.0.1") << 0;
    QTest::newRow("no port") << QStringLiteral("127.0.0.1") << false << QString() << 0;
    QTest::newRow("ipv6 without brackets") << QStringLiteral("::1:80") << false << QString() << 0;
    QTest::newRow("a name") << QStringLiteral("wall.example.internal:80") << false << QString()
                            << 0;
}

void tst_ServeOptions::listenAddresses()
{
    QFETCH(QString, text);
    QFETCH(bool, ok);
    const auto parsed = parseListenAddress(text);
    QCOMPARE(parsed.ok(), ok);
    if (!ok) {
        QVERIFY(!parsed.error().isEmpty());
        return;
    }
    QTEST(parsed.value().address.toString(), "address");
    QTEST(int(parsed.value().port), "port");
}

void tst_ServeOptions::commandLineOverridesTheFile()
{
    Models::ServeSettings file;
    file.listen = QStringLiteral("127.0.0.1:9001");
    file.anonymous = QStringLiteral("refuse");
    file.origins = {QStringLiteral("https://a.example.internal")};
    file.tokensFile = QStringLiteral("/etc/opsdeck/tokens");
    const ServeOptions o = parseServeOptions(args({QStringLiteral("--listen"),
                                                   QStringLiteral("127.0.0.1:9002"),
                                                   QStringLiteral("--origin"),
                                                   QStringLiteral("https://b.example.internal")}));
    QVERIFY(o.error.isEmpty());
    const Models::ServeSettings s = effectiveServeSettings(o, file);
    QCOMPARE(s.listen, QStringLiteral("127.0.0.1:9002"));
    QCOMPARE(s.origins, QStringList{QStringLiteral("https://b.example.internal")});
    QCOMPARE(s.anonymous, QStringLiteral("refuse"));
    QCOMPARE(s.tokensFile, QStringLiteral("/etc/opsdeck/tokens"));
}

void tst_ServeOptions::logLines()
{
    ServeLog log;
    log.setClock([] { return QStringLiteral("2026-11-25T18:00:00.000Z"); });
    QCOMPARE(log.format(QStringLiteral("info"),
                        QStringLiteral("listening"),
                        {{QStringLiteral("addr"), QStringLiteral("127.0.0.1:8765")},
                         {QStringLiteral("startup_ms"), QStringLiteral("84")}}),
             QStringLiteral("ts=2026-11-25T18:00:00.000Z level=info msg=\"listening\" "
                            "addr=127.0.0.1:8765 startup_ms=84"));
    QCOMPARE(log.format(QStringLiteral("warn"),
                        QStringLiteral("webhook \"ops\" failed"),
                        {{QStringLiteral("error"), QStringLiteral("HTTP 503")}}),
             QStringLiteral("ts=2026-11-25T18:00:00.000Z level=warn msg=\"webhook \\\"ops\\\" "
                            "failed\" error=\"HTTP 503\""));
}

void tst_ServeOptions::logQuoting_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("written");
    QTest::newRow("plain") << QStringLiteral("Production") << QStringLiteral("Production");
    QTest::newRow("empty") << QString() << QStringLiteral("\"\"");
    QTest::newRow("space") << QStringLiteral("a b") << QStringLiteral("\"a b\"");
    QTest::newRow("equals") << QStringLiteral("a=b") << QStringLiteral("\"a=b\"");
    QTest::newRow("newline cannot split the line")
        << QStringLiteral("one\ntwo") << QStringLiteral("\"one\\ntwo\"");
    QTest::newRow("quote and backslash")
        << QStringLiteral("say \"x\\y\"") << QStringLiteral("\"say \\\"x\\\\y\\\"\"");
    QTest::newRow("control") << QStringLiteral("a\x01") << QStringLiteral("\"a\\u0001\"");
}

void tst_ServeOptions::logQuoting()
{
    QFETCH(QString, value);
    QTEST(ServeLog::quote(value), "written");
}

QTEST_GUILESS_MAIN(tst_ServeOptions)
#include "tst_serveoptions.moc"
