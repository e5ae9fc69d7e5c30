// SPDX-License-Identifier: MIT
// The simulated Mesos master against the API reference (§3): state and metrics shapes and
// types, used resources as the sum of the tasks, metrics that agree with state, leader
// redirects with several masters, fault knobs. Plain HTTP and JSON: no Mesos parsing code of
// the connectors it is there to test.
#include "app/sim/simmesos.h"
#include "tests/support/testsupport.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

#include <cmath>
#include <memory>

using namespace Opsdeck;
using Sim::SimAgent;
using Sim::SimMesos;
using Sim::SimTask;

namespace {

struct Reply
{
    int status = 0;
    QByteArray body;
    QByteArray location;
    QByteArray contentType;
    qint64 elapsedMs = 0;

    QJsonObject object() const { return QJsonDocument::fromJson(body).object(); }
};

const QString kFramework = QStringLiteral("f2c9e7a4-1b7e-4a55-9d2b-0c8e5c1d3a10-0001");

SimAgent agent(const QString &id, double cpus, double mem, double disk, int begin, int end)
{
    SimAgent a;
    a.id = id;
    a.hostname = id.right(2).toLower() + QStringLiteral(".agents.example.internal");
    a.cpus = cpus;
    a.memMb = mem;
    a.diskMb = disk;
    a.portsBegin = begin;
    a.portsEnd = end;
    return a;
}

SimTask task(const QString &id,
             const QString &agentId,
             const QString &state,
             double cpus,
             double mem,
             double disk,
             const QList<int> &ports)
{
    SimTask t;
    t.id = id;
    t.appId = QStringLiteral("/shop/web");
    t.agentId = agentId;
    t.state = state;
    t.cpus = cpus;
    t.memMb = mem;
    t.diskMb = disk;
    t.ports = ports;
    t.stagedAt = QDateTime::currentDateTimeUtc().addSecs(-60);
    if (state == QLatin1String("TASK_RUNNING") || state == QLatin1String("TASK_KILLING"))
        t.startedAt = t.stagedAt.addSecs(5);
    return t;
}

double number(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toDouble();
}

} // namespace

class tst_SimMesos : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void stateShape();
    void stateAliases_data();
    void stateAliases();
    void usedResourcesAreTheSumOfTasks();
    void metricsAgreeWithState();
    void terminalCounters();
    void redirectsWithTwoMasters();
    void noLeader();
    void unknownPathAndWrongMethod();
    void faultKnobs();
    void jsonp();

private:
    Reply get(const QUrl &url, const QByteArray &method = "GET");

    Reply get(const QString &path, int master = 0)
    {
        return get(QUrl(m_mesos->url(master).toString() + path));
    }

    QJsonObject metrics(int master = 0);

    std::unique_ptr<SimMesos> m_mesos;
    std::unique_ptr<QNetworkAccessManager> m_nam;
    QList<SimAgent> m_agents;
    QList<SimTask> m_tasks;
};

void tst_SimMesos::init()
{
    m_agents = {agent(QStringLiteral("a1b2-S0"), 8, 32768, 512000, 31000, 32000),
                agent(QStringLiteral("a1b2-S1"), 4, 16384, 256000, 31000, 31999),
                agent(QStringLiteral("a1b2-S2"), 2, 8192, 100000, 32000, 32100)};
    SimTask healthy = task(QStringLiteral("shop_web.1"),
                           QStringLiteral("a1b2-S0"),
                           QStringLiteral("TASK_RUNNING"),
                           1,
                           512,
                           10,
                           {31001, 31002});
    healthy.hasHealth = true;
    healthy.healthy = true;
    m_tasks = {healthy,
               task(QStringLiteral("shop_web.2"),
                    QStringLiteral("a1b2-S0"),
                    QStringLiteral("TASK_RUNNING"),
                    0.5,
                    256,
                    0,
                    {31003}),
               task(QStringLiteral("shop_web.3"),
                    QStringLiteral("a1b2-S1"),
                    QStringLiteral("TASK_STAGING"),
                    0.25,
                    128,
                    0,
                    {31500}),
               task(QStringLiteral("shop_web.4"),
                    QStringLiteral("a1b2-S1"),
                    QStringLiteral("TASK_KILLING"),
                    1,
                    1024,
                    0,
                    {31501, 31502, 31504}),
               task(QStringLiteral("shop_web.5"),
                    QStringLiteral("a1b2-S2"),
                    QStringLiteral("TASK_FINISHED"),
                    1,
                    1024,
                    0,
                    {32010}),
               task(QStringLiteral("shop_web.6"),
                    QStringLiteral("a1b2-S2"),
                    QStringLiteral("TASK_STARTING"),
                    0.5,
                    64,
                    0,
                    {})};
    m_mesos = std::make_unique<SimMesos>();
    m_mesos->setSource([this] { return m_agents; }, [this] { return m_tasks; }, kFramework);
    m_nam = std::make_unique<QNetworkAccessManager>();
}

