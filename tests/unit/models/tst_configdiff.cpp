// SPDX-License-Identifier: MIT
#include "models/configdiff.h"
#include "models/secrets.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

using namespace Opsdeck::Models;

namespace {

ConfigItem item(const QString &service,
                ConfigForm form,
                const QString &key,
                const QByteArray &value,
                const QString &provenance = QString())
{
    ConfigItem i;
    i.service = service;
    i.form = form;
    i.key = key;
    i.value = value;
    i.provenance = provenance.isEmpty() ? QStringLiteral("test:") + key : provenance;
    return i;
}

ConfigItem kv(const QString &key, const QByteArray &value)
{
    return item(key.section(QLatin1Char('/'), 0, 0), ConfigForm::Kv, key, value);
}

ConfigDiff::Side side(const QString &env, const QList<ConfigItem> &items)
{
    return ConfigDiff::Side{env, items};
}

const DiffRow *findRow(const ConfigDiff &diff, const QString &key)
{
    for (const DiffRow &row : diff.rows()) {
        if (row.key == key)
            return &row;
    }
    return nullptr;
}

DiffStatus statusOf(const ConfigDiff &diff, const QString &key)
{
    const DiffRow *row = findRow(diff, key);
    if (!row)
        qFatal("no row %s", qPrintable(key));
    return row->status;
}

DiffRules shopRewrite()
{
    DiffRules rules;
    rules.rewrites << QMap<QString, QString>{
        {QStringLiteral("Integration"), QStringLiteral("int")},
        {QStringLiteral("Staging"), QStringLiteral("stg")},
        {QStringLiteral("Production"), QStringLiteral("prod")}};
    return rules;
}

/// The length of a longest common subsequence, by dynamic programming (the reference for Myers).
qsizetype lcsLength(const QStringList &a, const QStringList &b)
{
    QList<qsizetype> prev(b.size() + 1, 0);
    QList<qsizetype> cur(b.size() + 1, 0);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        for (qsizetype j = 1; j <= b.size(); ++j)
            cur[j] = a.at(i - 1) == b.at(j - 1) ? prev.at(j - 1) + 1
                                                : std::max(prev.at(j), cur.at(j - 1));
        std::swap(prev, cur);
    }
    return prev.at(b.size());
}

} // namespace

Q_DECLARE_METATYPE(DiffStatus)

class tst_ConfigDiff : public QObject
{
    Q_OBJECT

private slots:
    void tenThousandKeys();
    void unicode();
    void binaryValuesAreNeverRaw();
    void secretsMaskedUntilRevealed();
    void rewriteRule();
    void rewriteIsWordBounded();
    void ignoreRule();
    void missingOnEachSide_data();
    void missingOnEachSide();
    void threeWay();
    void driftInsideOneEnvironment();
    void filters();
    void exitCode();
    void jsonDocument();
    void textTable();
    void unifiedDiffOfKeys();
    void unifiedDiffOfFiles();
    void unifiedDiffMatchesDiffU();
    void diffLinesIsMinimal();
    void highlight_data();
    void highlight();
};

void tst_ConfigDiff::tenThousandKeys()
{
    QList<ConfigItem> a;
    QList<ConfigItem> b;
    QList<ConfigItem> c;
    for (int i = 0; i < 10000; ++i) {
        const QString key =
            QStringLiteral("svc%1/key%2").arg(i % 50).arg(i, 5, 10, QLatin1Char('0'));
        const QByteArray value = "value-" + QByteArray::number(i);
        a << kv(key, value);
        if (i % 1000 != 1)
            b << kv(key, i % 1000 == 0 ? value + "-changed" : value);
        c << kv(key, value);
    }
    QElapsedTimer timer;
    timer.start();
    const ConfigDiff diff = ConfigDiff::compute(
        {side(QStringLiteral("A"), a), side(QStringLiteral("B"), b), side(QStringLiteral("C"), c)});
    qInfo("3 x 10000 keys compared in %lld ms", qlonglong(timer.elapsed()));
    QCOMPARE(diff.rows().size(), 10000);
    int same = 0, differs = 0, missing = 0;
    for (const DiffRow &row : diff.rows()) {
        same += row.status == DiffStatus::Same;
        differs += row.status == DiffStatus::Differs;
        missing += row.status == DiffStatus::Missing;
    }
    QCOMPARE(differs, 10);
    QCOMPARE(missing, 10);
    QCOMPARE(same, 9980);
    QCOMPARE(statusOf(diff, QStringLiteral("svc0/key01000")), DiffStatus::Differs);
    QCOMPARE(statusOf(diff, QStringLiteral("svc1/key01001")), DiffStatus::Missing);
    QVERIFY(!findRow(diff, QStringLiteral("svc1/key01001"))->cells.at(1).value);
    // Sorted by service, then key.
    for (qsizetype i = 1; i < diff.rows().size(); ++i) {
        const DiffRow &p = diff.rows().at(i - 1);
        const DiffRow &r = diff.rows().at(i);
        QVERIFY(std::tie(p.service, p.key) < std::tie(r.service, r.key));
    }
    DiffFilter only;
    only.onlyDifferences = true;
    QCOMPARE(ConfigDiff::compute(
                 {side(QStringLiteral("A"), a), side(QStringLiteral("B"), b)}, DiffRules(), only)
                 .rows()
                 .size(),
             20);
}

