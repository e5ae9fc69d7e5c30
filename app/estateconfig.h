// SPDX-License-Identifier: MIT
#pragma once

#include "models/configprovider.h"

#include <QHash>
#include <QPointer>
#include <QSet>
#include <QTimer>

namespace Opsdeck::App {

class Estate;

/// The configuration of an Estate's environments in the four forms, for the diff viewer and
/// `opsdeck diff`: container env and image tags from the Docker stores, Marathon apps, the KV
/// stores, and config files read on request. Changes of any of them are announced coalesced.
class EstateConfigProvider final : public Models::ConfigProvider
{
    Q_OBJECT

public:
    explicit EstateConfigProvider(Estate *estate);

    QStringList configEnvironments() const override;
    QList<Models::ConfigItem> configItems(const QString &environment) const override;
    void refreshConfigFiles(const QString &environment) override;
    Models::DiffRules diffRules() const override;
    bool canEditKv(const QString &environment, Models::KvKind kind) const override;
    void requestKvEdit(const Models::KvEditRequest &request) override;

    /// Config file reads still on their way, over every environment.
    int pendingFileReads() const { return m_pendingReads; }

    /// Config files read so far for @p environment by the current refreshConfigFiles batch.
    int filesRead(const QString &environment) const
    {
        return int(m_files.value(environment).size());
    }

    /// Hooks the estate's stores up (called by Estate once its stores exist).
    void watchStores();

private:
    struct FileContent
    {
        QString service;
        QString path;
        QByteArray content;
        QString provenance;
    };

    Models::ConfigCollector collector(const QString &environment) const;
    void noteChange(const QString &environment);
    /// One read ended. Answers of a batch that a newer refreshConfigFiles replaced are dropped.
    void fileRead(const QString &environment, quint64 batch, const FileContent &file, bool ok);
    /// Reads a file out of a container through its host's connector; false when it cannot start.
    bool startContainerRead(const QString &environment,
                            quint64 batch,
                            const Models::ConfigFileRequest &request);
    void answerEdit(const Models::KvEditRequest &request, bool ok, const QString &message);

    Estate *m_estate;                           ///< owns this
    QHash<QString, QList<FileContent>> m_files; ///< by environment
    QHash<QString, int> m_pendingByEnvironment;
    QHash<QString, quint64> m_batch; ///< by environment: the current refreshConfigFiles
    /// By environment: the connections waiting for the current batch's container reads.
    QHash<QString, QList<QPointer<QObject>>> m_readGuards;
    int m_pendingReads = 0;
    QSet<QString> m_changed;
    QTimer m_coalesce;
};

} // namespace Opsdeck::App
