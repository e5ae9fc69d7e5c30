// SPDX-License-Identifier: MIT
#include "views/desktop/mainwindow.h"

#include "models/alertboard.h"
#include "models/audittrailmodel.h"
#include "models/containertablemodel.h"
#include "models/hostlistmodel.h"
#include "models/kafkalag.h"
#include "views/desktop/alertspanel.h"
#include "views/desktop/auditview.h"
#include "views/desktop/configdiffview.h"
#include "views/desktop/confirmactiondialog.h"
#include "views/desktop/containerdetailswidget.h"
#include "views/desktop/containerproxymodel.h"
#include "views/desktop/kafkaview.h"
#include "views/desktop/marathonview.h"
#include "views/desktop/mesosview.h"
#include "views/desktop/rolloutspanel.h"
#include "views/desktop/sourcetab.h"

#include <QAction>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIdentityProxyModel>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QRegularExpression>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>

namespace Opsdeck::Views {

using namespace Opsdeck::Models;

namespace {

QColor stateColour(SourceState s)
{
    switch (s) {
    case SourceState::Connected:
        return QColor(0x2e, 0x7d, 0x32);
    case SourceState::Connecting:
        return QColor(0xf9, 0xa8, 0x25);
    case SourceState::Unreachable:
        return QColor(0xc6, 0x28, 0x28);
    }
    return Qt::gray;
}

/// Adds a coloured dot per host state; the model itself stays free of GUI types.
class HostDecorationProxy : public QIdentityProxyModel
{
public:
    using QIdentityProxyModel::QIdentityProxyModel;

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (role == Qt::DecorationRole && index.row() > 0)
            return statusDot(stateColour(SourceState(
                QIdentityProxyModel::data(index, HostListModel::SourceStateRole).toInt())));
        return QIdentityProxyModel::data(index, role);
    }
};

// Status bar and environment labels follow changes at most this often.
constexpr int kStatusCoalesceMs = 250;

} // namespace

