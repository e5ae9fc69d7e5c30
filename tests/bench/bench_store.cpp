// SPDX-License-Identifier: MIT
// Store benchmark: 300 hosts x 100 containers (most stopped) built from API-shaped JSON, then
// 10,000 events applied the way the Docker connector applies them. Prints figures only.
#include "connectors/docker/dockerparsers.h"
#include "models/containertablemodel.h"
#include "models/environmentstore.h"
#ifdef OPSDECK_BENCH_WITH_PROXY
#include "views/desktop/containerproxymodel.h"

#include <QGuiApplication>
#endif

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>

#include <cstdio>
#include <memory>
#include <sys/resource.h>

using namespace Opsdeck;
using namespace Opsdeck::Models;

namespace {

int kHosts = 300; // bench_store [hosts] runs a smaller estate, e.g. under callgrind
constexpr int kPerHost = 100;
constexpr int kEvents = 10000;
constexpr int kEventsPerTurn = 50; // events that arrive within one event-loop turn

QString containerId(int host, int i)
{
    return QStringLiteral("%1%2")
        .arg(host, 8, 16, QLatin1Char('0'))
        .arg(i, 56, 16, QLatin1Char('0'));
}

QString containerName(int host, int i)
{
    static const char *roles[] = {"web", "worker", "cron", "db", "cache", "api", "batch", "proxy"};
    return QStringLiteral("%1-%2-%3").arg(QLatin1String(roles[i % 8])).arg(host).arg(i);
}

bool isRunning(int i)
{
    return i % 5 == 0; // 20 % running, the rest stopped: the shape that froze popular consoles
}

QByteArray listJson(int host)
{
    QByteArray out = "[";
    for (int i = 0; i < kPerHost; ++i) {
        if (i > 0)
            out += ',';
        out +=
            QStringLiteral(
                R"({"Id":"%1","Names":["/%2"],"Image":"shop/%3:1.%4","ImageID":"sha256:%5","Command":"/bin/app --serve",)"
                R"("Created":1795562800,"State":"%6","Status":"%7","Ports":[{"PrivatePort":8080,"Type":"tcp"}],)"
                R"("Labels":{"com.example.team":"payments","com.example.service":"%3","opsdeck.env":"prod"},)"
                R"("HostConfig":{"NetworkMode":"bridge"},"NetworkSettings":{"Networks":{}},"Mounts":[]})")
                .arg(containerId(host, i),
                     containerName(host, i),
                     QStringLiteral("svc%1").arg(i % 20))
                .arg(i % 7)
                .arg(containerId(host, i))
                .arg(isRunning(i) ? QStringLiteral("running") : QStringLiteral("exited"),
                     isRunning(i) ? QStringLiteral("Up 3 hours (healthy)")
                                  : QStringLiteral("Exited (0) 2 days ago"))
                .toUtf8();
    }
    return out + ']';
}

QByteArray inspectJson(int host, int i, const char *status = nullptr, int restartCount = 0)
{
    const bool running = isRunning(i);
    const QString state = QLatin1String(status ? status : (running ? "running" : "exited"));
    return QStringLiteral(
               R"({"Id":"%1","Name":"/%2","Image":"sha256:%1","RestartCount":%3,"Created":"2026-11-20T10:00:00.123456789Z",)"
               R"("Path":"/bin/app","Args":["--serve","--port","8080"],)"
               R"("State":{"Status":"%4","Running":%5,"Paused":false,"Restarting":false,"OOMKilled":false,"Dead":false,)"
               R"("Pid":1234,"ExitCode":0,"Error":"","StartedAt":"2026-11-24T23:26:42.677217354Z",)"
               R"("FinishedAt":"0001-01-01T00:00:00Z","Health":{"Status":"healthy","FailingStreak":0,)"
               R"("Log":[{"Start":"2026-11-24T23:26:43Z","End":"2026-11-24T23:26:43Z","ExitCode":0,"Output":"ok"}]}},)"
               R"("HostConfig":{"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":5},"NetworkMode":"bridge",)"
               R"("Binds":["/srv/%2:/data"]},)"
               R"("Config":{"Image":"shop/svc%6:1.%7","Hostname":"c325870dd97e","Tty":false,)"
               R"("Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","APP_ENV=prod",)"
               R"("DB_HOST=db.internal","DB_PASSWORD=secret","LOG_LEVEL=info","FEATURE_X=on","JAVA_OPTS=-Xmx512m",)"
               R"("REGION=eu-west-1","CACHE_TTL=300","WORKERS=4"],)"
               R"("Labels":{"com.example.team":"payments","com.example.service":"svc%6","opsdeck.env":"prod"},)"
               R"("Healthcheck":{"Test":["CMD-SHELL","wget -qO- 127.0.0.1:8080/health"],"Interval":5000000000}},)"
               R"("Mounts":[{"Type":"bind","Source":"/srv/%2","Destination":"/data","Mode":"","RW":true,"Propagation":"rprivate"}],)"
               R"("NetworkSettings":{"Ports":{"8080/tcp":[{"HostIp":"0.0.0.0","HostPort":"%8"}]},"Networks":{"bridge":{}}}})")
        .arg(containerId(host, i), containerName(host, i))
        .arg(restartCount)
        .arg(state, running ? QStringLiteral("true") : QStringLiteral("false"))
        .arg(i % 20)
        .arg(i % 7)
        .arg(20000 + i)
        .toUtf8();
}

QByteArray eventJson(int host, int i, const char *action, qint64 timeNano)
{
    return QStringLiteral(
               R"({"status":"%3","id":"%1","from":"shop/svc:1","Type":"container","Action":"%3",)"
               R"("Actor":{"ID":"%1","Attributes":{"exitCode":"1","image":"shop/svc:1","name":"%2",)"
               R"("com.example.team":"payments"}},"scope":"local","time":%4,"timeNano":%5})")
        .arg(containerId(host, i), containerName(host, i), QLatin1String(action))
        .arg(timeNano / 1'000'000'000)
        .arg(timeNano)
        .toUtf8();
}

long peakRssKb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

struct Figures
{
    double loadMs = 0;
    double eventUs = 0;
    double eventWithInspectUs = 0;
    int rows = 0;
};

/// Loads the estate into @p store and applies the events, timing only parse + apply.
Figures run(EnvironmentStore &store, QAbstractItemModel *view)
{
    Figures f;
    QElapsedTimer timer;
    qint64 spentNs = 0;
    for (int h = 0; h < kHosts; ++h) {
        const QString hostId = QStringLiteral("docker-%1").arg(h, 3, 10, QLatin1Char('0'));
        const QByteArray list = listJson(h);
        QList<QByteArray> inspects;
        inspects.reserve(kPerHost);
        for (int i = 0; i < kPerHost; ++i)
            inspects << inspectJson(h, i);
        timer.start();
        const auto summaries = Connectors::parseContainerList(list, hostId);
        store.replaceHostContainers(hostId, summaries.value());
        for (const QByteArray &json : std::as_const(inspects))
            store.upsertContainer(Connectors::parseContainerInspect(json, hostId).value());
        store.flush();
        spentNs += timer.nsecsElapsed();
    }
    f.loadMs = double(spentNs) / 1e6;

    // Events: die/start pairs and health changes on random containers, as the connector
    // applies them (parse, note, fast-path update), then the same with the inspect that
    // confirms each event.
    QRandomGenerator generator(42); // the same events every run
    auto *rng = &generator;
    static const char *actions[] = {
        "die", "start", "health_status: unhealthy", "health_status: healthy"};
    for (int pass = 0; pass < 2; ++pass) {
        QList<std::pair<int, int>> targets;
        QList<QByteArray> lines;
        for (int e = 0; e < kEvents; ++e) {
            const int h = int(rng->bounded(kHosts));
            const int i = int(rng->bounded(kPerHost));
            targets.append({h, i});
            lines << eventJson(
                h, i, actions[e % 4], 1'795'562'800'000'000'000LL + qint64(e) * 1'000'000);
        }
        QList<QByteArray> inspects;
        if (pass == 1) {
            for (const auto &[h, i] : std::as_const(targets))
                inspects << inspectJson(h, i, "running", 1);
        }
        timer.start();
        for (int e = 0; e < kEvents; ++e) {
            const auto event = Connectors::parseDockerEvent(lines.at(e)).value();
            const QString hostId =
                QStringLiteral("docker-%1").arg(targets.at(e).first, 3, 10, QLatin1Char('0'));
            const QString key = hostId + QLatin1Char('/') + event.actorId;
            store.noteEvent(key, event.containerEventKind(), event.timeMs());
            if (const Container *known = store.container(key)) {
                Container c = *known;
                if (event.action == QLatin1String("die"))
                    c.state = ContainerState::Exited;
                else if (event.action == QLatin1String("start"))
                    c.state = ContainerState::Running;
                else
                    c.health = healthStatusFromString(event.actionDetail);
                store.upsertContainer(c);
            }
            if (pass == 1)
                store.upsertContainer(
                    Connectors::parseContainerInspect(inspects.at(e), hostId).value());
            if (e % kEventsPerTurn == kEventsPerTurn - 1)
                store.flush();
        }
        store.flush();
        const double us = double(timer.nsecsElapsed()) / 1e3 / kEvents;
        (pass == 0 ? f.eventUs : f.eventWithInspectUs) = us;
    }
    f.rows = view ? view->rowCount() : store.containerCount();
    return f;
}

void print(const char *label, const Figures &f)
{
    std::printf(
        "%s.full_load_ms: %.1f   (goal < 1000, ratio %.2f)\n", label, f.loadMs, f.loadMs / 1000.0);
    std::printf("%s.event_apply_us: %.1f   (goal < 1000, ratio %.4f)\n",
                label,
                f.eventUs,
                f.eventUs / 1000.0);
    std::printf("%s.event_apply_with_inspect_us: %.1f\n", label, f.eventWithInspectUs);
    std::printf("%s.rows_shown: %d\n", label, f.rows);
}

} // namespace

int main(int argc, char *argv[])
{
#ifdef OPSDECK_BENCH_WITH_PROXY
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
#else
    QCoreApplication app(argc, argv);
#endif
    if (argc > 1)
        kHosts = std::max(1, QByteArray(argv[1]).toInt());
    std::printf("bench_store: %d hosts x %d containers = %d (%d%% running), %d events\n",
                kHosts,
                kPerHost,
                kHosts * kPerHost,
                20,
                kEvents);
    const long rssBefore = peakRssKb();
    {
        EnvironmentStore store(QStringLiteral("bench"));
        const Figures f = run(store, nullptr);
        print("store", f);
        std::printf("store.containers: %d\n", store.containerCount());
    }
    const long rssStore = peakRssKb();
    std::printf("store.peak_rss_mb: %.1f   (goal < 200, ratio %.2f; process baseline %.1f)\n",
                double(rssStore) / 1024.0,
                double(rssStore) / 1024.0 / 200.0,
                double(rssBefore) / 1024.0);
#ifdef OPSDECK_BENCH_WITH_PROXY
    {
        EnvironmentStore store(QStringLiteral("bench"));
        ContainerTableModel model;
        model.setStore(&store);
        Views::ContainerProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.sort(ContainerTableModel::StateColumn, Qt::DescendingOrder);
        proxy.setFilterText(QStringLiteral("web"));
        const Figures f = run(store, &proxy);
        print("table_filtered", f);
    }
    std::printf("table_filtered.peak_rss_mb: %.1f\n", double(peakRssKb()) / 1024.0);
#endif
    return 0;
}
