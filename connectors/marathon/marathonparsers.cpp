// SPDX-License-Identifier: MIT
#include "connectors/marathon/marathonparsers.h"

#include <QCoreApplication>
#include <QJsonDocument>

#include <cmath>
#include <limits>
#include <utility>

namespace Opsdeck::Connectors {

using namespace Opsdeck::Models;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::Connectors::MarathonParsers", text);
}

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

/// The document, or where it is broken: "malformed JSON at offset 17: unterminated string".
Result<QJsonDocument> parseJson(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return Result<QJsonDocument>::failure(
            tr("malformed JSON at offset %1: %2").arg(error.offset).arg(error.errorString()));
    return doc;
}

QString typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

QString expected(const char *what, const QJsonValue &got)
{
    return tr("expected %1, got %2").arg(QLatin1String(what), typeName(got));
}

MarathonTask parseTask(JsonFieldReader &r,
                       const QJsonObject &o,
                       const QString &path,
                       const QString &defaultAppId)
{
    MarathonTask t;
    t.id = r.requiredString(o, key("id"), path);
    t.appId = r.string(o, key("appId"), path);
    if (t.appId.isEmpty())
        t.appId = defaultAppId;
    t.host = r.string(o, key("host"), path);
    t.agentId = r.string(o, key("slaveId"), path);
    const QString portsPath = JsonFieldReader::member(path, key("ports"));
    const QJsonArray ports = r.array(o, key("ports"), path);
    for (qsizetype i = 0; i < ports.size(); ++i) {
        const QJsonValue p = ports.at(i);
        const double d = p.toDouble(-1);
        if (!p.isDouble() || d < 0 || d > 65535 || d != std::floor(d)) {
            r.fail(JsonFieldReader::element(portsPath, i), tr("expected a port number"));
            break;
        }
        t.ports << int(d);
    }
    t.state = r.string(o, key("state"), path);
    t.stagedAt = r.time(o, key("stagedAt"), path);
    t.startedAt = r.time(o, key("startedAt"), path);
    t.version = r.string(o, key("version"), path);
    // Marathon counts a task healthy when it has results and all are alive (reference 2.2).
    r.forEachObject(o,
                    key("healthCheckResults"),
                    path,
                    [&](const QJsonObject &result, const QString &resultPath) {
                        const bool alive = r.boolean(result, key("alive"), resultPath, false);
                        if (alive) {
                            if (t.health == TaskHealth::None)
                                t.health = TaskHealth::Healthy;
                        } else {
                            if (t.health != TaskHealth::Unhealthy)
                                t.healthMessage =
                                    r.string(result, key("lastFailureCause"), resultPath);
                            t.health = TaskHealth::Unhealthy;
                        }
                    });
    return t;
}

QList<MarathonPortMapping>
parsePortMappings(JsonFieldReader &r, const QJsonObject &holder, const QString &holderPath)
{
    QList<MarathonPortMapping> out;
    r.forEachObject(
        holder, key("portMappings"), holderPath, [&](const QJsonObject &m, const QString &at) {
            MarathonPortMapping pm;
            pm.containerPort = r.integer(m, key("containerPort"), at);
            pm.hostPort = r.integer(m, key("hostPort"), at);
            pm.servicePort = r.integer(m, key("servicePort"), at);
            pm.protocol = r.string(m, key("protocol"), at);
            if (pm.protocol.isEmpty())
                pm.protocol = QStringLiteral("tcp");
            pm.name = r.string(m, key("name"), at);
            out << pm;
        });
    return out;
}