MainWindow::MainWindow(const OpsdeckConfig &config,
                       const QList<EnvironmentStore *> &stores,
                       ContainerOperations *operations,
                       QWidget *parent)
    : QMainWindow(parent)
    , m_config(config)
    , m_stores(stores)
    , m_operations(operations)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Opsdeck"));
    buildUi();
    buildActions();

    for (EnvironmentStore *store : m_stores) {
        connect(store, &EnvironmentStore::hostChanged, this, [this] { m_statusCoalesce.start(); });
        connect(store, &EnvironmentStore::containersChanged, this, [this] {
            m_statusCoalesce.start();
        });
    }
    m_statusCoalesce.setSingleShot(true);
    m_statusCoalesce.setInterval(kStatusCoalesceMs);
    connect(&m_statusCoalesce, &QTimer::timeout, this, [this] {
        updateStatusBar();
        updateEnvironmentLabels();
        updateActions();
        updateTabs();
    });
    if (m_operations)
        connect(m_operations,
                &ContainerOperations::actionFinished,
                this,
                &MainWindow::onActionFinished);

    connect(
        m_marathonView,
        &MarathonView::statusMessage,
        this,
        [this](const QString &text, int timeoutMs) { statusBar()->showMessage(text, timeoutMs); });

    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, [this] { m_table->viewport()->update(); });
    m_tick.start();

    restoreSettings();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildUi()
{
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 4);

    auto *top = new QHBoxLayout;
    auto *envLabel = new QLabel(tr("&Environment:"), central);
    m_envBox = new QComboBox(central);
    m_envBox->setObjectName(QStringLiteral("environmentBox"));
    envLabel->setBuddy(m_envBox);
    for (const EnvironmentStore *store : m_stores) {
        const EnvironmentConfig *cfg = m_config.environment(store->environment());
        m_envBox->addItem(statusDot(QColor(cfg ? cfg->colour : QStringLiteral("#9e9e9e"))),
                          store->environment());
    }
    m_envBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_envBox, &QComboBox::currentIndexChanged, this, &MainWindow::switchToEnvironment);
    top->addWidget(envLabel);
    top->addWidget(m_envBox);
    top->addStretch(1);
    layout->addLayout(top);

    m_banner = new QLabel(central);
    m_banner->setObjectName(QStringLiteral("environmentBanner"));
    m_banner->setAlignment(Qt::AlignCenter);
    m_banner->setMargin(4);
    layout->addWidget(m_banner);

    // One set of tabs for every environment: switching environments keeps the tab.
    m_tabs = new QTabWidget(central);
    m_tabs->setObjectName(QStringLiteral("sourceTabs"));
    m_tabs->setDocumentMode(true);
    m_containerPage = new QWidget(m_tabs);
    m_containerPage->setObjectName(QStringLiteral("containersPage"));
    auto *pageLayout = new QVBoxLayout(m_containerPage);
    pageLayout->setContentsMargins(4, 4, 4, 4);
    auto *filterRow = new QHBoxLayout;
    m_filter = new QLineEdit(m_containerPage);
    m_filter->setObjectName(QStringLiteral("filter"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setPlaceholderText(
        tr("Filter (Ctrl+F): name, image, host:NAME, state:exited, label:KEY=VALUE, is:flagged"));
    m_flaggedOnly = new QCheckBox(tr("Flagged &only"), m_containerPage);
    filterRow->addWidget(m_filter, 1);
    filterRow->addWidget(m_flaggedOnly);
    pageLayout->addLayout(filterRow);

    m_mainSplitter = new QSplitter(Qt::Horizontal, m_containerPage);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_hostModel = new HostListModel(this);
    auto *hostProxy = new HostDecorationProxy(this);
    hostProxy->setSourceModel(m_hostModel);
    m_hostList = new QListView(m_mainSplitter);
    m_hostList->setObjectName(QStringLiteral("hostList"));
    m_hostList->setModel(hostProxy);
    m_hostList->setMinimumWidth(180);

    m_rightSplitter = new QSplitter(Qt::Vertical, m_mainSplitter);
    m_rightSplitter->setObjectName(QStringLiteral("rightSplitter"));
    m_model = new ContainerTableModel(this);
    m_proxy = new ContainerProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_table = new QTableView(m_rightSplitter);
    m_table->setObjectName(QStringLiteral("containerTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ContainerTableModel::StateColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->setWordWrap(false);
    const int widths[] = {120, 160, 190, 150, 230, 70, 100, 65, 75};
    for (int c = 0; c < int(std::size(widths)); ++c)
        m_table->setColumnWidth(c, widths[c]);
    m_details = new ContainerDetailsWidget(m_operations, m_rightSplitter);
    m_rightSplitter->setStretchFactor(0, 3);
    m_rightSplitter->setStretchFactor(1, 2);
    m_mainSplitter->setStretchFactor(1, 1);
    pageLayout->addWidget(m_mainSplitter, 1);

    m_marathonView = new MarathonView(m_tabs);
    m_mesosView = new MesosView(m_tabs);
    m_kafkaView = new KafkaView(m_tabs);
    m_tabs->addTab(m_containerPage, tr("Containers"));
    m_tabs->addTab(m_marathonView, tr("Marathon"));
    m_tabs->addTab(m_mesosView, tr("Mesos agents"));
    m_tabs->addTab(m_kafkaView, tr("Kafka lag"));
    m_tabs->setTabToolTip(ContainersTab, tr("Docker containers of every host (Alt+1)"));
    m_tabs->setTabToolTip(MarathonTab, tr("Marathon apps, tasks and deployments (Alt+2)"));
    m_tabs->setTabToolTip(MesosTab, tr("Mesos agents and their resources (Alt+3)"));
    m_tabs->setTabToolTip(KafkaTab, tr("Kafka consumer-group lag, status and history (Alt+4)"));
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        updateActions();
        updateTabs();
    });
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &ContainerProxyModel::setFilterText);
    connect(m_flaggedOnly, &QCheckBox::toggled, m_proxy, &ContainerProxyModel::setFlaggedOnly);
    connect(m_table->selectionModel(),
            &QItemSelectionModel::currentRowChanged,
            this,
            &MainWindow::onSelectionChanged);
    connect(m_hostList->selectionModel(),
            &QItemSelectionModel::currentRowChanged,
            this,
            &MainWindow::onHostSelected);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &MainWindow::onSelectionChanged);

    m_statusHosts = new QWidget(this);
    auto *hostsLayout = new QHBoxLayout(m_statusHosts);
    hostsLayout->setContentsMargins(0, 0, 0, 0);
    m_statusSummary = new QLabel(this);
    // Permanent: a transient message ("restart of web: done") must not hide host health.
    m_alertStatus = new QLabel(this);
    m_alertStatus->setObjectName(QStringLiteral("alertStatus"));
    m_alertStatus->setTextFormat(Qt::RichText);
    m_alertStatus->hide();
    statusBar()->addPermanentWidget(m_alertStatus);
    statusBar()->addPermanentWidget(m_statusHosts);
    statusBar()->addPermanentWidget(m_statusSummary);

    // The shared alert list, docked below the tabs: alerts of every environment at once.
    m_alertsDock = new QDockWidget(tr("Alerts"), this);
    m_alertsDock->setObjectName(QStringLiteral("alertsDock"));
    m_alertsDock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable
                              | QDockWidget::DockWidgetFloatable);
    m_alertsPanel = new AlertsPanel(m_alertsDock);
    m_alertsDock->setWidget(m_alertsPanel);
    addDockWidget(Qt::BottomDockWidgetArea, m_alertsDock);
    m_alertsDock->hide(); // until setAlertBoard
    m_rolloutsDock = new QDockWidget(tr("Rollouts"), this);
    m_rolloutsDock->setObjectName(QStringLiteral("rolloutsDock"));
    m_rolloutsDock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable
                                | QDockWidget::DockWidgetFloatable);
    m_rolloutsPanel = new RolloutsPanel(m_rolloutsDock);
    m_rolloutsDock->setWidget(m_rolloutsPanel);
    addDockWidget(Qt::BottomDockWidgetArea, m_rolloutsDock);
    // One bottom area: alerts and rollouts as tabs of it, each the full width.
    tabifyDockWidget(m_alertsDock, m_rolloutsDock);
    m_rolloutsDock->hide(); // until setRollouts
    connect(m_rolloutsPanel, &RolloutsPanel::rolloutEnded, this, &MainWindow::onRolloutEnded);
    connect(
        m_rolloutsPanel, &RolloutsPanel::newRolloutRequested, this, &MainWindow::showRolloutDialog);
    connect(m_alertsPanel, &AlertsPanel::countsChanged, this, [this](int critical, int warning) {
        if (critical + warning == 0) {
            m_alertStatus->setText(tr("No alerts"));
            return;
        }
        QStringList parts;
        if (critical > 0)
            parts << tr("<b style='color:#c62828'>%1 critical</b>").arg(critical);
        if (warning > 0)
            parts << tr("<span style='color:#b26a00'>%1 warning</span>").arg(warning);
        m_alertStatus->setText(tr("Alerts: %1").arg(parts.join(QStringLiteral(", "))));
    });
    connect(m_alertsPanel,
            &AlertsPanel::alertActivated,
            this,
            [this](const QString &environment, const QString &source, const QString &) {
                for (int i = 0; i < m_stores.size(); ++i) {
                    if (m_stores.at(i)->environment() == environment)
                        switchToEnvironment(i);
                }
                if (source == QLatin1String("docker"))
                    showTab(ContainersTab);
                else if (source == QLatin1String("marathon"))
                    showTab(MarathonTab);
                else if (source == QLatin1String("mesos"))
                    showTab(MesosTab);
                else if (source == QLatin1String("kafka"))
                    showTab(KafkaTab);
            });
    m_notifyCoalesce.setSingleShot(true);
    m_notifyCoalesce.setInterval(1000);
    connect(&m_notifyCoalesce, &QTimer::timeout, this, &MainWindow::showPendingNotifications);
}

