// SPDX-License-Identifier: MIT
// Watches one real Docker host the way the console does (event stream, pings, no polling) for
// a fixed time and prints what the store saw. tests/bench/engine_cost.sh measures the engine's
// CPU meanwhile; the "ready ms" line tells it when the initial listing is over.
#include "app/estate.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTimer>

#include <cstdio>

using namespace Opsdeck;
using namespace Opsdeck::Models;
using Connectors::DockerHostConnector;

namespace {

struct ChangeCounts
{
    int batches = 0;
    qint64 added = 0;
    qint64 updated = 0;
    qint64 removed = 0;

    void add(const ContainerChanges &changes)
    {
        ++batches;
        added += changes.added.size();
        updated += changes.updated.size();
        removed += changes.removed.size();
    }

    qint64 keys() const { return added + updated + removed; }
};

void printCounts(const char *prefix, const ChangeCounts &counts)
{
    std::printf("%s change batches: %d\n", prefix, counts.batches);
    std::printf("%s changed keys: %lld\n", prefix, static_cast<long long>(counts.keys()));
    std::printf("%s added keys: %lld\n", prefix, static_cast<long long>(counts.added));
    std::printf("%s updated keys: %lld\n", prefix, static_cast<long long>(counts.updated));
    std::printf("%s removed keys: %lld\n", prefix, static_cast<long long>(counts.removed));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_watch"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Watches one Docker host like the console does for N seconds; prints what the store saw."));
    parser.addHelpOption();
    const QCommandLineOption socketOption(QStringLiteral("socket"),
                                          QStringLiteral("Unix socket of the dockerd to watch."),
                                          QStringLiteral("path"));
    const QCommandLineOption secondsOption(
        QStringLiteral("seconds"), QStringLiteral("How long to watch."), QStringLiteral("n"));
    parser.addOption(socketOption);
    parser.addOption(secondsOption);
    parser.process(app);

    const QString socket = parser.value(socketOption);
    bool secondsOk = false;
    const int seconds = parser.value(secondsOption).toInt(&secondsOk);
    if (socket.isEmpty() || !secondsOk || seconds < 1) {
        std::fprintf(stderr, "usage: bench_watch --socket PATH --seconds N\n");
        return 2;
    }
    if (!QFileInfo(socket).exists()) {
        std::fprintf(stderr, "bench_watch: no such socket: %s\n", qPrintable(socket));
        return 1;
    }
    const QString url = QStringLiteral("unix://") + socket;

    OpsdeckConfig config;
    EnvironmentConfig env;
    env.name = QStringLiteral("Bench");
    env.dockerHosts << DockerHostConfig{QStringLiteral("bench"), url, {}, {}};
    config.environments << env;
    App::Estate estate(config); // the console's default timings: ping every 10 s
    EnvironmentStore *store = estate.stores().value(0);
    DockerHostConnector *connector = estate.connectors(env.name).value(0);
    if (!store || !connector) {
        std::fprintf(stderr, "bench_watch: the estate has no store or connector\n");
        return 1;
    }

    std::printf("bench: watch\n");
    std::printf("host: %s\n", qPrintable(url));
    std::printf("seconds: %d\n", seconds);
    std::fflush(stdout);

    QElapsedTimer clock;
    clock.start();
    bool ready = false;
    int resyncs = 0;
    int failures = 0;
    ChangeCounts total;
    ChangeCounts afterReady;
    QObject::connect(
        store, &EnvironmentStore::containersChanged, &app, [&](const ContainerChanges &changes) {
            total.add(changes);
            if (ready)
                afterReady.add(changes);
        });
    QObject::connect(connector, &DockerHostConnector::resyncFinished, &app, [&](bool ok) {
        if (!ok)
            return;
        ++resyncs;
        if (!ready) {
            ready = true;
            // Flushed at once: engine_cost.sh waits for this line to start its window.
            std::printf("ready ms: %lld\n", static_cast<long long>(clock.elapsed()));
            std::printf("containers: %d\n", store->containerCount());
            std::fflush(stdout);
        }
    });
    QObject::connect(connector, &DockerHostConnector::failed, &app, [&](const QString &reason) {
        ++failures;
        std::fprintf(stderr, "bench_watch: host failed: %s\n", qPrintable(reason));
    });

    QTimer::singleShot(seconds * 1000, Qt::PreciseTimer, &app, &QCoreApplication::quit);
    estate.start();
    app.exec();

    std::printf("watched ms: %lld\n", static_cast<long long>(clock.elapsed()));
    std::printf("resyncs: %d\n", resyncs);
    std::printf("host failures: %d\n", failures);
    printCounts("total", total);
    printCounts("after ready", afterReady);
    std::printf("containers at end: %d\n", store->containerCount());
    std::fflush(stdout);
    // A host that never answered is no measurement of watching it.
    return ready ? 0 : 1;
}
