// SPDX-License-Identifier: MIT
// The Marathon and Mesos agents tabs offscreen, over MarathonStores filled by hand and a
// recording fake of the Marathon actions.
#include "models/containertablemodel.h"
#include "models/marathontablemodels.h"
#include "views/desktop/confirmactiondialog.h"
#include "views/desktop/mainwindow.h"
#include "views/desktop/marathonview.h"
#include "views/desktop/mesosview.h"
#include "views/desktop/rolloutdialog.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTest>

using namespace Opsdeck;
using namespace Opsdeck::Models;

namespace {

class FakeContainerOperations : public ContainerOperations
{
public:
    void requestAction(const QString &, const QString &, ContainerAction) override {}

    LogFollower *followLogs(const QString &, const QString &, int) override { return nullptr; }

    void requestStats(const QString &, const QString &) override {}
};

/// Records every request and answers it on the next event-loop turn, like the real one.
class FakeMarathonOperations : public MarathonOperations
{
public:
    QList<MarathonActionRequest> requests;
    bool ok = true;
    QString message = QStringLiteral("accepted");
    QString deploymentId = QStringLiteral("0f3c9a11-2b1e-4c1f-8a7d-5d2e6f7a8b90");

    void requestMarathonAction(const MarathonActionRequest &request) override
    {
        requests.append(request);
        QMetaObject::invokeMethod(
            this,
            [this, request] {
                emit marathonActionFinished(request, ok, message, ok ? deploymentId : QString());
            },
            Qt::QueuedConnection);
    }
};

// 14:06:12 UTC; versions and ages below are relative to it.
const QDateTime kNow(QDate(2026, 11, 25), QTime(14, 6, 12), Qt::UTC);
const QString kWeb = QStringLiteral("/prod/web");
const QString kCheckout = QStringLiteral("/prod/checkout");
const QString kApi = QStringLiteral("/prod/api");
const QString kSearch = QStringLiteral("/prod/search");
const QString kWorker = QStringLiteral("/prod/worker");
const QString kApiDeployment = QStringLiteral("5ed1c7e0-4b7a-4f51-9a0e-0c2b8d1f6a21");
const QString kSearchDeployment = QStringLiteral("9a41e0b2-77c3-4d8e-b1f5-3e6a2c9d8b10");

QString iso(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

MarathonApp app(const QString &id, int instances, const QString &image, int checks)
{
    MarathonApp a;
    a.id = id;
    a.instances = instances;
    a.cpus = 0.5;
    a.memMb = 512;
    a.containerType = image.isEmpty() ? QString() : QStringLiteral("DOCKER");
    a.image = image;
    a.healthCheckCount = checks;
    a.version = iso(kNow.addSecs(-3600));
    return a;
}

MarathonTask task(const QString &appId,
                  int n,
                  const QString &version,
                  TaskHealth health,
                  const QString &state = QStringLiteral("TASK_RUNNING"))
{
    MarathonTask t;
    const QString name = appId.section(QLatin1Char('/'), -1);
    t.id = QStringLiteral("%1.instance-%2c1e7a4b-0d2f-4a8e-9b61-%3")
               .arg(name)
               .arg(n)
               .arg(n, 12, 10, QLatin1Char('0'));
    t.appId = appId;
    t.agentId = QStringLiteral("S%1").arg((n - 1) % 5 + 1);
    t.host = QStringLiteral("agent-%1.example.internal").arg((n - 1) % 5 + 1);
    t.ports = {31000 + n};
    t.state = state;
    t.stagedAt = kNow.addSecs(-600 - n * 7);
    if (state == QLatin1String("TASK_RUNNING"))
        t.startedAt = kNow.addSecs(-590 - n * 7);
    t.version = version;
    t.health = health;
    if (health == TaskHealth::Unhealthy)
        t.healthMessage = QStringLiteral("HTTP 503 on /health");
    return t;
}

/// A one-step deployment of @p appId, at its step 1/1, first seen @p secondsAgo before kNow.
MarathonDeployment deployment(const QString &id,
                              const QString &version,
                              const QString &appId,
                              const QString &action,
                              int secondsAgo)
{
    MarathonDeployment d;
    d.id = id;
    d.version = version;
    d.affectedApps = {appId};
    d.steps = {{{action, appId}}};
    d.currentActions = {{action, appId}};
    d.currentStep = 1;
    d.totalSteps = 1;
    d.firstSeen = kNow.addSecs(-secondsAgo);
    return d;
}

MesosAgent agent(int n, double cpus, double memMb, double diskMb, int tasks, bool active = true)
{
    MesosAgent a;
    a.id = QStringLiteral("S%1").arg(n);
    a.hostname = QStringLiteral("agent-%1.example.internal").arg(n);
    a.active = active;
    a.total = {8, 31744, 204800, 0};
    a.used = {cpus, memMb, diskMb, 0};
    a.taskCount = tasks;
    return a;
}

HostStatus status(SourceState state, const QString &error = QString())
{
    HostStatus s;
    s.id = s.displayName = QStringLiteral("marathon");
    s.url = QStringLiteral("http://127.0.0.1:8080");
    s.state = state;
    s.error = error;
    s.since = kNow.addSecs(-120);
    return s;
}

} // namespace

class tst_MarathonView : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void tabsArePresentAndKeptAcrossEnvironments();
    void appsTableShowsTheRightText();
    void filterNarrowsTheApps();
    void selectingAnAppFillsTheTasks();
    void deploymentsShowProgressAndStuck();
    void agentsShowUsage();
    void unreachableMarathonShowsItsError();
    void environmentWithoutMarathonSaysSo();
    void readOnlyEnvironmentDisablesActions();
    void productionRestartNeedsTheTypedName();
    void rolloutDialogShowsThePlan();
    void rolloutWithoutMinimumHealthWarnsOfDowntime();
    void scaleSendsTheInstanceCount();
    void lockedByDeploymentIsExplained();
    void forceCancelWarnsOfMixedVersions();
    void refreshNeverResetsTheTables();
    void screenshots();

private:
    void fill(MarathonStore *store);

