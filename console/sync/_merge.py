"""A PC's own history merged into the clinic server on its first copy.

A PC that worked alone (single-PC mode) holds rows no pending op describes: ingest, the
outbox's settlements and early migrations write none. Before its first copy replaces the
local store with the server's snapshot, :func:`merge_own_rows` sends the rows themselves,
keyed so that running it again — after a crash at any point — adds nothing twice:

- departments, staff, saved searches, replies, notes: inserted if the server lacks the id;
- a channel account the server already has (same connector and external id, added on
  another PC) is that account: this PC's conversations, messages and identities move onto
  its id; otherwise the account is inserted with this PC's id (and cursor);
- a contact identity the server already has (same account and handle) is that identity, and
  its contact the server's contact; other contacts and identities are inserted;
- a conversation the server already has (same account and external thread id) is merged:
  each field by its clock stamp (the later wins), the read position by the higher, the list
  fields (last message, waiting since, snippet) from the side whose last message is later,
  the message count recounted; other conversations are inserted whole;
- messages: inserted unless the server has the id or the (account, external id) — the
  channel's own key, so a message both PCs fetched is kept once;
- labels and the clinic's settings (SLA targets, calendar, canned answers, routing rules,
  clinic settings; each department's assignment mode and turn field by field): the later
  clock stamp wins, as a push would; starter rows never edited (empty stamp) leave the
  server's alone;
- drafts: this PC's text is kept — as the head where the server has none for that
  conversation and member of staff, else as a conflict copy;
- replies (``outbox``): inserted with their state. A ``queued`` one is then sent by the
  leader, once (the reply id is its key); one this PC sent stays ``sent``; one left
  ``sending`` is settled by the leader's lease recovery (sent again only where the channel
  deduplicates, otherwise shown to staff as unknown).

The demo's accounts (``config.demo``, external id ``demo:…``) and everything on them stay
out: practice conversations never reach a real clinic's server. Stamps more than
:data:`~console.sync._push.CLAMP_AHEAD_MS` ahead of the server's clock are brought back to
it, as a push does.

Each step is one server transaction under the server's write lock (like a push): the
accounts, contacts, staff and settings first, then the conversations in chunks with their
messages, labels, drafts, replies and notes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from console.failpoints import failpoint
from console.store.engine import Store
from console.sync._pull import TABLES, columns
from console.sync._push import CONVERSATION_FIELDS, FIELD_CLOCKS, ROW_CLOCKS, clamp

_T = TypeVar("_T")

#: Conversations per server transaction.
MERGE_CHUNK = 500

#: Columns that go along with a conversation field merged by its clock.
_GOES_WITH = {"status": ("resolved_at",), "department": ("department_source",)}
#: List fields taken from the side whose last message is later.
_LIST_FIELDS = (
    "last_message_at",
    "waiting_since",
    "snippet",
    "opened_at",
    "first_response_at",
    "replied_at",
    "replied_wait_from",
)
_CONTACT_CLOCKS = {"display_name": "name_hlc", "notes": "notes_hlc"}


@dataclass(frozen=True)
class OwnData:
    """What a PC holds of its own, before its first copy.

    Attributes:
        conversations: Conversations on real (not demo) accounts.
        accounts: Real channel accounts.
        demo_conversations: The demo's conversations, which stay on this PC only.
    """

    conversations: int
    accounts: int
    demo_conversations: int

    @property
    def any(self) -> bool:
        """Whether there is anything of this PC's own to merge."""
        return self.conversations > 0 or self.accounts > 0


@dataclass
class MergeReport:
    """What a merge sent to the server.

    Attributes:
        conversations: This PC's conversations merged (inserted or joined).
        joined: Of them, conversations the server already had (the same channel thread).
        messages: Messages the server did not have.
        replies: Replies (outbox rows) the server did not have.
        accounts_joined: This PC's channel accounts that were already on the server, as
            (this PC's id, the server's id).
    """

    conversations: int = 0
    joined: int = 0
    messages: int = 0
    replies: int = 0
    accounts_joined: list[tuple[str, str]] = field(default_factory=list)


