// SPDX-License-Identifier: MIT
#include "models/rolloutplan.h"

#include <QTest>

using namespace Opsdeck::Models;

namespace {

RolloutInput input(int n, double minHC, double maxOC, int healthyOld)
{
    RolloutInput in;
    in.instances = n;
    in.minimumHealthCapacity = minHC;
    in.maximumOverCapacity = maxOC;
    in.healthyOld = healthyOld;
    return in;
}

RolloutPlan planOk(const RolloutInput &in)
{
    const Result<RolloutPlan> r = planRollout(in);
    if (!r.ok())
        qFatal("unexpected error: %s", qPrintable(r.error()));
    return r.value();
}

/// {oldActive, newStarted, newHealthy, kill, start} of every moment.
QList<QList<int>> rows(const RolloutPlan &plan)
{
    QList<QList<int>> out;
    for (const RolloutMoment &m : plan.moments)
        out.append({m.oldActive, m.newStarted, m.newHealthy, m.kill, m.start});
    return out;
}

} // namespace

class tst_RolloutPlan : public QObject
{
    Q_OBJECT

private slots:
    void workedExampleOfTheReference();
    void defaultsStartAllSideBySide();
    void oneAtATime();
    void zeroMinimumWarnsOfDowntime();
    void residentKillsBeforeStarting();
    void withoutHealthChecks();
    void scaleToZero();
    void invalidInput_data();
    void invalidInput();
    void invariantsOverAGrid();
};

void tst_RolloutPlan::workedExampleOfTheReference()
{
    // apis.md §2.8: N = 4 old healthy, minHC 0.5, maxOC 0.25.
    const RolloutPlan p = planOk(input(4, 0.5, 0.25, 4));
    QCOMPARE(p.minHealthy, 2);
    QCOMPARE(p.maxCapacity, 5);
    QCOMPARE(p.killNow, 2);
    QVERIFY(!p.capacityRaised);
    // The reference's table, row by row: old active, new started, new healthy (counted before
    // the moment's own kills and starts), then what is killed and started.
    const QList<QList<int>> expected{
        {4, 0, 0, 2, 1}, // start: kill 2 old; capacity 5−4−0 = 1, so start 1 new
        {3, 1, 0, 0, 1}, // 1st killed old terminal: capacity 5−3−1 = 1
        {2, 2, 0, 0, 1}, // 2nd killed old terminal: capacity 5−2−2 = 1 (3 started)
        {2, 3, 1, 1, 0}, // new #1 healthy: kill old #3
        {1, 3, 1, 0, 1}, // old #3 terminal: capacity 5−1−3 = 1, start new #4
        {1, 4, 2, 1, 0}, // new #2 healthy: kill old #4
        {0, 4, 4, 0, 0}, // new #3, #4 healthy, old #4 gone: done
    };
    QCOMPARE(rows(p), expected);
    QCOMPARE(p.moments.first().oldBeingKilled, 2); // "4 (2 being killed)"
    QCOMPARE(p.moments.first().event, RolloutMoment::Event::Start);
    QCOMPARE(p.moments.at(1).event, RolloutMoment::Event::OldTerminal);
    QCOMPARE(p.moments.at(3).event, RolloutMoment::Event::NewHealthy);
    QCOMPARE(p.moments.last().event, RolloutMoment::Event::Done);
    QCOMPARE(p.moments.at(3).doing, QStringLiteral("kill old #3"));
    QCOMPARE(p.moments.first().doing,
             QString::fromUtf8("kill 2 old; capacity 5−4−0 = 1, so start 1 new"));
    QCOMPARE(p.moments.last().what, QStringLiteral("old #4 terminal, new #3, #4 healthy"));
    // "At no moment do more than 5 instances run or fewer than 2 healthy ones remain."
    QCOMPARE(p.maxRunning, 5);
    QCOMPARE(p.minServing, 2);
    QVERIFY(!p.downtime);
    QVERIFY(!p.stalled);
    QVERIFY(p.warnings.isEmpty());
    QCOMPARE(p.summary(),
             QStringLiteral("kill 2 old at once, then one at a time, never fewer than 2 healthy, "
                            "at most 5 running"));
}

