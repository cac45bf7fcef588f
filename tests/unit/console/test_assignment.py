"""Department queues: auto-assignment (round-robin, least-loaded), on duty, hand-off."""

from __future__ import annotations

import collections

import pytest
from sqlalchemy import select

from console import errors, services
from console.channels.base import FetchResult, InboundMessage
from console.domain import AssignMode, Role
from console.ingest import ingest
from console.routing import Rule, starter_model
from console.routing.triage import Triage
from console.services import Actor
from console.store import Store
from console.store import queries as q
from console.store.models import (
    AuditEvent,
    Conversation,
    DepartmentAssignment,
    Note,
    PendingOp,
)
from tests.helpers.factory import add_account, add_conversation, add_operator, now_ms

SYSTEM = Actor(None)


def _staff(store: Store, n: int, department: str = "dental", prefix: str = "치과") -> list[str]:
    return [add_operator(store, f"{prefix} {i}", Role.COORDINATOR, (department,)) for i in range(n)]


def _assignees(store: Store, ids: list[str]) -> list[str | None]:
    rows = q.conversation_rows(store, ids)
    return [rows[cid].assignee_id for cid in ids]


def _arrivals(store: Store, account: str, n: int) -> list[str]:
    """``n`` new conversations (each from a new customer), oldest first."""
    return [
        add_conversation(store, account, [("in", f"스케일링 문의 {i}")], minutes_ago=n - i)
        for i in range(n)
    ]


def test_round_robin_is_fair_over_many_conversations(store: Store) -> None:
    staff = _staff(store, 3)
    account = add_account(store)
    services.set_assignment_mode(store, SYSTEM, "dental", AssignMode.ROUND_ROBIN)
    convs = _arrivals(store, account, 31)
    for cid in convs:
        services.tag_department(store, SYSTEM, cid, "dental")
    got = _assignees(store, convs)
    counts = collections.Counter(got)
    assert set(counts) == set(staff)
    assert max(counts.values()) - min(counts.values()) <= 1
    assert got[:6] == sorted(staff) * 2  # in turn, in the order they were added


def test_the_round_robin_turn_survives_a_restart(store: Store) -> None:
    staff = sorted(_staff(store, 3))
    account = add_account(store)
    services.set_assignment_mode(store, SYSTEM, "dental", AssignMode.ROUND_ROBIN)
    first, second = _arrivals(store, account, 2)
    services.tag_department(store, SYSTEM, first, "dental")
    with store.read() as s:
        policy = s.get(DepartmentAssignment, "dental")
        assert policy is not None and policy.last_assignee == staff[0]  # kept in the database
    services.tag_department(store, SYSTEM, second, "dental")
    assert _assignees(store, [first, second]) == staff[:2]


def test_least_loaded_picks_who_has_fewest_open_ties_broken_stably(store: Store) -> None:
    a, b, c = sorted(_staff(store, 3))
    account = add_account(store)
    busy = _arrivals(store, account, 3)
    services.assign(store, SYSTEM, busy[0], a)
    services.assign(store, SYSTEM, busy[1], a)
    services.assign(store, SYSTEM, busy[2], b)
    services.set_status(store, SYSTEM, busy[2], "resolved")  # resolved work is no load
    services.set_assignment_mode(store, SYSTEM, "dental", AssignMode.LEAST_LOADED)
    new = _arrivals(store, account, 5)
    for cid in new:
        services.tag_department(store, SYSTEM, cid, "dental")
    # loads a=2, b=0, c=0: b (lower id) then c, then b, c, then a three-way tie -> a.
    assert _assignees(store, new) == [b, c, b, c, a]


def test_off_duty_staff_are_never_chosen(store: Store) -> None:
    on, off = _staff(store, 2)
    services.set_on_duty(store, Actor(off), off, False)
    account = add_account(store)
    for mode in (AssignMode.ROUND_ROBIN, AssignMode.LEAST_LOADED):
        services.set_assignment_mode(store, SYSTEM, "dental", mode)
        convs = _arrivals(store, account, 4)
        for cid in convs:
            services.tag_department(store, SYSTEM, cid, "dental")
        assert _assignees(store, convs) == [on] * 4


