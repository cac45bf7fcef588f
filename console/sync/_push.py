"""Applying a PC's pending ops on the clinic server: the server's half of the merge rules.

Each op is applied once (``applied_op``), inside a savepoint, in the push transaction (which
holds the server's write lock, like every :meth:`Store.write` there):

- conversation fields: last writer wins by clock stamp (``*_hlc``), compared bytewise
  (``COLLATE "C"``); a stamp more than :data:`CLAMP_AHEAD_MS` ahead of the server's clock is
  brought back to it first, so a PC whose clock runs fast cannot win for hours;
- the read position: the highest wins;
- labels: one row per label with its own stamp, last writer wins;
- drafts: a save is accepted on top of the head it was made from (same revision, and the
  head is the version the PC last pulled or its own save); otherwise its text becomes a
  conflict copy; a removal only removes what the PC saw; text is never dropped;
- replies and notes: inserted if absent (a reply's id is derived from its draft revision, so
  two PCs queueing the same synced draft make one reply);
- staff and channel accounts: the PC's row is inserted or its staff-owned columns copied.

An op the server refuses for a definite reason (a row it does not have, a value it cannot
store) is returned as poison with the reason; its savepoint is rolled back and the rest of
the batch goes on.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DataError, IntegrityError, ProgrammingError

from console.hlc import Stamp

#: How far ahead of the server's clock a stamp may be before the server clamps it.
CLAMP_AHEAD_MS = 60_000

#: Conversation fields merged by clock stamp, and the column holding each one's stamp.
CONVERSATION_FIELDS = {
    "status": "status_hlc",
    "department": "department_hlc",
    "assignee_id": "assignee_hlc",
    "priority": "priority_hlc",
    "snoozed_until": "snooze_hlc",
    "contact_id": "contact_hlc",
}

#: Per table, the fields merged one by one by clock stamp, with their stamp columns.
FIELD_CLOCKS: dict[str, dict[str, str]] = {
    "conversation": CONVERSATION_FIELDS,
    "contact": {"display_name": "name_hlc", "notes": "notes_hlc", "merged_into": "merged_hlc"},
    "contact_identity": {"contact_id": "contact_hlc"},
    "department_assignment": {"mode": "mode_hlc", "last_assignee": "last_assignee_hlc"},
}

#: The key column of the tables in :data:`FIELD_CLOCKS` whose key is not ``id``.
FIELD_CLOCK_KEYS = {"department_assignment": "department"}

#: Tables merged as whole rows by one ``hlc`` column: the PC's row wins when its stamp is
#: later (a removal too), so settings edited on two PCs end up as the latest one's.
ROW_CLOCKS = (
    "conversation_label",
    "sla_target",
    "business_calendar",
    "calendar_day",
    "canned_response",
    "routing_rule",
    "clinic_setting",
)

#: How a label is named where conversation fields are (``sync_field_loss.field``, the PC's
#: ``sync_field_conflict.field``): ``label:`` and the label.
LABEL_FIELD = "label:"

_CONFLICT_NAMESPACE = uuid.UUID("0b5f6f64-6a55-4d0c-9b8a-3f1e0d5a7c21")

_ACCOUNT_COLUMNS = (
    "kind",
    "connector",
    "external_id",
    "display_name",
    "config",
    "secret_ref",
    "enabled",
    "removed_at",
)


class Refused(Exception):
    """The server will never apply this op (the reason is kept with it on the PC)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PushOp:
    """A pending op with what the server needs besides it, read on the PC at push time.

    Attributes:
        extra: For drafts ``conversation_id``, ``operator_id``, ``base_hlc``; for replies,
            notes, staff and accounts the PC's row; for a department its ``source``.
    """

    op_id: str
    tbl: str
    pk: str
    field: str
    value: Any
    hlc: str
    parent_rev: int | None
    extra: dict[str, Any]


@dataclass
class Outcome:
    """What the server did with one op.

    Attributes:
        winner: For a conversation field or label edit that lost: the value the server
            keeps and its stamp (the concurrent edit that won).
        stamp: The stamp the server stored the op with (clamped when it was too far ahead).
        machine: The winner's machine, as its process named it (``sync_node``; "" unknown).
    """

    op_id: str
    result: str  # "applied", "duplicate", "lost" (an older write), "conflict", "poison"
    reason: str = ""
    winner: tuple[Any, str] | None = None
    stamp: str = ""
    machine: str = ""