/// One app of /v2/apps (or the app of /v2/apps/{id}); its embedded tasks go to @p tasks.
MarathonApp parseApp(JsonFieldReader &r,
                     const QJsonObject &o,
                     const QString &path,
                     QList<MarathonTask> &tasks,
                     QList<MarathonPortMapping> &portMappings)
{
    MarathonApp app;
    app.id = r.requiredString(o, key("id"), path);
    app.instances = r.integer(o, key("instances"), path, 1); // Marathon's default
    app.cpus = r.number(o, key("cpus"), path);
    app.memMb = r.number(o, key("mem"), path);
    app.diskMb = r.number(o, key("disk"), path);
    app.cmd = r.string(o, key("cmd"), path);

    const QString containerPath = JsonFieldReader::member(path, key("container"));
    const QJsonObject container = r.object(o, key("container"), path);
    app.containerType = r.string(container, key("type"), containerPath);
    const QString dockerPath = JsonFieldReader::member(containerPath, key("docker"));
    const QJsonObject docker = r.object(container, key("docker"), containerPath);
    app.image = r.string(docker, key("image"), dockerPath);
    if (app.image.isEmpty())
        app.image = r.string(container, key("image"), containerPath);
    // Since 1.5 at container.portMappings; before, at container.docker.portMappings.
    portMappings = container.contains(QLatin1String("portMappings"))
                       ? parsePortMappings(r, container, containerPath)
                       : parsePortMappings(r, docker, dockerPath);

    // A value is a string, or a reference to a secret that must never be resolved here.
    const QString envPath = JsonFieldReader::member(path, key("env"));
    const QJsonObject env = r.object(o, key("env"), path);
    for (auto it = env.begin(); it != env.end(); ++it) {
        const QString at = JsonFieldReader::member(envPath, it.key());
        if (it.value().isString()) {
            app.env.insert(it.key(), it.value().toString());
        } else if (it.value().isObject()) {
            const QString secret = r.requiredString(it.value().toObject(), key("secret"), at);
            app.env.insert(it.key(), QStringLiteral("<secret:%1>").arg(secret));
        } else {
            r.fail(at, expected("a string or {\"secret\": name}", it.value()));
        }
    }
    app.labels = r.stringMap(o, key("labels"), path);

    app.healthCheckCount = int(
        r.forEachObject(o, key("healthChecks"), path, [](const QJsonObject &, const QString &) {}));

    const QString strategyPath = JsonFieldReader::member(path, key("upgradeStrategy"));
    const QJsonObject strategy = r.object(o, key("upgradeStrategy"), path);
    app.upgradeStrategy.minimumHealthCapacity =
        r.number(strategy, key("minimumHealthCapacity"), strategyPath, 1.0);
    app.upgradeStrategy.maximumOverCapacity =
        r.number(strategy, key("maximumOverCapacity"), strategyPath, 1.0);

    app.version = r.string(o, key("version"), path);
    const QString versionInfoPath = JsonFieldReader::member(path, key("versionInfo"));
    const QJsonObject versionInfo = r.object(o, key("versionInfo"), path);
    app.lastConfigChangeAt = r.time(versionInfo, key("lastConfigChangeAt"), versionInfoPath);
    app.lastScalingAt = r.time(versionInfo, key("lastScalingAt"), versionInfoPath);

    app.tasksStaged = r.integer(o, key("tasksStaged"), path);
    app.tasksRunning = r.integer(o, key("tasksRunning"), path);
    app.tasksHealthy = r.integer(o, key("tasksHealthy"), path);
    app.tasksUnhealthy = r.integer(o, key("tasksUnhealthy"), path);

    r.forEachObject(o, key("deployments"), path, [&](const QJsonObject &d, const QString &at) {
        const QString id = r.requiredString(d, key("id"), at);
        if (!id.isEmpty())
            app.deploymentIds << id;
    });

    r.forEachObject(o, key("tasks"), path, [&](const QJsonObject &t, const QString &at) {
        tasks << parseTask(r, t, at, app.id);
    });

    const QString failurePath = JsonFieldReader::member(path, key("lastTaskFailure"));
    const QJsonObject failure = r.object(o, key("lastTaskFailure"), path);
    if (!failure.isEmpty()) {
        TaskFailure f;
        f.taskId = r.string(failure, key("taskId"), failurePath);
        f.host = r.string(failure, key("host"), failurePath);
        f.state = r.string(failure, key("state"), failurePath);
        f.message = r.string(failure, key("message"), failurePath);
        f.version = r.string(failure, key("version"), failurePath);
        f.timestamp = r.time(failure, key("timestamp"), failurePath);
        app.lastTaskFailure = f;
    }
    return app;
}

