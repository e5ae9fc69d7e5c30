// SPDX-License-Identifier: MIT
#include "app/commandline.h"

#include "models/auditrecord.h"

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
    // --yes-i-mean-ENV has the environment in its name: take it out before the parser sees it.
    QStringList args = arguments;
    bool yesSet = false;
    static const QString yesPrefix = QStringLiteral("--yes-i-mean-");
    for (qsizetype i = args.size() - 1; i >= 1; --i) {
        if (args.at(i) == QLatin1String("--"))
            break;
        if (args.at(i).startsWith(yesPrefix)) {
            const QString value = args.at(i).mid(yesPrefix.size());
            if (yesSet && value != cl.yesIMean)
                cl.error = tr("--yes-i-mean- is given twice with different environments");
            yesSet = true;
            cl.yesIMean = value;
            args.removeAt(i);
        }
    }
    if (yesSet && cl.yesIMean.isEmpty() && cl.error.isEmpty())
        cl.error =
            tr("--yes-i-mean-ENV needs the environment's name, e.g. --yes-i-mean-Production");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        tr("Opsdeck: one console for the containers of every environment.\n\n"
           "Commands:\n"
           "  (none)    open the desktop console\n"
           "  status    print hosts, containers and flags; exit 0 all fine, 1 a host unreachable\n"
           "            or a warning/critical flag raised, 2 usage or configuration error\n"
           "  diff ENV_A ENV_B [ENV_C]\n"
           "            compare configuration (env vars, image tags, KV, config files) across\n"
           "            environments; exit 0 equal, 1 different, 2 error (a CI gate)\n"
           "  audit [--env E] [--since T] [--json]\n"
           "            print the audit trail (T: 2h, 30m, 7d or an ISO date/time)\n"
           "  restart ENV TARGET [--yes-i-mean-ENV]\n"
           "            restart a container (HOST/NAME or a unique NAME) or a Marathon app\n"
           "            (/ID); in production type the environment's name or pass\n"
           "            --yes-i-mean-ENV; exit 0 done, 1 failed, 2 usage, 3 refused\n"
           "  serve     the headless server: WebSocket feed, web dashboard, /metrics and\n"
           "            webhooks, without a GUI (runs opsdeck-serve; opsdeck serve --help)"));
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
    const QCommandLineOption service(
        QStringLiteral("service"), tr("diff: only this service."), tr("name"));
    const QCommandLineOption source(QStringLiteral("source"),
                                    tr("diff: kv, env, image, files or all (default all)."),
                                    tr("form"),
                                    QStringLiteral("all"));
    const QCommandLineOption format(QStringLiteral("format"),
                                    tr("diff: text, json or unified (default text)."),
                                    tr("format"),
                                    QStringLiteral("text"));
    const QCommandLineOption all(QStringLiteral("all"),
                                 tr("diff: list the keys that are the same too."));
    const QCommandLineOption since(
        QStringLiteral("since"),
        tr("audit: only records since T: a duration ago (2h, 30m, 7d) or an ISO date/time."),
        tr("T"));
    parser.addOptions(
        {help, version, config, env, json, demo, service, source, format, all, since});
    parser.addPositionalArgument(QStringLiteral("command"),
                                 tr("status, diff, audit, restart, serve, or nothing for the "
                                    "console."),
                                 tr("[command]"));
    cl.helpText = parser.helpText();

    if (!cl.error.isEmpty())
        return cl;
    if (!parser.parse(args)) {
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
    const bool diffSet =
        parser.isSet(service) || parser.isSet(source) || parser.isSet(format) || parser.isSet(all);
    if (!positional.isEmpty() && positional.first() == QLatin1String("diff")) {
        cl.command = CommandLine::Command::Diff;
        cl.diffEnvironments = positional.mid(1);
        cl.diffService = parser.value(service);
        cl.diffSource = parser.value(source);
        cl.diffFormat = parser.value(format);
        cl.diffAll = parser.isSet(all);
        if (cl.diffEnvironments.size() < 2 || cl.diffEnvironments.size() > 3)
            cl.error = tr("diff compares two or three environments: opsdeck diff ENV_A ENV_B "
                          "[ENV_C]");
        else if (cl.diffEnvironments.removeDuplicates() > 0)
            cl.error = tr("diff: an environment is named twice");
        else if (!QStringList{QStringLiteral("kv"),
                              QStringLiteral("env"),
                              QStringLiteral("image"),
                              QStringLiteral("files"),
                              QStringLiteral("all")}
                      .contains(cl.diffSource))
            cl.error =
                tr("--source: expected kv, env, image, files or all, got '%1'").arg(cl.diffSource);
        else if (!QStringList{
                     QStringLiteral("text"), QStringLiteral("json"), QStringLiteral("unified")}
                      .contains(cl.diffFormat))
            cl.error = tr("--format: expected text, json or unified, got '%1'").arg(cl.diffFormat);
        else if (cl.json || !cl.environment.isEmpty())
            cl.error = tr("diff takes environments as arguments and --format json, not --env or "
                          "--json");
        if (cl.error.isEmpty() && parser.isSet(config) && cl.configPath.isEmpty())
            cl.error = tr("--config needs a file name");
        if (cl.error.isEmpty() && cl.demo && parser.isSet(config))
            cl.error = tr("--demo brings its own environments: leave out --config");
        if (cl.error.isEmpty() && (yesSet || parser.isSet(since)))
            cl.error = tr("diff changes nothing: --yes-i-mean-ENV and --since do not go with it");
        return cl;
    }
    if (diffSet) {
        cl.error = tr("--service, --source, --format and --all go with the diff command");
        return cl;
    }
    if (parser.isSet(config) && cl.configPath.isEmpty()) {
        cl.error = tr("--config needs a file name");
        return cl;
    }
    if (cl.demo && parser.isSet(config)) {
        cl.error = tr("--demo brings its own environments: leave out --config");
        return cl;
    }
    const QString verb = positional.value(0);
    if (verb == QLatin1String("restart")) {
        cl.command = CommandLine::Command::Restart;
        if (positional.size() != 3)
            cl.error = tr("restart takes an environment and a target: opsdeck restart ENV "
                          "HOST/NAME | NAME | /MARATHON/APP");
        else if (cl.json || !cl.environment.isEmpty() || parser.isSet(since))
            cl.error = tr("restart takes the environment as an argument; --env, --json and "
                          "--since go with other commands");
        cl.restartEnvironment = positional.value(1);
        cl.restartTarget = positional.value(2);
        if (cl.error.isEmpty() && cl.restartTarget.trimmed().isEmpty())
            cl.error = tr("restart: the target is empty");
        return cl;
    }
    if (yesSet) {
        cl.error = tr("--yes-i-mean-%1 goes with a command that changes something (restart, "
                      "rollout)")
                       .arg(cl.yesIMean);
        return cl;
    }
    if (verb == QLatin1String("audit")) {
        cl.command = CommandLine::Command::Audit;
        if (positional.size() > 1)
            cl.error = tr("unexpected arguments: %1").arg(positional.mid(1).join(QLatin1Char(' ')));
        else if (cl.demo)
            cl.error = tr("audit reads the audit trail on this computer: --demo does not go "
                          "with it");
        cl.auditSince = parser.value(since);
        if (cl.error.isEmpty() && parser.isSet(since)
            && !Models::parseAuditSince(cl.auditSince, QDateTime::currentDateTime()).isValid())
            cl.error = tr("--since: expected a duration such as 2h, 30m or 7d, or an ISO date or "
                          "date-time such as 2026-12-03 or 2026-12-03T14:05, got '%1'")
                           .arg(cl.auditSince);
        return cl;
    }
    if (parser.isSet(since)) {
        cl.error = tr("--since goes with the audit command");
        return cl;
    }
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
        cl.error = tr("--json goes with the status and audit commands");
    if (parser.isSet(config) && cl.configPath.isEmpty())
        cl.error = tr("--config needs a file name");
    if (cl.demo && parser.isSet(config))
        cl.error = tr("--demo brings its own environments: leave out --config");
    return cl;
}

} // namespace Opsdeck::App
