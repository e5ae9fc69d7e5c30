// SPDX-License-Identifier: MIT
// The GET /events stream: chunks split into JSON lines, each line parsed as one event.
#include "connectors/docker/dockerparsers.h"

#include <QByteArray>
#include <QList>

#include <cstddef>
#include <cstdint>

using namespace Opsdeck;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray stream(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));

    Connectors::JsonLineSplitter whole;
    const QList<QByteArray> lines = whole.feed(stream);

    // Where the chunk boundary falls must not change the lines (inputs stay far below kMaxLine).
    Connectors::JsonLineSplitter split;
    const qsizetype half = stream.size() / 2;
    QList<QByteArray> splitLines = split.feed(stream.left(half));
    splitLines += split.feed(stream.mid(half));
    if (splitLines != lines)
        __builtin_trap();

    for (const QByteArray &line : lines) {
        if (line.isEmpty())
            __builtin_trap(); // the splitter skips empty lines
        const auto event = Connectors::parseDockerEvent(line);
        if (!event.ok()) {
            if (event.error().isEmpty())
                __builtin_trap();
            continue;
        }
        const Connectors::DockerEvent &e = event.value();
        if (e.type.isEmpty() || e.action.isEmpty())
            __builtin_trap();
        (void)e.containerEventKind();
        (void)e.timeMs();
    }
    return 0;
}
