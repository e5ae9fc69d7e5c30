// SPDX-License-Identifier: MIT
#include "app/configresolver.h"

#include <QFileInfo>

namespace Opsdeck::App {

using namespace Opsdeck::Models;

std::variant<OpsdeckConfig, ConfigError> resolveConfig(const QString &explicitPath)
{
    if (!explicitPath.isEmpty())
        return EnvironmentsConfigLoader::load(explicitPath);
    const QString path = EnvironmentsConfigLoader::defaultPath();
    if (QFileInfo::exists(path))
        return EnvironmentsConfigLoader::load(path);
    return EnvironmentsConfigLoader::fromDockerHost(qEnvironmentVariable("DOCKER_HOST"));
}

} // namespace Opsdeck::App
