"""Housekeeping on the clinic server, done by the leader: old change-log entries go.

``change_log`` grows by one row per changed row, forever, unless pruned. The leader deletes
entries older than :data:`KEEP_DAYS` (and the notes of overwritten field edits, which PCs
only read for pulls within that time), in one transaction that also raises the **floor**
in ``sync_meta`` (``floor_xid``, ``floor_seq``: the last entry deleted). A PC whose pull
cursor is below the floor may have missed changes whose entries are gone, so it makes a fresh
first copy instead (:meth:`console.sync.engine.SyncEngine.sync_once`); a PC that has pulled
past the floor is not affected. Pruning never touches entries a running transaction might
still precede (the pull's horizon, ``pg_snapshot_xmin``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import text

from console.store.engine import Store

log = logging.getLogger(__name__)

#: How long change-log entries are kept: a PC away for longer makes a fresh first copy.
KEEP_DAYS = 30.0

#: Seconds between the leader's housekeeping rounds.
PRUNE_EVERY_S = 3600.0


@dataclass(frozen=True)
class PruneReport:
    """What one pruning round deleted, and the floor it left.

    Attributes:
        entries: Change-log entries deleted.
        losses: Notes of overwritten field edits deleted.
        floor: ``(xid, seq)`` of the last entry deleted so far (``(0, 0)``: none yet).
    """

    entries: int
    losses: int
    floor: tuple[int, int]


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
