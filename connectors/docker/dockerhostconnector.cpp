// SPDX-License-Identifier: MIT
#include "connectors/docker/dockerhostconnector.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>

namespace Opsdeck::Connectors {

using namespace Opsdeck::Models;

namespace {

// The API version Opsdeck is written against (Debian 12's docker.io serves exactly this).
constexpr double kPreferredApi = 1.41;
// lastSeen is for people; writing it on every event would repaint the host's rows each time.
constexpr qint64 kLastSeenResolutionMs = 5000;

// Only the container events that change what we show; health probes alone would otherwise
// add three exec_* events per container per interval (see the API reference, 1.8).
const QByteArray kEventFilter = QUrl::toPercentEncoding(QStringLiteral(
    R"({"type":["container"],"event":["create","destroy","die","start","stop","restart","kill","oom","health_status","rename","pause","unpause","update"]})"));

class DockerLogFollower : public LogFollower
{
public:
    DockerLogFollower(HttpReply *reply, bool tty, QObject *parent)
        : LogFollower(parent)
        , m_reply(reply)
        , m_decoder(tty)
    {
        m_reply->setParent(this);
        connect(m_reply, &HttpReply::dataReceived, this, [this](const QByteArray &chunk) {
            const auto lines = m_decoder.feed(chunk);
            if (lines.ok())
                emitLines(lines.value());
            if (!m_decoder.error().isEmpty()) {
                emit failed(m_decoder.error());
                m_reply->abort();
            }
        });
        connect(m_reply, &HttpReply::finished, this, [this] {
            emitLines(m_decoder.finish());
            if (!m_reply->ok())
                emit failed(m_reply->errorString());
            else
                emit ended();
        });
    }

private:
    void emitLines(const QList<LogLine> &lines)
    {
        if (lines.isEmpty())
            return;
        QStringList text;
        text.reserve(lines.size());
        for (const LogLine &l : lines)
            text << l.text;
        emit linesReceived(text);
    }

