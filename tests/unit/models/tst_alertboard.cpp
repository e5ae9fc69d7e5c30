// SPDX-License-Identifier: MIT
#include "models/alertboard.h"

#include <QSignalSpy>
#include <QTest>

using namespace Opsdeck::Models;

namespace {

Alert alertOf(const QString &key,
              Alert::Severity severity = Alert::Severity::Critical,
              const QString &message = QStringLiteral("down"))
{
    Alert a;
    a.key = key;
    a.environment = QStringLiteral("Production");
    a.source = QStringLiteral("consul");
    a.subject = key;
    a.message = message;
    a.severity = severity;
    return a;
}

} // namespace

class tst_AlertBoard : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void raisesOnceAndResolvesAfterTheHold();
    void aBlinkWithinTheHoldIsOneRecord();
    void updatesKeepTheStart();
    void publishersDoNotEndEachOthersAlerts();
    void sinceFromTheSourceIsTheStart();
    void activeIsMostSevereFirst();
    void tableFollowsWithoutResets();

private:
    qint64 m_now = 1'700'000'000'000;
    AlertBoard *m_board = nullptr;
};

void tst_AlertBoard::init()
{
    delete m_board;
    m_board = new AlertBoard(this);
    m_board->setClock([this] { return m_now; });
    m_board->setClearHoldMs(30000);
}

void tst_AlertBoard::raisesOnceAndResolvesAfterTheHold()
{
    QSignalSpy raised(m_board, &AlertBoard::raised);
    QSignalSpy resolved(m_board, &AlertBoard::resolved);
    m_board->publish(QStringLiteral("p"), {alertOf(QStringLiteral("a"))});
    m_board->publish(QStringLiteral("p"), {alertOf(QStringLiteral("a"))});
    QCOMPARE(raised.size(), 1);
    QCOMPARE(m_board->active().size(), 1);
    QCOMPARE(m_board->count(QStringLiteral("Production"), Alert::Severity::Warning), 1);

    m_now += 1000;
    const qint64 goneAt = m_now;
    m_board->publish(QStringLiteral("p"), {});
    QCOMPARE(resolved.size(), 0); // still within the hold
    QCOMPARE(m_board->active().size(), 1);
    m_now += 29999;
    m_board->expire();
    QCOMPARE(resolved.size(), 0);
    m_now += 1;
    m_board->expire();
    QCOMPARE(resolved.size(), 1);
    const auto record = resolved.at(0).at(0).value<AlertRecord>();
    QCOMPARE(record.end.toMSecsSinceEpoch(), goneAt); // ended when it went missing
    QVERIFY(m_board->active().isEmpty());
    QCOMPARE(m_board->history().size(), 1);
    QCOMPARE(m_board->count(QStringLiteral("Production"), Alert::Severity::Warning), 0);
}

void tst_AlertBoard::aBlinkWithinTheHoldIsOneRecord()
{
    QSignalSpy raised(m_board, &AlertBoard::raised);
    QSignalSpy resolved(m_board, &AlertBoard::resolved);
    for (int i = 0; i < 10; ++i) {
        m_board->publish(QStringLiteral("p"), {alertOf(QStringLiteral("a"))});
        m_now += 5000;
        m_board->publish(QStringLiteral("p"), {});
        m_now += 5000;
        m_board->expire();
    }
    QCOMPARE(raised.size(), 1);
    QCOMPARE(resolved.size(), 0);
    m_now += 30000;
    m_board->expire();
    QCOMPARE(resolved.size(), 1);
    // Back after it ended: a new record with a new id.
    m_board->publish(QStringLiteral("p"), {alertOf(QStringLiteral("a"))});
    QCOMPARE(raised.size(), 2);
    QVERIFY(raised.at(1).at(0).value<AlertRecord>().id
            > raised.at(0).at(0).value<AlertRecord>().id);
}

