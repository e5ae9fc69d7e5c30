// SPDX-License-Identifier: MIT
// The config diff viewer offscreen, over a fake ConfigProvider with hand-made items for
// Integration, Staging and Production.
#include "models/configprovider.h"
#include "views/desktop/configdiffdelegate.h"
#include "views/desktop/configdifftablemodel.h"
#include "views/desktop/configdiffview.h"
#include "views/desktop/confirmactiondialog.h"
#include "views/desktop/mainwindow.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QFile>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextEdit>

using namespace Opsdeck;
using namespace Opsdeck::Models;
using Views::ConfigDiffTableModel;

namespace {

const QString kIntegration = QStringLiteral("Integration");
const QString kStaging = QStringLiteral("Staging");
const QString kProduction = QStringLiteral("Production");

ConfigItem item(const QString &env,
                const QString &service,
                ConfigForm form,
                const QString &key,
                const QByteArray &value,
                qint64 version = -1)
{
    ConfigItem i;
    i.environment = env;
    i.service = service;
    i.form = form;
    i.key = key;
    i.value = value;
    i.version = version;
    if (form == ConfigForm::Kv)
        i.provenance = QStringLiteral("consul:config/shop/") + key;
    else if (form == ConfigForm::File)
        i.provenance = QStringLiteral("container shop-%1.1 file %2").arg(service, key);
    else
        i.provenance = QStringLiteral("marathon /shop/%1 %2").arg(service, nameOf(form));
    return i;
}

QByteArray appConf(const char *env, int port)
{
    return QByteArray("# orders\nlisten = ") + QByteArray::number(port)
           + "\nlog = /var/log/orders.log\nenvironment = " + env + "\npool = 20\n";
}

class FakeProvider : public ConfigProvider
{
public:
    QHash<QString, QList<ConfigItem>> items;
    QSet<QString> editable;
    QList<KvEditRequest> edits;
    QStringList refreshed;
    DiffRules diffRulesValue;

    QStringList configEnvironments() const override
    {
        return {kIntegration, kStaging, kProduction};
    }

    QList<ConfigItem> configItems(const QString &environment) const override
    {
        return items.value(environment);
    }

    void refreshConfigFiles(const QString &environment) override { refreshed << environment; }

    DiffRules diffRules() const override { return diffRulesValue; }

    bool canEditKv(const QString &environment, KvKind kind) const override
    {
        return kind == KvKind::Consul && editable.contains(environment);
    }

    void requestKvEdit(const KvEditRequest &request) override { edits << request; }
};

} // namespace

class tst_ConfigDiffView : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void twoEnvironments();
    void threeEnvironments();
    void preselectsTheCurrentEnvironmentAndANeighbour();
    void statusesAndColours();
    void longValuesHighlightTheDifferingPart();
    void onlyDifferencesFilter();
    void serviceFilter();
    void formsAndPrefixFilter();
    void expectedRuleApplied();
    void secretsMaskedUntilRevealed();
    void revealInProductionNeedsTheTypedName();
    void fileRowShowsTheLineDiff();
    void exportsEqualTheDiffEngine();
    void recomputesCoalescedKeepingTheSelection();
    void kvEditDisabledWhenNotAllowed();
    void kvEditSendsACasRequestWhenConfirmed();
    void refreshFilesAsksTheProvider();
    void mainWindowOpensItWithCtrlD();
    void screenshot();

private:
    int rowOf(ConfigForm form, const QString &service, const QString &key) const;
    QModelIndex cell(ConfigForm form, const QString &service, const QString &key, int env) const;
    void selectCell(const QModelIndex &index);

    FakeProvider *m_provider = nullptr;
    Views::ConfigDiffView *m_view = nullptr;
    QAbstractItemModelTester *m_tester = nullptr;
};

