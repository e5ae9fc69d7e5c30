// SPDX-License-Identifier: MIT
#include "app/serveoptions.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QRegularExpression>
#include <QUrl>

namespace Opsdeck::App {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::App::ServeOptions", text);
}

/// A usage error when @p path names no readable file, else empty.
QString checkFile(const QString &option, const QString &path)
{
    if (path.isEmpty())
        return tr("%1 needs a file name").arg(option);
    const QFileInfo info(path);
    if (!info.isFile() || !info.isReadable())
        return tr("%1: cannot read '%2'").arg(option, path);
    return {};
}

} // namespace

QString defaultListenAddress()
{
    return QStringLiteral("127.0.0.1:8765");
}

ServeOptions parseServeOptions(const QStringList &arguments)
{
    ServeOptions o;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        tr("opsdeck-serve: the estate's state over WebSockets (/ws), a web dashboard (/), "
           "/healthz and /metrics, and alerts sent to webhooks. No GUI.\n"
           "Stops cleanly on SIGTERM or SIGINT; exit 2 on a usage or configuration error."));
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  tr("Show this help and exit."));
    const QCommandLineOption version({QStringLiteral("v"), QStringLiteral("version")},
                                     tr("Show the version and exit."));
    const QCommandLineOption config({QStringLiteral("c"), QStringLiteral("config")},
                                    tr("Environments file (default: "
                                       "$XDG_CONFIG_HOME/opsdeck/environments.yaml)."),
                                    tr("file"));
    const QCommandLineOption demo(QStringLiteral("demo"),
                                  tr("Serve the built-in demo estate (simulated, on 127.0.0.1)."));
    const QCommandLineOption listen(
        QStringLiteral("listen"),
        tr("Address and port (default %1; loopback unless you say otherwise).")
            .arg(defaultListenAddress()),
        tr("host:port"));
    const QCommandLineOption tokens(QStringLiteral("tokens"),
                                    tr("Tokens file: \"ROLE TOKEN [name]\" per line, ROLE viewer "
                                       "or operator."),
                                    tr("file"));
    const QCommandLineOption anonymous(
        QStringLiteral("anonymous"),
        tr("Clients without a token: read (read-only, the default) or refuse."),
        tr("read|refuse"));
    const QCommandLineOption origin(QStringLiteral("origin"),
                                    tr("A browser origin allowed to connect (repeatable)."),
                                    tr("url"));
    const QCommandLineOption tlsCert(
        QStringLiteral("tls-cert"), tr("PEM certificate: serve https:// and wss://."), tr("file"));
    const QCommandLineOption tlsKey(
        QStringLiteral("tls-key"), tr("PEM private key of --tls-cert."), tr("file"));
    const QCommandLineOption webRoot(
        QStringLiteral("web-root"), tr("Directory of the dashboard's files."), tr("dir"));
    parser.addOptions(
        {help, version, config, demo, listen, tokens, anonymous, origin, tlsCert, tlsKey, webRoot});
    o.helpText = parser.helpText();

    if (!parser.parse(arguments)) {
        // "Unknown option 'x'." / "Missing value after '--listen'.": Qt names the option.
        o.error = parser.errorText();
        return o;
    }
    if (parser.isSet(help)) {
        o.help = true;
        return o;
    }
    if (parser.isSet(version)) {
        o.version = true;
        return o;
    }
    if (!parser.positionalArguments().isEmpty()) {
        o.error = tr("unexpected argument '%1' (options only; try --help)")
                      .arg(parser.positionalArguments().first());
        return o;
    }
    o.configPath = parser.value(config);
    o.demo = parser.isSet(demo);
    o.listen = parser.value(listen);
    o.tokensFile = parser.value(tokens);
    o.anonymous = parser.value(anonymous);
    o.origins = parser.values(origin);
    o.tlsCertFile = parser.value(tlsCert);
    o.tlsKeyFile = parser.value(tlsKey);
    o.webRoot = parser.value(webRoot);

    if (parser.isSet(config) && o.configPath.isEmpty())
        o.error = tr("--config needs a file name");
    else if (o.demo && parser.isSet(config))
        o.error = tr("--demo brings its own environments: leave out --config");
    else if (parser.isSet(listen) && !parseListenAddress(o.listen).ok())
        o.error = QStringLiteral("--listen: %1").arg(parseListenAddress(o.listen).error());
    else if (parser.isSet(tokens) && !checkFile(QStringLiteral("--tokens"), o.tokensFile).isEmpty())
        o.error = checkFile(QStringLiteral("--tokens"), o.tokensFile);
    else if (parser.isSet(anonymous) && o.anonymous != QLatin1String("read")
             && o.anonymous != QLatin1String("refuse"))
        o.error = tr("--anonymous: expected read or refuse, got '%1'").arg(o.anonymous);
    else if (parser.isSet(tlsCert) != parser.isSet(tlsKey))
        o.error = tr("--tls-cert and --tls-key go together");
    else if (parser.isSet(tlsCert)
             && !checkFile(QStringLiteral("--tls-cert"), o.tlsCertFile).isEmpty())
        o.error = checkFile(QStringLiteral("--tls-cert"), o.tlsCertFile);
    else if (parser.isSet(tlsKey)
             && !checkFile(QStringLiteral("--tls-key"), o.tlsKeyFile).isEmpty())
        o.error = checkFile(QStringLiteral("--tls-key"), o.tlsKeyFile);
    else if (parser.isSet(webRoot) && !QFileInfo(o.webRoot).isDir())
        o.error = tr("--web-root: '%1' is not a directory").arg(o.webRoot);
    if (!o.error.isEmpty())
        return o;
    for (const QString &text : std::as_const(o.origins)) {
        const QUrl url(text, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty()
            || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))
            || (!url.path().isEmpty() && url.path() != QLatin1String("/"))) {
            o.error = tr("--origin: expected scheme://host[:port], got '%1'").arg(text);
            return o;
        }
    }
    return o;
}

