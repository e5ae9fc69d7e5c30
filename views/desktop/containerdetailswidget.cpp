// SPDX-License-Identifier: MIT
#include "views/desktop/containerdetailswidget.h"

#include "models/containertablemodel.h"
#include "models/secrets.h"

#include <QCheckBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace Opsdeck::Views {

using namespace Opsdeck::Models;

namespace {

constexpr int kLogTail = 200;
constexpr int kMaxLogLines = 5000;
constexpr int kStatsIntervalMs = 2000;

enum Tab {
    SummaryTab,
    MountsTab,
    EnvTab,
    LogsTab,
    StatsTab,
};

QString when(const QDateTime &t, qint64 nowMs)
{
    if (!t.isValid())
        return QObject::tr("—");
    return QObject::tr("%1 (%2 ago)")
        .arg(QLocale().toString(t.toLocalTime(), QLocale::ShortFormat),
             formatAge(nowMs - t.toMSecsSinceEpoch()));
}

QString bytes(quint64 n)
{
    return QLocale().formattedDataSize(qint64(n));
}

QTableWidget *makeTable(const QStringList &headers, QWidget *parent)
{
    auto *t = new QTableWidget(0, int(headers.size()), parent);
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setStretchLastSection(true);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    return t;
}

} // namespace

ContainerDetailsWidget::ContainerDetailsWidget(ContainerOperations *operations, QWidget *parent)
    : QWidget(parent)
    , m_operations(operations)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_tabs = new QTabWidget(this);
    layout->addWidget(m_tabs);

    m_summary = new QTextBrowser(this);
    m_summary->setObjectName(QStringLiteral("summary"));
    m_summary->setOpenLinks(false);
    m_tabs->addTab(m_summary, tr("&Summary"));

    m_mounts =
        makeTable({tr("Type"), tr("Source"), tr("Destination"), tr("Access"), tr("Note")}, this);
    m_tabs->addTab(m_mounts, tr("&Mounts"));

    auto *envPage = new QWidget(this);
    auto *envLayout = new QVBoxLayout(envPage);
    m_reveal = new QCheckBox(tr("Reveal secret-looking values"), envPage);
    m_reveal->setObjectName(QStringLiteral("revealSecrets"));
    m_env = makeTable({tr("Variable"), tr("Value")}, envPage);
    m_env->setObjectName(QStringLiteral("envTable"));
    envLayout->addWidget(m_reveal);
    envLayout->addWidget(m_env);
    m_tabs->addTab(envPage, tr("&Environment"));
    connect(m_reveal, &QCheckBox::toggled, this, &ContainerDetailsWidget::refresh);

    auto *logPage = new QWidget(this);
    auto *logLayout = new QVBoxLayout(logPage);
    m_follow = new QCheckBox(tr("Follow new output"), logPage);
    m_follow->setChecked(true);
    m_logs = new QPlainTextEdit(logPage);
    m_logs->setObjectName(QStringLiteral("logView"));
    m_logs->setReadOnly(true);
    m_logs->setMaximumBlockCount(kMaxLogLines);
    m_logs->setFont(QFont(QStringLiteral("monospace")));
    m_logs->setLineWrapMode(QPlainTextEdit::NoWrap);
    logLayout->addWidget(m_follow);
    logLayout->addWidget(m_logs);
    m_tabs->addTab(logPage, tr("&Logs"));

    m_stats = new QLabel(this);
    m_stats->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_stats->setMargin(8);
    m_tabs->addTab(m_stats, tr("S&tats"));

    connect(m_tabs, &QTabWidget::currentChanged, this, &ContainerDetailsWidget::onTabChanged);
    m_statsTimer.setInterval(kStatsIntervalMs);
    connect(&m_statsTimer, &QTimer::timeout, this, &ContainerDetailsWidget::requestStats);
    if (m_operations) {
        connect(m_operations,
                &ContainerOperations::statsReady,
                this,
                [this](const QString &, const QString &key, const ContainerStats &s) {
                    if (key != m_key)
                        return;
                    m_stats->setText(
                        tr("<table cellpadding=4>"
                           "<tr><td>CPU</td><td><b>%1</b></td></tr>"
                           "<tr><td>Memory</td><td><b>%2</b> of %3 (%4 %)</td></tr>"
                           "<tr><td>Processes</td><td>%5</td></tr></table>")
                            .arg(s.cpuKnown ? QStringLiteral("%1 %").arg(s.cpuPercent, 0, 'f', 1)
                                            : tr("measuring…"),
                                 bytes(s.memoryUsed),
                                 s.memoryLimit ? bytes(s.memoryLimit) : tr("no limit"))
                            .arg(s.memoryPercent, 0, 'f', 1)
                            .arg(s.pids));
                });
        connect(m_operations,
                &ContainerOperations::statsFailed,
                this,
                [this](const QString &, const QString &key, const QString &message) {
                    if (key == m_key)
                        m_stats->setText(tr("Stats unavailable: %1").arg(message.toHtmlEscaped()));
                });
    }
    showContainer(nullptr, QString());
}

