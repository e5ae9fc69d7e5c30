// SPDX-License-Identifier: MIT
#include "views/desktop/auditview.h"

#include "models/audittrailmodel.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>

namespace Opsdeck::Views {

using Models::AuditTrailModel;

namespace {

constexpr int kTickMs = 15000;
constexpr int kMaxListedProblems = 3;
constexpr int kMaxColumnWidth = 300; ///< a long detail or parameter list: its tooltip has all

/// Colours the outcome: green through, red failed or refused; the rest as is.
class OutcomeDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        if (index.column() != AuditTrailModel::OutcomeColumn)
            return;
        const QString kind = index.data(AuditTrailModel::OutcomeKindRole).toString();
        if (kind == QLatin1String("pending"))
            return;
        const QColor colour =
            kind == QLatin1String("good") ? QColor(0x1b, 0x7f, 0x3b) : QColor(0xc6, 0x28, 0x28);
        option->palette.setColor(QPalette::Text, colour);
        option->palette.setColor(QPalette::HighlightedText, option->palette.color(QPalette::Base));
        option->font.setBold(kind == QLatin1String("bad"));
    }
};

} // namespace

AuditView::AuditView(AuditTrailModel *model,
                     const QStringList &environments,
                     const QString &file,
                     QWidget *parent)
    : QDialog(parent)
    , m_model(model)
    , m_file(file)
{
    setWindowTitle(tr("Audit trail — Opsdeck"));
    setSizeGripEnabled(true);
    auto *layout = new QVBoxLayout(this);

    auto *top = new QHBoxLayout;
    auto *envLabel = new QLabel(tr("&Environment:"), this);
    m_environmentBox = new QComboBox(this);
    m_environmentBox->addItem(tr("All environments"), QString());
    for (const QString &env : environments)
        m_environmentBox->addItem(env, env);
    envLabel->setBuddy(m_environmentBox);
    top->addWidget(envLabel);
    top->addWidget(m_environmentBox);
    top->addSpacing(12);
    m_summary = new QLabel(this);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(m_summary, 1);
    layout->addLayout(top);

    m_error = new QLabel(this);
    m_error->setStyleSheet(QStringLiteral("color: #c62828; font-weight: bold;"));
    m_error->setWordWrap(true);
    m_error->hide();
    layout->addWidget(m_error);
    m_problems = new QLabel(this);
    m_problems->setStyleSheet(QStringLiteral("color: #8a5a00;"));
    m_problems->setWordWrap(true);
    m_problems->hide();
    layout->addWidget(m_problems);

    m_table = new QTableView(this);
    m_table->setModel(model);
    m_table->setItemDelegate(new OutcomeDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setHighlightSections(false);
    layout->addWidget(m_table, 1);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(m_environmentBox, &QComboBox::currentIndexChanged, this, [this] {
        if (m_model)
            m_model->setEnvironmentFilter(m_environmentBox->currentData().toString());
    });
    if (model) {
        connect(model, &QAbstractItemModel::modelReset, this, [this] {
            updateSummary();
            fitColumns();
        });
        connect(model, &AuditTrailModel::lineErrorsChanged, this, &AuditView::updateSummary);
    }
    m_tick.setInterval(kTickMs);
    connect(
        &m_tick, &QTimer::timeout, m_table->viewport(), [this] { m_table->viewport()->update(); });
    m_tick.start();

    resize(1280, 560);
    updateSummary();
    fitColumns();
}

void AuditView::setEnvironment(const QString &environment)
{
    const int index = environment.isEmpty() ? 0 : m_environmentBox->findData(environment);
    m_environmentBox->setCurrentIndex(std::max(0, index));
    if (m_model)
        m_model->setEnvironmentFilter(m_environmentBox->currentData().toString());
}

void AuditView::setErrorText(const QString &text)
{
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
}

void AuditView::updateSummary()
{
    if (!m_model)
        return;
    const int shown = m_model->rowCount();
    const int total = m_model->totalCount();
    const QString counts = shown == total ? tr("%n record(s)", nullptr, total)
                                          : tr("%1 of %n record(s)", nullptr, total).arg(shown);
    m_summary->setText(tr("%1, newest first, from %2").arg(counts, m_file));
    const QList<Models::AuditLineError> errors = m_model->lineErrors();
    if (errors.isEmpty()) {
        m_problems->hide();
        return;
    }
    QStringList listed;
    for (int i = 0; i < errors.size() && i < kMaxListedProblems; ++i)
        listed << tr("line %1: %2").arg(errors.at(i).line).arg(errors.at(i).message);
    if (errors.size() > kMaxListedProblems)
        listed << tr("…");
    m_problems->setText(tr("%n line(s) of the file are not records and are left out (%1)",
                           nullptr,
                           int(errors.size()))
                            .arg(listed.join(QStringLiteral("; "))));
    m_problems->show();
}

void AuditView::fitColumns()
{
    QHeaderView *header = m_table->horizontalHeader();
    // The last column (parameters) takes the room that is left; the others fit their contents,
    // a long target or detail at most kMaxColumnWidth (the tooltip has it all).
    for (int c = 0; c < AuditTrailModel::ParametersColumn; ++c) {
        m_table->resizeColumnToContents(c);
        if (header->sectionSize(c) > kMaxColumnWidth)
            header->resizeSection(c, kMaxColumnWidth);
    }
}

} // namespace Opsdeck::Views
