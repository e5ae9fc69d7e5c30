// SPDX-License-Identifier: MIT
#include "views/feed/feedtokens.h"

#include <QTest>

using namespace Opsdeck::Views;

class tst_FeedTokens : public QObject
{
    Q_OBJECT

private slots:
    void parses();
    void refuses_data();
    void refuses();
};

void tst_FeedTokens::parses()
{
    const auto parsed = parseFeedTokens(QStringLiteral("# wall screens\n"
                                                       "viewer  abc123   wall display\n"
                                                       "\n"
                                                       "OPERATOR def456 # on call\n"));
    QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error()));
    QCOMPARE(parsed.value().size(), 2);
    QCOMPARE(parsed.value().at(0),
             (FeedToken{QStringLiteral("viewer"),
                        QStringLiteral("abc123"),
                        QStringLiteral("wall display")}));
    QCOMPARE(parsed.value().at(1),
             (FeedToken{
                 QStringLiteral("operator"), QStringLiteral("def456"), QStringLiteral("token-4")}));
}

void tst_FeedTokens::refuses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("no token") << QStringLiteral("viewer\n") << QStringLiteral("line 1");
    QTest::newRow("bad role") << QStringLiteral("# x\nadmin s3cret\n")
                              << QStringLiteral("line 2: role 'admin'");
    QTest::newRow("repeated token") << QStringLiteral("viewer s3cret\noperator s3cret\n")
                                    << QStringLiteral("line 2: the token repeats");
}

void tst_FeedTokens::refuses()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    const auto parsed = parseFeedTokens(text);
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.error().contains(message), qPrintable(parsed.error()));
    QVERIFY(!parsed.error().contains(QStringLiteral("s3cret"))); // never the secret
}

QTEST_APPLESS_MAIN(tst_FeedTokens)
#include "tst_feedtokens.moc"
