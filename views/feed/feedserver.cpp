// SPDX-License-Identifier: MIT
#include "views/feed/feedserver.h"

#include "models/alertboard.h"
#include "models/containeroperations.h"
#include "models/environmentstore.h"
#include "models/kafkalag.h"
#include "models/kvstore.h"
#include "models/marathonoperations.h"
#include "models/marathonstore.h"
#include "views/feed/feedjson.h"
#include "views/feed/feedtokens.h"

#include <QAbstractHttpServer>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSslCertificate>
#include <QSslKey>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>

#include <algorithm>
#include <map>

namespace Opsdeck::Views {

namespace {

const QString kHosts = QStringLiteral("hosts");
const QString kContainers = QStringLiteral("containers");
const QString kMarathon = QStringLiteral("marathon");
const QString kMesos = QStringLiteral("mesos");
const QString kKafka = QStringLiteral("kafka");
const QString kConfig = QStringLiteral("config");
const QString kStores = QStringLiteral("stores");
const QString kKv = QStringLiteral("kv");
const QString kAlerts = QStringLiteral("alerts");
const QString kStatus = QStringLiteral("status");
const QString kApps = QStringLiteral("apps");
const QString kTasks = QStringLiteral("tasks");
const QString kDeployments = QStringLiteral("deployments");
const QString kAgents = QStringLiteral("agents");
const QString kClusters = QStringLiteral("clusters");
const QString kGroups = QStringLiteral("groups");

/// A client that has not authenticated by then is closed (docs/protocol.md, "Connecting").
constexpr int kAuthTimeoutMs = 10 * 1000;
/// Messages over maxMessageBytes are answered with an error; over this many times it the
/// socket refuses to buffer them at all (QWebSocket closes with 1009), so memory stays bounded.
constexpr qint64 kHardLimitFactor = 16;

const QStringList kActionKinds{QStringLiteral("restart-container"),
                               QStringLiteral("restart-app"),
                               QStringLiteral("rollout"),
                               QStringLiteral("rollback")};

QStringList collectionsOf(const QString &topic)
{
    if (topic == kHosts)
        return {kHosts};
    if (topic == kContainers)
        return {kContainers};
    if (topic == kMarathon)
        return {kStatus, kApps, kTasks, kDeployments};
    if (topic == kMesos)
        return {kStatus, kAgents};
    if (topic == kConfig)
        return {kStores, kKv};
    if (topic == kKafka)
        return {kClusters, kGroups};
    if (topic == kAlerts)
        return {kAlerts};
    return {};
}

/// "consul:config/shop/": a KV store's id in the config topic; its keys are "consul:" + key.
QString kvStoreId(const Models::KvStore &store)
{
    return Models::nameOf(store.kind()) + QLatin1Char(':') + store.prefix();
}

QString kvKey(const Models::KvStore &store, const QString &key)
{
    return Models::nameOf(store.kind()) + QLatin1Char(':') + key;
}

QString streamId(const QString &environment, const QString &topic)
{
    return environment + QLatin1Char('\n') + topic;
}

QString promEscape(const QString &value)
{
    QString out = value;
    out.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    out.replace(QLatin1Char('"'), QStringLiteral("\\\""));
    out.replace(QLatin1Char('\n'), QStringLiteral("\\n"));
    return out;
}

QByteArray contentTypeOf(const QString &path)
{
    static const std::map<QString, QByteArray> types{
        {QStringLiteral("html"), "text/html; charset=utf-8"},
        {QStringLiteral("htm"), "text/html; charset=utf-8"},
        {QStringLiteral("js"), "text/javascript; charset=utf-8"},
        {QStringLiteral("mjs"), "text/javascript; charset=utf-8"},
        {QStringLiteral("css"), "text/css; charset=utf-8"},
        {QStringLiteral("json"), "application/json"},
        {QStringLiteral("svg"), "image/svg+xml"},
        {QStringLiteral("png"), "image/png"},
        {QStringLiteral("jpg"), "image/jpeg"},
        {QStringLiteral("ico"), "image/x-icon"},
        {QStringLiteral("txt"), "text/plain; charset=utf-8"},
        {QStringLiteral("map"), "application/json"},
        {QStringLiteral("woff2"), "font/woff2"},
    };
    const auto it = types.find(QFileInfo(path).suffix().toLower());
    return it != types.end() ? it->second : QByteArray("application/octet-stream");
}

/// Compares without an early exit, so the time taken does not tell how much of a token matched.
bool sameSecret(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a.at(i) ^ b.at(i));
    return diff == 0;
}

QString frameOf(const QJsonObject &message)
{
    return QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact));
}

} // namespace

/// The HTTP side: /healthz, /metrics, static files; WebSocket upgrades go to FeedServer.
class FeedHttpServer : public QAbstractHttpServer
{
public:
    explicit FeedHttpServer(FeedServer *feed)
        : m_feed(feed)
    {}

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        // Qt 6.4 asks here before it upgrades a connection: true (and no answer written) lets
        // the upgrade go on to newWebSocketConnection; false answers through missingHandler.
        if (request.value(QByteArrayLiteral("upgrade")).compare("websocket", Qt::CaseInsensitive)
            == 0) {
            if (request.url().path() != QLatin1String("/ws"))
                return false;
            // Deltas are small frames that must leave at once: no Nagle delay behind the
            // client's delayed ACK. The socket is the one the WebSocket goes on to use.
            socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            return true;
        }
        QHttpServerResponder responder = makeResponder(request, socket);
        if (request.method() != QHttpServerRequest::Method::Get
            && request.method() != QHttpServerRequest::Method::Head) {
            responder.write(QByteArrayLiteral("method not allowed\n"),
                            QByteArrayLiteral("text/plain"),
                            QHttpServerResponder::StatusCode::MethodNotAllowed);
            return true;
        }
        const QString path = request.url().path();
        if (path == QLatin1String("/healthz")) {
            responder.write(QJsonDocument(m_feed->healthJson()));
        } else if (path == QLatin1String("/metrics")) {
            responder.write(m_feed->metricsText(),
                            QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8"));
        } else if (path == QLatin1String("/ws")) {
            responder.write(QByteArrayLiteral("WebSocket only (docs/protocol.md)\n"),
                            QByteArrayLiteral("text/plain"),
                            QHttpServerResponder::StatusCode::UpgradeRequired);
        } else {
            const QString file = m_feed->staticFilePath(path);
            QFile f(file);
            if (file.isEmpty() || !f.open(QIODevice::ReadOnly)) {
                responder.write(QByteArrayLiteral("not found\n"),
                                QByteArrayLiteral("text/plain"),
                                QHttpServerResponder::StatusCode::NotFound);
            } else {
                responder.write(f.readAll(), contentTypeOf(file));
            }
        }
        return true;
    }

    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        makeResponder(request, socket).write(QHttpServerResponder::StatusCode::NotFound);
    }

private:
    FeedServer *m_feed; // owns this
};

struct FeedServer::Stream
{
    int environment = 0; ///< index into m_environments
    QString env;
    QString topic;
    qint64 seq = 0;
    /// What subscribers hold after the last delta: collection → key → object.
    QHash<QString, QHash<QString, QJsonObject>> cache;
    QHash<QString, QSet<QString>> dirtyKeys;
    QSet<QString> dirtyAll;
    QSet<Client *> subscribers;
};

struct FeedServer::Client
{
    QWebSocket *socket = nullptr; ///< owned (deleteLater on disconnect)
    QString peer;
    Role role = Role::None;
    QString who; ///< the token's name, for the audit log
    QSet<Stream *> subscribed;
    QSet<Stream *> stale; ///< behind: gets a snapshot once its backlog drained
    QTimer *authTimer = nullptr;
};

