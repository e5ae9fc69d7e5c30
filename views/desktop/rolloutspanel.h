// SPDX-License-Identifier: MIT
#pragma once

#include "models/environmentsconfig.h"
#include "models/rolloutoperations.h"

#include <QDialog>
#include <QHash>
#include <QPointer>
#include <QTimer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace Opsdeck::Views {

/// Asks for a Docker rollout (or rolling restart) of a service, shows its plan (the dry run) and
/// starts it once a person confirms — by typing the environment's name on production.
class DockerRolloutDialog : public QDialog
{
    Q_OBJECT

public:
    DockerRolloutDialog(Models::RolloutOperations *operations,
                        const Models::EnvironmentConfig &environment,
                        const QStringList &services,
                        QWidget *parent = nullptr);
    ~DockerRolloutDialog() override;

    void setService(const QString &service, const QString &currentImage);

    /// Plans with what the form says (the "Plan" button).
    void plan();

    QComboBox *serviceBox() const { return m_service; }

    QLineEdit *imageEdit() const { return m_image; }

    QCheckBox *restartBox() const { return m_restart; }

    QSpinBox *batchSpin() const { return m_batch; }

    QSpinBox *minHealthySpin() const { return m_minHealthy; }

    QPlainTextEdit *planView() const { return m_planView; }

    QLineEdit *nameEdit() const { return m_nameEdit; }

    QPushButton *startButton() const { return m_start; }

    /// The id of the rollout started from here, once started.
    QString startedId() const { return m_startedId; }

private:
    Models::DockerRolloutRequest request() const;
    void onPlanned(const QString &token, bool ok, const QString &text);
    void start();
    void updateStart();

    QPointer<Models::RolloutOperations> m_operations;
    Models::EnvironmentConfig m_environment;
    QString m_token;
    bool m_planOk = false;
    QString m_startedId;
    QComboBox *m_service = nullptr;
    QLineEdit *m_image = nullptr;
    QCheckBox *m_restart = nullptr;
    QSpinBox *m_batch = nullptr;
    QSpinBox *m_minHealthy = nullptr;
    QComboBox *m_tag = nullptr;
    QCheckBox *m_canary = nullptr;
    QSpinBox *m_soak = nullptr;
    QLineEdit *m_probe = nullptr;
    QSpinBox *m_timeout = nullptr;
    QPlainTextEdit *m_planView = nullptr;
    QLineEdit *m_nameEdit = nullptr;
    QLabel *m_error = nullptr;
    QPushButton *m_planButton = nullptr;
    QPushButton *m_start = nullptr;
};

/// The rollouts of this session — Docker rollouts and Marathon deployments alike — with their
/// phase, a progress bar, elapsed time and ETA; the selected one's instances step by step and its
/// live log; pause, resume, go-ahead and abort. Interrupted rollouts of an earlier session are
/// reported at the top until a person clears them.
class RolloutsPanel : public QWidget
{
    Q_OBJECT

public:
    explicit RolloutsPanel(QWidget *parent = nullptr);

    /// Not owned; nullptr: nothing can be rolled out (the panel says so).
    void setOperations(Models::RolloutOperations *operations);
    /// A rollout run elsewhere (a Marathon deployment) reported in the same shape.
    void showProgress(const Models::RolloutProgress &progress);

    QTableWidget *rolloutTable() const { return m_list; }

    QTableWidget *instanceTable() const { return m_instances; }

    QPlainTextEdit *logView() const { return m_log; }

    QPushButton *pauseButton() const { return m_pause; }

    QPushButton *resumeButton() const { return m_resume; }

    QPushButton *goAheadButton() const { return m_goAhead; }

    QPushButton *abortButton() const { return m_abort; }

    QLabel *interruptedLabel() const { return m_interrupted; }

    /// Selects the rollout with @p id (and shows its details).
    void select(const QString &id);

signals:
    /// A rollout ended (succeeded, rolled back, aborted, failed): for a desktop notification.
    void rolloutEnded(const Opsdeck::Models::RolloutProgress &progress);
    void newRolloutRequested();

private:
    void upsert(const Models::RolloutProgress &progress);
    void refreshRow(int row);
    void refreshDetails();
    void refreshInterrupted();
    void refreshButtons();
    QString selectedId() const;

    QPointer<Models::RolloutOperations> m_operations;
    QHash<QString, Models::RolloutProgress> m_rollouts;
    QStringList m_order; ///< row order: ids, oldest first
    QLabel *m_interrupted = nullptr;
    QPushButton *m_clearInterrupted = nullptr;
    QTableWidget *m_list = nullptr;
    QTableWidget *m_instances = nullptr;
    QPlainTextEdit *m_log = nullptr;
    QPushButton *m_new = nullptr;
    QPushButton *m_pause = nullptr;
    QPushButton *m_resume = nullptr;
    QPushButton *m_goAhead = nullptr;
    QPushButton *m_abort = nullptr;
    QString m_shownId;
    qsizetype m_shownLogLines = 0;
    QTimer m_tick;
};

/// "3 min 05 s", "42 s".
QString formatDuration(qint64 ms);

} // namespace Opsdeck::Views
