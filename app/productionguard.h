// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentsconfig.h"

#include <QString>
#include <QTextStream>

namespace Opsdeck::App {

/// The CLI's guard before an action in a production environment (`production: true`): prints the
/// environment's name and @p what (the action and its target), then reads one line from @p in
/// that must be the environment's exact name. End of input or another answer refuses (false,
/// and why in @p why). @p yesFlag (the person passed --yes-i-mean-ENV naming this environment,
/// see yesIMeanMatches) skips the question, saying so on @p out. Outside production: true at
/// once, nothing printed.
bool confirmProduction(const Models::EnvironmentConfig &environment,
                       bool yesFlag,
                       QTextStream &in,
                       QTextStream &out,
                       QString *why,
                       const QString &what = {});

/// Whether --yes-i-mean-@p yesIMean names @p environment: its exact name, case included.
bool yesIMeanMatches(const QString &yesIMean, const Models::EnvironmentConfig &environment);

} // namespace Opsdeck::App