void tst_ConfigDiffView::init()
{
    m_provider = new FakeProvider;

    const struct
    {
        const QString &env;
        const char *token;
        const char *logLevel;
        const char *password;
        const char *tag;
        const char *pool;
        qint64 version;
        int port;
        const char *buildId;
    } envs[] = {
        {kIntegration, "int", "debug", "int-secret", "1.4.2-int-77aa01", "10", 7, 8081, "b101"},
        {kStaging, "stg", "info", "stg-secret", "1.4.2-stg-3f9a1c2e", "20", 8, 8080, "b102"},
        {kProduction, "prod", "info", "prod-secret", "1.4.1-prod-16ba001", "20", 9, 8080, "b103"},
    };

    for (const auto &e : envs) {
        const QString orders = QStringLiteral("orders");
        const QString search = QStringLiteral("search");
        const QByteArray token(e.token);
        QList<ConfigItem> list{
            item(e.env, orders, ConfigForm::Env, QStringLiteral("LOG_LEVEL"), e.logLevel),
            item(e.env, orders, ConfigForm::Env, QStringLiteral("DB_PASSWORD"), e.password),
            item(e.env,
                 orders,
                 ConfigForm::Env,
                 QStringLiteral("DB_URL"),
                 "postgres://db." + token + ".example.internal:5432/orders"),
            item(e.env,
                 orders,
                 ConfigForm::Image,
                 QStringLiteral("image"),
                 QByteArray("registry.example.internal/shop/orders:") + e.tag),
            item(e.env,
                 orders,
                 ConfigForm::Kv,
                 QStringLiteral("orders/pool_size"),
                 e.pool,
                 e.version),
            item(e.env,
                 orders,
                 ConfigForm::File,
                 QStringLiteral("/etc/orders/app.conf"),
                 appConf(e.token, e.port)),
            item(e.env, search, ConfigForm::Env, QStringLiteral("LOG_LEVEL"), "info"),
            item(e.env, search, ConfigForm::Env, QStringLiteral("BUILD_ID"), e.buildId),
            item(e.env, search, ConfigForm::Kv, QStringLiteral("search/replicas"), "3", 4),
        };
        if (e.env == kIntegration)
            list << item(
                e.env, orders, ConfigForm::Kv, QStringLiteral("orders/feature_x"), "on", 2);
        m_provider->items.insert(e.env, list);
    }
    m_provider->diffRulesValue.rewrites = {{{kIntegration, QStringLiteral("int")},
                                            {kStaging, QStringLiteral("stg")},
                                            {kProduction, QStringLiteral("prod")}}};
    m_provider->diffRulesValue.ignoreGlobs = {QStringLiteral("*BUILD_ID")};

    m_view = new Views::ConfigDiffView(m_provider);
    m_view->setProductionEnvironments({kProduction});
    m_view->resize(1400, 620);
    m_tester = new QAbstractItemModelTester(m_view->model(),
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view));
}

void tst_ConfigDiffView::cleanup()
{
    delete m_tester;
    m_tester = nullptr;
    delete m_view;
    m_view = nullptr;
    delete m_provider;
    m_provider = nullptr;
}

int tst_ConfigDiffView::rowOf(ConfigForm form, const QString &service, const QString &key) const
{
    const ConfigDiffTableModel *model = m_view->model();
    for (int r = 0; r < model->rowCount(); ++r) {
        const DiffRow &row = model->row(r);
        if (row.form == form && row.service == service && row.key == key)
            return r;
    }
    return -1;
}

QModelIndex
tst_ConfigDiffView::cell(ConfigForm form, const QString &service, const QString &key, int env) const
{
    const int r = rowOf(form, service, key);
    return r < 0 ? QModelIndex()
                 : m_view->model()->index(r, ConfigDiffTableModel::kFirstValueColumn + env);
}

void tst_ConfigDiffView::selectCell(const QModelIndex &index)
{
    m_view->table()->setCurrentIndex(index);
}

void tst_ConfigDiffView::twoEnvironments()
{
    m_view->setEnvironments({kStaging, kProduction});
    const ConfigDiffTableModel *model = m_view->model();
    QCOMPARE(m_view->environments(), QStringList({kStaging, kProduction}));
    QCOMPARE(model->columnCount(), 6);
    QCOMPARE(model->headerData(3, Qt::Horizontal).toString(), kStaging);
    QCOMPARE(model->headerData(4, Qt::Horizontal).toString(), kProduction);
    QCOMPARE(model->headerData(5, Qt::Horizontal).toString(), QStringLiteral("Status"));
    const QString orders = QStringLiteral("orders");
    const auto status = [&](ConfigForm form, const QString &service, const QString &key) {
        const int r = rowOf(form, service, key);
        return r < 0 ? -1 : model->index(r, 0).data(ConfigDiffTableModel::StatusRole).toInt();
    };
    // Staging and Production agree on the log level and the pool size, not on the image.
    QCOMPARE(status(ConfigForm::Env, orders, QStringLiteral("LOG_LEVEL")), int(DiffStatus::Same));
    QCOMPARE(status(ConfigForm::Kv, orders, QStringLiteral("orders/pool_size")),
             int(DiffStatus::Same));
    QCOMPARE(status(ConfigForm::Image, orders, QStringLiteral("image")), int(DiffStatus::Differs));
    // feature_x exists only in Integration: no row between these two.
    QCOMPARE(rowOf(ConfigForm::Kv, orders, QStringLiteral("orders/feature_x")), -1);
    QCOMPARE(m_view->diff().rows().size(), model->rowCount());
}