void MainWindow::buildActions()
{
    auto *toolbar = addToolBar(tr("Actions"));
    m_actionsToolbar = toolbar;
    toolbar->setObjectName(QStringLiteral("actionsToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto *containerMenu = menuBar()->addMenu(tr("&Container"));
    m_containerMenu = containerMenu;
    m_restart = new QAction(tr("&Restart"), this);
    m_restart->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_stop = new QAction(tr("S&top"), this);
    m_stop->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X));
    m_startAction = new QAction(tr("&Start"), this);
    m_startAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    auto *logs = new QAction(tr("Show &logs"), this);
    logs->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    for (QAction *a : {m_restart, m_stop, m_startAction}) {
        toolbar->addAction(a);
        containerMenu->addAction(a);
    }
    containerMenu->addSeparator();
    containerMenu->addAction(logs);
    containerMenu->addSeparator();
    m_rolloutAction = containerMenu->addAction(tr("Roll &out service…"));
    m_rolloutAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_rolloutAction->setToolTip(tr("Roll the selected container's service to a new image, or "
                                   "restart it, one batch at a time"));
    m_rolloutAction->setEnabled(false); // until setRollouts
    connect(m_rolloutAction, &QAction::triggered, this, &MainWindow::showRolloutDialog);
    connect(m_restart, &QAction::triggered, this, [this] { askAndRun(ContainerAction::Restart); });
    connect(m_stop, &QAction::triggered, this, [this] { askAndRun(ContainerAction::Stop); });
    connect(
        m_startAction, &QAction::triggered, this, [this] { askAndRun(ContainerAction::Start); });
    connect(logs, &QAction::triggered, m_details, &ContainerDetailsWidget::showLogsTab);

    // Marathon's actions share the toolbar; only the current tab's actions are shown, so a key
    // never acts on a table that is out of sight.
    m_marathonMenu = menuBar()->addMenu(tr("&Marathon"));
    const QList<QAction *> marathonActions = m_marathonView->marathonActions();
    for (int i = 0; i < marathonActions.size(); ++i) {
        QAction *a = marathonActions.at(i);
        toolbar->addAction(a);
        if (i == 3)
            m_marathonMenu->addSeparator(); // app actions, then deployment actions
        m_marathonMenu->addAction(a);
    }

    auto *viewMenu = menuBar()->addMenu(tr("&View"));

    const struct
    {
        Tab tab;
        QString text;
    } tabEntries[] = {
        {ContainersTab, tr("&Containers")},
        {MarathonTab, tr("&Marathon")},
        {MesosTab, tr("Mesos &agents")},
        {KafkaTab, tr("&Kafka lag")},
    };

    for (const auto &entry : tabEntries) {
        auto *a = viewMenu->addAction(entry.text);
        a->setShortcut(QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + int(entry.tab))));
        connect(a, &QAction::triggered, this, [this, tab = entry.tab] { showTab(tab); });
    }
    viewMenu->addSeparator();
    auto *find = viewMenu->addAction(tr("&Filter"));
    find->setShortcuts({QKeySequence::Find, QKeySequence(Qt::Key_Slash)});
    connect(find, &QAction::triggered, this, &MainWindow::focusFilter);
    auto *flagged = viewMenu->addAction(tr("Show &flagged only"));
    flagged->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    connect(flagged, &QAction::triggered, m_flaggedOnly, &QCheckBox::toggle);
    // Esc clears the filter of the tab it is pressed in; each tab has its own.
    auto *clear = new QShortcut(QKeySequence(Qt::Key_Escape), m_containerPage);
    clear->setContext(Qt::WidgetWithChildrenShortcut);
    connect(clear, &QShortcut::activated, m_filter, &QLineEdit::clear);
    auto *alerts = m_alertsDock->toggleViewAction();
    alerts->setText(tr("A&lerts"));
    alerts->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    viewMenu->addAction(alerts);
    auto *rollouts = m_rolloutsDock->toggleViewAction();
    rollouts->setText(tr("&Rollouts"));
    rollouts->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    viewMenu->addAction(rollouts);
    viewMenu->addSeparator();
    m_configDiffAction = viewMenu->addAction(tr("Config &diff…"));
    m_configDiffAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    m_configDiffAction->setEnabled(false); // until setConfigProvider
    connect(m_configDiffAction, &QAction::triggered, this, &MainWindow::showConfigDiff);
    m_auditAction = viewMenu->addAction(tr("Audit &trail…"));
    m_auditAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
    m_auditAction->setEnabled(false); // until setAuditTrail
    connect(m_auditAction, &QAction::triggered, this, &MainWindow::showAuditTrail);
    viewMenu->addSeparator();
    auto *envMenu = menuBar()->addMenu(tr("E&nvironment"));
    for (int i = 0; i < m_stores.size() && i < 9; ++i) {
        auto *a = envMenu->addAction(m_stores.at(i)->environment());
        a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        connect(a, &QAction::triggered, this, [this, i] { m_envBox->setCurrentIndex(i); });
    }
    auto *quit = new QAction(tr("&Quit"), this);
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);
    addAction(quit);
    viewMenu->addAction(quit);
}

