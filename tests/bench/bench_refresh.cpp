// SPDX-License-Identifier: MIT
// Full refresh of one real Docker host: Opsdeck (GET /containers/json, then an inspect of every
// container) against the docker CLI doing the same (`docker ps -a -q --no-trunc`, then one
// `docker inspect` of all ids), alternating round by round in the same run. Prints figures,
// never asserts on time. Host: --socket PATH, or host 1 of OPSDECK_DOCKERD_STATE (dockerd.sh).
#include "app/estate.h"
#include "tests/support/testsupport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QProcess>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <optional>

using namespace Opsdeck;
using namespace Opsdeck::Models;
using Connectors::DockerHostConnector;

namespace {

// Generous: a few hundred inspects take seconds on a loaded 2-core machine, never minutes.
constexpr int kRoundTimeoutMs = 120000;
constexpr int kDefaultRounds = 5;

const QString kDockerCli = QStringLiteral("/usr/bin/docker"); // never /usr/local/bin/docker

double median(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype mid = values.size() / 2;
    return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

double msSince(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) / 1e6;
}

/// Runs @p trigger, then waits for the connector's resyncFinished. A failed resync ends the
/// wait unless @p retryFailures (the first connect: the connector retries on its own).
std::optional<bool> waitForResync(DockerHostConnector *connector,
                                  const std::function<void()> &trigger,
                                  bool retryFailures)
{
    QEventLoop loop; // nested loop: fine in a benchmark, never in the console
    std::optional<bool> result;
    QObject::connect(connector, &DockerHostConnector::resyncFinished, &loop, [&](bool ok) {
        if (!ok && retryFailures)
            return;
        result = ok;
        loop.quit();
    });
    QTimer::singleShot(kRoundTimeoutMs, &loop, &QEventLoop::quit);
    trigger();
    if (!result)
        loop.exec();
    return result;
}

int inspectedCount(const EnvironmentStore &store)
{
    int n = 0;
    for (const Container &c : store.containers())
        n += c.inspected ? 1 : 0;
    return n;
}

struct PeerRound
{
    double ms = 0;
    int containers = 0;
    qint64 inspectBytes = 0;
    QString error;
};

/// Runs the docker CLI with @p args against @p url; returns stdout, or sets @p error.
QByteArray runCli(const QString &url, const QStringList &args, QString *error)
{
    QProcess p;
    p.setProgram(kDockerCli);
    p.setArguments(QStringList{QStringLiteral("-H"), url} + args);
    p.start();
    if (!p.waitForFinished(kRoundTimeoutMs)) {
        p.kill();
        p.waitForFinished();
        *error = QStringLiteral("docker %1: did not finish").arg(args.value(0));
        return {};
    }
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *error = QStringLiteral("docker %1: exit %2: %3")
                     .arg(args.value(0))
                     .arg(p.exitCode())
                     .arg(QString::fromLocal8Bit(p.readAllStandardError()).trimmed());
        return {};
    }
    return p.readAllStandardOutput();
}

