// SPDX-License-Identifier: MIT
#include "connectors/zookeeper/zookeepersession.h"

#include <QDateTime>
#include <QHash>
#include <QLoggingCategory>
#include <QMutex>
#include <QMutexLocker>
#include <QRegularExpression>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <mutex>
#include <utility>
#include <zookeeper/zookeeper.h>

namespace Opsdeck::Connectors {

using namespace Opsdeck::Models;

namespace {

// The C client's own log: at debug level only, never on stderr.
Q_LOGGING_CATEGORY(lcZooKeeperClient, "opsdeck.zookeeper.client", QtInfoMsg)

/// A read in flight. Completions carry only a `const void *`: an id into this registry, so
/// nothing is leaked when zookeeper_close drops completions it never calls.
struct PendingRead
{
    ZooKeeperSession *session = nullptr;
    int epoch = 0;
    QString path;
};

QMutex g_registryMutex;
QHash<quintptr, PendingRead> g_registry;
quintptr g_nextId = 1;

/// The last socket error the client logged, by "host:port" (its log callback has no context).
QHash<QString, QString> g_lastSocketError;

const void *registerRead(ZooKeeperSession *session, int epoch, const QString &path)
{
    QMutexLocker lock(&g_registryMutex);
    const quintptr id = g_nextId++;
    g_registry.insert(id, PendingRead{session, epoch, path});
    return reinterpret_cast<const void *>(id);
}

std::optional<PendingRead> takeRead(const void *data)
{
    QMutexLocker lock(&g_registryMutex);
    const auto it = g_registry.find(reinterpret_cast<quintptr>(data));
    if (it == g_registry.end())
        return std::nullopt;
    PendingRead read = *it;
    g_registry.erase(it);
    return read;
}

void forgetReads(const ZooKeeperSession *session)
{
    QMutexLocker lock(&g_registryMutex);
    for (auto it = g_registry.begin(); it != g_registry.end();) {
        if (it->session == session)
            it = g_registry.erase(it);
        else
            ++it;
    }
}

/// Runs on the client's threads.
void logMessage(const char *message)
{
    const QString text = QString::fromUtf8(message).trimmed();
    qCDebug(lcZooKeeperClient, "%s", qUtf8Printable(text));
    // e.g. "…: Socket 127.0.0.1:2181 zk retcode=-4, errno=111(Connection refused): server
    // refused to accept the client" (3.8; older clients put the address in brackets)
    static const QRegularExpression socketError(
        QStringLiteral(R"(Socket \[?([^\]\s]+)\]?\s.*errno=\d+\(([^)]*)\)(?::\s*(.*))?)"));
    const QRegularExpressionMatch m = socketError.match(text);
    if (!m.hasMatch())
        return;
    QString reason = m.captured(2);
    if (!m.captured(3).isEmpty())
        reason += QLatin1String(": ") + m.captured(3);
    QMutexLocker lock(&g_registryMutex);
    g_lastSocketError.insert(m.captured(1), reason);
}

void setUpClientLogging()
{
    static std::once_flag once;
    std::call_once(once, [] {
        // Messages without a handle would go to stderr; every handle logs through logMessage.
        // The stream stays open for the process's life (the client keeps the pointer).
        if (FILE *sink = std::fopen("/dev/null", "w"))
            zoo_set_log_stream(sink);
        zoo_set_debug_level(lcZooKeeperClient().isDebugEnabled() ? ZOO_LOG_LEVEL_DEBUG
                                                                 : ZOO_LOG_LEVEL_WARN);
    });
}

QString zkError(int rc)
{
    return QString::fromUtf8(zerror(rc));
}

/// The connection is gone or going: the session events say what happens next.
bool isConnectionError(int rc)
{
    return rc == ZCONNECTIONLOSS || rc == ZSESSIONEXPIRED || rc == ZCLOSING || rc == ZINVALIDSTATE
           || rc == ZOPERATIONTIMEOUT || rc == ZSESSIONMOVED;
}

QString childPath(const QString &parent, const QString &name)
{
    if (parent == QLatin1String("/"))
        return QLatin1Char('/') + name;
    return parent + QLatin1Char('/') + name;
}

QString parentPath(const QString &path)
{
    const qsizetype cut = path.lastIndexOf(QLatin1Char('/'));
    return cut <= 0 ? QStringLiteral("/") : path.left(cut);
}

QByteArray normalisedRoot(const QString &path)
{
    QString p = path.trimmed();
    while (p.size() > 1 && p.endsWith(QLatin1Char('/')))
        p.chop(1);
    if (!p.startsWith(QLatin1Char('/')))
        p.prepend(QLatin1Char('/'));
    return p.toUtf8();
}

} // namespace

/// The C client's entry points: all run on its threads and only post to the session's thread.
struct ZooKeeperCallbacks
{
    using HandleContext = ZooKeeperSession::HandleContext;

