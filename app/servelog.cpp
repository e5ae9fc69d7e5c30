// SPDX-License-Identifier: MIT
#include "app/servelog.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>

namespace Opsdeck::App {

ServeLog::ServeLog(FILE *stream)
    : m_stream(stream)
    , m_clock([] { return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs); })
{}

void ServeLog::info(const QString &message, const QList<Field> &fields) const
{
    write(QStringLiteral("info"), message, fields);
}

void ServeLog::warn(const QString &message, const QList<Field> &fields) const
{
    write(QStringLiteral("warn"), message, fields);
}

void ServeLog::error(const QString &message, const QList<Field> &fields) const
{
    write(QStringLiteral("error"), message, fields);
}

void ServeLog::write(const QString &level, const QString &message, const QList<Field> &fields) const
{
    const QByteArray line = format(level, message, fields).toUtf8() + '\n';
    // One write per line, so lines of several threads or processes never interleave.
    std::fwrite(line.constData(), 1, size_t(line.size()), m_stream);
    std::fflush(m_stream);
}

void ServeLog::write(const QString &level, const QString &message, const QJsonObject &fields) const
{
    QList<Field> list;
    for (auto it = fields.begin(); it != fields.end(); ++it) {
        const QJsonValue v = it.value();
        QString text;
        if (v.isString())
            text = v.toString();
        else if (v.isDouble())
            text = QString::number(v.toDouble());
        else if (v.isBool())
            text = v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        else if (v.isArray())
            text = QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
        else if (v.isObject())
            text = QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
        list << Field{it.key(), text};
    }
    write(level, message, list);
}

QString
ServeLog::format(const QString &level, const QString &message, const QList<Field> &fields) const
{
    QString line = QStringLiteral("ts=") + m_clock() + QStringLiteral(" level=") + level
                   + QStringLiteral(" msg=\"") + escape(message) + QLatin1Char('"');
    for (const Field &f : fields)
        line += QLatin1Char(' ') + f.first + QLatin1Char('=') + quote(f.second);
    return line;
}

QString ServeLog::quote(const QString &value)
{
    bool plain = !value.isEmpty();
    for (const QChar c : value) {
        if (c.isSpace() || c == QLatin1Char('"') || c == QLatin1Char('=') || c == QLatin1Char('\\')
            || c.unicode() < 0x20 || c.unicode() == 0x7f) {
            plain = false;
            break;
        }
    }
    return plain ? value : QLatin1Char('"') + escape(value) + QLatin1Char('"');
}

QString ServeLog::escape(const QString &value)
{
    QString out;
    out.reserve(value.size());
    for (const QChar c : value) {
        switch (c.unicode()) {
        case '"':
            out += QStringLiteral("\\\"");
            break;
        case '\\':
            out += QStringLiteral("\\\\");
            break;
        case '\n':
            out += QStringLiteral("\\n");
            break;
        case '\r':
            out += QStringLiteral("\\r");
            break;
        case '\t':
            out += QStringLiteral("\\t");
            break;
        default:
            if (c.unicode() < 0x20 || c.unicode() == 0x7f)
                out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
            else
                out += c;
        }
    }
    return out;
}

} // namespace Opsdeck::App
