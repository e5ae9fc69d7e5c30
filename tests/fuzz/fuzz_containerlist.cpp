// SPDX-License-Identifier: MIT
// GET /containers/json?all=1 answers, as any engine (or anything posing as one) may send them.
#include "connectors/docker/dockerparsers.h"
#include "models/container.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>

using namespace Opsdeck;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray json(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const auto parsed = Connectors::parseContainerList(json, QStringLiteral("fuzz-host"));
    if (!parsed.ok()) {
        if (parsed.error().isEmpty())
            __builtin_trap(); // an error must say what went wrong
        return 0;
    }
    // What the store and the views do with each summary next.
    for (const Models::Container &c : parsed.value()) {
        if (c.id.isEmpty() || c.inspected)
            __builtin_trap();
        (void)c.key();
        (void)Models::displayState(c);
        (void)Models::formatPorts(c.ports);
        for (const Models::Mount &m : c.mounts)
            (void)Models::isAnonymousVolume(m);
    }
    return 0;
}
