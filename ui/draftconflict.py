"""The strip over the composer that shows another version of the operator's draft.

When two PCs saved the same draft at once, sync kept the text that lost as a conflict copy
(draft text is never dropped). This strip says so, shows the other version (read-only, plain
text) and lets the author put it in the composer (:func:`console.services.restore_draft_conflict`
swaps it with the current text, which becomes the other version in turn) or discard it.
Keyboard: Alt+V shows or hides the other version, Alt+U uses it, Alt+X discards it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from shiboken6 import isValid

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console import services
from console.store.queries import DraftConflictRow, draft_conflicts, draft_for
from ui import texts
from ui.composer import DraftAutosave
from ui.context import AppContext


class DraftConflictBar(QFrame):
    """Another version of the draft: see it, use it, or discard it.

    Args:
        ctx: The application context.
        autosave: The composer's autosave (flushed before a restore; given the new text).
        parent: Qt parent.

    Signals:
        restored(str): the other version is now in the composer (the conversation id).
    """

    restored = Signal(str)

    def __init__(
        self, ctx: AppContext, autosave: DraftAutosave, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("draftConflictBar")
        self.ctx = ctx
        self.autosave = autosave
        self._cid: str | None = None
        self.copies: list[DraftConflictRow] = []

        self.label = QLabel(self)
        self.label.setObjectName("draftConflictText")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.show_button = QPushButton(self)
        self.show_button.setObjectName("showConflictButton")
        self.show_button.setCheckable(True)
        self.show_button.toggled.connect(self._toggle_other)
        self.restore_button = QPushButton(self)
        self.restore_button.setObjectName("restoreConflictButton")
        self.restore_button.clicked.connect(self.restore)
        self.discard_button = QPushButton(self)
        self.discard_button.setObjectName("discardConflictButton")
        self.discard_button.clicked.connect(self.discard)
        self.other = QPlainTextEdit(self)
        self.other.setObjectName("conflictText")
        self.other.setReadOnly(True)
        self.other.setFixedHeight(84)
        self.other.hide()

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.label, 1)
        row.addWidget(self.show_button)
        row.addWidget(self.restore_button)
        row.addWidget(self.discard_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(14, 8, 14, 4)
        box.setSpacing(6)
        box.addLayout(row)
        box.addWidget(self.other)
        # Keys that work wherever focus is in the thread pane (composer included).
        area = parent if parent is not None else self
        self.shortcuts: dict[str, QShortcut] = {}
        for name, key, slot in (
            ("view", "Alt+V", self.show_button.toggle),
            ("use", "Alt+U", self.restore),
            ("discard", "Alt+X", self.discard),
        ):
            shortcut = QShortcut(QKeySequence(key), area)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(functools.partial(self._shortcut, slot))
            self.shortcuts[name] = shortcut
        self.retranslate_ui()
        self.hide()

    def _shortcut(self, slot: Callable[[], object]) -> None:
        if self.isVisible() and self.restore_button.isEnabled():
            slot()

    def retranslate_ui(self) -> None:
        """Set every fixed text in the current language."""
        self.show_button.setText(self.tr("View other version"))
        self.show_button.setToolTip(self.tr("Show or hide the other version (Alt+V)"))
        self.restore_button.setText(self.tr("Use it"))
        self.restore_button.setToolTip(
            self.tr(
                "Put the other version in the composer; your current text becomes the other "
                "version (Alt+U)"
            )
        )
        self.discard_button.setText(self.tr("Discard"))
        self.discard_button.setToolTip(self.tr("Throw the other version away (Alt+X)"))
        self._show_label()

    def _show_label(self) -> None:
        if not self.copies:
            self.label.setText("")
            return
        newest = self.copies[0]
        self.label.setText(
            self.tr(
                "Your draft was also changed on another PC at %1. The other version is kept."
            ).replace("%1", texts.clock_text(newest.updated_at))
        )

    # -- loading -----------------------------------------------------------------------------

    def load(self, conversation_id: str | None) -> None:
        """Show the conflict copies of the operator's draft on a conversation (if any)."""
        if conversation_id != self._cid:
            self.show_button.setChecked(False)
        self._cid = conversation_id
        self.copies = (
            draft_conflicts(self.ctx.store, conversation_id, self.ctx.operator_id)
            if conversation_id is not None
            else []
        )
        if not self.copies:
            self.show_button.setChecked(False)
            self.hide()
            return
        self.other.setPlainText(self.copies[0].body)
        self._show_label()
        self.show()

    def _toggle_other(self, shown: bool) -> None:
        self.other.setVisible(shown)

    def other_text(self) -> str:
        """The other version's text (the newest copy), or ""."""
        return self.copies[0].body if self.copies else ""

    # -- actions -----------------------------------------------------------------------------

    def restore(self) -> None:
        """Put the other version in the composer; the composer's text becomes the copy."""
        cid = self._cid
        if cid is None or not self.copies:
            return
        copy_id = self.copies[0].id
        self.autosave.flush()  # the text on screen is saved first (the write lane keeps order)
        self._set_enabled(False)

        def done(_changes: object) -> None:
            if not isValid(self):
                return
            self._set_enabled(True)
            if self.autosave.conversation_id == cid:
                draft = draft_for(self.ctx.store, cid, self.ctx.operator_id)
                self.autosave.set_text(draft.body if draft else "")
            self.load(cid)
            self.restored.emit(cid)

        def failed(_exc: BaseException) -> None:
            if isValid(self):
                self._set_enabled(True)
                self.load(cid)

        self.ctx.command(
            services.restore_draft_conflict, copy_id, on_success=done, on_failure=failed
        )

    def discard(self) -> None:
        """Throw the other version away."""
        cid = self._cid
        if cid is None or not self.copies:
            return
        copy_id = self.copies[0].id
        self._set_enabled(False)

        def finished(_result: object) -> None:
            if isValid(self):
                self._set_enabled(True)
                self.load(cid)

        self.ctx.command(
            services.discard_draft_conflict, copy_id, on_success=finished, on_failure=finished
        )

    def _set_enabled(self, enabled: bool) -> None:
        for button in (self.show_button, self.restore_button, self.discard_button):
            button.setEnabled(enabled)