FeedServer::FeedServer(const QList<FeedEnvironment> &environments,
                       Models::AlertBoard *alerts,
                       Models::ContainerOperations *containerOperations,
                       Models::MarathonOperations *marathonOperations,
                       const FeedSettings &settings,
                       QObject *parent)
    : QObject(parent)
    , m_environments(environments)
    , m_alerts(alerts)
    , m_containerOperations(containerOperations)
    , m_marathonOperations(marathonOperations)
    , m_settings(settings)
    , m_http(std::make_unique<FeedHttpServer>(this))
{
    for (int i = 0; i < m_environments.size(); ++i) {
        const FeedEnvironment &env = m_environments.at(i);
        for (const QString &topic : topics()) {
            if ((topic == kMarathon || topic == kMesos) && !env.marathon)
                continue;
            if (topic == kKafka && !env.kafka)
                continue;
            if (topic == kConfig && env.kv.isEmpty())
                continue;
            if (topic == kAlerts && !m_alerts)
                continue;
            if ((topic == kHosts || topic == kContainers) && !env.store)
                continue;
            auto s = std::make_shared<Stream>();
            s->environment = i;
            s->env = env.name;
            s->topic = topic;
            for (const QString &collection : collectionsOf(topic)) {
                QJsonObject ignored;
                recompute(s.get(), collection, {}, true, &ignored);
            }
            m_streamOrder.append(s.get());
            m_streams.insert(streamId(env.name, topic), s);
        }
    }
    connectStores();
    connect(m_http.get(),
            &QAbstractHttpServer::newWebSocketConnection,
            this,
            &FeedServer::onNewWebSocket);
    if (m_containerOperations) {
        connect(m_containerOperations,
                &Models::ContainerOperations::actionFinished,
                this,
                &FeedServer::onContainerActionFinished);
    }
    if (m_marathonOperations) {
        connect(m_marathonOperations,
                &Models::MarathonOperations::marathonActionFinished,
                this,
                &FeedServer::onMarathonActionFinished);
    }
}

FeedServer::~FeedServer()
{
    const auto clients = m_clients;
    for (Client *client : clients) {
        client->socket->disconnect(this);
        client->socket->abort();
        delete client->socket;
        delete client;
    }
    m_clients.clear();
}

QStringList FeedServer::topics()
{
    return {kHosts, kContainers, kMarathon, kMesos, kConfig, kKafka, kAlerts};
}

QString FeedServer::nameOf(Role role)
{
    switch (role) {
    case Role::None:
        return QStringLiteral("none");
    case Role::Viewer:
        return QStringLiteral("viewer");
    case Role::Operator:
        return QStringLiteral("operator");
    }
    return QString();
}

bool FeedServer::listen(QString *error)
{
    m_tokens.clear();
    if (!m_settings.tokensFile.isEmpty()) {
        const auto tokens = readFeedTokens(m_settings.tokensFile);
        if (!tokens.ok()) {
            *error = tokens.error();
            return false;
        }
        for (const FeedToken &t : tokens.value())
            m_tokens.insert(t.token, Token{t.role, t.name});
    }
    if (!m_settings.tlsCert.isEmpty() || !m_settings.tlsKey.isEmpty()) {
        QFile certFile(m_settings.tlsCert);
        QFile keyFile(m_settings.tlsKey);
        if (!certFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly)) {
            *error = tr("cannot read the TLS certificate %1 or key %2")
                         .arg(m_settings.tlsCert, m_settings.tlsKey);
            return false;
        }
        const QSslCertificate cert(&certFile, QSsl::Pem);
        const QSslKey key(&keyFile, QSsl::Rsa, QSsl::Pem);
        const QSslKey ecKey =
            key.isNull()
                ? QSslKey(keyFile.seek(0) ? keyFile.readAll() : QByteArray(), QSsl::Ec, QSsl::Pem)
                : key;
        if (cert.isNull() || ecKey.isNull()) {
            *error = tr("the TLS certificate %1 or key %2 is not valid PEM")
                         .arg(m_settings.tlsCert, m_settings.tlsKey);
            return false;
        }
        m_http->sslSetup(cert, ecKey);
    }
    m_port = m_http->listen(m_settings.address, m_settings.port);
    if (m_port == 0) {
        *error = tr("cannot listen on %1 port %2")
                     .arg(m_settings.address.toString())
                     .arg(m_settings.port);
        return false;
    }
    return true; // the caller logs where (main_serve.cpp: "listening")
}

qint64 FeedServer::sequence(const QString &environment, const QString &topic) const
{
    const Stream *s = stream(environment, topic);
    return s ? s->seq : -1;
}

FeedServer::Stream *FeedServer::stream(const QString &environment, const QString &topic) const
{
    const auto it = m_streams.constFind(streamId(environment, topic));
    return it != m_streams.cend() ? it.value().get() : nullptr;
}

// ---------------------------------------------------------------------------------------------
// Streams

void FeedServer::connectStores()
{
    for (const FeedEnvironment &env : std::as_const(m_environments)) {
        const QString name = env.name;
        if (env.store) {
            auto hostDirty = [this, name](const QString &hostId) {
                markDirty(stream(name, kHosts), kHosts, {hostId});
            };
            connect(env.store, &Models::EnvironmentStore::hostAdded, this, hostDirty);
            connect(env.store, &Models::EnvironmentStore::hostChanged, this, hostDirty);
            connect(env.store,
                    &Models::EnvironmentStore::containersChanged,
                    this,
                    [this, name](const Models::ContainerChanges &changes) {
                        markDirty(stream(name, kContainers),
                                  kContainers,
                                  changes.added + changes.updated + changes.removed);
                    });
        }
        if (env.marathon) {
            auto keys = [](const QStringList &a, const QStringList &c, const QStringList &r) {
                return a + c + r;
            };
            connect(env.marathon,
                    &Models::MarathonStore::appsChanged,
                    this,
                    [this, name, keys](
                        const QStringList &a, const QStringList &c, const QStringList &r) {
                        Stream *s = stream(name, kMarathon);
                        markDirty(s, kApps, keys(a, c, r));
                        markDirty(s, kTasks, keys(a, c, r));
                    });
            connect(env.marathon,
                    &Models::MarathonStore::tasksChanged,
                    this,
                    [this, name](const QStringList &appIds) {
                        Stream *s = stream(name, kMarathon);
                        markDirty(s, kTasks, appIds);
                        // Version counts and deployment progress are derived from the tasks.
                        markDirty(s, kApps, appIds);
                        markAllDirty(s, kDeployments);
                    });
            connect(env.marathon,
                    &Models::MarathonStore::deploymentsChanged,
                    this,
                    [this, name, keys](
                        const QStringList &a, const QStringList &c, const QStringList &r) {
                        markDirty(stream(name, kMarathon), kDeployments, keys(a, c, r));
                    });
            connect(env.marathon,
                    &Models::MarathonStore::agentsChanged,
                    this,
                    [this, name, keys](
                        const QStringList &a, const QStringList &c, const QStringList &r) {
                        markDirty(stream(name, kMesos), kAgents, keys(a, c, r));
                    });
            connect(env.marathon, &Models::MarathonStore::statusChanged, this, [this, name] {
                markAllDirty(stream(name, kMarathon), kStatus);
                markAllDirty(stream(name, kMesos), kStatus);
            });
        }
        for (Models::KvStore *kv : env.kv) {
            const QString id = kvStoreId(*kv);
            connect(kv,
                    &Models::KvStore::entriesChanged,
                    this,
                    [this, name, kv, id](
                        const QStringList &a, const QStringList &c, const QStringList &r) {
                        Stream *s = stream(name, kConfig);
                        QStringList keys;
                        for (const QStringList *list : {&a, &c, &r}) {
                            for (const QString &key : *list)
                                keys.append(kvKey(*kv, key));
                        }
                        markDirty(s, kKv, keys);
                        markDirty(s, kStores, {id}); // its key count
                    });
            connect(kv, &Models::KvStore::statusChanged, this, [this, name, id] {
                markDirty(stream(name, kConfig), kStores, {id});
            });
        }
        if (env.kafka) {
            connect(env.kafka,
                    &Models::KafkaLagStore::groupsChanged,
                    this,
                    [this, name](const QStringList &groupKeys) {
                        markDirty(stream(name, kKafka), kGroups, groupKeys);
                    });
            connect(env.kafka,
                    &Models::KafkaLagStore::clusterStatusChanged,
                    this,
                    [this, name](const QString &cluster) {
                        markDirty(stream(name, kKafka), kClusters, {cluster});
                    });
        }
    }
    if (m_alerts) {
        connect(m_alerts, &Models::AlertBoard::raised, this, [this](const Models::AlertRecord &r) {
            onAlert(r, QStringLiteral("raised"));
        });
        connect(m_alerts, &Models::AlertBoard::updated, this, [this](const Models::AlertRecord &r) {
            onAlert(r, QStringLiteral("updated"));
        });
        connect(m_alerts,
                &Models::AlertBoard::resolved,
                this,
                [this](const Models::AlertRecord &r) { onAlert(r, QStringLiteral("resolved")); });
    }
}

