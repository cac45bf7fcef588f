"""Staff coming on duty on one PC, with a clinic server (a real PostgreSQL): only the leader
hands out the department's waiting conversations — once per change, never to anyone off
duty, through the ordinary audit and pending-op path — and every PC sees who got what."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import URL, select

from console import services
from console.domain import AssignMode, Role
from console.runtime import Runtime
from console.store.engine import Store, open_store
from console.store.models import AuditEvent, Conversation, PendingOp
from console.store.server import open_server_store
from console.sync.engine import SyncEngine
from console.sync.leader import Leader
from tests.helpers.factory import add_account, add_conversation, add_operator
from tests.helpers.pg import (  # noqa: F401 - fixtures
    PgServer,
    pg_server_fixture,
    pg_url_fixture,
)

pytestmark = pytest.mark.slow

SYSTEM = services.Actor(None)


class Clinic:
    """A server with dermatology on round-robin, two of its staff off duty, three waiting
    dermatology conversations; PCs and leaders opened on it."""

    def __init__(self, url: URL, root: Path) -> None:
        self.url, self.root = url, root
        self.server = open_server_store(url)
        account = add_account(self.server)
        self.minji = add_operator(self.server, "김민지", Role.COORDINATOR, ("derm",))
        self.sora = add_operator(self.server, "이소라", Role.COORDINATOR, ("derm",))
        for oid in (self.minji, self.sora):
            services.set_on_duty(self.server, SYSTEM, oid, False)
        services.set_assignment_mode(self.server, SYSTEM, "derm", AssignMode.ROUND_ROBIN)
        self.waiting = [
            add_conversation(
                self.server, account, [("in", f"여드름 흉터 문의 {n}")], minutes_ago=30 - n
            )
            for n in range(3)
        ]
        for cid in self.waiting:
            services.tag_department(self.server, SYSTEM, cid, "derm")  # nobody on duty: waits
        self.account = account
        self.pcs: list[tuple[Store, Store, SyncEngine]] = []
        self.leaders: list[tuple[Leader, Runtime]] = []

    def pc(self, name: str) -> tuple[Store, SyncEngine]:
        local = open_store(self.root / name)
        server = open_server_store(self.url)
        engine = SyncEngine(local, server)
        self.pcs.append((local, server, engine))
        engine.sync_once()
        return local, engine

    def lead(self) -> Runtime:
        """A process that takes the leader lock and runs its runtime on the server, fenced."""
        leader = Leader(self.url)
        assert leader.try_acquire()
        runtime = Runtime(self.server, {}, fence=leader)
        self.leaders.append((leader, runtime))
        return runtime

    def assignees(self, store: Store | None = None) -> dict[str, str | None]:
        with (store or self.server).read() as s:
            rows = s.execute(
                select(Conversation.id, Conversation.assignee_id).where(
                    Conversation.id.in_(self.waiting)
                )
            ).all()
        return dict(rows)

    def close(self) -> None:
        for leader, runtime in self.leaders:
            runtime.close()
            leader.release()
            leader.close()
        for local, server, engine in self.pcs:
            engine.close()
            local.close()
            server.close()
        self.server.close()


@pytest.fixture
def clinic(pg_url: URL, tmp_path: Path) -> Iterator[Clinic]:
    c = Clinic(pg_url, tmp_path)
    yield c
    c.close()


def _audit(store: Store, action: str) -> list[dict[str, object]]:
    with store.read() as s:
        return list(s.scalars(select(AuditEvent.detail).where(AuditEvent.action == action)))


def test_a_pc_puts_someone_on_duty_and_the_leader_hands_out_once(clinic: Clinic) -> None:
    _a, sync_a = clinic.pc("a")  # the PC that leads
    b, sync_b = clinic.pc("b")  # the front desk, where staff mark 김민지 on duty
    runtime = clinic.lead()
    assert not runtime.hand_out_on_duty().conversations  # the first look only notes the state

    # On B, with a server, nothing is handed out locally: only the leader assigns.
    changes = services.set_on_duty(b, SYSTEM, clinic.minji, True, hand_out=False)
    assert not changes.conversations
    assert set(clinic.assignees(b).values()) == {None}
    sync_b.sync_once()
    assert set(clinic.assignees().values()) == {None}  # the push alone assigns nothing

    # The leader PC's round pulls the change; its hook after the round hands out.
    sync_a.sync_once()
    given = runtime.hand_out_on_duty()
    assert given.conversations == frozenset(clinic.waiting)
    assert set(clinic.assignees().values()) == {clinic.minji}  # 이소라 is off duty
    # The same path as any automatic assignment: audit events and clocked pending ops.
    assert len(_audit(clinic.server, "auto_assign")) == 3
    with clinic.server.read() as s:
        ops = s.scalars(
            select(PendingOp.pk).where(
                PendingOp.tbl == "conversation", PendingOp.field == "assignee_id"
            )
        ).all()
        stamps = s.scalars(
            select(Conversation.assignee_hlc).where(Conversation.id.in_(clinic.waiting))
        ).all()
    assert set(clinic.waiting) <= set(ops)
    assert all(stamps)

    # Exactly once: a colleague lets go of one; later rounds do not hand it out again.
    services.assign(clinic.server, SYSTEM, clinic.waiting[0], None)
    sync_a.sync_once()
    assert not runtime.hand_out_on_duty().conversations
    assert clinic.assignees()[clinic.waiting[0]] is None
    # Every PC sees who got what.
    sync_b.sync_once()
    assert clinic.assignees(b)[clinic.waiting[1]] == clinic.minji
    # Nothing that only PC B pulled made it hand anything out there.
    assert _audit(b, "auto_assign") == []


def test_a_new_leader_carries_on_and_never_assigns_anyone_off_duty(clinic: Clinic) -> None:
    b, sync_b = clinic.pc("b")
    first = clinic.lead()
    first.hand_out_on_duty()
    clinic.leaders[0][0].release()  # the first leader goes away without another look

    # Meanwhile 이소라 comes on duty on B and goes off again; 김민지 comes on duty.
    services.set_on_duty(b, SYSTEM, clinic.sora, True, hand_out=False)
    services.set_on_duty(b, SYSTEM, clinic.sora, False, hand_out=False)
    services.set_on_duty(b, SYSTEM, clinic.minji, True, hand_out=False)
    sync_b.sync_once()

    # The next leader compares with what the last one saw (kept on the server), not with
    # a fresh look: the change made while nobody led is handed out, to 김민지 only.
    second = clinic.lead()
    assert second.hand_out_on_duty().conversations == frozenset(clinic.waiting)
    assert set(clinic.assignees().values()) == {clinic.minji}
    assert not second.hand_out_on_duty().conversations
    change = _audit(clinic.server, "duty_seen")[-1]
    assert change["hand_out"] == ["derm"] and change["given"] == 3


def test_a_department_gained_or_a_mode_turned_on_elsewhere_is_handed_out(
    clinic: Clinic,
) -> None:
    b, sync_b = clinic.pc("b")
    runtime = clinic.lead()
    services.set_assignment_mode(b, SYSTEM, "derm", AssignMode.OFF, hand_out=False)
    sync_b.sync_once()
    runtime.hand_out_on_duty()
    services.set_on_duty(b, SYSTEM, clinic.sora, True, hand_out=False)
    sync_b.sync_once()
    assert not runtime.hand_out_on_duty().conversations  # the department assigns nobody
    assert set(clinic.assignees().values()) == {None}

    services.set_assignment_mode(b, SYSTEM, "derm", AssignMode.LEAST_LOADED, hand_out=False)
    sync_b.sync_once()
    assert runtime.hand_out_on_duty().conversations == frozenset(clinic.waiting)
    assert set(clinic.assignees().values()) == {clinic.sora}
