// SPDX-License-Identifier: MIT
#include "connectors/http/httpclient.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSocketNotifier>
#include <QUrl>

#include <curl/curl.h>
#include <mutex>

namespace Opsdeck::Connectors {

namespace {

void initCurlOnce()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Per host: eight inspects in flight (DockerTimings::maxInspectsInFlight) plus the long-lived event
// stream, a ping and a log or stats request of the container on screen.
constexpr long kMaxConnectionsPerHost = 12;
// Few enough that hundreds of hosts do not exhaust file descriptors.
constexpr long kMaxTotalConnections = 512;

} // namespace

struct HttpClient::SocketWatch
{
    QSocketNotifier *read = nullptr;
    QSocketNotifier *write = nullptr;
};

// ---------------------------------------------------------------------------------- HttpReply

HttpReply::HttpReply(HttpClient *client, const HttpRequest &request, const QString &describe)
    : QObject(client) // a reply its caller forgot dies with the client at the latest
    , m_client(client)
    , m_request(request)
    , m_describe(describe)
{
    m_elapsed.start();
    m_headersTimer.setSingleShot(true);
    connect(&m_headersTimer, &QTimer::timeout, this, [this] {
        finish(
            tr("%1: no answer within %2 ms").arg(this->describe()).arg(m_request.headersTimeoutMs));
    });
}

HttpReply::~HttpReply()
{
    detach();
}

void HttpReply::detach()
{
    m_headersTimer.stop();
    if (m_easy) {
        if (m_client)
            m_client->remove(this);
        curl_easy_cleanup(m_easy);
        m_easy = nullptr;
    }
    if (m_headerList) {
        curl_slist_free_all(static_cast<curl_slist *>(m_headerList));
        m_headerList = nullptr;
    }
}

void HttpReply::abort()
{
    m_finished = true;
    detach();
}

bool HttpReply::ok() const
{
    return m_finished && m_transportError.isEmpty()
           && ((m_status >= 200 && m_status < 300) || m_status == 304);
}

QByteArray HttpReply::header(const QByteArray &name) const
{
    for (const auto &[key, value] : m_headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QString HttpReply::describe() const
{
    if (m_redirects == 0)
        return m_describe;
    QByteArray url = m_effectiveUrl;
    const qsizetype q = url.indexOf('?');
    if (q >= 0)
        url.truncate(q);
    return tr("%1 (redirected to %2)").arg(m_describe, QString::fromUtf8(url));
}

QString HttpReply::errorString() const
{
    if (!m_transportError.isEmpty())
        return m_transportError;
    if (ok())
        return QString();
    if (!m_finished)
        return tr("%1: still running").arg(describe());
    // Docker, Consul and Marathon put their reason in {"message": "..."}.
    QString detail;
    const QJsonDocument doc = QJsonDocument::fromJson(m_body);
    if (doc.isObject())
        detail = doc.object().value(QLatin1String("message")).toString();
    if (detail.isEmpty())
        detail = QString::fromUtf8(m_body.left(200)).trimmed();
    if (detail.isEmpty())
        return tr("%1: HTTP %2").arg(describe()).arg(m_status);
    return tr("%1: HTTP %2: %3").arg(describe()).arg(m_status).arg(detail);
}

size_t HttpReply::onWrite(char *data, size_t size, size_t count, void *self)
{
    auto *reply = static_cast<HttpReply *>(self);
    const size_t n = size * count;
    if (reply->m_inRedirect)
        return n; // the body of a redirect being followed ("moved"): not the answer
    if (reply->m_request.stream) {
        reply->m_pendingChunk.append(data, qsizetype(n));
        if (reply->m_pendingChunk.size() > reply->m_request.maxBodyBytes) {
            reply->m_tooLarge = true;
            return 0;
        }
    } else {
        if (reply->m_body.size() + qint64(n) > reply->m_request.maxBodyBytes) {
            reply->m_tooLarge = true;
            return 0; // makes curl fail the transfer with CURLE_WRITE_ERROR
        }
        reply->m_body.append(data, qsizetype(n));
    }
    if (reply->m_client)
        reply->m_client->queueDelivery(reply);
    return n;
}

size_t HttpReply::onHeader(char *data, size_t size, size_t count, void *self)
{
    auto *reply = static_cast<HttpReply *>(self);
    const size_t n = size * count;
    const QByteArray line = QByteArray(data, qsizetype(n)).trimmed();
    if (line.startsWith("HTTP/")) {
        // A new response starts (after a 100 Continue, say): forget the earlier headers.
        reply->m_headers.clear();
        reply->m_headersDone = false;
        reply->m_inRedirect = false;
        long code = 0;
        curl_easy_getinfo(reply->m_easy, CURLINFO_RESPONSE_CODE, &code);
        reply->m_status = int(code);
    } else if (line.isEmpty()) {
        const int status = reply->m_status;
        if (reply->m_request.maxRedirects > 0 && status >= 300 && status < 400 && status != 304
            && !reply->header("Location").isEmpty()) {
            // curl follows it (or fails with "Maximum redirects followed" past the limit).
            reply->m_inRedirect = true;
            ++reply->m_redirects;
        } else if (status >= 200) {
            char *effective = nullptr;
            curl_easy_getinfo(reply->m_easy, CURLINFO_EFFECTIVE_URL, &effective);
            if (effective)
                reply->m_effectiveUrl = QByteArray(effective);
            reply->m_headersDone = true;
            if (reply->m_client)
                reply->m_client->queueDelivery(reply);
        }
    } else {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            reply->m_headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }
    return n;
}

void HttpReply::deliver()
{
    if (m_finished)
        return;
    QPointer<HttpReply> guard(this);
    if (m_headersDone && !m_headersAnnounced) {
        m_headersAnnounced = true;
        m_headersTimer.stop();
        emit headersReceived(m_status);
        if (!guard)
            return;
    }
    if (!m_pendingChunk.isEmpty() && m_headersAnnounced) {
        const QByteArray chunk = std::exchange(m_pendingChunk, QByteArray());
        emit dataReceived(chunk);
    }
}

void HttpReply::complete(int curlCode, const QString &curlError)
{
    if (m_finished)
        return;
    if (m_request.stream || m_headersDone)
        deliver();
    if (m_finished)
        return;
    if (curlCode != CURLE_OK) {
        if (m_tooLarge) {
            m_transportError = tr("%1: the answer exceeded %2 MiB and was cut off")
                                   .arg(describe())
                                   .arg(m_request.maxBodyBytes / (1024 * 1024));
        } else if (curlCode == CURLE_OPERATION_TIMEDOUT) {
            m_transportError =
                tr("%1: timed out after %2 ms").arg(describe()).arg(m_elapsed.elapsed());
        } else {
            m_transportError = tr("%1: %2").arg(describe(), curlError);
        }
    }
    finish(m_transportError);
}

void HttpReply::finish(const QString &error)
{
    if (m_finished)
        return;
    m_transportError = error;
    m_finished = true;
    detach();
    emit finished();
}

// --------------------------------------------------------------------------------- HttpClient

HttpClient::HttpClient(QObject *parent)
    : QObject(parent)
{
    initCurlOnce();
    m_multi = curl_multi_init();
    curl_multi_setopt(m_multi, CURLMOPT_SOCKETFUNCTION, &HttpClient::onSocket);
    curl_multi_setopt(m_multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(m_multi, CURLMOPT_TIMERFUNCTION, &HttpClient::onTimer);
    curl_multi_setopt(m_multi, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(m_multi, CURLMOPT_MAX_HOST_CONNECTIONS, kMaxConnectionsPerHost);
    curl_multi_setopt(m_multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, kMaxTotalConnections);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpClient::timerFired);
}

HttpClient::~HttpClient()
{
    const QList<HttpReply *> running = m_running;
    for (HttpReply *reply : running)
        reply->finish(tr("the HTTP client was shut down"));
    for (SocketWatch *w : std::as_const(m_sockets)) {
        delete w->read;
        delete w->write;
        delete w;
    }
    m_sockets.clear();
    curl_multi_cleanup(m_multi);
}

HttpReply *HttpClient::send(const HttpEndpoint &endpoint, const HttpRequest &request)
{
    const QString where =
        endpoint.unixSocket.isEmpty() ? QString::fromUtf8(endpoint.baseUrl) : endpoint.unixSocket;
    // The query may carry filters but never secrets; still, keep messages short.
    QByteArray shownPath = request.path;
    const qsizetype q = shownPath.indexOf('?');
    if (q >= 0)
        shownPath.truncate(q);
    auto *reply = new HttpReply(
        this,
        request,
        QStringLiteral("%1 %2 on %3")
            .arg(QString::fromLatin1(request.method), QString::fromUtf8(shownPath), where));
    CURL *easy = curl_easy_init();
    reply->m_easy = easy;
    const QByteArray url = endpoint.baseUrl + request.path;
    reply->m_effectiveUrl = url;
    curl_easy_setopt(easy, CURLOPT_URL, url.constData());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, reply);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, reply->m_errorBuffer);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &HttpReply::onWrite);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, reply);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &HttpReply::onHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, reply);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, long(request.connectTimeoutMs));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, long(request.timeoutMs));
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    if (request.maxRedirects > 0) {
        // curl resolves relative and protocol-relative Locations against the current URL, and
        // clears Authorization when the host or port changes (checked with curl 7.88).
        curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(easy, CURLOPT_MAXREDIRS, long(request.maxRedirects));
        curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    } else {
        curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    }
    // Sources are reached directly: an http_proxy in the environment must not reroute (or
    // leak) requests meant for an engine on the local network.
    curl_easy_setopt(easy, CURLOPT_PROXY, "");
    if (!endpoint.unixSocket.isEmpty())
        curl_easy_setopt(
            easy, CURLOPT_UNIX_SOCKET_PATH, endpoint.unixSocket.toLocal8Bit().constData());
    if (endpoint.tls.enabled() || endpoint.baseUrl.startsWith("https:")) {
        if (!endpoint.tls.caFile.isEmpty())
            curl_easy_setopt(easy, CURLOPT_CAINFO, endpoint.tls.caFile.toLocal8Bit().constData());
        if (!endpoint.tls.certFile.isEmpty())
            curl_easy_setopt(
                easy, CURLOPT_SSLCERT, endpoint.tls.certFile.toLocal8Bit().constData());
        if (!endpoint.tls.keyFile.isEmpty())
            curl_easy_setopt(easy, CURLOPT_SSLKEY, endpoint.tls.keyFile.toLocal8Bit().constData());
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, endpoint.tls.verify ? 1L : 0L);
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, endpoint.tls.verify ? 2L : 0L);
    }
    curl_slist *headers = nullptr;
    headers = curl_slist_append(headers, "Expect:"); // no 100-continue round trip
    if (!request.contentType.isEmpty())
        headers = curl_slist_append(headers,
                                    QByteArray("Content-Type: " + request.contentType).constData());
    for (const auto &[name, value] : request.headers) {
        // A header line must not smuggle a second one in.
        if (name.isEmpty() || name.contains('\r') || name.contains('\n') || name.contains(':')
            || value.contains('\r') || value.contains('\n'))
            continue;
        headers = curl_slist_append(headers, QByteArray(name + ": " + value).constData());
    }
    reply->m_headerList = headers;
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    if (request.method == "GET") {
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.constData());
        if (!request.body.isEmpty() || request.method == "POST" || request.method == "PUT") {
            curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.size()));
            curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, request.body.constData());
        }
    }
    if (request.stream && request.headersTimeoutMs > 0)
        reply->m_headersTimer.start(request.headersTimeoutMs);

    m_running.append(reply);
    curl_multi_add_handle(m_multi, easy);
    return reply;
}

