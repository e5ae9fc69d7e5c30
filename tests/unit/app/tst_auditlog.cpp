// SPDX-License-Identifier: MIT
// The audit trail: what a line holds, that it is on disk (fsync) before append says so, the
// reader that keeps good lines around bad ones, the filters, the follower and the CLI's table.
#include "app/auditcommand.h"
#include "app/auditlog.h"
#include "app/estate.h"
#include "app/productionguard.h"
#include "models/audittrailmodel.h"
#include "models/configprovider.h"
#include "tests/support/testsupport.h"

#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>

#include <cerrno>
#include <pwd.h>
#include <unistd.h>

using namespace Opsdeck;
using Models::AuditFilter;
using Models::AuditRecord;

namespace {

int g_syncCalls = 0;

int countingSync(int fd)
{
    ++g_syncCalls;
    return ::fsync(fd);
}

int failingSync(int)
{
    errno = EIO;
    return -1;
}

QList<QByteArray> linesOf(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> lines = f.readAll().split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

void appendRaw(const QString &path, const QByteArray &data)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::Append));
    f.write(data);
}

AuditRecord record(const QString &env, const QString &action, const QDateTime &time)
{
    AuditRecord r;
    r.environment = env;
    r.action = action;
    r.target = QStringLiteral("h1/web");
    r.outcome = QStringLiteral("ok");
    r.time = time;
    return r;
}

} // namespace

class tst_AuditLog : public QObject
{
    Q_OBJECT

private slots:
    void cleanup();
    void lineHoldsEveryField();
    void legacyAppendStillWorks();
    void fsyncBeforeTrue();
    void failuresReturnFalse();
    void malformedLinesAreNamedGoodOnesKept();
    void filters();
    void since_data();
    void since();
    void modelNewestFirstAndFiltered();
    void followerReadsAppendedLines();
    void auditCommandTableAndJson();
    void confirmProduction_data();
    void confirmProduction();
    void estateAuditsContainerActions();
    void estateRefusesWhenTrailCannotBeWritten();
    void kvEditRefusedWhenTrailCannotBeWritten();
};

void tst_AuditLog::cleanup()
{
    App::AuditLog::setSyncFunction(nullptr);
    qunsetenv("OPSDECK_AUDIT_LOG");
}

void tst_AuditLog::lineHoldsEveryField()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sub/audit.log"));
    AuditRecord r;
    r.environment = QStringLiteral("Production");
    r.action = QStringLiteral("marathon.update-image");
    r.target = QStringLiteral("/shop/orders");
    r.parameters = QJsonObject{{QStringLiteral("image"), QStringLiteral("orders:1.4.3")},
                               {QStringLiteral("force"), true}};
    r.outcome = QStringLiteral("requested");
    QString error;
    QVERIFY2(App::AuditLog::appendTo(path, r, &error), qPrintable(error));
    r.outcome = QStringLiteral("failed");
    r.detail = QStringLiteral("409 locked");
    QVERIFY(App::AuditLog::appendTo(path, r, &error));

    const QList<QByteArray> lines = linesOf(path);
    QCOMPARE(lines.size(), 2);
    const QJsonObject first = QJsonDocument::fromJson(lines.at(0)).object();
    // ISO 8601 with milliseconds and an offset (Z or ±hh:mm).
    QVERIFY2(QRegularExpression(
                 QStringLiteral(
                     "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)$"))
                 .match(first.value(QStringLiteral("time")).toString())
                 .hasMatch(),
             qPrintable(first.value(QStringLiteral("time")).toString()));
    const QDateTime t =
        QDateTime::fromString(first.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
    QVERIFY(qAbs(t.msecsTo(QDateTime::currentDateTime())) < 10000);
    const passwd *pw = ::getpwuid(::geteuid());
    QVERIFY(pw);
    QCOMPARE(first.value(QStringLiteral("user")).toString(), QString::fromLocal8Bit(pw->pw_name));
    QCOMPARE(first.value(QStringLiteral("environment")).toString(), QStringLiteral("Production"));
    QCOMPARE(first.value(QStringLiteral("action")).toString(),
             QStringLiteral("marathon.update-image"));
    QCOMPARE(first.value(QStringLiteral("target")).toString(), QStringLiteral("/shop/orders"));
    QCOMPARE(first.value(QStringLiteral("parameters")).toObject(), r.parameters);
    QCOMPARE(first.value(QStringLiteral("outcome")).toString(), QStringLiteral("requested"));
    QVERIFY(!first.contains(QStringLiteral("detail"))); // only when set
    const QJsonObject second = QJsonDocument::fromJson(lines.at(1)).object();
    QCOMPARE(second.value(QStringLiteral("detail")).toString(), QStringLiteral("409 locked"));

    // And the reader gives back what was written.
    const Models::AuditParseResult read = App::AuditLog::read(path);
    QCOMPARE(read.errors.size(), 0);
    QCOMPARE(read.records.size(), 2);
    QCOMPARE(read.records.at(1).parameters, r.parameters);
    QCOMPARE(read.records.at(1).detail, QStringLiteral("409 locked"));
    QCOMPARE(read.records.at(1).line, 2);
    QCOMPARE(read.records.at(0).user, App::AuditLog::currentUser());
}

