// SPDX-License-Identifier: MIT
#include "connectors/marathon/marathonconnector.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

#include <algorithm>
#include <functional>
#include <limits>
#include <optional>

namespace Opsdeck::Connectors {

using namespace Opsdeck::Models;

namespace {

// lastSeen is for people; writing it on every event would repaint Marathon's status each time.
constexpr qint64 kLastSeenResolutionMs = 5000;
// A synced stream that ends is a leader change or a network drop: the leader is looked for again
// at once, without showing Marathon as unreachable. More than this many such ends in a row
// (a server that keeps closing streams) go through the backoff instead...
constexpr int kMaxQuickReconnects = 3;
// ...until a stream lives this long again.
constexpr qint64 kHealthyStreamMs = 10000;
// A non-leader redirects /v2/events to the leader (reference 2.1); one hop is the norm.
constexpr int kMaxRedirects = 3;

/// "host:port" of a URL or of a bare "host:port" (what /v2/leader answers), lower case.
QString hostPortOf(const QString &text)
{
    const QUrl url =
        QUrl(text.contains(QLatin1String("://")) ? text : QStringLiteral("http://") + text);
    const int defaultPort = url.scheme() == QLatin1String("https") ? 443 : 80;
    return url.host().toLower() + QLatin1Char(':') + QString::number(url.port(defaultPort));
}

/// /v2/apps/prod/web for "/prod/web"; empty for an id that could leave /v2/apps.
QByteArray appPath(const QString &appId)
{
    const QStringList segments = appId.trimmed().split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (segments.isEmpty())
        return {};
    QByteArray path = "/v2/apps";
    for (const QString &s : segments) {
        // curl would resolve dot segments: "/v2/apps/../leader" must never be sent.
        if (s == QLatin1String(".") || s == QLatin1String(".."))
            return {};
        path += '/' + QUrl::toPercentEncoding(s);
    }
    return path;
}

QByteArray deploymentPath(const QString &id)
{
    const QString trimmed = id.trimmed();
    if (trimmed.isEmpty() || trimmed == QLatin1String(".") || trimmed == QLatin1String(".."))
        return {};
    return "/v2/deployments/" + QUrl::toPercentEncoding(trimmed);
}

} // namespace

MarathonConnector::MarathonConnector(const MarathonConfig &config,
                                     MarathonStore *store,
                                     HttpClient *http,
                                     QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_store(store)
    , m_http(http)
{
    for (const QString &u : config.urls) {
        const QByteArray base = httpBaseUrl(u);
        if (base.isEmpty()) {
            m_configError = tr("Marathon URL '%1' is not an http(s) URL").arg(u);
            break;
        }
        m_urls << base;
    }
    if (m_urls.isEmpty() && m_configError.isEmpty())
        m_configError = tr("no Marathon URL configured");
    if (config.timeoutMs > 0)
        m_requestTimeoutMs =
            int(std::min<qint64>(config.timeoutMs, std::numeric_limits<int>::max()));

    m_coalesceTimer.setSingleShot(true);
    connect(&m_coalesceTimer, &QTimer::timeout, this, &MarathonConnector::readNow);
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &MarathonConnector::connectToMarathon);
    m_silenceTimer.setSingleShot(true);
    connect(&m_silenceTimer, &QTimer::timeout, this, [this] {
        fail(tr("%1: the event stream was silent for %2 s")
                 .arg(QString::fromUtf8(m_current))
                 .arg(m_timings.streamSilenceMs / 1000.0));
    });
    connect(&m_safetyTimer, &QTimer::timeout, this, [this] {
        scheduleRefresh(AppsKind | DeploymentsKind);
    });
}

MarathonConnector::~MarathonConnector()
{
    stop();
    for (const QPointer<HttpReply> &r : std::as_const(m_actions)) {
        if (r)
            r->abort();
    }
}

HttpEndpoint MarathonConnector::endpoint(const QByteArray &base) const
{
    HttpEndpoint e;
    e.baseUrl = base;
    return e;
}

HttpRequest MarathonConnector::request(const QByteArray &method, const QByteArray &path) const
{
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.timeoutMs = m_requestTimeoutMs;
    r.connectTimeoutMs = std::min(m_timings.connectTimeoutMs, m_requestTimeoutMs);
    // Old Marathons answer text/plain without it (reference 2.3).
    r.headers << HttpHeader{"Accept", "application/json"};
    if (!m_authorization.isEmpty())
        r.headers << HttpHeader{"Authorization", m_authorization};
    return r;
}

int MarathonConnector::configuredIndexOf(const QString &hostPort) const
{
    for (qsizetype i = 0; i < m_urls.size(); ++i) {
        if (hostPortOf(QString::fromUtf8(m_urls.at(i))) == hostPort)
            return int(i);
    }
    return -1;
}

void MarathonConnector::start()
{
    if (m_running)
        return;
    m_running = true;
    if (m_configError.isEmpty() && !m_config.username.isEmpty()) {
        QString password;
        if (!m_config.passwordEnv.isEmpty()) {
            if (!qEnvironmentVariableIsSet(m_config.passwordEnv.toLocal8Bit().constData()))
                m_configError = tr("the environment variable %1 (the Marathon password) is not set")
                                    .arg(m_config.passwordEnv);
            password = qEnvironmentVariable(m_config.passwordEnv.toLocal8Bit().constData());
        }
        m_authorization =
            "Basic " + QString(m_config.username + QLatin1Char(':') + password).toUtf8().toBase64();
    }
    if (!m_configError.isEmpty()) {
        setStatus(SourceState::Unreachable, m_configError);
        emit failed(m_configError);
        return;
    }
    connectToMarathon();
}

void MarathonConnector::stop()
{
    m_running = false;
    ++m_generation;
    m_reconnectTimer.stop();
    dropRequests();
}

void MarathonConnector::dropRequests()
{
    m_coalesceTimer.stop();
    m_silenceTimer.stop();
    m_safetyTimer.stop();
    abortAndDelete(m_events);
    abortAndDelete(m_requests);
    m_appsRead = nullptr;
    m_deploymentsRead = nullptr;
    m_dirty = 0;
    m_syncPending = 0;
    m_sse = SseParser();
}

void MarathonConnector::setStatus(SourceState state, const QString &error)
{
    if (!m_store)
        return;
    HostStatus s = m_store->marathonStatus();
    s.id = QStringLiteral("marathon");
    s.displayName = QStringLiteral("Marathon");
    s.url = m_current.isEmpty() ? QString::fromUtf8(m_urls.value(0)) : QString::fromUtf8(m_current);
    s.state = state;
    s.error = error;
    s.serverVersion = m_serverVersion;
    if (state == SourceState::Connected) {
        s.lastSeen = QDateTime::fromMSecsSinceEpoch(m_store->now());
        m_lastSeenWrittenMs = m_store->now();
    }
    m_store->setMarathonStatus(s);
}

void MarathonConnector::touchLastSeen()
{
    if (!m_store || m_store->now() - m_lastSeenWrittenMs < kLastSeenResolutionMs)
        return;
    HostStatus s = m_store->marathonStatus();
    if (s.state != SourceState::Connected)
        return;
    s.lastSeen = QDateTime::fromMSecsSinceEpoch(m_store->now());
    m_lastSeenWrittenMs = m_store->now();
    m_store->setMarathonStatus(s);
}

void MarathonConnector::fail(const QString &reason)
{
    if (!m_running)
        return;
    ++m_generation;
    dropRequests();
    setStatus(SourceState::Unreachable, reason);
    emit failed(reason);
    m_backoffMs = m_backoffMs == 0 ? m_timings.reconnectInitialMs
                                   : std::min(m_backoffMs * 2, m_timings.reconnectMaxMs);
    // The next attempt asks the other masters first: this one may be the one that is gone.
    if (m_currentIndex >= 0)
        m_currentIndex = int((m_currentIndex + 1) % m_urls.size());
    m_reconnectTimer.start(m_backoffMs);
}

void MarathonConnector::connectToMarathon()
{
    if (!m_http || !m_store || !m_running)
        return;
    ++m_generation;
    dropRequests();
    discoverLeader(std::max(0, m_currentIndex), 0, {});
}

void MarathonConnector::discoverLeader(int index, int tried, QStringList errors)
{
    if (tried >= m_urls.size()) {
        fail(tr("no Marathon master answered: %1").arg(errors.join(QLatin1String("; "))));
        return;
    }
    const int generation = m_generation;
    const QByteArray base = m_urls.at(index);
    // /v2/info answers on every master, with the leader and the version (reference 2.7).
    HttpReply *reply = m_http->send(endpoint(base), request("GET", "/v2/info"));
    m_requests << reply;
    connect(reply, &HttpReply::finished, this, [=, this] {
        reply->deleteLater();
        m_requests.removeAll(reply);
        if (generation != m_generation)
            return;
        QStringList tally = errors;
        if (reply->ok()) {
            const auto info = parseMarathonLeader(reply->body());
            if (info.ok()) {
                m_serverVersion = info.value().version;
                const int leader = configuredIndexOf(hostPortOf(info.value().leader));
                // A leader that is not configured is not sent our credentials; this master
                // forwards to it (reference 2.1).
                m_currentIndex = leader >= 0 ? leader : index;
                m_current = m_urls.at(m_currentIndex);
                openEventStream();
                return;
            }
            tally << tr("%1: GET /v2/info: %2").arg(QString::fromUtf8(base), info.error());
        } else {
            tally << reply->errorString();
        }
        discoverLeader(int((index + 1) % m_urls.size()), tried + 1, tally);
    });
}

void MarathonConnector::openEventStream()
{
    const int generation = m_generation;
    QByteArray path = "/v2/events";
    QByteArrayList filter;
    for (const QString &type : marathonEventTypes())
        filter << "event_type=" + type.toLatin1();
    path += '?' + filter.join('&');
    HttpRequest r = request("GET", path);
    r.headers[0] = HttpHeader{"Accept", "text/event-stream"}; // else 405 (reference 2.6)
    r.stream = true;
    r.timeoutMs = 0;
    r.headersTimeoutMs = std::min(m_timings.streamHeadersTimeoutMs, m_requestTimeoutMs);
    r.maxRedirects = kMaxRedirects;
    r.maxBodyBytes = SseParser::kMaxEventBytes; // what is pending at once, not the whole stream
    HttpReply *reply = m_http->send(endpoint(m_current), r);
    m_events = reply;
    connect(reply, &HttpReply::headersReceived, this, [this, reply, generation](int status) {
        if (generation != m_generation || status != 200)
            return; // finished() reports a refusal with the server's message
        // A non-leader redirected us to the leader: talk to it directly from now on.
        const QByteArray url = reply->effectiveUrl();
        const qsizetype cut = url.indexOf("/v2/events");
        if (reply->redirectCount() > 0 && cut > 0) {
            const int leader = configuredIndexOf(hostPortOf(QString::fromUtf8(url.left(cut))));
            if (leader >= 0) {
                m_currentIndex = leader;
                m_current = m_urls.at(leader);
            }
        }
        m_streamAge.start();
        m_silenceTimer.start(m_timings.streamSilenceMs);
        m_safetyTimer.start(m_timings.safetyResyncMs);
        // Subscribed before reading: nothing that happens from here on can be missed.
        m_syncPending = AppsKind | DeploymentsKind;
        m_dirty = AppsKind | DeploymentsKind;
        readNow();
    });
    connect(reply, &HttpReply::dataReceived, this, [this, generation](const QByteArray &chunk) {
        if (generation == m_generation)
            onEventData(chunk);
    });
    connect(reply, &HttpReply::finished, this, [this, reply, generation] {
        reply->deleteLater();
        if (generation != m_generation)
            return;
        const QString reason =
            reply->ok() ? tr("%1: the event stream was closed").arg(QString::fromUtf8(m_current))
                        : reply->errorString();
        const bool synced = m_streamAge.isValid() && m_syncPending == 0;
        if (synced && m_streamAge.elapsed() >= kHealthyStreamMs)
            m_quickReconnects = 0;
        m_streamAge.invalidate();
        if (!synced || m_quickReconnects >= kMaxQuickReconnects) {
            fail(reason);
            return;
        }
        ++m_quickReconnects;
        // A leader change or a dropped connection: ask the masters at once. The data shown
        // stays "connected" unless no master answers (then fail() says why).
        ++m_generation;
        dropRequests();
        discoverLeader(std::max(0, m_currentIndex), 0, {reason});
    });
}

void MarathonConnector::onEventData(const QByteArray &chunk)
{
    // Any byte, a keep-alive comment included, proves the stream alive.
    m_silenceTimer.start(m_timings.streamSilenceMs);
    touchLastSeen();
    for (const SseEvent &sse : m_sse.feed(chunk)) {
        const auto event = parseMarathonEvent(sse.data);
        if (!event.ok()) {
            // Unreadable, so maybe relevant: re-read both.
            qWarning("marathon %s: unreadable event: %s",
                     m_current.constData(),
                     qPrintable(event.error()));
            scheduleRefresh(AppsKind | DeploymentsKind);
            continue;
        }
        scheduleRefresh(int(marathonRefreshFor(event.value().eventType)));
    }
}

void MarathonConnector::noteLeaderHeader(const HttpReply *reply)
{
    const QByteArray header = reply->header("X-Marathon-Leader");
    if (header.isEmpty() || m_current.isEmpty())
        return;
    const QString leader = hostPortOf(QString::fromUtf8(header));
    if (leader == hostPortOf(QString::fromUtf8(m_current)))
        return;
    const int index = configuredIndexOf(leader);
    if (index < 0)
        return;
    // The leader moved: follow it, events and all (the reads there resync everything).
    ++m_generation;
    dropRequests();
    m_currentIndex = index;
    m_current = m_urls.at(index);
    openEventStream();
}

void MarathonConnector::refresh()
{
    scheduleRefresh(AppsKind | DeploymentsKind);
}

void MarathonConnector::scheduleRefresh(int kinds)
{
    if (kinds == 0 || !m_events)
        return;
    m_dirty |= kinds;
    if (!m_coalesceTimer.isActive())
        m_coalesceTimer.start(m_timings.coalesceMs);
}

void MarathonConnector::readNow()
{
    // At most one read per kind in flight; a kind still in flight is read again when it lands.
    if ((m_dirty & AppsKind) && !m_appsRead)
        readApps();
    if ((m_dirty & DeploymentsKind) && !m_deploymentsRead)
        readDeployments();
}

void MarathonConnector::readApps()
{
    // Counts and deployments come whatever we ask (reference 2.2).
    read(AppsKind,
         "/v2/apps?embed=apps.tasks&embed=apps.lastTaskFailure",
         m_appsRead,
         [this](const QByteArray &body) -> std::optional<QString> {
             const auto parsed = parseMarathonApps(body);
             if (!parsed.ok())
                 return tr("GET /v2/apps: %1").arg(parsed.error());
             m_store->setApps(parsed.value().apps, parsed.value().tasks);
             return std::nullopt;
         });
}

void MarathonConnector::readDeployments()
{
    read(DeploymentsKind,
         "/v2/deployments",
         m_deploymentsRead,
         [this](const QByteArray &body) -> std::optional<QString> {
             const auto parsed = parseMarathonDeployments(body);
             if (!parsed.ok())
                 return tr("GET /v2/deployments: %1").arg(parsed.error());
             m_store->setDeployments(parsed.value());
             return std::nullopt;
         });
}

void MarathonConnector::read(int kind,
                             const QByteArray &path,
                             QPointer<HttpReply> &inFlight,
                             const std::function<std::optional<QString>(const QByteArray &)> &land)
{
    m_dirty &= ~kind;
    const int generation = m_generation;
    const QByteArray base = m_current;
    HttpReply *reply = m_http->send(endpoint(base), request("GET", path));
    inFlight = reply;
    m_requests << reply;
    connect(
        reply, &HttpReply::finished, this, [this, reply, generation, base, kind, &inFlight, land] {
            reply->deleteLater();
            m_requests.removeAll(reply);
            if (generation != m_generation)
                return;
            inFlight = nullptr;
            if (!reply->ok()) {
                fail(reply->errorString());
                return;
            }
            if (const auto error = land(reply->body())) {
                fail(tr("%1: %2").arg(QString::fromUtf8(base), *error));
                return;
            }
            touchLastSeen();
            readDone(kind);
            if (generation == m_generation)
                noteLeaderHeader(reply);
        });
}

void MarathonConnector::readDone(int kind)
{
    if (m_syncPending & kind) {
        m_syncPending &= ~kind;
        if (m_syncPending == 0) {
            m_backoffMs = 0;
            setStatus(SourceState::Connected);
            emit synced();
        }
    }
    if ((m_dirty & kind) && !m_coalesceTimer.isActive())
        m_coalesceTimer.start(m_timings.coalesceMs);
}

// ------------------------------------------------------------------------------------- actions

void MarathonConnector::finishAction(const MarathonActionRequest &request,
                                     bool ok,
                                     const QString &message,
                                     const QString &deploymentId)
{
    emit actionFinished(request, ok, message, deploymentId);
}

void MarathonConnector::requestAction(const MarathonActionRequest &req)
{
    // Refusals are answered on the next turn, like every other answer.
    auto refuse = [this, req](const QString &message) {
        QTimer::singleShot(0, this, [this, req, message] { finishAction(req, false, message); });
    };
    if (!m_configError.isEmpty() || !m_http) {
        refuse(m_configError.isEmpty() ? tr("no HTTP client") : m_configError);
        return;
    }
    const QByteArray force = req.force ? "?force=true" : "";
    switch (req.action) {
    case MarathonAction::RestartApp:
    case MarathonAction::ScaleApp:
    case MarathonAction::UpdateImage: {
        const QByteArray path = appPath(req.appId);
        if (path.isEmpty()) {
            refuse(tr("'%1' is not a Marathon app id").arg(req.appId));
            return;
        }
        if (req.action == MarathonAction::RestartApp) {
            sendAction(req, "POST", path + "/restart" + force, {});
        } else if (req.action == MarathonAction::ScaleApp) {
            if (req.instances < 0) {
                refuse(tr("cannot scale %1 to %2 instances").arg(req.appId).arg(req.instances));
                return;
            }
            QJsonObject body;
            body.insert(QLatin1String("instances"), req.instances);
            sendAction(
                req, "PUT", path + force, QJsonDocument(body).toJson(QJsonDocument::Compact));
        } else {
            // Read the whole container first: a PUT replaces it entirely (reference 2.4).
            HttpReply *reply = m_http->send(
                endpoint(m_current.isEmpty() ? m_urls.first() : m_current), request("GET", path));
            m_actions << reply;
            connect(reply, &HttpReply::finished, this, [this, reply, req, path, force] {
                reply->deleteLater();
                m_actions.removeAll(reply);
                if (!reply->ok()) {
                    finishAction(req,
                                 false,
                                 reply->transportFailed()
                                     ? reply->errorString()
                                     : describeMarathonError(reply->status(), reply->body()));
                    return;
                }
                const auto body = marathonImageUpdateBody(reply->body(), req.image);
                if (!body.ok()) {
                    finishAction(req, false, tr("%1: %2").arg(req.appId, body.error()));
                    return;
                }
                sendAction(req, "PUT", path + force, body.value());
            });
        }
        return;
    }
    case MarathonAction::RollbackDeployment:
    case MarathonAction::ForceCancelDeployment: {
        const QByteArray path = deploymentPath(req.deploymentId);
        if (path.isEmpty()) {
            refuse(tr("'%1' is not a deployment id").arg(req.deploymentId));
            return;
        }
        sendAction(req,
                   "DELETE",
                   req.action == MarathonAction::ForceCancelDeployment ? path + "?force=true"
                                                                       : path,
                   {});
        return;
    }
    }
    refuse(tr("unknown Marathon action"));
}

void MarathonConnector::sendAction(const MarathonActionRequest &req,
                                   const QByteArray &method,
                                   const QByteArray &path,
                                   const QByteArray &body)
{
    HttpRequest r = request(method, path);
    if (!body.isEmpty()) {
        r.body = body;
        r.contentType = "application/json";
    }
    HttpReply *reply = m_http->send(endpoint(m_current.isEmpty() ? m_urls.first() : m_current), r);
    m_actions << reply;
    connect(reply, &HttpReply::finished, this, [this, reply, req] {
        reply->deleteLater();
        m_actions.removeAll(reply);
        if (reply->transportFailed()) {
            // The request may have reached Marathon: say so, and never send it again.
            finishAction(req,
                         false,
                         tr("%1 — Marathon may have applied it; check its deployments")
                             .arg(reply->errorString()));
            return;
        }
        if (!reply->ok()) {
            finishAction(req, false, describeMarathonError(reply->status(), reply->body()));
            return;
        }
        scheduleRefresh(AppsKind | DeploymentsKind);
        QString deploymentId = QString::fromUtf8(reply->header("Marathon-Deployment-Id"));
        if (deploymentId.isEmpty() && !reply->body().isEmpty()) {
            const auto parsed = parseMarathonDeploymentId(reply->body());
            if (parsed.ok())
                deploymentId = parsed.value();
        }
        QString message;
        switch (req.action) {
        case MarathonAction::RestartApp:
            message = tr("restarting %1 (deployment %2)").arg(req.appId, deploymentId);
            break;
        case MarathonAction::ScaleApp:
            message = tr("scaling %1 to %2 instances (deployment %3)")
                          .arg(req.appId)
                          .arg(req.instances)
                          .arg(deploymentId);
            break;
        case MarathonAction::UpdateImage:
            message = tr("moving %1 to %2 (deployment %3)").arg(req.appId, req.image, deploymentId);
            break;
        case MarathonAction::RollbackDeployment:
            message = tr("rolling back deployment %1 (deployment %2)")
                          .arg(req.deploymentId, deploymentId);
            break;
        case MarathonAction::ForceCancelDeployment:
            // 202 without a body (reference 2.5).
            deploymentId.clear();
            message = tr("deployment %1 cancelled without rollback: tasks may run mixed versions")
                          .arg(req.deploymentId);
            break;
        }
        finishAction(req, true, message, deploymentId);
    });
}

} // namespace Opsdeck::Connectors
