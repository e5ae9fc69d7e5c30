// SPDX-License-Identifier: MIT
#include "connectors/docker/dockerparsers.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtEndian>

#include <archive.h>
#include <archive_entry.h>
#include <limits>
#include <memory>

namespace Opsdeck::Connectors {

using namespace Opsdeck::Models;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::Connectors::DockerParsers", text);
}

Result<QJsonDocument> parseJson(const QByteArray &json, const char *what)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return Result<QJsonDocument>::failure(tr("malformed %1 JSON at offset %2: %3")
                                                  .arg(QLatin1String(what))
                                                  .arg(error.offset)
                                                  .arg(error.errorString()));
    return doc;
}

QString stripSlash(const QString &name)
{
    return name.startsWith(QLatin1Char('/')) ? name.mid(1) : name;
}

/// Docker writes "0001-01-01T00:00:00Z" for never; that is no time at all.
QDateTime parseTime(const QJsonValue &v)
{
    QString text = v.toString();
    if (text.isEmpty() || text.startsWith(QLatin1String("0001-")))
        return {};
    // RFC 3339 with nanoseconds: cut (never round) the fraction to milliseconds, so that
    // .999999999 stays in its second, as Docker means it.
    const qsizetype dot = text.indexOf(QLatin1Char('.'));
    if (dot > 0) {
        qsizetype end = dot + 1;
        while (end < text.size() && text.at(end).isDigit())
            ++end;
        text = text.left(std::min(dot + 4, end)) + text.mid(end);
    }
    return QDateTime::fromString(text, Qt::ISODateWithMs);
}

QMap<QString, QString> stringMap(const QJsonValue &v)
{
    QMap<QString, QString> out;
    const QJsonObject o = v.toObject();
    for (auto it = o.begin(); it != o.end(); ++it)
        out.insert(it.key(), it.value().toString());
    return out;
}

QList<PortBinding> listPorts(const QJsonArray &ports)
{
    QList<PortBinding> out;
    for (const auto &v : ports) {
        const QJsonObject p = v.toObject();
        PortBinding b;
        b.ip = p.value(QLatin1String("IP")).toString();
        b.privatePort = p.value(QLatin1String("PrivatePort")).toInt();
        b.publicPort = p.value(QLatin1String("PublicPort")).toInt();
        b.protocol = p.value(QLatin1String("Type")).toString();
        out << b;
    }
    return out;
}

/// NetworkSettings.Ports of inspect: {"80/tcp": [{"HostIp": "", "HostPort": "8080"}] or null}.
QList<PortBinding> inspectPorts(const QJsonObject &ports)
{
    QList<PortBinding> out;
    for (auto it = ports.begin(); it != ports.end(); ++it) {
        const QString spec = it.key();
        const qsizetype slash = spec.indexOf(QLatin1Char('/'));
        const int privatePort = spec.left(slash).toInt();
        const QString proto = slash >= 0 ? spec.mid(slash + 1) : QStringLiteral("tcp");
        const QJsonArray bindings = it.value().toArray();
        if (bindings.isEmpty()) {
            out << PortBinding{QString(), privatePort, 0, proto};
            continue;
        }
        for (const auto &b : bindings) {
            const QJsonObject o = b.toObject();
            out << PortBinding{o.value(QLatin1String("HostIp")).toString(),
                               privatePort,
                               o.value(QLatin1String("HostPort")).toString().toInt(),
                               proto};
        }
    }
    return out;
}

QList<Mount> parseMounts(const QJsonArray &mounts)
{
    QList<Mount> out;
    for (const auto &v : mounts) {
        const QJsonObject m = v.toObject();
        Mount mount;
        mount.type = m.value(QLatin1String("Type")).toString();
        mount.name = m.value(QLatin1String("Name")).toString();
        mount.source = m.value(QLatin1String("Source")).toString();
        mount.destination = m.value(QLatin1String("Destination")).toString();
        mount.mode = m.value(QLatin1String("Mode")).toString();
        mount.readWrite = m.value(QLatin1String("RW")).toBool(true);
        out << mount;
    }
    return out;
}

/// Health is only in the list's Status text: "Up 5 minutes (healthy)".
HealthStatus healthFromStatusText(const QString &status)
{
    if (status.contains(QLatin1String("(unhealthy)")))
        return HealthStatus::Unhealthy;
    if (status.contains(QLatin1String("(healthy)")))
        return HealthStatus::Healthy;
    if (status.contains(QLatin1String("(health: starting)")))
        return HealthStatus::Starting;
    return HealthStatus::None;
}