void tst_AuditLog::legacyAppendStillWorks()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("audit.log"));
    qputenv("OPSDECK_AUDIT_LOG", path.toLocal8Bit());
    QCOMPARE(App::AuditLog::path(), path);
    QVERIFY(App::AuditLog::append(QStringLiteral("Staging"),
                                  QStringLiteral("kv.put"),
                                  QStringLiteral("consul:app/db/url"),
                                  QStringLiteral("requested"),
                                  QStringLiteral("12 bytes")));
    const Models::AuditParseResult read = App::AuditLog::read(path);
    QCOMPARE(read.records.size(), 1);
    QCOMPARE(read.records.first().action, QStringLiteral("kv.put"));
    QCOMPARE(read.records.first().detail, QStringLiteral("12 bytes"));
    QVERIFY(read.records.first().parameters.isEmpty());
}

void tst_AuditLog::fsyncBeforeTrue()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("audit.log"));
    App::AuditLog::setSyncFunction(countingSync);
    g_syncCalls = 0;
    QVERIFY(App::AuditLog::appendTo(path, record(QStringLiteral("A"), QStringLiteral("x"), {})));
    QCOMPARE(g_syncCalls, 2); // the file, and the folder that got a new entry
    g_syncCalls = 0;
    QVERIFY(App::AuditLog::appendTo(path, record(QStringLiteral("A"), QStringLiteral("y"), {})));
    QCOMPARE(g_syncCalls, 1);

    // fsync failing: the line may not be on disk, so append must not say it is.
    App::AuditLog::setSyncFunction(failingSync);
    QString error;
    QVERIFY(!App::AuditLog::appendTo(
        path, record(QStringLiteral("A"), QStringLiteral("z"), {}), &error));
    QVERIFY2(error.contains(QStringLiteral("fsync")), qPrintable(error));
}

void tst_AuditLog::failuresReturnFalse()
{
    QString error;
    // A full disk: write(2) fails with ENOSPC.
    if (QFile::exists(QStringLiteral("/dev/full"))) {
        QVERIFY(!App::AuditLog::appendTo(QStringLiteral("/dev/full"),
                                         record(QStringLiteral("A"), QStringLiteral("x"), {}),
                                         &error));
        QVERIFY2(error.contains(QStringLiteral("/dev/full")), qPrintable(error));
    }
    // A folder that is a file.
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("plain"));
    appendRaw(file, "x");
    error.clear();
    QVERIFY(!App::AuditLog::appendTo(file + QStringLiteral("/audit.log"),
                                     record(QStringLiteral("A"), QStringLiteral("x"), {}),
                                     &error));
    QVERIFY(!error.isEmpty());
}

