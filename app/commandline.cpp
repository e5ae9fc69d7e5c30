// SPDX-License-Identifier: MIT
#include "app/commandline.h"

#include <QCommandLineParser>
#include <QCoreApplication>

namespace Opsdeck::App {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::App::CommandLine", text);
}

} // namespace

CommandLine parseCommandLine(const QStringList &arguments)
{
    CommandLine cl;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        tr("Opsdeck: one console for the containers of every environment.\n\n"
           "Commands:\n"
           "  (none)    open the desktop console\n"
           "  status    print hosts, containers and flags; exit 0 all fine, 1 a host unreachable\n"
           "            or a warning/critical flag raised, 2 usage or configuration error"));
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  tr("Show this help and exit."));
    const QCommandLineOption version({QStringLiteral("v"), QStringLiteral("version")},
                                     tr("Show the version and exit."));
    const QCommandLineOption config(
        {QStringLiteral("c"), QStringLiteral("config")},
        tr("Environments file (default: $XDG_CONFIG_HOME/opsdeck/environments.yaml; "
           "without one, DOCKER_HOST as environment \"local\")."),
        tr("file"));
    const QCommandLineOption env(
        {QStringLiteral("e"), QStringLiteral("env")},
        tr("Only this environment (status), or the one to open first (console)."),
        tr("name"));
    const QCommandLineOption json(QStringLiteral("json"),
                                  tr("status: print JSON instead of text."));
    const QCommandLineOption demo(
        QStringLiteral("demo"),
        tr("Run on the built-in demo estate: three simulated environments "
           "(Docker hosts, Marathon, Mesos, Consul, Kafka) on 127.0.0.1."));
    parser.addOptions({help, version, config, env, json, demo});
    parser.addPositionalArgument(
        QStringLiteral("command"), tr("status, or nothing for the console."), tr("[command]"));
    cl.helpText = parser.helpText();

    if (!parser.parse(arguments)) {
        cl.error = parser.errorText();
        return cl;
    }
    if (parser.isSet(help)) {
        cl.command = CommandLine::Command::Help;
        return cl;
    }
    if (parser.isSet(version)) {
        cl.command = CommandLine::Command::Version;
        return cl;
    }
    cl.configPath = parser.value(config);
    cl.environment = parser.value(env);
    cl.json = parser.isSet(json);
    cl.demo = parser.isSet(demo);
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1) {
        cl.error = tr("unexpected arguments: %1").arg(positional.mid(1).join(QLatin1Char(' ')));
        return cl;
    }
    if (positional.isEmpty()) {
        cl.command = CommandLine::Command::Console;
    } else if (positional.first() == QLatin1String("status")) {
        cl.command = CommandLine::Command::Status;
    } else {
        cl.error = tr("unknown command '%1' (try --help)").arg(positional.first());
        return cl;
    }
    if (cl.json && cl.command != CommandLine::Command::Status)
        cl.error = tr("--json goes with the status command");
    if (parser.isSet(config) && cl.configPath.isEmpty())
        cl.error = tr("--config needs a file name");
    if (cl.demo && parser.isSet(config))
        cl.error = tr("--demo brings its own environments: leave out --config");
    return cl;
}

} // namespace Opsdeck::App
