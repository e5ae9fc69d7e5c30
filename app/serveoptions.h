// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentsconfig.h"
#include "models/result.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

namespace Opsdeck::App {

/// The command line of opsdeck-serve (and `opsdeck serve`), parsed and checked. Settings left
/// empty fall back to `settings.serve` of the environments file, then to the defaults.
struct ServeOptions
{
    QString configPath;
    bool demo = false;
    QString listen; ///< host:port
    QString tokensFile;
    QString anonymous; ///< "read" or "refuse"
    QStringList origins;
    QString tlsCertFile;
    QString tlsKeyFile;
    QString webRoot;
    bool help = false;
    bool version = false;
    /// Set: a usage error (exit 2), naming the option.
    QString error;
    QString helpText;
};

ServeOptions parseServeOptions(const QStringList &arguments);

/// Where to listen, from "127.0.0.1:8765", "[::1]:8765" or "localhost:8765".
struct ListenAddress
{
    QHostAddress address;
    quint16 port = 0;
};

Models::Result<ListenAddress> parseListenAddress(const QString &text);

/// The serve settings in force: the command line over `settings.serve` over the defaults
/// (127.0.0.1:8765, anonymous read-only).
Models::ServeSettings effectiveServeSettings(const ServeOptions &options,
                                             const Models::ServeSettings &fromFile);

/// The built-in default of --listen.
QString defaultListenAddress();

} // namespace Opsdeck::App
