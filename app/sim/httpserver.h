// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QSet>
#include <QSocketNotifier>
#include <QString>
#include <QTimer>
#include <QUrlQuery>

#include <functional>
#include <memory>

struct MHD_Connection;
struct MHD_Daemon;

namespace Opsdeck::Sim {

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

/// A request as the simulated services see it, body complete.
struct HttpRequest
{
    QByteArray method;
    QString path; ///< decoded, without the query
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers; ///< names in lower case
    QByteArray body;
};

class HttpServer;

/// One request on its way to an answer. The handler answers at once (respond), later — a held
/// request, like a Consul blocking query — or opens a chunked stream (Docker /events, SSE) and
/// writes to it as things happen. Owned by the server: keep a QPointer, it goes away once the
/// exchange is over (closed() tells when).
class HttpExchange : public QObject
{
    Q_OBJECT

public:
    const HttpRequest &request() const { return m_request; }

    bool isOpen() const { return !m_closed; }

    bool hasAnswered() const { return m_status != 0; }

    void respond(int status,
                 const QByteArray &body,
                 const QByteArray &contentType = "application/json",
                 const HttpHeaders &headers = {});
    /// Starts a chunked response that stays open until end(); write() sends pieces.
    void startStream(int status, const QByteArray &contentType, const HttpHeaders &headers = {});
    void write(const QByteArray &chunk);
    void end();

signals:
    /// The exchange is over: answered and sent, the client went away, or the server stopped.
    void closed();

private:
    friend class HttpServer;
    HttpExchange(HttpServer *server, MHD_Connection *connection);

    HttpServer *m_server; ///< not owned; outlives the exchange
    MHD_Connection *m_connection;
    HttpRequest m_request;
    bool m_dispatched = false;
    bool m_suspended = false;
    bool m_queued = false; ///< the response was handed to libmicrohttpd
    bool m_closed = false;
    int m_status = 0;
    bool m_stream = false;
    bool m_streamEnded = false;
    QByteArray m_contentType;
    HttpHeaders m_headers;
    QByteArray m_body; ///< whole answer, or the stream's unsent bytes
};

/// An HTTP/1.1 server on 127.0.0.1 for the simulated estate, on libmicrohttpd driven by the Qt
/// event loop: no threads of its own, every callback on the thread the server lives in, so
/// handlers use the simulated state directly. Held requests and streams park their connection
/// (libmicrohttpd's suspend/resume) instead of blocking anything.
class HttpServer : public QObject
{
    Q_OBJECT

public:
    using Handler = std::function<void(HttpExchange *exchange)>;

    explicit HttpServer(QObject *parent = nullptr);
    ~HttpServer() override;

    /// Listens on 127.0.0.1:@p port (0: any free port). False with errorString() on failure.
    bool listen(quint16 port = 0);

    quint16 port() const { return m_port; }

    QString errorString() const { return m_error; }

    void setHandler(Handler handler) { m_handler = std::move(handler); }

    /// Ends every stream, answers held requests with 503, closes the socket. Idempotent.
    void stop();

    int openExchanges() const { return int(m_exchanges.size()); }

    /// Largest request body accepted; beyond it the request is answered 413.
    static constexpr qsizetype kMaxBody = 16 * 1024 * 1024;

private:
    friend class HttpExchange;
    struct Callbacks;

    void pump();
    void kick();
    void resume(HttpExchange *exchange);
    int queueAnswer(HttpExchange *exchange);

    MHD_Daemon *m_daemon = nullptr;
    std::unique_ptr<QSocketNotifier> m_notifier;
    QTimer m_timer;
    bool m_kickPending = false;
    bool m_stopping = false;
    quint16 m_port = 0;
    QString m_error;
    Handler m_handler;
    QSet<HttpExchange *> m_exchanges;
};

} // namespace Opsdeck::Sim