/// The actions at @p holder.@p name.
QList<MarathonDeployment::Action> parseActions(JsonFieldReader &r,
                                               const QJsonObject &holder,
                                               const QString &name,
                                               const QString &path)
{
    QList<MarathonDeployment::Action> out;
    r.forEachObject(holder, name, path, [&](const QJsonObject &a, const QString &at) {
        MarathonDeployment::Action action;
        action.action = r.string(a, key("action"), at);
        action.app = r.string(a, key("app"), at);
        if (action.app.isEmpty())
            action.app = r.string(a, key("pod"), at);
        out << action;
    });
    return out;
}

} // namespace

// ------------------------------------------------------------------------------ JsonFieldReader

void JsonFieldReader::fail(const QString &path, const QString &message)
{
    if (m_error.isEmpty())
        m_error = path.isEmpty() ? message : path + QLatin1String(": ") + message;
}

QString JsonFieldReader::member(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + QLatin1Char('.') + key;
}

QString JsonFieldReader::element(const QString &path, qsizetype index)
{
    return path + QLatin1Char('[') + QString::number(index) + QLatin1Char(']');
}

Result<QJsonObject> JsonFieldReader::parseObject(const QByteArray &json)
{
    const auto doc = parseJson(json);
    if (!doc.ok())
        return Error{doc.error()};
    if (!doc.value().isObject())
        return Result<QJsonObject>::failure(tr("expected a JSON object"));
    return doc.value().object();
}

QJsonValue JsonFieldReader::typed(const QJsonObject &o,
                                  const QString &key,
                                  const QString &path,
                                  QJsonValue::Type type,
                                  const char *what)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined() || v.isNull())
        return {QJsonValue::Undefined};
    if (v.type() != type) {
        fail(member(path, key), expected(what, v));
        return {QJsonValue::Undefined};
    }
    return v;
}

QString JsonFieldReader::string(const QJsonObject &o, const QString &key, const QString &path)
{
    return typed(o, key, path, QJsonValue::String, "a string").toString();
}

QString
JsonFieldReader::requiredString(const QJsonObject &o, const QString &key, const QString &path)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined() || v.isNull()) {
        fail(member(path, key), tr("missing"));
        return {};
    }
    const QString s = string(o, key, path);
    if (s.isEmpty() && v.isString())
        fail(member(path, key), tr("is empty"));
    return s;
}

int JsonFieldReader::integer(const QJsonObject &o,
                             const QString &key,
                             const QString &path,
                             int fallback)
{
    const QJsonValue v = typed(o, key, path, QJsonValue::Double, "a number");
    if (v.isUndefined())
        return fallback;
    const double d = v.toDouble();
    if (d != std::floor(d) || d < std::numeric_limits<int>::min()
        || d > std::numeric_limits<int>::max()) {
        fail(member(path, key), tr("expected a whole number, got %1").arg(d));
        return fallback;
    }
    return int(d);
}

double JsonFieldReader::number(const QJsonObject &o,
                               const QString &key,
                               const QString &path,
                               double fallback)
{
    return typed(o, key, path, QJsonValue::Double, "a number").toDouble(fallback);
}

bool JsonFieldReader::boolean(const QJsonObject &o,
                              const QString &key,
                              const QString &path,
                              bool fallback)
{
    return typed(o, key, path, QJsonValue::Bool, "true or false").toBool(fallback);
}

QJsonObject JsonFieldReader::object(const QJsonObject &o, const QString &key, const QString &path)
{
    return typed(o, key, path, QJsonValue::Object, "an object").toObject();
}

QJsonArray JsonFieldReader::array(const QJsonObject &o, const QString &key, const QString &path)
{
    return typed(o, key, path, QJsonValue::Array, "an array").toArray();
}