    static void sessionWatcher(zhandle_t *, int type, int state, const char *, void *ctx)
    {
        if (type != ZOO_SESSION_EVENT || !ctx)
            return;
        const auto *c = static_cast<const HandleContext *>(ctx);
        c->session->postSessionEvent(c->generation, state);
    }

    static void nodeWatcher(zhandle_t *, int type, int, const char *path, void *ctx)
    {
        // Node watchers see session events too; sessionWatcher handles those once.
        if (type == ZOO_SESSION_EVENT || !ctx || !path)
            return;
        const auto *c = static_cast<const HandleContext *>(ctx);
        c->session->postNodeEvent(c->generation, type, QString::fromUtf8(path));
    }

    static void dataDone(int rc, const char *value, int len, const Stat *stat, const void *data)
    {
        const std::optional<PendingRead> read = takeRead(data);
        if (!read)
            return;
        const QByteArray bytes =
            (rc == ZOK && value && len > 0) ? QByteArray(value, len) : QByteArray();
        const qint64 version = (rc == ZOK && stat) ? stat->version : -1;
        const qint64 mtime = (rc == ZOK && stat) ? stat->mtime : 0;
        ZooKeeperSession *session = read->session;
        QMetaObject::invokeMethod(
            session,
            [session, read = *read, rc, bytes, version, mtime] {
                session->onDataRead(read.epoch, read.path, rc, bytes, version, mtime);
            },
            Qt::QueuedConnection);
    }

    static void childrenDone(int rc, const String_vector *strings, const Stat *, const void *data)
    {
        const std::optional<PendingRead> read = takeRead(data);
        if (!read)
            return;
        QStringList children;
        if (rc == ZOK && strings) {
            for (int i = 0; i < strings->count; ++i)
                children << QString::fromUtf8(strings->data[i]);
        }
        ZooKeeperSession *session = read->session;
        QMetaObject::invokeMethod(
            session,
            [session, read = *read, rc, children] {
                session->onChildrenRead(read.epoch, read.path, rc, children);
            },
            Qt::QueuedConnection);
    }

    static void existsDone(int rc, const Stat *, const void *data)
    {
        const std::optional<PendingRead> read = takeRead(data);
        if (!read)
            return;
        ZooKeeperSession *session = read->session;
        QMetaObject::invokeMethod(
            session,
            [session, epoch = read->epoch, rc] { session->onRootExists(epoch, rc); },
            Qt::QueuedConnection);
    }

    static void authDone(int, const void *)
    {
        // A refused digest arrives as ZOO_AUTH_FAILED_STATE through sessionWatcher.
    }
};

ZooKeeperSession::ZooKeeperSession(const ZooKeeperConfig &config,
                                   const QByteArray &digest,
                                   const ZooKeeperTimings &timings)
    : m_config(config)
    , m_root(normalisedRoot(config.path))
    , m_digest(digest)
    , m_timings(timings)
    , m_connectTimer(this)
    , m_retryTimer(this)
{
    setUpClientLogging();
    m_connectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        if (m_connected || !m_zh)
            return;
        setState(SourceState::Unreachable,
                 unreachableReason(tr("no ZooKeeper server answers (still trying)")));
        // The client keeps trying on its own; refresh the reason meanwhile.
        m_connectTimer.start(m_timings.connectTimeoutMs);
    });
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, [this] {
        if (m_closed)
            return;
        if (!m_zh)
            openHandle();
        else if (m_connected)
            resync();
    });
}

ZooKeeperSession::~ZooKeeperSession()
{
    closeHandle();
}

void ZooKeeperSession::open()
{
    m_closed = false;
    setState(SourceState::Connecting);
    openHandle();
}

void ZooKeeperSession::close()
{
    m_closed = true;
    m_connectTimer.stop();
    m_retryTimer.stop();
    closeHandle();
}

void ZooKeeperSession::postSessionEvent(int generation, int state)
{
    QMetaObject::invokeMethod(
        this,
        [this, generation, state] { onSessionEvent(generation, state); },
        Qt::QueuedConnection);
}

void ZooKeeperSession::postNodeEvent(int generation, int type, const QString &path)
{
    QMetaObject::invokeMethod(
        this,
        [this, generation, type, path] { onNodeEvent(generation, type, path); },
        Qt::QueuedConnection);
}

