// SPDX-License-Identifier: MIT
#pragma once

#include "connectors/etcd/etcdparsers.h"
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

/// Timings of an etcd connection; the defaults suit people, tests shorten them. The request
/// timeout itself comes from the configuration.
struct EtcdTimings
{
    int connectTimeoutMs = 3000;
    /// The watch stream must begin this soon.
    int streamHeadersTimeoutMs = 5000;
    /// A count-only range this often proves the member alive (and the token valid): the watch
    /// stream itself may rightly stay silent for long (reference 5.3).
    int probeIntervalMs = 10000;
    /// A watch with no byte at all for this long is replaced. The watch asks for progress
    /// notifications, which etcd 3.4 sends every 10 minutes by default (reference 5.3).
    int streamSilenceMs = 11 * 60 * 1000;
    int reconnectInitialMs = 500;
    int reconnectMaxMs = 30000;
    /// Keys per /v3/kv/range page.
    int rangePageSize = 1000;
};

/// Keeps a KvStore up to date with the keys under one prefix of etcd, through the v3 JSON
/// gateway: a paged range read, then a watch from the next revision whose PUT / DELETE events
/// update the store. Authenticates when a user is configured (the password comes from the named
/// environment variable, read at each authentication), tries the members in turn, and shows any
/// failure as the store's status with the reason while keeping the last data; retries with
/// capped backoff and a full re-read. Optional CAS puts and deletes for the diff viewer.
class EtcdConnector : public QObject
{
    Q_OBJECT

public:
    EtcdConnector(const Models::EtcdConfig &config,
                  Models::KvStore *store,
                  HttpClient *http,
                  QObject *parent = nullptr);
    ~EtcdConnector() override;

    void setTimings(const EtcdTimings &timings) { m_timings = timings; }

    /// Starts reading. After stop() it resumes the watch where it stopped (a compacted revision
    /// then makes a full re-read); after a failure it always re-reads in full.
    void start();
    void stop();

    /// Base URL of the member requests go to; empty before the first.
    QString currentUrl() const { return QString::fromUtf8(m_current); }

    /// The store revision the store's content reflects (0 before the first read).
    qint64 revision() const { return m_appliedRevision; }

    /// Writes @p value at @p key (a full key, under the prefix) when its mod_revision is still
    /// @p expectedModRevision (0: the key must not exist; -1: unconditionally). Answered by
    /// editFinished exactly once. Refused unless the configuration allows editing.
    void putKey(const QString &key, const QByteArray &value, qint64 expectedModRevision);
    /// Deletes @p key under the same compare.
    void deleteKey(const QString &key, qint64 expectedModRevision);

signals:
    /// The prefix was read in full and the watch is established.
    void synced();
    /// etcd became unreachable (or refused us); retried with backoff.
    void failed(const QString &reason);
    /// The answer to putKey / deleteKey. @p revision is the store revision of the write.
    void editFinished(const QString &key, bool ok, const QString &message, qint64 revision);

private:
    HttpRequest request(const QByteArray &path, const QByteArray &body) const;
    HttpEndpoint endpoint(const QByteArray &base) const;
    /// The reason of a refused or failed request, in words, with the path.
    QString describe(const HttpReply *reply, const QByteArray &path) const;
    std::optional<EtcdError> errorOf(const HttpReply *reply) const;

    void connectToEtcd();
    void tryMember(int tried, QStringList errors);
    void authenticate(const std::function<void(bool transport, const QString &error)> &done);
    void readRange(const QByteArray &fromKey, qint64 revision, QList<EtcdKeyValue> collected);
    void openWatch(qint64 startRevision);
    void onWatchData(const QByteArray &chunk);
    void onWatchMessage(const EtcdWatchResponse &message);
    void resync(const QString &why);
    void probe();
    void fail(const QString &reason);
    /// A request was refused for an invalid or expired token: authenticate and start over, once.
    bool retryAfterInvalidToken(const HttpReply *reply);
    void setStatus(Models::SourceState state, const QString &error = {});
    void dropRequests();
    void sendEdit(const QString &key, const std::optional<QByteArray> &value, qint64 expected);

    Models::EtcdConfig m_config;
    QList<QByteArray> m_urls; ///< configured base URLs, credentials and trailing '/' removed
    QString m_configError;
    QByteArray m_prefix;
    QPointer<Models::KvStore> m_store; ///< not owned
    QPointer<HttpClient> m_http;       ///< not owned
    EtcdTimings m_timings;
    int m_requestTimeoutMs = 10000;

    bool m_running = false;
    int m_generation = 0; ///< bumps on every (re)connect; late answers of older ones are dropped
    int m_index = 0;      ///< member of m_urls tried first
    QByteArray m_current;
    QByteArray m_token; ///< never logged, never in a message
    int m_tokenRetries = 0;
    qint64 m_appliedRevision = 0; ///< everything up to it is in the store
    bool m_resumable = false;     ///< stop() after a sync: start() resumes the watch
    bool m_synced = false;
    QPointer<HttpReply> m_watch;
    EtcdLineSplitter m_lines;
    QList<QPointer<HttpReply>> m_requests; ///< reads in flight, to abort on failure
    QList<QPointer<HttpReply>> m_edits;    ///< edits in flight: never aborted by a reconnect
    QPointer<HttpReply> m_probe;
    qint64 m_probeMismatchRevision = -1; ///< applied revision when the probe last disagreed
    int m_resyncs = 0;                   ///< re-reads in a row without a sync in between
    int m_quickReconnects = 0;           ///< watches resumed at once since one lived long
    QTimer m_reconnectTimer;
    QTimer m_silenceTimer;
    QTimer m_probeTimer;
    int m_backoffMs = 0;
};

} // namespace Opsdeck::Connectors
