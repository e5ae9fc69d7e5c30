// SPDX-License-Identifier: MIT
#include "models/rolloutplan.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>

namespace Opsdeck::Models {

namespace {

QString trPlan(const char *text)
{
    return QCoreApplication::translate("Opsdeck::Models::RolloutPlan", text);
}

/// One event of the simulation, for the words of a moment.
struct Happening
{
    RolloutMoment::Event event;
    int number; ///< which old / new instance, 1-based
};

/// "old #1 terminal", "new #3, #4 healthy, old #4 terminal": runs of one kind share their verb.
QString describe(const QList<Happening> &happenings, bool hasHealthChecks)
{
    QStringList parts;
    int i = 0;
    while (i < happenings.size()) {
        const RolloutMoment::Event kind = happenings.at(i).event;
        QStringList numbers;
        while (i < happenings.size() && happenings.at(i).event == kind)
            numbers << QStringLiteral("#%1").arg(happenings.at(i++).number);
        if (kind == RolloutMoment::Event::OldTerminal)
            parts << trPlan("old %1 terminal").arg(numbers.join(QLatin1String(", ")));
        else if (hasHealthChecks)
            parts << trPlan("new %1 healthy").arg(numbers.join(QLatin1String(", ")));
        else
            parts << trPlan("new %1 running").arg(numbers.join(QLatin1String(", ")));
    }
    return parts.join(QLatin1String(", "));
}

QString formatFraction(double v)
{
    return QString::number(v, 'g', 4);
}

} // namespace

Result<RolloutPlan> planRollout(const RolloutInput &input)
{
    const int n = input.instances;
    if (n < 0)
        return Result<RolloutPlan>::failure(trPlan("instances must be 0 or more, not %1").arg(n));
    // !(a <= b) also rejects NaN.
    if (!(input.minimumHealthCapacity >= 0.0 && input.minimumHealthCapacity <= 1.0))
        return Result<RolloutPlan>::failure(
            trPlan("minimumHealthCapacity must be between 0 and 1, not %1")
                .arg(formatFraction(input.minimumHealthCapacity)));
    if (!(input.maximumOverCapacity >= 0.0 && input.maximumOverCapacity <= 1.0))
        return Result<RolloutPlan>::failure(
            trPlan("maximumOverCapacity must be between 0 and 1, not %1")
                .arg(formatFraction(input.maximumOverCapacity)));
    if (input.healthyOld < 0)
        return Result<RolloutPlan>::failure(
            trPlan("the number of healthy old instances must be 0 or more, not %1")
                .arg(input.healthyOld));

    RolloutPlan plan;
    plan.input = input;
    // The same double arithmetic as Marathon's TaskReplaceActor (apis.md §2.8), so the plan
    // matches what Marathon will do even where N × minHC is not exact.
    plan.minHealthy = int(std::ceil(n * input.minimumHealthCapacity));
    plan.maxCapacity = int(std::floor(n * (1.0 + input.maximumOverCapacity)));
    plan.killNow = std::max(0, input.healthyOld - plan.minHealthy);
    bool residentKill = false;
    if (plan.minHealthy == plan.maxCapacity && plan.maxCapacity <= input.healthyOld) {
        // No room to start even one new instance without going under minHealthy.
        if (!input.resident) {
            plan.maxCapacity += 1;
            plan.capacityRaised = true;
        } else {
            // A resident app cannot run an extra instance (its volumes are reserved): kill
            // enough old ones first for one new instance to start.
            const int needed = input.healthyOld - plan.maxCapacity + 1;
            if (needed > plan.killNow) {
                plan.killNow = needed;
                residentKill = true;
            }
        }
    }

    // The simulation: kills finish before health checks pass, new instances become healthy
    // in the order they started.
    int nextOld = 1;    // the next old instance to kill
    QList<int> killing; // killed, not yet terminal, in kill order
    int oldActive = input.healthyOld;
    int started = 0;
    int healthy = 0;
    const auto capacityStart = [&]() {
        return std::max(0, std::min(n - started, plan.maxCapacity - oldActive - started));
    };
    const auto killOld = [&](int count) {
        for (int k = 0; k < count && nextOld <= input.healthyOld; ++k)
            killing.append(nextOld++);
    };
    const auto capacityText = [&](int start) {
        if (started >= n)
            return trPlan("all new instances started");
        const QString arithmetic = trPlan("capacity %1−%2−%3 = %4")
                                       .arg(plan.maxCapacity)
                                       .arg(oldActive)
                                       .arg(started)
                                       .arg(plan.maxCapacity - oldActive - started);
        if (start == 0)
            return trPlan("%1, so no new one yet").arg(arithmetic);
        return trPlan("%1, so start %2 new").arg(arithmetic).arg(start);
    };

    plan.minServing = input.healthyOld;
    plan.maxRunning = input.healthyOld;
    const auto record = [&](RolloutMoment m) {
        m.oldBeingKilled = int(killing.size());
        m.serving = (oldActive - m.oldBeingKilled) + healthy;
        m.running = oldActive + started;
        plan.minServing = std::min(plan.minServing, m.serving);
        plan.maxRunning = std::max(plan.maxRunning, m.running);
        plan.moments.append(m);
    };

    {
        RolloutMoment m;
        m.event = RolloutMoment::Event::Start;
        m.what = trPlan("start");
        m.oldActive = oldActive;
        m.kill = std::min(plan.killNow, input.healthyOld);
        killOld(m.kill);
        QStringList doing;
        if (m.kill > 0)
            doing << trPlan("kill %1 old").arg(m.kill);
        m.start = capacityStart();
        if (n > 0)
            doing << capacityText(m.start);
        started += m.start;
        m.doing = doing.join(QLatin1String("; "));
        record(m);
    }

    QList<Happening> quiet; // events that changed nothing, told with the next moment
    // Every event consumes an old kill or a new start, so this bounds the loop.
    const int maxEvents = input.healthyOld + n + 2;
    for (int events = 0; events <= maxEvents; ++events) {
        const bool done = healthy == n && oldActive == 0;
        if (done) {
            RolloutMoment m;
            m.event = RolloutMoment::Event::Done;
            m.what = quiet.isEmpty() ? trPlan("done") : describe(quiet, input.hasHealthChecks);
            m.doing = trPlan("step done: %1 new healthy, no old left").arg(n);
            m.oldActive = 0;
            m.newStarted = started;
            m.newHealthy = healthy;
            record(m);
            quiet.clear();
            break;
        }
        RolloutMoment m;
        if (!killing.isEmpty()) {
            m.event = RolloutMoment::Event::OldTerminal;
            quiet.append({m.event, killing.takeFirst()});
            --oldActive;
        } else if (healthy < started) {
            m.event = RolloutMoment::Event::NewHealthy;
            quiet.append({m.event, ++healthy});
        } else {
            plan.stalled = true;
            break;
        }
        m.oldActive = oldActive;
        m.newStarted = started;
        m.newHealthy = healthy;
        if (m.event == RolloutMoment::Event::OldTerminal) {
            m.start = capacityStart();
            if (m.start > 0)
                m.doing = capacityText(m.start);
            started += m.start;
        } else if (nextOld <= input.healthyOld) {
            m.kill = 1;
            m.doing = trPlan("kill old #%1").arg(nextOld);
            killOld(1);
        }
        if (m.kill == 0 && m.start == 0)
            continue; // nothing happens: folded into the next moment
        m.what = describe(quiet, input.hasHealthChecks);
        quiet.clear();
        record(m);
    }
    if (plan.moments.isEmpty() || plan.moments.last().event != RolloutMoment::Event::Done)
        plan.stalled = true;

    plan.downtime = plan.minServing == 0 && input.healthyOld > 0 && n > 0;
    if (plan.downtime) {
        plan.warnings << trPlan("At some moment no instance is healthy: minimumHealthCapacity %1 "
                                "lets Marathon kill the old instances before new ones are "
                                "healthy. Expect downtime.")
                             .arg(formatFraction(input.minimumHealthCapacity));
    }
    if (input.healthyOld < plan.minHealthy && n > 0) {
        plan.warnings << trPlan("Only %1 old instances are healthy now, fewer than the %2 the "
                                "strategy keeps.")
                             .arg(input.healthyOld)
                             .arg(plan.minHealthy);
    }
    if (plan.capacityRaised && n > 0) {
        plan.warnings << trPlan("The strategy leaves no room to start a new instance: Marathon "
                                "runs one extra (%1 in all) to start at all.")
                             .arg(plan.maxCapacity);
    }
    if (residentKill) {
        plan.warnings << trPlan("Resident app: %1 old instance(s) are killed before the first "
                                "new one starts.")
                             .arg(plan.killNow);
    }
    if (!input.hasHealthChecks && n > 0) {
        plan.warnings << trPlan("The app has no health checks: a new instance counts as healthy "
                                "as soon as it runs.");
    }
    if (plan.stalled)
        plan.warnings << trPlan("With these settings the update cannot finish.");
    return plan;
}

QString RolloutPlan::summary() const
{
    const int n = input.instances;
    if (n == 0)
        return trPlan("stop all %1 old instances").arg(input.healthyOld);
    int maxStart = 0;
    for (const RolloutMoment &m : moments)
        maxStart = std::max(maxStart, m.start);

    QStringList parts;
    QString pace;
    if (maxStart >= n && n > 1)
        pace = trPlan("all %1 new side by side").arg(n);
    else if (maxStart <= 1)
        pace = trPlan("one at a time");
    else
        pace = trPlan("up to %1 at a time").arg(maxStart);
    if (killNow > 0 && killNow >= input.healthyOld)
        pace = trPlan("kill all %1 old first, then %2").arg(input.healthyOld).arg(pace);
    else if (killNow > 0)
        pace = trPlan("kill %1 old at once, then %2").arg(killNow).arg(pace);
    parts << pace;
    if (downtime)
        parts << trPlan("expect downtime");
    else if (input.hasHealthChecks)
        parts << trPlan("never fewer than %1 healthy").arg(minServing);
    else
        parts << trPlan("never fewer than %1 running").arg(minServing);
    parts << trPlan("at most %1 running").arg(maxRunning);
    return parts.join(QLatin1String(", "));
}

} // namespace Opsdeck::Models
