// SPDX-License-Identifier: MIT
#pragma once

#include <QDialog>
#include <QPointer>
#include <QTimer>

class QComboBox;
class QLabel;
class QTableView;

namespace Opsdeck::Models {
class AuditTrailModel;
}

namespace Opsdeck::Views {

/// The audit trail in a window of its own: newest first, the current environment or all, each
/// record's local time with its age (kept fresh), user, action, target, outcome (green when it
/// went through, red when it failed or was refused) and parameters. It shows what the model
/// holds; the app follows the file into the model, so new lines appear as they are written.
/// Lines that are not records are counted above the table, by number.
class AuditView : public QDialog
{
    Q_OBJECT

public:
    /// @p model (not owned) holds the records; @p environments are the configured ones, offered
    /// in the filter beside "All environments"; @p file is named in the window.
    AuditView(Models::AuditTrailModel *model,
              const QStringList &environments,
              const QString &file,
              QWidget *parent = nullptr);

    /// Shows only @p environment (empty: all).
    void setEnvironment(const QString &environment);
    /// The file cannot be read: shown in red above the table (empty clears it).
    void setErrorText(const QString &text);

    QTableView *table() const { return m_table; }

    QComboBox *environmentBox() const { return m_environmentBox; }

    QLabel *summaryLabel() const { return m_summary; }

    QLabel *problemsLabel() const { return m_problems; }

private:
    void updateSummary();
    void fitColumns();

    QPointer<Models::AuditTrailModel> m_model;
    QString m_file;
    QComboBox *m_environmentBox = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_problems = nullptr;
    QLabel *m_error = nullptr;
    QTableView *m_table = nullptr;
    QTimer m_tick; ///< ages move on
};

} // namespace Opsdeck::Views
