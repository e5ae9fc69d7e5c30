// SPDX-License-Identifier: MIT
#include "connectors/consul/consulparsers.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <algorithm>
#include <cmath>

namespace Opsdeck::Connectors {

using namespace Opsdeck::Models;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::Connectors::ConsulParsers", text);
}

QString at(qsizetype index, const char *field = nullptr)
{
    QString path = QLatin1Char('[') + QString::number(index) + QLatin1Char(']');
    if (field)
        path += QLatin1Char('.') + QLatin1String(field);
    return path;
}

/// The top-level array of a Consul answer, or where the JSON is broken.
Result<QJsonArray> parseArray(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return Result<QJsonArray>::failure(
            tr("malformed JSON at offset %1: %2").arg(error.offset).arg(error.errorString()));
    if (!doc.isArray())
        return Result<QJsonArray>::failure(tr("expected a JSON array"));
    return doc.array();
}

/// Reads the fields of one array element and keeps the first error with its path.
class FieldReader
{
public:
    FieldReader(const QJsonObject &object, qsizetype index)
        : m_object(object)
        , m_index(index)
    {}

    QString error() const { return m_error; }

    QString string(const char *field, bool required)
    {
        const QJsonValue v = m_object.value(QLatin1String(field));
        if (v.isUndefined() || v.isNull()) {
            if (required)
                fail(field, tr("missing"));
            return {};
        }
        if (!v.isString()) {
            fail(field, tr("expected a string"));
            return {};
        }
        return v.toString();
    }

    /// A non-negative integer (Consul's uint64 indexes and flags); absent is 0.
    quint64 unsignedNumber(const char *field)
    {
        const QJsonValue v = m_object.value(QLatin1String(field));
        if (v.isUndefined() || v.isNull())
            return 0;
        const double d = v.toDouble(-1);
        if (!v.isDouble() || !std::isfinite(d) || d < 0 || std::floor(d) != d || d > 1.8e19) {
            fail(field, tr("expected a non-negative integer"));
            return 0;
        }
        const qint64 exact = v.toInteger(-1);
        return exact >= 0 ? quint64(exact) : quint64(d);
    }

    void fail(const char *field, const QString &message)
    {
        if (m_error.isEmpty())
            m_error = at(m_index, field) + QLatin1String(": ") + message;
    }

private:
    QJsonObject m_object;
    qsizetype m_index;
    QString m_error;
};

} // namespace

Result<QList<KvEntry>> parseConsulKv(const QByteArray &json)
{
    const auto array = parseArray(json);
    if (!array.ok())
        return Error{array.error()};
    QList<KvEntry> out;
    out.reserve(array.value().size());
    for (qsizetype i = 0; i < array.value().size(); ++i) {
        const QJsonValue element = array.value().at(i);
        if (!element.isObject())
            return Result<QList<KvEntry>>::failure(at(i) + tr(": expected an object"));
        FieldReader reader(element.toObject(), i);
        KvEntry entry;
        entry.key = reader.string("Key", true);
        if (entry.key.isEmpty() && reader.error().isEmpty())
            reader.fail("Key", tr("is empty"));
        const QString value = reader.string("Value", false);
        if (!value.isEmpty()) {
            const auto decoded = QByteArray::fromBase64Encoding(
                value.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded || !std::all_of(value.cbegin(), value.cend(), [](QChar c) {
                    return c.unicode() < 0x80;
                }))
                reader.fail("Value", tr("not valid base64"));
            else
                entry.value = *decoded;
        }
        entry.flags = reader.unsignedNumber("Flags");
        const quint64 modifyIndex = reader.unsignedNumber("ModifyIndex");
        entry.version = qint64(std::min<quint64>(modifyIndex, quint64(INT64_MAX)));
        if (!reader.error().isEmpty())
            return Result<QList<KvEntry>>::failure(reader.error());
        out << entry;
    }
    return out;
}

Result<QList<ConsulCheck>> parseConsulChecks(const QByteArray &json)
{
    const auto array = parseArray(json);
    if (!array.ok())
        return Error{array.error()};
    QList<ConsulCheck> out;
    out.reserve(array.value().size());
    for (qsizetype i = 0; i < array.value().size(); ++i) {
        const QJsonValue element = array.value().at(i);
        if (!element.isObject())
            return Result<QList<ConsulCheck>>::failure(at(i) + tr(": expected an object"));
        FieldReader reader(element.toObject(), i);
        ConsulCheck check;
        check.node = reader.string("Node", true);
        check.checkId = reader.string("CheckID", true);
        check.name = reader.string("Name", false);
        check.status = reader.string("Status", true);
        check.output = reader.string("Output", false);
        check.serviceId = reader.string("ServiceID", false);
        check.serviceName = reader.string("ServiceName", false);
        if (reader.error().isEmpty() && check.status != QLatin1String("passing")
            && check.status != QLatin1String("warning")
            && check.status != QLatin1String("critical"))
            reader.fail("Status", tr("unknown check status '%1'").arg(check.status));
        if (!reader.error().isEmpty())
            return Result<QList<ConsulCheck>>::failure(reader.error());
        out << check;
    }
    return out;
}

std::optional<quint64> parseConsulIndex(const QByteArray &header)
{
    const QByteArray trimmed = header.trimmed();
    if (trimmed.isEmpty() || !std::all_of(trimmed.cbegin(), trimmed.cend(), [](char c) {
            return c >= '0' && c <= '9';
        }))
        return std::nullopt;
    bool ok = false;
    const quint64 value = trimmed.toULongLong(&ok);
    if (!ok)
        return std::nullopt;
    return value;
}

quint64 nextConsulIndex(quint64 previous, std::optional<quint64> returned)
{
    // No index header: the answer says nothing about where we are; keep blocking where we were.
    if (!returned)
        return std::max<quint64>(previous, 1);
    if (*returned < previous)
        return 0; // went backwards: start over with a non-blocking read
    return std::max<quint64>(*returned, 1);
}

ConsulRateLimiter::ConsulRateLimiter(int burst, int refillMs)
    : m_burst(std::max(1, burst))
    , m_refillMs(std::max(1, refillMs))
    , m_tokens(m_burst)
{}

qint64 ConsulRateLimiter::take(qint64 nowMs)
{
    if (m_lastMs >= 0 && nowMs > m_lastMs)
        m_tokens = std::min<double>(m_burst, m_tokens + double(nowMs - m_lastMs) / m_refillMs);
    m_lastMs = std::max(m_lastMs, nowMs);
    if (m_tokens >= 1) {
        m_tokens -= 1;
        return 0;
    }
    return std::max<qint64>(1, qint64(std::ceil((1 - m_tokens) * m_refillMs)));
}

} // namespace Opsdeck::Connectors