Models::Result<ListenAddress> parseListenAddress(const QString &text)
{
    using R = Models::Result<ListenAddress>;
    static const QRegularExpression pattern(
        QStringLiteral("^(\\[([0-9a-fA-F:.]+)\\]|([^\\s:\\[\\]/]+)):(\\d{1,5})$"));
    const QRegularExpressionMatch m = pattern.match(text.trimmed());
    if (!m.hasMatch())
        return R::failure(
            tr("expected host:port, like %1, got '%2'").arg(defaultListenAddress(), text));
    ListenAddress out;
    const QString host = m.captured(2).isEmpty() ? m.captured(3) : m.captured(2);
    if (host == QLatin1String("localhost"))
        out.address = QHostAddress(QHostAddress::LocalHost);
    else if (!out.address.setAddress(host))
        return R::failure(tr("'%1' is not an IP address (or localhost)").arg(host));
    const int port = m.captured(4).toInt();
    if (port < 0 || port > 65535)
        return R::failure(tr("port %1 is out of range").arg(port));
    out.port = quint16(port);
    return out;
}

Models::ServeSettings effectiveServeSettings(const ServeOptions &options,
                                             const Models::ServeSettings &fromFile)
{
    Models::ServeSettings s = fromFile;
    const auto over = [](QString &value, const QString &option) {
        if (!option.isEmpty())
            value = option;
    };
    over(s.listen, options.listen);
    over(s.tokensFile, options.tokensFile);
    over(s.anonymous, options.anonymous);
    if (!options.origins.isEmpty())
        s.origins = options.origins;
    if (!options.tlsCertFile.isEmpty()) {
        s.tlsCertFile = options.tlsCertFile;
        s.tlsKeyFile = options.tlsKeyFile;
    }
    over(s.webRoot, options.webRoot);
    if (s.listen.isEmpty())
        s.listen = defaultListenAddress();
    if (s.anonymous.isEmpty())
        s.anonymous = QStringLiteral("read");
    return s;
}

} // namespace Opsdeck::App
