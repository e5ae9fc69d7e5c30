// SPDX-License-Identifier: MIT
#include "views/feed/feedtokens.h"

#include <QFile>
#include <QRegularExpression>
#include <QSet>

namespace Opsdeck::Views {

Models::Result<QList<FeedToken>> parseFeedTokens(const QString &text)
{
    static const QRegularExpression whitespace(QStringLiteral("\\s+"));
    QList<FeedToken> tokens;
    QSet<QString> seen;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        QString line = lines.at(i);
        const qsizetype hash = line.indexOf(QLatin1Char('#'));
        if (hash >= 0)
            line.truncate(hash);
        line = line.trimmed();
        if (line.isEmpty())
            continue;
        const QStringList parts = line.split(whitespace, Qt::SkipEmptyParts);
        const QString where = QStringLiteral("line %1").arg(i + 1);
        if (parts.size() < 2)
            return Models::Result<QList<FeedToken>>::failure(
                QStringLiteral("%1: expected \"ROLE TOKEN [name]\"").arg(where));
        const QString role = parts.at(0).toLower();
        if (role != QLatin1String("viewer") && role != QLatin1String("operator"))
            return Models::Result<QList<FeedToken>>::failure(
                QStringLiteral("%1: role '%2' is neither viewer nor operator")
                    .arg(where, parts.at(0)));
        if (seen.contains(parts.at(1)))
            return Models::Result<QList<FeedToken>>::failure(
                QStringLiteral("%1: the token repeats an earlier line").arg(where));
        seen.insert(parts.at(1));
        const QString name = parts.size() > 2 ? parts.mid(2).join(QLatin1Char(' '))
                                              : QStringLiteral("token-%1").arg(i + 1);
        tokens.append(FeedToken{role, parts.at(1), name});
    }
    return tokens;
}

Models::Result<QList<FeedToken>> readFeedTokens(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Models::Result<QList<FeedToken>>::failure(
            QStringLiteral("cannot read the tokens file %1: %2").arg(path, file.errorString()));
    auto parsed = parseFeedTokens(QString::fromUtf8(file.readAll()));
    if (!parsed.ok())
        return Models::Result<QList<FeedToken>>::failure(
            QStringLiteral("%1: %2").arg(path, parsed.error()));
    return parsed;
}

} // namespace Opsdeck::Views
