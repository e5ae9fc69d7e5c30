// SPDX-License-Identifier: MIT
#include "app/sim/simconsul.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSet>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace Opsdeck::Sim {

namespace {

// Consul's kv_max_value_size default.
constexpr qsizetype kMaxValueSize = 512 * 1024;
// Blocking queries: wait defaults to 5 min and is capped at 10 min (API reference §4.3).
constexpr qint64 kDefaultWaitMs = 5 * 60 * 1000;
constexpr qint64 kMaxWaitMs = 10 * 60 * 1000;
const char kServerNode[] = "consul-1";
const char kServerAddress[] = "127.0.0.1:8300";
const char kVersion[] = "1.15.4";

QByteArray compact(const QJsonDocument &doc)
{
    return doc.toJson(QJsonDocument::Compact);
}

/// A JSON string literal, quotes included.
QByteArray jsonString(const QString &s)
{
    const QByteArray array = compact(QJsonDocument(QJsonArray{s}));
    return array.mid(1, array.size() - 2);
}

bool isAsciiDigit(QChar c)
{
    return c >= QLatin1Char('0') && c <= QLatin1Char('9');
}

/// Go's time.ParseDuration, which Consul uses for ?wait: "300ms", "1m30s", "1.5h", "0".
bool parseGoDuration(const QString &s, double *ms)
{
    qsizetype i = 0;
    const qsizetype n = s.size();
    bool negative = false;
    if (i < n && (s.at(i) == QLatin1Char('-') || s.at(i) == QLatin1Char('+')))
        negative = s.at(i++) == QLatin1Char('-');
    if (s.mid(i) == QLatin1String("0")) {
        *ms = 0;
        return true;
    }
    if (i == n)
        return false;
    double total = 0;
    while (i < n) {
        const qsizetype start = i;
        bool digits = false;
        while (i < n && isAsciiDigit(s.at(i))) {
            ++i;
            digits = true;
        }
        if (i < n && s.at(i) == QLatin1Char('.')) {
            ++i;
            while (i < n && isAsciiDigit(s.at(i))) {
                ++i;
                digits = true;
            }
        }
        if (!digits)
            return false;
        const double value = s.mid(start, i - start).toDouble();
        const qsizetype unitStart = i;
        while (i < n && !isAsciiDigit(s.at(i)) && s.at(i) != QLatin1Char('.'))
            ++i;
        const QString unit = s.mid(unitStart, i - unitStart);
        double factor = 0;
        if (unit == QLatin1String("ns"))
            factor = 1e-6;
        else if (unit == QLatin1String("us") || unit == QStringLiteral("\u00b5s")
                 || unit == QStringLiteral("\u03bcs"))
            factor = 1e-3;
        else if (unit == QLatin1String("ms"))
            factor = 1;
        else if (unit == QLatin1String("s"))
            factor = 1000;
        else if (unit == QLatin1String("m"))
            factor = 60 * 1000;
        else if (unit == QLatin1String("h"))
            factor = 3600 * 1000;
        else
            return false; // missing or unknown unit
        total += value * factor;
    }
    if (!std::isfinite(total) || total * 1e6 > 9.2e18) // beyond an int64 of nanoseconds
        return false;
    *ms = negative ? -total : total;
    return true;
}

/// Go's strconv.ParseUint(s, 10, 64).
bool parseUint64(const QString &s, quint64 *value)
{
    if (s.isEmpty() || !std::all_of(s.cbegin(), s.cend(), isAsciiDigit))
        return false;
    bool ok = false;
    *value = s.toULongLong(&ok, 10);
    return ok;
}

QByteArray parseUintError(const QString &s)
{
    bool digits = !s.isEmpty() && std::all_of(s.cbegin(), s.cend(), isAsciiDigit);
    return "strconv.ParseUint: parsing " + jsonString(s) + ": "
           + (digits ? "value out of range" : "invalid syntax");
}

/// Go's strconv.ParseBool.
bool parseGoBool(const QString &s, bool *value)
{
    static const QStringList yes{QStringLiteral("1"),
                                 QStringLiteral("t"),
                                 QStringLiteral("T"),
                                 QStringLiteral("true"),
                                 QStringLiteral("TRUE"),
                                 QStringLiteral("True")};
    static const QStringList no{QStringLiteral("0"),
                                QStringLiteral("f"),
                                QStringLiteral("F"),
                                QStringLiteral("false"),
                                QStringLiteral("FALSE"),
                                QStringLiteral("False")};
    if (yes.contains(s))
        *value = true;
    else if (no.contains(s))
        *value = false;
    else
        return false;
    return true;
}

/// A stable node id (UUID form) from the node name.
QString nodeId(const QString &node)
{
    const QByteArray h = QCryptographicHash::hash(node.toUtf8(), QCryptographicHash::Md5).toHex();
    return QString::fromLatin1(h.left(8) + '-' + h.mid(8, 4) + '-' + h.mid(12, 4) + '-'
                               + h.mid(16, 4) + '-' + h.mid(20));
}

bool hasAllTags(const QStringList &tags, const QStringList &wanted)
{
    return std::all_of(
        wanted.cbegin(), wanted.cend(), [&tags](const QString &t) { return tags.contains(t); });
}

} // namespace

