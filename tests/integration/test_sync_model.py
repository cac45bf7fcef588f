"""A model-based test of sync: three PCs and the clinic server, driven by hypothesis.

Rules: staff on any PC tag, label, assign, change status, read, edit drafts and queue replies;
the leader stores a customer message on the server; a PC syncs, is cut off from the server,
loses the acknowledgement of a push (the server applied it, the PC "crashes" before deleting
its ops and pushes them again), delivers a batch in reverse order, runs its clock two hours
fast or slow, crashes (its store and engine are dropped between two transactions and opened
again; real process kills are ``test_sync_kill.py``'s), or is set up again by a full initial
sync. Time is a shared fake clock that each rule moves on.

At quiescence (every PC back on the network, synced until nothing is left to push, then once
more so everyone has pulled everything): every PC equals the server on the replicated fields;
every field holds the value of its highest clock stamp (as the server stored it, clamped);
the read position is the highest; no draft text was lost (every text still live — saved, and
not replaced or sent by someone who saw it — is a draft or a conflict copy on the server, or
a queued reply); every reply queued exists exactly once.

CI runs :data:`EXAMPLES` examples of up to :data:`STEPS` steps, derandomized: about two and a
half minutes on the shared two-core machine at a load of 2 (0.45 s an example; before, 1 to
2.5 s), about four at a load of 4.5.
What an example costs is mostly sync rounds (push, pull, SQLAlchemy on both ends), so the
fixed part is kept small: the server's tables are emptied with one multi-table DELETE and
seeded in two transactions, and each PC is a copy of one store file, migrated and initially
synced once per session. ``SOTONG_SYNC_EXAMPLES=5000 SOTONG_SYNC_STEPS=30`` runs a longer
search with new examples each time (ARCHITECTURE.md, "Sync", has the figures).
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)
from sqlalchemy import URL, func, select, text
from sqlalchemy.orm import sessionmaker

from console import errors, services
from console.channels.base import FetchResult, InboundMessage
from console.domain import Role
from console.ids import new_id
from console.ingest import ingest
from console.store.engine import DB_NAME, Store, open_store, sqlite_engine
from console.store.models import (
    ChannelAccount,
    Conversation,
    ConversationLabel,
    Draft,
    Operator,
    Outbox,
    PendingOp,
    SyncPoison,
)
from console.store.server import open_server_store, server_engine
from console.sync.engine import SyncEngine
from tests.helpers.factory import now_ms
from tests.helpers.pg import PgServer, pg_server_fixture  # noqa: F401 - fixture

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("SOTONG_SYNC_EXAMPLES", "300"))
STEPS = int(os.environ.get("SOTONG_SYNC_STEPS", "25"))
#: CI's run is derandomized (the same examples every time, so a failure on main reproduces
#: anywhere); a long run (``SOTONG_SYNC_EXAMPLES`` set) draws new ones each time.
LONG_RUN = "SOTONG_SYNC_EXAMPLES" in os.environ
REPLICAS = 3
HOUR = 3600 * 1000
FIELDS = ("status", "department", "assignee_id", "priority")
HLC_COLUMN = {
    "status": "status_hlc",
    "department": "department_hlc",
    "assignee_id": "assignee_hlc",
    "priority": "priority_hlc",
}
_texts = itertools.count(1)


class World:
    """What every example shares: the server database (emptied between examples), a template
    PC store file, and the rows every example starts with."""

    def __init__(self, pg: PgServer) -> None:
        self.pg = pg
        self.name = pg.create_database()
        self.url: URL = pg.url(self.name)
        self.server = open_server_store(self.url)
        self.dead = _unreachable(self.url)
        self.root = Path(tempfile.mkdtemp(prefix="sotong-sync-model-", dir=_fast_tmp()))
        self.examples = 0
        self._empty()
        # A PC set up once against the empty server (migrated, initial sync done: it knows
        # the server's epoch, its cursor is before anything an example writes). Each example
        # copies it, so its PCs start by pulling the example's rows like any PC already in
        # service; the initial sync itself runs in the examples through the resync rule.
        template = open_store(self.root / "template")
        first = SyncEngine(template, self.server)
        first.sync_once()
        first.close()
        template.close()
        self.template = self.root / "template" / DB_NAME

    def reset(self) -> tuple[list[str], list[str]]:
        """Empty the server's tables; seed an account, two conversations and two staff."""
        self._empty()
        self.examples += 1
        account, now = new_id(), now_ms()
        # The staff member who acts may take a conversation from a colleague (REASSIGN).
        operators = [new_id(), new_id()]
        with self.server.write() as s:
            s.add(
                ChannelAccount(
                    id=account,
                    kind="kakaotalk",
                    connector="test",
                    external_id=f"test:{account}",
                    display_name="테스트 채널",
                    config={},
                    enabled=True,
                    created_at=now,
                )
            )
            for oid, name, role in zip(
                operators, ("김지현", "이수진"), (Role.COORDINATOR, Role.FRONT_DESK), strict=True
            ):
                s.add(
                    Operator(
                        id=oid,
                        name=name,
                        role=role.value,
                        departments=["general"],
                        on_duty=True,
                        created_at=now,
                    )
                )
        first = [
            InboundMessage(
                external_id=f"seed-{n}",
                thread_id=f"thread-user{n}",
                handle=f"user{n}",
                contact_name="김민지",
                direction="in",
                body=body,
                sent_at=now - 600_000,
            )
            for n, body in enumerate(("쌍수 상담 가능할까요?", "스케일링 예약 문의"))
        ]
        ingest(self.server, account, FetchResult(first, "seed"))
        with self.server.read() as s:
            by_thread = {
                thread: cid
                for thread, cid in s.execute(
                    select(Conversation.external_thread_id, Conversation.id)
                )
            }
        self.account = account
        return [by_thread[m.thread_id] for m in first], operators

    def _empty(self) -> None:
        """Delete every row an example writes on the server, the change log included."""
        tables = [
            "note",
            "outbox",
            "draft",
            "message",
            "conversation_label",
            "thread_ref",
            "conversation",
            "contact_identity",
            "contact",
            "channel_account",
            "saved_search",
            "operator",
            "change_log",
            "applied_op",
            "pending_op",
            "audit_event",
        ]
        with self.server.write() as s:  # DELETE: TRUNCATE makes new files, slower here
            s.connection().exec_driver_sql("; ".join(f"DELETE FROM {t}" for t in tables))

    def replica_path(self, i: int) -> Path:
        folder = self.root / f"ex{self.examples}" / f"pc{i}"
        folder.mkdir(parents=True)
        path = folder / DB_NAME
        shutil.copyfile(self.template, path)
        with sqlite3.connect(path) as conn:  # each PC its own node id
            conn.execute("UPDATE sync_state SET node_id = ?", (f"pc{i}x{self.examples}",))
        return path

    def close(self) -> None:
        self.server.close()
        self.dead.engine.dispose()
        shutil.rmtree(self.root, ignore_errors=True)
        self.pg.drop_database(self.name)