void tst_ConfigDiffView::threeEnvironments()
{
    QSignalSpy resets(m_view->model(), &QAbstractItemModel::modelReset);
    m_view->setEnvironments({kIntegration, kStaging, kProduction});
    QCOMPARE(resets.count(), 1); // other columns
    const ConfigDiffTableModel *model = m_view->model();
    QCOMPARE(model->columnCount(), 7);
    QCOMPARE(model->headerData(5, Qt::Horizontal).toString(), kProduction);
    const QString orders = QStringLiteral("orders");
    const QModelIndex logLevel = cell(ConfigForm::Env, orders, QStringLiteral("LOG_LEVEL"), 0);
    QCOMPARE(logLevel.data().toString(), QStringLiteral("debug"));
    QCOMPARE(logLevel.siblingAtColumn(model->statusColumn()).data().toString(),
             QStringLiteral("differs"));
    const QModelIndex feature = cell(ConfigForm::Kv, orders, QStringLiteral("orders/feature_x"), 0);
    QCOMPARE(feature.data().toString(), QStringLiteral("on"));
    QCOMPARE(feature.siblingAtColumn(model->statusColumn()).data().toString(),
             QStringLiteral("missing"));
    QCOMPARE(feature.siblingAtColumn(4).data().toString(), QStringLiteral("(missing)"));
    QVERIFY(m_view->summaryLabel()->text().contains(QStringLiteral("missing")));
    // Provenance of each cell in its tooltip.
    QVERIFY(feature.data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("consul:config/shop/orders/feature_x")));
    QVERIFY(feature.siblingAtColumn(4).data(Qt::ToolTipRole).toString().contains(kStaging));
}

void tst_ConfigDiffView::preselectsTheCurrentEnvironmentAndANeighbour()
{
    m_view->setCurrentEnvironment(kProduction);
    QCOMPARE(m_view->environments(), QStringList({kProduction, kStaging}));
    m_view->setCurrentEnvironment(kIntegration);
    QCOMPARE(m_view->environments(), QStringList({kIntegration, kStaging}));
    // The third box adds a third column; the same environment twice counts once.
    m_view->environmentBox(2)->setCurrentIndex(m_view->environmentBox(2)->findData(kProduction));
    QCOMPARE(m_view->environments(), QStringList({kIntegration, kStaging, kProduction}));
    m_view->environmentBox(1)->setCurrentIndex(m_view->environmentBox(1)->findData(kIntegration));
    QCOMPARE(m_view->environments(), QStringList({kIntegration, kProduction}));
    m_view->environmentBox(2)->setCurrentIndex(0);
    QCOMPARE(m_view->environments(), QStringList({kIntegration}));
    QCOMPARE(m_view->model()->rowCount(), 0);
    QVERIFY(m_view->summaryLabel()->text().contains(QStringLiteral("two or three")));
}

