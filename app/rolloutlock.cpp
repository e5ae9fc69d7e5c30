// SPDX-License-Identifier: MIT
#include "app/rolloutlock.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>
#include <QUrl>

namespace Opsdeck::App {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::App::RolloutLock", text);
}

QJsonObject readRecord(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

QString RolloutLock::Interrupted::describe() const
{
    const QDateTime started =
        QDateTime::fromString(record.value(QStringLiteral("started")).toString(), Qt::ISODateWithMs)
            .toLocalTime();
    const QString image = record.value(QStringLiteral("image")).toString();
    return tr("%1 in %2: rollout %3 (%4) by %5, started %6 by pid %7, did not finish; containers "
              "of that rollout may be kept as NAME_opsdeck-old_%3 or NAME_opsdeck-failed_%3")
        .arg(service,
             environment,
             record.value(QStringLiteral("id")).toString(),
             image.isEmpty() ? tr("restart") : tr("to %1").arg(image),
             record.value(QStringLiteral("user")).toString(),
             started.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")))
        .arg(record.value(QStringLiteral("pid")).toInteger());
}

RolloutLock::RolloutLock(const QString &environment, const QString &service)
    : m_environment(environment)
    , m_service(service)
{}

RolloutLock::~RolloutLock()
{
    // A lock object that goes away without release() (an error path) keeps the record: that
    // rollout did not end cleanly. The lock file itself is released with the QLockFile.
}

QString RolloutLock::folder()
{
    QString state = qEnvironmentVariable("OPSDECK_STATE_DIR");
    if (state.isEmpty()) {
        QString base = qEnvironmentVariable("XDG_STATE_HOME");
        if (base.isEmpty())
            base = QDir::homePath() + QStringLiteral("/.local/state");
        state = base + QStringLiteral("/opsdeck");
    }
    return state + QStringLiteral("/rollouts");
}

QString RolloutLock::baseName(const QString &environment, const QString &service)
{
    return folder() + QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(environment))
           + QStringLiteral("--") + QString::fromLatin1(QUrl::toPercentEncoding(service));
}

Models::Result<bool> RolloutLock::acquire(const QJsonObject &record)
{
    using R = Models::Result<bool>;
    const QString base = baseName(m_environment, m_service);
    if (!QDir().mkpath(folder()))
        return R::failure(tr("cannot create %1").arg(folder()));
    m_lock = std::make_unique<QLockFile>(base + QStringLiteral(".lock"));
    m_lock->setStaleLockTime(0); // stale only when its holder is gone, never by age
    if (!m_lock->tryLock(0)) {
        if (m_lock->error() == QLockFile::LockFailedError) {
            const QJsonObject running = readRecord(base + QStringLiteral(".json"));
            return R::failure(
                tr("a rollout of %1 in %2 is already running (by %3, pid %4, "
                   "started %5): one at a time")
                    .arg(m_service,
                         m_environment,
                         running.value(QStringLiteral("user")).toString(),
                         QString::number(running.value(QStringLiteral("pid")).toInteger()),
                         running.value(QStringLiteral("started")).toString()));
        }
        return R::failure(
            tr("cannot take the rollout lock %1").arg(base + QStringLiteral(".lock")));
    }
    // We hold the lock: a record left here belongs to a holder that is gone.
    if (QFileInfo::exists(base + QStringLiteral(".json"))) {
        Interrupted previous{m_environment,
                             m_service,
                             readRecord(base + QStringLiteral(".json")),
                             base + QStringLiteral(".json")};
        m_lock->unlock();
        return R::failure(tr("an earlier rollout was interrupted: %1. Check those containers, "
                             "then clear it (opsdeck rollout %2 %3 --clear-interrupted, or in the "
                             "console's rollouts panel)")
                              .arg(previous.describe(), m_environment, m_service));
    }
    QSaveFile out(base + QStringLiteral(".json"));
    if (!out.open(QIODevice::WriteOnly)) {
        m_lock->unlock();
        return R::failure(tr("cannot write %1: %2").arg(out.fileName(), out.errorString()));
    }
    QJsonObject full = record;
    full.insert(QStringLiteral("environment"), m_environment);
    full.insert(QStringLiteral("service"), m_service);
    full.insert(QStringLiteral("pid"), qint64(QCoreApplication::applicationPid()));
    out.write(QJsonDocument(full).toJson());
    if (!out.commit()) {
        m_lock->unlock();
        return R::failure(tr("cannot write %1: %2").arg(out.fileName(), out.errorString()));
    }
    m_held = true;
    return true;
}

void RolloutLock::release()
{
    if (!m_held)
        return;
    QFile::remove(baseName(m_environment, m_service) + QStringLiteral(".json"));
    m_lock->unlock();
    m_held = false;
}

QList<RolloutLock::Interrupted> RolloutLock::interrupted()
{
    QList<Interrupted> out;
    const QDir dir(folder());
    for (const QFileInfo &info :
         dir.entryInfoList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
        const QString base = info.absolutePath() + QLatin1Char('/') + info.completeBaseName();
        QLockFile probe(base + QStringLiteral(".lock"));
        probe.setStaleLockTime(0);
        if (!probe.tryLock(0))
            continue; // a live rollout
        probe.unlock();
        const QJsonObject record = readRecord(info.absoluteFilePath());
        out << Interrupted{record.value(QStringLiteral("environment")).toString(),
                           record.value(QStringLiteral("service")).toString(),
                           record,
                           info.absoluteFilePath()};
    }
    return out;
}

bool RolloutLock::clearInterrupted(const QString &environment, const QString &service)
{
    const QString base = baseName(environment, service);
    QLockFile probe(base + QStringLiteral(".lock"));
    probe.setStaleLockTime(0);
    if (!probe.tryLock(0))
        return false;
    QFile::remove(base + QStringLiteral(".json"));
    probe.unlock();
    return true;
}

} // namespace Opsdeck::App
