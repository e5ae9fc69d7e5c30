// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace Opsdeck::App {

/// The audit trail of changes made from Opsdeck: one JSON line per request and per outcome in
/// $XDG_STATE_HOME/opsdeck/audit.log (~/.local/state/opsdeck/audit.log), or OPSDECK_AUDIT_LOG.
/// Values are never written, only their size: a KV value may be a secret.
class AuditLog
{
public:
    static QString path();
    /// Appends one record; false (and a warning) when the file cannot be written.
    static bool append(const QString &environment,
                       const QString &action,
                       const QString &target,
                       const QString &outcome,
                       const QString &detail = {});
};

} // namespace Opsdeck::App
