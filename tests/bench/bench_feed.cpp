// SPDX-License-Identifier: MIT
// Feed fan-out: 100 and 1,000 WebSocket clients (in a child process, so the server's RSS is its
// own) subscribed to one busy environment. Prints the latency from a model change to receipt at
// the clients (p50/p99) and the server's memory per client. Prints figures, asserts nothing.
#include "models/environmentstore.h"
#include "views/feed/feedserver.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <sys/resource.h>
#include <vector>

using namespace Opsdeck;

namespace {

constexpr int kContainers = 200;
constexpr int kChangesPerTick = 5;
constexpr int kTickMs = 50;       // 20 batches a second
constexpr int kMeasureMs = 6000;  // per client count
constexpr int kConnectBatch = 50; // stay under the listen backlog
/// The peer's frame: about the size of the feed's deltas here (5 containers; the child prints
/// the mean size it received, so the two can be compared in the output).
constexpr qsizetype kPeerFrameBytes = 2400;

qint64 monotonicUs()
{
    // steady_clock is CLOCK_MONOTONIC on Linux: the same clock in parent and child.
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

/// CPU time (user + system) this process has used, in milliseconds.
qint64 cpuMs()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return (qint64(usage.ru_utime.tv_sec) + usage.ru_stime.tv_sec) * 1000
           + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
}

qint64 rssKb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

/// Runs the event loop until the child has printed @p word (or exited, or @p timeoutMs passed):
/// the server side must keep a real event loop, or its own turns add to the latency measured.
bool waitForOutput(QProcess &child, QByteArray &out, const char *word, int timeoutMs)
{
    out += child.readAllStandardOutput();
    if (out.contains(word))
        return true;
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    QObject::connect(&child, &QProcess::readyReadStandardOutput, &loop, [&] {
        out += child.readAllStandardOutput();
        if (out.contains(word))
            loop.quit();
    });
    QObject::connect(&child, &QProcess::finished, &loop, &QEventLoop::quit);
    deadline.start(timeoutMs);
    loop.exec();
    return out.contains(word);
}

/// Starts this program again as the client side: @p clients WebSockets to 127.0.0.1:@p port.
void startClients(QProcess &child, int clients, quint16 port)
{
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(),
                {QStringLiteral("--clients"),
                 QString::number(clients),
                 QStringLiteral("--port"),
                 QString::number(port)});
}

/// The child: N clients; prints "ready" once every snapshot arrived, then, after the measuring
/// time, "result COUNT P50 P99 MAX" (milliseconds) and exits.
int runClients(quint16 port, int count)
{
    std::vector<std::unique_ptr<QWebSocket>> sockets;
    std::vector<qint64> latencies;
    qint64 deltaBytes = 0;
    latencies.reserve(1 << 20);
    int snapshots = 0;
    int opened = 0;
    auto openBatch = [&] {
        for (int i = 0; i < kConnectBatch && opened < count; ++i, ++opened) {
            auto socket = std::make_unique<QWebSocket>();
            QWebSocket *s = socket.get();
            QObject::connect(s, &QWebSocket::connected, s, [s] {
                s->sendTextMessage(QStringLiteral(
                    "{\"type\":\"subscribe\",\"env\":\"Busy\",\"topics\":[\"containers\"]}"));
            });
            QObject::connect(s, &QWebSocket::textMessageReceived, s, [&](const QString &text) {
                // Compact JSON sorts keys: a delta starts with "changes", a snapshot with "data".
                if (text.startsWith(QLatin1String("{\"changes\""))) {
                    const qsizetype at = text.indexOf(QLatin1String("t="));
                    if (at >= 0) {
                        const qsizetype end = text.indexOf(QLatin1Char('"'), at);
                        const qint64 sent =
                            QStringView(text).mid(at + 2, end - at - 2).toLongLong();
                        latencies.push_back(monotonicUs() - sent);
                        deltaBytes += text.toUtf8().size();
                    }
                } else if (text.startsWith(QLatin1String("{\"data\""))) {
                    if (++snapshots == count)
                        std::printf("ready\n"), std::fflush(stdout);
                }
            });
            s->open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(port)));
            sockets.push_back(std::move(socket));
        }
    };
    QTimer connector;
    QObject::connect(&connector, &QTimer::timeout, &connector, [&] {
        openBatch();
        if (opened >= count)
            connector.stop();
    });
    connector.start(20);
    openBatch();

    QTimer stop;
    stop.setSingleShot(true);
    QObject::connect(&stop, &QTimer::timeout, &stop, [&] {
        std::sort(latencies.begin(), latencies.end());
        auto pct = [&](double p) {
            return latencies.empty() ? 0.0
                                     : latencies[std::min(latencies.size() - 1,
                                                          size_t(p * double(latencies.size())))]
                                           / 1000.0;
        };
        std::printf("result %zu %.2f %.2f %.2f %lld\n",
                    latencies.size(),
                    pct(0.5),
                    pct(0.99),
                    latencies.empty() ? 0.0 : latencies.back() / 1000.0,
                    latencies.empty() ? 0LL : deltaBytes / qint64(latencies.size()));
        std::fflush(stdout);
        QCoreApplication::quit();
    });
    // The child measures for a fixed time after it is ready, told by the parent via argv.
    QTimer readyWatch;
    QObject::connect(&readyWatch, &QTimer::timeout, &readyWatch, [&] {
        if (snapshots >= count && !stop.isActive())
            stop.start(kMeasureMs + 1500);
    });
    readyWatch.start(10);
    return QCoreApplication::exec();
}