void FeedServer::onAlert(const Models::AlertRecord &record, const QString &event)
{
    Stream *s = stream(record.alert.environment, kAlerts);
    if (!s)
        return;
    markDirty(s, kAlerts, {QString::number(record.id)});
    const QString frame =
        frameOf(QJsonObject{{QStringLiteral("type"), QStringLiteral("alert")},
                            {QStringLiteral("env"), s->env},
                            {QStringLiteral("event"), event},
                            {QStringLiteral("record"), FeedJson::alertRecord(record)}});
    for (Client *client : std::as_const(s->subscribers)) {
        if (!client->stale.contains(s))
            client->socket->sendTextMessage(frame);
    }
}

void FeedServer::markDirty(Stream *stream, const QString &collection, const QStringList &keys)
{
    if (!stream || keys.isEmpty())
        return;
    QSet<QString> &dirty = stream->dirtyKeys[collection];
    for (const QString &key : keys)
        dirty.insert(key);
    scheduleFlush();
}

void FeedServer::markAllDirty(Stream *stream, const QString &collection)
{
    if (!stream)
        return;
    stream->dirtyAll.insert(collection);
    scheduleFlush();
}

void FeedServer::scheduleFlush()
{
    if (m_flushScheduled)
        return;
    m_flushScheduled = true;
    QTimer::singleShot(0, this, &FeedServer::flush);
}

QStringList FeedServer::keysOf(const Stream *stream, const QString &collection) const
{
    const FeedEnvironment &env = m_environments.at(stream->environment);
    if (collection == kHosts) {
        QStringList keys;
        for (const Models::HostStatus &h : env.store->hosts())
            keys.append(h.id);
        return keys;
    }
    if (collection == kContainers)
        return env.store->containerKeys();
    if (collection == kStatus)
        return {stream->topic};
    if (collection == kApps || collection == kTasks)
        return env.marathon->appIds();
    if (collection == kDeployments)
        return env.marathon->deploymentIds();
    if (collection == kAgents)
        return env.marathon->agentIds();
    if (collection == kStores) {
        QStringList keys;
        for (const Models::KvStore *kv : env.kv)
            keys.append(kvStoreId(*kv));
        return keys;
    }
    if (collection == kKv) {
        QStringList keys;
        for (const Models::KvStore *kv : env.kv) {
            for (const QString &key : kv->keys())
                keys.append(kvKey(*kv, key));
        }
        return keys;
    }
    if (collection == kClusters)
        return env.kafka->clusters();
    if (collection == kGroups)
        return env.kafka->groupKeys();
    if (collection == kAlerts && m_alerts) {
        QStringList keys;
        for (const Models::AlertRecord &r : m_alerts->active()) {
            if (r.alert.environment == env.name)
                keys.append(QString::number(r.id));
        }
        return keys;
    }
    return {};
}

const Models::KvStore *
FeedServer::kvStoreOf(const Stream *stream, const QString &id, bool isKey) const
{
    const qsizetype colon = id.indexOf(QLatin1Char(':'));
    if (colon < 0)
        return nullptr;
    const QString kind = id.left(colon);
    const QString rest = id.mid(colon + 1);
    for (const Models::KvStore *kv : m_environments.at(stream->environment).kv) {
        if (Models::nameOf(kv->kind()) != kind)
            continue;
        if (isKey ? kv->entry(rest) != nullptr : kv->prefix() == rest)
            return kv;
    }
    return nullptr;
}

QJsonObject FeedServer::objectOf(const Stream *stream,
                                 const QString &collection,
                                 const QString &key,
                                 bool *exists) const
{
    *exists = false;
    const FeedEnvironment &env = m_environments.at(stream->environment);
    if (collection == kHosts) {
        if (const Models::HostStatus *h = env.store->host(key)) {
            *exists = true;
            return FeedJson::host(*h);
        }
    } else if (collection == kContainers) {
        if (const Models::Container *c = env.store->container(key)) {
            *exists = true;
            return FeedJson::container(*c);
        }
    } else if (collection == kStatus) {
        *exists = key == stream->topic;
        if (key == kMarathon)
            return FeedJson::source(env.marathon->marathonStatus());
        if (key == kMesos)
            return FeedJson::source(env.marathon->mesosStatus());
    } else if (collection == kApps) {
        if (const Models::MarathonApp *a = env.marathon->app(key)) {
            *exists = true;
            return FeedJson::app(*env.marathon, *a);
        }
    } else if (collection == kTasks) {
        if (env.marathon->app(key)) {
            *exists = true;
            return FeedJson::tasks(key, env.marathon->tasks(key));
        }
    } else if (collection == kDeployments) {
        if (const Models::MarathonDeployment *d = env.marathon->deployment(key)) {
            *exists = true;
            return FeedJson::deployment(*env.marathon, *d);
        }
    } else if (collection == kAgents) {
        if (const Models::MesosAgent *a = env.marathon->agent(key)) {
            *exists = true;
            return FeedJson::agent(*a);
        }
    } else if (collection == kStores) {
        if (const Models::KvStore *kv = kvStoreOf(stream, key, false)) {
            *exists = true;
            return FeedJson::kvStore(key, *kv);
        }
    } else if (collection == kKv) {
        if (const Models::KvStore *kv = kvStoreOf(stream, key, true)) {
            *exists = true;
            const QString entryKey = key.mid(key.indexOf(QLatin1Char(':')) + 1);
            return FeedJson::kvEntry(kvStoreId(*kv), *kv, *kv->entry(entryKey));
        }
    } else if (collection == kClusters) {
        if (env.kafka->clusters().contains(key)) {
            *exists = true;
            return FeedJson::kafkaCluster(key, env.kafka->clusterStatus(key));
        }
    } else if (collection == kGroups) {
        if (const Models::KafkaGroupState *g = env.kafka->group(key)) {
            *exists = true;
            const QList<Models::KafkaLagPoint> history = env.kafka->history(key);
            return FeedJson::kafkaGroup(key, *g, history.isEmpty() ? nullptr : &history.last());
        }
    } else if (collection == kAlerts && m_alerts) {
        for (const Models::AlertRecord &r : m_alerts->active()) {
            if (QString::number(r.id) == key && r.alert.environment == env.name) {
                *exists = true;
                return FeedJson::alertRecord(r);
            }
        }
    }
    return {};
}

