"""Service commands: one transaction each, with an audit event and pending sync ops."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from console import errors, services
from console.ids import reply_id
from console.store import Store
from console.store import queries as q
from console.store.models import AuditEvent, Draft, Outbox, PendingOp
from tests.helpers.factory import add_account, add_conversation, add_operator


@pytest.fixture
def world(store: Store) -> tuple[Store, services.Actor, str]:
    account = add_account(store)
    actor = services.Actor(add_operator(store))
    cid = add_conversation(store, account, [("in", "쌍수 상담 가능할까요? 120만원 맞나요")])
    return store, actor, cid


def _count(store: Store, model: type) -> int:
    with store.read() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _ops(store: Store) -> list[tuple[str, str, object]]:
    with store.read() as s:
        return [
            (o.tbl, o.field, o.value) for o in s.scalars(select(PendingOp).order_by(PendingOp.seq))
        ]


def test_tagging_a_department_shows_in_lists_and_counts(
    world: tuple[Store, services.Actor, str],
) -> None:
    store, actor, cid = world
    changes = services.tag_department(store, actor, cid, "plastic")
    assert cid in changes.conversations
    assert q.conversation_row(store, cid).department == "plastic"  # type: ignore[union-attr]
    counts = q.nav_counts(store, actor.operator_id)
    assert counts.by_department == {"plastic": 1}
    assert counts.untriaged == 0


def test_each_command_writes_an_audit_event_and_a_pending_op_with_a_clock(
    world: tuple[Store, services.Actor, str],
) -> None:
    store, actor, cid = world
    before = _count(store, AuditEvent)
    services.tag_department(store, actor, cid, "derm")
    services.add_label(store, actor, cid, "가격문의")
    services.assign(store, actor, cid, actor.operator_id)
    services.set_status(store, actor, cid, "pending")
    services.snooze(store, actor, cid, int(time.time() * 1000) + 3_600_000)
    services.mark_read(store, actor, cid)
    services.save_draft(store, actor, cid, "안녕하세요")
    services.add_note(store, actor, cid, "VIP 고객")
    assert _count(store, AuditEvent) - before == 8
    fields = [(t, f) for t, f, _ in _ops(store)]
    assert fields == [
        ("conversation", "department"),
        ("conversation_label", "present"),
        ("conversation", "assignee_id"),
        ("conversation", "status"),
        ("conversation", "status"),
        ("conversation", "snoozed_until"),
        ("conversation", "read_upto"),
        ("draft", "body"),
        ("note", "body"),
    ]
    with store.read() as s:
        stamps = [o.hlc for o in s.scalars(select(PendingOp).order_by(PendingOp.seq))]
    assert stamps == sorted(stamps) and all(stamps)


def test_field_clocks_follow_each_write(world: tuple[Store, services.Actor, str]) -> None:
    store, actor, cid = world
    services.tag_department(store, actor, cid, "derm")
    first = _dept_hlc(store, cid)
    services.tag_department(store, actor, cid, "obesity")
    assert _dept_hlc(store, cid) > first


def _dept_hlc(store: Store, cid: str) -> str:
    from console.store.models import Conversation

    with store.read() as s:
        conv = s.get(Conversation, cid)
        assert conv is not None
        return conv.department_hlc


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (
            lambda st, a, c: services.tag_department(st, a, c, "cardiology"),
            errors.UnknownDepartment,
        ),
        (lambda st, a, c: services.queue_reply(st, a, c, "   \n "), errors.EmptyReply),
        (
            lambda st, a, c: services.queue_reply(st, a, "no-such-id", "안녕하세요"),
            errors.ConversationNotFound,
        ),
        (lambda st, a, c: services.queue_reply(st, a, c, "가" * 20_001), errors.ReplyTooLong),
        (lambda st, a, c: services.add_label(st, a, c, "  "), errors.InvalidLabel),
        (lambda st, a, c: services.add_label(st, a, c, "두 줄\n라벨"), errors.InvalidLabel),
        (lambda st, a, c: services.set_status(st, a, c, "deleted"), errors.InvalidStatus),
        (lambda st, a, c: services.snooze(st, a, c, 1000), errors.SnoozeInPast),
        (lambda st, a, c: services.assign(st, a, c, "nobody"), errors.OperatorNotFound),
        (lambda st, a, c: services.add_note(st, a, c, ""), errors.EmptyNote),
    ],
)
def test_invalid_input_raises_a_typed_error_and_changes_nothing(
    world: tuple[Store, services.Actor, str], call: object, error: type[errors.SotongError]
) -> None:
    store, actor, cid = world
    audits, ops = _count(store, AuditEvent), len(_ops(store))
    with pytest.raises(error) as info:
        call(store, actor, cid)  # type: ignore[operator]
    assert info.value.code == error.code
    assert (_count(store, AuditEvent), len(_ops(store))) == (audits, ops)


def test_drafts_are_saved_revised_and_removed(world: tuple[Store, services.Actor, str]) -> None:
    store, actor, cid = world
    assert services.save_draft(store, actor, cid, "안녕하세요 고객님") == 1
    assert services.save_draft(store, actor, cid, "안녕하세요 고객님,\n상담 가능합니다") == 2
    assert services.save_draft(store, actor, cid, "안녕하세요 고객님,\n상담 가능합니다") == 2
    draft = q.draft_for(store, cid, actor.operator_id)
    assert draft is not None and draft.body.endswith("상담 가능합니다") and draft.rev == 2
    assert q.conversation_row(store, cid).has_draft  # type: ignore[union-attr]
    assert services.save_draft(store, actor, cid, "") == 0
    assert q.draft_for(store, cid, actor.operator_id) is None


def test_queueing_a_reply_consumes_the_draft_and_keys_the_reply_by_its_revision(
    world: tuple[Store, services.Actor, str],
) -> None:
    store, actor, cid = world
    services.save_draft(store, actor, cid, "네 고객님, 120만원 맞습니다.")
    with store.read() as s:
        draft = s.scalars(select(Draft)).one()
        expected = reply_id(draft.id, draft.rev)
    rid = services.queue_reply(store, actor, cid, "네 고객님, 120만원 맞습니다.")
    assert rid == expected
    assert q.draft_for(store, cid, actor.operator_id) is None
    with store.read() as s:
        out = s.get(Outbox, rid)
        assert out is not None and out.state == "queued" and out.body.startswith("네 고객님")
    row = q.conversation_row(store, cid)
    assert row is not None and row.queued == 1
    assert q.health(store).waiting_to_send == 1
    bubbles = [i for i in q.thread_items(store, cid) if i.kind == "outbox"]
    assert [(b.body, b.state) for b in bubbles] == [("네 고객님, 120만원 맞습니다.", "queued")]


def test_text_typed_after_the_last_autosave_is_what_gets_queued(
    world: tuple[Store, services.Actor, str],
) -> None:
    store, actor, cid = world
    services.save_draft(store, actor, cid, "네 고객")
    rid = services.queue_reply(store, actor, cid, "네 고객님, 예약 도와드릴게요")
    with store.read() as s:
        assert s.get(Outbox, rid).body == "네 고객님, 예약 도와드릴게요"  # type: ignore[union-attr]


def test_labels_are_added_and_removed(world: tuple[Store, services.Actor, str]) -> None:
    store, actor, cid = world
    services.add_label(store, actor, cid, "상담예약")
    services.add_label(store, actor, cid, "VIP")
    services.remove_label(store, actor, cid, "상담예약")
    assert q.conversation_row(store, cid).labels == ("VIP",)  # type: ignore[union-attr]


def test_status_moves_conversations_between_views(world: tuple[Store, services.Actor, str]) -> None:
    store, actor, cid = world
    services.set_status(store, actor, cid, "resolved")
    counts = q.nav_counts(store, actor.operator_id)
    assert (counts.all_open, counts.resolved) == (0, 1)
    ids = [i for i, _ in q.conversation_ids(store, q.ListFilter(q.View.RESOLVED))]
    assert ids == [cid]


def test_mark_read_clears_unread_and_never_moves_back(
    world: tuple[Store, services.Actor, str],
) -> None:
    store, actor, cid = world
    assert q.conversation_row(store, cid).unread  # type: ignore[union-attr]
    assert services.mark_read(store, actor, cid)
    assert not q.conversation_row(store, cid).unread  # type: ignore[union-attr]
    assert not services.mark_read(store, actor, cid)  # nothing new: no change, no op


def test_a_full_disk_is_a_storage_error_and_keeps_what_was_saved(
    world: tuple[Store, services.Actor, str],
) -> None:
    from sqlalchemy import text

    store, actor, cid = world
    services.save_draft(store, actor, cid, "저장된 초안")
    with store.engine.connect() as conn:  # the in-memory store has one connection
        pages = conn.execute(text("PRAGMA page_count")).scalar()
        conn.execute(text(f"PRAGMA max_page_count = {pages}"))
    with pytest.raises(errors.StorageError) as info:
        services.save_draft(store, actor, cid, "새 초안 " * 4_000)
    assert "full" in str(info.value.params["reason"])
    draft = q.draft_for(store, cid, actor.operator_id)
    assert draft is not None and draft.body == "저장된 초안"


def test_staff_are_added_with_a_role_and_departments(store: Store) -> None:
    oid = services.add_operator(store, services.Actor(None), " 박서연 ", "coordinator", ("derm",))
    staff = q.operators(store)
    assert [(o.id, o.name, o.role, o.departments) for o in staff] == [
        (oid, "박서연", "coordinator", ("derm",))
    ]
    with pytest.raises(errors.InvalidInput):
        services.add_operator(store, services.Actor(None), "  ", "coordinator")
    with pytest.raises(errors.UnknownDepartment):
        services.add_operator(store, services.Actor(None), "이하늘", "coordinator", ("eyes",))
