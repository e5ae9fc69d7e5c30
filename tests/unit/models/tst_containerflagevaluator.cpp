// SPDX-License-Identifier: MIT
#include "models/containerflagevaluator.h"

#include <QTest>

using namespace Opsdeck::Models;

namespace {

constexpr qint64 kT0 = 1'800'000'000'000; // a fixed "now" in ms since the epoch
constexpr qint64 kSecond = 1000;
constexpr qint64 kMinute = 60 * kSecond;

Container
make(ContainerState state, RestartPolicyKind policy = RestartPolicyKind::Always, int maxRetries = 0)
{
    Container c;
    c.hostId = QStringLiteral("h");
    c.id = QStringLiteral("c1");
    c.name = QStringLiteral("svc");
    c.state = state;
    c.restartPolicy = {policy, maxRetries};
    c.inspected = true;
    return c;
}

bool has(unsigned flags, ContainerFlag f)
{
    return flags & static_cast<unsigned>(f);
}

} // namespace

class tst_ContainerFlagEvaluator : public QObject
{
    Q_OBJECT

private slots:
    void restartingIsACrashLoopAndDangerousUnderAlways();
    void repeatedUnrequestedExitsMakeACrashLoop();
    void exitsRequestedByAPersonAreNotCrashes_data();
    void exitsRequestedByAPersonAreNotCrashes();
    void crashLoopClearsOnlyAfterStayingUp();
    void crashLoopDoesNotFlapBetweenCrashes();
    void exitsOutsideTheWindowAreForgotten();
    void gaveUpReplacesCrashLoop();
    void unhealthyOnlyWhileRunning();
    void anonymousVolumes();
    void firstLookWithHighRestartCount();
    void restartCountRiseWithoutEventsCounts();
    void stopByAPersonEndsTheLoop();
    void aPolicyRestartCountsOnceFromEventAndInspect();
};

void tst_ContainerFlagEvaluator::restartingIsACrashLoopAndDangerousUnderAlways()
{
    ContainerFlagEvaluator e;
    const unsigned flags = e.evaluate(make(ContainerState::Restarting), kT0);
    QVERIFY(has(flags, ContainerFlag::CrashLoop));
    QVERIFY(has(flags, ContainerFlag::DangerousPolicy));
    ContainerFlagEvaluator e2;
    const unsigned f2 =
        e2.evaluate(make(ContainerState::Restarting, RestartPolicyKind::OnFailure, 5), kT0);
    QVERIFY(has(f2, ContainerFlag::CrashLoop));
    QVERIFY(!has(f2, ContainerFlag::DangerousPolicy));
}

void tst_ContainerFlagEvaluator::repeatedUnrequestedExitsMakeACrashLoop()
{
    ContainerFlagEvaluator e;
    Container c = make(ContainerState::Running);
    c.startedAt = QDateTime::fromMSecsSinceEpoch(kT0);
    QCOMPARE(e.evaluate(c, kT0), 0u);
    e.noteEvent(c.key(), ContainerEventKind::Die, kT0 + 1 * kSecond);
    e.noteEvent(c.key(), ContainerEventKind::Die, kT0 + 2 * kSecond);
    QVERIFY(!has(e.evaluate(c, kT0 + 2 * kSecond), ContainerFlag::CrashLoop));
    e.noteEvent(c.key(), ContainerEventKind::Die, kT0 + 3 * kSecond);
    QVERIFY(has(e.evaluate(c, kT0 + 3 * kSecond), ContainerFlag::CrashLoop));
    QCOMPARE(e.recentCrashes(c.key(), kT0 + 3 * kSecond), 3);
}

void tst_ContainerFlagEvaluator::exitsRequestedByAPersonAreNotCrashes_data()
{
    QTest::addColumn<QList<int>>("sequence"); // ContainerEventKind values, one second apart
    using K = ContainerEventKind;
    // As the engine reports them (API reference 1.8): docker restart, docker stop, docker kill.
    QTest::newRow("restart") << QList<int>{
        int(K::Kill), int(K::Kill), int(K::Die), int(K::Stop), int(K::Start), int(K::Restart)};
    QTest::newRow("stop+start") << QList<int>{
        int(K::Kill), int(K::Die), int(K::Stop), int(K::Start)};
    QTest::newRow("kill") << QList<int>{int(K::Kill), int(K::Die), int(K::Start)};
}