void tst_ConfigDiff::unicode()
{
    const QString key = QStringLiteral("größe/名前");
    const ConfigDiff diff = ConfigDiff::compute(
        {side(QStringLiteral("A"),
              {kv(key, QStringLiteral("Grüße 🌍").toUtf8()), kv(QStringLiteral("x/ü"), "1")}),
         side(QStringLiteral("B"),
              {kv(key, QStringLiteral("Grüße 🌎").toUtf8()), kv(QStringLiteral("x/ü"), "1")})});
    QCOMPARE(statusOf(diff, key), DiffStatus::Differs);
    QCOMPARE(statusOf(diff, QStringLiteral("x/ü")), DiffStatus::Same);
    const DiffRow *row = findRow(diff, key);
    QCOMPARE(ConfigDiff::displayValue(*row, 0, {}), QStringLiteral("Grüße 🌍"));
    const QJsonObject json = diff.toJson().object();
    const QJsonObject first = json.value(QStringLiteral("rows")).toArray().at(0).toObject();
    QCOMPARE(first.value(QStringLiteral("key")).toString(), key);
    QCOMPARE(first.value(QStringLiteral("values")).toObject().value(QStringLiteral("B")).toString(),
             QStringLiteral("Grüße 🌎"));
    const QString unified = diff.toUnifiedDiff();
    QVERIFY2(unified.contains(QStringLiteral("-größe/名前=Grüße 🌍\n+größe/名前=Grüße 🌎\n")),
             qPrintable(unified));
}

void tst_ConfigDiff::binaryValuesAreNeverRaw()
{
    const QByteArray shortBinary("\x00\x01\xff\xfe", 4);
    QByteArray longBinary;
    for (int i = 0; i < 100; ++i)
        longBinary += char(i * 7);
    QCOMPARE(displayBytes(shortBinary), QStringLiteral("hex:0001fffe"));
    QCOMPARE(displayBytes(longBinary),
             QLatin1String("base64:") + QString::fromLatin1(longBinary.toBase64()));
    QCOMPARE(displayBytes("\xc3\x28"), QStringLiteral("hex:c328")); // invalid UTF-8
    QCOMPARE(displayBytes("tab\tand\nnewline"), QStringLiteral("tab\tand\nnewline"));
    QCOMPARE(displayBytes("bell\x07"), QStringLiteral("hex:62656c6c07"));

    const ConfigDiff diff = ConfigDiff::compute(
        {side(QStringLiteral("A"),
              {kv(QStringLiteral("s/blob"), shortBinary), kv(QStringLiteral("s/big"), longBinary)}),
         side(QStringLiteral("B"),
              {kv(QStringLiteral("s/blob"), QByteArray("\x00\x01\xff\xfd", 4)),
               kv(QStringLiteral("s/big"), longBinary)})});
    QCOMPARE(statusOf(diff, QStringLiteral("s/blob")), DiffStatus::Differs);
    QCOMPARE(statusOf(diff, QStringLiteral("s/big")), DiffStatus::Same);
    const QByteArray json = diff.toJson().toJson();
    QVERIFY(json.contains("hex:0001fffe"));
    QVERIFY(json.contains("hex:0001fffd"));
    const QString outputs = diff.toUnifiedDiff() + diff.toTextTable();
    QVERIFY(outputs.contains(QStringLiteral("hex:0001fffd")));
    for (const QChar ch : outputs)
        QVERIFY2(ch.unicode() >= 0x20 || ch == QLatin1Char('\n'), "a control character leaked");
}

