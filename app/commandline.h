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
        Help,
        Version,
    };
    Command command = Command::Console;
    QString configPath;
    QString environment;
    bool json = false;
    bool demo = false; ///< run on the built-in demo estate instead of a config file
    QString error;
    QString helpText;
};

CommandLine parseCommandLine(const QStringList &arguments);

} // namespace Opsdeck::App
