// SPDX-License-Identifier: MIT
// opsdeck-sim: the demo estate on its own, for tests and for pointing other tools at it.
#include "app/sim/simestate.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <unistd.h>

using namespace Opsdeck;

namespace {

int g_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t ignored = ::write(g_signalPipe[1], &byte, 1);
}

QString tr(const char *text)
{
    return QCoreApplication::translate("opsdeck-sim", text);
}

bool writeFile(const QString &path, const QByteArray &data, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

int usage(const QString &message)
{
    std::fprintf(stderr, "opsdeck-sim: %s\n", qPrintable(message));
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("opsdeck-sim"));
    QCoreApplication::setApplicationVersion(QStringLiteral(OPSDECK_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        tr("The Opsdeck demo estate: Integration, Staging and Production with Docker hosts, "
           "Marathon on Mesos, Consul and Kafka, served over their real APIs on 127.0.0.1.\n"
           "When ready it prints one JSON line with every endpoint; SIGTERM stops it."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption portBase(QStringLiteral("port-base"),
                                      tr("Listen on consecutive ports from N (default: free "
                                         "ports the system picks)."),
                                      tr("N"));
    const QCommandLineOption seed(QStringLiteral("seed"),
                                  tr("Seed for names, ids and secrets (default 1)."),
                                  tr("N"),
                                  QStringLiteral("1"));
    const QCommandLineOption timeScale(QStringLiteral("time-scale"),
                                       tr("Run simulated time this many times faster (default 1)."),
                                       tr("factor"),
                                       QStringLiteral("1"));
    const QCommandLineOption endpointsFile(QStringLiteral("endpoints-file"),
                                           tr("Also write the endpoints JSON to this file."),
                                           tr("file"));
    const QCommandLineOption writeConfig(QStringLiteral("write-config"),
                                         tr("Write an environments file that points Opsdeck at "
                                            "this estate."),
                                         tr("file"));
    const QCommandLineOption noKafka(QStringLiteral("no-kafka"),
                                     tr("Do not start the Kafka clusters."));
    parser.addOptions({portBase, seed, timeScale, endpointsFile, writeConfig, noKafka});
    parser.process(app); // --help, --version and unknown options exit here (code 0 / 1)
    if (!parser.positionalArguments().isEmpty())
        return usage(tr("unexpected arguments: %1")
                         .arg(parser.positionalArguments().join(QLatin1Char(' '))));

    Sim::SimEstateOptions options;
    bool ok = true;
    if (parser.isSet(portBase)) {
        const uint base = parser.value(portBase).toUInt(&ok);
        if (!ok || base < 1024 || base > 65000)
            return usage(tr("--port-base: expected a port between 1024 and 65000, got '%1'")
                             .arg(parser.value(portBase)));
        options.portBase = quint16(base);
    }
    options.seed = parser.value(seed).toUInt(&ok);
    if (!ok)
        return usage(
            tr("--seed: expected a non-negative integer, got '%1'").arg(parser.value(seed)));
    options.timeScale = parser.value(timeScale).toDouble(&ok);
    if (!ok || options.timeScale <= 0 || options.timeScale > 1000)
        return usage(tr("--time-scale: expected a number above 0 and at most 1000, got '%1'")
                         .arg(parser.value(timeScale)));
    options.kafka = !parser.isSet(noKafka);

    if (::pipe(g_signalPipe) != 0)
        return usage(tr("cannot create a pipe for signals"));
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    QSocketNotifier signalNotifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(
        &signalNotifier, &QSocketNotifier::activated, &app, [] { QCoreApplication::quit(); });

    Sim::SimEstate estate;
    if (!estate.start(options)) {
        std::fprintf(stderr, "opsdeck-sim: %s\n", qPrintable(estate.errorString()));
        return 1;
    }
    const QByteArray endpoints =
        QJsonDocument(estate.endpointsJson()).toJson(QJsonDocument::Compact);
    QString error;
    if (parser.isSet(endpointsFile)
        && !writeFile(parser.value(endpointsFile), endpoints + '\n', &error)) {
        std::fprintf(stderr, "opsdeck-sim: %s\n", qPrintable(error));
        return 1;
    }
    if (parser.isSet(writeConfig)
        && !writeFile(parser.value(writeConfig), estate.environmentsYaml(), &error)) {
        std::fprintf(stderr, "opsdeck-sim: %s\n", qPrintable(error));
        return 1;
    }
    std::fprintf(stdout, "%s\n", endpoints.constData());
    std::fflush(stdout);

    const int code = app.exec();
    estate.stop();
    std::fprintf(stderr, "opsdeck-sim: stopped\n");
    return code;
}