void ZooKeeperSession::openHandle()
{
    closeHandle();
    if (m_closed)
        return;
    ++m_generation;
    auto *ctx = new HandleContext{this, m_generation};
    const int timeout =
        int(std::clamp<qint64>(m_config.sessionTimeoutMs, 1000, std::numeric_limits<int>::max()));
    // The handle's threads start here; the callbacks post to this thread.
    m_zh = zookeeper_init2(m_config.hosts.toUtf8().constData(),
                           &ZooKeeperCallbacks::sessionWatcher,
                           timeout,
                           nullptr,
                           ctx,
                           0,
                           &logMessage);
    if (!m_zh) {
        const int err = errno;
        delete ctx;
        setState(SourceState::Unreachable,
                 tr("%1: cannot start a ZooKeeper session: %2")
                     .arg(m_config.hosts, QString::fromLocal8Bit(std::strerror(err))));
        scheduleRetry();
        return;
    }
    m_handle = ctx;
    if (!m_digest.isEmpty()) {
        // Sent once connected and again on every reconnect by the client itself.
        const int rc = zoo_add_auth(m_zh,
                                    "digest",
                                    m_digest.constData(),
                                    int(m_digest.size()),
                                    &ZooKeeperCallbacks::authDone,
                                    nullptr);
        if (rc != ZOK)
            setState(SourceState::Unreachable,
                     tr("%1: digest authentication could not be sent: %2")
                         .arg(m_config.hosts, zkError(rc)));
    }
    m_connectTimer.start(m_timings.connectTimeoutMs);
}

void ZooKeeperSession::closeHandle()
{
    m_connected = false;
    ++m_epoch;
    if (m_zh) {
        // Joins the client's threads: no callback runs after this returns.
        zookeeper_close(m_zh);
        m_zh = nullptr;
    }
    forgetReads(this);
    delete std::exchange(m_handle, nullptr);
}

void ZooKeeperSession::onSessionEvent(int generation, int state)
{
    if (generation != m_generation || !m_zh)
        return;
    if (state == ZOO_CONNECTED_STATE) {
        m_connected = true;
        m_connectTimer.stop();
        forgetSocketErrors();
        // Watches survive a reconnect within the session, but what changed while disconnected
        // is only known by reading again.
        resync();
    } else if (state == ZOO_CONNECTING_STATE) {
        if (!m_connected)
            return;
        m_connected = false;
        ++m_epoch;
        setState(SourceState::Unreachable, unreachableReason(tr("connection lost, reconnecting")));
        m_connectTimer.start(m_timings.connectTimeoutMs);
    } else if (state == ZOO_EXPIRED_SESSION_STATE) {
        // An expired handle is dead for good: a new session, then a full read.
        setState(SourceState::Connecting,
                 tr("%1: the session expired; opening a new one").arg(m_config.hosts));
        openHandle();
    } else if (state == ZOO_AUTH_FAILED_STATE) {
        closeHandle();
        setState(SourceState::Unreachable,
                 tr("%1: digest authentication failed").arg(m_config.hosts));
        scheduleRetry();
    }
}

void ZooKeeperSession::onNodeEvent(int generation, int type, const QString &path)
{
    if (generation != m_generation || !m_connected)
        return;
    const QString root = QString::fromUtf8(m_root);
    if (type == ZOO_CREATED_EVENT) {
        if (path == root)
            resync();
        return;
    }
    if (!m_nodes.contains(path))
        return; // dropped meanwhile; its parent's child watch tells what exists
    if (type == ZOO_CHANGED_EVENT) {
        readData(path);
    } else if (type == ZOO_CHILD_EVENT) {
        readChildren(path);
    } else if (type == ZOO_DELETED_EVENT) {
        dropSubtree(path);
        if (path == root) {
            setState(SourceState::Connected, tr("%1 does not exist").arg(root));
            watchRootCreation();
        }
    }
}

void ZooKeeperSession::resync()
{
    ++m_epoch;
    m_retryTimer.stop();
    m_nodes.clear();
    m_synced = false;
    m_syncing = true;
    m_pending = 0;
    m_readError.clear();
    m_rootMissing = false;
    const QString root = QString::fromUtf8(m_root);
    m_nodes.insert(root, Node{});
    readData(root);
    readChildren(root);
}

