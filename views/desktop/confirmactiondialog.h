// SPDX-License-Identifier: MIT
#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace Opsdeck::Views {

/// Asks before an action that changes something. In a production environment the person must
/// type the environment's name; a click is not enough.
class ConfirmActionDialog : public QDialog
{
    Q_OBJECT

public:
    ConfirmActionDialog(const QString &actionText,
                        const QString &targetText,
                        const QString &environment,
                        bool production,
                        QWidget *parent = nullptr);

    /// Adds a warning below the question (e.g. "leaves mixed versions"); @p strong paints it
    /// red, otherwise amber. Plain text.
    void setWarning(const QString &text, bool strong);

    QString warning() const;

    bool needsTypedName() const { return m_nameEdit != nullptr; }

    QLineEdit *nameEdit() const { return m_nameEdit; }

private:
    void updateOk();

    QString m_environment;
    QLineEdit *m_nameEdit = nullptr;
    QLabel *m_warning = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace Opsdeck::Views
