// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace Opsdeck::Models {

/// Marathon's upgradeStrategy: how many instances must stay healthy, how many may run extra.
struct UpgradeStrategy
{
    double minimumHealthCapacity = 1.0; ///< 0..1
    double maximumOverCapacity = 1.0;   ///< 0..1

    bool operator==(const UpgradeStrategy &) const = default;
};

/// Marathon's last task failure of an app.
struct TaskFailure
{
    QString taskId;
    QString host;
    QString state; ///< TASK_FAILED, …
    QString message;
    QString version;
    QDateTime timestamp;

    bool operator==(const TaskFailure &) const = default;
};

/// One Marathon app, as /v2/apps with embeds describes it.
struct MarathonApp
{
    QString id;        ///< absolute path, "/prod/web"
    int instances = 0; ///< wanted
    double cpus = 0;
    double memMb = 0;
    double diskMb = 0;
    QString containerType; ///< DOCKER, MESOS, or empty for a command app
    QString image;         ///< container.docker.image (or container.image for MESOS)
    QString cmd;
    QMap<QString, QString> env; ///< values as given; secrets ({"secret":…}) as "<secret:name>"
    QMap<QString, QString> labels;
    int healthCheckCount = 0;
    UpgradeStrategy upgradeStrategy;
    QString version; ///< ISO-8601, as Marathon writes it
    QDateTime lastConfigChangeAt;
    QDateTime lastScalingAt;
    int tasksStaged = 0;
    int tasksRunning = 0;
    int tasksHealthy = 0;
    int tasksUnhealthy = 0;
    QStringList deploymentIds; ///< non-empty: a deployment touches this app
    std::optional<TaskFailure> lastTaskFailure;

    bool operator==(const MarathonApp &) const = default;
};

enum class TaskHealth {
    None,      ///< the app has no health checks, or no result yet
    Healthy,   ///< every result alive
    Unhealthy, ///< at least one result failing
};

/// One task of an app (/v2/apps/{id}/tasks, or the tasks embed).
struct MarathonTask
{
    QString id;
    QString appId;
    QString host;
    QString agentId; ///< slaveId
    QList<int> ports;
    QString state; ///< Mesos state, TASK_RUNNING …
    QDateTime stagedAt;
    QDateTime startedAt;
    QString version; ///< app version this task runs; differs from the app's during an upgrade
    TaskHealth health = TaskHealth::None;
    QString healthMessage; ///< lastFailureCause of a failing check

    bool operator==(const MarathonTask &) const = default;
};

/// A deployment in progress (/v2/deployments). Finished deployments disappear from Marathon.
struct MarathonDeployment
{
    struct Action
    {
        QString action; ///< StartApplication, RestartApplication, ScaleApplication, …
        QString app;

        bool operator==(const Action &) const = default;
    };

    QString id;
    QString version;
    QStringList affectedApps;
    QList<QList<Action>> steps;
    QList<Action> currentActions;
    int currentStep = 0; ///< 1-based
    int totalSteps = 0;
    QDateTime firstSeen; ///< when Opsdeck first saw it; Marathon has no start time

    bool operator==(const MarathonDeployment &) const = default;
};

/// Scalar resources of a Mesos agent; mem and disk in MB.
struct MesosResources
{
    double cpus = 0;
    double memMb = 0;
    double diskMb = 0;
    double gpus = 0;

    bool operator==(const MesosResources &) const = default;
};

/// A Mesos agent from /master/state.
struct MesosAgent
{
    QString id;
    QString hostname;
    bool active = true;
    MesosResources total;
    MesosResources used;
    int taskCount = 0; ///< non-terminal tasks of all frameworks on this agent
    QDateTime registeredAt;
    QMap<QString, QString> attributes;

    bool operator==(const MesosAgent &) const = default;
};

/// "none", "healthy", "unhealthy".
QString nameOf(TaskHealth health);

/// The time in a Marathon version string (ISO-8601, "2015-09-30T09:09:17.614Z"), in UTC;
/// invalid when it is not one.
QDateTime versionTime(const QString &version);

/// TASK_FINISHED, TASK_FAILED, TASK_KILLED, TASK_LOST, TASK_ERROR, TASK_DROPPED, TASK_GONE,
/// TASK_GONE_BY_OPERATOR: the task is over (apis.md §2.3, §3.2).
bool isTerminalTaskState(const QString &state);

} // namespace Opsdeck::Models