    Views::MarathonView *marathon() const { return m_window->marathonView(); }

    int appRow(const QString &id) const;
    QString appText(const QString &id, int column) const;
    void acceptConfirmation(const QString &typedName = QString());

    OpsdeckConfig m_config;
    QList<EnvironmentStore *> m_stores;
    QList<MarathonStore *> m_marathonStores;
    FakeContainerOperations *m_containerOps = nullptr;
    FakeMarathonOperations *m_ops = nullptr;
    Views::MainWindow *m_window = nullptr;
    qint64 m_now = 0;
};

void tst_MarathonView::initTestCase()
{
    QSettings().clear();
    auto env = [](const char *name, const char *colour, bool production, bool readOnly) {
        EnvironmentConfig e;
        e.name = QLatin1String(name);
        e.colour = QLatin1String(colour);
        e.production = production;
        e.readOnly = readOnly;
        return e;
    };
    m_config.environments = {env("Staging", "#f9a825", false, false),
                             env("Production", "#c62828", true, false),
                             env("Audit", "#546e7a", false, true),
                             env("Lab", "#2e7d32", false, false)};
}

void tst_MarathonView::fill(MarathonStore *store)
{
    store->setClock([this] { return m_now; });
    const QString web = iso(kNow.addSecs(-180)); // "3 min ago"
    const QString apiNew = iso(kNow.addSecs(-240));
    const QString old = iso(kNow.addDays(-1));

    MarathonApp w = app(kWeb, 4, QStringLiteral("registry.example.internal/shop/web:1.4.2"), 1);
    w.upgradeStrategy = {0.5, 0.25}; // the worked example of apis.md §2.8
    w.version = web;
    w.tasksRunning = w.tasksHealthy = 4;

    MarathonApp c =
        app(kCheckout, 3, QStringLiteral("registry.example.internal/shop/checkout:2.0.1"), 1);
    c.version = old;
    c.tasksRunning = 3;
    c.tasksHealthy = 2;
    c.tasksUnhealthy = 1;
    TaskFailure failure;
    failure.taskId = QStringLiteral("checkout.instance-0");
    failure.host = QStringLiteral("agent-2.example.internal");
    failure.state = QStringLiteral("TASK_FAILED");
    failure.message = QStringLiteral("Container exited with status 137 (OOM killed)");
    failure.version = old;
    failure.timestamp = kNow.addSecs(-720);
    c.lastTaskFailure = failure;

    MarathonApp a = app(kApi, 3, QStringLiteral("registry.example.internal/shop/api:3.1.0"), 1);
    a.version = apiNew;
    a.tasksRunning = 4;
    a.tasksHealthy = 3;
    a.deploymentIds = {kApiDeployment};

    MarathonApp s = app(kSearch, 4, QStringLiteral("registry.example.internal/shop/search:7.2"), 1);
    s.version = old;
    s.tasksRunning = 2;
    s.tasksHealthy = 2;
    s.tasksStaged = 2;
    s.deploymentIds = {kSearchDeployment};

    MarathonApp k = app(kWorker, 2, QString(), 0);
    k.cmd = QStringLiteral("python3 worker.py");
    k.version = old;
    k.tasksRunning = 2;

    QList<MarathonTask> tasks;
    for (int n = 1; n <= 4; ++n)
        tasks << task(kWeb, n, web, TaskHealth::Healthy);
    tasks << task(kCheckout, 1, old, TaskHealth::Healthy)
          << task(kCheckout, 2, old, TaskHealth::Unhealthy)
          << task(kCheckout, 3, old, TaskHealth::Healthy);
    tasks << task(kApi, 1, old, TaskHealth::Healthy) << task(kApi, 2, old, TaskHealth::Healthy)
          << task(kApi, 3, apiNew, TaskHealth::Healthy) << task(kApi, 4, apiNew, TaskHealth::None);
    tasks << task(kSearch, 1, old, TaskHealth::Healthy)
          << task(kSearch, 2, old, TaskHealth::Healthy)
          << task(kSearch, 3, old, TaskHealth::None, QStringLiteral("TASK_STAGING"))
          << task(kSearch, 4, old, TaskHealth::None, QStringLiteral("TASK_STAGING"));
    tasks << task(kWorker, 1, old, TaskHealth::None) << task(kWorker, 2, old, TaskHealth::None);
    store->setApps({w, c, a, s, k}, tasks);

    store->setDeployments(
        {deployment(kApiDeployment, apiNew, kApi, QStringLiteral("RestartApplication"), 240),
         deployment(kSearchDeployment, old, kSearch, QStringLiteral("ScaleApplication"), 1500)});

    store->setAgents({agent(1, 3.5, 1536, 40960, 4),
                      agent(2, 6.8, 20480, 61440, 6),
                      agent(3, 7.8, 30720, 199680, 7),
                      agent(4, 1.0, 4096, 10240, 1),
                      agent(5, 2.5, 8192, 20480, 2),
                      agent(6, 0, 0, 0, 0, false)});
    store->setMarathonStatus(status(SourceState::Connected));
    store->setMesosStatus(status(SourceState::Connected));
    store->flush();
}

