"""Two PCs change the same conversation field while apart (a real PostgreSQL): the PC whose
edit lost keeps a note with both values, the winner none; restoring sends the PC's value
back through an ordinary command, which then wins everywhere."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import URL, func, select, text

from console import errors, services
from console.store.engine import Store
from console.store.models import Conversation, ConversationLabel, PendingOp, SyncFieldConflict
from console.store.queries import conversation_row, field_conflicts
from tests.helpers.pg import (  # noqa: F401 - fixtures
    PgServer,
    pg_server_fixture,
    pg_url_fixture,
)
from tests.integration.test_sync_engine import Clinic, now_ms

pytestmark = pytest.mark.slow


@pytest.fixture
def clinic(pg_url: URL, tmp_path: Path) -> Iterator[Clinic]:
    c = Clinic(pg_url, tmp_path)
    yield c
    c.close()


def _department(store: Store, cid: str) -> str | None:
    with store.read() as s:
        conv = s.get(Conversation, cid)
        assert conv is not None
        return conv.department


def _notes(store: Store) -> list[tuple[str, str, object, object, str]]:
    with store.read() as s:
        return [
            (n.conversation_id, n.field, n.mine, n.theirs, n.winner_node)
            for n in s.scalars(select(SyncFieldConflict))
        ]


@pytest.mark.parametrize("first", ["winner", "loser"])
def test_the_pc_whose_department_lost_keeps_a_note_with_both_values(
    clinic: Clinic, first: str
) -> None:
    a, sync_a = clinic.pc("a")
    b, sync_b = clinic.pc("b")
    actor = services.Actor(clinic.operator)
    # Both PCs are cut off; A picks dental, a moment later B picks dermatology (later: wins).
    services.tag_department(a, actor, clinic.cid, "dental")
    time.sleep(0.005)
    services.tag_department(b, actor, clinic.cid, "derm")
    # They reconnect in either order, then each syncs again.
    order = [sync_b, sync_a] if first == "winner" else [sync_a, sync_b]
    for engine in order + order:
        engine.sync_once()

    for store in (a, b, clinic.server):
        assert _department(store, clinic.cid) == "derm"
    assert _notes(a) == [(clinic.cid, "department", "dental", "derm", b.node_id)]
    assert _notes(b) == []
    row = conversation_row(a, clinic.cid)
    assert row is not None and row.field_conflict
    other = conversation_row(b, clinic.cid)
    assert other is not None and not other.field_conflict
    # One more round each changes nothing: the note is not made twice, nor on B.
    sync_a.sync_once()
    sync_b.sync_once()
    assert len(_notes(a)) == 1 and _notes(b) == []


def test_restoring_sends_my_value_which_then_wins_everywhere(clinic: Clinic) -> None:
    a, sync_a = clinic.pc("a")
    b, sync_b = clinic.pc("b")
    actor = services.Actor(clinic.operator)
    services.set_priority(a, actor, clinic.cid, 3)
    services.tag_department(a, actor, clinic.cid, "dental")
    time.sleep(0.005)
    services.tag_department(b, actor, clinic.cid, "derm")
    services.set_priority(b, actor, clinic.cid, 3)  # the same value on both: no note
    sync_a.sync_once()
    sync_b.sync_once()
    sync_a.sync_once()
    assert [(n.field, n.mine, n.theirs) for n in field_conflicts(a, clinic.cid)] == [
        ("department", "dental", "derm")
    ]

    changes = services.restore_field_conflict(a, actor, clinic.cid, "department")
    assert clinic.cid in changes.conversations
    assert _department(a, clinic.cid) == "dental"
    assert field_conflicts(a, clinic.cid) == []  # the command ended the note
    with a.read() as s:
        assert s.scalar(select(func.count()).select_from(PendingOp)) == 1
    sync_a.sync_once()
    sync_b.sync_once()
    for store in (a, b, clinic.server):
        assert _department(store, clinic.cid) == "dental"
    # B's value was replaced by an edit made on top of it, not alongside: no note on B.
    assert _notes(b) == [] and _notes(a) == []
    with pytest.raises(errors.FieldConflictNotFound):
        services.restore_field_conflict(a, actor, clinic.cid, "department")


def test_an_edit_made_after_seeing_the_other_pcs_value_is_no_conflict(clinic: Clinic) -> None:
    a, sync_a = clinic.pc("a")
    b, sync_b = clinic.pc("b")
    actor = services.Actor(clinic.operator)
    services.set_status(a, actor, clinic.cid, "pending")
    sync_a.sync_once()
    sync_b.sync_once()  # B sees "pending" ...
    services.set_status(b, actor, clinic.cid, "resolved")  # ... and changes it on purpose
    sync_b.sync_once()
    sync_a.sync_once()
    assert _notes(a) == [] and _notes(b) == []
    with clinic.server.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sync_field_loss")).scalar() == 0


def test_dismissing_keeps_the_value_and_a_later_edit_ends_the_note(clinic: Clinic) -> None:
    a, sync_a = clinic.pc("a")
    b, sync_b = clinic.pc("b")
    actor = services.Actor(clinic.operator)
    other = clinic.operator
    services.assign(a, actor, clinic.cid, other)
    services.set_status(a, actor, clinic.cid, "pending")
    time.sleep(0.005)
    services.assign(b, actor, clinic.cid, None)
    services.set_status(b, actor, clinic.cid, "resolved")
    sync_b.sync_once()
    sync_a.sync_once()  # A's two edits are refused: later ones are on the server
    notes = {(n.field, n.mine, n.theirs) for n in field_conflicts(a, clinic.cid)}
    assert notes == {("assignee_id", other, None), ("status", "pending", "resolved")}

    services.dismiss_field_conflict(a, actor, clinic.cid, "assignee_id")
    with a.read() as s:
        conv = s.get(Conversation, clinic.cid)
        assert conv is not None and conv.assignee_id is None  # the value stays
    services.set_status(a, actor, clinic.cid, "open")  # a new edit of the field from here
    assert field_conflicts(a, clinic.cid) == []


def _label(store: Store, cid: str, label: str) -> bool:
    with store.read() as s:
        row = s.get(ConversationLabel, (cid, label))
        return row is not None and row.present


@pytest.mark.parametrize("first", ["winner", "loser"])
def test_a_label_put_on_here_and_taken_off_on_another_pc_is_noted_with_that_pcs_name(
    clinic: Clinic, first: str
) -> None:
    a, sync_a = clinic.pc("a", machine="접수1")
    b, sync_b = clinic.pc("b", machine="상담실")
    actor = services.Actor(clinic.operator)
    # Both cut off. B puts the label on; A puts it on too; then B takes it off (latest: wins).
    services.add_label(b, actor, clinic.cid, "예약확정")
    time.sleep(0.005)
    services.add_label(a, actor, clinic.cid, "예약확정")
    time.sleep(0.005)
    services.remove_label(b, actor, clinic.cid, "예약확정")
    order = [sync_b, sync_a] if first == "winner" else [sync_a, sync_b]
    for engine in order + order:
        engine.sync_once()

    for store in (a, b, clinic.server):
        assert not _label(store, clinic.cid, "예약확정")
    notes = field_conflicts(a, clinic.cid)
    assert [(n.field, n.mine, n.theirs, n.winner_node, n.winner_machine) for n in notes] == [
        ("label:예약확정", True, False, b.node_id, "상담실")
    ]
    assert _notes(b) == []
    row = conversation_row(a, clinic.cid)
    assert row is not None and row.field_conflict
    sync_a.sync_once()
    sync_b.sync_once()
    assert len(_notes(a)) == 1 and _notes(b) == []  # not noted twice

    # Restoring puts the label back on, which then wins everywhere; B gets no note.
    services.restore_field_conflict(a, actor, clinic.cid, "label:예약확정")
    assert _label(a, clinic.cid, "예약확정") and field_conflicts(a, clinic.cid) == []
    sync_a.sync_once()
    sync_b.sync_once()
    for store in (a, b, clinic.server):
        assert _label(store, clinic.cid, "예약확정")
    assert _notes(a) == [] and _notes(b) == []


def test_a_label_edit_after_seeing_the_other_pcs_is_no_conflict_and_a_new_edit_ends_a_note(
    clinic: Clinic,
) -> None:
    a, sync_a = clinic.pc("a")
    b, sync_b = clinic.pc("b")
    actor = services.Actor(clinic.operator)
    services.add_label(a, actor, clinic.cid, "VIP")
    sync_a.sync_once()
    sync_b.sync_once()  # B sees the label ...
    services.remove_label(b, actor, clinic.cid, "VIP")  # ... and takes it off on purpose
    sync_b.sync_once()
    sync_a.sync_once()
    assert not _label(a, clinic.cid, "VIP")
    assert _notes(a) == [] and _notes(b) == []
    with clinic.server.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sync_field_loss")).scalar() == 0

    # Concurrent again: A takes "신환" off (it never had it) while B puts it on later.
    services.remove_label(a, actor, clinic.cid, "신환")
    time.sleep(0.005)
    services.add_label(b, actor, clinic.cid, "신환")
    sync_b.sync_once()
    sync_a.sync_once()
    assert [(n.field, n.mine, n.theirs) for n in field_conflicts(a, clinic.cid)] == [
        ("label:신환", False, True)
    ]
    services.dismiss_field_conflict(a, actor, clinic.cid, "label:신환")
    assert field_conflicts(a, clinic.cid) == [] and _label(a, clinic.cid, "신환")
    # A note also ends when this PC edits the label again.
    services.remove_label(a, actor, clinic.cid, "VIP")
    with a.write() as s:
        s.add(
            SyncFieldConflict(
                conversation_id=clinic.cid, field="label:VIP", mine=True, theirs=False, at=1
            )
        )
    services.add_label(a, actor, clinic.cid, "VIP")
    assert field_conflicts(a, clinic.cid) == []


def test_the_note_names_the_winning_machine_or_no_machine_when_it_is_not_known(
    clinic: Clinic,
) -> None:
    a, sync_a = clinic.pc("a", machine="접수1")
    b, sync_b = clinic.pc("b", machine="원무과")
    actor = services.Actor(clinic.operator)
    services.tag_department(a, actor, clinic.cid, "dental")
    services.set_priority(a, actor, clinic.cid, 3)
    time.sleep(0.005)
    services.tag_department(b, actor, clinic.cid, "derm")
    services.set_priority(b, actor, clinic.cid, 1)
    sync_b.sync_once()
    sync_a.sync_once()
    notes = {n.field: n.winner_machine for n in field_conflicts(a, clinic.cid)}
    assert notes == {"department": "원무과", "priority": "원무과"}

    # A machine that never said its name (an older version): no name, and no guess.
    c, sync_c = clinic.pc("c", machine="상담실")
    with clinic.server.engine.begin() as conn:
        conn.execute(text("DELETE FROM sync_node WHERE node = :n"), {"n": c.node_id})
    services.set_status(a, actor, clinic.cid, "pending")
    time.sleep(0.005)
    services.set_status(c, actor, clinic.cid, "resolved")
    sync_a.sync_once()
    sync_c.sync_once()
    sync_a.sync_once()  # the loss is found by pull
    status = [n for n in field_conflicts(a, clinic.cid) if n.field == "status"]
    assert [(n.mine, n.theirs, n.winner_node, n.winner_machine) for n in status] == [
        ("pending", "resolved", c.node_id, "")
    ]


@pytest.mark.parametrize("field", ["status", "label"])
def test_a_loss_is_noted_when_the_server_clamped_the_losing_stamp(
    clinic: Clinic, field: str
) -> None:
    two_minutes, two_hours = 120_000, 2 * 3600 * 1000
    a, sync_a = clinic.pc("a")
    b, sync_b = clinic.pc("b", server_clock=lambda: now_ms() + two_minutes)
    actor = services.Actor(clinic.operator)
    if field == "label":
        services.add_label(b, actor, clinic.cid, "예약확정")  # B puts the label on first
        sync_b.sync_once()
    a.clock._wall = lambda: now_ms() + two_hours  # A's clock runs two hours fast
    if field == "status":
        services.set_status(a, actor, clinic.cid, "pending")
    else:
        services.add_label(a, actor, clinic.cid, "예약확정")  # not having pulled B's
    sync_a._push_all()  # A's edit reaches the server, clamped; A has not pulled since
    # B, two minutes later by every correct clock, decides otherwise without having seen it.
    b.clock._wall = lambda: now_ms() + two_minutes
    if field == "status":
        services.set_status(b, actor, clinic.cid, "resolved")
    else:
        services.remove_label(b, actor, clinic.cid, "예약확정")
    sync_b.sync_once()
    sync_a.sync_once()  # A pulls B's value, and the note of its own edit's loss
    expected = (
        ("status", "pending", "resolved") if field == "status" else ("label:예약확정", True, False)
    )
    assert [(n.field, n.mine, n.theirs) for n in field_conflicts(a, clinic.cid)] == [expected]
    assert _notes(b) == []


def test_a_change_the_leader_made_on_the_server_is_named_by_the_leaders_machine(
    clinic: Clinic,
) -> None:
    import platform

    from console.store.server import node_for, open_server_store

    a, sync_a = clinic.pc("a", machine="접수1")
    actor = services.Actor(clinic.operator)
    # The leader (its own node id on the server) says where it runs when it opens the store.
    leader = open_server_store(clinic.url, node_id=node_for("agent", "test"))
    try:
        services.set_status(a, actor, clinic.cid, "pending")
        time.sleep(0.005)
        services.set_status(leader, actor, clinic.cid, "resolved")
    finally:
        leader.close()
    sync_a.sync_once()
    notes = field_conflicts(a, clinic.cid)
    assert [(n.field, n.theirs, n.winner_machine) for n in notes] == [
        ("status", "resolved", platform.node())
    ]
