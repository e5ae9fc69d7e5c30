// SPDX-License-Identifier: MIT
#include "models/configmodel.h"

#include "models/container.h"
#include "models/environmentstore.h"
#include "models/kvstore.h"
#include "models/marathon.h"
#include "models/marathonstore.h"

#include <QHash>
#include <QRegularExpression>

#include <algorithm>
#include <tuple>

namespace Opsdeck::Models {

namespace {

// Marathon puts these on every task it starts (apis.md §2.3); the simulated one does too.
const QString kMarathonAppIdLabel = QStringLiteral("MARATHON_APP_ID");
const QString kMesosTaskIdLabel = QStringLiteral("MESOS_TASK_ID");

QString lastSegment(const QString &path)
{
    return path.section(QLatin1Char('/'), -1, -1, QString::SectionSkipEmpty);
}

/// "orders-2" → "orders", "orders.1.x3k9a0ffz2q7" (Swarm task) → "orders", "orders_1" → "orders".
QString withoutTaskSuffix(const QString &name)
{
    static const QRegularExpression suffix(QStringLiteral("(?:[-_.]\\d+)(?:\\.[0-9a-z]{6,})?$"));
    QString out = name;
    out.remove(suffix);
    return out.isEmpty() ? name : out;
}

ConfigItem makeItem(const QString &service,
                    ConfigForm form,
                    const QString &key,
                    const QByteArray &value,
                    const QString &provenance)
{
    ConfigItem item;
    item.service = service;
    item.form = form;
    item.key = key;
    item.value = value;
    item.provenance = provenance;
    return item;
}

bool itemLess(const ConfigItem &a, const ConfigItem &b)
{
    return std::tie(a.service, a.form, a.key, a.value)
           < std::tie(b.service, b.form, b.key, b.value);
}

} // namespace

QString nameOf(ConfigForm form)
{
    switch (form) {
    case ConfigForm::Env:
        return QStringLiteral("env");
    case ConfigForm::Image:
        return QStringLiteral("image");
    case ConfigForm::Kv:
        return QStringLiteral("kv");
    case ConfigForm::File:
        return QStringLiteral("file");
    }
    return QString();
}

std::optional<ConfigForm> configFormFromString(QStringView text)
{
    if (text == QLatin1String("env"))
        return ConfigForm::Env;
    if (text == QLatin1String("image"))
        return ConfigForm::Image;
    if (text == QLatin1String("kv"))
        return ConfigForm::Kv;
    if (text == QLatin1String("file") || text == QLatin1String("files"))
        return ConfigForm::File;
    return std::nullopt;
}

ConfigCollector::ConfigCollector(const QString &environment, const ConfigDiffSettings &settings)
    : m_environment(environment)
    , m_settings(settings)
{
    if (!settings.imagePattern.isEmpty()) {
        // The loader validated it; a pattern built in code that fails falls back to the default.
        Result<ImageTagPattern> pattern = ImageTagPattern::create(settings.imagePattern);
        if (pattern.ok())
            m_pattern = std::move(pattern).value();
    }
    for (const ConfigFileSource &f : settings.files) {
        if (f.environment.compare(environment, Qt::CaseInsensitive) != 0)
            continue;
        m_fileRequests << ConfigFileRequest{environment, f.service, f.host, QString(), f.path, {}};
    }
}

QString ConfigCollector::serviceOf(const Container &container) const
{
    const ServiceRule &rule = m_settings.serviceRule;
    if (rule.kind == ServiceRule::Kind::Label) {
        const QString value = container.labels.value(rule.label);
        if (!value.isEmpty())
            return value;
    } else if (rule.kind == ServiceRule::Kind::NamePattern) {
        const QRegularExpressionMatch m =
            QRegularExpression(rule.namePattern).match(container.name);
        if (m.hasMatch() && !m.captured(QStringLiteral("service")).isEmpty())
            return m.captured(QStringLiteral("service"));
    }
    const QString appId = container.labels.value(kMarathonAppIdLabel);
    if (!appId.isEmpty())
        return lastSegment(appId);
    const QString label = container.labels.value(ServiceRule().label);
    if (!label.isEmpty())
        return label;
    return withoutTaskSuffix(container.name);
}

QString ConfigCollector::serviceOfApp(const MarathonApp &app) const
{
    const ServiceRule &rule = m_settings.serviceRule;
    if (rule.kind == ServiceRule::Kind::Label) {
        const QString value = app.labels.value(rule.label);
        if (!value.isEmpty())
            return value;
    } else if (rule.kind == ServiceRule::Kind::NamePattern) {
        const QRegularExpressionMatch m = QRegularExpression(rule.namePattern).match(app.id);
        if (m.hasMatch() && !m.captured(QStringLiteral("service")).isEmpty())
            return m.captured(QStringLiteral("service"));
    }
    return lastSegment(app.id);
}

QString ConfigCollector::serviceOfKey(const QString &relativeKey) const
{
    const QStringList segments = relativeKey.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    const int n = m_settings.serviceRule.kvSegment;
    // A key directly under the prefix (or above the segment) belongs to no one service.
    if (n >= segments.size() - 1)
        return QString();
    return segments.at(n);
}

void ConfigCollector::add(ConfigItem item)
{
    item.environment = m_environment;
    m_items << std::move(item);
}

void ConfigCollector::addImage(const QString &service,
                               const QString &image,
                               const QString &provenance)
{
    const std::optional<ImageTag> tag = m_pattern.parse(image);
    if (!tag) {
        // Not a per-environment image: the reference itself is what there is to compare.
        add(makeItem(
            service, ConfigForm::Image, QStringLiteral("image"), image.toUtf8(), provenance));
        return;
    }
    const std::pair<const char *, QString> parts[] = {
        {"version", tag->version},
        {"env", tag->env},
        {"confighash", tag->confighash},
    };
    for (const auto &[key, value] : parts) {
        if (!value.isEmpty())
            add(makeItem(
                service, ConfigForm::Image, QLatin1String(key), value.toUtf8(), provenance));
    }
}

void ConfigCollector::addEnvironmentStore(const EnvironmentStore &store)
{
    addContainers(store.containers());
}

void ConfigCollector::addContainers(const QList<Container> &containers)
{
    for (const Container &c : containers) {
        const QString service = serviceOf(c);
        for (const Mount &m : c.mounts) {
            if (m.type != QLatin1String("bind"))
                continue;
            const bool known = std::any_of(
                m_fileRequests.cbegin(), m_fileRequests.cend(), [&](const ConfigFileRequest &r) {
                    return r.service == service && r.path == m.destination;
                });
            if (!known) {
                m_fileRequests << ConfigFileRequest{
                    m_environment, service, c.hostId, c.id, m.destination, m.source};
            }
        }
        // A Marathon task's configuration is its app's definition; its container adds only
        // per-task noise (task id, ports, host).
        if (c.labels.contains(kMarathonAppIdLabel) || c.labels.contains(kMesosTaskIdLabel))
            continue;
        const QString where = QStringLiteral("container %1 on %2").arg(c.name, c.hostId);
        for (const QString &entry : c.env) {
            const qsizetype eq = entry.indexOf(QLatin1Char('='));
            const QString name = eq < 0 ? entry : entry.left(eq);
            const QString value = eq < 0 ? QString() : entry.mid(eq + 1);
            add(makeItem(
                service, ConfigForm::Env, name, value.toUtf8(), where + QLatin1String(" env")));
        }
        addImage(service, c.image, QStringLiteral("image %1 (%2)").arg(c.image, where));
        for (auto it = c.labels.cbegin(); it != c.labels.cend(); ++it) {
            add(makeItem(service,
                         ConfigForm::Image,
                         QLatin1String("label:") + it.key(),
                         it.value().toUtf8(),
                         where + QLatin1String(" labels")));
        }
    }
}

void ConfigCollector::addMarathonStore(const MarathonStore &store)
{
    QList<MarathonApp> apps;
    for (const QString &id : store.appIds()) {
        if (const MarathonApp *app = store.app(id))
            apps << *app;
    }
    addMarathonApps(apps);
}

void ConfigCollector::addMarathonApps(const QList<MarathonApp> &apps)
{
    for (const MarathonApp &app : apps) {
        const QString service = serviceOfApp(app);
        const QString where = QStringLiteral("marathon %1").arg(app.id);
        for (auto it = app.env.cbegin(); it != app.env.cend(); ++it) {
            add(makeItem(service,
                         ConfigForm::Env,
                         it.key(),
                         it.value().toUtf8(),
                         where + QLatin1String(" env")));
        }
        if (!app.image.isEmpty())
            addImage(service, app.image, QStringLiteral("image %1 (%2)").arg(app.image, where));
        for (auto it = app.labels.cbegin(); it != app.labels.cend(); ++it) {
            add(makeItem(service,
                         ConfigForm::Image,
                         QLatin1String("label:") + it.key(),
                         it.value().toUtf8(),
                         where + QLatin1String(" labels")));
        }
    }
}

void ConfigCollector::addKvStore(const KvStore &store)
{
    const QString source = nameOf(store.kind()) + QLatin1Char(':');
    for (const KvEntry &e : store.entries()) {
        const QString relative = store.relativeKey(e.key);
        ConfigItem item =
            makeItem(serviceOfKey(relative), ConfigForm::Kv, relative, e.value, source + e.key);
        item.version = e.version;
        item.modified = e.modified;
        add(std::move(item));
    }
}

void ConfigCollector::addFile(const QString &service,
                              const QString &path,
                              const QByteArray &content,
                              const QString &provenance)
{
    add(makeItem(service, ConfigForm::File, path, content, provenance));
}

QList<ConfigFileRequest> ConfigCollector::fileRequests() const
{
    return m_fileRequests;
}

QList<ConfigItem> ConfigCollector::items() const
{
    QList<ConfigItem> sorted = m_items;
    std::stable_sort(sorted.begin(), sorted.end(), itemLess);
    QList<ConfigItem> out;
    out.reserve(sorted.size());
    // Many instances of one service give one item per distinct value (the first provenance).
    for (const ConfigItem &item : sorted) {
        if (!out.isEmpty()) {
            const ConfigItem &last = out.constLast();
            if (last.service == item.service && last.form == item.form && last.key == item.key
                && last.value == item.value)
                continue;
        }
        out << item;
    }
    for (qsizetype i = 0; i < out.size();) {
        qsizetype j = i + 1;
        while (j < out.size() && out.at(j).service == out.at(i).service
               && out.at(j).form == out.at(i).form && out.at(j).key == out.at(i).key)
            ++j;
        if (j - i > 1) {
            for (qsizetype k = i; k < j; ++k)
                out[k].drift = true;
        }
        i = j;
    }
    return out;
}

} // namespace Opsdeck::Models
