// SPDX-License-Identifier: MIT
#include "connectors/webhook/webhooknotifier.h"

#include <algorithm>
#include <chrono>

namespace Opsdeck::Connectors {

using Models::Alert;
using Models::AlertRecord;
using Models::WebhookConfig;

namespace {

// Receivers answer in milliseconds; what they say back is only read for an error message.
constexpr qint64 kMaxAnswerBytes = 64 * 1024;
// A receiver that takes longer than this to accept a connection is down for our purposes.
constexpr int kConnectTimeoutMs = 5000;

int rank(Alert::Severity severity)
{
    return severity == Alert::Severity::Critical ? 1 : 0;
}

} // namespace

qint64 WebhookRetryPolicy::backoffMs(int failedAttempts) const
{
    qint64 delay = std::max<qint64>(initialBackoffMs, 1);
    for (int i = 1; i < failedAttempts && delay < maxBackoffMs; ++i)
        delay *= 2;
    return std::min(delay, std::max<qint64>(maxBackoffMs, 1));
}

WebhookNotifier::WebhookNotifier(const QList<WebhookConfig> &webhooks,
                                 HttpClient *http,
                                 QObject *parent)
    : QObject(parent)
    , m_http(http)
    , m_version(QStringLiteral(OPSDECK_VERSION))
    , m_clock([] {
        return qint64(std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count());
    })
{
    for (qsizetype i = 0; i < webhooks.size(); ++i) {
        const WebhookConfig &config = webhooks.at(i);
        const QString path = QStringLiteral("settings.alerts.webhooks[%1]").arg(i);
        Hook hook;
        hook.config = config;
        QString url = config.url;
        if (!config.urlEnv.isEmpty()) {
            url = qEnvironmentVariable(qPrintable(config.urlEnv)).trimmed();
            if (url.isEmpty()) {
                m_errors << tr("%1.url_env: the variable %2 is not set").arg(path, config.urlEnv);
                continue;
            }
        }
        hook.target = webhookTarget(url);
        if (hook.target.endpoint.baseUrl.isEmpty()) {
            // The URL may be a secret: name where it came from, not what it is.
            m_errors << tr("%1: the URL is not an http:// or https:// URL with a host").arg(path);
            continue;
        }
        if (!config.headersEnv.isEmpty()) {
            if (!qEnvironmentVariableIsSet(qPrintable(config.headersEnv))) {
                m_errors << tr("%1.headers_env: the variable %2 is not set")
                                .arg(path, config.headersEnv);
                continue;
            }
            const auto headers =
                parseWebhookHeaders(qEnvironmentVariable(qPrintable(config.headersEnv)));
            if (!headers.ok()) {
                m_errors
                    << tr("%1.headers_env: %2: %3").arg(path, config.headersEnv, headers.error());
                continue;
            }
            hook.headers = headers.value();
        }
        hook.shownPath = QString::fromUtf8(hook.target.path);
        const qsizetype q = hook.shownPath.indexOf(QLatin1Char('?'));
        if (q >= 0)
            hook.shownPath.truncate(q);
        m_hooks << hook;
    }
    m_states.resize(m_hooks.size());
    m_lanes.resize(m_hooks.size());
    m_queued.fill(0, m_hooks.size());
    m_release.setSingleShot(true);
    connect(&m_release, &QTimer::timeout, this, &WebhookNotifier::releaseHeld);
}

WebhookNotifier::~WebhookNotifier()
{
    for (QHash<QString, Lane> &lanes : m_lanes) {
        for (Lane &lane : lanes)
            abortAndDelete(lane.reply.data());
    }
}

QStringList WebhookNotifier::webhookNames() const
{
    QStringList names;
    for (const Hook &hook : m_hooks)
        names << hook.config.name;
    return names;
}

void WebhookNotifier::setClock(std::function<qint64()> clock)
{
    m_clock = std::move(clock);
}

void WebhookNotifier::attach(Models::AlertBoard *board)
{
    connect(board, &Models::AlertBoard::raised, this, &WebhookNotifier::alertRaised);
    connect(board, &Models::AlertBoard::updated, this, &WebhookNotifier::alertUpdated);
    connect(board, &Models::AlertBoard::resolved, this, &WebhookNotifier::alertResolved);
}

QString WebhookNotifier::idOf(const Alert &alert)
{
    return alert.environment + QLatin1Char('\n') + alert.key;
}

bool WebhookNotifier::wanted(const Hook &hook, const Alert &alert) const
{
    return rank(alert.severity) >= rank(hook.config.minSeverity);
}

void WebhookNotifier::alertRaised(const AlertRecord &record)
{
    const QString id = idOf(record.alert);
    const qint64 now = m_clock();
    for (int h = 0; h < m_hooks.size(); ++h) {
        if (!wanted(m_hooks.at(h), record.alert))
            continue;
        QHash<QString, KeyState> &states = m_states[h];
        const auto it = states.find(id);
        if (it != states.end()) {
            if (it->phase == Phase::Held) {
                // Back within the cooldown: as far as this webhook knows it never ended.
                it->phase = Phase::Firing;
                it->held = {};
                emit suppressed(
                    m_hooks.at(h).config.name, record.alert.environment, record.alert.key);
            }
            continue;
        }
        states.insert(id, KeyState{Phase::Firing, now, {}});
        enqueue(h, record, WebhookEvent::Firing);
    }
}

void WebhookNotifier::alertUpdated(const AlertRecord &record)
{
    const QString id = idOf(record.alert);
    for (int h = 0; h < m_hooks.size(); ++h) {
        if (wanted(m_hooks.at(h), record.alert) && !m_states.at(h).contains(id)) {
            alertRaised(record);
            return; // alertRaised went over every webhook
        }
    }
}

void WebhookNotifier::alertResolved(const AlertRecord &record)
{
    const QString id = idOf(record.alert);
    const qint64 now = m_clock();
    for (int h = 0; h < m_hooks.size(); ++h) {
        QHash<QString, KeyState> &states = m_states[h];
        const auto it = states.find(id);
        if (it == states.end() || it->phase != Phase::Firing)
            continue; // its firing was never sent here (below the minimum severity)
        if (now - it->lastFiringMs >= m_hooks.at(h).config.cooldownMs) {
            states.erase(it);
            enqueue(h, record, WebhookEvent::Resolved);
            continue;
        }
        it->phase = Phase::Held;
        it->held = record;
    }
    scheduleRelease();
}

void WebhookNotifier::releaseHeld()
{
    const qint64 now = m_clock();
    for (int h = 0; h < m_hooks.size(); ++h) {
        QHash<QString, KeyState> &states = m_states[h];
        for (auto it = states.begin(); it != states.end();) {
            if (it->phase == Phase::Held
                && now - it->lastFiringMs >= m_hooks.at(h).config.cooldownMs) {
                const AlertRecord record = it->held;
                it = states.erase(it);
                enqueue(h, record, WebhookEvent::Resolved);
            } else {
                ++it;
            }
        }
    }
    scheduleRelease();
}

void WebhookNotifier::scheduleRelease()
{
    const qint64 now = m_clock();
    qint64 next = -1;
    for (int h = 0; h < m_hooks.size(); ++h) {
        for (const KeyState &state : m_states.at(h)) {
            if (state.phase != Phase::Held)
                continue;
            const qint64 due =
                std::max<qint64>(0, state.lastFiringMs + m_hooks.at(h).config.cooldownMs - now);
            next = next < 0 ? due : std::min(next, due);
        }
    }
    if (next < 0) {
        m_release.stop();
        return;
    }
    // The clock may be a test's; never spin on a due time that does not move.
    m_release.start(int(std::clamp<qint64>(next, 10, 24 * 3600 * 1000)));
}

int WebhookNotifier::pendingCount() const
{
    int n = 0;
    for (const int queued : m_queued)
        n += queued;
    return n;
}

int WebhookNotifier::heldCount() const
{
    int n = 0;
    for (const auto &states : m_states) {
        for (const KeyState &state : states)
            n += state.phase == Phase::Held ? 1 : 0;
    }
    return n;
}

void WebhookNotifier::enqueue(int hook, const AlertRecord &record, WebhookEvent event)
{
    const Hook &h = m_hooks.at(hook);
    if (m_queued.at(hook) >= kMaxQueuedPerWebhook) {
        emit failed(h.config.name,
                    record.alert.environment,
                    record.alert.key,
                    event,
                    0,
                    tr("%1 messages are already waiting for this webhook: dropped")
                        .arg(kMaxQueuedPerWebhook));
        return;
    }
    const QString id = idOf(record.alert);
    Lane &lane = m_lanes[hook][id];
    lane.queue << Delivery{record.alert.environment,
                           record.alert.key,
                           event,
                           webhookBody(h.config.format, record, event, m_version),
                           0};
    ++m_queued[hook];
    if (lane.queue.size() == 1)
        startHead(hook, id);
}

void WebhookNotifier::startHead(int hook, const QString &id)
{
    const auto it = m_lanes[hook].find(id);
    if (it == m_lanes[hook].end() || it->queue.isEmpty() || it->reply)
        return;
    if (!m_http) {
        it->queue.first().attempts = m_retry.maxAttempts;
        finishHead(hook, id);
        return;
    }
    const Hook &h = m_hooks.at(hook);
    Delivery &d = it->queue.first();
    ++d.attempts;
    HttpRequest request;
    request.method = "POST";
    request.path = h.target.path;
    request.body = d.body;
    request.contentType = "application/json";
    request.headers = h.headers;
    request.timeoutMs = int(h.config.timeoutMs);
    request.connectTimeoutMs = int(std::min<qint64>(h.config.timeoutMs, kConnectTimeoutMs));
    request.maxBodyBytes = kMaxAnswerBytes;
    HttpReply *reply = m_http->send(h.target.endpoint, request);
    it->reply = reply;
    connect(
        reply, &HttpReply::finished, this, [this, hook, id, reply] { onReply(hook, id, reply); });
}

void WebhookNotifier::onReply(int hook, const QString &id, HttpReply *reply)
{
    reply->deleteLater();
    const auto it = m_lanes[hook].find(id);
    if (it == m_lanes[hook].end() || it->reply != reply || it->queue.isEmpty())
        return;
    it->reply = nullptr;
    const Hook &h = m_hooks.at(hook);
    const Delivery &d = it->queue.first();
    if (reply->ok()) {
        emit sent(h.config.name, d.environment, d.key, d.event, d.attempts);
        finishHead(hook, id);
        return;
    }
    // Network errors and 5xx may pass; a 4xx says this message will never be accepted.
    const bool transient = reply->transportFailed() || reply->status() >= 500;
    QString error =
        reply->transportFailed() ? reply->errorString() : tr("HTTP %1").arg(reply->status());
    if (!h.shownPath.isEmpty() && h.shownPath != QLatin1String("/"))
        error.replace(h.shownPath, QStringLiteral("/…"));
    if (transient && d.attempts < m_retry.maxAttempts) {
        const qint64 delay = m_retry.backoffMs(d.attempts);
        emit retrying(h.config.name, d.key, d.attempts, delay);
        QTimer::singleShot(int(delay), this, [this, hook, id] { startHead(hook, id); });
        return;
    }
    emit failed(h.config.name, d.environment, d.key, d.event, d.attempts, error);
    finishHead(hook, id);
}

void WebhookNotifier::finishHead(int hook, const QString &id)
{
    const auto it = m_lanes[hook].find(id);
    if (it == m_lanes[hook].end() || it->queue.isEmpty())
        return;
    it->queue.removeFirst();
    --m_queued[hook];
    if (it->queue.isEmpty()) {
        m_lanes[hook].erase(it);
        return;
    }
    startHead(hook, id);
}

} // namespace Opsdeck::Connectors