SimConsul::SimConsul(QObject *parent)
    : QObject(parent)
{
    m_server.setHandler([this](HttpExchange *exchange) { handle(exchange); });
    // Every Consul catalog lists the servers' own service, without checks.
    SimConsulInstance self;
    self.node = QLatin1String(kServerNode);
    self.address = QStringLiteral("127.0.0.1");
    self.port = 8300;
    self.id = QStringLiteral("consul");
    self.status.clear();
    registerService(QStringLiteral("consul"), {}, {self});
}

SimConsul::~SimConsul()
{
    m_server.stop(); // answers held requests while the state they read still exists
    for (Held &held : m_held)
        delete held.timer;
    m_held.clear();
}

bool SimConsul::listen(quint16 port)
{
    return m_server.listen(port);
}

void SimConsul::stop()
{
    m_server.stop();
}

QUrl SimConsul::url() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port()));
}

// ---- the estate's side ------------------------------------------------------------------------

void SimConsul::setKey(const QString &key, const QByteArray &value, quint64 flags)
{
    ++m_index;
    storeKey(key, value, flags);
    wakeHeld();
}

bool SimConsul::deleteKey(const QString &key)
{
    ++m_index;
    const bool existed = removeKey(key);
    wakeHeld();
    return existed;
}

void SimConsul::registerService(const QString &name,
                                const QStringList &tags,
                                const QList<SimConsulInstance> &instances)
{
    const quint64 idx = ++m_index;
    Service &s = m_services[name];
    if (s.createIndex == 0)
        s.createIndex = idx;
    s.tags = tags;
    s.instances = instances;
    for (SimConsulInstance &i : s.instances) {
        if (i.id.isEmpty())
            i.id = name;
    }
    s.registerIndex = idx;
    s.healthIndex = idx;
    m_removedServices.remove(name);
    m_servicesIndex = idx;
    m_checksIndex = idx;
    wakeHeld();
}

bool SimConsul::deregisterService(const QString &name)
{
    if (!m_services.contains(name))
        return false;
    const quint64 idx = ++m_index;
    m_services.remove(name);
    m_removedServices.insert(name, idx);
    m_servicesIndex = idx;
    m_checksIndex = idx;
    wakeHeld();
    return true;
}

bool SimConsul::setCheckStatus(const QString &serviceId,
                               const QString &status,
                               const QString &output)
{
    for (Service &s : m_services) {
        for (SimConsulInstance &i : s.instances) {
            if (i.id != serviceId)
                continue;
            const quint64 idx = ++m_index;
            i.status = status;
            i.output = output;
            s.healthIndex = idx;
            m_checksIndex = idx;
            wakeHeld();
            return true;
        }
    }
    return false;
}

void SimConsul::setLeader(bool known)
{
    if (known == m_leaderKnown)
        return;
    m_leaderKnown = known;
    if (!known)
        m_sinceLeaderLost.start();
}

void SimConsul::reapTombstones()
{
    // A Raft write, but Consul's reap fires no watch: held queries see it at their timeout.
    ++m_index;
    m_tombstones.clear();
}

// ---- KV state ---------------------------------------------------------------------------------

void SimConsul::storeKey(const QString &key, const QByteArray &value, quint64 flags)
{
    KvEntry &e = m_kv[key];
    if (e.createIndex == 0)
        e.createIndex = m_index;
    e.modifyIndex = m_index;
    e.value = value;
    e.flags = flags;
    m_kvIndex = m_index;
}

bool SimConsul::removeKey(const QString &key)
{
    if (!m_kv.remove(key))
        return false;
    m_tombstones.insert(key, m_index);
    m_kvIndex = m_index;
    return true;
}

quint64 SimConsul::prefixIndex(const QString &prefix) const
{
    quint64 index = 0;
    for (auto it = m_kv.lowerBound(prefix); it != m_kv.cend() && it.key().startsWith(prefix); ++it)
        index = std::max(index, it->modifyIndex);
    for (auto it = m_tombstones.lowerBound(prefix);
         it != m_tombstones.cend() && it.key().startsWith(prefix);
         ++it)
        index = std::max(index, it.value());
    return index;
}

// ---- HTTP ---------------------------------------------------------------------------------------

SimConsul::Answer SimConsul::textAnswer(int status, const QByteArray &text)
{
    Answer a;
    a.status = status;
    a.body = text;
    a.contentType = "text/plain; charset=utf-8";
    a.meta = false;
    return a;
}

void SimConsul::sendText(HttpExchange *exchange, int status, const QByteArray &text)
{
    send(exchange, textAnswer(status, text));
}

