// SPDX-License-Identifier: MIT
#pragma once

#include "models/configdiff.h"
#include "models/configprovider.h"

#include <QHash>
#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QWidget>

class QAction;
class QCheckBox;
class QComboBox;
class QDialog;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QTextEdit;

namespace Opsdeck::Views {

class ConfigDiffTableModel;
class ConfirmActionDialog;

/// The config diff viewer: two or three environments' configuration (env vars, image tags, KV
/// keys, files) side by side, from a ConfigProvider. Filters by service, key prefix and form;
/// "only differences"; the provider's expected-difference rules on or off; secrets masked until
/// revealed (production asks first); a line diff of the selected file; exports as JSON and
/// unified diff; optional guarded KV edits. Opens as a window of its own.
class ConfigDiffView : public QWidget
{
    Q_OBJECT

public:
    /// @p provider is not owned and must outlive the view (or be destroyed with its parent).
    explicit ConfigDiffView(Models::ConfigProvider *provider, QWidget *parent = nullptr);
    ~ConfigDiffView() override;

    /// Environments whose confirmations need the typed name (from the environments file).
    void setProductionEnvironments(const QSet<QString> &environments);
    /// Preselects @p environment first and a neighbour second (the current one of the console).
    void setCurrentEnvironment(const QString &environment);
    /// Chooses the compared environments (2 or 3; unknown names are ignored).
    void setEnvironments(const QStringList &environments);
    /// The compared environments, in column order.
    QStringList environments() const;

    /// What the controls select now.
    Models::DiffFilter filter() const;
    /// The provider's rules, or none when "apply expected differences" is off.
    Models::DiffRules rules() const;
    /// The diff on screen (filter and rules applied).
    const Models::ConfigDiff &diff() const;
    bool secretsRevealed() const;

    /// Writes the diff on screen (masking as on screen). False with @p error on failure.
    bool exportJson(const QString &path, QString *error = nullptr) const;
    bool exportUnifiedDiff(const QString &path, QString *error = nullptr) const;

    /// Computes the diff again now (normally coalesced after configChanged).
    void recompute();

    // For tests and automation.
    QComboBox *environmentBox(int i) const { return m_envBoxes[i]; }

    QComboBox *serviceBox() const { return m_service; }

    QLineEdit *prefixEdit() const { return m_prefix; }

    QCheckBox *formBox(Models::ConfigForm form) const;

    QCheckBox *onlyDifferencesBox() const { return m_onlyDifferences; }

    QCheckBox *expectedBox() const { return m_expected; }

    QCheckBox *revealBox() const { return m_reveal; }

    QTableView *table() const { return m_table; }

    ConfigDiffTableModel *model() const { return m_model; }

    QLabel *summaryLabel() const { return m_summary; }

    QLabel *statusLabel() const { return m_status; }

    QTextEdit *lineDiffView() const { return m_lineDiff; }

    QAction *editAction() const { return m_edit; }

    QPushButton *refreshFilesButton() const { return m_refreshFiles; }

    ConfirmActionDialog *pendingConfirmation() const { return m_confirm; }

    /// The "Edit value…" dialog while open (value editor: object name "configDiffEditValue").
    QDialog *pendingEdit() const { return m_editDialog; }

    /// Opens the edit dialog for the current cell, if it is an editable KV value.
    void editCurrentValue();

private:
    void buildUi();
    void fillEnvironmentBoxes();
    void fillServices(const QStringList &services);
    void scheduleRecompute(const QString &environment);
    void onRevealToggled(bool on);
    void updateSummary();
    void updateLineDiff();
    void updateEditAction();
    void chooseExportFile(bool json);
    void refreshFiles();
    void confirmAndSend(const Models::KvEditRequest &request, const QString &target);
    void onKvEditFinished(const Models::KvEditRequest &request, bool ok, const QString &message);
    /// The KV request the current cell would edit (nullopt: not an editable KV value).
    std::optional<Models::KvEditRequest> editableRequest() const;

    QPointer<Models::ConfigProvider> m_provider; ///< not owned
    QSet<QString> m_production;
    QHash<QString, QList<Models::ConfigItem>> m_items; ///< per compared environment, last read

    QComboBox *m_envBoxes[3] = {};
    QComboBox *m_service = nullptr;
    QLineEdit *m_prefix = nullptr;
    QHash<int, QCheckBox *> m_forms; ///< by int(ConfigForm)
    QCheckBox *m_onlyDifferences = nullptr;
    QCheckBox *m_expected = nullptr;
    QCheckBox *m_reveal = nullptr;
    QPushButton *m_exportJson = nullptr;
    QPushButton *m_exportDiff = nullptr;
    QPushButton *m_refreshFiles = nullptr;
    QTableView *m_table = nullptr;
    ConfigDiffTableModel *m_model = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_status = nullptr;
    QStringList m_filesPending; ///< environments whose config files are being read again
    QTextEdit *m_lineDiff = nullptr;
    QAction *m_edit = nullptr;
    QPointer<ConfirmActionDialog> m_confirm;
    QPointer<QDialog> m_editDialog;
    QTimer m_coalesce;      ///< recompute once after a burst of configChanged
    bool m_filling = false; ///< controls are being filled: no recompute per change
};

} // namespace Opsdeck::Views
