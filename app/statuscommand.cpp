// SPDX-License-Identifier: MIT
#include "app/statuscommand.h"

#include "app/estate.h"
#include "models/containertablemodel.h"
#include "models/kafkalag.h"
#include "models/marathonstore.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace Opsdeck::App {

using namespace Opsdeck::Models;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::App::Status", text);
}

QString severityName(Severity s)
{
    switch (s) {
    case Severity::Critical:
        return QStringLiteral("critical");
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Info:
        return QStringLiteral("info");
    case Severity::None:
        break;
    }
    return QStringLiteral("none");
}

QString isoLocal(const QDateTime &t)
{
    return t.isValid() ? t.toLocalTime().toString(Qt::ISODate) : QString();
}

QList<Container> sortedContainers(const EnvironmentStore &store)
{
    QList<Container> list = store.containers();
    std::sort(list.begin(), list.end(), [](const Container &a, const Container &b) {
        return std::tie(a.hostId, a.name) < std::tie(b.hostId, b.name);
    });
    return list;
}

QString pad(const QString &s, int width)
{
    return s.leftJustified(width, QLatin1Char(' '), false);
}

QJsonObject sourceJson(const HostStatus &h)
{
    QJsonObject o{{QStringLiteral("url"), h.url}, {QStringLiteral("state"), nameOf(h.state)}};
    if (!h.error.isEmpty())
        o.insert(QStringLiteral("error"), h.error);
    if (h.lastSeen.isValid())
        o.insert(QStringLiteral("lastSeen"), isoLocal(h.lastSeen));
    return o;
}

/// Marathon and Mesos of one environment, for `status --json`; empty when neither is configured.
QJsonObject marathonJson(const MarathonStore *store, const EnvironmentConfig *cfg)
{
    if (!store)
        return {};
    QJsonObject out;
    if (cfg && cfg->marathon) {
        QJsonArray apps;
        for (const QString &id : store->appIds()) {
            const MarathonApp *a = store->app(id);
            apps.append(QJsonObject{
                {QStringLiteral("id"), a->id},
                {QStringLiteral("instances"), a->instances},
                {QStringLiteral("running"), a->tasksRunning},
                {QStringLiteral("staged"), a->tasksStaged},
                {QStringLiteral("healthy"), a->tasksHealthy},
                {QStringLiteral("unhealthy"), a->tasksUnhealthy},
                {QStringLiteral("image"), a->image},
                {QStringLiteral("version"), a->version},
                {QStringLiteral("deployments"), QJsonArray::fromStringList(a->deploymentIds)}});
        }
        QJsonArray deployments;
        for (const MarathonDeployment &d : store->deployments()) {
            deployments.append(QJsonObject{
                {QStringLiteral("id"), d.id},
                {QStringLiteral("affectedApps"), QJsonArray::fromStringList(d.affectedApps)},
                {QStringLiteral("currentStep"), d.currentStep},
                {QStringLiteral("totalSteps"), d.totalSteps},
                {QStringLiteral("progress"), store->deploymentProgress(d.id)},
                {QStringLiteral("stuck"), store->isStuck(d.id)}});
        }
        QJsonObject marathon = sourceJson(store->marathonStatus());
        marathon.insert(QStringLiteral("apps"), apps);
        marathon.insert(QStringLiteral("deployments"), deployments);
        out.insert(QStringLiteral("marathon"), marathon);
    }
    if (cfg && cfg->mesos) {
        QJsonArray agents;
        for (const MesosAgent &a : store->agents()) {
            agents.append(QJsonObject{{QStringLiteral("id"), a.id},
                                      {QStringLiteral("hostname"), a.hostname},
                                      {QStringLiteral("active"), a.active},
                                      {QStringLiteral("tasks"), a.taskCount},
                                      {QStringLiteral("cpusUsed"), a.used.cpus},
                                      {QStringLiteral("cpusTotal"), a.total.cpus},
                                      {QStringLiteral("memMbUsed"), a.used.memMb},
                                      {QStringLiteral("memMbTotal"), a.total.memMb},
                                      {QStringLiteral("diskMbUsed"), a.used.diskMb},
                                      {QStringLiteral("diskMbTotal"), a.total.diskMb}});
        }
        QJsonObject mesos = sourceJson(store->mesosStatus());
        mesos.insert(QStringLiteral("agents"), agents);
        out.insert(QStringLiteral("mesos"), mesos);
    }
    return out;
}

