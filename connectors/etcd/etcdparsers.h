// SPDX-License-Identifier: MIT
#pragma once

#include "models/kvstore.h"
#include "models/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace Opsdeck::Connectors {

/// One key as the etcd v3 JSON gateway reports it (key and value already base64-decoded).
struct EtcdKeyValue
{
    QByteArray key;
    QByteArray value;
    qint64 createRevision = 0;
    qint64 modRevision = 0; ///< the CAS token (API reference 5.2)
    qint64 version = 0;     ///< writes since the key was created

    bool operator==(const EtcdKeyValue &) const = default;

    /// The key as the KvStore keeps it: UTF-8 path, mod_revision as the version.
    Models::KvEntry toEntry() const;
};

/// POST /v3/kv/range.
struct EtcdRange
{
    qint64 revision = 0; ///< header.revision: the store revision of this read
    QList<EtcdKeyValue> kvs;
    qint64 count = 0; ///< all matches, also when `limit` cut the answer
    bool more = false;
};

struct EtcdWatchEvent
{
    bool deleted = false; ///< "type":"DELETE"; a PUT carries no type (reference 5.1)
    EtcdKeyValue kv;      ///< of a delete: only key and mod_revision
};

/// An error answer: {"error","message","code"} of a refused RPC, or the {"error":{…}} line a
/// watch stream ends with.
struct EtcdError
{
    int httpStatus = 0;
    int code =
        0; ///< gRPC code: 3 invalid argument, 11 out of range (compacted), 16 unauthenticated
    QString message;

    bool invalidToken() const { return httpStatus == 401 || code == 16; }

    bool compacted() const { return code == 11; }
};

/// One message of the POST /v3/watch stream ({"result":{…}} per line).
struct EtcdWatchResponse
{
    qint64 revision = 0; ///< header.revision
    qint64 watchId = 0;
    bool created = false;
    bool canceled = false;
    qint64 compactRevision = 0; ///< with canceled: the start revision was compacted
    QString cancelReason;
    QList<EtcdWatchEvent> events;
    std::optional<EtcdError> error; ///< the stream reported an error instead of a result
};

/// POST /v3/kv/txn of a CAS put or delete.
struct EtcdTxnResult
{
    bool succeeded = false; ///< absent in the answer when the compare failed
    qint64 revision = 0;
    std::optional<EtcdKeyValue> current; ///< the key as it is now, when the compare failed
};

/// range_end for "every key starting with @p prefix": the prefix with its last byte incremented,
/// trailing 0xFF bytes dropped first; "\0" (every key >= prefix) when nothing is left.
QByteArray etcdPrefixRangeEnd(const QByteArray &prefix);

/// Body of /v3/kv/range over @p prefix: up to @p limit keys (0: all) from @p fromKey (empty: the
/// prefix) at @p revision (0: the current one).
QByteArray etcdRangeBody(const QByteArray &prefix,
                         qint64 limit,
                         const QByteArray &fromKey = {},
                         qint64 revision = 0);
/// Body of a count-only /v3/kv/range over @p prefix (the liveness probe).
QByteArray etcdCountBody(const QByteArray &prefix);
/// Body of /v3/watch over @p prefix from @p startRevision, with progress notifications.
QByteArray etcdWatchBody(const QByteArray &prefix, qint64 startRevision);
QByteArray etcdAuthenticateBody(const QString &name, const QString &password);
/// A txn that puts (@p value set) or deletes (@p value nullopt) @p key only when its
/// mod_revision is @p expectedModRevision; 0 means "the key must not exist", -1 no compare.
/// The failure branch reads the key, to say what it is now.
QByteArray etcdCasBody(const QByteArray &key,
                       const std::optional<QByteArray> &value,
                       qint64 expectedModRevision);

Models::Result<EtcdRange> parseEtcdRange(const QByteArray &json);
/// One line of the watch stream.
Models::Result<EtcdWatchResponse> parseEtcdWatchResponse(const QByteArray &line);
/// The token of /v3/auth/authenticate.
Models::Result<QString> parseEtcdToken(const QByteArray &json);
Models::Result<EtcdTxnResult> parseEtcdTxn(const QByteArray &json);
/// The error of a non-2xx answer; its body may be anything.
EtcdError parseEtcdError(int httpStatus, const QByteArray &body);

/// Splits the watch stream into lines (LF or CRLF), also across chunks; blank lines dropped.
class EtcdLineSplitter
{
public:
    QList<QByteArray> feed(const QByteArray &chunk);

    /// A line this long is no watch message: feed() reports it via overflowed().
    static constexpr qsizetype kMaxLineBytes = 64 * 1024 * 1024;

    bool overflowed() const { return m_overflowed; }

private:
    QByteArray m_pending;
    bool m_overflowed = false;
};

} // namespace Opsdeck::Connectors
