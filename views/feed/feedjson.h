// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace Opsdeck::Models {
class MarathonStore;
class KvStore;
struct AlertRecord;
struct Container;
struct HostStatus;
struct KvEntry;
struct KafkaGroupState;
struct KafkaLagPoint;
struct MarathonApp;
struct MarathonDeployment;
struct MarathonTask;
struct MesosAgent;
} // namespace Opsdeck::Models

/// The JSON objects of the feed's collections (docs/protocol.md, the table under "snapshot").
/// Field names follow `opsdeck status --json`. Environment variables and other secrets are never
/// part of them.
namespace Opsdeck::Views::FeedJson {

QJsonValue time(const QDateTime &t); ///< ISO-8601 with offset; null when invalid
QJsonObject host(const Models::HostStatus &host);
QJsonObject source(const Models::HostStatus &status); ///< url state error lastSeen
QJsonObject container(const Models::Container &container);
QJsonObject app(const Models::MarathonStore &store, const Models::MarathonApp &app);
QJsonObject tasks(const QString &appId, const QList<Models::MarathonTask> &tasks);
QJsonObject deployment(const Models::MarathonStore &store,
                       const Models::MarathonDeployment &deployment);
QJsonObject agent(const Models::MesosAgent &agent);
QJsonObject kafkaCluster(const QString &name, const Models::HostStatus &status);
QJsonObject kafkaPoint(const Models::KafkaLagPoint &point);
/// @p latest: the newest history point, when there is one.
QJsonObject kafkaGroup(const QString &key,
                       const Models::KafkaGroupState &group,
                       const Models::KafkaLagPoint *latest);
QJsonObject alertRecord(const Models::AlertRecord &record);
/// A KV store's mirror: `id kind prefix state error lastSeen keys`.
QJsonObject kvStore(const QString &id, const Models::KvStore &store);
/// One KV key: `store kind key relativeKey value secret binary size version flags modified`.
/// A secret-looking key or value is masked; bytes that are not text are shown as hex or base64;
/// a value longer than 4096 characters is cut (`truncated`).
QJsonObject
kvEntry(const QString &storeId, const Models::KvStore &store, const Models::KvEntry &entry);

} // namespace Opsdeck::Views::FeedJson
