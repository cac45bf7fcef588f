"""What sync replicates, and the server-only tables kept out of schema comparisons.

The clinic server's ``change_log``, ``applied_op`` and ``sync_meta`` are made by migration
0010 in plain DDL (``xid8`` has no SQLAlchemy type), not by the models.
"""

from __future__ import annotations

from console.store import search

#: Tables the server holds only: the change log, the applied ops, the epoch, the leader
#: with its fencing epoch (migration 0011, :mod:`console.sync.leader`), and the field edits
#: that overwrote a concurrent one (migration 0013); each process's machine, and per node the
#: highest stamp of its pruned applied ops (migration 0015).
SERVER_TABLES = frozenset(
    {
        "change_log",
        "applied_op",
        "sync_meta",
        "leader",
        "sync_field_loss",
        "sync_node",
        "applied_floor",
    }
)

#: Replicated tables, parents before children (the order rows are applied in), with their
#: primary-key columns. A composite key is written ``a/b`` in ``change_log.pk``.
REPLICATED: dict[str, tuple[str, ...]] = {
    "department": ("code",),
    "operator": ("id",),
    "channel_account": ("id",),
    "contact": ("id",),
    "contact_identity": ("id",),
    "conversation": ("id",),
    "thread_ref": ("account_id", "ref"),
    "conversation_label": ("conversation_id", "label"),
    "message": ("id",),
    "draft": ("id",),
    "outbox": ("id",),
    "note": ("id",),
    "canned_response": ("id",),
    "saved_search": ("id",),
    "sla_target": ("department", "channel"),
    "business_calendar": ("id",),
    "calendar_day": ("day",),
    "routing_rule": ("id",),
    "clinic_setting": ("key",),
    "department_assignment": ("department",),
}


def include_name(name: str | None, kind: str, parents: object) -> bool:
    """Alembic's ``include_name`` hook: leave out the search tables (SQLite) and the server's
    sync tables (PostgreSQL), which migrations make without models."""
    if kind == "table" and name in SERVER_TABLES:
        return False
    return search.include_name(name, kind, parents)
