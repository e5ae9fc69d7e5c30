// SPDX-License-Identifier: MIT
#pragma once

#include "models/container.h"
#include "models/environmentsconfig.h"
#include "models/result.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace Opsdeck::Models {

/// Which containers make up a service: those whose label `label` equals `service`, or whose name
/// matches `namePattern` (a regular expression; its group `service`, when it has one, must equal
/// `service`), or — with neither — those named `service` or `service-N` / `service_N`.
struct ServiceSelector
{
    QString service;
    QString label;       ///< e.g. "com.example.service"; empty: not by label
    QString namePattern; ///< empty: not by pattern

    /// From the environments file's service rule (settings.config_diff.service_rule).
    static ServiceSelector fromRule(const QString &service, const ServiceRule &rule);
    /// Checks the pattern; an Error says what is wrong with it.
    Result<bool> validate() const;
    bool matches(const QString &containerName, const QMap<QString, QString> &labels) const;
    /// "label com.example.service=shop-api", for people.
    QString describe() const;
};

/// How a new instance proves it serves when its image has no Docker health check: a TCP connect
/// or an HTTP GET answered 2xx/3xx. `{host}` stands for the Docker host's address (127.0.0.1 for
/// a unix socket), `{label:NAME}` for the value of the container's label NAME:
/// "http://{host}:{label:shop.port}/health", "tcp://{host}:8080".
struct ProbeSpec
{
    QString url; ///< empty: no probe

    static Result<ProbeSpec> parse(const QString &text);
    /// The probe of one instance with its placeholders filled in; an Error when a label is missing.
    Result<QString> resolve(const QString &hostAddress, const QMap<QString, QString> &labels) const;

    bool operator==(const ProbeSpec &) const = default;
};

/// What a person asked for: roll `selector.service` in `environment` to `image` (empty: a rolling
/// restart), `batchSize` instances at a time, never below `minHealthy` healthy instances.
struct DockerRolloutRequest
{
    QString environment;
    ServiceSelector selector;
    QString image;                   ///< empty: restart with the current image
    int batchSize = 1;               ///< instances replaced at once
    int minHealthy = -1;             ///< −1: healthy now − batch size
    QString hostTag;                 ///< empty: every Docker host of the environment
    bool canary = false;             ///< the first batch is one instance, then a soak or a go-ahead
    qint64 canarySoakMs = 0;         ///< 0 with canary: wait for a person's go-ahead
    qint64 healthTimeoutMs = 120000; ///< a new instance must be healthy this soon
    /// Without health check and probe: running this long without a restart counts as healthy.
    qint64 stableMs = 10000;
    /// −1: the container's own StopTimeout (docker run --stop-timeout; Docker's default 10 s).
    int stopTimeoutSeconds = -1;
    ProbeSpec probe;

    bool isRestart() const { return image.isEmpty(); }
};

/// One container of the service, as found on its host before anything changes.
struct RolloutInstance
{
    QString host;        ///< Docker host name
    QString hostAddress; ///< where probes connect: 127.0.0.1 for a unix socket
    QString id;
    QString name;
    QString image; ///< Config.Image
    ContainerState state = ContainerState::Unknown;
    HealthStatus health = HealthStatus::None;
    QMap<QString, QString> labels;
    QJsonObject inspect;      ///< GET /containers/{id}/json, whole
    QJsonObject imageInspect; ///< GET /images/{Image}/json of the image it runs (may be empty)

    /// Running, and healthy or without a health check: it serves now.
    bool serving() const;
};

/// The whole rolling update before it starts: the instances in order and how they are batched.
struct DockerRolloutPlan
{
    DockerRolloutRequest request;
    QList<RolloutInstance> instances; ///< in the order they are replaced
    QList<QList<int>> batches;        ///< indexes into instances
    int minHealthy = 0;
    int servingNow = 0;
    int fewestServing = 0; ///< during the rollout, counted as the plan goes
    QStringList warnings;

    /// The dry run: what would happen, batch by batch, in words.
    QString describe() const;
};

/// Orders and batches @p found (the matching containers of every target host) for @p request.
/// An Error when nothing matches, the numbers are invalid, or a batch would take the service
/// below its minimum healthy count.
Result<DockerRolloutPlan> planDockerRollout(const DockerRolloutRequest &request,
                                            QList<RolloutInstance> found);

/// The body of POST /containers/create that re-creates @p old (an inspect) with @p newImage
/// (empty: the same image). What the old image itself set (its Env entries, Cmd, Entrypoint,
/// labels, health check; from @p oldImage, an image inspect) is left out, so that the new image's
/// own defaults apply; everything the container was given — command, env, labels, mounts (and
/// its anonymous volumes, by name, so their data follows), ports, restart policy, networks,
/// health check — is kept.
QJsonObject
recreateContainerBody(const QJsonObject &old, const QJsonObject &oldImage, const QString &newImage);

/// The name under which the old container is kept while its replacement runs.
QString keptOldName(const QString &name, const QString &rolloutId);
/// The name under which a failed replacement is kept after a rollback, for its logs.
QString keptFailedName(const QString &name, const QString &rolloutId);

// ---- Progress: shared by Docker and Marathon rollouts, shown by the rollouts panel. ----

enum class RolloutStep {
    Pending,
    Renaming,       ///< the old container gets its kept name
    Stopping,       ///< the old container stops
    Creating,       ///< the new container is created
    Starting,       ///< … and started
    WaitingHealthy, ///< health check, probe or stable time
    Done,
    RollingBack, ///< the old container comes back
    RolledBack,
    Failed, ///< could not be restored: the message says what is where
};

QString nameOf(RolloutStep step);
/// Finished, for better or worse.
bool isFinal(RolloutStep step);

enum class RolloutPhase {
    Running,
    Paused,
    WaitingGoAhead, ///< the canary is healthy; a person decides
    Soaking,        ///< the canary is healthy; the soak time runs
    RollingBack,
    Succeeded,
    RolledBack, ///< failed, and everything changed was restored
    Aborted,    ///< a person aborted, and everything changed was restored
    Failed,     ///< failed, and some of it could not be restored
};

QString nameOf(RolloutPhase phase);
bool isFinal(RolloutPhase phase);

struct InstanceProgress
{
    QString host;
    QString name;
    QString oldId;
    QString newId;
    RolloutStep step = RolloutStep::Pending;
    QString message;
    qint64 startedMs = 0; ///< epoch ms; 0 until it starts
    qint64 endedMs = 0;
};

struct RolloutLogLine
{
    qint64 timeMs = 0;
    QString text;
};

/// Where one rollout stands; emitted whole on every change (it is small).
struct RolloutProgress
{
    QString id;   ///< unique per rollout
    QString kind; ///< "docker" or "marathon"
    QString environment;
    QString service;
    QString image; ///< empty: a restart
    RolloutPhase phase = RolloutPhase::Running;
    QString summary; ///< the outcome in a sentence, once final
    QList<InstanceProgress> instances;
    QList<RolloutLogLine> log;
    qint64 startedMs = 0;
    qint64 endedMs = 0;
    int batchSize = 1;

    int doneCount() const;
    /// 0..1 of the instances replaced.
    double fraction() const;
    qint64 elapsedMs(qint64 nowMs) const;
    /// From the mean time of finished instances; nullopt until one has finished, or when final.
    std::optional<qint64> etaMs(qint64 nowMs) const;
};

} // namespace Opsdeck::Models

Q_DECLARE_METATYPE(Opsdeck::Models::RolloutProgress)
