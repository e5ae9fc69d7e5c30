// SPDX-License-Identifier: MIT
#include "app/sim/httpserver.h"

#include <QCoreApplication>

#include <algorithm>
#include <arpa/inet.h>
#include <cstdarg>
#include <cstring>
#include <microhttpd.h>
#include <netinet/in.h>
#include <unistd.h>

namespace Opsdeck::Sim {

namespace {

// libmicrohttpd hands streamed bodies out in pieces of at most this size.
constexpr size_t kStreamBlock = 32 * 1024;
// Even when libmicrohttpd has nothing scheduled, look again this often.
constexpr MHD_UNSIGNED_LONG_LONG kMaxIdleMs = 1000;

QByteArray reasonBody(const char *message)
{
    return QByteArray("{\"message\":\"") + message + "\"}";
}

} // namespace

// The C callbacks, with access to both classes' privates.
struct HttpServer::Callbacks
{
    static MHD_Result access(void *cls,
                             MHD_Connection *connection,
                             const char *url,
                             const char *method,
                             const char *,
                             const char *uploadData,
                             size_t *uploadSize,
                             void **state)
    {
        auto *server = static_cast<HttpServer *>(cls);
        auto *exchange = static_cast<HttpExchange *>(*state);
        if (!exchange) {
            // Headers are in: the body (if any) follows in further calls.
            exchange = new HttpExchange(server, connection);
            exchange->m_request.method = method;
            exchange->m_request.path = QString::fromUtf8(url);
            MHD_get_connection_values(connection, MHD_HEADER_KIND, &Callbacks::header, exchange);
            MHD_get_connection_values(
                connection, MHD_GET_ARGUMENT_KIND, &Callbacks::argument, exchange);
            server->m_exchanges.insert(exchange);
            *state = exchange;
            return MHD_YES;
        }
        if (*uploadSize > 0) {
            if (exchange->m_request.body.size() + qsizetype(*uploadSize) <= kMaxBody)
                exchange->m_request.body.append(uploadData, qsizetype(*uploadSize));
            else if (!exchange->hasAnswered())
                exchange->respond(413, reasonBody("request body too large"));
            *uploadSize = 0;
            return MHD_YES;
        }
        if (!exchange->m_dispatched) {
            exchange->m_dispatched = true;
            if (server->m_stopping && !exchange->hasAnswered()) // the services may be gone already
                exchange->respond(503, reasonBody("the simulated estate is shutting down"));
            if (!exchange->hasAnswered()) {
                if (server->m_handler)
                    server->m_handler(exchange);
                else
                    exchange->respond(404, reasonBody("no handler"));
            }
        }
        if (exchange->m_queued)
            return MHD_YES;
        if (exchange->hasAnswered())
            return MHD_Result(server->queueAnswer(exchange));
        if (server->m_stopping) {
            exchange->respond(503, reasonBody("the simulated estate is shutting down"));
            return MHD_Result(server->queueAnswer(exchange));
        }
        // Held: park the connection until respond() or startStream() resumes it.
        exchange->m_suspended = true;
        MHD_suspend_connection(connection);
        return MHD_YES;
    }

    static MHD_Result header(void *cls, MHD_ValueKind, const char *key, const char *value)
    {
        auto *exchange = static_cast<HttpExchange *>(cls);
        exchange->m_request.headers.insert(QByteArray(key).toLower(),
                                           QByteArray(value ? value : ""));
        return MHD_YES;
    }

    static MHD_Result argument(void *cls, MHD_ValueKind, const char *key, const char *value)
    {
        auto *exchange = static_cast<HttpExchange *>(cls);
        exchange->m_request.query.addQueryItem(QString::fromUtf8(key),
                                               value ? QString::fromUtf8(value) : QString());
        return MHD_YES;
    }

    static ssize_t read(void *cls, uint64_t, char *buffer, size_t max)
    {
        auto *exchange = static_cast<HttpExchange *>(cls);
        if (!exchange->m_body.isEmpty()) {
            const size_t n = std::min(max, size_t(exchange->m_body.size()));
            std::memcpy(buffer, exchange->m_body.constData(), n);
            exchange->m_body.remove(0, qsizetype(n));
            return ssize_t(n);
        }
        if (exchange->m_streamEnded || exchange->m_server->m_stopping)
            return MHD_CONTENT_READER_END_OF_STREAM;
        // Nothing to send: park until write() or end() resumes (returning 0 unparked would spin).
        exchange->m_suspended = true;
        MHD_suspend_connection(exchange->m_connection);
        return 0;
    }

    static void completed(void *cls, MHD_Connection *, void **state, MHD_RequestTerminationCode)
    {
        auto *server = static_cast<HttpServer *>(cls);
        auto *exchange = static_cast<HttpExchange *>(*state);
        *state = nullptr;
        if (!exchange)
            return;
        server->m_exchanges.remove(exchange);
        exchange->m_closed = true;
        exchange->m_suspended = false;
        emit exchange->closed();
        exchange->deleteLater();
    }