QDateTime JsonFieldReader::time(const QJsonObject &o, const QString &key, const QString &path)
{
    const QString text = string(o, key, path);
    if (text.isEmpty())
        return {};
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!t.isValid()) {
        fail(member(path, key), tr("expected an ISO-8601 time, got '%1'").arg(text.left(40)));
        return {};
    }
    return t.toUTC();
}

QMap<QString, QString>
JsonFieldReader::stringMap(const QJsonObject &o, const QString &key, const QString &path)
{
    QMap<QString, QString> out;
    const QString at = member(path, key);
    const QJsonObject map = object(o, key, path);
    for (auto it = map.begin(); it != map.end(); ++it) {
        if (!it.value().isString()) {
            fail(member(at, it.key()), expected("a string", it.value()));
            continue;
        }
        out.insert(it.key(), it.value().toString());
    }
    return out;
}

QStringList
JsonFieldReader::stringList(const QJsonObject &o, const QString &key, const QString &path)
{
    QStringList out;
    const QString at = member(path, key);
    const QJsonArray list = array(o, key, path);
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (!list.at(i).isString()) {
            fail(element(at, i), expected("a string", list.at(i)));
            continue;
        }
        out << list.at(i).toString();
    }
    return out;
}

QJsonObject JsonFieldReader::objectAt(const QJsonArray &array, qsizetype index, const QString &path)
{
    const QJsonValue v = array.at(index);
    if (!v.isObject()) {
        fail(element(path, index), expected("an object", v));
        return {};
    }
    return v.toObject();
}

// ------------------------------------------------------------------------------------ Marathon

MarathonRefresh marathonRefreshFor(const QString &eventType)
{
    // Task and health changes move counts and tasks; deployments also change the apps'
    // deployment lists; definitions (api_post, group changes) may touch either.
    static const QStringList apps = {
        QStringLiteral("status_update_event"),
        QStringLiteral("instance_changed_event"),
        QStringLiteral("instance_health_changed_event"),
        QStringLiteral("health_status_changed_event"),
        QStringLiteral("failed_health_check_event"),
        QStringLiteral("unhealthy_instance_kill_event"),
        QStringLiteral("unknown_instance_terminated_event"),
        QStringLiteral("add_health_check_event"),
        QStringLiteral("remove_health_check_event"),
        QStringLiteral("app_terminated_event"),
    };
    static const QStringList both = {
        QStringLiteral("deployment_info"),
        QStringLiteral("deployment_step_success"),
        QStringLiteral("deployment_step_failure"),
        QStringLiteral("deployment_success"),
        QStringLiteral("deployment_failed"),
        QStringLiteral("group_change_success"),
        QStringLiteral("group_change_failed"),
        QStringLiteral("api_post_event"),
    };
    if (apps.contains(eventType))
        return MarathonRefresh::Apps;
    if (both.contains(eventType))
        return MarathonRefresh::Both;
    return MarathonRefresh::None;
}

QStringList marathonEventTypes()
{
    return {
        QStringLiteral("status_update_event"),
        QStringLiteral("instance_changed_event"),
        QStringLiteral("instance_health_changed_event"),
        QStringLiteral("health_status_changed_event"),
        QStringLiteral("unhealthy_instance_kill_event"),
        QStringLiteral("app_terminated_event"),
        QStringLiteral("deployment_info"),
        QStringLiteral("deployment_step_success"),
        QStringLiteral("deployment_step_failure"),
        QStringLiteral("deployment_success"),
        QStringLiteral("deployment_failed"),
        QStringLiteral("group_change_success"),
        QStringLiteral("api_post_event"),
    };
}

