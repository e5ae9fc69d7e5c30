// SPDX-License-Identifier: MIT
#include "connectors/etcd/etcdparsers.h"

#include "connectors/marathon/marathonparsers.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace Opsdeck::Connectors {

using namespace Opsdeck::Models;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::Connectors::EtcdParsers", text);
}

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

QString b64(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64());
}

QString int64Text(qint64 n)
{
    return QString::number(n);
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

/// An int64 field: etcd sends them as JSON strings ("revision":"5"), numbers are accepted too.
qint64
int64Field(JsonFieldReader &r, const QJsonObject &o, const QString &name, const QString &path)
{
    const QJsonValue v = o.value(name);
    if (v.isUndefined() || v.isNull())
        return 0; // zero values are omitted (reference 5.1)
    if (v.isString()) {
        bool ok = false;
        const qint64 n = v.toString().toLongLong(&ok);
        if (!ok)
            r.fail(JsonFieldReader::member(path, name),
                   tr("expected an integer, got \"%1\"").arg(v.toString().left(40)));
        return ok ? n : 0;
    }
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (d == std::floor(d) && std::abs(d) < 9.0e15)
            return qint64(d);
    }
    r.fail(JsonFieldReader::member(path, name), tr("expected an integer"));
    return 0;
}

/// A proto `bytes` field: base64 in JSON.
QByteArray
bytesField(JsonFieldReader &r, const QJsonObject &o, const QString &name, const QString &path)
{
    const QString text = r.string(o, name, path);
    if (text.isEmpty())
        return {};
    auto decoded =
        QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        r.fail(JsonFieldReader::member(path, name), tr("invalid base64"));
        return {};
    }
    return *decoded;
}

EtcdKeyValue parseKv(JsonFieldReader &r, const QJsonObject &o, const QString &path)
{
    EtcdKeyValue kv;
    kv.key = bytesField(r, o, key("key"), path);
    if (kv.key.isEmpty() && !r.failed())
        r.fail(JsonFieldReader::member(path, key("key")), tr("missing"));
    kv.value = bytesField(r, o, key("value"), path);
    kv.createRevision = int64Field(r, o, key("create_revision"), path);
    kv.modRevision = int64Field(r, o, key("mod_revision"), path);
    kv.version = int64Field(r, o, key("version"), path);
    return kv;
}

qint64 headerRevision(JsonFieldReader &r, const QJsonObject &o, const QString &path)
{
    const QJsonObject header = r.object(o, key("header"), path);
    return int64Field(r, header, key("revision"), JsonFieldReader::member(path, key("header")));
}

} // namespace

KvEntry EtcdKeyValue::toEntry() const
{
    KvEntry e;
    e.key = QString::fromUtf8(key);
    e.value = value;
    e.version = modRevision;
    return e;
}

QByteArray etcdPrefixRangeEnd(const QByteArray &prefix)
{
    QByteArray end = prefix;
    while (!end.isEmpty() && quint8(end.back()) == 0xFF)
        end.chop(1);
    if (end.isEmpty())
        return QByteArray(1, '\0');
    end.back() = char(quint8(end.back()) + 1);
    return end;
}

QByteArray
etcdRangeBody(const QByteArray &prefix, qint64 limit, const QByteArray &fromKey, qint64 revision)
{
    QJsonObject o{{key("key"), b64(fromKey.isEmpty() ? prefix : fromKey)},
                  {key("range_end"), b64(etcdPrefixRangeEnd(prefix))}};
    if (limit > 0)
        o.insert(key("limit"), int64Text(limit));
    if (revision > 0)
        o.insert(key("revision"), int64Text(revision));
    // Paging walks the keys in order: ASCEND by KEY is also etcd's default.
    o.insert(key("sort_order"), key("ASCEND"));
    o.insert(key("sort_target"), key("KEY"));
    return compact(o);
}

QByteArray etcdCountBody(const QByteArray &prefix)
{
    return compact(QJsonObject{{key("key"), b64(prefix)},
                               {key("range_end"), b64(etcdPrefixRangeEnd(prefix))},
                               {key("count_only"), true}});
}

QByteArray etcdWatchBody(const QByteArray &prefix, qint64 startRevision)
{
    QJsonObject create{{key("key"), b64(prefix)},
                       {key("range_end"), b64(etcdPrefixRangeEnd(prefix))},
                       {key("progress_notify"), true}};
    if (startRevision > 0)
        create.insert(key("start_revision"), int64Text(startRevision));
    return compact(QJsonObject{{key("create_request"), create}});
}

QByteArray etcdAuthenticateBody(const QString &name, const QString &password)
{
    return compact(QJsonObject{{key("name"), name}, {key("password"), password}});
}

QByteArray
etcdCasBody(const QByteArray &k, const std::optional<QByteArray> &value, qint64 expectedModRevision)
{
    QJsonArray compare;
    if (expectedModRevision == 0) {
        // version 0 means "the key does not exist" (reference 5.2).
        compare.append(QJsonObject{{key("key"), b64(k)},
                                   {key("target"), key("VERSION")},
                                   {key("result"), key("EQUAL")},
                                   {key("version"), key("0")}});
    } else if (expectedModRevision > 0) {
        compare.append(QJsonObject{{key("key"), b64(k)},
                                   {key("target"), key("MOD")},
                                   {key("result"), key("EQUAL")},
                                   {key("mod_revision"), int64Text(expectedModRevision)}});
    }
    const QJsonObject op =
        value ? QJsonObject{{key("request_put"),
                             QJsonObject{{key("key"), b64(k)}, {key("value"), b64(*value)}}}}
              : QJsonObject{{key("request_delete_range"), QJsonObject{{key("key"), b64(k)}}}};
    return compact(QJsonObject{
        {key("compare"), compare},
        {key("success"), QJsonArray{op}},
        {key("failure"),
         QJsonArray{QJsonObject{{key("request_range"), QJsonObject{{key("key"), b64(k)}}}}}}});
}

