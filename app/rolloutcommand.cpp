// SPDX-License-Identifier: MIT
#include "app/rolloutcommand.h"

#include "app/productionguard.h"
#include "app/rolloutcontroller.h"
#include "app/servesignals.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QEventLoop>
#include <QIODevice>
#include <QSocketNotifier>
#include <QTextStream>
#include <QTimer>

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <functional>
#include <memory>
#include <unistd.h>

namespace Opsdeck::App {

using namespace Opsdeck::Models;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::App::RolloutCommand", text);
}

void print(FILE *stream, const QString &text)
{
    std::fprintf(stream, "%s\n", qPrintable(text));
    std::fflush(stream);
}

bool stdinIsOpen()
{
    return ::fcntl(STDIN_FILENO, F_GETFD) != -1;
}

/// Standard input one line at a time, never reading past the line's end: what a person typed
/// after the production confirmation stays there for the canary's go-ahead.
class StdinLineDevice final : public QIODevice
{
public:
    StdinLineDevice() { open(QIODevice::ReadOnly | QIODevice::Unbuffered); }

    bool isSequential() const override { return true; }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        qint64 n = 0;
        while (n < maxSize) {
            const ssize_t r = ::read(STDIN_FILENO, data + n, 1);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            if (data[n++] == '\n')
                break;
        }
        return n;
    }

    qint64 writeData(const char *, qint64) override { return -1; }
};

/// Lines from standard input while the event loop runs (the rollout goes on while it waits).
class StdinLines
{
public:
    std::function<void(const QString &)> onLine;
    std::function<void()> onEnd;

    void start()
    {
        if (m_notifier)
            return;
        if (m_ended || !stdinIsOpen()) {
            end();
            return;
        }
        m_notifier = std::make_unique<QSocketNotifier>(STDIN_FILENO, QSocketNotifier::Read);
        QObject::connect(m_notifier.get(), &QSocketNotifier::activated, m_notifier.get(), [this] {
            readSome();
        });
    }

private:
    void readSome()
    {
        char buf[4096];
        const ssize_t r = ::read(STDIN_FILENO, buf, sizeof buf);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            return;
        if (r <= 0) {
            end();
            return;
        }
        m_buffer.append(buf, r);
        for (qsizetype nl; (nl = m_buffer.indexOf('\n')) >= 0;) {
            const QString line = QString::fromUtf8(m_buffer.left(nl)).trimmed();
            m_buffer.remove(0, nl + 1);
            if (onLine)
                onLine(line);
        }
    }

    void end()
    {
        m_ended = true;
        if (m_notifier)
            m_notifier->setEnabled(false);
        if (onEnd)
            onEnd();
    }

    std::unique_ptr<QSocketNotifier> m_notifier;
    QByteArray m_buffer;
    bool m_ended = false;
};

} // namespace

