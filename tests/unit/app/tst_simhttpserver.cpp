// SPDX-License-Identifier: MIT
// The simulated estate's HTTP server, spoken to by Opsdeck's own HTTP client.
#include "app/sim/httpserver.h"
#include "connectors/http/httpclient.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace Opsdeck;
using Connectors::HttpClient;
using Connectors::HttpReply;
using Connectors::HttpRequest;
using Sim::HttpExchange;

class tst_SimHttpServer : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void answersAtOnceWithHeaders();
    void receivesBodyAndQuery();
    void headHasNoBody();
    void heldRequestIsAnsweredLater();
    void streamDeliversChunksAsWritten();
    void fiftyHeldRequestsAtOnce();
    void clientGoingAwayClosesTheExchange();
    void stopEndsStreamsAndHeldRequests();

private:
    HttpReply *get(const QByteArray &path,
                   bool stream = false,
                   const QByteArray &method = "GET",
                   const QByteArray &body = {});

    Connectors::HttpEndpoint endpoint() const
    {
        Connectors::HttpEndpoint e;
        e.baseUrl = "http://127.0.0.1:" + QByteArray::number(m_server->port());
        return e;
    }

    std::unique_ptr<Sim::HttpServer> m_server;
    std::unique_ptr<HttpClient> m_client;
    QList<QPointer<HttpExchange>> m_held;
    QList<QPointer<HttpExchange>> m_streams;
};

void tst_SimHttpServer::init()
{
    m_server = std::make_unique<Sim::HttpServer>();
    m_client = std::make_unique<HttpClient>();
    m_server->setHandler([this](HttpExchange *ex) {
        const Sim::HttpRequest &r = ex->request();
        if (r.path == QLatin1String("/v1/kv/app")) {
            ex->respond(200, "[]", "application/json", {{"X-Consul-Index", "42"}});
        } else if (r.path == QLatin1String("/echo")) {
            ex->respond(201,
                        r.method + ' ' + r.query.queryItemValue(QStringLiteral("q")).toUtf8() + ' '
                            + r.body + ' ' + r.headers.value("x-test"),
                        "text/plain");
        } else if (r.path == QLatin1String("/_ping")) {
            ex->respond(200, "OK", "text/plain", {{"Api-Version", "1.41"}});
        } else if (r.path == QLatin1String("/hold")) {
            m_held << ex; // answered by the test, later
        } else if (r.path == QLatin1String("/events")) {
            ex->startStream(200, "application/json");
            m_streams << ex;
        } else {
            ex->respond(404, R"({"message":"not found"})");
        }
    });
    QVERIFY2(m_server->listen(0), qPrintable(m_server->errorString()));
    QVERIFY(m_server->port() > 0);
}

void tst_SimHttpServer::cleanup()
{
    m_client.reset();
    m_server.reset();
    m_held.clear();
    m_streams.clear();
}

HttpReply *tst_SimHttpServer::get(const QByteArray &path,
                                  bool stream,
                                  const QByteArray &method,
                                  const QByteArray &body)
{
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.stream = stream;
    r.timeoutMs = stream ? 0 : 10000;
    return m_client->send(endpoint(), r);
}

void tst_SimHttpServer::answersAtOnceWithHeaders()
{
    std::unique_ptr<HttpReply> reply(get("/v1/kv/app"));
    QSignalSpy done(reply.get(), &HttpReply::finished);
    QVERIFY(done.wait(5000));
    QVERIFY2(reply->ok(), qPrintable(reply->errorString()));
    QCOMPARE(reply->status(), 200);
    QCOMPARE(reply->body(), QByteArray("[]"));
    QCOMPARE(reply->header("X-Consul-Index"), QByteArray("42"));
    QCOMPARE(reply->header("Content-Type"), QByteArray("application/json"));

    std::unique_ptr<HttpReply> missing(get("/nope"));
    QSignalSpy done2(missing.get(), &HttpReply::finished);
    QVERIFY(done2.wait(5000));
    QCOMPARE(missing->status(), 404);
    QVERIFY(missing->errorString().endsWith(QStringLiteral("HTTP 404: not found")));
}

void tst_SimHttpServer::receivesBodyAndQuery()
{
    // Larger than one read, to cross libmicrohttpd's piecewise upload.
    const QByteArray body(200 * 1024, 'b');
    HttpRequest r;
    r.method = "PUT";
    r.path = "/echo?q=hello%20world";
    r.body = body;
    r.contentType = "application/octet-stream";
    std::unique_ptr<HttpReply> reply(m_client->send(endpoint(), r));
    QSignalSpy done(reply.get(), &HttpReply::finished);
    QVERIFY(done.wait(5000));
    QCOMPARE(reply->status(), 201);
    QCOMPARE(reply->body(), "PUT hello world " + body + ' ');
}

