// SPDX-License-Identifier: MIT
#pragma once

#include "models/alert.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <functional>

namespace Opsdeck::Models {
class AlertBoard;
class EnvironmentStore;
class KvStore;
class MarathonStore;
} // namespace Opsdeck::Models

namespace Opsdeck::Connectors {
struct ConsulCheck;
}

namespace Opsdeck::App {

/// The rules that decide what the estate's sources raise, in one place: each source's alerts
/// are recomputed from its model when it announces a change (coalesced) and published to the
/// AlertBoard, which keeps start and end.
///
/// - Docker: a crash loop, a restart policy that gave up (critical), an unhealthy container
///   (warning), a host that cannot be reached (critical).
/// - Marathon / Mesos: a stuck deployment (warning), Marathon or Mesos unreachable (critical).
/// - Consul health: critical and warning checks, at their own severity.
/// - KV stores (Consul, etcd, ZooKeeper): unreachable (critical).
/// - Anything else that keeps its own alert set (Kafka lag) through watch().
class AlertSources : public QObject
{
    Q_OBJECT

public:
    explicit AlertSources(Models::AlertBoard *board, QObject *parent = nullptr);

    void watchDocker(Models::EnvironmentStore *store);
    void watchMarathon(Models::MarathonStore *store);
    void watchKv(const QString &environment, Models::KvStore *store);
    /// Call with every checksChanged of the environment's Consul.
    void setConsulChecks(const QString &environment, const QList<Connectors::ConsulCheck> &checks);

    /// A source with its own alert set: @p compute is called after each @p changed signal.
    template<typename Sender, typename Signal>
    void watch(const QString &publisher,
               Sender *sender,
               Signal changed,
               std::function<QList<Models::Alert>()> compute)
    {
        m_compute.insert(publisher, std::move(compute));
        connect(sender, changed, this, [this, publisher] { markDirty(publisher); });
        connect(sender, &QObject::destroyed, this, [this, publisher] {
            m_compute.remove(publisher);
            m_dirty.remove(publisher);
            publishNow(publisher, {});
        });
        markDirty(publisher);
    }

    /// Recomputes and publishes every dirty source now (tests, and the CLI before it reads).
    void flush();

private:
    void markDirty(const QString &publisher);
    void publishNow(const QString &publisher, const QList<Models::Alert> &alerts);

    QPointer<Models::AlertBoard> m_board;
    QHash<QString, std::function<QList<Models::Alert>()>> m_compute;
    QSet<QString> m_dirty;
    QTimer m_coalesce;
};

/// The alert rules as pure functions, for the sources above and for tests.
QList<Models::Alert> dockerAlerts(const Models::EnvironmentStore &store);
QList<Models::Alert> marathonAlerts(const Models::MarathonStore &store);
QList<Models::Alert> consulCheckAlerts(const QString &environment,
                                       const QList<Connectors::ConsulCheck> &checks);
QList<Models::Alert> kvSourceAlerts(const QString &environment, const Models::KvStore &store);

} // namespace Opsdeck::App