def _fast_tmp() -> str | None:
    return "/dev/shm" if os.path.isdir("/dev/shm") else None


def _unreachable(url: URL) -> Store:
    """A server store whose server refuses connections (a PC cut off from the network)."""
    from tests.helpers.pg import free_port

    store = Store.__new__(Store)
    store.engine = server_engine(url.set(port=free_port()), connect_timeout=1)
    store.path = None
    store._reader = sessionmaker(store.engine)
    store._writer = sessionmaker(store.engine.execution_options(sqlite_begin="IMMEDIATE"))
    return store


@pytest.fixture(scope="module")
def world(pg_server: PgServer) -> Iterator[World]:
    w = World(pg_server)
    yield w
    w.close()


class Replica:
    """One PC: its store, its sync engine, and what the model knows of it."""

    def __init__(self, world: World, i: int, clock: list[int]) -> None:
        self.world = world
        self.i = i
        self.path = world.replica_path(i)
        self.clock = clock
        self.skew = 0
        self.partitioned = False
        self.open()

    def open(self) -> None:
        self.store = Store(sqlite_engine(self.path), self.path)
        self.store.clock._wall = lambda: self.clock[0] + self.skew
        self.engine = SyncEngine(self.store, self.world.server, server_clock=lambda: self.clock[0])
        self.cut = SyncEngine(self.store, self.world.dead)

    def close(self) -> None:
        self.engine.close()
        self.cut.close()
        self.store.close()

    def pending(self, after: int = 0) -> list[PendingOp]:
        """The unsent ops, oldest first (those after ``seq``)."""
        with self.store.read() as s:
            query = select(PendingOp).where(PendingOp.seq > after).order_by(PendingOp.seq)
            return list(s.scalars(query))

    def last_seq(self) -> int:
        with self.store.read() as s:
            return s.scalar(select(func.max(PendingOp.seq))) or 0


