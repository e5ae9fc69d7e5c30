// SPDX-License-Identifier: MIT
// The audit viewer: newest first, the environment filter, malformed lines counted, outcome
// colours, and View → Audit trail… in the main window opening it on the current environment.
#include "models/audittrailmodel.h"
#include "models/environmentstore.h"
#include "views/desktop/auditview.h"
#include "views/desktop/mainwindow.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QMenuBar>
#include <QSettings>
#include <QTableView>
#include <QTest>

using namespace Opsdeck;
using Models::AuditRecord;
using Models::AuditTrailModel;

namespace {

AuditRecord rec(const char *env, const char *action, const char *outcome, int minutesAgo)
{
    AuditRecord r;
    r.environment = QLatin1String(env);
    r.action = QLatin1String(action);
    r.target = QStringLiteral("h1/web");
    r.outcome = QLatin1String(outcome);
    r.user = QStringLiteral("alice");
    r.time = QDateTime::currentDateTime().addSecs(-60 * minutesAgo);
    return r;
}

} // namespace

class tst_AuditView : public QObject
{
    Q_OBJECT

private slots:
    void showsNewestFirstAndFilters();
    void mainWindowOpensItOnTheCurrentEnvironment();
};

void tst_AuditView::showsNewestFirstAndFilters()
{
    AuditTrailModel model;
    model.setRecords({rec("Staging", "container.restart", "requested", 10),
                      rec("Staging", "container.restart", "ok", 9),
                      rec("Production", "marathon.restart-app", "refused", 3)});
    Views::AuditView view(&model,
                          {QStringLiteral("Staging"), QStringLiteral("Production")},
                          QStringLiteral("/tmp/audit.log"));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTableView *table = view.table();
    QCOMPARE(table->model()->rowCount(), 3);
    QCOMPARE(table->model()->index(0, AuditTrailModel::ActionColumn).data().toString(),
             QStringLiteral("marathon.restart-app"));
    QVERIFY(table->model()
                ->index(0, AuditTrailModel::TimeColumn)
                .data()
                .toString()
                .endsWith(QStringLiteral("(3 min ago)")));
    QVERIFY(view.summaryLabel()->text().contains(QStringLiteral("/tmp/audit.log")));
    QVERIFY(view.problemsLabel()->isHidden());

    view.setEnvironment(QStringLiteral("Staging"));
    QCOMPARE(view.environmentBox()->currentText(), QStringLiteral("Staging"));
    QCOMPARE(table->model()->rowCount(), 2);
    QVERIFY2(view.summaryLabel()->text().contains(QStringLiteral("2 of 3")),
             qPrintable(view.summaryLabel()->text()));
    view.environmentBox()->setCurrentIndex(0); // All environments
    QCOMPARE(table->model()->rowCount(), 3);

    // New lines arrive (the follower appends): the newest is on top.
    model.appendRecords({rec("Staging", "container.stop", "failed", 0)});
    QCOMPARE(table->model()->index(0, AuditTrailModel::ActionColumn).data().toString(),
             QStringLiteral("container.stop"));
    model.addLineErrors({Models::AuditLineError{7, QStringLiteral("not JSON")}});
    QVERIFY(view.problemsLabel()->isVisible());
    QVERIFY(view.problemsLabel()->text().contains(QStringLiteral("line 7")));
    view.setErrorText(QStringLiteral("cannot read"));
    view.setErrorText(QString());
}

void tst_AuditView::mainWindowOpensItOnTheCurrentEnvironment()
{
    QSettings().clear();
    Models::OpsdeckConfig config;
    for (const char *name : {"Staging", "Production"}) {
        Models::EnvironmentConfig e;
        e.name = QLatin1String(name);
        config.environments << e;
    }
    QList<Models::EnvironmentStore *> stores;
    for (const auto &e : std::as_const(config.environments))
        stores << new Models::EnvironmentStore(e.name);
    AuditTrailModel model;
    model.setRecords({rec("Staging", "container.restart", "ok", 5),
                      rec("Production", "container.restart", "ok", 4)});
    {
        Views::MainWindow window(config, stores, nullptr);
        QAction *action = nullptr;
        for (QAction *a : window.findChildren<QAction *>()) {
            if (a->text() == Views::MainWindow::tr("Audit &trail…"))
                action = a;
        }
        QVERIFY(action);
        QVERIFY(!action->isEnabled());
        window.setAuditTrail(&model, QStringLiteral("/tmp/audit.log"));
        QVERIFY(action->isEnabled());
        window.switchToEnvironment(1);
        action->trigger();
        Views::AuditView *view = window.findChild<Views::AuditView *>();
        QVERIFY(view);
        QVERIFY(view->isVisible());
        QCOMPARE(view->environmentBox()->currentText(), QStringLiteral("Production"));
        QCOMPARE(view->table()->model()->rowCount(), 1);
        window.setAuditTrailError(QStringLiteral("cannot read /tmp/audit.log"));
        // The same window again, not a second one.
        QCOMPARE(window.showAuditTrail(), view);
    }
    qDeleteAll(stores);
}

QTEST_MAIN(tst_AuditView)
#include "tst_auditview.moc"