void tst_MarathonView::init()
{
    m_now = kNow.toMSecsSinceEpoch();
    m_containerOps = new FakeContainerOperations;
    m_ops = new FakeMarathonOperations;
    for (const EnvironmentConfig &e : std::as_const(m_config.environments)) {
        m_stores << new EnvironmentStore(e.name);
        MarathonStore *marathonStore = nullptr;
        if (e.name != QLatin1String("Lab")) {
            marathonStore = new MarathonStore(e.name);
            fill(marathonStore);
        }
        m_marathonStores << marathonStore;
    }
    m_window = new Views::MainWindow(m_config, m_stores, m_containerOps);
    m_window->setMarathon(m_marathonStores, m_ops);
    m_window->resize(1280, 800);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
    m_window->showTab(Views::MainWindow::MarathonTab);
}

void tst_MarathonView::cleanup()
{
    delete m_window;
    qDeleteAll(m_stores);
    m_stores.clear();
    qDeleteAll(m_marathonStores);
    m_marathonStores.clear();
    delete m_ops;
    delete m_containerOps;
}

int tst_MarathonView::appRow(const QString &id) const
{
    QAbstractItemModel *model = marathon()->appTable()->model();
    for (int r = 0; r < model->rowCount(); ++r) {
        if (model->index(r, MarathonAppTableModel::IdColumn).data().toString() == id)
            return r;
    }
    return -1;
}

QString tst_MarathonView::appText(const QString &id, int column) const
{
    const int row = appRow(id);
    return row < 0 ? QStringLiteral("<no row>")
                   : marathon()->appTable()->model()->index(row, column).data().toString();
}

void tst_MarathonView::acceptConfirmation(const QString &typedName)
{
    Views::ConfirmActionDialog *dialog = marathon()->pendingConfirmation();
    QVERIFY(dialog);
    if (!typedName.isEmpty())
        QTest::keyClicks(dialog->nameEdit(), typedName);
    QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(ok->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);
    QTRY_VERIFY(!marathon()->pendingConfirmation());
}

void tst_MarathonView::tabsArePresentAndKeptAcrossEnvironments()
{
    QTabWidget *tabs = m_window->tabs();
    QCOMPARE(tabs->count(), 4);
    QCOMPARE(tabs->tabText(0), QStringLiteral("Containers"));
    // One app with failing health checks is counted on the tab, visible from any tab.
    QCOMPARE(tabs->tabText(1), QStringLiteral("Marathon  ⚑ 1"));
    QCOMPARE(tabs->tabText(2), QStringLiteral("Mesos agents"));
    QCOMPARE(tabs->tabText(3), QStringLiteral("Kafka lag"));
    QTest::keyClick(m_window, Qt::Key_1, Qt::AltModifier);
    QCOMPARE(m_window->currentTab(), Views::MainWindow::ContainersTab);
    QVERIFY(m_window->restartAction()->isVisible());
    QVERIFY(!marathon()->restartAction()->isVisible());
    QTest::keyClick(m_window, Qt::Key_3, Qt::AltModifier);
    QCOMPARE(m_window->currentTab(), Views::MainWindow::MesosTab);
    QTest::keyClick(m_window, Qt::Key_2, Qt::AltModifier);
    QCOMPARE(m_window->currentTab(), Views::MainWindow::MarathonTab);
    QVERIFY(!m_window->restartAction()->isVisible());
    QVERIFY(marathon()->restartAction()->isVisible());

    // Ctrl+N switches the environment and keeps the tab and the store of that environment.
    QTest::keyClick(m_window, Qt::Key_2, Qt::ControlModifier);
    QCOMPARE(m_window->currentEnvironment(), QStringLiteral("Production"));
    QCOMPARE(m_window->currentTab(), Views::MainWindow::MarathonTab);
    QCOMPARE(marathon()->store(), m_marathonStores.at(1));
    QCOMPARE(m_window->mesosView()->store(), m_marathonStores.at(1));
}

