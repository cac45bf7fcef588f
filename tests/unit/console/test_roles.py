"""Roles are enforced by the services, not by hidden buttons."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from console import errors, services
from console.domain import Role
from console.services import Actor, Permission, permitted, require
from console.store import queries as q
from console.store.engine import Store
from console.store.models import ChannelAccount, Operator, PendingOp
from tests.conftest import MemoryKeyring
from tests.helpers.factory import add_account, add_conversation


def test_front_desk_may_work_but_not_manage() -> None:
    assert permitted(Role.FRONT_DESK, Permission.WORK)
    for permission in set(Permission) - {Permission.WORK}:
        assert not permitted(Role.FRONT_DESK, permission), permission


def test_each_role_holds_what_the_role_below_holds() -> None:
    ladder = [Role.FRONT_DESK, Role.COORDINATOR, Role.MANAGER, Role.ADMIN]
    for lower, higher in itertools.pairwise(ladder):
        for permission in Permission:
            if permitted(lower, permission):
                assert permitted(higher, permission), (lower, higher, permission)


def test_only_a_named_admin_may_unmask() -> None:
    assert permitted(Role.ADMIN, Permission.UNMASK)
    assert not permitted(Role.MANAGER, Permission.UNMASK)
    assert not permitted(None, Permission.UNMASK)  # the system actor is nobody in particular
    assert permitted(None, Permission.MANAGE_ACCOUNTS)
    assert not permitted("receptionist", Permission.WORK)  # an unknown role grants nothing


def test_require_reads_the_role_from_the_store(store: Store) -> None:
    desk = services.add_operator(store, Actor(None), "김접수", Role.FRONT_DESK)
    boss = services.add_operator(store, Actor(None), "박원장", Role.ADMIN)
    with store.read() as s:
        require(s, Actor(boss), Permission.MANAGE_STAFF)
        with pytest.raises(errors.NotPermitted) as caught:
            require(s, Actor(desk), Permission.MANAGE_STAFF)
        assert caught.value.params == {"permission": "manage_staff", "role": "front_desk"}
        with pytest.raises(errors.OperatorNotFound):
            require(s, Actor("no-such-operator"), Permission.WORK)


# --- every service checks ----------------------------------------------------------------


@pytest.fixture
def clinic(store: Store) -> dict[str, str]:
    """One member of staff per role, and a conversation."""
    people = {
        role.value: services.add_operator(store, Actor(None), f"직원 {role.value}", role)
        for role in Role
    }
    people["conversation"] = add_conversation(store, add_account(store))
    return people


def _work_calls(cid: str) -> list[Callable[[Store, Actor], object]]:
    later = int(time.time() * 1000) + 3_600_000
    return [
        lambda st, a: services.tag_department(st, a, cid, "derm"),
        lambda st, a: services.set_status(st, a, cid, "pending"),
        lambda st, a: services.set_priority(st, a, cid, 2),
        lambda st, a: services.snooze(st, a, cid, later),
        lambda st, a: services.add_label(st, a, cid, "가격문의"),
        lambda st, a: services.remove_label(st, a, cid, "가격문의"),
        lambda st, a: services.mark_read(st, a, cid),
        lambda st, a: services.save_draft(st, a, cid, "확인해 드릴게요"),
        lambda st, a: services.delete_draft(st, a, cid),
        lambda st, a: services.queue_reply(st, a, cid, "네, 가능합니다"),
        lambda st, a: services.add_note(st, a, cid, "원장님 확인 필요"),
    ]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_works_conversations(store: Store, clinic: dict[str, str], role: Role) -> None:
    actor = Actor(clinic[role.value])
    for call in _work_calls(clinic["conversation"]):
        call(store, actor)  # none refused


def test_an_unknown_role_may_not_touch_a_conversation(store: Store, clinic: dict[str, str]) -> None:
    with store.write() as s:
        s.get(Operator, clinic["front_desk"]).role = "receptionist"  # type: ignore[union-attr]
    actor = Actor(clinic["front_desk"])
    for call in _work_calls(clinic["conversation"]):
        with pytest.raises(errors.NotPermitted):
            call(store, actor)
    with store.read() as s:
        assert (
            s.scalar(select(func.count()).select_from(PendingOp).where(PendingOp.tbl == "draft"))
            == 0
        )  # nothing was written


@pytest.mark.parametrize(
    ("role", "may_reassign"),
    [(Role.FRONT_DESK, False), (Role.COORDINATOR, True), (Role.MANAGER, True), (Role.ADMIN, True)],
)
def test_taking_from_a_colleague_or_handing_on_needs_reassign(
    store: Store, clinic: dict[str, str], role: Role, may_reassign: bool
) -> None:
    cid, me = clinic["conversation"], Actor(clinic[role.value])
    colleague = clinic["admin"] if role is not Role.ADMIN else clinic["manager"]
    # Anyone may give an unassigned conversation to someone, and let go of their own.
    services.assign(store, me, cid, me.operator_id)
    services.assign(store, me, cid, None)
    services.assign(store, me, cid, colleague)
    if may_reassign:
        services.assign(store, me, cid, me.operator_id)  # taken from the colleague
        services.assign(store, me, cid, colleague)  # handed on
        services.assign(store, me, cid, None)  # a colleague's, unassigned
    else:
        for target in (me.operator_id, None, clinic["coordinator"]):
            with pytest.raises(errors.NotPermitted) as caught:
                services.assign(store, me, cid, target)
            assert caught.value.params == {"permission": "reassign", "role": "front_desk"}
        services.assign(store, Actor(colleague), cid, me.operator_id)
        with pytest.raises(errors.NotPermitted):
            services.assign(store, me, cid, colleague)  # handing mine on
        assert q.conversation_row(store, cid).assignee_id == me.operator_id  # type: ignore[union-attr]


@pytest.mark.parametrize("role", list(Role))
def test_only_admins_manage_accounts_and_staff(
    store: Store, clinic: dict[str, str], role: Role, memory_keyring: MemoryKeyring
) -> None:
    actor = Actor(clinic[role.value])
    account = add_account(store)

    def calls() -> list[Callable[[], object]]:
        return [
            lambda: services.add_account(
                store,
                actor,
                kind="telegram",
                connector="demo",
                external_id=f"bot-{role.value}",
                display_name="bot",
                config={},
                secret="token-123",
            ),
            lambda: services.set_account_enabled(store, actor, account, False),
            lambda: services.reconnect_account(store, actor, account, "new-token"),
            lambda: services.remove_account(store, actor, account),
            lambda: services.add_operator(store, actor, "새 직원", Role.FRONT_DESK),
        ]

    if role is Role.ADMIN:
        for call in calls():
            call()
        return
    for call in calls():
        with pytest.raises(errors.NotPermitted):
            call()
    assert memory_keyring.secrets == {}  # a refused call never reached the keyring
    with store.read() as s:
        assert s.get(ChannelAccount, account).enabled  # type: ignore[union-attr]
        assert s.scalar(select(func.count()).select_from(Operator)) == len(Role)


def test_the_system_actor_may_do_everything_but_unmask(
    store: Store, clinic: dict[str, str]
) -> None:
    system = Actor(None)
    for call in _work_calls(clinic["conversation"]):
        call(store, system)
    services.assign(store, system, clinic["conversation"], clinic["front_desk"])
    services.assign(store, system, clinic["conversation"], clinic["manager"])
    services.add_operator(store, system, "처음 관리자", Role.ADMIN)
