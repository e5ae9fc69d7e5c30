// SPDX-License-Identifier: MIT
#include "connectors/mesos/mesosconnector.h"

#include <QDateTime>

#include <algorithm>
#include <limits>

namespace Opsdeck::Connectors {

using namespace Opsdeck::Models;

namespace {

// Mesos 1.x masters redirect /master/state to the leader (reference 3.1): one hop is the norm.
constexpr int kMaxRedirects = 3;
const QByteArray kStatePath = "/master/state";

} // namespace

MesosConnector::MesosConnector(const MesosConfig &config,
                               MarathonStore *store,
                               HttpClient *http,
                               QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_http(http)
{
    for (const QString &u : config.urls) {
        const QByteArray base = httpBaseUrl(u);
        if (base.isEmpty()) {
            m_configError = tr("Mesos URL '%1' is not an http(s) URL").arg(u);
            break;
        }
        m_urls << base;
    }
    if (m_urls.isEmpty() && m_configError.isEmpty())
        m_configError = tr("no Mesos master URL configured");
    if (config.timeoutMs > 0)
        m_requestTimeoutMs =
            int(std::min<qint64>(config.timeoutMs, std::numeric_limits<int>::max()));
    m_pollTimer.setSingleShot(true);
    connect(&m_pollTimer, &QTimer::timeout, this, &MesosConnector::pollNow);
}

MesosConnector::~MesosConnector()
{
    stop();
}

void MesosConnector::start()
{
    if (m_running)
        return;
    m_running = true;
    if (!m_configError.isEmpty()) {
        setStatus(SourceState::Unreachable, m_configError);
        return;
    }
    pollNow();
}

void MesosConnector::stop()
{
    m_running = false;
    ++m_generation;
    m_pollTimer.stop();
    abortAndDelete(m_inFlight);
}

void MesosConnector::schedule(int ms)
{
    if (m_running)
        m_pollTimer.start(ms);
}

void MesosConnector::setStatus(SourceState state, const QString &error)
{
    if (!m_store)
        return;
    HostStatus s = m_store->mesosStatus();
    s.id = QStringLiteral("mesos");
    s.displayName = QStringLiteral("Mesos");
    s.url = QString::fromUtf8(m_leader.isEmpty() ? m_urls.value(0) : m_leader);
    s.state = state;
    s.error = error;
    s.serverVersion = m_serverVersion;
    if (state == SourceState::Connected)
        s.lastSeen = QDateTime::fromMSecsSinceEpoch(m_store->now());
    m_store->setMesosStatus(s);
}

void MesosConnector::pollNow()
{
    if (!m_running || !m_http || !m_store || m_inFlight || !m_configError.isEmpty())
        return;
    m_pollTimer.stop();
    // The last leader first, then every configured master.
    QList<QByteArray> candidates;
    if (!m_leader.isEmpty())
        candidates << m_leader;
    for (const QByteArray &u : std::as_const(m_urls)) {
        if (!candidates.contains(u))
            candidates << u;
    }
    tryMaster(candidates, 0, {});
}

void MesosConnector::tryMaster(const QList<QByteArray> &candidates,
                               int index,
                               const QStringList &errors)
{
    if (index >= candidates.size()) {
        const QString reason = errors.join(QLatin1String("; "));
        setStatus(SourceState::Unreachable, reason);
        m_backoffMs = m_backoffMs == 0 ? m_timings.retryInitialMs
                                       : std::min(m_backoffMs * 2, m_timings.retryMaxMs);
        schedule(m_backoffMs);
        emit polled(false);
        return;
    }
    const int generation = m_generation;
    HttpEndpoint endpoint;
    endpoint.baseUrl = candidates.at(index);
    HttpRequest r;
    r.path = kStatePath;
    r.timeoutMs = m_requestTimeoutMs;
    r.connectTimeoutMs = std::min(m_timings.connectTimeoutMs, m_requestTimeoutMs);
    r.maxRedirects = kMaxRedirects;
    r.headers << HttpHeader{"Accept", "application/json"};
    HttpReply *reply = m_http->send(endpoint, r);
    m_inFlight = reply;
    connect(reply, &HttpReply::finished, this, [=, this] {
        reply->deleteLater();
        if (generation != m_generation)
            return;
        m_inFlight = nullptr;
        QStringList tally = errors;
        if (!reply->ok()) {
            tally << reply->errorString();
            tryMaster(candidates, index + 1, tally);
            return;
        }
        // Where the redirects led: the leader, asked directly from now on.
        QByteArray answered = reply->effectiveUrl();
        const qsizetype cut = answered.lastIndexOf(kStatePath);
        if (cut > 0)
            answered.truncate(cut);
        const auto state = parseMesosState(reply->body());
        if (!state.ok()) {
            tally
                << tr("%1: GET /master/state: %2").arg(QString::fromUtf8(answered), state.error());
            tryMaster(candidates, index + 1, tally);
            return;
        }
        m_leader = answered;
        m_serverVersion = state.value().version;
        m_store->setAgents(state.value().agents);
        setStatus(SourceState::Connected);
        m_backoffMs = 0;
        schedule(m_timings.pollIntervalMs);
        emit polled(true);
    });
}

} // namespace Opsdeck::Connectors
