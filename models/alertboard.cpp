// SPDX-License-Identifier: MIT
#include "models/alertboard.h"

#include "models/containertablemodel.h"

#include <QSet>

#include <algorithm>

namespace Opsdeck::Models {

QString nameOf(Alert::Severity severity)
{
    switch (severity) {
    case Alert::Severity::Warning:
        return QStringLiteral("warning");
    case Alert::Severity::Critical:
        return QStringLiteral("critical");
    }
    return {};
}

namespace {

int rankOf(Alert::Severity severity)
{
    return severity == Alert::Severity::Critical ? 2 : 1;
}

} // namespace

AlertBoard::AlertBoard(QObject *parent)
    : QObject(parent)
    , m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    m_expiry.setSingleShot(true);
    connect(&m_expiry, &QTimer::timeout, this, &AlertBoard::expire);
}

void AlertBoard::setClock(std::function<qint64()> clock)
{
    m_clock = std::move(clock);
}

QString AlertBoard::idOf(const QString &environment, const QString &key)
{
    return environment + QChar(0x1f) + key;
}

void AlertBoard::publish(const QString &publisher, const QList<Alert> &alerts)
{
    const qint64 now = m_clock();
    QSet<QString> present;
    for (const Alert &alert : alerts) {
        const QString id = idOf(alert.environment, alert.key);
        if (present.contains(id))
            continue; // the first of two equal keys wins
        present.insert(id);
        auto it = m_entries.find(id);
        if (it == m_entries.end()) {
            Entry entry;
            entry.publisher = publisher;
            entry.record.id = m_nextId++;
            entry.record.alert = alert;
            entry.record.start =
                alert.since.isValid() ? alert.since : QDateTime::fromMSecsSinceEpoch(now, Qt::UTC);
            if (!entry.record.alert.since.isValid())
                entry.record.alert.since = entry.record.start;
            it = m_entries.insert(id, entry);
            emit raised(it->record);
            continue;
        }
        it->goneSinceMs = -1;
        it->publisher = publisher;
        Alert next = alert;
        if (!next.since.isValid())
            next.since = it->record.alert.since;
        if (next != it->record.alert) {
            it->record.alert = next;
            emit updated(it->record);
        }
    }
    // What this publisher said before and not now starts its clear hold.
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
        if (it->publisher == publisher && !present.contains(it.key()) && it->goneSinceMs < 0)
            it->goneSinceMs = now;
    }
    if (m_clearHoldMs <= 0)
        expire();
    else
        scheduleExpiry();
}

void AlertBoard::scheduleExpiry()
{
    qint64 next = -1;
    for (const Entry &entry : std::as_const(m_entries)) {
        if (entry.goneSinceMs >= 0) {
            const qint64 due = entry.goneSinceMs + m_clearHoldMs;
            next = next < 0 ? due : std::min(next, due);
        }
    }
    if (next < 0) {
        m_expiry.stop();
        return;
    }
    m_expiry.start(int(std::clamp<qint64>(next - m_clock(), 0, 24 * 3600 * 1000)));
}

void AlertBoard::expire()
{
    const qint64 now = m_clock();
    QStringList due;
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
        if (it->goneSinceMs >= 0 && now - it->goneSinceMs >= m_clearHoldMs)
            due << it.key();
    }
    for (const QString &id : std::as_const(due))
        end(id);
    scheduleExpiry();
}

void AlertBoard::end(const QString &id)
{
    Entry entry = m_entries.take(id);
    // The condition ended when it first went missing, not when the hold ran out.
    entry.record.end = QDateTime::fromMSecsSinceEpoch(entry.goneSinceMs, Qt::UTC);
    m_history.prepend(entry.record);
    if (m_history.size() > kDefaultHistory)
        m_history.removeLast();
    emit resolved(entry.record);
}

