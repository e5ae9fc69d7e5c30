// SPDX-License-Identifier: MIT
#include "connectors/docker/dockerparsers.h"

#include <QDateTime>
#include <QTest>

using namespace Opsdeck::Connectors;
using namespace Opsdeck::Models;

namespace {

// Shapes follow shared/reference/apis.md section 1 (Docker Engine API 1.41, observed on 20.10.24).

constexpr qint64 kInvalid = -1;

qint64 utcMs(int year, int month, int day, int hour, int minute, int second, int ms)
{
    return QDateTime(QDate(year, month, day), QTime(hour, minute, second, ms), Qt::UTC)
        .toMSecsSinceEpoch();
}

qint64 msOf(const QDateTime &t)
{
    return t.isValid() ? t.toMSecsSinceEpoch() : kInvalid;
}

/// The error text, or nothing: QVERIFY2 evaluates its message even when the check passes.
template<typename T>
QString errorOf(const Result<T> &result)
{
    return result.ok() ? QString() : result.error();
}

/// One multiplexed log frame: stream byte, three zero bytes, big-endian length, payload.
QByteArray frame(char stream, const QByteArray &payload)
{
    QByteArray out(8, '\0');
    out[0] = stream;
    const quint32 n = quint32(payload.size());
    out[4] = char((n >> 24) & 0xff);
    out[5] = char((n >> 16) & 0xff);
    out[6] = char((n >> 8) & 0xff);
    out[7] = char(n & 0xff);
    return out + payload;
}

QStringList linesText(const QList<LogLine> &lines)
{
    QStringList out;
    for (const LogLine &l : lines) {
        switch (l.stream) {
        case LogLine::Stream::Stdin:
            out << QStringLiteral("in:") + l.text;
            break;
        case LogLine::Stream::Stdout:
            out << QStringLiteral("out:") + l.text;
            break;
        case LogLine::Stream::Stderr:
            out << QStringLiteral("err:") + l.text;
            break;
        }
    }
    return out;
}

/// "ip:public->private/proto" when published, "private/proto" when only exposed.
QStringList portsText(const QList<PortBinding> &ports)
{
    QStringList out;
    for (const PortBinding &p : ports) {
        const QString inside = QStringLiteral("%1/%2").arg(p.privatePort).arg(p.protocol);
        out << (p.publicPort == 0 && p.ip.isEmpty()
                    ? inside
                    : QStringLiteral("%1:%2->%3").arg(p.ip).arg(p.publicPort).arg(inside));
    }
    return out;
}

/// "type|name|source|destination|mode|rw or ro|anonymous or named".
QStringList mountsText(const QList<Mount> &mounts)
{
    QStringList out;
    for (const Mount &m : mounts) {
        out << QStringList{m.type,
                           m.name,
                           m.source,
                           m.destination,
                           m.mode,
                           m.readWrite ? QStringLiteral("rw") : QStringLiteral("ro"),
                           isAnonymousVolume(m) ? QStringLiteral("anonymous")
                                                : QStringLiteral("named")}
                   .join(QLatin1Char('|'));
    }
    return out;
}

const QByteArray kContainerId = "c3258701dd97e5a0f1d6c1b4f3f1a9f8e3b1f2d0c9a8b7c6d5e4f3a2b1c0d9e8";
const QByteArray kAnonymousVolume =
    "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa99887766554433221100";

/// @p json with each %VOL% replaced by an anonymous volume's name.
QByteArray withVolume(QByteArray json)
{
    return json.replace("%VOL%", kAnonymousVolume);
}

/// An inspect answer with the given extra top-level members.
QByteArray inspectWith(const QByteArray &members)
{
    return "{\"Id\":\"" + kContainerId + "\",\"Name\":\"/web1\""
           + (members.isEmpty() ? QByteArray() : "," + members) + "}";
}

/// A one-element list answer with the given summary members besides Id.
QByteArray listWith(const QByteArray &members)
{
    return "[{\"Id\":\"" + kContainerId + "\"" + (members.isEmpty() ? QByteArray() : "," + members)
           + "}]";
}

/// The inspect answer of apis.md 1.4: exited 3 after on-failure:2 gave up.
const QByteArray kInspectExited = R"({
  "Id": "c3258701dd97e5a0f1d6c1b4f3f1a9f8e3b1f2d0c9a8b7c6d5e4f3a2b1c0d9e8",
  "Created": "2026-11-24T23:26:40.123456789Z",
  "Path": "/bin/sh", "Args": ["-c", "exit 3"],
  "Name": "/web1", "Image": "sha256:b7a9c1d2e3f4", "RestartCount": 2,
  "State": {"Status": "exited", "Running": false, "Paused": false, "Restarting": false,
            "OOMKilled": false, "Dead": false, "Pid": 0, "ExitCode": 3, "Error": "",
            "StartedAt": "2026-11-24T23:26:42.677217354Z",
            "FinishedAt": "2026-11-24T23:26:43.679708203Z",
            "Health": {"Status": "healthy", "FailingStreak": 0,
                       "Log": [{"Start": "2026-11-24T23:26:42.7Z", "End": "2026-11-24T23:26:42.8Z",
                                "ExitCode": 0, "Output": ""}]}},
  "HostConfig": {"RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 2},
                 "NetworkMode": "none",
                 "Binds": ["/srv/data:/data:ro"]},
  "Config": {"Image": "refbox:v1", "Env": ["FOO=bar", "PATH=/usr/local/bin:/usr/bin"],
             "Labels": {"opsdeck.role": "web", "com.example.team": "core"},
             "Hostname": "c325870dd97e", "Tty": false, "Cmd": ["-c", "exit 3"],
             "Healthcheck": {"Test": ["CMD-SHELL", "true"], "Interval": 1000000000, "Retries": 2}},
  "Mounts": [{"Type": "bind", "Source": "/srv/data", "Destination": "/data", "Mode": "ro",
              "RW": false,
              "Propagation": "rprivate"}],
  "NetworkSettings": {"Ports": {}, "Networks": {"none": {}}},
  "SomeFieldOfANewerDaemon": {"ignored": true}
})";

} // namespace

class tst_DockerParsers : public QObject
{
    Q_OBJECT

private slots:
    void version_data();
    void version();

    void containerList_data();
    void containerList();
    void containerListShape_data();
    void containerListShape();
    void containerListMalformed_data();
    void containerListMalformed();

    void inspectFullRecord();
    void inspectState_data();
    void inspectState();
    void inspectTimes_data();
    void inspectTimes();
    void inspectRestartPolicy_data();
    void inspectRestartPolicy();
    void inspectPorts_data();
    void inspectPorts();
    void inspectMounts_data();
    void inspectMounts();
    void inspectCommandAndNetworks_data();
    void inspectCommandAndNetworks();
    void inspectMalformed_data();
    void inspectMalformed();

    void dockerEvent_data();
    void dockerEvent();
    void dockerEventKind_data();
    void dockerEventKind();
    void dockerEventMalformed_data();
    void dockerEventMalformed();

    void statsSample_data();
    void statsSample();
    void statsMalformed_data();
    void statsMalformed();
    void cpuAndMemory_data();
    void cpuAndMemory();

    void lineSplitter_data();
    void lineSplitter();
    void lineSplitterDropsAnOverlongLine();

    void logStream_data();
    void logStream();
    void logFrameSplitAtEveryOffset();
    void logBadHeader_data();
    void logBadHeader();
    void logFinishFlushesOnce();
    void logLongLineIsCapped_data();
    void logLongLineIsCapped();

    // Last: under -fno-sanitize-recover an undefined-behaviour regression ends the binary.
    void dockerEventFuzzRegressions_data();
    void dockerEventFuzzRegressions();
    void statsFuzzRegressions_data();
    void statsFuzzRegressions();
};

// --- GET /version ---------------------------------------------------------------------------

void tst_DockerParsers::version_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("apiVersion");
    QTest::addColumn<QString>("minApiVersion");
    QTest::addColumn<QString>("version");
    QTest::addColumn<QString>("os");
    QTest::addColumn<QString>("arch");
    QTest::addColumn<QString>("error"); // empty: must parse

    QTest::newRow("20.10.24 answer") << QByteArray(
        R"({"Platform":{"Name":""},"Components":[{"Name":"Engine","Version":"20.10.24+dfsg1"}],
            "Version":"20.10.24+dfsg1","ApiVersion":"1.41","MinAPIVersion":"1.12",
                "GitCommit":"5d6db84",
            "GoVersion":"go1.19.8","Os":"linux","Arch":"amd64","KernelVersion":"6.1.0-13-amd64",
            "BuildTime":"2023-05-18T16:22:35.000000000+00:00"})")
                                     << QStringLiteral("1.41") << QStringLiteral("1.12")
                                     << QStringLiteral("20.10.24+dfsg1") << QStringLiteral("linux")
                                     << QStringLiteral("amd64") << QString();
    QTest::newRow("only ApiVersion")
        << QByteArray(R"({"ApiVersion":"1.43"})") << QStringLiteral("1.43") << QString()
        << QString() << QString() << QString() << QString();
    QTest::newRow("error object has no ApiVersion")
        << QByteArray(R"({"message":"page not found"})") << QString() << QString() << QString()
        << QString() << QString() << QStringLiteral("version: no ApiVersion in the answer");
    QTest::newRow("ApiVersion is a number")
        << QByteArray(R"({"ApiVersion":1.41})") << QString() << QString() << QString() << QString()
        << QString() << QStringLiteral("version: no ApiVersion in the answer");
    QTest::newRow("array instead of object")
        << QByteArray(R"([{"ApiVersion":"1.41"}])") << QString() << QString() << QString()
        << QString() << QString() << QStringLiteral("version: expected a JSON object");
    QTest::newRow("not JSON") << QByteArray("OK") << QString() << QString() << QString()
                              << QString() << QString() << QStringLiteral("malformed version JSON");
    QTest::newRow("truncated JSON")
        << QByteArray(R"({"Version":"20.10.24","ApiVers)") << QString() << QString() << QString()
        << QString() << QString() << QStringLiteral("malformed version JSON");
    QTest::newRow("empty body") << QByteArray() << QString() << QString() << QString() << QString()
                                << QString() << QStringLiteral("malformed version JSON");
}

