// SPDX-License-Identifier: MIT
#include "connectors/kafka/kafkaconnector.h"

#include "connectors/kafka/kafkaoffsetreader.h"

#include <QDateTime>
#include <QLoggingCategory>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

Q_DECLARE_LOGGING_CATEGORY(lcKafkaConnector)

namespace Opsdeck::Connectors {

using namespace Opsdeck::Models;
using Clock = std::chrono::steady_clock;

namespace {

/// How long the destructor waits for workers to close their handles. rd_kafka_destroy can
/// hang after a broker outage (librdkafka #4674, apis.md 6.5): past this the thread is left
/// to finish by itself rather than freezing the application's shutdown.
constexpr auto kShutdownWait = std::chrono::milliseconds(3000);

} // namespace

/// State shared by a KafkaConnector and its worker thread. Everything but `cancel` and the
/// thread object is guarded by `mutex`.
class KafkaWorker
{
public:
    std::mutex mutex;
    std::condition_variable wake;
    std::condition_variable finishedChanged;
    bool stopRequested = false;
    bool refreshRequested = false;
    bool finished = false;
    std::atomic_bool cancel = false;
    /// Posts a sample to the connector's thread; cleared on stop, so a late sample is dropped.
    std::function<void(const KafkaSample &)> deliver;
    std::thread thread;

    void requestStop()
    {
        {
            const std::lock_guard lock(mutex);
            stopRequested = true;
            deliver = nullptr;
        }
        cancel = true;
        wake.notify_all();
    }

    bool waitFinished(Clock::time_point deadline)
    {
        std::unique_lock lock(mutex);
        return finishedChanged.wait_until(lock, deadline, [this] { return finished; });
    }
};

namespace {

void runWorker(const std::shared_ptr<KafkaWorker> &worker,
               const KafkaClusterConfig &cluster,
               const KafkaConfig &settings)
{
    const auto interval = std::chrono::milliseconds(std::max<qint64>(settings.refreshMs, 100));
    {
        // Created, used and destroyed on this thread only.
        KafkaOffsetReader reader(cluster, settings);
        auto next = Clock::now();
        for (;;) {
            {
                std::unique_lock lock(worker->mutex);
                worker->wake.wait_until(
                    lock, next, [&] { return worker->stopRequested || worker->refreshRequested; });
                if (worker->stopRequested)
                    break;
                worker->refreshRequested = false;
            }
            const auto started = Clock::now();
            const KafkaSample sample = reader.refresh(&worker->cancel);
            {
                const std::lock_guard lock(worker->mutex);
                if (worker->stopRequested)
                    break;
                if (worker->deliver)
                    worker->deliver(sample);
            }
            // Refreshes never overlap; one that overran its interval is followed by a pause.
            next = std::max(started + interval, Clock::now() + interval / 4);
        }
    }
    const std::lock_guard lock(worker->mutex);
    worker->finished = true;
    worker->finishedChanged.notify_all();
}

} // namespace

KafkaConnector::KafkaConnector(const QString &environment,
                               const KafkaClusterConfig &cluster,
                               const KafkaConfig &settings,
                               QObject *parent)
    : QObject(parent)
    , m_environment(environment)
    , m_cluster(cluster)
    , m_settings(settings)
{
    m_status.id = cluster.name;
    m_status.displayName = cluster.name;
    m_status.url = cluster.bootstrapServers;
    m_status.since = QDateTime::currentDateTimeUtc();
}

KafkaConnector::~KafkaConnector()
{
    stop();
    const auto deadline = Clock::now() + kShutdownWait;
    for (const std::shared_ptr<KafkaWorker> &worker : m_retired) {
        if (worker->waitFinished(deadline)) {
            worker->thread.join();
        } else {
            qCWarning(lcKafkaConnector,
                      "cluster '%s': the Kafka client did not close in time; left to finish",
                      qUtf8Printable(m_cluster.name));
            worker->thread.detach(); // it holds its own reference to the shared state
        }
    }
}

void KafkaConnector::start()
{
    if (m_worker)
        return;
    // Reap workers that have finished closing since.
    std::erase_if(m_retired, [](const std::shared_ptr<KafkaWorker> &worker) {
        if (!worker->waitFinished(Clock::now()))
            return false;
        worker->thread.join();
        return true;
    });
    setState(SourceState::Connecting, QString());
    auto worker = std::make_shared<KafkaWorker>();
    worker->deliver = [this](const KafkaSample &sample) {
        // Queued to our thread; pending calls die with this object.
        QMetaObject::invokeMethod(
            this, [this, sample] { onSample(sample); }, Qt::QueuedConnection);
    };
    worker->thread = std::thread(runWorker, worker, m_cluster, m_settings);
    m_worker = std::move(worker);
}

void KafkaConnector::stop()
{
    if (!m_worker)
        return;
    m_worker->requestStop();
    m_retired.push_back(std::move(m_worker));
    m_worker.reset();
}

void KafkaConnector::refreshNow()
{
    if (!m_worker)
        return;
    {
        const std::lock_guard lock(m_worker->mutex);
        m_worker->refreshRequested = true;
    }
    m_worker->wake.notify_all();
}

void KafkaConnector::onSample(const KafkaSample &sample)
{
    if (!m_worker)
        return; // stopped meanwhile
    if (sample.error.isEmpty()) {
        m_status.lastSeen = QDateTime::currentDateTimeUtc();
        setState(SourceState::Connected, QString());
    } else {
        setState(SourceState::Unreachable, sample.error);
    }
    emit sampleReady(sample);
}

void KafkaConnector::setState(SourceState state, const QString &error)
{
    if (m_status.state == state && m_status.error == error)
        return;
    if (m_status.state != state)
        m_status.since = QDateTime::currentDateTimeUtc();
    m_status.state = state;
    m_status.error = error;
    emit statusChanged(m_status);
}

} // namespace Opsdeck::Connectors
