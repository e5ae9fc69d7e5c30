// SPDX-License-Identifier: MIT
#pragma once

#include "models/marathon.h"
#include "models/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace Opsdeck::Connectors {

/// Reads typed fields out of parsed JSON and keeps the first type error with its path, e.g.
/// "apps[3].instances: expected a number". An absent or null field gives the default; a field of
/// the wrong type is an error (a server that changed its schema must not show as zeros).
/// Shared by the Marathon and Mesos parsers.
class JsonFieldReader
{
public:
    /// @p json as a JSON object, or where it is broken ("malformed JSON at offset 17: …").
    static Models::Result<QJsonObject> parseObject(const QByteArray &json);

    bool failed() const { return !m_error.isEmpty(); }

    QString error() const { return m_error; }

    /// @p value, or the first error when there is one.
    template<typename T>
    Models::Result<T> result(T value) const
    {
        if (failed())
            return Models::Result<T>::failure(m_error);
        return value;
    }

    /// Records @p message at @p path unless an earlier error is already recorded.
    void fail(const QString &path, const QString &message);

    static QString member(const QString &path, const QString &key);
    static QString element(const QString &path, qsizetype index);

    QString string(const QJsonObject &o, const QString &key, const QString &path);
    /// A required non-empty string.
    QString requiredString(const QJsonObject &o, const QString &key, const QString &path);
    int integer(const QJsonObject &o, const QString &key, const QString &path, int fallback = 0);
    double
    number(const QJsonObject &o, const QString &key, const QString &path, double fallback = 0);
    bool boolean(const QJsonObject &o, const QString &key, const QString &path, bool fallback);
    QJsonObject object(const QJsonObject &o, const QString &key, const QString &path);
    QJsonArray array(const QJsonObject &o, const QString &key, const QString &path);
    /// An ISO-8601 time ("2015-09-30T09:09:17.614Z"); absent or empty is an invalid QDateTime.
    QDateTime time(const QJsonObject &o, const QString &key, const QString &path);
    /// An object of string values.
    QMap<QString, QString> stringMap(const QJsonObject &o, const QString &key, const QString &path);
    /// An array of strings.
    QStringList stringList(const QJsonObject &o, const QString &key, const QString &path);
    /// Element @p index of @p array as an object (an error when it is not one).
    QJsonObject objectAt(const QJsonArray &array, qsizetype index, const QString &path);

    /// Calls @p f(object, objectPath) for each element of the array at @p key (an element that is
    /// no object is an error, and passed as an empty object); stops after the first error.
    /// Returns the array's size.
    template<typename F>
    qsizetype forEachObject(const QJsonObject &o, const QString &key, const QString &path, F &&f)
    {
        const QString at = member(path, key);
        const QJsonArray list = array(o, key, path);
        for (qsizetype i = 0; i < list.size() && !failed(); ++i)
            f(objectAt(list, i, at), element(at, i));
        return list.size();
    }

private:
    /// The value at @p key when it has @p type; undefined when absent or null, and when it has
    /// another type (then an error: "expected @p what, got …").
    QJsonValue typed(const QJsonObject &o,
                     const QString &key,
                     const QString &path,
                     QJsonValue::Type type,
                     const char *what);

    QString m_error;
};

/// A port mapping of an app's container (container.portMappings, or container.docker.portMappings
/// before Marathon 1.5). The domain type has no place for it yet; the parser checks it all the same.
struct MarathonPortMapping
{
    int containerPort = 0;
    int hostPort = 0;
    int servicePort = 0;
    QString protocol; ///< "tcp", "udp", "udp,tcp"
    QString name;

    bool operator==(const MarathonPortMapping &) const = default;
};

/// GET /v2/apps?embed=apps.tasks&embed=apps.lastTaskFailure: every app, and the tasks of all.
struct MarathonAppsSnapshot
{
    QList<Models::MarathonApp> apps;
    QList<Models::MarathonTask> tasks;
    QMap<QString, QList<MarathonPortMapping>> portMappings; ///< by app id
};

/// What /v2/leader or /v2/info says about the leader.
struct MarathonLeaderInfo
{
    QString leader;  ///< "host:port"
    QString version; ///< /v2/info only
    bool elected = false;
};

