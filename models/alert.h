// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

namespace Opsdeck::Models {

/// One condition the console raises: a crash loop, a failing health check, a source that is
/// down, a consumer group over its threshold. Sources (stores, connectors) publish the set of
/// alerts that are true right now; AlertBoard diffs those sets into records with a start and
/// an end, so a rule decides start and end in one place and the list shows each alert once.
struct Alert
{
    enum class Severity {
        Warning,
        Critical,
    };

    /// Stable identity within the environment, e.g. "consul/node-1/service:payments" or
    /// "kafka/main/billing/threshold". Two publications with the same key are the same alert.
    QString key;
    QString environment;
    QString source;  ///< "docker", "marathon", "consul", "kafka" …
    QString subject; ///< what it is about: a container, an app, a check, a consumer group
    QString message; ///< in words, for the list and for notifications; never a secret
    Severity severity = Severity::Warning;
    /// When the condition began, as the source knows it (invalid: when the board first saw it).
    QDateTime since;

    bool operator==(const Alert &) const = default;
};

QString nameOf(Alert::Severity severity); ///< "warning", "critical"

} // namespace Opsdeck::Models