void marathonText(QTextStream &ts, const MarathonStore *store, const EnvironmentConfig *cfg)
{
    if (!store)
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto sourceLine = [&](const QString &what, const HostStatus &h) {
        ts << "  " << pad(what, 24) << ' ' << pad(nameOf(h.state), 12) << h.url;
        if (!h.error.isEmpty())
            ts << "  " << h.error;
        ts << "\n";
    };
    if (cfg && cfg->marathon) {
        sourceLine(tr("Marathon"), store->marathonStatus());
        if (!store->appIds().isEmpty()) {
            ts << "  " << pad(tr("APP"), 28) << ' ' << pad(tr("WANTED"), 6) << ' '
               << pad(tr("RUNNING"), 7) << ' ' << pad(tr("HEALTHY"), 7) << ' '
               << pad(tr("UNHEALTHY"), 9) << ' ' << tr("DEPLOYMENT") << "\n";
            for (const QString &id : store->appIds()) {
                const MarathonApp *a = store->app(id);
                ts << "  " << pad(a->id, 28) << ' ' << pad(QString::number(a->instances), 6) << ' '
                   << pad(QString::number(a->tasksRunning), 7) << ' '
                   << pad(a->healthCheckCount > 0 ? QString::number(a->tasksHealthy)
                                                  : QStringLiteral("-"),
                          7)
                   << ' '
                   << pad(a->healthCheckCount > 0 ? QString::number(a->tasksUnhealthy)
                                                  : QStringLiteral("-"),
                          9)
                   << ' ' << a->deploymentIds.join(QLatin1String(", ")) << "\n";
            }
        }
        for (const MarathonDeployment &d : store->deployments()) {
            ts << "  "
               << tr("deployment %1: %2, step %3/%4, %5 % done, %6 old%7")
                      .arg(d.id, d.affectedApps.join(QLatin1String(", ")))
                      .arg(d.currentStep)
                      .arg(d.totalSteps)
                      .arg(qRound(store->deploymentProgress(d.id) * 100))
                      .arg(formatAge(now - d.firstSeen.toMSecsSinceEpoch()),
                           store->isStuck(d.id) ? tr(", STUCK") : QString())
               << "\n";
        }
    }
    if (cfg && cfg->mesos) {
        sourceLine(tr("Mesos"), store->mesosStatus());
        for (const MesosAgent &a : store->agents()) {
            ts << "  " << pad(a.hostname, 24) << ' '
               << pad(a.active ? tr("active") : tr("inactive"), 12)
               << tr("%1 tasks, cpus %2 / %3, mem %4 / %5 MB, disk %6 / %7 MB")
                      .arg(a.taskCount)
                      .arg(a.used.cpus)
                      .arg(a.total.cpus)
                      .arg(a.used.memMb)
                      .arg(a.total.memMb)
                      .arg(a.used.diskMb)
                      .arg(a.total.diskMb)
               << "\n";
        }
    }
}

QJsonValue rounded(double v)
{
    return std::round(v * 100.0) / 100.0;
}

