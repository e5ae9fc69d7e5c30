// SPDX-License-Identifier: MIT
#pragma once

#include "models/container.h"

#include <QString>
#include <QStringList>

namespace Opsdeck::Models {

/// What a person typed into the filter box, parsed once. Every term must match (AND):
/// a plain word matches name, image, host, state, id prefix or a label value (case-insensitive);
/// `host:NAME`, `state:STATE`, `image:TEXT`, `label:KEY[=VALUE]` match one field;
/// `is:flagged` keeps containers with any warning or critical flag.
class ContainerFilter
{
public:
    ContainerFilter() = default;
    explicit ContainerFilter(const QString &text);

    void setHostId(const QString &hostId) { m_hostId = hostId; }

    QString hostId() const { return m_hostId; }

    bool isEmpty() const { return m_terms.isEmpty() && m_hostId.isEmpty(); }

    bool matches(const Container &container) const;

private:
    struct Term
    {
        QString field; ///< empty for a plain word
        QString value;
    };

    QList<Term> m_terms;
    QString m_hostId;
};

} // namespace Opsdeck::Models
