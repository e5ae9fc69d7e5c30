// SPDX-License-Identifier: MIT
#include "app/statuscommand.h"

#include "app/estate.h"
#include "models/containertablemodel.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
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

} // namespace

QJsonObject statusJson(const Estate &estate)
{
    QJsonArray envs;
    int unreachable = 0;
    int flagged = 0;
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
                    QJsonObject{{QStringLiteral("flag"), flagName(f)},
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
        envs.append(QJsonObject{{QStringLiteral("name"), store->environment()},
                                {QStringLiteral("production"), cfg && cfg->production},
                                {QStringLiteral("readOnly"), cfg && cfg->readOnly},
                                {QStringLiteral("hosts"), hosts},
                                {QStringLiteral("containers"), containers}});
    }
    return QJsonObject{{QStringLiteral("environments"), envs},
                       {QStringLiteral("summary"),
                        QJsonObject{{QStringLiteral("unreachableHosts"), unreachable},
                                    {QStringLiteral("flaggedContainers"), flagged}}}};
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
    estate.start();
    if (pending > 0) {
        QTimer::singleShot(options.timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    for (EnvironmentStore *store : estate.stores())
        store->flush();
    const QByteArray text = options.json
                                ? QJsonDocument(statusJson(estate)).toJson(QJsonDocument::Indented)
                                : statusText(estate).toUtf8();
    std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
    std::fflush(stdout);
    return statusExitCode(estate);
}

} // namespace Opsdeck::App
