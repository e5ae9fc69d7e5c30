// SPDX-License-Identifier: MIT
#include "models/audittrailmodel.h"

#include <QJsonDocument>

#include <algorithm>

namespace Opsdeck::Models {

AuditTrailModel::AuditTrailModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void AuditTrailModel::setRecords(const QList<AuditRecord> &records)
{
    beginResetModel();
    m_all = records;
    rebuild();
    endResetModel();
}

void AuditTrailModel::appendRecords(const QList<AuditRecord> &records)
{
    if (records.isEmpty())
        return;
    // Lines are appended in time order almost always; a clock step back would misplace a row
    // if inserted at the top, so sort everything again (the trail is small).
    beginResetModel();
    m_all += records;
    rebuild();
    endResetModel();
}

void AuditTrailModel::setLineErrors(const QList<AuditLineError> &errors)
{
    m_errors = errors;
    emit lineErrorsChanged();
}

void AuditTrailModel::addLineErrors(const QList<AuditLineError> &errors)
{
    if (errors.isEmpty())
        return;
    m_errors += errors;
    emit lineErrorsChanged();
}

void AuditTrailModel::setEnvironmentFilter(const QString &environment)
{
    if (environment == m_environment)
        return;
    beginResetModel();
    m_environment = environment;
    rebuild();
    endResetModel();
}

void AuditTrailModel::rebuild()
{
    m_rows.clear();
    AuditFilter filter;
    filter.environment = m_environment;
    for (int i = 0; i < m_all.size(); ++i) {
        if (filter.matches(m_all.at(i)))
            m_rows << i;
    }
    // Newest first; among equal times the later line first.
    std::stable_sort(m_rows.begin(), m_rows.end(), [this](int a, int b) {
        const qint64 ta = m_all.at(a).time.toMSecsSinceEpoch();
        const qint64 tb = m_all.at(b).time.toMSecsSinceEpoch();
        return ta != tb ? ta > tb : a > b;
    });
}

qint64 AuditTrailModel::nowMs() const
{
    return m_reference.isValid() ? m_reference.toMSecsSinceEpoch()
                                 : QDateTime::currentMSecsSinceEpoch();
}

const AuditRecord *AuditTrailModel::record(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return nullptr;
    return &m_all.at(m_rows.at(row));
}

QString AuditTrailModel::outcomeKind(const QString &outcome)
{
    static const QStringList good{QStringLiteral("ok"),
                                  QStringLiteral("done"),
                                  QStringLiteral("succeeded"),
                                  QStringLiteral("success")};
    static const QStringList bad{QStringLiteral("failed"),
                                 QStringLiteral("refused"),
                                 QStringLiteral("error"),
                                 QStringLiteral("aborted"),
                                 QStringLiteral("interrupted"),
                                 QStringLiteral("rolled-back"),
                                 QStringLiteral("timeout")};
    const QString o = outcome.toLower();
    if (good.contains(o))
        return QStringLiteral("good");
    if (bad.contains(o))
        return QStringLiteral("bad");
    return QStringLiteral("pending");
}

int AuditTrailModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AuditTrailModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditTrailModel::data(const QModelIndex &index, int role) const
{
    const AuditRecord *r = record(index.row());
    if (!r || index.column() < 0 || index.column() >= ColumnCount)
        return QVariant();
    switch (role) {
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case TimeColumn:
            return auditTimeWithAge(r->time, nowMs());
        case UserColumn:
            return r->user;
        case EnvironmentColumn:
            return r->environment;
        case ActionColumn:
            return r->action;
        case TargetColumn:
            return r->target;
        case OutcomeColumn:
            return r->outcome;
        case ParametersColumn:
            return auditParametersText(r->parameters);
        case DetailColumn:
            return r->detail;
        case ColumnCount:
            break;
        }
        break;
    case Qt::ToolTipRole:
        switch (Column(index.column())) {
        case TimeColumn:
            return auditTimeString(r->time);
        case ParametersColumn:
            return QString::fromUtf8(QJsonDocument(r->parameters).toJson(QJsonDocument::Indented));
        case DetailColumn:
        case TargetColumn:
            return index.data(Qt::DisplayRole);
        default:
            break;
        }
        break;
    case TimeRole:
        return r->time;
    case OutcomeKindRole:
        return outcomeKind(r->outcome);
    case RecordLineRole:
        return r->line;
    default:
        break;
    }
    return QVariant();
}

QVariant AuditTrailModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QVariant();
    switch (Column(section)) {
    case TimeColumn:
        return tr("Time");
    case UserColumn:
        return tr("User");
    case EnvironmentColumn:
        return tr("Environment");
    case ActionColumn:
        return tr("Action");
    case TargetColumn:
        return tr("Target");
    case OutcomeColumn:
        return tr("Outcome");
    case ParametersColumn:
        return tr("Parameters");
    case DetailColumn:
        return tr("Detail");
    case ColumnCount:
        break;
    }
    return QVariant();
}

} // namespace Opsdeck::Models