/// One frame of /v2/events, reduced to what cache invalidation needs (API reference 2.6).
struct MarathonEvent
{
    QString eventType;
    QString appId;        ///< appId, or runSpecId of instance events
    QString taskId;       ///< taskId, or instanceId
    QString status;       ///< taskStatus (TASK_*) or condition
    QString deploymentId; ///< id of deployment_success / _failed, plan.id of deployment_info / step
    QDateTime timestamp;
};

/// Which listings an event makes stale.
enum class MarathonRefresh {
    None = 0,
    Apps = 1,        ///< /v2/apps (tasks, counts, app definitions)
    Deployments = 2, ///< /v2/deployments
    Both = 3,
};

MarathonRefresh marathonRefreshFor(const QString &eventType);

/// The event types Opsdeck subscribes to (the event_type= filter, Marathon >= 1.3.7).
QStringList marathonEventTypes();

/// GET /v2/apps: {"apps": [...]}.
Models::Result<MarathonAppsSnapshot> parseMarathonApps(const QByteArray &json);
/// GET /v2/apps/{id}: {"app": {...}}; the tasks embedded with it are returned in the snapshot.
Models::Result<MarathonAppsSnapshot> parseMarathonApp(const QByteArray &json);
/// GET /v2/apps/{id}/tasks: {"tasks": [...]}.
Models::Result<QList<Models::MarathonTask>> parseMarathonTasks(const QByteArray &json);
/// GET /v2/deployments: [...]. firstSeen is left empty (the connector knows when it saw one).
Models::Result<QList<Models::MarathonDeployment>> parseMarathonDeployments(const QByteArray &json);
/// GET /v2/leader ({"leader": "host:port"}) or GET /v2/info (leader, version, elected).
Models::Result<MarathonLeaderInfo> parseMarathonLeader(const QByteArray &json);
/// The data of one SSE frame of /v2/events.
Models::Result<MarathonEvent> parseMarathonEvent(const QByteArray &json);
/// The answer to a change (restart, PUT, rollback): {"deploymentId": "…", "version": "…"}.
Models::Result<QString> parseMarathonDeploymentId(const QByteArray &json);

/// The body of PUT /v2/apps/{id} that changes only the image: the app's WHOLE container object
/// (from the GET /v2/apps/{id} answer @p appJson) with the image replaced. A PUT replaces every
/// top-level field it sends, so sending only the image would drop type, ports and volumes
/// (API reference 2.4).
Models::Result<QByteArray> marathonImageUpdateBody(const QByteArray &appJson, const QString &image);

/// A refused change in words, from the status and Marathon's error body: 409 names the deployments
/// that lock the app, 404 what does not exist, 422 / 400 each invalid field.
QString describeMarathonError(int status, const QByteArray &body);

/// One Server-Sent Event.
struct SseEvent
{
    QByteArray event = "message"; ///< the "event:" field, "message" without one
    QByteArray data;              ///< "data:" lines joined with '\n'
    QByteArray id;

    bool operator==(const SseEvent &) const = default;
};

/// An incremental parser of the text/event-stream framing (WHATWG HTML, "Server-sent events"):
/// lines end in LF, CRLF or CR (also split across chunks), "field: value" with one optional
/// space, several data lines joined with LF, comments (":…") and unknown fields ignored, an
/// event dispatched at a blank line only when it has data. Chunks may split anywhere, even
/// inside a UTF-8 sequence.
class SseParser
{
public:
    /// The complete events in @p chunk.
    QList<SseEvent> feed(const QByteArray &chunk);

    /// The last "retry:" value, or -1.
    int retryMs() const { return m_retryMs; }

    /// A line or an event larger than this is not Marathon's: it is dropped whole.
    static constexpr qsizetype kMaxEventBytes = 16 * 1024 * 1024;

private:
    void processLine(QByteArray line, QList<SseEvent> &out);

    QByteArray m_line;
    bool m_afterCr = false;     ///< the last byte was CR: a following LF ends nothing
    bool m_bomDone = false;     ///< a UTF-8 BOM is only skipped at the very start
    bool m_lineTooLong = false; ///< dropping the bytes of an oversized line
    bool m_eventBroken = false; ///< dropping the rest of its event, up to the blank line
    SseEvent m_pending;
    bool m_hasData = false;
    int m_retryMs = -1;
};

} // namespace Opsdeck::Connectors
