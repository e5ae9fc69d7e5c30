// SPDX-License-Identifier: MIT
#pragma once

#include "models/configmodel.h"
#include "models/environmentsconfig.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QList>
#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

namespace Opsdeck::Models {

/// How one row compares across the chosen environments.
enum class DiffStatus {
    Same,     ///< equal everywhere
    Differs,  ///< present everywhere, values differ (or drift inside one environment)
    Missing,  ///< absent in at least one environment
    Expected, ///< differs, but equal after the rules (rewrites), or the key is ignored
};

QString nameOf(DiffStatus status); ///< "same", "differs", "missing", "expected"

/// Rules that make expected differences disappear.
struct DiffRules
{
    /// Each map: environment name (case-insensitive) → its token; a token is replaced by a
    /// common placeholder only where it stands as a word ("int" in ".int.", not in "internal").
    QList<QMap<QString, QString>> rewrites;
    QStringList ignoreGlobs; ///< matched against "key" and "service/key"

    static DiffRules fromSettings(const ConfigDiffSettings &settings);
};

/// Which rows to compute.
struct DiffFilter
{
    QString service;              ///< empty: every service
    QString keyPrefix;            ///< empty: every key
    QSet<ConfigForm> forms;       ///< empty: every form
    bool onlyDifferences = false; ///< drop Same and Expected rows
};

/// One environment's side of a row.
struct DiffCell
{
    std::optional<QByteArray> value; ///< nullopt: missing there
    QString provenance;
    QList<QByteArray> otherValues; ///< drift: the other values instances have
};

/// One key of one service in one form, across the environments.
struct DiffRow
{
    ConfigForm form = ConfigForm::Env;
    QString service;
    QString key;
    QList<DiffCell> cells; ///< one per environment, in ConfigDiff::environments() order
    DiffStatus status = DiffStatus::Same;
    bool secret = false; ///< the key or a value looks secret: masked unless revealed
    bool drift = false;  ///< some environment's instances disagree
};

/// Output options.
struct DiffOutputOptions
{
    bool revealSecrets = false;
};

/// The side-by-side comparison of two or three environments' configuration.
class ConfigDiff
{
public:
    /// One environment's items.
    struct Side
    {
        QString environment;
        QList<ConfigItem> items;
    };

    /// Compares @p sides (2 or 3; more work too) under @p rules, keeping what @p filter selects.
    static ConfigDiff compute(const QList<Side> &sides,
                              const DiffRules &rules = DiffRules(),
                              const DiffFilter &filter = DiffFilter());

    QStringList environments() const { return m_environments; }

    /// Sorted by service, form, key.
    const QList<DiffRow> &rows() const { return m_rows; }

    /// Any row Differs or Missing.
    bool hasDifferences() const;

    /// For the CLI as a CI gate: 0 equal (Expected counts as equal), 1 different.
    int exitCode() const { return hasDifferences() ? 1 : 0; }

    /// {"environments": [...], "equal": bool, "rows": [{form, service, key, status, secret,
    ///  drift, values: {ENV: string|null}, provenance: {ENV: string}}]}.
    QJsonDocument toJson(const DiffOutputOptions &options = DiffOutputOptions()) const;
    /// `diff -u` style per service and form, first vs each other environment, env names as
    /// file labels; multi-line values diffed line by line. Empty when there is no difference.
    QString toUnifiedDiff(const DiffOutputOptions &options = DiffOutputOptions()) const;
    /// A plain aligned table for the terminal: FORM SERVICE KEY STATUS value per environment.
    QString toTextTable(const DiffOutputOptions &options = DiffOutputOptions()) const;

    /// What a cell shows: the value as text, binary as "hex:…" / "base64:…", a secret masked.
    static QString displayValue(const DiffRow &row, int cell, const DiffOutputOptions &options);

private:
    QStringList m_environments;
    QList<DiffRow> m_rows;
};

/// The label of one environment's side of a row in a unified diff:
/// "Staging/edge/file/etc/nginx/nginx.conf" (environment/service/form/key, single slashes).
QString diffLabel(const QString &environment, const DiffRow &row);

/// Bytes as text: UTF-8 text as is, anything else (invalid UTF-8, control characters other
/// than tab and newlines) as "hex:…" up to 32 bytes, else "base64:…". Never raw.
QString displayBytes(const QByteArray &value);

/// True for a key (its last segment) or value that looks like a secret.
bool looksSecretConfig(const QString &key, const QByteArray &value);

/// The span of @p a and @p b that differs after their common prefix and suffix, for
/// highlighting long single-line values.
struct ValueHighlight
{
    qsizetype prefix = 0; ///< length of the common prefix
    qsizetype suffix = 0; ///< length of the common suffix (not overlapping the prefix)
};

ValueHighlight valueHighlight(QStringView a, QStringView b);

/// One line of a line diff.
struct LineEdit
{
    enum class Kind {
        Keep,
        Remove,
        Insert,
    };
    Kind kind = Kind::Keep;
    QString line;
};

/// A shortest edit script from @p a to @p b (Myers' O(ND) algorithm).
QList<LineEdit> diffLines(const QStringList &a, const QStringList &b);

/// The hunks of a unified diff of @p a and @p b with @p context lines, headed by
/// `--- labelA` / `+++ labelB`; empty when equal.
QString unifiedDiff(const QStringList &a,
                    const QStringList &b,
                    const QString &labelA,
                    const QString &labelB,
                    int context = 3);

} // namespace Opsdeck::Models
