"""The sync engine: push this PC's edits to the clinic server, pull everything newer.

One round (:meth:`SyncEngine.sync_once`):

1. **Push** the ``pending_op`` rows in order, in batches. Each batch is one server
   transaction (under the server's write lock) that applies each op at most once
   (``applied_op``) by the merge rules of :mod:`console.sync._push`; only after that commit
   are the ops deleted here. A crash in between re-pushes them, and the server skips them.
   An op the server refuses for a definite reason goes aside to ``sync_poison`` with the
   reason; the ones behind it go on.
2. **Refresh** rows whose pulled version an unsent edit held back (``sync_dirty``), once the
   queue is empty.
3. **Pull** ``change_log`` entries after this PC's cursor ``(xid, seq)`` and below the
   server's oldest running transaction, so a transaction that commits late is never skipped;
   for each page the rows' current versions are read and applied in one local transaction
   together with the new cursor (:mod:`console.sync._pull`), until caught up.

A new PC, or a server whose epoch changed (restored from a dump), first gets a consistent
snapshot (:meth:`SyncEngine.initial_sync`, REPEATABLE READ). ``wait_for_hint`` listens for the
server's ``NOTIFY sotong_sync`` on a connection of its own; a hint only makes the next round
come sooner, and a round always pulls. A server that cannot be reached raises
:class:`~console.errors.ServerUnavailable` and sets a jittered backoff (:meth:`retry_in_s`).
"""

from __future__ import annotations

import logging
import platform
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import Connection, delete, func, select, text, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from console.errors import ServerUnavailable, StorageError
from console.failpoints import failpoint
from console.hlc import Stamp
from console.runtime import backoff_s
from console.services import Changes
from console.store import search
from console.store.engine import SEARCH_CATCH_UP, Store
from console.store.models import (
    Contact,
    Conversation,
    ConversationLabel,
    Draft,
    Message,
    Note,
    Operator,
    Outbox,
    PendingOp,
    SavedSearch,
    SyncDirty,
    SyncDraft,
    SyncFieldConflict,
    SyncPoison,
    SyncProgress,
    SyncState,
)
from console.store.server import connect_kwargs, register_machine
from console.sync import _merge, _pull
from console.sync._push import (
    CLAMP_AHEAD_MS,
    CONVERSATION_FIELDS,
    LABEL_FIELD,
    ROW_CLOCKS,
    NeedsCare,
    Outcome,
    PushOp,
    apply_ops,
    name_machines,
)
from console.sync.schema import REPLICATED

log = logging.getLogger(__name__)

#: Ops per push transaction.
PUSH_BATCH = 500
#: Change-log entries per pulled page (each page is one local transaction).
PULL_PAGE = 1000
#: Rows per local transaction during an initial sync.
SNAPSHOT_PAGE = 20_000
#: Attempts at a first copy while staff keep editing on this PC (then it copies anyway;
#: later edits are pushed after it).
COPY_ATTEMPTS = 3
#: The channel the server's triggers notify on.
CHANNEL = "sotong_sync"
#: How often a round writes its finishing time to this PC's store (ms). A round runs for every
#: change anywhere in the clinic, and each local write is a disk sync; :meth:`SyncEngine.status`
#: reports the latest round from memory, the store keeps it to within this after a restart.
LAST_SYNC_WRITE_MS = 60_000

_SEARCH_TABLES = ("search_backfill", "search_state", "search_doc", "search_fts")
_LOCAL_ONLY = (SyncDirty, SyncDraft, SyncFieldConflict)


