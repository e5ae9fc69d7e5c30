// SPDX-License-Identifier: MIT
#include "views/desktop/rolloutdialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace Opsdeck::Views {

using namespace Opsdeck::Models;

namespace {

QString fraction(double v)
{
    return QString::number(v, 'g', 3);
}

enum PlanColumn {
    WhenColumn,
    OldColumn,
    NewStartedColumn,
    NewHealthyColumn,
    ServingColumn,
    RunningColumn,
    DoingColumn,
    PlanColumnCount,
};

} // namespace

RolloutDialog::RolloutDialog(const MarathonApp &app,
                             int healthyOld,
                             const QString &environment,
                             bool production,
                             QWidget *parent)
    : QDialog(parent)
    , m_appId(app.id)
    , m_currentImage(app.image)
{
    setObjectName(QStringLiteral("rolloutDialog"));
    setWindowTitle(tr("Roll out a new image: %1 in %2").arg(app.id, environment));
    auto *layout = new QVBoxLayout(this);

    auto *form = new QFormLayout;
    auto *current = new QLabel(app.image.isEmpty() ? tr("(none)") : app.image, this);
    current->setObjectName(QStringLiteral("currentImage"));
    current->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *env = new QLabel(production ? tr("%1 (PRODUCTION)").arg(environment) : environment, this);
    env->setStyleSheet(production ? QStringLiteral("QLabel { color: #c62828; font-weight: bold; }")
                                  : QStringLiteral("QLabel { font-weight: bold; }"));
    form->addRow(tr("Environment:"), env);
    form->addRow(tr("App:"),
                 new QLabel(tr("%1 (%2 instances)").arg(app.id).arg(app.instances), this));
    form->addRow(tr("Current image:"), current);
    m_imageEdit = new QLineEdit(app.image, this);
    m_imageEdit->setObjectName(QStringLiteral("newImage"));
    m_imageEdit->setMinimumWidth(360);
    form->addRow(tr("&New image:"), m_imageEdit);
    m_imageHint = new QLabel(this);
    m_imageHint->setWordWrap(true);
    m_imageHint->setStyleSheet(QStringLiteral("QLabel { color: #616161; }"));
    form->addRow(QString(), m_imageHint);
    m_strategy = new QLabel(describeStrategy(app.upgradeStrategy, app.instances), this);
    m_strategy->setObjectName(QStringLiteral("upgradeStrategy"));
    m_strategy->setWordWrap(true);
    form->addRow(tr("Upgrade strategy:"), m_strategy);
    layout->addLayout(form);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("planSummary"));
    m_summary->setWordWrap(true);
    m_summary->setStyleSheet(
        QStringLiteral("QLabel { background: #e3f2fd; color: #212121; padding: 6px; }"));
    layout->addWidget(m_summary);

    m_warnings = new QLabel(this);
    m_warnings->setObjectName(QStringLiteral("planWarnings"));
    m_warnings->setWordWrap(true);
    m_warnings->hide();
    layout->addWidget(m_warnings);

    m_table = new QTableWidget(0, PlanColumnCount, this);
    m_table->setObjectName(QStringLiteral("planTable"));
    m_table->setHorizontalHeaderLabels({tr("When"),
                                        tr("Old active"),
                                        tr("New started"),
                                        tr("New healthy"),
                                        tr("Healthy"),
                                        tr("Running"),
                                        tr("Marathon then")});
    m_table->horizontalHeaderItem(ServingColumn)
        ->setToolTip(tr("Instances serving after this moment's kills: old ones not being killed "
                        "plus new healthy ones"));
    m_table->horizontalHeaderItem(RunningColumn)
        ->setToolTip(tr("Instances running after this moment's starts: old ones not yet gone "
                        "plus new ones started"));
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table, 1);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Continue…"));
    // Cancel is the default: Enter in the image field never starts anything.
    m_buttons->button(QDialogButtonBox::Cancel)->setDefault(true);
    m_buttons->button(QDialogButtonBox::Ok)->setAutoDefault(false);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(m_buttons);

    RolloutInput input;
    input.instances = app.instances;
    input.minimumHealthCapacity = app.upgradeStrategy.minimumHealthCapacity;
    input.maximumOverCapacity = app.upgradeStrategy.maximumOverCapacity;
    input.healthyOld = healthyOld;
    input.hasHealthChecks = app.healthCheckCount > 0;
    Result<RolloutPlan> planned = planRollout(input);
    if (planned.ok())
        m_plan = planned.value();
    else
        m_summary->setText(tr("No plan: %1").arg(planned.error()));
    fillPlan();

    connect(m_imageEdit, &QLineEdit::textChanged, this, &RolloutDialog::updateOk);
    updateOk();
    resize(1020, 470);
}

