// SPDX-License-Identifier: MIT
#pragma once

#include "models/alert.h"
#include "models/containerflagevaluator.h"
#include "models/kafka.h"
#include "models/result.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>
#include <variant>

namespace Opsdeck::Models {

/// TLS material for a Docker host: paths only, never the key itself.
struct TlsFiles
{
    QString caFile;
    QString certFile;
    QString keyFile;
    bool verify = true;

    bool enabled() const { return !caFile.isEmpty() || !certFile.isEmpty(); }

    bool operator==(const TlsFiles &) const = default;
};

struct DockerHostConfig
{
    QString name; ///< display name and id; defaults to the URL's host or socket path
    QString url;  ///< unix:///path, tcp://host:port
    TlsFiles tls;
    QStringList tags;

    bool operator==(const DockerHostConfig &) const = default;
};

/// A Marathon cluster: its masters (the connector follows the leader) and how to log in.
struct MarathonConfig
{
    QStringList urls; ///< http:// or https:// masters, without a trailing slash
    QString username; ///< HTTP Basic user; empty: no authentication
    QString
        passwordEnv; ///< the NAME of the environment variable holding the password, never the password
    qint64 timeoutMs = 10000; ///< per request

    bool operator==(const MarathonConfig &) const = default;
};

/// A Mesos cluster: its masters (the connector follows the leader).
struct MesosConfig
{
    QStringList urls;         ///< http:// or https:// masters, without a trailing slash
    qint64 timeoutMs = 10000; ///< per request

    bool operator==(const MesosConfig &) const = default;
};

/// A Consul agent: the KV subtree under `prefix`, services and health (issue 4).
struct ConsulConfig
{
    QString url;        ///< http(s)://host:port of an agent
    QString prefix;     ///< KV prefix of this environment's configuration, e.g. "config/shop/"
    QString tokenEnv;   ///< the NAME of the environment variable holding the ACL token
    QString datacenter; ///< empty: the agent's own
    qint64 timeoutMs = 10000; ///< per ordinary request
    qint64 waitMs = 300000;   ///< blocking-query wait (Consul's maximum is 10 min)
    bool allowEdit = false;   ///< KV puts/deletes from the diff viewer (guarded, audited)

    bool operator==(const ConsulConfig &) const = default;
};

/// etcd through its v3 JSON gateway: the keys under `prefix` (issue 4).
struct EtcdConfig
{
    QStringList urls;    ///< http(s)://host:port of members
    QString prefix;      ///< e.g. "/config/shop/"
    QString username;    ///< empty: no authentication
    QString passwordEnv; ///< the NAME of the environment variable holding the password
    qint64 timeoutMs = 10000;
    bool allowEdit = false;

    bool operator==(const EtcdConfig &) const = default;
};

/// ZooKeeper: the subtree under `path` (issue 4).
struct ZooKeeperConfig
{
    QString hosts;     ///< "127.0.0.1:2181,127.0.0.1:2182" (the C client's connect string)
    QString path;      ///< e.g. "/config/shop"
    QString digestEnv; ///< the NAME of the environment variable holding "user:password"
    qint64 sessionTimeoutMs = 10000;

    bool operator==(const ZooKeeperConfig &) const = default;
};

struct EnvironmentConfig
{
    QString name;
    QString colour; ///< #rrggbb
    bool production = false;
    bool readOnly = false;
    QList<DockerHostConfig> dockerHosts;
    std::optional<MarathonConfig> marathon; ///< the `marathon` section, when present
    std::optional<MesosConfig> mesos;       ///< the `mesos` section, when present
    std::optional<ConsulConfig> consul;
    std::optional<EtcdConfig> etcd;
    std::optional<ZooKeeperConfig> zookeeper;
    std::optional<KafkaConfig> kafka; ///< issue 5: consumer-group lag

    bool operator==(const EnvironmentConfig &) const = default;
};

/// How services are matched across environments (`settings.config_diff.service_rule`).
struct ServiceRule
{
    enum class Kind {
        Default,     ///< Marathon app id's last segment, else the label, else the container name
        Label,       ///< the value of the container (or app) label `label`
        NamePattern, ///< the group `service` of `namePattern` matched against the name
        KvSegment,   ///< only changes which KV key segment names the service
    };
    Kind kind = Kind::Default;
    QString label = QStringLiteral("com.example.service");
    QString namePattern;
    int kvSegment = 0; ///< 0: the first segment after the prefix

