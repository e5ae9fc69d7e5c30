// SPDX-License-Identifier: MIT
#include "views/desktop/configdifftablemodel.h"

#include <QColor>
#include <QFont>
#include <QPoint>

#include <tuple>

namespace Opsdeck::Views {

using Models::ConfigDiff;
using Models::DiffRow;
using Models::DiffStatus;

namespace {

// Tooltips show at most this much of a value; the line diff pane shows files whole.
constexpr qsizetype kTooltipValueChars = 2000;
// Shorter values are read at a glance; marking a part of "debug" against "info" only adds noise.
constexpr qsizetype kHighlightFromChars = 16;

const QColor kDiffersBackground(0xff, 0xe0, 0x8a);
const QColor kMissingBackground(0xff, 0xcd, 0xd2);
const QColor kExpectedForeground(0x75, 0x75, 0x75);
const QColor kMissingForeground(0xb7, 0x1c, 0x1c);

bool before(const DiffRow &a, const DiffRow &b)
{
    return std::tie(a.service, a.form, a.key) < std::tie(b.service, b.form, b.key);
}

bool isMultiLine(const DiffRow &row)
{
    if (row.form == Models::ConfigForm::File)
        return true;
    for (const Models::DiffCell &c : row.cells) {
        if (c.value && c.value->contains('\n'))
            return true;
    }
    return false;
}

} // namespace

ConfigDiffTableModel::ConfigDiffTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int ConfigDiffTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ConfigDiffTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : statusColumn() + 1;
}

int ConfigDiffTableModel::environmentOfColumn(int column) const
{
    const int env = column - kFirstValueColumn;
    return env >= 0 && env < m_environments.size() ? env : -1;
}

QColor ConfigDiffTableModel::statusBackground(DiffStatus status)
{
    switch (status) {
    case DiffStatus::Differs:
        return kDiffersBackground;
    case DiffStatus::Missing:
        return kMissingBackground;
    case DiffStatus::Same:
    case DiffStatus::Expected:
        break;
    }
    return QColor();
}

QString ConfigDiffTableModel::cellText(int row, int environment) const
{
    const DiffRow &r = m_rows.at(row);
    if (!r.cells.at(environment).value)
        return tr("(missing)");
    const QString text =
        ConfigDiff::displayValue(r, environment, Models::DiffOutputOptions{m_reveal});
    const qsizetype newline = text.indexOf(QLatin1Char('\n'));
    if (newline < 0)
        return text;
    const qsizetype lines =
        text.count(QLatin1Char('\n')) + (text.endsWith(QLatin1Char('\n')) ? 0 : 1);
    return lines == 1 ? tr("%1 … (1 line)").arg(text.left(newline))
                      : tr("%1 … (%2 lines)").arg(text.left(newline)).arg(lines);
}

