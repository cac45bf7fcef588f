"""Roles are enforced by the services, not by hidden buttons."""

from __future__ import annotations

import itertools

import pytest

from console import errors, services
from console.domain import Role
from console.services import Actor, Permission, permitted, require
from console.store.engine import Store


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
