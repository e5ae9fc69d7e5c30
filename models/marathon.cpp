// SPDX-License-Identifier: MIT
#include "models/marathon.h"

#include "models/marathonoperations.h"

namespace Opsdeck::Models {

QString nameOf(MarathonAction action)
{
    switch (action) {
    case MarathonAction::RestartApp:
        return QStringLiteral("restart");
    case MarathonAction::ScaleApp:
        return QStringLiteral("scale");
    case MarathonAction::UpdateImage:
        return QStringLiteral("update image");
    case MarathonAction::RollbackDeployment:
        return QStringLiteral("roll back deployment");
    case MarathonAction::ForceCancelDeployment:
        return QStringLiteral("force-cancel deployment");
    }
    return QString();
}

QString nameOf(TaskHealth health)
{
    switch (health) {
    case TaskHealth::None:
        return QStringLiteral("none");
    case TaskHealth::Healthy:
        return QStringLiteral("healthy");
    case TaskHealth::Unhealthy:
        return QStringLiteral("unhealthy");
    }
    return QString();
}

QDateTime versionTime(const QString &version)
{
    QDateTime t = QDateTime::fromString(version, Qt::ISODateWithMs);
    if (!t.isValid())
        return {};
    return t.toUTC();
}

bool isTerminalTaskState(const QString &state)
{
    static const QStringList terminal = {
        QStringLiteral("TASK_FINISHED"),
        QStringLiteral("TASK_FAILED"),
        QStringLiteral("TASK_KILLED"),
        QStringLiteral("TASK_LOST"),
        QStringLiteral("TASK_ERROR"),
        QStringLiteral("TASK_DROPPED"),
        QStringLiteral("TASK_GONE"),
        QStringLiteral("TASK_GONE_BY_OPERATOR"),
    };
    return terminal.contains(state);
}

} // namespace Opsdeck::Models