/// The `kafka` object of an environment: its clusters, then every watched group with its lag per
/// topic and partition, rates, time lag and time to catch up (null: never at the current rates).
QJsonObject kafkaJson(const KafkaLagStore &store)
{
    QJsonArray clusters;
    for (const QString &name : store.clusters()) {
        QJsonObject o = sourceJson(store.clusterStatus(name));
        o.insert(QStringLiteral("name"), name);
        clusters.append(o);
    }
    QJsonArray groups;
    for (const QString &key : store.groupKeys()) {
        const KafkaGroupState *g = store.group(key);
        if (!g)
            continue;
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
        for (const KafkaPartitionState &p : g->partitions) {
            if (topic.value(QStringLiteral("topic")).toString() != p.topic) {
                closeTopic();
                topic.insert(QStringLiteral("topic"), p.topic);
            }
            topicLag += p.lag;
            QJsonObject po{{QStringLiteral("partition"), p.partition},
                           {QStringLiteral("committed"),
                            p.hasCommit() ? QJsonValue(p.committed) : QJsonValue()},
                           {QStringLiteral("logEnd"), p.logEnd},
                           {QStringLiteral("lag"), p.lag},
                           {QStringLiteral("timeLagS"), rounded(p.timeLagS)},
                           {QStringLiteral("status"), nameOf(p.status)}};
            if (!p.error.isEmpty())
                po.insert(QStringLiteral("error"), p.error);
            partitions.append(po);
        }
        closeTopic();
        QJsonObject go{
            {QStringLiteral("cluster"), g->cluster},
            {QStringLiteral("group"), g->group},
            {QStringLiteral("status"), nameOf(g->status)},
            {QStringLiteral("lag"), g->lag},
            {QStringLiteral("maxPartitionLag"), g->maxPartitionLag},
            {QStringLiteral("timeLagS"), rounded(g->timeLagS)},
            {QStringLiteral("timeLagIsLowerBound"), g->timeLagIsLowerBound},
            {QStringLiteral("produceRate"), rounded(g->produceRate)},
            {QStringLiteral("consumeRate"), rounded(g->consumeRate)},
            {QStringLiteral("trend"), rounded(g->trend)},
            {QStringLiteral("catchUpS"), g->catchUpS ? rounded(*g->catchUpS) : QJsonValue()},
            {QStringLiteral("threshold"), nameOf(g->level)},
            {QStringLiteral("topics"), topics},
        };
        if (!g->levelReason.isEmpty())
            go.insert(QStringLiteral("thresholdReason"), g->levelReason);
        if (!g->error.isEmpty())
            go.insert(QStringLiteral("error"), g->error);
        groups.append(go);
    }
    return {{QStringLiteral("clusters"), clusters}, {QStringLiteral("groups"), groups}};
}

void kafkaText(QTextStream &ts, const KafkaLagStore &store)
{
    for (const QString &name : store.clusters()) {
        const HostStatus st = store.clusterStatus(name);
        ts << "  " << pad(tr("Kafka %1").arg(name), 24) << ' ' << pad(nameOf(st.state), 12)
           << st.error << "\n";
    }
    const QStringList keys = store.groupKeys();
    if (keys.isEmpty())
        return;
    ts << "  " << pad(tr("GROUP"), 24) << ' ' << pad(tr("STATUS"), 7) << ' ' << pad(tr("LAG"), 10)
       << ' ' << pad(tr("TIME LAG"), 9) << ' ' << pad(tr("PRODUCE/S"), 10) << ' '
       << pad(tr("CONSUME/S"), 10) << ' ' << pad(tr("CATCH-UP"), 10) << ' ' << tr("THRESHOLD")
       << "\n";
    for (const QString &key : keys) {
        const KafkaGroupState *g = store.group(key);
        if (!g)
            continue;
        const QString timeLag = (g->timeLagIsLowerBound ? QStringLiteral("≥") : QString())
                                + formatKafkaDuration(g->timeLagS);
        ts << "  " << pad(key, 24) << ' ' << pad(nameOf(g->status), 7) << ' '
           << pad(formatKafkaCount(g->lag), 10) << ' ' << pad(timeLag, 9) << ' '
           << pad(QString::number(g->produceRate, 'f', 1), 10) << ' '
           << pad(QString::number(g->consumeRate, 'f', 1), 10) << ' '
           << pad(g->catchUpS ? formatKafkaDuration(*g->catchUpS) : tr("never"), 10) << ' '
           << (g->levelReason.isEmpty() ? nameOf(g->level) : g->levelReason);
        if (!g->error.isEmpty())
            ts << "  " << g->error;
        ts << "\n";
    }
}

} // namespace

