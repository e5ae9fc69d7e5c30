// SPDX-License-Identifier: MIT
#pragma once

#include "models/dockerrollout.h"
#include "models/environmentsconfig.h"

#include <QString>
#include <QStringList>

namespace Opsdeck::App {

/// `opsdeck rollout ENV SERVICE (--image IMAGE | --restart) [options]`, parsed and checked.
struct RolloutCommandOptions
{
    QString configPath;
    bool demo = false;
    QString environment;
    QString service;
    QString image;
    bool restart = false;
    int batch = 1;
    int minHealthy = -1;
    QString tag;
    bool canary = false;
    qint64 canarySoakMs = 0;
    QString probe;
    qint64 healthTimeoutMs = 120000;
    qint64 stableMs = 10000;
    bool dryRun = false;
    bool clearInterrupted = false;
    QString yesIMean;    ///< from --yes-i-mean-ENV
    QString label;       ///< --label: select by this label instead of the configured rule
    QString namePattern; ///< --name-pattern
    bool help = false;
    QString helpText;
    QString error; ///< a usage error (exit 2)
};

RolloutCommandOptions parseRolloutCommand(const QStringList &arguments);

/// The request the options describe, for @p config (its service rule picks the containers).
Models::DockerRolloutRequest rolloutRequest(const RolloutCommandOptions &options,
                                            const Models::OpsdeckConfig &config);

/// Plans, prints the plan, confirms on production, runs and follows the rollout; Ctrl-C aborts
/// (and restores). Exit 0 succeeded (or dry run), 1 failed / rolled back / aborted, 2 usage or
/// configuration error, 3 refused (lock, confirmation).
int runRolloutCommand(const RolloutCommandOptions &options, const Models::OpsdeckConfig &config);

} // namespace Opsdeck::App
