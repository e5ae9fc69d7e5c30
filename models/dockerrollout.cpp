// SPDX-License-Identifier: MIT
#include "models/dockerrollout.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>
#include <QUrl>

#include <algorithm>

namespace Opsdeck::Models {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::Models::DockerRollout", text);
}

const QRegularExpression &placeholderPattern()
{
    static const QRegularExpression re(QStringLiteral(R"(\{(host|label:([^}]+))\})"));
    return re;
}

} // namespace

ServiceSelector ServiceSelector::fromRule(const QString &service, const ServiceRule &rule)
{
    ServiceSelector s;
    s.service = service;
    switch (rule.kind) {
    case ServiceRule::Kind::NamePattern:
        s.namePattern = rule.namePattern;
        break;
    case ServiceRule::Kind::Label:
    case ServiceRule::Kind::Default:
    case ServiceRule::Kind::KvSegment:
        s.label = rule.label;
        break;
    }
    return s;
}

Result<bool> ServiceSelector::validate() const
{
    if (service.trimmed().isEmpty())
        return Result<bool>::failure(tr("the service name is empty"));
    if (!namePattern.isEmpty()) {
        const QRegularExpression re(namePattern);
        if (!re.isValid())
            return Result<bool>::failure(tr("the name pattern '%1' is not a valid regular "
                                            "expression: %2")
                                             .arg(namePattern, re.errorString()));
    }
    return true;
}

bool ServiceSelector::matches(const QString &containerName,
                              const QMap<QString, QString> &labels) const
{
    // A container kept by a rollout (old or failed) is never part of the service.
    if (containerName.contains(QLatin1String("_opsdeck-old_"))
        || containerName.contains(QLatin1String("_opsdeck-failed_")))
        return false;
    if (!label.isEmpty() && labels.value(label) == service)
        return true;
    if (!namePattern.isEmpty()) {
        const QRegularExpression re(QRegularExpression::anchoredPattern(namePattern));
        const QRegularExpressionMatch m = re.match(containerName);
        if (m.hasMatch()) {
            const bool hasGroup = re.namedCaptureGroups().contains(QStringLiteral("service"));
            if (!hasGroup || m.captured(QStringLiteral("service")) == service)
                return true;
        }
        return false;
    }
    if (containerName == service)
        return true;
    static const QRegularExpression numbered(QStringLiteral(R"(^(.+)[-_](\d+)$)"));
    const QRegularExpressionMatch m = numbered.match(containerName);
    return m.hasMatch() && m.captured(1) == service;
}

QString ServiceSelector::describe() const
{
    QStringList how;
    if (!label.isEmpty())
        how << tr("label %1=%2").arg(label, service);
    if (!namePattern.isEmpty())
        how << tr("name matching %1").arg(namePattern);
    else
        how << tr("name %1 or %1-N").arg(service);
    return how.join(tr(" or "));
}

Result<ProbeSpec> ProbeSpec::parse(const QString &text)
{
    ProbeSpec p;
    p.url = text.trimmed();
    if (p.url.isEmpty())
        return p;
    QString sample = p.url;
    sample.replace(placeholderPattern(), QStringLiteral("1"));
    const QUrl url(sample);
    if (!url.isValid() || url.host().isEmpty()
        || (url.scheme() != QLatin1String("tcp") && url.scheme() != QLatin1String("http")
            && url.scheme() != QLatin1String("https")))
        return Result<ProbeSpec>::failure(
            tr("probe '%1': expected tcp://HOST:PORT or http(s)://HOST:PORT/PATH "
               "({host} and {label:NAME} may stand for parts)")
                .arg(text));
    if (url.scheme() == QLatin1String("tcp") && url.port() <= 0)
        return Result<ProbeSpec>::failure(tr("probe '%1': a TCP probe needs a port").arg(text));
    return p;
}

Result<QString> ProbeSpec::resolve(const QString &hostAddress,
                                   const QMap<QString, QString> &labels) const
{
    QString out;
    qsizetype at = 0;
    auto it = placeholderPattern().globalMatch(url);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        out += url.mid(at, m.capturedStart() - at);
        if (m.captured(1) == QLatin1String("host")) {
            out += hostAddress.contains(QLatin1Char(':'))
                       ? QLatin1Char('[') + hostAddress + QLatin1Char(']')
                       : hostAddress;
        } else {
            const QString name = m.captured(2);
            if (!labels.contains(name))
                return Result<QString>::failure(
                    tr("probe '%1': the container has no label '%2'").arg(url, name));
            out += labels.value(name);
        }
        at = m.capturedEnd();
    }
    out += url.mid(at);
    return out;
}