void SimConsul::send(HttpExchange *exchange, const Answer &answer)
{
    HttpHeaders headers = answer.headers;
    QByteArray body = answer.body;
    if (answer.meta) {
        const HttpRequest &r = exchange->request();
        const bool stale = r.query.hasQueryItem(QStringLiteral("stale"));
        const bool consistent = r.query.hasQueryItem(QStringLiteral("consistent"));
        // Consul never sends index 0: a client blocking on 0 would spin (API reference §4.3).
        headers << qMakePair(QByteArray("X-Consul-Index"),
                             QByteArray::number(std::max<quint64>(answer.index, 1)));
        headers << qMakePair(QByteArray("X-Consul-KnownLeader"),
                             QByteArray(m_leaderKnown ? "true" : "false"));
        headers << qMakePair(
            QByteArray("X-Consul-LastContact"),
            QByteArray::number(m_leaderKnown ? 0 : qint64(m_sinceLeaderLost.elapsed())));
        headers << qMakePair(QByteArray("X-Consul-Effective-Consistency"),
                             QByteArray(stale        ? "stale"
                                        : consistent ? "consistent"
                                                     : "leader"));
        headers << qMakePair(QByteArray("X-Consul-Default-ACL-Policy"),
                             QByteArray(m_aclToken.isEmpty() ? "allow" : "deny"));
        if (r.query.hasQueryItem(QStringLiteral("pretty"))
            && answer.contentType == "application/json" && !body.isEmpty())
            body = QJsonDocument::fromJson(body).toJson(QJsonDocument::Indented);
    }
    const QByteArray contentType = body.isEmpty() ? QByteArray() : answer.contentType;
    if (m_delayMs <= 0) {
        exchange->respond(answer.status, body, contentType, headers);
        return;
    }
    // The exchange is the timer's context: a client gone or a server stopped cancels it.
    QTimer::singleShot(
        m_delayMs, exchange, [exchange, status = answer.status, body, contentType, headers] {
            exchange->respond(status, body, contentType, headers);
        });
}

void SimConsul::serveRead(HttpExchange *exchange,
                          const Reader &reader,
                          quint64 minIndex,
                          qint64 waitMs)
{
    const Answer answer = reader(exchange->request());
    // As Consul: no block on index 0, nor once the index has passed the client's.
    if (minIndex == 0 || answer.index > minIndex || answer.status >= 400) {
        send(exchange, answer);
        return;
    }
    if (waitMs <= 0)
        waitMs = kDefaultWaitMs;
    waitMs = std::min(waitMs, kMaxWaitMs);
    // Consul adds up to wait/16 of jitter so that many clients do not return together.
    waitMs += qint64(QRandomGenerator::global()->bounded(quint32(waitMs / 16 + 1)));

    Held held;
    held.exchange = exchange;
    held.reader = reader;
    held.watch = answer.watch;
    held.timer = new QTimer(this);
    held.timer->setSingleShot(true);
    // A coarse timer may fire up to 5 % early; Consul never answers before the wait is over.
    held.timer->setTimerType(Qt::PreciseTimer);
    m_held.push_back(held);
    const auto it = std::prev(m_held.end());
    connect(held.timer, &QTimer::timeout, this, [this, timer = held.timer] {
        for (auto h = m_held.begin(); h != m_held.end(); ++h) {
            if (h->timer == timer) {
                finishHeld(h);
                return;
            }
        }
    });
    connect(exchange, &HttpExchange::closed, this, [this, exchange] {
        for (auto h = m_held.begin(); h != m_held.end(); ++h) {
            if (h->exchange.data() == exchange) {
                h->timer->deleteLater();
                m_held.erase(h);
                return;
            }
        }
    });
    it->timer->start(int(waitMs));
}

void SimConsul::finishHeld(std::list<Held>::iterator it)
{
    const Held held = *it;
    m_held.erase(it);
    held.timer->stop();
    held.timer->deleteLater();
    if (held.exchange && held.exchange->isOpen())
        send(held.exchange, held.reader(held.exchange->request()));
}

void SimConsul::wakeHeld()
{
    // Each held read looks again; those whose data changed are answered now.
    QList<QTimer *> due;
    for (const Held &held : m_held) {
        if (!held.exchange)
            continue;
        if (held.reader(held.exchange->request()).watch > held.watch)
            due << held.timer;
    }
    for (QTimer *timer : std::as_const(due)) {
        for (auto h = m_held.begin(); h != m_held.end(); ++h) {
            if (h->timer == timer) {
                finishHeld(h);
                break;
            }
        }
    }
}