    HttpReply *m_reply;
    LogStreamDecoder m_decoder;
};

} // namespace

DockerHostConnector::DockerHostConnector(const DockerHostConfig &config,
                                         EnvironmentStore *store,
                                         HttpClient *http,
                                         QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_endpoint(endpointFor(config))
    , m_store(store)
    , m_http(http)
{
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &DockerHostConnector::connectToHost);
    connect(&m_pingTimer, &QTimer::timeout, this, &DockerHostConnector::ping);
    m_inspectTimer.setSingleShot(true);
    connect(&m_inspectTimer, &QTimer::timeout, this, &DockerHostConnector::pumpInspects);
}

DockerHostConnector::~DockerHostConnector()
{
    stop();
}

Result<HttpEndpoint> DockerHostConnector::endpointFor(const DockerHostConfig &config)
{
    const QUrl url(config.url);
    HttpEndpoint endpoint;
    endpoint.tls = config.tls;
    if (url.scheme() == QLatin1String("unix")) {
        endpoint.unixSocket = url.path();
        endpoint.baseUrl = "http://docker"; // any Host will do, but HTTP/1.1 needs one
    } else if (url.scheme() == QLatin1String("tcp")) {
        const bool tls = config.tls.enabled();
        const int port = url.port(tls ? 2376 : 2375);
        QString host = url.host();
        if (host.contains(QLatin1Char(':')))
            host = QLatin1Char('[') + host + QLatin1Char(']');
        endpoint.baseUrl = QStringLiteral("%1://%2:%3")
                               .arg(tls ? QStringLiteral("https") : QStringLiteral("http"), host)
                               .arg(port)
                               .toUtf8();
    } else {
        return Result<HttpEndpoint>::failure(
            tr("unsupported Docker host URL '%1'").arg(config.url));
    }
    return endpoint;
}

QByteArray DockerHostConnector::apiPath(const QByteArray &path) const
{
    return "/v" + m_apiVersion + path;
}

HttpRequest DockerHostConnector::request(const QByteArray &method, const QByteArray &path) const
{
    HttpRequest r;
    r.method = method;
    r.path = apiPath(path);
    r.timeoutMs = m_timings.requestTimeoutMs;
    r.connectTimeoutMs = m_timings.connectTimeoutMs;
    return r;
}

void DockerHostConnector::start()
{
    if (m_running)
        return;
    m_running = true;
    connectToHost();
}

void DockerHostConnector::stop()
{
    m_running = false;
    ++m_generation;
    m_reconnectTimer.stop();
    m_pingTimer.stop();
    dropRequests();
}

void DockerHostConnector::dropRequests()
{
    m_inspectTimer.stop();
    abortAndDelete(m_events);
    abortAndDelete(m_requests);
    m_inspectQueue.clear();
    m_inspectQueued.clear();
    m_eventCount.clear();
    m_inspectsInFlight = 0;
    m_eventSplitter = JsonLineSplitter();
}

void DockerHostConnector::setState(SourceState state, const QString &error)
{
    if (!m_store)
        return;
    const HostStatus *current = m_store->host(hostId());
    if (!current)
        return;
    HostStatus next = *current;
    next.state = state;
    next.error = error;
    next.apiVersion =
        state == SourceState::Connected ? QString::fromLatin1(m_apiVersion) : current->apiVersion;
    next.serverVersion = m_serverVersion;
    if (state == SourceState::Connected) {
        next.lastSeen = QDateTime::fromMSecsSinceEpoch(m_store->now());
        m_lastSeenWrittenMs = m_store->now();
    }
    m_store->updateHost(next);
}

void DockerHostConnector::touchLastSeen()
{
    if (!m_store || m_store->now() - m_lastSeenWrittenMs < kLastSeenResolutionMs)
        return;
    const HostStatus *current = m_store->host(hostId());
    if (!current || current->state != SourceState::Connected)
        return;
    HostStatus next = *current;
    next.lastSeen = QDateTime::fromMSecsSinceEpoch(m_store->now());
    m_lastSeenWrittenMs = m_store->now();
    m_store->updateHost(next);
}

void DockerHostConnector::fail(const QString &reason)
{
    if (!m_running) {
        emit resyncFinished(false);
        return;
    }
    ++m_generation;
    m_pingTimer.stop();
    dropRequests();
    const bool wasResyncing = std::exchange(m_resyncing, false);
    setState(SourceState::Unreachable, reason);
    if (wasResyncing)
        emit resyncFinished(false);
    emit failed(reason);
    m_backoffMs = m_backoffMs == 0 ? m_timings.reconnectInitialMs
                                   : std::min(m_backoffMs * 2, m_timings.reconnectMaxMs);
    m_reconnectTimer.start(m_backoffMs);
}

void DockerHostConnector::connectToHost()
{
    if (!m_http || !m_store)
        return;
    if (!m_endpoint.ok()) {
        setState(SourceState::Unreachable, m_endpoint.error());
        emit failed(m_endpoint.error());
        return;
    }
    const int generation = ++m_generation;
    HttpRequest r;
    r.path = "/version"; // unversioned on purpose: it is how we learn the version
    r.timeoutMs = m_timings.requestTimeoutMs;
    r.connectTimeoutMs = m_timings.connectTimeoutMs;
    HttpReply *reply = m_http->send(m_endpoint.value(), r);
    m_requests << reply;
    connect(reply, &HttpReply::finished, this, [this, reply, generation] {
        reply->deleteLater();
        m_requests.removeAll(reply);
        if (generation != m_generation)
            return;
        if (!reply->ok()) {
            fail(reply->errorString());
            return;
        }
        const auto version = parseDockerVersion(reply->body());
        if (!version.ok()) {
            fail(version.error());
            return;
        }
        m_serverVersion = version.value().version;
        // Speak 1.41 unless the engine is older; then speak its version.
        const double serverApi = version.value().apiVersion.toDouble();
        m_apiVersion = serverApi > 0 && serverApi < kPreferredApi
                           ? version.value().apiVersion.toLatin1()
                           : QByteArray("1.41");
        openEventStream();
    });
}

void DockerHostConnector::openEventStream()
{
    const int generation = m_generation;
    HttpRequest r = request("GET", "/events?filters=" + kEventFilter);
    r.stream = true;
    r.timeoutMs = 0;
    r.headersTimeoutMs = m_timings.streamHeadersTimeoutMs;
    r.maxBodyBytes = JsonLineSplitter::kMaxLine * 4;
    HttpReply *reply = m_http->send(m_endpoint.value(), r);
    m_events = reply;
    connect(reply, &HttpReply::headersReceived, this, [this, generation](int status) {
        if (generation != m_generation)
            return;
        if (status != 200)
            return; // finished() reports it with the server's message
        // Subscribed before listing: nothing that happens from here on can be missed.
        resync();
        m_pingTimer.start(m_timings.pingIntervalMs);
    });
    connect(reply, &HttpReply::dataReceived, this, [this, generation](const QByteArray &chunk) {
        if (generation == m_generation)
            onEventData(chunk);
    });
    connect(reply, &HttpReply::finished, this, [this, reply, generation] {
        reply->deleteLater();
        if (generation != m_generation)
            return;
        fail(reply->ok() ? tr("the event stream was closed by the engine") : reply->errorString());
    });
}

void DockerHostConnector::resync()
{
    if (!m_http || !m_store || !m_endpoint.ok()) {
        emit resyncFinished(false);
        return;
    }
    const int generation = m_generation;
    m_resyncing = true;
    HttpReply *reply = m_http->send(m_endpoint.value(), request("GET", "/containers/json?all=1"));
    m_requests << reply;
    connect(reply, &HttpReply::finished, this, [this, reply, generation] {
        reply->deleteLater();
        m_requests.removeAll(reply);
        if (generation != m_generation)
            return;
        if (!reply->ok()) {
            fail(reply->errorString());
            return;
        }
        auto list = parseContainerList(reply->body(), hostId());
        if (!list.ok()) {
            fail(list.error());
            return;
        }
        m_backoffMs = 0;
        m_store->replaceHostContainers(hostId(), list.value());
        setState(SourceState::Connected);
        for (const Container &c : std::as_const(list.value()))
            scheduleInspect(c.id);
        pumpInspects();
        finishResyncIfDone();
    });
}

void DockerHostConnector::onEventData(const QByteArray &chunk)
{
    touchLastSeen();
    for (const QByteArray &line : m_eventSplitter.feed(chunk)) {
        const auto event = parseDockerEvent(line);
        if (!event.ok()) {
            qWarning("docker host %s: ignoring an event: %s",
                     qPrintable(hostId()),
                     qPrintable(event.error()));
            continue;
        }
        handleEvent(event.value());
    }
}

void DockerHostConnector::handleEvent(const DockerEvent &event)
{
    if (event.type != QLatin1String("container") || event.actorId.isEmpty() || !m_store)
        return;
    const QString key = hostId() + QLatin1Char('/') + event.actorId;
    const ContainerEventKind kind = event.containerEventKind();
    ++m_eventCount[event.actorId];
    m_store->noteEvent(key, kind, event.timeMs());
    if (kind == ContainerEventKind::Destroy) {
        m_store->removeContainer(key);
        m_inspectQueued.remove(event.actorId);
        m_inspectQueue.removeAll(event.actorId);
        return;
    }
    // Apply what the event itself says at once (the model moves within milliseconds), then
    // confirm with an inspect, which also brings restart counts and health details.
    if (const Container *known = m_store->container(key)) {
        Container c = *known;
        const QDateTime when = QDateTime::fromMSecsSinceEpoch(event.timeMs());
        bool changed = true;
        switch (kind) {
        case ContainerEventKind::Start:
            c.state = ContainerState::Running;
            c.startedAt = when;
            if (c.health != HealthStatus::None)
                c.health = HealthStatus::Starting;
            break;
        case ContainerEventKind::Die:
            c.state = ContainerState::Exited;
            c.exitCode = event.attributes.value(QStringLiteral("exitCode")).toInt();
            c.finishedAt = when;
            break;
        case ContainerEventKind::HealthStatus:
            c.health = healthStatusFromString(event.actionDetail);
            break;
        default:
            if (event.action == QLatin1String("rename"))
                c.name = event.attributes.value(QStringLiteral("name"));
            else if (event.action == QLatin1String("pause"))
                c.state = ContainerState::Paused;
            else if (event.action == QLatin1String("unpause"))
                c.state = ContainerState::Running;
            else
                changed = false;
        }
        if (changed) {
            c.statusText = displayState(c);
            m_store->upsertContainer(c);
        }
    }
    scheduleInspect(event.actorId);
    if (!m_inspectTimer.isActive())
        m_inspectTimer.start(m_timings.inspectCoalesceMs);
}

void DockerHostConnector::scheduleInspect(const QString &containerId)
{
    if (m_inspectQueued.contains(containerId))
        return;
    m_inspectQueued.insert(containerId);
    m_inspectQueue << containerId;
}

void DockerHostConnector::pumpInspects()
{
    if (!m_http || !m_endpoint.ok())
        return;
    const int generation = m_generation;
    while (m_inspectsInFlight < m_timings.maxInspectsInFlight && !m_inspectQueue.isEmpty()) {
        const QString id = m_inspectQueue.takeFirst();
        m_inspectQueued.remove(id);
        const quint64 eventsBefore = m_eventCount.value(id);
        ++m_inspectsInFlight;
        HttpReply *reply = m_http->send(m_endpoint.value(),
                                        request("GET", "/containers/" + id.toUtf8() + "/json"));
        m_requests << reply;
        connect(reply, &HttpReply::finished, this, [this, reply, generation, id, eventsBefore] {
            reply->deleteLater();
            m_requests.removeAll(reply);
            if (generation != m_generation)
                return;
            --m_inspectsInFlight;
            const QString key = hostId() + QLatin1Char('/') + id;
            if (m_eventCount.value(id) != eventsBefore) {
                // An event overtook this answer: it is older than what the model shows, and the
                // inspect that event scheduled will answer instead.
            } else if (reply->status() == 404) {
                m_store->removeContainer(key);
            } else if (reply->ok()) {
                auto c = parseContainerInspect(reply->body(), hostId());
                if (c.ok())
                    m_store->upsertContainer(c.value());
                else
                    qWarning("docker host %s: %s", qPrintable(hostId()), qPrintable(c.error()));
            } else if (reply->transportFailed()) {
                fail(reply->errorString());
                return;
            }
            pumpInspects();
            finishResyncIfDone();
        });
    }
}

void DockerHostConnector::finishResyncIfDone()
{
    if (m_resyncing && m_inspectsInFlight == 0 && m_inspectQueue.isEmpty()) {
        m_resyncing = false;
        if (m_store)
            m_store->flush();
        emit resyncFinished(true);
    }
}

void DockerHostConnector::ping()
{
    const int generation = m_generation;
    HttpRequest r;
    r.path = "/_ping";
    r.timeoutMs = m_timings.pingTimeoutMs;
    r.connectTimeoutMs = m_timings.connectTimeoutMs;
    HttpReply *reply = m_http->send(m_endpoint.value(), r);
    m_requests << reply;
    connect(reply, &HttpReply::finished, this, [this, reply, generation] {
        reply->deleteLater();
        m_requests.removeAll(reply);
        if (generation != m_generation)
            return;
        if (!reply->ok()) {
            fail(tr("liveness check failed: %1").arg(reply->errorString()));
            return;
        }
        touchLastSeen();
    });
}

void DockerHostConnector::requestAction(const QString &containerId,
                                        ContainerAction action,
                                        int stopTimeoutSeconds)
{
    const QString key = hostId() + QLatin1Char('/') + containerId;
    if (!m_http || !m_endpoint.ok()) {
        emit actionFinished(
            key, action, false, m_endpoint.ok() ? tr("no HTTP client") : m_endpoint.error());
        return;
    }
    QByteArray path = "/containers/" + containerId.toUtf8() + '/' + nameOf(action).toLatin1();
    if (action != ContainerAction::Start)
        path += "?t=" + QByteArray::number(stopTimeoutSeconds);
    HttpRequest r = request("POST", path);
    // The engine answers only after the stop timeout has run out and the process is gone.
    r.timeoutMs = (stopTimeoutSeconds + 20) * 1000;
    HttpReply *reply = m_http->send(m_endpoint.value(), r);
    connect(reply, &HttpReply::finished, this, [this, reply, key, action] {
        reply->deleteLater();
        if (reply->status() == 304) {
            emit actionFinished(key,
                                action,
                                true,
                                action == ContainerAction::Start ? tr("already running")
                                                                 : tr("already stopped"));
            return;
        }
        emit actionFinished(
            key, action, reply->ok(), reply->ok() ? tr("done") : reply->errorString());
    });
}

LogFollower *DockerHostConnector::followLogs(const QString &containerId, int tail, bool follow)
{
    bool tty = false;
    if (m_store) {
        if (const Container *c = m_store->container(hostId() + QLatin1Char('/') + containerId))
            tty = c->tty;
    }
    if (!m_http || !m_endpoint.ok()) {
        auto *dead = new LogFollower;
        QTimer::singleShot(0, dead, [dead, this] {
            emit dead->failed(m_endpoint.ok() ? QString() : m_endpoint.error());
        });
        return dead;
    }
    HttpRequest r =
        request("GET",
                "/containers/" + containerId.toUtf8() + "/logs?stdout=1&stderr=1&tail="
                    + QByteArray::number(std::max(0, tail)) + (follow ? "&follow=1" : ""));
    r.stream = true;
    r.timeoutMs = follow ? 0 : m_timings.requestTimeoutMs;
    r.headersTimeoutMs = m_timings.streamHeadersTimeoutMs;
    r.maxBodyBytes = 1024 * 1024; // the pending piece, not the whole log
    return new DockerLogFollower(m_http->send(m_endpoint.value(), r), tty, nullptr);
}

void DockerHostConnector::requestStats(const QString &containerId)
{
    const QString key = hostId() + QLatin1Char('/') + containerId;
    if (!m_http || !m_endpoint.ok()) {
        emit statsFailed(key, m_endpoint.ok() ? tr("no HTTP client") : m_endpoint.error());
        return;
    }
    // one-shot answers at once with zeroed precpu_stats: we keep the previous sample ourselves.
    HttpRequest r =
        request("GET", "/containers/" + containerId.toUtf8() + "/stats?stream=false&one-shot=true");
    HttpReply *reply = m_http->send(m_endpoint.value(), r);
    connect(reply, &HttpReply::finished, this, [this, reply, key, containerId] {
        reply->deleteLater();
        if (!reply->ok()) {
            emit statsFailed(key, reply->errorString());
            return;
        }
        const auto sample = parseDockerStats(reply->body());
        if (!sample.ok()) {
            emit statsFailed(key, sample.error());
            return;
        }
        const ContainerStats stats = computeStats(m_lastStats.value(containerId), sample.value());
        m_lastStats.insert(containerId, sample.value());
        emit statsReady(key, stats);
    });
}

void DockerHostConnector::readFile(const QString &containerId, const QString &path)
{
    const QString key = hostId() + QLatin1Char('/') + containerId;
    if (!m_http || !m_endpoint.ok()) {
        const QString why = m_endpoint.ok() ? tr("no HTTP client") : m_endpoint.error();
        QTimer::singleShot(
            0, this, [this, key, path, why] { emit fileReadFailed(key, path, why); });
        return;
    }
    HttpRequest r = request("GET",
                            "/containers/" + QUrl::toPercentEncoding(containerId)
                                + "/archive?path=" + QUrl::toPercentEncoding(path));
    r.maxBodyBytes = 17 * 1024 * 1024; // the file (at most 16 MiB) and its tar headers
    HttpReply *reply = m_http->send(m_endpoint.value(), r);
    connect(reply, &HttpReply::finished, this, [this, reply, key, path] {
        reply->deleteLater();
        if (!reply->ok()) {
            emit fileReadFailed(key, path, reply->errorString());
            return;
        }
        const auto content = fileFromTar(reply->body());
        if (!content.ok()) {
            emit fileReadFailed(key, path, tr("%1: %2").arg(path, content.error()));
            return;
        }
        emit fileRead(key, path, content.value());
    });
}

} // namespace Opsdeck::Connectors