void FeedServer::recompute(Stream *stream,
                           const QString &collection,
                           const QSet<QString> &keys,
                           bool all,
                           QJsonObject *changes)
{
    QHash<QString, QJsonObject> &cache = stream->cache[collection];
    QSet<QString> todo = keys;
    if (all) {
        for (auto it = cache.cbegin(); it != cache.cend(); ++it)
            todo.insert(it.key());
        for (const QString &key : keysOf(stream, collection))
            todo.insert(key);
    }
    QJsonObject upsert;
    QJsonArray remove;
    QStringList sorted(todo.cbegin(), todo.cend());
    std::sort(sorted.begin(), sorted.end());
    for (const QString &key : std::as_const(sorted)) {
        bool exists = false;
        const QJsonObject object = objectOf(stream, collection, key, &exists);
        const auto cached = cache.find(key);
        if (!exists) {
            if (cached != cache.end()) {
                cache.erase(cached);
                remove.append(key);
            }
        } else if (cached == cache.end() || cached.value() != object) {
            cache.insert(key, object);
            upsert.insert(key, object);
        }
    }
    if (!upsert.isEmpty() || !remove.isEmpty()) {
        changes->insert(
            collection,
            QJsonObject{{QStringLiteral("upsert"), upsert}, {QStringLiteral("remove"), remove}});
    }
}

void FeedServer::flush()
{
    m_flushScheduled = false;
    for (const FeedEnvironment &env : std::as_const(m_environments)) {
        // The stores coalesce per turn too: take their pending batch now, so one flush sees it.
        if (env.store)
            env.store->flush();
        if (env.marathon)
            env.marathon->flush();
        if (env.kafka)
            env.kafka->flush();
        for (Models::KvStore *kv : env.kv)
            kv->flush();
    }
    m_flushScheduled = false;
    for (Stream *s : std::as_const(m_streamOrder)) {
        if (s->dirtyKeys.isEmpty() && s->dirtyAll.isEmpty())
            continue;
        QJsonObject changes;
        for (const QString &collection : collectionsOf(s->topic)) {
            const bool all = s->dirtyAll.contains(collection);
            const QSet<QString> keys = s->dirtyKeys.value(collection);
            if (all || !keys.isEmpty())
                recompute(s, collection, keys, all, &changes);
        }
        s->dirtyKeys.clear();
        s->dirtyAll.clear();
        if (changes.isEmpty())
            continue;
        ++s->seq;
        if (s->subscribers.isEmpty())
            continue;
        const QString frame = frameOf(QJsonObject{{QStringLiteral("type"), QStringLiteral("delta")},
                                                  {QStringLiteral("env"), s->env},
                                                  {QStringLiteral("topic"), s->topic},
                                                  {QStringLiteral("seq"), s->seq},
                                                  {QStringLiteral("changes"), changes}});
        for (Client *client : std::as_const(s->subscribers)) {
            if (client->stale.contains(s)) {
                ++m_stats.deltasDropped;
                continue;
            }
            const qint64 backlog = client->socket->bytesToWrite();
            if (backlog > m_settings.maxClientBacklogBytes) {
                // Behind: drop what it would need and send a snapshot once it has drained.
                client->stale.insert(s);
                ++m_stats.deltasDropped;
                continue;
            }
            client->socket->sendTextMessage(frame);
            ++m_stats.deltasSent;
            m_stats.peakClientBacklog =
                std::max(m_stats.peakClientBacklog, client->socket->bytesToWrite());
        }
    }
}

void FeedServer::sendSnapshot(Client *client, Stream *s)
{
    QJsonObject data;
    for (auto it = s->cache.cbegin(); it != s->cache.cend(); ++it) {
        QJsonObject collection;
        for (auto o = it.value().cbegin(); o != it.value().cend(); ++o)
            collection.insert(o.key(), o.value());
        data.insert(it.key(), collection);
    }
    const FeedEnvironment &env = m_environments.at(s->environment);
    if (s->topic == kKafka && env.kafka) {
        QJsonObject history;
        for (const QString &key : env.kafka->groupKeys()) {
            QJsonArray points;
            for (const Models::KafkaLagPoint &p : env.kafka->history(key))
                points.append(FeedJson::kafkaPoint(p));
            history.insert(
                key, QJsonObject{{QStringLiteral("key"), key}, {QStringLiteral("points"), points}});
        }
        data.insert(QStringLiteral("history"), history);
    }
    send(client,
         QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("snapshot")},
                                   {QStringLiteral("env"), s->env},
                                   {QStringLiteral("topic"), s->topic},
                                   {QStringLiteral("seq"), s->seq},
                                   {QStringLiteral("data"), data}})
             .toJson(QJsonDocument::Compact));
    client->stale.remove(s);
}

// ---------------------------------------------------------------------------------------------
// Connections

bool FeedServer::isOriginAllowed(const QString &origin) const
{
    if (origin.isEmpty())
        return true; // not a browser: nothing to check (docs/protocol.md)
    QString normalized = origin.trimmed().toLower();
    while (normalized.endsWith(QLatin1Char('/')))
        normalized.chop(1);
    for (const QString &allowed : m_settings.allowedOrigins) {
        QString a = allowed.trimmed().toLower();
        while (a.endsWith(QLatin1Char('/')))
            a.chop(1);
        if (a == QLatin1String("*") || a == normalized)
            return true;
    }
    if (m_settings.address.isLoopback()) {
        const QUrl url(normalized);
        const QString host = url.host();
        if ((url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"))
            && (host == QLatin1String("localhost") || host == QLatin1String("127.0.0.1")
                || host == QLatin1String("::1")))
            return true;
    }
    return false;
}

const FeedServer::Token *FeedServer::findToken(const QString &token) const
{
    const QByteArray presented = token.toUtf8();
    const Token *found = nullptr;
    for (auto it = m_tokens.cbegin(); it != m_tokens.cend(); ++it) {
        if (sameSecret(it.key().toUtf8(), presented))
            found = &it.value();
    }
    return found;
}

void FeedServer::onNewWebSocket()
{
    while (m_http->hasPendingWebSocketConnections()) {
        std::unique_ptr<QWebSocket> owned = m_http->nextPendingWebSocketConnection();
        if (!owned)
            continue;
        auto *client = new Client;
        client->socket = owned.release();
        client->socket->setParent(nullptr);
        client->peer = client->socket->peerAddress().toString() + QLatin1Char(':')
                       + QString::number(client->socket->peerPort());
        m_clients.insert(client->socket, client);
        QWebSocket *socket = client->socket;
        socket->setMaxAllowedIncomingMessageSize(
            quint64(m_settings.maxMessageBytes * kHardLimitFactor));
        socket->setMaxAllowedIncomingFrameSize(
            quint64(m_settings.maxMessageBytes * kHardLimitFactor));
        connect(socket, &QWebSocket::textMessageReceived, this, [this, client](const QString &t) {
            onTextMessage(client, t);
        });
        connect(socket, &QWebSocket::binaryMessageReceived, this, [this, client] {
            onBinaryMessage(client);
        });
        connect(
            socket, &QWebSocket::bytesWritten, this, [this, client] { onBytesWritten(client); });
        connect(
            socket, &QWebSocket::disconnected, this, [this, client] { onDisconnected(client); });

        const QString origin = socket->origin();
        if (!isOriginAllowed(origin)) {
            ++m_stats.connectionsRefused;
            emit logLine(QStringLiteral("warn"),
                         QStringLiteral("origin refused"),
                         QJsonObject{{QStringLiteral("peer"), client->peer},
                                     {QStringLiteral("origin"), origin}});
            sendError(client,
                      QStringLiteral("forbidden-origin"),
                      tr("origin %1 is not allowed").arg(origin),
                      QStringLiteral("connect"));
            socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                          QStringLiteral("origin not allowed"));
            continue;
        }
        if (socket->requestUrl().path() != QLatin1String("/ws")) {
            sendError(client,
                      QStringLiteral("bad-request"),
                      tr("the feed is at /ws, not %1").arg(socket->requestUrl().path()),
                      QStringLiteral("connect"));
            socket->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("use /ws"));
            continue;
        }

        QString token;
        const QByteArray authorization = socket->request().rawHeader("Authorization");
        if (authorization.startsWith("Bearer ") || authorization.startsWith("bearer "))
            token = QString::fromUtf8(authorization.mid(7)).trimmed();
        else
            token = QUrlQuery(socket->requestUrl()).queryItemValue(QStringLiteral("token"));
        if (!token.isEmpty()) {
            const Token *t = findToken(token);
            if (!t) {
                ++m_stats.connectionsRefused;
                emit logLine(QStringLiteral("warn"),
                             QStringLiteral("token refused"),
                             QJsonObject{{QStringLiteral("peer"), client->peer}});
                sendError(client,
                          QStringLiteral("unauthorized"),
                          tr("the token is not valid"),
                          QStringLiteral("connect"));
                socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                              QStringLiteral("unauthorized"));
                continue;
            }
            client->role = t->role == QLatin1String("operator") ? Role::Operator : Role::Viewer;
            client->who = t->name;
        } else if (m_settings.anonymous == FeedSettings::Anonymous::ReadOnly) {
            client->role = Role::Viewer;
            client->who = QStringLiteral("anonymous");
        } else {
            client->authTimer = new QTimer(socket);
            client->authTimer->setSingleShot(true);
            connect(client->authTimer, &QTimer::timeout, this, [client] {
                if (client->role == Role::None)
                    client->socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                                          QStringLiteral("not authenticated"));
            });
            client->authTimer->start(kAuthTimeoutMs);
        }
        emit logLine(QStringLiteral("info"),
                     QStringLiteral("client connected"),
                     QJsonObject{{QStringLiteral("peer"), client->peer},
                                 {QStringLiteral("role"), nameOf(client->role)},
                                 {QStringLiteral("who"), client->who}});
        emit clientConnected(client->peer, nameOf(client->role));
        sendHello(client);
    }
}