void ContainerDetailsWidget::showContainer(EnvironmentStore *store, const QString &key)
{
    const bool changed = store != m_store || key != m_key;
    if (m_store)
        disconnect(m_store, nullptr, this, nullptr);
    m_store = store;
    m_key = key;
    if (m_store) {
        connect(m_store,
                &EnvironmentStore::containersChanged,
                this,
                [this](const ContainerChanges &changes) {
                    if (changes.updated.contains(m_key) || changes.removed.contains(m_key)
                        || changes.added.contains(m_key))
                        refresh();
                });
    }
    if (changed) {
        m_lastSummaryHtml.clear();
        m_stats->setText(tr("Select the Stats tab to measure CPU and memory."));
        onTabChanged();
    }
    refresh();
}

void ContainerDetailsWidget::showLogsTab()
{
    m_tabs->setCurrentIndex(LogsTab);
}

void ContainerDetailsWidget::refresh()
{
    const Container *c = m_store ? m_store->container(m_key) : nullptr;
    setEnabled(c != nullptr);
    if (!c) {
        m_summary->setHtml(tr("<p>Select a container to see its details.</p>"));
        m_mounts->setRowCount(0);
        m_env->setRowCount(0);
        return;
    }
    refreshSummary(*c);
    refreshMounts(*c);
    refreshEnv(*c);
}

void ContainerDetailsWidget::refreshSummary(const Container &c)
{
    const qint64 now = m_store->now();
    QString html;
    html += QStringLiteral("<h3>%1</h3>").arg(c.name.toHtmlEscaped());
    const QList<ContainerFlag> flags = flagList(c.flags);
    for (ContainerFlag f : flags) {
        const Severity s = flagSeverity(f);
        const QString colour = s == Severity::Critical  ? QStringLiteral("#ffcdd2")
                               : s == Severity::Warning ? QStringLiteral("#ffecb3")
                                                        : QStringLiteral("#e3f2fd");
        html +=
            QStringLiteral("<p style='background:%1; color:#212121; padding:4px'><b>%2</b>: %3</p>")
                .arg(colour, flagName(f).toHtmlEscaped(), flagDescription(f, c).toHtmlEscaped());
    }
    const QString none = tr("—");
    auto row = [&html, &none](const QString &label, const QString &value) {
        html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                    .arg(label.toHtmlEscaped(), value.isEmpty() ? none : value.toHtmlEscaped());
    };
    html += QStringLiteral("<table cellspacing=2 cellpadding=2>");
    row(tr("State"), displayState(c));
    if (!c.statusText.isEmpty() && !c.inspected)
        row(tr("Docker says"), c.statusText);
    if (c.health != HealthStatus::None) {
        row(tr("Health"), nameOf(c.health));
        if (c.healthFailingStreak > 0)
            row(tr("Failing streak"), QString::number(c.healthFailingStreak));
        if (!c.lastHealthOutput.isEmpty())
            row(tr("Last probe output"), c.lastHealthOutput.left(300));
    }
    row(tr("Host"), c.hostId);
    row(tr("ID"), c.id.left(12));
    row(tr("Image"), c.image);
    row(tr("Command"), c.command);
    if (c.inspected) {
        row(tr("Restart policy"), nameOf(c.restartPolicy));
        row(tr("Restart count"), QString::number(c.restartCount));
        if (c.state == ContainerState::Exited || c.state == ContainerState::Dead)
            row(tr("Exit code"),
                QString::number(c.exitCode)
                    + (c.oomKilled ? tr(" (killed: out of memory)") : QString()));
        if (!c.error.isEmpty())
            row(tr("Error"), c.error);
    }
    row(tr("Created"), when(c.createdAt, now));
    row(tr("Started"), when(c.startedAt, now));
    if (c.state != ContainerState::Running)
        row(tr("Finished"), when(c.finishedAt, now));
    row(tr("Ports"), formatPorts(c.ports));
    row(tr("Networks"), c.networks.join(QLatin1String(", ")));
    QStringList labels;
    for (auto it = c.labels.cbegin(); it != c.labels.cend(); ++it)
        labels << it.key() + QLatin1Char('=') + it.value();
    row(tr("Labels"), labels.join(QLatin1String(", ")));
    html += QStringLiteral("</table>");
    if (html != m_lastSummaryHtml) {
        // Only repaint when something changed: keeps the scroll position and any selection.
        m_lastSummaryHtml = html;
        const int scroll = m_summary->verticalScrollBar()->value();
        m_summary->setHtml(html);
        m_summary->verticalScrollBar()->setValue(scroll);
    }
}

