// SPDX-License-Identifier: MIT
// The desktop console offscreen, over stores filled by hand and a recording fake of the actions.
#include "models/alertboard.h"
#include "models/containertablemodel.h"
#include "models/kafkalag.h"
#include "views/desktop/alertspanel.h"
#include "views/desktop/confirmactiondialog.h"
#include "views/desktop/containerdetailswidget.h"
#include "views/desktop/kafkaview.h"
#include "views/desktop/mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTest>
#include <QTextBrowser>

using namespace Opsdeck;
using namespace Opsdeck::Models;

namespace {

class FakeOperations : public ContainerOperations
{
public:
    QList<std::tuple<QString, QString, ContainerAction>> requests;

    void
    requestAction(const QString &environment, const QString &key, ContainerAction action) override
    {
        requests.append({environment, key, action});
        emit actionFinished(environment, key, action, true, QStringLiteral("done"));
    }

    LogFollower *followLogs(const QString &, const QString &, int) override { return nullptr; }

    void requestStats(const QString &, const QString &) override {}
};

Container make(const QString &host, const QString &name, ContainerState state)
{
    Container c;
    c.hostId = host;
    c.id = name + QStringLiteral("-id");
    c.name = name;
    c.image = QStringLiteral("shop/") + name + QStringLiteral(":1.0");
    c.state = state;
    c.inspected = true;
    c.startedAt = QDateTime::currentDateTime().addSecs(-3600);
    c.env = {QStringLiteral("DB_PASSWORD=hunter2"), QStringLiteral("LOG_LEVEL=info")};
    return c;
}

} // namespace

class tst_MainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void switchesEnvironmentByComboAndKeyboard();
    void productionBannerIsUnmistakable();
    void filterNarrowsTheTable();
    void hostSelectionFiltersByHost();
    void restartInStagingNeedsOneConfirmation();
    void restartInProductionNeedsTheTypedName();
    void readOnlyEnvironmentDisablesActionsWithReason();
    void flaggedRowsCarryTheReason();
    void secretsAreMaskedUntilRevealed();
    void alertsDockListsEveryEnvironmentAndNotifiesOnce();
    void kafkaTabFollowsTheEnvironment();

private:
    int rowOf(const QString &name) const;
    void select(const QString &name);

    OpsdeckConfig m_config;
    QList<EnvironmentStore *> m_stores;
    FakeOperations *m_ops = nullptr;
    Views::MainWindow *m_window = nullptr;
};

void tst_MainWindow::initTestCase()
{
    QSettings().clear();
    auto env = [](const char *name, const char *colour, bool production, bool readOnly) {
        EnvironmentConfig e;
        e.name = QLatin1String(name);
        e.colour = QLatin1String(colour);
        e.production = production;
        e.readOnly = readOnly;
        e.dockerHosts = {
            DockerHostConfig{QStringLiteral("h1"), QStringLiteral("unix:///a"), {}, {}},
            DockerHostConfig{QStringLiteral("h2"), QStringLiteral("unix:///b"), {}, {}}};
        return e;
    };
    m_config.environments = {env("Staging", "#f9a825", false, false),
                             env("Production", "#c62828", true, false),
                             env("Audit", "#546e7a", false, true)};
}

void tst_MainWindow::init()
{
    m_ops = new FakeOperations;
    for (const EnvironmentConfig &e : std::as_const(m_config.environments)) {
        auto *store = new EnvironmentStore(e.name);
        for (const char *h : {"h1", "h2"}) {
            HostStatus s;
            s.id = s.displayName = QLatin1String(h);
            s.state = SourceState::Connected;
            store->addHost(s);
        }
        store->upsertContainer(
            make(QStringLiteral("h1"), QStringLiteral("web"), ContainerState::Running));
        store->upsertContainer(
            make(QStringLiteral("h1"), QStringLiteral("worker"), ContainerState::Running));
        store->upsertContainer(
            make(QStringLiteral("h2"), QStringLiteral("db"), ContainerState::Running));
        Container loop =
            make(QStringLiteral("h2"), QStringLiteral("crashy"), ContainerState::Restarting);
        loop.restartPolicy = {RestartPolicyKind::Always, 0};
        loop.restartCount = 9;
        store->upsertContainer(loop);
        store->flush();
        m_stores << store;
    }
    m_window = new Views::MainWindow(m_config, m_stores, m_ops);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
}

