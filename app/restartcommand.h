// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentsconfig.h"

#include <QString>

class QTextStream;

namespace Opsdeck::App {

struct RestartOptions
{
    QString environment;
    /// "host/name", a container name unique across the environment's Docker hosts, or a
    /// Marathon app id ("/shop/orders").
    QString target;
    QString yesIMean;             ///< from --yes-i-mean-ENV
    int connectTimeoutMs = 20000; ///< for the first listing of every source
    int actionTimeoutMs = 120000; ///< for the answer to the restart
};

/// `opsdeck restart ENV TARGET`: connects, finds the target, asks in production (the typed
/// name on @p in, or --yes-i-mean-ENV), restarts through the estate's audited path (a request
/// line before, an outcome line after), waits for the answer and prints it on @p out (errors on
/// @p err). Exit 0 restarted, 1 failed / timed out / the audit trail could not be written,
/// 2 usage (unknown environment or target, ambiguous name), 3 refused (not confirmed,
/// read-only environment): nothing was done.
int runRestart(const Models::OpsdeckConfig &config,
               const RestartOptions &options,
               QTextStream &in,
               QTextStream &out,
               QTextStream &err);

} // namespace Opsdeck::App
