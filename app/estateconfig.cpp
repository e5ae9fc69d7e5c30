// SPDX-License-Identifier: MIT
#include "app/estateconfig.h"

#include "app/auditlog.h"
#include "app/estate.h"

#include <QFile>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QPointer>
#include <QThreadPool>

namespace Opsdeck::App {

using namespace Opsdeck::Models;

namespace {

Q_LOGGING_CATEGORY(lcConfigFiles, "opsdeck.config.files", QtWarningMsg)

constexpr int kCoalesceMs = 200;
constexpr qint64 kMaxFileBytes = 1024 * 1024;

const EnvironmentConfig *environmentOf(const Estate *estate, const QString &name)
{
    return estate->environment(name);
}

} // namespace

EstateConfigProvider::EstateConfigProvider(Estate *estate)
    : ConfigProvider(estate)
    , m_estate(estate)
{
    m_coalesce.setSingleShot(true);
    m_coalesce.setInterval(kCoalesceMs);
    connect(&m_coalesce, &QTimer::timeout, this, [this] {
        const QSet<QString> changed = std::exchange(m_changed, {});
        for (const QString &env : configEnvironments()) {
            if (changed.contains(env))
                emit configChanged(env);
        }
    });
}

void EstateConfigProvider::watchStores()
{
    for (EnvironmentStore *store : m_estate->stores()) {
        const QString env = store->environment();
        connect(
            store, &EnvironmentStore::containersChanged, this, [this, env] { noteChange(env); });
        if (MarathonStore *m = m_estate->marathonStore(env))
            connect(m, &MarathonStore::appsChanged, this, [this, env] { noteChange(env); });
        for (KvStore *kv : m_estate->kvStores(env))
            connect(kv, &KvStore::entriesChanged, this, [this, env] { noteChange(env); });
    }
}

QStringList EstateConfigProvider::configEnvironments() const
{
    QStringList names;
    for (const EnvironmentStore *store : m_estate->stores())
        names << store->environment();
    return names;
}

ConfigCollector EstateConfigProvider::collector(const QString &environment) const
{
    ConfigCollector c(environment, m_estate->config().configDiff);
    if (const EnvironmentStore *store = m_estate->store(environment))
        c.addEnvironmentStore(*store);
    if (const MarathonStore *m = m_estate->marathonStore(environment))
        c.addMarathonStore(*m);
    for (const KvStore *kv : m_estate->kvStores(environment))
        c.addKvStore(*kv);
    for (const FileContent &f : m_files.value(environment))
        c.addFile(f.service, f.path, f.content, f.provenance);
    return c;
}

QList<ConfigItem> EstateConfigProvider::configItems(const QString &environment) const
{
    return collector(environment).items();
}

DiffRules EstateConfigProvider::diffRules() const
{
    return DiffRules::fromSettings(m_estate->config().configDiff);
}

void EstateConfigProvider::refreshConfigFiles(const QString &environment)
{
    const QList<ConfigFileRequest> requests = collector(environment).fileRequests();
    m_files.remove(environment);
    // A new batch replaces the one in flight: its answers are dropped, and its container reads
    // stop listening, so that one answer from Docker is never counted for two batches.
    const quint64 batch = ++m_batch[environment];
    for (const QPointer<QObject> &guard : std::as_const(m_readGuards[environment]))
        delete guard.data();
    m_readGuards.remove(environment);
    m_pendingReads -= m_pendingByEnvironment.take(environment);
    int started = 0;
    for (const ConfigFileRequest &r : requests) {
        if (r.containerId.isEmpty()) {
            // A host path from settings.config_diff.files: read off the GUI thread.
            ++started;
            QPointer<EstateConfigProvider> self(this);
            QThreadPool::globalInstance()->start([self, r, environment, batch] {
                QFile file(r.path);
                FileContent content{r.service, r.path, {}, QStringLiteral("file %1").arg(r.path)};
                bool ok = file.open(QIODevice::ReadOnly);
                if (ok) {
                    content.content = file.read(kMaxFileBytes);
                    ok = file.error() == QFileDevice::NoError;
                }
                if (!ok)
                    content.content = file.errorString().toUtf8();
                QMetaObject::invokeMethod(
                    self.data(),
                    [self, environment, batch, content, ok] {
                        if (self)
                            self->fileRead(environment, batch, content, ok);
                    },
                    Qt::QueuedConnection);
            });
            continue;
        }
        if (startContainerRead(environment, batch, r))
            ++started;
    }
    m_pendingByEnvironment[environment] += started;
    m_pendingReads += started;
    if (started == 0)
        QMetaObject::invokeMethod(
            this, [this, environment] { emit filesSettled(environment); }, Qt::QueuedConnection);
}

bool EstateConfigProvider::startContainerRead(const QString &environment,
                                              quint64 batch,
                                              const ConfigFileRequest &request)
{
    Connectors::DockerHostConnector *connector = nullptr;
    for (Connectors::DockerHostConnector *c : m_estate->connectors(environment)) {
        if (c->hostId() == request.hostId)
            connector = c;
    }
    if (!connector)
        return false;
    const QString key = request.hostId + QLatin1Char('/') + request.containerId;
    const QString provenance = QStringLiteral("file %1 in %2").arg(request.path, key);
    // One guard per read: it answers the first fileRead / fileReadFailed for this key and path.
    auto *guard = new QObject(this);
    m_readGuards[environment] << guard;
    auto answered = std::make_shared<bool>(false);
    connect(connector,
            &Connectors::DockerHostConnector::fileRead,
            guard,
            [this, guard, answered, environment, batch, request, key, provenance](
                const QString &k, const QString &path, const QByteArray &content) {
                if (*answered || k != key || path != request.path)
                    return;
                *answered = true;
                fileRead(
                    environment, batch, {request.service, request.path, content, provenance}, true);
                guard->deleteLater();
            });
    connect(connector,
            &Connectors::DockerHostConnector::fileReadFailed,
            guard,
            [this, guard, answered, environment, batch, request, key, provenance](
                const QString &k, const QString &path, const QString &message) {
                if (*answered || k != key || path != request.path)
                    return;
                *answered = true;
                fileRead(environment,
                         batch,
                         {request.service, request.path, message.toUtf8(), provenance},
                         false);
                guard->deleteLater();
            });
    connector->readFile(request.containerId, request.path);
    return true;
}

void EstateConfigProvider::fileRead(const QString &environment,
                                    quint64 batch,
                                    const FileContent &file,
                                    bool ok)
{
    if (batch != m_batch.value(environment))
        return; // a newer refreshConfigFiles replaced this read's batch
    if (ok)
        m_files[environment] << file;
    else
        // Not every bind mount is a config file (a log folder, /proc): not worth a warning.
        qCDebug(lcConfigFiles,
                "config file %s in %s not read: %s",
                qPrintable(file.path),
                qPrintable(environment),
                file.content.constData());
    --m_pendingReads;
    if (--m_pendingByEnvironment[environment] <= 0) {
        m_pendingByEnvironment.remove(environment);
        emit filesSettled(environment);
    }
    noteChange(environment);
}

bool EstateConfigProvider::canEditKv(const QString &environment, KvKind kind) const
{
    const EnvironmentConfig *env = environmentOf(m_estate, environment);
    if (!env || env->readOnly)
        return false;
    switch (kind) {
    case KvKind::Consul:
        return env->consul && env->consul->allowEdit && m_estate->consulConnector(environment);
    case KvKind::Etcd:
        return env->etcd && env->etcd->allowEdit && m_estate->etcdConnector(environment);
    case KvKind::ZooKeeper:
        return false; // read-only: ZooKeeper holds cluster state as well as configuration
    }
    return false;
}

void EstateConfigProvider::requestKvEdit(const KvEditRequest &request)
{
    const QString action = request.remove ? QStringLiteral("kv.delete") : QStringLiteral("kv.put");
    const QString target = nameOf(request.kind) + QLatin1Char(':') + request.key;
    if (!canEditKv(request.environment, request.kind)) {
        AuditLog::append(request.environment, action, target, QStringLiteral("refused"));
        QMetaObject::invokeMethod(
            this,
            [this, request] {
                answerEdit(request,
                           false,
                           tr("editing %1 is not enabled in %2")
                               .arg(nameOf(request.kind), request.environment));
            },
            Qt::QueuedConnection);
        return;
    }
    // On disk before anything is sent: no audit trail, no edit.
    Models::AuditRecord record;
    record.environment = request.environment;
    record.action = action;
    record.target = target;
    record.parameters = QJsonObject{{QStringLiteral("bytes"), int(request.value.size())},
                                    {QStringLiteral("expectedVersion"), request.version}};
    record.outcome = QStringLiteral("requested");
    record.detail = QStringLiteral("%1 bytes, expected version %2")
                        .arg(request.value.size())
                        .arg(request.version);
    QString auditError;
    if (!AuditLog::append(record, &auditError)) {
        QMetaObject::invokeMethod(
            this,
            [this, request, auditError] {
                emit kvEditFinished(request, false, tr("%1: nothing was changed").arg(auditError));
            },
            Qt::QueuedConnection);
        return;
    }
    auto finish = [this, request](const QString &key, bool ok, const QString &message) {
        if (key == request.key)
            answerEdit(request, ok, message);
    };
    if (request.kind == KvKind::Consul) {
        Connectors::ConsulConnector *c = m_estate->consulConnector(request.environment);
        auto *guard = new QObject(this);
        connect(c,
                &Connectors::ConsulConnector::writeFinished,
                guard,
                [guard, finish](const QString &key, bool ok, const QString &message) {
                    finish(key, ok, message);
                    guard->deleteLater();
                });
        const quint64 cas = quint64(std::max<qint64>(0, request.version));
        if (request.remove)
            c->deleteKey(request.key, cas);
        else
            c->putKey(request.key, request.value, cas);
    } else {
        Connectors::EtcdConnector *c = m_estate->etcdConnector(request.environment);
        auto *guard = new QObject(this);
        connect(c,
                &Connectors::EtcdConnector::editFinished,
                guard,
                [guard, finish](const QString &key, bool ok, const QString &message, qint64) {
                    finish(key, ok, message);
                    guard->deleteLater();
                });
        if (request.remove)
            c->deleteKey(request.key, request.version);
        else
            c->putKey(request.key, request.value, request.version);
    }
}

void EstateConfigProvider::answerEdit(const KvEditRequest &request, bool ok, const QString &message)
{
    Models::AuditRecord record;
    record.environment = request.environment;
    record.action = request.remove ? QStringLiteral("kv.delete") : QStringLiteral("kv.put");
    record.target = nameOf(request.kind) + QLatin1Char(':') + request.key;
    record.outcome = ok ? QStringLiteral("done") : QStringLiteral("failed");
    record.detail = message;
    QString auditError;
    const bool written = AuditLog::append(record, &auditError);
    emit kvEditFinished(request, ok, written ? message : message + tr(" (%1)").arg(auditError));
}

void EstateConfigProvider::noteChange(const QString &environment)
{
    m_changed.insert(environment);
    if (!m_coalesce.isActive())
        m_coalesce.start();
}

} // namespace Opsdeck::App
