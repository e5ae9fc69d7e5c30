// SPDX-License-Identifier: MIT
#include "app/auditlog.h"

#include "models/audittrailmodel.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Opsdeck::App {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Opsdeck::App::AuditLog", text);
}

constexpr int kBackstopMs = 5000;

std::atomic<AuditLog::SyncFunction> g_sync{nullptr};

int syncFd(int fd)
{
    const AuditLog::SyncFunction sync = g_sync.load();
    return sync ? sync(fd) : ::fsync(fd);
}

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

quint64 inodeOf(const QString &file)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(file).constData(), &st) != 0)
        return 0;
    return quint64(st.st_ino);
}

} // namespace

QString AuditLog::path()
{
    const QString configured = qEnvironmentVariable("OPSDECK_AUDIT_LOG");
    if (!configured.isEmpty())
        return configured;
    QString state = qEnvironmentVariable("XDG_STATE_HOME");
    if (state.isEmpty())
        state = QDir::homePath() + QStringLiteral("/.local/state");
    return state + QStringLiteral("/opsdeck/audit.log");
}

QString AuditLog::currentUser()
{
    const uid_t uid = ::geteuid();
    if (const passwd *pw = ::getpwuid(uid); pw && pw->pw_name && *pw->pw_name)
        return QString::fromLocal8Bit(pw->pw_name);
    const QString user = qEnvironmentVariable("USER");
    return user.isEmpty() ? QString::number(uid) : user;
}

bool AuditLog::append(const QString &environment,
                      const QString &action,
                      const QString &target,
                      const QString &outcome,
                      const QString &detail)
{
    return append(environment, action, target, QJsonObject(), outcome, detail);
}

bool AuditLog::append(const QString &environment,
                      const QString &action,
                      const QString &target,
                      const QJsonObject &parameters,
                      const QString &outcome,
                      const QString &detail)
{
    Models::AuditRecord record;
    record.environment = environment;
    record.action = action;
    record.target = target;
    record.parameters = parameters;
    record.outcome = outcome;
    record.detail = detail;
    return append(record);
}

bool AuditLog::append(const Models::AuditRecord &record, QString *error)
{
    return appendTo(path(), record, error);
}

bool AuditLog::appendTo(const QString &file, const Models::AuditRecord &record, QString *error)
{
    auto fail = [&](const QString &why) {
        const QString message = tr("cannot write the audit trail %1: %2").arg(file, why);
        qWarning("opsdeck: %s", qPrintable(message));
        if (error)
            *error = message;
        return false;
    };
    Models::AuditRecord r = record;
    if (!r.time.isValid())
        r.time = QDateTime::currentDateTime();
    if (r.user.isEmpty())
        r.user = currentUser();
    const QByteArray line = QJsonDocument(r.toJson()).toJson(QJsonDocument::Compact) + '\n';

    const QString folder = QFileInfo(file).absolutePath();
    if (!QDir().mkpath(folder))
        return fail(tr("cannot create the folder %1").arg(folder));
    const QByteArray name = QFile::encodeName(file);
    const bool existed = ::access(name.constData(), F_OK) == 0;
    // O_APPEND and one write: lines of several processes never interleave.
    const int fd = ::open(name.constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(errnoText());
    qsizetype written = 0;
    while (written < line.size()) {
        const ssize_t n = ::write(fd, line.constData() + written, size_t(line.size() - written));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const QString why = n < 0 ? errnoText() : tr("nothing written");
            ::close(fd);
            return fail(why);
        }
        written += n;
    }
    if (syncFd(fd) != 0) {
        const QString why = tr("fsync: %1").arg(errnoText());
        ::close(fd);
        return fail(why);
    }
    if (::close(fd) != 0)
        return fail(errnoText());
    if (!existed) {
        // A new file is durable only once its directory entry is.
        const int dir = ::open(QFile::encodeName(folder).constData(), O_RDONLY | O_CLOEXEC);
        if (dir >= 0) {
            const int rc = syncFd(dir);
            ::close(dir);
            if (rc != 0)
                return fail(tr("fsync of %1: %2").arg(folder, errnoText()));
        }
    }
    return true;
}

Models::AuditParseResult
AuditLog::read(const QString &file, const Models::AuditFilter &filter, QString *error)
{
    QFile in(file);
    if (!in.exists())
        return {};
    if (!in.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("cannot read the audit trail %1: %2").arg(file, in.errorString());
        return {};
    }
    return Models::parseAuditLines(in.readAll(), 1, filter);
}

void AuditLog::setSyncFunction(SyncFunction sync)
{
    g_sync.store(sync);
}

AuditLogFollower::AuditLogFollower(const QString &file,
                                   Models::AuditTrailModel *model,
                                   QObject *parent)
    : QObject(parent)
    , m_file(file)
    , m_model(model)
{
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, [this] { poll(); });
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, [this] { poll(); });
    // A backstop where change notifications do not arrive (network file systems).
    m_backstop.setInterval(kBackstopMs);
    connect(&m_backstop, &QTimer::timeout, this, [this] { poll(); });
    m_backstop.start();
    reload();
}

void AuditLogFollower::watch()
{
    // The folder may not exist yet (no action was ever audited): watch the nearest one that
    // does, and move down as folders appear.
    QString folder = QFileInfo(m_file).absolutePath();
    while (!QFileInfo::exists(folder) && QFileInfo(folder).absolutePath() != folder)
        folder = QFileInfo(folder).absolutePath();
    if (!m_watcher.directories().contains(folder)) {
        if (!m_watcher.directories().isEmpty())
            m_watcher.removePaths(m_watcher.directories());
        m_watcher.addPath(folder);
    }
    // A replaced file needs watching anew: the watcher followed the old inode.
    if (QFileInfo::exists(m_file)) {
        if (!m_watcher.files().isEmpty())
            m_watcher.removePaths(m_watcher.files());
        m_watcher.addPath(m_file);
    }
}

void AuditLogFollower::setError(const QString &message)
{
    if (message == m_error)
        return;
    m_error = message;
    emit errorChanged(message);
}

void AuditLogFollower::reload()
{
    m_offset = 0;
    m_nextLine = 1;
    m_inode = 0;
    m_model->setRecords({});
    m_model->setLineErrors({});
    poll();
}

void AuditLogFollower::poll()
{
    watch();
    QFile in(m_file);
    if (!in.exists()) {
        if (m_offset > 0)
            reload();
        setError(QString());
        return;
    }
    const quint64 inode = inodeOf(m_file);
    if ((m_inode != 0 && inode != m_inode) || in.size() < m_offset) {
        // Replaced or truncated (rotated): what was read is no longer the file.
        m_offset = 0;
        m_nextLine = 1;
        m_model->setRecords({});
        m_model->setLineErrors({});
    }
    m_inode = inode;
    if (!in.open(QIODevice::ReadOnly)) {
        setError(tr("cannot read the audit trail %1: %2").arg(m_file, in.errorString()));
        return;
    }
    setError(QString());
    if (!in.seek(m_offset))
        return;
    const QByteArray data = in.readAll();
    // Only complete lines: the rest is being written.
    const qsizetype end = data.lastIndexOf('\n');
    if (end < 0)
        return;
    const QByteArray lines = data.left(end + 1);
    const Models::AuditParseResult parsed = Models::parseAuditLines(lines, m_nextLine);
    m_offset += lines.size();
    m_nextLine += int(lines.count('\n'));
    m_model->appendRecords(parsed.records);
    m_model->addLineErrors(parsed.errors);
}

} // namespace Opsdeck::App
