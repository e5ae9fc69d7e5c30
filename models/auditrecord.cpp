// SPDX-License-Identifier: MIT
#include "models/auditrecord.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>

#include <algorithm>

namespace Opsdeck::Models {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::Models::AuditRecord", text);
}

const QString kTime = QStringLiteral("time");
const QString kUser = QStringLiteral("user");
const QString kEnvironment = QStringLiteral("environment");
const QString kAction = QStringLiteral("action");
const QString kTarget = QStringLiteral("target");
const QString kParameters = QStringLiteral("parameters");
const QString kOutcome = QStringLiteral("outcome");
const QString kDetail = QStringLiteral("detail");

QString valueText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (d == double(qint64(d)))
            return QString::number(qint64(d));
        return QString::number(d);
    }
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Undefined:
        break;
    }
    return QString();
}

} // namespace

QJsonObject AuditRecord::toJson() const
{
    QJsonObject o{{kTime, auditTimeString(time)},
                  {kUser, user},
                  {kEnvironment, environment},
                  {kAction, action},
                  {kTarget, target},
                  {kParameters, parameters},
                  {kOutcome, outcome}};
    if (!detail.isEmpty())
        o.insert(kDetail, detail);
    return o;
}

bool AuditRecord::fromJson(const QJsonObject &object, AuditRecord *record, QString *why)
{
    auto fail = [why](const QString &message) {
        if (why)
            *why = message;
        return false;
    };
    AuditRecord r;
    const QJsonValue time = object.value(kTime);
    if (!time.isString())
        return fail(tr("no \"time\""));
    r.time = QDateTime::fromString(time.toString(), Qt::ISODateWithMs);
    if (!r.time.isValid())
        return fail(tr("\"time\" is not an ISO 8601 time: %1").arg(time.toString()));
    const QJsonValue action = object.value(kAction);
    if (!action.isString() || action.toString().isEmpty())
        return fail(tr("no \"action\""));
    r.action = action.toString();
    for (const auto &[key, field] : {std::pair{kUser, &r.user},
                                     std::pair{kEnvironment, &r.environment},
                                     std::pair{kTarget, &r.target},
                                     std::pair{kOutcome, &r.outcome},
                                     std::pair{kDetail, &r.detail}}) {
        const QJsonValue v = object.value(key);
        if (v.isUndefined() || v.isNull())
            continue;
        if (!v.isString())
            return fail(tr("\"%1\" is not a string").arg(key));
        *field = v.toString();
    }
    const QJsonValue parameters = object.value(kParameters);
    if (!parameters.isUndefined() && !parameters.isNull() && !parameters.isObject())
        return fail(tr("\"parameters\" is not an object"));
    r.parameters = parameters.toObject();
    *record = r;
    return true;
}

bool AuditFilter::matches(const AuditRecord &record) const
{
    if (!environment.isEmpty() && record.environment.compare(environment, Qt::CaseInsensitive) != 0)
        return false;
    if (since.isValid() && record.time < since)
        return false;
    return true;
}

AuditParseResult parseAuditLines(const QByteArray &data, int firstLine, const AuditFilter &filter)
{
    AuditParseResult result;
    int number = firstLine;
    qsizetype start = 0;
    while (start < data.size()) {
        qsizetype end = data.indexOf('\n', start);
        if (end < 0)
            end = data.size();
        const QByteArray line = data.mid(start, end - start).trimmed();
        start = end + 1;
        const int lineNumber = number++;
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        QString why;
        AuditRecord record;
        if (error.error != QJsonParseError::NoError)
            why = tr("not JSON: %1").arg(error.errorString());
        else if (!doc.isObject())
            why = tr("not a JSON object");
        else
            AuditRecord::fromJson(doc.object(), &record, &why);
        if (!why.isEmpty()) {
            result.errors.append(AuditLineError{lineNumber, why});
            continue;
        }
        record.line = lineNumber;
        if (filter.matches(record))
            result.records.append(record);
    }
    return result;
}

QString auditTimeString(const QDateTime &time)
{
    // Qt writes a local time without its offset: fix the offset first, so the line says it.
    const QDateTime t = time.isValid() ? time : QDateTime::currentDateTime();
    return t.toOffsetFromUtc(t.offsetFromUtc()).toString(Qt::ISODateWithMs);
}

QString auditAgeText(qint64 ms)
{
    if (ms < -5000) {
        const qint64 s = -ms / 1000;
        if (s < 60)
            return tr("in %1 s").arg(s);
        if (s < 3600)
            return tr("in %1 min").arg(s / 60);
        if (s < 48 * 3600)
            return tr("in %1 h").arg(s / 3600);
        return tr("in %1 d").arg(s / 86400);
    }
    const qint64 s = std::max<qint64>(0, ms / 1000);
    if (s < 60)
        return tr("%1 s ago").arg(s);
    if (s < 3600)
        return tr("%1 min ago").arg(s / 60);
    if (s < 48 * 3600)
        return tr("%1 h ago").arg(s / 3600);
    return tr("%1 d ago").arg(s / 86400);
}

QString auditTimeWithAge(const QDateTime &time, qint64 nowMs)
{
    if (!time.isValid())
        return QString();
    return tr("%1 (%2)").arg(time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                             auditAgeText(nowMs - time.toMSecsSinceEpoch()));
}

QString auditParametersText(const QJsonObject &parameters)
{
    QStringList parts;
    QStringList keys = parameters.keys();
    std::sort(keys.begin(), keys.end());
    for (const QString &key : std::as_const(keys))
        parts << key + QLatin1Char('=') + valueText(parameters.value(key));
    return parts.join(QStringLiteral(", "));
}

qint64 parseAuditDuration(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^(\\d{1,9})\\s*(s|m|min|h|d|w)$"));
    const QRegularExpressionMatch m = re.match(text.trimmed());
    if (!m.hasMatch())
        return -1;
    const qint64 n = m.captured(1).toLongLong();
    const QString unit = m.captured(2);
    qint64 unitMs = 1000;
    if (unit == QLatin1String("m") || unit == QLatin1String("min"))
        unitMs = 60 * 1000;
    else if (unit == QLatin1String("h"))
        unitMs = 3600 * 1000;
    else if (unit == QLatin1String("d"))
        unitMs = 86400 * 1000;
    else if (unit == QLatin1String("w"))
        unitMs = 7 * 86400 * qint64(1000);
    return n * unitMs;
}

QDateTime parseAuditSince(const QString &text, const QDateTime &now)
{
    const QString t = text.trimmed();
    const qint64 ms = parseAuditDuration(t);
    if (ms >= 0)
        return now.addMSecs(-ms);
    // "2026-12-03 14:05" as well as "2026-12-03T14:05".
    QString iso = t;
    if (iso.size() > 10 && iso.at(10) == QLatin1Char(' '))
        iso[10] = QLatin1Char('T');
    QDateTime time = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (time.isValid())
        return time;
    const QDate date = QDate::fromString(iso, Qt::ISODate);
    if (date.isValid())
        return date.startOfDay();
    return QDateTime();
}

} // namespace Opsdeck::Models
