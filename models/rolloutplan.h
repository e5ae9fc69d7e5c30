// SPDX-License-Identifier: MIT
#pragma once

#include "models/result.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace Opsdeck::Models {

/// What a rolling update (restart or new image) of one Marathon app starts from.
struct RolloutInput
{
    int instances = 0;                  ///< N: wanted instances of the new version
    double minimumHealthCapacity = 1.0; ///< upgradeStrategy, 0..1
    double maximumOverCapacity = 1.0;   ///< upgradeStrategy, 0..1
    int healthyOld = 0; ///< old instances considered healthy (running, without health checks)
    bool hasHealthChecks = true;
    bool resident = false; ///< persistent volumes: an old one is killed before a new one starts
};

/// One moment of the plan: something happened (the event), then Marathon kills and starts.
/// oldActive / newStarted / newHealthy are counted after the event and before this moment's
/// kills and starts, as in the table of apis.md §2.8.
struct RolloutMoment
{
    enum class Event {
        Start,       ///< the deployment begins
        OldTerminal, ///< a killed old instance reached a terminal state
        NewHealthy,  ///< a new instance became healthy and ready
        Done,        ///< N new healthy, no old left
    };

    Event event = Event::Start;
    QString what;  ///< the event(s) in words: "old #1 terminal", "new #3, #4 healthy, old #4 gone"
    QString doing; ///< the decision in words: "kill 2 old; capacity 5−4−0 = 1, so start 1 new"
    int oldActive = 0;      ///< old instances not yet terminal (including those being killed)
    int newStarted = 0;     ///< new instances started so far
    int newHealthy = 0;     ///< new instances healthy so far
    int kill = 0;           ///< old instances killed at this moment
    int start = 0;          ///< new instances started at this moment
    int oldBeingKilled = 0; ///< after this moment's kills: killed, not yet terminal
    int serving = 0; ///< healthy after this moment's kills: old not being killed + new healthy
    int running = 0; ///< instances after this moment's starts: old active + new started

    bool operator==(const RolloutMoment &) const = default;
};

/// The whole rolling update, moment by moment, as Marathon's TaskReplaceActor would run it when
/// kills finish before health checks pass (apis.md §2.8).
struct RolloutPlan
{
    RolloutInput input;
    int minHealthy = 0;           ///< ceil(N × minHC)
    int maxCapacity = 0;          ///< floor(N × (1 + maxOC)), maybe raised by one
    bool capacityRaised = false;  ///< the special case: minHealthy == maxCapacity ≤ healthyOld
    int killNow = 0;              ///< old instances killed at once
    int minServing = 0;           ///< fewest healthy instances at any moment
    int maxRunning = 0;           ///< most instances at any moment
    bool downtime = false;        ///< at some moment nothing healthy serves
    bool stalled = false;         ///< the plan cannot finish (should not happen; shown if so)
    QList<RolloutMoment> moments; ///< start … done
    QStringList warnings;         ///< in words, for the confirm dialog

    /// "one at a time, never fewer than 4 healthy, at most 5 running"
    QString summary() const;
};

/// Computes the plan; an Error for invalid input (N < 0, minHC or maxOC outside 0..1,
/// healthyOld < 0).
Result<RolloutPlan> planRollout(const RolloutInput &input);

} // namespace Opsdeck::Models
