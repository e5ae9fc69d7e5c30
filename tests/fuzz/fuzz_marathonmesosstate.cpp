// SPDX-License-Identifier: MIT
// GET /master/state of the Mesos master beside Marathon, as any master may send it.
#include "connectors/mesos/mesosparsers.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>

using namespace Opsdeck;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray json(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const auto state = Connectors::parseMesosState(json);
    if (!state.ok()) {
        if (state.error().isEmpty())
            __builtin_trap();
        return 0;
    }
    int counted = 0;
    for (const Models::MesosAgent &agent : state.value().agents) {
        if (agent.id.isEmpty() || agent.taskCount < 0)
            __builtin_trap();
        counted += agent.taskCount;
    }
    // Tasks on agents not in the list count in the total only.
    if (counted > state.value().activeTaskCount)
        __builtin_trap();
    return 0;
}