void HttpClient::remove(HttpReply *reply)
{
    m_running.removeOne(reply);
    m_pendingDelivery.removeAll(QPointer<HttpReply>(reply));
    if (reply->m_easy)
        curl_multi_remove_handle(m_multi, reply->m_easy);
}

void HttpClient::queueDelivery(HttpReply *reply)
{
    for (const QPointer<HttpReply> &p : std::as_const(m_pendingDelivery)) {
        if (p == reply)
            return;
    }
    m_pendingDelivery.append(reply);
}

int HttpClient::onSocket(CURL *, int fd, int what, void *self, void *socketData)
{
    auto *client = static_cast<HttpClient *>(self);
    auto *watch = static_cast<SocketWatch *>(socketData);
    if (what == CURL_POLL_REMOVE) {
        if (watch) {
            // We may be inside this notifier's own activation: disable now, delete later.
            for (QSocketNotifier *n : {watch->read, watch->write}) {
                if (n) {
                    n->setEnabled(false);
                    n->deleteLater();
                }
            }
            client->m_sockets.remove(fd);
            delete watch;
        }
        curl_multi_assign(client->m_multi, fd, nullptr);
        return 0;
    }
    if (!watch) {
        watch = new SocketWatch;
        watch->read = new QSocketNotifier(qintptr(fd), QSocketNotifier::Read, client);
        watch->write = new QSocketNotifier(qintptr(fd), QSocketNotifier::Write, client);
        connect(watch->read, &QSocketNotifier::activated, client, [client, fd] {
            client->socketActivated(fd, CURL_CSELECT_IN);
        });
        connect(watch->write, &QSocketNotifier::activated, client, [client, fd] {
            client->socketActivated(fd, CURL_CSELECT_OUT);
        });
        client->m_sockets.insert(fd, watch);
        curl_multi_assign(client->m_multi, fd, watch);
    }
    watch->read->setEnabled(what == CURL_POLL_IN || what == CURL_POLL_INOUT);
    watch->write->setEnabled(what == CURL_POLL_OUT || what == CURL_POLL_INOUT);
    return 0;
}

