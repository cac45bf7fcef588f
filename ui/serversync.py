"""The desktop side of the clinic server: open its store, keep this PC in sync, lead or not.

:class:`ServerLink` belongs to the :class:`ui.context.AppContext`. With no server configured
it does nothing at all (single-PC mode: the app is its own leader, as before). With one it:

- opens the server's store and a :class:`console.sync.engine.SyncEngine` on the ``sync`` lane
  (never the GUI thread; the password is read from the keyring there), sets
  ``AppContext.server`` while they are open, and tries again every :data:`RETRY_MS` while
  the server cannot be reached (the PC keeps working on its own store meanwhile);
- runs :meth:`SyncEngine.sync_once` on the ``sync`` lane — so a slow server never holds up a
  write, a read or a poll — :data:`DEBOUNCE_MS` after each local change, every
  :data:`SYNC_INTERVAL_MS`, and when the server's NOTIFY arrives: a thread of its own loops
  on :meth:`SyncEngine.wait_for_hint` and posts to the GUI thread. Each round's changes are
  broadcast with ``AppContext.changed``, so views refresh; a round asked for while one runs
  makes exactly one more;
- runs a first full copy (:meth:`SyncEngine.initial_sync`) on a new PC or after the server was
  restored (a new epoch), with a progress dialog. Closing the dialog only hides it: the copy
  goes on; if Sotong quits first the next start copies again, and changes not yet sent are
  pushed before anything is replaced, so nothing is lost. A PC that worked alone first has
  its own conversations merged into the server (after its own channel runtime closed), and
  the dialog says so ("이 PC의 대화 N건을 서버에 합칩니다…");
- takes part in leader election (:class:`console.sync.leader.Leader`) on a thread of its own:
  standby attempts every :data:`LEADER_RETRY_S`, heartbeats every
  :data:`~console.sync.leader.HEARTBEAT_S` while leading. Only while this process leads does
  the context build its channel runtime, against the server's store and fenced by the
  leader's epoch; otherwise the PC does not poll or send (the agent or another PC does);
- reports a :class:`ServerState` (online/offline, last sync, changes not yet sent, leader) for
  the status bar, read on the read lane (the local figures) and in the sync round (the
  leader), never on the GUI thread.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from shiboken6 import isValid

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from console.errors import ServerUnavailable
from console.settings import ServerSettings
from console.store.engine import Store

if TYPE_CHECKING:
    from console.sync.engine import SyncEngine, SyncReport, SyncStatus
    from console.sync.leader import Leader, LeaderInfo
    from ui.context import AppContext

log = logging.getLogger(__name__)

#: While the server cannot be reached, try to open it again this often.
RETRY_MS = 30_000
#: A sync round this long after the last local change (a burst of edits makes one round).
DEBOUNCE_MS = 300
#: A sync round at least this often, hints or not (a NOTIFY is only a hint).
SYNC_INTERVAL_MS = 30_000
#: Seconds the hint thread waits for a NOTIFY before looking again.
HINT_WAIT_S = 2.0
#: Seconds between a standby's attempts at the leader lock.
LEADER_RETRY_S = 10.0


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
        conflicts: Draft conflict copies on this PC.
    """

    mode: ServerMode = ServerMode.OFF
    last_sync_at: int | None = None
    pending_ops: int = 0
    leader: str | None = None
    leader_is_me: bool = False
    reason: str = ""
    conflicts: int = 0


@dataclass(frozen=True)
class _Opened:
    server: Store
    engine: SyncEngine
    leader: Leader
    needs_initial: bool