void tst_AuditLog::malformedLinesAreNamedGoodOnesKept()
{
    const QByteArray data =
        R"({"time":"2026-12-03T14:05:11.000+01:00","action":"container.restart","environment":"Staging","outcome":"ok"})"
        "\n"
        "{not json\n"
        "[1,2]\n"
        "\n" // empty lines are not errors
        R"({"action":"container.stop"})"
        "\n"
        R"({"time":"yesterday","action":"x"})"
        "\n"
        R"({"time":"2026-12-03T14:06:00+01:00","action":"kv.put","parameters":"oops"})"
        "\n"
        R"({"time":"2026-12-03T15:00:00Z","action":"container.start","environment":"Production"})"
        "\n"
        R"({"time":"2026-12-03T15:01:00Z","action":"container.start")"; // cut short: no newline
    const Models::AuditParseResult r = Models::parseAuditLines(data);
    QCOMPARE(r.records.size(), 2);
    QCOMPARE(r.records.at(0).line, 1);
    QCOMPARE(r.records.at(0).environment, QStringLiteral("Staging"));
    QCOMPARE(r.records.at(0).time.offsetFromUtc(), 3600);
    QCOMPARE(r.records.at(1).line, 8);
    QList<int> bad;
    for (const Models::AuditLineError &e : r.errors)
        bad << e.line;
    QCOMPARE(bad, (QList<int>{2, 3, 5, 6, 7, 9}));
    QVERIFY(r.errors.at(0).message.contains(QStringLiteral("not JSON")));
    QVERIFY(r.errors.at(2).message.contains(QStringLiteral("time")));
    QVERIFY(r.errors.at(4).message.contains(QStringLiteral("parameters")));

    // Counting continues from an earlier chunk.
    const Models::AuditParseResult later = Models::parseAuditLines("garbage\n", 41);
    QCOMPARE(later.errors.size(), 1);
    QCOMPARE(later.errors.first().line, 41);
}

void tst_AuditLog::filters()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("audit.log"));
    const QDateTime now = QDateTime::currentDateTime();
    QVERIFY(App::AuditLog::appendTo(
        path, record(QStringLiteral("Staging"), QStringLiteral("a"), now.addDays(-3))));
    QVERIFY(App::AuditLog::appendTo(
        path, record(QStringLiteral("Production"), QStringLiteral("b"), now.addSecs(-3 * 3600))));
    appendRaw(path, "broken line\n");
    QVERIFY(App::AuditLog::appendTo(
        path, record(QStringLiteral("Production"), QStringLiteral("c"), now.addSecs(-60))));

    AuditFilter all;
    QCOMPARE(App::AuditLog::read(path, all).records.size(), 3);
    AuditFilter prod;
    prod.environment = QStringLiteral("production"); // case does not matter
    Models::AuditParseResult r = App::AuditLog::read(path, prod);
    QCOMPARE(r.records.size(), 2);
    QCOMPARE(r.errors.size(), 1); // reported whatever the filter
    QCOMPARE(r.errors.first().line, 3);
    AuditFilter recent;
    recent.since = Models::parseAuditSince(QStringLiteral("2h"), now);
    r = App::AuditLog::read(path, recent);
    QCOMPARE(r.records.size(), 1);
    QCOMPARE(r.records.first().action, QStringLiteral("c"));
    recent.since = Models::parseAuditSince(QStringLiteral("7d"), now);
    recent.environment = QStringLiteral("Staging");
    QCOMPARE(App::AuditLog::read(path, recent).records.size(), 1);
    // A file that does not exist is an empty trail, not an error.
    QString error;
    QVERIFY(
        App::AuditLog::read(dir.filePath(QStringLiteral("none")), all, &error).records.isEmpty());
    QVERIFY(error.isEmpty());
}

void tst_AuditLog::since_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("agoSeconds"); ///< -1: invalid; -2: absolute (checked below)
    QTest::newRow("2h") << QStringLiteral("2h") << qint64(7200);
    QTest::newRow("30m") << QStringLiteral("30m") << qint64(1800);
    QTest::newRow("7d") << QStringLiteral("7d") << qint64(7 * 86400);
    QTest::newRow("45s") << QStringLiteral("45s") << qint64(45);
    QTest::newRow("1w") << QStringLiteral("1w") << qint64(7 * 86400);
    QTest::newRow("date") << QStringLiteral("2026-12-03") << qint64(-2);
    QTest::newRow("date time") << QStringLiteral("2026-12-03T14:05:11+01:00") << qint64(-2);
    QTest::newRow("date space time") << QStringLiteral("2026-12-03 14:05") << qint64(-2);
    QTest::newRow("word") << QStringLiteral("yesterday") << qint64(-1);
    QTest::newRow("unit missing") << QStringLiteral("12") << qint64(-1);
    QTest::newRow("negative") << QStringLiteral("-2h") << qint64(-1);
    QTest::newRow("empty") << QString() << qint64(-1);
}