def _is_demo(account: dict[str, Any]) -> bool:
    config = account.get("config") or {}
    return bool(isinstance(config, dict) and config.get("demo")) or str(
        account.get("external_id", "")
    ).startswith("demo:")


def _rows(s: Session | Connection, table: Table, *where: Any) -> list[dict[str, Any]]:
    names = columns(table)
    query = select(*[table.c[n] for n in names]).where(*where)
    return [dict(zip(names, r, strict=True)) for r in s.execute(query)]


def _demo_accounts(s: Session) -> set[str]:
    return {a["id"] for a in _rows(s, TABLES["channel_account"]) if _is_demo(a)}


def own_data(store: Store) -> OwnData:
    """Count this PC's own conversations and accounts (demo ones apart)."""
    conv = TABLES["conversation"]
    with store.read() as s:
        demo = _demo_accounts(s)
        accounts = s.scalar(select(func.count()).select_from(TABLES["channel_account"])) or 0
        by_account: dict[str, int] = dict(
            s.execute(select(conv.c.account_id, func.count()).group_by(conv.c.account_id)).all()
        )
    demo_convs = sum(n for a, n in by_account.items() if a in demo)
    return OwnData(
        conversations=sum(by_account.values()) - demo_convs,
        accounts=int(accounts) - len(demo),
        demo_conversations=demo_convs,
    )


