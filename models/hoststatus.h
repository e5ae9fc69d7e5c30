// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QString>

namespace Opsdeck::Models {

/// How a source (a Docker host, later Marathon, Consul …) is doing right now.
enum class SourceState {
    Connecting,
    Connected,
    Unreachable,
};

QString nameOf(SourceState state);

/// Connection state of one Docker host, as the connector last saw it.
struct HostStatus
{
    QString id; ///< stable id within the environment (the configured name, or the URL)
    QString displayName;
    QString url; ///< as configured; never carries credentials
    SourceState state = SourceState::Connecting;
    QString apiVersion;
    QString serverVersion;
    QString error;      ///< why it is unreachable, in words
    QDateTime lastSeen; ///< last successful answer or event
    QDateTime since;    ///< when it entered the current state

    bool operator==(const HostStatus &) const = default;
};

} // namespace Opsdeck::Models
