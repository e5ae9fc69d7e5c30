// SPDX-License-Identifier: MIT
#include "models/containerfilter.h"

#include <QRegularExpression>

namespace Opsdeck::Models {

namespace {

bool contains(const QString &haystack, const QString &needle)
{
    return haystack.contains(needle, Qt::CaseInsensitive);
}

} // namespace

ContainerFilter::ContainerFilter(const QString &text)
{
    static const QRegularExpression spaces(QStringLiteral("\\s+"));
    static const QStringList fields = {QStringLiteral("host"),
                                       QStringLiteral("state"),
                                       QStringLiteral("image"),
                                       QStringLiteral("label"),
                                       QStringLiteral("is"),
                                       QStringLiteral("name")};
    const QStringList words = text.split(spaces, Qt::SkipEmptyParts);
    for (const QString &w : words) {
        const qsizetype colon = w.indexOf(QLatin1Char(':'));
        if (colon > 0 && fields.contains(w.left(colon).toLower()))
            m_terms.append({w.left(colon).toLower(), w.mid(colon + 1)});
        else
            m_terms.append({QString(), w});
    }
}

bool ContainerFilter::matches(const Container &c) const
{
    if (!m_hostId.isEmpty() && c.hostId != m_hostId)
        return false;
    for (const Term &t : m_terms) {
        if (t.field.isEmpty()) {
            bool hit = contains(c.name, t.value) || contains(c.image, t.value)
                       || contains(c.hostId, t.value) || contains(displayState(c), t.value)
                       || c.id.startsWith(t.value, Qt::CaseInsensitive);
            for (auto it = c.labels.cbegin(); !hit && it != c.labels.cend(); ++it)
                hit = contains(it.value(), t.value);
            if (!hit)
                return false;
        } else if (t.field == QLatin1String("host")) {
            if (!contains(c.hostId, t.value))
                return false;
        } else if (t.field == QLatin1String("name")) {
            if (!contains(c.name, t.value))
                return false;
        } else if (t.field == QLatin1String("state")) {
            if (!contains(displayState(c), t.value))
                return false;
        } else if (t.field == QLatin1String("image")) {
            if (!contains(c.image, t.value))
                return false;
        } else if (t.field == QLatin1String("label")) {
            const qsizetype eq = t.value.indexOf(QLatin1Char('='));
            const QString key = eq < 0 ? t.value : t.value.left(eq);
            if (!c.labels.contains(key))
                return false;
            if (eq >= 0 && c.labels.value(key) != t.value.mid(eq + 1))
                return false;
        } else if (t.field == QLatin1String("is")) {
            if (t.value.compare(QLatin1String("flagged"), Qt::CaseInsensitive) == 0
                && severityOf(c) < Severity::Warning)
                return false;
            if (t.value.compare(QLatin1String("running"), Qt::CaseInsensitive) == 0
                && c.state != ContainerState::Running)
                return false;
        }
    }
    return true;
}

} // namespace Opsdeck::Models