void tst_SimMesos::cleanup()
{
    m_nam.reset();
    m_mesos.reset();
}

Reply tst_SimMesos::get(const QUrl &url, const QByteArray &method)
{
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(10000);
    QElapsedTimer timer;
    timer.start();
    std::unique_ptr<QNetworkReply> reply(m_nam->sendCustomRequest(request, method));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!reply->isFinished())
        finished.wait(15000);
    Reply r;
    r.elapsedMs = timer.elapsed();
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    r.location = reply->rawHeader("Location");
    r.contentType = reply->rawHeader("Content-Type");
    return r;
}

QJsonObject tst_SimMesos::metrics(int master)
{
    const Reply r = get(QStringLiteral("/metrics/snapshot"), master);
    if (r.status != 200)
        qWarning("/metrics/snapshot answered %d", r.status);
    return r.object(); // empty on failure: every comparison on it then fails
}

void tst_SimMesos::stateShape()
{
    QVERIFY2(m_mesos->listen(), qPrintable(m_mesos->errorString()));
    const Reply r = get(QStringLiteral("/master/state"));
    QCOMPARE(r.status, 200);
    QVERIFY(r.contentType.startsWith("application/json"));
    const QJsonObject s = r.object();
    for (const char *key : {"version",
                            "git_sha",
                            "git_tag",
                            "build_date",
                            "build_user",
                            "id",
                            "pid",
                            "hostname",
                            "leader",
                            "cluster",
                            "log_dir"})
        QVERIFY2(s.value(QLatin1String(key)).isString(), key);
    for (const char *key : {"build_time",
                            "start_time",
                            "elected_time",
                            "activated_slaves",
                            "deactivated_slaves",
                            "unreachable_slaves"})
        QVERIFY2(s.value(QLatin1String(key)).isDouble(), key);
    for (const char *key : {"slaves",
                            "recovered_slaves",
                            "frameworks",
                            "completed_frameworks",
                            "orphan_tasks",
                            "unregistered_frameworks"})
        QVERIFY2(s.value(QLatin1String(key)).isArray(), key);
    QVERIFY(s.value(QStringLiteral("orphan_tasks")).toArray().isEmpty());
    QVERIFY(s.value(QStringLiteral("unregistered_frameworks")).toArray().isEmpty());
    QVERIFY2(!s.contains(QStringLiteral("tasks")), "tasks sit inside frameworks only");
    QCOMPARE(number(s, "activated_slaves"), 3.0);
    const QString pid = QStringLiteral("master@127.0.0.1:%1").arg(m_mesos->ports().at(0));
    QCOMPARE(s.value(QStringLiteral("pid")).toString(), pid);
    QCOMPARE(s.value(QStringLiteral("leader")).toString(), pid);
    const QJsonObject leaderInfo = s.value(QStringLiteral("leader_info")).toObject();
    QCOMPARE(leaderInfo.value(QStringLiteral("pid")).toString(), pid);
    QCOMPARE(leaderInfo.value(QStringLiteral("port")).toInt(), m_mesos->ports().at(0));
    QVERIFY(leaderInfo.value(QStringLiteral("hostname")).isString());
    QVERIFY(leaderInfo.value(QStringLiteral("id")).isString());
    const QJsonObject flags = s.value(QStringLiteral("flags")).toObject();
    QVERIFY(!flags.isEmpty());
    for (auto it = flags.begin(); it != flags.end(); ++it)
        QVERIFY2(it.value().isString(), qPrintable(it.key())); // all strings

    const QJsonArray slaves = s.value(QStringLiteral("slaves")).toArray();
    QCOMPARE(slaves.size(), 3);
    for (const auto &v : slaves) {
        const QJsonObject a = v.toObject();
        for (const char *key : {"id", "hostname", "pid", "version"})
            QVERIFY2(a.value(QLatin1String(key)).isString(), key);
        QVERIFY(a.value(QStringLiteral("port")).isDouble());
        QVERIFY(a.value(QStringLiteral("attributes")).isObject());
        QVERIFY(a.value(QStringLiteral("registered_time")).isDouble());
        QCOMPARE(a.value(QStringLiteral("active")).toBool(), true);
        QVERIFY(a.value(QStringLiteral("pid")).toString().startsWith(QLatin1String("slave(1)@")));
        QVERIFY(a.value(QStringLiteral("reserved_resources")).isObject());
        for (const char *res :
             {"resources", "used_resources", "offered_resources", "unreserved_resources"}) {
            const QJsonObject o = a.value(QLatin1String(res)).toObject();
            for (const char *scalar : {"cpus", "gpus", "mem", "disk"})
                QVERIFY2(o.value(QLatin1String(scalar)).isDouble(),
                         qPrintable(QStringLiteral("%1.%2").arg(QLatin1String(res),
                                                                QLatin1String(scalar))));
        }
    }
    const QJsonObject s0 = slaves.at(0).toObject();
    QCOMPARE(s0.value(QStringLiteral("id")).toString(), QStringLiteral("a1b2-S0"));
    QCOMPARE(s0.value(QStringLiteral("resources")).toObject(),
             (QJsonObject{{QStringLiteral("cpus"), 8.0},
                          {QStringLiteral("gpus"), 0.0},
                          {QStringLiteral("mem"), 32768.0},
                          {QStringLiteral("disk"), 512000.0},
                          {QStringLiteral("ports"), QStringLiteral("[31000-32000]")}}));
    QCOMPARE(s0.value(QStringLiteral("unreserved_resources")),
             s0.value(QStringLiteral("resources")));

    const QJsonArray frameworks = s.value(QStringLiteral("frameworks")).toArray();
    QCOMPARE(frameworks.size(), 1);
    const QJsonObject f = frameworks.at(0).toObject();
    QCOMPARE(f.value(QStringLiteral("id")).toString(), kFramework);
    QCOMPARE(f.value(QStringLiteral("name")).toString(), QStringLiteral("marathon"));
    for (const char *key : {"active", "connected", "checkpoint"})
        QVERIFY2(f.value(QLatin1String(key)).isBool(), key);
    for (const char *key : {"tasks", "unreachable_tasks", "completed_tasks", "offers", "executors"})
        QVERIFY2(f.value(QLatin1String(key)).isArray(), key);
    const QJsonArray tasks = f.value(QStringLiteral("tasks")).toArray();
    QCOMPARE(tasks.size(), 5); // the finished one is a completed task
    QCOMPARE(f.value(QStringLiteral("completed_tasks")).toArray().size(), 1);
    QCOMPARE(f.value(QStringLiteral("completed_tasks"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("state"))
                 .toString(),
             QStringLiteral("TASK_FINISHED"));
    QJsonObject running;
    for (const auto &v : tasks) {
        const QJsonObject t = v.toObject();
        for (const char *key : {"id", "name", "framework_id", "executor_id", "slave_id", "state"})
            QVERIFY2(t.value(QLatin1String(key)).isString(), key);
        QCOMPARE(t.value(QStringLiteral("framework_id")).toString(), kFramework);
        QCOMPARE(t.value(QStringLiteral("name")).toString(), QStringLiteral("web.shop"));
        QVERIFY(t.value(QStringLiteral("resources"))
                    .toObject()
                    .value(QStringLiteral("cpus"))
                    .isDouble());
        QVERIFY(t.value(QStringLiteral("statuses")).isArray());
        for (const auto &st : t.value(QStringLiteral("statuses")).toArray()) {
            const double ts = st.toObject().value(QStringLiteral("timestamp")).toDouble();
            QVERIFY(ts > 1e9 && ts < 1e11); // seconds since the epoch, not milliseconds
            QVERIFY(st.toObject()
                        .value(QStringLiteral("state"))
                        .toString()
                        .startsWith(QLatin1String("TASK_")));
        }
        if (t.value(QStringLiteral("id")).toString() == QLatin1String("shop_web.1"))
            running = t;
    }
    QCOMPARE(running.value(QStringLiteral("state")).toString(), QStringLiteral("TASK_RUNNING"));
    QCOMPARE(running.value(QStringLiteral("slave_id")).toString(), QStringLiteral("a1b2-S0"));
    QCOMPARE(running.value(QStringLiteral("resources")).toObject().value(QStringLiteral("ports")),
             QJsonValue(QStringLiteral("[31001-31002]")));
    const QJsonArray statuses = running.value(QStringLiteral("statuses")).toArray();
    QCOMPARE(statuses.size(), 2);
    QCOMPARE(statuses.at(0).toObject().value(QStringLiteral("state")).toString(),
             QStringLiteral("TASK_STARTING"));
    const QJsonObject last = statuses.at(1).toObject();
    QCOMPARE(last.value(QStringLiteral("state")).toString(), QStringLiteral("TASK_RUNNING"));
    QCOMPARE(last.value(QStringLiteral("healthy")), QJsonValue(true));
    // The float timestamp is the task's start, to the millisecond.
    QCOMPARE(qint64(std::llround(last.value(QStringLiteral("timestamp")).toDouble() * 1000)),
             m_tasks.at(0).startedAt.toMSecsSinceEpoch());
}

void tst_SimMesos::stateAliases_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("/master/state") << QStringLiteral("/master/state");
    QTest::newRow("/master/state.json") << QStringLiteral("/master/state.json");
    QTest::newRow("/state") << QStringLiteral("/state");
    QTest::newRow("/state.json") << QStringLiteral("/state.json");
}