void tst_ConfigDiffView::statusesAndColours()
{
    m_view->setEnvironments({kIntegration, kStaging, kProduction});
    const ConfigDiffTableModel *model = m_view->model();
    const QString orders = QStringLiteral("orders");
    const QModelIndex differs = cell(ConfigForm::Env, orders, QStringLiteral("LOG_LEVEL"), 1);
    QCOMPARE(differs.data(Qt::BackgroundRole).value<QColor>(),
             ConfigDiffTableModel::statusBackground(DiffStatus::Differs));
    QCOMPARE(
        differs.siblingAtColumn(model->statusColumn()).data(Qt::BackgroundRole).value<QColor>(),
        ConfigDiffTableModel::statusBackground(DiffStatus::Differs));
    // Missing: the absent cell and the status red, the present one plain.
    const QModelIndex missing = cell(ConfigForm::Kv, orders, QStringLiteral("orders/feature_x"), 2);
    QCOMPARE(missing.data(Qt::BackgroundRole).value<QColor>(),
             ConfigDiffTableModel::statusBackground(DiffStatus::Missing));
    QVERIFY(missing.data(Qt::FontRole).value<QFont>().italic());
    QVERIFY(!missing.siblingAtColumn(3).data(Qt::BackgroundRole).isValid());
    // Expected: grey and italic, no background.
    const QModelIndex expected = cell(ConfigForm::Env, orders, QStringLiteral("DB_URL"), 0);
    QCOMPARE(expected.siblingAtColumn(model->statusColumn()).data().toString(),
             QStringLiteral("expected"));
    QVERIFY(!expected.data(Qt::BackgroundRole).isValid());
    QVERIFY(expected.data(Qt::FontRole).value<QFont>().italic());
    QCOMPARE(expected.siblingAtColumn(2).data(Qt::ForegroundRole).value<QColor>(),
             QColor(0x75, 0x75, 0x75));
    // Same: plain.
    const QModelIndex same =
        cell(ConfigForm::Env, QStringLiteral("search"), QStringLiteral("LOG_LEVEL"), 0);
    QCOMPARE(same.siblingAtColumn(model->statusColumn()).data().toString(), QStringLiteral("same"));
    QVERIFY(!same.data(Qt::BackgroundRole).isValid());
    QVERIFY(!same.data(Qt::ForegroundRole).isValid());
    QVERIFY(!same.data(Qt::FontRole).isValid());
}

void tst_ConfigDiffView::longValuesHighlightTheDifferingPart()
{
    m_view->setEnvironments({kIntegration, kStaging});
    const QModelIndex image =
        cell(ConfigForm::Image, QStringLiteral("orders"), QStringLiteral("image"), 0);
    const QString text = image.data().toString();
    QCOMPARE(text, QStringLiteral("registry.example.internal/shop/orders:1.4.2-int-77aa01"));
    const QPoint span = image.data(ConfigDiffTableModel::HighlightRole).toPoint();
    QCOMPARE(text.left(span.x()), QStringLiteral("registry.example.internal/shop/orders:1.4.2-"));
    QCOMPARE(text.mid(span.x(), text.size() - span.x() - span.y()), QStringLiteral("int-77aa01"));
    // Short values (debug / info, 10 / 20) and masked ones are not marked.
    QVERIFY(!cell(ConfigForm::Env, QStringLiteral("orders"), QStringLiteral("LOG_LEVEL"), 0)
                 .data(ConfigDiffTableModel::HighlightRole)
                 .isValid());
    QVERIFY(!cell(ConfigForm::Env, QStringLiteral("orders"), QStringLiteral("DB_PASSWORD"), 0)
                 .data(ConfigDiffTableModel::HighlightRole)
                 .isValid());
    // Short values are not marked: "debug" against "info" reads at a glance.
    QVERIFY(!cell(ConfigForm::Kv, QStringLiteral("orders"), QStringLiteral("orders/pool_size"), 0)
                 .data(ConfigDiffTableModel::HighlightRole)
                 .isValid());
    // The delegate paints the marked span (a narrow window: the common prefix is shortened).
    m_view->resize(700, 500);
    QTest::qWait(20);
    m_view->table()->scrollTo(image);
    const QImage shot = m_view->table()->viewport()->grab().toImage();
    const QRect rect = m_view->table()->visualRect(image);
    bool marked = false;
    for (int x = rect.left(); x <= rect.right() && !marked; ++x)
        marked =
            shot.pixelColor(x, rect.center().y()) == Views::ConfigDiffDelegate::highlightColour();
    QVERIFY(marked);
}

void tst_ConfigDiffView::onlyDifferencesFilter()
{
    m_view->setEnvironments({kIntegration, kStaging, kProduction});
    const int all = m_view->model()->rowCount();
    QSignalSpy resets(m_view->model(), &QAbstractItemModel::modelReset);
    m_view->onlyDifferencesBox()->setChecked(true);
    QCOMPARE(resets.count(), 0);
    const int kept = m_view->model()->rowCount();
    QVERIFY(kept > 0 && kept < all);
    for (int r = 0; r < kept; ++r) {
        const auto status =
            DiffStatus(m_view->model()->index(r, 0).data(ConfigDiffTableModel::StatusRole).toInt());
        QVERIFY(status == DiffStatus::Differs || status == DiffStatus::Missing);
    }
    QVERIFY(m_view->summaryLabel()->text().contains(QStringLiteral("hidden")));
    m_view->onlyDifferencesBox()->setChecked(false);
    QCOMPARE(m_view->model()->rowCount(), all);
    QCOMPARE(resets.count(), 0);
}

