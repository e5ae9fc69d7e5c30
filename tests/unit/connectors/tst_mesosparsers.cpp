// SPDX-License-Identifier: MIT
#include "connectors/mesos/mesosparsers.h"

#include <QTest>

using namespace Opsdeck::Connectors;
using namespace Opsdeck::Models;

namespace {

// Shapes follow shared/reference/apis.md section 3.2 (Mesos 1.x GET /master/state): agents are
// "slaves", scalars are numbers, ranges strings, tasks sit inside each framework.
const QByteArray kState = R"({
 "version": "1.11.0", "git_sha": "abc", "build_date": "2020-11-19", "start_time": 1772358000.123,
 "elected_time": 1772358001.5, "id": "m-1", "pid": "master@127.0.0.1:5050",
 "hostname": "master-1.example.internal", "activated_slaves": 2.0, "deactivated_slaves": 1.0,
 "unreachable_slaves": 0.0, "leader": "master@127.0.0.1:5050",
 "leader_info": {"id": "m-1", "pid": "master@127.0.0.1:5050", "port": 5050, "hostname": "master-1.example.internal"},
 "flags": {"port": "5050", "quorum": "2"},
 "slaves": [
  {"id": "S0", "hostname": "agent-1.example.internal", "port": 5051,
   "attributes": {"rack": "r1", "cores": 8, "zone": "a"},
   "pid": "slave(1)@127.0.0.1:5051", "registered_time": 1772358010.25, "reregistered_time": 1772358020.0,
   "resources": {"cpus": 8.0, "gpus": 0.0, "mem": 32768.0, "disk": 512000.0, "ports": "[31000-32000]"},
   "used_resources": {"cpus": 1.5, "gpus": 0.0, "mem": 768.0, "disk": 0.0, "ports": "[31001-31003]"},
   "offered_resources": {"cpus": 0.0, "gpus": 0.0, "mem": 0.0, "disk": 0.0},
   "reserved_resources": {}, "unreserved_resources": {"cpus": 8.0, "gpus": 0.0, "mem": 32768.0, "disk": 512000.0},
   "active": true, "version": "1.11.0", "capabilities": ["MULTI_ROLE"]},
  {"id": "S1", "hostname": "agent-2.example.internal", "port": 5051, "attributes": {},
   "registered_time": 1772358011.0,
   "resources": {"cpus": 4.0, "gpus": 0.0, "mem": 16384.0, "disk": 256000.0, "cpus_revocable": 2.0},
   "used_resources": {"cpus": 0.5, "gpus": 0.0, "mem": 256.0, "disk": 0.0},
   "active": true},
  {"id": "S2", "hostname": "agent-3.example.internal", "port": 5051,
   "resources": {"cpus": 2.0, "gpus": 0.0, "mem": 4096.0, "disk": 1000.0},
   "used_resources": {"cpus": 0.0, "gpus": 0.0, "mem": 0.0, "disk": 0.0},
   "active": false}],
 "recovered_slaves": [],
 "frameworks": [
  {"id": "f-marathon", "name": "marathon", "active": true, "connected": true,
   "used_resources": {"cpus": 2.0, "mem": 1024.0, "disk": 0.0, "gpus": 0.0},
   "tasks": [
    {"id": "web.instance-1", "name": "web", "framework_id": "f-marathon", "executor_id": "", "slave_id": "S0",
     "state": "TASK_RUNNING", "resources": {"cpus": 0.5, "mem": 256.0, "disk": 0.0, "gpus": 0.0},
     "statuses": [{"state": "TASK_RUNNING", "timestamp": 1772358100.5}]},
    {"id": "web.instance-2", "slave_id": "S0", "state": "TASK_STAGING"},
    {"id": "web.instance-3", "slave_id": "S0", "state": "TASK_KILLING"},
    {"id": "web.instance-4", "slave_id": "S1", "state": "TASK_STARTING"},
    {"id": "web.instance-5", "slave_id": "S1", "state": "TASK_FINISHED"},
    {"id": "web.instance-6", "slave_id": "S-gone", "state": "TASK_RUNNING"}],
   "unreachable_tasks": [], "completed_tasks": [{"id": "old", "slave_id": "S0", "state": "TASK_KILLED"}]},
  {"id": "f-other", "name": "chronos", "tasks": [{"id": "job-1", "slave_id": "S1", "state": "TASK_RUNNING"},
                                                {"id": "job-0", "slave_id": "S1", "state": "TASK_FAILED"}]}],
 "completed_frameworks": [], "orphan_tasks": [], "unregistered_frameworks": []
})";

template<typename T>
QString errorOf(const Result<T> &result)
{
    return result.ok() ? QString() : result.error();
}

} // namespace

class tst_MesosParsers : public QObject
{
    Q_OBJECT

private slots:
    void state();
    void minimalState();
    void malformed_data();
    void malformed();
};

