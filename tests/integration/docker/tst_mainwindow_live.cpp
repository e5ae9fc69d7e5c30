// SPDX-License-Identifier: MIT
// The desktop console, offscreen, on real Docker engines: switch environment, filter, and
// restart a container through the production confirmation dialog.
#include "app/estate.h"
#include "models/containertablemodel.h"
#include "tests/support/testsupport.h"
#include "views/desktop/confirmactiondialog.h"
#include "views/desktop/mainwindow.h"

#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QTest>

using namespace Opsdeck;
using namespace Opsdeck::Models;

class tst_MainWindowLive : public QObject
{
    Q_OBJECT

private slots:
    void restartThroughTheConsole();
};

void tst_MainWindowLive::restartThroughTheConsole()
{
    Tests::DockerdHarness harness;
    OPSDECK_REQUIRE_SERVER(harness.isAvailable(),
                           QStringLiteral("dockerd hosts from tests/integration/dockerd.sh"));
    QSettings().clear();
    OpsdeckConfig config;
    EnvironmentConfig staging;
    staging.name = QStringLiteral("Staging");
    staging.colour = QStringLiteral("#f9a825");
    staging.dockerHosts = {DockerHostConfig{QStringLiteral("host2"), harness.unixUrl(2), {}, {}}};
    EnvironmentConfig production;
    production.name = QStringLiteral("Production");
    production.colour = QStringLiteral("#c62828");
    production.production = true;
    production.dockerHosts = {
        DockerHostConfig{QStringLiteral("host1"), harness.unixUrl(1), {}, {}}};
    config.environments = {staging, production};

    App::Estate estate(config);
    Views::MainWindow window(config, estate.stores(), &estate);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    estate.start();

    QTableView *table = window.containerTable();
    QTRY_VERIFY_WITH_TIMEOUT(table->model()->rowCount() >= 1, 10000);
    QTest::keyClick(&window, Qt::Key_2, Qt::ControlModifier);
    QCOMPARE(window.currentEnvironment(), QStringLiteral("Production"));
    QTRY_VERIFY_WITH_TIMEOUT(table->model()->rowCount() >= 5, 10000);

    QTest::keyClicks(window.filterEdit(), QStringLiteral("name:web"));
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 1, 2000);
    table->setCurrentIndex(table->model()->index(0, 0));
    const QString key = window.selectedKey();
    EnvironmentStore *store = estate.store(QStringLiteral("Production"));
    QTRY_VERIFY_WITH_TIMEOUT(store->container(key)->inspected, 5000);
    const QDateTime startedBefore = store->container(key)->startedAt;

    QTRY_VERIFY(window.restartAction()->isEnabled());
    window.restartAction()->trigger();
    Views::ConfirmActionDialog *dialog = window.pendingConfirmation();
    QVERIFY(dialog);
    QVERIFY(dialog->needsTypedName());
    QTest::keyClicks(dialog->nameEdit(), QStringLiteral("Production"));
    QTest::mouseClick(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok),
                      Qt::LeftButton);

    QTRY_VERIFY_WITH_TIMEOUT(store->container(key)->startedAt > startedBefore, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(store->container(key)->state, ContainerState::Running, 5000);
    QVERIFY(!store->container(key)->hasFlag(ContainerFlag::CrashLoop));
    // The row reads running again, in the filtered table.
    QCOMPARE(table->model()->index(0, ContainerTableModel::NameColumn).data().toString(),
             QStringLiteral("web"));

    const QString shot = qEnvironmentVariable("OPSDECK_SCREENSHOT");
    if (!shot.isEmpty()) {
        window.filterEdit()->clear();
        QTest::qWait(300);
        window.grab().save(shot);
    }
}

QTEST_MAIN(tst_MainWindowLive)
#include "tst_mainwindow_live.moc"
