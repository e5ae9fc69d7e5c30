// SPDX-License-Identifier: MIT
#pragma once

#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

class QWebSocket;

namespace Opsdeck::Models {
class AlertBoard;
class ContainerOperations;
class EnvironmentStore;
class KafkaLagStore;
class KvStore;
class MarathonOperations;
class MarathonStore;
struct AlertRecord;
struct ContainerChanges;
struct MarathonActionRequest;
enum class ContainerAction;
} // namespace Opsdeck::Models

namespace Opsdeck::Views {

class FeedHttpServer;

/// One environment the feed publishes. The stores are not owned and must outlive the server.
struct FeedEnvironment
{
    QString name;
    QString colour; ///< #rrggbb, as configured
    bool production = false;
    Models::EnvironmentStore *store = nullptr;
    Models::MarathonStore *marathon = nullptr; ///< may be null: no marathon/mesos topics
    Models::KafkaLagStore *kafka = nullptr;    ///< may be null: no kafka topic
    QList<Models::KvStore *> kv;               ///< Consul, etcd, ZooKeeper; none: no config topic
};

struct FeedSettings
{
    enum class Anonymous {
        Refuse,   ///< a client without a token must authenticate first
        ReadOnly, ///< a client without a token is a viewer
    };

    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 8765; ///< 0: any free port (see FeedServer::port())
    QString tokensFile;  ///< "ROLE TOKEN [name]" per line; empty: no tokens
    Anonymous anonymous = Anonymous::ReadOnly;
    /// Origins a browser may connect from ("https://wall.example.internal"). Loopback origins are
    /// always allowed when the server listens on loopback.
    QStringList allowedOrigins;
    QString tlsCert; ///< PEM paths; both set: HTTPS and wss://
    QString tlsKey;
    QString webRoot; ///< static files served under "/"; empty: none
    /// Largest client message the server reads (docs/protocol.md, "Frames").
    qint64 maxMessageBytes = 64 * 1024;
    /// Unsent bytes per client above which its deltas are dropped for a fresh snapshot later.
    qint64 maxClientBacklogBytes = 1024 * 1024;
};

/// Counters for tests and /metrics.
struct FeedStats
{
    qint64 deltasSent = 0;         ///< delta frames written, summed over clients
    qint64 deltasDropped = 0;      ///< delta frames not sent because a client was behind
    qint64 catchUpSnapshots = 0;   ///< snapshots sent to clients that had fallen behind
    qint64 peakClientBacklog = 0;  ///< largest unsent byte count seen for any one client
    qint64 errorsSent = 0;         ///< error messages sent
    qint64 connectionsRefused = 0; ///< bad token or origin
};

/// The WebSocket feed (docs/protocol.md) and its HTTP side (/healthz, /metrics, static files) on
/// one port: hello, snapshot then deltas per (environment, topic) stream with sequence numbers,
/// resync, alerts, ping/pong, and audited operator actions. A view without widgets: it reads the
/// stores and calls the operation interfaces, nothing else.
class FeedServer : public QObject
{
    Q_OBJECT

public:
    /// (environment, action, target, outcome, detail): "request" then "ok"/"failed"/"refused".
    using Auditor = std::function<void(const QString &environment,
                                       const QString &action,
                                       const QString &target,
                                       const QString &outcome,
                                       const QString &detail)>;

    /// None of the pointers is owned; @p alerts and the operations may be null.
    FeedServer(const QList<FeedEnvironment> &environments,
               Models::AlertBoard *alerts,
               Models::ContainerOperations *containerOperations,
               Models::MarathonOperations *marathonOperations,
               const FeedSettings &settings,
               QObject *parent = nullptr);
    ~FeedServer() override;

    /// Reads the tokens and TLS files and starts listening; false with @p error set on failure.
    bool listen(QString *error);

    quint16 port() const { return m_port; }

    void setAuditor(Auditor auditor) { m_auditor = std::move(auditor); }

    int clientCount() const { return int(m_clients.size()); }

    FeedStats stats() const { return m_stats; }

    /// The current sequence number of a stream; -1 for an unknown one.
    qint64 sequence(const QString &environment, const QString &topic) const;
    /// Computes and sends the pending deltas now instead of on the next event-loop turn.
    void flush();

