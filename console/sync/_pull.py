"""Applying the server's rows on a PC: the PC's half of the merge rules.

Pull reads which rows changed from ``change_log`` and then each row's *current* version from
its table, so the order transactions got their ids in never matters (a row is never set back
to an older version). Rows are applied here in one local transaction per page:

- tables without per-field clocks (messages, replies, notes, contacts ...) take the server's
  row; a message new to this PC is added to the search index;
- a conversation, a label and a draft take the server's version unless this PC holds an
  unsent edit of the same field with a later stamp (a ``pending_op``: the local overlay). The
  held-back row is marked dirty and read again once the PC's queue is empty;
- a draft head is placed after any stale head of the same conversation and member of staff
  is cleared away; a draft with unsent edits here keeps its slot until they are pushed.

Nothing written here creates a pending op: the rows are the server's, not new edits.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, tuple_
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from console.services import Changes
from console.store import search
from console.store.models import Base, PendingOp, SyncDirty, SyncDraft
from console.sync._push import FIELD_CLOCKS, ROW_CLOCKS
from console.sync.schema import REPLICATED

TABLES: dict[str, Table] = {name: Base.metadata.tables[name] for name in REPLICATED}

#: Tables whose pulled rows change what :attr:`Changes.staff` and :attr:`Changes.sla` cover
#: (the duty button, staff pickers and assignment modes; the SLA cutoffs).
STAFF_TABLES = frozenset({"operator", "department_assignment"})
SLA_TABLES = frozenset({"sla_target", "business_calendar", "calendar_day"})

#: Tables whose rows an unsent edit can hold back, read again from the server afterwards.
REFRESHABLE = frozenset({*FIELD_CLOCKS, *ROW_CLOCKS, "outbox", "note", "saved_search"})


def columns(table: Table) -> list[str]:
    """The columns a row is copied with (the generated ones are computed by each database)."""
    return [c.name for c in table.columns if c.computed is None]


def split_pk(tbl: str, pk: str) -> tuple[str, ...]:
    """``change_log.pk`` as the table's key values (``a/b`` for a two-column key)."""
    n = len(REPLICATED[tbl])
    return (pk,) if n == 1 else tuple(pk.split("/", n - 1))


def join_pk(tbl: str, row: Mapping[str, Any]) -> str:
    """A row's key as ``change_log.pk`` writes it."""
    return "/".join(str(row[c]) for c in REPLICATED[tbl])


