// SPDX-License-Identifier: MIT
#pragma once

#include "models/alert.h"
#include "models/keyedtablemodel.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>

namespace Opsdeck::Models {

/// One alert from its start to its end: what the console lists, notifies once and (later) sends
/// out as a firing and then a resolved message.
struct AlertRecord
{
    quint64 id = 0; ///< increasing; a condition that ends and comes back later is a new record
    Alert alert;    ///< as last published (the message may change while it lasts)
    QDateTime start;
    QDateTime end; ///< invalid while it lasts

    bool isActive() const { return !end.isValid(); }

    bool operator==(const AlertRecord &) const = default;
};

/// Turns the sets of alerts that sources publish ("these are true now") into records with a
/// start and an end. A source republishes its whole set whenever it changes; an alert missing
/// from the new set ends only after it has stayed away for clearHoldMs, so a condition that
/// blinks (a host that reconnects, a check that flips once) is one record, not many.
class AlertBoard : public QObject
{
    Q_OBJECT

public:
    static constexpr qint64 kDefaultClearHoldMs = 30 * 1000;
    static constexpr int kDefaultHistory = 500;

    explicit AlertBoard(QObject *parent = nullptr);

    /// Replaces the clock (milliseconds since the epoch); for tests.
    void setClock(std::function<qint64()> clock);

    void setClearHoldMs(qint64 ms) { m_clearHoldMs = ms; }

    qint64 clearHoldMs() const { return m_clearHoldMs; }

    /// @p publisher names the source, unique per source and environment ("Production/consul").
    /// @p alerts are every alert of that source that is true now.
    void publish(const QString &publisher, const QList<Alert> &alerts);

    /// Active records, most severe first, then oldest first.
    QList<AlertRecord> active() const;

    /// Ended records, newest end first, at most kDefaultHistory.
    QList<AlertRecord> history() const { return m_history; }

    /// The record of @p key in @p environment, active or waiting out its clear hold.
    const AlertRecord *record(const QString &environment, const QString &key) const;
    /// Active alerts of @p environment at @p severity or worse.
    int count(const QString &environment, Alert::Severity atLeast) const;

    /// Ends what has been gone for clearHoldMs (runs on a timer; public for tests).
    void expire();

signals:
    void raised(const Opsdeck::Models::AlertRecord &record);
    /// The message or severity of an active record changed.
    void updated(const Opsdeck::Models::AlertRecord &record);
    void resolved(const Opsdeck::Models::AlertRecord &record);

private:
    struct Entry
    {
        AlertRecord record;
        QString publisher;
        qint64 goneSinceMs = -1; ///< missing from its publisher's last set since; -1: present
    };

    static QString idOf(const QString &environment, const QString &key);
    void end(const QString &id);
    void scheduleExpiry();

    std::function<qint64()> m_clock;
    qint64 m_clearHoldMs = kDefaultClearHoldMs;
    quint64 m_nextId = 1;
    QHash<QString, Entry> m_entries; ///< by environment + key
    QList<AlertRecord> m_history;
    QTimer m_expiry;
};

/// The active alerts as a table (severity, environment, source, subject, message, since), rows
/// inserted and removed as alerts start and end; never a reset.
class AlertTableModel : public KeyedTableModel
{
    Q_OBJECT

public:
    enum Column {
        SeverityColumn,
        EnvironmentColumn,
        SourceColumn,
        SubjectColumn,
        MessageColumn,
        SinceColumn,
        ColumnCount,
    };

    /// Qt::UserRole: a sort key (severity rank, since in ms); SeverityRole: "warning"/"critical".
    static constexpr int SeverityRole = Qt::UserRole + 1;

    explicit AlertTableModel(AlertBoard *board, QObject *parent = nullptr);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    /// Milliseconds since the epoch used for the ages; for tests.
    void setClock(std::function<qint64()> clock) { m_clock = std::move(clock); }

protected:
    bool hasKey(const QString &key) const override;

private:
    QPointer<AlertBoard> m_board;
    QHash<QString, AlertRecord> m_rows; ///< by board id, active only
    std::function<qint64()> m_clock;
};

} // namespace Opsdeck::Models