struct Figures
{
    double p50 = 0;
    double p99 = 0;
};

Figures runServer(int clients)
{
    Models::EnvironmentStore store(QStringLiteral("Busy"));
    Models::HostStatus host;
    host.id = QStringLiteral("host1");
    host.state = Models::SourceState::Connected;
    store.addHost(host);
    QList<Models::Container> containers;
    for (int i = 0; i < kContainers; ++i) {
        Models::Container c;
        c.hostId = QStringLiteral("host1");
        c.id = QStringLiteral("c%1").arg(i, 4, 10, QLatin1Char('0'));
        c.name = QStringLiteral("service-%1").arg(i);
        c.image = QStringLiteral("shop/service:1.4.2-prod-3f9a1c2e");
        c.state = Models::ContainerState::Running;
        c.statusText = QStringLiteral("t=0");
        c.inspected = true;
        containers.append(c);
    }
    store.replaceHostContainers(QStringLiteral("host1"), containers);
    store.flush();

    Views::FeedSettings settings;
    settings.port = 0;
    settings.maxClientBacklogBytes = 4 * 1024 * 1024;
    Views::FeedEnvironment env;
    env.name = QStringLiteral("Busy");
    env.store = &store;
    Views::FeedServer server({env}, nullptr, nullptr, nullptr, settings);
    QString error;
    if (!server.listen(&error)) {
        std::printf("listen failed: %s\n", qPrintable(error));
        return {};
    }
    QCoreApplication::processEvents();
    const qint64 rssBefore = rssKb();

    QProcess child;
    startClients(child, clients, server.port());
    QElapsedTimer timer;
    timer.start();
    QByteArray out;
    if (!waitForOutput(child, out, "ready\n", 60000)) {
        std::printf("%5d clients: not all connected within 60 s (%d connected)\n",
                    clients,
                    server.clientCount());
        child.kill();
        child.waitForFinished(5000);
        return {};
    }
    const qint64 connectMs = timer.elapsed();
    QCoreApplication::processEvents();
    const qint64 rssAfter = rssKb();

    // Busy: kChangesPerTick containers change every tick, stamped with the change time.
    int next = 0;
    QTimer ticker;
    QObject::connect(&ticker, &QTimer::timeout, &ticker, [&] {
        const QString stamp = QStringLiteral("t=%1").arg(monotonicUs());
        for (int i = 0; i < kChangesPerTick; ++i) {
            Models::Container &c = containers[next++ % kContainers];
            c.statusText = stamp;
            ++c.restartCount;
            store.upsertContainer(c);
        }
    });
    ticker.start(kTickMs);
    QElapsedTimer busy;
    busy.start();
    const qint64 cpuBefore = cpuMs();
    waitForOutput(child, out, "result", kMeasureMs + 20000);
    const double cpuShare =
        double(cpuMs() - cpuBefore) / double(std::max<qint64>(1, busy.elapsed()));
    ticker.stop();
    child.waitForFinished(10000);
    out += child.readAllStandardOutput();
    const QList<QByteArray> result = out.mid(out.indexOf("result")).trimmed().split(' ');
    const Views::FeedStats stats = server.stats();
    std::printf("%5d clients: connect+snapshot %lld ms; %s deltas of %s bytes received, latency "
                "p50 %s ms, p99 %s ms, max %s ms; server RSS +%lld KiB = %.1f KiB/client; "
                "dropped %lld; server CPU %.0f %% of one core\n",
                clients,
                connectMs,
                result.value(1).constData(),
                result.value(5).constData(),
                result.value(2).constData(),
                result.value(3).constData(),
                result.value(4).constData(),
                rssAfter - rssBefore,
                double(rssAfter - rssBefore) / clients,
                stats.deltasDropped,
                cpuShare * 100.0);
    std::fflush(stdout);
    return {result.value(2).toDouble(), result.value(3).toDouble()};
}

