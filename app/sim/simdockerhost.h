// SPDX-License-Identifier: MIT
#pragma once

#include "app/sim/httpserver.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>

namespace Opsdeck::Sim {

/// A container on a simulated Docker host, as the engine would describe it.
struct SimContainer
{
    QString id;   ///< 64 hex digits
    QString name; ///< without the leading '/'
    QString image;
    QStringList cmd;
    QString state = QStringLiteral("created"); ///< created, running, restarting, exited, …
    QString health; ///< empty (no healthcheck), starting, healthy, unhealthy
    int exitCode = 0;
    QString restartPolicy = QStringLiteral("no"); ///< no, always, unless-stopped, on-failure
    int maximumRetryCount = 0;
    int restartCount = 0;
    bool tty = false;
    QDateTime created;
    QDateTime startedAt;
    QDateTime finishedAt;
    QMap<QString, QString> labels;
    QStringList env;
    QJsonArray mounts; ///< inspect's Mounts, as the engine writes them
    QStringList log;   ///< what the process printed, oldest first
    /// Files in the container by absolute path ("/etc/nginx/conf.d/default.conf" → content),
    /// served by GET/HEAD /containers/{id}/archive?path= (Docker API 1.41).
    QMap<QString, QByteArray> files;
    /// Crash behaviour: exits with this code this long after every start (0: runs until stopped).
    int crashAfterMs = 0;
    int crashExitCode = 1;
};

/// One simulated Docker engine: its containers and what happens to them, served over the
/// Engine API subset the console uses (API 1.41): ping, version, info, list, inspect, events,
/// logs, stats, start / stop / restart, and reading a file through the archive endpoint. Faithful enough that the docker CLI works against it.
/// Time runs at @p timeScale (2.0 = twice as fast), so tests need not wait.
class SimDockerHost : public QObject
{
    Q_OBJECT

public:
    explicit SimDockerHost(const QString &name, QObject *parent = nullptr);
    ~SimDockerHost() override;

    bool listen(quint16 port = 0);

    quint16 port() const { return m_server.port(); }

    QString errorString() const { return m_server.errorString(); }

    QString name() const { return m_name; }

    void setTimeScale(double scale) { m_timeScale = scale > 0 ? scale : 1.0; }

    /// Adds a container; it is started when @p running (policies then apply as on a real engine).
    QString addContainer(SimContainer container, bool running);
    const SimContainer *container(const QString &idOrName) const;

    QList<SimContainer> containers() const { return m_containers.values(); }

    void stop();

    // What a person or the engine does; each emits the events a real engine emits.
    bool start(const QString &id);
    bool stopContainer(const QString &id, int timeoutSeconds);
    bool restart(const QString &id, int timeoutSeconds);
    void setHealth(const QString &id, const QString &health);
    void appendLog(const QString &id, const QString &line);
    /// The process exits by itself with @p exitCode (die, then the restart policy applies).
    bool exitContainer(const QString &id, int exitCode);
    /// `docker rm -f`: kills a running container (kill, die), then destroy; its streams end.
    bool removeContainer(const QString &id);

signals:
    void eventEmitted(const QJsonObject &event);

private:
    void handle(HttpExchange *exchange);
    void emitEvent(const SimContainer &c,
                   const QString &action,
                   const QMap<QString, QString> &extra = {});
    void die(const QString &id, int exitCode, bool requested);
    void scheduleCrash(const QString &id);
    QString resolve(const QString &idOrName) const;
    QJsonObject summaryJson(const SimContainer &c) const;
    QJsonObject inspectJson(const SimContainer &c) const;
    QJsonObject statsJson(const SimContainer &c) const;
    QByteArray logFrames(const SimContainer &c, const QStringList &lines) const;
    void serveArchive(HttpExchange *exchange, const SimContainer &c);

    int scaled(int ms) const { return std::max(1, int(ms / m_timeScale)); }

    QString m_name;
    HttpServer m_server;
    double m_timeScale = 1.0;
    QMap<QString, SimContainer> m_containers; ///< by id
    QList<QPointer<HttpExchange>> m_eventStreams;
    QMap<QString, QList<QPointer<HttpExchange>>> m_logStreams; ///< by container id
    quint64 m_generation = 0; ///< invalidates pending crash timers on start/stop
    QMap<QString, quint64> m_runGeneration;
};

} // namespace Opsdeck::Sim