/// The peer: what a person or script does to get the same data from the CLI.
PeerRound runPeer(const QString &url)
{
    PeerRound round;
    QElapsedTimer timer;
    timer.start();
    const QByteArray ids = runCli(url,
                                  {QStringLiteral("ps"),
                                   QStringLiteral("-a"),
                                   QStringLiteral("-q"),
                                   QStringLiteral("--no-trunc")},
                                  &round.error);
    if (!round.error.isEmpty())
        return round;
    const QStringList idList =
        QString::fromLatin1(ids).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    round.containers = int(idList.size());
    if (!idList.isEmpty()) {
        const QByteArray json =
            runCli(url, QStringList{QStringLiteral("inspect")} + idList, &round.error);
        round.inspectBytes = json.size();
    }
    round.ms = msSince(timer);
    return round;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_refresh"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Times Opsdeck's full refresh of one Docker host against docker ps + docker inspect."));
    parser.addHelpOption();
    const QCommandLineOption socketOption(QStringLiteral("socket"),
                                          QStringLiteral("Unix socket of the dockerd to measure."),
                                          QStringLiteral("path"));
    const QCommandLineOption roundsOption(
        QStringLiteral("rounds"),
        QStringLiteral("Rounds of each (default %1).").arg(kDefaultRounds),
        QStringLiteral("n"),
        QString::number(kDefaultRounds));
    parser.addOption(socketOption);
    parser.addOption(roundsOption);
    parser.process(app);

    QString socket = parser.value(socketOption);
    if (socket.isEmpty())
        socket = Tests::DockerdHarness().socketPath(1);
    bool roundsOk = false;
    const int rounds = parser.value(roundsOption).toInt(&roundsOk);
    if (socket.isEmpty() || !roundsOk || rounds < 1) {
        std::fprintf(
            stderr,
            "usage: bench_refresh --socket PATH [--rounds N]  (or OPSDECK_DOCKERD_STATE set)\n");
        return 2;
    }
    if (!QFileInfo(socket).exists()) {
        std::fprintf(stderr, "bench_refresh: no such socket: %s\n", qPrintable(socket));
        return 1;
    }
    const QString url = QStringLiteral("unix://") + socket;

    OpsdeckConfig config;
    EnvironmentConfig env;
    env.name = QStringLiteral("Bench");
    env.dockerHosts << DockerHostConfig{QStringLiteral("bench"), url, {}, {}};
    config.environments << env;
    App::Estate estate(config);
    EnvironmentStore *store = estate.stores().value(0);
    DockerHostConnector *connector = estate.connectors(env.name).value(0);
    if (!store || !connector) {
        std::fprintf(stderr, "bench_refresh: the estate has no store or connector\n");
        return 1;
    }
    QObject::connect(connector, &DockerHostConnector::failed, &app, [](const QString &reason) {
        std::fprintf(stderr, "bench_refresh: host failed: %s\n", qPrintable(reason));
    });

    std::printf("bench: refresh\n");
    std::printf("host: %s\n", qPrintable(url));
    std::printf("rounds: %d\n", rounds);

    QList<double> opsdeckMs;
    QList<double> peerMs;
    int peerContainers = 0;
    for (int round = 1; round <= rounds; ++round) {
        // Round 1 is the console's cold start: /version, the event stream, then the listing.
        QElapsedTimer timer;
        timer.start();
        const auto coldStart = [&] { estate.start(); };
        const auto refresh = [&] { connector->resync(); };
        const std::optional<bool> ok = round == 1 ? waitForResync(connector, coldStart, true)
                                                  : waitForResync(connector, refresh, false);
        const double ms = msSince(timer);
        if (!ok || !*ok) {
            std::fprintf(stderr,
                         "bench_refresh: round %d: Opsdeck's refresh %s\n",
                         round,
                         ok ? "failed" : "timed out");
            return 1;
        }
        opsdeckMs << ms;
        std::printf("round %d opsdeck ms: %.1f\n", round, ms);
        if (round == 1) {
            std::printf("opsdeck containers: %d\n", store->containerCount());
            std::printf("opsdeck inspected: %d\n", inspectedCount(*store));
        }

        const PeerRound peer = runPeer(url);
        if (!peer.error.isEmpty()) {
            std::fprintf(
                stderr, "bench_refresh: round %d: peer: %s\n", round, qPrintable(peer.error));
            return 1;
        }
        peerMs << peer.ms;
        peerContainers = peer.containers;
        std::printf("round %d peer ms: %.1f\n", round, peer.ms);
        if (round == 1)
            std::printf("peer inspect bytes: %lld\n", static_cast<long long>(peer.inspectBytes));
        std::fflush(stdout);
    }

    const double opsdeck = median(opsdeckMs);
    const double peer = median(peerMs);
    std::printf("containers: %d\n", peerContainers);
    if (store->containerCount() != peerContainers)
        std::printf("warning: opsdeck saw %d containers, the peer %d\n",
                    store->containerCount(),
                    peerContainers);
    std::printf("opsdeck median ms: %.1f\n", opsdeck);
    std::printf("peer median ms: %.1f\n", peer);
    std::printf("peer command: docker ps -a -q --no-trunc + docker inspect <all ids>\n");
    std::printf("ratio opsdeck/peer: %.2f\n", peer > 0 ? opsdeck / peer : 0.0);
    std::printf("goal: <= 1.00\n");
    return 0;
}
