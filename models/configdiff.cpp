// SPDX-License-Identifier: MIT
#include "models/configdiff.h"

#include "models/secrets.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStringDecoder>

#include <algorithm>

namespace Opsdeck::Models {

namespace {

// Short binary values read better as hex, longer ones as base64 (a third shorter).
constexpr qsizetype kHexUpTo = 32;
// The text table shortens values to this many characters; the JSON and the diff keep them whole.
constexpr qsizetype kTableValueWidth = 48;

/// Row order: service, form, key.
int compareRowKey(const ConfigItem &a, const ConfigItem &b)
{
    if (const int c = a.service.compare(b.service))
        return c;
    if (a.form != b.form)
        return a.form < b.form ? -1 : 1;
    return a.key.compare(b.key);
}

bool isWordByte(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z')
           || u == '_';
}

/// Replaces every whole-word occurrence of @p token in @p value by @p placeholder.
QByteArray
replaceWord(const QByteArray &value, const QByteArray &token, const QByteArray &placeholder)
{
    if (token.isEmpty())
        return value;
    QByteArray out;
    qsizetype from = 0;
    qsizetype at = value.indexOf(token, from);
    if (at < 0)
        return value;
    while (at >= 0) {
        const qsizetype end = at + token.size();
        const bool before = at == 0 || !isWordByte(value.at(at - 1));
        const bool after = end == value.size() || !isWordByte(value.at(end));
        if (before && after) {
            out += QByteArrayView(value).sliced(from, at - from);
            out += placeholder;
            from = end;
            at = value.indexOf(token, end);
        } else {
            at = value.indexOf(token, at + 1);
        }
    }
    out += QByteArrayView(value).sliced(from);
    return out;
}

/// A key glob: `*` any run of characters (slashes too), `?` one character. Plain words and
/// one leading or trailing `*` are matched without a regular expression.
class Glob
{
public:
    explicit Glob(const QString &glob)
    {
        const qsizetype stars = glob.count(QLatin1Char('*'));
        if (glob.contains(QLatin1Char('?')) || stars > 1
            || (stars == 1 && !glob.startsWith(QLatin1Char('*'))
                && !glob.endsWith(QLatin1Char('*')))) {
            m_expression = globExpression(glob);
            m_kind = Kind::Expression;
        } else if (stars == 0) {
            m_text = glob;
            m_kind = Kind::Exact;
        } else if (glob.startsWith(QLatin1Char('*'))) {
            m_text = glob.mid(1);
            m_kind = Kind::Suffix;
        } else {
            m_text = glob.chopped(1);
            m_kind = Kind::Prefix;
        }
    }

    bool matches(const QString &text) const
    {
        switch (m_kind) {
        case Kind::Exact:
            return text == m_text;
        case Kind::Prefix:
            return text.startsWith(m_text);
        case Kind::Suffix:
            return text.endsWith(m_text);
        case Kind::Expression:
            return m_expression.match(text).hasMatch();
        }
        return false;
    }

private:
    static QRegularExpression globExpression(const QString &glob);