def _chunks(items: list[_T], n: int) -> Iterator[list[_T]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _in(column: Any, values: Iterable[Any]) -> Any:
    return column.in_(list(values))


class _Merger:
    """One merge: the id maps found on the server, carried from step to step."""

    def __init__(self, local: Store, server: Store, bound_ms: int, stamp: str) -> None:
        self.local = local
        self.server = server
        self.bound_ms = bound_ms
        self.stamp = stamp  # for drafts: the server's "accepted save" stamp
        self.accounts: dict[str, str] = {}
        self.contacts: dict[str, str] = {}
        self.identities: dict[str, str] = {}
        self.demo: set[str] = set()
        self.report = MergeReport()

    def clamp(self, stamp: str | None) -> str:
        return clamp(stamp, self.bound_ms) if stamp else ""

    # -- server transactions ---------------------------------------------------------------

    def _write(self) -> Any:
        # Marked like Store.write: the server's write lock is the first statement.
        return self.server.engine.execution_options(sqlite_begin="IMMEDIATE").connect()

    def insert_absent(self, conn: Connection, tbl: str, rows: list[dict[str, Any]]) -> int:
        """Insert rows the server lacks (by any unique key); the number inserted."""
        if not rows:
            return 0
        table = TABLES[tbl]
        key = next(iter(table.primary_key.columns))
        done = 0
        for i in range(0, len(rows), 500):
            stmt = pg_insert(table).on_conflict_do_nothing().returning(key)
            done += len(conn.execute(stmt, rows[i : i + 500]).all())
        return done

    # -- step 1: staff, accounts, contacts, settings ----------------------------------------

    def people(self) -> None:
        with self.local.read() as s:
            self.demo = _demo_accounts(s)
            departments = _rows(s, TABLES["department"])
            operators = _rows(s, TABLES["operator"])
            accounts = [a for a in _rows(s, TABLES["channel_account"]) if a["id"] not in self.demo]
            identities = [
                i for i in _rows(s, TABLES["contact_identity"]) if i["account_id"] not in self.demo
            ]
            conv = TABLES["conversation"]
            used = {
                c
                for c, a in s.execute(select(conv.c.contact_id, conv.c.account_id))
                if a not in self.demo
            }
            demo_used = {
                c
                for c, a in s.execute(select(conv.c.contact_id, conv.c.account_id))
                if a in self.demo
            }
            contacts = _rows(s, TABLES["contact"])
            settings = {
                tbl: [r for r in _rows(s, TABLES[tbl]) if r.get("hlc")]
                for tbl in ROW_CLOCKS
                if tbl != "conversation_label"
            }
            saved = _rows(s, TABLES["saved_search"])
            modes = _rows(s, TABLES["department_assignment"])
            if self.demo:
                operators = self._referenced(s, operators, saved)
        kept_ids = used | {i["contact_id"] for i in identities}
        demo_ids = (demo_used | {i["contact_id"] for i in self._demo_identities()}) - kept_ids
        contacts = [c for c in contacts if c["id"] not in demo_ids]
        with self._write() as conn, conn.begin():
            self.insert_absent(conn, "department", departments)
            self.insert_absent(conn, "operator", operators)
            self._accounts(conn, accounts)
            self._contacts(conn, contacts, identities)
            for tbl, rows in settings.items():
                self._row_clocks(conn, tbl, rows)
            self.insert_absent(conn, "saved_search", saved)
            self._assignment_modes(conn, modes)
            failpoint("sync.merge.before_server_commit")

    def _demo_identities(self) -> list[dict[str, Any]]:
        if not self.demo:
            return []
        with self.local.read() as s:
            table = TABLES["contact_identity"]
            return _rows(s, table, _in(table.c.account_id, self.demo))

    def _referenced(
        self, s: Session, operators: list[dict[str, Any]], saved: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """With demo data here: only the staff the merged rows name (the demo's own staff
        stay on this PC)."""
        conv = TABLES["conversation"]
        named: set[str] = {r["owner_id"] for r in saved if r["owner_id"]}
        real = conv.c.account_id.not_in(list(self.demo))
        named |= {a for (a,) in s.execute(select(conv.c.assignee_id).where(real)) if a}
        for tbl in ("draft", "outbox", "note"):
            table = TABLES[tbl]
            query = (
                select(table.c.operator_id)
                .join(conv, conv.c.id == table.c.conversation_id)
                .where(real)
            )
            named |= {o for (o,) in s.execute(query) if o}
        return [o for o in operators if o["id"] in named]

    def _accounts(self, conn: Connection, accounts: list[dict[str, Any]]) -> None:
        table = TABLES["channel_account"]
        if not accounts:
            return
        keys = [(a["connector"], a["external_id"]) for a in accounts]
        found = {
            (c, e): i
            for i, c, e in conn.execute(
                select(table.c.id, table.c.connector, table.c.external_id).where(
                    tuple_(table.c.connector, table.c.external_id).in_(keys)
                )
            )
        }
        fresh = []
        for account in accounts:
            server_id = found.get((account["connector"], account["external_id"]))
            if server_id is None:
                fresh.append(account)
                server_id = account["id"]
            elif server_id != account["id"]:
                self.report.accounts_joined.append((account["id"], server_id))
            self.accounts[account["id"]] = server_id
        self.insert_absent(conn, "channel_account", fresh)

    def _contacts(
        self, conn: Connection, contacts: list[dict[str, Any]], identities: list[dict[str, Any]]
    ) -> None:
        ident = TABLES["contact_identity"]
        keys = [(self.accounts[i["account_id"]], i["handle"]) for i in identities]
        found: dict[tuple[str, str], tuple[str, str]] = {}
        for chunk in _chunks(list(range(len(keys))), 1000):
            wanted = [keys[n] for n in chunk]
            for iid, cid, acc, handle in conn.execute(
                select(ident.c.id, ident.c.contact_id, ident.c.account_id, ident.c.handle).where(
                    tuple_(ident.c.account_id, ident.c.handle).in_(wanted)
                )
            ):
                found[(acc, handle)] = (iid, cid)
        for identity, key in zip(identities, keys, strict=True):
            match = found.get(key)
            if match is not None:
                self.identities[identity["id"]] = match[0]
                # This PC's contact is the server's (the first identity the server knows).
                self.contacts.setdefault(identity["contact_id"], match[1])
        for contact in contacts:
            self.contacts.setdefault(contact["id"], contact["id"])
        fresh = [
            {**c, "merged_into": None, **self._contact_stamps(c)}
            for c in contacts
            if self.contacts[c["id"]] == c["id"]
        ]
        self.insert_absent(conn, "contact", fresh)
        self._contact_fields(conn, [c for c in contacts if self.contacts[c["id"]] != c["id"]])
        new_identities = []
        for identity in identities:
            if identity["id"] in self.identities:
                continue
            self.identities[identity["id"]] = identity["id"]
            origin = identity.get("origin_contact_id")
            new_identities.append(
                {
                    **identity,
                    "account_id": self.accounts[identity["account_id"]],
                    "contact_id": self.contact(identity["contact_id"]),
                    "origin_contact_id": self.contacts.get(origin, origin) if origin else None,
                    "contact_hlc": self.clamp(identity["contact_hlc"]),
                }
            )
        self.insert_absent(conn, "contact_identity", new_identities)
        table = TABLES["contact"]
        kept = {c["id"] for c in contacts}
        for contact in contacts:
            target = contact.get("merged_into")
            if not target or target not in kept or self.contacts[contact["id"]] != contact["id"]:
                continue
            stamp = self.clamp(contact["merged_hlc"])
            conn.execute(
                update(table)
                .where(table.c.id == contact["id"], table.c.merged_hlc.collate("C") < stamp)
                .values(merged_into=self.contact(target), merged_hlc=stamp)
            )

    def _contact_stamps(self, contact: dict[str, Any]) -> dict[str, str]:
        return {h: self.clamp(contact[h]) for h in ("name_hlc", "notes_hlc", "merged_hlc")}

    def _contact_fields(self, conn: Connection, contacts: list[dict[str, Any]]) -> None:
        """Name and notes of a contact the server already had: the later stamp wins."""
        table = TABLES["contact"]
        for contact in contacts:
            target = self.contacts[contact["id"]]
            for name, hlc in _CONTACT_CLOCKS.items():
                stamp = self.clamp(contact[hlc])
                if not stamp:
                    continue
                conn.execute(
                    update(table)
                    .where(table.c.id == target, table.c[hlc].collate("C") < stamp)
                    .values({name: contact[name], hlc: stamp})
                )

    def contact(self, contact_id: str) -> str:
        return self.contacts.get(contact_id, contact_id)

    def _assignment_modes(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Each department's auto-assignment mode and round-robin turn: the later stamp of
        each field wins (a department the server has no row for gets this PC's)."""
        table = TABLES["department_assignment"]
        clocks = FIELD_CLOCKS["department_assignment"]
        for given in rows:
            row = {**given, **{h: self.clamp(given[h]) for h in clocks.values()}}
            self.insert_absent(conn, "department_assignment", [row])
            for name, hlc in clocks.items():
                if not row[hlc]:
                    continue
                conn.execute(
                    update(table)
                    .where(
                        table.c.department == row["department"],
                        table.c[hlc].collate("C") < row[hlc],
                    )
                    .values({name: row[name], hlc: row[hlc]})
                )

    def _row_clocks(self, conn: Connection, tbl: str, rows: list[dict[str, Any]]) -> None:
        """Settings rows: the later stamp wins (a row the server lacks is inserted)."""
        table = TABLES[tbl]
        keys = [c.name for c in table.primary_key.columns]
        for given in rows:
            row = {**given, "hlc": self.clamp(given["hlc"])}
            stmt = pg_insert(table).values(row)
            stmt = stmt.on_conflict_do_update(
                index_elements=keys,
                set_={c: stmt.excluded[c] for c in row if c not in keys},
                where=table.c.hlc.collate("C") < stmt.excluded.hlc,
            )
            conn.execute(stmt)

    # -- step 2: conversations, in chunks ----------------------------------------------------

    def conversation_ids(self) -> list[str]:
        conv = TABLES["conversation"]
        with self.local.read() as s:
            query = select(conv.c.id).order_by(conv.c.id)
            if self.demo:
                query = query.where(conv.c.account_id.not_in(list(self.demo)))
            return list(s.scalars(query))

    def conversations(self, ids: list[str]) -> None:
        """Merge one chunk of this PC's conversations with everything on them."""
        local = self._read_chunk(ids)
        with self._write() as conn, conn.begin():
            mapping, existing = self._conversation_rows(conn, local["conversation"])
            self._children(conn, local, mapping)
            self._recount(conn, sorted(existing))
            failpoint("sync.merge.before_server_commit")
        self.report.conversations += len(ids)

    def _read_chunk(self, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        with self.local.read() as s:
            for tbl in ("conversation", "thread_ref", "conversation_label", "message"):
                table = TABLES[tbl]
                key = table.c.id if tbl == "conversation" else table.c.conversation_id
                out[tbl] = _rows(s, table, _in(key, ids))
            for tbl in ("draft", "outbox", "note"):
                table = TABLES[tbl]
                out[tbl] = _rows(s, table, _in(table.c.conversation_id, ids))
        return out

    def _conversation_rows(
        self, conn: Connection, convs: list[dict[str, Any]]
    ) -> tuple[dict[str, str], set[str]]:
        """Insert the conversations the server lacks, merge the others; returns this PC's
        id → the server's, and the server's ids of those it already had."""
        table = TABLES["conversation"]
        for conv in convs:
            conv["account_id"] = self.accounts.get(conv["account_id"], conv["account_id"])
            conv["contact_id"] = self.contact(conv["contact_id"])
            if conv["identity_id"]:
                conv["identity_id"] = self.identities.get(conv["identity_id"], conv["identity_id"])
            for hlc in CONVERSATION_FIELDS.values():
                conv[hlc] = self.clamp(conv[hlc])
        keys = [(c["account_id"], c["external_thread_id"]) for c in convs]
        names = columns(table)
        server = (
            {
                (r["account_id"], r["external_thread_id"]): r
                for r in _rows(
                    conn, table, tuple_(table.c.account_id, table.c.external_thread_id).in_(keys)
                )
            }
            if keys
            else {}
        )
        mapping: dict[str, str] = {}
        existing: set[str] = set()
        fresh = []
        for conv, key in zip(convs, keys, strict=True):
            theirs = server.get(key)
            if theirs is None:
                fresh.append({n: conv[n] for n in names})
                mapping[conv["id"]] = conv["id"]
                continue
            mapping[conv["id"]] = theirs["id"]
            existing.add(theirs["id"])
            if theirs["id"] != conv["id"]:
                self.report.joined += 1
            changed = self._merged_fields(conv, theirs)
            if changed:
                conn.execute(update(table).where(table.c.id == theirs["id"]).values(changed))
        self.insert_absent(conn, "conversation", fresh)
        return mapping, existing

    @staticmethod
    def _merged_fields(mine: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, hlc in CONVERSATION_FIELDS.items():
            if mine[hlc] > theirs[hlc]:
                out[name], out[hlc] = mine[name], mine[hlc]
                for extra in _GOES_WITH.get(name, ()):
                    out[extra] = mine[extra]
        if mine["read_upto"] > theirs["read_upto"]:
            out["read_upto"] = mine["read_upto"]
        if mine["last_message_at"] > theirs["last_message_at"]:
            out.update({n: mine[n] for n in _LIST_FIELDS})
        if (mine["last_inbound_at"] or 0) > (theirs["last_inbound_at"] or 0):
            out["last_inbound_at"] = mine["last_inbound_at"]
        if mine["created_at"] < theirs["created_at"]:
            out["created_at"] = mine["created_at"]
        for name in ("subject", "suggested_department", "suggestion_confidence"):
            if not theirs[name] and mine[name]:
                out[name] = mine[name]
        return {k: v for k, v in out.items() if theirs.get(k) != v}

    def _children(
        self, conn: Connection, local: dict[str, list[dict[str, Any]]], mapping: dict[str, str]
    ) -> None:
        def moved(row: dict[str, Any]) -> dict[str, Any]:
            out = {**row, "conversation_id": mapping[row["conversation_id"]]}
            if "account_id" in out:
                out["account_id"] = self.accounts.get(out["account_id"], out["account_id"])
            return out

        self.insert_absent(conn, "thread_ref", [moved(r) for r in local["thread_ref"]])
        self.report.messages += self.insert_absent(
            conn, "message", [moved(r) for r in local["message"]]
        )
        labels = [{**moved(r), "hlc": self.clamp(r["hlc"])} for r in local["conversation_label"]]
        self._row_clocks(conn, "conversation_label", labels)
        self.insert_absent(conn, "note", [moved(r) for r in local["note"]])
        self._drafts(conn, [moved(r) for r in local["draft"]])
        self.report.replies += self.insert_absent(
            conn, "outbox", [moved(r) for r in local["outbox"]]
        )

    def _drafts(self, conn: Connection, drafts: list[dict[str, Any]]) -> None:
        """This PC's drafts: the head where the server has none for the slot, otherwise a
        conflict copy, so no text is dropped."""
        table = TABLES["draft"]
        if not drafts:
            return
        known = set(
            conn.scalars(select(table.c.id).where(_in(table.c.id, [d["id"] for d in drafts])))
        )
        for draft in sorted(drafts, key=lambda d: d["is_conflict"]):
            if draft["id"] in known:
                continue
            head = conn.execute(
                select(table.c.id).where(
                    table.c.conversation_id == draft["conversation_id"],
                    table.c.operator_id.is_(None)
                    if draft["operator_id"] is None
                    else table.c.operator_id == draft["operator_id"],
                    table.c.is_conflict.is_(False),
                )
            ).first()
            row = {
                **draft,
                "hlc": self.stamp,
                "is_conflict": draft["is_conflict"] or head is not None,
            }
            conn.execute(pg_insert(table).values(row).on_conflict_do_nothing())

    def _recount(self, conn: Connection, ids: list[str]) -> None:
        """Each conversation's message count from the messages it now has."""
        if not ids:
            return
        msg = TABLES["message"]
        conv = TABLES["conversation"]
        counts: dict[str, int] = dict(
            conn.execute(
                select(msg.c.conversation_id, func.count())
                .where(_in(msg.c.conversation_id, ids))
                .group_by(msg.c.conversation_id)
            ).all()
        )
        for cid in ids:
            conn.execute(
                update(conv)
                .where(conv.c.id == cid, conv.c.message_count != counts.get(cid, 0))
                .values(message_count=counts.get(cid, 0))
            )


def merge_own_rows(
    local: Store,
    server: Store,
    bound_ms: int,
    stamp: str,
    progress: Callable[[int, int], None] | None = None,
) -> MergeReport:
    """Send this PC's own rows to the server (see the module docstring).

    Args:
        local: This PC's store, before its first copy.
        server: The clinic server's store.
        bound_ms: The server's clock plus the clamp allowance: later stamps are clamped.
        stamp: The stamp merged drafts carry as the server's accepted save.
        progress: Called with ``(conversations done, conversations in total)``.

    Returns:
        What was sent.
    """
    merger = _Merger(local, server, bound_ms, stamp)
    merger.people()
    ids = merger.conversation_ids()
    if progress is not None:
        progress(0, len(ids))
    for chunk in _chunks(ids, MERGE_CHUNK):
        merger.conversations(chunk)
        if progress is not None:
            progress(merger.report.conversations, len(ids))
        failpoint("sync.merge.between_chunks")
    return merger.report
