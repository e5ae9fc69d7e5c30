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
    QString error;
    QString helpText;
};

CommandLine parseCommandLine(const QStringList &arguments);

} // namespace Opsdeck::App