void tst_MainWindow::cleanup()
{
    delete m_window;
    qDeleteAll(m_stores);
    m_stores.clear();
    delete m_ops;
}

int tst_MainWindow::rowOf(const QString &name) const
{
    QAbstractItemModel *model = m_window->containerTable()->model();
    for (int r = 0; r < model->rowCount(); ++r) {
        if (model->index(r, ContainerTableModel::NameColumn).data().toString() == name)
            return r;
    }
    return -1;
}

void tst_MainWindow::select(const QString &name)
{
    const int row = rowOf(name);
    QVERIFY2(row >= 0, qPrintable(name));
    m_window->containerTable()->setCurrentIndex(m_window->containerTable()->model()->index(row, 0));
}

void tst_MainWindow::switchesEnvironmentByComboAndKeyboard()
{
    QCOMPARE(m_window->currentEnvironment(), QStringLiteral("Staging"));
    m_window->environmentBox()->setCurrentIndex(1);
    QCOMPARE(m_window->currentEnvironment(), QStringLiteral("Production"));
    QTest::keyClick(m_window, Qt::Key_3, Qt::ControlModifier);
    QCOMPARE(m_window->currentEnvironment(), QStringLiteral("Audit"));
    QTest::keyClick(m_window, Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(m_window->currentEnvironment(), QStringLiteral("Staging"));
    QCOMPARE(m_window->containerTable()->model()->rowCount(), 4);
}

void tst_MainWindow::productionBannerIsUnmistakable()
{
    QVERIFY(!m_window->banner()->text().contains(QStringLiteral("PRODUCTION")));
    m_window->switchToEnvironment(1);
    QVERIFY(m_window->banner()->text().startsWith(QStringLiteral("PRODUCTION")));
    QVERIFY(m_window->banner()->styleSheet().contains(QStringLiteral("#c62828")));
    QVERIFY(m_window->windowTitle().contains(QStringLiteral("PRODUCTION")));
}

void tst_MainWindow::filterNarrowsTheTable()
{
    QTest::keyClicks(m_window->filterEdit(), QStringLiteral("web"));
    QCOMPARE(m_window->containerTable()->model()->rowCount(), 1);
    m_window->filterEdit()->setText(QStringLiteral("host:h2"));
    QCOMPARE(m_window->containerTable()->model()->rowCount(), 2);
    m_window->filterEdit()->setText(QStringLiteral("is:flagged"));
    QCOMPARE(m_window->containerTable()->model()->rowCount(), 1);
    QCOMPARE(m_window->containerTable()
                 ->model()
                 ->index(0, ContainerTableModel::NameColumn)
                 .data()
                 .toString(),
             QStringLiteral("crashy"));
    m_window->filterEdit()->clear();
    QCOMPARE(m_window->containerTable()->model()->rowCount(), 4);
}

void tst_MainWindow::hostSelectionFiltersByHost()
{
    QListView *hosts = m_window->hostList();
    QCOMPARE(hosts->model()->rowCount(), 3); // All hosts, h1, h2
    hosts->setCurrentIndex(hosts->model()->index(2, 0));
    QCOMPARE(m_window->containerTable()->model()->rowCount(), 2);
    hosts->setCurrentIndex(hosts->model()->index(0, 0));
    QCOMPARE(m_window->containerTable()->model()->rowCount(), 4);
}

void tst_MainWindow::restartInStagingNeedsOneConfirmation()
{
    select(QStringLiteral("web"));
    QVERIFY(m_window->restartAction()->isEnabled());
    QTest::keyClick(m_window, Qt::Key_R, Qt::ControlModifier);
    Views::ConfirmActionDialog *dialog = m_window->pendingConfirmation();
    QVERIFY(dialog);
    QVERIFY(!dialog->needsTypedName());
    QVERIFY(m_ops->requests.isEmpty()); // nothing happens before the person confirms
    dialog->accept();
    QCOMPARE(m_ops->requests.size(), 1);
    QCOMPARE(std::get<0>(m_ops->requests.first()), QStringLiteral("Staging"));
    QCOMPARE(std::get<1>(m_ops->requests.first()), QStringLiteral("h1/web-id"));
    QCOMPARE(std::get<2>(m_ops->requests.first()), ContainerAction::Restart);
}

void tst_MainWindow::restartInProductionNeedsTheTypedName()
{
    m_window->switchToEnvironment(1);
    select(QStringLiteral("db"));
    m_window->restartAction()->trigger();
    Views::ConfirmActionDialog *dialog = m_window->pendingConfirmation();
    QVERIFY(dialog);
    QVERIFY(dialog->needsTypedName());
    QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(!ok->isEnabled());
    QTest::keyClicks(dialog->nameEdit(), QStringLiteral("production"));
    QVERIFY2(!ok->isEnabled(), "the name must match exactly");
    dialog->nameEdit()->clear();
    QTest::keyClicks(dialog->nameEdit(), QStringLiteral("Production"));
    QVERIFY(ok->isEnabled());
    const QString shots = qEnvironmentVariable("OPSDECK_SCREENSHOT_DIR");
    if (!shots.isEmpty()) {
        dialog->grab().save(shots + QStringLiteral("/confirm-production.png"));
        m_window->grab().save(shots + QStringLiteral("/console-unit.png"));
    }
    // Enter alone must not confirm: Cancel is the default button.
    QVERIFY(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Cancel)->isDefault());
    QTest::mouseClick(ok, Qt::LeftButton);
    QCOMPARE(m_ops->requests.size(), 1);
    QCOMPARE(std::get<0>(m_ops->requests.first()), QStringLiteral("Production"));
}

