// SPDX-License-Identifier: MIT
#include "models/environmentsconfig.h"

#include "models/imagetag.h"

#include <yaml-cpp/yaml.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QUrl>

#include <cmath>
#include <initializer_list>

namespace Opsdeck::Models {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::Models::EnvironmentsConfig", text);
}

// Sections later versions fill in; named here so the message says "not yet", not "unknown".
const QStringList kReservedEnvironmentSections = {};

const QRegularExpression kColourPattern(QStringLiteral("^#[0-9a-fA-F]{6}$"));
const QRegularExpression kVariablePattern(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));

// Marathon and Mesos answer within seconds; 10 s per request leaves room for a loaded master
// without letting a hung one block the view for long.
constexpr qint64 kDefaultClusterTimeoutMs = 10000;
// Consul caps a blocking query's wait at 10 minutes and defaults to 5 (apis.md §4.3).
constexpr qint64 kMaxConsulWaitMs = 10 * 60 * 1000;
constexpr qint64 kDefaultConsulWaitMs = 5 * 60 * 1000;
// Kafka lag (issue 5): a refresh every 5 s and an hour of history make 720 points per group;
// Burrow's default window is 10 offsets.
constexpr qint64 kDefaultKafkaRefreshMs = 5000;
constexpr qint64 kDefaultKafkaRetentionMs = 3600 * 1000;
constexpr int kDefaultKafkaWindow = 10;
const QRegularExpression
    kHostPortPattern(QStringLiteral("^(\\[[0-9a-fA-F:.]+\\]|[^\\s:/,\\[\\]]+):(\\d{1,5})$"));
// The ZooKeeper C client's usual session timeout; the server clamps it to 2..20 ticks.
constexpr qint64 kDefaultZooKeeperSessionMs = 10000;

/// Thrown inside the walker only, caught in parse(): the first error ends the read.
struct Failure
{
    ConfigError error;
};

class Walker
{
public:
    explicit Walker(QString fileName)
        : m_fileName(std::move(fileName))
        , m_baseDir(QFileInfo(m_fileName).absolutePath())
    {}

    [[noreturn]] void
    fail(const YAML::Node &node, const QString &path, const QString &message) const
    {
        ConfigError e;
        e.file = m_fileName;
        if (node.IsDefined() && !node.Mark().is_null()) {
            e.line = node.Mark().line + 1;
            e.column = node.Mark().column + 1;
        }
        e.keyPath = path;
        e.message = message;
        throw Failure{e};
    }

    static QString str(const std::string &s) { return QString::fromStdString(s); }

    static QString join(const QString &path, const QString &key)
    {
        return path.isEmpty() ? key : path + QLatin1Char('.') + key;
    }

    static QString index(const QString &path, std::size_t i)
    {
        return path + QStringLiteral("[%1]").arg(i);
    }

    /// Checks that @p node is a map holding only @p allowed keys (and no key twice).
    void expectMap(const YAML::Node &node, const QString &path, const QStringList &allowed) const
    {
        if (!node.IsMap())
            fail(node, path, tr("expected a mapping of keys to values"));
        QSet<QString> seen;
        for (auto it = node.begin(); it != node.end(); ++it) {
            if (!it->first.IsScalar())
                fail(it->first, path, tr("keys must be plain words"));
            const QString key = str(it->first.Scalar());
            if (seen.contains(key))
                fail(it->first, join(path, key), tr("key appears twice"));
            seen.insert(key);
            if (allowed.contains(key))
                continue;
            if (kReservedEnvironmentSections.contains(key)
                && path.startsWith(QLatin1String("environments[")))
                fail(it->first,
                     join(path, key),
                     tr("the '%1' section is not supported by this version of Opsdeck yet")
                         .arg(key));
            fail(it->first,
                 join(path, key),
                 tr("unknown key '%1' (expected one of: %2)")
                     .arg(key, allowed.join(QLatin1String(", "))));
        }
    }

    QString scalar(const YAML::Node &node, const QString &path) const
    {
        if (!node.IsScalar())
            fail(node, path, tr("expected a single value"));
        return str(node.Scalar());
    }

    QString requiredString(const YAML::Node &map, const QString &path, const char *key) const
    {
        const YAML::Node node = map[key];
        if (!node.IsDefined() || node.IsNull())
            fail(map,
                 join(path, QLatin1String(key)),
                 tr("required key '%1' is missing").arg(QLatin1String(key)));
        const QString value = scalar(node, join(path, QLatin1String(key))).trimmed();
        if (value.isEmpty())
            fail(node, join(path, QLatin1String(key)), tr("must not be empty"));
        return value;
    }

    QString optionalString(const YAML::Node &map, const QString &path, const char *key) const
    {
        const YAML::Node node = map[key];
        if (!node.IsDefined() || node.IsNull())
            return QString();
        return scalar(node, join(path, QLatin1String(key))).trimmed();
    }

    bool
    optionalBool(const YAML::Node &map, const QString &path, const char *key, bool fallback) const
    {
        const YAML::Node node = map[key];
        if (!node.IsDefined() || node.IsNull())
            return fallback;
        const QString p = join(path, QLatin1String(key));
        const QString v = scalar(node, p);
        if (v == QLatin1String("true"))
            return true;
        if (v == QLatin1String("false"))
            return false;
        fail(node, p, tr("expected true or false, found '%1'").arg(v));
    }

    int optionalPositiveInt(const YAML::Node &map,
                            const QString &path,
                            const char *key,
                            int fallback) const
    {
        const YAML::Node node = map[key];
        if (!node.IsDefined() || node.IsNull())
            return fallback;
        const QString p = join(path, QLatin1String(key));
        bool ok = false;
        const int v = scalar(node, p).toInt(&ok);
        if (!ok || v <= 0)
            fail(node, p, tr("expected a whole number above 0, found '%1'").arg(scalar(node, p)));
        return v;
    }

    qint64 optionalDuration(const YAML::Node &map,
                            const QString &path,
                            const char *key,
                            qint64 fallback) const
    {
        const YAML::Node node = map[key];
        if (!node.IsDefined() || node.IsNull())
            return fallback;
        const QString p = join(path, QLatin1String(key));
        const Result<qint64> d = parseDuration(scalar(node, p));
        if (!d.ok())
            fail(node, p, d.error());
        if (d.value() <= 0)
            fail(node, p, tr("must be longer than zero"));
        return d.value();
    }

    /// A path that must name a readable file; relative paths are relative to the config file.
    QString readableFile(const YAML::Node &map, const QString &path, const char *key) const
    {
        const QString value = optionalString(map, path, key);
        if (value.isEmpty())
            return value;
        const QString resolved =
            QDir(m_baseDir).absoluteFilePath(QDir::fromNativeSeparators(value));
        QFile file(resolved);
        if (!file.open(QIODevice::ReadOnly))
            fail(map[key],
                 join(path, QLatin1String(key)),
                 tr("cannot read '%1': %2").arg(resolved, file.errorString()));
        return resolved;
    }

