// SPDX-License-Identifier: MIT
#include "app/sim/simmesos.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QThread>
#include <QTimer>
#include <QUuid>

#include <algorithm>

namespace Opsdeck::Sim {

namespace {

constexpr int kMaxMasters = 9;
// Mesos keeps this many completed tasks per framework (--max_completed_tasks_per_framework
// defaults to 1000); the simulator needs far fewer.
constexpr qsizetype kMaxCompletedTasks = 200;
constexpr int kAgentPortBase = 5051;
const char kVersion[] = "1.11.0";

const QStringList &terminalStates()
{
    static const QStringList states{QStringLiteral("TASK_FINISHED"),
                                    QStringLiteral("TASK_FAILED"),
                                    QStringLiteral("TASK_KILLED"),
                                    QStringLiteral("TASK_LOST"),
                                    QStringLiteral("TASK_ERROR"),
                                    QStringLiteral("TASK_DROPPED"),
                                    QStringLiteral("TASK_GONE"),
                                    QStringLiteral("TASK_GONE_BY_OPERATOR")};
    return states;
}

bool isTerminal(const QString &state)
{
    return terminalStates().contains(state);
}

/// States whose task holds its resources on the agent (and so counts in used_resources).
bool holdsResources(const QString &state)
{
    return state == QLatin1String("TASK_STAGING") || state == QLatin1String("TASK_STARTING")
           || state == QLatin1String("TASK_RUNNING") || state == QLatin1String("TASK_KILLING");
}

/// "master/tasks_killed" for TASK_KILLED.
QString counterKey(const QString &state)
{
    return QStringLiteral("master/tasks_") + state.mid(5).toLower();
}

double seconds(const QDateTime &t)
{
    return double(t.toMSecsSinceEpoch()) / 1000.0;
}

/// Mesos writes a ranges resource as "[31000-31002, 31005-31005]".
QString ranges(QList<int> ports)
{
    std::sort(ports.begin(), ports.end());
    ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
    QStringList parts;
    for (qsizetype i = 0; i < ports.size();) {
        qsizetype j = i;
        while (j + 1 < ports.size() && ports.at(j + 1) == ports.at(j) + 1)
            ++j;
        parts << QStringLiteral("%1-%2").arg(ports.at(i)).arg(ports.at(j));
        i = j + 1;
    }
    return QLatin1Char('[') + parts.join(QLatin1String(", ")) + QLatin1Char(']');
}

struct Resources
{
    double cpus = 0;
    double mem = 0;
    double disk = 0;
    QList<int> ports;

    void add(const SimTask &t)
    {
        cpus += t.cpus;
        mem += t.memMb;
        disk += t.diskMb;
        ports += t.ports;
    }

