// SPDX-License-Identifier: MIT
#include "connectors/docker/dockerrollout.h"

#include "connectors/docker/dockerhostconnector.h"
#include "connectors/docker/dockerparsers.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QUrl>

namespace Opsdeck::Connectors {

using namespace Opsdeck::Models;

namespace {

// How long planning waits for health checks that are still starting.
constexpr qint64 kSettleMs = 30000;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray encoded(const QString &text)
{
    return QUrl::toPercentEncoding(text);
}

QJsonObject jsonObject(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

QString shortId(const QString &id)
{
    return id.left(12);
}

} // namespace

DockerRollout::DockerRollout(const EnvironmentConfig &environment,
                             const DockerRolloutRequest &request,
                             HttpClient *http,
                             QObject *parent)
    : QObject(parent)
    , m_environment(environment)
    , m_request(request)
    , m_http(http)
    , m_id(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd'T'HHmmss")))
{
    m_soakTimer.setSingleShot(true);
    connect(&m_soakTimer, &QTimer::timeout, this, &DockerRollout::checkCanaryThenContinue);
    for (const DockerHostConfig &h : environment.dockerHosts) {
        if (!request.hostTag.isEmpty() && !h.tags.contains(request.hostTag))
            continue;
        const auto endpoint = DockerHostConnector::endpointFor(h);
        Host host;
        host.config = h;
        if (endpoint.ok())
            host.endpoint = endpoint.value();
        const QUrl url(h.url);
        host.address =
            url.scheme() == QLatin1String("tcp") ? url.host() : QStringLiteral("127.0.0.1");
        m_hosts << host;
    }
    m_progress.id = m_id;
    m_progress.kind = QStringLiteral("docker");
    m_progress.environment = environment.name;
    m_progress.service = request.selector.service;
    m_progress.image = request.image;
    m_progress.batchSize = request.batchSize;
}

DockerRollout::~DockerRollout()
{
    abortAndDelete(m_requests);
}

void DockerRollout::call(int host,
                         const QByteArray &method,
                         const QByteArray &path,
                         const QByteArray &body,
                         int timeoutMs,
                         std::function<void(HttpReply *)> then)
{
    HttpRequest r;
    r.method = method;
    r.path = "/v1.41" + path;
    r.body = body;
    if (!body.isEmpty())
        r.contentType = "application/json";
    r.timeoutMs = timeoutMs > 0 ? timeoutMs : m_timings.requestTimeoutMs;
    r.connectTimeoutMs = m_timings.connectTimeoutMs;
    HttpReply *reply = m_http->send(m_hosts.at(host).endpoint, r);
    m_requests << reply;
    connect(reply, &HttpReply::finished, this, [this, reply, then = std::move(then)] {
        reply->deleteLater();
        m_requests.removeAll(reply);
        then(reply);
    });
}

int DockerRollout::stopSeconds(const QJsonObject &inspect) const
{
    if (m_request.stopTimeoutSeconds >= 0)
        return m_request.stopTimeoutSeconds;
    const QJsonValue own =
        inspect.value(QStringLiteral("Config")).toObject().value(QStringLiteral("StopTimeout"));
    return own.isDouble() ? own.toInt() : 10;
}

QByteArray DockerRollout::stopQuery(const QJsonObject &) const
{
    // Without ?t= the engine uses the container's own StopTimeout.
    return m_request.stopTimeoutSeconds >= 0
               ? "?t=" + QByteArray::number(m_request.stopTimeoutSeconds)
               : QByteArray();
}

int DockerRollout::hostIndex(const QString &name) const
{
    for (int i = 0; i < m_hosts.size(); ++i)
        if (m_hosts.at(i).config.name == name)
            return i;
    return -1;
}

QString DockerRollout::where(int index) const
{
    const RolloutInstance &i = m_plan->instances.at(index);
    return tr("%1 on %2").arg(i.name, i.host);
}

// ---- discovery ----

void DockerRollout::discover()
{
    m_discoveryStartedMs = nowMs();
    discoverAgain();
}

void DockerRollout::discoverAgain()
{
    m_found.clear();
    m_discoveryErrors.clear();
    m_plan.reset();
    if (!m_http || m_hosts.isEmpty()) {
        emit planned(false,
                     m_request.hostTag.isEmpty()
                         ? tr("%1 has no Docker hosts").arg(m_environment.name)
                         : tr("no Docker host of %1 is tagged '%2'")
                               .arg(m_environment.name, m_request.hostTag));
        return;
    }
    m_discoveryPending = 0;
    for (int h = 0; h < m_hosts.size(); ++h) {
        if (m_hosts.at(h).endpoint.baseUrl.isEmpty()) {
            m_discoveryErrors << tr("host %1: unsupported URL '%2'")
                                     .arg(m_hosts.at(h).config.name, m_hosts.at(h).config.url);
            continue;
        }
        ++m_discoveryPending;
        discoverHost(h);
    }
    if (m_discoveryPending == 0)
        discoveryStepDone();
}

void DockerRollout::discoverHost(int h)
{
    const QString hostName = m_hosts.at(h).config.name;
    // The new image must be on the host before anything is touched there.
    if (!m_request.image.isEmpty()) {
        ++m_discoveryPending;
        call(h,
             "GET",
             "/images/" + encoded(m_request.image) + "/json",
             {},
             0,
             [=, this](HttpReply *r) {
                 if (r->status() == 404)
                     m_discoveryErrors
                         << tr("host %1: image %2 is not there (pull or load it first)")
                                .arg(hostName, m_request.image);
                 else if (!r->ok())
                     m_discoveryErrors << tr("host %1: %2").arg(hostName, r->errorString());
                 discoveryStepDone();
             });
    }
    call(h, "GET", "/containers/json?all=1", {}, 0, [=, this](HttpReply *r) {
        if (!r->ok()) {
            m_discoveryErrors << tr("host %1: %2").arg(hostName, r->errorString());
            discoveryStepDone();
            return;
        }
        const auto list = parseContainerList(r->body(), hostName);
        if (!list.ok()) {
            m_discoveryErrors << tr("host %1: %2").arg(hostName, list.error());
            discoveryStepDone();
            return;
        }
        for (const Container &c : list.value()) {
            if (!m_request.selector.matches(c.name, c.labels))
                continue;
            ++m_discoveryPending;
            call(
                h,
                "GET",
                "/containers/" + c.id.toLatin1() + "/json",
                {},
                0,
                [=, this](HttpReply *ir) {
                    if (!ir->ok()) {
                        m_discoveryErrors << tr("host %1: inspect %2: %3")
                                                 .arg(hostName, c.name, ir->errorString());
                        discoveryStepDone();
                        return;
                    }
                    const QJsonObject inspect = jsonObject(ir->body());
                    RolloutInstance inst;
                    inst.host = hostName;
                    inst.hostAddress = m_hosts.at(h).address;
                    inst.id = inspect.value(QStringLiteral("Id")).toString();
                    inst.name = inspect.value(QStringLiteral("Name")).toString().mid(1);
                    const QJsonObject config = inspect.value(QStringLiteral("Config")).toObject();
                    inst.image = config.value(QStringLiteral("Image")).toString();
                    const QJsonObject state = inspect.value(QStringLiteral("State")).toObject();
                    inst.state =
                        containerStateFromString(state.value(QStringLiteral("Status")).toString());
                    if (state.contains(QStringLiteral("Health")))
                        inst.health = healthStatusFromString(state.value(QStringLiteral("Health"))
                                                                 .toObject()
                                                                 .value(QStringLiteral("Status"))
                                                                 .toString());
                    const QJsonObject labels = config.value(QStringLiteral("Labels")).toObject();
                    for (auto it = labels.begin(); it != labels.end(); ++it)
                        inst.labels.insert(it.key(), it.value().toString());
                    inst.inspect = inspect;
                    if (inst.id.isEmpty() || inst.name.isEmpty()) {
                        m_discoveryErrors
                            << tr("host %1: inspect of %2 has no Id or Name").arg(hostName, c.name);
                        discoveryStepDone();
                        return;
                    }
                    // The image it runs: what the image itself set is left to the new image.
                    const QByteArray imageId =
                        inspect.value(QStringLiteral("Image")).toString().toLatin1();
                    call(h,
                         "GET",
                         "/images/" + encoded(QString::fromLatin1(imageId)) + "/json",
                         {},
                         0,
                         [=, this](HttpReply *imr) mutable {
                             if (imr->ok())
                                 inst.imageInspect = jsonObject(imr->body());
                             else if (imr->status() != 404)
                                 m_discoveryErrors
                                     << tr("host %1: image of %2: %3")
                                            .arg(hostName, inst.name, imr->errorString());
                             m_found << inst;
                             discoveryStepDone();
                         });
                });
        }
        discoveryStepDone();
    });
}

void DockerRollout::discoveryStepDone()
{
    if (--m_discoveryPending > 0)
        return;
    if (!m_discoveryErrors.isEmpty()) {
        m_discoveryErrors.sort();
        emit planned(
            false,
            tr("cannot plan the rollout: %1").arg(m_discoveryErrors.join(QStringLiteral("; "))));
        return;
    }
    // A health check still starting says nothing yet: counted as not serving, it would lower the
    // minimum. Wait for it (a container just started, the estate just came up), a while.
    const bool starting = std::any_of(m_found.begin(), m_found.end(), [](const auto &i) {
        return i.state == ContainerState::Running && i.health == HealthStatus::Starting;
    });
    if (starting && nowMs() - m_discoveryStartedMs < kSettleMs) {
        QTimer::singleShot(1000, this, &DockerRollout::discoverAgain);
        return;
    }
    auto plan = planDockerRollout(m_request, m_found);
    if (!plan.ok()) {
        emit planned(false, plan.error());
        return;
    }
    for (const RolloutInstance &i : plan.value().instances) {
        const auto probe = m_request.probe.resolve(i.hostAddress, i.labels);
        if (!probe.ok()) {
            emit planned(false, tr("%1 on %2: %3").arg(i.name, i.host, probe.error()));
            return;
        }
    }
    m_plan = std::move(plan).value();
    emit planned(true, {});
}

// ---- execution ----

void DockerRollout::start()
{
    if (m_started || !m_plan || !m_http)
        return;
    m_started = true;
    m_progress.startedMs = nowMs();
    m_progress.instances.clear();
    for (const RolloutInstance &i : m_plan->instances) {
        InstanceProgress p;
        p.host = i.host;
        p.name = i.name;
        p.oldId = i.id;
        m_progress.instances << p;
    }
    m_slots = QList<Slot>(m_plan->instances.size());
    log(m_request.isRestart()
            ? tr("rolling restart of %1 in %2: %3 instances, batches of %4, at least %5 serving")
                  .arg(m_request.selector.service, m_environment.name)
                  .arg(m_plan->instances.size())
                  .arg(m_request.batchSize)
                  .arg(m_plan->minHealthy)
            : tr("rolling update of %1 in %2 to %3: %4 instances, batches of %5, at least %6 "
                 "serving")
                  .arg(m_request.selector.service, m_environment.name, m_request.image)
                  .arg(m_plan->instances.size())
                  .arg(m_request.batchSize)
                  .arg(m_plan->minHealthy));
    setPhase(RolloutPhase::Running);
    runBatch();
}

void DockerRollout::pause()
{
    if (!m_started || m_ended || m_progress.phase != RolloutPhase::Running)
        return;
    m_pauseRequested = true;
    log(tr("pause requested: the batch in progress finishes first"));
    changed();
}

void DockerRollout::resume()
{
    if (m_ended)
        return;
    m_pauseRequested = false;
    if (m_progress.phase == RolloutPhase::Paused) {
        log(tr("resumed"));
        setPhase(RolloutPhase::Running);
        runBatch();
    }
}

void DockerRollout::abort()
{
    if (!m_started || m_ended || m_abortRequested)
        return;
    m_abortRequested = true;
    log(tr("abort requested: every instance changed so far is restored"));
    // A batch waiting for its instances to turn healthy ends now, not at the next inspect.
    for (const std::shared_ptr<HealthWait> &wait : std::as_const(m_waits))
        wake(wait);
    const RolloutPhase phase = m_progress.phase;
    if (phase == RolloutPhase::Paused || phase == RolloutPhase::WaitingGoAhead
        || phase == RolloutPhase::Soaking) {
        m_soakTimer.stop();
        m_failure = tr("aborted");
        setPhase(RolloutPhase::RollingBack);
        m_restoreQueue.clear();
        for (int i = int(m_progress.instances.size()) - 1; i >= 0; --i)
            if (m_progress.instances.at(i).step != RolloutStep::Pending)
                m_restoreQueue << i;
        restoreNext();
        return;
    }
    changed();
}

void DockerRollout::goAhead()
{
    if (m_progress.phase != RolloutPhase::WaitingGoAhead)
        return;
    log(tr("go-ahead given for the other batches"));
    checkCanaryThenContinue();
}

void DockerRollout::runBatch()
{
    if (m_ended)
        return;
    if (m_pauseRequested) {
        m_pauseRequested = false;
        setPhase(RolloutPhase::Paused);
        log(tr("paused after batch %1 of %2").arg(m_batch + 1).arg(m_plan->batches.size()));
        return;
    }
    ++m_batch;
    if (m_batch >= m_plan->batches.size()) {
        removeOldContainers();
        return;
    }
    const QList<int> &batch = m_plan->batches.at(m_batch);
    log(tr("batch %1 of %2: %3").arg(m_batch + 1).arg(m_plan->batches.size()).arg([&] {
        QStringList names;
        for (int i : batch)
            names << where(i);
        return names.join(QStringLiteral(", "));
    }()));
    m_batchOpen = int(batch.size());
    m_batchFailed = false;
    for (int index : batch) {
        replace(index, [this, index](bool ok, const QString &message) {
            if (ok) {
                setStep(index, RolloutStep::Done, message);
                log(tr("%1: healthy (%2)").arg(where(index), message));
            } else {
                m_batchFailed = true;
                if (m_failure.isEmpty())
                    m_failure = tr("%1: %2").arg(where(index), message);
                log(tr("%1: failed: %2").arg(where(index), message));
                setStep(index, RolloutStep::RollingBack, message);
            }
            if (--m_batchOpen == 0)
                batchEnded();
        });
    }
}

void DockerRollout::batchEnded()
{
    if (m_batchFailed || m_abortRequested) {
        if (m_abortRequested && m_failure.isEmpty())
            m_failure = tr("aborted");
        log(m_abortRequested ? tr("aborted: restoring every changed instance")
                             : tr("halted: restoring every changed instance"));
        setPhase(RolloutPhase::RollingBack);
        // The batch that failed first (its instances do not serve), then the finished ones,
        // newest first, one at a time.
        m_restoreQueue.clear();
        for (int index : m_plan->batches.at(m_batch))
            m_restoreQueue << index;
        for (int b = m_batch - 1; b >= 0; --b)
            for (int index : m_plan->batches.at(b))
                m_restoreQueue << index;
        restoreNext();
        return;
    }
    if (m_batch == 0 && m_request.canary && m_plan->batches.size() > 1) {
        afterCanary();
        return;
    }
    runBatch();
}

void DockerRollout::afterCanary()
{
    if (m_request.canarySoakMs > 0) {
        log(tr("canary healthy: soaking for %1 s before the other batches")
                .arg(m_request.canarySoakMs / 1000));
        setPhase(RolloutPhase::Soaking);
        m_soakTimer.start(int(std::min<qint64>(m_request.canarySoakMs, INT_MAX)));
    } else {
        log(tr("canary healthy: waiting for a go-ahead before the other batches"));
        setPhase(RolloutPhase::WaitingGoAhead);
    }
}

void DockerRollout::checkCanaryThenContinue()
{
    // The canary must still be healthy, and must not have restarted, when its time is up.
    const int index = m_plan->batches.at(0).at(0);
    const QString id = m_slots.at(index).newId;
    const int h = hostIndex(m_plan->instances.at(index).host);
    setPhase(RolloutPhase::Running);
    call(h, "GET", "/containers/" + id.toLatin1() + "/json", {}, 0, [this, index](HttpReply *r) {
        const QJsonObject state = jsonObject(r->body()).value(QStringLiteral("State")).toObject();
        const bool running =
            state.value(QStringLiteral("Status")).toString() == QLatin1String("running");
        const QString health = state.value(QStringLiteral("Health"))
                                   .toObject()
                                   .value(QStringLiteral("Status"))
                                   .toString();
        const int restarts = jsonObject(r->body()).value(QStringLiteral("RestartCount")).toInt();
        if (r->ok() && running && (health.isEmpty() || health == QLatin1String("healthy"))
            && restarts == 0 && !m_abortRequested) {
            log(tr("canary %1 still healthy: going on").arg(where(index)));
            runBatch();
            return;
        }
        m_failure =
            m_abortRequested
                ? tr("aborted")
                : tr("canary %1 is no longer healthy (%2)")
                      .arg(where(index),
                           r->ok() ? tr("state %1, health %2, %3 restarts")
                                         .arg(state.value(QStringLiteral("Status")).toString(),
                                              health.isEmpty() ? tr("none") : health)
                                         .arg(restarts)
                                   : r->errorString());
        log(m_failure);
        m_batchFailed = true;
        batchEnded();
    });
}

void DockerRollout::replace(int index, Done done)
{
    const RolloutInstance &inst = m_plan->instances.at(index);
    const int h = hostIndex(inst.host);
    const QByteArray oldId = inst.id.toLatin1();
    const QString kept = keptOldName(inst.name, m_id);
    m_progress.instances[index].startedMs = nowMs();
    auto failed = [done](HttpReply *r, const QString &what) {
        done(false, tr("%1: %2").arg(what, r->errorString()));
    };
    auto abortedBefore = [this, done]() {
        if (!m_abortRequested)
            return false;
        done(false, tr("aborted"));
        return true;
    };
    if (abortedBefore())
        return;

    setStep(index, RolloutStep::Renaming, kept);
    call(h,
         "POST",
         "/containers/" + oldId + "/rename?name=" + encoded(kept),
         {},
         0,
         [=, this](HttpReply *r) {
             if (!r->ok())
                 return failed(r, tr("rename to %1").arg(kept));
             m_slots[index].renamed = true;
             if (abortedBefore())
                 return;
             setStep(index, RolloutStep::Stopping);
             // Kept stopped, it must stay stopped: an engine restart would start an old
             // container whose policy is always / unless-stopped. Restored on rollback.
             call(h,
                  "POST",
                  "/containers/" + oldId + "/update",
                  R"({"RestartPolicy":{"Name":"no"}})",
                  0,
                  [=, this](HttpReply *updateReply) {
                      if (!updateReply->ok())
                          return failed(updateReply, tr("clear the restart policy"));
                      m_slots[index].policyCleared = true;
                      call(h,
                           "POST",
                           "/containers/" + oldId + "/stop" + stopQuery(inst.inspect),
                           {},
                           m_timings.requestTimeoutMs + stopSeconds(inst.inspect) * 1000,
                           [=, this](HttpReply *stopReply) {
                               if (!stopReply->ok())
                                   return failed(stopReply, tr("stop"));
                               m_slots[index].stopped = true;
                               if (abortedBefore())
                                   return;
                               setStep(index, RolloutStep::Creating);
                               const QJsonObject body = recreateContainerBody(
                                   inst.inspect, inst.imageInspect, m_request.image);
                               call(h,
                                    "POST",
                                    "/containers/create?name=" + encoded(inst.name),
                                    QJsonDocument(body).toJson(QJsonDocument::Compact),
                                    0,
                                    [=, this](HttpReply *createReply) {
                                        if (!createReply->ok())
                                            return failed(createReply, tr("create"));
                                        const QString newId = jsonObject(createReply->body())
                                                                  .value(QStringLiteral("Id"))
                                                                  .toString();
                                        if (newId.isEmpty())
                                            return done(
                                                false,
                                                tr("create: the engine answered without an Id"));
                                        m_slots[index].created = true;
                                        m_slots[index].newId = newId;
                                        m_progress.instances[index].newId = newId;
                                        setStep(index, RolloutStep::Starting, shortId(newId));
                                        call(h,
                                             "POST",
                                             "/containers/" + newId.toLatin1() + "/start",
                                             {},
                                             0,
                                             [=, this](HttpReply *startReply) {
                                                 if (!startReply->ok())
                                                     return failed(startReply, tr("start"));
                                                 setStep(index, RolloutStep::WaitingHealthy);
                                                 waitHealthy(index, newId, false, done);
                                             });
                                    });
                           });
                  });
         });
}

void DockerRollout::waitHealthy(int index, const QString &containerId, bool restoring, Done done)
{
    const RolloutInstance &inst = m_plan->instances.at(index);
    const int h = hostIndex(inst.host);
    const qint64 started = nowMs();
    const QString probeUrl = m_request.probe.resolve(inst.hostAddress, inst.labels).value();
    // An inspect decides; the container's own events on the engine's /events stream (start,
    // die, restart, health_status…) call for the next one at once. A timer covers what no event
    // announces (a probe, the stable time, the health timeout) and a stream that failed.
    auto wait = std::make_shared<HealthWait>();
    std::weak_ptr<HealthWait> weak = wait;
    m_waits << wait;
    wait->timer.setSingleShot(true);
    auto finish = [this, weak, done](bool ok, const QString &message) {
        const auto w = weak.lock();
        if (!w || w->ended)
            return;
        w->ended = true;
        w->timer.stop();
        if (w->events) {
            m_requests.removeAll(w->events);
            w->events->abort();
            w->events->deleteLater();
        }
        m_waits.removeAll(w);
        done(ok, message);
    };
    {
        HttpRequest events;
        events.path = "/v1.41/events?filters="
                      + QUrl::toPercentEncoding(
                          QStringLiteral(R"({"type":["container"],"container":["%1"],)"
                                         R"("event":["start","die","restart","kill","oom",)"
                                         R"("health_status","destroy"]})")
                              .arg(containerId));
        events.stream = true;
        events.timeoutMs = 0;
        events.connectTimeoutMs = m_timings.connectTimeoutMs;
        events.headersTimeoutMs = m_timings.requestTimeoutMs;
        HttpReply *reply = m_http->send(m_hosts.at(h).endpoint, events);
        wait->events = reply;
        m_requests << reply;
        // Subscribed: what changed before is seen by the next inspect.
        connect(reply, &HttpReply::headersReceived, this, [this, weak](int status) {
            if (const auto w = weak.lock(); w && status == 200) {
                w->streaming = true;
                wake(w);
            }
        });
        connect(reply, &HttpReply::dataReceived, this, [this, weak] {
            if (const auto w = weak.lock())
                wake(w);
        });
        connect(reply, &HttpReply::finished, this, [this, weak, reply] {
            m_requests.removeAll(reply);
            reply->deleteLater();
            if (const auto w = weak.lock(); w && w->events == reply) {
                w->events = nullptr;
                w->streaming = false; // back to inspecting every pollMs
            }
        });
    }
    auto check = [=, this]() {
        const auto w = weak.lock();
        if (!w || w->ended)
            return;
        if (!restoring && m_abortRequested)
            return finish(false, tr("aborted while waiting until healthy"));
        w->inFlight = true;
        call(h,
             "GET",
             "/containers/" + containerId.toLatin1() + "/json",
             {},
             0,
             [=, this](HttpReply *r) {
                 const auto live = weak.lock();
                 if (!live || live->ended)
                     return;
                 // Next inspect: at once when an event came meanwhile, else after @p dueMs (or
                 // pollMs when no event can be relied on: no stream, or a probe decides).
                 auto again = [=, this](qint64 dueMs = -1) {
                     live->inFlight = false;
                     const qint64 waited = nowMs() - started;
                     if (waited >= m_request.healthTimeoutMs)
                         return finish(
                             false,
                             tr("not healthy within %1 s").arg(m_request.healthTimeoutMs / 1000));
                     qint64 next = live->streaming && probeUrl.isEmpty() ? m_timings.eventFallbackMs
                                                                         : m_timings.pollMs;
                     if (dueMs >= 0)
                         next = std::min(next, dueMs);
                     next = std::min(next, m_request.healthTimeoutMs - waited);
                     if (live->wokenMeanwhile)
                         next = 0;
                     live->wokenMeanwhile = false;
                     live->timer.start(int(std::max<qint64>(0, next)));
                 };
                 if (!r->ok())
                     return finish(false, tr("inspect: %1").arg(r->errorString()));
                 const QJsonObject inspect = jsonObject(r->body());
                 const QJsonObject state = inspect.value(QStringLiteral("State")).toObject();
                 const QString status = state.value(QStringLiteral("Status")).toString();
                 const int restarts = inspect.value(QStringLiteral("RestartCount")).toInt();
                 if (status == QLatin1String("exited") || status == QLatin1String("dead"))
                     return finish(false,
                                   tr("the container exited with code %1")
                                       .arg(state.value(QStringLiteral("ExitCode")).toInt()));
                 if (!restoring && (status == QLatin1String("restarting") || restarts > 0)) {
                     // The engine clears ExitCode when it starts the process again: name the
                     // code only while it still means the last exit.
                     const int code = state.value(QStringLiteral("ExitCode")).toInt();
                     return finish(false,
                                   code != 0 ? tr("the container crashed and was restarted (%1 "
                                                  "restarts, exit code %2)")
                                                   .arg(restarts)
                                                   .arg(code)
                                             : tr("the container crashed and was restarted (%1 "
                                                  "restarts)")
                                                   .arg(restarts));
                 }
                 if (status != QLatin1String("running"))
                     return again();
                 const QJsonObject health = state.value(QStringLiteral("Health")).toObject();
                 const QString healthStatus = health.value(QStringLiteral("Status")).toString();
                 if (healthStatus == QLatin1String("unhealthy")) {
                     const QJsonArray checks = health.value(QStringLiteral("Log")).toArray();
                     const QString output = checks.isEmpty() ? QString()
                                                             : checks.last()
                                                                   .toObject()
                                                                   .value(QStringLiteral("Output"))
                                                                   .toString()
                                                                   .trimmed()
                                                                   .left(200);
                     return finish(false,
                                   output.isEmpty()
                                       ? tr("the health check failed")
                                       : tr("the health check failed: %1").arg(output));
                 }
                 if (!healthStatus.isEmpty() && healthStatus != QLatin1String("healthy"))
                     return again(); // starting
                 const bool dockerHealthy = healthStatus == QLatin1String("healthy");
                 if (!probeUrl.isEmpty()) {
                     probe(index, probeUrl, [=](bool ok, const QString &why) {
                         if (ok)
                             return finish(true,
                                           dockerHealthy ? tr("health check and probe pass")
                                                         : tr("probe %1 answers").arg(probeUrl));
                         Q_UNUSED(why)
                         again();
                     });
                     return;
                 }
                 if (dockerHealthy)
                     return finish(true, tr("health check passes"));
                 // Neither health check nor probe: running without a restart for a while.
                 const qint64 stable = restoring ? 0 : m_request.stableMs;
                 const QDateTime since = QDateTime::fromString(
                     state.value(QStringLiteral("StartedAt")).toString(), Qt::ISODateWithMs);
                 const qint64 runningMs =
                     since.isValid() ? nowMs() - since.toMSecsSinceEpoch() : nowMs() - started;
                 if (runningMs >= stable)
                     return finish(
                         true,
                         restoring ? tr("running")
                                   : tr("running for %1 s without a restart").arg(stable / 1000));
                 again(stable - runningMs);
             });
    };
    connect(&wait->timer, &QTimer::timeout, this, check);
    check();
}

void DockerRollout::wake(const std::shared_ptr<HealthWait> &wait)
{
    if (wait->ended)
        return;
    if (wait->inFlight)
        wait->wokenMeanwhile = true;
    else
        wait->timer.start(0);
}

void DockerRollout::probe(int index,
                          const QString &url,
                          std::function<void(bool ok, QString why)> then)
{
    Q_UNUSED(index)
    const QUrl u(url);
    if (u.scheme() == QLatin1String("tcp")) {
        auto *socket = new QTcpSocket(this);
        auto *timer = new QTimer(socket);
        timer->setSingleShot(true);
        auto finish = [socket, then](bool ok, const QString &why) {
            socket->disconnect();
            socket->abort();
            socket->deleteLater();
            then(ok, why);
        };
        connect(socket, &QTcpSocket::connected, socket, [finish] { finish(true, {}); });
        connect(socket, &QTcpSocket::errorOccurred, socket, [finish, socket] {
            finish(false, socket->errorString());
        });
        connect(timer, &QTimer::timeout, socket, [finish] { finish(false, tr("timed out")); });
        timer->start(m_timings.probeTimeoutMs);
        socket->connectToHost(u.host(), quint16(u.port()));
        return;
    }
    HttpEndpoint endpoint;
    endpoint.baseUrl = httpBaseUrl(u.adjusted(QUrl::RemovePath | QUrl::RemoveQuery).toString());
    HttpRequest r;
    r.path = u.path(QUrl::FullyEncoded).toLatin1();
    if (r.path.isEmpty())
        r.path = "/";
    if (u.hasQuery())
        r.path += '?' + u.query(QUrl::FullyEncoded).toLatin1();
    r.timeoutMs = m_timings.probeTimeoutMs;
    r.connectTimeoutMs = m_timings.probeTimeoutMs;
    r.maxBodyBytes = 1024 * 1024;
    HttpReply *reply = m_http->send(endpoint, r);
    m_requests << reply;
    connect(reply, &HttpReply::finished, this, [this, reply, then] {
        reply->deleteLater();
        m_requests.removeAll(reply);
        const bool ok = reply->status() >= 200 && reply->status() < 400;
        then(ok, ok ? QString() : reply->errorString());
    });
}

// ---- rollback ----

void DockerRollout::restoreNext()
{
    while (!m_restoreQueue.isEmpty()) {
        const int index = m_restoreQueue.takeFirst();
        const Slot &slot = m_slots.at(index);
        if (!slot.renamed && !slot.created && !slot.stopped && !slot.policyCleared) {
            setStep(index, RolloutStep::Pending, tr("not touched"));
            continue;
        }
        setStep(index, RolloutStep::RollingBack);
        restore(index, [this, index](bool ok, const QString &message) {
            if (ok) {
                setStep(index, RolloutStep::RolledBack, message);
                log(tr("%1: restored (%2)").arg(where(index), message));
            } else {
                m_restoreFailed = true;
                setStep(index, RolloutStep::Failed, message);
                log(tr("%1: could not be restored: %2").arg(where(index), message));
            }
            restoreNext();
        });
        return;
    }
    if (m_restoreFailed)
        finish(RolloutPhase::Failed,
               tr("%1; some instances could not be restored (see each instance): nothing was "
                  "deleted")
                   .arg(m_failure));
    else if (m_abortRequested)
        finish(RolloutPhase::Aborted, tr("aborted; every changed instance was restored"));
    else
        finish(RolloutPhase::RolledBack,
               tr("%1; every changed instance was restored").arg(m_failure));
}

void DockerRollout::restore(int index, Done done)
{
    const RolloutInstance &inst = m_plan->instances.at(index);
    const int h = hostIndex(inst.host);
    const QByteArray oldId = inst.id.toLatin1();
    const QString kept = keptOldName(inst.name, m_id);
    const QString failedName = keptFailedName(inst.name, m_id);
    const bool wasRunning =
        inst.state == ContainerState::Running || inst.state == ContainerState::Restarting;
    auto state = [=, this]() {
        const Slot &s = m_slots.at(index);
        QStringList parts;
        if (s.created)
            parts << tr("new container %1 (%2)")
                         .arg(shortId(s.newId), s.renamed ? failedName : inst.name);
        parts << (s.renamed ? tr("old container %1 kept as %2").arg(shortId(inst.id), kept)
                            : tr("old container %1 as %2").arg(shortId(inst.id), inst.name));
        return parts.join(QStringLiteral(", "));
    };
    auto fail = [=](HttpReply *r, const QString &what) {
        done(false, tr("%1: %2; left on %3: %4").arg(what, r->errorString(), inst.host, state()));
    };

    // 3. The old container comes back under its name, and runs again if it ran.
    auto bringBackOld = [=, this]() {
        auto startOldAfterPolicy = [=, this]() {
            if (!wasRunning || !m_slots.at(index).stopped)
                return done(true,
                            tr("old container %1 back as %2").arg(shortId(inst.id), inst.name));
            call(h, "POST", "/containers/" + oldId + "/start", {}, 0, [=, this](HttpReply *r) {
                if (!r->ok())
                    return fail(r, tr("start the old container"));
                m_slots[index].stopped = false;
                waitHealthy(index, inst.id, true, [=](bool ok, const QString &message) {
                    done(ok,
                         ok ? tr("old container %1 running again as %2 (%3)")
                                  .arg(shortId(inst.id), inst.name, message)
                            : tr("old container %1 started but %2").arg(shortId(inst.id), message));
                });
            });
        };
        auto startOld = [=, this]() {
            if (m_slots.at(index).policyCleared) {
                // Its own restart policy back first, then (if it ran) it runs again.
                call(h,
                     "POST",
                     "/containers/" + oldId + "/update",
                     QJsonDocument(QJsonObject{{QStringLiteral("RestartPolicy"),
                                                inst.inspect.value(QStringLiteral("HostConfig"))
                                                    .toObject()
                                                    .value(QStringLiteral("RestartPolicy"))}})
                         .toJson(QJsonDocument::Compact),
                     0,
                     [=, this](HttpReply *r) {
                         if (!r->ok())
                             return fail(r, tr("restore the old container's restart policy"));
                         m_slots[index].policyCleared = false;
                         startOldAfterPolicy();
                     });
                return;
            }
            startOldAfterPolicy();
        };
        if (!m_slots.at(index).renamed)
            return startOld();
        call(h,
             "POST",
             "/containers/" + oldId + "/rename?name=" + encoded(inst.name),
             {},
             0,
             [=, this](HttpReply *r) {
                 if (!r->ok())
                     return fail(r, tr("rename the old container back"));
                 m_slots[index].renamed = false;
                 startOld();
             });
    };

    const Slot &slot = m_slots.at(index);
    if (!slot.created)
        return bringBackOld();
    // 1. The new container stops, 2. and is kept out of the way, for its logs.
    const QByteArray newId = slot.newId.toLatin1();
    call(h,
         "POST",
         "/containers/" + newId + "/stop" + stopQuery(inst.inspect),
         {},
         m_timings.requestTimeoutMs + stopSeconds(inst.inspect) * 1000,
         [=, this](HttpReply *r) {
             if (!r->ok() && r->status() != 404)
                 return fail(r, tr("stop the new container"));
             if (r->status() == 404) {
                 m_slots[index].created = false;
                 return bringBackOld();
             }
             call(h,
                  "POST",
                  "/containers/" + newId + "/rename?name=" + encoded(failedName),
                  {},
                  0,
                  [=, this](HttpReply *renameReply) {
                      if (!renameReply->ok())
                          return fail(renameReply,
                                      tr("rename the new container to %1").arg(failedName));
                      m_progress.instances[index].message = failedName;
                      bringBackOld();
                  });
         });
}

// ---- the end ----

void DockerRollout::removeOldContainers()
{
    // Every instance is healthy on the new version: only now are the old containers removed
    // (without their volumes: the new ones use them).
    log(tr("every instance is healthy: removing the old containers"));
    auto pending = std::make_shared<int>(int(m_plan->instances.size()));
    auto warnings = std::make_shared<QStringList>();
    for (int index = 0; index < m_plan->instances.size(); ++index) {
        const RolloutInstance &inst = m_plan->instances.at(index);
        call(hostIndex(inst.host),
             "DELETE",
             "/containers/" + inst.id.toLatin1() + "?v=0",
             {},
             0,
             [=, this](HttpReply *r) {
                 if (!r->ok() && r->status() != 404)
                     *warnings << tr("%1: the old container %2 could not be removed (%3); it is "
                                     "kept, stopped, as %4")
                                      .arg(inst.host,
                                           shortId(inst.id),
                                           r->errorString(),
                                           keptOldName(inst.name, m_id));
                 if (--*pending > 0)
                     return;
                 for (const QString &w : std::as_const(*warnings))
                     log(w);
                 finish(RolloutPhase::Succeeded,
                        m_request.isRestart()
                            ? tr("%1 instances restarted").arg(m_plan->instances.size())
                            : tr("%1 instances now run %2")
                                  .arg(m_plan->instances.size())
                                  .arg(m_request.image));
             });
    }
}

void DockerRollout::finish(RolloutPhase phase, const QString &summary)
{
    if (m_ended)
        return;
    m_ended = true;
    m_soakTimer.stop();
    m_progress.summary = summary;
    m_progress.endedMs = nowMs();
    log(tr("%1: %2").arg(nameOf(phase), summary));
    m_progress.phase = phase;
    changed();
    emit finished(m_progress);
}

void DockerRollout::setStep(int index, RolloutStep step, const QString &message)
{
    InstanceProgress &p = m_progress.instances[index];
    p.step = step;
    if (!message.isEmpty() || step == RolloutStep::Pending)
        p.message = message;
    if (isFinal(step))
        p.endedMs = nowMs();
    changed();
}

void DockerRollout::log(const QString &text)
{
    m_progress.log << RolloutLogLine{nowMs(), text};
}

void DockerRollout::setPhase(RolloutPhase phase)
{
    m_progress.phase = phase;
    changed();
}

void DockerRollout::changed()
{
    emit progressChanged(m_progress);
}

} // namespace Opsdeck::Connectors
