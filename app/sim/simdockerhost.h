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
#include <utility>

namespace Opsdeck::Sim {

/// How the process in a container of an image behaves once started.
enum class SimBehaviour {
    Normal,       ///< runs until stopped; its health check passes
    NeverHealthy, ///< runs until stopped; its health check fails every time
    Crash,        ///< exits with code 1 shortly after every start
};

/// An image on a simulated Docker host: what containers created from it inherit (the image's
/// Config in Docker API 1.41: Env, Cmd, Entrypoint, Labels, Healthcheck, ExposedPorts).
struct SimImage
{
    QString name; ///< "repo:tag", e.g. "registry.example.com/shop/shop-api:1.4.2"
    QString id;   ///< "sha256:" and 64 hex digits; empty: derived from the name
    QStringList env;
    QStringList cmd;
    QStringList entrypoint;
    QMap<QString, QString> labels;
    /// Test, Interval, Timeout, Retries, StartPeriod (durations in ns); empty: none.
    QJsonObject healthcheck;
    QJsonObject exposedPorts; ///< {"8080/tcp": {}}
    SimBehaviour behaviour = SimBehaviour::Normal;
    int crashAfterMs = 500; ///< SimBehaviour::Crash: how long the process lives
    QDateTime created;
    qint64 size = 80 * 1024 * 1024;
};

/// A container on a simulated Docker host, as the engine would describe it.
struct SimContainer
{
    QString id;      ///< 64 hex digits
    QString name;    ///< without the leading '/'
    QString image;   ///< Config.Image: the name as given at create
    QString imageId; ///< empty: the registered image's id, or one derived from the name
    QStringList cmd;
    QStringList entrypoint;
    QString state = QStringLiteral("created"); ///< created, running, restarting, exited, …
    /// Empty (no health check), starting, healthy, unhealthy. Set to anything when added without
    /// a healthcheck, it asks for a default one (healthy one second after start).
    QString health;
    /// Config.Healthcheck: Test, Interval, Timeout, Retries, StartPeriod (ns); empty: none.
    QJsonObject healthcheck;
    int failingStreak = 0;
    QJsonArray healthLog;    ///< State.Health.Log: the last five probe results, oldest first
    bool probesFail = false; ///< its health check never passes (SimBehaviour::NeverHealthy)
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
    QString hostname; ///< empty: the first 12 digits of the id, as Docker does
    QJsonObject exposedPorts;
    /// Other Config keys given at create (User, WorkingDir, StopSignal, Volumes, …), verbatim.
    QJsonObject extraConfig;
    /// HostConfig as given at create, verbatim (PortBindings, LogConfig, resources, …); inspect
    /// overrides RestartPolicy, Binds and NetworkMode with the fields of this struct.
    QJsonObject hostConfig;
    QStringList binds; ///< HostConfig.Binds; empty for a container added with mounts: derived
    QString networkMode = QStringLiteral("none");
    QJsonObject networks; ///< NetworkSettings.Networks; empty: derived from networkMode
    QJsonArray mounts;    ///< inspect's Mounts, as the engine writes them
    QStringList log;      ///< what the process printed, oldest first
    /// Files in the container by absolute path ("/etc/nginx/conf.d/default.conf" → content),
    /// served by GET/HEAD /containers/{id}/archive?path= (Docker API 1.41).
    QMap<QString, QByteArray> files;
    /// Crash behaviour: exits with this code this long after every start (0: runs until stopped).
    int crashAfterMs = 0;
    int crashExitCode = 1;
};

/// What an Engine API call answered: an HTTP status and, for errors, Docker's message.
struct SimApiResult
{
    SimApiResult(int status_ = 200, QString message_ = {}, QString id_ = {})
        : status(status_)
        , message(std::move(message_))
        , id(std::move(id_))
    {}

    int status;
    QString message; ///< the error's "message", as Docker words it
    QString id;      ///< create: the new container's id

    bool ok() const { return status < 300; }
};

/// One simulated Docker engine: its images, its containers and what happens to them, served
/// over the Engine API subset the console and its rolling updates use (API 1.41): ping, version,
/// events, containers (list, inspect, create, rename, remove, update, start / stop / restart,
/// logs, stats, reading a file through the archive endpoint) and images (list, inspect).
/// Health checks run as the container's Healthcheck says. Faithful enough that the docker CLI
/// works against it.
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

    /// Registers an image (an image with the same name is replaced, like a re-tag). A container
    /// added with an image not registered registers a plain one.
    void addImage(SimImage image);
    /// A file on the host, which containers see through their bind mounts (archive endpoint).
    void setHostFile(const QString &path, const QByteArray &content);
    /// By "repo:tag" (":latest" when no tag), by id or by a unique prefix of it.
    const SimImage *image(const QString &nameOrId) const;

    QList<SimImage> images() const { return m_images; }

    /// POST /containers/create?name=@p name with @p body (Config + HostConfig +
    /// NetworkingConfig), merged with the image's config as Docker does. 201 with the id.
    SimApiResult createContainer(const QString &name, const QJsonObject &body);
    /// POST /containers/{id}/rename?name=: 204, 404 unknown, 409 name in use.
    SimApiResult renameContainer(const QString &idOrName, const QString &newName);
    /// DELETE /containers/{id}: 204, 404, 409 when running and not @p force.
    SimApiResult deleteContainer(const QString &idOrName, bool force);
    /// POST /containers/{id}/update: the restart policy (and other HostConfig keys).
    SimApiResult updateContainer(const QString &idOrName, const QJsonObject &body);

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
    /// 409 when a container is called @p name already, as the engine says it.
    SimApiResult nameConflict(const QString &name) const;
    void emitEvent(const SimContainer &c,
                   const QString &action,
                   const QMap<QString, QString> &extra = {});
    void die(const QString &id, int exitCode, bool requested);
    void scheduleProbe(const QString &id, quint64 run);
    void probe(const QString &id, quint64 run);
    QString resolve(const QString &idOrName) const;
    int imageIndex(const QString &nameOrId) const;
    QString imageIdOf(const SimContainer &c) const;
    QJsonObject imageSummaryJson(const SimImage &image) const;
    QJsonObject imageInspectJson(const SimImage &image) const;
    QJsonObject networksOf(const SimContainer &c) const;
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
    QList<SimImage> m_images; ///< those added, and one for each image a container was added with
    QMap<QString, QByteArray> m_hostFiles; ///< by absolute path on the host

    struct EventStream
    {
        QPointer<HttpExchange> exchange;
        QMap<QString, QStringList> filters; ///< the request's ?filters=, as the engine reads it
    };

    QList<EventStream> m_eventStreams;
    QMap<QString, QList<QPointer<HttpExchange>>> m_logStreams; ///< by container id
    quint64 m_generation = 0; ///< invalidates pending crash timers on start/stop
    QMap<QString, quint64> m_runGeneration;
};

} // namespace Opsdeck::Sim
