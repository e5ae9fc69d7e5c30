// SPDX-License-Identifier: MIT
// GET /containers/{id}/logs: the first input byte is the chunk size (0 means one chunk), the
// rest is the stream, decoded both as multiplexed frames and as a raw TTY stream.
#include "connectors/docker/dockerparsers.h"

#include <QByteArray>
#include <QList>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>

using namespace Opsdeck;

namespace {

bool sameLines(const QList<Connectors::LogLine> &a, const QList<Connectors::LogLine> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a.at(i).stream != b.at(i).stream || a.at(i).text != b.at(i).text)
            return false;
    }
    return true;
}

/// Lines decoded from @p stream fed in chunks of @p chunkSize, then finish(); nullopt when the
/// decoder reported broken framing (after which it must refuse every later chunk).
std::optional<QList<Connectors::LogLine>>
decode(bool tty, const QByteArray &stream, qsizetype chunkSize)
{
    Connectors::LogStreamDecoder decoder(tty);
    QList<Connectors::LogLine> lines;
    for (qsizetype pos = 0; pos < stream.size(); pos += chunkSize) {
        const auto result = decoder.feed(stream.mid(pos, chunkSize));
        // Broken framing shows as an error result, or as lines decoded ahead of the bad header
        // with error() set; either way the stream is over.
        if (!result.ok() || !decoder.error().isEmpty()) {
            if (tty || decoder.error().isEmpty())
                __builtin_trap(); // raw TTY output has no framing to break
            if (!result.ok() && result.error() != decoder.error())
                __builtin_trap();
            if (decoder.feed(QByteArray("\1\0\0\0\0\0\0\1x", 9)).ok())
                __builtin_trap(); // broken stays broken
            return std::nullopt;
        }
        lines += result.value();
    }
    lines += decoder.finish();
    return lines;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const qsizetype chunkSize = data[0] == 0 ? qsizetype(size) : qsizetype(data[0]);
    const QByteArray stream(reinterpret_cast<const char *>(data + 1),
                            static_cast<qsizetype>(size - 1));

    for (const bool tty : {false, true}) {
        const auto chunked = decode(tty, stream, chunkSize);
        // Chunk boundaries must not change what comes out. The 64 KiB cap on a partial line
        // flushes at a boundary-dependent point, so only compare below it.
        if (stream.size() < 64 * 1024) {
            const auto once = decode(tty, stream, std::max<qsizetype>(1, stream.size()));
            if (chunked.has_value() != once.has_value())
                __builtin_trap();
            if (chunked && !sameLines(*chunked, *once))
                __builtin_trap();
        }
    }
    return 0;
}
