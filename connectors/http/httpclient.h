// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentsconfig.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QTimer>

using CURL = void;
using CURLM = void;

namespace Opsdeck::Connectors {

/// Where requests go: a base URL, and for Docker's unix socket the socket path.
struct HttpEndpoint
{
    QString unixSocket; ///< non-empty: HTTP over this AF_UNIX socket
    QByteArray baseUrl; ///< "http://docker", "http://127.0.0.1:2375", "https://host:2376"
    Models::TlsFiles tls;
};

/// "http://host:port" (and any path prefix) of a configured URL, without credentials, query or
/// trailing slash; empty when it is no http(s) URL.
QByteArray httpBaseUrl(const QString &configured);

/// One request header, e.g. {"Accept", "text/event-stream"}.
using HttpHeader = QPair<QByteArray, QByteArray>;

struct HttpRequest
{
    QByteArray method = "GET";
    QByteArray path; ///< with query, e.g. "/v1.41/containers/json?all=1"
    QByteArray body;
    QByteArray contentType;
    /// Sent as given. An Authorization header is never part of a message, and curl drops it when
    /// a redirect leads to another host or port.
    QList<HttpHeader> headers;
    /// Redirects (3xx with a Location) followed before giving up; 0 answers with the 3xx itself.
    /// Relative and protocol-relative ("//host:port/…", Mesos) Locations keep the scheme.
    int maxRedirects = 0;
    int connectTimeoutMs = 3000;
    /// The whole exchange; 0 for none (streams).
    int timeoutMs = 10000;
    /// Streams only: the response must begin within this long, or the request fails. It is
    /// what catches a host that accepts connections and never answers.
    int headersTimeoutMs = 5000;
    qint64 maxBodyBytes = 64 * 1024 * 1024;
    /// Deliver the body piecewise through dataReceived instead of keeping it.
    bool stream = false;
};

class HttpClient;

/// One request in flight. Emits finished() once, unless abort()ed or deleted first. The
/// caller owns it (deleteLater() in the finished handler); deleting it cancels the request.
class HttpReply : public QObject
{
    Q_OBJECT

public:
    ~HttpReply() override;

    bool isFinished() const { return m_finished; }

    /// True when the exchange completed and the status is 2xx (or 304).
    bool ok() const;

    bool transportFailed() const { return !m_transportError.isEmpty(); }

    int status() const { return m_status; }

    QByteArray body() const { return m_body; }

    QByteArray header(const QByteArray &name) const;

    /// The URL that answered: the requested one, or where redirects led.
    QByteArray effectiveUrl() const { return m_effectiveUrl; }

    int redirectCount() const { return m_redirects; }

    /// What went wrong in a sentence: a transport error, or the HTTP status with the
    /// server's own message when it sent one.
    QString errorString() const;

    qint64 elapsedMs() const { return m_elapsed.elapsed(); }

    /// Cancels the request; finished() is not emitted afterwards.
    void abort();

signals:
    /// Streams: the status line and headers have arrived.
    void headersReceived(int status);
    /// Streams: a piece of the body.
    void dataReceived(const QByteArray &chunk);
    void finished();

private:
    friend class HttpClient;
    HttpReply(HttpClient *client, const HttpRequest &request, const QString &describe);

    /// "GET /v2/apps on http://…", and where redirects led; for messages.
    QString describe() const;
    void deliver();
    void complete(int curlCode, const QString &curlError);
    /// Ends the request: successfully when @p error is empty.
    void finish(const QString &error);
    void detach();

    QPointer<HttpClient> m_client;
    CURL *m_easy = nullptr;
    void *m_headerList = nullptr; ///< curl_slist*
    HttpRequest m_request;
    QString m_describe; ///< "GET /v1.41/containers/json on host", for messages
    QByteArray m_body;
    QByteArray m_pendingChunk;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    QByteArray m_effectiveUrl;
    int m_status = 0;
    int m_redirects = 0;
    /// The current response is a redirect curl is about to follow: its headers and body are not
    /// the answer.
    bool m_inRedirect = false;
    bool m_headersDone = false;
    bool m_headersAnnounced = false;
    bool m_finished = false;
    bool m_tooLarge = false;
    QString m_transportError;
    char m_errorBuffer[256] = {};
    QTimer m_headersTimer;
    QElapsedTimer m_elapsed;

    static size_t onWrite(char *data, size_t size, size_t count, void *self);
    static size_t onHeader(char *data, size_t size, size_t count, void *self);
};

/// Aborts @p reply (null: nothing) and deletes it later: it emits nothing any more.
void abortAndDelete(HttpReply *reply);
/// abortAndDelete for every reply of @p replies still alive; empties the list.
void abortAndDelete(QList<QPointer<HttpReply>> &replies);

/// A small asynchronous HTTP client on libcurl's multi interface, driven by the Qt event
/// loop (QSocketNotifier + QTimer): it never blocks the thread it lives on. It speaks HTTP
/// over unix sockets and TCP, with TLS client certificates, chunked streams and timeouts —
/// what Qt 6.4's QNetworkAccessManager cannot do for unix sockets. Every source reuses it.
class HttpClient : public QObject
{
    Q_OBJECT

public:
    explicit HttpClient(QObject *parent = nullptr);
    ~HttpClient() override;

    HttpReply *send(const HttpEndpoint &endpoint, const HttpRequest &request);

    int runningCount() const { return int(m_running.size()); }

private:
    friend class HttpReply;
    struct SocketWatch;

    void remove(HttpReply *reply);
    void socketActivated(int fd, int what);
    void timerFired();
    void processPending();
    void queueDelivery(HttpReply *reply);

    static int onSocket(CURL *easy, int fd, int what, void *self, void *socketData);
    static int onTimer(CURLM *multi, long timeoutMs, void *self);

    CURLM *m_multi = nullptr;
    QTimer m_timer;
    QHash<int, SocketWatch *> m_sockets;
    QList<HttpReply *> m_running;
    QList<QPointer<HttpReply>> m_pendingDelivery;
};

} // namespace Opsdeck::Connectors
