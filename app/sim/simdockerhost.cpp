// SPDX-License-Identifier: MIT
#include "app/sim/simdockerhost.h"

#include <QCryptographicHash>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTimer>
#include <QtEndian>

namespace Opsdeck::Sim {

namespace {

constexpr int kMaxLogLines = 1000;
// Docker's restart back-off: 100 ms, doubling per restart, capped (moby restartmanager).
constexpr int kBackoffStartMs = 100;
constexpr int kBackoffMaxMs = 60000;
constexpr int kHealthyAfterMs = 1000;

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray message(const QString &text)
{
    return json(QJsonObject{{QStringLiteral("message"), text}});
}

/// A POSIX ustar archive holding one regular file, as `docker cp` receives it. Written here on
/// purpose (the simulator shares no code with the connector, which reads tars with libarchive).
QByteArray tarOfOneFile(const QByteArray &name, const QByteArray &content, qint64 mtime)
{
    QByteArray header(512, '\0');
    auto field = [&header](int offset, int width, const QByteArray &value) {
        header.replace(offset, std::min<int>(width, int(value.size())), value.left(width));
    };
    auto octal = [&field](int offset, int width, qint64 value) {
        field(offset, width, QByteArray::number(value, 8).rightJustified(width - 1, '0'));
    };
    field(0, 100, name);
    octal(100, 8, 0644);
    octal(108, 8, 0);
    octal(116, 8, 0);
    octal(124, 12, content.size());
    octal(136, 12, mtime);
    field(148, 8, QByteArray(8, ' ')); // the checksum counts its own field as spaces
    header[156] = '0';                 // regular file
    field(257, 6, QByteArray("ustar\0", 6));
    field(263, 2, "00");
    field(265, 32, "root");
    field(297, 32, "root");
    unsigned sum = 0;
    for (char c : std::as_const(header))
        sum += static_cast<unsigned char>(c);
    field(148, 8, QByteArray::number(sum, 8).rightJustified(6, '0') + QByteArray("\0 ", 2));
    QByteArray tar = header + content;
    tar += QByteArray((512 - content.size() % 512) % 512, '\0');
    tar += QByteArray(1024, '\0'); // two zero blocks end the archive
    return tar;
}

QString rfc3339(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs)
                       : QStringLiteral("0001-01-01T00:00:00Z");
}

QString ago(const QDateTime &t)
{
    const qint64 s = std::max<qint64>(0, t.secsTo(QDateTime::currentDateTimeUtc()));
    if (s < 60)
        return QStringLiteral("%1 seconds").arg(s);
    if (s < 3600)
        return QStringLiteral("%1 minutes").arg(s / 60);
    return QStringLiteral("%1 hours").arg(s / 3600);
}

QString newId(const QString &host, const QString &name)
{
    static quint64 counter = 0;
    const QByteArray seed = (host + QLatin1Char('/') + name + QString::number(++counter)).toUtf8();
    return QString::fromLatin1(QCryptographicHash::hash(seed, QCryptographicHash::Sha256).toHex());
}

/// The image ID an engine would report: the same for the same image, every time.
QString imageId(const QString &image)
{
    return QStringLiteral("sha256:")
           + QString::fromLatin1(
               QCryptographicHash::hash(image.toUtf8(), QCryptographicHash::Sha256).toHex());
}

} // namespace

SimDockerHost::SimDockerHost(const QString &name, QObject *parent)
    : QObject(parent)
    , m_name(name)
{
    m_server.setHandler([this](HttpExchange *exchange) { handle(exchange); });
}

SimDockerHost::~SimDockerHost()
{
    // Close the connections while the containers they may ask about still exist.
    m_server.stop();
}

bool SimDockerHost::listen(quint16 port)
{
    return m_server.listen(port);
}

void SimDockerHost::stop()
{
    m_server.stop();
}

QString SimDockerHost::addContainer(SimContainer c, bool running)
{
    if (c.id.isEmpty())
        c.id = newId(m_name, c.name);
    if (!c.created.isValid())
        c.created = QDateTime::currentDateTimeUtc();
    c.state = QStringLiteral("created");
    const QString id = c.id;
    m_containers.insert(id, c);
    emitEvent(c, QStringLiteral("create"));
    if (running)
        start(id);
    return id;
}