QString joinCommand(const QJsonValue &path, const QJsonValue &args)
{
    QStringList parts;
    if (!path.toString().isEmpty())
        parts << path.toString();
    for (const auto &a : args.toArray())
        parts << a.toString();
    return parts.join(QLatin1Char(' '));
}

} // namespace

ContainerEventKind DockerEvent::containerEventKind() const
{
    if (action == QLatin1String("create"))
        return ContainerEventKind::Create;
    if (action == QLatin1String("start"))
        return ContainerEventKind::Start;
    if (action == QLatin1String("die"))
        return ContainerEventKind::Die;
    if (action == QLatin1String("kill"))
        return ContainerEventKind::Kill;
    if (action == QLatin1String("stop"))
        return ContainerEventKind::Stop;
    if (action == QLatin1String("restart"))
        return ContainerEventKind::Restart;
    if (action == QLatin1String("oom"))
        return ContainerEventKind::Oom;
    if (action == QLatin1String("health_status"))
        return ContainerEventKind::HealthStatus;
    if (action == QLatin1String("destroy"))
        return ContainerEventKind::Destroy;
    return ContainerEventKind::Other;
}

Result<DockerVersion> parseDockerVersion(const QByteArray &json)
{
    const auto doc = parseJson(json, "version");
    if (!doc.ok())
        return Error{doc.error()};
    if (!doc.value().isObject())
        return Result<DockerVersion>::failure(tr("version: expected a JSON object"));
    const QJsonObject o = doc.value().object();
    DockerVersion v;
    v.version = o.value(QLatin1String("Version")).toString();
    v.apiVersion = o.value(QLatin1String("ApiVersion")).toString();
    v.minApiVersion = o.value(QLatin1String("MinAPIVersion")).toString();
    v.os = o.value(QLatin1String("Os")).toString();
    v.arch = o.value(QLatin1String("Arch")).toString();
    if (v.apiVersion.isEmpty())
        return Result<DockerVersion>::failure(tr("version: no ApiVersion in the answer"));
    return v;
}

Result<QList<Container>> parseContainerList(const QByteArray &json, const QString &hostId)
{
    const auto doc = parseJson(json, "container list");
    if (!doc.ok())
        return Error{doc.error()};
    if (!doc.value().isArray())
        return Result<QList<Container>>::failure(tr("container list: expected a JSON array"));
    QList<Container> out;
    const QJsonArray array = doc.value().array();
    out.reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonValue v = array.at(i);
        if (!v.isObject())
            return Result<QList<Container>>::failure(
                tr("container list: entry %1 is not an object").arg(i));
        const QJsonObject o = v.toObject();
        Container c;
        c.hostId = hostId;
        c.id = o.value(QLatin1String("Id")).toString();
        if (c.id.isEmpty())
            return Result<QList<Container>>::failure(
                tr("container list: entry %1 has no Id").arg(i));
        const QJsonArray names = o.value(QLatin1String("Names")).toArray();
        c.name = names.isEmpty() ? c.id.left(12) : stripSlash(names.first().toString());
        c.image = o.value(QLatin1String("Image")).toString();
        c.imageId = o.value(QLatin1String("ImageID")).toString();
        c.command = o.value(QLatin1String("Command")).toString();
        c.state = containerStateFromString(o.value(QLatin1String("State")).toString());
        c.statusText = o.value(QLatin1String("Status")).toString();
        c.health = healthFromStatusText(c.statusText);
        c.createdAt = QDateTime::fromSecsSinceEpoch(o.value(QLatin1String("Created")).toInteger());
        c.labels = stringMap(o.value(QLatin1String("Labels")));
        c.ports = listPorts(o.value(QLatin1String("Ports")).toArray());
        c.mounts = parseMounts(o.value(QLatin1String("Mounts")).toArray());
        out << c;
    }
    return out;
}