void ZooKeeperSession::readData(const QString &path)
{
    const void *id = registerRead(this, m_epoch, path);
    const int rc = zoo_awget(m_zh,
                             path.toUtf8().constData(),
                             &ZooKeeperCallbacks::nodeWatcher,
                             m_handle,
                             &ZooKeeperCallbacks::dataDone,
                             id);
    if (rc != ZOK) {
        takeRead(id);
        readFailed(path, rc);
        return;
    }
    ++m_pending;
}

void ZooKeeperSession::readChildren(const QString &path)
{
    const void *id = registerRead(this, m_epoch, path);
    const int rc = zoo_awget_children2(m_zh,
                                       path.toUtf8().constData(),
                                       &ZooKeeperCallbacks::nodeWatcher,
                                       m_handle,
                                       &ZooKeeperCallbacks::childrenDone,
                                       id);
    if (rc != ZOK) {
        takeRead(id);
        readFailed(path, rc);
        return;
    }
    ++m_pending;
}

void ZooKeeperSession::watchRootCreation()
{
    const void *id = registerRead(this, m_epoch, QString::fromUtf8(m_root));
    const int rc = zoo_awexists(m_zh,
                                m_root.constData(),
                                &ZooKeeperCallbacks::nodeWatcher,
                                m_handle,
                                &ZooKeeperCallbacks::existsDone,
                                id);
    if (rc != ZOK) {
        takeRead(id);
        readFailed(QString::fromUtf8(m_root), rc);
    }
}

void ZooKeeperSession::onRootExists(int epoch, int rc)
{
    if (epoch != m_epoch)
        return;
    // Created between the failed read and the watch: read it now (else the watch tells).
    if (rc == ZOK)
        resync();
    else if (rc != ZNONODE)
        readFailed(QString::fromUtf8(m_root), rc);
}

void ZooKeeperSession::onDataRead(
    int epoch, const QString &path, int rc, const QByteArray &value, qint64 version, qint64 mtimeMs)
{
    if (epoch != m_epoch)
        return;
    const auto it = m_nodes.find(path);
    if (it != m_nodes.end()) {
        if (rc == ZOK) {
            it->dataKnown = true;
            it->value = value;
            it->version = version;
            it->mtimeMs = mtimeMs;
            publish({path});
        } else if (rc == ZNONODE) {
            if (path == QString::fromUtf8(m_root))
                m_rootMissing = true;
            dropSubtree(path);
        } else {
            readFailed(path, rc);
        }
    }
    readDone();
}

void ZooKeeperSession::onChildrenRead(int epoch,
                                      const QString &path,
                                      int rc,
                                      const QStringList &children)
{
    if (epoch != m_epoch)
        return;
    const auto it = m_nodes.find(path);
    if (it != m_nodes.end()) {
        if (rc == ZOK) {
            const QStringList before = it->children;
            it->children = children;
            it->childrenKnown = true;
            for (const QString &name : children) {
                const QString child = childPath(path, name);
                if (before.contains(name) || m_nodes.contains(child))
                    continue;
                m_nodes.insert(child, Node{});
                readData(child);
                readChildren(child);
            }
            for (const QString &name : before) {
                if (!children.contains(name))
                    dropSubtree(childPath(path, name));
            }
            publish({path});
        } else if (rc == ZNONODE) {
            dropSubtree(path);
        } else {
            readFailed(path, rc);
        }
    }
    readDone();
}

void ZooKeeperSession::readDone()
{
    m_pending = std::max(0, m_pending - 1);
    if (!m_syncing || m_pending > 0 || !m_connected)
        return;
    m_syncing = false;
    if (!m_readError.isEmpty()) {
        setState(SourceState::Unreachable, m_readError);
        scheduleRetry();
        return;
    }
    m_synced = true;
    m_backoffMs = 0;
    const QList<KvEntry> entries = allEntries();
    m_published.clear();
    for (const KvEntry &e : entries)
        m_published.insert(e.key, e);
    emit snapshot(entries);
    if (m_rootMissing) {
        setState(SourceState::Connected, tr("%1 does not exist").arg(QString::fromUtf8(m_root)));
        watchRootCreation();
    } else {
        setState(SourceState::Connected);
    }
}

void ZooKeeperSession::dropSubtree(const QString &path)
{
    QStringList gone;
    const QString below = path == QLatin1String("/") ? path : path + QLatin1Char('/');
    for (auto it = m_nodes.begin(); it != m_nodes.end();) {
        if (it.key() == path || it.key().startsWith(below)) {
            gone << it.key();
            it = m_nodes.erase(it);
        } else {
            ++it;
        }
    }
    const QString parent = parentPath(path);
    const auto p = m_nodes.find(parent);
    if (p != m_nodes.end() && path != parent) {
        p->children.removeAll(path.mid(path.lastIndexOf(QLatin1Char('/')) + 1));
        gone << parent;
    }
    publish(gone);
}

