// SPDX-License-Identifier: MIT
#include "models/container.h"

#include "models/containeroperations.h"

#include <QCoreApplication>

#include <algorithm>

namespace Opsdeck::Models {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::Models::Container", text);
}

constexpr ContainerFlag kAllFlags[] = {
    ContainerFlag::CrashLoop,
    ContainerFlag::GaveUp,
    ContainerFlag::Unhealthy,
    ContainerFlag::DangerousPolicy,
    ContainerFlag::AnonymousVolume,
};

} // namespace

QString nameOf(ContainerState state)
{
    switch (state) {
    case ContainerState::Created:
        return QStringLiteral("created");
    case ContainerState::Running:
        return QStringLiteral("running");
    case ContainerState::Paused:
        return QStringLiteral("paused");
    case ContainerState::Restarting:
        return QStringLiteral("restarting");
    case ContainerState::Removing:
        return QStringLiteral("removing");
    case ContainerState::Exited:
        return QStringLiteral("exited");
    case ContainerState::Dead:
        return QStringLiteral("dead");
    case ContainerState::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

ContainerState containerStateFromString(QStringView text)
{
    static const std::pair<QLatin1StringView, ContainerState> kStates[] = {
        {QLatin1StringView("created"), ContainerState::Created},
        {QLatin1StringView("running"), ContainerState::Running},
        {QLatin1StringView("paused"), ContainerState::Paused},
        {QLatin1StringView("restarting"), ContainerState::Restarting},
        {QLatin1StringView("removing"), ContainerState::Removing},
        {QLatin1StringView("exited"), ContainerState::Exited},
        {QLatin1StringView("dead"), ContainerState::Dead},
    };
    for (const auto &[name, state] : kStates) {
        if (text.compare(name, Qt::CaseInsensitive) == 0)
            return state;
    }
    return ContainerState::Unknown;
}

QString nameOf(HealthStatus health)
{
    switch (health) {
    case HealthStatus::Starting:
        return QStringLiteral("starting");
    case HealthStatus::Healthy:
        return QStringLiteral("healthy");
    case HealthStatus::Unhealthy:
        return QStringLiteral("unhealthy");
    case HealthStatus::None:
        break;
    }
    return QString();
}

HealthStatus healthStatusFromString(QStringView text)
{
    if (text == QLatin1StringView("starting"))
        return HealthStatus::Starting;
    if (text == QLatin1StringView("healthy"))
        return HealthStatus::Healthy;
    if (text == QLatin1StringView("unhealthy"))
        return HealthStatus::Unhealthy;
    return HealthStatus::None;
}

QString nameOf(const RestartPolicy &policy)
{
    switch (policy.kind) {
    case RestartPolicyKind::Always:
        return QStringLiteral("always");
    case RestartPolicyKind::UnlessStopped:
        return QStringLiteral("unless-stopped");
    case RestartPolicyKind::OnFailure:
        return policy.maximumRetryCount > 0
                   ? QStringLiteral("on-failure:%1").arg(policy.maximumRetryCount)
                   : QStringLiteral("on-failure");
    case RestartPolicyKind::No:
        break;
    }
    return QStringLiteral("no");
}

RestartPolicy restartPolicyFrom(QStringView name, int maximumRetryCount)
{
    if (name == QLatin1StringView("always"))
        return {RestartPolicyKind::Always, 0};
    if (name == QLatin1StringView("unless-stopped"))
        return {RestartPolicyKind::UnlessStopped, 0};
    if (name == QLatin1StringView("on-failure"))
        return {RestartPolicyKind::OnFailure, std::max(0, maximumRetryCount)};
    return {RestartPolicyKind::No, 0};
}

QString displayState(const Container &container)
{
    QString text = nameOf(container.state);
    if (container.state == ContainerState::Exited)
        text += QStringLiteral(" (%1)").arg(container.exitCode);
    if (container.state == ContainerState::Running || container.state == ContainerState::Paused) {
        if (container.health == HealthStatus::Unhealthy)
            text += QLatin1String(" (unhealthy)");
        else if (container.health == HealthStatus::Starting)
            text += QLatin1String(" (health: starting)");
    }
    return text;
}

bool isAnonymousVolume(const Mount &mount)
{
    if (mount.type != QLatin1String("volume") || mount.name.size() != 64)
        return false;
    return std::all_of(mount.name.cbegin(), mount.name.cend(), [](QChar c) {
        return (c >= QLatin1Char('0') && c <= QLatin1Char('9'))
               || (c >= QLatin1Char('a') && c <= QLatin1Char('f'));
    });
}

QString flagName(ContainerFlag flag)
{
    switch (flag) {
    case ContainerFlag::CrashLoop:
        return tr("crash loop");
    case ContainerFlag::DangerousPolicy:
        return tr("restart policy hides crashes");
    case ContainerFlag::GaveUp:
        return tr("gave up restarting");
    case ContainerFlag::Unhealthy:
        return tr("unhealthy");
    case ContainerFlag::AnonymousVolume:
        return tr("anonymous volume");
    }
    return QString();
}

QString flagId(ContainerFlag flag)
{
    switch (flag) {
    case ContainerFlag::CrashLoop:
        return QStringLiteral("crash-loop");
    case ContainerFlag::DangerousPolicy:
        return QStringLiteral("dangerous-policy");
    case ContainerFlag::GaveUp:
        return QStringLiteral("gave-up");
    case ContainerFlag::Unhealthy:
        return QStringLiteral("unhealthy");
    case ContainerFlag::AnonymousVolume:
        return QStringLiteral("anonymous-volume");
    }
    return QString();
}

QString flagDescription(ContainerFlag flag, const Container &c)
{
    switch (flag) {
    case ContainerFlag::CrashLoop:
        return tr("Crash loop: the container keeps exiting and Docker keeps restarting it "
                  "(restart count %1, last exit code %2). The flag clears once it stays up.")
            .arg(c.restartCount)
            .arg(c.exitCode);
    case ContainerFlag::DangerousPolicy:
        return tr("Restart policy '%1' restarts this container forever, so its crashes look "
                  "like a running service. Prefer on-failure:N.")
            .arg(nameOf(c.restartPolicy));
    case ContainerFlag::GaveUp:
        return tr("Gave up: restart policy %1 is exhausted after %2 restarts; the container "
                  "stays down with exit code %3.")
            .arg(nameOf(c.restartPolicy))
            .arg(c.restartCount)
            .arg(c.exitCode);
    case ContainerFlag::Unhealthy:
        return c.lastHealthOutput.isEmpty()
                   ? tr("Unhealthy: the healthcheck failed %1 times in a row.")
                         .arg(c.healthFailingStreak)
                   : tr("Unhealthy: the healthcheck failed %1 times in a row; last output: %2")
                         .arg(c.healthFailingStreak)
                         .arg(c.lastHealthOutput.left(200));
    case ContainerFlag::AnonymousVolume: {
        QStringList paths;
        for (const Mount &m : c.mounts) {
            if (isAnonymousVolume(m))
                paths << m.destination;
        }
        return tr("Anonymous volume at %1: its data is lost when the container is re-created. "
                  "Use a named volume or a host mount.")
            .arg(paths.join(QLatin1String(", ")));
    }
    }
    return QString();
}

Severity flagSeverity(ContainerFlag flag)
{
    switch (flag) {
    case ContainerFlag::CrashLoop:
    case ContainerFlag::GaveUp:
        return Severity::Critical;
    case ContainerFlag::Unhealthy:
    case ContainerFlag::DangerousPolicy:
        return Severity::Warning;
    case ContainerFlag::AnonymousVolume:
        return Severity::Info;
    }
    return Severity::None;
}

Severity severityOf(const Container &container)
{
    Severity worst = Severity::None;
    for (ContainerFlag f : flagList(container.flags))
        worst = std::max(worst, flagSeverity(f));
    return worst;
}

QList<ContainerFlag> flagList(unsigned flags)
{
    QList<ContainerFlag> result;
    for (ContainerFlag f : kAllFlags) {
        if (flags & static_cast<unsigned>(f))
            result << f;
    }
    return result;
}

QString formatPorts(const QList<PortBinding> &ports)
{
    QStringList parts;
    for (const PortBinding &p : ports) {
        const QString proto = p.protocol.isEmpty() ? QStringLiteral("tcp") : p.protocol;
        if (p.publicPort > 0) {
            const QString ip = p.ip.isEmpty() ? QStringLiteral("0.0.0.0") : p.ip;
            parts << QStringLiteral("%1:%2->%3/%4")
                         .arg(ip)
                         .arg(p.publicPort)
                         .arg(p.privatePort)
                         .arg(proto);
        } else {
            parts << QStringLiteral("%1/%2").arg(p.privatePort).arg(proto);
        }
    }
    return parts.join(QLatin1String(", "));
}

QString nameOf(ContainerAction action)
{
    switch (action) {
    case ContainerAction::Start:
        return QStringLiteral("start");
    case ContainerAction::Stop:
        return QStringLiteral("stop");
    case ContainerAction::Restart:
        return QStringLiteral("restart");
    }
    return QString();
}

} // namespace Opsdeck::Models