void SimConsul::handle(HttpExchange *exchange)
{
    const HttpRequest &r = exchange->request();
    const QString path = r.path;
    const QByteArray method = r.method;
    const bool get = method == "GET" || method == "HEAD";

    if (path == QLatin1String("/")) {
        sendText(exchange, 200, "Consul Agent");
        return;
    }
    auto under = [&path](const char *prefix, QString *rest) {
        if (!path.startsWith(QLatin1String(prefix)))
            return false;
        *rest = path.mid(qsizetype(qstrlen(prefix)));
        return true;
    };
    enum class Endpoint {
        Kv,
        HealthService,
        HealthChecks,
        HealthState,
        CatalogServices,
        CatalogService,
        StatusLeader,
        StatusPeers,
        AgentSelf
    };
    Endpoint endpoint;
    QString rest;
    if (under("/v1/kv/", &rest))
        endpoint = Endpoint::Kv;
    else if (under("/v1/health/service/", &rest))
        endpoint = Endpoint::HealthService;
    else if (under("/v1/health/checks/", &rest))
        endpoint = Endpoint::HealthChecks;
    else if (under("/v1/health/state/", &rest))
        endpoint = Endpoint::HealthState;
    else if (path == QLatin1String("/v1/catalog/services"))
        endpoint = Endpoint::CatalogServices;
    else if (under("/v1/catalog/service/", &rest))
        endpoint = Endpoint::CatalogService;
    else if (path == QLatin1String("/v1/status/leader"))
        endpoint = Endpoint::StatusLeader;
    else if (path == QLatin1String("/v1/status/peers"))
        endpoint = Endpoint::StatusPeers;
    else if (path == QLatin1String("/v1/agent/self"))
        endpoint = Endpoint::AgentSelf;
    else {
        // Consul's catch-all handler: 404 with an empty body.
        send(exchange, Answer{404, QByteArray(), QByteArray(), false, 0, 0, {}});
        return;
    }

    const bool write = method == "PUT" || method == "DELETE";
    if (!(get || (endpoint == Endpoint::Kv && write))) {
        Answer a{405,
                 "method " + method + " not allowed",
                 "text/plain; charset=utf-8",
                 false,
                 0,
                 0,
                 {{"Allow", endpoint == Endpoint::Kv ? "GET,PUT,DELETE" : "GET"}}};
        send(exchange, a);
        return;
    }

    // What Consul's parse() checks, in its order: dc, token, consistency, wait and index.
    const QString dc = r.query.queryItemValue(QStringLiteral("dc"));
    const bool stale = r.query.hasQueryItem(QStringLiteral("stale"));
    double waitMs = 0;
    quint64 minIndex = 0;
    const bool parsesQuery = endpoint != Endpoint::StatusLeader && endpoint != Endpoint::StatusPeers
                             && endpoint != Endpoint::AgentSelf;
    if (parsesQuery) {
        if (stale && r.query.hasQueryItem(QStringLiteral("consistent"))) {
            sendText(
                exchange, 400, "Cannot specify ?stale with ?consistent, conflicting semantics.");
            return;
        }
        const QString wait = r.query.queryItemValue(QStringLiteral("wait"));
        if (!wait.isEmpty() && !parseGoDuration(wait, &waitMs)) {
            sendText(exchange, 400, "Invalid wait time");
            return;
        }
        const QString index = r.query.queryItemValue(QStringLiteral("index"));
        if (!index.isEmpty() && !parseUint64(index, &minIndex)) {
            sendText(exchange, 400, "Invalid index");
            return;
        }
    }
    // ACLs: the status endpoints need none (reference §4.4); Consul checks the token before
    // it looks at the datacenter.
    const bool statusEndpoint =
        endpoint == Endpoint::StatusLeader || endpoint == Endpoint::StatusPeers;
    if (!m_aclToken.isEmpty() && !statusEndpoint) {
        QByteArray token = r.headers.value("x-consul-token");
        const QByteArray authorization = r.headers.value("authorization");
        if (token.isEmpty() && authorization.startsWith("Bearer "))
            token = authorization.mid(7).trimmed();
        if (token.isEmpty())
            token = r.query.queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded).toUtf8();
        if (token.isEmpty()) {
            sendText(exchange, 403, "Permission denied");
            return;
        }
        if (token != m_aclToken.toUtf8()) {
            sendText(exchange, 403, "ACL not found");
            return;
        }
    }
    if (!dc.isEmpty() && dc != m_datacenter && endpoint != Endpoint::AgentSelf) {
        sendText(exchange, 500, "No path to datacenter");
        return;
    }
    // Without a leader only ?stale reads and the agent-local endpoints answer.
    if (!m_leaderKnown && parsesQuery && (write || !stale)) {
        sendText(exchange, 500, "No cluster leader");
        return;
    }

    // A read that blocks as the query asked (?index, ?wait).
    const auto blockingRead = [&](const Reader &reader) {
        serveRead(exchange, reader, minIndex, qint64(waitMs));
    };

    switch (endpoint) {
    case Endpoint::Kv: {
        const QString key = rest;
        if (method == "PUT") {
            send(exchange, kvPut(r, key));
        } else if (method == "DELETE") {
            send(exchange, kvDelete(r, key));
        } else if (r.query.hasQueryItem(QStringLiteral("keys"))) {
            blockingRead([this, key](const HttpRequest &q) { return kvKeys(q, key); });
        } else if (key.isEmpty() && !r.query.hasQueryItem(QStringLiteral("recurse"))) {
            sendText(exchange, 400, "Missing key name");
        } else {
            blockingRead([this, key](const HttpRequest &q) { return kvGet(q, key); });
        }
        return;
    }
    case Endpoint::HealthService:
    case Endpoint::HealthChecks:
    case Endpoint::CatalogService:
        if (rest.isEmpty()) {
            sendText(exchange, 400, "Missing service name");
            return;
        }
        if (endpoint == Endpoint::HealthService) {
            bool passing = false;
            const QString value = r.query.queryItemValue(QStringLiteral("passing"));
            if (r.query.hasQueryItem(QStringLiteral("passing")) && !value.isEmpty()
                && !parseGoBool(value, &passing)) {
                sendText(exchange, 400, "Invalid value for ?passing");
                return;
            }
            blockingRead([this, rest](const HttpRequest &q) { return healthService(q, rest); });
        } else if (endpoint == Endpoint::HealthChecks) {
            blockingRead([this, rest](const HttpRequest &) { return healthChecks(rest); });
        } else {
            blockingRead([this, rest](const HttpRequest &q) { return catalogService(q, rest); });
        }
        return;
    case Endpoint::HealthState:
        if (rest.isEmpty()) {
            sendText(exchange, 400, "Missing check state");
            return;
        }
        blockingRead([this, rest](const HttpRequest &) { return healthState(rest); });
        return;
    case Endpoint::CatalogServices:
        blockingRead([this](const HttpRequest &) { return catalogServices(); });
        return;
    case Endpoint::StatusLeader:
        send(exchange,
             Answer{200,
                    m_leaderKnown ? jsonString(QLatin1String(kServerAddress)) : QByteArray("\"\""),
                    "application/json",
                    false,
                    0,
                    0,
                    {}});
        return;
    case Endpoint::StatusPeers:
        send(exchange,
             Answer{200,
                    compact(QJsonDocument(QJsonArray{QLatin1String(kServerAddress)})),
                    "application/json",
                    false,
                    0,
                    0,
                    {}});
        return;
    case Endpoint::AgentSelf: {
        const QJsonObject self{
            {QStringLiteral("Config"),
             QJsonObject{{QStringLiteral("Datacenter"), m_datacenter},
                         {QStringLiteral("PrimaryDatacenter"), m_datacenter},
                         {QStringLiteral("NodeName"), QLatin1String(kServerNode)},
                         {QStringLiteral("NodeID"), nodeId(QLatin1String(kServerNode))},
                         {QStringLiteral("Server"), true},
                         {QStringLiteral("Revision"), QStringLiteral("opsdeck-sim")},
                         {QStringLiteral("Version"), QLatin1String(kVersion)}}},
            {QStringLiteral("Member"),
             QJsonObject{
                 {QStringLiteral("Name"), QLatin1String(kServerNode)},
                 {QStringLiteral("Addr"), QStringLiteral("127.0.0.1")},
                 {QStringLiteral("Port"), 8301},
                 {QStringLiteral("Status"), 1},
                 {QStringLiteral("Tags"),
                  QJsonObject{{QStringLiteral("dc"), m_datacenter},
                              {QStringLiteral("role"), QStringLiteral("consul")},
                              {QStringLiteral("port"), QStringLiteral("8300")},
                              {QStringLiteral("build"),
                               QString(QLatin1String(kVersion) + QStringLiteral(":sim"))}}}}},
            {QStringLiteral("Meta"),
             QJsonObject{{QStringLiteral("consul-network-segment"), QString()}}}};
        send(exchange,
             Answer{200, compact(QJsonDocument(self)), "application/json", false, 0, 0, {}});
        return;
    }
    }
}

