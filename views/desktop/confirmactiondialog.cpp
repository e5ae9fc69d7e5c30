// SPDX-License-Identifier: MIT
#include "views/desktop/confirmactiondialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace Opsdeck::Views {

ConfirmActionDialog::ConfirmActionDialog(const QString &actionText,
                                         const QString &targetText,
                                         const QString &environment,
                                         bool production,
                                         QWidget *parent)
    : QDialog(parent)
    , m_environment(environment)
{
    setObjectName(QStringLiteral("confirmActionDialog"));
    setWindowTitle(tr("Confirm: %1").arg(actionText));
    auto *layout = new QVBoxLayout(this);
    auto *question = new QLabel(tr("<b>%1</b> %2<br>in environment <b>%3</b>?")
                                    .arg(actionText.toHtmlEscaped(),
                                         targetText.toHtmlEscaped(),
                                         environment.toHtmlEscaped()),
                                this);
    question->setWordWrap(true);
    layout->addWidget(question);
    if (production) {
        auto *warning =
            new QLabel(tr("This is a PRODUCTION environment. Type <b>%1</b> to confirm.")
                           .arg(environment.toHtmlEscaped()),
                       this);
        warning->setWordWrap(true);
        warning->setStyleSheet(
            QStringLiteral("QLabel { background: #c62828; color: white; padding: 6px; }"));
        layout->addWidget(warning);
        m_nameEdit = new QLineEdit(this);
        m_nameEdit->setObjectName(QStringLiteral("confirmName"));
        m_nameEdit->setPlaceholderText(environment);
        layout->addWidget(m_nameEdit);
        connect(m_nameEdit, &QLineEdit::textChanged, this, &ConfirmActionDialog::updateOk);
    }
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(actionText);
    // Cancel is the default: Enter alone never confirms a change.
    m_buttons->button(QDialogButtonBox::Cancel)->setDefault(true);
    m_buttons->button(QDialogButtonBox::Ok)->setAutoDefault(false);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(m_buttons);
    updateOk();
}

void ConfirmActionDialog::setWarning(const QString &text, bool strong)
{
    if (!m_warning) {
        m_warning = new QLabel(this);
        m_warning->setObjectName(QStringLiteral("confirmWarning"));
        m_warning->setWordWrap(true);
        m_warning->setTextFormat(Qt::PlainText);
        // Right below the question, before the typed-name part and the buttons.
        static_cast<QVBoxLayout *>(layout())->insertWidget(1, m_warning);
    }
    m_warning->setText(text);
    m_warning->setStyleSheet(
        strong ? QStringLiteral("QLabel { background: #c62828; color: white; padding: 6px; "
                                "font-weight: bold; }")
               : QStringLiteral("QLabel { background: #fff3c4; color: #212121; padding: 6px; }"));
}

QString ConfirmActionDialog::warning() const
{
    return m_warning ? m_warning->text() : QString();
}

void ConfirmActionDialog::updateOk()
{
    const bool ok = !m_nameEdit || m_nameEdit->text() == m_environment;
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
}

} // namespace Opsdeck::Views