def fetch_rows(conn: Connection, tbl: str, pks: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The current server rows for some keys of one table (absent keys were deleted)."""
    table = TABLES[tbl]
    keys = sorted(set(pks))
    names = columns(table)
    cols = [table.c[n] for n in names]
    key_cols = [table.c[c] for c in REPLICATED[tbl]]
    found: dict[str, dict[str, Any]] = {}
    for i in range(0, len(keys), 1000):
        chunk = keys[i : i + 1000]
        if len(key_cols) == 1:
            where = key_cols[0].in_(chunk)
        else:
            where = tuple_(*key_cols).in_([split_pk(tbl, k) for k in chunk])
        for values in conn.execute(select(*cols).where(where)):
            row = dict(zip(names, values, strict=True))
            found[join_pk(tbl, row)] = row
    return found


@dataclass
class Overlay:
    """This PC's unsent edits: the newest stamp per (table, key, field), and the draft slots
    (conversation, member of staff) whose drafts have unsent edits."""

    stamps: dict[tuple[str, str, str], str] = field(default_factory=dict)
    rows: dict[tuple[str, str], str] = field(default_factory=dict)
    drafts: set[str] = field(default_factory=set)
    slots: set[tuple[str, str | None]] = field(default_factory=set)

    @classmethod
    def load(cls, s: Session) -> Overlay:
        overlay = cls()
        for tbl, pk, name, hlc in s.execute(
            select(PendingOp.tbl, PendingOp.pk, PendingOp.field, PendingOp.hlc)
        ):
            key = (tbl, pk, name)
            if hlc > overlay.stamps.get(key, ""):
                overlay.stamps[key] = hlc
            if hlc > overlay.rows.get((tbl, pk), ""):
                overlay.rows[(tbl, pk)] = hlc
            if tbl == "draft":
                overlay.drafts.add(pk)
        if overlay.drafts:
            for conv, operator in s.execute(
                select(SyncDraft.conversation_id, SyncDraft.operator_id).where(
                    SyncDraft.draft_id.in_(overlay.drafts)
                )
            ):
                overlay.slots.add((conv, operator))
        return overlay

    def newer(self, tbl: str, pk: str, name: str, server_hlc: str) -> bool:
        """Whether an unsent local edit of this field is later than the server's value."""
        mine = self.stamps.get((tbl, pk, name))
        return mine is not None and mine > server_hlc


def slot_key(conversation_id: str, operator_id: str | None) -> str:
    """A draft slot as a ``sync_dirty`` key."""
    return f"{conversation_id}/{operator_id or ''}"


@dataclass
class Applied:
    """What applying rows changed, for the views, and the highest stamp seen."""

    changes: Changes = field(default_factory=Changes)
    max_hlc: str = ""
    rows: int = 0

    def saw(self, stamp: str) -> None:
        self.max_hlc = max(self.max_hlc, stamp)


class Applier:
    """Applies server rows in one local transaction.

    Args:
        s: The local write session.
        overlay: Unsent local edits (None: take the server's rows as they are).
    """

    def __init__(self, s: Session, overlay: Overlay | None) -> None:
        self.s = s
        self.conn = s.connection()
        self.overlay = overlay
        self.out = Applied()
        self._convs: set[str] = set()
        self._threads: set[str] = set()
        self._drafts: set[str] = set()
        self._new_conv = False
        self._outbox = False
        self._messages = 0
        self._staff = False
        self._sla = False

    def dirty(self, tbl: str, pk: str) -> None:
        self.conn.execute(sqlite_insert(SyncDirty).values(tbl=tbl, pk=pk).on_conflict_do_nothing())

    def apply(self, tbl: str, pks: Iterable[str], rows: Mapping[str, dict[str, Any]]) -> None:
        """Make this PC's rows of ``tbl`` for ``pks`` what the server holds (``rows``)."""
        pks = list(dict.fromkeys(pks))
        present = [rows[pk] for pk in pks if pk in rows]
        gone = [pk for pk in pks if pk not in rows]
        self.out.rows += len(pks)
        self._staff = self._staff or (tbl in STAFF_TABLES and bool(pks))
        self._sla = self._sla or (tbl in SLA_TABLES and bool(pks))
        if tbl in FIELD_CLOCKS:
            present = self._merge_fields(tbl, present)
        elif tbl in ROW_CLOCKS or tbl == "saved_search":
            present, gone = self._hold_rows(tbl, present, gone)
        handler = getattr(self, f"_apply_{tbl}", None)
        if handler is not None:
            handler(present, gone)
        else:
            self._upsert(tbl, present)
            self._delete(tbl, gone)

    def changes(self) -> Changes:
        """What changed so far."""
        return Changes(
            conversations=frozenset(self._convs),
            threads=frozenset(self._threads),
            drafts=frozenset(self._drafts),
            new_conversations=self._new_conv,
            outbox=self._outbox,
            messages=self._messages,
            sla=self._sla,
            staff=self._staff,
        )

    # -- generic ---------------------------------------------------------------------------

    def _upsert(self, tbl: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        for i in range(0, len(rows), 500):
            chunk = rows[i : i + 500]
            self.conn.execute(upsert_statement(tbl, tuple(chunk[0])), chunk)

    def _delete(self, tbl: str, pks: list[str]) -> None:
        if not pks:
            return
        table = TABLES[tbl]
        key_cols = [table.c[c] for c in REPLICATED[tbl]]
        if len(key_cols) == 1:
            self.conn.execute(delete(table).where(key_cols[0].in_(pks)))
        else:
            self.conn.execute(
                delete(table).where(tuple_(*key_cols).in_([split_pk(tbl, k) for k in pks]))
            )

    def _existing(self, tbl: str, ids: list[str]) -> set[str]:
        table = TABLES[tbl]
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            found.update(
                self.conn.execute(select(table.c.id).where(table.c.id.in_(ids[i : i + 500])))
                .scalars()
                .all()
            )
        return found

    # -- per table -------------------------------------------------------------------------

    def _merge_fields(self, tbl: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The server's rows, each field kept as this PC has it while an unsent edit of it
        carries a later stamp (and the read position as the higher one while unsent)."""
        clocks = FIELD_CLOCKS[tbl]
        key = REPLICATED[tbl][0]
        for row in rows:
            for hlc_col in clocks.values():
                self.out.saw(row[hlc_col])
        overlay = self.overlay
        if overlay is None or not rows:
            return rows
        held_ids = {
            row[key]
            for row in rows
            if any(overlay.newer(tbl, row[key], f, row[h]) for f, h in clocks.items())
            or (tbl, row[key], "read_upto") in overlay.stamps
        }
        if not held_ids:
            return rows
        table = TABLES[tbl]
        names = [key, *[n for f, h in clocks.items() for n in (f, h)]]
        if tbl == "conversation":
            names.append("read_upto")
        local = {
            values[0]: values._mapping
            for values in self.conn.execute(
                select(*[table.c[n] for n in names]).where(table.c[key].in_(held_ids))
            )
        }
        merged = []
        for server_row in rows:
            row = dict(server_row)
            mine = local.get(row[key])
            if mine is not None:
                for name, hlc_col in clocks.items():
                    if overlay.newer(tbl, row[key], name, row[hlc_col]):
                        row[name], row[hlc_col] = mine[name], mine[hlc_col]
                if (tbl, row[key], "read_upto") in overlay.stamps:
                    row["read_upto"] = max(row["read_upto"], mine["read_upto"])
                self.dirty(tbl, row[key])
            merged.append(row)
        return merged

    def _hold_rows(
        self, tbl: str, rows: list[dict[str, Any]], gone: list[str]
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """Leave out rows (and removals) an unsent local edit with a later stamp holds back."""
        for row in rows:
            if "hlc" in row:
                self.out.saw(row["hlc"])
        overlay = self.overlay
        if overlay is None or not overlay.rows:
            return rows, gone

        def held(pk: str, server_hlc: str) -> bool:
            mine = overlay.rows.get((tbl, pk))
            if mine is None or mine <= server_hlc:
                return False
            self.dirty(tbl, pk)
            return True

        keep = [r for r in rows if not held(join_pk(tbl, r), str(r.get("hlc", "")))]
        return keep, [pk for pk in gone if not held(pk, "")]

    def _apply_conversation(self, rows: list[dict[str, Any]], _gone: list[str]) -> None:
        ids = [r["id"] for r in rows]
        if len(self._existing("conversation", ids)) < len(ids):
            self._new_conv = True
        self._upsert("conversation", rows)
        self._convs.update(ids)

    def _apply_conversation_label(self, rows: list[dict[str, Any]], gone: list[str]) -> None:
        self._upsert("conversation_label", rows)
        self._delete("conversation_label", gone)
        self._convs.update(r["conversation_id"] for r in rows)

    def _apply_message(self, rows: list[dict[str, Any]], _gone: list[str]) -> None:
        ids = [r["id"] for r in rows]
        known = self._existing("message", ids)
        self._upsert("message", rows)
        new = [r for r in rows if r["id"] not in known]
        if new:
            search.index_messages(self.s, new)
        self._messages += len(new)
        self._threads.update(r["conversation_id"] for r in rows)
        self._convs.update(r["conversation_id"] for r in rows)

    def _apply_outbox(self, rows: list[dict[str, Any]], gone: list[str]) -> None:
        self._upsert("outbox", rows)
        self._delete("outbox", gone)
        self._outbox = self._outbox or bool(rows or gone)
        ids = {r["conversation_id"] for r in rows}
        self._threads.update(ids)
        self._convs.update(ids)

    def _apply_note(self, rows: list[dict[str, Any]], gone: list[str]) -> None:
        self._upsert("note", rows)
        self._delete("note", gone)
        self._threads.update(r["conversation_id"] for r in rows)

    def _apply_draft(self, rows: list[dict[str, Any]], gone: list[str]) -> None:
        overlay = self.overlay
        held: set[str] = set()
        if overlay is not None and (overlay.drafts or overlay.slots):
            for row in rows:
                slot = (row["conversation_id"], row["operator_id"])
                if row["id"] in overlay.drafts or (
                    not row["is_conflict"] and slot in overlay.slots
                ):
                    held.add(row["id"])
                    self.dirty("draft_slot", slot_key(*slot))
            gone_held = [pk for pk in gone if pk in overlay.drafts]
            for pk in gone_held:
                info = self.s.get(SyncDraft, pk)
                if info is not None:
                    self.dirty("draft_slot", slot_key(info.conversation_id, info.operator_id))
            gone = [pk for pk in gone if pk not in overlay.drafts]
        table = TABLES["draft"]
        if gone:
            for conv in self.conn.execute(
                select(table.c.conversation_id).where(table.c.id.in_(gone))
            ).scalars():
                self._drafts.add(conv)
            self._delete("draft", gone)
        # Conflict copies first, then heads, each after a stale head in its slot is cleared.
        ordered = sorted(
            (r for r in rows if r["id"] not in held), key=lambda r: not r["is_conflict"]
        )
        for row in ordered:
            if not row["is_conflict"]:
                self.conn.execute(
                    delete(table).where(
                        table.c.conversation_id == row["conversation_id"],
                        table.c.operator_id.is_(None)
                        if row["operator_id"] is None
                        else table.c.operator_id == row["operator_id"],
                        table.c.is_conflict.is_(False),
                        table.c.id != row["id"],
                    )
                )
            self._upsert("draft", [row])
            self.conn.execute(
                sqlite_insert(SyncDraft)
                .values(
                    draft_id=row["id"],
                    conversation_id=row["conversation_id"],
                    operator_id=row["operator_id"],
                    base_hlc=row["hlc"],
                )
                .on_conflict_do_update(index_elements=["draft_id"], set_={"base_hlc": row["hlc"]})
            )
            self._drafts.add(row["conversation_id"])
            self._convs.add(row["conversation_id"])


@functools.cache
def upsert_statement(tbl: str, names: tuple[str, ...]) -> Any:
    """``INSERT ... ON CONFLICT (key) DO UPDATE`` of the columns ``names`` of a replicated
    table, built once per table and column set: building it (and its cache key) for every
    pulled page cost milliseconds of CPU for a table as wide as ``conversation``."""
    keys = REPLICATED[tbl]
    stmt = sqlite_insert(TABLES[tbl])
    return stmt.on_conflict_do_update(
        index_elements=list(keys), set_={c: stmt.excluded[c] for c in names if c not in keys}
    )


def group(entries: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Change-log entries ``(tbl, pk)`` per replicated table, in the order of first mention."""
    by_table: dict[str, list[str]] = defaultdict(list)
    for tbl, pk in entries:
        if tbl in TABLES:
            by_table[tbl].append(pk)
    return by_table


def bulk_insert(conn: Connection, tbl: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows into an emptied table (initial sync)."""
    if rows:
        conn.execute(insert(TABLES[tbl]), rows)


def in_fk_order(tables: Iterable[str]) -> list[str]:
    """Tables in the order rows must be applied (parents first)."""
    wanted = set(tables)
    return [t for t in REPLICATED if t in wanted]


def slot_where(conversation_id: str, operator_id: str | None) -> Any:
    """A SQL condition for the drafts of one slot."""
    table = TABLES["draft"]
    who = (
        table.c.operator_id.is_(None) if operator_id is None else table.c.operator_id == operator_id
    )
    return (table.c.conversation_id == conversation_id) & who


def fetch_slot(
    conn: Connection, conversation_id: str, operator_id: str | None
) -> list[dict[str, Any]]:
    """The server's drafts (head and conflict copies) of one slot."""
    table = TABLES["draft"]
    names = columns(table)
    query = select(*[table.c[n] for n in names]).where(slot_where(conversation_id, operator_id))
    return [dict(zip(names, values, strict=True)) for values in conn.execute(query)]


def parse_slot(key: str) -> tuple[str, str | None]:
    """The (conversation, member of staff) of a ``draft_slot`` dirty key."""
    conv, _, operator = key.partition("/")
    return conv, operator or None


__all__ = [
    "Applied",
    "Applier",
    "Overlay",
    "bulk_insert",
    "columns",
    "fetch_rows",
    "group",
    "in_fk_order",
    "join_pk",
    "parse_slot",
    "slot_key",
    "slot_where",
    "split_pk",
]
