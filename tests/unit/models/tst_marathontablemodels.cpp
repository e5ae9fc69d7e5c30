// SPDX-License-Identifier: MIT
#include "models/marathontablemodels.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Opsdeck::Models;

namespace {

const QString kV1 = QStringLiteral("2024-01-01T10:00:00.000Z");
const QString kV2 = QStringLiteral("2024-01-02T10:00:00.000Z");

MarathonApp app(const QString &id, int instances = 4, const QString &version = kV1)
{
    MarathonApp a;
    a.id = id;
    a.instances = instances;
    a.version = version;
    a.image = QStringLiteral("registry.example.internal") + id + QStringLiteral(":1");
    a.healthCheckCount = 1;
    a.tasksRunning = instances;
    a.tasksHealthy = instances;
    return a;
}

MarathonTask task(const QString &appId,
                  const QString &id,
                  const QString &version = kV1,
                  TaskHealth health = TaskHealth::Healthy)
{
    MarathonTask t;
    t.appId = appId;
    t.id = id;
    t.version = version;
    t.health = health;
    t.state = QStringLiteral("TASK_RUNNING");
    t.host = QStringLiteral("agent1.example.internal");
    t.agentId = QStringLiteral("S1");
    t.ports = {31000, 31001};
    return t;
}

MarathonDeployment deployment(const QString &id, const QString &app, int step = 1, int total = 1)
{
    MarathonDeployment d;
    d.id = id;
    d.affectedApps = {app};
    d.currentActions = {{QStringLiteral("RestartApplication"), app}};
    d.currentStep = step;
    d.totalSteps = total;
    return d;
}

MesosAgent agent(const QString &id, const QString &hostname, double cpusUsed = 3.5)
{
    MesosAgent a;
    a.id = id;
    a.hostname = hostname;
    a.total = {8, 16384, 512, 0};
    a.used = {cpusUsed, 1536, 128, 0};
    a.taskCount = 3;
    return a;
}

QStringList keys(const MarathonKeyedTableModel &model)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out << model.keyAt(row);
    return out;
}

} // namespace

class tst_MarathonTableModels : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void appRowsFollowWithoutReset();
    void appColumnsAndRoles();
    void appsWithoutHealthChecks();
    void staleWhenMarathonUnreachable();
    void taskRowsFollowTheAppsTasks();
    void taskColumnsTellNewFromOld();
    void deploymentProgressAndStuck();
    void agentUsage();
    void formatting_data();
    void formatting();
    void switchingStoresIsOneReset();

private:
    MarathonStore *m_store = nullptr;
    qint64 m_now = 1'800'000'000'000;
};

void tst_MarathonTableModels::init()
{
    m_store = new MarathonStore(QStringLiteral("Staging"));
    m_store->setClock([this] { return m_now; });
}

void tst_MarathonTableModels::cleanup()
{
    delete m_store;
    m_store = nullptr;
}