void tst_DockerParsers::version()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    const auto result = parseDockerVersion(json);
    if (!error.isEmpty()) {
        QVERIFY(!result.ok());
        QVERIFY2(result.error().contains(error), qPrintable(errorOf(result)));
        return;
    }
    QVERIFY2(result.ok(), qPrintable(errorOf(result)));
    QTEST(result.value().apiVersion, "apiVersion");
    QTEST(result.value().minApiVersion, "minApiVersion");
    QTEST(result.value().version, "version");
    QTEST(result.value().os, "os");
    QTEST(result.value().arch, "arch");
}

// --- GET /containers/json?all=1 -------------------------------------------------------------

void tst_DockerParsers::containerList_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("image");
    QTest::addColumn<ContainerState>("state");
    QTest::addColumn<QString>("statusText");
    QTest::addColumn<HealthStatus>("health");
    QTest::addColumn<qint64>("createdMs");
    QTest::addColumn<QStringList>("ports");
    QTest::addColumn<QStringList>("mounts");

    const QString anonymous =
        QStringLiteral("volume|%1|/var/lib/docker/volumes/%1/_data|/var/lib/app||rw|anonymous")
            .arg(QLatin1String(kAnonymousVolume));

    QTest::newRow("running healthy, ports on IPv4 and IPv6 and an unpublished one")
        << listWith(
               R"j("Names":["/web1"],"Image":"refbox:v1","ImageID":"sha256:b7a9",
                   "Command":"/bin/sh -c 'exec server'",
            "Created":1795562700,"State":"running","Status":"Up 25 seconds (healthy)",
            "Ports":[{"IP":"0.0.0.0","PrivatePort":80,"PublicPort":8080,"Type":"tcp"},
                     {"IP":"::","PrivatePort":80,"PublicPort":8080,"Type":"tcp"},
                     {"PrivatePort":443,"Type":"tcp"}],
            "Labels":{"opsdeck.role":"web"},"HostConfig":{"NetworkMode":"bridge"},
            "NetworkSettings":{"Networks":{"bridge":{}}},"Mounts":[])j")
        << QStringLiteral("web1") << QStringLiteral("refbox:v1") << ContainerState::Running
        << QStringLiteral("Up 25 seconds (healthy)") << HealthStatus::Healthy
        << qint64(1795562700) * 1000
        << QStringList{QStringLiteral("0.0.0.0:8080->80/tcp"),
                       QStringLiteral(":::8080->80/tcp"),
                       QStringLiteral("443/tcp")}
        << QStringList();
    QTest::newRow("restarting crash loop is restarting")
        << listWith(
               R"("Names":["/crash1"],"Image":"refbox:v1","Created":1795562800,"State":"restarting",
            "Status":"Restarting (1) 2 seconds ago","Ports":[],"Labels":{},"Mounts":[])")
        << QStringLiteral("crash1") << QStringLiteral("refbox:v1") << ContainerState::Restarting
        << QStringLiteral("Restarting (1) 2 seconds ago") << HealthStatus::None
        << qint64(1795562800) * 1000 << QStringList() << QStringList();
    QTest::newRow("health starting only in Status text")
        << listWith(
               R"j("Names":["/api"],"Image":"api:v2","Created":1,"State":"running",
            "Status":"Up 1 second (health: starting)")j")
        << QStringLiteral("api") << QStringLiteral("api:v2") << ContainerState::Running
        << QStringLiteral("Up 1 second (health: starting)") << HealthStatus::Starting
        << qint64(1000) << QStringList() << QStringList();
    QTest::newRow("unhealthy only in Status text")
        << listWith(
               R"j("Names":["/api"],"Image":"api:v2","Created":2,"State":"running",
            "Status":"Up 3 minutes (unhealthy)")j")
        << QStringLiteral("api") << QStringLiteral("api:v2") << ContainerState::Running
        << QStringLiteral("Up 3 minutes (unhealthy)") << HealthStatus::Unhealthy << qint64(2000)
        << QStringList() << QStringList();
    QTest::newRow("exited without healthcheck")
        << listWith(
               R"("Names":["/job"],"Image":"batch","Created":3,"State":"exited",
            "Status":"Exited (3) 21 seconds ago")")
        << QStringLiteral("job") << QStringLiteral("batch") << ContainerState::Exited
        << QStringLiteral("Exited (3) 21 seconds ago") << HealthStatus::None << qint64(3000)
        << QStringList() << QStringList();
    QTest::newRow("several names: the first, without its slash")
        << listWith(
               R"j("Names":["/db","/web1/db"],"Image":"postgres:15","Created":4,"State":"paused",
            "Status":"Up 2 hours (Paused)")j")
        << QStringLiteral("db") << QStringLiteral("postgres:15") << ContainerState::Paused
        << QStringLiteral("Up 2 hours (Paused)") << HealthStatus::None << qint64(4000)
        << QStringList() << QStringList();
    QTest::newRow("no Names: the short id")
        << listWith(R"("Names":[],"State":"created","Status":"Created")")
        << QStringLiteral("c3258701dd97") << QString() << ContainerState::Created
        << QStringLiteral("Created") << HealthStatus::None << qint64(0) << QStringList()
        << QStringList();
    QTest::newRow("anonymous volume and read-only bind")
        << listWith(withVolume(R"("Names":["/web1"],"State":"running","Status":"Up 1 hour",
            "Mounts":[{"Type":"volume","Name":"%VOL%",
                       "Source":"/var/lib/docker/volumes/%VOL%/_data","Destination":"/var/lib/app",
                       "Driver":"local","Mode":"","RW":true,"Propagation":""},
                      {"Type":"bind","Source":"/srv/data","Destination":"/data","Mode":"ro",
                       "RW":false,"Propagation":"rprivate"}])"))
        << QStringLiteral("web1") << QString() << ContainerState::Running
        << QStringLiteral("Up 1 hour") << HealthStatus::None << qint64(0) << QStringList()
        << QStringList{anonymous, QStringLiteral("bind||/srv/data|/data|ro|ro|named")};
    QTest::newRow("unknown State word")
        << listWith(R"("Names":["/x"],"State":"hibernating","Status":"?")") << QStringLiteral("x")
        << QString() << ContainerState::Unknown << QStringLiteral("?") << HealthStatus::None
        << qint64(0) << QStringList() << QStringList();
    QTest::newRow("nulls where lists belong") << listWith(
        R"("Names":null,"State":"running","Status":"Up","Labels":null,"Ports":null,"Mounts":null)")
                                              << QStringLiteral("c3258701dd97") << QString()
                                              << ContainerState::Running << QStringLiteral("Up")
                                              << HealthStatus::None << qint64(0) << QStringList()
                                              << QStringList();
}

void tst_DockerParsers::containerList()
{
    QFETCH(QByteArray, json);
    const auto result = parseContainerList(json, QStringLiteral("host-a"));
    QVERIFY2(result.ok(), qPrintable(errorOf(result)));
    QCOMPARE(result.value().size(), 1);
    const Container &c = result.value().first();
    QCOMPARE(c.hostId, QStringLiteral("host-a"));
    QCOMPARE(c.id, QString::fromLatin1(kContainerId));
    QCOMPARE(c.inspected, false);
    QTEST(c.name, "name");
    QTEST(c.image, "image");
    QTEST(c.state, "state");
    QTEST(c.statusText, "statusText");
    QTEST(c.health, "health");
    QTEST(c.createdAt.toMSecsSinceEpoch(), "createdMs");
    QTEST(portsText(c.ports), "ports");
    QTEST(mountsText(c.mounts), "mounts");
}

void tst_DockerParsers::containerListShape_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QStringList>("names");

    QTest::newRow("empty list") << QByteArray("[]") << QStringList();
    QTest::newRow("order kept") << QByteArray(
        R"([{"Id":"bbb","Names":["/second"],"Labels":{"opsdeck.role":"web","tier":"front"}},
                          {"Id":"aaa","Names":["/first"]},{"Id":"ccc","Names":["/third"]}])")
                                << QStringList{QStringLiteral("second"),
                                               QStringLiteral("first"),
                                               QStringLiteral("third")};
}

void tst_DockerParsers::containerListShape()
{
    QFETCH(QByteArray, json);
    QFETCH(QStringList, names);
    const auto result = parseContainerList(json, QStringLiteral("host-b"));
    QVERIFY2(result.ok(), qPrintable(errorOf(result)));
    QStringList got;
    for (const Container &c : result.value()) {
        got << c.name;
        QCOMPARE(c.hostId, QStringLiteral("host-b"));
        QCOMPARE(c.key(), QStringLiteral("host-b/") + c.id);
    }
    QCOMPARE(got, names);
    if (!names.isEmpty()) {
        const QMap<QString, QString> labels{{QStringLiteral("opsdeck.role"), QStringLiteral("web")},
                                            {QStringLiteral("tier"), QStringLiteral("front")}};
        QCOMPARE(result.value().first().labels, labels);
        QCOMPARE(result.value().at(1).labels, (QMap<QString, QString>()));
    }
}

void tst_DockerParsers::containerListMalformed_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");

    QTest::newRow("not JSON: proxy error page")
        << QByteArray("<html><body>502 Bad Gateway</body></html>")
        << QStringLiteral("malformed container list JSON at offset ");
    QTest::newRow("empty body") << QByteArray() << QStringLiteral("malformed container list JSON");
    QTest::newRow("truncated JSON") << QByteArray(R"([{"Id":"c3258701dd97","Names":["/we)")
                                    << QStringLiteral("malformed container list JSON");
    QTest::newRow("daemon error object instead of a list") << QByteArray(
        R"({"message":"client version 1.99 is too new. Maximum supported API version is 1.41"})")
                                                           << QStringLiteral(
                                                                  "container list: expected a JSON "
                                                                  "array");
    QTest::newRow("entry is a number")
        << QByteArray("[1]") << QStringLiteral("container list: entry 0 is not an object");
    QTest::newRow("entry is null after a good one")
        << QByteArray(R"([{"Id":"aaa"},null])")
        << QStringLiteral("container list: entry 1 is not an object");
    QTest::newRow("entry without Id")
        << QByteArray(R"([{"Id":"aaa","Names":["/a"]},{"Names":["/orphan"],"State":"running"}])")
        << QStringLiteral("container list: entry 1 has no Id");
    QTest::newRow("empty Id") << QByteArray(R"([{"Id":""}])")
                              << QStringLiteral("container list: entry 0 has no Id");
    QTest::newRow("Id is a number")
        << QByteArray(R"([{"Id":42}])") << QStringLiteral("container list: entry 0 has no Id");
}

