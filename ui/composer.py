"""The reply composer and its draft autosave.

:class:`Composer` is a plain-text editor that knows when an input method (a Korean IME) is
still composing a syllable: while the preedit string is not empty, Enter and Ctrl+Enter do
nothing, so a half-typed "한" is never sent. Ctrl+Enter asks to queue the reply,
Ctrl+Shift+Enter to add a private note and Ctrl+Shift+C for the canned responses.

:class:`DraftAutosave` saves the text through :func:`console.services.save_draft` on the
ordered write worker, 600 ms after the last keystroke, and reports its state: "dirty" while
the text on screen is not yet stored, "saved" only once the worker says the save committed.
It saves the pending text before another conversation opens and before the window closes.
"""

from __future__ import annotations

import enum
import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from console import services
from console.services import Changes
from console.store.queries import draft_for
from ui.context import AppContext

log = logging.getLogger(__name__)

AUTOSAVE_DELAY_MS = 600

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _is_canned_key(event: QKeyEvent) -> bool:
    """Ctrl+Shift+C (the canned-response picker)."""
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    wanted = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    return event.key() == Qt.Key.Key_C and mods == wanted


class Composer(QPlainTextEdit):
    """Where a reply or a note is written.

    Signals:
        submit_requested(): Ctrl+Enter, with no syllable being composed.
        note_requested(): Ctrl+Shift+Enter, with no syllable being composed.
        canned_requested(): Ctrl+Shift+C, with no syllable being composed.
    """

    submit_requested = Signal()
    note_requested = Signal()
    canned_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self._preedit = ""

    def preedit(self) -> str:
        """The syllable the input method is composing (not yet in the text), or ""."""
        return self._preedit

    def is_composing(self) -> bool:
        """True while an input method has an uncommitted preedit string."""
        return bool(self._preedit)

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        """Track the preedit string, then let the editor show it."""
        self._preedit = event.preeditString()
        super().inputMethodEvent(event)

    def event(self, event: QEvent) -> bool:
        """Claim Ctrl+Enter and Ctrl+Shift+C before any window shortcut does, so the checks
        below apply."""
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and (event.key() in _ENTER_KEYS or _is_canned_key(event))
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter never acts while composing; Ctrl+Enter queues, Ctrl+Shift+Enter notes,
        Ctrl+Shift+C asks for the canned responses."""
        if _is_canned_key(event):
            event.accept()
            if not self.is_composing():
                self.canned_requested.emit()
            return
        if event.key() in _ENTER_KEYS:
            if self.is_composing():
                # The input method owns this key until the syllable is committed.
                event.accept()
                return
            mods = event.modifiers()
            if mods & Qt.KeyboardModifier.ControlModifier:
                event.accept()
                if mods & Qt.KeyboardModifier.ShiftModifier:
                    self.note_requested.emit()
                else:
                    self.submit_requested.emit()
                return
        super().keyPressEvent(event)


class DraftState(enum.StrEnum):
    """Where the text on screen stands."""

    EMPTY = "empty"  # nothing written, nothing stored
    DIRTY = "dirty"  # typed, not yet stored
    SAVED = "saved"  # stored on this PC (committed)
    ERROR = "error"  # the last save failed


class DraftAutosave(QObject):
    """Autosaves the composer's text as the operator's draft of the open conversation.

    Args:
        ctx: The application context (store, operator, worker, change broadcast).
        composer: The editor to watch.
        delay_ms: Quiet time after the last keystroke before saving.
        parent: Qt parent.

    Signals:
        state_changed(str): a :class:`DraftState` value.
        saved(str, int): conversation id and revision, after the save committed.
    """

    state_changed = Signal(str)
    saved = Signal(str, int)

    def __init__(
        self,
        ctx: AppContext,
        composer: Composer,
        delay_ms: int = AUTOSAVE_DELAY_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._composer = composer
        self._cid: str | None = None
        self._state = DraftState.EMPTY
        self._loading = False
        self._seq = 0
        self._unsaved: dict[str, str] = {}  # conversation -> text sent to the worker, not done
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.save_now)
        composer.textChanged.connect(self._on_text_changed)

    @property
    def state(self) -> DraftState:
        """The current state."""
        return self._state

    @property
    def conversation_id(self) -> str | None:
        """The conversation whose draft is in the composer."""
        return self._cid

    def _set_state(self, state: DraftState) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state.value)

    # -- opening -----------------------------------------------------------------------------

    def open(self, conversation_id: str | None) -> None:
        """Save what is pending, then load the operator's draft of another conversation."""
        if conversation_id == self._cid:
            return
        self.flush()
        self._cid = conversation_id
        text = ""
        if conversation_id is not None:
            pending = self._unsaved.get(conversation_id)
            if pending is not None:
                text = pending
            else:
                draft = draft_for(self._ctx.store, conversation_id, self._ctx.operator_id)
                text = draft.body if draft else ""
        self.set_text(text)
        self._set_state(DraftState.SAVED if text else DraftState.EMPTY)

    def set_text(self, text: str) -> None:
        """Replace the composer's text without treating it as typing."""
        self._loading = True
        try:
            self._composer.setPlainText(text)
            cursor = self._composer.textCursor()
            cursor.movePosition(cursor.MoveOperation.End)
            self._composer.setTextCursor(cursor)
        finally:
            self._loading = False

    def clear(self) -> None:
        """Empty the composer after its text was queued or noted (the draft is gone)."""
        self._timer.stop()
        self.set_text("")
        self._set_state(DraftState.EMPTY)

    # -- saving ------------------------------------------------------------------------------

    def _on_text_changed(self) -> None:
        if self._loading or self._cid is None:
            return
        self._set_state(DraftState.DIRTY)
        self._timer.start()

    def pending(self) -> bool:
        """True if the text on screen has not been handed to the worker yet."""
        return self._timer.isActive()

    def flush(self) -> None:
        """Hand the pending text to the worker now (before switching or closing)."""
        if self._timer.isActive():
            self._timer.stop()
            self.save_now()

    def cancel_pending(self) -> None:
        """Drop the scheduled save (the text is about to be queued, which stores it)."""
        self._timer.stop()

    def save_now(self) -> None:
        """Save the composer's text as the draft of the open conversation."""
        cid = self._cid
        if cid is None:
            return
        self._timer.stop()
        body = self._composer.toPlainText()
        self._seq += 1
        seq = self._seq
        self._unsaved[cid] = body

        def done(rev: int) -> None:
            if self._unsaved.get(cid) == body:
                del self._unsaved[cid]
            current = cid == self._cid and seq == self._seq
            if current and self._composer.toPlainText() == body and not self._timer.isActive():
                self._set_state(DraftState.SAVED if body.strip() else DraftState.EMPTY)
            self.saved.emit(cid, int(rev))

        def failed(_exc: BaseException) -> None:
            if cid == self._cid and seq == self._seq:
                self._set_state(DraftState.ERROR)

        self._ctx.command(
            services.save_draft,
            cid,
            body,
            changes_for=lambda _rev: Changes(drafts=frozenset({cid})),
            on_success=done,
            on_failure=failed,
        )