    FlagSettings settings(const YAML::Node &node, const QString &path) const
    {
        FlagSettings s;
        if (!node.IsDefined() || node.IsNull())
            return s;
        expectMap(node,
                  path,
                  {QStringLiteral("crash_loop"),
                   QStringLiteral("config_diff"),
                   QStringLiteral("alerts"),
                   QStringLiteral("serve")});
        const YAML::Node cl = node["crash_loop"];
        if (!cl.IsDefined() || cl.IsNull())
            return s;
        const QString clPath = join(path, QStringLiteral("crash_loop"));
        expectMap(cl,
                  clPath,
                  {QStringLiteral("restarts"),
                   QStringLiteral("window"),
                   QStringLiteral("clear_after"),
                   QStringLiteral("manual_grace")});
        s.crashRestarts = optionalPositiveInt(cl, clPath, "restarts", s.crashRestarts);
        s.crashWindowMs = optionalDuration(cl, clPath, "window", s.crashWindowMs);
        s.clearAfterMs = optionalDuration(cl, clPath, "clear_after", s.clearAfterMs);
        s.manualGraceMs = optionalDuration(cl, clPath, "manual_grace", s.manualGraceMs);
        return s;
    }

    /// `settings.alerts` (issue 6): the board's clear hold and the webhooks.
    AlertSettings alerts(const YAML::Node &node, const QString &path) const
    {
        AlertSettings a;
        if (!node.IsDefined() || node.IsNull())
            return a;
        expectMap(node, path, {QStringLiteral("clear_hold"), QStringLiteral("webhooks")});
        a.clearHoldMs = optionalDuration(node, path, "clear_hold", 0);
        const YAML::Node hooks = node["webhooks"];
        if (!hooks.IsDefined() || hooks.IsNull())
            return a;
        const QString p = join(path, QStringLiteral("webhooks"));
        if (!hooks.IsSequence())
            fail(hooks, p, tr("expected a list of webhooks"));
        QSet<QString> names;
        for (std::size_t i = 0; i < hooks.size(); ++i) {
            WebhookConfig w = webhook(hooks[i], index(p, i));
            if (names.contains(w.name))
                fail(hooks[i]["name"],
                     join(index(p, i), QStringLiteral("name")),
                     tr("webhook name '%1' is used twice").arg(w.name));
            names.insert(w.name);
            a.webhooks << w;
        }
        return a;
    }