void tst_DockerParsers::containerListMalformed()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    const auto result = parseContainerList(json, QStringLiteral("host-a"));
    QVERIFY(!result.ok());
    QVERIFY2(result.error().startsWith(error), qPrintable(errorOf(result)));
}

// --- GET /containers/{id}/json ---------------------------------------------------------------

void tst_DockerParsers::inspectFullRecord()
{
    const auto result = parseContainerInspect(kInspectExited, QStringLiteral("host-a"));
    QVERIFY2(result.ok(), qPrintable(errorOf(result)));
    const Container &c = result.value();
    QCOMPARE(c.hostId, QStringLiteral("host-a"));
    QCOMPARE(c.id, QString::fromLatin1(kContainerId));
    QCOMPARE(c.inspected, true);
    QCOMPARE(c.name, QStringLiteral("web1"));
    QCOMPARE(c.imageId, QStringLiteral("sha256:b7a9c1d2e3f4")); // top-level Image is the ID …
    QCOMPARE(c.image, QStringLiteral("refbox:v1"));             // … Config.Image the name
    QCOMPARE(c.restartCount, 2);
    QCOMPARE(c.state, ContainerState::Exited);
    QCOMPARE(c.exitCode, 3);
    QCOMPARE(c.statusText, QStringLiteral("exited (3)"));
    QCOMPARE(c.health, HealthStatus::Healthy);
    QCOMPARE(c.healthFailingStreak, 0);
    QCOMPARE(c.lastHealthOutput, QString());
    QCOMPARE(c.restartPolicy.kind, RestartPolicyKind::OnFailure);
    QCOMPARE(c.restartPolicy.maximumRetryCount, 2);
    QCOMPARE(msOf(c.createdAt), utcMs(2026, 11, 24, 23, 26, 40, 123));
    QCOMPARE(msOf(c.startedAt), utcMs(2026, 11, 24, 23, 26, 42, 677));
    QCOMPARE(msOf(c.finishedAt), utcMs(2026, 11, 24, 23, 26, 43, 679));
    const QMap<QString, QString> labels{
        {QStringLiteral("com.example.team"), QStringLiteral("core")},
        {QStringLiteral("opsdeck.role"), QStringLiteral("web")}};
    QCOMPARE(c.labels, labels);
    QCOMPARE(
        c.env,
        (QStringList{QStringLiteral("FOO=bar"), QStringLiteral("PATH=/usr/local/bin:/usr/bin")}));
    QCOMPARE(c.tty, false);
    QCOMPARE(c.command, QStringLiteral("/bin/sh -c exit 3"));
    QCOMPARE(c.networks, QStringList{QStringLiteral("none")});
    QCOMPARE(portsText(c.ports), QStringList());
    QCOMPARE(mountsText(c.mounts),
             QStringList{QStringLiteral("bind||/srv/data|/data|ro|ro|named")});
}

void tst_DockerParsers::inspectState_data()
{
    QTest::addColumn<QByteArray>("stateJson");
    QTest::addColumn<ContainerState>("state");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<bool>("oomKilled");
    QTest::addColumn<QString>("error");
    QTest::addColumn<HealthStatus>("health");
    QTest::addColumn<int>("failingStreak");
    QTest::addColumn<QString>("lastHealthOutput");
    QTest::addColumn<QString>("statusText");

    QTest::newRow("crash loop: restarting with Running true is Restarting, never Running")
        << QByteArray(
               R"({"Status":"restarting","Running":true,"Paused":false,"Restarting":true,
                   "OOMKilled":false,
                          "Dead":false,"Pid":0,"ExitCode":1,"Error":""})")
        << ContainerState::Restarting << 1 << false << QString() << HealthStatus::None << 0
        << QString() << QStringLiteral("restarting");
    QTest::newRow("restarting with a failing healthcheck is still Restarting")
        << QByteArray(R"({"Status":"restarting","Running":true,"Restarting":true,"ExitCode":2,
                          "Health":{"Status":"unhealthy","FailingStreak":3,"Log":[]}})")
        << ContainerState::Restarting << 2 << false << QString() << HealthStatus::Unhealthy << 3
        << QString() << QStringLiteral("restarting");
    QTest::newRow("paused is Paused though Running")
        << QByteArray(R"({"Status":"paused","Running":true,"Paused":true,"ExitCode":0})")
        << ContainerState::Paused << 0 << false << QString() << HealthStatus::None << 0 << QString()
        << QStringLiteral("paused");
    QTest::newRow("running unhealthy: streak and the last probe's output, trimmed")
        << QByteArray(R"({"Status":"running","Running":true,"ExitCode":0,
                          "Health":{"Status":"unhealthy","FailingStreak":4,
                                    "Log":[{"ExitCode":1,"Output":"curl: (7) Failed to connect\n"},
                                           {"ExitCode":1,
                                               "Output":"  HTTP 503 from /healthz\n"}]}})")
        << ContainerState::Running << 0 << false << QString() << HealthStatus::Unhealthy << 4
        << QStringLiteral("HTTP 503 from /healthz") << QStringLiteral("running (unhealthy)");
    QTest::newRow("running, health starting") << QByteArray(
        R"({"Status":"running","Running":true,"Health":{"Status":"starting","FailingStreak":0}})")
                                              << ContainerState::Running << 0 << false << QString()
                                              << HealthStatus::Starting << 0 << QString()
                                              << QStringLiteral("running (health: starting)");
    QTest::newRow("running healthy")
        << QByteArray(
               R"({"Status":"running","Running":true,"Health":{"Status":"healthy","FailingStreak":0,
                          "Log":[{"ExitCode":0,"Output":"ok\n"}]}})")
        << ContainerState::Running << 0 << false << QString() << HealthStatus::Healthy << 0
        << QStringLiteral("ok") << QStringLiteral("running");
    QTest::newRow("no Health: no healthcheck")
        << QByteArray(R"({"Status":"running","Running":true})") << ContainerState::Running << 0
        << false << QString() << HealthStatus::None << 0 << QString() << QStringLiteral("running");
    QTest::newRow("OOM killed") << QByteArray(
        R"({"Status":"exited","OOMKilled":true,"ExitCode":137})")
                                << ContainerState::Exited << 137 << true << QString()
                                << HealthStatus::None << 0 << QString()
                                << QStringLiteral("exited (137)");
    QTest::newRow("dead with an error")
        << QByteArray(
               R"({"Status":"dead","Dead":true,"ExitCode":128,
            "Error":"driver failed programming external connectivity"})")
        << ContainerState::Dead << 128 << false
        << QStringLiteral("driver failed programming external connectivity") << HealthStatus::None
        << 0 << QString() << QStringLiteral("dead");
    QTest::newRow("created, never started")
        << QByteArray(R"({"Status":"created","StartedAt":"0001-01-01T00:00:00Z"})")
        << ContainerState::Created << 0 << false << QString() << HealthStatus::None << 0
        << QString() << QStringLiteral("created");
    QTest::newRow("unknown Status word")
        << QByteArray(R"({"Status":"frozen","Running":true})") << ContainerState::Unknown << 0
        << false << QString() << HealthStatus::None << 0 << QString() << QStringLiteral("unknown");
    QTest::newRow("State null") << QByteArray("null") << ContainerState::Unknown << 0 << false
                                << QString() << HealthStatus::None << 0 << QString()
                                << QStringLiteral("unknown");
}

void tst_DockerParsers::inspectState()
{
    QFETCH(QByteArray, stateJson);
    const auto result =
        parseContainerInspect(inspectWith("\"State\":" + stateJson), QStringLiteral("h"));
    QVERIFY2(result.ok(), qPrintable(errorOf(result)));
    const Container &c = result.value();
    QTEST(c.state, "state");
    QTEST(c.exitCode, "exitCode");
    QTEST(c.oomKilled, "oomKilled");
    QTEST(c.error, "error");
    QTEST(c.health, "health");
    QTEST(c.healthFailingStreak, "failingStreak");
    QTEST(c.lastHealthOutput, "lastHealthOutput");
    QTEST(c.statusText, "statusText");
}

void tst_DockerParsers::inspectTimes_data()
{
    QTest::addColumn<QByteArray>("time"); // a JSON value
    QTest::addColumn<qint64>("ms");       // kInvalid: no time at all

    QTest::newRow("RFC 3339 nano from a live StartedAt")
        << QByteArray("\"2026-11-24T23:26:42.677217354Z\"") << utcMs(2026, 11, 24, 23, 26, 42, 677);
    QTest::newRow("RFC 3339 nano from a live FinishedAt")
        << QByteArray("\"2026-11-24T23:26:43.679708203Z\"") << utcMs(2026, 11, 24, 23, 26, 43, 679);
    QTest::newRow("whole seconds")
        << QByteArray("\"2026-11-24T23:26:42Z\"") << utcMs(2026, 11, 24, 23, 26, 42, 0);
    QTest::newRow("one fraction digit")
        << QByteArray("\"2026-11-24T23:26:42.5Z\"") << utcMs(2026, 11, 24, 23, 26, 42, 500);
    QTest::newRow("one nanosecond past the second")
        << QByteArray("\"2026-11-24T23:26:42.000000001Z\"") << utcMs(2026, 11, 24, 23, 26, 42, 0);
    QTest::newRow("last nanosecond of a second stays in that second")
        << QByteArray("\"2026-11-24T23:59:59.999999999Z\"") << utcMs(2026, 11, 24, 23, 59, 59, 999);
    QTest::newRow("fraction is cut, not rounded")
        << QByteArray("\"2026-11-24T23:26:42.123600000Z\"") << utcMs(2026, 11, 24, 23, 26, 42, 123);
    QTest::newRow("numeric offset") << QByteArray("\"2026-11-25T00:26:42.677217354+01:00\"")
                                    << utcMs(2026, 11, 24, 23, 26, 42, 677);
    QTest::newRow("zero time means never") << QByteArray("\"0001-01-01T00:00:00Z\"") << kInvalid;
    QTest::newRow("empty string") << QByteArray("\"\"") << kInvalid;
    QTest::newRow("null") << QByteArray("null") << kInvalid;
    QTest::newRow("not a time") << QByteArray("\"yesterday\"") << kInvalid;
    QTest::newRow("Unix seconds instead of text") << QByteArray("1795562800") << kInvalid;
}

