// SPDX-License-Identifier: MIT
#pragma once

#include <QMap>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

namespace Opsdeck::Tests {

/// True under CI (CI=true): a missing server is then a failure, never a skip.
bool inCi();

/// Skips locally, fails under CI, when a real server the test needs is missing.
#define OPSDECK_REQUIRE_SERVER(condition, what)                                                    \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            if (::Opsdeck::Tests::inCi())                                                          \
                QFAIL(qPrintable(QStringLiteral("required server missing under CI: ") + (what)));  \
            QSKIP(qPrintable(QStringLiteral("server missing: ") + (what)));                        \
        }                                                                                          \
    } while (false)

/// Writes @p content to @p name in @p dir (fatal when it cannot) and returns its path.
QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content);

/// A TCP port on 127.0.0.1 that nothing listens on right now.
int freeTcpPort();

/// The Docker engines started by tests/integration/dockerd.sh (its hosts.env).
class DockerdHarness
{
public:
    DockerdHarness();

    bool isAvailable() const { return !m_values.isEmpty(); }

    QString stateDir() const { return m_stateDir; }

    int hostCount() const { return m_values.value(QStringLiteral("HOSTS")).toInt(); }

    /// unix:///…/docker.sock of host @p n (1-based).
    QString unixUrl(int n) const;
    QString socketPath(int n) const;
    QString tcpUrl(int n) const;
    /// Client TLS files (ca.pem, cert.pem, key.pem, rogue-*.pem) of a host started with
    /// --tls; empty for a plain host.
    QString tlsDir(int n) const;

    /// Runs dockerd.sh with @p args (e.g. {"scenario"}), state dir inserted; true on exit 0.
    bool run(const QStringList &args, int timeoutMs = 120000, QString *output = nullptr) const;
    /// Runs /usr/bin/docker against host @p n; returns trimmed stdout, or an empty string on failure.
    QString docker(int n, const QStringList &args, int timeoutMs = 60000) const;

private:
    QString m_stateDir;
    QString m_script;
    QMap<QString, QString> m_values;
};

} // namespace Opsdeck::Tests