void tst_AuditLog::since()
{
    QFETCH(QString, text);
    QFETCH(qint64, agoSeconds);
    const QDateTime now =
        QDateTime::fromString(QStringLiteral("2026-12-10T12:00:00Z"), Qt::ISODate);
    const QDateTime since = Models::parseAuditSince(text, now);
    if (agoSeconds == -1) {
        QVERIFY(!since.isValid());
    } else if (agoSeconds == -2) {
        QVERIFY(since.isValid());
        QCOMPARE(since.date(), QDate(2026, 12, 3));
    } else {
        QCOMPARE(since.secsTo(now), agoSeconds);
    }
}

void tst_AuditLog::modelNewestFirstAndFiltered()
{
    Models::AuditTrailModel model;
    const QDateTime t0 = QDateTime::fromString(QStringLiteral("2026-12-03T14:00:00Z"), Qt::ISODate);
    model.setRecords({record(QStringLiteral("Staging"), QStringLiteral("a"), t0),
                      record(QStringLiteral("Production"), QStringLiteral("b"), t0.addSecs(60))});
    model.appendRecords({record(QStringLiteral("Staging"), QStringLiteral("c"), t0.addSecs(120))});
    model.setReferenceTime(t0.addSecs(120 + 180));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, Models::AuditTrailModel::ActionColumn).data().toString(),
             QStringLiteral("c"));
    QCOMPARE(model.index(2, Models::AuditTrailModel::ActionColumn).data().toString(),
             QStringLiteral("a"));
    QVERIFY2(model.index(0, Models::AuditTrailModel::TimeColumn)
                 .data()
                 .toString()
                 .endsWith(QStringLiteral("(3 min ago)")),
             qPrintable(model.index(0, 0).data().toString()));
    QCOMPARE(model.index(0, Models::AuditTrailModel::OutcomeColumn)
                 .data(Models::AuditTrailModel::OutcomeKindRole)
                 .toString(),
             QStringLiteral("good"));
    model.setEnvironmentFilter(QStringLiteral("Staging"));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.totalCount(), 3);
    model.setEnvironmentFilter(QString());
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(Models::AuditTrailModel::outcomeKind(QStringLiteral("refused")),
             QStringLiteral("bad"));
    QCOMPARE(Models::AuditTrailModel::outcomeKind(QStringLiteral("requested")),
             QStringLiteral("pending"));
}

void tst_AuditLog::followerReadsAppendedLines()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("state/audit.log"));
    Models::AuditTrailModel model;
    App::AuditLogFollower follower(path, &model); // the file does not exist yet
    QCOMPARE(model.rowCount(), 0);
    const QDateTime now = QDateTime::currentDateTime();
    QVERIFY(App::AuditLog::appendTo(path, record(QStringLiteral("A"), QStringLiteral("1"), now)));
    // The watcher notices by itself.
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1, 5000);
    // Half a line is not read until it is whole.
    appendRaw(path, "{\"time\":\"2026-12-03T14:00:00Z\",");
    follower.poll();
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.lineErrors().size(), 0);
    appendRaw(path, "\"action\":\"2\"}\nnot json\n");
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 2, 5000);
    QCOMPARE(model.lineErrors().size(), 1);
    QCOMPARE(model.lineErrors().first().line, 3);
    QVERIFY(App::AuditLog::appendTo(
        path, record(QStringLiteral("A"), QStringLiteral("4"), now.addSecs(1))));
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 3, 5000);
    QCOMPARE(model.record(0)->action, QStringLiteral("4"));
    QCOMPARE(model.record(0)->line, 4);
    // Rotated: a new, shorter file is read from its start.
    QVERIFY(QFile::remove(path));
    QVERIFY(App::AuditLog::appendTo(path, record(QStringLiteral("B"), QStringLiteral("5"), now)));
    QTRY_COMPARE_WITH_TIMEOUT(model.totalCount(), 1, 5000);
    QCOMPARE(model.record(0)->action, QStringLiteral("5"));
    QCOMPARE(model.record(0)->line, 1);
    QCOMPARE(model.lineErrors().size(), 0);
}

