// SPDX-License-Identifier: MIT
#pragma once

#include "connectors/consul/consulparsers.h"
#include "connectors/http/httpclient.h"
#include "models/environmentsconfig.h"
#include "models/kvstore.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <optional>

namespace Opsdeck::Connectors {

/// Timings of a Consul connection; the defaults suit people, tests shorten them. The request
/// timeout and the blocking wait come from the configuration.
struct ConsulTimings
{
    int connectTimeoutMs = 3000;
    int reconnectInitialMs = 500;
    int reconnectMaxMs = 30000;
    /// Token bucket of each blocking loop (API reference §4.3): this many at once, then one
    /// per refillMs.
    int rateBurst = 2;
    int rateRefillMs = 1000;
};

/// Keeps a KvStore up to date with the KV subtree under the configured prefix of one Consul
/// agent (GET /v1/kv/<prefix>?recurse as a blocking query, API reference §4.2–4.3), and
/// follows the health checks of every service (/v1/health/state/any, blocking too). Consul
/// down, slow, refusing the token or answering garbage shows as the store's status with the
/// reason; the last good data stays and the loop retries with backoff. The ACL token is read
/// from the named environment variable and only ever sent as X-Consul-Token.
class ConsulConnector : public QObject
{
    Q_OBJECT

public:
    ConsulConnector(const Models::ConsulConfig &config,
                    Models::KvStore *store,
                    HttpClient *http,
                    QObject *parent = nullptr);
    ~ConsulConnector() override;

    void setTimings(const ConsulTimings &timings);

    void start();
    void stop();

    /// The index the KV loop blocks on next (0: the next read does not block).
    quint64 kvIndex() const { return m_kv.index; }

    /// How often the KV loop started over because Consul's index went backwards.
    int kvIndexResets() const { return m_kv.resets; }

    /// The health checks as last read (every check of every node and service).
    QList<ConsulCheck> checks() const { return m_checks; }

    /// The checks in warning or critical state.
    QList<ConsulCheck> alerts() const;

    /// PUT /v1/kv/<key> with ?cas when @p cas is set (0: only if absent). Answered by
    /// writeFinished exactly once. Refused unless the configuration allows editing.
    void putKey(const QString &key, const QByteArray &value, std::optional<quint64> cas);
    /// DELETE /v1/kv/<key>, with ?cas when set. Answered by writeFinished.
    void deleteKey(const QString &key, std::optional<quint64> cas);

signals:
    /// The KV subtree was read in full (after a (re)connect, and after every change).
    void kvSynced();
    /// The health checks changed (or were read for the first time).
    void checksChanged(const QList<Opsdeck::Connectors::ConsulCheck> &checks);
    /// Reading the health checks failed; retried with backoff, the last checks stay.
    void checksFailed(const QString &reason);
    /// The KV loop failed; retried with backoff.
    void failed(const QString &reason);
    /// A put or delete ended; @p ok false with the reason (a failed check-and-set included).
    void writeFinished(const QString &key, bool ok, const QString &message);

private:
    /// One blocking-query loop: its index, rate limit, backoff and request in flight.
    struct Loop
    {
        QByteArray path; ///< without index/wait
        quint64 index = 0;
        int resets = 0;
        bool synced = false;
        ConsulRateLimiter limiter;
        QElapsedTimer clock;
        QTimer timer;
        int backoffMs = 0;
        QPointer<HttpReply> reply;
        /// Lands a 2xx (or the 404 of an empty subtree) body; returns an error to report.
        std::function<std::optional<QString>(int status, const QByteArray &body)> land;
        std::function<void(const QString &)> failed;
    };

    HttpRequest request(const QByteArray &method, const QByteArray &path) const;
    QByteArray withQuery(const QByteArray &path, const QByteArray &query) const;
    void setupLoop(Loop &loop);
    void schedule(Loop &loop);
    void poll(Loop &loop);
    void loopFailed(Loop &loop, const QString &reason);
    std::optional<QString> landKv(int status, const QByteArray &body);
    std::optional<QString> landChecks(int status, const QByteArray &body);
    void setStatus(Models::SourceState state, const QString &error = {});
    void write(const QByteArray &method,
               const QString &key,
               const QByteArray &body,
               std::optional<quint64> cas);
    QByteArray keyPath(const QString &key) const;

    Models::ConsulConfig m_config;
    QByteArray m_base;
    QString m_configError;
    QByteArray m_token;                ///< never logged, never in a message, never in a URL
    QPointer<Models::KvStore> m_store; ///< not owned
    QPointer<HttpClient> m_http;       ///< not owned
    ConsulTimings m_timings;
    bool m_running = false;
    Loop m_kv;
    Loop m_health;
    QList<ConsulCheck> m_checks;
    QList<QPointer<HttpReply>> m_writes; ///< never aborted by a failure of the loops
};

} // namespace Opsdeck::Connectors
