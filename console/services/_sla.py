"""SLA targets and the clinic's business calendar (Settings → SLA).

Stored in the clinic's database, so once sync runs every PC counts breaches the same way.
Each change needs :attr:`Permission.MANAGE_ROUTING`.
"""

from __future__ import annotations

import datetime as dt

from console import errors
from console.services._changes import Actor, Changes
from console.services._commands import record
from console.services._roles import Permission, require
from console.store.engine import Store
from console.store.models import BusinessCalendar, CalendarDay, Department, SlaTarget
from console.worktime import DayHours

#: Longest target staff may set: a working month, in minutes.
MAX_TARGET_MIN = 30 * 24 * 60
MAX_NOTE_CHARS = 80

_CHANGED = Changes(sla=True)


def _check_minutes(field: str, value: int) -> None:
    if not isinstance(value, int) or not 1 <= value <= MAX_TARGET_MIN:
        raise errors.InvalidInput(field=field, value=value)


def set_sla_target(
    store: Store,
    actor: Actor,
    department: str | None,
    channel: str | None,
    first_response_min: int,
    next_response_min: int,
) -> Changes:
    """Set the response targets (business minutes) for a department and/or channel.

    ``None`` means "any": ``(None, None)`` is the clinic default, ``(None, "sms")`` applies
    to every SMS conversation and overrides the departments' targets.

    Raises:
        NotPermitted: the actor may not manage routing and SLA.
        InvalidInput: a target outside 1 minute .. 30 days.
        UnknownDepartment: no such department.
    """
    _check_minutes("first_response_min", first_response_min)
    _check_minutes("next_response_min", next_response_min)
    dept, kind = department or "", channel or ""
    if len(kind) > 24:
        raise errors.InvalidInput(field="channel", value=channel)
    with store.write() as s:
        require(s, actor, Permission.MANAGE_ROUTING)
        if dept and s.get(Department, dept) is None:
            raise errors.UnknownDepartment(department=dept)
        row = s.get(SlaTarget, (dept, kind))
        stamp = record(
            s,
            store,
            actor,
            "set_sla_target",
            None,
            [
                ("sla_target", f"{dept}/{kind}", "first_response_min", first_response_min, None),
                ("sla_target", f"{dept}/{kind}", "next_response_min", next_response_min, None),
            ],
            {
                "department": dept,
                "channel": kind,
                "first_response_min": first_response_min,
                "next_response_min": next_response_min,
            },
        )
        if row is None:
            s.add(
                SlaTarget(
                    department=dept,
                    channel=kind,
                    first_response_min=first_response_min,
                    next_response_min=next_response_min,
                    hlc=stamp,
                )
            )
        else:
            row.first_response_min, row.next_response_min = first_response_min, next_response_min
            row.hlc = stamp
    return _CHANGED


def remove_sla_target(
    store: Store, actor: Actor, department: str | None, channel: str | None
) -> Changes:
    """Remove a department's or channel's own target (it falls back to the next general
    one). The clinic default cannot be removed, only changed.

    Raises:
        NotPermitted: the actor may not manage routing and SLA.
        InvalidInput: asked to remove the clinic default.
    """
    dept, kind = department or "", channel or ""
    if not dept and not kind:
        raise errors.InvalidInput(field="sla_target", value="default")
    with store.write() as s:
        require(s, actor, Permission.MANAGE_ROUTING)
        row = s.get(SlaTarget, (dept, kind))
        if row is None:
            return Changes()
        record(
            s,
            store,
            actor,
            "remove_sla_target",
            None,
            [("sla_target", f"{dept}/{kind}", "deleted", True, None)],
            {"department": dept, "channel": kind},
        )
        s.delete(row)
    return _CHANGED


def set_business_hours(
    store: Store,
    actor: Actor,
    week: tuple[DayHours | None, ...],
    public_holidays: bool = True,
) -> Changes:
    """Set the opening hours of each weekday (Monday first; None: closed) and whether
    Korean public holidays close the clinic.

    Raises:
        NotPermitted: the actor may not manage routing and SLA.
        InvalidInput: not seven days.
    """
    if len(week) != 7:
        raise errors.InvalidInput(field="week", value=len(week))
    stored = [
        None if d is None else [d.open_min, d.close_min, d.lunch_start_min, d.lunch_end_min]
        for d in week
    ]
    with store.write() as s:
        require(s, actor, Permission.MANAGE_ROUTING)
        stamp = record(
            s,
            store,
            actor,
            "set_business_hours",
            None,
            [
                ("business_calendar", "1", "week", stored, None),
                ("business_calendar", "1", "public_holidays", public_holidays, None),
            ],
            {"week": stored, "public_holidays": public_holidays},
        )
        row = s.get(BusinessCalendar, 1)
        if row is None:
            s.add(
                BusinessCalendar(
                    id=1,
                    timezone="Asia/Seoul",
                    week=stored,
                    public_holidays=public_holidays,
                    hlc=stamp,
                )
            )
        else:
            row.week, row.public_holidays, row.hlc = stored, public_holidays, stamp
    return _CHANGED


def set_calendar_day(
    store: Store, actor: Actor, day: dt.date, closed: bool = True, note: str = ""
) -> Changes:
    """Mark a date as one of the clinic's own closed days (``closed``), or as a public
    holiday the clinic works (``closed=False``, that weekday's hours).

    Raises:
        NotPermitted: the actor may not manage routing and SLA.
        InvalidInput: a note over 80 characters.
    """
    note = " ".join(note.split())
    if len(note) > MAX_NOTE_CHARS:
        raise errors.InvalidInput(field="note", value=note)
    key = day.isoformat()
    with store.write() as s:
        require(s, actor, Permission.MANAGE_ROUTING)
        stamp = record(
            s,
            store,
            actor,
            "set_calendar_day",
            None,
            [
                ("calendar_day", key, "closed", closed, None),
                ("calendar_day", key, "note", note, None),
                ("calendar_day", key, "present", True, None),
            ],
            {"day": key, "closed": closed, "note": note},
        )
        row = s.get(CalendarDay, key)
        if row is None:
            s.add(CalendarDay(day=key, closed=closed, note=note, present=True, hlc=stamp))
        else:
            row.closed, row.note, row.present, row.hlc = closed, note, True, stamp
    return _CHANGED


def remove_calendar_day(store: Store, actor: Actor, day: dt.date) -> Changes:
    """Forget a date set with :func:`set_calendar_day` (the row stays, not present, for sync).

    Raises:
        NotPermitted: the actor may not manage routing and SLA.
    """
    key = day.isoformat()
    with store.write() as s:
        require(s, actor, Permission.MANAGE_ROUTING)
        row = s.get(CalendarDay, key)
        if row is None or not row.present:
            return Changes()
        stamp = record(
            s,
            store,
            actor,
            "remove_calendar_day",
            None,
            [("calendar_day", key, "present", False, None)],
            {"day": key},
        )
        row.present, row.hlc = False, stamp
    return _CHANGED
