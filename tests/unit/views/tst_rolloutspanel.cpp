// SPDX-License-Identifier: MIT
// The rollouts panel and the rollout dialog (issue 7) over a scripted RolloutOperations.
#include "views/desktop/rolloutspanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>

using namespace Opsdeck;
using namespace Opsdeck::Models;

namespace {

class FakeOperations : public RolloutOperations
{
public:
    QList<DockerRolloutRequest> plans;
    QStringList started;
    QStringList calls;
    QString refuseWith;
    QList<RolloutProgress> current;
    QList<InterruptedRollout> stale;

    void planDocker(const QString &token, const DockerRolloutRequest &request) override
    {
        plans << request;
        lastToken = token;
    }

    bool startPlanned(const QString &token, QString *why) override
    {
        if (!refuseWith.isEmpty()) {
            *why = refuseWith;
            return false;
        }
        started << token;
        RolloutProgress p = progress(QStringLiteral("r1"), RolloutPhase::Running);
        current << p;
        emit progressChanged(p);
        return true;
    }

    void discardPlan(const QString &) override {}

    void pause(const QString &id) override { calls << QStringLiteral("pause ") + id; }

    void resume(const QString &id) override { calls << QStringLiteral("resume ") + id; }

    void abort(const QString &id) override { calls << QStringLiteral("abort ") + id; }

    void goAhead(const QString &id) override { calls << QStringLiteral("go-ahead ") + id; }

    QList<RolloutProgress> rollouts() const override { return current; }

    QList<InterruptedRollout> interrupted() const override { return stale; }

    bool clearInterrupted(const QString &, const QString &) override
    {
        stale.clear();
        return true;
    }

    static RolloutProgress progress(const QString &id, RolloutPhase phase)
    {
        RolloutProgress p;
        p.id = id;
        p.kind = QStringLiteral("docker");
        p.environment = QStringLiteral("Production");
        p.service = QStringLiteral("shop-api");
        p.image = QStringLiteral("shop:2");
        p.phase = phase;
        p.startedMs = QDateTime::currentMSecsSinceEpoch() - 30000;
        for (int i = 0; i < 3; ++i) {
            InstanceProgress ip;
            ip.host = QStringLiteral("host%1").arg(i + 1);
            ip.name = QStringLiteral("shop-api-%1").arg(i + 1);
            p.instances << ip;
        }
        p.log << RolloutLogLine{p.startedMs, QStringLiteral("rolling update of shop-api")};
        return p;
    }

    QString lastToken;
};

EnvironmentConfig production()
{
    EnvironmentConfig env;
    env.name = QStringLiteral("Production");
    env.production = true;
    DockerHostConfig h;
    h.name = QStringLiteral("host1");
    h.url = QStringLiteral("unix:///x");
    h.tags << QStringLiteral("blue");
    env.dockerHosts << h;
    return env;
}

} // namespace

class tst_RolloutsPanel : public QObject
{
    Q_OBJECT

private slots:
    void dialogPlansThenStartsOnlyWithTheTypedName();
    void dialogShowsRefusals();
    void panelFollowsProgressAndOffersWhatFits();
    void panelReportsInterruptedRollouts();
    void durations();
};

