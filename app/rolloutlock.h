// SPDX-License-Identifier: MIT
#pragma once

#include "models/result.h"

#include <QJsonObject>
#include <QList>
#include <QLockFile>
#include <QString>

#include <memory>

namespace Opsdeck::App {

/// One rollout per service and environment at a time, across every Opsdeck process of this user:
/// a lock file (QLockFile: pid and host inside, so a crashed holder is recognised) and beside it
/// a record of the rollout. The record outlives a crash: the next start finds it without a live
/// holder and reports the rollout as interrupted until a person clears it.
/// Folder: $OPSDECK_STATE_DIR, else $XDG_STATE_HOME/opsdeck, else ~/.local/state/opsdeck.
class RolloutLock
{
public:
    struct Interrupted
    {
        QString environment;
        QString service;
        QJsonObject record; ///< id, user, pid, started, image, …
        QString recordPath;

        /// "shop-api in Production: rollout 20261204T031500 to …:1.5 by alice, started … ".
        QString describe() const;
    };

    RolloutLock(const QString &environment, const QString &service);
    ~RolloutLock();

    static QString folder();

    /// Takes the lock and writes @p record. An Error when another live process holds it, or when
    /// an earlier rollout of this service was interrupted and not cleared.
    Models::Result<bool> acquire(const QJsonObject &record);
    /// Ends the rollout normally: record and lock go.
    void release();

    bool held() const { return m_held; }

    /// Records of rollouts whose holder is gone (crashed, killed, power cut).
    static QList<Interrupted> interrupted();
    /// A person has looked at it: the record goes. False when a live rollout holds the lock.
    static bool clearInterrupted(const QString &environment, const QString &service);

private:
    static QString baseName(const QString &environment, const QString &service);

    QString m_environment;
    QString m_service;
    std::unique_ptr<QLockFile> m_lock;
    bool m_held = false;
};

} // namespace Opsdeck::App
