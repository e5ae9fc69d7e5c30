// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QList>
#include <QPointer>
#include <QString>

namespace Opsdeck::Sim {

class SimDockerHost;

/// A Mesos agent of the simulated estate. Each agent is also a simulated Docker host: a task
/// placed on the agent runs as a container on that host, so the console sees one world.
struct SimAgent
{
    QString id;       ///< Mesos agent id, e.g. "3f1c…-S0"
    QString hostname; ///< what Marathon reports as a task's host
    double cpus = 8;
    double memMb = 32768;
    double diskMb = 512000;
    int portsBegin = 31000;
    int portsEnd = 32000;
    QPointer<SimDockerHost> docker; ///< not owned
};

/// A Marathon task as the Mesos master sees it (its `frameworks[].tasks[]`).
struct SimTask
{
    QString id; ///< Marathon task id
    QString appId;
    QString agentId;
    QString state; ///< TASK_STAGING, TASK_STARTING, TASK_RUNNING, TASK_KILLING, …
    double cpus = 0;
    double memMb = 0;
    double diskMb = 0;
    QList<int> ports;
    QDateTime stagedAt;
    QDateTime startedAt;
    bool hasHealth = false; ///< the app has health checks
    bool healthy = false;
};

} // namespace Opsdeck::Sim
