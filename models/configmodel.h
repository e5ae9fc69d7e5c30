// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentsconfig.h"
#include "models/imagetag.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace Opsdeck::Models {

class EnvironmentStore;
class KvStore;
class MarathonStore;
struct Container;
struct MarathonApp;

/// The four places configuration lives (issue 4).
enum class ConfigForm {
    Env,   ///< a container's (or Marathon app's) environment variable
    Image, ///< what the image reference says: version, environment, config hash, labels
    Kv,    ///< a key of Consul, etcd or ZooKeeper, relative to the environment's prefix
    File,  ///< a config file's content (container archive or host path)
};

QString nameOf(ConfigForm form); ///< "env", "image", "kv", "file"
/// "env", "image", "kv", "file" or "files"; nullopt for anything else.
std::optional<ConfigForm> configFormFromString(QStringView text);

/// One configuration value of one service in one environment, with where it came from.
struct ConfigItem
{
    QString environment;
    QString service;
    ConfigForm form = ConfigForm::Env;
    QString key;         ///< env var name, "version" / "env" / "confighash" / "label:KEY", KV key
                         ///< relative to the prefix, or the file's path
    QByteArray value;    ///< raw bytes; may be binary (KV) or multi-line (files)
    QString provenance;  ///< "consul:config/shop/orders/db_url", "container shop-orders.1 env",
                         ///< "marathon /shop/orders env", "image …:1.4.2-prod-3f9a1c2e", …
    qint64 version = -1; ///< KV version (ModifyIndex, mod_revision, stat.version); -1 elsewhere
    QDateTime modified;  ///< when known
    /// The instances of this service in this environment disagree on this key: there is one
    /// item per distinct value, each marked (a drift inside one environment).
    bool drift = false;

    bool operator==(const ConfigItem &) const = default;
};

/// A bind-mounted file of a container that the collector would like to read (through Docker's
/// archive API); its content comes back through ConfigCollector::addFile.
struct ConfigFileRequest
{
    QString environment;
    QString service;
    QString hostId;      ///< Docker host id, or the host NAME of a `files:` entry
    QString containerId; ///< empty for a host path from `settings.config_diff.files`
    QString path;        ///< path inside the container (mount destination), or the host path
    QString source;      ///< bind source on the host (empty for host paths)

    bool operator==(const ConfigFileRequest &) const = default;
};

/// Builds the ConfigItem list of one environment from its stores and the files handed to it.
/// Plain value builder: it reads the stores when add… is called and keeps no pointers.
class ConfigCollector
{
public:
    explicit ConfigCollector(const QString &environment,
                             const ConfigDiffSettings &settings = ConfigDiffSettings());

    QString environment() const { return m_environment; }

    /// Containers: env vars (Env), the parsed image tag and labels (Image), bind mounts (as
    /// fileRequests()). Containers that are Marathon tasks only contribute file requests: their
    /// app's definition (addMarathonStore) is the configuration, without per-task noise.
    void addEnvironmentStore(const EnvironmentStore &store);
    void addContainers(const QList<Container> &containers);
    /// Marathon apps: the app's env and its image.
    void addMarathonStore(const MarathonStore &store);
    void addMarathonApps(const QList<MarathonApp> &apps);
    /// KV entries: key relative to the prefix, service by the KV segment rule.
    void addKvStore(const KvStore &store);
    /// A file's content, read by whoever could (archive API, host path).
    void addFile(const QString &service,
                 const QString &path,
                 const QByteArray &content,
                 const QString &provenance);

    /// Bind mounts seen so far plus the `files:` entries of this environment.
    QList<ConfigFileRequest> fileRequests() const;

    /// Deduplicated (one item per service/form/key/value), sorted by service, form, key, value.
    QList<ConfigItem> items() const;

    /// The service a container belongs to, by the configured rule (default: Marathon app id's
    /// last segment, else the `com.example.service` label, else the name without a task suffix).
    QString serviceOf(const Container &container) const;
    /// The service of a Marathon app ("/shop/orders" → "orders") by the configured rule.
    QString serviceOfApp(const MarathonApp &app) const;
    /// The service of a KV key relative to its prefix (segment rule, default the first).
    QString serviceOfKey(const QString &relativeKey) const;

private:
    void add(ConfigItem item);
    void addImage(const QString &service, const QString &image, const QString &provenance);

    QString m_environment;
    ConfigDiffSettings m_settings;
    ImageTagPattern m_pattern;
    QList<ConfigItem> m_items;
    QList<ConfigFileRequest> m_fileRequests;
};

} // namespace Opsdeck::Models
