// SPDX-License-Identifier: MIT
// environments.yaml as a person (or a bad merge) may write it.
#include "models/environmentsconfig.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>
#include <variant>

using namespace Opsdeck::Models;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray yaml(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const auto parsed = EnvironmentsConfigLoader::parse(yaml, QStringLiteral("fuzz.yaml"));
    if (const auto *error = std::get_if<ConfigError>(&parsed)) {
        if (error->message.isEmpty() || error->line < 0 || error->column < 0)
            __builtin_trap(); // every error says what and where
        (void)error->toString();
        return 0;
    }
    // "Nothing is returned unless all of it is valid": check what the loader promises.
    const OpsdeckConfig &config = std::get<OpsdeckConfig>(parsed);
    if (config.environments.isEmpty())
        __builtin_trap();
    for (const EnvironmentConfig &env : config.environments) {
        if (env.name.isEmpty() || config.environment(env.name) == nullptr)
            __builtin_trap();
        for (const DockerHostConfig &host : env.dockerHosts) {
            if (host.url.isEmpty())
                __builtin_trap();
        }
    }
    return 0;
}