Result<Container> parseContainerInspect(const QByteArray &json, const QString &hostId)
{
    const auto doc = parseJson(json, "container inspect");
    if (!doc.ok())
        return Error{doc.error()};
    if (!doc.value().isObject())
        return Result<Container>::failure(tr("container inspect: expected a JSON object"));
    const QJsonObject o = doc.value().object();
    Container c;
    c.hostId = hostId;
    c.inspected = true;
    c.id = o.value(QLatin1String("Id")).toString();
    if (c.id.isEmpty())
        return Result<Container>::failure(tr("container inspect: no Id"));
    c.name = stripSlash(o.value(QLatin1String("Name")).toString());
    c.imageId = o.value(QLatin1String("Image")).toString();
    c.restartCount = o.value(QLatin1String("RestartCount")).toInt();
    c.createdAt = parseTime(o.value(QLatin1String("Created")));

    const QJsonObject state = o.value(QLatin1String("State")).toObject();
    // Trust Status, not the booleans: a crash-looping container is Restarting *and* Running.
    c.state = containerStateFromString(state.value(QLatin1String("Status")).toString());
    c.exitCode = state.value(QLatin1String("ExitCode")).toInt();
    c.oomKilled = state.value(QLatin1String("OOMKilled")).toBool();
    c.error = state.value(QLatin1String("Error")).toString();
    c.startedAt = parseTime(state.value(QLatin1String("StartedAt")));
    c.finishedAt = parseTime(state.value(QLatin1String("FinishedAt")));
    const QJsonObject health = state.value(QLatin1String("Health")).toObject();
    if (!health.isEmpty()) {
        c.health = healthStatusFromString(health.value(QLatin1String("Status")).toString());
        c.healthFailingStreak = health.value(QLatin1String("FailingStreak")).toInt();
        const QJsonArray log = health.value(QLatin1String("Log")).toArray();
        if (!log.isEmpty())
            c.lastHealthOutput =
                log.last().toObject().value(QLatin1String("Output")).toString().trimmed();
    }

    const QJsonObject config = o.value(QLatin1String("Config")).toObject();
    c.image = config.value(QLatin1String("Image")).toString();
    c.labels = stringMap(config.value(QLatin1String("Labels")));
    for (const auto &e : config.value(QLatin1String("Env")).toArray())
        c.env << e.toString();
    c.tty = config.value(QLatin1String("Tty")).toBool();
    c.command = joinCommand(o.value(QLatin1String("Path")), o.value(QLatin1String("Args")));

    const QJsonObject hostConfig = o.value(QLatin1String("HostConfig")).toObject();
    const QJsonObject policy = hostConfig.value(QLatin1String("RestartPolicy")).toObject();
    c.restartPolicy = restartPolicyFrom(policy.value(QLatin1String("Name")).toString(),
                                        policy.value(QLatin1String("MaximumRetryCount")).toInt());

    c.mounts = parseMounts(o.value(QLatin1String("Mounts")).toArray());
    const QJsonObject net = o.value(QLatin1String("NetworkSettings")).toObject();
    c.ports = inspectPorts(net.value(QLatin1String("Ports")).toObject());
    c.networks = net.value(QLatin1String("Networks")).toObject().keys();
    if (c.networks.isEmpty()) {
        const QString mode = hostConfig.value(QLatin1String("NetworkMode")).toString();
        if (!mode.isEmpty())
            c.networks << mode;
    }
    c.statusText = displayState(c);
    return c;
}

Result<DockerEvent> parseDockerEvent(const QByteArray &line)
{
    const auto doc = parseJson(line, "event");
    if (!doc.ok())
        return Error{doc.error()};
    if (!doc.value().isObject())
        return Result<DockerEvent>::failure(tr("event: expected a JSON object"));
    const QJsonObject o = doc.value().object();
    DockerEvent e;
    e.type = o.value(QLatin1String("Type")).toString();
    const QString action = o.value(QLatin1String("Action")).toString();
    // health_status (and exec_*) carry their result in Action: "health_status: healthy".
    const qsizetype sep = action.indexOf(QLatin1String(": "));
    e.action = sep < 0 ? action : action.left(sep);
    e.actionDetail = sep < 0 ? QString() : action.mid(sep + 2);
    const QJsonObject actor = o.value(QLatin1String("Actor")).toObject();
    e.actorId = actor.value(QLatin1String("ID")).toString();
    e.attributes = stringMap(actor.value(QLatin1String("Attributes")));
    e.timeNano = o.value(QLatin1String("timeNano")).toInteger();
    if (e.timeNano == 0) {
        // Legacy seconds; a value outside what nanoseconds in a qint64 can hold is garbage.
        const qint64 seconds = o.value(QLatin1String("time")).toInteger();
        constexpr qint64 kMaxSeconds = std::numeric_limits<qint64>::max() / 1'000'000'000;
        e.timeNano = seconds > 0 && seconds <= kMaxSeconds ? seconds * 1'000'000'000 : 0;
    }
    if (e.type.isEmpty() || e.action.isEmpty())
        return Result<DockerEvent>::failure(tr("event: no Type or Action"));
    return e;
}

namespace {

/// A counter from JSON as an unsigned number; negative, NaN or huge values read as 0.
quint64 counter(const QJsonValue &v)
{
    const double d = v.toDouble();
    if (!(d >= 0.0) || d >= 18446744073709551615.0)
        return 0;
    return quint64(d);
}

} // namespace

