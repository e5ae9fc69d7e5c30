// SPDX-License-Identifier: MIT
#include "models/containerflagevaluator.h"

#include <algorithm>

namespace Opsdeck::Models {

ContainerFlagEvaluator::ContainerFlagEvaluator(FlagSettings settings)
    : m_settings(settings)
{}

void ContainerFlagEvaluator::noteEvent(const QString &key, ContainerEventKind kind, qint64 timeMs)
{
    Memory &m = m_memory[key];
    switch (kind) {
    case ContainerEventKind::Kill:
    case ContainerEventKind::Restart:
        m.lastManualMs = timeMs;
        break;
    case ContainerEventKind::Stop:
        // A person stopped it: whatever loop it was in has been ended by hand.
        m.lastManualMs = timeMs;
        m.crashLoop = false;
        m.unrequestedExits.clear();
        m.unaccountedExits = 0;
        break;
    case ContainerEventKind::Die:
        if (m.lastManualMs >= 0 && timeMs - m.lastManualMs <= m_settings.manualGraceMs)
            break;
        m.unrequestedExits.push_back(timeMs);
        ++m.unaccountedExits;
        trim(m, timeMs);
        break;
    case ContainerEventKind::Destroy:
        m_memory.remove(key);
        break;
    case ContainerEventKind::Create:
    case ContainerEventKind::Start:
    case ContainerEventKind::Oom:
    case ContainerEventKind::HealthStatus:
    case ContainerEventKind::Other:
        break;
    }
}

void ContainerFlagEvaluator::trim(Memory &memory, qint64 nowMs) const
{
    qsizetype expired = 0;
    while (expired < memory.unrequestedExits.size()
           && nowMs - memory.unrequestedExits.at(expired) > m_settings.crashWindowMs) {
        ++expired;
    }
    if (expired > 0)
        memory.unrequestedExits.remove(0, expired);
}

unsigned ContainerFlagEvaluator::evaluate(const Container &c, qint64 nowMs)
{
    Memory &m = m_memory[c.key()];
    const bool firstLook = m.lastRestartCount < 0;

    // Restarts the event stream did not tell us about (first look, or a reconnect gap):
    // the daemon's RestartCount counts only policy restarts, so a rise is unrequested exits.
    if (!firstLook && c.restartCount > m.lastRestartCount) {
        const int rise = c.restartCount - m.lastRestartCount;
        const int missed = rise - m.unaccountedExits;
        m.unaccountedExits = std::max(0, m.unaccountedExits - rise);
        for (int i = 0; i < missed; ++i)
            m.unrequestedExits.push_back(nowMs);
    }
    m.lastRestartCount = c.restartCount;
    trim(m, nowMs);

    const bool gaveUp = c.restartPolicy.kind == RestartPolicyKind::OnFailure
                        && c.restartPolicy.maximumRetryCount > 0
                        && c.state == ContainerState::Exited && c.exitCode != 0
                        && c.restartCount >= c.restartPolicy.maximumRetryCount;

    const bool recentlyStarted =
        c.startedAt.isValid() && nowMs - c.startedAt.toMSecsSinceEpoch() < m_settings.clearAfterMs;
    const bool restartsOnItsOwn = c.restartPolicy.kind != RestartPolicyKind::No;
    bool evidence = c.state == ContainerState::Restarting
                    || int(m.unrequestedExits.size()) >= m_settings.crashRestarts;
    if (firstLook && !evidence && restartsOnItsOwn && c.restartCount >= m_settings.crashRestarts
        && recentlyStarted && c.state != ContainerState::Exited) {
        // Seen for the first time with a high restart count and a recent start: it has been
        // restarting before we connected.
        evidence = true;
    }
    if (evidence)
        m.crashLoop = true;

    if (m.crashLoop) {
        const bool stayedUp = c.state == ContainerState::Running && c.startedAt.isValid()
                              && nowMs - c.startedAt.toMSecsSinceEpoch() >= m_settings.clearAfterMs;
        const bool stoppedForGood = c.state == ContainerState::Exited && !restartsOnItsOwn;
        if (gaveUp || stayedUp || stoppedForGood || c.state == ContainerState::Created)
            m.crashLoop = false;
    }

    unsigned flags = 0;
    if (m.crashLoop)
        flags |= static_cast<unsigned>(ContainerFlag::CrashLoop);
    if (gaveUp)
        flags |= static_cast<unsigned>(ContainerFlag::GaveUp);
    if (m.crashLoop
        && (c.restartPolicy.kind == RestartPolicyKind::Always
            || c.restartPolicy.kind == RestartPolicyKind::UnlessStopped)) {
        flags |= static_cast<unsigned>(ContainerFlag::DangerousPolicy);
    }
    if (c.health == HealthStatus::Unhealthy
        && (c.state == ContainerState::Running || c.state == ContainerState::Paused)) {
        flags |= static_cast<unsigned>(ContainerFlag::Unhealthy);
    }
    if (std::any_of(c.mounts.cbegin(), c.mounts.cend(), isAnonymousVolume))
        flags |= static_cast<unsigned>(ContainerFlag::AnonymousVolume);
    return flags;
}

void ContainerFlagEvaluator::forget(const QString &key)
{
    m_memory.remove(key);
}

int ContainerFlagEvaluator::recentCrashes(const QString &key, qint64 nowMs) const
{
    const auto it = m_memory.constFind(key);
    if (it == m_memory.cend())
        return 0;
    return int(std::count_if(it->unrequestedExits.cbegin(),
                             it->unrequestedExits.cend(),
                             [&](qint64 t) { return nowMs - t <= m_settings.crashWindowMs; }));
}

} // namespace Opsdeck::Models