void tst_MarathonView::appsTableShowsTheRightText()
{
    QTableView *table = marathon()->appTable();
    QCOMPARE(table->model()->rowCount(), 5);
    QCOMPARE(table->model()->columnCount(), int(MarathonAppTableModel::ColumnCount));
    QCOMPARE(table->model()->headerData(MarathonAppTableModel::VersionColumn, Qt::Horizontal),
             QVariant(QStringLiteral("Version")));
    QCOMPARE(appText(kWeb, MarathonAppTableModel::InstancesColumn), QStringLiteral("4"));
    QCOMPARE(appText(kWeb, MarathonAppTableModel::RunningColumn), QStringLiteral("4"));
    QCOMPARE(appText(kWeb, MarathonAppTableModel::StagedColumn), QStringLiteral("0"));
    QCOMPARE(appText(kWeb, MarathonAppTableModel::HealthyColumn), QStringLiteral("4"));
    QCOMPARE(appText(kWeb, MarathonAppTableModel::UnhealthyColumn), QStringLiteral("0"));
    QCOMPARE(appText(kWeb, MarathonAppTableModel::ImageColumn),
             QStringLiteral("registry.example.internal/shop/web:1.4.2"));
    const QString version = appText(kWeb, MarathonAppTableModel::VersionColumn);
    QCOMPARE(version,
             kNow.addSecs(-180).toLocalTime().toString(QStringLiteral("HH:mm:ss"))
                 + QStringLiteral(" (3 min ago)"));
    QCOMPARE(appText(kApi, MarathonAppTableModel::DeploymentColumn),
             QStringLiteral("restarting step 1/1"));
    QCOMPARE(appText(kWeb, MarathonAppTableModel::DeploymentColumn), QString());
    // Without health checks the healthy counts are blank, not a misleading 0.
    QCOMPARE(appText(kWorker, MarathonAppTableModel::HealthyColumn), QString());
    QCOMPARE(appText(kWorker, MarathonAppTableModel::ImageColumn), QString());

    // Colour cues: unhealthy red, deploying amber, healthy plain.
    const auto background = [&](const QString &id) {
        return table->model()
            ->index(appRow(id), MarathonAppTableModel::IdColumn)
            .data(Qt::BackgroundRole)
            .value<QBrush>()
            .color();
    };
    QCOMPARE(background(kCheckout), QColor(0xff, 0xcd, 0xd2));
    QCOMPARE(background(kApi), QColor(0xff, 0xec, 0xb3));
    QVERIFY(!table->model()
                 ->index(appRow(kWeb), MarathonAppTableModel::IdColumn)
                 .data(Qt::BackgroundRole)
                 .isValid());

    // Sortable by its natural value: running counts.
    table->sortByColumn(MarathonAppTableModel::RunningColumn, Qt::DescendingOrder);
    QCOMPARE(appRow(kApi), 0);
}

void tst_MarathonView::filterNarrowsTheApps()
{
    QAbstractItemModel *model = marathon()->appTable()->model();
    QTest::keyClick(m_window, Qt::Key_F, Qt::ControlModifier);
    QVERIFY(marathon()->filterEdit()->hasFocus());
    QTest::keyClicks(marathon()->filterEdit(), QStringLiteral("check"));
    QCOMPARE(model->rowCount(), 1);
    marathon()->filterEdit()->setText(QStringLiteral("is:deploying"));
    QCOMPARE(model->rowCount(), 2);
    marathon()->filterEdit()->setText(QStringLiteral("is:unhealthy"));
    QCOMPARE(model->rowCount(), 1);
    QCOMPARE(appText(kCheckout, MarathonAppTableModel::IdColumn), kCheckout);
    marathon()->filterEdit()->setText(QStringLiteral("shop/ 7.2"));
    QCOMPARE(model->rowCount(), 1);
    QTest::keyClick(marathon()->filterEdit(), Qt::Key_Escape);
    QCOMPARE(marathon()->filterEdit()->text(), QString());
    QCOMPARE(model->rowCount(), 5);
}

void tst_MarathonView::selectingAnAppFillsTheTasks()
{
    QAbstractItemModel *tasks = marathon()->taskTable()->model();
    QCOMPARE(tasks->rowCount(), 0);
    QVERIFY(marathon()->selectApp(kApi));
    QCOMPARE(marathon()->selectedAppId(), kApi);
    QCOMPARE(tasks->rowCount(), 4);
    QCOMPARE(tasks->columnCount(), int(MarathonTaskTableModel::ColumnCount));
    const QModelIndex first = tasks->index(0, 0);
    QVERIFY(first.data().toString().startsWith(QStringLiteral("api.instance-1")));
    QCOMPARE(tasks->index(0, MarathonTaskTableModel::AgentColumn).data().toString(),
             QStringLiteral("agent-1.example.internal"));
    QCOMPARE(tasks->index(0, MarathonTaskTableModel::HostColumn).data().toString(),
             QStringLiteral("agent-1.example.internal"));
    QCOMPARE(tasks->index(0, MarathonTaskTableModel::PortsColumn).data().toString(),
             QStringLiteral("31001"));
    QCOMPARE(tasks->index(0, MarathonTaskTableModel::StateColumn).data().toString(),
             QStringLiteral("running"));
    QCOMPARE(tasks->index(0, MarathonTaskTableModel::HealthColumn).data().toString(),
             QStringLiteral("healthy"));
    QCOMPARE(tasks->index(0, MarathonTaskTableModel::VersionColumn).data().toString(),
             QStringLiteral("old"));
    QCOMPARE(tasks->index(2, MarathonTaskTableModel::VersionColumn).data().toString(),
             QStringLiteral("new"));
    QVERIFY(tasks->index(0, MarathonTaskTableModel::StartedColumn)
                .data()
                .toString()
                .endsWith(QStringLiteral("(9 min ago)")));
    QVERIFY(!marathon()->lastFailureLabel()->isVisible());

    QVERIFY(marathon()->selectApp(kCheckout));
    QCOMPARE(tasks->rowCount(), 3);
    QCOMPARE(tasks->index(1, MarathonTaskTableModel::HealthColumn).data().toString(),
             QStringLiteral("unhealthy"));
    QVERIFY(marathon()->lastFailureLabel()->isVisible());
    const QString failure = marathon()->lastFailureLabel()->text();
    QVERIFY2(failure.contains(QStringLiteral("OOM killed"))
                 && failure.contains(QStringLiteral("agent-2.example.internal"))
                 && failure.contains(QStringLiteral("failed")),
             qPrintable(failure));
}

