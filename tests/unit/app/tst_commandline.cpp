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

QTEST_GUILESS_MAIN(tst_CommandLine)
#include "tst_commandline.moc"
