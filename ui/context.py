"""The application's shared state and its one change broadcast.

:class:`AppContext` holds the store, the acting operator, the background helper and the
channel runtime (when there is one). Every service call goes through :meth:`AppContext.command`,
which runs it on the write worker and then emits ``changed`` once with what moved (STYLE.md
practice 5): models and views decide for themselves whether to refresh.

It also owns the polling timer: every ``poll_interval_s`` seconds the runtime polls the
channels, sends due replies and wakes snoozed conversations, all on the network worker.

With a ``runtime_factory`` the context builds the runtime itself, on the network worker (the
factory reads the keyring, which can block briefly), at :meth:`AppContext.start` and again after
every change to the channel accounts (:meth:`AppContext.rebuild_runtime`).
"""

from __future__ import annotations

import enum
import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from console import services, sla
from console.errors import StaleLeader
from console.services import Actor, Changes
from console.store.engine import Store
from console.store.queries import (
    Health,
    NavCounts,
    OperatorRow,
    SavedSearchRow,
    health,
    nav_counts,
    now_ms,
    operators,
    saved_search_counts,
    saved_searches,
)
from ui import texts
from ui.presence import PresenceTracker
from ui.serversync import ServerLink
from ui.tasks import Tasks

if TYPE_CHECKING:
    from console.routing.triage import Triage
    from console.runtime import PollReport, Runtime
    from console.settings import ServerSettings

log = logging.getLogger(__name__)

#: Builds a runtime over the store's enabled accounts (``console.accounts.build_runtime``).
#: On the clinic server it is called as ``factory(server_store, fence=leader)``.
RuntimeFactory = Callable[..., "Runtime"]

HEALTH_INTERVAL_MS = 30_000
COUNTS_DELAY_MS = 120


class Connection(enum.StrEnum):
    """What the status bar says about the channels."""

    NOT_CONNECTED = "not_connected"  # no channel runtime on this PC
    BY_LEADER = "by_leader"  # a clinic server: another process leads, this PC does not poll
    CHECKING = "checking"  # before the first poll finished
    ONLINE = "online"
    OFFLINE = "offline"


