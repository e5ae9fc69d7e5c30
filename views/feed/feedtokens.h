// SPDX-License-Identifier: MIT
#pragma once

#include "models/result.h"

#include <QList>
#include <QString>

namespace Opsdeck::Views {

/// One line of the tokens file: "ROLE TOKEN [name]".
struct FeedToken
{
    QString role;  ///< "viewer" or "operator"
    QString token; ///< the secret; never logged
    QString name;  ///< who holds it, for the audit log; "token-N" (its line) when not given

    bool operator==(const FeedToken &) const = default;
};

/// Parses a tokens file: one token per line, '#' starts a comment, blank lines ignored. A wrong
/// role, a missing token or a repeated token fails with the line named (never the token).
Models::Result<QList<FeedToken>> parseFeedTokens(const QString &text);
/// Reads and parses @p path.
Models::Result<QList<FeedToken>> readFeedTokens(const QString &path);

} // namespace Opsdeck::Views