bool RolloutInstance::serving() const
{
    return state == ContainerState::Running
           && (health == HealthStatus::Healthy || health == HealthStatus::None);
}

Result<DockerRolloutPlan> planDockerRollout(const DockerRolloutRequest &request,
                                            QList<RolloutInstance> found)
{
    using R = Result<DockerRolloutPlan>;
    if (const auto ok = request.selector.validate(); !ok.ok())
        return R::failure(ok.error());
    if (request.batchSize < 1)
        return R::failure(
            tr("the batch size must be at least 1 (given: %1)").arg(request.batchSize));
    if (found.isEmpty())
        return R::failure(tr("no container of service '%1' (%2) on the Docker hosts of %3%4")
                              .arg(request.selector.service,
                                   request.selector.describe(),
                                   request.environment,
                                   request.hostTag.isEmpty()
                                       ? QString()
                                       : tr(" tagged '%1'").arg(request.hostTag)));
    if (request.healthTimeoutMs <= 0)
        return R::failure(tr("the health timeout must be positive"));

    DockerRolloutPlan plan;
    plan.request = request;
    // Instances that do not serve now go first: replacing them costs no capacity. Then by host
    // and name, so the order is the same every time.
    std::stable_sort(found.begin(), found.end(), [](const auto &a, const auto &b) {
        if (a.serving() != b.serving())
            return !a.serving();
        if (a.host != b.host)
            return a.host < b.host;
        return a.name < b.name;
    });
    plan.instances = found;
    for (const auto &i : std::as_const(found))
        plan.servingNow += i.serving() ? 1 : 0;

    const int n = int(found.size());
    const int batch = std::min(request.batchSize, n);
    plan.minHealthy =
        request.minHealthy >= 0 ? request.minHealthy : std::max(0, plan.servingNow - batch);
    if (plan.minHealthy > n)
        return R::failure(tr("the minimum healthy count %1 is more than the %2 instances of '%3'")
                              .arg(plan.minHealthy)
                              .arg(n)
                              .arg(request.selector.service));
    if (plan.servingNow < plan.minHealthy)
        return R::failure(tr("only %1 of %2 instances serve now, fewer than the minimum healthy "
                             "count %3: nothing would be safe to take down")
                              .arg(plan.servingNow)
                              .arg(n)
                              .arg(plan.minHealthy));

    // Batches: the canary alone first, then batchSize at a time. A batch may never take more
    // serving instances down than the service can spare above its minimum.
    const int spare = plan.servingNow - plan.minHealthy;
    plan.fewestServing = plan.servingNow;
    int next = 0;
    bool first = true;
    while (next < n) {
        const int want = (first && request.canary) ? 1 : batch;
        QList<int> b;
        int servingInBatch = 0;
        while (next < n && int(b.size()) < want) {
            const bool serves = plan.instances.at(next).serving();
            if (serves && servingInBatch + 1 > spare)
                break;
            servingInBatch += serves ? 1 : 0;
            b << next++;
        }
        if (b.isEmpty())
            return R::failure(
                tr("replacing even one instance would leave %1 serving, below the minimum "
                   "healthy count %2: lower --min-healthy or add instances first")
                    .arg(plan.servingNow - 1)
                    .arg(plan.minHealthy));
        plan.fewestServing = std::min(plan.fewestServing, plan.servingNow - servingInBatch);
        plan.batches << b;
        first = false;
    }

    if (plan.minHealthy == 0)
        plan.warnings << tr("the minimum healthy count is 0: the service may not serve at all "
                            "while a batch is replaced");
    if (plan.servingNow < n)
        plan.warnings << tr("%1 of %2 instances do not serve now; they are replaced first")
                             .arg(n - plan.servingNow)
                             .arg(n);
    QSet<QString> images;
    for (const auto &i : std::as_const(plan.instances)) {
        images.insert(i.image);
        const QJsonObject networks = i.inspect.value(QStringLiteral("NetworkSettings"))
                                         .toObject()
                                         .value(QStringLiteral("Networks"))
                                         .toObject();
        if (networks.size() > 1)
            plan.warnings << tr("%1 on %2 is attached to %3 networks; only its first (%4) is "
                                "attached to its replacement")
                                 .arg(i.name, i.host)
                                 .arg(networks.size())
                                 .arg(i.inspect.value(QStringLiteral("HostConfig"))
                                          .toObject()
                                          .value(QStringLiteral("NetworkMode"))
                                          .toString());
    }
    if (images.size() > 1)
        plan.warnings
            << tr("the instances run different images now: %1")
                   .arg(QStringList(images.begin(), images.end()).join(QStringLiteral(", ")));
    if (!request.image.isEmpty() && images.size() == 1 && *images.begin() == request.image)
        plan.warnings
            << tr("every instance already runs %1: this is a rolling restart").arg(request.image);
    return plan;
}

