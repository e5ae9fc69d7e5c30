// SPDX-License-Identifier: MIT
// GET /containers/{id}/stats?stream=false&one-shot=true answers: the input is two samples, the
// previous one up to the first newline and the current one after it, as the connector pairs them.
#include "connectors/docker/dockerparsers.h"

#include <QByteArray>

#include <cmath>
#include <cstddef>
#include <cstdint>

using namespace Opsdeck;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const qsizetype newline = input.indexOf('\n');
    const auto previous = Connectors::parseDockerStats(newline < 0 ? input : input.left(newline));
    const auto current =
        Connectors::parseDockerStats(newline < 0 ? QByteArray() : input.mid(newline + 1));
    if (!previous.ok() && previous.error().isEmpty())
        __builtin_trap(); // an error must say what went wrong
    if (!current.ok()) {
        if (current.error().isEmpty())
            __builtin_trap();
        return 0;
    }
    const Connectors::DockerStatsSample before =
        previous.ok() ? previous.value() : Connectors::DockerStatsSample{};
    const Models::ContainerStats stats = Connectors::computeStats(before, current.value());
    if (!std::isfinite(stats.cpuPercent) || !std::isfinite(stats.memoryPercent)
        || stats.cpuPercent < 0.0)
        __builtin_trap(); // what the views plot must be a number
    if (!stats.cpuKnown && stats.cpuPercent != 0.0)
        __builtin_trap();
    return 0;
}
