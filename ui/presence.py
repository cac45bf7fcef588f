"""Telling colleagues which conversation is open here, and hearing who else is on it.

:class:`PresenceTracker` belongs to the :class:`ui.context.AppContext`. With a clinic server
(``AppContext.server`` set) it beats every :data:`HEARTBEAT_MS` — the open conversation,
viewing or typing — and reads who else is on that conversation, on the ``sync`` lane (never
the GUI thread), through :mod:`console.presence`. Opening another conversation and starting
to type beat at once, so colleagues hear within a moment. On a single PC it does nothing and
reports nobody.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from console import presence
from console.presence import Colleague, PresenceState

if TYPE_CHECKING:
    from ui.context import AppContext

log = logging.getLogger(__name__)

#: How often this PC says what it has open (and hears the others).
HEARTBEAT_MS = 3_000
#: How long after the last keystroke someone still counts as typing.
TYPING_HOLD_MS = 6_000


class PresenceTracker(QObject):
    """Beats this PC's presence and reports colleagues on the open conversation.

    Args:
        ctx: The application context (its server, operator, store node and tasks).

    Signals:
        changed(str, object): the conversation id and the list of
            :class:`console.presence.Colleague` on it (empty: nobody else, or no server).
    """

    changed = Signal(str, object)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self._ctx = ctx
        self._cid: str | None = None
        self._typed_at = 0.0
        self._busy = False
        self._again = False
        self._beating_for: tuple[str, str] | None = None  # (operator, node) with a row
        self._reported: tuple[str, tuple[Colleague, ...]] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(HEARTBEAT_MS)
        self._timer.timeout.connect(self.beat)
        self._timer.start()

    @property
    def conversation_id(self) -> str | None:
        """The conversation this PC has open."""
        return self._cid

    def state(self) -> PresenceState:
        """Typing while a keystroke is recent, else viewing."""
        typing = time.monotonic() - self._typed_at < TYPING_HOLD_MS / 1000
        return PresenceState.TYPING if typing else PresenceState.VIEWING

    def open(self, conversation_id: str | None) -> None:
        """The open conversation changed: say so now."""
        if conversation_id == self._cid:
            return
        self._cid = conversation_id
        self._typed_at = 0.0
        self._report(conversation_id or "", [])
        self.beat()

    def typed(self) -> None:
        """A keystroke in the reply: beat at once if this starts a spell of typing."""
        starting = self.state() is PresenceState.VIEWING
        self._typed_at = time.monotonic()
        if starting:
            self.beat()

    def beat(self) -> None:
        """Say what is open here and hear who else is on it, on the sync lane."""
        server, operator = self._ctx.server, self._ctx.operator_id
        if server is None or operator is None:
            if self._cid is not None:
                self._report(self._cid, [])
            return
        if self._busy:
            self._again = True
            return
        self._busy = True
        cid, node, state = self._cid, self._ctx.store.node_id, self.state()
        previous = self._beating_for

        def work() -> list[Colleague]:
            if previous is not None and previous != (operator, node):
                presence.leave(server, *previous)  # the PC changed hands
            presence.beat(server, operator, node, cid, state)
            return presence.others(server, cid, operator, node) if cid else []

        def done(colleagues: list[Colleague]) -> None:
            self._beating_for = (operator, node)
            self._finish()
            if cid is not None and cid == self._cid:
                self._report(cid, colleagues)

        def failed(exc: BaseException) -> None:
            log.info("presence not exchanged: %s", type(exc).__name__)
            self._finish()
            if cid is not None and cid == self._cid:
                self._report(cid, [])  # a server we cannot reach tells us nothing

        self._ctx.tasks.sync(work, done, failed)

    def _finish(self) -> None:
        self._busy = False
        if self._again:
            self._again = False
            self.beat()

    def _report(self, cid: str, colleagues: list[Colleague]) -> None:
        key = (cid, tuple(colleagues))
        if key != self._reported:
            self._reported = key
            self.changed.emit(cid, colleagues)

    def stop(self) -> None:
        """Stop beating and take this PC's row away (on the sync lane)."""
        self._timer.stop()
        server, beating = self._ctx.server, self._beating_for
        self._beating_for = None
        if server is not None and beating is not None:
            self._ctx.tasks.sync(lambda: presence.leave(server, *beating))