    /// Flat, as Mesos writes it: cpus, gpus, mem, disk always there; ports only when some.
    QJsonObject json(const QString &portRanges = QString()) const
    {
        QJsonObject o{{QStringLiteral("cpus"), cpus},
                      {QStringLiteral("gpus"), 0.0},
                      {QStringLiteral("mem"), mem},
                      {QStringLiteral("disk"), disk}};
        if (!portRanges.isEmpty())
            o.insert(QStringLiteral("ports"), portRanges);
        else if (!ports.isEmpty())
            o.insert(QStringLiteral("ports"), ranges(ports));
        return o;
    }
};

Resources agentTotal(const SimAgent &a)
{
    return Resources{a.cpus, a.memMb, a.diskMb, {}};
}

QString agentPorts(const SimAgent &a)
{
    return QStringLiteral("[%1-%2]").arg(a.portsBegin).arg(a.portsEnd);
}

/// Marathon names a task after its app id, segments reversed: /shop/web → web.shop.
QString taskName(const QString &appId)
{
    QStringList parts = appId.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    std::reverse(parts.begin(), parts.end());
    return parts.join(QLatin1Char('.'));
}

double fraction(double used, double total)
{
    return total > 0 ? used / total : 0.0;
}

/// /proc/loadavg and /proc/meminfo, as a master reports its host's.
QJsonObject systemMetrics()
{
    QJsonObject o{{QStringLiteral("system/cpus_total"), double(QThread::idealThreadCount())},
                  {QStringLiteral("system/load_1min"), 0.0},
                  {QStringLiteral("system/load_5min"), 0.0},
                  {QStringLiteral("system/load_15min"), 0.0},
                  {QStringLiteral("system/mem_total_bytes"), 0.0},
                  {QStringLiteral("system/mem_free_bytes"), 0.0}};
    QFile load(QStringLiteral("/proc/loadavg"));
    if (load.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> f = load.readAll().split(' ');
        if (f.size() >= 3) {
            o.insert(QStringLiteral("system/load_1min"), f.at(0).toDouble());
            o.insert(QStringLiteral("system/load_5min"), f.at(1).toDouble());
            o.insert(QStringLiteral("system/load_15min"), f.at(2).toDouble());
        }
    }
    QFile mem(QStringLiteral("/proc/meminfo"));
    if (mem.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> lines = mem.readAll().split('\n');
        for (const QByteArray &line : lines) {
            const QList<QByteArray> f = line.simplified().split(' ');
            if (f.size() < 2)
                continue;
            const double bytes = f.at(1).toDouble() * 1024;
            if (f.at(0) == "MemTotal:")
                o.insert(QStringLiteral("system/mem_total_bytes"), bytes);
            else if (f.at(0) == "MemFree:")
                o.insert(QStringLiteral("system/mem_free_bytes"), bytes);
        }
    }
    return o;
}

} // namespace

SimMesos::SimMesos(QObject *parent)
    : QObject(parent)
{}

SimMesos::~SimMesos()
{
    stop();
}

void SimMesos::setSource(AgentSource agents,
                         TaskSource tasks,
                         const QString &frameworkId,
                         const QString &frameworkName)
{
    m_agents = std::move(agents);
    m_tasks = std::move(tasks);
    m_frameworkId = frameworkId;
    m_frameworkName = frameworkName;
    m_frameworkRegistered = QDateTime::currentDateTimeUtc();
    refresh();
}

bool SimMesos::listen(int masters, quint16 firstPort)
{
    if (!m_masters.empty()) {
        m_error = tr("already listening");
        return false;
    }
    if (masters < 1 || masters > kMaxMasters) {
        m_error = tr("between 1 and %1 masters, not %2").arg(kMaxMasters).arg(masters);
        return false;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < masters; ++i) {
        Master m;
        m.server = std::make_unique<HttpServer>();
        m.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        m.startTime = now;
        m.server->setHandler([this, i](HttpExchange *exchange) { handle(i, exchange); });
        if (!m.server->listen(firstPort == 0 ? 0 : quint16(firstPort + i))) {
            m_error = m.server->errorString();
            stop();
            return false;
        }
        m_masters.push_back(std::move(m));
    }
    m_leader = 0;
    m_masters.front().electedTime = now;
    return true;
}

void SimMesos::stop()
{
    for (Master &m : m_masters)
        m.server->stop();
    m_masters.clear();
}

void SimMesos::setLeader(int master)
{
    if (master < 0 || master >= masterCount())
        master = -1;
    if (master == m_leader)
        return;
    m_leader = master;
    if (master >= 0)
        m_masters[size_t(master)].electedTime = QDateTime::currentDateTimeUtc();
}

QUrl SimMesos::url(int master) const
{
    if (master < 0 || master >= masterCount())
        return QUrl();
    return QUrl(
        QStringLiteral("http://127.0.0.1:%1").arg(m_masters[size_t(master)].server->port()));
}

QList<quint16> SimMesos::ports() const
{
    QList<quint16> out;
    for (const Master &m : m_masters)
        out << m.server->port();
    return out;
}

QString SimMesos::pid(int master) const
{
    return QStringLiteral("master@127.0.0.1:%1").arg(m_masters[size_t(master)].server->port());
}

void SimMesos::countTerminal(const QString &state, int count)
{
    if (isTerminal(state) && count > 0)
        m_terminalCounts[counterKey(state)] += count;
}

void SimMesos::refresh()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QList<SimTask> current = m_tasks ? m_tasks() : QList<SimTask>();
    auto end = [this, &now](Seen &seen, const QString &state) {
        seen.ended = true;
        seen.task.state = state;
        if (!seen.firstSeenIn.contains(state))
            seen.firstSeenIn.insert(state, now);
        countTerminal(state);
        m_completed << seen;
        if (m_completed.size() > kMaxCompletedTasks)
            m_completed.removeFirst();
    };
    QSet<QString> present;
    for (const SimTask &task : current) {
        present.insert(task.id);
        Seen &seen = m_seen[task.id];
        if (seen.ended)
            continue; // a terminal task the source still lists: counted once
        seen.task = task;
        if (!seen.firstSeenIn.contains(task.state))
            seen.firstSeenIn.insert(task.state, now);
        if (isTerminal(task.state))
            end(seen, task.state);
    }
    for (auto it = m_seen.begin(); it != m_seen.end();) {
        if (present.contains(it.key())) {
            ++it;
            continue;
        }
        // Gone from the framework without a terminal state: Marathon killed it.
        if (!it->ended)
            end(*it, QStringLiteral("TASK_KILLED"));
        it = m_seen.erase(it);
    }
}