def clamp(stamp: str, bound_ms: int) -> str:
    """The stamp the server stores: unchanged, or moved back to ``bound_ms`` if it is later."""
    parsed = Stamp.parse(stamp)
    if parsed.wall_ms <= bound_ms:
        return stamp
    return str(Stamp(bound_ms, parsed.counter, parsed.node))


def _node(stamp: str) -> str:
    return stamp.split(":", 2)[2] if stamp.count(":") >= 2 else ""


class _Applier:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def run(self, op: PushOp, hlc: str) -> str:
        self.winner: tuple[Any, str] | None = None
        handler = getattr(self, f"_{op.tbl}", None)
        if handler is None:
            raise Refused("unsupported_op")
        result: str = handler(op, hlc)
        return result

    def _exec(self, sql: str, **params: Any) -> Any:
        return self.conn.execute(text(sql), params)

    def _conversation_exists(self, pk: str) -> bool:
        found = self._exec("SELECT 1 FROM conversation WHERE id = :pk", pk=pk).first()
        return found is not None

    def _fields(self, table: str, op: PushOp, hlc: str) -> str:
        """Last writer wins on one field of ``table`` (by :data:`FIELD_CLOCKS`)."""
        column = FIELD_CLOCKS[table].get(op.field)
        if column is None:
            raise Refused("unsupported_op")
        key = FIELD_CLOCK_KEYS.get(table, "id")
        done = self._exec(
            # Names come from FIELD_CLOCKS, never from the op's text.
            f"UPDATE {table} SET {op.field} = :v, {column} = :h"  # noqa: S608
            f' WHERE {key} = :pk AND {column} COLLATE "C" < :h',
            v=op.value,
            h=hlc,
            pk=op.pk,
        )
        if done.rowcount:
            return "applied"
        if self._exec(f"SELECT 1 FROM {table} WHERE {key} = :pk", pk=op.pk).first() is None:  # noqa: S608
            raise Refused(f"{table}_not_found")
        return "lost"

    def _contact(self, op: PushOp, hlc: str) -> str:
        if op.field == "created":
            return self._insert_row("contact", op.extra.get("row"))
        return self._fields("contact", op, hlc)

    def _department_assignment(self, op: PushOp, hlc: str) -> str:
        """A department's mode or round-robin turn, each field by its own stamp; the row is
        made first if the server has none yet (mode off, no turn, empty stamps)."""
        if op.field not in FIELD_CLOCKS["department_assignment"]:
            raise Refused("unsupported_op")
        if self._exec("SELECT 1 FROM department WHERE code = :pk", pk=op.pk).first() is None:
            raise Refused("department_not_found")
        self._exec(
            "INSERT INTO department_assignment (department, mode, mode_hlc, last_assignee,"
            " last_assignee_hlc, updated_at) VALUES (:pk, 'off', '', NULL, '', :t)"
            " ON CONFLICT (department) DO NOTHING",
            pk=op.pk,
            t=Stamp.parse(hlc).wall_ms,
        )
        return self._fields("department_assignment", op, hlc)

    def _contact_identity(self, op: PushOp, hlc: str) -> str:
        return self._fields("contact_identity", op, hlc)

    def _conversation(self, op: PushOp, hlc: str) -> str:
        if op.field == "read_upto":
            done = self._exec(
                "UPDATE conversation SET read_upto = greatest(read_upto, :v) WHERE id = :pk",
                v=int(op.value),
                pk=op.pk,
            )
            if done.rowcount == 0:
                raise Refused("conversation_not_found")
            return "applied"
        column = CONVERSATION_FIELDS.get(op.field)
        if column is None:
            raise Refused("unsupported_op")
        extra = ""
        params: dict[str, Any] = {"v": op.value, "h": hlc, "pk": op.pk}
        if op.field == "department" and op.extra.get("source"):
            extra, params["src"] = ", department_source = :src", op.extra["source"]
        base = op.extra.get("base_hlc")
        if base is None:  # an op from before migration 0013: no concurrency check
            done = self._exec(
                # Names come from CONVERSATION_FIELDS, never from the op's text.
                f"UPDATE conversation SET {op.field} = :v, {column} = :h{extra}"  # noqa: S608
                f' WHERE id = :pk AND {column} COLLATE "C" < :h',
                **params,
            )
            if done.rowcount:
                return "applied"
        else:
            # The value and stamp it replaced come back too (FROM holds the old row).
            old = self._exec(
                f"UPDATE conversation c SET {op.field} = :v, {column} = :h{extra}"  # noqa: S608
                f" FROM (SELECT id, {op.field} AS v, {column} AS h FROM conversation"
                " WHERE id = :pk) o"
                f' WHERE c.id = o.id AND o.h COLLATE "C" < :h RETURNING o.v, o.h',
                **params,
            ).first()
            if old is not None:
                if old.h != base and old.h and _node(old.h) != _node(op.hlc):
                    self._overwrote(op, hlc, old.v, old.h)
                return "applied"
        found = self._exec(
            f"SELECT {op.field} AS v, {column} AS h FROM conversation WHERE id = :pk",  # noqa: S608
            pk=op.pk,
        ).first()
        if found is None:
            raise Refused("conversation_not_found")
        self.winner = (found.v, str(found.h))
        return "lost"

    def _overwrote(self, op: PushOp, hlc: str, value: Any, stamp: str) -> None:
        """Note that this edit replaced a value its PC had not seen (a concurrent edit of
        another PC), for that PC to find when it pulls the conversation."""
        if value == op.value:
            return  # both chose the same: nothing to tell anyone
        self._exec(
            "INSERT INTO sync_field_loss (conversation_id, field, loser_hlc, loser_value,"
            " winner_value, winner_hlc) VALUES (:c, :f, :lh, CAST(:lv AS jsonb),"
            " CAST(:wv AS jsonb), :wh)",
            c=op.pk,
            f=op.field,
            lh=stamp,
            lv=json.dumps(value, ensure_ascii=False),
            wv=json.dumps(op.value, ensure_ascii=False),
            wh=hlc,
        )

    def _conversation_label(self, op: PushOp, hlc: str) -> str:
        conversation_id, _, label = op.pk.partition("/")
        old = self._exec(
            "SELECT present, hlc FROM conversation_label WHERE conversation_id = :c AND label = :l",
            c=conversation_id,
            l=label,
        ).first()
        done = self._exec(
            "INSERT INTO conversation_label (conversation_id, label, present, hlc)"
            " VALUES (:c, :l, :p, :h) ON CONFLICT (conversation_id, label) DO UPDATE"
            " SET present = excluded.present, hlc = excluded.hlc"
            ' WHERE conversation_label.hlc COLLATE "C" < excluded.hlc',
            c=conversation_id,
            l=label,
            p=bool(op.value),
            h=hlc,
        )
        base = op.extra.get("base_hlc")  # None: an op from before migration 0015
        if not done.rowcount:
            if old is not None:
                self.winner = (bool(old.present), str(old.hlc))
            return "lost"
        if (
            base is not None
            and old is not None
            and old.hlc
            and old.hlc != base
            and _node(old.hlc) != _node(op.hlc)
        ):
            # Replaced a label edit its PC had not seen: the PC that made it is told.
            self._overwrote(
                replace(
                    op, pk=conversation_id, field=f"{LABEL_FIELD}{label}", value=bool(op.value)
                ),
                hlc,
                bool(old.present),
                str(old.hlc),
            )
        return "applied"

    # -- drafts ---------------------------------------------------------------------------

    def _draft_row(self, draft_id: str) -> Any:
        return self._exec(
            "SELECT id, rev, hlc, is_conflict FROM draft WHERE id = :id", id=draft_id
        ).first()

    def _draft(self, op: PushOp, hlc: str) -> str:
        if "conversation_id" not in op.extra:
            raise Refused("unknown_draft")
        if op.field == "deleted":
            return self._draft_removed(op)
        if op.field != "body":
            raise Refused("unsupported_op")
        conv, operator = op.extra["conversation_id"], op.extra.get("operator_id")
        rev = (op.parent_rev or 0) + 1
        row = self._draft_row(op.pk)
        mine = _node(op.hlc)
        if row is None:
            head = self._exec(
                "SELECT id FROM draft WHERE conversation_id = :c"
                " AND operator_id IS NOT DISTINCT FROM :o AND NOT is_conflict",
                c=conv,
                o=operator,
            ).first()
            if not self._conversation_exists(conv):
                raise Refused("conversation_not_found")
            self._insert_draft(op.pk, conv, operator, op, rev, hlc, conflict=head is not None)
            return "applied" if head is None else "conflict"
        on_top = op.parent_rev == row.rev and (
            row.hlc == op.extra.get("base_hlc") or _node(row.hlc) == mine
        )
        own_copy = row.is_conflict and _node(row.hlc) == mine and op.parent_rev == row.rev
        if own_copy or on_top:
            # The PC's own line of edits (a conflict copy keeps following it too), continued
            # from the revision it holds: an earlier save arriving late (a reordered batch)
            # must not overwrite a later one; it falls through and is kept as a copy.
            self._exec(
                "UPDATE draft SET body = :b, rev = :r, parent_rev = :p, hlc = :h,"
                " updated_at = :t WHERE id = :id",
                b=str(op.value),
                r=rev,
                p=op.parent_rev,
                h=hlc,
                t=Stamp.parse(op.hlc).wall_ms,
                id=op.pk,
            )
            return "applied"
        # Not on top of the head: keep the text as a conflict copy of this line of edits (this
        # draft, edited on this PC on top of the version it last pulled). A later save of the
        # same line continues its copy; any other text gets a copy of its own, since nobody
        # who saw that copy's text replaced it.
        line = str(
            uuid.uuid5(_CONFLICT_NAMESPACE, f"{op.pk}/{mine}/{op.extra.get('base_hlc') or ''}")
        )
        copy = self._exec(
            "SELECT id, rev FROM draft WHERE id = :id AND is_conflict", id=line
        ).first()
        if copy is not None and copy.rev == op.parent_rev:
            self._exec(
                "UPDATE draft SET body = :b, rev = :r, parent_rev = :p, hlc = :h,"
                " updated_at = :t WHERE id = :id",
                b=str(op.value),
                r=rev,
                p=op.parent_rev,
                h=hlc,
                t=Stamp.parse(op.hlc).wall_ms,
                id=copy.id,
            )
        else:
            copy_id = line if copy is None else str(uuid.uuid5(_CONFLICT_NAMESPACE, op.op_id))
            self._insert_draft(copy_id, conv, operator, op, rev, hlc, conflict=True)
        return "conflict"

    def _insert_draft(
        self,
        draft_id: str,
        conv: str,
        operator: str | None,
        op: PushOp,
        rev: int,
        hlc: str,
        *,
        conflict: bool,
    ) -> None:
        self._exec(
            "INSERT INTO draft (id, conversation_id, operator_id, body, rev, parent_rev,"
            " is_conflict, updated_at, hlc) VALUES (:id, :c, :o, :b, :r, :p, :x, :t, :h)",
            id=draft_id,
            c=conv,
            o=operator,
            b=str(op.value),
            r=rev,
            p=op.parent_rev,
            x=conflict,
            t=Stamp.parse(op.hlc).wall_ms,
            h=hlc,
        )

    def _draft_removed(self, op: PushOp) -> str:
        row = self._draft_row(op.pk)
        if row is None:
            return "applied"
        seen = row.hlc == op.extra.get("base_hlc") or _node(row.hlc) == _node(op.hlc)
        if seen and row.rev <= (op.parent_rev or 0):
            self._exec("DELETE FROM draft WHERE id = :id", id=op.pk)
            return "applied"
        return "lost"  # someone else's newer text stays

    # -- rows made on a PC ----------------------------------------------------------------

    def _insert_row(self, table: str, row: dict[str, Any] | None) -> str:
        if not row:
            raise Refused("missing_row")
        if row.get("conversation_id") and not self._conversation_exists(row["conversation_id"]):
            raise Refused("conversation_not_found")
        columns = list(row)
        done = self._exec(
            f"INSERT INTO {table} ({', '.join(columns)})"  # noqa: S608 - model column names
            f" VALUES ({', '.join(':' + c for c in columns)}) ON CONFLICT (id) DO NOTHING",
            **_json_ready(row),
        )
        return "applied" if done.rowcount else "duplicate"

    def _row_clock(self, table: str, op: PushOp, hlc: str) -> str:
        """A whole row stamped by one ``hlc`` column: the later stamp wins, a removal too."""
        keys = op.extra.get("keys")
        if not keys:
            raise Refused("unsupported_op")
        where = " AND ".join(f"{k} = :k_{k}" for k in keys)
        params = {f"k_{k}": v for k, v in keys.items()}
        row = op.extra.get("row")
        if row is None:  # removed on the PC
            done = self._exec(
                f'DELETE FROM {table} WHERE {where} AND hlc COLLATE "C" < :h',  # noqa: S608
                h=hlc,
                **params,
            )
            return "applied" if done.rowcount else "lost"
        row = {**row, "hlc": hlc}
        names = list(row)
        sets = ", ".join(f"{c} = excluded.{c}" for c in names if c not in keys)
        done = self._exec(
            f"INSERT INTO {table} ({', '.join(names)})"  # noqa: S608 - model column names
            f" VALUES ({', '.join(':' + c for c in names)})"
            f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
            f' WHERE {table}.hlc COLLATE "C" < excluded.hlc',
            **_json_ready(row),
        )
        return "applied" if done.rowcount else "lost"

    def _sla_target(self, op: PushOp, hlc: str) -> str:
        return self._row_clock("sla_target", op, hlc)

    def _business_calendar(self, op: PushOp, hlc: str) -> str:
        return self._row_clock("business_calendar", op, hlc)

    def _calendar_day(self, op: PushOp, hlc: str) -> str:
        return self._row_clock("calendar_day", op, hlc)

    def _canned_response(self, op: PushOp, hlc: str) -> str:
        return self._row_clock("canned_response", op, hlc)

    def _routing_rule(self, op: PushOp, hlc: str) -> str:
        return self._row_clock("routing_rule", op, hlc)

    def _clinic_setting(self, op: PushOp, hlc: str) -> str:
        row = op.extra.get("row")
        if row is not None:  # a JSON column holding a bare number or text: send it as JSON
            value = json.dumps(row.get("value"), ensure_ascii=False)
            op = replace(op, extra={**op.extra, "row": {**row, "value": value}})
        return self._row_clock("clinic_setting", op, hlc)

    def _saved_search(self, op: PushOp, _hlc: str) -> str:
        row = op.extra.get("row")
        if row is None:
            if op.field != "deleted":
                raise Refused("missing_row")
            self._exec("DELETE FROM saved_search WHERE id = :id", id=op.pk)
            return "applied"
        return self._upsert(
            "saved_search",
            row,
            ("name", "query", "view", "view_value", "owner_id", "position", "updated_at"),
        )

    def _outbox(self, op: PushOp, _hlc: str) -> str:
        return self._insert_row("outbox", op.extra.get("row"))

    def _note(self, op: PushOp, _hlc: str) -> str:
        return self._insert_row("note", op.extra.get("row"))

    def _upsert(self, table: str, row: dict[str, Any] | None, columns: tuple[str, ...]) -> str:
        if not row:
            raise Refused("missing_row")
        names = list(row)
        sets = ", ".join(f"{c} = excluded.{c}" for c in columns if c in row)
        self._exec(
            f"INSERT INTO {table} ({', '.join(names)})"  # noqa: S608 - model column names
            f" VALUES ({', '.join(':' + c for c in names)})"
            f" ON CONFLICT (id) DO UPDATE SET {sets}",
            **_json_ready(row),
        )
        return "applied"

    def _operator(self, op: PushOp, _hlc: str) -> str:
        return self._upsert(
            "operator", op.extra.get("row"), ("name", "role", "departments", "on_duty")
        )

    def _channel_account(self, op: PushOp, _hlc: str) -> str:
        return self._upsert("channel_account", op.extra.get("row"), _ACCOUNT_COLUMNS)


