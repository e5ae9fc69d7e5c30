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
        QStringLiteral("--json goes with the status command"));
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