void SimMesos::reply(HttpExchange *exchange,
                     int status,
                     const QByteArray &body,
                     const QByteArray &contentType,
                     const HttpHeaders &headers)
{
    if (m_delayMs <= 0) {
        exchange->respond(status, body, contentType, headers);
        return;
    }
    // The exchange is the timer's context: a client gone or a server stopped cancels it.
    QTimer::singleShot(m_delayMs, exchange, [exchange, status, body, contentType, headers] {
        exchange->respond(status, body, contentType, headers);
    });
}

QByteArray SimMesos::jsonBody(const QJsonObject &object) const
{
    QByteArray body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    if (m_malformed)
        body.truncate(body.size() / 2); // a connection cut mid-answer, as a client sees it
    return body;
}

void SimMesos::handle(int master, HttpExchange *exchange)
{
    const HttpRequest &r = exchange->request();
    QString path = r.path;
    while (path.size() > 1 && path.endsWith(QLatin1Char('/')))
        path.chop(1);
    const bool isState = path == QLatin1String("/master/state")
                         || path == QLatin1String("/master/state.json")
                         || path == QLatin1String("/state") || path == QLatin1String("/state.json");
    const bool isRedirect =
        path == QLatin1String("/master/redirect") || path == QLatin1String("/redirect");
    const bool isMetrics = path == QLatin1String("/metrics/snapshot");
    if (!isState && !isRedirect && !isMetrics) {
        reply(exchange, 404, QByteArray(), QByteArray()); // Mesos: 404, empty body
        return;
    }
    if (r.method != "GET") {
        reply(exchange,
              405,
              "Expecting one of { 'GET' }, but received '" + r.method + "'",
              "text/plain; charset=utf-8",
              {{"Allow", "GET"}});
        return;
    }
    if (isMetrics) {
        refresh();
        reply(exchange, 200, jsonBody(metricsJson(master)), "application/json");
        return;
    }
    const int target = m_leader >= 0 ? m_leader : master;
    // Mesos ≥ 0.23 redirects protocol-relative (//host:port), keeping the client's scheme.
    const QByteArray base =
        "//127.0.0.1:" + QByteArray::number(m_masters[size_t(target)].server->port());
    if (isRedirect) {
        reply(exchange, 307, QByteArray(), QByteArray(), {{"Location", base}});
        return;
    }
    if (m_leader < 0) {
        reply(exchange, 503, "No leader elected", "text/plain; charset=utf-8");
        return;
    }
    if (master != m_leader) {
        // Mesos 1.x: a standby sends state requests to the leader, same path, query dropped.
        reply(exchange, 307, QByteArray(), QByteArray(), {{"Location", base + r.path.toUtf8()}});
        return;
    }
    refresh();
    const QByteArray body = jsonBody(stateJson(master));
    const QString jsonp = r.query.queryItemValue(QStringLiteral("jsonp"));
    if (!jsonp.isEmpty())
        reply(exchange, 200, jsonp.toUtf8() + '(' + body + ");", "text/javascript");
    else
        reply(exchange, 200, body, "application/json");
}