void tst_RolloutPlan::defaultsStartAllSideBySide()
{
    const RolloutPlan p = planOk(input(4, 1.0, 1.0, 4));
    QCOMPARE(p.minHealthy, 4);
    QCOMPARE(p.maxCapacity, 8);
    QCOMPARE(p.killNow, 0);
    QCOMPARE(p.moments.first().start, 4); // all N new side by side
    QCOMPARE(p.moments.first().kill, 0);
    // Then one old killed per new healthy.
    int kills = 0;
    for (const RolloutMoment &m : p.moments) {
        if (m.event == RolloutMoment::Event::NewHealthy)
            QCOMPARE(m.kill, 1);
        kills += m.kill;
    }
    QCOMPARE(kills, 4);
    QCOMPARE(p.maxRunning, 8);
    QCOMPARE(p.minServing, 4);
    QCOMPARE(
        p.summary(),
        QStringLiteral("all 4 new side by side, never fewer than 4 healthy, at most 8 running"));
}

void tst_RolloutPlan::oneAtATime()
{
    const RolloutPlan p = planOk(input(4, 1.0, 0.0, 4));
    QCOMPARE(p.minHealthy, 4);
    QCOMPARE(p.maxCapacity, 5); // N + 1: the special case
    QVERIFY(p.capacityRaised);
    QCOMPARE(p.killNow, 0);
    for (const RolloutMoment &m : p.moments) {
        QVERIFY(m.start <= 1);
        QVERIFY(m.kill <= 1);
        QVERIFY(m.serving >= 4);
        QVERIFY(m.running <= 5);
    }
    QCOMPARE(p.summary(),
             QStringLiteral("one at a time, never fewer than 4 healthy, at most 5 running"));
    QCOMPARE(p.warnings.size(), 1); // the extra instance is explained
    QVERIFY(p.warnings.first().contains(QStringLiteral("5 in all")));
}

void tst_RolloutPlan::zeroMinimumWarnsOfDowntime()
{
    const RolloutPlan p = planOk(input(4, 0.0, 1.0, 4));
    QCOMPARE(p.minHealthy, 0);
    QCOMPARE(p.killNow, 4);
    QCOMPARE(p.moments.first().kill, 4);
    QVERIFY(p.downtime);
    QCOMPARE(p.minServing, 0);
    QVERIFY(!p.warnings.isEmpty());
    QVERIFY(p.warnings.first().contains(QStringLiteral("downtime")));
    QVERIFY(p.summary().startsWith(QStringLiteral("kill all 4 old first")));
    QVERIFY(p.summary().contains(QStringLiteral("expect downtime")));
    QCOMPARE(p.moments.last().event, RolloutMoment::Event::Done);
}

void tst_RolloutPlan::residentKillsBeforeStarting()
{
    RolloutInput in = input(4, 1.0, 0.0, 4);
    in.resident = true;
    const RolloutPlan p = planOk(in);
    QVERIFY(!p.capacityRaised);
    QCOMPARE(p.maxCapacity, 4);
    QCOMPARE(p.killNow, 1);
    QCOMPARE(p.moments.first().kill, 1);
    QCOMPARE(p.moments.first().start, 0);
    QCOMPARE(p.maxRunning, 4);
    QVERIFY(!p.stalled);
    QVERIFY(p.warnings.join(QLatin1Char(' ')).contains(QStringLiteral("Resident")));

    // The resident defaults of the Marathon docs: minHC 0.5, maxOC 0.
    in = input(4, 0.5, 0.0, 4);
    in.resident = true;
    const RolloutPlan q = planOk(in);
    QCOMPARE(q.killNow, 2);
    QCOMPARE(q.minServing, 2);
    QVERIFY(!q.stalled);
}

void tst_RolloutPlan::withoutHealthChecks()
{
    RolloutInput in = input(2, 1.0, 0.0, 2);
    in.hasHealthChecks = false;
    const RolloutPlan p = planOk(in);
    QVERIFY(p.summary().contains(QStringLiteral("never fewer than 2 running")));
    QVERIFY(p.warnings.join(QLatin1Char(' ')).contains(QStringLiteral("no health checks")));
    bool sawRunning = false;
    for (const RolloutMoment &m : p.moments)
        sawRunning = sawRunning || m.what.contains(QStringLiteral("running"));
    QVERIFY(sawRunning);
}

void tst_RolloutPlan::scaleToZero()
{
    const RolloutPlan p = planOk(input(0, 1.0, 1.0, 3));
    QCOMPARE(p.killNow, 3);
    QVERIFY(!p.stalled);
    QVERIFY(!p.downtime); // nothing is wanted, so nothing goes missing
    QCOMPARE(p.summary(), QStringLiteral("stop all 3 old instances"));
    QCOMPARE(p.moments.last().oldActive, 0);

    const RolloutPlan empty = planOk(input(0, 1.0, 1.0, 0));
    QVERIFY(!empty.stalled);
    QCOMPARE(empty.moments.size(), 2); // start, done
}

