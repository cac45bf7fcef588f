"""The leader's look at duty (:class:`console.services.DutyWatch`) on one store: which
changes hand out which department's waiting conversations, and each only once."""

from __future__ import annotations

from sqlalchemy import select

from console import services
from console.domain import AssignMode, Role
from console.services import Actor, DutyWatch
from console.store import Store
from console.store.models import Conversation
from tests.helpers.factory import add_account, add_conversation, add_operator

SYSTEM = Actor(None)


def _waiting(store: Store, department: str, n: int) -> list[str]:
    account = add_account(store)
    ids = [
        add_conversation(store, account, [("in", f"문의 {department} {i}")], minutes_ago=20 - i)
        for i in range(n)
    ]
    for cid in ids:
        services.tag_department(store, SYSTEM, cid, department)
    return ids


def _assignees(store: Store, ids: list[str]) -> list[str | None]:
    with store.read() as s:
        query = select(Conversation.id, Conversation.assignee_id).where(Conversation.id.in_(ids))
        rows = {cid: assignee for cid, assignee in s.execute(query)}
    return [rows[cid] for cid in ids]


def test_a_department_gained_while_on_duty_is_handed_out_once(store: Store) -> None:
    services.set_assignment_mode(store, SYSTEM, "derm", AssignMode.ROUND_ROBIN)
    ids = _waiting(store, "derm", 2)  # nobody in dermatology yet: they wait
    hana = add_operator(store, "김하나", Role.COORDINATOR, ("general",))
    watch = DutyWatch()
    assert not watch.check(store).conversations  # the first look only notes the state

    services.set_departments(store, SYSTEM, hana, ("general", "derm"), hand_out=False)
    assert _assignees(store, ids) == [None, None]
    assert watch.check(store).conversations == frozenset(ids)
    assert _assignees(store, ids) == [hana, hana]
    services.assign(store, SYSTEM, ids[0], None)
    assert not watch.check(store).conversations
    # Another watch (a new leader) reads what was last seen from the store: nothing new.
    assert not DutyWatch().check(store).conversations
    assert _assignees(store, ids) == [None, hana]


def test_someone_new_or_off_duty_is_never_a_reason_or_a_receiver(store: Store) -> None:
    services.set_assignment_mode(store, SYSTEM, "derm", AssignMode.LEAST_LOADED)
    ids = _waiting(store, "derm", 1)
    watch = DutyWatch()
    watch.check(store)
    # A new member of staff (on duty by default) triggers nothing, as on a single PC.
    newcomer = add_operator(store, "최유리", Role.COORDINATOR, ("derm",))
    services.set_on_duty(store, SYSTEM, newcomer, False)
    assert not watch.check(store).conversations
    off = add_operator(store, "박서연", Role.COORDINATOR, ("general",))
    services.set_on_duty(store, SYSTEM, off, False)
    watch.check(store)
    # Gaining dermatology while off duty hands out nothing; coming on duty then does.
    services.set_departments(store, SYSTEM, off, ("derm",), hand_out=False)
    assert not watch.check(store).conversations
    services.set_on_duty(store, SYSTEM, off, True, hand_out=False)
    assert watch.check(store).conversations == frozenset(ids)
    assert _assignees(store, ids) == [off]


def test_a_record_it_cannot_read_makes_it_start_afresh(store: Store) -> None:
    from console.ids import new_id
    from console.store.models import AuditEvent

    services.set_assignment_mode(store, SYSTEM, "derm", AssignMode.ROUND_ROBIN)
    ids = _waiting(store, "derm", 1)
    with store.write() as s:
        s.add(
            AuditEvent(
                id=new_id(),
                at=1,
                operator_id=None,
                node="x",
                action="duty_seen",
                conversation_id=None,
                detail={"staff": {"someone": 5}},
            )
        )
    hana = add_operator(store, "김하나", Role.COORDINATOR, ("derm",))
    assert not DutyWatch().check(store).conversations  # noted afresh, nothing handed out
    assert _assignees(store, ids) == [None]
    services.set_on_duty(store, SYSTEM, hana, False, hand_out=False)
    services.set_on_duty(store, SYSTEM, hana, True, hand_out=False)
    watch = DutyWatch()
    assert not watch.check(store).conversations  # on duty before and after the last look
