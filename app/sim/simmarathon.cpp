// SPDX-License-Identifier: MIT
#include "app/sim/simmarathon.h"

#include "app/sim/simdockerhost.h"

#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

using namespace Qt::Literals::StringLiterals;

namespace Opsdeck::Sim {

namespace {

/// A request body as a JSON object; otherwise nullopt, and in @p problem what Marathon says
/// about it (the parse error, or error.expected.jsobject).
std::optional<QJsonObject> bodyObject(const QByteArray &body, QString *problem)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error == QJsonParseError::NoError && doc.isObject())
        return doc.object();
    *problem = doc.isNull() ? error.errorString() : u"error.expected.jsobject"_s;
    return std::nullopt;
}

/// @p def with @p killed fewer instances (never below 0), as @p version: what killing tasks
/// with scale=true deploys.
QJsonObject scaledDown(QJsonObject def, int killed, const QString &version)
{
    def.insert(u"version"_s, version);
    def.insert(u"instances"_s, std::max(0, def.value(u"instances"_s).toInt() - killed));
    def.insert(u"versionInfo"_s,
               QJsonObject{{u"lastScalingAt"_s, version},
                           {u"lastConfigChangeAt"_s,
                            def[u"versionInfo"_s][u"lastConfigChangeAt"_s].toString(version)}});
    return def;
}

// Simulated durations (divided by the time scale). Real Marathon takes about this long on an
// idle cluster; health checks are compressed (an app's intervalSeconds would be 60 s).
constexpr int kStagingMs = 300;      // TASK_STAGING → TASK_STARTING
constexpr int kStartingMs = 400;     // TASK_STARTING → TASK_RUNNING
constexpr int kFirstHealthMs = 1000; // TASK_RUNNING → first health check result
constexpr int kHealthIntervalMs = 1000;
constexpr int kKillMs = 500;        // TASK_KILLING → TASK_KILLED
constexpr int kBrokenExitMs = 500;  // a broken task without health checks exits this soon
constexpr int kOfferRetryMs = 1000; // no agent with room: wait for the next offers
constexpr int kKeepAliveMs = 15000; // SSE keep-alive comment (HttpEventStreamServlet)
constexpr int kMaxVersions = 20;    // app versions kept (Marathon's zk_max_versions is 50)
constexpr int kMaxMasters = 9;

const QByteArray kJson = "application/json; charset=utf-8";

QString iso(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

QDateTime now()
{
    return QDateTime::currentDateTimeUtc();
}

QByteArray compact(const QJsonValue &v)
{
    return v.isArray() ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                       : QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact);
}

QJsonArray intArray(const QList<int> &values)
{
    QJsonArray array;
    for (int v : values)
        array << v;
    return array;
}

QJsonObject without(QJsonObject o, std::initializer_list<QString> keys)
{
    for (const QString &key : keys)
        o.remove(key);
    return o;
}

/// The part of a definition whose change means a restart (RestartApplication), not a scale.
QJsonObject configOf(const QJsonObject &def)
{
    return without(def, {u"instances"_s, u"version"_s, u"versionInfo"_s});
}

/// "/shop/web" from "shop/web", "/shop/web/", "//shop//web".
QString normaliseId(const QString &id)
{
    return u"/"_s + id.split(u'/', Qt::SkipEmptyParts).join(u'/');
}

bool validId(const QString &id)
{
    // Marathon's PathId: each segment lower-case letters, digits, '-' and '.'-separated labels.
    static const QRegularExpression segment(
        u"^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])$"_s);
    const QStringList parts = id.split(u'/', Qt::SkipEmptyParts);
    if (parts.isEmpty())
        return false;
    return std::all_of(
        parts.cbegin(), parts.cend(), [](const QString &p) { return segment.match(p).hasMatch(); });
}

QString condition(const QString &state)
{
    static const QMap<QString, QString> map{{u"TASK_STAGING"_s, u"Staging"_s},
                                            {u"TASK_STARTING"_s, u"Starting"_s},
                                            {u"TASK_RUNNING"_s, u"Running"_s},
                                            {u"TASK_KILLING"_s, u"Killing"_s},
                                            {u"TASK_KILLED"_s, u"Killed"_s},
                                            {u"TASK_FINISHED"_s, u"Finished"_s},
                                            {u"TASK_FAILED"_s, u"Failed"_s},
                                            {u"TASK_LOST"_s, u"Unreachable"_s}};
    return map.value(state, u"Unknown"_s);
}

QJsonObject detail(const QString &path, const QString &error)
{
    return {{u"path"_s, path}, {u"errors"_s, QJsonArray{error}}};
}

QString lockMessage(const QString &deploymentId)
{
    return u"App is locked by one or more deployments. Override with the option '?force=true'. "
           "View details at '/v2/deployments/%1'."_s.arg(deploymentId);
}

/// Label selector of `GET /v2/apps?label=`: `k`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`;
/// a comma outside parentheses means AND.
bool labelsMatch(const QJsonObject &labels, const QString &selector)
{
    QStringList terms;
    int depth = 0;
    QString current;
    for (const QChar c : selector) {
        if (c == u'(')
            ++depth;
        else if (c == u')')
            --depth;
        if (c == u',' && depth == 0) {
            terms << current;
            current.clear();
        } else {
            current += c;
        }
    }
    terms << current;
    static const QRegularExpression setTerm(u"^\\s*(\\S+)\\s+(in|notin)\\s*\\((.*)\\)\\s*$"_s);
    static const QRegularExpression compareTerm(u"^\\s*([^\\s!=]+)\\s*(==|!=)\\s*(.*?)\\s*$"_s);
    for (const QString &term : std::as_const(terms)) {
        if (term.trimmed().isEmpty())
            continue;
        if (const auto m = setTerm.match(term); m.hasMatch()) {
            QStringList values = m.captured(3).split(u',');
            for (QString &v : values)
                v = v.trimmed();
            const bool in = labels.contains(m.captured(1))
                            && values.contains(labels.value(m.captured(1)).toString());
            if (in != (m.captured(2) == u"in"_s))
                return false;
        } else if (const auto c = compareTerm.match(term); c.hasMatch()) {
            const bool equal = labels.value(c.captured(1)).toString() == c.captured(3)
                               && labels.contains(c.captured(1));
            if (equal != (c.captured(2) == u"=="_s))
                return false;
        } else if (!labels.contains(term.trimmed())) {
            return false;
        }
    }
    return true;
}

QString typeError(const QJsonValue &v, QJsonValue::Type wanted)
{
    if (v.type() == wanted)
        return QString();
    switch (wanted) {
    case QJsonValue::Double:
        return u"error.expected.jsnumber"_s;
    case QJsonValue::String:
        return u"error.expected.jsstring"_s;
    case QJsonValue::Array:
        return u"error.expected.jsarray"_s;
    case QJsonValue::Object:
        return u"error.expected.jsobject"_s;
    case QJsonValue::Bool:
        return u"error.expected.jsboolean"_s;
    default:
        return u"error.expected.jsvalue"_s;
    }
}

} // namespace

SimMarathon::SimMarathon(QObject *parent)
    : QObject(parent)
{
    setSeed(1);
    m_keepAlive.setSingleShot(true);
    connect(&m_keepAlive, &QTimer::timeout, this, &SimMarathon::keepAlive);
}

SimMarathon::~SimMarathon()
{
    // Close the connections while the state they may ask about still exists.
    stop();
}

// ---------------------------------------------------------------------------------------------
// Masters, leader, faults

bool SimMarathon::listen(int masters, quint16 firstPort)
{
    if (!m_masters.empty()) {
        m_error = u"already listening"_s;
        return false;
    }
    masters = std::clamp(masters, 1, kMaxMasters);
    for (int i = 0; i < masters; ++i) {
        Master master;
        master.server = std::make_unique<HttpServer>();
        master.server->setHandler([this, i](HttpExchange *exchange) { dispatch(i, exchange); });
        if (!master.server->listen(firstPort == 0 ? 0 : quint16(firstPort + i))) {
            m_error = master.server->errorString();
            m_masters.clear();
            return false;
        }
        master.port = master.server->port();
        master.up = true;
        m_masters.push_back(std::move(master));
    }
    m_leader = 0;
    m_keepAlive.start(scaled(kKeepAliveMs));
    return true;
}

QList<quint16> SimMarathon::ports() const
{
    QList<quint16> list;
    for (const Master &m : m_masters)
        list << m.port;
    return list;
}

QString SimMarathon::url(int master) const
{
    if (master < 0 || master >= int(m_masters.size()))
        return QString();
    return u"http://127.0.0.1:%1"_s.arg(m_masters[size_t(master)].port);
}

QString SimMarathon::leaderHostPort() const
{
    return m_leader < 0 ? QString() : u"127.0.0.1:%1"_s.arg(m_masters[size_t(m_leader)].port);
}

void SimMarathon::setLeader(int master)
{
    if (master >= int(m_masters.size()) || (master >= 0 && !m_masters[size_t(master)].up))
        return;
    if (master < 0)
        master = -1;
    if (master == m_leader)
        return;
    // The old leader's subscribers lose their stream and must find the new leader.
    for (const Stream &s : std::as_const(m_streams)) {
        if (s.master == m_leader && s.exchange)
            s.exchange->end();
    }
    m_leader = master;
}

void SimMarathon::stopMaster(int master)
{
    if (master < 0 || master >= int(m_masters.size()) || !m_masters[size_t(master)].up)
        return;
    m_masters[size_t(master)].up = false;
    m_masters[size_t(master)].server->stop();
    if (master == m_leader) {
        // The others elect a new leader: the next master up, in order.
        int next = -1;
        for (int i = 1; i < int(m_masters.size()) && next < 0; ++i) {
            const int candidate = (master + i) % int(m_masters.size());
            if (m_masters[size_t(candidate)].up)
                next = candidate;
        }
        setLeader(next);
    }
}

void SimMarathon::stop()
{
    m_keepAlive.stop();
    for (Master &m : m_masters) {
        m.up = false;
        m.server->stop();
    }
}

void SimMarathon::dropEventStreams()
{
    const QList<Stream> streams = m_streams;
    for (const Stream &s : streams) {
        if (s.exchange)
            s.exchange->end();
    }
}

void SimMarathon::setSeed(quint32 seed)
{
    m_random.seed(seed);
    m_frameworkId = uuid() + u"-0000"_s;
}

QString SimMarathon::uuid()
{
    QByteArray bytes(16, '\0');
    for (char &b : bytes)
        b = char(m_random.bounded(256));
    bytes[6] = char((bytes[6] & 0x0f) | 0x40); // version 4
    bytes[8] = char((bytes[8] & 0x3f) | 0x80); // RFC 4122 variant
    const QString hex = QString::fromLatin1(bytes.toHex());
    return hex.left(8) + u'-' + hex.mid(8, 4) + u'-' + hex.mid(12, 4) + u'-' + hex.mid(16, 4) + u'-'
           + hex.mid(20);
}

QString SimMarathon::newVersion()
{
    QDateTime t = now();
    const QDateTime last = QDateTime::fromString(m_lastVersion, Qt::ISODateWithMs);
    if (last.isValid() && t <= last)
        t = last.addMSecs(1); // versions of one Marathon never repeat
    m_lastVersion = iso(t);
    return m_lastVersion;
}