QJsonObject statusJson(const Estate &estate)
{
    QJsonArray envs;
    int unreachable = 0;
    int flagged = 0;
    int overThreshold = 0;
    for (const EnvironmentStore *store : estate.stores()) {
        const EnvironmentConfig *cfg = estate.environment(store->environment());
        QJsonArray hosts;
        for (const HostStatus &h : store->hosts()) {
            unreachable += h.state == SourceState::Unreachable ? 1 : 0;
            QJsonObject o{{QStringLiteral("id"), h.id},
                          {QStringLiteral("url"), h.url},
                          {QStringLiteral("state"), nameOf(h.state)}};
            if (!h.apiVersion.isEmpty())
                o.insert(QStringLiteral("apiVersion"), h.apiVersion);
            if (!h.serverVersion.isEmpty())
                o.insert(QStringLiteral("serverVersion"), h.serverVersion);
            if (!h.error.isEmpty())
                o.insert(QStringLiteral("error"), h.error);
            if (h.lastSeen.isValid())
                o.insert(QStringLiteral("lastSeen"), isoLocal(h.lastSeen));
            hosts.append(o);
        }
        QJsonArray containers;
        for (const Container &c : sortedContainers(*store)) {
            QJsonArray flags;
            for (ContainerFlag f : flagList(c.flags)) {
                flags.append(
                    QJsonObject{{QStringLiteral("flag"), flagId(f)},
                                {QStringLiteral("label"), flagName(f)},
                                {QStringLiteral("severity"), severityName(flagSeverity(f))},
                                {QStringLiteral("description"), flagDescription(f, c)}});
            }
            flagged += severityOf(c) >= Severity::Warning ? 1 : 0;
            QJsonArray mounts;
            for (const Mount &m : c.mounts) {
                mounts.append(QJsonObject{{QStringLiteral("type"), m.type},
                                          {QStringLiteral("source"), m.source},
                                          {QStringLiteral("destination"), m.destination},
                                          {QStringLiteral("readWrite"), m.readWrite},
                                          {QStringLiteral("anonymous"), isAnonymousVolume(m)}});
            }
            containers.append(QJsonObject{
                {QStringLiteral("host"), c.hostId},
                {QStringLiteral("id"), c.id},
                {QStringLiteral("name"), c.name},
                {QStringLiteral("image"), c.image},
                {QStringLiteral("state"), nameOf(c.state)},
                {QStringLiteral("displayState"), displayState(c)},
                {QStringLiteral("health"), nameOf(c.health)},
                {QStringLiteral("restartPolicy"), nameOf(c.restartPolicy)},
                {QStringLiteral("restartCount"), c.restartCount},
                {QStringLiteral("exitCode"), c.exitCode},
                {QStringLiteral("startedAt"), isoLocal(c.startedAt)},
                {QStringLiteral("finishedAt"), isoLocal(c.finishedAt)},
                {QStringLiteral("ports"), formatPorts(c.ports)},
                {QStringLiteral("mounts"), mounts},
                {QStringLiteral("flags"), flags},
            });
        }
        QJsonObject env{{QStringLiteral("name"), store->environment()},
                        {QStringLiteral("production"), cfg && cfg->production},
                        {QStringLiteral("readOnly"), cfg && cfg->readOnly},
                        {QStringLiteral("hosts"), hosts},
                        {QStringLiteral("containers"), containers}};
        const QJsonObject marathon = marathonJson(estate.marathonStore(store->environment()), cfg);
        for (auto it = marathon.begin(); it != marathon.end(); ++it)
            env.insert(it.key(), it.value());
        if (const KafkaLagStore *kafka = estate.kafkaStore(store->environment())) {
            env.insert(QStringLiteral("kafka"), kafkaJson(*kafka));
            for (const QString &key : kafka->groupKeys()) {
                const KafkaGroupState *g = kafka->group(key);
                overThreshold += g && g->level != ThresholdLevel::None ? 1 : 0;
            }
        }
        envs.append(env);
    }
    return QJsonObject{{QStringLiteral("environments"), envs},
                       {QStringLiteral("summary"),
                        QJsonObject{{QStringLiteral("unreachableHosts"), unreachable},
                                    {QStringLiteral("flaggedContainers"), flagged},
                                    {QStringLiteral("kafkaGroupsOverThreshold"), overThreshold}}}};
}

