"""Members of staff: adding them, their role, their departments, whether they are on duty."""

from __future__ import annotations

import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console import errors
from console.domain import Role
from console.ids import new_id
from console.services._assignment import distribute_in
from console.services._changes import Actor, Changes
from console.services._commands import record
from console.services._roles import Permission, require
from console.store.engine import Store
from console.store.models import Department, Operator


def add_operator(
    store: Store, actor: Actor, name: str, role: str, departments: tuple[str, ...] = ()
) -> str:
    """Add a member of staff.

    Returns:
        Their id.

    Raises:
        NotPermitted: the actor may not manage staff (the system actor may: the first
            administrator of a new store is added by it).
        InvalidInput: an empty name or an unknown role.
        UnknownDepartment: a department code that does not exist.
    """
    name = " ".join(name.split())
    if not name or len(name) > 80:
        raise errors.InvalidInput(field="name")
    try:
        Role(role)
    except ValueError:
        raise errors.InvalidInput(field="role", value=role) from None
    operator_id = new_id()
    with store.write() as s:
        require(s, actor, Permission.MANAGE_STAFF)
        for code in departments:
            if s.get(Department, code) is None:
                raise errors.UnknownDepartment(department=code)
        s.add(
            Operator(
                id=operator_id,
                name=name,
                role=role,
                departments=list(departments),
                on_duty=True,
                created_at=time.time_ns() // 1_000_000,
            )
        )
        record(
            s,
            store,
            actor,
            "add_operator",
            None,
            [
                ("operator", operator_id, "name", name, None),
                ("operator", operator_id, "role", role, None),
            ],
            {"operator_id": operator_id, "role": role},
        )
    return operator_id


class LastAdministrator(errors.InvalidInput):
    """The clinic would be left with no administrator."""

    code = "last_admin"


def _operator(s: Session, operator_id: str) -> Operator:
    operator = s.get(Operator, operator_id)
    if operator is None:
        raise errors.OperatorNotFound(operator_id=operator_id)
    return operator


def _check_departments(s: Session, departments: tuple[str, ...]) -> None:
    for code in departments:
        if s.get(Department, code) is None:
            raise errors.UnknownDepartment(department=code)


def set_role(store: Store, actor: Actor, operator_id: str, role: str) -> Changes:
    """Change what a member of staff may do.

    Raises:
        NotPermitted: the actor may not manage staff.
        InvalidInput: an unknown role.
        LastAdministrator: it would leave the clinic with no administrator.
        OperatorNotFound: no such member of staff.
    """
    try:
        value = Role(role)
    except ValueError:
        raise errors.InvalidInput(field="role", value=role) from None
    with store.write() as s:
        require(s, actor, Permission.MANAGE_STAFF)
        operator = _operator(s, operator_id)
        if operator.role == Role.ADMIN.value and value is not Role.ADMIN:
            admins = s.scalar(select(func.count()).where(Operator.role == Role.ADMIN.value))
            if (admins or 0) <= 1:
                raise LastAdministrator(operator_id=operator_id)
        record(
            s,
            store,
            actor,
            "set_role",
            None,
            [("operator", operator_id, "role", value.value, None)],
            {"operator_id": operator_id, "old": operator.role, "new": value.value},
        )
        operator.role = value.value
    return Changes(staff=True)


def set_departments(
    store: Store,
    actor: Actor,
    operator_id: str,
    departments: tuple[str, ...],
    *,
    hand_out: bool = True,
) -> Changes:
    """Set the departments a member of staff answers for. If they are on duty, waiting
    conversations of a department they gain are handed out again (they may get some) —
    unless ``hand_out`` is False: a PC working with a clinic server leaves that to the
    leader (:mod:`console.services._duty`).

    Raises:
        NotPermitted: the actor may not manage staff.
        UnknownDepartment: a code that is not a department.
        OperatorNotFound: no such member of staff.
    """
    departments = tuple(dict.fromkeys(departments))
    with store.write() as s:
        require(s, actor, Permission.MANAGE_STAFF)
        operator = _operator(s, operator_id)
        _check_departments(s, departments)
        old = tuple(operator.departments or ())
        record(
            s,
            store,
            actor,
            "set_departments",
            None,
            [("operator", operator_id, "departments", list(departments), None)],
            {"operator_id": operator_id, "old": list(old), "new": list(departments)},
        )
        operator.departments = list(departments)
        s.flush()
        gained = [d for d in departments if d not in old]
        given = distribute_in(s, store, gained) if operator.on_duty and hand_out else set()
    return Changes(conversations=frozenset(given), staff=True)


def set_on_duty(
    store: Store, actor: Actor, operator_id: str, on_duty: bool, *, hand_out: bool = True
) -> Changes:
    """Put a member of staff on or off duty. Anyone may change their own; changing a
    colleague's needs ``SET_DUTY``. Coming on duty hands out the waiting unassigned
    conversations of their departments (by each department's mode, so they get their share);
    going off duty keeps what they have, but auto-assignment passes them by. With
    ``hand_out`` False (a PC working with a clinic server) nothing is handed out here: the
    leader does it when the change reaches the server (:mod:`console.services._duty`).

    Raises:
        NotPermitted: a colleague's duty, without ``SET_DUTY``.
        OperatorNotFound: no such member of staff.
    """
    with store.write() as s:
        own = actor.operator_id == operator_id
        require(s, actor, Permission.WORK if own else Permission.SET_DUTY)
        operator = _operator(s, operator_id)
        if bool(operator.on_duty) == on_duty:
            return Changes()
        record(
            s,
            store,
            actor,
            "set_on_duty",
            None,
            [("operator", operator_id, "on_duty", on_duty, None)],
            {"operator_id": operator_id, "on_duty": on_duty},
        )
        operator.on_duty = on_duty
        s.flush()
        departments = tuple(operator.departments or ())
        given = distribute_in(s, store, departments) if on_duty and hand_out else set()
    return Changes(conversations=frozenset(given), staff=True)
