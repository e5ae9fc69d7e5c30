// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentsconfig.h"

#include <variant>

namespace Opsdeck::App {

/// The configuration Opsdeck runs with: --config if given (it must exist), else the XDG
/// default file if it exists, else DOCKER_HOST as a one-host "local" environment.
std::variant<Models::OpsdeckConfig, Models::ConfigError> resolveConfig(const QString &explicitPath);

} // namespace Opsdeck::App
