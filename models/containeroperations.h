// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

namespace Opsdeck::Models {

enum class ContainerAction {
    Start,
    Stop,
    Restart,
};

QString nameOf(ContainerAction action);

/// CPU and memory of a container, computed from two samples the way `docker stats` does.
struct ContainerStats
{
    double cpuPercent = 0.0;
    bool cpuKnown = false; ///< false until a second sample exists
    quint64 memoryUsed = 0;
    quint64 memoryLimit = 0;
    double memoryPercent = 0.0;
    int pids = 0;
};

/// A live log tail of one container. Emits lines as they arrive; delete it to stop following.
class LogFollower : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

signals:
    void linesReceived(const QStringList &lines);
    void failed(const QString &message);
    /// The stream ended (container stopped, or not following).
    void ended();
};

/// What the front ends (desktop, later the feed) may ask of containers. The app implements it
/// over the connectors, so views never depend on a wire protocol.
class ContainerOperations : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    /// Asynchronous; answered by actionFinished. Does not ask for confirmation: callers do.
    virtual void
    requestAction(const QString &environment, const QString &key, ContainerAction action) = 0;
    /// Starts a log tail of the last @p tail lines that follows new output. Caller owns it.
    virtual LogFollower *followLogs(const QString &environment, const QString &key, int tail) = 0;
    /// Asynchronous; answered by statsReady or statsFailed.
    virtual void requestStats(const QString &environment, const QString &key) = 0;

signals:
    void actionFinished(const QString &environment,
                        const QString &key,
                        Opsdeck::Models::ContainerAction action,
                        bool ok,
                        const QString &message);
    void statsReady(const QString &environment,
                    const QString &key,
                    const Opsdeck::Models::ContainerStats &stats);
    void statsFailed(const QString &environment, const QString &key, const QString &message);
};

} // namespace Opsdeck::Models

Q_DECLARE_METATYPE(Opsdeck::Models::ContainerStats)
Q_DECLARE_METATYPE(Opsdeck::Models::ContainerAction)