@dataclass(frozen=True)
class SyncReport:
    """What one round did.

    Attributes:
        pushed: Ops the server took (applied, or already applied before).
        pulled: Rows brought from the server.
        changes: What moved here, for the views.
        conflicts: Edits that met a concurrent one: a draft kept as a conflict copy, or a
            field edit an edit with a later clock had overwritten.
        merged: This PC's own conversations merged into the server before its first copy.
    """

    pushed: int
    pulled: int
    changes: Changes
    conflicts: int
    merged: int = 0


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar shows.

    Attributes:
        pending_ops: Edits made here not yet on the server.
        poison_ops: Edits the server refused, set aside with their reason.
        last_sync_at: When the last round finished (ms), None before the first.
        conflicts: Draft conflict copies on this PC.
        online: The last attempt reached the server.
        retry_in_s: Seconds until the next attempt is due after a failure (0 when online).
    """

    pending_ops: int
    poison_ops: int
    last_sync_at: int | None
    conflicts: int
    online: bool
    retry_in_s: float = 0.0


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _unreachable(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError | StorageError | psycopg.OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    )


class SyncEngine:
    """Keeps one PC's store (``local``) and the clinic server's (``server``) in step.

    Args:
        local: This PC's SQLite store.
        server: The server's store (:func:`console.store.server.open_server_store`).
        server_clock: Milliseconds by the server's clock, for clamping stamps (default: asks
            the server; tests inject one).
        rng: Source of jitter for the backoff.
        machine: This PC's name, told to the server so other PCs can say whose edit replaced
            theirs (default: the machine's network name, as the leader row shows it).
    """

    def __init__(
        self,
        local: Store,
        server: Store,
        *,
        server_clock: Callable[[], int] | None = None,
        rng: Callable[[], float] | None = None,
        machine: str | None = None,
    ) -> None:
        self.local = local
        self.machine = machine or platform.node() or ""
        self._registered = False
        self.server = server
        self._server_clock = server_clock
        self._rng = rng
        self._lock = threading.RLock()
        self._listener: psycopg.Connection[Any] | None = None
        self._online = False
        self._failures = 0
        self._retry_at = 0.0
        self._last_sync_at: int | None = None  # the latest round, stored or not
        self._stored_sync_at = 0  # the latest round written to the store

    # -- public ---------------------------------------------------------------------------

    def sync_once(self) -> SyncReport:
        """Push pending ops, then pull until caught up (an initial sync first if needed).

        Raises:
            ServerUnavailable: the server could not be reached; nothing is lost, the next
                round takes up where this one stopped.
        """
        with self._lock, self._reaching():
            self._register()
            with self._server_reads() as conn:
                if not self._needs_initial_sync(conn):
                    try:
                        pushed, conflicts, changes = self._push_all()
                        changes |= self._refresh_dirty(conn)
                        pulled, more = self._pull_all(conn)
                    except _BelowFloor:
                        log.warning(
                            "sync: the server pruned changes this PC has not pulled yet;"
                            " copying everything afresh"
                        )
                    else:
                        self._finish()
                        return SyncReport(pushed, pulled, changes | more, conflicts)
            return self._initial_sync(None)

    def initial_sync(
        self,
        progress: Callable[[int, int], None] | None = None,
        merging: Callable[[int, int], None] | None = None,
    ) -> SyncReport:
        """Replace this PC's copy with a consistent snapshot of the server.

        If the PC already holds messages its file is first copied aside
        (``sotong.before-resync.<time>.db``). A PC that synced before pushes its pending
        ops; a PC that never did (it worked alone) merges its own rows into the server
        (:mod:`console.sync._merge`) — once per server epoch — before the copy.

        Args:
            progress: Called with ``(rows done, rows in total)`` after each copied page.
            merging: Called with ``(conversations done, in total)`` while this PC's own
                conversations are merged into the server.

        Raises:
            ServerUnavailable: the server could not be reached.
        """
        with self._lock, self._reaching():
            self._register()
            return self._initial_sync(progress, merging)

    def needs_initial_sync(self) -> bool:
        """Whether this PC has never synced with this server, the server's epoch changed, or
        the server pruned change-log entries this PC has not pulled yet.

        Raises:
            ServerUnavailable: the server could not be reached.
        """
        with self._lock, self._reaching(), self._server_reads() as conn:
            return self._needs_initial_sync(conn)

    def wait_for_hint(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` for the server's word that something changed.

        Returns:
            True when a notification arrived (or the listening connection was just made
            again, since changes may have been missed meanwhile); False on timeout.

        Raises:
            ServerUnavailable: the server could not be reached.
        """
        fresh = False
        try:
            if self._listener is None or self._listener.closed:
                self._listener = self._listen()
                fresh = True
            got = False
            for _ in self._listener.notifies(timeout=timeout_s, stop_after=1):
                got = True
            # Several notifications may be queued; one round covers them all.
            for _ in self._listener.notifies(timeout=0.0):
                pass
            return got or fresh
        except psycopg.Error as exc:
            self._close_listener()
            raise ServerUnavailable(reason=type(exc).__name__) from exc

    def status(self) -> SyncStatus:
        """Counts for the status bar, read from this PC only (no network)."""
        with self.local.read() as s:
            pending = s.scalar(select(func.count()).select_from(PendingOp)) or 0
            poison = s.scalar(select(func.count()).select_from(SyncPoison)) or 0
            conflicts = (
                s.scalar(select(func.count()).select_from(Draft).where(Draft.is_conflict)) or 0
            )
            progress = s.get(SyncProgress, 1)
            stored = progress.last_sync_at if progress is not None else None
        last = max((t for t in (stored, self._last_sync_at) if t is not None), default=None)
        return SyncStatus(
            pending_ops=int(pending),
            poison_ops=int(poison),
            last_sync_at=last,
            conflicts=int(conflicts),
            online=self._online,
            retry_in_s=self.retry_in_s(),
        )

    def retry_in_s(self) -> float:
        """Seconds to wait before the next round after the server could not be reached."""
        return 0.0 if self._online else max(0.0, self._retry_at - time.monotonic())

    def run(
        self,
        stop: threading.Event,
        on_report: Callable[[SyncReport], None] | None = None,
        on_error: Callable[[ServerUnavailable], None] | None = None,
        idle_s: float = 30.0,
    ) -> None:
        """Sync until ``stop`` is set: a round, then wait for a hint (at most ``idle_s``), or
        the backoff after a failure. For a worker thread of its own."""
        while not stop.is_set():
            try:
                report = self.sync_once()
                if on_report is not None:
                    on_report(report)
                self.wait_for_hint(idle_s)
            except ServerUnavailable as exc:
                if on_error is not None:
                    on_error(exc)
                stop.wait(max(0.5, self.retry_in_s()))

    def close(self) -> None:
        """Close the listening connection (the stores belong to the caller)."""
        self._close_listener()

    # -- connection state -----------------------------------------------------------------

    def _register(self) -> None:
        """Tell the server this PC's machine name under the node id its edits carry (once)."""
        if not self._registered and self.machine:
            register_machine(self.server.engine, self.local.node_id, self.machine)
            self._registered = True

    @contextmanager
    def _reaching(self) -> Iterator[None]:
        try:
            yield
        except ServerUnavailable:
            self._failed()
            raise
        except Exception as exc:
            if _unreachable(exc) and not self._is_local(exc):
                self._failed()
                raise ServerUnavailable(reason=_reason(exc)) from exc
            raise
        self._online = True
        self._failures = 0
        self._retry_at = 0.0

    def _is_local(self, exc: BaseException) -> bool:
        return isinstance(exc, StorageError) and getattr(exc, "_sotong_local", False)

    def _failed(self) -> None:
        self._online = False
        self._failures += 1
        delay = backoff_s(self._failures, self._rng) if self._rng else backoff_s(self._failures)
        self._retry_at = time.monotonic() + delay

    @contextmanager
    def _local_write(self) -> Iterator[Session]:
        try:
            with self.local.write() as s:
                yield s
        except StorageError as exc:
            exc._sotong_local = True  # type: ignore[attr-defined]
            raise

    def _listen(self) -> psycopg.Connection[Any]:
        # Every setting the store's engine connects with: TLS mode and CA file included.
        kwargs = connect_kwargs(self.server.engine.url, application_name="sotong-sync-listen")
        conn = psycopg.connect(**kwargs, autocommit=True)
        conn.execute(f"LISTEN {CHANNEL}")
        return conn

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with suppress(psycopg.Error):
                listener.close()

    # -- epoch ----------------------------------------------------------------------------

    def _server_epoch(self, conn: Connection) -> str:
        epoch = conn.execute(
            text(
                "SELECT m.epoch || '/' || d.oid::text FROM sync_meta m, pg_database d"
                " WHERE d.datname = current_database()"
            )
        ).scalar()
        return str(epoch)

    @contextmanager
    def _server_reads(self) -> Iterator[Connection]:
        """One server connection for a round's reads, each statement committed on its own."""
        with self.server.engine.connect() as conn:
            yield conn.execution_options(isolation_level="AUTOCOMMIT")

    def _needs_initial_sync(self, conn: Connection) -> bool:
        with self.local.read() as s:
            state = s.get(SyncState, 1)
            mine = state.epoch if state is not None else None
        if mine is None or self._server_epoch(conn) != mine:
            return True
        return self._cursor() < _floor(conn)

    # -- push -----------------------------------------------------------------------------

    def _push_all(self) -> tuple[int, int, Changes]:
        pushed = conflicts = 0
        changes = Changes()
        while True:
            batch = self._read_batch()
            if not batch:
                return pushed, conflicts, changes
            outcomes = self._push_batch(batch)
            failpoint("sync.push.after_server_commit")
            changes |= self._settle(batch, outcomes)
            pushed += sum(o.result != "poison" for o in outcomes)
            conflicts += sum(o.result in ("conflict", "lost") for o in outcomes)

    def _read_batch(self) -> list[PushOp]:
        with self.local.read() as s:
            rows = s.scalars(select(PendingOp).order_by(PendingOp.seq).limit(PUSH_BATCH)).all()
            return [
                PushOp(r.op_id, r.tbl, r.pk, r.field, r.value, r.hlc, r.parent_rev, _extra(s, r))
                for r in rows
            ]

    def _bound_ms(self, conn: Connection) -> int:
        if self._server_clock is not None:
            now = self._server_clock()
        else:
            now = int(
                conn.execute(
                    text("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint")
                ).scalar_one()
            )
        return now + CLAMP_AHEAD_MS

    def _push_batch(self, batch: list[PushOp]) -> list[Outcome]:
        try:
            return self._push_transaction(batch, careful=False)
        except NeedsCare:
            return self._push_transaction(batch, careful=True)

    def _push_transaction(self, batch: list[PushOp], *, careful: bool) -> list[Outcome]:
        # Marked like Store.write: the server's write lock is the first statement.
        writer = self.server.engine.execution_options(sqlite_begin="IMMEDIATE")
        with writer.connect() as conn, conn.begin():
            outcomes = apply_ops(conn, batch, self._bound_ms(conn), careful=careful)
            name_machines(conn, outcomes)
            failpoint("sync.push.before_server_commit")
        return outcomes

    def _settle(self, batch: list[PushOp], outcomes: list[Outcome]) -> Changes:
        """Delete the pushed ops; set refused ones aside with their reason."""
        now = _now_ms()
        by_id = {op.op_id: op for op in batch}
        poisoned = [o for o in outcomes if o.result == "poison"]
        touched: set[str] = set()
        with self._local_write() as s:
            for outcome in poisoned:
                op = by_id[outcome.op_id]
                row = s.scalars(select(PendingOp).where(PendingOp.op_id == op.op_id)).first()
                if row is None:
                    continue
                s.add(
                    SyncPoison(
                        op_id=row.op_id,
                        tbl=row.tbl,
                        pk=row.pk,
                        field=row.field,
                        value=row.value,
                        hlc=row.hlc,
                        parent_rev=row.parent_rev,
                        created_at=row.created_at,
                        reason=outcome.reason or "refused",
                        set_aside_at=now,
                    )
                )
                key = _dirty_key(op)
                if key is not None:
                    s.merge(SyncDirty(tbl=key[0], pk=key[1]))
                conv = op.extra.get("conversation_id") or (
                    op.pk.split("/", 1)[0] if op.tbl.startswith("conversation") else None
                )
                if conv:
                    touched.add(conv)
                log.warning("sync: op %s on %s set aside: %s", op.op_id, op.tbl, outcome.reason)
            s.execute(delete(PendingOp).where(PendingOp.op_id.in_(list(by_id))))
            touched |= _note_lost_edits(s, batch, outcomes, now)
            _take_clamped_stamps(s, batch, outcomes)
            failpoint("sync.push.before_local_commit")
        ids = frozenset(touched)
        return Changes(conversations=ids, threads=ids, drafts=ids)

    # -- dirty rows -----------------------------------------------------------------------

    def _refresh_dirty(self, conn: Connection) -> Changes:
        """Read again from the server the rows an unsent edit held back, once none is left."""
        with self.local.read() as s:
            if s.scalar(select(func.count()).select_from(PendingOp)):
                return Changes()
            dirty = [(d.tbl, d.pk) for d in s.scalars(select(SyncDirty))]
        if not dirty:
            return Changes()
        by_table = _pull.group((t, p) for t, p in dirty if t != "draft_slot")
        slots = [_pull.parse_slot(p) for t, p in dirty if t == "draft_slot"]
        fetched = {t: _pull.fetch_rows(conn, t, pks) for t, pks in by_table.items()}
        slot_rows = [_pull.fetch_slot(conn, conv, operator) for conv, operator in slots]
        with self._local_write() as s:
            applier = _pull.Applier(s, None)
            for tbl in _pull.in_fk_order(by_table):
                applier.apply(tbl, by_table[tbl], fetched[tbl])
            for (conv, operator), rows in zip(slots, slot_rows, strict=True):
                local = s.scalars(select(Draft.id).where(_pull.slot_where(conv, operator))).all()
                server_ids = {r["id"] for r in rows}
                ids = list(dict.fromkeys([*local, *server_ids]))
                applier.apply("draft", ids, {r["id"]: r for r in rows})
            s.execute(delete(SyncDirty))
            changes = applier.changes()
            self._observe(applier.out.max_hlc)
        return changes

    # -- pull -----------------------------------------------------------------------------

    def _cursor(self) -> tuple[int, int]:
        with self.local.read() as s:
            state = s.get(SyncState, 1)
            assert state is not None
            return state.cursor_xid, state.cursor_seq

    def _pull_all(self, conn: Connection) -> tuple[int, Changes]:
        pulled = 0
        changes = Changes()
        while True:
            count, page_changes, more = self._pull_page(conn)
            pulled += count
            changes |= page_changes
            if not more:
                return pulled, changes
            failpoint("sync.pull.between_pages")

    def _pull_page(self, conn: Connection) -> tuple[int, Changes, bool]:
        cur_xid, cur_seq = self._cursor()
        # The pruning floor comes in the same statement (one snapshot): if entries after the
        # cursor were pruned, the floor read with them says so (housekeeping raises it in the
        # transaction that deletes them).
        rows = conn.execute(
            text(
                "SELECT m.floor_xid::text, m.floor_seq, e.xid, e.seq, e.tbl, e.pk"
                " FROM sync_meta m LEFT JOIN LATERAL ("
                " SELECT xid::text AS xid, seq, tbl, pk FROM change_log"
                " WHERE (xid, seq) > (CAST(:x AS xid8), :s)"
                " AND xid < pg_snapshot_xmin(pg_current_snapshot())"
                " ORDER BY change_log.xid, change_log.seq LIMIT :n) e ON true"
                " ORDER BY e.xid::xid8, e.seq"
            ),
            {"x": str(cur_xid), "s": cur_seq, "n": PULL_PAGE},
        ).all()
        if rows and (cur_xid, cur_seq) < (int(rows[0][0]), int(rows[0][1])):
            raise _BelowFloor
        entries = [r for r in rows if r.xid is not None]
        if not entries:
            return 0, Changes(), False
        by_table = _pull.group((e.tbl, e.pk) for e in entries)
        fetched = {t: _pull.fetch_rows(conn, t, pks) for t, pks in by_table.items()}
        losses = self._losses(
            conn,
            [
                *by_table.get("conversation", []),
                *(pk.partition("/")[0] for pk in by_table.get("conversation_label", [])),
            ],
        )
        last = entries[-1]
        with self._local_write() as s:
            noted = _note_losses(s, losses, _now_ms())
            applier = _pull.Applier(s, _pull.Overlay.load(s))
            for tbl in _pull.in_fk_order(by_table):
                applier.apply(tbl, by_table[tbl], fetched[tbl])
            s.execute(
                update(SyncState)
                .where(SyncState.id == 1)
                .values(cursor_xid=int(last.xid), cursor_seq=int(last.seq))
            )
            self._observe(applier.out.max_hlc)
            failpoint("sync.pull.before_local_commit")
        changes = applier.changes()
        if noted:
            changes |= Changes(conversations=frozenset(noted))
        return applier.out.rows, changes, len(entries) == PULL_PAGE

    def _losses(self, conn: Connection, conversation_ids: list[str]) -> list[_Loss]:
        """This PC's field edits that another PC's concurrent edit overwrote on the server,
        among the pulled conversations (``sync_field_loss``)."""
        if not conversation_ids:
            return []
        rows = conn.execute(
            text(
                "SELECT l.conversation_id, l.field, l.loser_hlc, l.loser_value,"
                " l.winner_value, l.winner_hlc, coalesce(n.machine, '') FROM sync_field_loss l"
                " LEFT JOIN sync_node n ON n.node = split_part(l.winner_hlc, ':', 3)"
                " WHERE l.conversation_id = ANY(:ids)"
                " AND split_part(l.loser_hlc, ':', 3) = :me ORDER BY l.id"
            ),
            {"ids": list(dict.fromkeys(conversation_ids)), "me": self.local.node_id},
        ).all()
        return [_Loss(*row) for row in rows]

    def _observe(self, stamp: str) -> None:
        if stamp:
            self.local.clock.observe(Stamp.parse(stamp))

    def _finish(self) -> None:
        now = _now_ms()
        self._last_sync_at = now
        if now - self._stored_sync_at < LAST_SYNC_WRITE_MS:
            return
        with self._local_write() as s:
            s.merge(SyncProgress(id=1, last_sync_at=now))
        self._stored_sync_at = now

    # -- initial sync ---------------------------------------------------------------------

    def _initial_sync(
        self,
        progress: Callable[[int, int], None] | None,
        merging: Callable[[int, int], None] | None = None,
    ) -> SyncReport:
        first = not self._has_epoch()
        pushed, conflicts, _ = (0, 0, Changes()) if first else self._push_all()
        self._backup_before_wipe()
        merged, covered = self._merge_own(merging) if first else (0, 0)
        for attempt in range(1, COPY_ATTEMPTS + 1):
            try:
                return self._copy(progress, pushed, conflicts, merged, covered)
            except _EditedMeanwhile:
                # Staff changed something on this PC after its changes were sent (the merge
                # or the push): send those too, then copy again.
                log.info("sync: edits made during the first copy; sending them (%d)", attempt)
                if first:
                    more, covered = self._merge_own(merging, again=True)
                    merged = max(merged, more)
                else:
                    more_pushed, more_conflicts, _ = self._push_all()
                    pushed, conflicts = pushed + more_pushed, conflicts + more_conflicts
        return self._copy(progress, pushed, conflicts, merged, None)

    def _copy(
        self,
        progress: Callable[[int, int], None] | None,
        pushed: int,
        conflicts: int,
        merged: int,
        covered: int | None,
    ) -> SyncReport:
        """Load the server's snapshot over this PC's copy. ``covered``: the last pending op
        the server has (merged or pushed); a later one found when the copy is about to
        empty the tables raises :class:`_EditedMeanwhile` and nothing is replaced (None:
        do not check)."""
        with (
            self.server.engine.connect().execution_options(
                isolation_level="REPEATABLE READ"
            ) as conn,
            conn.begin(),
        ):
            # The first statement takes the snapshot every later read of this copy sees.
            xmin = str(
                conn.execute(text("SELECT pg_snapshot_xmin(pg_current_snapshot())")).scalar()
            )
            epoch = self._server_epoch(conn)
            counts = dict(
                zip(
                    REPLICATED,
                    conn.execute(
                        select(
                            *[
                                select(func.count()).select_from(_pull.TABLES[t]).scalar_subquery()
                                for t in REPLICATED
                            ]
                        )
                    ).one(),
                    strict=True,
                )
            )
            total = sum(counts.values())
            if progress is not None:
                progress(0, total)
            done = self._copy_snapshot(conn, counts, progress, covered)
        with self._local_write() as s:
            s.execute(
                update(SyncState)
                .where(SyncState.id == 1)
                .values(cursor_xid=int(xmin), cursor_seq=0, epoch=epoch)
            )
            now = _now_ms()
            s.merge(SyncProgress(id=1, last_sync_at=now))
            top = s.execute(
                select(
                    func.max(Conversation.status_hlc),
                    func.max(Conversation.department_hlc),
                    func.max(Conversation.assignee_hlc),
                )
            ).one()
            self._observe(max((t or "" for t in top), default=""))
        self._last_sync_at = self._stored_sync_at = now
        search.ensure_index(self.local, max_pending=SEARCH_CATCH_UP)
        changes = Changes(new_conversations=True, outbox=True, messages=counts["message"])
        return SyncReport(pushed, done, changes, conflicts, merged)

    def _merge_own(
        self, progress: Callable[[int, int], None] | None, *, again: bool = False
    ) -> tuple[int, int]:
        """Merge this PC's own rows into the server before its first copy (once per server
        epoch, unless ``again``: edits were made meanwhile), then drop the pending ops the
        merged rows already carry.

        Returns:
            The conversations merged, and the last pending op the merge covered.
        """
        with self._server_reads() as conn:
            epoch = self._server_epoch(conn)
            bound = self._bound_ms(conn)
        with self.local.read() as s:
            state = s.get(SyncProgress, 1)
            last_op = s.scalar(select(func.max(PendingOp.seq))) or 0
            # Merged before (the copy was interrupted): again only for edits made since,
            # which the merge deleted none of — running it again adds nothing twice.
            if not again and not last_op and state is not None and state.merged_into == epoch:
                return 0, 0
        own = _merge.own_data(self.local)
        merged = 0
        if own.any or last_op:
            stamp = str(self.local.clock.now())
            report = _merge.merge_own_rows(self.local, self.server, bound, stamp, progress)
            merged = report.conversations
            _share_tokens(report.accounts_joined)
            log.info(
                "sync: merged this PC's %d conversations (%d joined, %d messages, %d replies)",
                report.conversations,
                report.joined,
                report.messages,
                report.replies,
            )
        failpoint("sync.merge.before_local_commit")
        with self._local_write() as s:
            # The merged rows carry every change these ops describe (under this PC's ids).
            s.execute(delete(PendingOp).where(PendingOp.seq <= last_op))
            row = s.get(SyncProgress, 1)
            if row is None:
                s.add(SyncProgress(id=1, last_sync_at=None, merged_into=epoch))
            else:
                row.merged_into = epoch
        return merged, last_op

    def _copy_snapshot(
        self,
        conn: Connection,
        counts: dict[str, int],
        progress: Callable[[int, int], None] | None,
        covered: int | None = None,
    ) -> int:
        """Empty this PC's replicated tables and fill them from the snapshot, parents first,
        :data:`SNAPSHOT_PAGE` rows per local transaction (the first one also empties, unless
        a pending op later than ``covered`` is there: :class:`_EditedMeanwhile`).

        ``counts`` are the snapshot's rows per table: an empty table is not read at all."""
        total = sum(counts.values())
        done = 0
        batch: list[tuple[str, list[dict[str, Any]]]] = []
        wiped = False

        def flush() -> None:
            nonlocal wiped
            with self._local_write() as s:
                if not wiped:
                    # The same transaction as the wipe (BEGIN IMMEDIATE): no edit slips in.
                    newest = s.scalar(select(func.max(PendingOp.seq))) or 0
                    if covered is not None and newest > covered:
                        raise _EditedMeanwhile()
                    self._wipe(s)
                    wiped = True
                for tbl, rows in batch:
                    _pull.bulk_insert(s.connection(), tbl, rows)
                    if tbl == "draft":
                        _set_bases(s, rows)
                failpoint("sync.initial.before_local_commit")
            batch.clear()
            if progress is not None:
                progress(done, total)

        buffered = 0
        for tbl in REPLICATED:
            if not counts[tbl]:
                continue
            for rows in _snapshot_pages(conn, tbl, counts[tbl]):
                batch.append((tbl, rows))
                buffered += len(rows)
                done += len(rows)
                if buffered >= SNAPSHOT_PAGE:
                    flush()
                    buffered = 0
        if batch or not wiped:
            flush()
        return done

    def _has_epoch(self) -> bool:
        with self.local.read() as s:
            state = s.get(SyncState, 1)
            return state is not None and state.epoch is not None

    def _backup_before_wipe(self) -> None:
        """Copy a store that holds messages aside before a full resync replaces it."""
        with self.local.read() as s:
            has_messages = s.scalar(select(Message.id).limit(1)) is not None
        if has_messages and self.local.path is not None:
            from console.store.schema import backup_file

            copy = backup_file(self.local.path, "resync")
            log.info("sync: this PC's store copied to %s before a full resync", copy)

    def _wipe(self, s: Session) -> None:
        """Empty this PC's replicated tables, in the caller's transaction."""
        conn = s.connection()
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        for tbl in reversed(list(REPLICATED)):
            conn.execute(delete(_pull.TABLES[tbl]))
        for model in _LOCAL_ONLY:
            conn.execute(delete(model))
        # An emptied index is rebuilt by the app in the background (search.ensure_index).
        for table in _SEARCH_TABLES:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
        conn.execute(update(SyncState).where(SyncState.id == 1).values(epoch=None))


class _EditedMeanwhile(Exception):
    """A pending op newer than what the server was sent appeared before the first copy
    emptied this PC's tables: send it, then copy again."""


def _share_tokens(joined: list[tuple[str, str]]) -> None:
    """This PC's token of an account another PC had already added: kept in this PC's
    keyring under the server's account id too (where a leader here looks for it)."""
    from console import secrets

    for mine, theirs in joined:
        try:
            token = secrets.get_secret(mine)
            if token is not None and secrets.get_secret(theirs) is None:
                secrets.set_secret(theirs, token)
        except Exception as exc:  # a convenience: a locked keyring must not stop the copy
            log.warning("sync: token of account %s not copied: %s", theirs, type(exc).__name__)
            return


class _BelowFloor(Exception):
    """The server pruned change-log entries after this PC's cursor: pulling cannot catch up,
    a fresh first copy must (see :mod:`console.sync.housekeeping`)."""


def _floor(conn: Connection) -> tuple[int, int]:
    """The last change-log entry the server pruned, ``(xid, seq)``; ``(0, 0)`` before any."""
    row = conn.execute(text("SELECT floor_xid::text, floor_seq FROM sync_meta")).one()
    return int(row[0]), int(row[1])


@dataclass(frozen=True)
class _Loss:
    """A ``sync_field_loss`` row: this PC's value of a field, replaced on the server by a
    concurrent edit of another PC."""

    conversation_id: str
    field: str
    loser_hlc: str
    loser_value: Any
    winner_value: Any
    winner_hlc: str
    winner_machine: str


def _node(stamp: str) -> str:
    return stamp.split(":", 2)[2] if stamp.count(":") >= 2 else ""


def _op_key(conversation_id: str, field: str) -> tuple[str, str, str]:
    """The pending op ``(tbl, pk, field)`` that edits a noted field (``label:X``: a label)."""
    if field.startswith(LABEL_FIELD):
        return "conversation_label", f"{conversation_id}/{field[len(LABEL_FIELD) :]}", "present"
    return "conversation", conversation_id, field


def _note_key(op: PushOp) -> tuple[str, str, Any] | None:
    """The conversation, noted field and value of an edit a field note can be about."""
    if op.tbl == "conversation" and op.field in CONVERSATION_FIELDS:
        return op.pk, op.field, op.value
    if op.tbl == "conversation_label":
        conversation_id, _, label = op.pk.partition("/")
        return conversation_id, f"{LABEL_FIELD}{label}", bool(op.value)
    return None


def _field_stamp(s: Session, conversation_id: str, field: str) -> str | None:
    if field.startswith(LABEL_FIELD):
        label = s.get(ConversationLabel, (conversation_id, field[len(LABEL_FIELD) :]))
        return None if label is None else str(label.hlc)
    column = CONVERSATION_FIELDS.get(field)
    if column is None:
        return None
    conv = s.get(Conversation, conversation_id)
    return None if conv is None else str(getattr(conv, column))


def _unsent(s: Session, conversation_id: str, field: str, after: str = "") -> bool:
    """Whether this PC holds an edit of the field stamped later than ``after`` and not yet
    pushed: that edit decides the field next, and supersedes a note about it."""
    tbl, pk, name = _op_key(conversation_id, field)
    found = s.scalar(
        select(PendingOp.seq)
        .where(
            PendingOp.tbl == tbl,
            PendingOp.pk == pk,
            PendingOp.field == name,
            PendingOp.hlc > after,
        )
        .limit(1)
    )
    return found is not None


def _note(
    s: Session,
    conversation_id: str,
    field: str,
    mine: Any,
    theirs: Any,
    stamp: str,
    now: int,
    machine: str = "",
) -> None:
    s.merge(
        SyncFieldConflict(
            conversation_id=conversation_id,
            field=field,
            mine=mine,
            theirs=theirs,
            winner_node=_node(stamp),
            winner_hlc=stamp,
            at=now,
            winner_machine=machine,
        )
    )


def _note_lost_edits(
    s: Session, batch: list[PushOp], outcomes: list[Outcome], now: int
) -> set[str]:
    """Record the pushed field edits a concurrent edit of another PC beat (the server kept
    its later value), unless a later edit of the same field from here follows."""
    noted: set[str] = set()
    for i, (op, outcome) in enumerate(zip(batch, outcomes, strict=True)):
        key = _note_key(op)
        if outcome.result != "lost" or outcome.winner is None or key is None:
            continue
        conversation_id, field, mine = key
        value, stamp = outcome.winner
        if value == mine or _node(stamp) == _node(op.hlc):
            continue
        later = any(
            o.tbl == op.tbl and o.pk == op.pk and o.field == op.field for o in batch[i + 1 :]
        )
        if later or _unsent(s, conversation_id, field):
            continue
        _note(s, conversation_id, field, mine, value, stamp, now, outcome.machine)
        noted.add(conversation_id)
    return noted


def _take_clamped_stamps(s: Session, batch: list[PushOp], outcomes: list[Outcome]) -> None:
    """Give this PC's copy of a field the stamp the server stored its edit with, where the
    server clamped it (this PC's clock ran ahead) and no later edit replaced it here: a note
    of that edit's loss (``sync_field_loss``) names the stored stamp, and must find it."""
    for op, outcome in zip(batch, outcomes, strict=True):
        if outcome.result != "applied" or not outcome.stamp or outcome.stamp == op.hlc:
            continue
        key = _note_key(op)
        if key is None:
            continue
        conversation_id, field, _ = key
        if field.startswith(LABEL_FIELD):
            label = s.get(ConversationLabel, (conversation_id, field[len(LABEL_FIELD) :]))
            if label is not None and label.hlc == op.hlc:
                label.hlc = outcome.stamp
            continue
        conv = s.get(Conversation, conversation_id)
        column = CONVERSATION_FIELDS[field]
        if conv is not None and getattr(conv, column) == op.hlc:
            setattr(conv, column, outcome.stamp)


def _note_losses(s: Session, losses: list[_Loss], now: int) -> set[str]:
    """Record the pulled losses of this PC's edits that the PC still shows (its field holds
    the stamp that lost), before the pulled rows replace them."""
    noted: set[str] = set()
    for loss in losses:
        if _field_stamp(s, loss.conversation_id, loss.field) != loss.loser_hlc:
            continue  # already replaced here, or noted before
        if _unsent(s, loss.conversation_id, loss.field, after=loss.loser_hlc):
            continue
        _note(
            s,
            loss.conversation_id,
            loss.field,
            loss.loser_value,
            loss.winner_value,
            loss.winner_hlc,
            now,
            loss.winner_machine,
        )
        noted.add(loss.conversation_id)
    return noted


def _snapshot_pages(conn: Connection, tbl: str, count: int) -> Iterator[list[dict[str, Any]]]:
    """A table's rows in pages; a table larger than a page is read through a server-side
    cursor (three round trips instead of one, but bounded memory)."""
    table = _pull.TABLES[tbl]
    names = _pull.columns(table)
    query = select(*[table.c[n] for n in names])
    if count <= SNAPSHOT_PAGE:
        result = conn.execute(query)
    else:
        result = conn.execution_options(stream_results=True, yield_per=SNAPSHOT_PAGE).execute(query)
    for part in result.partitions(SNAPSHOT_PAGE):
        yield [dict(zip(names, row, strict=True)) for row in part]


def _set_bases(s: Session, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        s.execute(
            update(SyncDraft).where(SyncDraft.draft_id == row["id"]).values(base_hlc=row["hlc"])
        )


def _row(obj: Any) -> dict[str, Any]:
    table = obj.__table__
    return {c.name: getattr(obj, c.key) for c in table.columns if c.computed is None}


def _extra(s: Session, op: PendingOp) -> dict[str, Any]:
    """What the server needs besides the op, read from this PC's rows at push time."""
    if op.tbl == "draft":
        info = s.get(SyncDraft, op.pk)
        if info is None:
            return {}
        return {
            "conversation_id": info.conversation_id,
            "operator_id": info.operator_id,
            "base_hlc": info.base_hlc,
        }
    model = {
        "outbox": Outbox,
        "note": Note,
        "operator": Operator,
        "contact": Contact,
        "saved_search": SavedSearch,
    }.get(op.tbl)
    if model is not None:
        obj = s.get(model, op.pk)
        return {"row": _row(obj)} if obj is not None else {}
    if op.tbl == "conversation_label":  # merged per label by its own handler
        return {} if op.base_hlc is None else {"base_hlc": op.base_hlc}
    if op.tbl in ROW_CLOCKS:
        table = _pull.TABLES[op.tbl]
        keys: dict[str, Any] = dict(
            zip(REPLICATED[op.tbl], _pull.split_pk(op.tbl, op.pk), strict=True)
        )
        if op.tbl == "business_calendar":
            keys = {"id": int(op.pk)}
        found = s.execute(
            select(*[table.c[n] for n in _pull.columns(table)]).where(
                *[table.c[k] == v for k, v in keys.items()]
            )
        ).first()
        return {"keys": keys, "row": dict(found._mapping) if found is not None else None}
    if op.tbl == "channel_account":
        from console.store.models import ChannelAccount

        account = s.get(ChannelAccount, op.pk)
        if account is None:
            return {}
        row = _row(account)
        for runtime_owned in ("cursor", "last_error", "last_fetch_at", "skipped_items"):
            row.pop(runtime_owned, None)
        row.pop("last_skip_reason", None)
        return {"row": row}
    if op.tbl == "conversation":
        extra: dict[str, Any] = {}
        if op.base_hlc is not None:
            extra["base_hlc"] = op.base_hlc
        if op.field == "department":
            conv = s.get(Conversation, op.pk)
            if conv is not None:
                extra["source"] = conv.department_source
        return extra
    return {}


def _dirty_key(op: PushOp) -> tuple[str, str] | None:
    if op.tbl in _pull.REFRESHABLE:
        return op.tbl, op.pk
    if op.tbl == "draft" and "conversation_id" in op.extra:
        return "draft_slot", _pull.slot_key(op.extra["conversation_id"], op.extra["operator_id"])
    return None


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return type(orig if orig is not None else exc).__name__