int HttpClient::onTimer(CURLM *, long timeoutMs, void *self)
{
    auto *client = static_cast<HttpClient *>(self);
    if (timeoutMs < 0)
        client->m_timer.stop();
    else
        client->m_timer.start(int(timeoutMs));
    return 0;
}

void HttpClient::socketActivated(int fd, int what)
{
    int running = 0;
    curl_multi_socket_action(m_multi, fd, what, &running);
    processPending();
}

void HttpClient::timerFired()
{
    int running = 0;
    curl_multi_socket_action(m_multi, CURL_SOCKET_TIMEOUT, 0, &running);
    processPending();
}

void HttpClient::processPending()
{
    // Re-entrant on purpose: a handler may run a nested event loop (a dialog), and replies
    // must keep flowing meanwhile. Each step below tolerates being done already.
    // Read every completion first: a message's handle may not survive the handlers below.
    QList<std::tuple<QPointer<HttpReply>, int, QString>> done;
    int queued = 0;
    while (CURLMsg *msg = curl_multi_info_read(m_multi, &queued)) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        HttpReply *reply = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &reply);
        if (!reply)
            continue;
        QString detail = QString::fromLocal8Bit(reply->m_errorBuffer);
        if (detail.isEmpty())
            detail = QString::fromUtf8(curl_easy_strerror(msg->data.result));
        done.append({QPointer<HttpReply>(reply), int(msg->data.result), detail});
    }

    while (!m_pendingDelivery.isEmpty()) {
        const QList<QPointer<HttpReply>> pending = std::exchange(m_pendingDelivery, {});
        for (const QPointer<HttpReply> &reply : pending) {
            if (reply)
                reply->deliver();
        }
    }
    for (const auto &[reply, code, detail] : done) {
        if (reply)
            reply->complete(code, detail);
    }
}

QByteArray httpBaseUrl(const QString &configured)
{
    QUrl url(configured.trimmed());
    if (!url.isValid() || url.host().isEmpty()
        || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        return {};
    url.setUserInfo(QString());
    url.setQuery(QString());
    url.setFragment(QString());
    QByteArray base = url.toString(QUrl::FullyEncoded).toUtf8();
    while (base.endsWith('/'))
        base.chop(1);
    return base;
}

void abortAndDelete(HttpReply *reply)
{
    if (!reply)
        return;
    reply->abort();
    reply->deleteLater();
}

void abortAndDelete(QList<QPointer<HttpReply>> &replies)
{
    for (const QPointer<HttpReply> &r : std::as_const(replies))
        abortAndDelete(r.data());
    replies.clear();
}

} // namespace Opsdeck::Connectors