void FeedServer::onDisconnected(Client *client)
{
    if (!m_clients.contains(client->socket))
        return;
    m_clients.remove(client->socket);
    for (Stream *s : std::as_const(client->subscribed))
        s->subscribers.remove(client);
    client->socket->disconnect(this);
    client->socket->deleteLater();
    emit logLine(QStringLiteral("info"),
                 QStringLiteral("client disconnected"),
                 QJsonObject{{QStringLiteral("peer"), client->peer}});
    emit clientDisconnected(client->peer);
    delete client;
}

void FeedServer::onBytesWritten(Client *client)
{
    if (client->stale.isEmpty())
        return;
    // Wait until most of the backlog is gone, so a client at the limit does not flip-flop.
    if (client->socket->bytesToWrite() > m_settings.maxClientBacklogBytes / 4)
        return;
    const QSet<Stream *> stale = client->stale;
    for (Stream *s : stale) {
        ++m_stats.catchUpSnapshots;
        sendSnapshot(client, s);
    }
}

void FeedServer::send(Client *client, const QByteArray &frame)
{
    client->socket->sendTextMessage(QString::fromUtf8(frame));
    m_stats.peakClientBacklog = std::max(m_stats.peakClientBacklog, client->socket->bytesToWrite());
}

void FeedServer::sendHello(Client *client)
{
    QJsonArray environments;
    for (const FeedEnvironment &env : std::as_const(m_environments)) {
        QJsonArray envTopics;
        for (const QString &topic : topics()) {
            if (stream(env.name, topic))
                envTopics.append(topic);
        }
        environments.append(QJsonObject{{QStringLiteral("name"), env.name},
                                        {QStringLiteral("production"), env.production},
                                        {QStringLiteral("colour"), env.colour},
                                        {QStringLiteral("topics"), envTopics}});
    }
    QJsonArray capabilities{QStringLiteral("snapshot"),
                            QStringLiteral("delta"),
                            QStringLiteral("resync"),
                            QStringLiteral("ping"),
                            QStringLiteral("alerts")};
    if (client->role == Role::Operator)
        capabilities.append(QStringLiteral("actions"));
    send(client,
         QJsonDocument(
             QJsonObject{{QStringLiteral("type"), QStringLiteral("hello")},
                         {QStringLiteral("protocol"), 1},
                         {QStringLiteral("server"),
                          QString(QStringLiteral("opsdeck ") + QStringLiteral(OPSDECK_VERSION))},
                         {QStringLiteral("role"), nameOf(client->role)},
                         {QStringLiteral("capabilities"), capabilities},
                         {QStringLiteral("maxMessageBytes"), m_settings.maxMessageBytes},
                         {QStringLiteral("topics"), QJsonArray::fromStringList(topics())},
                         {QStringLiteral("environments"), environments}})
             .toJson(QJsonDocument::Compact));
}

void FeedServer::sendError(Client *client,
                           const QString &code,
                           const QString &message,
                           const QString &ref)
{
    ++m_stats.errorsSent;
    send(client,
         QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("error")},
                                   {QStringLiteral("code"), code},
                                   {QStringLiteral("message"), message},
                                   {QStringLiteral("ref"), ref}})
             .toJson(QJsonDocument::Compact));
}

void FeedServer::onBinaryMessage(Client *client)
{
    sendError(client,
              QStringLiteral("bad-request"),
              tr("binary frames are not part of the protocol: send JSON text frames"),
              QStringLiteral("binary"));
}

void FeedServer::onTextMessage(Client *client, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    if (utf8.size() > m_settings.maxMessageBytes) {
        sendError(client,
                  QStringLiteral("too-large"),
                  tr("message of %1 bytes is over the limit of %2 bytes")
                      .arg(utf8.size())
                      .arg(m_settings.maxMessageBytes),
                  QString());
        return;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(utf8, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        sendError(
            client,
            QStringLiteral("bad-json"),
            tr("not JSON: %1 at offset %2").arg(parseError.errorString()).arg(parseError.offset),
            QString());
        return;
    }
    if (!doc.isObject()) {
        sendError(
            client, QStringLiteral("bad-json"), tr("a message must be a JSON object"), QString());
        return;
    }
    const QJsonObject request = doc.object();
    const QJsonValue typeValue = request.value(QStringLiteral("type"));
    if (!typeValue.isString()) {
        sendError(
            client, QStringLiteral("bad-request"), tr("missing \"type\" (a string)"), QString());
        return;
    }
    const QString type = typeValue.toString();
    const QJsonValue id = request.value(QStringLiteral("id"));
    const QString ref = id.isString()   ? id.toString()
                        : id.isDouble() ? QString::number(id.toDouble())
                                        : type;
    if (client->role == Role::None && type != QLatin1String("auth")
        && type != QLatin1String("ping")) {
        sendError(client,
                  QStringLiteral("unauthenticated"),
                  tr("authenticate first: {\"type\":\"auth\",\"token\":…}"),
                  ref);
        return;
    }
    if (type == QLatin1String("auth")) {
        handleAuth(client, request, ref);
    } else if (type == QLatin1String("subscribe")) {
        handleSubscribe(client, request, ref, true);
    } else if (type == QLatin1String("unsubscribe")) {
        handleSubscribe(client, request, ref, false);
    } else if (type == QLatin1String("resync")) {
        handleResync(client, request, ref);
    } else if (type == QLatin1String("ping")) {
        QJsonObject pong{{QStringLiteral("type"), QStringLiteral("pong")},
                         {QStringLiteral("timeMs"), QDateTime::currentMSecsSinceEpoch()}};
        if (!id.isUndefined())
            pong.insert(QStringLiteral("id"), id);
        send(client, QJsonDocument(pong).toJson(QJsonDocument::Compact));
    } else if (type == QLatin1String("action")) {
        handleAction(client, request, ref);
    } else {
        sendError(client,
                  QStringLiteral("unknown-type"),
                  tr("unknown message type '%1' (expected auth, subscribe, unsubscribe, resync, "
                     "ping, action)")
                      .arg(type.left(64)),
                  ref);
    }
}

void FeedServer::handleAuth(Client *client, const QJsonObject &request, const QString &ref)
{
    const QJsonValue token = request.value(QStringLiteral("token"));
    if (!token.isString() || token.toString().isEmpty()) {
        sendError(client, QStringLiteral("bad-request"), tr("missing \"token\" (a string)"), ref);
        return;
    }
    const Token *t = findToken(token.toString());
    if (!t) {
        ++m_stats.connectionsRefused;
        emit logLine(QStringLiteral("warn"),
                     QStringLiteral("token refused"),
                     QJsonObject{{QStringLiteral("peer"), client->peer}});
        sendError(client, QStringLiteral("unauthorized"), tr("the token is not valid"), ref);
        client->socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                              QStringLiteral("unauthorized"));
        return;
    }
    client->role = t->role == QLatin1String("operator") ? Role::Operator : Role::Viewer;
    client->who = t->name;
    if (client->authTimer)
        client->authTimer->stop();
    emit logLine(QStringLiteral("info"),
                 QStringLiteral("client authenticated"),
                 QJsonObject{{QStringLiteral("peer"), client->peer},
                             {QStringLiteral("role"), nameOf(client->role)},
                             {QStringLiteral("who"), client->who}});
    sendHello(client);
}