QString statusText(const Estate &estate)
{
    QString out;
    QTextStream ts(&out);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const EnvironmentStore *store : estate.stores()) {
        const EnvironmentConfig *cfg = estate.environment(store->environment());
        ts << tr("Environment %1").arg(store->environment());
        if (cfg && cfg->production)
            ts << tr(" [PRODUCTION]");
        if (cfg && cfg->readOnly)
            ts << tr(" [read-only]");
        ts << "\n";
        for (const HostStatus &h : store->hosts()) {
            ts << "  " << pad(h.id, 24) << ' ' << pad(nameOf(h.state), 12);
            if (h.state == SourceState::Connected)
                ts << tr("Docker %1, API %2").arg(h.serverVersion, h.apiVersion);
            else if (!h.error.isEmpty())
                ts << h.error;
            if (h.lastSeen.isValid())
                ts << tr("  last seen %1 (%2 ago)")
                          .arg(isoLocal(h.lastSeen),
                               formatAge(now - h.lastSeen.toMSecsSinceEpoch()));
            ts << "\n";
        }
        marathonText(ts, estate.marathonStore(store->environment()), cfg);
        if (const KafkaLagStore *kafka = estate.kafkaStore(store->environment()))
            kafkaText(ts, *kafka);
        const QList<Container> list = sortedContainers(*store);
        if (list.isEmpty()) {
            ts << tr("  (no containers)") << "\n\n";
            continue;
        }
        ts << "  " << pad(tr("HOST"), 16) << ' ' << pad(tr("NAME"), 24) << ' '
           << pad(tr("IMAGE"), 28) << ' ' << pad(tr("STATE"), 26) << ' ' << pad(tr("POLICY"), 15)
           << ' ' << pad(tr("RESTARTS"), 8) << ' ' << tr("FLAGS") << "\n";
        for (const Container &c : list) {
            QStringList flags;
            for (ContainerFlag f : flagList(c.flags))
                flags << flagName(f);
            ts << "  " << pad(c.hostId, 16) << ' ' << pad(c.name, 24) << ' ' << pad(c.image, 28)
               << ' ' << pad(displayState(c), 26) << ' ' << pad(nameOf(c.restartPolicy), 15) << ' '
               << pad(QString::number(c.restartCount), 8) << ' ' << flags.join(QLatin1String(", "))
               << "\n";
        }
        ts << "\n";
    }
    return out;
}

int statusExitCode(const Estate &estate)
{
    for (const EnvironmentStore *store : estate.stores()) {
        for (const HostStatus &h : store->hosts()) {
            if (h.state != SourceState::Connected)
                return 1;
        }
        for (const Container &c : store->containers()) {
            if (severityOf(c) >= Severity::Warning)
                return 1;
        }
        const EnvironmentConfig *cfg = estate.environment(store->environment());
        if (const MarathonStore *m = estate.marathonStore(store->environment())) {
            if ((cfg && cfg->marathon && m->marathonStatus().state != SourceState::Connected)
                || (cfg && cfg->mesos && m->mesosStatus().state != SourceState::Connected))
                return 1;
            for (const QString &id : m->appIds()) {
                if (m->app(id)->tasksUnhealthy > 0)
                    return 1;
            }
            for (const MarathonDeployment &d : m->deployments()) {
                if (m->isStuck(d.id))
                    return 1;
            }
        }
        // Kafka: a cluster that cannot be read, a group that cannot, a breached threshold.
        if (const KafkaLagStore *kafka = estate.kafkaStore(store->environment())) {
            for (const QString &cluster : kafka->clusters()) {
                if (kafka->clusterStatus(cluster).state != SourceState::Connected)
                    return 1;
            }
            for (const QString &key : kafka->groupKeys()) {
                const KafkaGroupState *g = kafka->group(key);
                if (g && (g->level != ThresholdLevel::None || !g->error.isEmpty()))
                    return 1;
            }
        }
    }
    return 0;
}