void tst_AuditLog::auditCommandTableAndJson()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("audit.log"));
    const QDateTime now = QDateTime::currentDateTime();
    AuditRecord r = record(
        QStringLiteral("Production"), QStringLiteral("container.restart"), now.addSecs(-180));
    r.parameters = QJsonObject{{QStringLiteral("key"), QStringLiteral("h1/abc")}};
    QVERIFY(App::AuditLog::appendTo(path, r));
    QVERIFY(App::AuditLog::appendTo(
        path, record(QStringLiteral("Staging"), QStringLiteral("kv.put"), now.addDays(-2))));
    appendRaw(path, "oops\n");

    App::AuditCommandOptions o;
    o.file = path;
    o.now = now;
    o.environment = QStringLiteral("Production");
    QString outText;
    QString errText;
    {
        QTextStream out(&outText);
        QTextStream err(&errText);
        QCOMPARE(App::runAudit(o, out, err), 0);
    }
    const QStringList lines = outText.trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 2); // header and one record
    QVERIFY(lines.at(0).startsWith(QStringLiteral("TIME")));
    QVERIFY2(
        lines.at(1).startsWith(r.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                               + QStringLiteral(" (3 min ago)")),
        qPrintable(lines.at(1)));
    for (const QString &part : {App::AuditLog::currentUser(),
                                QStringLiteral("Production"),
                                QStringLiteral("container.restart"),
                                QStringLiteral("h1/web"),
                                QStringLiteral("ok"),
                                QStringLiteral("key=h1/abc")})
        QVERIFY2(lines.at(1).contains(part), qPrintable(part));
    QVERIFY2(errText.contains(QStringLiteral("line 3")), qPrintable(errText));

    o.environment.clear();
    o.since = QStringLiteral("1d");
    o.json = true;
    outText.clear();
    {
        QTextStream out(&outText);
        QTextStream err(&errText);
        QCOMPARE(App::runAudit(o, out, err), 0);
    }
    const QStringList json = outText.trimmed().split(QLatin1Char('\n'));
    QCOMPARE(json.size(), 1);
    const QJsonObject o1 = QJsonDocument::fromJson(json.first().toUtf8()).object();
    QCOMPARE(o1.value(QStringLiteral("action")).toString(), QStringLiteral("container.restart"));
    QCOMPARE(o1.value(QStringLiteral("parameters")).toObject(), r.parameters);

    o.since = QStringLiteral("soon");
    QTextStream out(&outText);
    QTextStream err(&errText);
    QCOMPARE(App::runAudit(o, out, err), 2);
}

void tst_AuditLog::confirmProduction_data()
{
    QTest::addColumn<bool>("production");
    QTest::addColumn<bool>("yes");
    QTest::addColumn<QString>("input");
    QTest::addColumn<bool>("confirmed");
    QTest::addColumn<bool>("asks");
    QTest::newRow("not production") << false << false << QString() << true << false;
    QTest::newRow("typed name") << true << false << QStringLiteral("Production\n") << true << true;
    QTest::newRow("typed with spaces")
        << true << false << QStringLiteral("  Production  \n") << true << true;
    QTest::newRow("wrong case") << true << false << QStringLiteral("production\n") << false << true;
    QTest::newRow("yes") << true << false << QStringLiteral("yes\n") << false << true;
    QTest::newRow("empty line") << true << false << QStringLiteral("\n") << false << true;
    QTest::newRow("end of input") << true << false << QString() << false << true;
    QTest::newRow("flag") << true << true << QString() << true << false;
}

