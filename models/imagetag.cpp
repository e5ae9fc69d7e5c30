// SPDX-License-Identifier: MIT
#include "models/imagetag.h"

#include <QStringList>

namespace Opsdeck::Models {

namespace {

const QStringList &groupNames()
{
    static const QStringList names{QStringLiteral("service"),
                                   QStringLiteral("version"),
                                   QStringLiteral("env"),
                                   QStringLiteral("confighash")};
    return names;
}

} // namespace

ImageTagPattern::ImageTagPattern()
    : m_expression(defaultPattern())
{}

QString ImageTagPattern::defaultPattern()
{
    // The repository path is optional and may carry a registry port ("registry:5000/…"), so
    // the service is the last path component before the tag's colon. The version may contain
    // dashes only before a letter-led environment token ("1.4.2-rc1-prod-…" keeps "1.4.2-rc1").
    return QStringLiteral("^(?:.*/)?(?<service>[^/:@]+):(?<version>[0-9A-Za-z._+-]+?)-"
                          "(?<env>[A-Za-z][A-Za-z0-9]*)-(?<confighash>[0-9a-f]{6,40})$");
}

Result<ImageTagPattern> ImageTagPattern::create(const QString &pattern)
{
    QRegularExpression expression(pattern);
    if (!expression.isValid()) {
        return Result<ImageTagPattern>::failure(
            QStringLiteral("not a valid regular expression: %1 at offset %2")
                .arg(expression.errorString())
                .arg(expression.patternErrorOffset()));
    }
    bool any = false;
    for (const QString &name : expression.namedCaptureGroups()) {
        if (name.isEmpty())
            continue;
        if (!groupNames().contains(name)) {
            return Result<ImageTagPattern>::failure(
                QStringLiteral("unknown group (?<%1>): use service, version, env, confighash")
                    .arg(name));
        }
        any = true;
    }
    if (!any) {
        return Result<ImageTagPattern>::failure(
            QStringLiteral("needs at least one named group: service, version, env, confighash"));
    }
    ImageTagPattern result;
    result.m_expression = expression;
    return result;
}

std::optional<ImageTag> ImageTagPattern::parse(const QString &image) const
{
    const QRegularExpressionMatch match = m_expression.match(image);
    if (!match.hasMatch())
        return std::nullopt;
    ImageTag tag;
    tag.service = match.captured(QStringLiteral("service"));
    tag.version = match.captured(QStringLiteral("version"));
    tag.env = match.captured(QStringLiteral("env"));
    tag.confighash = match.captured(QStringLiteral("confighash"));
    return tag;
}

} // namespace Opsdeck::Models
