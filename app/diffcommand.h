// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentsconfig.h"

#include <QString>
#include <QStringList>

namespace Opsdeck::App {

struct DiffOptions
{
    QStringList environments;                ///< two or three, as named in the environments file
    QString service;                         ///< empty: every service
    QString source = QStringLiteral("all");  ///< kv, env, image, files, all
    QString format = QStringLiteral("text"); ///< text, json, unified
    bool all = false;                        ///< include keys that are the same
    int timeoutMs = 30000;                   ///< for connecting every source and reading files
};

/// `opsdeck diff`: connects the sources of the named environments, reads the config files,
/// compares, prints. Exit 0 equal (after the expected-difference rules), 1 different, 2 error
/// (usage, configuration, or a source that could not be read — an incomplete comparison is
/// never reported as equal).
int runDiff(const Models::OpsdeckConfig &config, const DiffOptions &options);

} // namespace Opsdeck::App
