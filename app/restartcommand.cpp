// SPDX-License-Identifier: MIT
#include "app/restartcommand.h"

#include "app/auditlog.h"
#include "app/estate.h"
#include "app/productionguard.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QTextStream>
#include <QTimer>

#include <memory>

namespace Opsdeck::App {

using namespace Opsdeck::Models;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::App::RestartCommand", text);
}

/// Runs @p loop until every Docker host (and Marathon, when @p marathon) has answered once or
/// failed, or @p timeoutMs passed.
void waitForFirstListing(Estate &estate, const QString &environment, bool marathon, int timeoutMs)
{
    QEventLoop loop;
    auto pending = std::make_shared<int>(0);
    auto settleOnce = [&loop, pending] {
        auto done = std::make_shared<bool>(false);
        return [&loop, pending, done] {
            if (*done)
                return;
            *done = true;
            if (--*pending == 0)
                loop.quit();
        };
    };
    if (!marathon) {
        for (Connectors::DockerHostConnector *c : estate.connectors(environment)) {
            ++*pending;
            const auto settle = settleOnce();
            QObject::connect(c, &Connectors::DockerHostConnector::resyncFinished, &loop, settle);
            QObject::connect(c, &Connectors::DockerHostConnector::failed, &loop, settle);
        }
    } else if (Connectors::MarathonConnector *c = estate.marathonConnector(environment)) {
        ++*pending;
        const auto settle = settleOnce();
        QObject::connect(c, &Connectors::MarathonConnector::synced, &loop, settle);
        QObject::connect(c, &Connectors::MarathonConnector::failed, &loop, settle);
    }
    estate.start();
    if (*pending == 0)
        return;
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
}

/// The key ("hostId/containerId") of @p target in @p store; empty and why when none or several.
QString findContainer(const EnvironmentStore &store, const QString &target, QString *why)
{
    const qsizetype slash = target.indexOf(QLatin1Char('/'));
    const QString host = slash > 0 ? target.left(slash) : QString();
    const QString name = slash > 0 ? target.mid(slash + 1) : target;
    QStringList matches;
    QStringList keys;
    for (const Container &c : store.containers()) {
        if (c.name != name && c.id != name)
            continue;
        if (!host.isEmpty() && c.hostId != host)
            continue;
        matches << c.hostId + QLatin1Char('/') + c.name;
        keys << c.key();
    }
    if (keys.size() == 1)
        return keys.first();
    if (keys.isEmpty()) {
        QStringList unreachable;
        for (const HostStatus &h : store.hosts()) {
            if (h.state != SourceState::Connected)
                unreachable << h.id;
        }
        *why = tr("no container %1 in %2").arg(target, store.environment());
        if (!unreachable.isEmpty())
            *why += tr(" (not reachable: %1)").arg(unreachable.join(QStringLiteral(", ")));
        return QString();
    }
    matches.sort();
    *why = tr("%1 names %2 containers in %3 (%4): name one as HOST/NAME")
               .arg(target)
               .arg(matches.size())
               .arg(store.environment(), matches.join(QStringLiteral(", ")));
    return QString();
}

void auditRefusal(const EnvironmentConfig &env,
                  const QString &action,
                  const QString &target,
                  const QString &why)
{
    AuditRecord record;
    record.environment = env.name;
    record.action = action;
    record.target = target;
    record.parameters = QJsonObject{{QStringLiteral("via"), QStringLiteral("cli")}};
    record.outcome = QStringLiteral("refused");
    record.detail = why;
    AuditLog::append(record);
}

} // namespace

