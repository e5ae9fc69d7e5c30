// SPDX-License-Identifier: MIT
#include "app/auditlog.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

namespace Opsdeck::App {

QString AuditLog::path()
{
    const QString configured = qEnvironmentVariable("OPSDECK_AUDIT_LOG");
    if (!configured.isEmpty())
        return configured;
    QString state = qEnvironmentVariable("XDG_STATE_HOME");
    if (state.isEmpty())
        state = QDir::homePath() + QStringLiteral("/.local/state");
    return state + QStringLiteral("/opsdeck/audit.log");
}

bool AuditLog::append(const QString &environment,
                      const QString &action,
                      const QString &target,
                      const QString &outcome,
                      const QString &detail)
{
    const QString file = path();
    QDir().mkpath(QFileInfo(file).absolutePath());
    QFile out(file);
    if (!out.open(QIODevice::Append | QIODevice::Text)) {
        qWarning("opsdeck: cannot write the audit log %s: %s",
                 qPrintable(file),
                 qPrintable(out.errorString()));
        return false;
    }
    QJsonObject record{
        {QStringLiteral("time"), QDateTime::currentDateTime().toString(Qt::ISODateWithMs)},
        {QStringLiteral("user"), qEnvironmentVariable("USER")},
        {QStringLiteral("environment"), environment},
        {QStringLiteral("action"), action},
        {QStringLiteral("target"), target},
        {QStringLiteral("outcome"), outcome}};
    if (!detail.isEmpty())
        record.insert(QStringLiteral("detail"), detail);
    out.write(QJsonDocument(record).toJson(QJsonDocument::Compact) + '\n');
    return true;
}

} // namespace Opsdeck::App