void tst_MarathonView::deploymentsShowProgressAndStuck()
{
    QAbstractItemModel *deployments = marathon()->deploymentTable()->model();
    QCOMPARE(deployments->rowCount(), 2);
    int apiRow = -1;
    for (int r = 0; r < deployments->rowCount(); ++r) {
        if (deployments->index(r, 0).data().toString() == kApiDeployment)
            apiRow = r;
    }
    QVERIFY(apiRow >= 0);
    const QModelIndex step = deployments->index(apiRow, MarathonDeploymentTableModel::StepColumn);
    const double progress = step.data(MarathonDeploymentTableModel::ProgressRole).toDouble();
    QVERIFY2(progress > 0 && progress < 1, qPrintable(QString::number(progress)));
    QCOMPARE(step.data().toString(), QStringLiteral("step 1/1 · %1 %").arg(qRound(progress * 100)));
    QCOMPARE(deployments->index(apiRow, MarathonDeploymentTableModel::AffectedAppsColumn)
                 .data()
                 .toString(),
             kApi);
    QCOMPARE(deployments->index(apiRow, MarathonDeploymentTableModel::CurrentActionsColumn)
                 .data()
                 .toString(),
             QStringLiteral("restart /prod/api"));
    const QModelIndex age = deployments->index(apiRow, MarathonDeploymentTableModel::AgeColumn);
    QVERIFY(!age.data().toString().contains(QStringLiteral("STUCK")));

    // No progress for longer than the threshold: marked, in words and in red.
    m_now += MarathonStore::kDefaultStuckThresholdMs + 60'000;
    MarathonStore *store = m_marathonStores.at(0);
    store->reevaluateStuck();
    store->flush();
    QTRY_VERIFY2(age.data().toString().contains(QStringLiteral("STUCK")),
                 qPrintable(age.data().toString()));
    QCOMPARE(age.data(Qt::BackgroundRole).value<QBrush>().color(), QColor(0xff, 0xcd, 0xd2));
}

void tst_MarathonView::agentsShowUsage()
{
    m_window->showTab(Views::MainWindow::MesosTab);
    QAbstractItemModel *agents = m_window->mesosView()->agentTable()->model();
    QCOMPARE(agents->rowCount(), 6);
    QCOMPARE(agents->index(0, MesosAgentTableModel::HostnameColumn).data().toString(),
             QStringLiteral("agent-1.example.internal"));
    QCOMPARE(agents->index(0, MesosAgentTableModel::CpuColumn).data().toString(),
             QStringLiteral("3.5 / 8 cpus (44 %)"));
    QCOMPARE(agents->index(0, MesosAgentTableModel::MemoryColumn).data().toString(),
             QStringLiteral("1.5 / 31 GiB (5 %)"));
    QCOMPARE(agents->index(0, MesosAgentTableModel::TasksColumn).data().toString(),
             QStringLiteral("4"));
    QCOMPARE(agents->index(0, MesosAgentTableModel::ActiveColumn).data().toString(),
             QStringLiteral("active"));
    QCOMPARE(agents->index(5, MesosAgentTableModel::ActiveColumn).data().toString(),
             QStringLiteral("inactive"));
    QCOMPARE(agents->index(2, MesosAgentTableModel::CpuColumn)
                 .data(MesosAgentTableModel::UsageFractionRole)
                 .toDouble(),
             7.8 / 8);
    const QString total = m_window->mesosView()->totalLabel()->text();
    QVERIFY2(total.contains(QStringLiteral("6 agents (5 active)"))
                 && total.contains(QStringLiteral("21.6 / 40 cpus (54 %)"))
                 && total.contains(QStringLiteral("20 tasks")),
             qPrintable(total));
}

void tst_MarathonView::unreachableMarathonShowsItsError()
{
    MarathonStore *store = m_marathonStores.at(0);
    QVERIFY(!marathon()->statusLabel()->isVisible());
    QVERIFY(marathon()->selectApp(kWeb));
    QVERIFY(marathon()->restartAction()->isEnabled());
    store->setMarathonStatus(
        status(SourceState::Unreachable, QStringLiteral("connection refused (127.0.0.1:8080)")));
    store->flush();
    QVERIFY(marathon()->statusLabel()->isVisible());
    m_now += 120'000; // the banner's age follows the clock
    QTRY_VERIFY(marathon()->statusLabel()->text().contains(QStringLiteral("(2 min ago)")));
    const QString text = marathon()->statusLabel()->text();
    QVERIFY2(text.contains(QStringLiteral("UNREACHABLE"))
                 && text.contains(QStringLiteral("connection refused (127.0.0.1:8080)")),
             qPrintable(text));
    // The stale data stays, greyed, and the actions wait for Marathon.
    QCOMPARE(marathon()->appTable()->model()->rowCount(), 5);
    QCOMPARE(marathon()
                 ->appTable()
                 ->model()
                 ->index(appRow(kWeb), 0)
                 .data(Qt::ForegroundRole)
                 .value<QBrush>()
                 .color(),
             QColor(0x75, 0x75, 0x75));
    QVERIFY(!marathon()->restartAction()->isEnabled());
    QVERIFY(marathon()->restartAction()->toolTip().contains(QStringLiteral("unreachable")));

    store->setMesosStatus(status(SourceState::Unreachable, QStringLiteral("timed out")));
    store->flush();
    m_window->showTab(Views::MainWindow::MesosTab);
    QVERIFY(m_window->mesosView()->statusLabel()->isVisible());
    QVERIFY(m_window->mesosView()->statusLabel()->text().contains(QStringLiteral("timed out")));

    store->setMarathonStatus(status(SourceState::Connected));
    store->flush();
    m_window->showTab(Views::MainWindow::MarathonTab);
    QVERIFY(!marathon()->statusLabel()->isVisible());
    QVERIFY(marathon()->restartAction()->isEnabled());
}

