// placeholder: being written
#include <QTest>
class tst_DockerParsers : public QObject { Q_OBJECT };
QTEST_GUILESS_MAIN(tst_DockerParsers)
#include "tst_dockerparsers.moc"
