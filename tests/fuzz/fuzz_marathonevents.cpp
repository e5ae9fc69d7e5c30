// SPDX-License-Identifier: MIT
// The GET /v2/events stream: SSE framing split anywhere, each frame's data parsed as an event.
#include "connectors/marathon/marathonparsers.h"

#include <QByteArray>
#include <QList>

#include <cstddef>
#include <cstdint>

using namespace Opsdeck;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray stream(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));

    Connectors::SseParser whole;
    const QList<Connectors::SseEvent> events = whole.feed(stream);

    // Where the chunk boundaries fall must not change the events (inputs stay far below the
    // size limit).
    Connectors::SseParser split;
    const qsizetype third = stream.size() / 3;
    QList<Connectors::SseEvent> splitEvents = split.feed(stream.left(third));
    splitEvents += split.feed(stream.mid(third, third));
    splitEvents += split.feed(stream.mid(2 * third));
    if (splitEvents != events)
        __builtin_trap();
    Connectors::SseParser bytewise;
    QList<Connectors::SseEvent> byteEvents;
    for (char c : stream)
        byteEvents += bytewise.feed(QByteArray(1, c));
    if (byteEvents != events)
        __builtin_trap();

    for (const Connectors::SseEvent &e : events) {
        if (e.event.contains('\n') || e.event.contains('\r') || e.data.contains('\r'))
            __builtin_trap(); // a field value never spans lines
        const auto event = Connectors::parseMarathonEvent(e.data);
        if (!event.ok()) {
            if (event.error().isEmpty())
                __builtin_trap();
            continue;
        }
        if (event.value().eventType.isEmpty())
            __builtin_trap();
        (void)Connectors::marathonRefreshFor(event.value().eventType);
    }
    return 0;
}
