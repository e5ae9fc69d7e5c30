// SPDX-License-Identifier: MIT
#include "app/productionguard.h"

#include <QCoreApplication>

namespace Opsdeck::App {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::App::ProductionGuard", text);
}

} // namespace

bool yesIMeanMatches(const QString &yesIMean, const Models::EnvironmentConfig &environment)
{
    return !yesIMean.isEmpty() && yesIMean == environment.name;
}

bool confirmProduction(const Models::EnvironmentConfig &environment,
                       bool yesFlag,
                       QTextStream &in,
                       QTextStream &out,
                       QString *why,
                       const QString &what)
{
    if (!environment.production)
        return true;
    out << tr("Environment: %1 (PRODUCTION)").arg(environment.name) << '\n';
    if (!what.isEmpty())
        out << tr("Action:      %1").arg(what) << '\n';
    if (yesFlag) {
        out << tr("Confirmed by --yes-i-mean-%1.").arg(environment.name) << '\n';
        out.flush();
        return true;
    }
    out << tr("Type the environment's name (%1) to go on: ").arg(environment.name);
    out.flush();
    const QString typed = in.readLine();
    if (typed.isNull()) {
        out << '\n';
        out.flush();
        if (why)
            *why = tr("not confirmed: no answer (end of input); type %1, or pass "
                      "--yes-i-mean-%1")
                       .arg(environment.name);
        return false;
    }
    if (typed.trimmed() != environment.name) {
        if (why)
            *why = tr("not confirmed: typed '%1', expected '%2'")
                       .arg(typed.trimmed(), environment.name);
        return false;
    }
    return true;
}

} // namespace Opsdeck::App