void tst_RolloutsPanel::dialogPlansThenStartsOnlyWithTheTypedName()
{
    FakeOperations ops;
    Views::DockerRolloutDialog dialog(
        &ops, production(), {QStringLiteral("cart"), QStringLiteral("shop-api")});
    dialog.setService(QStringLiteral("shop-api"), QStringLiteral("shop:1"));
    QVERIFY(!dialog.startButton()->isEnabled());
    // No image change and no restart ticked: nothing to plan.
    dialog.imageEdit()->clear();
    dialog.plan();
    QVERIFY(ops.plans.isEmpty());
    dialog.imageEdit()->setText(QStringLiteral("shop:2"));
    dialog.batchSpin()->setValue(2);
    dialog.minHealthySpin()->setValue(3);
    dialog.plan();
    QCOMPARE(ops.plans.size(), 1);
    QCOMPARE(ops.plans.first().image, QStringLiteral("shop:2"));
    QCOMPARE(ops.plans.first().batchSize, 2);
    QCOMPARE(ops.plans.first().minHealthy, 3);
    QCOMPARE(ops.plans.first().selector.service, QStringLiteral("shop-api"));
    emit ops.planned(
        ops.lastToken, true, QStringLiteral("Rolling update of shop-api …\n  batch 1:"));
    QVERIFY(dialog.planView()->toPlainText().contains(QStringLiteral("batch 1")));
    // Production: the plan alone is not enough.
    QVERIFY(dialog.nameEdit());
    QVERIFY(!dialog.startButton()->isEnabled());
    dialog.nameEdit()->setText(QStringLiteral("production"));
    QVERIFY(!dialog.startButton()->isEnabled());
    dialog.nameEdit()->setText(QStringLiteral("Production"));
    QVERIFY(dialog.startButton()->isEnabled());
    // Changing the form throws the plan away: what starts is what was planned.
    dialog.batchSpin()->setValue(1);
    QVERIFY(!dialog.startButton()->isEnabled());
    dialog.plan();
    emit ops.planned(ops.lastToken, true, QStringLiteral("plan"));
    QVERIFY(dialog.startButton()->isEnabled());
    dialog.startButton()->click();
    QCOMPARE(ops.started, QStringList{ops.lastToken});
    QCOMPARE(dialog.startedId(), QStringLiteral("r1"));
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
}

void tst_RolloutsPanel::dialogShowsRefusals()
{
    FakeOperations ops;
    EnvironmentConfig env = production();
    env.production = false;
    Views::DockerRolloutDialog dialog(&ops, env, {});
    dialog.setService(QStringLiteral("shop-api"), QStringLiteral("shop:2"));
    dialog.plan();
    emit ops.planned(ops.lastToken, false, QStringLiteral("no container of service 'shop-api'"));
    QVERIFY(!dialog.startButton()->isEnabled());
    QVERIFY(dialog.findChildren<QLabel *>().size() > 0);
    bool shown = false;
    for (QLabel *l : dialog.findChildren<QLabel *>())
        shown = shown
                || (l->isVisibleTo(&dialog) && l->text().contains(QStringLiteral("no container")));
    QVERIFY(shown);
    // Planned fine, but the lock refuses at start: said in the dialog, which stays open.
    dialog.plan();
    emit ops.planned(ops.lastToken, true, QStringLiteral("plan"));
    ops.refuseWith = QStringLiteral("a rollout of shop-api in Production is already running");
    dialog.startButton()->click();
    QVERIFY(ops.started.isEmpty());
    shown = false;
    for (QLabel *l : dialog.findChildren<QLabel *>())
        shown =
            shown
            || (l->isVisibleTo(&dialog) && l->text().contains(QStringLiteral("already running")));
    QVERIFY(shown);
    QCOMPARE(dialog.result(), 0);
}

