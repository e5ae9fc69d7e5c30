// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

namespace Opsdeck::Models {

/// One line of the audit trail: who did what, where, to what, with which parameters, and how it
/// ended. A request and its outcome are two records (outcome "requested", then "ok" / "failed"
/// …). Secrets never go in: a KV value is written as its size.
struct AuditRecord
{
    QDateTime time;         ///< when it was written; ISO 8601 with the UTC offset on disk
    QString user;           ///< the OS user (effective uid)
    QString environment;    ///< the environment's name as configured
    QString action;         ///< "container.restart", "marathon.restart-app", "kv.put" …
    QString target;         ///< "host1/orders-1", "/shop/orders", "consul:app/db/url" …
    QJsonObject parameters; ///< what the action was asked to do (image, instances, force …)
    QString outcome;        ///< "requested", "ok", "failed", "refused" …
    QString detail;         ///< optional: the answer, an error message
    int line = 0;           ///< 1-based line in the file it was read from; 0 when not read

    /// The JSON object written as one line (time as ISO 8601 with offset; detail only when set).
    QJsonObject toJson() const;
    /// Parses one record; false (and why) when a required field (time, action) is missing or
    /// a field has the wrong type.
    static bool fromJson(const QJsonObject &object, AuditRecord *record, QString *why);

    bool operator==(const AuditRecord &) const = default;
};

/// Which records to show; default: all.
struct AuditFilter
{
    QString environment; ///< empty: every environment; compared case-insensitively
    QDateTime since;     ///< invalid: from the beginning; records at or after it otherwise

    bool matches(const AuditRecord &record) const;
};

/// A line that is not a record, by its 1-based line number.
struct AuditLineError
{
    int line = 0;
    QString message;

    bool operator==(const AuditLineError &) const = default;
};

/// The records of some lines of an audit trail, and the lines that are not records.
struct AuditParseResult
{
    QList<AuditRecord> records; ///< in file order
    QList<AuditLineError> errors;
};

/// Parses JSON lines; @p firstLine is the number of the first line in @p data (to continue
/// counting after an earlier chunk). Empty lines are skipped; a malformed line is reported and
/// the good ones around it are kept. Records not matching @p filter are left out.
AuditParseResult
parseAuditLines(const QByteArray &data, int firstLine = 1, const AuditFilter &filter = {});

/// The ISO 8601 time of @p time with milliseconds and its UTC offset ("…T14:05:11.123+01:00").
QString auditTimeString(const QDateTime &time);

/// "3 min ago", "40 s ago", "5 h ago", "2 d ago", "in 2 min" (a clock ahead): @p ms ago.
QString auditAgeText(qint64 ms);
/// "2026-12-03 14:05:11 (3 min ago)": local time of @p time and its age against @p nowMs.
QString auditTimeWithAge(const QDateTime &time, qint64 nowMs);
/// The parameters as "key=value, key=value" (sorted by key; strings unquoted).
QString auditParametersText(const QJsonObject &parameters);

/// "2h", "30m", "7d", "45s", "1w" as milliseconds; -1 when @p text is not such a duration.
qint64 parseAuditDuration(const QString &text);
/// "--since" as a point in time: a duration ("2h": that long before @p now) or an ISO date or
/// date-time (a date means its local midnight; a time without offset is local). Invalid when
/// neither.
QDateTime parseAuditSince(const QString &text, const QDateTime &now);

} // namespace Opsdeck::Models

Q_DECLARE_METATYPE(Opsdeck::Models::AuditRecord)