def test_with_nobody_on_duty_it_waits_unassigned_and_coming_on_duty_hands_it_out(
    store: Store,
) -> None:
    first, second = sorted(_staff(store, 2))
    other_dept = add_operator(store, "피부과", Role.COORDINATOR, ("derm",))
    for oid in (first, second):
        services.set_on_duty(store, Actor(oid), oid, False)
    services.set_assignment_mode(store, SYSTEM, "dental", AssignMode.LEAST_LOADED)
    account = add_account(store)
    convs = _arrivals(store, account, 4)
    for cid in convs:
        services.tag_department(store, SYSTEM, cid, "dental")
    assert _assignees(store, convs) == [None] * 4  # the derm coordinator is not dental
    changes = services.set_on_duty(store, Actor(first), first, True)
    assert changes.staff and changes.conversations == frozenset(convs)
    assert _assignees(store, convs) == [first] * 4
    # Nothing waits now; the next one on duty is the least loaded, so new ones go to them
    # until the loads are level.
    assert services.set_on_duty(store, Actor(second), second, True).conversations == set()
    more = _arrivals(store, account, 6)
    for cid in more:
        services.tag_department(store, SYSTEM, cid, "dental")
    assert _assignees(store, more) == [second] * 4 + [first, second]
    assert other_dept not in _assignees(store, convs + more)


def test_mode_off_assigns_nobody_and_assigned_ones_are_kept(store: Store) -> None:
    staff = _staff(store, 2)
    account = add_account(store)
    convs = _arrivals(store, account, 2)
    services.tag_department(store, SYSTEM, convs[0], "dental")
    assert _assignees(store, convs[:1]) == [None]  # no mode set: off
    services.assign(store, SYSTEM, convs[1], staff[1])
    services.set_assignment_mode(store, SYSTEM, "dental", AssignMode.ROUND_ROBIN)
    services.tag_department(store, SYSTEM, convs[1], "dental")
    assert _assignees(store, convs) == [sorted(staff)[0], staff[1]]  # waiting one handed out


def test_rules_and_the_classifier_assign_as_they_sort(store: Store) -> None:
    staff = _staff(store, 2, "general", "원무")
    services.set_assignment_mode(store, SYSTEM, "general", AssignMode.ROUND_ROBIN)
    account = add_account(store, "email")
    triage = Triage(
        starter_model(), rules=[Rule(name="실비", department="general", keywords_any=("실비",))]
    )
    page = [
        InboundMessage(f"m{i}", f"t{i}", f"h{i}", f"고객{i}", "in", "실비 청구 서류", now_ms())
        for i in range(4)
    ]
    ingest(store, account, FetchResult(page, "c1"), triage)
    with store.read() as s:
        got = s.execute(select(Conversation.department, Conversation.assignee_id)).all()
        actions = collections.Counter(s.scalars(select(AuditEvent.action)))
    assert sorted(a for _d, a in got) == sorted(staff * 2)
    assert {d for d, _a in got} == {"general"}
    assert actions["auto_assign"] == 4


def test_changing_the_mode_needs_manage_routing(store: Store) -> None:
    desk = add_operator(store, "원무", Role.FRONT_DESK)
    boss = add_operator(store, "실장", Role.MANAGER)
    with pytest.raises(errors.NotPermitted):
        services.set_assignment_mode(store, Actor(desk), "dental", AssignMode.ROUND_ROBIN)
    services.set_assignment_mode(store, Actor(boss), "dental", AssignMode.ROUND_ROBIN)
    assert q.assignment_modes(store) == {"dental": "round_robin"}
    with pytest.raises(errors.InvalidInput):
        services.set_assignment_mode(store, Actor(boss), "dental", "lottery")
    with pytest.raises(errors.UnknownDepartment):
        services.set_assignment_mode(store, Actor(boss), "cardiology", "off")