void tst_ConfigDiffView::serviceFilter()
{
    m_view->setEnvironments({kIntegration, kStaging});
    QComboBox *service = m_view->serviceBox();
    QCOMPARE(service->count(), 3);
    QCOMPARE(service->itemText(0), QStringLiteral("All services"));
    QCOMPARE(service->itemData(1).toString(), QStringLiteral("orders"));
    QCOMPARE(service->itemData(2).toString(), QStringLiteral("search"));
    service->setCurrentIndex(2);
    QCOMPARE(m_view->filter().service, QStringLiteral("search"));
    QCOMPARE(m_view->model()->rowCount(), 3);
    for (int r = 0; r < m_view->model()->rowCount(); ++r)
        QCOMPARE(m_view->model()->row(r).service, QStringLiteral("search"));
}

void tst_ConfigDiffView::formsAndPrefixFilter()
{
    m_view->setEnvironments({kIntegration, kStaging});
    for (ConfigForm form : {ConfigForm::Env, ConfigForm::Image, ConfigForm::File})
        m_view->formBox(form)->setChecked(false);
    QCOMPARE(m_view->model()->rowCount(), 3); // pool_size, feature_x, replicas
    for (int r = 0; r < m_view->model()->rowCount(); ++r)
        QCOMPARE(m_view->model()->row(r).form, ConfigForm::Kv);
    m_view->prefixEdit()->setText(QStringLiteral("orders/"));
    QCOMPARE(m_view->model()->rowCount(), 2);
    m_view->formBox(ConfigForm::Kv)->setChecked(false);
    QCOMPARE(m_view->model()->rowCount(), 0); // no form ticked: nothing, not everything
}

void tst_ConfigDiffView::expectedRuleApplied()
{
    m_view->setEnvironments({kStaging, kProduction});
    const QString orders = QStringLiteral("orders");
    const auto statusOf = [&](const QString &service, const QString &key) {
        const int r = rowOf(ConfigForm::Env, service, key);
        return m_view->model()->row(r).status;
    };
    // stg ↔ prod rewritten (DB_URL, the password, app.conf); BUILD_ID ignored by its glob.
    QCOMPARE(statusOf(orders, QStringLiteral("DB_URL")), DiffStatus::Expected);
    QCOMPARE(statusOf(QStringLiteral("search"), QStringLiteral("BUILD_ID")), DiffStatus::Expected);
    QVERIFY2(m_view->summaryLabel()->text().contains(QStringLiteral("4 expected")),
             qPrintable(m_view->summaryLabel()->text()));
    m_view->expectedBox()->setChecked(false);
    QCOMPARE(statusOf(orders, QStringLiteral("DB_URL")), DiffStatus::Differs);
    QCOMPARE(statusOf(QStringLiteral("search"), QStringLiteral("BUILD_ID")), DiffStatus::Differs);
    QVERIFY(m_view->summaryLabel()->text().contains(QStringLiteral("0 expected")));
}

void tst_ConfigDiffView::secretsMaskedUntilRevealed()
{
    m_view->setEnvironments({kIntegration, kStaging});
    const QModelIndex password =
        cell(ConfigForm::Env, QStringLiteral("orders"), QStringLiteral("DB_PASSWORD"), 0);
    QVERIFY(m_view->model()->row(password.row()).secret);
    QVERIFY(!password.data().toString().contains(QStringLiteral("int-secret")));
    QVERIFY(!password.data(Qt::ToolTipRole).toString().contains(QStringLiteral("int-secret")));
    // No production among the compared: revealed at once.
    m_view->revealBox()->setChecked(true);
    QVERIFY(!m_view->pendingConfirmation());
    QVERIFY(m_view->secretsRevealed());
    QCOMPARE(password.data().toString(), QStringLiteral("int-secret"));
    m_view->revealBox()->setChecked(false);
    QVERIFY(!password.data().toString().contains(QStringLiteral("int-secret")));
    // Other environments mask again.
    m_view->revealBox()->setChecked(true);
    m_view->setEnvironments({kStaging, kIntegration});
    QVERIFY(!m_view->secretsRevealed());
    QVERIFY(!m_view->revealBox()->isChecked());
}