    static void log(void *, const char *, va_list)
    {
        // Client disconnects mid-stream are routine here; libmicrohttpd would print each one.
    }
};

HttpExchange::HttpExchange(HttpServer *server, MHD_Connection *connection)
    : QObject(server)
    , m_server(server)
    , m_connection(connection)
{}

void HttpExchange::respond(int status,
                           const QByteArray &body,
                           const QByteArray &contentType,
                           const HttpHeaders &headers)
{
    if (m_closed || hasAnswered())
        return;
    m_status = status;
    m_body = body;
    m_contentType = contentType;
    m_headers = headers;
    m_server->resume(this);
}

void HttpExchange::startStream(int status,
                               const QByteArray &contentType,
                               const HttpHeaders &headers)
{
    if (m_closed || hasAnswered())
        return;
    m_stream = true; // the answer's body is what write() sends from now on
    respond(status, QByteArray(), contentType, headers);
}

void HttpExchange::write(const QByteArray &chunk)
{
    if (m_closed || !m_stream || m_streamEnded || chunk.isEmpty())
        return;
    m_body.append(chunk);
    m_server->resume(this);
}

void HttpExchange::end()
{
    if (m_closed || !m_stream)
        return;
    m_streamEnded = true;
    m_server->resume(this);
}

HttpServer::HttpServer(QObject *parent)
    : QObject(parent)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpServer::pump);
}

HttpServer::~HttpServer()
{
    stop();
}

bool HttpServer::listen(quint16 port)
{
    if (m_daemon) {
        m_error = tr("already listening on port %1").arg(m_port);
        return false;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr =
        htonl(INADDR_LOOPBACK); // the simulated estate is for this machine only
    m_daemon = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
                                0,
                                nullptr,
                                nullptr,
                                &Callbacks::access,
                                this,
                                MHD_OPTION_SOCK_ADDR,
                                &address,
                                MHD_OPTION_NOTIFY_COMPLETED,
                                &Callbacks::completed,
                                this,
                                MHD_OPTION_EXTERNAL_LOGGER,
                                &Callbacks::log,
                                this,
                                MHD_OPTION_CONNECTION_LIMIT,
                                2000u,
                                MHD_OPTION_END);
    if (!m_daemon) {
        m_error = tr("cannot listen on 127.0.0.1:%1: %2")
                      .arg(port)
                      .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    m_port = MHD_get_daemon_info(m_daemon, MHD_DAEMON_INFO_BIND_PORT)->port;
    const int epollFd = MHD_get_daemon_info(m_daemon, MHD_DAEMON_INFO_EPOLL_FD)->epoll_fd;
    m_notifier = std::make_unique<QSocketNotifier>(qintptr(epollFd), QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, &HttpServer::pump);
    m_stopping = false;
    kick();
    return true;
}

void HttpServer::pump()
{
    m_kickPending = false;
    if (!m_daemon)
        return;
    MHD_run(m_daemon);
    MHD_UNSIGNED_LONG_LONG timeout = 0;
    if (MHD_get_timeout(m_daemon, &timeout) == MHD_YES)
        m_timer.start(int(std::min(timeout, kMaxIdleMs)));
    else
        m_timer.start(int(kMaxIdleMs));
}

void HttpServer::kick()
{
    // MHD_run must follow a resume; once per event-loop turn covers any number of them.
    if (m_kickPending)
        return;
    m_kickPending = true;
    QTimer::singleShot(0, this, &HttpServer::pump);
}

void HttpServer::resume(HttpExchange *exchange)
{
    if (!exchange->m_suspended || exchange->m_closed)
        return;
    exchange->m_suspended = false;
    MHD_resume_connection(exchange->m_connection);
    kick();
}

int HttpServer::queueAnswer(HttpExchange *exchange)
{
    MHD_Response *response = nullptr;
    if (exchange->m_stream) {
        response = MHD_create_response_from_callback(
            MHD_SIZE_UNKNOWN, kStreamBlock, &Callbacks::read, exchange, nullptr);
    } else {
        response = MHD_create_response_from_buffer(size_t(exchange->m_body.size()),
                                                   const_cast<char *>(exchange->m_body.constData()),
                                                   MHD_RESPMEM_MUST_COPY);
        exchange->m_body.clear();
    }
    if (!response)
        return MHD_NO;
    if (!exchange->m_contentType.isEmpty())
        MHD_add_response_header(response, "Content-Type", exchange->m_contentType.constData());
    if (exchange->m_stream)
        MHD_add_response_header(response, "Cache-Control", "no-cache");
    for (const auto &[name, value] : std::as_const(exchange->m_headers))
        MHD_add_response_header(response, name.constData(), value.constData());
    const MHD_Result result =
        MHD_queue_response(exchange->m_connection, unsigned(exchange->m_status), response);
    MHD_destroy_response(response);
    exchange->m_queued = true;
    return result;
}

void HttpServer::stop()
{
    if (!m_daemon)
        return;
    // libmicrohttpd aborts if it is stopped with a suspended connection: end every stream,
    // answer every held request, resume them all and let them finish first.
    m_stopping = true;
    const MHD_socket listener = MHD_quiesce_daemon(m_daemon);
    if (listener != MHD_INVALID_SOCKET)
        ::close(listener);
    const QSet<HttpExchange *> open = m_exchanges;
    for (HttpExchange *exchange : open) {
        if (exchange->m_stream)
            exchange->m_streamEnded = true;
        else if (!exchange->hasAnswered() && exchange->m_dispatched)
            exchange->respond(503, reasonBody("the simulated estate is shutting down"));
        resume(exchange);
    }
    for (int round = 0; round < 20 && !m_exchanges.isEmpty(); ++round)
        MHD_run(m_daemon);
    m_notifier.reset();
    m_timer.stop();
    MHD_stop_daemon(m_daemon);
    m_daemon = nullptr;
    for (HttpExchange *exchange : std::as_const(m_exchanges)) {
        exchange->m_closed = true;
        emit exchange->closed();
        exchange->deleteLater();
    }
    m_exchanges.clear();
}

} // namespace Opsdeck::Sim