QString FeedServer::unknownTopicMessage(const QString &environment, const QString &topic) const
{
    QStringList available;
    for (const QString &t : topics()) {
        if (stream(environment, t))
            available.append(t);
    }
    return tr("unknown topic '%1' in %2 (topics: %3)")
        .arg(topic.left(64), environment, available.join(QStringLiteral(", ")));
}

void FeedServer::handleSubscribe(Client *client,
                                 const QJsonObject &request,
                                 const QString &ref,
                                 bool on)
{
    const QJsonValue envValue = request.value(QStringLiteral("env"));
    if (!envValue.isString()) {
        sendError(client, QStringLiteral("bad-request"), tr("missing \"env\" (a string)"), ref);
        return;
    }
    const QString env = envValue.toString();
    const bool known = std::any_of(m_environments.cbegin(),
                                   m_environments.cend(),
                                   [&](const FeedEnvironment &e) { return e.name == env; });
    if (!known) {
        sendError(client,
                  QStringLiteral("unknown-env"),
                  tr("unknown environment '%1'").arg(env.left(64)),
                  ref);
        return;
    }
    QStringList wanted;
    const QJsonValue topicsValue = request.value(QStringLiteral("topics"));
    if (topicsValue.isUndefined()) {
        for (const QString &t : topics()) {
            if (stream(env, t))
                wanted.append(t);
        }
    } else if (!topicsValue.isArray()) {
        sendError(client,
                  QStringLiteral("bad-request"),
                  tr("\"topics\" must be an array of strings"),
                  ref);
        return;
    } else {
        for (const auto &v : topicsValue.toArray()) {
            if (!v.isString()) {
                sendError(client,
                          QStringLiteral("bad-request"),
                          tr("\"topics\" must be an array of strings"),
                          ref);
                return;
            }
            if (!stream(env, v.toString())) {
                sendError(client,
                          QStringLiteral("unknown-topic"),
                          unknownTopicMessage(env, v.toString()),
                          ref);
                return;
            }
            wanted.append(v.toString());
        }
    }
    for (const QString &topic : std::as_const(wanted)) {
        Stream *s = stream(env, topic);
        if (on) {
            s->subscribers.insert(client);
            client->subscribed.insert(s);
            sendSnapshot(client, s);
        } else {
            s->subscribers.remove(client);
            client->subscribed.remove(s);
            client->stale.remove(s);
        }
    }
    if (!on) {
        send(client,
             QJsonDocument(
                 QJsonObject{{QStringLiteral("type"), QStringLiteral("unsubscribed")},
                             {QStringLiteral("env"), env},
                             {QStringLiteral("topics"), QJsonArray::fromStringList(wanted)}})
                 .toJson(QJsonDocument::Compact));
    }
}

void FeedServer::handleResync(Client *client, const QJsonObject &request, const QString &ref)
{
    const QJsonValue env = request.value(QStringLiteral("env"));
    const QJsonValue topic = request.value(QStringLiteral("topic"));
    if (!env.isString() || !topic.isString()) {
        sendError(client,
                  QStringLiteral("bad-request"),
                  tr("resync needs \"env\" and \"topic\" (strings)"),
                  ref);
        return;
    }
    Stream *s = stream(env.toString(), topic.toString());
    if (!s) {
        const bool known =
            std::any_of(m_environments.cbegin(),
                        m_environments.cend(),
                        [&](const FeedEnvironment &e) { return e.name == env.toString(); });
        if (!known)
            sendError(client,
                      QStringLiteral("unknown-env"),
                      tr("unknown environment '%1'").arg(env.toString().left(64)),
                      ref);
        else
            sendError(client,
                      QStringLiteral("unknown-topic"),
                      unknownTopicMessage(env.toString(), topic.toString()),
                      ref);
        return;
    }
    if (!client->subscribed.contains(s)) {
        sendError(client,
                  QStringLiteral("not-subscribed"),
                  tr("not subscribed to %1 %2: subscribe first").arg(s->env, s->topic),
                  ref);
        return;
    }
    sendSnapshot(client, s);
}

// ---------------------------------------------------------------------------------------------
// Actions

void FeedServer::audit(const QString &environment,
                       const QString &action,
                       const QString &target,
                       const QString &outcome,
                       const QString &detail)
{
    if (m_auditor)
        m_auditor(environment, action, target, outcome, detail);
    emit logLine(QStringLiteral("info"),
                 QStringLiteral("action"),
                 QJsonObject{{QStringLiteral("env"), environment},
                             {QStringLiteral("action"), action},
                             {QStringLiteral("target"), target},
                             {QStringLiteral("outcome"), outcome},
                             {QStringLiteral("detail"), detail}});
}