void MainWindow::setConfigProvider(Models::ConfigProvider *provider)
{
    m_configProvider = provider;
    m_configDiffAction->setEnabled(provider != nullptr);
    delete m_configDiff.data(); // it reads the old provider
}

ConfigDiffView *MainWindow::configDiffView() const
{
    return m_configDiff.data();
}

void MainWindow::showConfigDiff()
{
    if (!m_configProvider)
        return;
    if (!m_configDiff) {
        m_configDiff = new ConfigDiffView(m_configProvider, this);
        m_configDiff->setAttribute(Qt::WA_DeleteOnClose);
        QSet<QString> production;
        for (const EnvironmentConfig &env : m_config.environments) {
            if (env.production)
                production.insert(env.name);
        }
        m_configDiff->setProductionEnvironments(production);
        m_configDiff->setCurrentEnvironment(currentEnvironment());
        m_configDiff->resize(1200, 700);
    }
    m_configDiff->show();
    m_configDiff->raise();
    m_configDiff->activateWindow();
}

void MainWindow::setAuditTrail(Models::AuditTrailModel *model, const QString &file)
{
    m_auditModel = model;
    m_auditFile = file;
    m_auditAction->setEnabled(model != nullptr);
}

void MainWindow::setAuditTrailError(const QString &text)
{
    m_auditError = text;
    if (m_auditView)
        m_auditView->setErrorText(text);
}