void tst_SimMesos::stateAliases()
{
    QFETCH(QString, path);
    QVERIFY(m_mesos->listen());
    const Reply r = get(path);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(QStringLiteral("slaves")).toArray().size(), 3);
}

void tst_SimMesos::usedResourcesAreTheSumOfTasks()
{
    QVERIFY(m_mesos->listen());
    const QJsonObject s = get(QStringLiteral("/master/state")).object();
    const QJsonArray slaves = s.value(QStringLiteral("slaves")).toArray();
    QMap<QString, QJsonObject> used;
    for (const auto &v : slaves)
        used.insert(v.toObject().value(QStringLiteral("id")).toString(),
                    v.toObject().value(QStringLiteral("used_resources")).toObject());
    // S0: two running tasks; ports coalesced into Mesos range strings.
    QCOMPARE(used.value(QStringLiteral("a1b2-S0")),
             (QJsonObject{{QStringLiteral("cpus"), 1.5},
                          {QStringLiteral("gpus"), 0.0},
                          {QStringLiteral("mem"), 768.0},
                          {QStringLiteral("disk"), 10.0},
                          {QStringLiteral("ports"), QStringLiteral("[31001-31003]")}}));
    // S1: staging and killing tasks still hold their resources.
    QCOMPARE(
        used.value(QStringLiteral("a1b2-S1")),
        (QJsonObject{{QStringLiteral("cpus"), 1.25},
                     {QStringLiteral("gpus"), 0.0},
                     {QStringLiteral("mem"), 1152.0},
                     {QStringLiteral("disk"), 0.0},
                     {QStringLiteral("ports"), QStringLiteral("[31500-31502, 31504-31504]")}}));
    // S2: the finished task holds nothing; the starting one has no ports, so no "ports" key.
    QCOMPARE(used.value(QStringLiteral("a1b2-S2")),
             (QJsonObject{{QStringLiteral("cpus"), 0.5},
                          {QStringLiteral("gpus"), 0.0},
                          {QStringLiteral("mem"), 64.0},
                          {QStringLiteral("disk"), 0.0}}));
    for (const auto &v : slaves)
        QCOMPARE(v.toObject().value(QStringLiteral("offered_resources")).toObject(),
                 (QJsonObject{{QStringLiteral("cpus"), 0.0},
                              {QStringLiteral("gpus"), 0.0},
                              {QStringLiteral("mem"), 0.0},
                              {QStringLiteral("disk"), 0.0}}));

    // The framework's used resources are the sum over all agents.
    const QJsonObject f = s.value(QStringLiteral("frameworks")).toArray().at(0).toObject();
    const QJsonObject fused = f.value(QStringLiteral("used_resources")).toObject();
    QCOMPARE(number(fused, "cpus"), 1.5 + 1.25 + 0.5);
    QCOMPARE(number(fused, "mem"), 768.0 + 1152.0 + 64.0);
    QCOMPARE(f.value(QStringLiteral("resources")).toObject(), fused);

    // The source moves: a task placed, one gone; the next answer follows.
    m_tasks.removeAt(1);
    m_tasks << task(QStringLiteral("shop_web.7"),
                    QStringLiteral("a1b2-S0"),
                    QStringLiteral("TASK_RUNNING"),
                    2,
                    2048,
                    0,
                    {31100});
    const QJsonObject again = get(QStringLiteral("/master/state"))
                                  .object()
                                  .value(QStringLiteral("slaves"))
                                  .toArray()
                                  .at(0)
                                  .toObject()
                                  .value(QStringLiteral("used_resources"))
                                  .toObject();
    QCOMPARE(number(again, "cpus"), 3.0);
    QCOMPARE(again.value(QStringLiteral("ports")).toString(),
             QStringLiteral("[31001-31002, 31100-31100]"));
}

