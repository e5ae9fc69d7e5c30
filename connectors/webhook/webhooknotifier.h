// SPDX-License-Identifier: MIT
#pragma once

#include "connectors/http/httpclient.h"
#include "connectors/webhook/webhookmessage.h"
#include "models/alertboard.h"
#include "models/environmentsconfig.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>

#include <functional>

namespace Opsdeck::Connectors {

/// How often and how patiently a message is retried after a network error or a 5xx answer.
struct WebhookRetryPolicy
{
    int maxAttempts = 5; ///< the first try included
    qint64 initialBackoffMs = 1000;
    qint64 maxBackoffMs = 60 * 1000;

    /// The wait after @p failedAttempts failures (1, 2, …): initial × 2^(n−1), at most the cap.
    qint64 backoffMs(int failedAttempts) const;
};

/// Sends the alerts of an AlertBoard to the webhooks of `settings.alerts`: a firing message when
/// an alert starts and a resolved message when it ends, in each webhook's format, at or above
/// its minimum severity. Messages of one alert are delivered in order; network errors and 5xx
/// answers are retried with capped backoff, 4xx never. Per alert key a cooldown keeps a
/// flapping alert quiet: a resolve within the cooldown of its firing is held back until the
/// cooldown ends, and dropped together with the next firing when the alert comes back first.
/// Never blocks: everything runs on HttpClient's event-loop driven transfers.
class WebhookNotifier : public QObject
{
    Q_OBJECT

public:
    /// More messages than this waiting for one webhook (it is down, alerts keep coming): new
    /// ones are dropped with failed(), so memory stays bounded.
    static constexpr int kMaxQueuedPerWebhook = 1000;

    /// Reads each webhook's url_env and headers_env variables now; a webhook whose variables
    /// are missing or malformed is left out and named in configurationErrors(). @p http is
    /// not owned and must outlive this.
    WebhookNotifier(const QList<Models::WebhookConfig> &webhooks,
                    HttpClient *http,
                    QObject *parent = nullptr);
    ~WebhookNotifier() override;

    /// "settings.alerts.webhooks[1].url_env: the variable SLACK_URL is not set", one per problem.
    QStringList configurationErrors() const { return m_errors; }

    /// The webhooks that will receive messages, by name.
    QStringList webhookNames() const;

    void setVersion(const QString &version) { m_version = version; }

    /// Milliseconds of a monotonic clock, for the cooldown; for tests.
    void setClock(std::function<qint64()> clock);

    void setRetryPolicy(const WebhookRetryPolicy &policy) { m_retry = policy; }

    /// Follows @p board's raised, updated and resolved records.
    void attach(Models::AlertBoard *board);

    void alertRaised(const Models::AlertRecord &record);
    /// A severity that rises to a webhook's minimum starts the alert there.
    void alertUpdated(const Models::AlertRecord &record);
    void alertResolved(const Models::AlertRecord &record);

    /// Queues the resolved messages whose cooldown is over (runs on a timer; public for tests).
    void releaseHeld();

    /// Messages queued, in flight or waiting for a retry, over every webhook.
    int pendingCount() const;
    /// Resolved messages held back by a cooldown.
    int heldCount() const;

signals:
    /// The webhook answered 2xx.
    void sent(const QString &webhook,
              const QString &environment,
              const QString &key,
              Opsdeck::Connectors::WebhookEvent event,
              int attempts);
    /// Given up: a 4xx, the attempts used up, or the queue full. @p error never holds the URL's
    /// path or query (a Slack URL is a secret) nor a header.
    void failed(const QString &webhook,
                const QString &environment,
                const QString &key,
                Opsdeck::Connectors::WebhookEvent event,
                int attempts,
                const QString &error);
    /// An attempt failed and another follows after @p delayMs.
    void retrying(const QString &webhook, const QString &key, int attempts, qint64 delayMs);
    /// A flapping alert came back within its cooldown: neither its held resolve nor its new
    /// firing is sent.
    void suppressed(const QString &webhook, const QString &environment, const QString &key);

private:
    struct Hook
    {
        Models::WebhookConfig config;
        WebhookTarget target;
        QList<HttpHeader> headers;
        QString shownPath; ///< the URL's path as HttpClient names it in errors: redacted
    };

    enum class Phase {
        Firing, ///< the firing message is queued or sent
        Held,   ///< ended within the cooldown; its resolved message waits
    };

    struct KeyState
    {
        Phase phase = Phase::Firing;
        qint64 lastFiringMs = 0;
        Models::AlertRecord held; ///< the ended record while Held
    };

    struct Delivery
    {
        QString environment;
        QString key;
        WebhookEvent event = WebhookEvent::Firing;
        QByteArray body;
        int attempts = 0;
    };

    /// The messages of one alert key on one webhook, oldest first; the head is the one being
    /// sent or waiting for its retry.
    struct Lane
    {
        QList<Delivery> queue;
        QPointer<HttpReply> reply;
    };

    static QString idOf(const Models::Alert &alert);
    bool wanted(const Hook &hook, const Models::Alert &alert) const;
    void enqueue(int hook, const Models::AlertRecord &record, WebhookEvent event);
    void startHead(int hook, const QString &id);
    void finishHead(int hook, const QString &id);
    void onReply(int hook, const QString &id, HttpReply *reply);
    void scheduleRelease();

    QPointer<HttpClient> m_http;
    QList<Hook> m_hooks;
    QStringList m_errors;
    QString m_version;
    WebhookRetryPolicy m_retry;
    std::function<qint64()> m_clock;
    QList<QHash<QString, KeyState>> m_states; ///< per hook, by environment + key
    QList<QHash<QString, Lane>> m_lanes;      ///< per hook, by environment + key
    QList<int> m_queued;                      ///< per hook, messages in its lanes
    QTimer m_release;
};

} // namespace Opsdeck::Connectors