void SimMarathon::keepAlive()
{
    for (const Stream &s : std::as_const(m_streams)) {
        if (s.exchange)
            s.exchange->write(":\n\n");
    }
    m_keepAlive.start(scaled(kKeepAliveMs));
}

void SimMarathon::publish(QJsonObject event)
{
    event.insert(u"timestamp"_s, iso(now()));
    const QString type = event.value(u"eventType"_s).toString();
    const QByteArray frame = "event: " + type.toUtf8() + "\ndata: " + compact(event) + "\n\n";
    for (const Stream &s : std::as_const(m_streams)) {
        if (s.exchange && (s.types.isEmpty() || s.types.contains(type)))
            s.exchange->write(frame);
    }
    emit eventPublished(event);
}

// ---------------------------------------------------------------------------------------------
// Agents and tasks as the Mesos master sees them

void SimMarathon::addAgent(const SimAgent &agent)
{
    m_agents << agent;
    for (const QString &appId : m_apps.keys())
        processQueue(appId);
}

QList<SimTask> SimMarathon::tasks() const
{
    QList<SimTask> list;
    for (const Task &t : m_tasks) {
        SimTask s;
        s.id = t.id;
        s.appId = t.appId;
        s.agentId = t.agentId;
        s.state = t.state;
        s.cpus = t.cpus;
        s.memMb = t.mem;
        s.diskMb = t.disk;
        s.ports = t.ports;
        s.stagedAt = t.stagedAt;
        s.startedAt = t.startedAt;
        s.hasHealth = t.hasHealth;
        s.healthy = t.health == Health::Alive;
        list << s;
    }
    return list;
}

QList<const SimMarathon::Task *> SimMarathon::appTasks(const QString &appId) const
{
    QList<const Task *> list;
    for (const Task &t : m_tasks) {
        if (t.appId == appId)
            list << &t;
    }
    std::sort(list.begin(), list.end(), [](const Task *a, const Task *b) {
        return a->stagedAt != b->stagedAt ? a->stagedAt < b->stagedAt : a->id < b->id;
    });
    return list;
}

bool SimMarathon::consideredHealthy(const Task &t) const
{
    // API reference §2.8: health checks passing, or running at all without health checks.
    if (t.killing || t.state != u"TASK_RUNNING"_s)
        return false;
    return !t.hasHealth || t.health == Health::Alive;
}

bool SimMarathon::ready(const Task &t) const
{
    return consideredHealthy(t); // no readiness checks are simulated
}

// ---------------------------------------------------------------------------------------------
// Apps

QJsonObject SimMarathon::app(const QString &appId) const
{
    const auto it = m_apps.constFind(normaliseId(appId));
    return it == m_apps.cend() ? QJsonObject() : it->def;
}

QStringList SimMarathon::deploymentIds() const
{
    QStringList ids;
    for (const Deployment &d : m_deployments)
        ids << d.id;
    return ids;
}

SimMarathon::Deployment *SimMarathon::deploymentFor(const QString &appId)
{
    for (Deployment &d : m_deployments) {
        if (d.appId == appId)
            return &d;
    }
    return nullptr;
}

QJsonArray SimMarathon::validate(const QJsonObject &def) const
{
    QJsonArray details;
    const QString id = def.value(u"id"_s).toString();
    if (!validId(id))
        details << detail(
            u"/id"_s,
            u"must fully match regular expression "
            "'^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])|(\\.|\\.\\.)$'"_s);
    const auto number = [&](const QString &path, const QJsonValue &v, double min, double max) {
        if (v.isUndefined() || v.isNull())
            return;
        if (const QString e = typeError(v, QJsonValue::Double); !e.isEmpty()) {
            details << detail(path, e);
        } else if (v.toDouble() < min) {
            details << detail(path, u"is less than %1"_s.arg(min));
        } else if (v.toDouble() > max) {
            details << detail(path, u"is greater than %1"_s.arg(max));
        }
    };
    constexpr double kHuge = 1e12;
    number(u"/instances"_s, def.value(u"instances"_s), 0, kHuge);
    if (def.value(u"instances"_s).isDouble()
        && def.value(u"instances"_s).toDouble() != std::floor(def.value(u"instances"_s).toDouble()))
        details << detail(u"/instances"_s, u"error.expected.int"_s);
    number(u"/cpus"_s, def.value(u"cpus"_s), 0, kHuge);
    number(u"/mem"_s, def.value(u"mem"_s), 0, kHuge);
    number(u"/disk"_s, def.value(u"disk"_s), 0, kHuge);
    number(u"/gpus"_s, def.value(u"gpus"_s), 0, kHuge);
    number(u"/backoffSeconds"_s, def.value(u"backoffSeconds"_s), 0, kHuge);
    number(u"/backoffFactor"_s, def.value(u"backoffFactor"_s), 1, kHuge);
    number(u"/maxLaunchDelaySeconds"_s, def.value(u"maxLaunchDelaySeconds"_s), 0, kHuge);
    const QJsonValue strategy = def.value(u"upgradeStrategy"_s);
    if (!strategy.isUndefined() && !strategy.isNull()) {
        if (!strategy.isObject()) {
            details << detail(u"/upgradeStrategy"_s, typeError(strategy, QJsonValue::Object));
        } else {
            number(u"/upgradeStrategy/minimumHealthCapacity"_s,
                   strategy[u"minimumHealthCapacity"_s],
                   0,
                   1);
            number(u"/upgradeStrategy/maximumOverCapacity"_s,
                   strategy[u"maximumOverCapacity"_s],
                   0,
                   1);
        }
    }
    for (const QString &key : {u"env"_s, u"labels"_s}) {
        const QJsonValue v = def.value(key);
        if (v.isUndefined() || v.isNull())
            continue;
        if (!v.isObject()) {
            details << detail(u"/"_s + key, typeError(v, QJsonValue::Object));
            continue;
        }
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            const bool secret = key == u"env"_s && it.value().isObject()
                                && it.value().toObject().value(u"secret"_s).isString();
            if (!it.value().isString() && !secret)
                details << detail(u"/%1/%2"_s.arg(key, it.key()), u"error.expected.jsstring"_s);
        }
    }
    const QJsonValue container = def.value(u"container"_s);
    if (!container.isUndefined() && !container.isNull()) {
        if (!container.isObject()) {
            details << detail(u"/container"_s, typeError(container, QJsonValue::Object));
        } else {
            const QJsonObject c = container.toObject();
            const QString type = c.value(u"type"_s).toString(u"DOCKER"_s);
            if (type != u"DOCKER"_s && type != u"MESOS"_s)
                details << detail(u"/container/type"_s, u"error.unknown.enum.literal"_s);
            if (type == u"DOCKER"_s
                && c.value(u"docker"_s).toObject().value(u"image"_s).toString().isEmpty())
                details << detail(u"/container/docker/image"_s, u"must not be empty"_s);
        }
    }
    const QJsonValue checks = def.value(u"healthChecks"_s);
    if (!checks.isUndefined() && !checks.isNull()) {
        if (!checks.isArray()) {
            details << detail(u"/healthChecks"_s, typeError(checks, QJsonValue::Array));
        } else {
            static const QStringList protocols{u"HTTP"_s,
                                               u"HTTPS"_s,
                                               u"TCP"_s,
                                               u"COMMAND"_s,
                                               u"MESOS_HTTP"_s,
                                               u"MESOS_HTTPS"_s,
                                               u"MESOS_TCP"_s};
            const QJsonArray list = checks.toArray();
            for (qsizetype i = 0; i < list.size(); ++i) {
                const QString protocol =
                    list.at(i).toObject().value(u"protocol"_s).toString(u"HTTP"_s);
                if (!list.at(i).isObject() || !protocols.contains(protocol))
                    details << detail(u"/healthChecks(%1)/protocol"_s.arg(i),
                                      u"error.unknown.enum.literal"_s);
            }
        }
    }
    const bool hasCmd = def.value(u"cmd"_s).isString() || def.value(u"args"_s).isArray();
    if (!hasCmd && !container.isObject())
        details << detail(u"/"_s,
                          u"AppDefinition must either contain one of 'cmd' or 'args', and/or a "
                          "'container'."_s);
    return details;
}