// ---- KV endpoints -------------------------------------------------------------------------------

SimConsul::Answer SimConsul::kvPut(const HttpRequest &r, const QString &key)
{
    Answer a;
    a.meta = false;
    if (key.isEmpty())
        return textAnswer(400, "Missing key name");
    const QStringList exclusive{
        QStringLiteral("cas"), QStringLiteral("acquire"), QStringLiteral("release")};
    if (std::count_if(exclusive.cbegin(),
                      exclusive.cend(),
                      [&r](const QString &f) { return r.query.hasQueryItem(f); })
        > 1)
        return textAnswer(400, "Conflicting flags: " + r.query.toString().toUtf8());
    if (r.body.size() > kMaxValueSize)
        return textAnswer(413,
                          "Request body(" + QByteArray::number(r.body.size())
                              + " bytes) too large, max size: " + QByteArray::number(kMaxValueSize)
                              + " bytes. See https://developer.hashicorp.com/consul/docs/agent/"
                                "config/config-files#kv_max_value_size.");
    quint64 flags = 0;
    if (r.query.hasQueryItem(QStringLiteral("flags"))) {
        const QString value = r.query.queryItemValue(QStringLiteral("flags"));
        if (!parseUint64(value, &flags))
            return textAnswer(500, parseUintError(value));
    }
    bool cas = false;
    quint64 casIndex = 0;
    if (r.query.hasQueryItem(QStringLiteral("cas"))) {
        const QString value = r.query.queryItemValue(QStringLiteral("cas"));
        if (!parseUint64(value, &casIndex))
            return textAnswer(500, parseUintError(value));
        cas = true;
    }
    for (const char *lock : {"acquire", "release"}) {
        if (r.query.hasQueryItem(QLatin1String(lock))) // no sessions in the simulator
            return textAnswer(
                500, "invalid session " + jsonString(r.query.queryItemValue(QLatin1String(lock))));
    }
    ++m_index; // the Raft apply happens whether or not the CAS then matches
    bool applied = true;
    if (cas) {
        const auto it = m_kv.constFind(key);
        // cas=0 creates only; otherwise ModifyIndex must match (API reference §4.2).
        applied = it == m_kv.cend() ? casIndex == 0 : it->modifyIndex == casIndex;
    }
    if (applied)
        storeKey(key, r.body, flags);
    a.body = applied ? "true" : "false";
    wakeHeld();
    return a;
}

