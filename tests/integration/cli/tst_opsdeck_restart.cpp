// SPDX-License-Identifier: MIT
// `opsdeck restart` and `opsdeck audit` as a person runs them, against the real engines of the
// dockerd fixture: the container really restarts (its StartedAt moves), production refuses
// without the typed name and restarts with it, and every step is in the audit trail.
#include "tests/support/testsupport.h"

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

Run runOpsdeck(const QStringList &args,
               const QString &auditLog,
               const QByteArray &stdinData = {},
               bool closeStdin = true)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    env.remove(QStringLiteral("DOCKER_HOST"));
    env.insert(QStringLiteral("OPSDECK_AUDIT_LOG"), auditLog);
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(OPSDECK_BINARY), args);
    if (!p.waitForStarted(10000))
        return {};
    if (!stdinData.isEmpty())
        p.write(stdinData);
    if (closeStdin)
        p.closeWriteChannel();
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

QList<QJsonObject> auditLines(const QString &out)
{
    QList<QJsonObject> lines;
    for (const QString &line : out.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        lines << QJsonDocument::fromJson(line.toUtf8()).object();
    return lines;
}

const QString kImage = QStringLiteral("opsdeck-test/busybox:1");
// Ends at once on SIGTERM, so that a restart takes a second, not the stop timeout.
const QString kScript = QStringLiteral("trap 'exit 0' TERM; while true; do sleep 1; done");

} // namespace

class tst_OpsdeckRestart : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void restartsAContainerAndAuditsIt();
    void productionRefusesWithoutTheNameAndRestartsWithIt();
    void targetErrors();

private:
    QString startedAt(int host, const QString &name) const;
    QString config() const;

    Opsdeck::Tests::DockerdHarness m_harness;
    QTemporaryDir m_dir;
    QString m_config;
    QString m_audit;
};

void tst_OpsdeckRestart::initTestCase()
{
    OPSDECK_REQUIRE_SERVER(m_harness.isAvailable(),
                           QStringLiteral("dockerd hosts from tests/integration/dockerd.sh"));
    QVERIFY(m_dir.isValid());
    m_audit = m_dir.filePath(QStringLiteral("state/audit.log"));
    // rst-a on host 1 (Lab), rst-b on hosts 1 and 2 (ambiguous by name), rst-p on host 2 (Prod).
    const QList<QPair<int, QString>> containers{{1, QStringLiteral("rst-a")},
                                                {1, QStringLiteral("rst-b")},
                                                {2, QStringLiteral("rst-b")},
                                                {2, QStringLiteral("rst-p")}};
    for (const auto &[host, name] : containers) {
        m_harness.docker(host, {QStringLiteral("rm"), QStringLiteral("-f"), name});
        const QString id = m_harness.docker(host,
                                            {QStringLiteral("run"),
                                             QStringLiteral("-d"),
                                             QStringLiteral("--name"),
                                             name,
                                             kImage,
                                             QStringLiteral("sh"),
                                             QStringLiteral("-c"),
                                             kScript});
        QVERIFY2(!id.isEmpty(),
                 qPrintable(QStringLiteral("docker run %1 on host%2").arg(name).arg(host)));
    }
    m_config =
        writeFile(m_dir,
                  QStringLiteral("e.yaml"),
                  QStringLiteral("environments:\n"
                                 "  - name: Lab\n    docker:\n      hosts:\n"
                                 "        - url: %1\n          name: lab1\n"
                                 "        - url: %2\n          name: lab2\n"
                                 "  - name: Prod\n    production: true\n    docker:\n      hosts:\n"
                                 "        - url: %2\n          name: prod1\n")
                      .arg(m_harness.unixUrl(1), m_harness.tcpUrl(2))
                      .toUtf8());
}

void tst_OpsdeckRestart::cleanupTestCase()
{
    if (!m_harness.isAvailable())
        return;
    for (int host : {1, 2})
        m_harness.docker(host,
                         {QStringLiteral("rm"),
                          QStringLiteral("-f"),
                          QStringLiteral("rst-a"),
                          QStringLiteral("rst-b"),
                          QStringLiteral("rst-p")});
}

