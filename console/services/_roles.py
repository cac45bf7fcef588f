"""What each role may do, checked by the services (hiding a button is not enough).

Roles (``console.domain.Role``), from least to most trusted: front desk (원무), coordinator
(상담실장), manager, admin. Everyone may read every conversation and the dashboard, and do the
daily work on a conversation (department, assignee, status, labels, drafts, replies, notes).
The rest is granted per role below. The actor with no operator (``Actor(None)``) is the
system itself — ingest, the outbox, the clinic IT's command line — and may do everything
except what needs a named person (seeing unmasked personal data).
"""

from __future__ import annotations

import enum

from sqlalchemy.orm import Session

from console import errors
from console.domain import Role
from console.services._changes import Actor
from console.store.models import Operator


class Permission(enum.StrEnum):
    """A right a service checks before it changes or reveals something."""

    #: Work a conversation: department, assignee, status, labels, drafts, replies, notes.
    WORK = "work"
    #: Take a conversation away from the colleague it is assigned to, or hand it on.
    REASSIGN = "reassign"
    #: Put colleagues on or off duty (anyone may change their own).
    SET_DUTY = "set_duty"
    #: Add, edit and remove canned responses.
    MANAGE_CANNED = "manage_canned"
    #: Edit routing rules, the classifier's threshold, SLA targets and business hours.
    MANAGE_ROUTING = "manage_routing"
    #: Merge and split contacts.
    MANAGE_CONTACTS = "manage_contacts"
    #: Export reports and conversations (masked).
    EXPORT = "export"
    #: See personal data unmasked in an export. Needs a named person: never the system.
    UNMASK = "unmask"
    #: Connect, pause and remove channel accounts; the clinic server connection.
    MANAGE_ACCOUNTS = "manage_accounts"
    #: Add staff and change their roles.
    MANAGE_STAFF = "manage_staff"


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.FRONT_DESK: frozenset({Permission.WORK}),
    Role.COORDINATOR: frozenset(
        {Permission.WORK, Permission.REASSIGN, Permission.MANAGE_CANNED, Permission.MANAGE_CONTACTS}
    ),
    Role.MANAGER: frozenset(
        {
            Permission.WORK,
            Permission.REASSIGN,
            Permission.SET_DUTY,
            Permission.MANAGE_CANNED,
            Permission.MANAGE_ROUTING,
            Permission.MANAGE_CONTACTS,
            Permission.EXPORT,
        }
    ),
    Role.ADMIN: frozenset(Permission),
}
_PERSON_ONLY = frozenset({Permission.UNMASK})


def permitted(role: Role | str | None, permission: Permission) -> bool:
    """Whether ``role`` grants ``permission``; ``None`` is the system actor."""
    if role is None:
        return permission not in _PERSON_ONLY
    try:
        return permission in _GRANTS[Role(role)]
    except ValueError:
        return False


def role_of(s: Session, actor: Actor) -> Role | None:
    """The actor's role, or ``None`` for the system actor.

    Raises:
        OperatorNotFound: the actor names no member of staff.
    """
    if actor.operator_id is None:
        return None
    operator = s.get(Operator, actor.operator_id)
    if operator is None:
        raise errors.OperatorNotFound(operator_id=actor.operator_id)
    return Role(operator.role)


def require(s: Session, actor: Actor, permission: Permission) -> None:
    """Raise :class:`console.errors.NotPermitted` unless the actor may do ``permission``.

    Call it inside the command's transaction, before anything is written.
    """
    if actor.operator_id is None:
        role: str | None = None
    else:
        operator = s.get(Operator, actor.operator_id)
        if operator is None:
            raise errors.OperatorNotFound(operator_id=actor.operator_id)
        role = operator.role  # an unknown role (a newer version's) grants nothing
    if not permitted(role, permission):
        raise errors.NotPermitted(permission=permission.value, role=role or "system")


def assignment_permission(actor_id: str | None, current: str | None, new: str | None) -> Permission:
    """What changing a conversation's assignee from ``current`` to ``new`` needs.

    Giving an unassigned conversation to someone (yourself or a colleague) and letting go of
    your own are daily work (``WORK``); taking one from the colleague it is assigned to, or
    handing yours on to someone else, is ``REASSIGN``.
    """
    if current is None or current == new or (current == actor_id and new is None):
        return Permission.WORK
    return Permission.REASSIGN
