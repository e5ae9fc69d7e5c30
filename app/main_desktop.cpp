// SPDX-License-Identifier: MIT
// opsdeck: the desktop console, and the CLI verbs that need no display.
#include "app/auditcommand.h"
#include "app/auditlog.h"
#include "app/commandline.h"
#include "app/configresolver.h"
#include "app/diffcommand.h"
#include "app/estate.h"
#include "app/restartcommand.h"
#include "app/rolloutcommand.h"
#include "app/rolloutcontroller.h"
#include "app/sim/simestate.h"
#include "app/statuscommand.h"
#include "models/alertboard.h"
#include "models/audittrailmodel.h"
#include "models/marathonrollouttracker.h"
#include "views/desktop/auditview.h"
#include "views/desktop/configdiffview.h"
#include "views/desktop/mainwindow.h"
#include "views/desktop/marathonview.h"
#include "views/desktop/rolloutspanel.h"

#include <QApplication>
#include <QCheckBox>
#include <QIcon>
#include <QJsonObject>
#include <QPointer>
#include <QPushButton>
#include <QSaveFile>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextEdit>
#include <QTextStream>
#include <QTimer>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <unistd.h>
#include <vector>

using namespace Opsdeck;

namespace {

bool haveDisplay()
{
    // An explicit platform (offscreen, xcb, …) is the person's choice: trust it.
    return !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")
           || !qEnvironmentVariableIsEmpty("DISPLAY")
           || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
}

void printLine(FILE *stream, const QString &text)
{
    std::fprintf(stream, "%s\n", qPrintable(text));
}

/// `opsdeck serve ARGS…` becomes `opsdeck-serve ARGS…` from the same folder, so that the server
/// never maps Qt Widgets (STYLE.md §1). Returns only when the exec failed: exit code 2.
int execServe(int argc, char *argv[])
{
    char self[4096];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    std::string dir = n > 0 ? std::string(self, std::size_t(n)) : std::string(argv[0]);
    const std::size_t slash = dir.rfind('/');
    dir = slash == std::string::npos ? std::string(".") : dir.substr(0, slash);
    const std::string serve = dir + "/opsdeck-serve";
    std::vector<char *> args{const_cast<char *>(serve.c_str())};
    for (int i = 2; i < argc; ++i)
        args.push_back(argv[i]);
    args.push_back(nullptr);
    ::execv(serve.c_str(), args.data());
    std::fprintf(stderr,
                 "opsdeck: serve: cannot run %s: %s (install opsdeck-serve beside opsdeck)\n",
                 serve.c_str(),
                 std::strerror(errno));
    return 2;
}

/// The built-in demo estate, started in this process; its environments file is written to a
/// temporary folder and read back through the ordinary loader, so the demo is configured exactly
/// as a person would configure Opsdeck.
struct Demo
{
    Sim::SimEstate estate;
    QTemporaryDir folder;
};

std::variant<Models::OpsdeckConfig, Models::ConfigError> startDemo(Demo &demo)
{
    Models::ConfigError error;
    error.message = QCoreApplication::translate("opsdeck", "the demo estate did not start: %1");
    Sim::SimEstateOptions options;
    if (!demo.estate.start(options)) {
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

std::variant<Models::OpsdeckConfig, Models::ConfigError> resolve(const App::CommandLine &cl,
                                                                 std::unique_ptr<Demo> &demo)
{
    if (!cl.demo)
        return App::resolveConfig(cl.configPath);
    demo = std::make_unique<Demo>();
    return startDemo(*demo);
}

/// `opsdeck rollout …`: no display needed.
int runRollout(int argc, char *argv[], const QStringList &arguments)
{
    QCoreApplication app(argc, argv);
    const App::RolloutCommandOptions options = App::parseRolloutCommand(arguments);
    if (options.help) {
        std::fputs(qPrintable(options.helpText), stdout);
        return 0;
    }
    if (!options.error.isEmpty()) {
        printLine(stderr, QStringLiteral("opsdeck: rollout: %1").arg(options.error));
        return 2;
    }
    App::CommandLine cl;
    cl.configPath = options.configPath;
    cl.demo = options.demo;
    std::unique_ptr<Demo> demo;
    const auto config = resolve(cl, demo);
    if (const auto *error = std::get_if<Models::ConfigError>(&config)) {
        printLine(stderr, QStringLiteral("opsdeck: %1").arg(error->toString()));
        return 2;
    }
    return App::runRolloutCommand(options, std::get<Models::OpsdeckConfig>(config));
}

/// `opsdeck audit …`: reads the audit trail; a configuration is optional (--config only checks
/// that --env names one of its environments).
int runAuditCli(int argc, char *argv[], const App::CommandLine &cl)
{
    QCoreApplication app(argc, argv);
    if (!cl.configPath.isEmpty()) {
        std::unique_ptr<Demo> demo;
        const auto config = resolve(cl, demo);
        if (const auto *error = std::get_if<Models::ConfigError>(&config)) {
            printLine(stderr, QStringLiteral("opsdeck: %1").arg(error->toString()));
            return 2;
        }
        if (!cl.environment.isEmpty()
            && !std::get<Models::OpsdeckConfig>(config).environment(cl.environment))
            printLine(stderr,
                      QCoreApplication::translate(
                          "opsdeck", "opsdeck: audit: note: %1 has no environment named '%2'")
                          .arg(cl.configPath, cl.environment));
    }
    App::AuditCommandOptions options;
    options.environment = cl.environment;
    options.since = cl.auditSince;
    options.json = cl.json;
    QTextStream out(stdout);
    QTextStream err(stderr);
    return App::runAudit(options, out, err);
}

/// `opsdeck restart ENV TARGET`: no display needed.
int runRestartCli(int argc, char *argv[], const App::CommandLine &cl)
{
    QCoreApplication app(argc, argv);
    std::unique_ptr<Demo> demo;
    const auto config = resolve(cl, demo);
    if (const auto *error = std::get_if<Models::ConfigError>(&config)) {
        printLine(stderr, QStringLiteral("opsdeck: %1").arg(error->toString()));
        return 2;
    }
    App::RestartOptions options;
    options.environment = cl.restartEnvironment;
    options.target = cl.restartTarget;
    options.yesIMean = cl.yesIMean;
    QTextStream in(stdin);
    QTextStream out(stdout);
    QTextStream err(stderr);
    return App::runRestart(std::get<Models::OpsdeckConfig>(config), options, in, out, err);
}

} // namespace

int main(int argc, char *argv[])
{
    if (argc >= 2 && std::strcmp(argv[1], "serve") == 0)
        return execServe(argc, argv);
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    QCoreApplication::setOrganizationName(QStringLiteral("opsdeck"));
    QCoreApplication::setApplicationName(QStringLiteral("opsdeck"));
    QCoreApplication::setApplicationVersion(QStringLiteral(OPSDECK_VERSION));
    if (argc >= 2 && std::strcmp(argv[1], "rollout") == 0)
        return runRollout(argc, argv, arguments);

    const App::CommandLine cl = App::parseCommandLine(arguments);
    if (!cl.error.isEmpty()) {
        printLine(stderr, QStringLiteral("opsdeck: %1").arg(cl.error));
        return 2;
    }
    if (cl.command == App::CommandLine::Command::Help) {
        std::fputs(qPrintable(cl.helpText), stdout);
        return 0;
    }
    if (cl.command == App::CommandLine::Command::Version) {
        printLine(stdout, QStringLiteral("opsdeck %1").arg(QStringLiteral(OPSDECK_VERSION)));
        return 0;
    }

    if (cl.command == App::CommandLine::Command::Audit)
        return runAuditCli(argc, argv, cl);
    if (cl.command == App::CommandLine::Command::Restart)
        return runRestartCli(argc, argv, cl);

    const bool console = cl.command == App::CommandLine::Command::Console;
    if (console && !haveDisplay()) {
        printLine(stderr,
                  QCoreApplication::translate(
                      "opsdeck",
                      "opsdeck: no display (DISPLAY and WAYLAND_DISPLAY are unset), so no console; "
                      "showing 'opsdeck status' instead"));
    }

    std::unique_ptr<Demo> demo;
    if (!console || !haveDisplay()) {
        QCoreApplication app(argc, argv);
        const auto config = resolve(cl, demo);
        if (const auto *error = std::get_if<Models::ConfigError>(&config)) {
            printLine(stderr, QStringLiteral("opsdeck: %1").arg(error->toString()));
            return 2;
        }
        if (cl.command == App::CommandLine::Command::Diff) {
            App::DiffOptions options;
            options.environments = cl.diffEnvironments;
            options.service = cl.diffService;
            options.source = cl.diffSource;
            options.format = cl.diffFormat;
            options.all = cl.diffAll;
            return App::runDiff(std::get<Models::OpsdeckConfig>(config), options);
        }
        App::StatusOptions options;
        options.environment = cl.environment;
        options.json = cl.json;
        return App::runStatus(std::get<Models::OpsdeckConfig>(config), options);
    }

    QApplication app(argc, argv);
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/opsdeck.svg")));
    QApplication::setDesktopFileName(QStringLiteral("opsdeck"));
    const auto config = resolve(cl, demo);
    if (const auto *error = std::get_if<Models::ConfigError>(&config)) {
        printLine(stderr, QStringLiteral("opsdeck: %1").arg(error->toString()));
        return 2;
    }
    const auto &cfg = std::get<Models::OpsdeckConfig>(config);
    if (!cl.environment.isEmpty() && !cfg.environment(cl.environment)) {
        printLine(stderr, QStringLiteral("opsdeck: no environment named '%1'").arg(cl.environment));
        return 2;
    }
    App::Estate estate(cfg);
    if (cfg.alerts.clearHoldMs > 0)
        estate.alertBoard()->setClearHoldMs(cfg.alerts.clearHoldMs);
    Views::MainWindow window(cfg, estate.stores(), &estate);
    QList<Models::MarathonStore *> marathonStores;
    for (const auto &env : cfg.environments)
        marathonStores << estate.marathonStore(env.name);
    window.setMarathon(marathonStores, estate.marathonOperations());
    window.setConfigProvider(estate.configProvider());
    QList<Models::KafkaLagStore *> kafkaStores;
    for (const Models::EnvironmentStore *store : estate.stores())
        kafkaStores << estate.kafkaStore(store->environment());
    window.setKafka(kafkaStores);
    window.setAlertBoard(estate.alertBoard());
    // The audit trail: every action of this console is in it (Estate writes it); the viewer
    // follows the file, so actions of other consoles and of the CLI appear too.
    estate.setAuditContext(QJsonObject{{QStringLiteral("via"), QStringLiteral("console")}});
    Models::AuditTrailModel auditModel;
    App::AuditLogFollower auditFollower(App::AuditLog::path(), &auditModel);
    window.setAuditTrail(&auditModel, auditFollower.file());
    window.setAuditTrailError(auditFollower.errorString());
    QObject::connect(&auditFollower,
                     &App::AuditLogFollower::errorChanged,
                     &window,
                     &Views::MainWindow::setAuditTrailError);
    Connectors::HttpClient rolloutHttp;
    App::RolloutController rollouts(cfg, &rolloutHttp);
    window.setRollouts(&rollouts);
    // Marathon deployments show in the same rollouts panel, in the same shape.
    std::vector<std::unique_ptr<Models::MarathonRolloutTracker>> marathonRollouts;
    for (const auto &env : cfg.environments) {
        if (Models::MarathonStore *store = estate.marathonStore(env.name)) {
            marathonRollouts.push_back(
                std::make_unique<Models::MarathonRolloutTracker>(env.name, store));
            QObject::connect(marathonRollouts.back().get(),
                             &Models::MarathonRolloutTracker::progressChanged,
                             window.rolloutsPanel(),
                             &Views::RolloutsPanel::showProgress);
        }
    }
    if (!cl.environment.isEmpty()) {
        for (int i = 0; i < estate.stores().size(); ++i) {
            if (estate.stores().at(i)->environment().compare(cl.environment, Qt::CaseInsensitive)
                == 0)
                window.switchToEnvironment(i);
        }
    }
    window.show();
    estate.start();
    // For documentation and review: OPSDECK_SCREENSHOT=file.png saves the window after
    // OPSDECK_SCREENSHOT_DELAY_MS (default 4000) and quits.
    // OPSDECK_SCREENSHOT_TAB=marathon|mesos|kafka opens that tab first (audit, diff: below).
    const QString screenshot = qEnvironmentVariable("OPSDECK_SCREENSHOT");
    const QString screenshotTab = qEnvironmentVariable("OPSDECK_SCREENSHOT_TAB");
    if (screenshotTab == QLatin1String("marathon"))
        window.showTab(Views::MainWindow::MarathonTab);
    else if (screenshotTab == QLatin1String("mesos"))
        window.showTab(Views::MainWindow::MesosTab);
    else if (screenshotTab == QLatin1String("kafka"))
        window.showTab(Views::MainWindow::KafkaTab);
    // OPSDECK_SCREENSHOT_ROLLOUT=SERVICE:IMAGE starts that rollout in the first environment
    // (through the dialog, as a person would) and shows the Rollouts dock;
    // with OPSDECK_SCREENSHOT_TAB=rollout-dialog it only plans, and saves the dialog.
    const QString screenshotRollout = qEnvironmentVariable("OPSDECK_SCREENSHOT_ROLLOUT");
    const bool rolloutDialogShot = screenshotTab == QLatin1String("rollout-dialog");
    QPointer<Views::DockerRolloutDialog> rolloutDialog;
    if (!screenshotRollout.isEmpty()) {
        QTimer::singleShot(
            1500, &window, [&window, &rolloutDialog, screenshotRollout, rolloutDialogShot] {
                Views::DockerRolloutDialog *dialog = window.showRolloutDialog();
                rolloutDialog = dialog;
                if (!dialog)
                    return;
                dialog->setService(screenshotRollout.section(QLatin1Char(':'), 0, 0),
                                   screenshotRollout.section(QLatin1Char(':'), 1));
                dialog->plan();
                if (rolloutDialogShot)
                    return;
                auto *startWhenPlanned = new QTimer(dialog);
                QObject::connect(startWhenPlanned, &QTimer::timeout, dialog, [dialog] {
                    if (dialog->startButton()->isEnabled())
                        dialog->startButton()->click();
                });
                startWhenPlanned->start(200);
            });
    }
    // OPSDECK_SCREENSHOT_APP=/shop/orders selects that Marathon app once it is listed.
    const QString screenshotApp = qEnvironmentVariable("OPSDECK_SCREENSHOT_APP");
    if (!screenshotApp.isEmpty()) {
        auto *selectApp = new QTimer(&window);
        QObject::connect(selectApp, &QTimer::timeout, &window, [&window, selectApp, screenshotApp] {
            if (window.marathonView()->selectApp(screenshotApp))
                selectApp->stop();
        });
        selectApp->start(200);
    }
    // OPSDECK_SCREENSHOT_TAB=audit opens the audit viewer (all environments) and saves it.
    const bool auditShot = screenshotTab == QLatin1String("audit");
    QPointer<Views::AuditView> auditView;
    if (auditShot) {
        auditView = window.showAuditTrail();
        if (auditView)
            auditView->setEnvironment(QString());
    }
    // OPSDECK_SCREENSHOT_TAB=diff opens the config diff and saves that window instead.
    const bool diffShot = screenshotTab == QLatin1String("diff");
    if (diffShot) {
        window.showConfigDiff();
        // Config files are read once the sources have answered.
        QTimer::singleShot(2000, &window, [&window] {
            window.configDiffView()->setEnvironments(
                {QStringLiteral("Staging"), QStringLiteral("Production")});
            window.configDiffView()->refreshFilesButton()->click();
            window.configDiffView()->onlyDifferencesBox()->setChecked(true);
        });
        // Then select the first config file row as soon as there is one, so its line diff shows.
        auto *selectFile = new QTimer(&window);
        QObject::connect(selectFile, &QTimer::timeout, &window, [&window, selectFile] {
            // Until the line diff shows: a recompute while files arrive may clear the selection.
            if (!window.configDiffView()->lineDiffView()->toPlainText().isEmpty()) {
                selectFile->stop();
                return;
            }
            QTableView *table = window.configDiffView()->table();
            for (int row = 0; row < table->model()->rowCount(); ++row) {
                if (table->model()->index(row, 0).data().toString() == QLatin1String("file")) {
                    table->setFocus();
                    table->setCurrentIndex(table->model()->index(row, 2)); // the viewer follows it
                    table->selectRow(row);
                    table->scrollTo(table->model()->index(row, 0),
                                    QAbstractItemView::PositionAtCenter);
                    break;
                }
            }
        });
        selectFile->start(500);
    }
    if (!screenshot.isEmpty()) {
        bool ok = false;
        int delay = qEnvironmentVariableIntValue("OPSDECK_SCREENSHOT_DELAY_MS", &ok);
        QTimer::singleShot(ok ? delay : 4000,
                           &window,
                           [&window, &rolloutDialog, &auditView, screenshot, diffShot] {
                               if (rolloutDialog)
                                   rolloutDialog->grab().save(screenshot);
                               else if (auditView)
                                   auditView->grab().save(screenshot);
                               else if (diffShot)
                                   window.configDiffView()->grab().save(screenshot);
                               else
                                   window.grab().save(screenshot);
                               window.close();
                           });
    }
    return app.exec();
}