void tst_ContainerFlagEvaluator::exitsRequestedByAPersonAreNotCrashes()
{
    QFETCH(QList<int>, sequence);
    ContainerFlagEvaluator e;
    Container c = make(ContainerState::Running);
    c.startedAt = QDateTime::fromMSecsSinceEpoch(kT0);
    e.evaluate(c, kT0);
    qint64 t = kT0;
    for (int round = 0; round < 5; ++round) {
        for (int kind : sequence)
            e.noteEvent(c.key(), ContainerEventKind(kind), t += 200);
        t += 5 * kSecond;
    }
    QCOMPARE(e.recentCrashes(c.key(), t), 0);
    QVERIFY(!has(e.evaluate(c, t), ContainerFlag::CrashLoop));
}

void tst_ContainerFlagEvaluator::crashLoopClearsOnlyAfterStayingUp()
{
    FlagSettings s;
    s.clearAfterMs = 5 * kMinute;
    ContainerFlagEvaluator e(s);
    Container c = make(ContainerState::Restarting);
    QVERIFY(has(e.evaluate(c, kT0), ContainerFlag::CrashLoop));
    c.state = ContainerState::Running;
    c.startedAt = QDateTime::fromMSecsSinceEpoch(kT0 + kSecond);
    QVERIFY2(has(e.evaluate(c, kT0 + 2 * kSecond), ContainerFlag::CrashLoop),
             "running for a second is not recovered");
    QVERIFY(has(e.evaluate(c, kT0 + kSecond + 5 * kMinute - 1), ContainerFlag::CrashLoop));
    QVERIFY(!has(e.evaluate(c, kT0 + kSecond + 5 * kMinute), ContainerFlag::CrashLoop));
}

void tst_ContainerFlagEvaluator::crashLoopDoesNotFlapBetweenCrashes()
{
    // Crashes every 90 s; each time it is briefly "running". The flag must hold throughout.
    ContainerFlagEvaluator e;
    Container c = make(ContainerState::Running, RestartPolicyKind::UnlessStopped);
    qint64 t = kT0;
    e.evaluate(c, t);
    int flagged = 0;
    int evaluations = 0;
    for (int i = 0; i < 20; ++i) {
        t += 90 * kSecond;
        e.noteEvent(c.key(), ContainerEventKind::Die, t);
        c.startedAt = QDateTime::fromMSecsSinceEpoch(t + 100);
        for (int probe = 1; probe <= 8; ++probe) {
            const unsigned flags = e.evaluate(c, t + probe * 10 * kSecond);
            if (i >= 2) {
                ++evaluations;
                flagged += has(flags, ContainerFlag::CrashLoop) ? 1 : 0;
            }
        }
    }
    QCOMPARE(flagged, evaluations);
}

void tst_ContainerFlagEvaluator::exitsOutsideTheWindowAreForgotten()
{
    FlagSettings s;
    s.crashWindowMs = 10 * kMinute;
    ContainerFlagEvaluator e(s);
    Container c = make(ContainerState::Running);
    e.evaluate(c, kT0);
    // One crash every 6 minutes never piles up to three within 10 minutes.
    for (int i = 0; i < 6; ++i) {
        e.noteEvent(c.key(), ContainerEventKind::Die, kT0 + i * 6 * kMinute);
        QVERIFY(!has(e.evaluate(c, kT0 + i * 6 * kMinute), ContainerFlag::CrashLoop));
    }
}

void tst_ContainerFlagEvaluator::gaveUpReplacesCrashLoop()
{
    ContainerFlagEvaluator e;
    Container c = make(ContainerState::Restarting, RestartPolicyKind::OnFailure, 5);
    c.restartCount = 4;
    QVERIFY(has(e.evaluate(c, kT0), ContainerFlag::CrashLoop));
    c.state = ContainerState::Exited;
    c.exitCode = 3;
    c.restartCount = 5;
    const unsigned flags = e.evaluate(c, kT0 + kSecond);
    QVERIFY(has(flags, ContainerFlag::GaveUp));
    QVERIFY(!has(flags, ContainerFlag::CrashLoop));
    c.exitCode = 0; // a clean exit is not giving up
    QVERIFY(!has(e.evaluate(c, kT0 + 2 * kSecond), ContainerFlag::GaveUp));
}

void tst_ContainerFlagEvaluator::unhealthyOnlyWhileRunning()
{
    ContainerFlagEvaluator e;
    Container c = make(ContainerState::Running, RestartPolicyKind::No);
    c.health = HealthStatus::Unhealthy;
    QVERIFY(has(e.evaluate(c, kT0), ContainerFlag::Unhealthy));
    c.state = ContainerState::Exited;
    QVERIFY(!has(e.evaluate(c, kT0), ContainerFlag::Unhealthy));
}