RolloutCommandOptions parseRolloutCommand(const QStringList &arguments)
{
    RolloutCommandOptions o;
    QStringList args = arguments;
    // --yes-i-mean-ENV has the environment in its name: take it out before the parser sees it.
    for (qsizetype i = args.size() - 1; i >= 0; --i) {
        static const QString prefix = QStringLiteral("--yes-i-mean-");
        if (args.at(i).startsWith(prefix)) {
            o.yesIMean = args.at(i).mid(prefix.size());
            args.removeAt(i);
        }
    }
    QCommandLineParser p;
    p.setApplicationDescription(
        tr("opsdeck rollout ENV SERVICE (--image IMAGE | --restart) [options]\n\n"
           "Rolls SERVICE (its containers on the environment's Docker hosts) to IMAGE, or "
           "restarts it, one batch at a time: each old container is renamed and stopped, a new "
           "one is created with the same configuration and started, and must become healthy "
           "before the next batch. When one fails, every changed instance is restored. Old "
           "containers are removed only when every instance is healthy. Ctrl-C aborts and "
           "restores."));
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  tr("Show this help."));
    const QCommandLineOption config(
        {QStringLiteral("c"), QStringLiteral("config")}, tr("Environments file."), tr("file"));
    const QCommandLineOption demo(QStringLiteral("demo"), tr("Run on the built-in demo estate."));
    const QCommandLineOption image(QStringLiteral("image"), tr("The new image."), tr("image"));
    const QCommandLineOption restart(QStringLiteral("restart"),
                                     tr("A rolling restart: same image."));
    const QCommandLineOption batch(QStringLiteral("batch"),
                                   tr("Instances replaced at once (default 1)."),
                                   tr("n"),
                                   QStringLiteral("1"));
    const QCommandLineOption minHealthy(
        QStringLiteral("min-healthy"),
        tr("Never fewer serving instances than this (default: serving now minus the batch size)."),
        tr("n"));
    const QCommandLineOption tag(
        QStringLiteral("tag"), tr("Only the Docker hosts with this tag."), tr("tag"));
    const QCommandLineOption canary(
        QStringLiteral("canary"),
        tr("Replace one instance first, then wait for --canary-soak, or, without it, for 'go' "
           "typed on standard input ('abort', or the end of input, restores the canary)."));
    const QCommandLineOption soak(QStringLiteral("canary-soak"),
                                  tr("How long the canary must stay healthy (90s, 5m)."),
                                  tr("duration"));
    const QCommandLineOption probe(QStringLiteral("probe"),
                                   tr("tcp://{host}:PORT or http://{host}:PORT/PATH; {label:NAME} "
                                      "stands for a container label."),
                                   tr("url"));
    const QCommandLineOption timeout(QStringLiteral("health-timeout"),
                                     tr("A new instance must be healthy this soon (default 120s)."),
                                     tr("duration"));
    const QCommandLineOption stable(
        QStringLiteral("stable"),
        tr("Without health check or probe: running this long counts as healthy (default 10s)."),
        tr("duration"));
    const QCommandLineOption dryRun(QStringLiteral("dry-run"),
                                    tr("Print the plan and change nothing."));
    const QCommandLineOption clear(QStringLiteral("clear-interrupted"),
                                   tr("Clear the record of an interrupted rollout of SERVICE "
                                      "(after checking its containers)."));
    const QCommandLineOption label(QStringLiteral("label"),
                                   tr("Select the containers whose label NAME equals SERVICE."),
                                   tr("name"));
    const QCommandLineOption pattern(
        QStringLiteral("name-pattern"),
        tr("Select the containers whose name matches this regular expression."),
        tr("regex"));
    p.addOptions({help,
                  config,
                  demo,
                  image,
                  restart,
                  batch,
                  minHealthy,
                  tag,
                  canary,
                  soak,
                  probe,
                  timeout,
                  stable,
                  dryRun,
                  clear,
                  label,
                  pattern});
    p.addPositionalArgument(QStringLiteral("ENV"), tr("The environment."));
    p.addPositionalArgument(QStringLiteral("SERVICE"), tr("The service."));
    o.helpText =
        p.helpText()
        + tr(
            "  --yes-i-mean-ENV              On a production environment: skip typing its name.\n");
    if (!p.parse(args)) {
        o.error = p.errorText();
        return o;
    }
    if (p.isSet(help)) {
        o.help = true;
        return o;
    }
    const QStringList pos = p.positionalArguments();
    // pos[0] is "rollout"
    if (pos.size() != 3) {
        o.error = tr("rollout needs ENV and SERVICE (opsdeck rollout --help)");
        return o;
    }
    o.environment = pos.at(1);
    o.service = pos.at(2);
    o.configPath = p.value(config);
    o.demo = p.isSet(demo);
    o.image = p.value(image).trimmed();
    o.restart = p.isSet(restart);
    o.dryRun = p.isSet(dryRun);
    o.clearInterrupted = p.isSet(clear);
    o.tag = p.value(tag);
    o.canary = p.isSet(canary) || p.isSet(soak);
    o.probe = p.value(probe);
    o.label = p.value(label);
    o.namePattern = p.value(pattern);
    if (!o.clearInterrupted && o.image.isEmpty() == !o.restart) {
        o.error = tr("give either --image IMAGE or --restart");
        return o;
    }
    auto number = [&](const QCommandLineOption &opt, int minimum, int *out) {
        if (!p.isSet(opt))
            return true;
        bool ok = false;
        const int v = p.value(opt).toInt(&ok);
        if (!ok || v < minimum) {
            o.error = tr("--%1: expected a whole number of at least %2, got '%3'")
                          .arg(opt.names().constFirst())
                          .arg(minimum)
                          .arg(p.value(opt));
            return false;
        }
        *out = v;
        return true;
    };
    if (!number(batch, 1, &o.batch) || !number(minHealthy, 0, &o.minHealthy))
        return o;
    auto duration = [&](const QCommandLineOption &opt, qint64 *out) {
        if (!p.isSet(opt))
            return true;
        const auto d = parseDuration(p.value(opt));
        if (!d.ok() || d.value() <= 0) {
            o.error =
                tr("--%1: %2")
                    .arg(opt.names().constFirst(), d.ok() ? tr("must be positive") : d.error());
            return false;
        }
        *out = d.value();
        return true;
    };
    if (!duration(soak, &o.canarySoakMs) || !duration(timeout, &o.healthTimeoutMs)
        || !duration(stable, &o.stableMs))
        return o;
    if (const auto pr = ProbeSpec::parse(o.probe); !pr.ok()) {
        o.error = pr.error();
        return o;
    }
    return o;
}