void tst_DockerParsers::inspectTimes()
{
    QFETCH(QByteArray, time);
    QFETCH(qint64, ms);
    const auto result = parseContainerInspect(
        inspectWith("\"Created\":" + time + ",\"State\":{\"Status\":\"exited\",\"StartedAt\":"
                    + time + ",\"FinishedAt\":" + time + "}"),
        QStringLiteral("h"));
    QVERIFY2(result.ok(), qPrintable(errorOf(result)));
    // The fraction is cut, never rounded: Qt's ISO parser alone would round 42.9999 up to
    // 43.000, a second that had not begun yet.
    QCOMPARE(msOf(result.value().startedAt), ms);
    QCOMPARE(msOf(result.value().finishedAt), msOf(result.value().startedAt));
    QCOMPARE(msOf(result.value().createdAt), msOf(result.value().startedAt));
}

void tst_DockerParsers::inspectRestartPolicy_data()
{
    QTest::addColumn<QByteArray>("policy");
    QTest::addColumn<RestartPolicyKind>("kind");
    QTest::addColumn<int>("maximumRetryCount");

    QTest::newRow("on-failure with MaximumRetryCount")
        << QByteArray(R"({"Name":"on-failure","MaximumRetryCount":2})")
        << RestartPolicyKind::OnFailure << 2;
    QTest::newRow("on-failure without limit")
        << QByteArray(R"({"Name":"on-failure","MaximumRetryCount":0})")
        << RestartPolicyKind::OnFailure << 0;
    QTest::newRow("on-failure, negative count")
        << QByteArray(R"({"Name":"on-failure","MaximumRetryCount":-5})")
        << RestartPolicyKind::OnFailure << 0;
    QTest::newRow("always ignores the count")
        << QByteArray(R"({"Name":"always","MaximumRetryCount":7})") << RestartPolicyKind::Always
        << 0;
    QTest::newRow("unless-stopped")
        << QByteArray(R"({"Name":"unless-stopped","MaximumRetryCount":0})")
        << RestartPolicyKind::UnlessStopped << 0;
    QTest::newRow("no, as the CLI sends it")
        << QByteArray(R"({"Name":"no"})") << RestartPolicyKind::No << 0;
    QTest::newRow("empty name means no")
        << QByteArray(R"({"Name":"","MaximumRetryCount":0})") << RestartPolicyKind::No << 0;
    QTest::newRow("no RestartPolicy") << QByteArray("null") << RestartPolicyKind::No << 0;
    QTest::newRow("unknown name") << QByteArray(R"({"Name":"sometimes"})") << RestartPolicyKind::No
                                  << 0;
}

void tst_DockerParsers::inspectRestartPolicy()
{
    QFETCH(QByteArray, policy);
    const auto result = parseContainerInspect(
        inspectWith("\"HostConfig\":{\"RestartPolicy\":" + policy + "}"), QStringLiteral("h"));
    QVERIFY2(result.ok(), qPrintable(errorOf(result)));
    QTEST(result.value().restartPolicy.kind, "kind");
    QTEST(result.value().restartPolicy.maximumRetryCount, "maximumRetryCount");
}

void tst_DockerParsers::inspectPorts_data()
{
    QTest::addColumn<QByteArray>("ports"); // NetworkSettings.Ports
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("published on IPv4 and IPv6") << QByteArray(
        R"({"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"},{"HostIp":"::","HostPort":"8080"}]})")
                                                << QStringList{
                                                       QStringLiteral("0.0.0.0:8080->80/tcp"),
                                                       QStringLiteral(":::8080->80/tcp")};
    QTest::newRow("null binding: exposed, not published")
        << QByteArray(R"({"443/tcp":null})") << QStringList{QStringLiteral("443/tcp")};
    QTest::newRow("empty binding list")
        << QByteArray(R"({"53/udp":[]})") << QStringList{QStringLiteral("53/udp")};
    QTest::newRow("localhost only")
        << QByteArray(R"({"5432/tcp":[{"HostIp":"127.0.0.1","HostPort":"15432"}]})")
        << QStringList{QStringLiteral("127.0.0.1:15432->5432/tcp")};
    QTest::newRow("mixed, in key order") << QByteArray(
        R"({"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}],"443/tcp":null,"53/udp":[]})")
                                         << QStringList{QStringLiteral("443/tcp"),
                                                        QStringLiteral("53/udp"),
                                                        QStringLiteral("0.0.0.0:8080->80/tcp")};
    QTest::newRow("key without protocol is tcp")
        << QByteArray(R"({"8000":null})") << QStringList{QStringLiteral("8000/tcp")};
    QTest::newRow("Ports null: not running") << QByteArray("null") << QStringList();
    QTest::newRow("no ports") << QByteArray("{}") << QStringList();
}

void tst_DockerParsers::inspectPorts()
{
    QFETCH(QByteArray, ports);
    const auto result = parseContainerInspect(
        inspectWith("\"NetworkSettings\":{\"Ports\":" + ports + "}"), QStringLiteral("h"));
    QVERIFY2(result.ok(), qPrintable(errorOf(result)));
    QTEST(portsText(result.value().ports), "expected");
}

void tst_DockerParsers::inspectMounts_data()
{
    QTest::addColumn<QByteArray>("mounts");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("read-only bind")
        << QByteArray(
               R"([{"Type":"bind","Source":"/srv/data","Destination":"/data","Mode":"ro","RW":false,
            "Propagation":"rprivate"}])")
        << QStringList{QStringLiteral("bind||/srv/data|/data|ro|ro|named")};
    QTest::newRow("anonymous volume")
        << withVolume(
               R"([{"Type":"volume","Name":"%VOL%","Source":"/var/lib/docker/volumes/%VOL%/_data",
                           "Destination":"/var/lib/app","Driver":"local","Mode":"","RW":true}])")
        << QStringList{QStringLiteral(
                           "volume|%1|/var/lib/docker/volumes/%1/_data|/var/lib/app||rw|anonymous")
                           .arg(QLatin1String(kAnonymousVolume))};
    QTest::newRow("named volume") << QByteArray(
        R"([{"Type":"volume","Name":"pgdata","Source":"/var/lib/docker/volumes/pgdata/_data",
                           "Destination":"/var/lib/postgresql/data","Driver":"local",
                               "Mode":"z","RW":true}])")
                                  << QStringList{QStringLiteral(
                                         "volume|pgdata|/var/lib/docker/volumes/pgdata/_data|/var/"
                                         "lib/postgresql/data|z|rw|named")};
    QTest::newRow("tmpfs, RW missing means read-write")
        << QByteArray(R"([{"Type":"tmpfs","Destination":"/run"}])")
        << QStringList{QStringLiteral("tmpfs|||/run||rw|named")};
    QTest::newRow("order kept") << QByteArray(
        R"([{"Type":"bind","Source":"/b","Destination":"/b"},{"Type":"bind","Source":"/a",
            "Destination":"/a"}])")
                                << QStringList{QStringLiteral("bind||/b|/b||rw|named"),
                                               QStringLiteral("bind||/a|/a||rw|named")};
    QTest::newRow("no mounts") << QByteArray("[]") << QStringList();
    QTest::newRow("Mounts null") << QByteArray("null") << QStringList();
}

void tst_DockerParsers::inspectMounts()
{
    QFETCH(QByteArray, mounts);
    const auto result =
        parseContainerInspect(inspectWith("\"Mounts\":" + mounts), QStringLiteral("h"));
    QVERIFY2(result.ok(), qPrintable(errorOf(result)));
    QTEST(mountsText(result.value().mounts), "expected");
}

void tst_DockerParsers::inspectCommandAndNetworks_data()
{
    QTest::addColumn<QByteArray>("members");
    QTest::addColumn<QString>("command");
    QTest::addColumn<QStringList>("networks");
    QTest::addColumn<bool>("tty");

    QTest::newRow("Path and Args, two networks in key order")
        << QByteArray(R"("Path":"/docker-entrypoint.sh","Args":["nginx","-g","daemon off;"],
                         "NetworkSettings":{"Networks":{"frontend":{},"backend":{}}},
                             "HostConfig":{"NetworkMode":"frontend"})")
        << QStringLiteral("/docker-entrypoint.sh nginx -g daemon off;")
        << QStringList{QStringLiteral("backend"), QStringLiteral("frontend")} << false;
    QTest::newRow("no Args; NetworkMode host when Networks is empty")
        << QByteArray(
               R"("Path":"/bin/server","Args":[],"NetworkSettings":{"Networks":{}},
            "HostConfig":{"NetworkMode":"host"},
                         "Config":{"Tty":true})")
        << QStringLiteral("/bin/server") << QStringList{QStringLiteral("host")} << true;
    QTest::newRow("no Path, no networks at all")
        << QByteArray(R"("Args":["sleep","1"])") << QStringLiteral("sleep 1") << QStringList()
        << false;
}

void tst_DockerParsers::inspectCommandAndNetworks()
{
    QFETCH(QByteArray, members);
    const auto result = parseContainerInspect(inspectWith(members), QStringLiteral("h"));
    QVERIFY2(result.ok(), qPrintable(errorOf(result)));
    QTEST(result.value().command, "command");
    QTEST(result.value().networks, "networks");
    QTEST(result.value().tty, "tty");
}