void tst_ContainerFlagEvaluator::anonymousVolumes()
{
    ContainerFlagEvaluator e;
    Container c = make(ContainerState::Running, RestartPolicyKind::No);
    c.mounts << Mount{QStringLiteral("volume"),
                      QStringLiteral("data"),
                      QString(),
                      QStringLiteral("/data"),
                      QString(),
                      true};
    QVERIFY(!has(e.evaluate(c, kT0), ContainerFlag::AnonymousVolume));
    c.mounts << Mount{QStringLiteral("volume"),
                      QString(64, QLatin1Char('a')),
                      QString(),
                      QStringLiteral("/cache"),
                      QString(),
                      true};
    const unsigned flags = e.evaluate(c, kT0);
    QVERIFY(has(flags, ContainerFlag::AnonymousVolume));
    QCOMPARE(flagSeverity(ContainerFlag::AnonymousVolume), Severity::Info);
    QVERIFY(flagDescription(ContainerFlag::AnonymousVolume, c).contains(QStringLiteral("/cache")));
    QVERIFY(!flagDescription(ContainerFlag::AnonymousVolume, c).contains(QStringLiteral("/data")));
}

void tst_ContainerFlagEvaluator::firstLookWithHighRestartCount()
{
    ContainerFlagEvaluator e;
    Container c = make(ContainerState::Running);
    c.restartCount = 12;
    c.startedAt = QDateTime::fromMSecsSinceEpoch(kT0 - 2 * kSecond);
    QVERIFY(has(e.evaluate(c, kT0), ContainerFlag::CrashLoop));

    ContainerFlagEvaluator settled;
    Container old = c;
    old.startedAt = QDateTime::fromMSecsSinceEpoch(kT0 - 3 * 24 * 60 * kMinute); // up for 3 days
    QVERIFY2(!has(settled.evaluate(old, kT0), ContainerFlag::CrashLoop),
             "old restarts are history, not a loop");
}

void tst_ContainerFlagEvaluator::restartCountRiseWithoutEventsCounts()
{
    ContainerFlagEvaluator e;
    Container c = make(ContainerState::Running);
    c.startedAt = QDateTime::fromMSecsSinceEpoch(kT0 - 10 * kMinute);
    QCOMPARE(e.evaluate(c, kT0), 0u);
    c.restartCount = 3; // three policy restarts while the event stream was down
    c.startedAt = QDateTime::fromMSecsSinceEpoch(kT0);
    QVERIFY(has(e.evaluate(c, kT0 + kSecond), ContainerFlag::CrashLoop));
}

void tst_ContainerFlagEvaluator::stopByAPersonEndsTheLoop()
{
    ContainerFlagEvaluator e;
    Container c = make(ContainerState::Restarting);
    QVERIFY(has(e.evaluate(c, kT0), ContainerFlag::CrashLoop));
    e.noteEvent(c.key(), ContainerEventKind::Kill, kT0 + kSecond);
    e.noteEvent(c.key(), ContainerEventKind::Die, kT0 + kSecond);
    e.noteEvent(c.key(), ContainerEventKind::Stop, kT0 + kSecond);
    c.state = ContainerState::Exited;
    QCOMPARE(e.evaluate(c, kT0 + 2 * kSecond), 0u);
}

void tst_ContainerFlagEvaluator::aPolicyRestartCountsOnceFromEventAndInspect()
{
    // Each policy restart is seen twice: a die event (applied at once), then an inspect with
    // RestartCount one higher. Two restarts must count as two, not four.
    ContainerFlagEvaluator e;
    Container c = make(ContainerState::Running, RestartPolicyKind::OnFailure, 10);
    c.startedAt = QDateTime::fromMSecsSinceEpoch(kT0);
    e.evaluate(c, kT0);
    for (int i = 1; i <= 2; ++i) {
        const qint64 t = kT0 + i * kSecond;
        e.noteEvent(c.key(), ContainerEventKind::Die, t);
        c.state = ContainerState::Exited;
        e.evaluate(c, t); // the event's fast path
        c.state = ContainerState::Running;
        c.restartCount = i;
        c.startedAt = QDateTime::fromMSecsSinceEpoch(t + 100);
        e.evaluate(c, t + 200); // the confirming inspect
    }
    QCOMPARE(e.recentCrashes(c.key(), kT0 + 3 * kSecond), 2);
    QVERIFY(!has(e.evaluate(c, kT0 + 3 * kSecond), ContainerFlag::CrashLoop));
}

QTEST_GUILESS_MAIN(tst_ContainerFlagEvaluator)
#include "tst_containerflagevaluator.moc"