void tst_ConfigDiffView::revealInProductionNeedsTheTypedName()
{
    m_view->setEnvironments({kStaging, kProduction});
    const QModelIndex password =
        cell(ConfigForm::Env, QStringLiteral("orders"), QStringLiteral("DB_PASSWORD"), 1);
    m_view->revealBox()->setChecked(true);
    Views::ConfirmActionDialog *dialog = m_view->pendingConfirmation();
    QVERIFY(dialog);
    QVERIFY(dialog->needsTypedName());
    QVERIFY(!m_view->secretsRevealed());
    QVERIFY(!m_view->revealBox()->isChecked());
    QVERIFY(!password.data().toString().contains(QStringLiteral("prod-secret")));
    // Cancel keeps them masked.
    dialog->reject();
    QTRY_VERIFY(!m_view->pendingConfirmation());
    QVERIFY(!m_view->secretsRevealed());
    m_view->revealBox()->setChecked(true);
    dialog = m_view->pendingConfirmation();
    QVERIFY(dialog);
    QTest::keyClicks(dialog->nameEdit(), kProduction);
    dialog->accept();
    QTRY_VERIFY(!m_view->pendingConfirmation());
    QVERIFY(m_view->secretsRevealed());
    QVERIFY(m_view->revealBox()->isChecked());
    QCOMPARE(password.data().toString(), QStringLiteral("prod-secret"));
}

void tst_ConfigDiffView::fileRowShowsTheLineDiff()
{
    m_view->setEnvironments({kIntegration, kStaging});
    const QModelIndex file =
        cell(ConfigForm::File, QStringLiteral("orders"), QStringLiteral("/etc/orders/app.conf"), 0);
    QVERIFY(file.data(ConfigDiffTableModel::MultiLineRole).toBool());
    QVERIFY(file.data().toString().startsWith(QStringLiteral("# orders")));
    QVERIFY(file.data().toString().contains(QStringLiteral("5 lines")));
    QVERIFY(m_view->lineDiffView()->toPlainText().isEmpty());
    selectCell(file);
    const QString text = m_view->lineDiffView()->toPlainText();
    QVERIFY2(text.contains(QStringLiteral("--- Integration/orders/file/etc/orders/app.conf")),
             qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("+++ Staging/orders/file/etc/orders/app.conf")));
    QVERIFY(text.contains(QStringLiteral("\n-listen = 8081\n")));
    QVERIFY(text.contains(QStringLiteral("\n+listen = 8080\n")));
    QVERIFY(text.contains(QStringLiteral("\n-environment = int\n")));
    QVERIFY(text.contains(QStringLiteral("\n log = /var/log/orders.log\n")));
    // Coloured like git diff.
    int removed = 0;
    int added = 0;
    for (QTextBlock b = m_view->lineDiffView()->document()->begin(); b.isValid(); b = b.next()) {
        const QColor background = b.blockFormat().background().color();
        if (b.text().startsWith(QLatin1Char('-')) && !b.text().startsWith(QLatin1String("---"))) {
            QCOMPARE(background, QColor(0xff, 0xee, 0xf0));
            ++removed;
        } else if (b.text().startsWith(QLatin1Char('+'))
                   && !b.text().startsWith(QLatin1String("+++"))) {
            QCOMPARE(background, QColor(0xe6, 0xff, 0xed));
            ++added;
        }
    }
    QCOMPARE(removed, 2);
    QCOMPARE(added, 2);
    // A single-line value empties the pane.
    selectCell(cell(ConfigForm::Env, QStringLiteral("orders"), QStringLiteral("LOG_LEVEL"), 0));
    QVERIFY(m_view->lineDiffView()->toPlainText().isEmpty());
}

void tst_ConfigDiffView::exportsEqualTheDiffEngine()
{
    m_view->setEnvironments({kIntegration, kStaging, kProduction});
    m_view->onlyDifferencesBox()->setChecked(true);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QString error;
    QVERIFY(m_view->exportJson(dir.filePath(QStringLiteral("diff.json")), &error));
    QVERIFY(m_view->exportUnifiedDiff(dir.filePath(QStringLiteral("diff.diff")), &error));

    QList<ConfigDiff::Side> sides;
    for (const QString &env : {kIntegration, kStaging, kProduction})
        sides << ConfigDiff::Side{env, m_provider->items.value(env)};
    DiffFilter filter;
    filter.onlyDifferences = true;
    const ConfigDiff expected = ConfigDiff::compute(sides, m_provider->diffRules(), filter);
    QFile json(dir.filePath(QStringLiteral("diff.json")));
    QVERIFY(json.open(QIODevice::ReadOnly));
    const QByteArray written = json.readAll();
    QCOMPARE(QJsonDocument::fromJson(written), expected.toJson());
    QVERIFY(!written.contains("int-secret")); // masked as on screen
    QFile unified(dir.filePath(QStringLiteral("diff.diff")));
    QVERIFY(unified.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(unified.readAll()), expected.toUnifiedDiff());
    // An unwritable path says why.
    QVERIFY(!m_view->exportJson(dir.filePath(QStringLiteral("no/such/dir/diff.json")), &error));
    QVERIFY(!error.isEmpty());
}