    /// The Prometheus text of /metrics and the JSON of /healthz (public for the HTTP side).
    QByteArray metricsText() const;
    QJsonObject healthJson() const;
    /// The file under webRoot for a URL path, or empty when there is none (or it leaves the root).
    QString staticFilePath(const QString &urlPath) const;

    static QStringList topics(); ///< hosts, containers, marathon, mesos, config, kafka, alerts

signals:
    void clientConnected(const QString &peer, const QString &role);
    void clientDisconnected(const QString &peer);
    /// A structured log line, @p level "info" or "warn": @p fields are key=value pairs; never a
    /// token.
    void logLine(const QString &level, const QString &message, const QJsonObject &fields);

private:
    struct Stream;
    struct Client;

    struct Token
    {
        QString role;
        QString name;
    };

    enum class Role {
        None,
        Viewer,
        Operator,
    };

    static QString nameOf(Role role);

    // connections
    void onNewWebSocket();
    void onTextMessage(Client *client, const QString &text);
    void onBinaryMessage(Client *client);
    void onBytesWritten(Client *client);
    void onDisconnected(Client *client);
    void sendHello(Client *client);
    void sendError(Client *client, const QString &code, const QString &message, const QString &ref);
    void send(Client *client, const QByteArray &frame);
    bool isOriginAllowed(const QString &origin) const;
    const Token *findToken(const QString &token) const;

    // requests
    void handleAuth(Client *client, const QJsonObject &request, const QString &ref);
    void handleSubscribe(Client *client, const QJsonObject &request, const QString &ref, bool on);
    void handleResync(Client *client, const QJsonObject &request, const QString &ref);
    void handleAction(Client *client, const QJsonObject &request, const QString &ref);
    void sendSnapshot(Client *client, Stream *stream);
    Stream *stream(const QString &environment, const QString &topic) const;
    QString unknownTopicMessage(const QString &environment, const QString &topic) const;

    // streams
    void connectStores();
    void markDirty(Stream *stream, const QString &collection, const QStringList &keys);
    void markAllDirty(Stream *stream, const QString &collection);
    void scheduleFlush();
    void recompute(Stream *stream,
                   const QString &collection,
                   const QSet<QString> &keys,
                   bool all,
                   QJsonObject *changes);
    QJsonObject objectOf(const Stream *stream,
                         const QString &collection,
                         const QString &key,
                         bool *exists) const;
    QStringList keysOf(const Stream *stream, const QString &collection) const;
    /// The config topic's store whose id ("consul:config/shop/") is @p id, or, for a key
    /// ("consul:config/shop/orders/db_pool_size"), the first store of that kind holding it.
    const Models::KvStore *kvStoreOf(const Stream *stream, const QString &id, bool isKey) const;
    void onAlert(const Models::AlertRecord &record, const QString &event);

    // actions
    void onContainerActionFinished(const QString &environment,
                                   const QString &key,
                                   Models::ContainerAction action,
                                   bool ok,
                                   const QString &message);
    void onMarathonActionFinished(const Models::MarathonActionRequest &request,
                                  bool ok,
                                  const QString &message,
                                  const QString &deploymentId);
    void audit(const QString &environment,
               const QString &action,
               const QString &target,
               const QString &outcome,
               const QString &detail);

    QList<FeedEnvironment> m_environments;
    QPointer<Models::AlertBoard> m_alerts;
    QPointer<Models::ContainerOperations> m_containerOperations;
    QPointer<Models::MarathonOperations> m_marathonOperations;
    FeedSettings m_settings;
    Auditor m_auditor;
    quint16 m_port = 0;
    FeedStats m_stats;

    std::unique_ptr<FeedHttpServer> m_http;
    QHash<QString, Token> m_tokens;                    ///< by token
    QHash<QString, std::shared_ptr<Stream>> m_streams; ///< by "env\ntopic"
    QList<Stream *> m_streamOrder;
    QHash<QWebSocket *, Client *> m_clients; ///< owned
    bool m_flushScheduled = false;

    struct PendingAction
    {
        QPointer<QWebSocket> socket;
        QString id;
        QString environment;
        QString kind;
        QString target;
        QString who;
    };

    QList<PendingAction> m_pendingActions;
};

} // namespace Opsdeck::Views
