// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentsconfig.h"

#include <QJsonObject>
#include <QString>

namespace Opsdeck::App {

class Estate;

struct StatusOptions
{
    QString environment; ///< empty: all
    bool json = false;
    int timeoutMs = 20000;
};

/// `opsdeck status`: connects, takes one full listing of every host, prints it and returns
/// the exit code: 0 all fine, 1 a host unreachable or a warning/critical flag raised.
int runStatus(const Models::OpsdeckConfig &config, const StatusOptions &options);

/// The estate as JSON (the `status --json` document); secrets such as env values are left out.
QJsonObject statusJson(const Estate &estate);
/// The estate as text for a terminal.
QString statusText(const Estate &estate);
/// 1 when any host is unreachable or any container has a warning or critical flag, else 0.
int statusExitCode(const Estate &estate);

} // namespace Opsdeck::App