void tst_MarathonTableModels::appRowsFollowWithoutReset()
{
    m_store->setApps({app(QStringLiteral("/b")), app(QStringLiteral("/a"))}, {});
    MarathonAppTableModel model(m_store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QCOMPARE(keys(model), (QStringList{QStringLiteral("/a"), QStringLiteral("/b")}));

    // Scattered removals, a change and additions in one batch.
    m_store->setApps({app(QStringLiteral("/a"), 5),
                      app(QStringLiteral("/b")),
                      app(QStringLiteral("/c")),
                      app(QStringLiteral("/d")),
                      app(QStringLiteral("/e"))},
                     {});
    m_store->flush();
    QCOMPARE(model.rowCount(), 5);
    m_store->setApps({app(QStringLiteral("/b"), 2), app(QStringLiteral("/d"))}, {});
    m_store->flush();
    QCOMPARE(keys(model), (QStringList{QStringLiteral("/b"), QStringLiteral("/d")}));
    QCOMPARE(removed.count(), 3); // /a, /c and /e: three runs, one rowsRemoved each
    QCOMPARE(model.data(model.index(0, MarathonAppTableModel::InstancesColumn)).toInt(), 2);
    QCOMPARE(model.rowOf(QStringLiteral("/d")), 1);
    QVERIFY(changed.count() >= 2);
    QCOMPARE(resets.count(), 0);
}

void tst_MarathonTableModels::appColumnsAndRoles()
{
    const QString id = QStringLiteral("/prod/web");
    MarathonApp a = app(id, 4, kV2);
    a.tasksHealthy = 2;
    a.tasksUnhealthy = 1;
    a.tasksStaged = 1;
    a.deploymentIds = {QStringLiteral("d1")};
    TaskFailure failure;
    failure.state = QStringLiteral("TASK_FAILED");
    failure.host = QStringLiteral("agent2.example.internal");
    failure.message = QStringLiteral("exit 1");
    failure.timestamp = QDateTime::fromMSecsSinceEpoch(m_now, Qt::UTC);
    a.lastTaskFailure = failure;
    m_store->setApps({a},
                     {task(id, QStringLiteral("t1"), kV1), task(id, QStringLiteral("t2"), kV2)});
    m_store->setDeployments({deployment(QStringLiteral("d1"), id)});
    MarathonAppTableModel model(m_store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto cell = [&](int column, int role = Qt::DisplayRole) {
        return model.data(model.index(0, column), role);
    };
    QCOMPARE(model.columnCount(), int(MarathonAppTableModel::ColumnCount));
    QCOMPARE(model.headerData(MarathonAppTableModel::DeploymentColumn, Qt::Horizontal).toString(),
             QStringLiteral("Deployment"));
    QCOMPARE(cell(MarathonAppTableModel::IdColumn).toString(), id);
    QCOMPARE(cell(MarathonAppTableModel::InstancesColumn).toInt(), 4);
    QCOMPARE(cell(MarathonAppTableModel::HealthyColumn).toInt(), 2);
    QCOMPARE(cell(MarathonAppTableModel::UnhealthyColumn).toInt(), 1);
    QCOMPARE(cell(MarathonAppTableModel::StagedColumn).toInt(), 1);
    QCOMPARE(cell(MarathonAppTableModel::ImageColumn).toString(), a.image);
    QCOMPARE(cell(MarathonAppTableModel::DeploymentColumn).toString(),
             QStringLiteral("restarting step 1/1"));
    QCOMPARE(cell(0, MarathonAppTableModel::DeployingRole).toBool(), true);
    QCOMPARE(cell(0, MarathonAppTableModel::HealthRatioRole).toDouble(), 0.5);
    QCOMPARE(cell(0, MarathonAppTableModel::AppIdRole).toString(), id);
    QCOMPARE(cell(0, MarathonAppTableModel::OldTasksRole).toInt(), 1);
    QVERIFY(cell(0, MarathonAppTableModel::LastFailureRole)
                .toString()
                .contains(QStringLiteral("failed on agent2.example.internal")));
    const QDateTime version = cell(0, MarathonAppTableModel::VersionTimeRole).toDateTime();
    QCOMPARE(version, QDateTime(QDate(2024, 1, 2), QTime(10, 0), Qt::UTC));
    QCOMPARE(cell(MarathonAppTableModel::VersionColumn).toString(),
             version.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
    QCOMPARE(
        cell(MarathonAppTableModel::VersionColumn, MarathonAppTableModel::SortRole).toLongLong(),
        version.toMSecsSinceEpoch());
    QCOMPARE(cell(MarathonAppTableModel::RunningColumn, MarathonAppTableModel::SortRole).toInt(),
             4);

    // The deployment moves on: only the Deployment column is repainted; then it ends.
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    MarathonDeployment d = deployment(QStringLiteral("d1"), id, 2, 3);
    d.currentActions = {{QStringLiteral("ScaleApplication"), id}};
    m_store->setDeployments({d});
    m_store->flush();
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toModelIndex().column(),
             int(MarathonAppTableModel::DeploymentColumn));
    QCOMPARE(cell(MarathonAppTableModel::DeploymentColumn).toString(),
             QStringLiteral("scaling step 2/3"));
    a.deploymentIds.clear();
    m_store->setApps({a}, {task(id, QStringLiteral("t2"), kV2)});
    m_store->setDeployments({});
    m_store->flush();
    QCOMPARE(cell(MarathonAppTableModel::DeploymentColumn).toString(), QString());
    QCOMPARE(cell(0, MarathonAppTableModel::DeployingRole).toBool(), false);
    QCOMPARE(cell(0, MarathonAppTableModel::OldTasksRole).toInt(), 0);
}

void tst_MarathonTableModels::appsWithoutHealthChecks()
{
    MarathonApp a = app(QStringLiteral("/batch"), 2);
    a.healthCheckCount = 0;
    a.tasksHealthy = 0; // what Marathon reports without health checks
    a.tasksRunning = 1;
    m_store->setApps({a}, {});
    MarathonAppTableModel model(m_store);
    QCOMPARE(model.data(model.index(0, MarathonAppTableModel::HealthyColumn)).toString(),
             QString());
    QCOMPARE(model.data(model.index(0, 0), MarathonAppTableModel::HealthRatioRole).toDouble(), 0.5);
    QCOMPARE(model.data(model.index(0, 0), MarathonAppTableModel::HasHealthChecksRole).toBool(),
             false);
    QVERIFY(model.data(model.index(0, MarathonAppTableModel::HealthyColumn), Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("no health checks")));

    a.instances = 0;
    m_store->setApps({a}, {});
    m_store->flush();
    QCOMPARE(model.data(model.index(0, 0), MarathonAppTableModel::HealthRatioRole).toDouble(), 1.0);
}

void tst_MarathonTableModels::staleWhenMarathonUnreachable()
{
    const QString id = QStringLiteral("/a");
    m_store->setApps({app(id)}, {task(id, QStringLiteral("t1"))});
    m_store->setDeployments({deployment(QStringLiteral("d"), id)});
    m_store->setAgents({agent(QStringLiteral("S1"), QStringLiteral("agent1.example.internal"))});
    MarathonAppTableModel apps(m_store);
    MarathonTaskTableModel tasks(m_store);
    tasks.setAppId(id);
    MarathonDeploymentTableModel deployments(m_store);
    MesosAgentTableModel agents(m_store);
    QSignalSpy appChanges(&apps, &QAbstractItemModel::dataChanged);
    QSignalSpy agentChanges(&agents, &QAbstractItemModel::dataChanged);
    QCOMPARE(apps.data(apps.index(0, 0), MarathonAppTableModel::ReachableRole).toBool(), true);

    HostStatus s;
    s.id = QStringLiteral("marathon");
    s.state = SourceState::Unreachable;
    s.error = QStringLiteral("connection refused");
    m_store->setMarathonStatus(s);
    m_store->flush();
    QCOMPARE(appChanges.count(), 1);
    QCOMPARE(apps.data(apps.index(0, 0), MarathonAppTableModel::ReachableRole).toBool(), false);
    QVERIFY(apps.data(apps.index(0, 0), Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("unreachable")));
    QCOMPARE(tasks.data(tasks.index(0, 0), MarathonTaskTableModel::ReachableRole).toBool(), false);
    QCOMPARE(deployments.data(deployments.index(0, 0), MarathonDeploymentTableModel::ReachableRole)
                 .toBool(),
             false);
    // Mesos is a source of its own.
    QCOMPARE(agents.data(agents.index(0, 0), MesosAgentTableModel::ReachableRole).toBool(), true);
    HostStatus mesos = s;
    mesos.id = QStringLiteral("mesos");
    m_store->setMesosStatus(mesos);
    m_store->flush();
    QCOMPARE(agents.data(agents.index(0, 0), MesosAgentTableModel::ReachableRole).toBool(), false);
    QVERIFY(agentChanges.count() >= 1);
}

void tst_MarathonTableModels::taskRowsFollowTheAppsTasks()
{
    const QString a = QStringLiteral("/a");
    const QString b = QStringLiteral("/b");
    m_store->setApps({app(a), app(b)},
                     {task(a, QStringLiteral("a.1")),
                      task(a, QStringLiteral("a.2")),
                      task(b, QStringLiteral("b.1"))});
    MarathonTaskTableModel model(m_store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0); // no app chosen
    model.setAppId(a);
    QCOMPARE(keys(model), (QStringList{QStringLiteral("a.1"), QStringLiteral("a.2")}));

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

    // Another app's tasks change: nothing here.
    m_store->setApps({app(a), app(b)},
                     {task(a, QStringLiteral("a.1")),
                      task(a, QStringLiteral("a.2")),
                      task(b, QStringLiteral("b.2"))});
    m_store->flush();
    QCOMPARE(changed.count() + inserted.count() + removed.count(), 0);

    // a.1 goes, a.2 turns unhealthy, a.3 arrives.
    m_store->setApps({app(a), app(b)},
                     {task(a, QStringLiteral("a.2"), kV1, TaskHealth::Unhealthy),
                      task(a, QStringLiteral("a.3")),
                      task(b, QStringLiteral("b.2"))});
    m_store->flush();
    QCOMPARE(keys(model), (QStringList{QStringLiteral("a.2"), QStringLiteral("a.3")}));
    QCOMPARE(removed.count(), 1);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.data(model.index(0, MarathonTaskTableModel::HealthColumn)).toString(),
             QStringLiteral("unhealthy"));
    QCOMPARE(resets.count(), 0);

    // The app goes away: its rows go.
    m_store->setApps({app(b)}, {task(b, QStringLiteral("b.2"))});
    m_store->flush();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(resets.count(), 0);

    // Choosing another app is one reset.
    model.setAppId(b);
    QCOMPARE(resets.count(), 1);
    QCOMPARE(keys(model), QStringList{QStringLiteral("b.2")});
}

void tst_MarathonTableModels::taskColumnsTellNewFromOld()
{
    const QString a = QStringLiteral("/a");
    MarathonTask old = task(a, QStringLiteral("t1"), kV1);
    old.startedAt = QDateTime::fromMSecsSinceEpoch(m_now, Qt::UTC);
    MarathonTask fresh = task(a, QStringLiteral("t2"), kV2, TaskHealth::None);
    fresh.state = QStringLiteral("TASK_STAGING");
    fresh.agentId = QStringLiteral("S9");
    m_store->setApps({app(a, 2, kV2)}, {old, fresh});
    m_store->setAgents({agent(QStringLiteral("S1"), QStringLiteral("agent1.example.internal"))});
    MarathonTaskTableModel model(m_store);
    model.setAppId(a);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto cell = [&](int row, int column, int role = Qt::DisplayRole) {
        return model.data(model.index(row, column), role);
    };
    QCOMPARE(cell(0, MarathonTaskTableModel::VersionColumn).toString(), QStringLiteral("old"));
    QCOMPARE(cell(1, MarathonTaskTableModel::VersionColumn).toString(), QStringLiteral("new"));
    QCOMPARE(cell(1, 0, MarathonTaskTableModel::IsNewVersionRole).toBool(), true);
    QCOMPARE(cell(0, MarathonTaskTableModel::AgentColumn).toString(),
             QStringLiteral("agent1.example.internal"));
    QCOMPARE(cell(1, MarathonTaskTableModel::AgentColumn).toString(), QStringLiteral("S9"));
    QCOMPARE(cell(0, MarathonTaskTableModel::PortsColumn).toString(),
             QStringLiteral("31000, 31001"));
    QCOMPARE(cell(0, MarathonTaskTableModel::StateColumn).toString(), QStringLiteral("running"));
    QCOMPARE(cell(1, MarathonTaskTableModel::StateColumn).toString(), QStringLiteral("staging"));
    QCOMPARE(cell(1, 0, MarathonTaskTableModel::StateRole).toString(),
             QStringLiteral("TASK_STAGING"));
    QCOMPARE(cell(0, MarathonTaskTableModel::HealthColumn).toString(), QStringLiteral("healthy"));
    QCOMPARE(cell(1, MarathonTaskTableModel::HealthColumn).toString(),
             QStringLiteral("no result yet"));
    QCOMPARE(cell(0, 0, MarathonTaskTableModel::StartedAtRole).toDateTime(), old.startedAt);
    QCOMPARE(cell(1, MarathonTaskTableModel::StartedColumn).toString(), QString());

    // The app's version moves on (a new deployment): every row re-reads new / old.
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    m_store->setApps({app(a, 2, QStringLiteral("2024-01-03T10:00:00.000Z"))}, {old, fresh});
    m_store->flush();
    QCOMPARE(changed.count(), 1);
    QCOMPARE(cell(1, MarathonTaskTableModel::VersionColumn).toString(), QStringLiteral("old"));
}

void tst_MarathonTableModels::deploymentProgressAndStuck()
{
    const QString a = QStringLiteral("/a");
    m_store->setApps({app(a, 4, kV2)},
                     {task(a, QStringLiteral("1"), kV1),
                      task(a, QStringLiteral("2"), kV1),
                      task(a, QStringLiteral("3"), kV2, TaskHealth::None)});
    m_store->setDeployments({deployment(QStringLiteral("d1"), a)});
    MarathonDeploymentTableModel model(m_store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    const auto cell = [&](int column, int role = Qt::DisplayRole) {
        return model.data(model.index(0, column), role);
    };
    QCOMPARE(cell(MarathonDeploymentTableModel::IdColumn).toString(), QStringLiteral("d1"));
    QCOMPARE(cell(MarathonDeploymentTableModel::AffectedAppsColumn).toString(), a);
    QCOMPARE(cell(MarathonDeploymentTableModel::CurrentActionsColumn).toString(),
             QStringLiteral("restart /a"));
    QCOMPARE(cell(MarathonDeploymentTableModel::StepColumn).toString(), QStringLiteral("1/1"));
    QCOMPARE(cell(0, MarathonDeploymentTableModel::ProgressRole).toDouble(), 0.0);
    QCOMPARE(cell(MarathonDeploymentTableModel::AgeColumn).toString(), QStringLiteral("0s"));

    // A new task becomes healthy: the bar moves within the single step.
    m_now += 30'000;
    m_store->setTasks(a,
                      {task(a, QStringLiteral("1"), kV1),
                       task(a, QStringLiteral("3"), kV2),
                       task(a, QStringLiteral("4"), kV2)});
    m_store->flush();
    QCOMPARE(cell(0, MarathonDeploymentTableModel::ProgressRole).toDouble(), 0.5);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(cell(MarathonDeploymentTableModel::AgeColumn).toString(), QStringLiteral("30s"));
    QCOMPARE(cell(0, MarathonDeploymentTableModel::AgeMsRole).toLongLong(), 30'000);
    QCOMPARE(cell(0, MarathonDeploymentTableModel::StuckRole).toBool(), false);

    // Ten minutes and a bit without progress: stuck, and the row says so.
    m_now += MarathonStore::kDefaultStuckThresholdMs + 1;
    m_store->reevaluateStuck();
    m_store->flush();
    QCOMPARE(changed.count(), 2);
    QCOMPARE(cell(0, MarathonDeploymentTableModel::StuckRole).toBool(), true);
    QVERIFY(cell(0, Qt::ToolTipRole).toString().contains(QStringLiteral("No progress for 10m 0s")));

    // A second deployment appears, the first finishes.
    m_store->setDeployments(
        {deployment(QStringLiteral("d1"), a), deployment(QStringLiteral("d2"), a)});
    m_store->flush();
    QCOMPARE(model.rowCount(), 2);
    m_store->setDeployments({deployment(QStringLiteral("d2"), a)});
    m_store->flush();
    QCOMPARE(keys(model), QStringList{QStringLiteral("d2")});
    QCOMPARE(resets.count(), 0);
}

void tst_MarathonTableModels::agentUsage()
{
    m_store->setAgents({agent(QStringLiteral("S2"), QStringLiteral("b.example.internal")),
                        agent(QStringLiteral("S1"), QStringLiteral("c.example.internal"))});
    MesosAgentTableModel model(m_store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    const auto cell = [&](int row, int column, int role = Qt::DisplayRole) {
        return model.data(model.index(row, column), role);
    };
    QCOMPARE(cell(0, MesosAgentTableModel::HostnameColumn).toString(),
             QStringLiteral("b.example.internal"));
    QCOMPARE(cell(0, MesosAgentTableModel::CpuColumn).toString(), QStringLiteral("3.5 / 8 (44 %)"));
    QCOMPARE(cell(0, MesosAgentTableModel::MemoryColumn).toString(),
             QStringLiteral("1.5 / 16 GiB (9 %)"));
    QCOMPARE(cell(0, MesosAgentTableModel::DiskColumn).toString(),
             QStringLiteral("128 / 512 MiB (25 %)"));
    QCOMPARE(cell(0, MesosAgentTableModel::CpuColumn, MesosAgentTableModel::UsedRole).toDouble(),
             3.5);
    QCOMPARE(cell(0, MesosAgentTableModel::CpuColumn, MesosAgentTableModel::TotalRole).toDouble(),
             8.0);
    QCOMPARE(cell(0, MesosAgentTableModel::DiskColumn, MesosAgentTableModel::UsageFractionRole)
                 .toDouble(),
             0.25);
    QVERIFY(
        !cell(0, MesosAgentTableModel::HostnameColumn, MesosAgentTableModel::UsedRole).isValid());
    QCOMPARE(cell(0, MesosAgentTableModel::TasksColumn).toInt(), 3);
    QCOMPARE(cell(0, MesosAgentTableModel::ActiveColumn).toString(), QStringLiteral("active"));

    // A new agent comes in hostname order after the existing rows; one deactivates.
    MesosAgent inactive = agent(QStringLiteral("S1"), QStringLiteral("c.example.internal"), 0);
    inactive.active = false;
    m_store->setAgents({agent(QStringLiteral("S2"), QStringLiteral("b.example.internal")),
                        inactive,
                        agent(QStringLiteral("S4"), QStringLiteral("e.example.internal")),
                        agent(QStringLiteral("S3"), QStringLiteral("d.example.internal"))});
    m_store->flush();
    QCOMPARE(keys(model),
             (QStringList{QStringLiteral("S2"),
                          QStringLiteral("S1"),
                          QStringLiteral("S3"),
                          QStringLiteral("S4")}));
    QCOMPARE(cell(1, MesosAgentTableModel::ActiveColumn).toString(), QStringLiteral("inactive"));
    QCOMPARE(cell(1, 0, MesosAgentTableModel::ActiveRole).toBool(), false);
    QCOMPARE(cell(1, MesosAgentTableModel::CpuColumn).toString(), QStringLiteral("0 / 8 (0 %)"));
    QCOMPARE(resets.count(), 0);
}

void tst_MarathonTableModels::formatting_data()
{
    QTest::addColumn<double>("used");
    QTest::addColumn<double>("total");
    QTest::addColumn<bool>("megabytes");
    QTest::addColumn<QString>("expected");
    QTest::newRow("cpus") << 3.5 << 8.0 << false << QStringLiteral("3.5 / 8 (44 %)");
    QTest::newRow("fraction rounds") << 0.25 << 4.0 << false << QStringLiteral("0.3 / 4 (6 %)");
    QTest::newRow("no total") << 1.0 << 0.0 << false << QStringLiteral("1 / 0");
    QTest::newRow("MiB") << 256.0 << 1000.0 << true << QStringLiteral("256 / 1000 MiB (26 %)");
    QTest::newRow("GiB") << 3584.0 << 15360.0 << true << QStringLiteral("3.5 / 15 GiB (23 %)");
    QTest::newRow("TiB") << 524288.0 << 2097152.0 << true << QStringLiteral("0.5 / 2 TiB (25 %)");
}

void tst_MarathonTableModels::formatting()
{
    QFETCH(double, used);
    QFETCH(double, total);
    QFETCH(bool, megabytes);
    QFETCH(QString, expected);
    QCOMPARE(megabytes ? formatMegabytesUsage(used, total) : formatUsage(used, total), expected);
}

void tst_MarathonTableModels::switchingStoresIsOneReset()
{
    m_store->setApps({app(QStringLiteral("/a"))}, {});
    MarathonStore other(QStringLiteral("Production"));
    other.setApps({app(QStringLiteral("/x")), app(QStringLiteral("/y"))}, {});
    MarathonAppTableModel model(m_store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.setStore(&other);
    QCOMPARE(resets.count(), 1);
    QCOMPARE(model.rowCount(), 2);
    // The old store no longer reaches the model.
    m_store->setApps({app(QStringLiteral("/a")), app(QStringLiteral("/b"))}, {});
    m_store->flush();
    QCOMPARE(model.rowCount(), 2);
    model.setStore(nullptr);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.data(model.index(0, 0)), QVariant());
}

QTEST_GUILESS_MAIN(tst_MarathonTableModels)
#include "tst_marathontablemodels.moc"