void tst_MarathonView::environmentWithoutMarathonSaysSo()
{
    m_window->switchToEnvironment(3);
    QVERIFY(marathon()->notConfiguredLabel()->isVisible());
    QVERIFY(marathon()->notConfiguredLabel()->text().contains(QStringLiteral("not configured")));
    QVERIFY(!marathon()->appTable()->isVisible());
    for (QAction *a : marathon()->marathonActions())
        QVERIFY(!a->isEnabled());
    m_window->showTab(Views::MainWindow::MesosTab);
    QVERIFY(m_window->mesosView()->notConfiguredLabel()->isVisible());
    m_window->switchToEnvironment(0);
    QVERIFY(!m_window->mesosView()->notConfiguredLabel()->isVisible());
    QVERIFY(m_window->mesosView()->agentTable()->isVisible());
}

void tst_MarathonView::readOnlyEnvironmentDisablesActions()
{
    m_window->switchToEnvironment(2);
    QVERIFY(marathon()->selectApp(kApi));
    QVERIFY(marathon()->selectDeployment(kApiDeployment));
    for (QAction *a : marathon()->marathonActions()) {
        QVERIFY2(!a->isEnabled(), qPrintable(a->text()));
        QVERIFY2(a->toolTip().contains(QStringLiteral("read-only")), qPrintable(a->toolTip()));
    }
    QTest::keyClick(m_window, Qt::Key_R, Qt::ControlModifier | Qt::ShiftModifier);
    marathon()->restartAction()->trigger();
    QVERIFY(!marathon()->pendingConfirmation());
    QVERIFY(m_ops->requests.isEmpty());
}

void tst_MarathonView::productionRestartNeedsTheTypedName()
{
    m_window->switchToEnvironment(1);
    QVERIFY(marathon()->selectApp(kWeb));
    QTest::keyClick(m_window, Qt::Key_R, Qt::ControlModifier | Qt::ShiftModifier);
    Views::ConfirmActionDialog *dialog = marathon()->pendingConfirmation();
    QVERIFY(dialog);
    QVERIFY(dialog->needsTypedName());
    const QString question = dialog->findChild<QLabel *>()->text();
    QVERIFY2(question.contains(QStringLiteral("Production")) && question.contains(kWeb),
             qPrintable(question));
    QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(!ok->isEnabled());
    QTest::keyClicks(dialog->nameEdit(), QStringLiteral("production"));
    QVERIFY2(!ok->isEnabled(), "the name must match exactly");
    dialog->reject(); // cancel sends nothing
    QTRY_VERIFY(!marathon()->pendingConfirmation());
    QVERIFY(m_ops->requests.isEmpty());

    marathon()->restartAction()->trigger();
    QVERIFY(m_ops->requests.isEmpty()); // nothing happens before the person confirms
    acceptConfirmation(QStringLiteral("Production"));
    QCOMPARE(m_ops->requests.size(), 1);
    const MarathonActionRequest &request = m_ops->requests.first();
    QCOMPARE(request.action, MarathonAction::RestartApp);
    QCOMPARE(request.environment, QStringLiteral("Production"));
    QCOMPARE(request.appId, kWeb);
    QVERIFY(!request.force);
    QTRY_VERIFY2(m_window->statusBar()->currentMessage().contains(QStringLiteral("done")),
                 qPrintable(m_window->statusBar()->currentMessage()));
    QVERIFY(m_window->statusBar()->currentMessage().contains(m_ops->deploymentId));
}

void tst_MarathonView::rolloutDialogShowsThePlan()
{
    QVERIFY(marathon()->selectApp(kWeb));
    marathon()->rolloutAction()->trigger();
    Views::RolloutDialog *dialog = marathon()->pendingRollout();
    QVERIFY(dialog);
    QCOMPARE(dialog->imageEdit()->text(),
             QStringLiteral("registry.example.internal/shop/web:1.4.2"));
    const QString strategy = dialog->strategyLabel()->text();
    QVERIFY2(strategy.contains(QStringLiteral("at least 2 of 4 instances stay healthy"))
                 && strategy.contains(QStringLiteral("at most 5 instances at once")),
             qPrintable(strategy));
    const QString summary = dialog->summaryLabel()->text();
    QVERIFY2(summary.contains(QStringLiteral("never fewer than 2 healthy"))
                 && summary.contains(QStringLiteral("at most 5 running")),
             qPrintable(summary));
    QVERIFY(dialog->plan().has_value());
    QCOMPARE(dialog->plan()->minHealthy, 2);
    QCOMPARE(dialog->plan()->maxCapacity, 5);
    QTableWidget *plan = dialog->planTable();
    QCOMPARE(plan->rowCount(), int(dialog->plan()->moments.size()));
    QCOMPARE(plan->item(0, 1)->text(), QStringLiteral("4 (2 being killed)"));
    QVERIFY(plan->item(0, 6)->text().contains(QStringLiteral("kill 2 old")));
    QCOMPARE(plan->item(plan->rowCount() - 1, 3)->text(), QStringLiteral("4"));
    int maxRunning = 0;
    int minHealthy = 4;
    for (int r = 0; r < plan->rowCount(); ++r) {
        maxRunning = std::max(maxRunning, plan->item(r, 5)->text().toInt());
        minHealthy = std::min(minHealthy, plan->item(r, 4)->text().toInt());
    }
    QCOMPARE(maxRunning, 5);
    QCOMPARE(minHealthy, 2);
    QVERIFY(!dialog->warningLabel()->isVisible());

    QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY2(!ok->isEnabled(), "the same image changes nothing");
    dialog->imageEdit()->setText(QStringLiteral("registry.example.internal/shop/web:1.5.0"));
    QVERIFY(ok->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);
    QVERIFY(m_ops->requests.isEmpty());
    Views::ConfirmActionDialog *confirm = marathon()->pendingConfirmation();
    QVERIFY(confirm);
    QVERIFY(!confirm->needsTypedName());
    acceptConfirmation();
    QCOMPARE(m_ops->requests.size(), 1);
    QCOMPARE(m_ops->requests.first().action, MarathonAction::UpdateImage);
    QCOMPARE(m_ops->requests.first().environment, QStringLiteral("Staging"));
    QCOMPARE(m_ops->requests.first().appId, kWeb);
    QCOMPARE(m_ops->requests.first().image,
             QStringLiteral("registry.example.internal/shop/web:1.5.0"));
    QTRY_VERIFY(!marathon()->pendingRollout());
}