def test_hand_off_moves_the_conversation_and_leaves_a_note_for_the_receiver(
    store: Store,
) -> None:
    me = add_operator(store, "김하나", Role.COORDINATOR)
    them = add_operator(store, "박둘", Role.COORDINATOR)
    cid = add_conversation(store, add_account(store))
    services.assign(store, Actor(me), cid, me)
    changes = services.hand_off(store, Actor(me), cid, them, "수술 일정은 원장님과 확인 필요")
    assert cid in changes.conversations and cid in changes.threads
    assert _assignees(store, [cid]) == [them]
    notes = [i for i in q.thread_items(store, cid) if i.kind == "note"]
    assert [(n.author, n.handoff_to, n.body) for n in notes] == [
        ("김하나", "박둘", "수술 일정은 원장님과 확인 필요")
    ]
    with store.read() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "hand_off")).all()
    assert [e.detail["new"] for e in events] == [them]


def test_hand_off_is_all_or_nothing(store: Store) -> None:
    desk = add_operator(store, "원무", Role.FRONT_DESK)
    them = add_operator(store, "박둘", Role.COORDINATOR)
    cid = add_conversation(store, add_account(store))
    services.assign(store, Actor(desk), cid, desk)
    with pytest.raises(errors.NotPermitted):  # handing on is REASSIGN
        services.hand_off(store, Actor(desk), cid, them, "부탁드려요")
    with pytest.raises(errors.EmptyNote):
        services.hand_off(store, SYSTEM, cid, them, "  ")
    with pytest.raises(errors.OperatorNotFound):
        services.hand_off(store, SYSTEM, cid, "nobody", "부탁드려요")
    with store.read() as s:
        assert s.scalars(select(Note)).all() == []
    assert _assignees(store, [cid]) == [desk]
    # An unassigned conversation may be handed to a colleague by anyone.
    services.assign(store, Actor(desk), cid, None)
    services.hand_off(store, Actor(desk), cid, them, "부탁드려요")
    assert _assignees(store, [cid]) == [them]


def test_duty_for_oneself_or_with_set_duty(store: Store) -> None:
    desk = add_operator(store, "원무", Role.FRONT_DESK)
    coord = add_operator(store, "실장", Role.COORDINATOR)
    manager = add_operator(store, "매니저", Role.MANAGER)
    services.set_on_duty(store, Actor(desk), desk, False)
    with pytest.raises(errors.NotPermitted):
        services.set_on_duty(store, Actor(coord), desk, True)
    services.set_on_duty(store, Actor(manager), desk, True)
    assert [o.on_duty for o in q.operators(store) if o.id == desk] == [True]


def test_staff_roles_and_departments_need_manage_staff(store: Store) -> None:
    admin = add_operator(store, "관리자", Role.ADMIN)
    manager = add_operator(store, "매니저", Role.MANAGER)
    with pytest.raises(errors.NotPermitted):
        services.set_role(store, Actor(manager), manager, Role.ADMIN)
    with pytest.raises(errors.NotPermitted):
        services.set_departments(store, Actor(manager), manager, ("derm",))
    assert services.set_role(store, Actor(admin), manager, Role.COORDINATOR).staff
    services.set_departments(store, Actor(admin), manager, ("derm", "dental", "derm"))
    row = next(o for o in q.operators(store) if o.id == manager)
    assert (row.role, row.departments) == ("coordinator", ("derm", "dental"))
    with pytest.raises(errors.UnknownDepartment):
        services.set_departments(store, Actor(admin), manager, ("cardiology",))
    with pytest.raises(services.LastAdministrator):
        services.set_role(store, Actor(admin), admin, Role.MANAGER)


def test_gaining_a_department_while_on_duty_takes_a_share_of_its_queue(store: Store) -> None:
    admin = add_operator(store, "관리자", Role.ADMIN, ())
    newcomer = add_operator(store, "신입", Role.COORDINATOR, ())
    services.set_assignment_mode(store, SYSTEM, "derm", AssignMode.LEAST_LOADED)
    convs = _arrivals(store, add_account(store), 2)
    for cid in convs:
        services.tag_department(store, SYSTEM, cid, "derm")
    assert _assignees(store, convs) == [None, None]
    changes = services.set_departments(store, Actor(admin), newcomer, ("derm",))
    assert changes.conversations == frozenset(convs)
    assert _assignees(store, convs) == [newcomer, newcomer]


def _rule_page(n: int, text: str = "임플란트 재수술 상담") -> FetchResult:
    page = [
        InboundMessage(f"r{i}", f"rt{i}", f"rh{i}", f"고객{i}", "in", text, now_ms())
        for i in range(n)
    ]
    return FetchResult(page, "c1")