void tst_DockerParsers::inspectMalformed_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");

    QTest::newRow("not JSON") << QByteArray("Not Found\n")
                              << QStringLiteral("malformed container inspect JSON");
    QTest::newRow("truncated JSON") << kInspectExited.left(kInspectExited.size() / 2)
                                    << QStringLiteral("malformed container inspect JSON");
    QTest::newRow("empty body") << QByteArray()
                                << QStringLiteral("malformed container inspect JSON");
    QTest::newRow("list instead of object")
        << QByteArray(R"([{"Id":"c3258701dd97"}])")
        << QStringLiteral("container inspect: expected a JSON object");
    QTest::newRow("404 answer has no Id") << QByteArray(R"({"message":"No such container: web9"})")
                                          << QStringLiteral("container inspect: no Id");
    QTest::newRow("Id is not a string")
        << QByteArray(R"({"Id":7,"Name":"/x"})") << QStringLiteral("container inspect: no Id");
}

void tst_DockerParsers::inspectMalformed()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    const auto result = parseContainerInspect(json, QStringLiteral("h"));
    QVERIFY(!result.ok());
    QVERIFY2(result.error().startsWith(error), qPrintable(errorOf(result)));
}

// --- GET /events ----------------------------------------------------------------------------

void tst_DockerParsers::dockerEvent_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("actionDetail");
    QTest::addColumn<QString>("actorId");
    QTest::addColumn<QMap<QString, QString>>("attributes");
    QTest::addColumn<qint64>("timeNano");
    QTest::addColumn<ContainerEventKind>("kind");

    using Attrs = QMap<QString, QString>;
    QTest::newRow("die, as observed on 20.10") << QByteArray(
        R"({"status":"die","id":"d5bf0a1b","from":"refbox:v1","Type":"container","Action":"die",
            "Actor":{"ID":"d5bf0a1b","Attributes":{"exitCode":"3","image":"refbox:v1",
                "name":"crash1"}},
            "scope":"local","time":1795562800,"timeNano":1795562800974938463})")
                                               << QStringLiteral("container")
                                               << QStringLiteral("die") << QString()
                                               << QStringLiteral("d5bf0a1b")
                                               << Attrs{{QStringLiteral("exitCode"),
                                                         QStringLiteral("3")},
                                                        {QStringLiteral("image"),
                                                         QStringLiteral("refbox:v1")},
                                                        {QStringLiteral("name"),
                                                         QStringLiteral("crash1")}}
                                               << Q_INT64_C(1795562800974938463)
                                               << ContainerEventKind::Die;
    QTest::newRow("health_status: healthy splits into action and detail")
        << QByteArray(
               R"({"status":"health_status: healthy","id":"ee01","Type":"container",
            "Action":"health_status: healthy",
            "Actor":{"ID":"ee01","Attributes":{"image":"api:v2","name":"api","opsdeck.role":"api"}},
            "scope":"local","time":1795562900,"timeNano":1795562900000000001})")
        << QStringLiteral("container") << QStringLiteral("health_status")
        << QStringLiteral("healthy") << QStringLiteral("ee01")
        << Attrs{{QStringLiteral("image"), QStringLiteral("api:v2")},
                 {QStringLiteral("name"), QStringLiteral("api")},
                 {QStringLiteral("opsdeck."
                                 "role"),
                  QStringLiteral("api")}}
        << Q_INT64_C(1795562900000000001) << ContainerEventKind::HealthStatus;
    QTest::newRow("health_status: unhealthy")
        << QByteArray(
               R"({"Type":"container","Action":"health_status: unhealthy","Actor":{"ID":"ee01",
            "Attributes":{}},
            "time":1795562901,"timeNano":1795562901500000000})")
        << QStringLiteral("container") << QStringLiteral("health_status")
        << QStringLiteral("unhealthy") << QStringLiteral("ee01") << Attrs()
        << Q_INT64_C(1795562901500000000) << ContainerEventKind::HealthStatus;
    QTest::newRow("exec_start: detail keeps later separators")
        << QByteArray(R"({"Type":"container","Action":"exec_start: sh -c 'echo a: b'",
            "Actor":{"ID":"ee01","Attributes":{"execID":"9a8b"}},"timeNano":1795562902000000000})")
        << QStringLiteral("container") << QStringLiteral("exec_start")
        << QStringLiteral("sh -c 'echo a: b'") << QStringLiteral("ee01")
        << Attrs{{QStringLiteral("execID"), QStringLiteral("9a8b")}}
        << Q_INT64_C(1795562902000000000) << ContainerEventKind::Other;
    QTest::newRow("kill carries the signal") << QByteArray(
        R"({"Type":"container","Action":"kill","Actor":{"ID":"ee01","Attributes":{"name":"api",
            "signal":"15"}},
            "time":1795562903,"timeNano":1795562903000000042})")
                                             << QStringLiteral("container")
                                             << QStringLiteral("kill") << QString()
                                             << QStringLiteral("ee01")
                                             << Attrs{{QStringLiteral("name"),
                                                       QStringLiteral("api")},
                                                      {QStringLiteral("signal"),
                                                       QStringLiteral("15")}}
                                             << Q_INT64_C(1795562903000000042)
                                             << ContainerEventKind::Kill;
    QTest::newRow("rename keeps oldName's slash")
        << QByteArray(
               R"({"Type":"container","Action":"rename","Actor":{"ID":"ff02",
            "Attributes":{"name":"svc","oldName":"/svc-next"}},
            "timeNano":1795562904000000000})")
        << QStringLiteral("container") << QStringLiteral("rename") << QString()
        << QStringLiteral("ff02")
        << Attrs{{QStringLiteral("name"), QStringLiteral("svc")},
                 {QStringLiteral("oldName"), QStringLiteral("/svc-next")}}
        << Q_INT64_C(1795562904000000000) << ContainerEventKind::Other;
    QTest::newRow("no timeNano: time in seconds")
        << QByteArray(
               R"({"Type":"network","Action":"connect","Actor":{"ID":"net1",
            "Attributes":{"container":"ee01"}},"time":1795562905})")
        << QStringLiteral("network") << QStringLiteral("connect") << QString()
        << QStringLiteral("net1") << Attrs{{QStringLiteral("container"), QStringLiteral("ee01")}}
        << Q_INT64_C(1795562905000000000) << ContainerEventKind::Other;
    QTest::newRow("timeNano wins over time")
        << QByteArray(
               R"({"Type":"container","Action":"start","Actor":{"ID":"d5bf"},"time":1,
            "timeNano":1795562906123456789})")
        << QStringLiteral("container") << QStringLiteral("start") << QString()
        << QStringLiteral("d5bf") << Attrs() << Q_INT64_C(1795562906123456789)
        << ContainerEventKind::Start;
    QTest::newRow("image pull, no Actor attributes")
        << QByteArray(
               R"({"Type":"image","Action":"pull","Actor":{"ID":"refbox:v2"},
            "timeNano":1795562907000000000})")
        << QStringLiteral("image") << QStringLiteral("pull") << QString()
        << QStringLiteral("refbox:v2") << Attrs() << Q_INT64_C(1795562907000000000)
        << ContainerEventKind::Other;
    QTest::newRow("no time at all")
        << QByteArray(
               R"({"Type":"daemon","Action":"reload","Actor":{"ID":"host1","Attributes":{}}})")
        << QStringLiteral("daemon") << QStringLiteral("reload") << QString()
        << QStringLiteral("host1") << Attrs() << qint64(0) << ContainerEventKind::Other;
}

void tst_DockerParsers::dockerEvent()
{
    QFETCH(QByteArray, line);
    QFETCH(qint64, timeNano);
    const auto result = parseDockerEvent(line);
    QVERIFY2(result.ok(), qPrintable(errorOf(result)));
    const DockerEvent &e = result.value();
    QTEST(e.type, "type");
    QTEST(e.action, "action");
    QTEST(e.actionDetail, "actionDetail");
    QTEST(e.actorId, "actorId");
    QTEST(e.attributes, "attributes");
    QCOMPARE(e.timeNano, timeNano);
    QCOMPARE(e.timeMs(), timeNano / 1'000'000);
    QTEST(e.containerEventKind(), "kind");
}

void tst_DockerParsers::dockerEventKind_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<ContainerEventKind>("kind");

    QTest::newRow("create") << QStringLiteral("create") << ContainerEventKind::Create;
    QTest::newRow("start") << QStringLiteral("start") << ContainerEventKind::Start;
    QTest::newRow("die") << QStringLiteral("die") << ContainerEventKind::Die;
    QTest::newRow("kill") << QStringLiteral("kill") << ContainerEventKind::Kill;
    QTest::newRow("stop") << QStringLiteral("stop") << ContainerEventKind::Stop;
    QTest::newRow("restart") << QStringLiteral("restart") << ContainerEventKind::Restart;
    QTest::newRow("oom") << QStringLiteral("oom") << ContainerEventKind::Oom;
    QTest::newRow("health_status: healthy")
        << QStringLiteral("health_status: healthy") << ContainerEventKind::HealthStatus;
    QTest::newRow("destroy") << QStringLiteral("destroy") << ContainerEventKind::Destroy;
    QTest::newRow("exec_die is not die") << QStringLiteral("exec_die") << ContainerEventKind::Other;
    QTest::newRow("pause") << QStringLiteral("pause") << ContainerEventKind::Other;
    QTest::newRow("case matters") << QStringLiteral("Die") << ContainerEventKind::Other;
}

void tst_DockerParsers::dockerEventKind()
{
    QFETCH(QString, action);
    const QByteArray line =
        R"({"Type":"container","Action":")" + action.toUtf8()
        + R"(","Actor":{"ID":"d5bf","Attributes":{}},"timeNano":1795562800974938463})";
    const auto result = parseDockerEvent(line);
    QVERIFY2(result.ok(), qPrintable(errorOf(result)));
    QTEST(result.value().containerEventKind(), "kind");
}

