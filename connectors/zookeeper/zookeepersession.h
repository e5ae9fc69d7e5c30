// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentsconfig.h"
#include "models/hoststatus.h"
#include "models/kvstore.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <optional>

// The C client's handle (zookeeper/zookeeper.h), kept out of this header.
typedef struct _zhandle zhandle_t; // NOLINT(modernize-use-using): must match the C declaration

namespace Opsdeck::Connectors {

/// Timings of a ZooKeeper connection; the defaults suit people, tests shorten them. The session
/// timeout itself comes from the configuration.
struct ZooKeeperTimings
{
    /// Still no session this long after opening one: shown as unreachable (the client keeps
    /// trying on its own).
    int connectTimeoutMs = 5000;
    /// A failed read (no permission, …) or a failed open is retried with capped backoff.
    int retryInitialMs = 500;
    int retryMaxMs = 30000;
};

/// The worker behind ZooKeeperConnector: owns one libzookeeper-mt handle and mirrors the subtree
/// under the configured path, lives on its own QThread. The C client calls back on its own
/// threads; every callback is posted to this object's thread, so all state below is touched by
/// that thread only. Not for use on its own: ZooKeeperConnector creates, moves and ends it.
class ZooKeeperSession : public QObject
{
    Q_OBJECT

public:
    /// @p digest is "user:password" for zoo_add_auth("digest"), empty for none; never logged.
    ZooKeeperSession(const Models::ZooKeeperConfig &config,
                     const QByteArray &digest,
                     const ZooKeeperTimings &timings);
    ~ZooKeeperSession() override;

    /// Opens a session (on this object's thread).
    void open();
    /// Closes the session: zookeeper_close, on this object's thread, never on a callback thread.
    void close();

    /// Called from the C client's threads (see the .cpp); post to this thread.
    void postSessionEvent(int generation, int state);
    void postNodeEvent(int generation, int type, const QString &path);

signals:
    /// The whole subtree, read after a (re)connect.
    void snapshot(const QList<Opsdeck::Models::KvEntry> &entries);
    void entryChanged(const Opsdeck::Models::KvEntry &entry);
    void entryRemoved(const QString &key);
    void stateChanged(Opsdeck::Models::SourceState state, const QString &error);

private:
    struct Node
    {
        bool dataKnown = false;
        QByteArray value;
        qint64 version = -1;
        qint64 mtimeMs = 0;
        bool childrenKnown = false;
        QStringList children;
    };

    enum class ReadKind {
        Data,
        Children,
        RootExists,
    };

    /// The watcher context of one handle; freed only after zookeeper_close of that handle.
    struct HandleContext
    {
        ZooKeeperSession *session = nullptr;
        int generation = 0;
    };

    friend struct ZooKeeperCallbacks;

    void openHandle();
    void closeHandle();
    void onSessionEvent(int generation, int state);
    void onNodeEvent(int generation, int type, const QString &path);
    void onDataRead(int generation,
                    const QString &path,
                    int rc,
                    const QByteArray &value,
                    qint64 version,
                    qint64 mtimeMs);
    void onChildrenRead(int generation, const QString &path, int rc, const QStringList &children);
    void onRootExists(int generation, int rc);

    void resync();
    void readData(const QString &path);
    void readChildren(const QString &path);
    void watchRootCreation();
    void readDone();
    void dropSubtree(const QString &path);
    /// Emits what changed for the entries of @p paths since they were last emitted.
    void publish(const QStringList &paths);
    std::optional<Models::KvEntry> entryOf(const QString &path) const;
    QList<Models::KvEntry> allEntries() const;
    /// A read failed for a reason other than the connection: the mirror is incomplete.
    void readFailed(const QString &path, int rc);
    void setState(Models::SourceState state, const QString &error = {});
    void scheduleRetry();
    QString unreachableReason(const QString &what) const;
    /// "host:port" of every configured server (the chroot suffix removed).
    QStringList hostPorts() const;
    void forgetSocketErrors() const;

    Models::ZooKeeperConfig m_config;
    QByteArray m_root;   ///< the configured path, normalised ("/config/shop", "/")
    QByteArray m_digest; ///< "user:password"; never logged, never in a message
    ZooKeeperTimings m_timings;

    zhandle_t *m_zh = nullptr;         ///< owned; opened and closed on this thread only
    HandleContext *m_handle = nullptr; ///< owned; the watcher context of m_zh
    int m_generation = 0; ///< bumps with every handle; callbacks of older ones are dropped
    bool m_connected = false;
    bool m_closed = false;

    QMap<QString, Node> m_nodes;                ///< what is known of the subtree, by path
    QMap<QString, Models::KvEntry> m_published; ///< what was last emitted, by key
    bool m_synced = false;                      ///< the initial read after connecting is done
    bool m_syncing = false;     ///< a full read is under way (resync until readDone)
    bool m_rootMissing = false; ///< the configured path does not exist
    int m_epoch = 0;     ///< bumps with every full read and handle; older completions are dropped
    int m_pending = 0;   ///< reads of the initial read still out
    QString m_readError; ///< first failure of the current read

    QTimer m_connectTimer;
    QTimer m_retryTimer;
    int m_backoffMs = 0;
};

} // namespace Opsdeck::Connectors
