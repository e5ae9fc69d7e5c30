// SPDX-License-Identifier: MIT
#pragma once

#include "models/auditrecord.h"

#include <QFileSystemWatcher>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QTimer>

namespace Opsdeck::Models {
class AuditTrailModel;
}

namespace Opsdeck::App {

/// The audit trail of changes made from Opsdeck: one JSON line per request and per outcome in
/// $XDG_STATE_HOME/opsdeck/audit.log (~/.local/state/opsdeck/audit.log), or OPSDECK_AUDIT_LOG.
/// Each line (Models::AuditRecord) has time (ISO 8601 with offset), user (the effective uid's
/// name, else $USER), environment, action, target, parameters (an object), outcome and maybe a
/// detail. A line is written with one write(2) on an O_APPEND descriptor and fsync'ed before
/// append returns true: callers report an action only after that, and refuse or warn on false.
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
    /// The same with the action's parameters.
    static bool append(const QString &environment,
                       const QString &action,
                       const QString &target,
                       const QJsonObject &parameters,
                       const QString &outcome,
                       const QString &detail = {});
    /// Appends @p record to path(); an invalid time means now, an empty user currentUser().
    /// False, and why in @p error, when it is not on disk (open, write or fsync failed).
    static bool append(const Models::AuditRecord &record, QString *error = nullptr);
    /// The same, to @p file.
    static bool
    appendTo(const QString &file, const Models::AuditRecord &record, QString *error = nullptr);

    /// getpwuid(geteuid()), else $USER, else the uid as a number.
    static QString currentUser();

    /// Reads @p file: the records matching @p filter, and every malformed line by number. A file
    /// that does not exist is an empty trail; one that cannot be read sets @p error.
    static Models::AuditParseResult
    read(const QString &file, const Models::AuditFilter &filter = {}, QString *error = nullptr);

    /// For tests: the call that makes a line durable (default ::fsync). nullptr restores it.
    using SyncFunction = int (*)(int fd);
    static void setSyncFunction(SyncFunction sync);
};

/// Follows the audit trail file into a Models::AuditTrailModel: reads it whole at first, then
/// only the lines appended (QFileSystemWatcher on the file and its folder, so a file created or
/// replaced later is picked up; and every few seconds, where notifications do not arrive); a
/// file that shrank or was replaced is read anew.
class AuditLogFollower : public QObject
{
    Q_OBJECT

public:
    AuditLogFollower(const QString &file,
                     Models::AuditTrailModel *model,
                     QObject *parent = nullptr);

    QString file() const { return m_file; }

    /// Reads what is new now (the watcher calls it; tests may too).
    void poll();
    /// Reads the whole file again.
    void reload();

    QString errorString() const { return m_error; }

signals:
    /// The file could not be read (or can again: empty message).
    void errorChanged(const QString &message);

private:
    void watch();
    void setError(const QString &message);

    QString m_file;
    Models::AuditTrailModel *m_model; ///< not owned
    QFileSystemWatcher m_watcher;
    QTimer m_backstop;
    qint64 m_offset = 0; ///< bytes consumed (up to the last complete line)
    int m_nextLine = 1;  ///< number of the line at m_offset
    quint64 m_inode = 0; ///< of the file read, to notice a replacement
    QString m_error;
};

} // namespace Opsdeck::App