void tst_MainWindow::readOnlyEnvironmentDisablesActionsWithReason()
{
    m_window->switchToEnvironment(2);
    select(QStringLiteral("web"));
    for (QAction *a :
         {m_window->restartAction(), m_window->stopAction(), m_window->startAction()}) {
        QVERIFY(!a->isEnabled());
        QVERIFY2(a->toolTip().contains(QStringLiteral("read-only")), qPrintable(a->toolTip()));
    }
    QVERIFY(m_window->banner()->text().contains(QStringLiteral("read-only")));
    QTest::keyClick(m_window, Qt::Key_R, Qt::ControlModifier);
    QVERIFY(!m_window->pendingConfirmation());
    QVERIFY(m_ops->requests.isEmpty());
}

void tst_MainWindow::flaggedRowsCarryTheReason()
{
    const int row = rowOf(QStringLiteral("crashy"));
    QVERIFY(row >= 0);
    const QModelIndex idx =
        m_window->containerTable()->model()->index(row, ContainerTableModel::StateColumn);
    QCOMPARE(idx.data().toString(), QStringLiteral("restarting"));
    QVERIFY(idx.data(Qt::ToolTipRole).toString().contains(QStringLiteral("Crash loop")));
    QVERIFY(idx.data(Qt::BackgroundRole).value<QBrush>().color() != QColor());
    // Sorted worst first by default.
    QCOMPARE(row, 0);
}

void tst_MainWindow::secretsAreMaskedUntilRevealed()
{
    select(QStringLiteral("web"));
    QTableWidget *env = m_window->details()->envTable();
    QCOMPARE(env->rowCount(), 2);
    QCOMPARE(env->item(0, 0)->text(), QStringLiteral("DB_PASSWORD"));
    QVERIFY(env->item(0, 1)->text() != QStringLiteral("hunter2"));
    QCOMPARE(env->item(1, 1)->text(), QStringLiteral("info"));
    QVERIFY(!m_window->details()->summaryView()->toPlainText().contains(QStringLiteral("hunter2")));
    m_window->details()->revealSecrets()->setChecked(true);
    QCOMPARE(env->item(0, 1)->text(), QStringLiteral("hunter2"));
}

