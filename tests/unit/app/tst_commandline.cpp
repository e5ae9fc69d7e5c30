// SPDX-License-Identifier: MIT
#include "app/commandline.h"

#include <QTest>

using namespace Opsdeck::App;

class tst_CommandLine : public QObject
{
    Q_OBJECT

private slots:
    void parses_data();
    void parses();
    void restartFields();
};

void tst_CommandLine::parses_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("command");
    QTest::addColumn<QString>("error");
    using C = CommandLine::Command;
    auto row = [](const char *name, QStringList args, C command, const QString &error = {}) {
        args.prepend(QStringLiteral("opsdeck"));
        QTest::newRow(name) << args << int(command) << error;
    };
    row("console", {}, C::Console);
    row("status", {QStringLiteral("status")}, C::Status);
    row("status json env",
        {QStringLiteral("status"),
         QStringLiteral("--json"),
         QStringLiteral("--env"),
         QStringLiteral("Prod")},
        C::Status);
    row("demo console", {QStringLiteral("--demo")}, C::Console);
    row("demo status", {QStringLiteral("status"), QStringLiteral("--demo")}, C::Status);
    row("demo with config",
        {QStringLiteral("--demo"), QStringLiteral("--config"), QStringLiteral("x.yaml")},
        C::Console,
        QStringLiteral("--demo brings its own environments: leave out --config"));
    row("diff two",
        {QStringLiteral("diff"), QStringLiteral("Staging"), QStringLiteral("Production")},
        C::Diff);
    row("diff three json",
        {QStringLiteral("diff"),
         QStringLiteral("Integration"),
         QStringLiteral("Staging"),
         QStringLiteral("Production"),
         QStringLiteral("--format"),
         QStringLiteral("json"),
         QStringLiteral("--source"),
         QStringLiteral("kv"),
         QStringLiteral("--service"),
         QStringLiteral("orders")},
        C::Diff);
    row("diff one env",
        {QStringLiteral("diff"), QStringLiteral("Staging")},
        C::Diff,
        QStringLiteral(
            "diff compares two or three environments: opsdeck diff ENV_A ENV_B [ENV_C]"));
    row("diff four envs",
        {QStringLiteral("diff"),
         QStringLiteral("a"),
         QStringLiteral("b"),
         QStringLiteral("c"),
         QStringLiteral("d")},
        C::Diff,
        QStringLiteral(
            "diff compares two or three environments: opsdeck diff ENV_A ENV_B [ENV_C]"));
    row("diff same env twice",
        {QStringLiteral("diff"), QStringLiteral("a"), QStringLiteral("a")},
        C::Diff,
        QStringLiteral("diff: an environment is named twice"));
    row("diff bad source",
        {QStringLiteral("diff"),
         QStringLiteral("a"),
         QStringLiteral("b"),
         QStringLiteral("--source"),
         QStringLiteral("yaml")},
        C::Diff,
        QStringLiteral("--source: expected kv, env, image, files or all, got 'yaml'"));
    row("diff bad format",
        {QStringLiteral("diff"),
         QStringLiteral("a"),
         QStringLiteral("b"),
         QStringLiteral("--format"),
         QStringLiteral("xml")},
        C::Diff,
        QStringLiteral("--format: expected text, json or unified, got 'xml'"));
    row("diff option without diff",
        {QStringLiteral("status"), QStringLiteral("--format"), QStringLiteral("json")},
        C::Status,
        QStringLiteral("--service, --source, --format and --all go with the diff command"));
    row("help", {QStringLiteral("--help")}, C::Help);
    row("version", {QStringLiteral("--version")}, C::Version);
    row("unknown command",
        {QStringLiteral("stauts")},
        C::Console,
        QStringLiteral("unknown command 'stauts' (try --help)"));
    row("unknown option",
        {QStringLiteral("--jsn")},
        C::Console,
        QStringLiteral("Unknown option 'jsn'."));
    row("json without status",
        {QStringLiteral("--json")},
        C::Console,
        QStringLiteral("--json goes with the status and audit commands"));
    row("missing value",
        {QStringLiteral("status"), QStringLiteral("--config")},
        C::Status,
        QStringLiteral("Missing value after '--config'."));
    row("audit", {QStringLiteral("audit")}, C::Audit);
    row("audit env since json",
        {QStringLiteral("audit"),
         QStringLiteral("--env"),
         QStringLiteral("Prod"),
         QStringLiteral("--since"),
         QStringLiteral("2h"),
         QStringLiteral("--json")},
        C::Audit);
    row("audit since date",
        {QStringLiteral("audit"), QStringLiteral("--since"), QStringLiteral("2026-12-03")},
        C::Audit);
    row("audit bad since",
        {QStringLiteral("audit"), QStringLiteral("--since"), QStringLiteral("yesterday")},
        C::Audit,
        QStringLiteral("--since: expected a duration such as 2h, 30m or 7d, or an ISO date or "
                       "date-time such as 2026-12-03 or 2026-12-03T14:05, got 'yesterday'"));
    row("since without audit",
        {QStringLiteral("status"), QStringLiteral("--since"), QStringLiteral("2h")},
        C::Status,
        QStringLiteral("--since goes with the audit command"));
    row("audit extra",
        {QStringLiteral("audit"), QStringLiteral("x")},
        C::Audit,
        QStringLiteral("unexpected arguments: x"));
    row("restart",
        {QStringLiteral("restart"), QStringLiteral("Staging"), QStringLiteral("h1/web")},
        C::Restart);
    row("restart marathon demo yes",
        {QStringLiteral("restart"),
         QStringLiteral("Production"),
         QStringLiteral("/shop/orders"),
         QStringLiteral("--yes-i-mean-Production"),
         QStringLiteral("--demo")},
        C::Restart);
    row("restart no target",
        {QStringLiteral("restart"), QStringLiteral("Staging")},
        C::Restart,
        QStringLiteral("restart takes an environment and a target: opsdeck restart ENV "
                       "HOST/NAME | NAME | /MARATHON/APP"));
    row("restart with json",
        {QStringLiteral("restart"),
         QStringLiteral("Staging"),
         QStringLiteral("web"),
         QStringLiteral("--json")},
        C::Restart,
        QStringLiteral("restart takes the environment as an argument; --env, --json and "
                       "--since go with other commands"));
    row("yes without name",
        {QStringLiteral("restart"),
         QStringLiteral("Staging"),
         QStringLiteral("web"),
         QStringLiteral("--yes-i-mean-")},
        C::Restart,
        QStringLiteral("--yes-i-mean-ENV needs the environment's name, e.g. "
                       "--yes-i-mean-Production"));
    row("yes twice",
        {QStringLiteral("restart"),
         QStringLiteral("Staging"),
         QStringLiteral("web"),
         QStringLiteral("--yes-i-mean-Staging"),
         QStringLiteral("--yes-i-mean-Production")},
        C::Restart,
        QStringLiteral("--yes-i-mean- is given twice with different environments"));
    row("yes with status",
        {QStringLiteral("status"), QStringLiteral("--yes-i-mean-Staging")},
        C::Status,
        QStringLiteral("--yes-i-mean-Staging goes with a command that changes something "
                       "(restart, rollout)"));
    row("yes with diff",
        {QStringLiteral("diff"),
         QStringLiteral("Staging"),
         QStringLiteral("Production"),
         QStringLiteral("--yes-i-mean-Staging")},
        C::Diff,
        QStringLiteral("diff changes nothing: --yes-i-mean-ENV and --since do not go with it"));
    row("extra args",
        {QStringLiteral("status"), QStringLiteral("x")},
        C::Console,
        QStringLiteral("unexpected arguments: x"));
}

