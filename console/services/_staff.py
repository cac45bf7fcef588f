"""Members of staff."""

from __future__ import annotations

import time

from console import errors
from console.domain import Role
from console.ids import new_id
from console.services._changes import Actor
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