void tst_DockerParsers::dockerEventMalformed_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("error");

    QTest::newRow("not JSON") << QByteArray("HTTP/1.1 500 Internal Server Error")
                              << QStringLiteral("malformed event JSON");
    QTest::newRow("truncated line")
        << QByteArray(R"({"Type":"container","Action":"die","Actor":{"ID":"d5bf)")
        << QStringLiteral("malformed event JSON");
    QTest::newRow("empty line") << QByteArray() << QStringLiteral("malformed event JSON");
    QTest::newRow("array") << QByteArray(R"([{"Type":"container","Action":"die"}])")
                           << QStringLiteral("event: expected a JSON object");
    QTest::newRow("no Type") << QByteArray(R"({"Action":"die","Actor":{"ID":"d5bf"}})")
                             << QStringLiteral("event: no Type or Action");
    QTest::newRow("no Action") << QByteArray(R"({"Type":"container","Actor":{"ID":"d5bf"}})")
                               << QStringLiteral("event: no Type or Action");
    QTest::newRow("Action is only a detail")
        << QByteArray(R"({"Type":"container","Action":": healthy"})")
        << QStringLiteral("event: no Type or Action");
    QTest::newRow("legacy-only event (status/id/from)")
        << QByteArray(R"({"status":"die","id":"d5bf","from":"refbox:v1","time":1795562800})")
        << QStringLiteral("event: no Type or Action");
}

void tst_DockerParsers::dockerEventMalformed()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, error);
    const auto result = parseDockerEvent(line);
    QVERIFY(!result.ok());
    QVERIFY2(result.error().startsWith(error), qPrintable(errorOf(result)));
}

// --- GET /containers/{id}/stats --------------------------------------------------------------

namespace {

/// A one-shot stats answer (precpu zeroed, as with one-shot=true).
QByteArray statsJson(const QByteArray &read,
                     quint64 total,
                     quint64 system,
                     const QByteArray &cpuExtra,
                     const QByteArray &memory,
                     int pids = 3)
{
    return "{\"read\":\"" + read
           + "\",\"preread\":\"0001-01-01T00:00:00Z\",\"id\":\"c3258701dd97\",\"name\":\"/web1\","
           + "\"num_procs\":0,\"pids_stats\":{\"current\":" + QByteArray::number(pids) + "},"
           + "\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":" + QByteArray::number(total)
           + ",\"usage_in_kernelmode\":10000000,\"usage_in_usermode\":20000000" + cpuExtra + "},"
           + "\"system_cpu_usage\":" + QByteArray::number(system) + ",\"online_cpus\":"
           + (cpuExtra.isEmpty() ? QByteArray("2") : QByteArray("0")) + ",\"throttling_data\":{}},"
           + "\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":0},\"throttling_data\":{}},"
           + "\"memory_stats\":" + memory + ",\"blkio_stats\":{},\"storage_stats\":{}}";
}

const QByteArray kMemV1 = R"({"usage":10485760,"max_usage":12582912,"failcnt":0,"limit":33554432,
    "stats":{"cache":3145728,"rss":6291456,"inactive_file":1048576,
        "total_inactive_file":2097152}})";
const QByteArray kMemV2 =
    R"({"usage":5246976,"limit":8254586880,"stats":{"anon":3000000,"file":2000000,
        "inactive_file":1200128}})";

} // namespace

void tst_DockerParsers::statsSample_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<qint64>("readMs");
    QTest::addColumn<quint64>("cpuTotalNs");
    QTest::addColumn<quint64>("systemCpuNs");
    QTest::addColumn<int>("onlineCpus");
    QTest::addColumn<quint64>("memoryUsed");
    QTest::addColumn<quint64>("memoryLimit");
    QTest::addColumn<int>("pids");

    QTest::newRow("cgroup v1: usage minus total_inactive_file")
        << statsJson(
               "2026-11-24T23:27:14.865292594Z", 1200000000, 102000000000, QByteArray(), kMemV1)
        << utcMs(2026, 11, 24, 23, 27, 14, 865) << quint64(1200000000) << quint64(102000000000) << 2
        << quint64(10485760 - 2097152) << quint64(33554432) << 3;
    QTest::newRow("cgroup v2: usage minus inactive_file")
        << statsJson("2026-11-24T23:27:15.5Z", 7, 9, QByteArray(), kMemV2, 12)
        << utcMs(2026, 11, 24, 23, 27, 15, 500) << quint64(7) << quint64(9) << 2
        << quint64(5246976 - 1200128) << quint64(8254586880) << 12;
    QTest::newRow("online_cpus 0: count percpu_usage")
        << statsJson("2026-11-24T23:27:16Z", 5, 6, ",\"percpu_usage\":[1,2,3,4]", kMemV2)
        << utcMs(2026, 11, 24, 23, 27, 16, 0) << quint64(5) << quint64(6) << 4
        << quint64(5246976 - 1200128) << quint64(8254586880) << 3;
    QTest::newRow("inactive file above usage: usage as is")
        << statsJson("2026-11-24T23:27:17Z",
                     1,
                     2,
                     QByteArray(),
                     R"({"usage":1000,"limit":0,"stats":{"inactive_file":4096}})")
        << utcMs(2026, 11, 24, 23, 27, 17, 0) << quint64(1) << quint64(2) << 2 << quint64(1000)
        << quint64(0) << 3;
    QTest::newRow("stopped container: zero read time, zeros")
        << QByteArray(
               R"({"read":"0001-01-01T00:00:00Z","preread":"0001-01-01T00:00:00Z","pids_stats":{},
                          "cpu_stats":{"cpu_usage":{"total_usage":0},"throttling_data":{}},
                              "precpu_stats":{},"memory_stats":{}})")
        << qint64(0) << quint64(0) << quint64(0) << 0 << quint64(0) << quint64(0) << 0;
}

void tst_DockerParsers::statsSample()
{
    QFETCH(QByteArray, json);
    const auto result = parseDockerStats(json);
    QVERIFY2(result.ok(), qPrintable(errorOf(result)));
    const DockerStatsSample &s = result.value();
    QTEST(s.readMs, "readMs");
    QTEST(s.cpuTotalNs, "cpuTotalNs");
    QTEST(s.systemCpuNs, "systemCpuNs");
    QTEST(s.onlineCpus, "onlineCpus");
    QTEST(s.memoryUsed, "memoryUsed");
    QTEST(s.memoryLimit, "memoryLimit");
    QTEST(s.pids, "pids");
}

void tst_DockerParsers::statsMalformed_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");

    QTest::newRow("not JSON") << QByteArray("Bad Gateway")
                              << QStringLiteral("malformed stats JSON");
    QTest::newRow("truncated JSON") << kMemV1.left(30) << QStringLiteral("malformed stats JSON");
    QTest::newRow("array") << QByteArray("[]") << QStringLiteral("stats: expected a JSON object");
}

void tst_DockerParsers::statsMalformed()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    const auto result = parseDockerStats(json);
    QVERIFY(!result.ok());
    QVERIFY2(result.error().startsWith(error), qPrintable(errorOf(result)));
}

void tst_DockerParsers::cpuAndMemory_data()
{
    QTest::addColumn<QByteArray>("previous"); // empty: no earlier sample
    QTest::addColumn<QByteArray>("current");
    QTest::addColumn<bool>("cpuKnown");
    QTest::addColumn<double>("cpuPercent");
    QTest::addColumn<quint64>("memoryUsed");
    QTest::addColumn<double>("memoryPercent");
    QTest::addColumn<int>("pids");

    const QByteArray t0 = "2026-11-24T23:27:14.000000000Z";
    const QByteArray t1 = "2026-11-24T23:27:15.000000000Z";
    // cpu_delta 0.2 s over system_delta 2 s, 2 CPUs: 0.2 / 2 * 2 * 100 = 20 %.
    QTest::newRow("two samples, 2 CPUs")
        << statsJson(t0, 1000000000, 100000000000, QByteArray(), kMemV1)
        << statsJson(t1, 1200000000, 102000000000, QByteArray(), kMemV1) << true << 20.0
        << quint64(10485760 - 2097152) << 25.0 << 3;
    QTest::newRow("two samples, 4 CPUs from percpu_usage")
        << statsJson(t0, 1000000000, 100000000000, ",\"percpu_usage\":[1,2,3,4]", kMemV1)
        << statsJson(t1, 1500000000, 104000000000, ",\"percpu_usage\":[1,2,3,4]", kMemV1) << true
        << 50.0 << quint64(10485760 - 2097152) << 25.0 << 3;
    QTest::newRow("idle container") << statsJson(t0, 1000000000, 100000000000, QByteArray(), kMemV1)
                                    << statsJson(t1, 1000000000, 102000000000, QByteArray(), kMemV1)
                                    << true << 0.0 << quint64(10485760 - 2097152) << 25.0 << 3;
    QTest::newRow("first sample: cpu unknown")
        << QByteArray() << statsJson(t1, 1200000000, 102000000000, QByteArray(), kMemV1) << false
        << 0.0 << quint64(10485760 - 2097152) << 25.0 << 3;
    QTest::newRow("same read time: cpu unknown")
        << statsJson(t1, 1000000000, 100000000000, QByteArray(), kMemV1)
        << statsJson(t1, 1200000000, 102000000000, QByteArray(), kMemV1) << false << 0.0
        << quint64(10485760 - 2097152) << 25.0 << 3;
    QTest::newRow("system counter did not move: cpu unknown")
        << statsJson(t0, 1000000000, 100000000000, QByteArray(), kMemV1)
        << statsJson(t1, 1200000000, 100000000000, QByteArray(), kMemV1) << false << 0.0
        << quint64(10485760 - 2097152) << 25.0 << 3;
    QTest::newRow("cpu counter went back (container restarted): cpu unknown")
        << statsJson(t0, 1000000000, 100000000000, QByteArray(), kMemV1)
        << statsJson(t1, 5000000, 102000000000, QByteArray(), kMemV1) << false << 0.0
        << quint64(10485760 - 2097152) << 25.0 << 3;
    QTest::newRow("previous was a stopped container: cpu unknown")
        << QByteArray(
               R"({"read":"0001-01-01T00:00:00Z","cpu_stats":{"cpu_usage":{"total_usage":0}}})")
        << statsJson(t1, 1200000000, 102000000000, QByteArray(), kMemV1) << false << 0.0
        << quint64(10485760 - 2097152) << 25.0 << 3;
    QTest::newRow("no memory limit: 0 %")
        << statsJson(t0, 1, 1000, QByteArray(), R"({"usage":4096,"limit":0,"stats":{}})", 1)
        << statsJson(t1, 11, 1100, QByteArray(), R"({"usage":8192,"limit":0,"stats":{}})", 1)
        << true << 20.0 << quint64(8192) << 0.0 << 1;
}

