// SPDX-License-Identifier: MIT
#pragma once

#include "app/sim/httpserver.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <algorithm>
#include <functional>
#include <list>

class QTimer;

namespace Opsdeck::Sim {

/// One instance of a service registered in the simulated Consul, with its one service check.
struct SimConsulInstance
{
    QString node;    ///< node name, e.g. "agent-1"
    QString address; ///< node and service address
    int port = 0;
    QString id; ///< service id, unique across the catalog; the service name when empty
    QString status = QStringLiteral("passing"); ///< passing, warning, critical; empty: no check
    QString output;                             ///< the check's output
};

/// A simulated Consul server agent (HTTP API /v1, API reference §4): KV with CAS and
/// blocking queries on one Raft-like index, health, catalog and status endpoints, the
/// headers and error answers Consul gives. Good enough that the python-consul client works
/// against it unchanged. Held requests park on the HTTP server; nothing blocks.
class SimConsul : public QObject
{
    Q_OBJECT

public:
    explicit SimConsul(QObject *parent = nullptr);
    ~SimConsul() override;

    bool listen(quint16 port = 0);
    void stop();

    quint16 port() const { return m_server.port(); }

    QUrl url() const;

    QString errorString() const { return m_server.errorString(); }

    void setResponseDelayMs(int ms) { m_delayMs = std::max(0, ms); }

    void setDatacenter(const QString &dc) { m_datacenter = dc; }

    QString datacenter() const { return m_datacenter; }

    /// The Raft index: it grows with every write.
    quint64 index() const { return m_index; }

    // The estate's side: each is one write, as if it came over HTTP.
    void setKey(const QString &key, const QByteArray &value, quint64 flags = 0);
    bool deleteKey(const QString &key);
    /// Registers @p name with these instances, replacing any it had.
    void registerService(const QString &name,
                         const QStringList &tags,
                         const QList<SimConsulInstance> &instances);
    bool deregisterService(const QString &name);
    /// Sets the check of the instance with service id @p serviceId; false if there is none.
    bool setCheckStatus(const QString &serviceId, const QString &status, const QString &output);
    /// Without a known leader, writes and non-stale reads fail as on Consul ("No cluster
    /// leader"); ?stale reads still answer, with X-Consul-KnownLeader: false.
    void setLeader(bool known);
    /// Forgets KV tombstones, as Consul's tombstone GC does: a prefix whose newest change was
    /// a delete then reports a lower index (blocking clients must reset, API reference §4.3).
    void reapTombstones();

    /// With a token set, every request but /v1/status/* must carry it (X-Consul-Token,
    /// Authorization: Bearer or ?token=), as with Consul's default ACL policy "deny": none is
    /// 403 "Permission denied", another is 403 "ACL not found". Empty: no ACLs.
    void setAclToken(const QString &token) { m_aclToken = token; }

    QString aclToken() const { return m_aclToken; }

    /// Requests held by blocking queries right now.
    int heldRequests() const { return int(m_held.size()); }

private:
    struct KvEntry
    {
        QByteArray value;
        quint64 flags = 0;
        quint64 createIndex = 0;
        quint64 modifyIndex = 0;
    };

    struct Service
    {
        QStringList tags;
        QList<SimConsulInstance> instances;
        quint64 createIndex = 0;
        quint64 registerIndex = 0; ///< last (re-)registration
        quint64 healthIndex = 0;   ///< last registration or check change
    };

    /// One evaluation of a read: the answer and the indexes a blocking query looks at.
    struct Answer
    {
        int status = 200;
        QByteArray body;
        QByteArray contentType = "application/json";
        bool meta = true;  ///< a read: X-Consul-Index and the other query headers
        quint64 index = 0; ///< X-Consul-Index (at least 1 when sent)
        quint64 watch = 0; ///< grows when what the read looks at changes: ends a block
        HttpHeaders headers;
    };

    using Reader = std::function<Answer(const HttpRequest &)>;

    struct Held
    {
        QPointer<HttpExchange> exchange;
        Reader reader;
        quint64 watch = 0;       ///< the read's watch index when the block began
        QTimer *timer = nullptr; ///< owned by this object
    };

    void handle(HttpExchange *exchange);
    /// Answers a read now, or holds it as a blocking query until what it reads changes or
    /// its wait ends.
    void serveRead(HttpExchange *exchange, const Reader &reader, quint64 minIndex, qint64 waitMs);
    void finishHeld(std::list<Held>::iterator it);
    void wakeHeld();
    void send(HttpExchange *exchange, const Answer &answer);
    /// A plain-text answer that is no read (no query headers): Consul's errors.
    static Answer textAnswer(int status, const QByteArray &text);
    void sendText(HttpExchange *exchange, int status, const QByteArray &text);

    Answer kvPut(const HttpRequest &request, const QString &key);
    Answer kvDelete(const HttpRequest &request, const QString &key);
    Answer kvGet(const HttpRequest &request, const QString &key) const;
    Answer kvKeys(const HttpRequest &request, const QString &prefix) const;
    void storeKey(const QString &key, const QByteArray &value, quint64 flags);
    bool removeKey(const QString &key);
    /// Highest ModifyIndex or tombstone under @p prefix; 0 when there is neither.
    quint64 prefixIndex(const QString &prefix) const;

    Answer healthService(const HttpRequest &request, const QString &name) const;
    Answer healthChecks(const QString &name) const;
    Answer healthState(const QString &state) const;
    Answer catalogServices() const;
    Answer catalogService(const HttpRequest &request, const QString &name) const;
    QJsonArray checksOf(const QString &name, const Service &service) const;
    QJsonArray nodeChecks(const QString &node) const;
    QStringList nodes() const;

    HttpServer m_server;
    QString m_datacenter = QStringLiteral("dc1");
    int m_delayMs = 0;
    QString m_aclToken;
    bool m_leaderKnown = true;
    QElapsedTimer m_sinceLeaderLost;

    quint64 m_index = 0;   ///< the Raft index
    quint64 m_kvIndex = 0; ///< the KV table's index: last change to a key
    QMap<QString, KvEntry> m_kv;
    QMap<QString, quint64> m_tombstones; ///< deleted key → index of the delete
    QMap<QString, Service> m_services;
    QMap<QString, quint64> m_removedServices; ///< deregistered service → index of that
    quint64 m_servicesIndex = 0;              ///< last registration change of any service
    quint64 m_checksIndex = 0;                ///< last registration or check change
    std::list<Held> m_held;
};

} // namespace Opsdeck::Sim