AuditView *MainWindow::showAuditTrail()
{
    if (!m_auditModel)
        return nullptr;
    if (!m_auditView) {
        QStringList environments;
        for (const EnvironmentConfig &env : m_config.environments)
            environments << env.name;
        m_auditView = new AuditView(m_auditModel, environments, m_auditFile, this);
        m_auditView->setAttribute(Qt::WA_DeleteOnClose);
        m_auditView->setErrorText(m_auditError);
        m_auditView->setEnvironment(currentEnvironment());
    }
    m_auditView->show();
    m_auditView->raise();
    m_auditView->activateWindow();
    return m_auditView;
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_mainSplitter->restoreState(
        settings.value(QStringLiteral("window/mainSplitter")).toByteArray());
    m_rightSplitter->restoreState(
        settings.value(QStringLiteral("window/rightSplitter")).toByteArray());
    m_table->horizontalHeader()->restoreState(
        settings.value(QStringLiteral("window/containerHeader")).toByteArray());
    m_marathonView->restoreState(settings.value(QStringLiteral("window/marathon")).toByteArray());
    m_mesosView->restoreState(settings.value(QStringLiteral("window/mesosHeader")).toByteArray());
    m_kafkaView->restoreState(settings.value(QStringLiteral("window/kafka")).toByteArray());
    showTab(Tab(std::clamp(settings.value(QStringLiteral("window/tab"), 0).toInt(),
                           int(ContainersTab),
                           int(KafkaTab))));
    const QString env = settings.value(QStringLiteral("window/environment")).toString();
    int index = 0;
    for (int i = 0; i < m_stores.size(); ++i) {
        if (m_stores.at(i)->environment() == env)
            index = i;
    }
    if (m_envBox->currentIndex() == index)
        switchToEnvironment(index);
    else
        m_envBox->setCurrentIndex(index);
    if (!settings.contains(QStringLiteral("window/geometry")))
        resize(1280, 800);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/mainSplitter"), m_mainSplitter->saveState());
    settings.setValue(QStringLiteral("window/rightSplitter"), m_rightSplitter->saveState());
    settings.setValue(QStringLiteral("window/containerHeader"),
                      m_table->horizontalHeader()->saveState());
    settings.setValue(QStringLiteral("window/environment"), currentEnvironment());
    settings.setValue(QStringLiteral("window/tab"), m_tabs->currentIndex());
    settings.setValue(QStringLiteral("window/marathon"), m_marathonView->saveState());
    settings.setValue(QStringLiteral("window/mesosHeader"), m_mesosView->saveState());
    settings.setValue(QStringLiteral("window/kafka"), m_kafkaView->saveState());
    event->accept();
}

EnvironmentStore *MainWindow::currentStore() const
{
    return m_current >= 0 && m_current < m_stores.size() ? m_stores.at(m_current) : nullptr;
}

const EnvironmentConfig *MainWindow::currentConfig() const
{
    const EnvironmentStore *store = currentStore();
    return store ? m_config.environment(store->environment()) : nullptr;
}

QString MainWindow::currentEnvironment() const
{
    const EnvironmentStore *store = currentStore();
    return store ? store->environment() : QString();
}

void MainWindow::switchToEnvironment(int index)
{
    if (index < 0 || index >= m_stores.size())
        return;
    if (m_envBox->currentIndex() != index) {
        m_envBox->setCurrentIndex(index); // comes back here through currentIndexChanged
        return;
    }
    m_current = index;
    EnvironmentStore *store = m_stores.at(index);
    m_model->setStore(store);
    m_hostModel->setStore(store);
    m_hostList->setCurrentIndex(m_hostList->model()->index(0, 0));
    m_proxy->setHostId(QString());
    m_details->showContainer(store, QString());
    applyMarathonStores();
    applyKafkaStore();
    m_alertsPanel->setCurrentEnvironment(store->environment());
    updateBanner();
    updateStatusBar();
    updateActions();
    const EnvironmentConfig *cfg = currentConfig();
    setWindowTitle(cfg && cfg->production
                       ? tr("Opsdeck — %1 (PRODUCTION)").arg(store->environment())
                       : tr("Opsdeck — %1").arg(store->environment()));
}

void MainWindow::updateBanner()
{
    const EnvironmentConfig *cfg = currentConfig();
    if (!cfg) {
        m_banner->hide();
        return;
    }
    m_banner->show();
    QString text =
        cfg->production
            ? tr("PRODUCTION  ·  %1  ·  every action asks you to type \"%1\"").arg(cfg->name)
            : cfg->name;
    if (cfg->readOnly)
        text += tr(" — read-only: actions are disabled");
    m_banner->setText(text);
    const QColor bg(cfg->colour);
    const QString fg =
        bg.lightnessF() > 0.6 ? QStringLiteral("#000000") : QStringLiteral("#ffffff");
    m_banner->setStyleSheet(
        QStringLiteral("QLabel { background: %1; color: %2; font-weight: bold; padding: %3px; }")
            .arg(cfg->colour, fg)
            .arg(cfg->production ? 10 : 3));
}

QString MainWindow::selectedKey() const
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    if (!current.isValid())
        return QString();
    return current.data(ContainerTableModel::KeyRole).toString();
}

void MainWindow::onSelectionChanged()
{
    m_details->showContainer(currentStore(), selectedKey());
    updateActions();
}

void MainWindow::onHostSelected()
{
    const QModelIndex current = m_hostList->currentIndex();
    m_proxy->setHostId(current.isValid() ? current.data(HostListModel::HostIdRole).toString()
                                         : QString());
}