void tst_SimMesos::metricsAgreeWithState()
{
    QVERIFY(m_mesos->listen());
    const QJsonObject s = get(QStringLiteral("/master/state")).object();
    const QJsonObject m = metrics();
    for (auto it = m.begin(); it != m.end(); ++it)
        QVERIFY2(it.value().isDouble(), qPrintable(it.key()));
    for (const char *key : {"master/elected",
                            "master/uptime_secs",
                            "master/slaves_active",
                            "master/slaves_inactive",
                            "master/slaves_connected",
                            "master/slaves_disconnected",
                            "master/slaves_unreachable",
                            "master/frameworks_active",
                            "master/frameworks_inactive",
                            "master/frameworks_connected",
                            "master/frameworks_disconnected",
                            "master/tasks_unreachable",
                            "master/tasks_lost",
                            "master/tasks_error",
                            "master/tasks_dropped",
                            "master/tasks_gone",
                            "master/tasks_gone_by_operator",
                            "master/outstanding_offers",
                            "master/cpus_revocable_total",
                            "master/gpus_percent",
                            "system/cpus_total",
                            "system/load_1min",
                            "system/load_5min",
                            "system/load_15min",
                            "system/mem_total_bytes",
                            "system/mem_free_bytes"})
        QVERIFY2(m.contains(QLatin1String(key)), key);
    QCOMPARE(number(m, "master/elected"), 1.0);
    QVERIFY(number(m, "master/uptime_secs") >= 0);
    QCOMPARE(number(m, "master/slaves_active"), number(s, "activated_slaves"));
    QCOMPARE(number(m, "master/frameworks_active"), 1.0);
    QCOMPARE(number(m, "master/tasks_running"), 2.0);
    QCOMPARE(number(m, "master/tasks_staging"), 1.0);
    QCOMPARE(number(m, "master/tasks_starting"), 1.0);
    QCOMPARE(number(m, "master/tasks_killing"), 1.0);
    QCOMPARE(number(m, "master/tasks_finished"), 1.0);
    QVERIFY(number(m, "system/mem_total_bytes") > 0);

    // Capacity: totals and used are the sums over state's agents; percent is a fraction.
    for (const char *res : {"cpus", "mem", "disk", "gpus"}) {
        double total = 0, used = 0;
        for (const auto &v : s.value(QStringLiteral("slaves")).toArray()) {
            total += v.toObject()
                         .value(QStringLiteral("resources"))
                         .toObject()
                         .value(QLatin1String(res))
                         .toDouble();
            used += v.toObject()
                        .value(QStringLiteral("used_resources"))
                        .toObject()
                        .value(QLatin1String(res))
                        .toDouble();
        }
        const QString prefix = QStringLiteral("master/") + QLatin1String(res);
        QCOMPARE(m.value(prefix + QStringLiteral("_total")).toDouble(), total);
        QCOMPARE(m.value(prefix + QStringLiteral("_used")).toDouble(), used);
        QCOMPARE(m.value(prefix + QStringLiteral("_percent")).toDouble(),
                 total > 0 ? used / total : 0.0);
    }
    QCOMPARE(number(m, "master/cpus_total"), 14.0);
    QCOMPARE(number(m, "master/cpus_used"), 3.25);
}

