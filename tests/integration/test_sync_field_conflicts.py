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
from console.store.models import Conversation, PendingOp, SyncFieldConflict
from console.store.queries import conversation_row, field_conflicts
from tests.helpers.pg import (  # noqa: F401 - fixtures
    PgServer,
    pg_server_fixture,
    pg_url_fixture,
)
from tests.integration.test_sync_engine import Clinic

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
