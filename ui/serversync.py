"""The desktop side of the clinic server: open its store, keep this PC in sync, report.

:class:`ServerLink` belongs to the :class:`ui.context.AppContext`. With no server configured
it does nothing at all (single-PC mode). With one it:

- opens the server's store on the ``sync`` lane (never the GUI thread): the password is read
  from the keyring there, the URL built by :func:`console.sync.config.server_url`;
- sets ``AppContext.server`` while the store is open, and tries again every
  :data:`RETRY_MS` while the server cannot be reached (the PC keeps working on its own store);
- reports a :class:`ServerState` (online/offline, last sync, changes not yet sent, leader)
  through the context's ``server_changed`` signal for the status bar.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from console.settings import ServerSettings

if TYPE_CHECKING:
    from console.store.engine import Store
    from ui.context import AppContext

log = logging.getLogger(__name__)

#: While the server cannot be reached, try to open it again this often.
RETRY_MS = 30_000


class ServerMode(enum.StrEnum):
    """Where this PC stands with the clinic server."""

    OFF = "off"  # no server configured: single-PC mode
    CONNECTING = "connecting"
    ONLINE = "online"
    OFFLINE = "offline"  # configured but unreachable: changes wait on this PC


@dataclass(frozen=True)
class ServerState:
    """What the status bar says about the clinic server.

    Attributes:
        mode: Where this PC stands.
        last_sync_at: When this PC last finished a sync (ms), or None.
        pending_ops: Local changes not yet sent to the server.
        leader: The machine that polls the channels and sends replies, or None if unknown.
        leader_is_me: This process holds the leader lock.
        reason: Why the server is offline (a ``ServerCheckFailed`` reason), or "".
    """

    mode: ServerMode = ServerMode.OFF
    last_sync_at: int | None = None
    pending_ops: int = 0
    leader: str | None = None
    leader_is_me: bool = False
    reason: str = ""


class ServerLink(QObject):
    """Opens the clinic server's store and keeps the state the status bar shows.

    Args:
        ctx: The application context (its store, lanes and ``server_changed`` signal).

    Signals:
        state_changed(object): a new :class:`ServerState`.
    """

    state_changed = Signal(object)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.settings = ServerSettings()
        self.state = ServerState()
        self._generation = 0  # bumped by every configure(): late results of older ones drop
        self._opening = False
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self._open)

    @property
    def active(self) -> bool:
        """A server is configured (whether or not it can be reached now)."""
        return self.settings.configured

    def configure(self, settings: ServerSettings) -> None:
        """Use these server settings from now on: close what was open, open the new server
        (or nothing, with no server configured)."""
        self._generation += 1
        self._retry.stop()
        self._close_server()
        self.settings = settings
        if not settings.configured:
            self._set_state(ServerState())
            return
        self._set_state(ServerState(mode=ServerMode.CONNECTING))
        self._open()

    def _open(self) -> None:
        if not self.settings.configured or self._opening:
            return
        self._opening = True
        generation, settings = self._generation, self.settings

        def work() -> Store:
            from console.errors import NoSecretStore, ServerCheckFailed, StorageError
            from console.store.server import open_server_store
            from console.sync.config import classify, read_password, server_url

            try:
                password = read_password()
            except NoSecretStore:
                raise ServerCheckFailed(reason="no_keyring") from None
            try:
                return open_server_store(server_url(settings, password))
            except StorageError as exc:
                raise ServerCheckFailed(reason=classify(exc)) from None

        def done(server: Store) -> None:
            self._opening = False
            if generation != self._generation:
                server.close()
                return
            self.ctx.server = server
            self._set_state(replace(self.state, mode=ServerMode.ONLINE, reason=""))
            self.refresh()

        def failed(exc: BaseException) -> None:
            self._opening = False
            if generation != self._generation:
                return
            reason = str(getattr(exc, "params", {}).get("reason", "")) or exc.__class__.__name__
            log.info("clinic server not reachable: %s", reason)
            self._set_state(replace(self.state, mode=ServerMode.OFFLINE, reason=reason))
            self.refresh()
            self._retry.start()

        self.ctx.tasks.sync(work, done, failed)

    def refresh(self) -> None:
        """Re-read the local figures (changes not yet sent) on the read lane."""
        if not self.active:
            return
        store, generation = self.ctx.store, self._generation

        def work() -> int:
            from console.sync.config import pending_changes

            return pending_changes(store)

        def done(pending: int) -> None:
            if generation == self._generation:
                self._set_state(replace(self.state, pending_ops=pending))

        self.ctx.tasks.read(work, done)

    def local_changed(self, _changes: object) -> None:
        """Something changed (``AppContext.changed``): re-read what waits to be sent."""
        if self.active:
            self.refresh()

    def _close_server(self) -> None:
        server, self.ctx.server = self.ctx.server, None
        if server is not None:
            # Behind whatever still runs on the sync lane with it.
            self.ctx.tasks.sync(server.close)

    def close(self) -> None:
        """Close the server store (at exit, after the lanes stopped)."""
        self._generation += 1
        self._retry.stop()
        server, self.ctx.server = self.ctx.server, None
        if server is not None:
            server.close()

    def _set_state(self, state: ServerState) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