void MainWindow::updateActions()
{
    const EnvironmentConfig *cfg = currentConfig();
    const EnvironmentStore *store = currentStore();
    const QString key = selectedKey();
    const Container *c = store && !key.isEmpty() ? store->container(key) : nullptr;
    QString reason;
    if (cfg && cfg->readOnly)
        reason = tr("Environment %1 is read-only (read_only: true in the environments file).")
                     .arg(cfg->name);
    else if (!c)
        reason = tr("Select a container first.");
    const bool running =
        c
        && (c->state == ContainerState::Running || c->state == ContainerState::Restarting
            || c->state == ContainerState::Paused);

    const struct
    {
        QAction *action;
        bool applicable;
        QString tip;
    } rows[] = {
        {m_restart, c != nullptr, tr("Restart the selected container (Ctrl+R)")},
        {m_stop, running, tr("Stop the selected container (Ctrl+Shift+X)")},
        {m_startAction, c && !running, tr("Start the selected container (Ctrl+Shift+S)")},
    };

    for (const auto &row : rows) {
        row.action->setEnabled(reason.isEmpty() && row.applicable);
        row.action->setToolTip(reason.isEmpty() ? row.tip : reason);
        row.action->setStatusTip(reason.isEmpty() ? row.tip : reason);
    }

    // Each tab shows only its own actions; a hidden action is disabled, shortcut included.
    const Tab tab = currentTab();
    for (QAction *a : {m_restart, m_stop, m_startAction})
        a->setVisible(tab == ContainersTab);
    for (QAction *a : m_marathonView->marathonActions())
        a->setVisible(tab == MarathonTab);
    m_containerMenu->menuAction()->setVisible(tab == ContainersTab);
    m_marathonMenu->menuAction()->setVisible(tab == MarathonTab);
    // Opsdeck never changes Mesos or Kafka: no actions there.
    m_actionsToolbar->setVisible(tab == ContainersTab || tab == MarathonTab);
}

void MainWindow::askAndRun(ContainerAction action)
{
    const EnvironmentConfig *cfg = currentConfig();
    EnvironmentStore *store = currentStore();
    const QString key = selectedKey();
    const Container *c = store ? store->container(key) : nullptr;
    if (!cfg || !c || cfg->readOnly || m_confirm)
        return;
    const QString actionText = action == ContainerAction::Restart ? tr("Restart")
                               : action == ContainerAction::Stop  ? tr("Stop")
                                                                  : tr("Start");
    m_confirm = new ConfirmActionDialog(actionText,
                                        tr("container %1 on host %2").arg(c->name, c->hostId),
                                        cfg->name,
                                        cfg->production,
                                        this);
    m_confirm->setAttribute(Qt::WA_DeleteOnClose);
    const QString environment = cfg->name;
    connect(m_confirm,
            &QDialog::accepted,
            this,
            [this, environment, key, action, name = c->name, actionText] {
                statusBar()->showMessage(tr("%1 %2: requested…").arg(actionText, name), 5000);
                if (m_operations)
                    m_operations->requestAction(environment, key, action);
            });
    m_confirm->open(); // window-modal, no nested event loop
}

void MainWindow::onActionFinished(const QString &environment,
                                  const QString &key,
                                  ContainerAction action,
                                  bool ok,
                                  const QString &message)
{
    const EnvironmentStore *store = nullptr;
    for (const EnvironmentStore *s : m_stores) {
        if (s->environment() == environment)
            store = s;
    }
    const Container *c = store ? store->container(key) : nullptr;
    const QString name = c ? c->name : key;
    if (ok)
        statusBar()->showMessage(
            tr("%1 of %2 in %3: %4").arg(nameOf(action), name, environment, message), 8000);
    else
        statusBar()->showMessage(
            tr("%1 of %2 in %3 FAILED: %4").arg(nameOf(action), name, environment, message), 20000);
}