void tst_MarathonView::rolloutWithoutMinimumHealthWarnsOfDowntime()
{
    MarathonStore *store = m_marathonStores.at(0);
    QList<MarathonApp> apps;
    QList<MarathonTask> tasks;
    for (const QString &id : store->appIds()) {
        MarathonApp a = *store->app(id);
        if (id == kWeb)
            a.upgradeStrategy = {0.0, 0.0};
        apps << a;
        tasks << store->tasks(id);
    }
    store->setApps(apps, tasks);
    store->flush();
    QVERIFY(marathon()->selectApp(kWeb));
    marathon()->rolloutAction()->trigger();
    Views::RolloutDialog *dialog = marathon()->pendingRollout();
    QVERIFY(dialog);
    QVERIFY(dialog->strategyLabel()->text().contains(QStringLiteral("downtime")));
    QVERIFY(dialog->warningLabel()->isVisible());
    QVERIFY2(dialog->warningLabel()->text().contains(QStringLiteral("downtime")),
             qPrintable(dialog->warningLabel()->text()));
    QVERIFY(dialog->summaryLabel()->text().contains(QStringLiteral("expect downtime")));
    dialog->reject();
    QTRY_VERIFY(!marathon()->pendingRollout());

    // The restart of the same app says so in its confirmation, in red.
    marathon()->restartAction()->trigger();
    QVERIFY(marathon()->pendingConfirmation());
    QVERIFY(marathon()->pendingConfirmation()->warning().contains(QStringLiteral("downtime")));
    marathon()->pendingConfirmation()->reject();
    QTRY_VERIFY(!marathon()->pendingConfirmation());
    QVERIFY(m_ops->requests.isEmpty());
}

void tst_MarathonView::scaleSendsTheInstanceCount()
{
    QVERIFY(marathon()->selectApp(kWeb));
    QTest::keyClick(m_window, Qt::Key_I, Qt::ControlModifier | Qt::ShiftModifier);
    QDialog *dialog = marathon()->pendingScale();
    QVERIFY(dialog);
    auto *spin = dialog->findChild<QSpinBox *>(QStringLiteral("scaleInstances"));
    QVERIFY(spin);
    QCOMPARE(spin->value(), 4);
    QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(!ok->isEnabled());
    spin->setValue(6);
    QVERIFY(ok->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);
    QVERIFY(m_ops->requests.isEmpty());
    Views::ConfirmActionDialog *confirm = marathon()->pendingConfirmation();
    QVERIFY(confirm);
    QVERIFY(confirm->findChild<QLabel *>()->text().contains(QStringLiteral("from 4 to 6")));
    acceptConfirmation();
    QCOMPARE(m_ops->requests.size(), 1);
    QCOMPARE(m_ops->requests.first().action, MarathonAction::ScaleApp);
    QCOMPARE(m_ops->requests.first().appId, kWeb);
    QCOMPARE(m_ops->requests.first().instances, 6);
}

void tst_MarathonView::lockedByDeploymentIsExplained()
{
    m_ops->ok = false;
    m_ops->message = QStringLiteral(
        "locked by deployment 5ed1c7e0-4b7a-4f51-9a0e-0c2b8d1f6a21: wait for it, roll it back, "
        "or force the change");
    QVERIFY(marathon()->selectApp(kApi));
    marathon()->restartAction()->trigger();
    QVERIFY(marathon()->pendingConfirmation()->warning().contains(QStringLiteral("409")));
    acceptConfirmation();
    QCOMPARE(m_ops->requests.size(), 1);
    QTRY_VERIFY(m_window->statusBar()->currentMessage().contains(QStringLiteral("FAILED")));
    const QString message = m_window->statusBar()->currentMessage();
    QVERIFY2(message.contains(QStringLiteral("Ctrl+Shift+B"))
                 && message.contains(QStringLiteral("force-cancel")),
             qPrintable(message));
    QVERIFY(marathon()->resultLabel()->isVisible());
    QCOMPARE(marathon()->resultLabel()->text(), message);
    // The deployment that holds the app is the one the rollback would act on.
    QCOMPARE(marathon()->targetDeploymentId(), kApiDeployment);
    QVERIFY(marathon()->rollbackAction()->isEnabled());
}