QString SimDockerHost::resolve(const QString &idOrName) const
{
    if (m_containers.contains(idOrName))
        return idOrName;
    const QString name = idOrName.startsWith(QLatin1Char('/')) ? idOrName.mid(1) : idOrName;
    for (const SimContainer &c : m_containers) {
        if (c.name == name)
            return c.id;
    }
    if (idOrName.size() >= 3) {
        QString found;
        for (const SimContainer &c : m_containers) {
            if (c.id.startsWith(idOrName)) {
                if (!found.isEmpty())
                    return QString(); // ambiguous prefix
                found = c.id;
            }
        }
        return found;
    }
    return QString();
}

const SimContainer *SimDockerHost::container(const QString &idOrName) const
{
    const auto it = m_containers.constFind(resolve(idOrName));
    return it == m_containers.cend() ? nullptr : &*it;
}

void SimDockerHost::emitEvent(const SimContainer &c,
                              const QString &action,
                              const QMap<QString, QString> &extra)
{
    QJsonObject attributes{{QStringLiteral("name"), c.name}, {QStringLiteral("image"), c.image}};
    for (auto it = c.labels.cbegin(); it != c.labels.cend(); ++it)
        attributes.insert(it.key(), it.value());
    for (auto it = extra.cbegin(); it != extra.cend(); ++it)
        attributes.insert(it.key(), it.value());
    const qint64 nowNs = QDateTime::currentMSecsSinceEpoch() * 1'000'000;
    const QJsonObject event{
        {QStringLiteral("status"), action},
        {QStringLiteral("id"), c.id},
        {QStringLiteral("from"), c.image},
        {QStringLiteral("Type"), QStringLiteral("container")},
        {QStringLiteral("Action"), action},
        {QStringLiteral("Actor"),
         QJsonObject{{QStringLiteral("ID"), c.id}, {QStringLiteral("Attributes"), attributes}}},
        {QStringLiteral("scope"), QStringLiteral("local")},
        {QStringLiteral("time"), nowNs / 1'000'000'000},
        {QStringLiteral("timeNano"), nowNs}};
    const QByteArray line = json(event) + '\n';
    for (const QPointer<HttpExchange> &stream : std::as_const(m_eventStreams)) {
        if (stream)
            stream->write(line);
    }
    m_eventStreams.removeAll(QPointer<HttpExchange>());
    emit eventEmitted(event);
}

bool SimDockerHost::start(const QString &idOrName)
{
    auto it = m_containers.find(resolve(idOrName));
    if (it == m_containers.end() || it->state == QLatin1String("running"))
        return false;
    it->state = QStringLiteral("running");
    it->startedAt = QDateTime::currentDateTimeUtc();
    it->exitCode = 0;
    if (!it->health.isEmpty())
        it->health = QStringLiteral("starting");
    const quint64 run = ++m_generation;
    m_runGeneration.insert(it->id, run);
    emitEvent(*it, QStringLiteral("start"));
    appendLog(it->id, QStringLiteral("%1: started").arg(it->name));
    const QString id = it->id;
    if (!it->health.isEmpty() && it->crashAfterMs == 0) {
        QTimer::singleShot(scaled(kHealthyAfterMs), this, [this, id, run] {
            if (m_runGeneration.value(id) == run)
                setHealth(id, QStringLiteral("healthy"));
        });
    }
    if (it->crashAfterMs > 0) {
        QTimer::singleShot(scaled(it->crashAfterMs), this, [this, id, run] {
            const auto c = m_containers.constFind(id);
            if (c != m_containers.cend() && m_runGeneration.value(id) == run)
                die(id, c->crashExitCode, false);
        });
    }
    return true;
}

void SimDockerHost::die(const QString &id, int exitCode, bool requested)
{
    auto it = m_containers.find(id);
    if (it == m_containers.end())
        return;
    ++m_generation;
    m_runGeneration.insert(id, m_generation);
    it->state = QStringLiteral("exited");
    it->exitCode = exitCode;
    it->finishedAt = QDateTime::currentDateTimeUtc();
    if (!it->health.isEmpty())
        it->health = QStringLiteral("unhealthy");
    appendLog(id, QStringLiteral("%1: exited with code %2").arg(it->name).arg(exitCode));
    emitEvent(
        *it, QStringLiteral("die"), {{QStringLiteral("exitCode"), QString::number(exitCode)}});
    if (requested)
        return;
    const bool restart =
        it->restartPolicy == QLatin1String("always")
        || it->restartPolicy == QLatin1String("unless-stopped")
        || (it->restartPolicy == QLatin1String("on-failure") && exitCode != 0
            && (it->maximumRetryCount == 0 || it->restartCount < it->maximumRetryCount));
    if (!restart)
        return;
    // Restarts by the policy: die, back-off in state "restarting", start; no "restart" event.
    it->state = QStringLiteral("restarting");
    const int backoff = std::min(kBackoffMaxMs, kBackoffStartMs << std::min(it->restartCount, 10));
    const quint64 run = m_generation;
    QTimer::singleShot(scaled(backoff), this, [this, id, run] {
        auto c = m_containers.find(id);
        if (c == m_containers.end() || m_runGeneration.value(id) != run
            || c->state != QLatin1String("restarting"))
            return;
        ++c->restartCount;
        start(id);
    });
}

bool SimDockerHost::stopContainer(const QString &idOrName, int)
{
    auto it = m_containers.find(resolve(idOrName));
    if (it == m_containers.end())
        return false;
    if (it->state == QLatin1String("restarting")) {
        // Stopping during back-off ends the loop with a stop event only (API reference 1.5).
        ++m_generation;
        m_runGeneration.insert(it->id, m_generation);
        it->state = QStringLiteral("exited");
        emitEvent(*it, QStringLiteral("stop"));
        return true;
    }
    if (it->state != QLatin1String("running"))
        return false;
    emitEvent(*it, QStringLiteral("kill"), {{QStringLiteral("signal"), QStringLiteral("15")}});
    die(it->id, 0, true);
    emitEvent(*m_containers.find(it.key()), QStringLiteral("stop"));
    return true;
}

bool SimDockerHost::restart(const QString &idOrName, int timeoutSeconds)
{
    const QString id = resolve(idOrName);
    if (!m_containers.contains(id))
        return false;
    stopContainer(id, timeoutSeconds);
    start(id);
    emitEvent(m_containers[id], QStringLiteral("restart"));
    return true;
}

bool SimDockerHost::exitContainer(const QString &idOrName, int exitCode)
{
    const QString id = resolve(idOrName);
    const auto it = m_containers.constFind(id);
    if (it == m_containers.cend() || it->state != QLatin1String("running"))
        return false;
    die(id, exitCode, false);
    return true;
}

bool SimDockerHost::removeContainer(const QString &idOrName)
{
    const QString id = resolve(idOrName);
    auto it = m_containers.find(id);
    if (it == m_containers.end())
        return false;
    if (it->state == QLatin1String("running")) {
        emitEvent(*it, QStringLiteral("kill"), {{QStringLiteral("signal"), QStringLiteral("9")}});
        die(id, 137, true);
    }
    ++m_generation; // no pending crash or restart timer may bring it back
    m_runGeneration.remove(id);
    const SimContainer gone = m_containers.take(id);
    emitEvent(gone, QStringLiteral("destroy"));
    for (const QPointer<HttpExchange> &s : m_logStreams.take(id)) {
        if (s)
            s->end();
    }
    return true;
}

void SimDockerHost::setHealth(const QString &id, const QString &health)
{
    auto it = m_containers.find(resolve(id));
    if (it == m_containers.end() || it->health == health)
        return;
    it->health = health;
    emitEvent(*it, QStringLiteral("health_status: ") + health);
}

void SimDockerHost::appendLog(const QString &id, const QString &line)
{
    auto it = m_containers.find(resolve(id));
    if (it == m_containers.end())
        return;
    it->log << line;
    if (it->log.size() > kMaxLogLines)
        it->log.remove(0, it->log.size() - kMaxLogLines);
    QList<QPointer<HttpExchange>> &streams = m_logStreams[it->id];
    const QByteArray bytes = logFrames(*it, {line});
    for (const QPointer<HttpExchange> &s : std::as_const(streams)) {
        if (s)
            s->write(bytes);
    }
    streams.removeAll(QPointer<HttpExchange>());
}

QByteArray SimDockerHost::logFrames(const SimContainer &c, const QStringList &lines) const
{
    QByteArray out;
    for (const QString &line : lines) {
        if (c.tty) {
            out += line.toUtf8() + "\r\n";
            continue;
        }
        const QByteArray payload = line.toUtf8() + '\n';
        char header[8] = {1, 0, 0, 0, 0, 0, 0, 0}; // stdout
        qToBigEndian<quint32>(quint32(payload.size()), header + 4);
        out += QByteArray(header, 8) + payload;
    }
    return out;
}

QJsonObject SimDockerHost::summaryJson(const SimContainer &c) const
{
    QString status;
    if (c.state == QLatin1String("running")) {
        status = QStringLiteral("Up ") + ago(c.startedAt);
        if (!c.health.isEmpty())
            status += c.health == QLatin1String("starting") ? QStringLiteral(" (health: starting)")
                                                            : QStringLiteral(" (%1)").arg(c.health);
    } else if (c.state == QLatin1String("restarting")) {
        status = QStringLiteral("Restarting (%1) %2 ago").arg(c.exitCode).arg(ago(c.finishedAt));
    } else if (c.state == QLatin1String("exited")) {
        status = QStringLiteral("Exited (%1) %2 ago").arg(c.exitCode).arg(ago(c.finishedAt));
    } else {
        status = QStringLiteral("Created");
    }
    QJsonObject labels;
    for (auto it = c.labels.cbegin(); it != c.labels.cend(); ++it)
        labels.insert(it.key(), it.value());
    return QJsonObject{{QStringLiteral("Id"), c.id},
                       {QStringLiteral("Names"), QJsonArray{QString(QLatin1Char('/') + c.name)}},
                       {QStringLiteral("Image"), c.image},
                       {QStringLiteral("ImageID"), imageId(c.image)},
                       {QStringLiteral("Command"), c.cmd.join(QLatin1Char(' '))},
                       {QStringLiteral("Created"), c.created.toSecsSinceEpoch()},
                       {QStringLiteral("State"), c.state},
                       {QStringLiteral("Status"), status},
                       {QStringLiteral("Ports"), QJsonArray()},
                       {QStringLiteral("Labels"), labels},
                       {QStringLiteral("HostConfig"),
                        QJsonObject{{QStringLiteral("NetworkMode"), QStringLiteral("none")}}},
                       {QStringLiteral("NetworkSettings"),
                        QJsonObject{{QStringLiteral("Networks"), QJsonObject()}}},
                       {QStringLiteral("Mounts"), c.mounts}};
}

QJsonObject SimDockerHost::inspectJson(const SimContainer &c) const
{
    const bool running =
        c.state == QLatin1String("running") || c.state == QLatin1String("restarting");
    QJsonObject state{{QStringLiteral("Status"), c.state},
                      {QStringLiteral("Running"), running},
                      {QStringLiteral("Paused"), false},
                      {QStringLiteral("Restarting"), c.state == QLatin1String("restarting")},
                      {QStringLiteral("OOMKilled"), false},
                      {QStringLiteral("Dead"), false},
                      {QStringLiteral("Pid"), running ? 4242 : 0},
                      {QStringLiteral("ExitCode"), c.exitCode},
                      {QStringLiteral("Error"), QString()},
                      {QStringLiteral("StartedAt"), rfc3339(c.startedAt)},
                      {QStringLiteral("FinishedAt"), rfc3339(c.finishedAt)}};
    if (!c.health.isEmpty())
        state.insert(QStringLiteral("Health"),
                     QJsonObject{{QStringLiteral("Status"), c.health},
                                 {QStringLiteral("FailingStreak"),
                                  c.health == QLatin1String("unhealthy") ? 3 : 0},
                                 {QStringLiteral("Log"), QJsonArray()}});
    QJsonObject labels;
    for (auto it = c.labels.cbegin(); it != c.labels.cend(); ++it)
        labels.insert(it.key(), it.value());
    return QJsonObject{
        {QStringLiteral("Id"), c.id},
        {QStringLiteral("Created"), rfc3339(c.created)},
        {QStringLiteral("Path"), c.cmd.value(0)},
        {QStringLiteral("Args"), QJsonArray::fromStringList(c.cmd.mid(1))},
        {QStringLiteral("State"), state},
        {QStringLiteral("Image"), imageId(c.image)},
        {QStringLiteral("Name"), QString(QLatin1Char('/') + c.name)},
        {QStringLiteral("RestartCount"), c.restartCount},
        {QStringLiteral("HostConfig"),
         QJsonObject{{QStringLiteral("RestartPolicy"),
                      QJsonObject{{QStringLiteral("Name"), c.restartPolicy},
                                  {QStringLiteral("MaximumRetryCount"), c.maximumRetryCount}}},
                     {QStringLiteral("NetworkMode"), QStringLiteral("none")}}},
        {QStringLiteral("Config"),
         QJsonObject{{QStringLiteral("Hostname"), c.id.left(12)},
                     {QStringLiteral("Image"), c.image},
                     {QStringLiteral("Env"), QJsonArray::fromStringList(c.env)},
                     {QStringLiteral("Cmd"), QJsonArray::fromStringList(c.cmd)},
                     {QStringLiteral("Labels"), labels},
                     {QStringLiteral("Tty"), c.tty}}},
        {QStringLiteral("Mounts"), c.mounts},
        {QStringLiteral("NetworkSettings"),
         QJsonObject{{QStringLiteral("Ports"), QJsonObject()},
                     {QStringLiteral("Networks"), QJsonObject()}}}};
}

QJsonObject SimDockerHost::statsJson(const SimContainer &c) const
{
    const bool running = c.state == QLatin1String("running");
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const qint64 upMs = running ? std::max<qint64>(0, nowMs - c.startedAt.toMSecsSinceEpoch()) : 0;
    // A steady 5 % of one of two CPUs, and a memory figure that stays put per container.
    const double cpuNs = double(upMs) * 1e6 * 0.05;
    const double memory = 32.0 * 1024 * 1024 + double(qHash(c.id) % (64u * 1024 * 1024));
    return QJsonObject{
        {QStringLiteral("read"), running ? rfc3339(QDateTime::currentDateTimeUtc()) : rfc3339({})},
        {QStringLiteral("preread"), rfc3339({})},
        {QStringLiteral("id"), c.id},
        {QStringLiteral("name"), QString(QLatin1Char('/') + c.name)},
        {QStringLiteral("pids_stats"), QJsonObject{{QStringLiteral("current"), running ? 3 : 0}}},
        {QStringLiteral("cpu_stats"),
         QJsonObject{{QStringLiteral("cpu_usage"),
                      QJsonObject{{QStringLiteral("total_usage"), running ? cpuNs : 0.0}}},
                     {QStringLiteral("system_cpu_usage"), double(nowMs) * 1e6 * 2},
                     {QStringLiteral("online_cpus"), 2}}},
        {QStringLiteral("precpu_stats"),
         QJsonObject{
             {QStringLiteral("cpu_usage"), QJsonObject{{QStringLiteral("total_usage"), 0}}}}},
        {QStringLiteral("memory_stats"),
         running ? QJsonObject{{QStringLiteral("usage"), memory},
                               {QStringLiteral("limit"), 2.0 * 1024 * 1024 * 1024},
                               {QStringLiteral("stats"),
                                QJsonObject{{QStringLiteral("inactive_file"), 1024.0 * 1024}}}}
                 : QJsonObject()}};
}

void SimDockerHost::serveArchive(HttpExchange *exchange, const SimContainer &c)
{
    const HttpRequest &r = exchange->request();
    const QString path = r.query.queryItemValue(QStringLiteral("path"), QUrl::FullyDecoded);
    if (path.isEmpty()) {
        exchange->respond(400, message(QStringLiteral("Path cannot be empty")));
        return;
    }
    QString clean =
        QDir::cleanPath(path.startsWith(QLatin1Char('/')) ? path : QLatin1Char('/') + path);
    const auto file = c.files.constFind(clean);
    if (file == c.files.cend()) {
        // moby's message for a missing path (container/archive.go).
        exchange->respond(
            404,
            message(
                QStringLiteral("Could not find the file %1 in container %2").arg(path, c.name)));
        return;
    }
    const QString name = clean.mid(clean.lastIndexOf(QLatin1Char('/')) + 1);
    const QDateTime mtime = c.created.isValid() ? c.created : QDateTime::currentDateTimeUtc();
    // X-Docker-Container-Path-Stat: base64 of the path's stat as JSON (Docker API 1.41).
    const QByteArray stat = json(QJsonObject{{QStringLiteral("name"), name},
                                             {QStringLiteral("size"), file->size()},
                                             {QStringLiteral("mode"), 0644},
                                             {QStringLiteral("mtime"), rfc3339(mtime)},
                                             {QStringLiteral("linkTarget"), QString()}});
    const HttpHeaders headers{{"X-Docker-Container-Path-Stat", stat.toBase64()}};
    if (r.method == "HEAD") {
        exchange->respond(200, QByteArray(), QByteArray(), headers);
        return;
    }
    exchange->respond(200,
                      tarOfOneFile(name.toUtf8(), *file, mtime.toSecsSinceEpoch()),
                      "application/x-tar",
                      headers);
}

void SimDockerHost::handle(HttpExchange *exchange)
{
    const HttpRequest &r = exchange->request();
    static const QRegularExpression versionPrefix(QStringLiteral("^/v\\d+\\.\\d+(?=/)"));
    QString path = r.path;
    path.remove(versionPrefix);
    const QStringList parts = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    const bool get = r.method == "GET" || r.method == "HEAD";
    const bool post = r.method == "POST";

    if (path == QLatin1String("/_ping") && get) {
        exchange->respond(200,
                          "OK",
                          "text/plain; charset=utf-8",
                          {{"Api-Version", "1.41"},
                           {"Docker-Experimental", "false"},
                           {"Ostype", "linux"},
                           {"Server", "Docker/20.10.24 (opsdeck-sim)"}});
        return;
    }
    if (path == QLatin1String("/version") && get) {
        exchange->respond(
            200,
            json(QJsonObject{{QStringLiteral("Version"), QStringLiteral("20.10.24")},
                             {QStringLiteral("ApiVersion"), QStringLiteral("1.41")},
                             {QStringLiteral("MinAPIVersion"), QStringLiteral("1.12")},
                             {QStringLiteral("Os"), QStringLiteral("linux")},
                             {QStringLiteral("Arch"), QStringLiteral("amd64")},
                             {QStringLiteral("KernelVersion"), QStringLiteral("6.1.0-opsdeck-sim")},
                             {QStringLiteral("GitCommit"), QStringLiteral("opsdeck-sim")},
                             {QStringLiteral("GoVersion"), QStringLiteral("go1.19.8")},
                             {QStringLiteral("Platform"),
                              QJsonObject{{QStringLiteral("Name"),
                                           QStringLiteral("Opsdeck simulated engine")}}}}));
        return;
    }
    if (path == QLatin1String("/events") && get) {
        exchange->startStream(200, "application/json");
        m_eventStreams << exchange;
        return;
    }
    if (parts.size() == 2 && parts.at(0) == QLatin1String("containers")
        && parts.at(1) == QLatin1String("json") && get) {
        const bool all = r.query.queryItemValue(QStringLiteral("all")) == QLatin1String("1")
                         || r.query.queryItemValue(QStringLiteral("all")) == QLatin1String("true");
        QJsonArray list;
        for (const SimContainer &c : std::as_const(m_containers)) {
            if (all || c.state == QLatin1String("running")
                || c.state == QLatin1String("restarting"))
                list.append(summaryJson(c));
        }
        exchange->respond(200, QJsonDocument(list).toJson(QJsonDocument::Compact));
        return;
    }
    if (parts.size() == 3 && parts.at(0) == QLatin1String("containers")) {
        const QString id = resolve(parts.at(1));
        const QString verb = parts.at(2);
        if (id.isEmpty()) {
            exchange->respond(404,
                              message(QStringLiteral("No such container: %1").arg(parts.at(1))));
            return;
        }
        const SimContainer &c = m_containers[id];
        const int timeout = r.query.hasQueryItem(QStringLiteral("t"))
                                ? r.query.queryItemValue(QStringLiteral("t")).toInt()
                                : 10;
        if (verb == QLatin1String("json") && get) {
            exchange->respond(200, json(inspectJson(c)));
        } else if (verb == QLatin1String("stats") && get) {
            exchange->respond(200, json(statsJson(c)));
        } else if (verb == QLatin1String("logs") && get) {
            const QString tail = r.query.queryItemValue(QStringLiteral("tail"));
            QStringList lines = c.log;
            if (!tail.isEmpty() && tail != QLatin1String("all"))
                lines = lines.mid(std::max<qsizetype>(0, lines.size() - tail.toInt()));
            const bool follow =
                r.query.queryItemValue(QStringLiteral("follow")) == QLatin1String("1")
                || r.query.queryItemValue(QStringLiteral("follow")) == QLatin1String("true");
            exchange->startStream(200, QByteArray()); // Docker sends no Content-Type here
            exchange->write(logFrames(c, lines));
            if (follow)
                m_logStreams[id] << exchange;
            else
                exchange->end();
        } else if (verb == QLatin1String("archive") && get) {
            serveArchive(exchange, c);
        } else if (verb == QLatin1String("start") && post) {
            exchange->respond(start(id) ? 204 : 304, QByteArray(), QByteArray());
        } else if (verb == QLatin1String("stop") && post) {
            exchange->respond(stopContainer(id, timeout) ? 204 : 304, QByteArray(), QByteArray());
        } else if (verb == QLatin1String("restart") && post) {
            restart(id, timeout);
            exchange->respond(204, QByteArray(), QByteArray());
        } else {
            exchange->respond(404, message(QStringLiteral("page not found")));
        }
        return;
    }
    exchange->respond(404, message(QStringLiteral("page not found")));
}

} // namespace Opsdeck::Sim