QString RolloutDialog::newImage() const
{
    return m_imageEdit->text().trimmed();
}

QString RolloutDialog::describeStrategy(const UpgradeStrategy &strategy, int instances)
{
    const double minHc = strategy.minimumHealthCapacity;
    const double maxOc = strategy.maximumOverCapacity;
    // The formulas of apis.md §2.8, as Marathon computes them.
    const int minHealthy = int(std::ceil(instances * minHc));
    const int maxCapacity = int(std::floor(instances * (1.0 + maxOc)));
    QString healthy;
    if (minHealthy <= 0)
        healthy = tr("minimumHealthCapacity %1: no instance has to stay healthy, so Marathon may "
                     "stop every old instance before a new one is healthy (downtime)")
                      .arg(fraction(minHc));
    else
        healthy = tr("minimumHealthCapacity %1: at least %2 of %3 instances stay healthy")
                      .arg(fraction(minHc))
                      .arg(minHealthy)
                      .arg(instances);
    QString over;
    if (maxCapacity <= instances)
        over = tr("maximumOverCapacity %1: no instance beyond the %2 wanted")
                   .arg(fraction(maxOc))
                   .arg(instances);
    else
        over = tr("maximumOverCapacity %1: at most %2 instances at once (%3 extra)")
                   .arg(fraction(maxOc))
                   .arg(maxCapacity)
                   .arg(maxCapacity - instances);
    return tr("%1; %2.").arg(healthy, over);
}

void RolloutDialog::fillPlan()
{
    if (!m_plan)
        return;
    const RolloutPlan &plan = *m_plan;
    m_summary->setText(tr("<b>Plan:</b> %1.").arg(plan.summary().toHtmlEscaped()));

    QStringList warnings = plan.warnings;
    if (!warnings.isEmpty()) {
        QStringList items;
        for (const QString &w : std::as_const(warnings))
            items << w.toHtmlEscaped();
        m_warnings->setText(items.join(QLatin1String("<br>")));
        // Downtime is the one a person must not miss: red; the others are amber notes.
        m_warnings->setStyleSheet(
            plan.downtime
                ? QStringLiteral("QLabel { background: #c62828; color: white; padding: 6px; "
                                 "font-weight: bold; }")
                : QStringLiteral("QLabel { background: #fff3c4; color: #212121; padding: 6px; }"));
        m_warnings->show();
    }

    m_table->setRowCount(int(plan.moments.size()));
    for (int row = 0; row < plan.moments.size(); ++row) {
        const RolloutMoment &m = plan.moments.at(row);
        const QString old = m.oldBeingKilled > 0
                                ? tr("%1 (%2 being killed)").arg(m.oldActive).arg(m.oldBeingKilled)
                                : QString::number(m.oldActive);
        const QString cells[PlanColumnCount] = {
            m.what,
            old,
            QString::number(m.newStarted),
            QString::number(m.newHealthy),
            QString::number(m.serving),
            QString::number(m.running),
            m.doing,
        };
        for (int column = 0; column < PlanColumnCount; ++column) {
            auto *item = new QTableWidgetItem(cells[column]);
            if (column != WhenColumn && column != DoingColumn)
                item->setTextAlignment(Qt::AlignCenter);
            if (m.serving == 0 && plan.input.instances > 0 && m.event != RolloutMoment::Event::Done)
                item->setBackground(QColor(0xff, 0xcd, 0xd2));
            m_table->setItem(row, column, item);
        }
    }
    m_table->resizeColumnsToContents();
}

void RolloutDialog::updateOk()
{
    const QString image = newImage();
    QString hint;
    if (image.isEmpty())
        hint = tr("Enter the image to roll out, e.g. registry.example.internal/shop/web:1.5.");
    else if (image == m_currentImage)
        hint = tr("This is the current image: nothing would change. Restart replaces the tasks "
                  "without a new image.");
    else
        hint = tr("Marathon replaces the tasks following the plan below.");
    m_imageHint->setText(hint);
    m_buttons->button(QDialogButtonBox::Ok)
        ->setEnabled(!image.isEmpty() && image != m_currentImage);
}

} // namespace Opsdeck::Views