class ServerLink(QObject):
    """Opens the clinic server, syncs with it, leads or stands by, and reports.

    Args:
        ctx: The application context (its store, lanes and change broadcast).

    Signals:
        state_changed(object): a new :class:`ServerState`.
        synced(object): a sync round finished; carries its ``SyncReport``.
        leadership_changed(bool): this process became the leader (True) or stopped (False).
        initial_sync_progress(int, int): rows done and in total during a first full copy.
        initial_sync_merging(int, int, int): before the first copy of a PC that worked
            alone, its own conversations merged into the server so far, in total, and the
            demo's conversations left out.
        initial_sync_finished(bool): the first full copy finished (True) or failed (False).
    """

    state_changed = Signal(object)
    synced = Signal(object)
    leadership_changed = Signal(bool)
    initial_sync_progress = Signal(int, int)
    initial_sync_merging = Signal(int, int, int)
    initial_sync_finished = Signal(bool)
    _hinted = Signal()
    _leader_event = Signal(int, bool)  # generation, leading

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.settings = ServerSettings()
        self.state = ServerState()
        self.engine: SyncEngine | None = None
        self.leader: Leader | None = None
        self.leading = False
        #: Where the first-copy dialog opens (the main window sets itself).
        self.dialog_parent: QWidget | None = None
        self.progress_dialog: QProgressDialog | None = None
        self._generation = 0  # bumped by every configure(): late results of older ones drop
        self._opening = False
        self._syncing = False
        self._sync_again = False
        self._initial = False
        self._emitting = False
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self._open)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.sync_now)
        self._periodic = QTimer(self)
        self._periodic.setInterval(SYNC_INTERVAL_MS)
        self._periodic.timeout.connect(self.sync_now)
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(150)
        self._status_timer.timeout.connect(self._read_status)
        self._hinted.connect(self.sync_now, Qt.ConnectionType.QueuedConnection)
        self.initial_sync_progress.connect(self._progress, Qt.ConnectionType.QueuedConnection)
        self.initial_sync_merging.connect(self._merging, Qt.ConnectionType.QueuedConnection)
        self._leader_event.connect(self._on_leader_event, Qt.ConnectionType.QueuedConnection)

    @property
    def active(self) -> bool:
        """A server is configured (whether or not it can be reached now)."""
        return self.settings.configured

    # -- configuring -------------------------------------------------------------------------

    def configure(self, settings: ServerSettings) -> None:
        """Use these server settings from now on: close what was open, open the new server
        (or nothing, with no server configured: single-PC mode, the app its own leader)."""
        was_active = self.active
        self._generation += 1
        self._retry.stop()
        self._periodic.stop()
        self._debounce.stop()
        self._shut_down(wait=False)
        self.settings = settings
        if not settings.configured:
            self._set_state(ServerState())
            if was_active:
                self.ctx.rebuild_runtime()  # back to polling from this PC's own store
            return
        self._set_state(ServerState(mode=ServerMode.CONNECTING))
        if not was_active:
            self.ctx.rebuild_runtime()  # standby until this process leads
        self._open()

    def _open(self) -> None:
        if not self.settings.configured or self._opening or self.engine is not None:
            return
        self._opening = True
        generation, settings, local = self._generation, self.settings, self.ctx.store

        def work() -> _Opened:
            from console.errors import NoSecretStore, ServerCheckFailed, StorageError
            from console.store.server import node_for, open_server_store
            from console.sync.config import classify, read_password, server_url
            from console.sync.engine import SyncEngine
            from console.sync.leader import Leader

            try:
                password = read_password()
            except NoSecretStore:
                raise ServerCheckFailed(reason="no_keyring") from None
            url = server_url(settings, password)
            try:
                # This PC's own node id on the server too (not the one every process there
                # would share), derived from its store's: see console.store.server.node_for.
                server = open_server_store(url, node_id=node_for("pc", local.node_id))
            except StorageError as exc:
                raise ServerCheckFailed(reason=classify(exc)) from None
            engine = SyncEngine(local, server)
            try:
                needs = engine.needs_initial_sync()
            except BaseException:
                engine.close()
                server.close()
                raise
            return _Opened(server, engine, Leader(url), needs)

        def done(opened: _Opened) -> None:
            self._opening = False
            if generation != self._generation:
                self._close_parts(opened.server, opened.engine, opened.leader)
                return
            self.ctx.server = opened.server
            self.engine, self.leader = opened.engine, opened.leader
            self._set_state(replace(self.state, mode=ServerMode.ONLINE, reason=""))
            self._start_threads(generation, opened.engine, opened.leader, opened.server)
            self._periodic.start()
            if opened.needs_initial:
                self.run_initial_sync()
            else:
                self.sync_now()

        def failed(exc: BaseException) -> None:
            self._opening = False
            if generation != self._generation:
                return
            reason = str(getattr(exc, "params", {}).get("reason", "")) or type(exc).__name__
            log.info("clinic server not reachable: %s", reason)
            self._set_state(replace(self.state, mode=ServerMode.OFFLINE, reason=reason))
            self.refresh()
            self._retry.start()

        self.ctx.tasks.sync(work, done, failed)

    # -- syncing -----------------------------------------------------------------------------

    def local_changed(self, _changes: object) -> None:
        """Something changed (``AppContext.changed``): sync soon and re-read the figures.
        Changes a sync round itself broadcast do not start another round."""
        if not self.active:
            return
        self.refresh()
        if not self._emitting and self.engine is not None:
            self._debounce.start()

    def sync_now(self) -> None:
        """Run one sync round on the sync lane (or one more after the round that runs)."""
        engine, generation = self.engine, self._generation
        if engine is None or self._initial:
            return
        if self._syncing:
            self._sync_again = True
            return
        self._syncing = True
        server = self.ctx.server

        def work() -> tuple[SyncReport, LeaderInfo | None]:
            from console.sync.leader import current_leader

            report = engine.sync_once()
            leader = current_leader(server) if server is not None else None
            return report, leader

        def done(result: tuple[SyncReport, LeaderInfo | None]) -> None:
            self._syncing = False
            if generation != self._generation:
                return
            report, leader = result
            self._set_state(
                replace(
                    self.state,
                    mode=ServerMode.ONLINE,
                    reason="",
                    leader=leader.machine if leader is not None else None,
                )
            )
            self._broadcast(report)
            self._after_round()

        def failed(exc: BaseException) -> None:
            self._syncing = False
            if generation != self._generation:
                return
            reason = "unreachable" if isinstance(exc, ServerUnavailable) else "other"
            if not isinstance(exc, ServerUnavailable):
                log.warning("sync round failed", exc_info=exc)
            self._set_state(replace(self.state, mode=ServerMode.OFFLINE, reason=reason))
            self.refresh()
            self._sync_again = False  # the timer, a hint or the next edit tries again

        self.ctx.tasks.sync(work, done, failed)

    def _after_round(self) -> None:
        self.refresh()
        if self.leading:
            self.ctx.send_soon()  # replies other PCs queued have just arrived
            self.ctx.hand_out_soon()  # and staff other PCs put on duty
        if self._sync_again:
            self._sync_again = False
            self.sync_now()

    def _broadcast(self, report: SyncReport) -> None:
        self.synced.emit(report)
        if report.changes:
            self._emitting = True
            try:
                self.ctx.changed.emit(report.changes)
            finally:
                self._emitting = False

    def run_initial_sync(self) -> None:
        """Copy the server's data to this PC from scratch (a new PC, or a restored server),
        with a progress dialog; ordinary rounds wait until it is done."""
        engine, generation = self.engine, self._generation
        if engine is None or self._initial:
            return
        self._initial = True
        self._show_progress()
        # The runtime this PC ran alone is closed on the network lane, behind a send in
        # progress: only then are its replies merged into the server (and sent by the leader).
        self.ctx.tasks.network(
            lambda: None,
            lambda _done: self._copy(engine, generation),
            lambda _exc: self._copy(engine, generation),
        )

    def _copy(self, engine: SyncEngine, generation: int) -> None:
        if generation != self._generation:
            return
        progress = self.initial_sync_progress.emit  # emitted on the worker, delivered queued
        merging_signal = self.initial_sync_merging.emit
        local = self.ctx.store

        def work() -> SyncReport:
            from console.sync._merge import own_data

            demo = own_data(local).demo_conversations

            def merging(done: int, total: int) -> None:
                merging_signal(done, total, demo)

            return engine.initial_sync(progress, merging)

        def done(report: SyncReport) -> None:
            self._initial = False
            self._close_progress()
            if generation != self._generation:
                return
            self.initial_sync_finished.emit(True)
            self._set_state(replace(self.state, mode=ServerMode.ONLINE, reason=""))
            self._broadcast(report)
            self._after_round()

        def failed(exc: BaseException) -> None:
            self._initial = False
            self._close_progress()
            if generation != self._generation:
                return
            self.initial_sync_finished.emit(False)
            if not isinstance(exc, ServerUnavailable):
                log.warning("first copy from the clinic server failed", exc_info=exc)
            self._set_state(replace(self.state, mode=ServerMode.OFFLINE, reason="unreachable"))
            self.ctx.error.emit(self._initial_failed_text())
            self.refresh()

        self.ctx.tasks.sync(work, done, failed)

    def _show_progress(self) -> None:
        dialog = QProgressDialog(self.dialog_parent)
        dialog.setObjectName("initialSyncDialog")
        dialog.setWindowTitle(self.tr("Clinic server"))
        dialog.setLabelText(self._progress_text(0, 0))
        dialog.setCancelButtonText(self.tr("Continue in the background"))
        dialog.setRange(0, 0)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        # Closing only hides the dialog: the copy goes on (see the module docstring).
        dialog.canceled.connect(dialog.hide)
        self.progress_dialog = dialog
        dialog.show()

    def _progress(self, done: int, total: int) -> None:
        dialog = self.progress_dialog
        if dialog is None or not isValid(dialog):
            return
        if total > 0:
            dialog.setRange(0, total)
            dialog.setValue(min(done, total))
        dialog.setLabelText(self._progress_text(done, total))

    def _merging(self, done: int, total: int, demo: int) -> None:
        dialog = self.progress_dialog
        if dialog is None or not isValid(dialog) or total <= 0:
            return
        dialog.setRange(0, total)
        dialog.setValue(min(done, total))
        dialog.setLabelText(self._merging_text(done, total, demo))

    def _merging_text(self, done: int, total: int, demo: int) -> str:
        head = self.tr("Merging this PC's %1 conversations into the clinic server…").replace(
            "%1", f"{total:,}"
        )
        count = (
            self.tr("%1 of %2 conversations").replace("%1", f"{done:,}").replace("%2", f"{total:,}")
        )
        backup = self.tr(
            "A copy of this PC's data was saved first. The clinic's other PCs will see these "
            "conversations, replies waiting to be sent are sent once by the leader, and then "
            "this PC gets the clinic's conversations."
        )
        left_out = (
            self.tr("The demo's %1 practice conversations stay out of the clinic server.").replace(
                "%1", f"{demo:,}"
            )
            if demo
            else ""
        )
        return "\n\n".join(part for part in (head, count, backup, left_out) if part)

    def _progress_text(self, done: int, total: int) -> str:
        head = self.tr("Copying the clinic's conversations from the clinic server to this PC…")
        count = (
            self.tr("%1 of %2 rows").replace("%1", f"{done:,}").replace("%2", f"{total:,}")
            if total
            else ""
        )
        note = self.tr(
            "You can close this window: the copy goes on in the background. If Sotong is "
            "closed before it finishes, it starts again next time. Nothing is lost: changes "
            "made on this PC are sent to the server first."
        )
        return "\n\n".join(part for part in (head, count, note) if part)

    def _initial_failed_text(self) -> str:
        return self.tr(
            "The first copy from the clinic server stopped: the server could not be reached. "
            "Sotong tries again; this PC keeps working meanwhile."
        )

    def _close_progress(self) -> None:
        dialog, self.progress_dialog = self.progress_dialog, None
        if dialog is not None and isValid(dialog):
            dialog.hide()
            dialog.deleteLater()

    # -- status ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the local figures (changes not yet sent, last sync) soon, on the read
        lane; a burst of changes makes one read."""
        if self.active:
            self._status_timer.start()

    def _read_status(self) -> None:
        if not self.active:
            return
        store, engine, generation = self.ctx.store, self.engine, self._generation

        def work() -> tuple[int, int | None, int]:
            if engine is not None:
                status: SyncStatus = engine.status()
                return status.pending_ops, status.last_sync_at, status.conflicts
            from console.sync.config import pending_changes

            return pending_changes(store), self.state.last_sync_at, self.state.conflicts

        def done(result: tuple[int, int | None, int]) -> None:
            if generation == self._generation:
                pending, last, conflicts = result
                self._set_state(
                    replace(self.state, pending_ops=pending, last_sync_at=last, conflicts=conflicts)
                )

        self.ctx.tasks.read(work, done)

    def _set_state(self, state: ServerState) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    # -- the leader --------------------------------------------------------------------------

    def _start_threads(
        self, generation: int, engine: SyncEngine, leader: Leader, server: Store
    ) -> None:
        stop = self._stop = threading.Event()
        hints = threading.Thread(
            target=self._listen, args=(engine, stop), name="sotong-sync-hints", daemon=True
        )
        lead = threading.Thread(
            target=self._lead,
            args=(generation, leader, stop, server),
            name="sotong-leader",
            daemon=True,
        )
        self._threads = [hints, lead]
        for thread in self._threads:
            thread.start()

    def _listen(self, engine: SyncEngine, stop: threading.Event) -> None:
        """The hint thread: a NOTIFY from the server starts a round at once."""
        try:
            while not stop.is_set():
                try:
                    if engine.wait_for_hint(HINT_WAIT_S) and not stop.is_set():
                        self._post(self._hinted)
                except ServerUnavailable:
                    stop.wait(HINT_WAIT_S)
                except Exception:
                    log.warning("listening for the server's hints failed", exc_info=True)
                    stop.wait(HINT_WAIT_S)
        finally:
            engine.close()

    def _lead(self, generation: int, leader: Leader, stop: threading.Event, server: Store) -> None:
        """The leader thread: stand by (try the lock now and then) or lead (heartbeat, and
        prune the server's old change log now and then)."""
        from console.sync.housekeeping import PRUNE_EVERY_S, prune
        from console.sync.leader import HEARTBEAT_S

        leading = False
        pruned_at: float | None = None
        try:
            while not stop.is_set():
                if not leading:
                    leading = leader.try_acquire()
                    if leading:
                        self._post(self._leader_event, generation, True)
                    else:
                        stop.wait(LEADER_RETRY_S)
                        continue
                if stop.wait(HEARTBEAT_S):
                    break
                if not leader.heartbeat():
                    leading = False
                    self._post(self._leader_event, generation, False)
                    continue
                if pruned_at is None or time.monotonic() - pruned_at >= PRUNE_EVERY_S:
                    pruned_at = time.monotonic()
                    try:
                        prune(server)
                    except Exception:
                        log.warning("pruning the change log failed", exc_info=True)
        except Exception:
            log.warning("leader thread failed", exc_info=True)
            self._post(self._leader_event, generation, False)
        finally:
            leader.release()

    def _post(self, signal: Any, *args: object) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the link was deleted while the thread ran (app closing)
            log.debug("server link gone")

    def _on_leader_event(self, generation: int, leading: bool) -> None:
        if generation != self._generation or leading == self.leading:
            return
        self.leading = leading
        self._set_state(replace(self.state, leader_is_me=leading))
        self.leadership_changed.emit(leading)
        self.ctx.rebuild_runtime()
        if leading:
            self.sync_now()  # and the leader's name on the status bar

    def stand_down(self) -> None:
        """Another process took over (a write was refused as stale): stop polling now; the
        leader thread stands by and tries again later."""
        if self.leading:
            self._on_leader_event(self._generation, False)

    def runtime_target(self) -> tuple[Store, Leader | None] | None:
        """Where the channel runtime should run: ``(store, fence)``.

        Returns:
            This PC's store with no fence on a single PC; the server's store fenced by the
            leader while this process leads; None while a server is configured and this
            process does not lead (the PC does not poll or send).
        """
        if not self.active:
            return self.ctx.store, None
        if self.leading and self.ctx.server is not None and self.leader is not None:
            return self.ctx.server, self.leader
        return None

    # -- closing -----------------------------------------------------------------------------

    def _shut_down(self, wait: bool) -> None:
        """Stop the threads, give the lock back, close engine and server store."""
        self._stop.set()
        threads, self._threads = self._threads, []
        engine, self.engine = self.engine, None
        leader, self.leader = self.leader, None
        server, self.ctx.server = self.ctx.server, None
        was_leading, self.leading = self.leading, False
        self._syncing = self._sync_again = self._initial = False
        self._close_progress()
        if was_leading:
            self.ctx.rebuild_runtime()
        if not wait:
            # Behind whatever still runs on the sync lane with them; the threads end on
            # their own within a few seconds (they close the engine's listener and give the
            # lock back themselves).
            def close_later() -> None:
                for thread in threads:
                    thread.join(timeout=HINT_WAIT_S + 5)
                self._close_parts(server, engine, leader)

            self.ctx.tasks.sync(close_later)
            return
        for thread in threads:
            thread.join(timeout=HINT_WAIT_S + 5)
        self._close_parts(server, engine, leader)

    @staticmethod
    def _close_parts(
        server: Store | None, engine: SyncEngine | None, leader: Leader | None
    ) -> None:
        if leader is not None:
            leader.release()
        if engine is not None:
            engine.close()
        if server is not None:
            server.close()

    def close(self) -> None:
        """Stop syncing and close the server (at exit, after the lanes stopped)."""
        self._generation += 1
        for timer in (self._retry, self._debounce, self._periodic, self._status_timer):
            timer.stop()
        self.leading = False  # the app is closing: no runtime to rebuild
        self._shut_down(wait=True)