QJsonObject SimMarathon::normalise(QJsonObject d, const QJsonObject &previous)
{
    const auto fill = [&d](const QString &key, const QJsonValue &value) {
        if (!d.contains(key) || d.value(key).isNull())
            d.insert(key, value);
    };
    d.insert(u"id"_s, normaliseId(d.value(u"id"_s).toString()));
    fill(u"instances"_s, 1);
    fill(u"cpus"_s, 1.0);
    fill(u"mem"_s, 128.0);
    fill(u"disk"_s, 0.0);
    fill(u"gpus"_s, 0);
    fill(u"backoffSeconds"_s, 1);
    fill(u"backoffFactor"_s, 1.15);
    fill(u"maxLaunchDelaySeconds"_s, 300);
    fill(u"env"_s, QJsonObject());
    fill(u"labels"_s, QJsonObject());
    fill(u"constraints"_s, QJsonArray());
    fill(u"dependencies"_s, QJsonArray());
    fill(u"fetch"_s, QJsonArray());
    fill(u"healthChecks"_s, QJsonArray());
    fill(u"readinessChecks"_s, QJsonArray());
    fill(u"secrets"_s, QJsonObject());
    fill(u"executor"_s, QString());
    fill(u"requirePorts"_s, false);
    fill(u"killSelection"_s, u"YOUNGEST_FIRST"_s);
    fill(u"unreachableStrategy"_s,
         QJsonObject{{u"inactiveAfterSeconds"_s, 0}, {u"expungeAfterSeconds"_s, 0}});
    QJsonObject strategy = d.value(u"upgradeStrategy"_s).toObject();
    if (!strategy.contains(u"minimumHealthCapacity"_s))
        strategy.insert(u"minimumHealthCapacity"_s, 1.0);
    if (!strategy.contains(u"maximumOverCapacity"_s))
        strategy.insert(u"maximumOverCapacity"_s, 1.0);
    d.insert(u"upgradeStrategy"_s, strategy);

    QString networkMode = u"host"_s;
    if (d.value(u"container"_s).isObject()) {
        QJsonObject c = d.value(u"container"_s).toObject();
        QJsonObject docker = c.value(u"docker"_s).toObject();
        if (!c.contains(u"type"_s))
            c.insert(u"type"_s, c.contains(u"docker"_s) ? u"DOCKER"_s : u"MESOS"_s);
        if (c.contains(u"docker"_s)) {
            // Before Marathon 1.5 port mappings and the network mode sat under container.docker.
            if (docker.contains(u"portMappings"_s) && !c.contains(u"portMappings"_s))
                c.insert(u"portMappings"_s, docker.value(u"portMappings"_s));
            docker.remove(u"portMappings"_s);
            const QString legacyNetwork = docker.take(u"network"_s).toString();
            if (legacyNetwork == u"BRIDGE"_s && !d.contains(u"networks"_s))
                d.insert(u"networks"_s,
                         QJsonArray{QJsonObject{{u"mode"_s, u"container/bridge"_s}}});
            if (!docker.contains(u"forcePullImage"_s))
                docker.insert(u"forcePullImage"_s, false);
            if (!docker.contains(u"privileged"_s))
                docker.insert(u"privileged"_s, false);
            if (!docker.contains(u"parameters"_s))
                docker.insert(u"parameters"_s, QJsonArray());
            c.insert(u"docker"_s, docker);
        }
        if (!c.contains(u"volumes"_s))
            c.insert(u"volumes"_s, QJsonArray());
        if (!c.contains(u"portMappings"_s))
            c.insert(u"portMappings"_s, QJsonArray());
        d.insert(u"container"_s, c);
    }
    fill(u"networks"_s, QJsonArray{QJsonObject{{u"mode"_s, u"host"_s}}});
    networkMode = d.value(u"networks"_s).toArray().at(0).toObject().value(u"mode"_s).toString();

    // Service ports: a 0 gets the next free one from 10000 up, or the one it had before.
    const auto servicePort = [this](int wanted, int before) {
        if (wanted > 0)
            return wanted;
        if (before > 0)
            return before;
        return m_nextServicePort++;
    };
    if (networkMode == u"host"_s) {
        if (!d.contains(u"portDefinitions"_s))
            d.insert(u"portDefinitions"_s,
                     QJsonArray{QJsonObject{
                         {u"port"_s, 0}, {u"protocol"_s, u"tcp"_s}, {u"name"_s, u"default"_s}}});
        QJsonArray defs = d.value(u"portDefinitions"_s).toArray();
        const QJsonArray before = previous.value(u"portDefinitions"_s).toArray();
        for (qsizetype i = 0; i < defs.size(); ++i) {
            QJsonObject p = defs.at(i).toObject();
            p.insert(u"port"_s,
                     servicePort(p.value(u"port"_s).toInt(),
                                 before.at(i).toObject().value(u"port"_s).toInt()));
            if (!p.contains(u"protocol"_s))
                p.insert(u"protocol"_s, u"tcp"_s);
            defs[i] = p;
        }
        d.insert(u"portDefinitions"_s, defs);
    } else if (d.value(u"container"_s).isObject()) {
        QJsonObject c = d.value(u"container"_s).toObject();
        QJsonArray mappings = c.value(u"portMappings"_s).toArray();
        const QJsonArray before =
            previous.value(u"container"_s).toObject().value(u"portMappings"_s).toArray();
        for (qsizetype i = 0; i < mappings.size(); ++i) {
            QJsonObject m = mappings.at(i).toObject();
            m.insert(u"servicePort"_s,
                     servicePort(m.value(u"servicePort"_s).toInt(),
                                 before.at(i).toObject().value(u"servicePort"_s).toInt()));
            if (!m.contains(u"hostPort"_s))
                m.insert(u"hostPort"_s, 0);
            if (!m.contains(u"protocol"_s))
                m.insert(u"protocol"_s, u"tcp"_s);
            mappings[i] = m;
        }
        c.insert(u"portMappings"_s, mappings);
        d.insert(u"container"_s, c);
        d.remove(u"portDefinitions"_s);
    }

    QJsonArray checks = d.value(u"healthChecks"_s).toArray();
    for (qsizetype i = 0; i < checks.size(); ++i) {
        QJsonObject hc = checks.at(i).toObject();
        const QString protocol = hc.value(u"protocol"_s).toString(u"HTTP"_s);
        hc.insert(u"protocol"_s, protocol);
        for (const auto &[key, value] : {std::pair{u"gracePeriodSeconds"_s, 300},
                                         std::pair{u"intervalSeconds"_s, 60},
                                         std::pair{u"timeoutSeconds"_s, 20},
                                         std::pair{u"maxConsecutiveFailures"_s, 3},
                                         std::pair{u"delaySeconds"_s, 15}}) {
            if (!hc.contains(key))
                hc.insert(key, value);
        }
        if (protocol != u"COMMAND"_s && !hc.contains(u"port"_s) && !hc.contains(u"portIndex"_s))
            hc.insert(u"portIndex"_s, 0);
        if (protocol.endsWith(u"HTTP"_s) || protocol.endsWith(u"HTTPS"_s)) {
            if (!hc.contains(u"path"_s))
                hc.insert(u"path"_s, u"/"_s);
            if (!hc.contains(u"ignoreHttp1xx"_s))
                hc.insert(u"ignoreHttp1xx"_s, false);
        }
        checks[i] = hc;
    }
    d.insert(u"healthChecks"_s, checks);
    for (const QString &readOnly : {u"tasks"_s,
                                    u"deployments"_s,
                                    u"tasksStaged"_s,
                                    u"tasksRunning"_s,
                                    u"tasksHealthy"_s,
                                    u"tasksUnhealthy"_s,
                                    u"lastTaskFailure"_s,
                                    u"taskStats"_s,
                                    u"tasksStats"_s,
                                    u"readinessCheckResults"_s})
        d.remove(readOnly);
    return d;
}

void SimMarathon::storeVersion(App &a)
{
    a.versions.insert(a.def.value(u"version"_s).toString(), a.def);
    while (a.versions.size() > kMaxVersions)
        a.versions.erase(a.versions.begin()); // ISO timestamps sort by time
}

void SimMarathon::addApp(const QJsonObject &definition)
{
    const QString id = normaliseId(definition.value(u"id"_s).toString());
    QJsonObject def = definition;
    def.insert(u"id"_s, id);
    if (!validate(def).isEmpty())
        return;
    // Deployed long ago: three days before now, and before any version made from now on.
    const QDateTime deployed = now().addDays(-3).addMSecs(m_apps.size());
    def = normalise(def, m_apps.value(id).def);
    def.insert(u"version"_s, iso(deployed));
    def.insert(
        u"versionInfo"_s,
        QJsonObject{{u"lastScalingAt"_s, iso(deployed)}, {u"lastConfigChangeAt"_s, iso(deployed)}});
    App &a = m_apps[id];
    a.def = def;
    storeVersion(a);
    const int instances = def.value(u"instances"_s).toInt();
    for (int i = 0; i < instances; ++i) {
        if (!launch(id, true))
            ++a.queued;
    }
    if (a.queued > 0) {
        a.queuedSince = now();
        processQueue(id);
    }
    emit tasksChanged();
}

// ---------------------------------------------------------------------------------------------
// Changes: the cores of the changing endpoints, shared with startDeployment()

QString SimMarathon::update(const QString &rawId,
                            QJsonObject body,
                            bool partial,
                            bool force,
                            bool *created,
                            Failure *failure)
{
    const QString id = normaliseId(rawId);
    *created = false;
    if (body.contains(u"id"_s) && normaliseId(body.value(u"id"_s).toString()) != id) {
        failure->status = 422;
        failure->message = u"Object is not valid"_s;
        failure->details =
            QJsonArray{detail(u"/id"_s, u"id in the body does not match the path"_s)};
        return QString();
    }
    const auto existing = m_apps.constFind(id);
    const bool exists = existing != m_apps.cend();

    QJsonObject merged;
    if (body.contains(u"version"_s) && exists) {
        // {"version": v}: back to a stored version of the definition (rollback_app).
        const QString wanted = body.value(u"version"_s).toString();
        if (!existing->versions.contains(wanted)) {
            failure->status = 404;
            failure->message = u"Version '%1' of app '%2' does not exist"_s.arg(wanted, id);
            return QString();
        }
        merged = existing->versions.value(wanted);
    } else {
        body.remove(u"version"_s);
        merged = partial && exists ? existing->def : QJsonObject();
        for (auto it = body.begin(); it != body.end(); ++it)
            merged.insert(it.key(), it.value()); // each top-level field replaces the old one
    }
    merged.insert(u"id"_s, id);
    if (const QJsonArray details = validate(merged); !details.isEmpty()) {
        failure->status = 422;
        failure->message = u"Object is not valid"_s;
        failure->details = details;
        return QString();
    }
    if (!checkLock(id, force, failure)) // cancelling leaves the definitions alone
        return QString();
    const QJsonObject before = exists ? existing->def : QJsonObject();
    QJsonObject target = normalise(merged, before);
    const QString version = newVersion();
    target.insert(u"version"_s, version);
    QString action;
    QJsonObject info{{u"lastScalingAt"_s, version}, {u"lastConfigChangeAt"_s, version}};
    if (!exists) {
        action = u"StartApplication"_s;
        *created = true;
    } else if (configOf(target) != configOf(before)) {
        action = u"RestartApplication"_s;
    } else {
        info.insert(u"lastConfigChangeAt"_s,
                    before[u"versionInfo"_s][u"lastConfigChangeAt"_s].toString(version));
        if (target.value(u"instances"_s) != before.value(u"instances"_s))
            action = u"ScaleApplication"_s;
        else
            info.insert(u"lastScalingAt"_s,
                        before[u"versionInfo"_s][u"lastScalingAt"_s].toString(version));
    }
    target.insert(u"versionInfo"_s, info);
    publish({{u"eventType"_s, u"api_post_event"_s},
             {u"clientIp"_s, u"127.0.0.1"_s},
             {u"uri"_s, QString(u"/v2/apps"_s + id)},
             {u"appDefinition"_s, target}});
    return createDeployment(id, before, target, action);
}

bool SimMarathon::checkLock(const QString &appId, bool force, Failure *failure)
{
    Deployment *running = deploymentFor(appId);
    if (!running)
        return true;
    if (!force) {
        failure->status = 409;
        failure->message = lockMessage(running->id);
        failure->deployments = {QJsonObject{{u"id"_s, running->id}}};
        return false;
    }
    // force=true cancels what runs (API reference §2.4): old and new tasks may stay mixed.
    while (Deployment *d = deploymentFor(appId))
        cancelDeployment(d->id, u"cancelled by a forced change"_s, false); // a new one follows
    return true;
}

QString SimMarathon::startDeployment(const QString &appId, const QJsonObject &partialUpdate)
{
    bool created = false;
    Failure failure;
    return update(appId, partialUpdate, true, true, &created, &failure);
}

QString SimMarathon::createDeployment(const QString &appId,
                                      const QJsonObject &original,
                                      const QJsonObject &target,
                                      const QString &action,
                                      const QStringList &killIds)
{
    Deployment d;
    d.id = uuid();
    d.version = target.isEmpty() ? newVersion() : target.value(u"version"_s).toString();
    d.appId = appId;
    d.action = action;
    d.original = original;
    d.target = target;
    d.killIds = killIds;
    if (!target.isEmpty()) {
        App &a = m_apps[appId];
        a.def = target;
        storeVersion(a);
    } else {
        m_apps.remove(appId); // a deleted app is gone from /v2/apps at once; its tasks die
    }
    if (m_apps.contains(appId)) {
        // A deployment starts from a clean launch queue (TaskReplaceActor resets the delay).
        App &a = m_apps[appId];
        a.queued = 0;
        a.delayStep = 0;
        a.delayUntil = QDateTime();
    }
    publish({{u"eventType"_s, u"group_change_success"_s},
             {u"groupId"_s, u"/"_s},
             {u"version"_s, d.version}});
    m_deployments << d;
    const QString id = d.id;
    if (action.isEmpty()) {
        // Nothing to do: the plan has no steps and succeeds at once.
        QTimer::singleShot(0, this, [this, id] { finishDeployment(id); });
        return id;
    }
    publish({{u"eventType"_s, u"deployment_info"_s},
             {u"plan"_s, planJson(d)},
             {u"currentStep"_s,
              QJsonObject{{u"actions"_s,
                           QJsonArray{QJsonObject{{u"action"_s, action}, {u"app"_s, appId}}}}}}});
    ++m_busy;
    runDeployment(m_deployments.last());
    --m_busy;
    progress();
    return id;
}

