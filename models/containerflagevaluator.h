// SPDX-License-Identifier: MIT
#pragma once

#include "models/container.h"

#include <QHash>
#include <QList>
#include <QString>

namespace Opsdeck::Models {

/// Thresholds that decide when a container is in a crash loop and when it is out of it.
struct FlagSettings
{
    /// Unrequested exits within crashWindowMs that make a crash loop.
    int crashRestarts = 3;
    qint64 crashWindowMs = 10 * 60 * 1000;
    /// A crash loop clears only after the container has stayed up this long, so that a
    /// container that crashes every few minutes does not flap between flagged and fine.
    qint64 clearAfterMs = 5 * 60 * 1000;
    /// An exit this soon after a kill / stop / restart request is the person's doing, not a crash.
    /// Docker's default stop timeout is 10 s; 15 s leaves room for the event to arrive.
    qint64 manualGraceMs = 15 * 1000;

    bool operator==(const FlagSettings &) const = default;
};

/// What the Docker event stream said about a container, reduced to what flags need.
enum class ContainerEventKind {
    Create,
    Start,
    Die,
    Kill,    ///< a signal sent through the API: `docker kill`, stop or restart
    Stop,    ///< a stop requested through the API
    Restart, ///< a restart requested through the API (policy restarts emit only die + start)
    Oom,
    HealthStatus,
    Destroy,
    Other,
};

/// Derives the flags of each container from its state and its recent history. Keeps a little
/// memory per container (recent unrequested exits, the latched crash-loop flag), so one
/// evaluator serves one environment's store.
class ContainerFlagEvaluator
{
public:
    explicit ContainerFlagEvaluator(FlagSettings settings = {});

    void setSettings(const FlagSettings &settings) { m_settings = settings; }

    const FlagSettings &settings() const { return m_settings; }

    void noteEvent(const QString &key, ContainerEventKind kind, qint64 timeMs);
    /// Computes the flags for @p container at @p nowMs and remembers what it saw.
    unsigned evaluate(const Container &container, qint64 nowMs);
    void forget(const QString &key);
    /// Unrequested exits of @p key within the crash window ending at @p nowMs.
    int recentCrashes(const QString &key, qint64 nowMs) const;

private:
    struct Memory
    {
        QList<qint64> unrequestedExits; ///< oldest first; empty costs nothing (a deque would not)
        qint64 lastManualMs = -1;
        /// Unrequested exits seen as events whose RestartCount rise has not been seen yet;
        /// they keep a policy restart from being counted twice (event, then inspect).
        int unaccountedExits = 0;
        int lastRestartCount = -1;
        bool crashLoop = false;
    };

    void trim(Memory &memory, qint64 nowMs) const;

    FlagSettings m_settings;
    QHash<QString, Memory> m_memory;
};

} // namespace Opsdeck::Models
