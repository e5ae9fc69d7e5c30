// SPDX-License-Identifier: MIT
// GET /v2/apps (and /v2/apps/{id}) answers, as any Marathon (or anything posing as one) may send
// them; the same bytes also go through the image-update body builder, which reads the same app.
#include "connectors/marathon/marathonparsers.h"

#include <QByteArray>
#include <QJsonDocument>

#include <cstddef>
#include <cstdint>

using namespace Opsdeck;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray json(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const auto apps = Connectors::parseMarathonApps(json);
    if (!apps.ok()) {
        if (apps.error().isEmpty())
            __builtin_trap(); // an error must say what went wrong
    } else {
        for (const Models::MarathonApp &app : apps.value().apps) {
            if (app.id.isEmpty())
                __builtin_trap();
        }
        for (const Models::MarathonTask &task : apps.value().tasks) {
            if (task.id.isEmpty() || task.appId.isEmpty())
                __builtin_trap();
            for (int port : task.ports) {
                if (port < 0 || port > 65535)
                    __builtin_trap();
            }
        }
    }

    const auto app = Connectors::parseMarathonApp(json);
    if (app.ok() && app.value().apps.size() != 1)
        __builtin_trap();
    const auto body = Connectors::marathonImageUpdateBody(json, QStringLiteral("shop/web:2.0"));
    if (body.ok()) {
        // Exactly one top-level field, the container, and valid JSON.
        const QJsonDocument doc = QJsonDocument::fromJson(body.value());
        if (!doc.isObject() || doc.object().size() != 1
            || !doc.object().value(QLatin1String("container")).isObject())
            __builtin_trap();
    } else if (body.error().isEmpty()) {
        __builtin_trap();
    }
    (void)Connectors::describeMarathonError(409, json);
    (void)Connectors::describeMarathonError(422, json);
    return 0;
}