Result<MarathonAppsSnapshot> parseMarathonApps(const QByteArray &json)
{
    const auto doc = JsonFieldReader::parseObject(json);
    if (!doc.ok())
        return Error{doc.error()};
    JsonFieldReader r;
    const QJsonObject root = doc.value();
    if (!root.contains(QLatin1String("apps")))
        return Result<MarathonAppsSnapshot>::failure(tr("apps: missing"));
    MarathonAppsSnapshot out;
    r.forEachObject(root, key("apps"), {}, [&](const QJsonObject &o, const QString &path) {
        QList<MarathonPortMapping> ports;
        MarathonApp app = parseApp(r, o, path, out.tasks, ports);
        if (!ports.isEmpty())
            out.portMappings.insert(app.id, ports);
        out.apps << std::move(app);
    });
    return r.result(std::move(out));
}

Result<MarathonAppsSnapshot> parseMarathonApp(const QByteArray &json)
{
    const auto doc = JsonFieldReader::parseObject(json);
    if (!doc.ok())
        return Error{doc.error()};
    JsonFieldReader r;
    const QJsonObject root = doc.value();
    if (!root.value(QLatin1String("app")).isObject())
        return Result<MarathonAppsSnapshot>::failure(
            tr("app: %1").arg(expected("an object", root.value(QLatin1String("app")))));
    MarathonAppsSnapshot out;
    QList<MarathonPortMapping> ports;
    out.apps << parseApp(r, r.object(root, key("app"), {}), key("app"), out.tasks, ports);
    if (!ports.isEmpty())
        out.portMappings.insert(out.apps.first().id, ports);
    return r.result(std::move(out));
}

Result<QList<MarathonTask>> parseMarathonTasks(const QByteArray &json)
{
    const auto doc = JsonFieldReader::parseObject(json);
    if (!doc.ok())
        return Error{doc.error()};
    JsonFieldReader r;
    const QJsonObject root = doc.value();
    if (!root.contains(QLatin1String("tasks")))
        return Result<QList<MarathonTask>>::failure(tr("tasks: missing"));
    QList<MarathonTask> out;
    r.forEachObject(root, key("tasks"), {}, [&](const QJsonObject &o, const QString &path) {
        out << parseTask(r, o, path, {});
    });
    return r.result(std::move(out));
}

Result<QList<MarathonDeployment>> parseMarathonDeployments(const QByteArray &json)
{
    const auto doc = parseJson(json);
    if (!doc.ok())
        return Error{doc.error()};
    if (!doc.value().isArray())
        return Result<QList<MarathonDeployment>>::failure(tr("expected a JSON array"));
    const QJsonArray list = doc.value().array();
    JsonFieldReader r;
    QList<MarathonDeployment> out;
    for (qsizetype i = 0; i < list.size() && !r.failed(); ++i) {
        const QString path = JsonFieldReader::element(QString(), i);
        const QJsonObject o = r.objectAt(list, i, QString());
        MarathonDeployment d;
        d.id = r.requiredString(o, key("id"), path);
        d.version = r.string(o, key("version"), path);
        d.affectedApps = r.stringList(o, key("affectedApps"), path);
        const qsizetype steps =
            r.forEachObject(o, key("steps"), path, [&](const QJsonObject &step, const QString &at) {
                d.steps << parseActions(r, step, key("actions"), at);
            });
        d.currentActions = parseActions(r, o, key("currentActions"), path);
        d.currentStep = r.integer(o, key("currentStep"), path);
        d.totalSteps = r.integer(o, key("totalSteps"), path, int(steps));
        out << d;
    }
    return r.result(std::move(out));
}

Result<MarathonLeaderInfo> parseMarathonLeader(const QByteArray &json)
{
    const auto doc = JsonFieldReader::parseObject(json);
    if (!doc.ok())
        return Error{doc.error()};
    JsonFieldReader r;
    MarathonLeaderInfo info;
    info.leader = r.string(doc.value(), key("leader"), {});
    info.version = r.string(doc.value(), key("version"), {});
    info.elected = r.boolean(doc.value(), key("elected"), {}, false);
    if (r.failed())
        return Result<MarathonLeaderInfo>::failure(r.error());
    if (info.leader.isEmpty())
        return Result<MarathonLeaderInfo>::failure(tr("there is no leader"));
    return info;
}