std::optional<KvEntry> ZooKeeperSession::entryOf(const QString &path) const
{
    if (path == QString::fromUtf8(m_root))
        return std::nullopt;
    const auto it = m_nodes.constFind(path);
    if (it == m_nodes.cend() || !it->dataKnown)
        return std::nullopt;
    // A key is a node with data, or a leaf; an empty inner node is only a folder.
    if (it->value.isEmpty() && (!it->childrenKnown || !it->children.isEmpty()))
        return std::nullopt;
    KvEntry e;
    e.key = path;
    e.value = it->value;
    e.version = it->version;
    e.modified = QDateTime::fromMSecsSinceEpoch(it->mtimeMs, Qt::UTC);
    return e;
}

QList<KvEntry> ZooKeeperSession::allEntries() const
{
    QList<KvEntry> entries;
    for (auto it = m_nodes.cbegin(); it != m_nodes.cend(); ++it) {
        if (const std::optional<KvEntry> e = entryOf(it.key()))
            entries << *e;
    }
    return entries;
}

void ZooKeeperSession::publish(const QStringList &paths)
{
    if (!m_synced)
        return;
    for (const QString &path : paths) {
        const std::optional<KvEntry> now = entryOf(path);
        const auto was = m_published.constFind(path);
        if (now) {
            if (was != m_published.cend() && *was == *now)
                continue;
            m_published.insert(path, *now);
            emit entryChanged(*now);
        } else if (was != m_published.cend()) {
            m_published.remove(path);
            emit entryRemoved(path);
        }
    }
}

void ZooKeeperSession::readFailed(const QString &path, int rc)
{
    if (isConnectionError(rc)) {
        // Not an answer about the node: the reconnect reads everything again.
        if (m_readError.isEmpty() && m_syncing)
            m_readError = unreachableReason(tr("connection lost while reading"));
        return;
    }
    const QString reason =
        rc == ZNOAUTH ? tr("%1: not authorised to read %2 (%3)%4")
                            .arg(m_config.hosts,
                                 path,
                                 zkError(rc),
                                 m_config.digestEnv.isEmpty()
                                     ? tr("; no digest configured")
                                     : tr("; digest from %1").arg(m_config.digestEnv))
                      : tr("%1: reading %2 failed: %3").arg(m_config.hosts, path, zkError(rc));
    if (m_syncing) {
        if (m_readError.isEmpty())
            m_readError = reason;
        return;
    }
    if (!m_synced)
        return; // a full read is already scheduled
    // The mirror is incomplete now: say so, and read it all again later.
    m_synced = false;
    m_syncing = false;
    ++m_epoch;
    m_pending = 0;
    setState(SourceState::Unreachable, reason);
    scheduleRetry();
}

void ZooKeeperSession::setState(SourceState state, const QString &error)
{
    emit stateChanged(state, error);
}

void ZooKeeperSession::scheduleRetry()
{
    if (m_closed)
        return;
    m_backoffMs = m_backoffMs == 0 ? m_timings.retryInitialMs
                                   : std::min(m_backoffMs * 2, m_timings.retryMaxMs);
    m_retryTimer.start(m_backoffMs);
}

QStringList ZooKeeperSession::hostPorts() const
{
    QStringList result;
    for (const QString &host : m_config.hosts.split(QLatin1Char(','), Qt::SkipEmptyParts))
        result << host.section(QLatin1Char('/'), 0, 0).trimmed();
    return result;
}

void ZooKeeperSession::forgetSocketErrors() const
{
    QMutexLocker lock(&g_registryMutex);
    for (const QString &hostPort : hostPorts())
        g_lastSocketError.remove(hostPort);
}

QString ZooKeeperSession::unreachableReason(const QString &what) const
{
    QStringList causes;
    {
        QMutexLocker lock(&g_registryMutex);
        for (const QString &hostPort : hostPorts()) {
            const QString cause = g_lastSocketError.value(hostPort);
            if (!cause.isEmpty())
                causes << hostPort + QLatin1String(": ") + cause;
        }
    }
    return causes.isEmpty()
               ? tr("%1: %2").arg(m_config.hosts, what)
               : tr("%1: %2 (%3)").arg(m_config.hosts, what, causes.join(QLatin1String("; ")));
}

} // namespace Opsdeck::Connectors
