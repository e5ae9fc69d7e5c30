// SPDX-License-Identifier: MIT
#include "connectors/mesos/mesosparsers.h"

#include "connectors/marathon/marathonparsers.h"

#include <QCoreApplication>
#include <QHash>

#include <cmath>

namespace Opsdeck::Connectors {

using namespace Opsdeck::Models;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::Connectors::MesosParsers", text);
}

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

/// A flat resource object: scalars are numbers; ranges and sets are strings and not read.
MesosResources
parseResources(JsonFieldReader &r, const QJsonObject &o, const QString &name, const QString &path)
{
    const QString at = JsonFieldReader::member(path, name);
    const QJsonObject res = r.object(o, name, path);
    MesosResources out;
    out.cpus = r.number(res, key("cpus"), at);
    out.memMb = r.number(res, key("mem"), at);
    out.diskMb = r.number(res, key("disk"), at);
    out.gpus = r.number(res, key("gpus"), at);
    return out;
}

/// Mesos writes times as float seconds since the epoch.
QDateTime
secondsToTime(JsonFieldReader &r, const QJsonObject &o, const QString &name, const QString &path)
{
    const double seconds = r.number(o, name, path, -1);
    // Beyond year 9999 or before 1970 is not a registration time.
    if (!(seconds >= 0) || seconds > 253402300799.0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(qint64(std::llround(seconds * 1000.0)), Qt::UTC);
}

} // namespace

Result<MesosState> parseMesosState(const QByteArray &json)
{
    const auto doc = JsonFieldReader::parseObject(json);
    if (!doc.ok())
        return Error{doc.error()};
    const QJsonObject root = doc.value();
    JsonFieldReader r;
    MesosState state;
    state.version = r.string(root, key("version"), {});
    state.leader = r.string(root, key("leader"), {});
    state.hostname = r.string(root, key("hostname"), {});
    if (!root.contains(QLatin1String("slaves")))
        return Result<MesosState>::failure(tr("slaves: missing"));

    QHash<QString, qsizetype> indexById;
    r.forEachObject(root, key("slaves"), {}, [&](const QJsonObject &o, const QString &path) {
        MesosAgent agent;
        agent.id = r.requiredString(o, key("id"), path);
        agent.hostname = r.string(o, key("hostname"), path);
        agent.active = r.boolean(o, key("active"), path, true);
        agent.total = parseResources(r, o, key("resources"), path);
        agent.used = parseResources(r, o, key("used_resources"), path);
        agent.registeredAt = secondsToTime(r, o, key("registered_time"), path);
        // Text attributes are strings, scalar ones numbers.
        const QString attributesPath = JsonFieldReader::member(path, key("attributes"));
        const QJsonObject attributes = r.object(o, key("attributes"), path);
        for (auto it = attributes.begin(); it != attributes.end(); ++it) {
            if (it.value().isString())
                agent.attributes.insert(it.key(), it.value().toString());
            else if (it.value().isDouble())
                agent.attributes.insert(it.key(), QString::number(it.value().toDouble()));
            else
                r.fail(JsonFieldReader::member(attributesPath, it.key()),
                       tr("expected a string or a number"));
        }
        indexById.insert(agent.id, state.agents.size());
        state.agents << agent;
    });

    const auto countTask = [&](const QJsonObject &task, const QString &taskPath) {
        const QString taskState = r.string(task, key("state"), taskPath);
        const QString agentId = r.string(task, key("slave_id"), taskPath);
        if (isTerminalTaskState(taskState))
            return;
        ++state.activeTaskCount;
        // A task on an agent that is gone from the list counts nowhere.
        const auto it = indexById.constFind(agentId);
        if (it != indexById.constEnd())
            ++state.agents[*it].taskCount;
    };
    state.frameworkCount = int(r.forEachObject(
        root, key("frameworks"), {}, [&](const QJsonObject &framework, const QString &path) {
            r.forEachObject(framework, key("tasks"), path, countTask);
        }));
    return r.result(std::move(state));
}

} // namespace Opsdeck::Connectors
