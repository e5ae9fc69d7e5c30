// SPDX-License-Identifier: MIT
#include "models/secrets.h"

#include <QRegularExpression>

namespace Opsdeck::Models {

bool looksSecret(const QString &name)
{
    static const QRegularExpression pattern(
        QStringLiteral("(PASS(WORD|WD)?|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH|"
                       "ACCESS_?KEY|SESSION_?KEY|DSN|CONN(ECTION)?_?STRING|SALT|COOKIE)"),
        QRegularExpression::CaseInsensitiveOption);
    return pattern.match(name).hasMatch();
}

QString maskedValue()
{
    return QStringLiteral("••••••••");
}

QString maskEnvEntry(const QString &entry)
{
    const qsizetype eq = entry.indexOf(QLatin1Char('='));
    if (eq < 0 || !looksSecret(entry.left(eq)))
        return entry;
    return entry.left(eq + 1) + maskedValue();
}

} // namespace Opsdeck::Models
