// SPDX-License-Identifier: MIT
// GET /v2/deployments, /v2/info and the answers to changes, as a Marathon may send them.
#include "connectors/marathon/marathonparsers.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>

using namespace Opsdeck;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray json(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const auto deployments = Connectors::parseMarathonDeployments(json);
    if (!deployments.ok()) {
        if (deployments.error().isEmpty())
            __builtin_trap();
    } else {
        for (const Models::MarathonDeployment &d : deployments.value()) {
            if (d.id.isEmpty())
                __builtin_trap();
        }
    }
    const auto leader = Connectors::parseMarathonLeader(json);
    if (leader.ok() && leader.value().leader.isEmpty())
        __builtin_trap();
    const auto id = Connectors::parseMarathonDeploymentId(json);
    if (id.ok() && id.value().isEmpty())
        __builtin_trap();
    return 0;
}