void tst_SimMesos::terminalCounters()
{
    QVERIFY(m_mesos->listen());
    QCOMPARE(number(metrics(), "master/tasks_finished"), 1.0);
    QCOMPARE(number(metrics(), "master/tasks_finished"), 1.0); // counted once, not per look

    // A task that leaves the framework without an end state was killed.
    m_tasks.removeAt(1);
    m_mesos->refresh();
    QJsonObject m = metrics();
    QCOMPARE(number(m, "master/tasks_killed"), 1.0);
    QCOMPARE(number(m, "master/tasks_running"), 1.0);
    // One that shows its end state keeps it.
    m_tasks[0].state = QStringLiteral("TASK_FAILED");
    m = metrics();
    QCOMPARE(number(m, "master/tasks_failed"), 1.0);
    QCOMPARE(number(m, "master/tasks_running"), 0.0);
    m_tasks.removeAt(0); // gone after failing: not counted again
    m = metrics();
    QCOMPARE(number(m, "master/tasks_failed"), 1.0);
    QCOMPARE(number(m, "master/tasks_killed"), 1.0);
    // Ends the source never showed are counted through the method.
    m_mesos->countTerminal(QStringLiteral("TASK_LOST"), 2);
    m_mesos->countTerminal(QStringLiteral("TASK_RUNNING"), 5); // not an end: ignored
    m = metrics();
    QCOMPARE(number(m, "master/tasks_lost"), 2.0);
    QCOMPARE(number(m, "master/tasks_running"), 0.0);

    const QJsonArray completed = get(QStringLiteral("/master/state"))
                                     .object()
                                     .value(QStringLiteral("frameworks"))
                                     .toArray()
                                     .at(0)
                                     .toObject()
                                     .value(QStringLiteral("completed_tasks"))
                                     .toArray();
    QStringList ends;
    for (const auto &v : completed) {
        const QJsonObject t = v.toObject();
        ends << t.value(QStringLiteral("id")).toString() + QLatin1Char('=')
                    + t.value(QStringLiteral("state")).toString();
        const QJsonArray statuses = t.value(QStringLiteral("statuses")).toArray();
        QCOMPARE(statuses.last().toObject().value(QStringLiteral("state")),
                 t.value(QStringLiteral("state")));
    }
    QCOMPARE(ends,
             (QStringList{QStringLiteral("shop_web.5=TASK_FINISHED"),
                          QStringLiteral("shop_web.2=TASK_KILLED"),
                          QStringLiteral("shop_web.1=TASK_FAILED")}));
}