    enum class Kind {
        Exact,
        Prefix,
        Suffix,
        Expression,
    };
    Kind m_kind = Kind::Exact;
    QString m_text;
    QRegularExpression m_expression;
};

QRegularExpression Glob::globExpression(const QString &glob)
{
    QString pattern;
    for (const QChar c : glob) {
        if (c == QLatin1Char('*'))
            pattern += QLatin1String(".*");
        else if (c == QLatin1Char('?'))
            pattern += QLatin1Char('.');
        else
            pattern += QRegularExpression::escape(QString(c));
    }
    return QRegularExpression(QRegularExpression::anchoredPattern(pattern),
                              QRegularExpression::DontCaptureOption);
}

QString lastKeySegment(const QString &key)
{
    const qsizetype slash = key.lastIndexOf(QLatin1Char('/'));
    return slash < 0 ? key : key.mid(slash + 1);
}

bool isMultiLine(const DiffRow &row)
{
    if (row.form == ConfigForm::File)
        return true;
    return std::any_of(row.cells.cbegin(), row.cells.cend(), [](const DiffCell &c) {
        return c.value && c.value->contains('\n');
    });
}

bool isText(const QByteArray &value)
{
    for (const char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t' && c != '\n' && c != '\r') || u == 0x7f)
            return false;
    }
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder(value);
    return !decoder.hasError();
}

QString shortened(const QString &text, qsizetype width)
{
    QString oneLine = text;
    const qsizetype newline = oneLine.indexOf(QLatin1Char('\n'));
    if (newline >= 0) {
        const qsizetype lines =
            text.count(QLatin1Char('\n')) + (text.endsWith(QLatin1Char('\n')) ? 0 : 1);
        oneLine = oneLine.left(newline) + QStringLiteral(" …(%1 lines)").arg(lines);
    }
    if (oneLine.size() <= width)
        return oneLine;
    return oneLine.left(width - 1) + QChar(0x2026);
}

QStringList splitLines(const QString &text)
{
    QStringList lines = text.split(QLatin1Char('\n'));
    if (!lines.isEmpty() && lines.constLast().isEmpty())
        lines.removeLast();
    return lines;
}

bool looksSecretKey(const QString &key)
{
    // secrets.h knows variable names; config keys also name keys for signing and encryption.
    static const QRegularExpression keyPattern(
        QStringLiteral("(SIGNING|ENCRYPTION|MASTER|HMAC)[_-]?KEY|CERT(IFICATE)?_?KEY"),
        QRegularExpression::CaseInsensitiveOption);
    // Every word either pattern looks for contains one of these: most keys skip both regexes.
    static const QLatin1String kHints[] = {QLatin1String("pass"),
                                           QLatin1String("secret"),
                                           QLatin1String("token"),
                                           QLatin1String("key"),
                                           QLatin1String("credential"),
                                           QLatin1String("auth"),
                                           QLatin1String("dsn"),
                                           QLatin1String("conn"),
                                           QLatin1String("salt"),
                                           QLatin1String("cookie")};
    const QString name = lastKeySegment(key);
    const bool hinted = std::any_of(std::begin(kHints), std::end(kHints), [&](QLatin1String h) {
        return name.contains(h, Qt::CaseInsensitive);
    });
    return hinted && (looksSecret(name) || keyPattern.match(name).hasMatch());
}

bool looksSecretValue(const QByteArray &value)
{
    return value.contains("-----BEGIN") && value.contains("PRIVATE KEY-----");
}

} // namespace

QString nameOf(DiffStatus status)
{
    switch (status) {
    case DiffStatus::Same:
        return QStringLiteral("same");
    case DiffStatus::Differs:
        return QStringLiteral("differs");
    case DiffStatus::Missing:
        return QStringLiteral("missing");
    case DiffStatus::Expected:
        return QStringLiteral("expected");
    }
    return QString();
}

DiffRules DiffRules::fromSettings(const ConfigDiffSettings &settings)
{
    DiffRules rules;
    rules.rewrites = settings.rewrites;
    rules.ignoreGlobs = settings.ignore;
    return rules;
}

bool looksSecretConfig(const QString &key, const QByteArray &value)
{
    return looksSecretKey(key) || looksSecretValue(value);
}

QString displayBytes(const QByteArray &value)
{
    if (isText(value))
        return QString::fromUtf8(value);
    if (value.size() <= kHexUpTo)
        return QLatin1String("hex:") + QString::fromLatin1(value.toHex());
    return QLatin1String("base64:") + QString::fromLatin1(value.toBase64());
}

ConfigDiff
ConfigDiff::compute(const QList<Side> &sides, const DiffRules &rules, const DiffFilter &filter)
{
    ConfigDiff diff;
    const qsizetype n = sides.size();
    for (const Side &side : sides)
        diff.m_environments << side.environment;

    // Each side's selected items in row order (the collector already hands them sorted), then
    // one n-way merge: no hashing, and the rows come out sorted.
    const auto selected = [&](const ConfigItem &item) {
        return (filter.service.isEmpty() || item.service == filter.service)
               && (filter.forms.isEmpty() || filter.forms.contains(item.form))
               && (filter.keyPrefix.isEmpty() || item.key.startsWith(filter.keyPrefix));
    };
    QList<QList<const ConfigItem *>> ordered(n);
    for (qsizetype s = 0; s < n; ++s) {
        QList<const ConfigItem *> &list = ordered[s];
        list.reserve(sides.at(s).items.size());
        for (const ConfigItem &item : sides.at(s).items) {
            if (selected(item))
                list << &item;
        }
        const auto less = [](const ConfigItem *a, const ConfigItem *b) {
            return compareRowKey(*a, *b) < 0;
        };
        if (!std::is_sorted(list.cbegin(), list.cend(), less))
            std::stable_sort(list.begin(), list.end(), less);
    }
    QList<DiffRow> rows;
    rows.reserve(ordered.isEmpty() ? 0 : ordered.at(0).size());
    QList<qsizetype> at(n, 0);
    forever {
        const ConfigItem *head = nullptr;
        for (qsizetype s = 0; s < n; ++s) {
            if (at.at(s) < ordered.at(s).size()) {
                const ConfigItem *candidate = ordered.at(s).at(at.at(s));
                if (!head || compareRowKey(*candidate, *head) < 0)
                    head = candidate;
            }
        }
        if (!head)
            break;
        DiffRow row;
        row.form = head->form;
        row.service = head->service;
        row.key = head->key;
        row.cells.resize(n);
        for (qsizetype s = 0; s < n; ++s) {
            const QList<const ConfigItem *> &list = ordered.at(s);
            DiffCell &cell = row.cells[s];
            qsizetype &i = at[s];
            for (; i < list.size() && compareRowKey(*list.at(i), *head) == 0; ++i) {
                const ConfigItem &item = *list.at(i);
                if (!cell.value) {
                    cell.value = item.value;
                    cell.provenance = item.provenance;
                } else if (*cell.value != item.value && !cell.otherValues.contains(item.value)) {
                    cell.otherValues << item.value;
                }
                if (!cell.otherValues.isEmpty() || item.drift)
                    row.drift = true;
            }
        }
        rows << std::move(row);
    }

    // Per side, the (token, placeholder) pairs of the rewrite rules naming its environment.
    QList<QList<std::pair<QByteArray, QByteArray>>> rewrites(n);
    for (qsizetype r = 0; r < rules.rewrites.size(); ++r) {
        const QMap<QString, QString> &rule = rules.rewrites.at(r);
        const QByteArray placeholder = "\x01rewrite" + QByteArray::number(r) + '\x01';
        for (auto it = rule.cbegin(); it != rule.cend(); ++it) {
            for (qsizetype s = 0; s < n; ++s) {
                if (diff.m_environments.at(s).compare(it.key(), Qt::CaseInsensitive) == 0)
                    rewrites[s].append({it.value().toUtf8(), placeholder});
            }
        }
    }
    QList<Glob> ignores;
    for (const QString &glob : rules.ignoreGlobs)
        ignores << Glob(glob);
    const auto ignored = [&](const DiffRow &row) {
        if (ignores.isEmpty())
            return false;
        const QString qualified = row.service + QLatin1Char('/') + row.key;
        return std::any_of(ignores.cbegin(), ignores.cend(), [&](const Glob &glob) {
            return glob.matches(row.key) || glob.matches(qualified);
        });
    };
    const auto rewritten = [&](qsizetype s, const QByteArray &value) {
        QByteArray out = value;
        for (const auto &[token, placeholder] : rewrites.at(s))
            out = replaceWord(out, token, placeholder);
        return out;
    };

    QList<DiffRow> kept;
    kept.reserve(rows.size());
    for (DiffRow &row : rows) {
        row.secret = looksSecretKey(row.key);
        bool missing = false;
        bool equal = true;
        for (qsizetype s = 0; s < n; ++s) {
            const DiffCell &cell = row.cells.at(s);
            if (!cell.value) {
                missing = true;
                continue;
            }
            row.secret = row.secret || looksSecretValue(*cell.value);
            if (s > 0 && row.cells.at(0).value && *row.cells.at(0).value != *cell.value)
                equal = false;
        }
        if (missing)
            row.status = ignored(row) ? DiffStatus::Expected : DiffStatus::Missing;
        else if (equal && !row.drift)
            row.status = DiffStatus::Same;
        else if (ignored(row))
            row.status = DiffStatus::Expected;
        else if (row.drift)
            row.status = DiffStatus::Differs;
        else {
            const QByteArray first = rewritten(0, *row.cells.at(0).value);
            bool expected = true;
            for (qsizetype s = 1; s < n && expected; ++s)
                expected = rewritten(s, *row.cells.at(s).value) == first;
            row.status = expected ? DiffStatus::Expected : DiffStatus::Differs;
        }
        if (filter.onlyDifferences
            && (row.status == DiffStatus::Same || row.status == DiffStatus::Expected))
            continue;
        kept << std::move(row);
    }
    diff.m_rows = std::move(kept);
    return diff;
}

bool ConfigDiff::hasDifferences() const
{
    return std::any_of(m_rows.cbegin(), m_rows.cend(), [](const DiffRow &row) {
        return row.status == DiffStatus::Differs || row.status == DiffStatus::Missing;
    });
}

QString ConfigDiff::displayValue(const DiffRow &row, int cell, const DiffOutputOptions &options)
{
    if (cell < 0 || cell >= row.cells.size() || !row.cells.at(cell).value)
        return QString();
    if (row.secret && !options.revealSecrets)
        return maskedValue();
    const DiffCell &c = row.cells.at(cell);
    QString text = displayBytes(*c.value);
    for (const QByteArray &other : c.otherValues)
        text += QLatin1String(" | ") + displayBytes(other);
    return text;
}

QJsonDocument ConfigDiff::toJson(const DiffOutputOptions &options) const
{
    QJsonArray rows;
    QMap<QString, int> counts;
    for (const DiffRow &row : m_rows) {
        QJsonObject values;
        QJsonObject provenance;
        QJsonObject drift;
        for (int s = 0; s < m_environments.size(); ++s) {
            const DiffCell &cell = row.cells.at(s);
            const QString &env = m_environments.at(s);
            if (!cell.value) {
                values.insert(env, QJsonValue::Null);
                continue;
            }
            values.insert(env, displayBytes(*cell.value));
            provenance.insert(env, cell.provenance);
            if (!cell.otherValues.isEmpty()) {
                QJsonArray others;
                for (const QByteArray &v : cell.otherValues)
                    others.append(row.secret && !options.revealSecrets ? maskedValue()
                                                                       : displayBytes(v));
                drift.insert(env, others);
            }
            if (row.secret && !options.revealSecrets)
                values.insert(env, maskedValue());
        }
        QJsonObject o{{QStringLiteral("form"), nameOf(row.form)},
                      {QStringLiteral("service"), row.service},
                      {QStringLiteral("key"), row.key},
                      {QStringLiteral("status"), nameOf(row.status)},
                      {QStringLiteral("secret"), row.secret},
                      {QStringLiteral("drift"), row.drift},
                      {QStringLiteral("values"), values},
                      {QStringLiteral("provenance"), provenance}};
        if (!drift.isEmpty())
            o.insert(QStringLiteral("other_values"), drift);
        rows.append(o);
        ++counts[nameOf(row.status)];
    }
    QJsonObject summary;
    for (const DiffStatus s :
         {DiffStatus::Same, DiffStatus::Differs, DiffStatus::Missing, DiffStatus::Expected})
        summary.insert(nameOf(s), counts.value(nameOf(s)));
    return QJsonDocument(
        QJsonObject{{QStringLiteral("environments"), QJsonArray::fromStringList(m_environments)},
                    {QStringLiteral("equal"), !hasDifferences()},
                    {QStringLiteral("summary"), summary},
                    {QStringLiteral("rows"), rows}});
}

namespace {

QString sectionOf(const DiffRow &row)
{
    return row.service.isEmpty() ? nameOf(row.form)
                                 : row.service + QLatin1Char('/') + nameOf(row.form);
}

} // namespace

QString diffLabel(const QString &environment, const DiffRow &row)
{
    // "Staging/edge/file/etc/nginx/nginx.conf": one slash between the parts even when the key
    // is an absolute path.
    QString key = row.key;
    while (key.startsWith(QLatin1Char('/')))
        key.remove(0, 1);
    return environment + QLatin1Char('/') + sectionOf(row) + QLatin1Char('/') + key;
}

QString ConfigDiff::toUnifiedDiff(const DiffOutputOptions &options) const
{
    QString out;
    for (int other = 1; other < m_environments.size(); ++other) {
        const QString &envA = m_environments.at(0);
        const QString &envB = m_environments.at(other);
        for (qsizetype i = 0; i < m_rows.size();) {
            qsizetype j = i;
            QStringList a;
            QStringList b;
            while (j < m_rows.size() && m_rows.at(j).service == m_rows.at(i).service
                   && m_rows.at(j).form == m_rows.at(i).form) {
                const DiffRow &row = m_rows.at(j++);
                // Expected differences are what the rules say to leave out.
                if (row.status == DiffStatus::Expected)
                    continue;
                if (isMultiLine(row)) {
                    const DiffCell &ca = row.cells.at(0);
                    const DiffCell &cb = row.cells.at(other);
                    if (ca.value == cb.value)
                        continue;
                    const QString labelA = diffLabel(envA, row);
                    const QString labelB = diffLabel(envB, row);
                    if (row.secret && !options.revealSecrets) {
                        out += QStringLiteral("Secret values %1 and %2 differ (masked)\n")
                                   .arg(labelA, labelB);
                    } else if ((ca.value && !isText(*ca.value))
                               || (cb.value && !isText(*cb.value))) {
                        out +=
                            QStringLiteral("Binary files %1 and %2 differ\n").arg(labelA, labelB);
                    } else {
                        out += unifiedDiff(
                            ca.value ? splitLines(QString::fromUtf8(*ca.value)) : QStringList(),
                            cb.value ? splitLines(QString::fromUtf8(*cb.value)) : QStringList(),
                            ca.value ? labelA : QStringLiteral("/dev/null"),
                            cb.value ? labelB : QStringLiteral("/dev/null"));
                    }
                    continue;
                }
                const QString prefix = row.key + QLatin1Char('=');
                if (row.cells.at(0).value)
                    a << prefix + displayValue(row, 0, options);
                if (row.cells.at(other).value)
                    b << prefix + displayValue(row, other, options);
            }
            out += unifiedDiff(a,
                               b,
                               envA + QLatin1Char('/') + sectionOf(m_rows.at(i)),
                               envB + QLatin1Char('/') + sectionOf(m_rows.at(i)));
            i = j;
        }
    }
    return out;
}

QString ConfigDiff::toTextTable(const DiffOutputOptions &options) const
{
    QList<QStringList> lines;
    QStringList header{QStringLiteral("FORM"),
                       QStringLiteral("SERVICE"),
                       QStringLiteral("KEY"),
                       QStringLiteral("STATUS")};
    header << m_environments;
    lines << header;
    for (const DiffRow &row : m_rows) {
        QStringList line{nameOf(row.form),
                         row.service.isEmpty() ? QStringLiteral("-") : row.service,
                         row.key,
                         nameOf(row.status) + (row.drift ? QStringLiteral("+drift") : QString())};
        for (int s = 0; s < m_environments.size(); ++s) {
            line << (row.cells.at(s).value
                         ? shortened(displayValue(row, s, options), kTableValueWidth)
                         : QStringLiteral("(missing)"));
        }
        lines << line;
    }
    QList<qsizetype> widths(header.size(), 0);
    for (const QStringList &line : lines) {
        for (qsizetype c = 0; c < line.size(); ++c)
            widths[c] = std::max(widths.at(c), line.at(c).size());
    }
    QString out;
    for (const QStringList &line : lines) {
        QString text;
        for (qsizetype c = 0; c < line.size(); ++c) {
            if (c + 1 == line.size())
                text += line.at(c);
            else
                text += line.at(c).leftJustified(widths.at(c)) + QLatin1String("  ");
        }
        out += text + QLatin1Char('\n');
    }
    return out;
}

ValueHighlight valueHighlight(QStringView a, QStringView b)
{
    ValueHighlight h;
    const qsizetype shorter = std::min(a.size(), b.size());
    while (h.prefix < shorter && a.at(h.prefix) == b.at(h.prefix))
        ++h.prefix;
    // Never split a surrogate pair: the span starts at a whole character.
    if (h.prefix > 0 && h.prefix < shorter && a.at(h.prefix - 1).isHighSurrogate())
        --h.prefix;
    while (h.suffix < shorter - h.prefix
           && a.at(a.size() - 1 - h.suffix) == b.at(b.size() - 1 - h.suffix))
        ++h.suffix;
    if (h.suffix > 0 && h.suffix < shorter - h.prefix && a.at(a.size() - h.suffix).isLowSurrogate())
        --h.suffix;
    return h;
}

QList<LineEdit> diffLines(const QStringList &a, const QStringList &b)
{
    // Common prefix and suffix first: config files usually differ in a few lines.
    qsizetype head = 0;
    while (head < a.size() && head < b.size() && a.at(head) == b.at(head))
        ++head;
    qsizetype tail = 0;
    while (tail < a.size() - head && tail < b.size() - head
           && a.at(a.size() - 1 - tail) == b.at(b.size() - 1 - tail))
        ++tail;
    const qsizetype n = a.size() - head - tail;
    const qsizetype m = b.size() - head - tail;

    // Myers' greedy forward search, keeping each round's V for the backtrack.
    const qsizetype max = n + m;
    const qsizetype offset = max + 1;
    QList<qsizetype> v(2 * max + 3, 0);
    QList<QList<qsizetype>> trace;
    for (qsizetype d = 0; d <= max; ++d) {
        trace << v;
        bool done = false;
        for (qsizetype k = -d; k <= d; k += 2) {
            qsizetype x = (k == -d || (k != d && v.at(offset + k - 1) < v.at(offset + k + 1)))
                              ? v.at(offset + k + 1)
                              : v.at(offset + k - 1) + 1;
            qsizetype y = x - k;
            while (x < n && y < m && a.at(head + x) == b.at(head + y)) {
                ++x;
                ++y;
            }
            v[offset + k] = x;
            if (x >= n && y >= m) {
                done = true;
                break;
            }
        }
        if (done)
            break;
    }

    QList<LineEdit> middle;
    qsizetype x = n;
    qsizetype y = m;
    for (qsizetype d = trace.size() - 1; d >= 0; --d) {
        const QList<qsizetype> &pv = trace.at(d);
        const qsizetype k = x - y;
        qsizetype prevK;
        if (d == 0)
            prevK = 0;
        else if (k == -d || (k != d && pv.at(offset + k - 1) < pv.at(offset + k + 1)))
            prevK = k + 1;
        else
            prevK = k - 1;
        const qsizetype prevX = d == 0 ? 0 : pv.at(offset + prevK);
        const qsizetype prevY = prevX - prevK;
        while (x > prevX && y > prevY) {
            middle << LineEdit{LineEdit::Kind::Keep, a.at(head + x - 1)};
            --x;
            --y;
        }
        if (d > 0) {
            if (x == prevX)
                middle << LineEdit{LineEdit::Kind::Insert, b.at(head + y - 1)};
            else
                middle << LineEdit{LineEdit::Kind::Remove, a.at(head + x - 1)};
        }
        x = prevX;
        y = prevY;
    }
    std::reverse(middle.begin(), middle.end());

    QList<LineEdit> edits;
    edits.reserve(head + middle.size() + tail);
    for (qsizetype i = 0; i < head; ++i)
        edits << LineEdit{LineEdit::Kind::Keep, a.at(i)};
    edits << middle;
    for (qsizetype i = a.size() - tail; i < a.size(); ++i)
        edits << LineEdit{LineEdit::Kind::Keep, a.at(i)};
    return edits;
}

QString unifiedDiff(const QStringList &a,
                    const QStringList &b,
                    const QString &labelA,
                    const QString &labelB,
                    int context)
{
    const QList<LineEdit> edits = diffLines(a, b);
    const auto changed = [&](qsizetype i) { return edits.at(i).kind != LineEdit::Kind::Keep; };
    QString out;
    qsizetype i = 0;
    qsizetype lineA = 1; // 1-based line number in a of edits[i]
    qsizetype lineB = 1;
    while (i < edits.size()) {
        if (!changed(i)) {
            ++i;
            ++lineA;
            ++lineB;
            continue;
        }
        // A hunk: from context lines before the change to context lines after the last change
        // that is within 2 * context of the next.
        const qsizetype before = std::min<qsizetype>(context, std::min(lineA, lineB) - 1);
        qsizetype start = i - before;
        // Step back over the context lines (all Keep).
        while (start < i && changed(start))
            ++start;
        qsizetype end = i;
        qsizetype keeps = 0;
        while (end < edits.size()) {
            if (changed(end)) {
                keeps = 0;
            } else if (++keeps > 2 * context) {
                break;
            }
            ++end;
        }
        // Trim trailing context to `context` lines.
        qsizetype trailing = 0;
        for (qsizetype t = end - 1; t >= i && !changed(t); --t)
            ++trailing;
        end -= std::max<qsizetype>(0, trailing - context);

        qsizetype countA = 0;
        qsizetype countB = 0;
        QString body;
        for (qsizetype e = start; e < end; ++e) {
            const LineEdit &edit = edits.at(e);
            switch (edit.kind) {
            case LineEdit::Kind::Keep:
                body += QLatin1Char(' ') + edit.line + QLatin1Char('\n');
                ++countA;
                ++countB;
                break;
            case LineEdit::Kind::Remove:
                body += QLatin1Char('-') + edit.line + QLatin1Char('\n');
                ++countA;
                break;
            case LineEdit::Kind::Insert:
                body += QLatin1Char('+') + edit.line + QLatin1Char('\n');
                ++countB;
                break;
            }
        }
        const qsizetype startA = lineA - before;
        const qsizetype startB = lineB - before;
        if (out.isEmpty())
            out += QStringLiteral("--- %1\n+++ %2\n").arg(labelA, labelB);
        // diff -u writes a zero-length range with the line before it and omits ",1".
        const auto range = [](qsizetype first, qsizetype count) {
            const qsizetype shown = count == 0 ? first - 1 : first;
            return count == 1 ? QString::number(shown)
                              : QStringLiteral("%1,%2").arg(shown).arg(count);
        };
        out += QStringLiteral("@@ -%1 +%2 @@\n").arg(range(startA, countA), range(startB, countB));
        out += body;
        // Advance line numbers past the hunk.
        for (qsizetype e = i; e < end; ++e) {
            if (edits.at(e).kind != LineEdit::Kind::Insert)
                ++lineA;
            if (edits.at(e).kind != LineEdit::Kind::Remove)
                ++lineB;
        }
        i = end;
    }
    return out;
}

} // namespace Opsdeck::Models