QString DockerRolloutPlan::describe() const
{
    QStringList out;
    const QString what =
        request.isRestart()
            ? tr("Rolling restart of %1 in %2").arg(request.selector.service, request.environment)
            : tr("Rolling update of %1 in %2 to %3")
                  .arg(request.selector.service, request.environment, request.image);
    out << what;
    out << tr("  instances: %1 (%2 serving now), selected by %3%4")
               .arg(instances.size())
               .arg(servingNow)
               .arg(request.selector.describe(),
                    request.hostTag.isEmpty() ? QString()
                                              : tr(", hosts tagged '%1'").arg(request.hostTag));
    out << tr("  batch size %1, never fewer than %2 serving (fewest during the rollout: %3)")
               .arg(request.batchSize)
               .arg(minHealthy)
               .arg(fewestServing);
    if (request.canary)
        out << (request.canarySoakMs > 0
                    ? tr("  canary: the first instance alone, then a soak of %1 s")
                          .arg(request.canarySoakMs / 1000)
                    : tr("  canary: the first instance alone, then wait for a go-ahead"));
    out << (request.probe.url.isEmpty()
                ? tr("  healthy means: the Docker health check passes, or (without one) running "
                     "for %1 s without a restart; within %2 s")
                      .arg(request.stableMs / 1000)
                      .arg(request.healthTimeoutMs / 1000)
                : tr("  healthy means: the probe %1 answers (and the Docker health check "
                     "passes, if any); within %2 s")
                      .arg(request.probe.url)
                      .arg(request.healthTimeoutMs / 1000));
    for (int b = 0; b < batches.size(); ++b) {
        out << tr("  batch %1:").arg(b + 1);
        for (int index : batches.at(b)) {
            const RolloutInstance &i = instances.at(index);
            out << tr("    %1 on %2: %3 (%4) → %5")
                       .arg(i.name,
                            i.host,
                            i.image,
                            displayState([&] {
                                Container c;
                                c.state = i.state;
                                c.health = i.health;
                                return c;
                            }()),
                            request.isRestart() ? tr("restart (re-created, same image)")
                                                : request.image);
        }
    }
    out << tr("  each instance: rename to %1, stop, create the new one with the same "
              "configuration, start, wait until healthy; old containers are removed only when "
              "every instance is healthy, and restored if anything fails")
               .arg(keptOldName(QStringLiteral("NAME"), QStringLiteral("ID")));
    for (const QString &w : warnings)
        out << tr("  warning: %1").arg(w);
    return out.join(QLatin1Char('\n'));
}

namespace {

QJsonArray withoutEntries(const QJsonArray &values, const QJsonArray &remove)
{
    QJsonArray out;
    for (const QJsonValue &v : values)
        if (!remove.contains(v))
            out.append(v);
    return out;
}

QString mountTarget(const QString &bind)
{
    // "src:dst[:mode]" or "dst"
    const QStringList parts = bind.split(QLatin1Char(':'));
    return parts.size() >= 2 ? parts.at(1) : parts.value(0);
}

} // namespace