void tst_SimMesos::redirectsWithTwoMasters()
{
    QVERIFY(m_mesos->listen(2));
    QCOMPARE(m_mesos->masterCount(), 2);
    QCOMPARE(m_mesos->leader(), 0);
    const QList<quint16> ports = m_mesos->ports();
    QCOMPARE(ports.size(), 2);
    QVERIFY(ports.at(0) != ports.at(1));
    const QByteArray leader = "//127.0.0.1:" + QByteArray::number(ports.at(0));

    // /master/redirect: 307 with a protocol-relative Location, from either master.
    for (int master : {0, 1}) {
        for (const char *path : {"/master/redirect", "/redirect"}) {
            const Reply r = get(QLatin1String(path), master);
            QCOMPARE(r.status, 307);
            QCOMPARE(r.location, leader);
        }
    }
    // The standby sends state requests to the leader, same path, query dropped.
    const Reply standby = get(QStringLiteral("/master/state?jsonp=x"), 1);
    QCOMPARE(standby.status, 307);
    QCOMPARE(standby.location, leader + "/master/state");
    // Following it (keeping our scheme) reaches the leader's state.
    const QUrl followed = m_mesos->url(1).resolved(QUrl(QString::fromLatin1(standby.location)));
    QCOMPARE(followed, QUrl(m_mesos->url(0).toString() + QStringLiteral("/master/state")));
    const Reply state = get(followed);
    QCOMPARE(state.status, 200);
    QCOMPARE(state.object().value(QStringLiteral("pid")).toString(),
             QStringLiteral("master@127.0.0.1:%1").arg(ports.at(0)));
    // Metrics are each master's own; elected adds up to 1.
    QCOMPARE(number(metrics(0), "master/elected") + number(metrics(1), "master/elected"), 1.0);
    QCOMPARE(number(metrics(1), "master/slaves_active"), 0.0); // a standby knows no agents

    // Leadership moves.
    m_mesos->setLeader(1);
    QCOMPARE(m_mesos->leader(), 1);
    QCOMPARE(get(QStringLiteral("/master/redirect"), 0).location,
             "//127.0.0.1:" + QByteArray::number(ports.at(1)));
    QCOMPARE(get(QStringLiteral("/state.json"), 0).location,
             "//127.0.0.1:" + QByteArray::number(ports.at(1)) + "/state.json");
    const QJsonObject s1 = get(QStringLiteral("/master/state"), 1).object();
    QCOMPARE(s1.value(QStringLiteral("leader")).toString(),
             QStringLiteral("master@127.0.0.1:%1").arg(ports.at(1)));
    QVERIFY(number(s1, "elected_time") >= number(s1, "start_time"));
    QCOMPARE(number(metrics(0), "master/elected"), 0.0);
    QCOMPARE(number(metrics(1), "master/elected"), 1.0);
    QCOMPARE(number(metrics(1), "master/slaves_active"), 3.0);
}

