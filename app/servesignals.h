// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

class QSocketNotifier;

namespace Opsdeck::App {

/// Turns SIGTERM and SIGINT into a Qt signal: the handler only writes the signal number to a
/// socket pair, and a QSocketNotifier reads it on the event loop, where quitting is safe (the
/// pattern of Qt's "Calling Qt Functions From Unix Signal Handlers"). One instance per process.
class ServeSignalWatcher : public QObject
{
    Q_OBJECT

public:
    explicit ServeSignalWatcher(QObject *parent = nullptr);
    ~ServeSignalWatcher() override;

    /// False when the socket pair or the handlers could not be set up.
    bool isActive() const { return m_notifier != nullptr; }

signals:
    /// SIGTERM (15) or SIGINT (2) arrived.
    void terminationRequested(int signalNumber);

private:
    void onReadable();

    QSocketNotifier *m_notifier = nullptr; ///< child
};

} // namespace Opsdeck::App
