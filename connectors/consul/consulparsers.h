// SPDX-License-Identifier: MIT
#pragma once

#include "models/kvstore.h"
#include "models/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace Opsdeck::Connectors {

/// One health check of Consul's /v1/health/state/<state> (API reference §4.4).
struct ConsulCheck
{
    QString node;
    QString checkId;
    QString name;
    QString status; ///< passing, warning, critical (maintenance shows as critical in Consul)
    QString output;
    QString serviceId;   ///< empty for a node check
    QString serviceName; ///< empty for a node check

    /// warning and critical are what the console raises as alerts.
    bool isAlert() const
    {
        return status == QLatin1String("warning") || status == QLatin1String("critical");
    }

    bool operator==(const ConsulCheck &) const = default;
};

/// The entries of GET /v1/kv/<prefix>?recurse (API reference §4.2): Value is base64 (null for
/// an empty value), Flags and ModifyIndex are numbers. Errors name the JSON path
/// ("[2].Value: not valid base64").
Models::Result<QList<Models::KvEntry>> parseConsulKv(const QByteArray &json);

/// The checks of GET /v1/health/state/any.
Models::Result<QList<ConsulCheck>> parseConsulChecks(const QByteArray &json);

/// The X-Consul-Index header as a number; nullopt when absent or not a decimal uint64.
std::optional<quint64> parseConsulIndex(const QByteArray &header);

/// The index to block on next, from the previous one and what the answer said, by the rules
/// of API reference §4.3: an index that went backwards resets to 0 (start over); otherwise a
/// value below 1 becomes 1, so that a blocking loop never spins on index 0.
quint64 nextConsulIndex(quint64 previous, std::optional<quint64> returned);

/// A token bucket for a blocking-query loop (API reference §4.3: "rate-limit the loop, e.g. a
/// burst of 2"): a hot key cannot make it a hot loop, and a quiet one adds no delay.
class ConsulRateLimiter
{
public:
    explicit ConsulRateLimiter(int burst = 2, int refillMs = 1000);

    /// 0 and one token taken when a request may go now (at @p nowMs, a monotonic clock);
    /// otherwise how many ms until the next token (nothing taken).
    qint64 take(qint64 nowMs);

private:
    int m_burst;
    int m_refillMs;
    double m_tokens;
    qint64 m_lastMs = -1;
};

} // namespace Opsdeck::Connectors