Result<DockerStatsSample> parseDockerStats(const QByteArray &json)
{
    const auto doc = parseJson(json, "stats");
    if (!doc.ok())
        return Error{doc.error()};
    if (!doc.value().isObject())
        return Result<DockerStatsSample>::failure(tr("stats: expected a JSON object"));
    const QJsonObject o = doc.value().object();
    DockerStatsSample s;
    const QDateTime read = parseTime(o.value(QLatin1String("read")));
    s.readMs = read.isValid() ? read.toMSecsSinceEpoch() : 0;
    const QJsonObject cpu = o.value(QLatin1String("cpu_stats")).toObject();
    s.cpuTotalNs = counter(
        cpu.value(QLatin1String("cpu_usage")).toObject().value(QLatin1String("total_usage")));
    s.systemCpuNs = counter(cpu.value(QLatin1String("system_cpu_usage")));
    s.onlineCpus = cpu.value(QLatin1String("online_cpus")).toInt();
    if (s.onlineCpus == 0)
        s.onlineCpus = int(cpu.value(QLatin1String("cpu_usage"))
                               .toObject()
                               .value(QLatin1String("percpu_usage"))
                               .toArray()
                               .size());
    const QJsonObject mem = o.value(QLatin1String("memory_stats")).toObject();
    const quint64 usage = counter(mem.value(QLatin1String("usage")));
    const QJsonObject memStats = mem.value(QLatin1String("stats")).toObject();
    // cgroup v1 reports total_inactive_file, v2 inactive_file; docker stats subtracts either.
    quint64 inactive = counter(memStats.value(QLatin1String("total_inactive_file")));
    if (inactive == 0)
        inactive = counter(memStats.value(QLatin1String("inactive_file")));
    s.memoryUsed = inactive < usage ? usage - inactive : usage;
    s.memoryLimit = counter(mem.value(QLatin1String("limit")));
    s.pids =
        o.value(QLatin1String("pids_stats")).toObject().value(QLatin1String("current")).toInt();
    return s;
}

ContainerStats computeStats(const DockerStatsSample &previous, const DockerStatsSample &current)
{
    ContainerStats out;
    out.memoryUsed = current.memoryUsed;
    out.memoryLimit = current.memoryLimit;
    out.memoryPercent = current.memoryLimit > 0
                            ? 100.0 * double(current.memoryUsed) / double(current.memoryLimit)
                            : 0.0;
    out.pids = current.pids;
    if (previous.readMs > 0 && current.readMs > previous.readMs
        && current.cpuTotalNs >= previous.cpuTotalNs
        && current.systemCpuNs > previous.systemCpuNs) {
        const double cpuDelta = double(current.cpuTotalNs - previous.cpuTotalNs);
        const double systemDelta = double(current.systemCpuNs - previous.systemCpuNs);
        out.cpuPercent = cpuDelta / systemDelta * std::max(1, current.onlineCpus) * 100.0;
        out.cpuKnown = true;
    }
    return out;
}

QList<QByteArray> JsonLineSplitter::feed(const QByteArray &chunk)
{
    QList<QByteArray> lines;
    qsizetype start = 0;
    if (m_discarding) {
        // The rest of an overlong line: drop through its newline.
        const qsizetype nl = chunk.indexOf('\n');
        if (nl < 0)
            return lines;
        m_discarding = false;
        m_buffer = chunk.mid(nl + 1);
    } else {
        m_buffer.append(chunk);
    }
    for (;;) {
        const qsizetype nl = m_buffer.indexOf('\n', start);
        if (nl < 0)
            break;
        const QByteArray line = m_buffer.mid(start, nl - start).trimmed();
        if (!line.isEmpty() && line.size() <= kMaxLine)
            lines << line;
        start = nl + 1;
    }
    m_buffer.remove(0, start);
    if (m_buffer.size() > kMaxLine) {
        m_buffer.clear();
        m_discarding = true;
    }
    return lines;
}

