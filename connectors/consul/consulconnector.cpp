// SPDX-License-Identifier: MIT
#include "connectors/consul/consulconnector.h"

#include <QDateTime>
#include <QUrl>

#include <algorithm>
#include <limits>

namespace Opsdeck::Connectors {

using namespace Opsdeck::Models;

namespace {

// Consul's own cap on ?wait (API reference §4.3).
constexpr qint64 kMaxWaitMs = 10 * 60 * 1000;

int clampToInt(qint64 v)
{
    return int(std::clamp<qint64>(v, 0, std::numeric_limits<int>::max()));
}

} // namespace

ConsulConnector::ConsulConnector(const ConsulConfig &config,
                                 KvStore *store,
                                 HttpClient *http,
                                 QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_store(store)
    , m_http(http)
{
    m_base = httpBaseUrl(config.url);
    if (m_base.isEmpty())
        m_configError = tr("Consul URL '%1' is not an http(s) URL").arg(config.url);
    if (m_config.timeoutMs <= 0)
        m_config.timeoutMs = 10000;
    m_config.waitMs = std::clamp<qint64>(m_config.waitMs, 1000, kMaxWaitMs);

    // Keys keep their '/': they are the path below /v1/kv/.
    m_kv.path = "/v1/kv/" + QUrl::toPercentEncoding(config.prefix, "/") + "?recurse";
    m_kv.land = [this](int status, const QByteArray &body) { return landKv(status, body); };
    m_kv.failed = [this](const QString &reason) {
        setStatus(SourceState::Unreachable, reason);
        emit failed(reason);
    };
    m_health.path = "/v1/health/state/any";
    m_health.land = [this](int status, const QByteArray &body) { return landChecks(status, body); };
    m_health.failed = [this](const QString &reason) { emit checksFailed(reason); };
    setupLoop(m_kv);
    setupLoop(m_health);
}

ConsulConnector::~ConsulConnector()
{
    stop();
    abortAndDelete(m_writes);
}

void ConsulConnector::setTimings(const ConsulTimings &timings)
{
    m_timings = timings;
    m_kv.limiter = ConsulRateLimiter(timings.rateBurst, timings.rateRefillMs);
    m_health.limiter = ConsulRateLimiter(timings.rateBurst, timings.rateRefillMs);
}

void ConsulConnector::setupLoop(Loop &loop)
{
    loop.limiter = ConsulRateLimiter(m_timings.rateBurst, m_timings.rateRefillMs);
    loop.clock.start();
    loop.timer.setSingleShot(true);
    connect(&loop.timer, &QTimer::timeout, this, [this, &loop] { schedule(loop); });
}

void ConsulConnector::start()
{
    if (m_running)
        return;
    m_running = true;
    if (m_configError.isEmpty() && !m_config.tokenEnv.isEmpty()) {
        const QByteArray name = m_config.tokenEnv.toLocal8Bit();
        if (!qEnvironmentVariableIsSet(name.constData()))
            m_configError = tr("the environment variable %1 (the Consul ACL token) is not set")
                                .arg(m_config.tokenEnv);
        else
            m_token = qgetenv(name.constData()).trimmed();
    }
    if (!m_configError.isEmpty()) {
        setStatus(SourceState::Unreachable, m_configError);
        emit failed(m_configError);
        return;
    }
    setStatus(SourceState::Connecting);
    m_kv.index = 0;
    m_health.index = 0;
    schedule(m_kv);
    schedule(m_health);
}

void ConsulConnector::stop()
{
    m_running = false;
    for (Loop *loop : {&m_kv, &m_health}) {
        loop->timer.stop();
        abortAndDelete(loop->reply);
        loop->reply = nullptr;
        loop->synced = false;
    }
}

QList<ConsulCheck> ConsulConnector::alerts() const
{
    QList<ConsulCheck> out;
    std::copy_if(m_checks.cbegin(), m_checks.cend(), std::back_inserter(out), [](const auto &c) {
        return c.isAlert();
    });
    return out;
}

HttpRequest ConsulConnector::request(const QByteArray &method, const QByteArray &path) const
{
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.timeoutMs = clampToInt(m_config.timeoutMs);
    r.connectTimeoutMs = std::min(m_timings.connectTimeoutMs, r.timeoutMs);
    // In a header, never ?token=: a query string ends up in access logs (reference §4.1).
    if (!m_token.isEmpty())
        r.headers << HttpHeader{"X-Consul-Token", m_token};
    return r;
}

QByteArray ConsulConnector::withQuery(const QByteArray &path, const QByteArray &query) const
{
    QByteArray out = path;
    auto add = [&out](const QByteArray &item) { out += (out.contains('?') ? '&' : '?') + item; };
    if (!query.isEmpty())
        add(query);
    if (!m_config.datacenter.isEmpty())
        add("dc=" + QUrl::toPercentEncoding(m_config.datacenter));
    return out;
}

void ConsulConnector::schedule(Loop &loop)
{
    if (!m_running || loop.reply)
        return;
    const qint64 delay = loop.limiter.take(loop.clock.elapsed());
    if (delay > 0) {
        loop.timer.start(clampToInt(delay));
        return;
    }
    poll(loop);
}

void ConsulConnector::poll(Loop &loop)
{
    if (!m_http || !m_running)
        return;
    QByteArray query;
    HttpRequest r = request("GET", {});
    if (loop.index > 0) {
        query = "index=" + QByteArray::number(loop.index)
                + "&wait=" + QByteArray::number(m_config.waitMs) + "ms";
        // Consul may hold the answer up to wait + wait/16 (reference §4.3).
        r.timeoutMs = clampToInt(m_config.waitMs * 17 / 16 + m_config.timeoutMs);
    }
    r.path = withQuery(loop.path, query);
    HttpEndpoint endpoint;
    endpoint.baseUrl = m_base;
    HttpReply *reply = m_http->send(endpoint, r);
    loop.reply = reply;
    connect(reply, &HttpReply::finished, this, [this, reply, &loop] {
        reply->deleteLater();
        if (loop.reply != reply)
            return;
        loop.reply = nullptr;
        const bool empty = reply->status() == 404 && &loop == &m_kv && !reply->transportFailed();
        if (!reply->ok() && !empty) {
            loopFailed(loop, reply->errorString());
            return;
        }
        if (const auto error = loop.land(reply->status(), reply->body())) {
            loopFailed(loop, *error);
            return;
        }
        const auto returned = parseConsulIndex(reply->header("X-Consul-Index"));
        const quint64 next = nextConsulIndex(loop.index, returned);
        if (next == 0 && loop.index > 0)
            ++loop.resets;
        loop.index = next;
        loop.backoffMs = 0;
        loop.synced = true;
        schedule(loop);
    });
}

void ConsulConnector::loopFailed(Loop &loop, const QString &reason)
{
    if (!m_running)
        return;
    loop.index = 0; // a full, non-blocking re-read once Consul answers again
    loop.synced = false;
    loop.failed(reason);
    loop.backoffMs = loop.backoffMs == 0 ? m_timings.reconnectInitialMs
                                         : std::min(loop.backoffMs * 2, m_timings.reconnectMaxMs);
    loop.timer.start(loop.backoffMs);
}

std::optional<QString> ConsulConnector::landKv(int status, const QByteArray &body)
{
    if (!m_store)
        return std::nullopt;
    QList<KvEntry> entries;
    if (status != 404) { // 404 on ?recurse: nothing under the prefix (reference §4.2)
        auto parsed = parseConsulKv(body);
        if (!parsed.ok())
            return tr("Consul KV %1: %2").arg(QString::fromUtf8(m_kv.path), parsed.error());
        entries = std::move(parsed).value();
    }
    // A return does not prove a change (reference §4.3): setEntries announces only differences.
    m_store->setEntries(entries);
    setStatus(SourceState::Connected);
    emit kvSynced();
    return std::nullopt;
}

std::optional<QString> ConsulConnector::landChecks(int, const QByteArray &body)
{
    auto parsed = parseConsulChecks(body);
    if (!parsed.ok())
        return tr("Consul health %1: %2").arg(QString::fromUtf8(m_health.path), parsed.error());
    if (parsed.value() != m_checks || !m_health.synced) {
        m_checks = std::move(parsed).value();
        emit checksChanged(m_checks);
    }
    return std::nullopt;
}

void ConsulConnector::setStatus(SourceState state, const QString &error)
{
    if (!m_store)
        return;
    HostStatus s = m_store->status();
    const bool changed = s.state != state || s.error != error;
    s.id = QStringLiteral("consul");
    s.displayName = QStringLiteral("Consul");
    s.url = QString::fromUtf8(m_base);
    s.state = state;
    s.error = error;
    if (state == SourceState::Connected)
        s.lastSeen = QDateTime::currentDateTimeUtc();
    if (changed)
        s.since = QDateTime::currentDateTimeUtc();
    m_store->setStatus(s);
}

QByteArray ConsulConnector::keyPath(const QString &key) const
{
    const QStringList segments = key.split(QLatin1Char('/'));
    for (const QString &s : segments) {
        // curl would resolve dot segments and write somewhere else.
        if (s == QLatin1String(".") || s == QLatin1String(".."))
            return {};
    }
    if (key.isEmpty() || key.startsWith(QLatin1Char('/')))
        return {};
    return "/v1/kv/" + QUrl::toPercentEncoding(key, "/");
}

void ConsulConnector::putKey(const QString &key,
                             const QByteArray &value,
                             std::optional<quint64> cas)
{
    write("PUT", key, value, cas);
}

void ConsulConnector::deleteKey(const QString &key, std::optional<quint64> cas)
{
    write("DELETE", key, {}, cas);
}

void ConsulConnector::write(const QByteArray &method,
                            const QString &key,
                            const QByteArray &body,
                            std::optional<quint64> cas)
{
    auto refuse = [this, key](const QString &why) {
        QTimer::singleShot(0, this, [this, key, why] { emit writeFinished(key, false, why); });
    };
    if (!m_config.allowEdit)
        return refuse(tr("editing Consul keys is not enabled for this environment"));
    if (!m_configError.isEmpty() || !m_http)
        return refuse(m_configError.isEmpty() ? tr("no HTTP client") : m_configError);
    const QByteArray path = keyPath(key);
    if (path.isEmpty())
        return refuse(tr("'%1' is not a Consul key").arg(key));
    if (!m_running && !m_config.tokenEnv.isEmpty() && m_token.isEmpty())
        m_token = qgetenv(m_config.tokenEnv.toLocal8Bit().constData()).trimmed();
    const QByteArray casQuery = cas ? QByteArray("cas=" + QByteArray::number(*cas)) : QByteArray();
    HttpRequest r = request(method, withQuery(path, casQuery));
    r.body = body;
    if (method == "PUT")
        r.contentType = "application/octet-stream";
    HttpEndpoint endpoint;
    endpoint.baseUrl = m_base;
    HttpReply *reply = m_http->send(endpoint, r);
    m_writes << reply;
    connect(reply, &HttpReply::finished, this, [this, reply, key, cas, method] {
        reply->deleteLater();
        m_writes.removeAll(reply);
        if (!reply->ok()) {
            emit writeFinished(key, false, reply->errorString());
            return;
        }
        // Consul answers true or false; false is a failed check-and-set (reference §4.2).
        if (reply->body().trimmed() != "true") {
            const QString what = method == "PUT" ? tr("not written") : tr("not deleted");
            emit writeFinished(
                key,
                false,
                cas ? tr("%1: %2 changed since index %3 (check-and-set failed)")
                          .arg(what, key)
                          .arg(*cas)
                    : tr("%1: Consul answered '%2'")
                          .arg(what, QString::fromUtf8(reply->body().trimmed().left(100))));
            return;
        }
        emit writeFinished(key, true, {});
        // The blocking query brings the new value; nothing else to do.
    });
}

} // namespace Opsdeck::Connectors