QString tst_OpsdeckRestart::startedAt(int host, const QString &name) const
{
    return m_harness.docker(host,
                            {QStringLiteral("inspect"),
                             QStringLiteral("-f"),
                             QStringLiteral("{{.State.StartedAt}}"),
                             name});
}

void tst_OpsdeckRestart::restartsAContainerAndAuditsIt()
{
    const QString before = startedAt(1, QStringLiteral("rst-a"));
    QVERIFY(!before.isEmpty());
    QTest::qWait(1100); // StartedAt has nanoseconds, but be sure it can differ
    const Run r = runOpsdeck({QStringLiteral("restart"),
                              QStringLiteral("Lab"),
                              QStringLiteral("rst-a"),
                              QStringLiteral("--config"),
                              m_config},
                             m_audit);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
    QVERIFY2(r.out.contains(QStringLiteral("Restarted lab1/rst-a in Lab")), qPrintable(r.out));
    const QString after = startedAt(1, QStringLiteral("rst-a"));
    QVERIFY2(after != before, qPrintable(before + QStringLiteral(" → ") + after));
    QCOMPARE(m_harness.docker(1,
                              {QStringLiteral("inspect"),
                               QStringLiteral("-f"),
                               QStringLiteral("{{.State.Running}}"),
                               QStringLiteral("rst-a")}),
             QStringLiteral("true"));

    // host/name works too.
    const QString before2 = startedAt(2, QStringLiteral("rst-b"));
    const Run r2 = runOpsdeck({QStringLiteral("restart"),
                               QStringLiteral("Lab"),
                               QStringLiteral("lab2/rst-b"),
                               QStringLiteral("--config"),
                               m_config},
                              m_audit);
    QVERIFY2(r2.exitCode == 0, qPrintable(r2.err + r2.out));
    QVERIFY(startedAt(2, QStringLiteral("rst-b")) != before2);

    const Run audit = runOpsdeck({QStringLiteral("audit"),
                                  QStringLiteral("--env"),
                                  QStringLiteral("Lab"),
                                  QStringLiteral("--json"),
                                  QStringLiteral("--config"),
                                  m_config},
                                 m_audit);
    QCOMPARE(audit.exitCode, 0);
    const QList<QJsonObject> lines = auditLines(audit.out);
    QCOMPARE(lines.size(), 4);
    const QStringList expected{QStringLiteral("lab1/rst-a"),
                               QStringLiteral("lab1/rst-a"),
                               QStringLiteral("lab2/rst-b"),
                               QStringLiteral("lab2/rst-b")};
    for (int i = 0; i < lines.size(); ++i) {
        const QJsonObject &l = lines.at(i);
        QCOMPARE(l.value(QStringLiteral("environment")).toString(), QStringLiteral("Lab"));
        QCOMPARE(l.value(QStringLiteral("action")).toString(), QStringLiteral("container.restart"));
        QCOMPARE(l.value(QStringLiteral("target")).toString(), expected.at(i));
        QCOMPARE(l.value(QStringLiteral("outcome")).toString(),
                 i % 2 == 0 ? QStringLiteral("requested") : QStringLiteral("ok"));
        QCOMPARE(l.value(QStringLiteral("parameters")).toObject().value(QStringLiteral("via")),
                 QJsonValue(QStringLiteral("cli")));
        QVERIFY(!l.value(QStringLiteral("user")).toString().isEmpty());
    }
    // The table, for people.
    const Run table = runOpsdeck(
        {QStringLiteral("audit"), QStringLiteral("--since"), QStringLiteral("10m")}, m_audit);
    QCOMPARE(table.exitCode, 0);
    QVERIFY2(table.out.contains(QStringLiteral(" s ago)")), qPrintable(table.out));
    QVERIFY(table.out.contains(QStringLiteral("lab2/rst-b")));
}

