"""The hand-off dialog: give the open conversation to a colleague with a note for them.

The colleague and the note go to :func:`console.services.hand_off`, which changes the
assignee and adds the private note in one transaction; the receiver finds the conversation in
"Mine" with the note in the thread ("Handed to …"). Colleagues on duty are listed first;
those the acting role may not hand it to are greyed out.
"""

from __future__ import annotations

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui import texts
from ui.context import AppContext
from ui.threadpane import plain_label


class HandOffDialog(QDialog):
    """Choose a colleague and write what they need to know.

    Args:
        ctx: The application context.
        conversation_id: The conversation to hand off.
        current: Its assignee now (not offered).
        parent: The owning window.
    """

    def __init__(
        self,
        ctx: AppContext,
        conversation_id: str,
        current: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("handOffDialog")
        self.setWindowTitle(self.tr("Hand off"))
        self.ctx = ctx
        self.conversation_id = conversation_id
        self.colleague_combo = QComboBox(self)
        self.colleague_combo.setObjectName("handOffTo")
        staff = [op for op in ctx.operators() if op.id not in (current, ctx.operator_id)]
        staff.sort(key=lambda op: (not op.on_duty, op.name))
        model = self.colleague_combo.model()
        for op in staff:
            label = op.name if op.on_duty else self.tr("%1 (off duty)").replace("%1", op.name)
            self.colleague_combo.addItem(label, op.id)
            if isinstance(model, QStandardItemModel):
                item = model.item(self.colleague_combo.count() - 1)
                item.setEnabled(ctx.may_assign(current, op.id))
        first = next((i for i in range(len(staff)) if ctx.may_assign(current, staff[i].id)), -1)
        self.colleague_combo.setCurrentIndex(first)
        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setObjectName("handOffNote")
        self.note_edit.setPlaceholderText(
            self.tr("What they need to know (private: the customer never sees it)")
        )
        self.note_edit.setTabChangesFocus(True)
        self.error_label = plain_label(parent=self, name="dialogError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        form = QFormLayout()
        form.addRow(self.tr("Hand to"), self.colleague_combo)
        form.addRow(self.tr("Note"), self.note_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Hand off"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.error_label)
        box.addWidget(self.buttons)
        self.resize(440, 260)
        if first < 0:
            self.show_error(texts.error_code_text("not_permitted"))
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)

    def submit(self) -> None:
        """Hand the conversation off; the dialog closes once it is committed."""
        target = self.colleague_combo.currentData()
        note = self.note_edit.toPlainText()
        if not target:
            return
        if not note.strip():
            self.show_error(texts.error_code_text("empty_note"))
            return
        self.buttons.setEnabled(False)

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.show_error(texts.error_text(exc))

        self.ctx.hand_off(
            self.conversation_id,
            str(target),
            note,
            on_success=lambda _c: self.accept(),
            on_failure=failed,
        )

    def show_error(self, text: str) -> None:
        """Say what went wrong, in the dialog."""
        self.error_label.setText(text)
        self.error_label.show()

    def error_text(self) -> str:
        """The sentence shown (empty when none)."""
        return self.error_label.text() if not self.error_label.isHidden() else ""
