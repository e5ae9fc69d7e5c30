// SPDX-License-Identifier: MIT
#include "tests/support/testsupport.h"

#include <QFile>
#include <QProcess>
#include <QTcpServer>

namespace Opsdeck::Tests {

bool inCi()
{
    return qEnvironmentVariable("CI").compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(content);
    return path;
}

int freeTcpPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

DockerdHarness::DockerdHarness()
    : m_stateDir(qEnvironmentVariable("OPSDECK_DOCKERD_STATE"))
    , m_script(qEnvironmentVariable("OPSDECK_DOCKERD_SCRIPT"))
{
    QFile file(m_stateDir + QLatin1String("/hosts.env"));
    if (m_stateDir.isEmpty() || !file.open(QIODevice::ReadOnly))
        return;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        const qsizetype eq = line.indexOf(QLatin1Char('='));
        if (eq > 0)
            m_values.insert(line.left(eq), line.mid(eq + 1));
    }
}

QString DockerdHarness::socketPath(int n) const
{
    return m_values.value(QStringLiteral("HOST%1_SOCK").arg(n));
}

QString DockerdHarness::unixUrl(int n) const
{
    return QStringLiteral("unix://") + socketPath(n);
}

QString DockerdHarness::tcpUrl(int n) const
{
    return m_values.value(QStringLiteral("HOST%1_TCP").arg(n));
}

QString DockerdHarness::tlsDir(int n) const
{
    return m_values.value(QStringLiteral("HOST%1_TLS_DIR").arg(n));
}

bool DockerdHarness::run(const QStringList &args, int timeoutMs, QString *output) const
{
    QStringList full = args;
    full.insert(1, m_stateDir);
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(m_script, full);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return false;
    }
    if (output)
        *output = QString::fromUtf8(p.readAll());
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

QString DockerdHarness::docker(int n, const QStringList &args, int timeoutMs) const
{
    QProcess p;
    p.start(QStringLiteral("/usr/bin/docker"),
            QStringList{QStringLiteral("-H"), unixUrl(n)} + args);
    if (!p.waitForFinished(timeoutMs) || p.exitCode() != 0) {
        qWarning("docker %s failed: %s",
                 qPrintable(args.join(QLatin1Char(' '))),
                 p.readAllStandardError().constData());
        return QString();
    }
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

} // namespace Opsdeck::Tests
