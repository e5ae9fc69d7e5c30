// SPDX-License-Identifier: MIT
#include "views/feed/feedjson.h"

#include "models/alertboard.h"
#include "models/configdiff.h"
#include "models/container.h"
#include "models/hoststatus.h"
#include "models/kafkalag.h"
#include "models/kvstore.h"
#include "models/marathon.h"
#include "models/marathonstore.h"
#include "models/secrets.h"

#include <QJsonArray>

#include <cmath>

namespace Opsdeck::Views::FeedJson {

namespace {

QJsonValue rounded(double v)
{
    return std::round(v * 100.0) / 100.0;
}

QString severityName(Models::Severity s)
{
    switch (s) {
    case Models::Severity::None:
        return QStringLiteral("none");
    case Models::Severity::Info:
        return QStringLiteral("info");
    case Models::Severity::Warning:
        return QStringLiteral("warning");
    case Models::Severity::Critical:
        return QStringLiteral("critical");
    }
    return QString();
}

} // namespace

QJsonValue time(const QDateTime &t)
{
    return t.isValid()
               ? QJsonValue(t.toOffsetFromUtc(t.offsetFromUtc()).toString(Qt::ISODateWithMs))
               : QJsonValue();
}

QJsonObject source(const Models::HostStatus &status)
{
    QJsonObject o{{QStringLiteral("url"), status.url},
                  {QStringLiteral("state"), Models::nameOf(status.state)}};
    if (!status.error.isEmpty())
        o.insert(QStringLiteral("error"), status.error);
    if (status.lastSeen.isValid())
        o.insert(QStringLiteral("lastSeen"), time(status.lastSeen));
    return o;
}

QJsonObject host(const Models::HostStatus &host)
{
    QJsonObject o = source(host);
    o.insert(QStringLiteral("id"), host.id);
    o.insert(QStringLiteral("displayName"),
             host.displayName.isEmpty() ? host.id : host.displayName);
    o.insert(QStringLiteral("apiVersion"), host.apiVersion);
    o.insert(QStringLiteral("serverVersion"), host.serverVersion);
    o.insert(QStringLiteral("since"), time(host.since));
    return o;
}

QJsonObject container(const Models::Container &c)
{
    QJsonArray flags;
    for (Models::ContainerFlag f : Models::flagList(c.flags)) {
        flags.append(
            QJsonObject{{QStringLiteral("flag"), Models::flagId(f)},
                        {QStringLiteral("label"), Models::flagName(f)},
                        {QStringLiteral("severity"), severityName(Models::flagSeverity(f))},
                        {QStringLiteral("description"), Models::flagDescription(f, c)}});
    }
    QJsonArray mounts;
    for (const Models::Mount &m : c.mounts) {
        mounts.append(QJsonObject{{QStringLiteral("type"), m.type},
                                  {QStringLiteral("source"), m.source},
                                  {QStringLiteral("destination"), m.destination},
                                  {QStringLiteral("readWrite"), m.readWrite},
                                  {QStringLiteral("anonymous"), Models::isAnonymousVolume(m)}});
    }
    return QJsonObject{
        {QStringLiteral("key"), c.key()},
        {QStringLiteral("host"), c.hostId},
        {QStringLiteral("id"), c.id},
        {QStringLiteral("name"), c.name},
        {QStringLiteral("image"), c.image},
        {QStringLiteral("state"), Models::nameOf(c.state)},
        {QStringLiteral("displayState"), Models::displayState(c)},
        {QStringLiteral("statusText"), c.statusText},
        {QStringLiteral("health"), Models::nameOf(c.health)},
        {QStringLiteral("restartPolicy"), Models::nameOf(c.restartPolicy)},
        {QStringLiteral("restartCount"), c.restartCount},
        {QStringLiteral("exitCode"), c.exitCode},
        {QStringLiteral("startedAt"), time(c.startedAt)},
        {QStringLiteral("finishedAt"), time(c.finishedAt)},
        {QStringLiteral("ports"), Models::formatPorts(c.ports)},
        {QStringLiteral("severity"), severityName(Models::severityOf(c))},
        {QStringLiteral("mounts"), mounts},
        {QStringLiteral("flags"), flags},
    };
}

QJsonObject app(const Models::MarathonStore &store, const Models::MarathonApp &a)
{
    const Models::AppVersionCounts counts = store.versionCounts(a.id);
    return QJsonObject{{QStringLiteral("id"), a.id},
                       {QStringLiteral("instances"), a.instances},
                       {QStringLiteral("running"), a.tasksRunning},
                       {QStringLiteral("staged"), a.tasksStaged},
                       {QStringLiteral("healthy"), a.tasksHealthy},
                       {QStringLiteral("unhealthy"), a.tasksUnhealthy},
                       {QStringLiteral("image"), a.image},
                       {QStringLiteral("version"), a.version},
                       {QStringLiteral("deployments"), QJsonArray::fromStringList(a.deploymentIds)},
                       {QStringLiteral("cpus"), a.cpus},
                       {QStringLiteral("memMb"), a.memMb},
                       {QStringLiteral("newTasks"), counts.newTasks},
                       {QStringLiteral("oldTasks"), counts.oldTasks},
                       {QStringLiteral("newReady"), counts.newReady},
                       {QStringLiteral("oldReady"), counts.oldReady}};
}

QJsonObject tasks(const QString &appId, const QList<Models::MarathonTask> &tasks)
{
    QJsonArray list;
    for (const Models::MarathonTask &t : tasks) {
        list.append(QJsonObject{{QStringLiteral("id"), t.id},
                                {QStringLiteral("host"), t.host},
                                {QStringLiteral("agentId"), t.agentId},
                                {QStringLiteral("state"), t.state},
                                {QStringLiteral("version"), t.version},
                                {QStringLiteral("health"), Models::nameOf(t.health)},
                                {QStringLiteral("healthMessage"), t.healthMessage},
                                {QStringLiteral("stagedAt"), time(t.stagedAt)},
                                {QStringLiteral("startedAt"), time(t.startedAt)}});
    }
    return QJsonObject{{QStringLiteral("appId"), appId}, {QStringLiteral("tasks"), list}};
}

QJsonObject deployment(const Models::MarathonStore &store, const Models::MarathonDeployment &d)
{
    return QJsonObject{{QStringLiteral("id"), d.id},
                       {QStringLiteral("version"), d.version},
                       {QStringLiteral("affectedApps"), QJsonArray::fromStringList(d.affectedApps)},
                       {QStringLiteral("currentStep"), d.currentStep},
                       {QStringLiteral("totalSteps"), d.totalSteps},
                       {QStringLiteral("progress"), rounded(store.deploymentProgress(d.id))},
                       {QStringLiteral("stuck"), store.isStuck(d.id)},
                       {QStringLiteral("firstSeen"), time(d.firstSeen)}};
}

QJsonObject agent(const Models::MesosAgent &a)
{
    return QJsonObject{{QStringLiteral("id"), a.id},
                       {QStringLiteral("hostname"), a.hostname},
                       {QStringLiteral("active"), a.active},
                       {QStringLiteral("tasks"), a.taskCount},
                       {QStringLiteral("cpusUsed"), a.used.cpus},
                       {QStringLiteral("cpusTotal"), a.total.cpus},
                       {QStringLiteral("memMbUsed"), a.used.memMb},
                       {QStringLiteral("memMbTotal"), a.total.memMb},
                       {QStringLiteral("diskMbUsed"), a.used.diskMb},
                       {QStringLiteral("diskMbTotal"), a.total.diskMb}};
}

QJsonObject kafkaCluster(const QString &name, const Models::HostStatus &status)
{
    QJsonObject o = source(status);
    o.insert(QStringLiteral("name"), name);
    return o;
}

QJsonObject kafkaPoint(const Models::KafkaLagPoint &p)
{
    return QJsonObject{{QStringLiteral("timeMs"), p.timeMs},
                       {QStringLiteral("lag"), p.lag},
                       {QStringLiteral("timeLagS"), rounded(p.timeLagS)},
                       {QStringLiteral("produceRate"), rounded(p.produceRate)},
                       {QStringLiteral("consumeRate"), rounded(p.consumeRate)}};
}

QJsonObject kafkaGroup(const QString &key,
                       const Models::KafkaGroupState &g,
                       const Models::KafkaLagPoint *latest)
{
    QJsonArray topics;
    QJsonObject topic;
    QJsonArray partitions;
    qint64 topicLag = 0;
    auto closeTopic = [&] {
        if (topic.isEmpty())
            return;
        topic.insert(QStringLiteral("lag"), topicLag);
        topic.insert(QStringLiteral("partitions"), partitions);
        topics.append(topic);
        topic = {};
        partitions = {};
        topicLag = 0;
    };
    for (const Models::KafkaPartitionState &p : g.partitions) {
        if (topic.value(QStringLiteral("topic")).toString() != p.topic) {
            closeTopic();
            topic.insert(QStringLiteral("topic"), p.topic);
        }
        topicLag += p.lag;
        QJsonObject po{
            {QStringLiteral("partition"), p.partition},
            {QStringLiteral("committed"), p.hasCommit() ? QJsonValue(p.committed) : QJsonValue()},
            {QStringLiteral("logEnd"), p.logEnd},
            {QStringLiteral("lag"), p.lag},
            {QStringLiteral("timeLagS"), rounded(p.timeLagS)},
            {QStringLiteral("status"), Models::nameOf(p.status)}};
        if (!p.error.isEmpty())
            po.insert(QStringLiteral("error"), p.error);
        partitions.append(po);
    }
    closeTopic();
    QJsonObject o{
        {QStringLiteral("key"), key},
        {QStringLiteral("cluster"), g.cluster},
        {QStringLiteral("group"), g.group},
        {QStringLiteral("status"), Models::nameOf(g.status)},
        {QStringLiteral("lag"), g.lag},
        {QStringLiteral("maxPartitionLag"), g.maxPartitionLag},
        {QStringLiteral("timeLagS"), rounded(g.timeLagS)},
        {QStringLiteral("timeLagIsLowerBound"), g.timeLagIsLowerBound},
        {QStringLiteral("produceRate"), g.ratesKnown ? rounded(g.produceRate) : QJsonValue()},
        {QStringLiteral("consumeRate"), g.ratesKnown ? rounded(g.consumeRate) : QJsonValue()},
        {QStringLiteral("trend"), g.ratesKnown ? rounded(g.trend) : QJsonValue()},
        {QStringLiteral("ratesKnown"), g.ratesKnown},
        {QStringLiteral("catchUpS"), g.catchUpS ? rounded(*g.catchUpS) : QJsonValue()},
        {QStringLiteral("threshold"), Models::nameOf(g.level)},
        {QStringLiteral("topics"), topics},
        {QStringLiteral("point"), latest ? QJsonValue(kafkaPoint(*latest)) : QJsonValue()},
    };
    if (!g.levelReason.isEmpty())
        o.insert(QStringLiteral("thresholdReason"), g.levelReason);
    if (!g.error.isEmpty())
        o.insert(QStringLiteral("error"), g.error);
    return o;
}

QJsonObject alertRecord(const Models::AlertRecord &r)
{
    return QJsonObject{{QStringLiteral("id"), qint64(r.id)},
                       {QStringLiteral("key"), r.alert.key},
                       {QStringLiteral("environment"), r.alert.environment},
                       {QStringLiteral("source"), r.alert.source},
                       {QStringLiteral("subject"), r.alert.subject},
                       {QStringLiteral("severity"), Models::nameOf(r.alert.severity)},
                       {QStringLiteral("message"), r.alert.message},
                       {QStringLiteral("since"), time(r.alert.since)},
                       {QStringLiteral("start"), time(r.start)},
                       {QStringLiteral("end"), time(r.end)}};
}

QJsonObject kvStore(const QString &id, const Models::KvStore &store)
{
    QJsonObject o = source(store.status());
    o.insert(QStringLiteral("id"), id);
    o.insert(QStringLiteral("kind"), Models::nameOf(store.kind()));
    o.insert(QStringLiteral("prefix"), store.prefix());
    o.insert(QStringLiteral("keys"), int(store.keys().size()));
    return o;
}

QJsonObject
kvEntry(const QString &storeId, const Models::KvStore &store, const Models::KvEntry &entry)
{
    constexpr qsizetype kMaxValueChars = 4096;
    const bool secret = Models::looksSecretConfig(entry.key, entry.value);
    QString value = secret ? Models::maskedValue() : Models::displayBytes(entry.value);
    const bool binary = !secret && value != QString::fromUtf8(entry.value);
    const bool truncated = value.size() > kMaxValueChars;
    if (truncated)
        value.truncate(kMaxValueChars);
    QJsonObject o{{QStringLiteral("store"), storeId},
                  {QStringLiteral("kind"), Models::nameOf(store.kind())},
                  {QStringLiteral("key"), entry.key},
                  {QStringLiteral("relativeKey"), store.relativeKey(entry.key)},
                  {QStringLiteral("value"), value},
                  {QStringLiteral("secret"), secret},
                  {QStringLiteral("binary"), binary},
                  {QStringLiteral("size"), entry.value.size()},
                  {QStringLiteral("version"), entry.version},
                  {QStringLiteral("flags"), double(entry.flags)},
                  {QStringLiteral("modified"), time(entry.modified)}};
    if (truncated)
        o.insert(QStringLiteral("truncated"), true);
    return o;
}

} // namespace Opsdeck::Views::FeedJson