void tst_OpsdeckRestart::productionRefusesWithoutTheNameAndRestartsWithIt()
{
    const QString before = startedAt(2, QStringLiteral("rst-p"));
    const QStringList args{QStringLiteral("restart"),
                           QStringLiteral("Prod"),
                           QStringLiteral("rst-p"),
                           QStringLiteral("--config"),
                           m_config};
    // No answer (stdin at its end), then a wrong one: refused, exit 3, nothing restarted.
    const Run eof = runOpsdeck(args, m_audit);
    QCOMPARE(eof.exitCode, 3);
    QVERIFY2(eof.out.contains(QStringLiteral("Prod (PRODUCTION)")), qPrintable(eof.out));
    QVERIFY(eof.out.contains(QStringLiteral("prod1/rst-p")));
    QVERIFY2(eof.err.contains(QStringLiteral("nothing was done")), qPrintable(eof.err));
    const Run wrong = runOpsdeck(args, m_audit, "prod\n");
    QCOMPARE(wrong.exitCode, 3);
    QVERIFY2(wrong.err.contains(QStringLiteral("expected 'Prod'")), qPrintable(wrong.err));
    // A --yes-i-mean- for another environment is a usage error.
    const Run other = runOpsdeck(args + QStringList{QStringLiteral("--yes-i-mean-Lab")}, m_audit);
    QCOMPARE(other.exitCode, 2);
    QCOMPARE(startedAt(2, QStringLiteral("rst-p")), before);

    // The typed name: restarted.
    const Run typed = runOpsdeck(args, m_audit, "Prod\n");
    QVERIFY2(typed.exitCode == 0, qPrintable(typed.err + typed.out));
    const QString afterTyped = startedAt(2, QStringLiteral("rst-p"));
    QVERIFY(afterTyped != before);
    // --yes-i-mean-Prod: restarted without a question.
    QTest::qWait(1100);
    const Run flagged =
        runOpsdeck(args + QStringList{QStringLiteral("--yes-i-mean-Prod")}, m_audit, {}, true);
    QVERIFY2(flagged.exitCode == 0, qPrintable(flagged.err + flagged.out));
    QVERIFY(!flagged.out.contains(QStringLiteral("Type the environment's name")));
    QVERIFY(startedAt(2, QStringLiteral("rst-p")) != afterTyped);

    const Run audit = runOpsdeck({QStringLiteral("audit"),
                                  QStringLiteral("--env"),
                                  QStringLiteral("Prod"),
                                  QStringLiteral("--json")},
                                 m_audit);
    QCOMPARE(audit.exitCode, 0);
    QStringList outcomes;
    QStringList confirmations;
    for (const QJsonObject &l : auditLines(audit.out)) {
        outcomes << l.value(QStringLiteral("outcome")).toString();
        confirmations << l.value(QStringLiteral("parameters"))
                             .toObject()
                             .value(QStringLiteral("confirmation"))
                             .toString();
    }
    QCOMPARE(outcomes,
             (QStringList{QStringLiteral("refused"),
                          QStringLiteral("refused"),
                          QStringLiteral("requested"),
                          QStringLiteral("ok"),
                          QStringLiteral("requested"),
                          QStringLiteral("ok")}));
    QCOMPARE(confirmations.at(3), QStringLiteral("typed"));
    QCOMPARE(confirmations.at(5), QStringLiteral("--yes-i-mean-Prod"));
}

void tst_OpsdeckRestart::targetErrors()
{
    const Run ambiguous = runOpsdeck({QStringLiteral("restart"),
                                      QStringLiteral("Lab"),
                                      QStringLiteral("rst-b"),
                                      QStringLiteral("--config"),
                                      m_config},
                                     m_audit);
    QCOMPARE(ambiguous.exitCode, 2);
    QVERIFY2(ambiguous.err.contains(QStringLiteral("lab1/rst-b, lab2/rst-b")),
             qPrintable(ambiguous.err));
    const Run missing = runOpsdeck({QStringLiteral("restart"),
                                    QStringLiteral("Lab"),
                                    QStringLiteral("no-such-container"),
                                    QStringLiteral("--config"),
                                    m_config},
                                   m_audit);
    QCOMPARE(missing.exitCode, 2);
    QVERIFY(missing.err.contains(QStringLiteral("no container no-such-container in Lab")));
    const Run noEnv = runOpsdeck({QStringLiteral("restart"),
                                  QStringLiteral("Nowhere"),
                                  QStringLiteral("rst-a"),
                                  QStringLiteral("--config"),
                                  m_config},
                                 m_audit);
    QCOMPARE(noEnv.exitCode, 2);
    QVERIFY(noEnv.err.contains(QStringLiteral("no environment named 'Nowhere'")));
}

QTEST_GUILESS_MAIN(tst_OpsdeckRestart)
#include "tst_opsdeck_restart.moc"