void FeedServer::handleAction(Client *client, const QJsonObject &request, const QString &ref)
{
    if (client->role != Role::Operator) {
        sendError(
            client,
            QStringLiteral("forbidden"),
            tr("actions need the operator role (this connection is %1)").arg(nameOf(client->role)),
            ref);
        return;
    }
    const QString id = request.value(QStringLiteral("id")).toString();
    const QJsonValue envValue = request.value(QStringLiteral("env"));
    const QJsonValue kindValue = request.value(QStringLiteral("kind"));
    const QJsonValue targetValue = request.value(QStringLiteral("target"));
    const QJsonValue confirmValue = request.value(QStringLiteral("confirm"));
    const QJsonValue paramsValue = request.value(QStringLiteral("params"));
    if (!envValue.isString()) {
        sendError(client, QStringLiteral("bad-request"), tr("missing \"env\" (a string)"), ref);
        return;
    }
    const QString env = envValue.toString();
    const auto envIt = std::find_if(m_environments.cbegin(),
                                    m_environments.cend(),
                                    [&](const FeedEnvironment &e) { return e.name == env; });
    if (envIt == m_environments.cend()) {
        sendError(client,
                  QStringLiteral("unknown-env"),
                  tr("unknown environment '%1'").arg(env.left(64)),
                  ref);
        return;
    }
    if (!kindValue.isString() || !kActionKinds.contains(kindValue.toString())) {
        sendError(client,
                  QStringLiteral("bad-request"),
                  tr("\"kind\" must be one of %1").arg(kActionKinds.join(QStringLiteral(", "))),
                  ref);
        return;
    }
    const QString kind = kindValue.toString();
    if (!targetValue.isString() || targetValue.toString().isEmpty()) {
        sendError(client, QStringLiteral("bad-request"), tr("missing \"target\" (a string)"), ref);
        return;
    }
    const QString target = targetValue.toString();
    if (!paramsValue.isUndefined() && !paramsValue.isObject() && !paramsValue.isNull()) {
        sendError(client, QStringLiteral("bad-request"), tr("\"params\" must be an object"), ref);
        return;
    }
    const QJsonObject params = paramsValue.toObject();
    if (!confirmValue.isString() || confirmValue.toString() != env) {
        audit(env, kind, target, QStringLiteral("refused"), tr("confirmation did not match"));
        sendError(client,
                  QStringLiteral("confirm-mismatch"),
                  tr("\"confirm\" must be the environment's name, %1").arg(env),
                  ref);
        return;
    }
    const QString detail =
        tr("by %1 (%2) from %3").arg(client->who, nameOf(client->role), client->peer);
    const bool force = params.value(QStringLiteral("force")).toBool();

    if (kind == QLatin1String("restart-container")) {
        if (!m_containerOperations) {
            sendError(client, QStringLiteral("unsupported"), tr("no container operations"), ref);
            return;
        }
        if (!envIt->store || !envIt->store->container(target)) {
            sendError(client,
                      QStringLiteral("unknown-target"),
                      tr("no container %1 in %2").arg(target, env),
                      ref);
            return;
        }
        audit(env, kind, target, QStringLiteral("request"), detail);
        m_pendingActions.append(PendingAction{client->socket, id, env, kind, target, client->who});
        m_containerOperations->requestAction(env, target, Models::ContainerAction::Restart);
        return;
    }

    if (!envIt->marathon || !m_marathonOperations) {
        sendError(client,
                  QStringLiteral("unsupported"),
                  tr("%1 has no Marathon for %2").arg(env, kind),
                  ref);
        return;
    }
    Models::MarathonActionRequest action;
    action.environment = env;
    action.force = force;
    if (kind == QLatin1String("rollback")) {
        if (!envIt->marathon->deployment(target)) {
            sendError(client,
                      QStringLiteral("unknown-target"),
                      tr("no deployment %1 in %2").arg(target, env),
                      ref);
            return;
        }
        action.action = Models::MarathonAction::RollbackDeployment;
        action.deploymentId = target;
    } else {
        if (!envIt->marathon->app(target)) {
            sendError(client,
                      QStringLiteral("unknown-target"),
                      tr("no Marathon app %1 in %2").arg(target, env),
                      ref);
            return;
        }
        action.appId = target;
        action.action = Models::MarathonAction::RestartApp;
        if (kind == QLatin1String("rollout")) {
            const QString image = params.value(QStringLiteral("image")).toString();
            if (image.isEmpty()) {
                sendError(client,
                          QStringLiteral("bad-request"),
                          tr("rollout needs \"params\": {\"image\": …}"),
                          ref);
                return;
            }
            action.action = Models::MarathonAction::UpdateImage;
            action.image = image;
        }
    }
    audit(env, kind, target, QStringLiteral("request"), detail);
    m_pendingActions.append(PendingAction{client->socket, id, env, kind, target, client->who});
    m_marathonOperations->requestMarathonAction(action);
}

namespace {

QString kindOf(const Models::MarathonActionRequest &request)
{
    switch (request.action) {
    case Models::MarathonAction::RestartApp:
        return QStringLiteral("restart-app");
    case Models::MarathonAction::UpdateImage:
        return QStringLiteral("rollout");
    case Models::MarathonAction::RollbackDeployment:
        return QStringLiteral("rollback");
    case Models::MarathonAction::ScaleApp:
    case Models::MarathonAction::ForceCancelDeployment:
        break;
    }
    return QString();
}

} // namespace

void FeedServer::onContainerActionFinished(const QString &environment,
                                           const QString &key,
                                           Models::ContainerAction action,
                                           bool ok,
                                           const QString &message)
{
    if (action != Models::ContainerAction::Restart)
        return;
    for (int i = 0; i < m_pendingActions.size(); ++i) {
        const PendingAction p = m_pendingActions.at(i);
        if (p.kind != QLatin1String("restart-container") || p.environment != environment
            || p.target != key)
            continue;
        m_pendingActions.removeAt(i);
        audit(environment,
              p.kind,
              key,
              ok ? QStringLiteral("ok") : QStringLiteral("failed"),
              message + QStringLiteral(" (") + p.who + QLatin1Char(')'));
        const auto it = m_clients.constFind(p.socket.data());
        if (p.socket && it != m_clients.cend()) {
            send(
                it.value(),
                QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("action-result")},
                                          {QStringLiteral("id"), p.id},
                                          {QStringLiteral("env"), environment},
                                          {QStringLiteral("kind"), p.kind},
                                          {QStringLiteral("target"), key},
                                          {QStringLiteral("ok"), ok},
                                          {QStringLiteral("message"), message},
                                          {QStringLiteral("deploymentId"), QString()}})
                    .toJson(QJsonDocument::Compact));
        }
        return;
    }
}

void FeedServer::onMarathonActionFinished(const Models::MarathonActionRequest &request,
                                          bool ok,
                                          const QString &message,
                                          const QString &deploymentId)
{
    const QString kind = kindOf(request);
    const QString target = request.action == Models::MarathonAction::RollbackDeployment
                               ? request.deploymentId
                               : request.appId;
    for (int i = 0; i < m_pendingActions.size(); ++i) {
        const PendingAction p = m_pendingActions.at(i);
        if (p.kind != kind || p.environment != request.environment || p.target != target)
            continue;
        m_pendingActions.removeAt(i);
        audit(p.environment,
              p.kind,
              target,
              ok ? QStringLiteral("ok") : QStringLiteral("failed"),
              message + QStringLiteral(" (") + p.who + QLatin1Char(')'));
        const auto it = m_clients.constFind(p.socket.data());
        if (p.socket && it != m_clients.cend()) {
            send(
                it.value(),
                QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("action-result")},
                                          {QStringLiteral("id"), p.id},
                                          {QStringLiteral("env"), p.environment},
                                          {QStringLiteral("kind"), p.kind},
                                          {QStringLiteral("target"), target},
                                          {QStringLiteral("ok"), ok},
                                          {QStringLiteral("message"), message},
                                          {QStringLiteral("deploymentId"), deploymentId}})
                    .toJson(QJsonDocument::Compact));
        }
        return;
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP

QJsonObject FeedServer::healthJson() const
{
    QJsonArray environments;
    for (const FeedEnvironment &env : m_environments) {
        QJsonArray sources;
        auto add = [&sources](const QString &kind, const Models::HostStatus &status) {
            sources.append(QJsonObject{{QStringLiteral("kind"), kind},
                                       {QStringLiteral("id"), status.id},
                                       {QStringLiteral("state"), Models::nameOf(status.state)}});
        };
        if (env.store) {
            for (const Models::HostStatus &h : env.store->hosts())
                add(QStringLiteral("docker"), h);
        }
        if (env.marathon) {
            Models::HostStatus marathon = env.marathon->marathonStatus();
            marathon.id = kMarathon;
            add(kMarathon, marathon);
            Models::HostStatus mesos = env.marathon->mesosStatus();
            mesos.id = kMesos;
            add(kMesos, mesos);
        }
        if (env.kafka) {
            for (const QString &cluster : env.kafka->clusters()) {
                Models::HostStatus status = env.kafka->clusterStatus(cluster);
                status.id = cluster;
                add(kKafka, status);
            }
        }
        for (const Models::KvStore *kv : env.kv) {
            Models::HostStatus status = kv->status();
            status.id = kvStoreId(*kv);
            add(Models::nameOf(kv->kind()), status);
        }
        environments.append(
            QJsonObject{{QStringLiteral("name"), env.name}, {QStringLiteral("sources"), sources}});
    }
    return QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")},
                       {QStringLiteral("clients"), clientCount()},
                       {QStringLiteral("environments"), environments}};
}

