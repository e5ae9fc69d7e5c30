// SPDX-License-Identifier: MIT
// `opsdeck rollout … --demo` (issue 7): good and bad rollouts on the demo estate's simulated
// Docker hosts, through the real binary.
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class tst_OpsdeckRolloutDemo : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void goodImageRollsOut();
    void crashingImageIsRolledBack();
    void unknownImageIsRefusedBeforeAnyChange();
    void canaryGoesOnWhenGoIsTyped();
    void canaryIsRestoredWithoutAnAnswer();
    void productionConfirmationLeavesTheGoAheadForTheCanary();

private:
    int run(const QStringList &args, QByteArray *out, const QByteArray &input = {});
    QByteArray auditLog() const;

    QTemporaryDir m_state;
};

void tst_OpsdeckRolloutDemo::initTestCase()
{
    QVERIFY(m_state.isValid());
    qputenv("OPSDECK_STATE_DIR", m_state.filePath(QStringLiteral("state")).toUtf8());
    qputenv("OPSDECK_AUDIT_LOG", m_state.filePath(QStringLiteral("audit.log")).toUtf8());
}

int tst_OpsdeckRolloutDemo::run(const QStringList &args, QByteArray *out, const QByteArray &input)
{
    QProcess p;
    // An environment may come first in @p args; else Staging.
    QStringList rest = args;
    const QString env = !rest.isEmpty() && !rest.constFirst().startsWith(QLatin1Char('-'))
                            ? rest.takeFirst()
                            : QStringLiteral("Staging");
    p.start(
        QStringLiteral(OPSDECK_BINARY),
        QStringList{
            QStringLiteral("rollout"), env, QStringLiteral("shop-api"), QStringLiteral("--demo")}
            + rest);
    if (!p.waitForStarted(10000))
        return -1;
    // Everything typed at once, before any prompt: each prompt must take its own line only.
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(120000))
        return -1;
    *out = p.readAllStandardOutput() + p.readAllStandardError();
    return p.exitCode();
}

void tst_OpsdeckRolloutDemo::goodImageRollsOut()
{
    QByteArray out;
    QCOMPARE(
        run({QStringLiteral("--image"), QStringLiteral("registry.example.com/shop/shop-api:1.5.0")},
            &out),
        0);
    QVERIFY2(
        out.contains("succeeded: 3 instances now run registry.example.com/shop/shop-api:1.5.0"),
        out.constData());
    // Planned only once the demo's health checks had settled: nothing below 2 serving.
    QVERIFY2(out.contains("never fewer than 2 serving"), out.constData());
}

void tst_OpsdeckRolloutDemo::crashingImageIsRolledBack()
{
    QByteArray out;
    QCOMPARE(run({QStringLiteral("--image"),
                  QStringLiteral("registry.example.com/shop/shop-api:1.5.0-crash")},
                 &out),
             1);
    QVERIFY2(out.contains("failed and rolled back"), out.constData());
    QVERIFY2(out.contains("restored"), out.constData());
    QVERIFY2(!out.contains("removing the old containers"), out.constData());
}

void tst_OpsdeckRolloutDemo::unknownImageIsRefusedBeforeAnyChange()
{
    QByteArray out;
    QCOMPARE(
        run({QStringLiteral("--image"), QStringLiteral("registry.example.com/shop/shop-api:9.9")},
            &out),
        1);
    QVERIFY2(out.contains("is not there"), out.constData());
    QVERIFY2(!out.contains("batch 1 of"), out.constData());
}

QByteArray tst_OpsdeckRolloutDemo::auditLog() const
{
    QFile f(m_state.filePath(QStringLiteral("audit.log")));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void tst_OpsdeckRolloutDemo::canaryGoesOnWhenGoIsTyped()
{
    QByteArray out;
    QCOMPARE(run({QStringLiteral("--image"),
                  QStringLiteral("registry.example.com/shop/shop-api:1.5.0"),
                  QStringLiteral("--canary")},
                 &out,
                 "go\n"),
             0);
    QVERIFY2(out.contains("Type 'go' to replace the other instances"), out.constData());
    QVERIFY2(
        out.contains("succeeded: 3 instances now run registry.example.com/shop/shop-api:1.5.0"),
        out.constData());
    QVERIFY2(auditLog().contains("\"docker.rollout.go-ahead\""), auditLog().constData());
}

void tst_OpsdeckRolloutDemo::canaryIsRestoredWithoutAnAnswer()
{
    QByteArray out;
    QCOMPARE(run({QStringLiteral("--image"),
                  QStringLiteral("registry.example.com/shop/shop-api:1.5.0"),
                  QStringLiteral("--canary")},
                 &out),
             1);
    QVERIFY2(out.contains("no go-ahead (end of input)"), out.constData());
    QVERIFY2(out.contains("aborted"), out.constData());
    QVERIFY2(out.contains("restored"), out.constData());
    QVERIFY2(!out.contains("removing the old containers"), out.constData());
}

void tst_OpsdeckRolloutDemo::productionConfirmationLeavesTheGoAheadForTheCanary()
{
    QByteArray out;
    QCOMPARE(run({QStringLiteral("Production"),
                  QStringLiteral("--image"),
                  QStringLiteral("registry.example.com/shop/shop-api:1.5.0"),
                  QStringLiteral("--canary")},
                 &out,
                 "Production\ngo\n"),
             0);
    QVERIFY2(out.contains("Type the environment's name (Production)"), out.constData());
    QVERIFY2(out.contains("now run registry.example.com/shop/shop-api:1.5.0"), out.constData());
}

QTEST_GUILESS_MAIN(tst_OpsdeckRolloutDemo)
#include "tst_opsdeck_rollout_demo.moc"