void tst_DockerParsers::cpuAndMemory()
{
    QFETCH(QByteArray, previous);
    QFETCH(QByteArray, current);
    DockerStatsSample before;
    if (!previous.isEmpty()) {
        const auto parsed = parseDockerStats(previous);
        QVERIFY2(parsed.ok(), qPrintable(errorOf(parsed)));
        before = parsed.value();
    }
    const auto now = parseDockerStats(current);
    QVERIFY2(now.ok(), qPrintable(errorOf(now)));
    const ContainerStats s = Opsdeck::Connectors::computeStats(before, now.value());
    QTEST(s.cpuKnown, "cpuKnown");
    QTEST(s.cpuPercent, "cpuPercent");
    QTEST(s.memoryUsed, "memoryUsed");
    QCOMPARE(s.memoryLimit, now.value().memoryLimit);
    QTEST(s.memoryPercent, "memoryPercent");
    QTEST(s.pids, "pids");
}

// --- JsonLineSplitter -----------------------------------------------------------------------

void tst_DockerParsers::lineSplitter_data()
{
    QTest::addColumn<QByteArrayList>("chunks");
    QTest::addColumn<QByteArrayList>("lines"); // all lines, in order, over all feeds

    const QByteArray a = R"({"Type":"container","Action":"die","timeNano":1})";
    const QByteArray b = R"({"Type":"container","Action":"start","timeNano":2})";
    QTest::newRow("one line, one chunk") << QByteArrayList{a + '\n'} << QByteArrayList{a};
    QTest::newRow("line split across three chunks")
        << QByteArrayList{a.left(5), a.mid(5, 20), a.mid(25) + '\n'} << QByteArrayList{a};
    QTest::newRow("newline alone in the next chunk")
        << QByteArrayList{a, "\n"} << QByteArrayList{a};
    QTest::newRow("several lines in one chunk")
        << QByteArrayList{a + '\n' + b + '\n' + a + '\n'} << QByteArrayList{a, b, a};
    QTest::newRow("second line split, completed later")
        << QByteArrayList{a + '\n' + b.left(10), b.mid(10) + '\n'} << QByteArrayList{a, b};
    QTest::newRow("empty and blank lines skipped")
        << QByteArrayList{"\n\n", a + "\n   \n\t\n", "\n" + b + '\n'} << QByteArrayList{a, b};
    QTest::newRow("CRLF and spaces trimmed")
        << QByteArrayList{"  " + a + " \r\n"} << QByteArrayList{a};
    QTest::newRow("unterminated last line held back")
        << QByteArrayList{a + '\n' + b} << QByteArrayList{a};
    QTest::newRow("nothing") << QByteArrayList{QByteArray()} << QByteArrayList();
}

void tst_DockerParsers::lineSplitter()
{
    QFETCH(QByteArrayList, chunks);
    JsonLineSplitter splitter;
    QByteArrayList got;
    for (const QByteArray &chunk : chunks)
        got += splitter.feed(chunk);
    QTEST(got, "lines");
    QCOMPARE(splitter.feed(QByteArray()), QByteArrayList()); // nothing left over was complete
}

void tst_DockerParsers::lineSplitterDropsAnOverlongLine()
{
    const QByteArray next = R"({"Type":"container","Action":"start","timeNano":2})";
    JsonLineSplitter splitter;
    QCOMPARE(splitter.feed(QByteArray(JsonLineSplitter::kMaxLine, 'x')), QByteArrayList());
    QCOMPARE(splitter.feed("xxxx"), QByteArrayList()); // past kMaxLine: dropped
    QCOMPARE(splitter.feed("more of the same line"), QByteArrayList());
    // The line's tail is dropped too; the stream goes on after its newline.
    QCOMPARE(splitter.feed("xxxx\n" + next + '\n'), QByteArrayList{next});
    QCOMPARE(splitter.feed(next + '\n'), QByteArrayList{next});
}

// --- LogStreamDecoder -----------------------------------------------------------------------

void tst_DockerParsers::logStream_data()
{
    QTest::addColumn<bool>("tty");
    QTest::addColumn<QByteArrayList>("chunks");
    QTest::addColumn<QStringList>("lines"); // what feed() returned, over all chunks
    QTest::addColumn<QStringList>("rest");  // what finish() returned

    const QByteArray observed = "2026-11-24T23:27:14.865292594Z out-line\n";
    QTest::newRow("observed stdout frame, 01 00 00 00 00 00 00 28")
        << false << QByteArrayList{QByteArray::fromHex("0100000000000028") + observed}
        << QStringList{QStringLiteral("out:2026-11-24T23:27:14.865292594Z out-line")}
        << QStringList();
    QTest::newRow("stdout then stderr")
        << false << QByteArrayList{frame(1, "to stdout\n") + frame(2, "to stderr\n")}
        << QStringList{QStringLiteral("out:to stdout"), QStringLiteral("err:to stderr")}
        << QStringList();
    QTest::newRow("several lines in one frame, blank one kept")
        << false << QByteArrayList{frame(1, "one\n\nthree\n")}
        << QStringList{QStringLiteral("out:one"),
                       QStringLiteral("out:"),
                       QStringLiteral("out:three")}
        << QStringList();
    QTest::newRow("line split across two frames")
        << false << QByteArrayList{frame(1, "hel") + frame(1, "lo\nwor"), frame(1, "ld\n")}
        << QStringList{QStringLiteral("out:hello"), QStringLiteral("out:world")} << QStringList();
    QTest::newRow("stdout and stderr partials kept apart")
        << false << QByteArrayList{frame(1, "ab") + frame(2, "cd\n") + frame(1, "ef\n")}
        << QStringList{QStringLiteral("err:cd"), QStringLiteral("out:abef")} << QStringList();
    QTest::newRow("header split across chunks")
        << false << QByteArrayList{frame(2, "warn\n").left(3), frame(2, "warn\n").mid(3)}
        << QStringList{QStringLiteral("err:warn")} << QStringList();
    QTest::newRow("payload split across chunks")
        << false << QByteArrayList{frame(1, "abcdef\n").left(10), frame(1, "abcdef\n").mid(10)}
        << QStringList{QStringLiteral("out:abcdef")} << QStringList();
    QTest::newRow("empty frame") << false
                                 << QByteArrayList{frame(1, QByteArray()) + frame(1, "x\n")}
                                 << QStringList{QStringLiteral("out:x")} << QStringList();
    QTest::newRow("stdin frame") << false << QByteArrayList{frame(0, "typed\n")}
                                 << QStringList{QStringLiteral("in:typed")} << QStringList();
    QTest::newRow("CRLF inside a frame") << false << QByteArrayList{frame(1, "dos\r\n")}
                                         << QStringList{QStringLiteral("out:dos")} << QStringList();
    QTest::newRow("UTF-8 character split across frames")
        << false
        << QByteArrayList{frame(1, QByteArray("gr\xc3")),
                          frame(1,
                                QByteArray("\xbc\xc3\x9f"
                                           "e\n"))}
        << QStringList{QStringLiteral("out:gr") + QChar(0xfc) + QChar(0xdf) + QLatin1Char('e')}
        << QStringList();
    QTest::newRow("partial line waits for finish")
        << false << QByteArrayList{frame(1, "done\nno newline")}
        << QStringList{QStringLiteral("out:done")} << QStringList{QStringLiteral("out:no newline")};
    QTest::newRow("finish flushes stdin, stdout, stderr in that order")
        << false << QByteArrayList{frame(2, "e") + frame(1, "o") + frame(0, "i")} << QStringList()
        << QStringList{QStringLiteral("in:i"), QStringLiteral("out:o"), QStringLiteral("err:e")};
    QTest::newRow("incomplete frame at the end is not a line")
        << false << QByteArrayList{frame(1, "whole\n") + frame(1, "cut off\n").left(12)}
        << QStringList{QStringLiteral("out:whole")} << QStringList();
    QTest::newRow("tty: raw with CRLF, as observed")
        << true << QByteArrayList{"hello-tty\r\n"} << QStringList{QStringLiteral("out:hello-tty")}
        << QStringList();
    QTest::newRow("tty: line split across chunks, CR and LF apart")
        << true << QByteArrayList{"hel", "lo\r", "\nwor", "ld"}
        << QStringList{QStringLiteral("out:hello")} << QStringList{QStringLiteral("out:world")};
    QTest::newRow("tty: header-like bytes are text") << true
                                                     << QByteArrayList{QByteArray("\x02"
                                                                                  "abc\n",
                                                                                  5)}
                                                     << QStringList{QStringLiteral("out:\x02"
                                                                                   "abc")}
                                                     << QStringList();
}

void tst_DockerParsers::logStream()
{
    QFETCH(bool, tty);
    QFETCH(QByteArrayList, chunks);
    LogStreamDecoder decoder(tty);
    QList<LogLine> got;
    for (const QByteArray &chunk : chunks) {
        const auto result = decoder.feed(chunk);
        QVERIFY2(result.ok(), qPrintable(errorOf(result)));
        got += result.value();
    }
    QTEST(linesText(got), "lines");
    QTEST(linesText(decoder.finish()), "rest");
}