void tst_ConfigDiffView::recomputesCoalescedKeepingTheSelection()
{
    m_view->setEnvironments({kIntegration, kStaging});
    const QModelIndex pool =
        cell(ConfigForm::Kv, QStringLiteral("orders"), QStringLiteral("orders/pool_size"), 1);
    selectCell(pool);
    QSignalSpy resets(m_view->model(), &QAbstractItemModel::modelReset);
    QSignalSpy inserted(m_view->model(), &QAbstractItemModel::rowsInserted);
    // A burst of changes in Staging: a new key sorted before the selected row, a value changed.
    QList<ConfigItem> &staging = m_provider->items[kStaging];
    staging << item(
        kStaging, QStringLiteral("orders"), ConfigForm::Env, QStringLiteral("A_NEW"), "1");
    for (ConfigItem &i : staging) {
        if (i.key == QLatin1String("orders/pool_size"))
            i.value = "30";
    }
    for (int i = 0; i < 5; ++i)
        emit m_provider->configChanged(kStaging);
    emit m_provider->configChanged(kProduction); // not compared: ignored
    QCOMPARE(inserted.count(), 0);               // not yet: coalesced
    QTRY_COMPARE(inserted.count(), 1);
    QCOMPARE(resets.count(), 0);
    const QModelIndex current = m_view->table()->currentIndex();
    QCOMPARE(m_view->model()->row(current.row()).key, QStringLiteral("orders/pool_size"));
    QCOMPARE(current.column(), pool.column());
    QCOMPARE(current.data().toString(), QStringLiteral("30"));
    QTest::qWait(300);
    QCOMPARE(inserted.count(), 1); // one recompute for the burst
}

void tst_ConfigDiffView::kvEditDisabledWhenNotAllowed()
{
    m_view->setEnvironments({kStaging, kProduction});
    selectCell(
        cell(ConfigForm::Kv, QStringLiteral("orders"), QStringLiteral("orders/pool_size"), 1));
    QVERIFY(!m_view->editAction()->isEnabled());
    m_view->editCurrentValue();
    QVERIFY(!m_view->pendingEdit());
    // Allowed in Staging only: Production's cell and non-KV rows stay disabled.
    m_provider->editable = {kStaging};
    m_view->recompute();
    QVERIFY(!m_view->editAction()->isEnabled());
    selectCell(cell(ConfigForm::Env, QStringLiteral("orders"), QStringLiteral("LOG_LEVEL"), 0));
    QVERIFY(!m_view->editAction()->isEnabled());
    selectCell(
        cell(ConfigForm::Kv, QStringLiteral("orders"), QStringLiteral("orders/pool_size"), 0));
    QVERIFY(m_view->editAction()->isEnabled());
    QVERIFY(m_provider->edits.isEmpty());
}