class SyncModel(RuleBasedStateMachine):
    """The state machine; ``world`` is set by the test before it runs."""

    world: World

    @initialize()
    def setup(self) -> None:
        self.convs, self.operators = self.world.reset()
        self.clock = [now_ms()]
        self.world.server.clock._wall = lambda: self.clock[0]
        self.replicas = [Replica(self.world, i, self.clock) for i in range(REPLICAS)]
        for r in self.replicas:
            r.engine.sync_once()
        self.field_ops: dict[str, tuple[str, str, str, Any]] = {}  # op id -> conv, field, ...
        self.read_max: dict[str, int] = {}
        self.live: set[str] = set()
        self.replies: set[str] = set()
        self.inbound = itertools.count(1)

    def teardown(self) -> None:
        for r in getattr(self, "replicas", []):
            r.close()
        if hasattr(self, "replicas"):
            shutil.rmtree(self.replicas[0].path.parent.parent, ignore_errors=True)

    # -- helpers --------------------------------------------------------------------------

    def _tick(self, ms: int) -> None:
        self.clock[0] += ms

    def _edit(self, r: Replica, fn: Any) -> None:
        before = r.last_seq()
        fn()
        for op in r.pending(after=before):
            self.field_ops[op.op_id] = (op.tbl, op.pk, op.field, op.value)

    def _head_text(self, r: Replica, cid: str, operator: str) -> str | None:
        with r.store.read() as s:
            d = s.scalars(
                select(Draft).where(
                    Draft.conversation_id == cid,
                    Draft.operator_id == operator,
                    Draft.is_conflict.is_(False),
                )
            ).first()
            return d.body if d is not None else None

    # -- staff on a PC --------------------------------------------------------------------

    @rule(
        r=st.integers(0, REPLICAS - 1),
        c=st.integers(0, 1),
        dept=st.sampled_from(["plastic", "dental", "derm", None]),
        dt=st.integers(1, 3000),
    )
    def tag(self, r: int, c: int, dept: str | None, dt: int) -> None:
        self._tick(dt)
        rep = self.replicas[r]
        self._edit(
            rep,
            lambda: services.tag_department(
                rep.store, services.Actor(self.operators[0]), self.convs[c], dept
            ),
        )

    @rule(
        r=st.integers(0, REPLICAS - 1),
        c=st.integers(0, 1),
        who=st.integers(-1, 1),
        dt=st.integers(1, 3000),
    )
    def assign(self, r: int, c: int, who: int, dt: int) -> None:
        self._tick(dt)
        rep = self.replicas[r]
        operator = None if who < 0 else self.operators[who]
        self._edit(
            rep,
            lambda: services.assign(
                rep.store, services.Actor(self.operators[0]), self.convs[c], operator
            ),
        )

    @rule(
        r=st.integers(0, REPLICAS - 1),
        c=st.integers(0, 1),
        status=st.sampled_from(["open", "pending", "resolved"]),
        dt=st.integers(1, 3000),
    )
    def status(self, r: int, c: int, status: str, dt: int) -> None:
        self._tick(dt)
        rep = self.replicas[r]
        self._edit(
            rep,
            lambda: services.set_status(
                rep.store, services.Actor(self.operators[0]), self.convs[c], status
            ),
        )

    @rule(
        r=st.integers(0, REPLICAS - 1),
        c=st.integers(0, 1),
        label=st.sampled_from(["VIP", "재방문", "보험"]),
        present=st.booleans(),
        dt=st.integers(1, 3000),
    )
    def label(self, r: int, c: int, label: str, present: bool, dt: int) -> None:
        self._tick(dt)
        rep = self.replicas[r]
        fn = services.add_label if present else services.remove_label
        self._edit(
            rep, lambda: fn(rep.store, services.Actor(self.operators[0]), self.convs[c], label)
        )

    @rule(r=st.integers(0, REPLICAS - 1), c=st.integers(0, 1), dt=st.integers(1, 3000))
    def read(self, r: int, c: int, dt: int) -> None:
        self._tick(dt)
        rep = self.replicas[r]
        self._edit(
            rep,
            lambda: services.mark_read(rep.store, services.Actor(self.operators[0]), self.convs[c]),
        )

    @rule(
        r=st.integers(0, REPLICAS - 1),
        c=st.sampled_from([0, 0, 0, 1]),
        who=st.sampled_from([0, 0, 0, 1]),
        clear=st.booleans(),
        dt=st.integers(1, 3000),
    )
    def draft(self, r: int, c: int, who: int, clear: bool, dt: int) -> None:
        self._tick(dt)
        rep = self.replicas[r]
        cid, operator = self.convs[c], self.operators[who]
        before = self._head_text(rep, cid, operator)
        body = "" if clear and before is not None else f"답장 초안 {next(_texts)}"
        self._edit(rep, lambda: services.save_draft(rep.store, services.Actor(operator), cid, body))
        if before is not None:
            self.live.discard(before)  # replaced (or cleared) by someone who saw it
        if body:
            self.live.add(body)

    @rule(r=st.integers(0, REPLICAS - 1), dt=st.integers(1, 3000))
    def edit_the_shared_draft(self, r: int, dt: int) -> None:
        """The most contended draft (first conversation, first member of staff), edited
        again: concurrent saves of one synced draft are where text could be lost."""
        self.draft(r, 0, 0, False, dt)

    @rule(r=st.integers(0, REPLICAS - 1), dt=st.integers(1, 3000))
    def edit_the_shared_draft_twice(self, r: int, dt: int) -> None:
        """Two saves of the shared draft before this PC syncs: the second one's parent is the
        PC's own first save, whose revision number another PC's push may have reached
        meanwhile — only the stamp it was based on tells the two apart."""
        self.draft(r, 0, 0, False, dt)
        self.draft(r, 0, 0, False, 1)

    @rule(
        r=st.integers(0, REPLICAS - 1),
        c=st.sampled_from([0, 0, 0, 1]),
        who=st.sampled_from([0, 0, 0, 1]),
        dt=st.integers(1, 3000),
    )
    def queue(self, r: int, c: int, who: int, dt: int) -> None:
        self._tick(dt)
        rep = self.replicas[r]
        cid, operator = self.convs[c], self.operators[who]
        before = self._head_text(rep, cid, operator)
        body = before or f"바로 보내는 답장 {next(_texts)}"
        rid: list[str] = []
        self._edit(
            rep,
            lambda: rid.append(
                services.queue_reply(rep.store, services.Actor(operator), cid, body)
            ),
        )
        self.replies.add(rid[0])
        if before is not None:
            self.live.discard(before)  # it went out as the reply

    # -- the leader -----------------------------------------------------------------------

    @rule(c=st.integers(0, 1), dt=st.integers(1, 3000))
    def customer_writes(self, c: int, dt: int) -> None:
        self._tick(dt)
        with self.world.server.read() as s:
            conv = s.get(Conversation, self.convs[c])
            assert conv is not None
            thread, contact = conv.external_thread_id, conv.contact_id
        handle = thread.removeprefix("thread-")
        n = next(self.inbound)
        message = InboundMessage(
            external_id=f"model-{n}",
            thread_id=thread,
            handle=handle,
            contact_name="고객",
            direction="in",
            body=f"추가 문의 {n}",
            sent_at=self.clock[0],
        )
        ingest(self.world.server, self.world.account, FetchResult([message], f"m{n}"))
        del contact

    # -- the network and the PCs ------------------------------------------------------------

    @rule(r=st.integers(0, REPLICAS - 1))
    def sync(self, r: int) -> None:
        rep = self.replicas[r]
        if rep.partitioned:
            pending = len(rep.pending())
            with pytest.raises(errors.ServerUnavailable):
                rep.cut.sync_once()
            assert len(rep.pending()) == pending
            return
        rep.engine.sync_once()

    @rule()
    def sync_all(self) -> None:
        """Every PC on the network syncs, in order."""
        for r in range(REPLICAS):
            if not self.replicas[r].partitioned:
                self.replicas[r].engine.sync_once()

    @rule(r=st.integers(0, REPLICAS - 1))
    def partition(self, r: int) -> None:
        self.replicas[r].partitioned = not self.replicas[r].partitioned

    @rule(r=st.integers(0, REPLICAS - 1), twice=st.booleans())
    def lose_ack(self, r: int, twice: bool) -> None:
        """The server commits a push; the PC dies before deleting its ops."""
        rep = self.replicas[r]
        if rep.partitioned:
            return
        batch = rep.engine._read_batch()
        if batch:
            rep.engine._push_batch(batch)
            if twice:
                rep.engine._push_batch(batch)
        self._crash(rep)

    @rule(r=st.integers(0, REPLICAS - 1))
    def reorder(self, r: int) -> None:
        """A batch reaches the server in reverse order."""
        rep = self.replicas[r]
        if rep.partitioned:
            return
        batch = rep.engine._read_batch()
        if batch:
            outcomes = rep.engine._push_batch(list(reversed(batch)))
            by_id = {o.op_id: o for o in outcomes}
            rep.engine._settle(batch, [by_id[op.op_id] for op in batch])

    @rule(r=st.integers(0, REPLICAS - 1))
    def resync(self, r: int) -> None:
        """The PC is set up again from a consistent snapshot of the server (a reinstalled
        PC, or one that missed a server restore): its unsent edits are pushed first."""
        rep = self.replicas[r]
        if rep.partitioned:
            return
        rep.engine.initial_sync()

    @rule(r=st.integers(0, REPLICAS - 1), skew=st.sampled_from([-2 * HOUR, 0, 2 * HOUR]))
    def skew_clock(self, r: int, skew: int) -> None:
        self.replicas[r].skew = skew

    @rule(r=st.integers(0, REPLICAS - 1))
    def crash(self, r: int) -> None:
        self._crash(self.replicas[r])

    def _crash(self, rep: Replica) -> None:
        rep.close()
        rep.open()

    # -- what must always hold ------------------------------------------------------------

    @invariant()
    def nothing_set_aside(self) -> None:
        if not hasattr(self, "replicas"):
            return
        for rep in self.replicas:
            with rep.store.engine.connect() as conn:
                assert conn.execute(select(SyncPoison.op_id).limit(1)).first() is None

    def quiesce(self) -> None:
        for rep in self.replicas:
            rep.partitioned = False
        for _ in range(2):  # the first round pushes everything, the second pulls it all
            for rep in self.replicas:
                rep.engine.sync_once()
        for rep in self.replicas:
            assert rep.pending() == []

    def check(self) -> None:
        server = self.world.server
        expected = _snapshot(server)
        for rep in self.replicas:
            assert _snapshot(rep.store) == expected, f"PC {rep.i} differs from the server"
        with server.read() as s:
            applied = dict(s.execute(text("SELECT op_id, hlc FROM applied_op")).all())
            own = [(o.tbl, o.pk, o.field, o.value, o.hlc) for o in s.scalars(select(PendingOp))]
        # Every field holds the value of its highest stamp (as the server stored it).
        best: dict[tuple[str, str, str], tuple[str, Any]] = {}
        read_max: dict[str, int] = {}
        writes = [
            (tbl, pk, name, value, applied[op_id])
            for op_id, (tbl, pk, name, value) in self.field_ops.items()
            if op_id in applied
        ] + own
        assert {op_id for op_id in self.field_ops} <= set(applied), "an op never reached it"
        for tbl, pk, name, value, stamp in writes:
            if tbl == "conversation" and name == "read_upto":
                read_max[pk] = max(read_max.get(pk, 0), int(value))
            elif (tbl == "conversation" and name in FIELDS) or tbl == "conversation_label":
                key = (tbl, pk, name)
                if key not in best or stamp > best[key][0]:
                    best[key] = (stamp, value)
        convs = {row["id"]: row for row in expected["conversation"]}
        labels = {f"{r['conversation_id']}/{r['label']}": r for r in expected["label"]}
        for (tbl, pk, name), (stamp, value) in best.items():
            if tbl == "conversation":
                assert (convs[pk][name], convs[pk][HLC_COLUMN[name]]) == (value, stamp)
            else:
                assert (labels[pk]["present"], labels[pk]["hlc"]) == (value, stamp)
        for cid, upto in read_max.items():
            assert convs[cid]["read_upto"] == upto
        # No draft text lost; every reply exactly once.
        kept = {d["body"] for d in expected["draft"]} | {o["body"] for o in expected["outbox"]}
        assert self.live <= kept, f"lost draft text: {self.live - kept}"
        outbox_ids = [o["id"] for o in expected["outbox"]]
        assert sorted(outbox_ids) == sorted(self.replies)


