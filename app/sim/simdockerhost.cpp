// SPDX-License-Identifier: MIT
#include "app/sim/simdockerhost.h"

#include <QCryptographicHash>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTimer>
#include <QtEndian>

#include <algorithm>

namespace Opsdeck::Sim {

namespace {

constexpr int kMaxLogLines = 1000;
// Docker's restart back-off: 100 ms, doubling per restart, capped (moby restartmanager).
constexpr int kBackoffStartMs = 100;
constexpr int kBackoffMaxMs = 60000;
// A container added with a health status but no Healthcheck gets one probing every second.
constexpr qint64 kDefaultHealthIntervalNs = 1'000'000'000;
// Docker's defaults for a Healthcheck that leaves them out (moby daemon/health.go).
constexpr qint64 kDefaultProbeIntervalMs = 30000;
constexpr int kDefaultProbeRetries = 3;
constexpr int kMaxHealthLog = 5; // moby keeps the last five probe results
constexpr qint64 kProbeDurationMs = 12;
// However fast time runs, probes stay this far apart: each one is work on the event loop.
constexpr int kMinProbeMs = 10;
constexpr qint64 kDayMs = 24 * 3600 * 1000;

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray message(const QString &text)
{
    return json(QJsonObject{{QStringLiteral("message"), text}});
}

/// `?filters=` as the engine reads it: {"key":["v",…]}, or the older {"key":{"v":true}}.
bool parseFilters(const QString &text, QMap<QString, QStringList> *filters, QString *error)
{
    if (text.isEmpty())
        return true;
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        *error = QStringLiteral("invalid filter: %1").arg(parseError.errorString());
        return false;
    }
    const QJsonObject o = doc.object();
    for (auto it = o.begin(); it != o.end(); ++it) {
        QStringList values;
        if (it.value().isArray()) {
            for (const QJsonValue &v : it.value().toArray())
                values << v.toString();
        } else if (it.value().isObject()) {
            values = it.value().toObject().keys();
        } else {
            *error = QStringLiteral("invalid filter '%1'").arg(it.key());
            return false;
        }
        filters->insert(it.key(), values);
    }
    return true;
}

/// moby's events.Filter for container events: every key given must match one of its values;
/// "container" matches the id or the name, exactly or as a prefix, and "health_status" or
/// "exec_*" without a colon match the actions that begin with them.
bool eventMatches(const QMap<QString, QStringList> &filters, const QJsonObject &event)
{
    const QString type = event.value(QStringLiteral("Type")).toString();
    const QString action = event.value(QStringLiteral("Action")).toString();
    const QJsonObject actor = event.value(QStringLiteral("Actor")).toObject();
    const QString id = actor.value(QStringLiteral("ID")).toString();
    const QJsonObject attributes = actor.value(QStringLiteral("Attributes")).toObject();
    const QString name = attributes.value(QStringLiteral("name")).toString();
    auto any = [&](const QString &key, auto &&match) {
        const auto it = filters.constFind(key);
        return it == filters.cend() || std::any_of(it->cbegin(), it->cend(), match);
    };
    const bool fuzzyActions = std::any_of(filters.value(QStringLiteral("event")).cbegin(),
                                          filters.value(QStringLiteral("event")).cend(),
                                          [](const QString &v) {
                                              return v == QLatin1String("health_status")
                                                     || v == QLatin1String("exec_create")
                                                     || v == QLatin1String("exec_start");
                                          });
    return any(QStringLiteral("type"), [&](const QString &v) { return v == type; })
           && any(QStringLiteral("event"),
                  [&](const QString &v) {
                      return v == action || (fuzzyActions && action.startsWith(v));
                  })
           && any(QStringLiteral("container"),
                  [&](const QString &v) {
                      return !v.isEmpty() && (id.startsWith(v) || name.startsWith(v));
                  })
           && any(QStringLiteral("label"), [&](const QString &v) {
                  const qsizetype eq = v.indexOf(QLatin1Char('='));
                  return eq < 0 ? attributes.contains(v)
                                : attributes.value(v.left(eq)).toString() == v.mid(eq + 1);
              });
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

QStringList strings(const QJsonValue &value)
{
    QStringList out;
    for (const auto &v : value.toArray())
        out << v.toString();
    return out;
}

/// Docker writes an unset list as null (Cmd, Entrypoint, Binds).
QJsonValue listOrNull(const QStringList &list)
{
    return list.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonArray::fromStringList(list);
}

QJsonObject labelsJson(const QMap<QString, QString> &labels)
{
    QJsonObject out;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it)
        out.insert(it.key(), it.value());
    return out;
}

/// "repo" means "repo:latest"; a tag follows the last ':' after the last '/'.
QString normalizedImageName(const QString &name)
{
    const QString last = name.section(QLatin1Char('/'), -1);
    if (name.isEmpty() || last.contains(QLatin1Char(':')) || last.contains(QLatin1Char('@')))
        return name;
    return name + QStringLiteral(":latest");
}

/// A duration of the Healthcheck (nanoseconds) in milliseconds; 0 or absent: @p fallbackMs.
qint64 durationMs(const QJsonValue &ns, qint64 fallbackMs)
{
    const qint64 value = ns.toInteger();
    return value > 0 ? std::max<qint64>(1, value / 1'000'000) : fallbackMs;
}

/// moby daemon/names.go: validContainerNamePattern.
bool validContainerName(const QString &name)
{
    static const QRegularExpression valid(QStringLiteral("^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$"));
    return valid.match(name).hasMatch();
}

bool hasHealthcheck(const SimContainer &c)
{
    const QStringList test = strings(c.healthcheck.value(QStringLiteral("Test")));
    return !test.isEmpty() && test.first() != QLatin1String("NONE");
}

bool isAnonymousVolume(const QString &name)
{
    static const QRegularExpression hex64(QStringLiteral("^[0-9a-f]{64}$"));
    return hex64.match(name).hasMatch();
}

QString randomHex(int bytes)
{
    static quint64 counter = 0;
    const QByteArray seed =
        QByteArray::number(QDateTime::currentMSecsSinceEpoch()) + QByteArray::number(++counter);
    return QString::fromLatin1(
        QCryptographicHash::hash(seed, QCryptographicHash::Sha256).toHex().left(bytes * 2));
}

/// A name for a container created without one, in the manner of moby's namesgenerator.
QString generatedName()
{
    static const char *const adjectives[] = {
        "admiring", "brave", "clever", "eager", "focused", "gifted", "jolly", "keen", "nifty"};
    static const char *const names[] = {
        "babbage", "curie", "darwin", "hopper", "lovelace", "noether", "ritchie", "turing"};
    static quint64 counter = 0;
    ++counter;
    return QStringLiteral("%1_%2").arg(QLatin1String(adjectives[counter % std::size(adjectives)]),
                                       QLatin1String(names[(counter / 3) % std::size(names)]));
}

QJsonObject
volumeMount(const QString &name, const QString &destination, bool rw, const QString &mode)
{
    return QJsonObject{
        {QStringLiteral("Type"), QStringLiteral("volume")},
        {QStringLiteral("Name"), name},
        {QStringLiteral("Source"), QStringLiteral("/var/lib/docker/volumes/%1/_data").arg(name)},
        {QStringLiteral("Destination"), destination},
        {QStringLiteral("Driver"), QStringLiteral("local")},
        {QStringLiteral("Mode"), mode},
        {QStringLiteral("RW"), rw},
        {QStringLiteral("Propagation"), QString()}};
}

QJsonObject
bindMount(const QString &source, const QString &destination, bool rw, const QString &mode)
{
    return QJsonObject{{QStringLiteral("Type"), QStringLiteral("bind")},
                       {QStringLiteral("Source"), source},
                       {QStringLiteral("Destination"), destination},
                       {QStringLiteral("Mode"), mode},
                       {QStringLiteral("RW"), rw},
                       {QStringLiteral("Propagation"), QStringLiteral("rprivate")}};
}

/// Inspect's Mounts of a new container: HostConfig.Binds ("src:dst[:opts]", src a path or a
/// volume name), HostConfig.Mounts ({Type, Source, Target, ReadOnly}) and anonymous volumes for
/// Config.Volumes not covered by either.
QJsonArray
mountsAtCreate(const QStringList &binds, const QJsonArray &hostMounts, const QJsonObject &volumes)
{
    QJsonArray out;
    QSet<QString> targets;
    for (const QString &bind : binds) {
        const QStringList part = bind.split(QLatin1Char(':'));
        if (part.size() < 2)
            continue;
        const QString mode = part.value(2);
        const bool rw = !mode.split(QLatin1Char(',')).contains(QStringLiteral("ro"));
        targets.insert(part.at(1));
        if (part.at(0).startsWith(QLatin1Char('/')))
            out.append(bindMount(part.at(0), part.at(1), rw, mode));
        else
            out.append(volumeMount(
                part.at(0), part.at(1), rw, mode.isEmpty() ? QStringLiteral("z") : mode));
    }
    for (const auto &v : hostMounts) {
        const QJsonObject m = v.toObject();
        const QString type = m.value(QStringLiteral("Type")).toString();
        const QString source = m.value(QStringLiteral("Source")).toString();
        const QString target = m.value(QStringLiteral("Target")).toString();
        const bool rw = !m.value(QStringLiteral("ReadOnly")).toBool();
        targets.insert(target);
        if (type == QLatin1String("bind")) {
            out.append(bindMount(source, target, rw, QString()));
        } else if (type == QLatin1String("volume")) {
            out.append(volumeMount(source.isEmpty() ? randomHex(32) : source, target, rw, {}));
        } else {
            out.append(QJsonObject{{QStringLiteral("Type"), type},
                                   {QStringLiteral("Source"), QString()},
                                   {QStringLiteral("Destination"), target},
                                   {QStringLiteral("Mode"), QString()},
                                   {QStringLiteral("RW"), rw},
                                   {QStringLiteral("Propagation"), QString()}});
        }
    }
    for (auto it = volumes.begin(); it != volumes.end(); ++it) {
        if (!targets.contains(it.key()))
            out.append(volumeMount(randomHex(32), it.key(), true, QString()));
    }
    return out;
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
    if (!c.image.isEmpty() && !image(c.image)) {
        // An engine has the image of every container it holds.
        SimImage implied;
        implied.name = c.image;
        implied.cmd = c.cmd;
        implied.entrypoint = c.entrypoint;
        addImage(implied);
    }
    if (c.healthcheck.isEmpty() && !c.health.isEmpty()) {
        c.healthcheck =
            QJsonObject{{QStringLiteral("Test"),
                         QJsonArray{QStringLiteral("CMD-SHELL"),
                                    QStringLiteral("wget -qO- http://localhost/health || exit 1")}},
                        {QStringLiteral("Interval"), kDefaultHealthIntervalNs},
                        {QStringLiteral("Retries"), kDefaultProbeRetries}};
    }
    c.health.clear(); // a health status exists from the first start on
    if (c.binds.isEmpty() && c.hostConfig.value(QStringLiteral("Mounts")).toArray().isEmpty()) {
        // As `docker run -v` would have made these mounts: binds and named volumes in
        // HostConfig.Binds, anonymous volumes in Config.Volumes.
        QJsonObject volumes = c.extraConfig.value(QStringLiteral("Volumes")).toObject();
        for (const auto &v : std::as_const(c.mounts)) {
            const QJsonObject m = v.toObject();
            const QString type = m.value(QStringLiteral("Type")).toString();
            const QString destination = m.value(QStringLiteral("Destination")).toString();
            const QString ro =
                m.value(QStringLiteral("RW")).toBool() ? QString() : QStringLiteral(":ro");
            if (type == QLatin1String("bind"))
                c.binds << m.value(QStringLiteral("Source")).toString() + QLatin1Char(':')
                               + destination + ro;
            else if (type == QLatin1String("volume")
                     && !isAnonymousVolume(m.value(QStringLiteral("Name")).toString()))
                c.binds << m.value(QStringLiteral("Name")).toString() + QLatin1Char(':')
                               + destination + ro;
            else if (type == QLatin1String("volume"))
                volumes.insert(destination, QJsonObject());
        }
        if (!volumes.isEmpty())
            c.extraConfig.insert(QStringLiteral("Volumes"), volumes);
    }
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
    m_eventStreams.removeIf([](const EventStream &s) { return !s.exchange; });
    for (const EventStream &stream : std::as_const(m_eventStreams)) {
        if (eventMatches(stream.filters, event))
            stream.exchange->write(line);
    }
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
    const bool health = hasHealthcheck(*it);
    if (health) {
        // moby's initHealthMonitor: "starting", the streak reset, the log kept.
        it->health = QStringLiteral("starting");
        it->failingStreak = 0;
    }
    const quint64 run = ++m_generation;
    m_runGeneration.insert(it->id, run);
    emitEvent(*it, QStringLiteral("start"));
    appendLog(it->id, QStringLiteral("%1: started").arg(it->name));
    const QString id = it->id;
    if (health)
        scheduleProbe(id, run);
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

void SimDockerHost::scheduleProbe(const QString &id, quint64 run)
{
    const auto it = m_containers.constFind(id);
    if (it == m_containers.cend())
        return;
    // The first probe runs one interval after start, then one per interval (moby monitor()).
    const qint64 interval =
        durationMs(it->healthcheck.value(QStringLiteral("Interval")), kDefaultProbeIntervalMs);
    QTimer::singleShot(std::max(kMinProbeMs, scaled(int(std::min<qint64>(interval, kDayMs)))),
                       this,
                       [this, id, run] { probe(id, run); });
}

void SimDockerHost::probe(const QString &id, quint64 run)
{
    auto it = m_containers.find(id);
    if (it == m_containers.end() || m_runGeneration.value(id) != run
        || it->state != QLatin1String("running"))
        return;
    const QDateTime started = QDateTime::currentDateTimeUtc();
    // A process about to crash serves nothing; an image that never turns healthy answers 503.
    const bool pass = !it->probesFail && it->crashAfterMs == 0;
    const QString output =
        pass ? QStringLiteral("{\"status\":\"UP\"}")
        : it->probesFail
            ? QStringLiteral(
                "curl: (22) The requested URL returned error: 503 Service Unavailable\n")
            : QStringLiteral(
                "curl: (7) Failed to connect to localhost port 8080: Connection refused\n");
    it->healthLog.append(
        QJsonObject{{QStringLiteral("Start"), rfc3339(started)},
                    {QStringLiteral("End"), rfc3339(started.addMSecs(kProbeDurationMs))},
                    {QStringLiteral("ExitCode"), pass ? 0 : 1},
                    {QStringLiteral("Output"), output}});
    while (it->healthLog.size() > kMaxHealthLog)
        it->healthLog.removeFirst();
    const QString before = it->health;
    if (pass) {
        it->failingStreak = 0;
        it->health = QStringLiteral("healthy");
    } else {
        // Failures within the start period do not count (moby handleProbeResult).
        const qint64 startPeriod =
            durationMs(it->healthcheck.value(QStringLiteral("StartPeriod")), 0);
        if (startPeriod == 0 || it->startedAt.msecsTo(started) >= scaled(int(startPeriod))) {
            ++it->failingStreak;
            const int retries = it->healthcheck.value(QStringLiteral("Retries")).toInt();
            if (it->failingStreak >= (retries > 0 ? retries : kDefaultProbeRetries))
                it->health = QStringLiteral("unhealthy");
        }
    }
    if (it->health != before)
        emitEvent(*it, QStringLiteral("health_status: ") + it->health);
    scheduleProbe(id, run);
}

int SimDockerHost::imageIndex(const QString &nameOrId) const
{
    if (nameOrId.isEmpty())
        return -1;
    const QString name = normalizedImageName(nameOrId);
    for (int i = 0; i < m_images.size(); ++i) {
        if (m_images.at(i).name == name || m_images.at(i).id == nameOrId)
            return i;
    }
    // An id without "sha256:", or a prefix of it (at least a few digits, and unique).
    const QString hex = nameOrId.startsWith(QLatin1String("sha256:")) ? nameOrId.mid(7) : nameOrId;
    static const QRegularExpression hexOnly(QStringLiteral("^[0-9a-f]{3,64}$"));
    if (!hexOnly.match(hex).hasMatch())
        return -1;
    int found = -1;
    for (int i = 0; i < m_images.size(); ++i) {
        if (m_images.at(i).id.mid(7).startsWith(hex)) {
            if (found >= 0)
                return -1;
            found = i;
        }
    }
    return found;
}

void SimDockerHost::setHostFile(const QString &path, const QByteArray &content)
{
    m_hostFiles.insert(path, content);
}

void SimDockerHost::addImage(SimImage image)
{
    image.name = normalizedImageName(image.name);
    if (image.id.isEmpty())
        image.id = imageId(image.name);
    if (!image.created.isValid())
        image.created = QDateTime::currentDateTimeUtc().addDays(-3);
    for (SimImage &existing : m_images) {
        if (existing.name == image.name) {
            existing = image;
            return;
        }
    }
    m_images << image;
}

const SimImage *SimDockerHost::image(const QString &nameOrId) const
{
    const int i = imageIndex(nameOrId);
    return i < 0 ? nullptr : &m_images.at(i);
}

QString SimDockerHost::imageIdOf(const SimContainer &c) const
{
    if (!c.imageId.isEmpty())
        return c.imageId;
    const SimImage *img = image(c.image);
    return img ? img->id : imageId(c.image);
}

SimApiResult SimDockerHost::nameConflict(const QString &name) const
{
    for (const SimContainer &other : std::as_const(m_containers)) {
        if (other.name == name)
            return {409,
                    QStringLiteral("Conflict. The container name \"/%1\" is already in use by "
                                   "container \"%2\". You have to remove (or rename) that "
                                   "container to be able to reuse that name.")
                        .arg(name, other.id)};
    }
    return {};
}

SimApiResult SimDockerHost::createContainer(const QString &requestedName, const QJsonObject &body)
{
    QString name = requestedName;
    if (!name.isEmpty()) {
        if (!validContainerName(name))
            return {400,
                    QStringLiteral("Invalid container name (%1), only [a-zA-Z0-9][a-zA-Z0-9_.-] "
                                   "are allowed")
                        .arg(name)};
        if (name.startsWith(QLatin1Char('/')))
            name = name.mid(1);
        if (const SimApiResult conflict = nameConflict(name); !conflict.ok())
            return conflict;
    } else {
        do
            name = generatedName() + QString::number(m_containers.size());
        while (!resolve(name).isEmpty());
    }
    const QString imageName = body.value(QStringLiteral("Image")).toString();
    const SimImage *img = image(imageName);
    if (!img)
        return {404, QStringLiteral("No such image: %1").arg(normalizedImageName(imageName))};

    const QJsonObject hostConfig = body.value(QStringLiteral("HostConfig")).toObject();
    const QJsonObject policy = hostConfig.value(QStringLiteral("RestartPolicy")).toObject();
    const QString policyName = policy.value(QStringLiteral("Name")).toString();
    const int maxRetries = policy.value(QStringLiteral("MaximumRetryCount")).toInt();
    static const QStringList policies{QString(),
                                      QStringLiteral("no"),
                                      QStringLiteral("always"),
                                      QStringLiteral("unless-stopped"),
                                      QStringLiteral("on-failure")};
    if (!policies.contains(policyName))
        return {400, QStringLiteral("invalid restart policy '%1'").arg(policyName)};
    if (maxRetries < 0)
        return {400, QStringLiteral("maximum retry count cannot be negative")};
    if (maxRetries > 0 && policyName != QLatin1String("on-failure"))
        return {400,
                QStringLiteral("maximum retry count cannot be used with restart policy '%1'")
                    .arg(policyName)};

    SimContainer c;
    c.id = newId(m_name, name);
    c.name = name;
    c.image = imageName;
    c.imageId = img->id;
    c.created = QDateTime::currentDateTimeUtc();
    // The image's config under what the body says (moby daemon/commit.go merge()).
    c.env = strings(body.value(QStringLiteral("Env")));
    for (const QString &e : img->env) {
        const QString key = e.section(QLatin1Char('='), 0, 0) + QLatin1Char('=');
        bool overridden = false;
        for (const QString &own : std::as_const(c.env))
            overridden = overridden || own.startsWith(key) || own == key.chopped(1);
        if (!overridden)
            c.env << e;
    }
    c.cmd = strings(body.value(QStringLiteral("Cmd")));
    c.entrypoint = strings(body.value(QStringLiteral("Entrypoint")));
    if (c.entrypoint.isEmpty()) {
        if (c.cmd.isEmpty())
            c.cmd = img->cmd;
        const QJsonValue given = body.value(QStringLiteral("Entrypoint"));
        if (given.isNull() || given.isUndefined())
            c.entrypoint = img->entrypoint;
    }
    if (c.cmd.isEmpty() && c.entrypoint.isEmpty())
        return {400, QStringLiteral("No command specified")};
    c.labels = img->labels;
    const QJsonObject labels = body.value(QStringLiteral("Labels")).toObject();
    for (auto it = labels.begin(); it != labels.end(); ++it)
        c.labels.insert(it.key(), it.value().toString());
    const QJsonObject givenCheck = body.value(QStringLiteral("Healthcheck")).toObject();
    c.healthcheck = img->healthcheck;
    if (!givenCheck.isEmpty()) {
        QJsonObject merged = givenCheck;
        for (const QString &key : {QStringLiteral("Test"),
                                   QStringLiteral("Interval"),
                                   QStringLiteral("Timeout"),
                                   QStringLiteral("StartPeriod"),
                                   QStringLiteral("Retries")}) {
            const QJsonValue v = givenCheck.value(key);
            const bool unset =
                key == QLatin1String("Test") ? v.toArray().isEmpty() : v.toInteger() == 0;
            if (unset && img->healthcheck.contains(key))
                merged.insert(key, img->healthcheck.value(key));
        }
        c.healthcheck = merged;
    }
    c.exposedPorts = img->exposedPorts;
    const QJsonObject ports = body.value(QStringLiteral("ExposedPorts")).toObject();
    for (auto it = ports.begin(); it != ports.end(); ++it)
        c.exposedPorts.insert(it.key(), it.value());
    c.hostname = body.value(QStringLiteral("Hostname")).toString();
    c.tty = body.value(QStringLiteral("Tty")).toBool();
    static const QSet<QString> handled{QStringLiteral("Image"),
                                       QStringLiteral("Env"),
                                       QStringLiteral("Cmd"),
                                       QStringLiteral("Entrypoint"),
                                       QStringLiteral("Labels"),
                                       QStringLiteral("Healthcheck"),
                                       QStringLiteral("ExposedPorts"),
                                       QStringLiteral("Hostname"),
                                       QStringLiteral("Tty"),
                                       QStringLiteral("HostConfig"),
                                       QStringLiteral("NetworkingConfig")};
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (!handled.contains(it.key()))
            c.extraConfig.insert(it.key(), it.value());
    }

    c.hostConfig = hostConfig;
    c.restartPolicy = policyName;
    c.maximumRetryCount = maxRetries;
    c.binds = strings(hostConfig.value(QStringLiteral("Binds")));
    c.mounts = mountsAtCreate(c.binds,
                              hostConfig.value(QStringLiteral("Mounts")).toArray(),
                              body.value(QStringLiteral("Volumes")).toObject());
    c.networkMode = hostConfig.value(QStringLiteral("NetworkMode")).toString();
    if (c.networkMode.isEmpty())
        c.networkMode = QStringLiteral("default");
    // API 1.41 attaches one network at create: the one NetworkMode names.
    const QString network =
        c.networkMode == QLatin1String("default") ? QStringLiteral("bridge") : c.networkMode;
    if (!network.startsWith(QLatin1String("container:"))) {
        const QJsonObject endpoints = body.value(QStringLiteral("NetworkingConfig"))
                                          .toObject()
                                          .value(QStringLiteral("EndpointsConfig"))
                                          .toObject();
        QJsonObject endpoint = endpoints.value(network).toObject();
        static const QSet<QString> builtIn{
            QStringLiteral("bridge"), QStringLiteral("host"), QStringLiteral("none")};
        if (!builtIn.contains(network)) {
            // On a user-defined network the engine adds the short id to the aliases.
            QJsonArray aliases = endpoint.value(QStringLiteral("Aliases")).toArray();
            aliases.append(c.id.left(12));
            endpoint.insert(QStringLiteral("Aliases"), aliases);
        }
        c.networks.insert(network, endpoint);
    }
    const SimBehaviour behaviour = img->behaviour;
    c.probesFail = behaviour == SimBehaviour::NeverHealthy;
    if (behaviour == SimBehaviour::Crash) {
        c.crashAfterMs = std::max(1, img->crashAfterMs);
        c.crashExitCode = 1;
    }
    c.log = {QStringLiteral("%1: created from %2").arg(name, imageName)};
    const QString id = addContainer(c, false);
    return {201, QString(), id};
}

SimApiResult SimDockerHost::renameContainer(const QString &idOrName, const QString &requestedName)
{
    if (idOrName.isEmpty() || requestedName.isEmpty())
        return {400, QStringLiteral("Neither old nor new names may be empty")};
    const QString id = resolve(idOrName);
    auto it = m_containers.find(id);
    if (it == m_containers.end())
        return {404, QStringLiteral("No such container: %1").arg(idOrName)};
    const QString name =
        requestedName.startsWith(QLatin1Char('/')) ? requestedName.mid(1) : requestedName;
    if (name == it->name)
        return {400, QStringLiteral("Renaming a container with the same name as its current name")};
    if (!validContainerName(name))
        return {400,
                QStringLiteral("Invalid container name (/%1), only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
                               "allowed")
                    .arg(name)};
    if (const SimApiResult conflict = nameConflict(name); !conflict.ok())
        return conflict;
    const QString oldName = QLatin1Char('/') + it->name;
    it->name = name;
    emitEvent(*it, QStringLiteral("rename"), {{QStringLiteral("oldName"), oldName}});
    return {204};
}

SimApiResult SimDockerHost::deleteContainer(const QString &idOrName, bool force)
{
    const QString id = resolve(idOrName);
    const auto it = m_containers.constFind(id);
    if (it == m_containers.cend())
        return {404, QStringLiteral("No such container: %1").arg(idOrName)};
    const bool running =
        it->state == QLatin1String("running") || it->state == QLatin1String("restarting");
    if (running && !force)
        return {409,
                QStringLiteral("You cannot remove a %1 container %2. Stop the container before "
                               "attempting removal or force remove")
                    .arg(it->state, id)};
    removeContainer(id);
    return {204};
}

SimApiResult SimDockerHost::updateContainer(const QString &idOrName, const QJsonObject &body)
{
    const QString id = resolve(idOrName);
    auto it = m_containers.find(id);
    if (it == m_containers.end())
        return {404, QStringLiteral("No such container: %1").arg(idOrName)};
    if (body.contains(QStringLiteral("RestartPolicy"))) {
        const QJsonObject policy = body.value(QStringLiteral("RestartPolicy")).toObject();
        const QString name = policy.value(QStringLiteral("Name")).toString();
        const int retries = policy.value(QStringLiteral("MaximumRetryCount")).toInt();
        if (retries > 0 && name != QLatin1String("on-failure"))
            return {400,
                    QStringLiteral("maximum retry count cannot be used with restart policy '%1'")
                        .arg(name)};
        it->restartPolicy = name;
        it->maximumRetryCount = retries;
    }
    for (auto key = body.begin(); key != body.end(); ++key) {
        if (key.key() != QLatin1String("RestartPolicy"))
            it->hostConfig.insert(key.key(), key.value());
    }
    emitEvent(*it, QStringLiteral("update"));
    return {200};
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

QJsonObject SimDockerHost::networksOf(const SimContainer &c) const
{
    if (!c.networks.isEmpty() || c.networkMode.startsWith(QLatin1String("container:"))) {
        // What the engine fills in when it connects the endpoint.
        QJsonObject out;
        int n = 2;
        for (auto it = c.networks.begin(); it != c.networks.end(); ++it, ++n) {
            QJsonObject e = it.value().toObject();
            const bool addressed =
                it.key() != QLatin1String("none") && it.key() != QLatin1String("host");
            const QString subnet = QStringLiteral("172.%1.0.").arg(17 + qHash(it.key()) % 10);
            const quint32 host = 2 + qHash(c.id) % 250;
            e.insert(QStringLiteral("NetworkID"),
                     QString::fromLatin1(
                         QCryptographicHash::hash(it.key().toUtf8(), QCryptographicHash::Sha256)
                             .toHex()));
            e.insert(QStringLiteral("EndpointID"),
                     QString::fromLatin1(QCryptographicHash::hash((c.id + it.key()).toUtf8(),
                                                                  QCryptographicHash::Sha256)
                                             .toHex()));
            e.insert(QStringLiteral("Gateway"),
                     addressed ? subnet + QStringLiteral("1") : QString());
            e.insert(QStringLiteral("IPAddress"),
                     addressed ? subnet + QString::number(host) : QString());
            e.insert(QStringLiteral("IPPrefixLen"), addressed ? 16 : 0);
            e.insert(QStringLiteral("MacAddress"),
                     addressed ? QStringLiteral("02:42:ac:%1:00:%2")
                                     .arg(17 + qHash(it.key()) % 10, 2, 16, QLatin1Char('0'))
                                     .arg(host, 2, 16, QLatin1Char('0'))
                               : QString());
            if (!e.contains(QStringLiteral("Aliases")))
                e.insert(QStringLiteral("Aliases"), QJsonValue(QJsonValue::Null));
            out.insert(it.key(), e);
        }
        return out;
    }
    SimContainer derived = c;
    derived.networks.insert(c.networkMode == QLatin1String("default") ? QStringLiteral("bridge")
                                                                      : c.networkMode,
                            QJsonObject());
    return networksOf(derived);
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
    // Ports: published ones with their host port, exposed ones without.
    QJsonArray ports;
    const QJsonObject bindings = c.hostConfig.value(QStringLiteral("PortBindings")).toObject();
    const bool running = c.state == QLatin1String("running");
    for (auto it = c.exposedPorts.begin(); it != c.exposedPorts.end(); ++it) {
        QJsonObject port{
            {QStringLiteral("PrivatePort"), it.key().section(QLatin1Char('/'), 0, 0).toInt()},
            {QStringLiteral("Type"), it.key().section(QLatin1Char('/'), 1, 1)}};
        const QJsonArray published = bindings.value(it.key()).toArray();
        if (running && !published.isEmpty()) {
            const QJsonObject b = published.first().toObject();
            const QString ip = b.value(QStringLiteral("HostIp")).toString();
            port.insert(QStringLiteral("IP"), ip.isEmpty() ? QStringLiteral("0.0.0.0") : ip);
            port.insert(QStringLiteral("PublicPort"),
                        b.value(QStringLiteral("HostPort")).toString().toInt());
        }
        ports.append(port);
    }
    return QJsonObject{
        {QStringLiteral("Id"), c.id},
        {QStringLiteral("Names"), QJsonArray{QString(QLatin1Char('/') + c.name)}},
        {QStringLiteral("Image"), c.image},
        {QStringLiteral("ImageID"), imageIdOf(c)},
        {QStringLiteral("Command"), (c.entrypoint + c.cmd).join(QLatin1Char(' '))},
        {QStringLiteral("Created"), c.created.toSecsSinceEpoch()},
        {QStringLiteral("State"), c.state},
        {QStringLiteral("Status"), status},
        {QStringLiteral("Ports"), ports},
        {QStringLiteral("Labels"), labelsJson(c.labels)},
        {QStringLiteral("HostConfig"), QJsonObject{{QStringLiteral("NetworkMode"), c.networkMode}}},
        {QStringLiteral("NetworkSettings"),
         QJsonObject{{QStringLiteral("Networks"), networksOf(c)}}},
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
                                 {QStringLiteral("FailingStreak"), c.failingStreak},
                                 {QStringLiteral("Log"), c.healthLog}});
    QJsonObject config = c.extraConfig;
    config.insert(QStringLiteral("Hostname"), c.hostname.isEmpty() ? c.id.left(12) : c.hostname);
    config.insert(QStringLiteral("Image"), c.image);
    config.insert(QStringLiteral("Env"), QJsonArray::fromStringList(c.env));
    config.insert(QStringLiteral("Cmd"), listOrNull(c.cmd));
    config.insert(QStringLiteral("Entrypoint"), listOrNull(c.entrypoint));
    config.insert(QStringLiteral("Labels"), labelsJson(c.labels));
    config.insert(QStringLiteral("Tty"), c.tty);
    if (!c.exposedPorts.isEmpty())
        config.insert(QStringLiteral("ExposedPorts"), c.exposedPorts);
    if (!c.healthcheck.isEmpty())
        config.insert(QStringLiteral("Healthcheck"), c.healthcheck);
    QJsonObject hostConfig = c.hostConfig;
    hostConfig.insert(QStringLiteral("RestartPolicy"),
                      QJsonObject{{QStringLiteral("Name"), c.restartPolicy},
                                  {QStringLiteral("MaximumRetryCount"), c.maximumRetryCount}});
    hostConfig.insert(QStringLiteral("NetworkMode"), c.networkMode);
    hostConfig.insert(QStringLiteral("Binds"), listOrNull(c.binds));
    if (!hostConfig.contains(QStringLiteral("PortBindings")))
        hostConfig.insert(QStringLiteral("PortBindings"), QJsonObject());
    // NetworkSettings.Ports: every exposed port, with its host bindings while running.
    QJsonObject ports;
    const QJsonObject bindings = hostConfig.value(QStringLiteral("PortBindings")).toObject();
    for (auto it = c.exposedPorts.begin(); it != c.exposedPorts.end(); ++it)
        ports.insert(it.key(),
                     c.state == QLatin1String("running") && bindings.contains(it.key())
                         ? bindings.value(it.key())
                         : QJsonValue(QJsonValue::Null));
    const QStringList command = c.entrypoint + c.cmd;
    return QJsonObject{{QStringLiteral("Id"), c.id},
                       {QStringLiteral("Created"), rfc3339(c.created)},
                       {QStringLiteral("Path"), command.value(0)},
                       {QStringLiteral("Args"), QJsonArray::fromStringList(command.mid(1))},
                       {QStringLiteral("State"), state},
                       {QStringLiteral("Image"), imageIdOf(c)},
                       {QStringLiteral("Name"), QString(QLatin1Char('/') + c.name)},
                       {QStringLiteral("RestartCount"), c.restartCount},
                       {QStringLiteral("Driver"), QStringLiteral("overlay2")},
                       {QStringLiteral("Platform"), QStringLiteral("linux")},
                       {QStringLiteral("HostConfig"), hostConfig},
                       {QStringLiteral("Config"), config},
                       {QStringLiteral("Mounts"), c.mounts},
                       {QStringLiteral("NetworkSettings"),
                        QJsonObject{{QStringLiteral("Ports"), ports},
                                    {QStringLiteral("Networks"), networksOf(c)}}}};
}

QJsonObject SimDockerHost::imageSummaryJson(const SimImage &image) const
{
    int containers = 0;
    for (const SimContainer &c : std::as_const(m_containers))
        containers += imageIdOf(c) == image.id ? 1 : 0;
    return QJsonObject{{QStringLiteral("Id"), image.id},
                       {QStringLiteral("ParentId"), QString()},
                       {QStringLiteral("RepoTags"), QJsonArray{image.name}},
                       {QStringLiteral("RepoDigests"), QJsonArray()},
                       {QStringLiteral("Created"), image.created.toSecsSinceEpoch()},
                       {QStringLiteral("Size"), image.size},
                       {QStringLiteral("VirtualSize"), image.size},
                       {QStringLiteral("SharedSize"), -1},
                       {QStringLiteral("Labels"), labelsJson(image.labels)},
                       {QStringLiteral("Containers"), containers}};
}

QJsonObject SimDockerHost::imageInspectJson(const SimImage &image) const
{
    QJsonObject config{{QStringLiteral("Hostname"), QString()},
                       {QStringLiteral("Domainname"), QString()},
                       {QStringLiteral("User"), QString()},
                       {QStringLiteral("Env"), listOrNull(image.env)},
                       {QStringLiteral("Cmd"), listOrNull(image.cmd)},
                       {QStringLiteral("Entrypoint"), listOrNull(image.entrypoint)},
                       {QStringLiteral("Image"), QString()},
                       {QStringLiteral("WorkingDir"), QString()},
                       {QStringLiteral("Labels"), labelsJson(image.labels)}};
    if (!image.exposedPorts.isEmpty())
        config.insert(QStringLiteral("ExposedPorts"), image.exposedPorts);
    if (!image.healthcheck.isEmpty())
        config.insert(QStringLiteral("Healthcheck"), image.healthcheck);
    const QString layer = QStringLiteral("sha256:")
                          + QString::fromLatin1(QCryptographicHash::hash(
                                                    (image.id + QStringLiteral("layer")).toUtf8(),
                                                    QCryptographicHash::Sha256)
                                                    .toHex());
    return QJsonObject{
        {QStringLiteral("Id"), image.id},
        {QStringLiteral("RepoTags"), QJsonArray{image.name}},
        {QStringLiteral("RepoDigests"), QJsonArray()},
        {QStringLiteral("Parent"), QString()},
        {QStringLiteral("Comment"), QString()},
        {QStringLiteral("Created"), rfc3339(image.created)},
        {QStringLiteral("DockerVersion"), QStringLiteral("20.10.24")},
        {QStringLiteral("Author"), QString()},
        {QStringLiteral("Config"), config},
        {QStringLiteral("Architecture"), QStringLiteral("amd64")},
        {QStringLiteral("Os"), QStringLiteral("linux")},
        {QStringLiteral("Size"), image.size},
        {QStringLiteral("VirtualSize"), image.size},
        {QStringLiteral("GraphDriver"),
         QJsonObject{{QStringLiteral("Name"), QStringLiteral("overlay2")},
                     {QStringLiteral("Data"), QJsonObject()}}},
        {QStringLiteral("RootFS"),
         QJsonObject{{QStringLiteral("Type"), QStringLiteral("layers")},
                     {QStringLiteral("Layers"), QJsonArray{layer}}}},
        {QStringLiteral("Metadata"),
         QJsonObject{{QStringLiteral("LastTagTime"), QStringLiteral("0001-01-01T00:00:00Z")}}}};
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
    const auto own = c.files.constFind(clean);
    const QByteArray *file = own == c.files.cend() ? nullptr : &*own;
    // A path under a bind mount is the host's file.
    for (const auto &v : c.mounts) {
        const QJsonObject m = v.toObject();
        const QString destination = m.value(QStringLiteral("Destination")).toString();
        if (file || m.value(QStringLiteral("Type")).toString() != QLatin1String("bind")
            || (clean != destination && !clean.startsWith(destination + QLatin1Char('/'))))
            continue;
        const auto onHost = m_hostFiles.constFind(m.value(QStringLiteral("Source")).toString()
                                                  + clean.mid(destination.size()));
        if (onHost != m_hostFiles.cend())
            file = &*onHost;
    }
    if (!file) {
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
        QMap<QString, QStringList> filters;
        QString error;
        if (!parseFilters(r.query.queryItemValue(QStringLiteral("filters"), QUrl::FullyDecoded),
                          &filters,
                          &error)) {
            exchange->respond(400, message(error));
            return;
        }
        exchange->startStream(200, "application/json");
        m_eventStreams << EventStream{exchange, filters};
        return;
    }
    auto answer = [exchange](const SimApiResult &result, const QByteArray &body = {}) {
        if (!result.ok())
            exchange->respond(result.status, message(result.message));
        else if (body.isEmpty())
            exchange->respond(result.status, QByteArray(), QByteArray());
        else
            exchange->respond(result.status, body);
    };
    auto flag = [&r](const char *name) {
        const QString v = r.query.queryItemValue(QLatin1String(name));
        return v == QLatin1String("1")
               || v.compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
    };
    if (path == QLatin1String("/images/json") && get) {
        QJsonArray list;
        for (const SimImage &image : std::as_const(m_images))
            list.append(imageSummaryJson(image));
        exchange->respond(200, QJsonDocument(list).toJson(QJsonDocument::Compact));
        return;
    }
    // An image name holds slashes: /images/registry.example.com/shop/shop-api:1.4.2/json.
    if (path.startsWith(QLatin1String("/images/")) && path.endsWith(QLatin1String("/json"))
        && path.size() > 13 && get) {
        const QString name = path.mid(8, path.size() - 13);
        if (const SimImage *found = image(name))
            exchange->respond(200, json(imageInspectJson(*found)));
        else
            exchange->respond(
                404, message(QStringLiteral("No such image: %1").arg(normalizedImageName(name))));
        return;
    }
    if (parts.size() == 2 && parts.at(0) == QLatin1String("containers")
        && parts.at(1) == QLatin1String("create") && post) {
        QJsonParseError error{};
        const QJsonDocument doc = QJsonDocument::fromJson(r.body, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject()) {
            exchange->respond(400,
                              message(r.body.trimmed().isEmpty()
                                          ? QStringLiteral("Config cannot be empty in order to "
                                                           "create a container")
                                          : QStringLiteral("invalid character in JSON: %1")
                                                .arg(error.errorString())));
            return;
        }
        const SimApiResult result = createContainer(
            r.query.queryItemValue(QStringLiteral("name"), QUrl::FullyDecoded), doc.object());
        answer(result,
               json(QJsonObject{{QStringLiteral("Id"), result.id},
                                {QStringLiteral("Warnings"), QJsonArray()}}));
        return;
    }
    if (parts.size() == 2 && parts.at(0) == QLatin1String("containers") && r.method == "DELETE") {
        answer(deleteContainer(parts.at(1), flag("force")));
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
        } else if (verb == QLatin1String("rename") && post) {
            answer(renameContainer(
                id, r.query.queryItemValue(QStringLiteral("name"), QUrl::FullyDecoded)));
        } else if (verb == QLatin1String("update") && post) {
            const QJsonDocument doc = QJsonDocument::fromJson(r.body);
            if (!doc.isObject()) {
                exchange->respond(400, message(QStringLiteral("invalid JSON body")));
                return;
            }
            answer(updateContainer(id, doc.object()),
                   json(QJsonObject{{QStringLiteral("Warnings"), QJsonArray()}}));
        } else {
            exchange->respond(404, message(QStringLiteral("page not found")));
        }
        return;
    }
    exchange->respond(404, message(QStringLiteral("page not found")));
}

} // namespace Opsdeck::Sim