class AppContext(QObject):
    """Store, operator, workers and the change broadcast shared by every view.

    Args:
        store: The open local store.
        operator_id: The member of staff using this PC (None if the clinic has none yet).
        tasks: The background helper.
        runtime: The channel runtime that polls and sends, if this PC has one.
        poll_interval_s: Seconds between polls.
        parent: Qt parent.
        runtime_factory: Builds the runtime from the accounts (at start, when ``runtime`` is
            None, and after accounts change). None: the runtime given is kept as it is.

    Signals:
        changed(object): a :class:`console.services.Changes` after every service call or poll.
        error(str): a translated sentence about an operation that failed.
        counts_changed(object): fresh :class:`NavCounts` for the navigation pane.
        saved_searches_changed(object, object): the operator's saved searches (a list of
            :class:`SavedSearchRow`) and how many conversations each finds (by id), read
            with the counts.
        health_changed(object): fresh :class:`Health` for the status bar.
        connection_changed(str): a :class:`Connection` value.
        accounts_changed(): the channel accounts changed (added, paused, resumed, removed,
            reconnected) or a new runtime recorded why it left one out; lists re-read them.
        news_arrived(): a server said new messages are waiting (IMAP IDLE); emitted from a
            watcher thread, delivered on the GUI thread, where it starts a poll at once.
        staff_changed(): members of staff changed (added, role, departments, on duty); the
            cached list was dropped, pickers re-read it.
    """

    changed = Signal(object)
    error = Signal(str)
    counts_changed = Signal(object)
    saved_searches_changed = Signal(object, object)
    health_changed = Signal(object)
    connection_changed = Signal(str)
    accounts_changed = Signal()
    news_arrived = Signal()
    staff_changed = Signal()
    #: SLA marks and counts: a :class:`console.sla.Snapshot` (cutoffs, breaches per department).
    sla_changed = Signal(object)

    def __init__(
        self,
        store: Store,
        operator_id: str | None,
        tasks: Tasks,
        runtime: Runtime | None = None,
        poll_interval_s: float = 5.0,
        parent: QObject | None = None,
        runtime_factory: RuntimeFactory | None = None,
        triage: Triage | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        #: The clinic server's store (PostgreSQL) when one is configured; None on a single PC.
        self.server: Store | None = None
        #: Opens the clinic server and keeps this PC in sync with it (idle on a single PC).
        self.server_link = ServerLink(self)
        #: Tells colleagues (through the clinic server) what is open here, hears theirs.
        self.presence = PresenceTracker(self)
        self.triage = triage
        self.operator_id = operator_id
        self.tasks = tasks
        self.runtime = runtime
        self._runtime_factory = runtime_factory
        if runtime is not None:
            self.connection = Connection.CHECKING if runtime.channels else Connection.NOT_CONNECTED
        else:
            self.connection = Connection.CHECKING if runtime_factory else Connection.NOT_CONNECTED
        self._operators: list[OperatorRow] | None = None
        self._polling = False
        self._sending = False
        self._send_again = False
        self._started = False
        self._swapping = False
        self._swap_again = False
        self._built_once = runtime is not None  # a runtime given was recovered by its owner
        self._built: list[Runtime] = []  # every runtime the factory made that is not closed yet
        self._counts_seq = 0
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(max(500, int(poll_interval_s * 1000)))
        self._poll_timer.timeout.connect(self.poll_now)
        self._health_timer = QTimer(self)
        self._health_timer.setInterval(HEALTH_INTERVAL_MS)
        self._health_timer.timeout.connect(self.refresh_health)
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(COUNTS_DELAY_MS)
        self._counts_timer.timeout.connect(self._load_counts)
        self.tasks.failed.connect(lambda exc: self.error.emit(texts.error_text(exc)))
        self.changed.connect(self._on_changed)
        self.news_arrived.connect(self.poll_now)

    @property
    def actor(self) -> Actor:
        """Who acts in service calls."""
        return Actor(self.operator_id)

    def operators(self) -> list[OperatorRow]:
        """Every member of staff (read once, then cached)."""
        if self._operators is None:
            self._operators = operators(self.store)
        return self._operators

    def role(self) -> str | None:
        """The acting member of staff's role (None when nobody is chosen or they are gone)."""
        for op in self.operators():
            if op.id == self.operator_id:
                return op.role
        return None

    def can(self, permission: services.Permission) -> bool:
        """Whether the acting member of staff's role allows ``permission`` (the services check
        again; the UI uses this to disable what would be refused)."""
        if self.operator_id is None:
            return services.permitted(None, permission)
        role = self.role()
        return role is not None and services.permitted(role, permission)

    def may_assign(self, current: str | None, new: str | None) -> bool:
        """Whether the acting member of staff may change an assignee from ``current`` to
        ``new`` (taking from a colleague or handing on needs the reassign permission)."""
        return self.can(services.assignment_permission(self.operator_id, current, new))

    def operator_name(self, operator_id: str | None) -> str:
        """The name of a member of staff, or "" if unknown."""
        for op in self.operators():
            if op.id == operator_id:
                return op.name
        return ""

    # -- commands --------------------------------------------------------------------------

    def command(
        self,
        fn: Callable[..., Any],
        *args: Any,
        changes_for: Callable[[Any], Changes] | None = None,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run a service ``fn(store, actor, *args)`` on the write worker, then broadcast.

        Args:
            fn: A :mod:`console.services` command.
            *args: Its arguments after the store and the actor.
            changes_for: Builds the :class:`Changes` for commands that return something else
                (``save_draft`` returns a revision, ``queue_reply`` an id).
            on_success: Called with the command's result on the GUI thread, before ``changed``.
            on_failure: Called with the exception; the error sentence is emitted either way.
        """
        store, actor = self.store, self.actor

        def call() -> Any:
            return fn(store, actor, *args)

        def done(result: Any) -> None:
            if isinstance(result, Changes):
                changes = result
            elif changes_for is not None:
                changes = changes_for(result)
            else:
                changes = Changes()
            if on_success is not None:
                on_success(result)
            self.changed.emit(changes)

        def failed(exc: BaseException) -> None:
            if on_failure is not None:
                on_failure(exc)
            self.error.emit(texts.error_text(exc))

        self.tasks.write(call, done, failed)

    def account_command(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Change the channel accounts with ``fn(store, actor, *args)`` on the write worker.

        On success ``accounts_changed`` is emitted, the status bar refreshed and the runtime
        rebuilt over the accounts as they now are.

        Args:
            fn: A :mod:`console.services` account command (``add_account`` through
                :func:`functools.partial` for its keyword arguments).
            *args: Its arguments after the store and the actor.
            on_success: Called with the result on the GUI thread, before ``accounts_changed``.
            on_failure: Called with the exception; without it the error sentence is emitted.
        """
        store, actor = self.store, self.actor

        def call() -> Any:
            return fn(store, actor, *args)

        def done(result: Any) -> None:
            if on_success is not None:
                on_success(result)
            self.accounts_changed.emit()
            self.refresh_health()
            self.rebuild_runtime()

        def failed(exc: BaseException) -> None:
            if on_failure is not None:
                on_failure(exc)
            else:
                self.error.emit(texts.error_text(exc))

        self.tasks.write(call, done, failed)

    def tag_department(self, conversation_id: str, department: str | None) -> None:
        """Tag a conversation with a department (None: back to Untriaged); the classifier
        learns from the choice, on the read worker, and keeps what it learned."""
        triage, store = self.triage, self.store

        def learn(_changes: object) -> None:
            if triage is not None and department is not None:
                self.tasks.read(
                    lambda: (triage.learn_from(store, conversation_id, department), triage.save())
                )

        self.command(services.tag_department, conversation_id, department, on_success=learn)

    def assign(self, conversation_id: str, operator_id: str | None) -> None:
        """Give a conversation to a member of staff (None: unassign)."""
        self.command(services.assign, conversation_id, operator_id)

    def on_duty(self) -> bool:
        """Whether the acting member of staff is on duty (auto-assignment gives them work)."""
        return any(op.on_duty for op in self.operators() if op.id == self.operator_id)

    def hands_out_here(self) -> bool:
        """Whether staff changes on this PC hand out waiting conversations themselves: on a
        single PC yes; with a clinic server the leader does it when the change reaches the
        server (:meth:`console.runtime.Runtime.hand_out_on_duty`)."""
        return not self.server_link.active

    def set_on_duty(self, operator_id: str, on_duty: bool) -> None:
        """Put a member of staff (yourself, or with the right a colleague) on or off duty;
        coming on duty hands out their departments' waiting conversations (here, or with a
        clinic server by the leader)."""
        duty = functools.partial(services.set_on_duty, hand_out=self.hands_out_here())
        self.command(duty, operator_id, on_duty)

    def toggle_duty(self) -> None:
        """Put the acting member of staff on duty, or off it."""
        if self.operator_id is not None:
            self.set_on_duty(self.operator_id, not self.on_duty())

    def hand_off(
        self,
        conversation_id: str,
        to_operator: str,
        note: str,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Give a conversation to a colleague with a private note for them (one transaction)."""
        self.command(
            services.hand_off,
            conversation_id,
            to_operator,
            note,
            on_success=on_success,
            on_failure=on_failure,
        )

    def set_status(self, conversation_id: str, status: str) -> None:
        """Mark a conversation open, pending or resolved."""
        self.command(services.set_status, conversation_id, status)

    def snooze(self, conversation_id: str, until_ms: int) -> None:
        """Snooze a conversation until a time."""
        self.command(services.snooze, conversation_id, until_ms)

    def mark_read(self, conversation_id: str) -> None:
        """Mark everything received in a conversation as read."""
        self.command(services.mark_read, conversation_id)

    # -- background: channels ------------------------------------------------------------

    def set_poll_interval(self, seconds: float) -> None:
        """Check the channels every ``seconds`` from now on."""
        self._poll_timer.setInterval(max(500, int(seconds * 1000)))

    def start(self) -> None:
        """Start polling (building the runtime first if there is a factory but no runtime)
        and the periodic status refresh."""
        self._started = True
        self.refresh_health()
        self.refresh_counts()
        self._health_timer.start()
        if self.runtime is None and self._runtime_factory is not None:
            self.rebuild_runtime()
        elif self.runtime is not None:
            self.runtime.watch(self.news_arrived.emit)
            self._poll_timer.start()
            self.poll_now()

    def stop(self) -> None:
        """Stop the timers (workers are stopped by :meth:`Tasks.shutdown`)."""
        self._started = False
        self._poll_timer.stop()
        self._health_timer.stop()
        self._counts_timer.stop()
        self.presence.stop()

    def close_runtime(self) -> None:
        """Close the connectors of the runtimes this context built (after
        :meth:`Tasks.shutdown`, when nothing runs on the network worker any more)."""
        for runtime in self._built:
            runtime.close()
        self._built.clear()

    def rebuild_runtime(self) -> None:
        """Swap in a runtime built afresh by the factory (after the accounts changed).

        The poll timer stops; on the network worker, behind any poll or send still running
        there, the old runtime's connectors are closed and the new runtime is built; back on
        the GUI thread it replaces the old one and polling starts again. Polls and sends asked
        for meanwhile wait for the new runtime. Without a factory nothing happens.
        """
        factory = self._runtime_factory
        if factory is None:
            return
        target = self.server_link.runtime_target()
        if self._swapping:
            self._swap_again = True
            return
        self._swapping = True
        self._poll_timer.stop()
        old, first = self.runtime, not self._built_once
        built = self._built
        if target is None:
            self._stand_by(old)
            return
        store, fence = target

        def work() -> tuple[Runtime, Changes]:
            if old is not None:
                old.close()
                if old in built:
                    built.remove(old)
            runtime = factory(store) if fence is None else factory(store, fence=fence)
            built.append(runtime)
            # A new leader settles what an earlier one left sending, as the app does at start.
            recover = first or fence is not None
            changes = runtime.recover_interrupted() if recover else Changes()
            return runtime, changes

        def done(result: tuple[Runtime, Changes]) -> None:
            runtime, changes = result
            self._swapping = False
            self._built_once = True
            self.runtime = runtime
            runtime.watch(self.news_arrived.emit)
            self._set_connection(
                Connection.CHECKING if runtime.channels else Connection.NOT_CONNECTED
            )
            self.accounts_changed.emit()  # the build records why it left an account out
            self.refresh_health()
            if changes:
                self.changed.emit(changes)
            self._after_swap()

        def failed(exc: BaseException) -> None:
            self._swapping = False
            self.runtime = None
            log.warning("could not build the channel runtime: %s", type(exc).__name__)
            self._set_connection(Connection.NOT_CONNECTED)
            self.error.emit(texts.error_text(exc))
            self._after_swap()

        self.tasks.network(work, done, failed)

    def _stand_by(self, old: Runtime | None) -> None:
        """A clinic server is configured and another process leads: no runtime here."""
        built = self._built
        self.runtime = None

        def close() -> None:
            if old is not None:
                old.close()
                if old in built:
                    built.remove(old)

        def done(_result: object) -> None:
            self._swapping = False
            self._set_connection(Connection.BY_LEADER)
            self._after_swap()

        self.tasks.network(close, done, done)

    def _after_swap(self) -> None:
        if self._swap_again:
            self._swap_again = False
            self.rebuild_runtime()
        elif self._started and self.runtime is not None:
            self._poll_timer.start()
            self.poll_now()

    def poll_now(self) -> None:
        """Poll the channels, send due replies and wake snoozes on the network worker."""
        runtime = self.runtime
        if runtime is None or self._polling or self._swapping:
            return
        self._polling = True

        def work() -> tuple[PollReport, Changes]:
            report = runtime.poll_once()
            changes = report.changes | runtime.send_due() | runtime.wake_snoozed()
            changes |= runtime.hand_out_on_duty()
            return report, changes

        def done(result: tuple[PollReport, Changes]) -> None:
            self._polling = False
            report, changes = result
            if not runtime.channels:
                state = Connection.NOT_CONNECTED  # snoozes still wake; nothing to fetch from
            elif len(report.errors) < len(runtime.channels):
                state = Connection.ONLINE
            else:
                state = Connection.OFFLINE
            self._set_connection(state)
            self.changed.emit(changes)
            self.refresh_health()

        def failed(exc: BaseException) -> None:
            self._polling = False
            log.warning("poll failed: %s", exc)
            if isinstance(exc, StaleLeader):
                self.server_link.stand_down()  # another process leads now
                return
            self._set_connection(Connection.OFFLINE)
            self.refresh_health()

        self.tasks.network(work, done, failed)

    def hand_out_soon(self) -> None:
        """As leader on the clinic server, after a sync round: hand out what staff coming on
        duty on any PC calls for (on the network lane, behind a poll or send)."""
        runtime = self.runtime
        if runtime is None or self._swapping:
            return  # the next poll does it

        def failed(exc: BaseException) -> None:
            log.warning("handing out after a change of duty failed: %s", type(exc).__name__)
            if isinstance(exc, StaleLeader):
                self.server_link.stand_down()

        self.tasks.network(runtime.hand_out_on_duty, self.changed.emit, failed)

    def send_soon(self) -> None:
        """Send due replies now (after a reply was queued) on the network worker."""
        runtime = self.runtime
        if runtime is None or self._swapping:
            return  # after a swap the first poll sends what is due
        if self._sending:
            self._send_again = True
            return
        self._sending = True

        def done(changes: Changes) -> None:
            self._sending = False
            self.changed.emit(changes)
            if self._send_again:
                self._send_again = False
                self.send_soon()

        def failed(exc: BaseException) -> None:
            self._sending = False
            self._send_again = False
            log.warning("send failed: %s", exc)
            if isinstance(exc, StaleLeader):
                self.server_link.stand_down()

        self.tasks.network(runtime.send_due, done, failed)

    def _set_connection(self, state: Connection) -> None:
        if state != self.connection:
            self.connection = state
            self.connection_changed.emit(state.value)

    # -- the clinic server ------------------------------------------------------------------

    def configure_server(self, settings: ServerSettings) -> None:
        """Work with the clinic server these settings name, or alone when they name none
        (takes effect at once; see :class:`ui.serversync.ServerLink`)."""
        self.server_link.configure(settings)

    # -- background: counts and health -----------------------------------------------------

    def _on_changed(self, changes: Changes) -> None:
        if changes.staff:
            self._operators = None
            self.staff_changed.emit()
        if changes.conversations or changes.new_conversations or changes.sla:
            self.refresh_counts()
        if changes.outbox:
            self.refresh_health()
        self.server_link.local_changed(changes)

    def refresh_counts(self) -> None:
        """Recount the navigation entries and saved searches soon (bursts of changes make one
        read)."""
        self._counts_timer.start()

    def _load_counts(self) -> None:
        self._counts_seq += 1
        seq = self._counts_seq
        store, operator_id = self.store, self.operator_id

        def work() -> tuple[NavCounts, list[SavedSearchRow], dict[str, int], sla.Snapshot]:
            saved = saved_searches(store, operator_id)
            counts = saved_search_counts(store, saved, operator_id)
            marks = sla.snapshot(store, now_ms())
            return nav_counts(store, operator_id), saved, counts, marks

        def done(
            result: tuple[NavCounts, list[SavedSearchRow], dict[str, int], sla.Snapshot],
        ) -> None:
            if seq == self._counts_seq:
                counts, saved, saved_counts, marks = result
                self.counts_changed.emit(counts)
                self.saved_searches_changed.emit(saved, saved_counts)
                self.sla_changed.emit(marks)

        self.tasks.read(work, done)

    def load_counts_now(self) -> None:
        """Recount at once (start-up, tests)."""
        self._counts_timer.stop()
        self._load_counts()

    def refresh_health(self) -> None:
        """Read the outbox and fetch figures for the status bar on the read worker."""
        store = self.store

        def done(result: Health) -> None:
            self.health_changed.emit(result)

        self.tasks.read(lambda: health(store), done)