void tst_MarathonView::forceCancelWarnsOfMixedVersions()
{
    QVERIFY(marathon()->selectDeployment(kApiDeployment));
    QVERIFY(marathon()->forceCancelAction()->isEnabled());
    marathon()->forceCancelAction()->trigger();
    Views::ConfirmActionDialog *confirm = marathon()->pendingConfirmation();
    QVERIFY(confirm);
    QVERIFY2(confirm->warning().contains(QStringLiteral("MIX OF OLD AND NEW"))
                 && confirm->warning().contains(QStringLiteral("2 new, 2 old")),
             qPrintable(confirm->warning()));
    acceptConfirmation();
    QCOMPARE(m_ops->requests.size(), 1);
    QCOMPARE(m_ops->requests.first().action, MarathonAction::ForceCancelDeployment);
    QCOMPARE(m_ops->requests.first().deploymentId, kApiDeployment);

    marathon()->rollbackAction()->trigger();
    acceptConfirmation();
    QCOMPARE(m_ops->requests.size(), 2);
    QCOMPARE(m_ops->requests.last().action, MarathonAction::RollbackDeployment);
    QCOMPARE(m_ops->requests.last().deploymentId, kApiDeployment);
}

void tst_MarathonView::refreshNeverResetsTheTables()
{
    QVERIFY(marathon()->selectApp(kWeb));
    QSignalSpy appResets(marathon()->appTable()->model(), &QAbstractItemModel::modelReset);
    QSignalSpy taskResets(marathon()->taskTable()->model(), &QAbstractItemModel::modelReset);
    QSignalSpy agentResets(m_window->mesosView()->agentTable()->model(),
                           &QAbstractItemModel::modelReset);
    MarathonStore *store = m_marathonStores.at(0);
    QList<MarathonApp> apps;
    QList<MarathonTask> tasks;
    for (const QString &id : store->appIds()) {
        MarathonApp a = *store->app(id);
        if (id == kWeb)
            a.tasksUnhealthy = 1;
        apps << a;
        tasks << store->tasks(id);
    }
    tasks.removeLast();
    store->setApps(apps, tasks);
    QList<MesosAgent> agents = store->agents();
    agents.first().used.cpus = 7.9;
    store->setAgents(agents);
    store->flush();
    QCOMPARE(appResets.count(), 0);
    QCOMPARE(taskResets.count(), 0);
    QCOMPARE(agentResets.count(), 0);
    QCOMPARE(marathon()->selectedAppId(), kWeb); // the selection survives
    QCOMPARE(appText(kWeb, MarathonAppTableModel::UnhealthyColumn), QStringLiteral("1"));
    QCOMPARE(m_window->tabs()->tabText(Views::MainWindow::MarathonTab),
             QStringLiteral("Marathon  ⚑ 1"));
    QTRY_COMPARE(m_window->tabs()->tabText(Views::MainWindow::MarathonTab),
                 QStringLiteral("Marathon  ⚑ 2"));
}

void tst_MarathonView::screenshots()
{
    // Paints every delegate; saves the pictures when asked (docs/screenshots).
    const QString dir = qEnvironmentVariable("OPSDECK_SCREENSHOT_DIR");
    m_window->switchToEnvironment(1);
    QVERIFY(marathon()->selectApp(kCheckout));
    // Ten minutes on: the scale of /prod/search is stuck, the restart of /prod/api moved on.
    MarathonStore *store = m_marathonStores.at(1);
    m_now += MarathonStore::kDefaultStuckThresholdMs + 90'000;
    QList<MarathonApp> apps;
    QList<MarathonTask> tasks;
    for (const QString &id : store->appIds()) {
        MarathonApp a = *store->app(id);
        QList<MarathonTask> own = store->tasks(id);
        if (id == kApi) {
            a.tasksHealthy = 4;
            own.last().health = TaskHealth::Healthy;
        }
        apps << a;
        tasks << own;
    }
    store->setApps(apps, tasks);
    store->reevaluateStuck();
    store->flush();
    QTest::qWait(50);
    const QPixmap marathonShot = m_window->grab();
    QVERIFY(!marathonShot.isNull());
    m_window->showTab(Views::MainWindow::MesosTab);
    QTest::qWait(50);
    const QPixmap mesosShot = m_window->grab();
    m_window->showTab(Views::MainWindow::MarathonTab);
    QVERIFY(marathon()->selectApp(kWeb));
    marathon()->rolloutAction()->trigger();
    Views::RolloutDialog *dialog = marathon()->pendingRollout();
    QVERIFY(dialog);
    dialog->imageEdit()->setText(QStringLiteral("registry.example.internal/shop/web:1.5.0"));
    QTest::qWait(50);
    const QPixmap rolloutShot = dialog->grab();
    if (!dir.isEmpty()) {
        QVERIFY(marathonShot.save(dir + QStringLiteral("/marathon.png")));
        QVERIFY(mesosShot.save(dir + QStringLiteral("/mesos.png")));
        QVERIFY(rolloutShot.save(dir + QStringLiteral("/rollout-dialog.png")));
    }
    dialog->reject();
}

QTEST_MAIN(tst_MarathonView)
#include "tst_marathonview.moc"
