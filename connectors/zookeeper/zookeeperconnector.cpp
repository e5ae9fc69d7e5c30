// SPDX-License-Identifier: MIT
#include "connectors/zookeeper/zookeeperconnector.h"

#include <QDateTime>
#include <QSet>

namespace Opsdeck::Connectors {

using namespace Opsdeck::Models;

ZooKeeperConnector::ZooKeeperConnector(const ZooKeeperConfig &config,
                                       KvStore *store,
                                       QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_store(store)
{
    m_thread.setObjectName(QStringLiteral("zookeeper"));
}

ZooKeeperConnector::~ZooKeeperConnector()
{
    stop();
    finishWorker();
}

void ZooKeeperConnector::start()
{
    if (m_running)
        return;
    finishWorker(); // a previous stop() may still be closing
    m_running = true;
    QByteArray digest;
    QString error;
    if (m_config.hosts.trimmed().isEmpty()) {
        error = tr("no ZooKeeper hosts configured");
    } else if (!m_config.digestEnv.isEmpty()) {
        const QByteArray name = m_config.digestEnv.toLocal8Bit();
        if (!qEnvironmentVariableIsSet(name.constData()))
            error = tr("the environment variable %1 (the ZooKeeper digest) is not set")
                        .arg(m_config.digestEnv);
        digest = qgetenv(name.constData());
        if (error.isEmpty() && digest.indexOf(':') <= 0)
            error = tr("the environment variable %1 does not hold user:password")
                        .arg(m_config.digestEnv);
    }
    if (!error.isEmpty()) {
        applyState(SourceState::Unreachable, error);
        return;
    }

    m_session = new ZooKeeperSession(m_config, digest, m_timings);
    m_session->moveToThread(&m_thread);
    // Queued: the session emits on the worker thread.
    connect(m_session, &ZooKeeperSession::snapshot, this, &ZooKeeperConnector::applySnapshot);
    connect(m_session, &ZooKeeperSession::entryChanged, this, [this](const KvEntry &entry) {
        if (m_running && m_store)
            m_store->put(entry);
    });
    connect(m_session, &ZooKeeperSession::entryRemoved, this, [this](const QString &key) {
        if (m_running && m_store)
            m_store->remove(key);
    });
    connect(m_session, &ZooKeeperSession::stateChanged, this, &ZooKeeperConnector::applyState);
    m_thread.start();
    ZooKeeperSession *session = m_session;
    QMetaObject::invokeMethod(
        session, [session] { session->open(); }, Qt::QueuedConnection);
}

void ZooKeeperConnector::stop()
{
    m_running = false;
    if (!m_session || !m_thread.isRunning())
        return;
    ZooKeeperSession *session = m_session;
    QThread *thread = &m_thread;
    // zookeeper_close joins the client's threads: on the worker, never here.
    QMetaObject::invokeMethod(
        session,
        [session, thread] {
            session->close();
            thread->quit();
        },
        Qt::QueuedConnection);
}

void ZooKeeperConnector::finishWorker()
{
    if (!m_session)
        return;
    m_thread.wait();
    delete m_session; // its handle is closed; the thread has ended
    m_session = nullptr;
}

void ZooKeeperConnector::applySnapshot(const QList<KvEntry> &entries)
{
    if (!m_running || !m_store)
        return;
    // Keys gone while we were not looking first, then everything read.
    QSet<QString> keep;
    for (const KvEntry &e : entries)
        keep.insert(e.key);
    const QStringList before = m_store->keys();
    for (const QString &key : before) {
        if (!keep.contains(key))
            m_store->remove(key);
    }
    for (const KvEntry &e : entries)
        m_store->put(e);
    emit synced();
}

void ZooKeeperConnector::applyState(SourceState state, const QString &error)
{
    if (!m_running || !m_store)
        return;
    HostStatus s = m_store->status();
    s.id = QStringLiteral("zookeeper");
    s.displayName = QStringLiteral("ZooKeeper");
    s.url = m_config.hosts;
    s.state = state;
    s.error = error;
    if (state == SourceState::Connected)
        s.lastSeen = QDateTime::currentDateTimeUtc();
    m_store->setStatus(s);
    if (state == SourceState::Unreachable)
        emit failed(error);
}

} // namespace Opsdeck::Connectors