void tst_RolloutPlan::invalidInput_data()
{
    QTest::addColumn<int>("n");
    QTest::addColumn<double>("minHC");
    QTest::addColumn<double>("maxOC");
    QTest::addColumn<int>("healthyOld");
    QTest::addColumn<QString>("error");
    QTest::newRow("negative N") << -1 << 1.0 << 1.0 << 0
                                << QStringLiteral("instances must be 0 or more, not -1");
    QTest::newRow("minHC above 1")
        << 3 << 1.5 << 1.0 << 3
        << QStringLiteral("minimumHealthCapacity must be between 0 and 1, not 1.5");
    QTest::newRow("minHC negative")
        << 3 << -0.1 << 1.0 << 3
        << QStringLiteral("minimumHealthCapacity must be between 0 and 1, not -0.1");
    QTest::newRow("minHC NaN") << 3 << qQNaN() << 1.0 << 3
                               << QStringLiteral(
                                      "minimumHealthCapacity must be between 0 and 1, not nan");
    QTest::newRow("maxOC above 1")
        << 3 << 1.0 << 2.0 << 3
        << QStringLiteral("maximumOverCapacity must be between 0 and 1, not 2");
    QTest::newRow("negative healthy old")
        << 3 << 1.0 << 1.0 << -2
        << QStringLiteral("the number of healthy old instances must be 0 or more, not -2");
}

void tst_RolloutPlan::invalidInput()
{
    QFETCH(int, n);
    QFETCH(double, minHC);
    QFETCH(double, maxOC);
    QFETCH(int, healthyOld);
    QFETCH(QString, error);
    const Result<RolloutPlan> r = planRollout(input(n, minHC, maxOC, healthyOld));
    QVERIFY(!r.ok());
    QCOMPARE(r.error(), error);
}

void tst_RolloutPlan::invariantsOverAGrid()
{
    const QList<double> fractions{0.0, 0.1, 0.25, 0.5, 0.7, 0.75, 0.9, 1.0};
    int plans = 0;
    for (int n = 0; n <= 12; ++n) {
        for (int healthyOld : {0, n / 2, n, n + 3}) {
            for (double minHC : fractions) {
                for (double maxOC : fractions) {
                    for (bool resident : {false, true}) {
                        RolloutInput in = input(n, minHC, maxOC, healthyOld);
                        in.resident = resident;
                        const RolloutPlan p = planOk(in);
                        ++plans;
                        const QByteArray where =
                            QStringLiteral("N=%1 old=%2 minHC=%3 maxOC=%4 resident=%5")
                                .arg(n)
                                .arg(healthyOld)
                                .arg(minHC)
                                .arg(maxOC)
                                .arg(resident)
                                .toUtf8();
                        // Terminates: done, with N new healthy and no old left.
                        QVERIFY2(!p.stalled, where.constData());
                        QVERIFY2(p.moments.size() <= healthyOld + n + 2, where.constData());
                        const RolloutMoment &last = p.moments.last();
                        QVERIFY2(last.event == RolloutMoment::Event::Done, where.constData());
                        QVERIFY2(last.newHealthy == n && last.oldActive == 0, where.constData());
                        // Serving never below the minimum (or below what serves now); a
                        // resident app may give up one to make room. minHC 0 is downtime.
                        const int floor = std::min(p.minHealthy, healthyOld) - (resident ? 1 : 0);
                        for (const RolloutMoment &m : p.moments) {
                            if (minHC > 0)
                                QVERIFY2(m.serving >= floor, where.constData());
                            // Starting never takes the total above maxCapacity.
                            if (m.start > 0)
                                QVERIFY2(m.running <= p.maxCapacity, where.constData());
                            QVERIFY2(m.running <= std::max(p.maxCapacity, healthyOld),
                                     where.constData());
                            QVERIFY2(m.kill >= 0 && m.start >= 0, where.constData());
                        }
                        QVERIFY2(!p.summary().isEmpty(), where.constData());
                    }
                }
            }
        }
    }
    QVERIFY(plans > 1000);
}

QTEST_GUILESS_MAIN(tst_RolloutPlan)
#include "tst_rolloutplan.moc"