QJsonObject
recreateContainerBody(const QJsonObject &old, const QJsonObject &oldImage, const QString &newImage)
{
    QJsonObject config = old.value(QStringLiteral("Config")).toObject();
    const QJsonObject imageConfig = oldImage.value(QStringLiteral("Config")).toObject();
    const QString id = old.value(QStringLiteral("Id")).toString();

    // What the old image gave, the new image gives (or not): leave it to the new image.
    if (!imageConfig.isEmpty()) {
        config.insert(QStringLiteral("Env"),
                      withoutEntries(config.value(QStringLiteral("Env")).toArray(),
                                     imageConfig.value(QStringLiteral("Env")).toArray()));
        for (const QString &key : {QStringLiteral("Cmd"),
                                   QStringLiteral("Entrypoint"),
                                   QStringLiteral("Healthcheck"),
                                   QStringLiteral("WorkingDir"),
                                   QStringLiteral("User"),
                                   QStringLiteral("StopSignal")}) {
            if (config.contains(key) && config.value(key) == imageConfig.value(key))
                config.remove(key);
        }
        QJsonObject labels = config.value(QStringLiteral("Labels")).toObject();
        const QJsonObject imageLabels = imageConfig.value(QStringLiteral("Labels")).toObject();
        for (auto it = imageLabels.begin(); it != imageLabels.end(); ++it)
            if (labels.value(it.key()) == it.value())
                labels.remove(it.key());
        config.insert(QStringLiteral("Labels"), labels);
    }
    // Docker's own default hostname is the short id of the old container.
    if (config.value(QStringLiteral("Hostname")).toString() == id.left(12))
        config.remove(QStringLiteral("Hostname"));
    config.remove(QStringLiteral("Volumes")); // anonymous volumes follow by name, below
    config.remove(QStringLiteral("Image"));

    QJsonObject body = config;
    body.insert(QStringLiteral("Image"),
                newImage.isEmpty() ? old.value(QStringLiteral("Config"))
                                         .toObject()
                                         .value(QStringLiteral("Image"))
                                         .toString()
                                   : newImage);

    QJsonObject host = old.value(QStringLiteral("HostConfig")).toObject();
    QSet<QString> targets;
    for (const QJsonValue &b : host.value(QStringLiteral("Binds")).toArray())
        targets.insert(mountTarget(b.toString()));
    QJsonArray mounts = host.value(QStringLiteral("Mounts")).toArray();
    for (const QJsonValue &m : std::as_const(mounts))
        targets.insert(m.toObject().value(QStringLiteral("Target")).toString());
    for (const QJsonValue &v : old.value(QStringLiteral("Mounts")).toArray()) {
        const QJsonObject m = v.toObject();
        const QString destination = m.value(QStringLiteral("Destination")).toString();
        if (m.value(QStringLiteral("Type")).toString() != QLatin1String("volume")
            || targets.contains(destination))
            continue;
        mounts.append(
            QJsonObject{{QStringLiteral("Type"), QStringLiteral("volume")},
                        {QStringLiteral("Source"), m.value(QStringLiteral("Name"))},
                        {QStringLiteral("Target"), destination},
                        {QStringLiteral("ReadOnly"), !m.value(QStringLiteral("RW")).toBool(true)}});
    }
    if (!mounts.isEmpty())
        host.insert(QStringLiteral("Mounts"), mounts);
    body.insert(QStringLiteral("HostConfig"), host);

    // One network at create (API 1.41): the one NetworkMode names, with its aliases.
    const QString mode = host.value(QStringLiteral("NetworkMode")).toString();
    const QJsonObject networks = old.value(QStringLiteral("NetworkSettings"))
                                     .toObject()
                                     .value(QStringLiteral("Networks"))
                                     .toObject();
    static const QSet<QString> builtIn{QStringLiteral("host"),
                                       QStringLiteral("none"),
                                       QStringLiteral("bridge"),
                                       QStringLiteral("default")};
    if (!mode.isEmpty() && !builtIn.contains(mode) && !mode.startsWith(QLatin1String("container:"))
        && networks.contains(mode)) {
        const QJsonObject endpoint = networks.value(mode).toObject();
        QJsonArray aliases;
        for (const QJsonValue &a : endpoint.value(QStringLiteral("Aliases")).toArray())
            if (a.toString() != id.left(12))
                aliases.append(a);
        QJsonObject settings;
        if (!aliases.isEmpty())
            settings.insert(QStringLiteral("Aliases"), aliases);
        if (endpoint.value(QStringLiteral("IPAMConfig")).isObject())
            settings.insert(QStringLiteral("IPAMConfig"),
                            endpoint.value(QStringLiteral("IPAMConfig")));
        body.insert(
            QStringLiteral("NetworkingConfig"),
            QJsonObject{{QStringLiteral("EndpointsConfig"), QJsonObject{{mode, settings}}}});
    }
    return body;
}