void SimMarathon::runDeployment(Deployment &d)
{
    const int n = d.target.value(u"instances"_s).toInt();
    const QList<const Task *> current = appTasks(d.appId);
    if (d.action == u"StopApplication"_s) {
        for (const Task *t : current)
            kill(t->id);
        return;
    }
    if (d.action == u"StartApplication"_s || d.action == u"ScaleApplication"_s) {
        for (const QString &id : std::as_const(d.killIds))
            kill(id);
        QList<const Task *> active;
        for (const Task *t : appTasks(d.appId)) {
            if (!t->killing)
                active << t;
        }
        if (active.size() > n) {
            // Scale down: tasks not ready first, then by the app's killSelection.
            const bool oldestFirst =
                d.target.value(u"killSelection"_s).toString() == u"OLDEST_FIRST"_s;
            std::stable_sort(active.begin(), active.end(), [&](const Task *a, const Task *b) {
                if (ready(*a) != ready(*b))
                    return !ready(*a);
                return oldestFirst ? a->stagedAt < b->stagedAt : a->stagedAt > b->stagedAt;
            });
            QStringList victims;
            for (qsizetype i = 0; i < active.size() - n; ++i)
                victims << active.at(i)->id;
            for (const QString &id : std::as_const(victims))
                kill(id);
        }
        reconcile(d.appId);
        return;
    }
    // RestartApplication: TaskReplaceActor (API reference §2.8).
    const QString version = d.target.value(u"version"_s).toString();
    const QJsonObject strategy = d.target.value(u"upgradeStrategy"_s).toObject();
    QStringList already;
    QList<const Task *> old;
    int healthyOld = 0;
    int running = 0; // not being killed: old ones, and new ones already healthy
    for (const Task *t : current) {
        if (t->version == version && !t->killing) {
            already << t->id;
            running += consideredHealthy(*t) ? 1 : 0;
        } else {
            old << t;
            healthyOld += consideredHealthy(*t) ? 1 : 0;
            running += t->killing ? 0 : 1;
        }
    }
    const int minHealthy =
        int(std::ceil(n * strategy.value(u"minimumHealthCapacity"_s).toDouble(1.0)));
    int maxCapacity =
        int(std::floor(n * (1 + strategy.value(u"maximumOverCapacity"_s).toDouble(1.0))));
    int killNow = std::max(0, healthyOld - minHealthy);
    if (minHealthy == maxCapacity && maxCapacity <= healthyOld)
        ++maxCapacity; // non-resident apps may go one over, so the upgrade can start at all
    // More than N left over (a forced deployment that added some): the extra ones go at once,
    // unhealthy ones first, or the upgrade could never make room (Marathon 1.10 does the same).
    if (running > n)
        killNow = std::max(killNow, running - n);
    d.maxCapacity = maxCapacity;
    d.started = int(already.size());
    QList<const Task *> queue;
    for (const Task *t : std::as_const(old)) {
        d.oldIds.insert(t->id);
        if (!t->killing)
            queue << t;
    }
    std::stable_sort(queue.begin(), queue.end(), [this](const Task *a, const Task *b) {
        return !consideredHealthy(*a) && consideredHealthy(*b); // unhealthy ones go first
    });
    for (const Task *t : std::as_const(queue))
        d.toKill << t->id;
    const QString id = d.id;
    for (int i = 0; i < killNow; ++i)
        killNextOld(id);
    replaceLaunch(id);
    for (const QString &taskId : std::as_const(already)) {
        const auto t = m_tasks.constFind(taskId);
        if (t != m_tasks.cend() && ready(*t))
            onTaskReady(taskId);
    }
}

SimMarathon::Deployment *SimMarathon::deployment(const QString &id)
{
    for (Deployment &d : m_deployments) {
        if (d.id == id)
            return &d;
    }
    return nullptr;
}

void SimMarathon::killNextOld(const QString &deploymentId)
{
    Deployment *d = deployment(deploymentId);
    while (d && !d->toKill.isEmpty()) {
        const QString victim = d->toKill.takeFirst();
        if (m_tasks.contains(victim) && !m_tasks[victim].killing) {
            kill(victim);
            return;
        }
        d = deployment(deploymentId); // that one was gone already: the next
    }
}

void SimMarathon::replaceLaunch(const QString &deploymentId)
{
    Deployment *d = deployment(deploymentId);
    if (!d || d->action != u"RestartApplication"_s || !m_apps.contains(d->appId))
        return;
    const int n = d->target.value(u"instances"_s).toInt();
    const int left = std::max(0, d->maxCapacity - int(d->oldIds.size()) - d->started);
    const int notStarted = std::max(0, n - d->started);
    const int count = std::min(left, notStarted);
    if (count <= 0)
        return;
    d->started += count;
    App &a = m_apps[d->appId];
    if (a.queued == 0)
        a.queuedSince = now();
    a.queued += count;
    processQueue(d->appId);
}

void SimMarathon::onTaskReady(const QString &taskId)
{
    const auto t = m_tasks.constFind(taskId);
    if (t == m_tasks.cend())
        return;
    Deployment *d = deploymentFor(t->appId);
    if (!d || d->action != u"RestartApplication"_s || d->oldIds.contains(taskId)
        || t->version != d->target.value(u"version"_s).toString() || d->readyNew.contains(taskId))
        return;
    // One old instance goes for each new one that became healthy and ready.
    d->readyNew.insert(taskId);
    killNextOld(d->id);
}

void SimMarathon::cancelDeployment(const QString &id, const QString &reason, bool settle)
{
    const auto it = std::find_if(m_deployments.begin(),
                                 m_deployments.end(),
                                 [&id](const Deployment &d) { return d.id == id; });
    if (it == m_deployments.end())
        return;
    const Deployment d = *it;
    m_deployments.erase(it);
    if (m_apps.contains(d.appId)) {
        m_apps[d.appId].queued = 0; // what the cancelled deployment queued is dropped
    }
    publish({{u"eventType"_s, u"deployment_failed"_s},
             {u"id"_s, d.id},
             {u"plan"_s, planJson(d)},
             {u"reason"_s, reason}});
    if (settle)
        reconcile(d.appId);
}

QString SimMarathon::rollback(const QString &id)
{
    const Deployment *found = deployment(id);
    if (!found)
        return QString();
    const Deployment d = *found;
    cancelDeployment(id, u"rolled back"_s, false);
    const QString version = newVersion();
    if (d.original.isEmpty()) // the app was created by it: remove it again
        return createDeployment(d.appId, d.target, QJsonObject(), u"StopApplication"_s);
    // A new deployment to the previous definition, under a new version (as Marathon's revert).
    QJsonObject target = d.original;
    target.insert(u"version"_s, version);
    const QJsonObject current = m_apps.value(d.appId).def;
    QString action = u"RestartApplication"_s;
    QJsonObject info{{u"lastScalingAt"_s, version}, {u"lastConfigChangeAt"_s, version}};
    if (d.target.isEmpty()) {
        action = u"StartApplication"_s;
    } else if (configOf(target) == configOf(current)
               && target.value(u"instances"_s) != current.value(u"instances"_s)) {
        action = u"ScaleApplication"_s;
        info.insert(u"lastConfigChangeAt"_s,
                    current[u"versionInfo"_s][u"lastConfigChangeAt"_s].toString(version));
    }
    target.insert(u"versionInfo"_s, info);
    return createDeployment(d.appId, current, target, action);
}

void SimMarathon::progress()
{
    if (m_busy > 0)
        return; // runDeployment() holds a deployment; createDeployment() looks afterwards
    for (bool again = true; again;) {
        again = false;
        for (Deployment &d : m_deployments) {
            if (d.action.isEmpty())
                continue; // finishes on its own, on the next turn
            const int n = d.target.value(u"instances"_s).toInt();
            const QString version = d.target.value(u"version"_s).toString();
            const QList<const Task *> current = appTasks(d.appId);
            bool done = false;
            if (d.action == u"StopApplication"_s) {
                done = current.isEmpty();
            } else if (d.action == u"RestartApplication"_s) {
                int healthy = 0;
                int readyNew = 0;
                for (const Task *t : current) {
                    healthy += consideredHealthy(*t) ? 1 : 0;
                    if (!d.oldIds.contains(t->id) && t->version == version && ready(*t))
                        ++readyNew;
                }
                if (d.lastOld != int(d.oldIds.size()) || d.lastNew != d.started
                    || d.lastHealthy != healthy) {
                    d.lastOld = int(d.oldIds.size());
                    d.lastNew = d.started;
                    d.lastHealthy = healthy;
                    emit capacitySample(d.appId, d.lastOld, d.lastNew, d.lastHealthy);
                }
                done = readyNew >= n && d.oldIds.isEmpty();
            } else {
                int active = 0;
                int readyCount = 0;
                bool killing = false;
                for (const Task *t : current) {
                    killing = killing || t->killing;
                    active += t->killing ? 0 : 1;
                    readyCount += ready(*t) ? 1 : 0;
                }
                done = !killing && active == n && readyCount >= n;
            }
            if (done) {
                finishDeployment(d.id); // changes the list: look again from the start
                again = true;
                break;
            }
        }
    }
}

void SimMarathon::finishDeployment(const QString &id)
{
    const auto it = std::find_if(m_deployments.begin(),
                                 m_deployments.end(),
                                 [&id](const Deployment &d) { return d.id == id; });
    if (it == m_deployments.end())
        return;
    const Deployment d = *it;
    m_deployments.erase(it);
    const QJsonObject plan = planJson(d);
    if (!d.action.isEmpty()) {
        publish({{u"eventType"_s, u"deployment_step_success"_s},
                 {u"plan"_s, plan},
                 {u"currentStep"_s,
                  QJsonObject{
                      {u"actions"_s,
                       QJsonArray{QJsonObject{{u"action"_s, d.action}, {u"app"_s, d.appId}}}}}}});
    }
    if (d.action == u"StopApplication"_s)
        publish({{u"eventType"_s, u"app_terminated_event"_s}, {u"appId"_s, d.appId}});
    publish({{u"eventType"_s, u"deployment_success"_s}, {u"id"_s, d.id}, {u"plan"_s, plan}});
    reconcile(d.appId);
    emit deploymentFinished(d.id);
}

// ---------------------------------------------------------------------------------------------
// The launch queue and the task life cycle

void SimMarathon::reconcile(const QString &appId)
{
    const auto it = m_apps.find(appId);
    if (it == m_apps.end())
        return;
    const Deployment *d = deploymentFor(appId);
    if (d && (d->action == u"RestartApplication"_s || d->action == u"StopApplication"_s))
        return; // the deployment decides what starts
    // Marathon's scale check: keep `instances` tasks (or the deployment's target) alive.
    const int wanted = (d ? d->target : it->def).value(u"instances"_s).toInt();
    int active = 0;
    for (const Task *t : appTasks(appId))
        active += t->killing ? 0 : 1;
    const int missing = wanted - active - it->queued;
    if (missing > 0) {
        if (it->queued == 0)
            it->queuedSince = now();
        it->queued += missing;
    }
    processQueue(appId);
}