QJsonObject SimMesos::taskJson(const Seen &seen) const
{
    const SimTask &t = seen.task;
    const QString state = t.state;
    auto when = [&seen](const QString &s, const QDateTime &fallback) {
        const QDateTime first = seen.firstSeenIn.value(s);
        return first.isValid() ? first : fallback;
    };
    const QDateTime earliest =
        seen.firstSeenIn.isEmpty()
            ? QDateTime::currentDateTimeUtc()
            : *std::min_element(seen.firstSeenIn.cbegin(), seen.firstSeenIn.cend());
    const QString containerId = QString::fromLatin1(
        QCryptographicHash::hash(t.id.toUtf8(), QCryptographicHash::Md5).toHex());
    auto status = [&](const QString &s, const QDateTime &at, bool running) {
        QJsonObject o{{QStringLiteral("state"), s}, {QStringLiteral("timestamp"), seconds(at)}};
        if (running) {
            o.insert(
                QStringLiteral("container_status"),
                QJsonObject{
                    {QStringLiteral("container_id"),
                     QJsonObject{{QStringLiteral("value"), containerId}}},
                    {QStringLiteral("network_infos"),
                     QJsonArray{QJsonObject{
                         {QStringLiteral("ip_addresses"),
                          QJsonArray{QJsonObject{
                              {QStringLiteral("protocol"), QStringLiteral("IPv4")},
                              {QStringLiteral("ip_address"), QStringLiteral("127.0.0.1")}}}}}}}});
            if (t.hasHealth)
                o.insert(QStringLiteral("healthy"), t.healthy);
        }
        return o;
    };
    // The status updates this task went through, oldest first (Mesos keeps them all).
    QJsonArray statuses;
    const QDateTime staged = t.stagedAt.isValid() ? t.stagedAt : earliest;
    const bool reachedRunning = state == QLatin1String("TASK_RUNNING")
                                || state == QLatin1String("TASK_KILLING")
                                || seen.firstSeenIn.contains(QStringLiteral("TASK_RUNNING"))
                                || (isTerminal(state) && t.startedAt.isValid());
    if (state != QLatin1String("TASK_STAGING")
        && (reachedRunning || state == QLatin1String("TASK_STARTING")))
        statuses.append(status(
            QStringLiteral("TASK_STARTING"), when(QStringLiteral("TASK_STARTING"), staged), false));
    if (reachedRunning) {
        const QDateTime started =
            t.startedAt.isValid() ? t.startedAt : when(QStringLiteral("TASK_RUNNING"), staged);
        statuses.append(status(QStringLiteral("TASK_RUNNING"), started, true));
    }
    if (state != QLatin1String("TASK_STAGING") && state != QLatin1String("TASK_STARTING")
        && state != QLatin1String("TASK_RUNNING"))
        statuses.append(status(state, when(state, earliest), false));

    Resources res;
    res.add(t);
    QJsonArray discoveryPorts;
    for (int port : t.ports)
        discoveryPorts.append(QJsonObject{{QStringLiteral("number"), port},
                                          {QStringLiteral("protocol"), QStringLiteral("tcp")}});
    return QJsonObject{
        {QStringLiteral("id"), t.id},
        {QStringLiteral("name"), taskName(t.appId)},
        {QStringLiteral("framework_id"), m_frameworkId},
        {QStringLiteral("executor_id"), QString()}, // Marathon's command tasks: no executor id
        {QStringLiteral("slave_id"), t.agentId},
        {QStringLiteral("state"), state},
        {QStringLiteral("resources"), res.json()},
        {QStringLiteral("role"), QStringLiteral("*")},
        {QStringLiteral("statuses"), statuses},
        {QStringLiteral("labels"), QJsonArray()},
        {QStringLiteral("discovery"),
         QJsonObject{
             {QStringLiteral("visibility"), QStringLiteral("FRAMEWORK")},
             {QStringLiteral("name"), taskName(t.appId)},
             {QStringLiteral("ports"), QJsonObject{{QStringLiteral("ports"), discoveryPorts}}}}}};
}

QList<const SimMesos::Seen *> SimMesos::liveTasks() const
{
    QList<const Seen *> live;
    for (const Seen &seen : m_seen) {
        if (!seen.ended)
            live << &seen;
    }
    return live;
}

