// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QStringList>

namespace Opsdeck::App {

/// What the command line asked for, parsed and checked. `error` set means usage error (exit 2).
struct CommandLine
{
    enum class Command {
        Console,
        Status,
        Diff,
        Audit,   ///< opsdeck audit [--env E] [--since T] [--json]
        Restart, ///< opsdeck restart ENV TARGET [--yes-i-mean-ENV]
        Help,
        Version,
    };
    Command command = Command::Console;
    QString configPath;
    QString environment;
    bool json = false;
    bool demo = false; ///< run on the built-in demo estate instead of a config file
    // diff
    QStringList diffEnvironments;                ///< two or three
    QString diffService;                         ///< empty: every service
    QString diffSource = QStringLiteral("all");  ///< kv, env, image, files, all
    QString diffFormat = QStringLiteral("text"); ///< text, json, unified
    bool diffAll = false;                        ///< also rows that are the same
    // audit (--env and --json above)
    QString auditSince; ///< as given: "2h", "30m", "7d" or an ISO date / date-time; checked
    // restart
    QString restartEnvironment;
    QString restartTarget; ///< "host/name", a container name, or a Marathon app id "/…"
    /// ENV of a --yes-i-mean-ENV argument (any command may read it; only those that act accept
    /// it); empty when not given.
    QString yesIMean;
    QString error;
    QString helpText;
};

CommandLine parseCommandLine(const QStringList &arguments);

} // namespace Opsdeck::App