void SimMarathon::processQueue(const QString &appId)
{
    auto it = m_apps.find(appId);
    if (it == m_apps.end() || it->queued <= 0)
        return;
    const QDateTime t = now();
    if (it->delayUntil.isValid() && it->delayUntil > t) {
        if (!it->queueTimer) {
            it->queueTimer = true;
            QTimer::singleShot(
                int(std::max<qint64>(1, t.msecsTo(it->delayUntil))), this, [this, appId] {
                    if (m_apps.contains(appId)) {
                        m_apps[appId].queueTimer = false;
                        processQueue(appId);
                    }
                });
        }
        return;
    }
    while (it->queued > 0) {
        if (!launch(appId, false)) {
            // No agent has room: wait for the next round of offers.
            if (!it->queueTimer) {
                it->queueTimer = true;
                QTimer::singleShot(scaled(kOfferRetryMs), this, [this, appId] {
                    if (m_apps.contains(appId)) {
                        m_apps[appId].queueTimer = false;
                        processQueue(appId);
                    }
                });
            }
            return;
        }
        it = m_apps.find(appId);
        --it->queued;
    }
}

bool SimMarathon::launch(const QString &appId, bool seeded)
{
    const App &a = m_apps[appId];
    const QJsonObject &def = a.def;
    const double cpus = def.value(u"cpus"_s).toDouble();
    const double mem = def.value(u"mem"_s).toDouble();
    const double disk = def.value(u"disk"_s).toDouble();
    const QJsonObject container = def.value(u"container"_s).toObject();
    const QJsonArray mappings = container.value(u"portMappings"_s).toArray();
    const bool bridge =
        def.value(u"networks"_s).toArray().at(0)[u"mode"_s].toString() == u"container/bridge"_s;
    QList<int> servicePorts;
    if (bridge) {
        for (const auto &m : mappings)
            servicePorts << m.toObject().value(u"servicePort"_s).toInt();
    } else {
        for (const auto &p : def.value(u"portDefinitions"_s).toArray())
            servicePorts << p.toObject().value(u"port"_s).toInt();
    }
    const int portCount = int(servicePorts.size());

    // The agent with room that runs the fewest tasks of this app (then the fewest overall).
    int best = -1;
    QList<int> bestPorts;
    int bestMine = 0;
    int bestAll = 0;
    for (int i = 0; i < int(m_agents.size()); ++i) {
        const SimAgent &agent = m_agents.at(i);
        double usedCpus = 0;
        double usedMem = 0;
        double usedDisk = 0;
        int mine = 0;
        int all = 0;
        QSet<int> usedPorts;
        for (const Task &t : std::as_const(m_tasks)) {
            if (t.agentId != agent.id)
                continue;
            usedCpus += t.cpus;
            usedMem += t.mem;
            usedDisk += t.disk;
            ++all;
            mine += t.appId == appId ? 1 : 0;
            for (int p : t.ports)
                usedPorts.insert(p);
        }
        if (usedCpus + cpus > agent.cpus + 1e-9 || usedMem + mem > agent.memMb + 1e-9
            || usedDisk + disk > agent.diskMb + 1e-9)
            continue;
        QList<int> freePorts;
        for (int p = agent.portsBegin; p <= agent.portsEnd && freePorts.size() < portCount; ++p) {
            if (!usedPorts.contains(p))
                freePorts << p;
        }
        if (freePorts.size() < portCount)
            continue;
        if (best < 0 || mine < bestMine || (mine == bestMine && all < bestAll)) {
            best = i;
            bestPorts = freePorts;
            bestMine = mine;
            bestAll = all;
        }
    }
    if (best < 0)
        return false;
    const SimAgent &agent = m_agents.at(best);

    Task t;
    const QString taskUuid = uuid();
    const QString path = appId.mid(1);
    if (seeded) {
        // Deployed long ago, by a Marathon before 1.4: the older task id style.
        t.id = QString(path).replace(u'/', u'_') + u'.' + taskUuid;
        t.instanceId = t.id;
    } else {
        t.instanceId = QString(path).replace(u'/', u'.') + u".instance-"_s + taskUuid;
        t.id = t.instanceId + u"._app.1"_s;
    }
    t.appId = appId;
    t.agentId = agent.id;
    t.host = agent.hostname;
    t.version = def.value(u"version"_s).toString();
    t.image = container.value(u"docker"_s).toObject().value(u"image"_s).toString();
    t.ports = bestPorts;
    t.servicePorts = servicePorts;
    t.cpus = cpus;
    t.mem = mem;
    t.disk = disk;
    t.hasHealth = !def.value(u"healthChecks"_s).toArray().isEmpty();
    t.broken = !seeded && m_brokenImages.contains(t.image);
    t.docker = agent.docker;
    const QDateTime deployed = QDateTime::fromString(t.version, Qt::ISODateWithMs);
    t.stagedAt = seeded ? deployed.addSecs(1) : now();
    m_tasks.insert(t.id, t);
    const QString id = t.id;
    if (seeded) {
        Task &s = m_tasks[id];
        s.state = u"TASK_RUNNING"_s;
        s.startedAt = deployed.addSecs(5);
        startContainer(s);
        if (s.hasHealth) {
            s.health = Health::Alive;
            s.firstSuccess = s.startedAt.addSecs(20);
            s.lastSuccess = now();
        }
        return true;
    }
    setState(m_tasks[id], u"TASK_STAGING"_s);
    const quint64 serial = m_tasks[id].serial;
    QTimer::singleShot(
        scaled(kStagingMs), this, [this, id, serial] { advance(id, serial, u"TASK_STARTING"_s); });
    emit tasksChanged();
    return true;
}

void SimMarathon::startContainer(Task &t)
{
    if (!t.docker)
        return;
    const QJsonObject def = m_apps.value(t.appId).def;
    SimContainer c;
    c.name = u"mesos-"_s + uuid(); // the Mesos containerizer names it after its container id
    c.image = t.image.isEmpty() ? u"mesos/executor"_s : t.image;
    if (def.value(u"cmd"_s).isString()) {
        c.cmd = QStringList{u"/bin/sh"_s, u"-c"_s, def.value(u"cmd"_s).toString()};
    } else {
        for (const auto &arg : def.value(u"args"_s).toArray())
            c.cmd << arg.toString();
    }
    const QJsonObject env = def.value(u"env"_s).toObject();
    for (auto it = env.begin(); it != env.end(); ++it) {
        if (it.value().isString()) // secret references are resolved by Mesos, not shown here
            c.env << it.key() + u'=' + it.value().toString();
    }
    // What Marathon adds to every task's environment.
    c.env << u"MARATHON_APP_ID="_s + t.appId << u"MARATHON_APP_VERSION="_s + t.version
          << u"MARATHON_APP_DOCKER_IMAGE="_s + t.image << u"MESOS_TASK_ID="_s + t.id
          << u"HOST="_s + t.host;
    QStringList ports;
    for (qsizetype i = 0; i < t.ports.size(); ++i) {
        c.env << u"PORT%1=%2"_s.arg(i).arg(t.ports.at(i));
        ports << QString::number(t.ports.at(i));
    }
    if (!t.ports.isEmpty())
        c.env << u"PORT=%1"_s.arg(t.ports.first()) << u"PORTS="_s + ports.join(u',');
    c.labels = {{u"MESOS_TASK_ID"_s, t.id}, {u"MARATHON_APP_ID"_s, t.appId}};
    c.created = now();
    t.containerId = t.docker->addContainer(c, true);
}

void SimMarathon::setState(Task &t, const QString &state, const QString &message)
{
    t.state = state;
    ++t.serial;
    publish(
        {{u"eventType"_s, u"status_update_event"_s},
         {u"slaveId"_s, t.agentId},
         {u"taskId"_s, t.id},
         {u"taskStatus"_s, state},
         {u"message"_s, message},
         {u"appId"_s, t.appId},
         {u"host"_s, t.host},
         {u"ipAddresses"_s,
          QJsonArray{QJsonObject{{u"ipAddress"_s, u"127.0.0.1"_s}, {u"protocol"_s, u"IPv4"_s}}}},
         {u"ports"_s, intArray(t.ports)},
         {u"version"_s, t.version}});
    publish({{u"eventType"_s, u"instance_changed_event"_s},
             {u"instanceId"_s, t.instanceId},
             {u"condition"_s, condition(state)},
             {u"runSpecId"_s, t.appId},
             {u"agentId"_s, t.agentId},
             {u"host"_s, t.host},
             {u"runSpecVersion"_s, t.version}});
}

void SimMarathon::advance(const QString &taskId, quint64 serial, const QString &state)
{
    auto it = m_tasks.find(taskId);
    if (it == m_tasks.end() || it->serial != serial || it->killing)
        return;
    setState(*it, state);
    const quint64 next = it->serial;
    if (state == u"TASK_STARTING"_s) {
        startContainer(*it);
        if (it->broken && !it->hasHealth) {
            // A broken image without health checks: the process exits before Mesos reports
            // it running, so it never counts as started.
            QTimer::singleShot(scaled(kBrokenExitMs), this, [this, taskId, next] {
                const auto t = m_tasks.constFind(taskId);
                if (t == m_tasks.cend() || t->serial != next)
                    return;
                if (t->docker)
                    t->docker->exitContainer(t->containerId, 1);
                terminate(taskId, u"TASK_FAILED"_s, u"Container exited with status 1"_s);
            });
        } else {
            QTimer::singleShot(scaled(kStartingMs), this, [this, taskId, next] {
                advance(taskId, next, u"TASK_RUNNING"_s);
            });
        }
    } else if (state == u"TASK_RUNNING"_s) {
        it->startedAt = now();
        if (it->hasHealth) {
            const Health result = it->broken ? Health::Failing : Health::Alive;
            QTimer::singleShot(scaled(kFirstHealthMs), this, [this, taskId, next, result] {
                healthResult(taskId, next, result);
            });
        } else {
            onTaskReady(taskId);
        }
    }
    emit tasksChanged();
    progress();
}

void SimMarathon::healthResult(const QString &taskId, quint64 serial, Health result)
{
    auto it = m_tasks.find(taskId);
    if (it == m_tasks.end() || it->serial != serial || it->killing)
        return;
    const Health before = it->health;
    it->health = result;
    const QDateTime t = now();
    if (result == Health::Alive) {
        it->consecutiveFailures = 0;
        if (!it->firstSuccess.isValid())
            it->firstSuccess = t;
        it->lastSuccess = t;
    } else {
        ++it->consecutiveFailures;
        it->lastFailure = t;
        publish({{u"eventType"_s, u"failed_health_check_event"_s},
                 {u"appId"_s, it->appId},
                 {u"taskId"_s, it->id},
                 {u"instanceId"_s, it->instanceId},
                 {u"healthCheck"_s,
                  m_apps.value(it->appId).def.value(u"healthChecks"_s).toArray().at(0)}});
    }
    if (before != result) {
        const bool alive = result == Health::Alive;
        publish({{u"eventType"_s, u"health_status_changed_event"_s},
                 {u"appId"_s, it->appId},
                 {u"taskId"_s, it->id},
                 {u"instanceId"_s, it->instanceId},
                 {u"version"_s, it->version},
                 {u"alive"_s, alive}});
        publish({{u"eventType"_s, u"instance_health_changed_event"_s},
                 {u"instanceId"_s, it->instanceId},
                 {u"runSpecId"_s, it->appId},
                 {u"runSpecVersion"_s, it->version},
                 {u"healthy"_s, alive}});
        emit tasksChanged();
    }
    if (result == Health::Alive) {
        onTaskReady(taskId);
    } else {
        const int limit = m_apps.value(it->appId)
                              .def.value(u"healthChecks"_s)
                              .toArray()
                              .at(0)[u"maxConsecutiveFailures"_s]
                              .toInt(3);
        if (limit > 0 && it->consecutiveFailures >= limit) {
            publish({{u"eventType"_s, u"unhealthy_instance_kill_event"_s},
                     {u"appId"_s, it->appId},
                     {u"taskId"_s, it->id},
                     {u"instanceId"_s, it->instanceId},
                     {u"version"_s, it->version},
                     {u"reason"_s, u"HTTP request returned status code: 503"_s},
                     {u"host"_s, it->host},
                     {u"slaveId"_s, it->agentId}});
            kill(taskId, true);
        } else {
            QTimer::singleShot(scaled(kHealthIntervalMs), this, [this, taskId, serial] {
                healthResult(taskId, serial, Health::Failing);
            });
        }
    }
    progress();
}