void tst_SimMesos::noLeader()
{
    QVERIFY(m_mesos->listen(2));
    m_mesos->setLeader(-1);
    QCOMPARE(m_mesos->leader(), -1);
    // With no leader known, a master redirects to itself; state is unavailable.
    for (int master : {0, 1}) {
        const Reply r = get(QStringLiteral("/master/redirect"), master);
        QCOMPARE(r.status, 307);
        QCOMPARE(r.location, "//127.0.0.1:" + QByteArray::number(m_mesos->ports().at(master)));
        QCOMPARE(get(QStringLiteral("/master/state"), master).status, 503);
        QCOMPARE(number(metrics(master), "master/elected"), 0.0);
    }
    m_mesos->setLeader(0);
    QCOMPARE(get(QStringLiteral("/master/state"), 0).status, 200);
    QVERIFY(!m_mesos->listen(1)); // already listening
    QVERIFY(!m_mesos->errorString().isEmpty());
}

void tst_SimMesos::unknownPathAndWrongMethod()
{
    QVERIFY(m_mesos->listen());
    for (const char *path : {"/master/nope", "/", "/master", "/metrics", "/v1/kv/x"}) {
        const Reply r = get(QLatin1String(path));
        QCOMPARE(r.status, 404);
        QVERIFY2(r.body.isEmpty(), path);
    }
    for (const char *method : {"POST", "PUT", "DELETE"}) {
        const Reply r = get(QUrl(m_mesos->url().toString() + QStringLiteral("/master/state")),
                            QByteArray(method));
        QCOMPARE(r.status, 405);
    }
    QCOMPARE(
        get(QUrl(m_mesos->url().toString() + QStringLiteral("/metrics/snapshot")), "POST").status,
        405);
    SimMesos none;
    QVERIFY(!none.listen(0));
    QVERIFY(!none.listen(10));
    QCOMPARE(none.url(0), QUrl());
}

void tst_SimMesos::faultKnobs()
{
    QVERIFY(m_mesos->listen());
    m_mesos->setResponseDelayMs(300);
    Reply r = get(QStringLiteral("/metrics/snapshot"));
    QCOMPARE(r.status, 200);
    QVERIFY2(r.elapsedMs >= 290, qPrintable(QString::number(r.elapsedMs)));
    m_mesos->setResponseDelayMs(0);
    QVERIFY(get(QStringLiteral("/metrics/snapshot")).elapsedMs < 290);

    m_mesos->setMalformedJson(true);
    for (const char *path : {"/master/state", "/metrics/snapshot"}) {
        r = get(QLatin1String(path));
        QCOMPARE(r.status, 200);
        QJsonParseError error;
        QJsonDocument::fromJson(r.body, &error);
        QVERIFY2(error.error != QJsonParseError::NoError, path);
    }
    m_mesos->setMalformedJson(false);
    QJsonParseError error;
    QJsonDocument::fromJson(get(QStringLiteral("/master/state")).body, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);

    // Stopping with a delayed answer pending neither crashes nor hangs.
    m_mesos->setResponseDelayMs(5000);
    QNetworkRequest request(QUrl(m_mesos->url().toString() + QStringLiteral("/master/state")));
    std::unique_ptr<QNetworkReply> pending(m_nam->get(request));
    QTest::qWait(100);
    m_mesos->stop();
    QTRY_VERIFY_WITH_TIMEOUT(pending->isFinished(), 5000);
    QCOMPARE(m_mesos->masterCount(), 0);
}

void tst_SimMesos::jsonp()
{
    QVERIFY(m_mesos->listen());
    const Reply r = get(QStringLiteral("/master/state?jsonp=render"));
    QCOMPARE(r.status, 200);
    QVERIFY(r.contentType.startsWith("text/javascript"));
    QVERIFY(r.body.startsWith("render({"));
    QVERIFY(r.body.endsWith("});"));
}

QTEST_GUILESS_MAIN(tst_SimMesos)
#include "tst_simmesos.moc"
