// SPDX-License-Identifier: MIT
#pragma once

#include "models/container.h"
#include "models/containerflagevaluator.h"
#include "models/containeroperations.h"
#include "models/result.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>

namespace Opsdeck::Connectors {

/// What GET /version says about an engine.
struct DockerVersion
{
    QString version;
    QString apiVersion;
    QString minApiVersion;
    QString os;
    QString arch;
};

/// One line of GET /events, reduced to the fields that matter (Type, Action, Actor).
struct DockerEvent
{
    QString type;         ///< container, image, network, daemon …
    QString action;       ///< "die", "start"; for health: "health_status"
    QString actionDetail; ///< the part after ": " ("healthy" for health_status)
    QString actorId;
    QMap<QString, QString> attributes;
    qint64 timeNano = 0;

    qint64 timeMs() const { return timeNano / 1'000'000; }

    Models::ContainerEventKind containerEventKind() const;
};

/// One sample of GET /containers/{id}/stats?stream=false&one-shot=true.
struct DockerStatsSample
{
    qint64 readMs = 0; ///< 0 when the container is not running
    quint64 cpuTotalNs = 0;
    quint64 systemCpuNs = 0;
    int onlineCpus = 0;
    quint64 memoryUsed = 0; ///< usage minus inactive file cache, as `docker stats` shows it
    quint64 memoryLimit = 0;
    int pids = 0;
};

/// One line of container output from the log stream.
struct LogLine
{
    enum class Stream {
        Stdin,
        Stdout,
        Stderr,
    };
    Stream stream = Stream::Stdout;
    QString text; ///< without the trailing newline
};

Models::Result<DockerVersion> parseDockerVersion(const QByteArray &json);
/// GET /containers/json?all=1: summaries (inspected == false).
Models::Result<QList<Models::Container>> parseContainerList(const QByteArray &json,
                                                            const QString &hostId);
/// GET /containers/{id}/json: the full record (inspected == true).
Models::Result<Models::Container> parseContainerInspect(const QByteArray &json,
                                                        const QString &hostId);
Models::Result<DockerEvent> parseDockerEvent(const QByteArray &line);
Models::Result<DockerStatsSample> parseDockerStats(const QByteArray &json);
/// The content of the one regular file in a tar from GET /containers/{id}/archive (read with
/// libarchive); an error for no tar, a directory or link, or content above @p maxBytes.
Models::Result<QByteArray> fileFromTar(const QByteArray &tar, qint64 maxBytes = 16 * 1024 * 1024);
Models::ContainerStats computeStats(const DockerStatsSample &previous,
                                    const DockerStatsSample &current);

/// Splits a chunked stream of JSON lines (GET /events) into whole lines.
class JsonLineSplitter
{
public:
    QList<QByteArray> feed(const QByteArray &chunk);
    /// A line longer than this is garbage, not an event: the splitter drops it.
    static constexpr qsizetype kMaxLine = 1024 * 1024;

private:
    QByteArray m_buffer;
    bool m_discarding = false; ///< inside a line that was too long, until its newline
};

/// Decodes GET /containers/{id}/logs: Docker's 8-byte-header frames when the container has no
/// TTY, raw bytes when it has one. Frames may split lines and lines may split frames; partial
/// lines are kept until their newline arrives.
class LogStreamDecoder
{
public:
    explicit LogStreamDecoder(bool tty = false)
        : m_tty(tty)
    {}

    /// Returns the complete lines in @p chunk; an error when the framing is broken (the
    /// stream cannot be resynchronised after that). Lines decoded before a bad header are
    /// returned first; error() tells at once, and every later feed() fails with it.
    Models::Result<QList<LogLine>> feed(const QByteArray &chunk);
    /// Whatever partial lines remain, at the end of the stream.
    QList<LogLine> finish();

    QString error() const { return m_error; }

    /// Docker's json-file driver splits lines at 16 KiB; a frame far beyond that is garbage.
    static constexpr quint32 kMaxFrame = 1024 * 1024;

private:
    void appendText(LogLine::Stream stream, const QByteArray &bytes, QList<LogLine> &out);

    bool m_tty = false;
    bool m_broken = false;
    QString m_error;
    qint64 m_consumed = 0; ///< bytes of the stream before m_frameBuffer, for messages
    QByteArray m_frameBuffer;
    QByteArray m_partial[3];
};

} // namespace Opsdeck::Connectors
