// SPDX-License-Identifier: MIT
#include "app/diffcommand.h"

#include "app/estate.h"
#include "app/estateconfig.h"
#include "models/configdiff.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QTimer>

#include <cstdio>
#include <memory>

namespace Opsdeck::App {

using namespace Opsdeck::Models;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::App::Diff", text);
}

int fail(const QString &message)
{
    std::fprintf(stderr, "opsdeck: %s\n", qPrintable(message));
    return 2;
}

/// Counts sources still connecting; quits the loop when none is left.
class Settler
{
public:
    explicit Settler(QEventLoop *loop)
        : m_loop(loop)
    {}

    /// A callable that settles one source once, recording @p what on failure.
    std::function<void(const QString &)> add(const QString &what)
    {
        ++m_pending;
        auto done = std::make_shared<bool>(false);
        return [this, done, what](const QString &error) {
            if (*done)
                return;
            *done = true;
            if (!error.isEmpty())
                m_errors << QStringLiteral("%1: %2").arg(what, error);
            if (--m_pending == 0)
                m_loop->quit();
        };
    }

    int pending() const { return m_pending; }

    QStringList errors() const { return m_errors; }

private:
    QEventLoop *m_loop;
    int m_pending = 0;
    QStringList m_errors;
};

} // namespace

int runDiff(const OpsdeckConfig &config, const DiffOptions &options)
{
    for (const QString &name : options.environments) {
        if (!config.environment(name)) {
            QStringList names;
            for (const EnvironmentConfig &e : config.environments)
                names << e.name;
            return fail(tr("no environment named '%1' (known: %2)")
                            .arg(name, names.join(QLatin1String(", "))));
        }
    }
    QSet<ConfigForm> forms;
    if (options.source != QLatin1String("all")) {
        const auto form = configFormFromString(options.source == QLatin1String("files")
                                                   ? QStringView(u"file")
                                                   : QStringView(options.source));
        if (!form)
            return fail(tr("--source: unknown form '%1'").arg(options.source));
        forms.insert(*form);
    }
    const bool wantsFiles = forms.isEmpty() || forms.contains(ConfigForm::File);
    const bool wantsKv = forms.isEmpty() || forms.contains(ConfigForm::Kv);
    const bool wantsContainers =
        forms.isEmpty() || !forms.contains(ConfigForm::Kv) || forms.size() > 1;

    Estate estate(config);
    QEventLoop loop;
    Settler settler(&loop);
    for (const QString &env : options.environments) {
        const QString name = config.environment(env)->name;
        if (wantsContainers || wantsFiles) {
            for (Connectors::DockerHostConnector *c : estate.connectors(name)) {
                const auto settle = settler.add(tr("%1: Docker host %2").arg(name, c->hostId()));
                QObject::connect(c,
                                 &Connectors::DockerHostConnector::resyncFinished,
                                 &loop,
                                 [settle](bool) { settle({}); });
                QObject::connect(c, &Connectors::DockerHostConnector::failed, &loop, settle);
            }
            if (auto *m = estate.marathonConnector(name)) {
                const auto settle = settler.add(tr("%1: Marathon").arg(name));
                QObject::connect(
                    m, &Connectors::MarathonConnector::synced, &loop, [settle] { settle({}); });
                QObject::connect(m, &Connectors::MarathonConnector::failed, &loop, settle);
            }
        }
        if (wantsKv) {
            if (auto *c = estate.consulConnector(name)) {
                const auto settle = settler.add(tr("%1: Consul").arg(name));
                QObject::connect(
                    c, &Connectors::ConsulConnector::kvSynced, &loop, [settle] { settle({}); });
                QObject::connect(c, &Connectors::ConsulConnector::failed, &loop, settle);
            }
            if (auto *c = estate.etcdConnector(name)) {
                const auto settle = settler.add(tr("%1: etcd").arg(name));
                QObject::connect(
                    c, &Connectors::EtcdConnector::synced, &loop, [settle] { settle({}); });
                QObject::connect(c, &Connectors::EtcdConnector::failed, &loop, settle);
            }
            if (auto *c = estate.zooKeeperConnector(name)) {
                const auto settle = settler.add(tr("%1: ZooKeeper").arg(name));
                QObject::connect(
                    c, &Connectors::ZooKeeperConnector::synced, &loop, [settle] { settle({}); });
                QObject::connect(c, &Connectors::ZooKeeperConnector::failed, &loop, settle);
            }
        }
    }
    estate.start();
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    deadline.start(options.timeoutMs);
    if (settler.pending() > 0)
        loop.exec();
    if (settler.pending() > 0)
        return fail(tr("timed out after %1 s waiting for the sources to answer")
                        .arg(options.timeoutMs / 1000));
    if (!settler.errors().isEmpty())
        return fail(tr("cannot compare, a source could not be read:\n  %1")
                        .arg(settler.errors().join(QLatin1String("\n  "))));
    for (EnvironmentStore *store : estate.stores())
        store->flush();
    for (MarathonStore *store : estate.marathonStores())
        store->flush();

    auto *provider = static_cast<EstateConfigProvider *>(estate.configProvider());
    if (wantsFiles) {
        QEventLoop files;
        int waiting = int(options.environments.size());
        QObject::connect(provider, &EstateConfigProvider::filesSettled, &files, [&] {
            if (--waiting == 0)
                files.quit();
        });
        QObject::connect(&deadline, &QTimer::timeout, &files, &QEventLoop::quit);
        for (const QString &env : options.environments)
            provider->refreshConfigFiles(config.environment(env)->name);
        files.exec();
        if (waiting > 0)
            return fail(tr("timed out reading the config files"));
    }

    QList<ConfigDiff::Side> sides;
    for (const QString &env : options.environments) {
        const QString name = config.environment(env)->name;
        sides << ConfigDiff::Side{name, provider->configItems(name)};
    }
    DiffFilter filter;
    filter.service = options.service;
    filter.forms = forms;
    filter.onlyDifferences = !options.all;
    const ConfigDiff diff = ConfigDiff::compute(sides, provider->diffRules(), filter);
    QByteArray out;
    if (options.format == QLatin1String("json"))
        out = diff.toJson().toJson(QJsonDocument::Indented);
    else if (options.format == QLatin1String("unified"))
        out = diff.toUnifiedDiff().toUtf8();
    else
        out = diff.toTextTable().toUtf8();
    std::fwrite(out.constData(), 1, size_t(out.size()), stdout);
    std::fflush(stdout);
    return diff.exitCode();
}

} // namespace Opsdeck::App
