"""Draft conflict copies: restoring swaps the texts (nothing is dropped), discarding removes
the copy, each with its audit event and the pending ops that carry it to the server."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from console import services
from console.errors import DraftConflictNotFound
from console.ids import new_id
from console.services import Actor
from console.store.engine import Store
from console.store.models import AuditEvent, Draft, PendingOp
from console.store.queries import conversation_row, draft_conflicts, draft_for
from tests.helpers.factory import add_account, add_conversation, add_operator, now_ms


def _conflict_copy(store: Store, cid: str, operator_id: str, body: str) -> str:
    """A conflict copy as sync leaves it when another PC's save lost."""
    copy_id = new_id()
    with store.write() as s:
        s.add(
            Draft(
                id=copy_id,
                conversation_id=cid,
                operator_id=operator_id,
                body=body,
                rev=2,
                parent_rev=1,
                is_conflict=True,
                updated_at=now_ms(),
            )
        )
    return copy_id


@pytest.fixture
def setup(store: Store) -> tuple[str, str, str]:
    me = add_operator(store, "김지현")
    other = add_operator(store, "박서연")
    cid = add_conversation(store, add_account(store), [("in", "예약 문의드려요")])
    return me, other, cid


def _ops(store: Store) -> list[tuple[str, str, str, object]]:
    with store.read() as s:
        rows = s.execute(
            select(PendingOp.tbl, PendingOp.pk, PendingOp.field, PendingOp.value).order_by(
                PendingOp.seq
            )
        ).all()
    return [tuple(r) for r in rows]


def test_restoring_swaps_the_two_versions(store: Store, setup: tuple[str, str, str]) -> None:
    me, _other, cid = setup
    services.save_draft(store, Actor(me), cid, "이 PC에서 쓴 답장")
    copy_id = _conflict_copy(store, cid, me, "다른 PC에서 쓴 답장")
    row = conversation_row(store, cid)
    assert row is not None and row.has_conflict
    before = len(_ops(store))
    changes = services.restore_draft_conflict(store, Actor(me), copy_id)
    assert cid in changes.drafts and cid in changes.conversations
    head = draft_for(store, cid, me)
    assert head is not None and head.body == "다른 PC에서 쓴 답장" and head.rev == 2
    copies = draft_conflicts(store, cid, me)
    assert [(c.id, c.body) for c in copies] == [(copy_id, "이 PC에서 쓴 답장")]
    new_ops = _ops(store)[before:]
    assert ("draft", head.id, "body", "다른 PC에서 쓴 답장") in new_ops
    assert ("draft", copy_id, "body", "이 PC에서 쓴 답장") in new_ops
    with store.read() as s:
        actions = list(s.scalars(select(AuditEvent.action)))
    assert "restore_draft_conflict" in actions


def test_restoring_with_no_draft_makes_the_copy_the_draft(
    store: Store, setup: tuple[str, str, str]
) -> None:
    me, _other, cid = setup
    copy_id = _conflict_copy(store, cid, me, "남은 버전")
    services.restore_draft_conflict(store, Actor(me), copy_id)
    head = draft_for(store, cid, me)
    assert head is not None and head.body == "남은 버전"
    assert draft_conflicts(store, cid, me) == []
    row = conversation_row(store, cid)
    assert row is not None and not row.has_conflict and row.has_draft


def test_discarding_removes_only_the_copy(store: Store, setup: tuple[str, str, str]) -> None:
    me, _other, cid = setup
    services.save_draft(store, Actor(me), cid, "그대로 둘 답장")
    copy_id = _conflict_copy(store, cid, me, "버릴 버전")
    services.discard_draft_conflict(store, Actor(me), copy_id)
    assert draft_conflicts(store, cid, me) == []
    head = draft_for(store, cid, me)
    assert head is not None and head.body == "그대로 둘 답장"
    assert _ops(store)[-1][:3] == ("draft", copy_id, "deleted")
    with pytest.raises(DraftConflictNotFound):
        services.discard_draft_conflict(store, Actor(me), copy_id)


def test_a_colleagues_copy_is_not_yours_to_choose(
    store: Store, setup: tuple[str, str, str]
) -> None:
    me, other, cid = setup
    copy_id = _conflict_copy(store, cid, other, "박서연의 다른 버전")
    for command in (services.restore_draft_conflict, services.discard_draft_conflict):
        with pytest.raises(DraftConflictNotFound):
            command(store, Actor(me), copy_id)
    assert [c.body for c in draft_conflicts(store, cid, other)] == ["박서연의 다른 버전"]
    assert draft_conflicts(store, cid, me) == []