void tst_CommandLine::parses()
{
    QFETCH(QStringList, args);
    QFETCH(int, command);
    QFETCH(QString, error);
    const CommandLine cl = parseCommandLine(args);
    QCOMPARE(cl.error, error);
    if (error.isEmpty())
        QCOMPARE(int(cl.command), command);
    QCOMPARE(cl.demo, args.contains(QStringLiteral("--demo")));
    if (args.contains(QStringLiteral("--env")))
        QCOMPARE(cl.environment, QStringLiteral("Prod"));
}

void tst_CommandLine::restartFields()
{
    const CommandLine cl = parseCommandLine({QStringLiteral("opsdeck"),
                                             QStringLiteral("restart"),
                                             QStringLiteral("--yes-i-mean-Prod-EU"),
                                             QStringLiteral("Prod-EU"),
                                             QStringLiteral("host1/orders-1"),
                                             QStringLiteral("--config"),
                                             QStringLiteral("e.yaml")});
    QCOMPARE(cl.error, QString());
    QCOMPARE(cl.command, CommandLine::Command::Restart);
    QCOMPARE(cl.restartEnvironment, QStringLiteral("Prod-EU"));
    QCOMPARE(cl.restartTarget, QStringLiteral("host1/orders-1"));
    QCOMPARE(cl.yesIMean, QStringLiteral("Prod-EU")); // exactly, case and dashes kept
    QCOMPARE(cl.configPath, QStringLiteral("e.yaml"));

    const CommandLine audit = parseCommandLine({QStringLiteral("opsdeck"),
                                                QStringLiteral("audit"),
                                                QStringLiteral("--since"),
                                                QStringLiteral("30m"),
                                                QStringLiteral("--env"),
                                                QStringLiteral("Staging")});
    QCOMPARE(audit.error, QString());
    QCOMPARE(audit.auditSince, QStringLiteral("30m"));
    QCOMPARE(audit.environment, QStringLiteral("Staging"));
    QVERIFY(!audit.json);
    QVERIFY(audit.yesIMean.isEmpty());
}

QTEST_GUILESS_MAIN(tst_CommandLine)
#include "tst_commandline.moc"