    WebhookConfig webhook(const YAML::Node &node, const QString &path) const
    {
        refuseLiteralSecret(node, path, "headers", "headers_env");
        expectMap(node,
                  path,
                  {QStringLiteral("name"),
                   QStringLiteral("url"),
                   QStringLiteral("url_env"),
                   QStringLiteral("format"),
                   QStringLiteral("min_severity"),
                   QStringLiteral("cooldown"),
                   QStringLiteral("timeout"),
                   QStringLiteral("headers_env")});
        WebhookConfig w;
        w.name = requiredString(node, path, "name");
        static const QRegularExpression namePattern(QStringLiteral("^[A-Za-z0-9_.-]+$"));
        if (!namePattern.match(w.name).hasMatch())
            fail(node["name"],
                 join(path, QStringLiteral("name")),
                 tr("a webhook name is letters, digits, '.', '_' and '-', found '%1'").arg(w.name));
        const bool hasUrl = node["url"].IsDefined() && !node["url"].IsNull();
        w.urlEnv = variableName(node, path, "url_env");
        if (hasUrl == !w.urlEnv.isEmpty())
            fail(node,
                 join(path, QStringLiteral("url")),
                 tr("give either url or url_env (the name of a variable holding the URL)"));
        if (hasUrl) {
            const QString p = join(path, QStringLiteral("url"));
            w.url = scalar(node["url"], p).trimmed();
            const QUrl url(w.url, QUrl::StrictMode);
            if (!url.isValid()
                || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))
                || url.host().isEmpty())
                fail(node["url"], p, tr("expected an http:// or https:// URL with a host"));
            if (!url.userInfo().isEmpty())
                fail(node["url"],
                     p,
                     tr("no user or password in the URL: put an Authorization header in the "
                        "variable named by headers_env"));
        }
        const QString format = optionalString(node, path, "format");
        if (format.isEmpty() || format == QLatin1String("json"))
            w.format = WebhookConfig::Format::Json;
        else if (format == QLatin1String("slack"))
            w.format = WebhookConfig::Format::Slack;
        else
            fail(node["format"],
                 join(path, QStringLiteral("format")),
                 tr("expected json or slack, found '%1'").arg(format));
        const QString severity = optionalString(node, path, "min_severity");
        if (severity.isEmpty() || severity == QLatin1String("warning"))
            w.minSeverity = Alert::Severity::Warning;
        else if (severity == QLatin1String("critical"))
            w.minSeverity = Alert::Severity::Critical;
        else
            fail(node["min_severity"],
                 join(path, QStringLiteral("min_severity")),
                 tr("expected warning or critical, found '%1'").arg(severity));
        // A cooldown of 0 sends every start and end as it happens.
        const YAML::Node cooldown = node["cooldown"];
        if (cooldown.IsDefined() && !cooldown.IsNull()) {
            const QString p = join(path, QStringLiteral("cooldown"));
            const Result<qint64> d = parseDuration(scalar(cooldown, p));
            if (!d.ok())
                fail(cooldown, p, d.error());
            w.cooldownMs = d.value();
        }
        w.timeoutMs = optionalDuration(node, path, "timeout", w.timeoutMs);
        w.headersEnv = variableName(node, path, "headers_env");
        return w;
    }

    /// `settings.serve` (issue 6): defaults for `opsdeck serve`.
    ServeSettings serve(const YAML::Node &node, const QString &path) const
    {
        ServeSettings s;
        if (!node.IsDefined() || node.IsNull())
            return s;
        expectMap(node,
                  path,
                  {QStringLiteral("listen"),
                   QStringLiteral("tokens"),
                   QStringLiteral("anonymous"),
                   QStringLiteral("origins"),
                   QStringLiteral("tls_cert"),
                   QStringLiteral("tls_key"),
                   QStringLiteral("web_root")});
        s.listen = optionalString(node, path, "listen");
        if (!s.listen.isEmpty()) {
            const QRegularExpressionMatch m = kHostPortPattern.match(s.listen);
            const int port = m.hasMatch() ? m.captured(2).toInt() : 0;
            if (port < 1 || port > 65535)
                fail(node["listen"],
                     join(path, QStringLiteral("listen")),
                     tr("expected host:port, like 127.0.0.1:8765, found '%1'").arg(s.listen));
        }
        s.tokensFile = readableFile(node, path, "tokens");
        s.anonymous = optionalString(node, path, "anonymous");
        if (!s.anonymous.isEmpty() && s.anonymous != QLatin1String("read")
            && s.anonymous != QLatin1String("refuse"))
            fail(node["anonymous"],
                 join(path, QStringLiteral("anonymous")),
                 tr("expected read or refuse, found '%1'").arg(s.anonymous));
        const YAML::Node origins = node["origins"];
        if (origins.IsDefined() && !origins.IsNull()) {
            const QString p = join(path, QStringLiteral("origins"));
            if (!origins.IsSequence())
                fail(origins,
                     p,
                     tr("expected a list of origins, like [https://ops.example.internal]"));
            for (std::size_t i = 0; i < origins.size(); ++i) {
                const QString origin = scalar(origins[i], index(p, i)).trimmed();
                const QUrl url(origin, QUrl::StrictMode);
                if (!url.isValid() || url.host().isEmpty()
                    || (url.scheme() != QLatin1String("http")
                        && url.scheme() != QLatin1String("https"))
                    || (!url.path().isEmpty() && url.path() != QLatin1String("/")))
                    fail(origins[i],
                         index(p, i),
                         tr("an origin is scheme://host[:port], found '%1'").arg(origin));
                s.origins << origin;
            }
        }
        s.tlsCertFile = readableFile(node, path, "tls_cert");
        s.tlsKeyFile = readableFile(node, path, "tls_key");
        if (s.tlsCertFile.isEmpty() != s.tlsKeyFile.isEmpty())
            fail(node, path, tr("tls_cert and tls_key go together"));
        const QString webRoot = optionalString(node, path, "web_root");
        if (!webRoot.isEmpty()) {
            s.webRoot = QDir(m_baseDir).absoluteFilePath(QDir::fromNativeSeparators(webRoot));
            if (!QFileInfo(s.webRoot).isDir())
                fail(node["web_root"],
                     join(path, QStringLiteral("web_root")),
                     tr("'%1' is not a directory").arg(s.webRoot));
        }
        return s;
    }

    DockerHostConfig dockerHost(const YAML::Node &node, const QString &path) const
    {
        DockerHostConfig h;
        if (node.IsScalar()) {
            h.url = scalar(node, path).trimmed();
        } else {
            expectMap(node,
                      path,
                      {QStringLiteral("url"),
                       QStringLiteral("name"),
                       QStringLiteral("tls"),
                       QStringLiteral("tags")});
            h.url = requiredString(node, path, "url");
            h.name = optionalString(node, path, "name");
            const YAML::Node tags = node["tags"];
            if (tags.IsDefined() && !tags.IsNull()) {
                if (!tags.IsSequence())
                    fail(tags, join(path, QStringLiteral("tags")), tr("expected a list of tags"));
                for (std::size_t i = 0; i < tags.size(); ++i)
                    h.tags << scalar(tags[i], index(join(path, QStringLiteral("tags")), i));
            }
            const YAML::Node tls = node["tls"];
            if (tls.IsDefined() && !tls.IsNull()) {
                const QString tlsPath = join(path, QStringLiteral("tls"));
                expectMap(tls,
                          tlsPath,
                          {QStringLiteral("ca_file"),
                           QStringLiteral("cert_file"),
                           QStringLiteral("key_file"),
                           QStringLiteral("verify")});
                h.tls.caFile = readableFile(tls, tlsPath, "ca_file");
                h.tls.certFile = readableFile(tls, tlsPath, "cert_file");
                h.tls.keyFile = readableFile(tls, tlsPath, "key_file");
                h.tls.verify = optionalBool(tls, tlsPath, "verify", true);
                if (h.tls.certFile.isEmpty() != h.tls.keyFile.isEmpty())
                    fail(tls, tlsPath, tr("cert_file and key_file go together"));
            }
        }
        const QString urlPath = node.IsScalar() ? path : join(path, QStringLiteral("url"));
        const YAML::Node urlNode = node.IsScalar() ? node : node["url"];
        const QUrl url(h.url, QUrl::StrictMode);
        const QString scheme = url.scheme();
        if (scheme == QLatin1String("unix")) {
            if (url.path().isEmpty() || !url.host().isEmpty())
                fail(urlNode,
                     urlPath,
                     tr("a unix socket URL looks like unix:///var/run/docker.sock"));
            if (h.tls.enabled())
                fail(urlNode, urlPath, tr("TLS settings apply to tcp:// hosts only"));
        } else if (scheme == QLatin1String("tcp")) {
            if (url.host().isEmpty())
                fail(urlNode,
                     urlPath,
                     tr("a TCP URL needs a host, e.g. tcp://docker-1.example.internal:2376"));
            if (!url.path().isEmpty() && url.path() != QLatin1String("/"))
                fail(urlNode, urlPath, tr("a TCP URL has no path"));
        } else {
            fail(urlNode,
                 urlPath,
                 tr("'%1' is not a Docker host URL: use unix:///path or tcp://host:port")
                     .arg(h.url));
        }
        if (h.name.isEmpty())
            h.name = scheme == QLatin1String("unix") ? url.path() : url.authority();
        return h;
    }

    /// The `urls` of a marathon or mesos section: a non-empty list of http(s) URLs with a host.
    QStringList clusterUrls(
        const YAML::Node &section,
        const QString &path,
        const QString &example = QStringLiteral("http://marathon-1.example.internal:8080")) const
    {
        const QString urlsPath = join(path, QStringLiteral("urls"));
        const YAML::Node urls = section["urls"];
        if (!urls.IsDefined() || urls.IsNull())
            fail(section, urlsPath, tr("required key 'urls' is missing"));
        if (!urls.IsSequence() || urls.size() == 0)
            fail(urls, urlsPath, tr("expected a non-empty list of URLs, e.g. [%1]").arg(example));
        QStringList out;
        for (std::size_t i = 0; i < urls.size(); ++i) {
            const QString text = httpUrl(urls[i], index(urlsPath, i));
            if (out.contains(text))
                fail(urls[i], index(urlsPath, i), tr("'%1' is listed twice").arg(text));
            out << text;
        }
        return out;
    }

    /// One http(s) URL with a host, without credentials, query or trailing slash.
    QString httpUrl(const YAML::Node &node, const QString &p) const
    {
        QString text = scalar(node, p).trimmed();
        while (text.endsWith(QLatin1Char('/')))
            text.chop(1);
        const QUrl url(text, QUrl::StrictMode);
        const QString scheme = url.scheme();
        if (!url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
            fail(node, p, tr("'%1' is not an http:// or https:// URL").arg(text));
        if (url.host().isEmpty())
            fail(node, p, tr("'%1' has no host").arg(text));
        // Credentials in a URL end up in logs and on screen; there are keys for them.
        if (!url.userInfo().isEmpty())
            fail(node, p, tr("no user or password in the URL: use username and password_env"));
        if (url.hasQuery() || url.hasFragment())
            fail(node, p, tr("'%1' must not have a query or fragment").arg(text));
        return text;
    }

    /// Refuses a literal secret under @p key: only the name of an environment variable is kept.
    void refuseLiteralSecret(const YAML::Node &node,
                             const QString &path,
                             const char *key,
                             const char *envKey) const
    {
        if (node.IsMap() && node[key].IsDefined())
            fail(node[key],
                 join(path, QLatin1String(key)),
                 tr("secrets are not written in this file: put it in an environment variable "
                    "and name that variable in %1")
                     .arg(QLatin1String(envKey)));
    }

    /// The name of an environment variable (optional).
    QString variableName(const YAML::Node &map, const QString &path, const char *key) const
    {
        const QString name = optionalString(map, path, key);
        if (!name.isEmpty() && !kVariablePattern.match(name).hasMatch())
            fail(map[key],
                 join(path, QLatin1String(key)),
                 tr("expected the name of an environment variable, like OPSDECK_SECRET, "
                    "found '%1'")
                     .arg(name));
        return name;
    }

    ConsulConfig consul(const YAML::Node &node, const QString &path) const
    {
        refuseLiteralSecret(node, path, "token", "token_env");
        expectMap(node,
                  path,
                  {QStringLiteral("url"),
                   QStringLiteral("prefix"),
                   QStringLiteral("token_env"),
                   QStringLiteral("datacenter"),
                   QStringLiteral("timeout"),
                   QStringLiteral("wait"),
                   QStringLiteral("allow_edit")});
        ConsulConfig c;
        if (!node["url"].IsDefined() || node["url"].IsNull())
            fail(node, join(path, QStringLiteral("url")), tr("required key 'url' is missing"));
        c.url = httpUrl(node["url"], join(path, QStringLiteral("url")));
        c.prefix = optionalString(node, path, "prefix");
        if (c.prefix.startsWith(QLatin1Char('/')))
            fail(node["prefix"],
                 join(path, QStringLiteral("prefix")),
                 tr("Consul keys have no leading '/': write '%1'").arg(c.prefix.mid(1)));
        c.tokenEnv = variableName(node, path, "token_env");
        c.datacenter = optionalString(node, path, "datacenter");
        c.timeoutMs = optionalDuration(node, path, "timeout", kDefaultClusterTimeoutMs);
        c.waitMs = optionalDuration(node, path, "wait", kDefaultConsulWaitMs);
        if (c.waitMs > kMaxConsulWaitMs)
            fail(node["wait"],
                 join(path, QStringLiteral("wait")),
                 tr("Consul waits at most 10m in a blocking query"));
        c.allowEdit = optionalBool(node, path, "allow_edit", false);
        return c;
    }

    EtcdConfig etcd(const YAML::Node &node, const QString &path) const
    {
        refuseLiteralSecret(node, path, "password", "password_env");
        expectMap(node,
                  path,
                  {QStringLiteral("urls"),
                   QStringLiteral("prefix"),
                   QStringLiteral("username"),
                   QStringLiteral("password_env"),
                   QStringLiteral("timeout"),
                   QStringLiteral("allow_edit")});
        EtcdConfig e;
        e.urls = clusterUrls(node, path, QStringLiteral("http://etcd-1.example.internal:2379"));
        e.prefix = optionalString(node, path, "prefix");
        e.username = optionalString(node, path, "username");
        e.passwordEnv = variableName(node, path, "password_env");
        if (!e.passwordEnv.isEmpty() && e.username.isEmpty())
            fail(node["password_env"],
                 join(path, QStringLiteral("password_env")),
                 tr("a password needs a username"));
        e.timeoutMs = optionalDuration(node, path, "timeout", kDefaultClusterTimeoutMs);
        e.allowEdit = optionalBool(node, path, "allow_edit", false);
        return e;
    }

    ZooKeeperConfig zookeeper(const YAML::Node &node, const QString &path) const
    {
        refuseLiteralSecret(node, path, "digest", "digest_env");
        refuseLiteralSecret(node, path, "password", "digest_env");
        expectMap(node,
                  path,
                  {QStringLiteral("hosts"),
                   QStringLiteral("path"),
                   QStringLiteral("digest_env"),
                   QStringLiteral("session_timeout")});
        ZooKeeperConfig z;
        const QString hostsPath = join(path, QStringLiteral("hosts"));
        const YAML::Node hosts = node["hosts"];
        if (!hosts.IsDefined() || hosts.IsNull())
            fail(node, hostsPath, tr("required key 'hosts' is missing"));
        QStringList list;
        if (hosts.IsSequence()) {
            for (std::size_t i = 0; i < hosts.size(); ++i)
                list << scalar(hosts[i], index(hostsPath, i)).trimmed();
        } else {
            list = scalar(hosts, hostsPath).split(QLatin1Char(','), Qt::SkipEmptyParts);
        }
        static const QRegularExpression hostPort(QStringLiteral("^[^\\s:/,]+:\\d{1,5}$"));
        for (QString &h : list) {
            h = h.trimmed();
            if (!hostPort.match(h).hasMatch())
                fail(hosts,
                     hostsPath,
                     tr("expected host:port entries, e.g. zk-1.example.internal:2181, found '%1'")
                         .arg(h));
        }
        if (list.isEmpty())
            fail(hosts, hostsPath, tr("expected at least one host:port"));
        z.hosts = list.join(QLatin1Char(','));
        z.path = requiredString(node, path, "path");
        if (!z.path.startsWith(QLatin1Char('/')))
            fail(node["path"],
                 join(path, QStringLiteral("path")),
                 tr("a ZooKeeper path starts with '/', found '%1'").arg(z.path));
        if (z.path.size() > 1 && z.path.endsWith(QLatin1Char('/')))
            z.path.chop(1);
        z.digestEnv = variableName(node, path, "digest_env");
        z.sessionTimeoutMs =
            optionalDuration(node, path, "session_timeout", kDefaultZooKeeperSessionMs);
        return z;
    }

    /// A list of strings (or one string).
    QStringList stringList(const YAML::Node &node, const QString &path) const
    {
        QStringList out;
        if (node.IsScalar()) {
            out << scalar(node, path);
            return out;
        }
        if (!node.IsSequence())
            fail(node, path, tr("expected a list of strings"));
        for (std::size_t i = 0; i < node.size(); ++i)
            out << scalar(node[i], index(path, i));
        return out;
    }

    ConfigDiffSettings configDiff(const YAML::Node &node,
                                  const QString &path,
                                  const QList<EnvironmentConfig> &environments) const
    {
        ConfigDiffSettings c;
        if (!node.IsDefined() || node.IsNull())
            return c;
        expectMap(node,
                  path,
                  {QStringLiteral("image_pattern"),
                   QStringLiteral("service_rule"),
                   QStringLiteral("expected"),
                   QStringLiteral("files")});
        const auto knownEnvironment =
            [&](const YAML::Node &at, const QString &p, const QString &name) {
                for (const EnvironmentConfig &e : environments) {
                    if (e.name.compare(name, Qt::CaseInsensitive) == 0)
                        return e.name;
                }
                fail(at, p, tr("no environment is called '%1'").arg(name));
            };
        c.imagePattern = optionalString(node, path, "image_pattern");
        if (!c.imagePattern.isEmpty()) {
            const Result<ImageTagPattern> pattern = ImageTagPattern::create(c.imagePattern);
            if (!pattern.ok())
                fail(node["image_pattern"],
                     join(path, QStringLiteral("image_pattern")),
                     pattern.error());
        }
        const YAML::Node rule = node["service_rule"];
        if (rule.IsDefined() && !rule.IsNull()) {
            const QString rulePath = join(path, QStringLiteral("service_rule"));
            expectMap(rule,
                      rulePath,
                      {QStringLiteral("label"),
                       QStringLiteral("name_pattern"),
                       QStringLiteral("kv_segment")});
            if (rule.size() != 1)
                fail(rule, rulePath, tr("expected exactly one of label, name_pattern, kv_segment"));
            if (rule["label"].IsDefined()) {
                c.serviceRule.kind = ServiceRule::Kind::Label;
                c.serviceRule.label = requiredString(rule, rulePath, "label");
            } else if (rule["name_pattern"].IsDefined()) {
                c.serviceRule.kind = ServiceRule::Kind::NamePattern;
                c.serviceRule.namePattern = requiredString(rule, rulePath, "name_pattern");
                const QRegularExpression re(c.serviceRule.namePattern);
                const QString p = join(rulePath, QStringLiteral("name_pattern"));
                if (!re.isValid())
                    fail(rule["name_pattern"],
                         p,
                         tr("not a valid regular expression: %1").arg(re.errorString()));
                if (!re.namedCaptureGroups().contains(QStringLiteral("service")))
                    fail(rule["name_pattern"], p, tr("needs the named group (?<service>…)"));
            } else {
                c.serviceRule.kind = ServiceRule::Kind::KvSegment;
                const QString p = join(rulePath, QStringLiteral("kv_segment"));
                bool ok = false;
                const int v = scalar(rule["kv_segment"], p).toInt(&ok);
                if (!ok || v < 0)
                    fail(rule["kv_segment"],
                         p,
                         tr("expected a segment number from 0 (the first after the prefix), "
                            "found '%1'")
                             .arg(scalar(rule["kv_segment"], p)));
                c.serviceRule.kvSegment = v;
            }
        }
        const YAML::Node expected = node["expected"];
        if (expected.IsDefined() && !expected.IsNull()) {
            const QString expectedPath = join(path, QStringLiteral("expected"));
            if (!expected.IsSequence())
                fail(expected, expectedPath, tr("expected a list of rewrite: and ignore: rules"));
            for (std::size_t i = 0; i < expected.size(); ++i) {
                const QString p = index(expectedPath, i);
                const YAML::Node item = expected[i];
                expectMap(item, p, {QStringLiteral("rewrite"), QStringLiteral("ignore")});
                if (item.size() != 1)
                    fail(item, p, tr("expected exactly one of rewrite, ignore"));
                if (item["ignore"].IsDefined()) {
                    const QString ip = join(p, QStringLiteral("ignore"));
                    const QStringList globs = stringList(item["ignore"], ip);
                    for (const QString &glob : globs) {
                        if (glob.trimmed().isEmpty())
                            fail(item["ignore"], ip, tr("an empty pattern would match nothing"));
                    }
                    c.ignore << globs;
                    continue;
                }
                const YAML::Node rewrite = item["rewrite"];
                const QString rp = join(p, QStringLiteral("rewrite"));
                if (!rewrite.IsMap() || rewrite.size() < 2)
                    fail(rewrite,
                         rp,
                         tr("expected environment: token pairs for at least two environments, "
                            "e.g. {Staging: stg, Production: prod}"));
                QMap<QString, QString> tokens;
                for (auto it = rewrite.begin(); it != rewrite.end(); ++it) {
                    const QString name = scalar(it->first, rp);
                    const QString kp = join(rp, name);
                    const QString env = knownEnvironment(it->first, kp, name);
                    if (tokens.contains(env))
                        fail(it->first, kp, tr("key appears twice"));
                    const QString token = scalar(it->second, kp);
                    if (token.isEmpty())
                        fail(it->second, kp, tr("must not be empty"));
                    tokens.insert(env, token);
                }
                c.rewrites << tokens;
            }
        }
        const YAML::Node files = node["files"];
        if (files.IsDefined() && !files.IsNull()) {
            const QString filesPath = join(path, QStringLiteral("files"));
            if (!files.IsSequence())
                fail(files, filesPath, tr("expected a list of files"));
            for (std::size_t i = 0; i < files.size(); ++i) {
                const QString p = index(filesPath, i);
                expectMap(files[i],
                          p,
                          {QStringLiteral("environment"),
                           QStringLiteral("host"),
                           QStringLiteral("path"),
                           QStringLiteral("service")});
                ConfigFileSource f;
                f.environment = knownEnvironment(files[i]["environment"],
                                                 join(p, QStringLiteral("environment")),
                                                 requiredString(files[i], p, "environment"));
                f.host = requiredString(files[i], p, "host");
                f.path = requiredString(files[i], p, "path");
                if (!f.path.startsWith(QLatin1Char('/')))
                    fail(files[i]["path"],
                         join(p, QStringLiteral("path")),
                         tr("expected an absolute path on the host, found '%1'").arg(f.path));
                f.service = requiredString(files[i], p, "service");
                c.files << f;
            }
        }
        return c;
    }

    MarathonConfig marathon(const YAML::Node &node, const QString &path) const
    {
        if (node.IsMap() && node["password"].IsDefined())
            fail(node["password"],
                 join(path, QStringLiteral("password")),
                 tr("passwords are not written in this file: put it in an environment variable "
                    "and name that variable in password_env"));
        expectMap(node,
                  path,
                  {QStringLiteral("urls"),
                   QStringLiteral("username"),
                   QStringLiteral("password_env"),
                   QStringLiteral("timeout")});
        MarathonConfig m;
        m.urls = clusterUrls(node, path);
        m.username = optionalString(node, path, "username");
        m.passwordEnv = optionalString(node, path, "password_env");
        if (!m.passwordEnv.isEmpty() && !kVariablePattern.match(m.passwordEnv).hasMatch())
            fail(node["password_env"],
                 join(path, QStringLiteral("password_env")),
                 tr("expected the name of an environment variable, like MARATHON_PASSWORD, "
                    "found '%1'")
                     .arg(m.passwordEnv));
        if (!m.passwordEnv.isEmpty() && m.username.isEmpty())
            fail(node["password_env"],
                 join(path, QStringLiteral("password_env")),
                 tr("a password needs a username"));
        m.timeoutMs = optionalDuration(node, path, "timeout", kDefaultClusterTimeoutMs);
        return m;
    }

    MesosConfig mesos(const YAML::Node &node, const QString &path) const
    {
        expectMap(node, path, {QStringLiteral("urls"), QStringLiteral("timeout")});
        MesosConfig m;
        m.urls = clusterUrls(node, path);
        m.timeoutMs = optionalDuration(node, path, "timeout", kDefaultClusterTimeoutMs);
        return m;
    }

    /// A librdkafka property whose value is a secret: sasl.password, ssl.key.password,
    /// *.password, *secret* (sasl.oauthbearer.client.secret …).
    static bool isSecretProperty(const QString &key)
    {
        const QString k = key.toLower();
        return k == QLatin1String("password") || k.endsWith(QLatin1String(".password"))
               || k.contains(QLatin1String("secret"));
    }

    /// "host:port,host:port" from a string or a list.
    QString bootstrapServers(const YAML::Node &cluster, const QString &path) const
    {
        const QString p = join(path, QStringLiteral("bootstrap_servers"));
        const YAML::Node node = cluster["bootstrap_servers"];
        if (!node.IsDefined() || node.IsNull())
            fail(cluster, p, tr("required key 'bootstrap_servers' is missing"));
        QList<std::pair<QString, YAML::Node>> items;
        if (node.IsSequence()) {
            for (std::size_t i = 0; i < node.size(); ++i)
                items.append({scalar(node[i], index(p, i)).trimmed(), node[i]});
        } else {
            const QStringList parts = scalar(node, p).split(QLatin1Char(','));
            for (const QString &part : parts)
                items.append({part.trimmed(), node});
        }
        QStringList servers;
        for (const auto &[text, at] : items) {
            const QRegularExpressionMatch m = kHostPortPattern.match(text);
            const int port = m.hasMatch() ? m.captured(2).toInt() : 0;
            if (port < 1 || port > 65535)
                fail(at,
                     p,
                     tr("expected host:port, e.g. kafka-1.example.internal:9092, found '%1'")
                         .arg(text));
            if (servers.contains(text))
                fail(at, p, tr("'%1' is listed twice").arg(text));
            servers << text;
        }
        if (servers.isEmpty())
            fail(node, p, tr("expected at least one host:port"));
        return servers.join(QLatin1Char(','));
    }

    /// A count threshold (messages): a number ≥ 0.
    std::optional<double>
    thresholdCount(const YAML::Node &map, const QString &path, const char *key) const
    {
        const YAML::Node node = map[key];
        if (!node.IsDefined() || node.IsNull())
            return std::nullopt;
        const QString p = join(path, QLatin1String(key));
        const QString text = scalar(node, p).trimmed();
        bool ok = false;
        const double v = text.toDouble(&ok);
        if (!ok || !std::isfinite(v))
            fail(node, p, tr("expected a number of messages, found '%1'").arg(text));
        if (v < 0)
            fail(node, p, tr("must not be negative"));
        return v;
    }

    /// A duration threshold, in seconds: 90s, 5m … ≥ 0.
    std::optional<double>
    thresholdSeconds(const YAML::Node &map, const QString &path, const char *key) const
    {
        const YAML::Node node = map[key];
        if (!node.IsDefined() || node.IsNull())
            return std::nullopt;
        const QString p = join(path, QLatin1String(key));
        const QString text = scalar(node, p).trimmed();
        if (text.startsWith(QLatin1Char('-')))
            fail(node, p, tr("must not be negative"));
        const Result<qint64> d = parseDuration(text);
        if (!d.ok())
            fail(node, p, d.error());
        return double(d.value()) / 1000.0;
    }

    KafkaThreshold
    kafkaThreshold(const YAML::Node &map, const QString &path, const char *key, bool duration) const
    {
        KafkaThreshold t;
        const YAML::Node node = map[key];
        if (!node.IsDefined() || node.IsNull())
            return t;
        const QString p = join(path, QLatin1String(key));
        expectMap(node, p, {QStringLiteral("warning"), QStringLiteral("critical")});
        t.warning =
            duration ? thresholdSeconds(node, p, "warning") : thresholdCount(node, p, "warning");
        t.critical =
            duration ? thresholdSeconds(node, p, "critical") : thresholdCount(node, p, "critical");
        if (t.warning && t.critical && *t.critical < *t.warning)
            fail(node["critical"],
                 join(p, QStringLiteral("critical")),
                 tr("critical (%1) is below warning (%2)")
                     .arg(scalar(node["critical"], p).trimmed(),
                          scalar(node["warning"], p).trimmed()));
        return t;
    }

    KafkaThresholds kafkaThresholds(const YAML::Node &node, const QString &path) const
    {
        KafkaThresholds t;
        if (!node.IsDefined() || node.IsNull())
            return t;
        expectMap(node,
                  path,
                  {QStringLiteral("lag"),
                   QStringLiteral("time_lag"),
                   QStringLiteral("catch_up"),
                   QStringLiteral("hysteresis")});
        t.lag = kafkaThreshold(node, path, "lag", false);
        t.timeLagS = kafkaThreshold(node, path, "time_lag", true);
        t.catchUpS = kafkaThreshold(node, path, "catch_up", true);
        const YAML::Node h = node["hysteresis"];
        if (h.IsDefined() && !h.IsNull()) {
            const QString p = join(path, QStringLiteral("hysteresis"));
            const QString text = scalar(h, p).trimmed();
            bool ok = false;
            const double v = text.toDouble(&ok);
            // 1 or more would never clear; 0 clears as soon as the value is below the line.
            if (!ok || !(v >= 0 && v < 1))
                fail(h,
                     p,
                     tr("expected a share from 0 up to (not including) 1, e.g. 0.1, found '%1'")
                         .arg(text));
            t.hysteresis = v;
        }
        return t;
    }

    KafkaGroupConfig kafkaGroup(const YAML::Node &node, const QString &path) const
    {
        KafkaGroupConfig g;
        if (node.IsScalar()) {
            g.name = scalar(node, path).trimmed();
            if (g.name.isEmpty())
                fail(node, path, tr("must not be empty"));
            return g;
        }
        expectMap(node,
                  path,
                  {QStringLiteral("name"), QStringLiteral("topics"), QStringLiteral("thresholds")});
        g.name = requiredString(node, path, "name");
        const YAML::Node topics = node["topics"];
        if (topics.IsDefined() && !topics.IsNull()) {
            const QString p = join(path, QStringLiteral("topics"));
            if (!topics.IsSequence())
                fail(topics, p, tr("expected a list of topics"));
            for (std::size_t i = 0; i < topics.size(); ++i) {
                const QString topic = scalar(topics[i], index(p, i)).trimmed();
                if (topic.isEmpty())
                    fail(topics[i], index(p, i), tr("must not be empty"));
                if (g.topics.contains(topic))
                    fail(topics[i], index(p, i), tr("topic '%1' is listed twice").arg(topic));
                g.topics << topic;
            }
        }
        g.thresholds =
            kafkaThresholds(node["thresholds"], join(path, QStringLiteral("thresholds")));
        return g;
    }

    KafkaClusterConfig kafkaCluster(const YAML::Node &node, const QString &path) const
    {
        expectMap(node,
                  path,
                  {QStringLiteral("name"),
                   QStringLiteral("bootstrap_servers"),
                   QStringLiteral("properties"),
                   QStringLiteral("secret_properties"),
                   QStringLiteral("discover_groups"),
                   QStringLiteral("groups")});
        KafkaClusterConfig c;
        c.name = requiredString(node, path, "name");
        // Group keys are "cluster/group": the first '/' ends the cluster's name.
        if (c.name.contains(QLatin1Char('/')))
            fail(node["name"], join(path, QStringLiteral("name")), tr("a cluster name has no '/'"));
        c.bootstrapServers = bootstrapServers(node, path);

        const YAML::Node props = node["properties"];
        if (props.IsDefined() && !props.IsNull()) {
            const QString p = join(path, QStringLiteral("properties"));
            if (!props.IsMap())
                fail(props, p, tr("expected a mapping of librdkafka properties to values"));
            for (auto it = props.begin(); it != props.end(); ++it) {
                const QString key = scalar(it->first, p);
                const QString keyPath = join(p, key);
                if (c.properties.contains(key))
                    fail(it->first, keyPath, tr("key appears twice"));
                if (isSecretProperty(key))
                    fail(it->first,
                         keyPath,
                         tr("'%1' is a secret: put it in an environment variable and name that "
                            "variable under secret_properties (%1: KAFKA_PASSWORD)")
                             .arg(key));
                if (key == QLatin1String("bootstrap.servers") || key == QLatin1String("group.id"))
                    fail(it->first,
                         keyPath,
                         tr("'%1' is set by Opsdeck (use bootstrap_servers and groups)").arg(key));
                c.properties.insert(key, scalar(it->second, keyPath).trimmed());
            }
        }
        const YAML::Node secrets = node["secret_properties"];
        if (secrets.IsDefined() && !secrets.IsNull()) {
            const QString p = join(path, QStringLiteral("secret_properties"));
            if (!secrets.IsMap())
                fail(secrets,
                     p,
                     tr("expected a mapping of librdkafka properties to names of environment "
                        "variables"));
            for (auto it = secrets.begin(); it != secrets.end(); ++it) {
                const QString key = scalar(it->first, p);
                const QString keyPath = join(p, key);
                if (c.secretProperties.contains(key))
                    fail(it->first, keyPath, tr("key appears twice"));
                if (c.properties.contains(key))
                    fail(it->first, keyPath, tr("'%1' is also set under properties").arg(key));
                const QString name = scalar(it->second, keyPath).trimmed();
                if (!kVariablePattern.match(name).hasMatch())
                    fail(it->second,
                         keyPath,
                         tr("expected the name of an environment variable, like KAFKA_PASSWORD, "
                            "found '%1'")
                             .arg(name));
                c.secretProperties.insert(key, name);
            }
        }
        c.discoverGroups = optionalBool(node, path, "discover_groups", true);
        const YAML::Node groups = node["groups"];
        if (groups.IsDefined() && !groups.IsNull()) {
            const QString p = join(path, QStringLiteral("groups"));
            if (!groups.IsSequence())
                fail(groups, p, tr("expected a list of consumer groups"));
            QSet<QString> names;
            for (std::size_t i = 0; i < groups.size(); ++i) {
                KafkaGroupConfig g = kafkaGroup(groups[i], index(p, i));
                if (names.contains(g.name))
                    fail(groups[i],
                         index(p, i),
                         tr("group '%1' is listed twice in this cluster").arg(g.name));
                names.insert(g.name);
                c.groups << g;
            }
        }
        if (c.groups.isEmpty() && !c.discoverGroups)
            fail(node, path, tr("nothing to watch: list groups, or leave discover_groups on"));
        return c;
    }

    KafkaConfig kafka(const YAML::Node &node, const QString &path) const
    {
        expectMap(node,
                  path,
                  {QStringLiteral("clusters"),
                   QStringLiteral("refresh"),
                   QStringLiteral("retention"),
                   QStringLiteral("window"),
                   QStringLiteral("timeout")});
        KafkaConfig k;
        k.refreshMs = optionalDuration(node, path, "refresh", kDefaultKafkaRefreshMs);
        k.retentionMs = optionalDuration(node, path, "retention", kDefaultKafkaRetentionMs);
        if (k.retentionMs < k.refreshMs)
            fail(node["retention"],
                 join(path, QStringLiteral("retention")),
                 tr("shorter than the refresh interval: no history would be kept"));
        k.windowSamples = optionalPositiveInt(node, path, "window", kDefaultKafkaWindow);
        if (k.windowSamples < 2)
            fail(node["window"],
                 join(path, QStringLiteral("window")),
                 tr("the status window needs at least 2 samples"));
        k.timeoutMs = optionalDuration(node, path, "timeout", kDefaultClusterTimeoutMs);
        const QString p = join(path, QStringLiteral("clusters"));
        const YAML::Node clusters = node["clusters"];
        if (!clusters.IsDefined() || clusters.IsNull())
            fail(node, p, tr("required key 'clusters' is missing"));
        if (!clusters.IsSequence() || clusters.size() == 0)
            fail(clusters, p, tr("expected a non-empty list of clusters"));
        QSet<QString> names;
        for (std::size_t i = 0; i < clusters.size(); ++i) {
            KafkaClusterConfig c = kafkaCluster(clusters[i], index(p, i));
            if (names.contains(c.name))
                fail(clusters[i]["name"],
                     join(index(p, i), QStringLiteral("name")),
                     tr("cluster name '%1' is used twice in this environment").arg(c.name));
            names.insert(c.name);
            k.clusters << c;
        }
        return k;
    }

    EnvironmentConfig environment(const YAML::Node &node, const QString &path) const
    {
        expectMap(node,
                  path,
                  {QStringLiteral("name"),
                   QStringLiteral("colour"),
                   QStringLiteral("color"),
                   QStringLiteral("production"),
                   QStringLiteral("read_only"),
                   QStringLiteral("docker"),
                   QStringLiteral("marathon"),
                   QStringLiteral("mesos"),
                   QStringLiteral("consul"),
                   QStringLiteral("etcd"),
                   QStringLiteral("zookeeper"),
                   QStringLiteral("kafka")});
        EnvironmentConfig env;
        env.name = requiredString(node, path, "name");
        env.production = optionalBool(node, path, "production", false);
        env.readOnly = optionalBool(node, path, "read_only", false);
        const char *colourKey = node["colour"].IsDefined() ? "colour" : "color";
        env.colour = optionalString(node, path, colourKey);
        if (env.colour.isEmpty())
            env.colour = env.production ? QStringLiteral("#c62828") : QStringLiteral("#1565c0");
        else if (!kColourPattern.match(env.colour).hasMatch())
            fail(node[colourKey],
                 join(path, QLatin1String(colourKey)),
                 tr("expected a colour like \"#c62828\", found '%1'").arg(env.colour));

        const YAML::Node docker = node["docker"];
        if (docker.IsDefined() && !docker.IsNull()) {
            const QString dockerPath = join(path, QStringLiteral("docker"));
            expectMap(docker, dockerPath, {QStringLiteral("hosts")});
            const YAML::Node hosts = docker["hosts"];
            const QString hostsPath = join(dockerPath, QStringLiteral("hosts"));
            if (!hosts.IsDefined() || hosts.IsNull())
                fail(docker, hostsPath, tr("required key 'hosts' is missing"));
            if (!hosts.IsSequence())
                fail(hosts, hostsPath, tr("expected a list of hosts"));
            QSet<QString> names;
            for (std::size_t i = 0; i < hosts.size(); ++i) {
                DockerHostConfig h = dockerHost(hosts[i], index(hostsPath, i));
                if (names.contains(h.name))
                    fail(hosts[i],
                         index(hostsPath, i),
                         tr("host name '%1' is used twice in this environment").arg(h.name));
                names.insert(h.name);
                env.dockerHosts << h;
            }
        }
        const YAML::Node marathonNode = node["marathon"];
        if (marathonNode.IsDefined() && !marathonNode.IsNull())
            env.marathon = marathon(marathonNode, join(path, QStringLiteral("marathon")));
        const YAML::Node mesosNode = node["mesos"];
        if (mesosNode.IsDefined() && !mesosNode.IsNull())
            env.mesos = mesos(mesosNode, join(path, QStringLiteral("mesos")));
        const YAML::Node consulNode = node["consul"];
        if (consulNode.IsDefined() && !consulNode.IsNull())
            env.consul = consul(consulNode, join(path, QStringLiteral("consul")));
        const YAML::Node etcdNode = node["etcd"];
        if (etcdNode.IsDefined() && !etcdNode.IsNull())
            env.etcd = etcd(etcdNode, join(path, QStringLiteral("etcd")));
        const YAML::Node zkNode = node["zookeeper"];
        if (zkNode.IsDefined() && !zkNode.IsNull())
            env.zookeeper = zookeeper(zkNode, join(path, QStringLiteral("zookeeper")));
        const YAML::Node kafkaNode = node["kafka"];
        if (kafkaNode.IsDefined() && !kafkaNode.IsNull())
            env.kafka = kafka(kafkaNode, join(path, QStringLiteral("kafka")));
        return env;
    }

    OpsdeckConfig root(const YAML::Node &doc) const
    {
        if (!doc.IsDefined() || doc.IsNull())
            fail(doc, QString(), tr("the file is empty"));
        expectMap(doc,
                  QString(),
                  {QStringLiteral("version"),
                   QStringLiteral("settings"),
                   QStringLiteral("environments")});
        const YAML::Node version = doc["version"];
        if (version.IsDefined() && scalar(version, QStringLiteral("version")) != QLatin1String("1"))
            fail(version,
                 QStringLiteral("version"),
                 tr("this Opsdeck reads version 1 files, found '%1'")
                     .arg(scalar(version, QStringLiteral("version"))));
        OpsdeckConfig config;
        config.sourcePath = m_fileName;
        config.flags = settings(doc["settings"], QStringLiteral("settings"));
        const YAML::Node envs = doc["environments"];
        if (!envs.IsDefined() || envs.IsNull())
            fail(doc, QStringLiteral("environments"), tr("required key 'environments' is missing"));
        if (!envs.IsSequence() || envs.size() == 0)
            fail(envs,
                 QStringLiteral("environments"),
                 tr("expected a non-empty list of environments"));
        QSet<QString> names;
        for (std::size_t i = 0; i < envs.size(); ++i) {
            const QString path = index(QStringLiteral("environments"), i);
            EnvironmentConfig env = environment(envs[i], path);
            if (names.contains(env.name.toCaseFolded()))
                fail(envs[i]["name"],
                     join(path, QStringLiteral("name")),
                     tr("environment name '%1' is used twice").arg(env.name));
            names.insert(env.name.toCaseFolded());
            config.environments << env;
        }
        const YAML::Node settingsNode = doc["settings"];
        if (settingsNode.IsDefined() && settingsNode.IsMap())
            config.configDiff = configDiff(settingsNode["config_diff"],
                                           QStringLiteral("settings.config_diff"),
                                           config.environments);
        if (settingsNode.IsDefined() && settingsNode.IsMap()) {
            config.alerts = alerts(settingsNode["alerts"], QStringLiteral("settings.alerts"));
            config.serve = serve(settingsNode["serve"], QStringLiteral("settings.serve"));
        }
        return config;
    }

private:
    QString m_fileName;
    QString m_baseDir;
};

} // namespace

