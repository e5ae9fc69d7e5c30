// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace Opsdeck::Models {

/// True for a variable or key name that usually holds a secret (PASSWORD, TOKEN, API_KEY …).
bool looksSecret(const QString &name);
/// A fixed-width mask: its length says nothing about the secret's.
QString maskedValue();
/// "KEY=VALUE" with VALUE masked when KEY looks secret.
QString maskEnvEntry(const QString &entry);

} // namespace Opsdeck::Models
