// SPDX-License-Identifier: MIT
#pragma once

#include "models/marathon.h"
#include "models/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace Opsdeck::Connectors {

/// What GET /master/state says, reduced to what Opsdeck shows (API reference 3.2).
struct MesosState
{
    QString version;
    QString leader;   ///< pid of the leading master, "master@host:5050"
    QString hostname; ///< of the master that answered
    QList<Models::MesosAgent> agents;
    int frameworkCount = 0;
    int activeTaskCount = 0; ///< non-terminal tasks of all frameworks
};

/// GET /master/state: agents (JSON "slaves") with their resources, attributes and the number of
/// non-terminal tasks each runs, counted from frameworks[].tasks[] (there is no top-level list).
Models::Result<MesosState> parseMesosState(const QByteArray &json);

} // namespace Opsdeck::Connectors