const EnvironmentConfig *OpsdeckConfig::environment(const QString &name) const
{
    for (const EnvironmentConfig &e : environments) {
        if (e.name.compare(name, Qt::CaseInsensitive) == 0)
            return &e;
    }
    return nullptr;
}

QString ConfigError::toString() const
{
    QString where = file;
    if (line > 0)
        where += QStringLiteral(":%1:%2").arg(line).arg(column);
    return keyPath.isEmpty() ? QStringLiteral("%1: %2").arg(where, message)
                             : QStringLiteral("%1: %2: %3").arg(where, keyPath, message);
}

std::variant<OpsdeckConfig, ConfigError> EnvironmentsConfigLoader::parse(const QByteArray &yaml,
                                                                         const QString &fileName)
{
    Walker walker(fileName);
    try {
        const YAML::Node doc = YAML::Load(yaml.toStdString());
        return walker.root(doc);
    } catch (const Failure &f) {
        return f.error;
    } catch (const YAML::Exception &e) {
        ConfigError error;
        error.file = fileName;
        if (!e.mark.is_null()) {
            error.line = e.mark.line + 1;
            error.column = e.mark.column + 1;
        }
        error.message = tr("YAML syntax error: %1").arg(QString::fromStdString(e.msg));
        return error;
    }
}