Result<EtcdRange> parseEtcdRange(const QByteArray &json)
{
    const auto doc = JsonFieldReader::parseObject(json);
    if (!doc.ok())
        return Error{doc.error()};
    JsonFieldReader r;
    EtcdRange range;
    range.revision = headerRevision(r, doc.value(), {});
    r.forEachObject(doc.value(), key("kvs"), {}, [&](const QJsonObject &o, const QString &at) {
        range.kvs << parseKv(r, o, at);
    });
    range.count = int64Field(r, doc.value(), key("count"), {});
    range.more = r.boolean(doc.value(), key("more"), {}, false);
    if (!r.failed() && range.revision <= 0)
        r.fail(key("header.revision"), tr("missing"));
    return r.result(range);
}

Result<EtcdWatchResponse> parseEtcdWatchResponse(const QByteArray &line)
{
    const auto doc = JsonFieldReader::parseObject(line);
    if (!doc.ok())
        return Error{doc.error()};
    JsonFieldReader r;
    EtcdWatchResponse w;
    const QJsonValue error = doc.value().value(key("error"));
    if (error.isObject()) {
        // grpc-gateway ends a failed stream with {"error":{"grpc_code","http_code","message"}}.
        const QJsonObject e = error.toObject();
        EtcdError err;
        err.code = r.integer(e, key("grpc_code"), key("error"));
        err.httpStatus = r.integer(e, key("http_code"), key("error"));
        err.message = r.string(e, key("message"), key("error"));
        w.error = err;
        return r.result(w);
    }
    if (error.isString()) {
        w.error = parseEtcdError(0, line);
        return w;
    }
    const QString resultPath = key("result");
    const QJsonObject result = doc.value().value(resultPath).toObject();
    if (!doc.value().value(resultPath).isObject())
        return Result<EtcdWatchResponse>::failure(tr("result: missing"));
    w.revision = headerRevision(r, result, resultPath);
    w.watchId = int64Field(r, result, key("watch_id"), resultPath);
    w.created = r.boolean(result, key("created"), resultPath, false);
    w.canceled = r.boolean(result, key("canceled"), resultPath, false);
    w.compactRevision = int64Field(r, result, key("compact_revision"), resultPath);
    w.cancelReason = r.string(result, key("cancel_reason"), resultPath);
    r.forEachObject(
        result, key("events"), resultPath, [&](const QJsonObject &o, const QString &at) {
            EtcdWatchEvent ev;
            const QString type = r.string(o, key("type"), at);
            if (type == QLatin1String("DELETE"))
                ev.deleted = true;
            else if (!type.isEmpty() && type != QLatin1String("PUT"))
                r.fail(JsonFieldReader::member(at, key("type")),
                       tr("unknown event type %1").arg(type));
            const QString kvPath = JsonFieldReader::member(at, key("kv"));
            if (!o.value(key("kv")).isObject())
                r.fail(kvPath, tr("missing"));
            ev.kv = parseKv(r, o.value(key("kv")).toObject(), kvPath);
            w.events << ev;
        });
    return r.result(w);
}

Result<QString> parseEtcdToken(const QByteArray &json)
{
    const auto doc = JsonFieldReader::parseObject(json);
    if (!doc.ok())
        return Error{doc.error()};
    JsonFieldReader r;
    const QString token = r.requiredString(doc.value(), key("token"), {});
    return r.result(token);
}

Result<EtcdTxnResult> parseEtcdTxn(const QByteArray &json)
{
    const auto doc = JsonFieldReader::parseObject(json);
    if (!doc.ok())
        return Error{doc.error()};
    JsonFieldReader r;
    EtcdTxnResult txn;
    txn.revision = headerRevision(r, doc.value(), {});
    txn.succeeded = r.boolean(doc.value(), key("succeeded"), {}, false);
    r.forEachObject(
        doc.value(), key("responses"), {}, [&](const QJsonObject &o, const QString &at) {
            const QString rangePath = JsonFieldReader::member(at, key("response_range"));
            const QJsonObject range = r.object(o, key("response_range"), at);
            r.forEachObject(
                range, key("kvs"), rangePath, [&](const QJsonObject &kv, const QString &p) {
                    txn.current = parseKv(r, kv, p);
                });
        });
    return r.result(txn);
}

EtcdError parseEtcdError(int httpStatus, const QByteArray &body)
{
    EtcdError e;
    e.httpStatus = httpStatus;
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (doc.isObject()) {
        const QJsonObject o = doc.object();
        e.code = o.value(key("code")).toInt();
        e.message = o.value(key("message")).toString();
        if (e.message.isEmpty())
            e.message = o.value(key("error")).toString();
    }
    if (e.message.isEmpty())
        e.message = QString::fromUtf8(body.left(200)).trimmed();
    return e;
}

QList<QByteArray> EtcdLineSplitter::feed(const QByteArray &chunk)
{
    QList<QByteArray> lines;
    m_pending += chunk;
    qsizetype start = 0;
    for (qsizetype nl = m_pending.indexOf('\n'); nl >= 0; nl = m_pending.indexOf('\n', start)) {
        QByteArray line = m_pending.mid(start, nl - start);
        if (line.endsWith('\r'))
            line.chop(1);
        if (!line.trimmed().isEmpty())
            lines << line;
        start = nl + 1;
    }
    m_pending.remove(0, start);
    if (m_pending.size() > kMaxLineBytes) {
        m_overflowed = true;
        m_pending.clear();
    }
    return lines;
}

} // namespace Opsdeck::Connectors
