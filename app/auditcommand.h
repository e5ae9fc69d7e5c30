// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QString>

class QTextStream;

namespace Opsdeck::App {

struct AuditCommandOptions
{
    QString environment; ///< empty: every environment
    QString since;       ///< "2h", "30m", "7d" or an ISO date / date-time; empty: all
    bool json = false;
    QString file;  ///< empty: AuditLog::path()
    QDateTime now; ///< invalid: the current time (ages and --since count from it)
};

/// `opsdeck audit`: the audit trail's records matching the options, oldest first, as a table
/// (local time with its age, user, environment, action, target, outcome, parameters, detail) or
/// with --json as JSON lines. Malformed lines are reported on @p err by number and skipped.
/// Exit 0; 2 when --since cannot be read or the file cannot be read.
int runAudit(const AuditCommandOptions &options, QTextStream &out, QTextStream &err);

} // namespace Opsdeck::App