def _snapshot(store: Store) -> dict[str, list[dict[str, Any]]]:
    """The replicated fields of a store, in a comparable form."""
    with store.read() as s:
        convs = [
            {
                c: getattr(row, c)
                for c in (
                    "id",
                    "status",
                    "status_hlc",
                    "department",
                    "department_hlc",
                    "assignee_id",
                    "assignee_hlc",
                    "priority",
                    "priority_hlc",
                    "read_upto",
                    "message_count",
                    "snippet",
                    "folder",
                    "unread",
                    "queue_key",
                )
            }
            for row in s.scalars(select(Conversation).order_by(Conversation.id))
        ]
        labels = [
            {
                "conversation_id": r.conversation_id,
                "label": r.label,
                "present": r.present,
                "hlc": r.hlc,
            }
            for r in s.scalars(
                select(ConversationLabel).order_by(
                    ConversationLabel.conversation_id, ConversationLabel.label
                )
            )
        ]
        drafts = [
            {
                "id": d.id,
                "body": d.body,
                "rev": d.rev,
                "is_conflict": d.is_conflict,
                "operator_id": d.operator_id,
                "hlc": d.hlc,
            }
            for d in s.scalars(select(Draft).order_by(Draft.id))
        ]
        outbox = [
            {"id": o.id, "body": o.body, "state": o.state}
            for o in s.scalars(select(Outbox).order_by(Outbox.id))
        ]
        messages = sorted(s.execute(text("SELECT id FROM message")).scalars())
    return {
        "conversation": convs,
        "label": labels,
        "draft": drafts,
        "outbox": outbox,
        "message": [{"id": m} for m in messages],
    }


def test_replicas_converge_and_lose_nothing(world: World) -> None:
    SyncModel.world = world

    class Final(SyncModel):
        def teardown(self) -> None:
            try:
                if hasattr(self, "replicas"):
                    self.quiesce()
                    self.check()
            finally:
                super().teardown()

    Final.TestCase.settings = settings(
        max_examples=EXAMPLES,
        stateful_step_count=STEPS,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
        derandomize=not LONG_RUN,
        print_blob=True,
    )
    Final.TestCase().runTest()