QList<AlertRecord> AlertBoard::active() const
{
    QList<AlertRecord> out;
    out.reserve(m_entries.size());
    for (const Entry &entry : m_entries)
        out << entry.record;
    std::sort(out.begin(), out.end(), [](const AlertRecord &a, const AlertRecord &b) {
        const int ra = rankOf(a.alert.severity);
        const int rb = rankOf(b.alert.severity);
        if (ra != rb)
            return ra > rb;
        if (a.start != b.start)
            return a.start < b.start;
        return a.id < b.id;
    });
    return out;
}

const AlertRecord *AlertBoard::record(const QString &environment, const QString &key) const
{
    const auto it = m_entries.constFind(idOf(environment, key));
    return it == m_entries.cend() ? nullptr : &it->record;
}

int AlertBoard::count(const QString &environment, Alert::Severity atLeast) const
{
    int n = 0;
    for (const Entry &entry : m_entries) {
        if (entry.record.alert.environment == environment
            && rankOf(entry.record.alert.severity) >= rankOf(atLeast))
            ++n;
    }
    return n;
}

// ---------------------------------------------------------------------------------------------

namespace {

constexpr const char *kAlertColumns[] = {
    QT_TRANSLATE_NOOP("Opsdeck::Models::AlertTableModel", "Severity"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::AlertTableModel", "Environment"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::AlertTableModel", "Source"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::AlertTableModel", "Subject"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::AlertTableModel", "Alert"),
    QT_TRANSLATE_NOOP("Opsdeck::Models::AlertTableModel", "Since"),
};
static_assert(std::size(kAlertColumns) == AlertTableModel::ColumnCount);

QString rowKey(const AlertRecord &record)
{
    return record.alert.environment + QChar(0x1f) + record.alert.key;
}

} // namespace

AlertTableModel::AlertTableModel(AlertBoard *board, QObject *parent)
    : KeyedTableModel(kAlertColumns, parent)
    , m_board(board)
    , m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    QStringList keys;
    for (const AlertRecord &record : board->active()) {
        keys << rowKey(record);
        m_rows.insert(rowKey(record), record);
    }
    resetKeys(keys);
    connect(board, &AlertBoard::raised, this, [this](const AlertRecord &record) {
        const QString key = rowKey(record);
        m_rows.insert(key, record);
        applyChanges({key}, {}, {});
    });
    connect(board, &AlertBoard::updated, this, [this](const AlertRecord &record) {
        const QString key = rowKey(record);
        m_rows.insert(key, record);
        applyChanges({}, {key}, {});
    });
    connect(board, &AlertBoard::resolved, this, [this](const AlertRecord &record) {
        const QString key = rowKey(record);
        m_rows.remove(key);
        applyChanges({}, {}, {key});
    });
}

bool AlertTableModel::hasKey(const QString &key) const
{
    return m_rows.contains(key);
}

QVariant AlertTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const auto it = m_rows.constFind(keyAt(index.row()));
    if (it == m_rows.cend())
        return {};
    const Alert &alert = it->alert;
    if (role == SeverityRole)
        return nameOf(alert.severity);
    if (role == Qt::ToolTipRole)
        return alert.message;
    if (role == Qt::UserRole) {
        switch (index.column()) {
        case SeverityColumn:
            return rankOf(alert.severity);
        case SinceColumn:
            return it->start.toMSecsSinceEpoch();
        default:
            break;
        }
        role = Qt::DisplayRole;
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case SeverityColumn:
        return alert.severity == Alert::Severity::Critical ? tr("critical") : tr("warning");
    case EnvironmentColumn:
        return alert.environment;
    case SourceColumn:
        return alert.source;
    case SubjectColumn:
        return alert.subject;
    case MessageColumn:
        return alert.message;
    case SinceColumn: {
        const QDateTime local = it->start.toLocalTime();
        const qint64 age = m_clock() - it->start.toMSecsSinceEpoch();
        return tr("%1 (%2 ago)")
            .arg(local.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")), formatAge(age));
    }
    default:
        return {};
    }
}

} // namespace Opsdeck::Models
