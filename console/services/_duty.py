"""The leader hands out waiting conversations when staff come on duty anywhere in the clinic.

On a single PC, :func:`~console.services.set_on_duty`, :func:`set_departments` and
:func:`set_assignment_mode` hand out the department's waiting unassigned conversations in
their own transaction. With a clinic server only the leader assigns: a PC's change of duty,
departments or mode (``hand_out=False`` there) reaches the server by push, and the leader —
the desktop that leads, after each sync round, or ``sotong agent``, after each polling round
— notices it with :class:`DutyWatch` and hands out the same way
(:func:`~console.services._assignment.distribute_in`, each choice an ``auto_assign`` audit
event with its pending op), on the server's store and fenced by its epoch.

What the leader has already acted on is kept on the server itself, as the latest
``duty_seen`` audit event (its detail: every member of staff's duty and departments, each
department's mode), written in the transaction that hands out. So each change is acted on
once: a later round compares with it and finds nothing new, and a leader that takes over —
another PC, a restarted agent — carries on from it, including changes made while no process
led. The very first check on a server only records the state as it is (nothing to compare
with yet).

Departments to hand out, as on a single PC: every department of a member of staff who came on
duty; a department an on-duty member of staff gained; a department whose mode changed to
round-robin or least-loaded. Someone new to the staff triggers nothing (as
:func:`~console.services.add_operator`), and nobody off duty is ever given anything
(:func:`~console.services._assignment.choose`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain import AssignMode
from console.ids import new_id
from console.services._assignment import distribute_in
from console.services._changes import Changes
from console.store.engine import Store
from console.store.models import AuditEvent, DepartmentAssignment, Operator

#: The audit action holding what the leader last saw (and acted on).
SEEN_ACTION = "duty_seen"


@dataclass(frozen=True)
class DutyState:
    """Who is on duty for what, and how each department assigns.

    Attributes:
        staff: Operator id -> (on duty, departments in order).
        modes: Department code -> mode (departments without a row are off).
    """

    staff: Mapping[str, tuple[bool, tuple[str, ...]]]
    modes: Mapping[str, str]

    def to_json(self) -> dict[str, Any]:
        """The audit detail's form."""
        return {
            "staff": {oid: [on, list(deps)] for oid, (on, deps) in sorted(self.staff.items())},
            "modes": dict(sorted(self.modes.items())),
        }

    @classmethod
    def from_json(cls, detail: Mapping[str, Any]) -> DutyState:
        """Read the audit detail back (unknown shapes read as empty)."""
        staff = detail.get("staff") or {}
        modes = detail.get("modes") or {}
        return cls(
            {str(oid): (bool(v[0]), tuple(str(d) for d in v[1] or ())) for oid, v in staff.items()},
            {str(d): str(m) for d, m in modes.items()},
        )


def read_duty_state(s: Session) -> DutyState:
    """The duty state as the caller's session sees it (two small reads)."""
    staff = {
        oid: (bool(on), tuple(deps or ()))
        for oid, on, deps in s.execute(select(Operator.id, Operator.on_duty, Operator.departments))
    }
    modes = {
        str(department): str(mode)
        for department, mode in s.execute(
            select(DepartmentAssignment.department, DepartmentAssignment.mode)
        )
    }
    return DutyState(staff, modes)


def to_hand_out(before: DutyState, after: DutyState) -> list[str]:
    """The departments whose waiting conversations a change from ``before`` to ``after``
    hands out (see the module docstring), in code order."""
    out: set[str] = set()
    for oid, (on, departments) in after.staff.items():
        prev = before.staff.get(oid)
        if prev is None or not on:
            continue
        was_on, had = prev
        out.update(departments if not was_on else (d for d in departments if d not in had))
    off = AssignMode.OFF.value
    for department, mode in after.modes.items():
        if mode != off and before.modes.get(department, off) != mode:
            out.add(department)
    return sorted(out)


def last_seen(s: Session) -> tuple[DutyState | None, int]:
    """What the leader last saw (the latest ``duty_seen`` event) and when, or (None, 0)
    before the first."""
    row = s.execute(
        select(AuditEvent.detail, AuditEvent.at)
        .where(AuditEvent.action == SEEN_ACTION)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None, 0
    try:
        return DutyState.from_json(row[0] or {}), int(row[1])
    except (TypeError, ValueError, IndexError, AttributeError):
        return None, int(row[1])  # not a shape this version wrote: start from now


def hand_out_in(s: Session, store: Store) -> tuple[set[str], DutyState]:
    """Compare the duty state with what was last seen, hand out what changed and record the
    new state, inside the caller's write transaction.

    Returns:
        The conversations given to someone, and the state now.
    """
    seen, seen_at = last_seen(s)
    now = read_duty_state(s)
    if seen == now:
        return set(), now
    departments = to_hand_out(seen, now) if seen is not None else []
    given = distribute_in(s, store, departments)
    # The system's audit event, like record()'s, but its time never goes back: the latest
    # one is what the next leader reads, whatever its machine's clock says.
    s.add(
        AuditEvent(
            id=new_id(),
            at=max(time.time_ns() // 1_000_000, seen_at + 1),
            operator_id=None,
            node=store.node_id,
            action=SEEN_ACTION,
            conversation_id=None,
            detail={**now.to_json(), "hand_out": departments, "given": len(given)},
        )
    )
    return given, now


class DutyWatch:
    """The leader's eye on duty, departments and modes (one per leader term or runtime).

    :meth:`check` costs two small reads when nothing changed since its last look; otherwise
    one write transaction (through the store it is given: fenced by the leader's epoch, so a
    process that no longer leads commits nothing).
    """

    def __init__(self) -> None:
        self._seen: DutyState | None = None

    def check(self, store: Store) -> Changes:
        """Hand out the waiting conversations of the departments a change of duty, departments
        or mode concerns, once per change.

        Returns:
            The conversations given to someone.

        Raises:
            StaleLeader: through a fenced store, when another process leads now.
        """
        with store.read() as s:
            current = read_duty_state(s)
        if current == self._seen:
            return Changes()
        with store.write() as s:
            given, current = hand_out_in(s, store)
        self._seen = current
        return Changes(conversations=frozenset(given))