void SimMarathon::kill(const QString &taskId, bool unhealthy)
{
    auto it = m_tasks.find(taskId);
    if (it == m_tasks.end() || it->killing)
        return;
    it->killing = true;
    it->unhealthyKill = unhealthy;
    setState(*it, u"TASK_KILLING"_s);
    if (it->docker && !it->containerId.isEmpty())
        it->docker->stopContainer(it->containerId, 10);
    const quint64 serial = it->serial;
    QTimer::singleShot(scaled(kKillMs), this, [this, taskId, serial] {
        const auto t = m_tasks.constFind(taskId);
        if (t != m_tasks.cend() && t->serial == serial)
            terminate(taskId,
                      u"TASK_KILLED"_s,
                      t->unhealthyKill ? u"Task was killed since health check failed"_s
                                       : u"Command terminated with signal Terminated"_s);
    });
    emit tasksChanged();
    progress();
}

void SimMarathon::terminate(const QString &taskId, const QString &state, const QString &message)
{
    auto it = m_tasks.find(taskId);
    if (it == m_tasks.end())
        return;
    setState(*it, state, message);
    const Task t = *it;
    m_tasks.erase(it);
    if (t.docker && !t.containerId.isEmpty())
        t.docker->removeContainer(t.containerId);

    if (m_apps.contains(t.appId)) {
        App &a = m_apps[t.appId];
        if (state == u"TASK_FAILED"_s) {
            a.lastTaskFailure = {{u"appId"_s, t.appId},
                                 {u"host"_s, t.host},
                                 {u"message"_s, message},
                                 {u"state"_s, state},
                                 {u"taskId"_s, t.id},
                                 {u"instanceId"_s, t.instanceId},
                                 {u"timestamp"_s, iso(now())},
                                 {u"version"_s, t.version},
                                 {u"slaveId"_s, t.agentId}};
        }
        if (state == u"TASK_FAILED"_s || t.unhealthyKill) {
            // Launch back-off: backoffSeconds × backoffFactor^n, capped (Marathon's RateLimiter).
            const QJsonObject &def = a.def;
            const double delay =
                std::min(def.value(u"backoffSeconds"_s).toDouble(1)
                             * std::pow(def.value(u"backoffFactor"_s).toDouble(1.15), a.delayStep),
                         def.value(u"maxLaunchDelaySeconds"_s).toDouble(300));
            ++a.delayStep;
            a.delayUntil = now().addMSecs(qint64(delay * 1000 / m_timeScale));
        }
    }

    SimTask ended;
    ended.id = t.id;
    ended.appId = t.appId;
    ended.agentId = t.agentId;
    ended.state = state;
    ended.cpus = t.cpus;
    ended.memMb = t.mem;
    ended.diskMb = t.disk;
    ended.ports = t.ports;
    ended.stagedAt = t.stagedAt;
    ended.startedAt = t.startedAt;
    ended.hasHealth = t.hasHealth;
    emit taskTerminated(ended);
    emit tasksChanged();

    if (Deployment *d = deploymentFor(t.appId); d && d->action == u"RestartApplication"_s) {
        if (d->oldIds.remove(t.id)) {
            replaceLaunch(d->id); // an old one is gone: room for more new ones
        } else if (t.version == d->target.value(u"version"_s).toString()) {
            // A new one failed: it is started again (the launch queue applies the back-off).
            d->started = std::max(0, d->started - 1);
            d->readyNew.remove(t.id);
            replaceLaunch(d->id);
        }
    } else {
        reconcile(t.appId);
    }
    progress();
}

// ---------------------------------------------------------------------------------------------
// JSON views

QJsonObject SimMarathon::taskJson(const Task &t) const
{
    QJsonObject o{
        {u"id"_s, t.id},
        {u"appId"_s, t.appId},
        {u"host"_s, t.host},
        {u"ports"_s, intArray(t.ports)},
        {u"servicePorts"_s, intArray(t.servicePorts)},
        {u"ipAddresses"_s,
         QJsonArray{QJsonObject{{u"ipAddress"_s, u"127.0.0.1"_s}, {u"protocol"_s, u"IPv4"_s}}}},
        {u"slaveId"_s, t.agentId},
        {u"state"_s, t.state},
        {u"stagedAt"_s, iso(t.stagedAt)},
        {u"version"_s, t.version},
        {u"localVolumes"_s, QJsonArray()}};
    if (t.startedAt.isValid())
        o.insert(u"startedAt"_s, iso(t.startedAt));
    QJsonArray results;
    if (t.hasHealth && t.health != Health::Unknown) {
        QJsonObject r{{u"alive"_s, t.health == Health::Alive},
                      {u"consecutiveFailures"_s, t.consecutiveFailures},
                      {u"instanceId"_s, t.instanceId}};
        if (t.firstSuccess.isValid())
            r.insert(u"firstSuccess"_s, iso(t.firstSuccess));
        if (t.lastSuccess.isValid())
            r.insert(u"lastSuccess"_s, iso(t.lastSuccess));
        if (t.lastFailure.isValid()) {
            r.insert(u"lastFailure"_s, iso(t.lastFailure));
            r.insert(u"lastFailureCause"_s, u"HTTP request returned status code: 503"_s);
        }
        results << r;
    }
    o.insert(u"healthCheckResults"_s, results);
    return o;
}

QJsonObject SimMarathon::appJson(const App &a, const QSet<QString> &embeds) const
{
    QJsonObject o = a.def;
    const QString appId = a.def.value(u"id"_s).toString();
    const QList<const Task *> list = appTasks(appId);
    const auto counts = [this](const QList<const Task *> &group) {
        int staged = 0;
        int running = 0;
        int healthy = 0;
        int unhealthy = 0;
        for (const Task *t : group) {
            staged += t->state == u"TASK_STAGING"_s ? 1 : 0;
            running += t->state == u"TASK_RUNNING"_s ? 1 : 0;
            // API reference §2.2: healthy = has results, all alive; without checks never.
            healthy += t->hasHealth && t->health == Health::Alive ? 1 : 0;
            unhealthy += t->hasHealth && t->health == Health::Failing ? 1 : 0;
        }
        return std::array<int, 4>{staged, running, healthy, unhealthy};
    };
    // Counts and deployments always come with the app (AppsResource), whatever was asked.
    const auto c = counts(list);
    o.insert(u"tasksStaged"_s, c[0]);
    o.insert(u"tasksRunning"_s, c[1]);
    o.insert(u"tasksHealthy"_s, c[2]);
    o.insert(u"tasksUnhealthy"_s, c[3]);
    QJsonArray deployments;
    for (const Deployment &d : m_deployments) {
        if (d.appId == appId)
            deployments << QJsonObject{{u"id"_s, d.id}};
    }
    o.insert(u"deployments"_s, deployments);
    if (embeds.contains(u"tasks"_s)) {
        QJsonArray tasks;
        for (const Task *t : list)
            tasks << taskJson(*t);
        o.insert(u"tasks"_s, tasks);
    }
    if ((embeds.contains(u"lastTaskFailure"_s) || embeds.contains(u"failures"_s))
        && !a.lastTaskFailure.isEmpty())
        o.insert(u"lastTaskFailure"_s, a.lastTaskFailure);
    if (embeds.contains(u"readiness"_s))
        o.insert(u"readinessCheckResults"_s, QJsonArray());
    if (embeds.contains(u"taskStats"_s)) {
        // Marathon 1.9+ writes "tasksStats" (plural; see marathon-python issue #279).
        const QString lastScaling = a.def[u"versionInfo"_s][u"lastScalingAt"_s].toString();
        const QString lastConfig = a.def[u"versionInfo"_s][u"lastConfigChangeAt"_s].toString();
        QList<const Task *> afterScaling;
        QList<const Task *> latest;
        QList<const Task *> outdated;
        for (const Task *t : list) {
            if (iso(t->stagedAt) >= lastScaling)
                afterScaling << t;
            (t->version >= lastConfig ? latest : outdated) << t;
        }
        const auto group = [&](const QList<const Task *> &g) {
            const auto n = counts(g);
            QList<double> lifetimes;
            for (const Task *t : g) {
                if (t->startedAt.isValid())
                    lifetimes << double(t->startedAt.msecsTo(now())) / 1000.0;
            }
            std::sort(lifetimes.begin(), lifetimes.end());
            double average = 0;
            for (double l : std::as_const(lifetimes))
                average += l / double(lifetimes.size());
            const double median = lifetimes.isEmpty() ? 0 : lifetimes.at(lifetimes.size() / 2);
            return QJsonObject{{u"stats"_s,
                                QJsonObject{{u"counts"_s,
                                             QJsonObject{{u"staged"_s, n[0]},
                                                         {u"running"_s, n[1]},
                                                         {u"healthy"_s, n[2]},
                                                         {u"unhealthy"_s, n[3]}}},
                                            {u"lifeTime"_s,
                                             QJsonObject{{u"averageSeconds"_s, average},
                                                         {u"medianSeconds"_s, median}}}}}};
        };
        QJsonObject stats;
        if (!afterScaling.isEmpty())
            stats.insert(u"startedAfterLastScaling"_s, group(afterScaling));
        if (!latest.isEmpty())
            stats.insert(u"withLatestConfig"_s, group(latest));
        if (!outdated.isEmpty())
            stats.insert(u"withOutdatedConfig"_s, group(outdated));
        if (!list.isEmpty())
            stats.insert(u"totalSummary"_s, group(list));
        o.insert(u"tasksStats"_s, stats);
    }
    return o;
}

QJsonObject SimMarathon::deploymentJson(const Deployment &d) const
{
    QJsonArray steps;
    QJsonArray current;
    if (!d.action.isEmpty()) {
        steps << QJsonObject{
            {u"actions"_s, QJsonArray{QJsonObject{{u"action"_s, d.action}, {u"app"_s, d.appId}}}}};
        current << QJsonObject{{u"action"_s, d.action},
                               {u"app"_s, d.appId},
                               {u"readinessCheckResults"_s, QJsonArray()}};
    }
    return {{u"id"_s, d.id},
            {u"version"_s, d.version},
            {u"affectedApps"_s, QJsonArray{d.appId}},
            {u"affectedPods"_s, QJsonArray()},
            {u"steps"_s, steps},
            {u"currentActions"_s, current},
            {u"currentStep"_s, d.action.isEmpty() ? 0 : 1}, // 1-based
            {u"totalSteps"_s, int(steps.size())}};
}