void tst_AuditLog::confirmProduction()
{
    QFETCH(bool, production);
    QFETCH(bool, yes);
    QFETCH(QString, input);
    QFETCH(bool, confirmed);
    QFETCH(bool, asks);
    Models::EnvironmentConfig env;
    env.name = QStringLiteral("Production");
    env.production = production;
    QString inText = input;
    QString outText;
    QTextStream in(&inText);
    QTextStream out(&outText);
    QString why;
    QCOMPARE(
        App::confirmProduction(env, yes, in, out, &why, QStringLiteral("restart container h1/web")),
        confirmed);
    QCOMPARE(why.isEmpty(), confirmed);
    QCOMPARE(outText.contains(QStringLiteral("Type the environment's name (Production)")), asks);
    if (production) {
        QVERIFY(outText.contains(QStringLiteral("Production (PRODUCTION)")));
        QVERIFY(outText.contains(QStringLiteral("restart container h1/web")));
    } else {
        QVERIFY(outText.isEmpty());
    }
    QVERIFY(App::yesIMeanMatches(QStringLiteral("Production"), env));
    QVERIFY(!App::yesIMeanMatches(QStringLiteral("production"), env));
    QVERIFY(!App::yesIMeanMatches(QString(), env));
}

void tst_AuditLog::estateAuditsContainerActions()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("audit.log"));
    qputenv("OPSDECK_AUDIT_LOG", path.toLocal8Bit());
    Models::OpsdeckConfig config;
    Models::EnvironmentConfig env;
    env.name = QStringLiteral("Lab");
    Models::DockerHostConfig host;
    host.name = QStringLiteral("h1");
    host.url = QStringLiteral("tcp://127.0.0.1:%1").arg(Tests::freeTcpPort());
    env.dockerHosts << host;
    config.environments << env;
    Models::EnvironmentConfig ro = env;
    ro.name = QStringLiteral("Frozen");
    ro.readOnly = true;
    config.environments << ro;
    App::Estate estate(config);
    estate.setAuditContext(QJsonObject{{QStringLiteral("via"), QStringLiteral("test")}});
    QSignalSpy finished(&estate, &Models::ContainerOperations::actionFinished);

    // Nothing listens on the host: the request line first, then the failure.
    estate.requestAction(
        QStringLiteral("Lab"), QStringLiteral("h1/abc123"), Models::ContainerAction::Restart);
    {
        const Models::AuditParseResult r = App::AuditLog::read(path);
        QCOMPARE(r.records.size(), 1); // on disk before anything was sent
        QCOMPARE(r.records.first().action, QStringLiteral("container.restart"));
        QCOMPARE(r.records.first().outcome, QStringLiteral("requested"));
        QCOMPARE(r.records.first().target, QStringLiteral("h1/abc123"));
        QCOMPARE(r.records.first().parameters.value(QStringLiteral("via")).toString(),
                 QStringLiteral("test"));
    }
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
    QCOMPARE(finished.first().at(3).toBool(), false);
    Models::AuditParseResult r = App::AuditLog::read(path);
    QCOMPARE(r.records.size(), 2);
    QCOMPARE(r.records.at(1).outcome, QStringLiteral("failed"));
    QCOMPARE(r.records.at(1).detail, finished.first().at(4).toString());

    // A read-only environment: refused, and the refusal is in the trail.
    estate.requestAction(
        QStringLiteral("Frozen"), QStringLiteral("h1/abc123"), Models::ContainerAction::Stop);
    QCOMPARE(finished.size(), 2);
    r = App::AuditLog::read(path);
    QCOMPARE(r.records.size(), 3);
    QCOMPARE(r.records.at(2).action, QStringLiteral("container.stop"));
    QCOMPARE(r.records.at(2).outcome, QStringLiteral("refused"));

    // Marathon: none configured; refused and audited.
    QSignalSpy marathon(estate.marathonOperations(),
                        &Models::MarathonOperations::marathonActionFinished);
    Models::MarathonActionRequest request;
    request.environment = QStringLiteral("Lab");
    request.action = Models::MarathonAction::UpdateImage;
    request.appId = QStringLiteral("/shop/orders");
    request.image = QStringLiteral("orders:2");
    estate.marathonOperations()->requestMarathonAction(request);
    QTRY_COMPARE(marathon.size(), 1);
    r = App::AuditLog::read(path);
    QCOMPARE(r.records.size(), 4);
    QCOMPARE(r.records.at(3).action, QStringLiteral("marathon.update-image"));
    QCOMPARE(r.records.at(3).outcome, QStringLiteral("refused"));
    QCOMPARE(r.records.at(3).parameters.value(QStringLiteral("image")).toString(),
             QStringLiteral("orders:2"));
}