QVariant ConfigDiffTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const DiffRow &r = m_rows.at(index.row());
    const int column = index.column();
    const int env = environmentOfColumn(column);
    const bool missingHere = env >= 0 && !r.cells.at(env).value;
    switch (role) {
    case Qt::DisplayRole:
        if (column == 0) {
            switch (r.form) {
            case Models::ConfigForm::Env:
                return tr("env");
            case Models::ConfigForm::Image:
                return tr("image");
            case Models::ConfigForm::Kv:
                return tr("kv");
            case Models::ConfigForm::File:
                return tr("file");
            }
            return {};
        }
        if (column == 1)
            return r.service;
        if (column == 2)
            return r.key;
        if (env >= 0)
            return cellText(index.row(), env);
        if (column == statusColumn()) {
            QString status;
            switch (r.status) {
            case DiffStatus::Same:
                status = tr("same");
                break;
            case DiffStatus::Differs:
                status = tr("differs");
                break;
            case DiffStatus::Missing:
                status = tr("missing");
                break;
            case DiffStatus::Expected:
                status = tr("expected");
                break;
            }
            return r.drift ? tr("%1 (drift)").arg(status) : status;
        }
        return {};
    case Qt::ToolTipRole: {
        if (env < 0)
            return r.drift && column == statusColumn()
                       ? tr("The instances of %1 in one environment disagree on this key.")
                             .arg(r.service)
                       : QVariant();
        const Models::DiffCell &cell = r.cells.at(env);
        if (!cell.value)
            return tr("Not present in %1").arg(m_environments.at(env));
        QString tip =
            tr("<b>%1</b> from %2")
                .arg(m_environments.at(env).toHtmlEscaped(), cell.provenance.toHtmlEscaped());
        if (!r.secret || m_reveal) {
            QString value = Models::displayBytes(*cell.value);
            if (value.size() > kTooltipValueChars)
                value = value.left(kTooltipValueChars) + QChar(0x2026);
            tip += QLatin1String("<pre>") + value.toHtmlEscaped() + QLatin1String("</pre>");
        } else {
            tip += QLatin1String("<br>") + tr("Secret: masked until revealed.");
        }
        if (!cell.otherValues.isEmpty())
            tip +=
                QLatin1String("<br>")
                + tr("The instances here disagree: %1 more value(s).").arg(cell.otherValues.size());
        return tip;
    }
    case Qt::BackgroundRole:
        if (missingHere)
            return kMissingBackground;
        if (r.status == DiffStatus::Differs && (env >= 0 || column == statusColumn()))
            return kDiffersBackground;
        if (r.status == DiffStatus::Missing && column == statusColumn())
            return kMissingBackground;
        return {};
    case Qt::ForegroundRole:
        if (missingHere)
            return kMissingForeground;
        if (r.status == DiffStatus::Expected)
            return kExpectedForeground;
        return {};
    case Qt::FontRole:
        if (r.status == DiffStatus::Expected || missingHere) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        return {};
    case StatusRole:
        return int(r.status);
    case MultiLineRole:
        return isMultiLine(r);
    case HighlightRole: {
        if (env < 0 || missingHere || r.status != DiffStatus::Differs || isMultiLine(r)
            || (r.secret && !m_reveal))
            return {};
        const QString text = cellText(index.row(), env);
        if (text.size() < kHighlightFromChars)
            return {};
        for (int other = 0; other < m_environments.size(); ++other) {
            if (other == env || !r.cells.at(other).value
                || *r.cells.at(other).value == *r.cells.at(env).value)
                continue;
            const QString otherText = cellText(index.row(), other);
            const Models::ValueHighlight h = Models::valueHighlight(text, otherText);
            if (h.prefix + h.suffix >= text.size())
                return {}; // this value is contained in the other: nothing of its own to mark
            return QPoint(int(h.prefix), int(h.suffix));
        }
        return {};
    }
    default:
        return {};
    }
}

QVariant ConfigDiffTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    const int env = environmentOfColumn(section);
    if (env >= 0)
        return m_environments.at(env);
    switch (section) {
    case 0:
        return tr("Form");
    case 1:
        return tr("Service");
    case 2:
        return tr("Key");
    default:
        return section == statusColumn() ? tr("Status") : QVariant();
    }
}

void ConfigDiffTableModel::setRevealSecrets(bool reveal)
{
    if (m_reveal == reveal)
        return;
    m_reveal = reveal;
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

void ConfigDiffTableModel::setDiff(const ConfigDiff &diff)
{
    if (diff.environments() != m_environments) {
        // Other columns: a structural change, the one place this model resets.
        beginResetModel();
        m_diff = diff;
        m_environments = diff.environments();
        m_rows = diff.rows();
        endResetModel();
        return;
    }
    // Both lists are sorted by (service, form, key): one merge walk turns the old rows into the
    // new ones with runs of removals and inserts, so selections and scroll positions stay.
    const QList<DiffRow> &next = diff.rows();
    qsizetype p = 0;
    qsizetype j = 0;
    while (p < m_rows.size() || j < next.size()) {
        if (p < m_rows.size() && (j == next.size() || before(m_rows.at(p), next.at(j)))) {
            qsizetype q = p + 1;
            while (q < m_rows.size() && (j == next.size() || before(m_rows.at(q), next.at(j))))
                ++q;
            beginRemoveRows({}, int(p), int(q - 1));
            m_rows.remove(p, q - p);
            endRemoveRows();
        } else if (p == m_rows.size() || before(next.at(j), m_rows.at(p))) {
            qsizetype k = j + 1;
            while (k < next.size() && (p == m_rows.size() || before(next.at(k), m_rows.at(p))))
                ++k;
            beginInsertRows({}, int(p), int(p + (k - j) - 1));
            m_rows.insert(p, k - j, DiffRow());
            for (qsizetype i = j; i < k; ++i)
                m_rows[p + (i - j)] = next.at(i);
            endInsertRows();
            p += k - j;
            j = k;
        } else {
            m_rows[p] = next.at(j);
            ++p;
            ++j;
        }
    }
    m_diff = diff;
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

} // namespace Opsdeck::Views
