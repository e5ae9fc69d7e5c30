// SPDX-License-Identifier: MIT
#include "app/auditcommand.h"

#include "app/auditlog.h"
#include "models/auditrecord.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QTextStream>

#include <algorithm>

namespace Opsdeck::App {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::App::AuditCommand", text);
}

} // namespace

int runAudit(const AuditCommandOptions &options, QTextStream &out, QTextStream &err)
{
    const QDateTime now = options.now.isValid() ? options.now : QDateTime::currentDateTime();
    const QString file = options.file.isEmpty() ? AuditLog::path() : options.file;
    Models::AuditFilter filter;
    filter.environment = options.environment;
    if (!options.since.isEmpty()) {
        filter.since = Models::parseAuditSince(options.since, now);
        if (!filter.since.isValid()) {
            err << QStringLiteral("opsdeck: audit: ")
                << tr("--since: expected a duration such as 2h, 30m or 7d, or an ISO date or "
                      "date-time, got '%1'")
                       .arg(options.since)
                << '\n';
            err.flush();
            return 2;
        }
    }
    QString error;
    const Models::AuditParseResult result = AuditLog::read(file, filter, &error);
    if (!error.isEmpty()) {
        err << QStringLiteral("opsdeck: audit: ") << error << '\n';
        err.flush();
        return 2;
    }
    for (const Models::AuditLineError &e : result.errors)
        err << QStringLiteral("opsdeck: audit: ")
            << tr("%1 line %2 is not a record (skipped): %3").arg(file).arg(e.line).arg(e.message)
            << '\n';
    err.flush();

    if (options.json) {
        for (const Models::AuditRecord &r : result.records)
            out << QString::fromUtf8(QJsonDocument(r.toJson()).toJson(QJsonDocument::Compact))
                << '\n';
        out.flush();
        return 0;
    }
    if (result.records.isEmpty()) {
        out << tr("No audit records in %1%2%3.")
                   .arg(file,
                        options.environment.isEmpty()
                            ? QString()
                            : tr(" for environment %1").arg(options.environment),
                        options.since.isEmpty() ? QString() : tr(" since %1").arg(options.since))
            << '\n';
        out.flush();
        return 0;
    }
    const QStringList header{tr("TIME"),
                             tr("USER"),
                             tr("ENVIRONMENT"),
                             tr("ACTION"),
                             tr("TARGET"),
                             tr("OUTCOME"),
                             tr("PARAMETERS"),
                             tr("DETAIL")};
    QList<QStringList> rows;
    for (const Models::AuditRecord &r : result.records)
        rows << QStringList{Models::auditTimeWithAge(r.time, now.toMSecsSinceEpoch()),
                            r.user,
                            r.environment,
                            r.action,
                            r.target,
                            r.outcome,
                            Models::auditParametersText(r.parameters),
                            r.detail};
    QList<qsizetype> widths(header.size(), 0);
    for (qsizetype c = 0; c < header.size(); ++c) {
        widths[c] = header.at(c).size();
        for (const QStringList &row : std::as_const(rows))
            widths[c] = std::max(widths[c], row.at(c).size());
    }
    auto print = [&out, &widths](const QStringList &row) {
        QString line;
        for (qsizetype c = 0; c < row.size(); ++c) {
            if (c + 1 == row.size())
                line += row.at(c);
            else
                line += row.at(c).leftJustified(widths.at(c)) + QStringLiteral("  ");
        }
        out << QStringView(line).trimmed() << '\n';
    };
    print(header);
    for (const QStringList &row : std::as_const(rows))
        print(row);
    out.flush();
    return 0;
}

} // namespace Opsdeck::App