void tst_MesosParsers::state()
{
    const auto parsed = parseMesosState(kState);
    QVERIFY2(parsed.ok(), qPrintable(errorOf(parsed)));
    const MesosState &s = parsed.value();
    QCOMPARE(s.version, QStringLiteral("1.11.0"));
    QCOMPARE(s.leader, QStringLiteral("master@127.0.0.1:5050"));
    QCOMPARE(s.hostname, QStringLiteral("master-1.example.internal"));
    QCOMPARE(s.frameworkCount, 2);
    // Non-terminal tasks of both frameworks, the one on a vanished agent included.
    QCOMPARE(s.activeTaskCount, 6);
    QCOMPARE(s.agents.size(), 3);

    const MesosAgent &a = s.agents.at(0);
    QCOMPARE(a.id, QStringLiteral("S0"));
    QCOMPARE(a.hostname, QStringLiteral("agent-1.example.internal"));
    QVERIFY(a.active);
    QCOMPARE(a.total, (MesosResources{8.0, 32768.0, 512000.0, 0.0}));
    QCOMPARE(a.used, (MesosResources{1.5, 768.0, 0.0, 0.0}));
    // Staging, running and killing tasks hold resources; finished ones do not.
    QCOMPARE(a.taskCount, 3);
    QCOMPARE(a.registeredAt, QDateTime::fromMSecsSinceEpoch(qint64(1772358010250), Qt::UTC));
    QCOMPARE(a.attributes.value(QStringLiteral("rack")), QStringLiteral("r1"));
    QCOMPARE(a.attributes.value(QStringLiteral("cores")), QStringLiteral("8"));
    QCOMPARE(a.attributes.size(), 3);

    const MesosAgent &b = s.agents.at(1);
    QCOMPARE(b.taskCount, 2);    // a Marathon task and a Chronos job
    QCOMPARE(b.total.cpus, 4.0); // cpus_revocable is another resource
    QVERIFY(b.attributes.isEmpty());

    const MesosAgent &c = s.agents.at(2);
    QVERIFY(!c.active);
    QCOMPARE(c.taskCount, 0);
    QVERIFY(!c.registeredAt.isValid());
}

void tst_MesosParsers::minimalState()
{
    const auto parsed = parseMesosState(R"({"slaves": []})");
    QVERIFY2(parsed.ok(), qPrintable(errorOf(parsed)));
    QVERIFY(parsed.value().agents.isEmpty());
    QCOMPARE(parsed.value().activeTaskCount, 0);
}

void tst_MesosParsers::malformed_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");
    QTest::newRow("cut in half") << kState.left(kState.size() / 2)
                                 << QStringLiteral("malformed JSON at offset ");
    QTest::newRow("an array") << QByteArray("[]") << QStringLiteral("expected a JSON object");
    QTest::newRow("HTML error page") << QByteArray("<html>503</html>")
                                     << QStringLiteral("malformed JSON at offset 1: illegal value");
    QTest::newRow("no slaves") << QByteArray(R"({"version": "1.11.0"})")
                               << QStringLiteral("slaves: missing");
    QTest::newRow("slaves an object") << QByteArray(R"({"slaves": {}})")
                                      << QStringLiteral("slaves: expected an array, got an object");
    QTest::newRow("agent without id")
        << QByteArray(R"({"slaves": [{"id": "S0"}, {"hostname": "x"}]})")
        << QStringLiteral("slaves[1].id: missing");
    QTest::newRow("cpus as text") << QByteArray(
        R"({"slaves": [{"id": "S0"}, {"id": "S1"}, {"id": "S2", "resources": {"cpus": "4"}}]})")
                                  << QStringLiteral("slaves[2].resources.cpus: expected a number, "
                                                    "got a string");
    QTest::newRow("used mem as text")
        << QByteArray(R"({"slaves": [{"id": "S0", "used_resources": {"mem": "1G"}}]})")
        << QStringLiteral("slaves[0].used_resources.mem: expected a number, got a string");
    QTest::newRow("active as text")
        << QByteArray(R"({"slaves": [{"id": "S0", "active": "yes"}]})")
        << QStringLiteral("slaves[0].active: expected true or false, got a string");
    QTest::newRow("attribute a list")
        << QByteArray(R"({"slaves": [{"id": "S0", "attributes": {"racks": ["a"]}}]})")
        << QStringLiteral("slaves[0].attributes.racks: expected a string or a number");
    QTest::newRow("registered_time as text")
        << QByteArray(R"({"slaves": [{"id": "S0", "registered_time": "yesterday"}]})")
        << QStringLiteral("slaves[0].registered_time: expected a number, got a string");
    QTest::newRow("frameworks an object")
        << QByteArray(R"({"slaves": [], "frameworks": {}})")
        << QStringLiteral("frameworks: expected an array, got an object");
    QTest::newRow("task state a number")
        << QByteArray(
               R"({"slaves": [], "frameworks": [{"id": "f", "tasks": [{"id": "t", "state": 1}]}]})")
        << QStringLiteral("frameworks[0].tasks[0].state: expected a string, got a number");
    QTest::newRow("task not an object")
        << QByteArray(
               R"({"slaves": [], "frameworks": [{"id": "f"}, {"id": "g", "tasks": [null]}]})")
        << QStringLiteral("frameworks[1].tasks[0]: expected an object, got null");
}

void tst_MesosParsers::malformed()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    const auto parsed = parseMesosState(json);
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.error().startsWith(error), qPrintable(parsed.error()));
}

QTEST_GUILESS_MAIN(tst_MesosParsers)
#include "tst_mesosparsers.moc"
