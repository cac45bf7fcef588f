"""Housekeeping on the clinic server, done by the leader: old change-log entries go.

``change_log`` grows by one row per changed row, forever, unless pruned. The leader deletes
entries older than :data:`KEEP_DAYS` (and the notes of overwritten field edits, which PCs
only read for pulls within that time), in one transaction that also raises the **floor**
in ``sync_meta`` (``floor_xid``, ``floor_seq``: the last entry deleted). A PC whose pull
cursor is below the floor may have missed changes whose entries are gone, so it makes a fresh
first copy instead (:meth:`console.sync.engine.SyncEngine.sync_once`); a PC that has pulled
past the floor is not affected. Pruning never touches entries a running transaction might
still precede (the pull's horizon, ``pg_snapshot_xmin``).

``applied_op`` (one row per op a PC pushed, so a push whose acknowledgement was lost is not
applied twice) is pruned the same way, by age, and leaves a floor too: ``applied_floor``
holds per node the highest stamp (as the PC sent it) of that node's pruned ops. A PC pushes
its ops in the order of their stamps, one batch per transaction, so every op of that node
stamped at or below its floor was applied or refused before; the push takes such an op as a
duplicate (:func:`console.sync._push.apply_ops`). This is what keeps safe a PC that pushed,
lost the acknowledgement, and comes back after the keep period: its cursor is below the
change-log floor, so it makes a fresh first copy, which pushes its pending ops first — the
ones the server had are skipped by the floor, the ones it never had are applied. Each prune
batch holds the server's write lock, so no push checks the floor between a row's deletion
and the floor's rise.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, TextClause, text

from console.store.engine import Store

log = logging.getLogger(__name__)

#: How long change-log entries are kept: a PC away for longer makes a fresh first copy.
KEEP_DAYS = 30.0

#: Seconds between the leader's housekeeping rounds.
PRUNE_EVERY_S = 3600.0

#: Applied-op rows deleted per transaction (each holds the server's write lock).
APPLIED_BATCH = 20_000


@dataclass(frozen=True)
class PruneReport:
    """What one pruning round deleted, and the floor it left.

    Attributes:
        entries: Change-log entries deleted.
        losses: Notes of overwritten field edits deleted.
        floor: ``(xid, seq)`` of the last entry deleted so far (``(0, 0)``: none yet).
        applied: Applied-op rows deleted (their nodes' floors raised).
        server_ops: The server's own pending ops deleted (see :func:`prune_server_ops`).
    """

    entries: int
    losses: int
    floor: tuple[int, int]
    applied: int = 0
    server_ops: int = 0


def prune(store: Store, keep_days: float = KEEP_DAYS) -> PruneReport:
    """The leader's housekeeping round: the change log, the field-loss notes and the applied
    ops older than ``keep_days``.

    Args:
        store: The server's store (PostgreSQL).
        keep_days: What was written less than this long ago stays.

    Returns:
        What was deleted and the change-log floor now.
    """
    report = prune_change_log(store, keep_days)
    applied = prune_applied_ops(store, keep_days)
    server_ops = prune_server_ops(store, keep_days)
    return PruneReport(report.entries, report.losses, report.floor, applied, server_ops)


def _in_batches(engine: Engine, statement: TextClause, params: dict[str, Any]) -> int:
    """Run a batched delete (``:n`` rows at most; it answers how many it deleted) in
    transactions of their own until a batch comes short; returns the rows deleted."""
    total = 0
    while True:
        with engine.connect() as conn, conn.begin():
            deleted = int(conn.execute(statement, {**params, "n": APPLIED_BATCH}).scalar_one())
        total += deleted
        if deleted < APPLIED_BATCH:
            return total


def prune_server_ops(store: Store, keep_days: float = KEEP_DAYS) -> int:
    """Delete the server's own ``pending_op`` rows older than ``keep_days``.

    Every service writes pending ops with its change, on the server too (the leader's ingest,
    automatic assignments, snooze wake-ups), but only a PC's are ever pushed: the server's
    rows are the server's copy already, and nothing reads them. They go by age
    (``created_at``, by the writer's clock) in transactions of :data:`APPLIED_BATCH` rows.

    Returns:
        Rows deleted.
    """
    keep_ms = int(max(0.0, keep_days) * 86_400_000)
    total = _in_batches(
        store.engine,
        text(
            "WITH gone AS (DELETE FROM pending_op WHERE seq IN (SELECT seq FROM pending_op"
            " WHERE created_at < (extract(epoch FROM now()) * 1000)::bigint - :keep"
            " ORDER BY seq LIMIT :n) RETURNING 1)"
            " SELECT count(*) FROM gone"
        ),
        {"keep": keep_ms},
    )
    if total:
        log.info("server's own pending ops pruned: %d older than %g days", total, keep_days)
    return total


def prune_applied_ops(store: Store, keep_days: float = KEEP_DAYS) -> int:
    """Delete ``applied_op`` rows older than ``keep_days``, raising each node's floor to the
    highest stamp deleted, in transactions of :data:`APPLIED_BATCH` rows under the server's
    write lock (a push holds it too, so none sees a row gone and its floor not yet raised).

    Returns:
        Rows deleted.
    """
    keep_s = max(0.0, keep_days) * 86_400
    total = _in_batches(
        store.engine.execution_options(sqlite_begin="IMMEDIATE"),  # the write lock
        text(
            "WITH gone AS (DELETE FROM applied_op WHERE op_id IN ("
            " SELECT op_id FROM applied_op"
            " WHERE applied_at < now() - make_interval(secs => :keep)"
            " ORDER BY applied_at LIMIT :n)"
            " RETURNING coalesce(sent_hlc, hlc) AS h),"
            " top AS (SELECT split_part(h, ':', 3) AS node,"
            ' max(h COLLATE "C") AS h FROM gone GROUP BY 1),'
            " raised AS (INSERT INTO applied_floor (node, hlc)"
            " SELECT node, h FROM top ON CONFLICT (node) DO UPDATE"
            " SET hlc = excluded.hlc"
            ' WHERE applied_floor.hlc COLLATE "C" < excluded.hlc COLLATE "C"'
            " RETURNING 1)"
            " SELECT count(*) FROM gone"
        ),
        {"keep": keep_s},
    )
    if total:
        log.info("applied ops pruned: %d older than %g days", total, keep_days)
    return total


def prune_change_log(store: Store, keep_days: float = KEEP_DAYS) -> PruneReport:
    """Delete change-log entries older than ``keep_days`` and raise the floor.

    Args:
        store: The server's store (PostgreSQL).
        keep_days: Entries written less than this long ago stay.

    Returns:
        What was deleted and the floor now.
    """
    keep_s = max(0.0, keep_days) * 86_400
    with store.engine.connect() as conn, conn.begin():
        last = conn.execute(
            text(
                "SELECT xid::text, seq FROM change_log"
                " WHERE at < now() - make_interval(secs => :keep)"
                " AND xid < pg_snapshot_xmin(pg_current_snapshot())"
                " ORDER BY xid DESC, seq DESC LIMIT 1"
            ),
            {"keep": keep_s},
        ).first()
        entries = 0
        if last is not None:
            entries = conn.execute(
                text("DELETE FROM change_log WHERE (xid, seq) <= (CAST(:x AS xid8), :s)"),
                {"x": last.xid, "s": last.seq},
            ).rowcount
            conn.execute(
                text(
                    "UPDATE sync_meta SET floor_xid = CAST(:x AS xid8), floor_seq = :s"
                    " WHERE (floor_xid, floor_seq) < (CAST(:x AS xid8), :s)"
                ),
                {"x": last.xid, "s": last.seq},
            )
        losses = conn.execute(
            text("DELETE FROM sync_field_loss WHERE at < now() - make_interval(secs => :keep)"),
            {"keep": keep_s},
        ).rowcount
        floor = conn.execute(text("SELECT floor_xid::text, floor_seq FROM sync_meta")).one()
    report = PruneReport(entries, losses, (int(floor[0]), int(floor[1])))
    if entries or losses:
        log.info(
            "change log pruned: %d entries and %d field notes older than %g days",
            entries,
            losses,
            keep_days,
        )
    return report