SimConsul::Answer SimConsul::kvDelete(const HttpRequest &r, const QString &key)
{
    Answer a;
    a.meta = false;
    const bool recurse = r.query.hasQueryItem(QStringLiteral("recurse"));
    const bool cas = r.query.hasQueryItem(QStringLiteral("cas"));
    if (recurse && cas)
        return textAnswer(400, "Conflicting flags: " + r.query.toString().toUtf8());
    if (!recurse && key.isEmpty())
        return textAnswer(400, "Missing key name");
    quint64 casIndex = 0;
    if (cas) {
        const QString value = r.query.queryItemValue(QStringLiteral("cas"));
        if (!parseUint64(value, &casIndex))
            return textAnswer(500, parseUintError(value));
    }
    ++m_index;
    bool result = true;
    if (recurse) {
        QStringList doomed;
        for (auto it = m_kv.lowerBound(key); it != m_kv.cend() && it.key().startsWith(key); ++it)
            doomed << it.key();
        for (const QString &k : std::as_const(doomed))
            removeKey(k);
    } else if (cas) {
        // As Consul's state store: a missing key is "deleted" (true); index 0 never matches.
        const auto it = m_kv.constFind(key);
        if (it != m_kv.cend()) {
            result = it->modifyIndex == casIndex;
            if (result)
                removeKey(key);
        }
    } else {
        removeKey(key);
    }
    a.body = result ? "true" : "false";
    wakeHeld();
    return a;
}

SimConsul::Answer SimConsul::kvGet(const HttpRequest &r, const QString &key) const
{
    Answer a;
    const bool recurse = r.query.hasQueryItem(QStringLiteral("recurse"));
    QByteArray body = "[";
    int count = 0;
    QByteArray raw;
    auto append = [&body, &count](const QString &k, const KvEntry &e) {
        if (count++ > 0)
            body += ',';
        body += "{\"LockIndex\":0,\"Key\":" + jsonString(k)
                + ",\"Flags\":" + QByteArray::number(e.flags) + ",\"Value\":"
                + (e.value.isEmpty() ? QByteArray("null") : '"' + e.value.toBase64() + '"')
                + ",\"CreateIndex\":" + QByteArray::number(e.createIndex)
                + ",\"ModifyIndex\":" + QByteArray::number(e.modifyIndex) + '}';
    };
    if (recurse) {
        for (auto it = m_kv.lowerBound(key); it != m_kv.cend() && it.key().startsWith(key); ++it)
            append(it.key(), *it);
        // The list's index is the prefix's newest change, or the table's (API reference §4.2).
        a.watch = prefixIndex(key);
        a.index = key.isEmpty() || a.watch == 0 ? m_kvIndex : a.watch;
    } else {
        const auto it = m_kv.constFind(key);
        if (it != m_kv.cend()) {
            append(key, *it);
            raw = it->value;
            a.watch = it->modifyIndex;
        } else {
            a.watch = m_tombstones.value(key);
        }
        a.index = m_kvIndex; // a single key reports the KV table's index, as Consul does
    }
    body += ']';
    if (count == 0) {
        a.status = 404; // empty body, headers still sent
        return a;
    }
    if (!recurse && r.query.hasQueryItem(QStringLiteral("raw"))) {
        a.body = raw;
        a.contentType = "text/plain; charset=utf-8";
        return a;
    }
    a.body = body;
    return a;
}

SimConsul::Answer SimConsul::kvKeys(const HttpRequest &r, const QString &prefix) const
{
    // Consul still accepts its old misspelling.
    QString separator = r.query.queryItemValue(QStringLiteral("seperator"));
    if (r.query.hasQueryItem(QStringLiteral("separator")))
        separator = r.query.queryItemValue(QStringLiteral("separator"));
    QJsonArray keys;
    QString last;
    for (auto it = m_kv.lowerBound(prefix); it != m_kv.cend() && it.key().startsWith(prefix);
         ++it) {
        const QString &k = it.key();
        const qsizetype at = separator.isEmpty() ? -1 : k.indexOf(separator, prefix.size());
        if (at < 0) {
            keys.append(k);
            continue;
        }
        // Cut after the next separator: a "sub-directory" appears once, with the separator.
        const QString cut = k.left(at + separator.size());
        if (cut != last) {
            keys.append(cut);
            last = cut;
        }
    }
    Answer a;
    a.watch = prefixIndex(prefix);
    a.index = prefix.isEmpty() || a.watch == 0 ? m_kvIndex : a.watch;
    if (keys.isEmpty() && !prefix.isEmpty()) {
        a.status = 404;
        return a;
    }
    a.body = compact(QJsonDocument(keys));
    return a;
}

