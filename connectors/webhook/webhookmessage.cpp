// SPDX-License-Identifier: MIT
#include "connectors/webhook/webhookmessage.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QUrl>

namespace Opsdeck::Connectors {

using Models::Alert;
using Models::AlertRecord;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::Connectors::Webhook", text);
}

QJsonValue isoTime(const QDateTime &time)
{
    if (!time.isValid())
        return QJsonValue::Null;
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QString statusName(WebhookEvent event)
{
    return event == WebhookEvent::Firing ? QStringLiteral("firing") : QStringLiteral("resolved");
}

// Slack's attachment colours: its own names for good and danger, amber for a warning.
QString slackColour(const AlertRecord &record, WebhookEvent event)
{
    if (event == WebhookEvent::Resolved)
        return QStringLiteral("good");
    return record.alert.severity == Alert::Severity::Critical ? QStringLiteral("danger")
                                                              : QStringLiteral("warning");
}

QJsonObject slackField(const QString &title, const QString &value, bool isShort = true)
{
    return QJsonObject{{QStringLiteral("title"), title},
                       {QStringLiteral("value"), value},
                       {QStringLiteral("short"), isShort}};
}

QString duration(qint64 ms)
{
    const qint64 s = ms / 1000;
    if (s < 60)
        return QStringLiteral("%1s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1m %2s").arg(s / 60).arg(s % 60);
    return QStringLiteral("%1h %2m").arg(s / 3600).arg((s % 3600) / 60);
}

} // namespace

QByteArray webhookJsonBody(const AlertRecord &record, WebhookEvent event, const QString &version)
{
    const Alert &a = record.alert;
    const QJsonObject alert{
        {QStringLiteral("key"), a.key},
        {QStringLiteral("environment"), a.environment},
        {QStringLiteral("source"), a.source},
        {QStringLiteral("subject"), a.subject},
        {QStringLiteral("message"), a.message},
        {QStringLiteral("severity"), Models::nameOf(a.severity)},
        {QStringLiteral("start"), isoTime(record.start)},
        {QStringLiteral("end"),
         event == WebhookEvent::Resolved ? isoTime(record.end) : QJsonValue(QJsonValue::Null)}};
    const QJsonObject body{
        {QStringLiteral("status"), statusName(event)},
        {QStringLiteral("alert"), alert},
        {QStringLiteral("opsdeck"), QJsonObject{{QStringLiteral("version"), version}}}};
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QByteArray webhookSlackBody(const AlertRecord &record, WebhookEvent event, const QString &version)
{
    const Alert &a = record.alert;
    const bool firing = event == WebhookEvent::Firing;
    const QString tag = firing ? QStringLiteral("FIRING") : QStringLiteral("RESOLVED");
    const QString text = QStringLiteral("[%1] %2: %3").arg(tag, a.environment, a.subject);
    QJsonArray fields{
        slackField(QStringLiteral("Environment"), a.environment),
        slackField(QStringLiteral("Severity"), Models::nameOf(a.severity)),
        slackField(QStringLiteral("Source"), a.source),
        slackField(QStringLiteral("Since"), record.start.toUTC().toString(Qt::ISODate))};
    if (!firing && record.end.isValid())
        fields << slackField(QStringLiteral("Lasted"), duration(record.start.msecsTo(record.end)));
    const QDateTime at = firing || !record.end.isValid() ? record.start : record.end;
    const QJsonObject attachment{
        {QStringLiteral("color"), slackColour(record, event)},
        {QStringLiteral("title"), QStringLiteral("%1 (%2)").arg(a.subject, a.key)},
        {QStringLiteral("text"), a.message},
        {QStringLiteral("fields"), fields},
        {QStringLiteral("footer"), QStringLiteral("opsdeck %1").arg(version)},
        // Slack wants epoch seconds here.
        {QStringLiteral("ts"), at.isValid() ? at.toSecsSinceEpoch() : 0}};
    const QJsonObject body{{QStringLiteral("text"), text},
                           {QStringLiteral("attachments"), QJsonArray{attachment}}};
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QByteArray webhookBody(Models::WebhookConfig::Format format,
                       const AlertRecord &record,
                       WebhookEvent event,
                       const QString &version)
{
    return format == Models::WebhookConfig::Format::Slack ? webhookSlackBody(record, event, version)
                                                          : webhookJsonBody(record, event, version);
}

Models::Result<QList<HttpHeader>> parseWebhookHeaders(const QString &text)
{
    // RFC 9110 field names are tokens.
    static const QRegularExpression namePattern(QStringLiteral("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"));
    QList<HttpHeader> headers;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString line = lines.at(i).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const qsizetype colon = line.indexOf(QLatin1Char(':'));
        const QString name = colon > 0 ? line.left(colon).trimmed() : QString();
        if (!namePattern.match(name).hasMatch())
            return Models::Result<QList<HttpHeader>>::failure(
                tr("line %1: expected 'Name: value'").arg(i + 1));
        const QString value = line.mid(colon + 1).trimmed();
        if (value.contains(QLatin1Char('\r')))
            return Models::Result<QList<HttpHeader>>::failure(
                tr("line %1: a header value holds a line break").arg(i + 1));
        headers << HttpHeader{name.toLatin1(), value.toUtf8()};
    }
    return headers;
}

WebhookTarget webhookTarget(const QString &url)
{
    WebhookTarget target;
    const QUrl u(url.trimmed(), QUrl::StrictMode);
    if (!u.isValid() || u.host().isEmpty()
        || (u.scheme() != QLatin1String("http") && u.scheme() != QLatin1String("https")))
        return target;
    QUrl base;
    base.setScheme(u.scheme());
    base.setHost(u.host());
    base.setPort(u.port());
    target.endpoint.baseUrl = base.toString(QUrl::FullyEncoded).toUtf8();
    target.path = u.path(QUrl::FullyEncoded).toUtf8();
    if (target.path.isEmpty())
        target.path = "/";
    if (u.hasQuery())
        target.path += '?' + u.query(QUrl::FullyEncoded).toUtf8();
    return target;
}

} // namespace Opsdeck::Connectors
