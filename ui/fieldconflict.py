"""The strip under the conversation header that says a change made here was overwritten.

When this PC and another changed the same field of a conversation at the same time (the
department, the assignee, the status …, or one put a label on while the other took it off),
sync keeps the later change everywhere and notes on the PC whose change lost what it had
chosen (:mod:`console.sync.engine`). This strip says so in one plain sentence — which
machine (when it is known; "another PC" otherwise), which field, the value that was applied,
the value chosen here — and
offers to put this PC's value back (an ordinary change, which then wins everywhere because
it is newer) or to accept the other value. Keyboard: Alt+R restores, Alt+O accepts; both
buttons are in the tab order.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from shiboken6 import isValid

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from console import services
from console.store.models import Contact, Department
from console.store.queries import FieldConflictRow, field_conflicts
from ui import texts
from ui.context import AppContext


def _fill(template: str, *values: str) -> str:
    """Put ``values`` in for ``%1``, ``%2`` … in one pass (a value holding ``%2`` stays)."""
    return re.sub(r"%(\d)", lambda m: values[int(m.group(1)) - 1], template)


# How a label's note names its field (console.sync.engine): "label:" and the label.
LABEL_FIELD = "label:"


class FieldConflictBar(QFrame):
    """A change of this PC's that a concurrent change on another PC replaced.

    Args:
        ctx: The application context.
        departments: The clinic's departments (for their names).
        parent: Qt parent (the thread pane's content: the shortcuts work inside it).

    Signals:
        settled(str): the note was restored or accepted (the conversation id).
    """

    settled = Signal(str)

    def __init__(
        self, ctx: AppContext, departments: list[Department], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("fieldConflictBar")
        self.ctx = ctx
        self._departments = departments
        self._cid: str | None = None
        self.notes: list[FieldConflictRow] = []

        self.label = QLabel(self)
        self.label.setObjectName("fieldConflictText")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.restore_button = QPushButton(self)
        self.restore_button.setObjectName("restoreFieldButton")
        self.restore_button.clicked.connect(self.restore)
        self.dismiss_button = QPushButton(self)
        self.dismiss_button.setObjectName("dismissFieldButton")
        self.dismiss_button.clicked.connect(self.dismiss)
        row = QHBoxLayout(self)
        row.setContentsMargins(18, 6, 18, 6)
        row.setSpacing(6)
        row.addWidget(self.label, 1)
        row.addWidget(self.restore_button)
        row.addWidget(self.dismiss_button)
        area = parent if parent is not None else self
        self.shortcuts: dict[str, QShortcut] = {}
        for name, key, slot in (("restore", "Alt+R", self.restore), ("ok", "Alt+O", self.dismiss)):
            shortcut = QShortcut(QKeySequence(key), area)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(functools.partial(self._shortcut, slot))
            self.shortcuts[name] = shortcut
        self.retranslate_ui()
        self.hide()

    def _shortcut(self, slot: Callable[[], object]) -> None:
        if self.isVisible() and self.dismiss_button.isEnabled():
            slot()

    def retranslate_ui(self) -> None:
        """Set every fixed text in the current language."""
        self.restore_button.setText(self.tr("Restore my value"))
        self.restore_button.setToolTip(
            self.tr("Set it back to the value chosen on this PC; other PCs get it too (Alt+R)")
        )
        self.dismiss_button.setText(self.tr("OK"))
        self.dismiss_button.setToolTip(self.tr("Keep the value that was applied (Alt+O)"))
        self._show_note()

    # -- loading -----------------------------------------------------------------------------

    def load(self, conversation_id: str | None) -> None:
        """Show the newest overwritten change on a conversation, if there is one."""
        self._cid = conversation_id
        self.notes = (
            field_conflicts(self.ctx.store, conversation_id) if conversation_id is not None else []
        )
        if not self.notes:
            self.hide()
            return
        self._show_note()
        self.show()

    def _show_note(self) -> None:
        if not self.notes:
            self.label.setText("")
            return
        note = self.notes[0]
        self.label.setText(self.sentence(note))
        self.restore_button.setVisible(services.restorable(note.field, note.mine))

    def sentence(self, note: FieldConflictRow) -> str:
        """What happened, in one plain sentence, naming the other machine when it is known."""
        # Korean puts the particle on it: "PC ‘접수2’에서", "다른 PC에서".
        who = (
            self.tr("PC “%1”").replace("%1", note.winner_machine)
            if note.winner_machine
            else self.tr("Another PC")
        )
        if note.field.startswith(LABEL_FIELD):
            label = note.field[len(LABEL_FIELD) :]
            template = (
                self.tr("%1 put the label “%2” on at the same time. What you did: took it off")
                if note.theirs
                else self.tr("%1 took the label “%2” off at the same time. What you did: put it on")
            )
            return _fill(template, who, label)
        templates = {
            "department": self.tr(
                "%3 changed the department at the same time, and its value (%1) was "
                "applied. Your choice: %2"
            ),
            "assignee_id": self.tr(
                "%3 changed the assignee at the same time, and its value (%1) was "
                "applied. Your choice: %2"
            ),
            "status": self.tr(
                "%3 changed the status at the same time, and its value (%1) was "
                "applied. Your choice: %2"
            ),
            "priority": self.tr(
                "%3 changed the priority at the same time, and its value (%1) was "
                "applied. Your choice: %2"
            ),
            "snoozed_until": self.tr(
                "%3 changed the snooze time at the same time, and its value (%1) was "
                "applied. Your choice: %2"
            ),
            "contact_id": self.tr(
                "%3 changed the customer at the same time, and its value (%1) was "
                "applied. Your choice: %2"
            ),
        }
        template = templates.get(note.field)
        if template is None:
            template = self.tr(
                "%3 changed this conversation at the same time, and its value (%1) was "
                "applied. Your choice: %2"
            )
        theirs = self.value_text(note.field, note.theirs)
        mine = self.value_text(note.field, note.mine)
        return _fill(template, theirs, mine, who)

    def value_text(self, field: str, value: object) -> str:
        """A field's value as staff know it (names, not codes)."""
        if field == "department":
            for d in self._departments:
                if d.code == value:
                    return texts.department_name(d.name_ko, d.name_en)
            return texts.untriaged_chip() if value is None else str(value)
        if field == "assignee_id":
            if value is None:
                return self.tr("nobody")
            names = {op.id: op.name for op in self.ctx.operators()}
            return names.get(str(value), self.tr("someone else"))
        if field == "status":
            return texts.status_name(str(value))
        if field == "priority" and isinstance(value, int):
            from ui.routingsettings import priority_name  # it imports the thread pane

            return priority_name(value)
        if field == "snoozed_until":
            return self.tr("none") if not isinstance(value, int) else texts.clock_text(value)
        if field == "contact_id" and value is not None:
            with self.ctx.store.read() as s:
                contact = s.get(Contact, str(value))
                return contact.display_name if contact is not None else self.tr("another customer")
        return "" if value is None else str(value)

    # -- actions -----------------------------------------------------------------------------

    def restore(self) -> None:
        """Put this PC's value back (the ordinary change for that field)."""
        if not self.notes or self._cid is None:
            return
        note = self.notes[0]
        if not services.restorable(note.field, note.mine):
            return
        self._run(services.restore_field_conflict, note)

    def dismiss(self) -> None:
        """Keep the value that was applied and close the note."""
        if not self.notes or self._cid is None:
            return
        self._run(services.dismiss_field_conflict, note=self.notes[0])

    def _run(self, command: Callable[..., object], note: FieldConflictRow) -> None:
        cid = note.conversation_id
        self._set_enabled(False)

        def done(_changes: object) -> None:
            if isValid(self):
                self._set_enabled(True)
                self.load(cid if self._cid == cid else self._cid)
                self.settled.emit(cid)

        def failed(_exc: BaseException) -> None:
            if isValid(self):
                self._set_enabled(True)
                self.load(self._cid)

        self.ctx.command(command, cid, note.field, on_success=done, on_failure=failed)

    def _set_enabled(self, enabled: bool) -> None:
        self.restore_button.setEnabled(enabled)
        self.dismiss_button.setEnabled(enabled)