void tst_RolloutsPanel::panelFollowsProgressAndOffersWhatFits()
{
    FakeOperations ops;
    Views::RolloutsPanel panel;
    panel.setOperations(&ops);
    QSignalSpy ended(&panel, &Views::RolloutsPanel::rolloutEnded);
    RolloutProgress p = FakeOperations::progress(QStringLiteral("r1"), RolloutPhase::Running);
    p.instances[0].step = RolloutStep::Done;
    p.instances[0].startedMs = p.startedMs;
    p.instances[0].endedMs = p.startedMs + 10000;
    p.instances[1].step = RolloutStep::WaitingHealthy;
    p.instances[1].startedMs = p.startedMs + 10000;
    emit ops.progressChanged(p);
    QCOMPARE(panel.rolloutTable()->rowCount(), 1);
    QCOMPARE(panel.rolloutTable()->item(0, 4)->text(), QStringLiteral("1 of 3"));
    QVERIFY(panel.rolloutTable()->item(0, 5)->text().contains(QStringLiteral("ago")));
    QVERIFY(panel.rolloutTable()->item(0, 7)->text().contains(QStringLiteral("about")));
    QCOMPARE(panel.instanceTable()->rowCount(), 3);
    QCOMPARE(panel.instanceTable()->item(1, 2)->text(), nameOf(RolloutStep::WaitingHealthy));
    QVERIFY(panel.logView()->toPlainText().contains(QStringLiteral("rolling update of shop-api")));
    QVERIFY(panel.pauseButton()->isEnabled());
    QVERIFY(!panel.resumeButton()->isEnabled());
    QVERIFY(!panel.goAheadButton()->isEnabled());
    QVERIFY(panel.abortButton()->isEnabled());
    panel.pauseButton()->click();
    panel.abortButton()->click();
    QCOMPARE(ops.calls, (QStringList{QStringLiteral("pause r1"), QStringLiteral("abort r1")}));

    // Updates change the row in place; the log only grows.
    p.phase = RolloutPhase::WaitingGoAhead;
    p.log << RolloutLogLine{p.startedMs + 20000, QStringLiteral("canary healthy")};
    emit ops.progressChanged(p);
    QCOMPARE(panel.rolloutTable()->rowCount(), 1);
    QVERIFY(panel.goAheadButton()->isEnabled());
    QVERIFY(!panel.pauseButton()->isEnabled());
    QCOMPARE(panel.logView()->toPlainText().count(QStringLiteral("rolling update")), 1);
    QVERIFY(panel.logView()->toPlainText().contains(QStringLiteral("canary healthy")));
    QCOMPARE(ended.size(), 0);

    p.phase = RolloutPhase::RolledBack;
    p.summary = QStringLiteral("shop-api-2 on host2: the health check failed");
    p.endedMs = p.startedMs + 40000;
    emit ops.progressChanged(p);
    QCOMPARE(ended.size(), 1);
    QCOMPARE(panel.rolloutTable()->item(0, 3)->text(), nameOf(RolloutPhase::RolledBack));
    QCOMPARE(panel.rolloutTable()->item(0, 6)->text(), QStringLiteral("40 s"));
    QVERIFY(panel.rolloutTable()->item(0, 7)->text().isEmpty());
    QVERIFY(!panel.abortButton()->isEnabled());
    emit ops.progressChanged(p); // the same end again: one notification
    QCOMPARE(ended.size(), 1);
}

void tst_RolloutsPanel::panelReportsInterruptedRollouts()
{
    FakeOperations ops;
    ops.stale << InterruptedRollout{
        QStringLiteral("Production"),
        QStringLiteral("shop-api"),
        QStringLiteral("shop-api in Production: rollout 2026 by alice")};
    Views::RolloutsPanel panel;
    panel.setOperations(&ops);
    QVERIFY(panel.interruptedLabel()->isVisibleTo(&panel));
    QVERIFY(panel.interruptedLabel()->text().contains(QStringLiteral("alice")));
    for (QPushButton *b : panel.findChildren<QPushButton *>())
        if (b->text().contains(QStringLiteral("clear")))
            b->click();
    QVERIFY(ops.stale.isEmpty());
    QVERIFY(!panel.interruptedLabel()->isVisibleTo(&panel));
}

void tst_RolloutsPanel::durations()
{
    QCOMPARE(Views::formatDuration(42000), QStringLiteral("42 s"));
    QCOMPARE(Views::formatDuration(185000), QStringLiteral("3 min 05 s"));
    QCOMPARE(Views::formatDuration(3 * 3600000 + 60000), QStringLiteral("3 h 01 min"));
}

QTEST_MAIN(tst_RolloutsPanel)
#include "tst_rolloutspanel.moc"