    bool operator==(const ServiceRule &) const = default;
};

/// A config file on a host, listed in `settings.config_diff.files`.
struct ConfigFileSource
{
    QString environment;
    QString host;
    QString path;
    QString service;

    bool operator==(const ConfigFileSource &) const = default;
};

/// `settings.config_diff`: how the config model reads image tags and names services, and which
/// differences are expected.
struct ConfigDiffSettings
{
    QString imagePattern; ///< empty: ImageTagPattern::defaultPattern()
    ServiceRule serviceRule;
    /// Each rewrite maps environment name → the token that stands for it inside values
    /// ({Integration: int, Staging: stg, Production: prod}).
    QList<QMap<QString, QString>> rewrites;
    QStringList ignore; ///< key globs whose differences are expected
    QList<ConfigFileSource> files;

    bool operator==(const ConfigDiffSettings &) const = default;
};

/// One of `settings.alerts.webhooks` (issue 6): where `opsdeck serve` sends each alert, once
/// when it starts (firing) and once when it ends (resolved).
struct WebhookConfig
{
    enum class Format {
        Json,  ///< {status, alert{…}, opsdeck{version}}
        Slack, ///< {text, attachments[…]} (Slack incoming webhooks, Mattermost, Rocket.Chat)
    };
    QString name;
    /// http(s) URL, query allowed. Slack-style URLs are secrets themselves: never logged.
    QString url;
    QString urlEnv; ///< or the NAME of the environment variable holding the URL
    Format format = Format::Json;
    Alert::Severity minSeverity = Alert::Severity::Warning;
    /// Least time between two firing messages of one alert key; a resolve inside it is held
    /// back, and dropped with the next firing when the alert comes back before it ends.
    qint64 cooldownMs = 10 * 60 * 1000;
    qint64 timeoutMs = 10000; ///< per attempt
    /// The NAME of an environment variable holding extra headers, one "Name: value" per line
    /// (an Authorization header, say): secrets stay out of this file.
    QString headersEnv;

    bool operator==(const WebhookConfig &) const = default;
};

/// `settings.alerts`.
struct AlertSettings
{
    /// How long an alert must stay away before it ends (AlertBoard); 0: the board's default.
    qint64 clearHoldMs = 0;
    QList<WebhookConfig> webhooks;

    bool operator==(const AlertSettings &) const = default;
};

/// `settings.serve`: defaults for `opsdeck serve`; its command line options win.
struct ServeSettings
{
    QString listen;     ///< "127.0.0.1:8765", "[::1]:8765"; empty: the built-in default
    QString tokensFile; ///< absolute (relative paths resolve against the file); empty: none
    QString anonymous;  ///< "read" or "refuse"; empty: the built-in default
    QStringList origins;
    QString tlsCertFile;
    QString tlsKeyFile;
    QString webRoot; ///< a directory; empty: the installed dashboard

    bool operator==(const ServeSettings &) const = default;
};

/// The whole environments file, validated.
struct OpsdeckConfig
{
    QString sourcePath; ///< file it came from; empty for the DOCKER_HOST fallback
    FlagSettings flags;
    ConfigDiffSettings configDiff;
    AlertSettings alerts;
    ServeSettings serve;
    QList<EnvironmentConfig> environments;

    const EnvironmentConfig *environment(const QString &name) const;
};

/// Where a config error is, and what is wrong: "file:line:column: key.path: message".
struct ConfigError
{
    QString file;
    int line = 0; ///< 1-based; 0 when the error is not tied to a position
    int column = 0;
    QString keyPath;
    QString message;

    QString toString() const;
};

/// Reads and validates an environments file. Nothing is returned unless all of it is valid.
class EnvironmentsConfigLoader
{
public:
    /// Parses @p yaml; @p fileName is used in messages and to resolve relative paths.
    static std::variant<OpsdeckConfig, ConfigError> parse(const QByteArray &yaml,
                                                          const QString &fileName);
    static std::variant<OpsdeckConfig, ConfigError> load(const QString &path);
    /// The one-host "local" environment used when no file exists: DOCKER_HOST, or the
    /// default socket when DOCKER_HOST is empty.
    static OpsdeckConfig fromDockerHost(const QString &dockerHost);
    /// ~/.config/opsdeck/environments.yaml, following XDG_CONFIG_HOME.
    static QString defaultPath();
};

/// Parses "90s", "5m", "1h", "250ms" (or a bare number of seconds) into milliseconds.
Result<qint64> parseDuration(const QString &text);

} // namespace Opsdeck::Models
