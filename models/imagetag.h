// SPDX-License-Identifier: MIT
#pragma once

#include "models/result.h"

#include <QRegularExpression>
#include <QString>

#include <optional>

namespace Opsdeck::Models {

/// What a per-environment image reference says, e.g.
/// registry.example.internal/shop/orders:1.4.2-prod-3f9a1c2e.
struct ImageTag
{
    QString service;    ///< "orders"
    QString version;    ///< "1.4.2"
    QString env;        ///< "prod"
    QString confighash; ///< "3f9a1c2e"

    bool operator==(const ImageTag &) const = default;
};

/// A regular expression with (some of) the named groups service, version, env, confighash,
/// matched against the whole image reference.
class ImageTagPattern
{
public:
    /// The default pattern (defaultPattern()).
    ImageTagPattern();

    /// `[registry/path/]service:version-env-confighash` with a hex hash of 6 to 40 digits.
    static QString defaultPattern();
    /// Checks the expression: valid, at least one of the four groups, no other named group.
    static Result<ImageTagPattern> create(const QString &pattern);

    QString pattern() const { return m_expression.pattern(); }

    /// nullopt when the reference does not match (the image is then compared whole).
    std::optional<ImageTag> parse(const QString &image) const;

private:
    QRegularExpression m_expression;
};

} // namespace Opsdeck::Models