QByteArray FeedServer::metricsText() const
{
    QString out;
    auto family = [&out](const char *name, const char *help) {
        out += QStringLiteral("# HELP ") + QLatin1String(name) + QLatin1Char(' ')
               + QLatin1String(help) + QStringLiteral("\n# TYPE ") + QLatin1String(name)
               + QStringLiteral(" gauge\n");
    };
    auto sample = [&out](const char *name,
                         const QList<std::pair<const char *, QString>> &labels,
                         double value) {
        out += QLatin1String(name);
        if (!labels.isEmpty()) {
            QStringList parts;
            for (const auto &[label, v] : labels)
                parts.append(QLatin1String(label) + QStringLiteral("=\"") + promEscape(v)
                             + QLatin1Char('"'));
            out += QLatin1Char('{') + parts.join(QLatin1Char(',')) + QLatin1Char('}');
        }
        out += QLatin1Char(' ') + QString::number(value, 'g', 15) + QLatin1Char('\n');
    };
    const QList<Models::ContainerState> states{Models::ContainerState::Created,
                                               Models::ContainerState::Running,
                                               Models::ContainerState::Paused,
                                               Models::ContainerState::Restarting,
                                               Models::ContainerState::Removing,
                                               Models::ContainerState::Exited,
                                               Models::ContainerState::Dead,
                                               Models::ContainerState::Unknown};

    family("opsdeck_containers", "Containers by state.");
    for (const FeedEnvironment &env : m_environments) {
        if (!env.store)
            continue;
        QHash<Models::ContainerState, int> counts;
        for (const Models::Container &c : env.store->containers())
            ++counts[c.state];
        for (Models::ContainerState s : states)
            sample("opsdeck_containers",
                   {{"environment", env.name}, {"state", Models::nameOf(s)}},
                   counts.value(s));
    }
    family("opsdeck_crash_loops", "Containers in a crash loop.");
    for (const FeedEnvironment &env : m_environments) {
        if (!env.store)
            continue;
        const QList<Models::Container> containers = env.store->containers();
        sample("opsdeck_crash_loops",
               {{"environment", env.name}},
               double(std::count_if(containers.cbegin(), containers.cend(), [](const auto &c) {
                   return c.hasFlag(Models::ContainerFlag::CrashLoop);
               })));
    }
    family("opsdeck_unhealthy_containers", "Containers whose health check fails.");
    for (const FeedEnvironment &env : m_environments) {
        if (!env.store)
            continue;
        const QList<Models::Container> containers = env.store->containers();
        sample("opsdeck_unhealthy_containers",
               {{"environment", env.name}},
               double(std::count_if(containers.cbegin(), containers.cend(), [](const auto &c) {
                   return c.health == Models::HealthStatus::Unhealthy;
               })));
    }
    family("opsdeck_marathon_unhealthy_tasks", "Marathon tasks failing their health checks.");
    for (const FeedEnvironment &env : m_environments) {
        if (!env.marathon)
            continue;
        int unhealthy = 0;
        for (const QString &id : env.marathon->appIds())
            unhealthy += env.marathon->app(id)->tasksUnhealthy;
        sample("opsdeck_marathon_unhealthy_tasks", {{"environment", env.name}}, unhealthy);
    }
    family("opsdeck_marathon_deployments_in_progress", "Marathon deployments in progress.");
    for (const FeedEnvironment &env : m_environments) {
        if (env.marathon)
            sample("opsdeck_marathon_deployments_in_progress",
                   {{"environment", env.name}},
                   double(env.marathon->deploymentIds().size()));
    }
    family("opsdeck_marathon_deployments_stuck", "Marathon deployments without progress.");
    for (const FeedEnvironment &env : m_environments) {
        if (!env.marathon)
            continue;
        int stuck = 0;
        for (const QString &id : env.marathon->deploymentIds())
            stuck += env.marathon->isStuck(id) ? 1 : 0;
        sample("opsdeck_marathon_deployments_stuck", {{"environment", env.name}}, stuck);
    }
    family("opsdeck_kafka_lag", "Consumer group lag in messages.");
    for (const FeedEnvironment &env : m_environments) {
        if (!env.kafka)
            continue;
        for (const QString &key : env.kafka->groupKeys()) {
            if (const Models::KafkaGroupState *g = env.kafka->group(key))
                sample("opsdeck_kafka_lag",
                       {{"environment", env.name}, {"cluster", g->cluster}, {"group", g->group}},
                       double(g->lag));
        }
    }
    family("opsdeck_source_up", "1 when the source answers, else 0.");
    const QJsonArray health = healthJson().value(QStringLiteral("environments")).toArray();
    for (const auto &envValue : health) {
        const QJsonObject env = envValue.toObject();
        for (const auto &sourceValue : env.value(QStringLiteral("sources")).toArray()) {
            const QJsonObject source = sourceValue.toObject();
            sample("opsdeck_source_up",
                   {{"environment", env.value(QStringLiteral("name")).toString()},
                    {"kind", source.value(QStringLiteral("kind")).toString()},
                    {"source", source.value(QStringLiteral("id")).toString()}},
                   source.value(QStringLiteral("state")).toString()
                           == Models::nameOf(Models::SourceState::Connected)
                       ? 1
                       : 0);
        }
    }
    if (m_alerts) {
        family("opsdeck_alerts_active", "Active alerts by severity.");
        const QList<Models::AlertRecord> active = m_alerts->active();
        for (const FeedEnvironment &env : m_environments) {
            for (auto severity :
                 {Models::Alert::Severity::Warning, Models::Alert::Severity::Critical}) {
                sample("opsdeck_alerts_active",
                       {{"environment", env.name}, {"severity", Models::nameOf(severity)}},
                       double(std::count_if(active.cbegin(), active.cend(), [&](const auto &r) {
                           return r.alert.environment == env.name && r.alert.severity == severity;
                       })));
            }
        }
    }
    family("opsdeck_feed_clients", "Connected WebSocket clients.");
    sample("opsdeck_feed_clients", {}, clientCount());
    family("opsdeck_build_info", "Build information.");
    sample("opsdeck_build_info",
           {{"version", QStringLiteral(OPSDECK_VERSION)},
            {"qt", QString::fromLatin1(qVersion())},
            {"protocol", QStringLiteral("1")}},
           1);
    return out.toUtf8();
}

QString FeedServer::staticFilePath(const QString &urlPath) const
{
    if (m_settings.webRoot.isEmpty())
        return QString();
    QString rel = urlPath;
    if (rel.contains(QLatin1Char('\\')) || rel.contains(QChar(0)))
        return QString();
    const QStringList segments = rel.split(QLatin1Char('/'));
    if (segments.contains(QStringLiteral("..")))
        return QString();
    if (rel.isEmpty() || rel.endsWith(QLatin1Char('/')))
        rel += QStringLiteral("index.html");
    const QString root = QFileInfo(m_settings.webRoot).canonicalFilePath();
    if (root.isEmpty())
        return QString();
    const QFileInfo file(root + QLatin1Char('/') + rel);
    const QString canonical = file.canonicalFilePath();
    if (canonical.isEmpty() || !canonical.startsWith(root + QLatin1Char('/'))
        || !QFileInfo(canonical).isFile())
        return QString();
    return canonical;
}

} // namespace Opsdeck::Views