QJsonObject
SimMesos::agentJson(const SimAgent &a, int ordinal, const QList<const Seen *> &tasksOnAgent) const
{
    Resources used;
    for (const Seen *seen : tasksOnAgent) {
        if (holdsResources(seen->task.state))
            used.add(seen->task);
    }
    const QJsonObject total = agentTotal(a).json(agentPorts(a));
    const QDateTime registered = m_masters.front().startTime;
    const int port = kAgentPortBase + ordinal; // agents share 127.0.0.1, so each its own port
    return QJsonObject{
        {QStringLiteral("id"), a.id},
        {QStringLiteral("hostname"), a.hostname},
        {QStringLiteral("port"), port},
        {QStringLiteral("pid"), QStringLiteral("slave(1)@127.0.0.1:%1").arg(port)},
        {QStringLiteral("attributes"), QJsonObject()},
        {QStringLiteral("domain"),
         QJsonObject{
             {QStringLiteral("fault_domain"),
              QJsonObject{{QStringLiteral("region"),
                           QJsonObject{{QStringLiteral("name"), QStringLiteral("sim")}}},
                          {QStringLiteral("zone"),
                           QJsonObject{{QStringLiteral("name"), QStringLiteral("sim-a")}}}}}}},
        {QStringLiteral("registered_time"), seconds(registered)},
        {QStringLiteral("reregistered_time"), seconds(registered)},
        {QStringLiteral("resources"), total},
        {QStringLiteral("used_resources"), used.json()},
        {QStringLiteral("offered_resources"), Resources().json()},
        {QStringLiteral("reserved_resources"), QJsonObject()},
        {QStringLiteral("unreserved_resources"), total},
        {QStringLiteral("active"), true},
        {QStringLiteral("version"), QLatin1String(kVersion)},
        {QStringLiteral("capabilities"),
         QJsonArray{QStringLiteral("MULTI_ROLE"),
                    QStringLiteral("HIERARCHICAL_ROLE"),
                    QStringLiteral("RESERVATION_REFINEMENT")}}};
}

QJsonObject SimMesos::frameworkJson(const QList<const Seen *> &live) const
{
    Resources used;
    QJsonArray tasks;
    QJsonArray unreachable;
    for (const Seen *seen : live) {
        if (holdsResources(seen->task.state))
            used.add(seen->task);
        if (seen->task.state == QLatin1String("TASK_UNREACHABLE"))
            unreachable.append(taskJson(*seen));
        else
            tasks.append(taskJson(*seen));
    }
    QJsonArray completed;
    for (const Seen &seen : m_completed)
        completed.append(taskJson(seen));
    const double registered = seconds(m_frameworkRegistered);
    return QJsonObject{
        {QStringLiteral("id"), m_frameworkId},
        {QStringLiteral("name"), m_frameworkName},
        {QStringLiteral("pid"),
         QStringLiteral("scheduler-%1@127.0.0.1:15101").arg(m_frameworkId.left(8))},
        {QStringLiteral("hostname"), QStringLiteral("marathon.example.internal")},
        {QStringLiteral("active"), true},
        {QStringLiteral("connected"), true},
        {QStringLiteral("recovered"), false},
        {QStringLiteral("user"), QStringLiteral("root")},
        {QStringLiteral("failover_timeout"), 604800.0},
        {QStringLiteral("checkpoint"), true},
        {QStringLiteral("registered_time"), registered},
        {QStringLiteral("reregistered_time"), registered},
        {QStringLiteral("unregistered_time"), 0.0},
        {QStringLiteral("principal"), m_frameworkName},
        {QStringLiteral("role"), QStringLiteral("*")},
        {QStringLiteral("capabilities"), QJsonArray{QStringLiteral("PARTITION_AWARE")}},
        {QStringLiteral("resources"), used.json()}, // used + offered, and nothing is offered
        {QStringLiteral("used_resources"), used.json()},
        {QStringLiteral("offered_resources"), Resources().json()},
        {QStringLiteral("tasks"), tasks},
        {QStringLiteral("unreachable_tasks"), unreachable},
        {QStringLiteral("completed_tasks"), completed},
        {QStringLiteral("offers"), QJsonArray()},
        {QStringLiteral("executors"), QJsonArray()},
        {QStringLiteral("labels"), QJsonArray()}};
}