int runRestart(const OpsdeckConfig &config,
               const RestartOptions &options,
               QTextStream &in,
               QTextStream &out,
               QTextStream &err)
{
    auto fail = [&err](int code, const QString &message) {
        err << QStringLiteral("opsdeck: restart: ") << message << '\n';
        err.flush();
        return code;
    };
    const EnvironmentConfig *env = config.environment(options.environment);
    if (!env) {
        QStringList names;
        for (const EnvironmentConfig &e : config.environments)
            names << e.name;
        return fail(2,
                    tr("no environment named '%1' (known: %2)")
                        .arg(options.environment, names.join(QStringLiteral(", "))));
    }
    if (!options.yesIMean.isEmpty() && !yesIMeanMatches(options.yesIMean, *env))
        return fail(2,
                    tr("--yes-i-mean-%1 does not name the environment %2 (its exact name)")
                        .arg(options.yesIMean, env->name));
    const bool marathon = options.target.startsWith(QLatin1Char('/'));
    const QString action =
        marathon ? QStringLiteral("marathon.restart-app") : QStringLiteral("container.restart");
    if (marathon && !env->marathon)
        return fail(2, tr("%1 has no Marathon, so no app %2").arg(env->name, options.target));
    if (!marathon && env->dockerHosts.isEmpty())
        return fail(2, tr("%1 has no Docker hosts").arg(env->name));
    if (env->readOnly) {
        const QString why = tr("environment %1 is read-only: actions are disabled").arg(env->name);
        auditRefusal(*env, action, options.target, why);
        return fail(3, why);
    }

    Estate estate(config, env->name);
    waitForFirstListing(estate, env->name, marathon, options.connectTimeoutMs);

    QString key;
    QString shown = options.target;
    if (marathon) {
        MarathonStore *store = estate.marathonStore(env->name);
        if (store)
            store->flush();
        if (!store || store->marathonStatus().state != SourceState::Connected)
            return fail(
                1,
                tr("Marathon of %1 is not reachable: %2")
                    .arg(env->name, store ? store->marathonStatus().error : tr("not configured")));
        if (!store->app(options.target))
            return fail(2, tr("no Marathon app %1 in %2").arg(options.target, env->name));
    } else {
        EnvironmentStore *store = estate.store(env->name);
        store->flush();
        QString why;
        key = findContainer(*store, options.target, &why);
        if (key.isEmpty())
            return fail(2, why);
        const Container *c = store->container(key);
        shown = c->hostId + QLatin1Char('/') + c->name;
    }

    const QString what =
        marathon ? tr("restart Marathon app %1").arg(shown) : tr("restart container %1").arg(shown);
    QString why;
    const bool yes = yesIMeanMatches(options.yesIMean, *env);
    if (!confirmProduction(*env, yes, in, out, &why, what)) {
        auditRefusal(*env, action, shown, why);
        return fail(3, tr("%1: nothing was done").arg(why));
    }
    estate.setAuditContext(QJsonObject{{QStringLiteral("via"), QStringLiteral("cli")},
                                       {QStringLiteral("confirmation"),
                                        !env->production ? QStringLiteral("not production")
                                        : yes ? QStringLiteral("--yes-i-mean-") + env->name
                                              : QStringLiteral("typed")}});

    QEventLoop loop;
    bool answered = false;
    bool ok = false;
    QString message;
    QString deployment;
    QString auditError;
    QObject::connect(&estate, &Estate::auditTrailFailed, &loop, [&auditError](const QString &e) {
        auditError = e;
    });
    // Outlives the loop below: the answer is compared with it.
    MarathonActionRequest request;
    request.action = MarathonAction::RestartApp;
    request.environment = env->name;
    request.appId = options.target;
    if (marathon) {
        QObject::connect(
            estate.marathonOperations(),
            &MarathonOperations::marathonActionFinished,
            &loop,
            [&](const MarathonActionRequest &r, bool k, const QString &m, const QString &d) {
                if (r != request)
                    return;
                answered = true;
                ok = k;
                message = m;
                deployment = d;
                loop.quit();
            });
        estate.marathonOperations()->requestMarathonAction(request);
    } else {
        QObject::connect(
            &estate,
            &ContainerOperations::actionFinished,
            &loop,
            [&](const QString &e, const QString &k, ContainerAction a, bool o, const QString &m) {
                if (e != env->name || k != key || a != ContainerAction::Restart)
                    return;
                answered = true;
                ok = o;
                message = m;
                loop.quit();
            });
        estate.requestAction(env->name, key, ContainerAction::Restart);
    }
    if (!answered) {
        QTimer::singleShot(options.actionTimeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    if (!answered) {
        const QString timeout = tr("no answer within %1 s; the restart may still happen")
                                    .arg(options.actionTimeoutMs / 1000);
        AuditRecord record;
        record.environment = env->name;
        record.action = action;
        record.target = shown;
        record.parameters = QJsonObject{{QStringLiteral("via"), QStringLiteral("cli")}};
        record.outcome = QStringLiteral("timeout");
        record.detail = timeout;
        QString error;
        if (!AuditLog::append(record, &error))
            err << QStringLiteral("opsdeck: restart: ") << error << '\n';
        return fail(1, tr("%1 in %2: %3").arg(what, env->name, timeout));
    }
    if (!ok)
        return fail(1, tr("%1 in %2 FAILED: %3").arg(what, env->name, message));
    if (!auditError.isEmpty())
        return fail(1,
                    tr("%1 in %2 done, but the outcome is not in the audit trail: %3")
                        .arg(what, env->name, auditError));
    if (marathon)
        out << tr("Restarted Marathon app %1 in %2: deployment %3")
                   .arg(shown, env->name, deployment.isEmpty() ? tr("(none)") : deployment)
            << '\n';
    else
        out << tr("Restarted %1 in %2: %3").arg(shown, env->name, message) << '\n';
    out.flush();
    return 0;
}

} // namespace Opsdeck::App