void MainWindow::updateStatusBar()
{
    auto *layout = static_cast<QHBoxLayout *>(m_statusHosts->layout());
    while (QLayoutItem *item = layout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    const EnvironmentStore *store = currentStore();
    if (!store)
        return;
    for (const HostStatus &h : store->hosts()) {
        auto *label = new QLabel(m_statusHosts);
        label->setText(QStringLiteral("<span style='color:%1'>●</span> %2")
                           .arg(stateColour(h.state).name(), h.displayName.toHtmlEscaped()));
        label->setToolTip(h.error.isEmpty()
                              ? tr("%1: %2").arg(h.displayName, nameOf(h.state))
                              : tr("%1: %2 — %3").arg(h.displayName, nameOf(h.state), h.error));
        layout->addWidget(label);
    }
    int flagged = 0;
    for (const Container &c : store->containers())
        flagged += severityOf(c) >= Severity::Warning ? 1 : 0;
    m_statusSummary->setText(
        tr("%1 containers, %2 flagged").arg(store->containerCount()).arg(flagged));
}

void MainWindow::updateEnvironmentLabels()
{
    // Other environments' trouble is visible in the switcher without switching.
    for (int i = 0; i < m_stores.size(); ++i) {
        const EnvironmentStore *store = m_stores.at(i);
        int down = 0;
        for (const HostStatus &h : store->hosts())
            down += h.state == SourceState::Unreachable ? 1 : 0;
        int flagged = 0;
        for (const Container &c : store->containers())
            flagged += severityOf(c) >= Severity::Warning ? 1 : 0;
        QString text = store->environment();
        if (flagged > 0)
            text += tr("  ⚑ %1").arg(flagged);
        if (down > 0)
            text += tr("  ✖ %1 down").arg(down);
        m_envBox->setItemText(i, text);
    }
}

void MainWindow::setMarathon(const QList<MarathonStore *> &stores, MarathonOperations *operations)
{
    for (const QPointer<MarathonStore> &store : std::as_const(m_marathonStores)) {
        if (store)
            disconnect(store, nullptr, this, nullptr);
    }
    m_marathonStores.clear();
    for (MarathonStore *store : stores) {
        m_marathonStores << store;
        if (store)
            connect(
                store, &MarathonStore::statusChanged, this, [this] { m_statusCoalesce.start(); });
        if (store)
            connect(store, &MarathonStore::appsChanged, this, [this] { m_statusCoalesce.start(); });
    }
    m_marathonView->setOperations(operations);
    applyMarathonStores();
    updateTabs();
}

void MainWindow::applyMarathonStores()
{
    const EnvironmentStore *store = currentStore();
    if (!store)
        return;
    MarathonStore *marathon =
        m_current < m_marathonStores.size() ? m_marathonStores.at(m_current) : nullptr;
    EnvironmentConfig config;
    if (const EnvironmentConfig *cfg = currentConfig())
        config = *cfg;
    else
        config.name = store->environment();
    m_marathonView->setEnvironment(config, marathon);
    m_mesosView->setStore(config.name, marathon);
    updateTabs();
}

void MainWindow::showTab(Tab tab)
{
    m_tabs->setCurrentIndex(int(tab));
}

MainWindow::Tab MainWindow::currentTab() const
{
    return Tab(m_tabs->currentIndex());
}

void MainWindow::focusFilter()
{
    switch (currentTab()) {
    case ContainersTab:
        m_filter->setFocus();
        m_filter->selectAll();
        break;
    case MarathonTab:
        m_marathonView->focusFilter();
        break;
    case MesosTab:
        break;
    case KafkaTab:
        m_kafkaView->focusFilter();
        break;
    }
}

void MainWindow::setKafka(const QList<KafkaLagStore *> &stores)
{
    for (const QPointer<KafkaLagStore> &store : std::as_const(m_kafkaStores)) {
        if (store)
            disconnect(store, nullptr, this, nullptr);
    }
    m_kafkaStores.clear();
    for (KafkaLagStore *store : stores) {
        m_kafkaStores << store;
        if (!store)
            continue;
        connect(store, &KafkaLagStore::clusterStatusChanged, this, &MainWindow::updateTabs);
        connect(store, &KafkaLagStore::alertsChanged, this, &MainWindow::updateTabs);
    }
    applyKafkaStore();
}

void MainWindow::applyKafkaStore()
{
    KafkaLagStore *store = m_current >= 0 && m_current < m_kafkaStores.size()
                               ? m_kafkaStores.at(m_current).data()
                               : nullptr;
    m_kafkaView->setStore(store);
    updateTabs();
}

void MainWindow::setAlertBoard(AlertBoard *board)
{
    m_alertsPanel->setBoard(board);
    m_alertsDock->setVisible(board != nullptr);
    // A few rows by default: the tabs above keep most of the height (a saved layout wins).
    if (board && !QSettings().contains(QStringLiteral("window/state")))
        resizeDocks({m_alertsDock}, {170}, Qt::Vertical);
    m_alertStatus->setVisible(board != nullptr);
    if (!board)
        return;
    connect(board, &AlertBoard::raised, this, &MainWindow::onAlertRaised);
    ensureTray();
}

void MainWindow::ensureTray()
{
    if (m_tray || !QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(windowIcon(), this);
    m_tray->setToolTip(tr("Opsdeck"));
    m_tray->show();
}

void MainWindow::setRollouts(RolloutOperations *operations)
{
    m_rolloutOperations = operations;
    m_rolloutsPanel->setOperations(operations);
    m_rolloutAction->setEnabled(operations != nullptr);
    // Shown at once when an earlier session left a rollout interrupted: it needs a look.
    if (operations && !operations->interrupted().isEmpty())
        m_rolloutsDock->show();
    if (operations)
        ensureTray();
}

DockerRolloutDialog *MainWindow::showRolloutDialog()
{
    const EnvironmentConfig *env = currentConfig();
    const EnvironmentStore *store = currentStore();
    if (!m_rolloutOperations || !env || !store)
        return nullptr;
    if (env->readOnly) {
        statusBar()->showMessage(tr("%1 is read-only: no rollouts").arg(env->name), 5000);
        return nullptr;
    }
    // The services of this environment: the service label, else the name without its number.
    static const QRegularExpression numbered(QStringLiteral(R"(^(.+)[-_]\d+$)"));
    QStringList services;
    for (const QString &key : store->containerKeys()) {
        const Container *c = store->container(key);
        QString service = c->labels.value(QStringLiteral("com.example.service"));
        if (service.isEmpty()) {
            const auto m = numbered.match(c->name);
            service = m.hasMatch() ? m.captured(1) : c->name;
        }
        if (!service.contains(QLatin1String("_opsdeck-")) && !services.contains(service))
            services << service;
    }
    services.sort();
    auto *dialog = new DockerRolloutDialog(m_rolloutOperations, *env, services, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (const Container *c = store->container(selectedKey())) {
        QString service = c->labels.value(QStringLiteral("com.example.service"));
        if (service.isEmpty()) {
            const auto m = numbered.match(c->name);
            service = m.hasMatch() ? m.captured(1) : c->name;
        }
        dialog->setService(service, c->image);
    }
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_rolloutsDock->show();
        m_rolloutsDock->raise();
        if (!QSettings().contains(QStringLiteral("window/state")))
            resizeDocks({m_rolloutsDock}, {300}, Qt::Vertical);
        m_rolloutsPanel->select(dialog->startedId());
    });
    dialog->show();
    return dialog;
}

void MainWindow::onRolloutEnded(const RolloutProgress &progress)
{
    const QString title =
        progress.phase == RolloutPhase::Succeeded
            ? tr("Rollout of %1 in %2 succeeded").arg(progress.service, progress.environment)
            : tr("Rollout of %1 in %2: %3")
                  .arg(progress.service, progress.environment, nameOf(progress.phase));
    m_notificationsShown << title + QLatin1Char('\n') + progress.summary;
    // The summary is in the notification and the Rollouts dock; the status bar keeps it short.
    statusBar()->showMessage(title, 15000);
    if (m_tray)
        m_tray->showMessage(title,
                            progress.summary,
                            progress.phase == RolloutPhase::Succeeded ? QSystemTrayIcon::Information
                                                                      : QSystemTrayIcon::Critical,
                            15000);
}

void MainWindow::onAlertRaised(const AlertRecord &record)
{
    // Each alert once; a burst (start-up, an outage) in one notification.
    const Alert &a = record.alert;
    m_pendingNotifications << tr("%1 · %2: %3").arg(a.environment, a.subject, a.message);
    if (!m_notifyCoalesce.isActive())
        m_notifyCoalesce.start();
}

void MainWindow::showPendingNotifications()
{
    if (m_pendingNotifications.isEmpty())
        return;
    const QStringList lines = std::exchange(m_pendingNotifications, {});
    const QString title =
        lines.size() == 1 ? tr("Opsdeck alert") : tr("Opsdeck: %1 new alerts").arg(lines.size());
    QString body = lines.mid(0, 5).join(QLatin1Char('\n'));
    if (lines.size() > 5)
        body += QLatin1Char('\n') + tr("… and %1 more").arg(lines.size() - 5);
    m_notificationsShown << title + QLatin1Char('\n') + body;
    if (m_tray)
        m_tray->showMessage(title, body, QSystemTrayIcon::Warning, 10000);
}

void MainWindow::updateTabs()
{
    {
        // The Kafka tab's dot is its clusters' worst state; the text counts groups in trouble.
        const KafkaLagStore *kafka = m_current >= 0 && m_current < m_kafkaStores.size()
                                         ? m_kafkaStores.at(m_current).data()
                                         : nullptr;
        if (!kafka) {
            m_tabs->setTabIcon(KafkaTab, QIcon());
            m_tabs->setTabText(KafkaTab, tr("Kafka lag"));
        } else {
            SourceState worst = SourceState::Connected;
            for (const QString &cluster : kafka->clusters()) {
                const SourceState s = kafka->clusterStatus(cluster).state;
                if (s == SourceState::Unreachable
                    || (s == SourceState::Connecting && worst == SourceState::Connected))
                    worst = s;
            }
            m_tabs->setTabIcon(KafkaTab, statusDot(stateColour(worst)));
            QSet<QString> troubled;
            for (const Alert &a : kafka->alerts())
                troubled.insert(a.subject);
            m_tabs->setTabText(KafkaTab,
                               troubled.isEmpty() ? tr("Kafka lag")
                                                  : tr("Kafka lag  ⚑ %1").arg(troubled.size()));
        }
    }
    // A dot per source in the tab bar: trouble is visible from any tab.
    const MarathonStore *marathon = m_current >= 0 && m_current < m_marathonStores.size()
                                        ? m_marathonStores.at(m_current)
                                        : nullptr;
    if (!marathon) {
        m_tabs->setTabIcon(MarathonTab, QIcon());
        m_tabs->setTabIcon(MesosTab, QIcon());
        m_tabs->setTabText(MarathonTab, tr("Marathon"));
        return;
    }
    m_tabs->setTabIcon(MarathonTab, statusDot(stateColour(marathon->marathonStatus().state)));
    m_tabs->setTabIcon(MesosTab, statusDot(stateColour(marathon->mesosStatus().state)));
    int unhealthy = 0;
    for (const QString &id : marathon->appIds()) {
        const MarathonApp *app = marathon->app(id);
        unhealthy += app && app->tasksUnhealthy > 0 ? 1 : 0;
    }
    m_tabs->setTabText(MarathonTab,
                       unhealthy > 0 ? tr("Marathon  ⚑ %1").arg(unhealthy) : tr("Marathon"));
}

} // namespace Opsdeck::Views
