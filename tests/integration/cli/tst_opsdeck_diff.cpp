// SPDX-License-Identifier: MIT
// `opsdeck diff` as a CI gate: on the demo estate it reports exactly the planted differences
// (golden file), exit 0 when equal, 1 when different, 2 on usage errors and when a source cannot
// be read (an incomplete comparison is never "equal").
#include "tests/support/testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QString err;
};

Run opsdeck(const QStringList &args)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(OPSDECK_BINARY), args);
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            p.readAllStandardOutput(),
            QString::fromUtf8(p.readAllStandardError())};
}

QByteArray golden(const QString &name)
{
    QFile f(QStringLiteral(OPSDECK_SOURCE_DIR "/tests/integration/cli/golden/") + name);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class tst_OpsdeckDiff : public QObject
{
    Q_OBJECT

private slots:
    void plantedDifferencesExactly();
    void threeEnvironmentsJson();
    void equalIsExitZero();
    void filesAsUnifiedDiff();
    void errorsExitTwo_data();
    void errorsExitTwo();
    void unreadableSourceIsAnError();
};

void tst_OpsdeckDiff::plantedDifferencesExactly()
{
    const Run r = opsdeck({QStringLiteral("diff"),
                           QStringLiteral("Staging"),
                           QStringLiteral("Production"),
                           QStringLiteral("--demo")});
    QCOMPARE(r.exitCode, 1);
    const QByteArray expected = golden(QStringLiteral("diff-staging-production.txt"));
    QVERIFY(!expected.isEmpty());
    QCOMPARE(QString::fromUtf8(r.out), QString::fromUtf8(expected));
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
}

void tst_OpsdeckDiff::threeEnvironmentsJson()
{
    const Run r = opsdeck({QStringLiteral("diff"),
                           QStringLiteral("Integration"),
                           QStringLiteral("Staging"),
                           QStringLiteral("Production"),
                           QStringLiteral("--demo"),
                           QStringLiteral("--format"),
                           QStringLiteral("json")});
    QCOMPARE(r.exitCode, 1);
    const QJsonObject doc = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(doc.value(QStringLiteral("environments")).toArray().size(), 3);
    QCOMPARE(doc.value(QStringLiteral("equal")).toBool(), false);
    QSet<QString> forms;
    bool timeout = false;
    bool secretMasked = true;
    for (const QJsonValue &v : doc.value(QStringLiteral("rows")).toArray()) {
        const QJsonObject row = v.toObject();
        forms.insert(row.value(QStringLiteral("form")).toString());
        if (row.value(QStringLiteral("key")).toString() == QLatin1String("payments/timeout_ms")) {
            const QJsonObject values = row.value(QStringLiteral("values")).toObject();
            timeout =
                values.value(QStringLiteral("Staging")).toString() == QLatin1String("30000")
                && values.value(QStringLiteral("Production")).toString() == QLatin1String("3000");
        }
        if (row.value(QStringLiteral("secret")).toBool()) {
            for (const QJsonValue &value : row.value(QStringLiteral("values")).toObject())
                secretMasked = secretMasked && !value.toString().contains(QLatin1Char('='));
        }
    }
    // All four forms of configuration show up, the Staging timeout among them.
    QCOMPARE(forms,
             (QSet<QString>{QStringLiteral("env"),
                            QStringLiteral("image"),
                            QStringLiteral("kv"),
                            QStringLiteral("file")}));
    QVERIFY(timeout);
    QVERIFY(secretMasked);
}

void tst_OpsdeckDiff::equalIsExitZero()
{
    // auth's keys agree, its signing key differs by design (an expected difference).
    const Run r = opsdeck({QStringLiteral("diff"),
                           QStringLiteral("Staging"),
                           QStringLiteral("Production"),
                           QStringLiteral("--demo"),
                           QStringLiteral("--service"),
                           QStringLiteral("auth"),
                           QStringLiteral("--source"),
                           QStringLiteral("kv"),
                           QStringLiteral("--all"),
                           QStringLiteral("--format"),
                           QStringLiteral("json")});
    QCOMPARE(r.exitCode, 0);
    const QJsonArray rows =
        QJsonDocument::fromJson(r.out).object().value(QStringLiteral("rows")).toArray();
    QStringList statuses;
    for (const QJsonValue &v : rows)
        statuses << v.toObject().value(QStringLiteral("key")).toString() + QLatin1Char('=')
                        + v.toObject().value(QStringLiteral("status")).toString();
    statuses.sort();
    QCOMPARE(statuses,
             (QStringList{QStringLiteral("auth/jwt_signing_key=expected"),
                          QStringLiteral("auth/session_ttl_s=same")}));
}

void tst_OpsdeckDiff::filesAsUnifiedDiff()
{
    const Run r = opsdeck({QStringLiteral("diff"),
                           QStringLiteral("Staging"),
                           QStringLiteral("Production"),
                           QStringLiteral("--demo"),
                           QStringLiteral("--source"),
                           QStringLiteral("files"),
                           QStringLiteral("--format"),
                           QStringLiteral("unified")});
    QCOMPARE(r.exitCode, 1);
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.contains(QLatin1String("-        proxy_read_timeout 30s;\n"
                                        "+        proxy_read_timeout 60s;")),
             qPrintable(out));
    QVERIFY2(out.contains(QLatin1String("-    Log_Level    info\n+    Log_Level    warn")),
             qPrintable(out));
}

void tst_OpsdeckDiff::errorsExitTwo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("one environment")
        << QStringList{QStringLiteral("diff"), QStringLiteral("Staging"), QStringLiteral("--demo")}
        << QStringLiteral("two or three environments");
    QTest::newRow("unknown environment") << QStringList{QStringLiteral("diff"),
                                                        QStringLiteral("Staging"),
                                                        QStringLiteral("Prod"),
                                                        QStringLiteral("--demo")}
                                         << QStringLiteral("no environment named 'Prod'");
    QTest::newRow("bad source") << QStringList{QStringLiteral("diff"),
                                               QStringLiteral("Staging"),
                                               QStringLiteral("Production"),
                                               QStringLiteral("--source"),
                                               QStringLiteral("toml"),
                                               QStringLiteral("--demo")}
                                << QStringLiteral(
                                       "--source: expected kv, env, image, files or all");
}

void tst_OpsdeckDiff::errorsExitTwo()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Run r = opsdeck(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QVERIFY(r.out.isEmpty());
}

void tst_OpsdeckDiff::unreadableSourceIsAnError()
{
    // A Consul that is not there: the comparison would be incomplete, so it is an error.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("environments.yaml"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    const int port = Opsdeck::Tests::freeTcpPort();
    f.write(
        QStringLiteral("environments:\n"
                       "  - name: A\n"
                       "    consul: {url: \"http://127.0.0.1:%1\", prefix: config/, timeout: 2s}\n"
                       "  - name: B\n"
                       "    consul: {url: \"http://127.0.0.1:%1\", prefix: config/, timeout: 2s}\n")
            .arg(port)
            .toUtf8());
    f.close();
    const Run r = opsdeck({QStringLiteral("diff"),
                           QStringLiteral("A"),
                           QStringLiteral("B"),
                           QStringLiteral("--config"),
                           path});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QLatin1String("cannot compare"))
                 && r.err.contains(QLatin1String("Consul")),
             qPrintable(r.err));
}

QTEST_GUILESS_MAIN(tst_OpsdeckDiff)
#include "tst_opsdeck_diff.moc"
