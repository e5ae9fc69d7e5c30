// SPDX-License-Identifier: MIT
#pragma once

#include "connectors/http/httpclient.h"
#include "models/alertboard.h"
#include "models/environmentsconfig.h"
#include "models/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace Opsdeck::Connectors {

/// Which message of an alert's life a webhook receives.
enum class WebhookEvent {
    Firing,
    Resolved,
};

/// The generic JSON body: {status: firing|resolved, alert: {key, environment, source, subject,
/// message, severity, start, end}, opsdeck: {version}}; times in ISO 8601 UTC, end null while
/// firing.
QByteArray
webhookJsonBody(const Models::AlertRecord &record, WebhookEvent event, const QString &version);

/// The Slack-compatible body: {text, attachments: [{color, title, text, fields, ts}]}, which
/// Slack incoming webhooks, Mattermost and Rocket.Chat accept.
QByteArray
webhookSlackBody(const Models::AlertRecord &record, WebhookEvent event, const QString &version);

QByteArray webhookBody(Models::WebhookConfig::Format format,
                       const Models::AlertRecord &record,
                       WebhookEvent event,
                       const QString &version);

/// Extra headers from the text of a `headers_env` variable: one "Name: value" per line, blank
/// lines and # comments skipped. The failure names the line, never its value.
Models::Result<QList<HttpHeader>> parseWebhookHeaders(const QString &text);

/// Where a webhook URL points: endpoint (scheme://host:port) and request path with query.
/// Empty baseUrl: not an http(s) URL with a host.
struct WebhookTarget
{
    HttpEndpoint endpoint;
    QByteArray path;
};

WebhookTarget webhookTarget(const QString &url);

} // namespace Opsdeck::Connectors
