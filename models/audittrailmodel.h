// SPDX-License-Identifier: MIT
#pragma once

#include "models/auditrecord.h"

#include <QAbstractTableModel>
#include <QList>

namespace Opsdeck::Models {

/// The audit trail as a table, newest first: every record it was given, of which those of one
/// environment (or all) are shown. Reading the file is the app's business; this model only
/// holds what it is handed (setRecords after a full read, appendRecords as the file grows).
class AuditTrailModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        TimeColumn, ///< local time with its age; TimeRole gives the QDateTime
        UserColumn,
        EnvironmentColumn,
        ActionColumn,
        TargetColumn,
        OutcomeColumn, ///< OutcomeKindRole: "good", "bad" or "pending"
        DetailColumn,  ///< before the parameters: why it failed matters more
        ParametersColumn,
        ColumnCount,
    };

    enum Role {
        TimeRole = Qt::UserRole + 1,
        OutcomeKindRole,
        RecordLineRole, ///< the record's line in the file
    };

    explicit AuditTrailModel(QObject *parent = nullptr);

    /// Replaces every record (e.g. the file was read anew).
    void setRecords(const QList<AuditRecord> &records);
    /// Adds records written after the ones held (the file grew).
    void appendRecords(const QList<AuditRecord> &records);
    /// Malformed lines the reader reported; shown by the view.
    void setLineErrors(const QList<AuditLineError> &errors);
    void addLineErrors(const QList<AuditLineError> &errors);

    QList<AuditLineError> lineErrors() const { return m_errors; }

    /// Only records of @p environment; empty shows every environment.
    void setEnvironmentFilter(const QString &environment);

    QString environmentFilter() const { return m_environment; }

    /// The time ages are counted from; invalid (default): now, at each data() call.
    void setReferenceTime(const QDateTime &time) { m_reference = time; }

    int totalCount() const { return int(m_all.size()); }

    /// The record on @p row (as shown); nullptr out of range.
    const AuditRecord *record(int row) const;

    /// "good" (ok, done, succeeded), "bad" (failed, refused, error, aborted, interrupted,
    /// rolled-back) or "pending" (requested, started …).
    static QString outcomeKind(const QString &outcome);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

signals:
    void lineErrorsChanged();

private:
    void rebuild();
    qint64 nowMs() const;

    QList<AuditRecord> m_all; ///< file order
    QList<int> m_rows;        ///< indexes into m_all, newest first
    QList<AuditLineError> m_errors;
    QString m_environment;
    QDateTime m_reference;
};

} // namespace Opsdeck::Models
