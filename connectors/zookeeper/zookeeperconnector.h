// SPDX-License-Identifier: MIT
#pragma once

#include "connectors/zookeeper/zookeepersession.h"
#include "models/environmentsconfig.h"
#include "models/kvstore.h"

#include <QObject>
#include <QPointer>
#include <QThread>

namespace Opsdeck::Connectors {

/// Keeps a KvStore up to date with the subtree under one ZooKeeper path: every node's data and
/// stat (version, mtime), followed by watches on every node (data changed, child added or
/// removed, node deleted). Runs Debian's libzookeeper-mt client on a worker thread; the store
/// is only touched on this object's thread. Server down shows as the store's status with the
/// reason (the last data stays); a reconnect or a new session after expiry reads it all again.
/// Digest auth ("user:password") comes from the environment variable the config names and is
/// never logged.
class ZooKeeperConnector : public QObject
{
    Q_OBJECT

public:
    ZooKeeperConnector(const Models::ZooKeeperConfig &config,
                       Models::KvStore *store,
                       QObject *parent = nullptr);
    /// Closes the session; waits for the worker, at most the client's close handshake.
    ~ZooKeeperConnector() override;

    /// Before start().
    void setTimings(const ZooKeeperTimings &timings) { m_timings = timings; }

    void start();
    /// Closes the session on the worker thread; returns at once.
    void stop();

    bool isRunning() const { return m_running; }

signals:
    /// The whole subtree was read after a (re)connect.
    void synced();
    /// The source became unreachable or a read failed; retried automatically.
    void failed(const QString &reason);

private:
    void applySnapshot(const QList<Models::KvEntry> &entries);
    void applyState(Models::SourceState state, const QString &error);
    void finishWorker();

    Models::ZooKeeperConfig m_config;
    QPointer<Models::KvStore> m_store; ///< not owned
    ZooKeeperTimings m_timings;
    bool m_running = false;
    QThread m_thread;
    ZooKeeperSession *m_session = nullptr; ///< owned; lives on m_thread while it runs
};

} // namespace Opsdeck::Connectors
