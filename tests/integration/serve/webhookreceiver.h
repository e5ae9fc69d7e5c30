// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QTcpServer>
#include <QTcpSocket>

namespace Opsdeck::Tests {

/// A webhook receiver for tests: an HTTP/1.1 server on 127.0.0.1 that records every request
/// and answers each with the next scripted status (200 when the script is empty); status 0
/// closes the connection without an answer (a network error for the sender).
class WebhookReceiver
{
public:
    struct Request
    {
        QByteArray method;
        QByteArray path;
        QHash<QByteArray, QByteArray> headers; ///< names in lower case
        QByteArray body;

        QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    };

    WebhookReceiver()
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    onReadyRead(socket);
                });
            }
        });
    }

    bool isListening() const { return m_server.isListening(); }

    quint16 port() const { return m_server.serverPort(); }

    QString url(const QString &path = QStringLiteral("/hook")) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path);
    }

    /// Statuses for the next requests, in order.
    void script(const QList<int> &statuses) { m_script = statuses; }

    QList<Request> requests() const { return m_requests; }

    int count() const { return int(m_requests.size()); }

    void clear() { m_requests.clear(); }

private:
    void onReadyRead(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        Request request;
        const QList<QByteArray> lines = buffer.left(end).split('\n');
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        request.method = first.value(0);
        request.path = first.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines.at(i).indexOf(':');
            if (colon > 0)
                request.headers.insert(lines.at(i).left(colon).trimmed().toLower(),
                                       lines.at(i).mid(colon + 1).trimmed());
        }
        const qsizetype length = request.headers.value("content-length").toLongLong();
        if (buffer.size() < end + 4 + length)
            return;
        request.body = buffer.mid(end + 4, length);
        m_buffers.remove(socket);
        m_requests << request;
        const int status = m_script.isEmpty() ? 200 : m_script.takeFirst();
        if (status == 0) {
            socket->abort();
            return;
        }
        const QByteArray answer = "{\"ok\":" + QByteArray(status < 300 ? "true" : "false") + "}";
        socket->write("HTTP/1.1 " + QByteArray::number(status) + " Scripted\r\n"
                      + "Content-Type: application/json\r\nConnection: close\r\nContent-Length: "
                      + QByteArray::number(answer.size()) + "\r\n\r\n" + answer);
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QList<int> m_script;
    QList<Request> m_requests;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

} // namespace Opsdeck::Tests