QJsonObject SimMesos::stateJson(int master) const
{
    const Master &self = m_masters[size_t(master)];
    const Master &lead = m_masters[size_t(m_leader)];
    const QList<SimAgent> agents = m_agents ? m_agents() : QList<SimAgent>();
    const QList<const Seen *> live = liveTasks();
    QJsonArray slaves;
    for (int i = 0; i < agents.size(); ++i) {
        QList<const Seen *> onAgent;
        for (const Seen *seen : live) {
            if (seen->task.agentId == agents.at(i).id)
                onAgent << seen;
        }
        slaves.append(agentJson(agents.at(i), i, onAgent));
    }
    QJsonArray frameworks;
    if (m_tasks)
        frameworks.append(frameworkJson(live));
    const quint16 port = self.server->port();
    const quint16 leadPort = lead.server->port();
    const QJsonObject flags{
        {QStringLiteral("port"), QString::number(port)},
        {QStringLiteral("hostname"), QStringLiteral("127.0.0.1")},
        {QStringLiteral("cluster"), QStringLiteral("opsdeck-sim")},
        {QStringLiteral("quorum"), QString::number(masterCount() / 2 + 1)},
        {QStringLiteral("registry"),
         masterCount() > 1 ? QStringLiteral("replicated_log") : QStringLiteral("in_memory")},
        {QStringLiteral("work_dir"), QStringLiteral("/var/lib/mesos")},
        {QStringLiteral("log_dir"), QStringLiteral("/var/log/mesos")},
        {QStringLiteral("authenticate_http_readonly"), QStringLiteral("false")},
        {QStringLiteral("max_completed_tasks_per_framework"), QStringLiteral("1000")}};
    return QJsonObject{
        {QStringLiteral("version"), QLatin1String(kVersion)},
        {QStringLiteral("git_sha"), QStringLiteral("opsdeck-sim")},
        {QStringLiteral("git_tag"), QLatin1String(kVersion)},
        {QStringLiteral("build_date"), QStringLiteral("2020-11-19 21:22:19")},
        {QStringLiteral("build_time"), 1605820939.0},
        {QStringLiteral("build_user"), QStringLiteral("opsdeck-sim")},
        {QStringLiteral("start_time"), seconds(self.startTime)},
        {QStringLiteral("elected_time"), seconds(self.electedTime)},
        {QStringLiteral("id"), self.id},
        {QStringLiteral("pid"), pid(master)},
        {QStringLiteral("hostname"), QStringLiteral("127.0.0.1")},
        {QStringLiteral("activated_slaves"), double(agents.size())},
        {QStringLiteral("deactivated_slaves"), 0.0},
        {QStringLiteral("unreachable_slaves"), 0.0},
        {QStringLiteral("leader"), pid(m_leader)},
        {QStringLiteral("leader_info"),
         QJsonObject{{QStringLiteral("id"), lead.id},
                     {QStringLiteral("pid"), pid(m_leader)},
                     {QStringLiteral("port"), leadPort},
                     {QStringLiteral("hostname"), QStringLiteral("127.0.0.1")},
                     {QStringLiteral("address"),
                      QJsonObject{{QStringLiteral("hostname"), QStringLiteral("127.0.0.1")},
                                  {QStringLiteral("ip"), QStringLiteral("127.0.0.1")},
                                  {QStringLiteral("port"), leadPort}}},
                     {QStringLiteral("version"), QLatin1String(kVersion)}}},
        {QStringLiteral("cluster"), QStringLiteral("opsdeck-sim")},
        {QStringLiteral("log_dir"), QStringLiteral("/var/log/mesos")},
        {QStringLiteral("flags"), flags},
        {QStringLiteral("slaves"), slaves},
        {QStringLiteral("recovered_slaves"), QJsonArray()},
        {QStringLiteral("frameworks"), frameworks},
        {QStringLiteral("completed_frameworks"), QJsonArray()},
        {QStringLiteral("orphan_tasks"), QJsonArray()},
        {QStringLiteral("unregistered_frameworks"), QJsonArray()}};
}