QString keptOldName(const QString &name, const QString &rolloutId)
{
    return name + QStringLiteral("_opsdeck-old_") + rolloutId;
}

QString keptFailedName(const QString &name, const QString &rolloutId)
{
    return name + QStringLiteral("_opsdeck-failed_") + rolloutId;
}

QString nameOf(RolloutStep step)
{
    switch (step) {
    case RolloutStep::Pending:
        return tr("pending");
    case RolloutStep::Renaming:
        return tr("keeping the old container");
    case RolloutStep::Stopping:
        return tr("stopping the old container");
    case RolloutStep::Creating:
        return tr("creating the new container");
    case RolloutStep::Starting:
        return tr("starting the new container");
    case RolloutStep::WaitingHealthy:
        return tr("waiting until healthy");
    case RolloutStep::Done:
        return tr("done");
    case RolloutStep::RollingBack:
        return tr("restoring the old container");
    case RolloutStep::RolledBack:
        return tr("restored");
    case RolloutStep::Failed:
        return tr("failed");
    }
    return {};
}

bool isFinal(RolloutStep step)
{
    return step == RolloutStep::Done || step == RolloutStep::RolledBack
           || step == RolloutStep::Failed;
}

QString nameOf(RolloutPhase phase)
{
    switch (phase) {
    case RolloutPhase::Running:
        return tr("running");
    case RolloutPhase::Paused:
        return tr("paused");
    case RolloutPhase::WaitingGoAhead:
        return tr("canary healthy, waiting for a go-ahead");
    case RolloutPhase::Soaking:
        return tr("canary healthy, soaking");
    case RolloutPhase::RollingBack:
        return tr("rolling back");
    case RolloutPhase::Succeeded:
        return tr("succeeded");
    case RolloutPhase::RolledBack:
        return tr("failed and rolled back");
    case RolloutPhase::Aborted:
        return tr("aborted and rolled back");
    case RolloutPhase::Failed:
        return tr("failed, not fully restored");
    }
    return {};
}

bool isFinal(RolloutPhase phase)
{
    return phase == RolloutPhase::Succeeded || phase == RolloutPhase::RolledBack
           || phase == RolloutPhase::Aborted || phase == RolloutPhase::Failed;
}

int RolloutProgress::doneCount() const
{
    return int(std::count_if(instances.begin(), instances.end(), [](const auto &i) {
        return i.step == RolloutStep::Done;
    }));
}

double RolloutProgress::fraction() const
{
    return instances.isEmpty() ? 0.0 : double(doneCount()) / double(instances.size());
}

qint64 RolloutProgress::elapsedMs(qint64 nowMs) const
{
    if (startedMs == 0)
        return 0;
    return (endedMs > 0 ? endedMs : nowMs) - startedMs;
}

std::optional<qint64> RolloutProgress::etaMs(qint64 nowMs) const
{
    if (isFinal(phase))
        return std::nullopt;
    qint64 total = 0;
    int finished = 0;
    for (const auto &i : instances) {
        if (i.step == RolloutStep::Done && i.startedMs > 0 && i.endedMs >= i.startedMs) {
            total += i.endedMs - i.startedMs;
            ++finished;
        }
    }
    if (finished == 0)
        return std::nullopt;
    const qint64 mean = total / finished;
    const int batch = std::max(1, batchSize);
    qint64 eta = 0;
    int waiting = 0;
    for (const auto &i : instances) {
        if (i.step == RolloutStep::Pending)
            ++waiting;
        else if (!isFinal(i.step) && i.startedMs > 0)
            eta = std::max(eta, std::max<qint64>(0, mean - (nowMs - i.startedMs)));
    }
    eta += ((waiting + batch - 1) / batch) * mean;
    return eta;
}

} // namespace Opsdeck::Models
