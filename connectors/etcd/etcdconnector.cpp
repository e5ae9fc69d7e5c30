// SPDX-License-Identifier: MIT
#include "connectors/etcd/etcdconnector.h"

#include <QDateTime>

#include <algorithm>
#include <limits>
#include <memory>

namespace Opsdeck::Connectors {

using namespace Opsdeck::Models;

namespace {

// A watch that ends after it was established is resumed at once from the next revision
// (reference 5.3), up to this many times in a row; then the failure goes through the backoff...
constexpr int kMaxQuickReconnects = 3;
// ...until a watch lives this long again.
constexpr qint64 kHealthyStreamMs = 10000;
// Compactions racing a re-read: give up (and back off) after this many re-reads in a row.
constexpr int kMaxResyncs = 5;

const QByteArray kRangePath = "/v3/kv/range";
const QByteArray kWatchPath = "/v3/watch";
const QByteArray kAuthPath = "/v3/auth/authenticate";
const QByteArray kTxnPath = "/v3/kv/txn";

} // namespace

EtcdConnector::EtcdConnector(const EtcdConfig &config,
                             KvStore *store,
                             HttpClient *http,
                             QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_prefix(config.prefix.toUtf8())
    , m_store(store)
    , m_http(http)
{
    for (const QString &u : config.urls) {
        const QByteArray base = httpBaseUrl(u);
        if (base.isEmpty()) {
            m_configError = tr("etcd URL '%1' is not an http(s) URL").arg(u);
            break;
        }
        m_urls << base;
    }
    if (m_urls.isEmpty() && m_configError.isEmpty())
        m_configError = tr("no etcd URL configured");
    if (m_prefix.isEmpty() && m_configError.isEmpty())
        m_configError = tr("no etcd prefix configured");
    if (config.timeoutMs > 0)
        m_requestTimeoutMs =
            int(std::min<qint64>(config.timeoutMs, std::numeric_limits<int>::max()));

    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &EtcdConnector::connectToEtcd);
    m_silenceTimer.setSingleShot(true);
    connect(&m_silenceTimer, &QTimer::timeout, this, [this] {
        // Not even a progress notification: the stream is dead though the socket is open.
        ++m_generation;
        dropRequests();
        openWatch(m_appliedRevision + 1);
    });
    connect(&m_probeTimer, &QTimer::timeout, this, &EtcdConnector::probe);
}

EtcdConnector::~EtcdConnector()
{
    stop();
    abortAndDelete(m_edits);
}

HttpEndpoint EtcdConnector::endpoint(const QByteArray &base) const
{
    HttpEndpoint e;
    e.baseUrl = base;
    return e;
}

HttpRequest EtcdConnector::request(const QByteArray &path, const QByteArray &body) const
{
    // Every RPC of the gateway is a POST with a JSON body, reads too (reference 5.1).
    HttpRequest r;
    r.method = "POST";
    r.path = path;
    r.body = body;
    r.contentType = "application/json";
    r.timeoutMs = m_requestTimeoutMs;
    r.connectTimeoutMs = std::min(m_timings.connectTimeoutMs, m_requestTimeoutMs);
    // The raw token, no "Bearer" (3.4 refuses that form, reference 5.4).
    if (!m_token.isEmpty() && path != kAuthPath)
        r.headers << HttpHeader{"Authorization", m_token};
    return r;
}

std::optional<EtcdError> EtcdConnector::errorOf(const HttpReply *reply) const
{
    if (reply->ok() || reply->transportFailed())
        return std::nullopt;
    return parseEtcdError(reply->status(), reply->body());
}

QString EtcdConnector::describe(const HttpReply *reply, const QByteArray &path) const
{
    if (!reply->isFinished() || reply->ok())
        return tr("POST %1 on %2").arg(QString::fromUtf8(path), QString::fromUtf8(m_current));
    // The request body (passwords, tokens) never reaches a message; errorString() has only the
    // method, the path, the status and etcd's own message.
    return reply->errorString();
}

void EtcdConnector::start()
{
    if (m_running)
        return;
    m_running = true;
    if (!m_configError.isEmpty()) {
        setStatus(SourceState::Unreachable, m_configError);
        emit failed(m_configError);
        return;
    }
    connectToEtcd();
}

void EtcdConnector::stop()
{
    m_running = false;
    ++m_generation;
    m_reconnectTimer.stop();
    dropRequests();
    m_resumable = m_resumable || m_synced;
    m_synced = false;
}

void EtcdConnector::dropRequests()
{
    m_silenceTimer.stop();
    m_probeTimer.stop();
    abortAndDelete(m_watch);
    abortAndDelete(m_probe);
    abortAndDelete(m_requests);
    m_lines = EtcdLineSplitter();
    m_probeMismatchRevision = -1;
}

void EtcdConnector::setStatus(SourceState state, const QString &error)
{
    if (!m_store)
        return;
    HostStatus s = m_store->status();
    s.id = QStringLiteral("etcd");
    s.displayName = QStringLiteral("etcd");
    s.url = QString::fromUtf8(m_current.isEmpty() ? m_urls.value(0) : m_current);
    s.apiVersion = QStringLiteral("v3");
    s.state = state;
    s.error = error;
    if (state == SourceState::Connected)
        s.lastSeen = QDateTime::currentDateTimeUtc();
    m_store->setStatus(s);
}

void EtcdConnector::fail(const QString &reason)
{
    if (!m_running)
        return;
    ++m_generation;
    dropRequests();
    m_synced = false;
    m_resumable = false; // a failure may hide anything: re-read in full
    setStatus(SourceState::Unreachable, reason);
    emit failed(reason);
    m_backoffMs = m_backoffMs == 0 ? m_timings.reconnectInitialMs
                                   : std::min(m_backoffMs * 2, m_timings.reconnectMaxMs);
    // The next attempt asks the next member first: this one may be the one that is gone.
    const qsizetype current = m_urls.indexOf(m_current);
    if (current >= 0)
        m_index = int((current + 1) % m_urls.size());
    m_reconnectTimer.start(m_backoffMs);
}

void EtcdConnector::connectToEtcd()
{
    if (!m_http || !m_store || !m_running)
        return;
    ++m_generation;
    dropRequests();
    tryMember(0, {});
}

void EtcdConnector::tryMember(int tried, QStringList errors)
{
    if (tried >= m_urls.size()) {
        fail(m_urls.size() == 1
                 ? errors.value(0)
                 : tr("no etcd member answered: %1").arg(errors.join(QLatin1String("; "))));
        return;
    }
    m_current = m_urls.at((m_index + tried) % m_urls.size());
    const int generation = m_generation;
    auto proceed = [this, generation, tried, errors](bool transport, const QString &error) {
        if (generation != m_generation)
            return;
        if (transport) {
            tryMember(tried + 1, errors + QStringList{error});
            return;
        }
        if (!error.isEmpty()) {
            fail(error);
            return;
        }
        if (m_resumable && m_appliedRevision > 0)
            openWatch(m_appliedRevision + 1);
        else
            readRange({}, 0, {});
    };
    if (!m_config.username.isEmpty() && m_token.isEmpty()) {
        authenticate(proceed);
        return;
    }
    // Without authentication the first read picks the member: a count is cheap.
    HttpReply *reply =
        m_http->send(endpoint(m_current), request(kRangePath, etcdCountBody(m_prefix)));
    m_requests << reply;
    connect(reply, &HttpReply::finished, this, [this, reply, proceed] {
        reply->deleteLater();
        m_requests.removeAll(reply);
        if (reply->transportFailed())
            proceed(true, reply->errorString());
        else if (!reply->ok() && !retryAfterInvalidToken(reply))
            proceed(false, describe(reply, kRangePath));
        else if (reply->ok())
            proceed(false, {});
    });
}

void EtcdConnector::authenticate(
    const std::function<void(bool transport, const QString &error)> &done)
{
    const QByteArray var = m_config.passwordEnv.toLocal8Bit();
    if (!m_config.passwordEnv.isEmpty() && !qEnvironmentVariableIsSet(var.constData())) {
        done(false,
             tr("the environment variable %1 (the etcd password of '%2') is not set")
                 .arg(m_config.passwordEnv, m_config.username));
        return;
    }
    // Read at each authentication: a rotated password is picked up without a restart.
    const QString password =
        m_config.passwordEnv.isEmpty() ? QString() : qEnvironmentVariable(var.constData());
    HttpReply *reply = m_http->send(
        endpoint(m_current), request(kAuthPath, etcdAuthenticateBody(m_config.username, password)));
    m_requests << reply;
    connect(reply, &HttpReply::finished, this, [this, reply, done] {
        reply->deleteLater();
        m_requests.removeAll(reply);
        if (reply->transportFailed()) {
            done(true, reply->errorString());
            return;
        }
        if (!reply->ok()) {
            done(false,
                 tr("authentication as '%1' failed: %2")
                     .arg(m_config.username, describe(reply, kAuthPath)));
            return;
        }
        const auto token = parseEtcdToken(reply->body());
        if (!token.ok()) {
            done(false, tr("%1: %2").arg(describe(reply, kAuthPath), token.error()));
            return;
        }
        m_token = token.value().toUtf8();
        done(false, {});
    });
}

bool EtcdConnector::retryAfterInvalidToken(const HttpReply *reply)
{
    if (m_config.username.isEmpty())
        return false;
    const auto error = errorOf(reply);
    if (!error || !error->invalidToken() || m_tokenRetries >= 1)
        return false;
    // Simple tokens expire (5 min by default, reference 5.4): authenticate again, once.
    ++m_tokenRetries;
    m_token.clear();
    m_resumable = m_resumable || m_synced;
    QTimer::singleShot(0, this, &EtcdConnector::connectToEtcd);
    ++m_generation;
    return true;
}

void EtcdConnector::readRange(const QByteArray &fromKey,
                              qint64 revision,
                              QList<EtcdKeyValue> collected)
{
    const int generation = m_generation;
    // Later pages read at the first page's revision: one consistent snapshot.
    HttpReply *reply = m_http->send(
        endpoint(m_current),
        request(kRangePath, etcdRangeBody(m_prefix, m_timings.rangePageSize, fromKey, revision)));
    m_requests << reply;
    connect(reply, &HttpReply::finished, this, [this, reply, generation, collected] {
        reply->deleteLater();
        m_requests.removeAll(reply);
        if (generation != m_generation)
            return;
        if (!reply->ok()) {
            const auto error = errorOf(reply);
            if (error && error->compacted()) {
                resync(tr("the revision being read was compacted"));
                return;
            }
            if (!retryAfterInvalidToken(reply))
                fail(describe(reply, kRangePath));
            return;
        }
        const auto range = parseEtcdRange(reply->body());
        if (!range.ok()) {
            fail(tr("%1: %2").arg(describe(reply, kRangePath), range.error()));
            return;
        }
        QList<EtcdKeyValue> all = collected;
        all += range.value().kvs;
        if (range.value().more && !range.value().kvs.isEmpty()) {
            readRange(range.value().kvs.last().key + '\0', range.value().revision, all);
            return;
        }
        QList<KvEntry> entries;
        entries.reserve(all.size());
        for (const EtcdKeyValue &kv : std::as_const(all))
            entries << kv.toEntry();
        m_store->setEntries(entries);
        m_appliedRevision = range.value().revision;
        openWatch(m_appliedRevision + 1);
    });
}

void EtcdConnector::openWatch(qint64 startRevision)
{
    const int generation = m_generation;
    HttpRequest r = request(kWatchPath, etcdWatchBody(m_prefix, startRevision));
    r.stream = true;
    r.timeoutMs = 0;
    r.headersTimeoutMs = std::min(m_timings.streamHeadersTimeoutMs, m_requestTimeoutMs);
    HttpReply *reply = m_http->send(endpoint(m_current), r);
    m_watch = reply;
    auto age = std::make_shared<QElapsedTimer>();
    connect(reply, &HttpReply::headersReceived, this, [this, generation, age](int status) {
        if (generation != m_generation || status != 200)
            return; // finished() reports a refusal with etcd's message
        age->start();
        m_silenceTimer.start(m_timings.streamSilenceMs);
    });
    connect(reply, &HttpReply::dataReceived, this, [this, generation](const QByteArray &chunk) {
        if (generation == m_generation)
            onWatchData(chunk);
    });
    connect(reply, &HttpReply::finished, this, [this, reply, generation, age] {
        reply->deleteLater();
        if (generation != m_generation)
            return;
        if (!reply->ok()) {
            const auto error = errorOf(reply);
            if (error && error->compacted()) {
                resync(tr("the watch start revision was compacted"));
                return;
            }
            if (!retryAfterInvalidToken(reply))
                fail(describe(reply, kWatchPath));
            return;
        }
        if (age->isValid() && age->elapsed() >= kHealthyStreamMs)
            m_quickReconnects = 0;
        if (!m_synced || m_quickReconnects >= kMaxQuickReconnects) {
            fail(tr("%1: the watch stream was closed").arg(QString::fromUtf8(m_current)));
            return;
        }
        ++m_quickReconnects;
        // Resume from the next revision: nothing is lost, nothing re-read (reference 5.3).
        ++m_generation;
        dropRequests();
        openWatch(m_appliedRevision + 1);
    });
}

void EtcdConnector::onWatchData(const QByteArray &chunk)
{
    m_silenceTimer.start(m_timings.streamSilenceMs);
    const QList<QByteArray> lines = m_lines.feed(chunk);
    if (m_lines.overflowed()) {
        fail(tr("%1: a watch message over %2 MiB")
                 .arg(QString::fromUtf8(m_current))
                 .arg(EtcdLineSplitter::kMaxLineBytes / (1024 * 1024)));
        return;
    }
    const int generation = m_generation;
    for (const QByteArray &line : lines) {
        const auto message = parseEtcdWatchResponse(line);
        if (!message.ok()) {
            // A message we cannot read may hide a change: nothing after it can be trusted.
            fail(tr("%1: watch: %2").arg(describe(m_watch, kWatchPath), message.error()));
            return;
        }
        onWatchMessage(message.value());
        if (generation != m_generation)
            return; // failed, or started over
    }
}

void EtcdConnector::onWatchMessage(const EtcdWatchResponse &message)
{
    if (message.error) {
        if (message.error->invalidToken() && !m_config.username.isEmpty() && m_tokenRetries < 1) {
            ++m_tokenRetries;
            m_token.clear();
            m_resumable = true;
            connectToEtcd();
            return;
        }
        fail(tr("%1: watch: %2").arg(QString::fromUtf8(m_current), message.error->message));
        return;
    }
    if (message.canceled) {
        if (message.compactRevision > 0) {
            resync(tr("revision %1 was compacted").arg(message.compactRevision));
            return;
        }
        fail(tr("%1: the watch was cancelled: %2")
                 .arg(QString::fromUtf8(m_current),
                      message.cancelReason.isEmpty() ? tr("no reason given")
                                                     : message.cancelReason));
        return;
    }
    if (message.created) {
        if (!m_synced) {
            m_synced = true;
            m_backoffMs = 0;
            m_tokenRetries = 0;
            m_resyncs = 0;
            setStatus(SourceState::Connected);
            m_probeTimer.start(m_timings.probeIntervalMs);
            emit synced();
        }
        return;
    }
    if (message.events.isEmpty()) {
        // A progress notification: every event up to its revision has been sent.
        m_appliedRevision = std::max(m_appliedRevision, message.revision);
        return;
    }
    for (const EtcdWatchEvent &event : message.events) {
        if (event.deleted)
            m_store->remove(QString::fromUtf8(event.kv.key));
        else
            m_store->put(event.kv.toEntry());
        m_appliedRevision = std::max(m_appliedRevision, event.kv.modRevision);
    }
}

void EtcdConnector::resync(const QString &why)
{
    if (++m_resyncs > kMaxResyncs) {
        fail(tr("%1: %2 (after %3 re-reads)")
                 .arg(QString::fromUtf8(m_current), why)
                 .arg(kMaxResyncs));
        return;
    }
    qInfo("etcd %s: reading %s again: %s",
          m_current.constData(),
          m_prefix.constData(),
          qPrintable(why));
    ++m_generation;
    dropRequests();
    m_synced = false; // status stays as it is; synced() comes again
    m_resumable = false;
    readRange({}, 0, {});
}

void EtcdConnector::probe()
{
    if (m_probe || !m_synced)
        return;
    const int generation = m_generation;
    HttpReply *reply =
        m_http->send(endpoint(m_current), request(kRangePath, etcdCountBody(m_prefix)));
    m_probe = reply;
    connect(reply, &HttpReply::finished, this, [this, reply, generation] {
        reply->deleteLater();
        if (generation != m_generation)
            return;
        m_probe = nullptr;
        if (!reply->ok()) {
            if (!retryAfterInvalidToken(reply))
                fail(describe(reply, kRangePath));
            return;
        }
        const auto range = parseEtcdRange(reply->body());
        if (!range.ok()) {
            fail(tr("%1: %2").arg(describe(reply, kRangePath), range.error()));
            return;
        }
        setStatus(SourceState::Connected);
        // A count that disagrees twice with nothing arriving in between: the watch missed
        // changes (a stream that stalled without closing). Read everything again.
        if (range.value().count == m_store->keys().size()) {
            m_probeMismatchRevision = -1;
        } else if (m_probeMismatchRevision == m_appliedRevision) {
            resync(tr("the watch missed changes (%1 keys in etcd, %2 here)")
                       .arg(range.value().count)
                       .arg(m_store->keys().size()));
        } else {
            m_probeMismatchRevision = m_appliedRevision;
        }
    });
}

// ---------------------------------------------------------------------------------- editing

void EtcdConnector::putKey(const QString &key, const QByteArray &value, qint64 expectedModRevision)
{
    sendEdit(key, value, expectedModRevision);
}

void EtcdConnector::deleteKey(const QString &key, qint64 expectedModRevision)
{
    sendEdit(key, std::nullopt, expectedModRevision);
}

void EtcdConnector::sendEdit(const QString &key,
                             const std::optional<QByteArray> &value,
                             qint64 expected)
{
    auto refuse = [this, key](const QString &message) {
        QTimer::singleShot(
            0, this, [this, key, message] { emit editFinished(key, false, message, 0); });
    };
    if (!m_configError.isEmpty() || !m_http) {
        refuse(m_configError.isEmpty() ? tr("no HTTP client") : m_configError);
        return;
    }
    if (!m_config.allowEdit) {
        refuse(tr("editing etcd keys is not enabled for this environment"));
        return;
    }
    const QByteArray k = key.toUtf8();
    if (!k.startsWith(m_prefix) || k.size() == m_prefix.size()) {
        refuse(tr("'%1' is not a key under %2").arg(key, m_config.prefix));
        return;
    }
    const QByteArray base = m_current.isEmpty() ? m_urls.first() : m_current;
    HttpReply *reply =
        m_http->send(endpoint(base), request(kTxnPath, etcdCasBody(k, value, expected)));
    m_edits << reply;
    connect(reply, &HttpReply::finished, this, [this, reply, key, expected] {
        reply->deleteLater();
        m_edits.removeAll(reply);
        if (reply->transportFailed()) {
            emit editFinished(
                key,
                false,
                tr("%1 — etcd may have applied it; check the key").arg(reply->errorString()),
                0);
            return;
        }
        if (!reply->ok()) {
            emit editFinished(key, false, reply->errorString(), 0);
            return;
        }
        const auto txn = parseEtcdTxn(reply->body());
        if (!txn.ok()) {
            emit editFinished(key, false, tr("POST /v3/kv/txn: %1").arg(txn.error()), 0);
            return;
        }
        if (!txn.value().succeeded) {
            const QString now =
                txn.value().current
                    ? tr("its revision is now %1").arg(txn.value().current->modRevision)
                    : tr("it does not exist");
            emit editFinished(key,
                              false,
                              expected == 0 ? tr("%1 was created meanwhile").arg(key)
                                            : tr("%1 was changed meanwhile: %2").arg(key, now),
                              txn.value().revision);
            return;
        }
        emit editFinished(key, true, {}, txn.value().revision);
    });
}

} // namespace Opsdeck::Connectors