void tst_AlertBoard::updatesKeepTheStart()
{
    QSignalSpy updated(m_board, &AlertBoard::updated);
    m_board->publish(QStringLiteral("p"), {alertOf(QStringLiteral("a"), Alert::Severity::Warning)});
    const QDateTime start = m_board->active().at(0).start;
    m_now += 60000;
    m_board->publish(
        QStringLiteral("p"),
        {alertOf(QStringLiteral("a"), Alert::Severity::Critical, QStringLiteral("worse"))});
    QCOMPARE(updated.size(), 1);
    QCOMPARE(m_board->active().at(0).start, start);
    QCOMPARE(m_board->active().at(0).alert.message, QStringLiteral("worse"));
    QCOMPARE(m_board->active().at(0).alert.severity, Alert::Severity::Critical);
}

void tst_AlertBoard::publishersDoNotEndEachOthersAlerts()
{
    QSignalSpy resolved(m_board, &AlertBoard::resolved);
    m_board->setClearHoldMs(0);
    m_board->publish(QStringLiteral("consul"), {alertOf(QStringLiteral("a"))});
    m_board->publish(QStringLiteral("kafka"), {alertOf(QStringLiteral("b"))});
    m_board->publish(QStringLiteral("kafka"), {});
    QCOMPARE(resolved.size(), 1);
    QCOMPARE(resolved.at(0).at(0).value<AlertRecord>().alert.key, QStringLiteral("b"));
    QCOMPARE(m_board->active().size(), 1);
    QCOMPARE(m_board->active().at(0).alert.key, QStringLiteral("a"));
}

void tst_AlertBoard::sinceFromTheSourceIsTheStart()
{
    Alert a = alertOf(QStringLiteral("a"));
    a.since = QDateTime::fromMSecsSinceEpoch(m_now - 3600000, Qt::UTC);
    m_board->publish(QStringLiteral("p"), {a});
    QCOMPARE(m_board->active().at(0).start, a.since);
}

void tst_AlertBoard::activeIsMostSevereFirst()
{
    m_board->publish(QStringLiteral("p"),
                     {alertOf(QStringLiteral("w"), Alert::Severity::Warning),
                      alertOf(QStringLiteral("c"), Alert::Severity::Critical)});
    const QList<AlertRecord> active = m_board->active();
    QCOMPARE(active.size(), 2);
    QCOMPARE(active.at(0).alert.key, QStringLiteral("c"));
}

void tst_AlertBoard::tableFollowsWithoutResets()
{
    m_board->setClearHoldMs(0);
    AlertTableModel model(m_board);
    model.setClock([this] { return m_now + 90000; });
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    m_board->publish(QStringLiteral("p"),
                     {alertOf(QStringLiteral("a")), alertOf(QStringLiteral("b"))});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(inserted.size(), 2);
    m_board->publish(QStringLiteral("p"),
                     {alertOf(QStringLiteral("a"), Alert::Severity::Warning, QStringLiteral("x")),
                      alertOf(QStringLiteral("b"))});
    QCOMPARE(changed.size(), 1);
    const int row = model.rowOf(QStringLiteral("Production") + QChar(0x1f) + QStringLiteral("a"));
    QCOMPARE(model.index(row, AlertTableModel::MessageColumn).data().toString(),
             QStringLiteral("x"));
    QCOMPARE(model.index(row, AlertTableModel::SeverityColumn)
                 .data(AlertTableModel::SeverityRole)
                 .toString(),
             QStringLiteral("warning"));
    QVERIFY(model.index(row, AlertTableModel::SinceColumn)
                .data()
                .toString()
                .contains(QStringLiteral("ago")));
    m_board->publish(QStringLiteral("p"), {alertOf(QStringLiteral("b"))});
    QCOMPARE(removed.size(), 1);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(resets.size(), 0);
}

QTEST_GUILESS_MAIN(tst_AlertBoard)
#include "tst_alertboard.moc"