void tst_DockerParsers::logFrameSplitAtEveryOffset()
{
    const QByteArray stream =
        frame(1, "first line\nsecond ") + frame(2, "oops\n") + frame(1, "line\n");
    const QStringList expected{QStringLiteral("out:first line"),
                               QStringLiteral("err:oops"),
                               QStringLiteral("out:second line")};

    auto decode = [](const QByteArrayList &chunks) {
        LogStreamDecoder decoder;
        QList<LogLine> lines;
        for (const QByteArray &chunk : chunks) {
            const auto result = decoder.feed(chunk);
            if (!result.ok())
                return QStringList{QStringLiteral("error: ") + result.error()};
            lines += result.value();
        }
        lines += decoder.finish();
        return linesText(lines);
    };

    for (qsizetype i = 0; i <= stream.size(); ++i) {
        const QStringList got = decode({stream.left(i), stream.mid(i)});
        QVERIFY2(
            got == expected,
            qPrintable(QStringLiteral("split at %1: %2").arg(i).arg(got.join(QLatin1Char('|')))));
    }
    for (qsizetype i = 0; i <= stream.size(); ++i) {
        for (qsizetype j = i; j <= stream.size(); ++j) {
            const QStringList got = decode({stream.left(i), stream.mid(i, j - i), stream.mid(j)});
            QVERIFY2(got == expected,
                     qPrintable(QStringLiteral("split at %1 and %2: %3")
                                    .arg(i)
                                    .arg(j)
                                    .arg(got.join(QLatin1Char('|')))));
        }
    }
    QByteArrayList bytes;
    for (const char c : stream)
        bytes << QByteArray(1, c);
    QCOMPARE(decode(bytes), expected);
}

void tst_DockerParsers::logBadHeader_data()
{
    QTest::addColumn<QByteArrayList>("chunks");
    QTest::addColumn<int>("failingChunk");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QStringList>("linesBefore");    // from the chunks before the failing one
    QTest::addColumn<QStringList>("linesInFailing"); // decoded ahead of the bad header

    const QByteArray good = frame(1, "fine\n"); // 13 bytes
    const QStringList none;
    const QStringList fine{QStringLiteral("out:fine")};
    QTest::newRow("stream byte 7")
        << QByteArrayList{QByteArray::fromHex("0700000000000004") + "oops"} << 0
        << QStringLiteral("log stream: bad frame header at byte 0 (stream 7)") << none << none;
    QTest::newRow("non-zero padding byte 1")
        << QByteArrayList{QByteArray::fromHex("0101000000000002") + "x\n"} << 0
        << QStringLiteral("log stream: bad frame header at byte 0 (stream 1)") << none << none;
    QTest::newRow("non-zero padding byte 3")
        << QByteArrayList{QByteArray::fromHex("0200000100000002") + "x\n"} << 0
        << QStringLiteral("log stream: bad frame header at byte 0 (stream 2)") << none << none;
    QTest::newRow("tty output read as frames")
        << QByteArrayList{"hello-tty\r\n"} << 0
        << QStringLiteral("log stream: bad frame header at byte 0 (stream 104)") << none << none;
    QTest::newRow("after a good frame in the same chunk")
        << QByteArrayList{good + QByteArray::fromHex("0700000000000000")} << 0
        << QStringLiteral("log stream: bad frame header at byte 13 (stream 7)") << none << fine;
    QTest::newRow("in a later chunk")
        << QByteArrayList{good, QByteArray::fromHex("0300000000000000")} << 1
        << QStringLiteral("log stream: bad frame header at byte 13 (stream 3)") << fine << none;
    QTest::newRow("bad header completed by a later chunk")
        << QByteArrayList{good + QByteArray::fromHex("070000"),
                          QByteArray::fromHex("0000000001") + "x"}
        << 1 << QStringLiteral("log stream: bad frame header at byte 13 (stream 7)") << fine
        << none;
    QTest::newRow("frame length beyond any log line")
        << QByteArrayList{QByteArray::fromHex("01000000ffffffff") + "x"} << 0
        << QStringLiteral(
               "log stream: frame of 4294967295 bytes at byte 0 is larger than any log line")
        << none << none;
}

void tst_DockerParsers::logBadHeader()
{
    QFETCH(QByteArrayList, chunks);
    QFETCH(int, failingChunk);
    QFETCH(QString, error);
    QFETCH(QStringList, linesInFailing);
    LogStreamDecoder decoder;
    QList<LogLine> before;
    for (int i = 0; i < failingChunk; ++i) {
        const auto result = decoder.feed(chunks.at(i));
        QVERIFY2(result.ok(), qPrintable(errorOf(result)));
        before += result.value();
    }
    QTEST(linesText(before), "linesBefore");
    QVERIFY(decoder.error().isEmpty());
    const auto failing = decoder.feed(chunks.at(failingChunk));
    if (linesInFailing.isEmpty()) {
        QVERIFY(!failing.ok());
        QVERIFY2(failing.error().startsWith(error), qPrintable(errorOf(failing)));
    } else {
        // Lines ahead of the bad header are real output: they come out, the error is set.
        QVERIFY2(failing.ok(), qPrintable(errorOf(failing)));
        QCOMPARE(linesText(failing.value()), linesInFailing);
    }
    QVERIFY2(decoder.error().startsWith(error), qPrintable(decoder.error()));

    // The stream cannot be resynchronised: every later chunk is refused, even a good frame.
    for (const QByteArray &later : {frame(1, "ok\n"), QByteArray(), frame(2, "still no\n")}) {
        const auto again = decoder.feed(later);
        QVERIFY(!again.ok());
        QCOMPARE(again.error(), decoder.error());
    }
}

void tst_DockerParsers::logFinishFlushesOnce()
{
    LogStreamDecoder decoder;
    const auto result = decoder.feed(frame(1, "partial"));
    QVERIFY2(result.ok(), qPrintable(errorOf(result)));
    QCOMPARE(linesText(result.value()), QStringList());
    QCOMPARE(linesText(decoder.finish()), QStringList{QStringLiteral("out:partial")});
    QCOMPARE(linesText(decoder.finish()), QStringList());
}

void tst_DockerParsers::logLongLineIsCapped_data()
{
    QTest::addColumn<bool>("tty");
    QTest::newRow("frames") << false;
    QTest::newRow("tty") << true;
}

void tst_DockerParsers::logLongLineIsCapped()
{
    QFETCH(bool, tty);
    // A program that never prints a newline: the decoder hands out what it has past 64 KiB.
    const QByteArray text(70 * 1024, 'a');
    LogStreamDecoder decoder(tty);
    const auto result = decoder.feed(tty ? text : frame(1, text));
    QVERIFY2(result.ok(), qPrintable(errorOf(result)));
    QCOMPARE(result.value().size(), 1);
    QCOMPARE(result.value().first().text.size(), text.size());
    const auto next = decoder.feed(tty ? QByteArray("b\n") : frame(1, "b\n"));
    QVERIFY2(next.ok(), qPrintable(errorOf(next)));
    QCOMPARE(linesText(next.value()), QStringList{QStringLiteral("out:b")});
}

// --- Inputs found by tests/fuzz ---------------------------------------------------------------

void tst_DockerParsers::dockerEventFuzzRegressions_data()
{
    QTest::addColumn<QByteArray>("line");

    // fuzz_dockerevent: "time" (seconds) * 1e9 overflowed qint64 (UBSan: signed integer overflow).
    QTest::newRow("legacy time past the qint64 nanosecond range")
        << QByteArray(R"({"Type":"container","Action":"die","time":9223372037})");
    QTest::newRow("legacy time, as the fuzzer found it") << QByteArray(
        R"({"Type":"container","Action":"health_status: healthy","Actor":{"ID":"ee01"},
            "time":1790000000001})");
    QTest::newRow("legacy time far before the epoch")
        << QByteArray(R"({"Type":"container","Action":"die","time":-9223372037})");
}

void tst_DockerParsers::dockerEventFuzzRegressions()
{
    QFETCH(QByteArray, line);
    // A time that does not fit in nanoseconds is no time: an error, or an event without one.
    const auto result = parseDockerEvent(line);
    if (result.ok())
        QCOMPARE(result.value().timeNano, qint64(0));
    else
        QVERIFY2(result.error().startsWith(QLatin1String("event")), qPrintable(result.error()));
}

void tst_DockerParsers::statsFuzzRegressions_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<quint64>("memoryUsed");

    // Found by a stats harness: quint64(double) of a negative or huge JSON number is undefined
    // (UBSan: float-cast-overflow).
    QTest::newRow("memory limit 1e20")
        << QByteArray(R"({"memory_stats":{"limit":1e20}})") << quint64(0);
    QTest::newRow("memory limit, as the fuzzer found it")
        << QByteArray(R"({"memory_stats":{"usage":10485760,"limit":392233720368547758073554432}})")
        << quint64(10485760);
    QTest::newRow("negative memory usage")
        << QByteArray(R"({"memory_stats":{"usage":-1}})") << quint64(0);
    QTest::newRow("negative cpu total")
        << QByteArray(R"({"cpu_stats":{"cpu_usage":{"total_usage":-5}}})") << quint64(0);
    QTest::newRow("system cpu 1e300")
        << QByteArray(R"({"cpu_stats":{"system_cpu_usage":1e300}})") << quint64(0);
    QTest::newRow("negative inactive_file")
        << QByteArray(R"({"memory_stats":{"usage":4096,"stats":{"inactive_file":-1}}})")
        << quint64(4096);
}

void tst_DockerParsers::statsFuzzRegressions()
{
    QFETCH(QByteArray, json);
    // A counter that no unsigned 64-bit value can hold is not data: an error, or zero.
    const auto result = parseDockerStats(json);
    if (!result.ok()) {
        QVERIFY2(result.error().startsWith(QLatin1String("stats")), qPrintable(result.error()));
        return;
    }
    const DockerStatsSample &s = result.value();
    QCOMPARE(s.cpuTotalNs, quint64(0));
    QCOMPARE(s.systemCpuNs, quint64(0));
    QCOMPARE(s.memoryLimit, quint64(0));
    QTEST(s.memoryUsed, "memoryUsed");
}

QTEST_GUILESS_MAIN(tst_DockerParsers)
#include "tst_dockerparsers.moc"
