// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace Opsdeck::Models {

/// Docker's State.Status. `Restarting` is its own state and is never shown as running.
enum class ContainerState {
    Unknown,
    Created,
    Running,
    Paused,
    Restarting,
    Removing,
    Exited,
    Dead,
};

enum class HealthStatus {
    None, ///< no healthcheck configured
    Starting,
    Healthy,
    Unhealthy,
};

enum class RestartPolicyKind {
    No,
    Always,
    UnlessStopped,
    OnFailure,
};

struct RestartPolicy
{
    RestartPolicyKind kind = RestartPolicyKind::No;
    int maximumRetryCount = 0; ///< only meaningful for OnFailure

    bool operator==(const RestartPolicy &) const = default;
};

struct Mount
{
    QString type; ///< bind, volume, tmpfs, npipe
    QString name; ///< volume name; 64 hex digits for an anonymous volume
    QString source;
    QString destination;
    QString mode;
    bool readWrite = true;

    bool operator==(const Mount &) const = default;
};

struct PortBinding
{
    QString ip;
    int privatePort = 0;
    int publicPort = 0; ///< 0 when not published
    QString protocol;

    bool operator==(const PortBinding &) const = default;
};

/// Why a container deserves attention. Each flag is explained in words by flagDescription().
enum class ContainerFlag : unsigned {
    CrashLoop = 1u << 0,
    DangerousPolicy = 1u << 1,
    GaveUp = 1u << 2,
    Unhealthy = 1u << 3,
    AnonymousVolume = 1u << 4,
};

enum class Severity {
    None,
    Info,
    Warning,
    Critical,
};

/// One container on one Docker host, merged from the list summary and the inspect call.
struct Container
{
    QString hostId;
    QString id;
    QString name;  ///< without Docker's leading '/'
    QString image; ///< Config.Image: the name it was created from
    QString imageId;
    QString command;
    ContainerState state = ContainerState::Unknown;
    QString statusText; ///< Docker's own words, e.g. "Up 3 minutes (healthy)"
    HealthStatus health = HealthStatus::None;
    int healthFailingStreak = 0;
    QString lastHealthOutput;
    int exitCode = 0;
    bool oomKilled = false;
    QString error;
    RestartPolicy restartPolicy;
    int restartCount = 0;
    QDateTime createdAt;
    QDateTime startedAt;
    QDateTime finishedAt;
    QMap<QString, QString> labels;
    QStringList env; ///< KEY=VALUE, as Docker gives them
    QList<Mount> mounts;
    QList<PortBinding> ports;
    QStringList networks;
    bool tty = false;
    bool inspected = false; ///< false while only the list summary is known

    /// Flags computed by the store's CrashLoopTracker; not part of Docker's data.
    unsigned flags = 0;

    QString key() const { return hostId + QLatin1Char('/') + id; }

    bool hasFlag(ContainerFlag f) const { return flags & static_cast<unsigned>(f); }
};

QString nameOf(ContainerState state);
ContainerState containerStateFromString(QStringView text);
QString nameOf(HealthStatus health);
HealthStatus healthStatusFromString(QStringView text);
QString nameOf(const RestartPolicy &policy);
RestartPolicy restartPolicyFrom(QStringView name, int maximumRetryCount);

/// The state as a person should read it: "running (unhealthy)", never plain "running" for an
/// unhealthy or restarting container.
QString displayState(const Container &container);

/// True for a Docker volume whose name Docker generated (64 hex digits): its data does not
/// survive re-creating the container.
bool isAnonymousVolume(const Mount &mount);

/// The flag in words for people (translated).
QString flagName(ContainerFlag flag);
/// A stable identifier for machines: "crash-loop", "dangerous-policy", "gave-up", "unhealthy",
/// "anonymous-volume" (the feed, `status --json`, alert keys). Never translated.
QString flagId(ContainerFlag flag);
QString flagDescription(ContainerFlag flag, const Container &container);
Severity flagSeverity(ContainerFlag flag);
/// The highest severity among the container's flags.
Severity severityOf(const Container &container);
/// All set flags of @p flags in a fixed order.
QList<ContainerFlag> flagList(unsigned flags);

/// Formats the ports as Docker's CLI does: "127.0.0.1:8080->80/tcp, 443/tcp".
QString formatPorts(const QList<PortBinding> &ports);

} // namespace Opsdeck::Models
