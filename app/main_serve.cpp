// SPDX-License-Identifier: MIT
// opsdeck-serve: the estate without a GUI. The WebSocket feed, the dashboard, /healthz and
// /metrics on one port (views/feed), and the alerts sent to webhooks (connectors/webhook).
// Links no Widgets (tests: serve_links_no_widgets).
#include "app/auditlog.h"
#include "app/configresolver.h"
#include "app/estate.h"
#include "app/servelog.h"
#include "app/serveoptions.h"
#include "app/servesignals.h"
#include "app/sim/simestate.h"
#include "connectors/http/httpclient.h"
#include "connectors/webhook/webhooknotifier.h"
#include "models/alertboard.h"
#include "views/feed/feedserver.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSaveFile>
#include <QTemporaryDir>

#include <csignal>
#include <cstdio>
#include <memory>

using namespace Opsdeck;

namespace {

using Field = App::ServeLog::Field;

QString tr(const char *text)
{
    return QCoreApplication::translate("opsdeck-serve", text);
}

/// The demo estate in this process, configured through the ordinary loader (as main_desktop.cpp).
struct Demo
{
    Sim::SimEstate estate;
    QTemporaryDir folder;
};

std::variant<Models::OpsdeckConfig, Models::ConfigError> startDemo(Demo &demo)
{
    Models::ConfigError error;
    error.message = tr("the demo estate did not start: %1");
    if (!demo.estate.start(Sim::SimEstateOptions{})) {
        error.message = error.message.arg(demo.estate.errorString());
        return error;
    }
    const QString path = demo.folder.filePath(QStringLiteral("environments.yaml"));
    QSaveFile file(path);
    if (!demo.folder.isValid() || !file.open(QIODevice::WriteOnly)
        || file.write(demo.estate.environmentsYaml()) < 0 || !file.commit()) {
        error.message = error.message.arg(file.errorString());
        return error;
    }
    return Models::EnvironmentsConfigLoader::load(path);
}

/// The dashboard's files: installed beside the binary (../share/opsdeck/web), else the source
/// tree's when running from a build directory.
QString defaultWebRoot()
{
    const QStringList candidates{QDir(QCoreApplication::applicationDirPath())
                                     .absoluteFilePath(QStringLiteral("../share/opsdeck/web")),
                                 QStringLiteral(OPSDECK_SOURCE_WEB_ROOT)};
    for (const QString &dir : candidates) {
        if (QFileInfo(dir + QLatin1String("/index.html")).isFile())
            return QDir::cleanPath(dir);
    }
    return {};
}

QString eventName(Connectors::WebhookEvent event)
{
    return event == Connectors::WebhookEvent::Firing ? QStringLiteral("firing")
                                                     : QStringLiteral("resolved");
}

QList<Field> alertFields(const Models::AlertRecord &record)
{
    return {{QStringLiteral("env"), record.alert.environment},
            {QStringLiteral("key"), record.alert.key},
            {QStringLiteral("severity"), Models::nameOf(record.alert.severity)},
            {QStringLiteral("subject"), record.alert.subject},
            {QStringLiteral("message"), record.alert.message}};
}

void logWebhooks(const App::ServeLog &log, Connectors::WebhookNotifier *notifier)
{
    using Connectors::WebhookEvent;
    using Connectors::WebhookNotifier;
    QObject::connect(notifier,
                     &WebhookNotifier::sent,
                     notifier,
                     [&log](const QString &hook,
                            const QString &env,
                            const QString &key,
                            WebhookEvent event,
                            int attempts) {
                         log.info(QStringLiteral("webhook sent"),
                                  {{QStringLiteral("webhook"), hook},
                                   {QStringLiteral("status"), eventName(event)},
                                   {QStringLiteral("env"), env},
                                   {QStringLiteral("key"), key},
                                   {QStringLiteral("attempts"), QString::number(attempts)}});
                     });
    QObject::connect(notifier,
                     &WebhookNotifier::failed,
                     notifier,
                     [&log](const QString &hook,
                            const QString &env,
                            const QString &key,
                            WebhookEvent event,
                            int attempts,
                            const QString &error) {
                         log.warn(QStringLiteral("webhook failed"),
                                  {{QStringLiteral("webhook"), hook},
                                   {QStringLiteral("status"), eventName(event)},
                                   {QStringLiteral("env"), env},
                                   {QStringLiteral("key"), key},
                                   {QStringLiteral("attempts"), QString::number(attempts)},
                                   {QStringLiteral("error"), error}});
                     });
    QObject::connect(notifier,
                     &WebhookNotifier::retrying,
                     notifier,
                     [&log](const QString &hook, const QString &key, int attempts, qint64 delayMs) {
                         log.info(QStringLiteral("webhook retry"),
                                  {{QStringLiteral("webhook"), hook},
                                   {QStringLiteral("key"), key},
                                   {QStringLiteral("attempts"), QString::number(attempts)},
                                   {QStringLiteral("delay_ms"), QString::number(delayMs)}});
                     });
    QObject::connect(notifier,
                     &WebhookNotifier::suppressed,
                     notifier,
                     [&log](const QString &hook, const QString &env, const QString &key) {
                         log.info(QStringLiteral("webhook cooldown: alert came back"),
                                  {{QStringLiteral("webhook"), hook},
                                   {QStringLiteral("env"), env},
                                   {QStringLiteral("key"), key}});
                     });
}

} // namespace