void tst_ConfigDiff::secretsMaskedUntilRevealed()
{
    const QList<ConfigItem> a{
        kv(QStringLiteral("auth/jwt_signing_key"), "int-3c1d9f0e7a"),
        item(QStringLiteral("orders"), ConfigForm::Env, QStringLiteral("DB_PASSWORD"), "hunter2"),
        kv(QStringLiteral("tls/material"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n"),
        kv(QStringLiteral("auth/session_ttl_s"), "3600"),
    };
    const QList<ConfigItem> b{
        kv(QStringLiteral("auth/jwt_signing_key"), "stg-5b2e8a1c4d"),
        item(QStringLiteral("orders"), ConfigForm::Env, QStringLiteral("DB_PASSWORD"), "hunter3"),
        kv(QStringLiteral("tls/material"), "-----BEGIN RSA PRIVATE KEY-----\nBBBB\n"),
        kv(QStringLiteral("auth/session_ttl_s"), "7200"),
    };
    const ConfigDiff diff =
        ConfigDiff::compute({side(QStringLiteral("A"), a), side(QStringLiteral("B"), b)});
    QVERIFY(findRow(diff, QStringLiteral("auth/jwt_signing_key"))->secret);
    QVERIFY(findRow(diff, QStringLiteral("DB_PASSWORD"))->secret);
    QVERIFY(findRow(diff, QStringLiteral("tls/material"))->secret);
    QVERIFY(!findRow(diff, QStringLiteral("auth/session_ttl_s"))->secret);
    // Status is computed on the real values.
    QCOMPARE(statusOf(diff, QStringLiteral("DB_PASSWORD")), DiffStatus::Differs);

    const QStringList secrets{QStringLiteral("3c1d9f0e7a"),
                              QStringLiteral("5b2e8a1c4d"),
                              QStringLiteral("hunter"),
                              QStringLiteral("AAAA"),
                              QStringLiteral("BBBB")};
    const QString masked =
        diff.toUnifiedDiff() + diff.toTextTable() + QString::fromUtf8(diff.toJson().toJson());
    for (const QString &s : secrets)
        QVERIFY2(!masked.contains(s), qPrintable(s));
    QVERIFY(masked.contains(maskedValue()));
    QVERIFY(masked.contains(QStringLiteral("7200")));

    const DiffOutputOptions reveal{true};
    const QString revealed = diff.toUnifiedDiff(reveal) + diff.toTextTable(reveal)
                             + QString::fromUtf8(diff.toJson(reveal).toJson());
    for (const QString &s : secrets)
        QVERIFY2(revealed.contains(s), qPrintable(s));
}

void tst_ConfigDiff::rewriteRule()
{
    const auto url = [](const char *env) -> QByteArray {
        return QByteArray("postgres://orders@postgres-orders.") + env
               + ".example.internal:5432/orders";
    };
    const QList<ConfigDiff::Side> sides{
        side(QStringLiteral("Integration"),
             {kv(QStringLiteral("orders/db_url"), url("int")),
              kv(QStringLiteral("auth/key_id"), "int-3c1d9f0e7a"),
              kv(QStringLiteral("orders/db_pool_size"), "10")}),
        side(QStringLiteral("Staging"),
             {kv(QStringLiteral("orders/db_url"), url("stg")),
              kv(QStringLiteral("auth/key_id"), "stg-5b2e8a1c4d"),
              kv(QStringLiteral("orders/db_pool_size"), "20")}),
        side(QStringLiteral("production"), // rule names match case-insensitively
             {kv(QStringLiteral("orders/db_url"), url("prod")),
              kv(QStringLiteral("auth/key_id"), "prod-3c1d9f0e7a"),
              kv(QStringLiteral("orders/db_pool_size"), "50")}),
    };
    const ConfigDiff plain = ConfigDiff::compute(sides);
    QCOMPARE(statusOf(plain, QStringLiteral("orders/db_url")), DiffStatus::Differs);
    const ConfigDiff ruled = ConfigDiff::compute(sides, shopRewrite());
    QCOMPARE(statusOf(ruled, QStringLiteral("orders/db_url")), DiffStatus::Expected);
    QCOMPARE(statusOf(ruled, QStringLiteral("auth/key_id")), DiffStatus::Differs);
    QCOMPARE(statusOf(ruled, QStringLiteral("orders/db_pool_size")), DiffStatus::Differs);
    // The values themselves stay as they are.
    QCOMPARE(*findRow(ruled, QStringLiteral("orders/db_url"))->cells.at(1).value, url("stg"));

    // A rewrite naming only two environments leaves the third's token alone.
    DiffRules partial;
    partial.rewrites << QMap<QString, QString>{
        {QStringLiteral("Integration"), QStringLiteral("int")},
        {QStringLiteral("Staging"), QStringLiteral("stg")}};
    const ConfigDiff twoOfThree = ConfigDiff::compute(sides, partial);
    QCOMPARE(statusOf(twoOfThree, QStringLiteral("orders/db_url")), DiffStatus::Differs);
    const ConfigDiff twoSides = ConfigDiff::compute({sides.at(0), sides.at(1)}, partial);
    QCOMPARE(statusOf(twoSides, QStringLiteral("orders/db_url")), DiffStatus::Expected);
    QCOMPARE(twoSides.exitCode(), 1); // db_pool_size and key_id still differ
}

void tst_ConfigDiff::rewriteIsWordBounded()
{
    // "int" inside "internal" or "print" is not the environment's token.
    const ConfigDiff diff =
        ConfigDiff::compute({side(QStringLiteral("Integration"),
                                  {kv(QStringLiteral("a/host"), "int.example.internal"),
                                   kv(QStringLiteral("a/word"), "print"),
                                   kv(QStringLiteral("a/start"), "int"),
                                   kv(QStringLiteral("a/under"), "db_int")}),
                             side(QStringLiteral("Staging"),
                                  {kv(QStringLiteral("a/host"), "stg.example.internal"),
                                   kv(QStringLiteral("a/word"), "prstg"),
                                   kv(QStringLiteral("a/start"), "stg"),
                                   kv(QStringLiteral("a/under"), "db_stg")})},
                            shopRewrite());
    QCOMPARE(statusOf(diff, QStringLiteral("a/host")), DiffStatus::Expected);
    QCOMPARE(statusOf(diff, QStringLiteral("a/word")), DiffStatus::Differs);
    QCOMPARE(statusOf(diff, QStringLiteral("a/start")), DiffStatus::Expected);
    QCOMPARE(statusOf(diff, QStringLiteral("a/under")), DiffStatus::Differs);
}

void tst_ConfigDiff::ignoreRule()
{
    DiffRules rules;
    rules.ignoreGlobs << QStringLiteral("*/build_id") << QStringLiteral("LOG_LEVEL")
                      << QStringLiteral("orders/feature_?");
    const ConfigDiff diff = ConfigDiff::compute(
        {side(
             QStringLiteral("A"),
             {kv(QStringLiteral("orders/build_id"), "1"),
              item(QStringLiteral("orders"), ConfigForm::Env, QStringLiteral("LOG_LEVEL"), "debug"),
              kv(QStringLiteral("orders/feature_x"), "on"),
              kv(QStringLiteral("orders/feature_xy"), "on"),
              kv(QStringLiteral("orders/build_ids"), "1")}),
         side(QStringLiteral("B"),
              {kv(QStringLiteral("orders/build_id"), "2"),
               item(QStringLiteral("orders"), ConfigForm::Env, QStringLiteral("LOG_LEVEL"), "warn"),
               kv(QStringLiteral("orders/feature_xy"), "off"),
               kv(QStringLiteral("orders/build_ids"), "2")})},
        rules);
    QCOMPARE(statusOf(diff, QStringLiteral("orders/build_id")), DiffStatus::Expected);
    QCOMPARE(statusOf(diff, QStringLiteral("LOG_LEVEL")), DiffStatus::Expected); // "service/key"
    QCOMPARE(statusOf(diff, QStringLiteral("orders/feature_x")), DiffStatus::Expected); // missing
    QCOMPARE(statusOf(diff, QStringLiteral("orders/feature_xy")), DiffStatus::Differs);
    QCOMPARE(statusOf(diff, QStringLiteral("orders/build_ids")), DiffStatus::Differs);
    // Expected rows stay out of the unified diff.
    const QString unified = diff.toUnifiedDiff();
    QVERIFY(!unified.contains(QStringLiteral("LOG_LEVEL")));
    QVERIFY(!unified.contains(QStringLiteral("build_id=")));
    QVERIFY(unified.contains(QStringLiteral("-orders/feature_xy=on")));
}

void tst_ConfigDiff::missingOnEachSide_data()
{
    QTest::addColumn<int>("absentIn");
    QTest::newRow("missing in A") << 0;
    QTest::newRow("missing in B") << 1;
    QTest::newRow("missing in C") << 2;
}

void tst_ConfigDiff::missingOnEachSide()
{
    QFETCH(int, absentIn);
    QList<ConfigDiff::Side> sides;
    for (int s = 0; s < 3; ++s) {
        QList<ConfigItem> items{kv(QStringLiteral("a/common"), "1")};
        if (s != absentIn)
            items << kv(QStringLiteral("a/sometimes"), "1");
        sides << side(QString(QChar(u'A' + s)), items);
    }
    const ConfigDiff diff = ConfigDiff::compute(sides);
    QCOMPARE(statusOf(diff, QStringLiteral("a/common")), DiffStatus::Same);
    const DiffRow *row = findRow(diff, QStringLiteral("a/sometimes"));
    QCOMPARE(row->status, DiffStatus::Missing);
    for (int s = 0; s < 3; ++s)
        QCOMPARE(bool(row->cells.at(s).value), s != absentIn);
    QCOMPARE(diff.exitCode(), 1);
    const QJsonObject values = diff.toJson()
                                   .object()
                                   .value(QStringLiteral("rows"))
                                   .toArray()
                                   .at(1)
                                   .toObject()
                                   .value(QStringLiteral("values"))
                                   .toObject();
    QVERIFY(values.value(QString(QChar(u'A' + absentIn))).isNull());
    QVERIFY(diff.toTextTable().contains(QStringLiteral("(missing)")));
    const QString unified = diff.toUnifiedDiff();
    if (absentIn == 0) {
        QVERIFY(unified.contains(QStringLiteral("+a/sometimes=1")));
    } else {
        QVERIFY(unified.contains(QStringLiteral("-a/sometimes=1")));
    }
}

void tst_ConfigDiff::threeWay()
{
    const ConfigDiff diff = ConfigDiff::compute(
        {side(QStringLiteral("Integration"),
              {kv(QStringLiteral("p/t"), "3000"), kv(QStringLiteral("p/u"), "1")}),
         side(QStringLiteral("Staging"),
              {kv(QStringLiteral("p/t"), "30000"), kv(QStringLiteral("p/u"), "1")}),
         side(QStringLiteral("Production"),
              {kv(QStringLiteral("p/t"), "3000"), kv(QStringLiteral("p/u"), "2")})});
    QCOMPARE(diff.environments(),
             (QStringList{QStringLiteral("Integration"),
                          QStringLiteral("Staging"),
                          QStringLiteral("Production")}));
    QCOMPARE(statusOf(diff, QStringLiteral("p/t")), DiffStatus::Differs);
    QCOMPARE(statusOf(diff, QStringLiteral("p/u")), DiffStatus::Differs);
    const QString unified = diff.toUnifiedDiff();
    // The first environment against each other one.
    QVERIFY(unified.contains(QStringLiteral("--- Integration/p/kv\n+++ Staging/p/kv\n")));
    QVERIFY(unified.contains(QStringLiteral("--- Integration/p/kv\n+++ Production/p/kv\n")));
    QVERIFY(unified.contains(QStringLiteral("-p/t=3000\n+p/t=30000\n")));
    QVERIFY(unified.contains(QStringLiteral("-p/u=1\n+p/u=2\n")));
}

void tst_ConfigDiff::driftInsideOneEnvironment()
{
    ConfigItem one = item(QStringLiteral("orders"), ConfigForm::Env, QStringLiteral("POOL"), "10");
    ConfigItem two = item(QStringLiteral("orders"), ConfigForm::Env, QStringLiteral("POOL"), "12");
    one.drift = two.drift = true;
    const ConfigDiff diff = ConfigDiff::compute(
        {side(QStringLiteral("A"), {one, two}),
         side(QStringLiteral("B"),
              {item(QStringLiteral("orders"), ConfigForm::Env, QStringLiteral("POOL"), "10")})});
    const DiffRow *row = findRow(diff, QStringLiteral("POOL"));
    QVERIFY(row->drift);
    QCOMPARE(row->status, DiffStatus::Differs);
    QCOMPARE(row->cells.at(0).otherValues, QList<QByteArray>{"12"});
    QCOMPARE(ConfigDiff::displayValue(*row, 0, {}), QStringLiteral("10 | 12"));
    QVERIFY(diff.toTextTable().contains(QStringLiteral("differs+drift")));
}

void tst_ConfigDiff::filters()
{
    const QList<ConfigItem> items{
        kv(QStringLiteral("orders/a"), "1"),
        kv(QStringLiteral("payments/b"), "1"),
        item(QStringLiteral("orders"), ConfigForm::Env, QStringLiteral("X"), "1"),
        item(QStringLiteral("orders"), ConfigForm::Image, QStringLiteral("version"), "1")};
    QList<ConfigItem> other = items;
    other[0].value = "2";
    const QList<ConfigDiff::Side> sides{side(QStringLiteral("A"), items),
                                        side(QStringLiteral("B"), other)};
    DiffFilter byService;
    byService.service = QStringLiteral("orders");
    QCOMPARE(ConfigDiff::compute(sides, {}, byService).rows().size(), 3);
    DiffFilter byForm;
    byForm.forms = {ConfigForm::Env, ConfigForm::Image};
    QCOMPARE(ConfigDiff::compute(sides, {}, byForm).rows().size(), 2);
    DiffFilter byPrefix;
    byPrefix.keyPrefix = QStringLiteral("pay");
    QCOMPARE(ConfigDiff::compute(sides, {}, byPrefix).rows().size(), 1);
    DiffFilter onlyDifferences;
    onlyDifferences.onlyDifferences = true;
    const ConfigDiff d = ConfigDiff::compute(sides, {}, onlyDifferences);
    QCOMPARE(d.rows().size(), 1);
    QCOMPARE(d.rows().at(0).key, QStringLiteral("orders/a"));
    // Rows sorted by service, then form (env, image, kv, file), then key.
    const ConfigDiff all = ConfigDiff::compute(sides);
    QCOMPARE(all.rows().at(0).form, ConfigForm::Env);
    QCOMPARE(all.rows().at(1).form, ConfigForm::Image);
    QCOMPARE(all.rows().at(2).form, ConfigForm::Kv);
    QCOMPARE(all.rows().at(3).service, QStringLiteral("payments"));
}

void tst_ConfigDiff::exitCode()
{
    const QList<ConfigItem> items{kv(QStringLiteral("a/x"), "1")};
    QCOMPARE(
        ConfigDiff::compute({side(QStringLiteral("A"), items), side(QStringLiteral("B"), items)})
            .exitCode(),
        0);
    QCOMPARE(ConfigDiff::compute({side(QStringLiteral("A"), items), side(QStringLiteral("B"), {})})
                 .exitCode(),
             1);
    DiffRules ignoreAll;
    ignoreAll.ignoreGlobs << QStringLiteral("*");
    const ConfigDiff expected =
        ConfigDiff::compute({side(QStringLiteral("A"), items),
                             side(QStringLiteral("B"), {kv(QStringLiteral("a/x"), "2")})},
                            ignoreAll);
    QCOMPARE(expected.rows().at(0).status, DiffStatus::Expected);
    QCOMPARE(expected.exitCode(), 0);
    QVERIFY(expected.toUnifiedDiff().isEmpty());
    QCOMPARE(ConfigDiff::compute({side(QStringLiteral("A"), {}), side(QStringLiteral("B"), {})})
                 .exitCode(),
             0);
}

void tst_ConfigDiff::jsonDocument()
{
    const ConfigDiff diff = ConfigDiff::compute({side(QStringLiteral("A"),
                                                      {item(QStringLiteral("orders"),
                                                            ConfigForm::Image,
                                                            QStringLiteral("version"),
                                                            "1.4.2",
                                                            QStringLiteral("image x:1.4.2"))}),
                                                 side(QStringLiteral("B"),
                                                      {item(QStringLiteral("orders"),
                                                            ConfigForm::Image,
                                                            QStringLiteral("version"),
                                                            "1.5.0",
                                                            QStringLiteral("image x:1.5.0"))})});
    const QJsonObject doc = diff.toJson().object();
    QCOMPARE(doc.value(QStringLiteral("environments")).toArray(),
             (QJsonArray{QStringLiteral("A"), QStringLiteral("B")}));
    QCOMPARE(doc.value(QStringLiteral("equal")).toBool(true), false);
    QCOMPARE(
        doc.value(QStringLiteral("summary")).toObject().value(QStringLiteral("differs")).toInt(),
        1);
    const QJsonObject row = doc.value(QStringLiteral("rows")).toArray().at(0).toObject();
    QCOMPARE(row.value(QStringLiteral("form")).toString(), QStringLiteral("image"));
    QCOMPARE(row.value(QStringLiteral("service")).toString(), QStringLiteral("orders"));
    QCOMPARE(row.value(QStringLiteral("key")).toString(), QStringLiteral("version"));
    QCOMPARE(row.value(QStringLiteral("status")).toString(), QStringLiteral("differs"));
    QCOMPARE(row.value(QStringLiteral("secret")).toBool(true), false);
    QCOMPARE(row.value(QStringLiteral("values")).toObject(),
             (QJsonObject{{QStringLiteral("A"), QStringLiteral("1.4.2")},
                          {QStringLiteral("B"), QStringLiteral("1.5.0")}}));
    QCOMPARE(
        row.value(QStringLiteral("provenance")).toObject().value(QStringLiteral("B")).toString(),
        QStringLiteral("image x:1.5.0"));
}

void tst_ConfigDiff::textTable()
{
    const ConfigDiff diff = ConfigDiff::compute(
        {side(QStringLiteral("Staging"),
              {kv(QStringLiteral("payments/timeout_ms"), "30000"),
               kv(QStringLiteral("search/reindex_batch"), "500")}),
         side(QStringLiteral("Production"), {kv(QStringLiteral("payments/timeout_ms"), "3000")})});
    QCOMPARE(diff.toTextTable(),
             QStringLiteral("FORM  SERVICE   KEY                   STATUS   Staging  Production\n"
                            "kv    payments  payments/timeout_ms   differs  30000    3000\n"
                            "kv    search    search/reindex_batch  missing  500      (missing)\n"));
}

void tst_ConfigDiff::unifiedDiffOfKeys()
{
    const ConfigDiff diff =
        ConfigDiff::compute({side(QStringLiteral("Staging"),
                                  {kv(QStringLiteral("payments/a"), "1"),
                                   kv(QStringLiteral("payments/timeout_ms"), "30000"),
                                   kv(QStringLiteral("payments/z"), "1")}),
                             side(QStringLiteral("Production"),
                                  {kv(QStringLiteral("payments/a"), "1"),
                                   kv(QStringLiteral("payments/timeout_ms"), "3000"),
                                   kv(QStringLiteral("payments/z"), "1")})});
    QCOMPARE(diff.toUnifiedDiff(),
             QStringLiteral("--- Staging/payments/kv\n"
                            "+++ Production/payments/kv\n"
                            "@@ -1,3 +1,3 @@\n"
                            " payments/a=1\n"
                            "-payments/timeout_ms=30000\n"
                            "+payments/timeout_ms=3000\n"
                            " payments/z=1\n"));
}

void tst_ConfigDiff::unifiedDiffOfFiles()
{
    QByteArray a;
    QByteArray b;
    for (int i = 1; i <= 20; ++i) {
        a += "line " + QByteArray::number(i) + '\n';
        b += (i == 10 ? QByteArray("line ten") : "line " + QByteArray::number(i)) + '\n';
    }
    b += "line 21\n";
    const ConfigDiff diff = ConfigDiff::compute({side(QStringLiteral("A"),
                                                      {item(QStringLiteral("edge"),
                                                            ConfigForm::File,
                                                            QStringLiteral("/etc/nginx/nginx.conf"),
                                                            a)}),
                                                 side(QStringLiteral("B"),
                                                      {item(QStringLiteral("edge"),
                                                            ConfigForm::File,
                                                            QStringLiteral("/etc/nginx/nginx.conf"),
                                                            b)})});
    QCOMPARE(diff.toUnifiedDiff(),
             QStringLiteral(
                 "--- A/edge/file/etc/nginx/nginx.conf\n"
                 "+++ B/edge/file/etc/nginx/nginx.conf\n"
                 "@@ -7,7 +7,7 @@\n"
                 " line 7\n line 8\n line 9\n-line 10\n+line ten\n line 11\n line 12\n line 13\n"
                 "@@ -18,3 +18,4 @@\n"
                 " line 18\n line 19\n line 20\n+line 21\n"));
    // A multi-line value shows in the table as its first line and a count.
    QVERIFY(diff.toTextTable().contains(QStringLiteral("line 1 …(20 lines)")));
}

void tst_ConfigDiff::unifiedDiffMatchesDiffU()
{
    // Hunks as GNU `diff -u` writes them (checked by hand against diffutils 3.8).
    const QStringList a{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
    const QStringList b{QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d")};
    QCOMPARE(unifiedDiff(a, b, QStringLiteral("x"), QStringLiteral("y")),
             QStringLiteral("--- x\n+++ y\n@@ -1,3 +1,3 @@\n-a\n b\n c\n+d\n"));
    QCOMPARE(
        unifiedDiff({}, {QStringLiteral("new")}, QStringLiteral("/dev/null"), QStringLiteral("y")),
        QStringLiteral("--- /dev/null\n+++ y\n@@ -0,0 +1 @@\n+new\n"));
    QCOMPARE(
        unifiedDiff({QStringLiteral("old")}, {}, QStringLiteral("x"), QStringLiteral("/dev/null")),
        QStringLiteral("--- x\n+++ /dev/null\n@@ -1 +0,0 @@\n-old\n"));
    QCOMPARE(unifiedDiff(a, a, QStringLiteral("x"), QStringLiteral("y")), QString());
}

void tst_ConfigDiff::diffLinesIsMinimal()
{
    QRandomGenerator random(4);
    for (int round = 0; round < 200; ++round) {
        QStringList a;
        QStringList b;
        const int n = int(random.bounded(30));
        const int m = int(random.bounded(30));
        for (int i = 0; i < n; ++i)
            a << QString::number(random.bounded(4));
        for (int i = 0; i < m; ++i)
            b << QString::number(random.bounded(4));
        const QList<LineEdit> edits = diffLines(a, b);
        QStringList fromA;
        QStringList toB;
        qsizetype keeps = 0;
        for (const LineEdit &e : edits) {
            if (e.kind != LineEdit::Kind::Insert)
                fromA << e.line;
            if (e.kind != LineEdit::Kind::Remove)
                toB << e.line;
            keeps += e.kind == LineEdit::Kind::Keep;
        }
        QCOMPARE(fromA, a);
        QCOMPARE(toB, b);
        QCOMPARE(keeps, lcsLength(a, b));
    }
}

void tst_ConfigDiff::highlight_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<int>("prefix");
    QTest::addColumn<int>("suffix");
    QTest::newRow("middle") << QStringLiteral("postgres-orders.stg.example.internal")
                            << QStringLiteral("postgres-orders.prod.example.internal") << 16 << 17;
    QTest::newRow("equal") << QStringLiteral("same") << QStringLiteral("same") << 4 << 0;
    QTest::newRow("appended") << QStringLiteral("3000") << QStringLiteral("30000") << 4 << 0;
    QTest::newRow("empty") << QString() << QStringLiteral("x") << 0 << 0;
    QTest::newRow("repeated chars") << QStringLiteral("aaa") << QStringLiteral("aa") << 2 << 0;
    // 🌍 and 🌎 share their high surrogate: the span must not start in the middle of one.
    QTest::newRow("surrogates") << QStringLiteral("x🌍y") << QStringLiteral("x🌎y") << 1 << 1;
}

void tst_ConfigDiff::highlight()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(int, prefix);
    QFETCH(int, suffix);
    const ValueHighlight h = valueHighlight(a, b);
    QCOMPARE(int(h.prefix), prefix);
    QCOMPARE(int(h.suffix), suffix);
    QVERIFY(h.prefix + h.suffix <= std::min(a.size(), b.size()));
}

QTEST_GUILESS_MAIN(tst_ConfigDiff)
#include "tst_configdiff.moc"