DockerRolloutRequest rolloutRequest(const RolloutCommandOptions &o, const OpsdeckConfig &config)
{
    DockerRolloutRequest r;
    r.environment = o.environment;
    if (const EnvironmentConfig *env = config.environment(o.environment))
        r.environment = env->name;
    r.selector = ServiceSelector::fromRule(o.service, config.configDiff.serviceRule);
    if (!o.label.isEmpty() || !o.namePattern.isEmpty()) {
        r.selector.label = o.label;
        r.selector.namePattern = o.namePattern;
    }
    r.image = o.restart ? QString() : o.image;
    r.batchSize = o.batch;
    r.minHealthy = o.minHealthy;
    r.hostTag = o.tag;
    r.canary = o.canary;
    r.canarySoakMs = o.canarySoakMs;
    r.healthTimeoutMs = o.healthTimeoutMs;
    r.stableMs = o.stableMs;
    r.probe = ProbeSpec::parse(o.probe).value();
    return r;
}

int runRolloutCommand(const RolloutCommandOptions &o, const OpsdeckConfig &config)
{
    const EnvironmentConfig *env = config.environment(o.environment);
    if (!env) {
        print(stderr, tr("opsdeck: rollout: no environment named '%1'").arg(o.environment));
        return 2;
    }
    bool thisServiceInterrupted = false;
    for (const RolloutLock::Interrupted &i : RolloutLock::interrupted()) {
        print(stderr, tr("opsdeck: warning: interrupted rollout: %1").arg(i.describe()));
        thisServiceInterrupted =
            thisServiceInterrupted || (i.environment == env->name && i.service == o.service);
    }
    if (o.clearInterrupted) {
        if (!RolloutLock::clearInterrupted(env->name, o.service)) {
            print(stderr,
                  tr("opsdeck: rollout: a rollout of %1 in %2 is running now")
                      .arg(o.service, env->name));
            return 3;
        }
        print(stdout,
              tr("cleared the interrupted rollout record of %1 in %2").arg(o.service, env->name));
        return 0;
    }

    // Refused before planning: what the interrupted rollout left is for a person to look at
    // first. A dry run changes nothing and may still show the plan.
    if (thisServiceInterrupted && !o.dryRun) {
        print(stderr,
              tr("opsdeck: rollout: an earlier rollout of %1 in %2 was interrupted; check its "
                 "containers, then clear it with --clear-interrupted: nothing was changed")
                  .arg(o.service, env->name));
        return 3;
    }

    Connectors::HttpClient http;
    RolloutController controller(config, &http);
    QEventLoop loop;
    int exitCode = 0;
    const QString token = QStringLiteral("cli");
    bool planOk = false;
    QObject::connect(&controller,
                     &RolloutController::planned,
                     &loop,
                     [&](const QString &, bool ok, const QString &text) {
                         planOk = ok;
                         print(ok ? stdout : stderr,
                               ok ? text : tr("opsdeck: rollout: %1").arg(text));
                         loop.quit();
                     });
    controller.planDocker(token, rolloutRequest(o, config));
    loop.exec();
    if (!planOk)
        return 1;
    if (o.dryRun) {
        print(stdout, tr("dry run: nothing was changed"));
        return 0;
    }
    {
        StdinLineDevice device;
        QTextStream in(&device);
        QTextStream out(stdout);
        QString why;
        const QString what = o.restart ? tr("rolling restart of %1").arg(o.service)
                                       : tr("rollout of %1 to %2").arg(o.service, o.image);
        if (!confirmProduction(*env, yesIMeanMatches(o.yesIMean, *env), in, out, &why, what)) {
            print(stderr, tr("opsdeck: rollout: %1: nothing was changed").arg(why));
            return 3;
        }
    }

    qsizetype printed = 0;
    QString rolloutId;
    // The canary's go-ahead, typed on standard input; the end of input is no go-ahead.
    StdinLines answers;
    bool waitingGoAhead = false;
    const QString goAheadPrompt =
        tr("Type 'go' to replace the other instances, or 'abort' to restore the canary: ");
    answers.onLine = [&](const QString &line) {
        if (!waitingGoAhead)
            return;
        if (line == QLatin1String("go")) {
            waitingGoAhead = false;
            controller.goAhead(rolloutId);
        } else if (line == QLatin1String("abort")) {
            waitingGoAhead = false;
            controller.abort(rolloutId);
        } else {
            std::fputs(
                qPrintable(tr("expected 'go' or 'abort', got '%1'. ").arg(line) + goAheadPrompt),
                stdout);
            std::fflush(stdout);
        }
    };
    answers.onEnd = [&] {
        if (!waitingGoAhead)
            return;
        waitingGoAhead = false;
        print(stdout, QString());
        print(stderr,
              tr("opsdeck: rollout: no go-ahead (end of input): aborting, restoring the canary"));
        // Possibly from inside a progress report: abort once that report is through.
        QTimer::singleShot(0, &controller, [&controller, id = rolloutId] { controller.abort(id); });
    };
    QObject::connect(
        &controller, &RolloutController::progressChanged, &loop, [&](const RolloutProgress &p) {
            rolloutId = p.id;
            for (; printed < p.log.size(); ++printed) {
                const RolloutLogLine &l = p.log.at(printed);
                print(
                    stdout,
                    QStringLiteral("%1  %2").arg(QDateTime::fromMSecsSinceEpoch(l.timeMs).toString(
                                                     QStringLiteral("HH:mm:ss")),
                                                 l.text));
            }
            const bool waiting = p.phase == RolloutPhase::WaitingGoAhead;
            if (waiting && !waitingGoAhead) {
                waitingGoAhead = true;
                std::fputs(qPrintable(goAheadPrompt), stdout);
                std::fflush(stdout);
                answers.start();
            } else if (!waiting) {
                waitingGoAhead = false;
            }
        });
    QObject::connect(
        &controller, &RolloutController::finished, &loop, [&](const RolloutProgress &p) {
            exitCode = p.phase == RolloutPhase::Succeeded ? 0 : 1;
            print(exitCode == 0 ? stdout : stderr, tr("%1: %2").arg(nameOf(p.phase), p.summary));
            for (const InstanceProgress &i : p.instances)
                print(
                    stdout,
                    tr("  %1 on %2: %3%4")
                        .arg(i.name,
                             i.host,
                             nameOf(i.step),
                             i.message.isEmpty() ? QString() : QStringLiteral(" — ") + i.message));
            loop.quit();
        });
    ServeSignalWatcher watcher;
    QObject::connect(&watcher, &ServeSignalWatcher::terminationRequested, &loop, [&](int) {
        print(stderr,
              tr("opsdeck: rollout: aborting: restoring every changed instance (again to leave at "
                 "once)"));
        if (rolloutId.isEmpty())
            loop.exit(1);
        else
            controller.abort(rolloutId);
    });
    QString why;
    if (!controller.startPlanned(token, &why)) {
        print(stderr, tr("opsdeck: rollout: %1").arg(why));
        return 3;
    }
    loop.exec();
    return exitCode;
}

} // namespace Opsdeck::App