int main(int argc, char *argv[])
{
    QElapsedTimer startup;
    startup.start();
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("opsdeck"));
    QCoreApplication::setApplicationName(QStringLiteral("opsdeck-serve"));
    QCoreApplication::setApplicationVersion(QStringLiteral(OPSDECK_VERSION));

    const App::ServeOptions options = App::parseServeOptions(QCoreApplication::arguments());
    if (!options.error.isEmpty()) {
        std::fprintf(stderr, "opsdeck-serve: %s\n", qPrintable(options.error));
        return 2;
    }
    if (options.help) {
        std::fputs(qPrintable(options.helpText), stdout);
        return 0;
    }
    if (options.version) {
        std::printf("opsdeck-serve %s\n", OPSDECK_VERSION);
        return 0;
    }

    const App::ServeLog log;
    log.info(QStringLiteral("starting"),
             {{QStringLiteral("version"), QStringLiteral(OPSDECK_VERSION)},
              {QStringLiteral("pid"), QString::number(QCoreApplication::applicationPid())}});

    std::unique_ptr<Demo> demo;
    auto loaded = [&]() -> std::variant<Models::OpsdeckConfig, Models::ConfigError> {
        if (!options.demo)
            return App::resolveConfig(options.configPath);
        demo = std::make_unique<Demo>();
        return startDemo(*demo);
    }();
    if (const auto *error = std::get_if<Models::ConfigError>(&loaded)) {
        log.error(QStringLiteral("configuration"), {{QStringLiteral("error"), error->toString()}});
        return 2;
    }
    const Models::OpsdeckConfig &config = std::get<Models::OpsdeckConfig>(loaded);
    const Models::ServeSettings serve = App::effectiveServeSettings(options, config.serve);
    const auto listen = App::parseListenAddress(serve.listen);
    if (!listen.ok()) {
        log.error(QStringLiteral("configuration"),
                  {{QStringLiteral("error"),
                    QStringLiteral("%1: settings.serve.listen: %2")
                        .arg(config.sourcePath, listen.error())}});
        return 2;
    }

    App::Estate estate(config);
    // The feed audits the actions it passes on, naming the token: one line each, not two.
    estate.setAuditActions(false);
    Models::AlertBoard *board = estate.alertBoard();
    if (config.alerts.clearHoldMs > 0)
        board->setClearHoldMs(config.alerts.clearHoldMs);

    Connectors::HttpClient webhookHttp;
    Connectors::WebhookNotifier notifier(config.alerts.webhooks, &webhookHttp);
    if (!notifier.configurationErrors().isEmpty()) {
        for (const QString &e : notifier.configurationErrors())
            log.error(QStringLiteral("configuration"),
                      {{QStringLiteral("error"), config.sourcePath + QStringLiteral(": ") + e}});
        return 2;
    }
    notifier.attach(board);
    logWebhooks(log, &notifier);
    QObject::connect(
        board, &Models::AlertBoard::raised, &app, [&log](const Models::AlertRecord &r) {
            log.info(QStringLiteral("alert raised"), alertFields(r));
        });
    QObject::connect(
        board, &Models::AlertBoard::resolved, &app, [&log](const Models::AlertRecord &r) {
            log.info(QStringLiteral("alert resolved"), alertFields(r));
        });

    QList<Views::FeedEnvironment> environments;
    for (Models::EnvironmentStore *store : estate.stores()) {
        const Models::EnvironmentConfig *env = estate.environment(store->environment());
        Views::FeedEnvironment e;
        e.name = store->environment();
        e.colour = env ? env->colour : QString();
        e.production = env && env->production;
        e.store = store;
        e.marathon = estate.marathonStore(e.name);
        e.kafka = estate.kafkaStore(e.name);
        e.kv = estate.kvStores(e.name);
        environments << e;
    }
    Views::FeedSettings feedSettings;
    feedSettings.address = listen.value().address;
    feedSettings.port = listen.value().port;
    feedSettings.tokensFile = serve.tokensFile;
    feedSettings.anonymous = serve.anonymous == QLatin1String("refuse")
                                 ? Views::FeedSettings::Anonymous::Refuse
                                 : Views::FeedSettings::Anonymous::ReadOnly;
    feedSettings.allowedOrigins = serve.origins;
    feedSettings.tlsCert = serve.tlsCertFile;
    feedSettings.tlsKey = serve.tlsKeyFile;
    feedSettings.webRoot = serve.webRoot.isEmpty() ? defaultWebRoot() : serve.webRoot;
    Views::FeedServer feed(environments, board, &estate, estate.marathonOperations(), feedSettings);
    feed.setAuditor([](const QString &environment,
                       const QString &action,
                       const QString &target,
                       const QString &outcome,
                       const QString &detail) {
        App::AuditLog::append(environment, action, target, outcome, detail);
    });
    QObject::connect(&feed,
                     &Views::FeedServer::logLine,
                     &app,
                     [&log](const QString &level, const QString &message, const QJsonObject &f) {
                         log.write(level, message, f);
                     });
    QObject::connect(&feed,
                     &Views::FeedServer::clientConnected,
                     &app,
                     [&log](const QString &peer, const QString &role) {
                         log.info(QStringLiteral("client connected"),
                                  {{QStringLiteral("peer"), peer}, {QStringLiteral("role"), role}});
                     });
    QObject::connect(
        &feed, &Views::FeedServer::clientDisconnected, &app, [&log](const QString &peer) {
            log.info(QStringLiteral("client disconnected"), {{QStringLiteral("peer"), peer}});
        });

    App::ServeSignalWatcher signalWatcher;
    if (!signalWatcher.isActive())
        log.warn(QStringLiteral("no SIGTERM handler: the process stops without cleaning up"));
    QObject::connect(&signalWatcher,
                     &App::ServeSignalWatcher::terminationRequested,
                     &app,
                     [&log](int signalNumber) {
                         log.info(QStringLiteral("stopping"),
                                  {{QStringLiteral("signal"),
                                    signalNumber == SIGINT ? QStringLiteral("SIGINT")
                                                           : QStringLiteral("SIGTERM")}});
                         QCoreApplication::quit();
                     });

    QString listenError;
    if (!feed.listen(&listenError)) {
        log.error(QStringLiteral("cannot listen"),
                  {{QStringLiteral("addr"), serve.listen}, {QStringLiteral("error"), listenError}});
        return 1;
    }
    const bool loopback = listen.value().address.isLoopback();
    const bool tls = !feedSettings.tlsCert.isEmpty();
    const QString host = listen.value().address.protocol() == QAbstractSocket::IPv6Protocol
                             ? QStringLiteral("[%1]").arg(listen.value().address.toString())
                             : listen.value().address.toString();
    log.info(QStringLiteral("listening"),
             {{QStringLiteral("addr"), QStringLiteral("%1:%2").arg(host).arg(feed.port())},
              {QStringLiteral("scheme"), tls ? QStringLiteral("https") : QStringLiteral("http")},
              {QStringLiteral("environments"), QString::number(environments.size())},
              {QStringLiteral("webhooks"), notifier.webhookNames().join(QLatin1Char(','))},
              {QStringLiteral("anonymous"), serve.anonymous},
              {QStringLiteral("tokens"),
               serve.tokensFile.isEmpty() ? QStringLiteral("none") : serve.tokensFile},
              {QStringLiteral("web_root"), feedSettings.webRoot},
              {QStringLiteral("startup_ms"), QString::number(startup.elapsed())}});
    if (!loopback && (!tls || serve.tokensFile.isEmpty()))
        log.warn(QStringLiteral("listening beyond loopback without TLS and tokens"),
                 {{QStringLiteral("addr"), serve.listen}});
    estate.start();

    const int rc = QCoreApplication::exec();
    log.info(QStringLiteral("stopped"),
             {{QStringLiteral("pending_webhooks"), QString::number(notifier.pendingCount())}});
    return rc;
}