void tst_AuditLog::estateRefusesWhenTrailCannotBeWritten()
{
    QTemporaryDir dir;
    const QString blocker = dir.filePath(QStringLiteral("plain"));
    appendRaw(blocker, "x");
    qputenv("OPSDECK_AUDIT_LOG", (blocker + QStringLiteral("/audit.log")).toLocal8Bit());
    Models::OpsdeckConfig config;
    Models::EnvironmentConfig env;
    env.name = QStringLiteral("Lab");
    Models::DockerHostConfig host;
    host.name = QStringLiteral("h1");
    host.url = QStringLiteral("tcp://127.0.0.1:%1").arg(Tests::freeTcpPort());
    env.dockerHosts << host;
    config.environments << env;
    App::Estate estate(config);
    QSignalSpy finished(&estate, &Models::ContainerOperations::actionFinished);
    estate.requestAction(
        QStringLiteral("Lab"), QStringLiteral("h1/abc123"), Models::ContainerAction::Restart);
    QCOMPARE(finished.size(), 1); // at once: nothing was sent
    QCOMPARE(finished.first().at(3).toBool(), false);
    QVERIFY2(finished.first().at(4).toString().contains(QStringLiteral("audit trail")),
             qPrintable(finished.first().at(4).toString()));
    QVERIFY(finished.first().at(4).toString().contains(QStringLiteral("nothing was done")));
}

void tst_AuditLog::kvEditRefusedWhenTrailCannotBeWritten()
{
    QTemporaryDir dir;
    const QString blocker = dir.filePath(QStringLiteral("plain"));
    appendRaw(blocker, "x");
    qputenv("OPSDECK_AUDIT_LOG", (blocker + QStringLiteral("/audit.log")).toLocal8Bit());
    Models::OpsdeckConfig config;
    Models::EnvironmentConfig env;
    env.name = QStringLiteral("Lab");
    Models::ConsulConfig consul;
    consul.url = QStringLiteral("http://127.0.0.1:%1").arg(Tests::freeTcpPort());
    consul.prefix = QStringLiteral("config/");
    consul.allowEdit = true;
    env.consul = consul;
    config.environments << env;
    App::Estate estate(config);
    Models::ConfigProvider *provider = estate.configProvider();
    QSignalSpy finished(provider, &Models::ConfigProvider::kvEditFinished);
    Models::KvEditRequest request;
    request.environment = QStringLiteral("Lab");
    request.key = QStringLiteral("config/db/url");
    request.value = "postgres://secret@db/orders";
    provider->requestKvEdit(request);
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(finished.first().at(1).toBool(), false);
    QVERIFY2(finished.first().at(2).toString().contains(QStringLiteral("nothing was changed")),
             qPrintable(finished.first().at(2).toString()));

    // Writable: the request line holds the size, never the value.
    const QString path = dir.filePath(QStringLiteral("audit.log"));
    qputenv("OPSDECK_AUDIT_LOG", path.toLocal8Bit());
    provider->requestKvEdit(request);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 30000);
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray all = f.readAll();
    QVERIFY(!all.contains("secret"));
    const Models::AuditParseResult r = Models::parseAuditLines(all);
    QVERIFY(r.records.size() >= 1);
    QCOMPARE(r.records.first().outcome, QStringLiteral("requested"));
    QCOMPARE(r.records.first().parameters.value(QStringLiteral("bytes")).toInt(),
             int(request.value.size()));
}

QTEST_GUILESS_MAIN(tst_AuditLog)
#include "tst_auditlog.moc"