Result<QList<LogLine>> LogStreamDecoder::feed(const QByteArray &chunk)
{
    QList<LogLine> out;
    if (m_broken)
        return Result<QList<LogLine>>::failure(m_error);
    if (m_tty) {
        appendText(LogLine::Stream::Stdout, chunk, out);
        return out;
    }
    m_frameBuffer.append(chunk);
    qsizetype pos = 0;
    while (m_frameBuffer.size() - pos >= 8) {
        const auto *header = reinterpret_cast<const uchar *>(m_frameBuffer.constData() + pos);
        const uchar stream = header[0];
        const quint32 length = qFromBigEndian<quint32>(header + 4);
        const bool badHeader = stream > 2 || header[1] != 0 || header[2] != 0 || header[3] != 0;
        if (badHeader || length > kMaxFrame) {
            m_broken = true;
            m_error = badHeader
                          ? tr("log stream: bad frame header at byte %1 (stream %2)")
                                .arg(m_consumed + pos)
                                .arg(stream)
                          : tr("log stream: frame of %1 bytes at byte %2 is larger than any log "
                               "line; the stream is not Docker's framing")
                                .arg(length)
                                .arg(m_consumed + pos);
            // Lines decoded before the bad header are real: hand them out; the error follows.
            if (!out.isEmpty())
                return out;
            return Result<QList<LogLine>>::failure(m_error);
        }
        if (m_frameBuffer.size() - pos - 8 < qint64(length))
            break;
        appendText(LogLine::Stream(stream), m_frameBuffer.mid(pos + 8, length), out);
        pos += 8 + qsizetype(length);
    }
    m_frameBuffer.remove(0, pos);
    m_consumed += pos;
    return out;
}

void LogStreamDecoder::appendText(LogLine::Stream stream,
                                  const QByteArray &bytes,
                                  QList<LogLine> &out)
{
    QByteArray &partial = m_partial[int(stream)];
    partial.append(bytes);
    qsizetype start = 0;
    for (;;) {
        const qsizetype nl = partial.indexOf('\n', start);
        if (nl < 0)
            break;
        QByteArray line = partial.mid(start, nl - start);
        if (line.endsWith('\r'))
            line.chop(1);
        out << LogLine{stream, QString::fromUtf8(line)};
        start = nl + 1;
    }
    partial.remove(0, start);
    // A program that never prints a newline must not grow us without bound.
    constexpr qsizetype kMaxPartial = 64 * 1024;
    if (partial.size() > kMaxPartial) {
        out << LogLine{stream, QString::fromUtf8(partial)};
        partial.clear();
    }
}

QList<LogLine> LogStreamDecoder::finish()
{
    QList<LogLine> out;
    for (int s = 0; s < 3; ++s) {
        if (!m_partial[s].isEmpty())
            out << LogLine{LogLine::Stream(s), QString::fromUtf8(m_partial[s])};
        m_partial[s].clear();
    }
    return out;
}

Result<QByteArray> fileFromTar(const QByteArray &tar, qint64 maxBytes)
{
    const std::unique_ptr<archive, decltype(&archive_read_free)> reader(archive_read_new(),
                                                                        &archive_read_free);
    if (!reader)
        return Result<QByteArray>::failure(tr("cannot read the archive: out of memory"));
    archive_read_support_format_tar(reader.get());
    auto failure = [&reader](const QString &what) {
        const char *detail = archive_error_string(reader.get());
        return Result<QByteArray>::failure(
            detail ? what + QLatin1String(": ") + QString::fromUtf8(detail) : what);
    };
    if (tar.isEmpty())
        return Result<QByteArray>::failure(tr("the archive is empty"));
    if (archive_read_open_memory(reader.get(), tar.constData(), size_t(tar.size())) != ARCHIVE_OK)
        return failure(tr("not a tar archive"));
    archive_entry *entry = nullptr;
    const int header = archive_read_next_header(reader.get(), &entry);
    if (header == ARCHIVE_EOF)
        return Result<QByteArray>::failure(tr("the archive holds no file"));
    if (header != ARCHIVE_OK && header != ARCHIVE_WARN)
        return failure(tr("not a tar archive"));
    const QString name =
        QString::fromUtf8(archive_entry_pathname_utf8(entry) ? archive_entry_pathname_utf8(entry)
                                                             : archive_entry_pathname(entry));
    const auto type = archive_entry_filetype(entry);
    if (type == AE_IFDIR)
        return Result<QByteArray>::failure(tr("%1 is a directory, not a file").arg(name));
    if (type != AE_IFREG)
        return Result<QByteArray>::failure(tr("%1 is not a regular file").arg(name));
    if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > maxBytes)
        return Result<QByteArray>::failure(
            tr("%1 is larger than %2 bytes").arg(name).arg(maxBytes));
    QByteArray content;
    char buffer[16384];
    for (;;) {
        const la_ssize_t n = archive_read_data(reader.get(), buffer, sizeof buffer);
        if (n == 0)
            break;
        if (n < 0)
            return failure(tr("%1 is truncated").arg(name));
        if (content.size() + n > maxBytes)
            return Result<QByteArray>::failure(
                tr("%1 is larger than %2 bytes").arg(name).arg(maxBytes));
        content.append(buffer, qsizetype(n));
    }
    return content;
}

} // namespace Opsdeck::Connectors