def _named_rule(assignee: str) -> Triage:
    return Triage(
        starter_model(),
        rules=[
            Rule(
                name="임플란트 재수술",
                department="dental",
                keywords_any=("재수술",),
                assignee_id=assignee,
            )
        ],
    )


def test_a_rule_gives_new_conversations_to_the_person_it_names(store: Store) -> None:
    first, named = sorted(_staff(store, 2))
    services.set_assignment_mode(store, SYSTEM, "dental", AssignMode.ROUND_ROBIN)
    account = add_account(store, "kakaotalk")
    ingest(store, account, _rule_page(3), _named_rule(named))
    with store.read() as s:
        convs = s.scalars(select(Conversation)).all()
        actions = collections.Counter(s.scalars(select(AuditEvent.action)))
        policy = s.get(DepartmentAssignment, "dental")
        ops = {
            (op.pk, op.value, op.hlc)
            for op in s.scalars(
                select(PendingOp).where(
                    PendingOp.tbl == "conversation", PendingOp.field == "assignee_id"
                )
            )
        }
    assert [c.assignee_id for c in convs] == [named] * 3  # not in turn: the rule decides
    assert all(c.department == "dental" and c.department_source == "rule" for c in convs)
    # Recorded like any assignment, so sync carries it; the turn did not move.
    assert ops == {(c.id, named, c.assignee_hlc) for c in convs}
    assert all(c.assignee_hlc for c in convs)
    assert actions["rule_assign"] == 3 and actions["auto_assign"] == 0
    assert policy is not None and policy.last_assignee is None
    assert q.nav_counts(store, named).mine == 3 and q.nav_counts(store, first).mine == 0


def test_a_rule_naming_someone_off_duty_falls_back_to_the_department(store: Store) -> None:
    first, named = sorted(_staff(store, 2))
    services.set_on_duty(store, SYSTEM, named, False)
    services.set_assignment_mode(store, SYSTEM, "dental", AssignMode.ROUND_ROBIN)
    account = add_account(store, "kakaotalk")
    ingest(store, account, _rule_page(2), _named_rule(named))
    with store.read() as s:
        got = s.scalars(select(Conversation.assignee_id)).all()
        actions = collections.Counter(s.scalars(select(AuditEvent.action)))
    assert got == [first, first]  # never the person off duty
    assert actions["rule_assign"] == 0 and actions["auto_assign"] == 2


def test_a_rule_naming_someone_off_duty_leaves_it_unassigned_when_the_mode_is_off(
    store: Store,
) -> None:
    _first, named = sorted(_staff(store, 2))
    services.set_on_duty(store, SYSTEM, named, False)
    account = add_account(store, "kakaotalk")
    ingest(store, account, _rule_page(1), _named_rule(named))
    with store.read() as s:
        assert s.scalars(select(Conversation.assignee_id)).all() == [None]


def test_a_rule_naming_someone_outside_its_department_does_not_assign_them(
    store: Store,
) -> None:
    derm = add_operator(store, "피부 간호사", Role.COORDINATOR, ("derm",))
    account = add_account(store, "kakaotalk")
    ingest(store, account, _rule_page(1), _named_rule(derm))
    with store.read() as s:
        assert s.scalars(select(Conversation.assignee_id)).all() == [None]


def test_the_preview_says_who_would_be_given_a_new_conversation(store: Store) -> None:
    first, named = sorted(_staff(store, 2))
    assert services.assignment_preview(store, "dental", named).how == "rule"
    assert services.assignment_preview(store, "dental").how == "off"
    services.set_assignment_mode(store, SYSTEM, "dental", AssignMode.LEAST_LOADED)
    assert services.assignment_preview(store, "dental") == services.AssignPreview(
        first, "least_loaded"
    )
    services.set_on_duty(store, SYSTEM, named, False)
    preview = services.assignment_preview(store, "dental", named)
    assert (preview.operator_id, preview.how) == (first, "least_loaded")
    assert preview.rule_assignee_unavailable
    services.set_on_duty(store, SYSTEM, first, False)
    assert services.assignment_preview(store, "dental", named).how == "nobody_on_duty"