QJsonObject SimMesos::metricsJson(int master) const
{
    const Master &self = m_masters[size_t(master)];
    const bool elected = master == m_leader;
    QJsonObject o = systemMetrics();
    o.insert(QStringLiteral("master/elected"), elected ? 1.0 : 0.0);
    o.insert(QStringLiteral("master/uptime_secs"),
             double(self.startTime.msecsTo(QDateTime::currentDateTimeUtc())) / 1000.0);

    // A standby master keeps no cluster state: its master/* gauges read 0, as on Mesos.
    const QList<SimAgent> agents = elected && m_agents ? m_agents() : QList<SimAgent>();
    const QList<const Seen *> live = elected ? liveTasks() : QList<const Seen *>();
    const double frameworks = elected && m_tasks ? 1.0 : 0.0;
    double cpusTotal = 0, memTotal = 0, diskTotal = 0;
    QSet<QString> agentIds;
    for (const SimAgent &a : agents) {
        cpusTotal += a.cpus;
        memTotal += a.memMb;
        diskTotal += a.diskMb;
        agentIds.insert(a.id);
    }
    Resources used;
    QMap<QString, double> gauges{{QStringLiteral("TASK_STAGING"), 0},
                                 {QStringLiteral("TASK_STARTING"), 0},
                                 {QStringLiteral("TASK_RUNNING"), 0},
                                 {QStringLiteral("TASK_KILLING"), 0},
                                 {QStringLiteral("TASK_UNREACHABLE"), 0}};
    for (const Seen *seen : live) {
        if (gauges.contains(seen->task.state))
            gauges[seen->task.state] += 1;
        if (holdsResources(seen->task.state) && agentIds.contains(seen->task.agentId))
            used.add(seen->task);
    }
    for (auto it = gauges.cbegin(); it != gauges.cend(); ++it)
        o.insert(counterKey(it.key()), it.value());
    for (const QString &state : terminalStates())
        o.insert(counterKey(state), elected ? m_terminalCounts.value(counterKey(state)) : 0.0);

    const double n = double(agents.size());
    const QList<QPair<QString, double>> values{
        {QStringLiteral("slaves_active"), n},
        {QStringLiteral("slaves_inactive"), 0},
        {QStringLiteral("slaves_connected"), n},
        {QStringLiteral("slaves_disconnected"), 0},
        {QStringLiteral("slaves_unreachable"), 0},
        {QStringLiteral("slave_registrations"), n},
        {QStringLiteral("slave_removals"), 0},
        {QStringLiteral("frameworks_active"), frameworks},
        {QStringLiteral("frameworks_inactive"), 0},
        {QStringLiteral("frameworks_connected"), frameworks},
        {QStringLiteral("frameworks_disconnected"), 0},
        {QStringLiteral("outstanding_offers"), 0},
        {QStringLiteral("event_queue_messages"), 0},
        {QStringLiteral("event_queue_dispatches"), 0},
        {QStringLiteral("event_queue_http_requests"), 0},
        {QStringLiteral("cpus_total"), cpusTotal},
        {QStringLiteral("cpus_used"), used.cpus},
        {QStringLiteral("cpus_percent"), fraction(used.cpus, cpusTotal)},
        {QStringLiteral("mem_total"), memTotal},
        {QStringLiteral("mem_used"), used.mem},
        {QStringLiteral("mem_percent"), fraction(used.mem, memTotal)},
        {QStringLiteral("disk_total"), diskTotal},
        {QStringLiteral("disk_used"), used.disk},
        {QStringLiteral("disk_percent"), fraction(used.disk, diskTotal)},
        {QStringLiteral("gpus_total"), 0},
        {QStringLiteral("gpus_used"), 0},
        {QStringLiteral("gpus_percent"), 0}};
    for (const auto &[key, value] : values)
        o.insert(QStringLiteral("master/") + key, value);
    for (const char *resource : {"cpus", "mem", "disk", "gpus"}) {
        for (const char *what : {"total", "used", "percent"})
            o.insert(QStringLiteral("master/%1_revocable_%2")
                         .arg(QLatin1String(resource), QLatin1String(what)),
                     0.0);
    }
    return o;
}

} // namespace Opsdeck::Sim
