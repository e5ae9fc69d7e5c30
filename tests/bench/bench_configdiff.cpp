// SPDX-License-Identifier: MIT
// Config diff benchmark: 3 environments x 10,000 keys (KV, env, image items of 100 services,
// URLs carrying the environment's token, 1 % real differences, 0.5 % missing), compared with a
// rewrite rule and ignore globs. Prints the engine's time (goal < 100 ms), its exports, and the
// ratio against a naive peer measured in the same run: the same comparison through
// QMap<QString, QVariant> lookups and QString::replace. Prints figures only, asserts nothing.
#include "models/configdiff.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSet>
#include <QVariant>

#include <algorithm>
#include <cstdio>
#include <ctime>

using namespace Opsdeck::Models;

namespace {

constexpr int kKeys = 10000;
constexpr int kServices = 100;
constexpr int kRuns = 7;

const char *const kEnvs[] = {"Integration", "Staging", "Production"};
const char *const kTokens[] = {"int", "stg", "prod"};

QList<ConfigItem> environmentItems(int env)
{
    QList<ConfigItem> items;
    items.reserve(kKeys);
    const QString token = QLatin1String(kTokens[env]);
    for (int i = 0; i < kKeys; ++i) {
        if (i % 200 == 7 + env) // 0.5 % missing, a different key in each environment
            continue;
        ConfigItem item;
        item.environment = QLatin1String(kEnvs[env]);
        item.service = QStringLiteral("service-%1").arg(i % kServices, 3, 10, QLatin1Char('0'));
        const int kind = i % 10;
        item.form = kind < 7 ? ConfigForm::Kv : kind < 9 ? ConfigForm::Env : ConfigForm::Image;
        item.key = item.form == ConfigForm::Kv
                       ? item.service + QStringLiteral("/settings/key_%1").arg(i)
                       : QStringLiteral("KEY_%1").arg(i);
        QString value = i % 3 == 0 ? QStringLiteral("https://%1.%2.example.internal:8443/api/v%3")
                                         .arg(item.service, token)
                                         .arg(i % 7)
                                   : QStringLiteral("value-%1-unchanged").arg(i);
        if (i % 100 == 50 && env == 2) // 1 %: a real difference in Production
            value += QStringLiteral("-changed");
        item.value = value.toUtf8();
        item.provenance = QStringLiteral("consul:config/") + item.key;
        items << item;
    }
    return items;
}

DiffRules rules()
{
    DiffRules r;
    QMap<QString, QString> rewrite;
    for (int e = 0; e < 3; ++e)
        rewrite.insert(QLatin1String(kEnvs[e]), QLatin1String(kTokens[e]));
    r.rewrites << rewrite;
    r.ignoreGlobs << QStringLiteral("*/build_id") << QStringLiteral("LOG_LEVEL");
    return r;
}

/// The same comparison done the obvious way: one QMap<QString, QVariant> per environment, the
/// union of keys, per key a lookup in each map, rewrite by QRegularExpression replace.
int naiveDiff(const QList<QList<ConfigItem>> &envs, const DiffRules &r, QVariantList *out)
{
    QList<QMap<QString, QVariant>> maps;
    QSet<QString> all;
    for (const QList<ConfigItem> &items : envs) {
        QMap<QString, QVariant> map;
        for (const ConfigItem &i : items) {
            const QString key =
                nameOf(i.form) + QLatin1Char('|') + i.service + QLatin1Char('|') + i.key;
            map.insert(key, QVariant(i.value));
            all.insert(key);
        }
        maps << map;
    }
    QList<QRegularExpression> ignores;
    for (const QString &g : r.ignoreGlobs)
        ignores << QRegularExpression(QRegularExpression::wildcardToRegularExpression(g));
    QStringList keys = all.values();
    keys.sort();
    int differences = 0;
    for (const QString &key : keys) {
        QVariantMap row;
        QStringList rewritten;
        bool missing = false;
        for (int e = 0; e < maps.size(); ++e) {
            const QVariant v = maps.at(e).value(key);
            row.insert(QLatin1String(kEnvs[e]), v);
            if (!v.isValid()) {
                missing = true;
                continue;
            }
            QString text = QString::fromUtf8(v.toByteArray());
            const QString token = r.rewrites.at(0).value(QLatin1String(kEnvs[e]));
            text.replace(QRegularExpression(QStringLiteral("\\b%1\\b").arg(token)),
                         QStringLiteral("\x01"));
            rewritten << text;
        }
        const QString plainKey = key.section(QLatin1Char('|'), 2);
        const bool ignored = std::any_of(ignores.cbegin(), ignores.cend(), [&](const auto &re) {
            return re.match(plainKey).hasMatch();
        });
        const bool differs = missing || rewritten.count(rewritten.value(0)) != rewritten.size();
        row.insert(QStringLiteral("status"), differs && !ignored);
        differences += differs && !ignored;
        out->append(row);
    }
    return differences;
}

double cpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

struct Timing
{
    double wallMs = 0;
    double cpuMs = 0; ///< less disturbed than wall time on a shared machine
};

/// Median wall and CPU time of kRuns runs.
template<typename F>
Timing median(F &&f)
{
    QList<double> walls;
    QList<double> cpus;
    for (int run = 0; run < kRuns; ++run) {
        QElapsedTimer timer;
        timer.start();
        const double cpu = cpuMs();
        f();
        cpus << cpuMs() - cpu;
        walls << double(timer.nsecsElapsed()) / 1e6;
    }
    std::sort(walls.begin(), walls.end());
    std::sort(cpus.begin(), cpus.end());
    return {walls.at(walls.size() / 2), cpus.at(cpus.size() / 2)};
}

void print(const char *what, const Timing &t, const char *note = "")
{
    std::printf("  %-22s %8.1f ms wall %8.1f ms cpu   %s\n", what, t.wallMs, t.cpuMs, note);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QList<QList<ConfigItem>> envs;
    QList<ConfigDiff::Side> sides;
    for (int e = 0; e < 3; ++e) {
        envs << environmentItems(e);
        sides << ConfigDiff::Side{QLatin1String(kEnvs[e]), envs.last()};
    }
    const DiffRules r = rules();

    ConfigDiff diff;
    const Timing engine = median([&] { diff = ConfigDiff::compute(sides, r); });
    int differs = 0;
    int missing = 0;
    int expected = 0;
    for (const DiffRow &row : diff.rows()) {
        differs += row.status == DiffStatus::Differs;
        missing += row.status == DiffStatus::Missing;
        expected += row.status == DiffStatus::Expected;
    }
    const Timing json = median([&] { (void)diff.toJson().toJson(); });
    const Timing unified = median([&] { (void)diff.toUnifiedDiff(); });
    const Timing table = median([&] { (void)diff.toTextTable(); });
    int naiveDifferences = 0;
    const Timing naive = median([&] {
        QVariantList rows;
        naiveDifferences = naiveDiff(envs, r, &rows);
    });

    std::printf("config diff, 3 environments x %d keys (%lld rows: %d differ, %d missing, %d "
                "expected), median of %d runs\n",
                kKeys,
                qlonglong(diff.rows().size()),
                differs,
                missing,
                expected,
                kRuns);
    print("ConfigDiff::compute", engine, "goal < 100 ms");
    print("naive QMap<QVariant>",
          naive,
          naiveDifferences == differs + missing ? "same result" : "RESULT DIFFERS");
    std::printf("  ratio naive / engine   %8.1fx wall %7.1fx cpu\n",
                naive.wallMs / engine.wallMs,
                naive.cpuMs / engine.cpuMs);
    print("toJson", json);
    print("toUnifiedDiff", unified);
    print("toTextTable", table);
    return 0;
}
