// SPDX-License-Identifier: MIT
#pragma once

#include "models/marathon.h"
#include "models/rolloutplan.h"

#include <QDialog>

#include <optional>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QTableWidget;

namespace Opsdeck::Views {

/// First step of "Roll out new image…": the app's current image, a field for the new one, its
/// upgradeStrategy in words and the rolling update moment by moment (Models::planRollout,
/// apis.md §2.8), with warnings such as downtime for minimumHealthCapacity 0. Accepting it leads
/// to the usual confirmation; this dialog changes nothing by itself.
class RolloutDialog : public QDialog
{
    Q_OBJECT

public:
    /// @p healthyOld: the app's instances considered healthy now (healthy, or running when the
    /// app has no health checks).
    RolloutDialog(const Models::MarathonApp &app,
                  int healthyOld,
                  const QString &environment,
                  bool production,
                  QWidget *parent = nullptr);

    QString appId() const { return m_appId; }

    QString currentImage() const { return m_currentImage; }

    /// The image typed, trimmed.
    QString newImage() const;

    /// The plan, or nothing when the app's strategy is invalid (the error is shown instead).
    const std::optional<Models::RolloutPlan> &plan() const { return m_plan; }

    // For tests and automation.
    QLineEdit *imageEdit() const { return m_imageEdit; }

    QLabel *strategyLabel() const { return m_strategy; }

    QLabel *summaryLabel() const { return m_summary; }

    QTableWidget *planTable() const { return m_table; }

    QLabel *warningLabel() const { return m_warnings; }

    /// The upgradeStrategy in words: "at least 2 of 4 instances stay healthy (…)".
    static QString describeStrategy(const Models::UpgradeStrategy &strategy, int instances);

private:
    void fillPlan();
    void updateOk();

    QString m_appId;
    QString m_currentImage;
    std::optional<Models::RolloutPlan> m_plan;
    QLineEdit *m_imageEdit = nullptr;
    QLabel *m_strategy = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_warnings = nullptr;
    QLabel *m_imageHint = nullptr;
    QTableWidget *m_table = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace Opsdeck::Views