void tst_MainWindow::alertsDockListsEveryEnvironmentAndNotifiesOnce()
{
    AlertBoard board;
    board.setClearHoldMs(0);
    QVERIFY(!m_window->alertsDock()->isVisibleTo(m_window));
    m_window->setAlertBoard(&board);
    QVERIFY(m_window->alertsDock()->isVisibleTo(m_window));
    QCOMPARE(m_window->alertsPanel()->summary()->text(), QStringLiteral("No alerts."));

    auto alert =
        [](const char *env, const char *key, Alert::Severity severity, const char *source) {
            Alert a;
            a.environment = QLatin1String(env);
            a.key = QLatin1String(key);
            a.source = QLatin1String(source);
            a.subject = QLatin1String(key);
            a.message = QStringLiteral("it broke");
            a.severity = severity;
            return a;
        };
    board.publish(QStringLiteral("p"),
                  {alert("Production", "crash", Alert::Severity::Critical, "docker"),
                   alert("Staging", "lag", Alert::Severity::Warning, "kafka")});
    QTableView *table = m_window->alertsPanel()->table();
    QCOMPARE(table->model()->rowCount(), 2);
    // Critical first, whichever environment is shown.
    QCOMPARE(table->model()->index(0, AlertTableModel::EnvironmentColumn).data().toString(),
             QStringLiteral("Production"));
    QVERIFY(m_window->alertStatus()->text().contains(QStringLiteral("1 critical")));
    QVERIFY(m_window->alertStatus()->text().contains(QStringLiteral("1 warning")));
    // Only this environment (Staging is current).
    m_window->alertsPanel()->onlyCurrent()->setChecked(true);
    QCOMPARE(table->model()->rowCount(), 1);
    m_window->alertsPanel()->onlyCurrent()->setChecked(false);

    // One notification for the burst, none again while the alerts last.
    QTRY_COMPARE(m_window->notificationsShown().size(), 1);
    QVERIFY(m_window->notificationsShown().at(0).contains(QStringLiteral("2 new alerts")));
    board.publish(QStringLiteral("p"),
                  {alert("Production", "crash", Alert::Severity::Critical, "docker"),
                   alert("Staging", "lag", Alert::Severity::Critical, "kafka")});
    QTest::qWait(1200);
    QCOMPARE(m_window->notificationsShown().size(), 1);

    // Activating the Production alert switches there and to its tab.
    m_window->showTab(Views::MainWindow::MesosTab);
    int row = -1;
    for (int r = 0; r < table->model()->rowCount(); ++r) {
        if (table->model()->index(r, AlertTableModel::SubjectColumn).data().toString()
            == QLatin1String("crash"))
            row = r;
    }
    QVERIFY(row >= 0);
    emit table->activated(table->model()->index(row, AlertTableModel::MessageColumn));
    QCOMPARE(m_window->currentEnvironment(), QStringLiteral("Production"));
    QCOMPARE(m_window->currentTab(), Views::MainWindow::ContainersTab);

    board.publish(QStringLiteral("p"), {});
    QCOMPARE(table->model()->rowCount(), 0);
    QCOMPARE(m_window->alertStatus()->text(), QStringLiteral("No alerts"));
    m_window->setAlertBoard(nullptr);
}

void tst_MainWindow::kafkaTabFollowsTheEnvironment()
{
    KafkaConfig config;
    KafkaClusterConfig cluster;
    cluster.name = QStringLiteral("main");
    cluster.bootstrapServers = QStringLiteral("127.0.0.1:9");
    cluster.groups = {KafkaGroupConfig{QStringLiteral("billing"), {}, {}}};
    config.clusters = {cluster};
    KafkaLagStore production(QStringLiteral("Production"), config);
    qint64 now = 1'700'000'000'000;
    production.setClock([&now] { return now; });
    KafkaSample sample;
    sample.cluster = QStringLiteral("main");
    sample.timeMs = now;
    KafkaGroupOffsets group;
    group.group = QStringLiteral("billing");
    group.partitions = {KafkaPartitionOffsets{QStringLiteral("payments"), 0, 10, 50, -1, {}}};
    sample.groups = {group};
    production.applySample(sample);
    production.flush();

    m_window->setKafka({nullptr, &production, nullptr});
    QTest::keyClick(m_window, Qt::Key_4, Qt::AltModifier);
    QCOMPARE(m_window->currentTab(), Views::MainWindow::KafkaTab);
    QCOMPARE(m_window->kafkaView()->store(), nullptr); // Staging has no Kafka
    m_window->switchToEnvironment(1);
    QCOMPARE(m_window->currentTab(), Views::MainWindow::KafkaTab);
    QCOMPARE(m_window->kafkaView()->store(), &production);
    QCOMPARE(m_window->kafkaView()->groupTable()->model()->rowCount(), 1);
    m_window->switchToEnvironment(2);
    QCOMPARE(m_window->kafkaView()->store(), nullptr);
    m_window->setKafka({});
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