void tst_ConfigDiffView::kvEditSendsACasRequestWhenConfirmed()
{
    m_provider->editable = {kStaging, kProduction};
    m_view->setEnvironments({kStaging, kProduction});
    selectCell(
        cell(ConfigForm::Kv, QStringLiteral("orders"), QStringLiteral("orders/pool_size"), 1));
    QVERIFY(m_view->editAction()->isEnabled());
    m_view->editAction()->trigger();
    QDialog *edit = m_view->pendingEdit();
    QVERIFY(edit);
    auto *value = edit->findChild<QPlainTextEdit *>(QStringLiteral("configDiffEditValue"));
    QVERIFY(value);
    QCOMPARE(value->toPlainText(), QStringLiteral("20"));
    value->setPlainText(QStringLiteral("25"));
    edit->accept();
    QTRY_VERIFY(m_view->pendingConfirmation());
    Views::ConfirmActionDialog *confirm = m_view->pendingConfirmation();
    QVERIFY(confirm->needsTypedName()); // Production
    QVERIFY(confirm->warning().contains(QStringLiteral("version 9")));
    QVERIFY(m_provider->edits.isEmpty());
    QTest::keyClicks(confirm->nameEdit(), kProduction);
    confirm->accept();
    QTRY_VERIFY(!m_view->pendingConfirmation());
    QCOMPARE(m_provider->edits.size(), 1);
    const KvEditRequest sent = m_provider->edits.constFirst();
    QCOMPARE(sent.environment, kProduction);
    QCOMPARE(sent.kind, KvKind::Consul);
    QCOMPARE(sent.key, QStringLiteral("config/shop/orders/pool_size"));
    QCOMPARE(sent.value, QByteArray("25"));
    QCOMPARE(sent.version, 9);
    QVERIFY(!sent.remove);
    QVERIFY(m_view->statusLabel()->text().contains(QStringLiteral("requested")));
    emit m_provider->kvEditFinished(sent, false, QStringLiteral("CAS mismatch: changed meanwhile"));
    QVERIFY(m_view->statusLabel()->text().contains(QStringLiteral("FAILED: CAS mismatch")));
    // Cancelled at the confirmation: nothing sent.
    m_view->editAction()->trigger();
    QVERIFY(m_view->pendingEdit());
    m_view->pendingEdit()->accept();
    QTRY_VERIFY(m_view->pendingConfirmation());
    m_view->pendingConfirmation()->reject();
    QTRY_VERIFY(!m_view->pendingConfirmation());
    QCOMPARE(m_provider->edits.size(), 1);
}

void tst_ConfigDiffView::refreshFilesAsksTheProvider()
{
    m_view->setEnvironments({kIntegration, kProduction});
    m_view->refreshFilesButton()->click();
    QCOMPARE(m_provider->refreshed, QStringList({kIntegration, kProduction}));
    QVERIFY(m_view->statusLabel()->text().startsWith(QStringLiteral("Reading the config files")));
    // The line says so once every environment's reads have ended, not before.
    emit m_provider->filesSettled(kIntegration);
    QVERIFY(m_view->statusLabel()->text().startsWith(QStringLiteral("Reading the config files")));
    emit m_provider->filesSettled(kProduction);
    QCOMPARE(m_view->statusLabel()->text(),
             QStringLiteral("The config files of Integration, Production were read again."));
}

void tst_ConfigDiffView::mainWindowOpensItWithCtrlD()
{
    QSettings().clear();
    OpsdeckConfig config;
    for (const QString &name : {kIntegration, kStaging, kProduction}) {
        EnvironmentConfig e;
        e.name = name;
        e.production = name == kProduction;
        config.environments << e;
    }
    QList<EnvironmentStore *> stores;
    for (const EnvironmentConfig &e : std::as_const(config.environments))
        stores << new EnvironmentStore(e.name);
    {
        Views::MainWindow window(config, stores, nullptr);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(!window.configDiffAction()->isEnabled()); // no provider yet
        QCOMPARE(window.configDiffAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_D));
        window.setConfigProvider(m_provider);
        window.switchToEnvironment(2);
        QTest::keyClick(&window, Qt::Key_D, Qt::ControlModifier);
        QTRY_VERIFY(window.configDiffView());
        Views::ConfigDiffView *view = window.configDiffView();
        QVERIFY(view->isWindow());
        QVERIFY(view->isVisible());
        // The current environment first, its neighbour second.
        QCOMPARE(view->environments(), QStringList({kProduction, kStaging}));
        // Production comes from the environments file: revealing asks for the typed name.
        view->revealBox()->setChecked(true);
        QVERIFY(view->pendingConfirmation());
        QVERIFY(view->pendingConfirmation()->needsTypedName());
        view->pendingConfirmation()->reject();
        // Again: the same window.
        window.configDiffAction()->trigger();
        QCOMPARE(window.configDiffView(), view);
    }
    qDeleteAll(stores);
}

void tst_ConfigDiffView::screenshot()
{
    const QString dir = qEnvironmentVariable("OPSDECK_SCREENSHOT_DIR");
    m_view->resize(1400, 780);
    m_view->setEnvironments({kIntegration, kStaging, kProduction});
    selectCell(cell(
        ConfigForm::File, QStringLiteral("orders"), QStringLiteral("/etc/orders/app.conf"), 1));
    QTest::qWait(50);
    const QPixmap shot = m_view->grab();
    QVERIFY(!shot.isNull());
    if (!dir.isEmpty())
        QVERIFY(shot.save(dir + QStringLiteral("/config-diff.png")));
}

QTEST_MAIN(tst_ConfigDiffView)
#include "tst_configdiffview.moc"
