// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

#include <cstdio>
#include <functional>

namespace Opsdeck::App {

/// The structured log of opsdeck-serve: one line per event on stderr, logfmt style
/// (`ts=2026-11-25T18:23:40.123Z level=info msg="listening" addr=127.0.0.1:8765`), so that
/// journald, `docker logs` and Loki read it as it is. Callers never pass a secret.
class ServeLog
{
public:
    using Field = QPair<QString, QString>;

    /// Lines go to @p stream (stderr by default).
    explicit ServeLog(FILE *stream = stderr);

    /// The time stamp of each line; for tests.
    void setClock(std::function<QString()> clock) { m_clock = std::move(clock); }

    void info(const QString &message, const QList<Field> &fields = {}) const;
    void warn(const QString &message, const QList<Field> &fields = {}) const;
    void error(const QString &message, const QList<Field> &fields = {}) const;
    void write(const QString &level, const QString &message, const QList<Field> &fields) const;
    /// Fields given as a JSON object (FeedServer::logLine): strings as they are, others as JSON.
    void write(const QString &level, const QString &message, const QJsonObject &fields) const;

    /// One line, without the newline.
    QString format(const QString &level, const QString &message, const QList<Field> &fields) const;

    /// A value as logfmt writes it: bare when it is a plain word, else in double quotes with
    /// backslash escapes (", \, newline, tab, control characters).
    static QString quote(const QString &value);
    /// The inside of a quoted value.
    static QString escape(const QString &value);

private:
    FILE *m_stream;
    std::function<QString()> m_clock;
};

} // namespace Opsdeck::App