def _json_ready(row: dict[str, Any]) -> dict[str, Any]:
    import json

    return {
        k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
        for k, v in row.items()
    }


class NeedsCare(Exception):
    """An op failed in the database during a fast batch: run the batch again, carefully."""


def apply_ops(
    conn: Connection, ops: list[PushOp], bound_ms: int, *, careful: bool = False
) -> list[Outcome]:
    """Apply a batch of ops in the caller's server transaction, each at most once.

    The ops are first marked applied in one statement (those already marked are duplicates
    of an earlier push). Then each is applied; ``careful`` puts each in a savepoint so a
    database error (a constraint, a value too long) poisons that op alone. Without it (the
    fast path) such an error raises :class:`NeedsCare` and the caller runs the batch again.

    Args:
        conn: The push transaction's connection (holding the server's write lock).
        ops: The PC's ops, oldest first.
        bound_ms: The server's clock plus :data:`CLAMP_AHEAD_MS`: later stamps are clamped.
        careful: One savepoint per op.

    Returns:
        One outcome per op, in order.
    """
    applier = _Applier(conn)
    stamps = [clamp(op.hlc, bound_ms) for op in ops]
    # An op whose row was pruned is known by its node's floor: each PC pushes its ops in the
    # order of their stamps, so everything up to the highest pruned stamp was handled.
    fresh = set(
        conn.execute(
            text(
                "INSERT INTO applied_op (op_id, hlc, sent_hlc)"
                " SELECT u.id, u.hlc, u.sent FROM unnest(CAST(:ids AS text[]),"
                " CAST(:hlcs AS text[]), CAST(:sent AS text[])) AS u(id, hlc, sent)"
                " WHERE NOT EXISTS (SELECT 1 FROM applied_floor f"
                " WHERE f.node = split_part(u.sent, ':', 3)"
                ' AND u.sent COLLATE "C" <= f.hlc COLLATE "C")'
                " ON CONFLICT (op_id) DO NOTHING RETURNING op_id"
            ),
            {
                "ids": [op.op_id for op in ops],
                "hlcs": stamps,
                "sent": [op.hlc for op in ops],
            },
        ).scalars()
    )
    outcomes: list[Outcome] = []
    for op, hlc in zip(ops, stamps, strict=True):
        if op.op_id not in fresh:
            outcomes.append(Outcome(op.op_id, "duplicate"))
            continue
        savepoint = conn.begin_nested() if careful else None
        try:
            result = applier.run(op, hlc)
            if savepoint is not None:
                savepoint.commit()
            outcomes.append(Outcome(op.op_id, result, winner=applier.winner, stamp=hlc))
            continue
        except Refused as exc:
            # Every handler refuses before it changes anything.
            if savepoint is not None:
                savepoint.rollback()
            reason = exc.reason
        except (IntegrityError, DataError, ProgrammingError) as exc:
            if savepoint is None:
                raise NeedsCare(op.op_id) from exc
            savepoint.rollback()
            name = type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__
            reason = _snake(name)[:200]
        conn.execute(text("DELETE FROM applied_op WHERE op_id = :id"), {"id": op.op_id})
        outcomes.append(Outcome(op.op_id, "poison", reason))
    return outcomes


def name_machines(conn: Connection, outcomes: list[Outcome]) -> None:
    """Fill in the machine of each lost op's winner from ``sync_node``."""
    nodes = {_node(o.winner[1]) for o in outcomes if o.winner is not None and o.result == "lost"}
    if not nodes:
        return
    names = machines(conn, nodes)
    for outcome in outcomes:
        if outcome.winner is not None and outcome.result == "lost":
            outcome.machine = names.get(_node(outcome.winner[1]), "")


def machines(conn: Connection, nodes: set[str]) -> dict[str, str]:
    """The machine each node id belongs to, where its process said so (``sync_node``)."""
    rows = conn.execute(
        text("SELECT node, machine FROM sync_node WHERE node = ANY(:n)"), {"n": sorted(nodes)}
    ).all()
    return {str(node): str(machine) for node, machine in rows}


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