std::variant<OpsdeckConfig, ConfigError> EnvironmentsConfigLoader::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        ConfigError error;
        error.file = path;
        error.message = tr("cannot read the environments file: %1").arg(file.errorString());
        return error;
    }
    return parse(file.readAll(), path);
}

OpsdeckConfig EnvironmentsConfigLoader::fromDockerHost(const QString &dockerHost)
{
    DockerHostConfig host;
    host.url = dockerHost.isEmpty() ? QStringLiteral("unix:///var/run/docker.sock") : dockerHost;
    host.name = QStringLiteral("local");
    EnvironmentConfig env;
    env.name = QStringLiteral("local");
    env.colour = QStringLiteral("#1565c0");
    env.dockerHosts << host;
    OpsdeckConfig config;
    config.environments << env;
    return config;
}

QString EnvironmentsConfigLoader::defaultPath()
{
    QString base = qEnvironmentVariable("XDG_CONFIG_HOME");
    if (base.isEmpty())
        base = QDir::homePath() + QLatin1String("/.config");
    return base + QLatin1String("/opsdeck/environments.yaml");
}

Result<qint64> parseDuration(const QString &text)
{
    static const QRegularExpression pattern(
        QStringLiteral("^\\s*(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?\\s*$"));
    const QRegularExpressionMatch m = pattern.match(text);
    if (!m.hasMatch())
        return Result<qint64>::failure(
            tr("expected a duration like 30s, 5m, 1h or 250ms, found '%1'").arg(text));
    const double number = m.captured(1).toDouble();
    const QString unit = m.captured(2);
    double factor = 1000.0;
    if (unit == QLatin1String("ms"))
        factor = 1.0;
    else if (unit == QLatin1String("m"))
        factor = 60'000.0;
    else if (unit == QLatin1String("h"))
        factor = 3'600'000.0;
    const double ms = number * factor;
    if (ms > 365.0 * 24 * 3'600'000.0)
        return Result<qint64>::failure(tr("'%1' is longer than a year").arg(text));
    return qint64(ms);
}

} // namespace Opsdeck::Models
