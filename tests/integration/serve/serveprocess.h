// SPDX-License-Identifier: MIT
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QProcess>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QTest>

#include <csignal>

namespace Opsdeck::Tests {

/// One line of opsdeck-serve's log (logfmt: ts=… level=… msg="…" key=value …).
struct ServeLogLine
{
    QString raw;
    QString level;
    QString message;
    QHash<QString, QString> fields;

    /// Parses @p line; false when it is not a well-formed log line.
    static bool parse(const QString &line, ServeLogLine *out)
    {
        // key=value or key="quoted \"value\"" (a plain string: moc does not read raw ones)
        static const QRegularExpression pair(QStringLiteral(
            "([A-Za-z_][A-Za-z0-9_]*)=(\"((?:[^\"\\\\]|\\\\.)*)\"|[^\\s\"]+)(?=\\s|$)"));
        out->raw = line;
        out->fields.clear();
        qsizetype consumed = 0;
        auto it = pair.globalMatch(line);
        while (it.hasNext()) {
            const QRegularExpressionMatch m = it.next();
            if (m.capturedStart() != consumed)
                return false;
            QString value = m.captured(3).isNull() ? m.captured(2) : m.captured(3);
            value.replace(QStringLiteral("\\\""), QStringLiteral("\""));
            value.replace(QStringLiteral("\\\\"), QStringLiteral("\\"));
            out->fields.insert(m.captured(1), value);
            consumed = m.capturedEnd();
            while (consumed < line.size() && line.at(consumed) == QLatin1Char(' '))
                ++consumed;
        }
        if (consumed != line.size())
            return false;
        out->level = out->fields.value(QStringLiteral("level"));
        out->message = out->fields.value(QStringLiteral("msg"));
        return out->fields.contains(QStringLiteral("ts")) && !out->level.isEmpty()
               && !out->message.isEmpty();
    }
};

/// opsdeck-serve as a child process: its stderr read line by line as it comes.
class ServeProcess
{
public:
    ServeProcess()
    {
        QObject::connect(&m_process, &QProcess::readyReadStandardError, &m_process, [this] {
            m_buffer += m_process.readAllStandardError();
            qsizetype nl;
            while ((nl = m_buffer.indexOf('\n')) >= 0) {
                m_lines << QString::fromUtf8(m_buffer.left(nl));
                m_buffer.remove(0, nl + 1);
            }
        });
    }

    ~ServeProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    void start(const QString &program,
               const QStringList &args,
               const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        m_process.setProcessEnvironment(env);
        m_process.start(program, args);
    }

    QProcess &process() { return m_process; }

    QStringList lines() const { return m_lines; }

    /// Waits for the first log line whose msg is @p message; false on timeout or exit.
    bool waitForMessage(const QString &message, ServeLogLine *line, int timeoutMs = 60000)
    {
        QElapsedTimer timer;
        timer.start();
        for (;;) {
            for (const QString &raw : std::as_const(m_lines)) {
                ServeLogLine parsed;
                if (ServeLogLine::parse(raw, &parsed) && parsed.message == message) {
                    *line = parsed;
                    return true;
                }
            }
            if (timer.elapsed() > timeoutMs || m_process.state() == QProcess::NotRunning)
                return false;
            QTest::qWait(20);
        }
    }

    /// Sends SIGTERM and waits for the exit; the exit code, or -1 on a crash or timeout.
    int terminate(int timeoutMs = 20000)
    {
        ::kill(pid_t(m_process.processId()), SIGTERM);
        return waitForExit(timeoutMs);
    }

    int waitForExit(int timeoutMs = 60000)
    {
        if (!m_process.waitForFinished(timeoutMs))
            return -1;
        m_process.waitForReadyRead(0);
        m_buffer += m_process.readAllStandardError();
        if (!m_buffer.isEmpty()) {
            for (const QByteArray &l : m_buffer.split('\n')) {
                if (!l.isEmpty())
                    m_lines << QString::fromUtf8(l);
            }
            m_buffer.clear();
        }
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }

private:
    QProcess m_process;
    QByteArray m_buffer;
    QStringList m_lines;
};

} // namespace Opsdeck::Tests