QJsonObject SimMarathon::planJson(const Deployment &d) const
{
    const auto group = [](const QJsonObject &app, const QString &version) {
        return QJsonObject{{u"id"_s, u"/"_s},
                           {u"apps"_s, app.isEmpty() ? QJsonArray() : QJsonArray{app}},
                           {u"groups"_s, QJsonArray()},
                           {u"pods"_s, QJsonArray()},
                           {u"dependencies"_s, QJsonArray()},
                           {u"version"_s, version}};
    };
    QJsonArray steps;
    if (!d.action.isEmpty())
        steps << QJsonObject{
            {u"actions"_s, QJsonArray{QJsonObject{{u"action"_s, d.action}, {u"app"_s, d.appId}}}}};
    return {{u"id"_s, d.id},
            {u"version"_s, d.version},
            {u"original"_s, group(d.original, d.original.value(u"version"_s).toString(d.version))},
            {u"target"_s, group(d.target, d.version)},
            {u"steps"_s, steps}};
}

QJsonObject SimMarathon::queueJson() const
{
    QJsonArray queue;
    const QDateTime t = now();
    for (const App &a : m_apps) {
        const bool delayed = a.delayUntil.isValid() && a.delayUntil > t;
        if (a.queued <= 0 && !delayed)
            continue;
        // Time left in simulated seconds.
        const qint64 leftMs = delayed ? qint64(double(t.msecsTo(a.delayUntil)) * m_timeScale) : 0;
        queue << QJsonObject{{u"app"_s, appJson(a, {})},
                             {u"count"_s, a.queued},
                             {u"delay"_s,
                              QJsonObject{{u"timeLeftSeconds"_s, int((leftMs + 999) / 1000)},
                                          {u"overdue"_s, !delayed && a.queued > 0}}},
                             {u"since"_s, iso(a.queuedSince.isValid() ? a.queuedSince : t)},
                             {u"processedOffersSummary"_s,
                              QJsonObject{{u"processedOffersCount"_s, 0},
                                          {u"unusedOffersCount"_s, 0},
                                          {u"rejectSummaryLastOffers"_s, QJsonArray()},
                                          {u"rejectSummaryLaunchAttempt"_s, QJsonArray()}}}};
    }
    return {{u"queue"_s, queue}};
}

QJsonObject SimMarathon::infoJson(int master) const
{
    const quint16 port = m_masters[size_t(master)].port;
    const QString framework = u"marathon-"_s + m_environment;
    return {{u"name"_s, u"marathon"_s},
            {u"version"_s, u"1.10.26"_s},
            {u"buildref"_s, u"opsdeck-sim"_s},
            {u"elected"_s, master == m_leader},
            {u"leader"_s, m_leader < 0 ? QJsonValue() : QJsonValue(leaderHostPort())},
            {u"frameworkId"_s, m_frameworkId},
            {u"marathon_config"_s,
             QJsonObject{{u"master"_s, u"zk://zk-1.example.internal:2181/mesos"_s},
                         {u"framework_name"_s, framework},
                         {u"hostname"_s, u"127.0.0.1"_s},
                         {u"checkpoint"_s, true},
                         {u"failover_timeout"_s, 604800},
                         {u"ha"_s, m_masters.size() > 1},
                         {u"mesos_role"_s, u"*"_s},
                         {u"task_launch_timeout"_s, 300000}}},
            {u"zookeeper_config"_s,
             QJsonObject{{u"zk"_s, QString(u"zk://zk-1.example.internal:2181/"_s + framework)},
                         {u"zk_timeout"_s, 10000},
                         {u"zk_session_timeout"_s, 10000},
                         {u"zk_max_versions"_s, kMaxVersions}}},
            {u"http_config"_s, QJsonObject{{u"http_port"_s, port}, {u"https_port"_s, 8443}}}};
}

// ---------------------------------------------------------------------------------------------
// HTTP

void SimMarathon::dispatch(int master, HttpExchange *exchange)
{
    if (m_delayMs <= 0) {
        route(master, exchange);
        return;
    }
    const QPointer<HttpExchange> held(exchange);
    QTimer::singleShot(m_delayMs, this, [this, master, held] {
        if (held && held->isOpen())
            route(master, held);
    });
}

void SimMarathon::reply(
    int master, HttpExchange *exchange, int status, const QJsonValue &body, HttpHeaders headers)
{
    headers = leaderHeaders(master) + headers;
    QByteArray bytes = compact(body);
    if (m_malformed)
        bytes.truncate(bytes.size() / 2);
    exchange->respond(status, bytes, kJson, headers);
}

void SimMarathon::replyError(int master,
                             HttpExchange *exchange,
                             int status,
                             const QString &message,
                             const QJsonArray &details)
{
    QJsonObject body{{u"message"_s, message}};
    if (!details.isEmpty())
        body.insert(u"details"_s, details);
    reply(master, exchange, status, body);
}

void SimMarathon::replyFailure(int master, HttpExchange *exchange, const Failure &failure)
{
    QJsonObject body{{u"message"_s, failure.message}};
    if (!failure.details.isEmpty())
        body.insert(u"details"_s, failure.details);
    if (!failure.deployments.isEmpty())
        body.insert(u"deployments"_s, failure.deployments);
    reply(master, exchange, failure.status, body);
}

void SimMarathon::replyDeployment(
    int master, HttpExchange *exchange, int status, const QString &id, HttpHeaders headers)
{
    const Deployment *d = deployment(id);
    QString version = d ? d->version : m_lastVersion;
    headers.append({"Marathon-Deployment-Id", id.toUtf8()});
    reply(master,
          exchange,
          status,
          QJsonObject{{u"deploymentId"_s, id}, {u"version"_s, version}},
          headers);
}

bool SimMarathon::boolParam(
    int master, HttpExchange *exchange, const QString &name, bool fallback, bool *value)
{
    const QUrlQuery &query = exchange->request().query;
    *value = fallback;
    if (!query.hasQueryItem(name))
        return true;
    const QString text = query.queryItemValue(name, QUrl::FullyDecoded).toLower();
    if (text == u"true"_s || text.isEmpty()) {
        *value = true;
    } else if (text == u"false"_s) {
        *value = false;
    } else {
        replyError(master,
                   exchange,
                   400,
                   u"Invalid boolean value '%1' for query parameter '%2'"_s.arg(
                       query.queryItemValue(name, QUrl::FullyDecoded), name));
        return false;
    }
    return true;
}

void SimMarathon::route(int master, HttpExchange *exchange)
{
    const HttpRequest &r = exchange->request();
    QString path = r.path;
    while (path.size() > 1 && path.endsWith(u'/'))
        path.chop(1);
    const QByteArray &method = r.method;
    const bool get = method == "GET" || method == "HEAD";

    if (path == u"/ping"_s) {
        if (!get)
            return replyError(master, exchange, 405, u"HTTP 405 Method Not Allowed"_s);
        return exchange->respond(200, "pong", "text/plain; charset=utf-8");
    }
    if (path == u"/v2/leader"_s) {
        if (m_leader < 0)
            return replyError(master, exchange, 404, u"There is no leader"_s);
        if (method == "DELETE") {
            // The leader abdicates; the next master up takes over.
            int next = -1;
            for (int i = 1; i < int(m_masters.size()) && next < 0; ++i) {
                const int candidate = (m_leader + i) % int(m_masters.size());
                if (m_masters[size_t(candidate)].up)
                    next = candidate;
            }
            reply(master, exchange, 200, QJsonObject{{u"message"_s, u"Leadership abdicated"_s}});
            setLeader(next);
            return;
        }
        if (!get)
            return replyError(master, exchange, 405, u"HTTP 405 Method Not Allowed"_s);
        return reply(master, exchange, 200, QJsonObject{{u"leader"_s, leaderHostPort()}});
    }
    if (path == u"/v2/info"_s) {
        if (!get)
            return replyError(master, exchange, 405, u"HTTP 405 Method Not Allowed"_s);
        return reply(master, exchange, 200, infoJson(master));
    }
    if (m_leader < 0)
        return replyError(master, exchange, 502, u"Could not determine the current leader"_s);
    if (path == u"/v2/events"_s) {
        if (!get)
            return replyError(master, exchange, 405, u"HTTP 405 Method Not Allowed"_s);
        return openEventStream(master, exchange);
    }
    if (path == u"/v2/apps"_s) {
        if (get)
            return listApps(master, exchange, QString());
        if (method == "POST")
            return createApp(master, exchange);
        return replyError(master, exchange, 405, u"HTTP 405 Method Not Allowed"_s);
    }
    if (path.startsWith(u"/v2/apps/"_s))
        return routeApps(master, exchange, path.mid(9));
    if (path == u"/v2/tasks"_s) {
        if (!get)
            return replyError(master, exchange, 405, u"HTTP 405 Method Not Allowed"_s);
        QJsonArray list;
        for (const Task &t : std::as_const(m_tasks))
            list << taskJson(t);
        return reply(master, exchange, 200, QJsonObject{{u"tasks"_s, list}});
    }
    if (path == u"/v2/deployments"_s) {
        if (!get)
            return replyError(master, exchange, 405, u"HTTP 405 Method Not Allowed"_s);
        QJsonArray list;
        for (const Deployment &d : std::as_const(m_deployments))
            list << deploymentJson(d);
        return reply(master, exchange, 200, list);
    }
    if (path.startsWith(u"/v2/deployments/"_s)) {
        if (method != "DELETE")
            return replyError(master, exchange, 405, u"HTTP 405 Method Not Allowed"_s);
        const QString id = path.mid(16);
        bool force = false;
        if (!boolParam(master, exchange, u"force"_s, false, &force))
            return;
        if (!deployment(id))
            return replyError(master, exchange, 404, u"DeploymentPlan %1 does not exist"_s.arg(id));
        if (force) {
            cancelDeployment(id, u"cancelled"_s, true);
            return exchange->respond(202, QByteArray(), QByteArray(), leaderHeaders(master));
        }
        return replyDeployment(master, exchange, 200, rollback(id));
    }
    if (path == u"/v2/queue"_s) {
        if (!get)
            return replyError(master, exchange, 405, u"HTTP 405 Method Not Allowed"_s);
        return reply(master, exchange, 200, queueJson());
    }
    replyError(master, exchange, 404, u"HTTP 404 Not Found"_s);
}

HttpHeaders SimMarathon::leaderHeaders(int master) const
{
    HttpHeaders headers;
    if (m_leader >= 0)
        headers.append({"X-Marathon-Leader", url(m_leader).toUtf8()});
    if (master != m_leader) { // answered as if forwarded to the leader (LeaderProxyFilter)
        const QByteArray port = QByteArray::number(m_masters[size_t(master)].port);
        headers.append({"X-Marathon-Via", "1.1 127.0.0.1:" + port});
    }
    return headers;
}

