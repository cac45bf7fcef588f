"""Department queues: auto-assignment, the round-robin position, and hand-off.

Each department has a mode (``console.domain.AssignMode``): off, round-robin or least-loaded.
With a mode on, a conversation that gets the department while nobody has it — a person tags
it, a routing rule or a confident classifier sorts it — is given at once, in the same
transaction, to one of the staff on duty for that department; never to someone off duty, and
to nobody when nobody is on duty (it waits, unassigned, in the department's queue). When
someone comes on duty, gains a department, or a department's mode is turned on, the
department's waiting unassigned conversations are handed out the same way, longest waiting
first.

- Round-robin walks the eligible staff in id order (UUIDv7: the order they were added) from
  the one given the last conversation, whose id is kept in ``department_assignment`` so the
  turn survives restarts and staff changes; over any run, counts differ by at most one.
- Least-loaded picks whoever has the fewest active (open or pending) conversations assigned,
  ties to the lowest id, so the same state always gives the same choice.

A routing rule may name an assignee: ingest gives the new conversation to that person
(:func:`rule_assign_in`, audit ``rule_assign``) when they are on duty for the rule's
department; otherwise the department's own mode decides, as for any other conversation.
:func:`assignment_preview` says beforehand who would be given one (Settings → Routing's "try a
message").

The system actor records each automatic assignment (audit ``auto_assign``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console import errors
from console.domain import AssignMode, Status
from console.ids import new_id
from console.services._changes import Actor, Changes
from console.services._commands import _conversation, record
from console.services._roles import Permission, assignment_permission, require
from console.store.engine import Store
from console.store.models import (
    FOLDER_ACTIVE,
    Conversation,
    Department,
    DepartmentAssignment,
    Note,
    Operator,
)

#: Statuses in which a conversation is handed out (snoozed and resolved ones wait).
ACTIVE = (Status.OPEN.value, Status.PENDING.value)
#: The most waiting conversations one pass hands out (a backlog drains over passes).
DISTRIBUTE_LIMIT = 500


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def eligible_staff(s: Session, department: str) -> list[str]:
    """Ids of the staff on duty for ``department``, in id order."""
    rows = s.execute(
        select(Operator.id, Operator.departments)
        .where(Operator.on_duty.is_(True))
        .order_by(Operator.id)
    ).all()
    return [oid for oid, departments in rows if department in (departments or ())]


def open_loads(s: Session, operator_ids: list[str]) -> dict[str, int]:
    """How many active (open or pending) conversations each of these staff has."""
    if not operator_ids:
        return {}
    rows = s.execute(
        select(Conversation.assignee_id, func.count())
        .where(Conversation.assignee_id.in_(operator_ids), Conversation.folder == FOLDER_ACTIVE)
        .group_by(Conversation.assignee_id)
    ).all()
    return {str(oid): int(n) for oid, n in rows}


def choose(s: Session, mode: str, department: str, last: str | None) -> str | None:
    """Who gets the department's next conversation under ``mode`` (None: nobody on duty,
    or the mode is off)."""
    eligible = eligible_staff(s, department)
    if not eligible or mode == AssignMode.OFF.value:
        return None
    if mode == AssignMode.ROUND_ROBIN.value:
        return next((oid for oid in eligible if last is None or oid > last), eligible[0])
    loads = open_loads(s, eligible)
    return min(eligible, key=lambda oid: (loads.get(oid, 0), oid))


@dataclass(frozen=True, slots=True)
class AssignPreview:
    """Who a new conversation of a department would be given now, and why.

    Attributes:
        operator_id: The member of staff, or None (it would wait unassigned in the queue).
        how: ``"rule"`` (the rule's person), a mode (``"round_robin"``, ``"least_loaded"``),
            ``"off"`` (the department does not assign) or ``"nobody_on_duty"``.
        rule_assignee: The person the rule named, whether or not they can take it.
    """

    operator_id: str | None
    how: str
    rule_assignee: str | None = None
    #: Why the rule's person cannot take it (:func:`rule_assignee_problem`), or None.
    rule_assignee_problem: str | None = None

    @property
    def rule_assignee_unavailable(self) -> bool:
        """The rule named someone who is off duty, not in the department, or gone."""
        return self.rule_assignee is not None and self.how != "rule"


#: The rule's person is not (or no longer) a member of staff.
ASSIGNEE_GONE = "gone"
#: The rule's person does not work in the rule's department.
ASSIGNEE_NOT_IN_DEPARTMENT = "not_in_department"
#: The rule's person is off duty now (the department's mode decides until they are back).
ASSIGNEE_OFF_DUTY = "off_duty"


def rule_assignee_problem(
    department: str, departments: Sequence[str] | None, on_duty: bool
) -> str | None:
    """Why a routing rule's assignee would not be given a conversation of ``department``, by
    the rule ingest applies (:func:`rule_assign_in`): :data:`ASSIGNEE_GONE` (``departments``
    None: no such member of staff), :data:`ASSIGNEE_NOT_IN_DEPARTMENT`,
    :data:`ASSIGNEE_OFF_DUTY`, or None when they would be. Pure: the rule editor asks it
    with the staff it already has."""
    if departments is None:
        return ASSIGNEE_GONE
    if department not in departments:
        return ASSIGNEE_NOT_IN_DEPARTMENT
    return None if on_duty else ASSIGNEE_OFF_DUTY


def _assignee_problem_in(s: Session, department: str, operator_id: str) -> str | None:
    operator = s.get(Operator, operator_id)
    if operator is None:
        return rule_assignee_problem(department, None, False)
    return rule_assignee_problem(department, operator.departments or (), bool(operator.on_duty))


def rule_assignee_available(s: Session, department: str, operator_id: str) -> bool:
    """Whether a rule's assignee may be given a conversation of ``department`` now: a member
    of staff on duty for it."""
    return _assignee_problem_in(s, department, operator_id) is None


def preview_in(s: Session, department: str, rule_assignee: str | None = None) -> AssignPreview:
    """:class:`AssignPreview` read in the caller's session (nothing is written)."""
    problem = None
    if rule_assignee is not None:
        problem = _assignee_problem_in(s, department, rule_assignee)
        if problem is None:
            return AssignPreview(rule_assignee, "rule", rule_assignee)
    policy = s.get(DepartmentAssignment, department)
    mode = policy.mode if policy is not None else AssignMode.OFF.value
    if mode == AssignMode.OFF.value:
        return AssignPreview(None, mode, rule_assignee, problem)
    chosen = choose(s, mode, department, policy.last_assignee if policy else None)
    return AssignPreview(chosen, mode if chosen else "nobody_on_duty", rule_assignee, problem)


def assignment_preview(
    store: Store, department: str, rule_assignee: str | None = None
) -> AssignPreview:
    """Who a new conversation sorted into ``department`` (by a rule naming ``rule_assignee``,
    or None) would be given if it arrived now; ingest decides the same way."""
    with store.read() as s:
        return preview_in(s, department, rule_assignee)


def rule_assign_in(
    s: Session,
    store: Store,
    conversation_id: str,
    rule_name: str,
    department: str,
    operator_id: str,
) -> str | None:
    """Record a new conversation given to the person its routing rule names, inside ingest's
    transaction, as the system: the audit event (``rule_assign``) and the pending op. Only
    when they are on duty for ``department``; the caller sets ``assignee_id`` and
    ``assignee_hlc`` on the row it inserts.

    Returns:
        The clock stamp for ``assignee_hlc``, or None when the person cannot take it (off
        duty, not in the department, gone) and the department's mode should decide.
    """
    if not rule_assignee_available(s, department, operator_id):
        return None
    return record(
        s,
        store,
        Actor(None),
        "rule_assign",
        conversation_id,
        [("conversation", conversation_id, "assignee_id", operator_id, None)],
        {"assignee": operator_id, "department": department, "rule": rule_name},
    )


def auto_assign_in(s: Session, store: Store, conv: Conversation) -> str | None:
    """Give an unassigned active conversation to someone on duty for its department, inside
    the caller's transaction, if the department's mode says so.

    Returns:
        The member of staff chosen, or None (mode off, already assigned, nobody on duty).
    """
    if conv.assignee_id is not None or conv.department is None or conv.status not in ACTIVE:
        return None
    policy = s.get(DepartmentAssignment, conv.department)
    if policy is None or policy.mode == AssignMode.OFF.value:
        return None
    chosen = choose(s, policy.mode, conv.department, policy.last_assignee)
    if chosen is None:
        return None
    ops: list[tuple[str, str, str, Any, int | None]] = [
        ("conversation", conv.id, "assignee_id", chosen, None)
    ]
    if policy.mode == AssignMode.ROUND_ROBIN.value:
        ops.append(("department_assignment", conv.department, "last_assignee", chosen, None))
        policy.last_assignee = chosen
    stamp = record(
        s,
        store,
        Actor(None),
        "auto_assign",
        conv.id,
        ops,
        {"assignee": chosen, "department": conv.department, "mode": policy.mode},
    )
    if policy.mode == AssignMode.ROUND_ROBIN.value:
        policy.last_assignee_hlc = stamp
    conv.assignee_id, conv.assignee_hlc = chosen, stamp
    s.flush()  # the next choice counts this one
    return chosen


def auto_assign_ids_in(s: Session, store: Store, conversation_ids: list[str]) -> set[str]:
    """:func:`auto_assign_in` for each of these conversations, in order; returns those given."""
    given: set[str] = set()
    for cid in conversation_ids:
        conv = s.get(Conversation, cid)
        if conv is not None and auto_assign_in(s, store, conv) is not None:
            given.add(cid)
    return given


def distribute_in(s: Session, store: Store, departments: list[str] | tuple[str, ...]) -> set[str]:
    """Hand out the waiting unassigned conversations of these departments (longest waiting
    first) by each department's mode, inside the caller's transaction.

    Returns:
        The conversations that were given to someone.
    """
    given: set[str] = set()
    for department in departments:
        policy = s.get(DepartmentAssignment, department)
        if policy is None or policy.mode == AssignMode.OFF.value:
            continue
        waiting = s.scalars(
            select(Conversation)
            .where(
                Conversation.department == department,
                Conversation.folder == FOLDER_ACTIVE,
                Conversation.assignee_id.is_(None),
            )
            .order_by(Conversation.queue_key, Conversation.id)
            .limit(DISTRIBUTE_LIMIT)
        ).all()
        for conv in waiting:
            if auto_assign_in(s, store, conv) is None:
                break  # nobody on duty: the rest wait too
            given.add(conv.id)
    return given


def set_assignment_mode(
    store: Store, actor: Actor, department: str, mode: str, *, hand_out: bool = True
) -> Changes:
    """Set how a department's new conversations are assigned: ``off``, ``round_robin`` or
    ``least_loaded``. Turning it on hands out the conversations already waiting (with
    ``hand_out`` False — a PC working with a clinic server — the leader does that when the
    change reaches the server, :mod:`console.services._duty`).

    Raises:
        NotPermitted: the role may not change routing (``MANAGE_ROUTING``).
        UnknownDepartment: no such department.
        InvalidInput: not a mode.
    """
    try:
        value = AssignMode(mode)
    except ValueError:
        raise errors.InvalidInput(field="mode", value=mode) from None
    with store.write() as s:
        require(s, actor, Permission.MANAGE_ROUTING)
        if s.get(Department, department) is None:
            raise errors.UnknownDepartment(department=department)
        policy = s.get(DepartmentAssignment, department)
        old = policy.mode if policy is not None else AssignMode.OFF.value
        stamp = record(
            s,
            store,
            actor,
            "set_assignment_mode",
            None,
            [("department_assignment", department, "mode", value.value, None)],
            {"department": department, "old": old, "new": value.value},
        )
        if policy is None:
            policy = DepartmentAssignment(department=department, last_assignee=None)
            s.add(policy)
        policy.mode, policy.mode_hlc, policy.updated_at = value.value, stamp, _now_ms()
        s.flush()
        given = distribute_in(s, store, [department]) if hand_out else set()
    return Changes(conversations=frozenset(given))


def hand_off(
    store: Store, actor: Actor, conversation_id: str, to_operator: str, note: str
) -> Changes:
    """Give a conversation to a colleague with a private note for them, in one transaction:
    the receiver finds it in "Mine" with the note in the thread.

    Raises:
        EmptyNote: the note is blank (a plain change of assignee is :func:`assign`).
        InvalidInput: it is already theirs.
        OperatorNotFound: no such member of staff.
        NotPermitted: handing on your own or a colleague's conversation needs ``REASSIGN``.
    """
    if not note.strip():
        raise errors.EmptyNote()
    with store.write() as s:
        require(s, actor, Permission.WORK)
        conv = _conversation(s, conversation_id)
        old = conv.assignee_id
        require(s, actor, assignment_permission(actor.operator_id, old, to_operator))
        if s.get(Operator, to_operator) is None:
            raise errors.OperatorNotFound(operator_id=to_operator)
        if old == to_operator:
            raise errors.InvalidInput(field="to_operator", value=to_operator)
        row = Note(
            id=new_id(),
            conversation_id=conversation_id,
            operator_id=actor.operator_id,
            body=note,
            created_at=_now_ms(),
            handoff_to=to_operator,
        )
        s.add(row)
        stamp = record(
            s,
            store,
            actor,
            "hand_off",
            conversation_id,
            [
                ("conversation", conversation_id, "assignee_id", to_operator, None),
                ("note", row.id, "body", note, None),
                ("note", row.id, "handoff_to", to_operator, None),
            ],
            {"old": old, "new": to_operator, "note_id": row.id},
        )
        conv.assignee_id, conv.assignee_hlc = to_operator, stamp
    ids = frozenset({conversation_id})
    return Changes(conversations=ids, threads=ids)