int runStatus(const OpsdeckConfig &config, const StatusOptions &options)
{
    if (!options.environment.isEmpty() && !config.environment(options.environment)) {
        QStringList names;
        for (const EnvironmentConfig &e : config.environments)
            names << e.name;
        std::fprintf(stderr,
                     "opsdeck: %s\n",
                     qPrintable(tr("no environment named '%1' (known: %2)")
                                    .arg(options.environment, names.join(QLatin1String(", ")))));
        return 2;
    }
    Estate estate(config, options.environment);
    int pending = 0;
    QEventLoop loop;
    for (const EnvironmentStore *store : estate.stores()) {
        for (Connectors::DockerHostConnector *c : estate.connectors(store->environment())) {
            ++pending;
            auto done = std::make_shared<bool>(false);
            auto settle = [&pending, &loop, done] {
                if (*done)
                    return;
                *done = true;
                if (--pending == 0)
                    loop.quit();
            };
            QObject::connect(c, &Connectors::DockerHostConnector::resyncFinished, &loop, settle);
            QObject::connect(c, &Connectors::DockerHostConnector::failed, &loop, settle);
        }
    }
    for (const EnvironmentConfig &env : config.environments) {
        auto settleOnce = [&pending, &loop] {
            auto done = std::make_shared<bool>(false);
            return [&pending, &loop, done] {
                if (*done)
                    return;
                *done = true;
                if (--pending == 0)
                    loop.quit();
            };
        };
        if (auto *marathon = estate.marathonConnector(env.name)) {
            ++pending;
            const auto settle = settleOnce();
            QObject::connect(marathon, &Connectors::MarathonConnector::synced, &loop, settle);
            QObject::connect(marathon, &Connectors::MarathonConnector::failed, &loop, settle);
        }
        if (auto *mesos = estate.mesosConnector(env.name)) {
            ++pending;
            QObject::connect(mesos, &Connectors::MesosConnector::polled, &loop, settleOnce());
        }
        // Kafka: two samples three seconds apart, so that rates and time to catch up exist
        // (consumers commit every few seconds); one is enough when the cluster cannot be read.
        for (Connectors::KafkaConnector *kafka : estate.kafkaConnectors(env.name)) {
            ++pending;
            const auto settle = settleOnce();
            auto samples = std::make_shared<int>(0);
            QObject::connect(kafka,
                             &Connectors::KafkaConnector::sampleReady,
                             &loop,
                             [kafka, settle, samples](const KafkaSample &sample) {
                                 if (++*samples >= 2 || !sample.error.isEmpty())
                                     settle();
                                 else
                                     QTimer::singleShot(
                                         1000, kafka, [kafka] { kafka->refreshNow(); });
                             });
        }
    }
    estate.start();
    if (pending > 0) {
        QTimer::singleShot(options.timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    for (EnvironmentStore *store : estate.stores())
        store->flush();
    for (MarathonStore *store : estate.marathonStores())
        store->flush();
    for (const EnvironmentStore *store : estate.stores()) {
        if (KafkaLagStore *kafka = estate.kafkaStore(store->environment()))
            kafka->flush();
    }
    const QByteArray text = options.json
                                ? QJsonDocument(statusJson(estate)).toJson(QJsonDocument::Indented)
                                : statusText(estate).toUtf8();
    std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
    std::fflush(stdout);
    return statusExitCode(estate);
}

} // namespace Opsdeck::App
