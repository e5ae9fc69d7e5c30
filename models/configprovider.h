// SPDX-License-Identifier: MIT
#pragma once

#include "models/configdiff.h"
#include "models/configmodel.h"
#include "models/kvstore.h"

#include <QObject>
#include <QString>
#include <QStringList>

namespace Opsdeck::Models {

/// A change to one KV key asked for from the diff viewer (only where the environment allows
/// editing). `version` is the compare-and-set guard: the key's version as the viewer saw it
/// (0: create only if absent).
struct KvEditRequest
{
    QString environment;
    KvKind kind = KvKind::Consul;
    QString key; ///< full key, as KvEntry::key
    QByteArray value;
    qint64 version = 0;
    bool remove = false;

    bool operator==(const KvEditRequest &) const = default;
};

/// Where the front ends (the diff viewer, the diff CLI, later the feed) get configuration from:
/// every environment's config items in the four forms, collected live by the app over the
/// connectors, so views never depend on a source's wire protocol.
class ConfigProvider : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    /// Environment names, in the order of the environments file.
    virtual QStringList configEnvironments() const = 0;
    /// Everything known for @p environment now: env vars, image tags, KV keys, and the config
    /// files fetched so far.
    virtual QList<ConfigItem> configItems(const QString &environment) const = 0;
    /// Reads the config files of @p environment again (asynchronous; configChanged follows).
    virtual void refreshConfigFiles(const QString &environment) = 0;
    /// The "expected differences" of the environments file.
    virtual DiffRules diffRules() const = 0;

    /// Whether KV editing is enabled for @p environment's store of @p kind.
    virtual bool canEditKv(const QString &environment, KvKind kind) const = 0;
    /// Asynchronous; answered by kvEditFinished exactly once. Callers confirm with the user.
    virtual void requestKvEdit(const Opsdeck::Models::KvEditRequest &request) = 0;

signals:
    /// Something in @p environment's configuration changed (coalesced by the provider).
    void configChanged(const QString &environment);
    /// Every config file read that refreshConfigFiles started has ended (read or failed).
    void filesSettled(const QString &environment);
    void
    kvEditFinished(const Opsdeck::Models::KvEditRequest &request, bool ok, const QString &message);
};

} // namespace Opsdeck::Models

Q_DECLARE_METATYPE(Opsdeck::Models::KvEditRequest)