/// The peer, measured in the same run: a bare QWebSocketServer that sends one prebuilt frame of
/// the same size to every client each tick (no store, no diffing, no per-stream state). It is
/// the floor that Qt's WebSocket transport sets on this machine; the feed's ratio to it is the
/// cost of computing and tracking deltas.
Figures runBareBroadcast(int clients, qsizetype frameBytes)
{
    QWebSocketServer server(QStringLiteral("bare"), QWebSocketServer::NonSecureMode);
    if (!server.listen(QHostAddress::LocalHost, 0))
        return {};
    QList<QWebSocket *> sockets;
    QObject::connect(&server, &QWebSocketServer::newConnection, &server, [&] {
        while (QWebSocket *socket = server.nextPendingConnection()) {
            socket->setParent(&server);
            QObject::connect(socket, &QWebSocket::textMessageReceived, socket, [socket, &sockets] {
                socket->sendTextMessage(QStringLiteral("{\"data\":{}}")); // the "snapshot"
                sockets.append(socket);
            });
        }
    });
    QProcess child;
    startClients(child, clients, server.serverPort());
    QByteArray out;
    if (!waitForOutput(child, out, "ready\n", 60000)) {
        child.kill();
        child.waitForFinished(5000);
        return {};
    }
    const QString padding(std::max<qsizetype>(0, frameBytes - 64), QLatin1Char('x'));
    QTimer ticker;
    QObject::connect(&ticker, &QTimer::timeout, &ticker, [&] {
        const QString frame = QStringLiteral("{\"changes\":{\"s\":\"t=%1\",\"p\":\"%2\"}}")
                                  .arg(monotonicUs())
                                  .arg(padding);
        for (QWebSocket *socket : std::as_const(sockets))
            socket->sendTextMessage(frame);
    });
    ticker.start(kTickMs);
    waitForOutput(child, out, "result", kMeasureMs + 20000);
    ticker.stop();
    child.waitForFinished(10000);
    out += child.readAllStandardOutput();
    const QList<QByteArray> result = out.mid(out.indexOf("result")).trimmed().split(' ');
    std::printf(
        "%5d clients, bare QWebSocketServer broadcast (peer): latency p50 %s ms, p99 %s ms\n",
        clients,
        result.value(2).constData(),
        result.value(3).constData());
    std::fflush(stdout);
    return {result.value(2).toDouble(), result.value(3).toDouble()};
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const qsizetype c = args.indexOf(QStringLiteral("--clients"));
    const qsizetype p = args.indexOf(QStringLiteral("--port"));
    if (c > 0 && p > 0)
        return runClients(quint16(args.value(p + 1).toUInt()), args.value(c + 1).toInt());
    std::printf("bench_feed: one environment, %d containers, %d changes every %d ms, clients in a "
                "child process; latency = model change -> client receipt (same machine clock)\n",
                kContainers,
                kChangesPerTick,
                kTickMs);
    for (int clients : {100, 1000}) {
        const Figures feed = runServer(clients);
        const Figures bare = runBareBroadcast(clients, kPeerFrameBytes);
        if (bare.p50 > 0 && bare.p99 > 0)
            std::printf("%5d clients: feed / bare broadcast = %.2f (p50), %.2f (p99)\n",
                        clients,
                        feed.p50 / bare.p50,
                        feed.p99 / bare.p99);
    }
    return 0;
}