void tst_SimHttpServer::headHasNoBody()
{
    std::unique_ptr<HttpReply> reply(get("/_ping", false, "HEAD"));
    QSignalSpy done(reply.get(), &HttpReply::finished);
    QVERIFY(done.wait(5000));
    QCOMPARE(reply->status(), 200);
    QCOMPARE(reply->header("Api-Version"), QByteArray("1.41"));
    QVERIFY(reply->body().isEmpty());
}

void tst_SimHttpServer::heldRequestIsAnsweredLater()
{
    QElapsedTimer t;
    t.start();
    std::unique_ptr<HttpReply> reply(get("/hold"));
    QTRY_COMPARE(m_held.size(), 1);
    QTimer::singleShot(300, this, [this] { m_held.first()->respond(200, R"({"index":7})"); });
    QSignalSpy done(reply.get(), &HttpReply::finished);
    QVERIFY(done.wait(5000));
    QVERIFY(t.elapsed() >= 300);
    QCOMPARE(reply->body(), QByteArray(R"({"index":7})"));
    QTRY_COMPARE(m_server->openExchanges(), 0);
}

void tst_SimHttpServer::streamDeliversChunksAsWritten()
{
    std::unique_ptr<HttpReply> reply(get("/events", true));
    QByteArray received;
    connect(reply.get(), &HttpReply::dataReceived, this, [&received](const QByteArray &c) {
        received += c;
    });
    QSignalSpy headers(reply.get(), &HttpReply::headersReceived);
    QTRY_COMPARE(m_streams.size(), 1);
    QVERIFY(headers.count() == 1 || headers.wait(5000));
    for (int i = 1; i <= 3; ++i) {
        const QByteArray line = "{\"seq\":" + QByteArray::number(i) + "}\n";
        QElapsedTimer t;
        t.start();
        m_streams.first()->write(line);
        QTRY_VERIFY_WITH_TIMEOUT(received.endsWith(line), 2000);
        qInfo("chunk %d reached the client in %lld ms", i, t.elapsed());
    }
    QSignalSpy done(reply.get(), &HttpReply::finished);
    m_streams.first()->end();
    QVERIFY(done.wait(5000));
    QVERIFY2(reply->ok(), qPrintable(reply->errorString()));
    QCOMPARE(received, QByteArray("{\"seq\":1}\n{\"seq\":2}\n{\"seq\":3}\n"));
}

void tst_SimHttpServer::fiftyHeldRequestsAtOnce()
{
    // One HttpClient opens at most 12 connections per host (the rest queue inside curl), so
    // five clients hold ten requests each.
    std::vector<std::unique_ptr<HttpClient>> clients;
    std::vector<std::unique_ptr<HttpReply>> replies;
    for (int i = 0; i < 50; ++i) {
        if (i % 10 == 0)
            clients.push_back(std::make_unique<HttpClient>());
        HttpRequest r;
        r.path = "/hold";
        replies.emplace_back(clients.back()->send(endpoint(), r));
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_held.size(), 50, 10000);
    for (int i = 0; i < 50; ++i)
        m_held.at(i)->respond(200, QByteArray::number(i));
    for (int i = 0; i < 50; ++i) {
        QTRY_VERIFY_WITH_TIMEOUT(replies.at(size_t(i))->isFinished(), 10000);
    }
    // Held requests answered in order: each reply got the answer of the exchange it made.
    QSet<QByteArray> bodies;
    for (const auto &reply : replies)
        bodies.insert(reply->body());
    QCOMPARE(bodies.size(), 50);
    replies.clear();
}

void tst_SimHttpServer::clientGoingAwayClosesTheExchange()
{
    auto *reply = get("/events", true);
    QTRY_COMPARE(m_streams.size(), 1);
    QPointer<HttpExchange> exchange = m_streams.first();
    QSignalSpy closed(exchange.data(), &HttpExchange::closed);
    delete reply; // the client hangs up
    // A parked connection notices only when it next has something to send.
    for (int i = 0; i < 50 && closed.isEmpty(); ++i) {
        if (exchange)
            exchange->write("{\"ping\":1}\n");
        QTest::qWait(20);
    }
    QCOMPARE(closed.count(), 1);
    QTRY_COMPARE(m_server->openExchanges(), 0);
}

void tst_SimHttpServer::stopEndsStreamsAndHeldRequests()
{
    std::unique_ptr<HttpReply> held(get("/hold"));
    std::unique_ptr<HttpReply> stream(get("/events", true));
    QTRY_COMPARE(m_held.size(), 1);
    QTRY_COMPARE(m_streams.size(), 1);
    m_server->stop(); // must not abort with suspended connections
    QTRY_VERIFY_WITH_TIMEOUT(held->isFinished() && stream->isFinished(), 5000);
    QCOMPARE(held->status(), 503);
    QVERIFY2(stream->ok(), qPrintable(stream->errorString())); // ended cleanly
    QCOMPARE(m_server->openExchanges(), 0);
    m_server->stop(); // idempotent
}

QTEST_GUILESS_MAIN(tst_SimHttpServer)
#include "tst_simhttpserver.moc"