void SimMarathon::openEventStream(int master, HttpExchange *exchange)
{
    const HttpRequest &r = exchange->request();
    if (!r.headers.value("accept").contains("text/event-stream"))
        return replyError(master, exchange, 405, u"HTTP 405 Method Not Allowed"_s);
    if (master != m_leader) {
        // Only the leader streams events: the others send the client there.
        QString location = url(m_leader) + u"/v2/events"_s;
        if (!r.query.isEmpty())
            location += u'?' + r.query.toString(QUrl::FullyEncoded);
        HttpHeaders headers = leaderHeaders(master);
        headers.append({"Location", location.toUtf8()});
        return exchange->respond(307, QByteArray(), QByteArray(), headers);
    }
    Stream s;
    s.exchange = exchange;
    s.master = master;
    for (const QString &type : r.query.allQueryItemValues(u"event_type"_s, QUrl::FullyDecoded))
        s.types.insert(type);
    exchange->startStream(200, "text/event-stream", leaderHeaders(master));
    m_streams << s;
    connect(exchange, &HttpExchange::closed, this, [this, exchange] {
        m_streams.removeIf(
            [exchange](const Stream &st) { return !st.exchange || st.exchange == exchange; });
    });
    const QJsonObject attached{{u"eventType"_s, u"event_stream_attached"_s},
                               {u"remoteAddress"_s, u"127.0.0.1"_s},
                               {u"timestamp"_s, iso(now())}};
    // The greeting comes first whatever the filter asks for.
    exchange->write("event: event_stream_attached\ndata: " + compact(attached) + "\n\n");
}

void SimMarathon::listApps(int master, HttpExchange *exchange, const QString &group)
{
    const QUrlQuery &query = exchange->request().query;
    QSet<QString> embeds;
    for (QString e : query.allQueryItemValues(u"embed"_s, QUrl::FullyDecoded)) {
        for (const QString &prefix : {u"group.apps."_s, u"apps."_s, u"app."_s}) {
            if (e.startsWith(prefix)) {
                e = e.mid(prefix.size());
                break;
            }
        }
        embeds.insert(e); // unknown ones are ignored, as Marathon does (with a warning)
    }
    const QString cmd = query.queryItemValue(u"cmd"_s, QUrl::FullyDecoded);
    const QString idFilter = query.queryItemValue(u"id"_s, QUrl::FullyDecoded);
    const QString label = query.queryItemValue(u"label"_s, QUrl::FullyDecoded);
    QJsonArray list;
    for (const App &a : std::as_const(m_apps)) {
        const QString id = a.def.value(u"id"_s).toString();
        if (!group.isEmpty() && !id.startsWith(group + u'/'))
            continue;
        if (!cmd.isEmpty() && !a.def.value(u"cmd"_s).toString().contains(cmd))
            continue;
        if (!idFilter.isEmpty() && !id.contains(idFilter, Qt::CaseInsensitive))
            continue;
        if (!label.isEmpty() && !labelsMatch(a.def.value(u"labels"_s).toObject(), label))
            continue;
        list << appJson(a, embeds);
    }
    reply(master, exchange, 200, QJsonObject{{u"apps"_s, list}});
}

void SimMarathon::createApp(int master, HttpExchange *exchange)
{
    QString problem;
    const std::optional<QJsonObject> parsed = bodyObject(exchange->request().body, &problem);
    if (!parsed)
        return replyError(master, exchange, 400, u"Invalid JSON"_s, {detail(u"/"_s, problem)});
    const QJsonObject body = *parsed;
    const QString id = normaliseId(body.value(u"id"_s).toString());
    if (m_apps.contains(id))
        return replyError(master, exchange, 409, u"An app with id [%1] already exists."_s.arg(id));
    bool created = false;
    Failure failure;
    const QString deploymentId = update(id, body, false, false, &created, &failure);
    if (deploymentId.isEmpty())
        return replyFailure(master, exchange, failure);
    HttpHeaders headers{{"Location", (url(master) + u"/v2/apps"_s + id).toUtf8()},
                        {"Marathon-Deployment-Id", deploymentId.toUtf8()}};
    reply(master, exchange, 201, appJson(m_apps[id], {u"deployments"_s}), headers);
}

void SimMarathon::routeApps(int master, HttpExchange *exchange, const QString &rest)
{
    const QByteArray &method = exchange->request().method;
    const bool get = method == "GET" || method == "HEAD";
    const auto notAllowed = [&] {
        replyError(master, exchange, 405, u"HTTP 405 Method Not Allowed"_s);
    };
    const auto unknownApp = [&](const QString &id) {
        replyError(master, exchange, 404, u"App '%1' does not exist"_s.arg(id));
    };
    if (rest.endsWith(u"/*"_s)) {
        if (!get)
            return notAllowed();
        return listApps(master, exchange, normaliseId(rest.chopped(2)));
    }
    if (rest.endsWith(u"/restart"_s) && method == "POST") {
        const QString id = normaliseId(rest.chopped(8));
        bool force = false;
        if (!boolParam(master, exchange, u"force"_s, false, &force))
            return;
        if (!m_apps.contains(id))
            return unknownApp(id);
        Failure failure;
        if (!checkLock(id, force, &failure))
            return replyFailure(master, exchange, failure);
        // A restart is a new version of the same definition: every task is old.
        QJsonObject target = m_apps[id].def;
        const QString version = newVersion();
        target.insert(u"version"_s, version);
        target.insert(
            u"versionInfo"_s,
            QJsonObject{{u"lastScalingAt"_s, version}, {u"lastConfigChangeAt"_s, version}});
        const QString deploymentId =
            createDeployment(id, m_apps[id].def, target, u"RestartApplication"_s);
        return replyDeployment(master, exchange, 200, deploymentId);
    }
    if (const qsizetype at = rest.lastIndexOf(u"/tasks/"_s); at >= 0) {
        if (method != "DELETE")
            return notAllowed();
        const QString id = normaliseId(rest.left(at));
        const QString taskId = rest.mid(at + 7);
        bool scale = false;
        bool force = false;
        bool wipe = false;
        if (!boolParam(master, exchange, u"scale"_s, false, &scale)
            || !boolParam(master, exchange, u"force"_s, false, &force)
            || !boolParam(master, exchange, u"wipe"_s, false, &wipe))
            return;
        if (!m_apps.contains(id))
            return unknownApp(id);
        const auto t = m_tasks.constFind(taskId);
        if (t == m_tasks.cend() || t->appId != id)
            return replyError(master, exchange, 404, u"Task '%1' does not exist"_s.arg(taskId));
        if (!scale) {
            const QJsonObject before = taskJson(*t);
            kill(taskId);
            return reply(master, exchange, 200, QJsonObject{{u"task"_s, before}});
        }
        Failure failure;
        if (!checkLock(id, force, &failure))
            return replyFailure(master, exchange, failure);
        const QJsonObject target = scaledDown(m_apps[id].def, 1, newVersion());
        const QString deploymentId = createDeployment(
            id, m_apps[id].def, target, u"ScaleApplication"_s, QStringList{taskId});
        return replyDeployment(master, exchange, 200, deploymentId);
    }
    if (rest.endsWith(u"/tasks"_s)) {
        const QString id = normaliseId(rest.chopped(6));
        if (!m_apps.contains(id))
            return unknownApp(id);
        if (get) {
            QJsonArray list;
            for (const Task *t : appTasks(id))
                list << taskJson(*t);
            return reply(master, exchange, 200, QJsonObject{{u"tasks"_s, list}});
        }
        if (method != "DELETE")
            return notAllowed();
        bool scale = false;
        bool force = false;
        bool wipe = false;
        if (!boolParam(master, exchange, u"scale"_s, false, &scale)
            || !boolParam(master, exchange, u"force"_s, false, &force)
            || !boolParam(master, exchange, u"wipe"_s, false, &wipe))
            return;
        const QString host = exchange->request().query.queryItemValue(u"host"_s);
        QStringList victims;
        QJsonArray killed;
        for (const Task *t : appTasks(id)) {
            if (host.isEmpty() || t->host == host) {
                victims << t->id;
                killed << taskJson(*t);
            }
        }
        if (!scale) {
            for (const QString &v : std::as_const(victims))
                kill(v);
            return reply(master, exchange, 200, QJsonObject{{u"tasks"_s, killed}});
        }
        Failure failure;
        if (!checkLock(id, force, &failure))
            return replyFailure(master, exchange, failure);
        const QJsonObject target = scaledDown(m_apps[id].def, int(victims.size()), newVersion());
        const QString deploymentId =
            createDeployment(id, m_apps[id].def, target, u"ScaleApplication"_s, victims);
        return replyDeployment(master, exchange, 200, deploymentId);
    }
    if (const qsizetype at = rest.lastIndexOf(u"/versions"_s); at >= 0) {
        if (!get)
            return notAllowed();
        const QString id = normaliseId(rest.left(at));
        if (!m_apps.contains(id))
            return unknownApp(id);
        const App &a = m_apps[id];
        const QString wanted = rest.mid(at + 9).mid(1);
        if (wanted.isEmpty()) {
            QJsonArray versions;
            const QStringList keys = a.versions.keys();
            for (auto it = keys.crbegin(); it != keys.crend(); ++it) // newest first
                versions << *it;
            return reply(master, exchange, 200, QJsonObject{{u"versions"_s, versions}});
        }
        if (!a.versions.contains(wanted))
            return replyError(
                master, exchange, 404, u"App '%1' does not exist in version %2"_s.arg(id, wanted));
        return reply(master, exchange, 200, a.versions.value(wanted));
    }

    const QString id = normaliseId(rest);
    if (get) {
        if (!m_apps.contains(id))
            return unknownApp(id);
        QSet<QString> embeds;
        for (QString e :
             exchange->request().query.allQueryItemValues(u"embed"_s, QUrl::FullyDecoded)) {
            for (const QString &prefix : {u"group.apps."_s, u"apps."_s, u"app."_s}) {
                if (e.startsWith(prefix)) {
                    e = e.mid(prefix.size());
                    break;
                }
            }
            embeds.insert(e);
        }
        if (embeds.isEmpty())
            embeds = {u"tasks"_s, u"counts"_s, u"lastTaskFailure"_s, u"deployments"_s};
        return reply(master, exchange, 200, QJsonObject{{u"app"_s, appJson(m_apps[id], embeds)}});
    }
    if (method == "PUT" || method == "PATCH") {
        bool force = false;
        bool partial = true;
        if (!boolParam(master, exchange, u"force"_s, false, &force)
            || !boolParam(master, exchange, u"partialUpdate"_s, true, &partial))
            return;
        QString problem;
        const std::optional<QJsonObject> body = bodyObject(exchange->request().body, &problem);
        if (!body)
            return replyError(master, exchange, 400, u"Invalid JSON"_s, {detail(u"/"_s, problem)});
        if (method == "PATCH" && !m_apps.contains(id))
            return unknownApp(id); // PATCH never creates
        bool created = false;
        Failure failure;
        const QString deploymentId =
            update(id, *body, method == "PATCH" || partial, force, &created, &failure);
        if (deploymentId.isEmpty())
            return replyFailure(master, exchange, failure);
        HttpHeaders headers;
        if (created)
            headers.append({"Location", (url(master) + u"/v2/apps"_s + id).toUtf8()});
        return replyDeployment(master, exchange, created ? 201 : 200, deploymentId, headers);
    }
    if (method == "DELETE") {
        bool force = true; // Marathon 1.10 defaults to true here (API reference §2.4)
        if (!boolParam(master, exchange, u"force"_s, true, &force))
            return;
        if (!m_apps.contains(id))
            return unknownApp(id);
        Failure failure;
        if (!checkLock(id, force, &failure))
            return replyFailure(master, exchange, failure);
        const QString deploymentId =
            createDeployment(id, m_apps[id].def, QJsonObject(), u"StopApplication"_s);
        return replyDeployment(master, exchange, 200, deploymentId);
    }
    notAllowed();
}

} // namespace Opsdeck::Sim