// ---- health and catalog -----------------------------------------------------------------------

QStringList SimConsul::nodes() const
{
    QStringList out;
    for (const Service &s : m_services) {
        for (const SimConsulInstance &i : s.instances) {
            if (!out.contains(i.node))
                out << i.node;
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

QJsonArray SimConsul::nodeChecks(const QString &node) const
{
    return QJsonArray{
        QJsonObject{{QStringLiteral("Node"), node},
                    {QStringLiteral("CheckID"), QStringLiteral("serfHealth")},
                    {QStringLiteral("Name"), QStringLiteral("Serf Health Status")},
                    {QStringLiteral("Status"), QStringLiteral("passing")},
                    {QStringLiteral("Notes"), QString()},
                    {QStringLiteral("Output"), QStringLiteral("Agent alive and reachable")},
                    {QStringLiteral("ServiceID"), QString()},
                    {QStringLiteral("ServiceName"), QString()},
                    {QStringLiteral("ServiceTags"), QJsonArray()},
                    {QStringLiteral("Type"), QString()},
                    {QStringLiteral("Definition"), QJsonObject()},
                    {QStringLiteral("CreateIndex"), 1},
                    {QStringLiteral("ModifyIndex"), 1}}};
}

QJsonArray SimConsul::checksOf(const QString &name, const Service &s) const
{
    QJsonArray out;
    for (const SimConsulInstance &i : s.instances) {
        if (i.status.isEmpty())
            continue;
        out.append(
            QJsonObject{{QStringLiteral("Node"), i.node},
                        {QStringLiteral("CheckID"), QString(QStringLiteral("service:") + i.id)},
                        {QStringLiteral("Name"), QStringLiteral("Service '%1' check").arg(name)},
                        {QStringLiteral("Status"), i.status},
                        {QStringLiteral("Notes"), QString()},
                        {QStringLiteral("Output"), i.output},
                        {QStringLiteral("ServiceID"), i.id},
                        {QStringLiteral("ServiceName"), name},
                        {QStringLiteral("ServiceTags"), QJsonArray::fromStringList(s.tags)},
                        {QStringLiteral("Type"), QStringLiteral("ttl")},
                        {QStringLiteral("Definition"), QJsonObject()},
                        {QStringLiteral("CreateIndex"), qint64(s.createIndex)},
                        {QStringLiteral("ModifyIndex"), qint64(s.healthIndex)}});
    }
    return out;
}

SimConsul::Answer SimConsul::healthService(const HttpRequest &r, const QString &name) const
{
    const QString passingValue = r.query.queryItemValue(QStringLiteral("passing"));
    bool passing = r.query.hasQueryItem(QStringLiteral("passing"));
    if (passing && !passingValue.isEmpty())
        parseGoBool(passingValue, &passing);
    const QStringList wantedTags = r.query.allQueryItemValues(QStringLiteral("tag"));
    Answer a;
    QJsonArray out;
    const auto s = m_services.constFind(name);
    if (s != m_services.cend()) {
        a.watch = s->healthIndex;
        const QJsonArray checks = checksOf(name, *s);
        for (const SimConsulInstance &i : s->instances) {
            if (!hasAllTags(s->tags, wantedTags))
                continue;
            QJsonArray instanceChecks = nodeChecks(i.node);
            for (const auto &c : checks) {
                if (c.toObject().value(QStringLiteral("ServiceID")).toString() == i.id)
                    instanceChecks.append(c);
            }
            // ?passing keeps instances whose every check passes (warning does not).
            const bool allPassing = std::all_of(
                instanceChecks.cbegin(), instanceChecks.cend(), [](const QJsonValue &c) {
                    return c.toObject().value(QStringLiteral("Status")).toString()
                           == QLatin1String("passing");
                });
            if (passing && !allPassing)
                continue;
            out.append(QJsonObject{
                {QStringLiteral("Node"),
                 QJsonObject{{QStringLiteral("ID"), nodeId(i.node)},
                             {QStringLiteral("Node"), i.node},
                             {QStringLiteral("Address"), i.address},
                             {QStringLiteral("Datacenter"), m_datacenter},
                             {QStringLiteral("TaggedAddresses"),
                              QJsonObject{{QStringLiteral("lan"), i.address},
                                          {QStringLiteral("wan"), i.address}}},
                             {QStringLiteral("Meta"),
                              QJsonObject{{QStringLiteral("consul-network-segment"), QString()}}},
                             {QStringLiteral("CreateIndex"), 1},
                             {QStringLiteral("ModifyIndex"), 1}}},
                {QStringLiteral("Service"),
                 QJsonObject{
                     {QStringLiteral("ID"), i.id},
                     {QStringLiteral("Service"), name},
                     {QStringLiteral("Tags"), QJsonArray::fromStringList(s->tags)},
                     {QStringLiteral("Address"), i.address},
                     {QStringLiteral("Port"), i.port},
                     {QStringLiteral("Meta"), QJsonObject()},
                     {QStringLiteral("Weights"),
                      QJsonObject{{QStringLiteral("Passing"), 1}, {QStringLiteral("Warning"), 1}}},
                     {QStringLiteral("EnableTagOverride"), false},
                     {QStringLiteral("CreateIndex"), qint64(s->createIndex)},
                     {QStringLiteral("ModifyIndex"), qint64(s->registerIndex)}}},
                {QStringLiteral("Checks"), instanceChecks}});
        }
    } else {
        a.watch = m_removedServices.value(name);
    }
    a.index = a.watch > 0 ? a.watch : m_servicesIndex;
    a.body = compact(QJsonDocument(out));
    return a;
}

SimConsul::Answer SimConsul::healthChecks(const QString &name) const
{
    Answer a;
    const auto s = m_services.constFind(name);
    QJsonArray out;
    if (s != m_services.cend()) {
        out = checksOf(name, *s);
        a.watch = s->healthIndex;
    } else {
        a.watch = m_removedServices.value(name);
    }
    a.index = a.watch > 0 ? a.watch : m_checksIndex;
    a.body = compact(QJsonDocument(out));
    return a;
}

SimConsul::Answer SimConsul::healthState(const QString &state) const
{
    // Consul does not check the name: an unknown state matches no check (200, []).
    QList<QJsonObject> all;
    for (const QString &node : nodes())
        all << nodeChecks(node).at(0).toObject();
    for (auto s = m_services.cbegin(); s != m_services.cend(); ++s) {
        for (const auto &c : checksOf(s.key(), *s))
            all << c.toObject();
    }
    std::sort(all.begin(), all.end(), [](const QJsonObject &x, const QJsonObject &y) {
        const QString nx = x.value(QStringLiteral("Node")).toString();
        const QString ny = y.value(QStringLiteral("Node")).toString();
        if (nx != ny)
            return nx < ny;
        return x.value(QStringLiteral("CheckID")).toString()
               < y.value(QStringLiteral("CheckID")).toString();
    });
    QJsonArray out;
    for (const QJsonObject &c : std::as_const(all)) {
        if (state == QLatin1String("any") || c.value(QStringLiteral("Status")).toString() == state)
            out.append(c);
    }
    Answer a;
    a.watch = m_checksIndex;
    a.index = m_checksIndex;
    a.body = compact(QJsonDocument(out));
    return a;
}

SimConsul::Answer SimConsul::catalogServices() const
{
    QJsonObject out;
    for (auto s = m_services.cbegin(); s != m_services.cend(); ++s)
        out.insert(s.key(), QJsonArray::fromStringList(s->tags));
    Answer a;
    a.watch = m_servicesIndex;
    a.index = m_servicesIndex;
    a.body = compact(QJsonDocument(out));
    return a;
}

SimConsul::Answer SimConsul::catalogService(const HttpRequest &r, const QString &name) const
{
    const QStringList wantedTags = r.query.allQueryItemValues(QStringLiteral("tag"));
    Answer a;
    QJsonArray out;
    const auto s = m_services.constFind(name);
    if (s != m_services.cend()) {
        a.watch = s->registerIndex;
        for (const SimConsulInstance &i : s->instances) {
            if (!hasAllTags(s->tags, wantedTags))
                continue;
            out.append(QJsonObject{
                {QStringLiteral("ID"), nodeId(i.node)},
                {QStringLiteral("Node"), i.node},
                {QStringLiteral("Address"), i.address},
                {QStringLiteral("Datacenter"), m_datacenter},
                {QStringLiteral("TaggedAddresses"),
                 QJsonObject{{QStringLiteral("lan"), i.address},
                             {QStringLiteral("wan"), i.address}}},
                {QStringLiteral("NodeMeta"),
                 QJsonObject{{QStringLiteral("consul-network-segment"), QString()}}},
                {QStringLiteral("ServiceKind"), QString()},
                {QStringLiteral("ServiceID"), i.id},
                {QStringLiteral("ServiceName"), name},
                {QStringLiteral("ServiceTags"), QJsonArray::fromStringList(s->tags)},
                {QStringLiteral("ServiceAddress"), i.address},
                {QStringLiteral("ServiceWeights"),
                 QJsonObject{{QStringLiteral("Passing"), 1}, {QStringLiteral("Warning"), 1}}},
                {QStringLiteral("ServiceMeta"), QJsonObject()},
                {QStringLiteral("ServicePort"), i.port},
                {QStringLiteral("ServiceEnableTagOverride"), false},
                {QStringLiteral("CreateIndex"), qint64(s->createIndex)},
                {QStringLiteral("ModifyIndex"), qint64(s->registerIndex)}});
        }
    } else {
        a.watch = m_removedServices.value(name);
    }
    a.index = a.watch > 0 ? a.watch : m_servicesIndex;
    a.body = compact(QJsonDocument(out));
    return a;
}

} // namespace Opsdeck::Sim