Result<MarathonEvent> parseMarathonEvent(const QByteArray &json)
{
    const auto doc = JsonFieldReader::parseObject(json);
    if (!doc.ok())
        return Error{doc.error()};
    const QJsonObject o = doc.value();
    JsonFieldReader r;
    MarathonEvent e;
    e.eventType = r.requiredString(o, key("eventType"), {});
    e.timestamp = r.time(o, key("timestamp"), {});
    e.appId = r.string(o, key("appId"), {});
    if (e.appId.isEmpty())
        e.appId = r.string(o, key("runSpecId"), {});
    e.taskId = r.string(o, key("taskId"), {});
    if (e.taskId.isEmpty())
        e.taskId = r.string(o, key("instanceId"), {});
    e.status = r.string(o, key("taskStatus"), {});
    if (e.status.isEmpty())
        e.status = r.string(o, key("condition"), {});
    if (e.eventType.startsWith(QLatin1String("deployment_"))) {
        // deployment_success / _failed carry the id; the others only their plan. The plan body
        // differs between versions (reference 2.6): only its id is read.
        e.deploymentId = r.string(o, key("id"), {});
        if (e.deploymentId.isEmpty())
            e.deploymentId = r.string(r.object(o, key("plan"), {}), key("id"), key("plan"));
    }
    return r.result(std::move(e));
}

Result<QString> parseMarathonDeploymentId(const QByteArray &json)
{
    const auto doc = JsonFieldReader::parseObject(json);
    if (!doc.ok())
        return Error{doc.error()};
    JsonFieldReader r;
    const QString id = r.requiredString(doc.value(), key("deploymentId"), {});
    return r.result(std::move(id));
}