void ContainerDetailsWidget::refreshMounts(const Container &c)
{
    m_mounts->setRowCount(int(c.mounts.size()));
    for (int i = 0; i < c.mounts.size(); ++i) {
        const Mount &m = c.mounts.at(i);
        const QString source =
            m.type == QLatin1String("volume") && !m.name.isEmpty() ? m.name : m.source;
        QString note;
        if (isAnonymousVolume(m))
            note = tr("anonymous volume: lost when the container is re-created");
        else if (m.type == QLatin1String("tmpfs"))
            note = tr("in memory: lost when the container stops");
        const QStringList cells = {
            m.type, source, m.destination, m.readWrite ? tr("read-write") : tr("read-only"), note};
        for (int col = 0; col < cells.size(); ++col)
            m_mounts->setItem(i, col, new QTableWidgetItem(cells.at(col)));
    }
    if (c.mounts.isEmpty() && c.inspected) {
        m_mounts->setRowCount(1);
        m_mounts->setItem(0, 0, new QTableWidgetItem(tr("none")));
        m_mounts->setItem(
            0,
            4,
            new QTableWidgetItem(
                tr("nothing mounted: all data lives in the container and dies with it")));
    }
}

void ContainerDetailsWidget::refreshEnv(const Container &c)
{
    m_env->setRowCount(int(c.env.size()));
    const bool reveal = m_reveal->isChecked();
    for (int i = 0; i < c.env.size(); ++i) {
        const QString &entry = c.env.at(i);
        const qsizetype eq = entry.indexOf(QLatin1Char('='));
        const QString name = eq < 0 ? entry : entry.left(eq);
        const QString value = eq < 0 ? QString() : entry.mid(eq + 1);
        const bool secret = looksSecret(name);
        m_env->setItem(i, 0, new QTableWidgetItem(name));
        auto *item = new QTableWidgetItem(secret && !reveal ? maskedValue() : value);
        if (secret)
            item->setToolTip(tr("Looks like a secret: masked until you tick \"Reveal\"."));
        m_env->setItem(i, 1, item);
    }
}

void ContainerDetailsWidget::onTabChanged()
{
    const int tab = m_tabs->currentIndex();
    if (tab == LogsTab)
        restartLogs();
    else
        delete m_follower;
    if (tab == StatsTab && !m_key.isEmpty()) {
        requestStats();
        m_statsTimer.start();
    } else {
        m_statsTimer.stop();
    }
}

void ContainerDetailsWidget::restartLogs()
{
    delete m_follower;
    m_logs->clear();
    if (!m_operations || !m_store || m_key.isEmpty())
        return;
    m_follower = m_operations->followLogs(m_store->environment(), m_key, kLogTail);
    if (!m_follower)
        return;
    m_follower->setParent(this);
    connect(m_follower, &LogFollower::linesReceived, this, [this](const QStringList &lines) {
        const bool atEnd =
            m_logs->verticalScrollBar()->value() == m_logs->verticalScrollBar()->maximum();
        for (const QString &line : lines)
            m_logs->appendPlainText(line);
        if (m_follow->isChecked() || atEnd)
            m_logs->verticalScrollBar()->setValue(m_logs->verticalScrollBar()->maximum());
    });
    connect(m_follower, &LogFollower::failed, this, [this](const QString &message) {
        m_logs->appendPlainText(tr("— log stream failed: %1").arg(message));
    });
    connect(m_follower, &LogFollower::ended, this, [this] {
        m_logs->appendPlainText(tr("— end of log stream (container stopped)"));
    });
}

void ContainerDetailsWidget::requestStats()
{
    if (!m_operations || !m_store || m_key.isEmpty())
        return;
    const Container *c = m_store->container(m_key);
    if (!c || c->state != ContainerState::Running) {
        m_stats->setText(tr("Not running: no CPU or memory to show."));
        return;
    }
    m_operations->requestStats(m_store->environment(), m_key);
}

} // namespace Opsdeck::Views