Result<QByteArray> marathonImageUpdateBody(const QByteArray &appJson, const QString &image)
{
    if (image.trimmed().isEmpty() || image.contains(QLatin1Char(' ')))
        return Result<QByteArray>::failure(tr("'%1' is not an image reference").arg(image));
    const auto doc = JsonFieldReader::parseObject(appJson);
    if (!doc.ok())
        return Error{doc.error()};
    JsonFieldReader r;
    const QJsonObject app = r.object(doc.value(), key("app"), {});
    QJsonObject container = r.object(app, key("container"), key("app"));
    if (r.failed())
        return Result<QByteArray>::failure(r.error());
    if (container.isEmpty())
        return Result<QByteArray>::failure(tr("the app has no container: it runs a command"));
    // Docker and Mesos containers with a Docker image both keep it at container.docker.image.
    QJsonObject docker = r.object(container, key("docker"), key("app.container"));
    if (r.failed())
        return Result<QByteArray>::failure(r.error());
    if (docker.value(QLatin1String("image")).isString()) {
        docker.insert(QLatin1String("image"), image);
        container.insert(QLatin1String("docker"), docker);
    } else if (container.value(QLatin1String("image")).isString()) {
        container.insert(QLatin1String("image"), image);
    } else {
        return Result<QByteArray>::failure(tr("the app's container has no image to replace"));
    }
    QJsonObject body;
    body.insert(QLatin1String("container"), container);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QString describeMarathonError(int status, const QByteArray &body)
{
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    const QString message = o.value(QLatin1String("message")).toString();
    switch (status) {
    case 409: {
        QStringList ids;
        for (const auto &d : o.value(QLatin1String("deployments")).toArray()) {
            const QString id = d.toObject().value(QLatin1String("id")).toString();
            if (!id.isEmpty())
                ids << id;
        }
        if (ids.isEmpty())
            return message.isEmpty() ? tr("conflict (HTTP 409)") : message;
        return tr("locked by deployment %1: wait for it, roll it back, or force the change")
            .arg(ids.join(QLatin1String(", ")));
    }
    case 404:
        return message.isEmpty() ? tr("not found (HTTP 404)") : message;
    case 400:
    case 422: {
        QStringList problems;
        for (const auto &d : o.value(QLatin1String("details")).toArray()) {
            const QJsonObject detail = d.toObject();
            QStringList errors;
            for (const auto &e : detail.value(QLatin1String("errors")).toArray())
                errors << e.toString();
            const QString path = detail.value(QLatin1String("path")).toString();
            problems << (path.isEmpty()
                             ? errors.join(QLatin1String(", "))
                             : path + QLatin1String(": ") + errors.join(QLatin1String(", ")));
        }
        const QString head =
            message.isEmpty() ? tr("Marathon refused the request (HTTP %1)").arg(status) : message;
        return problems.isEmpty() ? head
                                  : head + QLatin1String(" (") + problems.join(QLatin1String("; "))
                                        + QLatin1Char(')');
    }
    case 401:
    case 403:
        return tr("not authorised (HTTP %1): check the Marathon username and password").arg(status);
    default:
        break;
    }
    if (!message.isEmpty())
        return tr("HTTP %1: %2").arg(status).arg(message);
    const QString text = QString::fromUtf8(body.left(200)).trimmed();
    return text.isEmpty() ? tr("HTTP %1").arg(status) : tr("HTTP %1: %2").arg(status).arg(text);
}

// ------------------------------------------------------------------------------------ SseParser

QList<SseEvent> SseParser::feed(const QByteArray &chunk)
{
    QList<SseEvent> out;
    qsizetype start = 0;
    const qsizetype n = chunk.size();
    for (qsizetype i = 0; i < n; ++i) {
        const char c = chunk.at(i);
        if (c != '\n' && c != '\r')
            continue;
        if (c == '\n' && m_afterCr && i == start) {
            // The LF of a CRLF whose CR ended the line (perhaps in the previous chunk).
            m_afterCr = false;
            start = i + 1;
            continue;
        }
        if (!m_lineTooLong)
            m_line.append(chunk.constData() + start, i - start);
        if (m_lineTooLong || m_line.size() > kMaxEventBytes) {
            m_lineTooLong = false;
            m_eventBroken = true;
        } else {
            processLine(m_line, out);
        }
        m_line.clear();
        m_afterCr = c == '\r';
        start = i + 1;
    }
    if (start < n) {
        m_afterCr = false;
        if (!m_lineTooLong) {
            m_line.append(chunk.constData() + start, n - start);
            if (m_line.size() > kMaxEventBytes) {
                m_lineTooLong = true;
                m_line.clear();
            }
        }
    }
    return out;
}

void SseParser::processLine(QByteArray line, QList<SseEvent> &out)
{
    if (!m_bomDone) {
        m_bomDone = true;
        if (line.startsWith("\xEF\xBB\xBF"))
            line.remove(0, 3);
    }
    if (line.isEmpty()) {
        // Dispatch; an event without data is none, and a broken one is dropped whole.
        if (m_hasData && !m_eventBroken) {
            SseEvent e = std::exchange(m_pending, SseEvent());
            e.data.chop(1); // the LF after the last data line
            out << e;
        }
        m_pending = SseEvent();
        m_hasData = false;
        m_eventBroken = false;
        return;
    }
    if (m_eventBroken || line.startsWith(':'))
        return; // the rest of an oversized event; or a comment (a keep-alive)
    const qsizetype colon = line.indexOf(':');
    const QByteArray field = colon < 0 ? line : line.left(colon);
    QByteArray value;
    if (colon >= 0) {
        value = line.mid(colon + 1);
        if (value.startsWith(' '))
            value.remove(0, 1);
    }
    if (field == "event") {
        m_pending.event = value;
    } else if (field == "data") {
        if (m_pending.data.size() + value.size() + 1 > kMaxEventBytes) {
            m_eventBroken = true;
            return;
        }
        m_pending.data.append(value);
        m_pending.data.append('\n');
        m_hasData = true;
    } else if (field == "id") {
        if (!value.contains('\0'))
            m_pending.id = value;
    } else if (field == "retry") {
        bool ok = false;
        const int ms = value.toInt(&ok);
        if (ok && ms >= 0 && !value.startsWith('+') && !value.startsWith('-'))
            m_retryMs = ms;
    }
}

} // namespace Opsdeck::Connectors
